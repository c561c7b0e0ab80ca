/*
 * GET /v1/stock?by=kind,state&state=in_stock: what is where, grouped by any
 * of kind, state, location, territory, supplier, grade. Devices and SIM
 * cards count one each; accessories count their quantity.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstockd.h"

static const char *const stock_columns[] = {
	"kind", "state", "location", "territory", "supplier", "grade", NULL
};

/* Is this a column of the stock_item view? */
static int
api_stock_column(const char *name)
{
	int i;

	for (i = 0; stock_columns[i] != NULL; i++)
		if (strcmp(stock_columns[i], name) == 0)
			return (1);
	return (0);
}

void
api_stock(struct req *req)
{
	const char *by, *v;
	char *copy, *p, *word;
	json_t *cols, *filters, *o;
	enum store_status status;
	int i;

	if ((by = req_query(req, "by")) == NULL)
		by = "kind,state";
	cols = json_array();
	copy = xstrdup(by);
	for (p = copy; (word = strsep(&p, ",")) != NULL;) {
		if (*word == '\0')
			continue;
		if (!api_stock_column(word)) {
			reply_error(req, 400, "invalid_field", "by",
			    _("cannot group stock by \"%s\": expected kind, "
			    "state, location, territory, supplier or grade"),
			    word);
			free(copy);
			json_decref(cols);
			return;
		}
		json_array_append_new(cols, json_string(word));
	}
	free(copy);
	filters = json_object();
	for (i = 0; stock_columns[i] != NULL; i++)
		if ((v = req_query(req, stock_columns[i])) != NULL)
			json_object_set_new(filters, stock_columns[i],
			    json_string(v));
	o = NULL;
	status = store_stock(cols, filters, &o);
	json_decref(cols);
	json_decref(filters);
	api_answer(req, status, 200, o, "stock");
}

/*
 * GET /v1/check: what the daemon keeps summed up, recomputed from the
 * store and compared. Each check lists the rows that differ.
 */
void
api_check(struct req *req)
{
	enum store_status status;
	json_t *diff = NULL, *needs = NULL, *facts = NULL, *sums = NULL, *o;
	int same;

	if ((status = store_tally_catch_up()) == STORE_OK &&
	    (status = store_check_stock(&diff)) == STORE_OK &&
	    (status = store_check_needs(&needs)) == STORE_OK)
		status = store_tally_check(&facts, &sums);
	if (status != STORE_OK) {
		json_decref(diff);
		json_decref(needs);
		json_decref(facts);
		json_decref(sums);
		api_reply_store(req, status, "");
		return;
	}
	same = json_array_size(diff) == 0 && json_array_size(needs) == 0 &&
	    json_array_size(facts) == 0 && json_array_size(sums) == 0;
	o = json_pack("{sb s[{ss sb so} {ss sb so} {ss sb so} {ss sb so}]}",
	    "ok", same, "checks", "name", "stock_count", "ok",
	    json_array_size(diff) == 0, "differences", diff, "name",
	    "need_count", "ok", json_array_size(needs) == 0, "differences",
	    needs, "name", "report_fact", "ok", json_array_size(facts) == 0,
	    "differences", facts, "name", "report_tally", "ok",
	    json_array_size(sums) == 0, "differences", sums);
	reply_json(req, 200, o);
}
