/*
 * Scan stations: what a scan means where it is made. Every scan (USB
 * scanner, POST /v1/scans, `kitstock scan`, remote terminal) goes through
 * scan_submit, inside a write transaction: the station's mode and context
 * say what the code means, the effect is made by the very handlers of the
 * API (run in-process, inside a savepoint, so that the rules are written
 * once), and the scan is recorded with its verdict, in the same transaction
 * as its effect, under a unique scan id.
 *
 * A scan acts with its maker's role: an HTTP caller's (token or UNIX
 * peer), or for a USB scanner the role its station was given. Each effect
 * is checked against its route's roles by auth_allowed, as the HTTP door
 * does, and a refusal is a verdict naming the role and who may.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/time.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"
#include "scan.h"

/* What a scan sequence is in, and who makes its effects. */
struct scan {
	const char	*station;
	const char	*code;
	const char	*actor;
	int		 role;		/* ROLE_* the scan acts with */
	const char	*at;		/* made at, "YYYY-MM-DDTHH:MM:SSZ" */
	long long	 ms;		/* the same, ms since the epoch */
	json_t		*st;		/* the station's row */
	json_t		*ctx;		/* its context (changed as we go) */
	json_t		*v;		/* the verdict */
	json_t		*undo;		/* how to cancel the scan */
	int		 done;		/* roles of the effect's route */
	const char	*mode;
	const char	*location;	/* the station's */
};

static long long scan_debounce_ms = SCAN_DEBOUNCE_DEFAULT;
static long long scan_idle = SCAN_IDLE_DEFAULT;

static void	 scan_say(struct scan *, const char *, const char *,
		    const char *, ...)
		    __attribute__((__format__(printf, 4, 5)));
static int	 scan_call(struct scan *, const char *, const char *,
		    json_t *, int, const char *, json_t **, char **);
static void	 scan_mode(struct scan *);
static void	 scan_command(struct scan *);

const char *const scan_modes[] = {
	"receive", "putaway", "pick", "checkout", "return", "audit", NULL
};

/* The usual return reasons: their code and what the ledger says. */
const struct scan_reason scan_reasons[] = {
	{ "NOT-NEEDED", N_("no longer needed") },
	{ "FAULTY", N_("faulty") },
	{ "DAMAGED", N_("damaged") },
	{ "INCOMPLETE", N_("incomplete") },
	{ "WRONG-DEVICE", N_("wrong device") },
	{ "LEFT-PROGRAMME", N_("left the programme") },
	{ NULL, NULL }
};

void
scan_configure(const struct config *c)
{
	scan_debounce_ms = c->scan_debounce_ms;
	scan_idle = c->scan_idle;
	stream_configure(c);
}

/* ms since the epoch of "YYYY-MM-DDTHH:MM:SSZ"; -1 if it is not one. */
static long long
scan_ms(const char *at)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return (-1);
	return ((long long)timegm(&tm) * 1000);
}

static long long
scan_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return ((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/* "12/10" (day/month) from an ISO date or time. */
static void
scan_day(const char *at, char *buf, size_t len)
{
	if (at == NULL || strlen(at) < 10)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%.2s/%.2s", at + 8, at + 5);
}

/* The verdict: ok, refused or ignored, the item and a sentence. */
static void
scan_say(struct scan *sc, const char *verdict, const char *item,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	json_object_set_new(sc->v, "verdict", json_string(verdict));
	json_object_set_new(sc->v, "message", json_string(msg));
	json_object_set_new(sc->v, "item", item != NULL ? json_string(item) :
	    json_null());
	free(msg);
}

static const char *
scan_ctx(struct scan *sc, const char *key)
{
	return (json_string_value(json_object_get(sc->ctx, key)));
}

/* "distribution or coordinator" for a set of roles. */
static void
scan_roles_or(int roles, char *buf, size_t len)
{
	int bit, left;
	size_t used = 0;

	buf[0] = '\0';
	for (bit = 1; bit <= ROLE_EVALUATOR; bit <<= 1) {
		if ((roles & bit) == 0)
			continue;
		left = roles & ~((bit << 1) - 1);
		snprintf(buf + used, len - used, "%s%s", auth_role_name(bit),
		    left == 0 ? "" : (left & (left - 1)) == 0 ? _(" or ") :
		    ", ");
		used = strlen(buf);
	}
}

/*
 * A scan whose role may not make its effect: the verdict names the role,
 * what it may not do and who may.
 */
static void
scan_refuse_role(struct scan *sc, const char *what, int roles)
{
	char who[128];

	scan_roles_or(roles, who, sizeof who);
	scan_say(sc, "refused", sc->code, _("%s: the %s role may not %s: a "
	    "%s account may — nothing was changed"), sc->code,
	    auth_role_name(sc->role), _(what), who);
}

/* The effect each mode has, for its refusals: the request it makes. */
static const struct scan_effect {
	const char	*mode;
	const char	*method;
	const char	*path;		/* with any tag */
	const char	*what;		/* "the %s role may not ..." */
} scan_effects[] = {
	{ "receive", "POST", "/v1/lots/-/receive", N_("receive deliveries") },
	{ "putaway", "POST", "/v1/moves", N_("put stock away") },
	{ "pick", "POST", "/v1/kits/-/pick", N_("pick kits") },
	{ "checkout", "POST", "/v1/distributions/-/checkout",
	    N_("hand kits over") },
	{ "return", "POST", "/v1/kits/-/return", N_("take kits back") },
	{ NULL, NULL, NULL, NULL }
};

static const struct scan_effect *
scan_effect(const char *mode)
{
	const struct scan_effect *e;

	for (e = scan_effects; e->mode != NULL; e++)
		if (strcmp(e->mode, mode) == 0)
			return (e);
	return (NULL);
}

/* A request as the scan's maker makes it (allocated; req_free). */
static struct req *
scan_req(struct scan *sc, const struct route *r)
{
	struct req *req;

	req = xcalloc(1, sizeof *req);
	req->route = r;
	if ((req->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	req->query = xcalloc(1, sizeof *req->query);
	TAILQ_INIT(req->query);
	req->actor_name = xstrdup(sc->actor);
	req->actor.name = req->actor_name;
	req->actor.station = sc->station;
	req->at = xstrdup(sc->at);
	req->actor.at = req->at;
	req->role = sc->role;
	return (req);
}

/*
 * May the scan's maker make this request? The route's roles (or roles,
 * if not 0: the CANCEL barcode's, those of the effect it undoes) are
 * checked by auth_allowed, as at the HTTP door. 0, or -1 with the
 * refusal said (what: "hand kits over").
 */
static int
scan_may(struct scan *sc, const struct route *r, int roles,
    const char *what)
{
	struct route checked = *r;
	struct req *req;
	int rc = 0;

	if (roles != 0)
		checked.roles = roles;
	req = scan_req(sc, &checked);
	if (auth_allowed(req) != 0) {
		scan_refuse_role(sc, what, checked.roles != 0 ?
		    checked.roles : ROLE_COORDINATOR);
		rc = -1;
	}
	req_free(req);
	return (rc);
}

/*
 * Can the scan's maker make the effect of the station's mode at all? Said
 * at a sequence's first scan, not at its last.
 */
static int
scan_may_mode(struct scan *sc)
{
	const struct scan_effect *e;
	const struct route *r;
	char *params[ROUTE_PARAMS] = { NULL };
	int wrong, i;

	if ((e = scan_effect(sc->mode)) == NULL)
		return (0);
	if ((r = route_find(e->method, e->path, params, &wrong)) == NULL)
		fatalx("scan: no route %s %s", e->method, e->path);
	for (i = 0; i < ROUTE_PARAMS; i++)
		free(params[i]);
	return (scan_may(sc, r, 0, e->what));
}

/*
 * Run an API handler in-process, with the scan's actor and role, inside a
 * savepoint: undone alone if refused. The roles are checked first
 * (scan_may; what: NULL for the mode's effect). Returns the HTTP status;
 * *answer gets the JSON answer, *message the refusal's sentence
 * (allocated) if any: NULL if the role was refused (the verdict said).
 */
static int
scan_call(struct scan *sc, const char *method, const char *path,
    json_t *body, int roles, const char *what, json_t **answer,
    char **message)
{
	const struct route *r;
	const struct scan_effect *eff;
	char *params[ROUTE_PARAMS] = { NULL };
	struct req *req;
	struct evbuffer *out;
	int wrong, status;
	json_t *a, *e;

	*answer = NULL;
	*message = NULL;
	if ((r = route_find(method, path, params, &wrong)) == NULL)
		fatalx("scan: no route %s %s", method, path);
	if (what == NULL && (eff = scan_effect(sc->mode)) != NULL)
		what = eff->what;
	if (what == NULL)
		what = N_("cancel the last scan");
	if (scan_may(sc, r, roles, what) != 0) {
		for (wrong = 0; wrong < ROUTE_PARAMS; wrong++)
			free(params[wrong]);
		return (403);
	}
	req = scan_req(sc, r);
	memcpy(req->params, params, sizeof req->params);
	req->body = json_incref(body);
	sc->done = r->roles != 0 ? r->roles : ROLE_COORDINATOR;

	if (store_savepoint(SCAN_SAVEPOINT) != STORE_OK)
		fatalx("scan: cannot open a savepoint");
	r->handler(req);
	status = req->status;
	if (status >= 200 && status < 300)
		store_savepoint(SCAN_RELEASE);
	else {
		store_savepoint(SCAN_ROLLBACK_TO);
		store_savepoint(SCAN_RELEASE);
	}
	out = req->out;
	a = json_loadb((const char *)evbuffer_pullup(out, -1),
	    evbuffer_get_length(out), 0, NULL);
	if (status < 200 || status >= 300) {
		e = json_object_get(a, "error");
		*message = xstrdup(json_string_value(json_object_get(e,
		    "message")) != NULL ? json_string_value(json_object_get(e,
		    "message")) : _("refused"));
		json_decref(a);
	} else
		*answer = a;
	req_free(req);
	return (status);
}

/* A code as a tag: its letter, or 0 if it is not a valid tag. */
static char
scan_letter(const char *code)
{
	char letter;

	if (tag_check(code, 0, &letter, NULL, NULL) != 0)
		return (0);
	return (letter);
}

/*
 * The unit (device or SIM card) a code designates: its tag into tag.
 * 0, or -1 with the refusal said.
 */
static int
scan_unit(struct scan *sc, char *tag)
{
	struct item it;
	json_t *cand = NULL;
	enum store_status status;
	char letter = scan_letter(sc->code);

	if (letter != 0 && letter != 'D' && letter != 'S') {
		scan_say(sc, "refused", sc->code,
		    _("%s: not a device or a SIM card — scan a unit's tag, "
		    "serial, IMEI or ICCID"), sc->code);
		return (-1);
	}
	status = store_resolve(sc->code, &it, &cand);
	json_decref(cand);
	if (status == STORE_CONFLICT) {
		scan_say(sc, "refused", sc->code,
		    _("%s: several units share this serial — scan the unit's "
		    "tag instead"), sc->code);
		return (-1);
	}
	if (status != STORE_OK || (it.tag[0] != 'D' && it.tag[0] != 'S')) {
		scan_say(sc, "refused", sc->code,
		    _("%s: unknown here — set it aside and check it at a "
		    "desk"), sc->code);
		return (-1);
	}
	snprintf(tag, TAG_LEN + 1, "%s", it.tag);
	return (0);
}

/* Refused because the first scan of the sequence is missing. */
static void
scan_need(struct scan *sc, const char *what)
{
	scan_say(sc, "refused", sc->code, _("%s: %s — %s"), sc->code, what,
	    _(scan_mode_hint(sc->mode)));
}

/*
 * The undo of a scan: the context before it, and a request if any, with
 * the roles that may make the effect it undoes (those of the route just
 * called): CANCEL lets them undo their own scan for a while.
 */
static void
scan_undo(struct scan *sc, json_t *before, const char *method,
    const char *path, json_t *body)
{
	json_decref(sc->undo);
	sc->undo = json_pack("{sO}", "context", before);
	if (method != NULL) {
		json_object_set_new(sc->undo, "request", json_pack("{ss ss sO}",
		    "method", method, "path", path, "body", body));
		json_object_set_new(sc->undo, "roles", json_integer(sc->done));
	}
}

/* receive: a pre-printed tag then a serial, or a manifest serial alone. */
static void
scan_receive(struct scan *sc, json_t *before)
{
	char letter = scan_letter(sc->code), lot[TAG_LEN + 1], *path, *msg;
	const char *pre = scan_ctx(sc, "tag"), *tag;
	json_t *row, *body, *a, *u;
	enum store_status status;

	if (letter == 'D' || letter == 'S') {
		status = store_label_reservation(sc->code, &row);
		if (status == STORE_OK && json_is_null(json_object_get(row,
		    "bound_at"))) {
			json_decref(row);
			json_object_set_new(sc->ctx, "tag",
			    json_string(sc->code));
			scan_say(sc, "ok", sc->code, _("%s: blank tag ready — "
			    "now scan the unit's serial or IMEI"), sc->code);
			scan_undo(sc, before, NULL, NULL, NULL);
			return;
		}
		json_decref(row);
		scan_say(sc, "refused", sc->code, _("%s: already used on a "
		    "unit — scan a blank tag or the unit's serial"), sc->code);
		return;
	}
	if (letter != 0) {
		scan_say(sc, "refused", sc->code, _("%s: not a unit — scan a "
		    "blank tag or the unit's serial, IMEI or ICCID"),
		    sc->code);
		return;
	}
	if ((status = store_manifest_elsewhere(0, sc->code, lot)) !=
	    STORE_OK || lot[0] == '\0') {
		scan_say(sc, "refused", sc->code, _("%s: expected by no "
		    "delivery manifest — check the code, or receive it as an "
		    "extra at a desk"), sc->code);
		return;
	}
	body = json_pack("{s[s] ss}", "codes", sc->code, "location",
	    sc->location);
	if (pre != NULL)
		json_object_set_new(body, "tag", json_string(pre));
	xasprintf(&path, "/v1/lots/%s/receive", lot);
	scan_call(sc, "POST", path, body, 0, NULL, &a, &msg);
	free(path);
	json_decref(body);
	if (a == NULL) {
		if (msg != NULL)
			scan_say(sc, "refused", sc->code, _("%s: %s — set it "
			    "aside"), sc->code, msg);
		free(msg);
		return;
	}
	json_object_del(sc->ctx, "tag");
	u = json_array_get(json_object_get(a, "received"), 0);
	tag = json_string_value(json_object_get(u, "tag"));
	if (json_object_get(u, "label") != NULL)
		json_object_set(sc->v, "label", json_object_get(u, "label"));
	scan_say(sc, "ok", tag, _("%s: received from lot %s into %s%s — scan "
	    "the next unit"), tag, lot, sc->location, json_object_get(u,
	    "label") != NULL ? _(", label queued for printing") : "");
	json_decref(a);
}

/* putaway: a location, then items that move there. */
static void
scan_putaway(struct scan *sc, json_t *before)
{
	char tag[TAG_LEN + 1], kind[32], state[32], where[TAG_LEN + 1];
	char *msg;
	const char *to = scan_ctx(sc, "location");
	json_t *body, *a;

	if (scan_letter(sc->code) == 'L') {
		if (store_location_kind(sc->code, kind, sizeof kind) !=
		    STORE_OK || kind[0] == '\0') {
			scan_say(sc, "refused", sc->code, _("%s: no such "
			    "location — scan a location's tag"), sc->code);
			return;
		}
		json_object_set_new(sc->ctx, "location", json_string(sc->code));
		scan_say(sc, "ok", sc->code, _("%s: putting away here — scan "
		    "the items"), sc->code);
		scan_undo(sc, before, NULL, NULL, NULL);
		return;
	}
	if (to == NULL) {
		scan_need(sc, _("no location scanned"));
		return;
	}
	if (scan_unit(sc, tag) != 0)
		return;
	if (store_unit_get(resource_by_letter(tag[0]), tag, state,
	    sizeof state, where, NULL) != STORE_OK)
		where[0] = '\0';
	body = json_pack("{s[s] ss}", "items", tag, "to", to);
	scan_call(sc, "POST", "/v1/moves", body, 0, NULL, &a, &msg);
	json_decref(body);
	if (a == NULL) {
		if (msg != NULL)
			scan_say(sc, "refused", tag, _("%s: %s — put it "
			    "aside"), tag, msg);
		free(msg);
		return;
	}
	json_decref(a);
	if (where[0] != '\0' && strcmp(where, to) != 0) {
		body = json_pack("{s[s] ss}", "items", tag, "to", where);
		scan_undo(sc, before, "POST", "/v1/moves", body);
		json_decref(body);
	} else
		scan_undo(sc, before, NULL, NULL, NULL);
	scan_say(sc, "ok", tag, _("%s: %s, moved from %s to %s — scan the "
	    "next item"), tag, state, where[0] != '\0' ? where : "-", to);
}

/* pick: a kit, then its units. */
static void
scan_pick(struct scan *sc, json_t *before)
{
	char tag[TAG_LEN + 1], *path, *msg;
	const char *kit = scan_ctx(sc, "kit"), *ben, *state;
	json_t *k, *body, *a;
	size_t missing;

	if (scan_letter(sc->code) == 'K') {
		if (store_kit_get(sc->code, &k) != STORE_OK) {
			scan_say(sc, "refused", sc->code, _("%s: no such kit — "
			    "scan a kit's tag"), sc->code);
			return;
		}
		ben = json_string_value(json_object_get(k, "beneficiary"));
		state = json_string_value(json_object_get(k, "state"));
		if (strcmp(state, "planned") != 0 &&
		    strcmp(state, "picking") != 0) {
			scan_say(sc, "refused", sc->code, _("%s: %s, for %s — "
			    "only a planned kit is picked: scan another kit"),
			    sc->code, state, ben);
			json_decref(k);
			return;
		}
		json_object_set_new(sc->ctx, "kit", json_string(sc->code));
		scan_say(sc, "ok", sc->code, _("%s: picking for %s — scan its "
		    "units"), sc->code, ben);
		json_decref(k);
		scan_undo(sc, before, NULL, NULL, NULL);
		return;
	}
	if (kit == NULL) {
		scan_need(sc, _("no kit scanned"));
		return;
	}
	if (scan_unit(sc, tag) != 0)
		return;
	body = json_pack("{s[s]}", "items", tag);
	xasprintf(&path, "/v1/kits/%s/pick", kit);
	scan_call(sc, "POST", path, body, 0, NULL, &a, &msg);
	free(path);
	json_decref(body);
	if (a == NULL) {
		if (msg != NULL)
			scan_say(sc, "refused", tag, _("%s: %s — put it back "
			    "and scan another unit"), tag, msg);
		free(msg);
		return;
	}
	missing = json_array_size(json_object_get(a, "missing"));
	json_decref(a);
	body = json_pack("{s[s] ss}", "items", tag, "reason",
	    "cancelled at the scan station");
	xasprintf(&path, "/v1/kits/%s/unpick", kit);
	scan_undo(sc, before, "POST", path, body);
	free(path);
	json_decref(body);
	if (missing == 0)
		scan_say(sc, "ok", tag, _("%s: picked into %s, which is "
		    "complete — mark it ready"), tag, kit);
	else
		scan_say(sc, "ok", tag, _("%s: picked into %s — %zu more to "
		    "pick"), tag, kit, missing);
}

/* checkout: a beneficiary's convocation, then their kit. */
static void
scan_checkout(struct scan *sc, json_t *before)
{
	const char *event = json_string_value(json_object_get(sc->st,
	    "distribution"));
	const char *ben = scan_ctx(sc, "beneficiary"), *kstate, *kben;
	char outcome[32], other[TAG_LEN + 1], kit[TAG_LEN + 1];
	char holder[TAG_LEN + 1], day[16], *path, *msg;
	char letter = scan_letter(sc->code);
	json_t *k = NULL, *body, *a;

	if (event == NULL) {
		scan_say(sc, "refused", sc->code, _("%s: this station serves "
		    "no distribution — ask a coordinator to set one (kitstock "
		    "station mode)"), sc->code);
		return;
	}
	if (letter == 'B') {
		if (store_convocation_get(event, sc->code, outcome,
		    sizeof outcome) != STORE_OK)
			outcome[0] = '\0';
		if (outcome[0] == '\0') {
			if (store_station_convoked_elsewhere(event, sc->code,
			    other) == STORE_OK && other[0] != '\0')
				scan_say(sc, "refused", sc->code, _("%s: "
				    "convoked to distribution %s, not to %s "
				    "served here — send them there"),
				    sc->code, other, event);
			else
				scan_say(sc, "refused", sc->code, _("%s: not "
				    "convoked to %s — check their "
				    "convocation"), sc->code, event);
			return;
		}
		if (strcmp(outcome, "handed_over") == 0) {
			scan_say(sc, "refused", sc->code, _("%s: already "
			    "equipped at %s — scan the next convocation"),
			    sc->code, event);
			return;
		}
		json_object_set_new(sc->ctx, "beneficiary",
		    json_string(sc->code));
		scan_say(sc, "ok", sc->code, _("%s: convoked to %s — now scan "
		    "their kit"), sc->code, event);
		scan_undo(sc, before, NULL, NULL, NULL);
		return;
	}
	if (letter == 'K')
		snprintf(kit, sizeof kit, "%s", sc->code);
	else {
		if (scan_unit(sc, kit) != 0)
			return;
		if (store_kit_holder(kit, holder, other) != STORE_OK ||
		    holder[0] == '\0') {
			scan_say(sc, "refused", kit, _("%s: in no kit — scan "
			    "the beneficiary's kit"), kit);
			return;
		}
		snprintf(kit, sizeof kit, "%s", holder);
	}
	if (store_kit_get(kit, &k) != STORE_OK) {
		scan_say(sc, "refused", sc->code, _("%s: no such kit — scan "
		    "the beneficiary's kit"), sc->code);
		return;
	}
	kstate = json_string_value(json_object_get(k, "state"));
	kben = json_string_value(json_object_get(k, "beneficiary"));
	if (strcmp(kstate, "handed_over") == 0) {
		scan_day(json_string_value(json_object_get(k,
		    "handed_over_at")), day, sizeof day);
		scan_say(sc, "refused", sc->code, _("%s: already handed over "
		    "to %s on %s — scan another device"), sc->code, kben, day);
		json_decref(k);
		return;
	}
	if (ben == NULL) {
		json_decref(k);
		scan_need(sc, _("no convocation scanned"));
		return;
	}
	json_decref(k);
	body = json_pack("{ss ss}", "beneficiary", ben, "kit", kit);
	xasprintf(&path, "/v1/distributions/%s/checkout", event);
	scan_call(sc, "POST", path, body, 0, NULL, &a, &msg);
	free(path);
	json_decref(body);
	if (a == NULL) {
		if (msg != NULL)
			scan_say(sc, "refused", sc->code, _("%s: %s — "
			    "nothing was handed over"), sc->code, msg);
		free(msg);
		return;
	}
	json_decref(a);
	scan_say(sc, "ok", kit, _("%s: handed over to %s — scan the next "
	    "convocation"), kit, ben);
	json_object_del(sc->ctx, "beneficiary");
	body = json_pack("{ss}", "reason", "cancelled at the scan station");
	xasprintf(&path, "/v1/kits/%s/cancel-checkout", kit);
	scan_undo(sc, before, "POST", path, body);
	free(path);
	json_decref(body);
}

/* return: a reason (command barcode), then units or kits coming back. */
static void
scan_return(struct scan *sc)
{
	const char *reason = scan_ctx(sc, "reason");
	char kit[TAG_LEN + 1], ben[TAG_LEN + 1], tag[TAG_LEN + 1];
	char *path, *msg;
	json_t *body, *a;

	if (reason == NULL) {
		scan_need(sc, _("no return reason scanned"));
		return;
	}
	if (scan_letter(sc->code) == 'K')
		snprintf(kit, sizeof kit, "%s", sc->code);
	else {
		if (scan_unit(sc, tag) != 0)
			return;
		if (store_kit_holder(tag, kit, ben) != STORE_OK ||
		    kit[0] == '\0') {
			scan_say(sc, "refused", tag, _("%s: in no kit handed "
			    "over — set it aside for a desk"), tag);
			return;
		}
	}
	body = json_pack("{ss ss}", "reason", reason, "location",
	    sc->location);
	xasprintf(&path, "/v1/kits/%s/return", kit);
	scan_call(sc, "POST", path, body, 0, NULL, &a, &msg);
	free(path);
	json_decref(body);
	if (a == NULL) {
		if (msg != NULL)
			scan_say(sc, "refused", sc->code, _("%s: %s — set it "
			    "aside for a desk"), sc->code, msg);
		free(msg);
		return;
	}
	scan_say(sc, "ok", kit, _("%s: given back by %s (%s), now at %s — "
	    "scan the next return"), kit, json_string_value(json_object_get(a,
	    "beneficiary")), reason, sc->location);
	json_decref(a);
}

/* audit: a location, then everything seen there. */
static void
scan_audit(struct scan *sc, json_t *before)
{
	char tag[TAG_LEN + 1], kind[32], state[32], where[TAG_LEN + 1];
	const char *loc = scan_ctx(sc, "location");
	long long id, count;
	int again;

	if (scan_letter(sc->code) == 'L') {
		if (json_object_get(sc->ctx, "audit") != NULL) {
			scan_say(sc, "refused", sc->code, _("%s: the audit of "
			    "%s is still open — scan END AUDIT first"),
			    sc->code, loc);
			return;
		}
		if (store_location_kind(sc->code, kind, sizeof kind) !=
		    STORE_OK || kind[0] == '\0') {
			scan_say(sc, "refused", sc->code, _("%s: no such "
			    "location — scan a location's tag"), sc->code);
			return;
		}
		if (store_audit_open(sc->station, sc->code, sc->at, &id) !=
		    STORE_OK) {
			scan_say(sc, "refused", sc->code, _("%s: the audit "
			    "cannot be recorded — try again"), sc->code);
			return;
		}
		json_object_set_new(sc->ctx, "audit", json_integer(id));
		json_object_set_new(sc->ctx, "location", json_string(sc->code));
		scan_say(sc, "ok", sc->code, _("%s: audit started — scan "
		    "everything here, then END AUDIT"), sc->code);
		return;
	}
	if (json_object_get(sc->ctx, "audit") == NULL) {
		scan_need(sc, _("no audit started"));
		return;
	}
	id = json_integer_value(json_object_get(sc->ctx, "audit"));
	if (scan_unit(sc, tag) != 0)
		return;
	if (store_audit_see(id, tag, sc->at, &again, &count) != STORE_OK) {
		scan_say(sc, "refused", tag, _("%s: the sighting cannot be "
		    "recorded — scan it again"), tag);
		return;
	}
	if (again) {
		scan_say(sc, "ok", tag, _("%s: already counted (%lld seen) — "
		    "scan the next item"), tag, count);
		return;
	}
	json_decref(sc->undo);
	sc->undo = json_pack("{sO s{sI ss}}", "context", before, "unsee",
	    "audit", (json_int_t)id, "item", tag);
	if (store_unit_get(resource_by_letter(tag[0]), tag, state,
	    sizeof state, where, NULL) == STORE_OK && where[0] != '\0' &&
	    strcmp(where, loc) != 0)
		scan_say(sc, "ok", tag, _("%s: seen (%lld so far), but "
		    "recorded at %s — set it aside"), tag, count, where);
	else
		scan_say(sc, "ok", tag, _("%s: seen (%lld so far) — scan the "
		    "next item"), tag, count);
}

/* END AUDIT: expected against seen, in the verdict and the ledger. */
static void
scan_audit_end(struct scan *sc, const struct actor *a)
{
	char loc[TAG_LEN + 1];
	json_t *report, *d;
	long long id;

	if (strcmp(sc->mode, "audit") != 0 ||
	    json_object_get(sc->ctx, "audit") == NULL) {
		scan_say(sc, "refused", NULL, _("END AUDIT: no audit is open "
		    "at %s — scan a location in audit mode first"),
		    sc->station);
		return;
	}
	id = json_integer_value(json_object_get(sc->ctx, "audit"));
	snprintf(loc, sizeof loc, "%s", scan_ctx(sc, "location"));
	if (store_audit_report(id, loc, &report) != STORE_OK ||
	    store_audit_close(id, sc->at, report) != STORE_OK) {
		json_decref(report);
		scan_say(sc, "refused", loc, _("%s: the audit cannot be closed "
		    "— try again"), loc);
		return;
	}
	d = json_deep_copy(report);
	json_object_del(d, "seen_items");
	json_object_set_new(d, "audit", json_integer(id));
	store_ledger_add(a, loc, "audit", NULL, NULL, NULL, d);
	json_decref(d);
	json_object_clear(sc->ctx);
	scan_say(sc, "ok", loc, _("%s: audit closed — %lld seen, %zu missing, "
	    "%zu unexpected, %zu in the wrong place"), loc,
	    (long long)json_integer_value(json_object_get(report, "seen")),
	    json_array_size(json_object_get(report, "missing")),
	    json_array_size(json_object_get(report, "unexpected")),
	    json_array_size(json_object_get(report, "wrong_place")));
	json_object_set_new(sc->v, "report", report);
}

/*
 * May this CANCEL undo that scan (row: store_scan_last_ok's)? A
 * coordinator may undo any; anyone else only their own scan, made at
 * most SCAN_CANCEL_WINDOW seconds ago, and if their role may make the
 * effect it undoes. 0, or -1 with the refusal said.
 */
static int
scan_may_cancel(struct scan *sc, json_t *row, const char *item, int roles)
{
	const char *by = json_string_value(json_object_get(row, "actor"));
	const char *code = json_string_value(json_object_get(row, "code"));
	long long made = json_integer_value(json_object_get(row, "made_ms"));
	char who[128];

	if (sc->role & ROLE_COORDINATOR)
		return (0);
	if ((sc->role & roles) == 0) {
		scan_roles_or(roles | ROLE_COORDINATOR, who, sizeof who);
		scan_say(sc, "refused", item, _("%s: the %s role may not "
		    "cancel the last scan (%s): only a %s account may — ask a "
		    "coordinator"), item, auth_role_name(sc->role), code, who);
		return (-1);
	}
	if (by == NULL || strcmp(by, sc->actor) != 0) {
		scan_say(sc, "refused", item, _("%s: the last scan (%s) was "
		    "made by another operator: only a coordinator may cancel "
		    "it"), item, code);
		return (-1);
	}
	if (sc->ms - made > SCAN_CANCEL_WINDOW * 1000LL) {
		scan_say(sc, "refused", item, _("%s: the last scan (%s) was "
		    "made more than %d minutes ago: only a coordinator may "
		    "cancel it now"), item, code, SCAN_CANCEL_WINDOW / 60);
		return (-1);
	}
	return (0);
}

/* CANCEL: undo the last accepted scan at the station. */
static void
scan_cancel(struct scan *sc)
{
	json_t *row, *undo, *r, *a;
	const char *item;
	char *msg;
	int roles;

	if (store_scan_last_ok(sc->station, &row) != STORE_OK || row == NULL) {
		scan_say(sc, "refused", NULL, _("CANCEL: nothing to cancel at "
		    "%s — scan an item"), sc->station);
		return;
	}
	undo = json_object_get(row, "undo");
	item = json_string_value(json_object_get(row, "item"));
	if (!json_is_object(undo)) {
		scan_say(sc, "refused", item, _("%s: the last scan (%s) cannot "
		    "be cancelled from a station — ask at a desk"),
		    item != NULL ? item : sc->station, json_string_value(
		    json_object_get(row, "code")));
		json_decref(row);
		return;
	}
	/* What the undone scan did: a route's roles, or a context alone. */
	roles = json_integer_value(json_object_get(undo, "roles"));
	if (roles == 0)
		roles = ROLE_INVENTORY;
	if (scan_may_cancel(sc, row, item != NULL ? item : sc->station,
	    roles) != 0) {
		json_decref(row);
		return;
	}
	if ((r = json_object_get(undo, "request")) != NULL) {
		scan_call(sc, json_string_value(json_object_get(r, "method")),
		    json_string_value(json_object_get(r, "path")),
		    json_object_get(r, "body"), roles | ROLE_COORDINATOR,
		    N_("cancel the last scan"), &a, &msg);
		if (a == NULL) {
			if (msg != NULL)
				scan_say(sc, "refused", item, _("%s: cannot "
				    "be cancelled: %s — ask a coordinator"),
				    item, msg);
			free(msg);
			json_decref(row);
			return;
		}
		json_decref(a);
	}
	if ((r = json_object_get(undo, "unsee")) != NULL)
		store_audit_unsee(json_integer_value(json_object_get(r,
		    "audit")), json_string_value(json_object_get(r, "item")));
	json_object_clear(sc->ctx);
	json_object_update(sc->ctx, json_object_get(undo, "context"));
	store_scan_cancelled(json_integer_value(json_object_get(row, "id")));
	scan_say(sc, "ok", item, _("%s: last scan (%s) cancelled — scan "
	    "again"), item != NULL ? item : "-",
	    json_string_value(json_object_get(row, "code")));
	json_decref(row);
}

/* What the station's mode makes of a code. */
static void
scan_mode(struct scan *sc)
{
	json_t *before;

	if (scan_may_mode(sc) != 0)
		return;
	before = json_deep_copy(sc->ctx);
	if (strcmp(sc->mode, "receive") == 0)
		scan_receive(sc, before);
	else if (strcmp(sc->mode, "putaway") == 0)
		scan_putaway(sc, before);
	else if (strcmp(sc->mode, "pick") == 0)
		scan_pick(sc, before);
	else if (strcmp(sc->mode, "checkout") == 0)
		scan_checkout(sc, before);
	else if (strcmp(sc->mode, "return") == 0)
		scan_return(sc);
	else
		scan_audit(sc, before);
	json_decref(before);
}

/* A command barcode (KS:...): its text, or NULL. */
static void
scan_command(struct scan *sc)
{
	const struct actor a = { sc->actor, sc->station, sc->at };
	const struct scan_reason *r;
	const char *arg, *const *m;
	char *up;

	if (strncmp(sc->code, SCAN_MODE_PREFIX, strlen(SCAN_MODE_PREFIX)) ==
	    0) {
		arg = sc->code + strlen(SCAN_MODE_PREFIX);
		for (m = scan_modes; *m != NULL; m++) {
			up = scan_upper(*m);
			if (strcmp(up, arg) == 0) {
				free(up);
				break;
			}
			free(up);
		}
		if (*m == NULL)
			goto unknown;
		if (strcmp(*m, "checkout") == 0 && json_is_null(
		    json_object_get(sc->st, "distribution"))) {
			scan_say(sc, "refused", NULL, _("%s: checkout needs "
			    "the distribution the station serves — kitstock "
			    "station mode %s checkout --distribution E-..."),
			    sc->station, sc->station);
			return;
		}
		if (store_station_mode(&a, sc->station, sc->mode, *m, NULL) !=
		    STORE_OK) {
			scan_say(sc, "refused", NULL, _("%s: the mode cannot "
			    "be changed — try again"), sc->station);
			return;
		}
		json_object_clear(sc->ctx);
		sc->mode = *m;
		json_object_set_new(sc->v, "mode", json_string(*m));
		scan_say(sc, "ok", NULL, _("%s: now in %s mode — %s"),
		    sc->station, *m, _(scan_mode_hint(*m)));
		return;
	}
	if (strcmp(sc->code, SCAN_END_AUDIT) == 0) {
		scan_audit_end(sc, &a);
		return;
	}
	if (strcmp(sc->code, SCAN_CANCEL) == 0) {
		scan_cancel(sc);
		return;
	}
	if (strncmp(sc->code, SCAN_REASON_PREFIX,
	    strlen(SCAN_REASON_PREFIX)) == 0) {
		arg = sc->code + strlen(SCAN_REASON_PREFIX);
		for (r = scan_reasons; r->code != NULL; r++)
			if (strcmp(r->code, arg) == 0)
				break;
		if (r->code == NULL)
			goto unknown;
		if (strcmp(sc->mode, "return") != 0) {
			scan_say(sc, "refused", NULL, _("%s: a return reason "
			    "means nothing in %s mode — scan RETURN mode "
			    "first"), sc->station, sc->mode);
			return;
		}
		json_object_set_new(sc->ctx, "reason", json_string(
		    _(r->text)));
		scan_say(sc, "ok", NULL, _("return reason: %s — now scan what "
		    "comes back"), _(r->text));
		return;
	}
unknown:
	scan_say(sc, "refused", NULL, _("%s: an unknown command barcode — "
	    "print a new sheet (kitstock label commands)"), sc->code);
}

/* "receive" -> "RECEIVE" (allocated). */
char *
scan_upper(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	return (u);
}

/* What an operator does first in each mode. */
const char *
scan_mode_hint(const char *mode)
{
	if (strcmp(mode, "receive") == 0)
		return (N_("scan a blank tag or a unit's serial"));
	if (strcmp(mode, "putaway") == 0)
		return (N_("scan the location first"));
	if (strcmp(mode, "pick") == 0)
		return (N_("scan the kit first"));
	if (strcmp(mode, "checkout") == 0)
		return (N_("scan the convocation first"));
	if (strcmp(mode, "return") == 0)
		return (N_("scan the return reason first"));
	return (N_("scan the location to audit first"));
}

/* The role a station's USB scanners act with (ROLE_*). */
static int
scan_station_role(json_t *st)
{
	const char *role = json_string_value(json_object_get(st, "role"));

	return (role != NULL ? auth_role(role) : ROLE_WAREHOUSE);
}

/* A scan id for a scan that came without one. */
static void
scan_new_id(char *buf, size_t len)
{
	unsigned char r[8];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof r && (n = getrandom(r + got, sizeof r - got, 0)) >
	    0)
		got += n;
	snprintf(buf, len, "local-%lld-%02x%02x%02x%02x%02x%02x%02x%02x",
	    scan_now_ms(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

json_t *
scan_submit(const char *station, const char *code, const char *scan_id,
    const char *made_at, const char *source)
{
	return (scan_submit_as(station, code, scan_id, made_at, source,
	    made_at != NULL, source, SCAN_ROLE_STATION));
}

/*
 * scan_submit with who makes the change (for the ledger and CANCEL), the
 * role the scan acts with (ROLE_*, or SCAN_ROLE_STATION: the station's,
 * for its USB scanners) and whether the scan is provisional (queued by a
 * remote terminal while offline).
 */
json_t *
scan_submit_as(const char *station, const char *code, const char *scan_id,
    const char *made_at, const char *source, int provisional,
    const char *actor, int role)
{
	struct scan sc;
	struct actor a;
	char id[64], now[32];
	const char *ctx_at;
	long long ms, last, ctx_ms;
	json_t *v, *d;

	if (scan_id != NULL && store_scan_find(scan_id, &v) == STORE_OK &&
	    v != NULL) {
		json_object_set_new(v, "replayed", json_true());
		return (v);
	}
	memset(&sc, 0, sizeof sc);
	sc.station = station;
	sc.code = code;
	sc.actor = actor;
	store_now(now, sizeof now);
	sc.at = made_at != NULL ? made_at : now;
	ms = made_at != NULL ? scan_ms(made_at) : scan_now_ms();
	if (scan_id == NULL) {
		scan_new_id(id, sizeof id);
		scan_id = id;
	}
	sc.v = v = json_pack("{ss ss s:n ss ss s:n ss sb}", "scan_id",
	    scan_id, "station", station, "mode", "code", code, "verdict",
	    "refused", "item", "made_at", sc.at, "provisional", provisional);
	if (store_station_get(station, &sc.st) != STORE_OK) {
		json_object_set_new(v, "message", json_string(_("no such "
		    "station")));
		return (v);
	}
	sc.role = role;
	if (role == SCAN_ROLE_STATION)
		sc.role = scan_station_role(sc.st);
	sc.ms = ms;
	sc.mode = json_string_value(json_object_get(sc.st, "mode"));
	sc.location = json_string_value(json_object_get(sc.st, "location"));
	json_object_set_new(v, "mode", json_string(sc.mode));
	sc.ctx = json_deep_copy(json_object_get(sc.st, "context"));
	if (!json_is_object(sc.ctx)) {
		json_decref(sc.ctx);
		sc.ctx = json_object();
	}

	/* The same code again at once: the scanner's echo, not a scan. */
	if (scan_debounce_ms > 0 && store_scan_last_ms(station, code, &last) ==
	    STORE_OK && last >= 0 && ms >= last &&
	    ms - last < scan_debounce_ms) {
		scan_say(&sc, "ignored", NULL, _("%s: scanned again within "
		    "%.1f s — ignored, scan it once"), code,
		    scan_debounce_ms / 1000.0);
		goto record;
	}

	/* A context left idle too long is dropped. */
	ctx_at = json_string_value(json_object_get(sc.st, "context_at"));
	if (ctx_at != NULL && json_object_size(sc.ctx) > 0 &&
	    (ctx_ms = scan_ms(ctx_at)) >= 0 && ms - ctx_ms > scan_idle *
	    1000) {
		json_object_clear(sc.ctx);
		json_object_set_new(v, "context_expired", json_true());
	}

	if (strncmp(code, SCAN_PREFIX, strlen(SCAN_PREFIX)) == 0)
		scan_command(&sc);
	else
		scan_mode(&sc);
	if (store_station_context(station, sc.ctx, sc.at) != STORE_OK)
		log_warnx("scan at %s: the context is not recorded", station);
	if (strcmp(json_string_value(json_object_get(v, "verdict")), "ok") ==
	    0) {
		/* In the ledger when it was made (a queued scan, earlier). */
		a.name = actor;
		a.station = station;
		a.at = sc.at;
		d = json_pack("{ss ss ss ss}", "scan_id", scan_id, "code",
		    code, "source", source, "mode", sc.mode);
		store_ledger_add(&a, json_string_value(json_object_get(v,
		    "item")) != NULL ? json_string_value(json_object_get(v,
		    "item")) : station, "scan", NULL, sc.mode, NULL, d);
		json_decref(d);
	}
record:
	json_object_set(v, "context", sc.ctx);
	if (store_scan_add(station, v, ms, source, sc.undo, actor) != STORE_OK)
		log_warnx("scan at %s: not recorded", station);
	json_decref(sc.undo);
	json_decref(sc.ctx);
	json_decref(sc.st);
	return (v);
}

json_t *
scan_local(const char *station, const char *code, const char *source)
{
	json_t *v;

	if (store_begin() != STORE_OK) {
		log_warnx("scan at %s: the database is busy", station);
		return (json_pack("{ss ss ss ss}", "station", station, "code",
		    code, "verdict", "refused", "message",
		    _("the database is busy — scan again")));
	}
	v = scan_submit(station, code, NULL, NULL, source);
	if (store_commit() != STORE_OK) {
		http_committed(0);	/* no label for a scan not saved */
		json_object_set_new(v, "verdict", json_string("refused"));
		json_object_set_new(v, "message", json_string(_("the scan "
		    "could not be saved — scan again")));
		return (v);
	}
	stream_publish(station, "scan", v);
	http_committed(1);	/* labels it queued go to the printer */
	return (v);
}
