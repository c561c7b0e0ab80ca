/*
 * Locations (L-): warehouses, distribution points and repair partners, each
 * in a commune of the programme, which gives its territory.
 */

#include <stdlib.h>

#include "kitstockd.h"

static int api_location_check(struct req *, int);

static const char *const location_kinds[] = {
	"warehouse", "distribution", "repair", NULL
};

static const struct field location_fields[] = {
	{ "name", FT_STRING, F_REQUIRED },
	{ "kind", FT_ENUM, F_REQUIRED, location_kinds },
	{ "commune", FT_INSEE, F_REQUIRED },
	{ "address", FT_TEXT, 0 },
	{ NULL }
};

static const struct field location_edit[] = {
	{ "name", FT_STRING, 0 },
	{ "kind", FT_ENUM, 0, location_kinds },
	{ "commune", FT_INSEE, 0 },
	{ "address", FT_TEXT, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const location_filters[] = {
	"kind", "commune", "territory", NULL
};

const struct resource res_location = {
	N_("location"), "locations", 'L', "location", location_fields,
	location_edit, location_filters, NULL, 0, api_location_check, NULL
};

/* The commune must be one of the programme's, and still exist today. */
static int
api_location_check(struct req *req, int create)
{
	const char *insee;
	char *cause;
	enum store_status status;

	if ((insee = req_str(req, "commune")) == NULL)
		return (0);
	if ((status = store_commune_check(insee, &cause)) == STORE_OK)
		return (0);
	if (cause != NULL) {
		reply_error(req, 400, "invalid_field", "commune", "%s", cause);
		free(cause);
	} else
		api_reply_store(req, status, insee);
	return (-1);
}
