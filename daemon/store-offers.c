/*
 * Places of digital mediation and their offers (one service at one place):
 * places imported from the national standard by their id or entered by
 * hand, offers created, kept or withdrawn as a place's services change
 * (never deleted: orientations keep pointing at them), suggestions for a
 * person, and orientations with no attendance recorded (drop-outs). Every
 * change writes its ledger row: a place's entity is "place:N".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kitstockd.h"

/* The offer table's columns, for the generic insert (tag, ledger row). */
static const struct field offer_columns[] = {
	{ "place_id", FT_INT, 0 },
	{ "service", FT_STRING, 0 },
	{ "name", FT_STRING, 0 },
	{ "kind", FT_STRING, 0 },
	{ "extra", FT_BOOL, 0 },
	{ "contact", FT_TEXT, 0 },
	{ NULL }
};

static const struct resource offer_table = {
	N_("training offer"), "offers", 'O', "offer", offer_columns, NULL,
	NULL, NULL, 0, NULL, NULL
};

/* Place columns set from a place's values; lists go in key_json columns. */
static const struct {
	const char	*key;
	int		 list;
} place_keys[] = {
	{ "ref", 0 }, { "pivot", 0 }, { "name", 0 }, { "commune", 0 },
	{ "commune_given", 0 }, { "postal_code", 0 }, { "address", 0 },
	{ "address_extra", 0 }, { "latitude", 0 }, { "longitude", 0 },
	{ "typology", 1 }, { "phones", 1 }, { "emails", 1 },
	{ "websites", 1 }, { "hours", 0 }, { "summary", 0 }, { "source", 0 },
	{ "itinerance", 1 }, { "updated_on", 0 }, { "services", 1 },
	{ "publics", 1 }, { "specific_support", 1 }, { "fees", 1 },
	{ "programmes", 1 }, { "access", 1 }, { "support", 1 },
	{ "booking", 0 }, { "contact", 0 }, { "digest", 0 },
	{ NULL, 0 }
};

static enum store_status store_offers_all(sqlite3_stmt *, json_t **);
static enum store_status store_offers_ledger(const struct actor *, int64_t,
	    const char *, json_t *);
static void	 store_offers_bind(sqlite3_stmt *, int, json_t *);
static void	 store_offers_place_sql(char **);
static enum store_status store_offers_service_add(const struct actor *,
	    int64_t, const char *, char *);

/* Every row of a statement as JSON objects. */
static enum store_status
store_offers_all(sqlite3_stmt *s, json_t **out)
{
	int rc;

	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, store_row_json(s));
	return (store_done(s, rc));
}

/* A place's ledger row: entity "place:N". */
static enum store_status
store_offers_ledger(const struct actor *a, int64_t id, const char *action,
    json_t *details)
{
	char entity[32];

	snprintf(entity, sizeof entity, "place:%lld", (long long)id);
	return (store_ledger_add(a, entity, action, NULL, NULL, NULL,
	    details));
}

/* Bind a value; a list or object is bound as its JSON text. */
static void
store_offers_bind(sqlite3_stmt *s, int i, json_t *v)
{
	char *text;

	if (json_is_array(v) || json_is_object(v)) {
		text = json_dumps(v, JSON_COMPACT);
		sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
		free(text);
	} else
		store_item_bind(s, i, v);
}

/*
 * The programme's communes an address may be in: by INSEE code, else by
 * postal code. Each {insee, name, valid_until, merged_into}.
 */
enum store_status
store_offers_communes(const char *insee, const char *postal, json_t **out)
{
	static struct stmt q = STMT("SELECT insee, name, valid_until,"
	    " merged_into FROM commune WHERE (?1 IS NOT NULL AND insee = ?1)"
	    " OR (?1 IS NULL AND (' ' || postal_codes || ' ') LIKE"
	    " '% ' || ?2 || ' %') ORDER BY insee");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, postal, -1, SQLITE_STATIC);
	return (store_offers_all(s, out));
}

/* An imported place by its id in the standard: *id 0 if there is none. */
enum store_status
store_offers_place_find(const char *ref, int64_t *id, char *digest,
    size_t len)
{
	static struct stmt q = STMT("SELECT id, digest FROM place"
	    " WHERE ref = ?1");
	sqlite3_stmt *s;
	const char *d;
	int rc;

	*id = 0;
	*digest = '\0';
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		d = (const char *)sqlite3_column_text(s, 1);
		snprintf(digest, len, "%s", d != NULL ? d : "");
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}

/*
 * Create (*id 0) or update a place from its values (place_keys), with
 * its ledger row ("create" or "update", the id in the standard and the
 * fields given). *id gets the place's number.
 */
enum store_status
store_offers_place_put(const struct actor *a, int64_t *id, json_t *place)
{
	static char *sql[2];	/* INSERT, UPDATE: made once, kept */
	sqlite3_stmt *s;
	char now[32];
	json_t *details;
	enum store_status status;
	const char *action = *id == 0 ? "create" : "update";
	int i, rc;

	store_now(now, sizeof now);
	if (sql[0] == NULL)
		store_offers_place_sql(sql);
	if ((s = store_prepare_named(sql[*id == 0 ? 0 : 1])) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, *id);
	for (i = 0; place_keys[i].key != NULL; i++)
		store_offers_bind(s, i + 3, json_object_get(place,
		    place_keys[i].key));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	details = json_pack("{sO? sO sO}", "ref", json_object_get(place,
	    "ref"), "name", json_object_get(place, "name"), "commune",
	    json_object_get(place, "commune"));
	status = store_offers_ledger(a, *id, action, details);
	json_decref(details);
	return (status);
}

/*
 * The INSERT and UPDATE of a place from place_keys (?1 the time, ?2 the
 * id, ?3... the keys in order), kept by store_prepare_named: an import
 * writes thousands of places with the same two statements.
 */
static void
store_offers_place_sql(char **sql)
{
	FILE *f;
	size_t len;
	int i;

	if ((f = open_memstream(&sql[0], &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "INSERT INTO place (created_at, imported_at");
	for (i = 0; place_keys[i].key != NULL; i++)
		fprintf(f, ", %s%s", place_keys[i].key,
		    place_keys[i].list ? "_json" : "");
	fprintf(f, ") VALUES (?1, ?1");
	for (i = 0; place_keys[i].key != NULL; i++)
		fprintf(f, ", ?%d", i + 3);
	fprintf(f, ") RETURNING id");
	fclose(f);
	if ((f = open_memstream(&sql[1], &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "UPDATE place SET imported_at = ?1");
	for (i = 0; place_keys[i].key != NULL; i++)
		fprintf(f, ", %s%s = ?%d", place_keys[i].key,
		    place_keys[i].list ? "_json" : "", i + 3);
	fprintf(f, " WHERE id = ?2 RETURNING id");
	fclose(f);
}

/*
 * A place entered by hand, by its name and commune: found, or created
 * with what is given (address, hours). *id gets its number.
 */
enum store_status
store_offers_hand_place(const struct actor *a, json_t *place, int64_t *id)
{
	static struct stmt q = STMT("SELECT id FROM place WHERE ref IS NULL"
	    " AND name = ?1 AND commune = ?2");
	sqlite3_stmt *s;
	enum store_status status;
	int rc;

	*id = 0;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	store_item_bind(s, 1, json_object_get(place, "name"));
	store_item_bind(s, 2, json_object_get(place, "commune"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if ((status = store_done(s, rc)) != STORE_OK || *id != 0)
		return (status);
	return (store_offers_place_put(a, id, place));
}

/*
 * A new offer at a place: vals holds place_id, service, name, kind,
 * extra, contact. tag gets its O- tag; STORE_EXISTS if the place has it.
 */
enum store_status
store_offers_offer_add(const struct actor *a, json_t *vals, char *tag)
{
	return (store_item_add(&offer_table, a, vals, tag));
}

/*
 * A place's new offer for a service of the standard: what
 * store_offers_offer_add does (the next O- tag, the row, its "create"
 * ledger row with the same values), with kept statements for an import's
 * thousands. tag gets the new tag.
 */
static enum store_status
store_offers_service_add(const struct actor *a, int64_t place,
    const char *service, char *tag)
{
	static struct stmt qn = STMT("SELECT max(coalesce((SELECT max(id)"
	    " FROM offer), 0), coalesce((SELECT max(seq) FROM tag_reservation"
	    " WHERE letter = 'O'), 0)) + 1");
	static struct stmt qi = STMT("INSERT INTO offer (id, tag, created_at,"
	    " place_id, service, name, kind, extra)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 0)");
	sqlite3_stmt *s;
	char now[32];
	json_t *vals;
	enum store_status status;
	int64_t id = -1;
	int rc;

	if ((s = store_prepare(&qn)) == NULL)
		return (STORE_ERROR);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if ((status = store_done(s, rc)) != STORE_OK)
		return (status);
	if (id <= 0)
		return (STORE_ERROR);
	if ((unsigned long)id > TAG_SEQ_MAX)
		return (STORE_FULL);
	tag_make(tag, offer_table.letter, id);
	if ((s = store_prepare(&qi)) == NULL)
		return (STORE_ERROR);
	store_now(now, sizeof now);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, place);
	sqlite3_bind_text(s, 5, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, lieux_kind(service), -1, SQLITE_STATIC);
	if ((status = store_done(s, sqlite3_step(s))) != STORE_OK)
		return (status);
	vals = json_pack("{sI ss ss ss? sb}", "place_id", (json_int_t)place,
	    "service", service, "name", service, "kind", lieux_kind(service),
	    "extra", 0);
	status = store_ledger_add(a, tag, "create", NULL, NULL, NULL, vals);
	json_decref(vals);
	return (status);
}

/*
 * An imported place's offers follow its services: a new service is a new
 * offer, one that comes back is restored, one no longer listed is
 * withdrawn (kept, so that orientations still point at it). Counts go
 * to *created and *withdrawn.
 */
enum store_status
store_offers_sync(const struct actor *a, int64_t place, json_t *services,
    size_t *created, size_t *withdrawn)
{
	static struct stmt qf = STMT("SELECT tag, withdrawn_at IS NOT NULL"
	    " FROM offer WHERE place_id = ?1 AND service = ?2 AND name = ?2");
	static struct stmt qr = STMT("UPDATE offer SET withdrawn_at = NULL"
	    " WHERE tag = ?1");
	static struct stmt qw = STMT("UPDATE offer SET withdrawn_at = ?3"
	    " WHERE place_id = ?1 AND withdrawn_at IS NULL AND service NOT IN"
	    " (SELECT value FROM json_each(?2)) RETURNING tag");
	sqlite3_stmt *s;
	char tag[TAG_LEN + 1], now[32], *list;
	const char *service;
	json_t *v, *tags;
	enum store_status status;
	size_t i;
	int rc, gone;

	store_now(now, sizeof now);
	json_array_foreach(services, i, v) {
		service = json_string_value(v);
		if ((s = store_prepare(&qf)) == NULL)
			return (STORE_ERROR);
		sqlite3_bind_int64(s, 1, place);
		sqlite3_bind_text(s, 2, service, -1, SQLITE_STATIC);
		tag[0] = '\0';
		gone = 0;
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			snprintf(tag, sizeof tag, "%s",
			    (const char *)sqlite3_column_text(s, 0));
			gone = sqlite3_column_int(s, 1);
			rc = SQLITE_DONE;
		}
		if ((status = store_done(s, rc)) != STORE_OK)
			return (status);
		if (tag[0] != '\0' && gone) {
			if ((s = store_prepare(&qr)) == NULL)
				return (STORE_ERROR);
			sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
			if ((status = store_done(s, sqlite3_step(s))) !=
			    STORE_OK || (status = store_ledger_add(a, tag,
			    "restore", NULL, NULL, NULL, NULL)) != STORE_OK)
				return (status);
		}
		if (tag[0] != '\0')
			continue;
		if ((status = store_offers_service_add(a, place, service,
		    tag)) != STORE_OK)
			return (status);
		(*created)++;
	}
	if ((s = store_prepare(&qw)) == NULL)
		return (STORE_ERROR);
	list = json_dumps(services, JSON_COMPACT);
	sqlite3_bind_int64(s, 1, place);
	sqlite3_bind_text(s, 2, list, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
	free(list);
	tags = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(tags, json_string((const char *)
		    sqlite3_column_text(s, 0)));
	if ((status = store_done(s, rc)) != STORE_OK) {
		json_decref(tags);
		return (status);
	}
	json_array_foreach(tags, i, v) {
		if ((status = store_ledger_add(a, json_string_value(v),
		    "withdraw", NULL, NULL, NULL, NULL)) != STORE_OK) {
			json_decref(tags);
			return (status);
		}
		(*withdrawn)++;
	}
	json_decref(tags);
	return (STORE_OK);
}

/* The import's own ledger row (entity "offers"), with its counts. */
enum store_status
store_offers_imported(const struct actor *a, json_t *counts)
{
	return (store_ledger_add(a, "offers", "import", NULL, NULL, NULL,
	    counts));
}

/*
 * Offers for a person, ranked: in their commune first, then their
 * territory, then the rest; free ones first (Gratuit, then Gratuit sous
 * condition or not said, then Payant only); then by name. sel holds
 * commune, territory, kinds (the kinds of training wished, a list) and
 * pix (true: places of the « Certification PIX » programme too, one offer
 * a place), limit. Withdrawn offers are left out.
 */
enum store_status
store_offers_suggest(json_t *sel, json_t **out)
{
	static struct stmt q = STMT("SELECT o.tag AS offer, o.name,"
	    " o.service, o.kind, p.id AS place, p.name AS place_name,"
	    " p.address, p.address_extra, p.postal_code,"
	    " c.name AS commune_name, p.commune, c.territory, p.hours,"
	    " p.access_json, p.fees_json, p.phones_json, p.booking,"
	    " p.programmes_json,"
	    " CASE WHEN p.commune = ?1 THEN 'commune' WHEN c.territory = ?2"
	    " THEN 'territory' ELSE 'elsewhere' END AS near,"
	    " CASE WHEN EXISTS (SELECT 1 FROM json_each(p.fees_json)"
	    " WHERE value = 'Gratuit') THEN 'free' WHEN EXISTS (SELECT 1"
	    " FROM json_each(p.fees_json) WHERE value <> 'Payant')"
	    " OR p.fees_json IS NULL OR p.fees_json = '[]'"
	    " THEN 'conditional' ELSE 'paying' END AS cost,"
	    " o.kind IN (SELECT value FROM json_each(?3)) AS for_training,"
	    " EXISTS (SELECT 1 FROM json_each(p.programmes_json)"
	    " WHERE value = 'Certification PIX') AS for_certification"
	    " FROM offer o JOIN place p ON p.id = o.place_id"
	    " JOIN commune c ON c.insee = p.commune"
	    " WHERE o.withdrawn_at IS NULL AND (o.kind IN (SELECT value"
	    " FROM json_each(?3)) OR (?4 AND EXISTS (SELECT 1"
	    " FROM json_each(p.programmes_json)"
	    " WHERE value = 'Certification PIX') AND o.id = (SELECT min(x.id)"
	    " FROM offer x WHERE x.place_id = p.id"
	    " AND x.withdrawn_at IS NULL)))"
	    " ORDER BY CASE near WHEN 'commune' THEN 0 WHEN 'territory'"
	    " THEN 1 ELSE 2 END, CASE cost WHEN 'free' THEN 0"
	    " WHEN 'conditional' THEN 1 ELSE 2 END, p.name, o.id LIMIT ?5");
	sqlite3_stmt *s;
	char *kinds;
	json_t *v;
	enum store_status status;
	size_t i;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	kinds = json_dumps(json_object_get(sel, "kinds"), JSON_COMPACT);
	store_item_bind(s, 1, json_object_get(sel, "commune"));
	store_item_bind(s, 2, json_object_get(sel, "territory"));
	sqlite3_bind_text(s, 3, kinds, -1, SQLITE_TRANSIENT);
	free(kinds);
	sqlite3_bind_int(s, 4, json_is_true(json_object_get(sel, "pix")));
	store_item_bind(s, 5, json_object_get(sel, "limit"));
	status = store_offers_all(s, out);
	json_array_foreach(*out, i, v) {
		json_object_set_new(v, "for_training", json_boolean(
		    json_integer_value(json_object_get(v, "for_training"))));
		json_object_set_new(v, "for_certification", json_boolean(
		    json_integer_value(json_object_get(v,
		    "for_certification"))));
	}
	return (status);
}

/*
 * Orientations with no attendance recorded days after them, by today:
 * possible drop-outs, oldest first. territory may be NULL.
 */
enum store_status
store_offers_dropouts(const char *today, long long days,
    const char *territory, json_t **out)
{
	static struct stmt q = STMT("SELECT r.id AS orientation,"
	    " b.tag AS beneficiary, b.territory, p.tag AS prescriber,"
	    " o.tag AS offer, o.name AS offer_name, pl.name AS place_name,"
	    " r.oriented_on, date(r.oriented_on, '+' || ?2 || ' days')"
	    " AS due_on, CAST(julianday(?1) - julianday(r.oriented_on)"
	    " AS INTEGER) AS days"
	    " FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id"
	    " JOIN prescriber p ON p.id = b.prescriber_id"
	    " JOIN offer o ON o.id = r.offer_id"
	    " JOIN place pl ON pl.id = o.place_id"
	    " WHERE r.attended IS NULL"
	    " AND r.oriented_on <= date(?1, '-' || ?2 || ' days')"
	    " AND (?3 IS NULL OR b.territory = ?3)"
	    " ORDER BY r.oriented_on, r.id");
	sqlite3_stmt *s;

	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, today, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, days);
	sqlite3_bind_text(s, 3, territory, -1, SQLITE_STATIC);
	return (store_offers_all(s, out));
}

/*
 * For the indicators: orientations made between from and to (either may
 * be NULL), in a territory (or all): how many, attended, recorded as not
 * attended, not known yet. *out {"oriented", "attended", "not_attended",
 * "unknown"}.
 */
enum store_status
store_offers_attendance(const char *territory, const char *from,
    const char *to, json_t **out)
{
	static struct stmt q = STMT("SELECT count(*) AS oriented,"
	    " coalesce(sum(r.attended IS 1), 0) AS attended,"
	    " coalesce(sum(r.attended IS 0), 0) AS not_attended,"
	    " coalesce(sum(r.attended IS NULL), 0) AS unknown"
	    " FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id"
	    " WHERE (?1 IS NULL OR b.territory = ?1)"
	    " AND (?2 IS NULL OR r.oriented_on >= ?2)"
	    " AND (?3 IS NULL OR r.oriented_on <= ?3)");
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = store_prepare(&q)) == NULL)
		return (STORE_ERROR);
	sqlite3_bind_text(s, 1, territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = store_row_json(s);
		rc = SQLITE_DONE;
	}
	return (store_done(s, rc));
}
