/*
 * Report queries stay fast as data grows: on a fresh database, the plan of
 * every indicator and alert query starts from an index (SEARCH), never a
 * full SCAN of a table. Not checked here: the exports that list
 * everything (one row per person, the whole stock), and the stock alert,
 * which reads the partial index of diagnostics needing a device.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kitstockd.h"
#include "tap.h"

static char dir[] = "/tmp/kitstock-test-report.XXXXXX";

/*
 * The first full scan in a query's plan, or NULL: any "SCAN name" but of
 * a subquery's rows (a CO-ROUTINE or MATERIALIZE of that name, itself
 * planned on the lines that follow it). SQLite names tables by their
 * alias, so every scan counts.
 */
static char *
full_scan(const char *sql)
{
	sqlite3_stmt *s;
	char *q, *found = NULL, subs[512] = " ", name[64];
	const char *detail;

	xasprintf(&q, "EXPLAIN QUERY PLAN %s", sql);
	s = store_prepare_dynamic(q);
	free(q);
	if (s == NULL)
		return (xstrdup("(cannot prepare)"));
	while (found == NULL && sqlite3_step(s) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(s, 3);
		if (sscanf(detail, "CO-ROUTINE %63s", name) == 1 ||
		    sscanf(detail, "MATERIALIZE %63s", name) == 1) {
			strncat(subs, name, sizeof subs - strlen(subs) - 2);
			strcat(subs, " ");
			continue;
		}
		/*
		 * "SCAN CONSTANT ROW": a SELECT of literals, no table;
		 * "VIRTUAL TABLE": json_each of a bound list.
		 */
		if (sscanf(detail, "SCAN %63s", name) != 1 ||
		    strcmp(name, "CONSTANT") == 0 ||
		    strstr(detail, "VIRTUAL TABLE") != NULL)
			continue;
		xasprintf(&q, " %s ", name);
		if (strstr(subs, q) == NULL)
			found = xstrdup(detail);
		free(q);
	}
	sqlite3_finalize(s);
	return (found);
}

/* Does the plan of sql sort in a temporary B-tree? */
static int
plan_sorts(const char *sql)
{
	sqlite3_stmt *s;
	char *q;
	int sorts = 0;

	xasprintf(&q, "EXPLAIN QUERY PLAN %s", sql);
	s = store_prepare_dynamic(q);
	free(q);
	while (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(s, 3),
		    "TEMP B-TREE") != NULL)
			sorts = 1;
	sqlite3_finalize(s);
	return (sorts);
}

/* A period cut into buckets, as "grain:lo..hi grain:lo..hi". */
static void
cut_is(const char *from, const char *to, const char *want)
{
	struct tally_range r[TALLY_RANGES];
	char got[512] = "";
	size_t len;
	int i, n;

	n = store_tally_cut(from, to, r);
	for (i = 0; i < n; i++) {
		len = strlen(got);
		snprintf(got + len, sizeof got - len, "%s%d:%s..%s",
		    i > 0 ? " " : "", r[i].grain, r[i].lo, r[i].hi);
	}
	if (n < 0)
		snprintf(got, sizeof got, "error");
	ok(strcmp(got, want) == 0, "%s..%s is cut into %s%s%s", from, to,
	    want, strcmp(got, want) != 0 ? ", not " : "",
	    strcmp(got, want) != 0 ? got : "");
}

static void
test_cut(void)
{
	cut_is("0001-01-01", "9999-12-30", "0:..");
	cut_is("2026-03-15", "2026-03-15", "10:2026-03-15..2026-03-15");
	cut_is("2026-03-01", "2026-03-31", "7:2026-03..2026-03");
	cut_is("2026-01-01", "2026-12-31", "4:2026..2026");
	cut_is("2025-11-20", "2027-02-03", "10:2025-11-20..2025-11-30"
	    " 7:2025-12..2025-12 4:2026..2026 7:2027-01..2027-01"
	    " 10:2027-02-01..2027-02-03");
	cut_is("2024-02-01", "2024-02-29", "7:2024-02..2024-02");
	cut_is("2023-02-01", "2023-02-28", "7:2023-02..2023-02");
	cut_is("2024-02-01", "2024-02-28", "10:2024-02-01..2024-02-28");
	cut_is("2026-12-31", "2027-01-01", "10:2026-12-31..2027-01-01");
	cut_is("0001-01-01", "2026-06-15", "4:0001..2025"
	    " 7:2026-01..2026-05 10:2026-06-01..2026-06-15");
	cut_is("2026-06-16", "9999-12-30", "10:2026-06-16..2026-06-30"
	    " 7:2026-07..2026-12 4:2027..9998 7:9999-01..9999-11"
	    " 10:9999-12-01..9999-12-30");
}

int
main(void)
{
	static const char *const queries[] = { "connections", NULL };
	static const char *const tallies[] = {
		"facts", "sum", "not_yet", "not_yet_territory", NULL
	};
	static const char *const lists[] = {
		"warranties", "repairs_open", "kits_ready", NULL
	};
	char path[256], *cause = NULL, *scan;
	int i;

	log_init(1, 0);
	if (mkdtemp(dir) == NULL)
		return (1);
	snprintf(path, sizeof path, "%s/report.db", dir);
	ok(store_open(path, &cause) == 0, "fresh database opens");
	ok(profile_load(NULL, &cause) == 0, "built-in profile loads");
	for (i = 0; queries[i] != NULL; i++) {
		scan = full_scan(store_report_sql(queries[i]));
		ok(scan == NULL, "indicator query %s starts from an index%s%s",
		    queries[i], scan != NULL ? ": " : "",
		    scan != NULL ? scan : "");
		free(scan);
	}
	for (i = 0; tallies[i] != NULL; i++) {
		scan = full_scan(store_tally_sql(tallies[i]));
		ok(scan == NULL, "tally query %s starts from an index%s%s",
		    tallies[i], scan != NULL ? ": " : "",
		    scan != NULL ? scan : "");
		free(scan);
	}
	test_cut();
	for (i = 0; lists[i] != NULL; i++) {
		scan = full_scan(store_report_list_sql(lists[i]));
		ok(scan == NULL, "alert list %s starts from an index%s%s",
		    lists[i], scan != NULL ? ": " : "",
		    scan != NULL ? scan : "");
		free(scan);
	}
	scan = full_scan("SELECT tag FROM beneficiary WHERE category = 'x'");
	ok(scan != NULL, "a full scan is seen when there is one");
	free(scan);
	scan = full_scan("SELECT b.tag FROM beneficiary b JOIN diagnostic d"
	    " ON d.beneficiary_id = b.id WHERE d.adviser = 'x'");
	ok(scan != NULL, "also under an alias");
	free(scan);
	ok(store_report_sql("nonesuch") == NULL, "an unknown query is NULL");
	ok(!plan_sorts(store_report_sql("connections")),
	    "every connection, for the exports, is read in order: no sort");
	ok(plan_sorts("SELECT tag FROM beneficiary ORDER BY category"),
	    "a sort is seen when there is one");
	store_close();
	snprintf(path, sizeof path, "rm -rf %s", dir);
	(void)system(path);
	return (tap_done());
}
