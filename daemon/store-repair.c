/*
 * Repair tickets in the store: a device a beneficiary brought back, the
 * partner repairing it, whether it is under warranty, and how it ended;
 * and whether a device still holds its last user's data.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* The open ticket of a device, if any (its number into id, "" if none). */
enum store_status
store_repair_open_of(const char *device, char *id, size_t len)
{
	static struct stmt q = STMT("SELECT r.id FROM repair r"
	    " JOIN device d ON d.id = r.device_id WHERE d.tag = ?1"
	    " AND r.closed_at IS NULL");
	sqlite3_stmt *s;
	int rc;

	id[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(id, len, "%lld",
		    (long long)sqlite3_column_int64(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Open a ticket: under warranty if the device's warranty runs on the day
 * it is opened. Its number into *id.
 */
enum store_status
store_repair_add(const char *device, const char *kit,
    const char *beneficiary, const char *partner, const char *reason,
    const char *at, int64_t *id)
{
	static struct stmt q = STMT("INSERT INTO repair (device_id, kit_id,"
	    " beneficiary_id, partner_id, reason, under_warranty, opened_at)"
	    " SELECT d.id, k.id, b.id, l.id, ?5, coalesce(d.warranty_until >="
	    " date(?6), 0), ?6 FROM device d, kit k, beneficiary b, location l"
	    " WHERE d.tag = ?1 AND k.tag = ?2 AND b.tag = ?3 AND l.tag = ?4");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, beneficiary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, partner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, at, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return (store_done(s, rc));
}

/* One ticket as the API shows it. */
enum store_status
store_repair_get(int64_t id, json_t **out)
{
	static struct stmt q = STMT("SELECT * FROM repair_v WHERE id = ?1");
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}

/*
 * Tickets, open or closed, of a partner, a beneficiary or a device (each
 * NULL for any), after the ticket "after" (0: from the first), at most
 * limit: {"items", "next": the last ticket's number if more follow, or
 * null}. The tickets are picked on the repair table alone, by the index of
 * the filter given (or in number order), then read through repair_v.
 */
enum store_status
store_repairs(const char *state, const char *partner,
    const char *beneficiary, const char *device, long long after,
    long long limit, json_t **out)
{
	char sql[1024];
	sqlite3_stmt *s;
	enum store_status status;
	int rc;

	*out = NULL;
	snprintf(sql, sizeof sql, "SELECT * FROM repair_v WHERE id IN"
	    " (SELECT r.id FROM repair r WHERE r.id > ?5%s%s%s%s"
	    " ORDER BY r.id LIMIT ?6) ORDER BY id",
	    state == NULL ? "" : strcmp(state, "open") == 0 ?
	    " AND r.closed_at IS NULL" : " AND r.closed_at IS NOT NULL",
	    partner == NULL ? "" : " AND r.partner_id ="
	    " (SELECT id FROM location WHERE tag = ?2)",
	    beneficiary == NULL ? "" : " AND r.beneficiary_id ="
	    " (SELECT id FROM beneficiary WHERE tag = ?3)",
	    device == NULL ? "" : " AND r.device_id ="
	    " (SELECT id FROM device WHERE tag = ?4)");
	if ((s = store_prepare_named(sql)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 2, partner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, beneficiary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, after);
	sqlite3_bind_int64(s, 6, limit + 1);	/* one more: is there a next */
	rc = store_page(s, limit, out);
	if ((status = store_done(s, rc)) != STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return (status);
}

/* Close a ticket with its outcome (and the replacement of a swap). */
enum store_status
store_repair_close(int64_t id, const char *at, const char *outcome,
    const char *replacement, const char *notes)
{
	static struct stmt q = STMT("UPDATE repair SET closed_at = ?2,"
	    " outcome = ?3, replacement_id = (SELECT id FROM device"
	    " WHERE tag = ?4), notes = coalesce(?5, notes)"
	    " WHERE id = ?1 AND closed_at IS NULL");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, replacement, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, notes, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Since when a device holds a user's data not yet erased (into since,
 * "" if it holds none).
 */
enum store_status
store_device_holds_data(const char *device, char *since, size_t len)
{
	static struct stmt q = STMT("SELECT user_data_since FROM device"
	    " WHERE tag = ?1 AND user_data_since IS NOT NULL");
	sqlite3_stmt *s;
	int rc;

	since[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(since, len, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}
