/*
 * USB scanners: bind one to a station (by VID:PID, serial number or port
 * path, with its keyboard layout), list the bound and the seen ones with
 * their state, unbind; and the calibration label that tells a scanner's
 * layout when it is scanned at a station.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitstock.h"

static void cmd_scanner_print_bound(struct cmd *, json_t *);
static void cmd_scanner_print_list(struct cmd *, json_t *);
static void cmd_scanner_print_unbound(struct cmd *, json_t *);
static int cmd_scanner_bind(struct cmd *);

static const struct column cmd_scanner_columns[] = {
	{ N_("SCANNER"), "name" },
	{ N_("STATION"), "station" },
	{ N_("ROLE"), "role" },
	{ N_("LAYOUT"), "layout" },
	{ N_("BLANKING (MS)"), "blank_ms" },
	{ N_("STATE"), "state" },
	{ N_("CALIBRATED"), "calibrated_at" },
	{ NULL, NULL }
};

static const struct column cmd_scanner_seen_columns[] = {
	{ N_("DEVICE"), "device" },
	{ N_("SERIAL"), "serial" },
	{ N_("PORT"), "port" },
	{ N_("PRODUCT"), "product" },
	{ N_("INTERFACE"), "interface" },
	{ N_("STATE"), "state" },
	{ NULL, NULL }
};

const struct cmd_entry cmd_scanner_verbs[] = {
	{ "bind", "[VID:PID[/SERIAL]] --station NAME [--port PATH] "
	    "[--layout us|fr] [--blank-ms MS]", 0, 1, CMD_RAW, "POST",
	    "/v1/scanners", cmd_scanner_print_bound, cmd_scanner_bind },
	{ "list", "", 0, 0, 0, "GET", "/v1/scanners", cmd_scanner_print_list },
	{ "unbind", "SCANNER", 1, 1, CMD_RAW, "DELETE", "/v1/scanners/{q}",
	    cmd_scanner_print_unbound },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* kitstock scanner bind: the argument is the body's "scanner". */
static int
cmd_scanner_bind(struct cmd *cmd)
{
	struct answer a;
	json_t *arg = json_array_get(cmd->args, 0);
	int rc;

	if (arg != NULL)
		json_object_set(cmd->fields, "scanner", arg);
	else if (json_object_get(cmd->fields, "port") == NULL) {
		output_warn("%s", _("scanner bind: give VID:PID[/SERIAL], or "
		    "--port PATH for whatever scanner is plugged there"));
		cmd_usage(stderr, cmd->noun, cmd->entry);
		return (EXIT_USAGE);
	}
	if ((rc = cmd_send(cmd, "POST", "/v1/scanners", cmd->fields, &a)) !=
	    0)
		return (rc);
	if (cmd->json)
		fwrite(a.text, 1, a.len, stdout);
	else
		cmd_scanner_print_bound(cmd, a.json);
	http_answer_free(&a);
	return (EXIT_DONE);
}

/*
 * The binding, then the udev line the admin adds for a model the shipped
 * rules do not know (the daemon's group may open that scanner, and only it).
 */
static void
cmd_scanner_print_bound(struct cmd *cmd, json_t *o)
{
	const char *vid, *pid;

	printf(_("%s reads for station %s (layout %s)\n"),
	    json_string_value(json_object_get(o, "name")),
	    json_string_value(json_object_get(o, "station")),
	    json_string_value(json_object_get(o, "layout")));
	vid = json_string_value(json_object_get(o, "vid"));
	pid = json_string_value(json_object_get(o, "pid"));
	if (vid == NULL || pid == NULL)
		return;
	printf(_("If kitstockd cannot open it (a model the shipped udev rules "
	    "do not list), add this line to "
	    "/etc/udev/rules.d/60-kitstock-scanners.rules and run "
	    "\"udevadm trigger\":\n"));
	printf("SUBSYSTEM==\"usb\", ATTRS{idVendor}==\"%s\", "
	    "ATTRS{idProduct}==\"%s\", MODE=\"0660\", GROUP=\"kitstock\"\n",
	    vid, pid);
}

static void
cmd_scanner_print_unbound(struct cmd *cmd, json_t *o)
{
	printf(_("%s is unbound\n"), json_string_value(json_object_get(o,
	    "scanner")));
}

/* The bindings, then the scanners plugged in that are not bound. */
static void
cmd_scanner_print_list(struct cmd *cmd, json_t *o)
{
	const char *usb = json_string_value(json_object_get(o, "usb"));

	if (usb != NULL && strcmp(usb, "on") != 0)
		output_warn(_("kitstockd reads no USB scanner: %s"), usb);
	output_table(stdout, cmd_scanner_columns, json_object_get(o,
	    "scanners"));
	if (json_array_size(json_object_get(o, "seen")) > 0) {
		printf("\n%s\n", _("Plugged in, not bound:"));
		output_table(stdout, cmd_scanner_seen_columns,
		    json_object_get(o, "seen"));
	}
}

/* kitstock label calibration [--out FILE]: the label, into a file. */
int
cmd_label_calibration(struct cmd *cmd)
{
	struct answer a;
	const char *out, *dot, *format = "pdf";
	char *path, *cause;
	json_t *q;
	int rc;

	if ((out = json_string_value(json_object_get(cmd->fields, "out"))) ==
	    NULL)
		out = "calibration.pdf";
	if ((dot = strrchr(out, '.')) != NULL && (strcmp(dot, ".png") == 0 ||
	    strcmp(dot, ".zpl") == 0))
		format = dot + 1;
	else if (dot == NULL || strcmp(dot, ".pdf") != 0) {
		output_warn(_("label calibration: --out %s: the name must end "
		    "in .pdf, .png or .zpl"), out);
		return (EXIT_USAGE);
	}
	q = json_pack("{ss}", "format", format);
	if (json_object_get(cmd->fields, "dpi") != NULL)
		json_object_set(q, "dpi", json_object_get(cmd->fields, "dpi"));
	path = cmd_query("/v1/labels/calibration", q);
	json_decref(q);
	rc = cmd_send(cmd, "GET", path, NULL, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (http_answer_save(&a, out, &cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else
		printf(_("%s: the calibration label, %zu bytes: scan it once "
		    "at each station to set its scanner's layout\n"), out,
		    a.len);
	http_answer_free(&a);
	return (rc);
}
