/*
 * Beneficiaries and the steps of their path: the pseudonymous record, the
 * identity kept apart (set, shown, erased for good, purged once the
 * retention period is over), the export of a person's own data, and the
 * diagnostic, orientations, certifications and follow-ups. Every change
 * writes its ledger row with the B- tag as entity; names, phone numbers and
 * free-text notes never go into the ledger.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

static void store_beneficiary_copy(sqlite3_stmt *, int, char *, size_t);
static char *store_beneficiary_display(json_t *);
static enum store_status store_beneficiary_all(sqlite3_stmt *, json_t **);
static enum store_status store_beneficiary_one(sqlite3_stmt *, json_t **);
static json_t *store_beneficiary_private(json_t *, const char *);

/* The columns of the record (the API's fields are checked before). */
static const struct field beneficiary_columns[] = {
	{ "commune", FT_STRING, 0 },
	{ "territory", FT_STRING, 0 },
	{ "category", FT_STRING, 0 },
	{ "prescriber", FT_TAG, 0, NULL, 'P' },
	{ "referred_on", FT_DATE, 0 },
	{ "consent_on", FT_DATE, 0 },
	{ "reason", FT_TEXT, 0 },
	{ NULL }
};

/* The record as the generic store writes it: tag, columns, ledger row. */
static const struct resource beneficiary_table = {
	N_("beneficiary"), "beneficiaries", 'B', "beneficiary",
	beneficiary_columns, beneficiary_columns, NULL, NULL, 0, NULL, NULL
};

/*
 * Ledger actions that are not steps of a person's path: retention counts
 * from the last step, never from a reading or a correction.
 */
#define STORE_BENEFICIARY_NOT_STEPS					\
	"('create', 'edit', 'identity_set', 'identity_shown',"		\
	" 'identity_erased', 'exported', 'diagnostic_edit',"		\
	" 'orientation_edit')"

/* A text column into a buffer, "" for NULL. */
static void
store_beneficiary_copy(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(s, col);

	snprintf(buf, len, "%s", v != NULL ? v : "");
}

/* A value as the ledger shows it (allocated; NULL for null). */
static char *
store_beneficiary_display(json_t *v)
{
	char *s;

	switch (v != NULL ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL:
		return (NULL);
	case JSON_TRUE:
		return (xstrdup("true"));
	case JSON_FALSE:
		return (xstrdup("false"));
	case JSON_INTEGER:
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return (s);
	case JSON_STRING:
		return (xstrdup(json_string_value(v)));
	default:
		return (json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
	}
}

/* Every row of a statement as JSON objects. */
static enum store_status
store_beneficiary_all(sqlite3_stmt *s, json_t **out)
{
	int rc;

	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* The one row of a statement, or null (*out is JSON null then). */
static enum store_status
store_beneficiary_one(sqlite3_stmt *s, json_t **out)
{
	int rc;

	*out = NULL;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		rc = SQLITE_DONE;
	}
	if (*out == NULL)
		*out = json_null();
	return (store_done(s, rc));
}

/*
 * A copy of vals for the ledger: a free-text field is replaced by whether
 * it was given, since the ledger cannot forget what it holds.
 */
static json_t *
store_beneficiary_private(json_t *vals, const char *text)
{
	json_t *d, *v;

	d = json_deep_copy(vals);
	if ((v = json_object_get(d, text)) != NULL)
		json_object_set_new(d, text, json_boolean(!json_is_null(v)));
	return (d);
}

/* A programme setting (allocated), or NULL if the profile has none. */
enum store_status
store_beneficiary_setting(const char *key, char **value)
{
	static struct stmt q = STMT("SELECT value FROM programme"
	    " WHERE key = ?1");
	sqlite3_stmt *s;
	int rc;

	*value = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Is this a territory of the programme? If not, STORE_NOTFOUND and *known
 * lists those there are ("T6, T7, T8, T9", allocated).
 */
enum store_status
store_beneficiary_territory(const char *code, char **known)
{
	static struct stmt q = STMT("SELECT EXISTS (SELECT 1 FROM territory"
	    " WHERE code = ?1), (SELECT group_concat(code, ', ') FROM"
	    " (SELECT code FROM territory ORDER BY code))");
	sqlite3_stmt *s;
	int rc, found = 0;

	*known = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		found = sqlite3_column_int(s, 0);
		if (!found)
			*known = xstrdup(sqlite3_column_text(s, 1) != NULL ?
			    (const char *)sqlite3_column_text(s, 1) : "");
		rc = SQLITE_DONE;
	}
	if (store_done(s, rc) != STORE_OK)
		return (STORE_ERROR);
	return (found ? STORE_OK : STORE_NOTFOUND);
}

/* The territory of a commune (checked before with store_commune_check). */
enum store_status
store_beneficiary_commune_territory(const char *insee, char *out,
    size_t len)
{
	static struct stmt q = STMT("SELECT territory FROM commune"
	    " WHERE insee = ?1");
	sqlite3_stmt *s;
	int rc;

	*out = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_beneficiary_copy(s, 0, out, len);
		rc = SQLITE_DONE;
	}
	if (store_done(s, rc) != STORE_OK)
		return (STORE_ERROR);
	return (*out != '\0' ? STORE_OK : STORE_NOTFOUND);
}

/* What the steps of a person's path are checked against. */
enum store_status
store_beneficiary_facts(const char *tag, struct beneficiary_facts *bf)
{
	static struct stmt q = STMT("SELECT b.id, p.tag, b.category,"
	    " b.referred_on, b.consent_on, d.diagnosed_on,"
	    " (SELECT min(o.oriented_on) FROM orientation o"
	    " WHERE o.beneficiary_id = b.id),"
	    " (SELECT min(x) FROM (SELECT oriented_on AS x FROM orientation"
	    " WHERE beneficiary_id = b.id UNION ALL SELECT certified_on"
	    " FROM certification WHERE beneficiary_id = b.id UNION ALL"
	    " SELECT followed_on FROM followup WHERE beneficiary_id = b.id)),"
	    " (SELECT substr(min(h.at), 1, 10) FROM handover h"
	    " WHERE h.beneficiary_id = b.id AND h.cancelled_at IS NULL),"
	    " b.identity_erased_at, EXISTS (SELECT 1 FROM beneficiary_identity"
	    " i WHERE i.beneficiary_id = b.id),"
	    " (SELECT coalesce(sum(CASE f.month WHEN 3 THEN 1 ELSE 2 END), 0)"
	    " FROM followup f WHERE f.beneficiary_id = b.id)"
	    " FROM beneficiary b JOIN prescriber p ON p.id = b.prescriber_id"
	    " LEFT JOIN diagnostic d ON d.beneficiary_id = b.id"
	    " WHERE b.tag = ?1");
	sqlite3_stmt *s;
	int rc;

	memset(bf, 0, sizeof *bf);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (store_done(s, rc) != STORE_OK)
			return (STORE_ERROR);
		return (STORE_NOTFOUND);
	}
	bf->id = sqlite3_column_int64(s, 0);
	snprintf(bf->tag, sizeof bf->tag, "%s", tag);
	store_beneficiary_copy(s, 1, bf->prescriber, sizeof bf->prescriber);
	store_beneficiary_copy(s, 2, bf->category, sizeof bf->category);
	store_beneficiary_copy(s, 3, bf->referred_on, sizeof bf->referred_on);
	store_beneficiary_copy(s, 4, bf->consent_on, sizeof bf->consent_on);
	store_beneficiary_copy(s, 5, bf->diagnosed_on,
	    sizeof bf->diagnosed_on);
	store_beneficiary_copy(s, 6, bf->oriented_on, sizeof bf->oriented_on);
	store_beneficiary_copy(s, 7, bf->first_step_on,
	    sizeof bf->first_step_on);
	store_beneficiary_copy(s, 8, bf->handed_over_on,
	    sizeof bf->handed_over_on);
	store_beneficiary_copy(s, 9, bf->erased_at, sizeof bf->erased_at);
	bf->identity = sqlite3_column_int(s, 10);
	bf->followups = sqlite3_column_int(s, 11);
	return (store_done(s, SQLITE_DONE));
}

/* A new record from checked values (no identity in them); tag is set. */
enum store_status
store_beneficiary_add(const struct actor *a, json_t *vals, char *tag)
{
	return (store_item_add(&beneficiary_table, a, vals, tag));
}

/* Corrections of the record, each field a ledger row (old -> new). */
enum store_status
store_beneficiary_edit(const struct actor *a, const char *tag, json_t *vals,
    json_t **changed)
{
	return (store_item_edit(&beneficiary_table, a, tag, vals, changed));
}

/*
 * Record or replace the identity (first_name, last_name, phone; absent
 * ones are NULL). The ledger says which fields were given, never their
 * values.
 */
enum store_status
store_beneficiary_identity_set(const struct actor *a,
    const struct beneficiary_facts *bf, json_t *identity)
{
	static struct stmt q = STMT("INSERT INTO beneficiary_identity"
	    " (beneficiary_id, first_name, last_name, phone)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (beneficiary_id) DO UPDATE"
	    " SET first_name = excluded.first_name,"
	    " last_name = excluded.last_name, phone = excluded.phone");
	static const char *const names[] = {
		"first_name", "last_name", "phone", NULL
	};
	sqlite3_stmt *s;
	json_t *fields, *details;
	enum store_status status;
	int i;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	fields = json_array();
	sqlite3_bind_int64(s, 1, bf->id);
	for (i = 0; names[i] != NULL; i++) {
		store_item_bind(s, i + 2, json_object_get(identity,
		    names[i]));
		if (json_is_string(json_object_get(identity, names[i])))
			json_array_append_new(fields, json_string(names[i]));
	}
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK) {
		json_decref(fields);
		return (status);
	}
	details = json_pack("{so sb}", "fields", fields, "replaced",
	    bf->identity);
	status = store_ledger_add(a, bf->tag, "identity_set", NULL, NULL,
	    NULL, details);
	json_decref(details);
	return (status);
}

/* The identity, and a ledger row saying it was shown (and to whom). */
enum store_status
store_beneficiary_identity_show(const struct actor *a, const char *tag,
    json_t **out)
{
	static struct stmt q = STMT("SELECT b.tag, i.first_name, i.last_name,"
	    " i.phone FROM beneficiary_identity i JOIN beneficiary b"
	    " ON b.id = i.beneficiary_id WHERE b.tag = ?1");
	sqlite3_stmt *s;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((status = store_beneficiary_one(s, out)) != STORE_OK)
		return (status);
	if (json_is_null(*out))
		return (STORE_NOTFOUND);
	return (store_ledger_add(a, tag, "identity_shown", NULL, NULL, NULL,
	    NULL));
}

/*
 * Erase the identity for good: the row goes (secure_delete overwrites it),
 * the free text written about the person goes with it (notes of the
 * diagnostic, follow-ups, kits and repairs; the reasons given for an
 * override, a cancelled hand-over or a kit's closing become "erased", so
 * that they still count), the record keeps its date of erasure, and the
 * ledger says how and why. The caller checkpoints the WAL once this is
 * committed.
 */
enum store_status
store_beneficiary_erase(const struct actor *a,
    const struct beneficiary_facts *bf, const char *how, const char *reason)
{
	static struct stmt qd = STMT("DELETE FROM beneficiary_identity"
	    " WHERE beneficiary_id = ?1");
	static struct stmt qn = STMT("UPDATE diagnostic SET note = NULL"
	    " WHERE beneficiary_id = ?1 AND note IS NOT NULL RETURNING 1");
	static struct stmt qp = STMT("UPDATE followup SET problems = NULL"
	    " WHERE beneficiary_id = ?1 AND problems IS NOT NULL RETURNING 1");
	static struct stmt qk = STMT("UPDATE kit SET notes = NULL,"
	    " close_reason = CASE WHEN close_reason IS NULL THEN NULL"
	    " ELSE 'erased' END WHERE beneficiary_id = ?1 AND"
	    " (notes IS NOT NULL OR close_reason IS NOT NULL) RETURNING 1");
	static struct stmt qr = STMT("UPDATE repair SET notes = NULL"
	    " WHERE beneficiary_id = ?1 AND notes IS NOT NULL RETURNING 1");
	static struct stmt qh = STMT("UPDATE handover SET override_reason ="
	    " CASE WHEN override_reason IS NULL THEN NULL ELSE 'erased' END,"
	    " cancel_reason = CASE WHEN cancel_reason IS NULL THEN NULL"
	    " ELSE 'erased' END WHERE beneficiary_id = ?1 AND"
	    " (override_reason IS NOT NULL OR cancel_reason IS NOT NULL)"
	    " RETURNING 1");
	static struct stmt qb = STMT("UPDATE beneficiary"
	    " SET identity_erased_at = ?2 WHERE id = ?1");
	struct stmt *const notes[] = { &qn, &qp, &qk, &qr, &qh };
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	int rc, cleared = 0;
	size_t i;

	if ((s = store_prepare(&qd)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, bf->id);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	for (i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		if ((s = store_prepare(notes[i])) == NULL)
			return (STORE_ERROR);
		sqlite3_bind_int64(s, 1, bf->id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			cleared++;
		if ((status = store_done(s, rc)) != STORE_OK)
			return (status);
	}
	store_now(now, sizeof now);
	if ((s = store_prepare(&qb)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, bf->id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	details = json_pack("{ss si}", "how", how, "notes_cleared", cleared);
	status = store_ledger_add(a, bf->tag, "identity_erased", NULL, NULL,
	    reason, details);
	json_decref(details);
	return (status);
}

/*
 * Everything about one person, for them: the record, the identity, each
 * step, their kits, the history; and a ledger row saying it was exported.
 */
enum store_status
store_beneficiary_export(const struct actor *a, const char *tag,
    json_t **out)
{
	static struct stmt qb = STMT("SELECT * FROM beneficiary_v"
	    " WHERE tag = ?1");
	static struct stmt qi = STMT("SELECT i.first_name, i.last_name,"
	    " i.phone FROM beneficiary_identity i JOIN beneficiary b"
	    " ON b.id = i.beneficiary_id WHERE b.tag = ?1");
	static struct stmt qp = STMT("SELECT p.* FROM prescriber_v p"
	    " JOIN beneficiary b ON b.prescriber_id = p.id WHERE b.tag = ?1");
	static struct stmt qd = STMT("SELECT * FROM diagnostic_v"
	    " WHERE tag = ?1");
	static struct stmt qo = STMT("SELECT * FROM orientation_v"
	    " WHERE beneficiary = ?1 ORDER BY id");
	static struct stmt qc = STMT("SELECT * FROM certification_v"
	    " WHERE beneficiary = ?1 ORDER BY id");
	static struct stmt qf = STMT("SELECT * FROM followup_v"
	    " WHERE beneficiary = ?1 ORDER BY id");
	static struct stmt qk = STMT("SELECT * FROM kit_v"
	    " WHERE beneficiary = ?1 ORDER BY id");
	static const struct {
		const char	*name;
		struct stmt	*q;
		int		 many;
	} parts[] = {
		{ "beneficiary", &qb, 0 }, { "identity", &qi, 0 },
		{ "prescriber", &qp, 0 }, { "diagnostic", &qd, 0 },
		{ "orientations", &qo, 1 }, { "certifications", &qc, 1 },
		{ "followups", &qf, 1 }, { "kits", &qk, 1 },
	};
	sqlite3_stmt *s;
	char now[32];
	json_t *part, *history;
	enum store_status status;
	size_t i;

	store_now(now, sizeof now);
	*out = json_pack("{ss ss}", "exported_at", now, "tag", tag);
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if ((s = store_prepare(parts[i].q)) == NULL)
			return (STORE_ERROR);
		sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
		status = parts[i].many ? store_beneficiary_all(s, &part) :
		    store_beneficiary_one(s, &part);
		if (status != STORE_OK) {
			json_decref(part);
			return (status);
		}
		if (json_is_object(part))
			json_object_del(part, "id");
		json_object_set_new(*out, parts[i].name, part);
	}
	if ((status = store_ledger_history(tag, &history)) != STORE_OK) {
		json_decref(history);
		return (status);
	}
	json_object_set_new(*out, "history", history);
	return (store_ledger_add(a, tag, "exported", NULL, NULL, NULL, NULL));
}

/*
 * Erase the identities kept past the retention period: months after the
 * person's last step (referral, consent, or a step of the ledger with its
 * effective date). Only people referred and consenting before the cut-off
 * can be due (their last step is no earlier), and only those are read, by
 * the index beneficiary_kept (named: without statistics the planner would
 * rather read everyone in id order than sort a few); the four days spare
 * the month arithmetic of dates at a month's end. With dry set, only say
 * who is due. *out is
 * {"retention_months", "today", "dry_run", "due": [...], "erased": n}.
 */
enum store_status
store_beneficiary_purge(const struct actor *a, long long months,
    const char *today, int dry, json_t **out)
{
	static struct stmt q = STMT("SELECT tag, last_on, date(last_on,"
	    " '+' || ?1 || ' months') AS erase_on FROM (SELECT b.id, b.tag,"
	    " max(b.referred_on, b.consent_on, coalesce((SELECT"
	    " substr(max(l.at), 1, 10) FROM ledger l WHERE l.entity = b.tag"
	    " AND l.action NOT IN " STORE_BENEFICIARY_NOT_STEPS "), ''))"
	    " AS last_on FROM beneficiary b INDEXED BY beneficiary_kept"
	    " WHERE b.identity_erased_at IS NULL"
	    " AND b.referred_on <= date(?2, '-' || ?1 || ' months', '+4 days')"
	    " AND b.consent_on <= date(?2, '-' || ?1 || ' months', '+4 days')"
	    " AND EXISTS (SELECT 1 FROM beneficiary_identity i"
	    " WHERE i.beneficiary_id = b.id))"
	    " WHERE date(last_on, '+' || ?1 || ' months') <= ?2 ORDER BY id");
	struct beneficiary_facts bf;
	sqlite3_stmt *s;
	json_t *due, *row;
	enum store_status status;
	char *reason;
	size_t i;
	int rc, erased = 0;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, months);
	sqlite3_bind_text(s, 2, today, -1, SQLITE_STATIC);
	due = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = json_pack("{ss ss ss}",
		    "tag", (const char *)sqlite3_column_text(s, 0),
		    "last_step_on", (const char *)sqlite3_column_text(s, 1),
		    "erase_on", (const char *)sqlite3_column_text(s, 2));
		json_array_append_new(due, row);
	}
	if ((status = store_done(s, rc)) != STORE_OK) {
		json_decref(due);
		return (status);
	}
	for (i = 0; !dry && i < json_array_size(due); i++) {
		row = json_array_get(due, i);
		status = store_beneficiary_facts(json_string_value(
		    json_object_get(row, "tag")), &bf);
		if (status != STORE_OK) {
			json_decref(due);
			return (status);
		}
		xasprintf(&reason, "retention: %lld months after the last "
		    "step on %s", months, json_string_value(json_object_get(
		    row, "last_step_on")));
		status = store_beneficiary_erase(a, &bf, "retention", reason);
		free(reason);
		if (status != STORE_OK) {
			json_decref(due);
			return (status);
		}
		erased++;
	}
	*out = json_pack("{sI ss sb so si}", "retention_months",
	    (json_int_t)months, "today", today, "dry_run", dry, "due", due,
	    "erased", erased);
	return (STORE_OK);
}

/*
 * A page of a view keyed by id (orientations, certifications, follow-ups):
 * filters is view column -> value (the names come from the code), rows
 * after the id "after", at most limit. {"items", "next": "id" or null}.
 */
enum store_status
store_beneficiary_rows(const char *view, json_t *filters, int64_t after,
    long long limit, json_t **out)
{
	sqlite3_stmt *s;
	FILE *q;
	char *sql;
	size_t len;
	const char *key;
	json_t *v;
	int i, rc;

	if ((q = open_memstream(&sql, &len)) == NULL)
		fatal("open_memstream");
	fprintf(q, "SELECT * FROM %s WHERE id > ?1", view);
	i = 2;
	json_object_foreach(filters, key, v)
		fprintf(q, " AND %s = ?%d", key, i++);
	fprintf(q, " ORDER BY id LIMIT ?%d", i);
	fclose(q);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, after);
	i = 2;
	json_object_foreach(filters, key, v)
		store_item_bind(s, i++, v);
	sqlite3_bind_int64(s, i, limit + 1);
	rc = store_page(s, limit, out);
	return (store_finish(s, rc));
}

/* One row of a view keyed by id; STORE_NOTFOUND if there is none. */
enum store_status
store_beneficiary_row(const char *view, int64_t id, json_t **out)
{
	sqlite3_stmt *s;
	char *sql;
	int rc;

	*out = NULL;
	xasprintf(&sql, "SELECT * FROM %s WHERE id = ?1", view);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		store_finish(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_finish(s, rc));
}

/*
 * Corrections of a step (diagnostic, orientation): each field of vals that
 * differs from old (the row as shown) is set in table where key = id, and
 * gets a ledger row on entity: action, old and new value, details
 * {"field"} and extra. Columns are the field names of cols (from the
 * code); FT_TEXT values stay out of the ledger. *changed gets the fields
 * that changed with their new values.
 */
enum store_status
store_beneficiary_update(const struct actor *a, const char *table,
    const char *key, int64_t id, const char *entity, const char *action,
    const struct field *cols, json_t *old, json_t *vals, json_t *extra,
    json_t **changed)
{
	const struct field *f;
	sqlite3_stmt *s;
	json_t *v, *ov, *details;
	char *sql, *from, *to;
	const char *reason;
	enum store_status status;

	*changed = json_object();
	reason = json_string_value(json_object_get(vals, "reason"));
	for (f = cols; f->name != NULL; f++) {
		if ((v = json_object_get(vals, f->name)) == NULL ||
		    strcmp(f->name, "reason") == 0)
			continue;
		if ((ov = json_object_get(old, f->name)) == NULL)
			ov = json_null();
		if (json_equal(ov, v))
			continue;
		xasprintf(&sql, "UPDATE %s SET %s = ?1 WHERE %s = ?2", table,
		    f->name, key);
		s = store_prepare_dynamic(sql);
		free(sql);
		if (s == NULL)
			return (STORE_ERROR);
		store_item_bind(s, 1, v);
		sqlite3_bind_int64(s, 2, id);
		if ((status = store_finish(s, sqlite3_step(s))) != STORE_OK)
			return (status);
		from = to = NULL;
		if (f->type != FT_TEXT) {
			from = store_beneficiary_display(ov);
			to = store_beneficiary_display(v);
		}
		details = extra != NULL ? json_deep_copy(extra) : json_object();
		json_object_set_new(details, "field", json_string(f->name));
		status = store_ledger_add(a, entity, action, from, to, reason,
		    details);
		json_decref(details);
		free(from);
		free(to);
		if (status != STORE_OK)
			return (status);
		json_object_set(*changed, f->name, v);
	}
	return (STORE_OK);
}

/* A date some months after another, as SQLite counts them. */
enum store_status
store_beneficiary_months(const char *from, int months, char *out, size_t len)
{
	static struct stmt q = STMT("SELECT date(?1, '+' || ?2 || ' months')");
	sqlite3_stmt *s;
	int rc;

	*out = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, months);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_beneficiary_copy(s, 0, out, len);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * The diagnostic of a person: vals holds the checked fields, diagnosed_on
 * and late. The ledger row carries them, the note only as given or not.
 */
enum store_status
store_beneficiary_diagnostic_add(const struct actor *a,
    const struct beneficiary_facts *bf, json_t *vals)
{
	static struct stmt q = STMT("INSERT INTO diagnostic (beneficiary_id,"
	    " diagnosed_on, adviser, device_need, connection_need, autonomy,"
	    " training_wished, certification_wished, note, late, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, 'none'),"
	    " coalesce(?8, 0), ?9, ?10, ?11)");
	static const char *const cols[] = {
		"diagnosed_on", "adviser", "device_need", "connection_need",
		"autonomy", "training_wished", "certification_wished", "note",
		"late", NULL
	};
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	int i;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, bf->id);
	for (i = 0; cols[i] != NULL; i++)
		store_item_bind(s, i + 2, json_object_get(vals,
		    cols[i]));
	sqlite3_bind_text(s, 11, now, -1, SQLITE_TRANSIENT);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	details = store_beneficiary_private(vals, "note");
	status = store_ledger_add(a, bf->tag, "diagnostic", NULL, NULL, NULL,
	    details);
	json_decref(details);
	return (status);
}

/*
 * Orient a person to an offer: STORE_EXISTS (with *id the one there is) if
 * they already are. vals: offer, oriented_on, funding, attended,
 * completed. *id gets the new orientation's number.
 */
enum store_status
store_beneficiary_orientation_add(const struct actor *a,
    const struct beneficiary_facts *bf, json_t *vals, int64_t *id)
{
	static struct stmt qe = STMT("SELECT r.id FROM orientation r"
	    " JOIN offer o ON o.id = r.offer_id WHERE r.beneficiary_id = ?1"
	    " AND o.tag = ?2");
	static struct stmt q = STMT("INSERT INTO orientation (beneficiary_id,"
	    " offer_id, oriented_on, funding, attended, completed,"
	    " created_at, vouchers) VALUES (?1, (SELECT id FROM offer"
	    " WHERE tag = ?2), ?3, coalesce(?4, 'programme'), ?5, ?6, ?7, ?8)"
	    " RETURNING id");
	static const char *const cols[] = {
		"offer", "oriented_on", "funding", "attended", "completed",
		NULL
	};
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	int i, rc;

	*id = 0;
	if ((s = store_prepare(&qe)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, bf->id);
	store_item_bind(s, 2, json_object_get(vals, "offer"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		store_done(s, SQLITE_DONE);
		return (STORE_EXISTS);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, bf->id);
	for (i = 0; cols[i] != NULL; i++)
		store_item_bind(s, i + 2, json_object_get(vals,
		    cols[i]));
	sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
	store_item_bind(s, 8, json_object_get(vals, "vouchers"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	details = json_deep_copy(vals);
	json_object_set_new(details, "orientation", json_integer(*id));
	status = store_ledger_add(a, bf->tag, "orientation", NULL, NULL, NULL,
	    details);
	json_decref(details);
	return (status);
}

/* A certification: vals holds kind, certified_on, result, score. */
enum store_status
store_beneficiary_certification_add(const struct actor *a,
    const struct beneficiary_facts *bf, json_t *vals, int64_t *id)
{
	static struct stmt q = STMT("INSERT INTO certification"
	    " (beneficiary_id, kind, certified_on, result, score, created_at,"
	    " funding, vouchers) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " coalesce(?7, 'programme'), ?8) RETURNING id");
	static const char *const cols[] = {
		"kind", "certified_on", "result", "score", NULL
	};
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	int i, rc;

	*id = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, bf->id);
	for (i = 0; cols[i] != NULL; i++)
		store_item_bind(s, i + 2, json_object_get(vals,
		    cols[i]));
	sqlite3_bind_text(s, 6, now, -1, SQLITE_TRANSIENT);
	store_item_bind(s, 7, json_object_get(vals, "funding"));
	store_item_bind(s, 8, json_object_get(vals, "vouchers"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	details = json_deep_copy(vals);
	json_object_set_new(details, "certification", json_integer(*id));
	status = store_ledger_add(a, bf->tag, "certification", NULL,
	    json_string_value(json_object_get(vals, "result")), NULL,
	    details);
	json_decref(details);
	return (status);
}

/*
 * A follow-up: vals holds month, followed_on, due_on, basis and the
 * outcome (reached, device_in_use, connected, training_followed,
 * certified, problems). The problems text stays out of the ledger.
 */
enum store_status
store_beneficiary_followup_add(const struct actor *a,
    const struct beneficiary_facts *bf, json_t *vals, int64_t *id)
{
	static struct stmt q = STMT("INSERT INTO followup (beneficiary_id,"
	    " month, followed_on, due_on, basis, reached, device_in_use,"
	    " connected, training_followed, certified, problems, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, 1), ?7, ?8, ?9, ?10,"
	    " ?11, ?12) RETURNING id");
	static const char *const cols[] = {
		"month", "followed_on", "due_on", "basis", "reached",
		"device_in_use", "connected", "training_followed", "certified",
		"problems", NULL
	};
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	int i, rc;

	*id = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, bf->id);
	for (i = 0; cols[i] != NULL; i++)
		store_item_bind(s, i + 2, json_object_get(vals,
		    cols[i]));
	sqlite3_bind_text(s, 12, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	details = store_beneficiary_private(vals, "problems");
	json_object_set_new(details, "followup", json_integer(*id));
	status = store_ledger_add(a, bf->tag, "followup", NULL, NULL, NULL,
	    details);
	json_decref(details);
	return (status);
}

/*
 * The statement of a page of the schedule: the slots of sel after a
 * cursor (from the first: "", 0, 0; those pending: from today, by the
 * cursor), from the index of the filter given.
 */
static void
schedule_sql(json_t *sel, char *sql, size_t size)
{
	const char *state = json_string_value(json_object_get(sel, "state"));
	const char *index;
	int open, done, overdue, pending;
	size_t i, len;
	struct {
		int		 on;
		const char	*sql;
	} where[] = {
		{ 0, " AND s.beneficiary_id = (SELECT id"
		    " FROM beneficiary WHERE tag = ?1)" },
		{ 0, " AND s.territory = ?2" },
		{ 0, " AND s.prescriber_id = (SELECT id"
		    " FROM prescriber WHERE tag = ?3)" },
		{ 0, " AND s.followup_id IS NULL" },
		{ 0, " AND s.followup_id IS NOT NULL" },
		{ 0, " AND s.due_on <= ?5" },
		{ 0, " AND s.due_on < ?4" },
	};

	done = state != NULL && strcmp(state, "done") == 0;
	overdue = json_is_true(json_object_get(sel, "overdue")) ||
	    (state != NULL && strcmp(state, "overdue") == 0);
	pending = state != NULL && strcmp(state, "pending") == 0;
	open = overdue || pending || json_object_get(sel, "due") != NULL;
	if (json_object_get(sel, "beneficiary") != NULL)
		index = "";	/* the key: a person's two slots */
	else if (json_object_get(sel, "territory") != NULL)
		index = open ? " INDEXED BY followup_slot_territory_open" :
		    " INDEXED BY followup_slot_territory";
	else if (json_object_get(sel, "prescriber") != NULL)
		index = " INDEXED BY followup_slot_prescriber";
	else
		index = open ? " INDEXED BY followup_slot_open" :
		    " INDEXED BY followup_slot_due";
	where[0].on = json_object_get(sel, "beneficiary") != NULL;
	where[1].on = json_object_get(sel, "territory") != NULL;
	where[2].on = json_object_get(sel, "prescriber") != NULL;
	where[3].on = open;
	where[4].on = done;
	where[5].on = json_object_get(sel, "due") != NULL;
	where[6].on = overdue;
	len = snprintf(sql, size, "SELECT s.beneficiary_id AS id,"
	    " b.tag AS beneficiary, s.territory, p.tag AS prescriber, s.month,"
	    " s.basis, s.due_on, s.followup_id AS followup, f.followed_on,"
	    " CASE WHEN s.followup_id IS NOT NULL THEN 'done'"
	    " WHEN s.due_on < ?4 THEN 'overdue' ELSE 'pending' END AS state"
	    " FROM followup_slot s%s"
	    " CROSS JOIN beneficiary b ON b.id = s.beneficiary_id"
	    " CROSS JOIN prescriber p ON p.id = s.prescriber_id"
	    " LEFT JOIN followup f ON f.id = s.followup_id"
	    " WHERE (s.due_on, s.beneficiary_id, s.month) > (?8, ?9, ?10)",
	    index);
	for (i = 0; i < sizeof where / sizeof where[0]; i++)
		if (where[i].on)
			len += snprintf(sql + len, size - len, "%s",
			    where[i].sql);
	snprintf(sql + len, size - len, " ORDER BY s.due_on, s.beneficiary_id,"
	    " s.month LIMIT ?11");
}

/*
 * The follow-up schedule: everyone diagnosed is followed at 3 and 6
 * months after their first hand-over in force, else their first
 * orientation, else their diagnostic (the slots kept in followup_slot,
 * migration 21). Each row is done (recorded), overdue (due before today)
 * or pending. sel holds the filters: beneficiary, territory, prescriber,
 * due (pending or overdue by that date), overdue (true), state; after is
 * a cursor "DATE/TAG/MONTH". *out is {"today", "items", "next"}. The
 * slots are read in the list's order from the index of the filter given
 * (a person's from the key), those not done from an index of their own.
 */
enum store_status
store_beneficiary_schedule(json_t *sel, const char *today, const char *after,
    long long limit, json_t **out)
{
	char sql[2048], cursor[64], date[11], tag[TAG_LEN + 1];
	const char *keys[] = { "beneficiary", "territory", "prescriber" };
	const char *state;
	sqlite3_stmt *s;
	json_t *items, *row;
	unsigned long seq = 0;
	int i, rc, month = 0;
	long long n = 0;

	*out = NULL;
	if (after != NULL && (strlen(after) < 24 || sscanf(after,
	    "%10[0-9-]/%11[A-Z0-9-]/%d", date, tag, &month) != 3 ||
	    tag_check(tag, 'B', NULL, &seq, NULL) != 0))
		return (STORE_INVALID);
	if (after == NULL)
		date[0] = '\0';
	/* Pending: due from today, where the cursor starts at the latest. */
	state = json_string_value(json_object_get(sel, "state"));
	if (state != NULL && strcmp(state, "pending") == 0 &&
	    strcmp(date, today) < 0) {
		snprintf(date, sizeof date, "%s", today);
		seq = 0;
		month = 0;
	}
	schedule_sql(sel, sql, sizeof sql);
	if ((s = store_prepare_named(sql)) == NULL)
		return (STORE_ERROR);
	for (i = 0; i < 3; i++)
		store_item_bind(s, i + 1, json_object_get(sel, keys[i]));
	sqlite3_bind_text(s, 4, today, -1, SQLITE_STATIC);
	store_item_bind(s, 5, json_object_get(sel, "due"));
	sqlite3_bind_text(s, 8, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)seq);
	sqlite3_bind_int(s, 10, month);
	sqlite3_bind_int64(s, 11, limit + 1);
	items = json_array();
	cursor[0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		row = store_row_json(s);
		snprintf(cursor, sizeof cursor, "%s/%s/%lld",
		    json_string_value(json_object_get(row, "due_on")),
		    json_string_value(json_object_get(row, "beneficiary")),
		    (long long)json_integer_value(json_object_get(row,
		    "month")));
		json_object_del(row, "id");
		json_array_append_new(items, row);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	*out = json_pack("{ss so}", "today", today, "items", items);
	json_object_set_new(*out, "next", n > limit ? json_string(cursor) :
	    json_null());
	return (store_done(s, rc));
}
