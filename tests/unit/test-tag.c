/*
 * Unit tests for shared/tag.c: tag check characters, Luhn, the identifier
 * checks and their refusals, dates, phone numbers and amounts, and a
 * crude fuzz pass that every function survives any byte sequence.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tag.h"
#include "tap.h"

typedef int (*check_fn)(const char *, char **);

static void	accepted(check_fn, const char *, const char *);
static void	refused(check_fn, const char *, const char *, const char *);
static void	refused_cause(int, char **, const char *, const char *,
		    const char *);
static void	with_luhn(char *, size_t, const char *);
static void	test_iso7064(void);
static void	test_tags(void);
static void	test_luhn(void);
static void	test_imei(void);
static void	test_iccid(void);
static void	test_siret(void);
static void	test_insee(void);
static void	test_date(void);
static void	test_effective(void);
static void	test_msisdn(void);
static void	test_euros(void);
static void	test_fuzz(void);
static uint64_t	lcg(uint64_t *);

/* A check accepts a value and leaves the cause alone. */
static void
accepted(check_fn fn, const char *what, const char *value)
{
	char	*cause = NULL;
	int	 rv;

	rv = fn(value, &cause);
	ok(rv == 0 && cause == NULL, "%s %s accepted", what, value);
	if (cause != NULL)
		printf("#   cause: %s\n", cause);
	free(cause);
}

/* A check refuses a value with a cause naming it (and phrase, if any). */
static void
refused(check_fn fn, const char *what, const char *value, const char *phrase)
{
	char	*cause = NULL;
	int	 rv;

	rv = fn(value, &cause);
	refused_cause(rv, &cause, what, value, phrase);
}

/* A refusal has rv -1 and a cause with the value and phrase; free it. */
static void
refused_cause(int rv, char **cause, const char *what, const char *value,
    const char *phrase)
{
	ok(rv == -1 && *cause != NULL && strstr(*cause, value) != NULL &&
	    (phrase == NULL || strstr(*cause, phrase) != NULL),
	    "%s \"%s\" refused", what, value);
	if (*cause != NULL)
		printf("#   cause: %s\n", *cause);
	else
		printf("#   no cause\n");
	free(*cause);
	*cause = NULL;
}

/* Append the Luhn digit to a digit string into buf. */
static void
with_luhn(char *buf, size_t len, const char *body)
{
	snprintf(buf, len, "%s%d", body, luhn_digit(body));
}

/* The MOD 37,36 reference values. */
static void
test_iso7064(void)
{
	ok(iso7064_mod37_36("A12425GABC1234002") == 'M', "GRid example: M");
	ok(iso7064_mod37_36("D0000123") == 'H', "D0000123: H");
	ok(iso7064_mod37_36("L0000001") == 'O', "L0000001: O");
	ok(iso7064_mod37_36("R0000002") == '3', "R0000002: 3");
	ok(iso7064_mod37_36("") == 0, "empty string: 0");
	ok(iso7064_mod37_36(NULL) == 0, "NULL: 0");
	ok(iso7064_mod37_36("d0000123") == 0, "lower case: 0");
	ok(iso7064_mod37_36("D-0000123") == 0, "dash: 0");
	ok(iso7064_mod37_36("D0000123\303\251") == 0, "UTF-8 byte: 0");
}

/* Making and checking tags, and every way a tag is refused. */
static void
test_tags(void)
{
	static const unsigned long	 seqs[] = {
		1, 2, 9, 10, 99, 100, 123, 999, 1000, 4242, 65535, 100000,
		999999, 1000000, 1234567, 9999998, 9999999
	};
	static const char		 alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char			*l;
	char				 tag[TAG_LEN + 1], bad[TAG_LEN + 1];
	char				*cause = NULL, letter;
	unsigned long			 seq, s;
	size_t				 i, j, n, missed;
	int				 all, rv;

	tag_make(tag, 'D', 123);
	is_str(tag, "D-0000123-H", "tag_make D 123");
	tag_make(tag, 'L', 1);
	is_str(tag, "L-0000001-O", "tag_make L 1");
	tag_make(tag, 'R', 2);
	is_str(tag, "R-0000002-3", "tag_make R 2");
	tag_make(tag, 'D', 0);
	is_str(tag, "", "tag_make refuses sequence 0");
	tag_make(tag, 'D', TAG_SEQ_MAX + 1);
	is_str(tag, "", "tag_make refuses a sequence above TAG_SEQ_MAX");
	tag_make(tag, 'Z', 1);
	is_str(tag, "", "tag_make refuses an unknown letter");
	tag_make(tag, '\0', 1);
	is_str(tag, "", "tag_make refuses a NUL letter");

	/* Round trips for every letter and many sequences. */
	for (l = TAG_LETTERS; *l != '\0'; l++) {
		all = 1;
		for (i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
			tag_make(tag, *l, seqs[i]);
			letter = 0;
			seq = 0;
			rv = tag_check(tag, *l, &letter, &seq, &cause);
			if (rv != 0 || letter != *l || seq != seqs[i] ||
			    cause != NULL || !tag_shaped(tag))
				all = 0;
			free(cause);
			cause = NULL;
		}
		for (s = 1; s <= TAG_SEQ_MAX; s += 9973) {
			tag_make(tag, *l, s);
			if (tag_check(tag, 0, NULL, &seq, NULL) != 0 ||
			    seq != s)
				all = 0;
		}
		ok(all, "round trips for letter %c", *l);
	}

	/* Every single substitution and adjacent transposition is caught. */
	missed = 0;
	n = 0;
	for (i = 0; i < TAG_LEN; i++) {
		for (j = 0; j < sizeof alphabet - 1; j++) {
			memcpy(bad, "D-0000123-H", sizeof bad);
			if (bad[i] == alphabet[j] || bad[i] == '-')
				continue;
			bad[i] = alphabet[j];
			n++;
			if (tag_check(bad, 0, NULL, NULL, NULL) == 0)
				missed++;
		}
	}
	ok(n > 300 && missed == 0, "%zu substitutions all refused", n);
	/*
	 * A hybrid MOD 37,36 system does not catch every transposition of
	 * two digits: about 0.4% slip through, such as S-1675665-R read as
	 * S-1676565. Check that example and that misses stay rare.
	 */
	rv = tag_check("S-1676565-R", 0, NULL, NULL, NULL);
	ok(rv == 0, "S-1676565-R: a transposition MOD 37,36 misses");
	missed = 0;
	n = 0;
	for (s = 1; s <= TAG_SEQ_MAX; s += 10007) {
		tag_make(tag, 'S', s);
		for (i = 2; i < TAG_LEN - 1; i++) {
			if (tag[i] == tag[i + 1] || tag[i + 1] == '-')
				continue;
			memcpy(bad, tag, sizeof bad);
			bad[i] = tag[i + 1];
			bad[i + 1] = tag[i];
			n++;
			if (tag_check(bad, 0, NULL, NULL, NULL) == 0)
				missed++;
		}
	}
	ok(n > 4000 && missed * 100 < n, "%zu of %zu adjacent transpositions "
	    "missed, under 1%%", missed, n);

	ok(tag_shaped("D-0000123-H"), "shaped");
	ok(tag_shaped("D-0000123-0"), "shaped, wrong check character");
	ok(tag_shaped("Q-0000123-H"), "shaped, unknown letter");
	ok(!tag_shaped("D-0000123-"), "short: not shaped");
	ok(!tag_shaped("D-0000123-HH"), "long: not shaped");
	ok(!tag_shaped("d-0000123-H"), "lower-case letter: not shaped");
	ok(!tag_shaped("D-0000123-h"), "lower-case check: not shaped");
	ok(!tag_shaped("D_0000123-H"), "underscore: not shaped");
	ok(!tag_shaped("D-000O123-H"), "letter O for zero: not shaped");
	ok(!tag_shaped("D0000123H"), "no dashes: not shaped");
	ok(!tag_shaped(""), "empty: not shaped");
	ok(!tag_shaped(NULL), "NULL: not shaped");

	rv = tag_check("D-0000123-h", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D-0000123-h", "e.g. D-0000123-H");
	rv = tag_check("d-0000123-H", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "d-0000123-H", "not a valid tag");
	rv = tag_check("D 0000123 H", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D 0000123 H", "7 digits");
	rv = tag_check("D-0000123-H ", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D-0000123-H ", "7 digits");
	rv = tag_check("D-123-H", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D-123-H", "7 digits");
	rv = tag_check("", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "\"\"", "not a valid tag");
	rv = tag_check("Q-0000123-H", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "Q-0000123-H", TAG_LETTERS);
	rv = tag_check("D-0000123-J", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D-0000123-J",
	    "not a valid tag: check character is wrong;");
	rv = tag_check("D-0000132-H", 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", "D-0000132-H",
	    "not a valid tag: check character");
	snprintf(bad, sizeof bad, "D-0000000-%c", iso7064_mod37_36("D0000000"));
	rv = tag_check(bad, 0, NULL, NULL, &cause);
	refused_cause(rv, &cause, "tag", bad, "0000000");
	rv = tag_check("D-0000123-H", 'L', &letter, &seq, &cause);
	refused_cause(rv, &cause, "tag", "D-0000123-H", "starting with L");

	letter = 0;
	seq = 0;
	rv = tag_check("L-0000001-O", 'L', &letter, &seq, &cause);
	ok(rv == 0 && letter == 'L' && seq == 1 && cause == NULL,
	    "L-0000001-O accepted as a location tag");
	rv = tag_check("R-0000002-3", 0, &letter, &seq, &cause);
	ok(rv == 0 && letter == 'R' && seq == 2, "R-0000002-3 accepted");
	rv = tag_check("R-0000002-3", 0, NULL, NULL, NULL);
	ok(rv == 0, "tag_check without outputs");
	rv = tag_check("R-0000002-4", 0, NULL, NULL, NULL);
	ok(rv == -1,
	    "tag_check refuses without a cause pointer");
}

/* Luhn validity and check digits. */
static void
test_luhn(void)
{
	ok(luhn_valid("79927398713"), "79927398713 valid");
	ok(!luhn_valid("79927398710"), "79927398710 not valid");
	ok(luhn_valid("0"), "0 valid");
	ok(!luhn_valid(""), "empty not valid");
	ok(!luhn_valid(NULL), "NULL not valid");
	ok(!luhn_valid("7992739871a"), "letter not valid");
	ok(!luhn_valid("7992 7398 713"), "spaces not valid");
	ok(luhn_digit("7992739871") == 3, "7992739871: 3");
	ok(luhn_digit("49015420323751") == 8, "49015420323751: 8");
	ok(luhn_digit("35987654321098") == 3, "35987654321098: 3");
	ok(luhn_digit("") == -1, "empty: -1");
	ok(luhn_digit(NULL) == -1, "NULL: -1");
	ok(luhn_digit("12a4") == -1, "letter: -1");
	ok(luhn_digit("0") == 0, "0: 0");
}

/* IMEI checks. */
static void
test_imei(void)
{
	char	imei[32];

	accepted(check_imei, "IMEI", "490154203237518");
	accepted(check_imei, "IMEI", "359876543210983");
	with_luhn(imei, sizeof imei, "35209900176148");
	accepted(check_imei, "IMEI", imei);
	with_luhn(imei, sizeof imei, "86123405678901");
	accepted(check_imei, "IMEI", imei);

	refused(check_imei, "IMEI", "359876543210986", "expected 3");
	refused(check_imei, "IMEI", "490154203237519", "expected 8");
	refused(check_imei, "IMEI", "12345", "found 5");
	refused(check_imei, "IMEI", "4901542032375180", "found 16");
	refused(check_imei, "IMEI", "49015420323751", "found 14");
	refused(check_imei, "IMEI", "", "found 0");
	refused(check_imei, "IMEI", "49-015420-323751-8", "dashes");
	refused(check_imei, "IMEI", "49 015420 323751 8", "spaces");
	refused(check_imei, "IMEI", "49015420323751O", "15 digits");
}

/* ICCID checks, with valid numbers made by luhn_digit. */
static void
test_iccid(void)
{
	char	iccid[32];

	with_luhn(iccid, sizeof iccid, "893315031905000000");
	is_str(iccid, "8933150319050000005", "19-digit ICCID made");
	accepted(check_iccid, "ICCID", iccid);
	with_luhn(iccid, sizeof iccid, "8933150319050000001");
	accepted(check_iccid, "ICCID", iccid);
	with_luhn(iccid, sizeof iccid, "894450000000000000");
	accepted(check_iccid, "ICCID", iccid);

	refused(check_iccid, "ICCID", "8933150319050000003", "expected 5");
	refused(check_iccid, "ICCID", "893315031905000000", "found 18");
	refused(check_iccid, "ICCID", "893315031905000000000", "found 21");
	with_luhn(iccid, sizeof iccid, "793315031905000000");
	refused(check_iccid, "ICCID", iccid, "89");
	refused(check_iccid, "ICCID", "8933 1503 1905 0000 005", "spaces");
	refused(check_iccid, "ICCID", "8933150319050000005F", "19 or 20");
}

/* SIRET checks, including La Poste's exception. */
static void
test_siret(void)
{
	char	siret[32];

	accepted(check_siret, "SIRET", "73282932000074");
	with_luhn(siret, sizeof siret, "4424455300001");
	accepted(check_siret, "SIRET", siret);
	/* La Poste's head office: Luhn-valid, digit sum 26. */
	ok(luhn_valid("35600000000048"), "35600000000048 is Luhn-valid");
	accepted(check_siret, "SIRET", "35600000000048");
	/*
	 * Made up: La Poste SIREN, digit sum 3+5+6+4+9+8+3+7 = 45, a multiple
	 * of 5, yet not Luhn-valid; accepted only by La Poste's rule.
	 */
	ok(!luhn_valid("35600000049837"), "35600000049837 is not Luhn-valid");
	accepted(check_siret, "SIRET", "35600000049837");
	/* La Poste, digit sum 3+5+6+1+1 = 16 and not Luhn-valid. */
	ok(!luhn_valid("35600000000011"), "35600000000011 is not Luhn-valid");
	refused(check_siret, "SIRET", "35600000000011", "multiple of 5");
	/* Digit sum 45 but another SIREN: Luhn applies. */
	ok(!luhn_valid("35600000149827"), "35600000149827 is not Luhn-valid");
	refused(check_siret, "SIRET", "35600000149827", "check digit is wrong");

	refused(check_siret, "SIRET", "12345678901234",
	    "check digit is wrong (Luhn)");
	refused(check_siret, "SIRET", "73282932000075", "(Luhn)");
	refused(check_siret, "SIRET", "732829320", "found 9");
	refused(check_siret, "SIRET", "732 829 320 00074", "14 digits");
	refused(check_siret, "SIRET", "", "found 0");
}

/* INSEE commune codes. */
static void
test_insee(void)
{
	accepted(check_insee, "INSEE code", "93066");
	accepted(check_insee, "INSEE code", "2A004");
	accepted(check_insee, "INSEE code", "2B033");
	accepted(check_insee, "INSEE code", "75056");
	accepted(check_insee, "INSEE code", "01001");
	accepted(check_insee, "INSEE code", "97411");
	accepted(check_insee, "INSEE code", "97611");

	refused(check_insee, "INSEE code", "9306", "such as 93066");
	refused(check_insee, "INSEE code", "93A66", "such as 93066");
	refused(check_insee, "INSEE code", "930660", "such as 93066");
	refused(check_insee, "INSEE code", "00123", "such as 93066");
	refused(check_insee, "INSEE code", "2a004", "such as 93066");
	refused(check_insee, "INSEE code", "2C004", "such as 93066");
	refused(check_insee, "INSEE code", "2A04", "such as 93066");
	refused(check_insee, "INSEE code", "2A", "such as 93066");
	refused(check_insee, "INSEE code", " 93066", "such as 93066");
	refused(check_insee, "INSEE code", "20000", "2A or 2B");
	refused(check_insee, "INSEE code", "20167", "2A or 2B");
	refused(check_insee, "INSEE code", "93000", "postal code");
}

/* Calendar dates. */
static void
test_date(void)
{
	accepted(check_date, "date", "2024-02-29");
	accepted(check_date, "date", "2000-02-29");
	accepted(check_date, "date", "1900-01-01");
	accepted(check_date, "date", "2199-12-31");
	accepted(check_date, "date", "2023-12-31");

	refused(check_date, "date", "2023-02-29", "YYYY-MM-DD");
	refused(check_date, "date", "1900-02-29", "YYYY-MM-DD");
	refused(check_date, "date", "2100-02-29", "YYYY-MM-DD");
	refused(check_date, "date", "2024-04-31", "YYYY-MM-DD");
	refused(check_date, "date", "2024-13-01", "YYYY-MM-DD");
	refused(check_date, "date", "2024-00-10", "YYYY-MM-DD");
	refused(check_date, "date", "2024-01-00", "YYYY-MM-DD");
	refused(check_date, "date", "1899-12-31", "YYYY-MM-DD");
	refused(check_date, "date", "2200-01-01", "YYYY-MM-DD");
	refused(check_date, "date", "2024-1-5", "YYYY-MM-DD");
	refused(check_date, "date", "2024/01/05", "YYYY-MM-DD");
	refused(check_date, "date", "05/01/2024", "YYYY-MM-DD");
	refused(check_date, "date", "2024-01-05T10:00", "YYYY-MM-DD");
	refused(check_date, "date", "2024-01-0", "YYYY-MM-DD");
	refused(check_date, "date", "2024", "YYYY-MM-DD");
}

/* Effective dates: normalised, refused when in the future. */
static void
test_effective(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} good[] = {
		{ "2024-01-15", "2024-01-15T00:00:00Z" },
		{ "2024-02-29", "2024-02-29T00:00:00Z" },
		{ "2024-01-15T14:30", "2024-01-15T14:30:00Z" },
		{ "2024-01-15T14:30Z", "2024-01-15T14:30:00Z" },
		{ "2024-01-15T14:30:05", "2024-01-15T14:30:05Z" },
		{ "2024-01-15T14:30:05Z", "2024-01-15T14:30:05Z" },
		{ "2024-12-31T23:59:59Z", "2024-12-31T23:59:59Z" },
		{ "1900-01-01T00:00", "1900-01-01T00:00:00Z" },
	};
	static const char	*bad[] = {
		"", "2024", "2024-01-15T", "2024-01-15T14", "2024-01-15T14:3",
		"2024-01-15T24:00", "2024-01-15T14:60", "2024-01-15T14:30:60",
		"2024-01-15T14:30:5", "2024-01-15 14:30", "2024-01-15t14:30",
		"2024-01-15Z", "2024-01-15T14:30:05ZZ", "2024-01-15T14:30+01",
		"2023-02-29", "2024-01-15T14:30:05.123Z", "15/01/2024",
	};
	char			 buf[64], *out, *cause = NULL;
	size_t			 i;
	time_t			 now;
	int			 rv;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		out = NULL;
		rv = check_effective(good[i].in, &out, &cause);
		ok(rv == 0 && cause == NULL, "effective %s accepted",
		    good[i].in);
		is_str(out, good[i].out, "effective %s normalised",
		    good[i].in);
		free(out);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = NULL;
		rv = check_effective(bad[i], &out, &cause);
		refused_cause(rv, &cause, "effective", bad[i][0] == '\0' ?
		    "\"\"" : bad[i], "effective date");
		ok(out == NULL, "no output for %s", bad[i]);
	}

	now = time(NULL);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	out = NULL;
	rv = check_effective(buf, &out, NULL);
	ok(rv == 0, "now accepted");
	is_str(out, buf, "now normalised");
	free(out);

	now = time(NULL) + 120;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", gmtime(&now));
	out = NULL;
	rv = check_effective(buf, &out, NULL);
	ok(rv == 0, "two minutes ahead accepted (clock skew)");
	free(out);

	now = time(NULL) - 3600;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", gmtime(&now));
	out = NULL;
	rv = check_effective(buf, &out, NULL);
	ok(rv == 0, "an hour ago accepted");
	free(out);

	now = time(NULL);
	strftime(buf, sizeof buf, "%Y-%m-%d", gmtime(&now));
	out = NULL;
	rv = check_effective(buf, &out, NULL);
	ok(rv == 0, "today (UTC) accepted");
	free(out);

	now = time(NULL) + 3600;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	out = NULL;
	rv = check_effective(buf, &out, &cause);
	refused_cause(rv, &cause, "effective", buf, "is in the future");
	ok(out == NULL, "no output for an hour ahead");

	now = time(NULL) + 2 * 86400;
	strftime(buf, sizeof buf, "%Y-%m-%d", gmtime(&now));
	rv = check_effective(buf, NULL, &cause);
	refused_cause(rv, &cause, "effective", buf, "is in the future");

	rv = check_effective("2199-12-31T23:59", NULL, &cause);
	refused_cause(rv, &cause, "effective", "2199-12-31T23:59",
	    "is in the future");
}

/* French mobile numbers in their usual spellings. */
static void
test_msisdn(void)
{
	static const char	*good[] = {
		"0612345678", "06 12 34 56 78", "06.12.34.56.78",
		"06-12-34-56-78", "+33612345678", "+33 6 12 34 56 78",
		"0033612345678", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78",
		" 06 12 34 56 78 ", "06\302\24012\302\24034 56 78",
		"06\342\200\25712 34 56 78", "+33 06 12 34 56 78",
	};
	static const char	*bad[] = {
		"0112345678", "0812345678", "0912345678", "061234567",
		"06123456789", "+32612345678", "+3361234567", "612345678",
		"33612345678", "06 12 34 56 7A", "06/12/34/56/78",
		"+33+612345678", "06 12 34 56 78 90 12 34 56 78 90",
		"00336123456789", "+33 (0)1 23 45 67 89", "tel: 0612345678",
	};
	char			*out, *cause = NULL;
	size_t			 i;
	int			 rv;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		out = NULL;
		rv = msisdn_normalise(good[i], &out, &cause);
		ok(rv == 0 && cause == NULL, "phone %s accepted", good[i]);
		is_str(out, "+33612345678", "phone %s normalised", good[i]);
		free(out);
		free(cause);
		cause = NULL;
	}
	out = NULL;
	rv = msisdn_normalise("07 81 23 45 67", &out, NULL);
	ok(rv == 0, "07 number accepted");
	is_str(out, "+33781234567", "07 number normalised");
	free(out);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = NULL;
		rv = msisdn_normalise(bad[i], &out, &cause);
		refused_cause(rv, &cause, "phone", bad[i],
		    "French mobile number");
		ok(out == NULL, "no output for %s", bad[i]);
	}
	rv = msisdn_normalise("", NULL, &cause);
	refused_cause(rv, &cause, "phone", "\"\"", "06 12 34 56 78");
}

/* Amounts in euros, both ways. */
static void
test_euros(void)
{
	static const struct {
		const char	*in;
		int64_t		 cents;
	} good[] = {
		{ "189,90", 18990 }, { "189.90", 18990 }, { "189.9", 18990 },
		{ "189,9", 18990 }, { "189", 18900 }, { "0", 0 },
		{ "0,05", 5 }, { "0.5", 50 }, { "1 234,50", 123450 },
		{ "1\342\200\257234,50", 123450 },
		{ "1\302\240234,50", 123450 },
		{ "1 234 567,89", 123456789 }, { "1234567,89", 123456789 },
		{ "10000000", 1000000000 }, { "10 000 000,00", 1000000000 },
		{ " 189,90 ", 18990 }, { "189,90 \342\202\254", 18990 },
		{ "189,90\342\202\254", 18990 }, { "\342\202\254 189", 18900 },
		{ "007", 700 },
	};
	static const char	*bad[] = {
		"", " ", "abc", "189,", ",90", ".5", "189,90a", "1 89",
		"189 90", "12 34,50", "1 2345", "1  234", "1,234,567",
		"189,9,0", "+189",
		"1e3", "189 EUR", "\342\202\254 189 \342\202\254", "0x10",
		"189,90-",
	};
	char			 buf[64], *cause = NULL;
	int64_t			 cents;
	size_t			 i;
	int			 rv;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cents = -1;
		rv = euros_parse(good[i].in, &cents, &cause);
		ok(rv == 0 && cents == good[i].cents && cause == NULL,
		    "amount \"%s\" is %lld cents", good[i].in,
		    (long long)good[i].cents);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rv = euros_parse(bad[i], &cents, &cause);
		refused_cause(rv, &cause, "amount", bad[i][0] == '\0' ?
		    "\"\"" : bad[i], "such as 189,90");
	}
	rv = euros_parse("-189,90", &cents, &cause);
	refused_cause(rv, &cause, "amount", "-189,90", "negative");
	rv = euros_parse("189,901", &cents, &cause);
	refused_cause(rv, &cause, "amount", "189,901", "2 decimals");
	rv = euros_parse("1.234", &cents, &cause);
	refused_cause(rv, &cause, "amount", "1.234", "2 decimals");
	rv = euros_parse("10000000,01", &cents, &cause);
	refused_cause(rv, &cause, "amount", "10000000,01", "10,000,000");
	rv = euros_parse("99999999999999999999999999", &cents, &cause);
	refused_cause(rv, &cause, "amount", "99999999999999999999999999",
	    "10,000,000");
	rv = euros_parse("18446744073709551616,00", &cents, &cause);
	refused_cause(rv, &cause, "amount", "18446744073709551616,00",
	    "10,000,000");
	rv = euros_parse("12", NULL, NULL);
	ok(rv == 0, "no outputs wanted");

	euros_format(18990, buf, sizeof buf);
	is_str(buf, "189.90", "format 18990");
	euros_format(5, buf, sizeof buf);
	is_str(buf, "0.05", "format 5");
	euros_format(0, buf, sizeof buf);
	is_str(buf, "0.00", "format 0");
	euros_format(1000000000, buf, sizeof buf);
	is_str(buf, "10000000.00", "format the maximum");
	euros_format(-150, buf, sizeof buf);
	is_str(buf, "-1.50", "format -150");
	euros_format(INT64_MIN, buf, sizeof buf);
	is_str(buf, "-92233720368547758.08", "format INT64_MIN");
	euros_format(18990, buf, 4);
	is_str(buf, "189", "format truncated to the buffer");
	euros_format(18990, NULL, 0);
	ok(1, "format into nothing");

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		euros_parse(good[i].in, &cents, NULL);
		euros_format(cents, buf, sizeof buf);
		if (euros_parse(buf, &cents, NULL) != 0 ||
		    cents != good[i].cents)
			break;
	}
	ok(i == sizeof good / sizeof good[0], "format then parse round trips");
}

/* The next number of a small linear congruential generator. */
static uint64_t
lcg(uint64_t *state)
{
	*state = (*state * 1103515245 + 12345) % 2147483648U;
	return (*state);
}

/* Random and truncated inputs: nothing crashes, refusals have causes. */
static void
test_fuzz(void)
{
	static const char	*seeds[] = {
		"D-0000123-H", "490154203237518", "8933150319050000005",
		"73282932000074", "2A004", "2024-02-29", "2024-01-15T14:30:05Z",
		"+33 (0)6 12 34 56 78", "1\342\200\257234,50 \342\202\254",
		"06\302\24012", "\342\200", "\342", "\302",
	};
	static const check_fn	 checks[] = {
		check_imei, check_iccid, check_siret, check_insee, check_date
	};
	char			 buf[300], *cause, *out, tag[TAG_LEN + 1];
	uint64_t		 state = 12345;
	unsigned long		 seq;
	int64_t			 cents;
	size_t			 i, j, k, len;
	int			 rv, good = 1;
	char			 letter;

	for (i = 0; i < 20000; i++) {
		if (i < 2000) {
			/* A prefix of a seed, perhaps with a byte changed. */
			k = i % (sizeof seeds / sizeof seeds[0]);
			len = strlen(seeds[k]);
			memcpy(buf, seeds[k], len + 1);
			buf[(i / 13) % (len + 1)] = '\0';
			lcg(&state);
			len = strlen(buf);
			if (len != 0 && (state >> 16) % 2)
				buf[(state >> 8) % len] = (char)(state >> 20);
		} else {
			lcg(&state);
			len = (state >> 16) % (sizeof buf - 1);
			for (j = 0; j < len; j++) {
				lcg(&state);
				buf[j] = (char)((state >> 16) % 255 + 1);
				if ((state >> 24) % 3 == 0)
					buf[j] = "0123456789 -,.:TZ+()"
					    [(state >> 8) % 20];
			}
			buf[len] = '\0';
		}

		for (k = 0; k < sizeof checks / sizeof checks[0]; k++) {
			cause = NULL;
			rv = checks[k](buf, &cause);
			if ((rv == 0) != (cause == NULL) || (rv != 0 &&
			    rv != -1))
				good = 0;
			free(cause);
		}
		cause = NULL;
		rv = tag_check(buf, 'D', &letter, &seq, &cause);
		if ((rv == 0) != (cause == NULL))
			good = 0;
		free(cause);
		if (rv == 0) {
			tag_make(tag, letter, seq);
			if (strcmp(tag, buf) != 0)
				good = 0;
		}
		(void)iso7064_mod37_36(buf);
		(void)tag_shaped(buf);
		(void)luhn_valid(buf);
		(void)luhn_digit(buf);

		cause = out = NULL;
		rv = check_effective(buf, &out, &cause);
		if ((rv == 0) != (out != NULL) || (rv == 0) != (cause == NULL))
			good = 0;
		free(out);
		free(cause);

		cause = out = NULL;
		rv = msisdn_normalise(buf, &out, &cause);
		if ((rv == 0) != (out != NULL) ||
		    (rv == 0) != (cause == NULL) ||
		    (out != NULL && (strlen(out) != 12 ||
		    strncmp(out, "+33", 3) != 0)))
			good = 0;
		free(out);
		free(cause);

		cause = NULL;
		rv = euros_parse(buf, &cents, &cause);
		if ((rv == 0) != (cause == NULL) ||
		    (rv == 0 && (cents < 0 || cents > 1000000000)))
			good = 0;
		free(cause);
	}
	ok(good, "20000 fuzzed inputs survived with consistent results");

	/* A long value is cut short in the message. */
	memset(buf, '7', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	cause = NULL;
	rv = check_imei(buf, &cause);
	ok(rv == -1 && cause != NULL && strlen(cause) < 200 &&
	    strstr(cause, "...") != NULL && strstr(cause, "299") != NULL,
	    "long value cut short in the cause");
	free(cause);

	/* Control bytes do not reach the message. */
	cause = NULL;
	rv = check_insee("93\n\033[2J", &cause);
	ok(rv == -1 && cause != NULL && strchr(cause, '\n') == NULL &&
	    strchr(cause, '\033') == NULL, "control bytes replaced in the "
	    "cause");
	free(cause);
}

int
main(void)
{
	test_iso7064();
	test_tags();
	test_luhn();
	test_imei();
	test_iccid();
	test_siret();
	test_insee();
	test_date();
	test_effective();
	test_msisdn();
	test_euros();
	test_fuzz();
	return (tap_done());
}
