/*
 * The dashboard: a read-only page served by kitstockd itself (its HTML,
 * script and style are built into the binary, no external asset), under
 * a strict Content-Security-Policy; and the session a browser gets by
 * exchanging a token for an HttpOnly cookie, since neither a page load nor
 * an EventSource can send a bearer header.
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

/*
 * POST /v1/session {"token"}: a valid token becomes an HttpOnly,
 * SameSite=Strict cookie (Secure under TLS) that auth.c accepts as the
 * token, for reading only. DELETE /v1/session forgets it.
 */
void
api_session(struct req *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	const char *token, *p;
	char *name = NULL, *prescriber = NULL, *expired = NULL, *cookie;
	int role = 0, secure = report_tls();
	enum store_status status;

	if (strcmp(req->route->method, "DELETE") == 0) {
		xasprintf(&cookie, "%s=; Path=/; Max-Age=0; HttpOnly; "
		    "SameSite=Strict%s", AUTH_COOKIE, secure ? "; Secure" : "");
		evhttp_add_header(h, "Set-Cookie", cookie);
		free(cookie);
		reply_json(req, 200, json_pack("{sb}", "signed_out", 1));
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
	xasprintf(&cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
	    AUTH_COOKIE, token, secure ? "; Secure" : "");
	evhttp_add_header(h, "Set-Cookie", cookie);
	free(cookie);
	reply_json(req, 200, json_pack("{ss ss ss*}", "name", name, "role",
	    auth_role_name(role), "prescriber", prescriber));
out:
	free(name);
	free(prescriber);
	free(expired);
}
