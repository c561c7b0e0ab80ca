/*
 * kitstock: the one header of the command-line client (as tmux.h is for
 * tmux). Commands are data: a table of entries, each naming its options
 * (in its usage), its request and the function that prints the answer.
 */
#ifndef KITSTOCK_H
#define KITSTOCK_H

#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

#include "i18n.h"
#include "tag.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/* Where kitstockd listens unless told otherwise (make run, then systemd). */
#define SOCKET_LOCAL	"var/kitstockd.sock"
#define SOCKET_SYSTEM	"/run/kitstockd/kitstockd.sock"

/* Exit status. */
#define EXIT_DONE	0
#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3

/* One answer of kitstockd: status, body as received, body parsed. */
struct answer {
	long		 status;
	char		*text;
	size_t		 len;
	json_t		*json;		/* NULL if the body is not JSON */
};

/* A column of a table: its header (an N_() msgid) and the JSON field. */
struct column {
	const char	*header;
	const char	*field;		/* "a+b" sums two integer fields */
};

struct cmd;
typedef void (*cmd_print_cb)(struct cmd *, json_t *);

/* What a command does with its positional arguments and options. */
#define CMD_ANYOPT	0x1	/* any --field VALUE (edit) */
#define CMD_RAW		0x2	/* the argument is sent as typed ({q}) */
#define CMD_ITEMS	0x4	/* the tags go in the body as "items" */
#define CMD_UNIT	0x8	/* a device or a SIM card */
#define CMD_LIST	0x10	/* a paginated list */
#define CMD_SECRET	0x20	/* PIN and PUK from standard input */
#define CMD_NAME	0x40	/* the argument is the body's "name" */
#define CMD_FILE	0x80	/* the answer's bytes go to the file named */
#define CMD_MIXED	0x100	/* arguments are tags of several letters */

/*
 * A command (tmux's cmd_entry): the usage names every option it takes,
 * those outside brackets being required. The path may hold {c} (the
 * collection of the noun or of the tag), {t} (the tag) and {q} (the
 * argument as typed); options go in the body, or in the query of a GET.
 */
struct cmd_entry {
	const char	*name;
	const char	*usage;
	int		 args_min;
	int		 args_max;	/* -1: no limit */
	int		 flags;
	const char	*method;
	const char	*path;
	cmd_print_cb	 print;
	int		(*exec)(struct cmd *);	/* NULL: one request */
};

/* A noun: its collection in the API, its tag letter, its list and verbs. */
struct cmd_noun {
	const char		*name;
	const char		*path;
	char			 letter;
	int			 unit;		/* has states */
	const struct column	*columns;
	const struct cmd_entry	*verbs;
};

/* One command being run. */
struct cmd {
	const struct cmd_noun	*noun;		/* NULL for a verb on any tag */
	const struct cmd_entry	*entry;
	json_t			*fields;	/* options as JSON values */
	json_t			*args;		/* positional arguments */
	int			 json;		/* print the API's JSON */
};

/* cmd-token.c */
extern const struct column cmd_token_columns[];
extern const struct cmd_entry cmd_token_verbs[];

/* cmd-session.c */
extern const struct cmd_entry cmd_session_verbs[];

/* main.c */
void	 fatal(const char *) __attribute__((__noreturn__));

/* http.c */
int	 http_init(const char *, const char *, const char *, const char *);
void	 http_free(void);
void	 http_pin(const char *);
void	 http_body(const char *, const void *, size_t, const char *);
int	 http_request(const char *, const char *, json_t *, struct answer *,
	    char **);
void	 http_server(const char *);
void	 http_insecure(int);
int	 http_plain_check(char **);
typedef int (*http_sink_cb)(const char *, size_t, void *);
void	 http_sink(http_sink_cb, void *);
void	 http_timeout(long);
char	*http_escape(const char *);
void	 http_answer_free(struct answer *);
int	 http_answer_save(const struct answer *, const char *, char **);

/* output.c */
FILE	*output_memstream(char **, size_t *);
size_t	 output_width(const char *);
char	*output_value(json_t *);
void	 output_clean(FILE *, const char *);
void	 output_warn(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 output_vwarn(const char *, va_list)
	    __attribute__((__format__(printf, 1, 0)));
void	 output_table(FILE *, const struct column *, json_t *);
void	 output_show(struct cmd *, json_t *);

/* cmd.c */
extern const struct cmd_entry cmd_table[];
int	 cmd_run(int, char **, int);
void	 cmd_help(FILE *);
void	 cmd_usage(FILE *, const struct cmd_noun *, const struct cmd_entry *);
int	 cmd_send(struct cmd *, const char *, const char *, json_t *,
	    struct answer *);
char	*cmd_query(const char *, json_t *);

/* cmd-item.c */
extern const struct cmd_noun cmd_nouns[];
const struct cmd_noun *cmd_noun_find(const char *);
const struct cmd_noun *cmd_noun_letter(char);
void	 cmd_item_print_tag(struct cmd *, json_t *);
void	 cmd_item_print_list(struct cmd *, json_t *);
void	 cmd_item_print_changed(struct cmd *, json_t *);
void	 cmd_item_print_history(struct cmd *, json_t *);
void	 cmd_item_candidates(json_t *);

/* cmd-unit.c */
void	 cmd_unit_print_moves(struct cmd *, json_t *);
void	 cmd_unit_print_state(struct cmd *, json_t *);
int	 cmd_unit_secret(json_t *);

/* cmd-report.c */
void	 cmd_report_print_stock(struct cmd *, json_t *);
int	 cmd_report_check(struct cmd *);
void	 cmd_report_print_programme(struct cmd *, json_t *);
void	 cmd_report_print_communes(struct cmd *, json_t *);

/* cmd-lot-import.c */
int	 cmd_lot_import(struct cmd *);
int	 cmd_lot_receive(struct cmd *);
int	 cmd_lot_reconcile(struct cmd *);
int	 cmd_lot_send(struct cmd *, const char *, const char *,
	    struct answer *);
char	*cmd_lot_read(const char *, size_t *, int *);

/* cmd-offers.c: the territory's offers, suggestions, drop-outs */
int	 cmd_offers_import(struct cmd *);
void	 cmd_offers_print_suggest(struct cmd *, json_t *);
void	 cmd_offers_print_places(struct cmd *, json_t *);
void	 cmd_offers_print_followups(struct cmd *, json_t *);
void	 cmd_offers_print_dropouts(struct cmd *, json_t *);

/* cmd-beneficiary.c: the beneficiary path */
extern const struct column cmd_prescriber_columns[];
extern const struct column cmd_beneficiary_columns[];
extern const struct column cmd_diagnostic_columns[];
extern const struct column cmd_offer_columns[];
extern const struct column cmd_orientation_columns[];
extern const struct column cmd_certification_columns[];
extern const struct column cmd_followup_columns[];
extern const struct cmd_entry cmd_prescriber_verbs[];
extern const struct cmd_entry cmd_beneficiary_verbs[];
extern const struct cmd_entry cmd_diagnostic_verbs[];
extern const struct cmd_entry cmd_offer_verbs[];
extern const struct cmd_entry cmd_orientation_verbs[];
extern const struct cmd_entry cmd_certification_verbs[];
extern const struct cmd_entry cmd_followup_verbs[];

/* cmd-kit.c, cmd-distribution.c, cmd-topup.c, cmd-repair.c */
extern const struct column cmd_kit_columns[];
extern const struct column cmd_distribution_columns[];
extern const struct cmd_entry cmd_kit_verbs[];
extern const struct cmd_entry cmd_distribution_verbs[];
extern const struct cmd_entry cmd_topup_verbs[];
extern const struct cmd_entry cmd_repair_verbs[];
int	 cmd_kit_accessories(struct cmd *);
int	 cmd_kit_send(struct cmd *, const char *, const char *, json_t *);
char	*cmd_kit_path(struct cmd *);
int	 cmd_checkout(struct cmd *);

/* cmd-export.c: indicators, alerts, exports */
void	 cmd_export_print_indicators(struct cmd *, json_t *);
void	 cmd_export_print_alerts(struct cmd *, json_t *);
int	 cmd_export_exec(struct cmd *);

/* cmd-label.c */
extern const struct column cmd_printer_columns[];
extern const struct cmd_entry cmd_printer_verbs[];
extern const struct cmd_entry cmd_labels_verbs[];
int	 cmd_label_exec(struct cmd *);

/* cmd-station.c: scan stations, scans, the live verdicts */
extern const struct cmd_entry cmd_station_verbs[];
int	 cmd_scan(struct cmd *);
int	 cmd_watch(struct cmd *);
int	 cmd_label_commands(struct cmd *);

/* cmd-scanner.c: USB scanners; terminal.c: the remote terminal */
extern const struct cmd_entry cmd_scanner_verbs[];
int	 cmd_label_calibration(struct cmd *);
int	 cmd_terminal(struct cmd *);

#endif
