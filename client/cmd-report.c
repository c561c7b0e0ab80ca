/*
 * Reports: the stock grouped as asked with its total, the programme and
 * its territories, the communes.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

/* The groupings kitstockd knows, with their headers. */
static const struct column stock_columns[] = {
	{ N_("KIND"), "kind" },
	{ N_("STATE"), "state" },
	{ N_("LOCATION"), "location" },
	{ N_("TERRITORY"), "territory" },
	{ N_("SUPPLIER"), "supplier" },
	{ N_("GRADE"), "grade" },
	{ NULL, NULL }
};

static const struct column territory_columns[] = {
	{ N_("CODE"), "code" },
	{ N_("NAME"), "name" },
	{ N_("COMMUNES"), "communes" },
	{ N_("BUDGET"), "budget" },
	{ N_("DIAGNOSED"), "target_diagnosed" },
	{ N_("EQUIPPED"), "target_equipped" },
	{ N_("CONNECTED"), "target_connected" },
	{ N_("ORIENTED"), "target_oriented" },
	{ N_("CERTIFIED"), "target_certified" },
	{ NULL, NULL }
};

static const struct column commune_columns[] = {
	{ N_("INSEE"), "insee" },
	{ N_("NAME"), "name" },
	{ N_("TERRITORY"), "territory" },
	{ N_("POSTAL CODES"), "postal_codes" },
	{ N_("VALID UNTIL"), "valid_until" },
	{ N_("MERGED INTO"), "merged_into" },
	{ NULL, NULL }
};

/* One column per grouping, then the count, then a total line. */
void
cmd_report_print_stock(struct cmd *cmd, json_t *o)
{
	const struct column *c;
	struct column *cols;
	const char *name;
	json_t *by, *total;
	size_t i, n = 0;

	by = json_object_get(o, "by");
	cols = xcalloc(json_array_size(by) + 2, sizeof *cols);
	json_array_foreach(by, i, total) {
		name = json_string_value(total);
		for (c = stock_columns; c->header != NULL; c++)
			if (strcmp(c->field, name) == 0)
				break;
		cols[n].header = c->header != NULL ? c->header : name;
		cols[n++].field = name;
	}
	cols[n].header = N_("COUNT");
	cols[n].field = "count";
	if (n > 0) {
		total = json_pack("{sssO}", cols[0].field, _("TOTAL"), "count",
		    json_object_get(o, "total"));
		json_array_append_new(json_object_get(o, "rows"), total);
	}
	output_table(stdout, cols, json_object_get(o, "rows"));
	free(cols);
}

/* The programme's settings, then a table of its territories. */
void
cmd_report_print_programme(struct cmd *cmd, json_t *o)
{
	json_t *territories;

	territories = json_incref(json_object_get(o, "territories"));
	json_object_del(o, "territories");
	output_show(cmd, o);
	putchar('\n');
	output_table(stdout, territory_columns, territories);
	json_decref(territories);
}

/* The communes of the programme. */
void
cmd_report_print_communes(struct cmd *cmd, json_t *o)
{
	output_table(stdout, commune_columns, json_object_get(o, "communes"));
}

/* What kitstock check shows of a count that differs. */
static const struct column check_columns[] = {
	{ N_("KIND"), "kind" },
	{ N_("STATE"), "state" },
	{ N_("LOCATION"), "location" },
	{ N_("LOT"), "lot" },
	{ N_("GRADE"), "grade" },
	{ N_("COUNTED"), "counted" },
	{ N_("KEPT"), "kept" },
	{ NULL, NULL }
};
/* ... of a person's facts behind the indicators ... */
static const struct column check_fact_columns[] = {
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("MEASURE"), "measure" },
	{ N_("DAY"), "on_date" },
	{ N_("KEYS"), "territory" },
	{ N_("COUNTED"), "counted" },
	{ N_("KEPT"), "kept" },
	{ NULL, NULL }
};
/* ... and of their sums. */
static const struct column check_tally_columns[] = {
	{ N_("GRAIN"), "grain" },
	{ N_("PERIOD"), "bucket" },
	{ N_("TERRITORY"), "territory" },
	{ N_("BY"), "dim" },
	{ N_("KEY"), "key" },
	{ N_("MEASURE"), "measure" },
	{ N_("COUNTED"), "counted" },
	{ N_("KEPT"), "kept" },
	{ NULL, NULL }
};
/* ... of the open needs by kind ... */
static const struct column check_need_columns[] = {
	{ N_("KIND"), "kind" },
	{ N_("COUNTED"), "counted" },
	{ N_("KEPT"), "kept" },
	{ NULL, NULL }
};
/* ... of the connections short of their months ... */
static const struct column check_connection_columns[] = {
	{ N_("SIM"), "sim" },
	{ N_("COUNTED"), "counted" },
	{ N_("KEPT"), "kept" },
	{ NULL, NULL }
};
/* Each check's columns (the stock's by default). */
static const struct {
	const char		*name;
	const struct column	*cols;
} check_kinds[] = {
	{ "need_count", check_need_columns },
	{ "connection_open", check_connection_columns },
	{ "report_fact", check_fact_columns },
	{ "report_tally", check_tally_columns },
};

/*
 * kitstock check: each summary the daemon keeps, recomputed from the store;
 * exit 1 if one differs, so that a cron job can tell.
 */
int
cmd_report_check(struct cmd *cmd)
{
	struct answer a;
	const struct column *cols;
	const char *name;
	json_t *c;
	size_t i, k;
	int rc;

	if ((rc = cmd_send(cmd, "GET", "/v1/check", NULL, &a)) != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		json_array_foreach(json_object_get(a.json, "checks"), i, c) {
			if (json_is_true(json_object_get(c, "ok"))) {
				printf(_("%s: ok\n"), json_string_value(
				    json_object_get(c, "name")));
				continue;
			}
			name = json_string_value(json_object_get(c, "name"));
			printf(_("%s: differs from the store\n"), name);
			cols = check_columns;
			for (k = 0; name != NULL &&
			    k < sizeof check_kinds / sizeof check_kinds[0]; k++)
				if (strcmp(name, check_kinds[k].name) == 0)
					cols = check_kinds[k].cols;
			output_table(stdout, cols, json_object_get(c,
			    "differences"));
		}
	rc = json_is_true(json_object_get(a.json, "ok")) ? EXIT_DONE :
	    EXIT_REFUSED;
	http_answer_free(&a);
	return (rc);
}
