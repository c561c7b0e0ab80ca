/*
 * Label templates and rendering (daemon/label.c) without a daemon: every
 * template of labels/ parses; each mistake in a template is refused with
 * its line and what is wrong; labels render to PDF, PNG and ZPL, the PDF
 * byte for byte the same twice; and a label that would not scan back (a
 * QR box too small for the printer's resolution, text printed over the
 * code) is refused instead of rendered.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstockd.h"
#include "tap.h"

#define FONT_DIR	"/usr/share/fonts/truetype/dejavu/"

static const char *const names[] = {
	"device", "sim", "kit", "location", "convocation", "a4-l7160", NULL
};

static char *slurp(const char *, size_t *);
static int render(const char *, const char *, enum label_format, int,
    char **, size_t *, char **);
static void bad(const char *, const char *, const char *);
static void store_part(void);

/* A whole file, NUL-terminated, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc(n + 1);
	*len = fread(buf, 1, n, f);
	buf[*len] = '\0';
	fclose(f);
	return (buf);
}

/* Render one record with a template given as text. */
static int
render(const char *text, const char *record, enum label_format fmt, int dpi,
    char **out, size_t *len, char **cause)
{
	const struct label_tpl *tpls[1];
	struct label_tpl *t;
	json_t *recs;
	int rc;

	if ((t = label_tpl_parse("t", text, cause)) == NULL)
		return (-2);
	tpls[0] = t;
	recs = json_pack("[o]", json_loads(record, 0, NULL));
	rc = label_render(tpls, recs, fmt, dpi, out, len, cause);
	json_decref(recs);
	label_tpl_free(t);
	return (rc);
}

/* A template refused with a sentence matching want. */
static void
bad(const char *text, const char *want, const char *name)
{
	struct label_tpl *t;
	char *cause = NULL;

	t = label_tpl_parse("t", text, &cause);
	ok(t == NULL && cause != NULL && strstr(cause, want) != NULL,
	    "refused: %s", name);
	if (cause != NULL && strstr(cause, want) == NULL)
		printf("#   got \"%s\", want \"%s\"\n", cause, want);
	label_tpl_free(t);
	free(cause);
}

#define HEAD "title T\nsize 62 29\nfor D\n"

/*
 * Pre-printed tags in the store: reserved numbers are skipped by the next
 * unit, a tag is bound once, a reserved tag has a label record.
 */
static void
store_part(void)
{
	struct actor a = { "test", "unit", NULL };
	char dir[] = "/tmp/kitstock-test-label.XXXXXX", *path, *cause;
	json_t *tags, *rec, *res;
	enum store_status st;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	xasprintf(&path, "%s/db", dir);
	ok(store_open(path, &cause) == 0, "a fresh database");
	ok(store_next_id("device") == 1, "the first device would be 1");
	store_begin();
	st = store_label_reserve(&a, 'D', 3, &tags);
	store_commit();
	ok(st == STORE_OK && json_array_size(tags) == 3, "3 device tags "
	    "reserved");
	is_str(json_string_value(json_array_get(tags, 0)), "D-0000001-Z",
	    "the first is D-0000001-Z");
	json_decref(tags);
	ok(store_next_id("device") == 4, "the next device is 4: reserved "
	    "numbers are skipped");
	ok(store_next_id("sim") == 1, "other letters are not affected");
	ok(store_label_record("D-0000002-X", &rec) == STORE_OK &&
	    json_object_size(rec) == 1, "a reserved tag's label has its tag "
	    "alone");
	json_decref(rec);
	store_begin();
	st = store_label_bind(&a, "D-0000002-X", "serial PF0ABC1");
	store_commit();
	ok(st == STORE_OK, "a reserved tag is bound");
	ok(store_label_reservation("D-0000002-X", &res) == STORE_OK &&
	    json_is_string(json_object_get(res, "bound_at")), "bound_at is "
	    "set");
	is_str(json_string_value(json_object_get(res, "bound_by")),
	    "serial PF0ABC1", "bound_by says to what");
	json_decref(res);
	store_begin();
	ok(store_label_bind(&a, "D-0000002-X", "serial X") == STORE_CONFLICT,
	    "a tag is bound only once");
	ok(store_label_bind(&a, "D-0000009-M", "serial X") == STORE_NOTFOUND,
	    "a tag never reserved cannot be bound");
	store_rollback();
	ok(store_label_record("D-0000002-X", &rec) == STORE_NOTFOUND,
	    "a bound tag's label comes from its unit, not the reservation");
	store_close();
	unlink(path);
	xasprintf(&cause, "%s/db-wal", dir);
	unlink(cause);
	free(cause);
	xasprintf(&cause, "%s/db-shm", dir);
	unlink(cause);
	free(cause);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const char *dev = "{\"tag\":\"D-0000001-2\",\"kind\":\"laptop\","
	    "\"brand\":\"Lenovo\",\"model\":\"T480\",\"ram_gb\":8,"
	    "\"storage_gb\":256,\"grade\":\"A\"}";
	struct label_tpl *t;
	const char *tpl;
	char *text, *path, *reg, *bold, *cause, *a, *b;
	size_t len, alen, blen;
	int i, rc;

	reg = slurp(FONT_DIR "DejaVuSans.ttf", &alen);
	bold = slurp(FONT_DIR "DejaVuSans-Bold.ttf", &blen);
	ok(reg != NULL && bold != NULL, "fonts-dejavu-core is installed");
	if (reg == NULL || bold == NULL)
		return (tap_done());
	ok(label_fonts(reg, alen, bold, blen, &cause) == 0, "fonts load");
	free(reg);
	free(bold);
	ok(label_fonts("nope", 4, "nope", 4, &cause) == 0,
	    "fonts load once (a second call keeps them)");

	for (i = 0; names[i] != NULL; i++) {
		xasprintf(&path, "%s/%s.tpl", SRC_LABELDIR, names[i]);
		text = slurp(path, &len);
		cause = NULL;
		t = text != NULL ? label_tpl_parse(names[i], text, &cause) :
		    NULL;
		ok(t != NULL, "labels/%s.tpl parses%s%s", names[i],
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
		free(cause);
		label_tpl_free(t);
		free(text);
		free(path);
	}

	bad(HEAD "qr 2 2 23\ncolour red\n", "line 5: unknown keyword "
	    "\"colour\"", "unknown keyword, with its line");
	bad(HEAD "qr 2 2 23\ntext 26 3 30 9 bold {colour}\n",
	    "unknown field {colour}", "unknown field");
	bad(HEAD "qr 2 2 23\ntext 26 3 30 9 bold {tag\n", "without its",
	    "unclosed field");
	bad(HEAD "qr 50 2 23\n", "does not fit", "QR box outside the label");
	bad("size 62 29\nfor D\nqr 2 2 23\n", "no \"title\"", "no title");
	bad(HEAD "qr 2 2 23\ntext 26 3 40 9 bold {tag}\n", "does not fit",
	    "text wider than the label");
	bad(HEAD "qr 2 2 23\nec M\n", "expected auto, Q or H", "bad EC level");
	bad(HEAD "qr 2 2 23\ngrid 3 7\n", "a sheet needs all of",
	    "incomplete sheet");
	bad(HEAD "qr 2 2 2x\n", "\"qr\" takes 3 numbers", "not a number");
	bad("title T\nsize 62 29\nfor Q\nqr 2 2 23\n", "tag letters",
	    "unknown tag letter");
	bad(HEAD "default S\nqr 2 2 23\n", "not in \"for D\"",
	    "default for a letter the template does not print");
	bad(HEAD "qr 2 2 23\ntext 26 3 30 100 bold {tag}\n", "3 to 72",
	    "text size out of range");
	bad(HEAD "qr 2 2 23\ntext 26 3 30 9 bold caf\xe9\n", "not UTF-8",
	    "text that is not UTF-8 (Latin-1)");

	tpl = HEAD "qr 1.5 3 23\ntext 26 3 34 11 bold {tag}\n"
	    "text 26 9 34 7 normal {brand} {model?}\n";
	rc = render(tpl, dev, LABEL_PDF, 300, &a, &alen, &cause);
	ok(rc == 0 && alen > 1000 && memcmp(a, "%PDF", 4) == 0,
	    "a PDF label renders");
	rc = render(tpl, dev, LABEL_PDF, 300, &b, &blen, &cause);
	ok(rc == 0 && alen == blen && memcmp(a, b, alen) == 0,
	    "the same PDF twice, byte for byte (fixed creation date)");
	free(a);
	free(b);
	rc = render(tpl, dev, LABEL_PNG, 300, &a, &alen, &cause);
	ok(rc == 0 && alen > 8 && memcmp(a, "\x89PNG", 4) == 0,
	    "a PNG label renders");
	free(a);
	rc = render(tpl, dev, LABEL_ZPL, 203, &a, &alen, &cause);
	ok(rc == 0 && strncmp(a, "^XA\n^PW496\n^LL232\n", 18) == 0 &&
	    strstr(a, "^GFA,") != NULL && strstr(a, "^XZ\n") != NULL,
	    "a ZPL label renders: 62 x 29 mm at 8 dots/mm, one ^GFA bitmap");
	free(a);
	rc = render(tpl, dev, LABEL_ZPL, 300, &a, &alen, &cause);
	ok(rc == 0 && strncmp(a, "^XA\n^PW744\n^LL348\n", 18) == 0,
	    "at 300 dpi: 12 dots/mm");
	free(a);

	/* A 6 mm box: 29 modules of 0.21 mm, 2 dots at 300 dpi, 1 at 203. */
	tpl = HEAD "qr 2 2 6\ntext 26 3 34 11 bold {tag}\n";
	rc = render(tpl, dev, LABEL_ZPL, 300, &a, &alen, &cause);
	ok(rc == 0, "a 6 mm QR box prints at 300 dpi");
	free(a);
	cause = NULL;
	rc = render(tpl, dev, LABEL_ZPL, 203, &a, &alen, &cause);
	ok(rc == -1 && a == NULL && cause != NULL &&
	    strstr(cause, "1 dot(s) per module at 203 dpi") != NULL,
	    "a 6 mm QR box is refused at 203 dpi, with why");
	free(cause);
	cause = NULL;
	rc = render(tpl, dev, LABEL_PDF, 203, &a, &alen, &cause);
	ok(rc == -1 && cause != NULL, "and refused for a 203 dpi PDF too");
	free(cause);

	/* Text over the code: the label is decoded and refused. */
	tpl = HEAD "qr 1.5 3 23\ntext 1.5 10 60 30 bold {tag}\n";
	cause = NULL;
	rc = render(tpl, dev, LABEL_PNG, 300, &a, &alen, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "does not scan back") !=
	    NULL, "a label whose code is hidden by text does not scan back: "
	    "refused");
	if (rc == 0)
		free(a);
	free(cause);
	cause = NULL;
	rc = render(tpl, dev, LABEL_ZPL, 203, &a, &alen, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "D-0000001-2") != NULL,
	    "refused in ZPL too, naming the tag");
	if (rc == 0)
		free(a);
	free(cause);

	/* A line whose field is missing is left out; the label still is. */
	rc = render(HEAD "qr 1.5 3 23\ntext 26 3 34 7 normal {warranty_until}"
	    "\n", dev, LABEL_PNG, 300, &a, &alen, &cause);
	ok(rc == 0, "a line with a missing field is left out");
	free(a);
	label_fonts_free();
	store_part();
	return (tap_done());
}
