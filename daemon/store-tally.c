/*
 * Report tallies: the indicators kept as the data changes, so a report
 * reads a few thousand sums instead of every person's history.
 *
 * Two levels, both in the write transaction of the change:
 *
 * - report_fact: what each person contributes, one row per measure and
 *   day ("diagnosed" on 2026-03-02: 1; "spending_cents" on 2026-04-10:
 *   15000), with the keys it was counted under (territory, commune,
 *   category, prescriber). Triggers on the tables a person's path is made
 *   of put the person in report_dirty; before COMMIT, store_tally_settle()
 *   recomputes the facts of each dirty person (TALLY_FACTS, the one
 *   definition of what counts) and writes only the difference.
 * - report_tally: the sums of the facts by grain (all time, year, month,
 *   day), bucket, territory, dimension (total, commune, category,
 *   prescriber) and measure, kept by triggers on report_fact. A period is
 *   cut into whole years, whole months and days (tally_cut), so any
 *   period reads at most a few buckets per key.
 *
 * GET /v1/check recomputes both from the tables and compares.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* Past this many dirty people, recompute everyone in one pass. */
#define TALLY_BULK	2000
#define TALLY_STR(x)	#x
#define TALLY_XSTR(x)	TALLY_STR(x)

/* The months of connection the programme asks for (6 if not set). */
#define TALLY_MONTHS							\
	"coalesce((SELECT CAST(value AS INTEGER) FROM programme"	\
	" WHERE key = 'connection-months' AND CAST(value AS INTEGER) > 0),"\
	" 6)"

/* A hand-over in force that gave a device (a 4G box is a connection). */
#define TALLY_DEVICE(h)							\
	" EXISTS (SELECT 1 FROM kit_unit u JOIN device v"		\
	" ON v.id = u.device_id WHERE u.kit_id = " h ".kit_id"		\
	" AND u.removed_at IS NULL AND v.kind <> '4g-router')"

/* Which people: one (?1), or everyone. */
#define TALLY_ONE(col)	" " col " = ?1"
#define TALLY_ALL(col)	" 1"

/*
 * What each person contributes (BY chooses who): columns as report_fact.
 * Each indicator counts a person once, on the day of their first such
 * step; devices, spending and repairs count on their own days.
 */
#define TALLY_FACTS(BY)							\
	"WITH conn AS (SELECT h.beneficiary_id AS bid,"			\
	" substr(h.at, 1, 10) AS handed,"				\
	" date(h.at, '+' || " TALLY_MONTHS " || ' months') AS target,"	\
	/* paid without a gap from the activation: until the first gap */\
	" (SELECT max(CASE WHEN g = 0 THEN paid_until END) FROM"	\
	" (SELECT paid_until, sum(gap) OVER (ORDER BY on_date, id"	\
	" ROWS UNBOUNDED PRECEDING) AS g FROM (SELECT x.id, x.on_date,"	\
	" x.paid_until, coalesce(x.on_date > max(x.paid_until) OVER"	\
	" (ORDER BY x.on_date, x.id ROWS BETWEEN UNBOUNDED PRECEDING"	\
	" AND 1 PRECEDING), 0) AS gap FROM topup x"			\
	" WHERE x.handover_id = t.handover_id AND x.sim_id = t.sim_id"	\
	" AND x.cancelled_at IS NULL))) AS until"			\
	" FROM handover h JOIN topup t ON t.handover_id = h.id"		\
	" AND t.kind = 'activation' AND t.cancelled_at IS NULL"		\
	" WHERE h.cancelled_at IS NULL AND" BY("h.beneficiary_id") "),"	\
	" conn2 AS (SELECT bid, handed, until, target,"			\
	" coalesce(until >= target, 0) AS covered,"			\
	" max(coalesce(until >= target, 0)) OVER (PARTITION BY bid)"	\
	" AS any_covered, row_number() OVER (PARTITION BY bid"		\
	" ORDER BY handed) AS rn FROM conn),"				\
	" equipped AS (SELECT h.beneficiary_id AS bid,"			\
	" substr(min(h.at), 1, 10) AS on_date FROM handover h"		\
	" WHERE h.cancelled_at IS NULL AND" BY("h.beneficiary_id")	\
	" AND" TALLY_DEVICE("h") " GROUP BY h.beneficiary_id),"		\
	" oriented AS (SELECT bid, on_date, attended FROM"		\
	" (SELECT beneficiary_id AS bid, oriented_on AS on_date, attended,"\
	" row_number() OVER (PARTITION BY beneficiary_id"		\
	" ORDER BY oriented_on, id) AS rn FROM orientation"		\
	" WHERE" BY("beneficiary_id") ") WHERE rn = 1),"		\
	" facts (bid, measure, on_date, n, info) AS ("			\
	" SELECT b.id, 'referred', b.referred_on, 1, '' FROM beneficiary b"\
	" WHERE" BY("b.id")						\
	" UNION ALL SELECT beneficiary_id, 'diagnosed', diagnosed_on, 1, ''"\
	" FROM diagnostic WHERE" BY("beneficiary_id")			\
	/* equipped, and the follow-ups of those equipped */		\
	" UNION ALL SELECT equipped.bid, m.measure, equipped.on_date,"	\
	" CASE WHEN m.month = 0 THEN 1 ELSE coalesce((SELECT CASE m.what"\
	" WHEN 'reached' THEN f.reached WHEN 'in_use' THEN"		\
	" f.device_in_use ELSE f.connected END FROM followup f"		\
	" WHERE f.beneficiary_id = equipped.bid"			\
	" AND f.month = m.month), 0) END,"				\
	" '' FROM equipped, (SELECT 'equipped' AS measure, 0 AS month,"\
	" '' AS what UNION ALL SELECT 'm3_followed', 3, 'reached'"	\
	" UNION ALL SELECT 'm3_in_use', 3, 'in_use'"			\
	" UNION ALL SELECT 'm3_connected', 3, 'connected'"		\
	" UNION ALL SELECT 'm6_followed', 6, 'reached'"			\
	" UNION ALL SELECT 'm6_in_use', 6, 'in_use'"			\
	" UNION ALL SELECT 'm6_connected', 6, 'connected') m"		\
	/* connected: the first connection paid for the months asked */	\
	" UNION ALL SELECT bid, 'connected', min(handed), 1, ''"	\
	" FROM conn2 WHERE covered GROUP BY bid"			\
	/* or, if none is, listed as not yet covered */			\
	" UNION ALL SELECT bid, 'not_yet', handed, 1,"			\
	" json_object('handed_over_on', handed, 'covered_until', until,"\
	" 'target_until', target) FROM conn2"				\
	" WHERE any_covered = 0 AND rn = 1"				\
	" UNION ALL SELECT bid, 'oriented', on_date, 1, '' FROM oriented"\
	" UNION ALL SELECT bid, CASE WHEN attended IS NULL THEN"	\
	" 'oriented_pending' WHEN attended THEN 'oriented_attended'"	\
	" ELSE 'oriented_no_show' END, on_date, 1, '' FROM oriented"	\
	" UNION ALL SELECT beneficiary_id, 'certified', min(certified_on),"\
	" 1, '' FROM certification WHERE result = 'passed' AND"		\
	BY("beneficiary_id") " GROUP BY beneficiary_id"			\
	/* every device handed over: who sold it, what it cost */	\
	" UNION ALL SELECT d.bid, m.measure, d.on_date, CASE m.measure"	\
	" WHEN 'devices' THEN 1 WHEN 'spending_cents' THEN d.cost"	\
	" WHEN 'ess_devices' THEN d.ess WHEN 'ess_spending_cents'"	\
	" THEN d.ess * d.cost WHEN 'local_devices' THEN d.local"	\
	" ELSE d.local * d.cost END, '' FROM (SELECT h.beneficiary_id"	\
	" AS bid, substr(h.at, 1, 10) AS on_date, coalesce(v.cost_cents,"\
	" 0) AS cost, coalesce(s.ess <> 'none', 0) AS ess,"		\
	" coalesce(s.local = 1, 0) AS local FROM handover h"		\
	" JOIN kit_unit u ON u.kit_id = h.kit_id AND u.removed_at IS NULL"\
	" JOIN device v ON v.id = u.device_id"				\
	" LEFT JOIN lot l ON l.id = v.lot_id"				\
	" LEFT JOIN supplier s ON s.id = l.supplier_id"			\
	" WHERE h.cancelled_at IS NULL AND" BY("h.beneficiary_id") ") d,"\
	" (SELECT 'devices' AS measure UNION ALL SELECT 'spending_cents'"\
	" UNION ALL SELECT 'ess_devices' UNION ALL SELECT"		\
	" 'ess_spending_cents' UNION ALL SELECT 'local_devices'"	\
	" UNION ALL SELECT 'local_spending_cents') m"			\
	/* SIM plans and top-ups, repairs */				\
	" UNION ALL SELECT h.beneficiary_id, CASE t.kind WHEN 'activation'"\
	" THEN 'sim_plans_cents' ELSE 'topups_cents' END, t.on_date,"	\
	" t.amount_cents, '' FROM handover h JOIN topup t"		\
	" ON t.handover_id = h.id WHERE t.cancelled_at IS NULL AND"	\
	BY("h.beneficiary_id")						\
	" UNION ALL SELECT beneficiary_id, 'repairs', substr(opened_at, 1,"\
	" 10), 1, '' FROM repair WHERE" BY("beneficiary_id") ")"	\
	" SELECT facts.bid AS beneficiary_id, facts.measure AS measure,"\
	" facts.on_date AS on_date, sum(facts.n) AS n,"			\
	" max(facts.info) AS info, b.territory AS territory,"		\
	" coalesce(b.commune, 'unknown') AS commune,"			\
	" b.category AS category, b.prescriber_id AS prescriber_id"	\
	" FROM facts JOIN beneficiary b ON b.id = facts.bid"		\
	" GROUP BY facts.bid, facts.measure, facts.on_date"		\
	" HAVING sum(facts.n) <> 0"

#define TALLY_COLS							\
	"beneficiary_id, measure, on_date, n, info, territory, commune,"\
	" category, prescriber_id"

/* The key a fact is tallied under in a dimension. */
#define TALLY_KEY(f)							\
	"CASE d.dim WHEN 'commune' THEN " f ".commune WHEN 'category'"	\
	" THEN " f ".category WHEN 'prescriber' THEN CAST(" f		\
	".prescriber_id AS TEXT)"\
	" ELSE '' END"
/* The dimensions a measure is tallied in: the total, and its own. */
#define TALLY_DIMS(m)							\
	"(SELECT '' AS dim UNION ALL SELECT dim FROM report_dim"	\
	" WHERE measure = " m ") d"

/* Every fact counts in its territory and in the whole (territory ''). */
#define TALLY_WHOLE	"(SELECT 0 AS whole UNION ALL SELECT 1) w"
#define TALLY_TERRITORY(f)						\
	"CASE w.whole WHEN 1 THEN '' ELSE " f ".territory END"

#define TALLY_TRIGGERS							\
	"CREATE TRIGGER report_fact_add AFTER INSERT ON report_fact BEGIN"\
	" INSERT INTO report_tally (grain, bucket, territory, dim, key,"\
	" measure, n) SELECT g.grain, substr(NEW.on_date, 1, g.grain),"	\
	" " TALLY_TERRITORY("NEW") ", d.dim, " TALLY_KEY("NEW") ","	\
	" NEW.measure, NEW.n FROM report_grain g, " TALLY_WHOLE ","	\
	" " TALLY_DIMS("NEW.measure") " WHERE 1"			\
	" ON CONFLICT DO UPDATE SET n = n + excluded.n; END;"		\
	"CREATE TRIGGER report_fact_remove AFTER DELETE ON report_fact"	\
	" BEGIN INSERT INTO report_tally (grain, bucket, territory, dim,"\
	" key, measure, n) SELECT g.grain, substr(OLD.on_date, 1, g.grain),"\
	" " TALLY_TERRITORY("OLD") ", d.dim, " TALLY_KEY("OLD") ","	\
	" OLD.measure, -OLD.n FROM report_grain g, " TALLY_WHOLE ","	\
	" " TALLY_DIMS("OLD.measure") " WHERE 1"			\
	" ON CONFLICT DO UPDATE SET n = n + excluded.n; END;"

/* A change to table t puts the person named by expression e in dirty. */
#define TALLY_MARK(name, t, e)						\
	"CREATE TRIGGER report_mark_" name "_i AFTER INSERT ON " t	\
	" BEGIN INSERT OR IGNORE INTO report_dirty SELECT " e("NEW")	\
	" WHERE " e("NEW") " IS NOT NULL; END;"				\
	"CREATE TRIGGER report_mark_" name "_u AFTER UPDATE ON " t	\
	" BEGIN INSERT OR IGNORE INTO report_dirty SELECT " e("NEW")	\
	" WHERE " e("NEW") " IS NOT NULL UNION SELECT " e("OLD")	\
	" WHERE " e("OLD") " IS NOT NULL; END;"				\
	"CREATE TRIGGER report_mark_" name "_d AFTER DELETE ON " t	\
	" BEGIN INSERT OR IGNORE INTO report_dirty SELECT " e("OLD")	\
	" WHERE " e("OLD") " IS NOT NULL; END;"
#define TALLY_BID(r)	r ".beneficiary_id"
#define TALLY_ID(r)	r ".id"
#define TALLY_BY_KIT(r)							\
	"(SELECT beneficiary_id FROM kit WHERE id = " r ".kit_id)"
#define TALLY_BY_HANDOVER(r)						\
	"(SELECT beneficiary_id FROM handover WHERE id = " r ".handover_id)"
/* Everyone holding a device matching a condition (rare, bulk changes). */
#define TALLY_HOLDERS(cond)						\
	" INSERT OR IGNORE INTO report_dirty SELECT k.beneficiary_id"	\
	" FROM device v JOIN kit_unit u ON u.device_id = v.id"		\
	" AND u.removed_at IS NULL JOIN kit k ON k.id = u.kit_id"	\
	" WHERE " cond ";"

/* Migration 14 (store-schema.c). */
const char store_tally_schema[] =
	"CREATE TABLE report_dirty (beneficiary_id INTEGER PRIMARY KEY);"
	"CREATE TABLE report_fact (beneficiary_id INTEGER NOT NULL,"
	" measure TEXT NOT NULL, on_date TEXT NOT NULL, n INTEGER NOT NULL,"
	" info TEXT NOT NULL DEFAULT '', territory TEXT NOT NULL,"
	" commune TEXT NOT NULL, category TEXT NOT NULL,"
	" prescriber_id INTEGER NOT NULL,"
	" PRIMARY KEY (beneficiary_id, measure, on_date)) WITHOUT ROWID;"
	/* Who is not yet covered, by day and by territory and day. */
	"CREATE INDEX report_fact_not_yet ON report_fact (on_date)"
	" WHERE measure = 'not_yet';"
	"CREATE INDEX report_fact_not_yet_territory ON report_fact"
	" (territory, on_date) WHERE measure = 'not_yet';"
	"CREATE TABLE report_tally (grain INTEGER NOT NULL,"
	" dim TEXT NOT NULL, bucket TEXT NOT NULL, territory TEXT NOT NULL,"
	" key TEXT NOT NULL, measure TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY (grain, dim, territory, bucket, key, measure))"
	" WITHOUT ROWID;"
	/* All time (0), year (4), month (7), day (10): a prefix length. */
	"CREATE TABLE report_grain (grain INTEGER PRIMARY KEY);"
	"INSERT INTO report_grain VALUES (0), (4), (7), (10);"
	/* The breakdowns each measure has besides its total. */
	"CREATE TABLE report_dim (measure TEXT NOT NULL, dim TEXT NOT NULL,"
	" PRIMARY KEY (measure, dim)) WITHOUT ROWID;"
	"INSERT INTO report_dim SELECT m.value, d.value FROM"
	" json_each('[\"diagnosed\",\"equipped\",\"connected\",\"oriented\","
	"\"certified\"]') m, json_each('[\"commune\",\"category\","
	"\"prescriber\"]') d;"
	"INSERT INTO report_dim VALUES ('devices', 'commune');"
	TALLY_TRIGGERS
	TALLY_MARK("beneficiary", "beneficiary", TALLY_ID)
	TALLY_MARK("diagnostic", "diagnostic", TALLY_BID)
	TALLY_MARK("handover", "handover", TALLY_BID)
	TALLY_MARK("orientation", "orientation", TALLY_BID)
	TALLY_MARK("certification", "certification", TALLY_BID)
	TALLY_MARK("followup", "followup", TALLY_BID)
	TALLY_MARK("repair", "repair", TALLY_BID)
	TALLY_MARK("kit_unit", "kit_unit", TALLY_BY_KIT)
	TALLY_MARK("topup", "topup", TALLY_BY_HANDOVER)
	"CREATE TRIGGER report_mark_device AFTER UPDATE OF kind, cost_cents,"
	" lot_id ON device BEGIN" TALLY_HOLDERS("v.id IN (OLD.id, NEW.id)")
	" END;"
	"CREATE TRIGGER report_mark_lot AFTER UPDATE OF supplier_id ON lot"
	" BEGIN" TALLY_HOLDERS("v.lot_id = NEW.id") " END;"
	"CREATE TRIGGER report_mark_supplier AFTER UPDATE OF ess, local"
	" ON supplier BEGIN" TALLY_HOLDERS("v.lot_id IN (SELECT id FROM lot"
	" WHERE supplier_id = NEW.id)") " END;"
	"CREATE TRIGGER report_mark_months AFTER UPDATE ON programme"
	" WHEN NEW.key = 'connection-months' BEGIN INSERT OR IGNORE INTO"
	" report_dirty SELECT DISTINCT beneficiary_id FROM handover; END;"
	"CREATE TRIGGER report_mark_months_i AFTER INSERT ON programme"
	" WHEN NEW.key = 'connection-months' BEGIN INSERT OR IGNORE INTO"
	" report_dirty SELECT DISTINCT beneficiary_id FROM handover; END;"
	"CREATE TRIGGER report_mark_months_d AFTER DELETE ON programme"
	" WHEN OLD.key = 'connection-months' BEGIN INSERT OR IGNORE INTO"
	" report_dirty SELECT DISTINCT beneficiary_id FROM handover; END;"
	/* A database that had people already: everyone, once. */
	"INSERT INTO report_dirty SELECT id FROM beneficiary;";

/* The facts of one person (?1), recomputed. */
static struct stmt tally_fresh_one = STMT("INSERT INTO temp.tally_new"
    " (" TALLY_COLS ") " TALLY_FACTS(TALLY_ONE));

/*
 * Recompute everyone: the facts in one pass, then the sums in one pass
 * (the per-row triggers are dropped meanwhile and made again).
 */
static const char tally_rebuild_sql[] =
	"DELETE FROM report_dirty;"
	"DROP TRIGGER report_fact_add; DROP TRIGGER report_fact_remove;"
	"DELETE FROM report_fact; DELETE FROM report_tally;"
	"INSERT INTO report_fact (" TALLY_COLS ") " TALLY_FACTS(TALLY_ALL) ";"
	"INSERT INTO report_tally (grain, bucket, territory, dim, key,"
	" measure, n) SELECT g.grain, substr(f.on_date, 1, g.grain),"
	" " TALLY_TERRITORY("f") ", d.dim, " TALLY_KEY("f") ", f.measure,"
	" sum(f.n) FROM report_fact f, report_grain g, " TALLY_WHOLE ","
	" (SELECT '' AS dim, NULL AS m"
	" UNION ALL SELECT dim, measure FROM report_dim) d"
	" WHERE d.m IS NULL OR d.m = f.measure GROUP BY 1, 2, 3, 4, 5, 6;"
	TALLY_TRIGGERS;

/* Everyone's facts and sums recomputed (inside a write transaction). */
enum store_status
store_tally_rebuild(void)
{
	return (store_script(tally_rebuild_sql));
}

/* One person's facts brought up to date: only the difference written. */
static enum store_status
tally_refresh(sqlite3_int64 id)
{
	static struct stmt clear = STMT("DELETE FROM temp.tally_new");
	static struct stmt gone = STMT("DELETE FROM report_fact"
	    " WHERE beneficiary_id = ?1 AND (measure, on_date, n, info,"
	    " territory, commune, category, prescriber_id) NOT IN"
	    " (SELECT measure, on_date, n, info, territory, commune, category,"
	    " prescriber_id FROM temp.tally_new)");
	static struct stmt added = STMT("INSERT INTO report_fact"
	    " (" TALLY_COLS ") SELECT " TALLY_COLS " FROM temp.tally_new"
	    " WHERE (measure, on_date) NOT IN (SELECT measure, on_date"
	    " FROM report_fact WHERE beneficiary_id = ?1)");
	static struct stmt done = STMT("DELETE FROM report_dirty"
	    " WHERE beneficiary_id = ?1");
	struct stmt *steps[] = { &clear, &tally_fresh_one, &gone, &added,
	    &done };
	enum store_status status = STORE_OK;
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0] && status == STORE_OK;
	    i++) {
		if ((s = store_prepare(steps[i])) == NULL)
			return (STORE_ERROR);
		if (sqlite3_bind_parameter_count(s) >= 1)
			sqlite3_bind_int64(s, 1, id);
		status = store_done(s, sqlite3_step(s));
	}
	return (status);
}

/*
 * Bring the facts and sums of everyone marked dirty up to date: called
 * inside the write transaction, before its COMMIT.
 */
enum store_status
store_tally_settle(void)
{
	static struct stmt q = STMT("SELECT beneficiary_id FROM report_dirty"
	    " LIMIT " TALLY_XSTR(TALLY_BULK) " + 1");
	sqlite3_int64 ids[TALLY_BULK + 1];
	enum store_status status;
	sqlite3_stmt *s;
	size_t n = 0, i;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if (n > TALLY_BULK) {
		log_info("report tallies: recomputing everyone");
		return (store_tally_rebuild());
	}
	for (i = 0; i < n && status == STORE_OK; i++)
		status = tally_refresh(ids[i]);
	return (status);
}

/* Are people waiting for their facts (changed outside the daemon)? */
int
store_tally_pending(void)
{
	static struct stmt q = STMT("SELECT EXISTS (SELECT 1"
	    " FROM report_dirty)");
	sqlite3_stmt *s;
	int rc, pending = 0;

	if ((s = store_prepare(&q)) == NULL)
		return (0);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		pending = sqlite3_column_int(s, 0);
	store_done(s, rc);
	return (pending);
}

/*
 * People changed outside the daemon (sqlite3, an old database) wait in
 * report_dirty: settle them in a transaction of their own, before a
 * report reads the tallies.
 */
enum store_status
store_tally_catch_up(void)
{
	enum store_status status;

	if (!store_writable() || !store_tally_pending())
		return (STORE_OK);
	if ((status = store_begin()) != STORE_OK)
		return (status);
	return (store_commit());
}

/* The scratch table the refresh compares against (one per connection). */
enum store_status
store_tally_open(void)
{
	return (store_script("CREATE TEMP TABLE IF NOT EXISTS tally_new"
	    " (" TALLY_COLS ")"));
}

/* Is a day the first of its month, or of its year? */
static int
tally_first(const char *d, int year)
{
	return (strcmp(d + 8, "01") == 0 && (!year || strncmp(d + 5, "01",
	    2) == 0));
}

/* A day as YYYY-MM-DD in out (11 bytes). */
static void
tally_day(char *out, int y, int m, int d)
{
	char buf[48];

	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

/* The last day of d's month or year, in out (11 bytes). */
static void
tally_last(const char *d, int year, char *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y = atoi(d), m = year ? 12 : atoi(d + 5), n;

	m = m >= 1 && m <= 12 ? m : 12;
	n = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	tally_day(out, y, m, n);
}

/* The day after d, in out (11 bytes). */
static void
tally_next(const char *d, char *out)
{
	char last[11];
	int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);

	tally_last(d, 0, last);
	if (strcmp(d, last) < 0)
		day++;
	else {
		day = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	tally_day(out, y, m, day);
}

/*
 * Cut the days from..to (both included) into ranges of buckets: whole
 * years, whole months, days. All time is the grain 0 bucket. At most
 * TALLY_RANGES ranges; returns how many.
 */
int
store_tally_cut(const char *from, const char *to, struct tally_range *r)
{
	char cur[11], end[11];
	int n = 0, grain, year;

	if (strcmp(from, "0001-01-01") <= 0 && strcmp(to, "9999-12-30") >= 0) {
		r[0].grain = 0;
		r[0].lo[0] = r[0].hi[0] = '\0';
		return (1);
	}
	snprintf(cur, sizeof cur, "%s", from);
	while (strcmp(cur, to) <= 0 && strcmp(cur, "9999-12-31") < 0) {
		grain = 10;
		for (year = 1; year >= 0; year--) {
			tally_last(cur, year, end);
			if (tally_first(cur, year) && strcmp(end, to) <= 0) {
				grain = year ? 4 : 7;
				break;
			}
		}
		if (grain == 10)
			memcpy(end, cur, sizeof end);
		if (n > 0 && r[n - 1].grain == grain) {
			memcpy(r[n - 1].hi, end, grain);
			r[n - 1].hi[grain] = '\0';
		} else {
			if (n == TALLY_RANGES)
				return (-1);
			r[n].grain = grain;
			memcpy(r[n].lo, cur, grain);
			r[n].lo[grain] = '\0';
			memcpy(r[n].hi, end, grain);
			r[n].hi[grain] = '\0';
			n++;
		}
		if (strcmp(end, "9999-12-31") >= 0)
			break;
		tally_next(end, cur);
	}
	return (n);
}

/*
 * The tallies of one range of buckets (?i1 grain, ?i2..?i3 buckets) in
 * the dimensions dims, for the territories of the JSON array bound to
 * list ('' is the whole). Every row kept is positive (facts are), so a
 * caller may add up the rows of several ranges. Dimension, territory
 * and bucket are all seeks in the primary key.
 */
#define TALLY_RANGE(i, dims, list)					\
	" SELECT territory, dim, key, measure, n FROM report_tally"	\
	" WHERE grain = ?" #i "1 AND dim IN (" dims ")"		\
	" AND territory IN (SELECT value FROM json_each(" list "))"	\
	" AND bucket BETWEEN ?" #i "2 AND ?" #i "3 AND n > 0"
/* Totals for the territories of ?91, breakdowns for those of ?92. */
#define TALLY_BOTH(i)							\
	TALLY_RANGE(i, "''", "?91") " UNION ALL"			\
	TALLY_RANGE(i, "'commune', 'category', 'prescriber'", "?92")
#define TALLY_FIVE(m)							\
	m(1) " UNION ALL" m(2) " UNION ALL" m(3) " UNION ALL" m(4)	\
	" UNION ALL" m(5)
#define TALLY_TOTALS(i)	TALLY_RANGE(i, "''", "?91")

/* Every tally of a period, with the names breakdowns show. */
static struct stmt tally_sum = STMT("SELECT x.territory, x.dim,"
    " CASE x.dim WHEN 'prescriber' THEN p.tag ELSE x.key END,"
    " x.measure, x.n, c.name, p.kind FROM (" TALLY_FIVE(TALLY_BOTH) ") x"
    " LEFT JOIN commune c ON x.dim = 'commune' AND c.insee = x.key"
    " LEFT JOIN prescriber p ON x.dim = 'prescriber'"
    " AND p.id = CAST(x.key AS INTEGER)");

/* The total of one measure (?93) over a period. */
static struct stmt tally_total = STMT("SELECT coalesce(sum(n), 0) FROM ("
    TALLY_FIVE(TALLY_TOTALS) ") WHERE measure = ?93");

static struct stmt tally_not_yet_all = STMT("SELECT b.tag AS beneficiary,"
    " f.territory, f.info FROM report_fact f"
    " JOIN beneficiary b ON b.id = f.beneficiary_id"
    " WHERE f.measure = 'not_yet' AND f.on_date BETWEEN ?1 AND ?2"
    " ORDER BY f.on_date, f.beneficiary_id LIMIT ?4");
static struct stmt tally_not_yet_one = STMT("SELECT b.tag AS beneficiary,"
    " f.territory, f.info FROM report_fact f"
    " JOIN beneficiary b ON b.id = f.beneficiary_id"
    " WHERE f.measure = 'not_yet' AND f.territory = ?3"
    " AND f.on_date BETWEEN ?1 AND ?2 ORDER BY f.on_date, f.beneficiary_id"
    " LIMIT ?4");

/*
 * A statement of TALLY_FIVE prepared and bound for a period (days, both
 * included): totals of the territories in the JSON array totals,
 * breakdowns of those in breakdowns ('' is the whole).
 */
static sqlite3_stmt *
tally_period(struct stmt *q, const char *from, const char *to,
    const char *totals, const char *breakdowns)
{
	struct tally_range r[TALLY_RANGES];
	sqlite3_stmt *s;
	int i, n;

	if ((n = store_tally_cut(from, to, r)) < 0)
		return (NULL);
	if ((s = store_prepare(q)) == NULL)
		return (NULL);
	for (i = 0; i < TALLY_RANGES; i++) {
		sqlite3_bind_int(s, 10 * (i + 1) + 1, i < n ? r[i].grain : -1);
		sqlite3_bind_text(s, 10 * (i + 1) + 2, i < n ? r[i].lo : "", -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 10 * (i + 1) + 3, i < n ? r[i].hi : "", -1,
		    SQLITE_TRANSIENT);
	}
	sqlite3_bind_text(s, 91, totals, -1, SQLITE_TRANSIENT);
	if (breakdowns != NULL)
		sqlite3_bind_text(s, 92, breakdowns, -1, SQLITE_TRANSIENT);
	return (s);
}

/*
 * The total of one measure over a period, in the territories of a JSON
 * array ('' is the whole).
 */
enum store_status
store_tally_total(const char *measure, const char *from, const char *to,
    const char *territories, long long *n)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((s = tally_period(&tally_total, from, to, territories, NULL)) ==
	    NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 93, measure, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	return (store_done(s, rc));
}

/*
 * The sums of every measure over a period (from..to, days): the totals
 * of the territories in the JSON array totals, the breakdowns of those in
 * breakdowns ('' is the whole). Each row to cb with the territory, the
 * dimension, its key (a prescriber by its tag), the measure, the sum (to
 * be added up: a key may come in several rows) and the names a
 * breakdown shows.
 */
enum store_status
store_tally_sum(const char *from, const char *to, const char *totals,
    const char *breakdowns, void (*cb)(const struct tally_row *, void *),
    void *arg)
{
	struct tally_row row;
	sqlite3_stmt *s;
	int rc;

	if ((s = tally_period(&tally_sum, from, to, totals, breakdowns)) ==
	    NULL)
		return (STORE_ERROR);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.territory = (const char *)sqlite3_column_text(s, 0);
		row.dim = (const char *)sqlite3_column_text(s, 1);
		row.key = (const char *)sqlite3_column_text(s, 2);
		row.measure = (const char *)sqlite3_column_text(s, 3);
		row.n = sqlite3_column_int64(s, 4);
		row.name = (const char *)sqlite3_column_text(s, 5);
		row.kind = (const char *)sqlite3_column_text(s, 6);
		if (row.key == NULL)
			row.key = "";
		cb(&row, arg);
	}
	return (store_done(s, rc));
}

/*
 * The people whose connection, handed over between from and to, is not
 * yet paid for the months asked, oldest first, at most limit: their tag
 * and the dates (handed_over_on, covered_until, target_until).
 */
enum store_status
store_tally_not_yet(const char *from, const char *to, const char *only,
    int limit, json_t **out)
{
	sqlite3_stmt *s;
	json_t *o, *info;
	int rc;

	if ((s = store_prepare(only != NULL ? &tally_not_yet_one :
	    &tally_not_yet_all)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
	if (only != NULL)
		sqlite3_bind_text(s, 3, only, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, limit);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		info = json_loads((const char *)sqlite3_column_text(s, 2), 0,
		    NULL);
		o = json_pack("{ss ss}", "beneficiary",
		    (const char *)sqlite3_column_text(s, 0), "territory",
		    (const char *)sqlite3_column_text(s, 1));
		if (info != NULL)
			json_object_update(o, info);
		json_decref(info);
		json_array_append_new(*out, o);
	}
	return (store_done(s, rc));
}

/*
 * The facts and sums against a fresh computation from the tables: the
 * rows that differ (at most 100 of each), empty if none.
 */
enum store_status
store_tally_check(json_t **facts, json_t **sums)
{
	static struct stmt qf = STMT("SELECT b.tag AS beneficiary, x.measure,"
	    " x.on_date, x.territory, sum(x.counted) AS counted,"
	    " sum(x.kept) AS kept FROM (SELECT f.beneficiary_id, f.measure,"
	    " f.on_date, f.territory || '/' || f.commune || '/' || f.category"
	    " || '/' || f.prescriber_id AS territory, f.n AS counted,"
	    " 0 AS kept FROM (" TALLY_FACTS(TALLY_ALL) ") f"
	    " UNION ALL SELECT beneficiary_id, measure, on_date, territory"
	    " || '/' || commune || '/' || category || '/' || prescriber_id,"
	    " 0, n FROM report_fact) x LEFT JOIN beneficiary b"
	    " ON b.id = x.beneficiary_id"
	    " GROUP BY x.beneficiary_id, x.measure, x.on_date, x.territory"
	    " HAVING sum(x.counted) <> sum(x.kept) LIMIT 100");
	static struct stmt qs = STMT("SELECT grain, bucket, territory, dim,"
	    " key, measure, sum(counted) AS counted, sum(kept) AS kept FROM"
	    " (SELECT g.grain, substr(f.on_date, 1, g.grain) AS bucket,"
	    " " TALLY_TERRITORY("f") " AS territory, d.dim, " TALLY_KEY("f")
	    " AS key, f.measure, f.n AS counted, 0 AS kept"
	    " FROM report_fact f, report_grain g, " TALLY_WHOLE ","
	    " (SELECT '' AS dim, NULL AS m UNION ALL SELECT dim, measure"
	    " FROM report_dim) d WHERE d.m IS NULL OR d.m = f.measure"
	    " UNION ALL SELECT grain, bucket, territory, dim, key, measure, 0,"
	    " n FROM report_tally) GROUP BY 1, 2, 3, 4, 5, 6"
	    " HAVING sum(counted) <> sum(kept) LIMIT 100");
	enum store_status status;

	*sums = NULL;
	if ((status = store_rows(&qf, NULL, NULL, facts)) != STORE_OK)
		return (status);
	return (store_rows(&qs, NULL, NULL, sums));
}

/* The SQL of the statements reports run (for EXPLAIN in the tests). */
const char *
store_tally_sql(const char *name)
{
	static const struct {
		const char	*name;
		struct stmt	*q;
	} t[] = {
		{ "facts", &tally_fresh_one },
		{ "sum", &tally_sum },
		{ "total", &tally_total },
		{ "not_yet", &tally_not_yet_all },
		{ "not_yet_territory", &tally_not_yet_one },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].name, name) == 0)
			return (t[i].q->sql);
	return (NULL);
}
