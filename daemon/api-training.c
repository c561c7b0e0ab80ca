/*
 * Training and certification: offers (O-), one service at one place:
 * imported from the territory's places (api-offers.c) or entered by hand
 * (local ones or extra ones the consortium builds, by provider, kind and
 * commune); orientations of a person to an offer (date, funding, attended,
 * completed), numbered; and certifications (PIX or CléA numérique, date,
 * passed or failed, a PIX score), numbered. Each comes after the person's
 * diagnostic and is a step of their history. Both are free for the
 * person: the programme pays, or « pass numérique » vouchers they hold, or
 * their CPF account; any other charge is refused.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static int api_offer_check(struct req *, int);
static int api_training_funding(struct req *);
static int api_training_vouchers(struct req *, json_t *, json_t *);
static int api_orientation_attended(struct req *, json_t *);
static int api_training_diagnosed(struct req *,
	    const struct beneficiary_facts *, const char *, const char *,
	    const char *);

static const char *const offer_kinds[] = {
	"initiation", "online_procedures", "further_skills", "creative_digital",
	NULL
};

/*
 * A hand-entered offer: at a place given by its number, or at the
 * provider's place in a commune (created the first time).
 */
static const struct field offer_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "provider", FT_STRING, 0 },
	{ "kind", FT_ENUM, F_REQUIRED, offer_kinds },
	{ "commune", FT_INSEE, 0 },
	{ "place", FT_INT, 0, NULL, 0, 1, INT32_MAX },
	{ "address", FT_STRING, 0 },
	{ "hours", FT_TEXT, 0 },
	{ "extra", FT_BOOL, 0 },
	{ "contact", FT_TEXT, 0 },
	{ NULL }
};

/* The place's own fields are the place's: edit the offer's. */
static const struct field offer_edit[] = {
	{ "name", FT_STRING, 0 },
	{ "kind", FT_ENUM, 0, offer_kinds },
	{ "extra", FT_BOOL, 0 },
	{ "contact", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const offer_filters[] = {
	"kind", "commune", "territory", "provider", "service", "place", NULL
};

const struct resource res_offer = {
	N_("training offer"), "offers", 'O', "offer", offer_fields,
	offer_edit, offer_filters, NULL, 0, api_offer_check, NULL
};

/* Who pays: never the person (see api_training_funding). */
static const char *const orientation_funding[] = {
	"programme", "pass_numerique", "cpf", NULL
};

/* Fields a request may use to charge the person: refused by name. */
static const char *const training_charges[] = {
	"amount", "price", "cost", "charge", "fee", "fees", "payment",
	"contribution", "paid", NULL
};

static const struct field orientation_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "offer", FT_TAG, F_REQUIRED, NULL, 'O' },
	{ "funding", FT_ENUM, 0, orientation_funding },
	{ "vouchers", FT_INT, 0, NULL, 0, 1, 20 },
	{ "attended", FT_BOOL, 0 },
	{ "completed", FT_BOOL, 0 },
	{ NULL }
};

static const struct field orientation_edit[] = {
	{ "oriented_on", FT_DATE, 0 },
	{ "funding", FT_ENUM, 0, orientation_funding },
	{ "vouchers", FT_INT, 0, NULL, 0, 1, 20 },
	{ "attended", FT_BOOL, 0 },
	{ "completed", FT_BOOL, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field orientation_filters[] = {
	{ "beneficiary", FT_TAG, 0, NULL, 'B' },
	{ "offer", FT_TAG, 0, NULL, 'O' },
	{ "territory", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "offer_kind", FT_ENUM, 0, offer_kinds },
	{ "funding", FT_ENUM, 0, orientation_funding },
	{ "attended", FT_BOOL, 0 },
	{ "completed", FT_BOOL, 0 },
	{ NULL }
};

static const char *const certification_kinds[] = {
	"pix", "clea_numerique", NULL
};

static const char *const certification_results[] = {
	"passed", "failed", NULL
};

static const struct field certification_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "kind", FT_ENUM, F_REQUIRED, certification_kinds },
	{ "result", FT_ENUM, F_REQUIRED, certification_results },
	{ "score", FT_INT, 0, NULL, 0, 0, 1024 },
	{ "funding", FT_ENUM, 0, orientation_funding },
	{ "vouchers", FT_INT, 0, NULL, 0, 1, 20 },
	{ NULL }
};

static const struct field certification_filters[] = {
	{ "beneficiary", FT_TAG, 0, NULL, 'B' },
	{ "territory", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "kind", FT_ENUM, 0, certification_kinds },
	{ "result", FT_ENUM, 0, certification_results },
	{ NULL }
};

/* An offer's commune must be of the programme, valid today. */
static int
api_offer_check(struct req *req, int create)
{
	return (api_beneficiary_commune(req, "commune", req_str(req,
	    "commune")));
}

/*
 * POST /v1/offers: a hand-entered offer, at a place given by its number
 * or at the provider's place in a commune (found, or created with the
 * address and hours given). Its service is the standard's for its kind.
 */
void
api_offer_add(struct req *req)
{
	char tag[TAG_LEN + 1], *end;
	long long n;
	int64_t place;
	json_t *p, *vals, *o, *v;
	enum store_status status;

	/* The client sends every option as text: "--place 3". */
	if ((v = json_object_get(req->body, "place")) != NULL &&
	    json_is_string(v) && (n = strtoll(json_string_value(v), &end,
	    10)) > 0 && *end == '\0')
		json_object_set_new(req->body, "place", json_integer(n));
	if (req_fields(req, offer_fields, 0) != 0)
		return;
	if (req_int(req, "place", &n)) {
		place = n;
		if ((status = store_beneficiary_row("place_v", place, &p)) ==
		    STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_id", "place",
			    _("place %lld does not exist"), n);
			return;
		}
		json_decref(p);
		if (status != STORE_OK) {
			api_reply_store(req, status, "place");
			return;
		}
	} else {
		if (req_str(req, "provider") == NULL ||
		    req_str(req, "commune") == NULL) {
			reply_error(req, 400, "missing_field",
			    req_str(req, "provider") == NULL ? "provider" :
			    "commune", _("%s is required (or the place's "
			    "number, place)"), req_str(req, "provider") ==
			    NULL ? "provider" : "commune");
			return;
		}
		if (api_offer_check(req, 1) != 0)
			return;
		p = json_pack("{sO sO sO? sO?}", "name", json_object_get(
		    req->vals, "provider"), "commune", json_object_get(
		    req->vals, "commune"), "address", json_object_get(
		    req->vals, "address"), "hours", json_object_get(req->vals,
		    "hours"));
		status = store_offers_hand_place(&req->actor, p, &place);
		json_decref(p);
		if (status != STORE_OK) {
			api_reply_store(req, status, "place");
			return;
		}
	}
	vals = json_pack("{sI ss sO sO sb sO?}", "place_id",
	    (json_int_t)place, "service", lieux_service(req_str(req, "kind")),
	    "name", json_object_get(req->vals, "name"), "kind",
	    json_object_get(req->vals, "kind"), "extra",
	    json_is_true(json_object_get(req->vals, "extra")), "contact",
	    json_object_get(req->vals, "contact"));
	status = store_offers_offer_add(&req->actor, vals, tag);
	json_decref(vals);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", NULL,
		    _("this %s is already registered (same name or "
		    "identifier)"), _(res_offer.name));
		return;
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_item_get(&res_offer, tag, &o);
	api_answer(req, status, 201, o, tag);
}

/*
 * Training and certification are free for the person: a funding other
 * than the programme, « pass numérique » vouchers or CPF, or any field
 * charging them, is refused with the rule (before the generic checks, so
 * the sentence says why). "free" is the programme (as before).
 */
static int
api_training_funding(struct req *req)
{
	json_t *v;
	const char *f;
	int i;

	if (req->body == NULL)
		return (0);
	for (i = 0; training_charges[i] != NULL; i++) {
		if (json_object_get(req->body, training_charges[i]) == NULL)
			continue;
		reply_error(req, 400, "charge_refused", training_charges[i],
		    _("%s: nothing may be charged to the person: the "
		    "diagnostic, training and certification are free for them "
		    "(funding programme); only « pass numérique » vouchers they "
		    "hold (funding pass_numerique with vouchers N) or their CPF "
		    "account (funding cpf) may be used"), training_charges[i]);
		return (-1);
	}
	if ((v = json_object_get(req->body, "funding")) == NULL ||
	    (f = json_string_value(v)) == NULL)
		return (0);
	if (strcmp(f, "free") == 0) {
		json_object_set_new(req->body, "funding",
		    json_string("programme"));
		return (0);
	}
	for (i = 0; orientation_funding[i] != NULL; i++)
		if (strcmp(f, orientation_funding[i]) == 0)
			return (0);
	reply_error(req, 400, "charge_refused", "funding",
	    _("funding \"%s\" is refused: the diagnostic, training and "
	    "certification are free for the person; they are paid by the "
	    "programme (programme), by « pass numérique » vouchers the person "
	    "holds (pass_numerique, with vouchers N) or by their CPF account "
	    "(cpf)"), f);
	return (-1);
}

/*
 * « Pass numérique » vouchers go with that funding, and only with it:
 * merged is the step as it will be; in an edit, vals gets vouchers null
 * when the funding changes to another.
 */
static int
api_training_vouchers(struct req *req, json_t *merged, json_t *vals)
{
	const char *f = json_string_value(json_object_get(merged, "funding"));
	int pass = f != NULL && strcmp(f, "pass_numerique") == 0;
	int has = json_is_integer(json_object_get(merged, "vouchers"));

	if (pass && !has) {
		reply_error(req, 400, "missing_field", "vouchers",
		    _("vouchers is required with funding pass_numerique: how "
		    "many « pass numérique » vouchers the person uses"));
		return (-1);
	}
	if (!pass && has) {
		if (vals != NULL && json_object_get(vals, "vouchers") == NULL) {
			json_object_set_new(vals, "vouchers", json_null());
			return (0);
		}
		reply_error(req, 400, "invalid_field", "vouchers",
		    _("vouchers go with funding pass_numerique, not %s"),
		    f != NULL ? f : "programme");
		return (-1);
	}
	return (0);
}

/*
 * A step after the diagnostic: the person had one (409 otherwise) and
 * the step's day (what, named field) does not come before it.
 */
static int
api_training_diagnosed(struct req *req, const struct beneficiary_facts *bf,
    const char *field, const char *what, const char *day)
{
	if (bf->diagnosed_on[0] == '\0') {
		reply_error(req, 409, "no_diagnostic", "beneficiary",
		    _("%s has had no diagnostic yet: the %s follows it"),
		    bf->tag, what);
		return (-1);
	}
	return (api_beneficiary_order(req, field, bf->tag, what, day,
	    _("diagnostic"), bf->diagnosed_on));
}

/* Completing a training means having attended it. */
static int
api_orientation_attended(struct req *req, json_t *o)
{
	if (!json_is_true(json_object_get(o, "completed")) ||
	    json_is_true(json_object_get(o, "attended")))
		return (0);
	reply_error(req, 400, "invalid_field", "completed",
	    _("completed is true but attended is not: someone who completed "
	    "a training attended it"));
	return (-1);
}

/* POST /v1/orientations {"beneficiary", "offer", "funding", ..., "at"} */
void
api_orientation_add(struct req *req)
{
	struct beneficiary_facts bf;
	char day[16];
	const char *offer;
	int64_t id;
	json_t *vals, *o;
	enum store_status status;

	if (api_training_funding(req) != 0 ||
	    req_fields(req, orientation_fields, 1) != 0 ||
	    api_training_vouchers(req, req->vals, NULL) != 0 ||
	    api_beneficiary_load(req, "beneficiary", req_str(req,
	    "beneficiary"), &bf) != 0)
		return;
	api_beneficiary_step_date(req, day, sizeof day);
	if (api_training_diagnosed(req, &bf, "at", _("orientation"), day) !=
	    0 || api_orientation_attended(req, req->vals) != 0)
		return;
	offer = req_str(req, "offer");
	if ((status = store_item_get(&res_offer, offer, &o)) != STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "offer",
			    _("offer %s does not exist"), offer);
		else
			api_reply_store(req, status, offer);
		return;
	}
	if (json_is_string(json_object_get(o, "withdrawn_at"))) {
		reply_error(req, 409, "withdrawn", "offer",
		    _("offer %s was withdrawn on %.10s (the place no longer "
		    "lists it): choose another with kitstock offers suggest "
		    "%s"), offer, json_string_value(json_object_get(o,
		    "withdrawn_at")), bf.tag);
		json_decref(o);
		return;
	}
	json_decref(o);
	vals = json_deep_copy(req->vals);
	json_object_del(vals, "beneficiary");
	json_object_set_new(vals, "oriented_on", json_string(day));
	status = store_beneficiary_orientation_add(&req->actor, &bf, vals,
	    &id);
	json_decref(vals);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", "offer",
		    _("%s is already oriented to %s (orientation %lld): "
		    "record what came of it with kitstock orientation edit "
		    "%lld"), bf.tag, offer, (long long)id, (long long)id);
		return;
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_beneficiary_row("orientation_v", id, &o);
	api_answer(req, status, 201, o, bf.tag);
}

/* GET /v1/orientations?beneficiary=&offer=&attended=... */
void
api_orientation_list(struct req *req)
{
	api_beneficiary_rows(req, "orientation_v", orientation_filters);
}

/* GET /v1/orientations/{id} */
void
api_orientation_show(struct req *req)
{
	api_beneficiary_row(req, "orientation_v", _("orientation"));
}

/* PATCH /v1/orientations/{id}: attendance, completion, corrections. */
void
api_orientation_edit(struct req *req)
{
	struct beneficiary_facts bf;
	const char *day, *key;
	int64_t id;
	json_t *old, *merged, *changed, *extra, *o, *v;
	enum store_status status;

	if (api_beneficiary_id(req, _("orientation"), &id) != 0 ||
	    api_training_funding(req) != 0 ||
	    req_fields(req, orientation_edit, 0) != 0)
		return;
	status = store_beneficiary_row("orientation_v", id, &old);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_id", "id",
		    _("%s %lld does not exist"), _("orientation"),
		    (long long)id);
		return;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, "orientation");
		return;
	}
	if (api_beneficiary_load(req, "beneficiary", json_string_value(
	    json_object_get(old, "beneficiary")), &bf) != 0)
		goto out;
	if (json_object_size(req->vals) == 0 ||
	    (json_object_size(req->vals) == 1 &&
	    json_object_get(req->vals, "reason") != NULL)) {
		reply_error(req, 400, "missing_field", NULL,
		    _("nothing to edit: give at least one field to change"));
		goto out;
	}
	json_object_foreach(req->vals, key, v) {
		if (json_is_null(v) && (strcmp(key, "oriented_on") == 0 ||
		    strcmp(key, "funding") == 0)) {
			reply_error(req, 400, "invalid_field", key,
			    _("%s cannot be removed, only changed"), key);
			goto out;
		}
	}
	if ((day = req_str(req, "oriented_on")) != NULL &&
	    (api_beneficiary_past(req, "oriented_on", day) != 0 ||
	    api_training_diagnosed(req, &bf, "oriented_on", _("orientation"),
	    day) != 0))
		goto out;
	merged = json_deep_copy(old);
	json_object_update(merged, req->vals);
	if (api_orientation_attended(req, merged) != 0 ||
	    api_training_vouchers(req, merged, req->vals) != 0) {
		json_decref(merged);
		goto out;
	}
	json_decref(merged);
	extra = json_pack("{sI}", "orientation", (json_int_t)id);
	status = store_beneficiary_update(&req->actor, "orientation", "id", id,
	    bf.tag, "orientation_edit", orientation_edit, old, req->vals,
	    extra, &changed);
	json_decref(extra);
	if (status == STORE_OK &&
	    (status = store_beneficiary_row("orientation_v", id, &o)) ==
	    STORE_OK) {
		json_object_set_new(o, "changed", changed);
		reply_json(req, 200, o);
	} else {
		json_decref(changed);
		api_reply_store(req, status, bf.tag);
	}
out:
	json_decref(old);
}

/* POST /v1/certifications {"beneficiary", "kind", "result", "score"} */
void
api_certification_add(struct req *req)
{
	struct beneficiary_facts bf;
	char day[16];
	int64_t id;
	json_t *vals, *o;
	enum store_status status;

	if (api_training_funding(req) != 0 ||
	    req_fields(req, certification_fields, 1) != 0 ||
	    api_training_vouchers(req, req->vals, NULL) != 0 ||
	    api_beneficiary_load(req, "beneficiary", req_str(req,
	    "beneficiary"), &bf) != 0)
		return;
	api_beneficiary_step_date(req, day, sizeof day);
	if (api_training_diagnosed(req, &bf, "at", _("certification"), day) !=
	    0)
		return;
	if (json_is_integer(json_object_get(req->vals, "score")) &&
	    strcmp(req_str(req, "kind"), "pix") != 0) {
		reply_error(req, 400, "invalid_field", "score",
		    _("score is for PIX: CléA numérique is passed or failed"));
		return;
	}
	vals = json_deep_copy(req->vals);
	json_object_del(vals, "beneficiary");
	json_object_set_new(vals, "certified_on", json_string(day));
	status = store_beneficiary_certification_add(&req->actor, &bf, vals,
	    &id);
	json_decref(vals);
	o = NULL;
	if (status == STORE_OK)
		status = store_beneficiary_row("certification_v", id, &o);
	api_answer(req, status, 201, o, bf.tag);
}

/* GET /v1/certifications?beneficiary=&kind=&result=... */
void
api_certification_list(struct req *req)
{
	api_beneficiary_rows(req, "certification_v", certification_filters);
}

/* GET /v1/certifications/{id} */
void
api_certification_show(struct req *req)
{
	api_beneficiary_row(req, "certification_v", _("certification"));
}
