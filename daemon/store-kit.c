/*
 * Kits in the store: a kit's row and planned composition, the units picked
 * into it (one kit at a time per unit) and the accessories taken from the
 * stock of the location it is picked at, and what a beneficiary needs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/*
 * What a beneficiary's record says for an allocation: referral date and
 * the diagnostic's date and needs (null when there was no diagnostic).
 */
enum store_status
store_kit_needs(const char *beneficiary, json_t **out)
{
	static struct stmt q = STMT("SELECT b.tag, b.referred_on,"
	    " d.diagnosed_on, d.device_need, d.connection_need"
	    " FROM beneficiary b LEFT JOIN diagnostic d"
	    " ON d.beneficiary_id = b.id WHERE b.tag = ?1");
	enum store_status status;
	json_t *rows;

	*out = NULL;
	if ((status = store_rows(&q, beneficiary, NULL, &rows)) != STORE_OK) {
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

/* The beneficiary's kit in force (not cancelled, not returned), if any. */
enum store_status
store_kit_of(const char *beneficiary, char *kit, char *state, size_t len)
{
	static struct stmt q = STMT("SELECT k.tag, k.state FROM kit k"
	    " JOIN beneficiary b ON b.id = k.beneficiary_id WHERE b.tag = ?1"
	    " AND k.state NOT IN ('cancelled', 'returned') ORDER BY k.id DESC"
	    " LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	kit[0] = state[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, beneficiary, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(kit, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(state, len, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* A new kit, planned; its tag into tag. The ledger rows are the caller's. */
enum store_status
store_kit_add(const char *beneficiary, const char *location,
    int64_t contribution, const char *notes, const char *at, char *tag)
{
	static struct stmt q = STMT("INSERT INTO kit (id, tag,"
	    " beneficiary_id, location_id, contribution_cents, allocated_at,"
	    " notes, created_at) VALUES (?1, ?2, (SELECT id FROM beneficiary"
	    " WHERE tag = ?3), (SELECT id FROM location WHERE tag = ?4), ?5,"
	    " ?6, ?7, ?8)");
	sqlite3_stmt *s;
	char now[32];
	int64_t id;

	if ((id = store_next_id("kit")) <= 0)
		return (STORE_ERROR);
	if ((unsigned long)id > TAG_SEQ_MAX)
		return (STORE_FULL);
	tag_make(tag, 'K', id);
	store_now(now, sizeof now);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, beneficiary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, contribution);
	sqlite3_bind_text(s, 6, at != NULL ? at : now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, notes, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_TRANSIENT);
	return (store_done(s, sqlite3_step(s)));
}

/* One line of a kit's plan: a kind (or an accessory's tag) and a count. */
enum store_status
store_kit_plan_add(const char *kit, const char *kind, const char *accessory,
    long long count)
{
	static struct stmt q = STMT("INSERT INTO kit_plan (kit_id, kind,"
	    " accessory_id, count) VALUES ((SELECT id FROM kit WHERE tag = ?1),"
	    " ?2, (SELECT id FROM accessory WHERE tag = ?3), ?4)");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, accessory, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, count);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * A kit as its flows need it: tag, beneficiary, location, state,
 * contribution in cents, dates, and the hand-over in force (its id, date,
 * distribution, place, payment) if there is one.
 */
enum store_status
store_kit_get(const char *kit, json_t **out)
{
	static struct stmt q = STMT("SELECT k.tag, b.tag AS beneficiary,"
	    " l.tag AS location, k.state, k.contribution_cents AS contribution,"
	    " k.allocated_at, k.ready_at, h.id AS handover,"
	    " h.at AS handed_over_at, e.tag AS distribution, hp.tag AS place,"
	    " hp.name AS place_name, hc.name AS place_commune,"
	    " h.contribution_cents AS paid, h.payment FROM kit k"
	    " JOIN beneficiary b ON b.id = k.beneficiary_id"
	    " JOIN location l ON l.id = k.location_id LEFT JOIN handover h"
	    " ON h.kit_id = k.id AND h.cancelled_at IS NULL"
	    " LEFT JOIN distribution e ON e.id = h.distribution_id"
	    " LEFT JOIN location hp ON hp.id = h.place_id"
	    " LEFT JOIN commune hc ON hc.insee = hp.commune WHERE k.tag = ?1");
	enum store_status status;
	json_t *rows;

	*out = NULL;
	if ((status = store_rows(&q, kit, NULL, &rows)) != STORE_OK) {
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

/* Change a kit's state from -> to, with its ledger row. */
enum store_status
store_kit_state(const struct actor *a, const char *kit, const char *from,
    const char *to, const char *reason, json_t *details)
{
	static struct stmt q = STMT("UPDATE kit SET state = ?1,"
	    " ready_at = CASE WHEN ?1 = 'ready' THEN ?4 ELSE ready_at END,"
	    " closed_at = CASE WHEN ?1 IN ('cancelled', 'returned') THEN ?4"
	    " ELSE closed_at END, close_reason = CASE WHEN ?1 IN ('cancelled',"
	    " 'returned') THEN ?5 ELSE close_reason END"
	    " WHERE tag = ?2 AND state = ?3");
	sqlite3_stmt *s;
	char now[32];
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->at != NULL ? a->at : now, -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	if (status == STORE_OK && sqlite3_changes(sqlite3_db_handle(s)) != 1)
		status = STORE_CONFLICT;
	if (status != STORE_OK)
		return (status);
	return (store_ledger_add(a, kit, "state", from, to, reason, details));
}

/* Set a kit's agreed contribution (cents). */
enum store_status
store_kit_contribution(const char *kit, int64_t cents)
{
	static struct stmt q = STMT("UPDATE kit SET contribution_cents = ?2"
	    " WHERE tag = ?1");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cents);
	return (store_done(s, sqlite3_step(s)));
}

/* A kit's plan: [{"kind", "accessory", "name", "count"}]. */
enum store_status
store_kit_plan(const char *kit, json_t **out)
{
	static struct stmt q = STMT("SELECT p.kind, a.tag AS accessory,"
	    " a.name, p.count FROM kit_plan p JOIN kit k ON k.id = p.kit_id"
	    " LEFT JOIN accessory a ON a.id = p.accessory_id WHERE k.tag = ?1"
	    " ORDER BY CASE p.kind WHEN 'accessory' THEN 2 WHEN 'sim' THEN 1"
	    " ELSE 0 END, p.rowid");

	return (store_rows(&q, kit, NULL, out));
}

/*
 * The units in a kit now: [{"tag", "kind", "state", "location", brand,
 * model, serial, imei, operator, iccid, msisdn, plan_price_c (cents),
 * paid_until, warranty_until}], devices first.
 */
enum store_status
store_kit_units(const char *kit, json_t **out)
{
	static struct stmt q = STMT("SELECT coalesce(d.tag, m.tag) AS tag,"
	    " coalesce(d.kind, 'sim') AS kind, coalesce(d.state, m.state)"
	    " AS state, l.tag AS location, d.brand, d.model, d.serial,"
	    " (SELECT json_group_array(imei) FROM (SELECT imei FROM device_imei"
	    " i WHERE i.device_id = d.id ORDER BY slot)) AS imei_json,"
	    " d.warranty_until, d.user_data_since, m.operator, m.iccid,"
	    " m.msisdn, m.plan_price_cents AS plan_price_c, m.paid_until"
	    " FROM kit_unit u JOIN kit k ON k.id = u.kit_id"
	    " LEFT JOIN device d ON d.id = u.device_id"
	    " LEFT JOIN sim m ON m.id = u.sim_id"
	    " LEFT JOIN location l ON l.id = coalesce(d.location_id,"
	    " m.location_id) WHERE k.tag = ?1 AND u.removed_at IS NULL"
	    " ORDER BY u.sim_id IS NOT NULL, u.id");

	return (store_rows(&q, kit, NULL, out));
}

/* The accessories taken for a kit: [{"accessory", "name", "count"}]. */
enum store_status
store_kit_accessories(const char *kit, json_t **out)
{
	static struct stmt q = STMT("SELECT a.tag AS accessory, a.name,"
	    " x.count, l.tag AS location FROM kit_accessory x"
	    " JOIN kit k ON k.id = x.kit_id JOIN accessory a"
	    " ON a.id = x.accessory_id JOIN location l ON l.id = x.location_id"
	    " WHERE k.tag = ?1 ORDER BY a.id");

	return (store_rows(&q, kit, NULL, out));
}

/*
 * The kit a unit is in now (its tag into kit, "" if none) and that kit's
 * beneficiary.
 */
enum store_status
store_kit_holder(const char *unit, char *kit, char *beneficiary)
{
	static struct stmt q = STMT("SELECT k.tag, b.tag FROM kit_unit u"
	    " JOIN kit k ON k.id = u.kit_id"
	    " JOIN beneficiary b ON b.id = k.beneficiary_id"
	    " LEFT JOIN device d ON d.id = u.device_id"
	    " LEFT JOIN sim m ON m.id = u.sim_id WHERE u.removed_at IS NULL"
	    " AND (d.tag = ?1 OR m.tag = ?1)");
	sqlite3_stmt *s;
	int rc;

	kit[0] = beneficiary[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, unit, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(kit, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(beneficiary, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Put a unit (device or SIM card, by tag) into a kit. */
enum store_status
store_kit_unit_add(const char *kit, const char *unit, const char *at)
{
	static struct stmt q = STMT("INSERT INTO kit_unit (kit_id, device_id,"
	    " sim_id, added_at) VALUES ((SELECT id FROM kit WHERE tag = ?1),"
	    " (SELECT id FROM device WHERE tag = ?2),"
	    " (SELECT id FROM sim WHERE tag = ?2), ?3)");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, at != NULL ? at : now, -1, SQLITE_TRANSIENT);
	return (store_done(s, sqlite3_step(s)));
}

/* Take a unit out of the kit it is in (kept, marked removed, with why). */
enum store_status
store_kit_unit_remove(const char *unit, const char *at, const char *why)
{
	static struct stmt q = STMT("UPDATE kit_unit SET removed_at = ?2,"
	    " removed_why = ?3 WHERE removed_at IS NULL AND (device_id ="
	    " (SELECT id FROM device WHERE tag = ?1) OR sim_id ="
	    " (SELECT id FROM sim WHERE tag = ?1))");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, at != NULL ? at : now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Set how many of an accessory a kit holds, taken from a location (0:
 * none any more).
 */
enum store_status
store_kit_accessory_set(const char *kit, const char *accessory,
    const char *location, long long count)
{
	static struct stmt qd = STMT("DELETE FROM kit_accessory"
	    " WHERE kit_id = (SELECT id FROM kit WHERE tag = ?1)"
	    " AND accessory_id = (SELECT id FROM accessory WHERE tag = ?2)");
	static struct stmt qi = STMT("INSERT INTO kit_accessory (kit_id,"
	    " accessory_id, location_id, count) VALUES ((SELECT id FROM kit"
	    " WHERE tag = ?1), (SELECT id FROM accessory WHERE tag = ?2),"
	    " (SELECT id FROM location WHERE tag = ?3), ?4)");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&qd)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, accessory, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK ||
	    count == 0)
		return (status);
	if ((s = store_prepare(&qi)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, accessory, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, count);
	return (store_done(s, sqlite3_step(s)));
}

/* A location's kind ("" if the location does not exist). */
enum store_status
store_location_kind(const char *location, char *kind, size_t len)
{
	static struct stmt q = STMT("SELECT kind FROM location WHERE tag = ?1");
	sqlite3_stmt *s;
	int rc;

	kind[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, location, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(kind, len, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* A programme setting from the profile (allocated; NULL if not set). */
enum store_status
store_programme_value(const char *key, char **value)
{
	static struct stmt q = STMT("SELECT value FROM programme"
	    " WHERE key = ?1");
	sqlite3_stmt *s;
	int rc;

	*value = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}
