/*
 * kitstock repair: a device a beneficiary brings back goes to a repair
 * partner under a numbered ticket, closed as repaired, swapped (with a
 * replacement from stock) or scrapped; and the erasure of a device's data
 * (how, by whom), recorded before it may go back to stock.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static int cmd_repair_open(struct cmd *);
static int cmd_repair_numbered(struct cmd *);
static void cmd_repair_print(struct cmd *, json_t *);
static void cmd_repair_print_list(struct cmd *, json_t *);
static void cmd_repair_print_erasure(struct cmd *, json_t *);

static const struct column repair_columns[] = {
	{ N_("TICKET"), "id" },
	{ N_("DEVICE"), "device" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("PARTNER"), "partner" },
	{ N_("WARRANTY"), "under_warranty" },
	{ N_("OPENED"), "opened_at" },
	{ N_("STATE"), "state" },
	{ N_("OUTCOME"), "outcome" },
	{ N_("DAYS WITHOUT"), "days_without_device" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_repair_verbs[] = {
	{ "open", "DEVICE --reason TEXT --partner TAG [--at DATE]", 1, 1,
	    CMD_RAW | CMD_MIXED, "POST", "/v1/repairs", cmd_repair_print,
	    cmd_repair_open },
	{ "list", "[--state open|closed] [--partner L] [--beneficiary B] "
	    "[--device D] [--limit N] [--after N] [--all]", 0, 0, CMD_LIST,
	    "GET", "/v1/repairs",
	    cmd_repair_print_list },
	{ "show", "TICKET", 1, 1, CMD_RAW, "GET", "/v1/repairs/%s",
	    cmd_repair_print, cmd_repair_numbered },
	{ "close", "TICKET --outcome repaired|swapped|scrapped "
	    "[--replacement DEVICE] [--notes TEXT] [--at DATE]", 1, 1, CMD_RAW,
	    "POST", "/v1/repairs/%s/close", cmd_repair_print,
	    cmd_repair_numbered },
	{ "erasure", "DEVICE --method TEXT --by WHO [--at DATE]", 1, 1,
	    CMD_MIXED, "POST", "/v1/devices/%s/erasure",
	    cmd_repair_print_erasure, cmd_repair_numbered },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* kitstock repair open DEVICE: the device as typed or scanned. */
static int
cmd_repair_open(struct cmd *cmd)
{
	json_object_set(cmd->fields, "device", json_array_get(cmd->args, 0));
	return (cmd_kit_send(cmd, "POST", cmd->entry->path, cmd->fields));
}

/* A verb on a ticket (or a device): its number in the path. */
static int
cmd_repair_numbered(struct cmd *cmd)
{
	char *path;
	int rc;

	path = cmd_kit_path(cmd);
	rc = cmd_kit_send(cmd, cmd->entry->method, path,
	    strcmp(cmd->entry->method, "GET") == 0 ? NULL : cmd->fields);
	free(path);
	return (rc);
}

/* A ticket: device, beneficiary, partner, warranty, how it ended. */
static void
cmd_repair_print(struct cmd *cmd, json_t *o)
{
	const char *s;

	printf(_("repair ticket %lld: %s (%s %s) of %s, at %s, %s%s\n"),
	    (long long)json_integer_value(json_object_get(o, "id")),
	    json_string_value(json_object_get(o, "device")),
	    json_string_value(json_object_get(o, "kind")),
	    json_string_value(json_object_get(o, "serial")),
	    json_string_value(json_object_get(o, "beneficiary")),
	    json_string_value(json_object_get(o, "partner_name")),
	    json_string_value(json_object_get(o, "state")),
	    json_is_true(json_object_get(o, "under_warranty")) ?
	    _(", under warranty") : "");
	printf(_("  opened %s: %s\n"),
	    json_string_value(json_object_get(o, "opened_at")),
	    json_string_value(json_object_get(o, "reason")));
	if ((s = json_string_value(json_object_get(o, "outcome"))) != NULL)
		printf(_("  closed %s: %s%s%s\n"),
		    json_string_value(json_object_get(o, "closed_at")), s,
		    json_is_string(json_object_get(o, "replacement")) ?
		    _(", replaced by ") : "",
		    json_is_string(json_object_get(o, "replacement")) ?
		    json_string_value(json_object_get(o, "replacement")) : "");
	printf(_("  days without a device: %lld\n"),
	    (long long)json_integer_value(json_object_get(o,
	    "days_without_device")));
}

static void
cmd_repair_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, repair_columns, json_object_get(o, "items"));
}

static void
cmd_repair_print_erasure(struct cmd *cmd, json_t *o)
{
	printf(_("%s: data erased on %s (%s, by %s)\n"),
	    json_string_value(json_object_get(o, "tag")),
	    json_string_value(json_object_get(o, "data_erased_at")),
	    json_string_value(json_object_get(o, "erasure_method")),
	    json_string_value(json_object_get(o, "erased_by")));
}
