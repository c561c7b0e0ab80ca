/*
 * Kits (K-): what a beneficiary receives. A kit is allocated from a
 * beneficiary's diagnostic with a planned composition (device kinds, SIM
 * cards, counted accessories) and a contribution under the programme's
 * cap, then picked: each unit given by tag or scanned (serial, IMEI,
 * ICCID) must be in stock at the kit's location, of a planned kind, and in
 * no other kit. Units follow their lifecycle by flow only: picking
 * reserves a unit (in_stock -> reserved), completing the kit puts its
 * units in it (reserved -> in_kit), cancelling puts them back in stock;
 * checkout (api-distribution.c) hands them over. Accessories leave the
 * location's stock when picked and come back if the kit is cancelled.
 *
 * Each handler checks and changes as it goes: a refusal anywhere answers
 * an error and the dispatcher rolls the whole request back.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define KIT_ITEMS_MAX	20	/* units or accessories in one request */
#define KIT_LINE_MAX	10	/* of one kind in a plan */
#define STATE_LEN	32

static int api_kit_check(struct req *, int);
static int api_kit_take(struct req *, const char *, json_t **);
static int api_kit_devices(struct req *, json_t *, json_t *);
static int api_kit_accessories(struct req *, json_t *, json_t **);
static int api_kit_codes(struct req *, json_t *);
static int api_kit_load(struct req *, char *, json_t **);
static long long api_kit_count(json_t *, const char *, const char *,
	    const char *);
static json_t *api_kit_missing(const char *, char **);
static int api_kit_pick_unit(struct req *, const char *, json_t *,
	    const char *);
static int api_kit_pick_accessory(struct req *, const char *, json_t *,
	    json_t *);
static int api_kit_unpick_unit(struct req *, const char *, const char *);
static int api_kit_put_back(struct req *, const char *, json_t *,
	    const char *);
static void api_kit_reply(struct req *, int, const char *, int);

static const char *const kit_states[] = {
	"planned", "picking", "ready", "handed_over", "cancelled", "returned",
	NULL
};

const char *const kit_device_kinds[] = {
	"desktop", "laptop", "tablet", "smartphone", "4g-router", NULL
};

/* "devices" and "accessories" are checked by their own code. */
static const struct field kit_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "devices", FT_STRING, 0 },
	{ "sims", FT_INT, 0, NULL, 0, 0, 2 },
	{ "accessories", FT_STRING, 0 },
	{ "contribution", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ "state", FT_ENUM, 0, kit_states },	/* list filter only */
	{ "distribution", FT_TAG, 0, NULL, 'E' },	/* list filter only */
	{ NULL }
};

static const struct field kit_add_fields[] = {
	{ "beneficiary", FT_TAG, F_REQUIRED, NULL, 'B' },
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "devices", FT_STRING, 0 },
	{ "sims", FT_INT, 0, NULL, 0, 0, 2 },
	{ "accessories", FT_STRING, 0 },
	{ "contribution", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ NULL }
};

static const struct field kit_edit[] = {
	{ "contribution", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field kit_pick_fields[] = {
	{ "items", FT_STRING, 0 },
	{ "accessories", FT_STRING, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field kit_ready_fields[] = {
	{ NULL }
};

static const struct field kit_cancel_fields[] = {
	{ "reason", FT_TEXT, F_REQUIRED },
	{ NULL }
};

static const struct field kit_return_fields[] = {
	{ "reason", FT_TEXT, F_REQUIRED },
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ NULL }
};

static const char *const kit_filters[] = {
	"state", "beneficiary", "location", "distribution", NULL
};

const struct resource res_kit = {
	N_("kit"), "kits", 'K', "kit", kit_fields, kit_edit, kit_filters, NULL,
	1, api_kit_check, NULL
};

/*
 * A unit's state change made by a flow: the lifecycle must allow it as
 * one (LC_FLOW), with its ledger row.
 */
enum store_status
api_kit_flow(const struct actor *a, const struct resource *res,
    const char *tag, const char *from, const char *to, const char *reason,
    json_t *details)
{
	const struct transition *t;

	t = lifecycle_find(res->lc, from, to);
	if (t == NULL || (t->how & LC_FLOW) == 0) {
		log_warnx("%s: %s -> %s is not a flow of a %s", tag, from, to,
		    res->lc->name);
		return (STORE_CONFLICT);
	}
	return (store_unit_state(res, a, tag, from, to, reason, details));
}

/*
 * A contribution (cents) under the programme's cap (contribution-cap-eur
 * in the profile; none set means kits are free). On refusal 400 answered.
 */
int
api_kit_cap(struct req *req, const char *field, int64_t cents)
{
	char *value = NULL, *cause = NULL, a[32], b[32];
	int64_t cap = 0;
	enum store_status status;

	if ((status = store_programme_value("contribution-cap-eur", &value)) !=
	    STORE_OK) {
		api_reply_store(req, status, field);
		return (-1);
	}
	if (value != NULL && euros_parse(value, &cap, &cause) != 0) {
		log_warnx("contribution-cap-eur %s: %s", value, cause);
		free(cause);
		cap = 0;
	}
	free(value);
	if (cents <= cap)
		return (0);
	euros_format(cents, a, sizeof a);
	euros_format(cap, b, sizeof b);
	if (cap == 0)
		reply_error(req, 400, "over_cap", field,
		    _("%s %s €: the programme gives kits free (its cap is "
		    "0 €)"), field, a);
	else
		reply_error(req, 400, "over_cap", field,
		    _("%s %s € is over the programme's cap of %s €"), field, a,
		    b);
	return (-1);
}

/*
 * Resolve what a person typed or scanned (tag, serial, IMEI, ICCID) into
 * a device or a SIM card; on refusal the error is answered, naming field.
 */
int
api_kit_unit(struct req *req, const char *field, const char *code,
    struct item *it)
{
	char *cause;
	enum store_status status;
	json_t *cand, *o;

	if (tag_shaped(code) && tag_check(code, 0, NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_tag", field, "%s", cause);
		free(cause);
		return (-1);
	}
	status = store_resolve(code, it, &cand);
	if (status == STORE_CONFLICT) {
		xasprintf(&cause, _("%s matches %zu items: give the tag of "
		    "the one you mean"), code, json_array_size(cand));
		o = json_pack("{s{ss ss ss so}}", "error", "code", "ambiguous",
		    "field", field, "message", cause, "candidates", cand);
		free(cause);
		reply_json(req, 409, o);
		return (-1);
	}
	json_decref(cand);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", field,
		    _("nothing is registered as %s (tag, serial, IMEI or "
		    "ICCID)"), code);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, code);
		return (-1);
	}
	if (it->res->letter == 'A') {
		reply_error(req, 400, "wrong_kind", field,
		    _("%s is an accessory: accessories are given with their "
		    "count (accessories), not as units"), it->tag);
		return (-1);
	}
	if (it->res->lc == NULL) {
		reply_error(req, 400, "wrong_kind", field,
		    _("%s is a %s, not a device or a SIM card"), it->tag,
		    _(it->res->name));
		return (-1);
	}
	return (0);
}

/* PATCH: the contribution stays under the cap, until the hand-over. */
static int
api_kit_check(struct req *req, int create)
{
	char state[STATE_LEN], tag[TAG_LEN + 1];
	long long cents;
	json_t *k;
	enum store_status status;

	if (create || !req_int(req, "contribution", &cents))
		return (0);
	snprintf(tag, sizeof tag, "%s", req->params[0]);
	if ((status = store_kit_get(tag, &k)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	snprintf(state, sizeof state, "%s", json_string_value(
	    json_object_get(k, "state")));
	json_decref(k);
	if (strcmp(state, "planned") != 0 && strcmp(state, "picking") != 0 &&
	    strcmp(state, "ready") != 0) {
		reply_error(req, 409, "wrong_state", "contribution",
		    _("%s is %s: its contribution can no longer change"), tag,
		    state);
		return (-1);
	}
	return (api_kit_cap(req, "contribution", cents));
}

/* Take a field checked by our own code out of the body (before req_fields). */
static int
api_kit_take(struct req *req, const char *name, json_t **out)
{
	*out = NULL;
	if (req->body == NULL || (*out = json_object_get(req->body, name)) ==
	    NULL)
		return (0);
	json_incref(*out);
	json_object_del(req->body, name);
	return (1);
}

/* "devices": a list of device kinds; each is a line of the plan. */
static int
api_kit_devices(struct req *req, json_t *v, json_t *plan)
{
	const char *s;
	char *exp;
	size_t i;
	int k, n;
	json_t *e;

	if (json_is_string(v)) {
		e = json_array();
		json_array_append(e, v);
		v = e;
	} else if (json_is_array(v))
		json_incref(v);
	else {
		reply_error(req, 400, "invalid_type", "devices",
		    _("devices must be a list of device kinds, such as "
		    "[\"laptop\"]"));
		return (-1);
	}
	if (json_array_size(v) > 3) {
		reply_error(req, 400, "invalid_field", "devices",
		    _("devices must hold at most %d kinds"), 3);
		json_decref(v);
		return (-1);
	}
	json_array_foreach(v, i, e) {
		if ((s = json_string_value(e)) == NULL) {
			reply_error(req, 400, "invalid_type", "devices",
			    _("devices must be a list of device kinds, such as "
			    "[\"laptop\"]"));
			json_decref(v);
			return (-1);
		}
		for (k = 0; kit_device_kinds[k] != NULL; k++)
			if (strcmp(kit_device_kinds[k], s) == 0)
				break;
		if (kit_device_kinds[k] == NULL) {
			exp = NULL;
			for (k = 0; kit_device_kinds[k] != NULL; k++) {
				char *tmp;

				xasprintf(&tmp, "%s%s%s", exp != NULL ? exp :
				    "", exp != NULL ? ", " : "",
				    kit_device_kinds[k]);
				free(exp);
				exp = tmp;
			}
			reply_error(req, 400, "invalid_field", "devices",
			    _("devices: \"%s\" is not a kind of device: "
			    "expected one of %s"), s, exp);
			free(exp);
			json_decref(v);
			return (-1);
		}
		n = (int)api_kit_count(plan, "kind", s, "count");
		if (n == 0)
			json_array_append_new(plan, json_pack("{ss sn si}",
			    "kind", s, "accessory", "count", 1));
		else {
			json_t *line;
			size_t j;

			json_array_foreach(plan, j, line)
				if (strcmp(json_string_value(json_object_get(
				    line, "kind")), s) == 0)
					json_object_set_new(line, "count",
					    json_integer(n + 1));
		}
	}
	json_decref(v);
	return (0);
}

/*
 * "accessories": a list of accessory tags (one each) or of objects
 * {"accessory": tag, "count": n}; *out gets [{"accessory", "count"}].
 */
static int
api_kit_accessories(struct req *req, json_t *v, json_t **out)
{
	const char *tag;
	char *cause;
	long long count;
	size_t i, j;
	int64_t id;
	enum store_status status;
	json_t *e, *c;

	*out = NULL;
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > KIT_ITEMS_MAX) {
		reply_error(req, 400, "invalid_field", "accessories",
		    _("accessories must be a list of 1 to %d accessory tags, "
		    "or of {\"accessory\": tag, \"count\": n}"),
		    KIT_ITEMS_MAX);
		return (-1);
	}
	*out = json_array();
	json_array_foreach(v, i, e) {
		count = 1;
		if (json_is_object(e)) {
			tag = json_string_value(json_object_get(e,
			    "accessory"));
			c = json_object_get(e, "count");
			if (c != NULL && !json_is_integer(c))
				goto bad;
			if (c != NULL)
				count = json_integer_value(c);
			if (json_object_size(e) != (c != NULL ? 2u : 1u))
				goto bad;
		} else
			tag = json_string_value(e);
		if (tag == NULL)
			goto bad;
		if (count < 1 || count > KIT_LINE_MAX) {
			reply_error(req, 400, "invalid_field", "accessories",
			    _("accessories: count %lld for %s is out of range "
			    "(1 to %d)"), count, tag, KIT_LINE_MAX);
			goto fail;
		}
		if (tag_check(tag, 'A', NULL, NULL, &cause) != 0) {
			reply_error(req, 400, "invalid_field", "accessories",
			    "%s", cause);
			free(cause);
			goto fail;
		}
		for (j = 0; j < json_array_size(*out); j++)
			if (strcmp(tag, json_string_value(json_object_get(
			    json_array_get(*out, j), "accessory"))) == 0) {
				reply_error(req, 400, "invalid_field",
				    "accessories", _("accessories: %s is given "
				    "twice"), tag);
				goto fail;
			}
		if ((status = store_id_of("accessory", tag, &id)) != STORE_OK) {
			if (status == STORE_NOTFOUND)
				reply_error(req, 404, "unknown_tag",
				    "accessories", _("accessory %s does not "
				    "exist"), tag);
			else
				api_reply_store(req, status, tag);
			goto fail;
		}
		json_array_append_new(*out, json_pack("{ss sI}", "accessory",
		    tag, "count", (json_int_t)count));
	}
	return (0);
bad:
	reply_error(req, 400, "invalid_type", "accessories",
	    _("accessories must be a list of 1 to %d accessory tags, or of "
	    "{\"accessory\": tag, \"count\": n}"), KIT_ITEMS_MAX);
fail:
	json_decref(*out);
	*out = NULL;
	return (-1);
}

/* "items": a list of tags, serials, IMEIs or ICCIDs, as typed or scanned. */
static int
api_kit_codes(struct req *req, json_t *v)
{
	const char *s;
	size_t i, len;

	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > KIT_ITEMS_MAX)
		goto bad;
	for (i = 0; i < json_array_size(v); i++) {
		if ((s = json_string_value(json_array_get(v, i))) == NULL)
			goto bad;
		len = strlen(s);
		if (len == 0 || len > STRING_MAX || strcspn(s,
		    "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f"
		    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
		    "\x1d\x1e\x1f\x7f ") != len) {
			reply_error(req, 400, "invalid_field", "items",
			    _("items: \"%s\" is not a tag, serial, IMEI or "
			    "ICCID"), s);
			return (-1);
		}
	}
	return (0);
bad:
	reply_error(req, 400, "invalid_type", "items",
	    _("items must be a list of 1 to %d tags, serials, IMEIs or "
	    "ICCIDs"), KIT_ITEMS_MAX);
	return (-1);
}

/* The kit of the path, as its flows need it (404 answered if none). */
static int
api_kit_load(struct req *req, char *tag, json_t **k)
{
	enum store_status status;

	*k = NULL;
	if (req_tag(req, 0, 'K', tag) != 0)
		return (-1);
	if ((status = store_kit_get(tag, k)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	return (0);
}

/* Sum of countkey over the rows whose key is value (count 1 if no key). */
static long long
api_kit_count(json_t *rows, const char *key, const char *value,
    const char *countkey)
{
	const char *s;
	long long n = 0;
	size_t i;
	json_t *row, *c;

	json_array_foreach(rows, i, row) {
		s = json_string_value(json_object_get(row, key));
		if (s == NULL || strcmp(s, value) != 0)
			continue;
		c = countkey != NULL ? json_object_get(row, countkey) : NULL;
		n += c != NULL ? json_integer_value(c) : 1;
	}
	return (n);
}

/*
 * What a kit still lacks of its plan: [{"kind", "accessory", "name",
 * "missing"}], and as a sentence ("1 laptop, 1 Souris (A-...)") in *text
 * (allocated) if text is not NULL. NULL on a database error.
 */
static json_t *
api_kit_missing(const char *kit, char **text)
{
	json_t *plan, *units, *acc, *out, *line;
	const char *kind, *atag, *name;
	long long want, have;
	size_t i;
	FILE *f = NULL;
	size_t len;

	if (text != NULL)
		*text = NULL;
	plan = units = acc = NULL;
	if (store_kit_plan(kit, &plan) != STORE_OK ||
	    store_kit_units(kit, &units) != STORE_OK ||
	    store_kit_accessories(kit, &acc) != STORE_OK) {
		json_decref(plan);
		json_decref(units);
		json_decref(acc);
		return (NULL);
	}
	out = json_array();
	if (text != NULL && (f = open_memstream(text, &len)) == NULL)
		fatal("open_memstream");
	json_array_foreach(plan, i, line) {
		kind = json_string_value(json_object_get(line, "kind"));
		atag = json_string_value(json_object_get(line, "accessory"));
		name = json_string_value(json_object_get(line, "name"));
		want = json_integer_value(json_object_get(line, "count"));
		if (atag != NULL)
			have = api_kit_count(acc, "accessory", atag, "count");
		else
			have = api_kit_count(units, "kind", kind, NULL);
		if (have >= want)
			continue;
		json_array_append_new(out, json_pack("{ss so so sI}", "kind",
		    kind, "accessory", atag != NULL ? json_string(atag) :
		    json_null(), "name", name != NULL ? json_string(name) :
		    json_null(), "missing", (json_int_t)(want - have)));
		if (text == NULL)
			continue;
		if (json_array_size(out) > 1)
			fprintf(f, ", ");
		if (atag != NULL)
			fprintf(f, "%lld %s (%s)", want - have, name, atag);
		else
			fprintf(f, "%lld %s", want - have, kind);
	}
	if (text != NULL)
		fclose(f);
	json_decref(plan);
	json_decref(units);
	json_decref(acc);
	return (out);
}

/* Answer with the kit as it now stands, with what it lacks if asked. */
static void
api_kit_reply(struct req *req, int code, const char *tag, int missing)
{
	enum store_status status;
	json_t *o, *m;

	status = store_item_get(&res_kit, tag, &o);
	if (status == STORE_OK && missing) {
		if ((m = api_kit_missing(tag, NULL)) == NULL) {
			json_decref(o);
			status = STORE_ERROR;
		} else
			json_object_set_new(o, "missing", m);
	}
	api_answer(req, status, code, o, tag);
}

/*
 * POST /v1/kits {"beneficiary", "location", "devices", "sims",
 * "accessories", "contribution", "notes", "at"}: allocate a kit from the
 * beneficiary's diagnostic. Without devices or sims, the diagnostic's
 * needs are the plan; accessories add to it.
 */
void
api_kit_add(struct req *req)
{
	const char *ben, *loc, *need, *conn, *on;
	char tag[TAG_LEN + 1], kit[TAG_LEN + 1], state[STATE_LEN], day[11];
	char buf[32];
	long long sims = 0, contribution = 0;
	int64_t id;
	int has_dev, has_acc, explicit;
	size_t i;
	enum store_status status;
	json_t *devices, *accs = NULL, *acc, *needs = NULL, *plan, *line;
	json_t *details;

	has_dev = api_kit_take(req, "devices", &devices);
	has_acc = api_kit_take(req, "accessories", &acc);
	plan = json_array();
	if (req_fields(req, kit_add_fields, 1) != 0)
		goto out;
	ben = req_str(req, "beneficiary");
	loc = req_str(req, "location");
	/* Devices and SIM cards not given are the diagnostic's needs. */
	explicit = req_int(req, "sims", &sims);
	explicit = explicit || has_dev;
	if (has_dev && api_kit_devices(req, devices, plan) != 0)
		goto out;
	if (has_acc && api_kit_accessories(req, acc, &accs) != 0)
		goto out;
	req_int(req, "contribution", &contribution);

	if ((status = store_kit_needs(ben, &needs)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "beneficiary",
		    _("beneficiary %s does not exist"), ben);
		goto out;
	}
	if (status == STORE_OK && (status = store_id_of("location", loc,
	    &id)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "location",
		    _("location %s does not exist"), loc);
		goto out;
	}
	if (status == STORE_OK)
		status = store_kit_of(ben, kit, state, sizeof state);
	if (status != STORE_OK) {
		api_reply_store(req, status, ben);
		goto out;
	}
	if (kit[0] != '\0') {
		reply_error(req, 409, "has_kit", "beneficiary",
		    _("%s already has kit %s (%s): cancel it before allocating "
		    "another"), ben, kit, state);
		goto out;
	}
	/* A kit answers the needs a diagnostic found. */
	on = json_string_value(json_object_get(needs, "diagnosed_on"));
	need = json_string_value(json_object_get(needs, "device_need"));
	conn = json_string_value(json_object_get(needs, "connection_need"));
	if (on == NULL) {
		reply_error(req, 409, "no_diagnostic", "beneficiary",
		    _("%s has had no diagnostic: a kit is allocated from the "
		    "needs a diagnostic found; record it first"), ben);
		goto out;
	}
	if (strcmp(need, "none") == 0 && strcmp(conn, "none") == 0) {
		reply_error(req, 409, "no_need", "beneficiary",
		    _("%s's diagnostic of %s found no device or connection "
		    "need: there is no kit to allocate"), ben, on);
		goto out;
	}
	snprintf(day, sizeof day, "%.10s", req->actor.at != NULL ?
	    req->actor.at : "9999-12-31");
	if (strcmp(day, on) < 0) {
		reply_error(req, 409, "date_order", "at",
		    _("a kit for %s cannot be allocated on %s, before the "
		    "diagnostic of %s"), ben, day, on);
		goto out;
	}
	if (!explicit) {
		if (strcmp(need, "none") != 0)
			json_array_append_new(plan, json_pack("{ss sn si}",
			    "kind", need, "accessory", "count", 1));
		if (strcmp(conn, "4g-router") == 0)
			json_array_append_new(plan, json_pack("{ss sn si}",
			    "kind", "4g-router", "accessory", "count", 1));
		else if (strcmp(conn, "sim") == 0)
			sims = 1;
	}
	if (sims > 0)
		json_array_append_new(plan, json_pack("{ss sn sI}", "kind",
		    "sim", "accessory", "count", (json_int_t)sims));
	if (json_array_size(plan) == 0) {
		reply_error(req, 400, "empty_kit", "devices",
		    _("a kit holds at least a device or a SIM card: give "
		    "devices or sims"));
		goto out;
	}
	json_array_foreach(accs, i, line)
		json_array_append_new(plan, json_pack("{ss sO sO}", "kind",
		    "accessory", "accessory", json_object_get(line,
		    "accessory"), "count", json_object_get(line, "count")));
	if (api_kit_cap(req, "contribution", contribution) != 0)
		goto out;

	status = store_kit_add(ben, loc, contribution, req_str(req, "notes"),
	    req->actor.at, tag);
	json_array_foreach(plan, i, line) {
		if (status != STORE_OK)
			break;
		status = store_kit_plan_add(tag, json_string_value(
		    json_object_get(line, "kind")), json_string_value(
		    json_object_get(line, "accessory")), json_integer_value(
		    json_object_get(line, "count")));
	}
	if (status == STORE_OK) {
		euros_format(contribution, buf, sizeof buf);
		details = json_pack("{ss ss sO ss}", "beneficiary", ben,
		    "location", loc, "planned", plan, "contribution", buf);
		status = store_ledger_add(&req->actor, tag, "create", NULL,
		    "planned", NULL, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss sO}", "kit", tag, "planned", plan);
		status = store_ledger_add(&req->actor, ben, "kit_allocated",
		    NULL, tag, NULL, details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, ben);
		goto out;
	}
	api_kit_reply(req, 201, tag, 1);
out:
	json_decref(devices);
	json_decref(acc);
	json_decref(accs);
	json_decref(needs);
	json_decref(plan);
}

/* Pick one unit (already resolved) into a kit being picked. */
static int
api_kit_pick_unit(struct req *req, const char *kit, json_t *k,
    const char *code)
{
	struct item it;
	const char *state, *where, *kind, *here;
	char holder[TAG_LEN + 1], ben[TAG_LEN + 1];
	long long want, have;
	enum store_status status;
	json_t *u = NULL, *plan = NULL, *units = NULL, *details;
	int rc = -1;

	if (api_kit_unit(req, "items", code, &it) != 0)
		return (-1);
	if ((status = store_kit_holder(it.tag, holder, ben)) != STORE_OK)
		goto store;
	if (strcmp(holder, kit) == 0) {
		reply_error(req, 409, "in_kit", "items",
		    _("%s is already in %s"), it.tag, kit);
		return (-1);
	}
	if (holder[0] != '\0') {
		reply_error(req, 409, "in_other_kit", "items",
		    _("%s is already in kit %s (for %s): a unit is in one "
		    "kit at a time"), it.tag, holder, ben);
		return (-1);
	}
	if ((status = store_item_get(it.res, it.tag, &u)) != STORE_OK)
		goto store;
	state = json_string_value(json_object_get(u, "state"));
	where = json_string_value(json_object_get(u, "location"));
	here = json_string_value(json_object_get(k, "location"));
	kind = it.res->letter == 'S' ? "sim" :
	    json_string_value(json_object_get(u, "kind"));
	if (strcmp(state, "in_stock") != 0) {
		reply_error(req, 409, "wrong_state", "items",
		    _("%s is %s: only a unit in stock can be picked"), it.tag,
		    state);
		goto out;
	}
	if (where == NULL || strcmp(where, here) != 0) {
		reply_error(req, 409, "wrong_location", "items",
		    _("%s is at %s, not at %s where %s is picked: move it "
		    "there first"), it.tag, where != NULL ? where : "?", here,
		    kit);
		goto out;
	}
	if ((status = store_kit_plan(kit, &plan)) != STORE_OK ||
	    (status = store_kit_units(kit, &units)) != STORE_OK)
		goto store;
	want = api_kit_count(plan, "kind", kind, "count");
	have = api_kit_count(units, "kind", kind, NULL);
	if (want == 0) {
		reply_error(req, 409, "wrong_kind", "items",
		    _("%s is a %s: %s plans none"), it.tag, kind, kit);
		goto out;
	}
	if (have >= want) {
		reply_error(req, 409, "kit_full", "items",
		    _("%s already has the %lld %s planned: %s is one too "
		    "many"), kit, want, kind, it.tag);
		goto out;
	}
	status = store_kit_unit_add(kit, it.tag, req->actor.at);
	if (status == STORE_OK) {
		details = json_pack("{ss}", "kit", kit);
		status = api_kit_flow(&req->actor, it.res, it.tag, "in_stock",
		    "reserved", NULL, details);
		json_decref(details);
	}
	if (status != STORE_OK)
		goto store;
	rc = 0;
	goto out;
store:
	api_reply_store(req, status, it.tag);
out:
	json_decref(u);
	json_decref(plan);
	json_decref(units);
	return (rc);
}

/* Take a count of an accessory from the kit's location into the kit. */
static int
api_kit_pick_accessory(struct req *req, const char *kit, json_t *k,
    json_t *line)
{
	const char *atag, *loc, *name;
	char from[32], to[32];
	long long count, want, have, stock;
	enum store_status status;
	json_t *plan = NULL, *acc = NULL, *row, *details;
	size_t i;
	int rc = -1;

	atag = json_string_value(json_object_get(line, "accessory"));
	count = json_integer_value(json_object_get(line, "count"));
	loc = json_string_value(json_object_get(k, "location"));
	if ((status = store_kit_plan(kit, &plan)) != STORE_OK ||
	    (status = store_kit_accessories(kit, &acc)) != STORE_OK ||
	    (status = store_accessory_count(atag, loc, &stock)) != STORE_OK)
		goto store;
	want = api_kit_count(plan, "accessory", atag, "count");
	have = api_kit_count(acc, "accessory", atag, "count");
	name = atag;
	json_array_foreach(plan, i, row)
		if (json_string_value(json_object_get(row, "accessory")) !=
		    NULL && strcmp(json_string_value(json_object_get(row,
		    "accessory")), atag) == 0)
			name = json_string_value(json_object_get(row, "name"));
	if (want == 0) {
		reply_error(req, 409, "wrong_kind", "accessories",
		    _("%s plans no %s"), kit, atag);
		goto out;
	}
	if (have + count > want) {
		reply_error(req, 409, "kit_full", "accessories",
		    _("%s plans %lld %s (%s) and already has %lld: %lld more is "
		    "too many"), kit, want, name, atag, have, count);
		goto out;
	}
	if (stock < count) {
		reply_error(req, 409, "not_enough", "accessories",
		    _("only %lld %s (%s) at %s: cannot take %lld for %s"),
		    stock, name, atag, loc, count, kit);
		goto out;
	}
	status = store_accessory_set(atag, loc, stock - count);
	if (status == STORE_OK)
		status = store_kit_accessory_set(kit, atag, loc, have + count);
	if (status == STORE_OK) {
		snprintf(from, sizeof from, "%lld", stock);
		snprintf(to, sizeof to, "%lld", stock - count);
		details = json_pack("{ss ss sI}", "kit", kit, "location", loc,
		    "count", (json_int_t)count);
		status = store_ledger_add(&req->actor, atag, "pick", from, to,
		    NULL, details);
		json_decref(details);
	}
	if (status != STORE_OK)
		goto store;
	rc = 0;
	goto out;
store:
	api_reply_store(req, status, atag);
out:
	json_decref(plan);
	json_decref(acc);
	return (rc);
}

/*
 * POST /v1/kits/{tag}/pick {"items": [tag|serial|IMEI|ICCID],
 * "accessories": [...]}: fill a planned kit, each unit reserved for it.
 */
void
api_kit_pick(struct req *req)
{
	char tag[TAG_LEN + 1];
	const char *state;
	int has_items, has_acc;
	size_t i;
	enum store_status status;
	json_t *items, *acc, *accs = NULL, *k = NULL, *v, *details;

	has_items = api_kit_take(req, "items", &items);
	has_acc = api_kit_take(req, "accessories", &acc);
	if (api_kit_load(req, tag, &k) != 0 ||
	    req_fields(req, kit_pick_fields, 1) != 0)
		goto out;
	if (!has_items && !has_acc) {
		reply_error(req, 400, "missing_field", "items",
		    _("give the units to pick (items) or accessories"));
		goto out;
	}
	if ((has_items && api_kit_codes(req, items) != 0) ||
	    (has_acc && api_kit_accessories(req, acc, &accs) != 0))
		goto out;
	state = json_string_value(json_object_get(k, "state"));
	if (strcmp(state, "planned") != 0 && strcmp(state, "picking") != 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is %s: units are picked into a planned kit or one "
		    "being picked"), tag, state);
		goto out;
	}
	if (has_items) {
		json_array_foreach(items, i, v)
			if (api_kit_pick_unit(req, tag, k, json_string_value(v))
			    != 0)
				goto out;
	}
	json_array_foreach(accs, i, v)
		if (api_kit_pick_accessory(req, tag, k, v) != 0)
			goto out;
	if (strcmp(state, "planned") == 0) {
		details = json_pack("{ss}", "beneficiary", json_string_value(
		    json_object_get(k, "beneficiary")));
		status = store_kit_state(&req->actor, tag, "planned",
		    "picking", NULL, details);
		json_decref(details);
		if (status != STORE_OK) {
			api_reply_store(req, status, tag);
			goto out;
		}
	}
	api_kit_reply(req, 200, tag, 1);
out:
	json_decref(items);
	json_decref(acc);
	json_decref(accs);
	json_decref(k);
}

/* Put a unit of a kit back in stock (reserved or in_kit -> in_stock). */
static int
api_kit_unpick_unit(struct req *req, const char *kit, const char *tag)
{
	const struct resource *res = resource_by_letter(tag[0]);
	char state[STATE_LEN], loc[TAG_LEN + 1];
	enum store_status status;
	json_t *details;

	status = store_unit_get(res, tag, state, sizeof state, loc, NULL);
	if (status == STORE_OK)
		status = store_kit_unit_remove(tag, req->actor.at,
		    req_str(req, "reason"));
	if (status == STORE_OK) {
		details = json_pack("{ss}", "kit", kit);
		status = api_kit_flow(&req->actor, res, tag, state, "in_stock",
		    req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	return (0);
}

/* Give an accessory taken for a kit back to the stock it came from. */
static int
api_kit_put_back(struct req *req, const char *kit, json_t *row,
    const char *action)
{
	const char *atag, *loc;
	char from[32], to[32];
	long long count, stock;
	enum store_status status;
	json_t *details;

	atag = json_string_value(json_object_get(row, "accessory"));
	loc = json_string_value(json_object_get(row, "location"));
	count = json_integer_value(json_object_get(row, "count"));
	status = store_accessory_count(atag, loc, &stock);
	if (status == STORE_OK)
		status = store_accessory_set(atag, loc, stock + count);
	if (status == STORE_OK)
		status = store_kit_accessory_set(kit, atag, loc, 0);
	if (status == STORE_OK) {
		snprintf(from, sizeof from, "%lld", stock);
		snprintf(to, sizeof to, "%lld", stock + count);
		details = json_pack("{ss ss sI}", "kit", kit, "location", loc,
		    "count", (json_int_t)count);
		status = store_ledger_add(&req->actor, atag, action, from, to,
		    req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, atag);
		return (-1);
	}
	return (0);
}

/*
 * POST /v1/kits/{tag}/unpick {"items": [...], "accessories": [tags],
 * "reason"}: take units, or all of each accessory named, out of a kit not
 * yet handed over; they go back to stock, a ready kit is picked again.
 */
void
api_kit_unpick(struct req *req)
{
	struct item it;
	char tag[TAG_LEN + 1], holder[TAG_LEN + 1], ben[TAG_LEN + 1];
	const char *state, *atag;
	int has_items, has_acc, found;
	size_t i, j;
	enum store_status status;
	json_t *items, *acc, *accs = NULL, *k = NULL, *v, *have = NULL, *row;

	has_items = api_kit_take(req, "items", &items);
	has_acc = api_kit_take(req, "accessories", &acc);
	if (api_kit_load(req, tag, &k) != 0 ||
	    req_fields(req, kit_pick_fields, 1) != 0)
		goto out;
	if (!has_items && !has_acc) {
		reply_error(req, 400, "missing_field", "items",
		    _("give the units to take out (items) or accessories"));
		goto out;
	}
	if ((has_items && api_kit_codes(req, items) != 0) ||
	    (has_acc && api_kit_accessories(req, acc, &accs) != 0))
		goto out;
	state = json_string_value(json_object_get(k, "state"));
	if (strcmp(state, "planned") != 0 && strcmp(state, "picking") != 0 &&
	    strcmp(state, "ready") != 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is %s: units come out of a kit only before its "
		    "hand-over"), tag, state);
		goto out;
	}
	json_array_foreach(items, i, v) {
		if (api_kit_unit(req, "items", json_string_value(v), &it) != 0)
			goto out;
		if ((status = store_kit_holder(it.tag, holder, ben)) !=
		    STORE_OK) {
			api_reply_store(req, status, it.tag);
			goto out;
		}
		if (strcmp(holder, tag) != 0) {
			reply_error(req, 409, "not_in_kit", "items",
			    _("%s is not in %s"), it.tag, tag);
			goto out;
		}
		if (api_kit_unpick_unit(req, tag, it.tag) != 0)
			goto out;
	}
	if (accs != NULL &&
	    (status = store_kit_accessories(tag, &have)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	json_array_foreach(accs, i, v) {
		atag = json_string_value(json_object_get(v, "accessory"));
		found = 0;
		json_array_foreach(have, j, row) {
			if (strcmp(json_string_value(json_object_get(row,
			    "accessory")), atag) != 0)
				continue;
			found = 1;
			if (api_kit_put_back(req, tag, row, "unpick") != 0)
				goto out;
		}
		if (!found) {
			reply_error(req, 409, "not_in_kit", "accessories",
			    _("%s holds no %s"), tag, atag);
			goto out;
		}
	}
	if (strcmp(state, "ready") == 0 && (status = store_kit_state(
	    &req->actor, tag, "ready", "picking", req_str(req, "reason"),
	    NULL)) != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	api_kit_reply(req, 200, tag, 1);
out:
	json_decref(items);
	json_decref(acc);
	json_decref(accs);
	json_decref(have);
	json_decref(k);
}

/*
 * POST /v1/kits/{tag}/ready: picking is complete; every unit goes into the
 * kit (reserved -> in_kit).
 */
void
api_kit_ready(struct req *req)
{
	const char *state, *ben;
	char tag[TAG_LEN + 1], *text = NULL;
	size_t i;
	enum store_status status = STORE_OK;
	json_t *k = NULL, *missing = NULL, *units = NULL, *u, *details;

	if (api_kit_load(req, tag, &k) != 0 ||
	    (req->body != NULL && req_fields(req, kit_ready_fields, 1) != 0))
		goto out;
	state = json_string_value(json_object_get(k, "state"));
	ben = json_string_value(json_object_get(k, "beneficiary"));
	if (strcmp(state, "planned") == 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("nothing has been picked into %s yet"), tag);
		goto out;
	}
	if (strcmp(state, "picking") != 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is %s: only a kit being picked becomes ready"), tag,
		    state);
		goto out;
	}
	if ((missing = api_kit_missing(tag, &text)) == NULL) {
		api_reply_store(req, STORE_ERROR, tag);
		goto out;
	}
	if (json_array_size(missing) > 0) {
		reply_error(req, 409, "incomplete", "tag",
		    _("%s is not complete: still to pick %s"), tag, text);
		goto out;
	}
	if ((status = store_kit_units(tag, &units)) != STORE_OK)
		goto store;
	details = json_pack("{ss}", "kit", tag);
	json_array_foreach(units, i, u) {
		status = api_kit_flow(&req->actor, resource_by_letter(
		    json_string_value(json_object_get(u, "tag"))[0]),
		    json_string_value(json_object_get(u, "tag")), "reserved",
		    "in_kit", NULL, details);
		if (status != STORE_OK)
			break;
	}
	json_decref(details);
	if (status == STORE_OK) {
		details = json_pack("{ss}", "beneficiary", ben);
		status = store_kit_state(&req->actor, tag, "picking", "ready",
		    NULL, details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss}", "kit", tag);
		status = store_ledger_add(&req->actor, ben, "kit_ready", NULL,
		    tag, NULL, details);
		json_decref(details);
	}
store:
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	api_kit_reply(req, 200, tag, 0);
out:
	free(text);
	json_decref(k);
	json_decref(missing);
	json_decref(units);
}

/*
 * POST /v1/kits/{tag}/cancel {"reason"}: a kit not handed over is given
 * up; its units go back to stock, its accessories to the location.
 */
void
api_kit_cancel(struct req *req)
{
	const char *state, *ben;
	char tag[TAG_LEN + 1];
	size_t i;
	enum store_status status = STORE_OK;
	json_t *k = NULL, *units = NULL, *acc = NULL, *u, *details;

	if (api_kit_load(req, tag, &k) != 0 ||
	    req_fields(req, kit_cancel_fields, 1) != 0)
		goto out;
	state = json_string_value(json_object_get(k, "state"));
	ben = json_string_value(json_object_get(k, "beneficiary"));
	if (strcmp(state, "handed_over") == 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s was handed over: a wrong checkout is cancelled with "
		    "cancel-checkout, a kit given back with return"), tag);
		goto out;
	}
	if (strcmp(state, "cancelled") == 0 || strcmp(state, "returned") == 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is already %s"), tag, state);
		goto out;
	}
	if ((status = store_kit_units(tag, &units)) != STORE_OK ||
	    (status = store_kit_accessories(tag, &acc)) != STORE_OK)
		goto store;
	json_array_foreach(units, i, u)
		if (api_kit_unpick_unit(req, tag, json_string_value(
		    json_object_get(u, "tag"))) != 0)
			goto out;
	json_array_foreach(acc, i, u)
		if (api_kit_put_back(req, tag, u, "unpick") != 0)
			goto out;
	details = json_pack("{ss}", "beneficiary", ben);
	status = store_kit_state(&req->actor, tag, state, "cancelled",
	    req_str(req, "reason"), details);
	json_decref(details);
	if (status == STORE_OK) {
		details = json_pack("{ss}", "kit", tag);
		status = store_ledger_add(&req->actor, ben, "kit_cancelled",
		    NULL, tag, req_str(req, "reason"), details);
		json_decref(details);
	}
store:
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	api_kit_reply(req, 200, tag, 0);
out:
	json_decref(k);
	json_decref(units);
	json_decref(acc);
}

/*
 * POST /v1/kits/{tag}/return {"reason", "location"}: the beneficiary gives
 * the whole kit back; its devices and SIM cards are returned to the
 * location (devices go back to stock once their data is erased).
 */
void
api_kit_return(struct req *req)
{
	const struct resource *res;
	const char *state, *ben, *loc, *utag, *ustate;
	char tag[TAG_LEN + 1], from[STATE_LEN], where[TAG_LEN + 1];
	char open[32];
	size_t i;
	int64_t id;
	enum store_status status = STORE_OK;
	json_t *k = NULL, *units = NULL, *u, *details;

	if (api_kit_load(req, tag, &k) != 0 ||
	    req_fields(req, kit_return_fields, 1) != 0)
		goto out;
	state = json_string_value(json_object_get(k, "state"));
	ben = json_string_value(json_object_get(k, "beneficiary"));
	loc = req_str(req, "location");
	if ((status = store_id_of("location", loc, &id)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "location",
		    _("location %s does not exist"), loc);
		goto out;
	}
	if (status != STORE_OK)
		goto store;
	if (strcmp(state, "handed_over") != 0) {
		reply_error(req, 409, "wrong_state", "tag",
		    _("%s is %s: only a kit handed over can be given back"),
		    tag, state);
		goto out;
	}
	if ((status = store_kit_units(tag, &units)) != STORE_OK)
		goto store;
	json_array_foreach(units, i, u) {
		utag = json_string_value(json_object_get(u, "tag"));
		ustate = json_string_value(json_object_get(u, "state"));
		if ((status = store_repair_open_of(utag, open, sizeof open)) !=
		    STORE_OK)
			goto store;
		if (open[0] != '\0') {
			reply_error(req, 409, "in_repair", "tag",
			    _("%s of %s is in repair (ticket %s): close the "
			    "ticket first"), utag, tag, open);
			goto out;
		}
		if (strcmp(ustate, "handed_over") != 0 &&
		    strcmp(ustate, "active") != 0 &&
		    strcmp(ustate, "suspended") != 0) {
			reply_error(req, 409, "wrong_state", "tag",
			    _("%s of %s is %s: it cannot be given back with "
			    "the kit"), utag, tag, ustate);
			goto out;
		}
	}
	details = json_pack("{ss ss}", "kit", tag, "beneficiary", ben);
	json_array_foreach(units, i, u) {
		utag = json_string_value(json_object_get(u, "tag"));
		ustate = json_string_value(json_object_get(u, "state"));
		res = resource_by_letter(utag[0]);
		status = store_kit_unit_remove(utag, req->actor.at, "returned");
		if (status == STORE_OK)
			status = api_kit_flow(&req->actor, res, utag, ustate,
			    "returned", req_str(req, "reason"), details);
		if (status == STORE_OK)
			status = store_unit_get(res, utag, from, sizeof from,
			    where, NULL);
		if (status == STORE_OK && strcmp(where, loc) != 0)
			status = store_unit_move(res, &req->actor, utag, where,
			    loc, req_str(req, "reason"));
		if (status != STORE_OK)
			break;
	}
	json_decref(details);
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "beneficiary", ben, "location",
		    loc);
		status = store_kit_state(&req->actor, tag, "handed_over",
		    "returned", req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status == STORE_OK) {
		details = json_pack("{ss ss}", "kit", tag, "location", loc);
		status = store_ledger_add(&req->actor, ben, "kit_returned",
		    NULL, tag, req_str(req, "reason"), details);
		json_decref(details);
	}
store:
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		goto out;
	}
	api_kit_reply(req, 200, tag, 0);
out:
	json_decref(k);
	json_decref(units);
}
