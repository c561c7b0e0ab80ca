/*
 * The beneficiary path: prescribers, beneficiaries (their identity shown,
 * replaced, erased or exported on its own verbs), diagnostics, training
 * offers, orientations, certifications and follow-ups, each a table of
 * verbs and the columns of its list.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstock.h"

static void cmd_beneficiary_print_id(struct cmd *, json_t *);
static void cmd_beneficiary_print_diagnostic(struct cmd *, json_t *);
static void cmd_beneficiary_print_purge(struct cmd *, json_t *);
static void cmd_beneficiary_print_erased(struct cmd *, json_t *);
static int cmd_beneficiary_export(struct cmd *);

#define PATH_ADD(usage, print)						\
	{ "add", usage, 0, 0, 0, "POST", "/v1/{c}", print }
#define PATH_LIST(filters)						\
	{ "list", filters " [--limit N] [--after N] [--all]", 0, 0,	\
	    CMD_LIST, "GET", "/v1/{c}", cmd_item_print_list }
#define PATH_SHOW(arg, flags)						\
	{ "show", arg, 1, 1, flags, "GET", "/v1/{c}/{q}", output_show }
#define PATH_EDIT(arg, flags)						\
	{ "edit", arg " --FIELD VALUE... [--reason TEXT]", 1, 1,	\
	    CMD_ANYOPT | (flags), "PATCH", "/v1/{c}/{q}",		\
	    cmd_item_print_changed }
#define PATH_END { NULL, NULL, 0, 0, 0, NULL, NULL, NULL }

const struct cmd_entry cmd_prescriber_verbs[] = {
	PATH_ADD("--kind pie|rsa_association|insertion_plan|cisp|"
	    "france_travail|cap_emploi|mission_locale|ase|siae --name NAME "
	    "[--territory T6] [--contact TEXT]", cmd_item_print_tag),
	PATH_LIST("[--kind K] [--territory T]"),
	PATH_SHOW("TAG", 0),
	PATH_EDIT("TAG", 0),
	PATH_END
};

const struct cmd_entry cmd_beneficiary_verbs[] = {
	PATH_ADD("--category rsa_training|rsa_entrepreneurship|rsa_equipment|"
	    "long_term_unemployed|mission_locale|ase_young_adult|"
	    "siae_employee --referred-on DATE --consent-on DATE "
	    "[--commune INSEE] [--ase-territory T6] [--prescriber TAG] "
	    "[--first-name NAME] [--last-name NAME] [--phone NUMBER]",
	    cmd_item_print_tag),
	PATH_LIST("[--category C] [--territory T] [--prescriber TAG] "
	    "[--commune INSEE]"),
	PATH_SHOW("TAG", 0),
	PATH_EDIT("TAG", 0),
	{ "identity", "TAG", 1, 1, 0, "GET", "/v1/{c}/{t}/identity",
	    output_show },
	{ "identity-set", "TAG [--first-name NAME] [--last-name NAME] "
	    "[--phone NUMBER]", 1, 1, 0, "PUT", "/v1/{c}/{t}/identity",
	    output_show },
	{ "erase-identity", "TAG --reason TEXT", 1, 1, 0, "POST",
	    "/v1/{c}/{t}/erase-identity", cmd_beneficiary_print_erased },
	{ "export", "TAG --out FILE|-", 1, 1, 0, "GET", "/v1/{c}/{t}/export",
	    NULL, cmd_beneficiary_export },
	{ "purge-due", "[--dry-run]", 0, 0, 0, "POST",
	    "/v1/{c}/purge-due", cmd_beneficiary_print_purge },
	PATH_END
};

const struct cmd_entry cmd_diagnostic_verbs[] = {
	PATH_ADD("--beneficiary TAG --adviser NAME "
	    "--device-need none|desktop|laptop|tablet|smartphone "
	    "--connection-need none|sim|4g-router --autonomy 1|2|3|4 "
	    "[--training-wished none|any|initiation|online_procedures|"
	    "further_skills|creative_digital] [--certification-wished] "
	    "[--note TEXT] [--at DATE]", cmd_beneficiary_print_diagnostic),
	PATH_LIST("[--territory T] [--prescriber TAG] [--device-need N] "
	    "[--connection-need N] [--training-wished K] [--late]"),
	PATH_SHOW("TAG", 0),
	PATH_EDIT("TAG", 0),
	PATH_END
};

const struct cmd_entry cmd_offer_verbs[] = {
	PATH_ADD("--name NAME "
	    "--kind initiation|online_procedures|further_skills|"
	    "creative_digital [--provider NAME --commune INSEE] "
	    "[--place NUMBER] [--address TEXT] [--hours TEXT] [--extra] "
	    "[--contact TEXT]", cmd_item_print_tag),
	PATH_LIST("[--kind K] [--commune INSEE] [--territory T] "
	    "[--provider NAME] [--service S] [--place NUMBER]"),
	PATH_SHOW("TAG", 0),
	PATH_EDIT("TAG", 0),
	{ "import", "FILE.csv [--skip-bad]", 1, 1, CMD_RAW, "POST", NULL,
	    NULL, cmd_offers_import },
	{ "suggest", "BENEFICIARY [--limit N]", 1, 1, CMD_MIXED, "GET",
	    "/v1/beneficiaries/{t}/offers", cmd_offers_print_suggest },
	{ "places", "[--commune INSEE] [--territory T] [--limit N] "
	    "[--after N] [--all]", 0, 0, CMD_LIST, "GET", "/v1/places",
	    cmd_offers_print_places },
	{ "place", "NUMBER", 1, 1, CMD_RAW, "GET", "/v1/places/{q}",
	    output_show },
	PATH_END
};

const struct cmd_entry cmd_orientation_verbs[] = {
	PATH_ADD("--beneficiary TAG --offer TAG "
	    "[--funding programme|pass_numerique|cpf] [--vouchers N] "
	    "[--attended] [--completed] [--at DATE]",
	    cmd_beneficiary_print_id),
	PATH_LIST("[--beneficiary TAG] [--offer TAG] [--territory T] "
	    "[--offer-kind K] [--funding F] [--attended] [--completed]"),
	PATH_SHOW("NUMBER", CMD_RAW),
	PATH_EDIT("NUMBER", CMD_RAW),
	{ "dropouts", "[--territory T] [--beneficiary TAG]", 0, 0, 0, "GET",
	    "/v1/orientations/dropouts", cmd_offers_print_dropouts },
	PATH_END
};

const struct cmd_entry cmd_certification_verbs[] = {
	PATH_ADD("--beneficiary TAG --kind pix|clea_numerique "
	    "--result passed|failed [--score N] "
	    "[--funding programme|pass_numerique|cpf] [--vouchers N] "
	    "[--at DATE]", cmd_beneficiary_print_id),
	PATH_LIST("[--beneficiary TAG] [--territory T] [--kind K] "
	    "[--result R]"),
	PATH_SHOW("NUMBER", CMD_RAW),
	PATH_END
};

const struct cmd_entry cmd_followup_verbs[] = {
	PATH_ADD("--beneficiary TAG [--month 3|6] [--unreachable] "
	    "[--device-in-use] [--no-device-in-use] [--connected] "
	    "[--no-connected] [--training-followed] [--no-training-followed] "
	    "[--certified] [--no-certified] [--problems TEXT] [--at DATE]",
	    cmd_beneficiary_print_id),
	{ "list", "[--due DATE] [--overdue] [--state done|overdue|pending] "
	    "[--beneficiary TAG] [--territory T] [--prescriber TAG] [--limit N] "
	    "[--after CURSOR] [--all]", 0, 0, CMD_LIST, "GET", "/v1/{c}",
	    cmd_offers_print_followups },
	PATH_SHOW("NUMBER", CMD_RAW),
	PATH_END
};

const struct column cmd_prescriber_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("KIND"), "kind" },
	{ N_("NAME"), "name" },
	{ N_("TERRITORY"), "territory" },
	{ NULL, NULL }
};

const struct column cmd_beneficiary_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("CATEGORY"), "category" },
	{ N_("COMMUNE"), "commune_name" },
	{ N_("TERRITORY"), "territory" },
	{ N_("PRESCRIBER"), "prescriber" },
	{ N_("REFERRED"), "referred_on" },
	{ N_("CONSENT"), "consent_on" },
	{ NULL, NULL }
};

const struct column cmd_diagnostic_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("DATE"), "diagnosed_on" },
	{ N_("DEVICE"), "device_need" },
	{ N_("CONNECTION"), "connection_need" },
	{ N_("AUTONOMY"), "autonomy" },
	{ N_("TRAINING"), "training_wished" },
	{ N_("LATE"), "late" },
	{ NULL, NULL }
};

const struct column cmd_offer_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("NAME"), "name" },
	{ N_("PROVIDER"), "provider" },
	{ N_("KIND"), "kind" },
	{ N_("COMMUNE"), "commune_name" },
	{ N_("ORIENTED"), "orientations" },
	{ NULL, NULL }
};

const struct column cmd_orientation_columns[] = {
	{ N_("NUMBER"), "id" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("OFFER"), "offer" },
	{ N_("KIND"), "offer_kind" },
	{ N_("DATE"), "oriented_on" },
	{ N_("ATTENDED"), "attended" },
	{ N_("COMPLETED"), "completed" },
	{ NULL, NULL }
};

const struct column cmd_certification_columns[] = {
	{ N_("NUMBER"), "id" },
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("KIND"), "kind" },
	{ N_("DATE"), "certified_on" },
	{ N_("RESULT"), "result" },
	{ N_("SCORE"), "score" },
	{ NULL, NULL }
};

/* The schedule: one row per follow-up due, done or not. */
const struct column cmd_followup_columns[] = {
	{ N_("BENEFICIARY"), "beneficiary" },
	{ N_("MONTH"), "month" },
	{ N_("DUE"), "due_on" },
	{ N_("AFTER"), "basis" },
	{ N_("STATE"), "state" },
	{ N_("NUMBER"), "followup" },
	{ N_("DONE ON"), "followed_on" },
	{ NULL, NULL }
};

static const struct column purge_columns[] = {
	{ N_("TAG"), "tag" },
	{ N_("LAST STEP"), "last_step_on" },
	{ N_("ERASE ON"), "erase_on" },
	{ NULL, NULL }
};

/* The number of what was recorded, alone (n=$(kitstock ... add ...)). */
static void
cmd_beneficiary_print_id(struct cmd *cmd, json_t *o)
{
	printf("%lld\n", (long long)json_integer_value(json_object_get(o,
	    "id")));
}

/* The beneficiary's tag; a diagnostic after the deadline says so. */
static void
cmd_beneficiary_print_diagnostic(struct cmd *cmd, json_t *o)
{
	cmd_item_print_tag(cmd, o);
	if (json_is_true(json_object_get(o, "late")))
		output_warn(_("%s: diagnostic of %s recorded after the "
		    "programme's deadline: flagged late"),
		    json_string_value(json_object_get(o, "tag")),
		    json_string_value(json_object_get(o, "diagnosed_on")));
}

static void
cmd_beneficiary_print_erased(struct cmd *cmd, json_t *o)
{
	const char *tag = json_string_value(json_object_get(o, "tag"));
	json_t *purged = json_object_get(o, "purged");

	if (json_is_true(purged))
		printf(_("%s: identity erased, gone from the database files\n"),
		    tag);
	else if (json_is_false(purged))
		printf(_("%s: identity erased; an export in progress holds "
		    "the old pages: gone from the database files by %s at the "
		    "latest\n"), tag, json_string_value(json_object_get(o,
		    "purge_by")));
	else
		printf(_("%s: identity erased\n"), tag);
}

/* Whose identities are due for erasure, and how many were erased. */
static void
cmd_beneficiary_print_purge(struct cmd *cmd, json_t *o)
{
	json_t *due = json_object_get(o, "due");

	if (json_array_size(due) > 0)
		output_table(stdout, purge_columns, due);
	if (json_is_true(json_object_get(o, "dry_run")))
		printf(_("%zu identities due for erasure (retention %lld "
		    "months); nothing erased\n"), json_array_size(due),
		    (long long)json_integer_value(json_object_get(o,
		    "retention_months")));
	else
		printf(_("%lld identities erased (retention %lld months)\n"),
		    (long long)json_integer_value(json_object_get(o, "erased")),
		    (long long)json_integer_value(json_object_get(o,
		    "retention_months")));
}

/*
 * A person's own data into a file readable by its owner only (it holds
 * their identity), written whole or not at all; "-" for standard output.
 */
static int
cmd_beneficiary_export(struct cmd *cmd)
{
	struct answer a;
	const char *out, *tag;
	char *path, *q, *tmp;
	int fd, rc;

	tag = json_string_value(json_array_get(cmd->args, 0));
	out = json_string_value(json_object_get(cmd->fields, "out"));
	q = http_escape(tag);
	xasprintf(&path, "/v1/beneficiaries/%s/export", q);
	free(q);
	rc = cmd_send(cmd, "GET", path, NULL, &a);
	free(path);
	if (rc != 0)
		return (rc);
	if (strcmp(out, "-") == 0) {
		fwrite(a.text, 1, a.len, stdout);
		http_answer_free(&a);
		return (EXIT_DONE);
	}
	xasprintf(&tmp, "%s.tmp", out);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write(fd, a.text, a.len) != (ssize_t)a.len ||
	    fsync(fd) != 0 || close(fd) != 0 || rename(tmp, out) != 0) {
		output_warn(_("cannot write %s: %s"), out, strerror(errno));
		if (fd != -1)
			unlink(tmp);
		free(tmp);
		http_answer_free(&a);
		return (EXIT_REFUSED);
	}
	free(tmp);
	printf(_("%s: data of %s written (%zu bytes)\n"), out, tag, a.len);
	http_answer_free(&a);
	return (EXIT_DONE);
}
