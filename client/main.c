/*
 * kitstock: the command-line client of kitstockd. Global options and the
 * daemon's address here; the commands are tables (cmd.c, cmd-*.c).
 */

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static const struct option main_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "server", required_argument, NULL, 'S' },
	{ "token-file", required_argument, NULL, 'T' },
	{ "ca", required_argument, NULL, 'C' },
	{ "pin", required_argument, NULL, 'P' },
	{ "insecure", no_argument, NULL, 'I' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int main_usage(const char *, ...)
    __attribute__((__format__(printf, 1, 2)));
static const char *main_socket(const char *);
static char *main_token(const char *);

/* Out of memory or worse: nothing sensible can follow. */
void
fatal(const char *what)
{
	fprintf(stderr, "kitstock: fatal: %s: %s\n", what, strerror(errno));
	abort();
}

/* A usage error of the global options (exit 2). */
static int
main_usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		output_vwarn(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "%s", _("usage: kitstock [GLOBAL OPTIONS] COMMAND "
	    "[ARGUMENTS] [OPTIONS]\nkitstock --help lists the commands and "
	    "options\n"));
	return (EXIT_USAGE);
}

/* The socket: -s, $KITSTOCK_SOCKET, make run's, then the system's. */
static const char *
main_socket(const char *given)
{
	const char *env;
	struct stat sb;

	if (given != NULL)
		return (given);
	if ((env = getenv("KITSTOCK_SOCKET")) != NULL && *env != '\0')
		return (env);
	if (stat(SOCKET_LOCAL, &sb) == 0)
		return (SOCKET_LOCAL);
	return (SOCKET_SYSTEM);
}

/* The first line of the token file (allocated), or NULL having said why. */
static char *
main_token(const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t size = 0;

	if ((f = fopen(path, "r")) == NULL) {
		output_warn(_("cannot read the token file %s: %s"), path,
		    strerror(errno));
		return (NULL);
	}
	if (getline(&line, &size, f) == -1) {
		free(line);
		line = xstrdup("");
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (*line == '\0') {
		output_warn(_("the token file %s is empty"), path);
		free(line);
		return (NULL);
	}
	return (line);
}

int
main(int argc, char **argv)
{
	const char *socket = NULL, *server = NULL, *token_file = NULL;
	const char *ca = NULL;
	char *token = NULL, *cause;
	int ch, json = 0, rc;

	i18n_init(getenv("KITSTOCK_LANG"), argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hs:", main_options, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			socket = optarg;
			break;
		case 'S':
			server = optarg;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'C':
			ca = optarg;
			break;
		case 'P':
			if (strncmp(optarg, "sha256//", 8) != 0)
				return (main_usage(_("--pin %s: expected "
				    "sha256//BASE64 (the server key's "
				    "fingerprint)"), optarg));
			http_pin(optarg);
			break;
		case 'I':
			http_insecure(1);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cmd_help(stdout);
			return (EXIT_DONE);
		case 'V':
			printf("kitstock %s\n", VERSION);
			return (EXIT_DONE);
		case ':':
			return (main_usage(_("%s needs a value"),
			    argv[optind - 1]));
		default:
			return (main_usage(_("unknown option %s"),
			    argv[optind - 1]));
		}
	}
	if (socket != NULL && server != NULL)
		return (main_usage("%s", _("give -s or --server, not both")));
	if (server != NULL && strncmp(server, "http://", 7) != 0 &&
	    strncmp(server, "https://", 8) != 0)
		return (main_usage(_("--server %s: expected a URL such as "
		    "http://127.0.0.1:8750"), server));
	if (token_file != NULL && (token = main_token(token_file)) == NULL)
		return (EXIT_USAGE);
	if (http_init(main_socket(socket), server, token, ca) != 0) {
		output_warn("%s", _("libcurl cannot be set up"));
		rc = EXIT_UNREACHABLE;
	} else if (http_plain_check(&cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		rc = EXIT_USAGE;
	} else
		rc = cmd_run(argc - optind, argv + optind, json);
	http_free();
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	return (rc);
}
