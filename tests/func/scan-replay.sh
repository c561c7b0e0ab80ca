#!/bin/bash
# A scan takes effect once: its scan_id is unique and recorded in the
# transaction of its effect, so a remote terminal replaying it gets the
# first verdict back and changes nothing. Queued (provisional) scans keep
# the time they were made; one refused when replayed is kept for the
# coordinator's alerts. The same code twice at once is the scanner's echo,
# ignored and said so. Bad input is refused naming the field, changing
# nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
station_conf 60
start_daemon -c "$T/station.conf"
kit_setup
kit_ready "$B1"
event_today "$B1"
ks station add caisse --location "$P" --mode checkout --distribution "$E"
ks station add caisse-2 --location "$P" --mode checkout --distribution "$E"

# Exactly once: the same scan_id twice is one effect and the same verdict.
scan caisse "$B1" '"scan_id":"term-7:0001"'
scanned "the convocation, with an id" ok "$B1: convoked to $E"
scan caisse "$K" '"scan_id":"term-7:0002"'
scanned "the kit, with an id" ok "$K: handed over to $B1"
first=$(jget '[.verdict, .message, .item, .made_at] | join("|")')
before=$(dbsum)
scan caisse "$K" '"scan_id":"term-7:0002"'
is "$status" 200 "the replay is answered"
is "$(jget '[.verdict, .message, .item, .made_at] | join("|")')" "$first" "with the verdict recorded the first time"
is "$(jget .replayed)" true "marked as a replay"
is "$(dbsum)" "$before" "and nothing changed: no second hand-over, no second scan row"
is "$(sql "SELECT count(*) FROM scan WHERE scan_id='term-7:0002'")" 1 "one scan row for the id"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$K' AND action='state' AND to_value='handed_over'")" 1 "one hand-over in the ledger"
ks scan "$K" --station caisse-2
is "$rc" 1 "the same kit at another station is a new scan, refused"
like "$out" "$K: already handed over to $B1 on $(date -u +%d/%m) — scan another device" "saying when and to whom"

# Provisional scans: made while the terminal was offline, replayed later.
made=$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)
scan caisse-2 "$B1" "\"scan_id\":\"term-9:0001\",\"made_at\":\"$made\",\"provisional\":true"
scanned "a queued convocation of someone already equipped" refused "$B1: already equipped at $E"
is "$(jget .made_at) $(jget .provisional)" "$made true" "it keeps the time it was made"
is "$(sql "SELECT made_at || ' ' || provisional || ' ' || verdict || ' ' || source FROM scan WHERE scan_id='term-9:0001'")" "$made 1 refused terminal" "recorded as provisional and refused"
api GET /v1/alerts
is "$(jget '[.items[] | select(.kind == "scan_refused_on_replay") | .subject] | join(" ")')" "$B1" "the coordinator's alerts list it"
like "$(jget '[.items[] | select(.kind == "scan_refused_on_replay") | .message] | join(" ")')" "term-9:0001|$B1.*caisse-2.*already equipped" "saying where, when and why"
scan caisse-2 "$B1" "\"scan_id\":\"term-9:0001\",\"made_at\":\"$made\",\"provisional\":true"
is "$(jget .verdict) $(sql "SELECT count(*) FROM scan WHERE scan_id='term-9:0001'")" "refused 1" "replayed again: the same refusal, still one row"

# Debounce (60 s here): the same code at once is ignored, and said so.
ks station add rayon --location "$W" --mode putaway
scan rayon "$X"
scan rayon "$X"
scanned "the same code at once" ignored "$X: scanned again within 60.0 s — ignored, scan it once"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$X' AND action='scan'")" 1 "an ignored scan is not in the ledger"
is "$(sql "SELECT count(*) FROM scan WHERE code='$X' AND verdict='ignored'")" 1 "but it is recorded"
scan rayon TAB0001
scanned "another code" ok "$D3: in_stock, moved from $W to $X"
scan caisse-2 "$X"
scanned "the same code at another station" refused "$X"
t1=$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ); t2=$(date -u -d '-3 min' +%Y-%m-%dT%H:%M:%SZ)
scan rayon PF0KIT2 "\"made_at\":\"$t1\""
scan rayon PF0KIT2 "\"made_at\":\"$t2\""
is "$verdict" ok "the same code made 2 minutes apart is two scans"

# Bad input: 4xx naming the field, nothing written, the daemon serving.
bad() {
	local before
	before=$(dbsum)
	api POST /v1/scans "$1"
	is "$status $(jget .error.field)" "$2 $3" "$5: $2 naming $3"
	like "$(jget .error.message)" "$4" "$5: the sentence says why"
	is "$(dbsum)" "$before" "$5: nothing written"
}
bad '{"code":"X"}' 400 station "station is required" "no station"
bad '{"station":"nosuch","code":"X"}' 404 station "station nosuch does not exist" "an unknown station"
bad '{"station":"Caisse 1","code":"X"}' 400 station "lowercase letters" "a bad station name"
bad '{"station":"caisse"}' 400 code "code is required" "no code"
bad '{"station":"caisse","code":""}' 400 code "must not be empty" "an empty code"
bad '{"station":"caisse","code":42}' 400 code "must be a string" "a code not a string"
bad '{"station":"caisse","code":"AB\u0001C"}' 400 code "control character \\(0x01\\)" "a control character in the code"
bad "{\"station\":\"caisse\",\"code\":\"$(printf 'A%.0s' $(seq 1 1001))\"}" 400 code "too long" "a code too long"
bad '{"station":"caisse","code":"X","scan_id":"a b"}' 400 scan_id "expected 1 to 64 letters" "a scan_id with a space"
bad "{\"station\":\"caisse\",\"code\":\"X\",\"scan_id\":\"$(printf 'a%.0s' $(seq 1 65))\"}" 400 scan_id "expected 1 to 64" "a scan_id too long"
bad '{"station":"caisse","code":"X","made_at":"hier"}' 400 made_at "not an ISO 8601 time" "made_at not a time"
bad '{"station":"caisse","code":"X","made_at":"2099-01-01T00:00:00Z"}' 400 made_at "in the future" "made_at in the future"
bad '{"station":"caisse","code":"X","provisional":true}' 400 scan_id "comes with its scan_id and made_at" "provisional without an id"
bad '{"station":"caisse","code":"X","provisional":"yes"}' 400 provisional "true or false" "provisional not a boolean"
bad '{"station":"caisse","code":"X","colour":"red"}' 400 colour "unknown field" "an unknown field"
api POST /v1/scans '[1]'
is "$status" 400 "a body not an object is refused"
ks scan X
is "$rc" 2 "kitstock scan without --station is a usage error"
ks scan X --station nosuch
is "$rc" 1 "kitstock scan at an unknown station is refused"
like "$err" "station nosuch does not exist" "saying so"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
