/*
 * kitstock distribution: events at a distribution point, who is convoked
 * (as the team sees them: first name and initial), closing with the cash
 * count; and kitstock checkout E B K, the hand-over itself, the three
 * tags in any order (as scanned: event, convocation card, kit label).
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static int cmd_distribution_convoke(struct cmd *);
static int cmd_distribution_close(struct cmd *);
static void cmd_distribution_print(struct cmd *, json_t *);
static void cmd_distribution_print_convoked(struct cmd *, json_t *);
static void cmd_distribution_print_closed(struct cmd *, json_t *);
static void cmd_checkout_print(struct cmd *, json_t *);

const struct column cmd_distribution_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("DATE"), "held_on" },
	{ N_("PLACE"), "place_name" },
	{ N_("STATE"), "state" },
	{ N_("CONVOKED"), "convoked" },
	{ N_("HANDED OVER"), "handed_over" },
	{ N_("NO-SHOWS"), "no_shows" },
	{ NULL, NULL }
};

static const struct column convocation_columns[] = {
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("FIRST NAME"), "first_name" },
	{ N_("INITIAL"), "initial" },
	{ N_("KIT"), "kit" },
	{ N_("KIT STATE"), "kit_state" },
	{ N_("OUTCOME"), "outcome" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_distribution_verbs[] = {
	{ "add", "--held-on DATE --place TAG [--notes TEXT]", 0, 0, 0, "POST",
	    "/v1/{c}", cmd_item_print_tag },
	{ "list", "[--state open|closed] [--place L] [--territory T] "
	    "[--held-on DATE] [--limit N] [--after TAG] [--all]", 0, 0,
	    CMD_LIST, "GET", "/v1/{c}", cmd_item_print_list },
	{ "show", "TAG", 1, 1, 0, "GET", "/v1/{c}/{t}",
	    cmd_distribution_print },
	{ "edit", "TAG --FIELD VALUE... [--reason TEXT]", 1, 1, CMD_ANYOPT,
	    "PATCH", "/v1/{c}/{t}", cmd_item_print_changed },
	{ "convoke", "TAG BENEFICIARY... [--at DATE]", 2, -1,
	    CMD_RAW | CMD_MIXED, "POST", "/v1/distributions/%s/convocations",
	    cmd_distribution_print_convoked, cmd_distribution_convoke },
	{ "close", "TAG --cash-counted EUR [--reason TEXT] [--at DATE]", 1, 1,
	    0, "POST", "/v1/distributions/%s/close",
	    cmd_distribution_print_closed, cmd_distribution_close },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* kitstock distribution convoke E B...: the beneficiaries in the body. */
static int
cmd_distribution_convoke(struct cmd *cmd)
{
	char *path;
	json_t *b;
	int rc;

	b = json_array();
	json_array_extend(b, cmd->args);
	json_array_remove(b, 0);
	json_object_set_new(cmd->fields, "beneficiaries", b);
	path = cmd_kit_path(cmd);
	rc = cmd_kit_send(cmd, "POST", path, cmd->fields);
	free(path);
	return (rc);
}

/* kitstock distribution close E --cash-counted EUR */
static int
cmd_distribution_close(struct cmd *cmd)
{
	char *path;
	int rc;

	path = cmd_kit_path(cmd);
	rc = cmd_kit_send(cmd, "POST", path, cmd->fields);
	free(path);
	return (rc);
}

/* An event, then who is convoked to it. */
static void
cmd_distribution_print(struct cmd *cmd, json_t *o)
{
	printf(_("%s: %s at %s (%s), %s\n"),
	    json_string_value(json_object_get(o, "tag")),
	    json_string_value(json_object_get(o, "held_on")),
	    json_string_value(json_object_get(o, "place_name")),
	    json_string_value(json_object_get(o, "place")),
	    json_string_value(json_object_get(o, "state")));
	printf(_("%lld convoked, %lld handed over, %lld no-shows\n\n"),
	    (long long)json_integer_value(json_object_get(o, "convoked")),
	    (long long)json_integer_value(json_object_get(o, "handed_over")),
	    (long long)json_integer_value(json_object_get(o, "no_shows")));
	output_table(stdout, convocation_columns, json_object_get(o,
	    "convocations"));
}

static void
cmd_distribution_print_convoked(struct cmd *cmd, json_t *o)
{
	const char *tag = json_string_value(json_object_get(o, "tag"));
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(o, "convoked"), i, v)
		printf(_("%s: convoked to %s\n"), json_string_value(v), tag);
	json_array_foreach(json_object_get(o, "already_convoked"), i, v)
		printf(_("%s: already convoked to %s\n"), json_string_value(v),
		    tag);
}

/* The closing: no-shows and the cash reconciliation. */
static void
cmd_distribution_print_closed(struct cmd *cmd, json_t *o)
{
	json_t *v;
	size_t i;

	printf(_("%s closed: %lld handed over, %lld no-shows\n"),
	    json_string_value(json_object_get(o, "tag")),
	    (long long)json_integer_value(json_object_get(o, "handed_over")),
	    (long long)json_integer_value(json_object_get(o, "no_shows")));
	json_array_foreach(json_object_get(o, "no_shows"), i, v)
		printf(_("  no-show: %s\n"), json_string_value(v));
	printf(_("cash recorded %s €, counted %s €, difference %s €\n"),
	    json_string_value(json_object_get(o, "cash_recorded")),
	    json_string_value(json_object_get(o, "cash_counted")),
	    json_string_value(json_object_get(o, "difference")));
}

/*
 * kitstock checkout E B K: the event, the beneficiary and their kit, in
 * any order; with --receipt FILE.pdf the hand-over receipt is saved too.
 */
int
cmd_checkout(struct cmd *cmd)
{
	const char *tag, *want = "EBK", *names[] = { "distribution",
	    "beneficiary", "kit" }, *receipt;
	char *cause, *path, *e = NULL;
	struct answer a, r;
	json_t *v;
	size_t i;
	int k, rc, seen[3] = { 0, 0, 0 };

	json_array_foreach(cmd->args, i, v) {
		tag = json_string_value(v);
		if (tag_check(tag, 0, NULL, NULL, &cause) != 0) {
			output_warn("%s", cause);
			free(cause);
			free(e);
			return (EXIT_REFUSED);
		}
		for (k = 0; k < 3 && want[k] != tag[0]; k++)
			;
		if (k == 3 || seen[k]++) {
			output_warn(_("checkout: %s is not expected here: give "
			    "one distribution (E-), one beneficiary (B-) and "
			    "one kit (K-)"), tag);
			free(e);
			return (EXIT_USAGE);
		}
		if (k > 0)
			json_object_set_new(cmd->fields, names[k],
			    json_string(tag));
		else
			e = http_escape(tag);
	}
	if (e == NULL) {
		output_warn("%s", _("checkout: give the distribution (E-), the "
		    "beneficiary (B-) and their kit (K-)"));
		return (EXIT_USAGE);
	}
	receipt = json_string_value(json_object_get(cmd->fields, "receipt"));
	json_incref(json_object_get(cmd->fields, "receipt"));
	v = json_object_get(cmd->fields, "receipt");
	json_object_del(cmd->fields, "receipt");
	xasprintf(&path, "/v1/distributions/%s/checkout", e);
	free(e);
	rc = cmd_send(cmd, "POST", path, cmd->fields, &a);
	free(path);
	if (rc != 0) {
		json_decref(v);
		return (rc);
	}
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		cmd_checkout_print(cmd, a.json);
	if (receipt != NULL && (rc = cmd_send(cmd, "GET", json_string_value(
	    json_object_get(a.json, "receipt")), NULL, &r)) == 0) {
		if (http_answer_save(&r, receipt, &cause) != 0) {
			output_warn("%s", cause);
			free(cause);
			rc = EXIT_REFUSED;
		} else if (!cmd->json)
			printf(_("%s: receipt, %zu bytes written\n"), receipt,
			    r.len);
		http_answer_free(&r);
	}
	json_decref(v);
	http_answer_free(&a);
	return (rc);
}

/* What was handed over, to whom, where; the SIM cards' paid period. */
static void
cmd_checkout_print(struct cmd *cmd, json_t *o)
{
	json_t *v;
	size_t i;

	printf(_("%s handed over to %s at %s (%s) on %s\n"),
	    json_string_value(json_object_get(o, "kit")),
	    json_string_value(json_object_get(o, "beneficiary")),
	    json_string_value(json_object_get(o, "distribution")),
	    json_string_value(json_object_get(o, "place")),
	    json_string_value(json_object_get(o, "at")));
	json_array_foreach(json_object_get(o, "units"), i, v)
		printf("  %s\n", json_string_value(v));
	json_array_foreach(json_object_get(o, "sims"), i, v)
		printf(_("  %s active, paid until %s\n"),
		    json_string_value(json_object_get(v, "sim")),
		    json_string_value(json_object_get(v, "paid_until")));
	printf(_("  contribution: %s €%s%s\n"),
	    json_string_value(json_object_get(o, "contribution")),
	    json_is_string(json_object_get(o, "payment")) ? ", " : "",
	    json_is_string(json_object_get(o, "payment")) ? json_string_value(
	    json_object_get(o, "payment")) : "");
}
