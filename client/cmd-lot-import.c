/*
 * Receiving a delivery from the command line: the supplier's manifest
 * imported into a lot (the file sent as it is, as text/csv), units
 * received by serial, IMEI or ICCID (or as extras, by their fields), and
 * the lot's account as a table, or as CSV to send back to the supplier.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

/* No kitstockd takes a larger body (max-body is at most 64 MiB). */
#define IMPORT_FILE_MAX	(64 * 1024 * 1024)

/* The bad lines of a manifest, as kitstockd reports them. */
static const struct column error_columns[] = {
	{ N_("LINE"), "line" },
	{ N_("COLUMN"), "column" },
	{ N_("VALUE"), "value" },
	{ N_("PROBLEM"), "message" },
	{ NULL, NULL }
};

/* A lot's account, one unit a row. */
static const struct column account_columns[] = {
	{ N_("STATUS"), "status" },
	{ N_("LINE"), "line" },
	{ N_("KIND"), "kind" },
	{ N_("BRAND"), "brand" },
	{ N_("MODEL"), "model" },
	{ N_("SERIAL"), "serial" },
	{ N_("IMEI"), "imei" },
	{ N_("ICCID"), "iccid" },
	{ N_("GRADE"), "grade" },
	{ N_("TAG"), "tag" },
	{ N_("NOTE"), "note" },
	{ NULL, NULL }
};

/* Options of lot receive that describe an extra unit, not a received one. */
static const char *const extra_fields[] = {
	"serial", "brand", "imei", "cpu", "ram_gb", "storage_gb", "screen_in",
	"os", "warranty_until", "cost", "erasure_cert", "iccid", "operator",
	"msisdn", NULL
};

static int	 cmd_lot_take(struct cmd *, const char *);
static int	 cmd_lot_usage(struct cmd *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static int	 cmd_lot_tag(const char *);
static char	*cmd_lot_ref(const char *);
static char	*cmd_lot_note(json_t *);
static const char *cmd_lot_word(const char *);

/* The statuses of an account's units, and its counts. */
static const char *const account_words[] = {
	N_("expected"), N_("received"), N_("mismatched"), N_("missing"),
	N_("extra"), N_("duplicate"), NULL
};

/*
 * One request (its body set with http_body if not JSON): 0 with the answer
 * in a, or the exit status having said why, with the bad lines of a
 * manifest as a table.
 */
int
cmd_lot_send(struct cmd *cmd, const char *method, const char *path,
    struct answer *a)
{
	const char *msg;
	char *cause;
	json_t *e, *lines;

	if (http_request(method, path, NULL, a, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		return (EXIT_UNREACHABLE);
	}
	if (a->status >= 200 && a->status < 300)
		return (0);
	if (cmd->json && a->text != NULL)
		fwrite(a->text, 1, a->len, stdout);
	e = json_object_get(a->json, "error");
	if ((msg = json_string_value(json_object_get(e, "message"))) != NULL)
		output_warn("%s", msg);
	else if (a->status == 413)
		output_warn("%s", _("the file is larger than kitstockd takes "
		    "(max-body in kitstockd.conf)"));
	else
		output_warn(_("kitstockd answered with HTTP status %ld"),
		    a->status);
	lines = json_object_get(e, "lines");
	if (!cmd->json && json_array_size(lines) > 0) {
		output_table(stderr, error_columns, lines);
		if ((json_int_t)json_array_size(lines) < json_integer_value(
		    json_object_get(e, "count")))
			output_warn(_("(the first %zu are listed)"),
			    json_array_size(lines));
	}
	http_answer_free(a);
	return (EXIT_REFUSED);
}

/* Take a flag out of the fields: was it given? */
static int
cmd_lot_take(struct cmd *cmd, const char *name)
{
	int given;

	given = json_is_true(json_object_get(cmd->fields, name));
	json_object_del(cmd->fields, name);
	return (given);
}

/* A usage error: the sentence, then how the command is used (exit 2). */
static int
cmd_lot_usage(struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	output_warn("lot %s: %s", cmd->entry->name, msg);
	free(msg);
	cmd_usage(stderr, cmd->noun, cmd->entry);
	return (EXIT_USAGE);
}

/* A lot's tag, checked before asking (exit 1 if wrong). */
static int
cmd_lot_tag(const char *tag)
{
	char *cause;

	if (tag_check(tag, 'R', NULL, NULL, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		return (EXIT_REFUSED);
	}
	return (0);
}

/* A whole file into memory (allocated, never NULL when read). */
char *
cmd_lot_read(const char *path, size_t *len, int *rc)
{
	struct stat sb;
	char *data;
	FILE *f;

	*rc = EXIT_USAGE;
	if ((f = fopen(path, "rb")) == NULL) {
		output_warn(_("cannot read %s: %s"), path, strerror(errno));
		return (NULL);
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		output_warn(_("%s is not a file"), path);
		fclose(f);
		return (NULL);
	}
	if (sb.st_size > IMPORT_FILE_MAX) {
		output_warn(_("%s is too large (%lld bytes): split the "
		    "manifest into several files"), path,
		    (long long)sb.st_size);
		fclose(f);
		*rc = EXIT_REFUSED;
		return (NULL);
	}
	data = xmalloc((size_t)sb.st_size + 1);
	*len = fread(data, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		output_warn(_("cannot read %s: %s"), path, strerror(errno));
		fclose(f);
		free(data);
		return (NULL);
	}
	fclose(f);
	data[*len] = '\0';
	*rc = 0;
	return (data);
}

/* A delivery-note reference from a file's name: "BL-42" for BL-42.csv. */
static char *
cmd_lot_ref(const char *path)
{
	const char *base = strrchr(path, '/');
	char *ref, *dot;

	ref = xstrdup(base != NULL ? base + 1 : path);
	if ((dot = strrchr(ref, '.')) != NULL && dot != ref)
		*dot = '\0';
	return (ref);
}

/*
 * kitstock lot import FILE --supplier F [--lot R | --ref REF --date D
 * --unit-cost EUR --notes TEXT] [--skip-bad]: the new lot's tag (or the
 * lot's) on standard output; skipped lines on standard error.
 */
int
cmd_lot_import(struct cmd *cmd)
{
	static const char *const lot_only[] = {
		"ref", "delivered_on", "unit_cost", "notes", NULL
	};
	const char *file, *lot, *const *k;
	struct answer a;
	char *data, *path, *url, *q, *ref = NULL;
	size_t len = 0;
	json_t *errors;
	int rc;

	file = json_string_value(json_array_get(cmd->args, 0));
	lot = json_string_value(json_object_get(cmd->fields, "lot"));
	if (lot != NULL) {
		for (k = lot_only; *k != NULL; k++)
			if (json_object_get(cmd->fields, *k) != NULL)
				return (cmd_lot_usage(cmd, _("--%s describes a "
				    "new lot: leave it out with --lot"),
				    strcmp(*k, "delivered_on") == 0 ? "date" :
				    strcmp(*k, "unit_cost") == 0 ? "unit-cost" :
				    *k));
		if ((rc = cmd_lot_tag(lot)) != 0)
			return (rc);
	}
	if ((data = cmd_lot_read(file, &len, &rc)) == NULL)
		return (rc);
	if (cmd_lot_take(cmd, "skip_bad"))
		json_object_set_new(cmd->fields, "skip_bad",
		    json_string("true"));
	if (lot != NULL) {
		q = http_escape(lot);
		xasprintf(&path, "/v1/lots/%s/import", q);
		free(q);
		json_object_del(cmd->fields, "lot");
	} else {
		path = xstrdup("/v1/lots/import");
		if (json_object_get(cmd->fields, "ref") == NULL) {
			ref = cmd_lot_ref(file);
			json_object_set_new(cmd->fields, "ref",
			    json_string(ref));
		}
	}
	url = cmd_query(path, cmd->fields);
	free(path);
	http_body("text/csv", data, len, NULL);
	rc = cmd_lot_send(cmd, "POST", url, &a);
	free(url);
	free(data);
	free(ref);
	if (rc != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else {
		output_clean(stdout, json_string_value(json_object_get(a.json,
		    "lot")));
		putchar('\n');
		errors = json_object_get(a.json, "errors");
		if (json_array_size(errors) > 0) {
			output_warn(_("%lld lines not imported, %lld kept as "
			    "duplicates for the supplier's account:"),
			    (long long)json_integer_value(json_object_get(
			    a.json, "skipped")), (long long)json_integer_value(
			    json_object_get(a.json, "duplicates")));
			output_table(stderr, error_columns, errors);
		}
	}
	http_answer_free(&a);
	return (0);
}

/*
 * kitstock lot receive R CODE... [--location L] [--tag PREPRINTED]
 * [--kind K --model M --grade G], or R --extra --kind K --serial S ...:
 * each new tag on its own line.
 */
int
cmd_lot_receive(struct cmd *cmd)
{
	const char *lot, *const *k, *state;
	struct answer a;
	char *path, *q;
	json_t *body, *codes, *v;
	size_t i;
	int rc, extra;

	lot = json_string_value(json_array_get(cmd->args, 0));
	if ((rc = cmd_lot_tag(lot)) != 0)
		return (rc);
	codes = json_array();
	for (i = 1; i < json_array_size(cmd->args); i++)
		json_array_append(codes, json_array_get(cmd->args, i));
	extra = cmd_lot_take(cmd, "extra");
	body = json_deep_copy(cmd->fields);
	if (extra) {
		if (json_array_size(codes) > 0)
			rc = cmd_lot_usage(cmd, _("--extra receives one unit "
			    "given by its fields, not by codes"));
		else if (json_object_get(body, "kind") == NULL)
			rc = cmd_lot_usage(cmd, _("--extra needs --kind (and "
			    "the unit's --serial, or --iccid for a SIM card)"));
		json_object_set_new(body, "extra", json_true());
	} else {
		for (k = extra_fields; *k != NULL && rc == 0; k++)
			if (json_object_get(body, *k) != NULL)
				rc = cmd_lot_usage(cmd, _("--%s describes an "
				    "extra unit: give --extra with it, or the "
				    "code of an expected unit alone"), *k);
		if (rc == 0 && json_array_size(codes) == 0)
			rc = cmd_lot_usage(cmd, _("give the serials, IMEIs or "
			    "ICCIDs of the units received, or --extra"));
		json_object_set(body, "codes", codes);
	}
	json_decref(codes);
	if (rc != 0) {
		json_decref(body);
		return (rc);
	}
	q = http_escape(lot);
	xasprintf(&path, "/v1/lots/%s/receive", q);
	free(q);
	rc = cmd_send(cmd, "POST", path, body, &a);
	free(path);
	json_decref(body);
	if (rc != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		json_array_foreach(json_object_get(a.json, "received"), i, v) {
			output_clean(stdout, json_string_value(json_object_get(
			    v, "tag")));
			putchar('\n');
			state = json_string_value(json_object_get(
			    json_object_get(v, "label"), "state"));
			if (state != NULL && strcmp(state, "failed") == 0)
				output_warn(_("%s: its label was not printed: "
				    "%s"), json_string_value(json_object_get(v,
				    "tag")), json_string_value(json_object_get(
				    json_object_get(v, "label"), "reason")));
			else if (state != NULL && strcmp(state, "queued") == 0)
				output_warn(_("%s: its label is queued for "
				    "printing (kitstock printer job %lld tells "
				    "its state)"), json_string_value(
				    json_object_get(v, "tag")), (long long)
				    json_integer_value(json_object_get(
				    json_object_get(v, "label"), "id")));
		}
	http_answer_free(&a);
	return (0);
}

/* What is wrong with a unit of the account, in a few words (allocated). */
static char *
cmd_lot_note(json_t *u)
{
	const char *st = json_string_value(json_object_get(u, "status"));
	json_t *d, *e;
	size_t i, len;
	char *s;
	FILE *f;

	f = output_memstream(&s, &len);
	json_array_foreach(json_object_get(u, "differences"), i, e)
		fprintf(f, _("%s%s: %s expected, %s found"), i > 0 ? "; " : "",
		    json_string_value(json_object_get(e, "field")),
		    json_string_value(json_object_get(e, "expected")),
		    json_is_string(json_object_get(e, "found")) ?
		    json_string_value(json_object_get(e, "found")) : "-");
	d = json_object_get(u, "duplicate");
	if (strcmp(st, "duplicate") == 0 && json_is_object(d)) {
		if (json_is_string(json_object_get(d, "tag")))
			fprintf(f, _("%s already in stock (%s)"),
			    json_string_value(json_object_get(d, "field")),
			    json_string_value(json_object_get(d, "tag")));
		else
			fprintf(f, _("same %s as line %lld%s"),
			    json_string_value(json_object_get(d, "field")),
			    (long long)json_integer_value(json_object_get(d,
			    "line")), json_is_true(json_object_get(d,
			    "earlier")) ? _(" of an earlier file") : "");
	}
	fclose(f);
	return (s);
}

/* A status or count of an account, translated. */
static const char *
cmd_lot_word(const char *key)
{
	int i;

	for (i = 0; key != NULL && account_words[i] != NULL; i++)
		if (strcmp(account_words[i], key) == 0)
			return (_(account_words[i]));
	return (key != NULL ? key : "");
}

/* kitstock lot reconcile R [--csv]: the lot's account. */
int
cmd_lot_reconcile(struct cmd *cmd)
{
	const char *lot, *key;
	struct answer a;
	char *path, *q, *note;
	json_t *counts, *units, *u, *v;
	size_t i;
	int rc, csv;

	lot = json_string_value(json_array_get(cmd->args, 0));
	if ((rc = cmd_lot_tag(lot)) != 0)
		return (rc);
	csv = cmd_lot_take(cmd, "csv");
	q = http_escape(lot);
	xasprintf(&path, "/v1/lots/%s/reconcile%s", q, csv ? "?format=csv" :
	    "");
	free(q);
	http_body(NULL, NULL, 0, csv ? "text/csv" : NULL);
	rc = cmd_lot_send(cmd, "GET", path, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (csv || cmd->json) {
		if (fwrite(a.text, 1, a.len, stdout) != a.len)
			rc = EXIT_REFUSED;
		http_answer_free(&a);
		return (rc);
	}
	counts = json_object_get(a.json, "counts");
	printf("%s", lot);
	json_object_foreach(counts, key, v)
		printf("%s %s %lld", strcmp(key, "expected") == 0 ? ":" : ",",
		    cmd_lot_word(key), (long long)json_integer_value(v));
	printf("\n\n");
	units = json_object_get(a.json, "units");
	json_array_foreach(units, i, u) {
		note = cmd_lot_note(u);
		json_object_set_new(u, "note", json_string(note));
		free(note);
		json_object_set_new(u, "status", json_string(cmd_lot_word(
		    json_string_value(json_object_get(u, "status")))));
	}
	output_table(stdout, account_columns, units);
	http_answer_free(&a);
	return (0);
}
