/*
 * Language of what people read. gettext honours LANGUAGE only when the
 * locale is not plain "C" (LANG unset: systemd, CI), so fall back to
 * C.UTF-8 there. Catalogs are looked up where they are installed, then
 * beside the binary in the source tree (shared/locale), so an uninstalled
 * build speaks French too.
 */

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "xmalloc.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* Does dir hold our catalog for this language? */
static int
i18n_has_catalog(const char *dir, const char *language)
{
	char *path;
	int ok;

	xasprintf(&path, "%s/%s/LC_MESSAGES/%s.mo", dir, language,
	    I18N_DOMAIN);
	ok = access(path, R_OK) == 0;
	free(path);
	return (ok);
}

int
i18n_init(const char *language, const char *argv0)
{
	const char *loc, *dir;

	loc = setlocale(LC_ALL, "");
	if (loc == NULL || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
		setlocale(LC_ALL, "C.UTF-8");
	/* Numbers in JSON and SQL keep a decimal point. */
	setlocale(LC_NUMERIC, "C");
	if (language == NULL || *language == '\0')
		language = "fr";
	setenv("LANGUAGE", language, 1);

	if ((dir = getenv("KITSTOCK_LOCALEDIR")) == NULL) {
		dir = LOCALEDIR;
#ifdef SRC_LOCALEDIR
		if (!i18n_has_catalog(LOCALEDIR, language))
			dir = SRC_LOCALEDIR;
#endif
	}
	bindtextdomain(I18N_DOMAIN, dir);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
	return (0);
}
