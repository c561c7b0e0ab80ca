/*
 * Fuzz target: the label template reader (daemon/label.c) on arbitrary
 * contents; what parses is also turned into the JSON the API lists.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct label_tpl *t;
	char *text, *cause = NULL;
	json_t *o;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if ((t = label_tpl_parse("fuzz", text, &cause)) != NULL) {
		if (cause != NULL)
			abort();
		o = label_tpl_json(t);
		if (o == NULL)
			abort();
		json_decref(o);
		label_tpl_free(t);
	} else if (cause == NULL)
		abort();
	free(cause);
	free(text);
	return (0);
}
