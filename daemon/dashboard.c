/*
 * The dashboard: a read-only page served by kitstockd itself (its HTML,
 * script and style are built into the binary, no external asset), under
 * a strict Content-Security-Policy; and the session a browser opens with a
 * token, kept in an HttpOnly cookie since neither a page load nor an
 * EventSource can send a bearer header. The cookie holds the session's own
 * random value, never the token.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "kitstockd.h"

#define DASHBOARD_CSP							\
	"default-src 'self'; script-src 'self'; style-src 'self';"	\
	" img-src 'self' data:; connect-src 'self'; font-src 'self';"	\
	" object-src 'none'; base-uri 'none'; form-action 'self';"	\
	" frame-ancestors 'none'"

static const struct field session_fields[] = {
	{ "token", FT_STRING, F_REQUIRED },
	{ NULL, 0, 0 }
};

/* Headers every page and asset carries. */
static void
dashboard_headers(struct req *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);

	evhttp_add_header(h, "Content-Security-Policy", DASHBOARD_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
}

/* GET /dashboard and /dashboard/{file}: the page and its assets. */
void
api_dashboard(struct req *req)
{
	const struct profile_file *f;
	const char *name = req->params[0] != NULL ? req->params[0] :
	    "index.html", *type, *dot;

	for (f = dashboard_builtin; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			break;
	if (f->name == NULL) {
		reply_error(req, 404, "no_such_endpoint", NULL,
		    _("there is no %s in this API"), name);
		return;
	}
	dot = strrchr(f->name, '.');
	if (dot != NULL && strcmp(dot, ".js") == 0)
		type = "text/javascript; charset=utf-8";
	else if (dot != NULL && strcmp(dot, ".css") == 0)
		type = "text/css; charset=utf-8";
	else
		type = "text/html; charset=utf-8";
	dashboard_headers(req);
	reply_bytes(req, 200, type, f->text, strlen(f->text));
}

/* The cookie header: the session's value, or empty to forget it. */
static void
dashboard_cookie(struct req *req, const char *value)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	char *cookie;

	xasprintf(&cookie, "%s=%s; Path=/;%s HttpOnly; SameSite=Strict%s",
	    AUTH_COOKIE, value != NULL ? value : "", value != NULL ? "" :
	    " Max-Age=0;", report_tls() ? "; Secure" : "");
	evhttp_add_header(h, "Set-Cookie", cookie);
	explicit_bzero(cookie, strlen(cookie));
	free(cookie);
}

/* DELETE /v1/session: sign out, the session's row gone with the cookie. */
static void
dashboard_sign_out(struct req *req)
{
	enum store_status status = STORE_NOTFOUND;
	int64_t id = 0;
	char *cookie;

	if ((cookie = auth_cookie(req)) != NULL) {
		status = store_session_sign_out(&req->actor, cookie, &id);
		explicit_bzero(cookie, strlen(cookie));
		free(cookie);
	}
	dashboard_cookie(req, NULL);
	if (status == STORE_NOTFOUND)
		reply_json(req, 200, json_pack("{sb sn}", "signed_out", 1,
		    "session"));
	else
		api_answer(req, status, 200, json_pack("{sb sI}", "signed_out",
		    1, "session", (json_int_t)id), "session");
}

/*
 * POST /v1/session {"token"}: a valid token of a role that may read every
 * route of the dashboard opens a session of its own (a random value, kept
 * hashed, auth.c and store-session.c), sent as an HttpOnly, SameSite=Strict
 * cookie (Secure under TLS) that reaches the dashboard's reads only.
 * DELETE /v1/session signs out.
 */
void
api_session(struct req *req)
{
	struct actor a = req->actor;
	const char *token, *p;
	char *name = NULL, *prescriber = NULL, *expired = NULL, *secret = NULL,
	    *actor = NULL, *expires_at = NULL;
	int role = 0, roles = auth_session_roles(SESSION_SCOPE_DASHBOARD);
	enum store_status status;
	int64_t id = 0;

	if (strcmp(req->route->method, "DELETE") == 0) {
		dashboard_sign_out(req);
		return;
	}
	if (req_fields(req, session_fields, 0) != 0)
		return;
	token = req_str(req, "token");
	for (p = token; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_", *p) == NULL)
			break;
	if (*p != '\0' || strlen(token) > 128) {
		reply_error(req, 400, "invalid_field", "token",
		    _("token is not a kitstock token (letters, digits, - and _ "
		    "only, as kitstock token add printed it)"));
		return;
	}
	status = store_token_find(token, &name, &role, &prescriber, &expired);
	if (status == STORE_NOTFOUND || expired != NULL) {
		reply_error(req, 401, "unauthorized", "token",
		    _("this token is not valid (unknown, revoked or expired): "
		    "ask a coordinator for a new one"));
		goto out;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, "token");
		goto out;
	}
	if ((role & roles) == 0) {
		reply_error(req, 403, "forbidden", "token",
		    _("token %s (role %s) cannot open the dashboard: it shows "
		    "what only %s may read; ask a coordinator for such a "
		    "token"), name, auth_role_name(role),
		    auth_roles_text(roles));
		goto out;
	}
	xasprintf(&actor, "token:%s", name);
	a.name = actor;
	secret = auth_secret("kss_");
	status = store_session_add(&a, secret, name, SESSION_SCOPE_DASHBOARD,
	    auth_session_lifetime(), auth_session_idle(), &id, &expires_at);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 401, "unauthorized", "token",
		    _("this token is not valid (unknown, revoked or expired): "
		    "ask a coordinator for a new one"));
		goto out;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, "token");
		goto out;
	}
	dashboard_cookie(req, secret);
	reply_json(req, 200, json_pack("{sI ss ss ss* ss ss si}", "session",
	    (json_int_t)id, "name", name, "role", auth_role_name(role),
	    "prescriber", prescriber, "scope", SESSION_SCOPE_DASHBOARD,
	    "expires_at", expires_at, "idle_seconds", auth_session_idle()));
out:
	if (secret != NULL)
		explicit_bzero(secret, strlen(secret));
	free(secret);
	free(actor);
	free(expires_at);
	free(name);
	free(prescriber);
	free(expired);
}
