/*
 * Browser sessions for coordinators: the sessions that hold (who, role,
 * scope, the token that opened each, last use, ends), and ending one or
 * all of them. Signing in and out is the dashboard's (dashboard.c).
 */

#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

/* GET /v1/sessions */
void
api_session_list(struct req *req)
{
	enum store_status status;
	json_t *o = NULL;

	status = store_session_list(auth_session_idle(), &o);
	api_answer(req, status, 200, json_pack("{so si si}", "sessions",
	    o != NULL ? o : json_array(), "idle_seconds",
	    auth_session_idle(), "lifetime_seconds",
	    auth_session_lifetime()), "sessions");
}

/* DELETE /v1/sessions/{id}, DELETE /v1/sessions (all of them) */
void
api_session_end(struct req *req)
{
	enum store_status status;
	long long id;
	char *end;
	int n = 0;

	if (req->params[0] == NULL) {
		status = store_session_end_all(&req->actor, &n);
		api_answer(req, status, 200, json_pack("{si}", "ended", n),
		    "sessions");
		return;
	}
	id = strtoll(req->params[0], &end, 10);
	if (*req->params[0] == '\0' || *end != '\0' || id <= 0) {
		/* Not echoed: the bytes may be anything. */
		reply_error(req, 404, "unknown_session", "id",
		    _("a session is named by its number (kitstock session "
		    "list shows them)"));
		return;
	}
	status = store_session_end(&req->actor, id, "ended by a coordinator");
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_session", "id",
		    _("no open session is numbered %lld (kitstock session list "
		    "shows them)"), id);
		return;
	}
	api_answer(req, status, 200, json_pack("{sI si}", "id", (json_int_t)id,
	    "ended", 1), req->params[0]);
}
