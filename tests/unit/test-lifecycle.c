/*
 * The lifecycle tables: what a bare state change may do, what only a flow
 * may do, and the sentences listing the next states.
 */

#include <string.h>

#include "kitstockd.h"
#include "tap.h"

/* Is from -> to allowed by these means? */
static int
allowed(const struct lifecycle *lc, const char *from, const char *to, int how)
{
	const struct transition *t = lifecycle_find(lc, from, to);

	return (t != NULL && (t->how & how) != 0);
}

int
main(void)
{
	const struct lifecycle *d = &lifecycle_device, *s = &lifecycle_sim;
	const struct transition *t;
	char buf[256];
	int i, bad;

	/* The device table of the core issue, row by row. */
	ok(allowed(d, "received", "in_stock", LC_STATE), "received -> in_stock");
	ok(allowed(d, "received", "in_repair", LC_STATE), "received -> in_repair");
	ok(allowed(d, "received", "scrapped", LC_STATE), "received -> scrapped");
	ok(!allowed(d, "received", "handed_over", LC_STATE | LC_FLOW),
	    "received -/-> handed_over");
	ok(allowed(d, "in_stock", "lost", LC_STATE), "in_stock -> lost");
	ok(allowed(d, "in_stock", "reserved", LC_FLOW) &&
	    !allowed(d, "in_stock", "reserved", LC_STATE),
	    "in_stock -> reserved by allocation only");
	ok(allowed(d, "reserved", "in_stock", LC_STATE),
	    "reserved -> in_stock (allocation cancelled)");
	ok(allowed(d, "reserved", "in_kit", LC_FLOW) &&
	    !allowed(d, "reserved", "in_kit", LC_STATE), "picking is a flow");
	ok(!allowed(d, "in_kit", "in_stock", LC_STATE) &&
	    allowed(d, "in_kit", "in_stock", LC_FLOW), "kit cancel is a flow");
	ok(allowed(d, "in_kit", "handed_over", LC_FLOW) &&
	    !allowed(d, "in_kit", "handed_over", LC_STATE),
	    "checkout is a flow");
	ok(allowed(d, "handed_over", "lost", LC_STATE), "handed_over -> lost");
	ok(allowed(d, "handed_over", "returned", LC_FLOW) &&
	    !allowed(d, "handed_over", "returned", LC_STATE),
	    "return is a flow");
	t = lifecycle_find(d, "returned", "in_stock");
	ok(t != NULL && (t->how & LC_ERASED), "returned -> in_stock needs erasure");
	ok(allowed(d, "in_repair", "handed_over", LC_FLOW) &&
	    !allowed(d, "in_repair", "handed_over", LC_STATE),
	    "repaired for the same beneficiary is a flow");
	ok(allowed(d, "lost", "in_stock", LC_STATE), "lost -> in_stock (found)");
	bad = 0;
	for (i = 0; device_states[i] != NULL; i++)
		if (lifecycle_find(d, "scrapped", device_states[i]) != NULL)
			bad++;
	ok(bad == 0, "scrapped is final");
	ok(lifecycle_find(d, "in_stock", "in_stock") == NULL,
	    "no transition to the same state");

	/* Every transition names known states. */
	bad = 0;
	for (t = d->table; t->from != NULL; t++)
		if (!lifecycle_known(d, t->from) || !lifecycle_known(d, t->to))
			bad++;
	for (t = s->table; t->from != NULL; t++)
		if (!lifecycle_known(s, t->from) || !lifecycle_known(s, t->to))
			bad++;
	ok(bad == 0, "every transition names known states");
	ok(!lifecycle_known(d, "stolen"), "unknown state refused");

	/* SIM cards. */
	ok(allowed(s, "in_stock", "reserved", LC_FLOW), "sim in_stock -> reserved");
	ok(allowed(s, "in_kit", "active", LC_FLOW) &&
	    !allowed(s, "in_kit", "active", LC_STATE), "activation is a flow");
	ok(allowed(s, "active", "suspended", LC_STATE) &&
	    allowed(s, "suspended", "active", LC_STATE), "suspend and resume");
	ok(allowed(s, "active", "terminated", LC_STATE) &&
	    allowed(s, "suspended", "returned", LC_STATE),
	    "active/suspended -> terminated/returned");
	ok(allowed(s, "in_stock", "lost", LC_STATE) &&
	    allowed(s, "in_stock", "terminated", LC_STATE),
	    "in_stock -> lost/terminated");
	ok(!allowed(s, "terminated", "active", LC_STATE | LC_FLOW),
	    "terminated is final");

	/* The flows of kits, checkouts and repairs (issue 3). */
	ok(allowed(d, "reserved", "in_stock", LC_FLOW) &&
	    allowed(s, "reserved", "in_stock", LC_FLOW),
	    "unpicking and kit cancel are flows");
	ok(allowed(d, "handed_over", "in_kit", LC_FLOW) &&
	    !allowed(d, "handed_over", "in_kit", LC_STATE),
	    "a cancelled checkout puts a device back in its kit, by flow only");
	ok(allowed(s, "active", "in_kit", LC_FLOW) &&
	    !allowed(s, "active", "in_kit", LC_STATE),
	    "a cancelled checkout puts a SIM back in its kit, by flow only");
	ok(allowed(d, "returned", "in_repair", LC_FLOW) &&
	    allowed(d, "in_repair", "scrapped", LC_FLOW),
	    "a repair ticket opens and scraps by flow");
	ok(allowed(s, "active", "returned", LC_FLOW) &&
	    allowed(s, "suspended", "returned", LC_FLOW),
	    "a SIM comes back with its kit");
	ok(!allowed(d, "in_kit", "reserved", LC_STATE | LC_FLOW),
	    "in_kit does not go back to reserved");

	/* Sentences. */
	lifecycle_next(d, "in_stock", LC_STATE, buf, sizeof buf);
	is_str(buf, "in_repair, scrapped, lost", "next states of in_stock");
	lifecycle_next(d, "scrapped", LC_STATE, buf, sizeof buf);
	is_str(buf, "none", "next states of scrapped");
	lifecycle_next(d, "in_kit", LC_FLOW, buf, sizeof buf);
	is_str(buf, "in_stock, handed_over", "flows from in_kit");
	lifecycle_next(d, "in_stock", LC_STATE, buf, 12);
	ok(strlen(buf) < 12, "a short buffer is not overrun");
	return (tap_done());
}
