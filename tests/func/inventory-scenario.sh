#!/bin/bash
# The core scenario through the API: supplier, location, lot, three
# devices, one SIM card, moves, state changes, stock and history, with the
# database and the ledger checked at each step.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage","siret":"73282932000074","ess":"insertion","local":true,"contact":"Marc, 01 23 45 67 89"}'
is "$status" 201 "supplier created"
F=$(jget .tag)
is "$F" F-0000001-6 "supplier tag"
is "$(jget .local)" true "local flag"

api POST /v1/locations '{"name":"Entrepôt Bobigny","kind":"warehouse","commune":"93008"}'
is "$status" 201 "warehouse created"
W=$(jget .tag)
is "$W" L-0000001-O "location tag"
is "$(jget .territory)" T8 "Bobigny is in T8"
api POST /v1/locations '{"name":"Point de distribution Saint-Denis","kind":"distribution","commune":"93066"}'
P=$(jget .tag)
is "$(jget .territory)" T6 "Saint-Denis is in T6"

api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-2026-0042\",\"delivered_on\":\"2026-11-02\",\"unit_cost\":\"189,90\"}"
is "$status" 201 "lot created"
R=$(jget .tag)
is "$R" R-0000001-5 "lot tag"
is "$(jget .unit_cost)" 189.90 "unit cost in euros"
is "$(sql "SELECT unit_cost_cents FROM lot WHERE tag='$R'")" 18990 "stored in cents"

api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0ABC1\",\"brand\":\"Lenovo\",\"model\":\"ThinkPad T480\",\"ram_gb\":8,\"storage_gb\":256,\"grade\":\"A\",\"lot\":\"$R\",\"location\":\"$W\",\"warranty_until\":\"2027-11-02\"}"
is "$status" 201 "laptop registered"
D1=$(jget .tag)
is "$(jget .state)" in_stock "at a location: in stock"
is "$(jget .cost)" 189.90 "cost taken from the lot"
api POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"R58N12\",\"brand\":\"Samsung\",\"model\":\"Galaxy A52\",\"imei\":[\"490154203237518\",\"356938035643809\"],\"grade\":\"B\",\"lot\":\"$R\",\"cost\":120}"
is "$status" 201 "dual-SIM smartphone registered"
D2=$(jget .tag)
is "$(jget .state)" received "no location: received"
is "$(jget '.imei | length')" 2 "two IMEIs"
is "$(jget .cost)" 120.00 "its own cost"
api POST /v1/devices "{\"kind\":\"tablet\",\"serial\":\"DMPX9\",\"brand\":\"Apple\",\"lot\":\"$R\",\"location\":\"$W\",\"grade\":\"C\"}"
D3=$(jget .tag)
is "$status" 201 "tablet registered"
is "$(sql 'SELECT count(*) FROM device')" 3 "three devices in the database"

api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"Orange\",\"msisdn\":\"06 12 34 56 78\",\"plan_gb\":50,\"plan_price\":\"9,99\",\"lot\":\"$R\",\"location\":\"$W\",\"pin\":\"1234\",\"puk\":\"12345678\"}"
is "$status" 201 "SIM registered"
S1=$(jget .tag)
is "$(jget .msisdn)" +33612345678 "number normalised"
is "$(jget .state)" in_stock "SIM in stock"
is "$(jget 'has("pin") or has("puk")')" false "no PIN or PUK in the answer"
is "$(sql "SELECT pin||'/'||puk FROM sim_secret")" 1234/12345678 "PIN and PUK kept apart"
is "$(sql "SELECT count(*) FROM ledger WHERE details_json LIKE '%pin%' OR details_json LIKE '%puk%'")" 0 "never in the ledger"

# Moves: the received phone is shelved by moving it.
api POST /v1/moves "{\"items\":[\"$D2\",\"$S1\"],\"to\":\"$P\"}"
is "$status" 200 "two units moved"
is "$(jget '.moved | length')" 2 "both moved"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" in_stock "received phone shelved"
is "$(sql "SELECT l.tag FROM sim s JOIN location l ON l.id=s.location_id WHERE s.tag='$S1'")" "$P" "SIM at the distribution point"

# State changes.
api POST "/v1/devices/$D3/state" '{"to":"in_repair","reason":"écran fissuré"}'
is "$status" 200 "tablet to repair"
is "$(jget .from)/$(jget .to)" in_stock/in_repair "from and to"
api POST "/v1/devices/$D3/state" '{"to":"in_stock","reason":"réparée"}'
is "$status" 200 "tablet back in stock"
api POST "/v1/devices/$D1/state" '{"to":"handed_over"}'
is "$status" 409 "checkout is not a bare state change"
like "$(jget .error.message)" 'in_repair, scrapped, lost' "allowed states listed"

# Stock and history.
api GET '/v1/stock?by=kind,state'
is "$status" 200 "stock answers"
is "$(jget .total)" 4 "4 units"
is "$(jget '[.rows[] | select(.kind=="laptop")][0].count')" 1 "one laptop"
api GET '/v1/stock?by=territory'
is "$(jget '[.rows[] | select(.territory=="T6")][0].count')" 2 "two units in T6"
api GET '/v1/stock?by=supplier,grade&kind=tablet'
is "$(jget '.rows[0].grade')" C "filtered by kind, grouped by grade"

api GET "/v1/history/$D3"
is "$status" 200 "history answers"
is "$(jget '[.history[].action] | join(",")')" create,state,state "tablet life: create, state, state"
is "$(jget '.history[1].reason')" "écran fissuré" "reason kept"
is "$(jget '.history[1].station')" api "station recorded"
is "$(jget '.history[0].actor')" "$(id -un)" "actor is the peer's user"
api GET "/v1/history/$D2"
is "$(jget '[.history[].action] | join(",")')" create,move,state "phone life: create, move, shelved"

# Lookups by serial, IMEI, ICCID.
api GET /v1/items/356938035643809
is "$(jget .tag)" "$D2" "found by second IMEI"
api GET /v1/items/89330123456789012342
is "$(jget .tag)" "$S1" "found by ICCID"
api GET /v1/items/PF0ABC1
is "$(jget .tag)" "$D1" "found by serial"

# Serials are unique per brand: the same serial from another brand is
# another unit, and looking it up answers 409 with both candidates.
api POST /v1/devices "{\"kind\":\"desktop\",\"serial\":\"PF0ABC1\",\"brand\":\"HP\",\"lot\":\"$R\"}"
is "$status" 201 "same serial, other brand"
D4=$(jget .tag)
api GET /v1/items/PF0ABC1
is "$status" 409 "ambiguous serial is a conflict"
is "$(jget .error.code)" ambiguous "code ambiguous"
is "$(jget '[.error.candidates[].tag] | join(" ")')" "$D1 $D4" "with both candidates"
like "$(jget .error.message)" 'PF0ABC1 matches 2' "and a sentence"

# Edit records old -> new.
api PATCH "/v1/devices/$D1" '{"ram_gb":16,"reason":"barrette ajoutée"}'
is "$status" 200 "edit accepted"
is "$(jget .ram_gb)" 16 "RAM now 16"
is "$(sql "SELECT from_value||'->'||to_value||':'||reason FROM ledger WHERE entity='$D1' AND action='edit'")" "8->16:barrette ajoutée" "edit in the ledger"
api PATCH "/v1/lots/$R" '{"unit_cost":"199"}'
is "$(sql "SELECT from_value||'->'||to_value FROM ledger WHERE entity='$R' AND action='edit'")" "189.90->199.00" "euros edit in the ledger"

is "$(sql 'SELECT count(*) FROM ledger')" "$(sql "SELECT count(*) FROM ledger WHERE recorded_at <> ''")" "every ledger row is dated"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
done_testing
