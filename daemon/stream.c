/*
 * GET /v1/stream: server-sent events (text/event-stream) of the verdicts
 * of scans and of state changes, to a bounded number of subscribers, each
 * filtered by station if it asked (?station=NAME). A comment line every
 * STREAM_HEARTBEAT seconds keeps proxies and clients awake; a subscriber
 * that does not read (its output past STREAM_BUFFER_MAX) is dropped. The
 * kernel keeps little for each (STREAM_SNDBUF), so that the bound is
 * reached soon, and one client (peer identity: a uid, a token, a session)
 * holds at most STREAM_PER_PEER of the slots, so that it cannot take them
 * all with streams it never reads.
 * Events published inside a transaction are sent on the next turn of the
 * loop, once the dispatcher has committed.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"
#include "scan.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

/* Streams one client may hold; the kernel's send buffer of each. */
#define STREAM_PER_PEER		4
#define STREAM_SNDBUF		(32 * 1024)

struct subscriber {
	struct evhttp_request		*ev;
	struct evhttp_connection	*con;
	char				*station;	/* NULL: all */
	char				*peer;		/* actor name */
	char				*cred;		/* auth_credential */
	TAILQ_ENTRY(subscriber)		 entry;
};
TAILQ_HEAD(subscribers, subscriber);

struct pending {
	char			*station;
	char			*text;	/* "event: ...\ndata: ...\n\n" */
	TAILQ_ENTRY(pending)	 entry;
};
TAILQ_HEAD(pendings, pending);

static struct subscribers stream_subs = TAILQ_HEAD_INITIALIZER(stream_subs);
static struct pendings stream_queue = TAILQ_HEAD_INITIALIZER(stream_queue);
static size_t stream_nsubs;
static int stream_max = STREAM_MAX_DEFAULT;
static struct event *stream_heartbeat_ev;
static struct event *stream_flush_ev;
static long long stream_seq;

static void stream_drop(struct subscriber *);
static int stream_peer_count(const char *);
static void stream_sndbuf(struct subscriber *);

void
stream_configure(const struct config *c)
{
	stream_max = c->stream_max > 0 ? c->stream_max : STREAM_MAX_DEFAULT;
}

/* Send text to one subscriber, or drop it if it does not keep up. */
static void
stream_send(struct subscriber *sub, const char *text)
{
	struct bufferevent *bev;
	struct evbuffer *buf;
	size_t unsent;

	bev = evhttp_connection_get_bufferevent(sub->con);
	if (bev != NULL && (unsent = evbuffer_get_length(
	    bufferevent_get_output(bev))) > STREAM_BUFFER_MAX) {
		log_info("stream: dropping a subscriber that does not read "
		    "(%s, %zu bytes unsent)", sub->peer, unsent);
		stream_drop(sub);
		return;
	}
	if ((buf = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	evbuffer_add(buf, text, strlen(text));
	evhttp_send_reply_chunk(sub->ev, buf);
	evbuffer_free(buf);
}

/* A subscriber's credential goes without leaving its bytes behind. */
static void
stream_cred_free(struct subscriber *sub)
{
	if (sub->cred != NULL) {
		explicit_bzero(sub->cred, strlen(sub->cred));
		free(sub->cred);
		sub->cred = NULL;
	}
}

/*
 * Every heartbeat, each stream's session or token is looked up again: one
 * signed out, ended, expired or revoked loses its stream within a
 * heartbeat, as its next request would be refused.
 */
static void
stream_heartbeat(evutil_socket_t fd, short events, void *arg)
{
	struct subscriber *sub, *next;

	TAILQ_FOREACH_SAFE(sub, &stream_subs, entry, next) {
		if (!auth_credential_valid(sub->cred)) {
			log_info("stream of %s closed: its session or token "
			    "has ended", sub->peer);
			stream_drop(sub);
			continue;
		}
		stream_send(sub, ": heartbeat\n\n");
	}
}

/* Send what was published, now that it is committed. */
static void
stream_flush(evutil_socket_t fd, short events, void *arg)
{
	struct pending *p;
	struct subscriber *sub, *next;

	while ((p = TAILQ_FIRST(&stream_queue)) != NULL) {
		TAILQ_REMOVE(&stream_queue, p, entry);
		TAILQ_FOREACH_SAFE(sub, &stream_subs, entry, next)
			if (sub->station == NULL || p->station == NULL ||
			    strcmp(sub->station, p->station) == 0)
				stream_send(sub, p->text);
		free(p->station);
		free(p->text);
		free(p);
	}
}

void
stream_start(struct event_base *base)
{
	struct timeval tv = { STREAM_HEARTBEAT, 0 };
	const char *e;

	/* KITSTOCKD_TEST_HEARTBEAT=S (tests only): 1 to 60 seconds. */
	if ((e = getenv("KITSTOCKD_TEST_HEARTBEAT")) != NULL &&
	    atoi(e) >= 1 && atoi(e) <= 60)
		tv.tv_sec = atoi(e);
	stream_heartbeat_ev = event_new(base, -1, EV_PERSIST,
	    stream_heartbeat, NULL);
	stream_flush_ev = event_new(base, -1, 0, stream_flush, NULL);
	if (stream_heartbeat_ev == NULL || stream_flush_ev == NULL ||
	    event_add(stream_heartbeat_ev, &tv) != 0)
		fatalx("stream: cannot start the heartbeat");
	/*
	 * Last, as the group commit (http.c): an event published by a write
	 * is sent after that write's COMMIT.
	 */
	if (event_priority_set(stream_flush_ev, HTTP_PRIORITIES - 1) != 0)
		fatalx("stream: cannot set the priority of its flush");
}

void
stream_stop(void)
{
	struct subscriber *sub;
	struct pending *p;

	while ((sub = TAILQ_FIRST(&stream_subs)) != NULL)
		stream_drop(sub);
	while ((p = TAILQ_FIRST(&stream_queue)) != NULL) {
		TAILQ_REMOVE(&stream_queue, p, entry);
		free(p->station);
		free(p->text);
		free(p);
	}
	if (stream_heartbeat_ev != NULL)
		event_free(stream_heartbeat_ev);
	if (stream_flush_ev != NULL)
		event_free(stream_flush_ev);
	stream_heartbeat_ev = stream_flush_ev = NULL;
}

void
stream_publish(const char *station, const char *event, json_t *data)
{
	struct pending *p;
	char *json;

	if (TAILQ_EMPTY(&stream_subs) || stream_flush_ev == NULL)
		return;
	if ((json = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		fatalx("json_dumps");
	p = xcalloc(1, sizeof *p);
	p->station = station != NULL ? xstrdup(station) : NULL;
	xasprintf(&p->text, "id: %lld\nevent: %s\ndata: %s\n\n", ++stream_seq,
	    event, json);
	free(json);
	TAILQ_INSERT_TAIL(&stream_queue, p, entry);
	event_active(stream_flush_ev, EV_TIMEOUT, 0);
}

/* How many streams this client holds. */
static int
stream_peer_count(const char *peer)
{
	struct subscriber *sub;
	int n = 0;

	TAILQ_FOREACH(sub, &stream_subs, entry)
		if (strcmp(sub->peer, peer != NULL ? peer : "") == 0)
			n++;
	return (n);
}

/*
 * Keep the kernel's share of a stream small: what a client does not read
 * then stays in its output buffer, where STREAM_BUFFER_MAX sees it.
 */
static void
stream_sndbuf(struct subscriber *sub)
{
	struct bufferevent *bev;
	evutil_socket_t fd;
	int size = STREAM_SNDBUF;

	if ((bev = evhttp_connection_get_bufferevent(sub->con)) == NULL ||
	    (fd = bufferevent_getfd(bev)) == -1)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) != 0)
		log_debug("stream: SO_SNDBUF: %s", strerror(errno));
}

/* Forget a subscriber whose client went away. */
static void
stream_closed(struct evhttp_connection *con, void *arg)
{
	struct subscriber *sub = arg;

	TAILQ_REMOVE(&stream_subs, sub, entry);
	stream_nsubs--;
	free(sub->station);
	free(sub->peer);
	stream_cred_free(sub);
	/* A request left without its connection is ours to free. */
	if (evhttp_request_get_connection(sub->ev) == NULL)
		evhttp_request_free(sub->ev);
	free(sub);
}

/* Close a subscriber's connection (and its request with it). */
static void
stream_drop(struct subscriber *sub)
{
	struct evhttp_connection *con = sub->con;

	TAILQ_REMOVE(&stream_subs, sub, entry);
	stream_nsubs--;
	evhttp_connection_set_closecb(con, NULL, NULL);
	free(sub->station);
	free(sub->peer);
	stream_cred_free(sub);
	free(sub);
	evhttp_connection_free(con);
}

/*
 * GET /v1/stream[?station=NAME]: the reply starts and stays open; the
 * dispatcher is told not to send one (status -1).
 */
void
api_stream(struct req *req)
{
	struct subscriber *sub;
	struct evkeyvalq *h;
	const char *station = req_query(req, "station");
	json_t *st;
	enum store_status status;

	if (station != NULL) {
		if ((status = store_station_get(station, &st)) ==
		    STORE_NOTFOUND) {
			reply_error(req, 404, "unknown_station", "station",
			    _("station %s does not exist (kitstock station "
			    "list)"), station);
			return;
		}
		json_decref(st);
		if (status != STORE_OK) {
			api_reply_store(req, status, station);
			return;
		}
	}
	if (stream_peer_count(req->actor_name) >= STREAM_PER_PEER) {
		reply_error(req, 503, "too_many_streams", NULL,
		    _("%s already follows the stream %d times, the most for "
		    "one client: close one of its streams and try again"),
		    req->actor_name, STREAM_PER_PEER);
		return;
	}
	if (stream_nsubs >= (size_t)stream_max) {
		reply_error(req, 503, "too_many_subscribers", NULL,
		    _("%d clients already follow the stream, the most allowed "
		    "(stream-subscribers): close one and try again"),
		    stream_max);
		return;
	}
	sub = xcalloc(1, sizeof *sub);
	sub->ev = req->ev;
	sub->con = evhttp_request_get_connection(req->ev);
	sub->station = station != NULL ? xstrdup(station) : NULL;
	sub->peer = xstrdup(req->actor_name != NULL ? req->actor_name : "");
	sub->cred = auth_credential(req);
	stream_sndbuf(sub);
	TAILQ_INSERT_TAIL(&stream_subs, sub, entry);
	stream_nsubs++;
	evhttp_connection_set_closecb(sub->con, stream_closed, sub);
	/* An open stream is not an idle request. */
	evhttp_connection_set_timeout(sub->con, 7 * 86400);
	h = evhttp_request_get_output_headers(req->ev);
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply_start(req->ev, 200, "OK");
	stream_send(sub, ": kitstock stream\n\n");
	req->status = -1;
}
