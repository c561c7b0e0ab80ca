#!/bin/bash
# GET /v1/stream: server-sent events of verdicts as scans are made, for
# one station (?station=NAME) or all; heartbeats; a bounded number of
# subscribers (stream-subscribers), the next one refused with a sentence;
# `kitstock watch` shows the verdicts as they come.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
station_conf 0 "stream-subscribers 2"
start_daemon -c "$T/station.conf"
kit_setup
ks station add quai-a --location "$W" --mode putaway
ks station add quai-b --location "$W" --mode putaway

# wait_for FILE REGEX: until the file matches (at most 20 s).
wait_for() {
	for _ in $(seq 1 200); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

curl -sN --max-time 120 --unix-socket "$SOCK" -D "$T/head-a" \
    "http://localhost/v1/stream?station=quai-a" > "$T/sse-a" & CA=$!
curl -sN --max-time 120 --unix-socket "$SOCK" \
    "http://localhost/v1/stream" > "$T/sse-all" & CALL=$!
wait_for "$T/sse-a" '^: kitstock stream'; wait_for "$T/sse-all" '^: kitstock stream'
like "$(tr -d '\r' < "$T/head-a")" "Content-Type: text/event-stream" "the stream is text/event-stream"

# A third subscriber is one too many.
api GET /v1/stream
is "$status $(jget .error.code)" "503 too_many_subscribers" "a third subscriber is refused: 503"
like "$(jget .error.message)" "2 clients already follow the stream.*close one and try again" "saying why and what to do"
api GET '/v1/stream?station=nosuch'
is "$status $(jget .error.field)" "404 station" "a stream for a station that does not exist: 404 naming it"

# Events: quai-b's first, then quai-a's; the filtered stream has quai-a's only.
scan quai-b "$X"
scan quai-a "$W"
scan quai-a NOSUCHCODE
wait_for "$T/sse-a" 'NOSUCHCODE' || fail "the filtered stream got the events"
wait_for "$T/sse-all" 'NOSUCHCODE'
kill "$CA" "$CALL" 2>/dev/null; wait "$CA" "$CALL" 2>/dev/null
is "$(grep -c '^event: scan' "$T/sse-a")" 2 "quai-a's stream: its 2 scans"
unlike "$(cat "$T/sse-a")" "quai-b" "and nothing of quai-b"
is "$(grep -c '^event: scan' "$T/sse-all")" 3 "the unfiltered stream: all 3 scans"
data=$(grep '^data: ' "$T/sse-a" | tail -1 | sed 's/^data: //')
is "$(jget '[.station, .code, .verdict] | join(" ")' "$data")" "quai-a NOSUCHCODE refused" "each event is the verdict object"
like "$(jget .message "$data")" "NOSUCHCODE: unknown here" "with its sentence"
like "$(grep '^id: ' "$T/sse-all" | head -1)" '^id: [0-9]+' "events are numbered"

# kitstock watch: the verdicts as they come (dead subscribers are
# dropped once written to).
scan quai-a "$W"
"$KITSTOCK" -s "$SOCK" watch --station quai-a --count 2 > "$T/watch.out" 2> "$T/watch.err" & WP=$!
wait_for "$T/watch.err" 'watching quai-a' || fail "kitstock watch connects" "$(cat "$T/watch.err")"
scan quai-b TAB0001
scan quai-a TAB0001
scan quai-a NOSUCHCODE
wait "$WP"; wrc=$?
is "$wrc" 0 "kitstock watch --count 2 exits once 2 verdicts are shown"
is "$(cat "$T/watch.out")" "OK quai-a: $D3: in_stock, moved from $X to $W — scan the next item
REFUSED quai-a: NOSUCHCODE: unknown here — set it aside and check it at a desk" "it shows quai-a's verdicts, OK and REFUSED, with their sentences"
"$KITSTOCK" -s "$SOCK" watch --station nosuch > "$T/w2.out" 2> "$T/w2.err"; rc=$?
is "$rc" 1 "kitstock watch on an unknown station: refused"
like "$(cat "$T/w2.err")" "station nosuch does not exist" "saying so"
# A mode change is a "state" event.
curl -sN --max-time 120 --unix-socket "$SOCK" "http://localhost/v1/stream?station=quai-b" > "$T/sse-b" & CB=$!
wait_for "$T/sse-b" '^: kitstock stream'
ks station mode quai-b audit
wait_for "$T/sse-b" '^event: state' || fail "a state event"
kill "$CB" 2>/dev/null; wait "$CB" 2>/dev/null
like "$(grep '^data: ' "$T/sse-b" | tail -1)" '"mode":"audit"' "a mode change reaches the station's stream"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
