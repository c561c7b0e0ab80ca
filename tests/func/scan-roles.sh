#!/bin/bash
# A scan acts with its maker's role, never with every role: a token's over
# TCP, the station's own role for a USB scanner. Each effect is checked
# against its route's roles as the API checks them, and a refusal is a
# red verdict naming the role and who may, with nothing changed. CANCEL
# undoes one's own last scan within 10 minutes if one's role may make it;
# anything else is a coordinator's.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
. "$(dirname "$0")/lib-usb"
M=${SRCDIR:-.}/tests/data/manifests
port=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$port
station_conf 0
start_daemon -c "$T/station.conf" --listen "127.0.0.1:$port"
kit_setup
kit_ready "$B1"
event_today "$B1"

for who in wh:warehouse d1:distribution d2:distribution co:coordinator; do
	ks token add "${who%%:*}" --role "${who#*:}" --expires 2099-12-31
	[ "$rc" = 0 ] || { echo "Bail out! token ${who%%:*}: $err"; exit 1; }
	eval "tok_${who%%:*}=\$out"
done

# tscan TOKEN STATION CODE: a scan over TCP with that token.
tscan() {
	local o
	o=$(curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
	    --data-binary "{\"station\":\"$2\",\"code\":\"$3\"}" -w '\n%{http_code}' "$URL/v1/scans")
	status=${o##*$'\n'}
	body=${o%$'\n'*}
	verdict=$(jget .verdict)
	message=$(jget .message)
}
# tapi TOKEN METHOD PATH BODY: a request over TCP with that token.
tapi() {
	local o
	o=$(curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
	    -X "$2" --data-binary "$4" -w '\n%{http_code}' "$URL$3")
	status=${o##*$'\n'}
	body=${o%$'\n'*}
}
# The database but the scans and the stations' context: what effects change.
effects() {
	sqlite3 -batch "$DB" .dump | grep -Ev '^(PRAGMA|BEGIN|COMMIT)|^INSERT INTO "?(scan|station)"? ' | md5sum | cut -d' ' -f1
}
handovers() { sql "SELECT count(*) FROM handover WHERE cancelled_at IS NULL"; }

ks station add caisse --location "$P" --mode checkout --distribution "$E"
is "$rc" 0 "a checkout station"
ks station list
like "$out" "caisse +$P +checkout +$E +distribution" "listed with its role (a checkout station's default: distribution)"

# A warehouse token: 403 at the API, and refused at the station too.
tapi "$tok_wh" POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\"}"
is "$status" 403 "the API refuses a hand-over to a warehouse token"
before=$(effects)
tscan "$tok_wh" caisse "$B1"
is "$status" 200 "a scan is answered 200 with its verdict"
scanned "the convocation by a warehouse token" refused "^$B1: the warehouse role may not hand kits over: a distribution or coordinator account may — nothing was changed$"
tscan "$tok_wh" caisse "$K"
scanned "the kit by a warehouse token" refused "^$K: the warehouse role may not hand kits over: a distribution or coordinator account may"
is "$(effects)" "$before" "nothing changed but the refused scans' records"
is "$(handovers) $(sql "SELECT state FROM kit WHERE tag='$K'")" "0 ready" "no hand-over: the kit is still ready"
is "$(sql "SELECT count(*) FROM ledger WHERE action = 'checkout'")" 0 "no checkout in the ledger"
is "$(sql "SELECT actor || ' ' || verdict FROM scan WHERE code='$K'")" "token:wh refused" "the scan records who made it"

# A distribution token hands over with the same two scans.
tscan "$tok_d1" caisse "$B1"
scanned "the convocation by a distribution token" ok "$B1: convoked to $E"
tscan "$tok_d1" caisse "$K"
scanned "the kit by a distribution token" ok "$K: handed over to $B1"
is "$(handovers) $(sql "SELECT actor FROM ledger WHERE action = 'checkout'")" "1 token:d1" "handed over, in the ledger under the token's name"

# CANCEL: the warehouse role and another distribution operator may not.
before=$(effects)
tscan "$tok_wh" caisse KS:CMD:CANCEL
scanned "CANCEL by a warehouse token" refused "^$K: the warehouse role may not cancel the last scan \\($K\\): only a distribution or coordinator account may — ask a coordinator$"
tscan "$tok_d2" caisse KS:CMD:CANCEL
scanned "CANCEL by another distribution operator" refused "^$K: the last scan \\($K\\) was made by another operator: only a coordinator may cancel it$"
is "$(effects) $(handovers)" "$before 1" "both refused, nothing changed: still handed over"
tscan "$tok_d1" caisse KS:CMD:CANCEL
scanned "CANCEL by the same operator within 10 minutes" ok "$K: last scan \\($K\\) cancelled"
is "$(handovers) $(sql "SELECT state FROM kit WHERE tag='$K'")" "0 ready" "the hand-over is undone"

# Past the window, only a coordinator (the scan's time set back an hour).
tscan "$tok_d1" caisse "$B1"
tscan "$tok_d1" caisse "$K"
scanned "handed over again" ok "$K: handed over to $B1"
sql "UPDATE scan SET made_ms = made_ms - 3600000 WHERE code = '$K' AND verdict = 'ok' AND cancelled = 0"
before=$(effects)
tscan "$tok_d1" caisse KS:CMD:CANCEL
scanned "CANCEL by the same operator an hour later" refused "^$K: the last scan \\($K\\) was made more than 10 minutes ago: only a coordinator may cancel it now$"
is "$(effects) $(handovers)" "$before 1" "refused, still handed over"
tscan "$tok_co" caisse KS:CMD:CANCEL
scanned "CANCEL by a coordinator" ok "$K: last scan \\($K\\) cancelled"
is "$(handovers) $(sql "SELECT state FROM kit WHERE tag='$K'")" "0 ready" "a coordinator undoes it"

# Receiving: the API refuses it to distribution, and so does the station.
ks lot import "$M/delivery-note-DN-7781.csv" --supplier "$F"
ks station add quai --location "$W" --mode receive
ks station show quai
like "$out" "USB scanners act as warehouse" "a receiving station's default role: warehouse"
before=$(effects)
tscan "$tok_d1" quai PF2T14G1A
scanned "a receive scan by a distribution token" refused "^PF2T14G1A: the distribution role may not receive deliveries: a warehouse or coordinator account may — nothing was changed$"
is "$(effects) $(sql "SELECT count(*) FROM device WHERE serial='PF2T14G1A'")" "$before 0" "nothing received"
tscan "$tok_wh" quai PF2T14G1A
scanned "the same scan by a warehouse token" ok "received from lot"

# A station's role is at most its configurer's.
tapi "$tok_wh" POST /v1/stations "{\"name\":\"x\",\"location\":\"$W\",\"mode\":\"receive\",\"role\":\"coordinator\"}"
is "$status $(jget .error.field)" "403 role" "a warehouse token may not make a coordinator station"
like "$(jget .error.message)" "token:wh \\(role warehouse\\) may not give station x the coordinator role" "saying so"
tapi "$tok_wh" POST /v1/scanners '{"scanner":"0c2e:0b61","station":"caisse"}'
is "$status $(jget .error.field)" "403 station" "nor bind a scanner to a distribution station"
tapi "$tok_wh" PATCH /v1/stations/quai '{"role":"distribution"}'
is "$status" 403 "nor give a station another role than its own"

# A USB scanner acts with its station's role: warehouse cannot check out.
ks station add guichet --location "$P" --mode checkout --distribution "$E" --role distribution
ks station edit guichet --role warehouse
is "$rc" 0 "kitstock station edit --role"
like "$out" "USB scanners act as warehouse" "the new role is shown"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='guichet' AND action='station_role'")" "distribution>warehouse" "the change is in the ledger"
stop_daemon
usb_start "waiturb 60000;scan $B1;waitidle 5000;wait 1200;scan $K;waitidle 5000"
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"guichet"}'
is "$status" 201 "a scanner bound to the station"
usb_wait "SELECT count(*) FROM scan s JOIN station t ON t.id = s.station_id WHERE t.name = 'guichet'" 2
is "$got" 2 "both USB scans are recorded"
is "$(sql "SELECT verdict || ': ' || message FROM scan WHERE code = '$K' ORDER BY id DESC LIMIT 1")" "refused: $K: the warehouse role may not hand kits over: a distribution or coordinator account may — nothing was changed" "the kit's scan is refused, naming the station's role"
is "$(handovers) $(sql "SELECT state FROM kit WHERE tag='$K'") $(sql "SELECT count(*) FROM ledger WHERE action IN ('checkout', 'scan') AND station = 'guichet'")" "0 ready 0" "nothing handed over, nothing in the ledger"
done_testing
