/*
 * Programme profiles: the programme's settings, its territories with their
 * targets and budget, and its dated communes. Loaded into a new database on
 * first start, from a directory (config "profile") or the built-in 93
 * profile, so another département could load its own.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define PROFILE_FIELDS 8

static char *profile_read(const char *, const char *, char **);
static int profile_fields(char *, char **, int);
static int profile_programme(char *, char **);
static int profile_territories(char *, char **);
static int profile_communes(char *, char **);

/* One file of the profile, from the directory or built in (allocated). */
static char *
profile_read(const char *dir, const char *name, char **cause)
{
	const struct profile_file *pf;
	FILE *f;
	char *path, *text;
	long len;

	if (dir == NULL) {
		for (pf = profile_builtin; pf->name != NULL; pf++)
			if (strcmp(pf->name, name) == 0)
				return (xstrdup(pf->text));
		xasprintf(cause, "built-in profile has no %s", name);
		return (NULL);
	}
	xasprintf(&path, "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (NULL);
	}
	free(path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if (len < 0 || len > 16 * 1024 * 1024) {
		fclose(f);
		xasprintf(cause, "%s/%s: unreadable size", dir, name);
		return (NULL);
	}
	text = xmalloc(len + 1);
	if (fread(text, 1, len, f) != (size_t)len) {
		fclose(f);
		free(text);
		xasprintf(cause, "%s/%s: read error", dir, name);
		return (NULL);
	}
	text[len] = '\0';
	fclose(f);
	return (text);
}

/* Split a line of our own CSV files (no quoting) in place. */
static int
profile_fields(char *line, char **out, int max)
{
	int n = 0;

	out[n++] = line;
	for (; *line != '\0'; line++) {
		if (*line == ',' && n < max) {
			*line = '\0';
			out[n++] = line + 1;
		}
		if (*line == '\r')
			*line = '\0';
	}
	return (n);
}

/* programme.conf: "key value" lines. */
static int
profile_programme(char *text, char **cause)
{
	char *line, *p, *value;

	while ((line = strsep(&text, "\n")) != NULL) {
		if (*line == '#' || *line == '\0')
			continue;
		if ((p = strchr(line, ' ')) == NULL) {
			xasprintf(cause, "programme.conf: %s has no value",
			    line);
			return (-1);
		}
		*p = '\0';
		value = p + 1;
		if (store_programme_set(line, value) != STORE_OK) {
			xasprintf(cause, "programme.conf: cannot store %s",
			    line);
			return (-1);
		}
	}
	return (0);
}

/* territories.csv: code,name,budget_eur,five targets. */
static int
profile_territories(char *text, char **cause)
{
	char *line, *f[PROFILE_FIELDS], *end;
	long long targets[5], budget;
	int i, n, lineno = 0;

	while ((line = strsep(&text, "\n")) != NULL) {
		if (++lineno == 1 || *line == '\0')
			continue;
		if ((n = profile_fields(line, f, PROFILE_FIELDS)) != 8) {
			xasprintf(cause, "territories.csv:%d: expected 8 fields",
			    lineno);
			return (-1);
		}
		budget = strtoll(f[2], &end, 10);
		for (i = 0; i < 5 && *end == '\0'; i++)
			targets[i] = strtoll(f[3 + i], &end, 10);
		if (*end != '\0' || store_territory_add(f[0], f[1],
		    budget * 100, targets) != STORE_OK) {
			xasprintf(cause, "territories.csv:%d: bad line", lineno);
			return (-1);
		}
	}
	return (0);
}

/* communes.csv: insee,commune,territory,name,postal,valid_until,merged. */
static int
profile_communes(char *text, char **cause)
{
	char *line, *f[PROFILE_FIELDS], *err;
	int lineno = 0;

	while ((line = strsep(&text, "\n")) != NULL) {
		if (++lineno == 1 || *line == '\0')
			continue;
		if (profile_fields(line, f, PROFILE_FIELDS) != 7) {
			xasprintf(cause, "communes.csv:%d: expected 7 fields",
			    lineno);
			return (-1);
		}
		if (check_insee(f[0], &err) != 0) {
			xasprintf(cause, "communes.csv:%d: %s", lineno, err);
			free(err);
			return (-1);
		}
		if (store_commune_add(f[0], f[1], f[2], f[4], NULL, f[5],
		    f[6]) != STORE_OK) {
			xasprintf(cause, "communes.csv:%d: cannot store %s",
			    lineno, f[0]);
			return (-1);
		}
	}
	return (0);
}

/* Load the profile into a database that has none yet, in one transaction. */
int
profile_load(const char *dir, char **cause)
{
	static const char *const files[] = {
		"programme.conf", "territories.csv", "communes.csv"
	};
	int (*const load[])(char *, char **) = {
		profile_programme, profile_territories, profile_communes
	};
	char *text;
	int loaded, i;

	if (store_profile_loaded(&loaded) != STORE_OK) {
		xasprintf(cause, "cannot read the database: %s",
		    store_errmsg());
		return (-1);
	}
	if (loaded)
		return (0);
	if (store_begin() != STORE_OK) {
		xasprintf(cause, "cannot write the database: %s",
		    store_errmsg());
		return (-1);
	}
	for (i = 0; i < 3; i++) {
		if ((text = profile_read(dir, files[i], cause)) == NULL) {
			store_rollback();
			return (-1);
		}
		if (load[i](text, cause) != 0) {
			free(text);
			store_rollback();
			return (-1);
		}
		free(text);
	}
	if (store_commit() != STORE_OK) {
		xasprintf(cause, "cannot write the database: %s",
		    store_errmsg());
		return (-1);
	}
	log_info("programme profile %s loaded", dir != NULL ? dir : "93");
	return (0);
}
