/*
 * Tags and identifier checks, pure code shared by daemon and client.
 *
 * A tag is a type letter, '-', a 7-digit sequence, '-', and one check
 * character computed with ISO/IEC 7064 MOD 37,36 over the letter and the
 * digits: D-0000123-H. Only upper-case letters, digits and '-', so a QR code
 * stays in alphanumeric mode and survives keyboard-emulating scanners.
 *
 * Every check_* function returns 0 when the value is valid and -1 otherwise,
 * with *cause set (allocated, caller frees) to a translated sentence that
 * names the value and what is wrong, e.g.
 * "IMEI 359876543210986: check digit is wrong (expected 3)".
 */
#ifndef TAG_H
#define TAG_H

#include <stdint.h>

#define TAG_LEN		11		/* "D-0000123-H" */
#define TAG_SEQ_MAX	9999999UL

/* The type letters in use. */
#define TAG_LETTERS	"DSALRFKBPEO"

/* ISO/IEC 7064 MOD 37,36 check character over [0-9A-Z]; 0 if bad input. */
char	 iso7064_mod37_36(const char *);
/* Write the tag for a letter and a sequence into out (TAG_LEN + 1). */
void	 tag_make(char *out, char letter, unsigned long seq);
/* Is this the shape of a tag (whatever its check character)? */
int	 tag_shaped(const char *);
/*
 * Check a tag: shape, known letter, check character. If want is not 0, the
 * letter must be want. On success *letter and *seq are set if not NULL.
 */
int	 tag_check(const char *, char want, char *letter, unsigned long *seq,
	    char **cause);

/* Luhn: is the digit string valid / what check digit completes it. */
int	 luhn_valid(const char *);
int	 luhn_digit(const char *);

int	 check_imei(const char *, char **cause);
int	 check_iccid(const char *, char **cause);
int	 check_siret(const char *, char **cause);
int	 check_insee(const char *, char **cause);
int	 check_date(const char *, char **cause);
/* Date or date-time "YYYY-MM-DD[THH:MM[:SS][Z]]", not after now. */
int	 check_effective(const char *, char **out, char **cause);
/* A French mobile number, normalised to "+33612345678" in *out. */
int	 msisdn_normalise(const char *, char **out, char **cause);
/* "189,90", "189.9", "189" euros into cents; no sign, at most 2 decimals. */
int	 euros_parse(const char *, int64_t *cents, char **cause);
/* Cents back to "189.90". */
void	 euros_format(int64_t cents, char *out, unsigned long len);

#endif
