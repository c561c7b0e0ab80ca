/*
 * Lots (R-): one delivery from a supplier, with its delivery-note reference,
 * date and unit cost.
 */

#include "kitstockd.h"

static const struct field lot_fields[] = {
	{ "supplier", FT_TAG, F_REQUIRED, NULL, 'F' },
	{ "ref", FT_STRING, F_REQUIRED },
	{ "delivered_on", FT_DATE, 0 },
	{ "unit_cost", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ NULL }
};

static const struct field lot_edit[] = {
	{ "ref", FT_STRING, 0 },
	{ "delivered_on", FT_DATE, 0 },
	{ "unit_cost", FT_EUROS, 0 },
	{ "notes", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const lot_filters[] = { "supplier", NULL };

const struct resource res_lot = {
	N_("lot"), "lots", 'R', "lot", lot_fields, lot_edit, lot_filters,
	NULL, 0, NULL, NULL
};
