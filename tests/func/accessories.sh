#!/bin/bash
# Accessories are counted per location: received, moved and adjusted in
# quantities, every change in the ledger; stock counts them.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Distribution Bondy","kind":"distribution","commune":"93010"}'; P=$(jget .tag)
api POST /v1/accessories "{\"name\":\"Chargeur USB-C 65 W\",\"location\":\"$W\",\"count\":40}"
is "$status" 201 "new accessory kind received"
A=$(jget .tag)
like "$A" '^A-0000001-' "accessory tag"
is "$(jget .count)" 40 "40 in stock"
api POST /v1/accessories "{\"name\":\"Chargeur USB-C 65 W\",\"location\":\"$W\",\"count\":10}"
is "$status" 200 "more of a known kind"
is "$(jget .tag)" "$A" "same tag"
is "$(jget .count)" 50 "50 now"

api POST "/v1/accessories/$A/moves" "{\"from\":\"$W\",\"to\":\"$P\",\"count\":15}"
is "$status" 200 "15 moved"
is "$(jget '[.locations[] | select(.location=="'$P'")][0].count')" 15 "15 at the distribution point"
sum=$(dbsum)
api POST "/v1/accessories/$A/moves" "{\"from\":\"$P\",\"to\":\"$W\",\"count\":16}"
is "$status" 409 "cannot move more than there is"
like "$(jget .error.message)" 'only 15' "saying how many there are"
is "$(dbsum)" "$sum" "nothing changed"
api POST "/v1/accessories/$A/moves" "{\"from\":\"$P\",\"to\":\"$P\",\"count\":1}"
is "$status" 400 "from and to must differ"

api POST "/v1/accessories/$A/adjust" "{\"location\":\"$W\",\"count\":33}"
is "$status" 400 "an adjustment needs a reason"
api POST "/v1/accessories/$A/adjust" "{\"location\":\"$W\",\"count\":33,\"reason\":\"inventaire de novembre\"}"
is "$status" 200 "adjusted after a count"
is "$(jget .count)" 48 "33 + 15"
is "$(sql "SELECT from_value||'->'||to_value||' '||reason FROM ledger WHERE action='adjust'")" "35->33 inventaire de novembre" "adjustment in the ledger"
api POST "/v1/accessories/$A/adjust" "{\"location\":\"$W\",\"count\":-1,\"reason\":\"x\"}"
is "$status" 400 "no negative count"

api GET '/v1/stock?by=kind,location'
is "$(jget '[.rows[] | select(.kind=="accessory")] | map(.count) | add')" 48 "stock counts accessories"
api GET "/v1/history/$A"
is "$(jget '[.history[].action] | join(",")')" create,receive,receive,move,adjust "accessory history"
done_testing
