/*
 * Allocators that never return NULL: running out of memory is fatal
 * (tmux xmalloc.h).
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((__format__(printf, 2, 0)));

#endif
