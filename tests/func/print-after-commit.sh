#!/bin/bash
# Print on receive, off the loop and after the commit: a receiving of 50
# units at a location that prints on receive is answered with each label
# "queued" while no worker has sent any (workers held), /v1/health
# answering meanwhile; released, every job ends sent with its exact label
# at the printer and its ledger rows. A receiving refused (its savepoint
# rolled back) leaves no job and prints nothing. Jobs a stop left queued
# are sent at the next start.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

N=50
cups_start
sink_start $((N + 6))
lpadmin -p zebra -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
export KITSTOCKD_TEST_WORKER_HOLD=$T/hold	# held while it exists
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
printf 'Type;Marque;Modèle;N° de série;RAM (Go);Stockage (Go);Grade\r\n' > "$T/bl.csv"
for i in $(seq 1 $((N + 6))); do
	printf 'Portable;Lenovo;ThinkPad T480;PF%07d;8;256;A\r\n' "$i" >> "$T/bl.csv"
done
ks lot import "$T/bl.csv" --supplier "$F"; R=$out
ks printer add zebra --queue zebra --language zpl --dpi 203
ks printer receive "$W" --printer zebra
is "$rc" 0 "setup: a manifest of $((N + 6)) laptops, a warehouse that prints on receive"
touch "$T/hold"

# Codes PF(first)..PF(last) as a JSON array.
codes() { seq -f 'PF%07g' "$1" "$2" | jq -R . | jq -sc .; }

api POST "/v1/lots/$R/receive" "{\"codes\":$(codes 1 $N),\"location\":\"$W\"}"
is "$status" 201 "$N units received at once, their labels not yet sent (workers held)"
is "$(jget '[.received[].label.state] | unique | join(",")')" queued "the answer gives each label as queued"
is "$(jget '[.received[].label.id] | length')" "$N" "with its job's id"
is "$(alive)" 200 "/v1/health answers while the labels wait"
is "$(sql "SELECT count(*) FROM print_job WHERE state = 'queued'")" "$N" "$N jobs recorded queued"
is "$(sql "SELECT count(*) FROM ledger WHERE action = 'label_print'")" "$N" "each with its label_print ledger row"
is "$(ls "$T" | grep -c '^sink\.[0-9]')" 0 "nothing reached the printer yet"
J=$(jget '.received[0].label.id'); D1=$(jget '.received[0].tag')
api GET "/v1/print/$J"
is "$(jget .state):$(jget '.tags | join(",")'):$(jget .printer)" "queued:$D1:zebra" "GET /v1/print/N: queued, its tag and printer"

# A receiving refused (the second code is expected by no manifest): all
# or none, so the first unit is not received and its label never queued.
before=$(sql "SELECT count(*) FROM print_job")
api POST "/v1/lots/$R/receive" "{\"codes\":[\"PF$(printf %07d $((N + 1)))\",\"NOPE0000\"],\"location\":\"$W\"}"
is "$status" 404 "a receiving with a code no manifest expects is refused"
is "$(sql "SELECT count(*) FROM print_job")" "$before" "it left no print job"

rm -f "$T/hold"
wait_jobs() {
	for _ in $(seq 600); do
		[ "$(sql "SELECT count(*) FROM print_job WHERE state IN ('queued', 'sent')")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
wait_jobs
is "$(sql "SELECT state, count(*) FROM print_job GROUP BY state")" "completed|$N" \
    "released, every job was sent and CUPS completed it"
is "$(sql "SELECT count(*) FROM print_job WHERE cups_job IS NULL")" 0 "each with its CUPS job"
is "$(sql "SELECT count(*) FROM ledger WHERE action = 'label_print_state' AND from_value = 'queued' AND to_value = 'sent'")" \
    "$N" "each outcome in the ledger: queued to sent"
for _ in $(seq 300); do [ -f "$T/sink.$N" ] && break; sleep 0.1; done
is "$(ls "$T" | grep -c '^sink\.[0-9]')" "$N" "the printer received $N labels"
: > "$T/want.md5"
for tag in $(sql "SELECT d.tag FROM device d WHERE d.serial <= 'PF$(printf %07d $N)' ORDER BY d.id"); do
	curl -s --unix-socket "$SOCK" "http://localhost/v1/labels?tags=$tag&format=zpl&dpi=203" |
	    md5sum | cut -d' ' -f1 >> "$T/want.md5"
done
got=$(for f in "$T"/sink.[0-9]*; do md5sum < "$f" | cut -d' ' -f1; done | sort)
is "$got" "$(sort "$T/want.md5")" "exactly the label of each unit received"

# Stopped with labels queued: those a worker has are sent as it stops,
# the others stay queued and are sent at the next start.
touch "$T/hold"
api POST "/v1/lots/$R/receive" "{\"codes\":$(codes $((N + 1)) $((N + 5))),\"location\":\"$W\"}"
is "$status:$(jget '[.received[].label.state] | unique | join(",")')" 201:queued "5 more units, their labels queued"
stop_daemon
is "$daemon_rc" 0 "kitstockd stops with labels queued"
left=$(sql "SELECT count(*) FROM print_job WHERE state = 'queued'")
like "$left" '^[1-5]$' "jobs no worker had are still queued after the stop ($left)"
rm -f "$T/hold"
start_daemon
wait_jobs
is "$(sql "SELECT count(*) FROM print_job WHERE state <> 'completed'")" 0 "at the next start they are sent and completed"
for _ in $(seq 300); do [ -f "$T/sink.$((N + 5))" ] && break; sleep 0.1; done
is "$(ls "$T" | grep -c '^sink\.[0-9]')" "$((N + 5))" "and each reached the printer once"

cups_stop
done_testing
