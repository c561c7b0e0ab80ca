/*
 * The store on real SQLite files: migrations on a fresh, an older and a
 * newer database, the pragmas, the ledger's refusal to be rewritten, and
 * the store_* functions on a fresh database with the built-in profile.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kitstockd.h"
#include "tap.h"

static char dir[] = "/tmp/kitstock-test-store.XXXXXX";

/* Run SQL on a file with the sqlite3 library directly; SQLITE_OK or not. */
static int
raw(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (-1);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return (rc);
}

/* One integer from a query on a file. */
static long long
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (-1);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return (v);
}

/* How many backups of path were taken? */
static int
backups(const char *name)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, name, strlen(name)) == 0 &&
		    strstr(e->d_name, ".bak") != NULL)
			n++;
	closedir(d);
	return (n);
}

int
main(void)
{
	struct actor a = { "test", "cli", NULL };
	char path[256], old[256], newer[256], *cause = NULL, tag[TAG_LEN + 1];
	json_t *o, *vals;
	int loaded, rc;
	int64_t id;

	log_init(1, 0);
	if (mkdtemp(dir) == NULL)
		return (1);

	/* A fresh database runs every step. */
	snprintf(path, sizeof path, "%s/fresh.db", dir);
	rc = store_open(path, &cause);
	ok(rc == 0, "fresh database opens");
	ok(store_schema_version() == store_nmigrations,
	    "fresh database is at version %d", store_nmigrations);
	ok(backups("fresh.db") == 0, "no backup of a new database");
	ok(profile_load(NULL, &cause) == 0, "built-in profile loads");
	ok(store_profile_loaded(&loaded) == STORE_OK && loaded,
	    "profile is recorded");
	ok(profile_load(NULL, &cause) == 0, "loading it again is a no-op");
	ok(store_commune_check("93066", &cause) == STORE_OK, "Saint-Denis ok");
	rc = store_commune_check("93059", &cause);
	ok(rc == STORE_CONFLICT && cause != NULL && strstr(cause, "93066"),
	    "Pierrefitte merged into Saint-Denis");
	free(cause);
	cause = NULL;
	rc = store_commune_check("75056", &cause);
	ok(rc == STORE_NOTFOUND && cause != NULL, "Paris is not in the 93");
	free(cause);
	cause = NULL;

	/* Generic create, show, ledger. */
	ok(store_begin() == STORE_OK, "begin");
	vals = json_pack("{ss ss sb}", "name", "Ateliers", "ess", "insertion",
	    "local", 1);
	ok(store_item_add(&res_supplier, &a, vals, tag) == STORE_OK,
	    "supplier added");
	json_decref(vals);
	is_str(tag, "F-0000001-6", "first supplier tag");
	ok(store_commit() == STORE_OK, "commit");
	ok(store_item_get(&res_supplier, tag, &o) == STORE_OK &&
	    json_is_true(json_object_get(o, "local")), "supplier shown");
	json_decref(o);
	ok(store_item_get(&res_supplier, "F-0000002-4", &o) == STORE_NOTFOUND,
	    "unknown tag not found");
	ok(store_id_of("supplier", tag, &id) == STORE_OK && id == 1, "id of tag");
	ok(store_ledger_history(tag, &o) == STORE_OK &&
	    json_array_size(o) == 1, "one ledger row");
	is_str(json_string_value(json_object_get(json_array_get(o, 0),
	    "action")), "create", "ledger row is create");
	json_decref(o);
	store_close();

	/* The database itself refuses to rewrite the ledger. */
	ok(raw(path, "UPDATE ledger SET actor = 'x'") != SQLITE_OK,
	    "UPDATE on the ledger refused");
	ok(raw(path, "DELETE FROM ledger") != SQLITE_OK,
	    "DELETE on the ledger refused");
	ok(raw_int(path, "SELECT count(*) FROM ledger") == 1, "ledger intact");
	ok(raw_int(path, "PRAGMA journal_mode = WAL") >= 0 &&
	    raw_int(path, "SELECT count(*) FROM pragma_foreign_key_list("
	    "'device')") > 0, "foreign keys declared");

	/* An older database (version 1) is backed up, then migrated. */
	snprintf(old, sizeof old, "%s/old.db", dir);
	ok(raw(old, "PRAGMA journal_mode = WAL") == SQLITE_OK, "old db made");
	ok(raw(old, "BEGIN") == SQLITE_OK, "raw begin");
	{
		sqlite3 *db;
		char *sql;

		sqlite3_open(old, &db);
		xasprintf(&sql, "BEGIN; %s; PRAGMA user_version = 1; COMMIT;",
		    store_migrations[0]);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		free(sql);
		sqlite3_exec(db, "INSERT INTO programme VALUES ('code', 'old')",
		    NULL, NULL, NULL);
		sqlite3_close(db);
	}
	ok(rc == SQLITE_OK && raw_int(old, "PRAGMA user_version") == 1,
	    "old database is at version 1");
	ok(store_open(old, &cause) == 0, "old database opens");
	ok(store_schema_version() == store_nmigrations, "and is migrated");
	store_close();
	ok(backups("old.db") == 1, "a backup was taken before migrating");
	ok(raw_int(old, "SELECT count(*) FROM programme WHERE value = 'old'") ==
	    1, "data kept across the migration");
	ok(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name ="
	    " 'ledger_at'") == 1, "step 2 applied");

	/* A newer database is refused, untouched. */
	snprintf(newer, sizeof newer, "%s/newer.db", dir);
	ok(raw(newer, "PRAGMA user_version = 999") == SQLITE_OK, "newer made");
	rc = store_open(newer, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "newer") != NULL,
	    "newer database refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	ok(raw_int(newer, "PRAGMA user_version") == 999, "left untouched");

	/* A memory database works for everything else. */
	ok(store_open(":memory:", &cause) == 0, ":memory: opens");
	ok(profile_load(NULL, &cause) == 0, "profile into :memory:");
	ok(store_programme(&o) == STORE_OK && json_array_size(
	    json_object_get(o, "territories")) == 4, "four territories");
	json_decref(o);
	ok(store_communes("T6", NULL, &o) == STORE_OK &&
	    json_array_size(o) == 9, "T6 had 9 communes");
	json_decref(o);
	ok(store_communes("T6", "2026-01-01", &o) == STORE_OK &&
	    json_array_size(o) == 8, "T6 has 8 communes after the merger");
	json_decref(o);
	ok(store_communes(NULL, "2021-06-01", &o) == STORE_OK &&
	    json_array_size(o) == 40, "40 communes in 2021");
	json_decref(o);
	vals = json_array();
	{
		json_t *none = json_object();

		ok(store_stock(vals, none, &o) == STORE_OK, "empty stock");
		json_decref(none);
	}
	json_decref(vals);
	json_decref(o);

	/* Kits, hand-overs, top-ups, repairs: their queries prepare. */
	{
		char k[TAG_LEN + 1], b[TAG_LEN + 1], st[32], *v = NULL;

		ok(store_kit_needs("B-0000001-V", &o) == STORE_NOTFOUND,
		    "no needs for no one");
		ok(store_kit_of("B-0000001-V", k, st, sizeof st) == STORE_OK &&
		    k[0] == '\0', "no kit in force");
		ok(store_kit_get("K-0000001-L", &o) == STORE_NOTFOUND,
		    "no such kit");
		ok(store_kit_holder("D-0000001-Z", k, b) == STORE_OK &&
		    k[0] == '\0', "a unit in no kit");
		ok(store_kit_plan("K-0000001-L", &o) == STORE_OK &&
		    json_array_size(o) == 0, "an empty plan");
		json_decref(o);
		ok(store_kit_units("K-0000001-L", &o) == STORE_OK &&
		    json_array_size(o) == 0, "no units");
		json_decref(o);
		ok(store_kit_accessories("K-0000001-L", &o) == STORE_OK &&
		    json_array_size(o) == 0, "no accessories");
		json_decref(o);
		ok(store_programme_value("contribution-cap-eur", &v) ==
		    STORE_OK && v != NULL && strcmp(v, "50") == 0,
		    "the 93 profile caps contributions at 50 euros");
		free(v);
		ok(store_location_kind("L-0000001-O", st, sizeof st) ==
		    STORE_OK && st[0] == '\0', "no such location");
		ok(store_convocations("E-0000001-3", &o) == STORE_OK &&
		    json_array_size(o) == 0, "no convocations");
		json_decref(o);
		ok(store_distribution_payments("E-0000001-3", &o) == STORE_OK &&
		    json_integer_value(json_object_get(o, "checkouts")) == 0,
		    "no payments");
		json_decref(o);
		ok(store_sim_connection("S-0000001-8", &o) == STORE_NOTFOUND,
		    "no such SIM card");
		ok(store_sim_of("B-0000001-V", k) == STORE_OK && k[0] == '\0',
		    "no one connected");
		ok(store_topups(NULL, NULL, 0, 100, &o) == STORE_OK &&
		    json_array_size(json_object_get(o, "items")) == 0 &&
		    json_is_null(json_object_get(o, "next")),
		    "no top-ups, no next page");
		json_decref(o);
		ok(store_connections(6, NULL, NULL, 0, 100, &o) == STORE_OK &&
		    json_array_size(json_object_get(o, "items")) == 0 &&
		    json_is_null(json_object_get(o, "next")),
		    "no connections, no next page");
		json_decref(o);
		ok(store_repair_open_of("D-0000001-Z", st, sizeof st) ==
		    STORE_OK && st[0] == '\0', "no repair open");
		ok(store_repairs(NULL, NULL, NULL, NULL, 0, 100, &o) ==
		    STORE_OK && json_array_size(json_object_get(o,
		    "items")) == 0 && json_is_null(json_object_get(o, "next")),
		    "no repairs, no next page");
		json_decref(o);
		ok(store_repair_get(1, &o) == STORE_NOTFOUND, "no ticket 1");
		ok(store_device_holds_data("D-0000001-Z", st, sizeof st) ==
		    STORE_OK && st[0] == '\0', "no one's data");
		/* Places and offers (store-offers.c). */
		ok(store_offers_communes(NULL, "93200", &o) == STORE_OK &&
		    json_array_size(o) == 1 && strcmp(json_string_value(
		    json_object_get(json_array_get(o, 0), "insee")),
		    "93066") == 0, "93200 is Saint-Denis");
		json_decref(o);
		ok(store_offers_communes("75056", NULL, &o) == STORE_OK &&
		    json_array_size(o) == 0, "Paris is not a commune here");
		json_decref(o);
		ok(store_offers_place_find("x", &id, st, sizeof st) ==
		    STORE_OK && id == 0, "no place x");
		vals = json_pack("{ss ss s[s] si}", "commune", "93066",
		    "territory", "T6", "kinds", "initiation", "limit", 10);
		ok(store_offers_suggest(vals, &o) == STORE_OK &&
		    json_array_size(o) == 0, "nothing to suggest");
		json_decref(vals);
		json_decref(o);
		ok(store_offers_dropouts("2030-01-01", 21, NULL, &o) ==
		    STORE_OK && json_array_size(o) == 0, "no drop-outs");
		json_decref(o);
		ok(store_offers_attendance(NULL, NULL, NULL, &o) == STORE_OK &&
		    json_integer_value(json_object_get(o, "oriented")) == 0,
		    "no orientations to count");
		json_decref(o);
	}
	store_close();

	snprintf(path, sizeof path, "rm -rf %s", dir);
	(void)system(path);
	return (tap_done());
}
