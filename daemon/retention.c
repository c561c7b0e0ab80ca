/*
 * Retention: the identity of a beneficiary is erased retention-months (a
 * setting of the programme profile) after their last step. kitstockd does
 * it when it starts, before it serves, and then once a day on its loop;
 * POST /v1/beneficiaries/purge-due does the same on request.
 */

#include <sys/time.h>

#include <stdlib.h>

#include <event2/event.h>

#include "kitstockd.h"

#define RETENTION_PERIOD	(24 * 60 * 60)	/* seconds between runs */

static struct event *retention_ev;

static void retention_cb(int, short, void *);

/* Erase what is due now, in a transaction of its own; log the count. */
void
retention_run(void)
{
	struct actor a = { "kitstockd", "retention", NULL };
	char today[16];
	long long months;
	json_t *o = NULL;
	enum store_status status;
	int erased;

	if (!store_writable() || (months = api_beneficiary_retention()) == 0)
		return;
	if (months < 0) {
		log_warnx("retention: the programme's retention-months is not "
		    "a number of months; nothing erased");
		return;
	}
	api_beneficiary_today(today, sizeof today);
	if ((status = store_begin()) != STORE_OK) {
		log_warnx("retention: cannot write the database now");
		return;
	}
	status = store_beneficiary_purge(&a, months, today, 0, &o);
	if (status == STORE_OK)
		status = store_commit();
	else
		store_rollback();
	if (status != STORE_OK) {
		log_warnx("retention: nothing erased (database error)");
		json_decref(o);
		return;
	}
	erased = (int)json_integer_value(json_object_get(o, "erased"));
	json_decref(o);
	if (erased > 0) {
		store_checkpoint();
		log_info("retention: %d identit%s erased after %lld months",
		    erased, erased == 1 ? "y" : "ies", months);
	}
}

static void
retention_cb(int fd, short events, void *arg)
{
	if (store_exclusive())		/* an import holds the database */
		store_after_exclusive(retention_run);
	else
		retention_run();
}

/* Run once now, then every day on the loop. */
void
retention_start(struct event_base *base)
{
	struct timeval tv = { RETENTION_PERIOD, 0 };

	retention_run();
	if ((retention_ev = event_new(base, -1, EV_PERSIST, retention_cb,
	    NULL)) == NULL || event_add(retention_ev, &tv) != 0)
		fatalx("retention: cannot set its timer");
}

void
retention_stop(void)
{
	if (retention_ev != NULL) {
		event_free(retention_ev);
		retention_ev = NULL;
	}
}
