/*
 * Fuzz target: files of the standard « Lieux de médiation numérique »
 * (daemon/lieux.c) as POST /v1/offers/import reads them: any bytes as a
 * whole file, and the same bytes as a telephone number. Also checks what
 * the reader promises: every problem names a line of the file and says
 * why, a good row has the required values, a telephone is written +...
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const required[] = {
		"ref", "pivot", "name", "commune_given", "postal_code",
		"address", "updated_on", "services", NULL
	};
	struct lieux_file *lf;
	char *cause = NULL, *s, *out = NULL;
	json_t *e;
	size_t i, k, last = 0;

	if (lieux_read(data, size, &lf, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
	} else {
		for (i = 0; i < lf->nrows; i++) {
			if (lf->rows[i].line <= last)
				abort();
			last = lf->rows[i].line;
			for (k = 0; !lf->rows[i].bad && required[k] != NULL;
			    k++)
				if (json_object_get(lf->rows[i].place,
				    required[k]) == NULL)
					abort();
		}
		json_array_foreach(lf->errors, i, e)
			if (json_integer_value(json_object_get(e, "line")) < 1 ||
			    json_string_value(json_object_get(e, "message")) ==
			    NULL)
				abort();
		lieux_free(lf);
	}
	s = xstrndup((const char *)data, size);
	if (strlen(s) < 64) {
		if (lieux_phone(s, &out, &cause) == 0) {
			if (out[0] != '+')
				abort();
			free(out);
		} else
			free(cause);
	}
	free(s);
	return (0);
}
