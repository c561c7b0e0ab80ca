/*
 * Scanner bindings: which USB scanner (VID:PID, serial number, port path)
 * feeds which station, with its keyboard layout and blanking window.
 */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

#define SCANNER_COLUMNS "name, printf('%04x', vid) AS vid,"		\
	" printf('%04x', pid) AS pid, serial, port, station, layout,"	\
	" blank_ms, calibrated_at, last_seen, created_at,"		\
	" (SELECT t.role FROM station t WHERE t.name = scanner.station)"\
	" AS role"

static enum store_status store_scanner_rows(struct stmt *, const char *,
	    json_t **);

/* Rows of a query (one text parameter, or none) as an array. */
static enum store_status
store_scanner_rows(struct stmt *q, const char *param, json_t **out)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(q)) == NULL)
		return (STORE_ERROR);
	if (param != NULL)
		sqlite3_bind_text(s, 1, param, -1, SQLITE_STATIC);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* Bind a scanner from validated values; its ledger row names it. */
enum store_status
store_scanner_add(const struct actor *a, json_t *vals)
{
	static struct stmt q = STMT("INSERT INTO scanner (name, vid, pid,"
	    " serial, port, station, layout, blank_ms, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	sqlite3_stmt *s;
	char now[32], *entity;
	const char *name;
	json_t *v;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	name = json_string_value(json_object_get(vals, "name"));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((v = json_object_get(vals, "vid")) != NULL && json_is_integer(v)) {
		sqlite3_bind_int64(s, 2, json_integer_value(v));
		sqlite3_bind_int64(s, 3, json_integer_value(json_object_get(
		    vals, "pid")));
	}
	sqlite3_bind_text(s, 4, json_string_value(json_object_get(vals,
	    "serial")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, json_string_value(json_object_get(vals,
	    "port")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, json_string_value(json_object_get(vals,
	    "station")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, json_string_value(json_object_get(vals,
	    "layout")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, json_integer_value(json_object_get(vals,
	    "blank_ms")));
	sqlite3_bind_text(s, 9, now, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	xasprintf(&entity, "scanner:%s", name);
	status = store_ledger_add(a, entity, "bind", NULL,
	    json_string_value(json_object_get(vals, "station")), NULL, vals);
	free(entity);
	return (status);
}

/* One binding by name. */
enum store_status
store_scanner_get(const char *name, json_t **out)
{
	static struct stmt q = STMT("SELECT " SCANNER_COLUMNS
	    " FROM scanner WHERE name = ?1");
	json_t *a;
	enum store_status status;

	*out = NULL;
	if ((status = store_scanner_rows(&q, name, &a)) != STORE_OK) {
		json_decref(a);
		return (status);
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return (STORE_NOTFOUND);
	}
	*out = json_incref(json_array_get(a, 0));
	json_decref(a);
	return (STORE_OK);
}

/* Every binding, by station then name. */
enum store_status
store_scanner_list(json_t **out)
{
	static struct stmt q = STMT("SELECT " SCANNER_COLUMNS
	    " FROM scanner ORDER BY station, name");

	return (store_scanner_rows(&q, NULL, out));
}

/* Unbind: STORE_NOTFOUND if there is no such binding. */
enum store_status
store_scanner_delete(const struct actor *a, const char *name)
{
	static struct stmt q = STMT("DELETE FROM scanner WHERE name = ?1"
	    " RETURNING station");
	sqlite3_stmt *s;
	char *entity, *station = NULL;
	int rc;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		station = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK || station == NULL) {
		free(station);
		return (status != STORE_OK ? status : STORE_NOTFOUND);
	}
	xasprintf(&entity, "scanner:%s", name);
	status = store_ledger_add(a, entity, "unbind", station, NULL, NULL,
	    NULL);
	free(entity);
	free(station);
	return (status);
}

/*
 * The binding a device falls under, the most precise first (serial, then
 * port, then VID:PID alone): *out {name, station, layout, blank_ms}, or
 * STORE_NOTFOUND. serial and port may be NULL (unknown).
 */
enum store_status
store_scanner_match(int vid, int pid, const char *serial, const char *port,
    json_t **out)
{
	static struct stmt q = STMT("SELECT name, station, layout, blank_ms"
	    " FROM scanner WHERE (vid IS NULL OR (vid = ?1 AND pid = ?2))"
	    " AND (serial IS NULL OR serial = ?3)"
	    " AND (port IS NULL OR port = ?4)"
	    " ORDER BY serial IS NOT NULL DESC, port IS NOT NULL DESC,"
	    " vid IS NOT NULL DESC LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int(s, 1, vid);
	sqlite3_bind_int(s, 2, pid);
	sqlite3_bind_text(s, 3, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, port, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = store_row_json(s);
	else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}

/* A scanner's layout found by calibration; ledger: the binding. */
enum store_status
store_scanner_calibrated(const struct actor *a, const char *name,
    const char *layout)
{
	static struct stmt qs = STMT("SELECT layout FROM scanner"
	    " WHERE name = ?1");
	static struct stmt qu = STMT("UPDATE scanner SET layout = ?2,"
	    " calibrated_at = ?3 WHERE name = ?1");
	sqlite3_stmt *s;
	char now[32], *entity, *from = NULL;
	int rc;
	enum store_status status;

	if ((s = store_prepare(&qs)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		from = xstrdup((const char *)sqlite3_column_text(s, 0));
	if ((status = store_done(s, rc)) != STORE_OK || from == NULL) {
		free(from);
		return (status != STORE_OK ? status : STORE_NOTFOUND);
	}
	if ((s = store_prepare(&qu)) == NULL) {
		free(from);
		return (STORE_ERROR);
	}
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, layout, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) == STORE_OK) {
		xasprintf(&entity, "scanner:%s", name);
		status = store_ledger_add(a, entity, "calibrate", from,
		    layout, NULL, NULL);
		free(entity);
	}
	free(from);
	return (status);
}

/* A bound scanner was plugged in now. */
enum store_status
store_scanner_seen(const char *name)
{
	static struct stmt q = STMT("UPDATE scanner SET last_seen = ?2"
	    " WHERE name = ?1");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* Is there a station of this name? STORE_OK or STORE_NOTFOUND. */
enum store_status
store_scanner_station(const char *name)
{
	static struct stmt q = STMT("SELECT 1 FROM station WHERE name = ?1");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}
