#!/bin/bash
# Stations are data: added, listed, shown and switched to another mode
# through the API and the client, taking effect at the next scan. A
# station's context (the location, kit, beneficiary or audit its scans are
# in) is in the database: it survives a restart, and expires after the
# configured idle time. Bad input names the field and changes nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
station_conf 0 "scan-idle 600"
start_daemon -c "$T/station.conf"
kit_setup
event_today "$B1"

ks station add rayon --location "$W" --mode putaway
is "$rc" 0 "kitstock station add"
is "$out" "station rayon: putaway mode at $W, USB scanners act as warehouse" "says what the station does"
is "$(sql "SELECT to_value || ' ' || json_extract(details_json, '$.location') FROM ledger WHERE entity='rayon' AND action='station_add'")" "putaway $W" "in the ledger"
api POST /v1/stations "{\"name\":\"caisse\",\"location\":\"$P\",\"mode\":\"checkout\",\"distribution\":\"$E\"}"
is "$status" 201 "POST /v1/stations"
is "$(jget '[.name, .location, .mode, .distribution] | join(" ")')" "caisse $P checkout $E" "the station as stored"
ks station list
like "$out" "caisse +$P +checkout +$E" "kitstock station list: the checkout station"
like "$out" "rayon +$W +putaway" "and the other"
ks station show rayon
is "$rc" 0 "kitstock station show"

# A mode changed takes effect at the next scan, no restart.
scan rayon "$X"
ks station mode rayon pick
is "$rc" 0 "kitstock station mode"
is "$out" "station rayon: pick mode at $W, USB scanners act as warehouse" "the new mode"
is "$(sql "SELECT context_json FROM station WHERE name='rayon'")" "{}" "the putaway context is dropped"
scan rayon TAB0001
scanned "the next scan is read in the new mode" refused "TAB0001: no kit scanned"
ks station mode rayon putaway

# The context survives a restart.
scan rayon "$X"
stop_daemon
is "$daemon_rc" 0 "stopped"
start_daemon -c "$T/station.conf"
ks station show rayon
like "$out" "location: $X" "the context is still there after a restart"
scan rayon TAB0001
scanned "the item after the restart" ok "$D3: in_stock, moved from $W to $X"

# It expires after scan-idle (600 s here) without a scan.
t1=$(date -u -d '-30 min' +%Y-%m-%dT%H:%M:%SZ); t2=$(date -u -d '-15 min' +%Y-%m-%dT%H:%M:%SZ)
t3=$(date -u -d '-14 min' +%Y-%m-%dT%H:%M:%SZ)
scan rayon "$W" "\"made_at\":\"$t1\""
scan rayon PF0KIT2 "\"made_at\":\"$t2\""
scanned "an item 15 minutes after the location" refused "PF0KIT2: no location scanned — scan the location first"
is "$(jget .context_expired)" true "the verdict says the context expired"
scan rayon "$W" "\"made_at\":\"$t2\""
scan rayon PF0KIT2 "\"made_at\":\"$t3\""
scanned "an item a minute after the location" ok "$D2: in_stock, moved from $W to $W"

# Bad input: the field named, nothing written.
bad() {
	local before
	before=$(dbsum)
	api "$1" "$2" "$3"
	is "$status $(jget .error.field)" "$4 $5" "$7: $4 naming $5"
	like "$(jget .error.message)" "$6" "$7: the sentence says why"
	is "$(dbsum)" "$before" "$7: nothing written"
}
bad POST /v1/stations "{\"location\":\"$W\",\"mode\":\"pick\"}" 400 name "name is required" "no name"
bad POST /v1/stations "{\"name\":\"Quai 2\",\"location\":\"$W\",\"mode\":\"pick\"}" 400 name "lowercase letters, digits" "a name with capitals and a space"
bad POST /v1/stations "{\"name\":\"$(printf 'q%.0s' $(seq 1 33))\",\"location\":\"$W\",\"mode\":\"pick\"}" 400 name "1 to 32" "a name too long"
bad POST /v1/stations "{\"name\":\"rayon\",\"location\":\"$W\",\"mode\":\"pick\"}" 409 name "station rayon already exists" "a name taken"
bad POST /v1/stations '{"name":"q2","mode":"pick"}' 400 location "location is required" "no location"
bad POST /v1/stations '{"name":"q2","location":"L-0000001-X","mode":"pick"}' 400 location "check character" "a mistyped location tag"
bad POST /v1/stations "{\"name\":\"q2\",\"location\":\"$(mktag L 99)\",\"mode\":\"pick\"}" 404 location "does not exist" "a location that does not exist"
bad POST /v1/stations "{\"name\":\"q2\",\"location\":\"$W\",\"mode\":\"dance\"}" 400 mode "dance" "an unknown mode"
bad POST /v1/stations "{\"name\":\"q2\",\"location\":\"$W\",\"mode\":\"checkout\"}" 400 distribution "distribution is required in checkout mode" "checkout without a distribution"
bad POST /v1/stations "{\"name\":\"q2\",\"location\":\"$W\",\"mode\":\"checkout\",\"distribution\":\"$(mktag E 99)\"}" 404 distribution "does not exist" "a distribution that does not exist"
bad POST /v1/stations "{\"name\":\"q2\",\"location\":\"$W\",\"mode\":\"pick\",\"colour\":1}" 400 colour "unknown field" "an unknown field"
bad POST /v1/stations/nosuch/mode '{"mode":"pick"}' 404 name "station nosuch does not exist" "the mode of a station that does not exist"
bad POST /v1/stations/rayon/mode '{"mode":"nap"}' 400 mode "nap" "an unknown mode"
bad POST /v1/stations/rayon/mode '{}' 400 mode "mode is required" "no mode"
bad POST /v1/stations/rayon/mode '{"mode":"checkout"}' 400 distribution "distribution is required" "checkout without a distribution"
bad GET /v1/stations/nosuch "" 404 name "does not exist" "showing a station that does not exist"
ks station add q3 --location "$W"
is "$rc" 2 "kitstock station add without --mode: usage"
ks station mode rayon
is "$rc" 2 "kitstock station mode without a mode: usage"
ks station mode nosuch pick
is "$rc" 1 "kitstock station mode on an unknown station: refused"
like "$err" "station nosuch does not exist" "saying so"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
