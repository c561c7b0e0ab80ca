/*
 * Labels and printing through the API: labels rendered for download (PDF,
 * PNG, ZPL), the templates, pre-printed tags, printers, print jobs and the
 * printer a location prints on when units are received there. A label is
 * decoded back before it is given out or printed: one that does not scan
 * back to its tag is refused.
 */

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

static const char *const label_formats[] = { "pdf", "png", "zpl", NULL };
static const char *const label_media[] = { "application/pdf", "image/png",
	"application/zpl" };
static const char *const printer_languages[] = { "pdf", "zpl", NULL };
static const char *const blank_types[] = { "device", "sim", NULL };
static const char blank_letters[] = { 'D', 'S' };

static const struct field printer_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "queue", FT_STRING, F_REQUIRED },
	{ "language", FT_ENUM, F_REQUIRED, printer_languages },
	{ "template", FT_STRING, 0 },
	{ "dpi", FT_INT, 0, NULL, 0, 203, 600 },
	{ NULL }
};

static const struct field print_fields[] = {
	{ "tags", FT_TAGS, F_REQUIRED },
	{ "printer", FT_STRING, F_REQUIRED },
	{ "template", FT_STRING, 0 },
	{ "event_date", FT_DATE, 0 },
	{ "event_place", FT_STRING, 0 },
	{ NULL }
};

static const struct field blank_fields[] = {
	{ "type", FT_ENUM, F_REQUIRED, blank_types },
	{ "count", FT_INT, F_REQUIRED, NULL, 0, 1, LABEL_MAX },
	{ NULL }
};

static const struct field receive_fields[] = {
	{ "printer", FT_STRING, F_REQUIRED },
	{ "template", FT_STRING, 0 },
	{ NULL }
};

/* What GET /v1/labels takes in its query, besides "tags". */
static const struct field render_query[] = {
	{ "template", FT_STRING, 0 },
	{ "format", FT_ENUM, 0, label_formats },
	{ "dpi", FT_INT, 0, NULL, 0, 203, 600 },
	{ "event_date", FT_DATE, 0 },
	{ "event_place", FT_STRING, 0 },
	{ NULL }
};

static int api_label_name(struct req *, const char *, const char *);
static int api_label_dpi(struct req *, long long);
static int api_label_people(struct req *, json_t *);
static int api_label_query(struct req *, json_t **);
static json_t *api_label_extra(struct req *);
static struct label_set *api_label_set(struct req *);
static int api_label_prepare(struct req *, const struct label_set *,
	    json_t *, const char *, struct label_batch *);

/* A printer or template name: short, lower case, digits, '-' and '_'. */
static int
api_label_name(struct req *req, const char *field, const char *s)
{
	if (s == NULL)
		return (0);
	if (strlen(s) > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789"
	    "-_") != strlen(s)) {
		reply_error(req, 400, "invalid_field", field,
		    _("%s \"%s\": expected up to 32 lower-case letters, digits, "
		    "\"-\" or \"_\""), field, s);
		return (-1);
	}
	return (0);
}

/* A printer's resolution: 203, 300 or 600 dpi. */
static int
api_label_dpi(struct req *req, long long dpi)
{
	if (dpi != 203 && dpi != 300 && dpi != 600) {
		reply_error(req, 400, "invalid_field", "dpi",
		    _("dpi %lld: expected 203, 300 or 600 (8, 12 or 24 dots "
		    "per mm)"), dpi);
		return (-1);
	}
	return (0);
}

/*
 * A convocation card prints a first name: only distribution staff and
 * coordinators may print B- tags.
 */
static int
api_label_people(struct req *req, json_t *tags)
{
	json_t *v;
	size_t i;

	if (req->role & (ROLE_DISTRIBUTION | ROLE_COORDINATOR))
		return (0);
	json_array_foreach(tags, i, v) {
		if (json_string_value(v)[0] == 'B') {
			reply_error(req, 403, "forbidden", "tags",
			    _("%s is a beneficiary: only distribution staff "
			    "and coordinators print their cards"),
			    json_string_value(v));
			return (-1);
		}
	}
	return (0);
}

/*
 * The query of GET /v1/labels checked like a body: known names only, each
 * value valid; "tags" is a comma-separated list of at most LABEL_MAX tags.
 */
static int
api_label_query(struct req *req, json_t **tags)
{
	const struct field *f, tags_field = { "tags", FT_TAGS, F_REQUIRED };
	struct evkeyval *kv;
	json_t *body, *v, *out;
	const char *q;
	char *list, *p, *tok, *end;
	long long n;

	*tags = NULL;
	body = json_object();
	TAILQ_FOREACH(kv, req->query, next) {
		if (strcmp(kv->key, "tags") == 0)
			continue;
		for (f = render_query; f->name != NULL; f++)
			if (strcmp(f->name, kv->key) == 0)
				break;
		if (f->name == NULL) {
			reply_error(req, 400, "unknown_field", kv->key,
			    _("unknown parameter \"%s\": expected tags, "
			    "template, format, dpi, event_date or "
			    "event_place"), kv->key);
			json_decref(body);
			return (-1);
		}
		if (f->type == FT_INT) {
			n = strtoll(kv->value, &end, 10);
			if (*kv->value == '\0' || *end != '\0') {
				reply_error(req, 400, "invalid_type", f->name,
				    _("%s must be a whole number"), f->name);
				json_decref(body);
				return (-1);
			}
			v = json_integer(n);
		} else
			v = json_string(kv->value);
		json_object_set_new(body, kv->key, v);
	}
	json_decref(req->body);
	req->body = body;
	if (req_fields(req, render_query, 0) != 0)
		return (-1);
	if ((q = req_query(req, "tags")) == NULL) {
		reply_error(req, 400, "missing_field", "tags",
		    _("tags is required: the tags to label, separated by "
		    "commas"));
		return (-1);
	}
	list = xstrdup(q);
	v = json_array();
	for (p = list; (tok = strsep(&p, ",")) != NULL;)
		json_array_append_new(v, json_string(tok));
	free(list);
	if (json_array_size(v) > LABEL_MAX) {
		reply_error(req, 400, "invalid_field", "tags",
		    _("tags holds %zu tags: at most %d labels at a time"),
		    json_array_size(v), LABEL_MAX);
		json_decref(v);
		return (-1);
	}
	if (req_value(req, &tags_field, v, &out) != 0) {
		json_decref(v);
		return (-1);
	}
	json_decref(v);
	*tags = out;
	return (0);
}

/* The event's date and place, from the validated request. */
static json_t *
api_label_extra(struct req *req)
{
	json_t *extra = json_object(), *v;

	if ((v = json_object_get(req->vals, "event_date")) != NULL)
		json_object_set(extra, "event_date", v);
	if ((v = json_object_get(req->vals, "event_place")) != NULL)
		json_object_set(extra, "event_place", v);
	return (extra);
}

/* The templates, and the fonts; NULL if not (answered). */
static struct label_set *
api_label_set(struct req *req)
{
	struct label_set *set;
	char *cause;

	if (label_print_fonts(&cause) != 0 ||
	    (set = label_set_load(&cause)) == NULL) {
		log_warnx("labels: %s", cause);
		reply_error(req, 500, "labels_unavailable", NULL, "%s", cause);
		free(cause);
		return (NULL);
	}
	return (set);
}

/* Records and templates for the tags; -1 if refused (answered). */
static int
api_label_prepare(struct req *req, const struct label_set *set, json_t *tags,
    const char *tpl, struct label_batch *b)
{
	const char *field;
	char *cause;
	json_t *extra;
	int status, rc;

	if (api_label_people(req, tags) != 0 ||
	    api_label_name(req, "template", tpl) != 0)
		return (-1);
	if (json_array_size(tags) > LABEL_MAX) {
		reply_error(req, 400, "invalid_field", "tags",
		    _("tags holds %zu tags: at most %d labels at a time"),
		    json_array_size(tags), LABEL_MAX);
		return (-1);
	}
	extra = api_label_extra(req);
	rc = label_print_prepare(set, tags, tpl, extra, b, &status, &field,
	    &cause);
	json_decref(extra);
	if (rc != 0) {
		reply_error(req, status, status == 404 ? "unknown_tag" :
		    status == 500 ? "internal" : "invalid_field", field, "%s",
		    cause);
		free(cause);
	}
	return (rc);
}

/*
 * A render off the loop (worker.c): what label_render takes, owned by the
 * job (the records copied: nothing shared with the loop), and what it
 * gives back.
 */
struct api_label_job {
	struct label_set	*set;
	struct label_batch	 b;
	enum label_format	 fmt;
	int			 dpi;
	int			 rc;
	char			*out;
	size_t			 len;
	char			*cause;
};

/* On a worker: render and decode back. */
static void
api_label_job_run(void *arg)
{
	struct api_label_job *j = arg;

	j->rc = label_render(j->b.tpls, j->b.recs, j->fmt, j->dpi, &j->out,
	    &j->len, &j->cause);
}

/* On the loop: answer (req NULL: the client went away), then free. */
static void
api_label_job_done(struct req *req, void *arg)
{
	struct api_label_job *j = arg;

	if (req != NULL && j->rc != 0)
		reply_error(req, 422, "label_refused", "template", "%s",
		    j->cause);
	else if (req != NULL)
		reply_bytes(req, 200, label_media[j->fmt], j->out, j->len);
	free(j->out);
	free(j->cause);
	label_batch_free(&j->b);
	label_set_free(j->set);
	free(j);
}

/* GET /v1/labels?tags=D-...,S-...&template=NAME&format=pdf|png|zpl&dpi=N */
void
api_label_render(struct req *req)
{
	struct api_label_job *j;
	struct label_set *set;
	json_t *recs;
	const char *format;
	long long dpi;
	json_t *tags;
	int i;

	if (api_label_query(req, &tags) != 0)
		return;
	if ((format = req_str(req, "format")) == NULL)
		format = "pdf";
	for (i = 0; strcmp(label_formats[i], format) != 0; i++)
		;
	if (!req_int(req, "dpi", &dpi))
		dpi = i == LABEL_ZPL ? 203 : 300;
	if (api_label_dpi(req, dpi) != 0 || (set = api_label_set(req)) ==
	    NULL) {
		json_decref(tags);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->set = set;
	j->fmt = (enum label_format)i;
	j->dpi = (int)dpi;
	if (api_label_prepare(req, set, tags, req_str(req, "template"),
	    &j->b) == 0) {
		recs = json_deep_copy(j->b.recs);
		json_decref(j->b.recs);
		j->b.recs = recs;
		if (worker_submit(req, api_label_job_run, api_label_job_done,
		    j) == 0)
			j = NULL;
		else
			label_batch_free(&j->b);
	}
	if (j != NULL) {
		label_set_free(set);
		free(j);
	}
	json_decref(tags);
}

/* GET /v1/labels/templates */
void
api_label_templates(struct req *req)
{
	struct label_set *set;
	json_t *a;
	size_t i;

	if ((set = api_label_set(req)) == NULL)
		return;
	a = json_array();
	for (i = 0; i < set->n; i++)
		json_array_append_new(a, label_tpl_json(set->tpls[i]));
	reply_json(req, 200, json_pack("{so sO}", "templates", a, "errors",
	    set->errors));
	label_set_free(set);
}

/* POST /v1/labels/blank {"type":"device","count":N}: pre-printed tags. */
void
api_label_blank(struct req *req)
{
	const char *type;
	long long count;
	json_t *tags;
	enum store_status status;
	int i;

	if (req_fields(req, blank_fields, 0) != 0)
		return;
	type = req_str(req, "type");
	req_int(req, "count", &count);
	for (i = 0; strcmp(blank_types[i], type) != 0; i++)
		;
	status = store_label_reserve(&req->actor, blank_letters[i], count,
	    &tags);
	if (status == STORE_FULL) {
		json_decref(tags);
		reply_error(req, 409, "conflict", "count",
		    _("no %lld more %c- tags can be reserved: the sequence "
		    "is full"), count, blank_letters[i]);
		return;
	}
	api_answer(req, status, 201, json_pack("{ss sI so}", "type", type,
	    "count", (json_int_t)count, "tags", tags), type);
}

/* GET /v1/printers */
void
api_printer_list(struct req *req)
{
	json_t *a;
	enum store_status status;

	status = store_printer_list(&a);
	api_answer(req, status, 200, json_pack("{so}", "printers", a),
	    "printers");
}

/* POST /v1/printers {"name","queue","language","template","dpi"} */
void
api_printer_add(struct req *req)
{
	struct label_set *set;
	const struct label_tpl *t;
	const char *name, *queue, *tpl, *lang;
	char *cause;
	long long dpi;
	json_t *o;
	enum store_status status;

	if (req_fields(req, printer_fields, 0) != 0)
		return;
	name = req_str(req, "name");
	queue = req_str(req, "queue");
	tpl = req_str(req, "template");
	lang = req_str(req, "language");
	if (!req_int(req, "dpi", &dpi))
		dpi = strcmp(lang, "zpl") == 0 ? 203 : 300;
	if (api_label_name(req, "name", name) != 0 ||
	    api_label_name(req, "template", tpl) != 0 ||
	    api_label_dpi(req, dpi) != 0)
		return;
	if (strlen(queue) > 127 || strspn(queue, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@") != strlen(queue)) {
		reply_error(req, 400, "invalid_field", "queue",
		    _("queue \"%s\" is not a CUPS queue name (letters, digits, "
		    "\"-\", \"_\", \".\")"), queue);
		return;
	}
	if (tpl != NULL) {
		if ((set = api_label_set(req)) == NULL)
			return;
		if ((t = label_set_find(set, tpl)) == NULL)
			reply_error(req, 400, "invalid_field", "template",
			    _("there is no label template %s (kitstock labels "
			    "templates lists them)"), tpl);
		else if (strcmp(lang, "zpl") == 0 && t->cols != 0)
			reply_error(req, 400, "invalid_field", "template",
			    _("template %s is a sheet for office printers: a "
			    "ZPL printer prints label templates"), tpl);
		label_set_free(set);
		if (req->status != 0)
			return;
	}
	if (!label_print_queue(queue, &cause)) {
		reply_error(req, 400, "invalid_field", "queue", "%s", cause);
		free(cause);
		return;
	}
	json_object_set_new(req->vals, "dpi", json_integer(dpi));
	status = store_printer_add(&req->actor, req->vals);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", "name",
		    _("a printer named %s is already registered"), name);
		return;
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_printer_get(name, &o);
	api_answer(req, status, 201, o, name);
}

/* DELETE /v1/printers/{name} */
void
api_printer_delete(struct req *req)
{
	const char *name = req->params[0];
	enum store_status status;

	if (api_label_name(req, "name", name) != 0)
		return;
	status = store_printer_delete(&req->actor, name);
	if (status == STORE_NOTFOUND)
		reply_error(req, 404, "unknown_printer", "name",
		    _("there is no printer %s"), name);
	else if (status == STORE_CONFLICT)
		reply_error(req, 409, "conflict", "name",
		    _("printer %s prints on receive at a location: switch that "
		    "off first"), name);
	else
		api_answer(req, status, 200, json_pack("{ss sb}", "name", name,
		    "deleted", 1), name);
}

/*
 * A print off the loop (label_job): a worker renders, decodes back and
 * sends to CUPS; the loop then records the job in a transaction of its
 * own (even if the client went away: it was printed) and answers.
 */
static void
api_print_job_done(struct req *req, void *arg)
{
	struct label_job *j = arg;
	char *cause = NULL;
	json_t *job = NULL;
	int code;

	if (label_job_record(j, &job, &code, &cause) != 0) {
		if (req != NULL)
			reply_error(req, code, code == 422 ? "label_refused" :
			    code == 502 ? "printer_failed" : "internal",
			    code == 422 ? "template" : "printer",
			    _("nothing was printed: %s"), cause);
	} else if (req != NULL)
		reply_json(req, 201, job);
	else
		json_decref(job);
	free(cause);
	label_job_free(j);
}

/* POST /v1/print {"tags":[...],"printer":NAME,"template":NAME} */
void
api_print(struct req *req)
{
	struct label_job *j;
	struct label_set *set;
	struct label_batch b;
	const char *name, *tpl;
	json_t *printer;
	enum store_status status;

	if (req_fields(req, print_fields, 0) != 0)
		return;
	name = req_str(req, "printer");
	if (api_label_name(req, "printer", name) != 0)
		return;
	status = store_printer_get(name, &printer);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_printer", "printer",
		    _("there is no printer %s (kitstock printer list lists "
		    "them)"), name);
		return;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, name);
		return;
	}
	if ((tpl = req_str(req, "template")) == NULL)
		tpl = json_string_value(json_object_get(printer, "template"));
	if ((set = api_label_set(req)) == NULL) {
		json_decref(printer);
		return;
	}
	if (api_label_prepare(req, set, json_object_get(req->vals, "tags"),
	    tpl, &b) != 0) {
		label_set_free(set);
		json_decref(printer);
		return;
	}
	j = label_job_new(&req->actor, printer, set, &b);
	if (worker_submit(req, label_job_run, api_print_job_done, j) != 0)
		label_job_free(j);
}

/* GET /v1/print/{id}: a print job and its state. */
void
api_print_job(struct req *req)
{
	const char *s = req->params[0];
	char *end;
	long long id;
	json_t *job;
	enum store_status status;

	id = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || id < 1) {
		reply_error(req, 400, "invalid_field", "job",
		    _("job %s: expected a job number"), s);
		return;
	}
	status = store_print_job_get(id, &job);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_job", "job",
		    _("there is no print job %lld"), id);
		return;
	}
	api_answer(req, status, 200, job, s);
}

/*
 * PUT /v1/locations/{tag}/print-on-receive {"printer","template"}: print
 * each unit's label when it is received there. DELETE: stop.
 */
void
api_printer_receive(struct req *req)
{
	struct label_set *set;
	const char *printer = NULL, *tpl = NULL;
	char tag[TAG_LEN + 1];
	int64_t id;
	json_t *p;
	enum store_status status;
	int on = strcmp(req->route->method, "PUT") == 0;

	if (req_tag(req, 0, 'L', tag) != 0 ||
	    (on && req_fields(req, receive_fields, 0) != 0))
		return;
	if ((status = store_id_of("location", tag, &id)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	if (on) {
		printer = req_str(req, "printer");
		tpl = req_str(req, "template");
		if (api_label_name(req, "printer", printer) != 0 ||
		    api_label_name(req, "template", tpl) != 0)
			return;
		status = store_printer_get(printer, &p);
		if (status == STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_printer", "printer",
			    _("there is no printer %s"), printer);
			return;
		}
		json_decref(p);
		if (status != STORE_OK) {
			api_reply_store(req, status, printer);
			return;
		}
		if (tpl != NULL) {
			if ((set = api_label_set(req)) == NULL)
				return;
			if (label_set_find(set, tpl) == NULL)
				reply_error(req, 400, "invalid_field",
				    "template", _("there is no label template "
				    "%s"), tpl);
			label_set_free(set);
			if (req->status != 0)
				return;
		}
	}
	status = store_printer_receive_set(&req->actor, tag, printer, tpl);
	api_answer(req, status, 200, json_pack("{ss ss? ss?}", "location", tag,
	    "printer", printer, "template", tpl), tag);
}
