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

/*
 * A filter's value must be one that can match: a known kind, state or
 * grade, a tag, a territory of the programme. Else 400 naming it, not an
 * empty answer that looks like no stock.
 */
static int
api_stock_filter_ok(struct req *req, const char *name, const char *v)
{
	const struct field *f;
	json_t *tmp, *nv;
	char *cause;
	int rc;

	if (strcmp(name, "territory") == 0)
		return (api_beneficiary_territory_code(req, name, v));
	if (strcmp(name, "location") == 0 || strcmp(name, "supplier") == 0) {
		if (tag_check(v, name[0] == 'l' ? 'L' : 'F', NULL, NULL,
		    &cause) == 0)
			return (0);
		reply_error(req, 400, "invalid_field", name, "%s", cause);
		free(cause);
		return (-1);
	}
	if (strcmp(name, "state") == 0) {
		if (lifecycle_known(res_device.lc, v) ||
		    lifecycle_known(res_sim.lc, v) || strcmp(v, "in_stock") == 0)
			return (0);
		reply_error(req, 400, "invalid_field", name,
		    _("state \"%s\" is not a state of a device or a SIM card"),
		    v);
		return (-1);
	}
	if (strcmp(name, "kind") == 0 && (strcmp(v, "sim") == 0 ||
	    strcmp(v, "accessory") == 0))
		return (0);
	/* kind and grade: the device's values. */
	for (f = res_device.fields; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0 && f->type == FT_ENUM)
			break;
	if (f->name == NULL)
		return (0);
	tmp = json_string(v);
	rc = req_value(req, f, tmp, &nv);
	json_decref(tmp);
	json_decref(nv);
	return (rc);
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
	for (i = 0; stock_columns[i] != NULL; i++) {
		if ((v = req_query(req, stock_columns[i])) == NULL)
			continue;
		if (api_stock_filter_ok(req, stock_columns[i], v) != 0) {
			json_decref(cols);
			json_decref(filters);
			return;
		}
		json_object_set_new(filters, stock_columns[i], json_string(v));
	}
	o = NULL;
	status = store_stock(cols, filters, &o);
	json_decref(cols);
	json_decref(filters);
	api_answer(req, status, 200, o, "stock");
}

/* The summaries recounted one by one (the tallies' two come last). */
static const struct {
	const char		*name;
	enum store_status	(*recount)(json_t **);
} check_table[] = {
	{ "stock_count", store_check_stock },
	{ "need_count", store_check_needs },
	{ "connection_open", store_check_connections },
};

/* Append a check's entry to checks; 1 if it found no difference. */
static int
check_push(json_t *checks, const char *name, json_t *diff)
{
	int same = json_array_size(diff) == 0;

	json_array_append_new(checks, json_pack("{ss sb so}", "name", name,
	    "ok", same, "differences", diff));
	return (same);
}

/*
 * GET /v1/check: what the daemon keeps summed up, recomputed from the
 * store and compared. Each check lists the rows that differ.
 */
void
api_check(struct req *req)
{
	enum store_status status;
	json_t *checks, *diff, *facts = NULL, *sums = NULL;
	size_t i;
	int same = 1;

	checks = json_array();
	status = store_tally_catch_up();
	for (i = 0; status == STORE_OK &&
	    i < sizeof check_table / sizeof check_table[0]; i++) {
		diff = NULL;
		if ((status = check_table[i].recount(&diff)) == STORE_OK)
			same &= check_push(checks, check_table[i].name, diff);
		else
			json_decref(diff);
	}
	if (status == STORE_OK &&
	    (status = store_tally_check(&facts, &sums)) == STORE_OK) {
		same &= check_push(checks, "report_fact", facts);
		same &= check_push(checks, "report_tally", sums);
	} else {
		json_decref(facts);
		json_decref(sums);
	}
	if (status != STORE_OK) {
		json_decref(checks);
		api_reply_store(req, status, "");
		return;
	}
	reply_json(req, 200, json_pack("{sb so}", "ok", same, "checks",
	    checks));
}
