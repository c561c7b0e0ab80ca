/*
 * Suppliers (F-): refurbishers and other sellers, with their SIRET, ESS
 * status and whether they are local to the département.
 */

#include "kitstockd.h"

static const char *const supplier_ess[] = {
	"none", "association", "cooperative", "insertion", "esus", "other",
	NULL
};

static const struct field supplier_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "siret", FT_SIRET, 0 },
	{ "ess", FT_ENUM, 0, supplier_ess },
	{ "local", FT_BOOL, 0 },
	{ "contact", FT_TEXT, 0 },
	{ NULL }
};

static const struct field supplier_edit[] = {
	{ "name", FT_STRING, 0 },
	{ "siret", FT_SIRET, 0 },
	{ "ess", FT_ENUM, 0, supplier_ess },
	{ "local", FT_BOOL, 0 },
	{ "contact", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const supplier_filters[] = { "ess", "local", NULL };

const struct resource res_supplier = {
	N_("supplier"), "suppliers", 'F', "supplier", supplier_fields,
	supplier_edit, supplier_filters, NULL, 0, NULL, NULL
};
