/*
 * kitstockd: the one internal header of the daemon (as tmux.h is for tmux).
 */
#ifndef KITSTOCKD_H
#define KITSTOCKD_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "csv.h"
#include "i18n.h"
#include "tag.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

struct evbuffer;
struct evhttp_request;
struct evkeyvalq;
struct event_base;
struct sqlite3;
struct sqlite3_stmt;

/* Bounds on what a client may send. */
#define MAX_BODY_DEFAULT	(1024 * 1024)
#define REQUEST_TIMEOUT_DEFAULT	60	/* seconds to send a whole request */
#define WAL_MAX_DEFAULT		512	/* MB of WAL: past them a reader ends */
#define MAX_CONNECTIONS_DEFAULT	512
#define SESSION_IDLE_DEFAULT	3600	/* s a browser session may stay unused */
#define SESSION_LIFETIME_DEFAULT 43200	/* s a browser session lasts at most */
#define MAX_HEADERS		(16 * 1024)
#define EXPORT_MIN_CELL_DEFAULT	5
#define STRING_MAX		200	/* names, models, serials */
#define TEXT_MAX		1000	/* notes, reasons, contacts */
#define LIST_LIMIT_DEFAULT	100
#define LIST_LIMIT_MAX		1000

/* Event priorities: the group commit (http.c) runs after everything else. */
#define HTTP_PRIORITIES		3

/* Roles (auth.c); a route allows a set of them. */
#define ROLE_WAREHOUSE		0x01
#define ROLE_DISTRIBUTION	0x02
#define ROLE_COORDINATOR	0x04
#define ROLE_PRESCRIBER		0x08
#define ROLE_EVALUATOR		0x10
#define ROLE_PUBLIC		0x100	/* no identity needed (health) */
#define ROLE_INVENTORY	(ROLE_WAREHOUSE | ROLE_DISTRIBUTION | ROLE_COORDINATOR)
#define ROLE_STOCK	(ROLE_WAREHOUSE | ROLE_COORDINATOR)
#define ROLE_STAFF	(ROLE_INVENTORY | ROLE_PRESCRIBER | ROLE_EVALUATOR)
/* Steps of a beneficiary's path: who records them, who reads them. */
#define ROLE_PATH	(ROLE_DISTRIBUTION | ROLE_COORDINATOR)
#define ROLE_PEOPLE	(ROLE_PATH | ROLE_PRESCRIBER)	/* prescribers: own */

/* A "role user|group NAME ROLE" line of the configuration. */
struct role_map {
	int		 group;
	char		*name;
	int		 role;
};

/* config.c */
struct config {
	char		*database;
	char		*socket;
	int		 socket_mode;
	char		*socket_group;
	char		*listen;	/* "127.0.0.1:8750" or NULL */
	char		*language;
	char		*profile;	/* directory, NULL for the built-in 93 */
	char		*labels;	/* label templates, NULL: installed */
	size_t		 max_body;
	struct role_map	*roles;
	size_t		 nroles;
	char		*tls_cert;	/* PEM chain for the TCP listener */
	char		*tls_key;
	char		*pseudonym_key;	/* file: HMAC key of pseudonyms */
	int		 export_min_cell;	/* k: smaller cells suppressed */
	int		 request_timeout;	/* seconds */
	long long	 wal_max;	/* bytes: past them a reader is ended */
	size_t		 max_connections;
	int		 usb;		/* read USB scanners (usb yes|no) */
	long long	 scan_debounce_ms;	/* same code, same station */
	long long	 scan_idle;	/* s before a station's context expires */
	int		 stream_max;	/* GET /v1/stream subscribers */
	int		 session_idle;	/* s a browser session may stay unused */
	int		 session_lifetime; /* s a browser session lasts at most */
};
void	 config_defaults(struct config *);
int	 config_load(const char *, struct config *);
int	 config_set(const char *, const char *, struct config *, char **);
int	 config_check(const struct config *, char **);
void	 config_free(struct config *);

/* log.c */
void	 log_init(int foreground, int verbose);
void	 log_reopen(void);
void	 log_detach(void);
void	 log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 fatal(const char *, ...) __attribute__((__format__(printf, 1, 2)))
	    __attribute__((__noreturn__));
void	 fatalx(const char *, ...) __attribute__((__format__(printf, 1, 2)))
	    __attribute__((__noreturn__));

/* Who made a change, from where, and when it happened in the world. */
struct actor {
	const char	*name;		/* "root", "uid:1000", "tcp:127.0.0.1" */
	const char	*station;	/* "cli", "api", a station name */
	const char	*at;		/* effective date, "YYYY-MM-DDTHH:MM:SSZ" */
};

/* reply.c: one request, from dispatch to reply. */
#define ROUTE_PARAMS 2
struct req {
	struct evhttp_request	*ev;
	const struct route	*route;
	char			*params[ROUTE_PARAMS];	/* {tag} in the path */
	json_t			*body;		/* request object, or NULL */
	const unsigned char	*raw;		/* a body not JSON (route->accepts) */
	size_t			 raw_len;
	json_t			*vals;		/* validated, normalised fields */
	struct evkeyvalq	*query;
	struct actor		 actor;
	char			*actor_name;
	char			*at;
	int			 role;		/* ROLE_* of the peer */
	int			 tcp;
	char			*prescriber;	/* a prescriber token's P- tag */
	int			 cookie;	/* identified by a session cookie */
	char			*auth_error;	/* a bad or expired token */
	int			 status;	/* reply kept until commit */
	char			*content_type;
	struct evbuffer		*out;
	int			 replied;
	int			 checkpoint;	/* WAL TRUNCATE after the commit */
	TAILQ_ENTRY(req)	 group;		/* waiting for the group commit */
};

enum field_type {
	FT_STRING,	/* one line, up to STRING_MAX */
	FT_TEXT,	/* up to TEXT_MAX */
	FT_INT,
	FT_BOOL,
	FT_EUROS,	/* number or "189,90" -> integer cents */
	FT_DECIMAL,	/* number, e.g. screen size in inches */
	FT_DATE,
	FT_ENUM,
	FT_TAG,		/* a tag of a given letter */
	FT_TAGS,	/* array of tags */
	FT_IMEIS,	/* one IMEI or an array of up to two */
	FT_ICCID,
	FT_SIRET,
	FT_INSEE,
	FT_MSISDN,
};
#define F_REQUIRED	0x1

struct field {
	const char		*name;
	enum field_type		 type;
	int			 flags;
	const char *const	*values;	/* FT_ENUM */
	char			 letter;	/* FT_TAG, FT_TAGS */
	long long		 min, max;	/* FT_INT, FT_DECIMAL */
};

void	 reply_json(struct req *, int, json_t *);
void	 reply_bytes(struct req *, int, const char *, const void *, size_t);
void	 reply_file(struct req *, int, const char *, int, off_t);
void	 reply_error(struct req *, int, const char *, const char *,
	    const char *, ...) __attribute__((__format__(printf, 5, 6)));
size_t	 utf8_invalid(const void *, size_t);
char	*utf8_escape(const void *, size_t, int);
int	 req_fields(struct req *, const struct field *, int);
int	 req_value(struct req *, const struct field *, json_t *, json_t **);
const char *req_str(struct req *, const char *);
int	 req_int(struct req *, const char *, long long *);
const char *req_query(struct req *, const char *);
int	 req_tag(struct req *, int, char, char *);
int	 req_limit(struct req *, long long *, const char **);
int	 req_page(struct req *, long long *, long long *);
void	 req_free(struct req *);

/* Answers of the store; the handler turns them into a status and a sentence. */
enum store_status {
	STORE_OK,
	STORE_NOTFOUND,
	STORE_EXISTS,		/* a unique constraint */
	STORE_INVALID,		/* another constraint */
	STORE_CONFLICT,		/* an illegal transition or move */
	STORE_BUSY,
	STORE_FULL,		/* disk full */
	STORE_READONLY,
	STORE_ERROR,
};

/* A statement prepared on first use and kept (fossil db_static_prepare). */
struct stmt {
	const char		*sql;
	struct sqlite3_stmt	*s;
	struct stmt		*next;
};
#define STMT(q) { (q), NULL, NULL }

/* A resource kept in the generic tables: what the API may set on it. */
struct resource {
	const char		*name;		/* "device" */
	const char		*path;		/* "devices" */
	char			 letter;	/* 'D' */
	const char		*table;		/* "device" */
	const struct field	*fields;	/* create */
	const struct field	*edit;		/* edit (PATCH) */
	const char *const	*filters;	/* list filters (view columns) */
	const struct lifecycle	*lc;		/* units with states, or NULL */
	int			 effective;	/* create takes "at" */
	/* After validation, before the store: more checks, derived values. */
	int			(*check)(struct req *, int);
	/* In the same transaction, after the row exists. */
	enum store_status	(*added)(struct req *, const char *);
};

/* What a tag, serial, IMEI or ICCID designates. */
struct item {
	char			 tag[TAG_LEN + 1];
	const struct resource	*res;
	int64_t			 id;
};

/* lifecycle.c */
#define LC_STATE	0x1	/* by a bare state change, with a reason */
#define LC_FLOW		0x2	/* only by a flow (picking, checkout, return) */
#define LC_ERASED	0x4	/* only once the unit's data erasure is recorded */
struct transition {
	const char	*from;
	const char	*to;
	int		 how;
};
struct lifecycle {
	const char			*name;
	const char *const		*states;
	const struct transition		*table;
};
extern const char *const device_states[];
extern const char *const sim_states[];
extern const struct lifecycle lifecycle_device;
extern const struct lifecycle lifecycle_sim;
const struct transition *lifecycle_find(const struct lifecycle *,
	    const char *, const char *);
int	 lifecycle_known(const struct lifecycle *, const char *);
void	 lifecycle_next(const struct lifecycle *, const char *, int, char *,
	    size_t);

/* store.c */
int	 store_open(const char *, char **);
void	 store_close(void);
struct sqlite3_stmt *store_prepare(struct stmt *);
struct sqlite3_stmt *store_prepare_dynamic(const char *);
struct sqlite3_stmt *store_prepare_named(const char *);
enum store_status store_done(struct sqlite3_stmt *, int);
enum store_status store_finish(struct sqlite3_stmt *, int);
enum store_status store_begin(void);
enum store_status store_commit(void);
void	 store_rollback(void);
int	 store_in_transaction(void);
void	 store_exclusive_begin(void);
void	 store_exclusive_end(void);
void	 store_exclusive_enter(int);
int	 store_exclusive(void);
void	 store_after_exclusive(void (*)(void));
void	 store_exclusive_resume(void);
enum store_status store_request_begin(void);
enum store_status store_request_end(int);
void	 store_set_flush(void (*)(void));
enum store_status store_script(const char *);
json_t	*store_row_json(struct sqlite3_stmt *);
enum store_status store_all(struct sqlite3_stmt *, json_t **);
enum store_status store_rows(struct stmt *, const char *, const char *,
	    json_t **);
int	 store_schema_version(void);
int	 store_writable(void);
const char *store_unwritable(const char **);
const char *store_gone(void);
const char *store_errmsg(void);
int64_t	 store_next_id(const char *);
void	 store_checkpoint(void);
struct sqlite3 *store_connection(void);
void	 store_now(char *, size_t);
int	 store_backup_to(const char *, char **);
const char *store_file(void);
struct store_reader;
struct store_reader *store_reader_open(void);
void	 store_reader_close(struct store_reader *);
struct sqlite3_stmt *store_reader_prepare(struct store_reader *,
	    struct stmt *);
enum store_status store_reader_next(struct sqlite3_stmt *, json_t **);
enum store_status store_reader_step(struct sqlite3_stmt *, int *);
void	 store_reader_on_cut(struct store_reader *,
	    void (*)(void *, const char *), void *);
int	 store_reader_count(time_t *);
int	 store_reader_cut(int, const char *);
time_t	 store_monotonic(void);
int	 store_column(struct sqlite3_stmt *, const char *);
int	 store_page(struct sqlite3_stmt *, long long, json_t **);
const char *store_cell(struct sqlite3_stmt *, int, char *, size_t);

/* store-explain.c */
void	 store_explain(struct sqlite3 *, const char *);
void	 store_explain_close(void);

/* store-wal.c */
int	 store_wal_start(void);
void	 store_wal_stop(void);
void	 store_wal_configure(const struct config *);
void	 store_wal_watch(struct event_base *);
int	 store_wal_purge(void);
int	 store_wal_purge_by(time_t *);
long long store_wal_size(void);
int	 store_wal_timeout(void);

/* store-schema.c */
extern const char *const store_migrations[];
extern const int store_nmigrations;

/* store-ledger.c */
enum store_status store_ledger_add(const struct actor *, const char *,
	    const char *, const char *, const char *, const char *, json_t *);
enum store_status store_ledger_history(const char *, json_t **);

/* store-ref.c: reference data, programme profile, lookups by tag */
enum store_status store_profile_loaded(int *);
enum store_status store_programme_set(const char *, const char *);
enum store_status store_territory_add(const char *, const char *, int64_t,
	    const long long *);
enum store_status store_commune_add(const char *, const char *, const char *,
	    const char *, const char *, const char *, const char *);
enum store_status store_commune_check(const char *, char **);
enum store_status store_programme(json_t **);
enum store_status store_communes(const char *, const char *, json_t **);
enum store_status store_id_of(const char *, const char *, int64_t *);

/* store-item.c: generic create, show, list, edit */
enum store_status store_item_add(const struct resource *, const struct actor *,
	    json_t *, char *);
enum store_status store_item_add_as(const struct resource *,
	    const struct actor *, json_t *, const char *);
enum store_status store_item_get(const struct resource *, const char *,
	    json_t **);
enum store_status store_item_list(const struct resource *, json_t *,
	    int64_t, long long, json_t **);
enum store_status store_item_edit(const struct resource *,
	    const struct actor *, const char *, json_t *, json_t **);
enum store_status store_resolve(const char *, struct item *, json_t **);
char	*store_item_column(const struct field *);
void	 store_item_bind(struct sqlite3_stmt *, int, json_t *);

/* store-unit.c */
enum store_status store_device_imeis(int64_t, json_t *);
enum store_status store_device_cost_from_lot(const char *);
enum store_status store_device_imei_holder(const char *, char *);
enum store_status store_device_serial_holder(const char *, const char *,
	    char *);
enum store_status store_unit_get(const struct resource *, const char *,
	    char *, size_t, char *, int *);
enum store_status store_unit_state(const struct resource *,
	    const struct actor *, const char *, const char *, const char *,
	    const char *, json_t *);
enum store_status store_device_erased(const struct actor *, const char *,
	    json_t *);
enum store_status store_unit_move(const struct resource *,
	    const struct actor *, const char *, const char *, const char *,
	    const char *);
enum store_status store_sim_secret_set(const char *, const char *,
	    const char *);
enum store_status store_sim_secret_get(const char *, json_t **);
enum store_status store_accessory_find(const char *, char *);
enum store_status store_accessory_count(const char *, const char *,
	    long long *);
enum store_status store_accessory_set(const char *, const char *, long long);
enum store_status store_stock(json_t *, json_t *, json_t **);
enum store_status store_check_stock(json_t **);
enum store_status store_check_needs(json_t **);
enum store_status store_check_connections(json_t **);

/* The sequence number of a valid tag (its row id). */
static inline int64_t
tag_seq(const char *tag)
{
	return (strtoll(tag + 2, NULL, 10));
}

/* profile.c, profile-builtin.c (generated) */
struct profile_file {
	const char	*name;
	const char	*text;
};
extern const struct profile_file profile_builtin[];
int	 profile_load(const char *, char **);

/* auth.c */
struct peer {				/* a connection's, looked up once */
	int		 known;
	int		 local;		/* a UNIX socket */
	int		 cred;		/* uid and gid known */
	uid_t		 uid;
	gid_t		 gid;
	char		*user;		/* password file name, or NULL */
	char		*name;		/* the actor: user or "uid:N" */
	int		 role;
	unsigned int	 generation;	/* of the role lines role is from */
};
void	 auth_configure(const struct config *);
int	 auth_role(const char *);
const char *auth_role_name(int);
const char *auth_roles_text(int);
void	 auth_peer(int, struct peer *);
void	 auth_peer_free(struct peer *);
void	 auth_identify(struct req *, struct peer *);
int	 auth_allowed(struct req *);
char	*auth_secret(const char *);
char	*auth_cookie(struct req *);
char	*auth_credential(struct req *);
int	 auth_credential_valid(const char *);
int	 auth_session_roles(const char *);
const char *auth_session_routes(const char *);
int	 auth_session_idle(void);
int	 auth_session_lifetime(void);

/* store-token.c */
enum store_status store_token_find(const char *, char **, int *, char **,
	    char **);
enum store_status store_token_add(const struct actor *, const char *, int,
	    const char *, const char *, char **);
enum store_status store_token_revoke(const struct actor *, const char *);
enum store_status store_token_list(json_t **);
void	 store_secret_hash(const char *, char *);

/* store-session.c: a browser's session (a token's holder's; an account's) */
#define SESSION_SCOPE_DASHBOARD	"dashboard"
#define SESSION_TOUCH		60	/* s between two writes of seen_at */
#define SESSION_EXPIRED		0x1	/* past expires_at */
#define SESSION_IDLE		0x2	/* unused for longer than session-idle */
#define SESSION_TOKEN_GONE	0x4	/* its token revoked or expired */
struct session {
	int64_t		 id;
	char		*actor;		/* "token:NAME" */
	int		 role;
	char		*prescriber;	/* P- tag, or NULL */
	char		*scope;		/* SESSION_SCOPE_* */
	char		*seen_at;
	char		*expires_at;
	int		 ended;		/* SESSION_EXPIRED... */
	int		 stale;		/* seen_at older than SESSION_TOUCH */
};
enum store_status store_session_find(const char *, int, struct session *);
void	 store_session_free(struct session *);
enum store_status store_session_add(const struct actor *, const char *,
	    const char *, const char *, int, int, int64_t *, char **);
enum store_status store_session_touch(int64_t);
enum store_status store_session_end(const struct actor *, int64_t,
	    const char *);
enum store_status store_session_end_all(const struct actor *, int *);
enum store_status store_session_end_token(const struct actor *,
	    const char *);
enum store_status store_session_sign_out(const struct actor *,
	    const char *, int64_t *);
enum store_status store_session_list(int, json_t **);

/* tls.c */
struct evhttp;
int	 tls_start(struct evhttp *, const struct config *, char **);
struct bufferevent *tls_bufferevent(struct event_base *);
void	 tls_stop(void);

/* conn.c: connection limits */
struct evhttp_request;
void	 conn_attach(struct event_base *, struct evhttp *, int);
void	 conn_configure(const struct config *);
struct peer *conn_serving(struct evhttp_request *);
void	 conn_stop(void);

/* http.c */
int	 http_start(struct event_base *, const struct config *, char **);
void	 http_stop(void);
void	 http_reconfigure(const struct config *);
void	 http_stats(long long *, long long *);
void	 http_flush(void);
void	 http_after_commit(void (*)(void *), void *);
void	 http_committed(int);
void	 http_init(struct event_base *);
void	 http_set_sink(void (*)(const struct req *), int);
struct evhttp_uri;
void	 http_dispatch(struct evhttp_request *, struct peer *, const char *,
	    const struct evhttp_uri *);
int	 http_socket_alive(const char *);
void	 http_answer(struct req *);
void	 http_unpark(void);

/* worker.c: a few threads for work that grows with a request */
#define WORKER_MAX		16	/* jobs pending or unread, in all */
#define WORKER_PEER_MAX		4	/* for one peer (its actor) */
typedef void (*worker_run_cb)(void *);
typedef void (*worker_done_cb)(struct req *, void *);
int	 worker_submit(struct req *, worker_run_cb, worker_done_cb, void *);
int	 worker_detach(struct event_base *, worker_run_cb, worker_done_cb,
	    void *);
void	 worker_write(struct req *, int (*)(struct req *, void *), void *,
	    void (*)(void *));
int	 worker_slice_over(void);
void	 worker_finish_held(void);
int	 worker_pending(void);
void	 worker_stop(void);

/* route.c */
typedef void (*route_handler)(struct req *);
struct route {
	const char	*method;
	const char	*pattern;
	int		 write;
	route_handler	 handler;
	const struct resource *res;
	int		 roles;		/* ROLE_*; 0: coordinators only */
	const char	*accepts;	/* body media type; NULL: JSON */
};
extern const struct route route_table[];
const struct route *route_find(const char *, const char *, char **, int *);

/* api-health.c */
void	 api_health(struct req *);
void	 api_programme(struct req *);
void	 api_communes(struct req *);
void	 api_health_start(void);

/* api-unit.c, api-sim.c, api-accessory.c, api-stock.c */
void	 api_unit_state(struct req *);
void	 api_unit_move(struct req *);
void	 api_sim_secret_show(struct req *);
void	 api_sim_secret_set(struct req *);
void	 api_accessory_add(struct req *);
void	 api_accessory_move(struct req *);
void	 api_accessory_adjust(struct req *);
void	 api_stock(struct req *);
void	 api_check(struct req *);
void	 api_backup(struct req *);

/* api-token.c */
void	 api_token_add(struct req *);
void	 api_token_list(struct req *);
void	 api_token_revoke(struct req *);
void	 api_routes(struct req *);

/* api-session.c */
void	 api_session_list(struct req *);
void	 api_session_end(struct req *);

/* api-item.c: generic handlers for resources */
void	 api_item_add(struct req *);
void	 api_item_show(struct req *);
void	 api_item_list(struct req *);
void	 api_item_edit(struct req *);
void	 api_history(struct req *);
void	 api_lookup(struct req *);
void	 api_reply_store(struct req *, enum store_status, const char *);
void	 reply_json_each(struct req *, int, json_t *, const char *,
	    json_t *(*)(void *, size_t, enum store_status *), void *);
void	 reply_json_each_tail(struct req *, int, json_t *, const char *,
	    json_t *(*)(void *, size_t, enum store_status *), void *,
	    json_t *);
void	 api_answer(struct req *, enum store_status, int, json_t *,
	    const char *);

/* label.c: label templates and rendering (no I/O) */
#define LABEL_TEXTS_MAX		16
#define LABEL_MAX		210	/* labels per request: 10 A4 sheets */
enum label_format {
	LABEL_PDF,
	LABEL_PNG,
	LABEL_ZPL,
};
enum label_ec {
	LABEL_EC_AUTO,		/* H where modules are >= 0.5 mm, else Q */
	LABEL_EC_Q,
	LABEL_EC_H,
};
struct label_text {
	double		 x, y, w;	/* mm: left, top, width */
	double		 size;		/* points */
	int		 bold;
	char		*text;		/* with {field} and {field?} */
};
struct label_tpl {
	char		*name;
	char		*title;
	char		*media;		/* CUPS media for PDF jobs, or NULL */
	char		 letters[16];	/* tag letters it prints */
	char		 defaults[16];	/* letters it prints unless told */
	double		 w, h;		/* the label, mm */
	double		 qr_x, qr_y, qr_size;
	enum label_ec	 ec;
	double		 page_w, page_h;	/* sheets only */
	int		 cols, rows;
	double		 pitch_x, pitch_y, origin_x, origin_y;
	int		 origin_set;
	struct label_text texts[LABEL_TEXTS_MAX];
	int		 ntexts;
};
struct label_tpl *label_tpl_parse(const char *, const char *, char **);
void	 label_tpl_free(struct label_tpl *);
json_t	*label_tpl_json(const struct label_tpl *);
int	 label_tpl_takes(const struct label_tpl *, char);
int	 label_tpl_per_page(const struct label_tpl *);
int	 label_fonts(const void *, size_t, const void *, size_t, char **);
void	 label_fonts_free(void);
int	 label_render(const struct label_tpl **, json_t *, enum label_format,
	    int, char **, size_t *, char **);
unsigned long label_decodes(void);

/* label-print.c: templates and fonts from files, printing through CUPS */
struct label_set {
	struct label_tpl	**tpls;
	size_t			 n;
	json_t			*errors;	/* templates that do not parse */
};
/* What to print: a record (tag and fields) and a template per label. */
struct label_batch {
	json_t			*recs;
	const struct label_tpl	**tpls;
	json_t			*names;		/* templates used */
};
void	 label_configure(const struct config *);
void	 label_print_start(struct event_base *);
void	 label_print_stop(void);
int	 label_print_fonts(char **);
struct label_set *label_set_load(char **);
void	 label_set_free(struct label_set *);
const struct label_tpl *label_set_find(const struct label_set *,
	    const char *);
const struct label_tpl *label_set_default(const struct label_set *, char);
int	 label_print_prepare(const struct label_set *, json_t *, const char *,
	    json_t *, struct label_batch *, int *, const char **, char **);
void	 label_batch_free(struct label_batch *);
int	 label_print_queue(const char *, char **);
/*
 * A print off the loop: made on the loop from a printer and a prepared
 * batch (both taken), run by a worker (render, decode back, send to CUPS),
 * recorded on the loop in a transaction of its own.
 */
struct label_job;
struct label_job *label_job_new(const struct actor *, json_t *,
	    struct label_set *, struct label_batch *);
void	 label_job_run(void *);
int	 label_job_record(struct label_job *, json_t **, int *, char **);
void	 label_job_free(struct label_job *);
/*
 * For receiving: call label_print_on_receive(actor, location, tag, &job)
 * in the receiving transaction once tag is in stock at location. If the
 * location prints on receive (PUT /v1/locations/L/print-on-receive), a
 * print job is recorded "queued" (or "failed" with its "reason" if the
 * label cannot be made: that never stops a receiving) and *job is it;
 * else *job is NULL. A queued job is sent by the worker pool after the
 * COMMIT (never if rolled back), its outcome recorded then. Only a
 * database error returns other than STORE_OK. *job is the caller's.
 */
enum store_status label_print_on_receive(const struct actor *, const char *,
	    const char *, json_t **);

/* store-label.c */
enum store_status store_label_record(const char *, json_t **);
enum store_status store_label_reserve(const struct actor *, char, long long,
	    json_t **);
/*
 * For receiving: bind a pre-printed tag (tag_reservation) once, with what
 * it was bound to (e.g. the serial): STORE_NOTFOUND if it was never
 * reserved, STORE_CONFLICT if already bound. The item then takes that tag,
 * and its row id is the tag's sequence number (tag_seq).
 */
enum store_status store_label_bind(const struct actor *, const char *,
	    const char *);
enum store_status store_label_reservation(const char *, json_t **);
enum store_status store_label_printed(const char *, int *);
enum store_status store_printer_add(const struct actor *, json_t *);
enum store_status store_printer_get(const char *, json_t **);
enum store_status store_printer_list(json_t **);
enum store_status store_printer_delete(const struct actor *, const char *);
enum store_status store_printer_receive_set(const struct actor *,
	    const char *, const char *, const char *);
enum store_status store_printer_receive_get(const char *, json_t **);
enum store_status store_print_job_add(const struct actor *, json_t *);
enum store_status store_print_job_done(const struct actor *, int64_t,
	    const char *, const char *);
enum store_status store_print_job_get(int64_t, json_t **);
enum store_status store_print_jobs_waiting(json_t **);
enum store_status store_print_jobs_queued(int, json_t **);
enum store_status store_print_job_sent(const struct actor *, int64_t,
	    json_t *);

/* api-label.c */
void	 api_label_render(struct req *);
void	 api_label_templates(struct req *);
void	 api_label_blank(struct req *);
void	 api_printer_list(struct req *);
void	 api_printer_add(struct req *);
void	 api_printer_delete(struct req *);
void	 api_printer_receive(struct req *);
void	 api_print(struct req *);
void	 api_print_job(struct req *);

/* api-lot-import.c: delivery manifests, receiving, reconciliation */
void	 api_lot_import(struct req *);
void	 api_lot_receive(struct req *);
void	 api_lot_reconcile(struct req *);

/* store-manifest.c */
enum store_status store_lot_find(const char *, int64_t *, char *);
enum store_status store_lot_by_ref(const char *, const char *, char *);
enum store_status store_manifest_next_import(int64_t, int *);
enum store_status store_manifest_in_lot(int64_t, const char *, size_t *);
enum store_status store_manifest_add(int64_t, int, const struct csv_unit *,
	    const char *, const char *, const char *);
enum store_status store_manifest_find(int64_t, const char *, json_t **);
enum store_status store_manifest_elsewhere(int64_t, const char *, char *);
enum store_status store_manifest_received(int64_t, const char *);
enum store_status store_sim_iccid_holder(const char *, char *);
enum store_status store_manifest_reconcile(int64_t, json_t **, json_t **);

/* store-beneficiary.c: beneficiaries, identity, the steps of their path */
struct beneficiary_facts {
	int64_t		 id;
	char		 tag[TAG_LEN + 1];
	char		 prescriber[TAG_LEN + 1];
	char		 category[32];
	char		 referred_on[11];
	char		 consent_on[11];
	char		 diagnosed_on[11];	/* "" without a diagnostic */
	char		 oriented_on[11];	/* first orientation, or "" */
	char		 first_step_on[11];	/* first step after diagnostic */
	char		 handed_over_on[11];	/* first hand-over in force */
	char		 erased_at[32];		/* identity erased, or "" */
	int		 identity;		/* an identity is recorded */
	int		 followups;		/* recorded: 1 (3 months), 2 (6) */
};
enum store_status store_beneficiary_setting(const char *, char **);
enum store_status store_beneficiary_territory(const char *, char **);
enum store_status store_beneficiary_commune_territory(const char *, char *,
	    size_t);
enum store_status store_beneficiary_facts(const char *,
	    struct beneficiary_facts *);
enum store_status store_beneficiary_add(const struct actor *, json_t *,
	    char *);
enum store_status store_beneficiary_edit(const struct actor *, const char *,
	    json_t *, json_t **);
enum store_status store_beneficiary_identity_set(const struct actor *,
	    const struct beneficiary_facts *, json_t *);
enum store_status store_beneficiary_identity_show(const struct actor *,
	    const char *, json_t **);
enum store_status store_beneficiary_erase(const struct actor *,
	    const struct beneficiary_facts *, const char *, const char *);
enum store_status store_beneficiary_export(const struct actor *,
	    const char *, json_t **);
enum store_status store_beneficiary_purge(const struct actor *, long long,
	    const char *, int, json_t **);
enum store_status store_beneficiary_rows(const char *, json_t *, int64_t,
	    long long, json_t **);
enum store_status store_beneficiary_row(const char *, int64_t, json_t **);
enum store_status store_beneficiary_update(const struct actor *,
	    const char *, const char *, int64_t, const char *, const char *,
	    const struct field *, json_t *, json_t *, json_t *, json_t **);
enum store_status store_beneficiary_months(const char *, int, char *,
	    size_t);
enum store_status store_beneficiary_diagnostic_add(const struct actor *,
	    const struct beneficiary_facts *, json_t *);
enum store_status store_beneficiary_orientation_add(const struct actor *,
	    const struct beneficiary_facts *, json_t *, int64_t *);
enum store_status store_beneficiary_certification_add(const struct actor *,
	    const struct beneficiary_facts *, json_t *, int64_t *);
enum store_status store_beneficiary_followup_add(const struct actor *,
	    const struct beneficiary_facts *, json_t *, int64_t *);
enum store_status store_beneficiary_schedule(json_t *, const char *,
	    const char *, long long, json_t **);

/* api-beneficiary.c: the record, identity, and helpers for the steps */
void	 api_beneficiary_today(char *, size_t);
void	 api_beneficiary_step_date(struct req *, char *, size_t);
int	 api_beneficiary_past(struct req *, const char *, const char *);
int	 api_beneficiary_order(struct req *, const char *, const char *,
	    const char *, const char *, const char *, const char *);
int	 api_beneficiary_note(struct req *, const char *);
int	 api_beneficiary_territory(struct req *, const char *);
int	 api_beneficiary_territory_code(struct req *, const char *,
	    const char *);
int	 api_beneficiary_commune(struct req *, const char *, const char *);
int	 api_beneficiary_load(struct req *, const char *, const char *,
	    struct beneficiary_facts *);
int	 api_beneficiary_visible(struct req *, const char *);
int	 api_beneficiary_scope_list(struct req *, json_t *);
int	 api_beneficiary_id(struct req *, const char *, int64_t *);
void	 api_beneficiary_rows(struct req *, const char *,
	    const struct field *);
void	 api_beneficiary_row(struct req *, const char *, const char *);
long long api_beneficiary_retention(void);
void	 api_beneficiary_add(struct req *);
void	 api_beneficiary_list(struct req *);
void	 api_beneficiary_show(struct req *);
void	 api_beneficiary_edit(struct req *);
void	 api_beneficiary_identity(struct req *);
void	 api_beneficiary_identity_set(struct req *);
void	 api_beneficiary_erase(struct req *);
void	 api_beneficiary_export(struct req *);
void	 api_beneficiary_purge(struct req *);

/* api-diagnostic.c */
void	 api_diagnostic_add(struct req *);
void	 api_diagnostic_show(struct req *);
void	 api_diagnostic_list(struct req *);
void	 api_diagnostic_edit(struct req *);

/* lieux.c: the standard « Lieux de médiation numérique » (no I/O) */
#define LIEUX_SCHEMA_VERSION	"1.0.2"
struct lieux_row {
	size_t		 line;
	int		 bad;
	json_t		*place;		/* checked values, by store key */
};
struct lieux_file {
	struct csv_table *table;
	size_t		 nrows;
	struct lieux_row *rows;
	json_t		*errors;	/* [{line, column, value, message}] */
	json_t		*warnings;
};
int	 lieux_read(const void *, size_t, struct lieux_file **, char **);
void	 lieux_free(struct lieux_file *);
int	 lieux_phone(const char *, char **, char **);
void	 lieux_problem(json_t *, size_t, const char *, const char *,
	    const char *, ...) __attribute__((__format__(printf, 5, 6)));
const char *lieux_kind(const char *);
const char *lieux_service(const char *);

/* store-offers.c: places, their offers, suggestions, drop-outs */
enum store_status store_offers_communes(const char *, const char *,
	    json_t **);
enum store_status store_offers_place_find(const char *, int64_t *, char *,
	    size_t);
enum store_status store_offers_place_put(const struct actor *, int64_t *,
	    json_t *);
enum store_status store_offers_hand_place(const struct actor *, json_t *,
	    int64_t *);
enum store_status store_offers_offer_add(const struct actor *, json_t *,
	    char *);
enum store_status store_offers_sync(const struct actor *, int64_t, json_t *,
	    size_t *, size_t *);
enum store_status store_offers_imported(const struct actor *, json_t *);
enum store_status store_offers_suggest(json_t *, json_t **);
enum store_status store_offers_dropouts(const char *, long long,
	    const char *, json_t **);
/*
 * For the indicators: orientations (made between from and to, in a
 * territory; each may be NULL) counted as {"oriented", "attended",
 * "not_attended", "unknown"}.
 */
enum store_status store_offers_attendance(const char *, const char *,
	    const char *, json_t **);

/* api-offers.c: import of the standard, places, suggestions, drop-outs */
void	 api_offers_import(struct req *);
void	 api_offers_suggest(struct req *);
void	 api_offers_dropout_list(struct req *);
void	 api_place_list(struct req *);
void	 api_place_show(struct req *);
long long api_offers_dropout_days(void);
enum store_status api_offers_dropouts(json_t *, const char *, json_t **);
/* The "orientation_dropout" alerts (alerts.c's alert_table). */
struct alert_ctx;
enum store_status api_offers_alerts(const struct alert_ctx *, json_t *);

/* api-training.c: offers, orientations, certifications */
void	 api_offer_add(struct req *);
void	 api_orientation_add(struct req *);
void	 api_orientation_list(struct req *);
void	 api_orientation_show(struct req *);
void	 api_orientation_edit(struct req *);
void	 api_certification_add(struct req *);
void	 api_certification_list(struct req *);
void	 api_certification_show(struct req *);

/* api-followup.c */
void	 api_followup_add(struct req *);
void	 api_followup_list(struct req *);
void	 api_followup_show(struct req *);

/* retention.c: identities erased after the retention period */
void	 retention_run(void);
void	 retention_start(struct event_base *);
void	 retention_stop(void);

/* store-kit.c: kits, their plan, units and accessories */
enum store_status store_kit_needs(const char *, json_t **);
enum store_status store_kit_of(const char *, char *, char *, size_t);
enum store_status store_kit_add(const char *, const char *, int64_t,
	    const char *, const char *, char *);
enum store_status store_kit_plan_add(const char *, const char *,
	    const char *, long long);
enum store_status store_kit_get(const char *, json_t **);
enum store_status store_kit_state(const struct actor *, const char *,
	    const char *, const char *, const char *, json_t *);
enum store_status store_kit_contribution(const char *, int64_t);
enum store_status store_kit_plan(const char *, json_t **);
enum store_status store_kit_units(const char *, json_t **);
enum store_status store_kit_accessories(const char *, json_t **);
enum store_status store_kit_holder(const char *, char *, char *);
enum store_status store_kit_unit_add(const char *, const char *,
	    const char *);
enum store_status store_kit_unit_remove(const char *, const char *,
	    const char *);
enum store_status store_kit_accessory_set(const char *, const char *,
	    const char *, long long);
enum store_status store_location_kind(const char *, char *, size_t);
enum store_status store_programme_value(const char *, char **);

/* store-distribution.c: events, checkouts, paid periods of SIM cards */
enum store_status store_convocation_add(const char *, const char *,
	    const char *);
enum store_status store_convocation_get(const char *, const char *, char *,
	    size_t);
enum store_status store_convocation_outcome(const char *, const char *,
	    const char *);
enum store_status store_convocations(const char *, json_t **);
enum store_status store_distribution_identity(const char *, json_t **);
enum store_status store_handover_add(const struct actor *, const char *,
	    const char *, const char *, const char *, int64_t, const char *,
	    const char *, int64_t *);
enum store_status store_handover_cancel(int64_t, const char *, const char *);
enum store_status store_device_user_data(const char *, const char *);
enum store_status store_sim_activate(const struct actor *, const char *,
	    int64_t, const char *, long long, int64_t, char *, size_t);
enum store_status store_sim_deactivate(int64_t, const char *);
enum store_status store_handover_topups(int64_t, json_t **);
enum store_status store_distribution_payments(const char *, json_t **);
enum store_status store_distribution_close(const char *, const char *,
	    int64_t, int64_t, const char *);
enum store_status store_sim_connection(const char *, json_t **);
enum store_status store_sim_of(const char *, char *);
enum store_status store_topup_add(const struct actor *, const char *,
	    int64_t, const char *, int64_t, const char *, int64_t *);
enum store_status store_topup_get(int64_t, json_t **);
enum store_status store_topups(const char *, const char *, long long,
	    long long, json_t **);
enum store_status store_connections(long long, const char *, const char *,
	    long long, long long, json_t **);
enum store_status store_topups_due(long long, const char *, const char *,
	    const char *, long long, long long, json_t **);

/* store-repair.c */
enum store_status store_repair_open_of(const char *, char *, size_t);
enum store_status store_repair_add(const char *, const char *, const char *,
	    const char *, const char *, const char *, int64_t *);
enum store_status store_repair_get(int64_t, json_t **);
enum store_status store_repairs(const char *, const char *, const char *,
	    const char *, long long, long long, json_t **);
enum store_status store_repair_close(int64_t, const char *, const char *,
	    const char *, const char *);
enum store_status store_device_holds_data(const char *, char *, size_t);

/* api-kit.c */
extern const char *const kit_device_kinds[];
enum store_status api_kit_flow(const struct actor *, const struct resource *,
	    const char *, const char *, const char *, const char *, json_t *);
int	 api_kit_cap(struct req *, const char *, int64_t);
int	 api_kit_unit(struct req *, const char *, const char *, struct item *);
void	 api_kit_add(struct req *);
void	 api_kit_pick(struct req *);
void	 api_kit_unpick(struct req *);
void	 api_kit_ready(struct req *);
void	 api_kit_cancel(struct req *);
void	 api_kit_return(struct req *);

/* api-distribution.c */
void	 api_distribution_show(struct req *);
void	 api_distribution_convoke(struct req *);
void	 api_distribution_checkout(struct req *);
void	 api_distribution_uncheckout(struct req *);
void	 api_distribution_close(struct req *);
void	 api_distribution_receipt(struct req *);

/* api-topup.c */
void	 api_topup_add(struct req *);
void	 api_topup_list(struct req *);
void	 api_topup_connections(struct req *);
void	 api_topup_due(struct req *);
void	 api_topup_cover(json_t *);

/* api-repair.c */
void	 api_repair_add(struct req *);
void	 api_repair_close(struct req *);
void	 api_repair_show(struct req *);
void	 api_repair_list(struct req *);
void	 api_repair_erasure(struct req *);

/* receipt.c: hand-over and contribution receipts as PDF (no I/O) */
enum receipt_kind {
	RECEIPT_HANDOVER,
	RECEIPT_CONTRIBUTION,
};
int	 receipt_render(json_t *, enum receipt_kind, char **, size_t *,
	    char **);
void	 receipt_free(void);

/* store-scanner.c: scanner bindings */
enum store_status store_scanner_add(const struct actor *, json_t *);
enum store_status store_scanner_get(const char *, json_t **);
enum store_status store_scanner_list(json_t **);
enum store_status store_scanner_delete(const struct actor *, const char *);
enum store_status store_scanner_match(int, int, const char *, const char *,
	    json_t **);
enum store_status store_scanner_calibrated(const struct actor *,
	    const char *, const char *);
enum store_status store_scanner_seen(const char *);
enum store_status store_scanner_station(const char *);

/* usb.c: USB scanners on the loop */
void	 usb_start(struct event_base *, const struct config *);
void	 usb_stop(void);
void	 usb_refresh(void);
const char *usb_state(void);
json_t	*usb_devices(void);

/* api-scanner.c: bindings, the calibration label */
void	 api_scanner_list(struct req *);
void	 api_scanner_bind(struct req *);
void	 api_scanner_unbind(struct req *);
void	 api_label_calibration(struct req *);

/* store-report.c: rows of indicators, exports and alerts */
const char *store_report_sql(const char *);
const char *store_report_list_sql(const char *);
enum store_status store_report_territories(json_t **);
enum store_status store_report_people(struct store_reader *, const char *,
	    struct sqlite3_stmt **);
enum store_status store_report_connections(struct store_reader *,
	    long long, struct sqlite3_stmt **);
enum store_status store_report_list(const char *, const char *,
	    const char *, const char *, json_t **);
enum store_status store_report_list_open(struct store_reader *,
	    const char *, const char *, const char *, const char *,
	    struct sqlite3_stmt **);

/* store-tally.c: report tallies kept as the data changes */
#define TALLY_RANGES	5
struct tally_range {
	int		 grain;		/* 0, 4 (year), 7 (month), 10 (day) */
	char		 lo[11], hi[11];
};
struct tally_row {
	const char	*territory, *dim, *key, *measure;
	long long	 n;
	const char	*name;		/* a commune's */
	const char	*kind;		/* a prescriber's */
};
extern const char store_tally_schema[];
enum store_status store_tally_open(void);
enum store_status store_tally_settle(void);
enum store_status store_tally_rebuild(void);
int	 store_tally_pending(void);
enum store_status store_tally_catch_up(void);
int	 store_tally_cut(const char *, const char *, struct tally_range *);
enum store_status store_tally_total(const char *, const char *,
	    const char *, const char *, long long *);
enum store_status store_tally_sum(const char *, const char *, const char *,
	    const char *, void (*)(const struct tally_row *, void *), void *);
enum store_status store_tally_not_yet(const char *, const char *,
	    const char *, int, json_t **);
enum store_status store_tally_check(json_t **, json_t **);
const char *store_tally_sql(const char *);

/* api-report.c: indicators */
void	 report_configure(const struct config *);
int	 report_min_cell(void);
const char *report_key_file(void);
int	 report_tls(void);
const char *report_indicator_name(int);
json_t	*report_object(json_t *, const char *);
void	 report_add(json_t *, const char *, json_int_t);
long long report_months(void);
enum store_status report_indicators_build(const char *, const char *,
	    const char *, int *, int, json_t **);
int	 report_period(struct req *, const char **, const char **,
	    const char **);
void	 api_indicators(struct req *);

/* api-export.c: CSV exports */
void	 report_day(long, char *, size_t);
int	 report_days_query(struct req *, long long, long long *);
void	 api_export_evaluation(struct req *);
void	 api_export_prescriber(struct req *);
void	 api_export_indicators(struct req *);
void	 api_export_list(struct req *);

/*
 * alerts.c: one table of {kind, function}; a function appends its alerts
 * to out with alert_push. today, ahead (today + days) and back (today -
 * days) are "YYYY-MM-DD". To add a kind, add its entry to alert_table.
 */
struct alert_ctx {
	long long	 days;
	char		 today[16];
	char		 ahead[16];
	char		 back[16];
	char		 yesterday[16];
};
struct alert_kind {
	const char		*kind;
	enum store_status	(*fn)(const struct alert_ctx *, json_t *);
};
extern const struct alert_kind alert_table[];
void	 alert_push(json_t *, const char *, const char *, const char *,
	    const char *, const char *, ...)
	    __attribute__((__format__(printf, 6, 7)));
void	 api_alerts(struct req *);

/* dashboard.c, dashboard-builtin.c (generated) */
#define AUTH_COOKIE	"kitstock_session"
extern const struct profile_file dashboard_builtin[];
void	 api_dashboard(struct req *);
void	 api_session(struct req *);

/* resources, one file each */
extern const struct resource res_supplier;
extern const struct resource res_location;
extern const struct resource res_lot;
extern const struct resource res_device;
extern const struct resource res_sim;
extern const struct resource res_accessory;
extern const struct resource res_prescriber;
extern const struct resource res_beneficiary;
extern const struct resource res_offer;
extern const struct resource res_kit;
extern const struct resource res_distribution;
const struct resource *resource_by_letter(char);

#endif
