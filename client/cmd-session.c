/*
 * Browser sessions (the dashboard's cookie) for coordinators: list those
 * that hold, end one by its number or all of them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static void cmd_session_print_list(struct cmd *, json_t *);
static void cmd_session_print_ended(struct cmd *, json_t *);
static int cmd_session_end(struct cmd *);

static const struct column cmd_session_columns[] = {
	{ N_("ID"), "id" },
	{ N_("ACTOR"), "actor" },
	{ N_("ROLE"), "role" },
	{ N_("SCOPE"), "scope" },
	{ N_("TOKEN"), "token" },
	{ N_("CREATED"), "created_at" },
	{ N_("LAST USED"), "seen_at" },
	{ N_("IDLE UNTIL"), "idle_until" },
	{ N_("EXPIRES"), "expires_at" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_session_verbs[] = {
	{ "list", "", 0, 0, 0, "GET", "/v1/sessions", cmd_session_print_list },
	{ "end", "[ID] [--all]", 0, 1, CMD_RAW, "DELETE", "/v1/sessions",
	    cmd_session_print_ended, cmd_session_end },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* kitstock session end ID | --all */
static int
cmd_session_end(struct cmd *cmd)
{
	struct answer a;
	const char *id = json_string_value(json_array_get(cmd->args, 0));
	int all = json_is_true(json_object_get(cmd->fields, "all")), rc;
	char *path, *q;

	if ((id == NULL) == !all) {
		output_warn("%s", _("session end: give a session's number "
		    "(kitstock session list), or --all"));
		cmd_usage(stderr, cmd->noun, cmd->entry);
		return (EXIT_USAGE);
	}
	if (id != NULL) {
		q = http_escape(id);
		xasprintf(&path, "/v1/sessions/%s", q);
		free(q);
	} else
		path = xstrdup("/v1/sessions");
	rc = cmd_send(cmd, "DELETE", path, NULL, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		cmd_session_print_ended(cmd, a.json);
	http_answer_free(&a);
	return (EXIT_DONE);
}

static void
cmd_session_print_ended(struct cmd *cmd, json_t *o)
{
	json_t *id = json_object_get(o, "id");

	if (id != NULL)
		printf(_("session %lld ended\n"),
		    (long long)json_integer_value(id));
	else
		printf(_("sessions ended: %lld\n"),
		    (long long)json_integer_value(json_object_get(o, "ended")));
}

static void
cmd_session_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, cmd_session_columns, json_object_get(o,
	    "sessions"));
}
