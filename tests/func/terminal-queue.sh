#!/bin/bash
# The remote terminal (kitstock terminal --stdin, the same path as its USB
# scanner): each scan goes to POST /v1/scans with a unique scan_id; when
# kitstockd cannot be reached the scans wait in a fsynced local queue, the
# operator is told they are queued, and they are sent again in order,
# exactly once, when it answers: after the daemon was down, after the
# terminal was killed, and when the daemon died after committing a scan
# and before answering it.
. "$(dirname "$0")/lib"

Q=$T/terminal.queue
term() {	# term ARGS... < input: the terminal on our socket
	"$KITSTOCK" -s "$SOCK" terminal --station quai --stdin --queue "$Q" \
	    --timeout 5 "$@" > "$T/term.out" 2> "$T/term.err"
	trc=$?
	tout=$(cat "$T/term.out")
	terr=$(cat "$T/term.err")
}

start_daemon
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; L=$(jget .tag)
api POST /v1/locations '{"name":"Quai","kind":"warehouse","commune":"93008"}'; L2=$(jget .tag)
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
for i in 1 2 3 4; do
	api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S$i\",\"lot\":\"$R\",\"location\":\"$L\"}"
	eval "D$i=\$(jget .tag)"
done
api POST /v1/stations "{\"name\":\"quai\",\"location\":\"$L\",\"mode\":\"putaway\"}"
is "$status" 201 "a putaway station"

# Online: sent at once, the verdict shown.
term < <(printf '%s\n%s\n' "$L2" "$D1")
is "$trc" 0 "online: exit 0 ($terr)"
like "$tout" "^OK +$L2" "the location's verdict is shown"
like "$tout" "OK +$D1" "the device's verdict is shown"
is "$(sql "SELECT count(*) FROM scan WHERE source = 'terminal' OR scan_id LIKE 't-%'")" 2 "two scans, with the terminal's ids"
is "$(sql "SELECT count(*) FROM scan WHERE provisional = 1")" 0 "sent at once: not provisional"
is "$(stat -c %s "$Q")" 0 "nothing owed: the queue is empty"

# Daemon down: queued, said so (in French for the operator).
stop_daemon
term < <(printf '%s\n%s\n' "$D2" "$D3")
is "$trc" 3 "daemon down: exit 3, scans still queued"
like "$tout" "QUEUED +$D2 - kitstockd cannot be reached: the scan is kept here" "the operator sees the scan is queued"
like "$tout" "QUEUED +$D3" "  both"
like "$terr" "2 scan\(s\) are still queued in $Q" "on leaving: what is still queued, and where"
# In French, the operators' language.
KITSTOCK_LANG=fr "$KITSTOCK" -s "$SOCK" terminal --station quai --stdin \
    --queue "$T/fr.queue" < <(printf '%s\n' "$D2") > "$T/fr.out" 2>&1
like "$(cat "$T/fr.out")" "EN ATTENTE +$D2" "queued, said in French"
rm -f "$T/fr.queue"
is "$(grep -c '"op":"scan"' "$Q")" 2 "two scans in the queue file"
# The terminal killed while one more waits: kill -9 mid-run.
mkfifo "$T/in"
"$KITSTOCK" -s "$SOCK" terminal --station quai --stdin --queue "$Q" --timeout 5 < "$T/in" > "$T/k.out" 2>&1 &
tpid=$!
exec 7> "$T/in"
printf '%s\n' "$D4" >&7
for _ in $(seq 1 100); do grep -q "$D4" "$Q" && break; sleep 0.1; done
kill -9 "$tpid"; wait "$tpid" 2>/dev/null
exec 7>&-
is "$(grep -c '"op":"scan"' "$Q")" 3 "killed: the third scan was on disk before"

# Back: replayed in order, exactly once, provisional.
start_daemon
term < /dev/null
is "$trc" 0 "daemon back: the queue is sent, exit 0 ($terr)"
like "$tout" "3 scan\(s\) from an earlier run" "the terminal says what waited"
is "$(sql "SELECT group_concat(code, ',') FROM (SELECT code FROM scan WHERE provisional = 1 ORDER BY id)")" "$D2,$D3,$D4" "replayed in order, provisional"
is "$(sql "SELECT count(*) FROM scan")" 5 "each scan once"
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag = '$D4'")" "$L2" "the queued scans took effect (D4 moved)"
term < /dev/null
is "$(sql "SELECT count(*) FROM scan")" 5 "run again: nothing sent twice"

# The daemon dies after committing a scan, before answering it.
stop_daemon
KITSTOCKD_TEST_DIE_AFTER_COMMIT=/v1/scans start_daemon
term < <(printf '%s\n' "$L")
is "$(sql "SELECT count(*) FROM scan WHERE code = '$L'")" 1 "the scan was committed"
like "$tout" "QUEUED +$L" "but without an answer the terminal keeps it queued"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon
term < /dev/null
is "$trc" 0 "replayed once the daemon is back ($terr)"
like "$tout" "OK +$L" "the verdict recorded the first time is shown"
is "$(sql "SELECT count(*) FROM scan WHERE code = '$L'")" 1 "exactly once: one scan row"

# Usage.
ks terminal --station quai
is "$rc" 2 "terminal without --scanner nor --stdin: usage (2)"
ks terminal --station 'Quai 1' --stdin
is "$rc" 2 "a bad station name: usage (2)"
ks terminal --station quai --scanner 0c2e --queue "$T/q2"
is "$rc" 2 "a bad --scanner: usage (2)"
ks terminal --station quai --stdin --server ftp://x
is "$rc" 2 "a bad --server: usage (2)"
done_testing
