/*
 * Labels in the store: what a tag's label prints, pre-printed tags
 * (reserved, then bound once), printers, the printer each location prints
 * on when a unit is received there, and print jobs. Every change writes its
 * ledger rows in the same transaction; a print job is in the ledger of each
 * tag it printed. People appear by their B- tag only.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

static enum store_status store_label_row(struct stmt *, const char *,
	    json_t **);
static enum store_status store_label_kit(const char *, json_t **);
static enum store_status store_print_ledger(const struct actor *, json_t *,
	    const char *, const char *, const char *, const char *);

/* One row of a kept statement bound to a tag, or STORE_NOTFOUND. */
static enum store_status
store_label_row(struct stmt *q, const char *tag, json_t **out)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = store_row_json(s);
	else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}

/* A kit's label: the kit table belongs to the distribution part. */
static enum store_status
store_label_kit(const char *tag, json_t **out)
{
	static struct stmt q = STMT("SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name = 'kit'");
	sqlite3_stmt *s;
	enum store_status status;
	int rc, have = 0;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0);
	if ((status = store_done(s, rc)) != STORE_OK || !have)
		return (status != STORE_OK ? status : STORE_NOTFOUND);
	if ((s = store_prepare_dynamic("SELECT tag FROM kit WHERE tag = ?1")) ==
	    NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_TRANSIENT);
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
 * What the label of a tag prints: the item's fields by the names templates
 * use, or the tag alone for a pre-printed tag not yet bound. A
 * beneficiary gives its first name only. STORE_NOTFOUND if neither exists.
 */
enum store_status
store_label_record(const char *tag, json_t **out)
{
	static struct stmt qd = STMT("SELECT d.tag, d.kind, d.brand, d.model,"
	    " d.serial, d.cpu, d.ram_gb, d.storage_gb, d.screen_in, d.os,"
	    " d.grade, d.warranty_until, s.name AS supplier, lt.tag AS lot"
	    " FROM device d LEFT JOIN lot lt ON lt.id = d.lot_id"
	    " LEFT JOIN supplier s ON s.id = lt.supplier_id WHERE d.tag = ?1");
	static struct stmt qs = STMT("SELECT m.tag, m.operator, m.msisdn,"
	    " m.iccid, m.plan_gb, s.name AS supplier, lt.tag AS lot FROM sim m"
	    " LEFT JOIN lot lt ON lt.id = m.lot_id"
	    " LEFT JOIN supplier s ON s.id = lt.supplier_id WHERE m.tag = ?1");
	static struct stmt ql = STMT("SELECT l.tag, l.name, l.address,"
	    " c.name AS commune FROM location l"
	    " JOIN commune c ON c.insee = l.commune WHERE l.tag = ?1");
	static struct stmt qb = STMT("SELECT b.tag, i.first_name FROM"
	    " beneficiary b LEFT JOIN beneficiary_identity i"
	    " ON i.beneficiary_id = b.id WHERE b.tag = ?1");
	static struct stmt qr = STMT("SELECT tag FROM tag_reservation"
	    " WHERE tag = ?1 AND bound_at IS NULL");
	enum store_status status;

	*out = NULL;
	switch (tag[0]) {
	case 'D':
		status = store_label_row(&qd, tag, out);
		break;
	case 'S':
		status = store_label_row(&qs, tag, out);
		break;
	case 'L':
		status = store_label_row(&ql, tag, out);
		break;
	case 'B':
		status = store_label_row(&qb, tag, out);
		break;
	case 'K':
		status = store_label_kit(tag, out);
		break;
	default:
		status = STORE_NOTFOUND;
		break;
	}
	if (status == STORE_NOTFOUND)
		status = store_label_row(&qr, tag, out);
	return (status);
}

/*
 * Reserve count tags of a letter for pre-printed labels: the next
 * sequence numbers of its table, never given to anything else. *tags gets
 * them, in order; each has a "reserve" ledger row.
 */
enum store_status
store_label_reserve(const struct actor *a, char letter, long long count,
    json_t **tags)
{
	static struct stmt q = STMT("INSERT INTO tag_reservation (tag, letter,"
	    " seq, reserved_at) VALUES (?1, ?2, ?3, ?4)");
	const struct resource *res;
	sqlite3_stmt *s;
	char tag[TAG_LEN + 1], l[2] = { letter, '\0' }, now[32];
	enum store_status status = STORE_OK;
	int64_t next;
	long long i;

	*tags = json_array();
	if ((res = resource_by_letter(letter)) == NULL)
		return (STORE_INVALID);
	if ((next = store_next_id(res->table)) <= 0)
		return (STORE_ERROR);
	if ((unsigned long)(next + count - 1) > TAG_SEQ_MAX)
		return (STORE_FULL);
	store_now(now, sizeof now);
	for (i = 0; i < count && status == STORE_OK; i++) {
		tag_make(tag, letter, (unsigned long)(next + i));
		if ((s = store_prepare(&q)) == NULL)
			return (STORE_ERROR);
		sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, l, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, next + i);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		status = store_done(s, sqlite3_step(s));
		if (status == STORE_OK)
			status = store_ledger_add(a, tag, "reserve", NULL,
			    "reserved", _("pre-printed label"), NULL);
		json_array_append_new(*tags, json_string(tag));
	}
	return (status);
}

/*
 * Bind a pre-printed tag, once: STORE_NOTFOUND if it was never reserved,
 * STORE_CONFLICT if it is already bound. by says to what (e.g. a serial).
 */
enum store_status
store_label_bind(const struct actor *a, const char *tag, const char *by)
{
	static struct stmt qg = STMT("SELECT bound_at FROM tag_reservation"
	    " WHERE tag = ?1");
	static struct stmt qu = STMT("UPDATE tag_reservation SET bound_at = ?2,"
	    " bound_by = ?3 WHERE tag = ?1 AND bound_at IS NULL");
	sqlite3_stmt *s;
	char now[32];
	int rc, bound = 0;
	enum store_status status;

	if ((s = store_prepare(&qg)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		bound = sqlite3_column_type(s, 0) != SQLITE_NULL ? 1 : 0;
	else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if (bound)
		return (STORE_CONFLICT);
	if ((s = store_prepare(&qu)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	return (store_ledger_add(a, tag, "bind", "reserved", "bound", by,
	    NULL));
}

/* A pre-printed tag's reservation row, or STORE_NOTFOUND. */
enum store_status
store_label_reservation(const char *tag, json_t **out)
{
	static struct stmt q = STMT("SELECT tag, letter, seq, reserved_at,"
	    " bound_at, bound_by FROM tag_reservation WHERE tag = ?1");

	*out = NULL;
	return (store_label_row(&q, tag, out));
}

/* Add a printer from validated values; its ledger row names it. */
enum store_status
store_printer_add(const struct actor *a, json_t *vals)
{
	static struct stmt q = STMT("INSERT INTO printer (name, queue,"
	    " language, template, dpi, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_stmt *s;
	char now[32], *entity;
	const char *name;
	enum store_status status;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	name = json_string_value(json_object_get(vals, "name"));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, json_string_value(json_object_get(vals,
	    "queue")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, json_string_value(json_object_get(vals,
	    "language")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, json_string_value(json_object_get(vals,
	    "template")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, json_integer_value(json_object_get(vals,
	    "dpi")));
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	xasprintf(&entity, "printer:%s", name);
	status = store_ledger_add(a, entity, "create", NULL, NULL, NULL, vals);
	free(entity);
	return (status);
}

/* A printer by name, with the locations it prints on receive for. */
enum store_status
store_printer_get(const char *name, json_t **out)
{
	static struct stmt q = STMT("SELECT p.name, p.queue, p.language,"
	    " p.template, p.dpi, (SELECT json_group_array(l.tag) FROM"
	    " print_on_receive r JOIN location l ON l.id = r.location_id"
	    " WHERE r.printer_id = p.id) AS receive_at_json, p.created_at"
	    " FROM printer p WHERE p.name = ?1");

	*out = NULL;
	return (store_label_row(&q, name, out));
}

/* Every printer, by name. */
enum store_status
store_printer_list(json_t **out)
{
	static struct stmt q = STMT("SELECT p.name, p.queue, p.language,"
	    " p.template, p.dpi, (SELECT json_group_array(l.tag) FROM"
	    " print_on_receive r JOIN location l ON l.id = r.location_id"
	    " WHERE r.printer_id = p.id) AS receive_at_json, p.created_at"
	    " FROM printer p ORDER BY p.name");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/*
 * Remove a printer: STORE_NOTFOUND, or STORE_CONFLICT while a location
 * prints on it (its jobs keep its name).
 */
enum store_status
store_printer_delete(const struct actor *a, const char *name)
{
	static struct stmt qc = STMT("SELECT count(*) FROM print_on_receive r"
	    " JOIN printer p ON p.id = r.printer_id WHERE p.name = ?1");
	static struct stmt qd = STMT("DELETE FROM printer WHERE name = ?1");
	sqlite3_stmt *s;
	char *entity;
	int rc, n = 0;
	enum store_status status;

	if ((s = store_prepare(&qc)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if (n > 0)
		return (STORE_CONFLICT);
	if ((s = store_prepare(&qd)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	if (sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return (STORE_NOTFOUND);
	xasprintf(&entity, "printer:%s", name);
	status = store_ledger_add(a, entity, "delete", NULL, NULL, NULL, NULL);
	free(entity);
	return (status);
}

/*
 * Print on receive at a location: to a printer (and template, or NULL for
 * each tag's default), or off with printer NULL. Ledger: the location.
 */
enum store_status
store_printer_receive_set(const struct actor *a, const char *location,
    const char *printer, const char *template)
{
	static struct stmt qs = STMT("INSERT OR REPLACE INTO print_on_receive"
	    " (location_id, printer_id, template, set_at) VALUES ((SELECT id"
	    " FROM location WHERE tag = ?1), (SELECT id FROM printer WHERE"
	    " name = ?2), ?3, ?4)");
	static struct stmt qd = STMT("DELETE FROM print_on_receive WHERE"
	    " location_id = (SELECT id FROM location WHERE tag = ?1)");
	sqlite3_stmt *s;
	json_t *old = NULL, *details;
	char now[32];
	const char *from;
	enum store_status status;

	status = store_printer_receive_get(location, &old);
	if (status != STORE_OK && status != STORE_NOTFOUND)
		return (status);
	from = json_string_value(json_object_get(old, "printer"));
	if (printer == NULL && old == NULL)
		return (STORE_OK);
	if ((s = store_prepare(printer != NULL ? &qs : &qd)) == NULL) {
		json_decref(old);
		return (STORE_ERROR);
	}
	store_now(now, sizeof now);
	sqlite3_bind_text(s, 1, location, -1, SQLITE_STATIC);
	if (printer != NULL) {
		sqlite3_bind_text(s, 2, printer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, template, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	}
	status = store_done(s, sqlite3_step(s));
	if (status == STORE_OK) {
		details = template != NULL ? json_pack("{ss}", "template",
		    template) : NULL;
		status = store_ledger_add(a, location, "print_on_receive",
		    from, printer, NULL, details);
		json_decref(details);
	}
	json_decref(old);
	return (status);
}

/* Where a location prints on receive, or STORE_NOTFOUND if it does not. */
enum store_status
store_printer_receive_get(const char *location, json_t **out)
{
	static struct stmt q = STMT("SELECT l.tag AS location,"
	    " p.name AS printer, r.template FROM print_on_receive r"
	    " JOIN location l ON l.id = r.location_id"
	    " JOIN printer p ON p.id = r.printer_id WHERE l.tag = ?1");

	*out = NULL;
	return (store_label_row(&q, location, out));
}

/* Has a tag's label been printed before (a reprint)? */
enum store_status
store_label_printed(const char *tag, int *printed)
{
	static struct stmt q = STMT("SELECT count(*) FROM ledger"
	    " WHERE entity = ?1 AND action = 'label_print'");
	sqlite3_stmt *s;
	int rc;

	*printed = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*printed = sqlite3_column_int(s, 0) > 0;
	return (store_done(s, rc));
}

/* One ledger row per tag of a job. */
static enum store_status
store_print_ledger(const struct actor *a, json_t *job, const char *action,
    const char *from, const char *to, const char *reason)
{
	json_t *tags = json_object_get(job, "tags"), *v, *details;
	enum store_status status = STORE_OK;
	size_t i;
	int printed;

	json_array_foreach(tags, i, v) {
		details = json_pack("{sO sO sO sO}", "job", json_object_get(job,
		    "id"), "printer", json_object_get(job, "printer"),
		    "template", json_object_get(job, "template"), "format",
		    json_object_get(job, "format"));
		if (strcmp(action, "label_print") == 0) {
			status = store_label_printed(json_string_value(v),
			    &printed);
			json_object_set_new(details, "reprint",
			    json_boolean(printed));
		}
		if (status == STORE_OK)
			status = store_ledger_add(a, json_string_value(v),
			    action, from, to, reason, details);
		json_decref(details);
		if (status != STORE_OK)
			break;
	}
	return (status);
}

/*
 * Record a print job (printer, queue, template, format, tags, bytes,
 * cups_job, state, reason) and its "label_print" ledger row on each tag,
 * marked as a reprint if the tag was printed before. job gets its "id".
 */
enum store_status
store_print_job_add(const struct actor *a, json_t *job)
{
	static struct stmt q = STMT("INSERT INTO print_job (printer, queue,"
	    " template, format, tags_json, bytes, cups_job, state, reason,"
	    " actor, created_at, done_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, CASE WHEN ?8 IN ('sent', 'queued') THEN NULL"
	    " ELSE ?11 END)");
	static const char *const keys[] = { "printer", "queue", "template",
	    "format" };
	sqlite3_stmt *s;
	char now[32], *tags;
	json_t *v;
	enum store_status status;
	int i;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	tags = json_dumps(json_object_get(job, "tags"), JSON_COMPACT);
	for (i = 0; i < 4; i++)
		sqlite3_bind_text(s, i + 1, json_string_value(json_object_get(
		    job, keys[i])), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, tags, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, json_integer_value(json_object_get(job,
	    "bytes")));
	if (json_is_integer(v = json_object_get(job, "cups_job")))
		sqlite3_bind_int64(s, 7, json_integer_value(v));
	sqlite3_bind_text(s, 8, json_string_value(json_object_get(job,
	    "state")), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 9, json_string_value(json_object_get(job,
	    "reason")), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 10, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, now, -1, SQLITE_STATIC);
	status = store_done(s, sqlite3_step(s));
	free(tags);
	if (status != STORE_OK)
		return (status);
	json_object_set_new(job, "id", json_integer(sqlite3_last_insert_rowid(
	    sqlite3_db_handle(s))));
	return (store_print_ledger(a, job, "label_print", NULL,
	    json_string_value(json_object_get(job, "printer")),
	    json_string_value(json_object_get(job, "reason"))));
}

/*
 * After the UPDATE s moved job id from one state to another: run it, then
 * a "label_print_state" ledger row for each tag (STORE_NOTFOUND if the
 * job was not in the state from).
 */
static enum store_status
store_print_job_moved(const struct actor *a, sqlite3_stmt *s, int64_t id,
    const char *from, const char *state, const char *reason)
{
	enum store_status status;
	json_t *job;

	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	if (sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return (STORE_NOTFOUND);
	if ((status = store_print_job_get(id, &job)) != STORE_OK)
		return (status);
	status = store_print_ledger(a, job, "label_print_state", from, state,
	    reason);
	json_decref(job);
	return (status);
}

/*
 * A job's final state from CUPS, once: STORE_NOTFOUND if the job is not
 * waiting for one. Each tag gets a "label_print_state" ledger row.
 */
enum store_status
store_print_job_done(const struct actor *a, int64_t id, const char *state,
    const char *reason)
{
	static struct stmt q = STMT("UPDATE print_job SET state = ?2,"
	    " reason = ?3, done_at = ?4 WHERE id = ?1 AND state = 'sent'");
	sqlite3_stmt *s;
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	return (store_print_job_moved(a, s, id, "sent", state, reason));
}

/*
 * A queued job's outcome, once (job: template, bytes, state "sent" with
 * cups_job or "failed" with reason): STORE_NOTFOUND if it is not queued.
 * Each tag gets a "label_print_state" ledger row, queued to the state.
 */
enum store_status
store_print_job_sent(const struct actor *a, int64_t id, json_t *job)
{
	static struct stmt q = STMT("UPDATE print_job SET template = ?2,"
	    " bytes = ?3, cups_job = ?4, state = ?5, reason = ?6,"
	    " done_at = CASE WHEN ?5 = 'sent' THEN NULL ELSE ?7 END"
	    " WHERE id = ?1 AND state = 'queued'");
	sqlite3_stmt *s;
	json_t *v;
	const char *state = json_string_value(json_object_get(job, "state"));
	const char *reason = json_string_value(json_object_get(job, "reason"));
	char now[32];

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, json_string_value(json_object_get(job,
	    "template")), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, json_integer_value(json_object_get(job,
	    "bytes")));
	if (json_is_integer(v = json_object_get(job, "cups_job")))
		sqlite3_bind_int64(s, 4, json_integer_value(v));
	sqlite3_bind_text(s, 5, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
	return (store_print_job_moved(a, s, id, "queued", state, reason));
}

/* The first n jobs queued (print on receive): id, printer, template, tags. */
enum store_status
store_print_jobs_queued(int n, json_t **out)
{
	static struct stmt q = STMT("SELECT id, printer, template, tags_json"
	    " FROM print_job WHERE state = 'queued' ORDER BY id LIMIT ?1");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int(s, 1, n);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* One print job, or STORE_NOTFOUND. */
enum store_status
store_print_job_get(int64_t id, json_t **out)
{
	static struct stmt q = STMT("SELECT id, printer, queue, template,"
	    " format, tags_json, bytes, cups_job, state, reason, actor,"
	    " created_at, done_at FROM print_job WHERE id = ?1");
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = store_row_json(s);
	else if (rc == SQLITE_DONE) {
		store_done(s, rc);
		return (STORE_NOTFOUND);
	}
	return (store_done(s, rc));
}

/* The jobs CUPS has not finished yet: id, queue, cups_job. */
enum store_status
store_print_jobs_waiting(json_t **out)
{
	static struct stmt q = STMT("SELECT id, queue, cups_job FROM print_job"
	    " WHERE state = 'sent' ORDER BY id");
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}
