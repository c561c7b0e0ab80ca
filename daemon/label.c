/*
 * Labels, pure: template text in, label bytes out (PDF and PNG through
 * cairo, ZPL II as one 1-bit ^GFA bitmap of the same cairo drawing, in
 * ZPL's ASCII compression), and every label checked to scan back before
 * its bytes are given out, so that a label whose QR code does not scan
 * back to its tag is refused rather than printed. Fonts come from memory
 * (the caller reads the files): nothing here opens a file or asks
 * fontconfig.
 *
 * The check: each label is rasterised as its printer prints it (PDF: its
 * QR box at the printer's dpi; PNG and ZPL: the very raster given out)
 * and every pixel of its code and quiet zone compared with the code's own
 * matrix from libqrencode (label_modules). The first label of each
 * geometry (box, resolution, symbol size), and any label whose pixels
 * are not exactly its code (text over it), is decoded whole with libzbar
 * as well: a geometry zbar has read back, holding a code and nothing
 * else, scans.
 *
 * Units are millimetres. The QR code holds the tag alone (alphanumeric
 * mode): error correction H where its modules are at least 0.5 mm, else Q,
 * with a 4-module quiet zone inside the template's QR box. Raster outputs
 * snap the code to whole device dots per module (at least 2).
 */

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <qrencode.h>
#include <zbar.h>

#include "kitstockd.h"

#define LABEL_QUIET		4	/* modules of quiet zone */
#define LABEL_H_MIN_MM		0.5	/* EC H where modules are this big */
#define LABEL_DOTS_MIN		2	/* device dots per module, at least */
#define LABEL_SHRINK		0.6	/* text shrinks to this much, then cut */
#define LABEL_PT_MM		(25.4 / 72)
#define LABEL_PDF_DATE		"2026-01-01T00:00:00Z"
#define LABEL_EDGE		0.05	/* pixel: a module this near touches */
#define LABEL_TOLERANCE		40	/* of 255, off black or white */
#define LABEL_KNOWN_MAX		32	/* geometries remembered */

/* Field names a template may use. */
static const char *const label_field_names[] = {
	"tag", "kind", "brand", "model", "serial", "cpu", "ram_gb",
	"storage_gb", "screen_in", "os", "grade", "warranty_until", "supplier",
	"lot", "operator", "msisdn", "iccid", "plan_gb", "name", "address",
	"commune", "first_name", "event_date", "event_place", NULL
};

/* Fonts, loaded once from memory. */
static FT_Library label_ft;
static cairo_font_face_t *label_face[2];
static void *label_font_data[2];
static const cairo_user_data_key_t label_face_key;

struct label_stream {
	FILE	*f;
};

/*
 * A geometry whose label zbar has read back: a code of width modules in a
 * template's box at s dots per mm, drawn as vector (mode 0), raster (1)
 * or black-and-white raster (2).
 */
struct label_known {
	double	 s, x, y, size;
	int	 width, mode;
};
static struct label_known label_known[LABEL_KNOWN_MAX];
static int label_nknown, label_known_next;
static unsigned long label_zbar_runs;
/*
 * Labels render on worker threads (worker.c): the geometries known and the
 * count of decodes are shared under this lock. The fonts are made once on
 * the loop before any job (label_fonts) and only read after; cairo locks
 * its font caches and each FT face; each render has its own surfaces,
 * zbar scanner and QR codes (libqrencode is built with its lock).
 */
static pthread_mutex_t label_lock = PTHREAD_MUTEX_INITIALIZER;

/* What one label_render call reuses from label to label. */
struct label_ctx {
	cairo_surface_t	*img;	/* a label's raster (PNG, ZPL) */
	cairo_surface_t	*box;	/* a QR box's raster (PDF checks) */
	unsigned char	*bits;	/* img in 1-bit rows (ZPL) */
};

static int label_fail(char **, const char *, ...)
    __attribute__((__format__(printf, 2, 3)));
static int label_number(const char *, double *);
static int label_numbers(char **, int, double *);
static int label_letters(const char *, char *, size_t);
static int label_text_parse(struct label_tpl *, char *, char **);
static int label_text_check(const char *, char **);
static int label_tpl_check(struct label_tpl *, char **);
static const char *label_field_known(const char *, size_t);
static char *label_value(json_t *, const char *);
static char *label_expand(const char *, json_t *);
static void label_fit(cairo_t *, const struct label_text *, const char *);
static QRcode *label_qr_encode(const struct label_tpl *, const char *,
	    char **);
static void label_qr_path(cairo_t *, const QRcode *, double, double,
	    double);
static void label_qr_draw(cairo_t *, const struct label_tpl *,
	    const QRcode *, double);
static int label_qr_dots(const struct label_tpl *, const QRcode *, double,
	    char **);
static void label_draw(cairo_t *, const struct label_tpl *, json_t *,
	    const QRcode *, double);
static void label_font_options(cairo_t *, int);
static int label_decode(cairo_surface_t *, const char *, char **);
static int label_verify_vector(const struct label_tpl *, json_t *,
	    const QRcode *, int, char **);
static int label_known_find(const struct label_known *);
static void label_known_add(const struct label_known *);
static void label_known_key(struct label_known *, const struct label_tpl *,
	    const QRcode *, double, int);
static int label_module(const QRcode *, int, int);
static void label_spans(int *, int *, int, int, double, double, int,
	    double);
static int label_modules(cairo_surface_t *, int, int,
	    const struct label_tpl *, const QRcode *, double, int);
static int label_scans(const struct label_known *, int, int);
static int label_check_vector(struct label_ctx *, const struct label_tpl *,
	    json_t *, const QRcode *, int, char **);
static cairo_status_t label_write(void *, const unsigned char *,
	    unsigned int);
static int label_pdf(struct label_ctx *, const struct label_tpl **,
	    json_t *, int, FILE *, char **);
static int label_png(struct label_ctx *, const struct label_tpl *, json_t *,
	    int, FILE *, char **);
static void label_zpl_row(FILE *, const char *, size_t);
static int label_zpl(struct label_ctx *, const struct label_tpl *, json_t *,
	    int, FILE *, char **);
static void label_mono(struct label_ctx *, cairo_surface_t *);
static cairo_surface_t *label_raster(struct label_ctx *,
	    const struct label_tpl *, json_t *, double, int, char **);
static void label_face_done(void *);

/* Set *cause to the sentence and return -1. */
static int
label_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return (-1);
}

/* A plain decimal number ("62", "7.21"): 0 if it is one. */
static int
label_number(const char *s, double *out)
{
	const char *p = s;
	double v = 0, scale = 1;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			scale /= 10;
			v += (*p - '0') * scale;
		}
	if (*p != '\0' || digits == 0 || digits > 9)
		return (-1);
	*out = v;
	return (0);
}

/* n numbers from the words w: 0 if all are numbers. */
static int
label_numbers(char **w, int n, double *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i] == NULL || label_number(w[i], &out[i]) != 0)
			return (-1);
	return (0);
}

/* Tag letters ("D S") into out ("DS"): 0 if each is a known letter. */
static int
label_letters(const char *s, char *out, size_t len)
{
	size_t n = strlen(out);

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == ',')
			continue;
		if (*s < 'A' || *s > 'Z' || strchr(TAG_LETTERS, *s) == NULL ||
		    n + 1 >= len)
			return (-1);
		if (strchr(out, *s) == NULL) {
			out[n++] = *s;
			out[n] = '\0';
		}
	}
	return (n > 0 ? 0 : -1);
}

/* Is this field name (of length len) one a template may use? */
static const char *
label_field_known(const char *name, size_t len)
{
	int i;

	for (i = 0; label_field_names[i] != NULL; i++)
		if (strlen(label_field_names[i]) == len &&
		    strncmp(label_field_names[i], name, len) == 0)
			return (label_field_names[i]);
	return (NULL);
}

/* Every {field} or {field?} of a text line is known and closed. */
static int
label_text_check(const char *text, char **cause)
{
	const char *p, *end;
	size_t len;
	char *names;
	FILE *m;
	int i;

	for (p = text; (p = strchr(p, '{')) != NULL; p = end + 1) {
		if ((end = strchr(p, '}')) == NULL)
			return (label_fail(cause, _("\"{\" without its "
			    "\"}\"")));
		len = end - p - 1;
		if (len > 0 && p[len] == '?')
			len--;
		if (label_field_known(p + 1, len) == NULL) {
			if ((m = open_memstream(&names, &len)) == NULL)
				fatal("open_memstream");
			for (i = 0; label_field_names[i] != NULL; i++)
				fprintf(m, "%s%s", i == 0 ? "" : ", ",
				    label_field_names[i]);
			fclose(m);
			label_fail(cause, _("unknown field %.*s: a template "
			    "knows %s"), (int)(end - p + 1), p, names);
			free(names);
			return (-1);
		}
	}
	if (strchr(text, '}') != NULL && strchr(text, '{') == NULL)
		return (label_fail(cause, _("\"}\" without its \"{\"")));
	return (0);
}

/* "text X Y WIDTH SIZE normal|bold TEXT..." (line is the rest after text). */
static int
label_text_parse(struct label_tpl *t, char *line, char **cause)
{
	struct label_text *lt;
	char *w[5], *p = line;
	double v[4];
	int i;

	for (i = 0; i < 5; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		w[i] = *p != '\0' ? p : NULL;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (label_numbers(w, 4, v) != 0 || w[4] == NULL || *p == '\0' ||
	    (strcmp(w[4], "normal") != 0 && strcmp(w[4], "bold") != 0))
		return (label_fail(cause, _("expected \"text X Y WIDTH SIZE "
		    "normal|bold TEXT\" (millimetres, size in points)")));
	if (t->ntexts == LABEL_TEXTS_MAX)
		return (label_fail(cause, _("more than %d text lines"),
		    LABEL_TEXTS_MAX));
	if (v[3] < 3 || v[3] > 72)
		return (label_fail(cause, _("text size %g pt: expected 3 to "
		    "72"), v[3]));
	if (label_text_check(p, cause) != 0)
		return (-1);
	lt = &t->texts[t->ntexts++];
	lt->x = v[0];
	lt->y = v[1];
	lt->w = v[2];
	lt->size = v[3];
	lt->bold = strcmp(w[4], "bold") == 0;
	lt->text = xstrdup(p);
	return (0);
}

/* What the whole template must satisfy once read. */
static int
label_tpl_check(struct label_tpl *t, char **cause)
{
	const struct label_text *lt;
	double cw, ch;
	int i;

	if (t->title == NULL)
		return (label_fail(cause, _("no \"title\" line")));
	if (t->w == 0)
		return (label_fail(cause, _("no \"size\" line")));
	if (t->letters[0] == '\0')
		return (label_fail(cause, _("no \"for\" line (the tag letters "
		    "it prints, e.g. \"for D\")")));
	if (t->qr_size == 0)
		return (label_fail(cause, _("no \"qr\" line")));
	if (t->qr_x + t->qr_size > t->w + 1e-9 ||
	    t->qr_y + t->qr_size > t->h + 1e-9)
		return (label_fail(cause, _("the QR box (%g mm at %g, %g) does "
		    "not fit the %g x %g mm label"), t->qr_size, t->qr_x,
		    t->qr_y, t->w, t->h));
	for (i = 0; i < t->ntexts; i++) {
		lt = &t->texts[i];
		if (lt->x + lt->w > t->w + 1e-9 || lt->y + lt->size *
		    LABEL_PT_MM > t->h + 1e-9 || lt->w <= 0)
			return (label_fail(cause, _("text line %d (\"%s\") does "
			    "not fit the %g x %g mm label"), i + 1, lt->text,
			    t->w, t->h));
	}
	for (i = 0; t->defaults[i] != '\0'; i++)
		if (strchr(t->letters, t->defaults[i]) == NULL)
			return (label_fail(cause, _("\"default %c\" but %c is "
			    "not in \"for %s\""), t->defaults[i],
			    t->defaults[i], t->letters));
	if ((t->cols != 0) != (t->page_w != 0) ||
	    (t->cols != 0) != (t->pitch_x != 0) ||
	    (t->cols != 0) != (t->origin_set != 0))
		return (label_fail(cause, _("a sheet needs all of \"page\", "
		    "\"grid\", \"pitch\" and \"origin\"")));
	if (t->cols != 0) {
		cw = t->origin_x + (t->cols - 1) * t->pitch_x + t->w;
		ch = t->origin_y + (t->rows - 1) * t->pitch_y + t->h;
		if (cw > t->page_w + 1e-6 || ch > t->page_h + 1e-6 ||
		    t->pitch_x < t->w - 1e-6 || t->pitch_y < t->h - 1e-6)
			return (label_fail(cause, _("the %d x %d grid of %g x "
			    "%g mm labels does not fit the %g x %g mm page"),
			    t->cols, t->rows, t->w, t->h, t->page_w,
			    t->page_h));
	}
	return (0);
}

/*
 * Read a template; on error NULL, with *cause naming the line and what is
 * wrong.
 */
struct label_tpl *
label_tpl_parse(const char *name, const char *text, char **cause)
{
	struct label_tpl *t;
	const char *p, *eol;
	char *line, *key, *rest, *w[4], *q, *why = NULL;
	double v[4];
	int lineno = 0, i, n;
	json_t *probe;

	/* Text goes to cairo and titles to JSON: UTF-8 only. */
	if ((probe = json_string(text)) == NULL) {
		xasprintf(cause, _("template %s is not UTF-8 text"), name);
		return (NULL);
	}
	json_decref(probe);
	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->ec = LABEL_EC_AUTO;
	for (p = text; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		lineno++;
		line = xstrndup(p, eol - p);
		line[strcspn(line, "\r")] = '\0';
		for (key = line; *key == ' ' || *key == '\t'; key++)
			;
		n = strlen(key);
		while (n > 0 && (key[n - 1] == ' ' || key[n - 1] == '\t'))
			key[--n] = '\0';
		if (*key == '\0' || *key == '#') {
			free(line);
			continue;
		}
		rest = key + strcspn(key, " \t");
		if (*rest != '\0')
			*rest++ = '\0';
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (strcmp(key, "text") == 0) {
			label_text_parse(t, rest, &why);
			goto next;
		}
		if (strcmp(key, "title") == 0 || strcmp(key, "media") == 0) {
			if (*rest == '\0')
				xasprintf(&why, _("\"%s\" needs a value"),
				    key);
			else if (*key == 't') {
				free(t->title);
				t->title = xstrdup(rest);
			} else {
				free(t->media);
				t->media = xstrdup(rest);
			}
			goto next;
		}
		if (strcmp(key, "for") == 0 || strcmp(key, "default") == 0) {
			if (label_letters(rest, *key == 'f' ? t->letters :
			    t->defaults, sizeof t->letters) != 0)
				xasprintf(&why, _("\"%s %s\": expected tag "
				    "letters among %s"), key, rest,
				    TAG_LETTERS);
			goto next;
		}
		if (strcmp(key, "ec") == 0) {
			if (strcmp(rest, "auto") == 0)
				t->ec = LABEL_EC_AUTO;
			else if (strcmp(rest, "Q") == 0)
				t->ec = LABEL_EC_Q;
			else if (strcmp(rest, "H") == 0)
				t->ec = LABEL_EC_H;
			else
				xasprintf(&why, _("\"ec %s\": expected auto, Q "
				    "or H"), rest);
			goto next;
		}
		for (i = 0, q = rest; i < 4; i++) {
			while (*q == ' ' || *q == '\t')
				q++;
			w[i] = *q != '\0' ? q : NULL;
			while (*q != '\0' && *q != ' ' && *q != '\t')
				q++;
			if (*q != '\0')
				*q++ = '\0';
		}
		n = strcmp(key, "qr") == 0 ? 3 : 2;
		if (strcmp(key, "size") != 0 && strcmp(key, "qr") != 0 &&
		    strcmp(key, "page") != 0 && strcmp(key, "grid") != 0 &&
		    strcmp(key, "pitch") != 0 && strcmp(key, "origin") != 0) {
			xasprintf(&why, _("unknown keyword \"%s\": expected "
			    "title, size, for, default, qr, ec, text, media, "
			    "page, grid, pitch or origin"), key);
			goto next;
		}
		if (label_numbers(w, n, v) != 0 || (n < 4 && w[n] != NULL)) {
			xasprintf(&why, _("\"%s\" takes %d numbers"), key, n);
			goto next;
		}
		if (strcmp(key, "size") == 0) {
			if (v[0] < 10 || v[0] > 300 || v[1] < 10 || v[1] > 300)
				xasprintf(&why, _("label size %g x %g mm: "
				    "expected 10 to 300 mm each way"), v[0],
				    v[1]);
			t->w = v[0];
			t->h = v[1];
		} else if (strcmp(key, "qr") == 0) {
			if (v[2] < 5)
				xasprintf(&why, _("QR box of %g mm: expected "
				    "at least 5 mm"), v[2]);
			t->qr_x = v[0];
			t->qr_y = v[1];
			t->qr_size = v[2];
		} else if (strcmp(key, "page") == 0) {
			if (v[0] < 50 || v[0] > 500 || v[1] < 50 || v[1] > 500)
				xasprintf(&why, _("page size %g x %g mm: "
				    "expected 50 to 500 mm each way"), v[0],
				    v[1]);
			t->page_w = v[0];
			t->page_h = v[1];
		} else if (strcmp(key, "grid") == 0) {
			if (v[0] != floor(v[0]) || v[1] != floor(v[1]) ||
			    v[0] < 1 || v[0] > 20 || v[1] < 1 || v[1] > 40)
				xasprintf(&why, _("grid %g x %g: expected "
				    "whole numbers of columns (1 to 20) and "
				    "rows (1 to 40)"), v[0], v[1]);
			t->cols = (int)v[0];
			t->rows = (int)v[1];
		} else if (strcmp(key, "pitch") == 0) {
			t->pitch_x = v[0];
			t->pitch_y = v[1];
		} else {
			t->origin_x = v[0];
			t->origin_y = v[1];
			t->origin_set = 1;
		}
next:
		free(line);
		if (why != NULL) {
			xasprintf(cause, _("template %s, line %d: %s"), name,
			    lineno, why);
			free(why);
			label_tpl_free(t);
			return (NULL);
		}
	}
	if (label_tpl_check(t, &why) != 0) {
		xasprintf(cause, _("template %s: %s"), name, why);
		free(why);
		label_tpl_free(t);
		return (NULL);
	}
	return (t);
}

void
label_tpl_free(struct label_tpl *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ntexts; i++)
		free(t->texts[i].text);
	free(t->name);
	free(t->title);
	free(t->media);
	free(t);
}

/* What GET /v1/labels/templates shows of a template. */
json_t *
label_tpl_json(const struct label_tpl *t)
{
	json_t *o;

	o = json_pack("{ss ss s[ff] ss ss s{sfsfsf} ss}", "name", t->name,
	    "title", t->title, "size_mm", t->w, t->h, "for", t->letters,
	    "default_for", t->defaults, "qr_mm", "x", t->qr_x, "y", t->qr_y,
	    "side", t->qr_size, "ec", t->ec == LABEL_EC_AUTO ? "auto" :
	    t->ec == LABEL_EC_Q ? "Q" : "H");
	if (t->cols != 0)
		json_object_set_new(o, "sheet", json_pack("{s[ff] si si s[ff] "
		    "s[ff]}", "page_mm", t->page_w, t->page_h, "columns",
		    t->cols, "rows", t->rows, "pitch_mm", t->pitch_x,
		    t->pitch_y, "origin_mm", t->origin_x, t->origin_y));
	if (t->media != NULL)
		json_object_set_new(o, "media", json_string(t->media));
	return (o);
}

/* Free an FT face when cairo lets its font face go. */
static void
label_face_done(void *face)
{
	FT_Done_Face(face);
}

/*
 * The regular and bold fonts, as the bytes of TrueType files (copied).
 * Called once; later calls keep the first fonts.
 */
int
label_fonts(const void *regular, size_t rlen, const void *bold, size_t blen,
    char **cause)
{
	const void *data[2] = { regular, bold };
	size_t len[2] = { rlen, blen };
	FT_Face face;
	int i;

	if (label_face[0] != NULL)
		return (0);
	if (label_ft == NULL && FT_Init_FreeType(&label_ft) != 0)
		return (label_fail(cause, "FreeType cannot start"));
	for (i = 0; i < 2; i++) {
		label_font_data[i] = xmalloc(len[i]);
		memcpy(label_font_data[i], data[i], len[i]);
		if (FT_New_Memory_Face(label_ft, label_font_data[i], len[i], 0,
		    &face) != 0) {
			label_fonts_free();
			return (label_fail(cause, _("the %s font is not a font "
			    "FreeType can read"), i == 0 ? "regular" :
			    "bold"));
		}
		label_face[i] = cairo_ft_font_face_create_for_ft_face(face, 0);
		if (cairo_font_face_set_user_data(label_face[i],
		    &label_face_key, face, label_face_done) !=
		    CAIRO_STATUS_SUCCESS)
			fatalx("cairo: out of memory");
	}
	return (0);
}

/* Let the fonts go (at exit, so that leak checkers see a clean heap). */
void
label_fonts_free(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (label_face[i] != NULL)
			cairo_font_face_destroy(label_face[i]);
		label_face[i] = NULL;
	}
	cairo_debug_reset_static_data();
	for (i = 0; i < 2; i++) {
		free(label_font_data[i]);
		label_font_data[i] = NULL;
	}
	if (label_ft != NULL)
		FT_Done_FreeType(label_ft);
	label_ft = NULL;
}

/* How many labels were decoded whole with zbar so far (for the tests). */
unsigned long
label_decodes(void)
{
	unsigned long n;

	pthread_mutex_lock(&label_lock);
	n = label_zbar_runs;
	pthread_mutex_unlock(&label_lock);
	return (n);
}

/* Does a template print tags of this letter? */
int
label_tpl_takes(const struct label_tpl *t, char letter)
{
	return (letter != '\0' && strchr(t->letters, letter) != NULL);
}

/* Labels per page: 1, or the sheet's cells. */
int
label_tpl_per_page(const struct label_tpl *t)
{
	return (t->cols != 0 ? t->cols * t->rows : 1);
}

/*
 * A field's value as printed (allocated), or NULL if it has none. Dates
 * (YYYY-MM-DD) print as DD/MM/YYYY, decimals with a comma.
 */
static char *
label_value(json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	const char *s;
	char *out, *c;

	if (json_is_integer(v)) {
		xasprintf(&out, "%lld", (long long)json_integer_value(v));
		return (out);
	}
	if (json_is_real(v)) {
		xasprintf(&out, "%.1f", json_real_value(v));
		if ((c = strchr(out, '.')) != NULL)
			*c = ',';
		return (out);
	}
	if ((s = json_string_value(v)) == NULL || *s == '\0')
		return (NULL);
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	    strspn(s, "0123456789-") == 10) {
		xasprintf(&out, "%.2s/%.2s/%.4s", s + 8, s + 5, s);
		return (out);
	}
	return (xstrdup(s));
}

/*
 * A text line with its fields filled in (allocated), or NULL if a field
 * without "?" has no value: the line is left out.
 */
static char *
label_expand(const char *text, json_t *rec)
{
	const char *p, *end, *name;
	char *s, *v, *q;
	size_t len = 0, size, n;
	int optional;

	size = strlen(text) + 1;
	s = xmalloc(size);
	for (p = text; *p != '\0'; p++) {
		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			s[len++] = *p;
			continue;
		}
		n = end - p - 1;
		optional = n > 0 && p[n] == '?';
		name = label_field_known(p + 1, optional ? n - 1 : n);
		v = name != NULL ? label_value(rec, name) : NULL;
		if (v == NULL && !optional) {
			free(s);
			return (NULL);
		}
		if (v != NULL) {
			/* The value replaces its "{field}" (n + 2 bytes). */
			n = strlen(v);
			size += n;
			s = xreallocarray(s, size, 1);
			memcpy(s + len, v, n);
			len += n;
		}
		free(v);
		p = end;
	}
	s[len] = '\0';
	/* An empty optional field leaves no double or edge space. */
	for (p = q = s; *p != '\0'; p++)
		if (*p != ' ' || (q > s && q[-1] != ' '))
			*q++ = *p;
	while (q > s && q[-1] == ' ')
		q--;
	*q = '\0';
	if (*s == '\0') {
		free(s);
		return (NULL);
	}
	return (s);
}

/*
 * Show one text line at its place: shrink to fit its width down to
 * LABEL_SHRINK of its size, then cut with an ellipsis.
 */
static void
label_fit(cairo_t *cr, const struct label_text *lt, const char *s)
{
	cairo_text_extents_t te;
	cairo_font_extents_t fe;
	double size = lt->size * LABEL_PT_MM;
	char *copy;
	size_t len;

	cairo_set_font_face(cr, label_face[lt->bold]);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &te);
	if (te.x_advance > lt->w) {
		size = fmax(size * lt->w * 0.999 / te.x_advance,
		    lt->size * LABEL_PT_MM * LABEL_SHRINK);
		cairo_set_font_size(cr, size);
	}
	cairo_font_extents(cr, &fe);
	copy = xstrdup(s);
	len = strlen(copy);
	for (;;) {
		cairo_text_extents(cr, copy, &te);
		if (te.x_advance <= lt->w + 1e-6 || len == 0)
			break;
		/* Drop one UTF-8 character, and the ellipsis we added. */
		if (len >= 3 && strcmp(copy + len - 3, "\xe2\x80\xa6") == 0)
			len -= 3;
		while (len > 0 && ((unsigned char)copy[len - 1] & 0xc0) ==
		    0x80)
			len--;
		if (len > 0)
			len--;
		while (len > 0 && copy[len - 1] == ' ')
			len--;
		copy[len] = '\0';
		copy = xreallocarray(copy, len + 4, 1);
		strcat(copy, "\xe2\x80\xa6");
		len += 3;
	}
	cairo_move_to(cr, lt->x, lt->y + fe.ascent);
	cairo_show_text(cr, copy);
	free(copy);
}

/*
 * The QR code of a tag: H if its modules are at least 0.5 mm in the box
 * (or if the template says H), else Q.
 */
static QRcode *
label_qr_encode(const struct label_tpl *t, const char *tag, char **cause)
{
	QRcode *qr = NULL;

	if (t->ec != LABEL_EC_Q) {
		qr = QRcode_encodeString(tag, 0, QR_ECLEVEL_H, QR_MODE_8, 1);
		if (qr != NULL && t->ec == LABEL_EC_AUTO && t->qr_size /
		    (qr->width + 2 * LABEL_QUIET) < LABEL_H_MIN_MM) {
			QRcode_free(qr);
			qr = NULL;
		} else if (qr != NULL)
			return (qr);
	}
	if ((qr = QRcode_encodeString(tag, 0, QR_ECLEVEL_Q, QR_MODE_8, 1)) ==
	    NULL)
		label_fail(cause, _("%s cannot be encoded as a QR code"), tag);
	return (qr);
}

/*
 * Whole device dots per module at s dots per mm: at least LABEL_DOTS_MIN,
 * or -1 with a sentence.
 */
static int
label_qr_dots(const struct label_tpl *t, const QRcode *qr, double s,
    char **cause)
{
	int modules = qr->width + 2 * LABEL_QUIET, dots;

	dots = (int)floor(floor(t->qr_size * s + 1e-6) / modules);
	if (dots < LABEL_DOTS_MIN)
		return (label_fail(cause, _("template %s: its %g mm QR box "
		    "gives %d dot(s) per module at %.0f dpi, and a QR code "
		    "needs at least %d to scan: make the box bigger or print "
		    "at a higher resolution"), t->name, t->qr_size, dots,
		    s * 25.4, LABEL_DOTS_MIN));
	return (dots);
}

/*
 * Draw the QR code into its box, white quiet zone included: all dark
 * modules in one path and one fill. With s > 0 (dots per mm of a raster
 * whose origin is the label's), snapped to whole dots.
 */
static void
label_qr_draw(cairo_t *cr, const struct label_tpl *t, const QRcode *qr,
    double s)
{
	int modules = qr->width + 2 * LABEL_QUIET, dots;
	double m, x, y, box;

	cairo_save(cr);
	if (s > 0) {
		box = floor(t->qr_size * s + 1e-6);
		dots = (int)floor(box / modules);
		cairo_identity_matrix(cr);
		x = round(t->qr_x * s);
		y = round(t->qr_y * s);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_rectangle(cr, x, y, box, box);
		cairo_fill(cr);
		x += floor((box - dots * modules) / 2);
		y += floor((box - dots * modules) / 2);
		m = dots;
	} else {
		m = t->qr_size / modules;
		x = t->qr_x;
		y = t->qr_y;
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_rectangle(cr, x, y, t->qr_size, t->qr_size);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	label_qr_path(cr, qr, x + LABEL_QUIET * m, y + LABEL_QUIET * m, m);
	cairo_fill(cr);
	cairo_restore(cr);
}

/*
 * The dark modules of qr as outlines (from x, y; modules of m): every edge
 * between a dark and a light module, directed with the dark module on its
 * right, chained into closed loops. Filled (non-zero), they are the dark
 * modules, with far fewer points than a rectangle a module or a run: a
 * smaller PDF, faster to write and to rasterise. cairo joins the edges of
 * a straight side into one line.
 */
static void
label_qr_path(cairo_t *cr, const QRcode *qr, double x, double y, double m)
{
	static const int dr[4] = { 0, 1, 0, -1 }, dc[4] = { 1, 0, -1, 0 };
	unsigned char *out;
	int w = qr->width, n = qr->width + 1, r, c, v, start, d, last;

	/* out[vertex]: the edges leaving it, bit d for direction d. */
	out = xcalloc((size_t)n * n, 1);
	for (r = 0; r < w; r++)
		for (c = 0; c < w; c++) {
			if (!label_module(qr, r, c))
				continue;
			/* Top: right, right: down, bottom: left, left: up. */
			if (!label_module(qr, r - 1, c))
				out[r * n + c] |= 1;
			if (!label_module(qr, r, c + 1))
				out[r * n + c + 1] |= 2;
			if (!label_module(qr, r + 1, c))
				out[(r + 1) * n + c + 1] |= 4;
			if (!label_module(qr, r, c - 1))
				out[(r + 1) * n + c] |= 8;
		}
	for (start = 0; start < n * n; start++) {
		while (out[start] != 0) {
			v = start;
			cairo_move_to(cr, x + (v % n) * m, y + (v / n) * m);
			for (last = -1;;) {
				for (d = 0; (out[v] & (1 << d)) == 0; d++)
					;
				if (last != -1 && d != last)	/* a corner */
					cairo_line_to(cr, x + (v % n) * m,
					    y + (v / n) * m);
				out[v] &= ~(1 << d);
				v += dr[d] * n + dc[d];
				last = d;
				if (v == start)
					break;
			}
			cairo_close_path(cr);
		}
	}
	free(out);
}

/* Font options that do not depend on the machine's fontconfig rules. */
static void
label_font_options(cairo_t *cr, int mono)
{
	cairo_font_options_t *fo;

	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_antialias(fo, mono ? CAIRO_ANTIALIAS_NONE :
	    CAIRO_ANTIALIAS_GRAY);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
	if (mono)
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
}

/*
 * One label at the current origin (user units: mm): white ground, the QR
 * code, then the text lines. Text comes last so that a template whose text
 * runs over the code gives a label that does not scan back, and is
 * refused, rather than text silently hidden. s > 0 snaps the code to a
 * raster (see above).
 */
static void
label_draw(cairo_t *cr, const struct label_tpl *t, json_t *rec,
    const QRcode *qr, double s)
{
	char *line;
	int i;

	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, 0, 0, t->w, t->h);
	cairo_fill(cr);
	cairo_restore(cr);
	label_qr_draw(cr, t, qr, s);
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (i = 0; i < t->ntexts; i++) {
		if ((line = label_expand(t->texts[i].text, rec)) == NULL)
			continue;
		label_fit(cr, &t->texts[i], line);
		free(line);
	}
	cairo_restore(cr);
}

/*
 * Decode a rendered label with libzbar: 0 if it holds exactly one QR
 * code and that code is the tag.
 */
static int
label_decode(cairo_surface_t *img, const char *tag, char **cause)
{
	zbar_image_scanner_t *sc;
	zbar_image_t *zi;
	const zbar_symbol_t *sym;
	const unsigned char *px;
	unsigned char *y800;
	const char *data;
	uint32_t v;
	int w, h, stride, x, y, n = 0, found = 0;
	char *other = NULL;

	pthread_mutex_lock(&label_lock);
	label_zbar_runs++;
	pthread_mutex_unlock(&label_lock);
	cairo_surface_flush(img);
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	stride = cairo_image_surface_get_stride(img);
	px = cairo_image_surface_get_data(img);
	y800 = xmalloc((size_t)w * h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			memcpy(&v, px + (size_t)y * stride + 4 * x, 4);
			y800[(size_t)y * w + x] = (unsigned char)
			    ((((v >> 16) & 0xff) * 299 + ((v >> 8) & 0xff) *
			    587 + (v & 0xff) * 114) / 1000);
		}
	sc = zbar_image_scanner_create();
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zi = zbar_image_create();
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, w, h);
	zbar_image_set_data(zi, y800, (unsigned long)w * h, NULL);
	if (zbar_scan_image(sc, zi) > 0) {
		for (sym = zbar_image_first_symbol(zi); sym != NULL;
		    sym = zbar_symbol_next(sym)) {
			n++;
			data = zbar_symbol_get_data(sym);
			if (strcmp(data, tag) == 0)
				found++;
			else if (other == NULL)
				other = xstrdup(data);
		}
	}
	zbar_image_destroy(zi);
	zbar_image_scanner_destroy(sc);
	free(y800);
	if (n == 1 && found == 1)
		return (0);
	if (n == 0)
		label_fail(cause, _("the label of %s does not scan back: no QR "
		    "code could be read from it"), tag);
	else if (found == 0)
		label_fail(cause, _("the label of %s does not scan back: its QR "
		    "code reads \"%s\""), tag, other);
	else
		label_fail(cause, _("the label of %s holds %d QR codes"), tag,
		    n);
	free(other);
	return (-1);
}

/* A vector label as a printer at dpi would rasterise it, decoded back. */
static int
label_verify_vector(const struct label_tpl *t, json_t *rec, const QRcode *qr,
    int dpi, char **cause)
{
	cairo_surface_t *img;
	cairo_t *cr;
	double s = dpi / 25.4;
	int rc;

	img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    (int)ceil(t->w * s), (int)ceil(t->h * s));
	cr = cairo_create(img);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	label_font_options(cr, 0);
	cairo_scale(cr, s, s);
	label_draw(cr, t, rec, qr, 0);
	cairo_destroy(cr);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
		rc = label_fail(cause, "cairo: %s", cairo_status_to_string(
		    cairo_surface_status(img)));
	else
		rc = label_decode(img, json_string_value(json_object_get(rec,
		    "tag")), cause);
	cairo_surface_destroy(img);
	return (rc);
}

/* Has zbar read back a label of this geometry? */
static int
label_known_find(const struct label_known *k)
{
	int i, found = 0;

	pthread_mutex_lock(&label_lock);
	for (i = 0; i < label_nknown && !found; i++)
		if (memcmp(&label_known[i], k, sizeof *k) == 0)
			found = 1;
	pthread_mutex_unlock(&label_lock);
	return (found);
}

/* Remember that it has (the oldest is forgotten when full). */
static void
label_known_add(const struct label_known *k)
{
	int i;

	pthread_mutex_lock(&label_lock);
	for (i = 0; i < label_nknown; i++)
		if (memcmp(&label_known[i], k, sizeof *k) == 0)
			break;
	if (i == label_nknown) {
		label_known[label_known_next] = *k;
		label_known_next = (label_known_next + 1) % LABEL_KNOWN_MAX;
		if (label_nknown < LABEL_KNOWN_MAX)
			label_nknown++;
	}
	pthread_mutex_unlock(&label_lock);
}

/* The geometry of qr in a template's box at s dots per mm, drawn so. */
static void
label_known_key(struct label_known *k, const struct label_tpl *t,
    const QRcode *qr, double s, int mode)
{
	memset(k, 0, sizeof *k);
	k->s = s;
	k->x = t->qr_x;
	k->y = t->qr_y;
	k->size = t->qr_size;
	k->width = qr->width;
	k->mode = mode;
}

/* Is module (r, c) of qr dark? Outside the matrix (quiet zone): no. */
static int
label_module(const QRcode *qr, int r, int c)
{
	if (r < 0 || c < 0 || r >= qr->width || c >= qr->width)
		return (0);
	return (qr->data[r * qr->width + c] & 1);
}

/*
 * The first and last of the modules (0 to modules - 1, quiet zone
 * included) that each of n pixels from pixel p0 touches, or comes within
 * g of (g < 0: that overlap it by more than -g): a code from origin o
 * (pixels) with modules of m pixels.
 */
static void
label_spans(int *lo, int *hi, int n, int p0, double o, double m, int modules,
    double g)
{
	int i;

	for (i = 0; i < n; i++) {
		lo[i] = (int)floor((p0 + i - o - g) / m);
		hi[i] = (int)floor((p0 + i + 1 - o + g) / m);
		if (lo[i] < 0)
			lo[i] = 0;
		if (hi[i] > modules - 1)
			hi[i] = modules - 1;
		if (hi[i] < lo[i])
			hi[i] = lo[i];
	}
}

/*
 * Does the raster img (s dots per mm; its pixel (0, 0) is the label's dot
 * (ox, oy)) hold exactly the code qr with its quiet zone, as label_qr_draw
 * draws it (snapped or not)? Every pixel within modules of one colour
 * must be that colour (within LABEL_TOLERANCE); only a pixel on or next
 * to the edge of a dark and a light module may be grey. Text or anything
 * else drawn over the code or its quiet zone changes some pixel: then 1.
 * 0 if it holds the code.
 */
static int
label_modules(cairo_surface_t *img, int ox, int oy,
    const struct label_tpl *t, const QRcode *qr, double s, int snapped)
{
	const unsigned char *px, *p, *g0, *g1;
	const uint32_t *row;
	uint32_t *want, *mask, odd;
	unsigned char *grid, dark;
	int modules = qr->width + 2 * LABEL_QUIET, w, h, stride, dots;
	int x0, x1, y0, y1, x, y, rc = 0;
	int *clo, *chi, *rlo, *rhi;
	double bx, by, m, box, g;

	cairo_surface_flush(img);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
		return (1);
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	stride = cairo_image_surface_get_stride(img);
	px = cairo_image_surface_get_data(img);
	if (snapped) {
		box = floor(t->qr_size * s + 1e-6);
		dots = (int)floor(box / modules);
		bx = round(t->qr_x * s) + floor((box - dots * modules) / 2);
		by = round(t->qr_y * s) + floor((box - dots * modules) / 2);
		m = dots;
	} else {
		m = t->qr_size * s / modules;
		bx = t->qr_x * s;
		by = t->qr_y * s;
	}
	/* The pixels wholly inside the code and its quiet zone. */
	x0 = (int)ceil(bx - 1e-6);
	y0 = (int)ceil(by - 1e-6);
	x1 = (int)floor(bx + modules * m + 1e-6);
	y1 = (int)floor(by + modules * m + 1e-6);
	if (m < 2 || x0 - ox < 0 || y0 - oy < 0 ||
	    x1 - ox > w || y1 - oy > h || x1 <= x0 || y1 <= y0)
		return (1);
	/* Each module's colour, quiet zone included: 1 dark, 0 light. */
	grid = xmalloc((size_t)modules * modules);
	for (y = 0; y < modules; y++)
		for (x = 0; x < modules; x++)
			grid[y * modules + x] = label_module(qr,
			    y - LABEL_QUIET, x - LABEL_QUIET);
	clo = xreallocarray(NULL, x1 - x0, 2 * sizeof *clo);
	chi = clo + (x1 - x0);
	rlo = xreallocarray(NULL, y1 - y0, 2 * sizeof *rlo);
	rhi = rlo + (y1 - y0);
	/*
	 * A pixel near the edge of a dark and a light module may be grey (a
	 * vector code's edges fall anywhere; a snapped one's on whole dots).
	 */
	g = snapped ? -LABEL_EDGE : LABEL_EDGE;
	label_spans(clo, chi, x1 - x0, x0, bx, m, modules, g);
	label_spans(rlo, rhi, y1 - y0, y0, by, m, modules, g);
	want = xreallocarray(NULL, x1 - x0, 2 * sizeof *want);
	mask = want + (x1 - x0);
	for (y = 0; y < y1 - y0 && rc == 0; y++) {
		/*
		 * What each pixel of the row must be: black (0) or white
		 * (0xffffff) under mask 0xffffff, or anything (mask 0).
		 */
		if (y == 0 || rlo[y] != rlo[y - 1] || rhi[y] != rhi[y - 1]) {
			g0 = grid + rlo[y] * modules;
			g1 = grid + rhi[y] * modules;
			for (x = 0; x < x1 - x0; x++) {
				dark = g0[clo[x]];
				want[x] = dark ? 0 : 0xffffff;
				mask[x] = g0[chi[x]] != dark || g1[clo[x]] !=
				    dark || g1[chi[x]] != dark ? 0 : 0xffffff;
			}
		}
		row = (const uint32_t *)(px + (size_t)(y0 + y - oy) * stride) +
		    (x0 - ox);
		for (x = 0, odd = 0; x < x1 - x0; x++)
			odd |= (row[x] ^ want[x]) & mask[x];
		if (odd == 0)
			continue;
		/* Not exactly black and white: within the tolerance? */
		for (x = 0; x < x1 - x0; x++) {
			if (((row[x] ^ want[x]) & mask[x]) == 0)
				continue;
			p = (const unsigned char *)&row[x];
			dark = want[x] == 0;
			if (dark ? p[0] > LABEL_TOLERANCE ||
			    p[1] > LABEL_TOLERANCE || p[2] > LABEL_TOLERANCE :
			    p[0] < 255 - LABEL_TOLERANCE ||
			    p[1] < 255 - LABEL_TOLERANCE ||
			    p[2] < 255 - LABEL_TOLERANCE) {
				rc = 1;
				break;
			}
		}
	}
	free(want);
	free(grid);
	free(clo);
	free(rlo);
	return (rc);
}

/*
 * After a label was decoded with zbar (decoded: 0 if it scanned back):
 * if its raster also held exactly its code (same), its geometry k is
 * known to scan from now on. 0 if the label scans back.
 */
static int
label_scans(const struct label_known *k, int same, int decoded)
{
	if (decoded != 0)
		return (-1);
	if (same)
		label_known_add(k);
	return (0);
}

/*
 * A vector label checked as a printer at dpi would print it: its QR box
 * rasterised with all the label draws (text over the code included) and
 * compared with the code's matrix. The first label of a geometry, and a
 * label whose box is not exactly its code, is rasterised whole and
 * decoded with zbar, as before a label is given out.
 */
static int
label_check_vector(struct label_ctx *ctx, const struct label_tpl *t,
    json_t *rec, const QRcode *qr, int dpi, char **cause)
{
	struct label_known k;
	cairo_t *cr;
	double s = dpi / 25.4;
	int bx, by, side, same;

	bx = (int)floor(t->qr_x * s) - 1;
	by = (int)floor(t->qr_y * s) - 1;
	side = (int)ceil(t->qr_size * s) + 3;
	if (ctx->box != NULL && cairo_image_surface_get_width(ctx->box) !=
	    side) {
		cairo_surface_destroy(ctx->box);
		ctx->box = NULL;
	}
	if (ctx->box == NULL)
		ctx->box = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side,
		    side);
	cr = cairo_create(ctx->box);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	label_font_options(cr, 0);
	cairo_translate(cr, -bx, -by);
	cairo_scale(cr, s, s);
	label_draw(cr, t, rec, qr, 0);
	cairo_destroy(cr);
	same = label_modules(ctx->box, bx, by, t, qr, s, 0) == 0;
	label_known_key(&k, t, qr, s, 0);
	if (same && label_known_find(&k))
		return (0);
	return (label_scans(&k, same, label_verify_vector(t, rec, qr, dpi,
	    cause)));
}

/* cairo's output into a memory stream. */
static cairo_status_t
label_write(void *arg, const unsigned char *data, unsigned int len)
{
	struct label_stream *ls = arg;

	if (fwrite(data, 1, len, ls->f) != len)
		return (CAIRO_STATUS_WRITE_ERROR);
	return (CAIRO_STATUS_SUCCESS);
}

/*
 * PDF: label-sized pages, or sheets of cells (one template for all then).
 * Each label is first checked as a printer at dpi would print it.
 */
static int
label_pdf(struct label_ctx *ctx, const struct label_tpl **tpls, json_t *recs,
    int dpi, FILE *out, char **cause)
{
	struct label_stream ls = { out };
	const struct label_tpl *t = tpls[0];
	cairo_surface_t *pdf;
	cairo_t *cr;
	QRcode *qr;
	json_t *rec;
	size_t i;
	int cell, rc = 0;

	pdf = cairo_pdf_surface_create_for_stream(label_write, &ls,
	    (t->cols != 0 ? t->page_w : t->w) / LABEL_PT_MM,
	    (t->cols != 0 ? t->page_h : t->h) / LABEL_PT_MM);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE,
	    LABEL_PDF_DATE);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR,
	    "kitstock");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE,
	    t->title);
	cr = cairo_create(pdf);
	label_font_options(cr, 0);
	json_array_foreach(recs, i, rec) {
		t = tpls[i];
		if ((qr = label_qr_encode(t, json_string_value(json_object_get(
		    rec, "tag")), cause)) == NULL) {
			rc = -1;
			break;
		}
		if (label_qr_dots(t, qr, dpi / 25.4, cause) < 0 ||
		    label_check_vector(ctx, t, rec, qr, dpi, cause) != 0) {
			QRcode_free(qr);
			rc = -1;
			break;
		}
		cell = (int)(i % label_tpl_per_page(t));
		if (i > 0 && cell == 0)
			cairo_show_page(cr);
		if (t->cols == 0)
			cairo_pdf_surface_set_size(pdf, t->w / LABEL_PT_MM,
			    t->h / LABEL_PT_MM);
		cairo_save(cr);
		cairo_scale(cr, 1 / LABEL_PT_MM, 1 / LABEL_PT_MM);
		if (t->cols != 0)
			cairo_translate(cr, t->origin_x + (cell % t->cols) *
			    t->pitch_x, t->origin_y + (cell / t->cols) *
			    t->pitch_y);
		label_draw(cr, t, rec, qr, 0);
		cairo_restore(cr);
		QRcode_free(qr);
	}
	cairo_destroy(cr);
	cairo_surface_finish(pdf);
	if (rc == 0 && cairo_surface_status(pdf) != CAIRO_STATUS_SUCCESS)
		rc = label_fail(cause, "cairo: %s", cairo_status_to_string(
		    cairo_surface_status(pdf)));
	cairo_surface_destroy(pdf);
	return (rc);
}

/*
 * What a thermal head prints: each dot of img black or white (a grey one
 * by its luminance), and packed 8 dots a byte into ctx->bits (1: black),
 * rows of (width + 7) / 8 bytes.
 */
static void
label_mono(struct label_ctx *ctx, cairo_surface_t *img)
{
	unsigned char *px, *out;
	uint32_t *row, v, lum;
	int w, h, stride, bpr, x, y, b, n;
	unsigned int bits;

	cairo_surface_flush(img);
	px = cairo_image_surface_get_data(img);
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	stride = cairo_image_surface_get_stride(img);
	bpr = (w + 7) / 8;
	ctx->bits = xreallocarray(ctx->bits, h, bpr);
	for (y = 0; y < h; y++) {
		row = (uint32_t *)(px + (size_t)y * stride);
		out = ctx->bits + (size_t)y * bpr;
		for (x = 0; x < bpr; x++, row += 8) {
			n = w - x * 8 < 8 ? w - x * 8 : 8;
			for (b = 0, bits = 0; b < n; b++) {
				v = row[b] & 0xffffff;
				if (v != 0 && v != 0xffffff) {
					lum = (((v >> 16) & 0xff) +
					    ((v >> 8) & 0xff) + (v & 0xff)) / 3;
					v = lum < 128 ? 0 : 0xffffff;
					row[b] = v;
				}
				bits = bits << 1 | (v == 0);
			}
			out[x] = bits << (8 - n);
		}
	}
	cairo_surface_mark_dirty(img);
}

/*
 * One label on a raster of s dots per mm (mono: each dot black or white,
 * packed into ctx->bits too),
 * checked to scan back (the raster given out is the one checked); NULL
 * with *cause if it does not. The raster is ctx's, reused label to label.
 */
static cairo_surface_t *
label_raster(struct label_ctx *ctx, const struct label_tpl *t, json_t *rec,
    double s, int mono, char **cause)
{
	struct label_known k;
	cairo_surface_t *img;
	cairo_t *cr;
	QRcode *qr;
	const char *tag = json_string_value(json_object_get(rec, "tag"));
	int w, h, same, rc;

	if ((qr = label_qr_encode(t, tag, cause)) == NULL)
		return (NULL);
	if (label_qr_dots(t, qr, s, cause) < 0) {
		QRcode_free(qr);
		return (NULL);
	}
	w = (int)round(t->w * s);
	h = (int)round(t->h * s);
	if (ctx->img != NULL && (cairo_image_surface_get_width(ctx->img) != w ||
	    cairo_image_surface_get_height(ctx->img) != h)) {
		cairo_surface_destroy(ctx->img);
		ctx->img = NULL;
	}
	if (ctx->img == NULL)
		ctx->img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	img = ctx->img;
	cr = cairo_create(img);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	label_font_options(cr, mono);
	cairo_scale(cr, s, s);
	label_draw(cr, t, rec, qr, s);
	cairo_destroy(cr);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		label_fail(cause, "cairo: %s", cairo_status_to_string(
		    cairo_surface_status(img)));
		QRcode_free(qr);
		return (NULL);
	}
	if (mono)
		label_mono(ctx, img);
	same = label_modules(img, 0, 0, t, qr, s, 1) == 0;
	label_known_key(&k, t, qr, s, mono ? 2 : 1);
	QRcode_free(qr);
	if (same && label_known_find(&k))
		return (img);
	rc = label_scans(&k, same, label_decode(img, tag, cause));
	return (rc == 0 ? img : NULL);
}

/* PNG: one label at dpi, with the QR code on whole pixels. */
static int
label_png(struct label_ctx *ctx, const struct label_tpl *t, json_t *rec,
    int dpi, FILE *out, char **cause)
{
	struct label_stream ls = { out };
	cairo_surface_t *img;
	cairo_status_t st;

	if ((img = label_raster(ctx, t, rec, dpi / 25.4, 0, cause)) == NULL)
		return (-1);
	st = cairo_surface_write_to_png_stream(img, label_write, &ls);
	if (st != CAIRO_STATUS_SUCCESS)
		return (label_fail(cause, "cairo: %s",
		    cairo_status_to_string(st)));
	return (0);
}

/*
 * One row of a ^GF bitmap (n hex digits) in ZPL II's ASCII compression:
 * a run of the same digit is a count (G to Y for 1 to 19, g to z for 20
 * to 400, added up) then the digit; "," ends the row with zeros.
 */
static void
label_zpl_row(FILE *out, const char *hex, size_t n)
{
	size_t i, j, run, k;
	int fill = 0;

	if (n > 1 && hex[n - 1] == '0') {
		for (; n > 0 && hex[n - 1] == '0'; n--)
			;
		fill = ',';
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && hex[j] == hex[i]; j++)
			;
		for (run = j - i; run > 0; run -= k) {
			k = run > 419 ? 419 : run;
			if (k >= 20)
				fputc('g' + (int)(k / 20) - 1, out);
			if (k > 1 && k % 20 != 0)
				fputc('G' + (int)(k % 20) - 1, out);
			fputc(hex[i], out);
		}
	}
	if (fill != 0)
		fputc(fill, out);
}

/*
 * ZPL II: the label as one ^GFA bitmap at the printer's resolution (8, 12
 * or 24 dots per mm for 203, 300 and 600 dpi), the same bitmap that was
 * checked, in ZPL's ASCII compression (":" repeats the row above).
 */
static int
label_zpl(struct label_ctx *ctx, const struct label_tpl *t, json_t *rec,
    int dpi, FILE *out, char **cause)
{
	static const char digits[] = "0123456789ABCDEF";
	cairo_surface_t *img;
	const unsigned char *bits;
	char *hex;
	int dpmm, w, h, bpr, x, y;

	dpmm = dpi <= 203 ? 8 : dpi <= 300 ? 12 : 24;
	if ((img = label_raster(ctx, t, rec, dpmm, 1, cause)) == NULL)
		return (-1);
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	bpr = (w + 7) / 8;
	hex = xmalloc(2 * (size_t)bpr + 1);
	fprintf(out, "^XA\n^PW%d\n^LL%d\n^LH0,0\n^FO0,0^GFA,%d,%d,%d,", w, h,
	    bpr * h, bpr * h, bpr);
	for (y = 0; y < h; y++) {
		bits = ctx->bits + (size_t)y * bpr;
		if (y > 0 && memcmp(bits, bits - bpr, bpr) == 0) {
			fputc(':', out);
			continue;
		}
		for (x = 0; x < bpr; x++) {
			hex[2 * x] = digits[bits[x] >> 4];
			hex[2 * x + 1] = digits[bits[x] & 0xf];
		}
		label_zpl_row(out, hex, 2 * (size_t)bpr);
	}
	fprintf(out, "^FS\n^PQ1\n^XZ\n");
	free(hex);
	return (0);
}

/*
 * Render labels: records[i] (an object with "tag" and fields) with
 * tpls[i]. PDF gives one page per label, or sheets; PNG one label; ZPL
 * one ^XA..^XZ per label. dpi is the printer's (for PDF, the resolution
 * at which each label is checked). Every label is checked to scan back
 * before any byte is given out; on refusal -1 with *cause.
 */
int
label_render(const struct label_tpl **tpls, json_t *recs,
    enum label_format fmt, int dpi, char **out, size_t *len, char **cause)
{
	struct label_ctx ctx;
	FILE *m;
	json_t *rec;
	size_t i, n = json_array_size(recs);
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (label_face[0] == NULL)
		return (label_fail(cause, _("no fonts are loaded for "
		    "labels")));
	if (n == 0)
		return (label_fail(cause, _("no label to render")));
	for (i = 1; i < n; i++)
		if ((tpls[i]->cols != 0 || tpls[0]->cols != 0) &&
		    tpls[i] != tpls[0])
			return (label_fail(cause, _("a sheet template prints "
			    "every label of a request")));
	if (fmt != LABEL_PDF && tpls[0]->cols != 0)
		return (label_fail(cause, _("template %s is a sheet for office "
		    "printers: ask for pdf"), tpls[0]->name));
	if (fmt == LABEL_PNG && n > 1)
		return (label_fail(cause, _("a PNG holds one label: ask for one "
		    "tag, or for pdf")));
	if ((m = open_memstream(out, len)) == NULL)
		fatal("open_memstream");
	memset(&ctx, 0, sizeof ctx);
	switch (fmt) {
	case LABEL_PDF:
		rc = label_pdf(&ctx, tpls, recs, dpi, m, cause);
		break;
	case LABEL_PNG:
		rc = label_png(&ctx, tpls[0], json_array_get(recs, 0), dpi, m,
		    cause);
		break;
	case LABEL_ZPL:
		json_array_foreach(recs, i, rec) {
			if ((rc = label_zpl(&ctx, tpls[i], rec, dpi, m,
			    cause)) != 0)
				break;
		}
		break;
	}
	if (ctx.img != NULL)
		cairo_surface_destroy(ctx.img);
	if (ctx.box != NULL)
		cairo_surface_destroy(ctx.box);
	free(ctx.bits);
	fclose(m);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return (rc);
}
