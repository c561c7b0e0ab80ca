/*
 * The store: one SQLite database, WAL, synchronous=FULL, foreign keys.
 * Migrations by user_version, statements prepared once and kept, and one
 * door for writes (store_begin / store_commit) so that a change and its
 * ledger rows land together, durably, or not at all.
 */

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kitstockd.h"

/*
 * Free heap glibc keeps before giving the top of its heap back. Its
 * default, 128 KB, was crossed at every scan: SQLite's statement journal,
 * held in memory for each write statement and freed at its end, made one
 * brk down and one up per scan, and as the checkpoint thread shares the
 * address space each shrink flushed the TLB on both CPUs by interrupt (perf:
 * 40% of the in-process scan's time, 2 to 4 times fewer scans a second;
 * until a large free raised glibc's own threshold, which is why rates
 * jumped after a long run).
 */
#define STORE_TRIM_THRESHOLD	(8 * 1024 * 1024)

#define STORE_STRING(x)	STORE_STRING_(x)
#define STORE_STRING_(x)	#x

static sqlite3 *store_db;
static struct stmt *store_stmts;
struct store_named {
	char			*sql;
	sqlite3_stmt		*s;
	struct store_named	*next;
};
static struct store_named *store_named;	/* store_prepare_named's */
static char *store_path;

/*
 * The files we write, as they were when we opened them (the WAL once
 * SQLite has made it): a write is acknowledged only while the paths still
 * name them. Removed or replaced under us, they would take acknowledged
 * writes with them at the next start.
 */
struct store_id {
	int	known;
	dev_t	dev;
	ino_t	ino;
};
static struct store_id store_id_db, store_id_wal;
static char *store_wal_path;
static int store_moved;		/* the last check found them replaced */
static int store_moved_in_commit; /* the last COMMIT went to files gone */

/*
 * Below this much free space the database is said full (/v1/health); so
 * it is after a write failed for want of space, until space returns.
 */
#define STORE_FREE_MIN		(1024 * 1024)
static int store_full_failed;
static unsigned long long store_full_free;

static int store_exec(const char *, char **);
static void store_create(const char *);
static int store_id_take(struct store_id *, const char *);
static int store_ours(void);
static unsigned long long store_free(void);
static int store_migrate(char **);
static int store_backup(int, char **);

/* Run SQL without results. */
static int
store_exec(const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(store_db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s", err != NULL ? err :
		    sqlite3_errmsg(store_db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Copy the database aside before migrating it. */
static int
store_backup(int version, char **cause)
{
	char *path;
	int rc;

	xasprintf(&path, "%s.v%d-%ld.bak", store_path, version,
	    (long)time(NULL));
	if ((rc = store_backup_to(path, cause)) == 0)
		log_info("database backed up to %s before migration", path);
	free(path);
	return (rc);
}

/*
 * A consistent copy of the database into a new file, with SQLite's online
 * backup, while we serve (the loop waits for it: the database is small).
 */
int
store_backup_to(const char *path, char **cause)
{
	sqlite3 *dst;
	sqlite3_backup *b;
	int rc;

	store_create(path);
	if (sqlite3_open(path, &dst) != SQLITE_OK) {
		xasprintf(cause, "backup %s: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return (-1);
	}
	if ((b = sqlite3_backup_init(dst, "main", store_db, "main")) == NULL)
		rc = sqlite3_errcode(dst);
	else {
		rc = sqlite3_backup_step(b, -1);
		sqlite3_backup_finish(b);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		xasprintf(cause, "backup %s: %s", path, sqlite3_errstr(rc));
	else if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK)
		log_warnx("backup %s: %s", path, sqlite3_errmsg(dst));
	if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK) {
		xasprintf(cause, "backup %s: cannot close", path);
		rc = SQLITE_ERROR;
	}
	return (rc == SQLITE_OK ? 0 : -1);
}

/* Bring the schema to the binary's version, one transaction per step. */
static int
store_migrate(char **cause)
{
	char *sql, *err = NULL;
	int version, i;

	version = store_schema_version();
	if (version > store_nmigrations) {
		xasprintf(cause, "database schema version %d is newer than this "
		    "kitstockd (%d): use a newer kitstockd", version,
		    store_nmigrations);
		return (-1);
	}
	if (version > 0 && version < store_nmigrations &&
	    strcmp(store_path, ":memory:") != 0 &&
	    store_backup(version, cause) != 0)
		return (-1);
	for (i = version; i < store_nmigrations; i++) {
		xasprintf(&sql, "BEGIN IMMEDIATE; %s; PRAGMA user_version = %d;"
		    " COMMIT;", store_migrations[i], i + 1);
		if (sqlite3_exec(store_db, sql, NULL, NULL, &err) != SQLITE_OK) {
			xasprintf(cause, "migration %d: %s", i + 1,
			    err != NULL ? err : sqlite3_errmsg(store_db));
			sqlite3_free(err);
			sqlite3_exec(store_db, "ROLLBACK", NULL, NULL, NULL);
			free(sql);
			return (-1);
		}
		free(sql);
		log_debug("database migrated to version %d", i + 1);
	}
	return (0);
}

/*
 * A new database is its owner's alone (0600 whatever the umask, also when
 * started by hand as root): SQLite gives its -wal and -shm the same mode.
 * An empty file is an empty database to SQLite.
 */
static void
store_create(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0)
		return;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) != -1)
		close(fd);
}

/* Note which file path names now; -1 if none does. */
static int
store_id_take(struct store_id *id, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return (-1);
	id->dev = sb.st_dev;
	id->ino = sb.st_ino;
	id->known = 1;
	return (0);
}

/* Does path still name the file noted? */
static int
store_id_same(const struct store_id *id, const char *path)
{
	struct stat sb;

	return (stat(path, &sb) == 0 && sb.st_dev == id->dev &&
	    sb.st_ino == id->ino);
}

/*
 * Are the database and its WAL still the files at their paths (a stat of
 * each, once per group commit)? Logged when that changes.
 */
static int
store_ours(void)
{
	int ours;

	if (!store_id_db.known)		/* :memory:, or read-only */
		return (1);
	ours = store_id_same(&store_id_db, store_path) &&
	    (store_id_wal.known ? store_id_same(&store_id_wal,
	    store_wal_path) : store_id_take(&store_id_wal,
	    store_wal_path) == 0);
	if (ours == store_moved) {
		store_moved = !ours;
		if (ours)
			log_info("database %s is back in place: writes are "
			    "accepted again", store_path);
		else
			log_warnx("database %s or its -wal was removed or "
			    "replaced while we serve it: writes are refused "
			    "until it is put back or kitstockd restarts",
			    store_path);
	}
	return (ours);
}

/* Free space beside the database, in bytes (as much as we may use). */
static unsigned long long
store_free(void)
{
	struct statvfs sv;

	if (statvfs(store_path, &sv) == -1)
		return (ULLONG_MAX);
	return ((unsigned long long)(geteuid() == 0 ? sv.f_bfree :
	    sv.f_bavail) * sv.f_frsize);
}

int
store_open(const char *path, char **cause)
{
	char *uri;
	int rc;

	store_path = xstrdup(path);
	mallopt(M_TRIM_THRESHOLD, STORE_TRIM_THRESHOLD);
	store_create(path);
	/*
	 * Every connection (this one, a reader's, the checkpoint thread's)
	 * is used by one thread only: none takes SQLite's mutex at each call
	 * (NOMUTEX: the mutex was a tenth of the evaluation export's time at
	 * 1 M people, perf).
	 */
	rc = sqlite3_open_v2(path, &store_db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, store_db != NULL ?
		    sqlite3_errmsg(store_db) : sqlite3_errstr(rc));
		store_close();
		return (-1);
	}
	if (sqlite3_db_readonly(store_db, "main") == 1) {
		/*
		 * A database we may not write (file mode, read-only mount)
		 * is served for reading; writes get 503. Reading a WAL
		 * database needs its -shm file, which a read-only directory
		 * cannot hold: nothing writes this one while we serve it, so
		 * open it immutable. It must be at this binary's version.
		 */
		sqlite3_close(store_db);
		xasprintf(&uri, "file:%s?mode=ro&immutable=1", path);
		rc = sqlite3_open_v2(uri, &store_db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
		if (rc != SQLITE_OK) {
			xasprintf(cause, "%s: %s", path, sqlite3_errmsg(store_db));
			store_close();
			return (-1);
		}
		sqlite3_extended_result_codes(store_db, 1);
		if (store_schema_version() != store_nmigrations) {
			xasprintf(cause, "%s is read-only and at schema version "
			    "%d, not %d: it cannot be migrated", path,
			    store_schema_version(), store_nmigrations);
			store_close();
			return (-1);
		}
		log_warnx("database %s is read-only: serving reads only", path);
		return (0);
	}
	sqlite3_extended_result_codes(store_db, 1);
	sqlite3_busy_timeout(store_db, 0);
	if (store_exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
	    " PRAGMA secure_delete = ON;", cause) != 0) {
		store_close();
		return (-1);
	}
	if (store_exec("PRAGMA journal_mode = WAL", cause) != 0 ||
	    store_migrate(cause) != 0) {
		store_close();
		return (-1);
	}
	if (store_tally_open() != STORE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(store_db));
		store_close();
		return (-1);
	}
	/* The migrations' reads have made the WAL: note both files. */
	if (strcmp(path, ":memory:") != 0) {
		xasprintf(&store_wal_path, "%s-wal", path);
		if (store_id_take(&store_id_db, path) == -1 ||
		    store_id_take(&store_id_wal, store_wal_path) == -1)
			log_warn("%s", store_id_db.known ? store_wal_path :
			    path);
	}
	return (0);
}

/* Run a script of statements without results (store-tally.c). */
enum store_status
store_script(const char *sql)
{
	int rc;

	store_explain(store_db, sql);
	if ((rc = sqlite3_exec(store_db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return (store_done(NULL, sqlite3_extended_errcode(store_db)));
	return (STORE_OK);
}

void
store_close(void)
{
	struct stmt *st;
	struct store_named *sn;

	store_wal_stop();
	for (st = store_stmts; st != NULL; st = st->next) {
		sqlite3_finalize(st->s);
		st->s = NULL;
	}
	store_stmts = NULL;
	while ((sn = store_named) != NULL) {
		store_named = sn->next;
		sqlite3_finalize(sn->s);
		free(sn->sql);
		free(sn);
	}
	if (store_db != NULL) {
		if (sqlite3_close(store_db) != SQLITE_OK)
			log_warnx("database close: %s", sqlite3_errmsg(store_db));
		store_db = NULL;
	}
	free(store_path);
	store_path = NULL;
	free(store_wal_path);
	store_wal_path = NULL;
	memset(&store_id_db, 0, sizeof store_id_db);
	memset(&store_id_wal, 0, sizeof store_id_wal);
	store_moved = store_full_failed = 0;
	store_explain_close();
}

int
store_schema_version(void)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(store_db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* Is the database writable (for /v1/health)? */
int
store_writable(void)
{
	return (store_unwritable(NULL) == NULL);
}

/*
 * Why the database cannot take a write now, as a sentence, or NULL if it
 * can; *state (if not NULL) is "writable", "read_only", "moved" or
 * "disk_full".
 */
const char *
store_unwritable(const char **state)
{
	const char *dummy, *why = NULL;
	unsigned long long avail;

	if (state == NULL)
		state = &dummy;
	*state = "read_only";
	if (sqlite3_db_readonly(store_db, "main") == 1 ||
	    (strcmp(store_path, ":memory:") != 0 &&
	    (why = store_gone()) == NULL && access(store_path, W_OK) != 0))
		return (_("the database file is read-only to kitstockd: "
		    "reading works, writing does not"));
	if (why != NULL) {
		*state = "moved";
		return (why);
	}
	avail = strcmp(store_path, ":memory:") == 0 ? ULLONG_MAX :
	    store_free();
	if (avail < STORE_FREE_MIN || (store_full_failed &&
	    avail <= store_full_free)) {
		*state = "disk_full";
		/* The size is STORE_FREE_MIN's. */
		return (_("the disk holding the database is full (less than "
		    "1 MiB free, or the last write failed for want of "
		    "space): writes fail until space is freed"));
	}
	*state = "writable";
	return (NULL);
}

/*
 * If the database or its WAL was removed or replaced while we serve it,
 * what to do, as a sentence; else NULL.
 */
const char *
store_gone(void)
{
	static char buf[1024];

	if (store_path == NULL || store_ours())
		return (NULL);
	if (store_moved_in_commit) {
		/* Committed, but into the files that went: not lost. */
		snprintf(buf, sizeof buf, _("the database %s was removed or "
		    "replaced while this change was being committed: it was "
		    "recorded in the removed files, so it is in a backup taken "
		    "now (kitstock backup) and will be back once that backup "
		    "is restored; do not send it again before checking"),
		    store_path);
		return (buf);
	}
	snprintf(buf, sizeof buf, _("the database %s was removed or replaced "
	    "while kitstockd was serving it: nothing was recorded; take a "
	    "backup now (kitstock backup: it still holds every recorded "
	    "change), put it back at that path, and restart kitstockd"),
	    store_path);
	return (buf);
}

/* The database's path. */
const char *
store_file(void)
{
	return (store_path);
}

const char *
store_errmsg(void)
{
	return (sqlite3_errmsg(store_db));
}

/*
 * An import written in slices (worker.c) holds the loop's connection
 * between loop turns, in one transaction: while it does, nothing else may
 * use the connection (it would read the import's uncommitted rows, or
 * write into its transaction). store_exclusive_begin/end bracket the
 * import, store_exclusive_enter/leave each of its slices; outside a slice
 * the doors (prepare, begin, commit, rollback) refuse, and say who asked.
 */
static int store_excl;		/* an import holds the connection */
static int store_excl_in;	/* and one of its slices runs now */

void
store_exclusive_begin(void)
{
	store_excl = 1;
}

void
store_exclusive_end(void)
{
	store_excl = store_excl_in = 0;
}

void
store_exclusive_enter(int in)
{
	store_excl_in = in;
}

int
store_exclusive(void)
{
	return (store_excl);
}

/*
 * The loop's own users of the database (timers, USB scanners) defer
 * themselves while an import holds it: fn runs once it has ended
 * (store_exclusive_resume), once however often it was asked.
 */
#define STORE_LATER_MAX	8
static void (*store_later[STORE_LATER_MAX])(void);

void
store_after_exclusive(void (*fn)(void))
{
	int i;

	for (i = 0; i < STORE_LATER_MAX; i++) {
		if (store_later[i] == fn)
			return;
		if (store_later[i] == NULL) {
			store_later[i] = fn;
			return;
		}
	}
	fatalx("store_after_exclusive: more than %d", STORE_LATER_MAX);
}

void
store_exclusive_resume(void)
{
	void (*run[STORE_LATER_MAX])(void);
	int i;

	memcpy(run, store_later, sizeof run);
	memset(store_later, 0, sizeof store_later);
	for (i = 0; i < STORE_LATER_MAX && run[i] != NULL; i++)
		run[i]();
}

/* May the connection be used now? Else log it (a missed deferral). */
static int
store_excluded(const char *what)
{
	if (!store_excl || store_excl_in)
		return (0);
	log_warnx("store: %s refused: an import holds the database", what);
	return (1);
}

/* Prepare a kept statement on first use. */
sqlite3_stmt *
store_prepare(struct stmt *st)
{
	if (store_excluded(st->sql))
		return (NULL);
	if (st->s == NULL) {
		if (sqlite3_prepare_v3(store_db, st->sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->s, NULL) != SQLITE_OK) {
			log_warnx("prepare: %s: %s", sqlite3_errmsg(store_db),
			    st->sql);
			st->s = NULL;
			return (NULL);
		}
		st->next = store_stmts;
		store_stmts = st;
		store_explain(store_db, st->sql);
	}
	return (st->s);
}

/*
 * A kept statement for SQL made from whitelisted names (a resource's
 * table), found again by its text: preparing a scan's UPDATE, with the
 * triggers on its table, costs more than running it. The texts are few
 * (tables times queries), so a list will do. Reset it with store_done.
 */
sqlite3_stmt *
store_prepare_named(const char *sql)
{
	struct store_named *st;

	if (store_excluded(sql))
		return (NULL);
	for (st = store_named; st != NULL; st = st->next)
		if (strcmp(st->sql, sql) == 0)
			return (st->s);
	st = xcalloc(1, sizeof *st);
	if (sqlite3_prepare_v3(store_db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->s, NULL) != SQLITE_OK) {
		log_warnx("prepare: %s: %s", sqlite3_errmsg(store_db), sql);
		free(st);
		return (NULL);
	}
	st->sql = xstrdup(sql);
	st->next = store_named;
	store_named = st;
	store_explain(store_db, sql);
	return (st->s);
}

/* Prepare a one-off statement (generic queries over whitelisted names). */
sqlite3_stmt *
store_prepare_dynamic(const char *sql)
{
	sqlite3_stmt *s;

	if (store_excluded(sql))
		return (NULL);
	if (sqlite3_prepare_v2(store_db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("prepare: %s: %s", sqlite3_errmsg(store_db), sql);
		return (NULL);
	}
	store_explain(store_db, sql);
	return (s);
}

/* Map a step result, log what is unexpected, reset the statement. */
enum store_status
store_done(sqlite3_stmt *s, int rc)
{
	enum store_status status;

	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		status = STORE_OK;
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		status = STORE_EXISTS;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		status = STORE_BUSY;
		break;
	case SQLITE_FULL:
		log_warnx("database: disk full");
		store_full_failed = 1;
		store_full_free = store_free();
		status = STORE_FULL;
		break;
	case SQLITE_READONLY:
	case SQLITE_READONLY_DBMOVED:
	case SQLITE_IOERR_WRITE:
	case SQLITE_CANTOPEN:
		log_warnx("database: %s", sqlite3_errmsg(store_db));
		status = STORE_READONLY;
		break;
	default:
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			log_debug("constraint: %s", sqlite3_errmsg(store_db));
			status = STORE_INVALID;
		} else if ((rc & 0xff) == SQLITE_READONLY) {
			status = STORE_READONLY;
		} else {
			log_warnx("database: %s: %s", sqlite3_errmsg(store_db),
			    s != NULL ? sqlite3_sql(s) : "");
			status = STORE_ERROR;
		}
	}
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return (status);
}

/* store_done, then finalise a one-off statement. */
enum store_status
store_finish(sqlite3_stmt *s, int rc)
{
	enum store_status status;

	status = store_done(s, rc);
	sqlite3_finalize(s);
	return (status);
}

/*
 * Who commits a transaction left open for a group of requests (http.c):
 * anyone else who needs the database to themselves asks it first.
 */
static void (*store_flush)(void);

void
store_set_flush(void (*fn)(void))
{
	store_flush = fn;
}

/* The one door for writes: BEGIN IMMEDIATE. */
enum store_status
store_begin(void)
{
	static struct stmt q = STMT("BEGIN IMMEDIATE");
	sqlite3_stmt *s;

	if (store_excluded("BEGIN"))
		return (STORE_BUSY);
	if (store_flush != NULL && store_in_transaction())
		store_flush();
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	return (store_done(s, sqlite3_step(s)));
}

/* COMMIT: with synchronous=FULL the change is on disk when this returns. */
enum store_status
store_commit(void)
{
	static struct stmt q = STMT("COMMIT");
	sqlite3_stmt *s;
	enum store_status status;

	if (store_excluded("COMMIT"))
		return (STORE_BUSY);
	store_moved_in_commit = 0;
	/* The report tallies of what changed, in the same transaction. */
	if ((status = store_tally_settle()) != STORE_OK) {
		store_rollback();
		return (status);
	}
	/* Only into the files at our path (store_ours). */
	if (!store_ours()) {
		store_rollback();
		return (STORE_READONLY);
	}
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	status = store_done(s, sqlite3_step(s));
	if (status != STORE_OK)
		store_rollback();
	else if (!store_ours()) {
		status = STORE_READONLY;	/* removed while committing */
		store_moved_in_commit = 1;
	}
	else
		store_full_failed = 0;
	return (status);
}

void
store_rollback(void)
{
	if (store_excluded("ROLLBACK"))
		return;
	if (!sqlite3_get_autocommit(store_db))
		sqlite3_exec(store_db, "ROLLBACK", NULL, NULL, NULL);
}

/* One request inside a group's transaction. */
enum store_status
store_request_begin(void)
{
	static struct stmt q = STMT("SAVEPOINT request");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	return (store_done(s, sqlite3_step(s)));
}

/* Keep (or undo) what the request did; the group stays open. */
enum store_status
store_request_end(int keep)
{
	static struct stmt undo = STMT("ROLLBACK TO request");
	static struct stmt release = STMT("RELEASE request");
	sqlite3_stmt *s;
	enum store_status status;

	if (!store_in_transaction())
		return (STORE_ERROR);	/* SQLite rolled it all back */
	if (!keep) {
		if ((s = store_prepare(&undo)) == NULL)
			return (STORE_ERROR);
		if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
			return (status);
	}
	if ((s = store_prepare(&release)) == NULL)
		return (STORE_ERROR);
	return (store_done(s, sqlite3_step(s)));
}

int
store_in_transaction(void)
{
	return (!sqlite3_get_autocommit(store_db));
}

/*
 * After an erasure: leave no copy of the old pages in the WAL (retried
 * until done: store-wal.c).
 */
void
store_checkpoint(void)
{
	store_wal_purge();
}

/* The connection itself, for store-wal.c. */
struct sqlite3 *
store_connection(void)
{
	return (store_db);
}

/*
 * Readers: a connection of its own, read-only, for a long read (an export
 * sent in chunks while the loop serves other requests and commits
 * writes). It holds one read transaction from store_reader_open to
 * store_reader_close: WAL gives it the database as it was when it opened,
 * whatever commits meanwhile. Its page cache is bounded (STORE_READER_KB),
 * so is the memory of its sorts. A :memory: database (the unit tests) has
 * no second connection: its reader reads on the one connection.
 */
#define STORE_READER_KB		2048
struct store_reader {
	sqlite3			*db;
	int			 shared;	/* store_db itself */
	struct store_named	*stmts;
	time_t			 since;	/* snapshot taken (monotonic) */
	void			(*cut)(void *, const char *);
	void			*arg;
	TAILQ_ENTRY(store_reader) entry;
};
/* The readers with a connection of their own, oldest first. */
static TAILQ_HEAD(, store_reader) store_readers =
    TAILQ_HEAD_INITIALIZER(store_readers);
static int store_nreaders;

/* Seconds on a clock that only goes forward. */
time_t
store_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

struct store_reader *
store_reader_open(void)
{
	struct store_reader *r;
	char *uri;
	int rc;

	if (store_db == NULL)
		return (NULL);
	r = xcalloc(1, sizeof *r);
	if (strcmp(store_path, ":memory:") == 0) {
		r->db = store_db;
		r->shared = 1;
		return (r);
	}
	if (sqlite3_db_readonly(store_db, "main") == 1)
		xasprintf(&uri, "file:%s?mode=ro&immutable=1", store_path);
	else
		xasprintf(&uri, "file:%s?mode=ro", store_path);
	rc = sqlite3_open_v2(uri, &r->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		log_warnx("reader: %s: %s", store_path, r->db != NULL ?
		    sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, 0);
	/* The snapshot is taken by the first read, here: now. */
	if (sqlite3_exec(r->db, "PRAGMA cache_size = -"
	    STORE_STRING(STORE_READER_KB) "; PRAGMA query_only = ON;"
	    " BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
	    NULL) != SQLITE_OK) {
		log_warnx("reader: %s: %s", store_path, sqlite3_errmsg(r->db));
		goto fail;
	}
	r->since = store_monotonic();
	TAILQ_INSERT_TAIL(&store_readers, r, entry);
	store_nreaders++;
	return (r);
fail:
	sqlite3_close(r->db);
	free(r);
	return (NULL);
}

/* End the read transaction, finalise its statements, close it. */
void
store_reader_close(struct store_reader *r)
{
	struct store_named *sn;

	if (r == NULL)
		return;
	while ((sn = r->stmts) != NULL) {
		r->stmts = sn->next;
		sqlite3_finalize(sn->s);
		free(sn);
	}
	if (!r->shared) {
		TAILQ_REMOVE(&store_readers, r, entry);
		store_nreaders--;
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		if (sqlite3_close(r->db) != SQLITE_OK)
			log_warnx("reader close: %s", sqlite3_errmsg(r->db));
	}
	free(r);
}

/*
 * How its user ends a reader before its end (store_reader_cut): fn(arg,
 * why) must close it.
 */
void
store_reader_on_cut(struct store_reader *r, void (*fn)(void *, const char *),
    void *arg)
{
	r->cut = fn;
	r->arg = arg;
}

/* The readers open, and the age in seconds of the oldest (0: none). */
int
store_reader_count(time_t *oldest)
{
	struct store_reader *r = TAILQ_FIRST(&store_readers);

	*oldest = r != NULL ? store_monotonic() - r->since : 0;
	return (store_nreaders);
}

/*
 * End the oldest reader that can be ended (all with all), saying why to
 * its user; how many were.
 */
int
store_reader_cut(int all, const char *why)
{
	struct store_reader *r;
	void (*fn)(void *, const char *);
	int n = 0;

	do {
		TAILQ_FOREACH(r, &store_readers, entry)
			if (r->cut != NULL)
				break;
		if (r == NULL)
			break;
		fn = r->cut;
		r->cut = NULL;	/* once, even if it does not close */
		fn(r->arg, why);
		n++;
	} while (all);
	return (n);
}

/* A kept statement's SQL prepared on a reader, kept until it closes. */
sqlite3_stmt *
store_reader_prepare(struct store_reader *r, struct stmt *q)
{
	struct store_named *sn;

	sn = xcalloc(1, sizeof *sn);
	if (sqlite3_prepare_v3(r->db, q->sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &sn->s, NULL) != SQLITE_OK) {
		log_warnx("prepare: %s: %s", sqlite3_errmsg(r->db), q->sql);
		free(sn);
		return (NULL);
	}
	sn->next = r->stmts;
	r->stmts = sn;
	return (sn->s);
}

/*
 * Step a reader's statement: *row 1 on a row (read it with store_cell),
 * 0 at its end.
 */
enum store_status
store_reader_step(sqlite3_stmt *s, int *row)
{
	int rc;

	*row = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*row = 1;
		return (STORE_OK);
	}
	if (rc != SQLITE_DONE)
		log_warnx("reader: %s: %s",
		    sqlite3_errmsg(sqlite3_db_handle(s)), sqlite3_sql(s));
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return (STORE_OK);
	return ((rc & 0xff) == SQLITE_BUSY ? STORE_BUSY : STORE_ERROR);
}

/*
 * The next row of a reader's statement as an object (store_row_json), or
 * *row NULL at its end.
 */
enum store_status
store_reader_next(sqlite3_stmt *s, json_t **row)
{
	enum store_status status;
	int more;

	*row = NULL;
	if ((status = store_reader_step(s, &more)) == STORE_OK && more)
		*row = store_row_json(s);
	return (status);
}

/*
 * A page of a statement whose column 0 is an id, run with limit + 1 as its
 * LIMIT: {"items" (up to limit rows), "next": the last id as text if more
 * follow, or null}. The step's last code (SQLITE_DONE once enough was
 * read) is for store_done or store_finish.
 */
int
store_page(sqlite3_stmt *s, long long limit, json_t **out)
{
	json_t *items = json_array();
	char next[32];
	long long n = 0, last = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(items, store_row_json(s));
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	snprintf(next, sizeof next, "%lld", last);
	*out = json_pack("{so so?}", "items", items, "next",
	    n > limit ? json_string(next) : NULL);
	return (rc);
}

/* The index of a statement's column by name, or -1. */
int
store_column(sqlite3_stmt *s, const char *name)
{
	int i, n = sqlite3_column_count(s);

	for (i = 0; i < n; i++)
		if (strcmp(sqlite3_column_name(s, i), name) == 0)
			return (i);
	return (-1);
}

/*
 * A cell of the current row as text, written as store_row_json would
 * (booleans 1 or 0, reals with one decimal, "_cents" in euros), or NULL
 * for SQL NULL; valid until the next step. buf (32 bytes at least) may
 * hold it.
 */
const char *
store_cell(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const char *name, *decl;
	size_t n;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		return (NULL);
	case SQLITE_INTEGER:
		decl = sqlite3_column_decltype(s, i);
		if (decl != NULL && strcmp(decl, "BOOLEAN") == 0)
			return (sqlite3_column_int(s, i) ? "1" : "0");
		name = sqlite3_column_name(s, i);
		if ((n = strlen(name)) > 6 && strcmp(name + n - 6,
		    "_cents") == 0) {
			euros_format(sqlite3_column_int64(s, i), buf, len);
			return (buf);
		}
		break;
	case SQLITE_FLOAT:
		snprintf(buf, len, "%.1f", sqlite3_column_double(s, i));
		return (buf);
	}
	return ((const char *)sqlite3_column_text(s, i));
}

/* Now, as the store writes times: "YYYY-MM-DDTHH:MM:SSZ". */
void
store_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The next sequence number of a table (we are the only writer), past the
 * numbers reserved for pre-printed tags of its letter (tag_reservation).
 */
int64_t
store_next_id(const char *table)
{
	const struct resource *res;
	sqlite3_stmt *s;
	char *sql, letter[2] = "";
	const char *p;
	int64_t id = -1;

	for (p = TAG_LETTERS; *p != '\0'; p++)
		if ((res = resource_by_letter(*p)) != NULL &&
		    strcmp(res->table, table) == 0)
			letter[0] = *p;
	xasprintf(&sql, "SELECT max(coalesce((SELECT max(id) FROM %s), 0),"
	    " coalesce((SELECT max(seq) FROM tag_reservation"
	    " WHERE letter = ?1), 0)) + 1", table);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (-1);
	sqlite3_bind_text(s, 1, letter, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (id);
}

/*
 * A result row as a JSON object named by its columns. Columns ending in
 * "_json" hold JSON text and are decoded; "_cents" become euros strings.
 */
json_t *
store_row_json(sqlite3_stmt *s)
{
	json_t *o, *v;
	const char *name, *text, *decl;
	char *key, buf[32];
	size_t len;
	int i, n;

	o = json_object();
	n = sqlite3_column_count(s);
	for (i = 0; i < n; i++) {
		name = sqlite3_column_name(s, i);
		len = strlen(name);
		key = NULL;
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_NULL:
			v = json_null();
			break;
		case SQLITE_INTEGER:
			decl = sqlite3_column_decltype(s, i);
			if (decl != NULL && strcmp(decl, "BOOLEAN") == 0) {
				v = json_boolean(sqlite3_column_int(s, i));
				break;
			}
			if (len > 6 && strcmp(name + len - 6, "_cents") == 0) {
				euros_format(sqlite3_column_int64(s, i), buf,
				    sizeof buf);
				v = json_string(buf);
				key = xstrndup(name, len - 6);
			} else
				v = json_integer(sqlite3_column_int64(s, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(s, i));
			break;
		default:
			text = (const char *)sqlite3_column_text(s, i);
			if (len > 5 && strcmp(name + len - 5, "_json") == 0) {
				v = json_loads(text, 0, NULL);
				if (v == NULL)
					v = json_null();
				key = xstrndup(name, len - 5);
			} else
				v = json_string(text);
			break;
		}
		if (v == NULL)
			v = json_null();
		if (len > 5 && strcmp(name + len - 5, "_json") == 0 &&
		    key == NULL)
			key = xstrndup(name, len - 5);
		if (len > 6 && strcmp(name + len - 6, "_cents") == 0 &&
		    key == NULL)
			key = xstrndup(name, len - 6);
		json_object_set_new(o, key != NULL ? key : name, v);
		free(key);
	}
	return (o);
}

/* Every row of a prepared statement, as an array (kept on an error). */
enum store_status
store_all(sqlite3_stmt *s, json_t **out)
{
	int rc;

	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* Every row of a statement with up to two text parameters, as an array. */
enum store_status
store_rows(struct stmt *q, const char *p1, const char *p2, json_t **out)
{
	sqlite3_stmt *s;

	*out = NULL;
	if ((s = store_prepare(q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	return (store_all(s, out));
}
