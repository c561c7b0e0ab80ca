#!/bin/bash
# Receiving a lot's expected units by serial, IMEI or ICCID (typed or
# scanned): each becomes a device or SIM card through the same checks and
# ledger rows as "device add" / "sim add", in stock at the location given
# or received without one; several codes go in together or not at all;
# units not in the manifest come in as extras with their fields. Every
# refusal says why and changes nothing.
. "$(dirname "$0")/lib"
start_daemon
M=${SRCDIR:-.}/tests/data/manifests

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt Bobigny","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
ks lot import "$M/delivery-note-DN-7781.csv" --supplier "$F" --unit-cost 150
R=$out
is "$rc" 0 "a manifest imported"
ks lot import "$M/livraison-bocage-BL-2026-0042.csv" --supplier "$F"
R2=$out

# refuse CODE METHOD PATH BODY PATTERN NAME
refuse() {
	local before
	before=$(dbsum)
	api "$2" "$3" "$4"
	is "$status" "$1" "$6: status $1"
	like "$(jget .error.message)" "$5" "$6: the sentence says what is wrong"
	is "$(dbsum)" "$before" "$6: database unchanged"
	is "$(alive)" 200 "$6: daemon still serves"
}

# By serial, at a location: in stock there, with the manifest's values.
ks lot receive "$R" PF2T14G1A --location "$W"
is "$rc" 0 "received by serial"
D1=$out
like "$D1" '^D-0000001-.$' "the new tag alone"
api GET "/v1/devices/$D1"
is "$(jget '[.kind, .brand, .model, .serial, .grade, .cost, .warranty_until, .state, .location, .lot] | join("|")')" \
    "laptop|Lenovo|ThinkPad T14, Gen 1|PF2T14G1A|A|229.00|2027-12-31|in_stock|$W|$R" \
    "a device with the manifest's values, in stock at the location"
api GET "/v1/history/$D1"
is "$(jget '[.history[].action] | join(",")')" create,receive "ledger: create (as device add writes it), then receive"
is "$(jget '.history[0].to + " " + .history[0].details.lot + " " + .history[0].details.serial')" "in_stock $R PF2T14G1A" \
    "the create row as device add writes it"
is "$(jget '.history[1].details | "\(.lot) \(.line) \(.import)"')" "$R 2 1" "the receive row names lot, line and import"
is "$(sql "SELECT status || ' ' || item_tag FROM expected_unit WHERE serial = 'PF2T14G1A'")" "received $D1" \
    "the expected unit is received as that tag"

# By IMEI, without a location: received, not yet in stock.
ks lot receive "$R" 354567109876540
is "$rc" 0 "received by IMEI"
D2=$out
api GET "/v1/devices/$D2"
is "$(jget '[.kind, .serial, .imei[0], .state, (.location // "none")] | join("|")')" \
    "smartphone|FP4A000123|354567109876540|received|none" "a phone, received, its IMEI kept"

# A SIM card by ICCID.
ks lot receive "$R" 8933012345678901231 --location "$W"
is "$rc" 0 "a SIM card received by ICCID"
S1=$out
like "$S1" '^S-' "an S- tag"
api GET "/v1/sims/$S1"
is "$(jget '[.iccid, .operator, .state, .location, .lot] | join("|")')" "8933012345678901231|Orange|in_stock|$W|$R" \
    "the SIM card with its operator, in stock"

# Several codes: all or nothing.
refuse 404 POST "/v1/lots/$R/receive" '{"codes":["89331503190500000017","NOSUCH1"]}' \
    "NOSUCH1 is not in the manifest of lot $R: check the code, or receive the unit as an extra" \
    "one unknown code among good ones"
is "$(sql "SELECT status FROM expected_unit WHERE iccid = '89331503190500000017'")" expected "the good code was not received either"

# Receiving twice, an unknown code, a code another lot expects.
refuse 409 POST "/v1/lots/$R/receive" '{"codes":["PF2T14G1A"]}' "PF2T14G1A \\(line 2 of the manifest\\) was already received as $D1" \
    "receiving twice"
refuse 404 POST "/v1/lots/$R/receive" '{"codes":["PF1KX2A1"]}' "PF1KX2A1 is not in the manifest of lot $R: lot $R2 expects it" \
    "a code another lot expects"
sum=$(dbsum)
ks lot receive "$R" XYZ999
is "$rc" 1 "client: an unknown serial without --extra is refused"
like "$err" 'XYZ999 is not in the manifest.*extra' "client: says to receive it as an extra"
ks lot receive "$R" PF2T14G1A
is "$rc" 1 "client: receiving twice is refused"
like "$err" "already received as $D1" "client: naming the tag"
is "$(dbsum)" "$sum" "client refusals changed nothing"

# Extras: a unit the manifest does not list, by its fields.
ks lot receive "$R" --extra --kind laptop --serial XTRA0001 --brand Dell --model "Latitude 7490" --grade B --location "$W"
is "$rc" 0 "an extra received"
D3=$out
api GET "/v1/devices/$D3"
is "$(jget '[.serial, .lot, .state, .cost] | join("|")')" "XTRA0001|$R|in_stock|150.00" "in the lot, in stock, at the lot's unit cost"
is "$(sql "SELECT json_extract(details_json, '\$.extra') FROM ledger WHERE entity = '$D3' AND action = 'receive'")" 1 \
    "the ledger says it was an extra"
ks lot receive "$R" --extra --kind sim --iccid 8933200000000000010 --operator Free
is "$rc" 0 "an extra SIM card"
like "$out" '^S-' "with an S- tag"
refuse 409 POST "/v1/lots/$R/receive" '{"extra":true,"kind":"sim","iccid":"89331503190500000017","operator":"Bouygues Telecom"}' \
    "89331503190500000017 is in the manifest \\(line 5\\): receive it by its code, not as an extra" "an extra the manifest lists"
refuse 409 POST "/v1/lots/$R/receive" '{"extra":true,"kind":"laptop","serial":"XTRA0001","brand":"Dell"}' \
    "already registered" "an extra already in stock"
refuse 400 POST "/v1/lots/$R/receive" '{"extra":true,"kind":"laptop","serial":"XTRA0002","grade":"Z"}' \
    'grade "Z" is not known' "an extra with a bad grade"
refuse 400 POST "/v1/lots/$R/receive" '{"extra":true,"kind":"toaster","serial":"XTRA0002"}' '"toaster"' "an extra of unknown kind"
refuse 400 POST "/v1/lots/$R/receive" '{"extra":true,"kind":"sim","iccid":"8933150319050000003","operator":"O"}' \
    'check digit' "an extra SIM card with a bad ICCID"
refuse 400 POST "/v1/lots/$R/receive" "{\"extra\":true,\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R2\"}" \
    'the unit goes into the lot of the path' "an extra naming another lot"
refuse 400 POST "/v1/lots/$R/receive" '{"extra":true,"codes":["X"]}' 'not by codes' "an extra with codes"
refuse 400 POST "/v1/lots/$R/receive" '{"extra":"yes","kind":"laptop","serial":"X"}' 'extra must be true or false' \
    "extra not a boolean"
ks lot receive "$R" --extra --serial XTRA0003
is "$rc" 2 "client: --extra needs --kind"
ks lot receive "$R" --serial XTRA0003
is "$rc" 2 "client: device fields need --extra"
ks lot receive "$R" --extra --kind laptop --serial X PF2T14G1A
is "$rc" 2 "client: --extra takes no codes"

# What the manifest said can be corrected when receiving (kind, model, grade).
ks lot receive "$R2" PF1KX2A1 --grade C --location "$W"
is "$rc" 0 "received with another grade than the manifest's"
is "$(sql "SELECT grade FROM device WHERE serial = 'PF1KX2A1'")" C "the unit's grade is the one seen"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":["89331503190500000017"],"grade":"A"}' 'is a SIM card: it has no kind, model or grade' \
    "a grade for a SIM card"
refuse 400 POST "/v1/lots/$R2/receive" '{"codes":["7XQ9M52"],"grade":"D"}' 'grade "D" is not known' "a bad grade"

# A unit registered by hand since the import: refused as device add would.
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"CZC8437KLM\",\"brand\":\"HP\",\"lot\":\"$R2\"}"; D4=$(jget .tag)
refuse 409 POST "/v1/lots/$R2/receive" '{"codes":["CZC8437KLM"]}' "a device with serial CZC8437KLM is already registered \\($D4\\)" \
    "a serial registered since the import"

# Bad requests.
refuse 400 POST "/v1/lots/$R/receive" '{}' 'codes is required' "no codes"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":[]}' 'codes must hold 1 to 1000 values' "empty codes"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":{"a":1}}' 'codes must be a list' "codes not a list"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":[12]}' 'codes must be a string' "a code not a string"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":["A","A"]}' 'code A is given twice' "a code twice"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":[" A"]}' 'is not a serial, IMEI or ICCID' "a code with a space"
refuse 400 POST "/v1/lots/$R/receive" '{"codes":["89331503190500000017"],"colour":"red"}' 'unknown field "colour"' \
    "unknown field"
refuse 404 POST "/v1/lots/$R/receive" '{"codes":["89331503190500000017"],"location":"L-0000009-8"}' \
    'location L-0000009-8 does not exist' "unknown location"
refuse 400 POST "/v1/lots/$R/receive" "{\"codes\":[\"89331503190500000017\"],\"location\":\"$R\"}" "$R" \
    "a lot's tag as location (wrong letter)"
refuse 404 POST "/v1/lots/R-0000009-Q/receive" '{"codes":["X"]}' 'lot R-0000009-Q does not exist' "unknown lot"
refuse 400 POST "/v1/lots/$W/receive" '{"codes":["X"]}' "$W" "a location's tag as lot (wrong letter)"
refuse 400 POST "/v1/lots/${R%?}Z/receive" '{"codes":["X"]}' 'check character' "lot's check character"
refuse 400 POST "/v1/lots/$R/receive" '' 'needs a JSON object' "no body"
sum=$(dbsum)
api POST "/v1/lots/$R/receive" 'PF2T14G1A' text/csv
is "$status" 415 "receiving takes JSON, not CSV"
like "$(jget .error.message)" 'application/json' "saying so"
is "$(dbsum)" "$sum" "unchanged"
done_testing
