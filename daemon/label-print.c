/*
 * Labels, the I/O around the pure rendering of label.c: templates and fonts
 * read from their files, what a tag's label prints, and printing through
 * CUPS with its destination API (PDF to office and driver queues, raw ZPL
 * to raw queues). Rendering, decoding back and CUPS run on a worker
 * (worker.c), never on the loop. A job is recorded when CUPS has taken it;
 * a timer on the loop then asks CUPS for its final state and records that
 * too. A label printed on receive is recorded "queued" in the receiving's
 * transaction and goes to a worker only after its COMMIT; jobs a stop
 * left queued are sent at the next start.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cups/cups.h>
#include <event2/event.h>

#include "kitstockd.h"

#ifndef LABELDIR
#define LABELDIR	"/usr/local/share/kitstockd/labels"
#endif
#define LABEL_FONT	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define LABEL_FONT_BOLD	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define LABEL_FILE_MAX	(64 * 1024)
#define LABEL_FONT_MAX	(16 * 1024 * 1024)
#define LABEL_POLL_MS	500
#define LABEL_SEND_MAX	2	/* queued jobs with a worker at a time */
#define LABEL_POLL_MAX	8	/* jobs asked about in one turn */

/* A print's work, which a worker runs (label_print_send). */
struct label_send {
	const struct label_batch *b;
	char		*queue, *title, *media;
	int		 zpl, dpi;
	int		 rc, status, cups_job;
	size_t		 len;
	char		*why;
};

static const struct config *label_conf;
static struct event_base *label_base;
static struct event *label_poll_ev;
static int label_fonts_loaded;
static int64_t label_sending[LABEL_SEND_MAX];	/* queued jobs with a worker */
static int label_nsending;
static int label_stopping;

static const struct actor label_cups_actor = { "kitstockd", "cups", NULL };

static const char *label_dir(void);
static char *label_read(const char *, size_t, size_t *, char **);
static int label_cups_submit(const char *, const char *, const char *,
	    const char *, const char *, size_t, int *, char **);
static int label_cups_state(const char *, int, char **, char **);
static void label_poll(evutil_socket_t, short, void *);
static void label_poll_soon(void);
static void label_msisdn(json_t *);
static json_t *label_set_error(const struct label_set *, const char *);
static void label_print_queued(void *);
static void label_print_resume(evutil_socket_t, short, void *);
static void label_print_sent(struct req *, void *);

/* The configuration (its "labels" directory), kept across reloads. */
void
label_configure(const struct config *c)
{
	label_conf = c;
}

/*
 * Start watching the jobs CUPS has not finished, then and later; once the
 * loop runs, send the jobs a stop left queued.
 */
void
label_print_start(struct event_base *base)
{
	struct timeval now = { 0, 0 };

	label_base = base;
	label_stopping = 0;
	if ((label_poll_ev = evtimer_new(base, label_poll, NULL)) == NULL ||
	    event_base_once(base, -1, EV_TIMEOUT, label_print_resume, NULL,
	    &now) != 0)
		fatalx("evtimer_new");
	label_poll_soon();
}

/* Stop watching and let the fonts go. */
void
label_print_stop(void)
{
	label_stopping = 1;	/* nothing more to the workers */
	worker_stop();		/* no render runs when the fonts go */
	if (label_poll_ev != NULL)
		event_free(label_poll_ev);
	label_poll_ev = NULL;
	if (label_fonts_loaded)
		label_fonts_free();
	label_fonts_loaded = 0;
}

/*
 * Where the templates are: the "labels" setting, else the installed
 * directory, else the source tree's (make run, tests).
 */
static const char *
label_dir(void)
{
	struct stat sb;

	if (label_conf != NULL && label_conf->labels != NULL)
		return (label_conf->labels);
#ifdef SRC_LABELDIR
	if (stat(LABELDIR, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return (SRC_LABELDIR);
#endif
	return (LABELDIR);
}

/* A whole file of at most max bytes (NUL-terminated), or NULL. */
static char *
label_read(const char *path, size_t max, size_t *len, char **cause)
{
	struct stat sb;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (NULL);
	}
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		xasprintf(cause, _("%s is not a file of at most %zu bytes"),
		    path, max);
		close(fd);
		return (NULL);
	}
	buf = xmalloc(sb.st_size + 1);
	while (got < (size_t)sb.st_size && (n = read(fd, buf + got,
	    sb.st_size - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return (buf);
}

/* The fonts, read once from fonts-dejavu-core's files. */
int
label_print_fonts(char **cause)
{
	char *reg, *bold;
	size_t rlen, blen;
	int rc;

	if (label_fonts_loaded)
		return (0);
	if ((reg = label_read(LABEL_FONT, LABEL_FONT_MAX, &rlen,
	    cause)) == NULL)
		return (-1);
	if ((bold = label_read(LABEL_FONT_BOLD, LABEL_FONT_MAX, &blen,
	    cause)) == NULL) {
		free(reg);
		return (-1);
	}
	rc = label_fonts(reg, rlen, bold, blen, cause);
	free(reg);
	free(bold);
	if (rc == 0)
		label_fonts_loaded = 1;
	return (rc);
}

/*
 * Every NAME.tpl of the templates directory, read now (so an edited
 * template counts at once). A template that does not parse is left out
 * and its error kept; NULL only if the directory cannot be read.
 */
struct label_set *
label_set_load(char **cause)
{
	struct label_set *set;
	struct label_tpl *t;
	struct dirent **ents;
	const char *dir = label_dir();
	char *path, *text, *name, *why;
	size_t len;
	int n, i;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		xasprintf(cause, _("the label templates in %s cannot be read: "
		    "%s"), dir, strerror(errno));
		return (NULL);
	}
	set = xcalloc(1, sizeof *set);
	set->errors = json_array();
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		if (len <= 4 || strcmp(ents[i]->d_name + len - 4, ".tpl") != 0 ||
		    ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		name = xstrndup(ents[i]->d_name, len - 4);
		xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		why = NULL;
		if ((text = label_read(path, LABEL_FILE_MAX, &len, &why)) !=
		    NULL && (t = label_tpl_parse(name, text, &why)) != NULL) {
			set->tpls = xreallocarray(set->tpls, set->n + 1,
			    sizeof *set->tpls);
			set->tpls[set->n++] = t;
		} else {
			log_debug("%s", why);
			json_array_append_new(set->errors, json_pack("{ss ss}",
			    "file", path, "error", why));
		}
		free(why);
		free(text);
		free(path);
		free(name);
	}
	free(ents);
	return (set);
}

void
label_set_free(struct label_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		label_tpl_free(set->tpls[i]);
	free(set->tpls);
	json_decref(set->errors);
	free(set);
}

/* The template of this name, or NULL. */
const struct label_tpl *
label_set_find(const struct label_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->tpls[i]->name, name) == 0)
			return (set->tpls[i]);
	return (NULL);
}

/* Why the template of this name did not parse ({file, error}), or NULL. */
static json_t *
label_set_error(const struct label_set *set, const char *name)
{
	const char *file, *base;
	json_t *e;
	size_t i, n = strlen(name);

	json_array_foreach(set->errors, i, e) {
		file = json_string_value(json_object_get(e, "file"));
		base = (base = strrchr(file, '/')) != NULL ? base + 1 : file;
		if (strncmp(base, name, n) == 0 && strcmp(base + n, ".tpl") == 0)
			return (e);
	}
	return (NULL);
}

/* The template a tag of this letter gets unless told, or NULL. */
const struct label_tpl *
label_set_default(const struct label_set *set, char letter)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strchr(set->tpls[i]->defaults, letter) != NULL)
			return (set->tpls[i]);
	return (NULL);
}

/* "+33612345678" prints as "06 12 34 56 78". */
static void
label_msisdn(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "msisdn"));
	char buf[32];

	if (s == NULL || strncmp(s, "+33", 3) != 0 || strlen(s) != 12)
		return;
	snprintf(buf, sizeof buf, "0%c %.2s %.2s %.2s %.2s", s[3], s + 4,
	    s + 6, s + 8, s + 10);
	json_object_set_new(rec, "msisdn", json_string(buf));
}

/*
 * What to print for tags: each tag's record (with the extra fields the
 * request gives, such as an event's date and place) and its template, the
 * one named or its letter's default. On refusal -1 with an HTTP status,
 * the field at fault and a sentence.
 */
int
label_print_prepare(const struct label_set *set, json_t *tags,
    const char *name, json_t *extra, struct label_batch *b, int *status,
    const char **field, char **cause)
{
	const struct label_tpl *t = NULL;
	const char *tag, *key;
	enum store_status st;
	json_t *v, *rec, *ev;
	size_t i, k;

	memset(b, 0, sizeof *b);
	*field = "template";
	if (name != NULL && (t = label_set_find(set, name)) == NULL) {
		*status = 400;
		if ((v = label_set_error(set, name)) != NULL)
			xasprintf(cause, "%s", json_string_value(
			    json_object_get(v, "error")));
		else
			xasprintf(cause, _("there is no label template %s "
			    "(kitstock labels templates lists them)"), name);
		return (-1);
	}
	b->recs = json_array();
	b->tpls = xcalloc(json_array_size(tags) + 1, sizeof *b->tpls);
	b->names = json_array();
	json_array_foreach(tags, i, v) {
		tag = json_string_value(v);
		b->tpls[i] = t != NULL ? t : label_set_default(set, tag[0]);
		if (b->tpls[i] == NULL) {
			*status = 400;
			xasprintf(cause, _("no label template is the default for "
			    "%c- tags such as %s: name one"), tag[0], tag);
			goto fail;
		}
		if (!label_tpl_takes(b->tpls[i], tag[0])) {
			*status = 400;
			xasprintf(cause, _("template %s prints %s- tags, not "
			    "%s"), b->tpls[i]->name, b->tpls[i]->letters, tag);
			goto fail;
		}
		st = store_label_record(tag, &rec);
		if (st == STORE_NOTFOUND) {
			*status = 404;
			*field = "tags";
			xasprintf(cause, _("%s does not exist (nor is it a "
			    "pre-printed tag waiting to be bound)"), tag);
			goto fail;
		}
		if (st != STORE_OK) {
			*status = 500;
			*field = NULL;
			xasprintf(cause, _("database error: nothing was "
			    "printed"));
			goto fail;
		}
		label_msisdn(rec);
		json_object_foreach(extra, key, ev)
			json_object_set(rec, key, ev);
		json_array_append_new(b->recs, rec);
		for (k = 0; k < json_array_size(b->names); k++)
			if (strcmp(json_string_value(json_array_get(b->names,
			    k)), b->tpls[i]->name) == 0)
				break;
		if (k == json_array_size(b->names))
			json_array_append_new(b->names, json_string(
			    b->tpls[i]->name));
	}
	return (0);
fail:
	label_batch_free(b);
	return (-1);
}

void
label_batch_free(struct label_batch *b)
{
	json_decref(b->recs);
	json_decref(b->names);
	free(b->tpls);
	memset(b, 0, sizeof *b);
}

/*
 * Send bytes to a CUPS queue as one job (destination API): format is a
 * MIME type. 0 with the job's id, or -1 with a sentence.
 */
static int
label_cups_submit(const char *queue, const char *title, const char *format,
    const char *media, const char *data, size_t len, int *job, char **cause)
{
	cups_dest_t *dest;
	cups_dinfo_t *info;
	cups_option_t *opts = NULL;
	int nopts = 0, rc = -1;
	size_t off, chunk;

	*job = 0;
	if ((dest = cupsGetNamedDest(CUPS_HTTP_DEFAULT, queue, NULL)) ==
	    NULL) {
		xasprintf(cause, _("CUPS has no queue %s, or cannot be reached: "
		    "%s"), queue, cupsLastErrorString());
		return (-1);
	}
	if ((info = cupsCopyDestInfo(CUPS_HTTP_DEFAULT, dest)) == NULL) {
		xasprintf(cause, _("CUPS queue %s: %s"), queue,
		    cupsLastErrorString());
		cupsFreeDests(1, dest);
		return (-1);
	}
	if (media != NULL)
		nopts = cupsAddOption("media", media, nopts, &opts);
	if (cupsCreateDestJob(CUPS_HTTP_DEFAULT, dest, info, job, title, nopts,
	    opts) > IPP_STATUS_OK_CONFLICTING) {
		xasprintf(cause, _("CUPS queue %s refused the job: %s"), queue,
		    cupsLastErrorString());
		goto out;
	}
	if (cupsStartDestDocument(CUPS_HTTP_DEFAULT, dest, info, *job, title,
	    format, nopts, opts, 1) != HTTP_STATUS_CONTINUE) {
		xasprintf(cause, _("CUPS queue %s refused the document: %s"),
		    queue, cupsLastErrorString());
		goto cancel;
	}
	for (off = 0; off < len; off += chunk) {
		chunk = len - off > 65536 ? 65536 : len - off;
		if (cupsWriteRequestData(CUPS_HTTP_DEFAULT, data + off,
		    chunk) != HTTP_STATUS_CONTINUE) {
			xasprintf(cause, _("CUPS queue %s: the document could "
			    "not be sent: %s"), queue, cupsLastErrorString());
			cupsFinishDestDocument(CUPS_HTTP_DEFAULT, dest, info);
			goto cancel;
		}
	}
	if (cupsFinishDestDocument(CUPS_HTTP_DEFAULT, dest, info) >
	    IPP_STATUS_OK_CONFLICTING) {
		xasprintf(cause, _("CUPS queue %s refused the document: %s"),
		    queue, cupsLastErrorString());
		goto cancel;
	}
	rc = 0;
	goto out;
cancel:
	cupsCancelDestJob(CUPS_HTTP_DEFAULT, dest, *job);
out:
	cupsFreeOptions(nopts, opts);
	cupsFreeDestInfo(info);
	cupsFreeDests(1, dest);
	return (rc);
}

/*
 * Is a CUPS queue there? 1 yes, 0 no (or CUPS cannot be reached, said in
 * *cause).
 */
int
label_print_queue(const char *queue, char **cause)
{
	cups_dest_t *dest;

	if ((dest = cupsGetNamedDest(CUPS_HTTP_DEFAULT, queue, NULL)) ==
	    NULL) {
		xasprintf(cause, _("CUPS has no queue %s (lpstat -v lists the "
		    "queues), or cannot be reached: %s"), queue,
		    cupsLastErrorString());
		return (0);
	}
	cupsFreeDests(1, dest);
	return (1);
}

/*
 * A job's state from CUPS: 1 and the final state ("completed", "aborted",
 * "canceled", "stopped"; "failed" if CUPS no longer knows the job), 0
 * while it is not finished, -1 if CUPS cannot be asked now.
 */
static int
label_cups_state(const char *queue, int job, char **state, char **reason)
{
	static const char *const want[] = { "job-state", "job-state-reasons" };
	ipp_t *rq, *rs;
	ipp_attribute_t *a;
	char uri[HTTP_MAX_URI];
	FILE *m;
	size_t len;
	int js, i, rc;

	*state = *reason = NULL;
	rq = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
	httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL,
	    "localhost", 0, "/jobs/%d", job);
	ippAddString(rq, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	ippAddString(rq, IPP_TAG_OPERATION, IPP_TAG_NAME,
	    "requesting-user-name", NULL, cupsUser());
	ippAddStrings(rq, IPP_TAG_OPERATION, IPP_TAG_KEYWORD,
	    "requested-attributes", 2, NULL, want);
	rs = cupsDoRequest(CUPS_HTTP_DEFAULT, rq, "/");
	if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND) {
		ippDelete(rs);
		*state = xstrdup("failed");
		xasprintf(reason, _("CUPS no longer knows job %d on %s"), job,
		    queue);
		return (1);
	}
	if (rs == NULL || cupsLastError() > IPP_STATUS_OK_CONFLICTING ||
	    (a = ippFindAttribute(rs, "job-state", IPP_TAG_ENUM)) == NULL) {
		log_warnx("print job %d on %s: %s", job, queue,
		    cupsLastErrorString());
		ippDelete(rs);
		return (-1);
	}
	js = ippGetInteger(a, 0);
	rc = 1;
	switch (js) {
	case IPP_JSTATE_COMPLETED:
		*state = xstrdup("completed");
		break;
	case IPP_JSTATE_ABORTED:
		*state = xstrdup("aborted");
		break;
	case IPP_JSTATE_CANCELED:
		*state = xstrdup("canceled");
		break;
	case IPP_JSTATE_STOPPED:
		*state = xstrdup("stopped");
		break;
	default:
		rc = 0;
		break;
	}
	if (rc == 1 && (a = ippFindAttribute(rs, "job-state-reasons",
	    IPP_TAG_KEYWORD)) != NULL) {
		if ((m = open_memstream(reason, &len)) == NULL)
			fatal("open_memstream");
		for (i = 0; i < ippGetCount(a); i++)
			fprintf(m, "%s%s", i == 0 ? "" : ", ",
			    ippGetString(a, i, NULL));
		fclose(m);
	}
	ippDelete(rs);
	return (rc);
}

/* Ask again soon, unless already asked. */
static void
label_poll_soon(void)
{
	struct timeval tv = { 0, LABEL_POLL_MS * 1000 };

	if (label_poll_ev != NULL && !evtimer_pending(label_poll_ev, NULL))
		evtimer_add(label_poll_ev, &tv);
}

/*
 * Timer: ask CUPS about the oldest jobs it has not finished, at most
 * LABEL_POLL_MAX a turn (each question is a round trip on the loop);
 * record each final state in its own transaction. Runs again while jobs
 * are waiting.
 */
static void
label_poll(evutil_socket_t fd, short events, void *arg)
{
	json_t *jobs, *j;
	char *state, *reason;
	size_t i;
	int waiting = 0, rc;
	enum store_status status;

	if (store_exclusive()) {	/* an import holds the database */
		store_after_exclusive(label_poll_soon);
		return;
	}
	if (store_print_jobs_waiting(&jobs) != STORE_OK)
		return;
	json_array_foreach(jobs, i, j) {
		if (i >= LABEL_POLL_MAX) {
			waiting++;
			break;
		}
		rc = label_cups_state(json_string_value(json_object_get(j,
		    "queue")), (int)json_integer_value(json_object_get(j,
		    "cups_job")), &state, &reason);
		if (rc != 1) {
			waiting++;
			continue;
		}
		if ((status = store_begin()) == STORE_OK) {
			status = store_print_job_done(&label_cups_actor,
			    json_integer_value(json_object_get(j, "id")),
			    state, reason);
			if (status == STORE_OK || status == STORE_NOTFOUND)
				status = store_commit();
			else
				store_rollback();
		}
		if (status != STORE_OK) {
			log_warnx("print job %lld: its state (%s) cannot be "
			    "recorded now", (long long)json_integer_value(
			    json_object_get(j, "id")), state);
			waiting++;
		} else if (strcmp(state, "completed") != 0)
			log_warnx("print job %lld on %s: %s (%s)",
			    (long long)json_integer_value(json_object_get(j,
			    "id")), json_string_value(json_object_get(j,
			    "queue")), state, reason != NULL ? reason : "");
		free(state);
		free(reason);
	}
	json_decref(jobs);
	if (waiting > 0)
		label_poll_soon();
}

/*
 * What a print sends, from a registered printer (as store_printer_get
 * gives it), copied: label_print_send runs on a worker thread.
 */
static void
label_print_send_init(struct label_send *ls, json_t *printer,
    const struct label_batch *b)
{
	const char *media;

	memset(ls, 0, sizeof *ls);
	ls->b = b;
	ls->queue = xstrdup(json_string_value(json_object_get(printer,
	    "queue")));
	ls->zpl = strcmp(json_string_value(json_object_get(printer,
	    "language")), "zpl") == 0;
	ls->dpi = (int)json_integer_value(json_object_get(printer, "dpi"));
	ls->title = xstrdup(b->tpls[0]->title);
	media = b->tpls[0]->media;
	ls->media = !ls->zpl && media != NULL ? xstrdup(media) : NULL;
}

static void
label_print_send_free(struct label_send *ls)
{
	free(ls->queue);
	free(ls->title);
	free(ls->media);
	free(ls->why);
	memset(ls, 0, sizeof *ls);
}

/*
 * Render at the printer's language and resolution, decode every label
 * back, send to CUPS (the fonts are loaded first, on the loop). No
 * database, no libevent: a worker runs it. ls->rc 0, or -1 with
 * ls->status (422: a label that does not scan back; 502: CUPS) and
 * ls->why.
 */
static void
label_print_send(struct label_send *ls)
{
	char *data = NULL;

	ls->status = 422;
	ls->rc = label_render(ls->b->tpls, ls->b->recs, ls->zpl ? LABEL_ZPL :
	    LABEL_PDF, ls->dpi, &data, &ls->len, &ls->why);
	if (ls->rc == 0) {
		ls->status = 502;
		ls->rc = label_cups_submit(ls->queue, ls->title, ls->zpl ?
		    CUPS_FORMAT_RAW : CUPS_FORMAT_PDF, ls->media, data,
		    ls->len, &ls->cups_job, &ls->why);
	}
	free(data);
}

/*
 * A print job as recorded: printer, queue, template, format, tags, bytes
 * and state (sent with its cups_job, failed with its reason, or state).
 */
static json_t *
label_print_json(json_t *printer, const struct label_batch *b,
    const struct label_send *ls, const char *state)
{
	char *names;
	size_t i;
	json_t *tags, *rec, *job;

	tags = json_array();
	json_array_foreach(b->recs, i, rec)
		json_array_append(tags, json_object_get(rec, "tag"));
	names = json_dumps(b->names, JSON_COMPACT);
	if (state == NULL)
		state = ls->rc == 0 ? "sent" : "failed";
	job = json_pack("{sO sO ss sO so sI ss}", "printer",
	    json_object_get(printer, "name"), "queue",
	    json_object_get(printer, "queue"), "template",
	    json_array_size(b->names) == 1 ? json_string_value(
	    json_array_get(b->names, 0)) : names, "format",
	    json_object_get(printer, "language"), "tags", tags, "bytes",
	    (json_int_t)ls->len, "state", state);
	free(names);
	if (strcmp(state, "sent") == 0)
		json_object_set_new(job, "cups_job", json_integer(
		    ls->cups_job));
	else if (strcmp(state, "failed") == 0)
		json_object_set_new(job, "reason", json_string(ls->why));
	return (job);
}

/*
 * A print off the loop: POST /v1/print's, and each label a receiving
 * queued (id: its job, recorded "queued"). The loop prepares it (records
 * copied: nothing shared), a worker runs label_job_run, the loop records
 * the outcome in a transaction of its own (label_job_record).
 */
struct label_job {
	struct label_set	*set;
	struct label_batch	 b;
	json_t			*printer;
	struct label_send	 ls;
	char			*actor, *station, *at;
	int64_t			 id;		/* a queued job's, else 0 */
	int			 ran;
};

/* A job for printer and batch b (both taken, and set). */
struct label_job *
label_job_new(const struct actor *a, json_t *printer, struct label_set *set,
    struct label_batch *b)
{
	struct label_job *j;
	json_t *recs;

	j = xcalloc(1, sizeof *j);
	j->set = set;
	j->printer = printer;
	j->b = *b;
	memset(b, 0, sizeof *b);
	recs = json_deep_copy(j->b.recs);
	json_decref(j->b.recs);
	j->b.recs = recs;
	label_print_send_init(&j->ls, printer, &j->b);
	j->actor = xstrdup(a->name);
	j->station = a->station != NULL ? xstrdup(a->station) : NULL;
	j->at = a->at != NULL ? xstrdup(a->at) : NULL;
	return (j);
}

/* On a worker: render, decode back, send to CUPS. */
void
label_job_run(void *arg)
{
	struct label_job *j = arg;

	label_print_send(&j->ls);
	j->ran = 1;
}

/*
 * On the loop: record what a worker did, in a transaction of its own. A
 * new job (POST /v1/print) is recorded with its "label_print" ledger rows
 * if it was sent, else -1 with *code (422, 502) and nothing recorded; a
 * queued job gets its outcome, sent or failed. *job gets the job as
 * recorded. -1 with *code and *cause if it cannot be recorded.
 */
int
label_job_record(struct label_job *j, json_t **job, int *code, char **cause)
{
	struct actor a = { j->actor, j->station, j->at };
	enum store_status st;

	*job = NULL;
	if (j->id == 0 && j->ls.rc != 0) {
		*code = j->ls.status;
		*cause = j->ls.why;
		j->ls.why = NULL;
		return (-1);
	}
	*job = label_print_json(j->printer, &j->b, &j->ls, NULL);
	if ((st = store_begin()) == STORE_OK) {
		if (j->id == 0)
			st = store_print_job_add(&a, *job);
		else {
			st = store_print_job_sent(&label_cups_actor, j->id,
			    *job);
			json_object_set_new(*job, "id", json_integer(j->id));
		}
		if (st == STORE_OK || st == STORE_NOTFOUND)
			st = store_commit();
		else
			store_rollback();
	}
	if (st == STORE_OK) {
		if (j->ls.rc == 0)
			label_poll_soon();
		return (0);
	}
	json_decref(*job);
	*job = NULL;
	if (j->ls.rc == 0)
		log_warnx("print on %s: CUPS job %d was sent but cannot be "
		    "recorded", j->ls.queue, j->ls.cups_job);
	*code = st == STORE_BUSY || st == STORE_FULL || st == STORE_READONLY ?
	    503 : 500;
	xasprintf(cause, _("the print job could not be recorded"));
	return (-1);
}

void
label_job_free(struct label_job *j)
{
	if (j == NULL)
		return;
	label_print_send_free(&j->ls);
	label_batch_free(&j->b);
	label_set_free(j->set);
	json_decref(j->printer);
	free(j->actor);
	free(j->station);
	free(j->at);
	free(j);
}

/*
 * Record a queued job as failed before any worker (its printer gone, its
 * label not made): in a transaction of its own.
 */
static void
label_print_fail(int64_t id, const char *tpl, const char *cause)
{
	json_t *o;
	enum store_status st;

	log_warnx("print job %lld: %s", (long long)id, cause);
	o = json_pack("{ss sI ss ss}", "template", tpl, "bytes",
	    (json_int_t)0, "state", "failed", "reason", cause);
	if ((st = store_begin()) == STORE_OK) {
		st = store_print_job_sent(&label_cups_actor, id, o);
		if (st == STORE_OK || st == STORE_NOTFOUND)
			st = store_commit();
		else
			store_rollback();
	}
	if (st != STORE_OK)
		log_warnx("print job %lld: its failure cannot be recorded now",
		    (long long)id);
	json_decref(o);
}

/* Is this queued job with a worker now? */
static int
label_sending_has(int64_t id)
{
	int i;

	for (i = 0; i < label_nsending; i++)
		if (label_sending[i] == id)
			return (1);
	return (0);
}

/*
 * A queued job to a worker: its printer, template and records read now,
 * on the loop. -1 if no worker can take it (it stays queued).
 */
static int
label_print_dispatch(json_t *row)
{
	struct label_job *j;
	struct label_set *set = NULL;
	struct label_batch b;
	json_t *printer = NULL;
	int64_t id = json_integer_value(json_object_get(row, "id"));
	const char *name, *tpl, *field;
	char *cause = NULL;
	enum store_status st;
	int status;

	name = json_string_value(json_object_get(row, "printer"));
	tpl = json_string_value(json_object_get(row, "template"));
	if ((st = store_printer_get(name, &printer)) != STORE_OK) {
		if (st != STORE_NOTFOUND)
			return (-1);
		xasprintf(&cause, _("printer %s is no longer registered"),
		    name);
	} else if (label_print_fonts(&cause) != 0 ||
	    (set = label_set_load(&cause)) == NULL ||
	    label_print_prepare(set, json_object_get(row, "tags"), tpl, NULL,
	    &b, &status, &field, &cause) != 0)
		;
	else {
		j = label_job_new(&label_cups_actor, printer, set, &b);
		j->id = id;
		if (worker_detach(label_base, label_job_run, label_print_sent,
		    j) != 0) {
			label_job_free(j);
			return (-1);
		}
		label_sending[label_nsending++] = id;
		return (0);
	}
	label_print_fail(id, tpl, cause);
	free(cause);
	label_set_free(set);
	json_decref(printer);
	return (0);
}

/*
 * After a COMMIT that queued labels (http_after_commit), at start, and
 * each time a worker is done: the queued jobs to the workers, at most
 * LABEL_SEND_MAX at a time (the pool stays free for requests), oldest
 * first.
 */
static void
label_print_queued(void *arg)
{
	static int running, again;
	json_t *rows, *row;
	size_t i;

	/* A store_begin below may commit the requests' group: run later. */
	if (running) {
		again = 1;
		return;
	}
	running = 1;
	do {
		again = 0;
		if (label_stopping || label_nsending >= LABEL_SEND_MAX ||
		    store_print_jobs_queued(2 * LABEL_SEND_MAX, &rows) !=
		    STORE_OK)
			break;
		json_array_foreach(rows, i, row) {
			if (label_nsending >= LABEL_SEND_MAX)
				break;
			if (!label_sending_has(json_integer_value(
			    json_object_get(row, "id"))) &&
			    label_print_dispatch(row) != 0)
				break;
		}
		json_decref(rows);
	} while (again);
	running = 0;
}

/* At start: the jobs a stop left queued are sent now. */
static void
label_print_resume(evutil_socket_t fd, short events, void *arg)
{
	label_print_queued(NULL);
}

/*
 * A worker is done with a queued job: record its outcome, then send the
 * next. At exit, a job no worker ran stays queued for the next start.
 */
static void
label_print_sent(struct req *req, void *arg)
{
	struct label_job *j = arg;
	json_t *job;
	char *cause;
	int i, code, recorded = 0;

	if (j->ran) {
		if (label_job_record(j, &job, &code, &cause) != 0) {
			log_warnx("print job %lld: %s", (long long)j->id,
			    cause);
			free(cause);
		} else {
			recorded = 1;
			if (j->ls.rc != 0)
				log_warnx("print job %lld on %s: failed (%s)",
				    (long long)j->id, j->ls.queue, j->ls.why);
			json_decref(job);
		}
	}
	/* Not sending until recorded: no second worker for it meanwhile. */
	for (i = 0; i < label_nsending; i++)
		if (label_sending[i] == j->id) {
			label_sending[i] = label_sending[--label_nsending];
			break;
		}
	label_job_free(j);
	if (recorded)
		label_print_queued(NULL);
}

/*
 * Receiving hook: if the location prints on receive, record the label of
 * tag (just received there) as a job "queued" on its printer, sent after
 * the COMMIT (http_after_commit); "failed" with its reason if the label
 * cannot be made (no template, a bad one): a label never stops the
 * receiving. *job gets the job as recorded, or NULL if the location
 * prints nothing. Only a database error is an error.
 */
enum store_status
label_print_on_receive(const struct actor *a, const char *location,
    const char *tag, json_t **job)
{
	struct label_set *set;
	struct label_batch b;
	struct label_send ls;
	json_t *conf, *printer = NULL, *tags;
	const char *tpl, *field;
	char *cause = NULL;
	enum store_status st;
	int status;

	*job = NULL;
	if ((st = store_printer_receive_get(location, &conf)) != STORE_OK)
		return (st == STORE_NOTFOUND ? STORE_OK : st);
	st = store_printer_get(json_string_value(json_object_get(conf,
	    "printer")), &printer);
	if (st != STORE_OK) {
		json_decref(conf);
		return (st == STORE_NOTFOUND ? STORE_ERROR : st);
	}
	if ((tpl = json_string_value(json_object_get(conf, "template"))) ==
	    NULL)
		tpl = json_string_value(json_object_get(printer, "template"));
	tags = json_pack("[s]", tag);
	if ((set = label_set_load(&cause)) == NULL ||
	    label_print_prepare(set, tags, tpl, NULL, &b, &status, &field,
	    &cause) != 0) {
		log_warnx("print on receive at %s: %s", location, cause);
		*job = json_pack("{sO sO ss sO sO sI ss ss}", "printer",
		    json_object_get(printer, "name"), "queue",
		    json_object_get(printer, "queue"), "template",
		    tpl != NULL ? tpl : "", "format", json_object_get(printer,
		    "language"), "tags", tags, "bytes", (json_int_t)0, "state",
		    "failed", "reason", cause);
	} else {
		memset(&ls, 0, sizeof ls);
		*job = label_print_json(printer, &b, &ls, "queued");
		label_batch_free(&b);
	}
	if ((st = store_print_job_add(a, *job)) == STORE_OK &&
	    strcmp(json_string_value(json_object_get(*job, "state")),
	    "queued") == 0)
		http_after_commit(label_print_queued, NULL);
	label_set_free(set);
	free(cause);
	json_decref(tags);
	json_decref(printer);
	json_decref(conf);
	if (st != STORE_OK) {
		json_decref(*job);
		*job = NULL;
	}
	return (st);
}
