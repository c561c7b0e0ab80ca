/*
 * Units with a state (devices, SIM cards): IMEIs, state changes and moves,
 * SIM secrets, counted accessories, and the stock report.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* Replace a device's IMEIs (slot 1 and 2) with those of array a. */
enum store_status
store_device_imeis(int64_t id, json_t *a)
{
	static struct stmt qd = STMT("DELETE FROM device_imei"
	    " WHERE device_id = ?1");
	static struct stmt qi = STMT("INSERT INTO device_imei (imei,"
	    " device_id, slot) VALUES (?1, ?2, ?3)");
	sqlite3_stmt *s;
	enum store_status status;
	size_t i;
	json_t *v;

	if ((s = store_prepare(&qd)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	if (!json_is_array(a))
		return (STORE_OK);
	json_array_foreach(a, i, v) {
		if ((s = store_prepare(&qi)) == NULL)
			return (STORE_ERROR);
		sqlite3_bind_text(s, 1, json_string_value(v), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int(s, 3, (int)i + 1);
		if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
			return (status);
	}
	return (STORE_OK);
}

/* A device with no cost of its own costs its lot's unit cost. */
enum store_status
store_device_cost_from_lot(const char *tag)
{
	static struct stmt q = STMT("UPDATE device SET cost_cents ="
	    " (SELECT unit_cost_cents FROM lot WHERE lot.id = device.lot_id)"
	    " WHERE tag = ?1 AND cost_cents IS NULL");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* Who already holds this IMEI, if anyone (tag into holder). */
enum store_status
store_device_imei_holder(const char *imei, char *holder)
{
	static struct stmt q = STMT("SELECT d.tag FROM device_imei i"
	    " JOIN device d ON d.id = i.device_id WHERE i.imei = ?1");
	sqlite3_stmt *s;
	int rc;

	holder[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, imei, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(holder, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Who already has this serial for this brand (tag into holder). */
enum store_status
store_device_serial_holder(const char *brand, const char *serial,
    char *holder)
{
	static struct stmt q = STMT("SELECT tag FROM device"
	    " WHERE brand = ?1 AND serial = ?2");
	sqlite3_stmt *s;
	int rc;

	holder[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, brand != NULL ? brand : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(holder, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * A unit's state, location tag ("" if none) and whether its data erasure
 * is recorded (devices).
 */
enum store_status
store_unit_get(const struct resource *res, const char *tag, char *state,
    size_t slen, char *location, int *erased)
{
	sqlite3_stmt *s;
	char *sql;
	int rc;

	xasprintf(&sql, "SELECT u.state, l.tag, %s FROM %s u LEFT JOIN"
	    " location l ON l.id = u.location_id WHERE u.tag = ?1",
	    res->letter == 'D' ? "u.data_erased_at IS NOT NULL AND"
	    " u.user_data_since IS NULL" : "0", res->table);
	s = store_prepare_named(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_done(s, rc);
		return (rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR);
	}
	snprintf(state, slen, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(location, TAG_LEN + 1, "%s", sqlite3_column_type(s, 1) ==
	    SQLITE_NULL ? "" : (const char *)sqlite3_column_text(s, 1));
	if (erased != NULL)
		*erased = sqlite3_column_int(s, 2);
	return (store_done(s, SQLITE_DONE));
}

/* Change a unit's state from -> to, with its ledger row. */
enum store_status
store_unit_state(const struct resource *res, const struct actor *a,
    const char *tag, const char *from, const char *to, const char *reason,
    json_t *details)
{
	sqlite3_stmt *s;
	char *sql;
	enum store_status status;

	xasprintf(&sql, "UPDATE %s SET state = ?1 WHERE tag = ?2 AND"
	    " state = ?3", res->table);
	s = store_prepare_named(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, from, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, tag, "state", from, to, reason, details));
}

/*
 * Record that a device's data was erased (before it goes back to stock):
 * it holds no user's data any more. details (method, by whom; may be
 * NULL) go in the ledger row.
 */
enum store_status
store_device_erased(const struct actor *a, const char *tag, json_t *details)
{
	static struct stmt q = STMT("UPDATE device SET data_erased_at ="
	    " coalesce(?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	    " user_data_since = NULL WHERE tag = ?2");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, tag, "data_erased", NULL, NULL, NULL,
	    details));
}

/* Move a unit to a location, with its ledger row. */
enum store_status
store_unit_move(const struct resource *res, const struct actor *a,
    const char *tag, const char *from, const char *to, const char *reason)
{
	sqlite3_stmt *s;
	char *sql;
	enum store_status status;

	xasprintf(&sql, "UPDATE %s SET location_id = (SELECT id FROM location"
	    " WHERE tag = ?1) WHERE tag = ?2", res->table);
	s = store_prepare_named(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, tag, "move", from[0] != '\0' ? from : NULL,
	    to, reason, NULL));
}

/* Set a SIM's PIN and PUK (kept apart; never in the ledger). */
enum store_status
store_sim_secret_set(const char *tag, const char *pin, const char *puk)
{
	static struct stmt q = STMT("INSERT INTO sim_secret (sim_id, pin, puk)"
	    " SELECT id, ?2, ?3 FROM sim WHERE tag = ?1 ON CONFLICT (sim_id)"
	    " DO UPDATE SET pin = coalesce(?2, pin), puk = coalesce(?3, puk)");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, puk, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* A SIM's PIN and PUK, as {"pin", "puk"}. */
enum store_status
store_sim_secret_get(const char *tag, json_t **out)
{
	static struct stmt q = STMT("SELECT m.tag, k.pin, k.puk FROM sim m"
	    " LEFT JOIN sim_secret k ON k.sim_id = m.id WHERE m.tag = ?1");
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}

/* An accessory kind by name: its tag, or STORE_NOTFOUND. */
enum store_status
store_accessory_find(const char *name, char *tag)
{
	static struct stmt q = STMT("SELECT tag FROM accessory"
	    " WHERE name = ?1");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(tag, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		return (store_done(s, SQLITE_DONE));
	}
	store_done(s, rc);
	return (rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR);
}

/* How many of an accessory are at a location. */
enum store_status
store_accessory_count(const char *tag, const char *location, long long *n)
{
	static struct stmt q = STMT("SELECT coalesce((SELECT k.count FROM"
	    " accessory_stock k JOIN accessory a ON a.id = k.accessory_id"
	    " JOIN location l ON l.id = k.location_id WHERE a.tag = ?1"
	    " AND l.tag = ?2), 0)");
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Set the count of an accessory at a location. */
enum store_status
store_accessory_set(const char *tag, const char *location, long long n)
{
	static struct stmt q = STMT("INSERT INTO accessory_stock"
	    " (accessory_id, location_id, count) SELECT a.id, l.id, ?3"
	    " FROM accessory a, location l WHERE a.tag = ?1 AND l.tag = ?2"
	    " ON CONFLICT (accessory_id, location_id) DO UPDATE"
	    " SET count = ?3");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, n);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Stock grouped by the given columns (checked by the caller against the
 * stock_item view), with optional equality filters.
 */
enum store_status
store_stock(json_t *by, json_t *filters, json_t **out)
{
	sqlite3_stmt *s;
	FILE *q;
	char *sql;
	size_t len, i;
	const char *key;
	json_t *v, *rows;
	long long total = 0;
	int n, rc;

	if ((q = open_memstream(&sql, &len)) == NULL)
		fatal("open_memstream");
	fprintf(q, "SELECT ");
	json_array_foreach(by, i, v)
		fprintf(q, "%s, ", json_string_value(v));
	fprintf(q, "sum(qty) AS count FROM stock_item WHERE 1");
	n = 1;
	json_object_foreach(filters, key, v)
		fprintf(q, " AND %s = ?%d", key, n++);
	if (json_array_size(by) > 0) {
		fprintf(q, " GROUP BY ");
		json_array_foreach(by, i, v)
			fprintf(q, "%s%s", i == 0 ? "" : ", ",
			    json_string_value(v));
		fprintf(q, " ORDER BY ");
		json_array_foreach(by, i, v)
			fprintf(q, "%s%s", i == 0 ? "" : ", ",
			    json_string_value(v));
	}
	fclose(q);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	n = 1;
	json_object_foreach(filters, key, v)
		sqlite3_bind_text(s, n++, json_string_value(v), -1,
		    SQLITE_STATIC);
	rows = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, sqlite3_column_count(s) - 1) ==
		    SQLITE_NULL)
			continue;
		v = store_row_json(s);
		total += json_integer_value(json_object_get(v, "count"));
		json_array_append_new(rows, v);
	}
	*out = json_pack("{sO so sI}", "by", by, "rows", rows, "total",
	    (json_int_t)total);
	return (store_finish(s, rc));
}

/*
 * The stock counts (stock_count, kept by triggers) against a fresh count
 * of the devices and SIM cards: the rows that differ, empty if none.
 */
enum store_status
store_check_stock(json_t **out)
{
	static struct stmt q = STMT(
	    "WITH fresh AS (SELECT kind, state, coalesce(location_id, 0) AS l,"
	    " coalesce(lot_id, 0) AS r, coalesce(grade, '') AS g, count(*) AS n"
	    " FROM device GROUP BY 1, 2, 3, 4, 5 UNION ALL SELECT 'sim', state,"
	    " coalesce(location_id, 0), coalesce(lot_id, 0), '', count(*)"
	    " FROM sim GROUP BY 2, 3, 4),"
	    " both_ AS (SELECT kind, state, l, r, g, n AS counted, 0 AS kept"
	    " FROM fresh UNION ALL SELECT kind, state, location_id, lot_id,"
	    " grade, 0, qty FROM stock_count)"
	    " SELECT b.kind, b.state, lc.tag AS location, lt.tag AS lot,"
	    " nullif(b.g, '') AS grade, sum(b.counted) AS counted,"
	    " sum(b.kept) AS kept FROM both_ b"
	    " LEFT JOIN location lc ON lc.id = b.l LEFT JOIN lot lt ON lt.id = b.r"
	    " GROUP BY b.kind, b.state, b.l, b.r, b.g"
	    " HAVING sum(b.counted) <> sum(b.kept)");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}
