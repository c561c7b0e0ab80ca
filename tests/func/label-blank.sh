#!/bin/bash
# Pre-printed tags: kitstock labels blank reserves the next tags of a kind
# and labels them; a reserved number is never given to a unit added later,
# each reservation is in the ledger, and the labels scan back.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN1\",\"lot\":\"$R\"}"
is "$(jget .tag)" D-0000001-Z "setup: one device, D-0000001-Z"

ks labels blank --type device --count 3 --out "$T/blank.pdf"
is "$rc" 0 "kitstock labels blank --type device --count 3 --out FILE"
is "$(printf '%s\n' "$out" | head -3 | tr '\n' ' ')" "D-0000002-X D-0000003-V D-0000004-T " \
    "it prints the three next device tags"
like "$out" 'blank.pdf: 3 label\(s\)' "and writes their labels"
got=
for p in 1 2 3; do
	pdftoppm -r 203 -f $p -l $p -gray -singlefile "$T/blank.pdf" "$T/page"
	got="$got $(zbarimg --nodbus -q --raw "$T/page.pgm")"
done
is "$got" " D-0000002-X D-0000003-V D-0000004-T" "each blank label scans back to its tag"
text=$(pdftotext "$T/blank.pdf" - | tr '\n' ' ')
like "$text" 'D-0000002-X' "a blank label prints its tag"
unlike "$text" 'Grade|Go' "and no field it does not have"

is "$(sql "SELECT group_concat(tag || ':' || letter || ':' || seq, ' ') FROM tag_reservation")" \
    "D-0000002-X:D:2 D-0000003-V:D:3 D-0000004-T:D:4" "the reservations are recorded"
is "$(sql "SELECT count(*) FROM tag_reservation WHERE bound_at IS NULL")" 3 "none is bound yet"
is "$(sql "SELECT count(*) FROM ledger WHERE action = 'reserve' AND entity LIKE 'D-%'")" 3 \
    "each reservation is in the ledger"

api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN2\",\"lot\":\"$R\"}"
is "$(jget .tag)" D-0000005-R "a device added later skips the reserved numbers"

api POST /v1/labels/blank '{"type":"sim","count":2}'
is "$status" 201 "POST /v1/labels/blank for SIM cards"
is "$(jget '.tags | join(" ")')" "S-0000001-8 S-0000002-6" "two SIM tags"
api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"Orange\",\"lot\":\"$R\"}"
is "$(jget .tag)" S-0000003-4 "and the next SIM card is S-0000003-4"

status=$(curl -s --unix-socket "$SOCK" -o "$T/again.png" -w '%{http_code}' \
    "http://localhost/v1/labels?tags=D-0000003-V&format=png")
is "$status" 200 "a reserved tag's label can be downloaded again"
is "$(zbarimg --nodbus -q --raw "$T/again.png")" D-0000003-V "and scans back"
done_testing
