/*
 * Logging (OpenSMTPD log.c): stderr in the foreground, syslog otherwise.
 * Messages name objects by tag only, never a person's identity.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>

#include "kitstockd.h"

static int log_foreground = 1;
static int log_detached;	/* daemon() done: stderr is /dev/null */
static int log_verbose;

static void log_vlog(int, const char *, va_list)
    __attribute__((__format__(printf, 2, 0)));
static void log_event_cb(int, const char *);

/* Route libevent's own messages into ours (tmux log.c). */
static void
log_event_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("kitstockd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	event_set_log_callback(log_event_cb);
	tzset();
}

/*
 * Started by hand without -f: until daemon() detaches us, what goes to
 * syslog goes to stderr too, so a refusal at start (another daemon holds
 * the database, a broken configuration) is read where it was typed.
 */
void
log_detach(void)
{
	log_detached = 1;
}

/* SIGHUP: syslog reconnects; stderr is the journal's and stays. */
void
log_reopen(void)
{
	if (!log_foreground) {
		closelog();
		openlog("kitstockd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

static void
log_vlog(int pri, const char *fmt, va_list ap)
{
	char *msg;

	if (pri == LOG_DEBUG && !log_verbose)
		return;
	xvasprintf(&msg, fmt, ap);
	if (log_foreground) {
		fprintf(stderr, "kitstockd: %s\n", msg);
		fflush(stderr);
	} else {
		syslog(pri, "%s", msg);
		if (!log_detached && pri <= LOG_WARNING) {
			fprintf(stderr, "kitstockd: %s\n", msg);
			fflush(stderr);
		}
	}
	free(msg);
}

void
log_warn(const char *fmt, ...)
{
	char *nfmt;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	xasprintf(&nfmt, "%s: %s", fmt, strerror(saved));
	log_vlog(LOG_WARNING, nfmt, ap);
	free(nfmt);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char *nfmt;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	xasprintf(&nfmt, "fatal: %s: %s", fmt, strerror(saved));
	log_vlog(LOG_CRIT, nfmt, ap);
	free(nfmt);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char *nfmt;
	va_list ap;

	va_start(ap, fmt);
	xasprintf(&nfmt, "fatal: %s", fmt);
	log_vlog(LOG_CRIT, nfmt, ap);
	free(nfmt);
	va_end(ap);
	exit(1);
}
