/*
 * Fuzz target: whole requests through the dispatcher, as a connection
 * brings them (http.c's http_dispatch): what the edge refuses, the route
 * table, the caller's identity and role, the media type and body, the
 * handler, the group commit and the reply; on an in-memory database (the
 * built-in 93 profile) holding one of each thing. Every answer must be a
 * status under 500 (503 aside) and, if JSON, valid JSON: never a stop.
 *
 * Input: the first byte picks the caller (see fuzz_callers); then the
 * request as text, "METHOD URI" on the first line, "Name: value" header
 * lines, a blank line, the body. "@X" is replaced by the tag of the thing
 * of letter X made at setup, "$TOKEN" by a coordinator's token (for the
 * TCP caller). Writes are rolled back: each input sees the same database.
 *
 * Left out: the routes whose answer goes out over a live connection only
 * (exports and the event stream, sent in chunks) and GET /v1/backup
 * (a file beside the database).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Who calls: by the input's first byte, modulo their number. */
static const struct {
	int	local;		/* the UNIX socket, else TCP (a token) */
	int	role;
} fuzz_callers[] = {
	{ 1, 0 },		/* a local user with no role */
	{ 0, 0 },		/* TCP: Authorization decides */
	{ 1, ROLE_WAREHOUSE },
	{ 1, ROLE_DISTRIBUTION },
	{ 1, ROLE_COORDINATOR },
	{ 1, ROLE_PRESCRIBER },
	{ 1, ROLE_EVALUATOR },
	{ 1, ROLE_COORDINATOR },
};
#define FUZZ_CALLERS (sizeof fuzz_callers / sizeof fuzz_callers[0])

static char fuzz_tags[26][TAG_LEN + 1];	/* one of each thing, by letter */
static char fuzz_token[256];
static char fuzz_name[] = "fuzz";
static int fuzz_status;
static char *fuzz_answer;		/* the last answer (setup) */

/* Every answer: never a failure of ours, always valid JSON if JSON. */
static void
fuzz_sink(const struct req *req)
{
	const char *body = (const char *)evbuffer_pullup(req->out, -1);
	size_t len = evbuffer_get_length(req->out);
	json_error_t jerr;
	json_t *o;

	fuzz_status = req->status;
	free(fuzz_answer);
	fuzz_answer = xstrndup(body != NULL ? body : "", len);
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "-> %d %s\n", req->status, fuzz_answer);
	if (req->status < 200 || req->status > 599)
		abort();
	/* A render handed to a worker needs a connection (worker.c). */
	if (req->status >= 500 && req->status != 503 &&
	    strstr(fuzz_answer, "has no connection") == NULL)
		abort();
	if (req->content_type != NULL && strncmp(req->content_type,
	    "application/json", 16) == 0) {
		if ((o = json_loadb(body, len, 0, &jerr)) == NULL) {
			fprintf(stderr, "fuzz-request: not JSON: %s\n",
			    jerr.text);
			abort();
		}
		json_decref(o);
	}
}

/* Is this a route left out (see above)? */
static int
fuzz_left_out(const char *method, const char *path)
{
	const struct route *r;
	char *params[ROUTE_PARAMS];
	int wrong, i;

	memset(params, 0, sizeof params);
	if ((r = route_find(method, path, params, &wrong)) == NULL)
		return (0);
	for (i = 0; i < ROUTE_PARAMS; i++)
		free(params[i]);
	return (r->handler == api_stream || r->handler == api_backup ||
	    r->handler == api_export_list ||
	    r->handler == api_export_evaluation ||
	    r->handler == api_export_indicators ||
	    r->handler == api_export_prescriber);
}

/* The text with "@X" and "$TOKEN" replaced (allocated). */
static char *
fuzz_expand(const char *in, size_t len, size_t *outlen)
{
	char *out;
	size_t i, n = 0;

	out = xmalloc(len * (sizeof fuzz_token) + 1);
	for (i = 0; i < len; i++) {
		if (in[i] == '@' && i + 1 < len && in[i + 1] >= 'A' &&
		    in[i + 1] <= 'Z' && fuzz_tags[in[i + 1] - 'A'][0] != '\0') {
			n += (size_t)sprintf(out + n, "%s",
			    fuzz_tags[in[i + 1] - 'A']);
			i++;
		} else if (len - i >= 6 && memcmp(in + i, "$TOKEN", 6) == 0) {
			n += (size_t)sprintf(out + n, "%s", fuzz_token);
			i += 5;
		} else
			out[n++] = in[i];
	}
	out[n] = '\0';
	*outlen = n;
	return (out);
}

/* Length of the line at p, its newline aside. */
static size_t
fuzz_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return (nl != NULL ? (size_t)(nl - p) : (size_t)(end - p));
}

/*
 * One request, as libevent would hand it over: the method, URI and headers
 * parsed, the body in the input buffer. Returns the answer's status.
 */
static int
fuzz_request(int caller, const char *text, size_t len)
{
	static const char *const methods[] = {
		"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL
	};
	struct evhttp_request *ev;
	struct evhttp_uri *uri = NULL;
	struct evkeyvalq *h;
	struct peer peer;
	const char *end, *line, *colon, *method = NULL;
	char *first, *sp, *name, *value;
	size_t n;
	int i;

	fuzz_status = 0;
	if ((ev = evhttp_request_new(NULL, NULL)) == NULL)
		abort();
	h = evhttp_request_get_input_headers(ev);
	end = text + len;
	n = fuzz_line(text, end);
	first = xstrndup(text, n);
	first[strcspn(first, "\r")] = '\0';
	line = text + n + (text + n < end);
	if ((sp = strchr(first, ' ')) != NULL) {
		*sp++ = '\0';
		for (i = 0; methods[i] != NULL; i++)
			if (strcmp(first, methods[i]) == 0)
				method = strcmp(first, "HEAD") == 0 ? "GET" :
				    first;
		uri = evhttp_uri_parse_with_flags(sp, EVHTTP_URI_NONCONFORMANT);
	}
	/* Headers up to a blank line; the rest is the body. */
	while (line < end) {
		n = fuzz_line(line, end);
		if (n == 0 || (n == 1 && line[0] == '\r')) {
			line += n + 1;
			break;
		}
		if ((colon = memchr(line, ':', n)) != NULL) {
			name = xstrndup(line, colon - line);
			value = xstrndup(colon + 1, line + n - colon - 1);
			value[strcspn(value, "\r")] = '\0';
			evhttp_add_header(h, name, value + strspn(value, " "));
			free(name);
			free(value);
		}
		line += n + 1;
	}
	if (line < end)
		evbuffer_add(evhttp_request_get_input_buffer(ev), line,
		    end - line);

	if (method == NULL || uri == NULL) {
		/* What libevent refuses itself: http.c's answer. */
		evhttp_send_error(ev, method == NULL ? 501 : 400, NULL);
	} else if (fuzz_left_out(method, evhttp_uri_get_path(uri) != NULL ?
	    evhttp_uri_get_path(uri) : "/"))
		evhttp_request_free(ev);
	else {
		memset(&peer, 0, sizeof peer);
		peer.known = 1;
		peer.local = fuzz_callers[caller].local;
		peer.name = fuzz_name;
		peer.role = fuzz_callers[caller].role;
		http_dispatch(ev, &peer, method, uri);
		http_flush();	/* the group's writes: rolled back */
	}
	if (uri != NULL)
		evhttp_uri_free(uri);
	free(first);
	return (fuzz_status);
}

/* The things every input may name, made once (and kept). */
#define J	"\nContent-Type: application/json\n\n"
static void
fuzz_setup(void)
{
	static const char *const setup[] = {
		"POST /v1/suppliers" J "{\"name\":\"Ateliers\"}",
		"POST /v1/locations" J "{\"name\":\"Entrepot\",\"kind\":"
		    "\"warehouse\",\"commune\":\"93008\"}",
		"POST /v1/lots" J "{\"supplier\":\"@F\",\"ref\":\"BL-1\"}",
		"POST /v1/devices" J "{\"kind\":\"laptop\",\"serial\":\"PF0\","
		    "\"brand\":\"Lenovo\",\"lot\":\"@R\",\"location\":\"@L\","
		    "\"at\":\"2025-01-05\"}",
		"POST /v1/sims" J "{\"iccid\":\"89330123456789012342\","
		    "\"operator\":\"Orange\",\"lot\":\"@R\",\"location\":"
		    "\"@L\"}",
		"POST /v1/accessories" J "{\"name\":\"Chargeur\",\"location\":"
		    "\"@L\",\"count\":5}",
		"POST /v1/prescribers" J "{\"kind\":\"mission_locale\","
		    "\"name\":\"ML\",\"territory\":\"T6\"}",
		"POST /v1/beneficiaries" J "{\"category\":\"mission_locale\","
		    "\"commune\":\"93066\",\"prescriber\":\"@P\","
		    "\"referred_on\":\"2025-03-01\",\"consent_on\":"
		    "\"2025-03-01\",\"first_name\":\"A\"}",
		"POST /v1/diagnostics" J "{\"beneficiary\":\"@B\",\"adviser\":"
		    "\"CNFS\",\"device_need\":\"laptop\",\"connection_need\":"
		    "\"sim\",\"autonomy\":2,\"at\":\"2025-03-10\"}",
		"POST /v1/kits" J "{\"beneficiary\":\"@B\",\"location\":\"@L\","
		    "\"devices\":[\"laptop\"],\"sims\":1,\"at\":"
		    "\"2025-03-20\"}",
		"POST /v1/locations" J "{\"name\":\"Point\",\"kind\":"
		    "\"distribution\",\"commune\":\"93066\"}",
		"POST /v1/distributions" J "{\"held_on\":\"2025-04-02\","
		    "\"place\":\"@L\"}",
		"POST /v1/stations" J "{\"name\":\"1\",\"location\":\"@L\","
		    "\"mode\":\"pick\"}",
		"POST /v1/tokens" J "{\"name\":\"fuzz\",\"role\":"
		    "\"coordinator\"}",
	};
	struct event_base *base;
	char *cause = NULL, *text;
	const char *tag, *token;
	json_t *o;
	size_t i, len;

	log_init(1, 0);
	i18n_init("en", NULL);
	if (store_open(":memory:", &cause) != 0 ||
	    profile_load(NULL, &cause) != 0 ||
	    (base = event_base_new()) == NULL ||
	    event_base_priority_init(base, HTTP_PRIORITIES) != 0)
		abort();
	http_init(base);
	http_set_sink(fuzz_sink, 0);
	for (i = 0; i < sizeof setup / sizeof setup[0]; i++) {
		text = fuzz_expand(setup[i], strlen(setup[i]), &len);
		/* Headers a client sends. */
		if (fuzz_request(4, text, len) != 201 || (o = json_loads(
		    fuzz_answer, 0, NULL)) == NULL) {
			fprintf(stderr, "fuzz-request: setup refused: %s: %s\n",
			    text, fuzz_answer);
			abort();
		}
		if ((tag = json_string_value(json_object_get(o, "tag"))) !=
		    NULL && tag[0] >= 'A' && tag[0] <= 'Z')
			snprintf(fuzz_tags[tag[0] - 'A'], TAG_LEN + 1, "%s",
			    tag);
		if ((token = json_string_value(json_object_get(o, "token"))) !=
		    NULL)
			snprintf(fuzz_token, sizeof fuzz_token, "%s", token);
		json_decref(o);
		free(text);
	}
	http_set_sink(fuzz_sink, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *text;
	size_t len;

	if (!ready) {
		fuzz_setup();
		ready = 1;
	}
	if (size < 2 || size > 64 * 1024)
		return (0);
	text = fuzz_expand((const char *)data + 1, size - 1, &len);
	(void)fuzz_request(data[0] % FUZZ_CALLERS, text, len);
	free(text);
	return (0);
}
