/*
 * Lifecycles: the allowed transitions of each kind of unit, one table each.
 * Some are made by a bare state change (with a reason); others only by a
 * flow (kit picking, checkout, return) that does more than change a state.
 * Pure code: unit-tested directly.
 */

#include <stdio.h>
#include <string.h>

#include "kitstockd.h"

const char *const device_states[] = {
	"received", "in_stock", "reserved", "in_kit", "handed_over",
	"returned", "in_repair", "lost", "scrapped", NULL
};

const char *const sim_states[] = {
	"in_stock", "reserved", "in_kit", "active", "suspended", "terminated",
	"returned", "lost", NULL
};

static const struct transition lifecycle_device_table[] = {
	{ "received", "in_stock", LC_STATE },
	{ "received", "in_repair", LC_STATE },
	{ "received", "scrapped", LC_STATE },
	{ "in_stock", "in_repair", LC_STATE },
	{ "in_stock", "scrapped", LC_STATE },
	{ "in_stock", "lost", LC_STATE },
	{ "in_stock", "reserved", LC_FLOW },
	/* Unpicking a unit, or cancelling its kit, is also a flow. */
	{ "reserved", "in_stock", LC_STATE | LC_FLOW },
	{ "reserved", "in_kit", LC_FLOW },
	{ "in_kit", "in_stock", LC_FLOW },
	{ "in_kit", "handed_over", LC_FLOW },
	{ "handed_over", "lost", LC_STATE },
	{ "handed_over", "returned", LC_FLOW },
	/* A wrong checkout cancelled by a coordinator: back in its kit. */
	{ "handed_over", "in_kit", LC_FLOW },
	/* A repair ticket opened on a returned device, or its outcome. */
	{ "returned", "in_repair", LC_STATE | LC_FLOW },
	{ "returned", "scrapped", LC_STATE },
	{ "returned", "in_stock", LC_STATE | LC_ERASED },
	{ "in_repair", "in_stock", LC_STATE },
	{ "in_repair", "scrapped", LC_STATE | LC_FLOW },
	{ "in_repair", "handed_over", LC_FLOW },
	{ "lost", "in_stock", LC_STATE },
	{ NULL, NULL, 0 }
};

static const struct transition lifecycle_sim_table[] = {
	{ "in_stock", "reserved", LC_FLOW },
	{ "in_stock", "lost", LC_STATE },
	{ "in_stock", "terminated", LC_STATE },
	{ "reserved", "in_stock", LC_STATE | LC_FLOW },
	{ "reserved", "in_kit", LC_FLOW },
	{ "in_kit", "in_stock", LC_FLOW },
	{ "in_kit", "active", LC_FLOW },
	/* A wrong checkout cancelled by a coordinator: back in its kit. */
	{ "active", "in_kit", LC_FLOW },
	{ "active", "suspended", LC_STATE },
	{ "active", "terminated", LC_STATE },
	/* Given back alone, or with its whole kit (a flow). */
	{ "active", "returned", LC_STATE | LC_FLOW },
	{ "suspended", "active", LC_STATE },
	{ "suspended", "terminated", LC_STATE },
	{ "suspended", "returned", LC_STATE | LC_FLOW },
	{ "lost", "in_stock", LC_STATE },
	{ NULL, NULL, 0 }
};

const struct lifecycle lifecycle_device = {
	"device", device_states, lifecycle_device_table
};
const struct lifecycle lifecycle_sim = {
	"sim", sim_states, lifecycle_sim_table
};

/* The transition from -> to, or NULL if there is none. */
const struct transition *
lifecycle_find(const struct lifecycle *lc, const char *from, const char *to)
{
	const struct transition *t;

	for (t = lc->table; t->from != NULL; t++)
		if (strcmp(t->from, from) == 0 && strcmp(t->to, to) == 0)
			return (t);
	return (NULL);
}

/* Is this a state of the lifecycle? */
int
lifecycle_known(const struct lifecycle *lc, const char *state)
{
	int i;

	for (i = 0; lc->states[i] != NULL; i++)
		if (strcmp(lc->states[i], state) == 0)
			return (1);
	return (0);
}

/*
 * The states reachable from "from" by the given means (LC_STATE, LC_FLOW or
 * both), as "a, b, c" into buf; "none" when there are none.
 */
void
lifecycle_next(const struct lifecycle *lc, const char *from, int how,
    char *buf, size_t len)
{
	const struct transition *t;
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (t = lc->table; t->from != NULL; t++) {
		if (strcmp(t->from, from) != 0 || (t->how & how) == 0)
			continue;
		n = snprintf(buf + used, len - used, "%s%s",
		    used == 0 ? "" : ", ", t->to);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	if (used == 0)
		snprintf(buf, len, "%s", _("none"));
}
