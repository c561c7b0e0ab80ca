#!/bin/bash
# Picking: units given by tag or as scanned (serial, IMEI, ICCID) go into
# the kit reserved (in_stock -> reserved, a flow); a unit is in one kit at
# a time, must be in stock at the kit's location and of a planned kind;
# accessories leave the location's stock. Each refusal says why, writes
# nothing; unpicking puts things back.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"sims\":1,\"accessories\":[{\"accessory\":\"$A1\",\"count\":1}],\"at\":\"2025-03-20\"}"; K=$(jget .tag)
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
api POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"PH01\",\"brand\":\"Fairphone\",\"imei\":\"490154203237518\",\"lot\":\"$R\",\"location\":\"$W\"}"; PH=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0KIT2\",\"brand\":\"Dell\",\"lot\":\"$R\",\"location\":\"$W\"}"; DD=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"ELSEWHERE\",\"lot\":\"$R\",\"location\":\"$P\"}"; DP=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"BROKEN\",\"lot\":\"$R\",\"location\":\"$W\"}"; DX=$(jget .tag)
api POST "/v1/devices/$DX/state" '{"to":"in_repair","reason":"clavier"}'

# By serial and by ICCID: each unit reserved for the kit, in the ledger.
api POST "/v1/kits/$K/pick" '{"items":["PF0KIT1","89330123456789012342"],"at":"2025-03-21"}'
is "$status" 200 "picked by serial and ICCID"
is "$(jget .state)" picking "the kit is being picked"
is "$(jget '[.units[] | "\(.tag):\(.state)"] | join(",")')" "$D1:reserved,$S1:reserved" "both units reserved for it"
is "$(jget '[.missing[] | "\(.missing) \(.name // .kind)"] | join(",")')" "1 Chargeur" "the charger is still to pick"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || json_extract(details_json, '$.kit') FROM ledger WHERE entity='$D1' AND action='state'")" "in_stock>reserved $K" "the device's reservation is in its ledger, naming the kit"
is "$(sql "SELECT to_value FROM ledger WHERE entity='$K' AND action='state'")" picking "planned -> picking in the kit's ledger"

# Refusals.
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$D1\"]}" 409 in_other_kit "$D1 is already in kit $K \\(for $B1\\): a unit is in one kit at a time" "a unit already in another kit"
refused POST "/v1/kits/$K/pick" "{\"items\":[\"$D1\"]}" 409 in_kit "$D1 is already in $K" "the same unit twice"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$DX\"]}" 409 wrong_state "$DX is in_repair: only a unit in stock can be picked" "a unit not in stock"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$DP\"]}" 409 wrong_location "$DP is at $P, not at $W where $K2 is picked" "a unit elsewhere"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$D3\"]}" 409 wrong_kind "$D3 is a tablet: $K2 plans none" "a unit of a kind not planned"
refused POST "/v1/kits/$K2/pick" '{"items":["490154203237518"]}' 409 wrong_kind "$PH is a smartphone" "an IMEI resolves to its phone, which is not planned"
refused POST "/v1/kits/$K2/pick" '{"items":["PF0KIT2"]}' 409 ambiguous "PF0KIT2 matches 2 items: give the tag" "a serial two brands share"
is "$(jget '.error.candidates | length')" 2 "the candidates are listed"
refused POST "/v1/kits/$K2/pick" '{"items":["NOSUCHSERIAL"]}' 404 unknown_tag "nothing is registered as NOSUCHSERIAL" "an unknown serial"
refused POST "/v1/kits/$K2/pick" '{"items":["D-0000002-A"]}' 400 invalid_tag "check character" "a mistyped tag"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$A1\"]}" 400 wrong_kind "$A1 is an accessory" "an accessory given as a unit"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$W\"]}" 400 wrong_kind "$W is a location, not a device or a SIM card" "a location given as a unit"
refused POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\",\"$DD\"]}" 409 kit_full "$K2 already has the 1 laptop planned: $DD is one too many" "one unit too many (and the first is not kept)"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" in_stock "the first unit of a refused request stays in stock"
refused POST "/v1/kits/$K2/pick" "{\"accessories\":[\"$A1\"]}" 409 wrong_kind "$K2 plans no $A1" "an accessory not planned"
refused POST "/v1/kits/$K/pick" "{\"accessories\":[{\"accessory\":\"$A1\",\"count\":2}]}" 409 kit_full "$K plans 1 Chargeur \\($A1\\) and already has 0" "more accessories than planned"
refused POST "/v1/kits/$K/pick" '{}' 400 missing_field "give the units to pick" "nothing to pick"
refused POST "/v1/kits/$K/pick" '{"items":"PF0KIT2"}' 400 invalid_type "items must be a list" "items not a list"
refused POST "/v1/kits/$K/pick" '{"items":["PF 0"]}' 400 invalid_field "is not a tag, serial, IMEI or ICCID" "a code with a space"
refused POST "/v1/kits/K-0000009-Z/pick" "{\"items\":[\"$D2\"]}" 400 invalid_tag "K-0000009-Z" "a mistyped kit tag"
refused POST "/v1/kits/$(mktag K 99)/pick" "{\"items\":[\"$D2\"]}" 404 unknown_tag "$(mktag K 99) does not exist" "a kit that does not exist"

# Accessories come out of the location's stock; not enough is refused.
api POST "/v1/accessories/$A1/adjust" "{\"location\":\"$W\",\"count\":0,\"reason\":\"inventaire\"}"
refused POST "/v1/kits/$K/pick" "{\"accessories\":[\"$A1\"]}" 409 not_enough "only 0 Chargeur \\($A1\\) at $W: cannot take 1 for $K" "an accessory out of stock"
api POST "/v1/accessories/$A1/adjust" "{\"location\":\"$W\",\"count\":5,\"reason\":\"inventaire\"}"
api POST "/v1/kits/$K/pick" "{\"accessories\":[\"$A1\"]}"
is "$status" 200 "the charger is picked"
is "$(jget '.missing | length')" 0 "nothing is missing any more"
is "$(sql "SELECT count FROM accessory_stock k JOIN accessory a ON a.id = k.accessory_id WHERE a.tag='$A1'")" 4 "one charger left the warehouse's stock"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='$A1' AND action='pick'")" "5>4" "and the ledger says so"

# The client: pick by scanning, unpick back to stock.
ks kit pick "$K2" PF0KIT1
is "$rc" 1 "kitstock kit pick refuses a unit in another kit"
like "$err" "already in kit $K" "saying which"
ks kit pick "$K2" "$D2" 89330123456789012359 --at 2025-03-22
is "$rc" 0 "kitstock kit pick K D S"
like "$out" 'complete: kitstock kit ready' "the client says the kit is complete"
ks kit unpick "$K2" "$D2" --reason "écran rayé"
is "$rc" 0 "kitstock kit unpick"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" in_stock "the unit is back in stock"
is "$(sql "SELECT count(*) FROM kit_unit u JOIN device d ON d.id = u.device_id WHERE d.tag='$D2' AND u.removed_at IS NULL")" 0 "and out of the kit"
is "$(sql "SELECT reason FROM ledger WHERE entity='$D2' AND action='state' AND to_value='in_stock'")" "écran rayé" "with its reason in the ledger"
api POST "/v1/kits/$K/unpick" "{\"accessories\":[\"$A1\"]}"
is "$status" 200 "an accessory taken back out"
is "$(sql "SELECT count FROM accessory_stock k JOIN accessory a ON a.id = k.accessory_id WHERE a.tag='$A1'")" 5 "back in the warehouse's stock"
refused POST "/v1/kits/$K2/unpick" "{\"items\":[\"$D1\"]}" 409 not_in_kit "$D1 is not in $K2" "unpicking a unit of another kit"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
