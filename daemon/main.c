/*
 * kitstockd: options, configuration, log, the event base, signals, the loop.
 */

#include <sys/file.h>
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "kitstockd.h"
#include "scan.h"

static struct event_base *base;
static struct config conf;
static char *conf_path;
static int opt_verbose;
static int lock_fd = -1;
static int lock_db_fd = -1;	/* the database file itself, flocked */

/* Settings given on the command line win over the file, also on reload. */
static struct {
	char	*database;
	char	*socket;
	char	*listen;
} opt;

static void usage(void) __attribute__((__noreturn__));
static void main_signal(int, short, void *);
static int main_configure(struct config *);
static void main_absolute(char **);
static void main_watchdog(int, short, void *);
static void main_lock(const char *, const char *);
static void main_lock_note(const char *);
static void main_lock_file(const char *);
static void main_real(char **);
static char *main_lock_holder(const struct stat *);

static void
usage(void)
{
	fprintf(stderr, "usage: kitstockd [-fnv] [-c config] [-d database] "
	    "[-s socket] [--listen 127.0.0.1:PORT]\n"
	    "       kitstockd --version\n");
	exit(2);
}

/* Defaults, then the file, then the command line. */
static int
main_configure(struct config *c)
{
	char *cause = NULL;
	int rc = 0;

	config_defaults(c);
	if (conf_path != NULL && config_load(conf_path, c) != 0)
		return (-1);
	if (opt.database != NULL) {
		free(c->database);
		c->database = xstrdup(opt.database);
	}
	if (opt.socket != NULL) {
		free(c->socket);
		c->socket = xstrdup(opt.socket);
	}
	if (opt.listen != NULL) {
		struct config probe;

		config_defaults(&probe);
		if (config_set("listen", opt.listen, &probe, &cause) != 0) {
			log_warnx("--listen: %s", cause);
			free(cause);
			rc = -1;
		} else {
			free(c->listen);
			c->listen = xstrdup(opt.listen);
		}
		config_free(&probe);
	}
	if (rc == 0 && config_check(c, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		rc = -1;
	}
	return (rc);
}

/* The daemon may chdir: keep paths absolute. */
static void
main_absolute(char **path)
{
	char cwd[PATH_MAX], *abs;

	if (**path == '/' || strcmp(*path, ":memory:") == 0)
		return;
	if (getcwd(cwd, sizeof cwd) == NULL)
		fatal("getcwd");
	xasprintf(&abs, "%s/%s", cwd, *path);
	free(*path);
	*path = abs;
}

/*
 * One daemon per database: an exclusive flock on DATABASE.lock, beside it
 * (where the service may write), held for our life. daemon() forks: the
 * child shares the open file, so the lock, and writes its own pid. The
 * file holds our pid and socket, to name us to a daemon refused; it stays
 * after we stop (the lock, not the file, counts). A read-only database,
 * which no one writes through us, is served without it if it cannot be
 * made.
 */
static void
main_lock(const char *database, const char *sock)
{
	char *path, buf[PATH_MAX + 32], *nl;
	ssize_t n;
	long pid;
	int fd;

	if (strcmp(database, ":memory:") == 0)
		return;
	xasprintf(&path, "%s.lock", database);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1 && errno == EACCES)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (access(database, F_OK) == 0 &&
		    access(database, W_OK) != 0) {
			log_warn("%s: serving the read-only database %s "
			    "without a lock", path, database);
			free(path);
			return;
		}
		fatal("cannot create the lock file %s (kitstockd must be able "
		    "to write in the database's directory)", path);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			fatal("%s: cannot lock", path);
		n = pread(fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, &nl, 10);
		if (*nl == '\n')
			nl++;
		nl[strcspn(nl, "\n")] = '\0';
		if (pid > 0 && *nl != '\0')
			fatalx("another kitstockd (pid %ld, socket %s) serves "
			    "the database %s: stop it first, or give this one "
			    "another database", pid, nl, database);
		fatalx("another kitstockd, just starting, serves the database "
		    "%s (it holds %s): stop it first, or give this one "
		    "another database", database, path);
	}
	free(path);
	lock_fd = fd;
	main_lock_note(sock);
	main_lock_file(database);
}

/*
 * The lock file is found by the database's path; a hard link is another
 * path to the same file. So the database file itself is locked too
 * (flock, apart from SQLite's own fcntl locks on Linux), by its inode,
 * whatever the name it is reached by. The descriptor stays open for our
 * life: closing a descriptor of the file would drop SQLite's locks.
 */
static void
main_lock_file(const char *database)
{
	struct stat sb;
	char *holder;
	int fd;

	fd = open(database, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EACCES)
		fd = open(database, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		fatal("cannot open the database %s", database);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			fatal("%s: cannot lock", database);
		if (fstat(fd, &sb) != 0)
			memset(&sb, 0, sizeof sb);
		if ((holder = main_lock_holder(&sb)) != NULL)
			fatalx("another kitstockd (%s) serves the database file "
			    "%s under another name (a hard link): stop it first, "
			    "or give this one another database", holder,
			    database);
		fatalx("another kitstockd serves the database file %s under "
		    "another name (a hard link: device %ju, inode %ju): stop "
		    "it first, or give this one another database", database,
		    (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino);
	}
	lock_db_fd = fd;
}

/*
 * Who holds this database file open, for a refusal to name: the process
 * among /proc's that has it open and a lock file too, as "pid N, socket
 * S" from that lock file (allocated), or NULL if none can be read.
 */
static char *
main_lock_holder(const struct stat *db)
{
	DIR *procs, *fds;
	struct dirent *p, *f;
	struct stat sb;
	char path[PATH_MAX], target[PATH_MAX], buf[PATH_MAX + 32], *nl;
	char *found = NULL, *lock;
	int has_db, fd;
	ssize_t n;

	if ((procs = opendir("/proc")) == NULL)
		return (NULL);
	while (found == NULL && (p = readdir(procs)) != NULL) {
		if (strspn(p->d_name, "0123456789") != strlen(p->d_name) ||
		    atol(p->d_name) == (long)getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		has_db = 0;
		lock = NULL;
		while ((f = readdir(fds)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/%s/fd/%s",
			    p->d_name, f->d_name);
			if (stat(path, &sb) == 0 && sb.st_dev == db->st_dev &&
			    sb.st_ino == db->st_ino)
				has_db = 1;
			if ((n = readlink(path, target, sizeof target - 1)) >
			    5) {
				target[n] = '\0';
				if (strcmp(target + n - 5, ".lock") == 0) {
					free(lock);
					lock = xstrdup(path);
				}
			}
		}
		closedir(fds);
		if (has_db && lock != NULL &&
		    (fd = open(lock, O_RDONLY | O_CLOEXEC)) != -1) {
			n = read(fd, buf, sizeof buf - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			if ((nl = strchr(buf, '\n')) != NULL) {
				*nl++ = '\0';
				nl[strcspn(nl, "\n")] = '\0';
				xasprintf(&found, "pid %s, socket %s", buf, nl);
			}
		}
		free(lock);
	}
	closedir(procs);
	return (found);
}

/*
 * A database reached through a symbolic link is served by its real path:
 * SQLite keeps its WAL beside the file, not beside the link, and the lock
 * file goes there too, so two links to one file share one lock.
 */
static void
main_real(char **path)
{
	char *real;
	int fd;

	if (strcmp(*path, ":memory:") == 0)
		return;
	/* A link to a file still to be made: made now, to be resolved. */
	if ((fd = open(*path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(fd);
	if ((real = realpath(*path, NULL)) == NULL)
		return;
	if (strcmp(real, *path) != 0)
		log_info("database %s is %s: serving it by that path", *path,
		    real);
	free(*path);
	*path = real;
}

/* Our pid and socket, into the lock file (again after daemon()). */
static void
main_lock_note(const char *sock)
{
	char *text;
	int len;

	if (lock_fd == -1)
		return;
	len = xasprintf(&text, "%ld\n%s\n", (long)getpid(), sock);
	if (ftruncate(lock_fd, 0) == -1 || pwrite(lock_fd, text, len, 0) !=
	    len)
		log_debug("lock file: cannot note our pid");
	free(text);
}

/* systemd's watchdog: the loop is alive if this timer runs. */
static void
main_watchdog(int fd, short events, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

/* TERM/INT: stop accepting, let replies flush, close cleanly. HUP: reload. */
static void
main_signal(int sig, short events, void *arg)
{
	struct config new;
	struct timeval flush = { 0, 200000 };

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: shutting down", sig);
		sd_notify(0, "STOPPING=1");
		event_base_loopexit(base, &flush);
		break;
	case SIGHUP:
		log_reopen();
		if (conf_path == NULL) {
			log_info("SIGHUP: log reopened; no configuration file");
			break;
		}
		if (main_configure(&new) != 0) {
			log_warnx("SIGHUP: %s refused; keeping the running "
			    "configuration", conf_path);
			config_free(&new);
			break;
		}
		if (strcmp(new.database, conf.database) != 0 ||
		    strcmp(new.socket, conf.socket) != 0)
			log_warnx("SIGHUP: database and socket changes take "
			    "effect at the next start");
		free(conf.language);
		conf.language = xstrdup(new.language);
		conf.max_body = new.max_body;
		conf.request_timeout = new.request_timeout;
		conf.wal_max = new.wal_max;
		conf.max_connections = new.max_connections;
		conf.scan_debounce_ms = new.scan_debounce_ms;
		conf.scan_idle = new.scan_idle;
		conf.stream_max = new.stream_max;
		conf.session_idle = new.session_idle;
		conf.session_lifetime = new.session_lifetime;
		scan_configure(&conf);
		while (conf.nroles > 0)
			free(conf.roles[--conf.nroles].name);
		free(conf.roles);
		conf.roles = new.roles;
		conf.nroles = new.nroles;
		new.roles = NULL;
		new.nroles = 0;
		auth_configure(&conf);
		i18n_init(conf.language, NULL);
		http_reconfigure(&conf);
		store_wal_configure(&conf);
		config_free(&new);
		log_info("SIGHUP: configuration reloaded");
		break;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct event *ev_term, *ev_int, *ev_hup, *ev_watchdog = NULL;
	struct event_config *evcfg;
	struct timeval tv;
	uint64_t usec;
	char *cause = NULL;
	int ch, foreground = 0, check_only = 0;

	while ((ch = getopt_long(argc, argv, "c:d:fhns:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			opt.database = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'l':
			opt.listen = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 's':
			opt.socket = optarg;
			break;
		case 'v':
			opt_verbose++;
			break;
		case 'V':
			printf("kitstockd %s\n", VERSION);
			return (0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init(foreground || check_only, opt_verbose);
	if (main_configure(&conf) != 0) {
		log_warnx("configuration refused");
		return (1);
	}
	if (check_only) {
		fprintf(stderr, "configuration OK\n");
		config_free(&conf);
		return (0);
	}
	i18n_init(conf.language, argv[0]);
	auth_configure(&conf);
	report_configure(&conf);
	main_absolute(&conf.database);
	main_real(&conf.database);
	main_absolute(&conf.socket);
	if (conf.profile != NULL)
		main_absolute(&conf.profile);
	if (conf.labels != NULL)
		main_absolute(&conf.labels);
	label_configure(&conf);

	signal(SIGPIPE, SIG_IGN);
	/*
	 * evhttp adds and removes a connection's read and write events
	 * around each request: four epoll_ctl calls per request at 32
	 * clients (perf stat). The changelist folds the changes of a loop
	 * iteration into the one that matters. Its caveat, fds that share a
	 * file description through dup(), does not apply: none of ours do.
	 */
	if ((evcfg = event_config_new()) == NULL ||
	    event_config_set_flag(evcfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0 ||
	    (base = event_base_new_with_config(evcfg)) == NULL)
		fatalx("event_base_new failed");
	event_config_free(evcfg);
	if (event_base_priority_init(base, HTTP_PRIORITIES) != 0)
		fatalx("event_base_priority_init failed");
	main_lock(conf.database, conf.socket);
	if (store_open(conf.database, &cause) != 0)
		fatalx("database %s: %s", conf.database, cause);
	if (profile_load(conf.profile, &cause) != 0)
		fatalx("profile: %s", cause);
	retention_start(base);
	if (http_start(base, &conf, &cause) != 0)
		fatalx("%s", cause);
	label_print_start(base);
	scan_configure(&conf);
	stream_start(base);
	if (!foreground && daemon(0, 0) != 0)
		fatal("daemon");
	log_detach();
	main_lock_note(conf.socket);
	/* After daemon(): libusb's hotplug thread would not survive a fork. */
	usb_start(base, &conf);
	store_wal_start();
	store_wal_configure(&conf);
	store_wal_watch(base);

	ev_term = evsignal_new(base, SIGTERM, main_signal, NULL);
	ev_int = evsignal_new(base, SIGINT, main_signal, NULL);
	ev_hup = evsignal_new(base, SIGHUP, main_signal, NULL);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    evsignal_add(ev_term, NULL) != 0 || evsignal_add(ev_int, NULL) != 0 ||
	    evsignal_add(ev_hup, NULL) != 0)
		fatalx("cannot watch signals");

	log_info("kitstockd %s serving %s (database %s)", VERSION,
	    conf.socket, conf.database);
	sd_notify(0, "READY=1");
	/* WatchdogSec=: ping at half the interval systemd gave. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		usec /= 2;
		tv.tv_sec = usec / 1000000;
		tv.tv_usec = usec % 1000000;
		ev_watchdog = event_new(base, -1, EV_PERSIST, main_watchdog,
		    NULL);
		if (ev_watchdog == NULL || event_add(ev_watchdog, &tv) != 0)
			fatalx("cannot start the watchdog timer");
		sd_notify(0, "WATCHDOG=1");
		log_info("watchdog every %lld ms", (long long)usec / 1000);
	}
	event_base_dispatch(base);

	stream_stop();
	http_stop();
	usb_stop();
	receipt_free();		/* before the labels reset cairo's caches */
	label_print_stop();
	retention_stop();
	store_close();
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	if (ev_watchdog != NULL)
		event_free(ev_watchdog);
	event_base_free(base);
	config_free(&conf);
	log_info("stopped");
	return (0);
}
