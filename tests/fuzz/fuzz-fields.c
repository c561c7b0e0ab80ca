/*
 * Fuzz target: request bodies through the validation every route family
 * uses (JSON parsing, then each resource's field table), as http.c does;
 * then through the handler of a write route (the input picks which) of the
 * stock and beneficiary path (kits, distributions, top-ups, repairs,
 * beneficiaries, diagnostics, follow-ups, tokens, stations and scans...)
 * against an in-memory database holding one of each thing, each call
 * rolled back as a refusal would be.
 * Labels, printing, backups and imports are left out: they reach outside
 * the process or take bodies that are not JSON.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The route families whose handlers are fuzzed, by path prefix, and the
 * tag letter of their {tag} when the route names no resource.
 */
static const struct {
	const char	*prefix;
	char		 letter;
} fuzz_families[] = {
	{ "/v1/suppliers", 0 }, { "/v1/locations", 0 },
	{ "/v1/lots/{tag}/receive", 0 }, { "/v1/devices", 0 },
	{ "/v1/sims", 0 }, { "/v1/accessories", 0 }, { "/v1/prescribers", 0 },
	{ "/v1/beneficiaries", 0 }, { "/v1/diagnostics", 'B' },
	{ "/v1/orientations", 0 }, { "/v1/certifications", 0 },
	{ "/v1/followups", 0 }, { "/v1/kits", 0 }, { "/v1/distributions", 0 },
	{ "/v1/topups", 0 }, { "/v1/repairs", 0 }, { "/v1/moves", 0 },
	{ "/v1/tokens", 0 }, { "/v1/stations", 0 }, { "/v1/scans", 0 },
	{ NULL, 0 }
};

/* One of each thing, by tag letter, made once. */
static char fuzz_tags[26][TAG_LEN + 1];

/* A request as http.c runs it, in a transaction; its answer's "tag". */
static int
fuzz_call(const char *method, const char *path, json_t *body, int commit,
    char *tag)
{
	struct req *req;
	json_t *o;
	int wrong, status;

	req = xcalloc(1, sizeof *req);
	if ((req->out = evbuffer_new()) == NULL)
		abort();
	req->query = xcalloc(1, sizeof *req->query);
	TAILQ_INIT(req->query);
	req->actor.name = "fuzz";
	req->actor.station = "fuzz";
	req->role = ROLE_COORDINATOR;
	req->body = body;
	if ((req->route = route_find(method, path, req->params,
	    &wrong)) == NULL) {
		req_free(req);
		return (-1);
	}
	if (store_begin() != STORE_OK)
		abort();
	req->route->handler(req);
	status = req->status;
	if (status == 0 || (status >= 500 && status != 503))
		abort();	/* every input gets an answer, never a crash */
	if (commit && status >= 200 && status < 300) {
		if (store_commit() != STORE_OK)
			abort();
	} else
		store_rollback();
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "%s %s: %d %.*s\n", method, path, status,
		    (int)evbuffer_get_length(req->out),
		    (const char *)evbuffer_pullup(req->out, -1));
	if (tag != NULL && (o = json_loadb((const char *)evbuffer_pullup(
	    req->out, -1), evbuffer_get_length(req->out), 0, NULL)) != NULL) {
		if (json_string_value(json_object_get(o, "tag")) != NULL)
			snprintf(tag, TAG_LEN + 1, "%s", json_string_value(
			    json_object_get(o, "tag")));
		json_decref(o);
	}
	req_free(req);
	return (status);
}

/* The in-memory database and its things, as tests/func/lib-kit makes. */
static void
fuzz_setup(void)
{
	static const struct {
		const char	*path;
		const char	*body;
	} setup[] = {
		{ "/v1/suppliers", "{\"name\":\"Ateliers\"}" },
		{ "/v1/locations", "{\"name\":\"Entrepot\",\"kind\":"
		    "\"warehouse\",\"commune\":\"93008\"}" },
		{ "/v1/lots", "{\"supplier\":\"@F\",\"ref\":\"BL-1\"}" },
		{ "/v1/devices", "{\"kind\":\"laptop\",\"serial\":\"PF0\","
		    "\"brand\":\"Lenovo\",\"lot\":\"@R\",\"location\":"
		    "\"@L\",\"at\":\"2025-01-05\"}" },
		{ "/v1/sims", "{\"iccid\":\"89330123456789012342\","
		    "\"operator\":\"Orange\",\"lot\":\"@R\","
		    "\"location\":\"@L\"}" },
		{ "/v1/accessories", "{\"name\":\"Chargeur\",\"location\":"
		    "\"@L\",\"count\":5}" },
		{ "/v1/prescribers", "{\"kind\":\"mission_locale\",\"name\":"
		    "\"ML\",\"territory\":\"T6\"}" },
		{ "/v1/beneficiaries", "{\"category\":\"mission_locale\","
		    "\"commune\":\"93066\",\"prescriber\":\"@P\","
		    "\"referred_on\":\"2025-03-01\",\"consent_on\":"
		    "\"2025-03-01\",\"first_name\":\"A\"}" },
		{ "/v1/diagnostics", "{\"beneficiary\":\"@B\",\"adviser\":"
		    "\"CNFS\",\"device_need\":\"laptop\",\"connection_need\":"
		    "\"sim\",\"autonomy\":2,\"at\":\"2025-03-10\"}" },
		{ "/v1/kits", "{\"beneficiary\":\"@B\",\"location\":\"@L\","
		    "\"devices\":[\"laptop\"],\"sims\":1,\"at\":"
		    "\"2025-03-20\"}" },
		{ "/v1/locations", "{\"name\":\"Point\",\"kind\":"
		    "\"distribution\",\"commune\":\"93066\"}" },
		{ "/v1/distributions", "{\"held_on\":\"2025-04-02\","
		    "\"place\":\"@L\"}" },
	};
	char *cause = NULL, *text, *at, tag[TAG_LEN + 1];
	size_t i;

	log_init(1, 0);
	i18n_init("en", NULL);
	if (store_open(":memory:", &cause) != 0 ||
	    profile_load(NULL, &cause) != 0)
		abort();
	for (i = 0; i < sizeof setup / sizeof setup[0]; i++) {
		/* Room for a tag in place of each "@X" (four at most). */
		text = xmalloc(strlen(setup[i].body) + 4 * TAG_LEN + 1);
		strcpy(text, setup[i].body);
		while ((at = strchr(text, '@')) != NULL) {
			/* "@X": the tag of the X made before. */
			memmove(at + TAG_LEN, at + 2, strlen(at + 2) + 1);
			memcpy(at, fuzz_tags[at[1] - 'A'], TAG_LEN);
		}
		tag[0] = '\0';
		if (fuzz_call("POST", setup[i].path, json_loads(text, 0, NULL),
		    1, tag) != 201 || tag[0] < 'A' || tag[0] > 'Z') {
			fprintf(stderr, "fuzz-fields: setup %s %s refused\n",
			    setup[i].path, text);
			abort();
		}
		memcpy(fuzz_tags[tag[0] - 'A'], tag, sizeof tag);
		free(text);
	}
	/* A station named "1", as a route's {tag} is: scans reach its mode. */
	xasprintf(&text, "{\"name\":\"1\",\"location\":\"%s\","
	    "\"mode\":\"pick\"}", fuzz_tags['L' - 'A']);
	if (fuzz_call("POST", "/v1/stations", json_loads(text, 0, NULL), 1,
	    NULL) != 201)
		abort();
	free(text);
}

/* The path to call for a route of the families above, or -1. */
static int
fuzz_route_path(const struct route *r, char *path, size_t len)
{
	const char *p, *fam;
	char letter;
	size_t i, n;

	if (!r->write || r->accepts != NULL || strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "DELETE") == 0)
		return (-1);
	for (i = 0; (fam = fuzz_families[i].prefix) != NULL; i++)
		if (strncmp(r->pattern, fam, strlen(fam)) == 0)
			break;
	if (fam == NULL)
		return (-1);
	/* {tag}: the thing of the route's resource, or 1. */
	letter = r->res != NULL ? r->res->letter : fuzz_families[i].letter;
	for (p = r->pattern, n = 0; *p != '\0' && n < len - 16; p++) {
		if (strncmp(p, "{tag}", 5) != 0) {
			path[n++] = *p;
			continue;
		}
		if (letter >= 'A' && letter <= 'Z' &&
		    fuzz_tags[letter - 'A'][0] != '\0')
			n += (size_t)snprintf(path + n, len - n, "%s",
			    fuzz_tags[letter - 'A']);
		else
			path[n++] = '1';
		p += 4;
	}
	path[n] = '\0';
	return (0);
}

/*
 * One write route of the families above, with this body: the one the
 * input's bytes pick (a hash), so that an input costs one handler and the
 * fuzzer learns which bytes reach which route.
 */
static void
fuzz_routes(json_t *body, const uint8_t *data, size_t size)
{
	const struct route *r;
	char path[256];
	size_t k, nroutes = 0, pick;
	uint32_t hash = 2166136261u;

	for (k = 0; k < size; k++)
		hash = (hash ^ data[k]) * 16777619u;
	for (r = route_table; r->method != NULL; r++)
		if (fuzz_route_path(r, path, sizeof path) == 0)
			nroutes++;
	if (nroutes == 0)
		abort();
	pick = hash % nroutes;
	for (r = route_table; r->method != NULL; r++) {
		if (fuzz_route_path(r, path, sizeof path) != 0)
			continue;
		if (pick-- == 0) {
			(void)fuzz_call(r->method, path, json_incref(body), 0,
			    NULL);
			return;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct resource *const res[] = {
		&res_supplier, &res_location, &res_lot, &res_device, &res_sim,
		&res_accessory, &res_prescriber, &res_beneficiary, &res_offer,
		&res_kit, &res_distribution, NULL
	};
	static int ready;
	struct req *req;
	json_t *body;
	int i, j;

	if (!ready) {
		fuzz_setup();
		ready = 1;
	}
	if ((body = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return (0);
	if (!json_is_object(body)) {
		json_decref(body);
		return (0);
	}
	for (i = 0; res[i] != NULL; i++) {
		for (j = 0; j < 2; j++) {
			req = xcalloc(1, sizeof *req);
			if ((req->out = evbuffer_new()) == NULL)
				abort();
			req->body = json_incref(body);
			req->actor.name = "fuzz";
			req->actor.station = "fuzz";
			(void)req_fields(req, j == 0 ? res[i]->fields :
			    res[i]->edit, res[i]->effective);
			req_free(req);
		}
	}
	fuzz_routes(body, data, size);
	json_decref(body);
	return (0);
}
