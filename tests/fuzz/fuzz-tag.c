/*
 * Fuzz target: tags and the identifier checks (IMEI, ICCID, SIRET, INSEE,
 * dates, effective dates, phone numbers, amounts) on arbitrary bytes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tag.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *cause, *out, buf[32], letter;
	unsigned long seq;
	int64_t cents;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
#define TRY(call) do {							\
	cause = NULL;							\
	(void)(call);							\
	free(cause);							\
} while (0)
	TRY(tag_check(s, 0, &letter, &seq, &cause));
	TRY(tag_check(s, 'D', NULL, NULL, &cause));
	TRY(check_imei(s, &cause));
	TRY(check_iccid(s, &cause));
	TRY(check_siret(s, &cause));
	TRY(check_insee(s, &cause));
	TRY(check_date(s, &cause));
	out = NULL;
	TRY(check_effective(s, &out, &cause));
	free(out);
	out = NULL;
	TRY(msisdn_normalise(s, &out, &cause));
	free(out);
	if (euros_parse(s, &cents, &cause) == 0)
		euros_format(cents, buf, sizeof buf);
	else
		free(cause);
	(void)iso7064_mod37_36(s);
	(void)luhn_valid(s);
	(void)luhn_digit(s);
	(void)tag_shaped(s);
	free(s);
	return (0);
}
