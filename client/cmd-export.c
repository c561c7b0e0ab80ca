/*
 * Indicators against the programme's targets, alerts, and CSV exports
 * (evaluation, indicators, prescriber, stock, sims, warranties, repairs,
 * follow-ups) written to a file or standard output.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static const struct column indicator_columns[] = {
	{ N_("SCOPE"), "scope" },
	{ N_("DIAGNOSED"), "diagnosed" },
	{ N_("EQUIPPED"), "equipped" },
	{ N_("CONNECTED 6 MONTHS"), "connected" },
	{ N_("NOT YET COVERED"), "not_yet_covered" },
	{ N_("ORIENTED"), "oriented" },
	{ N_("ATTENDED"), "attended" },
	{ N_("NOT SHOWN"), "no_show" },
	{ N_("CERTIFIED"), "certified" },
	{ N_("SPENT"), "spent" },
	{ NULL, NULL }
};

static const struct column alert_columns[] = {
	{ N_("KIND"), "kind" },
	{ N_("SUBJECT"), "subject" },
	{ N_("TERRITORY"), "territory" },
	{ N_("DATE"), "on" },
	{ N_("WHAT"), "message" },
	{ NULL, NULL }
};

static const char *const export_kinds[] = {
	"evaluation", "indicators", "prescriber", "stock", "sims",
	"warranties", "repairs", "followups", NULL
};

/* "count/target" of one indicator. */
static json_t *
cmd_export_of(json_t *sc, const char *ind, const char *member)
{
	json_t *v = json_object_get(sc, ind);
	char *s;

	if (member != NULL)
		return (json_integer(json_integer_value(json_object_get(v,
		    member))));
	xasprintf(&s, "%lld/%lld", (long long)json_integer_value(
	    json_object_get(v, "count")), (long long)json_integer_value(
	    json_object_get(v, "target")));
	v = json_string(s);
	free(s);
	return (v);
}

/* One line per territory and for the département; the deadline. */
void
cmd_export_print_indicators(struct cmd *cmd, json_t *o)
{
	static const char *const inds[] = {
		"diagnosed", "equipped", "connected", "oriented", "certified",
		NULL
	};
	json_t *rows, *sc, *r, *b, *dl;
	const char *code;
	char *spent;
	size_t i;
	int j;

	rows = json_array();
	json_array_foreach(json_object_get(o, "scopes"), i, sc) {
		code = json_string_value(json_object_get(sc, "code"));
		r = json_pack("{ss}", "scope", strcmp(code, "departement") ==
		    0 ? _("département") : code);
		for (j = 0; inds[j] != NULL; j++)
			json_object_set_new(r, inds[j], cmd_export_of(sc,
			    inds[j], NULL));
		json_object_set_new(r, "not_yet_covered", cmd_export_of(sc,
		    "connected", "not_yet_covered"));
		json_object_set_new(r, "attended", cmd_export_of(sc,
		    "oriented", "attended"));
		json_object_set_new(r, "no_show", cmd_export_of(sc,
		    "oriented", "no_show"));
		b = json_object_get(sc, "budget");
		xasprintf(&spent, "%lld / %lld EUR",
		    (long long)json_integer_value(json_object_get(b,
		    "spent_cents")) / 100, (long long)json_integer_value(
		    json_object_get(b, "budget_cents")) / 100);
		json_object_set_new(r, "spent", json_string(spent));
		free(spent);
		json_array_append_new(rows, r);
	}
	output_table(stdout, indicator_columns, rows);
	json_decref(rows);
	dl = json_object_get(o, "deadline");
	if (json_is_object(dl))
		printf(_("\nDiagnostic deadline %s: %lld diagnosed by then, "
		    "%lld after, %lld referred and not diagnosed.\n"),
		    json_string_value(json_object_get(dl, "date")),
		    (long long)json_integer_value(json_object_get(dl,
		    "diagnosed_by_deadline")), (long long)json_integer_value(
		    json_object_get(dl, "late")), (long long)json_integer_value(
		    json_object_get(dl, "not_diagnosed")));
}

/* The alerts as a table, or a sentence when there are none. */
void
cmd_export_print_alerts(struct cmd *cmd, json_t *o)
{
	json_t *items = json_object_get(o, "items");

	if (json_array_size(items) == 0) {
		printf(_("No alert within %lld days.\n"),
		    (long long)json_integer_value(json_object_get(o, "days")));
		return;
	}
	output_table(stdout, alert_columns, items);
}

/*
 * kitstock export KIND [--out FILE|-] [options]: the CSV kitstockd makes,
 * saved safely to FILE (standard output by default).
 */
int
cmd_export_exec(struct cmd *cmd)
{
	const char *kind = json_string_value(json_array_get(cmd->args, 0));
	const char *out;
	struct answer a;
	char *path, *url, *base, *cause;
	int rc, i;

	for (i = 0; export_kinds[i] != NULL; i++)
		if (strcmp(export_kinds[i], kind) == 0)
			break;
	if (export_kinds[i] == NULL) {
		output_warn(_("export %s: unknown export; one of evaluation, "
		    "indicators, prescriber, stock, sims, warranties, repairs, "
		    "followups"), kind);
		cmd_usage(stderr, NULL, cmd->entry);
		return (EXIT_USAGE);
	}
	out = json_string_value(json_object_get(cmd->fields, "out"));
	path = xstrdup(out != NULL ? out : "-");
	json_object_del(cmd->fields, "out");
	xasprintf(&base, "/v1/exports/%s", kind);
	url = cmd_query(base, cmd->fields);
	free(base);
	rc = cmd_send(cmd, "GET", url, NULL, &a);
	free(url);
	if (rc != 0) {
		free(path);
		return (rc);
	}
	if (http_answer_save(&a, path, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else if (strcmp(path, "-") != 0)
		printf(_("%s: %s export written\n"), path, kind);
	free(path);
	http_answer_free(&a);
	return (rc);
}
