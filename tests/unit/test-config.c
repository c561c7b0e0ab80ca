/*
 * The configuration file: keywords, values, errors reported per line and a
 * bad file refused whole, leaving the running configuration as it was.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstockd.h"
#include "tap.h"

/* Write text to a temporary file; its path is returned (static). */
static const char *
conf(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/tmp/kitstock-test-config.%d",
	    (int)getpid());
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return (path);
}

int
main(void)
{
	struct config c;
	char *cause = NULL;

	log_init(1, 0);
	config_defaults(&c);
	is_str(c.database, "var/kitstock.db", "default database");
	is_str(c.socket, "var/kitstockd.sock", "default socket");
	is_str(c.language, "fr", "default language is French");
	ok(c.socket_mode == 0660, "default socket mode 0660");
	ok(c.listen == NULL, "no TCP by default");

	ok(config_load(conf("# comment\n\ndatabase /srv/k.db  # trailing\n"
	    "socket /run/k.sock\nlanguage en\nsocket-mode 0600\n"
	    "listen 127.0.0.1:8750\nmax-body 65536\n"), &c) == 0,
	    "a good file loads");
	is_str(c.database, "/srv/k.db", "database set");
	is_str(c.socket, "/run/k.sock", "socket set");
	is_str(c.language, "en", "language set");
	ok(c.socket_mode == 0600, "socket mode set");
	is_str(c.listen, "127.0.0.1:8750", "listen set");
	ok(c.max_body == 65536, "max-body set");

	ok(config_load(conf("database /other.db\nfrobnicate yes\n"
	    "language de\n"), &c) == -1, "a bad file is refused");
	is_str(c.database, "/srv/k.db", "and nothing of it is applied");
	is_str(c.language, "en", "language kept");

	ok(config_load(conf("listen 0.0.0.0:8750\n"), &c) == -1,
	    "non-loopback listen refused");
	ok(config_load(conf("listen 0.0.0.0:8750\ntls-cert /c.pem\n"
	    "tls-key /k.pem\n"), &c) == 0, "non-loopback listen with TLS");
	is_str(c.tls_cert, "/c.pem", "tls-cert set");
	config_free(&c);
	config_defaults(&c);
	ok(config_load(conf("tls-cert /c.pem\n"), &c) == -1,
	    "a certificate without its key refused");
	ok(config_load(conf("role user alice warehouse\n"
	    "role group 1603 coordinator\n"), &c) == 0 && c.nroles == 2 &&
	    c.roles[1].group && c.roles[1].role == ROLE_COORDINATOR,
	    "role lines");
	ok(config_load(conf("role user alice king\n"), &c) == -1,
	    "unknown role refused");
	ok(config_load(conf("role person alice warehouse\n"), &c) == -1,
	    "role line shape checked");
	ok(config_load(conf("listen 127.0.0.1:99999\n"), &c) == -1,
	    "bad port refused");
	ok(config_load(conf("socket-mode 999\n"), &c) == -1,
	    "bad mode refused");
	ok(config_load(conf("max-body 12\n"), &c) == -1, "tiny body refused");
	ok(config_load(conf("database\n"), &c) == -1, "missing value refused");
	ok(config_load("/nonexistent/kitstockd.conf", &c) == -1,
	    "missing file refused");
	ok(config_set("listen", "[::1]:8750", &c, &cause) == 0,
	    "IPv6 loopback accepted");
	ok(config_set("nope", "x", &c, &cause) == -1 && cause != NULL,
	    "config_set refuses unknown keywords");
	free(cause);
	config_free(&c);
	unlink(conf(""));
	return (tap_done());
}
