/*
 * Tokens for remote clients over TCP: a coordinator creates one for a role
 * (shown once), lists them, revokes them.
 */

#include <stdio.h>

#include "kitstock.h"

static void cmd_token_print_new(struct cmd *, json_t *);
static void cmd_token_print_list(struct cmd *, json_t *);

const struct column cmd_token_columns[] = {
	{ N_("NAME"), "name" },
	{ N_("ROLE"), "role" },
	{ N_("PRESCRIBER"), "prescriber" },
	{ N_("CREATED"), "created_at" },
	{ N_("EXPIRES"), "expires_on" },
	{ N_("REVOKED"), "revoked_at" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_token_verbs[] = {
	{ "add", "NAME --role warehouse|distribution|coordinator|prescriber|"
	    "evaluator [--prescriber TAG] [--expires DATE]", 1, 1,
	    CMD_RAW | CMD_NAME, "POST", "/v1/tokens", cmd_token_print_new },
	{ "list", "", 0, 0, 0, "GET", "/v1/tokens", cmd_token_print_list },
	{ "revoke", "NAME", 1, 1, CMD_RAW, "DELETE", "/v1/tokens/{q}",
	    output_show },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* The secret alone on stdout (for a file), the advice on stderr. */
static void
cmd_token_print_new(struct cmd *cmd, json_t *o)
{
	printf("%s\n", json_string_value(json_object_get(o, "token")));
	output_warn("%s", _("this token is shown once: store it now (e.g. in "
	    "a file given with --token-file)"));
}

static void
cmd_token_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, cmd_token_columns, json_object_get(o, "tokens"));
}
