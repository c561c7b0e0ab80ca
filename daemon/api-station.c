/*
 * Stations and scans through the API: POST/GET /v1/stations, a station's
 * mode, POST /v1/scans (the scan engine's door for the client, remote
 * terminals and anyone's curl) and the sheet of command barcodes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kitstockd.h"
#include "scan.h"

#define STATION_NAME_MAX	32
#define SCAN_ID_MAX		64

/* The roles a station's USB scanners may act with. */
static const char *const station_roles[] = {
	"warehouse", "distribution", "coordinator", NULL
};

static const struct field station_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "location", FT_TAG, F_REQUIRED, NULL, 'L' },
	{ "mode", FT_ENUM, F_REQUIRED, scan_modes },
	{ "distribution", FT_TAG, 0, NULL, 'E' },
	{ "role", FT_ENUM, 0, station_roles },
	{ NULL }
};

static const struct field station_edit_fields[] = {
	{ "role", FT_ENUM, F_REQUIRED, station_roles },
	{ NULL }
};

static const struct field station_mode_fields[] = {
	{ "mode", FT_ENUM, F_REQUIRED, scan_modes },
	{ "distribution", FT_TAG, 0, NULL, 'E' },
	{ NULL }
};

/* "code" is checked on its own: it may hold GS (0x1D). */
static const struct field scan_fields[] = {
	{ "station", FT_STRING, F_REQUIRED },
	{ "scan_id", FT_STRING, 0 },
	{ "made_at", FT_STRING, 0 },
	{ "provisional", FT_BOOL, 0 },
	{ NULL }
};

/* The sheet of command barcodes: 21 per A4 page, as the L7160 labels. */
static const char api_station_sheet[] =
	"title   Command barcodes\n"
	"size    63.5 38.1\n"
	"page    210 297\n"
	"grid    3 7\n"
	"pitch   66.04 38.1\n"
	"origin  7.21 15.15\n"
	"for     L\n"
	"media   A4\n"
	"qr      2 5.05 28\n"
	"ec      auto\n"
	"text    31.5 6 30 9 bold {name}\n"
	"text    31.5 24 30 5 normal {tag}\n";

/* A station's name: 1 to 32 of a-z, 0-9, '-', '_' (as X-Kitstock-Station). */
static int
api_station_name(struct req *req, const char *field, const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || strlen(name) > STATION_NAME_MAX)
		goto bad;
	for (p = name; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
		    *p != '-' && *p != '_')
			goto bad;
	return (0);
bad:
	reply_error(req, 400, "invalid_field", field,
	    _("%s \"%.40s\": a station's name is 1 to %d lowercase letters, "
	    "digits, '-' or '_'"), field, name != NULL ? name : "",
	    STATION_NAME_MAX);
	return (-1);
}

/* The station of a path or a body; 404 answered if there is none. */
static int
api_station_load(struct req *req, const char *field, const char *name,
    json_t **st)
{
	enum store_status status;

	*st = NULL;
	if (api_station_name(req, field, name) != 0)
		return (-1);
	if ((status = store_station_get(name, st)) == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_station", field,
		    _("station %s does not exist (kitstock station list)"),
		    name);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, name);
		return (-1);
	}
	return (0);
}

/*
 * The place and distribution of a station: the location exists; a
 * distribution exists and is open; checkout needs one. 0, or -1 answered.
 */
static int
api_station_where(struct req *req, const char *mode, const char *location,
    const char *event)
{
	enum store_status status;
	char kind[32];
	json_t *e;

	if (location != NULL) {
		if ((status = store_location_kind(location, kind,
		    sizeof kind)) != STORE_OK) {
			api_reply_store(req, status, location);
			return (-1);
		}
		if (kind[0] == '\0') {
			reply_error(req, 404, "unknown_tag", "location",
			    _("location %s does not exist"), location);
			return (-1);
		}
	}
	if (event != NULL) {
		if ((status = store_item_get(&res_distribution, event, &e)) ==
		    STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_tag", "distribution",
			    _("distribution %s does not exist"), event);
			return (-1);
		}
		if (status != STORE_OK) {
			api_reply_store(req, status, event);
			return (-1);
		}
		if (strcmp(json_string_value(json_object_get(e, "state")),
		    "open") != 0) {
			reply_error(req, 409, "closed", "distribution",
			    _("%s is closed: a station cannot serve it"),
			    event);
			json_decref(e);
			return (-1);
		}
		json_decref(e);
	}
	return (0);
}

/*
 * May the caller give a station (its USB scanners) this role? Only one
 * they hold themselves, or any if they are a coordinator: else binding a
 * scanner would lend them a role they do not have. 0, or -1 answered.
 */
int
api_station_grant(struct req *req, const char *field, const char *station,
    const char *role)
{
	if ((req->role & ROLE_COORDINATOR) || req->role == auth_role(role))
		return (0);
	reply_error(req, 403, "forbidden", field,
	    _("%s (role %s) may not give station %s the %s role: its USB "
	    "scanners act with that role, so only a coordinator or a %s "
	    "account may"), req->actor_name, auth_role_name(req->role),
	    station, role, role);
	return (-1);
}

/* A new station's role if none is given: its mode's usual one. */
static const char *
api_station_default_role(const char *mode)
{
	return (strcmp(mode, "checkout") == 0 ? "distribution" : "warehouse");
}

/*
 * POST /v1/stations {"name", "location", "mode", "distribution", "role"}:
 * role is what its USB scanners act with (default: distribution for a
 * checkout station, else warehouse).
 */
void
api_station_add(struct req *req)
{
	const char *name, *mode, *loc, *event, *role;
	enum store_status status;
	json_t *st;

	if (req_fields(req, station_fields, 0) != 0)
		return;
	name = req_str(req, "name");
	mode = req_str(req, "mode");
	loc = req_str(req, "location");
	event = req_str(req, "distribution");
	if ((role = req_str(req, "role")) == NULL)
		role = api_station_default_role(mode);
	if (api_station_name(req, "name", name) != 0 ||
	    api_station_where(req, mode, loc, event) != 0 ||
	    api_station_grant(req, "role", name, role) != 0)
		return;
	if (strcmp(mode, "checkout") == 0 && event == NULL) {
		reply_error(req, 400, "missing_field", "distribution",
		    _("distribution is required in checkout mode: the "
		    "distribution the station serves"));
		return;
	}
	status = store_station_add(&req->actor, name, loc, mode, event, role);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", "name",
		    _("station %s already exists"), name);
		return;
	}
	if (status == STORE_OK)
		status = store_station_get(name, &st);
	else
		st = NULL;
	api_answer(req, status, 201, st, name);
}

void
api_station_list(struct req *req)
{
	enum store_status status;
	json_t *rows;

	status = store_station_list(&rows);
	if (status == STORE_OK)
		rows = json_pack("{so}", "stations", rows);
	api_answer(req, status, 200, rows, "");
}

void
api_station_show(struct req *req)
{
	json_t *st;

	if (api_station_load(req, "name", req->params[0], &st) != 0)
		return;
	reply_json(req, 200, st);
}


/*
 * After a station changed (status): its state, published on the stream
 * and answered.
 */
static void
api_station_changed(struct req *req, enum store_status status)
{
	json_t *st = NULL;

	if (status == STORE_OK) {
		status = store_station_get(req->params[0], &st);
		if (status == STORE_OK)
			stream_publish(req->params[0], "state", st);
	}
	api_answer(req, status, 200, status == STORE_OK ? st : NULL,
	    req->params[0]);
}
/* POST /v1/stations/{name}/mode {"mode", "distribution"}: at once. */
void
api_station_mode(struct req *req)
{
	const char *mode, *event, *from;
	enum store_status status;
	json_t *st;

	if (api_station_load(req, "name", req->params[0], &st) != 0)
		return;
	if (req_fields(req, station_mode_fields, 0) != 0 ||
	    api_station_where(req, NULL, NULL,
	    req_str(req, "distribution")) != 0) {
		json_decref(st);
		return;
	}
	mode = req_str(req, "mode");
	event = req_str(req, "distribution");
	from = json_string_value(json_object_get(st, "mode"));
	if (strcmp(mode, "checkout") == 0 && event == NULL &&
	    json_is_null(json_object_get(st, "distribution"))) {
		reply_error(req, 400, "missing_field", "distribution",
		    _("distribution is required in checkout mode: the "
		    "distribution the station serves"));
		json_decref(st);
		return;
	}
	status = store_station_mode(&req->actor, req->params[0], from, mode,
	    event);
	json_decref(st);
	api_station_changed(req, status);
}

/* PATCH /v1/stations/{name} {"role"}: what its USB scanners act with. */
void
api_station_edit(struct req *req)
{
	const char *role, *from;
	enum store_status status;
	json_t *st;

	if (api_station_load(req, "name", req->params[0], &st) != 0)
		return;
	if (req_fields(req, station_edit_fields, 0) != 0 ||
	    api_station_grant(req, "role", req->params[0],
	    req_str(req, "role")) != 0) {
		json_decref(st);
		return;
	}
	role = req_str(req, "role");
	from = json_string_value(json_object_get(st, "role"));
	status = STORE_OK;
	if (strcmp(from, role) != 0)
		status = store_station_role(&req->actor, req->params[0], from,
		    role);
	json_decref(st);
	api_station_changed(req, status);
}

/* A scanned code: 1 to TEXT_MAX bytes, no control character but GS. */
static int
api_scan_code(struct req *req, const char **code)
{
	json_t *v = json_object_get(req->body, "code");
	const unsigned char *p;

	if (v == NULL || json_is_null(v)) {
		reply_error(req, 400, "missing_field", "code",
		    _("%s is required"), "code");
		return (-1);
	}
	if (!json_is_string(v)) {
		reply_error(req, 400, "invalid_type", "code",
		    _("%s must be a string"), "code");
		return (-1);
	}
	*code = json_string_value(v);
	if (**code == '\0') {
		reply_error(req, 400, "invalid_field", "code",
		    _("%s must not be empty"), "code");
		return (-1);
	}
	if (strlen(*code) > TEXT_MAX) {
		reply_error(req, 400, "invalid_field", "code",
		    _("%s is too long (%zu bytes, at most %zu)"), "code",
		    strlen(*code), (size_t)TEXT_MAX);
		return (-1);
	}
	for (p = (const unsigned char *)*code; *p != '\0'; p++)
		if ((*p < 0x20 && *p != 0x1d) || *p == 0x7f) {
			reply_error(req, 400, "invalid_field", "code",
			    _("code contains a control character (0x%02x): "
			    "only GS (0x1d) may be in a scanned code"), *p);
			return (-1);
		}
	return (0);
}

/* A remote terminal's scan id: 1 to 64 of [A-Za-z0-9._:-]. */
static int
api_scan_id(struct req *req, const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-");

	if (id[n] != '\0' || n > SCAN_ID_MAX) {
		reply_error(req, 400, "invalid_field", "scan_id",
		    _("scan_id \"%.70s\": expected 1 to %d letters, digits, "
		    "'.', '_', ':' or '-'"), id, SCAN_ID_MAX);
		return (-1);
	}
	return (0);
}

/*
 * When a queued scan was made: ISO 8601 ("2026-11-28T14:05:09Z", or with
 * an offset, or a fraction of a second), not in the future; normalised to
 * UTC into buf. 0, or -1 answered.
 */
static int
api_scan_made_at(struct req *req, const char *s, char *buf, size_t len)
{
	struct tm tm;
	const char *end;
	time_t t;
	long off = 0;
	int sign;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		goto bad;
	if (*end == '.') {
		end++;
		if (*end < '0' || *end > '9')
			goto bad;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (*end == 'Z')
		end++;
	else if (*end == '+' || *end == '-') {
		sign = *end == '-' ? -1 : 1;
		if (strlen(end) != 6 || end[3] != ':' ||
		    end[1] < '0' || end[1] > '9' || end[2] < '0' ||
		    end[2] > '9' || end[4] < '0' || end[4] > '9' ||
		    end[5] < '0' || end[5] > '9')
			goto bad;
		off = sign * (((end[1] - '0') * 10 + end[2] - '0') * 3600 +
		    ((end[4] - '0') * 10 + end[5] - '0') * 60);
		end += 6;
	} else
		goto bad;
	if (*end != '\0')
		goto bad;
	t = timegm(&tm) - off;
	/* A minute's grace for the terminal's clock. */
	if (t > time(NULL) + 60) {
		reply_error(req, 400, "invalid_field", "made_at",
		    _("made_at %s is in the future: a scan is recorded when "
		    "it was made"), s);
		return (-1);
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (0);
bad:
	reply_error(req, 400, "invalid_field", "made_at",
	    _("made_at \"%.40s\" is not an ISO 8601 time such as "
	    "2026-11-28T14:05:09Z"), s);
	return (-1);
}

/*
 * POST /v1/scans {"station", "code", "scan_id", "made_at", "provisional"}:
 * a scan, whatever its verdict, is answered 200 with it (it is recorded);
 * bad input is a 4xx.
 */
void
api_scan_add(struct req *req)
{
	const char *code, *id, *made, *source;
	char at[32];
	json_t *body, *st, *v;
	int provisional;

	if (req->body == NULL) {
		reply_error(req, 400, "missing_body", NULL,
		    _("this request needs a JSON object as its body"));
		return;
	}
	if (api_scan_code(req, &code) != 0)
		return;
	body = req->body;
	req->body = json_copy(body);
	json_object_del(req->body, "code");
	if (req_fields(req, scan_fields, 0) != 0) {
		json_decref(req->body);
		req->body = body;
		return;
	}
	json_decref(req->body);
	req->body = body;
	if (api_station_load(req, "station", req_str(req, "station"),
	    &st) != 0)
		return;
	json_decref(st);
	if ((id = req_str(req, "scan_id")) != NULL && api_scan_id(req, id) !=
	    0)
		return;
	if ((made = req_str(req, "made_at")) != NULL) {
		if (api_scan_made_at(req, made, at, sizeof at) != 0)
			return;
		made = at;
	}
	provisional = json_is_true(json_object_get(req->vals, "provisional"));
	if (provisional && (id == NULL || made == NULL)) {
		reply_error(req, 400, "missing_field", id == NULL ? "scan_id" :
		    "made_at", _("a provisional scan (queued by a terminal) "
		    "comes with its scan_id and made_at"));
		return;
	}
	/* A remote terminal (kitstock terminal) numbers its scans. */
	source = provisional || id != NULL ? "terminal" :
	    strcmp(req->actor.station, "cli") == 0 ? "client" : "api";
	v = scan_submit_as(req_str(req, "station"), code, id, made, source,
	    provisional, req->actor.name, req->role);
	if (!json_is_true(json_object_get(v, "replayed")))
		stream_publish(req_str(req, "station"), "scan", v);
	reply_json(req, 200, v);
}

/* The commands of the sheet: code and what it says, in sheet order. */
static json_t *
api_scan_command_list(void)
{
	const struct scan_reason *r;
	const char *const *m;
	json_t *a = json_array();
	char *up, *code, *name;

	json_array_append_new(a, json_pack("{ss ss}", "tag", SCAN_END_AUDIT,
	    "name", _("End the audit")));
	json_array_append_new(a, json_pack("{ss ss}", "tag", SCAN_CANCEL,
	    "name", _("Cancel the last scan")));
	for (m = scan_modes; *m != NULL; m++) {
		up = scan_upper(*m);
		xasprintf(&code, "%s%s", SCAN_MODE_PREFIX, up);
		xasprintf(&name, _("Mode: %s"), *m);
		json_array_append_new(a, json_pack("{ss ss}", "tag", code,
		    "name", name));
		free(up);
		free(code);
		free(name);
	}
	for (r = scan_reasons; r->code != NULL; r++) {
		xasprintf(&code, "%s%s", SCAN_REASON_PREFIX, r->code);
		xasprintf(&name, _("Return: %s"), _(r->text));
		json_array_append_new(a, json_pack("{ss ss}", "tag", code,
		    "name", name));
		free(code);
		free(name);
	}
	return (a);
}

/*
 * GET /v1/labels/commands: the sheet of command barcodes as a PDF (each
 * QR code decoded back before it is given out), or ?format=json their list.
 */
void
api_scan_commands(struct req *req)
{
	struct label_tpl *tpl;
	const struct label_tpl **tpls;
	const char *fmt = req_query(req, "format");
	json_t *recs;
	char *out = NULL, *cause = NULL;
	size_t len, i;

	recs = api_scan_command_list();
	if (fmt != NULL && strcmp(fmt, "json") == 0) {
		reply_json(req, 200, json_pack("{so}", "commands", recs));
		return;
	}
	if (fmt != NULL && strcmp(fmt, "pdf") != 0) {
		json_decref(recs);
		reply_error(req, 400, "invalid_field", "format",
		    _("format %s: expected pdf or json"), fmt);
		return;
	}
	if (label_print_fonts(&cause) != 0) {
		log_warnx("labels: %s", cause);
		reply_error(req, 500, "labels_unavailable", NULL, "%s", cause);
		free(cause);
		json_decref(recs);
		return;
	}
	if ((tpl = label_tpl_parse("commands", api_station_sheet,
	    &cause)) == NULL)
		fatalx("the command sheet template: %s", cause);
	tpls = xcalloc(json_array_size(recs), sizeof *tpls);
	for (i = 0; i < json_array_size(recs); i++)
		tpls[i] = tpl;
	if (label_render(tpls, recs, LABEL_PDF, 300, &out, &len, &cause) !=
	    0) {
		reply_error(req, 500, "label_failed", NULL, "%s", cause);
		free(cause);
	} else
		reply_bytes(req, 200, "application/pdf", out, len);
	free(out);
	free(tpls);
	label_tpl_free(tpl);
	json_decref(recs);
}

/*
 * The alerts' entry: scans queued by a remote terminal while offline and
 * refused when replayed (the kit was handed over elsewhere meanwhile...).
 */
enum store_status
api_scan_alerts(const struct alert_ctx *ctx, json_t *out)
{
	enum store_status status;
	json_t *rows, *r;
	const char *item;
	char on[11];
	size_t i;

	if ((status = store_scan_refused_provisional(&rows)) != STORE_OK) {
		json_decref(rows);
		return (status);
	}
	json_array_foreach(rows, i, r) {
		item = json_string_value(json_object_get(r, "item"));
		snprintf(on, sizeof on, "%s", json_string_value(
		    json_object_get(r, "made_at")));
		alert_push(out, "scan_refused_on_replay", item != NULL ? item :
		    json_string_value(json_object_get(r, "code")), NULL, on,
		    _("scan %s made at %s on %s while offline was refused when "
		    "it reached kitstockd: %s — check what happened to it"),
		    json_string_value(json_object_get(r, "code")),
		    json_string_value(json_object_get(r, "station")),
		    json_string_value(json_object_get(r, "made_at")),
		    json_string_value(json_object_get(r, "message")));
	}
	json_decref(rows);
	return (STORE_OK);
}
