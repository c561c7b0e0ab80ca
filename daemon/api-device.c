/*
 * Devices (D-): serialised units, from desktops to 4G routers, with their
 * IMEIs, specs, grade, lot, cost and warranty.
 */

#include <string.h>

#include "kitstockd.h"

static int api_device_check(struct req *, int);
static enum store_status api_device_added(struct req *, const char *);

static const char *const device_kinds[] = {
	"desktop", "laptop", "tablet", "smartphone", "4g-router", NULL
};

static const char *const device_grades[] = { "A", "B", "C", NULL };

#define DEVICE_FIELDS							\
	{ "brand", FT_STRING, 0 },					\
	{ "model", FT_STRING, 0 },					\
	{ "imei", FT_IMEIS, 0 },					\
	{ "cpu", FT_STRING, 0 },					\
	{ "ram_gb", FT_INT, 0, NULL, 0, 0, 4096 },			\
	{ "storage_gb", FT_INT, 0, NULL, 0, 0, 65536 },			\
	{ "screen_in", FT_DECIMAL, 0, NULL, 0, 1, 100 },		\
	{ "os", FT_STRING, 0 },						\
	{ "grade", FT_ENUM, 0, device_grades },				\
	{ "cost", FT_EUROS, 0 },					\
	{ "warranty_until", FT_DATE, 0 },				\
	{ "erasure_cert", FT_STRING, 0 }

static const struct field device_fields[] = {
	{ "kind", FT_ENUM, F_REQUIRED, device_kinds },
	{ "serial", FT_STRING, F_REQUIRED },
	{ "lot", FT_TAG, F_REQUIRED, NULL, 'R' },
	{ "location", FT_TAG, 0, NULL, 'L' },
	DEVICE_FIELDS,
	{ NULL }
};

static const struct field device_edit[] = {
	{ "kind", FT_ENUM, 0, device_kinds },
	{ "serial", FT_STRING, 0 },
	{ "lot", FT_TAG, 0, NULL, 'R' },
	DEVICE_FIELDS,
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

static const char *const device_filters[] = {
	"state", "kind", "location", "lot", "supplier", "territory", "grade",
	"brand", "model", NULL
};

const struct resource res_device = {
	N_("device"), "devices", 'D', "device", device_fields, device_edit,
	device_filters, &lifecycle_device, 1, api_device_check,
	api_device_added
};

/*
 * Phones and routers need an IMEI; serial per brand and IMEIs are unique
 * (answered with the unit that already has them). A device added at a
 * location is in stock, otherwise received.
 */
static int
api_device_check(struct req *req, int create)
{
	const char *kind = req_str(req, "kind"), *serial, *brand;
	char holder[TAG_LEN + 1];
	json_t *imeis, *v;
	size_t i;

	imeis = json_object_get(req->vals, "imei");
	if (create && kind != NULL && (strcmp(kind, "smartphone") == 0 ||
	    strcmp(kind, "4g-router") == 0) && !json_is_array(imeis)) {
		reply_error(req, 400, "missing_field", "imei",
		    _("a %s needs its IMEI (15 digits, on the box or "
		    "shown by dialling *#06#)"), kind);
		return (-1);
	}
	if (json_is_array(imeis)) {
		json_array_foreach(imeis, i, v) {
			if (store_device_imei_holder(json_string_value(v),
			    holder) != STORE_OK)
				return (api_reply_store(req, STORE_ERROR, ""),
				    -1);
			if (holder[0] != '\0' && (create ||
			    strcmp(holder, req->params[0]) != 0)) {
				reply_error(req, 409, "duplicate", "imei",
				    _("IMEI %s is already registered (%s)"),
				    json_string_value(v), holder);
				return (-1);
			}
		}
	}
	if (create && (serial = req_str(req, "serial")) != NULL) {
		brand = req_str(req, "brand");
		if (store_device_serial_holder(brand, serial, holder) !=
		    STORE_OK)
			return (api_reply_store(req, STORE_ERROR, ""), -1);
		if (holder[0] != '\0') {
			reply_error(req, 409, "duplicate", "serial",
			    _("a device with serial %s is already registered "
			    "(%s)"), serial, holder);
			return (-1);
		}
	}
	if (create)
		json_object_set_new(req->vals, "state", json_string(
		    req_str(req, "location") != NULL ? "in_stock" :
		    "received"));
	return (0);
}

/* A device with no cost of its own costs its lot's unit cost. */
static enum store_status
api_device_added(struct req *req, const char *tag)
{
	return (store_device_cost_from_lot(tag));
}
