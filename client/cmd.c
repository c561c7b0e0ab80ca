/*
 * Commands as data: options parsed against the command's usage and typed
 * by one table, arguments checked and resolved to tags, one request built
 * from the entry's method and path, the answer printed or refused.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstock.h"

/* How an option's value goes into JSON. */
enum cmd_type {
	OPT_STRING,
	OPT_TAG,	/* a string, refused here if a tag with a bad check */
	OPT_INT,
	OPT_NUMBER,
	OPT_TRUE,	/* no value: true */
	OPT_LOCAL,	/* no value: true, for the client only (never edited) */
	OPT_FALSE,	/* no value: false */
	OPT_LIST,	/* repeatable: an array */
	OPT_SECRET,	/* never on the command line */
};

/* Options that are not plain strings, or whose field has another name. */
static const struct cmd_option {
	const char *name;
	enum cmd_type type;
	const char *field; /* NULL: the name with '_' for '-' */
} cmd_options[] = {
	{ "accessory", OPT_LIST, "accessories" },
	{ "after", OPT_TAG, NULL },
	{ "all", OPT_LOCAL, NULL },
	{ "attended", OPT_TRUE, NULL },
	{ "autonomy", OPT_INT, NULL },
	{ "beneficiary", OPT_TAG, NULL },
	{ "blank-ms", OPT_INT, NULL },
	{ "certification-wished", OPT_TRUE, NULL },
	{ "certified", OPT_TRUE, NULL },
	{ "completed", OPT_TRUE, NULL },
	{ "connected", OPT_TRUE, NULL },
	{ "count", OPT_INT, NULL },
	{ "csv", OPT_LOCAL, NULL },
	{ "data-erased", OPT_TRUE, NULL },
	{ "date", OPT_STRING, "delivered_on" },
	{ "device", OPT_LIST, "devices" },
	{ "device-in-use", OPT_TRUE, NULL },
	{ "dpi", OPT_INT, NULL },
	{ "dry-run", OPT_TRUE, NULL },
	{ "extra", OPT_LOCAL, NULL },
	{ "from", OPT_TAG, NULL },
	{ "imei", OPT_LIST, NULL },
	{ "keep", OPT_INT, NULL },
	{ "late", OPT_TRUE, NULL },
	{ "limit", OPT_INT, NULL },
	{ "local", OPT_TRUE, NULL },
	{ "location", OPT_TAG, NULL },
	{ "lot", OPT_TAG, NULL },
	{ "month", OPT_INT, NULL },
	{ "no-attended", OPT_FALSE, "attended" },
	{ "no-certification-wished", OPT_FALSE, "certification_wished" },
	{ "no-certified", OPT_FALSE, "certified" },
	{ "no-completed", OPT_FALSE, "completed" },
	{ "no-connected", OPT_FALSE, "connected" },
	{ "no-device-in-use", OPT_FALSE, "device_in_use" },
	{ "no-local", OPT_FALSE, "local" },
	{ "no-training-followed", OPT_FALSE, "training_followed" },
	{ "offer", OPT_TAG, NULL },
	{ "partner", OPT_TAG, NULL },
	{ "overdue", OPT_TRUE, NULL },
	{ "pin", OPT_SECRET, NULL },
	{ "pin-stdin", OPT_LOCAL, NULL },
	{ "place", OPT_TAG, NULL },
	{ "plan-gb", OPT_INT, NULL },
	{ "plan-months", OPT_INT, NULL },
	{ "prescriber", OPT_TAG, NULL },
	{ "puk", OPT_SECRET, NULL },
	{ "ram-gb", OPT_INT, NULL },
	{ "score", OPT_INT, NULL },
	{ "screen-in", OPT_NUMBER, NULL },
	{ "sims", OPT_INT, NULL },
	{ "skip-bad", OPT_LOCAL, NULL },
	{ "stdin", OPT_LOCAL, NULL },
	{ "storage-gb", OPT_INT, NULL },
	{ "supplier", OPT_TAG, NULL },
	{ "timeout", OPT_INT, NULL },
	{ "to", OPT_TAG, NULL },
	{ "training-followed", OPT_TRUE, NULL },
	{ "unit-cost", OPT_STRING, "unit_cost" },
	{ "unreachable", OPT_FALSE, "reached" },
	{ "vouchers", OPT_INT, NULL },
	{ NULL, OPT_STRING, NULL }
};

/* Verbs that act on any tag, and reports. */
const struct cmd_entry cmd_table[] = {
	{ "show", "TAG|SERIAL|IMEI|ICCID", 1, 1, CMD_RAW, "GET",
	    "/v1/items/{q}", output_show },
	{ "edit", "TAG --FIELD VALUE... [--reason TEXT]", 1, 1, CMD_ANYOPT,
	    "PATCH", "/v1/{c}/{t}", cmd_item_print_changed },
	{ "move", "TAG... --to LOCATION [--reason TEXT] [--at DATE]", 1, -1,
	    CMD_ITEMS, "POST", "/v1/moves", cmd_unit_print_moves },
	{ "state",
	    "TAG --to STATE [--reason TEXT] [--data-erased] "
	    "[--erasure-method TEXT] [--erased-by WHO] [--at DATE]", 1, 1,
	    CMD_UNIT, "POST", "/v1/{c}/{t}/state", cmd_unit_print_state },
	{ "checkout", "DISTRIBUTION BENEFICIARY KIT [--contribution EUR] "
	    "[--payment cash|card|cheque|transfer] [--plan-months N] "
	    "[--override-reason TEXT] [--receipt FILE.pdf] [--at DATE]", 3, 3,
	    CMD_RAW | CMD_FILE, "POST", "/v1/distributions", NULL,
	    cmd_checkout },
	{ "history", "TAG", 1, 1, 0, "GET", "/v1/history/{t}",
	    cmd_item_print_history },
	{ "stock",
	    "[--by kind,state,location,territory,supplier,grade] [--state S] "
	    "[--kind K] [--location L] [--territory T] [--supplier F] "
	    "[--grade G]",
	    0, 0, 0, "GET", "/v1/stock", cmd_report_print_stock },
	{ "check", "", 0, 0, 0, "GET", "/v1/check", NULL, cmd_report_check },
	{ "programme", "", 0, 0, 0, "GET", "/v1/programme",
	    cmd_report_print_programme },
	{ "communes", "[--territory T6] [--on DATE]", 0, 0, 0, "GET",
	    "/v1/communes", cmd_report_print_communes },
	{ "health", "", 0, 0, 0, "GET", "/v1/health", output_show },
	{ "indicators", "[--territory T6] [--from DATE] [--to DATE] "
	    "[--breakdowns all|whole]", 0, 0, 0,
	    "GET", "/v1/indicators", cmd_export_print_indicators },
	{ "alerts", "[--days N]", 0, 0, 0, "GET", "/v1/alerts",
	    cmd_export_print_alerts },
	{ "export", "evaluation|indicators|prescriber|stock|sims|warranties|"
	    "repairs|followups [--out FILE|-] [--prescriber TAG] "
	    "[--territory T6] [--from DATE] [--to DATE] [--days N]", 1, 1,
	    CMD_RAW | CMD_FILE, "GET", "/v1/exports", NULL, cmd_export_exec },
	{ "label", "TAG... [--template NAME] [--out FILE.pdf|.png|.zpl] "
	    "[--printer NAME] [--dpi 203|300|600] [--event-date DATE] "
	    "[--event-place TEXT]", 1, -1, CMD_FILE, "GET", "/v1/labels", NULL,
	    cmd_label_exec },
	{ "backup", "FILE [--keep N]", 1, 1, CMD_RAW | CMD_FILE, "GET",
	    "/v1/backup", NULL },
	{ "scan", "CODE --station NAME", 1, 1, CMD_RAW, "POST", "/v1/scans",
	    NULL, cmd_scan },
	{ "watch", "[--station NAME] [--count N]", 0, 0, 0, "GET",
	    "/v1/stream", NULL, cmd_watch },
	{ "terminal", "--station NAME [--server URL] "
	    "[--scanner VID:PID[/SERIAL]] [--layout us|fr] [--stdin] "
	    "[--queue FILE] [--timeout S]", 0, 0, CMD_RAW, NULL, NULL, NULL,
	    cmd_terminal },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int cmd_fail(struct cmd *, const char *, ...)
    __attribute__((__format__(printf, 2, 3)));
static int cmd_file(struct cmd *, struct answer *);
static int cmd_refuse(const char *, ...)
    __attribute__((__format__(printf, 1, 2)));
static void cmd_wrap(FILE *, const char *, const char *, const char *);
static const struct cmd_entry *cmd_entry_find(const struct cmd_entry *,
    const char *);
static const struct cmd_option *cmd_option_find(const char *);
static json_t *cmd_usage_options(const char *);
static int cmd_value(struct cmd *, const struct cmd_option *, const char *,
    const char *, json_t **);
static char *cmd_field(const char *);
static int cmd_option(struct cmd *, json_t *, int, char **, int *);
static int cmd_parse(struct cmd *, int, char **, int *);
static int cmd_tags(struct cmd *);
static int cmd_path(struct cmd *, char **);
static int cmd_take(struct cmd *, const char *);
static int cmd_exec(struct cmd *);
static int cmd_is_help(const char *);

/* A usage error: the sentence, then how the command is used (exit 2). */
static int
cmd_fail(struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	output_warn("%s%s%s: %s", cmd->noun != NULL ? cmd->noun->name : "",
	    cmd->noun != NULL ? " " : "", cmd->entry->name, msg);
	free(msg);
	cmd_usage(stderr, cmd->noun, cmd->entry);
	return (EXIT_USAGE);
}

/* A value refused, by kitstockd or before asking it (exit 1). */
static int
cmd_refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	output_vwarn(fmt, ap);
	va_end(ap);
	return (EXIT_REFUSED);
}

/* Print head and usage, folded at 80 columns between bracketed groups. */
static void
cmd_wrap(FILE *f, const char *prefix, const char *head, const char *usage)
{
	const char *p = usage, *word;
	size_t col, len;
	int depth;

	col = fprintf(f, "%s%s", prefix, head);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		word = p;
		for (depth = 0; *p != '\0' && (*p != ' ' || depth > 0); p++)
			depth += (*p == '[') - (*p == ']');
		if ((len = p - word) == 0)
			break;
		if (col + 1 + len > 79) {
			fprintf(f, "\n%*s", 8, "");
			col = 8;
		} else
			col += fprintf(f, " ");
		col += fwrite(word, 1, len, f);
	}
	fprintf(f, "\n");
}

/* How one command is used; with no entry, every verb of the noun. */
void
cmd_usage(FILE *f, const struct cmd_noun *noun, const struct cmd_entry *e)
{
	char *head;

	if (e == NULL) {
		for (e = noun->verbs; e->name != NULL; e++)
			cmd_usage(f, noun, e);
		return;
	}
	xasprintf(&head, "kitstock %s%s%s", noun != NULL ? noun->name : "",
	    noun != NULL ? " " : "", e->name);
	cmd_wrap(f, _("usage: "), head, e->usage);
	free(head);
}

/* The global help: options, then every command from the tables. */
void
cmd_help(FILE *f)
{
	const struct cmd_noun *noun;
	const struct cmd_entry *e;
	char *head;

	fprintf(f, "%s", _("usage: kitstock [GLOBAL OPTIONS] COMMAND "
	    "[ARGUMENTS] [OPTIONS]\n\n"));
	fprintf(f, "%s", _("Global options:\n"
	    "  -s, --socket PATH  kitstockd's socket (default: "
	    "$KITSTOCK_SOCKET,\n"
	    "                     else var/kitstockd.sock if it exists, else\n"
	    "                     /run/kitstockd/kitstockd.sock)\n"
	    "  --server URL       talk to http://HOST:PORT instead of the "
	    "socket\n"
	    "  --token-file FILE  send the token on the first line of FILE\n"
	    "  --ca FILE          trust the certificates in FILE (https)\n"
	    "  --pin sha256//KEY  trust the server whose public key has this\n"
	    "                     fingerprint (https)\n"
	    "  --insecure         send the token over http:// to another "
	    "machine anyway\n"
	    "                     (in clear: anyone on the way can read it)\n"
	    "  --json             print kitstockd's JSON as received\n"
	    "  -h, --help         this help; kitstock COMMAND --help for one "
	    "command\n"
	    "  --version          the version\n\n"));
	fprintf(f, "%s", _("Commands:\n"));
	for (noun = cmd_nouns; noun->name != NULL; noun++) {
		for (e = noun->verbs; e->name != NULL; e++) {
			xasprintf(&head, "kitstock %s %s", noun->name,
			    e->name);
			cmd_wrap(f, "  ", head, e->usage);
			free(head);
		}
	}
	for (e = cmd_table; e->name != NULL; e++) {
		xasprintf(&head, "kitstock %s", e->name);
		cmd_wrap(f, "  ", head, e->usage);
		free(head);
	}
	fprintf(f, "%s", _("\nA TAG may also be given as a serial, an IMEI or "
	    "an ICCID. Each add prints\nthe new tag alone. edit sets "
	    "--some-field VALUE as the field some_field\n(--date is "
	    "delivered_on, --unit-cost unit_cost, --local/--no-local true or\n"
	    "false, --imei may be repeated). PIN and PUK are read from "
	    "standard input\n(PIN on the first line, PUK on the second), never "
	    "from the command line.\n\n"
	    "Exit status: 0 done, 1 refused by kitstockd, 2 usage error, "
	    "3 kitstockd\ncannot be reached. KITSTOCK_LANG chooses the "
	    "language (default fr).\n"));
}

/* The entry of this name in a table, or NULL. */
static const struct cmd_entry *
cmd_entry_find(const struct cmd_entry *table, const char *name)
{
	const struct cmd_entry *e;

	for (e = table; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return (e);
	return (NULL);
}

/* How an option is typed; a plain string if the table does not say. */
static const struct cmd_option *
cmd_option_find(const char *name)
{
	const struct cmd_option *o;

	for (o = cmd_options; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return (o);
	return (o);
}

/* The options a usage names: name -> true if required (outside []). */
static json_t *
cmd_usage_options(const char *usage)
{
	const char *p;
	char *name;
	size_t n;
	int depth = 0;
	json_t *o = json_object();

	for (p = usage; *p != '\0'; p++) {
		depth += (*p == '[') - (*p == ']');
		if (strncmp(p, "--", 2) != 0 || (p != usage && p[-1] != ' ' &&
		    p[-1] != '['))
			continue;
		n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (n > 0) {
			name = xstrndup(p + 2, n);
			json_object_set_new(o, name, json_boolean(depth == 0));
			free(name);
		}
		p += 1 + n;
	}
	return (o);
}

/*
 * One option's value as JSON: numbers are checked here (a usage error),
 * tags with a bad check character refused here (as kitstockd would).
 */
static int
cmd_value(struct cmd *cmd, const struct cmd_option *o, const char *name,
    const char *value, json_t **out)
{
	char *end, *copy, *cause;
	long long n;
	double d;
	int bad;

	switch (o->type) {
	case OPT_TRUE:
	case OPT_LOCAL:
	case OPT_FALSE:
		*out = json_boolean(o->type != OPT_FALSE);
		return (0);
	case OPT_INT:
		n = strtoll(value, &end, 10);
		if (*value == '\0' || isspace((unsigned char)*value) ||
		    *end != '\0')
			return (cmd_fail(cmd, _("--%s %s: expected a whole "
			    "number"), name, value));
		*out = json_integer(n);
		return (0);
	case OPT_NUMBER:
		/* A decimal comma is what a French keyboard types. */
		copy = xstrdup(value);
		if ((end = strchr(copy, ',')) != NULL)
			*end = '.';
		d = strtod(copy, &end);
		bad = *copy == '\0' || isspace((unsigned char)*copy) ||
		    *end != '\0';
		free(copy);
		if (bad)
			return (cmd_fail(cmd, _("--%s %s: expected a number"),
			    name, value));
		*out = json_real(d);
		return (0);
	case OPT_TAG:
		if (tag_shaped(value) && tag_check(value, 0, NULL, NULL,
		    &cause) != 0) {
			cmd_refuse("%s", cause);
			free(cause);
			return (EXIT_REFUSED);
		}
		break;
	default:
		break;
	}
	*out = json_string(value);
	return (0);
}

/* The field an option sets: its table's, or its name with '_' for '-'. */
static char *
cmd_field(const char *name)
{
	const struct cmd_option *o = cmd_option_find(name);
	char *field, *p;

	if (o->field != NULL)
		return (xstrdup(o->field));
	field = xstrdup(name);
	for (p = field; *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
	return (field);
}

/*
 * The option at argv[*i] (its value may follow), into cmd->fields; allowed
 * holds the options of the usage.
 */
static int
cmd_option(struct cmd *cmd, json_t *allowed, int argc, char **argv, int *i)
{
	const struct cmd_option *o;
	const char *value = NULL;
	char *name, *field, *p;
	json_t *v = NULL, *list;
	int rc;

	name = xstrdup(argv[*i] + 2);
	if ((p = strchr(name, '=')) != NULL) {
		*p = '\0';
		value = p + 1;
	}
	o = cmd_option_find(name);
	if (o->type == OPT_SECRET) {
		rc = cmd_fail(cmd, _("a PIN or PUK is never given on the "
		    "command line: use kitstock sim secret-set TAG and type "
		    "it on standard input"));
		goto out;
	}
	if (*name == '\0' || (json_object_get(allowed, name) == NULL &&
	    ((cmd->entry->flags & CMD_ANYOPT) == 0 || o->type == OPT_LOCAL))) {
		rc = cmd_fail(cmd, _("unknown option --%s"), name);
		goto out;
	}
	if (o->type == OPT_TRUE || o->type == OPT_LOCAL ||
	    o->type == OPT_FALSE) {
		if (value != NULL) {
			rc = cmd_fail(cmd, _("--%s takes no value"), name);
			goto out;
		}
	} else if (value == NULL) {
		if (*i + 1 >= argc) {
			rc = cmd_fail(cmd, _("--%s needs a value"), name);
			goto out;
		}
		value = argv[++*i];
	}
	if ((rc = cmd_value(cmd, o, name, value, &v)) != 0)
		goto out;
	field = cmd_field(name);
	if (o->type == OPT_LIST) {
		if ((list = json_object_get(cmd->fields, field)) == NULL) {
			list = json_array();
			json_object_set_new(cmd->fields, field, list);
		}
		json_array_append_new(list, v);
	} else
		json_object_set_new(cmd->fields, field, v);
	free(field);
out:
	free(name);
	return (rc);
}

/*
 * Options and arguments of a command, anywhere on its line ("--" ends the
 * options). Returns 0 to go on, or -1 with the exit status in *rc.
 */
static int
cmd_parse(struct cmd *cmd, int argc, char **argv, int *rc)
{
	const struct cmd_entry *e = cmd->entry;
	const char *key;
	char *field;
	json_t *allowed, *v;
	size_t n;
	int i, options = 1;

	*rc = 0;
	allowed = cmd_usage_options(e->usage);
	for (i = 0; i < argc && *rc == 0; i++) {
		if (options && strcmp(argv[i], "--") == 0)
			options = 0;
		else if (!options || argv[i][0] != '-' || argv[i][1] == '\0')
			json_array_append_new(cmd->args, json_string(argv[i]));
		else if (cmd_is_help(argv[i])) {
			cmd_usage(stdout, cmd->noun, e);
			json_decref(allowed);
			return (-1);
		} else if (strcmp(argv[i], "--json") == 0)
			cmd->json = 1;
		else if (argv[i][1] != '-')
			*rc = cmd_fail(cmd, _("unknown option %s"), argv[i]);
		else
			*rc = cmd_option(cmd, allowed, argc, argv, &i);
	}
	json_object_foreach(allowed, key, v) {
		field = cmd_field(key);
		if (*rc == 0 && json_is_true(v) &&
		    json_object_get(cmd->fields, field) == NULL)
			*rc = cmd_fail(cmd, _("--%s is required"), key);
		free(field);
	}
	json_decref(allowed);
	n = json_array_size(cmd->args);
	if (*rc == 0 && n < (size_t)e->args_min)
		*rc = cmd_fail(cmd, _("an argument is missing"));
	if (*rc == 0 && e->args_max >= 0 && n > (size_t)e->args_max)
		*rc = cmd_fail(cmd, _("unexpected argument %s"),
		    json_string_value(json_array_get(cmd->args, n - 1)));
	return (*rc == 0 ? 0 : -1);
}

/*
 * Send one request. On success a is the answer (caller frees); otherwise say
 * why on stderr (and print the JSON with --json) and return the exit status.
 */
int
cmd_send(struct cmd *cmd, const char *method, const char *path, json_t *body,
    struct answer *a)
{
	const char *msg;
	char *cause;
	json_t *e;

	if (http_request(method, path, body, a, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		return (EXIT_UNREACHABLE);
	}
	if (a->status >= 200 && a->status < 300 && (a->json != NULL ||
	    (cmd->entry->flags & CMD_FILE)))
		return (0);
	if (cmd->json && a->text != NULL)
		fwrite(a->text, 1, a->len, stdout);
	e = json_object_get(a->json, "error");
	if ((msg = json_string_value(json_object_get(e, "message"))) != NULL)
		cmd_refuse("%s", msg);
	else if (a->json == NULL && a->status < 300)
		cmd_refuse("%s", _("kitstockd's answer is not JSON"));
	else
		cmd_refuse(_("kitstockd answered with HTTP status %ld"),
		    a->status);
	if (e == NULL && json_is_object(a->json) && !cmd->json)
		output_show(cmd, a->json);
	if (json_is_array(json_object_get(e, "candidates")))
		cmd_item_candidates(json_object_get(e, "candidates"));
	http_answer_free(a);
	return (EXIT_REFUSED);
}

/*
 * The arguments as tags: each tag checked before any request, then (unless
 * sent as typed) each serial, IMEI or ICCID looked up.
 */
static int
cmd_tags(struct cmd *cmd)
{
	struct answer a;
	const char *s, *tag;
	char *cause, *path, *q, want;
	json_t *v;
	size_t i;
	int rc;

	want = cmd->noun != NULL && (cmd->entry->flags & CMD_MIXED) == 0 ?
	    cmd->noun->letter : '\0';
	json_array_foreach(cmd->args, i, v) {
		s = json_string_value(v);
		if (tag_shaped(s) && tag_check(s, want, NULL, NULL, &cause) !=
		    0) {
			cmd_refuse("%s", cause);
			free(cause);
			return (EXIT_REFUSED);
		}
	}
	if (cmd->entry->flags & CMD_RAW)
		return (0);
	json_array_foreach(cmd->args, i, v) {
		if (tag_shaped(json_string_value(v)))
			continue;
		q = http_escape(json_string_value(v));
		xasprintf(&path, "/v1/items/%s", q);
		free(q);
		rc = cmd_send(cmd, "GET", path, NULL, &a);
		free(path);
		if (rc != 0)
			return (rc);
		tag = json_string_value(json_object_get(a.json, "tag"));
		rc = 0;
		if (tag == NULL)
			rc = cmd_refuse("%s",
			    _("kitstockd's answer has no tag"));
		else if (tag_check(tag, want, NULL, NULL, &cause) != 0) {
			rc = cmd_refuse("%s", cause);
			free(cause);
		} else
			json_array_set_new(cmd->args, i, json_string(tag));
		http_answer_free(&a);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

/* The entry's path with {c}, {t} and {q} filled in (allocated). */
static int
cmd_path(struct cmd *cmd, char **out)
{
	const struct cmd_noun *noun = cmd->noun;
	const char *p, *tag;
	char *s;
	size_t len;
	FILE *f;

	tag = json_string_value(json_array_get(cmd->args, 0));
	if (noun == NULL && tag != NULL)
		noun = cmd_noun_letter(tag[0]);
	if (strstr(cmd->entry->path, "{c}") != NULL) {
		if (noun == NULL)
			return (cmd_refuse(_("%s: kitstock has no command for "
			    "this kind of item"), tag));
		if ((cmd->entry->flags & CMD_UNIT) && !noun->unit)
			return (cmd_refuse(_("%s is neither a device nor a SIM "
			    "card: only they change state"), tag));
	}
	f = output_memstream(out, &len);
	for (p = cmd->entry->path; *p != '\0'; p++) {
		if (strncmp(p, "{c}", 3) == 0)
			fputs(noun->path, f);
		else if (strncmp(p, "{t}", 3) == 0 ||
		    strncmp(p, "{q}", 3) == 0) {
			s = http_escape(tag);
			fputs(s, f);
			free(s);
		} else {
			fputc(*p, f);
			continue;
		}
		p += 2;
	}
	fclose(f);
	return (0);
}

/* A path with the fields as its query string (allocated). */
char *
cmd_query(const char *path, json_t *fields)
{
	const char *key;
	char *s, *text, *q;
	size_t len;
	json_t *v;
	FILE *f;
	int first = 1;

	f = output_memstream(&s, &len);
	fputs(path, f);
	json_object_foreach(fields, key, v) {
		if (json_is_string(v))
			text = xstrdup(json_string_value(v));
		else if ((text = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
			fatal("json_dumps");
		q = http_escape(text);
		fprintf(f, "%c%s=%s", first ? '?' : '&', key, q);
		free(q);
		free(text);
		first = 0;
	}
	fclose(f);
	return (s);
}

/* Take a client-side flag out of the fields: was it given? */
static int
cmd_take(struct cmd *cmd, const char *name)
{
	int given;

	given = json_is_true(json_object_get(cmd->fields, name));
	json_object_del(cmd->fields, name);
	return (given);
}

/*
 * Run a command: tags, path, body or query, request (every page of a list
 * with --all), then print the answer or its JSON.
 */
static int
cmd_exec(struct cmd *cmd)
{
	const struct cmd_entry *e = cmd->entry;
	struct answer a, more;
	const char *next;
	char *path, *url;
	int rc, all, pages = 1, get;

	if ((rc = cmd_tags(cmd)) != 0)
		return (rc);
	if (e->exec != NULL)
		return (e->exec(cmd));
	if ((rc = cmd_path(cmd, &path)) != 0)
		return (rc);
	all = cmd_take(cmd, "all");
	if ((e->flags & CMD_SECRET) || cmd_take(cmd, "pin_stdin"))
		rc = cmd_unit_secret(cmd->fields);
	if (e->flags & CMD_ITEMS)
		json_object_set(cmd->fields, "items", cmd->args);
	if (e->flags & CMD_NAME)
		json_object_set(cmd->fields, "name",
		    json_array_get(cmd->args, 0));
	get = strcmp(e->method, "GET") == 0;
	url = get ? cmd_query(path, cmd->fields) : xstrdup(path);
	if (rc == 0)
		rc = cmd_send(cmd, e->method, url, get ? NULL : cmd->fields,
		    &a);
	free(url);
	if (rc != 0) {
		free(path);
		return (rc);
	}
	while (all && (e->flags & CMD_LIST) && (next = json_string_value(
	    json_object_get(a.json, "next"))) != NULL) {
		json_object_set_new(cmd->fields, "after", json_string(next));
		url = cmd_query(path, cmd->fields);
		rc = cmd_send(cmd, e->method, url, NULL, &more);
		free(url);
		if (rc != 0)
			break;
		json_array_extend(json_object_get(a.json, "items"),
		    json_object_get(more.json, "items"));
		json_object_set(a.json, "next", json_object_get(more.json,
		    "next"));
		http_answer_free(&more);
		pages++;
	}
	free(path);
	if (rc == 0 && cmd->json && pages > 1) {
		json_dumpf(a.json, stdout, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else if (rc == 0 && (e->flags & CMD_FILE))
		rc = cmd_file(cmd, &a);
	else if (rc == 0 && cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else if (rc == 0)
		e->print(cmd, a.json);
	if (rc == 0 && (e->flags & CMD_LIST) && (next = json_string_value(
	    json_object_get(a.json, "next"))) != NULL)
		output_warn(_("more follow: add --after %s for the next page, "
		    "or --all for every page"), next);
	http_answer_free(&a);
	return (rc);
}

/*
 * Write an answer's bytes to the file named by the first argument, safely
 * (a temporary file synced, then renamed); with --keep N the older copies
 * are kept as FILE.1 ... FILE.N-1.
 */
static int
cmd_file(struct cmd *cmd, struct answer *a)
{
	const char *path = json_string_value(json_array_get(cmd->args, 0));
	json_t *k = json_object_get(cmd->fields, "keep");
	long long keep = k != NULL ? json_integer_value(k) : 1;
	char *tmp, *from, *to;
	long long i;
	int fd;

	xasprintf(&tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write(fd, a->text, a->len) != (ssize_t)a->len ||
	    fsync(fd) != 0 || close(fd) != 0) {
		output_warn(_("cannot write %s: %s"), tmp, strerror(errno));
		if (fd != -1)
			unlink(tmp);
		free(tmp);
		return (EXIT_REFUSED);
	}
	for (i = keep - 1; i >= 1; i--) {
		if (i == 1)
			from = xstrdup(path);
		else
			xasprintf(&from, "%s.%lld", path, i - 1);
		xasprintf(&to, "%s.%lld", path, i);
		(void)rename(from, to);
		free(from);
		free(to);
	}
	if (rename(tmp, path) != 0) {
		output_warn(_("cannot write %s: %s"), path, strerror(errno));
		free(tmp);
		return (EXIT_REFUSED);
	}
	free(tmp);
	printf(_("%s: %zu bytes written\n"), path, a->len);
	return (EXIT_DONE);
}

/* Is this -h or --help? */
static int
cmd_is_help(const char *arg)
{
	return (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0);
}

/* Run "NOUN VERB ARGS..." or "VERB ARGS..."; the exit status. */
int
cmd_run(int argc, char **argv, int json)
{
	static char labels[] = "labels";
	struct cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof cmd);
	cmd.json = json;
	if (argc == 0) {
		output_warn("%s", _("no command given; kitstock --help lists "
		    "them"));
		return (EXIT_USAGE);
	}
	/* "label calibration" as well as "labels calibration". */
	if (argc > 1 && strcmp(argv[0], "label") == 0 && cmd_entry_find(
	    cmd_labels_verbs, argv[1]) != NULL)
		argv[0] = labels;
	if ((cmd.noun = cmd_noun_find(argv[0])) != NULL) {
		if (argc > 1 && cmd_is_help(argv[1])) {
			cmd_usage(stdout, cmd.noun, NULL);
			return (EXIT_DONE);
		}
		if (argc < 2 || (cmd.entry = cmd_entry_find(cmd.noun->verbs,
		    argv[1])) == NULL) {
			if (argc < 2)
				output_warn(_("%s: a verb is missing"),
				    argv[0]);
			else
				output_warn(_("%s: unknown verb %s"), argv[0],
				    argv[1]);
			cmd_usage(stderr, cmd.noun, NULL);
			return (EXIT_USAGE);
		}
		argc--;
		argv++;
	} else if ((cmd.entry = cmd_entry_find(cmd_table, argv[0])) == NULL) {
		output_warn(_("unknown command %s; kitstock --help lists "
		    "them"), argv[0]);
		return (EXIT_USAGE);
	}
	cmd.fields = json_object();
	cmd.args = json_array();
	if (cmd_parse(&cmd, argc - 1, argv + 1, &rc) == 0)
		rc = cmd_exec(&cmd);
	json_decref(cmd.fields);
	json_decref(cmd.args);
	return (rc);
}
