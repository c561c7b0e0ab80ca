/*
 * Prescribers (P-): the structures that refer people to the programme
 * (PIE, RSA referent associations, insertion plan bodies, CISP, France
 * Travail, Cap emploi, missions locales, ASE services, SIAE), with their
 * territory and the contact of their referent.
 */

#include "kitstockd.h"

static int api_prescriber_check(struct req *, int);

static const char *const prescriber_kinds[] = {
	"pie", "rsa_association", "insertion_plan", "cisp", "france_travail",
	"cap_emploi", "mission_locale", "ase", "siae", NULL
};

static const struct field prescriber_fields[] = {
	{ "kind", FT_ENUM, F_REQUIRED, prescriber_kinds },
	{ "name", FT_STRING, F_REQUIRED },
	{ "territory", FT_STRING, 0 },
	{ "contact", FT_TEXT, 0 },
	{ NULL }
};

static const struct field prescriber_edit[] = {
	{ "kind", FT_ENUM, 0, prescriber_kinds },
	{ "name", FT_STRING, 0 },
	{ "territory", FT_STRING, 0 },
	{ "contact", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const prescriber_filters[] = { "kind", "territory", NULL };

const struct resource res_prescriber = {
	N_("prescriber"), "prescribers", 'P', "prescriber", prescriber_fields,
	prescriber_edit, prescriber_filters, NULL, 0, api_prescriber_check,
	NULL
};

/* A territory named must be one of the programme's (T6 ... T9). */
static int
api_prescriber_check(struct req *req, int create)
{
	return (api_beneficiary_territory(req, "territory"));
}
