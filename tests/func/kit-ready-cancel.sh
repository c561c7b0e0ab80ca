#!/bin/bash
# Completing and cancelling kits: a kit becomes ready only once its plan
# is fully picked (its units reserved -> in_kit); taking a unit out of a
# ready kit makes it picked again; a cancelled kit's units go back to
# stock (reserved/in_kit -> in_stock, flows) and its accessories to the
# location; a handed-over kit is not cancelled but checked out back or
# returned. Refusals say why and write nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"accessories\":[{\"accessory\":\"$A2\",\"count\":2}],\"at\":\"2025-03-20\"}"; K=$(jget .tag)
is "$(jget '[.planned[] | "\(.count) \(.name // .kind)"] | join(",")')" "1 laptop,1 sim,2 Souris" "the diagnostic's needs plus the mice asked for"

refused POST "/v1/kits/$K/ready" '{}' 409 wrong_state "nothing has been picked into $K yet" "an empty kit is not ready"
api POST "/v1/kits/$K/pick" "{\"items\":[\"$D1\"],\"accessories\":[\"$A2\"]}"
refused POST "/v1/kits/$K/ready" '{}' 409 incomplete "$K is not complete: still to pick 1 sim, 1 Souris \\($A2\\)" "an incomplete kit is not ready, and the sentence says what lacks"
refused POST "/v1/kits/$K/ready" '{"when":"now"}' 400 unknown_field 'unknown field "when"' "an unknown field"
api POST "/v1/kits/$K/pick" "{\"items\":[\"$S1\"],\"accessories\":[\"$A2\"]}"
is "$(jget '.missing | length')" 0 "now complete"
api POST "/v1/kits/$K/ready" '{"at":"2025-03-21T09:00"}'
is "$status/$(jget .state)" "200/ready" "the kit is ready"
is "$(jget '[.units[].state] | join(",")')" "in_kit,in_kit" "its units are in the kit"
is "$(jget .ready_at)" "2025-03-21T09:00:00Z" "when it became ready"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='$S1' AND action='state' ORDER BY id DESC LIMIT 1")" "reserved>in_kit" "reserved -> in_kit in the SIM card's ledger"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B1' AND action='kit_ready' AND to_value='$K'")" 1 "the kit's readiness is in B1's history"
refused POST "/v1/kits/$K/ready" '{}' 409 wrong_state "$K is ready: only a kit being picked becomes ready" "ready twice"
refused POST "/v1/kits/$K/pick" "{\"items\":[\"$D2\"]}" 409 wrong_state "$K is ready: units are picked into a planned kit" "picking into a ready kit"

# Out of a ready kit: the kit is picked again, the unit back in stock.
api POST "/v1/kits/$K/unpick" "{\"items\":[\"$S1\"],\"reason\":\"carte défectueuse\"}"
is "$status/$(jget .state)" "200/picking" "a unit out of a ready kit: picking again"
is "$(sql "SELECT state FROM sim WHERE tag='$S1'")" in_stock "the SIM card is back in stock (in_kit -> in_stock)"
api POST "/v1/kits/$K/pick" "{\"items\":[\"$S2\"]}"
api POST "/v1/kits/$K/ready" '{"at":"2025-03-22"}'
is "$(jget .state)" ready "ready again with another SIM card"

# Cancel: everything back where it came from.
stock() { sql "SELECT count FROM accessory_stock k JOIN accessory a ON a.id = k.accessory_id WHERE a.tag='$1'"; }
is "$(stock "$A2")" 3 "two mice left the warehouse"
refused POST "/v1/kits/$K/cancel" '{}' 400 missing_field "reason is required" "a cancel needs its reason"
api POST "/v1/kits/$K/cancel" '{"reason":"a déménagé","at":"2025-03-23"}'
is "$status/$(jget .state)" "200/cancelled" "the kit is cancelled"
is "$(sql "SELECT group_concat(state) FROM (SELECT state FROM device WHERE tag='$D1' UNION ALL SELECT state FROM sim WHERE tag='$S2')")" "in_stock,in_stock" "its units are back in stock"
is "$(stock "$A2")" 5 "its mice are back in the warehouse's stock"
is "$(jget '.units | length')/$(jget '.accessories | length')" "0/0" "the kit holds nothing"
is "$(sql "SELECT count(*) FROM kit_unit u JOIN kit k ON k.id = u.kit_id WHERE k.tag='$K' AND u.removed_why='a déménagé'")" 2 "which units it held stays recorded"
is "$(sql "SELECT reason FROM ledger WHERE entity='$B1' AND action='kit_cancelled'")" "a déménagé" "the cancellation is in B1's history"
refused POST "/v1/kits/$K/cancel" '{"reason":"encore"}' 409 wrong_state "$K is already cancelled" "cancelling twice"
refused POST "/v1/kits/$K/pick" "{\"items\":[\"$D1\"]}" 409 wrong_state "$K is cancelled" "picking into a cancelled kit"
api POST "/v1/kits/$K/return" "{\"reason\":\"x\",\"location\":\"$W\"}"
is "$status/$(jget .error.code)" "409/wrong_state" "a kit never handed over is not given back"

# A new kit for B1, and its units can be picked again.
kit_ready "$B1"
is "$(jget .state)" ready "a new kit for B1 takes the same units"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
refused POST "/v1/kits/$K/cancel" '{"reason":"erreur"}' 409 wrong_state "$K was handed over: a wrong checkout is cancelled with cancel-checkout" "a handed-over kit is not cancelled"
refused POST "/v1/kits/$K/unpick" "{\"items\":[\"$D1\"]}" 409 wrong_state "$K is handed_over: units come out of a kit only before its hand-over" "no unit comes out of a handed-over kit"
api PATCH "/v1/kits/$K" '{"contribution":"5"}'
is "$status/$(jget .error.code)" "409/wrong_state" "its contribution no longer changes"

# The client.
ks kit cancel "$K"
is "$rc" 2 "kitstock kit cancel without --reason is a usage error"
ks kit ready K-0000001-A
is "$rc" 1 "a mistyped kit tag is refused by the client"
like "$err" "check character" "saying so"
done_testing
