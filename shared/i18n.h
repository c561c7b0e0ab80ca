/*
 * Translation of what people read: English msgids, catalogs in shared/po/.
 */
#ifndef I18N_H
#define I18N_H

#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

#define I18N_DOMAIN "kitstock"

/* Set the locale and select the language ("fr", "en"); 0 or -1. */
int	i18n_init(const char *language, const char *argv0);

#endif
