#!/bin/bash
# The README's "The territory's offers", run as written: a file of the
# standard imported, someone diagnosed, offers suggested, the first one
# chosen, a charge refused, the drop-out listed, then cleared.
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
	block "## The territory's offers"
	echo 'echo "B3=$B3 N=$N"'
} > "$T/readme.sh"
like "$(cat "$T/readme.sh")" 'kitstock offers import lieux-93.csv' "the README's section is found"
mkdir "$T/work"
cp "${SRCDIR:-.}/tests/data/offers/lieux-93.csv" "$T/work/"
(cd "$T/work" && SOCK=$SOCK KITSTOCK=$KITSTOCK bash "$T/readme.sh") >"$T/readme.out" 2>"$T/readme.err"
is "$?" 0 "it runs without an error"
o=$(cat "$T/readme.out")
e=$(cat "$T/readme.err")
B3=$(sed -n 's/^B3=\([^ ]*\) .*/\1/p' "$T/readme.out")
N=$(sed -n 's/.* N=//p' "$T/readme.out")
like "$o" 'places: 6 created, 0 updated, 0 unchanged; 2 outside' "the territory's places imported"
like "$o" 'Médiathèque Gulliver +Saint-Denis +T6 +2 +2024-04-02' "listed"
like "$o" "O-0000001-. +Maîtrise des outils numériques du quotidien +Médiathèque Gulliver +Saint-Denis +commune +free" "the nearest free offer suggested first"
like "$e" 'funding "cheque" is refused' "a charge refused"
like "$o" "$N +$B3 +O-0000001-. +Médiathèque Gulliver +2025-09-10" "the orientation not attended listed as a drop-out"
like "$o" 'Orientations with no attendance recorded \(possible drop-outs\)' "in the due list too"
is "$(sql "SELECT attended FROM orientation WHERE id = $N")" 1 "attendance recorded at last"
ks orientation dropouts
like "$out" 'no orientation without attendance after 21 days' "the drop-out cleared"
done_testing
