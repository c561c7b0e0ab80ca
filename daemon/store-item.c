/*
 * Generic storage of resources: create, show, list and edit over a table and
 * its "_v" view, with the columns named by the resource's field table. Table
 * and column names come from the resource tables in the code, never from a
 * request, so building these statements is safe.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kitstockd.h"

static void store_item_value_sql(FILE *, const struct field *, int);
static char *store_item_display(const struct field *, json_t *);
static enum store_status store_item_insert(const struct resource *,
	    const struct actor *, json_t *, const char *, int64_t);

/* The column that holds a field, or NULL if the field has no column. */
char *
store_item_column(const struct field *f)
{
	char *col;

	switch (f->type) {
	case FT_IMEIS:
	case FT_TAGS:
		return (NULL);
	case FT_EUROS:
		xasprintf(&col, "%s_cents", f->name);
		return (col);
	case FT_TAG:
		xasprintf(&col, "%s_id", f->name);
		return (col);
	default:
		return (xstrdup(f->name));
	}
}

/* The SQL for parameter i of a field: a tag is turned into its row id. */
static void
store_item_value_sql(FILE *f, const struct field *fl, int i)
{
	const struct resource *ref;

	if (fl->type == FT_TAG && (ref = resource_by_letter(fl->letter)) !=
	    NULL)
		fprintf(f, "(SELECT id FROM %s WHERE tag = ?%d)", ref->table, i);
	else
		fprintf(f, "?%d", i);
}

/* Bind a validated JSON value (NULL binds SQL NULL). */
void
store_item_bind(sqlite3_stmt *s, int i, json_t *v)
{
	switch (v != NULL ? json_typeof(v) : JSON_NULL) {
	case JSON_TRUE:
		sqlite3_bind_int(s, i, 1);
		break;
	case JSON_FALSE:
		sqlite3_bind_int(s, i, 0);
		break;
	case JSON_INTEGER:
		sqlite3_bind_int64(s, i, json_integer_value(v));
		break;
	case JSON_REAL:
		sqlite3_bind_double(s, i, json_real_value(v));
		break;
	case JSON_STRING:
		sqlite3_bind_text(s, i, json_string_value(v), -1,
		    SQLITE_TRANSIENT);
		break;
	default:
		sqlite3_bind_null(s, i);
		break;
	}
}

/* A value as the ledger shows it (allocated, NULL for null). */
static char *
store_item_display(const struct field *f, json_t *v)
{
	char buf[32], *s;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return (NULL);
	case JSON_TRUE:
		return (xstrdup("1"));
	case JSON_FALSE:
		return (xstrdup("0"));
	case JSON_INTEGER:
		if (f->type == FT_EUROS) {
			euros_format(json_integer_value(v), buf, sizeof buf);
			return (xstrdup(buf));
		}
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return (s);
	case JSON_REAL:
		xasprintf(&s, "%g", json_real_value(v));
		return (s);
	case JSON_STRING:
		return (xstrdup(json_string_value(v)));
	default:
		return (json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
	}
}

/*
 * Insert a new row from validated values and write its "create" ledger row.
 * vals may carry "state"; the new tag is written to tag.
 */
enum store_status
store_item_add(const struct resource *res, const struct actor *a,
    json_t *vals, char *tag)
{
	int64_t id;

	if ((id = store_next_id(res->table)) <= 0)
		return (STORE_ERROR);
	if ((unsigned long)id > TAG_SEQ_MAX)
		return (STORE_FULL);
	tag_make(tag, res->letter, id);
	return (store_item_insert(res, a, vals, tag, id));
}

/*
 * The same with a given tag of the resource's letter (a pre-printed one,
 * its sequence number reserved): the row id stays the tag's sequence.
 */
enum store_status
store_item_add_as(const struct resource *res, const struct actor *a,
    json_t *vals, const char *tag)
{
	if (tag[0] != res->letter || tag_check(tag, res->letter, NULL, NULL,
	    NULL) != 0)
		return (STORE_INVALID);
	return (store_item_insert(res, a, vals, tag, tag_seq(tag)));
}

/* Insert the row with this id and tag, and its ledger row. */
static enum store_status
store_item_insert(const struct resource *res, const struct actor *a,
    json_t *vals, const char *tag, int64_t id)
{
	const struct field *f;
	sqlite3_stmt *s;
	FILE *cols, *values;
	char *csql, *vsql, *sql, *col, now[32];
	size_t clen, vlen;
	json_t *v, *bound[64];
	int n = 0, i;
	enum store_status status;

	store_now(now, sizeof now);

	cols = open_memstream(&csql, &clen);
	values = open_memstream(&vsql, &vlen);
	if (cols == NULL || values == NULL)
		fatal("open_memstream");
	fprintf(cols, "id, tag, created_at");
	fprintf(values, "?1, ?2, ?3");
	for (f = res->fields; f->name != NULL; f++) {
		if ((v = json_object_get(vals, f->name)) == NULL)
			continue;
		if ((col = store_item_column(f)) == NULL)
			continue;
		bound[n++] = v;
		fprintf(cols, ", %s", col);
		fprintf(values, ", ");
		store_item_value_sql(values, f, n + 3);
		free(col);
	}
	if ((v = json_object_get(vals, "state")) != NULL) {
		bound[n++] = v;
		fprintf(cols, ", state");
		fprintf(values, ", ?%d", n + 3);
	}
	fclose(cols);
	fclose(values);
	xasprintf(&sql, "INSERT INTO %s (%s) VALUES (%s)", res->table, csql,
	    vsql);
	free(csql);
	free(vsql);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
	for (i = 0; i < n; i++)
		store_item_bind(s, i + 4, bound[i]);
	if ((status = store_finish(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	for (f = res->fields; f->name != NULL; f++) {
		if (f->type == FT_IMEIS && (v = json_object_get(vals,
		    f->name)) != NULL && (status = store_device_imeis(id, v)) !=
		    STORE_OK)
			return (status);
	}
	v = json_object_get(vals, "state");
	return (store_ledger_add(a, tag, "create", NULL,
	    v != NULL ? json_string_value(v) : NULL, NULL, vals));
}

/* One resource as the API shows it. */
enum store_status
store_item_get(const struct resource *res, const char *tag, json_t **out)
{
	sqlite3_stmt *s;
	char *sql;
	int rc;

	*out = NULL;
	xasprintf(&sql, "SELECT * FROM %s_v WHERE tag = ?1", res->table);
	s = store_prepare_dynamic(sql);
	free(sql);
	if (s == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		json_object_del(*out, "id");
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		store_finish(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_finish(s, rc));
}

/*
 * A page of a list: filters is an object of view column -> value (already
 * checked against res->filters), after the row id "after", at most limit
 * rows. The answer is {"items": [...], "next": tag or null}.
 */
enum store_status
store_item_list(const struct resource *res, json_t *filters, int64_t after,
    long long limit, json_t **out)
{
	sqlite3_stmt *s;
	FILE *q;
	char *sql;
	size_t len;
	const char *key;
	json_t *v, *items, *row, *last = NULL;
	int i, rc;
	long long n = 0;

	if ((q = open_memstream(&sql, &len)) == NULL)
		fatal("open_memstream");
	fprintf(q, "SELECT * FROM %s_v WHERE id > ?1", res->table);
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
	items = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		row = store_row_json(s);
		json_object_del(row, "id");
		json_array_append_new(items, row);
		last = row;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	*out = json_object();
	json_object_set_new(*out, "items", items);
	if (n > limit && last != NULL)
		json_object_set(*out, "next", json_object_get(last, "tag"));
	else
		json_object_set_new(*out, "next", json_null());
	return (store_finish(s, rc));
}

/*
 * Edit: set each changed field and write one ledger row per field with its
 * old and new value. *out gets the fields changed ({} if nothing did).
 */
enum store_status
store_item_edit(const struct resource *res, const struct actor *a,
    const char *tag, json_t *vals, json_t **out)
{
	const struct field *f;
	sqlite3_stmt *s;
	json_t *old, *v, *ov, *details;
	FILE *q;
	char *sql, *col, *from, *to;
	const char *reason;
	size_t len;
	enum store_status status;
	int changed;

	*out = json_object();
	if ((status = store_item_get(res, tag, &old)) != STORE_OK)
		return (status);
	v = json_object_get(vals, "reason");
	reason = v != NULL ? json_string_value(v) : NULL;
	for (f = res->edit; f->name != NULL; f++) {
		if ((v = json_object_get(vals, f->name)) == NULL ||
		    strcmp(f->name, "reason") == 0)
			continue;
		from = store_item_display(f, (ov = json_object_get(old,
		    f->name)) != NULL ? ov : json_null());
		to = store_item_display(f, v);
		changed = (from == NULL) != (to == NULL) || (from != NULL &&
		    strcmp(from, to) != 0);
		if (f->type == FT_EUROS && ov != NULL && json_is_string(ov) &&
		    to != NULL)
			changed = strcmp(json_string_value(ov), to) != 0;
		status = STORE_OK;
		if (changed && (col = store_item_column(f)) != NULL) {
			if ((q = open_memstream(&sql, &len)) == NULL)
				fatal("open_memstream");
			fprintf(q, "UPDATE %s SET %s = ", res->table, col);
			store_item_value_sql(q, f, 1);
			fprintf(q, " WHERE tag = ?2");
			fclose(q);
			free(col);
			if ((s = store_prepare_dynamic(sql)) == NULL)
				status = STORE_ERROR;
			else {
				store_item_bind(s, 1, v);
				sqlite3_bind_text(s, 2, tag, -1,
				    SQLITE_TRANSIENT);
				status = store_finish(s, sqlite3_step(s));
			}
			free(sql);
		}
		if (changed && f->type == FT_IMEIS)
			status = store_device_imeis(tag_seq(tag), v);
		if (changed && status == STORE_OK) {
			details = json_pack("{ss}", "field", f->name);
			status = store_ledger_add(a, tag, "edit", from, to,
			    reason, details);
			json_decref(details);
			json_object_set_new(*out, f->name, to != NULL ?
			    (f->type == FT_EUROS ? json_string(to) :
			    json_deep_copy(v)) : json_null());
		}
		free(from);
		free(to);
		if (status != STORE_OK) {
			json_decref(old);
			return (status);
		}
	}
	json_decref(old);
	return (STORE_OK);
}

/*
 * What a tag, serial, IMEI or ICCID designates. A serial shared by several
 * units gives STORE_CONFLICT with the candidates in *candidates.
 */
enum store_status
store_resolve(const char *q, struct item *it, json_t **candidates)
{
	static struct stmt qs = STMT("SELECT tag, 'D' FROM device"
	    " WHERE serial = ?1 UNION SELECT d.tag, 'D' FROM device_imei i"
	    " JOIN device d ON d.id = i.device_id WHERE i.imei = ?1"
	    " UNION SELECT tag, 'S' FROM sim WHERE iccid = ?1 OR msisdn = ?1"
	    " ORDER BY 1 LIMIT 20");
	sqlite3_stmt *s;
	json_t *one;
	int rc, n = 0;

	*candidates = NULL;
	memset(it, 0, sizeof *it);
	if (tag_shaped(q)) {
		if ((it->res = resource_by_letter(q[0])) == NULL)
			return (STORE_NOTFOUND);
		snprintf(it->tag, sizeof it->tag, "%s", q);
		return (store_id_of(it->res->table, q, &it->id));
	}
	if ((s = store_prepare(&qs)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0) {
			snprintf(it->tag, sizeof it->tag, "%s",
			    (const char *)sqlite3_column_text(s, 0));
			it->res = resource_by_letter(it->tag[0]);
		}
		if (*candidates == NULL)
			*candidates = json_array();
		json_array_append_new(*candidates, json_string((const char *)
		    sqlite3_column_text(s, 0)));
	}
	if ((store_done(s, rc)) != STORE_OK)
		return (STORE_ERROR);
	if (n == 0)
		return (STORE_NOTFOUND);
	if (n > 1) {
		/* Give each candidate's description, for the operator. */
		one = json_array();
		for (size_t i = 0; i < json_array_size(*candidates); i++) {
			const char *t = json_string_value(json_array_get(
			    *candidates, i));
			json_t *o;

			if (store_item_get(resource_by_letter(t[0]), t, &o) ==
			    STORE_OK)
				json_array_append_new(one, o);
		}
		json_decref(*candidates);
		*candidates = one;
		return (STORE_CONFLICT);
	}
	json_decref(*candidates);
	*candidates = NULL;
	return (store_id_of(it->res->table, it->tag, &it->id));
}
