/*
 * Unit tests for daemon/lieux.c: files of the standard « Lieux de
 * médiation numérique » read into places (columns by name, lists, the
 * separator found on the header line, BOM), telephone numbers, the
 * programme's kinds of training, and each kind of bad value.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"
#include "tap.h"

static struct lieux_file *file(const char *);
static const char *problem(json_t *, size_t, const char *);
static void	 test_phone(void);
static void	 test_read(void);
static void	 test_bad(void);

/* A file read (or NULL, with the cause printed). */
static struct lieux_file *
file(const char *text)
{
	struct lieux_file *lf;
	char *cause = NULL;

	if (lieux_read(text, strlen(text), &lf, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		return (NULL);
	}
	return (lf);
}

/* The message of the problem on a line and column, or NULL. */
static const char *
problem(json_t *list, size_t line, const char *column)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
		if ((size_t)json_integer_value(json_object_get(e, "line")) ==
		    line && json_is_string(json_object_get(e, "column")) &&
		    strcmp(json_string_value(json_object_get(e, "column")),
		    column) == 0)
			return (json_string_value(json_object_get(e,
			    "message")));
	return (NULL);
}

static void
test_phone(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} good[] = {
		{ "+33180059880", "+33180059880" },
		{ "01 80 05 98 80", "+33180059880" },
		{ "01.80.05.98.80", "+33180059880" },
		{ "01-80-05-98-80", "+33180059880" },
		{ "+33 (0)1 80 05 98 80", "+33180059880" },
		{ "0033 1 80 05 98 80", "+33180059880" },
		{ "06 12 34 56 78", "+33612345678" },
		{ "+590 590 12 34 56", "+590590123456" },
		{ NULL, NULL }
	};
	static const char *const bad[] = {
		"12 34", "00 00 00 00 00", "+33 0 1", "01 80 05 98 8",
		"+44 20 7946 0958", "01 80 05 98 80 poste 12", "", NULL
	};
	char *out, *cause;
	int i;

	for (i = 0; good[i].in != NULL; i++) {
		out = NULL;
		ok(lieux_phone(good[i].in, &out, &cause) == 0 && out != NULL &&
		    strcmp(out, good[i].out) == 0, "telephone %s is %s",
		    good[i].in, good[i].out);
		free(out);
	}
	for (i = 0; bad[i] != NULL; i++) {
		cause = NULL;
		ok(lieux_phone(bad[i], &out, &cause) == -1 && cause != NULL &&
		    strstr(cause, "expected a French number") != NULL,
		    "telephone \"%s\" refused", bad[i]);
		free(cause);
	}
}

static void
test_read(void)
{
	struct lieux_file *lf;
	json_t *p;

	lf = file("\xef\xbb\xbfservices;nom;id;pivot;commune;code_postal;"
	    "adresse;date_maj;horaires;frais_a_charge;autre\n"
	    "\"Aide aux démarches administratives|LOISIRS et créations "
	    "numériques|Numérique responsable\";\"Lieu; avec\";a1;"
	    "W931234567;Stains;93240;1 rue A;2024-01-02;\"Mo 09:00-12:00; "
	    "Tu 10:00-11:00\";Gratuit;ignorée\n");
	ok(lf != NULL && lf->nrows == 1 && !lf->rows[0].bad,
	    "a ';' file with a BOM, columns in any order");
	if (lf == NULL)
		return;
	p = lf->rows[0].place;
	is_str(json_string_value(json_object_get(p, "ref")), "a1", "the id");
	is_str(json_string_value(json_object_get(p, "name")),
	    "Lieu; avec", "a quoted name keeps its ';'");
	is_str(json_string_value(json_object_get(p, "hours")),
	    "Mo 09:00-12:00; Tu 10:00-11:00", "hours are not a list");
	ok(json_array_size(json_object_get(p, "services")) == 3,
	    "three services");
	is_str(json_string_value(json_array_get(json_object_get(p,
	    "services"), 1)), "Loisirs et créations numériques",
	    "a service spelt otherwise is the standard's");
	is_str(problem(lf->warnings, 2, "services"), "services: « Numérique "
	    "responsable » is not in the standard's list (v1.0.2): kept as "
	    "written", "an unknown one is a warning");
	ok(json_object_get(p, "autre") == NULL, "other columns ignored");
	lieux_free(lf);

	lf = file("id,pivot,nom,commune,code_postal,adresse,date_maj,services,"
	    "telephone\n,,,,,,,,\n"
	    "b1,43493312300029,Lieu,Saint-Denis,93200,1 rue B,2024-01-02,"
	    "Aide aux démarches administratives|Aide aux démarches "
	    "administratives,01 48 20 30 40\n");
	ok(lf != NULL && lf->nrows == 1 && !lf->rows[0].bad,
	    "a ',' file; an empty row is no row");
	if (lf != NULL) {
		p = lf->rows[0].place;
		ok(json_array_size(json_object_get(p, "services")) == 1,
		    "a service given twice is one");
		is_str(json_string_value(json_array_get(json_object_get(p,
		    "phones"), 0)), "+33148203040", "the telephone normalised");
		ok(lf->rows[0].line == 3, "rows keep their line");
	}
	lieux_free(lf);
	is_str(lieux_kind("Aide aux démarches administratives"),
	    "online_procedures", "a service's kind of training");
	ok(lieux_kind("Accès internet et matériel informatique") == NULL,
	    "access to equipment is no training");
	is_str(lieux_service("creative_digital"),
	    "Loisirs et créations numériques", "a kind's service");
}

static void
test_bad(void)
{
	struct lieux_file *lf;
	char *cause = NULL;

	lf = file("id,pivot,nom,commune,code_postal,code_insee,adresse,"
	    "date_maj,services,latitude\n"
	    "c1,43493312300028,L,Bobigny,93000,,1 rue,2024-01-02,Aide aux "
	    "démarches administratives,\n"
	    "c2,43493312300029,L,Bobigny,930,,1 rue,2024-01-02,Aide aux "
	    "démarches administratives,\n"
	    "c3,43493312300029,L,Bobigny,93000,93A08,1 rue,2024-13-02,Aide "
	    "aux démarches administratives,nord\n"
	    "c4,43493312300029,,Bobigny,93000,,\"1 rue\nBobigny\",2024-01-02,,\n"
	    "c1,43493312300029,L,Bobigny,93000,,1 rue,2024-01-02,Aide aux "
	    "démarches administratives,\n"
	    "c5,W12,L,Bobigny,93000,,1 rue,2024-01-02,Aide aux démarches "
	    "administratives,,en trop\n");
	ok(lf != NULL && lf->nrows == 6, "six rows read");
	if (lf == NULL)
		return;
	ok(lf->rows[0].bad && lf->rows[1].bad && lf->rows[2].bad &&
	    lf->rows[3].bad && !lf->rows[4].bad && lf->rows[5].bad,
	    "each one bad but the id of a bad row given again");
	is_str(problem(lf->errors, 2, "pivot"), "SIRET 43493312300028: check "
	    "digit is wrong (Luhn)", "a SIRET's check digit");
	is_str(problem(lf->errors, 3, "code_postal"), "code_postal 930: "
	    "expected 5 digits", "a short postal code");
	ok(problem(lf->errors, 4, "code_insee") != NULL, "a bad INSEE code");
	is_str(problem(lf->errors, 4, "date_maj"), "date_maj 2024-13-02: "
	    "expected an ISO date such as 2024-04-02", "a month 13");
	ok(problem(lf->warnings, 4, "latitude") != NULL,
	    "a latitude that is not one is a warning");
	is_str(problem(lf->errors, 5, "nom"), "nom is required", "no name");
	is_str(problem(lf->errors, 5, "services"), "services is required",
	    "no service");
	is_str(problem(lf->errors, 5, "adresse"), "adresse holds a line "
	    "break", "an address on two lines");
	ok(problem(lf->errors, 6, "id") == NULL, "an id repeated from a bad "
	    "row is not a repeat");
	ok(strstr(json_string_value(json_object_get(json_array_get(
	    lf->errors, json_array_size(lf->errors) - 1), "message")),
	    "line 7 has 11 values for 10 columns") != NULL,
	    "a row with more values than columns");
	ok(json_array_size(lf->errors) == 8, "eight problems (%zu)",
	    json_array_size(lf->errors));
	lieux_free(lf);

	ok(lieux_read("id,nom\na,b\n", 10, &lf, &cause) == -1 && cause !=
	    NULL && strstr(cause, "no column pivot") != NULL,
	    "a header without the required columns");
	free(cause);
	cause = NULL;
	ok(lieux_read("\n\n", 2, &lf, &cause) == -1 && cause != NULL,
	    "an empty file");
	free(cause);
}

int
main(void)
{
	test_phone();
	test_read();
	test_bad();
	return (tap_done());
}
