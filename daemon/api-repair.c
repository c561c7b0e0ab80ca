/*
 * Returns and repairs: a beneficiary brings a device back with a reason;
 * a repair ticket goes to a partner (a location of kind repair, such as a
 * repair café), under warranty or not (from the device's warranty_until),
 * and is closed as repaired (the device goes back to them), swapped (a
 * replacement from stock is handed over to them in the same transaction)
 * or scrapped. The ticket counts the days they were without a device. A
 * device that held someone's data goes back to stock only once its
 * erasure is recorded: how, by whom, when.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define STATE_LEN	32

static int api_repair_number(struct req *, int64_t *);
static int api_repair_swap(struct req *, json_t *, const char *,
	    const char *);

static const char *const outcomes[] = {
	"repaired", "swapped", "scrapped", NULL
};

static const struct field repair_fields[] = {
	{ "device", FT_STRING, F_REQUIRED },
	{ "reason", FT_TEXT, F_REQUIRED },
	{ "partner", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ NULL }
};

static const struct field repair_close_fields[] = {
	{ "outcome", FT_ENUM, F_REQUIRED, outcomes },
	{ "replacement", FT_STRING, 0 },
	{ "notes", FT_TEXT, 0 },
	{ NULL }
};

static const struct field erasure_fields[] = {
	{ "method", FT_STRING, F_REQUIRED },
	{ "by", FT_STRING, F_REQUIRED },
	{ NULL }
};

/* The ticket number of the path (400 answered if it is not one). */
static int
api_repair_number(struct req *req, int64_t *id)
{
	const char *s = req->params[0], *p;

	for (p = s; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*s == '\0' || *p != '\0' || p - s > 9 || (*id = atoll(s)) < 1) {
		reply_error(req, 400, "invalid_field", "tag",
		    _("repair ticket \"%s\": expected its number, such as 12"),
		    s);
		return (-1);
	}
	return (0);
}

/*
 * POST /v1/repairs {"device", "reason", "partner", "at"}: the device a
 * beneficiary brings back (handed_over -> returned -> in_repair) goes to
 * the partner; a ticket is opened.
 */
void
api_repair_add(struct req *req)
{
	struct item it;
	const char *reason, *partner;
	char kind[32], kit[TAG_LEN + 1], ben[TAG_LEN + 1], open[32];
	char state[STATE_LEN], loc[TAG_LEN + 1], at[32], num[32];
	int64_t id;
	enum store_status status;
	json_t *k = NULL, *details, *o;

	if (req_fields(req, repair_fields, 1) != 0 ||
	    api_kit_unit(req, "device", req_str(req, "device"), &it) != 0)
		return;
	reason = req_str(req, "reason");
	partner = req_str(req, "partner");
	if (it.res->letter != 'D') {
		reply_error(req, 400, "wrong_kind", "device",
		    _("%s is a SIM card: repair tickets are for devices"),
		    it.tag);
		return;
	}
	if ((status = store_location_kind(partner, kind, sizeof kind)) !=
	    STORE_OK)
		goto store;
	if (kind[0] == '\0') {
		reply_error(req, 404, "unknown_tag", "partner",
		    _("partner %s does not exist"), partner);
		return;
	}
	if (strcmp(kind, "repair") != 0) {
		reply_error(req, 400, "wrong_kind", "partner",
		    _("partner %s is a %s location: repairs go to a repair "
		    "partner (a location of kind repair)"), partner, kind);
		return;
	}
	if ((status = store_repair_open_of(it.tag, open, sizeof open)) !=
	    STORE_OK)
		goto store;
	if (open[0] != '\0') {
		reply_error(req, 409, "repair_open", "device",
		    _("%s already has an open repair ticket (%s)"), it.tag,
		    open);
		return;
	}
	if ((status = store_unit_get(it.res, it.tag, state, sizeof state, loc,
	    NULL)) != STORE_OK ||
	    (status = store_kit_holder(it.tag, kit, ben)) != STORE_OK)
		goto store;
	if (strcmp(state, "handed_over") != 0 || kit[0] == '\0') {
		reply_error(req, 409, "wrong_state", "device",
		    _("%s is %s: a repair ticket is opened for a device a "
		    "beneficiary brings back"), it.tag, state);
		return;
	}
	if ((status = store_kit_get(kit, &k)) != STORE_OK)
		goto store;
	if (req->actor.at != NULL)
		snprintf(at, sizeof at, "%s", req->actor.at);
	else
		store_now(at, sizeof at);
	if (json_string_value(json_object_get(k, "handed_over_at")) != NULL &&
	    strcmp(at, json_string_value(json_object_get(k,
	    "handed_over_at"))) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("%s was handed over on %s: it cannot come back before, "
		    "on %s"), it.tag, json_string_value(json_object_get(k,
		    "handed_over_at")), at);
		goto out;
	}
	status = store_repair_add(it.tag, kit, ben, partner, reason, at, &id);
	snprintf(num, sizeof num, "%lld", (long long)id);
	details = json_pack("{ss ss sI ss}", "kit", kit, "beneficiary", ben,
	    "repair", (json_int_t)id, "partner", partner);
	if (status == STORE_OK)
		status = api_kit_flow(&req->actor, it.res, it.tag,
		    "handed_over", "returned", reason, details);
	if (status == STORE_OK)
		status = api_kit_flow(&req->actor, it.res, it.tag, "returned",
		    "in_repair", reason, details);
	if (status == STORE_OK && strcmp(loc, partner) != 0)
		status = store_unit_move(it.res, &req->actor, it.tag, loc,
		    partner, reason);
	json_decref(details);
	if (status == STORE_OK) {
		details = json_pack("{ss ss sI ss}", "device", it.tag, "kit",
		    kit, "repair", (json_int_t)id, "partner", partner);
		status = store_ledger_add(&req->actor, ben, "device_returned",
		    NULL, it.tag, reason, details);
		json_decref(details);
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_repair_get(id, &o);
	api_answer(req, status, 201, o, it.tag);
	goto out;
store:
	api_reply_store(req, status, it.tag);
out:
	json_decref(k);
}

/*
 * A swap: the replacement, from stock, of the device's kind and in no
 * kit, is picked into the kit and handed over to the beneficiary; the
 * device it replaces leaves the kit (it stays in repair).
 */
static int
api_repair_swap(struct req *req, json_t *r, const char *kit, const char *at)
{
	struct item it;
	const char *device, *ben, *kind, *state;
	char holder[TAG_LEN + 1], hben[TAG_LEN + 1], since[32];
	enum store_status status;
	json_t *u = NULL, *details;
	int rc = -1;

	device = json_string_value(json_object_get(r, "device"));
	ben = json_string_value(json_object_get(r, "beneficiary"));
	kind = json_string_value(json_object_get(r, "kind"));
	if (api_kit_unit(req, "replacement", req_str(req, "replacement"),
	    &it) != 0)
		return (-1);
	if (it.res->letter != 'D') {
		reply_error(req, 400, "wrong_kind", "replacement",
		    _("%s is a SIM card: a device is replaced by a device"),
		    it.tag);
		return (-1);
	}
	if (strcmp(it.tag, device) == 0) {
		reply_error(req, 400, "invalid_field", "replacement",
		    _("%s cannot replace itself: a repaired device is closed "
		    "as repaired"), it.tag);
		return (-1);
	}
	if ((status = store_kit_holder(it.tag, holder, hben)) != STORE_OK ||
	    (status = store_item_get(it.res, it.tag, &u)) != STORE_OK ||
	    (status = store_device_holds_data(it.tag, since, sizeof since)) !=
	    STORE_OK)
		goto store;
	state = json_string_value(json_object_get(u, "state"));
	if (holder[0] != '\0') {
		reply_error(req, 409, "in_other_kit", "replacement",
		    _("%s is already in kit %s (for %s): a unit is in one "
		    "kit at a time"), it.tag, holder, hben);
		goto out;
	}
	if (strcmp(state, "in_stock") != 0) {
		reply_error(req, 409, "wrong_state", "replacement",
		    _("%s is %s: a replacement comes from stock"), it.tag,
		    state);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(u, "kind")), kind) != 0) {
		reply_error(req, 409, "wrong_kind", "replacement",
		    _("%s is a %s: %s, a %s, is replaced by a device of its "
		    "kind"), it.tag, json_string_value(json_object_get(u,
		    "kind")), device, kind);
		goto out;
	}
	details = json_pack("{ss ss sO}", "kit", kit, "beneficiary", ben,
	    "repair", json_object_get(r, "id"));
	status = store_kit_unit_remove(device, at, "swapped");
	if (status == STORE_OK)
		status = store_kit_unit_add(kit, it.tag, at);
	if (status == STORE_OK)
		status = api_kit_flow(&req->actor, it.res, it.tag, "in_stock",
		    "reserved", NULL, details);
	if (status == STORE_OK)
		status = api_kit_flow(&req->actor, it.res, it.tag, "reserved",
		    "in_kit", NULL, details);
	if (status == STORE_OK)
		status = api_kit_flow(&req->actor, it.res, it.tag, "in_kit",
		    "handed_over", NULL, details);
	if (status == STORE_OK)
		status = store_device_user_data(it.tag, at);
	json_decref(details);
	if (status != STORE_OK)
		goto store;
	json_object_set_new(r, "replacement", json_string(it.tag));
	rc = 0;
	goto out;
store:
	api_reply_store(req, status, it.tag);
out:
	json_decref(u);
	return (rc);
}

/*
 * POST /v1/repairs/{n}/close {"outcome", "replacement", "notes", "at"}
 */
void
api_repair_close(struct req *req)
{
	const struct resource *res = &res_device;
	const char *outcome, *device, *ben, *kit, *opened, *action;
	char at[32];
	int64_t id;
	enum store_status status;
	json_t *r = NULL, *details, *o;

	if (api_repair_number(req, &id) != 0 ||
	    req_fields(req, repair_close_fields, 1) != 0)
		return;
	outcome = req_str(req, "outcome");
	if ((status = store_repair_get(id, &r)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "tag",
		    _("there is no repair ticket %lld"), (long long)id);
		return;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, req->params[0]);
		return;
	}
	device = json_string_value(json_object_get(r, "device"));
	ben = json_string_value(json_object_get(r, "beneficiary"));
	kit = json_string_value(json_object_get(r, "kit"));
	opened = json_string_value(json_object_get(r, "opened_at"));
	if (!json_is_null(json_object_get(r, "closed_at"))) {
		reply_error(req, 409, "closed", "tag",
		    _("repair ticket %lld is already closed (%s on %.10s)"),
		    (long long)id, json_string_value(json_object_get(r,
		    "outcome")), json_string_value(json_object_get(r,
		    "closed_at")));
		goto out;
	}
	if (strcmp(outcome, "swapped") == 0 &&
	    req_str(req, "replacement") == NULL) {
		reply_error(req, 400, "missing_field", "replacement",
		    _("a swap gives the beneficiary a replacement: give it "
		    "(replacement)"));
		goto out;
	}
	if (strcmp(outcome, "swapped") != 0 &&
	    req_str(req, "replacement") != NULL) {
		reply_error(req, 400, "invalid_field", "replacement",
		    _("replacement is only for a swap (outcome swapped)"));
		goto out;
	}
	if (req->actor.at != NULL)
		snprintf(at, sizeof at, "%s", req->actor.at);
	else
		store_now(at, sizeof at);
	if (strcmp(at, opened) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("repair ticket %lld was opened on %s: it cannot be "
		    "closed before, on %s"), (long long)id, opened, at);
		goto out;
	}
	details = json_pack("{ss ss sI}", "kit", kit, "beneficiary", ben,
	    "repair", (json_int_t)id);
	status = STORE_OK;
	if (strcmp(outcome, "repaired") == 0) {
		action = "device_repaired";
		status = api_kit_flow(&req->actor, res, device, "in_repair",
		    "handed_over", req_str(req, "notes"), details);
	} else if (strcmp(outcome, "scrapped") == 0) {
		action = "device_scrapped";
		status = store_kit_unit_remove(device, at, "scrapped");
		if (status == STORE_OK)
			status = api_kit_flow(&req->actor, res, device,
			    "in_repair", "scrapped", req_str(req, "notes"),
			    details);
	} else {
		action = "device_swapped";
		if (api_repair_swap(req, r, kit, at) != 0) {
			json_decref(details);
			goto out;
		}
	}
	json_decref(details);
	if (status == STORE_OK)
		status = store_repair_close(id, at, outcome, json_string_value(
		    json_object_get(r, "replacement")), req_str(req, "notes"));
	if (status == STORE_OK) {
		details = json_pack("{sI ss sO}", "repair", (json_int_t)id,
		    "outcome", outcome, "replacement", json_object_get(r,
		    "replacement"));
		status = store_ledger_add(&req->actor, device, "repair_closed",
		    NULL, outcome, req_str(req, "notes"), details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss sI sO}", "device", device, "repair",
		    (json_int_t)id, "replacement", json_object_get(r,
		    "replacement"));
		status = store_ledger_add(&req->actor, ben, action, device,
		    json_string_value(json_object_get(r, "replacement")),
		    req_str(req, "notes"), details);
		json_decref(details);
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_repair_get(id, &o);
	api_answer(req, status, 200, o, device);
out:
	json_decref(r);
}

/* GET /v1/repairs/{n} */
void
api_repair_show(struct req *req)
{
	int64_t id;
	enum store_status status;
	json_t *o;

	if (api_repair_number(req, &id) != 0)
		return;
	if ((status = store_repair_get(id, &o)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "tag",
		    _("there is no repair ticket %lld"), (long long)id);
		return;
	}
	api_answer(req, status, 200, o, req->params[0]);
}

/*
 * GET /v1/repairs?state=open|closed&partner=L&beneficiary=B&device=D
 * &after=N&limit=N: a page of tickets in number order, each with its days
 * without a device, and the next page's "after".
 */
void
api_repair_list(struct req *req)
{
	static const char *const letters = "LBD";
	static const char *const names[] = { "partner", "beneficiary",
	    "device" };
	const char *state = req_query(req, "state"), *v[3];
	char *cause;
	long long limit, after;
	int i;
	enum store_status status;
	json_t *o;

	if (state != NULL && strcmp(state, "open") != 0 &&
	    strcmp(state, "closed") != 0) {
		reply_error(req, 400, "invalid_field", "state",
		    _("state \"%s\" is not known: expected one of open, "
		    "closed"), state);
		return;
	}
	for (i = 0; i < 3; i++) {
		v[i] = req_query(req, names[i]);
		if (v[i] != NULL && tag_check(v[i], letters[i], NULL, NULL,
		    &cause) != 0) {
			reply_error(req, 400, "invalid_field", names[i], "%s",
			    cause);
			free(cause);
			return;
		}
	}
	if (req_page(req, &limit, &after) != 0)
		return;
	status = store_repairs(state, v[0], v[1], v[2], after, limit, &o);
	api_answer(req, status, 200, o, "repairs");
}

/*
 * POST /v1/devices/{tag}/erasure {"method", "by", "at"}: the erasure of a
 * device's data, recorded with how and by whom (not while its user has
 * it).
 */
void
api_repair_erasure(struct req *req)
{
	char tag[TAG_LEN + 1], state[STATE_LEN], loc[TAG_LEN + 1];
	enum store_status status;
	json_t *details, *o;

	if (req_tag(req, 0, 'D', tag) != 0 ||
	    req_fields(req, erasure_fields, 1) != 0)
		return;
	status = store_unit_get(&res_device, tag, state, sizeof state, loc,
	    NULL);
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	if (strcmp(state, "handed_over") == 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is with its user (handed_over): its data is erased "
		    "once it comes back"), tag);
		return;
	}
	details = json_pack("{ss ss}", "method", req_str(req, "method"), "by",
	    req_str(req, "by"));
	status = store_device_erased(&req->actor, tag, details);
	json_decref(details);
	o = NULL;
	if (status == STORE_OK)
		status = store_item_get(&res_device, tag, &o);
	if (status == STORE_OK) {
		json_object_set_new(o, "erasure_method", json_string(
		    req_str(req, "method")));
		json_object_set_new(o, "erased_by", json_string(req_str(req,
		    "by")));
	}
	api_answer(req, status, 200, o, tag);
}
