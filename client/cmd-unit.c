/*
 * What happens to units (devices, SIM cards): moves and state changes as
 * kitstockd reports them, and the SIM card's PIN and PUK, which are read
 * from standard input only, so that they stay out of shell histories and
 * process lists.
 */

#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kitstock.h"

static char *cmd_unit_line(const char *);
static void cmd_unit_forget(char *);

/* Each unit moved, or already where it was sent. */
void
cmd_unit_print_moves(struct cmd *cmd, json_t *o)
{
	const char *to = json_string_value(json_object_get(o, "to"));
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(o, "moved"), i, v)
		printf(_("%s: moved to %s\n"), json_string_value(v), to);
	json_array_foreach(json_object_get(o, "unchanged"), i, v)
		printf(_("%s: already at %s\n"), json_string_value(v), to);
}

/* The state a unit left and the one it is in now. */
void
cmd_unit_print_state(struct cmd *cmd, json_t *o)
{
	printf("%s: %s -> %s\n", json_string_value(json_object_get(o, "tag")),
	    json_string_value(json_object_get(o, "from")),
	    json_string_value(json_object_get(o, "to")));
}

/*
 * One line of standard input without its line ending, or NULL at its end.
 * On a terminal, ask for it and do not echo it.
 */
static char *
cmd_unit_line(const char *prompt)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	int tty;

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		quiet = old;
		quiet.c_lflag &= ~ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &size, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n == -1) {
		free(line);
		return (NULL);
	}
	line[strcspn(line, "\r\n")] = '\0';
	return (line);
}

/* Wipe a secret before freeing it. */
static void
cmd_unit_forget(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* The PIN (first line) and PUK (second, optional) into the fields. */
int
cmd_unit_secret(json_t *fields)
{
	char *pin, *puk = NULL;

	if ((pin = cmd_unit_line(_("PIN: "))) != NULL)
		puk = cmd_unit_line(_("PUK (empty if none): "));
	if (pin != NULL && *pin != '\0')
		json_object_set_new(fields, "pin", json_string(pin));
	if (puk != NULL && *puk != '\0')
		json_object_set_new(fields, "puk", json_string(puk));
	cmd_unit_forget(pin);
	cmd_unit_forget(puk);
	if (json_object_get(fields, "pin") == NULL &&
	    json_object_get(fields, "puk") == NULL) {
		output_warn("%s", _("no PIN or PUK on standard input: give the "
		    "PIN on the first line and the PUK on the second"));
		return (EXIT_USAGE);
	}
	return (0);
}
