/*
 * kitstock kit: allocate a kit to a beneficiary, pick units into it (by
 * tag or as scanned: serial, IMEI, ICCID), complete, cancel, take back,
 * and print its receipts. Accessories are given as TAG or TAG:COUNT.
 */

#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static int cmd_kit_add(struct cmd *);
static int cmd_kit_pick(struct cmd *);
static int cmd_kit_receipt(struct cmd *);
static void cmd_kit_print(struct cmd *, json_t *);

const struct column cmd_kit_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("STATE"), "state" },
	{ N_("LOCATION"), "location" },
	{ N_("CONTRIBUTION"), "contribution" },
	{ N_("DISTRIBUTION"), "distribution" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_kit_verbs[] = {
	{ "add", "--beneficiary TAG --location TAG [--device KIND]... "
	    "[--sims N] [--accessory TAG[:COUNT]]... [--contribution EUR] "
	    "[--notes TEXT] [--at DATE]", 0, 0, 0, "POST", "/v1/kits",
	    cmd_item_print_tag, cmd_kit_add },
	{ "list", "[--state S] [--beneficiary B] [--location L] "
	    "[--distribution E] [--limit N] [--after TAG] [--all]", 0, 0,
	    CMD_LIST, "GET", "/v1/{c}", cmd_item_print_list },
	{ "show", "TAG", 1, 1, 0, "GET", "/v1/{c}/{t}", cmd_kit_print },
	{ "edit", "TAG --FIELD VALUE... [--reason TEXT]", 1, 1, CMD_ANYOPT,
	    "PATCH", "/v1/{c}/{t}", cmd_item_print_changed },
	{ "pick", "TAG [TAG|SERIAL|IMEI|ICCID]... [--accessory TAG[:COUNT]]... "
	    "[--at DATE]", 1, -1, CMD_RAW | CMD_MIXED, "POST",
	    "/v1/kits/%s/pick", cmd_kit_print, cmd_kit_pick },
	{ "unpick", "TAG [TAG|SERIAL|IMEI|ICCID]... [--accessory TAG]... "
	    "[--reason TEXT] [--at DATE]", 1, -1, CMD_RAW | CMD_MIXED, "POST",
	    "/v1/kits/%s/unpick", cmd_kit_print, cmd_kit_pick },
	{ "ready", "TAG [--at DATE]", 1, 1, 0, "POST", "/v1/{c}/{t}/ready",
	    cmd_kit_print },
	{ "cancel", "TAG --reason TEXT [--at DATE]", 1, 1, 0, "POST",
	    "/v1/{c}/{t}/cancel", cmd_kit_print },
	{ "return", "TAG --location TAG --reason TEXT [--at DATE]", 1, 1, 0,
	    "POST", "/v1/{c}/{t}/return", cmd_kit_print },
	{ "cancel-checkout", "TAG --reason TEXT [--at DATE]", 1, 1, 0, "POST",
	    "/v1/{c}/{t}/cancel-checkout", cmd_kit_print },
	{ "receipt", "TAG --out FILE.pdf", 1, 1, CMD_FILE, "GET",
	    "/v1/kits/%s/receipt", NULL, cmd_kit_receipt },
	{ "contribution-receipt", "TAG --out FILE.pdf", 1, 1, CMD_FILE, "GET",
	    "/v1/kits/%s/contribution-receipt", NULL, cmd_kit_receipt },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/*
 * The --accessory values (TAG or TAG:COUNT) as the API takes them:
 * {"accessory", "count"}. A usage error returns the exit status.
 */
int
cmd_kit_accessories(struct cmd *cmd)
{
	json_t *list, *out, *v;
	const char *s, *colon;
	char *tag, *end;
	long count;
	size_t i;

	if ((list = json_object_get(cmd->fields, "accessories")) == NULL)
		return (0);
	out = json_array();
	json_array_foreach(list, i, v) {
		s = json_string_value(v);
		if ((colon = strchr(s, ':')) == NULL) {
			json_array_append(out, v);
			continue;
		}
		count = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || count < 1) {
			output_warn(_("--accessory %s: expected TAG or "
			    "TAG:COUNT, such as A-0000001-S:2"), s);
			json_decref(out);
			return (EXIT_USAGE);
		}
		tag = xstrndup(s, colon - s);
		json_array_append_new(out, json_pack("{ss si}", "accessory",
		    tag, "count", (int)count));
		free(tag);
	}
	json_object_set_new(cmd->fields, "accessories", out);
	return (0);
}

/* Send a request and print its answer with the entry's printer. */
int
cmd_kit_send(struct cmd *cmd, const char *method, const char *path,
    json_t *body)
{
	struct answer a;
	int rc;

	if ((rc = cmd_send(cmd, method, path, body, &a)) != 0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else if (cmd->entry->print != NULL)
		cmd->entry->print(cmd, a.json);
	http_answer_free(&a);
	return (EXIT_DONE);
}

/* The entry's path with the first argument (escaped) for its "%s". */
char *
cmd_kit_path(struct cmd *cmd)
{
	const char *p = cmd->entry->path, *at;
	char *tag, *path;

	tag = http_escape(json_string_value(json_array_get(cmd->args, 0)));
	if ((at = strstr(p, "%s")) == NULL)
		path = xstrdup(p);
	else
		xasprintf(&path, "%.*s%s%s", (int)(at - p), p, tag, at + 2);
	free(tag);
	return (path);
}

/* kitstock kit add: the accessories as TAG:COUNT. */
static int
cmd_kit_add(struct cmd *cmd)
{
	int rc;

	if ((rc = cmd_kit_accessories(cmd)) != 0)
		return (rc);
	return (cmd_kit_send(cmd, "POST", cmd->entry->path, cmd->fields));
}

/* kitstock kit pick|unpick TAG ITEM...: the items as typed or scanned. */
static int
cmd_kit_pick(struct cmd *cmd)
{
	const char *kit = json_string_value(json_array_get(cmd->args, 0));
	char *path, *cause;
	json_t *items;
	int rc;

	if (tag_check(kit, 'K', NULL, NULL, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		return (EXIT_REFUSED);
	}
	if ((rc = cmd_kit_accessories(cmd)) != 0)
		return (rc);
	if (json_array_size(cmd->args) > 1) {
		items = json_array();
		json_array_extend(items, cmd->args);
		json_array_remove(items, 0);
		json_object_set_new(cmd->fields, "items", items);
	}
	path = cmd_kit_path(cmd);
	rc = cmd_kit_send(cmd, "POST", path, cmd->fields);
	free(path);
	return (rc);
}

/* kitstock kit receipt TAG --out FILE.pdf */
static int
cmd_kit_receipt(struct cmd *cmd)
{
	const char *out = json_string_value(json_object_get(cmd->fields,
	    "out"));
	struct answer a;
	char *path, *cause;
	int rc;

	path = cmd_kit_path(cmd);
	rc = cmd_send(cmd, "GET", path, NULL, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (http_answer_save(&a, out, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		http_answer_free(&a);
		return (EXIT_REFUSED);
	}
	if (strcmp(out, "-") != 0)
		printf(_("%s: %zu bytes written\n"), out, a.len);
	http_answer_free(&a);
	return (EXIT_DONE);
}

/* A kit: what it is for, its plan, what it holds, what it still lacks. */
static void
cmd_kit_print(struct cmd *cmd, json_t *o)
{
	json_t *v, *e;
	const char *s;
	size_t i;

	printf(_("%s: %s for %s, picked at %s\n"),
	    json_string_value(json_object_get(o, "tag")),
	    json_string_value(json_object_get(o, "state")),
	    json_string_value(json_object_get(o, "beneficiary")),
	    json_string_value(json_object_get(o, "location")));
	printf(_("  planned:"));
	json_array_foreach(json_object_get(o, "planned"), i, e) {
		s = json_string_value(json_object_get(e, "accessory"));
		printf("%s %lld %s", i == 0 ? "" : ",",
		    (long long)json_integer_value(json_object_get(e, "count")),
		    s != NULL ? json_string_value(json_object_get(e, "name")) :
		    json_string_value(json_object_get(e, "kind")));
	}
	putchar('\n');
	json_array_foreach(json_object_get(o, "units"), i, e)
		printf("  %s  %-10s %-22s %s\n",
		    json_string_value(json_object_get(e, "tag")),
		    json_string_value(json_object_get(e, "kind")),
		    json_string_value(json_object_get(e, "serial")),
		    json_string_value(json_object_get(e, "state")));
	json_array_foreach(json_object_get(o, "accessories"), i, e)
		printf("  %s  %lld x %s\n",
		    json_string_value(json_object_get(e, "accessory")),
		    (long long)json_integer_value(json_object_get(e, "count")),
		    json_string_value(json_object_get(e, "name")));
	if ((s = json_string_value(json_object_get(o, "contribution"))) !=
	    NULL)
		printf(_("  contribution: %s €\n"), s);
	if ((s = json_string_value(json_object_get(o, "handed_over_at"))) !=
	    NULL)
		printf(_("  handed over on %s at %s (%s)\n"), s,
		    json_string_value(json_object_get(o,
		    "handed_over_place")), json_string_value(
		    json_object_get(o, "distribution")));
	v = json_object_get(o, "missing");
	if (json_array_size(v) > 0) {
		printf(_("  still to pick:"));
		json_array_foreach(v, i, e) {
			s = json_string_value(json_object_get(e, "name"));
			printf("%s %lld %s", i == 0 ? "" : ",",
			    (long long)json_integer_value(json_object_get(e,
			    "missing")), s != NULL ? s : json_string_value(
			    json_object_get(e, "kind")));
		}
		putchar('\n');
	} else if (v != NULL && strcmp(json_string_value(json_object_get(o,
	    "state")), "picking") == 0)
		printf(_("  complete: kitstock kit ready %s\n"),
		    json_string_value(json_object_get(o, "tag")));
}
