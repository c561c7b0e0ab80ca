#!/bin/bash
# The README's "Follow-ups, identity and erasure", run as written after
# its tour and "The beneficiary path": someone not equipped followed from
# the diagnostic, the due and overdue lists, an identity shown and
# exported, then erased for good from the database and its WAL.
. "$(dirname "$0")/lib"
start_daemon

# A section's first sh block, from its heading ("## X" or "### X") on.
block() {
	awk -v h="$1" '$0 == h { on = 1; next } on && /^##+ / { exit }
	    on && /^```sh$/ { code = 1; next } code && /^```$/ { exit }
	    code { print }' "${SRCDIR:-.}/README.md"
}
{
	echo 'set -e'
	echo "kitstock() { \"\$KITSTOCK\" -s \"\$SOCK\" \"\$@\"; }"
	block "## A tour" | grep -v '^alias '
	block "## The beneficiary path"
	block "### Follow-ups, identity and erasure"
	echo 'echo "B2=$B2"'
} > "$T/readme.sh"
like "$(cat "$T/readme.sh")" 'kitstock beneficiary erase-identity \$B' "the README's section is found"
mkdir "$T/work"
(cd "$T/work" && SOCK=$SOCK KITSTOCK=$KITSTOCK bash "$T/readme.sh") >"$T/readme.out" 2>"$T/readme.err"
is "$?" 0 "it runs without an error"
o=$(cat "$T/readme.out")
B=$(sql "SELECT tag FROM beneficiary ORDER BY id LIMIT 1")
B2=$(sed -n 's/^B2=//p' "$T/readme.out")
like "$B2" '^B-0000002-.$' "a second beneficiary"
like "$o" "$B2 +3 +2025-08-12 +diagnostic +overdue" "followed 3 months after the diagnostic"
like "$o" "$B2 +6 +2025-11-12 +diagnostic" "and 6 months after"
like "$o" 'first_name: Aïcha' "her identity shown on request"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B' AND action IN ('identity_shown', 'exported', 'identity_erased')")" 3 "each in the ledger"
is "$(stat -c %a "$T/work/aicha.json")" 600 "her data exported for her, readable by its owner only"
is "$(jq -r '.identity.last_name + " " + (.followups | length | tostring)' "$T/work/aicha.json")" "Diallo 2" "with her identity and her follow-ups"
like "$o" 'identity: erased' "then erased"
like "$o" '0 identities due for erasure \(retention 24 months\)' "nobody else due yet"
is "$(cat "$DB" "$DB-wal" | grep -a -c 'Aïcha|Diallo')" 0 "no trace of her name in the database or its WAL"
is "$(sql "SELECT count(*) FROM followup f JOIN beneficiary b ON b.id = f.beneficiary_id WHERE b.tag='$B'")" 2 "her follow-ups still counted"
is "$(sql "SELECT count(*) FROM beneficiary_identity")" 1 "the other identity stays"
done_testing
