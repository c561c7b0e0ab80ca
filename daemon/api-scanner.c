/*
 * Scanners through the API: bind a USB scanner (VID:PID, serial number,
 * port path) to a station with its layout and blanking window, list the
 * bound and the seen ones with their state, unbind; and the calibration
 * label, whose scan tells a scanner's keyboard layout. Bindings take
 * effect at once, without a restart.
 */

#include <sys/queue.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>

#include "kitstockd.h"
#include "hid.h"
#include "scan.h"

static const char *const scanner_layouts[] = { "us", "fr", NULL };
static const char *const calibration_formats[] = { "pdf", "png", "zpl",
	NULL };
static const char *const calibration_media[] = { "application/pdf",
	"image/png", "application/zpl" };

static const struct field scanner_fields[] = {
	{ "scanner", FT_STRING, 0 },
	{ "port", FT_STRING, 0 },
	{ "station", FT_STRING, F_REQUIRED },
	{ "layout", FT_ENUM, 0, scanner_layouts },
	{ "blank_ms", FT_INT, 0, NULL, 0, 0, HID_BLANK_MAX },
	{ NULL }
};

/* The calibration label: a roll label, the code and two lines. */
static const char calibration_tpl[] =
	"title Calibration\n"
	"size 62 29\n"
	"for D\n"
	"qr 1.5 3 23\n"
	"ec Q\n"
	"text 26 4 34.5 10 bold {name}\n"
	"text 26 10 34.5 7 normal {address}\n"
	"text 26 20 34.5 6 normal {commune}\n";

static int api_scanner_parse(struct req *, const char *, int *, int *,
	    char **);
static int api_scanner_port(struct req *, const char *);

/*
 * "VID:PID" or "VID:PID/SERIAL" into its parts (serial allocated, or
 * NULL); on error the 400 is answered.
 */
static int
api_scanner_parse(struct req *req, const char *s, int *vid, int *pid,
    char **serial)
{
	const char *p;
	size_t i;

	*serial = NULL;
	for (i = 0; i < 9; i++)
		if (i == 4 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			break;
	if (i < 9 || (s[9] != '\0' && s[9] != '/')) {
		reply_error(req, 400, "invalid_field", "scanner",
		    _("scanner \"%s\": expected VID:PID or VID:PID/SERIAL in "
		    "hexadecimal, such as 0c2e:0b61 (kitstock scanner list "
		    "shows those of the scanners plugged in)"), s);
		return (-1);
	}
	*vid = (int)strtol(s, NULL, 16);
	*pid = (int)strtol(s + 5, NULL, 16);
	if (s[9] == '\0')
		return (0);
	p = s + 10;
	if (*p == '\0' || strlen(p) > 126 || strspn(p, "abcdefghijklmnopqrs"
	    "tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:+") !=
	    strlen(p)) {
		reply_error(req, 400, "invalid_field", "scanner",
		    _("scanner \"%s\": the serial number after \"/\" must be "
		    "1 to 126 letters, digits or - _ . : +"), s);
		return (-1);
	}
	*serial = xstrdup(p);
	return (0);
}

/* A port path: bus-port[.port]... such as 1-1.2. */
static int
api_scanner_port(struct req *req, const char *s)
{
	const char *p = s;
	int n = 0, dots = 0;

	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p) && ++n <= 3)
			continue;
		if (n > 0 && ((*p == '-' && p - s == n && dots == 0) ||
		    (*p == '.' && dots > 0 && dots < 7)) && p[1] != '\0') {
			n = 0;
			dots++;
			continue;
		}
		break;
	}
	if (*p != '\0' || n == 0 || dots == 0) {
		reply_error(req, 400, "invalid_field", "port",
		    _("port \"%s\": expected a USB port path such as 1-1 or "
		    "1-1.2 (bus, then ports)"), s);
		return (-1);
	}
	return (0);
}

/* POST /v1/scanners {"scanner","port","station","layout","blank_ms"} */
void
api_scanner_bind(struct req *req)
{
	const char *scanner, *port, *station;
	char *serial = NULL, *name, hex[24];
	int vid = -1, pid = -1, rc;
	long long blank;
	json_t *o = NULL, *st;
	enum store_status status;

	if (req_fields(req, scanner_fields, 0) != 0)
		return;
	scanner = req_str(req, "scanner");
	port = req_str(req, "port");
	station = req_str(req, "station");
	if (scanner == NULL && port == NULL) {
		reply_error(req, 400, "missing_field", "scanner",
		    _("scanner is required (VID:PID[/SERIAL]), or port for "
		    "whatever scanner is plugged there"));
		return;
	}
	if (scanner != NULL && api_scanner_parse(req, scanner, &vid, &pid,
	    &serial) != 0)
		return;
	if (port != NULL && api_scanner_port(req, port) != 0) {
		free(serial);
		return;
	}
	status = store_scanner_station(station);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_station", "station",
		    _("there is no station %s (kitstock station add creates "
		    "one)"), station);
		free(serial);
		return;
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, station);
		free(serial);
		return;
	}
	/* Its scans act with the station's role: one the binder holds. */
	if ((status = store_station_get(station, &st)) != STORE_OK) {
		api_reply_store(req, status, station);
		free(serial);
		return;
	}
	rc = api_station_grant(req, "station", station, json_string_value(
	    json_object_get(st, "role")));
	json_decref(st);
	if (rc != 0) {
		free(serial);
		return;
	}
	hex[0] = '\0';
	if (vid >= 0) {
		snprintf(hex, sizeof hex, "%04x:%04x", vid, pid);
		json_object_set_new(req->vals, "vid", json_integer(vid));
		json_object_set_new(req->vals, "pid", json_integer(pid));
	}
	xasprintf(&name, "%s%s%s%s%s", hex, serial != NULL ? "/" : "",
	    serial != NULL ? serial : "", port != NULL ? "@" : "",
	    port != NULL ? port : "");
	json_object_set_new(req->vals, "name", json_string(name));
	json_object_set_new(req->vals, "serial", serial != NULL ?
	    json_string(serial) : json_null());
	json_object_del(req->vals, "scanner");
	if (req_str(req, "layout") == NULL)
		json_object_set_new(req->vals, "layout", json_string("us"));
	if (!req_int(req, "blank_ms", &blank))
		json_object_set_new(req->vals, "blank_ms",
		    json_integer(HID_BLANK_MS));
	free(serial);
	status = store_scanner_add(&req->actor, req->vals);
	if (status == STORE_EXISTS) {
		reply_error(req, 409, "duplicate", "scanner",
		    _("scanner %s is already bound: kitstock scanner unbind "
		    "%s first"), name, name);
		free(name);
		return;
	}
	if (status == STORE_OK)
		status = store_scanner_get(name, &o);
	if (status == STORE_OK)
		usb_refresh();
	api_answer(req, status, 201, o, name);
	free(name);
}

/* GET /v1/scanners: the bindings with their scanner's state, the others. */
void
api_scanner_list(struct req *req)
{
	json_t *bound, *devs, *seen, *b, *d, *found;
	const char *state;
	size_t i, j;
	enum store_status status;

	if ((status = store_scanner_list(&bound)) != STORE_OK) {
		json_decref(bound);
		api_reply_store(req, status, "scanners");
		return;
	}
	devs = usb_devices();
	seen = json_array();
	json_array_foreach(bound, i, b) {
		found = NULL;
		json_array_foreach(devs, j, d)
			if (json_equal(json_object_get(d, "binding"),
			    json_object_get(b, "name")))
				found = d;
		json_object_set_new(b, "state", json_string(found == NULL ?
		    "absent" : json_string_value(json_object_get(found,
		    "state"))));
		json_object_set(b, "device", found != NULL ? found :
		    json_null());
	}
	json_array_foreach(devs, j, d)
		if (json_object_get(d, "binding") == NULL)
			json_array_append(seen, d);
	json_decref(devs);
	state = usb_state();
	reply_json(req, 200, json_pack("{ss so so}", "usb", state != NULL ?
	    state : "on", "scanners", bound, "seen", seen));
}

/* DELETE /v1/scanners/{name} */
void
api_scanner_unbind(struct req *req)
{
	const char *name = req->params[0];
	enum store_status status;

	if (strlen(name) > STRING_MAX) {
		reply_error(req, 400, "invalid_field", "scanner",
		    _("%s is too long (%zu bytes, at most %zu)"), "scanner",
		    strlen(name), (size_t)STRING_MAX);
		return;
	}
	status = store_scanner_delete(&req->actor, name);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_scanner", "scanner",
		    _("no scanner is bound as %s (kitstock scanner list shows "
		    "the bindings)"), name);
		return;
	}
	if (status == STORE_OK)
		usb_refresh();
	api_answer(req, status, 200, json_pack("{ss sb}", "scanner", name,
	    "unbound", 1), name);
}

/* GET /v1/labels/calibration?format=pdf|png|zpl&dpi=N */
void
api_label_calibration(struct req *req)
{
	struct label_tpl *t;
	const struct label_tpl *tpls[1];
	struct evkeyval *kv;
	const char *format = "pdf";
	char *out, *cause, *end;
	size_t len;
	long long dpi = 0;
	json_t *recs;
	int i;

	TAILQ_FOREACH(kv, req->query, next) {
		if (strcmp(kv->key, "format") == 0) {
			for (i = 0; calibration_formats[i] != NULL; i++)
				if (strcmp(kv->value,
				    calibration_formats[i]) == 0)
					break;
			if (calibration_formats[i] == NULL) {
				reply_error(req, 400, "invalid_field",
				    "format", _("%s \"%s\" is not known: "
				    "expected one of %s"), "format", kv->value,
				    "pdf, png, zpl");
				return;
			}
			format = calibration_formats[i];
		} else if (strcmp(kv->key, "dpi") == 0) {
			dpi = strtoll(kv->value, &end, 10);
			if (*kv->value == '\0' || *end != '\0' || (dpi != 203 &&
			    dpi != 300 && dpi != 600)) {
				reply_error(req, 400, "invalid_field", "dpi",
				    _("dpi %s: expected 203, 300 or 600 (8, 12 "
				    "or 24 dots per mm)"), kv->value);
				return;
			}
		} else {
			reply_error(req, 400, "unknown_field", kv->key,
			    _("unknown parameter \"%s\": expected format or "
			    "dpi"), kv->key);
			return;
		}
	}
	for (i = 0; strcmp(calibration_formats[i], format) != 0; i++)
		;
	if (dpi == 0)
		dpi = i == LABEL_ZPL ? 203 : 300;
	if (label_print_fonts(&cause) != 0) {
		reply_error(req, 503, "no_fonts", NULL, "%s", cause);
		free(cause);
		return;
	}
	if ((t = label_tpl_parse("calibration", calibration_tpl, &cause)) ==
	    NULL)
		fatalx("calibration template: %s", cause);
	tpls[0] = t;
	recs = json_pack("[{ss ss ss ss}]", "tag", hid_calibration_text,
	    "name", _("Scanner calibration"), "address", _("Scan this code "
	    "once at the station"), "commune", _("kitstock finds the "
	    "scanner's keyboard layout"));
	if (label_render(tpls, recs, (enum label_format)i, (int)dpi, &out,
	    &len, &cause) != 0) {
		reply_error(req, 422, "label_refused", NULL, "%s", cause);
		free(cause);
	} else {
		reply_bytes(req, 200, calibration_media[i], out, len);
		free(out);
	}
	json_decref(recs);
	label_tpl_free(t);
}
