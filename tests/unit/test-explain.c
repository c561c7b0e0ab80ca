/*
 * KITSTOCKD_EXPLAIN (store-explain.c): the plan of each distinct statement
 * prepared, once, with the real table behind each alias, views included,
 * and no table for a subquery's rows.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kitstockd.h"
#include "tap.h"

static char dir[] = "/tmp/kitstock-test-explain.XXXXXX";

/* Prepare sql the way the store does for generic queries, and drop it. */
static void
prepare(const char *sql)
{
	sqlite3_stmt *s;

	if ((s = store_prepare_dynamic(sql)) != NULL)
		sqlite3_finalize(s);
}

/* How many lines of the file are exactly line. */
static int
lines(const char *path, const char *line)
{
	FILE *f;
	char buf[8192];
	int n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(buf, sizeof buf, f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, line) == 0)
			n++;
	}
	fclose(f);
	return (n);
}

int
main(void)
{
	char db[128], plans[128], cmd[160], *cause = NULL;
	const char *q1 = "SELECT d.tag FROM device d WHERE d.model = ?1";

	log_init(1, 0);
	if (mkdtemp(dir) == NULL)
		return (1);
	snprintf(db, sizeof db, "%s/db", dir);
	snprintf(plans, sizeof plans, "%s/plans", dir);
	setenv("KITSTOCKD_EXPLAIN", plans, 1);
	ok(store_open(db, &cause) == 0, "store opens");

	prepare(q1);
	prepare(q1);
	ok(lines(plans, "sql\tSELECT d.tag FROM device d WHERE d.model = ?1")
	    == 1, "a statement prepared twice is explained once");
	ok(lines(plans, "plan\t0\tdevice\tSCAN d") == 1,
	    "its scan names the table behind the alias");

	prepare("SELECT * FROM device_v WHERE tag = ?1");
	ok(lines(plans, "plan\t0\tdevice\tSEARCH d USING INDEX"
	    " sqlite_autoindex_device_1 (tag=?)") == 1,
	    "an alias inside a view is resolved");
	ok(lines(plans, "plan\t0\tlot\tSEARCH lt USING INTEGER PRIMARY KEY"
	    " (rowid=?) LEFT-JOIN") == 1, "every table the view joins");

	prepare("SELECT * FROM kit_v WHERE tag = ?1");
	ok(lines(plans, "plan\t1\t-\tSCAN x") >= 1,
	    "a subquery's rows are no table");
	ok(lines(plans, "plan\t1\tkit_accessory\tSCAN x") == 0,
	    "though a table of the view has the same alias");

	prepare("SELECT count(*) FROM nonesuch");
	ok(lines(plans, "sql\tSELECT count(*) FROM nonesuch") == 0,
	    "a statement that does not prepare is not explained");

	store_close();
	unsetenv("KITSTOCKD_EXPLAIN");
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)system(cmd);
	return (tap_done());
}
