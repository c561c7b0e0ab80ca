#!/bin/bash
# Moves of several units are all or nothing; lists page stably with
# ?after= and ?limit=, with filters.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Atelier réparation","kind":"repair","commune":"93048"}'; X=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
tags=()
for i in $(seq 1 12); do
	kind=laptop; [ $((i % 3)) = 0 ] && kind=desktop
	api POST /v1/devices "{\"kind\":\"$kind\",\"serial\":\"P-$i\",\"lot\":\"$R\",\"location\":\"$W\"}"
	tags+=("$(jget .tag)")
done
is "$(sql 'SELECT count(*) FROM device')" 12 "12 devices"

# Pagination: 5 + 5 + 2, each tag once, in order.
api GET '/v1/devices?limit=5'
p1=$(jget '[.items[].tag] | join(" ")'); next=$(jget .next)
is "$(jget '.items | length')" 5 "page 1 has 5"
is "$next" "${tags[4]}" "next is the last tag of the page"
api GET "/v1/devices?limit=5&after=$next"
p2=$(jget '[.items[].tag] | join(" ")'); next=$(jget .next)
# A new device arriving between pages does not shift what follows.
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"P-late\",\"lot\":\"$R\",\"location\":\"$W\"}"
api GET "/v1/devices?limit=5&after=$next"
p3=$(jget '[.items[].tag] | join(" ")')
is "$p1 $p2 $p3" "${tags[*]} $(sql "SELECT tag FROM device WHERE serial='P-late'")" "every device once, in order"
api GET '/v1/devices?kind=desktop'
is "$(jget '.items | length')" 4 "filter by kind"
is "$(jget .next)" null "no next page"
api GET "/v1/devices?location=$W&state=in_stock&kind=laptop&limit=1000"
is "$(jget '.items | length')" 9 "combined filters"

# All or nothing: one unit that cannot move and none moves.
api POST "/v1/devices/${tags[0]}/state" '{"to":"lost","reason":"introuvable à l'\''inventaire"}'
sum=$(dbsum)
api POST /v1/moves "{\"items\":[\"${tags[1]}\",\"${tags[0]}\",\"${tags[2]}\"],\"to\":\"$X\"}"
is "$status" 409 "a lost unit refuses the move"
like "$(jget .error.message)" "${tags[0]} is lost" "naming it"
is "$(dbsum)" "$sum" "nothing moved"
api POST /v1/moves "{\"items\":[\"${tags[1]}\",\"D-0000999-0\"],\"to\":\"$X\"}"
is "$status" 400 "a bad tag refuses the move"
is "$(dbsum)" "$sum" "nothing moved"
api POST /v1/moves "{\"items\":[\"${tags[1]}\",\"${tags[2]}\"],\"to\":\"$X\",\"reason\":\"révision\"}"
is "$status" 200 "two units moved"
is "$(sql "SELECT count(*) FROM device d JOIN location l ON l.id=d.location_id WHERE l.tag='$X'")" 2 "both at the repair partner"
is "$(sql "SELECT count(*) FROM ledger WHERE action='move' AND to_value='$X' AND from_value='$W' AND reason='révision'")" 2 "two move rows"
api POST /v1/moves "{\"items\":[\"${tags[1]}\"],\"to\":\"$X\"}"
is "$(jget '.unchanged | length')" 1 "moving where it already is changes nothing"
is "$(sql "SELECT count(*) FROM ledger WHERE action='move'")" 2 "and writes no row"
api POST /v1/moves "{\"items\":[\"${tags[3]}\"],\"to\":\"L-0000099-0\"}"
is "$status" 400 "destination tag checked"
done_testing
