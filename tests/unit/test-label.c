/*
 * Label templates and rendering (daemon/label.c) without a daemon: every
 * template of labels/ parses; each mistake in a template is refused with
 * its line and what is wrong; labels render to PDF, PNG and ZPL, the PDF
 * byte for byte the same twice; and a label that would not scan back (a
 * QR box too small for the printer's resolution, text printed over the
 * code) is refused instead of rendered, also when labels of the same
 * geometry scanned back before it (only the first of a geometry is
 * decoded whole; the others are compared pixel by pixel with their code).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zbar.h>

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
static json_t *batch(int, int, const char *);
static int render_all(const char *, json_t *, enum label_format, int,
    char **);
static void check_part(void);
static char *zpl_scan(const char *, int *);
static void zpl_part(void);
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

/* n device records D-0000001.. ; record odd (1-based) gets model. */
static json_t *
batch(int n, int odd, const char *model)
{
	char tag[TAG_LEN + 1];
	json_t *recs = json_array(), *rec;
	int i;

	for (i = 1; i <= n; i++) {
		tag_make(tag, 'D', (unsigned long)i);
		rec = json_pack("{ss ss ss}", "tag", tag, "kind", "laptop",
		    "brand", "Lenovo");
		if (i == odd)
			json_object_set_new(rec, "model", json_string(model));
		json_array_append_new(recs, rec);
	}
	return (recs);
}

/* Render records with one template given as text: 0, or -1 and *cause. */
static int
render_all(const char *text, json_t *recs, enum label_format fmt, int dpi,
    char **cause)
{
	const struct label_tpl **tpls;
	struct label_tpl *t;
	char *out;
	size_t len, i;
	int rc;

	*cause = NULL;
	if ((t = label_tpl_parse("t", text, cause)) == NULL)
		return (-2);
	tpls = xcalloc(json_array_size(recs), sizeof *tpls);
	for (i = 0; i < json_array_size(recs); i++)
		tpls[i] = t;
	rc = label_render(tpls, recs, fmt, dpi, &out, &len, cause);
	if (rc == 0)
		free(out);
	else if (out != NULL)
		rc = -3;	/* bytes given out with a refusal */
	free(tpls);
	label_tpl_free(t);
	return (rc);
}

/*
 * The check that each label scans back: zbar decodes the first label of a
 * geometry (QR box, resolution, symbol size) whole; each later one is
 * compared pixel by pixel with its own code's matrix, and decoded whole
 * again if anything differs. A label corrupted after good ones of its
 * geometry is still refused.
 */
/*
 * Read one ^XA..^XZ label back as a printer does: ^PW and ^LL, then the
 * ^GFA bitmap in ZPL's ASCII compression (hex digits, G-Y and g-z repeat
 * counts, "," and "!" filling the row with 0 or 1 dots, ":" repeating
 * the row above). *bad counts the malformed rows; the QR code zbar reads
 * in the bitmap is returned (allocated), or NULL.
 */
static char *
zpl_scan(const char *zpl, int *bad)
{
	zbar_image_scanner_t *sc;
	zbar_image_t *zi;
	const zbar_symbol_t *sym;
	unsigned char *img, *row;
	const char *p;
	char *found = NULL;
	int w, h, total, bpr, y = 0, nib = 0, count = 0, v, i, x;

	*bad = 0;
	if (sscanf(zpl, "^XA\n^PW%d\n^LL%d\n", &w, &h) != 2 ||
	    (p = strstr(zpl, "^GFA,")) == NULL ||
	    sscanf(p, "^GFA,%d,%*d,%d,", &total, &bpr) != 2 ||
	    bpr != (w + 7) / 8 || total != bpr * h) {
		*bad = 1;
		return (NULL);
	}
	for (i = 0; i < 4; i++)
		p = strchr(p, ',') + 1;
	row = calloc(bpr * 2, 1);
	img = calloc((size_t)w * h, 1);
	for (; *p != '^' && *p != '\0' && y < h; p++) {
		if (*p >= 'G' && *p <= 'Y') {
			count += *p - 'G' + 1;
			continue;
		}
		if (*p >= 'g' && *p <= 'z') {
			count += (*p - 'g' + 1) * 20;
			continue;
		}
		if (*p == ':' && nib == 0 && y > 0)
			nib = bpr * 2;		/* the row above, kept */
		else if ((*p == ',' || *p == '!') && count == 0)
			for (; nib < bpr * 2; nib++)
				row[nib] = *p == ',' ? 0 : 15;
		else if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')) {
			v = *p <= '9' ? *p - '0' : *p - 'A' + 10;
			for (i = 0; i < (count == 0 ? 1 : count); i++)
				if (nib < bpr * 2)
					row[nib++] = v;
				else
					(*bad)++;	/* runs past the row */
			count = 0;
		} else
			(*bad)++;
		if (nib == bpr * 2) {
			for (x = 0; x < w; x++)
				img[(size_t)y * w + x] = (row[x / 4] >>
				    (3 - x % 4)) & 1 ? 0 : 255;
			y++;
			nib = 0;
		}
	}
	if (y != h || nib != 0 || strncmp(p, "^FS", 3) != 0)
		(*bad)++;
	free(row);
	sc = zbar_image_scanner_create();
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zi = zbar_image_create();
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, w, h);
	zbar_image_set_data(zi, img, (unsigned long)w * h, NULL);
	if (zbar_scan_image(sc, zi) > 0 &&
	    (sym = zbar_image_first_symbol(zi)) != NULL)
		found = xstrdup(zbar_symbol_get_data(sym));
	zbar_image_destroy(zi);
	zbar_image_scanner_destroy(sc);
	free(img);
	return (found);
}

/*
 * ZPL's bitmap is compressed: read back, it is the whole label, and its
 * code scans, at each resolution; with long runs of black dots.
 */
static void
zpl_part(void)
{
	/* A black band under the tag. */
	const char *tpl = HEAD "qr 1.5 3 23\ntext 26 3 34 11 bold {tag}\n"
	    "text 26 12 36 40 bold {model}\n";
	const char *dev = "{\"tag\":\"D-0000001-Z\",\"model\":"
	    "\"\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
	    "\xe2\x96\x88\xe2\x96\x88\"}";
	const int dpis[] = { 203, 300, 600 };
	char *a, *cause, *got, *data;
	size_t alen;
	int i, k, rc, bad;

	for (i = 0; i < 3; i++) {
		cause = NULL;
		rc = render(tpl, dev, LABEL_ZPL, dpis[i], &a, &alen, &cause);
		ok(rc == 0, "ZPL at %d dpi with a black band renders%s%s",
		    dpis[i], cause != NULL ? ": " : "", cause != NULL ? cause :
		    "");
		free(cause);
		if (rc != 0)
			continue;
		got = zpl_scan(a, &bad);
		ok(bad == 0, "ZPL at %d dpi: its compressed bitmap reads back "
		    "row by row, whole (%d faults)", dpis[i], bad);
		is_str(got, "D-0000001-Z", "ZPL at %d dpi: the bitmap read "
		    "back scans to the tag", dpis[i]);
		for (data = strstr(a, "^GFA,"), k = 0; k < 4; k++)
			data = strchr(data, ',') + 1;
		ok(strchr(data, ',') != NULL && strchr(data, ':') != NULL &&
		    strpbrk(data, "ghijklmnopqrstuvwxyz") != NULL, "ZPL at %d "
		    "dpi: rows ending white (\",\"), repeated rows (\":\") "
		    "and runs of 20 or more (g to z) are compressed", dpis[i]);
		if (i == 0)
			ok(alen < 8000, "ZPL at 203 dpi: %zu bytes, not the "
			    "28,800 of the plain bitmap", alen);
		free(got);
		free(a);
	}
}

static void
check_part(void)
{
	/* A geometry no other test uses; {model?} prints over the code. */
	const char *tpl = HEAD "qr 1.7 3 23\ntext 26 3 34 11 bold {tag}\n"
	    "text 26 9 34 7 normal {brand}\n"
	    "text 1.7 9 23 30 bold {model?}\n";
	/* The same, with a line that puts a dot in the code's quiet zone. */
	const char *dot = HEAD "qr 1.7 3 23\ntext 26 3 34 11 bold {tag}\n"
	    "text 2.2 2.6 5 6 normal {model?}\n";
	char tag[TAG_LEN + 1], *cause;
	unsigned long n0;
	json_t *recs;
	int rc, fmt;
	const enum label_format fmts[] = { LABEL_PDF, LABEL_ZPL };
	const char *fname[] = { "PDF", "ZPL" };

	for (fmt = 0; fmt < 2; fmt++) {
		recs = batch(20, 0, NULL);
		n0 = label_decodes();
		rc = render_all(tpl, recs, fmts[fmt], 300, &cause);
		ok(rc == 0, "%s: 20 good labels render", fname[fmt]);
		ok(label_decodes() - n0 == 1, "%s: one of them (the "
		    "geometry's first) was decoded whole with zbar",
		    fname[fmt]);
		free(cause);
		n0 = label_decodes();
		rc = render_all(tpl, recs, fmts[fmt], 300, &cause);
		ok(rc == 0 && label_decodes() == n0, "%s: again, none: the "
		    "geometry is known, each label matches its code",
		    fname[fmt]);
		free(cause);
		json_decref(recs);

		/* The 7th label has a black band over its code: refused. */
		recs = batch(20, 7, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
		    "\xe2\x96\x88");
		tag_make(tag, 'D', 7);
		n0 = label_decodes();
		rc = render_all(tpl, recs, fmts[fmt], 300, &cause);
		ok(rc == -1 && cause != NULL && strstr(cause, tag) != NULL &&
		    strstr(cause, "does not scan back") != NULL, "%s: the 7th "
		    "label, covered by text after 6 good ones, is refused, "
		    "naming %s, nothing given out", fname[fmt], tag);
		if (cause != NULL && strstr(cause, tag) == NULL)
			printf("#   got \"%s\"\n", cause);
		ok(label_decodes() - n0 == 1, "%s: it was decoded "
		    "whole (its pixels are not its code)", fname[fmt]);
		free(cause);
		json_decref(recs);

		/*
		 * A dot in the quiet zone of the 3rd: the pixels differ, so
		 * it is decoded whole; it still scans, so it is given out.
		 */
		recs = batch(5, 3, ".");
		rc = render_all(dot, recs, fmts[fmt], 300, &cause);
		free(cause);
		n0 = label_decodes();
		rc = render_all(dot, recs, fmts[fmt], 300, &cause);
		ok(rc == 0 && label_decodes() - n0 == 1, "%s: a dot in one "
		    "label's quiet zone is seen: that label alone is decoded "
		    "whole (and scans)", fname[fmt]);
		free(cause);
		json_decref(recs);
	}
}

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
	check_part();
	zpl_part();
	label_fonts_free();
	store_part();
	return (tap_done());
}
