/*
 * What indicators, exports and alerts are made of: rows read from the
 * store, each query bounded by an indexed date range (or an indexed key)
 * so a report never scans a large table; counting is done by the caller.
 */

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* Who a row is about: the pseudonymous record, never the identity. */
#define REPORT_WHO							\
	"b.tag AS beneficiary, b.territory, b.commune,"			\
	" c.name AS commune_name, b.category, p.tag AS prescriber,"	\
	" p.kind AS prescriber_kind"
#define REPORT_JOIN(x)							\
	" JOIN beneficiary b ON b.id = " x ".beneficiary_id"		\
	" JOIN prescriber p ON p.id = b.prescriber_id"			\
	" LEFT JOIN commune c ON c.insee = b.commune"
/*
 * The devices a hand-over's kit gave, still in it (a 4G box is a
 * connection, not a device): "EXISTS (SELECT 1" REPORT_DEVICE_UNIT("h") ")".
 */
#define REPORT_DEVICE_UNIT(h)						\
	" FROM kit_unit u JOIN device v ON v.id = u.device_id"		\
	" WHERE u.kit_id = " h ".kit_id AND u.removed_at IS NULL"	\
	" AND v.kind <> '4g-router'"

/* A connection (h, t, m) with its paid periods (?3: months asked). */
#define REPORT_CONNECTION						\
    "SELECT " REPORT_WHO ", substr(h.at, 1, 10) AS handed_over_on,"	\
    " m.tag AS sim, m.state, m.paid_until,"				\
    " date(h.at, '+' || ?3 || ' months') AS target_until,"		\
    " (SELECT json_group_array(json_object('on_date', x.on_date,"	\
    " 'paid_until', x.paid_until)) FROM (SELECT on_date, paid_until"	\
    " FROM topup x WHERE x.handover_id = t.handover_id"		\
    " AND x.sim_id = t.sim_id AND x.cancelled_at IS NULL"		\
    " ORDER BY x.on_date, x.id) x) AS periods_json"

/*
 * Every connection in force, by person then activation (the exports):
 * read from the top-ups in the order of their person's index, no sort of
 * them all. A top-up keeps its hand-over's beneficiary (migration 22).
 */
static struct stmt report_connections = STMT(REPORT_CONNECTION
    " FROM topup t INDEXED BY topup_beneficiary"
    " JOIN handover h ON h.id = t.handover_id"
    " AND h.beneficiary_id = t.beneficiary_id"
    " JOIN sim m ON m.id = t.sim_id" REPORT_JOIN("t")
    " WHERE t.beneficiary_id IS NOT NULL AND t.kind = 'activation'"
    " AND t.cancelled_at IS NULL AND h.cancelled_at IS NULL"
    " ORDER BY t.beneficiary_id, t.id");
/* The SQL of a named report query (for EXPLAIN in the tests), or NULL. */
const char *
store_report_sql(const char *name)
{
	return (strcmp(name, "connections") == 0 ? report_connections.sql :
	    NULL);
}

/* Territories with their budget in cents and their targets. */
enum store_status
store_report_territories(json_t **out)
{
	static struct stmt q = STMT("SELECT code, name, budget_cents AS budget,"
	    " target_diagnosed, target_equipped, target_connected,"
	    " target_oriented, target_certified FROM territory ORDER BY code");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	return (store_all(s, out));
}

/*
 * One row per beneficiary for the evaluation and prescriber exports: the
 * steps of the path, without identity or free text: everyone, or the
 * people one prescriber referred (?1, read by its index). Each first
 * step (hand-over with a device, orientation, certification passed) is
 * one seek in an index whose order is the step's, then a join on its row:
 * no sort per person (tests/func/query-plans.sh). The follow-ups at 3 and
 * 6 months are columns f3_... and f6_....
 */
#define REPORT_FOLLOWUP(m)						\
	" f" #m ".followed_on AS f" #m "_followed_on, f" #m ".reached"	\
	" AS f" #m "_reached, f" #m ".device_in_use AS f" #m		\
	"_device_in_use, f" #m ".connected AS f" #m "_connected, f" #m	\
	".training_followed AS f" #m "_training_followed, f" #m		\
	".certified AS f" #m "_certified"
#define REPORT_PEOPLE "SELECT b.tag AS beneficiary," \
    " b.territory, b.commune, b.category, p.tag AS prescriber," \
    " p.kind AS prescriber_kind, b.referred_on, d.diagnosed_on," \
    " d.late, d.device_need, d.connection_need, d.autonomy," \
    " d.training_wished, d.certification_wished," \
    " substr(eh.at, 1, 10) AS equipped_on, ev.kind AS device_kind," \
    " o.oriented_on, f.kind AS training_kind, o.attended, o.completed," \
    " r.certified_on, r.kind AS certification_kind," \
    REPORT_FOLLOWUP(3) "," REPORT_FOLLOWUP(6) \
    " FROM beneficiary b JOIN prescriber p ON p.id = b.prescriber_id" \
    " LEFT JOIN diagnostic d ON d.beneficiary_id = b.id" \
    " LEFT JOIN handover eh ON eh.id = (SELECT h.id FROM handover h" \
    " WHERE h.beneficiary_id = b.id AND h.cancelled_at IS NULL" \
    " AND EXISTS (SELECT 1" REPORT_DEVICE_UNIT("h") ")" \
    " ORDER BY h.at, h.id LIMIT 1)" \
    " LEFT JOIN device ev ON ev.id = (SELECT u.device_id" \
    REPORT_DEVICE_UNIT("eh") " ORDER BY u.id LIMIT 1)" \
    " LEFT JOIN orientation o ON o.id = (SELECT o2.id FROM orientation o2" \
    " WHERE o2.beneficiary_id = b.id ORDER BY o2.oriented_on, o2.id" \
    " LIMIT 1)" \
    " LEFT JOIN offer f ON f.id = o.offer_id" \
    " LEFT JOIN certification r ON r.id = (SELECT r2.id" \
    " FROM certification r2 WHERE r2.beneficiary_id = b.id" \
    " AND r2.result = 'passed' ORDER BY r2.certified_on, r2.id LIMIT 1)" \
    " LEFT JOIN followup f3 ON f3.beneficiary_id = b.id AND f3.month = 3" \
    " LEFT JOIN followup f6 ON f6.beneficiary_id = b.id AND f6.month = 6"
static struct stmt report_people = STMT(REPORT_PEOPLE " ORDER BY b.id");
static struct stmt report_people_of = STMT(REPORT_PEOPLE
    " WHERE b.prescriber_id = (SELECT id FROM prescriber WHERE tag = ?1)"
    " ORDER BY b.id");

/*
 * The rows of report_people on a reader, in the order of b.id, stepped
 * with store_reader_step: an export reads them a batch at a time.
 */
enum store_status
store_report_people(struct store_reader *r, const char *prescriber,
    sqlite3_stmt **out)
{
	if ((*out = store_reader_prepare(r, prescriber != NULL ?
	    &report_people_of : &report_people)) == NULL)
		return (STORE_ERROR);
	if (prescriber != NULL)
		sqlite3_bind_text(*out, 1, prescriber, -1, SQLITE_TRANSIENT);
	return (STORE_OK);
}

/*
 * Every connection handed over (report_connections), on a reader, in
 * the order of b.id then of the activation: stepped with store_reader_next
 * beside store_report_people.
 */
enum store_status
store_report_connections(struct store_reader *r, long long months,
    sqlite3_stmt **out)
{
	if ((*out = store_reader_prepare(r, &report_connections)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(*out, 3, months);
	return (STORE_OK);
}

/*
 * Operational lists (named), each by an index: ?1 today, ?2 a day N days
 * ahead, ?3 a day N days back.
 */
static struct stmt report_warranties = STMT("SELECT v.tag AS device,"
    " v.kind, v.serial, v.state, v.warranty_until, lc.tag AS location,"
    " (SELECT b.tag FROM kit_unit u JOIN handover h ON h.kit_id = u.kit_id"
    " AND h.cancelled_at IS NULL JOIN beneficiary b"
    " ON b.id = h.beneficiary_id WHERE u.device_id = v.id"
    " AND u.removed_at IS NULL ORDER BY h.at DESC LIMIT 1) AS beneficiary,"
    " (SELECT b.territory FROM kit_unit u JOIN handover h"
    " ON h.kit_id = u.kit_id AND h.cancelled_at IS NULL JOIN beneficiary b"
    " ON b.id = h.beneficiary_id WHERE u.device_id = v.id"
    " AND u.removed_at IS NULL ORDER BY h.at DESC LIMIT 1) AS territory"
    " FROM device v LEFT JOIN location lc ON lc.id = v.location_id"
    " WHERE v.warranty_until >= ?1 AND v.warranty_until <= ?2"
    " AND v.state NOT IN ('lost', 'scrapped')"
    " ORDER BY v.warranty_until, v.id LIMIT 10000");
static struct stmt report_repairs_open = STMT("SELECT r.id AS repair,"
    " v.tag AS device, v.kind, b.tag AS beneficiary, b.territory,"
    " l.tag AS partner, l.name AS partner_name, r.under_warranty,"
    " substr(r.opened_at, 1, 10) AS opened_on,"
    " CAST(julianday(?1) - julianday(substr(r.opened_at, 1, 10))"
    " AS INTEGER) AS days_open FROM repair r"
    " JOIN device v ON v.id = r.device_id"
    " JOIN beneficiary b ON b.id = r.beneficiary_id"
    " JOIN location l ON l.id = r.partner_id"
    " WHERE r.closed_at IS NULL AND r.opened_at < date(?3, '+1 day')"
    " ORDER BY r.opened_at, r.id LIMIT 10000");
static struct stmt report_kits_ready = STMT("SELECT k.tag AS kit,"
    " b.tag AS beneficiary, b.territory, l.tag AS location,"
    " substr(k.ready_at, 1, 10) AS ready_on,"
    " CAST(julianday(?1) - julianday(substr(k.ready_at, 1, 10))"
    " AS INTEGER) AS days_ready FROM kit k"
    " JOIN beneficiary b ON b.id = k.beneficiary_id"
    " JOIN location l ON l.id = k.location_id"
    " WHERE k.state = 'ready' AND k.ready_at < date(?3, '+1 day')"
    " ORDER BY k.ready_at, k.id LIMIT 10000");
/*
 * Open needs: diagnosed as needing a kind, no kit planned nor handed
 * (counted as they change: need_count, migration 23), and the stock.
 */
static struct stmt report_needs = STMT("SELECT c.kind, c.n AS needed,"
    " (SELECT coalesce(sum(s.qty), 0) FROM stock_count s"
    " WHERE s.kind = c.kind AND s.state = 'in_stock') AS in_stock"
    " FROM need_count c WHERE c.n > 0"
    " AND ?1 IS NOT NULL AND ?2 IS NOT NULL AND ?3 IS NOT NULL"
    " ORDER BY c.kind");
/*
 * Follow-ups not done and due by N days ahead, in the schedule's order,
 * from its index of the slots not done (migration 21).
 */
static struct stmt report_followups_due = STMT("SELECT b.tag AS beneficiary,"
    " s.territory, p.tag AS prescriber, s.month, s.basis, s.due_on,"
    " CASE WHEN s.due_on < ?1 THEN 'overdue' ELSE 'pending' END AS state"
    " FROM followup_slot s INDEXED BY followup_slot_open"
    " CROSS JOIN beneficiary b ON b.id = s.beneficiary_id"
    " CROSS JOIN prescriber p ON p.id = s.prescriber_id"
    " WHERE s.followup_id IS NULL AND s.due_on <= ?2 AND ?3 IS NOT NULL"
    " ORDER BY s.due_on, s.beneficiary_id, s.month");
static struct stmt report_stock = STMT("SELECT kind, state, location,"
    " territory, sum(qty) AS count FROM stock_item"
    " WHERE ?1 IS NOT NULL AND ?2 IS NOT NULL AND ?3 IS NOT NULL"
    " GROUP BY kind, state, location, territory"
    " ORDER BY kind, state, location");

static const struct {
	const char	*name;
	struct stmt	*q;
} report_lists[] = {
	{ "followups_due", &report_followups_due },
	{ "kits_ready", &report_kits_ready },
	{ "needs", &report_needs },
	{ "repairs_open", &report_repairs_open },
	{ "stock", &report_stock },
	{ "warranties", &report_warranties },
};

/* The SQL of a named list (for EXPLAIN in the tests), or NULL. */
const char *
store_report_list_sql(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof report_lists / sizeof report_lists[0]; i++)
		if (strcmp(report_lists[i].name, name) == 0)
			return (report_lists[i].q->sql);
	return (NULL);
}

/* The statement of a named list, or NULL. */
static struct stmt *
store_report_list_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof report_lists / sizeof report_lists[0]; i++)
		if (strcmp(report_lists[i].name, name) == 0)
			return (report_lists[i].q);
	return (NULL);
}

/*
 * One operational list on a reader (today, N days ahead, N days back),
 * stepped with store_reader_next.
 */
enum store_status
store_report_list_open(struct store_reader *r, const char *name,
    const char *today, const char *ahead, const char *back, sqlite3_stmt **out)
{
	struct stmt *q;

	*out = NULL;
	if ((q = store_report_list_find(name)) == NULL ||
	    (*out = store_reader_prepare(r, q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(*out, 1, today, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(*out, 2, ahead, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(*out, 3, back, -1, SQLITE_TRANSIENT);
	return (STORE_OK);
}

/* One operational list: today, N days ahead, N days back. */
enum store_status
store_report_list(const char *name, const char *today, const char *ahead,
    const char *back, json_t **out)
{
	struct stmt *q;
	sqlite3_stmt *s;

	*out = NULL;
	if ((q = store_report_list_find(name)) == NULL ||
	    (s = store_prepare(q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, today, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ahead, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, back, -1, SQLITE_STATIC);
	return (store_all(s, out));
}
