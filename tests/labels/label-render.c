/*
 * label-render: the daemon's label code (daemon/label.c) alone, for the
 * label tests: a template file and records in, a PDF, PNG or ZPL file out,
 * or the refusal on standard error (exit 1).
 *
 *   label-render [-d DPI] TEMPLATE.tpl pdf|png|zpl RECORDS.json OUT
 *
 * RECORDS.json is an array of objects, each with "tag" and the fields the
 * template prints. Fonts are DejaVu Sans, read from their files.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstockd.h"

#define FONT_DIR	"/usr/share/fonts/truetype/dejavu/"

static char *slurp(const char *, size_t *);

/* A whole file (NUL-terminated), or exit 2. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(2);
	}
	buf = xmalloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return (buf);
}

int
main(int argc, char **argv)
{
	const struct label_tpl **tpls;
	struct label_tpl *t;
	enum label_format fmt;
	json_error_t jerr;
	json_t *recs;
	char *text, *reg, *bold, *out, *cause, *name, *p;
	size_t len, rlen, blen, i;
	int ch, dpi = 300, rc = 0;
	FILE *f;

	while ((ch = getopt(argc, argv, "d:")) != -1) {
		switch (ch) {
		case 'd':
			dpi = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4)
		goto usage;
	if (strcmp(argv[1], "pdf") == 0)
		fmt = LABEL_PDF;
	else if (strcmp(argv[1], "png") == 0)
		fmt = LABEL_PNG;
	else if (strcmp(argv[1], "zpl") == 0)
		fmt = LABEL_ZPL;
	else
		goto usage;
	reg = slurp(FONT_DIR "DejaVuSans.ttf", &rlen);
	bold = slurp(FONT_DIR "DejaVuSans-Bold.ttf", &blen);
	if (label_fonts(reg, rlen, bold, blen, &cause) != 0) {
		fprintf(stderr, "label-render: %s\n", cause);
		return (2);
	}
	free(reg);
	free(bold);
	text = slurp(argv[0], &len);
	name = xstrdup((p = strrchr(argv[0], '/')) != NULL ? p + 1 : argv[0]);
	if ((p = strrchr(name, '.')) != NULL)
		*p = '\0';
	if ((t = label_tpl_parse(name, text, &cause)) == NULL) {
		fprintf(stderr, "label-render: %s\n", cause);
		return (1);
	}
	free(text);
	free(name);
	if ((recs = json_load_file(argv[2], 0, &jerr)) == NULL ||
	    !json_is_array(recs)) {
		fprintf(stderr, "label-render: %s: %s\n", argv[2], jerr.text);
		return (2);
	}
	tpls = xcalloc(json_array_size(recs) + 1, sizeof *tpls);
	for (i = 0; i < json_array_size(recs); i++)
		tpls[i] = t;
	if (label_render(tpls, recs, fmt, dpi, &out, &len, &cause) != 0) {
		fprintf(stderr, "label-render: %s\n", cause);
		free(cause);
		rc = 1;
	} else if ((f = fopen(argv[3], "wb")) == NULL ||
	    fwrite(out, 1, len, f) != len || fclose(f) != 0) {
		perror(argv[3]);
		rc = 2;
	}
	free(out);
	free(tpls);
	json_decref(recs);
	label_tpl_free(t);
	label_fonts_free();
	return (rc);

usage:
	fprintf(stderr, "usage: label-render [-d DPI] TEMPLATE.tpl "
	    "pdf|png|zpl RECORDS.json OUT\n");
	return (2);
}
