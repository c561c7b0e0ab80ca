/*
 * Accessories (A-): chargers, mice, cables, bags. Not serialised: a tag per
 * kind, and counted stock per location, received, moved and adjusted in
 * quantities, each change in the ledger.
 */

#include <string.h>

#include "kitstockd.h"

static const struct field accessory_add_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "count", FT_INT, F_REQUIRED, NULL, 0, 1, 1000000 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field accessory_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ NULL }
};

static const struct field accessory_edit[] = {
	{ "name", FT_STRING, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field accessory_move_fields[] = {
	{ "from", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "to", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "count", FT_INT, F_REQUIRED, NULL, 0, 1, 1000000 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field accessory_adjust_fields[] = {
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "count", FT_INT, F_REQUIRED, NULL, 0, 0, 1000000 },
	{ "reason", FT_TEXT, F_REQUIRED },
	{ NULL }
};

static const char *const accessory_filters[] = { "name", NULL };

const struct resource res_accessory = {
	N_("accessory"), "accessories", 'A', "accessory", accessory_fields,
	accessory_edit, accessory_filters, NULL, 1, NULL, NULL
};

static int api_accessory_location(struct req *, const char *);

/* A location named in a field must exist. */
static int
api_accessory_location(struct req *req, const char *field)
{
	const char *tag = req_str(req, field);
	enum store_status status;
	int64_t id;

	if ((status = store_id_of("location", tag, &id)) == STORE_OK)
		return (0);
	if (status == STORE_NOTFOUND)
		reply_error(req, 404, "unknown_tag", field,
		    _("%s %s does not exist"), field, tag);
	else
		api_reply_store(req, status, tag);
	return (-1);
}

/* Answer with the accessory as it now stands. */
static void
api_accessory_reply(struct req *req, int code, const char *tag)
{
	enum store_status status;
	json_t *o;

	status = store_item_get(&res_accessory, tag, &o);
	api_answer(req, status, code, o, tag);
}

/*
 * POST /v1/accessories {"name", "location", "count"}: receive a quantity,
 * creating the kind (and its tag) the first time it is named.
 */
void
api_accessory_add(struct req *req)
{
	char tag[TAG_LEN + 1], to[32];
	const char *name, *loc;
	long long count, have;
	enum store_status status;
	json_t *vals, *details;
	int created = 0;

	if (req_fields(req, accessory_add_fields, 1) != 0 ||
	    api_accessory_location(req, "location") != 0)
		return;
	name = req_str(req, "name");
	loc = req_str(req, "location");
	req_int(req, "count", &count);
	status = store_accessory_find(name, tag);
	if (status == STORE_NOTFOUND) {
		vals = json_pack("{ss}", "name", name);
		status = store_item_add(&res_accessory, &req->actor, vals,
		    tag);
		json_decref(vals);
		created = 1;
	}
	if (status == STORE_OK)
		status = store_accessory_count(tag, loc, &have);
	if (status == STORE_OK)
		status = store_accessory_set(tag, loc, have + count);
	if (status == STORE_OK) {
		snprintf(to, sizeof to, "%lld", have + count);
		details = json_pack("{ss sI}", "location", loc, "count",
		    (json_int_t)count);
		status = store_ledger_add(&req->actor, tag, "receive", NULL,
		    to, req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, name);
		return;
	}
	api_accessory_reply(req, created ? 201 : 200, tag);
}

/* POST /v1/accessories/{tag}/moves {"from", "to", "count"} */
void
api_accessory_move(struct req *req)
{
	char tag[TAG_LEN + 1];
	const char *from, *to;
	long long count, have, there;
	enum store_status status;
	int64_t id;
	json_t *details;

	if (req_tag(req, 0, 'A', tag) != 0 ||
	    req_fields(req, accessory_move_fields, 1) != 0 ||
	    api_accessory_location(req, "from") != 0 ||
	    api_accessory_location(req, "to") != 0)
		return;
	from = req_str(req, "from");
	to = req_str(req, "to");
	req_int(req, "count", &count);
	if (strcmp(from, to) == 0) {
		reply_error(req, 400, "invalid_field", "to",
		    _("from and to are the same location (%s)"), to);
		return;
	}
	if ((status = store_id_of("accessory", tag, &id)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	if ((status = store_accessory_count(tag, from, &have)) != STORE_OK ||
	    (status = store_accessory_count(tag, to, &there)) != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	if (have < count) {
		reply_error(req, 409, "not_enough", "count",
		    _("only %lld of %s at %s: cannot move %lld"), have, tag,
		    from, count);
		return;
	}
	if ((status = store_accessory_set(tag, from, have - count)) ==
	    STORE_OK)
		status = store_accessory_set(tag, to, there + count);
	if (status == STORE_OK) {
		details = json_pack("{sI}", "count", (json_int_t)count);
		status = store_ledger_add(&req->actor, tag, "move", from, to,
		    req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	api_accessory_reply(req, 200, tag);
}

/* POST /v1/accessories/{tag}/adjust {"location", "count", "reason"} */
void
api_accessory_adjust(struct req *req)
{
	char tag[TAG_LEN + 1], from[32], to[32];
	const char *loc;
	long long count, have;
	enum store_status status;
	int64_t id;
	json_t *details;

	if (req_tag(req, 0, 'A', tag) != 0 ||
	    req_fields(req, accessory_adjust_fields, 1) != 0 ||
	    api_accessory_location(req, "location") != 0)
		return;
	loc = req_str(req, "location");
	req_int(req, "count", &count);
	if ((status = store_id_of("accessory", tag, &id)) == STORE_OK)
		status = store_accessory_count(tag, loc, &have);
	if (status == STORE_OK && have != count) {
		status = store_accessory_set(tag, loc, count);
		snprintf(from, sizeof from, "%lld", have);
		snprintf(to, sizeof to, "%lld", count);
		details = json_pack("{ss}", "location", loc);
		if (status == STORE_OK)
			status = store_ledger_add(&req->actor, tag, "adjust",
			    from, to, req_str(req, "reason"), details);
		json_decref(details);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	api_accessory_reply(req, 200, tag);
}
