/*
 * kitstockd.conf: one "keyword value" per line, '#' comments. Keywords are
 * in a sorted table searched with bsearch; every error is reported as
 * file:line: message, and the file is refused after reading it whole
 * (OpenSMTPD yyerror).
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

struct keyword {
	const char	*name;
	int		(*set)(struct config *, const char *, char **);
};

static int config_set_database(struct config *, const char *, char **);
static int config_set_export_min_cell(struct config *, const char *,
    char **);
static int config_set_pseudonym_key(struct config *, const char *, char **);
static int config_set_labels(struct config *, const char *, char **);
static int config_set_language(struct config *, const char *, char **);
static int config_set_listen(struct config *, const char *, char **);
static int config_set_max_body(struct config *, const char *, char **);
static int config_number(const char *, const char *, unsigned long long,
    unsigned long long, const char *, unsigned long long *, char **);
static int config_set_max_connections(struct config *, const char *,
    char **);
static int config_set_request_timeout(struct config *, const char *,
    char **);
static int config_set_profile(struct config *, const char *, char **);
static int config_set_role(struct config *, const char *, char **);
static int config_set_tls_cert(struct config *, const char *, char **);
static int config_set_tls_key(struct config *, const char *, char **);
static int config_set_socket(struct config *, const char *, char **);
static int config_set_socket_group(struct config *, const char *, char **);
static int config_set_socket_mode(struct config *, const char *, char **);
static int config_set_usb(struct config *, const char *, char **);
static int config_set_wal_max(struct config *, const char *, char **);
static int config_set_scan_debounce(struct config *, const char *, char **);
static int config_set_scan_idle(struct config *, const char *, char **);
static int config_set_stream_subscribers(struct config *, const char *,
    char **);
static int config_set_session_idle(struct config *, const char *, char **);
static int config_set_session_lifetime(struct config *, const char *,
    char **);
static int config_keyword_cmp(const void *, const void *);

/* Sorted by name: bsearch relies on it. */
static const struct keyword config_keywords[] = {
	{ "database", config_set_database },
	{ "export-min-cell", config_set_export_min_cell },
	{ "labels", config_set_labels },
	{ "language", config_set_language },
	{ "listen", config_set_listen },
	{ "max-body", config_set_max_body },
	{ "max-connections", config_set_max_connections },
	{ "profile", config_set_profile },
	{ "pseudonym-key", config_set_pseudonym_key },
	{ "request-timeout", config_set_request_timeout },
	{ "role", config_set_role },
	{ "scan-debounce", config_set_scan_debounce },
	{ "scan-idle", config_set_scan_idle },
	{ "session-idle", config_set_session_idle },
	{ "session-lifetime", config_set_session_lifetime },
	{ "socket", config_set_socket },
	{ "socket-group", config_set_socket_group },
	{ "socket-mode", config_set_socket_mode },
	{ "stream-subscribers", config_set_stream_subscribers },
	{ "tls-cert", config_set_tls_cert },
	{ "tls-key", config_set_tls_key },
	{ "usb", config_set_usb },
	{ "wal-max", config_set_wal_max },
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->database = xstrdup("var/kitstock.db");
	c->socket = xstrdup("var/kitstockd.sock");
	c->socket_mode = 0660;
	c->language = xstrdup("fr");
	c->max_body = MAX_BODY_DEFAULT;
	c->export_min_cell = EXPORT_MIN_CELL_DEFAULT;
	c->request_timeout = REQUEST_TIMEOUT_DEFAULT;
	c->wal_max = WAL_MAX_DEFAULT * 1024LL * 1024;
	c->max_connections = MAX_CONNECTIONS_DEFAULT;
	c->usb = 1;
	c->scan_debounce_ms = 1500;
	c->scan_idle = 900;
	c->stream_max = 32;
	c->session_idle = SESSION_IDLE_DEFAULT;
	c->session_lifetime = SESSION_LIFETIME_DEFAULT;
}

void
config_free(struct config *c)
{
	free(c->database);
	free(c->socket);
	free(c->socket_group);
	free(c->listen);
	free(c->language);
	free(c->profile);
	free(c->labels);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->pseudonym_key);
	while (c->nroles > 0)
		free(c->roles[--c->nroles].name);
	free(c->roles);
	memset(c, 0, sizeof *c);
}

/* Replace a string setting. */
static void
config_replace(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

static int
config_set_database(struct config *c, const char *v, char **cause)
{
	config_replace(&c->database, v);
	return (0);
}

/* The file holding the secret of the evaluation export's pseudonyms. */
static int
config_set_pseudonym_key(struct config *c, const char *v, char **cause)
{
	if (*v != '/') {
		xasprintf(cause, "pseudonym-key %s: expected an absolute path",
		    v);
		return (-1);
	}
	config_replace(&c->pseudonym_key, v);
	return (0);
}

/* Cells of exported tables counting fewer people are suppressed. */
static int
config_set_export_min_cell(struct config *c, const char *v, char **cause)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < 1 || n > 100) {
		xasprintf(cause, "export-min-cell %s: expected 1 to 100", v);
		return (-1);
	}
	c->export_min_cell = n;
	return (0);
}

static int
config_set_socket(struct config *c, const char *v, char **cause)
{
	config_replace(&c->socket, v);
	return (0);
}

static int
config_set_socket_group(struct config *c, const char *v, char **cause)
{
	config_replace(&c->socket_group, v);
	return (0);
}

static int
config_set_profile(struct config *c, const char *v, char **cause)
{
	config_replace(&c->profile, v);
	return (0);
}

/* The directory of label templates (NAME.tpl). */
static int
config_set_labels(struct config *c, const char *v, char **cause)
{
	config_replace(&c->labels, v);
	return (0);
}

/* "role user|group NAME|ID ROLE": repeatable, first match wins. */
static int
config_set_role(struct config *c, const char *v, char **cause)
{
	char kind[16], name[256], role[32], extra[2];
	int bit;

	if (sscanf(v, "%15s %255s %31s %1s", kind, name, role, extra) != 3 ||
	    (strcmp(kind, "user") != 0 && strcmp(kind, "group") != 0)) {
		xasprintf(cause, "role %s: expected \"role user|group NAME "
		    "ROLE\"", v);
		return (-1);
	}
	if ((bit = auth_role(role)) == 0) {
		xasprintf(cause, "role %s: unknown role %s (warehouse, "
		    "distribution, coordinator, prescriber, evaluator)", v,
		    role);
		return (-1);
	}
	c->roles = xreallocarray(c->roles, c->nroles + 1, sizeof *c->roles);
	c->roles[c->nroles].group = strcmp(kind, "group") == 0;
	c->roles[c->nroles].name = xstrdup(name);
	c->roles[c->nroles].role = bit;
	c->nroles++;
	return (0);
}

static int
config_set_language(struct config *c, const char *v, char **cause)
{
	if (strcmp(v, "fr") != 0 && strcmp(v, "en") != 0) {
		xasprintf(cause, "language %s: expected fr or en", v);
		return (-1);
	}
	config_replace(&c->language, v);
	return (0);
}

/* Seconds, decimal, from 0 to max; -1 with *cause if not. */
static double
config_seconds(const char *v, double max, char **cause)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !(d >= 0) ||
	    d > max) {
		xasprintf(cause, "%s: expected a number of seconds from 0 to "
		    "%g", v, max);
		return (-1);
	}
	return (d);
}

/* "scan-debounce SECONDS": the same code at a station ignored (0: never). */
static int
config_set_scan_debounce(struct config *c, const char *v, char **cause)
{
	double d;

	if ((d = config_seconds(v, 60, cause)) < 0)
		return (-1);
	c->scan_debounce_ms = (long long)(d * 1000 + 0.5);
	return (0);
}

/* "scan-idle SECONDS": a station's context expires after that long idle. */
static int
config_set_scan_idle(struct config *c, const char *v, char **cause)
{
	double d;

	if ((d = config_seconds(v, 7 * 86400, cause)) < 0)
		return (-1);
	c->scan_idle = (long long)d;
	return (0);
}

/* "stream-subscribers N": at most N clients on GET /v1/stream. */
static int
config_set_stream_subscribers(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("stream-subscribers", v, 1, 1000, "subscribers", &n,
	    cause) != 0)
		return (-1);
	c->stream_max = n;
	return (0);
}

/* "usb yes|no": read USB scanners, or leave USB alone. */
static int
config_set_usb(struct config *c, const char *v, char **cause)
{
	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
		xasprintf(cause, "usb %s: expected yes or no", v);
		return (-1);
	}
	c->usb = strcmp(v, "yes") == 0;
	return (0);
}

static int
config_set_tls_cert(struct config *c, const char *v, char **cause)
{
	config_replace(&c->tls_cert, v);
	return (0);
}

static int
config_set_tls_key(struct config *c, const char *v, char **cause)
{
	config_replace(&c->tls_key, v);
	return (0);
}

/* Is the address of "listen" a loopback one? */
static int
config_loopback(const char *v)
{
	return (strncmp(v, "127.", 4) == 0 || strncmp(v, "localhost:", 10) ==
	    0 || strncmp(v, "[::1]:", 6) == 0);
}

/*
 * What no single line can tell: a non-loopback listener needs TLS, and a
 * certificate needs its key.
 */
int
config_check(const struct config *c, char **cause)
{
	if ((c->tls_cert == NULL) != (c->tls_key == NULL)) {
		xasprintf(cause, "tls-cert and tls-key go together");
		return (-1);
	}
	if (c->listen != NULL && !config_loopback(c->listen) &&
	    c->tls_cert == NULL) {
		xasprintf(cause, "listen %s: a non-loopback address needs TLS "
		    "(tls-cert and tls-key)", c->listen);
		return (-1);
	}
	return (0);
}

static int
config_set_listen(struct config *c, const char *v, char **cause)
{
	const char *colon;
	char *end;
	long port;

	if ((colon = strrchr(v, ':')) == NULL) {
		xasprintf(cause, "listen %s: expected ADDRESS:PORT", v);
		return (-1);
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
		xasprintf(cause, "listen %s: port must be 1 to 65535", v);
		return (-1);
	}
	config_replace(&c->listen, v);
	return (0);
}

static int
config_set_max_body(struct config *c, const char *v, char **cause)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < 1024 ||
	    n > 64 * 1024 * 1024) {
		xasprintf(cause, "max-body %s: expected bytes, 1024 to 67108864",
		    v);
		return (-1);
	}
	c->max_body = n;
	return (0);
}

/* A whole number in [min, max], or a sentence naming the keyword. */
static int
config_number(const char *kw, const char *v, unsigned long long min,
    unsigned long long max, const char *unit, unsigned long long *n,
    char **cause)
{
	char *end;

	errno = 0;
	*n = strtoull(v, &end, 10);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 ||
	    *n < min || *n > max) {
		xasprintf(cause, "%s %s: expected %s, %llu to %llu", kw, v, unit,
		    min, max);
		return (-1);
	}
	return (0);
}

static int
config_set_max_connections(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("max-connections", v, 8, 65536, "connections", &n,
	    cause) != 0)
		return (-1);
	c->max_connections = n;
	return (0);
}

/* A browser session unused this long ends (60 s to a day). */
static int
config_set_session_idle(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("session-idle", v, 60, 86400, "seconds", &n,
	    cause) != 0)
		return (-1);
	c->session_idle = n;
	return (0);
}

/* A browser session ends this long after it began (60 s to 30 days). */
static int
config_set_session_lifetime(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("session-lifetime", v, 60, 2592000, "seconds", &n,
	    cause) != 0)
		return (-1);
	c->session_lifetime = n;
	return (0);
}

static int
config_set_request_timeout(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("request-timeout", v, 1, 3600, "seconds", &n,
	    cause) != 0)
		return (-1);
	c->request_timeout = n;
	return (0);
}

/* MB the WAL may reach while a reader holds it back (store-wal.c). */
static int
config_set_wal_max(struct config *c, const char *v, char **cause)
{
	unsigned long long n;

	if (config_number("wal-max", v, 16, 65536, "megabytes", &n,
	    cause) != 0)
		return (-1);
	c->wal_max = n * 1024 * 1024;
	return (0);
}

static int
config_set_socket_mode(struct config *c, const char *v, char **cause)
{
	char *end;
	long mode;

	mode = strtol(v, &end, 8);
	if (*v == '\0' || *end != '\0' || mode < 0 || mode > 0777) {
		xasprintf(cause, "socket-mode %s: expected an octal mode such as "
		    "0660", v);
		return (-1);
	}
	c->socket_mode = mode;
	return (0);
}

static int
config_keyword_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct keyword *)elem)->name));
}

/* Set one keyword (also used for command-line options). */
int
config_set(const char *key, const char *value, struct config *c,
    char **cause)
{
	const struct keyword *kw;

	kw = bsearch(key, config_keywords, sizeof config_keywords /
	    sizeof config_keywords[0], sizeof config_keywords[0],
	    config_keyword_cmp);
	if (kw == NULL) {
		xasprintf(cause, "unknown keyword %s", key);
		return (-1);
	}
	if (*value == '\0') {
		xasprintf(cause, "%s needs a value", key);
		return (-1);
	}
	return (kw->set(c, value, cause));
}

/* Read path into c; on any error c is left as it was and -1 returned. */
int
config_load(const char *path, struct config *c)
{
	FILE *f;
	struct config new;
	char *line = NULL, *p, *key, *value, *cause, *end;
	size_t size = 0;
	ssize_t len;
	int lineno = 0, errors = 0;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return (-1);
	}
	new = *c;
	new.database = xstrdup(c->database);
	new.socket = xstrdup(c->socket);
	new.socket_group = c->socket_group ? xstrdup(c->socket_group) : NULL;
	new.listen = c->listen ? xstrdup(c->listen) : NULL;
	new.language = xstrdup(c->language);
	new.profile = c->profile ? xstrdup(c->profile) : NULL;
	new.labels = c->labels ? xstrdup(c->labels) : NULL;
	new.tls_cert = c->tls_cert ? xstrdup(c->tls_cert) : NULL;
	new.tls_key = c->tls_key ? xstrdup(c->tls_key) : NULL;
	new.pseudonym_key = c->pseudonym_key ? xstrdup(c->pseudonym_key) :
	    NULL;
	/* Role lines come from the file alone: a reload replaces them. */
	new.roles = NULL;
	new.nroles = 0;
	while ((len = getline(&line, &size, f)) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			continue;
		key = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		value = p;
		end = value + strlen(value);
		while (end > value && isspace((unsigned char)end[-1]))
			*--end = '\0';
		cause = NULL;
		if (config_set(key, value, &new, &cause) != 0) {
			log_warnx("%s:%d: %s", path, lineno, cause);
			free(cause);
			errors++;
		}
	}
	/* A directory (EISDIR) or a failing read: not an empty file. */
	if (ferror(f)) {
		log_warn("%s: cannot be read as a configuration file", path);
		errors++;
	}
	free(line);
	fclose(f);
	cause = NULL;
	if (errors == 0 && config_check(&new, &cause) != 0) {
		log_warnx("%s: %s", path, cause);
		free(cause);
		errors++;
	}
	if (errors != 0) {
		config_free(&new);
		return (-1);
	}
	config_free(c);
	*c = new;
	return (0);
}
