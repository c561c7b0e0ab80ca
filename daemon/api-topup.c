/*
 * Connection for at least the programme's months (connection-months in the
 * profile, 6 for the 93): a SIM card is activated at its hand-over, paid
 * for its plan from that day; top-ups (date, amount, new paid-until) carry
 * it on. For each connected beneficiary this says the period covered
 * without a break from the hand-over, when coverage ends, and whether the
 * months after the hand-over are covered; and which top-ups are due
 * (coverage ending before hand-over + months), with their dates.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static int api_topup_sim(struct req *, char *);

static const struct field topup_fields[] = {
	{ "sim", FT_STRING, 0 },
	{ "beneficiary", FT_TAG, 0, NULL, 'B' },
	{ "amount", FT_EUROS, F_REQUIRED },
	{ "paid_until", FT_DATE, F_REQUIRED },
	{ NULL }
};

/*
 * The SIM card a top-up is for: given as "sim" (tag, ICCID or number) or
 * as the beneficiary whose hand-over activated it. On refusal answered.
 */
static int
api_topup_sim(struct req *req, char *sim)
{
	const char *code = req_str(req, "sim"), *ben;
	char *norm = NULL, *cause = NULL;
	struct item it;
	enum store_status status;
	int64_t id;

	ben = req_str(req, "beneficiary");
	if (code == NULL && ben == NULL) {
		reply_error(req, 400, "missing_field", "sim",
		    _("give the SIM card (sim: its tag, ICCID or number) or the "
		    "beneficiary"));
		return (-1);
	}
	if (code != NULL && ben != NULL) {
		reply_error(req, 400, "invalid_field", "beneficiary",
		    _("give the SIM card or the beneficiary, not both"));
		return (-1);
	}
	if (ben != NULL) {
		if ((status = store_id_of("beneficiary", ben, &id)) ==
		    STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_tag", "beneficiary",
			    _("beneficiary %s does not exist"), ben);
			return (-1);
		}
		if (status == STORE_OK)
			status = store_sim_of(ben, sim);
		if (status != STORE_OK) {
			api_reply_store(req, status, ben);
			return (-1);
		}
		if (sim[0] == '\0') {
			reply_error(req, 409, "not_connected", "beneficiary",
			    _("%s has no SIM card activated at a hand-over"),
			    ben);
			return (-1);
		}
		return (0);
	}
	/* A number as typed ("06 12 34 56 78") is looked up normalised. */
	if (!tag_shaped(code) && msisdn_normalise(code, &norm, &cause) == 0) {
		json_t *cand = NULL;

		status = store_resolve(norm, &it, &cand);
		json_decref(cand);
		if (status == STORE_OK)
			code = norm;
	}
	free(cause);
	if (api_kit_unit(req, "sim", code, &it) != 0) {
		free(norm);
		return (-1);
	}
	free(norm);
	if (it.res->letter != 'S') {
		reply_error(req, 400, "wrong_kind", "sim",
		    _("%s is a %s, not a SIM card"), it.tag, _(it.res->name));
		return (-1);
	}
	snprintf(sim, TAG_LEN + 1, "%s", it.tag);
	return (0);
}

/*
 * POST /v1/topups {"sim" or "beneficiary", "amount", "paid_until", "at"}:
 * record a top-up; its date is the effective date (at), today by default.
 */
void
api_topup_add(struct req *req)
{
	const char *until, *cur, *ben, *from;
	char sim[TAG_LEN + 1], day[11], now[32], buf[32];
	long long amount;
	int64_t id;
	enum store_status status;
	json_t *c = NULL, *details, *o;

	if (req_fields(req, topup_fields, 1) != 0 ||
	    api_topup_sim(req, sim) != 0)
		return;
	until = req_str(req, "paid_until");
	req_int(req, "amount", &amount);
	if ((status = store_sim_connection(sim, &c)) != STORE_OK) {
		api_reply_store(req, status, sim);
		return;
	}
	if (json_is_null(json_object_get(c, "handover"))) {
		reply_error(req, 409, "not_connected", "sim",
		    _("%s was not activated at a hand-over: only a SIM card "
		    "handed over is topped up"), sim);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(c, "state")), "active") !=
	    0 && strcmp(json_string_value(json_object_get(c, "state")),
	    "suspended") != 0) {
		reply_error(req, 409, "wrong_state", "sim",
		    _("%s is %s: only an active or suspended SIM card is "
		    "topped up"), sim, json_string_value(json_object_get(c,
		    "state")));
		goto out;
	}
	store_now(now, sizeof now);
	snprintf(day, sizeof day, "%.10s", req->actor.at != NULL ?
	    req->actor.at : now);
	from = json_string_value(json_object_get(c, "handed_over_on"));
	cur = json_string_value(json_object_get(c, "paid_until"));
	ben = json_string_value(json_object_get(c, "beneficiary"));
	if (strcmp(day, from) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("a top-up of %s on %s cannot come before its hand-over "
		    "on %s"), sim, day, from);
		goto out;
	}
	if (strcmp(until, day) <= 0) {
		reply_error(req, 400, "date_order", "paid_until",
		    _("paid_until %s is not after the top-up's date, %s"),
		    until, day);
		goto out;
	}
	if (cur != NULL && strcmp(until, cur) <= 0) {
		reply_error(req, 409, "date_order", "paid_until",
		    _("paid_until %s is not after %s's current paid-until, "
		    "%s"), until, sim, cur);
		goto out;
	}
	status = store_topup_add(&req->actor, sim, json_integer_value(
	    json_object_get(c, "handover")), day, amount, until, &id);
	euros_format(amount, buf, sizeof buf);
	if (status == STORE_OK) {
		details = json_pack("{ss ss ss sI}", "beneficiary", ben,
		    "on_date", day, "amount", buf, "topup", (json_int_t)id);
		status = store_ledger_add(&req->actor, sim, "topup", cur, until,
		    NULL, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss ss ss}", "sim", sim, "on_date", day,
		    "amount", buf);
		status = store_ledger_add(&req->actor, ben, "topup", cur, until,
		    NULL, details);
		json_decref(details);
	}
	o = NULL;
	if (status == STORE_OK)
		status = store_topup_get(id, &o);
	api_answer(req, status, 201, o, sim);
out:
	json_decref(c);
}

/*
 * GET /v1/topups?sim=TAG&beneficiary=TAG&after=N&limit=N: a page of paid
 * periods in the order they were recorded (id), and the next page's
 * "after".
 */
void
api_topup_list(struct req *req)
{
	const char *sim = req_query(req, "sim"), *ben;
	char *cause;
	long long limit, after;
	enum store_status status;
	json_t *o;

	ben = req_query(req, "beneficiary");
	if ((sim != NULL && tag_check(sim, 'S', NULL, NULL, &cause) != 0) ||
	    (ben != NULL && tag_check(ben, 'B', NULL, NULL, &cause) != 0)) {
		reply_error(req, 400, "invalid_field", sim != NULL &&
		    tag_check(sim, 'S', NULL, NULL, NULL) != 0 ? "sim" :
		    "beneficiary", "%s", cause);
		free(cause);
		return;
	}
	if (req_page(req, &limit, &after) != 0)
		return;
	status = store_topups(sim, ben, after, limit, &o);
	api_answer(req, status, 200, o, "topups");
}

/*
 * Work out one connection's coverage from its paid periods: covered_until
 * (without a break from the hand-over), gaps, and whether the target is
 * covered.
 */
void
api_topup_cover(json_t *c)
{
	const char *until = NULL, *on, *p, *target;
	json_t *periods, *v, *gaps;
	size_t i;
	int broken = 0;
	const char *cont = NULL;

	periods = json_object_get(c, "periods");
	gaps = json_array();
	json_array_foreach(periods, i, v) {
		on = json_string_value(json_object_get(v, "on_date"));
		p = json_string_value(json_object_get(v, "paid_until"));
		if (until != NULL && strcmp(on, until) > 0) {
			json_array_append_new(gaps, json_pack("{ss ss}",
			    "from", until, "to", on));
			if (!broken)
				cont = until;
			broken = 1;
		}
		if (until == NULL || strcmp(p, until) > 0)
			until = p;
	}
	if (!broken)
		cont = until;
	target = json_string_value(json_object_get(c, "target_until"));
	json_object_set(c, "covered_from", json_object_get(c,
	    "handed_over_on"));
	json_object_set_new(c, "covered_until", cont != NULL ?
	    json_string(cont) : json_null());
	json_object_set_new(c, "covered", json_boolean(cont != NULL &&
	    target != NULL && strcmp(cont, target) >= 0));
	json_object_set_new(c, "topups", json_integer(json_array_size(periods) >
	    0 ? json_array_size(periods) - 1 : 0));
	json_object_set_new(c, "gaps", gaps);
}

/*
 * GET /v1/connections?beneficiary=B&territory=T6&after=N&limit=N: a page
 * of connections in the order of their activation, each with its covered
 * period, where coverage ends, whether the months are covered; and the
 * next page's "after".
 */
void
api_topup_connections(struct req *req)
{
	const char *ben = req_query(req, "beneficiary");
	const char *terr = req_query(req, "territory");
	char *cause;
	size_t i;
	long long months = report_months(), limit, after;
	enum store_status status;
	json_t *page, *c;

	if (ben != NULL && tag_check(ben, 'B', NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "beneficiary", "%s",
		    cause);
		free(cause);
		return;
	}
	if (api_beneficiary_territory_code(req, "territory", terr) != 0 ||
	    req_page(req, &limit, &after) != 0)
		return;
	if ((status = store_connections(months, ben, terr, after, limit,
	    &page)) != STORE_OK) {
		api_reply_store(req, status, "connections");
		return;
	}
	json_array_foreach(json_object_get(page, "items"), i, c)
		api_topup_cover(c);
	json_object_set_new(page, "months", json_integer(months));
	reply_json(req, 200, page);
}

/*
 * The cursor of a page, "DATE.ACTIVATION" (NULL: from the first): the day
 * into on (11 bytes) and the activation into *activation.
 */
static int
topup_due_cursor(const char *s, char *on, long long *activation)
{
	char *cause, *end;

	on[0] = '\0';
	*activation = 0;
	if (s == NULL)
		return (0);
	if (strlen(s) < 12 || s[10] != '.')
		return (-1);
	snprintf(on, 11, "%.10s", s);
	if (check_date(on, &cause) != 0) {
		free(cause);
		return (-1);
	}
	*activation = strtoll(s + 11, &end, 10);
	return (*activation < 1 || *end != '\0' ? -1 : 0);
}

/*
 * GET /v1/topups/due?before=DATE&territory=T6&limit=N&after=CURSOR:
 * connections still live whose coverage ends before hand-over + months: a
 * top-up is due on the day coverage ends (overdue if that day is past).
 * A page of them, soonest first (then in the order of activation), and
 * the next page's cursor ("DATE.ACTIVATION" of the last one).
 */
void
api_topup_due(struct req *req)
{
	const char *before = req_query(req, "before");
	const char *terr = req_query(req, "territory");
	const char *cursor, *on;
	char *cause, today[32], from[11];
	size_t i;
	long long months = report_months(), after, limit;
	enum store_status status;
	json_t *items, *c, *next = json_null();

	if (before != NULL && check_date(before, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "before", "%s", cause);
		free(cause);
		return;
	}
	if (api_beneficiary_territory_code(req, "territory", terr) != 0 ||
	    req_limit(req, &limit, &cursor) != 0)
		return;
	if (topup_due_cursor(cursor, from, &after) != 0) {
		reply_error(req, 400, "invalid_field", "after",
		    _("after %s: expected the value given as next"), cursor);
		return;
	}
	/* One more than the page: is there a next? */
	if ((status = store_topups_due(months, before, terr, from, after,
	    limit + 1, &items)) != STORE_OK) {
		api_reply_store(req, status, "topups");
		return;
	}
	store_now(today, sizeof today);
	today[10] = '\0';
	if ((long long)json_array_size(items) > limit) {
		json_array_remove(items, limit);
		c = json_array_get(items, limit - 1);
		next = json_sprintf("%s.%lld", json_string_value(
		    json_object_get(c, "due_on")), (long long)
		    json_integer_value(json_object_get(c, "activation")));
	}
	json_array_foreach(items, i, c) {
		on = json_string_value(json_object_get(c, "due_on"));
		json_object_set_new(c, "overdue", json_boolean(strcmp(on,
		    today) < 0));
		json_object_del(c, "activation");
	}
	reply_json(req, 200, json_pack("{sI so so}", "months",
	    (json_int_t)months, "items", items, "next", next));
}
