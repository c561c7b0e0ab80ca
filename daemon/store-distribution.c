/*
 * Distribution events in the store: convocations, checkouts (hand-overs)
 * and their cancellation, the closing count, and the SIM cards' paid
 * periods (activation at the hand-over, then top-ups) with the coverage
 * they give each connected beneficiary.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/*
 * A top-up's beneficiary and their territory, from its hand-over (?2), as
 * they are kept on each top-up for its lists (migration 22).
 */
#define TOPUP_SCOPE							\
	" (SELECT beneficiary_id FROM handover WHERE id = ?2),"		\
	" (SELECT b.territory FROM handover h JOIN beneficiary b"	\
	" ON b.id = h.beneficiary_id WHERE h.id = ?2)"

static enum store_status store_distribution_run(struct stmt *,
	    const char *, const char *, const char *);
static enum store_status store_distribution_page(const char *,
	    long long, long long, const char *, const char *, long long,
	    json_t **);

/* Run a statement with up to three text parameters. */
static enum store_status
store_distribution_run(struct stmt *q, const char *p1, const char *p2,
    const char *p3)
{
	sqlite3_stmt *s;

	if ((s = store_prepare(q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p3, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* Convoke a beneficiary to an event (STORE_EXISTS if already). */
enum store_status
store_convocation_add(const char *event, const char *beneficiary,
    const char *at)
{
	static struct stmt q = STMT("INSERT INTO convocation"
	    " (distribution_id, beneficiary_id, convoked_at) VALUES"
	    " ((SELECT id FROM distribution WHERE tag = ?1),"
	    " (SELECT id FROM beneficiary WHERE tag = ?2), ?3)");
	char now[32];

	store_now(now, sizeof now);
	return (store_distribution_run(&q, event, beneficiary,
	    at != NULL ? at : now));
}

/* A beneficiary's convocation to an event: its outcome, "" if none. */
enum store_status
store_convocation_get(const char *event, const char *beneficiary,
    char *outcome, size_t len)
{
	static struct stmt q = STMT("SELECT v.outcome FROM convocation v"
	    " JOIN distribution e ON e.id = v.distribution_id"
	    " JOIN beneficiary b ON b.id = v.beneficiary_id"
	    " WHERE e.tag = ?1 AND b.tag = ?2");
	sqlite3_stmt *s;
	int rc;

	outcome[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, beneficiary, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(outcome, len, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Set the outcome of a convocation. */
enum store_status
store_convocation_outcome(const char *event, const char *beneficiary,
    const char *outcome)
{
	static struct stmt q = STMT("UPDATE convocation SET outcome = ?3"
	    " WHERE distribution_id = (SELECT id FROM distribution"
	    " WHERE tag = ?1) AND beneficiary_id = (SELECT id FROM beneficiary"
	    " WHERE tag = ?2)");

	return (store_distribution_run(&q, event, beneficiary, outcome));
}

/*
 * Who is convoked to an event, as the distribution team sees them: their
 * tag, first name and the initial of their last name (nothing else of
 * their identity), their kit in force and its state, the outcome.
 */
enum store_status
store_convocations(const char *event, json_t **out)
{
	static struct stmt q = STMT("SELECT b.tag AS beneficiary,"
	    " i.first_name, upper(substr(i.last_name, 1, 1)) AS initial,"
	    " (SELECT k.tag FROM kit k WHERE k.beneficiary_id = b.id"
	    " AND k.state NOT IN ('cancelled', 'returned') ORDER BY k.id DESC"
	    " LIMIT 1) AS kit, (SELECT k.state FROM kit k"
	    " WHERE k.beneficiary_id = b.id AND k.state NOT IN ('cancelled',"
	    " 'returned') ORDER BY k.id DESC LIMIT 1) AS kit_state,"
	    " v.outcome, v.convoked_at FROM convocation v"
	    " JOIN distribution e ON e.id = v.distribution_id"
	    " JOIN beneficiary b ON b.id = v.beneficiary_id"
	    " LEFT JOIN beneficiary_identity i ON i.beneficiary_id = b.id"
	    " WHERE e.tag = ?1 ORDER BY i.first_name IS NULL, i.first_name,"
	    " b.id");

	return (store_rows(&q, event, NULL, out));
}

/* A beneficiary's identity for a receipt they sign (null if erased). */
enum store_status
store_distribution_identity(const char *beneficiary, json_t **out)
{
	static struct stmt q = STMT("SELECT i.first_name, i.last_name"
	    " FROM beneficiary b LEFT JOIN beneficiary_identity i"
	    " ON i.beneficiary_id = b.id WHERE b.tag = ?1");
	enum store_status status;
	json_t *rows;

	*out = NULL;
	if ((status = store_rows(&q, beneficiary, NULL, &rows)) !=
	    STORE_OK) {
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

/* Record a checkout; its id into *id. */
enum store_status
store_handover_add(const struct actor *a, const char *kit,
    const char *beneficiary, const char *event, const char *at,
    int64_t contribution, const char *payment, const char *override,
    int64_t *id)
{
	static struct stmt q = STMT("INSERT INTO handover (kit_id,"
	    " beneficiary_id, distribution_id, place_id, at,"
	    " contribution_cents, payment, override_reason, actor, recorded_at)"
	    " SELECT k.id, b.id, e.id, e.place_id, ?4, ?5, ?6, ?7, ?8, ?9"
	    " FROM kit k, beneficiary b, distribution e WHERE k.tag = ?1"
	    " AND b.tag = ?2 AND e.tag = ?3");
	sqlite3_stmt *s;
	char now[32];
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, kit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, beneficiary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, contribution);
	sqlite3_bind_text(s, 6, payment, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, override, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return (store_done(s, rc));
}

/* Mark a checkout cancelled (it stays, for the record). */
enum store_status
store_handover_cancel(int64_t id, const char *at, const char *reason)
{
	static struct stmt q = STMT("UPDATE handover SET cancelled_at = ?2,"
	    " cancel_reason = ?3 WHERE id = ?1 AND cancelled_at IS NULL");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* Since when a device holds its user's data (NULL: it holds none). */
enum store_status
store_device_user_data(const char *device, const char *since)
{
	static struct stmt q = STMT("UPDATE device SET user_data_since = ?2"
	    " WHERE tag = ?1");

	return (store_distribution_run(&q, device, since, NULL));
}

/*
 * Activate a SIM card's plan at a hand-over: paid for months from the
 * hand-over's day, amount in cents; the new paid-until into until.
 */
enum store_status
store_sim_activate(const struct actor *a, const char *sim, int64_t handover,
    const char *day, long long months, int64_t amount, char *until,
    size_t len)
{
	static struct stmt qi = STMT("INSERT INTO topup (sim_id, handover_id,"
	    " kind, on_date, amount_cents, previous_until, paid_until, actor,"
	    " recorded_at, beneficiary_id, territory) SELECT m.id, ?2,"
	    " 'activation', ?3, ?5, m.paid_until,"
	    " date(?3, '+' || ?4 || ' months'), ?6, ?7," TOPUP_SCOPE
	    " FROM sim m WHERE m.tag = ?1 RETURNING paid_until");
	static struct stmt qu = STMT("UPDATE sim SET paid_until = ?2"
	    " WHERE tag = ?1");
	sqlite3_stmt *s;
	char now[32];
	enum store_status status;
	int rc;

	until[0] = '\0';
	if ((s = store_prepare(&qi)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, sim, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, handover);
	sqlite3_bind_text(s, 3, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, months);
	sqlite3_bind_int64(s, 5, amount);
	sqlite3_bind_text(s, 6, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(until, len, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	return (store_distribution_run(&qu, sim, until, NULL));
}

/*
 * Undo the activations of a cancelled checkout: each SIM card's paid-until
 * goes back to what it was.
 */
enum store_status
store_sim_deactivate(int64_t handover, const char *at)
{
	static struct stmt qu = STMT("UPDATE sim SET paid_until ="
	    " (SELECT t.previous_until FROM topup t WHERE t.sim_id = sim.id"
	    " AND t.handover_id = ?1 AND t.kind = 'activation'"
	    " AND t.cancelled_at IS NULL) WHERE id IN (SELECT sim_id FROM topup"
	    " WHERE handover_id = ?1 AND kind = 'activation'"
	    " AND cancelled_at IS NULL)");
	static struct stmt qc = STMT("UPDATE topup SET cancelled_at = ?2"
	    " WHERE handover_id = ?1 AND cancelled_at IS NULL");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&qu)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, handover);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	if ((s = store_prepare(&qc)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, handover);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* The top-ups made after a hand-over's activation: [{"sim", "on_date"}]. */
enum store_status
store_handover_topups(int64_t handover, json_t **out)
{
	static struct stmt q = STMT("SELECT m.tag AS sim, t.on_date"
	    " FROM topup t JOIN sim m ON m.id = t.sim_id"
	    " WHERE t.handover_id = ?1 AND t.kind = 'topup'"
	    " AND t.cancelled_at IS NULL ORDER BY t.id");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, handover);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/*
 * The contributions recorded at an event, by payment method, in cents:
 * {"cash": n, "card": n, ...} and the checkouts made there.
 */
enum store_status
store_distribution_payments(const char *event, json_t **out)
{
	static struct stmt q = STMT("SELECT h.payment,"
	    " sum(h.contribution_cents), count(*) FROM handover h"
	    " JOIN distribution e ON e.id = h.distribution_id WHERE e.tag = ?1"
	    " AND h.cancelled_at IS NULL GROUP BY h.payment");
	sqlite3_stmt *s;
	json_int_t checkouts = 0;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, event, -1, SQLITE_STATIC);
	*out = json_object();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		checkouts += sqlite3_column_int64(s, 2);
		if (sqlite3_column_type(s, 0) == SQLITE_NULL)
			continue;
		json_object_set_new(*out, (const char *)sqlite3_column_text(s,
		    0), json_integer(sqlite3_column_int64(s, 1)));
	}
	json_object_set_new(*out, "checkouts", json_integer(checkouts));
	return (store_done(s, rc));
}

/* Close an event with its cash count (cents). */
enum store_status
store_distribution_close(const char *event, const char *at,
    int64_t recorded, int64_t counted, const char *reason)
{
	static struct stmt q = STMT("UPDATE distribution SET state = 'closed',"
	    " closed_at = ?2, cash_recorded_cents = ?3,"
	    " cash_counted_cents = ?4, close_reason = ?5"
	    " WHERE tag = ?1 AND state = 'open'");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, recorded);
	sqlite3_bind_int64(s, 4, counted);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * A SIM card's connection in force: its state, paid-until, and the
 * hand-over that activated it (id, day, beneficiary). STORE_NOTFOUND if
 * the SIM card does not exist; "handover" is null if it was never
 * activated by a checkout still in force.
 */
enum store_status
store_sim_connection(const char *sim, json_t **out)
{
	static struct stmt q = STMT("SELECT m.tag, m.state, m.paid_until,"
	    " t.handover_id AS handover, date(h.at) AS handed_over_on,"
	    " b.tag AS beneficiary FROM sim m LEFT JOIN topup t"
	    " ON t.sim_id = m.id AND t.kind = 'activation'"
	    " AND t.cancelled_at IS NULL LEFT JOIN handover h"
	    " ON h.id = t.handover_id LEFT JOIN beneficiary b"
	    " ON b.id = h.beneficiary_id WHERE m.tag = ?1"
	    " ORDER BY t.id DESC LIMIT 1");
	enum store_status status;
	json_t *rows;

	*out = NULL;
	if ((status = store_rows(&q, sim, NULL, &rows)) !=
	    STORE_OK) {
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

/* The SIM card activated for a beneficiary's hand-over in force. */
enum store_status
store_sim_of(const char *beneficiary, char *sim)
{
	static struct stmt q = STMT("SELECT m.tag FROM topup t"
	    " JOIN sim m ON m.id = t.sim_id JOIN handover h"
	    " ON h.id = t.handover_id JOIN beneficiary b"
	    " ON b.id = h.beneficiary_id WHERE b.tag = ?1"
	    " AND t.kind = 'activation' AND t.cancelled_at IS NULL"
	    " AND h.cancelled_at IS NULL ORDER BY t.id DESC LIMIT 1");
	sqlite3_stmt *s;
	int rc;

	sim[0] = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, beneficiary, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(sim, TAG_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/* Record a top-up of a SIM card and set its new paid-until; id into *id. */
enum store_status
store_topup_add(const struct actor *a, const char *sim, int64_t handover,
    const char *day, int64_t amount, const char *until, int64_t *id)
{
	static struct stmt qi = STMT("INSERT INTO topup (sim_id, handover_id,"
	    " kind, on_date, amount_cents, previous_until, paid_until, actor,"
	    " recorded_at, beneficiary_id, territory) SELECT m.id, ?2, 'topup',"
	    " ?3, ?4, m.paid_until, ?5, ?6, ?7," TOPUP_SCOPE " FROM sim m"
	    " WHERE m.tag = ?1");
	static struct stmt qu = STMT("UPDATE sim SET paid_until = ?2"
	    " WHERE tag = ?1");
	sqlite3_stmt *s;
	char now[32];
	enum store_status status;
	int rc;

	if ((s = store_prepare(&qi)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, sim, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, handover);
	sqlite3_bind_text(s, 3, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, amount);
	sqlite3_bind_text(s, 5, until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	return (store_distribution_run(&qu, sim, until, NULL));
}

/* One top-up as the API shows it. */
enum store_status
store_topup_get(int64_t id, json_t **out)
{
	static struct stmt q = STMT("SELECT t.id, m.tag AS sim,"
	    " b.tag AS beneficiary, t.kind, t.on_date, t.amount_cents,"
	    " t.previous_until, t.paid_until, t.cancelled_at FROM topup t"
	    " JOIN sim m ON m.id = t.sim_id JOIN handover h"
	    " ON h.id = t.handover_id JOIN beneficiary b"
	    " ON b.id = h.beneficiary_id WHERE t.id = ?1");
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
 * Run a page's statement (sql: ?1 a number, ?2 and ?3 the filters, ?4
 * after, ?5 the limit; column 0 the id): {"items", "next"}.
 */
static enum store_status
store_distribution_page(const char *sql, long long n, long long after,
    const char *p2, const char *p3, long long limit, json_t **out)
{
	sqlite3_stmt *s;
	enum store_status status;

	*out = NULL;
	if ((s = store_prepare_named(sql)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, n);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p3, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, after);
	sqlite3_bind_int64(s, 5, limit + 1);	/* one more: is there a next */
	if ((status = store_done(s, store_page(s, limit, out))) !=
	    STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return (status);
}

/*
 * Paid periods (activations and top-ups) in force, of one SIM card, one
 * beneficiary, or all (NULL), in id order (the order they were recorded)
 * after the top-up "after" (0: from the first), at most limit:
 * {"items", "next"}. Each filter is read through its index on topup.
 */
enum store_status
store_topups(const char *sim, const char *beneficiary, long long after,
    long long limit, json_t **out)
{
	char sql[1024];

	snprintf(sql, sizeof sql, "SELECT t.id, m.tag AS sim,"
	    " b.tag AS beneficiary, t.kind, t.on_date, t.amount_cents,"
	    " t.previous_until, t.paid_until FROM topup t"
	    " JOIN sim m ON m.id = t.sim_id JOIN beneficiary b"
	    " ON b.id = t.beneficiary_id WHERE t.id > ?4"
	    " AND t.cancelled_at IS NULL%s%s ORDER BY t.id LIMIT ?5",
	    sim == NULL ? "" : " AND t.sim_id ="
	    " (SELECT id FROM sim WHERE tag = ?2)",
	    beneficiary == NULL ? "" : " AND t.beneficiary_id ="
	    " (SELECT id FROM beneficiary WHERE tag = ?3)");
	return (store_distribution_page(sql, 0, after, sim, beneficiary,
	    limit, out));
}

/*
 * The connections activated by a checkout in force, in the order of their
 * activation top-up ("activation", the id after refers to), after the
 * activation "after" (0: from the first), at most limit, with the date
 * each one's target period ends (hand-over + months) and its paid periods:
 * {"items": [{"activation", "beneficiary", "territory", "sim", "msisdn",
 * "state", "handed_over_on", "target_until", "paid_until", "periods":
 * [{"kind", "on_date", "paid_until"}]}], "next"}, of a beneficiary or a
 * territory (or NULL), each read through its index on topup.
 */
enum store_status
store_connections(long long months, const char *beneficiary,
    const char *territory, long long after, long long limit, json_t **out)
{
	char sql[2048];

	snprintf(sql, sizeof sql, "SELECT t.id AS activation,"
	    " b.tag AS beneficiary, b.territory, m.tag AS sim, m.msisdn,"
	    " m.state, date(h.at) AS handed_over_on,"
	    " date(h.at, '+' || ?1 || ' months') AS target_until,"
	    " m.paid_until, (SELECT json_group_array(json_object('kind',"
	    " x.kind, 'on_date', x.on_date, 'paid_until', x.paid_until)) FROM"
	    " (SELECT kind, on_date, paid_until FROM topup p"
	    " WHERE p.handover_id = t.handover_id AND p.sim_id = t.sim_id"
	    " AND p.cancelled_at IS NULL ORDER BY p.on_date, p.id) x)"
	    " AS periods_json FROM topup t JOIN handover h"
	    " ON h.id = t.handover_id JOIN beneficiary b"
	    " ON b.id = h.beneficiary_id JOIN sim m ON m.id = t.sim_id"
	    " WHERE t.id > ?4 AND t.kind = 'activation'"
	    " AND t.cancelled_at IS NULL AND h.cancelled_at IS NULL%s%s"
	    " ORDER BY t.id LIMIT ?5",
	    beneficiary == NULL ? "" : " AND t.beneficiary_id ="
	    " (SELECT id FROM beneficiary WHERE tag = ?2)",
	    territory == NULL ? "" : " AND t.territory = ?3");
	return (store_distribution_page(sql, months, after, beneficiary,
	    territory, limit, out));
}

/*
 * The top-ups due, a page: connections in force, live (SIM card active or
 * suspended) and paid until before hand-over + months (a top-up is due on
 * that day), paid until "before" at the latest (or NULL), of a territory
 * (or NULL), after the page's cursor (the due date and the activation of
 * the last one of the page before; "" and 0: from the first), at most
 * limit, soonest first then in the order of activation: {"items":
 * [{"activation", "beneficiary", "territory", "sim", "msisdn",
 * "handed_over_on", "due_on", "target_until"}]}. They are read in that
 * order from the connections short of the months (connection_open, kept
 * by triggers with the day each falls due); those of a territory by its
 * index of activations, sorted keeping only the page's rows.
 */
enum store_status
store_topups_due(long long months, const char *before, const char *territory,
    const char *after_on, long long after, long long limit, json_t **out)
{
	char sql[2048];
	sqlite3_stmt *s;
	enum store_status status;

	*out = NULL;
	snprintf(sql, sizeof sql, "SELECT t.id AS activation,"
	    " b.tag AS beneficiary, b.territory, m.tag AS sim, m.msisdn,"
	    " date(h.at) AS handed_over_on, m.paid_until AS due_on,"
	    " date(h.at, '+' || ?1 || ' months') AS target_until FROM %s"
	    " JOIN handover h ON h.id = t.handover_id JOIN beneficiary b"
	    " ON b.id = h.beneficiary_id JOIN sim m ON m.id = t.sim_id"
	    " WHERE t.kind = 'activation' AND t.cancelled_at IS NULL"
	    " AND h.cancelled_at IS NULL AND m.state IN ('active',"
	    " 'suspended') AND m.paid_until < date(h.at, '+' || ?1"
	    " || ' months') AND (?2 IS NULL OR o.due_on <= ?2)"
	    " AND (o.due_on, o.id) > (?4, ?5)%s"
	    " ORDER BY o.due_on, o.id LIMIT ?6",
	    territory != NULL ? "topup t INDEXED BY topup_connection"
	    " CROSS JOIN connection_open o ON o.id = t.id" :
	    "connection_open o INDEXED BY connection_open_due"
	    " CROSS JOIN topup t ON t.id = o.id",
	    territory != NULL ? " AND t.territory = ?3" : "");
	if ((s = store_prepare_named(sql)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, months);
	sqlite3_bind_text(s, 2, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, after_on, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, after);
	sqlite3_bind_int64(s, 6, limit);
	if ((status = store_all(s, out)) != STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return (status);
}
