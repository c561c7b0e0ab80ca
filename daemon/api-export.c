/*
 * Exports as CSV: for the Département's evaluation (one row per person,
 * under a keyed pseudonym, no name, phone or free text), the indicators as
 * tables whose small cells are suppressed, each prescriber's own people,
 * and the operational lists (stock, SIM cards, warranties, repairs,
 * follow-ups). Built in memory: rows are bounded by the store's queries.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kitstockd.h"

#define EXPORT_KEY_MIN	16	/* bytes of secret, at least */
#define EXPORT_KEY_MAX	4096

/* A column of a per-person export: header and what fills it. */
struct export_column {
	const char	*header;
	const char	*key;		/* member of the row, or of a follow-up */
	int		 month;		/* 3 or 6: from that follow-up */
	int		 who;		/* EXPORT_EVAL, EXPORT_PRESCRIBER */
};
#define EXPORT_EVAL		0x1
#define EXPORT_PRESCRIBER	0x2
#define EXPORT_BOTH		(EXPORT_EVAL | EXPORT_PRESCRIBER)

#define EXPORT_FOLLOWUP(m)						\
	{ "followup" #m "_on", "followed_on", m, EXPORT_BOTH },		\
	{ "followup" #m "_reached", "reached", m, EXPORT_BOTH },	\
	{ "followup" #m "_device_in_use", "device_in_use", m, EXPORT_BOTH }, \
	{ "followup" #m "_connected", "connected", m, EXPORT_BOTH },	\
	{ "followup" #m "_training_followed", "training_followed", m,	\
	    EXPORT_BOTH },						\
	{ "followup" #m "_certified", "certified", m, EXPORT_BOTH }

static const struct export_column export_people[] = {
	{ "pseudonym", "pseudonym", 0, EXPORT_EVAL },
	{ "beneficiary", "beneficiary", 0, EXPORT_PRESCRIBER },
	{ "territory", "territory", 0, EXPORT_BOTH },
	{ "commune", "commune", 0, EXPORT_BOTH },
	{ "category", "category", 0, EXPORT_BOTH },
	{ "prescriber_kind", "prescriber_kind", 0, EXPORT_EVAL },
	{ "referred_on", "referred_on", 0, EXPORT_BOTH },
	{ "diagnosed_on", "diagnosed_on", 0, EXPORT_BOTH },
	{ "diagnosed_late", "late", 0, EXPORT_BOTH },
	{ "device_need", "device_need", 0, EXPORT_BOTH },
	{ "connection_need", "connection_need", 0, EXPORT_BOTH },
	{ "autonomy", "autonomy", 0, EXPORT_BOTH },
	{ "training_wished", "training_wished", 0, EXPORT_BOTH },
	{ "certification_wished", "certification_wished", 0, EXPORT_BOTH },
	{ "equipped_on", "equipped_on", 0, EXPORT_BOTH },
	{ "device_kind", "device_kind", 0, EXPORT_BOTH },
	{ "connected_on", "handed_over_on", 0, EXPORT_BOTH },
	{ "connection_covered_until", "covered_until", 0, EXPORT_BOTH },
	{ "connection_covered", "covered", 0, EXPORT_BOTH },
	{ "oriented_on", "oriented_on", 0, EXPORT_BOTH },
	{ "training_kind", "training_kind", 0, EXPORT_BOTH },
	{ "training_attended", "attended", 0, EXPORT_BOTH },
	{ "training_completed", "completed", 0, EXPORT_BOTH },
	{ "certified_on", "certified_on", 0, EXPORT_BOTH },
	{ "certification_kind", "certification_kind", 0, EXPORT_BOTH },
	EXPORT_FOLLOWUP(3),
	EXPORT_FOLLOWUP(6),
	{ NULL, NULL, 0, 0 }
};

/* Operational lists: which store list, which columns. */
static const char *const export_stock_cols[] = {
	"kind", "state", "location", "territory", "count", NULL
};
static const char *const export_warranty_cols[] = {
	"device", "kind", "serial", "state", "warranty_until", "location",
	"beneficiary", "territory", NULL
};
static const char *const export_repair_cols[] = {
	"repair", "device", "kind", "beneficiary", "territory", "partner",
	"partner_name", "under_warranty", "opened_on", "days_open", NULL
};
static const char *const export_sim_cols[] = {
	"sim", "beneficiary", "territory", "state", "handed_over_on",
	"paid_until", "target_until", "covered_until", "covered", "due_on",
	NULL
};
static const char *const export_followup_cols[] = {
	"beneficiary", "territory", "prescriber", "month", "basis", "due_on",
	"state", NULL
};

static void export_cell(FILE *, json_t *);
static void export_send(struct req *, const char *, char *, size_t);

/* One CSV value: RFC 4180 quoting; a leading formula sign is defused. */
static void
export_cell(FILE *f, json_t *v)
{
	const char *s, *p;
	char buf[64];
	int formula;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_true(v))
		s = "1";
	else if (json_is_false(v))
		s = "0";
	else if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(v));
		s = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%.1f", json_real_value(v));
		s = buf;
	} else if ((s = json_string_value(v)) == NULL)
		return;
	formula = *s != '\0' && strchr("=+-@", *s) != NULL;
	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* A header line from names. */
static void
export_header(FILE *f, const char *const *cols)
{
	int i;

	for (i = 0; cols[i] != NULL; i++)
		fprintf(f, "%s%s", i == 0 ? "" : ",", cols[i]);
	fputs("\r\n", f);
}

/* Rows of objects as CSV lines, with the named members. */
static void
export_rows(FILE *f, const char *const *cols, json_t *rows)
{
	json_t *r;
	size_t i;
	int j;

	export_header(f, cols);
	json_array_foreach(rows, i, r) {
		for (j = 0; cols[j] != NULL; j++) {
			if (j > 0)
				fputc(',', f);
			export_cell(f, json_object_get(r, cols[j]));
		}
		fputs("\r\n", f);
	}
}

/* Answer with CSV text (taken) as a file to save. */
static void
export_send(struct req *req, const char *name, char *text, size_t len)
{
	char disp[128], today[16];

	api_beneficiary_today(today, sizeof today);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.csv\"", name,
	    today);
	evhttp_add_header(evhttp_request_get_output_headers(req->ev),
	    "Content-Disposition", disp);
	reply_bytes(req, 200, "text/csv; charset=utf-8", text, len);
	free(text);
}

/*
 * The pseudonym key from its file: refused with a sentence if it is not
 * configured or cannot be read, or is too short. *len gets its length.
 */
static unsigned char *
export_key(struct req *req, size_t *len)
{
	const char *path = report_key_file();
	unsigned char *key;
	ssize_t n;
	int fd;

	if (path == NULL) {
		reply_error(req, 409, "no_pseudonym_key", NULL,
		    _("the evaluation export needs a pseudonym key: set "
		    "\"pseudonym-key FILE\" in kitstockd's configuration (a "
		    "file of at least 16 random bytes, readable by kitstockd "
		    "only) and reload"));
		return (NULL);
	}
	key = xmalloc(EXPORT_KEY_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (n = read(fd, key, EXPORT_KEY_MAX)) < EXPORT_KEY_MIN) {
		reply_error(req, 409, "no_pseudonym_key", NULL,
		    _("the pseudonym key %s cannot be read or is shorter than "
		    "16 bytes: nothing was exported"), path);
		if (fd != -1)
			close(fd);
		OPENSSL_cleanse(key, EXPORT_KEY_MAX);
		free(key);
		return (NULL);
	}
	close(fd);
	*len = n;
	return (key);
}

/* HMAC-SHA256 of a tag under the key, in hex (65 bytes). */
static void
export_pseudonym(const unsigned char *key, size_t klen, const char *tag,
    char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)tag,
	    strlen(tag), md, &mdlen) == NULL)
		fatalx("HMAC-SHA256 failed");
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Connections by person: the one paid for the months asked, else the first. */
static enum store_status
export_coverage(json_t **out)
{
	json_t *rows, *c, *have;
	const char *ben;
	enum store_status status;
	size_t i;

	*out = json_object();
	status = report_connections_all(&rows);
	json_array_foreach(rows, i, c) {
		ben = json_string_value(json_object_get(c, "beneficiary"));
		have = json_object_get(*out, ben);
		if (have == NULL || (!json_is_true(json_object_get(have,
		    "covered")) && json_is_true(json_object_get(c, "covered"))))
			json_object_set(*out, ben, c);
	}
	json_decref(rows);
	return (status);
}

/* Per-person rows as CSV for an audience; with a key, pseudonyms. */
struct export_people_ctx {
	FILE			*f;
	json_t			*cover;
	int			 who;
	const unsigned char	*key;
	size_t			 klen;
};

/* The header line of a per-person export. */
static void
export_people_header(FILE *f, int who)
{
	const struct export_column *c;
	int first = 1;

	for (c = export_people; c->header != NULL; c++)
		if (c->who & who) {
			fprintf(f, "%s%s", first ? "" : ",", c->header);
			first = 0;
		}
	fputs("\r\n", f);
}

/* One person's line (a store_report_people callback). */
static void
export_people_row(json_t *r, void *arg)
{
	struct export_people_ctx *x = arg;
	const struct export_column *c;
	json_t *fu, *v, *con;
	char pseudo[65];
	size_t j;
	int first = 1;

	con = json_object_get(x->cover, json_string_value(json_object_get(r,
	    "beneficiary")));
	if (x->key != NULL) {
		export_pseudonym(x->key, x->klen, json_string_value(
		    json_object_get(r, "beneficiary")), pseudo);
		json_object_set_new(r, "pseudonym", json_string(pseudo));
	}
	for (c = export_people; c->header != NULL; c++) {
		if ((c->who & x->who) == 0)
			continue;
		if (!first)
			fputc(',', x->f);
		first = 0;
		v = NULL;
		if (c->month != 0) {
			json_array_foreach(json_object_get(r, "followups"), j,
			    fu)
				if (json_integer_value(json_object_get(fu,
				    "month")) == c->month)
					v = json_object_get(fu, c->key);
		} else if ((v = json_object_get(r, c->key)) == NULL &&
		    con != NULL)
			v = json_object_get(con, c->key);
		export_cell(x->f, v);
	}
	fputs("\r\n", x->f);
}

/*
 * The per-person export of an audience as CSV text (allocated): everyone,
 * or one prescriber's people; none at all for "", an account naming no
 * prescriber.
 */
static enum store_status
export_people_csv(const char *prescriber, int who, const unsigned char *key,
    size_t klen, char **text, size_t *len)
{
	struct export_people_ctx x;
	enum store_status status;

	memset(&x, 0, sizeof x);
	x.who = who;
	x.key = key;
	x.klen = klen;
	if ((status = export_coverage(&x.cover)) != STORE_OK) {
		json_decref(x.cover);
		return (status);
	}
	if ((x.f = open_memstream(text, len)) == NULL)
		fatal("open_memstream");
	export_people_header(x.f, who);
	if (prescriber == NULL || *prescriber != '\0')
		status = store_report_people(prescriber, export_people_row, &x);
	fclose(x.f);
	json_decref(x.cover);
	if (status != STORE_OK) {
		free(*text);
		*text = NULL;
	}
	return (status);
}

/*
 * GET /v1/exports/evaluation: one row per beneficiary under its
 * pseudonym (HMAC-SHA256 of the tag with the configured key).
 */
void
api_export_evaluation(struct req *req)
{
	unsigned char *key;
	size_t klen, len;
	char *text;
	enum store_status status;

	if ((key = export_key(req, &klen)) == NULL)
		return;
	status = export_people_csv(NULL, EXPORT_EVAL, key, klen, &text, &len);
	OPENSSL_cleanse(key, EXPORT_KEY_MAX);
	free(key);
	if (status == STORE_OK)
		export_send(req, "evaluation", text, len);
	else
		api_reply_store(req, status, "evaluation");
}

/*
 * GET /v1/exports/prescriber?prescriber=P-...: the people one prescriber
 * referred, under the tag it was given, and what happened to them. A
 * prescriber's token gets its own, whatever it asks.
 */
void
api_export_prescriber(struct req *req)
{
	const char *want = req_query(req, "prescriber");
	char *cause, *text;
	size_t len;
	int64_t id;
	enum store_status status;

	if (req->role == ROLE_PRESCRIBER) {
		if (want != NULL && req->prescriber != NULL &&
		    strcmp(want, req->prescriber) != 0) {
			reply_error(req, 403, "forbidden", "prescriber",
			    _("%s may export only its own people, not those "
			    "of %s"), req->prescriber, want);
			return;
		}
		/* An account naming no prescriber has no people. */
		want = req->prescriber != NULL ? req->prescriber : "";
	}
	if (want == NULL) {
		reply_error(req, 400, "missing_field", "prescriber",
		    _("prescriber is required: whose people to export"));
		return;
	}
	if (*want != '\0' && tag_check(want, 'P', NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "prescriber",
		    "prescriber: %s", cause);
		free(cause);
		return;
	}
	if (*want != '\0' && (status = store_id_of("prescriber", want, &id)) !=
	    STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "prescriber",
			    _("prescriber %s does not exist"), want);
		else
			api_reply_store(req, status, "prescriber");
		return;
	}
	status = export_people_csv(want, EXPORT_PRESCRIBER, NULL, 0, &text,
	    &len);
	if (status == STORE_OK)
		export_send(req, "prescriber", text, len);
	else
		api_reply_store(req, status, "prescriber");
}

/* One count, or nothing with suppressed=1 if under k (zero is shown). */
static void
export_count(FILE *f, const char *scope, const char *by, const char *key,
    const char *ind, json_int_t n, int k)
{
	json_t *v;

	fprintf(f, "%s,%s,", scope, by);
	v = json_string(key);
	export_cell(f, v);
	json_decref(v);
	if (n > 0 && n < k)
		fprintf(f, ",%s,,1\r\n", ind);
	else
		fprintf(f, ",%s,%lld,0\r\n", ind, (long long)n);
}

/*
 * GET /v1/exports/indicators?from&to&territory: the indicators as one
 * table (scope, breakdown, key, indicator, count, suppressed); counts of
 * 1 to k-1 people are left empty and marked suppressed.
 */
void
api_export_indicators(struct req *req)
{
	static const char *const dims[] = { "communes", "categories", NULL };
	const char *from, *to, *only, *code, *key, *ind;
	char *text;
	size_t len, i;
	int k = report_min_cell(), d, j;
	json_t *scopes, *sc, *v, *kinds;
	enum store_status status;
	FILE *f;

	if (report_period(req, &from, &to, &only) != 0)
		return;
	if ((status = report_indicators_build(from, to, only, &scopes)) !=
	    STORE_OK) {
		api_reply_store(req, status, "indicators");
		return;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	fputs("scope,breakdown,key,indicator,count,suppressed\r\n", f);
	json_object_foreach(scopes, code, sc) {
		for (j = 0; (ind = report_indicator_name(j)) != NULL; j++)
			export_count(f, code, "total", "", ind,
			    json_integer_value(json_object_get(
			    json_object_get(sc, ind), "count")), k);
		export_count(f, code, "total", "", "devices",
		    json_integer_value(json_object_get(json_object_get(sc,
		    "supply"), "devices")), k);
		for (d = 0; dims[d] != NULL; d++)
			json_object_foreach(json_object_get(sc, dims[d]), key,
			    v)
				for (j = 0; (ind = report_indicator_name(j)) !=
				    NULL; j++)
					export_count(f, code, dims[d], key, ind,
					    json_integer_value(
					    json_object_get(v, ind)), k);
		/* Prescribers by kind: organisations, not people. */
		kinds = json_object();
		json_object_foreach(json_object_get(sc, "prescribers"), key, v)
			for (j = 0; (ind = report_indicator_name(j)) != NULL;
			    j++)
				report_add(report_object(kinds,
				    json_string_value(json_object_get(v,
				    "kind"))), ind, json_integer_value(
				    json_object_get(v, ind)));
		json_object_foreach(kinds, key, v)
			for (j = 0; (ind = report_indicator_name(j)) != NULL;
			    j++)
				export_count(f, code, "prescriber_kinds", key,
				    ind, json_integer_value(json_object_get(v,
				    ind)), k);
		json_decref(kinds);
	}
	fclose(f);
	json_decref(scopes);
	(void)i;
	export_send(req, "indicators", text, len);
}

/* Connections with their coverage, and when a top-up is due. */
static enum store_status
export_sims(json_t **out)
{
	json_t *c;
	const char *state, *paid;
	enum store_status status;
	size_t i;

	status = report_connections_all(out);
	json_array_foreach(*out, i, c) {
		state = json_string_value(json_object_get(c, "state"));
		paid = json_string_value(json_object_get(c, "paid_until"));
		if (!json_is_true(json_object_get(c, "covered")) &&
		    paid != NULL && state != NULL && (strcmp(state, "active") ==
		    0 || strcmp(state, "suspended") == 0))
			json_object_set_new(c, "due_on", json_string(paid));
	}
	return (status);
}

/* A day n days from today (negative: back). */
void
report_day(long n, char *out, size_t len)
{
	char today[16];
	struct tm tm;
	time_t t;

	api_beneficiary_today(today, sizeof today);
	memset(&tm, 0, sizeof tm);
	strptime(today, "%Y-%m-%d", &tm);
	t = timegm(&tm) + n * 86400;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* ?days=N for lists and alerts: 0 to 3650, else a default. -1: answered. */
int
report_days_query(struct req *req, long long def, long long *days)
{
	const char *s = req_query(req, "days");
	char *end;

	*days = def;
	if (s == NULL)
		return (0);
	*days = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *days < 0 || *days > 3650) {
		reply_error(req, 400, "invalid_field", "days",
		    _("days \"%s\" must be a whole number from 0 to 3650"), s);
		return (-1);
	}
	return (0);
}

/*
 * GET /v1/exports/{stock,sims,warranties,repairs,followups}?days=N: the
 * operational lists as CSV (warranties ending and follow-ups due within N
 * days, 60 by default; repairs open for more than N days, 0 by default).
 */
void
api_export_list(struct req *req)
{
	const char *what = strrchr(req->route->pattern, '/') + 1;
	const char *const *cols;
	char today[16], ahead[16], back[16], *text;
	long long days;
	size_t len;
	json_t *rows = NULL, *sel, *o = NULL;
	enum store_status status;
	FILE *f;

	if (report_days_query(req, strcmp(what, "repairs") == 0 ? 0 : 60,
	    &days) != 0)
		return;
	api_beneficiary_today(today, sizeof today);
	report_day(days, ahead, sizeof ahead);
	report_day(-days, back, sizeof back);
	if (strcmp(what, "stock") == 0) {
		cols = export_stock_cols;
		status = store_report_list("stock", today, ahead, back, &rows);
	} else if (strcmp(what, "warranties") == 0) {
		cols = export_warranty_cols;
		status = store_report_list("warranties", today, ahead, back,
		    &rows);
	} else if (strcmp(what, "repairs") == 0) {
		cols = export_repair_cols;
		status = store_report_list("repairs_open", today, ahead, back,
		    &rows);
	} else if (strcmp(what, "sims") == 0) {
		cols = export_sim_cols;
		status = export_sims(&rows);
	} else {
		cols = export_followup_cols;
		sel = json_pack("{ss}", "due", ahead);
		status = store_beneficiary_schedule(sel, today, NULL, 100000,
		    &o);
		json_decref(sel);
		rows = json_incref(json_object_get(o, "items"));
		json_decref(o);
	}
	if (status != STORE_OK) {
		json_decref(rows);
		api_reply_store(req, status, what);
		return;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	export_rows(f, cols, rows);
	fclose(f);
	json_decref(rows);
	export_send(req, what, text, len);
}
