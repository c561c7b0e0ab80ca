/*
 * kitstockd: options, configuration, log, the event base, signals, the loop.
 */

#include <sys/stat.h>

#include <errno.h>
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
		conf.max_connections = new.max_connections;
		conf.scan_debounce_ms = new.scan_debounce_ms;
		conf.scan_idle = new.scan_idle;
		conf.stream_max = new.stream_max;
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
	/* After daemon(): libusb's hotplug thread would not survive a fork. */
	usb_start(base, &conf);
	store_wal_start();

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
