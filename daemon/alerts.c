/*
 * Alerts: what is late, expiring or short, as one table of {kind,
 * function}. Each function appends its alerts ({kind, subject,
 * territory, on, message}) to an array; other parts of kitstockd add
 * their entry to alert_table. GET /v1/alerts?days=N runs them all.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"
#include "scan.h"

static enum store_status alert_topups(const struct alert_ctx *, json_t *);
static enum store_status alert_short(const struct alert_ctx *, json_t *);
static enum store_status alert_followups(const struct alert_ctx *,
    json_t *);
static enum store_status alert_warranties(const struct alert_ctx *,
    json_t *);
static enum store_status alert_repairs(const struct alert_ctx *, json_t *);
static enum store_status alert_kits(const struct alert_ctx *, json_t *);
static enum store_status alert_stock(const struct alert_ctx *, json_t *);

/* Every kind of alert, in the order they are shown. */
const struct alert_kind alert_table[] = {
	{ "topup_due", alert_topups },
	{ "connection_short", alert_short },
	{ "followup_overdue", alert_followups },
	{ "warranty_ending", alert_warranties },
	{ "repair_open", alert_repairs },
	{ "kit_uncollected", alert_kits },
	{ "stock_short", alert_stock },
	{ "orientation_dropout", api_offers_alerts },
	{ "scan_refused_on_replay", api_scan_alerts },
	{ NULL, NULL }
};

/* Append one alert; the message is a _() format. */
void
alert_push(json_t *out, const char *kind, const char *subject,
    const char *territory, const char *on, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	json_array_append_new(out, json_pack("{ss ss* ss* ss* ss}", "kind",
	    kind, "subject", subject, "territory", territory, "on", on,
	    "message", msg));
	free(msg);
}

/* A string member or "". */
static const char *
alert_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* At most this many alerts of a kind, as the lists they come from. */
#define ALERT_MAX	10000

/*
 * Connections still live and not yet paid for the months asked, paid
 * until from "from" (excluded; "" for all) to "to" (included): at most
 * ALERT_MAX, soonest first, read among those kept short of the months.
 */
static enum store_status
alert_connections(const char *from, const char *to, json_t **out)
{
	return (store_topups_due(report_months(), to, NULL, from,
	    from[0] != '\0' ? INT64_MAX : 0, ALERT_MAX, out));
}

/* Top-ups due within N days: paid until then, short of the months. */
static enum store_status
alert_topups(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *c;
	const char *paid;
	enum store_status status;
	size_t i;

	if ((status = alert_connections(ctx->yesterday, ctx->ahead,
	    &rows)) != STORE_OK)
		return (status);
	json_array_foreach(rows, i, c) {
		paid = alert_str(c, "due_on");
		alert_push(out, "topup_due", alert_str(c, "sim"),
		    alert_str(c, "territory"), paid, _("SIM card %s of %s is "
		    "paid until %s: top it up to reach %s"), alert_str(c,
		    "sim"), alert_str(c, "beneficiary"), paid,
		    alert_str(c, "target_until"));
	}
	json_decref(rows);
	return (STORE_OK);
}

/* Connections whose paid period has lapsed before the months asked. */
static enum store_status
alert_short(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *c;
	const char *paid;
	enum store_status status;
	size_t i;

	if ((status = alert_connections("", ctx->yesterday, &rows)) !=
	    STORE_OK)
		return (status);
	json_array_foreach(rows, i, c) {
		paid = alert_str(c, "due_on");
		alert_push(out, "connection_short", alert_str(c, "sim"),
		    alert_str(c, "territory"), paid, _("the connection of %s "
		    "(SIM card %s) lapsed on %s: it falls short of %lld "
		    "months (%s) unless topped up"), alert_str(c,
		    "beneficiary"), alert_str(c, "sim"), paid, report_months(),
		    alert_str(c, "target_until"));
	}
	json_decref(rows);
	return (STORE_OK);
}

/* Follow-ups whose day has passed without one recorded. */
static enum store_status
alert_followups(const struct alert_ctx *ctx, json_t *out)
{
	json_t *sel, *o = NULL, *r;
	enum store_status status;
	size_t i;

	sel = json_pack("{sb}", "overdue", 1);
	status = store_beneficiary_schedule(sel, ctx->today, NULL, 10000, &o);
	json_decref(sel);
	if (status == STORE_OK)
		json_array_foreach(json_object_get(o, "items"), i, r)
			alert_push(out, "followup_overdue", alert_str(r,
			    "beneficiary"), alert_str(r, "territory"),
			    alert_str(r, "due_on"), _("the %lld-month "
			    "follow-up of %s was due on %s"),
			    (long long)json_integer_value(json_object_get(r,
			    "month")), alert_str(r, "beneficiary"),
			    alert_str(r, "due_on"));
	json_decref(o);
	return (status);
}

/* Warranties ending within N days. */
static enum store_status
alert_warranties(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *r;
	enum store_status status;
	size_t i;

	status = store_report_list("warranties", ctx->today, ctx->ahead,
	    ctx->back, &rows);
	if (status == STORE_OK)
		json_array_foreach(rows, i, r)
			alert_push(out, "warranty_ending", alert_str(r,
			    "device"), json_string_value(json_object_get(r,
			    "territory")), alert_str(r, "warranty_until"),
			    _("the warranty of %s (%s) ends on %s"),
			    alert_str(r, "device"), alert_str(r, "kind"),
			    alert_str(r, "warranty_until"));
	json_decref(rows);
	return (status);
}

/*
 * The rows of a list whose age (member days) is more than N days; with N
 * 0, all of them.
 */
static enum store_status
alert_aged(const struct alert_ctx *ctx, const char *list, const char *days,
    json_t **out)
{
	json_t *rows, *r;
	enum store_status status;
	size_t i;

	*out = json_array();
	status = store_report_list(list, ctx->today, ctx->ahead, ctx->back,
	    &rows);
	json_array_foreach(rows, i, r)
		if (ctx->days == 0 || json_integer_value(json_object_get(r,
		    days)) > ctx->days)
			json_array_append(*out, r);
	json_decref(rows);
	return (status);
}

/* Repairs open for more than N days. */
static enum store_status
alert_repairs(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *r;
	enum store_status status;
	size_t i;

	status = alert_aged(ctx, "repairs_open", "days_open", &rows);
	json_array_foreach(rows, i, r)
		alert_push(out, "repair_open", alert_str(r, "device"),
		    alert_str(r, "territory"), alert_str(r, "opened_on"),
		    _("%s has been in repair at %s since %s (%lld days)"),
		    alert_str(r, "device"), alert_str(r, "partner_name"),
		    alert_str(r, "opened_on"), (long long)json_integer_value(
		    json_object_get(r, "days_open")));
	json_decref(rows);
	return (status);
}

/* Kits ready for more than N days and not collected. */
static enum store_status
alert_kits(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *r;
	enum store_status status;
	size_t i;

	status = alert_aged(ctx, "kits_ready", "days_ready", &rows);
	json_array_foreach(rows, i, r)
		alert_push(out, "kit_uncollected", alert_str(r, "kit"),
		    alert_str(r, "territory"), alert_str(r, "ready_on"),
		    _("kit %s for %s has been ready since %s and is not "
		    "collected"), alert_str(r, "kit"), alert_str(r,
		    "beneficiary"), alert_str(r, "ready_on"));
	json_decref(rows);
	return (status);
}

/* Kinds whose stock is below what open diagnostics need. */
static enum store_status
alert_stock(const struct alert_ctx *ctx, json_t *out)
{
	json_t *rows, *r;
	json_int_t need, have;
	enum store_status status;
	size_t i;

	status = store_report_list("needs", ctx->today, ctx->ahead, ctx->back,
	    &rows);
	if (status == STORE_OK)
		json_array_foreach(rows, i, r) {
			need = json_integer_value(json_object_get(r,
			    "needed"));
			have = json_integer_value(json_object_get(r,
			    "in_stock"));
			if (have >= need)
				continue;
			alert_push(out, "stock_short", alert_str(r, "kind"),
			    NULL, ctx->today, _("%lld %s(s) in stock for %lld "
			    "diagnosed people waiting for one"),
			    (long long)have, alert_str(r, "kind"),
			    (long long)need);
		}
	json_decref(rows);
	return (status);
}

/* The alerts of an answer, one kind at a time (reply_json_each_tail). */
struct alert_run {
	struct alert_ctx	 ctx;
	const struct alert_kind	*k;	/* the next kind to run */
	json_t			*items;	/* the alerts of the kind run last */
	size_t			 at;	/* the next of them to give */
	json_t			*counts;
};

static json_t *
alert_each(void *arg, size_t i, enum store_status *failed)
{
	struct alert_run *r = arg;
	enum store_status status;

	while (r->items == NULL || r->at == json_array_size(r->items)) {
		json_decref(r->items);
		r->items = NULL;
		if (r->k->kind == NULL)
			return (NULL);
		r->items = json_array();
		r->at = 0;
		if ((status = r->k->fn(&r->ctx, r->items)) != STORE_OK) {
			*failed = status;
			json_decref(r->items);
			r->items = NULL;
			return (NULL);
		}
		json_object_set_new(r->counts, r->k->kind, json_integer(
		    json_array_size(r->items)));
		r->k++;
	}
	return (json_incref(json_array_get(r->items, r->at++)));
}

/*
 * GET /v1/alerts?days=N (14 by default): every alert, then the counts of
 * each kind. Written as made, one kind held at a time.
 */
void
api_alerts(struct req *req)
{
	struct alert_run r;

	memset(&r, 0, sizeof r);
	if (report_days_query(req, 14, &r.ctx.days) != 0)
		return;
	api_beneficiary_today(r.ctx.today, sizeof r.ctx.today);
	report_day(r.ctx.days, r.ctx.ahead, sizeof r.ctx.ahead);
	report_day(-r.ctx.days, r.ctx.back, sizeof r.ctx.back);
	report_day(-1, r.ctx.yesterday, sizeof r.ctx.yesterday);
	r.k = alert_table;
	r.counts = json_object();
	reply_json_each_tail(req, 200, json_pack("{sI ss}", "days",
	    (json_int_t)r.ctx.days, "today", r.ctx.today), "items",
	    alert_each, &r, json_pack("{so}", "counts", r.counts));
	json_decref(r.items);
}
