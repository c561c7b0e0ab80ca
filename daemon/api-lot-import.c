/*
 * Receiving a delivery: its manifest imported as the lot's expected units
 * (a text/csv body read by shared/csv.c, every bad line reported, nothing
 * imported unless asked to skip them), units received by serial, IMEI or
 * ICCID into devices and SIM cards through the same validation as any
 * other (with a pre-printed tag if one is scanned), extras received by
 * their fields, and the lot's account for the supplier, in JSON or CSV.
 */

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

#define IMPORT_ERRORS_MAX	1000	/* bad lines listed in an answer */
#define RECEIVE_MAX		1000	/* codes in one request */

static const char *const lot_kinds[] = {
	"desktop", "laptop", "tablet", "smartphone", "4g-router", NULL
};
static const char *const lot_grades[] = { "A", "B", "C", NULL };

/* A new lot's query: the lot's fields, and whether to skip bad lines. */
static const struct field import_new_fields[] = {
	{ "supplier", FT_TAG, F_REQUIRED, NULL, 'F' },
	{ "ref", FT_STRING, F_REQUIRED },
	{ "delivered_on", FT_DATE, 0 },
	{ "unit_cost", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ "skip_bad", FT_BOOL, 0 },
	{ NULL }
};

/* An existing lot's query: its supplier, as a check. */
static const struct field import_lot_fields[] = {
	{ "supplier", FT_TAG, 0, NULL, 'F' },
	{ "skip_bad", FT_BOOL, 0 },
	{ NULL }
};

/* Receiving expected units ("codes" is checked on its own). */
static const struct field receive_fields[] = {
	{ "location", FT_TAG, 0, NULL, 'L' },
	{ "tag", FT_STRING, 0 },
	{ "kind", FT_ENUM, 0, lot_kinds },
	{ "model", FT_STRING, 0 },
	{ "grade", FT_ENUM, 0, lot_grades },
	{ "extra", FT_BOOL, 0 },
	{ NULL }
};

/* Fields of an expected unit that a device or a SIM card takes. */
static const char *const device_keys[] = {
	"kind", "brand", "model", "serial", "imei", "cpu", "ram_gb",
	"storage_gb", "screen_in", "os", "grade", "cost", "warranty_until",
	"erasure_cert", NULL
};
static const char *const sim_keys[] = { "iccid", "operator", NULL };

static int	 api_lot_query(struct req *, const struct field *);
static int	 api_lot_path(struct req *, char *, int64_t *, char *);
static int	 api_lot_found(struct req *, const char *, int64_t *, char *);
static json_t	*api_lot_errors(const struct csv_manifest *, size_t *);
static int	 api_lot_check_unit(struct csv_manifest *,
		    struct csv_unit *, int64_t, json_t **);
static char	*api_lot_notes(const struct csv_manifest *,
		    const struct csv_unit *);
static int	 api_lot_codes(struct req *, json_t **);
static int	 api_lot_preprinted(struct req *, const char *, char);
static int	 api_lot_create(struct req *, const struct resource *,
		    json_t *, const char *, const char *, char *);
static int	 api_lot_receive_one(struct req *, const char *, int64_t,
		    const char *, json_t *, json_t *);
static int	 api_lot_extra(struct req *, const char *, int64_t, json_t *);
static int	 api_lot_expected_here(struct req *, int64_t, const char *);
static int	 api_lot_received(struct req *, const char *, const char *,
		    const char *, json_t *, json_t *);
static json_t	*api_lot_account(json_t *, json_t *, json_t **);
static void	 api_lot_csv(struct req *, json_t *);
static void	 api_lot_csv_cell(FILE *, const char *, int);
static const char *api_lot_kind_fr(const char *);
static int	 api_lot_same(const char *, const char *);

/*
 * The query string as a body for req_fields (a CSV body leaves it free):
 * every value a string, skip_bad true or false. 0, or -1 answered.
 */
static int
api_lot_query(struct req *req, const struct field *fields)
{
	struct evkeyval *kv;
	const char *v;

	json_decref(req->body);
	req->body = json_object();
	TAILQ_FOREACH(kv, req->query, next) {
		if (json_object_get(req->body, kv->key) != NULL) {
			reply_error(req, 400, "invalid_field", kv->key,
			    _("%s is given twice"), kv->key);
			return (-1);
		}
		v = kv->value;
		if (strcmp(kv->key, "skip_bad") == 0 && (strcmp(v, "true") ==
		    0 || strcmp(v, "1") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "0") == 0))
			json_object_set_new(req->body, kv->key,
			    json_boolean(*v == 't' || *v == '1'));
		else
			json_object_set_new(req->body, kv->key,
			    json_string(v));
	}
	return (req_fields(req, fields, 0));
}

/* The lot in the path: tag, row id and supplier; -1 answered. */
static int
api_lot_path(struct req *req, char *tag, int64_t *id, char *supplier)
{
	if (req_tag(req, 0, 'R', tag) != 0)
		return (-1);
	return (api_lot_found(req, tag, id, supplier));
}

/* A lot by its tag: row id and supplier; -1 answered. */
static int
api_lot_found(struct req *req, const char *tag, int64_t *id, char *supplier)
{
	enum store_status status;

	if ((status = store_lot_find(tag, id, supplier)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "tag",
		    _("lot %s does not exist"), tag);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	return (0);
}

/* The bad lines as {line, column, value, message}; *bad counts lines. */
static json_t *
api_lot_errors(const struct csv_manifest *m, size_t *bad)
{
	const struct csv_error *e;
	json_t *a;
	size_t i, last = 0;

	a = json_array();
	*bad = 0;
	for (i = 0; i < m->nerrors; i++) {
		e = &m->errors[i];
		if (e->line != last)
			(*bad)++;
		last = e->line;
		if (i >= IMPORT_ERRORS_MAX)
			continue;
		json_array_append_new(a, json_pack("{sI so ss ss}", "line",
		    (json_int_t)e->line, "column", e->column != NULL ?
		    json_string(e->column) : json_null(), "value", e->value,
		    "message", e->message));
	}
	return (a);
}

/*
 * What the store says of a good line: a serial, IMEI or ICCID already
 * registered, or already expected in this lot by an earlier import. Each
 * is an error of the line, which becomes a duplicate (*dup says of what).
 * -1 on a database error.
 */
static int
api_lot_check_unit(struct csv_manifest *m, struct csv_unit *u, int64_t lot,
    json_t **dup)
{
	char holder[TAG_LEN + 1], *msg;
	const char *code[4];
	int field[4], n = 0, i;
	size_t line;

	*dup = NULL;
	if (u->serial != NULL) {
		field[n] = CSV_SERIAL;
		code[n++] = u->serial;
	}
	for (i = 0; i < u->nimei; i++) {
		field[n] = CSV_IMEI;
		code[n++] = u->imei[i];
	}
	if (u->iccid != NULL) {
		field[n] = CSV_ICCID;
		code[n++] = u->iccid;
	}
	for (i = 0; i < n && *dup == NULL; i++) {
		if (field[i] == CSV_SERIAL && store_device_serial_holder(
		    u->brand, code[i], holder) != STORE_OK)
			return (-1);
		if (field[i] == CSV_IMEI && store_device_imei_holder(code[i],
		    holder) != STORE_OK)
			return (-1);
		if (field[i] == CSV_ICCID && store_sim_iccid_holder(code[i],
		    holder) != STORE_OK)
			return (-1);
		if (holder[0] != '\0') {
			xasprintf(&msg, _("%s %s is already registered (%s)"),
			    csv_field_name(field[i]), code[i], holder);
			*dup = json_pack("{ss ss}", "field",
			    csv_field_name(field[i]), "tag", holder);
		} else {
			if (lot == 0)	/* a new lot: no earlier import */
				continue;
			if (store_manifest_in_lot(lot, code[i], &line) !=
			    STORE_OK)
				return (-1);
			if (line == 0)
				continue;
			xasprintf(&msg, _("%s %s is already in this lot's "
			    "manifest (line %zu of an earlier import)"),
			    csv_field_name(field[i]), code[i], line);
			*dup = json_pack("{ss sI sb}", "field",
			    csv_field_name(field[i]), "line", (json_int_t)line,
			    "earlier", 1);
		}
		csv_manifest_error(m, u->line, field[i], code[i], msg);
		free(msg);
	}
	return (0);
}

/* The other columns of a line as a JSON object (allocated), or NULL. */
static char *
api_lot_notes(const struct csv_manifest *m, const struct csv_unit *u)
{
	json_t *o;
	char *s;
	size_t k;

	o = json_object();
	for (k = 0; k < m->nnotes; k++)
		if (u->notes[k] != NULL)
			json_object_set_new(o, m->note_names[k],
			    json_string(u->notes[k]));
	s = json_object_size(o) > 0 ? json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return (s);
}

/*
 * An import off the loop. The loop checks the query and the lot, and
 * copies the body; a worker reads the manifest (shared/csv.c: pure) and
 * each line's notes; back on the loop, in one transaction of its own, the
 * lot is checked again, every good line is looked up in the store, and
 * the lines, the lot (if new) and the ledger row are written and
 * committed before the answer. A client known to be gone by then has
 * nothing written (libevent may see it go only when the answer is sent:
 * then the import stands, as it did on the loop).
 */
struct api_lot_job {
	unsigned char		*raw;
	size_t			 len;
	int			 existing;
	int			 skip;
	char			 lot[TAG_LEN + 1];
	char			 supplier[TAG_LEN + 1];	/* given, or the lot's */
	char			*ref;		/* a new lot's */
	json_t			*vals;		/* a new lot's fields */
	char			*actor, *station, *at;
	/* The worker's. */
	struct csv_manifest	*m;
	char			*cause;		/* the file is not a manifest */
	char			**notes;	/* each line's other columns */
	/* The loop's, from one slice of the writes to the next. */
	enum { LOT_TARGET, LOT_CHECK, LOT_PLAN, LOT_LINES, LOT_END } phase;
	size_t			 next;		/* the line a slice starts at */
	json_t			**dups;		/* what the store says of each */
	json_t			*errors;
	size_t			 bad, imported, duplicates;
	int64_t			 lot_id;
	int			 import_no;
	char			 lot_supplier[TAG_LEN + 1];
};

static int	 api_lot_target(struct req *, struct api_lot_job *,
		    int64_t *, char *);
static void	 api_lot_job_run(void *);
static void	 api_lot_job_done(struct req *, void *);
static void	 api_lot_job_free(struct api_lot_job *);
static void	 api_lot_job_release(void *);
static int	 api_lot_write(struct req *, void *);
static int	 api_lot_checks(struct req *, struct api_lot_job *);
static int	 api_lot_plan(struct req *, struct api_lot_job *);
static int	 api_lot_lines(struct req *, struct api_lot_job *);
static int	 api_lot_end(struct req *, struct api_lot_job *);

/*
 * Where the lines go, as the store says now: the existing lot (it must
 * still be there, from the supplier given if one is), or a new lot's
 * supplier, whose reference must be free. *lot_id is the lot's (or the
 * supplier's) row id, supplier its supplier's tag. 0, or -1 answered.
 */
static int
api_lot_target(struct req *req, struct api_lot_job *j, int64_t *lot_id,
    char *supplier)
{
	char other[TAG_LEN + 1];
	enum store_status status;

	if (j->existing) {
		if (api_lot_found(req, j->lot, lot_id, supplier) != 0)
			return (-1);
		if (j->supplier[0] != '\0' && strcmp(j->supplier,
		    supplier) != 0) {
			reply_error(req, 409, "conflict", "supplier",
			    _("lot %s was delivered by %s, not %s: is this the "
			    "right lot?"), j->lot, supplier, j->supplier);
			return (-1);
		}
		return (0);
	}
	snprintf(supplier, TAG_LEN + 1, "%s", j->supplier);
	if ((status = store_id_of("supplier", j->supplier, lot_id)) ==
	    STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "supplier",
		    _("supplier %s does not exist"), j->supplier);
		return (-1);
	}
	if (status == STORE_OK)
		status = store_lot_by_ref(j->supplier, j->ref, other);
	if (status != STORE_OK) {
		api_reply_store(req, status, j->supplier);
		return (-1);
	}
	if (other[0] != '\0') {
		reply_error(req, 409, "duplicate", "ref",
		    _("%s already has a lot with the reference %s (%s): import "
		    "into that lot, or give another reference"),
		    j->supplier, j->ref, other);
		return (-1);
	}
	return (0);
}

/* On a worker: read the manifest and each good line's notes. */
static void
api_lot_job_run(void *arg)
{
	struct api_lot_job *j = arg;
	size_t i;

	if (csv_manifest(j->raw, j->len, &j->m, &j->cause) == 0) {
		j->notes = xcalloc(j->m->nunits + 1, sizeof *j->notes);
		for (i = 0; i < j->m->nunits; i++)
			if (!j->m->units[i].bad)
				j->notes[i] = api_lot_notes(j->m,
				    &j->m->units[i]);
	}
	free(j->raw);		/* read into the manifest's own copy */
	j->raw = NULL;
}

static void
api_lot_job_free(struct api_lot_job *j)
{
	size_t i;

	for (i = 0; j->notes != NULL && i < j->m->nunits; i++)
		free(j->notes[i]);
	free(j->notes);
	for (i = 0; j->dups != NULL && i < j->m->nunits; i++)
		json_decref(j->dups[i]);
	free(j->dups);
	json_decref(j->errors);
	csv_manifest_free(j->m);
	free(j->cause);
	free(j->raw);
	free(j->ref);
	json_decref(j->vals);
	free(j->actor);
	free(j->station);
	free(j->at);
	free(j);
}

static void
api_lot_job_release(void *arg)
{
	api_lot_job_free(arg);
}

/* On the loop: write and answer (req NULL: the client went away). */
static void
api_lot_job_done(struct req *req, void *arg)
{
	struct api_lot_job *j = arg;

	if (req != NULL && j->m == NULL)
		reply_error(req, 400, "invalid_manifest", NULL, "%s",
		    j->cause);
	else if (req != NULL) {
		worker_write(req, api_lot_write, j, api_lot_job_release);
		return;
	}
	api_lot_job_free(j);
}

/*
 * The import itself, in its transaction (worker_write), in slices of the
 * loop: the store's view of each good line (already in stock, or in this
 * lot), then the lines, the lot if new and the ledger row. 1: more to
 * do on the next slice; 0 answered 201, or -1 answered.
 */
static int
api_lot_write(struct req *req, void *arg)
{
	struct api_lot_job *j = arg;
	int rc = 1;

	while (rc == 1 && !worker_slice_over()) {
		switch (j->phase) {
		case LOT_TARGET:
			if (api_lot_target(req, j, &j->lot_id,
			    j->lot_supplier) != 0)
				return (-1);
			j->dups = xcalloc(j->m->nunits + 1, sizeof *j->dups);
			j->phase = LOT_CHECK;
			break;
		case LOT_CHECK:
			rc = api_lot_checks(req, j);
			break;
		case LOT_PLAN:
			rc = api_lot_plan(req, j);
			break;
		case LOT_LINES:
			rc = api_lot_lines(req, j);
			break;
		case LOT_END:
			return (api_lot_end(req, j));
		}
	}
	return (rc);
}

/* What the store says of each good line, until the slice is over. */
static int
api_lot_checks(struct req *req, struct api_lot_job *j)
{
	struct csv_manifest *m = j->m;
	struct csv_unit *u;

	for (; j->next < m->nunits; j->next++) {
		if (worker_slice_over())
			return (1);
		u = &m->units[j->next];
		if (u->bad || u->dup_line != 0)
			continue;
		if (api_lot_check_unit(m, u, j->existing ? j->lot_id : 0,
		    &j->dups[j->next]) != 0) {
			api_reply_store(req, STORE_ERROR, "");
			return (-1);
		}
	}
	j->next = 0;
	j->phase = LOT_PLAN;
	return (1);
}

/* Refuse the file, or make the lot if new and number the import. */
static int
api_lot_plan(struct req *req, struct api_lot_job *j)
{
	struct csv_manifest *m = j->m;
	struct actor a = { j->actor, j->station, j->at };
	enum store_status status;
	char *cause;
	json_t *o;
	size_t i;

	csv_manifest_sort(m);
	j->errors = api_lot_errors(m, &j->bad);
	for (i = 0; i < m->nunits; i++)
		if (!m->units[i].bad && m->units[i].dup_line == 0 &&
		    j->dups[i] == NULL)
			j->imported++;
	if (j->bad > 0 && (!j->skip || j->imported == 0)) {
		o = json_pack("{ss sI so}", "code", "invalid_manifest", "count",
		    (json_int_t)j->bad, "lines", j->errors);
		j->errors = NULL;
		if (j->imported == 0)
			xasprintf(&cause, _("no line of the manifest can be "
			    "imported (bad lines: %zu): nothing was imported"),
			    j->bad);
		else
			xasprintf(&cause, _("bad lines in the manifest: %zu "
			    "of %zu; nothing was imported (correct them, or "
			    "import the other lines with skip_bad)"), j->bad,
			    m->nunits);
		json_object_set_new(o, "message", json_string(cause));
		log_debug("400 invalid_manifest: %s", cause);
		free(cause);
		reply_json(req, 400, json_pack("{so}", "error", o));
		return (-1);
	}
	if (!j->existing) {
		status = store_item_add(&res_lot, &a, j->vals, j->lot);
		if (status == STORE_OK)
			status = store_lot_find(j->lot, &j->lot_id,
			    j->lot_supplier);
		if (status != STORE_OK) {
			api_reply_store(req, status, j->ref);
			return (-1);
		}
	}
	if ((status = store_manifest_next_import(j->lot_id, &j->import_no)) !=
	    STORE_OK) {
		api_reply_store(req, status, j->lot);
		return (-1);
	}
	j->phase = LOT_LINES;
	return (1);
}

/* The lines, until the slice is over. */
static int
api_lot_lines(struct req *req, struct api_lot_job *j)
{
	struct csv_manifest *m = j->m;
	struct csv_unit *u;
	enum store_status status;
	const char *status_of;
	char *dupt;
	json_t *dup;

	for (; j->next < m->nunits; j->next++) {
		if (worker_slice_over())
			return (1);
		u = &m->units[j->next];
		if (u->bad)
			continue;
		dup = j->dups[j->next];
		if (u->dup_line != 0)
			dup = json_pack("{ss sI}", "field",
			    csv_field_name(u->dup_field),
			    "line", (json_int_t)u->dup_line);
		else if (dup != NULL)
			json_incref(dup);
		status_of = dup != NULL ? "duplicate" : "expected";
		dupt = dup != NULL ? json_dumps(dup, JSON_COMPACT |
		    JSON_SORT_KEYS) : NULL;
		json_decref(dup);
		status = store_manifest_add(j->lot_id, j->import_no, u,
		    j->notes[j->next], status_of, dupt);
		free(dupt);
		if (status != STORE_OK) {
			api_reply_store(req, status, j->lot);
			return (-1);
		}
		if (strcmp(status_of, "duplicate") == 0)
			j->duplicates++;
	}
	j->phase = LOT_END;
	return (1);
}

/* The ledger row and the answer. */
static int
api_lot_end(struct req *req, struct api_lot_job *j)
{
	struct csv_manifest *m = j->m;
	struct actor a = { j->actor, j->station, j->at };
	enum store_status status;
	json_t *o, *details;

	details = json_pack("{si sI sI sI sI ss ss}", "import", j->import_no,
	    "lines", (json_int_t)m->nunits, "imported",
	    (json_int_t)j->imported, "duplicates", (json_int_t)j->duplicates,
	    "skipped", (json_int_t)(j->bad - j->duplicates),
	    "encoding", m->table->cp1252 ? "Windows-1252" : "UTF-8",
	    "separator", m->table->sep == ';' ? ";" : m->table->sep == ',' ?
	    "," : "tab");
	status = store_ledger_add(&a, j->lot, "import", NULL, NULL, NULL,
	    details);
	if (status != STORE_OK) {
		json_decref(details);
		api_reply_store(req, status, j->lot);
		return (-1);
	}
	o = json_pack("{ss ss sb}", "lot", j->lot, "supplier", j->lot_supplier,
	    "created", !j->existing);
	json_object_update(o, details);
	json_decref(details);
	json_object_set_new(o, "errors", j->errors);
	j->errors = NULL;
	reply_json(req, 201, o);
	return (0);
}

/*
 * POST /v1/lots/import?supplier=F&ref=REF[&delivered_on&unit_cost&notes]
 * and POST /v1/lots/{tag}/import[?supplier=F]: a manifest (text/csv) into
 * a new lot or an existing one; with skip_bad=true the good lines are
 * imported and the others reported, else any bad line refuses the file.
 * The file is read off the loop (api_lot_job_run), written on it.
 */
void
api_lot_import(struct req *req)
{
	struct api_lot_job *j;
	char supplier[TAG_LEN + 1];
	const char *given;
	int64_t id;

	j = xcalloc(1, sizeof *j);
	j->existing = req->params[0] != NULL;
	if (j->existing) {
		/* The lot, the query, then the supplier given (as before). */
		if (req_tag(req, 0, 'R', j->lot) != 0 ||
		    api_lot_target(req, j, &id, supplier) != 0 ||
		    api_lot_query(req, import_lot_fields) != 0)
			goto out;
		if ((given = req_str(req, "supplier")) != NULL) {
			snprintf(j->supplier, sizeof j->supplier, "%s", given);
			if (api_lot_target(req, j, &id, supplier) != 0)
				goto out;
		}
	} else {
		if (api_lot_query(req, import_new_fields) != 0)
			goto out;
		snprintf(j->supplier, sizeof j->supplier, "%s",
		    req_str(req, "supplier"));
		j->ref = xstrdup(req_str(req, "ref"));
		if (api_lot_target(req, j, &id, supplier) != 0)
			goto out;
		j->vals = json_deep_copy(req->vals);
		json_object_del(j->vals, "skip_bad");
	}
	j->skip = json_is_true(json_object_get(req->vals, "skip_bad"));
	if (req->raw == NULL || req->raw_len == 0) {
		reply_error(req, 400, "missing_body", NULL,
		    _("the manifest is empty: send the CSV file as the body "
		    "(Content-Type: text/csv)"));
		goto out;
	}
	j->raw = xmalloc(req->raw_len);
	memcpy(j->raw, req->raw, req->raw_len);
	j->len = req->raw_len;
	j->actor = req->actor.name != NULL ? xstrdup(req->actor.name) : NULL;
	j->station = req->actor.station != NULL ?
	    xstrdup(req->actor.station) : NULL;
	j->at = req->actor.at != NULL ? xstrdup(req->actor.at) : NULL;
	if (worker_submit(req, api_lot_job_run, api_lot_job_done, j) == 0)
		return;
out:
	api_lot_job_free(j);
}

/* The "codes" of a receiving: 1 to RECEIVE_MAX strings, each once. */
static int
api_lot_codes(struct req *req, json_t **codes)
{
	json_t *c, *v;
	const char *s, *p;
	size_t i, k;

	*codes = NULL;
	c = json_object_get(req->body, "codes");
	if (c == NULL) {
		reply_error(req, 400, "missing_field", "codes",
		    _("codes is required: the serials, IMEIs or ICCIDs of "
		    "the units received (or \"extra\": true and the unit's "
		    "fields)"));
		return (-1);
	}
	if (json_is_string(c))
		c = json_pack("[O]", c);
	else if (json_is_array(c))
		json_incref(c);
	else {
		reply_error(req, 400, "invalid_type", "codes",
		    _("%s must be a list"), "codes");
		return (-1);
	}
	if (json_array_size(c) == 0 || json_array_size(c) > RECEIVE_MAX) {
		reply_error(req, 400, "invalid_field", "codes",
		    _("%s must hold 1 to %d values"), "codes", RECEIVE_MAX);
		goto fail;
	}
	json_array_foreach(c, i, v) {
		if ((s = json_string_value(v)) == NULL) {
			reply_error(req, 400, "invalid_type", "codes",
			    _("%s must be a string"), "codes");
			goto fail;
		}
		for (p = s; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				break;
		if (*s == '\0' || *p != '\0' || strlen(s) > STRING_MAX ||
		    *s == ' ' || s[strlen(s) - 1] == ' ') {
			reply_error(req, 400, "invalid_field", "codes",
			    _("code \"%.40s\" is not a serial, IMEI or ICCID"),
			    *p != '\0' ? "?" : s);
			goto fail;
		}
		for (k = 0; k < i; k++)
			if (strcmp(s, json_string_value(json_array_get(c,
			    k))) == 0) {
				reply_error(req, 400, "invalid_field", "codes",
				    _("%s %s is given twice"), "code", s);
				goto fail;
			}
	}
	*codes = c;
	return (0);
fail:
	json_decref(c);
	return (-1);
}

/*
 * A pre-printed tag for a unit of this letter: a valid tag, reserved and
 * not yet bound. 0, or -1 answered.
 */
static int
api_lot_preprinted(struct req *req, const char *tag, char letter)
{
	enum store_status status;
	const char *bound;
	char *cause, got;
	json_t *row;

	if (tag_check(tag, 0, &got, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_tag", "tag", "%s", cause);
		free(cause);
		return (-1);
	}
	if (got != letter) {
		reply_error(req, 400, "invalid_tag", "tag",
		    _("%s is not a tag for a %s (those start with %c-)"), tag,
		    letter == 'S' ? _("SIM card") : _("device"), letter);
		return (-1);
	}
	if ((status = store_label_reservation(tag, &row)) == STORE_NOTFOUND) {
		reply_error(req, 409, "not_reserved", "tag",
		    _("%s is not a reserved pre-printed tag (kitstock labels "
		    "blank reserves them)"), tag);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	if ((bound = json_string_value(json_object_get(row, "bound_at"))) !=
	    NULL) {
		reply_error(req, 409, "already_bound", "tag",
		    _("the pre-printed tag %s is already bound to a unit "
		    "(since %s): a pre-printed tag is used once"), tag, bound);
		json_decref(row);
		return (-1);
	}
	json_decref(row);
	return (0);
}

/*
 * Create a device or SIM card from body exactly as POST /v1/devices or
 * /v1/sims would (fields, checks, ledger), with the pre-printed tag pre
 * if not NULL (bound to the unit's code). The tag goes into tag; -1
 * answered.
 */
static int
api_lot_create(struct req *req, const struct resource *res, json_t *body,
    const char *pre, const char *code, char *tag)
{
	json_t *saved_body = req->body, *saved_vals = req->vals;
	enum store_status status;
	const char *loc;
	int64_t id;
	int rc = -1;

	req->body = body;
	req->vals = json_object();
	if (req_fields(req, res->fields, res->effective) != 0)
		goto out;
	if ((loc = req_str(req, "location")) != NULL &&
	    (status = store_id_of("location", loc, &id)) != STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "location",
			    _("%s %s does not exist"), "location", loc);
		else
			api_reply_store(req, status, loc);
		goto out;
	}
	if (res->check != NULL && res->check(req, 1) != 0)
		goto out;
	if (pre != NULL) {
		snprintf(tag, TAG_LEN + 1, "%s", pre);
		status = store_item_add_as(res, &req->actor, req->vals, tag);
		if (status == STORE_OK)
			status = store_label_bind(&req->actor, tag, code);
	} else
		status = store_item_add(res, &req->actor, req->vals, tag);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", NULL,
		    _("this %s is already registered (same name or "
		    "identifier)"), _(res->name));
		goto out;
	}
	if (status == STORE_CONFLICT && pre != NULL) {
		reply_error(req, 409, "already_bound", "tag",
		    _("the pre-printed tag %s is already bound to a unit"),
		    pre);
		goto out;
	}
	if (status == STORE_OK && res->added != NULL)
		status = res->added(req, tag);
	if (req->status != 0)
		goto out;
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	rc = 0;
out:
	json_decref(req->vals);
	req->body = saved_body;
	req->vals = saved_vals;
	return (rc);
}

/*
 * The ledger's receive row, the label if the location prints on receive,
 * and the unit's entry in the answer.
 */
static int
api_lot_received(struct req *req, const char *code, const char *tag,
    const char *location, json_t *details, json_t *out)
{
	enum store_status status;
	json_t *o, *job = NULL;

	status = store_ledger_add(&req->actor, tag, "receive", NULL, NULL,
	    NULL, details);
	if (status == STORE_OK && location != NULL)
		status = label_print_on_receive(&req->actor, location, tag,
		    &job);
	if (status != STORE_OK) {
		json_decref(job);
		api_reply_store(req, status, tag);
		return (-1);
	}
	o = json_pack("{ss ss}", "tag", tag, "type", tag[0] == 'S' ? "sim" :
	    "device");
	if (code != NULL)
		json_object_set_new(o, "code", json_string(code));
	json_object_update(o, details);
	if (job != NULL)
		json_object_set_new(o, "label", job);
	json_array_append_new(out, o);
	return (0);
}

/* Receive one code of the lot's manifest; -1 answered. */
static int
api_lot_receive_one(struct req *req, const char *lot, int64_t lot_id,
    const char *code, json_t *over, json_t *out)
{
	const struct resource *res;
	const char *const *k;
	const char *pre = req_str(req, "tag"), *loc;
	char tag[TAG_LEN + 1], other[TAG_LEN + 1], *lines;
	json_t *rows, *row, *body, *v, *details;
	enum store_status status;
	size_t i;
	int sim, rc;

	if ((status = store_manifest_find(lot_id, code, &rows)) != STORE_OK) {
		json_decref(rows);
		api_reply_store(req, status, code);
		return (-1);
	}
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		if (store_manifest_elsewhere(lot_id, code, other) != STORE_OK)
			other[0] = '\0';
		if (other[0] != '\0')
			reply_error(req, 404, "not_expected", "codes",
			    _("%s is not in the manifest of lot %s: lot %s "
			    "expects it"), code, lot, other);
		else
			reply_error(req, 404, "not_expected", "codes",
			    _("%s is not in the manifest of lot %s: check the "
			    "code, or receive the unit as an extra with its "
			    "fields"), code, lot);
		return (-1);
	}
	if (json_array_size(rows) > 1) {
		lines = NULL;
		json_array_foreach(rows, i, row) {
			char *prev = lines;

			xasprintf(&lines, "%s%s%lld", prev != NULL ? prev : "",
			    prev != NULL ? ", " : "", (long long)
			    json_integer_value(json_object_get(row, "line")));
			free(prev);
		}
		reply_error(req, 409, "ambiguous", "codes",
		    _("%s is on %zu lines of the manifest (%s): give another "
		    "of the unit's identifiers"), code, json_array_size(rows),
		    lines);
		free(lines);
		json_decref(rows);
		return (-1);
	}
	row = json_array_get(rows, 0);
	if (strcmp(json_string_value(json_object_get(row, "status")),
	    "received") == 0) {
		reply_error(req, 409, "already_received", "codes",
		    _("%s (line %lld of the manifest) was already received as "
		    "%s"), code, (long long)json_integer_value(json_object_get(
		    row, "line")), json_string_value(json_object_get(row,
		    "item_tag")));
		json_decref(rows);
		return (-1);
	}
	sim = strcmp(json_string_value(json_object_get(row, "kind")), "sim") ==
	    0;
	if (sim && json_object_size(over) > 0) {
		reply_error(req, 400, "invalid_field", "kind",
		    _("%s is a SIM card: it has no kind, model or grade to "
		    "change"), code);
		json_decref(rows);
		return (-1);
	}
	res = sim ? &res_sim : &res_device;
	if (pre != NULL && api_lot_preprinted(req, pre, res->letter) != 0) {
		json_decref(rows);
		return (-1);
	}
	body = json_object();
	for (k = sim ? sim_keys : device_keys; *k != NULL; k++)
		if ((v = json_object_get(row, *k)) != NULL && !json_is_null(v))
			json_object_set(body, *k, v);
	json_object_update(body, over);
	json_object_set_new(body, "lot", json_string(lot));
	if ((loc = req_str(req, "location")) != NULL)
		json_object_set_new(body, "location", json_string(loc));
	rc = api_lot_create(req, res, body, pre, code, tag);
	json_decref(body);
	if (rc == 0 && (status = store_manifest_received(json_integer_value(
	    json_object_get(row, "id")), tag)) != STORE_OK) {
		api_reply_store(req, status, code);
		rc = -1;
	}
	if (rc == 0) {
		details = json_pack("{ss sO sO}", "lot", lot, "line",
		    json_object_get(row, "line"), "import",
		    json_object_get(row, "import_no"));
		if (pre != NULL)
			json_object_set_new(details, "preprinted",
			    json_true());
		rc = api_lot_received(req, code, tag, loc, details, out);
		json_decref(details);
	}
	json_decref(rows);
	return (rc);
}

/* Is this code expected by the lot's manifest? 1 (answered 409), 0, -1. */
static int
api_lot_expected_here(struct req *req, int64_t lot_id, const char *code)
{
	json_t *rows, *row;
	enum store_status status;

	if ((status = store_manifest_find(lot_id, code, &rows)) != STORE_OK) {
		json_decref(rows);
		api_reply_store(req, status, code);
		return (-1);
	}
	if ((row = json_array_get(rows, 0)) == NULL) {
		json_decref(rows);
		return (0);
	}
	if (strcmp(json_string_value(json_object_get(row, "status")),
	    "received") == 0)
		reply_error(req, 409, "already_received", "codes",
		    _("%s (line %lld of the manifest) was already received as "
		    "%s"), code, (long long)json_integer_value(json_object_get(
		    row, "line")), json_string_value(json_object_get(row,
		    "item_tag")));
	else
		reply_error(req, 409, "expected", NULL,
		    _("%s is in the manifest (line %lld): receive it by its "
		    "code, not as an extra"), code, (long long)
		    json_integer_value(json_object_get(row, "line")));
	json_decref(rows);
	return (1);
}

/*
 * An extra: a unit the manifest does not list, given by the fields of a
 * device (or a SIM card, with kind "sim"). -1 answered.
 */
static int
api_lot_extra(struct req *req, const char *lot, int64_t lot_id, json_t *out)
{
	const struct resource *res = &res_device;
	const char *kind, *loc, *code[4];
	char tag[TAG_LEN + 1], *pre = NULL;
	json_t *body, *v, *details;
	size_t i;
	int n = 0, rc;

	body = json_deep_copy(req->body);
	json_object_del(body, "extra");
	if (json_object_get(body, "codes") != NULL) {
		reply_error(req, 400, "invalid_field", "codes",
		    _("an extra unit is given by its fields (kind, serial...), "
		    "not by codes"));
		goto fail;
	}
	if (json_object_get(body, "lot") != NULL) {
		reply_error(req, 400, "invalid_field", "lot",
		    _("lot: the unit goes into the lot of the path, %s"), lot);
		goto fail;
	}
	if ((v = json_object_get(body, "tag")) != NULL &&
	    !json_is_string(v)) {
		reply_error(req, 400, "invalid_type", "tag",
		    _("%s must be a string"), "tag");
		goto fail;
	}
	if (v != NULL)
		pre = xstrdup(json_string_value(v));
	json_object_del(body, "tag");
	kind = json_string_value(json_object_get(body, "kind"));
	if (kind != NULL && strcmp(kind, "sim") == 0) {
		res = &res_sim;
		json_object_del(body, "kind");
	}
	/* Identifiers the manifest may list: receive those by code. */
	if ((v = json_object_get(body, "serial")) != NULL && json_is_string(v))
		code[n++] = json_string_value(v);
	if ((v = json_object_get(body, "iccid")) != NULL && json_is_string(v))
		code[n++] = json_string_value(v);
	if ((v = json_object_get(body, "imei")) != NULL && json_is_string(v))
		code[n++] = json_string_value(v);
	json_array_foreach(json_object_get(body, "imei"), i, v)
		if (json_is_string(v) && n < 4)
			code[n++] = json_string_value(v);
	for (i = 0; i < (size_t)n; i++)
		if ((rc = api_lot_expected_here(req, lot_id, code[i])) != 0)
			goto fail;
	if (pre != NULL && api_lot_preprinted(req, pre, res->letter) != 0)
		goto fail;
	json_object_set_new(body, "lot", json_string(lot));
	rc = api_lot_create(req, res, body, pre, n > 0 ? code[0] : "extra",
	    tag);
	loc = json_string_value(json_object_get(body, "location"));
	if (rc == 0) {
		details = json_pack("{ss sb}", "lot", lot, "extra", 1);
		if (pre != NULL)
			json_object_set_new(details, "preprinted",
			    json_true());
		rc = api_lot_received(req, NULL, tag, loc, details, out);
		json_decref(details);
	}
	json_decref(body);
	free(pre);
	return (rc);
fail:
	json_decref(body);
	free(pre);
	return (-1);
}

/*
 * POST /v1/lots/{tag}/receive {"codes": [...], "location", "tag", "kind",
 * "model", "grade", "at"} receives expected units (all or none), or
 * {"extra": true, device or SIM fields, "location", "tag", "at"} one
 * unit the manifest does not list.
 */
void
api_lot_receive(struct req *req)
{
	char lot[TAG_LEN + 1], supplier[TAG_LEN + 1];
	json_t *codes = NULL, *body, *over, *out, *v;
	const char *const *k;
	int64_t lot_id;
	size_t i;

	if (api_lot_path(req, lot, &lot_id, supplier) != 0)
		return;
	if (req->body == NULL) {
		reply_error(req, 400, "missing_body", NULL,
		    _("this request needs a JSON object as its body"));
		return;
	}
	out = json_array();
	v = json_object_get(req->body, "extra");
	if (v != NULL && !json_is_boolean(v)) {
		reply_error(req, 400, "invalid_type", "extra",
		    _("%s must be true or false"), "extra");
		goto out;
	}
	if (json_is_true(v)) {
		if (api_lot_extra(req, lot, lot_id, out) != 0)
			goto out;
		goto done;
	}
	if (api_lot_codes(req, &codes) != 0)
		goto out;
	/* The other fields, checked without the codes. */
	body = req->body;
	req->body = json_copy(body);
	json_object_del(req->body, "codes");
	if (req_fields(req, receive_fields, 1) != 0) {
		json_decref(req->body);
		req->body = body;
		goto out;
	}
	json_decref(req->body);
	req->body = body;
	if (req_str(req, "tag") != NULL && json_array_size(codes) > 1) {
		reply_error(req, 400, "invalid_field", "tag",
		    _("a pre-printed tag goes on one unit: give one code with "
		    "it"));
		goto out;
	}
	over = json_object();
	for (k = (const char *const[]){ "kind", "model", "grade", NULL };
	    *k != NULL; k++)
		if ((v = json_object_get(req->vals, *k)) != NULL)
			json_object_set(over, *k, v);
	json_array_foreach(codes, i, v) {
		if (api_lot_receive_one(req, lot, lot_id, json_string_value(v),
		    over, out) != 0) {
			json_decref(over);
			goto out;
		}
	}
	json_decref(over);
done:
	reply_json(req, 201, json_pack("{ss so}", "lot", lot, "received",
	    out));
	out = NULL;
out:
	json_decref(out);
	json_decref(codes);
}

/* Two texts equal for the account (case aside; NULL equals only NULL). */
static int
api_lot_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcasecmp(a, b) == 0);
}

/*
 * The account of a lot from its manifest lines and its extras: every unit
 * with its status (received, mismatched, missing, duplicate, extra) and
 * *counts.
 */
static json_t *
api_lot_account(json_t *lines, json_t *extras, json_t **counts)
{
	static const char *const compared[] = { "kind", "model", "grade",
	    NULL };
	const char *const *f;
	const char *st, *want, *got;
	char found[32];
	json_t *units, *row, *o, *diffs;
	long long n[6] = { 0, 0, 0, 0, 0, 0 };	/* the statuses below */
	size_t i;

	units = json_array();
	json_array_foreach(lines, i, row) {
		o = json_deep_copy(row);
		st = json_string_value(json_object_get(row, "status"));
		diffs = NULL;
		if (strcmp(st, "duplicate") == 0) {
			json_object_set_new(o, "status", json_string(
			    "duplicate"));
			n[4]++;
		} else if (strcmp(st, "expected") == 0) {
			json_object_set_new(o, "status",
			    json_string("missing"));
			n[3]++;
		} else {
			diffs = json_array();
			for (f = compared; *f != NULL; f++) {
				want = json_string_value(json_object_get(row,
				    *f));
				snprintf(found, sizeof found, "found_%s", *f);
				got = json_string_value(json_object_get(row,
				    found));
				if (want == NULL || api_lot_same(want, got))
					continue;
				json_array_append_new(diffs, json_pack("{ss ss"
				    " ss?}", "field", *f, "expected", want,
				    "found", got));
			}
			if (json_array_size(diffs) > 0) {
				json_object_set_new(o, "status", json_string(
				    "mismatched"));
				n[1]++;
			} else
				n[0]++;
		}
		json_object_del(o, "found_kind");
		json_object_del(o, "found_model");
		json_object_del(o, "found_grade");
		if (diffs != NULL && json_array_size(diffs) > 0)
			json_object_set_new(o, "differences", diffs);
		else
			json_decref(diffs);
		json_array_append_new(units, o);
	}
	json_array_foreach(extras, i, row) {
		o = json_pack("{ss sn sn}", "status", "extra", "import_no",
		    "line");
		json_object_update(o, row);
		json_array_append_new(units, o);
		n[2]++;
	}
	*counts = json_pack("{sI sI sI sI sI sI}", "expected", (json_int_t)(
	    n[0] + n[1] + n[3]), "received", (json_int_t)n[0], "mismatched",
	    (json_int_t)n[1], "missing", (json_int_t)n[3], "extra",
	    (json_int_t)n[2], "duplicate", (json_int_t)n[4]);
	return (units);
}

/* The French name of a kind, as the supplier's spreadsheet says it. */
static const char *
api_lot_kind_fr(const char *kind)
{
	static const char *const names[][2] = {
		{ "laptop", "Portable" }, { "desktop", "Fixe" },
		{ "tablet", "Tablette" }, { "smartphone", "Smartphone" },
		{ "4g-router", "Box 4G" }, { "sim", "SIM" }, { NULL, NULL }
	};
	int i;

	for (i = 0; kind != NULL && names[i][0] != NULL; i++)
		if (strcmp(kind, names[i][0]) == 0)
			return (names[i][1]);
	return (kind != NULL ? kind : "");
}

/*
 * One CSV cell (RFC 4180 quoting); a value a spreadsheet would take for a
 * formula gets a leading quote. last ends the line with CRLF.
 */
static void
api_lot_csv_cell(FILE *f, const char *v, int last)
{
	const char *p;
	int formula;

	if (v == NULL)
		v = "";
	formula = *v != '\0' && strchr("=+-@\t", *v) != NULL;
	if (formula || strpbrk(v, ";\"\r\n") != NULL) {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (p = v; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else
		fputs(v, f);
	fputs(last ? "\r\n" : ";", f);
}

/*
 * The account as CSV for the supplier: UTF-8 with a BOM, ';' and decimal
 * commas as a French spreadsheet opens it. Its headers and statuses are
 * French whatever the daemon's language: the supplier reads them.
 */
static void
api_lot_csv(struct req *req, json_t *account)
{
	static const char *const header[] = {
		"Statut", "Ligne", "Type", "Marque", "Modèle", "N° de série",
		"IMEI", "ICCID", "Grade", "Prix HT", "Étiquette", "Remarque",
		NULL
	};
	static const char *const fields_fr[][2] = {
		{ "kind", "type" }, { "model", "modèle" }, { "grade", "grade" },
		{ "serial", "n° de série" }, { "imei", "IMEI" },
		{ "iccid", "ICCID" }, { NULL, NULL }
	};
	const char *st, *fr, *name;
	char *text, *cell, *note, *p;
	size_t len, nlen, i, j, k;
	json_t *u, *v, *d, *e;
	FILE *f, *nf;
	int c;

	f = open_memstream(&text, &len);
	if (f == NULL)
		fatal("open_memstream");
	fputs("\xef\xbb\xbf", f);
	for (c = 0; header[c] != NULL; c++)
		api_lot_csv_cell(f, header[c], header[c + 1] == NULL);
	json_array_foreach(json_object_get(account, "units"), i, u) {
		st = json_string_value(json_object_get(u, "status"));
		fr = strcmp(st, "received") == 0 ? "reçu" :
		    strcmp(st, "mismatched") == 0 ? "écart" :
		    strcmp(st, "missing") == 0 ? "manquant" :
		    strcmp(st, "duplicate") == 0 ? "doublon" : "en trop";
		api_lot_csv_cell(f, fr, 0);
		cell = NULL;
		if ((v = json_object_get(u, "line")) != NULL &&
		    json_is_integer(v)) {
			if (json_integer_value(json_object_get(u,
			    "import_no")) > 1)
				xasprintf(&cell, "%lld (fichier %lld)",
				    (long long)json_integer_value(v),
				    (long long)json_integer_value(
				    json_object_get(u, "import_no")));
			else
				xasprintf(&cell, "%lld",
				    (long long)json_integer_value(v));
		}
		api_lot_csv_cell(f, cell, 0);
		free(cell);
		api_lot_csv_cell(f, api_lot_kind_fr(json_string_value(
		    json_object_get(u, "kind"))), 0);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    json_object_get(u, "operator") != NULL &&
		    !json_is_null(json_object_get(u, "operator")) &&
		    json_is_null(json_object_get(u, "brand")) ? "operator" :
		    "brand")), 0);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    "model")), 0);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    "serial")), 0);
		cell = NULL;
		json_array_foreach(json_object_get(u, "imei"), j, v) {
			p = cell;
			xasprintf(&cell, "%s%s%s", p != NULL ? p : "",
			    p != NULL ? " / " : "", json_string_value(v));
			free(p);
		}
		api_lot_csv_cell(f, cell, 0);
		free(cell);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    "iccid")), 0);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    "grade")), 0);
		cell = NULL;
		if ((v = json_object_get(u, "cost")) != NULL &&
		    json_is_string(v)) {
			cell = xstrdup(json_string_value(v));
			if ((p = strchr(cell, '.')) != NULL)
				*p = ',';
		}
		api_lot_csv_cell(f, cell, 0);
		free(cell);
		api_lot_csv_cell(f, json_string_value(json_object_get(u,
		    "tag")), 0);

		nf = open_memstream(&note, &nlen);
		if (nf == NULL)
			fatal("open_memstream");
		if (strcmp(st, "missing") == 0)
			fputs("non reçu", nf);
		else if (strcmp(st, "extra") == 0)
			fputs("absent du bordereau", nf);
		json_array_foreach(json_object_get(u, "differences"), j, e) {
			name = json_string_value(json_object_get(e, "field"));
			for (k = 0; fields_fr[k][0] != NULL; k++)
				if (strcmp(fields_fr[k][0], name) == 0)
					name = fields_fr[k][1];
			fprintf(nf, "%s%s : %s attendu, %s reçu", j > 0 ?
			    " ; " : "", name, strcmp(name, "type") == 0 ?
			    api_lot_kind_fr(json_string_value(json_object_get(
			    e, "expected"))) : json_string_value(
			    json_object_get(e, "expected")),
			    json_is_string(json_object_get(e, "found")) ?
			    (strcmp(name, "type") == 0 ? api_lot_kind_fr(
			    json_string_value(json_object_get(e, "found"))) :
			    json_string_value(json_object_get(e, "found"))) :
			    "rien");
		}
		if ((d = json_object_get(u, "duplicate")) != NULL &&
		    json_is_object(d)) {
			name = json_string_value(json_object_get(d, "field"));
			for (k = 0; name != NULL && fields_fr[k][0] != NULL;
			    k++)
				if (strcmp(fields_fr[k][0], name) == 0)
					name = fields_fr[k][1];
			if (json_is_string(json_object_get(d, "tag")))
				fprintf(nf, "%s déjà en stock (%s)", name,
				    json_string_value(json_object_get(d,
				    "tag")));
			else if (json_is_true(json_object_get(d, "earlier")))
				fprintf(nf, "%s déjà au bordereau (ligne %lld "
				    "d'un fichier précédent)", name,
				    (long long)json_integer_value(
				    json_object_get(d, "line")));
			else
				fprintf(nf, "même %s que la ligne %lld", name,
				    (long long)json_integer_value(
				    json_object_get(d, "line")));
		}
		fclose(nf);
		api_lot_csv_cell(f, note, 1);
		free(note);
	}
	fclose(f);
	reply_bytes(req, 200, "text/csv; charset=utf-8", text, len);
	free(text);
}

/*
 * GET /v1/lots/{tag}/reconcile[?format=csv]: the lot's account, in JSON,
 * or as CSV for the supplier (also with Accept: text/csv).
 */
void
api_lot_reconcile(struct req *req)
{
	char lot[TAG_LEN + 1], supplier[TAG_LEN + 1];
	const char *format, *accept;
	enum store_status status;
	json_t *info, *lines, *extras, *counts, *units, *o;
	int64_t lot_id;
	int csv = 0;

	if (api_lot_path(req, lot, &lot_id, supplier) != 0)
		return;
	if ((format = req_query(req, "format")) != NULL) {
		if (strcmp(format, "csv") == 0)
			csv = 1;
		else if (strcmp(format, "json") != 0) {
			reply_error(req, 400, "invalid_field", "format",
			    _("format \"%s\" is not known: expected json or "
			    "csv"), format);
			return;
		}
	} else if ((accept = evhttp_find_header(
	    evhttp_request_get_input_headers(req->ev), "Accept")) != NULL &&
	    strstr(accept, "text/csv") != NULL)
		csv = 1;
	if ((status = store_item_get(&res_lot, lot, &info)) != STORE_OK) {
		api_reply_store(req, status, lot);
		return;
	}
	status = store_manifest_reconcile(lot_id, &lines, &extras);
	if (status != STORE_OK) {
		json_decref(info);
		json_decref(lines);
		json_decref(extras);
		api_reply_store(req, status, lot);
		return;
	}
	units = api_lot_account(lines, extras, &counts);
	json_decref(lines);
	json_decref(extras);
	o = json_pack("{ss sO sO sO sO so so}", "lot", lot,
	    "supplier", json_object_get(info, "supplier"),
	    "supplier_name", json_object_get(info, "supplier_name"),
	    "ref", json_object_get(info, "ref"),
	    "delivered_on", json_object_get(info, "delivered_on"),
	    "counts", counts, "units", units);
	json_decref(info);
	if (csv) {
		api_lot_csv(req, o);
		json_decref(o);
	} else
		reply_json(req, 200, o);
}
