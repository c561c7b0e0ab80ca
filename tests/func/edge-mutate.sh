#!/bin/bash
# Mutated recorded requests against the real daemon: the fuzz corpus's
# requests (one per route, tests/fuzz/corpus/request), each damaged the
# same way every run (a seeded PRNG: bytes such as \xff, \xc3\x28 and NUL
# put in the path, query, headers or body, truncation, header lines
# duplicated or dropped, a second Content-Length), over the UNIX socket and
# TCP; after each one GET /v1/health must answer 200, and at the end the
# daemon is alive and its log holds no sanitizer report. (Before, the first
# byte that is not UTF-8 in an error message stopped it.)
. "$(dirname "$0")/lib"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RAW="$SRCDIR/tests/func/edge-raw.py"
CORPUS="$SRCDIR/tests/fuzz/corpus/request"
port=$((20000 + RANDOM % 20000))

printf 'language en\nlisten 127.0.0.1:%s\n' "$port" > "$T/tcp.conf"
start_daemon -c "$T/tcp.conf"
tags=
made() { tags="$tags$1=$(jget .tag),"; }
api POST /v1/suppliers '{"name":"Ateliers"}'; made F
api POST /v1/locations '{"name":"Entrepot","kind":"warehouse","commune":"93008"}'; made L
api POST /v1/lots "{\"supplier\":\"$(jget .tag "$(curl -s --unix-socket "$SOCK" http://localhost/v1/suppliers | jq '.items[0]')")\",\"ref\":\"BL-1\"}"; made R
api POST /v1/prescribers '{"kind":"mission_locale","name":"ML","territory":"T6"}'; made P
ks token add terminal --role coordinator
tags="${tags}TOKEN=$out"

# The recorded requests (named after their route; the others are the
# fuzzer's finds), the event stream aside (it does not end).
files=$(ls "$CORPUS" | grep -E '^(GET|POST|PUT|PATCH|DELETE)_' | grep -v stream |
    sed "s#^#$CORPUS/#")
n=$(printf '%s\n' "$files" | wc -l)
[ "$n" -gt 100 ] || { echo "Bail out! only $n recorded requests in $CORPUS"; exit 1; }

# shellcheck disable=SC2086
out=$(/usr/bin/python3 "$RAW" mutate "unix:$SOCK" "unix:$SOCK" 17 1000 "$tags" $files)
is "$?" 0 "1000 mutated requests over the UNIX socket: health 200 after each"
like "$out" '^1000 mutated requests, 0 failures' "all of them sent"
# shellcheck disable=SC2086
out=$(/usr/bin/python3 "$RAW" mutate "tcp:127.0.0.1:$port" "unix:$SOCK" 29 1000 "$tags" $files)
is "$?" 0 "1000 mutated requests over TCP: health 200 after each"
like "$out" '^1000 mutated requests, 0 failures' "all of them sent"
is "$(alive)" 200 "the daemon is still serving"
kill -0 "$DAEMON_PID" 2>/dev/null
is "$?" 0 "and still running"
done_testing
