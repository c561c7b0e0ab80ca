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

/* Create, show, list, edit; reads for inventory roles, writes for stock. */
#define ITEM_ROUTES(p, r)						\
	{ "GET", "/v1/" p, R_READ, api_item_list, &(r), ROLE_INVENTORY },	\
	{ "POST", "/v1/" p, R_WRITE, api_item_add, &(r), ROLE_STOCK },	\
	{ "GET", "/v1/" p "/{tag}", R_READ, api_item_show, &(r),	\
	    ROLE_INVENTORY },						\
	{ "PATCH", "/v1/" p "/{tag}", R_WRITE, api_item_edit, &(r),	\
	    ROLE_STOCK }

const struct route route_table[] = {
	{ "GET", "/v1/health", R_READ, api_health, NULL, ROLE_PUBLIC },
	{ "GET", "/v1/programme", R_READ, api_programme, NULL, ROLE_STAFF },
	{ "GET", "/v1/communes", R_READ, api_communes, NULL, ROLE_STAFF },
	ITEM_ROUTES("suppliers", res_supplier),
	ITEM_ROUTES("locations", res_location),
	ITEM_ROUTES("lots", res_lot),
	ITEM_ROUTES("devices", res_device),
	{ "POST", "/v1/devices/{tag}/state", R_WRITE, api_unit_state,
	    &res_device, ROLE_STOCK },
	ITEM_ROUTES("sims", res_sim),
	{ "POST", "/v1/sims/{tag}/state", R_WRITE, api_unit_state, &res_sim,
	    ROLE_STOCK },
	{ "GET", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_show,
	    &res_sim },
	{ "PUT", "/v1/sims/{tag}/secret", R_WRITE, api_sim_secret_set,
	    &res_sim },
	{ "GET", "/v1/accessories", R_READ, api_item_list, &res_accessory,
	    ROLE_INVENTORY },
	{ "POST", "/v1/accessories", R_WRITE, api_accessory_add,
	    &res_accessory, ROLE_STOCK },
	{ "GET", "/v1/accessories/{tag}", R_READ, api_item_show,
	    &res_accessory, ROLE_INVENTORY },
	{ "PATCH", "/v1/accessories/{tag}", R_WRITE, api_item_edit,
	    &res_accessory, ROLE_STOCK },
	{ "POST", "/v1/accessories/{tag}/moves", R_WRITE, api_accessory_move,
	    &res_accessory, ROLE_STOCK },
	{ "POST", "/v1/accessories/{tag}/adjust", R_WRITE,
	    api_accessory_adjust, &res_accessory, ROLE_STOCK },
	{ "POST", "/v1/moves", R_WRITE, api_unit_move, NULL, ROLE_STOCK },
	{ "GET", "/v1/items/{tag}", R_READ, api_lookup, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/history/{tag}", R_READ, api_history, NULL,
	    ROLE_INVENTORY },
	{ "GET", "/v1/stock", R_READ, api_stock, NULL, ROLE_INVENTORY },
	{ "GET", "/v1/backup", R_READ, api_backup, NULL, ROLE_COORDINATOR },
	{ "GET", "/v1/tokens", R_READ, api_token_list, NULL, ROLE_COORDINATOR },
	{ "POST", "/v1/tokens", R_WRITE, api_token_add, NULL,
	    ROLE_COORDINATOR },
	{ "DELETE", "/v1/tokens/{tag}", R_WRITE, api_token_revoke, NULL,
	    ROLE_COORDINATOR },
	{ "GET", "/v1/routes", R_READ, api_routes, NULL, ROLE_STAFF },
	{ NULL, NULL, 0, NULL, NULL, 0 }
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
