/*
 * Follow-ups: everyone who had a diagnostic is followed at 3 and 6 months
 * after their hand-over if they were equipped, else after their first
 * orientation, else after their diagnostic. The schedule (done, overdue,
 * pending) is computed; a follow-up recorded keeps its outcome: reached or
 * not, device in use, connected, training followed, certified, problems.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static const struct field followup_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "month", FT_INT, 0, NULL, 0, 1, 120 },
	{ "reached", FT_BOOL, 0 },
	{ "device_in_use", FT_BOOL, 0 },
	{ "connected", FT_BOOL, 0 },
	{ "training_followed", FT_BOOL, 0 },
	{ "certified", FT_BOOL, 0 },
	{ "problems", FT_TEXT, 0 },
	{ NULL }
};

static const char *const followup_states[] = {
	"done", "overdue", "pending", NULL
};

static const struct field followup_state = {
	"state", FT_ENUM, 0, followup_states
};

/* The outcome fields, which someone not reached cannot give. */
static const char *const followup_outcome[] = {
	"device_in_use", "connected", "training_followed", "certified",
	"problems", NULL
};

/* POST /v1/followups {"beneficiary", "month", outcome..., "at"} */
void
api_followup_add(struct req *req)
{
	struct beneficiary_facts bf;
	char day[16], due[16];
	const char *basis, *start, *what;
	long long month = 0;
	int64_t id;
	json_t *vals, *o;
	enum store_status status;
	int i;

	if (req_fields(req, followup_fields, 1) != 0 ||
	    api_beneficiary_note(req, "problems") != 0 ||
	    api_beneficiary_load(req, "beneficiary", req_str(req,
	    "beneficiary"), &bf) != 0)
		return;
	if (bf.diagnosed_on[0] == '\0') {
		reply_error(req, 409, "no_diagnostic", "beneficiary",
		    _("%s has had no diagnostic yet: follow-ups come after "
		    "it"), bf.tag);
		return;
	}
	if (req_int(req, "month", &month) && month != 3 && month != 6) {
		reply_error(req, 400, "invalid_field", "month",
		    _("month %lld: follow-ups are at 3 and 6 months"), month);
		return;
	}
	if (month == 0)
		month = (bf.followups & 1) == 0 ? 3 : 6;
	if ((bf.followups & (month == 3 ? 1 : 2)) != 0) {
		if (bf.followups == 3)
			reply_error(req, 409, "duplicate", "month",
			    _("both follow-ups of %s are recorded"), bf.tag);
		else
			reply_error(req, 409, "duplicate", "month",
			    _("the %lld-month follow-up of %s is already "
			    "recorded"), month, bf.tag);
		return;
	}
	if (json_is_false(json_object_get(req->vals, "reached"))) {
		for (i = 0; followup_outcome[i] != NULL; i++) {
			if (json_object_get(req->vals, followup_outcome[i]) ==
			    NULL)
				continue;
			reply_error(req, 400, "invalid_field",
			    followup_outcome[i], _("reached is false: %s "
			    "cannot be known; leave it out"),
			    followup_outcome[i]);
			return;
		}
	}
	if (bf.handed_over_on[0] != '\0') {
		basis = "handed_over";
		start = bf.handed_over_on;
		what = _("hand-over");
	} else if (bf.oriented_on[0] != '\0') {
		basis = "orientation";
		start = bf.oriented_on;
		what = _("orientation");
	} else {
		basis = "diagnostic";
		start = bf.diagnosed_on;
		what = _("diagnostic");
	}
	if (bf.handed_over_on[0] == '\0' &&
	    json_object_get(req->vals, "device_in_use") != NULL) {
		reply_error(req, 400, "invalid_field", "device_in_use",
		    _("%s was not handed a device: device_in_use is for "
		    "people equipped"), bf.tag);
		return;
	}
	api_beneficiary_step_date(req, day, sizeof day);
	if (api_beneficiary_order(req, "at", bf.tag, _("follow-up"), day,
	    what, start) != 0)
		return;
	if ((status = store_beneficiary_months(start, (int)month, due,
	    sizeof due)) != STORE_OK) {
		api_reply_store(req, status, bf.tag);
		return;
	}
	vals = json_deep_copy(req->vals);
	json_object_del(vals, "beneficiary");
	json_object_set_new(vals, "month", json_integer(month));
	json_object_set_new(vals, "followed_on", json_string(day));
	json_object_set_new(vals, "due_on", json_string(due));
	json_object_set_new(vals, "basis", json_string(basis));
	status = store_beneficiary_followup_add(&req->actor, &bf, vals, &id);
	json_decref(vals);
	o = NULL;
	if (status == STORE_OK)
		status = store_beneficiary_row("followup_v", id, &o);
	api_answer(req, status, 201, o, bf.tag);
}

/*
 * GET /v1/followups: the schedule. ?due=DATE: not done and due by then;
 * ?overdue=true: past due today; ?state=done|overdue|pending;
 * ?beneficiary=B-...; ?territory=T6; ?prescriber=P-... (a prescriber's
 * account: its own); ?after= the "next" of a page.
 */
void
api_followup_list(struct req *req)
{
	static const char *const tagged[] = { "beneficiary", "prescriber" };
	static const char letter[] = { 'B', 'P' };
	char today[16], *cause;
	const char *v, *after;
	long long limit;
	json_t *sel, *tmp, *nv, *o;
	enum store_status status;
	int i;

	if (req_limit(req, &limit, &after) != 0)
		return;
	sel = json_object();
	if ((v = req_query(req, "due")) != NULL) {
		if (check_date(v, &cause) != 0) {
			reply_error(req, 400, "invalid_field", "due", "%s",
			    cause);
			free(cause);
			goto out;
		}
		json_object_set_new(sel, "due", json_string(v));
	}
	if ((v = req_query(req, "overdue")) != NULL) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			reply_error(req, 400, "invalid_field", "overdue",
			    _("%s %s: expected true or false"), "overdue", v);
			goto out;
		}
		json_object_set_new(sel, "overdue", json_boolean(strcmp(v,
		    "true") == 0));
	}
	if ((v = req_query(req, "state")) != NULL) {
		tmp = json_string(v);
		if (req_value(req, &followup_state, tmp, &nv) != 0) {
			json_decref(tmp);
			goto out;
		}
		json_decref(tmp);
		json_object_set_new(sel, "state", nv);
	}
	for (i = 0; i < 2; i++) {
		if ((v = req_query(req, tagged[i])) == NULL)
			continue;
		if (tag_check(v, letter[i], NULL, NULL, &cause) != 0) {
			reply_error(req, 400, "invalid_field", tagged[i], "%s",
			    cause);
			free(cause);
			goto out;
		}
		json_object_set_new(sel, tagged[i], json_string(v));
	}
	if ((v = req_query(req, "territory")) != NULL) {
		if (api_beneficiary_territory_code(req, "territory", v) != 0)
			goto out;
		json_object_set_new(sel, "territory", json_string(v));
	}
	if (api_beneficiary_scope_list(req, sel) != 0)
		goto out;
	api_beneficiary_today(today, sizeof today);
	status = store_beneficiary_schedule(sel, today, after, limit, &o);
	if (status == STORE_INVALID) {
		reply_error(req, 400, "invalid_field", "after",
		    _("after %s: expected the value given as next"), after);
		goto out;
	}
	/* The due list also holds the orientations not attended. */
	if (status == STORE_OK && after == NULL &&
	    (json_object_get(sel, "due") != NULL ||
	    json_is_true(json_object_get(sel, "overdue")))) {
		status = api_offers_dropouts(sel, json_string_value(
		    json_object_get(sel, "due")), &tmp);
		json_object_set_new(o, "dropouts", tmp);
	}
	api_answer(req, status, 200, o, "followups");
out:
	json_decref(sel);
}

/* GET /v1/followups/{id}: a follow-up recorded. */
void
api_followup_show(struct req *req)
{
	api_beneficiary_row(req, "followup_v", _("follow-up"));
}
