/*
 * make bench, reports at scale and bulk work.
 *
 * 4. A generator fills a database at national size (1 M devices, 200 k
 *    SIM cards, 1 M beneficiaries across 100 territories, and their
 *    histories: diagnostics, kits and hand-overs, top-ups, follow-ups,
 *    ledger rows), then the real daemon serves it and the bench times the
 *    stock summary, the indicators, a beneficiary's history, a device
 *    lookup, a list page deep in the list and the evaluation export. It
 *    reports the database's size and the daemon's peak RSS.
 * 5. Bulk work on an empty database: a 10,000-line manifest import, 1,000
 *    labels to PDF and 1,000 to ZPL.
 *
 * The generator writes with SQL in bulk (it is not what is measured); the
 * reports are asked over the UNIX socket as a client would. Sizes can be
 * scaled down with BENCH_SCALE (e.g. 0.1) for a quick look. BENCH_DB=FILE
 * times the reports on a database generated before (at the same scale,
 * kept with BENCH_KEEP=1) rather than generating one: the generation
 * takes minutes at national scale.
 */

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "kitstockd.h"

#define RUNS	5		/* each report is timed this many times */

static char dir[] = "/tmp/kitstock-bench-reports.XXXXXX";
static char sock_path[256];
static pid_t daemon_pid;
static double scale = 1.0;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
stop_daemon(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
}

static void
cleanup(void)
{
	char cmd[300];

	stop_daemon();
	/* BENCH_KEEP=1: leave the generated database for a closer look. */
	if (getenv("BENCH_KEEP") != NULL) {
		fprintf(stderr, "bench: kept %s\n", dir);
		return;
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)system(cmd);
}

/* ks_tag('D', 42): the tag of a sequence number, check character and all. */
static void
sql_tag(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char tag[TAG_LEN + 1];
	const unsigned char *l = sqlite3_value_text(argv[0]);

	tag_make(tag, l[0], (unsigned long)sqlite3_value_int64(argv[1]));
	sqlite3_result_text(ctx, tag, -1, SQLITE_TRANSIENT);
}

static void
exec(sqlite3 *db, const char *what, const char *sql)
{
	char *e = NULL;
	double t0 = now();

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		errx(1, "generator, %s: %s", what, e);
	printf("  generated %-28s %6.1f s\n", what, now() - t0);
}

static long
n_of(long n)
{
	return ((long)(n * scale) > 0 ? (long)(n * scale) : 1);
}

/*
 * The national database. Sizes are those of the issue; the shapes follow
 * the programme: most beneficiaries diagnosed, 60 % equipped, a SIM card
 * for a third of those, paid for 1 to 6 months from the hand-over (five in
 * six short of the 6 months: top-ups due), follow-ups at 3 and 6 months
 * for half.
 */
static void
generate(const char *path)
{
	sqlite3 *db;
	char *sql, *cause = NULL;
	double t0;
	long devices = n_of(1000000), sims = n_of(200000),
	    people = n_of(1000000);

	/* Schema and the 93 profile, as the daemon makes them. */
	if (store_open(path, &cause) != 0 || profile_load(NULL, &cause) != 0)
		errx(1, "store: %s", cause);
	store_close();

	if (sqlite3_open(path, &db) != SQLITE_OK)
		errx(1, "open %s", path);
	sqlite3_create_function(db, "ks_tag", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_tag, NULL, NULL);
	exec(db, "settings", "PRAGMA synchronous = OFF;"
	    " PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144;"
	    " CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);"
	    " WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
	    " WHERE i < 1000000) INSERT INTO n SELECT i FROM c");
	exec(db, "territories", "BEGIN;"
	    " INSERT INTO territory (code, name, budget_cents,"
	    " target_diagnosed, target_equipped, target_connected,"
	    " target_oriented, target_certified)"
	    " SELECT printf('N%02d', i), printf('Territoire %d', i), 18750000,"
	    " 12000, 10000, 5000, 7500, 5000 FROM n WHERE i <= 96;"
	    /* 10 communes each, with codes no real 93 commune has. */
	    " INSERT INTO commune (insee, name, territory, postal_codes)"
	    " SELECT printf('%05d', 10000 + i), printf('Commune %d', i),"
	    " printf('N%02d', (i - 1) / 10 + 1), printf('%05d', 10000 + i)"
	    " FROM n WHERE i <= 960;"
	    " CREATE TEMP TABLE cm AS SELECT row_number() OVER"
	    " (ORDER BY insee) AS k, insee, territory FROM commune"
	    " WHERE merged_into IS NULL;"
	    " INSERT INTO supplier (id, tag, name, ess, local, created_at)"
	    " SELECT i, ks_tag('F', i), printf('Fournisseur %d', i),"
	    " CASE i % 3 WHEN 0 THEN 'insertion' WHEN 1 THEN 'none'"
	    " ELSE 'association' END, i % 2, '2026-01-01T00:00:00Z'"
	    " FROM n WHERE i <= 100;"
	    " INSERT INTO location (id, tag, name, kind, commune, created_at)"
	    " SELECT i, ks_tag('L', i), printf('Lieu %d', i),"
	    " CASE WHEN i % 2 THEN 'warehouse' ELSE 'distribution' END,"
	    " (SELECT insee FROM cm WHERE k = 1 + i * 7 % (SELECT count(*)"
	    " FROM cm)), '2026-01-01T00:00:00Z' FROM n WHERE i <= 200;"
	    " INSERT INTO lot (id, tag, supplier_id, ref, unit_cost_cents,"
	    " created_at) SELECT i, ks_tag('R', i), 1 + i % 100,"
	    " printf('BL-%d', i), 15000, '2026-01-01T00:00:00Z'"
	    " FROM n WHERE i <= 1000;"
	    " INSERT INTO prescriber (id, tag, kind, name, territory,"
	    " created_at) SELECT i, ks_tag('P', i), CASE i % 4 WHEN 0 THEN"
	    " 'pie' WHEN 1 THEN 'france_travail' WHEN 2 THEN 'mission_locale'"
	    " ELSE 'siae' END, printf('Prescripteur %d', i),"
	    " (SELECT territory FROM cm WHERE k = 1 + i % (SELECT count(*)"
	    " FROM cm)), '2026-01-01T00:00:00Z' FROM n WHERE i <= 1000;"
	    " INSERT INTO distribution (id, tag, held_on, place_id, state,"
	    " created_at) SELECT i, ks_tag('E', i), date('2025-06-01',"
	    " printf('+%d days', i % 500)), 2 * (1 + i % 100), 'closed',"
	    " '2026-01-01T00:00:00Z' FROM n WHERE i <= 2000;"
	    " COMMIT");
	xasprintf(&sql, "BEGIN;"
	    " INSERT INTO device (id, tag, kind, brand, model, serial, grade,"
	    " lot_id, cost_cents, warranty_until, state, location_id,"
	    " created_at) SELECT i, ks_tag('D', i), CASE i %% 5 WHEN 0 THEN"
	    " 'desktop' WHEN 1 THEN 'laptop' WHEN 2 THEN 'laptop' WHEN 3 THEN"
	    " 'tablet' ELSE 'smartphone' END, 'Lenovo', 'T480',"
	    " printf('SN%%08d', i), 'B', 1 + i %% 1000, 15000,"
	    " date('2026-01-01', printf('+%%d days', i %% 700)),"
	    " CASE WHEN i %% 10 < 6 THEN 'handed_over' WHEN i %% 10 < 8 THEN"
	    " 'in_stock' WHEN i %% 10 = 8 THEN 'in_kit' ELSE 'in_repair' END,"
	    " 1 + i %% 200, '2025-06-01T00:00:00Z' FROM n WHERE i <= %ld;"
	    " INSERT INTO ledger (at, recorded_at, actor, station, entity,"
	    " action, to_value) SELECT '2025-06-01T00:00:00Z',"
	    " '2025-06-01T00:00:00Z', 'bench', 'api', ks_tag('D', i),"
	    " 'create', 'received' FROM n WHERE i <= %ld;"
	    " COMMIT", devices, devices);
	exec(db, "devices and their ledger", sql);
	free(sql);
	xasprintf(&sql, "BEGIN;"
	    " INSERT INTO sim (id, tag, iccid, msisdn, operator, plan_gb,"
	    " plan_price_cents, lot_id, state, location_id, paid_until,"
	    " created_at) SELECT i, ks_tag('S', i), printf('8933%%015d', i),"
	    " printf('+336%%08d', i), 'Opérateur', 50, 1000, 1 + i %% 1000,"
	    " CASE WHEN i %% 10 < 7 THEN 'active' ELSE 'in_stock' END,"
	    " 1 + i %% 200, date('2026-06-01', printf('+%%d days', i %% 365)),"
	    " '2025-06-01T00:00:00Z' FROM n WHERE i <= %ld;"
	    " COMMIT", sims);
	exec(db, "SIM cards", sql);
	free(sql);
	xasprintf(&sql, "BEGIN;"
	    " INSERT INTO beneficiary (id, tag, commune, territory, category,"
	    " prescriber_id, referred_on, consent_on, created_at)"
	    " SELECT i, ks_tag('B', i), cm.insee, cm.territory,"
	    " CASE i %% 4 WHEN 0 THEN 'rsa_training' WHEN 1 THEN"
	    " 'long_term_unemployed' WHEN 2 THEN 'mission_locale' ELSE"
	    " 'siae_employee' END, 1 + i %% 1000, date('2025-05-01',"
	    " printf('+%%d days', i %% 500)), date('2025-05-01',"
	    " printf('+%%d days', i %% 500)), '2025-05-01T00:00:00Z'"
	    " FROM n JOIN cm ON cm.k = 1 + i %% (SELECT count(*) FROM cm)"
	    " WHERE i <= %ld;"
	    " INSERT INTO beneficiary_identity (beneficiary_id, first_name,"
	    " last_name, phone) SELECT i, printf('Prénom%%d', i),"
	    " printf('Nom%%d', i), printf('+337%%08d', i) FROM n"
	    " WHERE i <= %ld;"
	    " INSERT INTO diagnostic (beneficiary_id, diagnosed_on, adviser,"
	    " device_need, connection_need, autonomy, created_at)"
	    " SELECT i, date('2025-05-15', printf('+%%d days', i %% 500)),"
	    " 'Conseiller', CASE i %% 3 WHEN 0 THEN 'laptop' WHEN 1 THEN"
	    " 'desktop' ELSE 'tablet' END, CASE WHEN i %% 3 = 0 THEN 'sim'"
	    " ELSE 'none' END, 1 + i %% 4, '2025-05-15T00:00:00Z' FROM n"
	    " WHERE i <= %ld AND i %% 20 <> 0;"
	    /* A person's history is the ledger rows of their B- tag. */
	    " INSERT INTO ledger (at, recorded_at, actor, station, entity,"
	    " action) SELECT '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z',"
	    " 'bench', 'api', ks_tag('B', i), 'create' FROM n WHERE i <= %ld;"
	    " INSERT INTO ledger (at, recorded_at, actor, station, entity,"
	    " action) SELECT d.created_at, d.created_at, 'bench', 'api',"
	    " ks_tag('B', d.beneficiary_id), 'diagnostic' FROM diagnostic d;"
	    " COMMIT", people, people, people, people);
	exec(db, "beneficiaries, diagnostics", sql);
	free(sql);
	/* Beneficiary i is equipped with device i (60 % of devices). */
	xasprintf(&sql, "BEGIN;"
	    " INSERT INTO kit (id, tag, beneficiary_id, location_id, state,"
	    " allocated_at, ready_at, created_at) SELECT i, ks_tag('K', i), i,"
	    " 2 * (1 + i %% 100), 'handed_over', '2025-06-01T00:00:00Z',"
	    " '2025-06-02T00:00:00Z', '2025-06-01T00:00:00Z' FROM n"
	    " WHERE i <= %ld AND i <= %ld AND i %% 10 < 6;"
	    " INSERT INTO kit_unit (kit_id, device_id, added_at) SELECT id,"
	    " id, allocated_at FROM kit;"
	    " INSERT INTO kit_unit (kit_id, sim_id, added_at) SELECT id, id,"
	    " allocated_at FROM kit WHERE id <= %ld;"
	    " INSERT INTO handover (id, kit_id, beneficiary_id,"
	    " distribution_id, place_id, at, contribution_cents, actor,"
	    " recorded_at) SELECT id, id, id, 1 + id %% 2000,"
	    " 2 * (1 + id %% 100), date('2025-06-10', printf('+%%d days',"
	    " id %% 500)) || 'T10:00:00Z', 0, 'bench', '2025-06-10T10:00:00Z'"
	    " FROM kit;"
	    " INSERT INTO ledger (at, recorded_at, actor, station, entity,"
	    " action, from_value, to_value) SELECT h.at, h.recorded_at,"
	    " 'bench', 'api', ks_tag('D', h.kit_id), 'state', 'in_kit',"
	    " 'handed_over' FROM handover h;"
	    " INSERT INTO topup (sim_id, handover_id, kind, on_date,"
	    " amount_cents, paid_until, actor, recorded_at) SELECT k.sim_id,"
	    " k.kit_id, 'activation', substr(h.at, 1, 10), 1000,"
	    " date(substr(h.at, 1, 10), printf('+%%d months', 1 + k.kit_id"
	    " %% 6)), 'bench', h.recorded_at FROM kit_unit k JOIN handover h"
	    " ON h.kit_id = k.kit_id WHERE k.sim_id IS NOT NULL;"
	    /* A SIM card is paid until its last period, as the API keeps it. */
	    " UPDATE sim SET paid_until = (SELECT max(t.paid_until)"
	    " FROM topup t WHERE t.sim_id = sim.id) WHERE id IN"
	    " (SELECT sim_id FROM topup);"
	    " INSERT INTO followup (beneficiary_id, month, followed_on, due_on,"
	    " basis, reached, device_in_use, connected, created_at)"
	    " SELECT h.beneficiary_id, m.i, date(substr(h.at, 1, 10),"
	    " printf('+%%d months', m.i)), date(substr(h.at, 1, 10),"
	    " printf('+%%d months', m.i)), 'handed_over', 1, 1, 1,"
	    " h.recorded_at FROM handover h JOIN n m ON m.i IN (3, 6)"
	    " WHERE h.id %% 2 = 0;"
	    " INSERT INTO ledger (at, recorded_at, actor, station, entity,"
	    " action, to_value) SELECT h.at, h.recorded_at, 'bench', 'api',"
	    " ks_tag('B', h.beneficiary_id), 'handed_over', ks_tag('K',"
	    " h.kit_id) FROM handover h;"
	    " COMMIT", people, devices, sims);
	exec(db, "kits, hand-overs, follow-ups", sql);
	free(sql);
	/* The rows above bypassed the daemon: its tallies in one pass. */
	exec(db, "report tallies (marks)", "DELETE FROM report_dirty");
	sqlite3_close(db);
	t0 = now();
	if (store_open(path, &cause) != 0 || store_begin() != STORE_OK ||
	    store_tally_rebuild() != STORE_OK || store_commit() != STORE_OK)
		errx(1, "report tallies: %s", cause != NULL ? cause :
		    store_errmsg());
	store_close();
	printf("  generated %-28s %6.1f s\n", "report tallies", now() - t0);
	/*
	 * No ANALYZE: kitstockd runs none, so the plans timed here are the
	 * ones a real database gets (with sqlite_stat1 the planner may build
	 * a Bloom filter over a whole table at each page of a list).
	 */
}

static void
start_daemon(const char *kitstockd, const char *db, const char *conf)
{
	CURL *c;
	int i;

	if ((daemon_pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Stopped with the bench, however it ends (timeout, kill). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 2);
		execl(kitstockd, "kitstockd", "-f", "-d", db, "-s", sock_path,
		    "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 600; i++) {
		if (access(sock_path, F_OK) == 0 && (c = curl_easy_init())) {
			curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock_path);
			curl_easy_setopt(c, CURLOPT_URL, "http://k/v1/health");
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
			if (curl_easy_perform(c) == CURLE_OK) {
				curl_easy_cleanup(c);
				return;
			}
			curl_easy_cleanup(c);
		}
		usleep(100000);
	}
	errx(1, "kitstockd did not start");
}

static char answer[512];	/* the start of the last answer, for errors */

static size_t
count_cb(char *p, size_t size, size_t n, void *arg)
{
	size_t *have = arg;

	if (*have < sizeof answer - 1)
		snprintf(answer + *have, sizeof answer - *have, "%.*s",
		    (int)(size * n), p);
	*have += size * n;
	return (size * n);
}

/* One request; its status, the bytes of its answer, its time in ms. */
static long
request(const char *method, const char *path, const char *type,
    const char *body, size_t body_len, size_t *bytes, double *ms)
{
	struct curl_slist *h = NULL;
	char url[8300], ctype[64];
	CURL *c;
	long status = 0;
	double t0;

	if ((c = curl_easy_init()) == NULL)
		errx(1, "curl");
	snprintf(url, sizeof url, "http://k%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock_path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_cb);
	*bytes = 0;
	curl_easy_setopt(c, CURLOPT_WRITEDATA, bytes);
	if (body != NULL) {
		snprintf(ctype, sizeof ctype, "Content-Type: %s", type);
		h = curl_slist_append(h, ctype);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	t0 = now();
	if (curl_easy_perform(c) != CURLE_OK)
		errx(1, "%s %s: no answer", method, path);
	*ms = (now() - t0) * 1000;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return (status);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* Time a GET RUNS times: the median and the worst; stops on an error. */
static void
time_get(const char *what, const char *path, double goal_ms)
{
	double ms[RUNS];
	size_t bytes;
	long st;
	int i;

	for (i = 0; i < RUNS; i++)
		if ((st = request("GET", path, NULL, NULL, 0, &bytes,
		    &ms[i])) != 200)
			errx(1, "%s: GET %s answered %ld: %s", what, path, st,
			    answer);
	qsort(ms, RUNS, sizeof ms[0], cmp_double);
	printf("%-30s %9.1f ms %9.1f ms %10zu B   goal < %.0f ms: %s\n", what,
	    ms[RUNS / 2], ms[RUNS - 1], bytes, goal_ms,
	    ms[RUNS / 2] < goal_ms ? "met" : "MISSED");
}

/* The daemon's peak resident memory, in MB (VmHWM). */
static double
peak_rss(void)
{
	char path[64], line[256];
	FILE *f;
	double kb = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)daemon_pid);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = atof(line + 6);
	fclose(f);
	return (kb / 1024);
}

static void
reports(const char *kitstockd, const char *conf)
{
	char db[300], path[256], tag[TAG_LEN + 1];
	struct stat st;
	double t0;
	long people = n_of(1000000), devices = n_of(1000000);

	printf("\n4. reports at national scale\n");
	if (getenv("BENCH_DB") != NULL) {
		snprintf(db, sizeof db, "%s", getenv("BENCH_DB"));
		if (stat(db, &st) != 0)
			err(1, "BENCH_DB %s", db);
		printf("  generated before: %s, database %.0f MB\n", db,
		    st.st_size / 1048576.0);
	} else {
		snprintf(db, sizeof db, "%s/national.db", dir);
		t0 = now();
		generate(db);
		if (stat(db, &st) != 0)
			err(1, "%s", db);
		printf("  generated in %.0f s: database %.0f MB\n",
		    now() - t0, st.st_size / 1048576.0);
	}

	start_daemon(kitstockd, db, conf);
	printf("\n%-30s %12s %12s %12s\n", "report", "median", "worst",
	    "answer");
	time_get("stock by kind and state", "/v1/stock?by=kind,state", 50);
	time_get("stock by territory", "/v1/stock?by=territory,kind", 50);
	/* 96 territories: their totals, the breakdowns of the whole. */
	time_get("indicators", "/v1/indicators", 50);
	time_get("indicators, one territory", "/v1/indicators?territory=N42",
	    50);
	tag_make(tag, 'B', (unsigned long)(people / 2));
	snprintf(path, sizeof path, "/v1/history/%s", tag);
	time_get("a beneficiary's history", path, 50);
	tag_make(tag, 'D', (unsigned long)(devices / 3));
	snprintf(path, sizeof path, "/v1/items/%s", tag);
	time_get("a device lookup by tag", path, 50);
	snprintf(path, sizeof path, "/v1/items/SN%08ld", devices / 3);
	time_get("a device lookup by serial", path, 50);
	tag_make(tag, 'D', (unsigned long)(devices / 2));
	snprintf(path, sizeof path, "/v1/devices?state=in_stock&after=%s"
	    "&limit=100", tag);
	time_get("a list page (100, mid-list)", path, 50);
	time_get("the evaluation export", "/v1/exports/evaluation", 10000);
	printf("daemon peak RSS: %.1f MB (goal < 64 MB: %s)\n", peak_rss(),
	    peak_rss() < 64 ? "met" : "MISSED");
	/* Beyond the list: every territory's breakdowns at once. */
	time_get("indicators, every breakdown",
	    "/v1/indicators?breakdowns=all", 50);
	printf("daemon peak RSS after it: %.1f MB\n", peak_rss());
	/* ... the alerts, and the lists the alerts lead to. */
	time_get("alerts", "/v1/alerts", 50);
	time_get("follow-ups overdue (a page)",
	    "/v1/followups?overdue=true&limit=100", 50);
	time_get("follow-ups of a territory", "/v1/followups?territory=N42"
	    "&limit=100", 50);
	time_get("connections (a page)", "/v1/connections?limit=100", 50);
	time_get("connections of a territory",
	    "/v1/connections?territory=N42&limit=100", 50);
	time_get("top-ups (a page)", "/v1/topups?limit=100", 50);
	time_get("top-ups due, a territory", "/v1/topups/due?territory=N42",
	    50);
	time_get("top-ups due (a page)", "/v1/topups/due", 50);
	printf("daemon peak RSS after them: %.1f MB\n", peak_rss());
	stop_daemon();
}

/* The manifest of lot-import-large.sh: 10,000 laptops and phones. */
static char *
manifest(size_t *len)
{
	FILE *m;
	char *s, body[16];
	int i, k, d, sum;

	if ((m = open_memstream(&s, len)) == NULL)
		err(1, "open_memstream");
	fprintf(m, "Type;Marque;Modèle;N° de série;IMEI;RAM (Go);"
	    "Stockage (Go);Grade;Prix HT;Garantie jusqu'au\r\n");
	for (i = 1; i <= 10000; i++) {
		if (i % 10 != 0) {
			fprintf(m, "Portable;Lenovo;ThinkPad T480;PF%07d;;8;"
			    "256;A;189,90;02/11/2027\r\n", i);
			continue;
		}
		snprintf(body, sizeof body, "35209911%06d", i);
		for (sum = 0, k = 13; k >= 0; k--) {
			d = body[k] - '0';
			if ((13 - k) % 2 == 0 && (d *= 2) > 9)
				d -= 9;
			sum += d;
		}
		fprintf(m, "Smartphone;Samsung;Galaxy A52;R58L%06d;%s%d;6;128;"
		    "B;179,00;02/11/2027\r\n", i, body, (10 - sum % 10) % 10);
	}
	fclose(m);
	return (s);
}

static void
bulk(const char *kitstockd, const char *conf)
{
	char db[300], path[8192], *csv, *p;
	size_t len, bytes, total;
	double ms, sum;
	long st;
	int i, j, k;
	const char *fmt[] = { "pdf", "zpl" };

	snprintf(db, sizeof db, "%s/bulk.db", dir);
	printf("\n5. bulk work\n");
	start_daemon(kitstockd, db, conf);
	if ((st = request("POST", "/v1/suppliers", "application/json",
	    "{\"name\":\"Reconditionneur\"}", 26, &bytes, &ms)) != 201)
		errx(1, "supplier: %ld", st);
	csv = manifest(&len);
	{
		char url[256], f[TAG_LEN + 1];

		tag_make(f, 'F', 1);
		snprintf(url, sizeof url, "/v1/lots/import?supplier=%s"
		    "&ref=BL-BENCH", f);
		if ((st = request("POST", url, "text/csv", csv, len, &bytes,
		    &ms)) != 201 && st != 200)
			errx(1, "import answered %ld", st);
		printf("%-30s %9.1f ms   goal < 1000 ms: %s\n",
		    "10,000-line manifest import", ms, ms < 1000 ? "met" :
		    "MISSED");
	}
	free(csv);

	/* Labels need items: 1,000 devices of the lot, one by one. */
	for (i = 1; i <= 1000; i++) {
		char body[128], lot[TAG_LEN + 1];

		tag_make(lot, 'R', 1);
		snprintf(body, sizeof body, "{\"kind\":\"laptop\",\"serial\":"
		    "\"LB%04d\",\"lot\":\"%s\"}", i, lot);
		if ((st = request("POST", "/v1/devices", "application/json",
		    body, strlen(body), &bytes, &ms)) != 201)
			errx(1, "device: %ld: %s", st, answer);
	}
	for (k = 0; k < 2; k++) {
		sum = 0;
		total = 0;
		for (i = 0; i < 5; i++) {	/* 5 requests of 200 labels */
			p = path + snprintf(path, sizeof path, "/v1/labels?"
			    "format=%s&tags=", fmt[k]);
			for (j = 1; j <= 200; j++) {
				tag_make(p, 'D', (unsigned long)(i * 200 + j));
				p += TAG_LEN;
				if (j < 200)
					*p++ = ',';
			}
			*p = '\0';
			if ((st = request("GET", path, NULL, NULL, 0, &bytes,
			    &ms)) != 200)
				errx(1, "labels answered %ld: %s", st, answer);
			sum += ms;
			total += bytes;
		}
		printf("%-30s %9.1f ms %10zu B   goal < 2000 ms: %s\n",
		    k == 0 ? "1,000 labels to PDF" : "1,000 labels to ZPL", sum,
		    total, sum < 2000 ? "met" : "MISSED");
	}
	stop_daemon();
}

int
main(int argc, char **argv)
{
	const char *kitstockd = getenv("KITSTOCKD");
	char conf[300], key[300];
	FILE *f;

	if (getenv("BENCH_SCALE") != NULL)
		scale = atof(getenv("BENCH_SCALE"));
	if (kitstockd == NULL)
		kitstockd = "daemon/kitstockd";
	log_init(1, 0);
	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	atexit(cleanup);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(sock_path, sizeof sock_path, "%s/sock", dir);
	snprintf(key, sizeof key, "%s/pseudonym.key", dir);
	snprintf(conf, sizeof conf, "%s/kitstockd.conf", dir);
	if ((f = fopen(key, "w")) == NULL)
		err(1, "%s", key);
	fprintf(f, "bench-secret-0123456789abcdef0123456789abcdef\n");
	fclose(f);
	chmod(key, 0600);
	if ((f = fopen(conf, "w")) == NULL)
		err(1, "%s", conf);
	fprintf(f, "language en\npseudonym-key %s\n", key);
	fclose(f);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# kitstock bench: reports and bulk work (scale %.2f)\n",
	    scale);
	bulk(kitstockd, conf);
	/* BENCH_ONLY=bulk: item 5 alone (label and import work). */
	if (getenv("BENCH_ONLY") == NULL ||
	    strcmp(getenv("BENCH_ONLY"), "bulk") != 0)
		reports(kitstockd, conf);
	curl_global_cleanup();
	return (0);
}
