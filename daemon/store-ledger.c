/*
 * The ledger: one append-only row per change, written inside the change's
 * own transaction. It names people by their B- tag only.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* Append one row; details (may be NULL) is borrowed. */
enum store_status
store_ledger_add(const struct actor *a, const char *entity,
    const char *action, const char *from, const char *to, const char *reason,
    json_t *details)
{
	static struct stmt q = STMT("INSERT INTO ledger (at, recorded_at,"
	    " actor, station, entity, action, from_value, to_value, reason,"
	    " details_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sqlite3_stmt *s;
	char now[32], *text = NULL;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	if (details != NULL)
		text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_bind_text(s, 1, a->at != NULL ? a->at : now, -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, text, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	free(text);
	return (status);
}

/* Every row about one tag, oldest first. */
enum store_status
store_ledger_history(const char *tag, json_t **out)
{
	static struct stmt q = STMT("SELECT id, at, recorded_at, actor,"
	    " station, action, from_value AS \"from\", to_value AS \"to\","
	    " reason, details_json FROM ledger WHERE entity = ?1 ORDER BY id");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}
