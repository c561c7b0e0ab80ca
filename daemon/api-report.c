/*
 * Indicators against the programme's targets, per territory and for the
 * département, computed from the store on each request: each person is
 * counted once per indicator, on the date of their first such step, so a
 * period is unambiguous. Breakdowns by commune, public category and
 * prescriber; supply (ESS and local suppliers), budget, cohorts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kitstockd.h"

#define REPORT_FIRST	"0001-01-01"
#define REPORT_LAST	"9999-12-30"

static const char *const report_indicators[] = {
	"diagnosed", "equipped", "connected", "oriented", "certified", NULL
};

static const struct config *report_conf;

static json_t *report_scope(json_t *, const char *);
static void report_count(json_t *, json_t *, const char *);
static json_t *report_by(json_t *, const char *, const char *);
static double report_share(json_int_t, json_int_t);

/* The configuration exports read (pseudonym key, smallest cell). */
void
report_configure(const struct config *c)
{
	report_conf = c;
}

/* The smallest count an exported cell may show. */
int
report_min_cell(void)
{
	return (report_conf != NULL ? report_conf->export_min_cell :
	    EXPORT_MIN_CELL_DEFAULT);
}

/* Is the TCP listener under TLS (session cookies are then Secure)? */
int
report_tls(void)
{
	return (report_conf != NULL && report_conf->tls_cert != NULL);
}

/* The configuration's pseudonym key file, or NULL. */
const char *
report_key_file(void)
{
	return (report_conf != NULL ? report_conf->pseudonym_key : NULL);
}

/* A percentage with one decimal. */
static double
report_share(json_int_t part, json_int_t whole)
{
	if (whole <= 0)
		return (0);
	return ((double)(part * 1000 / whole) / 10);
}

/* An indicator's name by its rank, NULL past the last. */
const char *
report_indicator_name(int i)
{
	if (i < 0 || i >= (int)(sizeof report_indicators /
	    sizeof report_indicators[0]))
		return (NULL);
	return (report_indicators[i]);
}

/* The object member key of o, created empty. */
json_t *
report_object(json_t *o, const char *key)
{
	json_t *v;

	if ((v = json_object_get(o, key)) == NULL) {
		v = json_object();
		json_object_set_new(o, key, v);
	}
	return (v);
}

/* The array member key of o, created empty. */
static json_t *
report_list(json_t *o, const char *key)
{
	json_t *v;

	if ((v = json_object_get(o, key)) == NULL) {
		v = json_array();
		json_object_set_new(o, key, v);
	}
	return (v);
}

/* Add n to an integer member (created at 0). */
void
report_add(json_t *o, const char *key, json_int_t n)
{
	json_object_set_new(o, key, json_integer(json_integer_value(
	    json_object_get(o, key)) + n));
}

/* The object under o[key], created empty. */
static json_t *
report_by(json_t *o, const char *key, const char *sub)
{
	return (report_object(report_object(o, key), sub));
}

/* The scope of a territory code, or NULL if not reported. */
static json_t *
report_scope(json_t *scopes, const char *code)
{
	return (code != NULL ? json_object_get(scopes, code) : NULL);
}

/* A string member, or "" for null. */
static const char *
report_str(json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return (s != NULL ? s : "");
}

/*
 * Count one row of an indicator in its territory and in the
 * département: the total, and the commune, category and prescriber.
 */
static void
report_count(json_t *scopes, json_t *row, const char *ind)
{
	json_t *sc[2], *by;
	const char *commune;
	int i;

	sc[0] = report_scope(scopes, report_str(row, "territory"));
	sc[1] = report_scope(scopes, "departement");
	commune = report_str(row, "commune");
	for (i = 0; i < 2; i++) {
		if (sc[i] == NULL)
			continue;
		report_add(json_object_get(sc[i], ind), "count", 1);
		by = report_by(sc[i], "communes", *commune != '\0' ? commune :
		    "unknown");
		json_object_set_new(by, "name", json_string(report_str(row,
		    "commune_name")));
		report_add(by, ind, 1);
		report_add(report_by(sc[i], "categories", report_str(row,
		    "category")), ind, 1);
		by = report_by(sc[i], "prescribers", report_str(row,
		    "prescriber"));
		json_object_set_new(by, "kind", json_string(report_str(row,
		    "prescriber_kind")));
		report_add(by, ind, 1);
	}
}

/* The scopes, each with its targets and budget, every count at zero. */
static enum store_status
report_scopes(const char *only, json_t **out)
{
	static const char *const parts[] = {
		"supply", "budget", "cohorts", "communes", "categories",
		"prescribers", NULL
	};
	json_t *terr, *t, *sc, *dep, *v;
	char key[32];
	enum store_status status;
	size_t i;
	int j;

	if ((status = store_report_territories(&terr)) != STORE_OK) {
		json_decref(terr);
		return (status);
	}
	*out = json_object();
	dep = json_pack("{ss ss}", "code", "departement", "name",
	    _("the whole département"));
	json_array_foreach(terr, i, t) {
		if (only != NULL && strcmp(only, report_str(t, "code")) != 0)
			continue;
		sc = json_pack("{sO sO}", "code", json_object_get(t, "code"),
		    "name", json_object_get(t, "name"));
		for (j = 0; report_indicators[j] != NULL; j++) {
			snprintf(key, sizeof key, "target_%s",
			    report_indicators[j]);
			v = json_pack("{sI sO}", "count", (json_int_t)0,
			    "target", json_object_get(t, key));
			json_object_set_new(sc, report_indicators[j], v);
			if (only != NULL)
				continue;
			if ((v = json_object_get(dep, report_indicators[j])) ==
			    NULL) {
				v = json_pack("{sI sI}", "count", (json_int_t)0,
				    "target", (json_int_t)0);
				json_object_set_new(dep, report_indicators[j],
				    v);
			}
			report_add(v, "target", json_integer_value(
			    json_object_get(t, key)));
		}
		for (j = 0; parts[j] != NULL; j++)
			json_object_set_new(sc, parts[j], json_object());
		json_object_set(json_object_get(sc, "budget"), "budget_cents",
		    json_object_get(t, "budget"));
		json_object_set_new(*out, report_str(t, "code"), sc);
		if (only == NULL) {
			if (json_object_get(dep, "budget") == NULL)
				for (j = 0; parts[j] != NULL; j++)
					json_object_set_new(dep, parts[j],
					    json_object());
			report_add(json_object_get(dep, "budget"),
			    "budget_cents", json_integer_value(
			    json_object_get(t, "budget")));
		}
	}
	json_decref(terr);
	if (only == NULL && json_object_get(dep, "budget") != NULL)
		json_object_set_new(*out, "departement", dep);
	else
		json_decref(dep);
	return (STORE_OK);
}

/* Is a member true (a boolean, or 1)? */
static int
report_true(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	return (json_is_true(v) || (json_is_integer(v) &&
	    json_integer_value(v) == 1));
}

/* Orientations: the first one's attendance, apart. */
static void
report_oriented(json_t *scopes, json_t *row)
{
	json_t *a = json_object_get(row, "attended"), *sc[2];
	const char *key;
	int i;

	key = json_is_null(a) || a == NULL ? "pending" :
	    report_true(row, "attended") ? "attended" : "no_show";
	sc[0] = report_scope(scopes, report_str(row, "territory"));
	sc[1] = report_scope(scopes, "departement");
	for (i = 0; i < 2; i++)
		if (sc[i] != NULL)
			report_add(json_object_get(sc[i], "oriented"), key, 1);
}

/* Of those equipped, who answered at 3 and 6 months, and how. */
static void
report_cohort(json_t *scopes, json_t *row)
{
	static const struct {
		const char	*month;
		const char	*reached, *in_use, *connected;
	} m[] = {
		{ "month3", "reached3", "in_use3", "connected3" },
		{ "month6", "reached6", "in_use6", "connected6" },
	};
	json_t *sc[2], *c, *o;
	int i, j;

	sc[0] = report_scope(scopes, report_str(row, "territory"));
	sc[1] = report_scope(scopes, "departement");
	for (i = 0; i < 2; i++) {
		if (sc[i] == NULL)
			continue;
		c = json_object_get(sc[i], "cohorts");
		report_add(c, "equipped", 1);
		for (j = 0; j < 2; j++) {
			o = report_by(sc[i], "cohorts", m[j].month);
			report_add(o, "followed", report_true(row,
			    m[j].reached));
			report_add(o, "in_use", report_true(row,
			    m[j].in_use));
			report_add(o, "connected", report_true(row,
			    m[j].connected));
		}
	}
}

/* A device handed over: its commune, its supplier, what it cost. */
static void
report_device(json_t *scopes, json_t *row)
{
	json_t *sc[2], *s, *by;
	json_int_t cost;
	const char *commune, *ess;
	int i, local, social;

	cost = json_integer_value(json_object_get(row, "cost"));
	ess = report_str(row, "ess");
	social = *ess != '\0' && strcmp(ess, "none") != 0;
	local = report_true(row, "local");
	commune = report_str(row, "commune");
	sc[0] = report_scope(scopes, report_str(row, "territory"));
	sc[1] = report_scope(scopes, "departement");
	for (i = 0; i < 2; i++) {
		if (sc[i] == NULL)
			continue;
		s = json_object_get(sc[i], "supply");
		report_add(s, "devices", 1);
		report_add(s, "spending_cents", cost);
		report_add(s, "ess_devices", social);
		report_add(s, "ess_spending_cents", social ? cost : 0);
		report_add(s, "local_devices", local);
		report_add(s, "local_spending_cents", local ? cost : 0);
		report_add(json_object_get(sc[i], "budget"), "devices_cents",
		    cost);
		by = report_by(sc[i], "communes", *commune != '\0' ? commune :
		    "unknown");
		json_object_set_new(by, "name", json_string(report_str(row,
		    "commune_name")));
		report_add(by, "devices", 1);
	}
}

/* Spending on SIM plans, top-ups and repairs, by territory. */
static void
report_spending(json_t *scopes, json_t *row, const char *what)
{
	json_t *sc[2];
	const char *key;
	int i;

	if (strcmp(what, "repairs") == 0)
		key = "repairs";
	else
		key = strcmp(report_str(row, "kind"), "activation") == 0 ?
		    "sim_plans_cents" : "topups_cents";
	sc[0] = report_scope(scopes, report_str(row, "territory"));
	sc[1] = report_scope(scopes, "departement");
	for (i = 0; i < 2; i++)
		if (sc[i] != NULL)
			report_add(json_object_get(sc[i], "budget"), key,
			    strcmp(key, "repairs") == 0 ? 1 :
			    json_integer_value(json_object_get(row,
			    "amount")));
}

/*
 * Connections handed over in the period, by person (rows come by person):
 * counted once if one of them is paid for the months asked, else listed
 * as not yet covered. A NULL row flushes the last person.
 */
struct report_pass {
	json_t		*scopes;
	const char	*what;
	json_t		*held;		/* connections: the person's last row */
	int		 covered;	/* connections: one of theirs is */
};

static void
report_connection_done(struct report_pass *rp)
{
	json_t *c = rp->held, *sc[2], *o;
	int k;

	if (c == NULL)
		return;
	if (rp->covered)
		report_count(rp->scopes, c, "connected");
	else {
		sc[0] = report_scope(rp->scopes, report_str(c, "territory"));
		sc[1] = report_scope(rp->scopes, "departement");
		for (k = 0; k < 2; k++) {
			if (sc[k] == NULL)
				continue;
			o = json_object_get(sc[k], "connected");
			report_add(o, "not_yet_covered", 1);
			json_array_append_new(report_list(o, "not_yet"),
			    json_pack("{sO sO sO sO}", "beneficiary",
			    json_object_get(c, "beneficiary"),
			    "handed_over_on", json_object_get(c,
			    "handed_over_on"), "covered_until",
			    json_object_get(c, "covered_until"),
			    "target_until", json_object_get(c,
			    "target_until")));
		}
	}
	json_decref(rp->held);
	rp->held = NULL;
	rp->covered = 0;
}

/* One row of a named query, counted where it belongs. */
static void
report_row(json_t *r, void *arg)
{
	struct report_pass *rp = arg;

	if (strcmp(rp->what, "connections") == 0) {
		api_topup_cover(r);
		if (rp->held != NULL && strcmp(report_str(rp->held,
		    "beneficiary"), report_str(r, "beneficiary")) != 0)
			report_connection_done(rp);
		rp->covered |= json_is_true(json_object_get(r, "covered"));
		json_decref(rp->held);
		rp->held = json_incref(r);
	} else if (strcmp(rp->what, "devices") == 0)
		report_device(rp->scopes, r);
	else if (strcmp(rp->what, "topups") == 0 ||
	    strcmp(rp->what, "repairs") == 0)
		report_spending(rp->scopes, r, rp->what);
	else {
		report_count(rp->scopes, r, rp->what);
		if (strcmp(rp->what, "oriented") == 0)
			report_oriented(rp->scopes, r);
		else if (strcmp(rp->what, "equipped") == 0)
			report_cohort(rp->scopes, r);
	}
}

/* Shares and totals once everything is counted. */
static void
report_finish(json_t *scopes)
{
	const char *code, *key;
	json_t *sc, *s, *b, *c, *communes, *v;
	json_int_t spent, ben, dev;

	json_object_foreach(scopes, code, sc) {
		s = json_object_get(sc, "supply");
		json_object_set_new(s, "ess_share", json_real(report_share(
		    json_integer_value(json_object_get(s, "ess_devices")),
		    json_integer_value(json_object_get(s, "devices")))));
		json_object_set_new(s, "local_share", json_real(report_share(
		    json_integer_value(json_object_get(s, "local_devices")),
		    json_integer_value(json_object_get(s, "devices")))));
		json_object_set_new(s, "ess_spending_share", json_real(
		    report_share(json_integer_value(json_object_get(s,
		    "ess_spending_cents")), json_integer_value(
		    json_object_get(s, "spending_cents")))));
		json_object_set_new(s, "local_spending_share", json_real(
		    report_share(json_integer_value(json_object_get(s,
		    "local_spending_cents")), json_integer_value(
		    json_object_get(s, "spending_cents")))));
		b = json_object_get(sc, "budget");
		report_add(b, "devices_cents", 0);
		report_add(b, "sim_plans_cents", 0);
		report_add(b, "topups_cents", 0);
		report_add(b, "repairs", 0);
		/* Repairs carry no cost in the store: counted, not priced. */
		report_add(b, "repairs_cents", 0);
		spent = json_integer_value(json_object_get(b,
		    "devices_cents")) + json_integer_value(json_object_get(b,
		    "sim_plans_cents")) + json_integer_value(json_object_get(b,
		    "topups_cents"));
		json_object_set_new(b, "spent_cents", json_integer(spent));
		json_object_set_new(b, "spent_share", json_real(report_share(
		    spent, json_integer_value(json_object_get(b,
		    "budget_cents")))));
		c = json_object_get(sc, "cohorts");
		report_add(c, "equipped", 0);
		report_by(sc, "cohorts", "month3");
		report_by(sc, "cohorts", "month6");
		ben = json_integer_value(json_object_get(json_object_get(sc,
		    "diagnosed"), "count"));
		dev = json_integer_value(json_object_get(json_object_get(sc,
		    "supply"), "devices"));
		communes = json_object_get(sc, "communes");
		json_object_foreach(communes, key, v) {
			json_object_set_new(v, "beneficiaries_share",
			    json_real(report_share(json_integer_value(
			    json_object_get(v, "diagnosed")), ben)));
			json_object_set_new(v, "devices_share", json_real(
			    report_share(json_integer_value(json_object_get(v,
			    "devices")), dev)));
		}
		v = json_object_get(sc, "oriented");
		report_add(v, "attended", 0);
		report_add(v, "no_show", 0);
		report_add(v, "pending", 0);
		v = json_object_get(sc, "connected");
		report_add(v, "not_yet_covered", 0);
		if (json_object_get(v, "not_yet") == NULL)
			json_object_set_new(v, "not_yet", json_array());
	}
}

/* Days from a to b ("YYYY-MM-DD"). */
static long
report_days(const char *a, const char *b)
{
	struct tm ta, tb;

	memset(&ta, 0, sizeof ta);
	memset(&tb, 0, sizeof tb);
	if (strptime(a, "%Y-%m-%d", &ta) == NULL ||
	    strptime(b, "%Y-%m-%d", &tb) == NULL)
		return (0);
	return ((long)((timegm(&tb) - timegm(&ta)) / 86400));
}

/* Counts against the diagnostic deadline, in one territory or all. */
struct report_deadline {
	const char	*only;
	const char	*date;
	json_int_t	 referred, by, late;
};

static void
report_deadline_row(json_t *r, void *arg)
{
	struct report_deadline *d = arg;

	if (d->only != NULL && strcmp(d->only, report_str(r, "territory")) !=
	    0)
		return;
	if (d->date == NULL)
		d->referred++;
	else if (strcmp(report_str(r, "on_date"), d->date) <= 0)
		d->by++;
	else
		d->late++;
}

/* Where the programme stands against its diagnostic deadline. */
static enum store_status
report_deadline(const char *only, const char *today, json_t **out)
{
	struct report_deadline d;
	char *deadline = NULL;
	enum store_status status;

	*out = NULL;
	if ((status = store_programme_value("diagnostic-deadline",
	    &deadline)) != STORE_OK || deadline == NULL) {
		free(deadline);
		*out = json_null();
		return (status);
	}
	memset(&d, 0, sizeof d);
	d.only = only;
	status = store_report_each("referred", REPORT_FIRST, REPORT_LAST, 6,
	    report_deadline_row, &d);
	d.date = deadline;
	if (status == STORE_OK)
		status = store_report_each("diagnosed", REPORT_FIRST,
		    REPORT_LAST, 6, report_deadline_row, &d);
	*out = json_pack("{ss ss sI sI sI sI sI}", "date", deadline, "today",
	    today, "days_left", (json_int_t)report_days(today, deadline),
	    "referred", d.referred, "diagnosed_by_deadline", d.by, "late",
	    d.late, "not_diagnosed", d.referred - d.by - d.late);
	free(deadline);
	return (status);
}

/* The months of connection the programme asks for (6 if not set). */
long long
report_months(void)
{
	char *v = NULL;
	long long n = 6;

	if (store_programme_value("connection-months", &v) == STORE_OK &&
	    v != NULL && atoll(v) > 0)
		n = atoll(v);
	free(v);
	return (n);
}

/* Every connection with its coverage worked out (api_topup_cover). */
enum store_status
report_connections_all(json_t **out)
{
	json_t *c;
	enum store_status status;
	size_t i;

	status = store_report_rows("connections", REPORT_FIRST, REPORT_LAST,
	    report_months(), out);
	json_array_foreach(*out, i, c)
		api_topup_cover(c);
	return (status);
}

/*
 * Every indicator for a period and an optional territory: the scopes by
 * code ("departement" for the whole, without a territory filter).
 */
enum store_status
report_indicators_build(const char *from, const char *to, const char *only,
    json_t **out)
{
	static const char *const passes[] = {
		"diagnosed", "equipped", "oriented", "certified", "devices",
		"connections", "topups", "repairs", NULL
	};
	struct report_pass rp;
	enum store_status status;
	long long months = report_months();
	int j;

	*out = NULL;
	memset(&rp, 0, sizeof rp);
	if ((status = report_scopes(only, &rp.scopes)) != STORE_OK)
		return (status);
	for (j = 0; passes[j] != NULL; j++) {
		rp.what = passes[j];
		status = store_report_each(passes[j], from, to, months,
		    report_row, &rp);
		report_connection_done(&rp);
		if (status != STORE_OK) {
			json_decref(rp.scopes);
			return (status);
		}
	}
	report_finish(rp.scopes);
	*out = rp.scopes;
	return (STORE_OK);
}

/*
 * The period and territory of a report's query: from and to are days
 * (both included, from <= to), territory a known code. -1 once answered.
 */
int
report_period(struct req *req, const char **from, const char **to,
    const char **territory)
{
	char *cause;
	json_t *terr, *t;
	size_t i;
	int found = 0;

	*from = req_query(req, "from");
	*to = req_query(req, "to");
	*territory = req_query(req, "territory");
	if (*from != NULL && check_date(*from, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "from", "from: %s",
		    cause);
		free(cause);
		return (-1);
	}
	if (*to != NULL && check_date(*to, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "to", "to: %s", cause);
		free(cause);
		return (-1);
	}
	if (*from == NULL)
		*from = REPORT_FIRST;
	if (*to == NULL)
		*to = REPORT_LAST;
	if (strcmp(*from, *to) > 0) {
		reply_error(req, 400, "invalid_field", "to",
		    _("to %s comes before from %s: the period is empty"), *to,
		    *from);
		return (-1);
	}
	if (*territory == NULL)
		return (0);
	if (store_report_territories(&terr) != STORE_OK) {
		json_decref(terr);
		api_reply_store(req, STORE_ERROR, "territories");
		return (-1);
	}
	json_array_foreach(terr, i, t)
		found |= strcmp(report_str(t, "code"), *territory) == 0;
	json_decref(terr);
	if (!found) {
		reply_error(req, 400, "invalid_field", "territory",
		    _("territory \"%s\" is not one of the programme's (see "
		    "kitstock programme)"), *territory);
		return (-1);
	}
	return (0);
}

/*
 * GET /v1/indicators?territory=T6&from=DATE&to=DATE: the indicators, for
 * the coordinator's own screens (no suppression of small counts).
 */
void
api_indicators(struct req *req)
{
	const char *from, *to, *only;
	char today[16];
	json_t *scopes, *deadline, *list, *sc;
	const char *code;
	enum store_status status;

	if (report_period(req, &from, &to, &only) != 0)
		return;
	api_beneficiary_today(today, sizeof today);
	if ((status = report_indicators_build(from, to, only, &scopes)) !=
	    STORE_OK) {
		api_reply_store(req, status, "indicators");
		return;
	}
	if ((status = report_deadline(only, today, &deadline)) != STORE_OK) {
		json_decref(scopes);
		json_decref(deadline);
		api_reply_store(req, status, "indicators");
		return;
	}
	list = json_array();
	json_object_foreach(scopes, code, sc)
		json_array_append(list, sc);
	json_decref(scopes);
	reply_json(req, 200, json_pack("{ss* ss* ss* sI so so}", "from",
	    strcmp(from, REPORT_FIRST) == 0 ? NULL : from, "to",
	    strcmp(to, REPORT_LAST) == 0 ? NULL : to, "territory", only,
	    "connection_months", (json_int_t)report_months(), "deadline",
	    deadline, "scopes", list));
}
