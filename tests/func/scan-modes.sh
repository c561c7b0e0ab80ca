#!/bin/bash
# Every station mode through POST /v1/scans and `kitstock scan`: what a
# scan means depends on the station's mode and on what was scanned before
# it (its context). The effects are those of the API's own handlers
# (receiving, moves, picking, checkout, return) with their ledger rows
# naming the station; each verdict names the item and what to do next.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
M=${SRCDIR:-.}/tests/data/manifests
station_conf 0
start_daemon -c "$T/station.conf"
kit_setup

# receive: a manifest serial alone, or a blank tag then the serial.
ks lot import "$M/delivery-note-DN-7781.csv" --supplier "$F"; RL=$out
ks station add quai --location "$W" --mode receive
is "$rc" 0 "kitstock station add (receive)"
scan quai PF2T14G1A
scanned "a manifest serial" ok "^D-[0-9]{7}-.: received from lot $RL into $W — scan the next unit"
DR=$(jget .item)
is "$(sql "SELECT serial || ' ' || state || ' ' || (SELECT tag FROM location WHERE id = location_id) FROM device WHERE tag='$DR'")" "PF2T14G1A in_stock $W" "the unit exists, in stock at the station's location"
is "$(sql "SELECT station FROM ledger WHERE entity='$DR' AND action='receive'")" quai "its receiving is in the ledger with the station"
scan quai PF2T14G1A
scanned "the same serial again" refused "PF2T14G1A: expected by no delivery manifest — check the code"
api POST /v1/labels/blank '{"type":"device","count":1}'; PRE=$(jget '.tags[0]')
scan quai "$PRE"
scanned "a blank tag" ok "$PRE: blank tag ready — now scan the unit's serial or IMEI"
ks scan 354567109876540 --station quai
is "$rc" 0 "kitstock scan IMEI: ok"
like "$out" "^OK quai: $PRE: received from lot $RL" "the phone takes the pre-printed tag"
is "$(sql "SELECT serial FROM device WHERE tag='$PRE'")" FP4A000123 "the pre-printed tag is bound to the phone"
is "$(sql "SELECT group_concat(source, ' ') FROM (SELECT source FROM scan WHERE code IN ('PF2T14G1A', '354567109876540') ORDER BY id)")" "api api client" "each scan records where it came from"
scan quai "$PRE"
scanned "a used tag" refused "$PRE: already used on a unit — scan a blank tag"

# putaway: a location, then items that move there.
ks station add rayon --location "$W" --mode putaway
scan rayon TAB0001
scanned "an item before the location" refused "TAB0001: no location scanned — scan the location first"
is "$(sql "SELECT count(*) FROM scan WHERE verdict='refused' AND code='TAB0001'")" 1 "a refused scan is recorded too"
scan rayon "$X"
scanned "a location" ok "$X: putting away here — scan the items"
ks scan TAB0001 --station rayon
is "$rc" 0 "kitstock scan a serial"
like "$out" "^OK rayon: $D3: in_stock, moved from $W to $X — scan the next item" "the tablet moves"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || station FROM ledger WHERE entity='$D3' AND action='move'")" "$W>$X rayon" "the move is in the ledger with the station"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$D3' AND action='scan' AND station='rayon'")" 1 "and the scan itself"
scan rayon NOSUCHSERIAL
scanned "an unknown code" refused "NOSUCHSERIAL: unknown here — set it aside"

# pick: a kit, then its units.
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"sims\":1,\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
ks station add picking --location "$W" --mode pick
scan picking "$D2"
scanned "a unit before the kit" refused "no kit scanned — scan the kit first"
scan picking "$K2"
scanned "a kit" ok "$K2: picking for $B2 — scan its units"
scan picking "$D3"
scanned "a unit elsewhere" refused "^$D3: $D3 is at $X, not at $W where $K2 is picked.* — put it back and scan another unit"
is "$(sql "SELECT state FROM device WHERE tag='$D3'")" in_stock "the refused unit is untouched"
scan picking PF0KIT2
scanned "a planned unit" ok "$D2: picked into $K2 — 1 more to pick"
ks scan 89330123456789012359 --station picking
like "$out" "^OK picking: $S2: picked into $K2, which is complete — mark it ready" "the last unit completes the kit"
is "$(sql "SELECT state FROM device WHERE tag='$D2'") $(sql "SELECT state FROM sim WHERE tag='$S2'")" "reserved reserved" "both reserved for the kit"
is "$(sql "SELECT station FROM ledger WHERE entity='$D2' AND action='state'")" picking "the reservation names the station"

# checkout: the convocation, then the kit (2 scans).
kit_ready "$B1"
event_today "$B1"; E1=$E
event_today "$B2"; E2=$E
ks station add caisse --location "$P" --mode checkout --distribution "$E1"
is "$rc" 0 "kitstock station add (checkout)"
ks scan "$K" --station caisse
is "$rc" 1 "a kit before the convocation: exit 1"
like "$out" "^REFUSED caisse: $K: no convocation scanned — scan the convocation first" "says what to scan first"
ks scan "$B2" --station caisse
like "$out" "^REFUSED caisse: $B2: convoked to distribution $E2, not to $E1 served here — send them there" "a beneficiary of another distribution is refused"
before=$(sql "SELECT count(*) FROM ledger")
scan caisse "$B1"
scanned "the convocation" ok "$B1: convoked to $E1 — now scan their kit"
scan caisse "$K"
scanned "the kit" ok "$K: handed over to $B1 — scan the next convocation"
is "$(sql "SELECT state FROM kit WHERE tag='$K'") $(sql "SELECT state FROM device WHERE tag='$D1'") $(sql "SELECT outcome FROM convocation v JOIN beneficiary b ON b.id = v.beneficiary_id WHERE b.tag='$B1'")" "handed_over handed_over handed_over" "two scans: the kit, its laptop and the convocation are handed over"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$E1' AND action='checkout' AND station='caisse'")" 1 "the checkout is in the ledger with the station"
api POST "/v1/distributions/$E1/convocations" "{\"beneficiaries\":[\"$B2\"]}"
scan caisse "$B2"
scanned "another beneficiary" ok "$B2: convoked to $E1"
scan caisse "$D1"
scanned "a device already handed over" refused "^$D1: already handed over to $B1 on $(date -u +%d/%m) — scan another device$"
scan caisse "$B1"
scanned "a beneficiary already equipped" refused "$B1: already equipped at $E1 — scan the next convocation"

# return: a reason (command barcode), then what comes back.
ks station add retour --location "$W" --mode return
scan retour "$D1"
scanned "an item before the reason" refused "no return reason scanned — scan the return reason first"
scan retour KS:REASON:FAULTY
scanned "a return reason" ok "return reason: faulty — now scan what comes back"
scan retour PF0KIT1
scanned "a device of a kit handed over" ok "$K: given back by $B1 \\(faulty\\), now at $W — scan the next return"
is "$(sql "SELECT state || ' ' || (SELECT tag FROM location WHERE id = location_id) FROM device WHERE tag='$D1'")" "returned $W" "the laptop is returned, at the station's location"
is "$(sql "SELECT reason || ' ' || station FROM ledger WHERE entity='$K' AND action='state' AND to_value='returned'")" "faulty retour" "the kit's return, its reason and station in the ledger"
scan retour PF0KIT1
scanned "the same device again" refused "$D1: in no kit handed over — set it aside"

# audit: a location, everything seen there, then END AUDIT.
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"GONE01\",\"lot\":\"$R\",\"location\":\"$W\"}"; DL=$(jget .tag)
api POST "/v1/devices/$DL/state" '{"to":"lost","reason":"introuvable"}'
ks station add inventaire --location "$W" --mode audit
scan inventaire "$D1"
scanned "an item before the location" refused "no audit started — scan the location to audit first"
scan inventaire "$W"
scanned "the location" ok "$W: audit started — scan everything here, then END AUDIT"
scan inventaire PF0KIT1
scanned "a unit in place" ok "$D1: seen \\(1 so far\\) — scan the next item"
scan inventaire PF0KIT1
scanned "the same unit twice" ok "$D1: already counted \\(1 seen\\)"
scan inventaire "$D2"
scan inventaire "$DR"
scan inventaire "$PRE"
scan inventaire TAB0001
scanned "a unit recorded elsewhere" ok "$D3: seen \\(5 so far\\), but recorded at $X — set it aside"
scan inventaire "$DL"
scan inventaire KS:CMD:END-AUDIT
scanned "END AUDIT" ok "$W: audit closed — 6 seen, 2 missing, 1 unexpected, 1 in the wrong place"
is "$(jget '[.report.missing[].tag] | join(" ")')" "$S1 $S2" "missing: what is recorded here and was not seen"
is "$(jget '[.report.unexpected[].tag] | join(" ")')" "$DL" "unexpected: a unit recorded as lost"
is "$(jget '[.report.wrong_place[] | "\(.tag)@\(.location)"] | join(" ")')" "$D3@$X" "in the wrong place: the tablet recorded at X"
is "$(sql "SELECT json_array_length(details_json, '$.missing') || ' ' || station FROM ledger WHERE entity='$W' AND action='audit'")" "2 inventaire" "the audit's report is in the ledger"
is "$(sql "SELECT context_json FROM station WHERE name='inventaire'")" "{}" "the station's context is cleared"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
