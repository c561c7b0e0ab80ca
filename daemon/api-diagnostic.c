/*
 * Diagnostics: one per beneficiary, addressed by their B- tag. The date
 * (an effective date, "at") comes after consent; who made it (an adviser,
 * e.g. a conseiller numérique); the device and connection needed, the
 * autonomy level, the training and certification wished, a short note. A
 * diagnostic after the programme's deadline is accepted and flagged late.
 */

#include <string.h>
#include <stdlib.h>

#include "kitstockd.h"

static int api_diagnostic_date(struct req *, const struct beneficiary_facts *,
	    const char *, const char *, json_t *);

static const char *const diagnostic_devices[] = {
	"none", "desktop", "laptop", "tablet", "smartphone", NULL
};

static const char *const diagnostic_connections[] = {
	"none", "sim", "4g-router", NULL
};

static const char *const diagnostic_training[] = {
	"none", "any", "initiation", "online_procedures", "further_skills",
	"creative_digital", NULL
};

#define DIAGNOSTIC_OUTCOME(req)						\
	{ "device_need", FT_ENUM, req, diagnostic_devices },		\
	{ "connection_need", FT_ENUM, req, diagnostic_connections },	\
	{ "autonomy", FT_INT, req, NULL, 0, 1, 4 },			\
	{ "training_wished", FT_ENUM, 0, diagnostic_training },		\
	{ "certification_wished", FT_BOOL, 0 },				\
	{ "note", FT_TEXT, 0 }

static const struct field diagnostic_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "adviser", FT_STRING, F_REQUIRED },
	DIAGNOSTIC_OUTCOME(F_REQUIRED),
	{ NULL }
};

static const struct field diagnostic_edit[] = {
	{ "adviser", FT_STRING, 0 },
	{ "diagnosed_on", FT_DATE, 0 },
	DIAGNOSTIC_OUTCOME(0),
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

/* What a correction may set: the fields, and late, which follows. */
static const struct field diagnostic_columns[] = {
	{ "adviser", FT_STRING, 0 },
	{ "diagnosed_on", FT_DATE, 0 },
	DIAGNOSTIC_OUTCOME(0),
	{ "late", FT_BOOL, 0 },
	{ NULL }
};

static const struct field diagnostic_filters[] = {
	{ "territory", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "device_need", FT_ENUM, 0, diagnostic_devices },
	{ "connection_need", FT_ENUM, 0, diagnostic_connections },
	{ "training_wished", FT_ENUM, 0, diagnostic_training },
	{ "late", FT_BOOL, 0 },
	{ NULL }
};

/*
 * The date of a diagnostic: not in the future, after consent, before the
 * steps that follow it; vals gets diagnosed_on and late (after the
 * programme's diagnostic-deadline).
 */
static int
api_diagnostic_date(struct req *req, const struct beneficiary_facts *bf,
    const char *field, const char *day, json_t *vals)
{
	char *deadline;
	const char *next;
	enum store_status status;

	if (api_beneficiary_past(req, field, day) != 0 ||
	    api_beneficiary_order(req, field, bf->tag, _("diagnostic"), day,
	    _("consent"), bf->consent_on) != 0)
		return (-1);
	next = bf->first_step_on;
	if (bf->handed_over_on[0] != '\0' && (next[0] == '\0' ||
	    strcmp(bf->handed_over_on, next) < 0))
		next = bf->handed_over_on;
	if (next[0] != '\0' && api_beneficiary_order(req, field, bf->tag,
	    _("first step after the diagnostic"), next, _("diagnostic"),
	    day) != 0)
		return (-1);
	if ((status = store_beneficiary_setting("diagnostic-deadline",
	    &deadline)) != STORE_OK) {
		api_reply_store(req, status, bf->tag);
		return (-1);
	}
	json_object_set_new(vals, "diagnosed_on", json_string(day));
	json_object_set_new(vals, "late", json_boolean(deadline != NULL &&
	    strcmp(day, deadline) > 0));
	free(deadline);
	return (0);
}

/* POST /v1/diagnostics {"beneficiary", "adviser", ..., "at"} */
void
api_diagnostic_add(struct req *req)
{
	struct beneficiary_facts bf;
	char day[16];
	json_t *vals, *o;
	enum store_status status;

	if (req_fields(req, diagnostic_fields, 1) != 0 ||
	    api_beneficiary_note(req, "note") != 0 ||
	    api_beneficiary_load(req, "beneficiary", req_str(req,
	    "beneficiary"), &bf) != 0)
		return;
	if (bf.diagnosed_on[0] != '\0') {
		reply_error(req, 409, "duplicate", "beneficiary",
		    _("%s already had a diagnostic on %s: correct it with "
		    "PATCH /v1/diagnostics/%s (kitstock diagnostic edit)"),
		    bf.tag, bf.diagnosed_on, bf.tag);
		return;
	}
	api_beneficiary_step_date(req, day, sizeof day);
	vals = json_deep_copy(req->vals);
	json_object_del(vals, "beneficiary");
	if (api_diagnostic_date(req, &bf, "at", day, vals) != 0) {
		json_decref(vals);
		return;
	}
	status = store_beneficiary_diagnostic_add(&req->actor, &bf, vals);
	json_decref(vals);
	o = NULL;
	if (status == STORE_OK &&
	    (status = store_beneficiary_row("diagnostic_v", bf.id, &o)) ==
	    STORE_OK)
		json_object_del(o, "id");
	api_answer(req, status, 201, o, bf.tag);
}

/* GET /v1/diagnostics/{tag}: the diagnostic of this beneficiary. */
void
api_diagnostic_show(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	json_t *o;
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	status = store_beneficiary_row("diagnostic_v", bf.id, &o);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "no_diagnostic", "tag",
		    _("%s has had no diagnostic yet"), tag);
		return;
	}
	if (status == STORE_OK)
		json_object_del(o, "id");
	api_answer(req, status, 200, o, tag);
}

/* GET /v1/diagnostics?territory=&device_need=&late=true... */
void
api_diagnostic_list(struct req *req)
{
	api_beneficiary_rows(req, "diagnostic_v", diagnostic_filters);
}

/* PATCH /v1/diagnostics/{tag}: corrections, each in the ledger. */
void
api_diagnostic_edit(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	const char *day, *key;
	json_t *old, *vals, *changed, *o, *v;
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    req_fields(req, diagnostic_edit, 0) != 0 ||
	    api_beneficiary_note(req, "note") != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	if (bf.diagnosed_on[0] == '\0') {
		reply_error(req, 404, "no_diagnostic", "tag",
		    _("%s has had no diagnostic yet"), tag);
		return;
	}
	if (json_object_size(req->vals) == 0 ||
	    (json_object_size(req->vals) == 1 &&
	    json_object_get(req->vals, "reason") != NULL)) {
		reply_error(req, 400, "missing_field", NULL,
		    _("nothing to edit: give at least one field to change"));
		return;
	}
	json_object_foreach(req->vals, key, v) {
		if (json_is_null(v) && strcmp(key, "note") != 0 &&
		    strcmp(key, "reason") != 0) {
			reply_error(req, 400, "invalid_field", key,
			    _("%s cannot be removed, only changed"), key);
			return;
		}
	}
	vals = json_deep_copy(req->vals);
	if ((day = req_str(req, "diagnosed_on")) != NULL &&
	    api_diagnostic_date(req, &bf, "diagnosed_on", day, vals) != 0) {
		json_decref(vals);
		return;
	}
	if ((status = store_beneficiary_row("diagnostic_v", bf.id, &old)) ==
	    STORE_OK) {
		status = store_beneficiary_update(&req->actor, "diagnostic",
		    "beneficiary_id", bf.id, tag, "diagnostic_edit",
		    diagnostic_columns, old, vals, NULL, &changed);
		json_decref(old);
	} else
		changed = NULL;
	json_decref(vals);
	if (status == STORE_OK &&
	    (status = store_beneficiary_row("diagnostic_v", bf.id, &o)) ==
	    STORE_OK) {
		json_object_del(o, "id");
		json_object_set_new(o, "changed", changed);
		reply_json(req, 200, o);
		return;
	}
	json_decref(changed);
	api_reply_store(req, status, tag);
}
