#!/bin/bash
# The README's steps, run as written: the tour, then "Labels and printing"
# with two CUPS queues of those names (raw queues on a fake printer). The
# label saved from the README's steps scans back to its tag, and the one
# printed arrives at the printer and scans back too.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
sink_start 1
lpadmin -p Zebra_ZD421 -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
lpadmin -p HP_LaserJet -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
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
	block "Labels and printing"
} > "$T/readme.sh"
like "$(cat "$T/readme.sh")" 'kitstock label \$D --printer zebra' "the README's label steps are found"
mkdir "$T/work"
(cd "$T/work" && SOCK=$SOCK KITSTOCK=$KITSTOCK bash "$T/readme.sh") >"$T/readme.out" 2>"$T/readme.err"
is "$?" 0 "the README's steps run without an error"
D=$(sql "SELECT tag FROM device WHERE serial = 'PF0ABC1'")
is "$(zbarimg --nodbus -q --raw "$T/work/label.png")" "$D" "label.png from the README scans back to its tag"
like "$(cat "$T/readme.out")" "$D" "zbarimg in the README printed it"
like "$(cat "$T/readme.out")" "$D: printed on zebra \\(job 1\\)" "the README's print completed"
sink_wait 1
curl -s --unix-socket "$SOCK" -o "$T/want.zpl" \
    "http://localhost/v1/labels?tags=$D&template=device&format=zpl&dpi=203"
cmp -s "$T/sink.1" "$T/want.zpl"
is "$?" 0 "the printed label arrived at the printer"
pdftoppm -r 300 -f 1 -l 1 -gray -singlefile "$T/work/label.pdf" "$T/page"
is "$(zbarimg --nodbus -q --raw "$T/page.pgm")" "$D" "label.pdf scans back too"
is "$(pdfinfo "$T/work/blank.pdf" | sed -n 's/^Pages: *//p')" 1 "21 blank labels fill one A4 sheet"
is "$(sql "SELECT count(*) FROM tag_reservation")" 21 "and 21 tags are reserved"
like "$(cat "$T/readme.out")" "zebra +Zebra_ZD421 +zpl +device +203 +L-0000001-O" \
    "the printer list shows print on receive at the warehouse"

cups_stop
done_testing
