#!/bin/bash
# Labels render off the loop (a few worker threads): while clients ask for
# the largest label job (210 labels, ZPL at 600 dpi) and do not read the
# answer, /v1/health and scans are still answered; jobs waiting or running
# are capped per peer and in all (503 with a sentence saying how many are
# pending); the labels rendered are still right; a client that goes away
# mid-render leaves nothing behind (LeakSanitizer quiet at exit).
# KITSTOCKD_TEST_WORKER_HOLD holds the jobs while a file exists, so that
# what is asserted here is what is pending, never how long anything took.
. "$(dirname "$0")/lib"
port=$((20000 + RANDOM % 20000))
HOLD=$T/hold
export KITSTOCKD_TEST_WORKER_HOLD=$HOLD
start_daemon -v --listen "127.0.0.1:$port"
URL=http://127.0.0.1:$port

api POST /v1/labels/blank '{"type":"device","count":210}'
is "$status" 201 "setup: 210 pre-printed device tags"
TAGS=$(jget '.tags | join(",")')
FIRST=$(jget '.tags[0]')
L="/v1/labels?tags=$TAGS&format=zpl&dpi=600"
L203="/v1/labels?tags=$TAGS&format=zpl"
for n in a b c d e; do
	ks token add "poste-$n" --role warehouse --expires 2099-12-31
	printf '%s' "$out" > "$T/tok-$n"
done
is "$(ls "$T"/tok-? | wc -l)" 5 "setup: five warehouse tokens (five peers)"

# Clients that send the largest job and never read: PEERS connections on the
# UNIX socket (the same peer, root); close when $T/go-N appears.
cat > "$T/noread.py" <<'EOF'
import socket, sys, os, time
path, req, n, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % req).encode())
    socks.append(s)
open(tag + ".sent", "w").close()
while not os.path.exists(tag + ".go"):
    time.sleep(0.05)
for s in socks:
    s.close()
EOF
code_of() { curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' "http://localhost$1"; }
waitfor() { for _ in $(seq 1 200); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

touch "$HOLD"
python3 "$T/noread.py" "$SOCK" "$L" 4 "$T/late" & late=$!
waitfor "$T/late.sent"
# Three more peers, four jobs each, over TCP with their tokens (curl reads).
pids=
for n in a b c; do
	for i in 1 2 3 4; do
		curl -s -o "$T/out-$n$i" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/tok-$n")" \
		    "$URL$L203" > "$T/code-$n$i" & pids="$pids $!"
	done
done
# Until the daemon holds them all: 4 from root, 12 from the tokens.
for _ in $(seq 1 100); do
	[ "$(grep -c 'worker: job' "$T/daemon.log")" -ge 16 ] && break
	sleep 0.1
done

ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(alive)" = 200 ] && ok=$((ok + 1))
done
is "$ok" 10 "health answered 200 ten times while 16 renders are pending"
api GET /v1/health
is "$(jget .jobs_pending)" 16 "health counts the 16 jobs pending"
api POST /v1/suppliers '{"name":"Pendant les étiquettes"}'
is "$status" 201 "a write is acknowledged meanwhile"

api GET "$L"
is "$status" 503 "a fifth job from the same peer: 503"
like "$(jget .error.message)" '^root already has 4 label or document jobs pending or unread \(at most 4 each\): try again' \
    "saying how many are pending and to try again"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/tok-d")" "$URL$L")
is "$code" 503 "a peer with none pending, when 16 are pending in all: 503"
like "$(jget .error.message "$(cat "$T/o")")" '^16 label or document jobs are already pending or unread \(at most 16\): try again' \
    "saying how many are pending in all"
is "$(jget .error.code "$(cat "$T/o")")" busy "in the API's error shape"

# Every job runs; root's four answers wait for clients that do not read.
rm -f "$HOLD"
wait $pids
is "$(cat "$T"/code-* | grep -o 200 | wc -l)" 12 "the twelve token jobs answered 200"
is "$(grep -c '^\^XA' "$T/out-a1")" 210 "210 ZPL labels in an answer"
like "$(head -3 "$T/out-a1" | tr '\n' ' ')" '^\^XA \^PW496 \^LL232' "62 x 29 mm at 203 dpi"
is "$(code_of "/v1/labels?tags=$FIRST&format=png")" 503 "answers not read still count: root's fifth job is refused"
is "$(alive)" 200 "health meanwhile"
touch "$T/late.go"; wait "$late"
for _ in $(seq 1 50); do
	status=$(code_of "/v1/labels?tags=$FIRST&format=png")
	[ "$status" = 200 ] && break
	sleep 0.1
done
is "$status" 200 "once those clients are gone, root renders again"

# The slots are free again, and the labels still scan back.
curl -s --unix-socket "$SOCK" -o "$T/one.png" "http://localhost/v1/labels?tags=$FIRST&format=png&dpi=300"
is "$(zbarimg --nodbus -q --raw "$T/one.png")" "$FIRST" "a PNG label scans back to its tag"
curl -s --unix-socket "$SOCK" -o "$T/three.pdf" \
    "http://localhost/v1/labels?tags=$(printf '%s' "$TAGS" | cut -d, -f1-3)&format=pdf"
got=
for p in 1 2 3; do
	pdftoppm -r 300 -f $p -l $p -gray -singlefile "$T/three.pdf" "$T/page"
	got="$got $(zbarimg --nodbus -q --raw "$T/page.pgm")"
done
is "$got" " $(printf '%s' "$TAGS" | cut -d, -f1-3 | tr ',' ' ')" "each PDF page scans back to its tag"
api GET "/v1/labels?tags=$FIRST&format=zpl&template=nope"
is "$status" 400 "a refusal before the render is still answered at once"

# A client gone before its render is collected: the daemon stops cleanly
# (done_testing: exit 0, no sanitizer report, leaks included).
touch "$HOLD"
python3 "$T/noread.py" "$SOCK" "$L" 2 "$T/gone" & gone=$!
waitfor "$T/gone.sent"
for _ in $(seq 1 100); do
	[ "$(grep -c 'worker: job' "$T/daemon.log")" -ge 18 ] && break
	sleep 0.1
done
touch "$T/gone.go"; wait "$gone"
rm -f "$HOLD"
is "$(alive)" 200 "health after clients went away mid-render"

done_testing
