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
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "kitstockd.h"

#define WORKER_THREADS_MIN	2
#define WORKER_THREADS_MAX	4
#define WORKER_SLICE_USEC	10000	/* an import's slice of the loop */

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
	int			 slicing;	/* its writes run (worker_write) */
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
static struct worker_list worker_held = TAILQ_HEAD_INITIALIZER(worker_held);
static struct worker_job *worker_current;	/* in its done */

/*
 * An import's writes, in slices (worker_write): one at a time, holding
 * the loop's connection (store_exclusive) from its BEGIN to its COMMIT.
 */
struct worker_slices {
	struct worker_job	*job;
	int			(*write)(struct req *, void *);
	void			*arg;
	void			(*release)(void *);
	struct event		*ev;
	struct timespec		 start;		/* of the slice running */
	int			 steps;
	int			 over;		/* once over, until the next */
};
static struct worker_slices worker_sl;
static const char *worker_slice_hold;	/* tests: slices wait for it */
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
static void worker_answer(struct worker_job *);
static void worker_slice_cb(evutil_socket_t, short, void *);
enum worker_end { WORKER_END_QUIET, WORKER_END_RESUME, WORKER_END_STOP };
static void worker_slices_end(int, enum worker_end);
static void worker_slice_next(void);

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
 * Run run(arg) off the loop for no request (the labels a receiving
 * queued, sent after its COMMIT), then done(NULL, arg) on the loop; at
 * exit, a job not yet run gets done(NULL, arg) without run. It counts
 * against the cap in all as the daemon's own ("kitstockd"): its caller
 * bounds how many it has. 0, or -1 if no thread can run it (arg is still
 * the caller's).
 */
int
worker_detach(struct event_base *base, worker_run_cb run, worker_done_cb done,
    void *arg)
{
	struct worker_job *job;

	if (worker_start(base) != 0)
		return (-1);
	job = xcalloc(1, sizeof *job);
	job->run = run;
	job->done = done;
	job->arg = arg;
	job->peer = xstrdup("kitstockd");
	job->gone = 1;
	LIST_INSERT_HEAD(&worker_jobs, job, all);
	worker_count++;
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
	if (job->gone) {
		job->done(NULL, job->arg);
		if (job->answer != NULL)	/* none if detached */
			req_free(job->answer);
		worker_release(job);
		return;
	}
	job->evcon = evhttp_request_get_connection(job->ev);
	worker_current = job;
	job->done(job->answer, job->arg);
	worker_current = NULL;
	if (!job->slicing)
		worker_answer(job);
}

/* Send a job's answer, or free it if its client has gone. */
static void
worker_answer(struct worker_job *job)
{
	struct bufferevent *bev;

	if (job->gone) {
		req_free(job->answer);
		worker_release(job);
		return;
	}
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
	uint64_t n;

	while (read(fd, &n, sizeof n) == -1 && errno == EINTR)
		;
	pthread_mutex_lock(&worker_lock);
	TAILQ_CONCAT(&worker_held, &worker_done, entry);
	pthread_mutex_unlock(&worker_lock);
	worker_finish_held();
}

/*
 * Answer the jobs back from the workers; while an import holds the
 * database, those of a write (an import, a print recorded) and the
 * daemon's own (detached: they record) wait for its end: reads' answers
 * (labels) go on.
 */
void
worker_finish_held(void)
{
	struct worker_list keep = TAILQ_HEAD_INITIALIZER(keep);
	struct worker_job *job;

	while ((job = TAILQ_FIRST(&worker_held)) != NULL) {
		TAILQ_REMOVE(&worker_held, job, entry);
		if (store_exclusive() && (job->answer == NULL ||
		    job->answer->route == NULL || job->answer->route->write))
			TAILQ_INSERT_TAIL(&keep, job, entry);
		else
			worker_finish(job);
	}
	TAILQ_CONCAT(&worker_held, &keep, entry);
}

/*
 * For a job's done: write(req, arg) in a transaction of its own, after
 * the open group is committed (store_begin), committed before the answer.
 * write is called again on later turns of the loop while it answers 1
 * (more to write: it stops when worker_slice_over says so), so that other
 * events run between its slices; meanwhile the import holds the loop's
 * connection (store_exclusive: requests that need the database wait in
 * http.c, the doors of store.c refuse anyone else). write answers 0 to
 * keep (its answer stands if the COMMIT does, else the store's refusal
 * replaces it), -1 to roll back. arg is ours: freed with free(arg) at the
 * end. A client that goes away meanwhile changes nothing: the import
 * commits or not, and nothing is sent.
 */
void
worker_write(struct req *req, int (*write)(struct req *, void *), void *arg,
    void (*release)(void *))
{
	enum store_status status;

	if (worker_current == NULL || worker_sl.job != NULL)
		fatalx("worker_write: not in a job's done, or twice");
	if ((status = store_begin()) != STORE_OK) {
		api_reply_store(req, status, "");
		release(arg);
		return;
	}
	if (worker_sl.ev == NULL) {
		worker_slice_hold = getenv("KITSTOCKD_TEST_SLICE_HOLD");
		if ((worker_sl.ev = event_new(evhttp_connection_get_base(
		    worker_current->evcon), -1, 0, worker_slice_cb,
		    &worker_sl)) ==
		    NULL || event_priority_set(worker_sl.ev,
		    HTTP_PRIORITIES - 1) != 0)
			fatalx("worker: slice event");
	}
	worker_sl.job = worker_current;
	worker_sl.write = write;
	worker_sl.arg = arg;
	worker_sl.release = release;
	worker_sl.job->slicing = 1;
	log_debug("worker: the import of %s writes in slices",
	    worker_sl.job->peer);
	store_exclusive_begin();
	worker_slice_cb(-1, 0, NULL);		/* the first slice, at once */
}

/* One slice of an import's writes: on, or the end. */
static void
worker_slice_cb(evutil_socket_t fd, short events, void *arg)
{
	int rc;

	if (worker_slice_hold != NULL && access(worker_slice_hold, F_OK) ==
	    0 && arg != NULL) {
		worker_slice_next();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &worker_sl.start);
	worker_sl.steps = worker_sl.over = 0;
	store_exclusive_enter(1);
	rc = worker_sl.write(worker_sl.job->answer, worker_sl.arg);
	store_exclusive_enter(0);
	if (rc == 1)
		worker_slice_next();
	else		/* at once (arg NULL): worker_finish answers */
		worker_slices_end(rc, arg != NULL ? WORKER_END_RESUME :
		    WORKER_END_QUIET);
}

/*
 * The next slice: on the next turn, after every other event ready. A
 * timeout of zero, not event_active: libevent runs an event activated
 * from its own callback again in the same turn, without polling.
 */
static void
worker_slice_next(void)
{
	struct timeval tv = { 0, 0 };

	if (worker_slice_hold != NULL && access(worker_slice_hold, F_OK) == 0)
		tv.tv_usec = 10000;
	event_add(worker_sl.ev, &tv);
}

/*
 * Has the slice running had its time (about 10 ms)? The import's write
 * asks between two rows. With KITSTOCKD_TEST_SLICE_HOLD (tests), a slice
 * is 100 rows, whatever the machine's speed.
 */
int
worker_slice_over(void)
{
	struct timespec now;
	long long us;

	if (worker_sl.over)
		return (1);
	if (++worker_sl.steps % 16 != 0 && worker_slice_hold == NULL)
		return (0);
	if (worker_slice_hold != NULL)
		return (worker_sl.over = worker_sl.steps >= 100);
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (now.tv_sec - worker_sl.start.tv_sec) * 1000000LL +
	    (now.tv_nsec - worker_sl.start.tv_nsec) / 1000;
	return (worker_sl.over = us >= WORKER_SLICE_USEC);
}

/*
 * The import's end: COMMIT (durable) or ROLLBACK, its answer (QUIET:
 * worker_finish sends it), then the database is everyone's again: the
 * requests, the jobs and the loop's own users that waited run, in the
 * order they came (not when the daemon stops: STOP).
 */
static void
worker_slices_end(int rc, enum worker_end how)
{
	struct worker_job *job = worker_sl.job;
	struct req *req = job->answer;
	enum store_status status;

	store_exclusive_enter(1);
	if (rc != 0)
		store_rollback();
	else if ((status = store_commit()) != STORE_OK) {
		req->status = 0;
		api_reply_store(req, status, "");
	}
	store_exclusive_end();
	worker_sl.release(worker_sl.arg);
	worker_sl.job = NULL;
	worker_sl.arg = NULL;
	job->slicing = 0;
	if (how == WORKER_END_QUIET)
		return;
	worker_answer(job);
	if (how == WORKER_END_STOP)
		return;
	http_unpark();
	worker_finish_held();
	if (!store_exclusive())
		store_exclusive_resume();
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
	if (worker_sl.job != NULL) {	/* an import cut short: undone */
		event_del(worker_sl.ev);
		worker_sl.job->gone = 1;
		worker_slices_end(-1, WORKER_END_STOP);
	}
	if (worker_sl.ev != NULL) {
		event_free(worker_sl.ev);
		worker_sl.ev = NULL;
	}
	TAILQ_CONCAT(&worker_done, &worker_held, entry);
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
