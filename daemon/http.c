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
#include <event2/keyvalq_struct.h>
#include <systemd/sd-daemon.h>

#include "kitstockd.h"

static struct evhttp *http;
static struct evhttp *http_tcp;	/* its own: TLS applies to it alone */
static long long http_writes;	/* write requests acknowledged */
static long long http_commits;	/* transactions committed for them */
static char *http_socket_path;

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

static void http_request_cb(struct evhttp_request *, void *);
static void http_group_cb(evutil_socket_t, short, void *);
static void http_write(struct req *);
static int http_listen_unix(const struct config *, char **);
static void http_send(struct req *);
static int http_media_is(const char *, const char *);

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
	if ((http_group_ev = event_new(base, -1, 0, http_group_cb, NULL)) ==
	    NULL || event_priority_set(http_group_ev, HTTP_PRIORITIES - 1) != 0)
		fatalx("group commit event");
	store_set_flush(http_flush);

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
	evhttp_send_reply(req->ev, req->status, NULL, req->out);
	req_free(req);
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

/* Every request: route, media type, body, identity, handler, commit. */
static void
http_request_cb(struct evhttp_request *ev, void *arg)
{
	const struct evhttp_uri *uri;
	struct evbuffer *in;
	struct req *req;
	const char *path, *query, *ctype;
	struct peer *peer;
	json_error_t jerr;
	size_t len;
	int wrong_method;

	peer = conn_serving(ev);
	req = xcalloc(1, sizeof *req);
	req->ev = ev;
	if ((req->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	req->query = xcalloc(1, sizeof *req->query);
	TAILQ_INIT(req->query);
	auth_identify(req, peer);
	req->actor.name = req->actor_name;
	req->actor.station = http_station(ev);

	uri = evhttp_request_get_evhttp_uri(ev);
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
	req->route = route_find(http_method(evhttp_request_get_command(ev)),
	    path, req->params, &wrong_method);
	if (req->route == NULL) {
		if (wrong_method)
			reply_error(req, 405, "method_not_allowed", NULL,
			    _("%s is not allowed on %s"),
			    http_method(evhttp_request_get_command(ev)), path);
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
	} else if (len > 0) {
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
	http_in_handler = 1;
	req->route->handler(req);
	http_in_handler = 0;
	if (req->status == 0)
		reply_error(req, 500, "internal", NULL,
		    _("no answer was produced"));
	status = store_request_end(http_is_ok(req));
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
}
