#!/bin/bash
# The whole path, from the client, as the README documents it: its tour,
# then "The beneficiary path" run as written. A young person from
# Saint-Denis referred by a mission locale -> diagnostic (laptop + SIM) ->
# kit allocated and picked -> convoked to an event -> checkout -> SIM
# active, topped up to cover 6 months -> oriented to a training -> PIX
# certification -> both follow-ups recorded. Every step is in her
# history; the receipts say what was given; the database names her by
# her B- tag everywhere but in her identity.
. "$(dirname "$0")/lib"
start_daemon

# A section's first sh block, from its heading to the next one.
block() {
	awk -v h="## $1" '$0 == h { on = 1; next } on && /^## / { exit }
	    on && /^```sh$/ { code = 1; next } code && /^```$/ { exit }
	    code { print }' "${SRCDIR:-.}/README.md"
}
{
	echo 'set -e'
	echo "kitstock() { \"\$KITSTOCK\" -s \"\$SOCK\" \"\$@\"; }"
	block "A tour" | grep -v '^alias '
	block "The beneficiary path"
} > "$T/readme.sh"
like "$(cat "$T/readme.sh")" 'kitstock checkout \$E \$B \$K' "the README's path is found"
mkdir "$T/work"
(cd "$T/work" && SOCK=$SOCK KITSTOCK=$KITSTOCK bash "$T/readme.sh") >"$T/readme.out" 2>"$T/readme.err"
is "$?" 0 "the README's path runs without an error"

B=$(sql "SELECT b.tag FROM beneficiary b JOIN beneficiary_identity i ON i.beneficiary_id = b.id WHERE i.first_name = 'Aïcha'")
K=$(sql "SELECT tag FROM kit")
L=$(sql "SELECT tag FROM device WHERE serial = 'PF0PATH1'")
S=$(sql "SELECT tag FROM sim WHERE iccid = '89330123456789012375'")
like "$B" '^B-' "the beneficiary is there"
is "$(sql "SELECT b.commune || ' ' || b.territory || ' ' || b.category || ' ' || p.kind FROM beneficiary b JOIN prescriber p ON p.id = b.prescriber_id WHERE b.tag='$B'")" "93066 T6 mission_locale mission_locale" "from Saint-Denis (T6), referred by a mission locale"
is "$(sql "SELECT device_need || ' ' || connection_need FROM diagnostic")" "laptop sim" "her diagnostic: a laptop and a SIM card"
is "$(sql "SELECT state FROM kit WHERE tag='$K'")" handed_over "her kit was handed over"
is "$(sql "SELECT state FROM device WHERE tag='$L'")" handed_over "the laptop too"
is "$(sql "SELECT state || ' ' || paid_until FROM sim WHERE tag='$S'")" "active 2025-10-02" "her SIM card is active, paid until 6 months after the hand-over"
like "$(cat "$T/readme.out")" "$B +$S +active +2025-04-02 +2025-10-02 +2025-10-02 +yes +1" "the README shows 6 months covered"
is "$(sql "SELECT count(*) FROM orientation WHERE attended AND completed")" 1 "oriented to a training, attended and completed"
is "$(sql "SELECT kind || ' ' || result FROM certification")" "pix passed" "PIX certification passed"
is "$(sql "SELECT group_concat(month || ':' || basis, ' ') FROM followup")" "3:handed_over 6:handed_over" "both follow-ups recorded, scheduled from the hand-over"

# Every step in her history, in the order it happened.
is "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM ledger WHERE entity='$B' AND action NOT IN ('create', 'identity_set') ORDER BY at, id)")" \
    "diagnostic kit_allocated kit_ready convoked handed_over orientation topup certification followup followup" \
    "every step is in her history"
ks history "$B"
like "$out" "handed_over +- +$K" "kitstock history shows the hand-over"

# The receipts the README saved.
text=$(pdftotext "$T/work/attestation.pdf" - | tr '\n' ' ' | tr -s ' ')
like "$text" "Hand-over receipt" "the hand-over receipt was saved"
like "$text" "Aïcha Diallo \\($B\\)" "with her name, to sign"
like "$text" "Serial number PF0PATH1" "the laptop's serial"
like "$text" "ICCID 89330123456789012375" "the SIM card"
like "$text" "Contribution paid: 10.00 € \\(cash\\)" "the contribution"
like "$(pdftotext "$T/work/recu.pdf" - | tr '\n' ' ')" "the sum of 10.00 €" "the contribution receipt"

# Her name is hers alone: nowhere but in her identity.
is "$(sql "SELECT count(*) FROM ledger WHERE coalesce(details_json, '') || coalesce(reason, '') || coalesce(from_value, '') || coalesce(to_value, '') LIKE '%Aïcha%' OR coalesce(details_json, '') LIKE '%Diallo%'")" 0 "no name in the ledger"
unlike "$(cat "$T/daemon.log")" "Aïcha|Diallo" "nor in the log"
done_testing
