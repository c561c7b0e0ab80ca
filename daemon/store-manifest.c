/*
 * Delivery manifests in the store: a lot's expected units as imported,
 * their receiving, the lot's account (received, missing, extra,
 * duplicate, mismatched). Pre-printed tags are reserved and bound by
 * store-label.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

static void store_manifest_text(sqlite3_stmt *, int, const char *);

/* A lot's row id and its supplier's tag. */
enum store_status
store_lot_find(const char *tag, int64_t *id, char *supplier)
{
	static struct stmt q = STMT("SELECT l.id, s.tag FROM lot l"
	    " JOIN supplier s ON s.id = l.supplier_id WHERE l.tag = ?1");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		snprintf(supplier, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* The tag of a supplier's lot with this delivery-note reference, or "". */
enum store_status
store_lot_by_ref(const char *supplier, const char *ref, char *tag)
{
	static struct stmt q = STMT("SELECT l.tag FROM lot l"
	    " JOIN supplier s ON s.id = l.supplier_id"
	    " WHERE s.tag = ?1 AND l.ref = ?2");
	sqlite3_stmt *s;
	int rc;

	tag[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, supplier, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(tag, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* The number the next file imported into a lot takes (1 for the first). */
enum store_status
store_manifest_next_import(int64_t lot, int *n)
{
	static struct stmt q = STMT("SELECT coalesce(max(import_no), 0) + 1"
	    " FROM expected_unit WHERE lot_id = ?1");
	sqlite3_stmt *s;
	int rc;

	*n = 1;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int(s, 0);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Does an earlier import already expect this serial, IMEI or ICCID in the
 * lot? *line is its first line, or 0. The code's indexes lead ("+lot_id":
 * not the lot's, which would read every line of a large lot for each).
 */
enum store_status
store_manifest_in_lot(int64_t lot, const char *code, size_t *line)
{
	static struct stmt q = STMT("SELECT line FROM expected_unit"
	    " WHERE +lot_id = ?1 AND status != 'duplicate' AND (serial = ?2"
	    " OR imei1 = ?2 OR imei2 = ?2 OR iccid = ?2)"
	    " ORDER BY import_no, line LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	*line = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*line = (size_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Bind a string, or NULL for an empty one. */
static void
store_manifest_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* One line of a manifest as an expected unit (or a duplicate). */
enum store_status
store_manifest_add(int64_t lot, int import_no, const struct csv_unit *u,
    const char *notes, const char *status, const char *duplicate)
{
	static struct stmt q = STMT("INSERT INTO expected_unit (lot_id,"
	    " import_no, line, kind, brand, model, serial, imei1, imei2,"
	    " iccid, operator, cpu, ram_gb, storage_gb, screen_in, os, grade,"
	    " cost_cents, warranty_until, erasure_cert, notes_json, status,"
	    " duplicate_json, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	    " ?21, ?22, ?23, ?24)");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, lot);
	sqlite3_bind_int(s, 2, import_no);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)u->line);
	sqlite3_bind_text(s, 4, u->kind, -1, SQLITE_STATIC);
	store_manifest_text(s, 5, u->brand);
	store_manifest_text(s, 6, u->model);
	store_manifest_text(s, 7, u->serial);
	store_manifest_text(s, 8, u->nimei > 0 ? u->imei[0] : NULL);
	store_manifest_text(s, 9, u->nimei > 1 ? u->imei[1] : NULL);
	store_manifest_text(s, 10, u->iccid);
	store_manifest_text(s, 11, u->operator);
	store_manifest_text(s, 12, u->cpu);
	if (u->ram_gb >= 0)
		sqlite3_bind_int64(s, 13, u->ram_gb);
	if (u->storage_gb >= 0)
		sqlite3_bind_int64(s, 14, u->storage_gb);
	if (u->screen_in > 0)
		sqlite3_bind_double(s, 15, u->screen_in);
	store_manifest_text(s, 16, u->os);
	store_manifest_text(s, 17, u->grade);
	if (u->cost_cents >= 0)
		sqlite3_bind_int64(s, 18, u->cost_cents);
	store_manifest_text(s, 19, u->warranty);
	store_manifest_text(s, 20, u->erasure);
	store_manifest_text(s, 21, notes);
	sqlite3_bind_text(s, 22, status, -1, SQLITE_STATIC);
	store_manifest_text(s, 23, duplicate);
	sqlite3_bind_text(s, 24, now, -1, SQLITE_TRANSIENT);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * The lot's expected units (not the duplicates) this serial, IMEI or
 * ICCID designates (found by the code's indexes, as above), as an array
 * of objects named like the device and SIM fields (cost in euros), with
 * id, import_no, line, status and item_tag.
 */
enum store_status
store_manifest_find(int64_t lot, const char *code, json_t **out)
{
	static struct stmt q = STMT("SELECT id, import_no, line, kind, brand,"
	    " model, serial, CASE WHEN imei2 IS NOT NULL THEN"
	    " json_array(imei1, imei2) WHEN imei1 IS NOT NULL THEN"
	    " json_array(imei1) END AS imei_json, iccid, operator, cpu, ram_gb,"
	    " storage_gb, screen_in, os, grade, cost_cents, warranty_until,"
	    " erasure_cert, status, item_tag FROM expected_unit"
	    " WHERE +lot_id = ?1 AND status != 'duplicate' AND (serial = ?2"
	    " OR imei1 = ?2 OR imei2 = ?2 OR iccid = ?2)"
	    " ORDER BY import_no, line LIMIT 20");
	sqlite3_stmt *s;
	int rc;

	*out = json_array();
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* Another lot whose manifest expects this code (its tag), or "". */
enum store_status
store_manifest_elsewhere(int64_t lot, const char *code, char *tag)
{
	static struct stmt q = STMT("SELECT l.tag FROM expected_unit e"
	    " JOIN lot l ON l.id = e.lot_id WHERE e.lot_id != ?1"
	    " AND e.status = 'expected' AND (e.serial = ?2 OR e.imei1 = ?2"
	    " OR e.imei2 = ?2 OR e.iccid = ?2) ORDER BY l.id LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	tag[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(tag, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* An expected unit is received as the item tag (once: else CONFLICT). */
enum store_status
store_manifest_received(int64_t id, const char *tag)
{
	static struct stmt q = STMT("UPDATE expected_unit SET"
	    " status = 'received', item_tag = ?2, received_at = ?3"
	    " WHERE id = ?1 AND status = 'expected' RETURNING id");
	sqlite3_stmt *s;
	char now[32];
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_CONFLICT);
	}
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	return (store_done(s, rc));
}

/* Who already has this ICCID, if anyone (tag into holder). */
enum store_status
store_sim_iccid_holder(const char *iccid, char *holder)
{
	static struct stmt q = STMT("SELECT tag FROM sim WHERE iccid = ?1");
	sqlite3_stmt *s;
	int rc;

	holder[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, iccid, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(holder, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * What a lot's account is made of: *lines, every line of its manifests
 * with the kind, model and grade of the unit received for it; *extras,
 * the units of the lot that no line expects.
 */
enum store_status
store_manifest_reconcile(int64_t lot, json_t **lines, json_t **extras)
{
	static struct stmt ql = STMT("SELECT e.import_no, e.line, e.kind,"
	    " e.brand, e.model, e.serial, CASE WHEN e.imei2 IS NOT NULL THEN"
	    " json_array(e.imei1, e.imei2) WHEN e.imei1 IS NOT NULL THEN"
	    " json_array(e.imei1) END AS imei_json, e.iccid, e.operator,"
	    " e.grade, e.cost_cents, e.status, e.duplicate_json,"
	    " e.item_tag AS tag, coalesce(d.kind, CASE WHEN m.id IS NOT NULL"
	    " THEN 'sim' END) AS found_kind, d.model AS found_model,"
	    " d.grade AS found_grade, e.received_at FROM expected_unit e"
	    " LEFT JOIN device d ON d.tag = e.item_tag"
	    " LEFT JOIN sim m ON m.tag = e.item_tag"
	    " WHERE e.lot_id = ?1 ORDER BY e.import_no, e.line");
	static struct stmt qx = STMT("SELECT d.tag, d.kind, d.brand, d.model,"
	    " d.serial, (SELECT json_group_array(imei) FROM (SELECT imei FROM"
	    " device_imei i WHERE i.device_id = d.id ORDER BY slot))"
	    " AS imei_json, NULL AS iccid, NULL AS operator, d.grade,"
	    " d.cost_cents, d.state, d.created_at FROM device d"
	    " WHERE d.lot_id = ?1 AND NOT EXISTS (SELECT 1 FROM expected_unit e"
	    " WHERE e.item_tag = d.tag)"
	    " UNION ALL SELECT m.tag, 'sim', NULL, NULL, NULL, NULL, m.iccid,"
	    " m.operator, NULL, NULL, m.state, m.created_at FROM sim m"
	    " WHERE m.lot_id = ?1 AND NOT EXISTS (SELECT 1 FROM expected_unit e"
	    " WHERE e.item_tag = m.tag) ORDER BY 1");
	sqlite3_stmt *s;
	enum store_status status;
	json_t *row;
	int rc;

	*lines = json_array();
	*extras = json_array();
	if ((s = store_prepare(&ql)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*lines, store_row_json(s));
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if ((s = store_prepare(&qx)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, lot);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = store_row_json(s);
		if (json_is_null(json_object_get(row, "imei")) == 0 &&
		    json_array_size(json_object_get(row, "imei")) == 0)
			json_object_set_new(row, "imei", json_null());
		json_array_append_new(*extras, row);
	}
	return (store_done(s, rc));
}
