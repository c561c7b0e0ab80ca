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
static int config_set_labels(struct config *, const char *, char **);
static int config_set_language(struct config *, const char *, char **);
static int config_set_listen(struct config *, const char *, char **);
static int config_set_max_body(struct config *, const char *, char **);
static int config_set_profile(struct config *, const char *, char **);
static int config_set_role(struct config *, const char *, char **);
static int config_set_tls_cert(struct config *, const char *, char **);
static int config_set_tls_key(struct config *, const char *, char **);
static int config_set_socket(struct config *, const char *, char **);
static int config_set_socket_group(struct config *, const char *, char **);
static int config_set_socket_mode(struct config *, const char *, char **);
static int config_keyword_cmp(const void *, const void *);

/* Sorted by name: bsearch relies on it. */
static const struct keyword config_keywords[] = {
	{ "database", config_set_database },
	{ "labels", config_set_labels },
	{ "language", config_set_language },
	{ "listen", config_set_listen },
	{ "max-body", config_set_max_body },
	{ "profile", config_set_profile },
	{ "role", config_set_role },
	{ "socket", config_set_socket },
	{ "socket-group", config_set_socket_group },
	{ "socket-mode", config_set_socket_mode },
	{ "tls-cert", config_set_tls_cert },
	{ "tls-key", config_set_tls_key },
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
