/*
 * A test mode: with KITSTOCKD_EXPLAIN=FILE in the environment, every
 * distinct statement the store prepares has its query plan (EXPLAIN QUERY
 * PLAN) appended to FILE the first time it is prepared, so a test can
 * check that none reads a whole large table (tests/func/query-plans.sh).
 *
 * Plans name a table by its alias ("SCAN d"), views hide theirs: each
 * SCAN or SEARCH line is given the table its alias stands for in the
 * statement or in the views it reads (several joined by "|" if an alias
 * is ambiguous). The file holds, per statement:
 *
 *	sql	<the statement, on one line>
 *	plan	<depth>	<table or ->	<the plan line>
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

#define EXPLAIN_TOKENS	4096
#define EXPLAIN_PAIRS	256

struct explain_seen {
	char			*sql;
	struct explain_seen	*next;
};

struct explain_pair {
	char	alias[64];
	char	table[64];
};

static FILE *explain_file;
static int explain_started;
static struct explain_seen *explain_seen;

static int explain_tokens(const char *, char (*)[64], int);
static int explain_pairs(sqlite3 *, const char *, struct explain_pair *,
	    int, int);
static const char *explain_one(sqlite3 *, const char *);

/* Split SQL into lower-case words and one-character punctuation. */
static int
explain_tokens(const char *sql, char (*tok)[64], int max)
{
	const char *p = sql, *e;
	int n = 0;
	size_t len, i;

	while (*p != '\0' && n < max) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '\'') {		/* a string: skipped */
			for (p++; *p != '\0'; p++)
				if (*p == '\'' && *++p != '\'')
					break;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (*p == '"' || *p == '`') {
			e = strchr(p + 1, *p);
			if (e == NULL)
				break;
			len = e - p - 1;
			p++;
		} else if (isalnum((unsigned char)*p) || *p == '_') {
			for (e = p; isalnum((unsigned char)*e) || *e == '_';
			    e++)
				;
			len = e - p;
			e--;
		} else {
			e = p;
			len = 1;
		}
		if (len > 63)
			len = 63;
		for (i = 0; i < len; i++)
			tok[n][i] = tolower((unsigned char)p[i]);
		tok[n][len] = '\0';
		n++;
		p = e + 1;
	}
	return (n);
}

/* Is this word one that may follow a table name (so not an alias)? */
static int
explain_keyword(const char *w)
{
	static const char *const words[] = { "as", "cross", "except", "full",
	    "group", "having", "indexed", "inner", "intersect", "join", "left",
	    "limit", "natural", "not", "on", "order", "outer", "returning",
	    "right", "set", "union", "using", "values", "where", "window",
	    "default", "select", NULL };
	int i;

	if (!isalpha((unsigned char)w[0]) && w[0] != '_')
		return (1);
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return (1);
	return (0);
}

/*
 * The (alias, table) pairs of a statement and of the views it reads,
 * following views depth levels down. Returns the number of pairs.
 */
static int
explain_pairs(sqlite3 *db, const char *sql, struct explain_pair *pairs,
    int n, int depth)
{
	char (*tok)[64];
	const char *name, *alias;
	sqlite3_stmt *s;
	char *view;
	int ntok, i, j, k, first = n;

	tok = xcalloc(EXPLAIN_TOKENS, sizeof *tok);
	ntok = explain_tokens(sql, tok, EXPLAIN_TOKENS);
	for (i = 0; i + 1 < ntok && n < EXPLAIN_PAIRS; i++) {
		if (strcmp(tok[i], "from") != 0 && strcmp(tok[i], "join") != 0 &&
		    strcmp(tok[i], "update") != 0 && strcmp(tok[i], "into") != 0)
			continue;
		name = tok[i + 1];
		if (explain_keyword(name))
			continue;
		j = i + 2;
		if (j < ntok && strcmp(tok[j], "as") == 0)
			j++;
		alias = j < ntok && !explain_keyword(tok[j]) ? tok[j] : name;
		snprintf(pairs[n].alias, sizeof pairs[n].alias, "%s", alias);
		snprintf(pairs[n].table, sizeof pairs[n].table, "%s", name);
		n++;
	}
	free(tok);
	if (depth == 0)
		return (n);
	/* The views among the tables read, once each. */
	for (i = first, k = n; i < k; i++) {
		for (j = first; j < i; j++)
			if (strcmp(pairs[j].table, pairs[i].table) == 0)
				break;
		if (j < i || sqlite3_prepare_v2(db, "SELECT sql FROM"
		    " sqlite_schema WHERE type = 'view' AND name = ?1", -1, &s,
		    NULL) != SQLITE_OK)
			continue;
		sqlite3_bind_text(s, 1, pairs[i].table, -1, SQLITE_STATIC);
		view = NULL;
		if (sqlite3_step(s) == SQLITE_ROW)
			view = xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		if (view != NULL)
			n = explain_pairs(db, view, pairs, n, depth - 1);
		free(view);
	}
	return (n);
}

/*
 * Append the plan of one statement of sql; returns what follows it (the
 * next statement of a script), or NULL at the end.
 */
static const char *
explain_one(sqlite3 *db, const char *sql)
{
	struct explain_pair *pairs;
	sqlite3_stmt *s;
	const char *tail, *detail;
	char *q, word[64], tables[256], subqueries[1024] = " ";
	int ids[256], parents[256], depth[256], n = 0, np, i, j, rc;
	size_t len;

	while (isspace((unsigned char)*sql) || *sql == ';')
		sql++;
	if (*sql == '\0')
		return (NULL);
	xasprintf(&q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &s, &tail) != SQLITE_OK) {
		fprintf(explain_file, "sql\t%s\nerror\t%s\n", sql,
		    sqlite3_errmsg(db));
		free(q);
		return (NULL);
	}
	len = tail - q - strlen("EXPLAIN QUERY PLAN ");
	tail = sql + len;
	free(q);
	if (s == NULL)
		return (tail);
	fputs("sql\t", explain_file);
	for (i = 0; i < (int)len; i++)
		fputc(isspace((unsigned char)sql[i]) ? ' ' : sql[i],
		    explain_file);
	fputc('\n', explain_file);
	pairs = xcalloc(EXPLAIN_PAIRS, sizeof *pairs);
	q = xstrndup(sql, len);
	np = explain_pairs(db, q, pairs, 0, 4);
	free(q);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 256) {
		ids[n] = sqlite3_column_int(s, 0);
		parents[n] = sqlite3_column_int(s, 1);
		depth[n] = 0;
		for (j = 0; j < n; j++)
			if (ids[j] == parents[n])
				depth[n] = depth[j] + 1;
		detail = (const char *)sqlite3_column_text(s, 3);
		/* SCAN x ..., SEARCH x ..., BLOOM FILTER ON x ... */
		tables[0] = '\0';
		word[0] = '\0';
		if (strncmp(detail, "SCAN ", 5) == 0)
			sscanf(detail + 5, "%63s", word);
		else if (strncmp(detail, "SEARCH ", 7) == 0)
			sscanf(detail + 7, "%63s", word);
		else if (strncmp(detail, "BLOOM FILTER ON ", 16) == 0)
			sscanf(detail + 16, "%63s", word);
		for (i = 0; word[i] != '\0'; i++)
			word[i] = tolower((unsigned char)word[i]);
		/* A subquery's rows (CO-ROUTINE x, MATERIALIZE x): no table. */
		if (strncmp(detail, "CO-ROUTINE ", 11) == 0 ||
		    strncmp(detail, "MATERIALIZE ", 12) == 0) {
			len = strlen(subqueries);
			snprintf(subqueries + len, sizeof subqueries - len,
			    "%s ", strchr(detail, ' ') + 1);
		}
		snprintf(tables, sizeof tables, " %s ", word);
		if (word[0] != '\0' && strcasestr(subqueries, tables) != NULL)
			word[0] = '\0';
		tables[0] = '\0';
		for (i = 0; word[0] != '\0' && i < np; i++) {
			if (strcmp(pairs[i].alias, word) != 0)
				continue;
			for (j = 0; j < i; j++)
				if (strcmp(pairs[j].alias, word) == 0 &&
				    strcmp(pairs[j].table, pairs[i].table) == 0)
					break;
			if (j < i)
				continue;
			len = strlen(tables);
			snprintf(tables + len, sizeof tables - len, "%s%s",
			    len > 0 ? "|" : "", pairs[i].table);
		}
		if (tables[0] == '\0')
			snprintf(tables, sizeof tables, "%s",
			    word[0] != '\0' ? word : "-");
		fprintf(explain_file, "plan\t%d\t%s\t%s\n", depth[n], tables,
		    detail);
		n++;
	}
	sqlite3_finalize(s);
	free(pairs);
	return (tail);
}

/* The plan of each statement of sql, once per distinct text. */
void
store_explain(sqlite3 *db, const char *sql)
{
	struct explain_seen *e;
	const char *path;

	if (!explain_started) {
		explain_started = 1;
		if ((path = getenv("KITSTOCKD_EXPLAIN")) != NULL &&
		    *path != '\0' && (explain_file = fopen(path, "a")) == NULL)
			log_warn("%s", path);
	}
	if (explain_file == NULL)
		return;
	for (e = explain_seen; e != NULL; e = e->next)
		if (strcmp(e->sql, sql) == 0)
			return;
	e = xcalloc(1, sizeof *e);
	e->sql = xstrdup(sql);
	e->next = explain_seen;
	explain_seen = e;
	while (sql != NULL)
		sql = explain_one(db, sql);
	fflush(explain_file);
}

/* Forget what was seen and close the file (store_close). */
void
store_explain_close(void)
{
	struct explain_seen *e;

	while ((e = explain_seen) != NULL) {
		explain_seen = e->next;
		free(e->sql);
		free(e);
	}
	if (explain_file != NULL)
		fclose(explain_file);
	explain_file = NULL;
	explain_started = 0;
}
