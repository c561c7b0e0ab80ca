#!/bin/bash
# Stock is counted as it changes (stock_count, kept by triggers in the same
# transaction): every change of kind, state, place, lot or grade moves the
# counts, and "kitstock check" recomputes them from the store and reports
# any difference (here made on purpose with sqlite3).
. "$(dirname "$0")/lib"
start_daemon

fresh() {	# stock by kind,state computed from the tables themselves
	sql "SELECT kind || ' ' || state || ' ' || count(*) FROM device GROUP BY kind, state
	    UNION ALL SELECT 'sim ' || state || ' ' || count(*) FROM sim GROUP BY state ORDER BY 1"
}
served() {	# the same, as the daemon answers it
	api GET '/v1/stock?by=kind,state'
	jget '.rows[] | select(.kind != "accessory") | "\(.kind) \(.state) \(.count)"' | sort
}

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Atelier","kind":"repair","commune":"93066"}'; A=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"SC-1\"}"; R=$(jget .tag)
for i in 1 2 3 4 5; do
	api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SC-$i\",\"lot\":\"$R\",\"location\":\"$W\",\"grade\":\"B\"}"
	eval "D$i=\$(jget .tag)"
done
api POST /v1/devices "{\"kind\":\"tablet\",\"serial\":\"SC-T\",\"lot\":\"$R\"}"
api POST /v1/sims "{\"iccid\":\"8933150319000000006\",\"operator\":\"Orange\",\"lot\":\"$R\",\"location\":\"$W\"}"
is "$status" 201 "a SIM card"
is "$(served)" "laptop in_stock 5
sim in_stock 1
tablet received 1" "counts after creations"
is "$(served)" "$(fresh)" "match the tables"
api GET "/v1/stock?by=kind,grade&kind=laptop"
is "$(jget '.rows[0].grade + " " + (.rows[0].count | tostring)')" "B 5" "5 laptops of grade B"

api POST "/v1/devices/$D1/state" '{"to":"in_repair","reason":"écran"}'
api POST /v1/moves "{\"items\":[\"$D2\",\"$D3\"],\"to\":\"$A\"}"
is "$status" 200 "a move"
api PATCH "/v1/devices/$D4" '{"grade":"A"}'
is "$status" 200 "a grade changed"
is "$(served)" "$(fresh)" "counts after a state change, a move and an edit match"
api GET "/v1/stock?by=location&kind=laptop"
is "$(jget ".rows[] | select(.location == \"$A\") | .count")" 2 "2 laptops at the repair place"
api GET "/v1/stock?by=grade&kind=laptop"
is "$(jget '.rows[] | select(.grade == "A") | .count')" 1 "1 laptop of grade A"

# A refused change moves no count.
api POST "/v1/devices/$D5/state" '{"to":"handed_over","reason":"x"}'
is "$status" 409 "a transition the lifecycle refuses"
is "$(served)" "$(fresh)" "counts unchanged by the refusal"

ks check
is "$rc" 0 "kitstock check: ok"
like "$out" 'stock_count: ok' "and says so"

# Break the counts behind the daemon's back: check finds it.
sql "UPDATE stock_count SET qty = qty + 3 WHERE kind = 'tablet'"
ks check
is "$rc" 1 "kitstock check exits 1 when a count differs"
like "$out" 'stock_count: differs' "names the summary"
like "$out" 'tablet' "and the row"
api GET /v1/check
is "$(jget '.checks[0].differences[0] | "\(.kind) \(.counted) \(.kept)"')" "tablet 1 4" "the API shows counted and kept"
is "$(jget .ok)" false "ok is false"
sql "UPDATE stock_count SET qty = qty - 3 WHERE kind = 'tablet'"


api GET /v1/check
is "$(jget .ok)" true "repaired by hand, check is ok again"
is "$(alive)" 200 "still serving"
done_testing
