/*
 * Generic handlers for resources: create, show, list, edit, and the verbs
 * that act on any tag (lookup, history). Each resource file gives its field
 * tables and hooks; the route table gives the resource.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static const struct resource *const resources[] = {
	&res_supplier, &res_location, &res_lot, &res_device, &res_sim,
	&res_accessory, &res_prescriber, &res_beneficiary, &res_offer,
	&res_kit, &res_distribution, NULL
};

static int api_item_refs(struct req *, const struct field *);
static int api_item_filters(struct req *, const struct resource *,
	    json_t **);

/* The resource whose tags start with letter, or NULL. */
const struct resource *
resource_by_letter(char letter)
{
	int i;

	for (i = 0; resources[i] != NULL; i++)
		if (resources[i]->letter == letter)
			return (resources[i]);
	return (NULL);
}

/* Answer a store failure with a status and a sentence. */
void
api_reply_store(struct req *req, enum store_status status, const char *what)
{
	const char *gone;

	switch (status) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		reply_error(req, 404, "unknown_tag", "tag",
		    _("%s does not exist"), what);
		break;
	case STORE_EXISTS:
		reply_error(req, 409, "duplicate", NULL,
		    _("%s: an item with the same identifier is already "
		    "registered"), what);
		break;
	case STORE_INVALID:
	case STORE_CONFLICT:
		reply_error(req, 409, "conflict", NULL,
		    _("%s: this change conflicts with the data already "
		    "recorded"), what);
		break;
	case STORE_BUSY:
		reply_error(req, 503, "busy", NULL,
		    _("the database is busy; try again in a moment"));
		break;
	case STORE_FULL:
		reply_error(req, 503, "disk_full", NULL,
		    _("the disk is full: nothing was recorded; free some "
		    "space and try again"));
		break;
	case STORE_READONLY:
		if ((gone = store_gone()) != NULL) {
			reply_error(req, 503, "database_moved", NULL, "%s",
			    gone);
			break;
		}
		reply_error(req, 503, "read_only", NULL,
		    _("the database cannot be written: nothing was recorded; "
		    "reading still works"));
		break;
	case STORE_ERROR:
		reply_error(req, 500, "internal", NULL,
		    _("database error: nothing was recorded"));
		break;
	}
}

/* Reply o (stolen) with code if the store said OK, else its error. */
void
api_answer(struct req *req, enum store_status status, int code, json_t *o,
    const char *what)
{
	if (status != STORE_OK) {
		json_decref(o);
		api_reply_store(req, status, what);
		return;
	}
	reply_json(req, code, o);
}

/* Every tag a request refers to must exist (404 naming the field). */
static int
api_item_refs(struct req *req, const struct field *fields)
{
	const struct field *f;
	const struct resource *ref;
	const char *tag;
	enum store_status status;
	int64_t id;

	for (f = fields; f->name != NULL; f++) {
		if (f->type != FT_TAG || (tag = req_str(req, f->name)) == NULL)
			continue;
		if ((ref = resource_by_letter(f->letter)) == NULL)
			continue;
		status = store_id_of(ref->table, tag, &id);
		if (status == STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_tag", f->name,
			    _("%s %s does not exist"), f->name, tag);
			return (-1);
		}
		if (status != STORE_OK) {
			api_reply_store(req, status, tag);
			return (-1);
		}
	}
	return (0);
}

/* POST /v1/<resources> */
void
api_item_add(struct req *req)
{
	const struct resource *res = req->route->res;
	char tag[TAG_LEN + 1];
	enum store_status status;
	json_t *o;

	if (req_fields(req, res->fields, res->effective) != 0 ||
	    api_item_refs(req, res->fields) != 0)
		return;
	if (res->check != NULL && res->check(req, 1) != 0)
		return;
	status = store_item_add(res, &req->actor, req->vals, tag);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", NULL,
		    _("this %s is already registered (same name or "
		    "identifier)"), _(res->name));
		return;
	}
	if (status == STORE_OK && res->added != NULL)
		status = res->added(req, tag);
	if (req->status != 0)
		return;
	o = NULL;
	if (status == STORE_OK)
		status = store_item_get(res, tag, &o);
	api_answer(req, status, 201, o, tag);
}

/* GET /v1/<resources>/{tag} */
void
api_item_show(struct req *req)
{
	const struct resource *res = req->route->res;
	char tag[TAG_LEN + 1];
	enum store_status status;
	json_t *o;

	if (req_tag(req, 0, res->letter, tag) != 0)
		return;
	status = store_item_get(res, tag, &o);
	api_answer(req, status, 200, o, tag);
}

/* Query filters checked against the resource: known names, valid values. */
static int
api_item_filters(struct req *req, const struct resource *res, json_t **out)
{
	const struct field *f;
	const char *v, *name;
	char *cause;
	int i;

	*out = json_object();
	for (i = 0; res->filters != NULL && res->filters[i] != NULL; i++) {
		name = res->filters[i];
		if ((v = req_query(req, name)) == NULL)
			continue;
		if (strcmp(name, "state") == 0 && res->lc != NULL &&
		    !lifecycle_known(res->lc, v)) {
			reply_error(req, 400, "invalid_field", "state",
			    _("state \"%s\" is not a state of a %s"), v,
			    _(res->name));
			goto fail;
		}
		if (strcmp(name, "territory") == 0 &&
		    api_beneficiary_territory_code(req, name, v) != 0)
			goto fail;
		for (f = res->fields; f->name != NULL; f++) {
			if (strcmp(f->name, name) != 0)
				continue;
			if (f->type == FT_ENUM) {
				json_t *tmp, *nv;

				tmp = json_string(v);
				if (req_value(req, f, tmp, &nv) != 0) {
					json_decref(tmp);
					goto fail;
				}
				json_decref(tmp);
				json_decref(nv);
			} else if (f->type == FT_TAG &&
			    tag_check(v, f->letter, NULL, NULL, &cause) != 0) {
				reply_error(req, 400, "invalid_field", name,
				    "%s", cause);
				free(cause);
				goto fail;
			}
		}
		json_object_set_new(*out, name, json_string(v));
	}
	return (0);
fail:
	json_decref(*out);
	*out = NULL;
	return (-1);
}

/* GET /v1/<resources>?filter=value&after=TAG&limit=N */
void
api_item_list(struct req *req)
{
	const struct resource *res = req->route->res;
	const char *after;
	long long limit;
	unsigned long seq = 0;
	char *cause;
	json_t *filters, *o;
	enum store_status status;

	if (req_limit(req, &limit, &after) != 0)
		return;
	if (after != NULL && tag_check(after, res->letter, NULL, &seq,
	    &cause) != 0) {
		reply_error(req, 400, "invalid_field", "after", "%s", cause);
		free(cause);
		return;
	}
	if (api_item_filters(req, res, &filters) != 0)
		return;
	status = store_item_list(res, filters, (int64_t)seq, limit, &o);
	json_decref(filters);
	api_answer(req, status, 200, o, res->path);
}

/* PATCH /v1/<resources>/{tag}: corrections, each recorded old -> new. */
void
api_item_edit(struct req *req)
{
	const struct resource *res = req->route->res;
	char tag[TAG_LEN + 1];
	enum store_status status;
	json_t *changed, *o;

	if (req_tag(req, 0, res->letter, tag) != 0 ||
	    req_fields(req, res->edit, 0) != 0 ||
	    api_item_refs(req, res->edit) != 0)
		return;
	if (res->check != NULL && res->check(req, 0) != 0)
		return;
	if (json_object_size(req->vals) == 0 ||
	    (json_object_size(req->vals) == 1 &&
	    json_object_get(req->vals, "reason") != NULL)) {
		reply_error(req, 400, "missing_field", NULL,
		    _("nothing to edit: give at least one field to change"));
		return;
	}
	status = store_item_edit(res, &req->actor, tag, req->vals, &changed);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", NULL,
		    _("%s: another %s already has this value"), tag,
		    _(res->name));
		json_decref(changed);
		return;
	}
	if (status == STORE_OK)
		status = store_item_get(res, tag, &o);
	if (status != STORE_OK) {
		json_decref(changed);
		api_reply_store(req, status, tag);
		return;
	}
	json_object_set_new(o, "changed", changed);
	reply_json(req, 200, o);
}

/* GET /v1/items/{q}: a tag, serial, IMEI or ICCID. */
void
api_lookup(struct req *req)
{
	const char *q = req->params[0];
	char *cause;
	struct item it;
	json_t *cand, *o;
	enum store_status status;

	if (tag_shaped(q) && tag_check(q, 0, NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_tag", "tag", "%s", cause);
		free(cause);
		return;
	}
	status = store_resolve(q, &it, &cand);
	if (status == STORE_CONFLICT) {
		o = json_pack("{s{ss ss ss so}}", "error", "code", "ambiguous",
		    "field", "q", "message", "", "candidates", cand);
		xasprintf(&cause, _("%s matches %zu items: give the tag of "
		    "the one you mean"), q, json_array_size(cand));
		json_object_set_new(json_object_get(o, "error"), "message",
		    json_string(cause));
		free(cause);
		reply_json(req, 409, o);
		return;
	}
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "tag",
		    _("nothing is registered as %s (tag, serial, IMEI or "
		    "ICCID)"), q);
		return;
	}
	if (status == STORE_OK)
		status = store_item_get(it.res, it.tag, &o);
	if (status != STORE_OK) {
		api_reply_store(req, status, q);
		return;
	}
	json_object_set_new(o, "type", json_string(it.res->table));
	reply_json(req, 200, o);
}

/* GET /v1/history/{tag}: an item's whole life from the ledger. */
void
api_history(struct req *req)
{
	const char *q = req->params[0];
	char *cause;
	struct item it;
	json_t *cand, *rows;
	enum store_status status;

	if (tag_check(q, 0, NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_tag", "tag", "%s", cause);
		free(cause);
		return;
	}
	status = store_resolve(q, &it, &cand);
	json_decref(cand);
	if (status == STORE_OK)
		status = store_ledger_history(it.tag, &rows);
	if (status != STORE_OK) {
		api_reply_store(req, status, q);
		return;
	}
	reply_json(req, 200, json_pack("{ss so}", "tag", it.tag, "history",
	    rows));
}
