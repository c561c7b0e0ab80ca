#!/bin/bash
# Crash test: concurrent clients write (devices, moves, state changes)
# while the daemon is killed with SIGKILL at random moments. After each
# restart every acknowledged write and its ledger row are there, nothing
# unacknowledged is half-written, and PRAGMA integrity_check is ok.
# CRASH_CYCLES cycles (5 in make check, 100 in make crash).
. "$(dirname "$0")/lib"
cycles=${CRASH_CYCLES:-5}
writers=4
start_daemon
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"A","kind":"warehouse","commune":"93008"}'; LA=$(jget .tag)
api POST /v1/locations '{"name":"B","kind":"warehouse","commune":"93048"}'; LB=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-crash\"}"; R=$(jget .tag)
mkdir -p "$T/acks"

# One writer: add a device, move it, send it to repair; log each
# acknowledged step as "tag step" (a step is logged only after its 2xx).
writer() {
	local w=$1 n=0 code tag out
	while :; do
		n=$((n + 1))
		out=$(curl -s -m 5 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		    -d "{\"kind\":\"laptop\",\"serial\":\"W$w-$n-$RANDOM\",\"lot\":\"$R\",\"location\":\"$LA\"}" \
		    -w '\n%{http_code}' http://localhost/v1/devices 2>/dev/null) || continue
		code=${out##*$'\n'}
		[ "$code" = 201 ] || continue
		tag=$(printf '%s' "${out%$'\n'*}" | jq -r .tag)
		echo "$tag create" >> "$T/acks/$w"
		code=$(curl -s -m 5 --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' -X POST \
		    -H 'Content-Type: application/json' -d "{\"items\":[\"$tag\"],\"to\":\"$LB\"}" \
		    http://localhost/v1/moves 2>/dev/null)
		[ "$code" = 200 ] && echo "$tag move" >> "$T/acks/$w"
		code=$(curl -s -m 5 --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' -X POST \
		    -H 'Content-Type: application/json' -d '{"to":"in_repair","reason":"crash test"}' \
		    "http://localhost/v1/devices/$tag/state" 2>/dev/null)
		[ "$code" = 200 ] && echo "$tag state" >> "$T/acks/$w"
	done
}

pids=()
for w in $(seq 1 $writers); do writer "$w" & pids+=($!); done
lost=0
for c in $(seq 1 "$cycles"); do
	sleep "0.$((RANDOM % 9 + 1))"
	kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
	start_daemon
done
kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
acked=$(cat "$T"/acks/* 2>/dev/null | wc -l)

# Every acknowledged step is in the database with its ledger row.
cat "$T"/acks/* > "$T/all"
while read -r tag step; do
	case $step in
	create) q="SELECT count(*) FROM device d JOIN ledger l ON l.entity=d.tag AND l.action='create' WHERE d.tag='$tag'" ;;
	move) q="SELECT count(*) FROM ledger WHERE entity='$tag' AND action='move' AND to_value='$LB'" ;;
	state) q="SELECT count(*) FROM device d JOIN ledger l ON l.entity=d.tag AND l.action='state' WHERE d.tag='$tag' AND d.state='in_repair'" ;;
	esac
	[ "$(sql "$q")" = 1 ] || { lost=$((lost + 1)); echo "# lost: $tag $step"; }
done < "$T/all"
echo "# crash test: $cycles cycles, $acked writes acknowledged, $lost lost"
ok=$([ "$acked" -gt 0 ] && echo yes); is "$ok" yes "writes were acknowledged during the cycles ($acked)"
is "$lost" 0 "no acknowledged write lost"
# Nothing half-written: every device has its create row, every state its row.
is "$(sql "SELECT count(*) FROM device d WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.entity=d.tag AND l.action='create')")" 0 "no device without its ledger row"
is "$(sql "SELECT count(*) FROM device d WHERE d.state='in_repair' AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.entity=d.tag AND l.action='state')")" 0 "no state change without its ledger row"
is "$(sql "SELECT count(*) FROM ledger l WHERE l.action='create' AND l.entity LIKE 'D-%' AND NOT EXISTS (SELECT 1 FROM device d WHERE d.tag=l.entity)")" 0 "no ledger row without its device"
is "$(sql 'PRAGMA integrity_check')" ok "integrity_check ok after $cycles kills"
is "$(alive)" 200 "the daemon serves after the last restart"
done_testing
