/*
 * Tags and identifier checks, pure code shared by daemon and client: the tag
 * check character (ISO/IEC 7064 MOD 37,36), Luhn, and the checks on what an
 * operator types or scans (IMEI, ICCID, SIRET, INSEE code, dates, phone
 * numbers, amounts in euros), each refusing with a sentence that names the
 * value and what is wrong.
 *
 * Any input may come from a scanner, a form or a file: the parsers look at
 * one byte at a time and stop at the first NUL, so no byte sequence makes
 * them read past the string or overflow, and a value quoted in a message is
 * cut short and has its control bytes replaced.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "tag.h"
#include "xmalloc.h"

#define TAG_SHOWN_MAX	64			/* bytes of a quoted value */
#define TAG_SKEW	300			/* seconds of clock skew */
#define TAG_DAY		INT64_C(86400)
#define EUROS_MAX	INT64_C(1000000000)	/* 10,000,000 euros */
#define MSISDN_DIGITS	16

/* The value quoted in a message, in a local buffer called shown. */
#define SHOWN(s)	tag_shown(s, shown, sizeof shown)

static const char tag_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static const char	*tag_shown(const char *, char *, size_t);
static int		 tag_fail(char **, const char *, ...)
			    __attribute__((__format__(printf, 2, 3)));
static int		 tag_value(char);
static int		 tag_digits(const char *, size_t *);
static size_t		 tag_space(const char *);
static size_t		 tag_euro(const char *);
static int		 tag_number(const char *, size_t, int *);
static int		 tag_mdays(int, int);
static int		 tag_date(const char *, int *, int *, int *);
static int64_t		 tag_days(int, int, int);

/* Copy a value for a message: control bytes become '?', long ones are cut. */
static const char *
tag_shown(const char *s, char *buf, size_t len)
{
	size_t		i;
	unsigned char	c;

	if (s == NULL || *s == '\0')
		return ("\"\"");
	for (i = 0; s[i] != '\0' && i < len - 4; i++) {
		c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		/* Cut before the start of a UTF-8 sequence, not inside it. */
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--;
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return (buf);
}

/* Set *cause (if wanted) to the formatted sentence and return -1. */
static int
tag_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/* The value 0..35 of a character of [0-9A-Z], or -1. */
static int
tag_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(tag_alphabet, c)) == NULL)
		return (-1);
	return ((int)(p - tag_alphabet));
}

/* Is the string only digits (possibly none)? Its length goes in *len. */
static int
tag_digits(const char *s, size_t *len)
{
	size_t	i;
	int	only = 1;

	if (s == NULL) {
		*len = 0;
		return (0);
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			only = 0;
	}
	*len = i;
	return (only);
}

/* The length of the space (ASCII or no-break, in UTF-8) at s, or 0. */
static size_t
tag_space(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (u[0] == ' ' || u[0] == '\t')
		return (1);
	if (u[0] == 0xc2 && u[1] == 0xa0)		/* U+00A0 */
		return (2);
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0xaf || u[2] == 0x89))		/* U+202F, U+2009 */
		return (3);
	return (0);
}

/* The length of the euro sign (UTF-8) at s, or 0. */
static size_t
tag_euro(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (u[0] == 0xe2 && u[1] == 0x82 && u[2] == 0xac)	/* U+20AC */
		return (3);
	return (0);
}

/* Read exactly n digits into *v; -1 if one of them is not a digit. */
static int
tag_number(const char *s, size_t n, int *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	return (0);
}

/* The number of days in a month of a year. */
static int
tag_mdays(int y, int m)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (mdays[m - 1]);
}

/* Read a real date "YYYY-MM-DD" from the first 10 bytes of s; 0 or -1. */
static int
tag_date(const char *s, int *y, int *m, int *d)
{
	if (tag_number(s, 4, y) != 0 || s[4] != '-' ||
	    tag_number(s + 5, 2, m) != 0 || s[7] != '-' ||
	    tag_number(s + 8, 2, d) != 0)
		return (-1);
	if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12)
		return (-1);
	if (*d < 1 || *d > tag_mdays(*y, *m))
		return (-1);
	return (0);
}

/* The number of days from 1970-01-01 to a date (year 0 or later). */
static int64_t
tag_days(int y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The ISO/IEC 7064 MOD 37,36 check character of a [0-9A-Z] string. */
char
iso7064_mod37_36(const char *s)
{
	int	p = 36, t, v;

	if (s == NULL || *s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if ((v = tag_value(*s)) == -1)
			return (0);
		t = (p + v) % 36;
		if (t == 0)
			t = 36;
		p = (t * 2) % 37;
	}
	return (tag_alphabet[(37 - p) % 36]);
}

/* Write a tag, or an empty string for an unknown letter or a bad sequence. */
void
tag_make(char *out, char letter, unsigned long seq)
{
	char	body[9];

	if (out == NULL)
		return;
	out[0] = '\0';
	if (letter == '\0' || strchr(TAG_LETTERS, letter) == NULL)
		return;
	if (seq == 0 || seq > TAG_SEQ_MAX)
		return;
	snprintf(body, sizeof body, "%c%07lu", letter, seq);
	snprintf(out, TAG_LEN + 1, "%c-%s-%c", letter, body + 1,
	    iso7064_mod37_36(body));
}

/* Is the string exactly a letter, a dash, 7 digits, a dash and [0-9A-Z]? */
int
tag_shaped(const char *s)
{
	int	i, good;
	char	c;

	if (s == NULL)
		return (0);
	for (i = 0; i < TAG_LEN; i++) {
		c = s[i];
		if (i == 0)
			good = (c >= 'A' && c <= 'Z');
		else if (i == 1 || i == 9)
			good = (c == '-');
		else if (i == 10)
			good = (tag_value(c) != -1);
		else
			good = (c >= '0' && c <= '9');
		if (!good)	/* a NUL is never good, so stop there */
			return (0);
	}
	return (s[TAG_LEN] == '\0');
}

/* Check a tag's shape, letter, check character and sequence. */
int
tag_check(const char *s, char want, char *letter, unsigned long *seq,
    char **cause)
{
	char		 shown[TAG_SHOWN_MAX], body[9], check;
	unsigned long	 n = 0;
	int		 i;

	if (!tag_shaped(s)) {
		return (tag_fail(cause, _("%s is not a valid tag: expected a "
		    "letter, a dash, 7 digits, a dash and a check character, "
		    "e.g. D-0000123-H"), SHOWN(s)));
	}
	if (strchr(TAG_LETTERS, s[0]) == NULL) {
		return (tag_fail(cause, _("%s is not a valid tag: %c is not a "
		    "tag letter (expected one of %s)"), SHOWN(s), s[0],
		    TAG_LETTERS));
	}

	body[0] = s[0];
	memcpy(body + 1, s + 2, 7);
	body[8] = '\0';
	check = iso7064_mod37_36(body);
	if (check != s[10]) {
		/*
		 * Not naming the right character is deliberate: a typo
		 * elsewhere in the tag would be "fixed" onto another item.
		 */
		return (tag_fail(cause, _("%s is not a valid tag: check "
		    "character is wrong; type or scan it again"), SHOWN(s)));
	}

	for (i = 2; i < 9; i++)
		n = n * 10 + (unsigned long)(s[i] - '0');
	if (n == 0) {
		return (tag_fail(cause, _("%s is not a valid tag: sequence "
		    "0000000 is never issued"), SHOWN(s)));
	}
	if (want != '\0' && s[0] != want) {
		return (tag_fail(cause, _("%s is not a valid tag here: "
		    "expected a tag starting with %c"), SHOWN(s), want));
	}

	if (letter != NULL)
		*letter = s[0];
	if (seq != NULL)
		*seq = n;
	return (0);
}

/* Is a non-empty digit string valid under Luhn? */
int
luhn_valid(const char *s)
{
	size_t	len, i;
	int	sum = 0, d;

	if (!tag_digits(s, &len) || len == 0)
		return (0);
	for (i = 0; i < len; i++) {
		d = s[len - 1 - i] - '0';
		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum = (sum + d) % 10;
	}
	return (sum == 0);
}

/* The Luhn digit to append to a non-empty digit string, or -1. */
int
luhn_digit(const char *s)
{
	size_t	len, i;
	int	sum = 0, d;

	if (!tag_digits(s, &len) || len == 0)
		return (-1);
	for (i = 0; i < len; i++) {
		d = s[len - 1 - i] - '0';
		if (i % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum = (sum + d) % 10;
	}
	return ((10 - sum) % 10);
}

/* Check an IMEI: 15 digits, the last a Luhn check digit. */
int
check_imei(const char *s, char **cause)
{
	char	shown[TAG_SHOWN_MAX], body[15];
	size_t	len;

	if (!tag_digits(s, &len)) {
		return (tag_fail(cause, _("IMEI %s: must be 15 digits, without "
		    "spaces, dashes or other characters"), SHOWN(s)));
	}
	if (len != 15) {
		return (tag_fail(cause, _("IMEI %s: must be 15 digits "
		    "(found %zu)"), SHOWN(s), len));
	}
	if (!luhn_valid(s)) {
		memcpy(body, s, 14);
		body[14] = '\0';
		return (tag_fail(cause, _("IMEI %s: check digit is wrong "
		    "(expected %d)"), SHOWN(s), luhn_digit(body)));
	}
	return (0);
}

/* Check a SIM card ICCID: 19 or 20 digits from 89, Luhn over them all. */
int
check_iccid(const char *s, char **cause)
{
	char	shown[TAG_SHOWN_MAX], body[20];
	size_t	len;

	if (!tag_digits(s, &len)) {
		return (tag_fail(cause, _("ICCID %s: must be 19 or 20 digits, "
		    "without spaces or other characters"), SHOWN(s)));
	}
	if (len != 19 && len != 20) {
		return (tag_fail(cause, _("ICCID %s: must be 19 or 20 digits "
		    "(found %zu)"), SHOWN(s), len));
	}
	if (s[0] != '8' || s[1] != '9') {
		return (tag_fail(cause, _("ICCID %s: must start with 89, the "
		    "prefix of SIM cards"), SHOWN(s)));
	}
	if (!luhn_valid(s)) {
		memcpy(body, s, len - 1);
		body[len - 1] = '\0';
		return (tag_fail(cause, _("ICCID %s: check digit is wrong "
		    "(expected %d)"), SHOWN(s), luhn_digit(body)));
	}
	return (0);
}

/* Check a SIRET: 14 digits, Luhn, or La Poste's digit sum rule. */
int
check_siret(const char *s, char **cause)
{
	char	shown[TAG_SHOWN_MAX];
	size_t	len, i;
	int	sum = 0;

	if (!tag_digits(s, &len)) {
		return (tag_fail(cause, _("SIRET %s: must be 14 digits, "
		    "without spaces or other characters"), SHOWN(s)));
	}
	if (len != 14) {
		return (tag_fail(cause, _("SIRET %s: must be 14 digits "
		    "(found %zu)"), SHOWN(s), len));
	}
	if (luhn_valid(s))
		return (0);
	if (strncmp(s, "356000000", 9) == 0) {
		/* La Poste's establishments: digit sum a multiple of 5. */
		for (i = 0; i < len; i++)
			sum += s[i] - '0';
		if (sum % 5 == 0)
			return (0);
		return (tag_fail(cause, _("SIRET %s: check digit is wrong (La "
		    "Poste: the sum of the digits must be a multiple of 5)"),
		    SHOWN(s)));
	}
	return (tag_fail(cause, _("SIRET %s: check digit is wrong (Luhn)"),
	    SHOWN(s)));
}

/* Check a commune's INSEE code: 93066, 97411, or 2A004 in Corsica. */
int
check_insee(const char *s, char **cause)
{
	char	shown[TAG_SHOWN_MAX];
	int	i, corsica;

	if (s == NULL)
		goto invalid;
	corsica = (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'));
	for (i = 0; i < 5; i++) {
		if (corsica && i < 2)
			continue;
		if (s[i] < '0' || s[i] > '9')
			goto invalid;
	}
	if (s[5] != '\0' || (s[0] == '0' && s[1] == '0'))
		goto invalid;
	if (s[0] == '2' && s[1] == '0') {
		return (tag_fail(cause, _("INSEE code %s: Corsican communes "
		    "start with 2A or 2B, such as 2A004 (20... is a postal "
		    "code)"), SHOWN(s)));
	}
	if (strcmp(s + 2, "000") == 0) {
		return (tag_fail(cause, _("INSEE code %s: no commune is "
		    "numbered 000, this looks like a postal code (the INSEE "
		    "code of Saint-Denis, postal code 93200, is 93066)"),
		    SHOWN(s)));
	}
	return (0);

invalid:
	return (tag_fail(cause, _("INSEE code %s: expected 5 characters such "
	    "as 93066"), SHOWN(s)));
}

/* Check a date "YYYY-MM-DD": a real day of a year from 1900 to 2199. */
int
check_date(const char *s, char **cause)
{
	char	shown[TAG_SHOWN_MAX];
	int	y, m, d;

	if (s == NULL || tag_date(s, &y, &m, &d) != 0 || s[10] != '\0') {
		return (tag_fail(cause, _("date %s: expected a real date as "
		    "YYYY-MM-DD"), SHOWN(s)));
	}
	return (0);
}

/* Check a date or UTC date-time not after now and normalise it. */
int
check_effective(const char *s, char **out, char **cause)
{
	char		 shown[TAG_SHOWN_MAX];
	const char	*p;
	int		 y, m, d, hh = 0, mm = 0, ss = 0, dateonly;
	int64_t		 when, now, today, local;
	time_t		 t;
	struct tm	*tm;

	if (s == NULL || tag_date(s, &y, &m, &d) != 0)
		goto invalid;
	p = s + 10;
	dateonly = (*p == '\0');
	if (!dateonly) {
		if (p[0] != 'T' || tag_number(p + 1, 2, &hh) != 0 ||
		    p[3] != ':' || tag_number(p + 4, 2, &mm) != 0)
			goto invalid;
		p += 6;
		if (*p == ':') {
			if (tag_number(p + 1, 2, &ss) != 0)
				goto invalid;
			p += 3;
		}
		if (*p == 'Z')
			p++;
		if (*p != '\0' || hh > 23 || mm > 59 || ss > 59)
			goto invalid;
	}

	t = time(NULL);
	now = (int64_t)t;
	if (dateonly) {
		/* Today is fine, whether in UTC or in local time. */
		today = now / TAG_DAY;
		if ((tm = localtime(&t)) != NULL) {
			local = tag_days(tm->tm_year + 1900, tm->tm_mon + 1,
			    tm->tm_mday);
			if (local > today)
				today = local;
		}
		if (tag_days(y, m, d) > today)
			goto future;
	} else {
		when = tag_days(y, m, d) * TAG_DAY + hh * 3600 + mm * 60 + ss;
		if (when > now + TAG_SKEW)
			goto future;
	}

	if (out != NULL) {
		xasprintf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh,
		    mm, ss);
	}
	return (0);

invalid:
	return (tag_fail(cause, _("effective date %s: expected a date such as "
	    "2024-06-01 or a UTC date and time such as 2024-06-01T14:30"),
	    SHOWN(s)));
future:
	return (tag_fail(cause, _("effective date %s is in the future"),
	    SHOWN(s)));
}

/* Normalise a French mobile number (06 or 07) to "+33612345678". */
int
msisdn_normalise(const char *s, char **out, char **cause)
{
	char		 shown[TAG_SHOWN_MAX], digits[MSISDN_DIGITS + 1];
	const char	*national;
	size_t		 i = 0, n = 0, skip;
	int		 plus = 0, abroad;

	if (s == NULL)
		goto invalid;
	while ((skip = tag_space(s + i)) != 0)
		i += skip;
	if (s[i] == '+') {
		plus = 1;
		i++;
	}
	for (; s[i] != '\0'; i += skip) {
		skip = 1;
		if (s[i] >= '0' && s[i] <= '9') {
			if (n == MSISDN_DIGITS)
				goto invalid;
			digits[n++] = s[i];
		} else if (strchr(".-()", s[i]) == NULL &&
		    (skip = tag_space(s + i)) == 0)
			goto invalid;
	}
	digits[n] = '\0';

	abroad = 1;
	if (plus && n >= 2 && memcmp(digits, "33", 2) == 0)
		skip = 2;
	else if (!plus && n >= 4 && memcmp(digits, "0033", 4) == 0)
		skip = 4;
	else if (!plus && n >= 1 && digits[0] == '0') {
		skip = 1;
		abroad = 0;
	} else
		goto invalid;
	national = digits + skip;
	n -= skip;
	/* "+33 (0)6 12 34 56 78" and "+33 06..." keep a national 0. */
	if (abroad && n == 10 && national[0] == '0') {
		national++;
		n--;
	}
	if (n != 9 || (national[0] != '6' && national[0] != '7'))
		goto invalid;

	if (out != NULL)
		xasprintf(out, "+33%s", national);
	return (0);

invalid:
	return (tag_fail(cause, _("phone number %s: expected a French mobile "
	    "number such as 06 12 34 56 78"), SHOWN(s)));
}

/* Read an amount in euros ("1 234,50", "189.9", "189 €") into cents. */
int
euros_parse(const char *s, int64_t *cents, char **cause)
{
	char	shown[TAG_SHOWN_MAX];
	int64_t	euros = 0, frac = 0;
	size_t	i = 0, skip;
	int	ndigits = 0, group = 0, grouped = 0, ndec = 0, big = 0;
	int	euro = 0;

	if (s == NULL)
		goto invalid;
	while ((skip = tag_space(s + i)) != 0)
		i += skip;
	if ((skip = tag_euro(s + i)) != 0) {
		euro = 1;
		i += skip;
		while ((skip = tag_space(s + i)) != 0)
			i += skip;
	}
	if (s[i] == '-') {
		return (tag_fail(cause, _("amount %s: must not be negative"),
		    SHOWN(s)));
	}

	/* Euros, maybe in groups of three digits separated by a space. */
	for (;;) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (euros > EUROS_MAX / 100)
				big = 1;
			else
				euros = euros * 10 + (s[i] - '0');
			ndigits++;
			group++;
			i++;
			continue;
		}
		if ((skip = tag_space(s + i)) == 0 ||
		    s[i + skip] < '0' || s[i + skip] > '9')
			break;
		if (grouped ? group != 3 : group > 3)
			goto invalid;
		grouped = 1;
		group = 0;
		i += skip;
	}
	if (ndigits == 0 || (grouped && group != 3))
		goto invalid;

	/* Cents after a comma or a point. */
	if (s[i] == ',' || s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			if (ndec < 2)
				frac = frac * 10 + (s[i] - '0');
			ndec++;
			i++;
		}
		if (ndec == 0)
			goto invalid;
		if (ndec == 1)
			frac *= 10;
	}

	while ((skip = tag_space(s + i)) != 0)
		i += skip;
	if (!euro && (skip = tag_euro(s + i)) != 0) {
		i += skip;
		while ((skip = tag_space(s + i)) != 0)
			i += skip;
	}
	if (s[i] != '\0')
		goto invalid;

	if (ndec > 2) {
		return (tag_fail(cause, _("amount %s: at most 2 decimals (the "
		    "cents) are allowed"), SHOWN(s)));
	}
	if (big || euros * 100 + frac > EUROS_MAX) {
		return (tag_fail(cause, _("amount %s: above the limit of "
		    "10,000,000 euros"), SHOWN(s)));
	}
	if (cents != NULL)
		*cents = euros * 100 + frac;
	return (0);

invalid:
	return (tag_fail(cause, _("amount %s: expected euros such as 189,90"),
	    SHOWN(s)));
}

/* Write cents as euros with a point and two decimals, "189.90". */
void
euros_format(int64_t cents, char *out, unsigned long len)
{
	uint64_t	u;

	if (out == NULL || len == 0)
		return;
	/* -(cents + 1) + 1 negates even INT64_MIN without overflow. */
	u = cents < 0 ? (uint64_t)-(cents + 1) + 1 : (uint64_t)cents;
	snprintf(out, len, "%s%" PRIu64 ".%02" PRIu64, cents < 0 ? "-" : "",
	    u / 100, u % 100);
}
