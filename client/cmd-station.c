/*
 * kitstock station, scan, watch and label commands: scan stations (where
 * scans are made and what they mean there), a scan typed at the keyboard,
 * the verdicts live in a terminal (server-sent events read as they come),
 * and the sheet of command barcodes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstock.h"

static void cmd_station_print(struct cmd *, json_t *);
static void cmd_station_print_list(struct cmd *, json_t *);
static int cmd_station_mode(struct cmd *);

static const struct column station_columns[] = {
	{ N_("NAME"), "name" },
	{ N_("LOCATION"), "location" },
	{ N_("MODE"), "mode" },
	{ N_("DISTRIBUTION"), "distribution" },
	{ N_("ROLE"), "role" },
	{ N_("LAST SCAN"), "context_at" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_station_verbs[] = {
	{ "add", "NAME --location TAG --mode "
	    "receive|putaway|pick|checkout|return|audit "
	    "[--distribution TAG] [--role warehouse|distribution|coordinator]",
	    1, 1, CMD_RAW | CMD_NAME, "POST", "/v1/stations",
	    cmd_station_print },
	{ "edit", "NAME --role warehouse|distribution|coordinator", 1, 1,
	    CMD_RAW, "PATCH", "/v1/stations/{q}", cmd_station_print },
	{ "mode", "NAME receive|putaway|pick|checkout|return|audit "
	    "[--distribution TAG]", 2, 2, CMD_RAW, "POST",
	    "/v1/stations/%s/mode", cmd_station_print, cmd_station_mode },
	{ "list", "", 0, 0, 0, "GET", "/v1/stations", cmd_station_print_list },
	{ "show", "NAME", 1, 1, CMD_RAW, "GET", "/v1/stations/{q}",
	    cmd_station_print },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* A station: name, mode, where, and the context its scans are in. */
static void
cmd_station_print(struct cmd *cmd, json_t *o)
{
	const char *key;
	json_t *ctx, *v;
	char *s;

	printf(_("station %s: %s mode at %s"), json_string_value(
	    json_object_get(o, "name")), json_string_value(json_object_get(o,
	    "mode")), json_string_value(json_object_get(o, "location")));
	if (json_is_string(json_object_get(o, "distribution")))
		printf(_(", serving %s"), json_string_value(json_object_get(o,
		    "distribution")));
	if (json_is_string(json_object_get(o, "role")))
		printf(_(", USB scanners act as %s"), json_string_value(
		    json_object_get(o, "role")));
	putchar('\n');
	ctx = json_object_get(o, "context");
	json_object_foreach(ctx, key, v) {
		s = output_value(v);
		printf("  %s: %s\n", key, s);
		free(s);
	}
}

static void
cmd_station_print_list(struct cmd *cmd, json_t *o)
{
	output_table(stdout, station_columns, json_object_get(o, "stations"));
}

/* kitstock station mode NAME MODE [--distribution TAG] */
static int
cmd_station_mode(struct cmd *cmd)
{
	char *path;
	int rc;

	json_object_set(cmd->fields, "mode", json_array_get(cmd->args, 1));
	path = cmd_kit_path(cmd);
	rc = cmd_kit_send(cmd, "POST", path, cmd->fields);
	free(path);
	return (rc);
}

/* The word an operator sees first: OK, REFUSED, IGNORED. */
static const char *
cmd_station_word(const char *verdict)
{
	if (verdict != NULL && strcmp(verdict, "ok") == 0)
		return (_("OK"));
	if (verdict != NULL && strcmp(verdict, "ignored") == 0)
		return (_("IGNORED"));
	return (_("REFUSED"));
}

/*
 * A verdict, seen from a step away on a terminal: the word in double
 * height (DEC), white on green, red or yellow, then the sentence. Plain
 * "WORD station: sentence" when the output is not a terminal.
 */
static void
cmd_station_verdict(json_t *v)
{
	const char *verdict = json_string_value(json_object_get(v, "verdict"));
	const char *word = cmd_station_word(verdict), *colour;
	const char *station = json_string_value(json_object_get(v, "station"));
	const char *msg = json_string_value(json_object_get(v, "message"));

	if (!isatty(STDOUT_FILENO)) {
		printf("%s %s: %s\n", word, station != NULL ? station : "-",
		    msg != NULL ? msg : "");
		fflush(stdout);
		return;
	}
	if (verdict != NULL && strcmp(verdict, "ok") == 0)
		colour = "\033[1;97;42m";
	else if (verdict != NULL && strcmp(verdict, "ignored") == 0)
		colour = "\033[1;30;43m";
	else
		colour = "\033[1;97;41m";
	printf("\033#3%s  %s  \033[0m  %s\n", colour, word,
	    station != NULL ? station : "");
	printf("\033#4%s  %s  \033[0m  %s\n", colour, word,
	    station != NULL ? station : "");
	printf("\033[1m%s\033[0m\n\n", msg != NULL ? msg : "");
	fflush(stdout);
}

/* kitstock scan CODE --station NAME: as if scanned at that station. */
int
cmd_scan(struct cmd *cmd)
{
	struct answer a;
	const char *verdict;
	int rc;

	json_object_set(cmd->fields, "code", json_array_get(cmd->args, 0));
	if ((rc = cmd_send(cmd, "POST", "/v1/scans", cmd->fields, &a)) != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		cmd_station_verdict(a.json);
	verdict = json_string_value(json_object_get(a.json, "verdict"));
	rc = verdict != NULL && strcmp(verdict, "refused") == 0 ?
	    EXIT_REFUSED : EXIT_DONE;
	http_answer_free(&a);
	return (rc);
}

/* What kitstock watch reads: events split at blank lines. */
struct cmd_watch {
	struct cmd	*cmd;
	char		*buf;
	size_t		 len;
	long long	 count;		/* scans left to show; -1: forever */
	int		 error;		/* the answer is not a stream */
	int		 started;
};

/* One event: "event: NAME" and "data: JSON" lines. */
static void
cmd_watch_event(struct cmd_watch *w, char *text)
{
	char *line, *next, *event = NULL, *data = NULL;
	json_t *o;

	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "event: ", 7) == 0)
			event = line + 7;
		else if (strncmp(line, "data: ", 6) == 0)
			data = line + 6;
	}
	if (event == NULL || data == NULL ||
	    (o = json_loads(data, 0, NULL)) == NULL)
		return;
	if (w->cmd->json) {
		printf("%s\n", data);
		fflush(stdout);
	} else if (strcmp(event, "scan") == 0)
		cmd_station_verdict(o);
	else if (strcmp(event, "state") == 0) {
		printf(_("station %s: now in %s mode\n"), json_string_value(
		    json_object_get(o, "name")), json_string_value(
		    json_object_get(o, "mode")));
		fflush(stdout);
	} else {
		printf("%s: %s\n", event, data);
		fflush(stdout);
	}
	if (strcmp(event, "scan") == 0 && w->count > 0)
		w->count--;
	json_decref(o);
}

/* libcurl gives the stream in pieces: whole events are shown. */
static int
cmd_watch_read(const char *data, size_t len, void *arg)
{
	struct cmd_watch *w = arg;
	char *end;
	size_t n;

	w->buf = xreallocarray(w->buf, 1, w->len + len + 1);
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	w->buf[w->len] = '\0';
	if (w->buf[0] == '{')
		w->error = 1;
	if (w->error)
		return (w->len < 65536);
	if (!w->started) {
		w->started = 1;
		output_warn(_("watching %s: verdicts appear as they are made"),
		    json_is_string(json_object_get(w->cmd->fields,
		    "station")) ? json_string_value(json_object_get(
		    w->cmd->fields, "station")) : _("every station"));
	}
	while ((end = strstr(w->buf, "\n\n")) != NULL) {
		*end = '\0';
		cmd_watch_event(w, w->buf);
		n = end + 2 - w->buf;
		memmove(w->buf, end + 2, w->len - n + 1);
		w->len -= n;
		if (w->count == 0)
			return (0);
	}
	return (w->len < 1024 * 1024);
}

/* kitstock watch [--station NAME] [--count N]: verdicts as they come. */
int
cmd_watch(struct cmd *cmd)
{
	struct cmd_watch w;
	struct answer a;
	json_t *q, *o;
	char *path, *cause;
	const char *msg;
	int rc = EXIT_DONE;

	memset(&w, 0, sizeof w);
	w.cmd = cmd;
	w.count = -1;
	if (json_is_integer(json_object_get(cmd->fields, "count")))
		w.count = json_integer_value(json_object_get(cmd->fields,
		    "count"));
	q = json_object();
	if (json_object_get(cmd->fields, "station") != NULL)
		json_object_set(q, "station", json_object_get(cmd->fields,
		    "station"));
	path = cmd_query("/v1/stream", q);
	json_decref(q);
	http_sink(cmd_watch_read, &w);
	if (http_request("GET", path, NULL, &a, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		free(path);
		free(w.buf);
		return (EXIT_UNREACHABLE);
	}
	free(path);
	if (w.error || a.status != 200) {
		o = w.buf != NULL ? json_loads(w.buf, 0, NULL) : NULL;
		msg = json_string_value(json_object_get(json_object_get(o,
		    "error"), "message"));
		if (msg != NULL)
			output_warn("%s", msg);
		else
			output_warn(_("kitstockd answered with HTTP status "
			    "%ld"), a.status);
		json_decref(o);
		rc = EXIT_REFUSED;
	}
	http_answer_free(&a);
	free(w.buf);
	return (rc);
}

/* kitstock label commands [--out FILE.pdf]: the sheet of commands. */
int
cmd_label_commands(struct cmd *cmd)
{
	struct answer a;
	const char *out;
	char *cause;
	int rc;

	if ((out = json_string_value(json_object_get(cmd->fields, "out"))) ==
	    NULL)
		out = "commands.pdf";
	if (strlen(out) < 4 || strcmp(out + strlen(out) - 4, ".pdf") != 0) {
		output_warn(_("label commands: --out %s: the name must end in "
		    ".pdf"), out);
		return (EXIT_USAGE);
	}
	if ((rc = cmd_send(cmd, "GET", "/v1/labels/commands", NULL, &a)) != 0)
		return (rc);
	if (http_answer_save(&a, out, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else
		printf(_("%s: the command barcodes, %zu bytes: print it at "
		    "100 %% and keep it by the stations\n"), out, a.len);
	http_answer_free(&a);
	return (rc);
}
