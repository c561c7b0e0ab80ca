#!/bin/bash
# Bad input to the manifest import: wrong media type, an empty file,
# binary garbage, a spreadsheet instead of CSV, a file over the body limit,
# unknown or wrong tags, bad query fields. Each gets a sentence naming
# what is wrong, the database does not change and the daemon keeps
# serving; the client says the same and exits 1 (2 for usage).
. "$(dirname "$0")/lib"
start_daemon
M=${SRCDIR:-.}/tests/data/manifests

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; L=$(jget .tag)
GOOD=$M/livraison-bocage-BL-2026-0042.csv
BAD_F="${F%?}$( [ "${F: -1}" = A ] && echo B || echo A)"

upload() {
	local out
	out=$(curl -s --unix-socket "$SOCK" -X POST -H "Content-Type: ${3:-text/csv}" \
	    --data-binary @"$2" -w '\n%{http_code}' "http://localhost$1")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# refuse CODE PATH FILE CONTENT-TYPE PATTERN NAME
refuse() {
	local before
	before=$(dbsum)
	upload "$2" "$3" "$4"
	is "$status" "$1" "$6: status $1"
	like "$(jget .error.message)" "$5" "$6: the sentence says what is wrong"
	is "$(dbsum)" "$before" "$6: database unchanged"
	is "$(alive)" 200 "$6: daemon still serves"
}

NEW="/v1/lots/import?supplier=$F&ref=BL-2"
: > "$T/empty.csv"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\001' > "$T/image.png"
head -c 3000 /dev/zero | tr '\0' '\001' > "$T/controls.bin"
printf 'PK\003\004\024\000\006\000' > "$T/sheet.xlsx"
printf '\377\376T\000y\000p\000e\000' > "$T/utf16.csv"
printf 'Type;Marque\n\201\215\217;x\n' > "$T/undefined.csv"
printf 'Type;N° de série;Commentaire\nPortable;SN1;"pas fermé\n' > "$T/unclosed.csv"
printf 'a;b;c\n1;2;3\n' > "$T/noheader.csv"
printf 'Marque;N° de série\nDell;SN1\n' > "$T/nokind.csv"
printf 'Type;N° de série\n' > "$T/headeronly.csv"
printf 'Type;N° de série;Serial\nPortable;A;A\n' > "$T/twoserials.csv"
printf '{"kind":"laptop"}' > "$T/body.json"
{ printf 'Type;N° de série;Commentaire\n'; for i in $(seq 1 20000); do
	printf 'Portable;BIG%07d;%s\n' "$i" "une remarque assez longue pour grossir le fichier"; done; } > "$T/big.csv"

refuse 415 "$NEW" "$T/body.json" application/json 'send the body as text/csv \(got application/json\)' "JSON instead of CSV"
refuse 415 "$NEW" "$GOOD" application/x-www-form-urlencoded 'text/csv' "a form's media type"
refuse 400 "$NEW" "$T/empty.csv" text/csv 'the manifest is empty' "an empty file"
refuse 400 "$NEW" "$T/image.png" text/csv 'not text \(it holds a NUL byte' "binary garbage (an image)"
refuse 400 "$NEW" "$T/controls.bin" text/csv 'control character' "binary garbage without NUL"
refuse 400 "$NEW" "$T/sheet.xlsx" text/csv 'spreadsheet file \(.xlsx or .ods\), not CSV' "an .xlsx file"
refuse 400 "$NEW" "$T/utf16.csv" text/csv 'UTF-16' "UTF-16"
refuse 400 "$NEW" "$T/undefined.csv" text/csv 'neither UTF-8 nor Windows-1252 text \(byte 0x81 on line 2\)' \
    "bytes that mean nothing in Windows-1252"
refuse 400 "$NEW" "$T/unclosed.csv" text/csv 'line 2: a quoted value is not closed' "an unclosed quote"
refuse 400 "$NEW" "$T/noheader.csv" text/csv 'no header line found' "no header"
refuse 400 "$NEW" "$T/nokind.csv" text/csv 'no column gives the kind' "no kind column"
refuse 400 "$NEW" "$T/headeronly.csv" text/csv 'a header but no unit' "a header alone"
refuse 400 "$NEW" "$T/twoserials.csv" text/csv 'columns 2 \(N° de série\) and 3 \(Serial\) both give the serial' \
    "two serial columns"
refuse 404 "/v1/lots/import?supplier=F-0000009-P&ref=BL-2" "$GOOD" text/csv 'supplier F-0000009-P does not exist' \
    "unknown supplier"
refuse 400 "/v1/lots/import?supplier=$BAD_F&ref=BL-2" "$GOOD" text/csv "$BAD_F.*check character" "supplier's check character"
refuse 400 "/v1/lots/import?supplier=$R&ref=BL-2" "$GOOD" text/csv "$R" "a lot's tag as supplier (wrong letter)"
refuse 400 "/v1/lots/import?ref=BL-2" "$GOOD" text/csv 'supplier is required' "no supplier"
refuse 400 "/v1/lots/import?supplier=$F" "$GOOD" text/csv 'ref is required' "no reference"
refuse 400 "$NEW&colour=red" "$GOOD" text/csv 'unknown field "colour"' "unknown query field"
refuse 400 "$NEW&skip_bad=maybe" "$GOOD" text/csv 'skip_bad must be true or false' "skip_bad neither true nor false"
refuse 400 "$NEW&supplier=$F" "$GOOD" text/csv 'supplier is given twice' "supplier given twice"
refuse 400 "$NEW&delivered_on=31/12/2026" "$GOOD" text/csv '31/12/2026' "a bad delivery date"
refuse 409 "/v1/lots/import?supplier=$F&ref=BL-1" "$GOOD" text/csv "already has a lot with the reference BL-1 \\($R\\)" \
    "a reference the supplier already used"
refuse 404 "/v1/lots/R-0000009-Q/import" "$GOOD" text/csv 'lot R-0000009-Q does not exist' "unknown lot"
refuse 400 "/v1/lots/$L/import" "$GOOD" text/csv "$L" "a location's tag as lot (wrong letter)"
refuse 400 "/v1/lots/${R%?}Z/import" "$GOOD" text/csv 'check character' "lot's check character"

# Over the body limit: evhttp's own 413, before any handler.
before=$(dbsum)
upload "$NEW" "$T/big.csv"
is "$status" 413 "a file over the body limit gets 413"
is "$(dbsum)" "$before" "over the limit: database unchanged"
is "$(alive)" 200 "over the limit: daemon still serves"
ks lot import "$T/big.csv" --supplier "$F"
is "$rc" 1 "client: over the limit refused"
like "$err" 'larger than kitstockd takes \(max-body in kitstockd.conf\)' "client: says why and what to change"

# The client's own refusals.
sum=$(dbsum)
ks lot import "$T/nosuchfile.csv" --supplier "$F"
is "$rc" 2 "client: a missing file is a usage error"
like "$err" "cannot read $T/nosuchfile.csv: No such file" "client: says so"
ks lot import "$T" --supplier "$F"
is "$rc" 2 "client: a directory is not a file"
ks lot import "$GOOD" --supplier "$F" --lot "$R" --ref X
is "$rc" 2 "client: --ref describes a new lot, not --lot"
like "$err" '\-\-ref describes a new lot' "client: says so"
ks lot import "$GOOD"
is "$rc" 2 "client: --supplier is required"
ks lot import "$GOOD" --supplier "$F" --lot "${R%?}Z"
is "$rc" 1 "client: a lot tag with a bad check character"
ks lot import "$T/image.png" --supplier "$F"
is "$rc" 1 "client: binary garbage refused"
like "$err" 'not text' "client: with kitstockd's sentence"
ks lot import "$T/empty.csv" --supplier "$F"
is "$rc" 1 "client: an empty file refused"
like "$err" 'the manifest is empty' "client: with kitstockd's sentence"
is "$(dbsum)" "$sum" "client refusals changed nothing"
done_testing
