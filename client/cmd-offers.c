/*
 * The territory's offers from the command line: a file of the national
 * standard « Lieux de médiation numérique » imported (sent as it is, as
 * text/csv; the counts printed, warnings and bad rows as tables), the
 * offers suggested to a person, places, and the orientations with no
 * attendance recorded (drop-outs).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

/* Warnings and bad rows of an import, as kitstockd reports them. */
static const struct column problem_columns[] = {
	{ N_("LINE"), "line" },
	{ N_("COLUMN"), "column" },
	{ N_("VALUE"), "value" },
	{ N_("PROBLEM"), "message" },
	{ NULL, NULL }
};

/* A suggestion: what, where, how near, at what cost, how to get in. */
static const struct column suggest_columns[] = {
	{ N_("OFFER"), "offer" },
	{ N_("SERVICE"), "name" },
	{ N_("PLACE"), "place_name" },
	{ N_("COMMUNE"), "commune_name" },
	{ N_("NEAR"), "near" },
	{ N_("COST"), "cost" },
	{ N_("ADDRESS"), "address" },
	{ N_("HOURS"), "hours" },
	{ N_("ACCESS"), "access" },
	{ NULL, NULL }
};

static const struct column place_columns[] = {
	{ N_("NUMBER"), "id" },
	{ N_("NAME"), "name" },
	{ N_("COMMUNE"), "commune_name" },
	{ N_("TERRITORY"), "territory" },
	{ N_("OFFERS"), "offers" },
	{ N_("UPDATED"), "updated_on" },
	{ NULL, NULL }
};

/* Orientations with no attendance recorded. */
static const struct column dropout_columns[] = {
	{ N_("NUMBER"), "orientation" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("OFFER"), "offer" },
	{ N_("PLACE"), "place_name" },
	{ N_("ORIENTED"), "oriented_on" },
	{ N_("DAYS"), "days" },
	{ NULL, NULL }
};

/*
 * kitstock offers import FILE [--skip-bad]: the file sent whole; the
 * counts on standard output, warnings (and rows skipped) on standard
 * error.
 */
int
cmd_offers_import(struct cmd *cmd)
{
	const char *file;
	struct answer a;
	char *data, *url;
	size_t len = 0;
	json_t *o, *q;
	int rc;

	file = json_string_value(json_array_get(cmd->args, 0));
	if ((data = cmd_lot_read(file, &len, &rc)) == NULL)
		return (rc);
	q = json_object();
	if (json_is_true(json_object_get(cmd->fields, "skip_bad")))
		json_object_set_new(q, "skip_bad", json_string("true"));
	url = cmd_query("/v1/offers/import", q);
	json_decref(q);
	http_body("text/csv", data, len, NULL);
	rc = cmd_lot_send(cmd, "POST", url, &a);
	free(url);
	free(data);
	if (rc != 0)
		return (rc);
	o = a.json;
	if (cmd->json) {
		fwrite(a.text, 1, a.len, stdout);
		http_answer_free(&a);
		return (EXIT_DONE);
	}
	printf(_("places: %lld created, %lld updated, %lld unchanged; "
	    "%lld outside the programme's territories (skipped); %lld bad "
	    "rows (skipped); %lld warnings\n"),
	    (long long)json_integer_value(json_object_get(o, "created")),
	    (long long)json_integer_value(json_object_get(o, "updated")),
	    (long long)json_integer_value(json_object_get(o, "unchanged")),
	    (long long)json_integer_value(json_object_get(o,
	    "skipped_outside")),
	    (long long)json_integer_value(json_object_get(o, "bad")),
	    (long long)json_integer_value(json_object_get(o, "warnings")));
	printf(_("offers: %lld created, %lld withdrawn\n"),
	    (long long)json_integer_value(json_object_get(o,
	    "offers_created")),
	    (long long)json_integer_value(json_object_get(o,
	    "offers_withdrawn")));
	if (json_array_size(json_object_get(o, "bad_rows")) > 0) {
		output_warn("%s", _("rows not imported:"));
		output_table(stderr, problem_columns, json_object_get(o,
		    "bad_rows"));
	}
	if (json_array_size(json_object_get(o, "warning_list")) > 0) {
		output_warn("%s", _("warnings (the values are kept):"));
		output_table(stderr, problem_columns, json_object_get(o,
		    "warning_list"));
	}
	http_answer_free(&a);
	return (EXIT_DONE);
}

/* The offers suggested to a person, best first. */
void
cmd_offers_print_suggest(struct cmd *cmd, json_t *o)
{
	json_t *items = json_object_get(o, "items");

	if (json_array_size(items) == 0) {
		printf(_("%s: no offer matches (training wished: %s, "
		    "certification wished: %s)\n"),
		    json_string_value(json_object_get(o, "beneficiary")),
		    json_string_value(json_object_get(o, "training_wished")),
		    json_is_true(json_object_get(o, "certification_wished")) ?
		    _("yes") : _("no"));
		return;
	}
	output_table(stdout, suggest_columns, items);
}

/* The follow-up schedule, then the orientations not attended (if any). */
void
cmd_offers_print_followups(struct cmd *cmd, json_t *o)
{
	json_t *d = json_object_get(o, "dropouts");

	output_table(stdout, cmd->noun->columns, json_object_get(o, "items"));
	if (json_array_size(d) == 0)
		return;
	printf(_("\nOrientations with no attendance recorded (possible "
	    "drop-outs):\n"));
	output_table(stdout, dropout_columns, d);
}

/* Places, one a row. */
void
cmd_offers_print_places(struct cmd *cmd, json_t *o)
{
	output_table(stdout, place_columns, json_object_get(o, "items"));
}

/* Orientations with no attendance recorded after the programme's delay. */
void
cmd_offers_print_dropouts(struct cmd *cmd, json_t *o)
{
	json_t *items = json_object_get(o, "items");

	if (json_array_size(items) == 0) {
		printf(_("no orientation without attendance after %lld "
		    "days\n"), (long long)json_integer_value(json_object_get(o,
		    "days")));
		return;
	}
	output_table(stdout, dropout_columns, items);
}
