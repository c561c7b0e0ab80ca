/*
 * Fuzz target: delivery manifests (shared/csv.c) as the lot import reads
 * them (daemon/api-lot-import.c calls csv_manifest, then the store): any
 * bytes as a whole file, and the same bytes as each single value the
 * manifest reader checks. Also checks what the reader promises: every
 * error names a line the file has and a message, units come in file
 * order, a duplicate points at an earlier line.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_values(const char *s)
{
	const char *kind;
	char grade[2], date[11], imeis[2][16], iccid[32], *cause = NULL;
	char fold[64];
	double d;
	long long gb;
	int n;

#define FUZZ_VALUE(call) do {						\
	cause = NULL;							\
	if ((call) != 0) {						\
		if (cause == NULL)					\
			abort();					\
		free(cause);						\
	} else if (cause != NULL)					\
		abort();						\
} while (0)
	FUZZ_VALUE(csv_kind(s, &kind, &cause));
	FUZZ_VALUE(csv_grade(s, grade, &cause));
	FUZZ_VALUE(csv_date(s, date, &cause));
	FUZZ_VALUE(csv_decimal(s, &d, &cause));
	FUZZ_VALUE(csv_gigabytes(s, 4096, &gb, &cause));
	FUZZ_VALUE(csv_imeis(s, imeis, &n, &cause));
	FUZZ_VALUE(csv_iccid(s, iccid, &cause));
#undef FUZZ_VALUE
	if (strlen(s) < 1000) {
		csv_fold(s, fold, sizeof fold);
		if (strlen(fold) >= sizeof fold)
			abort();
	}
	(void)csv_header(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_manifest *m;
	struct csv_table *t;
	char *cause = NULL, *s;
	size_t i, last = 0;

	if (csv_read(data, size, &t, &cause) == 0) {
		for (i = 0; i < t->nrecords; i++)
			if (t->records[i].line < last)
				abort();
			else
				last = t->records[i].line;
		csv_table_free(t);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}

	cause = NULL;
	if (csv_manifest(data, size, &m, &cause) == 0) {
		if (cause != NULL)
			abort();
		last = 0;
		for (i = 0; i < m->nunits; i++) {
			if (m->units[i].line <= m->header_line ||
			    m->units[i].line < last)
				abort();
			last = m->units[i].line;
			if (m->units[i].dup_line != 0 &&
			    m->units[i].dup_line >= m->units[i].line)
				abort();
		}
		for (i = 0; i < m->nerrors; i++) {
			if (m->errors[i].message == NULL ||
			    (i > 0 && m->errors[i].line < m->errors[i - 1].line))
				abort();
		}
		csv_manifest_free(m);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}

	/* The bytes as one value, as a cell would give it. */
	if (size <= 4096) {
		s = xmalloc(size + 1);
		memcpy(s, data, size);
		s[size] = '\0';
		fuzz_values(s);
		free(s);
	}
	return (0);
}
