/*
 * What people read: tables whose columns line up whatever the accents,
 * "key: value" lines, and values from the database made harmless for a
 * terminal (no control character reaches it).
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "kitstock.h"

static char *output_cell(json_t *, const char *);

/* A stream into memory; running out of memory is fatal. */
FILE *
output_memstream(char **s, size_t *len)
{
	FILE *f;

	if ((f = open_memstream(s, len)) == NULL)
		fatal("open_memstream");
	return (f);
}

/* The columns UTF-8 text takes on a terminal (é one, 漢 two). */
size_t
output_width(const char *s)
{
	mbstate_t ps;
	wchar_t wc;
	size_t n, left = strlen(s), width = 0;
	int w;

	memset(&ps, 0, sizeof ps);
	while (left > 0) {
		n = mbrtowc(&wc, s, left, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not UTF-8: a byte a column, as a terminal would. */
			memset(&ps, 0, sizeof ps);
			n = 1;
			width++;
		} else if ((w = wcwidth(wc)) > 0)
			width += w;
		s += n;
		left -= n;
	}
	return (width);
}

/* Write text with line breaks as spaces and other controls as '?'. */
void
output_clean(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r')
			fputc(' ', f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc('?', f);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls, such as CSI, in UTF-8. */
			fputc('?', f);
			p++;
		} else
			fputc(*p, f);
	}
}

/* A sentence on stderr after the program's name, controls made harmless. */
void
output_vwarn(const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	fflush(stdout);
	fprintf(stderr, "kitstock: ");
	output_clean(stderr, msg);
	fputc('\n', stderr);
	free(msg);
}

/* The same, from arguments. */
void
output_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	output_vwarn(fmt, ap);
	va_end(ap);
}

/* A JSON value as text (allocated): "-" for nothing, lists with commas. */
char *
output_value(json_t *v)
{
	const char *key;
	char *s, *t;
	size_t len, i;
	json_t *e;
	FILE *f;

	f = output_memstream(&s, &len);
	switch (v != NULL ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		output_clean(f, json_string_value(v));
		break;
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs(_("yes"), f);
		break;
	case JSON_FALSE:
		fputs(_("no"), f);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		/* Only one of these loops runs: an object's, or a list's. */
		i = 0;
		json_object_foreach(v, key, e) {
			t = output_value(e);
			fprintf(f, "%s%s", i++ == 0 ? "" : " ", t);
			free(t);
		}
		json_array_foreach(v, i, e) {
			t = output_value(e);
			fprintf(f, "%s%s", i == 0 ? "" : ", ", t);
			free(t);
		}
		break;
	case JSON_NULL:
		break;
	}
	fclose(f);
	if (*s == '\0') {
		free(s);
		s = xstrdup("-");
	}
	return (s);
}

/* A cell of a row: a field, or the sum of fields named "a+b". */
static char *
output_cell(json_t *row, const char *field)
{
	const char *p, *plus;
	char *name, *s;
	long long sum = 0;

	if (strchr(field, '+') == NULL)
		return (output_value(json_object_get(row, field)));
	for (p = field;; p = plus + 1) {
		if ((plus = strchr(p, '+')) == NULL)
			plus = p + strlen(p);
		name = xstrndup(p, plus - p);
		sum += json_integer_value(json_object_get(row, name));
		free(name);
		if (*plus == '\0')
			break;
	}
	xasprintf(&s, "%lld", sum);
	return (s);
}

/* A table of JSON objects, a header line first, columns aligned. */
void
output_table(FILE *f, const struct column *cols, json_t *rows)
{
	size_t ncols, nrows, r, c, *width, w;
	char **cell, **p;

	for (ncols = 0; cols[ncols].header != NULL; ncols++)
		continue;
	nrows = json_array_size(rows) + 1;
	cell = xcalloc(nrows * ncols, sizeof *cell);
	width = xcalloc(ncols, sizeof *width);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			p = &cell[r * ncols + c];
			if (r == 0)
				*p = xstrdup(_(cols[c].header));
			else
				*p = output_cell(json_array_get(rows, r - 1),
				    cols[c].field);
			if ((w = output_width(*p)) > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			p = &cell[r * ncols + c];
			fputs(*p, f);
			if (c + 1 < ncols)
				fprintf(f, "%*s",
				    (int)(width[c] - output_width(*p) + 2), "");
			free(*p);
		}
		fputc('\n', f);
	}
	free(cell);
	free(width);
}

/* An object as "key: value" lines. */
void
output_show(struct cmd *cmd, json_t *o)
{
	const char *key;
	char *s;
	json_t *v;

	json_object_foreach(o, key, v) {
		s = output_value(v);
		printf("%s: %s\n", key, s);
		free(s);
	}
}
