#!/bin/bash
# Exports whose clients stop reading (api-export.c, store-wal.c). A stalled
# export holds a read snapshot, so no checkpoint can start the WAL again
# while writes go on:
#  - four stalled exports take every slot (a fifth: 503); /v1/health shows
#    the four readers and the age of the oldest snapshot; writes go on and
#    grow the WAL;
#  - after request-timeout libevent closes them: no reader is left, the
#    fifth export is served, and the WAL file is back to 16 MB or less;
#  - wal-max (reloaded with SIGHUP): a WAL past it while a reader holds it
#    back ends the oldest reader (logged, its transfer cut), and the WAL
#    comes back under the bound.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
BOUND=16777216	# the WAL after a stall, README and kitstockd(8): 16 MB

# stall.py PATH MARK: an export over the socket, whose first bytes are
# written to MARK; then nothing is read (a small receive buffer), for two
# minutes at most.
cat > "$T/stall.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect(sys.argv[1])
s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % sys.argv[2]).encode())
open(sys.argv[3], "wb").write(s.recv(64))
time.sleep(120)
EOF
# writer.py N BODY [WAL BYTES]: N writes on one connection (fewer once the
# WAL file passes BYTES); prints "STATUS COUNT" lines.
cat > "$T/writer.py" <<'EOF'
import os, socket, sys
sock, n, body = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
wal, limit = (sys.argv[4], int(sys.argv[5])) if len(sys.argv) > 5 else (None, 0)
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rb")
req = (b"POST /v1/beneficiaries HTTP/1.1\r\nHost: localhost\r\n"
       b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
       % len(body)) + body
counts = {}
for i in range(n):
    s.sendall(req)
    status = int(f.readline().split()[1])
    length = 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        k, _, v = h.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    f.read(length)
    counts[status] = counts.get(status, 0) + 1
    if wal and i % 20 == 0 and os.path.exists(wal) and os.stat(wal).st_size > limit:
        break
print(" ".join("%d:%d" % (k, counts[k]) for k in sorted(counts)))
EOF
stall() { python3 "$T/stall.py" "$SOCK" "/v1/exports/prescriber?prescriber=$PA" "$1" & }
write() { python3 "$T/writer.py" "$SOCK" "$@"; }
walsize() { stat -c %s "$DB-wal" 2>/dev/null || echo 0; }
health() { api GET /v1/health; jget "$1"; }
# poll SECONDS CMD...: until CMD succeeds (bounded).
poll() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

printf 'language en\nrequest-timeout 5\n' > "$T/kitstockd.conf"
start_daemon -c "$T/kitstockd.conf"
report_setup
stop_daemon
# One prescriber's export large enough not to fit in the sockets' buffers.
sql "BEGIN;
WITH RECURSIVE n(i) AS (SELECT (SELECT coalesce(max(id), 0) FROM beneficiary) + 1
    UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO beneficiary (id, tag, commune, territory, category, prescriber_id,
    referred_on, consent_on, created_at)
SELECT i, printf('B-%07d-Z', i), '93066', 'T6', 'mission_locale',
    (SELECT id FROM prescriber WHERE tag = '$PA'), '2023-03-01', '2023-03-01',
    '2023-03-01T10:00:00Z' FROM n;
DELETE FROM report_dirty;
COMMIT;"
start_daemon -c "$T/kitstockd.conf"
BODY="{\"category\":\"rsa_training\",\"commune\":\"93066\",\"prescriber\":\"$PA\",\"referred_on\":\"2024-01-10\",\"consent_on\":\"2024-01-10\"}"

api GET /v1/health
is "$(jget .readers) $(jget .oldest_snapshot_s) $(jget '.wal_bytes | type')" "0 null number" \
    "health: no reader, no snapshot, the WAL's size in bytes"

# 1. Four stalled exports.
pids=
for i in 1 2 3 4; do stall "$T/mark$i"; pids="$pids $!"; done
marked() { [ -s "$T/mark1" ] && [ -s "$T/mark2" ] && [ -s "$T/mark3" ] && [ -s "$T/mark4" ]; }
poll 10 marked
like "$(cat "$T/mark1")" '^HTTP/1.1 200' "a stalled export was started"
api GET /v1/exports/stock
is "$status $(jget .error.code)" "503 busy" "four stalled exports take every slot: a fifth gets 503"
is "$(write 600 "$BODY")" "201:600" "600 writes answered while they stall"
during=$(walsize)
echo "# the WAL during the stall: $during bytes (du: $(du -k "$DB-wal" | cut -f1) kB)"
api GET /v1/health
is "$(jget .readers)" 4 "health: four readers open during the stall"
like "$(jget .oldest_snapshot_s)" '^[0-9]+$' "health: the oldest snapshot's age in seconds ($(jget .oldest_snapshot_s) s)"
is "$(jget .wal_bytes)" "$during" "health: the WAL's size, as on disk"
[ "$during" -gt "$BOUND" ] && pass "the WAL grew past the bound while the exports stalled ($during bytes)" \
    || fail "the WAL grew past the bound while the exports stalled" "got $during"

# 2. request-timeout (5 s) closes them; the WAL comes back.
noreader() { [ "$(health .readers)" = 0 ]; }
poll 20 noreader
api GET /v1/health
is "$(jget .readers) $(jget .oldest_snapshot_s)" "0 null" "after request-timeout: no reader is left"
api GET /v1/exports/stock
is "$status" 200 "the fifth export is served"
bounded() { [ "$(walsize)" -le "$BOUND" ]; }
poll 10 bounded
after=$(walsize)
echo "# the WAL after the stall: $after bytes"
[ "$after" -le "$BOUND" ] && pass "the WAL is back to 16 MB or less ($after bytes)" \
    || fail "the WAL is back to 16 MB or less" "got $after bytes"
is "$(grep -c 'export prescriber: the client took nothing for 5 s: closed' "$T/daemon.log")" 4 \
    "each stalled export logged as closed for taking nothing"
for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done

# 3. wal-max 20 MB (reloaded), request-timeout long: one stalled export,
#    writes until the WAL passes 20 MB.
printf 'language en\nrequest-timeout 120\nwal-max 20\n' > "$T/kitstockd.conf"
kill -HUP "$DAEMON_PID"
poll 5 grep -q 'SIGHUP: configuration reloaded' "$T/daemon.log"
stall "$T/mark5"; spid=$!
poll 10 test -s "$T/mark5"
is "$(health .readers)" 1 "a stalled export holds a reader"
write 4000 "$BODY" "$DB-wal" $((21 * 1048576)) >/dev/null
cut() { grep -q 'export prescriber: the WAL passed wal-max' "$T/daemon.log"; }
poll 10 cut
like "$(grep 'past wal-max' "$T/daemon.log")" 'the WAL is [0-9]+ MB, past wal-max \(20 MB\), held back by 1 reader\(s\): ending the oldest' \
    "past wal-max: the oldest reader is ended, and logged"
like "$(grep 'export prescriber: the WAL passed wal-max' "$T/daemon.log")" 'the client sees a truncated transfer' \
    "its export is cut"
poll 10 noreader
is "$(health .readers)" 0 "no reader left"
poll 10 bounded
after2=$(walsize)
echo "# $(grep -o 'the WAL is [0-9]* MB, past wal-max.*' "$T/daemon.log"); then $after2 bytes"
[ "$after2" -le "$BOUND" ] && pass "the WAL is back to 16 MB or less ($after2 bytes)" \
    || fail "the WAL is back to 16 MB or less" "got $after2 bytes"
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
api GET "/v1/exports/prescriber?prescriber=$PA"
is "$status" 200 "exports are served again"
done_testing
