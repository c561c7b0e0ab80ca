/*
 * Browser sessions: a cookie's random value, stored only as its SHA-256,
 * stands for an actor, a role, a prescriber and a scope (a token's holder
 * today; an account's later), with the time it was last used and the time
 * it ends. A session ends when it is signed out, ended by a coordinator,
 * found expired, or when the token that opened it is revoked; each end, as
 * each creation, is a ledger row ("session:ID"), without the secret.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kitstockd.h"

#define SESSION_IDS_MAX	512	/* ended per round */

static void store_session_time(char *, size_t, long);
static enum store_status store_session_end_rows(const struct actor *,
    struct stmt *, const char *, int, const char *, int *);

/* Now plus offset seconds, as the store writes times. */
static void
store_session_time(char *buf, size_t len, long offset)
{
	time_t t = time(NULL) + offset;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The session with this secret, ended or not: who it acts as and, in
 * s->ended, whether it no longer holds (expired, idle longer than idle
 * seconds, its token gone). STORE_NOTFOUND if there is none.
 */
enum store_status
store_session_find(const char *secret, int idle, struct session *out)
{
	static struct stmt q = STMT("SELECT s.id, s.actor, s.role, p.tag,"
	    " s.scope, s.seen_at, s.expires_at, s.expires_at <= ?2,"
	    " s.seen_at <= ?3, s.token_id IS NOT NULL AND (t.id IS NULL OR"
	    " t.revoked_at IS NOT NULL OR t.expires_on < date('now')),"
	    " s.seen_at <= ?4 FROM session s"
	    " LEFT JOIN prescriber p ON p.id = s.prescriber_id"
	    " LEFT JOIN token t ON t.id = s.token_id WHERE s.hash = ?1");
	sqlite3_stmt *s;
	char hash[65], now[32], idle_since[32], touch_since[32];
	int rc;

	memset(out, 0, sizeof *out);
	store_secret_hash(secret, hash);
	store_session_time(now, sizeof now, 0);
	store_session_time(idle_since, sizeof idle_since, -(long)idle);
	store_session_time(touch_since, sizeof touch_since, -SESSION_TOUCH);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, idle_since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, touch_since, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_done(s, rc);
		return (rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR);
	}
	out->id = sqlite3_column_int64(s, 0);
	out->actor = xstrdup((const char *)sqlite3_column_text(s, 1));
	out->role = auth_role((const char *)sqlite3_column_text(s, 2));
	if (sqlite3_column_type(s, 3) != SQLITE_NULL)
		out->prescriber = xstrdup((const char *)sqlite3_column_text(s,
		    3));
	out->scope = xstrdup((const char *)sqlite3_column_text(s, 4));
	out->seen_at = xstrdup((const char *)sqlite3_column_text(s, 5));
	out->expires_at = xstrdup((const char *)sqlite3_column_text(s, 6));
	if (sqlite3_column_int(s, 7))
		out->ended |= SESSION_EXPIRED;
	if (sqlite3_column_int(s, 8))
		out->ended |= SESSION_IDLE;
	if (sqlite3_column_int(s, 9))
		out->ended |= SESSION_TOKEN_GONE;
	out->stale = sqlite3_column_int(s, 10);
	return (store_done(s, SQLITE_DONE));
}

void
store_session_free(struct session *s)
{
	free(s->actor);
	free(s->prescriber);
	free(s->scope);
	free(s->seen_at);
	free(s->expires_at);
	memset(s, 0, sizeof *s);
}

/*
 * A new session opened with the token named (its actor, role and
 * prescriber) for a scope, lasting lifetime seconds but never past the
 * token's expiry; the secret is given, only its hash is kept. Sessions
 * already expired are ended first. *id and *expires_at (allocated) say
 * which session and until when.
 */
enum store_status
store_session_add(const struct actor *a, const char *secret,
    const char *token, const char *scope, int lifetime, int idle,
    int64_t *id, char **expires_at)
{
	static struct stmt expired = STMT("SELECT id FROM session"
	    " WHERE expires_at <= ?2 OR seen_at <= ?3 ORDER BY id");
	static struct stmt q = STMT("INSERT INTO session (hash, actor, role,"
	    " prescriber_id, scope, token_id, created_at, seen_at, expires_at)"
	    " SELECT ?1, 'token:' || t.name, t.role, t.prescriber_id, ?3, t.id,"
	    " ?4, ?4, min(?5, coalesce(t.expires_on || 'T23:59:59Z', ?5))"
	    " FROM token t WHERE t.name = ?2 AND t.revoked_at IS NULL"
	    " RETURNING id, expires_at");
	sqlite3_stmt *s;
	char hash[65], now[32], until[32], *entity;
	enum store_status status;
	json_t *details;
	int n, rc;

	*expires_at = NULL;
	if ((status = store_session_end_rows(a, &expired, NULL, idle,
	    "expired", &n)) != STORE_OK)
		return (status);
	store_secret_hash(secret, hash);
	store_session_time(now, sizeof now, 0);
	store_session_time(until, sizeof until, lifetime);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, until, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		status = store_done(s, rc);
		return (status == STORE_OK ? STORE_NOTFOUND : status);
	}
	*id = sqlite3_column_int64(s, 0);
	*expires_at = xstrdup((const char *)sqlite3_column_text(s, 1));
	rc = sqlite3_step(s);
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	xasprintf(&entity, "session:%lld", (long long)*id);
	details = json_pack("{ss ss}", "scope", scope, "token", token);
	status = store_ledger_add(a, entity, "create", NULL, *expires_at, NULL,
	    details);
	json_decref(details);
	free(entity);
	return (status);
}

/* The session was used now (written at most every SESSION_TOUCH s). */
enum store_status
store_session_touch(int64_t id)
{
	static struct stmt q = STMT("UPDATE session SET seen_at = ?2"
	    " WHERE id = ?1");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_session_time(now, sizeof now, 0);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	return (store_done(s, sqlite3_step(s)));
}

/* End one session: its row goes, the ledger says who ended it and why. */
enum store_status
store_session_end(const struct actor *a, int64_t id, const char *reason)
{
	static struct stmt q = STMT("DELETE FROM session WHERE id = ?1");
	sqlite3_stmt *s;
	enum store_status status;
	char *entity;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	if (sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return (STORE_NOTFOUND);
	xasprintf(&entity, "session:%lld", (long long)id);
	status = store_ledger_add(a, entity, "end", NULL, NULL, reason, NULL);
	free(entity);
	return (status);
}

/*
 * End every session a query lists (?1 param, ?2 now, ?3 the idle limit),
 * SESSION_IDS_MAX at a time; *n says how many.
 */
static enum store_status
store_session_end_rows(const struct actor *a, struct stmt *q,
    const char *param, int idle, const char *reason, int *n)
{
	sqlite3_stmt *s;
	char now[32], idle_since[32];
	int64_t ids[SESSION_IDS_MAX];
	enum store_status status;
	int i, rc, count;

	*n = 0;
	store_session_time(now, sizeof now, 0);
	store_session_time(idle_since, sizeof idle_since, -(long)idle);
	do {
		if ((s = store_prepare(q)) == NULL)
			return (STORE_ERROR);
		if (sqlite3_bind_parameter_count(s) >= 1)
			sqlite3_bind_text(s, 1, param, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(s) >= 3) {
			sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, idle_since, -1, SQLITE_STATIC);
		}
		count = 0;
		while (count < SESSION_IDS_MAX &&
		    (rc = sqlite3_step(s)) == SQLITE_ROW)
			ids[count++] = sqlite3_column_int64(s, 0);
		if (count == SESSION_IDS_MAX)
			rc = SQLITE_DONE;	/* the rest in the next round */
		if ((status = store_done(s, rc)) != STORE_OK)
			return (status);
		for (i = 0; i < count; i++)
			if ((status = store_session_end(a, ids[i], reason)) !=
			    STORE_OK)
				return (status);
		*n += count;
	} while (count == SESSION_IDS_MAX);
	return (STORE_OK);
}

/* End every session (a coordinator's "end --all"); *n says how many. */
enum store_status
store_session_end_all(const struct actor *a, int *n)
{
	static struct stmt q = STMT("SELECT id FROM session ORDER BY id");

	return (store_session_end_rows(a, &q, NULL, 0, "ended by a coordinator",
	    n));
}

/* End the sessions a token opened (it is being revoked). */
enum store_status
store_session_end_token(const struct actor *a, const char *token)
{
	static struct stmt q = STMT("SELECT id FROM session WHERE token_id ="
	    " (SELECT id FROM token WHERE name = ?1) ORDER BY id");
	int n;

	return (store_session_end_rows(a, &q, token, 0, "token revoked", &n));
}

/*
 * Sign out: end the session with this secret, in the name of the actor it
 * acts as (via gives the station and date). STORE_NOTFOUND if none.
 */
enum store_status
store_session_sign_out(const struct actor *via, const char *secret,
    int64_t *id)
{
	static struct stmt q = STMT("SELECT id, actor FROM session"
	    " WHERE hash = ?1");
	struct actor a = *via;
	sqlite3_stmt *s;
	char hash[65], *actor;
	enum store_status status;
	int rc;

	store_secret_hash(secret, hash);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_done(s, rc);
		return (rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR);
	}
	*id = sqlite3_column_int64(s, 0);
	actor = xstrdup((const char *)sqlite3_column_text(s, 1));
	store_done(s, SQLITE_DONE);
	a.name = actor;
	status = store_session_end(&a, *id, "signed out");
	free(actor);
	return (status);
}

/* The sessions that hold now, without their hash. */
enum store_status
store_session_list(int idle, json_t **out)
{
	static struct stmt q = STMT("SELECT s.id, s.actor, s.role,"
	    " p.tag AS prescriber, s.scope, t.name AS token, s.created_at,"
	    " s.seen_at, strftime('%Y-%m-%dT%H:%M:%SZ', s.seen_at, ?3)"
	    " AS idle_until, s.expires_at FROM session s"
	    " LEFT JOIN prescriber p ON p.id = s.prescriber_id"
	    " LEFT JOIN token t ON t.id = s.token_id"
	    " WHERE s.expires_at > ?1 AND s.seen_at > ?2 ORDER BY s.id");
	sqlite3_stmt *s;
	char now[32], idle_since[32], plus[32];
	int rc;

	store_session_time(now, sizeof now, 0);
	store_session_time(idle_since, sizeof idle_since, -(long)idle);
	snprintf(plus, sizeof plus, "+%d seconds", idle);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, idle_since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, plus, -1, SQLITE_STATIC);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}
