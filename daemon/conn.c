/*
 * Connection limits for the HTTP servers. libevent 2.1 only times out a
 * connection that stays silent; a client dribbling its headers a byte at a
 * time, or thousands of idle sockets, would hold the daemon's descriptors
 * for ever. Every connection is tracked from its accept: it must complete a
 * request within request-timeout seconds of opening or of its previous
 * answer, or it is closed; beyond max-connections the oldest connection
 * waiting for a request is closed to make room. A request being answered
 * (such as an event stream) is never cut. Once a burst of connections has
 * gone (their count down to a quarter of its peak), the memory they held
 * is given back to the kernel.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "kitstockd.h"

struct conn {
	TAILQ_ENTRY(conn) entry;
	struct bufferevent *bev;	/* a reference of our own */
	time_t		 since;		/* accepted, or last answer sent */
	int		 busy;		/* a request is being answered */
	int		 closing;	/* shut down by us */
	struct peer	 peer;		/* who is at the other end */
};
static TAILQ_HEAD(, conn) conns = TAILQ_HEAD_INITIALIZER(conns);
static size_t conn_count, conn_closing;
static struct event *conn_sweep_ev;
static int conn_timeout = REQUEST_TIMEOUT_DEFAULT;
static size_t conn_max = MAX_CONNECTIONS_DEFAULT;
static unsigned long long conn_timed_out, conn_evicted, conn_logged[2];
static size_t conn_peak;	/* connections at once, since the last trim */
static int conn_trim_due;	/* a burst is over: trim at the next sweep */

/* Connections at once worth giving memory back after. */
#define CONN_BURST	64

/* ASan's allocator, when the daemon is built with it (weak: else NULL). */
void	__sanitizer_purge_allocator(void) __attribute__((__weak__));

static struct bufferevent *conn_bevcb(struct event_base *, void *);
static void conn_sweep(int, short, void *);
static void conn_reap(void);
static void conn_close(struct conn *);
static void conn_done(struct evhttp_request *, void *);
static void conn_trim(void);

static time_t
conn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

/*
 * Has libevent let go of this connection? bufferevent_free clears every
 * callback; while the connection lives, evhttp keeps its event callback
 * (the read callback alone is cleared while an answer is written).
 */
static int
conn_gone(struct conn *c)
{
	bufferevent_event_cb eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return (eventcb == NULL);
}

/* Drop the connections libevent has freed: their descriptors close now. */
static void
conn_reap(void)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!conn_gone(c))
			continue;
		TAILQ_REMOVE(&conns, c, entry);
		conn_count--;
		if (c->closing)
			conn_closing--;
		bufferevent_decref(c->bev);
		auth_peer_free(&c->peer);
		free(c);
	}
}

/* End a connection: libevent sees the end of file and frees it. */
static void
conn_close(struct conn *c)
{
	evutil_socket_t fd;

	if (c->closing || (fd = bufferevent_getfd(c->bev)) == -1)
		return;
	c->closing = 1;
	conn_closing++;
	shutdown(fd, SHUT_RDWR);
}

static void
conn_arm(void)
{
	struct timeval tv = { 1, 0 };

	if (conn_sweep_ev != NULL && !event_pending(conn_sweep_ev, EV_TIMEOUT,
	    NULL))
		event_add(conn_sweep_ev, &tv);
}

/* Each new connection: a bufferevent (TLS if arg says so), tracked. */
static struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct bufferevent *bev;
	struct conn *c, *oldest = NULL;

	if (arg != NULL)
		bev = tls_bufferevent(base);
	else
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return (NULL);

	conn_reap();
	if (conn_count - conn_closing >= conn_max) {
		TAILQ_FOREACH(c, &conns, entry) {
			if (c->busy || c->closing)
				continue;
			if (oldest == NULL || c->since < oldest->since)
				oldest = c;
		}
		if (oldest != NULL) {
			conn_close(oldest);
			conn_evicted++;
		}
	}
	c = xcalloc(1, sizeof *c);
	c->bev = bev;
	bufferevent_incref(bev);
	c->since = conn_now();
	TAILQ_INSERT_TAIL(&conns, c, entry);
	if (++conn_count > conn_peak)
		conn_peak = conn_count;
	conn_arm();
	return (bev);
}

/* Every second while connections are open: close the late ones. */
static void
conn_sweep(int fd, short events, void *arg)
{
	struct conn *c;
	time_t now = conn_now();

	conn_reap();
	TAILQ_FOREACH(c, &conns, entry) {
		if (c->busy || c->closing || now - c->since < conn_timeout)
			continue;
		conn_close(c);
		conn_timed_out++;
	}
	if (conn_timed_out != conn_logged[0])
		log_info("closed %llu connection(s) with no complete request "
		    "in %d s", conn_timed_out - conn_logged[0], conn_timeout);
	if (conn_evicted != conn_logged[1])
		log_info("closed %llu connection(s) waiting for a request: "
		    "max-connections %zu reached", conn_evicted - conn_logged[1],
		    conn_max);
	conn_logged[0] = conn_timed_out;
	conn_logged[1] = conn_evicted;
	conn_trim();
	if (!TAILQ_EMPTY(&conns) || conn_trim_due)
		conn_arm();
}

/* The daemon's resident memory in KB (/proc), or -1. */
static long long
conn_rss(void)
{
	FILE *f;
	long long pages = -1;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return (-1);
	if (fscanf(f, "%*s %lld", &pages) != 1)
		pages = -1;
	fclose(f);
	return (pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024));
}

/*
 * A burst of connections is over: give back the memory their buffers
 * held. glibc keeps freed memory (the store raises its trim threshold,
 * and a thousand connections' buffers leave free pages below live ones
 * that no trim of the heap's top reaches); malloc_trim returns every
 * free page. Under ASan, its allocator's own purge does the same. The
 * trim waits for the sweep after the one that saw the burst end: libevent
 * frees a connection's buffers on a later turn of the loop than the one
 * that reaped it.
 */
static void
conn_trim(void)
{
	long long before;

	if (!conn_trim_due) {
		conn_trim_due = conn_peak >= CONN_BURST &&
		    conn_count <= conn_peak / 4;
		return;
	}
	conn_trim_due = 0;
	before = conn_rss();
	if (__sanitizer_purge_allocator != NULL)
		__sanitizer_purge_allocator();
	else
		malloc_trim(0);
	log_info("memory: %zu connections after a peak of %zu, RSS %lld KB "
	    "-> %lld KB", conn_count, conn_peak, before, conn_rss());
	conn_peak = conn_count;
}

/*
 * The answer went out: the connection's clock starts again. arg is its
 * bufferevent, looked up rather than trusted: the connection may have been
 * reaped while its request waited (a group commit, a client gone).
 */
static void
conn_done(struct evhttp_request *ev, void *arg)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conns, entry) {
		if (c->bev == arg) {
			c->busy = 0;
			c->since = conn_now();
			return;
		}
	}
}

/*
 * A complete request arrived: not to be cut while it is answered. The
 * connection's peer, for auth_identify (NULL if it is not tracked).
 */
struct peer *
conn_serving(struct evhttp_request *ev)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	struct conn *c;

	if ((evcon = evhttp_request_get_connection(ev)) == NULL)
		return (NULL);
	bev = evhttp_connection_get_bufferevent(evcon);
	TAILQ_FOREACH(c, &conns, entry) {
		if (c->bev == bev) {
			c->busy = 1;
			evhttp_request_set_on_complete_cb(ev, conn_done, bev);
			return (&c->peer);
		}
	}
	return (NULL);
}

/* Track the connections of this server; tls: make them TLS. */
void
conn_attach(struct event_base *base, struct evhttp *h, int tls)
{
	struct rlimit rl;
	rlim_t want;

	if (conn_sweep_ev == NULL &&
	    (conn_sweep_ev = evtimer_new(base, conn_sweep, NULL)) == NULL)
		fatalx("evtimer_new failed");
	evhttp_set_bevcb(h, conn_bevcb, tls ? (void *)h : NULL);
	/* Room for max-connections descriptors and the daemon's own. */
	want = conn_max + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("setrlimit");
	}
}

void
conn_configure(const struct config *c)
{
	conn_timeout = c->request_timeout;
	conn_max = c->max_connections;
}

/* After evhttp_free: what is left goes. */
void
conn_stop(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&conns)) != NULL) {
		TAILQ_REMOVE(&conns, c, entry);
		bufferevent_decref(c->bev);
		auth_peer_free(&c->peer);
		free(c);
	}
	conn_count = conn_closing = 0;
	if (conn_sweep_ev != NULL) {
		event_free(conn_sweep_ev);
		conn_sweep_ev = NULL;
	}
}
