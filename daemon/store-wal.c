/*
 * WAL checkpoints off the loop. SQLite's own automatic checkpoint runs
 * inside the COMMIT that passes 1000 frames: it copies the pages back into
 * the database file and syncs that file, on the loop, while no request is
 * read. At 1,000 scans/s that came every quarter of a second and took 2 to
 * 10 ms (about five commits), which was the steady state's p99.
 *
 * So the loop only watches the WAL grow (a WAL hook after each COMMIT),
 * and a thread with a connection of its own copies the frames back, with
 * PASSIVE checkpoints: they never take the writer's lock, so they never
 * make a write wait, and they sync the database file as SQLite would
 * (synchronous=FULL). The WAL starts again from its beginning at the first
 * write after a checkpoint that caught up. Should the thread fall far
 * behind, the loop checkpoints itself, as SQLite would have.
 *
 * The daemon's only thread besides libusb's: it touches nothing but its
 * connection and the few variables below (under wal_lock and wal_ckpt).
 *
 * A reader (an export) keeps the WAL from starting again while it is
 * open: no checkpoint may copy back the frames written after its
 * snapshot, and every write goes on growing the file. So, bounded:
 *  - journal_size_limit: when the WAL starts again, its file is cut
 *    back to WAL_LIMIT;
 *  - once a second the loop looks (store_wal_tick): a round of the thread
 *    that could not copy everything is asked again; a WAL file past
 *    WAL_LIMIT is checkpointed and emptied (TRUNCATE) on the loop as soon
 *    as no reader holds it and no COMMIT came for a second (while writes
 *    go on, the WAL starting again cuts it back), so it is back under
 *    WAL_LIMIT within a second or two of the last stalled reader's end;
 *  - an export whose client takes nothing for request-timeout is closed
 *    by libevent (its write timeout), which ends its reader;
 *  - past wal-max bytes while readers hold it back (the thread's last
 *    round could not copy every frame), the oldest reader is ended (its
 *    export cut, logged), then the next oldest while a round begun after
 *    that still cannot copy every frame (a second or two each);
 *  - an erasure's TRUNCATE that finds a reader is retried every second;
 *    after request-timeout every reader is ended so that it runs: the
 *    erased pages are gone from the WAL by then (store_wal_purge_by).
 */

#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "kitstockd.h"

#define WAL_FRAMES	1000  /* frames that ask for a checkpoint */
#define WAL_FRAMES_MORE 250   /* and again after this many more */
#define WAL_FRAMES_MAX	16000 /* past this the loop checkpoints too */
#define WAL_LIMIT	16777216 /* bytes (16 MB): journal_size_limit */
#define WAL_TICK	1     /* seconds between the loop's looks */
#define STORE_WAL_STRING(x)	STORE_WAL_STRING_(x)
#define STORE_WAL_STRING_(x)	#x

static pthread_t wal_thread;
static pthread_mutex_t wal_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wal_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t wal_ckpt = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *wal_db; /* the thread's connection */
static int wal_running;
static int wal_wanted;	  /* under wal_lock */
static int wal_stopping;  /* under wal_lock */
static int wal_asked_at;  /* frames when the loop last asked */
static int wal_inline_at; /* frames at the loop's last checkpoint */
static int wal_behind;	  /* under wal_lock: the last round left frames */
static unsigned long wal_rounds; /* under wal_lock: rounds ended */
static unsigned long wal_cut_round; /* wal_rounds when a reader was ended */
static struct event *wal_tick_ev;
static int wal_timeout = REQUEST_TIMEOUT_DEFAULT; /* request-timeout */
static long long wal_max = WAL_MAX_DEFAULT * 1024LL * 1024;
static int wal_cutting;		/* past wal-max, readers being ended */
static time_t wal_purge_since;	/* an erasure waits for its TRUNCATE */
static int wal_last_rc = SQLITE_OK;
static unsigned long wal_commits, wal_commits_seen; /* COMMITs, by the hook */

static int store_wal_hook(void *, sqlite3 *, const char *, int);
static void *store_wal_main(void *);
static int store_wal_truncate(int);
static void store_wal_tick(int, short, void *);

/* After each COMMIT on the loop: how long the WAL has grown. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	wal_commits++;
	if (frames < wal_asked_at || frames < wal_inline_at)
		wal_asked_at = wal_inline_at = 0; /* the WAL started again */
	if (frames >= WAL_FRAMES_MAX && frames >= wal_inline_at + WAL_FRAMES) {
		/* Far behind (a long reader, a flood): as SQLite would. */
		wal_inline_at = frames;
		if (pthread_mutex_trylock(&wal_ckpt) == 0) {
			sqlite3_wal_checkpoint_v2(db, name,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
			pthread_mutex_unlock(&wal_ckpt);
		}
		return (SQLITE_OK);
	}
	/*
	 * Once past WAL_FRAMES, a round every WAL_FRAMES_MORE frames: one
	 * that ends before the next write lets the WAL start again; asking
	 * after every COMMIT would sync the database file as often.
	 */
	if (frames >= WAL_FRAMES && frames >= wal_asked_at + WAL_FRAMES_MORE) {
		wal_asked_at = frames;
		pthread_mutex_lock(&wal_lock);
		if (!wal_wanted) {
			wal_wanted = 1;
			pthread_cond_signal(&wal_cond);
		}
		pthread_mutex_unlock(&wal_lock);
	}
	return (SQLITE_OK);
}

/*
 * The thread: one PASSIVE checkpoint each time the loop asks. One that
 * could not copy every frame (a reader's snapshot is older, or it was
 * busy) is noted: the loop asks again at its next look.
 */
static void *
store_wal_main(void *arg)
{
	int rc, nlog, nckpt;

	pthread_mutex_lock(&wal_lock);
	for (;;) {
		while (!wal_wanted && !wal_stopping)
			pthread_cond_wait(&wal_cond, &wal_lock);
		if (wal_stopping)
			break;
		wal_wanted = 0;
		pthread_mutex_unlock(&wal_lock);

		pthread_mutex_lock(&wal_ckpt);
		nlog = nckpt = 0;
		rc = sqlite3_wal_checkpoint_v2(wal_db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
		pthread_mutex_unlock(&wal_ckpt);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("checkpoint: %s", sqlite3_errstr(rc));

		pthread_mutex_lock(&wal_lock);
		wal_behind = rc != SQLITE_OK || nckpt < nlog;
		wal_rounds++;
	}
	pthread_mutex_unlock(&wal_lock);
	return (NULL);
}

/*
 * Start checkpointing on the thread (after daemon(): a thread does not
 * survive a fork). If it cannot start, SQLite's own checkpoints stay.
 */
int
store_wal_start(void)
{
	sqlite3 *db = store_connection();
	const char *path = store_file();

	if (wal_running || db == NULL || path == NULL ||
	    strcmp(path, ":memory:") == 0 ||
	    sqlite3_db_readonly(db, "main") != 0)
		return (-1);
	/* Cut back to WAL_LIMIT when it starts again (and on close). */
	if (sqlite3_exec(db, "PRAGMA journal_size_limit = "
	    STORE_WAL_STRING(WAL_LIMIT), NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("journal_size_limit: %s", sqlite3_errmsg(db));
	if (sqlite3_open_v2(path, &wal_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(wal_db, "PRAGMA synchronous = FULL;"
		" PRAGMA journal_size_limit = " STORE_WAL_STRING(WAL_LIMIT),
		NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("checkpoints stay on the loop: %s",
		    wal_db != NULL ? sqlite3_errmsg(wal_db) : "out of memory");
		sqlite3_close(wal_db);
		wal_db = NULL;
		return (-1);
	}
	wal_wanted = wal_stopping = wal_asked_at = wal_inline_at = 0;
	wal_behind = 0;
	if (pthread_create(&wal_thread, NULL, store_wal_main, NULL) != 0) {
		log_warnx("checkpoints stay on the loop: no thread");
		sqlite3_close(wal_db);
		wal_db = NULL;
		return (-1);
	}
	wal_running = 1;
	/* Replaces SQLite's automatic checkpoint (also a WAL hook). */
	sqlite3_wal_hook(db, store_wal_hook, NULL);
	return (0);
}

/* Stop the thread (before the store closes); SQLite's checkpoints again. */
void
store_wal_stop(void)
{
	sqlite3 *db = store_connection();

	if (wal_tick_ev != NULL) {
		event_free(wal_tick_ev);
		wal_tick_ev = NULL;
	}
	if (!wal_running)
		return;
	if (db != NULL)
		sqlite3_wal_autocheckpoint(db, WAL_FRAMES);
	pthread_mutex_lock(&wal_lock);
	wal_stopping = 1;
	pthread_cond_signal(&wal_cond);
	pthread_mutex_unlock(&wal_lock);
	pthread_join(wal_thread, NULL);
	sqlite3_close(wal_db);
	wal_db = NULL;
	wal_running = 0;
}

/* request-timeout (how long a reader may hold the WAL) and wal-max. */
void
store_wal_configure(const struct config *c)
{
	wal_timeout = c->request_timeout;
	wal_max = c->wal_max;
}

/* Seconds an export may go without its client taking data. */
int
store_wal_timeout(void)
{
	return (wal_timeout);
}

/* Look at the WAL once a second, on the loop (a file database only). */
void
store_wal_watch(struct event_base *base)
{
	struct timeval tv = { WAL_TICK, 0 };
	sqlite3 *db = store_connection();
	const char *path = store_file();

	if (wal_tick_ev != NULL || db == NULL || path == NULL ||
	    strcmp(path, ":memory:") == 0 ||
	    sqlite3_db_readonly(db, "main") != 0)
		return;
	if ((wal_tick_ev = event_new(base, -1, EV_PERSIST, store_wal_tick,
	    NULL)) == NULL || event_add(wal_tick_ev, &tv) != 0)
		fatalx("cannot start the WAL timer");
}

/* The WAL file's size in bytes (0 if there is none). */
long long
store_wal_size(void)
{
	const char *path = store_file();
	struct stat st;
	char *wal;
	long long size = 0;

	if (path == NULL || strcmp(path, ":memory:") == 0)
		return (0);
	xasprintf(&wal, "%s-wal", path);
	if (stat(wal, &st) == 0)
		size = st.st_size;
	free(wal);
	return (size);
}

/*
 * A TRUNCATE checkpoint on the loop's connection: it copies back what the
 * thread has not, then empties the WAL file. Never inside the group's
 * open transaction; with wait, after a round the thread is running, else
 * not now. SQLite's code: SQLITE_BUSY while a reader still reads the WAL.
 */
static int
store_wal_truncate(int wait)
{
	sqlite3 *db = store_connection();
	int rc;

	if (db == NULL || store_in_transaction())
		return (SQLITE_BUSY);
	if (wait)
		pthread_mutex_lock(&wal_ckpt);
	else if (pthread_mutex_trylock(&wal_ckpt) != 0)
		return (SQLITE_BUSY);
	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	pthread_mutex_unlock(&wal_ckpt);
	if (rc == SQLITE_OK) {
		wal_asked_at = wal_inline_at = 0;
		pthread_mutex_lock(&wal_lock);
		wal_behind = 0;
		pthread_mutex_unlock(&wal_lock);
	} else if (rc != SQLITE_BUSY && rc != wal_last_rc)
		log_warnx("checkpoint: %s", sqlite3_errmsg(db));
	wal_last_rc = rc;
	return (rc);
}

/*
 * After an erasure's COMMIT: empty the WAL now, or retry every second
 * until it is (0: done now).
 */
int
store_wal_purge(void)
{
	if (store_wal_truncate(1) == SQLITE_OK) {
		wal_purge_since = 0;
		return (0);
	}
	if (wal_purge_since == 0) {
		wal_purge_since = store_monotonic();
		log_warnx("erasure: a reader holds the WAL: its checkpoint is "
		    "retried every second, and readers are ended in %d s if "
		    "they still hold it", wal_timeout);
	}
	return (-1);
}

/*
 * For an erasure being made: 0 if its checkpoint will find the WAL free
 * (no reader is open: the erased bytes are gone once it is committed),
 * else 1 and by when they will be at the latest (*by, wall clock): the
 * readers open end within request-timeout, or are ended then.
 */
int
store_wal_purge_by(time_t *by)
{
	time_t oldest, since;

	*by = 0;
	if (store_reader_count(&oldest) == 0 && wal_purge_since == 0)
		return (0);
	since = wal_purge_since != 0 ? wal_purge_since : store_monotonic();
	*by = time(NULL) + (since + wal_timeout - store_monotonic()) +
	    2 * WAL_TICK;
	return (1);
}

/* The loop's look at the WAL, once a second. */
static void
store_wal_tick(int fd, short events, void *arg)
{
	long long size = store_wal_size();
	time_t now = store_monotonic(), oldest;
	unsigned long rounds;
	int readers, behind, idle;

	readers = store_reader_count(&oldest);
	pthread_mutex_lock(&wal_lock);
	behind = wal_behind;
	rounds = wal_rounds;
	if (behind && wal_running && !wal_wanted) {
		wal_wanted = 1;		/* again: not only logged */
		pthread_cond_signal(&wal_cond);
	}
	pthread_mutex_unlock(&wal_lock);
	if (!wal_running)
		behind = readers > 0;	/* no thread to tell */

	/*
	 * The hard bound, while readers keep the thread from copying every
	 * frame back: the oldest, then the next once a round begun after
	 * that (the second since) still could not.
	 */
	if (size <= wal_max)
		wal_cutting = 0;
	else if (readers > 0 && behind && (!wal_cutting ||
	    rounds >= wal_cut_round + 2 || !wal_running)) {
		log_warnx("the WAL is %lld MB, past wal-max (%lld MB), held "
		    "back by %d reader(s): ending the oldest, open for %lld s",
		    size >> 20, wal_max >> 20, readers, (long long)oldest);
		wal_cutting = 1;
		wal_cut_round = rounds;
		store_reader_cut(0, "the WAL passed wal-max");
		readers = store_reader_count(&oldest);
	}

	/* An erasure has waited request-timeout: no reader stops it now. */
	if (wal_purge_since != 0 && now - wal_purge_since >= wal_timeout &&
	    readers > 0) {
		log_warnx("erasure: its checkpoint waited %d s: ending %d "
		    "reader(s)", wal_timeout, readers);
		store_reader_cut(1, "an erasure's checkpoint waited "
		    "request-timeout");
		behind = 0;
	}

	idle = wal_commits == wal_commits_seen;
	wal_commits_seen = wal_commits;
	if (wal_purge_since != 0 || (size > WAL_LIMIT && !behind && idle)) {
		if (store_wal_truncate(0) != SQLITE_OK) {
			if (wal_purge_since != 0 &&
			    now - wal_purge_since >= wal_timeout + 5)
				wal_purge_since = now; /* not a reader */
			return;
		}
		if (wal_purge_since != 0)
			log_info("erasure: the WAL is checkpointed and "
			    "emptied, %lld s after",
			    (long long)(now - wal_purge_since));
		wal_purge_since = 0;
	}
}
