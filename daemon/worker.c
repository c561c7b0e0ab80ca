/*
 * The worker pool: work that grows with a request (rendering labels and
 * decoding them back, PDF receipts, reading an import's file) runs off
 * the loop, so that one user's 210 labels at 600 dpi do not hold every
 * other request. A job is a pure function and its input: the loop
 * prepares the input (what it needs from the database included, which is
 * small), a worker thread runs the function, and the loop answers with
 * its result (and writes, for an import: worker_write). Workers never
 * touch the database, libevent or a request.
 *
 * Threads are the exception in this daemon, as the WAL checkpoint thread
 * of store-wal.c is, for a measured need: a 210-label ZPL job at 600 dpi
 * cost the loop 0.39 s. There are as many as the CPUs, at least 2 and at
 * most WORKER_THREADS_MAX; they start with the first job (after daemon()
 * has forked) and are joined when the daemon stops.
 *
 * A finished job comes back through an eventfd the loop reads: the worker
 * puts it on the done list and writes to the eventfd; the loop takes the
 * whole list. Not event_active() from the thread: that needs
 * evthread_use_pthreads() before the base is made, which puts a lock
 * around every libevent call of the loop for the sake of a few jobs.
 *
 * The request waits: worker_submit tells the dispatcher the answer is ours
 * (status -1) and keeps the evhttp request. If the client goes away
 * meanwhile (the connection's close callback), the job is marked so: it
 * still runs to its end and is collected and freed on the loop, and
 * nothing is sent. Jobs waiting, running, or answered but not yet read by
 * their client are capped per peer (its actor: user, uid or token) and in
 * all; beyond either, 503 with a sentence.
 */

#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "kitstockd.h"

#define WORKER_THREADS_MIN	2
#define WORKER_THREADS_MAX	4

struct worker_job {
	TAILQ_ENTRY(worker_job)	 entry;		/* queue or done list */
	LIST_ENTRY(worker_job)	 all;		/* every job (the loop's) */
	worker_run_cb		 run;
	worker_done_cb		 done;
	void			*arg;
	struct evhttp_request	*ev;
	struct req		*answer;	/* the reply, made on the loop */
	char			*peer;
	int			 gone;		/* the client went away */
	/* Answered: counted until the client has taken the reply. */
	struct evhttp_connection *evcon;
	struct evbuffer		*out;		/* the connection's output */
	struct evbuffer_cb_entry *drain;
};
TAILQ_HEAD(worker_list, worker_job);

/* Shared with the threads, under worker_lock. */
static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cond = PTHREAD_COND_INITIALIZER;
static struct worker_list worker_queue = TAILQ_HEAD_INITIALIZER(worker_queue);
static struct worker_list worker_done = TAILQ_HEAD_INITIALIZER(worker_done);
static int worker_stopping;
static int worker_fd = -1;
static const char *worker_hold;	/* tests: jobs wait while it exists */

/* The loop's alone. */
static LIST_HEAD(, worker_job) worker_jobs = LIST_HEAD_INITIALIZER(worker_jobs);
static pthread_t worker_threads[WORKER_THREADS_MAX];
static int worker_nthreads;
static struct event *worker_ev;
static int worker_count;

static void *worker_main(void *);
static void worker_test_hold(void);
static void worker_collect(evutil_socket_t, short, void *);
static void worker_closed(struct evhttp_connection *, void *);
static void worker_finish(struct worker_job *);
static void worker_release(struct worker_job *);
static void worker_drained(struct evbuffer *,
	    const struct evbuffer_cb_info *, void *);
static int worker_start(struct event_base *);
static int worker_peer_count(const char *);

/*
 * KITSTOCKD_TEST_WORKER_HOLD=FILE (tests only): a job waits while FILE
 * exists, so that a test holds jobs pending for as long as it asserts.
 */
static void
worker_test_hold(void)
{
	int stopping = 0;

	while (worker_hold != NULL && !stopping && access(worker_hold, F_OK) ==
	    0) {
		usleep(10000);
		pthread_mutex_lock(&worker_lock);
		stopping = worker_stopping;
		pthread_mutex_unlock(&worker_lock);
	}
}

/* A thread: take a job, run it, hand it back; until told to stop. */
static void *
worker_main(void *arg)
{
	struct worker_job *job;
	uint64_t one = 1;

	pthread_mutex_lock(&worker_lock);
	for (;;) {
		while (!worker_stopping && TAILQ_EMPTY(&worker_queue))
			pthread_cond_wait(&worker_cond, &worker_lock);
		if (worker_stopping)
			break;
		job = TAILQ_FIRST(&worker_queue);
		TAILQ_REMOVE(&worker_queue, job, entry);
		pthread_mutex_unlock(&worker_lock);

		worker_test_hold();
		job->run(job->arg);

		pthread_mutex_lock(&worker_lock);
		TAILQ_INSERT_TAIL(&worker_done, job, entry);
		/* A full counter (never in practice) is still readable. */
		while (write(worker_fd, &one, sizeof one) == -1 &&
		    errno == EINTR)
			;
	}
	pthread_mutex_unlock(&worker_lock);
	return (NULL);
}

/* The eventfd, its event and the threads (signals stay the loop's). */
static int
worker_start(struct event_base *base)
{
	sigset_t all, old;
	long n;
	int i;

	if (worker_nthreads > 0)
		return (0);
	if ((worker_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("eventfd");
		return (-1);
	}
	if ((worker_ev = event_new(base, worker_fd, EV_READ | EV_PERSIST,
	    worker_collect, NULL)) == NULL || event_add(worker_ev, NULL) != 0)
		fatalx("worker: event_new");
	worker_hold = getenv("KITSTOCKD_TEST_WORKER_HOLD");
	n = sysconf(_SC_NPROCESSORS_ONLN);
	n = n < WORKER_THREADS_MIN ? WORKER_THREADS_MIN :
	    n > WORKER_THREADS_MAX ? WORKER_THREADS_MAX : n;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++) {
		if (pthread_create(&worker_threads[i], NULL, worker_main,
		    NULL) != 0)
			break;
		worker_nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (worker_nthreads == 0) {
		log_warnx("worker: no thread could start");
		event_free(worker_ev);
		worker_ev = NULL;
		close(worker_fd);
		worker_fd = -1;
		return (-1);
	}
	log_debug("worker: %d threads", worker_nthreads);
	return (0);
}

/* Jobs waiting or running for this peer. */
static int
worker_peer_count(const char *peer)
{
	struct worker_job *job;
	int n = 0;

	LIST_FOREACH(job, &worker_jobs, all)
		if (strcmp(job->peer, peer) == 0)
			n++;
	return (n);
}

/*
 * Run run(arg) off the loop, then done(answer, arg) on it, where answer
 * is the request's reply to fill (reply_json, reply_bytes, reply_error),
 * or NULL if the client went away: done then only frees arg. 0, and the
 * request is ours (status -1); -1 if refused (answered, 503: too many
 * jobs; arg is still the caller's).
 */
int
worker_submit(struct req *req, worker_run_cb run, worker_done_cb done,
    void *arg)
{
	struct evhttp_connection *evcon;
	struct worker_job *job;
	const char *peer = req->actor.name != NULL ? req->actor.name : "";
	int mine;

	if ((evcon = evhttp_request_get_connection(req->ev)) == NULL) {
		reply_error(req, 500, "internal", NULL,
		    _("the request has no connection"));
		return (-1);
	}
	if ((mine = worker_peer_count(peer)) >= WORKER_PEER_MAX) {
		reply_error(req, 503, "busy", NULL,
		    _("%s already has %d label or document jobs pending or "
		    "unread (at most %d each): try again when one is "
		    "answered"), peer, mine, WORKER_PEER_MAX);
		return (-1);
	}
	if (worker_count >= WORKER_MAX) {
		reply_error(req, 503, "busy", NULL,
		    _("%d label or document jobs are already pending or "
		    "unread (at most %d): try again in a few seconds"),
		    worker_count, WORKER_MAX);
		return (-1);
	}
	if (worker_start(evhttp_connection_get_base(evcon)) != 0) {
		reply_error(req, 503, "busy", NULL,
		    _("no worker thread can run this job now: try again "
		    "later"));
		return (-1);
	}
	job = xcalloc(1, sizeof *job);
	job->run = run;
	job->done = done;
	job->arg = arg;
	job->ev = req->ev;
	job->peer = xstrdup(peer);
	job->answer = xcalloc(1, sizeof *job->answer);
	job->answer->ev = req->ev;
	job->answer->route = req->route;
	if ((job->answer->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	LIST_INSERT_HEAD(&worker_jobs, job, all);
	worker_count++;
	log_debug("worker: job for %s (%d pending)", peer, worker_count);
	evhttp_connection_set_closecb(evcon, worker_closed, job);
	req->status = -1;

	pthread_mutex_lock(&worker_lock);
	TAILQ_INSERT_TAIL(&worker_queue, job, entry);
	pthread_cond_signal(&worker_cond);
	pthread_mutex_unlock(&worker_lock);
	return (0);
}

/*
 * The client went away (or the daemon stops). A job answered is done with
 * (its reply goes with the connection). Else it is marked: it runs to its
 * end, and nothing will be sent. A request left without its connection is
 * ours to free (as in stream.c); else libevent frees it with the
 * connection. libevent may see the client go only when it writes the
 * reply: then it frees the request itself.
 */
static void
worker_closed(struct evhttp_connection *evcon, void *arg)
{
	struct worker_job *job = arg;

	if (job->drain != NULL) {
		evbuffer_remove_cb_entry(job->out, job->drain);
		worker_release(job);
		return;
	}
	log_debug("worker: the client of a job for %s went away", job->peer);
	job->gone = 1;
	if (evhttp_request_get_connection(job->ev) == NULL)
		evhttp_request_free(job->ev);
	job->ev = job->answer->ev = NULL;
}

/* The client has taken the whole reply: the job no longer counts. */
static void
worker_drained(struct evbuffer *out, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct worker_job *job = arg;

	if (evbuffer_get_length(out) != 0)
		return;
	evhttp_connection_set_closecb(job->evcon, NULL, NULL);
	evbuffer_remove_cb_entry(out, job->drain);
	worker_release(job);
}

/* A job no longer counts: free it. */
static void
worker_release(struct worker_job *job)
{
	LIST_REMOVE(job, all);
	worker_count--;
	free(job->peer);
	free(job);
}

/*
 * A job is back on the loop: answer, unless the client is gone. A reply
 * still counts against the caps until the client has read it (or gone):
 * a client that never reads holds its slot, not the daemon's memory.
 */
static void
worker_finish(struct worker_job *job)
{
	struct bufferevent *bev;

	if (job->gone) {
		job->done(NULL, job->arg);
		req_free(job->answer);
		worker_release(job);
		return;
	}
	job->evcon = evhttp_request_get_connection(job->ev);
	job->done(job->answer, job->arg);
	if (job->answer->status == 0)
		reply_error(job->answer, 500, "internal", NULL,
		    _("no answer was produced"));
	bev = evhttp_connection_get_bufferevent(job->evcon);
	job->out = bufferevent_get_output(bev);
	if ((job->drain = evbuffer_add_cb(job->out, worker_drained, job)) ==
	    NULL)
		fatalx("evbuffer_add_cb");
	http_answer(job->answer);
	job->answer = NULL;
	job->ev = NULL;
}

/* The eventfd: take every finished job. */
static void
worker_collect(evutil_socket_t fd, short events, void *arg)
{
	struct worker_list done = TAILQ_HEAD_INITIALIZER(done);
	struct worker_job *job;
	uint64_t n;

	while (read(fd, &n, sizeof n) == -1 && errno == EINTR)
		;
	pthread_mutex_lock(&worker_lock);
	TAILQ_CONCAT(&done, &worker_done, entry);
	pthread_mutex_unlock(&worker_lock);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		worker_finish(job);
	}
}

/*
 * For a job's done: write(req, arg) in a transaction of its own, after
 * the open group is committed (store_begin), and committed before the
 * answer. write answers: 0 keeps (its answer stands if the COMMIT does,
 * else the store's refusal replaces it), -1 rolls back (an import whose
 * rows a worker read, written on the loop in one piece).
 */
void
worker_write(struct req *req, int (*write)(struct req *, void *), void *arg)
{
	enum store_status status;

	if ((status = store_begin()) != STORE_OK)
		api_reply_store(req, status, "");
	else if (write(req, arg) != 0)
		store_rollback();
	else if ((status = store_commit()) != STORE_OK) {
		req->status = 0;
		api_reply_store(req, status, "");
	}
}

/* Jobs waiting or running now. */
int
worker_pending(void)
{
	return (worker_count);
}

/*
 * At exit, after the listeners are gone (so every client is): let the
 * threads finish the job in hand, join them, free every job left.
 */
void
worker_stop(void)
{
	struct worker_job *job;
	int i;

	if (worker_nthreads == 0)
		return;
	pthread_mutex_lock(&worker_lock);
	worker_stopping = 1;
	pthread_cond_broadcast(&worker_cond);
	pthread_mutex_unlock(&worker_lock);
	for (i = 0; i < worker_nthreads; i++)
		pthread_join(worker_threads[i], NULL);
	worker_nthreads = 0;
	TAILQ_CONCAT(&worker_done, &worker_queue, entry);
	while ((job = TAILQ_FIRST(&worker_done)) != NULL) {
		TAILQ_REMOVE(&worker_done, job, entry);
		job->gone = 1;
		worker_finish(job);
	}
	event_free(worker_ev);
	worker_ev = NULL;
	close(worker_fd);
	worker_fd = -1;
	worker_stopping = 0;
}
