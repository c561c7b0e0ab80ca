/*
 * What happens to units (devices, SIM cards) besides edits: state changes
 * checked against their lifecycle, and moves of several units at once, all
 * or nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define STATE_LEN 32

static const struct field unit_state_fields[] = {
	{ "to", FT_STRING, F_REQUIRED },
	{ "reason", FT_TEXT, 0 },
	{ "data_erased", FT_BOOL, 0 },
	{ "erasure_method", FT_STRING, 0 },
	{ "erased_by", FT_STRING, 0 },
	{ NULL }
};

static const struct field unit_move_fields[] = {
	{ "items", FT_TAGS, F_REQUIRED },
	{ "to", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

/* States a unit may be moved in; a received device is shelved by a move. */
static int
api_unit_movable(const struct resource *res, const char *state)
{
	static const char *const device[] = {
		"received", "in_stock", "reserved", "in_repair", "returned",
		NULL
	};
	static const char *const sim[] = { "in_stock", "reserved", NULL };
	const char *const *ok = res->letter == 'D' ? device : sim;
	int i;

	for (i = 0; ok[i] != NULL; i++)
		if (strcmp(ok[i], state) == 0)
			return (1);
	return (0);
}

/* POST /v1/{devices,sims}/{tag}/state {"to", "reason", "data_erased"} */
void
api_unit_state(struct req *req)
{
	const struct resource *res = req->route->res;
	const struct transition *t;
	const char *to, *reason, *method, *by;
	char tag[TAG_LEN + 1], from[STATE_LEN], loc[TAG_LEN + 1], next[256];
	char since[32] = "";
	int erased, erase_now;
	enum store_status status;
	json_t *details = NULL;

	if (req_tag(req, 0, res->letter, tag) != 0 ||
	    req_fields(req, unit_state_fields, 1) != 0)
		return;
	to = req_str(req, "to");
	reason = req_str(req, "reason");
	erase_now = json_is_true(json_object_get(req->vals, "data_erased"));
	method = req_str(req, "erasure_method");
	by = req_str(req, "erased_by");
	if ((method != NULL || by != NULL) && !erase_now) {
		reply_error(req, 400, "invalid_field", method != NULL ?
		    "erasure_method" : "erased_by",
		    _("erasure_method and erased_by describe an erasure: give "
		    "them with data_erased"));
		return;
	}
	if (!lifecycle_known(res->lc, to)) {
		reply_error(req, 400, "invalid_field", "to",
		    _("state \"%s\" is not a state of a %s"), to,
		    _(res->name));
		return;
	}
	if (erase_now && res->letter != 'D') {
		reply_error(req, 400, "invalid_field", "data_erased",
		    _("data_erased applies to devices only"));
		return;
	}
	status = store_unit_get(res, tag, from, sizeof from, loc, &erased);
	if (status == STORE_OK && res->letter == 'D')
		status = store_device_holds_data(tag, since, sizeof since);
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	t = lifecycle_find(res->lc, from, to);
	if (t == NULL || (t->how & LC_STATE) == 0) {
		lifecycle_next(res->lc, from, LC_STATE, next, sizeof next);
		if (t != NULL)
			reply_error(req, 409, "illegal_transition", "to",
			    _("%s is %s: going to %s is done by its own "
			    "operation (kit, checkout or return), not by a "
			    "state change; allowed here: %s"), tag, from, to,
			    next);
		else
			reply_error(req, 409, "illegal_transition", "to",
			    _("%s is %s: it cannot go to %s; allowed: %s"),
			    tag, from, to, next);
		return;
	}
	if ((strcmp(to, "lost") == 0 || strcmp(to, "scrapped") == 0) &&
	    reason == NULL) {
		reply_error(req, 400, "missing_field", "reason",
		    _("a reason is required to declare %s %s"), tag, to);
		return;
	}
	/* A device back from a user holds their data until it is erased. */
	if (since[0] != '\0' && strcmp(to, "in_stock") == 0 && !erase_now) {
		reply_error(req, 409, "data_not_erased", "data_erased",
		    _("%s holds its last user's data (since %s): it goes "
		    "back to stock only once their erasure is recorded; "
		    "erase it, then confirm with data_erased, erasure_method "
		    "and erased_by"), tag, since);
		return;
	}
	if ((t->how & LC_ERASED) && !erased && !erase_now) {
		reply_error(req, 409, "data_not_erased", "data_erased",
		    _("%s was returned: its data must be erased before it "
		    "goes back to stock; erase it, then confirm with "
		    "data_erased (kitstock state --data-erased)"), tag);
		return;
	}
	if (erase_now && since[0] != '\0' && (method == NULL || by == NULL)) {
		reply_error(req, 400, "missing_field", method == NULL ?
		    "erasure_method" : "erased_by",
		    _("%s holds its last user's data (since %s): record how "
		    "it was erased and by whom (erasure_method, erased_by)"),
		    tag, since);
		return;
	}
	status = STORE_OK;
	if (erase_now && (!erased || since[0] != '\0')) {
		if (method != NULL || by != NULL)
			details = json_pack("{ss* ss*}", "method", method,
			    "by", by);
		status = store_device_erased(&req->actor, tag, details);
		json_decref(details);
	}
	if (status == STORE_OK)
		status = store_unit_state(res, &req->actor, tag, from, to,
		    reason, NULL);
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	reply_json(req, 200, json_pack("{ss ss ss}", "tag", tag, "from", from,
	    "to", to));
}

/*
 * POST /v1/moves {"items": [tags], "to": location}: every unit is checked
 * first; one refusal and nothing moves.
 */
void
api_unit_move(struct req *req)
{
	const struct resource *res;
	const char *to, *tag, *reason;
	char state[STATE_LEN], loc[TAG_LEN + 1];
	json_t *items, *v, *moved, *unchanged;
	enum store_status status;
	int64_t id;
	size_t i;

	if (req_fields(req, unit_move_fields, 1) != 0)
		return;
	items = json_object_get(req->vals, "items");
	to = req_str(req, "to");
	reason = req_str(req, "reason");
	if ((status = store_id_of("location", to, &id)) != STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "to",
			    _("location %s does not exist"), to);
		else
			api_reply_store(req, status, to);
		return;
	}
	/* Check them all before changing anything. */
	json_array_foreach(items, i, v) {
		tag = json_string_value(v);
		if ((res = resource_by_letter(tag[0])) == NULL ||
		    res->lc == NULL) {
			reply_error(req, 400, "invalid_field", "items",
			    _("%s cannot be moved this way: only devices and "
			    "SIM cards are (accessories move in quantities)"),
			    tag);
			return;
		}
		status = store_unit_get(res, tag, state, sizeof state, loc,
		    NULL);
		if (status == STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_tag", "items",
			    _("%s does not exist: nothing was moved"), tag);
			return;
		}
		if (status != STORE_OK) {
			api_reply_store(req, status, tag);
			return;
		}
		if (!api_unit_movable(res, state)) {
			reply_error(req, 409, "illegal_move", "items",
			    _("%s is %s and cannot be moved: nothing was "
			    "moved"), tag, state);
			return;
		}
	}
	moved = json_array();
	unchanged = json_array();
	json_array_foreach(items, i, v) {
		tag = json_string_value(v);
		res = resource_by_letter(tag[0]);
		status = store_unit_get(res, tag, state, sizeof state, loc,
		    NULL);
		if (status == STORE_OK && strcmp(loc, to) == 0 &&
		    strcmp(state, "received") != 0) {
			json_array_append(unchanged, v);
			continue;
		}
		if (status == STORE_OK && strcmp(loc, to) != 0)
			status = store_unit_move(res, &req->actor, tag, loc, to,
			    reason);
		if (status == STORE_OK && strcmp(state, "received") == 0)
			status = store_unit_state(res, &req->actor, tag,
			    "received", "in_stock", "shelved", NULL);
		if (status != STORE_OK) {
			json_decref(moved);
			json_decref(unchanged);
			api_reply_store(req, status, tag);
			return;
		}
		json_array_append(moved, v);
	}
	reply_json(req, 200, json_pack("{ss so so}", "to", to, "moved", moved,
	    "unchanged", unchanged));
}
