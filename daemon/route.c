/*
 * The one route table: method, path pattern, whether the route writes (and
 * so runs in a transaction answered after its commit), handler, resource.
 * A "{tag}" segment matches one path segment, given to the handler decoded.
 */

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "kitstockd.h"

#define R_READ	0
#define R_WRITE	1

#define ITEM_ROUTES(p, r)						\
	{ "GET", "/v1/" p, R_READ, api_item_list, &(r) },		\
	{ "POST", "/v1/" p, R_WRITE, api_item_add, &(r) },		\
	{ "GET", "/v1/" p "/{tag}", R_READ, api_item_show, &(r) },	\
	{ "PATCH", "/v1/" p "/{tag}", R_WRITE, api_item_edit, &(r) }

const struct route route_table[] = {
	{ "GET", "/v1/health", R_READ, api_health, NULL },
	{ "GET", "/v1/programme", R_READ, api_programme, NULL },
	{ "GET", "/v1/communes", R_READ, api_communes, NULL },
	ITEM_ROUTES("suppliers", res_supplier),
	ITEM_ROUTES("locations", res_location),
	ITEM_ROUTES("lots", res_lot),
	ITEM_ROUTES("devices", res_device),
	{ "POST", "/v1/devices/{tag}/state", R_WRITE, api_unit_state,
	    &res_device },
	ITEM_ROUTES("sims", res_sim),
	{ "POST", "/v1/sims/{tag}/state", R_WRITE, api_unit_state, &res_sim },
	{ "GET", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_show,
	    &res_sim },
	{ "PUT", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_set,
	    &res_sim },
	{ "GET", "/v1/accessories", R_READ, api_item_list, &res_accessory },
	{ "POST", "/v1/accessories", R_WRITE, api_accessory_add,
	    &res_accessory },
	{ "GET", "/v1/accessories/{tag}", R_READ, api_item_show,
	    &res_accessory },
	{ "PATCH", "/v1/accessories/{tag}", R_WRITE, api_item_edit,
	    &res_accessory },
	{ "POST", "/v1/accessories/{tag}/moves", R_WRITE, api_accessory_move,
	    &res_accessory },
	{ "POST", "/v1/accessories/{tag}/adjust", R_WRITE,
	    api_accessory_adjust, &res_accessory },
	{ "POST", "/v1/moves", R_WRITE, api_unit_move, NULL },
	{ "GET", "/v1/items/{tag}", R_READ, api_lookup, NULL },
	{ "GET", "/v1/history/{tag}", R_READ, api_history, NULL },
	{ "GET", "/v1/stock", R_READ, api_stock, NULL },
	{ "GET", "/v1/backup", R_READ, api_backup, NULL },
	{ NULL, NULL, 0, NULL, NULL }
};

/*
 * Match one pattern against a path; params get the decoded "{tag}"
 * segments (allocated). Returns 1 on a match.
 */
static int
route_match(const char *pattern, const char *path, char **params)
{
	const char *p = pattern, *q = path, *pe, *qe;
	char *seg;
	int n = 0;

	while (*p != '\0' && *q != '\0') {
		if (*p != '/' || *q != '/')
			break;
		p++;
		q++;
		pe = p + strcspn(p, "/");
		qe = q + strcspn(q, "/");
		if (pe - p == 5 && strncmp(p, "{tag}", 5) == 0) {
			if (qe == q || n == ROUTE_PARAMS)
				break;
			seg = xstrndup(q, qe - q);
			params[n] = evhttp_uridecode(seg, 0, NULL);
			free(seg);
			if (params[n] == NULL)
				break;
			n++;
		} else if (pe - p != qe - q || strncmp(p, q, pe - p) != 0)
			break;
		p = pe;
		q = qe;
	}
	if (*p == '\0' && (*q == '\0' || strcmp(q, "/") == 0))
		return (1);
	while (n > 0) {
		free(params[--n]);
		params[n] = NULL;
	}
	return (0);
}

/*
 * Find the route for a method and path. If only the method is wrong,
 * *wrong_method is set so the caller answers 405 rather than 404.
 */
const struct route *
route_find(const char *method, const char *path, char **params,
    int *wrong_method)
{
	const struct route *r;
	char *scratch[ROUTE_PARAMS] = { NULL };
	int i;

	*wrong_method = 0;
	for (r = route_table; r->method != NULL; r++) {
		if (strcmp(r->method, method) == 0) {
			if (route_match(r->pattern, path, params))
				return (r);
		} else if (route_match(r->pattern, path, scratch)) {
			*wrong_method = 1;
			for (i = 0; i < ROUTE_PARAMS; i++) {
				free(scratch[i]);
				scratch[i] = NULL;
			}
		}
	}
	return (NULL);
}
