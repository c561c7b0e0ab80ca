/*
 * Monitoring and reference data: /v1/health, the programme profile, and the
 * communes with their territories.
 */

#include <time.h>

#include "kitstockd.h"

static time_t api_started;

static json_t *api_health_wal(json_t *);

/*
 * The WAL's size in bytes, the readers open (exports' snapshots) and the
 * age in seconds of the oldest (null if none): a reader holds the WAL
 * back. Then the jobs the workers hold.
 */
static json_t *
api_health_wal(json_t *o)
{
	time_t oldest;
	int n;

	n = store_reader_count(&oldest);
	json_object_set_new(o, "wal_bytes", json_integer(store_wal_size()));
	json_object_set_new(o, "readers", json_integer(n));
	json_object_set_new(o, "oldest_snapshot_s", n > 0 ?
	    json_integer(oldest) : json_null());
	/* Label and import jobs waiting for or running on the workers. */
	json_object_set_new(o, "jobs_pending", json_integer(worker_pending()));
	return (o);
}

/* GET /v1/health: 200 when the database can be written, 503 if not. */
void
api_health(struct req *req)
{
	const char *state = "writable", *why;
	long long writes, commits;
	int writable;

	/* Why the database cannot take writes now (NULL: it can). */
	why = store_unwritable(&state);
	writable = why == NULL;
	if (api_started == 0)
		api_started = time(NULL);
	http_stats(&writes, &commits);
	reply_json(req, writable ? 200 : 503, api_health_wal(json_pack(
	    "{ss ss si ss ss* sI sI sI}", "status", writable ? "ok" :
	    "degraded", "version", VERSION,
	    "schema_version", store_schema_version(), "database", state,
	    "database_problem", why, "uptime_s",
	    (json_int_t)(time(NULL) - api_started), "writes",
	    (json_int_t)writes, "commits", (json_int_t)commits)));
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
	if (api_beneficiary_territory_code(req, "territory",
	    req_query(req, "territory")) != 0)
		return;
	status = store_communes(req_query(req, "territory"), on, &o);
	api_answer(req, status, 200, json_pack("{so}", "communes", o),
	    "communes");
}
