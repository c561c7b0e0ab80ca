/*
 * Tokens for TCP clients: stored only as the SHA-256 of the secret, with a
 * role, an optional prescriber, an expiry date, and revocation (which ends
 * the browser sessions the token opened, store-session.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "kitstockd.h"

/* The hex SHA-256 of a secret (a token's, a session's) into out[65]. */
void
store_secret_hash(const char *secret, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_Digest(secret, strlen(secret), md, &len, EVP_sha256(),
	    NULL) != 1)
		fatalx("EVP_Digest failed");
	for (i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/*
 * The token with this secret, not revoked: its name, role and prescriber
 * tag (allocated); *expired is set to its expiry date if that has passed.
 */
enum store_status
store_token_find(const char *secret, char **name, int *role,
    char **prescriber, char **expired)
{
	static struct stmt q = STMT("SELECT t.name, t.role, p.tag,"
	    " t.expires_on, t.expires_on < date('now') FROM token t"
	    " LEFT JOIN prescriber p ON p.id = t.prescriber_id"
	    " WHERE t.hash = ?1 AND t.revoked_at IS NULL");
	sqlite3_stmt *s;
	char hash[65];
	int rc;

	*name = *prescriber = *expired = NULL;
	store_secret_hash(secret, hash);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_done(s, rc);
		return (rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR);
	}
	*name = xstrdup((const char *)sqlite3_column_text(s, 0));
	*role = auth_role((const char *)sqlite3_column_text(s, 1));
	if (sqlite3_column_type(s, 2) != SQLITE_NULL)
		*prescriber = xstrdup((const char *)sqlite3_column_text(s, 2));
	if (sqlite3_column_int(s, 4))
		*expired = xstrdup((const char *)sqlite3_column_text(s, 3));
	return (store_done(s, SQLITE_DONE));
}

/* A new token; the secret is given, only its hash is kept. */
enum store_status
store_token_add(const struct actor *a, const char *name, int role,
    const char *prescriber, const char *expires, char **secret)
{
	static struct stmt q = STMT("INSERT INTO token (name, role,"
	    " prescriber_id, hash, created_at, expires_on) VALUES (?1, ?2,"
	    " (SELECT id FROM prescriber WHERE tag = ?3), ?4,"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?5)");
	sqlite3_stmt *s;
	char hash[65], *entity;
	enum store_status status;
	json_t *details;

	store_secret_hash(*secret, hash);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, auth_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, prescriber, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, expires, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	xasprintf(&entity, "token:%s", name);
	details = json_pack("{ss}", "role", auth_role_name(role));
	if (prescriber != NULL)
		json_object_set_new(details, "prescriber",
		    json_string(prescriber));
	status = store_ledger_add(a, entity, "create", NULL, expires, NULL,
	    details);
	json_decref(details);
	free(entity);
	return (status);
}

/* Revoke a token by name, ending the sessions it opened. */
enum store_status
store_token_revoke(const struct actor *a, const char *name)
{
	static struct stmt q = STMT("UPDATE token SET revoked_at ="
	    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE name = ?1"
	    " AND revoked_at IS NULL");
	sqlite3_stmt *s;
	char *entity;
	enum store_status status;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if (sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return (STORE_NOTFOUND);
	xasprintf(&entity, "token:%s", name);
	status = store_ledger_add(a, entity, "revoke", NULL, NULL, NULL, NULL);
	free(entity);
	if (status != STORE_OK)
		return (status);
	return (store_session_end_token(a, name));
}

/* Every token, without its hash. */
enum store_status
store_token_list(json_t **out)
{
	static struct stmt q = STMT("SELECT t.name, t.role, p.tag AS"
	    " prescriber, t.created_at, t.expires_on, t.revoked_at FROM token t"
	    " LEFT JOIN prescriber p ON p.id = t.prescriber_id ORDER BY t.id");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}
