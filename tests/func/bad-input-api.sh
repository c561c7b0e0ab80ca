#!/bin/bash
# Bad input through the API: every refusal names the field and the value in
# a sentence, leaves the database exactly as it was, and the daemon keeps
# serving.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN1\",\"brand\":\"Dell\",\"lot\":\"$R\",\"location\":\"$W\"}"; D=$(jget .tag)
api POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"SN2\",\"imei\":\"490154203237518\",\"lot\":\"$R\",\"location\":\"$W\"}"
api POST "/v1/devices/$D/state" '{"to":"scrapped","reason":"carte mère morte"}'
is "$status" 200 "setup done"
BAD_TAG="${D%?}$( [ "${D: -1}" = A ] && echo B || echo A)"

# refuse CODE METHOD PATH BODY FIELD PATTERN NAME
refuse() {
	local before after
	before=$(dbsum)
	api "$2" "$3" "$4" ${8:+"$8"}
	after=$(dbsum)
	is "$status" "$1" "$7: status $1"
	if [ -n "$5" ]; then
		is "$(jget .error.field)" "$5" "$7: names field $5"
	fi
	like "$(jget .error.message)" "$6" "$7: the sentence says what is wrong"
	is "$after" "$before" "$7: database unchanged"
	is "$(alive)" 200 "$7: daemon still serves"
}

refuse 400 POST /v1/devices '{"kind":"laptop",' "" 'not valid JSON' "malformed JSON"
refuse 400 POST /v1/devices '[1,2]' "" 'JSON object' "an array body"
refuse 400 POST /v1/devices '{"kind":"laptop","kind":"tablet","serial":"X","lot":"'$R'"}' "" 'duplicate' "duplicate key"
refuse 415 POST /v1/devices '{"kind":"laptop"}' "" 'application/json' "wrong media type" text/plain
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"ram_gb\":\"huit\"}" ram_gb 'whole number' "wrong type (string for int)"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":12,\"lot\":\"$R\"}" serial 'must be a string' "wrong type (number for string)"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"colour\":\"red\"}" colour 'unknown field "colour"' "unknown field"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"lot\":\"$R\"}" serial 'serial is required' "missing field"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"${R%?}Z\"}" lot 'R-0000001-Z.*check character' "wrong tag check character"
refuse 400 POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"X\",\"lot\":\"$R\",\"imei\":\"359876543210986\"}" imei '359876543210986.*check digit' "invalid IMEI"
refuse 400 POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"X\",\"lot\":\"$R\"}" imei 'IMEI' "smartphone without IMEI"
refuse 409 POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"X\",\"lot\":\"$R\",\"imei\":\"490154203237518\"}" imei '490154203237518.*already registered' "duplicate IMEI"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"grade\":\"D\"}" grade '"D".*A, B, C' "invalid grade"
refuse 400 POST /v1/devices "{\"kind\":\"toaster\",\"serial\":\"X\",\"lot\":\"$R\"}" kind '"toaster".*laptop' "invalid kind"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"warranty_until\":\"2027-02-30\"}" warranty_until '2027-02-30' "invalid date"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"cost\":\"12,345\"}" cost '12,345' "invalid amount"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"cost\":-5}" cost '-5' "negative amount"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"ram_gb\":99999}" ram_gb '99999.*out of range' "out-of-range number"
refuse 400 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"$R\",\"at\":\"2099-01-01\"}" at '2099-01-01.*future' "effective date in the future"
refuse 409 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN1\",\"brand\":\"Dell\",\"lot\":\"$R\"}" serial "SN1.*$D" "duplicate serial names the unit"
refuse 404 POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"X\",\"lot\":\"R-0000009-Q\"}" lot 'R-0000009-Q does not exist' "unknown lot"
refuse 400 POST /v1/sims '{"iccid":"8933150319050000003","operator":"Orange"}' iccid '8933150319050000003.*check digit' "invalid ICCID"
refuse 400 POST /v1/sims '{"iccid":"89330123456789012342","operator":"Orange","msisdn":"01 23 45 67 89"}' msisdn '01 23 45 67 89' "landline is not a mobile number"
refuse 400 POST /v1/sims '{"iccid":"89330123456789012342","operator":"Orange","pin":"12"}' pin 'pin must be 4 to 8 digits' "short PIN (not echoed)"
refuse 400 POST /v1/suppliers '{"name":"X","siret":"12345678901234"}' siret '12345678901234.*Luhn' "invalid SIRET"
refuse 400 POST /v1/suppliers '{"name":"X","ess":"charity"}' ess 'charity' "invalid ESS status"
refuse 400 POST /v1/suppliers '{"name":""}' name 'empty' "empty name"
refuse 400 POST /v1/suppliers '{"name":" X"}' name 'space' "name with a leading space"
refuse 400 POST /v1/locations '{"name":"Y","kind":"warehouse","commune":"9300"}' commune '9300' "invalid INSEE"
refuse 400 POST /v1/locations '{"name":"Y","kind":"warehouse","commune":"75056"}' commune '75056' "commune outside the programme"
refuse 400 POST /v1/locations '{"name":"Y","kind":"warehouse","commune":"93059"}' commune '93066' "merged commune points to its successor"
refuse 400 POST /v1/locations '{"name":"Y","kind":"shop","commune":"93008"}' kind 'shop' "invalid location kind"
refuse 409 POST "/v1/devices/$D/state" '{"to":"in_stock"}' to 'scrapped.*in_stock' "illegal transition"
refuse 400 POST "/v1/devices/$D/state" '{"to":"stolen"}' to 'stolen' "unknown state"
refuse 400 POST "/v1/devices/$BAD_TAG/state" '{"to":"in_stock"}' tag "$BAD_TAG.*check character" "wrong check character in the path"
refuse 404 GET /v1/devices/D-0000099-M "" tag 'D-0000099-M does not exist' "unknown tag"
refuse 404 GET /v1/items/NOPE-42 "" tag 'NOPE-42' "unknown serial"
refuse 400 GET '/v1/devices?state=flying' "" state 'flying' "unknown state filter"
refuse 400 GET '/v1/devices?limit=0' "" limit 'limit 0' "bad limit"
refuse 400 GET '/v1/stock?by=colour' "" by 'colour' "bad stock grouping"
refuse 400 PATCH "/v1/devices/$D" '{"state":"in_stock"}' state 'unknown field "state"' "state is not editable"
refuse 400 PATCH "/v1/devices/$D" '{}' "" 'nothing to edit' "empty edit"
refuse 409 POST /v1/moves "{\"items\":[\"$D\"],\"to\":\"$W\"}" items "$D is scrapped" "moving a scrapped device"
done_testing
