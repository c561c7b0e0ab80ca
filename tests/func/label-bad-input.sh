#!/bin/bash
# Bad input to the label and printing endpoints (and their commands): each
# refusal names the field and the value in a sentence, the database is
# exactly as it was, and the daemon keeps serving.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
lpadmin -p zebra -E -v "socket://127.0.0.1:9" 2>/dev/null
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN1\",\"lot\":\"$R\"}"; D=$(jget .tag)
api POST /v1/printers '{"name":"zebra","queue":"zebra","language":"zpl"}'
is "$status" 201 "setup: a device and a printer"
api POST /v1/printers '{"name":"used","queue":"zebra","language":"zpl"}'
api PUT "/v1/locations/$W/print-on-receive" '{"printer":"used"}'
is "$status" 200 "setup: a printer a location prints on"
BAD=${D%?}$([ "${D: -1}" = A ] && echo B || echo A)
# 211 valid tags (ISO/IEC 7064 MOD 37,36 check characters, as shared/tag.c).
check() {
	local s=$1 a=36 i c v alpha=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}; v=${alpha%%"$c"*}; v=${#v}
		a=$(( ((a + v) % 36 == 0 ? 36 : (a + v) % 36) * 2 % 37 ))
	done
	echo "${alpha:$(( (37 - a) % 36 )):1}"
}
MANY=$(for i in $(seq 1 211); do s=$(printf '%07d' "$i"); printf 'D-%s-%s,' "$s" "$(check "D$s")"; done)
MANY_JSON=$(printf '"%s",' $(echo "${MANY%,}" | tr ',' ' '))
L9=L-0000009-$(check L0000009)

# refuse CODE METHOD PATH BODY FIELD PATTERN NAME
refuse() {
	local before after
	before=$(dbsum)
	if [ -n "$4" ]; then api "$2" "$3" "$4"; else api "$2" "$3"; fi
	after=$(dbsum)
	is "$status" "$1" "$7: status $1"
	[ -n "$5" ] && is "$(jget .error.field)" "$5" "$7: names field $5"
	like "$(jget .error.message)" "$6" "$7: the sentence says what is wrong"
	is "$after" "$before" "$7: database unchanged"
	is "$(alive)" 200 "$7: daemon still serves"
}

L=/v1/labels
refuse 400 GET "$L" "" tags 'tags is required' "labels without tags"
refuse 400 GET "$L?tags=$BAD" "" tags "$BAD.*check character" "a tag with a wrong check character"
refuse 400 GET "$L?tags=PF0ABC1" "" tags 'PF0ABC1' "not a tag"
refuse 400 GET "$L?tags=$D,$D" "" tags "$D is given twice" "a tag twice"
refuse 400 GET "$L?tags=${MANY%,}" "" tags '211 tags: at most 210' "too many tags"
refuse 404 GET "$L?tags=D-0000099-M" "" tags 'D-0000099-M does not exist' "an unknown tag"
refuse 400 GET "$L?tags=$D&template=nope" "" template 'no label template nope' "an unknown template"
refuse 400 GET "$L?tags=$D&template=../etc" "" template '"../etc"' "a template name that is a path"
refuse 400 GET "$L?tags=$D&template=sim" "" template "template sim prints S- tags, not $D" "a template for other tags"
refuse 400 GET "$L?tags=$R" "" template "no label template is the default for R- tags" "a lot has no label"
refuse 400 GET "$L?tags=$D&format=gif" "" format '"gif".*pdf, png, zpl' "an unknown format"
refuse 400 GET "$L?tags=$D&dpi=150" "" dpi 'dpi 150 is out of range' "a resolution out of range"
refuse 400 GET "$L?tags=$D&dpi=250" "" dpi 'dpi 250: expected 203, 300 or 600' "a resolution no printer has"
refuse 400 GET "$L?tags=$D&dpi=high" "" dpi 'whole number' "a resolution that is not a number"
refuse 400 GET "$L?tags=$D&colour=red" "" colour 'unknown parameter "colour"' "an unknown parameter"
refuse 400 GET "$L?tags=$D&event_date=2026-02-30" "" event_date '2026-02-30' "an impossible date"
refuse 422 GET "$L?tags=$D,$W&format=png" "" "" 'a PNG holds one label' "two labels in one PNG"
refuse 422 GET "$L?tags=$D&template=a4-l7160&format=zpl" "" "" 'sheet for office printers' "a sheet as ZPL"

B=/v1/labels/blank
refuse 400 POST "$B" '{"type":"device","count":0}' count 'count 0 is out of range \(1 to 210\)' "count 0"
refuse 400 POST "$B" '{"type":"device","count":10000}' count 'count 10000 is out of range' "count 10,000"
refuse 400 POST "$B" '{"type":"device","count":"3"}' count 'whole number' "count as a string"
refuse 400 POST "$B" '{"type":"printer","count":3}' type '"printer".*device, sim' "an unknown type"
refuse 400 POST "$B" '{"count":3}' type 'type is required' "no type"
refuse 400 POST "$B" '{"type":"device","count":3,"colour":"red"}' colour 'unknown field "colour"' "an unknown field"

P=/v1/printers
refuse 400 POST "$P" '{"name":"z2","language":"zpl"}' queue 'queue is required' "a printer without a queue"
refuse 400 POST "$P" '{"name":"z2","queue":"zebra","language":"ps"}' language '"ps".*pdf, zpl' "an unknown language"
refuse 400 POST "$P" '{"name":"z2","queue":"zebra","language":"zpl","dpi":250}' dpi '250' "a printer resolution no printer has"
refuse 400 POST "$P" '{"name":"Zebra 2","queue":"zebra","language":"zpl"}' name '"Zebra 2"' "a printer name with a space"
refuse 400 POST "$P" '{"name":"z2","queue":"a b","language":"zpl"}' queue '"a b" is not a CUPS queue name' "a queue name with a space"
refuse 400 POST "$P" '{"name":"z2","queue":"nosuchqueue","language":"zpl"}' queue 'CUPS has no queue nosuchqueue' "a queue CUPS does not have"
refuse 400 POST "$P" '{"name":"z2","queue":"zebra","language":"zpl","template":"nope"}' template 'no label template nope' "an unknown template"
refuse 400 POST "$P" '{"name":"z2","queue":"zebra","language":"zpl","template":"a4-l7160"}' template 'sheet' "a sheet for a ZPL printer"
refuse 409 POST "$P" '{"name":"zebra","queue":"zebra","language":"pdf"}' name 'zebra is already registered' "a printer name twice"
refuse 404 DELETE "$P/nope" "" name 'no printer nope' "deleting an unknown printer"
refuse 409 DELETE "$P/used" "" name 'prints on receive' "deleting a printer a location uses"

refuse 404 POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"nope\"}" printer 'no printer nope' "an unknown printer"
refuse 400 POST /v1/print '{"printer":"zebra"}' tags 'tags is required' "printing no tags"
refuse 400 POST /v1/print '{"tags":[],"printer":"zebra"}' tags 'tags must hold 1 to' "printing an empty list"
refuse 400 POST /v1/print "{\"tags\":[${MANY_JSON%,}],\"printer\":\"zebra\"}" tags 'at most 210' "printing too many"
refuse 400 POST /v1/print "{\"tags\":[\"$BAD\"],\"printer\":\"zebra\"}" tags 'check character' "printing a bad tag"
refuse 404 POST /v1/print '{"tags":["D-0000099-M"],"printer":"zebra"}' tags 'D-0000099-M does not exist' "printing an unknown tag"
refuse 400 POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"zebra\",\"template\":\"nope\"}" template 'no label template nope' "printing with an unknown template"
refuse 400 POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"zebra\",\"template\":\"location\"}" template 'prints L- tags' "printing with a template for other tags"
refuse 400 GET /v1/print/abc "" job 'job abc: expected a job number' "a job that is not a number"
refuse 404 GET /v1/print/999 "" job 'no print job 999' "an unknown job"

R2=/print-on-receive
refuse 400 PUT "/v1/locations/L-0000001-A$R2" '{"printer":"zebra"}' tag 'check character' "a bad location tag"
refuse 404 PUT "/v1/locations/$L9$R2" '{"printer":"zebra"}' tag "$L9 does not exist" "an unknown location"
refuse 404 PUT "/v1/locations/$W$R2" '{"printer":"nope"}' printer 'no printer nope' "on receive to an unknown printer"
refuse 400 PUT "/v1/locations/$W$R2" '{}' printer 'printer is required' "on receive without a printer"
refuse 400 PUT "/v1/locations/$W$R2" '{"printer":"zebra","template":"nope"}' template 'no label template nope' "on receive with an unknown template"

# The commands refuse before asking, or say what kitstockd said.
ks label "$D"
is "$rc" 2 "kitstock label without --out or --printer: usage error"
like "$err" 'give --out FILE' "it says what is missing"
ks label "$D" --out "$T/label.gif"
is "$rc" 2 "kitstock label --out with an unknown extension: usage error"
ks label "$BAD" --out "$T/label.pdf"
is "$rc" 1 "kitstock label with a bad tag: refused"
like "$err" 'check character' "with the reason"
is "$(ls "$T"/label.* 2>/dev/null | wc -l)" 0 "and no file written"
ks labels blank --type device --count 0
is "$rc" 1 "kitstock labels blank --count 0: refused by kitstockd"
like "$err" 'count 0 is out of range' "with its sentence"
ks printer add z3 --queue zebra --language zpl --dpi abc
is "$rc" 2 "kitstock printer add --dpi abc: usage error"

cups_stop
done_testing
