/*
 * Labels and printers: a label of each tag saved as PDF, PNG or ZPL, or
 * printed on a registered printer (waiting for CUPS to say the job is
 * done), pre-printed tags, the templates, the printers and the printer a
 * location prints on when units are received there.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kitstock.h"

#define CMD_LABEL_WAIT	120	/* seconds to wait for a print job */

static void cmd_label_print_printers(struct cmd *, json_t *);
static void cmd_label_print_templates(struct cmd *, json_t *);
static void cmd_label_print_receive(struct cmd *, json_t *);
static void cmd_label_print_job(struct cmd *, json_t *);
static int cmd_label_blank(struct cmd *);
static const char *cmd_label_format(const char *);
static int cmd_label_save(struct cmd *, json_t *, const char *);
static int cmd_label_send(struct cmd *, json_t *);
static int cmd_label_wait(struct cmd *, json_t *);
static void cmd_label_option(json_t *, json_t *, const char *);

const struct column cmd_printer_columns[] = {
	{ N_("NAME"), "name" },
	{ N_("QUEUE"), "queue" },
	{ N_("LANGUAGE"), "language" },
	{ N_("TEMPLATE"), "template" },
	{ N_("DPI"), "dpi" },
	{ N_("PRINTS ON RECEIVE AT"), "receive_at" },
	{ NULL, NULL }
};

static const struct column template_columns[] = {
	{ N_("NAME"), "name" },
	{ N_("FOR"), "for" },
	{ N_("DEFAULT FOR"), "default_for" },
	{ N_("SIZE (MM)"), "size_mm" },
	{ N_("TITLE"), "title" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_printer_verbs[] = {
	{ "add", "NAME --queue CUPS_QUEUE --language pdf|zpl [--template NAME] "
	    "[--dpi 203|300|600]", 1, 1, CMD_RAW | CMD_NAME, "POST",
	    "/v1/printers", output_show },
	{ "list", "", 0, 0, 0, "GET", "/v1/printers",
	    cmd_label_print_printers },
	{ "delete", "NAME", 1, 1, CMD_RAW, "DELETE", "/v1/printers/{q}",
	    output_show },
	{ "receive", "LOCATION --printer NAME [--template NAME]", 1, 1, 0,
	    "PUT", "/v1/locations/{t}/print-on-receive",
	    cmd_label_print_receive },
	{ "receive-off", "LOCATION", 1, 1, 0, "DELETE",
	    "/v1/locations/{t}/print-on-receive", cmd_label_print_receive },
	{ "job", "NUMBER", 1, 1, CMD_RAW, "GET", "/v1/print/{q}",
	    cmd_label_print_job },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_labels_verbs[] = {
	{ "blank", "--type device|sim --count N [--template NAME] "
	    "[--out FILE.pdf|.png|.zpl] [--printer NAME]", 0, 0, CMD_FILE, "POST",
	    "/v1/labels/blank", NULL, cmd_label_blank },
	{ "templates", "", 0, 0, 0, "GET", "/v1/labels/templates",
	    cmd_label_print_templates },
	{ "calibration", "[--out FILE.pdf|.png|.zpl] [--dpi 203|300|600]", 0,
	    0, CMD_FILE, "GET", "/v1/labels/calibration", NULL,
	    cmd_label_calibration },
	{ "commands", "[--out FILE.pdf]", 0, 0, CMD_FILE, "GET",
	    "/v1/labels/commands", NULL, cmd_label_commands },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static void
cmd_label_print_printers(struct cmd *cmd, json_t *o)
{
	output_table(stdout, cmd_printer_columns, json_object_get(o,
	    "printers"));
}

/* The templates, then those that do not parse, with why. */
static void
cmd_label_print_templates(struct cmd *cmd, json_t *o)
{
	json_t *e;
	size_t i;

	output_table(stdout, template_columns, json_object_get(o,
	    "templates"));
	json_array_foreach(json_object_get(o, "errors"), i, e)
		output_warn("%s", json_string_value(json_object_get(e,
		    "error")));
}

static void
cmd_label_print_receive(struct cmd *cmd, json_t *o)
{
	const char *p = json_string_value(json_object_get(o, "printer"));

	if (p != NULL)
		printf(_("%s: each unit received here is labelled on %s\n"),
		    json_string_value(json_object_get(o, "location")), p);
	else
		printf(_("%s: no label is printed on receive\n"),
		    json_string_value(json_object_get(o, "location")));
}

static void
cmd_label_print_job(struct cmd *cmd, json_t *o)
{
	output_show(cmd, o);
}

/* The format an output file's name asks for, or NULL. */
static const char *
cmd_label_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return (NULL);
	if (strcasecmp(dot, ".pdf") == 0)
		return ("pdf");
	if (strcasecmp(dot, ".png") == 0)
		return ("png");
	if (strcasecmp(dot, ".zpl") == 0)
		return ("zpl");
	return (NULL);
}

/* Copy an option given on the command line into a request. */
static void
cmd_label_option(json_t *to, json_t *fields, const char *name)
{
	json_t *v;

	if ((v = json_object_get(fields, name)) != NULL)
		json_object_set(to, name, v);
}

/* GET the labels of tags into a file; the format is its extension's. */
static int
cmd_label_save(struct cmd *cmd, json_t *tags, const char *out)
{
	struct answer a;
	const char *format;
	char *list, *path, *cause;
	json_t *q, *v;
	size_t i, len;
	FILE *f;
	int rc;

	f = output_memstream(&list, &len);
	json_array_foreach(tags, i, v)
		fprintf(f, "%s%s", i == 0 ? "" : ",", json_string_value(v));
	fclose(f);
	format = cmd_label_format(out);
	q = json_pack("{ss ss}", "tags", list, "format", format);
	free(list);
	cmd_label_option(q, cmd->fields, "template");
	cmd_label_option(q, cmd->fields, "dpi");
	cmd_label_option(q, cmd->fields, "event_date");
	cmd_label_option(q, cmd->fields, "event_place");
	path = cmd_query("/v1/labels", q);
	json_decref(q);
	rc = cmd_send(cmd, "GET", path, NULL, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (http_answer_save(&a, out, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else
		printf(_("%s: %zu label(s), %zu bytes\n"), out,
		    json_array_size(tags), a.len);
	http_answer_free(&a);
	return (rc);
}

/*
 * Wait for CUPS to finish a print job (kitstockd asks it): 0 if the job
 * completed, 1 if it ended otherwise.
 */
static int
cmd_label_wait(struct cmd *cmd, json_t *job)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	struct answer a;
	const char *state;
	char *path;
	json_t *v;
	long long id = json_integer_value(json_object_get(job, "id"));
	int rc, i;
	size_t k;

	xasprintf(&path, "/v1/print/%lld", id);
	for (i = 0; i < CMD_LABEL_WAIT * 5; i++) {
		if ((rc = cmd_send(cmd, "GET", path, NULL, &a)) != 0) {
			free(path);
			return (rc);
		}
		state = json_string_value(json_object_get(a.json, "state"));
		if (state != NULL && strcmp(state, "sent") != 0)
			break;
		http_answer_free(&a);
		nanosleep(&ts, NULL);
	}
	free(path);
	if (i == CMD_LABEL_WAIT * 5) {
		output_warn(_("print job %lld was sent to CUPS but has not "
		    "finished after %d s: kitstock printer job %lld tells "
		    "its state"), id, CMD_LABEL_WAIT, id);
		return (EXIT_DONE);
	}
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else if (strcmp(state, "completed") == 0) {
		json_array_foreach(json_object_get(a.json, "tags"), k, v)
			printf(_("%s: printed on %s (job %lld)\n"),
			    json_string_value(v), json_string_value(
			    json_object_get(a.json, "printer")), id);
	}
	rc = strcmp(state, "completed") == 0 ? EXIT_DONE : EXIT_REFUSED;
	if (rc != EXIT_DONE)
		output_warn(_("print job %lld on %s: %s (%s)"), id,
		    json_string_value(json_object_get(a.json, "printer")),
		    state, json_string_value(json_object_get(a.json,
		    "reason")) != NULL ? json_string_value(json_object_get(
		    a.json, "reason")) : "-");
	http_answer_free(&a);
	return (rc);
}

/* POST the tags to a printer, then wait for the job to finish. */
static int
cmd_label_send(struct cmd *cmd, json_t *tags)
{
	struct answer a;
	json_t *body;
	int rc;

	body = json_pack("{sO}", "tags", tags);
	cmd_label_option(body, cmd->fields, "printer");
	cmd_label_option(body, cmd->fields, "template");
	cmd_label_option(body, cmd->fields, "event_date");
	cmd_label_option(body, cmd->fields, "event_place");
	rc = cmd_send(cmd, "POST", "/v1/print", body, &a);
	json_decref(body);
	if (rc != 0)
		return (rc);
	rc = cmd_label_wait(cmd, a.json);
	http_answer_free(&a);
	return (rc);
}

/*
 * kitstock label TAG... --out FILE | --printer NAME: the tags (serials,
 * IMEIs and ICCIDs already turned into tags) labelled into a file, or
 * printed, or both.
 */
int
cmd_label_exec(struct cmd *cmd)
{
	const char *out, *printer;
	int rc = 0;

	out = json_string_value(json_object_get(cmd->fields, "out"));
	printer = json_string_value(json_object_get(cmd->fields, "printer"));
	if (out == NULL && printer == NULL) {
		output_warn("%s", _("label: give --out FILE (.pdf, .png or "
		    ".zpl) or --printer NAME"));
		cmd_usage(stderr, NULL, cmd->entry);
		return (EXIT_USAGE);
	}
	if (out != NULL && cmd_label_format(out) == NULL) {
		output_warn(_("label: --out %s: the name must end in .pdf, "
		    ".png or .zpl"), out);
		return (EXIT_USAGE);
	}
	if (out != NULL)
		rc = cmd_label_save(cmd, cmd->args, out);
	if (rc == 0 && printer != NULL && json_object_get(cmd->fields,
	    "dpi") != NULL) {
		output_warn("%s", _("label: --dpi is for --out; a printer "
		    "prints at its own resolution"));
		return (EXIT_USAGE);
	}
	if (rc == 0 && printer != NULL)
		rc = cmd_label_send(cmd, cmd->args);
	return (rc);
}

/*
 * kitstock labels blank --type T --count N: reserve tags for pre-printed
 * labels, print them one a line, and label them into a file or on a
 * printer if asked.
 */
static int
cmd_label_blank(struct cmd *cmd)
{
	struct answer a;
	const char *out, *printer;
	json_t *body, *tags, *v;
	size_t i;
	int rc;

	out = json_string_value(json_object_get(cmd->fields, "out"));
	printer = json_string_value(json_object_get(cmd->fields, "printer"));
	if (out != NULL && cmd_label_format(out) == NULL) {
		output_warn(_("labels blank: --out %s: the name must end in "
		    ".pdf, .png or .zpl"), out);
		return (EXIT_USAGE);
	}
	body = json_object();
	cmd_label_option(body, cmd->fields, "type");
	cmd_label_option(body, cmd->fields, "count");
	rc = cmd_send(cmd, "POST", "/v1/labels/blank", body, &a);
	json_decref(body);
	if (rc != 0)
		return (rc);
	tags = json_incref(json_object_get(a.json, "tags"));
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		json_array_foreach(tags, i, v)
			printf("%s\n", json_string_value(v));
	http_answer_free(&a);
	if (out != NULL)
		rc = cmd_label_save(cmd, tags, out);
	if (rc == 0 && printer != NULL)
		rc = cmd_label_send(cmd, tags);
	json_decref(tags);
	return (rc);
}
