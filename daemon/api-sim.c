/*
 * SIM cards (S-): ICCID, number, operator and plan. PIN and PUK are kept
 * apart, never listed, never in the ledger, and shown only on request.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static int api_sim_check(struct req *, int);
static enum store_status api_sim_added(struct req *, const char *);
static int api_sim_digits(struct req *, const char *, size_t, size_t);

static const struct field sim_fields[] = {
	{ "iccid", FT_ICCID, F_REQUIRED },
	{ "operator", FT_STRING, F_REQUIRED },
	{ "msisdn", FT_MSISDN, 0 },
	{ "plan_gb", FT_INT, 0, NULL, 0, 0, 10000 },
	{ "plan_price", FT_EUROS, 0 },
	{ "lot", FT_TAG, 0, NULL, 'R' },
	{ "location", FT_TAG, 0, NULL, 'L' },
	{ "pin", FT_STRING, 0 },
	{ "puk", FT_STRING, 0 },
	{ NULL }
};

static const struct field sim_edit[] = {
	{ "operator", FT_STRING, 0 },
	{ "msisdn", FT_MSISDN, 0 },
	{ "plan_gb", FT_INT, 0, NULL, 0, 0, 10000 },
	{ "plan_price", FT_EUROS, 0 },
	{ "lot", FT_TAG, 0, NULL, 'R' },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field sim_secret_fields[] = {
	{ "pin", FT_STRING, 0 },
	{ "puk", FT_STRING, 0 },
	{ NULL }
};

static const char *const sim_filters[] = {
	"state", "operator", "location", "lot", "supplier", "territory", NULL
};

const struct resource res_sim = {
	N_("SIM card"), "sims", 'S', "sim", sim_fields, sim_edit, sim_filters,
	&lifecycle_sim, 1, api_sim_check, api_sim_added
};

/* A PIN (4 to 8 digits) or a PUK (8 digits). */
static int
api_sim_digits(struct req *req, const char *name, size_t min, size_t max)
{
	const char *s, *p;

	if ((s = req_str(req, name)) == NULL)
		return (0);
	for (p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			break;
	if (*p != '\0' || strlen(s) < min || strlen(s) > max) {
		/* Never echo a secret back. */
		if (min == max)
			reply_error(req, 400, "invalid_field", name,
			    _("%s must be %zu digits"), name, min);
		else
			reply_error(req, 400, "invalid_field", name,
			    _("%s must be %zu to %zu digits"), name, min, max);
		return (-1);
	}
	return (0);
}

/* Secrets are checked, then taken out of what the ledger will see. */
static int
api_sim_check(struct req *req, int create)
{
	if (api_sim_digits(req, "pin", 4, 8) != 0 ||
	    api_sim_digits(req, "puk", 8, 8) != 0)
		return (-1);
	if (create) {
		json_object_set(req->body, "pin_", json_object_get(req->vals,
		    "pin"));
		json_object_set(req->body, "puk_", json_object_get(req->vals,
		    "puk"));
		json_object_del(req->vals, "pin");
		json_object_del(req->vals, "puk");
		json_object_set_new(req->vals, "state",
		    json_string("in_stock"));
	}
	return (0);
}

static enum store_status
api_sim_added(struct req *req, const char *tag)
{
	const char *pin, *puk;

	pin = json_string_value(json_object_get(req->body, "pin_"));
	puk = json_string_value(json_object_get(req->body, "puk_"));
	if (pin == NULL && puk == NULL)
		return (STORE_OK);
	return (store_sim_secret_set(tag, pin, puk));
}

/* GET /v1/sims/{tag}/secret: PIN and PUK; the reading is in the ledger. */
void
api_sim_secret_show(struct req *req)
{
	char tag[TAG_LEN + 1];
	enum store_status status;
	json_t *o;

	if (req_tag(req, 0, 'S', tag) != 0)
		return;
	if ((status = store_sim_secret_get(tag, &o)) == STORE_OK)
		status = store_ledger_add(&req->actor, tag, "secret_shown",
		    NULL, NULL, NULL, NULL);
	api_answer(req, status, 200, o, tag);
}

/* PUT /v1/sims/{tag}/secret {"pin", "puk"} */
void
api_sim_secret_set(struct req *req)
{
	char tag[TAG_LEN + 1];
	enum store_status status;
	int64_t id;

	if (req_tag(req, 0, 'S', tag) != 0 ||
	    req_fields(req, sim_secret_fields, 0) != 0 ||
	    api_sim_digits(req, "pin", 4, 8) != 0 ||
	    api_sim_digits(req, "puk", 8, 8) != 0)
		return;
	if (req_str(req, "pin") == NULL && req_str(req, "puk") == NULL) {
		reply_error(req, 400, "missing_field", "pin",
		    _("give a PIN, a PUK or both"));
		return;
	}
	if ((status = store_id_of("sim", tag, &id)) == STORE_OK)
		status = store_sim_secret_set(tag, req_str(req, "pin"),
		    req_str(req, "puk"));
	if (status == STORE_OK)
		status = store_ledger_add(&req->actor, tag, "secret_set",
		    NULL, NULL, NULL, NULL);
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	reply_json(req, 200, json_pack("{ss sb sb}", "tag", tag, "pin",
	    req_str(req, "pin") != NULL, "puk", req_str(req, "puk") != NULL));
}
