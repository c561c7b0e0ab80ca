#!/bin/bash
# GET /v1/stream: one client cannot take every slot with streams it never
# reads. A client (a token here) holds at most 4 streams, the 5th refused
# 503 with a sentence, so another client is still served; a subscriber
# that does not read is dropped once its unsent data passes the bound
# (256 KB beyond a small kernel buffer), which frees its slot for another
# client, while a subscriber that reads gets every event.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-station"
port=$((20000 + RANDOM % 20000))
station_conf 0 "stream-subscribers 5"
start_daemon -c "$T/station.conf" --listen "127.0.0.1:$port"
URL=http://127.0.0.1:$port
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
ks station add quai-a --location "$W" --mode putaway
for t in greedy reader late; do
	ks token add "$t" --role warehouse --expires 2099-12-31
	printf '%s' "$out" > "$T/$t.tok"
done

# hold.py PORT TOKEN N: N streams whose client reads the status line and
# nothing more (a receive buffer as small as the kernel allows), held
# until stdin closes; prints each status code.
cat > "$T/hold.py" <<'PY'
import socket, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
held = []
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    s.sendall(("GET /v1/stream HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\n\r\n" % token).encode())
    line = b""
    while not line.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            break
        line += c
    print(line.split(b" ")[1].decode() if b" " in line else "none", flush=True)
    held.append(s)
sys.stdin.read()
PY
mkfifo "$T/hold.in"
python3 "$T/hold.py" "$port" "$(cat "$T/greedy.tok")" 4 < "$T/hold.in" > "$T/hold.out" & HOLD=$!
exec 7> "$T/hold.in"
for _ in $(seq 1 100); do [ "$(wc -l < "$T/hold.out")" -ge 4 ] && break; sleep 0.1; done
is "$(tr '\n' ' ' < "$T/hold.out")" "200 200 200 200 " "a client opens 4 streams it does not read"

as() { # TOKEN-NAME PATH: $status, $body
	local o
	o=$(curl -s --max-time 5 -H "Authorization: Bearer $(cat "$T/$1.tok")" \
	    -w '\n%{http_code}' "$URL$2")
	status=${o##*$'\n'}; body=${o%$'\n'*}
}
as greedy /v1/stream
is "$status $(jget .error.code)" "503 too_many_streams" "its 5th is refused: 503"
like "$(jget .error.message)" "token:greedy already follows the stream 4 times, the most for one client: close one of its streams" \
    "saying who, how many and what to do"

curl -sN --max-time 120 -H "Authorization: Bearer $(cat "$T/reader.tok")" \
    "$URL/v1/stream" > "$T/reader.sse" & READER=$!
for _ in $(seq 1 100); do grep -q '^: kitstock stream' "$T/reader.sse" && break; sleep 0.1; done
like "$(cat "$T/reader.sse")" '^: kitstock stream' "another client is still served"
as late /v1/stream
is "$status $(jget .error.code)" "503 too_many_subscribers" "with every slot taken (5), a third client waits"

# Events until the stalled streams pass the bound: 600 scans of ~700 bytes.
code=$(printf 'X%.0s' $(seq 1 200))
n=600
curl -s -o /dev/null --unix-socket "$SOCK" -H 'Content-Type: application/json' \
    -d "{\"station\":\"quai-a\",\"code\":\"$code\"}" \
    $(for _ in $(seq 1 "$n"); do printf 'http://localhost/v1/scans '; done)  >/dev/null
for _ in $(seq 1 100); do
	[ "$(grep -c 'dropping a subscriber that does not read' "$T/daemon.log")" -ge 4 ] && break
	sleep 0.1
done
is "$(grep -c 'dropping a subscriber that does not read (token:greedy' "$T/daemon.log")" 4 \
    "the 4 streams that do not read are dropped once past the bound"
for _ in $(seq 1 100); do [ "$(grep -c '^event: scan' "$T/reader.sse")" -ge "$n" ] && break; sleep 0.1; done
is "$(grep -c '^event: scan' "$T/reader.sse")" "$n" "the client that reads got every event"
curl -sN --max-time 2 -D "$T/late.head" -o /dev/null \
    -H "Authorization: Bearer $(cat "$T/late.tok")" "$URL/v1/stream"
like "$(head -n 1 "$T/late.head")" '^HTTP/1.1 200' "the waiting client now gets a stream"
exec 7>&-
kill "$READER" 2>/dev/null; wait "$READER" "$HOLD" 2>/dev/null
is "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://localhost/v1/health)" 200 \
    "kitstockd is well"
done_testing
