#!/bin/bash
# Pre-printed tags at receiving: a unit scanned with a reserved, unbound
# tag takes that tag (its row id is the tag's sequence, as for every tag);
# the tag is bound once. A tag never reserved, already bound, of the wrong
# letter, or given with several units is refused with a 409 or 400 that
# says why, and nothing changes.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
printf 'Type;Marque;N° de série;ICCID;Opérateur\nPortable;Dell;PP0001;;\nPortable;Dell;PP0002;;\nPortable;Dell;PP0003;;\nSIM;;;8933012345678901231;Orange\n' > "$T/BL-PP.csv"
ks lot import "$T/BL-PP.csv" --supplier "$F"
R=$out
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"EARLIER\",\"lot\":\"$R\"}"
is "$(jget .tag)" "$(sql "SELECT tag FROM device WHERE id = 1")" "a device before any reservation"

# Pre-printed tags, reserved through the labels API.
api POST /v1/labels/blank '{"type":"device","count":3}'
is "$status" 201 "3 blank device tags reserved"
set -- $(jget '.tags[]'); P1=$1 P2=$2 P3=$3
api POST /v1/labels/blank '{"type":"sim","count":1}'
is "$status" 201 "1 blank SIM card tag reserved"
PS=$(jget '.tags[0]')
like "$P1" '^D-0000002-' "reserved tags follow the devices"
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"AFTER\",\"lot\":\"$R\"}"
like "$(jget .tag)" '^D-0000005-' "a device added meanwhile takes no reserved number"

# refuse CODE BODY PATTERN NAME
refuse() {
	local before
	before=$(dbsum)
	api POST "/v1/lots/$R/receive" "$2"
	is "$status" "$1" "$4: status $1"
	like "$(jget .error.message)" "$3" "$4: the sentence says why"
	is "$(dbsum)" "$before" "$4: database unchanged"
}

ks lot receive "$R" PP0001 --tag "$P2" --location "$W"
is "$rc" 0 "received with a pre-printed tag"
is "$out" "$P2" "the unit takes the pre-printed tag"
is "$(sql "SELECT id || ' ' || serial || ' ' || state FROM device WHERE tag = '$P2'")" "3 PP0001 in_stock" \
    "its row id is the tag's sequence"
is "$(sql "SELECT bound_at IS NOT NULL FROM tag_reservation WHERE tag = '$P2'")" 1 "the reservation is bound"
is "$(sql "SELECT item_tag FROM expected_unit WHERE serial = 'PP0001'")" "$P2" "the expected unit knows its tag"
api GET "/v1/history/$P2"
like "$(jget '[.history[].action] | join(",")')" 'create.*receive' "created and received under that tag"
is "$(jget '.history[] | select(.action == "receive") | .details.preprinted')" true "the receive row says the tag was pre-printed"

refuse 409 "{\"codes\":[\"PP0002\"],\"tag\":\"$P2\"}" "the pre-printed tag $P2 is already bound to a unit.*used once" \
    "a tag bound once is not bound again"
refuse 409 '{"codes":["PP0002"],"tag":"D-0000009-J"}' 'D-0000009-J is not a reserved pre-printed tag' \
    "a tag never reserved"
refuse 400 "{\"codes\":[\"PP0002\"],\"tag\":\"$PS\"}" "$PS is not a tag for a device" "a SIM card's tag on a device"
refuse 400 "{\"codes\":[\"8933012345678901231\"],\"tag\":\"$P3\"}" "$P3 is not a tag for a SIM card" "a device's tag on a SIM card"
refuse 400 "{\"codes\":[\"PP0002\",\"PP0003\"],\"tag\":\"$P3\"}" 'a pre-printed tag goes on one unit' "one tag, two units"
refuse 400 "{\"codes\":[\"PP0002\"],\"tag\":\"${P3%?}Z\"}" 'check character' "a tag with a bad check character"
refuse 400 "{\"codes\":[\"PP0002\"],\"tag\":\"$R\"}" "$R is not a tag for a device" "a lot's tag"
sum=$(dbsum)
ks lot receive "$R" PP0002 --tag "$P2"
is "$rc" 1 "client: a bound tag refused"
like "$err" 'already bound' "client: says so"
is "$(dbsum)" "$sum" "client: nothing changed"

ks lot receive "$R" 8933012345678901231 --tag "$PS"
is "$rc" 0 "a SIM card with its pre-printed tag"
is "$out" "$PS" "the SIM card takes it"
ks lot receive "$R" --extra --kind laptop --serial EXTRA01 --brand HP --tag "$P3"
is "$rc" 0 "an extra with a pre-printed tag"
is "$out" "$P3" "the extra takes it"
is "$(sql "SELECT count(*) FROM tag_reservation WHERE bound_at IS NOT NULL")" 3 "three tags bound"
ks lot receive "$R" PP0002
is "$rc" 0 "without a tag, the next free number"
like "$out" '^D-0000006-' "past the reserved ones"
done_testing
