/*
 * The national open-data standard « Lieux de médiation numérique » (the
 * frictionless table schema of La MedNum and the ANCT, v1.0.2): a CSV
 * file, one row per place, read into checked places. No I/O: bytes in,
 * places, errors and warnings out (it is fuzzed).
 *
 * Columns are found by name (case, accents and spacing aside), in any
 * order; others are ignored. Lists take '|' (v1.0.1 on) or ';' (v1.0.0).
 * A value outside the standard's vocabulary is kept as written, with a
 * warning (the published lists vary in spelling); a required value
 * missing or malformed makes the row bad, reported with its line.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

#define LIEUX_SUMMARY_MAX	280	/* presentation_resume, in characters */

enum lieux_type {
	LT_TEXT,	/* one line */
	LT_LONG,	/* may hold line breaks (hours, presentation) */
	LT_LIST,	/* '|' or ';' separated, checked against vocab if any */
	LT_DATE,
	LT_NUMBER,
	LT_PHONES,
	LT_POSTAL,
	LT_INSEE,
	LT_PIVOT,
	LT_EMAILS,
};

#define LF_REQUIRED	0x1

/* The standard's vocabularies (v1.0.2). */
static const char *const lieux_services[] = {
	"Aide aux démarches administratives",
	"Maîtrise des outils numériques du quotidien",
	"Insertion professionnelle via le numérique",
	"Utilisation sécurisée du numérique",
	"Parentalité et éducation avec le numérique",
	"Loisirs et créations numériques",
	"Compréhension du monde numérique",
	"Accès internet et matériel informatique",
	"Acquisition de matériel informatique à prix solidaire",
	NULL
};
static const char *const lieux_publics[] = {
	"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes",
	NULL
};
static const char *const lieux_support[] = {
	"Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme",
	"Langues étrangères (anglais)", "Langues étrangères (autres)",
	"Déficience visuelle", NULL
};
static const char *const lieux_fees[] = {
	"Gratuit", "Gratuit sous condition", "Payant", NULL
};
static const char *const lieux_programmes[] = {
	"Aidants Connect", "Bibliothèques numérique de référence",
	"Certification PIX", "Conseillers numériques", "Emmaüs Connect",
	"France Services", "Grande école du numérique", "La Croix Rouge",
	"Point d'accès numérique CAF", "Promeneurs du net",
	"Relais numérique (Emmaüs Connect)", NULL
};
static const char *const lieux_access[] = {
	"Se présenter", "Téléphoner", "Contacter par mail",
	"Prendre un RDV en ligne", "Ce lieu n'accueille pas de public",
	"Envoyer un mail avec une fiche de prescription", NULL
};
static const char *const lieux_modes[] = {
	"En autonomie", "Accompagnement individuel",
	"Dans un atelier collectif", "À distance", NULL
};
static const char *const lieux_itinerance[] = { "Itinérant", "Fixe", NULL };

/* A column of the standard: its name, the key it fills, how it is read. */
static const struct lieux_column {
	const char		*name;
	const char		*key;
	enum lieux_type		 type;
	int			 flags;
	const char *const	*vocab;
} lieux_columns[] = {
	{ "id", "ref", LT_TEXT, LF_REQUIRED, NULL },
	{ "pivot", "pivot", LT_PIVOT, LF_REQUIRED, NULL },
	{ "nom", "name", LT_TEXT, LF_REQUIRED, NULL },
	{ "commune", "commune_given", LT_TEXT, LF_REQUIRED, NULL },
	{ "code_postal", "postal_code", LT_POSTAL, LF_REQUIRED, NULL },
	{ "code_insee", "insee", LT_INSEE, 0, NULL },
	{ "adresse", "address", LT_TEXT, LF_REQUIRED, NULL },
	{ "complement_adresse", "address_extra", LT_TEXT, 0, NULL },
	{ "latitude", "latitude", LT_NUMBER, 0, NULL },
	{ "longitude", "longitude", LT_NUMBER, 0, NULL },
	{ "typologie", "typology", LT_LIST, 0, NULL },
	{ "telephone", "phones", LT_PHONES, 0, NULL },
	{ "courriels", "emails", LT_EMAILS, 0, NULL },
	{ "site_web", "websites", LT_LIST, 0, NULL },
	{ "horaires", "hours", LT_LONG, 0, NULL },
	{ "presentation_resume", "summary", LT_LONG, 0, NULL },
	{ "source", "source", LT_TEXT, 0, NULL },
	{ "itinerance", "itinerance", LT_LIST, 0, lieux_itinerance },
	{ "date_maj", "updated_on", LT_DATE, LF_REQUIRED, NULL },
	{ "services", "services", LT_LIST, LF_REQUIRED, lieux_services },
	{ "publics_specifiquement_adresses", "publics", LT_LIST, 0,
	    lieux_publics },
	{ "prise_en_charge_specifique", "specific_support", LT_LIST, 0,
	    lieux_support },
	{ "frais_a_charge", "fees", LT_LIST, 0, lieux_fees },
	{ "dispositif_programmes_nationaux", "programmes", LT_LIST, 0,
	    lieux_programmes },
	{ "modalites_acces", "access", LT_LIST, 0, lieux_access },
	{ "modalites_accompagnement", "support", LT_LIST, 0, lieux_modes },
	{ "prise_rdv", "booking", LT_TEXT, 0, NULL },
	{ NULL, NULL, 0, 0, NULL }
};
#define LIEUX_NCOLUMNS (sizeof lieux_columns / sizeof lieux_columns[0] - 1)

/* What the programme calls the kind of training a service is (or NULL). */
static const struct {
	const char	*service;
	const char	*kind;
} lieux_kinds[] = {
	{ "Maîtrise des outils numériques du quotidien", "initiation" },
	{ "Aide aux démarches administratives", "online_procedures" },
	{ "Loisirs et créations numériques", "creative_digital" },
	{ "Compréhension du monde numérique", "further_skills" },
	{ "Utilisation sécurisée du numérique", "further_skills" },
	{ "Insertion professionnelle via le numérique", "further_skills" },
	{ "Parentalité et éducation avec le numérique", "further_skills" },
	{ NULL, NULL }
};

static char	 lieux_separator(const unsigned char *, size_t);
static int	 lieux_same(const char *, const char *);
static char	*lieux_trim(const char *);
static int	 lieux_value(struct lieux_file *, size_t,
		    const struct lieux_column *, const char *, json_t *);
static json_t	*lieux_list(struct lieux_file *, size_t,
		    const struct lieux_column *, const char *);
static int	 lieux_pivot(const char *, char **, char **);
static int	 lieux_number(const char *, double *);
static int	 lieux_empty(const struct csv_record *);
static void	 lieux_twice(struct lieux_file *, struct lieux_row *,
		    json_t *);

/* The separator: the one found most on the header line (',' if none). */
static char
lieux_separator(const unsigned char *p, size_t len)
{
	size_t i, comma = 0, semi = 0, tab = 0;

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	else
		i = 0;
	for (; i < len && p[i] != '\n'; i++) {
		if (p[i] == ',')
			comma++;
		else if (p[i] == ';')
			semi++;
		else if (p[i] == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return (';');
	if (tab > comma && tab > semi)
		return ('\t');
	return (',');
}

/* Append {line, column, value, message} to a list of problems. */
void
lieux_problem(json_t *list, size_t line, const char *column,
    const char *value, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_pack("{sI ss? ss? ss}", "line",
	    (json_int_t)line, "column", column, "value", value, "message",
	    msg));
	free(msg);
}

/* Are two names the same, case, accents, spaces and punctuation aside? */
static int
lieux_same(const char *a, const char *b)
{
	char fa[256], fb[256];

	if (strlen(a) > 200 || strlen(b) > 200)
		return (0);
	csv_fold(a, fa, sizeof fa);
	csv_fold(b, fb, sizeof fb);
	return (fa[0] != '\0' && strcmp(fa, fb) == 0);
}

/* A copy without the spaces at either end (allocated). */
static char *
lieux_trim(const char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	return (xstrndup(s, len));
}

/* Is this a SIRET (Luhn) or an RNA number (W and 9 digits)? *out: spaceless */
static int
lieux_pivot(const char *s, char **out, char **cause)
{
	char *p, *q;
	size_t i;

	*out = xstrdup(s);
	for (p = q = *out; *p != '\0'; p++)
		if (*p != ' ')
			*q++ = *p;
	*q = '\0';
	p = *out;
	if ((p[0] == 'W' || p[0] == 'w') && strlen(p) == 10) {
		p[0] = 'W';
		for (i = 1; i < 10; i++)
			if (!isdigit((unsigned char)p[i]))
				break;
		if (i == 10)
			return (0);
	}
	if (strlen(p) == 14 && strspn(p, "0123456789") == 14)
		return (check_siret(p, cause));
	xasprintf(cause, _("pivot %s: expected a SIRET (14 digits) or an RNA "
	    "number (W and 9 digits)"), s);
	return (-1);
}

/* A decimal number, with a point or a comma. */
static int
lieux_number(const char *s, double *d)
{
	char *copy, *c, *end;
	int ok;

	copy = xstrdup(s);
	if ((c = strchr(copy, ',')) != NULL)
		*c = '.';
	*d = strtod(copy, &end);
	ok = *copy != '\0' && *end == '\0';
	free(copy);
	return (ok ? 0 : -1);
}

/*
 * A French telephone number as the standard writes it: "+33180059880".
 * "01 80 05 98 80", "01.80.05.98.80", "0033 1..." and "+33 (0)1..." are
 * taken and written so; the overseas prefixes of the standard are kept.
 */
int
lieux_phone(const char *s, char **out, char **cause)
{
	static const char *const abroad[] = {
		"590", "594", "262", "596", "269", "687", "689", "508", "681",
		NULL
	};
	char digits[32];
	size_t n = 0, i, k;
	int plus = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 0 && s[i] == '+')
			plus = 1;
		else if (isdigit((unsigned char)s[i])) {
			if (n == sizeof digits - 1)
				goto bad;
			digits[n++] = s[i];
		} else if (strchr(" .-()/", s[i]) == NULL)
			goto bad;
	}
	digits[n] = '\0';
	if (!plus && n > 2 && strncmp(digits, "00", 2) == 0) {
		memmove(digits, digits + 2, n - 1);
		n -= 2;
		plus = 1;
	}
	if (plus) {
		if (n >= 2 && strncmp(digits, "33", 2) == 0) {
			/* "+33 (0)1 ..." keeps a national 0. */
			if (n == 12 && digits[2] == '0') {
				memmove(digits + 2, digits + 3, n - 2);
				n--;
			}
			if (n == 11 && digits[2] != '0')
				goto ok;
			goto bad;
		}
		for (k = 0; abroad[k] != NULL; k++)
			if (n >= 9 && n <= 12 && strncmp(digits, abroad[k], 3) ==
			    0)
				goto ok;
		goto bad;
	}
	if (n == 10 && digits[0] == '0' && digits[1] != '0') {
		memmove(digits + 2, digits + 1, n);
		digits[0] = '3';
		digits[1] = '3';
		n = 11;
		goto ok;
	}
bad:
	xasprintf(cause, _("telephone %s: expected a French number such as "
	    "+33180059880 or 01 80 05 98 80"), s);
	return (-1);
ok:
	xasprintf(out, "+%s", digits);
	return (0);
}

/* The programme's kind of training a service of the standard is, or NULL. */
const char *
lieux_kind(const char *service)
{
	int i;

	for (i = 0; lieux_kinds[i].service != NULL; i++)
		if (strcmp(lieux_kinds[i].service, service) == 0)
			return (lieux_kinds[i].kind);
	return (NULL);
}

/* The standard's service for a kind of training (hand-entered offers). */
const char *
lieux_service(const char *kind)
{
	int i;

	for (i = 0; lieux_kinds[i].service != NULL; i++)
		if (strcmp(lieux_kinds[i].kind, kind) == 0)
			return (lieux_kinds[i].service);
	return (lieux_kinds[0].service);
}

/*
 * A list value: split on '|' and ';', each value trimmed, given once,
 * matched against the vocabulary (the standard's spelling is kept; an
 * unknown value is a warning and kept as written).
 */
static json_t *
lieux_list(struct lieux_file *lf, size_t line, const struct lieux_column *c,
    const char *s)
{
	json_t *a, *v;
	char *copy, *p, *item, *t;
	const char *keep;
	size_t i;
	int k, dup;

	a = json_array();
	copy = xstrdup(s);
	for (p = copy; p != NULL; ) {
		item = p;
		if ((p = strpbrk(p, "|;")) != NULL)
			*p++ = '\0';
		t = lieux_trim(item);
		if (*t == '\0' || strlen(t) > STRING_MAX) {
			if (*t != '\0')
				lieux_problem(lf->warnings, line, c->name, t,
				    _("%s: a value longer than %d bytes is "
				    "left out"), c->name, STRING_MAX);
			free(t);
			continue;
		}
		keep = t;
		if (c->vocab != NULL) {
			for (k = 0; c->vocab[k] != NULL; k++)
				if (lieux_same(t, c->vocab[k]))
					break;
			if (c->vocab[k] != NULL)
				keep = c->vocab[k];
			else
				lieux_problem(lf->warnings, line, c->name, t,
				    _("%s: « %s » is not in the standard's "
				    "list (v%s): kept as written"), c->name, t,
				    LIEUX_SCHEMA_VERSION);
		}
		dup = 0;
		json_array_foreach(a, i, v)
			if (strcmp(json_string_value(v), keep) == 0)
				dup = 1;
		if (!dup)
			json_array_append_new(a, json_string(keep));
		free(t);
	}
	free(copy);
	return (a);
}

/* Read one value of a row into place; -1 if the row is bad. */
static int
lieux_value(struct lieux_file *lf, size_t line, const struct lieux_column *c,
    const char *raw, json_t *place)
{
	char *s, *norm = NULL, *cause = NULL, *item, *p, *copy;
	const unsigned char *u;
	json_t *a;
	double d;
	size_t chars = 0;
	int rc = 0;

	s = lieux_trim(raw);
	if (*s == '\0') {
		free(s);
		if (!(c->flags & LF_REQUIRED))
			return (0);
		lieux_problem(lf->errors, line, c->name, "",
		    _("%s is required"), c->name);
		return (-1);
	}
	if (strlen(s) > (c->type == LT_LONG ? TEXT_MAX : STRING_MAX * 5)) {
		lieux_problem(lf->errors, line, c->name, NULL,
		    _("%s is too long (%zu bytes, at most %d)"), c->name,
		    strlen(s), c->type == LT_LONG ? TEXT_MAX : STRING_MAX * 5);
		free(s);
		return (-1);
	}
	if (c->type != LT_LONG && c->type != LT_LIST && strchr(s, '\n') !=
	    NULL) {
		lieux_problem(lf->errors, line, c->name, s,
		    _("%s holds a line break"), c->name);
		free(s);
		return (-1);
	}
	switch (c->type) {
	case LT_TEXT:
		if (strlen(s) > STRING_MAX) {
			lieux_problem(lf->errors, line, c->name, NULL,
			    _("%s is too long (%zu bytes, at most %d)"),
			    c->name, strlen(s), STRING_MAX);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, json_string(s));
		break;
	case LT_LONG:
		for (u = (const unsigned char *)s; *u != '\0'; u++)
			if ((*u & 0xc0) != 0x80)
				chars++;
		if (strcmp(c->name, "presentation_resume") == 0 &&
		    chars > LIEUX_SUMMARY_MAX)
			lieux_problem(lf->warnings, line, c->name, NULL,
			    _("%s is longer than the standard's %d characters "
			    "(%zu): kept whole"), c->name, LIEUX_SUMMARY_MAX,
			    chars);
		json_object_set_new(place, c->key, json_string(s));
		break;
	case LT_LIST:
		a = lieux_list(lf, line, c, s);
		if (json_array_size(a) == 0 && (c->flags & LF_REQUIRED)) {
			lieux_problem(lf->errors, line, c->name, s,
			    _("%s is required"), c->name);
			json_decref(a);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, a);
		break;
	case LT_EMAILS:
		a = lieux_list(lf, line, c, s);
		for (size_t i = 0; i < json_array_size(a); i++) {
			const char *e = json_string_value(json_array_get(a, i));

			if (strchr(e, '@') == NULL || strchr(e, ' ') != NULL)
				lieux_problem(lf->warnings, line, c->name, e,
				    _("%s: %s does not look like an e-mail "
				    "address: kept as written"), c->name, e);
		}
		json_object_set_new(place, c->key, a);
		break;
	case LT_PHONES:
		a = json_array();
		copy = xstrdup(s);
		for (p = copy; p != NULL && rc == 0; ) {
			item = p;
			if ((p = strpbrk(p, "|;,")) != NULL)
				*p++ = '\0';
			free(norm);
			norm = lieux_trim(item);
			if (*norm == '\0')
				continue;
			item = norm;
			norm = NULL;
			if (lieux_phone(item, &norm, &cause) != 0) {
				lieux_problem(lf->errors, line, c->name, item,
				    "%s", cause);
				free(cause);
				cause = NULL;
				rc = -1;
			} else
				json_array_append_new(a, json_string(norm));
			free(item);
		}
		free(copy);
		if (rc == 0)
			json_object_set_new(place, c->key, a);
		else
			json_decref(a);
		break;
	case LT_DATE:
		if (check_date(s, &cause) != 0) {
			lieux_problem(lf->errors, line, c->name, s,
			    _("%s %s: expected an ISO date such as "
			    "2024-04-02"), c->name, s);
			free(cause);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, json_string(s));
		break;
	case LT_NUMBER:
		if (lieux_number(s, &d) != 0 || d < -180 || d > 180) {
			lieux_problem(lf->warnings, line, c->name, s,
			    _("%s %s is not a coordinate: left out"), c->name,
			    s);
			break;
		}
		json_object_set_new(place, c->key, json_real(d));
		break;
	case LT_POSTAL:
		if (strlen(s) != 5 || strspn(s, "0123456789") != 5) {
			lieux_problem(lf->errors, line, c->name, s,
			    _("%s %s: expected 5 digits"), c->name, s);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, json_string(s));
		break;
	case LT_INSEE:
		if (check_insee(s, &cause) != 0) {
			lieux_problem(lf->errors, line, c->name, s, "%s",
			    cause);
			free(cause);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, json_string(s));
		break;
	case LT_PIVOT:
		if (lieux_pivot(s, &norm, &cause) != 0) {
			lieux_problem(lf->errors, line, c->name, s, "%s",
			    cause);
			free(cause);
			rc = -1;
			break;
		}
		json_object_set_new(place, c->key, json_string(norm));
		break;
	}
	free(norm);
	free(s);
	return (rc);
}

/*
 * A row whose id an earlier good row has is bad; seen holds the line of
 * the first good row of each id.
 */
static void
lieux_twice(struct lieux_file *lf, struct lieux_row *row, json_t *seen)
{
	const char *ref;
	json_t *prev;

	ref = json_string_value(json_object_get(row->place, "ref"));
	if ((prev = json_object_get(seen, ref)) == NULL) {
		json_object_set_new_nocheck(seen, ref, json_integer(
		    (json_int_t)row->line));
		return;
	}
	lieux_problem(lf->errors, row->line, "id", ref,
	    _("id %s is already the id of line %zu"), ref,
	    (size_t)json_integer_value(prev));
	row->bad = 1;
}

/* Is every field of a record empty? */
static int
lieux_empty(const struct csv_record *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i][strspn(r->fields[i], " \t\r\n")] != '\0')
			return (0);
	return (1);
}

/*
 * Read a file of the standard. -1 with *cause when the file as a whole
 * cannot be used (not CSV text, no header, a required column missing);
 * else 0 with every row (bad ones marked), errors and warnings by line.
 */
int
lieux_read(const void *data, size_t len, struct lieux_file **out,
    char **cause)
{
	struct lieux_file *lf;
	const struct csv_record *r;
	const struct lieux_column *c;
	struct lieux_row *row;
	json_t *seen = NULL;
	int col[LIEUX_NCOLUMNS];
	size_t i, k, h;

	*out = NULL;
	lf = xcalloc(1, sizeof *lf);
	if (csv_read_sep(data, len, lieux_separator(data, data != NULL ? len :
	    0), &lf->table, cause) != 0) {
		free(lf);
		return (-1);
	}
	for (h = 0; h < lf->table->nrecords; h++)
		if (!lieux_empty(&lf->table->records[h]))
			break;
	if (h == lf->table->nrecords) {
		xasprintf(cause, "%s", _("the file is empty"));
		goto fail;
	}
	r = &lf->table->records[h];
	for (k = 0; k < LIEUX_NCOLUMNS; k++) {
		c = &lieux_columns[k];
		col[k] = -1;
		for (i = 0; i < r->nfields && col[k] == -1; i++)
			if (lieux_same(r->fields[i], c->name))
				col[k] = (int)i;
		if (col[k] == -1 && (c->flags & LF_REQUIRED)) {
			xasprintf(cause, _("line %zu: no column %s: the header "
			    "of a file in the standard « Lieux de médiation "
			    "numérique » names id, pivot, nom, commune, "
			    "code_postal, adresse, date_maj and services"),
			    r->line, c->name);
			goto fail;
		}
	}
	lf->errors = json_array();
	lf->warnings = json_array();
	lf->rows = xcalloc(lf->table->nrecords, sizeof *lf->rows);
	seen = json_object();
	for (i = h + 1; i < lf->table->nrecords; i++) {
		r = &lf->table->records[i];
		if (lieux_empty(r))
			continue;
		row = &lf->rows[lf->nrows++];
		row->line = r->line;
		row->place = json_object();
		if (r->nfields > lf->table->records[h].nfields) {
			lieux_problem(lf->errors, r->line, NULL, NULL,
			    _("line %zu has %zu values for %zu columns (a "
			    "value with the separator should be quoted)"),
			    r->line, r->nfields,
			    lf->table->records[h].nfields);
			row->bad = 1;
			continue;
		}
		for (k = 0; k < LIEUX_NCOLUMNS; k++) {
			c = &lieux_columns[k];
			if (lieux_value(lf, r->line, c, col[k] >= 0 &&
			    (size_t)col[k] < r->nfields ? r->fields[col[k]] :
			    "", row->place) != 0)
				row->bad = 1;
		}
		if (!row->bad)
			lieux_twice(lf, row, seen);
	}
	json_decref(seen);
	*out = lf;
	return (0);
fail:
	lieux_free(lf);
	return (-1);
}

void
lieux_free(struct lieux_file *lf)
{
	size_t i;

	if (lf == NULL)
		return;
	for (i = 0; i < lf->nrows; i++)
		json_decref(lf->rows[i].place);
	free(lf->rows);
	json_decref(lf->errors);
	json_decref(lf->warnings);
	csv_table_free(lf->table);
	free(lf);
}
