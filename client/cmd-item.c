/*
 * The nouns (suppliers, locations, lots, devices, SIM cards, accessories):
 * each a table of verbs and the columns of its list, and the printers of
 * what any item answers (new tag, list, edit, history).
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

/* Every noun adds, lists (a page, or --all), shows and edits. */
#define ITEM_ADD(usage)							\
	{ "add", usage, 0, 0, 0, "POST", "/v1/{c}", cmd_item_print_tag }
#define ITEM_VERBS(filters)						\
	{ "list", filters " [--limit N] [--after TAG] [--all]", 0, 0,	\
	    CMD_LIST, "GET", "/v1/{c}", cmd_item_print_list },		\
	{ "show", "TAG", 1, 1, 0, "GET", "/v1/{c}/{t}", output_show },	\
	{ "edit", "TAG --FIELD VALUE... [--reason TEXT]", 1, 1,	\
	    CMD_ANYOPT, "PATCH", "/v1/{c}/{t}", cmd_item_print_changed }
#define ITEM_END { NULL, NULL, 0, 0, 0, NULL, NULL, NULL }

static const struct cmd_entry supplier_verbs[] = {
	ITEM_ADD("--name NAME [--siret N] "
	    "[--ess none|association|cooperative|insertion|esus|other] "
	    "[--local] [--contact TEXT]"),
	ITEM_VERBS("[--ess S]"),
	ITEM_END
};

static const struct cmd_entry location_verbs[] = {
	ITEM_ADD("--name NAME --kind warehouse|distribution|repair "
	    "--commune INSEE [--address TEXT]"),
	ITEM_VERBS("[--kind K] [--commune INSEE] [--territory T6]"),
	ITEM_END
};

static const struct cmd_entry lot_verbs[] = {
	ITEM_ADD("--supplier TAG --ref REF [--date YYYY-MM-DD] "
	    "[--unit-cost EUR] [--notes TEXT]"),
	ITEM_VERBS("[--supplier TAG]"),
	{ "import", "FILE --supplier TAG [--lot TAG] [--ref REF] "
	    "[--date YYYY-MM-DD] [--unit-cost EUR] [--notes TEXT] "
	    "[--skip-bad]", 1, 1, CMD_RAW, "POST", NULL, NULL,
	    cmd_lot_import },
	{ "receive", "TAG [SERIAL|IMEI|ICCID]... [--location TAG] "
	    "[--tag PREPRINTED] [--kind K] [--model M] [--grade A|B|C] "
	    "[--at DATE] [--extra] [--serial S] [--brand B] [--imei N]... "
	    "[--cpu S] [--ram-gb N] [--storage-gb N] [--screen-in X] [--os S] "
	    "[--warranty-until DATE] [--cost EUR] [--erasure-cert REF] "
	    "[--iccid N] [--operator O] [--msisdn N]", 1, -1, CMD_RAW, "POST",
	    NULL, NULL, cmd_lot_receive },
	{ "reconcile", "TAG [--csv]", 1, 1, CMD_RAW, "GET", NULL, NULL,
	    cmd_lot_reconcile },
	ITEM_END
};

static const struct cmd_entry device_verbs[] = {
	ITEM_ADD("--kind desktop|laptop|tablet|smartphone|4g-router "
	    "--serial S --lot TAG [--brand B] [--model M] [--imei N]... "
	    "[--cpu S] [--ram-gb N] [--storage-gb N] [--screen-in X] "
	    "[--os S] [--grade A|B|C] [--warranty-until DATE] [--cost EUR] "
	    "[--erasure-cert REF] [--location TAG] [--at DATE]"),
	ITEM_VERBS("[--state S] [--kind K] [--location L] [--lot R] "
	    "[--supplier F] [--territory T] [--grade G] [--brand B] "
	    "[--model M]"),
	ITEM_END
};

static const struct cmd_entry sim_verbs[] = {
	ITEM_ADD("--iccid N --operator O [--msisdn N] [--plan-gb N] "
	    "[--plan-price EUR] [--lot TAG] [--location TAG] [--pin-stdin] "
	    "[--at DATE]"),
	ITEM_VERBS("[--state S] [--operator O] [--location L] [--lot R] "
	    "[--territory T]"),
	{ "secret", "TAG", 1, 1, 0, "GET", "/v1/{c}/{t}/secret",
	    output_show },
	{ "secret-set", "TAG", 1, 1, CMD_SECRET, "PUT", "/v1/{c}/{t}/secret",
	    output_show },
	ITEM_END
};

static const struct cmd_entry accessory_verbs[] = {
	ITEM_ADD("--name NAME --location TAG --count N [--reason TEXT] "
	    "[--at DATE]"),
	ITEM_VERBS(""),
	{ "move", "TAG --from L --to L --count N [--reason TEXT] [--at DATE]",
	    1, 1, 0, "POST", "/v1/{c}/{t}/moves", output_show },
	{ "adjust", "TAG --location L --count N --reason TEXT [--at DATE]", 1,
	    1, 0, "POST", "/v1/{c}/{t}/adjust", output_show },
	ITEM_END
};

static const struct column supplier_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("NAME"), "name" },
	{ N_("SIRET"), "siret" },
	{ N_("ESS"), "ess" },
	{ N_("LOCAL"), "local" },
	{ NULL, NULL }
};

static const struct column location_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("NAME"), "name" },
	{ N_("KIND"), "kind" },
	{ N_("COMMUNE"), "commune_name" },
	{ N_("TERRITORY"), "territory" },
	{ NULL, NULL }
};

static const struct column lot_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("SUPPLIER"), "supplier" },
	{ N_("REF"), "ref" },
	{ N_("DELIVERED"), "delivered_on" },
	{ N_("UNITS"), "devices+sims" },
	{ NULL, NULL }
};

static const struct column device_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("KIND"), "kind" },
	{ N_("BRAND"), "brand" },
	{ N_("MODEL"), "model" },
	{ N_("SERIAL"), "serial" },
	{ N_("GRADE"), "grade" },
	{ N_("STATE"), "state" },
	{ N_("LOCATION"), "location" },
	{ NULL, NULL }
};

static const struct column sim_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("ICCID"), "iccid" },
	{ N_("MSISDN"), "msisdn" },
	{ N_("OPERATOR"), "operator" },
	{ N_("STATE"), "state" },
	{ N_("LOCATION"), "location" },
	{ NULL, NULL }
};

static const struct column accessory_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("NAME"), "name" },
	{ N_("COUNT"), "count" },
	{ NULL, NULL }
};

/* The units a serial may designate, when it designates several. */
static const struct column candidate_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("BRAND"), "brand" },
	{ N_("MODEL"), "model" },
	{ N_("SERIAL"), "serial" },
	{ NULL, NULL }
};

static const struct column history_columns[] = {
	{ N_("AT"), "at" },
	{ N_("ACTOR"), "actor" },
	{ N_("STATION"), "station" },
	{ N_("ACTION"), "action" },
	{ N_("FROM"), "from" },
	{ N_("TO"), "to" },
	{ N_("REASON"), "reason" },
	{ NULL, NULL }
};

const struct cmd_noun cmd_nouns[] = {
	{ "supplier", "suppliers", 'F', 0, supplier_columns, supplier_verbs },
	{ "location", "locations", 'L', 0, location_columns, location_verbs },
	{ "lot", "lots", 'R', 0, lot_columns, lot_verbs },
	{ "device", "devices", 'D', 1, device_columns, device_verbs },
	{ "sim", "sims", 'S', 1, sim_columns, sim_verbs },
	{ "accessory", "accessories", 'A', 0, accessory_columns,
	    accessory_verbs },
	{ "token", "tokens", 0, 0, cmd_token_columns, cmd_token_verbs },
	{ "session", "sessions", 0, 0, NULL, cmd_session_verbs },
	{ "labels", "labels", 0, 0, NULL, cmd_labels_verbs },
	{ "printer", "printers", 0, 0, cmd_printer_columns, cmd_printer_verbs },
	{ "scanner", "scanners", 0, 0, NULL, cmd_scanner_verbs },
	/* beneficiary before diagnostic: B- tags are beneficiaries'. */
	{ "prescriber", "prescribers", 'P', 0, cmd_prescriber_columns,
	    cmd_prescriber_verbs },
	{ "beneficiary", "beneficiaries", 'B', 0, cmd_beneficiary_columns,
	    cmd_beneficiary_verbs },
	{ "diagnostic", "diagnostics", 'B', 0, cmd_diagnostic_columns,
	    cmd_diagnostic_verbs },
	{ "offer", "offers", 'O', 0, cmd_offer_columns, cmd_offer_verbs },
	/* The same verbs in the plural: kitstock offers import... */
	{ "offers", "offers", 'O', 0, cmd_offer_columns, cmd_offer_verbs },
	{ "orientation", "orientations", 0, 0, cmd_orientation_columns,
	    cmd_orientation_verbs },
	{ "certification", "certifications", 0, 0, cmd_certification_columns,
	    cmd_certification_verbs },
	{ "followup", "followups", 0, 0, cmd_followup_columns,
	    cmd_followup_verbs },
	{ "kit", "kits", 'K', 0, cmd_kit_columns, cmd_kit_verbs },
	{ "distribution", "distributions", 'E', 0, cmd_distribution_columns,
	    cmd_distribution_verbs },
	{ "topup", "topups", 0, 0, NULL, cmd_topup_verbs },
	{ "repair", "repairs", 0, 0, NULL, cmd_repair_verbs },
	{ "station", "stations", 0, 0, NULL, cmd_station_verbs },
	{ NULL, NULL, 0, 0, NULL, NULL }
};

/* The noun of this name, or NULL. */
const struct cmd_noun *
cmd_noun_find(const char *name)
{
	const struct cmd_noun *noun;

	for (noun = cmd_nouns; noun->name != NULL; noun++)
		if (strcmp(noun->name, name) == 0)
			return (noun);
	return (NULL);
}

/* The noun whose tags start with letter, or NULL. */
const struct cmd_noun *
cmd_noun_letter(char letter)
{
	const struct cmd_noun *noun;

	for (noun = cmd_nouns; noun->name != NULL; noun++)
		if (noun->letter == letter)
			return (noun);
	return (NULL);
}

/* The new tag alone, for tag=$(kitstock ... add ...). */
void
cmd_item_print_tag(struct cmd *cmd, json_t *o)
{
	output_clean(stdout, json_string_value(json_object_get(o, "tag")));
	putchar('\n');
}

/* A page of a list, or every page. */
void
cmd_item_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, cmd->noun->columns, json_object_get(o, "items"));
}

/* The fields an edit changed, with their values as now recorded. */
void
cmd_item_print_changed(struct cmd *cmd, json_t *o)
{
	const char *key;
	char *s;
	json_t *changed, *v;

	changed = json_object_get(o, "changed");
	if (json_object_size(changed) == 0) {
		output_warn(_("%s: nothing changed (the values given are "
		    "those already recorded)"),
		    json_string_value(json_object_get(o, "tag")));
		return;
	}
	json_object_foreach(changed, key, v) {
		s = output_value(json_object_get(o, key) != NULL ?
		    json_object_get(o, key) : v);
		printf("%s: %s\n", key, s);
		free(s);
	}
}

/* An item's life, oldest first; an edit names its field. */
void
cmd_item_print_history(struct cmd *cmd, json_t *o)
{
	const char *field;
	char *action;
	json_t *rows, *row;
	size_t i;

	rows = json_object_get(o, "history");
	json_array_foreach(rows, i, row) {
		field = json_string_value(json_object_get(json_object_get(row,
		    "details"), "field"));
		if (field == NULL)
			continue;
		xasprintf(&action, "%s %s", json_string_value(
		    json_object_get(row, "action")), field);
		json_object_set_new(row, "action", json_string(action));
		free(action);
	}
	output_table(stdout, history_columns, rows);
}

/* What an ambiguous serial may designate, under kitstockd's sentence. */
void
cmd_item_candidates(json_t *candidates)
{
	output_table(stderr, candidate_columns, candidates);
}
