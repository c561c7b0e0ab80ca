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
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

#define WAL_FRAMES	1000  /* frames that ask for a checkpoint */
#define WAL_FRAMES_MORE 250   /* and again after this many more */
#define WAL_FRAMES_MAX	16000 /* past this the loop checkpoints too */

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

static int store_wal_hook(void *, sqlite3 *, const char *, int);
static void *store_wal_main(void *);

/* After each COMMIT on the loop: how long the WAL has grown. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
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

/* The thread: one PASSIVE checkpoint each time the loop asks. */
static void *
store_wal_main(void *arg)
{
	int rc;

	pthread_mutex_lock(&wal_lock);
	for (;;) {
		while (!wal_wanted && !wal_stopping)
			pthread_cond_wait(&wal_cond, &wal_lock);
		if (wal_stopping)
			break;
		wal_wanted = 0;
		pthread_mutex_unlock(&wal_lock);

		pthread_mutex_lock(&wal_ckpt);
		rc = sqlite3_wal_checkpoint_v2(wal_db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_unlock(&wal_ckpt);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("checkpoint: %s", sqlite3_errstr(rc));

		pthread_mutex_lock(&wal_lock);
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
	if (sqlite3_open_v2(path, &wal_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(wal_db, "PRAGMA synchronous = FULL", NULL, NULL,
		NULL) != SQLITE_OK) {
		log_warnx("checkpoints stay on the loop: %s",
		    wal_db != NULL ? sqlite3_errmsg(wal_db) : "out of memory");
		sqlite3_close(wal_db);
		wal_db = NULL;
		return (-1);
	}
	wal_wanted = wal_stopping = wal_asked_at = wal_inline_at = 0;
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

/*
 * Run a checkpoint on the loop's connection (mode as SQLite's), waiting
 * for one the thread may be running: an erasure's TRUNCATE must not be
 * refused because the thread was busy.
 */
int
store_wal_checkpoint(int mode)
{
	sqlite3 *db = store_connection();
	int rc;

	pthread_mutex_lock(&wal_ckpt);
	rc = sqlite3_wal_checkpoint_v2(db, NULL, mode, NULL, NULL);
	pthread_mutex_unlock(&wal_ckpt);
	return (rc);
}
