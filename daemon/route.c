/*
 * The one route table: method, path pattern, whether the route writes (and
 * so runs in a transaction answered after its commit), handler, resource,
 * roles, and the media type of the body if it is not JSON.
 * A "{tag}" segment matches one path segment, given to the handler decoded.
 */

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "kitstockd.h"
#include "scan.h"

#define R_READ	0
#define R_WRITE	1

/* Create, show, list, edit; reads for inventory roles, writes for stock. */
#define ITEM_ROUTES(p, r)						\
	{ "GET", "/v1/" p, R_READ, api_item_list, &(r), ROLE_INVENTORY },	\
	{ "POST", "/v1/" p, R_WRITE, api_item_add, &(r), ROLE_STOCK },	\
	{ "GET", "/v1/" p "/{tag}", R_READ, api_item_show, &(r),	\
	    ROLE_INVENTORY },						\
	{ "PATCH", "/v1/" p "/{tag}", R_WRITE, api_item_edit, &(r),	\
	    ROLE_STOCK }

const struct route route_table[] = {
	{ "GET", "/v1/health", R_READ, api_health, NULL, ROLE_PUBLIC },
	{ "GET", "/v1/programme", R_READ, api_programme, NULL, ROLE_STAFF },
	{ "GET", "/v1/communes", R_READ, api_communes, NULL, ROLE_STAFF },
	ITEM_ROUTES("suppliers", res_supplier),
	ITEM_ROUTES("locations", res_location),
	ITEM_ROUTES("lots", res_lot),
	{ "POST", "/v1/lots/import", R_WRITE, api_lot_import, &res_lot,
	    ROLE_STOCK, "text/csv" },
	{ "POST", "/v1/lots/{tag}/import", R_WRITE, api_lot_import, &res_lot,
	    ROLE_STOCK, "text/csv" },
	{ "POST", "/v1/lots/{tag}/receive", R_WRITE, api_lot_receive,
	    &res_lot, ROLE_STOCK },
	{ "GET", "/v1/lots/{tag}/reconcile", R_READ, api_lot_reconcile,
	    &res_lot, ROLE_INVENTORY },
	ITEM_ROUTES("devices", res_device),
	{ "POST", "/v1/devices/{tag}/state", R_WRITE, api_unit_state,
	    &res_device, ROLE_STOCK },
	ITEM_ROUTES("sims", res_sim),
	{ "POST", "/v1/sims/{tag}/state", R_WRITE, api_unit_state, &res_sim,
	    ROLE_STOCK },
	{ "GET", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_show,
	    &res_sim },
	{ "PUT", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_set,
	    &res_sim },
	{ "GET", "/v1/accessories", R_READ, api_item_list, &res_accessory,
	    ROLE_INVENTORY },
	{ "POST", "/v1/accessories", R_WRITE, api_accessory_add,
	    &res_accessory, ROLE_STOCK },
	{ "GET", "/v1/accessories/{tag}", R_READ, api_item_show,
	    &res_accessory, ROLE_INVENTORY },
	{ "PATCH", "/v1/accessories/{tag}", R_WRITE, api_item_edit,
	    &res_accessory, ROLE_STOCK },
	{ "POST", "/v1/accessories/{tag}/moves", R_WRITE, api_accessory_move,
	    &res_accessory, ROLE_STOCK },
	{ "POST", "/v1/accessories/{tag}/adjust", R_WRITE,
	    api_accessory_adjust, &res_accessory, ROLE_STOCK },
	/* The beneficiary path: people, their identity, their steps. */
	{ "GET", "/v1/prescribers", R_READ, api_item_list, &res_prescriber,
	    ROLE_STAFF },
	{ "POST", "/v1/prescribers", R_WRITE, api_item_add, &res_prescriber,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/prescribers/{tag}", R_READ, api_item_show,
	    &res_prescriber, ROLE_STAFF },
	{ "PATCH", "/v1/prescribers/{tag}", R_WRITE, api_item_edit,
	    &res_prescriber, ROLE_COORDINATOR },
	{ "GET", "/v1/beneficiaries", R_READ, api_beneficiary_list,
	    &res_beneficiary, ROLE_PEOPLE },
	{ "POST", "/v1/beneficiaries", R_WRITE, api_beneficiary_add,
	    &res_beneficiary, ROLE_PEOPLE },
	{ "POST", "/v1/beneficiaries/purge-due", R_WRITE,
	    api_beneficiary_purge, &res_beneficiary, ROLE_COORDINATOR },
	{ "GET", "/v1/beneficiaries/{tag}", R_READ, api_beneficiary_show,
	    &res_beneficiary, ROLE_PEOPLE },
	{ "PATCH", "/v1/beneficiaries/{tag}", R_WRITE, api_beneficiary_edit,
	    &res_beneficiary, ROLE_COORDINATOR },
	/* Showing an identity or exporting a person's data is recorded. */
	{ "GET", "/v1/beneficiaries/{tag}/identity", R_WRITE,
	    api_beneficiary_identity, &res_beneficiary,
	    ROLE_COORDINATOR | ROLE_PRESCRIBER },
	{ "PUT", "/v1/beneficiaries/{tag}/identity", R_WRITE,
	    api_beneficiary_identity_set, &res_beneficiary,
	    ROLE_COORDINATOR | ROLE_PRESCRIBER },
	{ "POST", "/v1/beneficiaries/{tag}/erase-identity", R_WRITE,
	    api_beneficiary_erase, &res_beneficiary, ROLE_COORDINATOR },
	{ "GET", "/v1/beneficiaries/{tag}/export", R_WRITE,
	    api_beneficiary_export, &res_beneficiary, ROLE_COORDINATOR },
	{ "GET", "/v1/diagnostics", R_READ, api_diagnostic_list, NULL,
	    ROLE_PEOPLE },
	{ "POST", "/v1/diagnostics", R_WRITE, api_diagnostic_add, NULL,
	    ROLE_PATH },
	{ "GET", "/v1/diagnostics/{tag}", R_READ, api_diagnostic_show, NULL,
	    ROLE_PEOPLE },
	{ "PATCH", "/v1/diagnostics/{tag}", R_WRITE, api_diagnostic_edit, NULL,
	    ROLE_PATH },
	{ "GET", "/v1/offers", R_READ, api_item_list, &res_offer, ROLE_STAFF },
	{ "POST", "/v1/offers", R_WRITE, api_offer_add, &res_offer,
	    ROLE_COORDINATOR },
	{ "POST", "/v1/offers/import", R_WRITE, api_offers_import, &res_offer,
	    ROLE_COORDINATOR, "text/csv" },
	{ "GET", "/v1/places", R_READ, api_place_list, NULL,
	    ROLE_INVENTORY | ROLE_EVALUATOR },
	{ "GET", "/v1/places/{tag}", R_READ, api_place_show, NULL,
	    ROLE_INVENTORY | ROLE_EVALUATOR },
	{ "GET", "/v1/beneficiaries/{tag}/offers", R_READ, api_offers_suggest,
	    &res_beneficiary, ROLE_PEOPLE },
	{ "GET", "/v1/orientations/dropouts", R_READ, api_offers_dropout_list,
	    NULL, ROLE_PEOPLE },
	{ "GET", "/v1/offers/{tag}", R_READ, api_item_show, &res_offer,
	    ROLE_STAFF },
	{ "PATCH", "/v1/offers/{tag}", R_WRITE, api_item_edit, &res_offer,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/orientations", R_READ, api_orientation_list, NULL,
	    ROLE_PEOPLE },
	{ "POST", "/v1/orientations", R_WRITE, api_orientation_add, NULL,
	    ROLE_PATH },
	{ "GET", "/v1/orientations/{tag}", R_READ, api_orientation_show, NULL,
	    ROLE_PEOPLE },
	{ "PATCH", "/v1/orientations/{tag}", R_WRITE, api_orientation_edit,
	    NULL, ROLE_PATH },
	{ "GET", "/v1/certifications", R_READ, api_certification_list, NULL,
	    ROLE_PEOPLE },
	{ "POST", "/v1/certifications", R_WRITE, api_certification_add, NULL,
	    ROLE_PATH },
	{ "GET", "/v1/certifications/{tag}", R_READ, api_certification_show,
	    NULL, ROLE_PEOPLE },
	{ "GET", "/v1/followups", R_READ, api_followup_list, NULL,
	    ROLE_PEOPLE },
	{ "POST", "/v1/followups", R_WRITE, api_followup_add, NULL, ROLE_PATH },
	{ "GET", "/v1/followups/{tag}", R_READ, api_followup_show, NULL,
	    ROLE_PEOPLE },
	/* Kits, distributions and hand-overs, connection, repairs. */
	{ "GET", "/v1/kits", R_READ, api_item_list, &res_kit, ROLE_INVENTORY },
	{ "POST", "/v1/kits", R_WRITE, api_kit_add, &res_kit, ROLE_STOCK },
	{ "GET", "/v1/kits/{tag}", R_READ, api_item_show, &res_kit,
	    ROLE_INVENTORY },
	{ "PATCH", "/v1/kits/{tag}", R_WRITE, api_item_edit, &res_kit,
	    ROLE_STOCK },
	{ "POST", "/v1/kits/{tag}/pick", R_WRITE, api_kit_pick, &res_kit,
	    ROLE_STOCK },
	{ "POST", "/v1/kits/{tag}/unpick", R_WRITE, api_kit_unpick, &res_kit,
	    ROLE_STOCK },
	{ "POST", "/v1/kits/{tag}/ready", R_WRITE, api_kit_ready, &res_kit,
	    ROLE_STOCK },
	{ "POST", "/v1/kits/{tag}/cancel", R_WRITE, api_kit_cancel, &res_kit,
	    ROLE_STOCK },
	{ "POST", "/v1/kits/{tag}/return", R_WRITE, api_kit_return, &res_kit,
	    ROLE_INVENTORY },
	{ "POST", "/v1/kits/{tag}/cancel-checkout", R_WRITE,
	    api_distribution_uncheckout, &res_kit, ROLE_COORDINATOR },
	{ "GET", "/v1/kits/{tag}/receipt", R_READ, api_distribution_receipt,
	    &res_kit, ROLE_PATH },
	{ "GET", "/v1/kits/{tag}/contribution-receipt", R_READ,
	    api_distribution_receipt, &res_kit, ROLE_PATH },
	{ "GET", "/v1/distributions", R_READ, api_item_list,
	    &res_distribution, ROLE_INVENTORY },
	{ "POST", "/v1/distributions", R_WRITE, api_item_add,
	    &res_distribution, ROLE_PATH },
	{ "GET", "/v1/distributions/{tag}", R_READ, api_distribution_show,
	    &res_distribution, ROLE_PATH },
	{ "PATCH", "/v1/distributions/{tag}", R_WRITE, api_item_edit,
	    &res_distribution, ROLE_PATH },
	{ "POST", "/v1/distributions/{tag}/convocations", R_WRITE,
	    api_distribution_convoke, &res_distribution, ROLE_PATH },
	{ "POST", "/v1/distributions/{tag}/checkout", R_WRITE,
	    api_distribution_checkout, &res_distribution, ROLE_PATH },
	{ "POST", "/v1/distributions/{tag}/close", R_WRITE,
	    api_distribution_close, &res_distribution, ROLE_PATH },
	{ "GET", "/v1/topups", R_READ, api_topup_list, NULL, ROLE_INVENTORY },
	{ "POST", "/v1/topups", R_WRITE, api_topup_add, NULL, ROLE_PATH },
	{ "GET", "/v1/topups/due", R_READ, api_topup_due, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/connections", R_READ, api_topup_connections, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/repairs", R_READ, api_repair_list, NULL, ROLE_INVENTORY },
	{ "POST", "/v1/repairs", R_WRITE, api_repair_add, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/repairs/{tag}", R_READ, api_repair_show, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/repairs/{tag}/close", R_WRITE, api_repair_close, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/devices/{tag}/erasure", R_WRITE, api_repair_erasure,
	    &res_device, ROLE_STOCK },
	{ "POST", "/v1/moves", R_WRITE, api_unit_move, NULL, ROLE_STOCK },
	{ "GET", "/v1/items/{tag}", R_READ, api_lookup, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/history/{tag}", R_READ, api_history, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/stock", R_READ, api_stock, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/check", R_READ, api_check, NULL, ROLE_COORDINATOR },
	{ "GET", "/v1/backup", R_READ, api_backup, NULL, ROLE_COORDINATOR },
	{ "GET", "/v1/tokens", R_READ, api_token_list, NULL, ROLE_COORDINATOR },
	{ "POST", "/v1/tokens", R_WRITE, api_token_add, NULL,
	    ROLE_COORDINATOR },
	{ "DELETE", "/v1/tokens/{tag}", R_WRITE, api_token_revoke, NULL,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/sessions", R_READ, api_session_list, NULL,
	    ROLE_COORDINATOR },
	{ "DELETE", "/v1/sessions", R_WRITE, api_session_end, NULL,
	    ROLE_COORDINATOR },
	{ "DELETE", "/v1/sessions/{tag}", R_WRITE, api_session_end, NULL,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/labels", R_READ, api_label_render, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/labels/templates", R_READ, api_label_templates, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/labels/blank", R_WRITE, api_label_blank, NULL,
	    ROLE_STOCK },
	{ "GET", "/v1/printers", R_READ, api_printer_list, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/printers", R_WRITE, api_printer_add, NULL, ROLE_STOCK },
	{ "DELETE", "/v1/printers/{tag}", R_WRITE, api_printer_delete, NULL,
	    ROLE_STOCK },
	{ "POST", "/v1/print", R_WRITE, api_print, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/print/{tag}", R_READ, api_print_job, NULL,
	    ROLE_INVENTORY },
	{ "PUT", "/v1/locations/{tag}/print-on-receive", R_WRITE,
	    api_printer_receive, &res_location, ROLE_STOCK },
	{ "DELETE", "/v1/locations/{tag}/print-on-receive", R_WRITE,
	    api_printer_receive, &res_location, ROLE_STOCK },
	/* Scan stations: their mode, scans, the live stream, commands. */
	{ "GET", "/v1/stations", R_READ, api_station_list, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/stations", R_WRITE, api_station_add, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/stations/{tag}", R_READ, api_station_show, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/stations/{tag}/mode", R_WRITE, api_station_mode, NULL,
	    ROLE_INVENTORY },
	{ "PATCH", "/v1/stations/{tag}", R_WRITE, api_station_edit, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/scans", R_WRITE, api_scan_add, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/stream", R_READ, api_stream, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/labels/commands", R_READ, api_scan_commands, NULL,
	    ROLE_INVENTORY },
	/* USB scanners bound to stations; the calibration label. */
	{ "GET", "/v1/scanners", R_READ, api_scanner_list, NULL,
	    ROLE_INVENTORY },
	{ "POST", "/v1/scanners", R_WRITE, api_scanner_bind, NULL,
	    ROLE_INVENTORY },
	{ "DELETE", "/v1/scanners/{tag}", R_WRITE, api_scanner_unbind, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/labels/calibration", R_READ, api_label_calibration,
	    NULL, ROLE_INVENTORY },
	{ "GET", "/v1/routes", R_READ, api_routes, NULL, ROLE_STAFF },
	/* Indicators, exports, alerts, the dashboard and its session. */
	{ "GET", "/v1/indicators", R_READ, api_indicators, NULL,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/alerts", R_READ, api_alerts, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/exports/evaluation", R_READ, api_export_evaluation,
	    NULL, ROLE_COORDINATOR | ROLE_EVALUATOR },
	{ "GET", "/v1/exports/indicators", R_READ, api_export_indicators,
	    NULL, ROLE_COORDINATOR | ROLE_EVALUATOR },
	{ "GET", "/v1/exports/prescriber", R_READ, api_export_prescriber,
	    NULL, ROLE_COORDINATOR | ROLE_PRESCRIBER },
	{ "GET", "/v1/exports/stock", R_READ, api_export_list, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/exports/sims", R_READ, api_export_list, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/exports/warranties", R_READ, api_export_list, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/exports/repairs", R_READ, api_export_list, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/exports/followups", R_READ, api_export_list, NULL,
	    ROLE_PATH },
	{ "POST", "/v1/session", R_WRITE, api_session, NULL, ROLE_PUBLIC },
	{ "DELETE", "/v1/session", R_WRITE, api_session, NULL, ROLE_PUBLIC },
	{ "GET", "/dashboard", R_READ, api_dashboard, NULL, ROLE_PUBLIC },
	{ "GET", "/dashboard/{tag}", R_READ, api_dashboard, NULL,
	    ROLE_PUBLIC },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

/*
 * Match one pattern against a path; params get the decoded "{tag}"
 * segments (allocated), or if NULL only the shape is compared (nothing is
 * allocated for the many routes that do not match). Returns 1 on a match.
 */
static int
route_match(const char *pattern, const char *path, char **params)
{
	const char *p = pattern, *q = path, *pe, *qe;
	char *seg;
	int n = 0;

	while (*p != '\0' && *q != '\0') {
		if (*p != '/' || *q != '/')
			break;
		p++;
		q++;
		pe = p + strcspn(p, "/");
		qe = q + strcspn(q, "/");
		if (pe - p == 5 && strncmp(p, "{tag}", 5) == 0) {
			if (qe == q || n == ROUTE_PARAMS)
				break;
			if (params != NULL) {
				seg = xstrndup(q, qe - q);
				params[n] = evhttp_uridecode(seg, 0, NULL);
				free(seg);
				if (params[n] == NULL)
					break;
			}
			n++;
		} else if (pe - p != qe - q || strncmp(p, q, pe - p) != 0)
			break;
		p = pe;
		q = qe;
	}
	if (*p == '\0' && (*q == '\0' || strcmp(q, "/") == 0))
		return (1);
	while (params != NULL && n > 0) {
		free(params[--n]);
		params[n] = NULL;
	}
	return (0);
}

/*
 * Find the route for a method and path. If only the method is wrong,
 * *wrong_method is set so the caller answers 405 rather than 404.
 */
const struct route *
route_find(const char *method, const char *path, char **params,
    int *wrong_method)
{
	const struct route *r;

	*wrong_method = 0;
	for (r = route_table; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0 &&
		    route_match(r->pattern, path, NULL) &&
		    route_match(r->pattern, path, params))
			return (r);
	for (r = route_table; r->method != NULL; r++)
		if (route_match(r->pattern, path, NULL))
			*wrong_method = 1;
	return (NULL);
}
