/*
 * Unit tests for shared/csv.c: reading CSV as spreadsheets export it
 * (separators, BOM, quoting, Windows-1252), header and value matching in
 * French and English, manifests with each kind of bad line, and a crude
 * fuzz pass that any byte sequence survives.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "tag.h"
#include "tap.h"
#include "xmalloc.h"

static void	 imei_make(char *, const char *);
static struct csv_table *table(const char *, size_t);
static void	 refused_read(const char *, size_t, const char *,
		    const char *);
static struct csv_manifest *manifest(const char *);
static const struct csv_error *error_on(const struct csv_manifest *, size_t,
		    const char *);
static void	 test_read(void);
static void	 test_cp1252(void);
static void	 test_fold(void);
static void	 test_values(void);
static void	 test_manifest(void);
static void	 test_manifest_bad(void);
static void	 test_manifest_refused(void);
static void	 test_big(void);
static void	 test_fuzz(void);
static uint64_t	 lcg(uint64_t *);

/* A valid IMEI from 14 digits (Luhn digit appended). */
static void
imei_make(char *out, const char *body)
{
	snprintf(out, 16, "%s%d", body, luhn_digit(body));
}

/* Read a text that must be CSV. */
static struct csv_table *
table(const char *s, size_t len)
{
	struct csv_table *t;
	char *cause = NULL;

	if (csv_read(s, len, &t, &cause) != 0) {
		printf("# csv_read: %s\n", cause);
		free(cause);
		return (NULL);
	}
	return (t);
}

/* Bytes that are not CSV are refused with a sentence saying so. */
static void
refused_read(const char *s, size_t len, const char *phrase, const char *name)
{
	struct csv_table *t = NULL;
	char *cause = NULL;
	int rv;

	rv = csv_read(s, len, &t, &cause);
	ok(rv == -1 && t == NULL && cause != NULL && strstr(cause, phrase) !=
	    NULL, "%s refused", name);
	if (cause != NULL)
		printf("#   cause: %s\n", cause);
	free(cause);
	csv_table_free(t);
}

/* Read a manifest that must be readable as a whole. */
static struct csv_manifest *
manifest(const char *s)
{
	struct csv_manifest *m;
	char *cause = NULL;

	if (csv_manifest(s, strlen(s), &m, &cause) != 0) {
		printf("# csv_manifest: %s\n", cause);
		free(cause);
		return (NULL);
	}
	return (m);
}

/* The error on this line whose message holds phrase, or NULL. */
static const struct csv_error *
error_on(const struct csv_manifest *m, size_t line, const char *phrase)
{
	size_t i;

	for (i = 0; m != NULL && i < m->nerrors; i++)
		if (m->errors[i].line == line &&
		    strstr(m->errors[i].message, phrase) != NULL)
			return (&m->errors[i]);
	printf("#   no error on line %zu with \"%s\"\n", line, phrase);
	return (NULL);
}

static void
test_read(void)
{
	struct csv_table *t;
	const char *s;

	t = table("a,b,c\n1,2,3\n", 12);
	ok(t != NULL && t->sep == ',' && t->nrecords == 2 &&
	    t->records[1].nfields == 3 && strcmp(t->records[1].fields[2],
	    "3") == 0, "comma-separated");
	csv_table_free(t);

	s = "\xef\xbb\xbfType;Prix HT\r\nPortable;\"189,90\"\r\n";
	t = table(s, strlen(s));
	ok(t != NULL && t->sep == ';' && t->bom && !t->cp1252 &&
	    strcmp(t->records[0].fields[0], "Type") == 0 &&
	    strcmp(t->records[1].fields[1], "189,90") == 0,
	    "semicolons, BOM and CRLF, a decimal comma in quotes");
	csv_table_free(t);

	s = "a;b;c\n\"x;y\";\"deux\nlignes\";\"il dit \"\"oui\"\"\"\nz;;\n";
	t = table(s, strlen(s));
	ok(t != NULL && t->nrecords == 3, "a quoted line break does not end "
	    "the record");
	ok(t != NULL && strcmp(t->records[1].fields[0], "x;y") == 0 &&
	    strcmp(t->records[1].fields[1], "deux\nlignes") == 0 &&
	    strcmp(t->records[1].fields[2], "il dit \"oui\"") == 0,
	    "separator, line break and doubled quotes inside quotes");
	ok(t != NULL && t->records[2].line == 3 && t->records[2].nfields ==
	    3 && *t->records[2].fields[2] == '\0', "line numbers are rows; "
	    "empty trailing fields kept");
	csv_table_free(t);

	s = "a,b\r1,2\r3,4";
	t = table(s, strlen(s));
	ok(t != NULL && t->nrecords == 3 && strcmp(t->records[2].fields[1],
	    "4") == 0, "old Mac line endings, no final line break");
	csv_table_free(t);

	s = "Écran 15\" mat,b\n\"a\"b,c\n";
	t = table(s, strlen(s));
	ok(t != NULL && strcmp(t->records[0].fields[0], "Écran 15\" mat") ==
	    0 && strcmp(t->records[1].fields[0], "ab") == 0,
	    "stray quotes kept as spreadsheets do");
	csv_table_free(t);

	s = "Bon de livraison BL-42\nType\tMarque\tN° de série\n";
	t = table(s, strlen(s));
	ok(t != NULL && t->sep == '\t', "tab-separated after a title line");
	csv_table_free(t);

	refused_read("", 0, "empty", "an empty file");
	refused_read(" \r\n\n", 4, "empty", "blank lines");
	refused_read("a;b\n\"open;x\n", 12, "line 2: a quoted value is not "
	    "closed", "an unclosed quote");
	refused_read("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "NUL byte",
	    "a PNG image");
	refused_read("PK\003\004\024\0\0\0", 8, "spreadsheet file",
	    "an .xlsx file");
	refused_read("\xff\xfeT\0y\0", 6, "UTF-16", "UTF-16");
	refused_read("a;b\nc\001;d\n", 9, "line 2 holds a control character",
	    "a control character");
	refused_read("a;b\n\x81\x8d\x8f;x\n", 10, "neither UTF-8 nor "
	    "Windows-1252", "bytes that mean nothing in Windows-1252");
}

static void
test_cp1252(void)
{
	struct csv_table *t;
	/* "Modèle;N° de série;Prix HT\r\nLatitude € 5490;Œ1;189,90" */
	const char s[] = "Mod\xe8le;N\xb0 de s\xe9rie;Prix HT\r\n"
	    "Latitude \x80 5490;\x8c" "1;189,90\r\n";

	t = table(s, sizeof s - 1);
	ok(t != NULL && t->cp1252 && t->sep == ';', "Windows-1252 detected");
	ok(t != NULL && strcmp(t->records[0].fields[0], "Modèle") == 0 &&
	    strcmp(t->records[0].fields[1], "N° de série") == 0 &&
	    strcmp(t->records[1].fields[0], "Latitude € 5490") == 0 &&
	    strcmp(t->records[1].fields[1], "Œ1") == 0,
	    "converted to UTF-8 (accents, degree, euro, OE)");
	csv_table_free(t);
}

static void
test_fold(void)
{
	static const struct {
		const char *header;
		int field;
	} h[] = {
		{ "N° de série", CSV_SERIAL },
		{ "Numéro de série", CSV_SERIAL },
		{ "serial", CSV_SERIAL }, { "Serial Number", CSV_SERIAL },
		{ "S/N", CSV_SERIAL }, { "IMEI", CSV_IMEI },
		{ "IMEI 2", CSV_IMEI2 }, { "ICCID", CSV_ICCID },
		{ "Marque", CSV_BRAND }, { "brand", CSV_BRAND },
		{ "Modèle", CSV_MODEL }, { "MODELE", CSV_MODEL },
		{ "model", CSV_MODEL }, { "Type", CSV_KIND },
		{ "kind", CSV_KIND }, { "RAM (Go)", CSV_RAM },
		{ "Stockage (Go)", CSV_STORAGE }, { "Grade", CSV_GRADE },
		{ "Prix HT", CSV_COST }, { "Prix HT (€)", CSV_COST },
		{ "cost", CSV_COST }, { "Garantie jusqu'au", CSV_WARRANTY },
		{ "Garantie jusqu’au", CSV_WARRANTY },
		{ "warranty", CSV_WARRANTY },
		{ "Certificat d'effacement", CSV_ERASURE },
		{ "erasure", CSV_ERASURE }, { "Opérateur", CSV_OPERATOR },
		{ "  Écran (pouces) ", CSV_SCREEN },
		{ "Système d'exploitation", CSV_OS },
		{ "Commentaire", -1 }, { "", -1 }, { "Œuvre", -1 },
		{ NULL, 0 }
	};
	char out[64];
	int i;

	csv_fold("N° de Série", out, sizeof out);
	is_str(out, "ndeserie", "folding drops case, accents and symbols");
	csv_fold("Œuf ÆSOP ß", out, sizeof out);
	is_str(out, "oeufaesopss", "ligatures folded");
	csv_fold("abcdefgh", out, 4);
	is_str(out, "abc", "folding stops at the buffer's end");
	for (i = 0; h[i].header != NULL; i++)
		ok(csv_header(h[i].header) == h[i].field, "header \"%s\" %s %s",
		    h[i].header, h[i].field < 0 ? "is" : "gives",
		    h[i].field < 0 ? "unknown" : csv_field_name(h[i].field));
}

static void
test_values(void)
{
	static const struct {
		const char *in, *kind;
	} k[] = {
		{ "Portable", "laptop" }, { "laptop", "laptop" },
		{ "Ordinateur portable", "laptop" }, { "Fixe", "desktop" },
		{ "desktop", "desktop" }, { "Unité centrale", "desktop" },
		{ "Tablette", "tablet" }, { "tablet", "tablet" },
		{ "Smartphone", "smartphone" }, { "SMARTPHONE", "smartphone" },
		{ "Box 4G", "4g-router" }, { "4g-router", "4g-router" },
		{ "Carte SIM", "sim" }, { "SIM", "sim" }, { NULL, NULL }
	};
	const char *kind;
	char *cause, out[64], imei[2][16], one[16], two[16];
	double d;
	long long gb;
	int i, n;

	for (i = 0; k[i].in != NULL; i++) {
		kind = NULL;
		ok(csv_kind(k[i].in, &kind, NULL) == 0 && kind != NULL &&
		    strcmp(kind, k[i].kind) == 0, "kind %s is %s", k[i].in,
		    k[i].kind);
	}
	cause = NULL;
	ok(csv_kind("Imprimante", &kind, &cause) == -1 && cause != NULL &&
	    strstr(cause, "\"Imprimante\" is not known") != NULL,
	    "unknown kind refused, named");
	free(cause);

	ok(csv_grade("A", out, NULL) == 0 && strcmp(out, "A") == 0, "grade A");
	ok(csv_grade("Grade B", out, NULL) == 0 && strcmp(out, "B") == 0,
	    "grade \"Grade B\"");
	ok(csv_grade("grade : c", out, NULL) == 0 && strcmp(out, "C") == 0,
	    "grade \"grade : c\"");
	ok(csv_grade("A+", out, NULL) == -1, "grade A+ refused");
	ok(csv_grade("D", out, NULL) == -1, "grade D refused");

	ok(csv_date("02/11/2027", out, NULL) == 0 && strcmp(out,
	    "2027-11-02") == 0, "dd/mm/yyyy");
	ok(csv_date("2/1/2027", out, NULL) == 0 && strcmp(out,
	    "2027-01-02") == 0, "d/m/yyyy");
	ok(csv_date("2027-11-02", out, NULL) == 0 && strcmp(out,
	    "2027-11-02") == 0, "ISO");
	ok(csv_date("02/11/2027 00:00", out, NULL) == 0 && strcmp(out,
	    "2027-11-02") == 0, "a spreadsheet's time of day ignored");
	ok(csv_date("02.11.2027", out, NULL) == 0, "dd.mm.yyyy");
	cause = NULL;
	ok(csv_date("31/02/2027", out, &cause) == -1 && strstr(cause,
	    "31/02/2027") != NULL, "31 February refused");
	free(cause);
	cause = NULL;
	ok(csv_date("11/25/2027", out, &cause) == -1 && strstr(cause,
	    "day/month/year") != NULL, "a US date gets a hint");
	free(cause);
	cause = NULL;
	ok(csv_date("02/11/27", out, &cause) == -1 && strstr(cause,
	    "4 digits") != NULL, "two-digit year refused");
	free(cause);
	ok(csv_date("fin 2027", out, NULL) == -1, "words refused");
	ok(csv_date("2027-11-02x", out, NULL) == -1, "trailing text refused");

	ok(csv_decimal("15,6", &d, NULL) == 0 && d > 15.59 && d < 15.61,
	    "decimal comma");
	ok(csv_decimal("13.3", &d, NULL) == 0 && d > 13.29 && d < 13.31,
	    "decimal point");
	ok(csv_decimal("15,6\"", &d, NULL) == 0 && csv_decimal("13,3 pouces",
	    &d, NULL) == 0, "inches written after the number");
	ok(csv_decimal("quinze", &d, NULL) == -1 && csv_decimal("-3", &d,
	    NULL) == -1 && csv_decimal("150", &d, NULL) == -1,
	    "not a screen size");

	ok(csv_gigabytes("8", 4096, &gb, NULL) == 0 && gb == 8, "8");
	ok(csv_gigabytes("8 Go", 4096, &gb, NULL) == 0 && gb == 8, "8 Go");
	ok(csv_gigabytes("256GB", 65536, &gb, NULL) == 0 && gb == 256,
	    "256GB");
	ok(csv_gigabytes("1 To", 65536, &gb, NULL) == 0 && gb == 1024,
	    "1 To");
	ok(csv_gigabytes("1,5 To", 65536, &gb, NULL) == 0 && gb == 1536,
	    "1,5 To");
	ok(csv_gigabytes("0,5", 4096, &gb, NULL) == -1, "half a GB refused");
	ok(csv_gigabytes("512 Mo", 4096, &gb, NULL) == -1, "Mo refused");
	ok(csv_gigabytes("9000", 4096, &gb, NULL) == -1, "above the maximum");

	imei_make(one, "35209900176148");
	imei_make(two, "35209900176149");
	ok(csv_imeis(one, imei, &n, NULL) == 0 && n == 1 && strcmp(imei[0],
	    one) == 0, "one IMEI");
	snprintf(out, sizeof out, "%s / %s", one, two);
	ok(csv_imeis(out, imei, &n, NULL) == 0 && n == 2 && strcmp(imei[1],
	    two) == 0, "two IMEIs in one cell");
	ok(csv_imeis("35 209900 176148 1", imei, &n, NULL) == 0 ||
	    one[14] != '1', "spaces inside an IMEI taken out");
	cause = NULL;
	ok(csv_imeis("3.52099E+14", imei, &n, &cause) == -1 && strstr(cause,
	    "scientific notation") != NULL, "Excel's scientific notation "
	    "explained");
	free(cause);
	cause = NULL;
	ok(csv_imeis("359876543210986", imei, &n, &cause) == -1 &&
	    strstr(cause, "check digit") != NULL, "bad check digit");
	free(cause);
	snprintf(out, sizeof out, "%s/%s", one, one);
	ok(csv_imeis(out, imei, &n, NULL) == -1, "the same IMEI twice");
	ok(csv_iccid("8933 0123 4567 8901 2342", out, NULL) == 0 &&
	    strcmp(out, "89330123456789012342") == 0, "ICCID with spaces");
	ok(csv_iccid("89330123456789012343", out, NULL) == -1,
	    "ICCID check digit");
}

static void
test_manifest(void)
{
	struct csv_manifest *m;
	struct csv_unit *u;
	char *s, one[16], two[16];

	imei_make(one, "35209900176148");
	imei_make(two, "35209900176149");
	xasprintf(&s, "\xef\xbb\xbf"
	    "Bon de livraison BL-2026-0042;;;;;;;;;;\r\n"
	    "Type;Marque;Modèle;N° de série;IMEI;RAM (Go);Stockage (Go);"
	    "Grade;Prix HT;Garantie jusqu'au;Commentaire\r\n"
	    "Portable;Lenovo;ThinkPad T480;PF0ABC1;;8;256 Go;Grade A;"
	    "\"189,90\";02/11/2027;\"écran; rayé\nléger\"\r\n"
	    ";;;;;;;;;;\r\n"
	    "Smartphone;Samsung;Galaxy A52;;\"%s / %s\";6;128;B;149,00;"
	    "2027-11-02;\r\n"
	    "Carte SIM;Orange;;;;;;;;;\r\n"
	    "Tablette;Apple;iPad 8;DMPXK0;;3;32;C;1 234,50 €;;\r\n",
	    one, two);
	m = manifest(s);
	free(s);
	ok(m != NULL, "a French manifest is read");
	if (m == NULL)
		return;
	ok(m->header_line == 2 && m->table->bom && m->table->sep == ';',
	    "header found after a title line");
	ok(m->nunits == 4, "4 units, the empty line skipped");
	ok(m->nnotes == 1 && strcmp(m->note_names[0], "Commentaire") == 0,
	    "an unknown column is kept as a note");
	u = &m->units[0];
	ok(u->line == 3 && strcmp(u->kind, "laptop") == 0 &&
	    strcmp(u->brand, "Lenovo") == 0 && strcmp(u->model,
	    "ThinkPad T480") == 0 && strcmp(u->serial, "PF0ABC1") == 0 &&
	    u->ram_gb == 8 && u->storage_gb == 256 && strcmp(u->grade, "A") ==
	    0 && u->cost_cents == 18990 && strcmp(u->warranty,
	    "2027-11-02") == 0 && !u->bad, "a laptop line read");
	ok(strcmp(u->notes[0], "écran; rayé\nléger") == 0,
	    "its note keeps the separator and line break");
	u = &m->units[1];
	ok(u->line == 5 && strcmp(u->kind, "smartphone") == 0 &&
	    u->nimei == 2 && strcmp(u->imei[0], one) == 0 &&
	    strcmp(u->serial, one) == 0 && u->notes[0] == NULL,
	    "a phone with two IMEIs and no serial takes its first IMEI");
	u = &m->units[2];
	ok(u->bad && error_on(m, 6, "ICCID") != NULL, "a SIM line without "
	    "ICCID is bad");
	u = &m->units[3];
	ok(u->line == 7 && u->cost_cents == 123450 && !u->bad,
	    "an amount with a thousands space and the euro sign");
	ok(m->nerrors == 1, "one error in all");
	csv_manifest_free(m);
}

static void
test_manifest_bad(void)
{
	struct csv_manifest *m;
	const struct csv_error *e;
	char *s, good[16];

	imei_make(good, "49015420323751");
	xasprintf(&s, "type,brand,model,serial,imei,iccid,grade,cost,"
	    "warranty,operator\n"
	    "laptop,Dell,Latitude 5490,SN1,,,A,189.90,2027-11-02,\n"
	    "smartphone,Samsung,A52,SN2,359876543210986,,B,100,,\n"
	    "printer,HP,,SN3,,,,,,\n"
	    "laptop,Dell,Latitude 5490,SN1,,,A,189.90,,\n"
	    "laptop,Dell,,SN4,,,A,cent euros,,\n"
	    "laptop,Dell,,SN5,,,A,,31/13/2027,\n"
	    "smartphone,Apple,iPhone,,,,A,,,\n"
	    "sim,,,,,89330123456789012342,,,,Orange\n"
	    "sim,,,,,89330123456789012342,,,,Orange\n"
	    "laptop,Dell,,SN6,,,E,,,\n"
	    "smartphone,Samsung,A52,SN7,%s,,B,,,\n"
	    "smartphone,Samsung,A52,SN8,%s,,B,,,\n"
	    "laptop,Dell,,,,,,,,\n"
	    "laptop,Dell,,SN9,,89330123456789012342,,,,\n",
	    good, good);
	m = manifest(s);
	free(s);
	ok(m != NULL && m->nunits == 14, "a manifest with bad lines is read");
	if (m == NULL)
		return;
	ok(!m->units[0].bad && m->units[0].dup_line == 0, "line 2 is good");
	e = error_on(m, 3, "check digit");
	ok(e != NULL && strcmp(e->column, "imei") == 0 && strcmp(e->value,
	    "359876543210986") == 0, "line 3: bad IMEI check digit, column "
	    "and value");
	e = error_on(m, 4, "\"printer\" is not known");
	ok(e != NULL && strcmp(e->column, "type") == 0, "line 4: unknown "
	    "kind");
	e = error_on(m, 5, "serial SN1 is also on line 2");
	ok(e != NULL && strcmp(e->column, "serial") == 0 &&
	    m->units[3].dup_line == 2 && m->units[3].dup_field == CSV_SERIAL &&
	    !m->units[3].bad,
	    "line 5: duplicate serial in the file");
	ok(error_on(m, 6, "cent euros") != NULL, "line 6: unreadable amount");
	ok(error_on(m, 7, "31/13/2027") != NULL, "line 7: unreadable date");
	ok(error_on(m, 8, "needs its IMEI") != NULL, "line 8: a phone "
	    "without IMEI");
	ok(error_on(m, 10, "ICCID 89330123456789012342 is also on line 9") !=
	    NULL, "line 10: duplicate ICCID");
	ok(error_on(m, 11, "grade \"E\"") != NULL, "line 11: bad grade");
	ok(error_on(m, 13, "is also on line 12") != NULL &&
	    m->units[11].dup_line == 12, "line 13: duplicate IMEI");
	ok(error_on(m, 14, "serial number is empty") != NULL,
	    "line 14: no serial");
	ok(error_on(m, 15, "only SIM cards") != NULL, "line 15: an ICCID on "
	    "a laptop");
	ok(m->errors[0].line == 3 && m->errors[m->nerrors - 1].line == 15,
	    "errors sorted by line");
	csv_manifest_error(m, 2, CSV_SERIAL, "SN1", "serial SN1 is already "
	    "registered (D-0000001-H)");
	csv_manifest_sort(m);
	ok(m->errors[0].line == 2 && strcmp(m->errors[0].column, "serial") ==
	    0, "an error from the store is put in its place");
	csv_manifest_free(m);
}

static void
test_manifest_refused(void)
{
	static const struct {
		const char *text, *phrase, *name;
	} r[] = {
		{ "a;b;c\n1;2;3\n", "no header line", "no known column" },
		{ "Marque;N° de série\nDell;SN1\n", "kind of each unit",
		    "no kind column" },
		{ "Type;Marque;Modèle\nPortable;Dell;X\n", "identifies the "
		    "units", "no identifier column" },
		{ "Type;N° de série;Serial\nPortable;A;A\n", "both give the "
		    "serial", "two serial columns" },
		{ "Type;N° de série\n;;\n", "no unit", "a header alone" },
		{ NULL, NULL, NULL }
	};
	struct csv_manifest *m;
	char *cause;
	int i, rv;

	for (i = 0; r[i].text != NULL; i++) {
		m = NULL;
		cause = NULL;
		rv = csv_manifest(r[i].text, strlen(r[i].text), &m, &cause);
		ok(rv == -1 && m == NULL && cause != NULL && strstr(cause,
		    r[i].phrase) != NULL, "refused: %s", r[i].name);
		if (cause != NULL)
			printf("#   cause: %s\n", cause);
		free(cause);
	}
	m = manifest("Type;N° de série;Remarque\nPortable;A;x;surplus\n");
	ok(m != NULL && error_on(m, 2, "no name in the header") != NULL,
	    "a value beyond the named columns");
	csv_manifest_free(m);
}

/* 10,000 lines with duplicates at the end: read, and duplicates found. */
static void
test_big(void)
{
	struct csv_manifest *m;
	FILE *f;
	char *s;
	size_t len;
	int i;

	f = open_memstream(&s, &len);
	fprintf(f, "Type;Marque;Modèle;N° de série;Prix HT\n");
	for (i = 0; i < 10000; i++)
		fprintf(f, "Portable;Lenovo;T480;PF%07d;189,90\n", i);
	fprintf(f, "Portable;Lenovo;T480;PF%07d;189,90\n", 17);
	fclose(f);
	m = manifest(s);
	free(s);
	ok(m != NULL && m->nunits == 10001 && m->nerrors == 1 &&
	    m->units[10000].dup_line == 19, "10,000 lines and a duplicate");
	csv_manifest_free(m);
}

static uint64_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (*x >> 33);
}

/* Random bytes, and every prefix of a good file: no crash, no leak. */
static void
test_fuzz(void)
{
	static const char good[] = "Type;Marque;N° de série;IMEI;Prix HT;"
	    "Garantie\n\"Portable\";\"Del\"\"l\";SN1;;\"1 234,5\";02/11/2027"
	    "\nSmartphone;S;;490154203237518 / 35209900176148;3;2027-01-01\n"
	    "SIM;Orange;89330123456789012342;;;\n";
	static const char alphabet[] = ";,\t\"\r\n aZ09\xc3\xa9\x80\xe9/-.E+";
	struct csv_manifest *m;
	char buf[512], *cause;
	uint64_t x = 42;
	size_t i, n, len;
	int survived = 1;

	for (i = 0; i < 20000; i++) {
		len = lcg(&x) % sizeof buf;
		for (n = 0; n < len; n++)
			buf[n] = (i % 2) ? (char)lcg(&x) :
			    alphabet[lcg(&x) % (sizeof alphabet - 1)];
		cause = NULL;
		m = NULL;
		if (csv_manifest(buf, len, &m, &cause) == 0)
			csv_manifest_free(m);
		else if (cause == NULL)
			survived = 0;
		free(cause);
	}
	for (len = 0; len <= sizeof good - 1; len++) {
		cause = NULL;
		m = NULL;
		if (csv_manifest(good, len, &m, &cause) == 0)
			csv_manifest_free(m);
		free(cause);
	}
	ok(survived, "random bytes and every prefix of a manifest survived, "
	    "each refusal with a cause");
}

int
main(void)
{
	test_read();
	test_cp1252();
	test_fold();
	test_values();
	test_manifest();
	test_manifest_bad();
	test_manifest_refused();
	test_big();
	test_fuzz();
	return (tap_done());
}
