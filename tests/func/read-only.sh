#!/bin/bash
# A database the daemon may not write (it runs as nobody, the file is
# root's): it starts, reads keep working, writes get a clear 503 sentence,
# /v1/health says degraded, and the file is untouched. Tests run as root,
# so the daemon drops to nobody with setpriv, or this proves nothing.
. "$(dirname "$0")/lib"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to drop privileges"; exit 0; }
chmod 755 "$T"
start_daemon
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
stop_daemon
chmod 644 "$DB"
sum=$(md5sum < "$DB")
run=$T/run; mkdir -p "$run"; chmod 777 "$run"
SOCK=$run/sock
setpriv --reuid=nobody --regid=nogroup --clear-groups "$KITSTOCKD" -f -d "$DB" -s "$SOCK" \
    -c "$T/lang.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
api GET /v1/health
is "$status" 503 "health is 503 on a read-only database"
is "$(jget .database)" read_only "and says read_only"
api GET "/v1/suppliers/$F"
is "$status" 200 "reads keep working"
is "$(jget .name)" Ateliers "with the data"
api POST /v1/suppliers '{"name":"Nouveau"}'
is "$status" 503 "a write gets 503"
is "$(jget .error.code)" read_only "code read_only"
like "$(jget .error.message)" 'cannot be written.*nothing was recorded' "a sentence"
api GET /v1/stock
is "$status" 200 "reports keep working"
is "$(md5sum < "$DB")" "$sum" "the database file is untouched"
like "$(cat "$T/daemon.log")" 'read-only: serving reads only' "the log says so"
done_testing
