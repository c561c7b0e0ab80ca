#!/bin/bash
# Group commit: concurrent writes share transactions, each in a savepoint.
# A refused request in a group undoes only itself; every acknowledged write
# and its ledger row are in the database; no write acknowledged before its
# commit (kill -9 in the middle of concurrent writers, then count).
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"GC-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"smartphone\",\"serial\":\"GC-TAKEN\",\"imei\":\"490154203237518\",\"lot\":\"$R\"}"
is "$status" 201 "a phone holds an IMEI"

# 8 writers at once, 25 requests each: most create a device; every fifth
# reuses the IMEI above (refused after the device row was written: the
# savepoint must undo that row, and only that row).
writer() {
	local w=$1 i code
	for i in $(seq 1 25); do
		if [ $((i % 5)) = 0 ]; then
			body="{\"kind\":\"smartphone\",\"serial\":\"GC-$w-$i\",\"imei\":\"490154203237518\",\"lot\":\"$R\"}"
		else
			body="{\"kind\":\"laptop\",\"serial\":\"GC-$w-$i\",\"lot\":\"$R\"}"
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" \
		    -H 'Content-Type: application/json' -d "$body" http://k/v1/devices)
		echo "$code GC-$w-$i"
	done > "$T/writer-$w"
}
api GET /v1/health; w0=$(jget .writes); c0=$(jget .commits)
pids=
for w in 1 2 3 4 5 6 7 8; do writer "$w" & pids="$pids $!"; done
wait $pids
cat "$T"/writer-* > "$T/all"
is "$(grep -c '^201 ' "$T/all")" 160 "160 creations acknowledged"
is "$(grep -c '^409 ' "$T/all")" 40 "40 duplicate IMEIs refused"
is "$(grep -vc '^201 \|^409 ' "$T/all")" 0 "no other answer"
ok_serials=$(grep '^201 ' "$T/all" | cut -d' ' -f2 | sort | tr '\n' ' ')
db_serials=$(sql "SELECT serial FROM device WHERE serial LIKE 'GC-%-%' ORDER BY serial" | sort | tr '\n' ' ')
is "$db_serials" "$ok_serials" "exactly the acknowledged devices are stored"
is "$(sql "SELECT count(*) FROM ledger l JOIN device d ON l.entity = d.tag WHERE d.serial LIKE 'GC-%-%' AND l.action = 'create'")" 160 "each with its ledger row"
is "$(sql "SELECT count(*) FROM device_imei")" 1 "the refused phones left no IMEI"
api GET /v1/health
w1=$(jget .writes); c1=$(jget .commits)
is "$((w1 - w0))" 160 "the daemon counted 160 acknowledged writes"
is "$([ "$((c1 - c0))" -le 160 ] && echo yes)" yes "in at most as many commits ($((c1 - c0)))"
echo "# 160 writes from 8 clients in $((c1 - c0)) commits"

# Read after write: an answer given is visible to the next request.
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"GC-RAW\",\"lot\":\"$R\"}"
tag=$(jget .tag)
api GET "/v1/devices/$tag"
is "$status" 200 "a write is readable as soon as it is answered"

# kill -9 among concurrent writers: whatever was acknowledged is there.
pids=
for w in 1 2 3 4; do
	(for i in $(seq 1 200); do
		curl -s -w ' %{http_code}\n' --unix-socket "$SOCK" \
		    -H 'Content-Type: application/json' \
		    -d "{\"kind\":\"laptop\",\"serial\":\"K-$w-$i\",\"lot\":\"$R\"}" \
		    http://k/v1/devices || break
	done > "$T/kill-$w") &
	pids="$pids $!"
done
sleep 2
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
wait $pids
start_daemon
acked=$(cat "$T"/kill-* | grep -c ' 201$')
lost=0
for tag in $(cat "$T"/kill-* | grep ' 201$' | jq -r .tag 2>/dev/null); do
	[ "$(sql "SELECT count(*) FROM device d JOIN ledger l ON l.entity = d.tag AND l.action = 'create' WHERE d.tag = '$tag'")" = 1 ] || lost=$((lost + 1))
done
is "$([ "$acked" -gt 0 ] && echo yes)" yes "some writes were acknowledged before the kill ($acked)"
is "$lost" 0 "none of the $acked acknowledged writes is lost"
is "$(sql "SELECT count(*) FROM device d WHERE serial LIKE 'K-%' AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.entity = d.tag AND l.action = 'create')")" 0 "no device without its ledger row"
is "$(sql 'PRAGMA integrity_check')" ok "integrity_check ok"
done_testing
