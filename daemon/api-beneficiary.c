/*
 * Beneficiaries (B-): the pseudonymous record of a person referred to the
 * programme (commune and territory, public category, prescriber, referral
 * and consent dates). Their identity (first name, last name, phone) is kept
 * apart: shown, replaced, erased for good or exported only on routes of
 * its own, each use in the ledger, which names people by their tag alone.
 * The helpers the other steps of the path share (a prescriber's scope,
 * dates and their order, numbered rows) are here too.
 */

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

#define IDENTITY_MAX	100	/* bytes of a name or a phone number */
#define NOTE_MAX	280	/* characters of a free-text note */

static int api_beneficiary_identity_check(struct req *, json_t **);
static int api_beneficiary_check(struct req *, json_t *,
	    const struct beneficiary_facts *);
static void api_beneficiary_reply(struct req *, int, const char *,
	    json_t *);
static void api_beneficiary_reply_with(struct req *, int, const char *,
	    json_t *, json_t *);

static const char *const beneficiary_categories[] = {
	"rsa_training", "rsa_entrepreneurship", "rsa_equipment",
	"long_term_unemployed", "mission_locale", "ase_young_adult",
	"siae_employee", NULL
};

static const struct field beneficiary_fields[] = {
	{ "category", FT_ENUM, F_REQUIRED, beneficiary_categories },
	{ "commune", FT_INSEE, 0 },
	{ "ase_territory", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "referred_on", FT_DATE, F_REQUIRED },
	{ "consent_on", FT_DATE, F_REQUIRED },
	{ "first_name", FT_STRING, 0 },
	{ "last_name", FT_STRING, 0 },
	{ "phone", FT_STRING, 0 },
	{ NULL }
};

static const struct field beneficiary_edit[] = {
	{ "category", FT_ENUM, 0, beneficiary_categories },
	{ "commune", FT_INSEE, 0 },
	{ "ase_territory", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "referred_on", FT_DATE, 0 },
	{ "consent_on", FT_DATE, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const struct field identity_fields[] = {
	{ "first_name", FT_STRING, 0 },
	{ "last_name", FT_STRING, 0 },
	{ "phone", FT_STRING, 0 },
	{ NULL }
};

static const struct field erase_fields[] = {
	{ "reason", FT_TEXT, F_REQUIRED },
	{ NULL }
};

static const struct field purge_fields[] = {
	{ "dry_run", FT_BOOL, 0 },
	{ NULL }
};

static const char *const beneficiary_filters[] = {
	"category", "territory", "prescriber", "commune", NULL
};

const struct resource res_beneficiary = {
	N_("beneficiary"), "beneficiaries", 'B', "beneficiary",
	beneficiary_fields, beneficiary_edit, beneficiary_filters, NULL, 0,
	NULL, NULL
};

/* Today's date, local or UTC, whichever is later (as "at" allows). */
void
api_beneficiary_today(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	char utc[16], local[16];

	gmtime_r(&t, &tm);
	strftime(utc, sizeof utc, "%Y-%m-%d", &tm);
	localtime_r(&t, &tm);
	strftime(local, sizeof local, "%Y-%m-%d", &tm);
	snprintf(buf, len, "%s", strcmp(local, utc) > 0 ? local : utc);
}

/* The day a step happened: its effective date ("at"), else today. */
void
api_beneficiary_step_date(struct req *req, char *buf, size_t len)
{
	if (req->at != NULL)
		snprintf(buf, len, "%.10s", req->at);
	else
		api_beneficiary_today(buf, len);
}

/* A date that records the past must not be in the future. */
int
api_beneficiary_past(struct req *req, const char *field, const char *date)
{
	char today[16];

	api_beneficiary_today(today, sizeof today);
	if (strcmp(date, today) <= 0)
		return (0);
	reply_error(req, 400, "invalid_field", field,
	    _("%s %s is in the future: give the date it happened"), field,
	    date);
	return (-1);
}

/*
 * Steps come in order: a step (what, on date) must not come before an
 * earlier one (prior, on prior_date). Answers 409 naming the field.
 */
int
api_beneficiary_order(struct req *req, const char *field, const char *tag,
    const char *what, const char *date, const char *prior,
    const char *prior_date)
{
	if (prior_date[0] == '\0' || strcmp(date, prior_date) >= 0)
		return (0);
	reply_error(req, 409, "date_order", field,
	    _("%s: the %s on %s would come before the %s on %s"), tag, what,
	    date, prior, prior_date);
	return (-1);
}

/* A short free-text field: at most NOTE_MAX characters. */
int
api_beneficiary_note(struct req *req, const char *field)
{
	const unsigned char *p;
	const char *s;
	size_t n = 0;

	if ((s = req_str(req, field)) == NULL)
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	if (n <= NOTE_MAX)
		return (0);
	reply_error(req, 400, "invalid_field", field,
	    _("%s is too long (%zu characters, at most %d): keep it short"),
	    field, n, NOTE_MAX);
	return (-1);
}

/* A territory named in a field must be one of the programme's. */
int
api_beneficiary_territory(struct req *req, const char *field)
{
	return (api_beneficiary_territory_code(req, field, req_str(req,
	    field)));
}

/*
 * The territory code given as field (in the body or the query; NULL if
 * not given) must be one of the programme's: else the answer is sent and
 * -1 returned.
 */
int
api_beneficiary_territory_code(struct req *req, const char *field,
    const char *code)
{
	char *known;
	enum store_status status;

	if (code == NULL)
		return (0);
	if ((status = store_beneficiary_territory(code, &known)) == STORE_OK)
		return (0);
	if (status == STORE_NOTFOUND)
		reply_error(req, 400, "invalid_field", field,
		    _("%s %s is not a territory of the programme (%s)"), field,
		    code, known);
	else
		api_reply_store(req, status, code);
	free(known);
	return (-1);
}

/* A commune named in a field must be of the programme, valid today. */
int
api_beneficiary_commune(struct req *req, const char *field,
    const char *insee)
{
	char *cause;
	enum store_status status;

	if (insee == NULL)
		return (0);
	if ((status = store_commune_check(insee, &cause)) == STORE_OK)
		return (0);
	if (cause != NULL) {
		reply_error(req, 400, "invalid_field", field, "%s", cause);
		free(cause);
	} else
		api_reply_store(req, status, insee);
	return (-1);
}

/*
 * The person a step is about, with what the step is checked against: 404
 * for an unknown tag (naming field), and the same 404 for a prescriber
 * asking about someone it did not refer. Returns 0, or -1 once answered.
 */
int
api_beneficiary_load(struct req *req, const char *field, const char *tag,
    struct beneficiary_facts *bf)
{
	enum store_status status;

	status = store_beneficiary_facts(tag, bf);
	if (status == STORE_OK && !api_beneficiary_visible(req,
	    bf->prescriber))
		status = STORE_NOTFOUND;
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", field,
		    _("beneficiary %s does not exist"), tag);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return (-1);
	}
	return (0);
}

/*
 * May this caller see a person referred by prescriber? A prescriber sees
 * only the people it referred; to it the others do not exist (404, as an
 * unknown tag: it cannot tell a person of another prescriber from a free
 * tag).
 */
int
api_beneficiary_visible(struct req *req, const char *prescriber)
{
	return (req->role != ROLE_PRESCRIBER || (req->prescriber != NULL &&
	    prescriber != NULL && strcmp(req->prescriber, prescriber) == 0));
}

/*
 * A prescriber's lists hold its own people only: the "prescriber" filter
 * is set to it (in filters if given, else in the query). An account that
 * names no prescriber gets an empty list: returns -1 once answered.
 */
int
api_beneficiary_scope_list(struct req *req, json_t *filters)
{
	if (req->role != ROLE_PRESCRIBER)
		return (0);
	if (req->prescriber == NULL) {
		reply_json(req, 200, json_pack("{s[] sn}", "items", "next"));
		return (-1);
	}
	if (filters != NULL)
		json_object_set_new(filters, "prescriber",
		    json_string(req->prescriber));
	else {
		evhttp_remove_header(req->query, "prescriber");
		evhttp_add_header(req->query, "prescriber", req->prescriber);
	}
	return (0);
}

/* The path's {tag} as the number of a row (an orientation, a follow-up). */
int
api_beneficiary_id(struct req *req, const char *what, int64_t *id)
{
	const char *s = req->params[0];
	char *end;
	long long v;

	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 1) {
		reply_error(req, 400, "invalid_field", "id",
		    _("%s %s: expected its number, such as 12"), what, s);
		return (-1);
	}
	*id = v;
	return (0);
}

/*
 * GET a list of a view keyed by id: filters from the query (names and
 * types from the table; tags, enums and booleans checked), ?after=N,
 * ?limit=N, and a prescriber's own people only.
 */
void
api_beneficiary_rows(struct req *req, const char *view,
    const struct field *filters)
{
	const struct field *f;
	const char *v, *after;
	char *end;
	long long limit, from = 0;
	json_t *sel, *tmp, *nv, *o;
	enum store_status status;

	if (req_limit(req, &limit, &after) != 0)
		return;
	if (after != NULL) {
		from = strtoll(after, &end, 10);
		if (*after < '0' || *after > '9' || *end != '\0') {
			reply_error(req, 400, "invalid_field", "after",
			    _("after %s: expected the number given as next"),
			    after);
			return;
		}
	}
	sel = json_object();
	for (f = filters; f->name != NULL; f++) {
		if ((v = req_query(req, f->name)) == NULL)
			continue;
		if (f->type == FT_BOOL) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
				reply_error(req, 400, "invalid_field", f->name,
				    _("%s %s: expected true or false"),
				    f->name, v);
				json_decref(sel);
				return;
			}
			json_object_set_new(sel, f->name,
			    json_boolean(strcmp(v, "true") == 0));
			continue;
		}
		tmp = json_string(v);
		if (req_value(req, f, tmp, &nv) != 0) {
			json_decref(tmp);
			json_decref(sel);
			return;
		}
		json_decref(tmp);
		json_object_set_new(sel, f->name, nv);
	}
	if (api_beneficiary_scope_list(req, sel) != 0) {
		json_decref(sel);
		return;
	}
	status = store_beneficiary_rows(view, sel, from, limit, &o);
	json_decref(sel);
	api_answer(req, status, 200, o, view);
}

/* GET one numbered row of a view, in a prescriber's scope. */
void
api_beneficiary_row(struct req *req, const char *view, const char *what)
{
	int64_t id;
	json_t *o;
	enum store_status status;

	if (api_beneficiary_id(req, what, &id) != 0)
		return;
	status = store_beneficiary_row(view, id, &o);
	if (status == STORE_OK && !api_beneficiary_visible(req,
	    json_string_value(json_object_get(o, "prescriber")))) {
		json_decref(o);
		status = STORE_NOTFOUND;
	}
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_id", "id",
		    _("%s %lld does not exist"), what, (long long)id);
		return;
	}
	api_answer(req, status, 200, o, what);
}

/*
 * Identity fields, checked before the generic validation so that no
 * sentence (nor the debug log) repeats a name or a number: strings of at
 * most IDENTITY_MAX bytes, no control character, no edge space; a phone
 * as 10 digits from 0, or + and 8 to 15 digits (spaces, dots, dashes
 * allowed between). *identity gets those given (phone normalised).
 */
static int
api_beneficiary_identity_check(struct req *req, json_t **identity)
{
	static const char *const names[] = {
		"first_name", "last_name", "phone", NULL
	};
	const unsigned char *p;
	const char *s;
	char digits[IDENTITY_MAX + 1];
	size_t len, n;
	json_t *v;
	int i;

	*identity = json_object();
	for (i = 0; req->body != NULL && names[i] != NULL; i++) {
		if ((v = json_object_get(req->body, names[i])) == NULL ||
		    json_is_null(v))
			continue;
		if ((s = json_string_value(v)) == NULL) {
			reply_error(req, 400, "invalid_type", names[i],
			    _("%s must be a string"), names[i]);
			goto fail;
		}
		len = strlen(s);
		if (len == 0 || len > IDENTITY_MAX) {
			reply_error(req, 400, "invalid_field", names[i],
			    _("%s must hold 1 to %d bytes"), names[i],
			    IDENTITY_MAX);
			goto fail;
		}
		for (p = (const unsigned char *)s; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f)
				break;
		if (*p != '\0' || s[0] == ' ' || s[len - 1] == ' ') {
			reply_error(req, 400, "invalid_field", names[i],
			    _("%s must be one line with no space at either "
			    "end"), names[i]);
			goto fail;
		}
		if (strcmp(names[i], "phone") != 0) {
			json_object_set_new(*identity, names[i],
			    json_string(s));
			continue;
		}
		n = 0;
		for (p = (const unsigned char *)s; *p != '\0'; p++) {
			if (*p >= '0' && *p <= '9')
				digits[n++] = *p;
			else if (*p == '+' && n == 0 && p == (const unsigned
			    char *)s)
				digits[n++] = '+';
			else if (*p != ' ' && *p != '.' && *p != '-')
				break;
		}
		digits[n] = '\0';
		if (*p != '\0' || (digits[0] == '+' ? n < 9 || n > 16 :
		    n != 10 || digits[0] != '0' || digits[1] == '0')) {
			reply_error(req, 400, "invalid_field", "phone",
			    _("phone: expected a phone number such as "
			    "06 12 34 56 78 or +33 6 12 34 56 78"));
			goto fail;
		}
		json_object_set_new(*identity, "phone", json_string(digits));
	}
	return (0);
fail:
	json_decref(*identity);
	*identity = NULL;
	return (-1);
}

/*
 * The record's consistency, for a new one and after a correction: the
 * territory is the commune's, or for an ASE young adult the ASE
 * circonscription's, given as ase_territory; the commune is of the
 * programme; referral and consent are in the past and in that order,
 * consent before the diagnostic; the prescriber exists. vals gets
 * "territory" and loses "ase_territory".
 */
static int
api_beneficiary_check(struct req *req, json_t *vals,
    const struct beneficiary_facts *bf)
{
	const char *category, *commune, *ase, *referred, *consent, *tag;
	const char *prescriber;
	char territory[16], *known;
	enum store_status status;
	int64_t id;

	category = json_string_value(json_object_get(vals, "category"));
	commune = json_string_value(json_object_get(vals, "commune"));
	ase = json_string_value(json_object_get(vals, "ase_territory"));
	referred = json_string_value(json_object_get(vals, "referred_on"));
	consent = json_string_value(json_object_get(vals, "consent_on"));
	prescriber = json_string_value(json_object_get(vals, "prescriber"));
	tag = bf != NULL ? bf->tag : _("the beneficiary");
	if (strcmp(category, "ase_young_adult") == 0) {
		if (ase == NULL) {
			reply_error(req, 400, "missing_field", "ase_territory",
			    _("an ASE young adult belongs to the territory of "
			    "their ASE circonscription, not of their commune: "
			    "give ase_territory (T6, T7, T8 or T9)"));
			return (-1);
		}
		status = store_beneficiary_territory(ase, &known);
		if (status == STORE_NOTFOUND) {
			reply_error(req, 400, "invalid_field", "ase_territory",
			    _("ase_territory %s is not a territory of the "
			    "programme (%s)"), ase, known);
			free(known);
			return (-1);
		}
		if (status != STORE_OK) {
			api_reply_store(req, status, ase);
			return (-1);
		}
		snprintf(territory, sizeof territory, "%s", ase);
	} else {
		if (ase != NULL) {
			reply_error(req, 400, "invalid_field", "ase_territory",
			    _("ase_territory is only for category "
			    "ase_young_adult (category %s takes the territory "
			    "of the commune)"), category);
			return (-1);
		}
		if (commune == NULL) {
			reply_error(req, 400, "missing_field", "commune",
			    _("commune is required: the INSEE code of the "
			    "commune of residence, such as 93066 for "
			    "Saint-Denis"));
			return (-1);
		}
	}
	if (api_beneficiary_commune(req, "commune", commune) != 0)
		return (-1);
	if (ase == NULL && (status = store_beneficiary_commune_territory(
	    commune, territory, sizeof territory)) != STORE_OK) {
		api_reply_store(req, status, commune);
		return (-1);
	}
	if (api_beneficiary_past(req, "referred_on", referred) != 0 ||
	    api_beneficiary_past(req, "consent_on", consent) != 0 ||
	    api_beneficiary_order(req, "consent_on", tag, _("consent"),
	    consent, _("referral"), referred) != 0)
		return (-1);
	if (bf != NULL && bf->diagnosed_on[0] != '\0' &&
	    api_beneficiary_order(req, "consent_on", tag,
	    _("diagnostic"), bf->diagnosed_on, _("consent"), consent) != 0)
		return (-1);
	status = store_id_of("prescriber", prescriber, &id);
	if (status == STORE_NOTFOUND) {
		reply_error(req, 404, "unknown_tag", "prescriber",
		    _("prescriber %s does not exist"), prescriber);
		return (-1);
	}
	if (status != STORE_OK) {
		api_reply_store(req, status, prescriber);
		return (-1);
	}
	json_object_set_new(vals, "territory", json_string(territory));
	json_object_del(vals, "ase_territory");
	return (0);
}

/* The record as shown: never the identity, only whether there is one. */
static void
api_beneficiary_reply(struct req *req, int code, const char *tag,
    json_t *changed)
{
	api_beneficiary_reply_with(req, code, tag, changed, NULL);
}

/* The same, with extra's members (stolen) too. */
static void
api_beneficiary_reply_with(struct req *req, int code, const char *tag,
    json_t *changed, json_t *extra)
{
	struct beneficiary_facts bf;
	enum store_status status;
	json_t *o = NULL;

	if ((status = store_beneficiary_facts(tag, &bf)) == STORE_OK)
		status = store_item_get(&res_beneficiary, tag, &o);
	if (status != STORE_OK) {
		json_decref(changed);
		json_decref(extra);
		api_reply_store(req, status, tag);
		return;
	}
	if (extra != NULL)
		json_object_update(o, extra);
	json_decref(extra);
	json_object_set_new(o, "identity", json_string(bf.erased_at[0] !=
	    '\0' ? "erased" : bf.identity ? "recorded" : "none"));
	json_object_set_new(o, "diagnosed_on", bf.diagnosed_on[0] != '\0' ?
	    json_string(bf.diagnosed_on) : json_null());
	json_object_set_new(o, "handed_over_on", bf.handed_over_on[0] !=
	    '\0' ? json_string(bf.handed_over_on) : json_null());
	if (changed != NULL)
		json_object_set_new(o, "changed", changed);
	reply_json(req, code, o);
}

/* POST /v1/beneficiaries: the record, and the identity apart if given. */
void
api_beneficiary_add(struct req *req)
{
	static const char *const copy[] = {
		"category", "commune", "ase_territory", "referred_on",
		"consent_on", NULL
	};
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	const char *prescriber;
	json_t *identity, *vals, *v;
	enum store_status status;
	int i;

	if (api_beneficiary_identity_check(req, &identity) != 0)
		return;
	if (req_fields(req, beneficiary_fields, 0) != 0)
		goto out;
	prescriber = req_str(req, "prescriber");
	if (req->role == ROLE_PRESCRIBER) {
		if (req->prescriber == NULL || (prescriber != NULL &&
		    strcmp(prescriber, req->prescriber) != 0)) {
			reply_error(req, 403, "forbidden", "prescriber",
			    _("a prescriber refers people in its own name: "
			    "this account is for %s"), req->prescriber !=
			    NULL ? req->prescriber : _("no prescriber"));
			goto out;
		}
		prescriber = req->prescriber;
	} else if (prescriber == NULL) {
		reply_error(req, 400, "missing_field", "prescriber",
		    _("%s is required"), "prescriber");
		goto out;
	}
	vals = json_pack("{ss}", "prescriber", prescriber);
	for (i = 0; copy[i] != NULL; i++)
		if ((v = json_object_get(req->vals, copy[i])) != NULL &&
		    !json_is_null(v))
			json_object_set(vals, copy[i], v);
	if (api_beneficiary_check(req, vals, NULL) != 0) {
		json_decref(vals);
		goto out;
	}
	json_object_set_new(vals, "identity",
	    json_boolean(json_object_size(identity) > 0));
	status = store_beneficiary_add(&req->actor, vals, tag);
	json_decref(vals);
	if (status == STORE_OK && json_object_size(identity) > 0 &&
	    (status = store_beneficiary_facts(tag, &bf)) == STORE_OK)
		status = store_beneficiary_identity_set(&req->actor, &bf,
		    identity);
	if (status != STORE_OK)
		api_reply_store(req, status, tag);
	else
		api_beneficiary_reply(req, 201, tag, NULL);
out:
	json_decref(identity);
}

/* GET /v1/beneficiaries: a page, a prescriber's own people only. */
void
api_beneficiary_list(struct req *req)
{
	if (api_beneficiary_scope_list(req, NULL) != 0)
		return;
	api_item_list(req);
}

/* GET /v1/beneficiaries/{tag} */
void
api_beneficiary_show(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	api_beneficiary_reply(req, 200, tag, NULL);
}

/* PATCH /v1/beneficiaries/{tag}: corrections, checked as a whole. */
void
api_beneficiary_edit(struct req *req)
{
	static const char *const keep[] = {
		"category", "commune", "prescriber", "referred_on",
		"consent_on", NULL
	};
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	const char *key;
	json_t *cur, *vals, *v, *changed;
	enum store_status status;
	int i;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    req_fields(req, beneficiary_edit, 0) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	if (json_object_size(req->vals) == 0 ||
	    (json_object_size(req->vals) == 1 &&
	    json_object_get(req->vals, "reason") != NULL)) {
		reply_error(req, 400, "missing_field", NULL,
		    _("nothing to edit: give at least one field to change"));
		return;
	}
	json_object_foreach(req->vals, key, v) {
		if (json_is_null(v) && strcmp(key, "commune") != 0 &&
		    strcmp(key, "ase_territory") != 0 &&
		    strcmp(key, "reason") != 0) {
			reply_error(req, 400, "invalid_field", key,
			    _("%s cannot be removed, only changed"), key);
			return;
		}
	}
	if ((status = store_item_get(&res_beneficiary, tag, &cur)) !=
	    STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	vals = json_object();
	for (i = 0; keep[i] != NULL; i++)
		if ((v = json_object_get(cur, keep[i])) != NULL &&
		    !json_is_null(v))
			json_object_set(vals, keep[i], v);
	/* An ASE young adult keeps their territory unless told another. */
	if (strcmp(bf.category, "ase_young_adult") == 0)
		json_object_set(vals, "ase_territory", json_object_get(cur,
		    "territory"));
	json_decref(cur);
	if ((v = json_object_get(req->vals, "category")) != NULL &&
	    strcmp(json_string_value(v), bf.category) != 0 &&
	    json_object_get(req->vals, "ase_territory") == NULL)
		json_object_del(vals, "ase_territory");
	json_object_foreach(req->vals, key, v) {
		if (json_is_null(v))
			json_object_del(vals, key);
		else
			json_object_set(vals, key, v);
	}
	if (api_beneficiary_check(req, vals, &bf) != 0) {
		json_decref(vals);
		return;
	}
	if (json_object_get(vals, "commune") == NULL)
		json_object_set_new(vals, "commune", json_null());
	status = store_beneficiary_edit(&req->actor, tag, vals, &changed);
	json_decref(vals);
	if (status != STORE_OK) {
		json_decref(changed);
		api_reply_store(req, status, tag);
		return;
	}
	api_beneficiary_reply(req, 200, tag, changed);
}

/* GET /v1/beneficiaries/{tag}/identity: shown, and the ledger says so. */
void
api_beneficiary_identity(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	json_t *o;
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	if (bf.erased_at[0] != '\0') {
		reply_error(req, 410, "identity_erased", "tag",
		    _("the identity of %s was erased on %s"), tag,
		    bf.erased_at);
		return;
	}
	status = store_beneficiary_identity_show(&req->actor, tag, &o);
	if (status == STORE_NOTFOUND) {
		json_decref(o);
		reply_error(req, 404, "no_identity", "tag",
		    _("%s has no identity recorded"), tag);
		return;
	}
	api_answer(req, status, 200, o, tag);
}

/* PUT /v1/beneficiaries/{tag}/identity: record or replace it. */
void
api_beneficiary_identity_set(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	json_t *identity;
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    api_beneficiary_identity_check(req, &identity) != 0)
		return;
	if (req_fields(req, identity_fields, 0) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		goto out;
	if (bf.erased_at[0] != '\0') {
		reply_error(req, 409, "identity_erased", "tag",
		    _("the identity of %s was erased on %s: it is not "
		    "recorded again"), tag, bf.erased_at);
		goto out;
	}
	if (json_object_size(identity) == 0) {
		reply_error(req, 400, "missing_field", NULL,
		    _("give first_name, last_name or phone"));
		goto out;
	}
	status = store_beneficiary_identity_set(&req->actor, &bf, identity);
	if (status != STORE_OK)
		api_reply_store(req, status, tag);
	else
		api_beneficiary_reply(req, 200, tag, NULL);
out:
	json_decref(identity);
}

/*
 * Whether an erasure's bytes are gone from the database files once it is
 * committed ("purged": true: no reader holds the WAL, its checkpoint runs
 * right after the COMMIT, before any other request), or by when at the
 * latest ("purge_by", ISO 8601: readers open now are ended within
 * request-timeout, and the checkpoint is retried until it runs).
 */
static json_t *
api_beneficiary_purge_state(void)
{
	char by[32];
	struct tm tm;
	time_t t;

	if (!store_wal_purge_by(&t))
		return (json_pack("{sb}", "purged", 1));
	gmtime_r(&t, &tm);
	strftime(by, sizeof by, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (json_pack("{sb ss}", "purged", 0, "purge_by", by));
}

/*
 * POST /v1/beneficiaries/{tag}/erase-identity {"reason"}: for good. The
 * WAL is checkpointed once this is committed, so no copy stays there; the
 * answer says whether that is done or by when (api_beneficiary_purge_state).
 */
void
api_beneficiary_erase(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    req_fields(req, erase_fields, 0) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	if (bf.erased_at[0] != '\0') {
		reply_error(req, 409, "identity_erased", "tag",
		    _("the identity of %s was already erased on %s"), tag,
		    bf.erased_at);
		return;
	}
	if (!bf.identity) {
		reply_error(req, 409, "no_identity", "tag",
		    _("%s has no identity recorded: there is nothing to "
		    "erase"), tag);
		return;
	}
	status = store_beneficiary_erase(&req->actor, &bf, "request",
	    req_str(req, "reason"));
	if (status != STORE_OK) {
		api_reply_store(req, status, tag);
		return;
	}
	req->checkpoint = 1;
	api_beneficiary_reply_with(req, 200, tag, NULL,
	    api_beneficiary_purge_state());
}

/* GET /v1/beneficiaries/{tag}/export: a person's own data, for them. */
void
api_beneficiary_export(struct req *req)
{
	struct beneficiary_facts bf;
	char tag[TAG_LEN + 1];
	json_t *o;
	enum store_status status;

	if (req_tag(req, 0, 'B', tag) != 0 ||
	    api_beneficiary_load(req, "tag", tag, &bf) != 0)
		return;
	status = store_beneficiary_export(&req->actor, tag, &o);
	api_answer(req, status, 200, o, tag);
}

/*
 * The programme's retention period in months: 0 if the profile sets none,
 * -1 if it is not a number of months.
 */
long long
api_beneficiary_retention(void)
{
	char *v, *end;
	long long months;

	if (store_beneficiary_setting("retention-months", &v) != STORE_OK)
		return (-1);
	if (v == NULL)
		return (0);
	months = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || months < 1 || months > 1200)
		months = -1;
	free(v);
	return (months);
}

/*
 * POST /v1/beneficiaries/purge-due {"dry_run"}: erase the identities past
 * the retention period now (the daemon also does it daily), or with
 * dry_run only say whose are due.
 */
void
api_beneficiary_purge(struct req *req)
{
	char today[16];
	long long months;
	json_t *o;
	enum store_status status;
	int dry;

	if (req->body != NULL && req_fields(req, purge_fields, 0) != 0)
		return;
	dry = json_is_true(json_object_get(req->vals, "dry_run"));
	if ((months = api_beneficiary_retention()) <= 0) {
		reply_error(req, 409, "no_retention", NULL, months == 0 ?
		    _("the programme profile sets no retention-months: no "
		    "identity is due for erasure") : _("the programme "
		    "profile's retention-months is not a number of months"));
		return;
	}
	api_beneficiary_today(today, sizeof today);
	status = store_beneficiary_purge(&req->actor, months, today, dry, &o);
	if (status == STORE_OK && json_integer_value(json_object_get(o,
	    "erased")) > 0) {
		req->checkpoint = 1;
		json_object_update_new(o, api_beneficiary_purge_state());
	}
	api_answer(req, status, 200, o, "purge");
}
