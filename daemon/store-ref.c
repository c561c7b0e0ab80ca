/*
 * Reference data: the programme profile, territories and dated communes,
 * and the lookups of a tag's row id.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* Has a programme profile been loaded into this database? */
enum store_status
store_profile_loaded(int *loaded)
{
	static struct stmt q = STMT("SELECT count(*) FROM territory");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*loaded = sqlite3_column_int(s, 0) > 0;
	return (store_done(s, rc));
}

enum store_status
store_programme_set(const char *key, const char *value)
{
	static struct stmt q = STMT("INSERT OR REPLACE INTO programme"
	    " (key, value) VALUES (?1, ?2)");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* targets: diagnosed, equipped, connected, oriented, certified. */
enum store_status
store_territory_add(const char *code, const char *name, int64_t budget_cents,
    const long long *targets)
{
	static struct stmt q = STMT("INSERT INTO territory (code, name,"
	    " budget_cents, target_diagnosed, target_equipped,"
	    " target_connected, target_oriented, target_certified)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	sqlite3_stmt *s;
	int i;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, budget_cents);
	for (i = 0; i < 5; i++)
		sqlite3_bind_int64(s, 4 + i, targets[i]);
	return (store_done(s, sqlite3_step(s)));
}

enum store_status
store_commune_add(const char *insee, const char *name, const char *territory,
    const char *postal, const char *from, const char *until,
    const char *merged_into)
{
	static struct stmt q = STMT("INSERT INTO commune (insee, name,"
	    " territory, postal_codes, valid_from, valid_until, merged_into)"
	    " VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), nullif(?6, ''),"
	    " nullif(?7, ''))");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, postal, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, merged_into, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/*
 * Is this commune of the programme and valid today? If not, *cause says why
 * in a sentence (unknown, or merged into another since a date).
 */
enum store_status
store_commune_check(const char *insee, char **cause)
{
	static struct stmt q = STMT("SELECT c.name, c.valid_until,"
	    " c.merged_into, m.name FROM commune c LEFT JOIN commune m"
	    " ON m.insee = c.merged_into WHERE c.insee = ?1");
	sqlite3_stmt *s;
	const char *name, *until, *into, *into_name;
	char today[11];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	*cause = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE) {
			xasprintf(cause, _("commune %s is not in the "
			    "programme's territories"), insee);
			store_done(s, rc);
			return (STORE_NOTFOUND);
		}
		return (store_done(s, rc));
	}
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	name = (const char *)sqlite3_column_text(s, 0);
	until = (const char *)sqlite3_column_text(s, 1);
	into = (const char *)sqlite3_column_text(s, 2);
	into_name = (const char *)sqlite3_column_text(s, 3);
	if (until != NULL && strcmp(until, today) < 0) {
		if (into != NULL)
			xasprintf(cause, _("commune %s (%s) no longer exists "
			    "after %s: it merged into %s (%s), use %s"), insee,
			    name, until, into, into_name ? into_name : "?",
			    into);
		else
			xasprintf(cause, _("commune %s (%s) no longer exists "
			    "after %s"), insee, name, until);
		store_done(s, SQLITE_DONE);
		return (STORE_CONFLICT);
	}
	return (store_done(s, SQLITE_DONE));
}

/* The profile: programme settings and territories with their targets. */
enum store_status
store_programme(json_t **out)
{
	static struct stmt qp = STMT("SELECT key, value FROM programme"
	    " ORDER BY key");
	static struct stmt qt = STMT("SELECT code, name, budget_cents,"
	    " target_diagnosed, target_equipped, target_connected,"
	    " target_oriented, target_certified, (SELECT count(*) FROM commune"
	    " c WHERE c.territory = t.code AND (c.valid_until IS NULL OR"
	    " c.valid_until >= date('now'))) AS communes FROM territory t"
	    " ORDER BY code");
	sqlite3_stmt *s;
	json_t *terr;
	enum store_status status;
	int rc;

	if ((s = store_prepare(&qp)) == NULL)
		return (STORE_ERROR);
	*out = json_object();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_object_set_new(*out,
		    (const char *)sqlite3_column_text(s, 0),
		    json_string((const char *)sqlite3_column_text(s, 1)));
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if ((s = store_prepare(&qt)) == NULL)
		return (STORE_ERROR);
	terr = json_array();
	json_object_set_new(*out, "territories", terr);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(terr, store_row_json(s));
	return (store_done(s, rc));
}

/* Communes, of one territory or all, valid on a date (or all if NULL). */
enum store_status
store_communes(const char *territory, const char *on, json_t **out)
{
	static struct stmt q = STMT("SELECT insee, name, territory,"
	    " postal_codes, valid_from, valid_until, merged_into FROM commune"
	    " WHERE (?1 IS NULL OR territory = ?1) AND (?2 IS NULL OR"
	    " ((valid_from IS NULL OR valid_from <= ?2) AND (valid_until IS"
	    " NULL OR valid_until >= ?2))) ORDER BY territory, name");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, on, -1, SQLITE_STATIC);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* The row id of a tag in a table (tables are named by resources only). */
enum store_status
store_id_of(const char *table, const char *tag, int64_t *id)
{
	sqlite3_stmt *s;
	char *sql;
	int rc;

	xasprintf(&sql, "SELECT id FROM %s WHERE tag = ?1", table);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		return (store_finish(s, SQLITE_DONE));
	}
	if (rc == SQLITE_DONE) {
		store_finish(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_finish(s, rc));
}
