#!/bin/bash
# Resource limits of the HTTP server: 500 idle connections do not stop the
# daemon serving others, cost a bounded amount of memory and are closed
# after request-timeout; a client dribbling its headers is cut off as
# well; beyond max-connections the oldest waiting connection makes room;
# oversized headers are refused. Waits are for outcomes, bounded; nothing
# is asserted about durations.
. "$(dirname "$0")/lib"

# conns.py N [DRIBBLE]: open N connections to $SOCK and say "open N"; then
# report how many the daemon closed ("closed K") as it closes them, until
# all are closed or 90 s have passed. With DRIBBLE, one connection only,
# sending a request one byte every 0.3 s: "cut after B of T bytes".
cat > "$T/conns.py" <<'PY'
import select, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
dribble = len(sys.argv) > 3
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
print("open", len(socks), flush=True)
if dribble:
    s = socks[0]
    req = b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\n" + \
        b"".join(b"X-Slow-%d: %s\r\n" % (i, b"y" * 20) for i in range(20)) + b"\r\n"
    sent = 0
    deadline = time.time() + 90
    while sent < len(req) and time.time() < deadline:
        try:
            s.send(req[sent:sent + 1])
        except OSError:
            break
        sent += 1
        r, _, _ = select.select([s], [], [], 0.3)
        if r and s.recv(4096) == b"":
            break
    print("cut after %d of %d bytes" % (sent, len(req)), flush=True)
    sys.exit(0)
closed = set()
deadline = time.time() + 90
while len(closed) < n and time.time() < deadline:
    live = [s for s in socks if s.fileno() not in closed]
    r, _, _ = select.select(live, [], [], 1)
    for s in r:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if data == b"":
            closed.add(s.fileno())
    print("closed", len(closed), flush=True)
PY
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status"; }
# wait_for FILE REGEX: until FILE has a line matching REGEX (90 s at most).
wait_for() {
	for _ in $(seq 1 900); do
		grep -Eq "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

printf 'language en\nrequest-timeout 0\n' > "$T/bad.conf"
"$KITSTOCKD" -n -c "$T/bad.conf" 2>"$T/n.err"
is "$?" 1 "request-timeout 0 is refused"
like "$(cat "$T/n.err")" 'request-timeout 0: expected seconds, 1 to 3600' "saying what is expected"
printf 'language en\nmax-connections many\n' > "$T/bad.conf"
"$KITSTOCKD" -n -c "$T/bad.conf" 2>"$T/n.err"
is "$?" 1 "max-connections many is refused"
like "$(cat "$T/n.err")" 'max-connections many: expected connections, 8 to 65536' "saying what is expected"

printf 'language en\nrequest-timeout 3\n' > "$T/k.conf"
start_daemon -c "$T/k.conf"
api POST /v1/suppliers '{"name":"Avant"}'
before=$(rss)

# 500 idle connections.
python3 "$T/conns.py" "$SOCK" 500 > "$T/idle.log" 2>&1 &
idle=$!
wait_for "$T/idle.log" '^open 500$'
is "$(head -1 "$T/idle.log")" "open 500" "500 connections open, sending nothing"
is "$(alive)" 200 "the daemon still answers another client"
api POST /v1/suppliers '{"name":"Pendant"}'
is "$status" 201 "and still writes"
during=$(rss)
growth=$(( (during - before) / 1024 ))
ok=$([ "$growth" -lt 64 ] && echo yes || echo "no ($growth MB)")
is "$ok" yes "memory bounded: RSS $before -> $during kB with 500 connections (< +64 MB)"
wait_for "$T/idle.log" '^closed 500$'
is "$(tail -1 "$T/idle.log")" "closed 500" "the daemon closed all 500 after request-timeout"
wait "$idle"
for _ in $(seq 1 30); do
	n=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
	[ "$n" -lt 50 ] && break
	sleep 0.2
done
ok=$([ "$n" -lt 50 ] && echo yes || echo "no ($n)")
is "$ok" yes "their descriptors are released ($n open)"

# A client dribbling a request byte by byte is cut off.
python3 "$T/conns.py" "$SOCK" 1 dribble > "$T/slow.log" 2>&1
like "$(tail -1 "$T/slow.log")" '^cut after [0-9]+ of 694 bytes$' "the slow client is cut off"
wait_for "$T/daemon.log" 'closed 1 connection\(s\) with no complete request in 3 s'
like "$(cat "$T/daemon.log")" 'closed 1 connection\(s\) with no complete request in 3 s' "and the daemon says why"
sent=$(sed -n 's/^cut after \([0-9]*\) of \([0-9]*\) bytes$/\1 \2/p' "$T/slow.log")
ok=$([ "${sent% *}" -lt "${sent#* }" ] && echo yes || echo "no ($sent)")
is "$ok" yes "before it could finish its request ($sent)"
is "$(alive)" 200 "the daemon still serves"

# Oversized headers: refused, the daemon serves on.
hdr=$(head -c 20000 /dev/zero | tr '\0' 'h')
code=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' \
    -H "X-Big: $hdr" http://localhost/v1/health)
like "$code" '^(400|413|431|000)$' "20 kB of headers refused ($code)"
code=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' \
    $(for i in $(seq 1 400); do printf -- '-H X-H%d:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ' "$i"; done) \
    http://localhost/v1/health)
like "$code" '^(400|413|431|000)$' "400 headers of 50 bytes refused ($code)"
is "$(alive)" 200 "the daemon still serves"
api POST /v1/suppliers '{"name":"Après"}'
is "$status" 201 "and still writes"
stop_daemon
is "$daemon_rc" 0 "SIGTERM: exit 0"

# max-connections: the oldest waiting connections make room for new ones.
printf 'language en\nmax-connections 16\n' > "$T/k.conf"
start_daemon -c "$T/k.conf"
python3 "$T/conns.py" "$SOCK" 100 > "$T/max.log" 2>&1 &
many=$!
wait_for "$T/max.log" '^open 100$'
is "$(alive)" 200 "with 100 idle connections and max-connections 16, a client is served"
wait_for "$T/max.log" '^closed (8[5-9]|9[0-9]|100)$'
n=$(tail -1 "$T/max.log" | cut -d' ' -f2)
ok=$([ "$n" -ge 85 ] && echo yes || echo "no ($n)")
is "$ok" yes "the daemon closed the oldest waiting ones ($n of 100)"
wait_for "$T/daemon.log" 'max-connections 16 reached'
like "$(cat "$T/daemon.log")" 'closed [0-9]+ connection\(s\) waiting for a request: max-connections 16 reached' "and logged it"
kill "$many" 2>/dev/null; wait "$many" 2>/dev/null
is "$(alive)" 200 "the daemon still serves"
done_testing
