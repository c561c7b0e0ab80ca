#!/bin/bash
# The README's steps, run as written: the tour, then "Receiving a
# delivery" (from a directory holding the sample manifests, as the
# source tree does). The manifest is imported, the units received, and
# the account and its CSV say what arrived.
. "$(dirname "$0")/lib"
start_daemon

# A section's first sh block, from its heading to the next one.
block() {
	awk -v h="## $1" '$0 == h { on = 1; next } on && /^## / { exit }
	    on && /^```sh$/ { code = 1; next } code && /^```$/ { exit }
	    code { print }' "$SRCDIR/README.md"
}
{
	echo 'set -e'
	echo "kitstock() { \"\$KITSTOCK\" -s \"\$SOCK\" \"\$@\"; }"
	block "A tour" | grep -v '^alias '
	block "Receiving a delivery"
} > "$T/readme.sh"
like "$(cat "$T/readme.sh")" 'kitstock lot import tests/data/manifests/' "the README's receiving steps are found"
mkdir -p "$T/work/tests/data"
cp -r "$SRCDIR/tests/data/manifests" "$T/work/tests/data/"
(cd "$T/work" && SOCK=$SOCK KITSTOCK=$KITSTOCK bash "$T/readme.sh") >"$T/readme.out" 2>"$T/readme.err"
is "$?" 0 "the README's steps run without an error"
is "$(cat "$T/readme.err")" "" "nothing on standard error"

R2=$(sql "SELECT tag FROM lot WHERE ref = 'livraison-bocage-BL-2026-0042'")
like "$R2" '^R-' "the manifest made a lot"
is "$(sql "SELECT count(*) FROM device d JOIN lot l ON l.id = d.lot_id WHERE l.tag = '$R2' AND d.state = 'in_stock'")" 5 \
    "five units of the delivery in stock"
like "$(cat "$T/readme.out")" "$R2: expected 6, received 3, mismatched 1, missing 2, extra 1, duplicate 0" \
    "the account as the README shows it"
like "$(cat "$T/readme.out")" 'mismatched +7 +smartphone +Samsung +Galaxy A52 .*grade: A expected, B found' \
    "the phone graded B is a mismatch"
is "$(head -1 "$T/work/ecarts-BL-2026-0042.csv" | tr -d '\r' | sed 's/^\xef\xbb\xbf//')" \
    "Statut;Ligne;Type;Marque;Modèle;N° de série;IMEI;ICCID;Grade;Prix HT;Étiquette;Remarque" \
    "the CSV for the supplier, in French"
like "$(cat "$T/work/ecarts-BL-2026-0042.csv")" 'en trop;;Portable;HP;;5CG7331XYZ' "the extra in it"
done_testing
