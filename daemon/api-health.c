/*
 * Monitoring and reference data: /v1/health, the programme profile, and the
 * communes with their territories.
 */

#include <time.h>

#include "kitstockd.h"

static time_t api_started;

/* GET /v1/health: 200 when the database can be written, 503 if not. */
void
api_health(struct req *req)
{
	int writable = store_writable();
	long long writes, commits;

	if (api_started == 0)
		api_started = time(NULL);
	http_stats(&writes, &commits);
	reply_json(req, writable ? 200 : 503, json_pack("{ss ss si ss sI sI sI}",
	    "status", writable ? "ok" : "degraded", "version", VERSION,
	    "schema_version", store_schema_version(), "database",
	    writable ? "writable" : "read_only", "uptime_s",
	    (json_int_t)(time(NULL) - api_started), "writes",
	    (json_int_t)writes, "commits", (json_int_t)commits));
}

/* Note when the daemon started serving. */
void
api_health_start(void)
{
	api_started = time(NULL);
}

/* GET /v1/programme */
void
api_programme(struct req *req)
{
	enum store_status status;
	json_t *o;

	status = store_programme(&o);
	api_answer(req, status, 200, o, "programme");
}

/* GET /v1/communes?territory=T6&on=YYYY-MM-DD */
void
api_communes(struct req *req)
{
	const char *on = req_query(req, "on");
	char *cause;
	enum store_status status;
	json_t *o;

	if (on != NULL && check_date(on, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "on", "%s", cause);
		free(cause);
		return;
	}
	status = store_communes(req_query(req, "territory"), on, &o);
	api_answer(req, status, 200, json_pack("{so}", "communes", o),
	    "communes");
}
