/*
 * Receipts of a hand-over, pure rendering into memory: the « attestation
 * de remise » (what was given, serials, the contribution paid, the
 * conditions, places to sign) and the receipt of a contribution, as A4
 * PDF through cairo, in DejaVu fonts (fonts-dejavu-core) through cairo-ft,
 * never asking fontconfig. The creation date written in the PDF is the
 * hand-over's, so a receipt made twice is the same file.
 *
 * What the receipt shows comes in a JSON object (api-distribution.c):
 * programme, tag (kit), handover, beneficiary, first_name, last_name,
 * handed_over_at, distribution, place_name, place_commune, paid (cents),
 * payment, units [{tag, kind, brand, model, serial, imei, warranty_until,
 * operator, iccid, msisdn, paid_until}], accessories [{name, count}].
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include "kitstockd.h"

#define RECEIPT_FONTS		"/usr/share/fonts/truetype/dejavu/"
#define RECEIPT_FONT		RECEIPT_FONTS "DejaVuSans.ttf"
#define RECEIPT_FONT_BOLD	RECEIPT_FONTS "DejaVuSans-Bold.ttf"
#define RECEIPT_W		595.28	/* A4, points */
#define RECEIPT_H		841.89
#define RECEIPT_MARGIN		56.7	/* 20 mm */
#define RECEIPT_BODY		10
#define RECEIPT_LEADING		1.4

/* Where the next line goes on the page being drawn. */
struct receipt_page {
	cairo_t		*cr;
	double		 y;
	int		 page;
};

/* Fonts, loaded on first use and kept (the FT faces live as long). */
static FT_Library receipt_ft;
static FT_Face receipt_ft_face[2];
static cairo_font_face_t *receipt_face[2];

static const char *const receipt_kinds[] = {
	N_("desktop"), N_("laptop"), N_("tablet"), N_("smartphone"),
	N_("4g-router"), N_("sim"), NULL
};

static const char *const receipt_payments[] = {
	N_("cash"), N_("card"), N_("cheque"), N_("transfer"), NULL
};

static int receipt_fonts(char **);
static const char *receipt_word(const char *const *, const char *);
static const char *receipt_str(json_t *, const char *);
static void receipt_break(struct receipt_page *, double);
static void receipt_text(struct receipt_page *, int, double, double,
	    const char *);
static void receipt_printf(struct receipt_page *, int, double, double,
	    const char *, ...) __attribute__((__format__(printf, 5, 6)));
static void receipt_rule(struct receipt_page *);
static void receipt_head(struct receipt_page *, json_t *, const char *);
static void receipt_units(struct receipt_page *, json_t *);
static void receipt_signatures(struct receipt_page *, int);
static void receipt_handover(struct receipt_page *, json_t *);
static void receipt_contribution(struct receipt_page *, json_t *);
static cairo_status_t receipt_write(void *, const unsigned char *,
	    unsigned int);

/* Load the two DejaVu faces once. */
static int
receipt_fonts(char **cause)
{
	const char *path[2] = { RECEIPT_FONT, RECEIPT_FONT_BOLD };
	int i;

	if (receipt_face[0] != NULL)
		return (0);
	if (receipt_ft == NULL && FT_Init_FreeType(&receipt_ft) != 0) {
		xasprintf(cause, "FreeType cannot start");
		return (-1);
	}
	for (i = 0; i < 2; i++) {
		if (receipt_ft_face[i] == NULL && FT_New_Face(receipt_ft,
		    path[i], 0, &receipt_ft_face[i]) != 0) {
			receipt_ft_face[i] = NULL;
			xasprintf(cause, _("cannot read the font %s (package "
			    "fonts-dejavu-core)"), path[i]);
			return (-1);
		}
	}
	for (i = 0; i < 2; i++)
		receipt_face[i] = cairo_ft_font_face_create_for_ft_face(
		    receipt_ft_face[i], 0);
	return (0);
}

/*
 * Let the cairo faces go, before the labels' fonts are freed (that resets
 * cairo's caches, which must hold no live face then). The FreeType faces
 * stay with their library until the process ends.
 */
void
receipt_free(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (receipt_face[i] != NULL)
			cairo_font_face_destroy(receipt_face[i]);
		receipt_face[i] = NULL;
	}
}

/* A value of a closed list as people read it (its translation). */
static const char *
receipt_word(const char *const *words, const char *w)
{
	int i;

	if (w == NULL)
		return ("");
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return (_(words[i]));
	return (w);
}

/* A string member, or "". */
static const char *
receipt_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* Start a new page if the next h points do not fit. */
static void
receipt_break(struct receipt_page *p, double h)
{
	if (p->y + h <= RECEIPT_H - RECEIPT_MARGIN)
		return;
	cairo_show_page(p->cr);
	p->page++;
	p->y = RECEIPT_MARGIN;
}

/* A paragraph, wrapped to the page's width from indent. */
static void
receipt_text(struct receipt_page *p, int bold, double size, double indent,
    const char *text)
{
	cairo_text_extents_t te;
	char *copy, *line, *word, *save = NULL, *try;
	double width = RECEIPT_W - 2 * RECEIPT_MARGIN - indent;
	double lh = size * RECEIPT_LEADING;

	cairo_set_font_face(p->cr, receipt_face[bold ? 1 : 0]);
	cairo_set_font_size(p->cr, size);
	copy = xstrdup(text);
	line = NULL;
	for (word = strtok_r(copy, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		if (line == NULL) {
			line = xstrdup(word);
			continue;
		}
		xasprintf(&try, "%s %s", line, word);
		cairo_text_extents(p->cr, try, &te);
		if (te.x_advance <= width) {
			free(line);
			line = try;
			continue;
		}
		free(try);
		receipt_break(p, lh);
		cairo_move_to(p->cr, RECEIPT_MARGIN + indent, p->y + size);
		cairo_show_text(p->cr, line);
		p->y += lh;
		free(line);
		line = xstrdup(word);
	}
	if (line != NULL) {
		receipt_break(p, lh);
		cairo_move_to(p->cr, RECEIPT_MARGIN + indent, p->y + size);
		cairo_show_text(p->cr, line);
		p->y += lh;
		free(line);
	}
	free(copy);
}

static void
receipt_printf(struct receipt_page *p, int bold, double size, double indent,
    const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	receipt_text(p, bold, size, indent, s);
	free(s);
}

/* A thin line across the page, with some space around it. */
static void
receipt_rule(struct receipt_page *p)
{
	receipt_break(p, 12);
	p->y += 4;
	cairo_move_to(p->cr, RECEIPT_MARGIN, p->y);
	cairo_line_to(p->cr, RECEIPT_W - RECEIPT_MARGIN, p->y);
	cairo_set_line_width(p->cr, 0.5);
	cairo_stroke(p->cr);
	p->y += 8;
}

/* Title, programme, number, beneficiary, date and place. */
static void
receipt_head(struct receipt_page *p, json_t *d, const char *title)
{
	const char *first = receipt_str(d, "first_name");
	const char *last = receipt_str(d, "last_name");

	receipt_text(p, 1, 16, 0, title);
	receipt_text(p, 0, RECEIPT_BODY, 0, receipt_str(d, "programme"));
	receipt_printf(p, 0, RECEIPT_BODY, 0, _("Receipt no. %s/%lld"),
	    receipt_str(d, "tag"), (long long)json_integer_value(
	    json_object_get(d, "handover")));
	receipt_rule(p);
	if (*first != '\0' || *last != '\0')
		receipt_printf(p, 1, RECEIPT_BODY + 1, 0,
		    _("Beneficiary: %s %s (%s)"), first, last,
		    receipt_str(d, "beneficiary"));
	else
		receipt_printf(p, 1, RECEIPT_BODY + 1, 0,
		    _("Beneficiary: %s"), receipt_str(d, "beneficiary"));
	receipt_printf(p, 0, RECEIPT_BODY, 0,
	    _("Handed over on %.10s at %.5s (UTC), at %s, %s (distribution "
	    "%s)"), receipt_str(d, "handed_over_at"),
	    receipt_str(d, "handed_over_at") + (strlen(receipt_str(d,
	    "handed_over_at")) > 11 ? 11 : 0), receipt_str(d, "place_name"),
	    receipt_str(d, "place_commune"), receipt_str(d, "distribution"));
	receipt_printf(p, 0, RECEIPT_BODY, 0, _("Kit %s"),
	    receipt_str(d, "tag"));
	receipt_rule(p);
}

/* Each unit with what identifies it, then the accessories. */
static void
receipt_units(struct receipt_page *p, json_t *d)
{
	json_t *u, *imeis, *v;
	const char *kind;
	char *imei, *tmp;
	size_t i, j;

	receipt_text(p, 1, RECEIPT_BODY + 1, 0, _("Equipment handed over"));
	json_array_foreach(json_object_get(d, "units"), i, u) {
		kind = receipt_str(u, "kind");
		p->y += 3;
		if (strcmp(kind, "sim") == 0) {
			receipt_printf(p, 1, RECEIPT_BODY, 8, _("SIM card %s "
			    "(%s)"), receipt_str(u, "operator"),
			    receipt_str(u, "tag"));
			receipt_printf(p, 0, RECEIPT_BODY, 16, _("ICCID %s"),
			    receipt_str(u, "iccid"));
			if (*receipt_str(u, "msisdn") != '\0')
				receipt_printf(p, 0, RECEIPT_BODY, 16,
				    _("Number %s"), receipt_str(u, "msisdn"));
			if (*receipt_str(u, "paid_until") != '\0')
				receipt_printf(p, 0, RECEIPT_BODY, 16,
				    _("Plan paid until %s"),
				    receipt_str(u, "paid_until"));
			continue;
		}
		receipt_printf(p, 1, RECEIPT_BODY, 8, "%s %s %s (%s)",
		    receipt_word(receipt_kinds, kind), receipt_str(u, "brand"),
		    receipt_str(u, "model"), receipt_str(u, "tag"));
		receipt_printf(p, 0, RECEIPT_BODY, 16, _("Serial number %s"),
		    receipt_str(u, "serial"));
		imeis = json_object_get(u, "imei");
		imei = NULL;
		json_array_foreach(imeis, j, v) {
			xasprintf(&tmp, "%s%s%s", imei != NULL ? imei : "",
			    imei != NULL ? ", " : "", json_string_value(v));
			free(imei);
			imei = tmp;
		}
		if (imei != NULL) {
			receipt_printf(p, 0, RECEIPT_BODY, 16, _("IMEI %s"),
			    imei);
			free(imei);
		}
		if (*receipt_str(u, "warranty_until") != '\0')
			receipt_printf(p, 0, RECEIPT_BODY, 16,
			    _("Under warranty until %s"),
			    receipt_str(u, "warranty_until"));
	}
	json_array_foreach(json_object_get(d, "accessories"), i, u) {
		if (i == 0)
			p->y += 3;
		receipt_printf(p, 0, RECEIPT_BODY, 8, _("%lld × %s"),
		    (long long)json_integer_value(json_object_get(u, "count")),
		    receipt_str(u, "name"));
	}
	receipt_rule(p);
}

/* Boxes to sign, for the beneficiary (if asked) and the programme. */
static void
receipt_signatures(struct receipt_page *p, int beneficiary)
{
	double w = (RECEIPT_W - 2 * RECEIPT_MARGIN - 20) / 2, x;

	receipt_break(p, 110);
	p->y += 10;
	cairo_set_line_width(p->cr, 0.5);
	x = RECEIPT_MARGIN;
	if (beneficiary) {
		cairo_rectangle(p->cr, x, p->y, w, 90);
		cairo_stroke(p->cr);
		cairo_set_font_face(p->cr, receipt_face[0]);
		cairo_set_font_size(p->cr, 9);
		cairo_move_to(p->cr, x + 6, p->y + 14);
		cairo_show_text(p->cr,
		    _("The beneficiary: date and signature"));
		x += w + 20;
	}
	cairo_rectangle(p->cr, x, p->y, w, 90);
	cairo_stroke(p->cr);
	cairo_set_font_face(p->cr, receipt_face[0]);
	cairo_set_font_size(p->cr, 9);
	cairo_move_to(p->cr, x + 6, p->y + 14);
	cairo_show_text(p->cr, _("For the programme: name and signature"));
	p->y += 100;
}

/* The « attestation de remise ». */
static void
receipt_handover(struct receipt_page *p, json_t *d)
{
	char buf[32];
	json_int_t paid = json_integer_value(json_object_get(d, "paid"));

	receipt_head(p, d, _("Hand-over receipt"));
	receipt_units(p, d);
	if (paid > 0) {
		euros_format(paid, buf, sizeof buf);
		receipt_printf(p, 1, RECEIPT_BODY, 0,
		    _("Contribution paid: %s € (%s)"), buf,
		    receipt_word(receipt_payments, receipt_str(d, "payment")));
	} else
		receipt_text(p, 1, RECEIPT_BODY, 0, _("Handed over free of "
		    "charge: no contribution was asked."));
	receipt_rule(p);
	receipt_text(p, 1, RECEIPT_BODY + 1, 0, _("Conditions"));
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("This equipment is given to the beneficiary for their own use in "
	    "their digital-inclusion and insertion steps; it may not be "
	    "sold."));
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("Should a device fail, bring it back to the programme's team: "
	    "it is repaired or replaced, free of charge during its warranty."));
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("The SIM card's plan is paid until the date shown; the team "
	    "helps with its top-ups. No payment is asked for the diagnostic, "
	    "training or certification."));
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("The data about the beneficiary are kept only as long as the "
	    "programme needs them; they may ask to see them or to have their "
	    "identity erased."));
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("By signing, the beneficiary confirms they received the "
	    "equipment listed above in working order."));
	receipt_signatures(p, 1);
}

/* The receipt of a contribution. */
static void
receipt_contribution(struct receipt_page *p, json_t *d)
{
	char buf[32];
	const char *first = receipt_str(d, "first_name");
	const char *last = receipt_str(d, "last_name");

	euros_format(json_integer_value(json_object_get(d, "paid")), buf,
	    sizeof buf);
	receipt_head(p, d, _("Contribution receipt"));
	if (*first != '\0' || *last != '\0')
		receipt_printf(p, 0, RECEIPT_BODY + 1, 0,
		    _("Received from %s %s (%s) the sum of %s €, paid by %s, as "
		    "the moderate contribution for kit %s."), first, last,
		    receipt_str(d, "beneficiary"), buf,
		    receipt_word(receipt_payments, receipt_str(d, "payment")),
		    receipt_str(d, "tag"));
	else
		receipt_printf(p, 0, RECEIPT_BODY + 1, 0,
		    _("Received from %s the sum of %s €, paid by %s, as the "
		    "moderate contribution for kit %s."),
		    receipt_str(d, "beneficiary"), buf,
		    receipt_word(receipt_payments, receipt_str(d, "payment")),
		    receipt_str(d, "tag"));
	p->y += 6;
	receipt_text(p, 0, RECEIPT_BODY, 0,
	    _("This contribution is the only payment asked for the equipment. "
	    "The diagnostic, training and certification are free."));
	receipt_signatures(p, 0);
}

static cairo_status_t
receipt_write(void *arg, const unsigned char *data, unsigned int len)
{
	if (fwrite(data, 1, len, arg) != len)
		return (CAIRO_STATUS_WRITE_ERROR);
	return (CAIRO_STATUS_SUCCESS);
}

/*
 * Render a receipt of this kind as PDF into *out (allocated, *len bytes).
 * Returns 0, or -1 with *cause.
 */
int
receipt_render(json_t *data, enum receipt_kind kind, char **out,
    size_t *len, char **cause)
{
	struct receipt_page p;
	cairo_surface_t *pdf;
	cairo_status_t cs;
	cairo_font_options_t *fo;
	FILE *f;
	char date[32];

	*out = NULL;
	*len = 0;
	if (receipt_fonts(cause) != 0)
		return (-1);
	if ((f = open_memstream(out, len)) == NULL)
		fatal("open_memstream");
	pdf = cairo_pdf_surface_create_for_stream(receipt_write, f, RECEIPT_W,
	    RECEIPT_H);
	snprintf(date, sizeof date, "%s", receipt_str(data, "handed_over_at"));
	if (date[0] == '\0')
		snprintf(date, sizeof date, "2026-01-01T00:00:00Z");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE,
	    date);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR,
	    "kitstock");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE,
	    kind == RECEIPT_HANDOVER ? _("Hand-over receipt") :
	    _("Contribution receipt"));
	p.cr = cairo_create(pdf);
	p.y = RECEIPT_MARGIN;
	p.page = 1;
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(p.cr, fo);
	cairo_font_options_destroy(fo);
	cairo_set_source_rgb(p.cr, 0, 0, 0);
	if (kind == RECEIPT_HANDOVER)
		receipt_handover(&p, data);
	else
		receipt_contribution(&p, data);
	cairo_show_page(p.cr);
	cs = cairo_status(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(pdf);
	if (cs == CAIRO_STATUS_SUCCESS)
		cs = cairo_surface_status(pdf);
	cairo_surface_destroy(pdf);
	fclose(f);
	if (cs != CAIRO_STATUS_SUCCESS) {
		xasprintf(cause, "cairo: %s", cairo_status_to_string(cs));
		free(*out);
		*out = NULL;
		return (-1);
	}
	return (0);
}
