/*
 * Distribution events (E-; "distributions" in the API, to keep them apart
 * from the scan stream): a date, a place of kind distribution, the
 * beneficiaries convoked (the team sees their first name and initial,
 * nothing else of who they are), and the checkouts made there.
 *
 * A checkout binds a beneficiary and their ready kit in one transaction:
 * the kit and its devices are handed over, its SIM cards active and paid
 * for their plan from that day; the ledger gets a row per unit and one on
 * the beneficiary's B- tag (action handed_over, from which follow-ups are
 * scheduled). Someone not convoked is served only by a coordinator giving
 * a reason. A wrong checkout is cancelled by a coordinator: the units go
 * back in their kit, with compensating ledger rows. Closing the event
 * records the no-shows and checks the cash counted against the payments.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define STATE_LEN	32

static int api_distribution_check(struct req *, int);
static int api_distribution_load(struct req *, char *, json_t **);
static void api_distribution_units(json_t *, json_t *, json_t *);
static int api_distribution_receipt_data(struct req *, const char *,
	    json_t **);

static const char *const payments[] = {
	"cash", "card", "cheque", "transfer", NULL
};

static const struct field distribution_fields[] = {
	{ "held_on", FT_DATE, F_REQUIRED },
	{ "place", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "notes", FT_TEXT, 0 },
	{ NULL }
};

static const struct field distribution_edit[] = {
	{ "held_on", FT_DATE, 0 },
	{ "place", FT_TAG, 0, NULL, 'L' },
	{ "notes", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const distribution_filters[] = {
	"state", "place", "territory", "held_on", NULL
};

const struct resource res_distribution = {
	N_("distribution"), "distributions", 'E', "distribution",
	distribution_fields, distribution_edit, distribution_filters, NULL, 0,
	api_distribution_check, NULL
};

static const struct field convoke_fields[] = {
	{ "beneficiaries", FT_TAGS, F_REQUIRED, NULL, 'B' },
	{ NULL }
};

static const struct field checkout_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "kit", FT_TAG, F_REQUIRED, NULL, 'K' },
	{ "contribution", FT_EUROS, 0 },
	{ "payment", FT_ENUM, 0, payments },
	{ "plan_months", FT_INT, 0, NULL, 0, 1, 24 },
	{ "override_reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field uncheckout_fields[] = {
	{ "reason", FT_TEXT, F_REQUIRED },
	{ NULL }
};

static const struct field close_fields[] = {
	{ "cash_counted", FT_EUROS, F_REQUIRED },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

/*
 * The place is a distribution location; an event is changed only while
 * open. (POST and PATCH.)
 */
static int
api_distribution_check(struct req *req, int create)
{
	const char *place = req_str(req, "place");
	char kind[32];
	enum store_status status;
	json_t *e;

	if (!create) {
		status = store_item_get(&res_distribution, req->params[0], &e);
		if (status != STORE_OK) {
			api_reply_store(req, status, req->params[0]);
			return (-1);
		}
		if (strcmp(json_string_value(json_object_get(e, "state")),
		    "open") != 0) {
			reply_error(req, 409, "closed", "tag",
			    _("%s is closed: it can no longer change"),
			    req->params[0]);
			json_decref(e);
			return (-1);
		}
		json_decref(e);
	}
	if (place == NULL)
		return (0);
	if ((status = store_location_kind(place, kind, sizeof kind)) !=
	    STORE_OK) {
		api_reply_store(req, status, place);
		return (-1);
	}
	if (strcmp(kind, "distribution") != 0) {
		reply_error(req, 400, "wrong_kind", "place",
		    _("place %s is a %s location: a distribution is held at a "
		    "distribution location"), place, kind);
		return (-1);
	}
	return (0);
}

/* The event of the path (404 answered if none). */
static int
api_distribution_load(struct req *req, char *tag, json_t **e)
{
	enum store_status status;

	*e = NULL;
	if (req_tag(req, 0, 'E', tag) != 0)
		return (-1);
	if ((status = store_item_get(&res_distribution, tag, e)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	return (0);
}

/* GET /v1/distributions/{tag}: the event and who is convoked. */
void
api_distribution_show(struct req *req)
{
	char tag[TAG_LEN + 1];
	enum store_status status;
	json_t *e, *c = NULL;

	if (api_distribution_load(req, tag, &e) != 0)
		return;
	if ((status = store_convocations(tag, &c)) != STORE_OK) {
		json_decref(e);
		json_decref(c);
		api_reply_store(req, status, tag);
		return;
	}
	json_object_set_new(e, "convocations", c);
	reply_json(req, 200, e);
}

/*
 * POST /v1/distributions/{tag}/convocations {"beneficiaries": [tags]}:
 * convoke people to an open event; those already convoked are said so.
 */
void
api_distribution_convoke(struct req *req)
{
	char tag[TAG_LEN + 1];
	const char *b;
	size_t i;
	int64_t id;
	enum store_status status;
	json_t *e = NULL, *added, *unchanged, *v, *details;

	if (api_distribution_load(req, tag, &e) != 0 ||
	    req_fields(req, convoke_fields, 1) != 0)
		goto out;
	if (strcmp(json_string_value(json_object_get(e, "state")), "open") !=
	    0) {
		reply_error(req, 409, "closed", "tag",
		    _("%s is closed: no one can be convoked to it any more"),
		    tag);
		goto out;
	}
	added = json_array();
	unchanged = json_array();
	json_object_set_new(e, "convoked_now", added);
	json_object_set_new(e, "already_convoked", unchanged);
	json_array_foreach(json_object_get(req->vals, "beneficiaries"), i, v) {
		b = json_string_value(v);
		if ((status = store_id_of("beneficiary", b, &id)) ==
		    STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_tag", "beneficiaries",
			    _("beneficiary %s does not exist: no one was "
			    "convoked"), b);
			goto out;
		}
		if (status == STORE_OK)
			status = store_convocation_add(tag, b, req->actor.at);
		if (status == STORE_EXISTS) {
			json_array_append(unchanged, v);
			continue;
		}
		if (status == STORE_OK) {
			details = json_pack("{ss ss}", "distribution", tag,
			    "held_on", json_string_value(json_object_get(e,
			    "held_on")));
			status = store_ledger_add(&req->actor, b, "convoked",
			    NULL, tag, NULL, details);
			json_decref(details);
		}
		if (status == STORE_OK) {
			details = json_pack("{ss}", "beneficiary", b);
			status = store_ledger_add(&req->actor, tag, "convoke",
			    NULL, NULL, NULL, details);
			json_decref(details);
		}
		if (status != STORE_OK) {
			api_reply_store(req, status, b);
			goto out;
		}
		json_array_append(added, v);
	}
	reply_json(req, 200, json_pack("{ss sO sO}", "tag", tag, "convoked",
	    added, "already_convoked", unchanged));
out:
	json_decref(e);
}

/*
 * POST /v1/distributions/{tag}/checkout {"beneficiary", "kit",
 * "contribution", "payment", "plan_months", "override_reason", "at"}
 */
void
api_distribution_checkout(struct req *req)
{
	const struct resource *res;
	const char *ben, *kit, *kben, *kstate, *held, *payment, *override;
	const char *place, *utag, *ustate;
	char tag[TAG_LEN + 1], outcome[STATE_LEN], at[32], day[11], buf[32];
	char until[16], *path;
	long long contribution, months = 1;
	int64_t id, hid;
	size_t i;
	enum store_status status;
	json_t *e = NULL, *k = NULL, *units = NULL, *u, *list, *sims, *details;
	json_t *o;

	if (api_distribution_load(req, tag, &e) != 0 ||
	    req_fields(req, checkout_fields, 1) != 0)
		goto out;
	ben = req_str(req, "beneficiary");
	kit = req_str(req, "kit");
	payment = req_str(req, "payment");
	override = req_str(req, "override_reason");
	req_int(req, "plan_months", &months);
	held = json_string_value(json_object_get(e, "held_on"));
	place = json_string_value(json_object_get(e, "place"));
	if (strcmp(json_string_value(json_object_get(e, "state")), "open") !=
	    0) {
		reply_error(req, 409, "closed", "tag",
		    _("%s is closed: no more checkouts at it"), tag);
		goto out;
	}
	if ((status = store_id_of("beneficiary", ben, &id)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "beneficiary",
		    _("beneficiary %s does not exist"), ben);
		goto out;
	}
	if (status == STORE_OK && (status = store_kit_get(kit, &k)) ==
	    STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "kit",
		    _("kit %s does not exist"), kit);
		goto out;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, kit);
		goto out;
	}
	kben = json_string_value(json_object_get(k, "beneficiary"));
	kstate = json_string_value(json_object_get(k, "state"));
	if (strcmp(kben, ben) != 0) {
		reply_error(req, 409, "not_their_kit", "kit",
		    _("%s is not %s's kit: it was allocated to %s"), kit, ben,
		    kben);
		goto out;
	}
	if (strcmp(kstate, "handed_over") == 0) {
		reply_error(req, 409, "already_handed_over", "kit",
		    _("%s was already handed over, on %.10s at %s (%s)"), kit,
		    json_string_value(json_object_get(k, "handed_over_at")),
		    json_string_value(json_object_get(k, "place")),
		    json_string_value(json_object_get(k, "distribution")));
		goto out;
	}
	if (strcmp(kstate, "ready") != 0) {
		reply_error(req, 409, "not_ready", "kit",
		    _("%s is %s: only a ready kit can be handed over"), kit,
		    kstate);
		goto out;
	}
	if ((status = store_convocation_get(tag, ben, outcome,
	    sizeof outcome)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	if (outcome[0] == '\0' && override == NULL) {
		reply_error(req, 409, "not_convoked", "beneficiary",
		    _("%s is not convoked to %s: a coordinator may hand over "
		    "anyway, giving override_reason"), ben, tag);
		goto out;
	}
	if (outcome[0] == '\0' && (req->role & ROLE_COORDINATOR) == 0) {
		reply_error(req, 403, "forbidden", "override_reason",
		    _("%s is not convoked to %s: only a coordinator may hand "
		    "over to someone not convoked"), ben, tag);
		goto out;
	}
	if (outcome[0] != '\0' && override != NULL) {
		reply_error(req, 400, "invalid_field", "override_reason",
		    _("%s is convoked to %s: override_reason is only for "
		    "someone who is not"), ben, tag);
		goto out;
	}
	/* The hand-over happens on the event's day, once the kit is ready. */
	if (req->actor.at != NULL)
		snprintf(at, sizeof at, "%s", req->actor.at);
	else
		store_now(at, sizeof at);
	snprintf(day, sizeof day, "%.10s", at);
	if (strcmp(day, held) != 0) {
		reply_error(req, 409, "date_order", "at",
		    _("%s is held on %s: a checkout at it happens that day, "
		    "not on %s (give at with the time it happened)"), tag,
		    held, day);
		goto out;
	}
	if (json_string_value(json_object_get(k, "ready_at")) != NULL &&
	    strcmp(at, json_string_value(json_object_get(k, "ready_at"))) <
	    0) {
		reply_error(req, 409, "date_order", "at",
		    _("%s was ready on %s: it cannot have been handed over "
		    "before, on %s"), kit, json_string_value(json_object_get(k,
		    "ready_at")), at);
		goto out;
	}
	if (!req_int(req, "contribution", &contribution))
		contribution = json_integer_value(json_object_get(k,
		    "contribution"));
	else if (api_kit_cap(req, "contribution", contribution) != 0)
		goto out;
	euros_format(contribution, buf, sizeof buf);
	if (contribution > 0 && payment == NULL) {
		reply_error(req, 400, "missing_field", "payment",
		    _("a contribution of %s € needs its payment method "
		    "(payment: cash, card, cheque or transfer)"), buf);
		goto out;
	}
	if (contribution == 0 && payment != NULL) {
		reply_error(req, 400, "invalid_field", "payment",
		    _("no contribution is paid for %s: payment is not "
		    "needed"), kit);
		goto out;
	}
	if ((status = store_kit_units(kit, &units)) != STORE_OK) {
		api_reply_store(req, status, kit);
		goto out;
	}
	json_array_foreach(units, i, u) {
		if (strcmp(json_string_value(json_object_get(u, "state")),
		    "in_kit") != 0) {
			reply_error(req, 409, "wrong_state", "kit",
			    _("%s of %s is %s, not in its kit"),
			    json_string_value(json_object_get(u, "tag")), kit,
			    json_string_value(json_object_get(u, "state")));
			goto out;
		}
	}

	status = store_handover_add(&req->actor, kit, ben, tag, at,
	    contribution, payment, override, &hid);
	if (status == STORE_OK && contribution != json_integer_value(
	    json_object_get(k, "contribution")))
		status = store_kit_contribution(kit, contribution);
	if (status == STORE_OK && outcome[0] != '\0')
		status = store_convocation_outcome(tag, ben, "handed_over");
	if (status == STORE_OK) {
		details = json_pack("{ss ss ss}", "beneficiary", ben,
		    "distribution", tag, "place", place);
		status = store_kit_state(&req->actor, kit, "ready",
		    "handed_over", override, details);
		json_decref(details);
	}
	list = json_array();
	sims = json_array();
	details = json_pack("{ss ss}", "kit", kit, "beneficiary", ben);
	json_array_foreach(units, i, u) {
		if (status != STORE_OK)
			break;
		utag = json_string_value(json_object_get(u, "tag"));
		res = resource_by_letter(utag[0]);
		ustate = res->letter == 'S' ? "active" : "handed_over";
		status = api_kit_flow(&req->actor, res, utag, "in_kit", ustate,
		    NULL, details);
		if (status == STORE_OK && res->letter == 'D')
			status = store_device_user_data(utag, at);
		if (status == STORE_OK && res->letter == 'S') {
			status = store_sim_activate(&req->actor, utag, hid, day,
			    months, months * json_integer_value(json_object_get(
			    u, "plan_price_c")), until, sizeof until);
			json_array_append_new(sims, json_pack("{ss ss}", "sim",
			    utag, "paid_until", until));
		}
		json_array_append_new(list, json_string(utag));
	}
	json_decref(details);
	if (status == STORE_OK) {
		details = json_pack("{ss ss ss sO sO ss sb}", "kit", kit,
		    "distribution", tag, "place", place, "units", list, "sims",
		    sims, "contribution", buf, "override", override != NULL);
		if (payment != NULL)
			json_object_set_new(details, "payment",
			    json_string(payment));
		status = store_ledger_add(&req->actor, ben, "handed_over",
		    NULL, kit, override, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "beneficiary", ben, "kit", kit);
		status = store_ledger_add(&req->actor, tag, "checkout", NULL,
		    NULL, override, details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		json_decref(list);
		json_decref(sims);
		api_reply_store(req, status, kit);
		goto out;
	}
	o = json_pack("{sI ss ss ss ss ss so so ss so}", "handover",
	    (json_int_t)hid, "distribution", tag, "beneficiary", ben, "kit",
	    kit, "at", at, "place", place, "units", list, "sims", sims,
	    "contribution", buf, "payment", payment != NULL ?
	    json_string(payment) : json_null());
	xasprintf(&path, "/v1/kits/%s/receipt", kit);
	json_object_set_new(o, "receipt", json_string(path));
	free(path);
	if (contribution > 0) {
		xasprintf(&path, "/v1/kits/%s/contribution-receipt", kit);
		json_object_set_new(o, "contribution_receipt",
		    json_string(path));
		free(path);
	} else
		json_object_set_new(o, "contribution_receipt", json_null());
	reply_json(req, 201, o);
out:
	json_decref(e);
	json_decref(k);
	json_decref(units);
}

/*
 * POST /v1/kits/{tag}/cancel-checkout {"reason"}: a coordinator undoes a
 * wrong checkout; its units go back in their kit, the kit is ready again.
 */
void
api_distribution_uncheckout(struct req *req)
{
	const struct resource *res;
	const char *ben, *event, *utag, *ustate, *reason;
	char tag[TAG_LEN + 1], outcome[STATE_LEN], at[32], open[32];
	int64_t hid;
	size_t i;
	enum store_status status;
	json_t *k = NULL, *units = NULL, *tops = NULL, *u, *details;

	if (req_tag(req, 0, 'K', tag) != 0 ||
	    req_fields(req, uncheckout_fields, 1) != 0)
		goto out;
	if ((status = store_kit_get(tag, &k)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	reason = req_str(req, "reason");
	ben = json_string_value(json_object_get(k, "beneficiary"));
	event = json_string_value(json_object_get(k, "distribution"));
	if (strcmp(json_string_value(json_object_get(k, "state")),
	    "handed_over") != 0 || event == NULL) {
		reply_error(req, 409, "not_handed_over", "tag",
		    _("%s is %s: there is no checkout to cancel"), tag,
		    json_string_value(json_object_get(k, "state")));
		goto out;
	}
	hid = json_integer_value(json_object_get(k, "handover"));
	if (req->actor.at != NULL)
		snprintf(at, sizeof at, "%s", req->actor.at);
	else
		store_now(at, sizeof at);
	if (strcmp(at, json_string_value(json_object_get(k,
	    "handed_over_at"))) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("%s was handed over on %s: its checkout cannot be "
		    "cancelled before, on %s"), tag, json_string_value(
		    json_object_get(k, "handed_over_at")), at);
		goto out;
	}
	if ((status = store_kit_units(tag, &units)) != STORE_OK ||
	    (status = store_handover_topups(hid, &tops)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	if (json_array_size(tops) > 0) {
		u = json_array_get(tops, 0);
		reply_error(req, 409, "topped_up", "tag",
		    _("%s was topped up after this hand-over (on %s): the "
		    "checkout can no longer be cancelled; give the kit back "
		    "with return instead"), json_string_value(json_object_get(
		    u, "sim")), json_string_value(json_object_get(u,
		    "on_date")));
		goto out;
	}
	json_array_foreach(units, i, u) {
		utag = json_string_value(json_object_get(u, "tag"));
		ustate = json_string_value(json_object_get(u, "state"));
		if ((status = store_repair_open_of(utag, open, sizeof open)) !=
		    STORE_OK) {
			api_reply_store(req, status, utag);
			goto out;
		}
		if (open[0] != '\0' || (strcmp(ustate, "handed_over") != 0 &&
		    strcmp(ustate, "active") != 0)) {
			reply_error(req, 409, "wrong_state", "tag",
			    _("%s of %s is %s: the checkout can no longer be "
			    "cancelled"), utag, tag, ustate);
			goto out;
		}
	}
	status = store_handover_cancel(hid, at, reason);
	details = json_pack("{ss ss}", "kit", tag, "beneficiary", ben);
	json_array_foreach(units, i, u) {
		if (status != STORE_OK)
			break;
		utag = json_string_value(json_object_get(u, "tag"));
		ustate = json_string_value(json_object_get(u, "state"));
		res = resource_by_letter(utag[0]);
		status = api_kit_flow(&req->actor, res, utag, ustate, "in_kit",
		    reason, details);
		if (status == STORE_OK && res->letter == 'D')
			status = store_device_user_data(utag, NULL);
	}
	json_decref(details);
	if (status == STORE_OK)
		status = store_sim_deactivate(hid, at);
	if (status == STORE_OK)
		status = store_convocation_get(event, ben, outcome,
		    sizeof outcome);
	if (status == STORE_OK && strcmp(outcome, "handed_over") == 0)
		status = store_convocation_outcome(event, ben, "convoked");
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "beneficiary", ben,
		    "distribution", event);
		status = store_kit_state(&req->actor, tag, "handed_over",
		    "ready", reason, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "kit", tag, "distribution",
		    event);
		status = store_ledger_add(&req->actor, ben,
		    "handover_cancelled", tag, NULL, reason, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "beneficiary", ben, "kit", tag);
		status = store_ledger_add(&req->actor, event,
		    "checkout_cancelled", NULL, NULL, reason, details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	json_decref(k);
	status = store_item_get(&res_kit, tag, &k);
	api_answer(req, status, 200, json_incref(k), tag);
out:
	json_decref(k);
	json_decref(units);
	json_decref(tops);
}

/*
 * POST /v1/distributions/{tag}/close {"cash_counted", "reason"}: who was
 * convoked and did not come is a no-show; the cash counted must match the
 * cash payments recorded, or a reason say why not.
 */
void
api_distribution_close(struct req *req)
{
	const char *held, *reason, *b;
	char tag[TAG_LEN + 1], at[32], c1[32], c2[32], c3[32], diff[40];
	long long counted;
	int64_t recorded;
	size_t i;
	enum store_status status;
	json_t *e = NULL, *pay = NULL, *conv = NULL, *noshow, *v, *details;
	json_t *o;

	if (api_distribution_load(req, tag, &e) != 0 ||
	    req_fields(req, close_fields, 1) != 0)
		goto out;
	held = json_string_value(json_object_get(e, "held_on"));
	reason = req_str(req, "reason");
	req_int(req, "cash_counted", &counted);
	if (strcmp(json_string_value(json_object_get(e, "state")), "open") !=
	    0) {
		reply_error(req, 409, "closed", "tag",
		    _("%s is already closed"), tag);
		goto out;
	}
	if (req->actor.at != NULL)
		snprintf(at, sizeof at, "%s", req->actor.at);
	else
		store_now(at, sizeof at);
	if (strncmp(at, held, 10) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("%s is held on %s: it cannot be closed before, on "
		    "%.10s"), tag, held, at);
		goto out;
	}
	if ((status = store_distribution_payments(tag, &pay)) != STORE_OK ||
	    (status = store_convocations(tag, &conv)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	recorded = json_integer_value(json_object_get(pay, "cash"));
	euros_format(recorded, c1, sizeof c1);
	euros_format(counted, c2, sizeof c2);
	euros_format(counted >= recorded ? counted - recorded :
	    recorded - counted, c3, sizeof c3);
	snprintf(diff, sizeof diff, "%s%s", counted > recorded ? "+" :
	    counted < recorded ? "-" : "", c3);
	if (counted != recorded && reason == NULL) {
		reply_error(req, 409, "cash_mismatch", "cash_counted",
		    _("cash counted %s € differs from the %s € recorded in "
		    "cash at %s (%s €): give a reason to close with this "
		    "difference"), c2, c1, tag, diff);
		goto out;
	}
	noshow = json_array();
	json_array_foreach(conv, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "outcome")),
		    "convoked") != 0)
			continue;
		b = json_string_value(json_object_get(v, "beneficiary"));
		json_array_append_new(noshow, json_string(b));
		status = store_convocation_outcome(tag, b, "no_show");
		if (status == STORE_OK) {
			details = json_pack("{ss}", "distribution", tag);
			status = store_ledger_add(&req->actor, b, "no_show",
			    NULL, tag, NULL, details);
			json_decref(details);
		}
		if (status != STORE_OK) {
			json_decref(noshow);
			api_reply_store(req, status, b);
			goto out;
		}
	}
	status = store_distribution_close(tag, at, recorded, counted, reason);
	if (status == STORE_OK) {
		details = json_pack("{sO sO ss ss ss}", "no_shows", noshow,
		    "payments", pay, "cash_recorded", c1, "cash_counted", c2,
		    "difference", diff);
		status = store_ledger_add(&req->actor, tag, "state", "open",
		    "closed", reason, details);
		json_decref(details);
	}
	json_decref(e);
	e = NULL;
	if (status == STORE_OK)
		status = store_item_get(&res_distribution, tag, &e);
	if (status != STORE_OK) {
		json_decref(noshow);
		api_reply_store(req, status, tag);
		goto out;
	}
	o = json_incref(e);
	json_object_set_new(o, "no_shows", noshow);
	json_object_set(o, "payments", pay);
	json_object_set_new(o, "difference", json_string(diff));
	reply_json(req, 200, o);
out:
	json_decref(e);
	json_decref(pay);
	json_decref(conv);
}

/* Units for a receipt: devices and SIM cards with what identifies them. */
static void
api_distribution_units(json_t *data, json_t *units, json_t *acc)
{
	json_t *u, *a, *v;
	size_t i;

	a = json_array();
	json_array_foreach(units, i, u) {
		v = json_object();
		json_object_set(v, "tag", json_object_get(u, "tag"));
		json_object_set(v, "kind", json_object_get(u, "kind"));
		json_object_update_missing(v, u);
		json_array_append_new(a, v);
	}
	json_object_set_new(data, "units", a);
	json_object_set(data, "accessories", acc);
}

/*
 * What a kit's receipts say: programme, kit, beneficiary (and their name,
 * printed for them to sign, never stored elsewhere), date, place, units,
 * accessories, contribution. 409 answered if the kit was not handed over.
 */
static int
api_distribution_receipt_data(struct req *req, const char *tag,
    json_t **out)
{
	char *name = NULL;
	enum store_status status;
	json_t *k = NULL, *units = NULL, *acc = NULL, *who = NULL;
	int rc = -1;

	*out = NULL;
	if ((status = store_kit_get(tag, &k)) != STORE_OK)
		goto store;
	if (json_object_get(k, "handover") == NULL ||
	    json_is_null(json_object_get(k, "handover"))) {
		reply_error(req, 409, "not_handed_over", "tag",
		    _("%s has not been handed over: there is no receipt "
		    "yet"), tag);
		goto out;
	}
	if ((status = store_kit_units(tag, &units)) != STORE_OK ||
	    (status = store_kit_accessories(tag, &acc)) != STORE_OK ||
	    (status = store_distribution_identity(json_string_value(
	    json_object_get(k, "beneficiary")), &who)) != STORE_OK ||
	    (status = store_programme_value("name", &name)) != STORE_OK)
		goto store;
	*out = json_deep_copy(k);
	json_object_set_new(*out, "programme", json_string(name != NULL ?
	    name : "kitstock"));
	json_object_update(*out, who);
	api_distribution_units(*out, units, acc);
	rc = 0;
	goto out;
store:
	api_reply_store(req, status, tag);
out:
	free(name);
	json_decref(k);
	json_decref(units);
	json_decref(acc);
	json_decref(who);
	return (rc);
}

/*
 * GET /v1/kits/{tag}/receipt (the « attestation de remise » to print and
 * sign) and GET /v1/kits/{tag}/contribution-receipt: PDF.
 */
void
api_distribution_receipt(struct req *req)
{
	char tag[TAG_LEN + 1], *pdf, *cause;
	size_t len;
	int contribution;
	json_t *data;

	contribution = strstr(req->route->pattern, "contribution") != NULL;
	if (req_tag(req, 0, 'K', tag) != 0 ||
	    api_distribution_receipt_data(req, tag, &data) != 0)
		return;
	if (contribution && json_integer_value(json_object_get(data,
	    "paid")) == 0) {
		reply_error(req, 409, "no_contribution", "tag",
		    _("%s was handed over without a contribution: there is "
		    "no contribution receipt"), tag);
		json_decref(data);
		return;
	}
	if (receipt_render(data, contribution ? RECEIPT_CONTRIBUTION :
	    RECEIPT_HANDOVER, &pdf, &len, &cause) != 0) {
		log_warnx("receipt %s: %s", tag, cause);
		reply_error(req, 500, "internal", NULL,
		    _("the receipt cannot be made: %s"), cause);
		free(cause);
		json_decref(data);
		return;
	}
	json_decref(data);
	reply_bytes(req, 200, "application/pdf", pdf, len);
	free(pdf);
}
