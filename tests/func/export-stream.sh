#!/bin/bash
# Exports sent in chunks as the connection drains (api-export.c), read
# from a snapshot (a reader of their own in one read transaction):
#  - every export of a generated programme is byte-identical to what the
#    daemon answered when it built them whole in memory (expected files in
#    export-stream.expected/, recorded with that daemon: EXPORT_STREAM_RECORD=1);
#  - a large export (100,000 more people) keeps the daemon's peak RSS flat,
#    while the daemon answers a read and a write in the middle of it;
#  - a change committed in the middle (the first and the last person, in
#    one transaction) is in none of its rows: neither half;
#  - a client killed in the middle: the daemon serves on, the read
#    transaction is over (a TRUNCATE checkpoint is not blocked), no leak
#    (ASan, at exit); a daemon stopped in the middle exits 0, the client
#    sees a truncated transfer; HEAD; the fifth export at once is refused.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
EXPECTED=${SRCDIR:-$(dirname "$0")/../..}/tests/func/export-stream.expected
printf '0123456789abcdef0123456789abcdef' > "$T/key"
printf 'language en\npseudonym-key %s\n' "$T/key" > "$T/kitstockd.conf"
# Freed memory is reused at once (ASan would keep 256 MB of it aside).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
start_daemon -c "$T/kitstockd.conf"
report_generate 64

# get PATH FILE [CURL ARGS...]: the HTTP status; the body in FILE.
get() {
	local path=$1 file=$2
	shift 2
	curl -s --unix-socket "$SOCK" -o "$file" -w '%{http_code}' "$@" "http://localhost$path"
}

# 1. Byte-identical to the exports built whole.
EXPORTS=${EXPORT_STREAM_ONLY:-evaluation indicators prescriber stock sims warranties repairs followups}
for e in $EXPORTS; do
	case $e in
	prescriber) path="/v1/exports/prescriber?prescriber=$PA" ;;
	warranties|followups) path="/v1/exports/$e?days=3650" ;;
	*) path="/v1/exports/$e" ;;
	esac
	is "$(get "$path" "$T/$e.csv")" 200 "$e: 200"
	if [ -n "${EXPORT_STREAM_RECORD:-}" ]; then
		mkdir -p "$EXPECTED"
		cp "$T/$e.csv" "$EXPECTED/$e.csv"
	fi
	is "$(cmp "$T/$e.csv" "$EXPECTED/$e.csv" 2>&1 && echo same)" same "$e: byte-identical to the export built whole"
done
is "$(wc -l < "$T/evaluation.csv")" 65 "the evaluation: a header and 64 people"
hdrs=$(curl -s --unix-socket "$SOCK" -D - -o /dev/null http://localhost/v1/exports/stock | tr -d '\r')
like "$hdrs" 'Transfer-Encoding: chunked' "sent in chunks"
like "$hdrs" 'Content-Type: text/csv; charset=utf-8' "as CSV"
like "$hdrs" 'Content-Disposition: attachment; filename="stock-' "as a file to save"
hdrs=$(curl -s --unix-socket "$SOCK" -I http://localhost/v1/exports/evaluation | tr -d '\r')
like "$hdrs" '^HTTP/1.1 200' "HEAD: 200"
like "$hdrs" 'Content-Type: text/csv' "HEAD: the headers, no body"
stop_daemon
[ -n "${EXPORT_STREAM_RECORD:-}" ] && done_testing && exit 0

# 2. A large programme: 100,000 more people, diagnosed, written in bulk.
N=100000
sql "BEGIN;
WITH RECURSIVE n(i) AS (SELECT (SELECT max(id) FROM beneficiary) + 1
    UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT max(id) FROM beneficiary) + $N)
INSERT INTO beneficiary (id, tag, commune, territory, category, prescriber_id,
    referred_on, consent_on, created_at)
SELECT i, printf('B-%07d-Z', i), '93066', 'T6', 'mission_locale',
    (SELECT id FROM prescriber WHERE tag = '$PA'), '2023-03-01', '2023-03-01',
    '2023-03-01T10:00:00Z' FROM n;
INSERT INTO diagnostic (beneficiary_id, diagnosed_on, adviser, device_need,
    connection_need, autonomy, training_wished, certification_wished, late,
    created_at)
SELECT id, '2023-04-01', 'x', 'laptop', 'sim', 2, 'none', 0, 0,
    '2023-04-01T10:00:00Z' FROM beneficiary
    WHERE id NOT IN (SELECT beneficiary_id FROM diagnostic);
-- Not counted in the indicators' tallies (this test reads no indicator):
-- the daemon would recompute them all at start, for minutes under ASan.
DELETE FROM report_dirty;
COMMIT;" 2>"$T/sql.err"
is "$(cat "$T/sql.err")$(sql 'SELECT count(*) FROM beneficiary')" "$((N + 64))" "$N people added with sqlite3"
first=$(sql "SELECT tag FROM beneficiary ORDER BY id LIMIT 1")
last=$(sql "SELECT tag FROM beneficiary ORDER BY id DESC LIMIT 1")
pseudo() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "key:0123456789abcdef0123456789abcdef" | awk '{print $NF}'; }
pfirst=$(pseudo "$first"); plast=$(pseudo "$last")
was=$(sql "SELECT group_concat(category, '|') FROM (SELECT category FROM beneficiary WHERE tag IN ('$first', '$last') ORDER BY id)")

start_daemon -c "$T/kitstockd.conf"
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status"; }
# Warm: the statements, a reader, the page cache, a small export sent.
is "$(get "/v1/exports/prescriber?prescriber=$PB" "$T/warm.csv")" 200 "a small export first"
is "$(get /v1/exports/stock "$T/warm.csv")" 200 "and another"
before=$(hwm)

# download RATE FILE BYTES: the evaluation export read at RATE in the
# background ($cpid), once BYTES of it have come.
download() {
	curl -s --unix-socket "$SOCK" --limit-rate "$1" -o "$2" \
	    http://localhost/v1/exports/evaluation &
	cpid=$!
	for _ in $(seq 1 100); do
		[ "$(stat -c %s "$2" 2>/dev/null || echo 0)" -gt "$3" ] && break
		sleep 0.1
	done
}
# The large export, read slowly: 2 MB/s, for about ten seconds.
download 2M "$T/big.csv" 300000
# In the middle: a read and a write are answered; first and last change
# in one transaction.
api GET /v1/health
is "$status" 200 "a GET answered in the middle of the export"
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93066\",\"prescriber\":\"$PA\",\"referred_on\":\"2024-01-10\",\"consent_on\":\"2024-01-10\"}"
is "$status" 201 "a write committed in the middle of the export"
newben=$(jget .tag)
sql "PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE;
UPDATE beneficiary SET category = 'siae_employee' WHERE tag IN ('$first', '$last');
COMMIT;" >/dev/null
is "$(sql "SELECT count(*) FROM beneficiary WHERE category = 'siae_employee' AND tag IN ('$first', '$last')")" 2 "first and last changed in one transaction"
is "$(kill -0 $cpid 2>/dev/null && echo running)" running "all while the export was being sent"
size_mid=$(stat -c %s "$T/big.csv")
wait $cpid
is "$?" 0 "the large export completes"
after=$(hwm)
is "$(wc -l < "$T/big.csv")" "$((N + 64 + 1))" "every person of the snapshot, and no one added after"
is "$(grep -c "^$(pseudo "$newben")," "$T/big.csv")" 0 "the person added in the middle is not in it"
cat_col=$(head -1 "$T/big.csv" | tr -d '\r' | tr , '\n' | grep -nx category | cut -d: -f1)
is "$(grep "^$pfirst," "$T/big.csv" | cut -d, -f"$cat_col")|$(grep "^$plast," "$T/big.csv" | cut -d, -f"$cat_col")" \
    "$was" "neither the first nor the last person changed: the snapshot, not half of the change"
size=$(stat -c %s "$T/big.csv")
like "$size_mid" '^[0-9]+$' "$size_mid of $size bytes were read when the write committed"
# Built whole in memory, the CSV alone ($size bytes) was held twice (the
# text, then the reply's buffer): the peak grew by more than its size.
# Sent in chunks, the peak grows by a constant whatever the size: the
# reader's page cache (2 MB), its statements, one chunk (64 kB), and under
# ASan its allocator's slack (about 10 MB; 2 MB without ASan). So: less
# than the CSV's size, and the CSV is made large enough (16 MB or more)
# for the difference to show.
growth=$(( (after - before) / 1024 ))
echo "# VmHWM $before kB -> $after kB (+$growth MB); the CSV: $((size / 1048576)) MB"
is "$([ $((size / 1048576)) -ge 16 ] && echo big)" big "the export is large (16 MB or more)"
is "$([ "$growth" -lt $((size / 1048576)) ] && echo flat)" flat "the daemon's peak RSS grew by less than the CSV's size (+$growth MB)"
get /v1/exports/evaluation "$T/big2.csv" >/dev/null
is "$(grep "^$pfirst," "$T/big2.csv" | cut -d, -f"$cat_col")|$(grep "^$plast," "$T/big2.csv" | cut -d, -f"$cat_col")|$(grep -c "^$(pseudo "$newben")," "$T/big2.csv")" \
    "siae_employee|siae_employee|1" "the next export sees the change and the person added"

# 3. The client killed in the middle.
download 200K "$T/cut.csv" 100000
kill -9 $cpid; wait $cpid 2>/dev/null
sleep 0.5
is "$(alive)" 200 "the client killed in the middle: the daemon serves on"
is "$(grep -c 'export evaluation: the client went away' "$T/daemon.log")" 1 "and says the export ended"
is "$(sql 'PRAGMA wal_checkpoint(TRUNCATE)' | cut -d'|' -f1)" 0 "its read transaction is over (a TRUNCATE checkpoint is not blocked)"
is "$(get "/v1/exports/prescriber?prescriber=$PA" "$T/after.csv")" 200 "another export after it"
is "$(wc -l < "$T/after.csv")" "$(( $(sql "SELECT count(*) FROM beneficiary b JOIN prescriber p ON p.id = b.prescriber_id WHERE p.tag = '$PA'") + 1 ))" "complete"

# 4. At most four at once; HEAD; the daemon stopped in the middle.
pids=
for i in 1 2 3 4; do
	curl -s --unix-socket "$SOCK" --limit-rate 50K -o "$T/slow$i.csv" \
	    http://localhost/v1/exports/evaluation &
	pids="$pids $!"
done
for _ in $(seq 1 100); do
	n=0
	for i in 1 2 3 4; do [ -s "$T/slow$i.csv" ] && n=$((n + 1)); done
	[ $n = 4 ] && break
	sleep 0.1
done
api GET /v1/exports/stock
is "$status $(jget .error.code)" "503 busy" "a fifth export at once: 503"
like "$(jget .error.message)" 'try again when one has finished' "saying when to try again"
stop_daemon
is "$daemon_rc" 0 "stopped in the middle of four exports: exits 0"
rcs=
for p in $pids; do wait "$p"; rcs="$rcs $?"; done
is "$rcs" " 18 18 18 18" "the clients see truncated transfers (curl: partial file)"
unlike "$(cat "$T/daemon.log")" 'Sanitizer|runtime error|leak' "no leak or error in the daemon's log"

done_testing
