/*
 * Tokens for TCP clients (coordinators create and revoke them; the secret is
 * shown once), and the route table with the roles each route allows.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kitstockd.h"

static const char *const token_roles[] = {
	"warehouse", "distribution", "coordinator", "prescriber", "evaluator",
	NULL
};

static const struct field token_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "role", FT_ENUM, F_REQUIRED, token_roles },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "expires", FT_DATE, 0 },
	{ NULL }
};

/* POST /v1/tokens {"name", "role", "prescriber", "expires"} */
void
api_token_add(struct req *req)
{
	const char *name, *p, *expires, *prescriber;
	char *secret, today[11];
	time_t t = time(NULL);
	struct tm tm;
	enum store_status status;
	int64_t id;
	int role;

	if (req_fields(req, token_fields, 0) != 0)
		return;
	name = req_str(req, "name");
	for (p = name; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
		    *p != '-' && *p != '_' && *p != '.') {
			reply_error(req, 400, "invalid_field", "name",
			    _("token name \"%s\": use lower-case letters, digits, "
			    "'-', '_' and '.'"), name);
			return;
		}
	role = auth_role(req_str(req, "role"));
	prescriber = req_str(req, "prescriber");
	if ((role == ROLE_PRESCRIBER) != (prescriber != NULL)) {
		reply_error(req, 400, "invalid_field", "prescriber",
		    _("a prescriber token names its prescriber (P- tag), and "
		    "only a prescriber token does"));
		return;
	}
	if (prescriber != NULL && (status = store_id_of("prescriber",
	    prescriber, &id)) != STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "prescriber",
			    _("prescriber %s does not exist"), prescriber);
		else
			api_reply_store(req, status, prescriber);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	if ((expires = req_str(req, "expires")) != NULL &&
	    strcmp(expires, today) <= 0) {
		reply_error(req, 400, "invalid_field", "expires",
		    _("expires %s: the date must be after today"), expires);
		return;
	}
	secret = auth_secret("ks_");
	status = store_token_add(&req->actor, name, role, prescriber, expires,
	    &secret);
	if (status == STORE_EXISTS)
		reply_error(req, 409, "duplicate", "name",
		    _("a token named %s already exists: revoke it or choose "
		    "another name"), name);
	else if (status != STORE_OK)
		api_reply_store(req, status, name);
	else
		reply_json(req, 201, json_pack("{ss ss ss* ss* ss ss}",
		    "name", name, "role", auth_role_name(role), "prescriber",
		    prescriber, "expires", expires, "token", secret, "note",
		    _("this token is shown once: store it now")));
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

/* GET /v1/tokens */
void
api_token_list(struct req *req)
{
	enum store_status status;
	json_t *o = NULL;

	status = store_token_list(&o);
	api_answer(req, status, 200, json_pack("{so}", "tokens",
	    o != NULL ? o : json_array()), "tokens");
}

/* DELETE /v1/tokens/{name} */
void
api_token_revoke(struct req *req)
{
	enum store_status status;

	status = store_token_revoke(&req->actor, req->params[0]);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_token", "name",
		    _("no active token is named %s"), req->params[0]);
		return;
	}
	api_answer(req, status, 200, json_pack("{ss sb}", "name",
	    req->params[0], "revoked", 1), req->params[0]);
}

/* GET /v1/routes: every route and the roles it allows. */
void
api_routes(struct req *req)
{
	const struct route *r;
	json_t *a;

	a = json_array();
	for (r = route_table; r->method != NULL; r++)
		json_array_append_new(a, json_pack("{ss ss ss sb}", "method",
		    r->method, "path", r->pattern, "roles",
		    (r->roles & ROLE_PUBLIC) ? "public" :
		    auth_roles_text(r->roles != 0 ? r->roles : ROLE_COORDINATOR),
		    "writes", r->write));
	reply_json(req, 200, json_pack("{so}", "routes", a));
}
