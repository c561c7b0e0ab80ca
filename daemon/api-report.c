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

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* Past this many territories, breakdowns are the whole's unless asked. */
#define REPORT_TERRITORIES_MAX	12

/* At most this many people listed as not yet covered, per scope. */
#define REPORT_NOT_YET	50

#define REPORT_FIRST	"0001-01-01"
#define REPORT_LAST	"9999-12-30"

static const char *const report_indicators[] = {
	"diagnosed", "equipped", "connected", "oriented", "certified", NULL
};

static const struct config *report_conf;

static json_t *report_scope(json_t *, const char *);
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

/* Add n to an integer member (created at 0). */
void
report_add(json_t *o, const char *key, json_int_t n)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		json_integer_set(v, json_integer_value(v) + n);
	else
		json_object_set_new(o, key, json_integer(n));
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
 * Where a measure of the tallies goes in a scope: the object (by path
 * from the scope) and the member. Indicators also count in breakdowns.
 */
static const struct {
	const char	*measure;
	const char	*part, *sub, *member;
} report_measures[] = {
	{ "diagnosed", "diagnosed", NULL, "count" },
	{ "equipped", "equipped", NULL, "count" },
	{ "equipped", "cohorts", NULL, "equipped" },
	{ "connected", "connected", NULL, "count" },
	{ "not_yet", "connected", NULL, "not_yet_covered" },
	{ "oriented", "oriented", NULL, "count" },
	{ "oriented_attended", "oriented", NULL, "attended" },
	{ "oriented_no_show", "oriented", NULL, "no_show" },
	{ "oriented_pending", "oriented", NULL, "pending" },
	{ "certified", "certified", NULL, "count" },
	{ "m3_followed", "cohorts", "month3", "followed" },
	{ "m3_in_use", "cohorts", "month3", "in_use" },
	{ "m3_connected", "cohorts", "month3", "connected" },
	{ "m6_followed", "cohorts", "month6", "followed" },
	{ "m6_in_use", "cohorts", "month6", "in_use" },
	{ "m6_connected", "cohorts", "month6", "connected" },
	{ "devices", "supply", NULL, "devices" },
	{ "spending_cents", "supply", NULL, "spending_cents" },
	{ "spending_cents", "budget", NULL, "devices_cents" },
	{ "ess_devices", "supply", NULL, "ess_devices" },
	{ "ess_spending_cents", "supply", NULL, "ess_spending_cents" },
	{ "local_devices", "supply", NULL, "local_devices" },
	{ "local_spending_cents", "supply", NULL, "local_spending_cents" },
	{ "sim_plans_cents", "budget", NULL, "sim_plans_cents" },
	{ "topups_cents", "budget", NULL, "topups_cents" },
	{ "repairs", "budget", NULL, "repairs" },
};

/* The breakdowns: the dimension's member in a scope. */
static const struct {
	const char	*dim, *part, *label;
} report_dims[] = {
	{ "commune", "communes", "name" },
	{ "category", "categories", NULL },
	{ "prescriber", "prescribers", "kind" },
};

/*
 * One sum of the tallies, counted in its scope (territory '' is the whole
 * département): a total where report_measures says, a breakdown under its
 * key (with the commune's name or the prescriber's kind).
 */
static void
report_tally(const struct tally_row *r, void *arg)
{
	json_t *scopes = arg, *sc, *o;
	const char *label;
	size_t i, j;

	if ((sc = report_scope(scopes, *r->territory != '\0' ? r->territory :
	    "departement")) == NULL)
		return;
	if (*r->dim == '\0') {
		for (i = 0; i < nitems(report_measures); i++) {
			if (strcmp(report_measures[i].measure, r->measure) != 0)
				continue;
			o = report_object(sc, report_measures[i].part);
			if (report_measures[i].sub != NULL)
				o = report_object(o, report_measures[i].sub);
			report_add(o, report_measures[i].member, r->n);
		}
		return;
	}
	for (j = 0; j < nitems(report_dims); j++) {
		if (strcmp(report_dims[j].dim, r->dim) != 0)
			continue;
		o = report_by(sc, report_dims[j].part, r->key);
		if ((label = report_dims[j].label) != NULL &&
		    json_object_get(o, label) == NULL)
			json_object_set_new(o, label, json_string(
			    strcmp(label, "name") == 0 ?
			    (r->name != NULL ? r->name : "") :
			    (r->kind != NULL ? r->kind : "")));
		report_add(o, r->measure, r->n);
	}
}

/*
 * The territories whose tallies a report reads, as JSON arrays: totals of
 * every scope asked, breakdowns of every scope or of the whole only.
 */
static void
report_lists(json_t *scopes, int whole_only, char **totals,
    char **breakdowns)
{
	json_t *t = json_array(), *b = json_array();
	const char *code, *where;
	json_t *sc;

	json_object_foreach(scopes, code, sc) {
		where = strcmp(code, "departement") == 0 ? "" : code;
		json_array_append_new(t, json_string(where));
		if (!whole_only || *where == '\0')
			json_array_append_new(b, json_string(where));
	}
	*totals = json_dumps(t, JSON_COMPACT);
	*breakdowns = json_dumps(b, JSON_COMPACT);
	json_decref(t);
	json_decref(b);
	if (*totals == NULL || *breakdowns == NULL)
		fatalx("json_dumps: out of memory");
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

/* What supply counts, zero when nothing was handed over. */
static const char *const report_supply[] = {
	"devices", "spending_cents", "ess_devices", "ess_spending_cents",
	"local_devices", "local_spending_cents",
};

/* Shares and totals once everything is counted. */
static void
report_finish(json_t *scopes)
{
	const char *code, *key;
	json_t *sc, *s, *b, *c, *communes, *v;
	json_int_t spent, ben, dev;
	size_t i;

	json_object_foreach(scopes, code, sc) {
		s = json_object_get(sc, "supply");
		for (i = 0; i < nitems(report_supply); i++)
			report_add(s, report_supply[i], 0);
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
		for (i = 0; i < 2; i++) {
			v = report_by(sc, "cohorts", i == 0 ? "month3" :
			    "month6");
			report_add(v, "followed", 0);
			report_add(v, "in_use", 0);
			report_add(v, "connected", 0);
		}
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

/* Where the programme stands against its diagnostic deadline. */
static enum store_status
report_deadline(const char *only, const char *today, json_t **out)
{
	long long referred = 0, by = 0, all = 0;
	char *deadline = NULL, *where;
	json_t *list;
	enum store_status status;

	*out = NULL;
	if ((status = store_programme_value("diagnostic-deadline",
	    &deadline)) != STORE_OK || deadline == NULL) {
		free(deadline);
		*out = json_null();
		return (status);
	}
	list = json_pack("[s]", only != NULL ? only : "");
	if ((where = json_dumps(list, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	json_decref(list);
	status = store_tally_total("referred", REPORT_FIRST, REPORT_LAST, where,
	    &referred);
	if (status == STORE_OK)
		status = store_tally_total("diagnosed", REPORT_FIRST, deadline,
		    where, &by);
	if (status == STORE_OK)
		status = store_tally_total("diagnosed", REPORT_FIRST, REPORT_LAST,
		    where, &all);
	free(where);
	*out = json_pack("{ss ss sI sI sI sI sI}", "date", deadline, "today",
	    today, "days_left", (json_int_t)report_days(today, deadline),
	    "referred", (json_int_t)referred, "diagnosed_by_deadline",
	    (json_int_t)by, "late", (json_int_t)(all - by), "not_diagnosed",
	    (json_int_t)(referred - all));
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

/*
 * The people not yet covered, oldest first, at most REPORT_NOT_YET a
 * scope (the connections export lists them all), of the scopes whose
 * breakdowns are counted: every scope, or the whole only (a national
 * answer listed 50 people of each of its 100 territories: 0.9 MB, most of
 * its time). Every scope has the count.
 */
static enum store_status
report_not_yet(const char *from, const char *to, json_t *scopes,
    int whole_only)
{
	const char *code;
	json_t *sc, *list, *v;
	enum store_status status = STORE_OK;
	size_t i;
	int whole;

	json_object_foreach(scopes, code, sc) {
		whole = strcmp(code, "departement") == 0;
		if (whole_only && !whole)
			continue;
		if ((status = store_tally_not_yet(from, to, whole ? NULL :
		    code, REPORT_NOT_YET, &list)) != STORE_OK) {
			json_decref(list);
			break;
		}
		json_array_foreach(list, i, v)
			json_object_del(v, "territory");
		v = report_object(sc, "connected");
		json_object_set_new(v, "not_yet", list);
		json_object_set_new(v, "not_yet_listed_max",
		    json_integer(REPORT_NOT_YET));
	}
	return (status);
}

/*
 * Every indicator for a period and an optional territory: the scopes by
 * code ("departement" for the whole, without a territory filter), from
 * the tallies (store-tally.c); with people, those not yet covered.
 */
enum store_status
report_indicators_build(const char *from, const char *to, const char *only,
    int *whole_only, int people, json_t **out)
{
	json_t *scopes;
	char *totals, *breakdowns;
	enum store_status status;

	*out = NULL;
	if ((status = store_tally_catch_up()) != STORE_OK)
		return (status);
	if ((status = report_scopes(only, &scopes)) != STORE_OK)
		return (status);
	/* A département's few territories: breakdowns of each by default. */
	if (*whole_only < 0)
		*whole_only = json_object_size(scopes) >
		    REPORT_TERRITORIES_MAX + 1;
	report_lists(scopes, *whole_only, &totals, &breakdowns);
	if ((status = store_tally_sum(from, to, totals, breakdowns,
	    report_tally, scopes)) == STORE_OK && people)
		status = report_not_yet(from, to, scopes, *whole_only);
	free(totals);
	free(breakdowns);
	if (status != STORE_OK) {
		json_decref(scopes);
		return (status);
	}
	report_finish(scopes);
	*out = scopes;
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

/* The territories' scopes of an answer, one at a time (reply_json_each). */
struct report_each {
	const char	*from, *to;
	json_t		*scopes;	/* totals counted, breakdowns not */
	json_t		*codes;		/* in the answer's order */
};

/*
 * The i-th scope of an answer with every territory's breakdowns: those
 * counted now, for this territory alone; the scope leaves scopes, so that
 * once answered it is freed (a national answer holds one territory's
 * breakdowns at a time, not a hundred).
 */
static json_t *
report_each_scope(void *arg, size_t i, enum store_status *failed)
{
	struct report_each *e = arg;
	const char *code;
	json_t *sc, *one, *codes;
	char *list;

	if ((code = json_string_value(json_array_get(e->codes, i))) == NULL)
		return (NULL);
	sc = json_incref(json_object_get(e->scopes, code));
	json_object_del(e->scopes, code);
	if (strcmp(code, "departement") == 0)
		return (sc);		/* counted with the totals */
	one = json_pack("{sO}", code, sc);
	codes = json_pack("[s]", code);
	if ((list = json_dumps(codes, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	json_decref(codes);
	if ((*failed = store_tally_sum(e->from, e->to, "[]", list,
	    report_tally, one)) == STORE_OK &&
	    (*failed = report_not_yet(e->from, e->to, one, 0)) == STORE_OK)
		report_finish(one);
	free(list);
	json_decref(one);
	if (*failed != STORE_OK) {
		json_decref(sc);
		return (NULL);
	}
	return (sc);
}

/*
 * GET /v1/indicators?territory=T6&from=DATE&to=DATE: the indicators, for
 * the coordinator's own screens (no suppression of small counts).
 */
void
api_indicators(struct req *req)
{
	const char *from, *to, *only, *by;
	char today[16];
	struct report_each e;
	int whole_only = -1, all;
	json_t *scopes, *deadline, *list, *sc, *head;
	const char *code;
	enum store_status status;

	if (report_period(req, &from, &to, &only) != 0)
		return;
	if ((by = req_query(req, "breakdowns")) != NULL) {
		if (strcmp(by, "all") != 0 && strcmp(by, "whole") != 0) {
			reply_error(req, 400, "invalid_field", "breakdowns",
			    _("breakdowns \"%s\" is not one of all (every "
			    "territory's) or whole (the département's only)"),
			    by);
			return;
		}
		whole_only = strcmp(by, "whole") == 0;
	}
	api_beneficiary_today(today, sizeof today);
	/*
	 * Every territory's breakdowns: the totals first, then each
	 * territory's breakdowns as its scope is answered.
	 */
	all = whole_only == 0 && only == NULL;
	if (all)
		whole_only = 1;
	if ((status = report_indicators_build(from, to, only, &whole_only, 1,
	    &scopes)) != STORE_OK) {
		api_reply_store(req, status, "indicators");
		return;
	}
	if ((status = report_deadline(only, today, &deadline)) != STORE_OK) {
		json_decref(scopes);
		json_decref(deadline);
		api_reply_store(req, status, "indicators");
		return;
	}
	head = json_pack("{ss* ss* ss* sI ss so}", "from",
	    strcmp(from, REPORT_FIRST) == 0 ? NULL : from, "to",
	    strcmp(to, REPORT_LAST) == 0 ? NULL : to, "territory", only,
	    "connection_months", (json_int_t)report_months(), "breakdowns",
	    whole_only && !all ? "whole" : "all", "deadline", deadline);
	list = json_array();
	json_object_foreach(scopes, code, sc)
		json_array_append_new(list, all ? json_string(code) :
		    json_incref(sc));
	if (all) {
		e.from = from;
		e.to = to;
		e.scopes = scopes;
		e.codes = list;
		reply_json_each(req, 200, head, "scopes", report_each_scope,
		    &e);
		json_decref(list);
		json_decref(scopes);
		return;
	}
	json_decref(scopes);
	json_object_set_new(head, "scopes", list);
	reply_json(req, 200, head);
}
