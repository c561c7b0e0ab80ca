/*
 * The summaries the alerts read, kept by triggers (store-kept.h, migrations
 * 23 and 24), recounted from the tables for GET /v1/check.
 */

#include "kitstockd.h"
#include "store-kept.h"

/* The open needs by kind, recounted: the kinds whose count differs. */
enum store_status
store_check_needs(json_t **out)
{
	static struct stmt q = STMT("WITH fresh AS (SELECT d.device_need"
	    " AS kind, count(*) AS n FROM diagnostic d WHERE "
	    NEED_OPEN("d.beneficiary_id") " GROUP BY 1),"
	    " both_ AS (SELECT kind, n AS counted, 0 AS kept FROM fresh"
	    " UNION ALL SELECT kind, 0, n FROM need_count)"
	    " SELECT kind, sum(counted) AS counted, sum(kept) AS kept"
	    " FROM both_ GROUP BY kind HAVING sum(counted) <> sum(kept)");

	return (store_rows(&q, NULL, NULL, out));
}

/*
 * The connections short of the months, recounted: each one held and not
 * found again, or found and not held, or held with another due day (1 or
 * 0 in counted and kept, for each due day).
 */
enum store_status
store_check_connections(json_t **out)
{
	static struct stmt q = STMT("WITH fresh AS ("
	    CONN_SHORT_OF("t.id, m.paid_until AS due_on", "1") "),"
	    " both_ AS (SELECT id, due_on, 1 AS counted, 0 AS kept FROM fresh"
	    " UNION ALL SELECT id, due_on, 0, 1 FROM connection_open)"
	    " SELECT m.tag AS sim, c.due_on, sum(c.counted) AS counted,"
	    " sum(c.kept) AS kept FROM both_ c JOIN topup t ON t.id = c.id"
	    " JOIN sim m ON m.id = t.sim_id GROUP BY c.id, c.due_on"
	    " HAVING sum(c.counted) <> sum(c.kept) ORDER BY c.id, c.due_on");

	return (store_rows(&q, NULL, NULL, out));
}
