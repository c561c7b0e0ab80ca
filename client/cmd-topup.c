/*
 * kitstock topup: a SIM card's top-ups (given by its tag, ICCID or number,
 * or by the beneficiary it was handed over to), the coverage of each
 * connected beneficiary, and the top-ups due before hand-over + months.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static int cmd_topup_add(struct cmd *);
static void cmd_topup_print_new(struct cmd *, json_t *);
static void cmd_topup_print_list(struct cmd *, json_t *);
static void cmd_topup_print_due(struct cmd *, json_t *);
static void cmd_topup_print_coverage(struct cmd *, json_t *);

static const struct column topup_columns[] = {
	{ N_("SIM"), "sim" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("KIND"), "kind" },
	{ N_("DATE"), "on_date" },
	{ N_("AMOUNT"), "amount" },
	{ N_("PAID UNTIL"), "paid_until" },
	{ NULL, NULL }
};

static const struct column due_columns[] = {
	{ N_("DUE"), "due_on" },
	{ N_("OVERDUE"), "overdue" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("SIM"), "sim" },
	{ N_("NUMBER"), "msisdn" },
	{ N_("HANDED OVER"), "handed_over_on" },
	{ N_("COVER UNTIL"), "target_until" },
	{ NULL, NULL }
};

static const struct column coverage_columns[] = {
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("SIM"), "sim" },
	{ N_("STATE"), "state" },
	{ N_("FROM"), "covered_from" },
	{ N_("COVERED UNTIL"), "covered_until" },
	{ N_("TARGET"), "target_until" },
	{ N_("COVERED"), "covered" },
	{ N_("TOP-UPS"), "topups" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_topup_verbs[] = {
	{ "add", "SIM|BENEFICIARY --amount EUR --paid-until DATE [--at DATE]",
	    1, 1, CMD_RAW | CMD_MIXED, "POST", "/v1/topups",
	    cmd_topup_print_new, cmd_topup_add },
	{ "list", "[--sim S] [--beneficiary B] [--limit N] [--after N] "
	    "[--all]", 0, 0, CMD_LIST, "GET", "/v1/topups",
	    cmd_topup_print_list },
	{ "due", "[--before DATE] [--territory T] [--limit N] [--after C] "
	    "[--all]", 0, 0, CMD_LIST, "GET", "/v1/topups/due",
	    cmd_topup_print_due },
	{ "coverage", "[--beneficiary B] [--territory T] [--limit N] "
	    "[--after N] [--all]", 0, 0, CMD_LIST, "GET", "/v1/connections",
	    cmd_topup_print_coverage },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* kitstock topup add S|B: a B- tag names the beneficiary, else the SIM. */
static int
cmd_topup_add(struct cmd *cmd)
{
	const char *who = json_string_value(json_array_get(cmd->args, 0));

	json_object_set_new(cmd->fields, who[0] == 'B' && tag_shaped(who) ?
	    "beneficiary" : "sim", json_string(who));
	return (cmd_kit_send(cmd, "POST", cmd->entry->path, cmd->fields));
}

static void
cmd_topup_print_new(struct cmd *cmd, json_t *o)
{
	printf(_("%s topped up on %s (%s €): paid until %s\n"),
	    json_string_value(json_object_get(o, "sim")),
	    json_string_value(json_object_get(o, "on_date")),
	    json_string_value(json_object_get(o, "amount")),
	    json_string_value(json_object_get(o, "paid_until")));
}

static void
cmd_topup_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, topup_columns, json_object_get(o, "items"));
}

static void
cmd_topup_print_due(struct cmd *cmd, json_t *o)
{
	output_table(stdout, due_columns, json_object_get(o, "items"));
}

/* Coverage per connection, then the breaks in it. */
static void
cmd_topup_print_coverage(struct cmd *cmd, json_t *o)
{
	json_t *c, *g;
	size_t i, j;

	output_table(stdout, coverage_columns, json_object_get(o, "items"));
	json_array_foreach(json_object_get(o, "items"), i, c)
		json_array_foreach(json_object_get(c, "gaps"), j, g)
			printf(_("%s: not covered from %s to %s\n"),
			    json_string_value(json_object_get(c,
			    "beneficiary")), json_string_value(
			    json_object_get(g, "from")), json_string_value(
			    json_object_get(g, "to")));
}
