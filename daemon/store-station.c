/*
 * Stations, their context, the scans made at them and the audits they run:
 * the queries of the scan engine (scan.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"
#include "scan.h"

static long long store_station_number(struct stmt *);

#define STATION_COLUMNS "SELECT s.name, l.tag AS location, s.mode,"	\
	" e.tag AS distribution, s.role, s.context_json, s.context_at,"	\
	" s.created_at FROM station s JOIN location l ON l.id = s.location_id"\
	" LEFT JOIN distribution e ON e.id = s.distribution_id"

/*
 * A new station, with the role its USB scanners act with; STORE_EXISTS if
 * the name is taken.
 */
enum store_status
store_station_add(const struct actor *a, const char *name,
    const char *location, const char *mode, const char *distribution,
    const char *role)
{
	static struct stmt q = STMT("INSERT INTO station (name, location_id,"
	    " mode, distribution_id, created_at, role) VALUES (?1, (SELECT id"
	    " FROM location WHERE tag = ?2), ?3, (SELECT id FROM distribution"
	    " WHERE tag = ?4), ?5, ?6)");
	sqlite3_stmt *s;
	char now[32];
	enum store_status status;
	json_t *d;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, distribution, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, role, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	d = json_pack("{ss ss s:s? ss}", "location", location, "mode", mode,
	    "distribution", distribution, "role", role);
	status = store_ledger_add(a, name, "station_add", NULL, mode, NULL, d);
	json_decref(d);
	return (status);
}

enum store_status
store_station_get(const char *name, json_t **out)
{
	static struct stmt q = STMT(STATION_COLUMNS " WHERE s.name = ?1");
	enum store_status status;
	json_t *rows;

	*out = NULL;
	if ((status = store_rows(&q, name, NULL, &rows)) != STORE_OK) {
		json_decref(rows);
		return (status);
	}
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return (STORE_NOTFOUND);
	}
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return (STORE_OK);
}

enum store_status
store_station_list(json_t **out)
{
	static struct stmt q = STMT(STATION_COLUMNS " ORDER BY s.name");

	return (store_rows(&q, NULL, NULL, out));
}

/*
 * A new mode (and, if not NULL, the distribution served); the context of
 * the old mode is dropped.
 */
enum store_status
store_station_mode(const struct actor *a, const char *name, const char *from,
    const char *mode, const char *distribution)
{
	static struct stmt q = STMT("UPDATE station SET mode = ?2,"
	    " distribution_id = coalesce((SELECT id FROM distribution"
	    " WHERE tag = ?3), distribution_id), context_json = '{}',"
	    " context_at = NULL WHERE name = ?1");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, distribution, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, name, "station_mode", from, mode, NULL,
	    NULL));
}

/* The role a station's USB scanners act with, from -> role. */
enum store_status
store_station_role(const struct actor *a, const char *name, const char *from,
    const char *role)
{
	static struct stmt q = STMT("UPDATE station SET role = ?2"
	    " WHERE name = ?1");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, name, "station_role", from, role, NULL,
	    NULL));
}

/* The context a station's scans are in, and when it was last touched. */
enum store_status
store_station_context(const char *name, json_t *context, const char *at)
{
	static struct stmt q = STMT("UPDATE station SET context_json = ?2,"
	    " context_at = ?3 WHERE name = ?1");
	sqlite3_stmt *s;
	char *text;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	text = json_dumps(context, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	free(text);
	return (status);
}

/* The verdict recorded for a scan id (*verdict NULL if none). */
enum store_status
store_scan_find(const char *scan_id, json_t **verdict)
{
	static struct stmt q = STMT("SELECT verdict_json FROM scan"
	    " WHERE scan_id = ?1");
	sqlite3_stmt *s;
	int rc;

	*verdict = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, scan_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*verdict = json_loads((const char *)sqlite3_column_text(s, 0),
		    0, NULL);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* When this code was last scanned (not ignored) at the station; -1: never. */
enum store_status
store_scan_last_ms(const char *station, const char *code, long long *ms)
{
	static struct stmt q = STMT("SELECT max(c.made_ms) FROM scan c"
	    " JOIN station s ON s.id = c.station_id WHERE s.name = ?1"
	    " AND c.code = ?2 AND c.verdict != 'ignored'");
	sqlite3_stmt *s;
	int rc;

	*ms = -1;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			*ms = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Record a scan, who made it and its verdict (v: the verdict object,
 * borrowed).
 */
enum store_status
store_scan_add(const char *station, json_t *v, long long made_ms,
    const char *source, json_t *undo, const char *actor)
{
	static struct stmt q = STMT("INSERT INTO scan (scan_id, station_id,"
	    " code, mode, source, made_at, made_ms, recorded_at, provisional,"
	    " verdict, item, message, verdict_json, undo_json, actor) VALUES"
	    " (?1, (SELECT id FROM station WHERE name = ?2), ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
	sqlite3_stmt *s;
	char now[32], *text, *utext = NULL;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (undo != NULL)
		utext = json_dumps(undo, JSON_COMPACT | JSON_SORT_KEYS);
#define VS(k) json_string_value(json_object_get(v, (k)))
	sqlite3_bind_text(s, 1, VS("scan_id"), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, VS("code"), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, VS("mode"), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, VS("made_at"), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, made_ms);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 9, json_is_true(json_object_get(v,
	    "provisional")));
	sqlite3_bind_text(s, 10, VS("verdict"), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, VS("item"), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, VS("message"), -1, SQLITE_STATIC);
#undef VS
	sqlite3_bind_text(s, 13, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 14, utext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 15, actor, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	free(text);
	free(utext);
	return (status);
}

/*
 * The last accepted scan at a station not yet cancelled (nor a cancel
 * itself): its row id, code, item, how to undo it (null if it cannot be),
 * who made it (null before migration 26) and when (made_ms) (*row NULL if
 * none).
 */
enum store_status
store_scan_last_ok(const char *station, json_t **row)
{
	static struct stmt q = STMT("SELECT c.id, c.code, c.item,"
	    " c.undo_json, c.actor, c.made_ms FROM scan c JOIN station s ON s.id = c.station_id"
	    " WHERE s.name = ?1 AND c.verdict = 'ok' AND c.cancelled = 0"
	    " AND c.code != '" SCAN_CANCEL "' ORDER BY c.id DESC LIMIT 1");
	enum store_status status;
	json_t *rows;

	*row = NULL;
	if ((status = store_rows(&q, station, NULL, &rows)) !=
	    STORE_OK) {
		json_decref(rows);
		return (status);
	}
	if (json_array_size(rows) > 0)
		*row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return (STORE_OK);
}

enum store_status
store_scan_cancelled(long long id)
{
	static struct stmt q = STMT("UPDATE scan SET cancelled = 1"
	    " WHERE id = ?1");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Provisional scans (queued by a remote terminal) refused when replayed,
 * newest first: for the coordinator's alerts.
 */
enum store_status
store_scan_refused_provisional(json_t **out)
{
	static struct stmt q = STMT("SELECT c.scan_id, s.name AS station,"
	    " c.code, c.mode, c.made_at, c.recorded_at, c.item, c.message"
	    " FROM scan c JOIN station s ON s.id = c.station_id"
	    " WHERE c.provisional = 1 AND c.verdict = 'refused'"
	    " ORDER BY c.id DESC LIMIT 1000");

	return (store_rows(&q, NULL, NULL, out));
}

/* Open an audit of a location at a station. */
enum store_status
store_audit_open(const char *station, const char *location, const char *at,
    long long *id)
{
	static struct stmt q = STMT("INSERT INTO audit (station_id,"
	    " location_id, opened_at) VALUES ((SELECT id FROM station"
	    " WHERE name = ?1), (SELECT id FROM location WHERE tag = ?2), ?3)");
	static struct stmt qr = STMT("SELECT last_insert_rowid()");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	*id = status == STORE_OK ? store_station_number(&qr) : -1;
	return (status);
}

/* An item seen by an audit: 1 in *seen_before if it already was. */
enum store_status
store_audit_see(long long id, const char *item, const char *at,
    int *seen_before, long long *count)
{
	static struct stmt q = STMT("INSERT OR IGNORE INTO audit_seen"
	    " (audit_id, item, seen_at) VALUES (?1, ?2, ?3)");
	static struct stmt qn = STMT("SELECT changes()");
	static struct stmt qc = STMT("SELECT count(*) FROM audit_seen"
	    " WHERE audit_id = ?1");
	sqlite3_stmt *s;
	enum store_status status;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	*seen_before = store_station_number(&qn) == 0;
	if ((s = store_prepare(&qc)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	*count = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Cancel a sighting (the cancel command barcode). */
enum store_status
store_audit_unsee(long long id, const char *item)
{
	static struct stmt q = STMT("DELETE FROM audit_seen"
	    " WHERE audit_id = ?1 AND item = ?2");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Expected against seen at the end of an audit: "missing" (at the
 * location by the records, not seen), "wrong_place" (seen, recorded at
 * another location) and "unexpected" (seen, recorded here or nowhere but
 * in a state that is not on a shelf: handed over, lost...).
 */
enum store_status
store_audit_report(long long id, const char *location, json_t **out)
{
	static struct stmt qm = STMT("SELECT u.tag, u.state FROM ("
	    " SELECT tag, state, location_id FROM device UNION ALL"
	    " SELECT tag, state, location_id FROM sim) u"
	    " JOIN location l ON l.id = u.location_id WHERE l.tag = ?2"
	    " AND u.state IN ('received', 'in_stock', 'reserved', 'in_kit',"
	    " 'returned', 'in_repair') AND u.tag NOT IN (SELECT item FROM"
	    " audit_seen WHERE audit_id = CAST(?1 AS INTEGER)) ORDER BY u.tag");
	static struct stmt qs = STMT("SELECT a.item AS tag, u.state,"
	    " l.tag AS location FROM audit_seen a LEFT JOIN ("
	    " SELECT tag, state, location_id FROM device UNION ALL"
	    " SELECT tag, state, location_id FROM sim) u ON u.tag = a.item"
	    " LEFT JOIN location l ON l.id = u.location_id"
	    " WHERE a.audit_id = CAST(?1 AS INTEGER) AND ?2 IS NOT NULL"
	    " ORDER BY a.item");
	enum store_status status;
	json_t *missing, *seen, *row, *wrong, *unexpected;
	const char *where, *state;
	char idtext[32];
	size_t i;

	*out = NULL;
	snprintf(idtext, sizeof idtext, "%lld", id);
	if ((status = store_rows(&qm, idtext, location, &missing)) !=
	    STORE_OK) {
		json_decref(missing);
		return (status);
	}
	if ((status = store_rows(&qs, idtext, location, &seen)) !=
	    STORE_OK) {
		json_decref(missing);
		json_decref(seen);
		return (status);
	}
	wrong = json_array();
	unexpected = json_array();
	json_array_foreach(seen, i, row) {
		where = json_string_value(json_object_get(row, "location"));
		state = json_string_value(json_object_get(row, "state"));
		if (where != NULL && strcmp(where, location) != 0)
			json_array_append(wrong, row);
		else if (state == NULL || (strcmp(state, "received") != 0 &&
		    strcmp(state, "in_stock") != 0 &&
		    strcmp(state, "reserved") != 0 &&
		    strcmp(state, "in_kit") != 0 &&
		    strcmp(state, "returned") != 0 &&
		    strcmp(state, "in_repair") != 0))
			json_array_append(unexpected, row);
	}
	*out = json_pack("{ss sI so so so so}", "location", location, "seen",
	    (json_int_t)json_array_size(seen), "missing", missing,
	    "unexpected", unexpected, "wrong_place", wrong, "seen_items",
	    seen);
	return (STORE_OK);
}

/* Close an audit with its report. */
enum store_status
store_audit_close(long long id, const char *at, json_t *report)
{
	static struct stmt q = STMT("UPDATE audit SET closed_at = ?2,"
	    " report_json = ?3 WHERE id = ?1 AND closed_at IS NULL");
	sqlite3_stmt *s;
	char *text;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	text = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
	status = store_done(s, sqlite3_step(s));
	free(text);
	return (status);
}

/* The distribution a beneficiary is convoked to, other than event ("" none). */
enum store_status
store_station_convoked_elsewhere(const char *event, const char *beneficiary,
    char *other)
{
	static struct stmt q = STMT("SELECT e.tag FROM convocation v"
	    " JOIN distribution e ON e.id = v.distribution_id"
	    " JOIN beneficiary b ON b.id = v.beneficiary_id"
	    " WHERE b.tag = ?2 AND e.tag != ?1 AND v.outcome = 'convoked'"
	    " ORDER BY e.held_on DESC LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	other[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, beneficiary, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(other, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Savepoints: a scan's effect is tried inside one, and undone alone if it
 * is refused, the scan itself being recorded all the same.
 */
enum store_status
store_savepoint(int how)
{
	static struct stmt q[] = {
		STMT("SAVEPOINT scan_effect"),
		STMT("RELEASE scan_effect"),
		STMT("ROLLBACK TO scan_effect"),
	};
	sqlite3_stmt *s;

	if ((s = store_prepare(&q[how])) == NULL)
		return (STORE_ERROR);
	return (store_done(s, sqlite3_step(s)));
}

/* A number a statement gives (last_insert_rowid(), changes()). */
static long long
store_station_number(struct stmt *q)
{
	sqlite3_stmt *s;
	long long n = -1;
	int rc;

	if ((s = store_prepare(q)) == NULL)
		return (-1);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if (store_done(s, rc) != STORE_OK)
		return (-1);
	return (n);
}
