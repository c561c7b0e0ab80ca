/*
 * Listeners and dispatch: the UNIX socket (and optionally a loopback TCP
 * port, or sockets handed over by systemd), the peer's identity, and the
 * generic checks every request passes before its handler runs: route,
 * media type, JSON body. Writes run in one transaction, and their answer is
 * sent only once it is committed.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <systemd/sd-daemon.h>

#include "kitstockd.h"

static struct evhttp *http;
static struct evhttp *http_tcp;	/* its own: TLS applies to it alone */
static long long http_writes;	/* write requests acknowledged */
static long long http_commits;	/* transactions committed for them */
static char *http_socket_path;
static size_t http_max_body;	/* for the 413's sentence */

/* The fuzz target's: every answer given; its writes rolled back. */
static void (*http_sink)(const struct req *);
static int http_sink_rollback;

/*
 * Group commit. Write requests handled in the same turn of the loop share
 * one transaction, each in its own savepoint, and every answer waits for
 * its COMMIT: acknowledged still means durable, but N clients cost one
 * fsync instead of N. The group is committed by a lowest-priority event,
 * so when no other request is ready to be read, or at once when it is full
 * or old, or when anyone else needs the database (store_begin, a read).
 */
#define GROUP_MAX	128		/* requests in one transaction */
#define GROUP_MAX_USEC	10000		/* age of the oldest */
static TAILQ_HEAD(, req) http_group = TAILQ_HEAD_INITIALIZER(http_group);
static struct event *http_group_ev;
static int http_group_open;		/* a transaction waits for COMMIT */
static int http_group_size;
static int http_in_handler;		/* never commit under a handler */
static struct timeval http_group_since;

/*
 * After-commit hooks (http_after_commit): work that must follow the COMMIT
 * making a write true, such as sending the labels a receiving queued. Run
 * once that COMMIT succeeded; dropped if the request's savepoint or the
 * transaction is rolled back.
 */
#define HOOKS_MAX	8
static struct { void (*fn)(void *); void *arg; } http_hooks[HOOKS_MAX];
static int http_nhooks;

static void http_request_cb(struct evhttp_request *, void *);
static int http_park(struct evhttp_request *);
static void http_parked_closed(struct evhttp_connection *, void *);
static const char *http_method(enum evhttp_cmd_type);
static const char *http_station(struct evhttp_request *);
static void http_group_cb(evutil_socket_t, short, void *);
static void http_write(struct req *);
static int http_listen_unix(const struct config *, char **);
static void http_send(struct req *);
static int http_media_is(const char *, const char *);
static int http_edge(struct req *, const char *, const char *);

/* Is a daemon answering on this socket? */
int
http_socket_alive(const char *path)
{
	struct sockaddr_un sun;
	int fd, alive;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (0);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (0);
	alive = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return (alive);
}

/* Bind the UNIX socket: refuse if another daemon answers, clear a stale one. */
static int
http_listen_unix(const struct config *c, char **cause)
{
	struct sockaddr_un sun;
	struct stat sb;
	struct group *gr;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(c->socket) >= sizeof sun.sun_path) {
		xasprintf(cause, "socket path too long: %s", c->socket);
		return (-1);
	}
	strcpy(sun.sun_path, c->socket);
	if (lstat(c->socket, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s exists and is not a socket",
			    c->socket);
			return (-1);
		}
		if (http_socket_alive(c->socket)) {
			xasprintf(cause, "another kitstockd answers on %s",
			    c->socket);
			return (-1);
		}
		log_info("removing stale socket %s", c->socket);
		unlink(c->socket);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(0777 & ~c->socket_mode);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", c->socket, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (chmod(c->socket, c->socket_mode) == -1)
		log_warn("chmod %s", c->socket);
	if (c->socket_group != NULL) {
		if ((gr = getgrnam(c->socket_group)) == NULL)
			log_warnx("socket-group %s: no such group",
			    c->socket_group);
		else if (chown(c->socket, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("chown %s", c->socket);
	}
	if (listen(fd, 128) == -1 ||
	    evhttp_accept_socket(http, fd) != 0) {
		xasprintf(cause, "listen %s: %s", c->socket, strerror(errno));
		close(fd);
		return (-1);
	}
	http_socket_path = xstrdup(c->socket);
	return (0);
}

/* A server with our limits and dispatch. */
static struct evhttp *
http_server(struct event_base *base, const struct config *c)
{
	struct evhttp *h;

	if ((h = evhttp_new(base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_max_body_size(h, c->max_body);
	evhttp_set_max_headers_size(h, MAX_HEADERS);
	evhttp_set_timeout(h, c->request_timeout);
	conn_attach(base, h, 0);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_HEAD);
	evhttp_set_default_content_type(h, "application/json; charset=utf-8");
	evhttp_set_gencb(h, http_request_cb, NULL);
	return (h);
}

int
http_start(struct event_base *base, const struct config *c, char **cause)
{
	char *host, *colon;
	int n, i, port;

	conn_configure(c);
	http = http_server(base, c);
	http_init(base);
	http_max_body = c->max_body;

	/* Sockets handed over by systemd come first. */
	if ((n = sd_listen_fds(1)) > 0) {
		for (i = 0; i < n; i++) {
			evutil_make_socket_nonblocking(SD_LISTEN_FDS_START + i);
			if (evhttp_accept_socket(http, SD_LISTEN_FDS_START + i)
			    != 0) {
				xasprintf(cause, "systemd socket %d refused",
				    i);
				return (-1);
			}
		}
		log_info("serving %d socket(s) from systemd", n);
	} else if (http_listen_unix(c, cause) != 0)
		return (-1);

	if (c->listen != NULL) {
		host = xstrdup(c->listen);
		colon = strrchr(host, ':');
		*colon = '\0';
		port = atoi(colon + 1);
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		http_tcp = http_server(base, c);
		if (c->tls_cert != NULL && tls_start(http_tcp, c, cause) != 0) {
			free(host);
			return (-1);
		}
		conn_attach(base, http_tcp, c->tls_cert != NULL);
		if (evhttp_bind_socket(http_tcp, host, port) != 0) {
			xasprintf(cause, "cannot listen on %s", c->listen);
			free(host);
			return (-1);
		}
		free(host);
		log_info("listening on %s%s", c->listen, c->tls_cert != NULL ?
		    " (TLS)" : "");
	}
	api_health_start();
	return (0);
}

/* The dispatcher without listeners: the group commit's event. */
void
http_init(struct event_base *base)
{
	if ((http_group_ev = event_new(base, -1, 0, http_group_cb, NULL)) ==
	    NULL || event_priority_set(http_group_ev, HTTP_PRIORITIES - 1) != 0)
		fatalx("group commit event");
	store_set_flush(http_flush);
}

/*
 * The fuzz target's: sink sees every answer before it is sent; with
 * rollback, writes are then rolled back instead of committed.
 */
void
http_set_sink(void (*sink)(const struct req *), int rollback)
{
	http_sink = sink;
	http_sink_rollback = rollback;
}

/* Stop accepting and close every connection. */
void
http_stop(void)
{
	http_flush();
	store_set_flush(NULL);
	if (http_group_ev != NULL) {
		event_free(http_group_ev);
		http_group_ev = NULL;
	}
	if (http != NULL) {
		evhttp_free(http);
		http = NULL;
	}
	if (http_tcp != NULL) {
		evhttp_free(http_tcp);
		http_tcp = NULL;
	}
	conn_stop();
	tls_stop();
	if (http_socket_path != NULL) {
		unlink(http_socket_path);
		free(http_socket_path);
		http_socket_path = NULL;
	}
}

/* Write requests acknowledged and the commits that made them durable. */
void
http_stats(long long *writes, long long *commits)
{
	*writes = http_writes;
	*commits = http_commits;
}

/* Apply reloaded limits (to new connections). */
void
http_reconfigure(const struct config *c)
{
	conn_configure(c);
	http_max_body = c->max_body;
	if (http != NULL) {
		evhttp_set_max_body_size(http, c->max_body);
		evhttp_set_timeout(http, c->request_timeout);
	}
	if (http_tcp != NULL) {
		evhttp_set_max_body_size(http_tcp, c->max_body);
		evhttp_set_timeout(http_tcp, c->request_timeout);
	}
}

/* Send the kept reply and free the request. */
static void
http_send(struct req *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	struct evhttp_connection *evcon;

	evhttp_add_header(h, "Content-Type", req->content_type != NULL ?
	    req->content_type : "application/json; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	/*
	 * libevent arms the reply's timeouts from the time it cached before
	 * this request ran: after a handler longer than request-timeout they
	 * would expire at once and drop the answer (a large import under
	 * load). Time is now.
	 */
	if ((evcon = evhttp_request_get_connection(req->ev)) != NULL)
		event_base_update_cache_time(evhttp_connection_get_base(evcon));
	if (http_sink != NULL)
		http_sink(req);
	evhttp_send_reply(req->ev, req->status, NULL, req->out);
	req_free(req);
}

/*
 * libevent answers by itself the requests it cannot read (a malformed
 * request line or header, headers over their limit, a body over max-body,
 * a method it does not know) with evhttp_send_error() and an HTML page.
 * Its calls to that function go through the dynamic linker (a PLT
 * relocation in libevent-2.1.so), so this definition replaces it: the same
 * refusals, in the API's JSON shape, and the connection closed after.
 * (libevent 2.2's evhttp_set_newreqcb would let a header callback do it.)
 */
void
evhttp_send_error(struct evhttp_request *ev, int error, const char *reason)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	struct req req;

	memset(&req, 0, sizeof req);
	if ((req.out = evbuffer_new()) == NULL) {
		evhttp_connection_free(evhttp_request_get_connection(ev));
		return;
	}
	switch (error) {
	case 413:
		reply_error(&req, error, "body_too_large", "body",
		    _("the body is larger than kitstockd takes (max-body in "
		    "kitstockd.conf): at most %zu bytes"), http_max_body);
		break;
	case 501:
	case 405:
		reply_error(&req, error, "method_not_allowed", NULL,
		    _("this method is not supported: kitstockd answers GET, "
		    "HEAD, POST, PUT, PATCH and DELETE"));
		break;
	case 417:
		reply_error(&req, error, "invalid_request", "Expect",
		    _("the Expect header is not understood: send "
		    "\"100-continue\" or none"));
		break;
	default:
		reply_error(&req, error, "invalid_request", NULL,
		    _("the request cannot be read: its first line or a header "
		    "is malformed, or the headers are over %d bytes"),
		    MAX_HEADERS);
		break;
	}
	log_info("refused a request libevent could not read: %d", error);
	/* As evhttp_send_page_: a reply even to a request line not read. */
	if (ev->major == 0) {
		ev->major = 1;
		ev->minor = 1;
	}
	evhttp_clear_headers(h);
	evhttp_add_header(h, "Content-Type", req.content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Connection", "close");
	evhttp_send_reply(ev, error, reason, req.out);
	evbuffer_free(req.out);
	free(req.content_type);
}

/* Send a reply made later, off the dispatch (worker.c); req is freed. */
void
http_answer(struct req *req)
{
	http_send(req);
}

/* A station name from the client: short, plain, or "api". */
static const char *
http_station(struct evhttp_request *ev)
{
	const char *s, *p;

	s = evhttp_find_header(evhttp_request_get_input_headers(ev),
	    "X-Kitstock-Station");
	if (s == NULL || *s == '\0' || strlen(s) > 32)
		return ("api");
	for (p = s; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
		    *p != '-' && *p != '_')
			return ("api");
	return (s);
}

static const char *
http_method(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return ("GET");
	case EVHTTP_REQ_POST:
		return ("POST");
	case EVHTTP_REQ_PUT:
		return ("PUT");
	case EVHTTP_REQ_PATCH:
		return ("PATCH");
	case EVHTTP_REQ_DELETE:
		return ("DELETE");
	case EVHTTP_REQ_HEAD:
		return ("GET");
	default:
		return ("?");
	}
}

/* Is a Content-Type this media type (parameters such as charset aside)? */
static int
http_media_is(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	if (ctype == NULL)
		return (0);
	ctype += strspn(ctype, " \t");
	return (strncasecmp(ctype, type, n) == 0 && (ctype[n] == '\0' ||
	    ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t'));
}

/*
 * While an import writes in slices (worker.c), it holds the database:
 * every request but GET /v1/health (it reads no row) waits here, and is
 * dispatched when the import has committed or rolled back, in the order
 * they came. They are bounded by the connections (max-connections): a
 * connection has one request at a time. One whose client goes away is
 * forgotten.
 */
struct http_parked {
	TAILQ_ENTRY(http_parked) entry;
	struct evhttp_request	*ev;
};
static TAILQ_HEAD(, http_parked) http_parked =
    TAILQ_HEAD_INITIALIZER(http_parked);

/* Park this request? 1 if it waits. */
static int
http_park(struct evhttp_request *ev)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	struct evhttp_connection *evcon;
	struct http_parked *p;
	const char *path;

	if (!store_exclusive())
		return (0);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path != NULL && strcmp(path, "/v1/health") == 0 &&
	    strcmp(http_method(evhttp_request_get_command(ev)), "GET") == 0)
		return (0);
	if ((evcon = evhttp_request_get_connection(ev)) == NULL)
		return (0);
	(void)conn_serving(ev);		/* a request: not cut as idle */
	p = xcalloc(1, sizeof *p);
	p->ev = ev;
	TAILQ_INSERT_TAIL(&http_parked, p, entry);
	evhttp_connection_set_closecb(evcon, http_parked_closed, p);
	return (1);
}

/* A parked request's client went away. */
static void
http_parked_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_parked *p = arg;

	TAILQ_REMOVE(&http_parked, p, entry);
	if (evhttp_request_get_connection(p->ev) == NULL)
		evhttp_request_free(p->ev);
	free(p);
}

/* The import has ended: dispatch the requests that waited, in order. */
void
http_unpark(void)
{
	struct http_parked *p;
	int n = 0;

	TAILQ_FOREACH(p, &http_parked, entry)
		n++;
	/* Those parked again (another import began) go to the tail. */
	while (n-- > 0 && (p = TAILQ_FIRST(&http_parked)) != NULL) {
		TAILQ_REMOVE(&http_parked, p, entry);
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    p->ev), NULL, NULL);
		http_request_cb(p->ev, NULL);
		free(p);
	}
}

/* A request from a connection, to the dispatcher. */
static void
http_request_cb(struct evhttp_request *ev, void *arg)
{
	if (http_park(ev))
		return;
	http_dispatch(ev, conn_serving(ev), http_method(
	    evhttp_request_get_command(ev)), evhttp_request_get_evhttp_uri(ev));
}

/*
 * Bytes of a request as an answer may show them: escaped, the first 64
 * (allocated).
 */
static char *
http_shown(const char *s, size_t len)
{
	char *e, *out;

	e = utf8_escape(s, len > 64 ? 64 : len, 1);
	xasprintf(&out, "\"%s\"%s", e, len > 64 ? "..." : "");
	free(e);
	return (out);
}

/* Is one query parameter (key=value, len bytes, still encoded) UTF-8? */
static int
http_query_ok(struct req *req, const char *kv, size_t len)
{
	char *raw, *key, *val, *shown;
	size_t klen, vlen;
	const char *eq;
	int ok;

	raw = xstrndup(kv, len);
	eq = strchr(raw, '=');
	if (eq != NULL)
		raw[eq - raw] = '\0';
	key = evhttp_uridecode(raw, 1, &klen);
	val = evhttp_uridecode(eq != NULL ? raw + (eq - raw) + 1 : "", 1,
	    &vlen);
	if (key == NULL || val == NULL)
		fatalx("evhttp_uridecode: out of memory");
	ok = 0;
	if (utf8_invalid(key, klen) != klen) {
		shown = http_shown(key, klen);
		reply_error(req, 400, "invalid_encoding", "query",
		    _("a query parameter's name is not UTF-8 text: %s (send "
		    "text as UTF-8, percent-encoded)"), shown);
		free(shown);
	} else if (utf8_invalid(val, vlen) != vlen) {
		shown = http_shown(val, vlen);
		reply_error(req, 400, "invalid_encoding", key,
		    _("query parameter %s is not UTF-8 text: %s (send text as "
		    "UTF-8, percent-encoded)"), key, shown);
		free(shown);
	} else
		ok = 1;
	free(key);
	free(val);
	free(raw);
	return (ok ? 0 : -1);
}

/* Is a header's name and value UTF-8 text? Secrets are not shown. */
static int
http_header_ok(struct req *req, const char *key, const char *value)
{
	size_t len = strlen(value), bad;
	char *shown;

	if ((bad = utf8_invalid(key, strlen(key))) != strlen(key)) {
		shown = http_shown(key, strlen(key));
		reply_error(req, 400, "invalid_encoding", "headers",
		    _("a header's name is not UTF-8 text: %s"), shown);
		free(shown);
		return (-1);
	}
	if ((bad = utf8_invalid(value, len)) == len)
		return (0);
	if (strcasecmp(key, "Authorization") == 0 ||
	    strcasecmp(key, "Cookie") == 0) {
		shown = utf8_escape(value + bad, 1, 1);
		reply_error(req, 400, "invalid_encoding", key,
		    _("header %s is not UTF-8 text: byte %s at offset %zu (the "
		    "value is not shown)"), key, shown, bad);
	} else {
		shown = http_shown(value, len);
		reply_error(req, 400, "invalid_encoding", key,
		    _("header %s is not UTF-8 text: %s"), key, shown);
	}
	free(shown);
	return (-1);
}

/*
 * What the edge refuses before routing, identity or handler: a path, query
 * parameter or header that is not UTF-8 text (or holds a NUL); and a body
 * whose end is ambiguous (two Content-Length, or one beside
 * Transfer-Encoding), after which the connection is closed. On refusal the
 * 400 is answered and -1 returned.
 */
static int
http_edge(struct req *req, const char *path, const char *query)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req->ev);
	struct evkeyval *kv;
	char *decoded, *shown;
	size_t len;
	int lengths = 0, chunked = 0;

	if ((decoded = evhttp_uridecode(path, 0, &len)) == NULL)
		fatalx("evhttp_uridecode: out of memory");
	if (utf8_invalid(decoded, len) != len) {
		shown = http_shown(decoded, len);
		reply_error(req, 400, "invalid_encoding", "path",
		    _("the path is not UTF-8 text: %s (send text as UTF-8, "
		    "percent-encoded)"), shown);
		free(shown);
		free(decoded);
		return (-1);
	}
	free(decoded);
	while (query != NULL && *query != '\0') {
		len = strcspn(query, "&");
		if (http_query_ok(req, query, len) != 0)
			return (-1);
		query += len + (query[len] == '&');
	}
	TAILQ_FOREACH(kv, h, next) {
		if (http_header_ok(req, kv->key, kv->value) != 0)
			return (-1);
		lengths += strcasecmp(kv->key, "Content-Length") == 0;
		chunked |= strcasecmp(kv->key, "Transfer-Encoding") == 0;
	}
	if (lengths < 2 && !(lengths == 1 && chunked))
		return (0);
	if (lengths > 1)
		reply_error(req, 400, "invalid_request", "Content-Length",
		    _("the request has %d Content-Length headers: send exactly "
		    "one"), lengths);
	else
		reply_error(req, 400, "invalid_request", "Content-Length",
		    _("the request has both Content-Length and "
		    "Transfer-Encoding: send one of them"));
	/* What follows on the connection cannot be told from the body. */
	evhttp_add_header(evhttp_request_get_output_headers(req->ev),
	    "Connection", "close");
	return (-1);
}

/*
 * Every request: what the edge refuses, route, identity, media type, body,
 * handler, commit. ev may have no connection (the fuzz target's): its
 * method and URI are then given apart.
 */
void
http_dispatch(struct evhttp_request *ev, struct peer *peer,
    const char *method, const struct evhttp_uri *uri)
{
	struct evbuffer *in;
	struct req *req;
	const char *path, *query = NULL, *ctype;
	json_error_t jerr;
	size_t len;
	int wrong_method;

	req = xcalloc(1, sizeof *req);
	req->ev = ev;
	if ((req->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	req->query = xcalloc(1, sizeof *req->query);
	TAILQ_INIT(req->query);
	/* While an import holds the database, only /v1/health: public. */
	if (store_exclusive())
		req->actor_name = xstrdup("anonymous");
	else
		auth_identify(req, peer);
	req->actor.name = req->actor_name;
	req->actor.station = http_station(ev);

	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if (uri != NULL && (query = evhttp_uri_get_query(uri)) != NULL &&
	    evhttp_parse_query_str(query, req->query) != 0) {
		reply_error(req, 400, "invalid_query", NULL,
		    _("the query string cannot be read"));
		http_send(req);
		return;
	}
	if (http_edge(req, path, query) != 0) {
		http_send(req);
		return;
	}
	req->route = route_find(method, path, req->params, &wrong_method);
	if (req->route == NULL) {
		if (wrong_method)
			reply_error(req, 405, "method_not_allowed", NULL,
			    _("%s is not allowed on %s"), method, path);
		else
			reply_error(req, 404, "no_such_endpoint", NULL,
			    _("there is no %s in this API"), path);
		http_send(req);
		return;
	}
	if (auth_allowed(req) != 0) {
		http_send(req);
		return;
	}

	in = evhttp_request_get_input_buffer(ev);
	if ((len = evbuffer_get_length(in)) > 0) {
		ctype = evhttp_find_header(evhttp_request_get_input_headers(ev),
		    "Content-Type");
		if (!http_media_is(ctype, req->route->accepts != NULL ?
		    req->route->accepts : "application/json")) {
			if (req->route->accepts == NULL)
				reply_error(req, 415, "unsupported_media_type",
				    NULL, _("send the body as application/json "
				    "(got %s)"), ctype != NULL ? ctype :
				    _("no Content-Type"));
			else
				reply_error(req, 415, "unsupported_media_type",
				    NULL, _("send the body as %s (got %s)"),
				    req->route->accepts, ctype != NULL ? ctype :
				    _("no Content-Type"));
			http_send(req);
			return;
		}
	}
	if (len > 0 && req->route->accepts != NULL) {
		/* Not JSON: the handler reads the bytes as they came. */
		req->raw = evbuffer_pullup(in, -1);
		req->raw_len = len;
		/*
		 * A CSV's encoding is csv.c's: UTF-8 or Windows-1252 (a
		 * supplier's spreadsheet), converted, else refused naming
		 * the line.
		 */
	} else if (len > 0) {
		/* jansson refuses bytes that are not UTF-8 (and \u0000). */
		req->body = json_loadb((const char *)evbuffer_pullup(in, -1),
		    len, JSON_REJECT_DUPLICATES, &jerr);
		if (req->body == NULL) {
			reply_error(req, 400, "invalid_json", NULL,
			    _("the body is not valid JSON: %s (line %d, "
			    "column %d)"), jerr.text, jerr.line, jerr.column);
			http_send(req);
			return;
		}
		if (!json_is_object(req->body)) {
			reply_error(req, 400, "invalid_json", NULL,
			    _("the body must be a JSON object"));
			http_send(req);
			return;
		}
	}

	if (req->route->write) {
		http_write(req);
		return;
	}
	/* A read sees only what is committed, and answers at once. */
	http_flush();
	req->route->handler(req);
	if (req->status == -1) {	/* a stream, answered by its handler */
		req_free(req);
		return;
	}
	if (req->status == 0)
		reply_error(req, 500, "internal", NULL,
		    _("no answer was produced"));
	http_send(req);
}

static int
http_is_ok(const struct req *req)
{
	return (req->status >= 200 && req->status < 300);
}

/* A write: run it in the open group, in a savepoint; answer after COMMIT. */
static void
http_write(struct req *req)
{
	struct timeval now, age;
	enum store_status status;
	int hooks;

	if (http_group_open) {
		gettimeofday(&now, NULL);
		timersub(&now, &http_group_since, &age);
		if (http_group_size >= GROUP_MAX || age.tv_sec > 0 ||
		    age.tv_usec >= GROUP_MAX_USEC)
			http_flush();
	}
	if (!http_group_open) {
		if ((status = store_begin()) != STORE_OK) {
			api_reply_store(req, status, "");
			http_send(req);
			return;
		}
		http_group_open = 1;
		http_group_size = 0;
		gettimeofday(&http_group_since, NULL);
		event_active(http_group_ev, EV_TIMEOUT, 0);
	}
	if ((status = store_request_begin()) != STORE_OK) {
		api_reply_store(req, status, "");
		TAILQ_INSERT_TAIL(&http_group, req, group);
		http_flush();
		return;
	}
	hooks = http_nhooks;
	http_in_handler = 1;
	req->route->handler(req);
	http_in_handler = 0;
	if (req->status == -1) {
		/* Answered later (worker.c), in a transaction of its own. */
		store_request_end(0);
		http_nhooks = hooks;
		req_free(req);
		return;
	}
	if (req->status == 0)
		reply_error(req, 500, "internal", NULL,
		    _("no answer was produced"));
	status = store_request_end(http_is_ok(req));
	if (!http_is_ok(req))
		http_nhooks = hooks;	/* its savepoint was rolled back */
	TAILQ_INSERT_TAIL(&http_group, req, group);
	http_group_size++;
	if (status != STORE_OK) {
		/* SQLite may have rolled the whole group back (disk full). */
		if (http_is_ok(req)) {
			req->status = 0;
			api_reply_store(req, status, "");
		}
		http_flush();
	}
}

static void
http_group_cb(evutil_socket_t fd, short events, void *arg)
{
	http_flush();
}

/*
 * KITSTOCKD_TEST_DIE_AFTER_COMMIT=PATTERN (tests only): does the group
 * hold a request to that route pattern, such as /v1/scans?
 */
static int
http_test_die(void)
{
	const char *pattern = getenv("KITSTOCKD_TEST_DIE_AFTER_COMMIT");
	struct req *req;

	if (pattern == NULL)
		return (0);
	TAILQ_FOREACH(req, &http_group, group)
		if (http_is_ok(req) && strcmp(req->route->pattern, pattern) ==
		    0)
			return (1);
	return (0);
}

/*
 * Commit the open group, then answer its requests: those that succeeded
 * only if the COMMIT did (with synchronous=FULL, the change is on disk).
 */
void
http_flush(void)
{
	struct req *req;
	enum store_status status;
	int checkpoint = 0, lost, acked;

	if (!http_group_open || http_in_handler)
		return;
	http_group_open = 0;
	event_del(http_group_ev);
	lost = !store_in_transaction();
	if (http_sink_rollback && !lost) {
		store_rollback();	/* the fuzz target's: always the same */
		status = STORE_OK;
	} else
		status = lost ? STORE_ERROR : store_commit();
	/* Tests of exactly-once: die after the commit, before answering. */
	if (status == STORE_OK && http_test_die())
		_exit(99);
	acked = 0;
	while ((req = TAILQ_FIRST(&http_group)) != NULL) {
		TAILQ_REMOVE(&http_group, req, group);
		if (http_is_ok(req)) {
			if (status != STORE_OK) {
				req->status = 0;
				api_reply_store(req, status, "");
			} else {
				acked++;
				checkpoint |= req->checkpoint;
			}
		}
		http_send(req);
	}
	/* Counted for the benchmark: writes acknowledged, their commits. */
	if (acked > 0) {
		http_writes += acked;
		http_commits++;
	}
	/* After an erasure: no old page left in the WAL. */
	if (checkpoint)
		store_checkpoint();
	http_committed(status == STORE_OK && !http_sink_rollback);
}

/*
 * Run fn(arg) once the transaction open now is committed, never if it is
 * rolled back (print on receive: a label is sent only for a receiving
 * that is true). The same fn and arg twice are one hook. http_flush runs
 * them for the requests' group; a write committed elsewhere (scan_local)
 * calls http_committed itself.
 */
void
http_after_commit(void (*fn)(void *), void *arg)
{
	int i;

	for (i = 0; i < http_nhooks; i++)
		if (http_hooks[i].fn == fn && http_hooks[i].arg == arg)
			return;
	if (http_nhooks == HOOKS_MAX)
		fatalx("http_after_commit: too many hooks");
	http_hooks[http_nhooks].fn = fn;
	http_hooks[http_nhooks++].arg = arg;
}

/* The transaction is committed (ok): run the hooks; else drop them. */
void
http_committed(int ok)
{
	int i, n = http_nhooks;

	http_nhooks = 0;
	for (i = 0; ok && i < n; i++)
		http_hooks[i].fn(http_hooks[i].arg);
}
