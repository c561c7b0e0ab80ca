#!/bin/bash
# The database removed under a running daemon (rm kitstock.db*): writes get
# 503 with a sentence saying what happened and what to do, /v1/health says
# the same, and nothing acknowledged is lost: the backup taken afterwards,
# put back, holds every write answered 2xx. Moved away and back, writes
# resume.
. "$(dirname "$0")/lib"
start_daemon
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-gone\"}"; R=$(jget .tag)
is "$status" 201 "a write before"

# Two writers while the files go; each answer noted: status, code, serial.
writer() {
	local i=0 out st
	while [ ! -e "$T/stop" ] && [ $i -lt 400 ]; do
		i=$((i + 1))
		out=$(curl -s --unix-socket "$SOCK" -X POST \
		    -H 'Content-Type: application/json' --data-binary \
		    "{\"kind\":\"laptop\",\"serial\":\"w$1-$i\",\"lot\":\"$R\"}" \
		    -w '\n%{http_code}' http://localhost/v1/devices)
		st=${out##*$'\n'}
		printf '%s %s w%s-%s %s\n' "$st" \
		    "$(printf '%s' "${out%$'\n'*}" | jq -r '.error.code // "-"')" \
		    "$1" "$i" "$(printf '%s' "${out%$'\n'*}" | jq -r \
		    'if (.error.message // "") | test("while this change was being committed") then "in-removed-files" else "-" end')" \
		    >> "$T/answers"
	done
}
writer 1 & w1=$!
writer 2 & w2=$!
for _ in $(seq 1 200); do
	[ "$(cat "$T/answers" 2>/dev/null | grep -c '^201')" -ge 20 ] && break
	sleep 0.05
done
rm -f "$DB" "$DB-wal" "$DB-shm"
for _ in $(seq 1 200); do
	[ "$(cat "$T/answers" 2>/dev/null | grep -c '^503')" -ge 10 ] && break
	sleep 0.05
done
touch "$T/stop"
wait $w1 $w2
acked=$(grep -c '^201' "$T/answers")
ok_n=$(grep -c '^20[01] \|^503 database_moved ' "$T/answers")
echo "# $acked writes acknowledged, $(grep -c '^503' "$T/answers") refused"
is "$([ "$acked" -ge 20 ] && echo yes)" yes "writes acknowledged before the files went"
is "$ok_n" "$(wc -l < "$T/answers")" "every answer is 201, or 503 database_moved"
like "$(grep -c '^503 database_moved' "$T/answers")" '^[1-9]' "writes after the removal are refused"

api GET /v1/health
is "$status" 503 "health is 503"
is "$(jget .database)" moved "health says the database was moved"
like "$(jget .database_problem)" 'removed or replaced' "and why"
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"after-rm\",\"lot\":\"$R\"}"
is "$status" 503 "a write after the removal gets 503"
is "$(jget .error.code)" database_moved "code database_moved"
like "$(jget .error.message)" "database $DB was removed or replaced.*nothing was recorded.*backup.*restart kitstockd" \
    "a sentence: what happened, what to do"
like "$(cat "$T/daemon.log")" 'removed or replaced while we serve it' "the log says so"
api GET "/v1/suppliers/$F"
is "$status" 200 "reads keep working"

# The rescue: a backup from the daemon (it still holds the open files).
code=$(curl -s --unix-socket "$SOCK" -o "$T/rescue.db" -w '%{http_code}' \
    http://localhost/v1/backup)
is "$code" 200 "a backup can still be taken"
stop_daemon
is "$daemon_rc" 0 "kitstockd stops cleanly"
cp "$T/rescue.db" "$DB"
start_daemon
for s in $(awk '$1 == 201 { print $3 }' "$T/answers"); do
	printf "'%s'," "$s"
done > "$T/acked"
is "$(sql "SELECT count(*) FROM device WHERE serial IN ($(sed 's/,$//' "$T/acked"))")" \
    "$acked" "after the restart every acknowledged write is there"
is "$(sql "SELECT count(*) FROM device WHERE serial = 'after-rm'")" 0 \
    "the refused write is not"
# A 503 that said "nothing was recorded" is not there; one refused because
# the files went during its COMMIT says it is in the removed files (and so
# in the backup).
for s in $(awk '$1 == 503 && $4 == "-" { print $3 }' "$T/answers"); do
	printf "'%s'," "$s"
done > "$T/refused"
is "$(sql "SELECT count(*) FROM device WHERE serial IN ($(sed 's/,$//' "$T/refused"))")" 0 \
    "no write answered 'nothing was recorded' is in the backup"
for s in $(awk '$1 == 503 && $4 == "in-removed-files" { print $3 }' "$T/answers"); do
	printf "'%s'," "$s"
done > "$T/inflight"
is "$(sql "SELECT count(*) FROM device WHERE serial IN ($(sed 's/,$//' "$T/inflight"))")" \
    "$(grep -c 'in-removed-files' "$T/answers")" \
    "each write answered 'recorded in the removed files' is in the backup"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
api GET /v1/health
is "$(jget .database)" writable "health: writable again"

# Moved away: refused; moved back: accepted again.
mv "$DB" "$T/away.db"
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"moved\",\"lot\":\"$R\"}"
is "$status" 503 "the database moved away: 503"
is "$(jget .error.code)" database_moved "code database_moved"
api GET /v1/health
is "$(jget .database)" moved "health agrees"
mv "$T/away.db" "$DB"
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"back\",\"lot\":\"$R\"}"
is "$status" 201 "moved back: writes accepted again"
api GET /v1/health
is "$status" 200 "health 200 again"
is "$(sql "SELECT group_concat(serial) FROM device WHERE serial IN ('moved', 'back')")" back \
    "only the acknowledged one recorded"
like "$(cat "$T/daemon.log")" 'back in place' "the log says so"
done_testing
