/*
 * Delivery manifests: CSV as French spreadsheets export it, read into
 * checked units. No I/O: bytes in, records and units out (see csv.h).
 */

#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "tag.h"
#include "xmalloc.h"

#define CSV_SHOWN	64	/* bytes of a value quoted in a message */

/* A header name (folded) and the field it gives. */
static const struct {
	const char	*name;
	int		 field;
} csv_headers[] = {
	{ "type", CSV_KIND }, { "kind", CSV_KIND },
	{ "typedemateriel", CSV_KIND }, { "typedappareil", CSV_KIND },
	{ "typeappareil", CSV_KIND }, { "typedeproduit", CSV_KIND },
	{ "typeproduit", CSV_KIND }, { "categorie", CSV_KIND },
	{ "category", CSV_KIND }, { "famille", CSV_KIND },
	{ "devicetype", CSV_KIND },
	{ "marque", CSV_BRAND }, { "brand", CSV_BRAND },
	{ "fabricant", CSV_BRAND }, { "constructeur", CSV_BRAND },
	{ "manufacturer", CSV_BRAND }, { "make", CSV_BRAND },
	{ "modele", CSV_MODEL }, { "model", CSV_MODEL },
	{ "nomdumodele", CSV_MODEL }, { "modelname", CSV_MODEL },
	{ "ndeserie", CSV_SERIAL }, { "nodeserie", CSV_SERIAL },
	{ "numerodeserie", CSV_SERIAL }, { "numeroserie", CSV_SERIAL },
	{ "nserie", CSV_SERIAL }, { "noserie", CSV_SERIAL },
	{ "numserie", CSV_SERIAL }, { "serie", CSV_SERIAL },
	{ "serial", CSV_SERIAL }, { "serialnumber", CSV_SERIAL },
	{ "serialno", CSV_SERIAL }, { "sn", CSV_SERIAL },
	{ "imei", CSV_IMEI }, { "imei1", CSV_IMEI }, { "nimei", CSV_IMEI },
	{ "numeroimei", CSV_IMEI }, { "imeiprincipal", CSV_IMEI },
	{ "imei2", CSV_IMEI2 }, { "imeisecondaire", CSV_IMEI2 },
	{ "iccid", CSV_ICCID }, { "niccid", CSV_ICCID },
	{ "numeroiccid", CSV_ICCID },
	{ "operateur", CSV_OPERATOR }, { "operator", CSV_OPERATOR },
	{ "processeur", CSV_CPU }, { "cpu", CSV_CPU },
	{ "processor", CSV_CPU },
	{ "ram", CSV_RAM }, { "ramgo", CSV_RAM }, { "ramgb", CSV_RAM },
	{ "memoire", CSV_RAM }, { "memoirego", CSV_RAM },
	{ "memoirevive", CSV_RAM }, { "memoirevivego", CSV_RAM },
	{ "memoireram", CSV_RAM }, { "memory", CSV_RAM },
	{ "memorygb", CSV_RAM },
	{ "stockage", CSV_STORAGE }, { "stockagego", CSV_STORAGE },
	{ "storage", CSV_STORAGE }, { "storagegb", CSV_STORAGE },
	{ "disque", CSV_STORAGE }, { "disquego", CSV_STORAGE },
	{ "disquedur", CSV_STORAGE }, { "capacite", CSV_STORAGE },
	{ "capacitego", CSV_STORAGE }, { "ssd", CSV_STORAGE },
	{ "ssdgo", CSV_STORAGE }, { "hdd", CSV_STORAGE },
	{ "rom", CSV_STORAGE }, { "romgo", CSV_STORAGE },
	{ "ecran", CSV_SCREEN }, { "ecranpouces", CSV_SCREEN },
	{ "tailleecran", CSV_SCREEN }, { "tailledecran", CSV_SCREEN },
	{ "diagonale", CSV_SCREEN }, { "screen", CSV_SCREEN },
	{ "screensize", CSV_SCREEN }, { "screenin", CSV_SCREEN },
	{ "os", CSV_OS }, { "systeme", CSV_OS },
	{ "systemedexploitation", CSV_OS }, { "operatingsystem", CSV_OS },
	{ "grade", CSV_GRADE }, { "grading", CSV_GRADE },
	{ "prixht", CSV_COST }, { "prix", CSV_COST },
	{ "prixunitaire", CSV_COST }, { "prixunitaireht", CSV_COST },
	{ "puht", CSV_COST }, { "montantht", CSV_COST },
	{ "tarif", CSV_COST }, { "tarifht", CSV_COST },
	{ "cout", CSV_COST }, { "coutht", CSV_COST },
	{ "cost", CSV_COST }, { "price", CSV_COST },
	{ "unitcost", CSV_COST }, { "unitprice", CSV_COST },
	{ "garantiejusquau", CSV_WARRANTY }, { "garantiejusqua", CSV_WARRANTY },
	{ "garantie", CSV_WARRANTY }, { "findegarantie", CSV_WARRANTY },
	{ "datefindegarantie", CSV_WARRANTY }, { "warranty", CSV_WARRANTY },
	{ "warrantyuntil", CSV_WARRANTY }, { "warrantyend", CSV_WARRANTY },
	{ "certificatdeffacement", CSV_ERASURE },
	{ "certificateffacement", CSV_ERASURE },
	{ "effacement", CSV_ERASURE }, { "erasure", CSV_ERASURE },
	{ "erasurecert", CSV_ERASURE }, { "erasurecertificate", CSV_ERASURE },
	{ "wipecertificate", CSV_ERASURE },
	{ NULL, 0 }
};

/* The API's names of the fields. */
static const char *const csv_names[CSV_NFIELDS] = {
	"kind", "brand", "model", "serial", "imei", "imei", "iccid",
	"operator", "cpu", "ram_gb", "storage_gb", "screen_in", "os", "grade",
	"cost", "warranty_until", "erasure_cert"
};

/* A kind as written (folded) and what kitstock calls it. */
static const struct {
	const char	*name;
	const char	*kind;
} csv_kinds[] = {
	{ "portable", "laptop" }, { "ordinateurportable", "laptop" },
	{ "pcportable", "laptop" }, { "laptop", "laptop" },
	{ "notebook", "laptop" }, { "ultraportable", "laptop" },
	{ "fixe", "desktop" }, { "ordinateurfixe", "desktop" },
	{ "pcfixe", "desktop" }, { "desktop", "desktop" },
	{ "tour", "desktop" }, { "unitecentrale", "desktop" },
	{ "toutenun", "desktop" }, { "allinone", "desktop" },
	{ "minipc", "desktop" },
	{ "tablette", "tablet" }, { "tablet", "tablet" },
	{ "smartphone", "smartphone" }, { "telephone", "smartphone" },
	{ "telephonemobile", "smartphone" }, { "mobile", "smartphone" },
	{ "phone", "smartphone" },
	{ "box4g", "4g-router" }, { "4grouter", "4g-router" },
	{ "routeur4g", "4g-router" }, { "modem4g", "4g-router" },
	{ "4gbox", "4g-router" }, { "box", "4g-router" },
	{ "sim", "sim" }, { "cartesim", "sim" }, { "simcard", "sim" },
	{ NULL, NULL }
};

/* Latin-1 letters U+00C0 to U+00FF without their accents. */
static const char *const csv_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "y"
};

static int	 csv_fail(char **, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static const char *csv_shown(const char *, char *, size_t);
static int	 csv_utf8(const unsigned char *, size_t, size_t *);
static size_t	 csv_line_at(const char *, size_t);
static char	*csv_from_cp1252(const unsigned char *, size_t, size_t *,
		    size_t *);
static char	 csv_separator(const char *, size_t);
static int	 csv_parse(struct csv_table *, size_t, char **);
static size_t	 csv_space(const char *);
static char	*csv_trim(char *);
static int	 csv_digits(const char *, int *, size_t *);
static const char *csv_unit_word(const char *, const char *const *);
static int	 csv_number(const char *, double *, const char **);
static char	*csv_compact(const char *);
static int	 csv_manifest_header(struct csv_manifest *, char **);
static void	 csv_manifest_line(struct csv_manifest *,
		    const struct csv_record *);
static int	 csv_string(struct csv_manifest *, struct csv_unit *, int,
		    const char *, char **);
static void	 csv_error_add(struct csv_manifest *, size_t, const char *,
		    const char *, char *);
static void	 csv_errorf(struct csv_manifest *, struct csv_unit *, int,
		    const char *, const char *, ...)
		    __attribute__((__format__(printf, 5, 6)));
static void	 csv_duplicates(struct csv_manifest *);
static int	 csv_error_cmp(const void *, const void *);
static int	 csv_key_cmp(const void *, const void *);

/* Set *cause (if wanted) to the sentence and return -1. */
static int
csv_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/* A value as quoted in a message: controls as '?', cut if long. */
static const char *
csv_shown(const char *s, char *buf, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; s[i] != '\0' && i < len - 4; i++) {
		c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--;
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return (buf);
}
#define SHOWN(s)	csv_shown(s, shown, sizeof shown)

/* Are these bytes UTF-8 (strict)? If not, *bad is the first bad offset. */
static int
csv_utf8(const unsigned char *s, size_t len, size_t *bad)
{
	size_t i = 0, n, k;
	uint32_t c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			goto bad;
		if (len - i - 1 < n)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return (1);
bad:
	*bad = i;
	return (0);
}

/* The line (1 + line breaks before off) of an offset, for messages. */
static size_t
csv_line_at(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return (line);
}

/*
 * Windows-1252 to UTF-8 with glibc's iconv (allocated, NUL-terminated).
 * NULL if a byte has no meaning in Windows-1252 (*bad is its offset) or
 * iconv cannot be used (*bad is len).
 */
static char *
csv_from_cp1252(const unsigned char *s, size_t len, size_t *outlen,
    size_t *bad)
{
	iconv_t cd;
	char *out, *in, *o;
	size_t inleft, oleft;

	*bad = len;
	if ((cd = iconv_open("UTF-8", "WINDOWS-1252")) == (iconv_t)-1)
		return (NULL);
	out = xmalloc(len * 3 + 1);
	in = (char *)(uintptr_t)s;	/* iconv does not write the input */
	inleft = len;
	o = out;
	oleft = len * 3;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		*bad = (size_t)((const unsigned char *)in - s);
		iconv_close(cd);
		free(out);
		return (NULL);
	}
	iconv_close(cd);
	*o = '\0';
	*outlen = (size_t)(o - out);
	return (out);
}

/*
 * The separator: of ';', ',' and tab, the one found most often outside
 * quotes on the first lines (a title line may come before the header).
 */
static char
csv_separator(const char *s, size_t len)
{
	static const char seps[] = ";,\t";
	size_t i, count[3] = { 0, 0, 0 }, lines = 0;
	int quoted = 0, k, best = 1;

	for (i = 0; i < len && lines < CSV_HEADER_SEARCH; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == '\n')
			lines++;
		else if (!quoted)
			for (k = 0; k < 3; k++)
				if (s[i] == seps[k])
					count[k]++;
	}
	for (k = 0; k < 3; k++)
		if (count[k] > count[best] || (count[k] == count[best] &&
		    k < best && count[k] > 0))
			best = k;
	return (seps[best]);
}

/*
 * Split the text into records in place: quoted values lose their quotes
 * and doubled quotes, each field ends with a NUL. A quote inside an
 * unquoted value, or text after a closing quote, is kept as it is (as
 * spreadsheets read it); a quote never closed is an error.
 */
static int
csv_parse(struct csv_table *t, size_t n, char **cause)
{
	char *s = t->text, c;
	size_t r = 0, w = 0, line = 1, start, nfields, size = 0, fsize;
	struct csv_record *rec;
	char **fields;

	while (r < n) {
		if (t->nrecords == size) {
			size = size == 0 ? 64 : size * 2;
			t->records = xreallocarray(t->records, size,
			    sizeof *t->records);
		}
		fields = NULL;
		nfields = fsize = 0;
		for (;;) {
			start = w;
			if (s[r] == '"') {
				r++;
				for (;;) {
					if (r >= n) {
						free(fields);
						return (csv_fail(cause,
						    _("line %zu: a quoted "
						    "value is not closed (a "
						    "\" is missing)"), line));
					}
					if (s[r] == '"') {
						if (r + 1 < n && s[r + 1] ==
						    '"') {
							s[w++] = '"';
							r += 2;
							continue;
						}
						r++;
						break;
					}
					/* A line break in a value: LF alone. */
					if (s[r] == '\r' && r + 1 < n &&
					    s[r + 1] == '\n')
						r++;
					s[w++] = s[r++];
				}
			}
			while (r < n && s[r] != t->sep && s[r] != '\n' &&
			    s[r] != '\r')
				s[w++] = s[r++];
			c = r < n ? s[r] : '\0';
			s[w++] = '\0';
			if (nfields == CSV_COLUMNS_MAX) {
				free(fields);
				return (csv_fail(cause, _("line %zu has more "
				    "than %d columns"), line,
				    CSV_COLUMNS_MAX));
			}
			if (nfields == fsize) {
				fsize = fsize == 0 ? 16 : fsize * 2;
				fields = xreallocarray(fields, fsize,
				    sizeof *fields);
			}
			fields[nfields++] = s + start;
			r++;
			if (c == t->sep)
				continue;
			if (c == '\r' && r < n && s[r] == '\n')
				r++;
			break;
		}
		rec = &t->records[t->nrecords++];
		rec->line = line++;
		rec->nfields = nfields;
		rec->fields = fields;
	}
	return (0);
}

int
csv_read(const void *data, size_t len, struct csv_table **out, char **cause)
{
	return (csv_read_sep(data, len, '\0', out, cause));
}

int
csv_read_sep(const void *data, size_t len, char sep, struct csv_table **out,
    char **cause)
{
	const unsigned char *p = data, *nul;
	struct csv_table *t;
	size_t bad, n, i;
	char *text;

	*out = NULL;
	if (len == 0 || data == NULL)
		return (csv_fail(cause, _("the file is empty")));
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
	    (p[0] == 0xfe && p[1] == 0xff)))
		return (csv_fail(cause, _("the file is in UTF-16: save it as "
		    "\"CSV UTF-8\" (or CSV) from the spreadsheet")));
	if (len >= 4 && memcmp(p, "PK\003\004", 4) == 0)
		return (csv_fail(cause, _("this is a spreadsheet file (.xlsx "
		    "or .ods), not CSV: save it as \"CSV UTF-8\" from the "
		    "spreadsheet")));
	if ((nul = memchr(p, '\0', len)) != NULL)
		return (csv_fail(cause, _("the file is not text (it holds a "
		    "NUL byte at offset %zu): export the manifest as CSV"),
		    (size_t)(nul - p)));

	t = xcalloc(1, sizeof *t);
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		t->bom = 1;
		p += 3;
		len -= 3;
	}
	if (csv_utf8(p, len, &bad)) {
		text = xmalloc(len + 1);
		memcpy(text, p, len);
		text[len] = '\0';
		n = len;
	} else if ((text = csv_from_cp1252(p, len, &n, &bad)) != NULL)
		t->cp1252 = 1;
	else {
		text = xstrndup((const char *)p, bad);
		i = csv_line_at(text, bad);
		free(text);
		free(t);
		return (csv_fail(cause, _("the file is neither UTF-8 nor "
		    "Windows-1252 text (byte 0x%02X on line %zu): export the "
		    "manifest as CSV"), bad < len ? p[bad] : 0, i));
	}
	t->text = text;
	for (i = 0; i < n; i++) {
		if (((unsigned char)text[i] < 0x20 && text[i] != '\t' &&
		    text[i] != '\r' && text[i] != '\n') || text[i] == 0x7f ||
		    ((unsigned char)text[i] == 0xc2 && i + 1 < n &&
		    (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] <= 0x9f)) {
			csv_fail(cause, _("line %zu holds a control character: "
			    "the file does not look like CSV text"),
			    csv_line_at(text, i));
			csv_table_free(t);
			return (-1);
		}
	}
	if (strspn(text, " \t\r\n") == n) {
		csv_table_free(t);
		return (csv_fail(cause, _("the file is empty")));
	}
	t->sep = sep != '\0' ? sep : csv_separator(text, n);
	if (csv_parse(t, n, cause) != 0) {
		csv_table_free(t);
		return (-1);
	}
	*out = t;
	return (0);
}

void
csv_table_free(struct csv_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrecords; i++)
		free(t->records[i].fields);
	free(t->records);
	free(t->text);
	free(t);
}

/* The length of a space (ASCII, no-break or narrow no-break) at s, or 0. */
static size_t
csv_space(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\n')
		return (1);
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return (2);
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xaf || u[2] == 0x89))
		return (3);
	return (0);
}

/* Take the spaces off both ends, in place. */
static char *
csv_trim(char *s)
{
	size_t n, len, end = 0, i;

	while ((n = csv_space(s)) != 0)
		s += n;
	len = strlen(s);
	for (i = 0; i < len; i += n) {
		if ((n = csv_space(s + i)) == 0) {
			n = 1;
			end = i + 1;
		}
	}
	s[end] = '\0';
	return (s);
}

void
csv_fold(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	const char *rep;
	size_t o = 0, k;
	unsigned int c;

	if (len == 0)
		return;
	while (*s != '\0') {
		rep = NULL;
		if (*s >= 'A' && *s <= 'Z') {
			c = *s++ - 'A' + 'a';
			if (o + 1 < len)
				out[o++] = (char)c;
			continue;
		}
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) {
			if (o + 1 < len)
				out[o++] = (char)*s;
			s++;
			continue;
		}
		if (*s == 0xc3 && s[1] >= 0x80 && s[1] <= 0xbf) {
			rep = csv_latin1[s[1] - 0x80];
			s += 2;
		} else if (*s == 0xc5 && (s[1] == 0x92 || s[1] == 0x93)) {
			rep = "oe";
			s += 2;
		} else
			s++;
		for (k = 0; rep != NULL && rep[k] != '\0'; k++)
			if (o + 1 < len)
				out[o++] = rep[k];
	}
	out[o] = '\0';
}

int
csv_header(const char *name)
{
	char folded[64];
	int i;

	if (strlen(name) > 200)
		return (-1);
	csv_fold(name, folded, sizeof folded);
	for (i = 0; csv_headers[i].name != NULL; i++)
		if (strcmp(csv_headers[i].name, folded) == 0)
			return (csv_headers[i].field);
	return (-1);
}

const char *
csv_field_name(int field)
{
	if (field < 0 || field >= CSV_NFIELDS)
		return ("");
	return (csv_names[field]);
}

int
csv_kind(const char *s, const char **kind, char **cause)
{
	char folded[64], shown[CSV_SHOWN];
	int i;

	csv_fold(s, folded, sizeof folded);
	if (strlen(s) < 64) {
		for (i = 0; csv_kinds[i].name != NULL; i++)
			if (strcmp(csv_kinds[i].name, folded) == 0) {
				*kind = csv_kinds[i].kind;
				return (0);
			}
	}
	return (csv_fail(cause, _("kind \"%s\" is not known: expected "
	    "Portable (laptop), Fixe (desktop), Tablette (tablet), "
	    "Smartphone, Box 4G (4g-router) or SIM"), SHOWN(s)));
}

int
csv_grade(const char *s, char *grade, char **cause)
{
	char shown[CSV_SHOWN];
	const char *p = s;

	if (strncasecmp(p, "grade", 5) == 0) {
		p += 5;
		p += strspn(p, " :-");
	}
	if ((*p == 'A' || *p == 'B' || *p == 'C' || *p == 'a' || *p == 'b' ||
	    *p == 'c') && p[1] == '\0') {
		grade[0] = (char)(*p & ~0x20);
		grade[1] = '\0';
		return (0);
	}
	return (csv_fail(cause, _("grade \"%s\": expected A, B or C (or "
	    "Grade A...)"), SHOWN(s)));
}

/* Read 1 or more digits (at most 9) into *v; their count into *n. */
static int
csv_digits(const char *s, int *v, size_t *n)
{
	*v = 0;
	for (*n = 0; s[*n] >= '0' && s[*n] <= '9'; (*n)++) {
		if (*n == 9)
			return (-1);
		*v = *v * 10 + (s[*n] - '0');
	}
	return (*n == 0 ? -1 : 0);
}

int
csv_date(const char *s, char *out, char **cause)
{
	char shown[CSV_SHOWN], iso[48];
	const char *p = s;
	int a, b, c, y, m, d, hh, mm;
	size_t na, nb, nc, nt, nm;
	char sep;

	if (csv_digits(p, &a, &na) != 0)
		goto invalid;
	p += na;
	if ((sep = *p) != '/' && sep != '-' && sep != '.')
		goto invalid;
	if (csv_digits(++p, &b, &nb) != 0)
		goto invalid;
	p += nb;
	if (*p != sep || csv_digits(++p, &c, &nc) != 0)
		goto invalid;
	p += nc;
	/* A time of day, as spreadsheets add to dates: ignored. */
	if (*p == ' ' || *p == 'T') {
		if (csv_digits(p + 1, &hh, &nt) != 0 || nt > 2 ||
		    p[1 + nt] != ':' || csv_digits(p + 2 + nt, &mm, &nm) != 0 ||
		    nm != 2)
			goto invalid;
		p += 2 + nt + nm;
		if (*p == ':' && csv_digits(p + 1, &mm, &nm) == 0 && nm == 2)
			p += 3;
		if (*p == 'Z')
			p++;
	}
	if (*p != '\0')
		goto invalid;
	if (na == 4 && nb <= 2 && nc <= 2) {
		y = a;
		m = b;
		d = c;
	} else if (na <= 2 && nb <= 2 && nc == 4) {
		d = a;
		m = b;
		y = c;
	} else if (na <= 2 && nb <= 2 && nc == 2)
		return (csv_fail(cause, _("date %s: write the year with 4 "
		    "digits, such as 31/12/2027"), SHOWN(s)));
	else
		goto invalid;
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	if (check_date(iso, NULL) != 0) {
		if (nc == 4 && m > 12 && d <= 12)
			return (csv_fail(cause, _("date %s is not a real day: "
			    "dates are read as day/month/year"), SHOWN(s)));
		goto invalid;
	}
	memcpy(out, iso, 11);
	return (0);
invalid:
	return (csv_fail(cause, _("date %s: expected a date such as "
	    "31/12/2027 or 2027-12-31"), SHOWN(s)));
}

/* Skip spaces, then a unit word of the list (case aside): after it, or NULL. */
static const char *
csv_unit_word(const char *s, const char *const *words)
{
	size_t n, i;

	while ((n = csv_space(s)) != 0)
		s += n;
	if (*s == '\0')
		return (s);
	for (i = 0; words[i] != NULL; i++) {
		n = strlen(words[i]);
		if (strncasecmp(s, words[i], n) == 0 && s[n] == '\0')
			return (s + n);
	}
	return (NULL);
}

/* A number with a decimal comma or point (no sign, no exponent). */
static int
csv_number(const char *s, double *v, const char **end)
{
	long long mant = 0, scale = 1;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (++digits > 12)
			return (-1);
		mant = mant * 10 + (*s++ - '0');
	}
	if (digits > 0 && (*s == ',' || *s == '.') && s[1] >= '0' &&
	    s[1] <= '9') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (++digits > 12)
				return (-1);
			mant = mant * 10 + (*s++ - '0');
			scale *= 10;
		}
	}
	*v = (double)mant / (double)scale;
	*end = s;
	return (digits == 0 ? -1 : 0);
}

int
csv_decimal(const char *s, double *v, char **cause)
{
	static const char *const inches[] = {
		"\"", "''", "\xe2\x80\xb3", "\xe2\x80\x9d", "pouces", "pouce",
		"inches", "inch", "in", NULL
	};
	char shown[CSV_SHOWN];
	const char *end;

	if (csv_number(s, v, &end) != 0 || csv_unit_word(end, inches) == NULL)
		return (csv_fail(cause, _("number %s: expected a number such "
		    "as 15,6"), SHOWN(s)));
	if (*v < 1 || *v > 100)
		return (csv_fail(cause, _("screen size %s is out of range (1 "
		    "to 100 inches)"), SHOWN(s)));
	return (0);
}

int
csv_gigabytes(const char *s, long long max, long long *gb, char **cause)
{
	static const char *const giga[] = {
		"go", "gb", "gio", "gib", "g", NULL
	};
	static const char *const tera[] = {
		"to", "tb", "tio", "tib", "t", NULL
	};
	char shown[CSV_SHOWN];
	const char *end;
	double v;

	if (csv_number(s, &v, &end) != 0)
		goto invalid;
	if (csv_unit_word(end, giga) == NULL) {
		if (csv_unit_word(end, tera) == NULL)
			goto invalid;
		v *= 1024;
	}
	if (v != (double)(long long)v)
		return (csv_fail(cause, _("size %s: expected a whole number "
		    "of gigabytes"), SHOWN(s)));
	if (v > (double)max)
		return (csv_fail(cause, _("size %s is out of range (0 to %lld "
		    "GB)"), SHOWN(s), max));
	*gb = (long long)v;
	return (0);
invalid:
	return (csv_fail(cause, _("size %s: expected gigabytes such as 8, "
	    "256 Go or 1 To"), SHOWN(s)));
}

/* A copy without spaces, dashes and dots (as identifiers get typed). */
static char *
csv_compact(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t i = 0, o = 0, n;

	while (s[i] != '\0') {
		if ((n = csv_space(s + i)) != 0) {
			i += n;
			continue;
		}
		if (s[i] != '-' && s[i] != '.')
			out[o++] = s[i];
		i++;
	}
	out[o] = '\0';
	return (out);
}

int
csv_imeis(const char *s, char imei[2][16], int *n, char **cause)
{
	char shown[CSV_SHOWN], *copy, *part, *last, *c;
	int rc = 0;

	*n = 0;
	if (strstr(s, "E+") != NULL || strstr(s, "e+") != NULL)
		return (csv_fail(cause, _("IMEI %s: the spreadsheet turned it "
		    "into a number in scientific notation; format the column "
		    "as text and export again"), SHOWN(s)));
	copy = xstrdup(s);
	for (part = strtok_r(copy, "/,;|\n", &last); part != NULL && rc == 0;
	    part = strtok_r(NULL, "/,;|\n", &last)) {
		c = csv_compact(part);
		if (*c == '\0') {
			free(c);
			continue;
		}
		if (*n == 2)
			rc = csv_fail(cause, _("IMEI %s: a device has at most "
			    "2 IMEIs"), SHOWN(s));
		else if (check_imei(c, cause) != 0)
			rc = -1;
		else if (*n == 1 && strcmp(imei[0], c) == 0)
			rc = csv_fail(cause, _("IMEI %s is given twice"),
			    SHOWN(c));
		else
			memcpy(imei[(*n)++], c, 16);
		free(c);
	}
	free(copy);
	if (rc == 0 && *n == 0)
		rc = csv_fail(cause, _("IMEI %s: expected 15 digits"),
		    SHOWN(s));
	return (rc);
}

int
csv_iccid(const char *s, char *iccid, char **cause)
{
	char shown[CSV_SHOWN], *c;

	if (strstr(s, "E+") != NULL || strstr(s, "e+") != NULL)
		return (csv_fail(cause, _("ICCID %s: the spreadsheet turned it "
		    "into a number in scientific notation; format the column "
		    "as text and export again"), SHOWN(s)));
	c = csv_compact(s);
	if (check_iccid(c, cause) != 0) {
		free(c);
		return (-1);
	}
	memcpy(iccid, c, strlen(c) + 1);
	free(c);
	return (0);
}

/* Record an error (message taken); errors are sorted by line at the end. */
static void
csv_error_add(struct csv_manifest *m, size_t line, const char *column,
    const char *value, char *message)
{
	struct csv_error *e;

	if (m->nerrors % 64 == 0)
		m->errors = xreallocarray(m->errors, m->nerrors + 64,
		    sizeof *m->errors);
	e = &m->errors[m->nerrors];
	e->line = line;
	e->column = column;
	e->value = xstrdup(value != NULL ? value : "");
	e->message = message;
	e->seq = m->nerrors++;
}

/* An error about a field of a unit, which becomes bad. */
static void
csv_errorf(struct csv_manifest *m, struct csv_unit *u, int field,
    const char *value, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	u->bad = 1;
	csv_error_add(m, u->line, field >= 0 && m->column[field] >= 0 ?
	    m->names[m->column[field]] : NULL, value, msg);
}

void
csv_manifest_error(struct csv_manifest *m, size_t line, int field,
    const char *value, const char *message)
{
	if (field == CSV_IMEI && m->column[field] < 0)
		field = CSV_IMEI2;
	csv_error_add(m, line, field >= 0 && field < CSV_NFIELDS &&
	    m->column[field] >= 0 ? m->names[m->column[field]] : NULL, value,
	    xstrdup(message));
}

void
csv_manifest_sort(struct csv_manifest *m)
{
	size_t i;

	if (m->nerrors == 0)
		return;
	qsort(m->errors, m->nerrors, sizeof *m->errors, csv_error_cmp);
	for (i = 0; i < m->nerrors; i++)
		m->errors[i].seq = i;
}

/* Errors by line, then in the order they were found. */
static int
csv_error_cmp(const void *a, const void *b)
{
	const struct csv_error *x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/*
 * Find the header: the first of the first lines naming at least two known
 * columns (a title line may come before it). Check the columns: the kind
 * and an identifier are needed, each field given once.
 */
static int
csv_manifest_header(struct csv_manifest *m, char **cause)
{
	const struct csv_table *t = m->table;
	const struct csv_record *rec = NULL;
	size_t i, j, known, k;
	char *name;
	int f;

	for (i = 0; i < t->nrecords && i < CSV_HEADER_SEARCH; i++) {
		for (j = 0, known = 0; j < t->records[i].nfields; j++)
			if (csv_header(csv_trim(t->records[i].fields[j])) >= 0)
				known++;
		if (known >= 2) {
			rec = &t->records[i];
			break;
		}
	}
	if (rec == NULL)
		return (csv_fail(cause, _("no header line found: the first "
		    "line must name the columns, such as Type;Marque;Modèle;"
		    "N° de série;IMEI;Grade;Prix HT")));
	m->header_line = rec->line;
	m->ncolumns = rec->nfields;
	m->names = xcalloc(rec->nfields, sizeof *m->names);
	m->note_names = xcalloc(rec->nfields, sizeof *m->note_names);
	m->note_columns = xcalloc(rec->nfields, sizeof *m->note_columns);
	for (f = 0; f < CSV_NFIELDS; f++)
		m->column[f] = -1;
	for (j = 0; j < rec->nfields; j++) {
		m->names[j] = rec->fields[j];
		if ((f = csv_header(rec->fields[j])) < 0) {
			if (*rec->fields[j] == '\0')
				xasprintf(&name, _("column %zu"), j + 1);
			else
				name = xstrdup(rec->fields[j]);
			for (k = 0; k < m->nnotes; k++)
				if (strcmp(m->note_names[k], name) == 0)
					break;
			if (k < m->nnotes) {
				free(name);
				xasprintf(&name, "%s (%zu)", rec->fields[j],
				    j + 1);
			}
			m->note_names[m->nnotes] = name;
			m->note_columns[m->nnotes++] = j;
			continue;
		}
		if (m->column[f] >= 0)
			return (csv_fail(cause, _("columns %d (%s) and %zu "
			    "(%s) both give the %s: keep one"),
			    m->column[f] + 1, m->names[m->column[f]], j + 1,
			    rec->fields[j], csv_names[f]));
		m->column[f] = (int)j;
	}
	if (m->column[CSV_KIND] < 0)
		return (csv_fail(cause, _("no column gives the kind of each "
		    "unit: add a column Type (Portable, Fixe, Tablette, "
		    "Smartphone, Box 4G, SIM)")));
	if (m->column[CSV_SERIAL] < 0 && m->column[CSV_IMEI] < 0 &&
	    m->column[CSV_ICCID] < 0)
		return (csv_fail(cause, _("no column identifies the units: "
		    "add a column N° de série, IMEI or ICCID")));
	return (0);
}

/*
 * A text value: one line, not too long. 0 with *out (allocated) or NULL
 * if empty; -1 if wrong (reported).
 */
static int
csv_string(struct csv_manifest *m, struct csv_unit *u, int field,
    const char *s, char **out)
{
	char shown[CSV_SHOWN];
	const char *p;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return (0);
	if (strlen(s) > CSV_VALUE_MAX) {
		csv_errorf(m, u, field, s, _("%s \"%s\" is too long (%zu "
		    "bytes, at most %d)"), csv_names[field], SHOWN(s),
		    strlen(s), CSV_VALUE_MAX);
		return (-1);
	}
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20) {
			csv_errorf(m, u, field, s, _("%s \"%s\" holds a line "
			    "break or a tab"), csv_names[field], SHOWN(s));
			return (-1);
		}
	*out = xstrdup(s);
	return (0);
}

/* Read one line of the manifest into a unit, reporting each bad value. */
static void
csv_manifest_line(struct csv_manifest *m, const struct csv_record *rec)
{
	char shown[CSV_SHOWN], *cause, *v[CSV_NFIELDS], iccid[32];
	struct csv_unit *u;
	size_t i, k;
	int f, device;

	for (i = 0, k = 0; i < rec->nfields; i++)
		if (*csv_trim(rec->fields[i]) != '\0')
			k++;
	if (k == 0)
		return;			/* an empty line */
	if (m->nunits % 256 == 0)
		m->units = xreallocarray(m->units, m->nunits + 256,
		    sizeof *m->units);
	u = &m->units[m->nunits++];
	memset(u, 0, sizeof *u);
	u->line = rec->line;
	u->ram_gb = u->storage_gb = u->cost_cents = -1;
	u->notes = xcalloc(m->nnotes + 1, sizeof *u->notes);

	for (f = 0; f < CSV_NFIELDS; f++) {
		v[f] = NULL;
		if (m->column[f] >= 0 && (size_t)m->column[f] < rec->nfields &&
		    *rec->fields[m->column[f]] != '\0')
			v[f] = rec->fields[m->column[f]];
	}
	for (i = m->ncolumns; i < rec->nfields; i++)
		if (*rec->fields[i] != '\0') {
			csv_errorf(m, u, -1, rec->fields[i], _("value \"%s\" "
			    "is in column %zu, which has no name in the "
			    "header"), SHOWN(rec->fields[i]), i + 1);
			break;
		}
	for (k = 0; k < m->nnotes; k++) {
		i = m->note_columns[k];
		if (i >= rec->nfields || *rec->fields[i] == '\0')
			continue;
		if (strlen(rec->fields[i]) > CSV_NOTE_MAX) {
			u->bad = 1;
			csv_error_add(m, u->line, m->names[i], rec->fields[i],
			    (xasprintf(&cause, _("%s is too long (%zu bytes, "
			    "at most %d)"), m->note_names[k],
			    strlen(rec->fields[i]), CSV_NOTE_MAX), cause));
			continue;
		}
		u->notes[k] = xstrdup(rec->fields[i]);
	}

	if (v[CSV_KIND] == NULL)
		csv_errorf(m, u, CSV_KIND, "", _("the kind is empty: expected "
		    "Portable, Fixe, Tablette, Smartphone, Box 4G or SIM"));
	else if (csv_kind(v[CSV_KIND], &u->kind, &cause) != 0) {
		csv_errorf(m, u, CSV_KIND, v[CSV_KIND], "%s", cause);
		free(cause);
	}
	csv_string(m, u, CSV_BRAND, v[CSV_BRAND], &u->brand);
	csv_string(m, u, CSV_MODEL, v[CSV_MODEL], &u->model);
	csv_string(m, u, CSV_SERIAL, v[CSV_SERIAL], &u->serial);
	csv_string(m, u, CSV_OPERATOR, v[CSV_OPERATOR], &u->operator);
	csv_string(m, u, CSV_CPU, v[CSV_CPU], &u->cpu);
	csv_string(m, u, CSV_OS, v[CSV_OS], &u->os);
	csv_string(m, u, CSV_ERASURE, v[CSV_ERASURE], &u->erasure);
	for (f = CSV_IMEI; f <= CSV_IMEI2; f++) {
		char got[2][16];
		int n;

		if (v[f] == NULL)
			continue;
		if (csv_imeis(v[f], got, &n, &cause) != 0) {
			csv_errorf(m, u, f, v[f], "%s", cause);
			free(cause);
			continue;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (u->nimei == 2) {
				csv_errorf(m, u, f, v[f], _("IMEI %s: a device "
				    "has at most 2 IMEIs"), SHOWN(v[f]));
				break;
			}
			if (u->nimei == 1 && strcmp(u->imei[0], got[i]) == 0) {
				csv_errorf(m, u, f, v[f], _("IMEI %s is given "
				    "twice"), got[i]);
				break;
			}
			memcpy(u->imei[u->nimei++], got[i], 16);
		}
	}
	if (v[CSV_ICCID] != NULL) {
		if (csv_iccid(v[CSV_ICCID], iccid, &cause) != 0) {
			csv_errorf(m, u, CSV_ICCID, v[CSV_ICCID], "%s", cause);
			free(cause);
		} else
			u->iccid = xstrdup(iccid);
	}
	if (v[CSV_GRADE] != NULL && csv_grade(v[CSV_GRADE], u->grade,
	    &cause) != 0) {
		csv_errorf(m, u, CSV_GRADE, v[CSV_GRADE], "%s", cause);
		free(cause);
	}
	if (v[CSV_COST] != NULL && euros_parse(v[CSV_COST], &u->cost_cents,
	    &cause) != 0) {
		u->cost_cents = -1;
		csv_errorf(m, u, CSV_COST, v[CSV_COST], "%s", cause);
		free(cause);
	}
	if (v[CSV_WARRANTY] != NULL && csv_date(v[CSV_WARRANTY], u->warranty,
	    &cause) != 0) {
		csv_errorf(m, u, CSV_WARRANTY, v[CSV_WARRANTY], "%s", cause);
		free(cause);
	}
	if (v[CSV_RAM] != NULL && csv_gigabytes(v[CSV_RAM], 4096, &u->ram_gb,
	    &cause) != 0) {
		csv_errorf(m, u, CSV_RAM, v[CSV_RAM], "%s", cause);
		free(cause);
	}
	if (v[CSV_STORAGE] != NULL && csv_gigabytes(v[CSV_STORAGE], 65536,
	    &u->storage_gb, &cause) != 0) {
		csv_errorf(m, u, CSV_STORAGE, v[CSV_STORAGE], "%s", cause);
		free(cause);
	}
	if (v[CSV_SCREEN] != NULL && csv_decimal(v[CSV_SCREEN], &u->screen_in,
	    &cause) != 0) {
		u->screen_in = 0;
		csv_errorf(m, u, CSV_SCREEN, v[CSV_SCREEN], "%s", cause);
		free(cause);
	}
	if (u->kind == NULL)
		return;

	/* What each kind needs to be received. */
	device = strcmp(u->kind, "sim") != 0;
	if (device && u->iccid != NULL)
		csv_errorf(m, u, CSV_ICCID, u->iccid, _("ICCID %s: only SIM "
		    "cards have one; put the SIM card on a line of its own "
		    "(kind SIM)"), u->iccid);
	if (device && (strcmp(u->kind, "smartphone") == 0 ||
	    strcmp(u->kind, "4g-router") == 0) && u->nimei == 0 &&
	    v[CSV_IMEI] == NULL && v[CSV_IMEI2] == NULL)
		csv_errorf(m, u, CSV_IMEI, "", _("a %s needs its IMEI (15 "
		    "digits, on the box or shown by dialling *#06#)"),
		    u->kind);
	if (device && u->serial == NULL && v[CSV_SERIAL] == NULL) {
		/* A phone's manifest often gives its IMEI alone. */
		if (u->nimei > 0)
			u->serial = xstrdup(u->imei[0]);
		else if (v[CSV_IMEI] == NULL && v[CSV_IMEI2] == NULL)
			csv_errorf(m, u, CSV_SERIAL, "", _("the serial number "
			    "is empty: a %s needs it"), u->kind);
	}
	if (!device) {
		if (u->iccid == NULL && v[CSV_ICCID] == NULL) {
			if (u->serial != NULL && csv_iccid(u->serial, iccid,
			    NULL) == 0)
				u->iccid = xstrdup(iccid);
			else
				csv_errorf(m, u, CSV_ICCID, "", _("a SIM card "
				    "needs its ICCID (19 or 20 digits starting "
				    "with 89)"));
		}
		free(u->serial);
		u->serial = NULL;
		u->nimei = 0;
		if (u->operator == NULL && u->brand != NULL)
			u->operator = xstrdup(u->brand);
		if (u->operator == NULL && v[CSV_OPERATOR] == NULL &&
		    v[CSV_BRAND] == NULL)
			csv_errorf(m, u, CSV_OPERATOR, "", _("a SIM card needs "
			    "its operator (a column Opérateur)"));
	}
}

/* An identifier of a unit, for finding duplicates. */
struct csv_key {
	const char	*key;
	int		 field;
	size_t		 unit;
};

static int
csv_key_cmp(const void *a, const void *b)
{
	const struct csv_key *x = a, *y = b;
	int c;

	if (x->field != y->field)
		return (x->field < y->field ? -1 : 1);
	if ((c = strcmp(x->key, y->key)) != 0)
		return (c);
	return (x->unit < y->unit ? -1 : x->unit > y->unit);
}

/*
 * Serials, IMEIs and ICCIDs given on two lines: the later line repeats
 * the first (sorted, so that 10,000 lines take no time).
 */
static void
csv_duplicates(struct csv_manifest *m)
{
	char shown[CSV_SHOWN], *msg;
	struct csv_key *keys;
	struct csv_unit *u, *first;
	size_t n = 0, i, j;
	int k, f;

	keys = xcalloc(m->nunits * 4 + 1, sizeof *keys);
	for (i = 0; i < m->nunits; i++) {
		u = &m->units[i];
		if (u->bad)
			continue;
		if (u->serial != NULL)
			keys[n++] = (struct csv_key){ u->serial, CSV_SERIAL,
			    i };
		for (k = 0; k < u->nimei; k++)
			keys[n++] = (struct csv_key){ u->imei[k], CSV_IMEI,
			    i };
		if (u->iccid != NULL)
			keys[n++] = (struct csv_key){ u->iccid, CSV_ICCID,
			    i };
	}
	qsort(keys, n, sizeof *keys, csv_key_cmp);
	for (i = 0; i < n; i = j) {
		first = &m->units[keys[i].unit];
		for (j = i + 1; j < n && keys[j].field == keys[i].field &&
		    strcmp(keys[j].key, keys[i].key) == 0; j++) {
			u = &m->units[keys[j].unit];
			if (u == first || u->dup_line != 0)
				continue;
			u->dup_line = first->line;
			u->dup_field = keys[j].field;
			f = keys[j].field;
			if (f == CSV_IMEI && m->column[f] < 0)
				f = CSV_IMEI2;
			if (keys[j].field == CSV_SERIAL)
				xasprintf(&msg, _("serial %s is also on line "
				    "%zu"), SHOWN(keys[j].key), first->line);
			else if (keys[j].field == CSV_IMEI)
				xasprintf(&msg, _("IMEI %s is also on line "
				    "%zu"), keys[j].key, first->line);
			else
				xasprintf(&msg, _("ICCID %s is also on line "
				    "%zu"), keys[j].key, first->line);
			csv_error_add(m, u->line, m->column[f] >= 0 ?
			    m->names[m->column[f]] : NULL, keys[j].key, msg);
		}
	}
	free(keys);
}

int
csv_manifest(const void *data, size_t len, struct csv_manifest **out,
    char **cause)
{
	struct csv_manifest *m;
	struct csv_table *t;
	size_t i;

	*out = NULL;
	if (csv_read(data, len, &t, cause) != 0)
		return (-1);
	m = xcalloc(1, sizeof *m);
	m->table = t;
	if (csv_manifest_header(m, cause) != 0) {
		csv_manifest_free(m);
		return (-1);
	}
	for (i = 0; i < t->nrecords; i++) {
		if (t->records[i].line <= m->header_line)
			continue;
		if (m->nunits == CSV_LINES_MAX) {
			csv_fail(cause, _("the manifest has more than %d "
			    "lines: split it into several files"),
			    CSV_LINES_MAX);
			csv_manifest_free(m);
			return (-1);
		}
		csv_manifest_line(m, &t->records[i]);
	}
	if (m->nunits == 0) {
		csv_fail(cause, _("the manifest has a header but no unit: "
		    "nothing to import"));
		csv_manifest_free(m);
		return (-1);
	}
	csv_duplicates(m);
	csv_manifest_sort(m);
	*out = m;
	return (0);
}

void
csv_manifest_free(struct csv_manifest *m)
{
	struct csv_unit *u;
	size_t i, k;

	if (m == NULL)
		return;
	for (i = 0; i < m->nunits; i++) {
		u = &m->units[i];
		free(u->brand);
		free(u->model);
		free(u->serial);
		free(u->iccid);
		free(u->operator);
		free(u->cpu);
		free(u->os);
		free(u->erasure);
		for (k = 0; k < m->nnotes; k++)
			free(u->notes[k]);
		free(u->notes);
	}
	free(m->units);
	for (i = 0; i < m->nerrors; i++) {
		free(m->errors[i].value);
		free(m->errors[i].message);
	}
	free(m->errors);
	for (i = 0; i < m->nnotes; i++)
		free(m->note_names[i]);
	free(m->note_names);
	free(m->note_columns);
	free(m->names);
	csv_table_free(m->table);
	free(m);
}
