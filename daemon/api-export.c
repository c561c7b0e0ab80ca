/*
 * Exports as CSV: for the Département's evaluation (one row per person,
 * under a keyed pseudonym, no name, phone or free text), the indicators as
 * tables whose small cells are suppressed, each prescriber's own people,
 * and the operational lists (stock, SIM cards, warranties, repairs,
 * follow-ups).
 *
 * Sent as they are made: the headers and a first chunk of about
 * EXPORT_CHUNK bytes, then another chunk each time the connection has
 * written the last one out, so an export of any size holds one chunk and
 * one row in memory, and the loop serves other requests between chunks.
 * Rows read from the database come from a reader (store_reader_open): a
 * connection of the export's own, in one read transaction, so the whole
 * file is the database at one instant even while writes commit between
 * its chunks. The indicators are worked out at once on the main
 * connection (they are small) and sent the same way.
 *
 * The client going away, or the daemon stopping, ends an export: its
 * statements, transaction and memory are released from the connection's
 * close callback. An error after the headers cannot change the status: the
 * connection is closed without the last chunk, so the client sees a
 * truncated transfer (curl: "transfer closed with outstanding read data
 * remaining"), never a short file that looks complete.
 *
 * A client that takes nothing for request-timeout is closed by libevent
 * (the connection's write timeout): its snapshot and its slot are released
 * with it. Its snapshot keeps the WAL from starting again, so the store may
 * also end an export before its end (store_reader_cut: the WAL passed
 * wal-max, or an erasure waited request-timeout): cut as on an error.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kitstockd.h"

#define EXPORT_CHUNK	(64 * 1024)	/* bytes made per turn of the loop */
#define EXPORT_MAX	4		/* exports being sent at once */
#define EXPORT_KEY_MIN	16	/* bytes of secret, at least */
#define EXPORT_KEY_MAX	4096

/*
 * A column of a per-person export: header and what fills it, a column of
 * store_report_people, else a member of the person's connection (or the
 * pseudonym).
 */
struct export_column {
	const char	*header;
	const char	*key;
	int		 who;		/* EXPORT_EVAL, EXPORT_PRESCRIBER */
};
#define EXPORT_EVAL		0x1
#define EXPORT_PRESCRIBER	0x2
#define EXPORT_BOTH		(EXPORT_EVAL | EXPORT_PRESCRIBER)

#define EXPORT_FOLLOWUP(m)						\
	{ "followup" #m "_on", "f" #m "_followed_on", EXPORT_BOTH },	\
	{ "followup" #m "_reached", "f" #m "_reached", EXPORT_BOTH },	\
	{ "followup" #m "_device_in_use", "f" #m "_device_in_use",	\
	    EXPORT_BOTH },						\
	{ "followup" #m "_connected", "f" #m "_connected", EXPORT_BOTH }, \
	{ "followup" #m "_training_followed", "f" #m "_training_followed", \
	    EXPORT_BOTH },						\
	{ "followup" #m "_certified", "f" #m "_certified", EXPORT_BOTH }
#define EXPORT_NCOLUMNS	64
#define EXPORT_BENEFICIARY 1	/* export_people[1]: the person's tag */

static const struct export_column export_people[] = {
	{ "pseudonym", "pseudonym", EXPORT_EVAL },
	{ "beneficiary", "beneficiary", EXPORT_PRESCRIBER },	/* 1 */
	{ "territory", "territory", EXPORT_BOTH },
	{ "commune", "commune", EXPORT_BOTH },
	{ "category", "category", EXPORT_BOTH },
	{ "prescriber_kind", "prescriber_kind", EXPORT_EVAL },
	{ "referred_on", "referred_on", EXPORT_BOTH },
	{ "diagnosed_on", "diagnosed_on", EXPORT_BOTH },
	{ "diagnosed_late", "late", EXPORT_BOTH },
	{ "device_need", "device_need", EXPORT_BOTH },
	{ "connection_need", "connection_need", EXPORT_BOTH },
	{ "autonomy", "autonomy", EXPORT_BOTH },
	{ "training_wished", "training_wished", EXPORT_BOTH },
	{ "certification_wished", "certification_wished", EXPORT_BOTH },
	{ "equipped_on", "equipped_on", EXPORT_BOTH },
	{ "device_kind", "device_kind", EXPORT_BOTH },
	{ "connected_on", "handed_over_on", EXPORT_BOTH },
	{ "connection_covered_until", "covered_until", EXPORT_BOTH },
	{ "connection_covered", "covered", EXPORT_BOTH },
	{ "oriented_on", "oriented_on", EXPORT_BOTH },
	{ "training_kind", "training_kind", EXPORT_BOTH },
	{ "training_attended", "attended", EXPORT_BOTH },
	{ "training_completed", "completed", EXPORT_BOTH },
	{ "certified_on", "certified_on", EXPORT_BOTH },
	{ "certification_kind", "certification_kind", EXPORT_BOTH },
	EXPORT_FOLLOWUP(3),
	EXPORT_FOLLOWUP(6),
	{ NULL, NULL, 0 }
};

/* Operational lists: which store list, which columns. */
static const char *const export_stock_cols[] = {
	"kind", "state", "location", "territory", "count", NULL
};
static const char *const export_warranty_cols[] = {
	"device", "kind", "serial", "state", "warranty_until", "location",
	"beneficiary", "territory", NULL
};
static const char *const export_repair_cols[] = {
	"repair", "device", "kind", "beneficiary", "territory", "partner",
	"partner_name", "under_warranty", "opened_on", "days_open", NULL
};
static const char *const export_sim_cols[] = {
	"sim", "beneficiary", "territory", "state", "handed_over_on",
	"paid_until", "target_until", "covered_until", "covered", "due_on",
	NULL
};
static const char *const export_followup_cols[] = {
	"beneficiary", "territory", "prescriber", "month", "basis", "due_on",
	"state", NULL
};

/* An export being sent. */
struct export {
	struct evhttp_request	*ev;
	struct evhttp_connection *evcon;
	const char		*name;
	struct store_reader	*reader;
	struct evbuffer		*buf;	/* the next chunk */
	char			*line;	/* the row being written */
	size_t			 len, cap;
	/* Rows into buf up to EXPORT_CHUNK: 0 more to come, 1 done, -1 failed. */
	int			(*fill)(struct export *);
	int			 aborted;
	time_t			 drained;	/* a chunk last taken */
	LIST_ENTRY(export)	 entry;

	/* Per-person exports: people, and connections read beside them. */
	struct sqlite3_stmt	*people;
	int			 pcol[EXPORT_NCOLUMNS];	/* its columns */
	struct sqlite3_stmt	*conns;
	json_t			*con;	/* the next connection, read ahead */
	int			 conns_done;
	int			 who;
	unsigned char		*key;
	size_t			 klen;
	EVP_MAC			*hmac;
	EVP_MAC_CTX		*mac;	/* keyed once */

	/* Lists: a statement; the indicators: tables worked out at once. */
	const char *const	*cols;
	struct sqlite3_stmt	*list;
	int			 sims;
	json_t			*rows;
	void			*iter;	/* the indicators' next scope */
	int			 k;
};
static LIST_HEAD(, export) exports = LIST_HEAD_INITIALIZER(exports);
static int export_n;

static void export_cell(struct export *, json_t *);
static void export_free(struct export *);
static void export_drained(struct evhttp_connection *, void *);
static void export_cut(void *, const char *);

/* Add bytes to the row being written. */
static void
export_put(struct export *x, const char *s, size_t n)
{
	if (x->len + n > x->cap) {
		x->cap = (x->len + n) * 2;
		x->line = xreallocarray(x->line, 1, x->cap);
	}
	memcpy(x->line + x->len, s, n);
	x->len += n;
}

static void
export_puts(struct export *x, const char *s)
{
	export_put(x, s, strlen(s));
}

/* End the row: it joins the chunk. */
static void
export_eol(struct export *x)
{
	export_put(x, "\r\n", 2);
	if (evbuffer_add(x->buf, x->line, x->len) != 0)
		fatalx("evbuffer_add");
	x->len = 0;
}

/* One CSV value: RFC 4180 quoting; a leading formula sign is defused. */
static void
export_text(struct export *x, const char *s)
{
	const char *p, *q;
	int formula;

	if (s == NULL)
		return;
	formula = *s != '\0' && strchr("=+-@", *s) != NULL;
	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		export_puts(x, s);
		return;
	}
	export_put(x, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1) {
		export_put(x, p, q - p + 1);
		export_put(x, "\"", 1);
	}
	export_puts(x, p);
	export_put(x, "\"", 1);
}

/* A JSON value as a CSV value: as store_cell writes a database's. */
static void
export_cell(struct export *x, json_t *v)
{
	char buf[64];

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_true(v))
		export_text(x, "1");
	else if (json_is_false(v))
		export_text(x, "0");
	else if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(v));
		export_text(x, buf);
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%.1f", json_real_value(v));
		export_text(x, buf);
	} else
		export_text(x, json_string_value(v));
}

/* A header line from names. */
static void
export_header(struct export *x, const char *const *cols)
{
	int i;

	for (i = 0; cols[i] != NULL; i++) {
		if (i > 0)
			export_put(x, ",", 1);
		export_puts(x, cols[i]);
	}
	export_eol(x);
}

/* A row of an object as a CSV line, with the named members. */
static void
export_row(struct export *x, const char *const *cols, json_t *r)
{
	int j;

	for (j = 0; cols[j] != NULL; j++) {
		if (j > 0)
			export_put(x, ",", 1);
		export_cell(x, json_object_get(r, cols[j]));
	}
	export_eol(x);
}

/*
 * A new export, or NULL if EXPORT_MAX are being sent (answered 503). With
 * reader set, it reads from a reader of its own (NULL: answered).
 */
static struct export *
export_new(struct req *req, const char *name, int reader)
{
	struct export *x;

	if (export_n >= EXPORT_MAX) {
		reply_error(req, 503, "busy", NULL,
		    _("%d exports are being downloaded, the most at once: try "
		    "again when one has finished"), EXPORT_MAX);
		return (NULL);
	}
	x = xcalloc(1, sizeof *x);
	x->name = name;
	if ((x->buf = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	if (reader && (x->reader = store_reader_open()) == NULL) {
		api_reply_store(req, STORE_BUSY, name);
		export_free(x);
		return (NULL);
	}
	if (x->reader != NULL)
		store_reader_on_cut(x->reader, export_cut, x);
	x->drained = store_monotonic();
	LIST_INSERT_HEAD(&exports, x, entry);
	export_n++;
	return (x);
}

/* Release what an export holds: its transaction ends here. */
static void
export_release(struct export *x)
{
	store_reader_close(x->reader);
	x->reader = NULL;
	x->people = x->conns = x->list = NULL;
	json_decref(x->con);
	x->con = NULL;
	json_decref(x->rows);
	x->rows = NULL;
	x->iter = NULL;
	EVP_MAC_CTX_free(x->mac);
	EVP_MAC_free(x->hmac);
	x->mac = NULL;
	x->hmac = NULL;
	if (x->key != NULL) {
		OPENSSL_cleanse(x->key, EXPORT_KEY_MAX);
		free(x->key);
		x->key = NULL;
	}
}

static void
export_free(struct export *x)
{
	export_release(x);
	if (x->buf != NULL)
		evbuffer_free(x->buf);
	free(x->line);
	if (x->entry.le_prev != NULL) {
		LIST_REMOVE(x, entry);
		export_n--;
	}
	free(x);
}

/*
 * The client went away, or the daemon stops: end the export. A request
 * left without its connection is ours to free (stream.c does the same).
 */
static void
export_closed(struct evhttp_connection *con, void *arg)
{
	struct export *x = arg;
	struct evhttp_request *ev = x->ev;

	if (!x->aborted && store_monotonic() - x->drained >=
	    store_wal_timeout())
		log_info("export %s: the client took nothing for %d s: closed, "
		    "its snapshot and slot released", x->name,
		    store_wal_timeout());
	else if (!x->aborted)
		log_info("export %s: the client went away before its end",
		    x->name);
	export_free(x);
	if (evhttp_request_get_connection(ev) == NULL)
		evhttp_request_free(ev);
}

/*
 * Failed after the headers: the status cannot change. Release everything
 * now and close the connection without the last chunk; libevent sees the
 * end and frees it (export_closed).
 */
static void
export_abort(struct export *x)
{
	export_cut(x, "cut short by a database error");
}

/* Ended before its end, for why: as on an error (store_reader_cut). */
static void
export_cut(void *arg, const char *why)
{
	struct export *x = arg;
	struct bufferevent *bev;
	evutil_socket_t fd;

	log_warnx("export %s: %s: the client sees a truncated transfer",
	    x->name, why);
	x->aborted = 1;
	export_release(x);
	if (x->evcon == NULL)
		return;
	bev = evhttp_connection_get_bufferevent(x->evcon);
	if (bev != NULL && (fd = bufferevent_getfd(bev)) != -1)
		shutdown(fd, SHUT_RDWR);
}

/* Send the chunk made; at the end, the last one. */
static void
export_send(struct export *x, int done)
{
	struct evhttp_request *ev = x->ev;

	if (!done) {
		evhttp_send_reply_chunk_with_cb(ev, x->buf, export_drained, x);
		return;
	}
	evhttp_connection_set_closecb(x->evcon, NULL, NULL);
	evhttp_send_reply_chunk(ev, x->buf);
	export_free(x);
	evhttp_send_reply_end(ev);
}

/* The connection wrote the last chunk out: make the next. */
static void
export_drained(struct evhttp_connection *con, void *arg)
{
	struct export *x = arg;
	int rc;

	if (x->aborted)
		return;
	x->drained = store_monotonic();
	if ((rc = x->fill(x)) == -1)
		export_abort(x);
	else
		export_send(x, rc);
}

/*
 * Make the first chunk, then answer 200 with the headers and send it (an
 * error before that is still an error answer); the dispatcher is told the
 * reply is ours (status -1).
 */
static void
export_start(struct req *req, struct export *x)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	struct evhttp_connection *con;
	char disp[128], today[16];
	int rc;

	if ((rc = x->fill(x)) == -1) {
		api_reply_store(req, STORE_ERROR, x->name);
		export_free(x);
		return;
	}
	api_beneficiary_today(today, sizeof today);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.csv\"",
	    x->name, today);
	evhttp_add_header(h, "Content-Type", "text/csv; charset=utf-8");
	evhttp_add_header(h, "Content-Disposition", disp);
	evhttp_add_header(h, "Cache-Control", "no-store");
	x->ev = req->ev;
	x->evcon = con = evhttp_request_get_connection(req->ev);
	/* As http_send: the reply's timeouts count from now. */
	event_base_update_cache_time(evhttp_connection_get_base(con));
	evhttp_send_reply_start(req->ev, 200, "OK");
	req->status = -1;
	if (evhttp_request_get_command(req->ev) == EVHTTP_REQ_HEAD) {
		export_free(x);
		evhttp_send_reply_end(req->ev);
		return;
	}
	evhttp_connection_set_closecb(con, export_closed, x);
	export_send(x, rc);
}

/*
 * The pseudonym key from its file: refused with a sentence if it is not
 * configured or cannot be read, or is too short. *len gets its length.
 */
static unsigned char *
export_key(struct req *req, size_t *len)
{
	const char *path = report_key_file();
	unsigned char *key;
	ssize_t n;
	int fd;

	if (path == NULL) {
		reply_error(req, 409, "no_pseudonym_key", NULL,
		    _("the evaluation export needs a pseudonym key: set "
		    "\"pseudonym-key FILE\" in kitstockd's configuration (a "
		    "file of at least 16 random bytes, readable by kitstockd "
		    "only) and reload"));
		return (NULL);
	}
	key = xmalloc(EXPORT_KEY_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (n = read(fd, key, EXPORT_KEY_MAX)) < EXPORT_KEY_MIN) {
		reply_error(req, 409, "no_pseudonym_key", NULL,
		    _("the pseudonym key %s cannot be read or is shorter than "
		    "16 bytes: nothing was exported"), path);
		if (fd != -1)
			close(fd);
		OPENSSL_cleanse(key, EXPORT_KEY_MAX);
		free(key);
		return (NULL);
	}
	close(fd);
	*len = n;
	return (key);
}

/*
 * HMAC-SHA256 of a tag under the export's key, in hex (65 bytes). The
 * keyed context is made once per export: per person, only the tag is
 * hashed.
 */
static void
export_pseudonym(struct export *x, const char *tag, char *out)
{
	static const char hex[] = "0123456789abcdef";
	static char digest[] = "SHA256";
	unsigned char md[EVP_MAX_MD_SIZE];
	OSSL_PARAM params[2];
	size_t mdlen = 0, i;

	if (x->mac == NULL) {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((x->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
		    (x->mac = EVP_MAC_CTX_new(x->hmac)) == NULL ||
		    EVP_MAC_init(x->mac, x->key, x->klen, params) != 1)
			fatalx("HMAC-SHA256 failed");
	} else if (EVP_MAC_init(x->mac, NULL, 0, NULL) != 1)
		fatalx("HMAC-SHA256 failed");
	if (EVP_MAC_update(x->mac, (const unsigned char *)tag,
	    strlen(tag)) != 1 || EVP_MAC_final(x->mac, md, &mdlen,
	    sizeof md) != 1)
		fatalx("HMAC-SHA256 failed");
	for (i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * i] = '\0';
}

/*
 * The connection shown with a person (the first paid for the months
 * asked, else the first), from the connections read beside the people:
 * both come in the order of the beneficiary's row id, which is its tag's
 * sequence number. *cover is NULL if the person has none.
 */
static enum store_status
export_cover(struct export *x, const char *ben, json_t **cover)
{
	enum store_status status;
	int64_t seq = tag_seq(ben), cseq;

	*cover = NULL;
	for (;;) {
		if (x->con == NULL) {
			if (x->conns_done)
				return (STORE_OK);
			if ((status = store_reader_next(x->conns, &x->con)) !=
			    STORE_OK)
				return (status);
			if (x->con == NULL) {
				x->conns_done = 1;
				return (STORE_OK);
			}
			api_topup_cover(x->con);
		}
		cseq = tag_seq(json_string_value(json_object_get(x->con,
		    "beneficiary")));
		if (cseq > seq)
			return (STORE_OK);	/* someone after */
		if (cseq == seq && (*cover == NULL ||
		    (!json_is_true(json_object_get(*cover, "covered")) &&
		    json_is_true(json_object_get(x->con, "covered"))))) {
			json_decref(*cover);
			*cover = x->con;
		} else
			json_decref(x->con);
		x->con = NULL;
	}
}

/*
 * The header line of a per-person export; which column of the people's
 * statement fills each (-1: none, the connection's or the pseudonym).
 */
static void
export_people_header(struct export *x)
{
	const struct export_column *c;
	int first = 1, i;

	for (c = export_people, i = 0; c->header != NULL; c++, i++) {
		if (i == EXPORT_NCOLUMNS)
			fatalx("export_people: more than %d columns",
			    EXPORT_NCOLUMNS);
		x->pcol[i] = x->people != NULL ? store_column(x->people,
		    c->key) : -1;
		if (c->who & x->who) {
			if (!first)
				export_put(x, ",", 1);
			export_puts(x, c->header);
			first = 0;
		}
	}
	export_eol(x);
}

/* The line of the person of the current row. */
static void
export_people_row(struct export *x, const char *ben, json_t *con)
{
	const struct export_column *c;
	char pseudo[65], buf[64];
	int first = 1, i;

	for (c = export_people, i = 0; c->header != NULL; c++, i++) {
		if ((c->who & x->who) == 0)
			continue;
		if (!first)
			export_put(x, ",", 1);
		first = 0;
		if (x->pcol[i] >= 0)
			export_text(x, store_cell(x->people, x->pcol[i], buf,
			    sizeof buf));
		else if (x->key != NULL && strcmp(c->key, "pseudonym") == 0) {
			export_pseudonym(x, ben, pseudo);
			export_text(x, pseudo);
		} else if (con != NULL)
			export_cell(x, json_object_get(con, c->key));
	}
	export_eol(x);
}

/* The next people of a per-person export. */
static int
export_people_fill(struct export *x)
{
	json_t *cover;
	char ben[TAG_LEN + 1], buf[64];
	const char *tag;
	int row;

	if (x->people == NULL)
		return (1);		/* an account naming no prescriber */
	while (evbuffer_get_length(x->buf) < EXPORT_CHUNK) {
		if (store_reader_step(x->people, &row) != STORE_OK)
			return (-1);
		if (!row)
			return (1);
		tag = store_cell(x->people, x->pcol[EXPORT_BENEFICIARY], buf,
		    sizeof buf);
		snprintf(ben, sizeof ben, "%s", tag != NULL ? tag : "");
		if (export_cover(x, ben, &cover) != STORE_OK)
			return (-1);
		export_people_row(x, ben, cover);
		json_decref(cover);
	}
	return (0);
}

/*
 * A per-person export of an audience: everyone, or one prescriber's
 * people; none at all for "", an account naming no prescriber. Takes key.
 */
static void
export_people_start(struct req *req, const char *name, const char *prescriber,
    int who, unsigned char *key, size_t klen)
{
	struct export *x;

	if ((x = export_new(req, name, 1)) == NULL) {
		if (key != NULL) {
			OPENSSL_cleanse(key, EXPORT_KEY_MAX);
			free(key);
		}
		return;
	}
	x->who = who;
	x->key = key;
	x->klen = klen;
	x->fill = export_people_fill;
	if ((prescriber == NULL || *prescriber != '\0') &&
	    (store_report_people(x->reader, prescriber, &x->people) !=
	    STORE_OK || store_report_connections(x->reader, report_months(),
	    &x->conns) != STORE_OK)) {
		api_reply_store(req, STORE_ERROR, name);
		export_free(x);
		return;
	}
	export_people_header(x);
	export_start(req, x);
}

/*
 * GET /v1/exports/evaluation: one row per beneficiary under its
 * pseudonym (HMAC-SHA256 of the tag with the configured key).
 */
void
api_export_evaluation(struct req *req)
{
	unsigned char *key;
	size_t klen;

	if ((key = export_key(req, &klen)) == NULL)
		return;
	export_people_start(req, "evaluation", NULL, EXPORT_EVAL, key, klen);
}

/*
 * GET /v1/exports/prescriber?prescriber=P-...: the people one prescriber
 * referred, under the tag it was given, and what happened to them. A
 * prescriber's token gets its own, whatever it asks.
 */
void
api_export_prescriber(struct req *req)
{
	const char *want = req_query(req, "prescriber");
	char *cause;
	int64_t id;
	enum store_status status;

	if (req->role == ROLE_PRESCRIBER) {
		if (want != NULL && req->prescriber != NULL &&
		    strcmp(want, req->prescriber) != 0) {
			reply_error(req, 403, "forbidden", "prescriber",
			    _("%s may export only its own people, not those "
			    "of %s"), req->prescriber, want);
			return;
		}
		/* An account naming no prescriber has no people. */
		want = req->prescriber != NULL ? req->prescriber : "";
	}
	if (want == NULL) {
		reply_error(req, 400, "missing_field", "prescriber",
		    _("prescriber is required: whose people to export"));
		return;
	}
	if (*want != '\0' && tag_check(want, 'P', NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_field", "prescriber",
		    "prescriber: %s", cause);
		free(cause);
		return;
	}
	if (*want != '\0' && (status = store_id_of("prescriber", want, &id)) !=
	    STORE_OK) {
		if (status == STORE_NOTFOUND)
			reply_error(req, 404, "unknown_tag", "prescriber",
			    _("prescriber %s does not exist"), want);
		else
			api_reply_store(req, status, "prescriber");
		return;
	}
	export_people_start(req, "prescriber", want, EXPORT_PRESCRIBER, NULL,
	    0);
}

/* One count, or nothing with suppressed=1 if under k (zero is shown). */
static void
export_count(struct export *x, const char *scope, const char *by,
    const char *key, const char *ind, json_int_t n)
{
	char buf[128];
	json_t *v;

	snprintf(buf, sizeof buf, "%s,%s,", scope, by);
	export_puts(x, buf);
	v = json_string(key);
	export_cell(x, v);
	json_decref(v);
	if (n > 0 && n < x->k)
		snprintf(buf, sizeof buf, ",%s,,1", ind);
	else
		snprintf(buf, sizeof buf, ",%s,%lld,0", ind, (long long)n);
	export_puts(x, buf);
	export_eol(x);
}

/* The rows of one scope of the indicators. */
static void
export_scope(struct export *x, const char *code, json_t *sc)
{
	static const char *const dims[] = { "communes", "categories", NULL };
	const char *key, *ind;
	json_t *v, *kinds;
	int d, j;

	for (j = 0; (ind = report_indicator_name(j)) != NULL; j++)
		export_count(x, code, "total", "", ind, json_integer_value(
		    json_object_get(json_object_get(sc, ind), "count")));
	export_count(x, code, "total", "", "devices", json_integer_value(
	    json_object_get(json_object_get(sc, "supply"), "devices")));
	for (d = 0; dims[d] != NULL; d++)
		json_object_foreach(json_object_get(sc, dims[d]), key, v)
			for (j = 0; (ind = report_indicator_name(j)) != NULL;
			    j++)
				export_count(x, code, dims[d], key, ind,
				    json_integer_value(json_object_get(v,
				    ind)));
	/* Prescribers by kind: organisations, not people. */
	kinds = json_object();
	json_object_foreach(json_object_get(sc, "prescribers"), key, v)
		for (j = 0; (ind = report_indicator_name(j)) != NULL; j++)
			report_add(report_object(kinds, json_string_value(
			    json_object_get(v, "kind"))), ind,
			    json_integer_value(json_object_get(v, ind)));
	json_object_foreach(kinds, key, v)
		for (j = 0; (ind = report_indicator_name(j)) != NULL; j++)
			export_count(x, code, "prescriber_kinds", key, ind,
			    json_integer_value(json_object_get(v, ind)));
	json_decref(kinds);
}

/* The next scopes of the indicators. */
static int
export_scopes_fill(struct export *x)
{
	while (evbuffer_get_length(x->buf) < EXPORT_CHUNK) {
		if (x->iter == NULL)
			return (1);
		export_scope(x, json_object_iter_key(x->iter),
		    json_object_iter_value(x->iter));
		x->iter = json_object_iter_next(x->rows, x->iter);
	}
	return (0);
}

/*
 * GET /v1/exports/indicators?from&to&territory: the indicators as one
 * table (scope, breakdown, key, indicator, count, suppressed); counts of
 * 1 to k-1 people are left empty and marked suppressed.
 */
void
api_export_indicators(struct req *req)
{
	const char *from, *to, *only;
	int all = 0;
	json_t *scopes;
	struct export *x;
	enum store_status status;

	if (report_period(req, &from, &to, &only) != 0)
		return;
	/* Counts only: the people not yet covered are not for the funder. */
	if ((status = report_indicators_build(from, to, only, &all, 0,
	    &scopes)) != STORE_OK) {
		api_reply_store(req, status, "indicators");
		return;
	}
	if ((x = export_new(req, "indicators", 0)) == NULL) {
		json_decref(scopes);
		return;
	}
	x->k = report_min_cell();
	x->rows = scopes;
	x->iter = json_object_iter(scopes);
	x->fill = export_scopes_fill;
	export_puts(x, "scope,breakdown,key,indicator,count,suppressed");
	export_eol(x);
	export_start(req, x);
}

/* The next rows of a list. */
static int
export_list_fill(struct export *x)
{
	const char *state, *paid;
	json_t *r;

	while (evbuffer_get_length(x->buf) < EXPORT_CHUNK) {
		if (store_reader_next(x->list, &r) != STORE_OK)
			return (-1);
		if (r == NULL)
			return (1);
		if (x->sims) {
			/* Its coverage, and when a top-up is due. */
			api_topup_cover(r);
			state = json_string_value(json_object_get(r, "state"));
			paid = json_string_value(json_object_get(r,
			    "paid_until"));
			if (!json_is_true(json_object_get(r, "covered")) &&
			    paid != NULL && state != NULL &&
			    (strcmp(state, "active") == 0 ||
			    strcmp(state, "suspended") == 0))
				json_object_set_new(r, "due_on",
				    json_string(paid));
		}
		export_row(x, x->cols, r);
		json_decref(r);
	}
	return (0);
}


/* A day n days from today (negative: back). */
void
report_day(long n, char *out, size_t len)
{
	char today[16];
	struct tm tm;
	time_t t;

	api_beneficiary_today(today, sizeof today);
	memset(&tm, 0, sizeof tm);
	strptime(today, "%Y-%m-%d", &tm);
	t = timegm(&tm) + n * 86400;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* ?days=N for lists and alerts: 0 to 3650, else a default. -1: answered. */
int
report_days_query(struct req *req, long long def, long long *days)
{
	const char *s = req_query(req, "days");
	char *end;

	*days = def;
	if (s == NULL)
		return (0);
	*days = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *days < 0 || *days > 3650) {
		reply_error(req, 400, "invalid_field", "days",
		    _("days \"%s\" must be a whole number from 0 to 3650"), s);
		return (-1);
	}
	return (0);
}

/*
 * GET /v1/exports/{stock,sims,warranties,repairs,followups}?days=N: the
 * operational lists as CSV (warranties ending and follow-ups due within N
 * days, 60 by default; repairs open for more than N days, 0 by default).
 */
void
api_export_list(struct req *req)
{
	const char *what = strrchr(req->route->pattern, '/') + 1;
	const char *list = NULL;
	char today[16], ahead[16], back[16];
	long long days;
	struct export *x;
	enum store_status status = STORE_OK;

	if (report_days_query(req, strcmp(what, "repairs") == 0 ? 0 : 60,
	    &days) != 0)
		return;
	api_beneficiary_today(today, sizeof today);
	report_day(days, ahead, sizeof ahead);
	report_day(-days, back, sizeof back);
	if ((x = export_new(req, what, 1)) == NULL)
		return;
	x->fill = export_list_fill;
	if (strcmp(what, "stock") == 0) {
		x->cols = export_stock_cols;
		list = "stock";
	} else if (strcmp(what, "warranties") == 0) {
		x->cols = export_warranty_cols;
		list = "warranties";
	} else if (strcmp(what, "repairs") == 0) {
		x->cols = export_repair_cols;
		list = "repairs_open";
	} else if (strcmp(what, "sims") == 0) {
		x->cols = export_sim_cols;
		x->sims = 1;
		status = store_report_connections(x->reader, report_months(),
		    &x->list);
	} else {
		x->cols = export_followup_cols;
		list = "followups_due";
	}
	if (list != NULL)
		status = store_report_list_open(x->reader, list, today, ahead,
		    back, &x->list);
	if (status != STORE_OK) {
		api_reply_store(req, status, what);
		export_free(x);
		return;
	}
	export_header(x, x->cols);
	export_start(req, x);
}
