/*
 * Delivery manifests as refurbishers send them: CSV exported from French
 * spreadsheets. Pure code, no I/O, robust to any bytes (it is fuzzed).
 *
 * csv_read turns bytes into records: RFC 4180 quoting (separators, quotes
 * and line breaks inside quoted values), ',' ';' or tab as separator
 * (detected), UTF-8 with or without BOM, or Windows-1252 (detected when the
 * bytes are not UTF-8, and converted). csv_manifest then finds the header,
 * matches its names without regard to case, accents and spacing, with
 * French and English synonyms, and reads every line into a unit: kinds and
 * grades in French or English, decimal commas, dates as dd/mm/yyyy or ISO,
 * IMEI and ICCID checks, duplicates within the file. Every bad value is
 * reported with its line, column and reason; unknown columns are kept as
 * notes.
 *
 * Line numbers are those a spreadsheet shows: the header is usually line
 * 1, and a value holding a line break does not start a new line.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>
#include <stdint.h>

#define CSV_COLUMNS_MAX	128
#define CSV_LINES_MAX	50000
#define CSV_VALUE_MAX	200	/* names, models, serials (the daemon's too) */
#define CSV_NOTE_MAX	1000	/* a note taken from an unknown column */
#define CSV_HEADER_SEARCH 10	/* lines searched for the header */

/* A record: its line and its fields (pointing into the table's text). */
struct csv_record {
	size_t		 line;
	size_t		 nfields;
	char		**fields;
};

/* What csv_read found: separator, encoding, records. */
struct csv_table {
	char		 sep;
	int		 bom;		/* started with a UTF-8 BOM */
	int		 cp1252;	/* converted from Windows-1252 */
	size_t		 nrecords;
	struct csv_record *records;
	char		*text;
};

/* Read bytes as CSV; -1 with *cause (allocated) if they are not CSV text. */
int	 csv_read(const void *, size_t, struct csv_table **, char **);
/* The same with a separator known beforehand ('\0': detected). */
int	 csv_read_sep(const void *, size_t, char, struct csv_table **, char **);
void	 csv_table_free(struct csv_table *);

/* What a manifest column gives. */
enum csv_field {
	CSV_KIND,
	CSV_BRAND,
	CSV_MODEL,
	CSV_SERIAL,
	CSV_IMEI,
	CSV_IMEI2,
	CSV_ICCID,
	CSV_OPERATOR,
	CSV_CPU,
	CSV_RAM,
	CSV_STORAGE,
	CSV_SCREEN,
	CSV_OS,
	CSV_GRADE,
	CSV_COST,
	CSV_WARRANTY,
	CSV_ERASURE,
	CSV_NFIELDS
};

/* Lower-case ASCII letters and digits of a text, accents taken off. */
void	 csv_fold(const char *, char *, size_t);
/* The field a header names, or -1. */
int	 csv_header(const char *);
/* The API's name of a field: "serial", "ram_gb"... */
const char *csv_field_name(int);

/*
 * Values, each 0 or -1 with *cause naming the value: a kind ("laptop"...,
 * or "sim"), a grade ("A"), a date into 11 bytes "YYYY-MM-DD", a decimal
 * number, gigabytes ("8 Go", "1 To") up to a maximum, one or two IMEIs,
 * an ICCID (spaces taken out).
 */
int	 csv_kind(const char *, const char **, char **);
int	 csv_grade(const char *, char *, char **);
int	 csv_date(const char *, char *, char **);
int	 csv_decimal(const char *, double *, char **);
int	 csv_gigabytes(const char *, long long, long long *, char **);
int	 csv_imeis(const char *, char [2][16], int *, char **);
int	 csv_iccid(const char *, char *, char **);

/* A bad value: its line, its column's name as in the file, and why. */
struct csv_error {
	size_t		 line;
	const char	*column;	/* NULL: the line as a whole */
	char		*value;
	char		*message;
	size_t		 seq;		/* order of discovery, for sorting */
};

/* One line of a manifest, its values read and normalised. */
struct csv_unit {
	size_t		 line;
	int		 bad;		/* a value is wrong: not importable */
	size_t		 dup_line;	/* repeats an identifier of this line */
	int		 dup_field;	/* CSV_SERIAL, CSV_IMEI or CSV_ICCID */
	const char	*kind;		/* "laptop"..., "sim" */
	char		*brand;
	char		*model;
	char		*serial;
	char		*iccid;
	char		*operator;
	char		*cpu;
	char		*os;
	char		*erasure;
	char		 imei[2][16];
	int		 nimei;
	char		 grade[2];	/* "" if not given */
	char		 warranty[11];	/* "" if not given */
	long long	 ram_gb;	/* -1 if not given */
	long long	 storage_gb;
	double		 screen_in;	/* 0 if not given */
	int64_t		 cost_cents;	/* -1 if not given */
	char		**notes;	/* one per other column (or NULL) */
};

struct csv_manifest {
	struct csv_table *table;
	size_t		 header_line;
	int		 column[CSV_NFIELDS];	/* -1: no such column */
	size_t		 ncolumns;
	const char	**names;	/* each column's header as written */
	size_t		 nnotes;
	char		**note_names;	/* the other columns, kept as notes */
	size_t		*note_columns;
	size_t		 nunits;
	struct csv_unit	*units;
	size_t		 nerrors;
	struct csv_error *errors;
};

/*
 * Read a manifest. -1 with *cause when the file as a whole cannot be used
 * (not text, no header, no kind column...); otherwise 0 with every line's
 * unit and every bad value in errors, sorted by line.
 */
int	 csv_manifest(const void *, size_t, struct csv_manifest **, char **);
/* Add an error found elsewhere (the store), then sort them all by line. */
void	 csv_manifest_error(struct csv_manifest *, size_t, int, const char *,
	    const char *);
void	 csv_manifest_sort(struct csv_manifest *);
void	 csv_manifest_free(struct csv_manifest *);

#endif
