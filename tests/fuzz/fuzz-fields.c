/*
 * Fuzz target: request bodies through the validation every route family
 * uses (JSON parsing, then each resource's field table), as http.c does.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "kitstockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct resource *const res[] = {
		&res_supplier, &res_location, &res_lot, &res_device, &res_sim,
		&res_accessory, &res_prescriber, &res_beneficiary, &res_offer,
		&res_kit, &res_distribution, NULL
	};
	struct req *req;
	json_t *body;
	int i, j;

	if ((body = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return (0);
	if (!json_is_object(body)) {
		json_decref(body);
		return (0);
	}
	for (i = 0; res[i] != NULL; i++) {
		for (j = 0; j < 2; j++) {
			req = xcalloc(1, sizeof *req);
			if ((req->out = evbuffer_new()) == NULL)
				abort();
			req->body = json_incref(body);
			req->actor.name = "fuzz";
			req->actor.station = "fuzz";
			(void)req_fields(req, j == 0 ? res[i]->fields :
			    res[i]->edit, res[i]->effective);
			req_free(req);
		}
	}
	json_decref(body);
	return (0);
}
