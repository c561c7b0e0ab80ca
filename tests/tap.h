/*
 * Minimal TAP producer for the unit tests: plan at the end, "ok N - name".
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int ok_c_ = (cond) ? 1 : 0;					\
	tap_n++;							\
	if (!ok_c_) {							\
		tap_failed++;						\
		printf("not ok %d - ", tap_n);				\
	} else								\
		printf("ok %d - ", tap_n);				\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!ok_c_)							\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *is_g_ = (got), *is_w_ = (want);			\
	ok(is_g_ != NULL && is_w_ != NULL && strcmp(is_g_, is_w_) == 0,	\
	    __VA_ARGS__);						\
	if (is_g_ == NULL || is_w_ == NULL || strcmp(is_g_, is_w_) != 0)	\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    is_g_ ? is_g_ : "(null)", is_w_ ? is_w_ : "(null)");	\
} while (0)

/* Print the plan and return the exit status. */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed != 0);
}

#endif
