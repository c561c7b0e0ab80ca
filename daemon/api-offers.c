/*
 * The territory's offers of digital mediation: a file of the national
 * standard « Lieux de médiation numérique » imported (places created or
 * updated in place by their id, their services as offers, rows outside the
 * programme's communes counted and skipped, bad rows reported by line and
 * nothing imported unless asked to skip them), places listed and shown,
 * offers suggested to a person from their diagnostic, and orientations
 * with no attendance recorded after the programme's delay (drop-outs).
 */

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

#define OFFERS_LISTED_MAX	1000	/* problems listed in an answer */
#define OFFERS_DROPOUT_DAYS	21	/* without the programme's setting */

static const char *const offer_kinds_all[] = {
	"initiation", "online_procedures", "further_skills", "creative_digital",
	NULL
};

static const struct field place_filters[] = {
	{ "commune", FT_INSEE, 0 },
	{ "territory", FT_STRING, 0 },
	{ NULL }
};

/* A problem being sorted: its line, and its place in the list. */
struct api_offers_problem {
	json_t		*e;
	json_int_t	 line;
	size_t		 seq;
};

static int	 api_offers_query(struct req *, int *);
static int	 api_offers_cmp(const void *, const void *);
static int	 api_offers_commune(struct lieux_file *, struct lieux_row *,
		    const char *, json_t *, int *);
static void	 api_offers_digest(json_t *);
static json_t	*api_offers_cut(json_t *);
static void	 api_offers_sort(json_t *);
static int	 api_offers_same(const char *, const char *);

/* Are two names the same, case, accents and punctuation aside? */
static int
api_offers_same(const char *a, const char *b)
{
	char fa[256], fb[256];

	csv_fold(a, fa, sizeof fa);
	csv_fold(b, fb, sizeof fb);
	return (strcmp(fa, fb) == 0);
}

/* The import's query: skip_bad (true, false, 1, 0) and nothing else. */
static int
api_offers_query(struct req *req, int *skip)
{
	struct evkeyval *kv;

	*skip = 0;
	TAILQ_FOREACH(kv, req->query, next) {
		if (strcmp(kv->key, "skip_bad") != 0) {
			reply_error(req, 400, "unknown_field", kv->key,
			    _("unknown field \"%s\": expected %s"), kv->key,
			    "skip_bad");
			return (-1);
		}
		if (strcmp(kv->value, "true") == 0 ||
		    strcmp(kv->value, "1") == 0)
			*skip = 1;
		else if (strcmp(kv->value, "false") != 0 &&
		    strcmp(kv->value, "0") != 0) {
			reply_error(req, 400, "invalid_field", "skip_bad",
			    _("%s %s: expected true or false"), "skip_bad",
			    kv->value);
			return (-1);
		}
	}
	return (0);
}

/*
 * The programme's commune of a row: its code_insee, else its postal code
 * (and name, when the code has several communes). A commune merged into
 * another since counts in that one. *outside is set for a row that is in
 * none of the programme's communes; -1 for a database error. cache keeps
 * the candidates of each code asked (a file names few communes, often).
 */
static int
api_offers_commune(struct lieux_file *lf, struct lieux_row *row,
    const char *today, json_t *cache, int *outside)
{
	json_t *place = row->place, *cands, *c, *pick = NULL;
	const char *insee, *postal, *name, *until, *merged;
	char *key;
	size_t i;

	*outside = 0;
	insee = json_string_value(json_object_get(place, "insee"));
	postal = json_string_value(json_object_get(place, "postal_code"));
	name = json_string_value(json_object_get(place, "commune_given"));
	xasprintf(&key, "%c%s", insee != NULL ? 'i' : postal != NULL ? 'p' :
	    '-', insee != NULL ? insee : postal != NULL ? postal : "");
	if ((cands = json_object_get(cache, key)) != NULL)
		json_incref(cands);
	else if (store_offers_communes(insee, postal, &cands) != STORE_OK) {
		json_decref(cands);
		free(key);
		return (-1);
	} else
		json_object_set(cache, key, cands);
	free(key);
	if (json_array_size(cands) == 0) {
		*outside = 1;
		json_decref(cands);
		return (0);
	}
	json_array_foreach(cands, i, c)
		if (api_offers_same(name, json_string_value(json_object_get(c,
		    "name"))))
			pick = c;
	if (pick == NULL && json_array_size(cands) == 1) {
		pick = json_array_get(cands, 0);
		lieux_problem(lf->warnings, row->line, "commune", name,
		    _("commune %s: %s %s is %s; taken as %s"), name,
		    insee != NULL ? "code_insee" : "code_postal",
		    insee != NULL ? insee : postal, json_string_value(
		    json_object_get(pick, "name")), json_string_value(
		    json_object_get(pick, "name")));
	}
	if (pick == NULL) {
		lieux_problem(lf->errors, row->line, "commune", name,
		    _("commune %s is not a commune with postal code %s: give "
		    "its code_insee"), name, postal);
		row->bad = 1;
		json_decref(cands);
		return (0);
	}
	insee = json_string_value(json_object_get(pick, "insee"));
	until = json_string_value(json_object_get(pick, "valid_until"));
	merged = json_string_value(json_object_get(pick, "merged_into"));
	if (until != NULL && strcmp(until, today) < 0 && merged != NULL) {
		lieux_problem(lf->warnings, row->line, "commune", name,
		    _("commune %s (%s) merged into %s after %s: the place "
		    "counts there"), name, insee, merged, until);
		insee = merged;
	}
	json_object_set_new(place, "commune", json_string(insee));
	json_decref(cands);
	return (0);
}

/* A fingerprint of a place's values, to tell a change from a repeat. */
static void
api_offers_digest(json_t *place)
{
	char *text, hex[17];
	const unsigned char *p;
	uint64_t h = 0xcbf29ce484222325ULL;

	json_object_del(place, "digest");
	text = json_dumps(place, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		fatalx("json_dumps: out of memory");
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	free(text);
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
	json_object_set_new(place, "digest", json_string(hex));
}

/* Two problems by line, then in the order they were found. */
static int
api_offers_cmp(const void *a, const void *b)
{
	const struct api_offers_problem *x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Problems in the order of their lines (stable). */
static void
api_offers_sort(json_t *list)
{
	struct api_offers_problem *p;
	size_t i, n = json_array_size(list);

	if (n < 2)
		return;
	p = xcalloc(n, sizeof *p);
	for (i = 0; i < n; i++) {
		p[i].e = json_incref(json_array_get(list, i));
		p[i].line = json_integer_value(json_object_get(p[i].e,
		    "line"));
		p[i].seq = i;
	}
	qsort(p, n, sizeof *p, api_offers_cmp);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, p[i].e);
	free(p);
}

/* The first OFFERS_LISTED_MAX problems of a list (a new reference). */
static json_t *
api_offers_cut(json_t *list)
{
	json_t *a;
	size_t i;

	if (json_array_size(list) <= OFFERS_LISTED_MAX)
		return (json_incref(list));
	a = json_array();
	for (i = 0; i < OFFERS_LISTED_MAX; i++)
		json_array_append(a, json_array_get(list, i));
	return (a);
}

/*
 * An import off the loop: a worker reads the file (lieux.c: pure), the
 * loop resolves the communes and writes, in one transaction of its own,
 * committed before the answer (nothing if the client is known to be gone
 * by then), as api-lot-import.c does.
 */
struct api_offers_job {
	unsigned char		*raw;
	size_t			 len;
	int			 skip;
	char			*actor, *station, *at;
	struct lieux_file	*lf;		/* the worker's */
	char			*cause;
	/* The loop's, from one slice of the writes to the next. */
	enum { OFFERS_COMMUNES, OFFERS_PLAN, OFFERS_PLACES, OFFERS_END } phase;
	size_t			 next;		/* the row a slice starts at */
	char			 today[16];
	json_t			*outside, *cache;
	size_t			 bad, created, updated, same;
	size_t			 born, withdrawn;
};

static void	 api_offers_job_run(void *);
static void	 api_offers_job_done(struct req *, void *);
static void	 api_offers_job_free(struct api_offers_job *);
static void	 api_offers_job_release(void *);
static int	 api_offers_write(struct req *, void *);
static int	 api_offers_communes(struct req *, struct api_offers_job *);
static int	 api_offers_plan(struct req *, struct api_offers_job *);
static int	 api_offers_places(struct req *, struct api_offers_job *);
static int	 api_offers_end(struct req *, struct api_offers_job *);

static void
api_offers_job_run(void *arg)
{
	struct api_offers_job *j = arg;

	lieux_read(j->raw, j->len, &j->lf, &j->cause);
	free(j->raw);		/* read into the table's own copy */
	j->raw = NULL;
}

static void
api_offers_job_free(struct api_offers_job *j)
{
	lieux_free(j->lf);
	free(j->cause);
	json_decref(j->outside);
	json_decref(j->cache);
	free(j->raw);
	free(j->actor);
	free(j->station);
	free(j->at);
	free(j);
}

static void
api_offers_job_release(void *arg)
{
	api_offers_job_free(arg);
}

/* On the loop: write and answer (req NULL: the client went away). */
static void
api_offers_job_done(struct req *req, void *arg)
{
	struct api_offers_job *j = arg;

	if (req != NULL && j->lf == NULL)
		reply_error(req, 400, "invalid_file", NULL, "%s", j->cause);
	else if (req != NULL) {
		worker_write(req, api_offers_write, j, api_offers_job_release);
		return;
	}
	api_offers_job_free(j);
}

/*
 * The import in its transaction (worker_write), in slices of the loop:
 * each good row's commune, then the places created or updated with their
 * offers, and the ledger row. 1: more to do on the next slice; 0 answered
 * 200, or -1 answered.
 */
static int
api_offers_write(struct req *req, void *arg)
{
	struct api_offers_job *j = arg;
	int rc = 1;

	while (rc == 1 && !worker_slice_over()) {
		switch (j->phase) {
		case OFFERS_COMMUNES:
			rc = api_offers_communes(req, j);
			break;
		case OFFERS_PLAN:
			rc = api_offers_plan(req, j);
			break;
		case OFFERS_PLACES:
			rc = api_offers_places(req, j);
			break;
		case OFFERS_END:
			return (api_offers_end(req, j));
		}
	}
	return (rc);
}

/* Each good row's commune, until the slice is over. */
static int
api_offers_communes(struct req *req, struct api_offers_job *j)
{
	struct lieux_file *lf = j->lf;
	struct lieux_row *row;
	int out;

	if (j->outside == NULL) {
		api_beneficiary_today(j->today, sizeof j->today);
		j->outside = json_array();
		j->cache = json_object();
	}
	for (; j->next < lf->nrows; j->next++) {
		if (worker_slice_over())
			return (1);
		row = &lf->rows[j->next];
		if (row->bad)
			continue;
		if (api_offers_commune(lf, row, j->today, j->cache, &out) !=
		    0) {
			api_reply_store(req, STORE_ERROR, "");
			return (-1);
		}
		if (out)
			json_array_append_new(j->outside, json_pack(
			    "{sI sO sO? sO}", "line", (json_int_t)row->line,
			    "id", json_object_get(row->place, "ref"),
			    "commune", json_object_get(row->place,
			    "commune_given"), "code_postal",
			    json_object_get(row->place, "postal_code")));
		row->bad = row->bad ? 1 : out ? 2 : 0;
	}
	json_decref(j->cache);
	j->cache = NULL;
	j->next = 0;
	j->phase = OFFERS_PLAN;
	return (1);
}

/* Refuse the file if a bad row forbids it. */
static int
api_offers_plan(struct req *req, struct api_offers_job *j)
{
	struct lieux_file *lf = j->lf;
	const char *field;
	char *cause;
	json_t *o;
	size_t i, good = 0, nbad;

	for (i = 0; i < lf->nrows; i++) {
		j->bad += lf->rows[i].bad == 1;
		good += lf->rows[i].bad == 0;
	}
	api_offers_sort(lf->errors);
	api_offers_sort(lf->warnings);
	if (j->bad > 0 && (!j->skip || good == 0)) {
		nbad = json_array_size(lf->errors);
		field = json_string_value(json_object_get(json_array_get(
		    lf->errors, 0), "column"));
		o = json_pack("{ss ss* sI so}", "code", "invalid_file", "field",
		    field, "count", (json_int_t)j->bad, "lines",
		    api_offers_cut(lf->errors));
		xasprintf(&cause, _("bad rows in the file: %zu of %zu (%zu "
		    "problems); nothing was imported (correct them, or import "
		    "the other rows with skip_bad)"), j->bad, lf->nrows, nbad);
		json_object_set_new(o, "message", json_string(cause));
		log_debug("400 invalid_file: %s", cause);
		free(cause);
		reply_json(req, 400, json_pack("{so}", "error", o));
		return (-1);
	}
	j->phase = OFFERS_PLACES;
	return (1);
}

/* The places created or updated, with their offers, until it is over. */
static int
api_offers_places(struct req *req, struct api_offers_job *j)
{
	struct lieux_file *lf = j->lf;
	struct lieux_row *row;
	struct actor a = { j->actor, j->station, j->at };
	enum store_status status;
	char digest[32];
	int64_t id;

	for (; j->next < lf->nrows; j->next++) {
		if (worker_slice_over())
			return (1);
		row = &lf->rows[j->next];
		if (row->bad)
			continue;
		json_object_del(row->place, "insee");
		api_offers_digest(row->place);
		status = store_offers_place_find(json_string_value(
		    json_object_get(row->place, "ref")), &id, digest,
		    sizeof digest);
		if (status != STORE_OK)
			goto fail;
		if (id != 0 && strcmp(digest, json_string_value(
		    json_object_get(row->place, "digest"))) == 0) {
			j->same++;
			continue;
		}
		if (id == 0)
			j->created++;
		else
			j->updated++;
		if ((status = store_offers_place_put(&a, &id, row->place)) !=
		    STORE_OK || (status = store_offers_sync(&a, id,
		    json_object_get(row->place, "services"), &j->born,
		    &j->withdrawn)) != STORE_OK)
			goto fail;
	}
	j->phase = OFFERS_END;
	return (1);
fail:
	api_reply_store(req, status, "");
	return (-1);
}

/* The ledger row and the answer. */
static int
api_offers_end(struct req *req, struct api_offers_job *j)
{
	struct lieux_file *lf = j->lf;
	struct actor a = { j->actor, j->station, j->at };
	enum store_status status;
	json_t *counts;

	counts = json_pack("{ss sI sI sI sI sI sI sI sI sI}", "schema",
	    LIEUX_SCHEMA_VERSION, "rows", (json_int_t)lf->nrows, "created",
	    (json_int_t)j->created, "updated", (json_int_t)j->updated,
	    "unchanged", (json_int_t)j->same, "skipped_outside",
	    (json_int_t)json_array_size(j->outside), "bad", (json_int_t)j->bad,
	    "warnings", (json_int_t)json_array_size(lf->warnings),
	    "offers_created", (json_int_t)j->born, "offers_withdrawn",
	    (json_int_t)j->withdrawn);
	if ((status = store_offers_imported(&a, counts)) != STORE_OK) {
		json_decref(counts);
		api_reply_store(req, status, "");
		return (-1);
	}
	json_object_set_new(counts, "separator", json_string(
	    lf->table->sep == ';' ? ";" : lf->table->sep == ',' ? "," :
	    "tab"));
	json_object_set_new(counts, "bom", json_boolean(lf->table->bom));
	json_object_set_new(counts, "bad_rows", api_offers_cut(lf->errors));
	json_object_set_new(counts, "warning_list",
	    api_offers_cut(lf->warnings));
	json_object_set_new(counts, "outside", api_offers_cut(j->outside));
	reply_json(req, 200, counts);
	return (0);
}

/*
 * POST /v1/offers/import?skip_bad=true, a text/csv body in the standard.
 * Answers the counts: places created, updated, unchanged, skipped as
 * outside the programme, bad rows, warnings; offers created, withdrawn.
 * The file is read off the loop (api_offers_job_run), written on it.
 */
void
api_offers_import(struct req *req)
{
	struct api_offers_job *j;
	int skip;

	if (api_offers_query(req, &skip) != 0)
		return;
	if (req->raw == NULL || req->raw_len == 0) {
		reply_error(req, 400, "missing_body", NULL,
		    _("the file is empty: send the CSV file of the standard "
		    "« Lieux de médiation numérique » as the body "
		    "(Content-Type: text/csv)"));
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->skip = skip;
	j->raw = xmalloc(req->raw_len);
	memcpy(j->raw, req->raw, req->raw_len);
	j->len = req->raw_len;
	j->actor = req->actor.name != NULL ? xstrdup(req->actor.name) : NULL;
	j->station = req->actor.station != NULL ?
	    xstrdup(req->actor.station) : NULL;
	j->at = req->actor.at != NULL ? xstrdup(req->actor.at) : NULL;
	if (worker_submit(req, api_offers_job_run, api_offers_job_done, j) !=
	    0)
		api_offers_job_free(j);
}

/*
 * GET /v1/places?commune=&territory=: numbered rows as the path's steps
 * are (the route leaves prescribers out: they have the suggestions).
 */
void
api_place_list(struct req *req)
{
	api_beneficiary_rows(req, "place_v", place_filters);
}

/* GET /v1/places/{id}: a place with its offers. */
void
api_place_show(struct req *req)
{
	char *end;
	int64_t id;
	json_t *o, *sel, *offers, *list, *v;
	enum store_status status;
	size_t i;

	id = strtoll(req->params[0], &end, 10);
	if (*req->params[0] < '1' || *req->params[0] > '9' || *end != '\0') {
		reply_error(req, 400, "invalid_field", "id",
		    _("place %s: expected its number"), req->params[0]);
		return;
	}
	status = store_beneficiary_row("place_v", id, &o);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_id", "id",
		    _("place %lld does not exist"), (long long)id);
		return;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, "place");
		return;
	}
	sel = json_pack("{sI}", "place", (json_int_t)id);
	status = store_item_list(&res_offer, sel, 0, LIST_LIMIT_MAX, &offers);
	json_decref(sel);
	list = json_array();
	json_array_foreach(json_object_get(offers, "items"), i, v)
		json_array_append_new(list, json_pack("{sO sO sO sO}", "offer",
		    json_object_get(v, "tag"), "name", json_object_get(v,
		    "name"), "kind", json_object_get(v, "kind"),
		    "withdrawn_at", json_object_get(v, "withdrawn_at")));
	json_object_set_new(o, "offer_list", list);
	json_decref(offers);
	api_answer(req, status, 200, o, "place");
}

/*
 * GET /v1/beneficiaries/{tag}/offers: offers for a person from their
 * diagnostic (the training wished, a certification wished), ranked by
 * store_offers_suggest.
 */
void
api_offers_suggest(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	const char *wished, *after;
	long long limit;
	json_t *b = NULL, *d = NULL, *sel, *kinds, *items, *o;
	enum store_status status;
	int i, pix;

	if (req_tag(req, 0, 'B', tag) != 0 || req_limit(req, &limit,
	    &after) != 0 || api_beneficiary_load(req, "beneficiary", tag,
	    &bf) != 0)
		return;
	if (bf.diagnosed_on[0] == '\0') {
		reply_error(req, 409, "no_diagnostic", "beneficiary",
		    _("%s has had no diagnostic yet: offers are suggested "
		    "from its needs"), tag);
		return;
	}
	if ((status = store_item_get(&res_beneficiary, tag, &b)) !=
	    STORE_OK || (status = store_beneficiary_row("diagnostic_v", bf.id,
	    &d)) != STORE_OK) {
		json_decref(b);
		api_reply_store(req, status, tag);
		return;
	}
	wished = json_string_value(json_object_get(d, "training_wished"));
	pix = json_is_true(json_object_get(d, "certification_wished"));
	kinds = json_array();
	for (i = 0; offer_kinds_all[i] != NULL; i++)
		if (strcmp(wished, "any") == 0 || strcmp(wished,
		    offer_kinds_all[i]) == 0)
			json_array_append_new(kinds,
			    json_string(offer_kinds_all[i]));
	sel = json_pack("{sO sO so sb sI}", "commune", json_object_get(b,
	    "commune"), "territory", json_object_get(b, "territory"), "kinds",
	    kinds, "pix", pix, "limit", (json_int_t)limit);
	status = store_offers_suggest(sel, &items);
	o = json_pack("{ss sO sO sO ss sb sO so}", "beneficiary", tag,
	    "commune", json_object_get(b, "commune"), "commune_name",
	    json_object_get(b, "commune_name"), "territory",
	    json_object_get(b, "territory"), "training_wished", wished,
	    "certification_wished", pix, "kinds", json_object_get(sel,
	    "kinds"), "items", items);
	json_decref(sel);
	json_decref(b);
	json_decref(d);
	api_answer(req, status, 200, o, tag);
}

/* The programme's delay before an orientation not attended is an alert. */
long long
api_offers_dropout_days(void)
{
	char *v = NULL, *end;
	long long days = OFFERS_DROPOUT_DAYS, n;

	if (store_beneficiary_setting("orientation-dropout-days", &v) ==
	    STORE_OK && v != NULL) {
		n = strtoll(v, &end, 10);
		if (*v != '\0' && *end == '\0' && n > 0 && n < 3650)
			days = n;
	}
	free(v);
	return (days);
}

/*
 * The drop-outs by a date (today if NULL), in a selection (beneficiary,
 * territory, prescriber, each optional): orientations with no attendance
 * recorded the programme's delay after them. *out is a new list.
 */
enum store_status
api_offers_dropouts(json_t *sel, const char *by, json_t **out)
{
	char today[16];
	const char *key;
	json_t *v, *all, *want;
	enum store_status status;
	size_t i;
	int keep;

	if (by == NULL) {
		api_beneficiary_today(today, sizeof today);
		by = today;
	}
	*out = json_array();
	status = store_offers_dropouts(by, api_offers_dropout_days(),
	    json_string_value(json_object_get(sel, "territory")), &all);
	json_array_foreach(all, i, v) {
		keep = 1;
		json_object_foreach(sel, key, want) {
			if (strcmp(key, "beneficiary") != 0 &&
			    strcmp(key, "prescriber") != 0)
				continue;
			if (!json_equal(json_object_get(v, key), want))
				keep = 0;
		}
		if (keep)
			json_array_append(*out, v);
	}
	json_decref(all);
	return (status);
}

/*
 * alerts.c's "orientation_dropout": each orientation with no attendance
 * recorded the programme's delay after it, about its person (by tag).
 */
enum store_status
api_offers_alerts(const struct alert_ctx *ctx, json_t *out)
{
	json_t *list, *v, *sel;
	enum store_status status;
	long long days;
	size_t i;

	sel = json_object();
	status = api_offers_dropouts(sel, ctx->today, &list);
	json_decref(sel);
	days = api_offers_dropout_days();
	json_array_foreach(list, i, v)
		alert_push(out, "orientation_dropout", json_string_value(
		    json_object_get(v, "beneficiary")), json_string_value(
		    json_object_get(v, "territory")), json_string_value(
		    json_object_get(v, "due_on")), _("%s: no attendance "
		    "recorded for orientation %lld to %s (%s) %lld days after "
		    "it (the programme's delay is %lld days): call them, then "
		    "record it with kitstock orientation edit %lld --attended "
		    "or --no-attended"), json_string_value(json_object_get(v,
		    "beneficiary")), (long long)json_integer_value(
		    json_object_get(v, "orientation")), json_string_value(
		    json_object_get(v, "offer")), json_string_value(
		    json_object_get(v, "place_name")),
		    (long long)json_integer_value(json_object_get(v, "days")),
		    days, (long long)json_integer_value(json_object_get(v,
		    "orientation")));
	json_decref(list);
	return (status);
}

/* GET /v1/orientations/dropouts?territory=T6: the drop-outs today. */
void
api_offers_dropout_list(struct req *req)
{
	const char *v;
	char *cause;
	json_t *sel, *list, *o;
	enum store_status status;

	sel = json_object();
	if ((v = req_query(req, "territory")) != NULL) {
		if (api_beneficiary_territory_code(req, "territory", v) != 0) {
			json_decref(sel);
			return;
		}
		json_object_set_new(sel, "territory", json_string(v));
	}
	if ((v = req_query(req, "beneficiary")) != NULL) {
		if (tag_check(v, 'B', NULL, NULL, &cause) != 0) {
			reply_error(req, 400, "invalid_field", "beneficiary",
			    "%s", cause);
			free(cause);
			json_decref(sel);
			return;
		}
		json_object_set_new(sel, "beneficiary", json_string(v));
	}
	if (api_beneficiary_scope_list(req, sel) != 0) {
		json_decref(sel);
		return;
	}
	status = api_offers_dropouts(sel, NULL, &list);
	json_decref(sel);
	o = json_pack("{sI so}", "days", (json_int_t)api_offers_dropout_days(),
	    "items", list);
	api_answer(req, status, 200, o, "orientations");
}
