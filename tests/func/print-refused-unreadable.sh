#!/bin/bash
# A label that could not scan back is refused, not printed: a template
# whose QR box is too small for a 203 dpi thermal printer (1 dot per
# module), and one whose text runs over the code. Nothing reaches the
# printer, nothing is recorded; the same small box prints at 300 dpi.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
sink_start 1
lpadmin -p zebra -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null

# The shipped templates, and two bad ones beside them.
mkdir "$T/labels"
cp "$SRCDIR"/labels/*.tpl "$T/labels/"
sed -e 's/^qr .*/qr 2 2 6/' -e 's/^default .*//' "$SRCDIR/labels/device.tpl" > "$T/labels/tiny.tpl"
sed -e 's/^default .*//' "$SRCDIR/labels/device.tpl" > "$T/labels/over.tpl"
echo 'text 1.5 10 60 30 bold {tag}' >> "$T/labels/over.tpl"
printf 'language en\nlabels %s\n' "$T/labels" > "$T/conf"
start_daemon -c "$T/conf"

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0ABC1\",\"lot\":\"$R\"}"; D=$(jget .tag)
ks printer add zebra --queue zebra --language zpl --dpi 203
is "$rc" 0 "a 203 dpi ZPL printer is registered"

before=$(dbsum)
ks label "$D" --printer zebra --template tiny
is "$rc" 1 "printing with the small QR box is refused (exit 1)"
like "$err" "nothing was printed: .*6 mm QR box gives 1 dot\\(s\\) per module at 203 dpi" \
    "the refusal says why"
api POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"zebra\",\"template\":\"tiny\"}"
is "$status" 422 "the API answers 422"
is "$(jget .error.code)" label_refused "code label_refused"
ks label "$D" --printer zebra --template over
is "$rc" 1 "a label whose text covers its code is refused"
like "$err" "$D does not scan back" "because it was decoded and did not scan back"
is "$(dbsum)" "$before" "nothing recorded"
is "$(sql 'SELECT count(*) FROM print_job')" 0 "no print job"
is "$(ls "$T" | grep -c '^sink\.1')" 0 "nothing reached the printer"
is "$(lpstat -W all -o | wc -l)" 0 "CUPS never saw a job"

api GET "/v1/labels?tags=$D&template=tiny&format=zpl&dpi=203"
is "$status" 422 "downloading it as 203 dpi ZPL is refused too"
like "$(jget .error.message)" 'at least 2' "with the rule"
status=$(curl -s --unix-socket "$SOCK" -o "$T/tiny.png" -w '%{http_code}' \
    "http://localhost/v1/labels?tags=$D&template=tiny&format=png&dpi=300")
is "$status" 200 "at 300 dpi the same box is 2 dots a module: it renders"
is "$(zbarimg --nodbus -q --raw "$T/tiny.png")" "$D" "and scans back"

cups_stop
done_testing
