#!/bin/bash
# Starting and stopping: -n checks a configuration, a second daemon on the
# same socket is refused, a stale socket is removed, SIGHUP reloads (and
# refuses a bad file, keeping the old one), SIGTERM exits 0 cleanly.
. "$(dirname "$0")/lib"

cat > "$T/good.conf" <<CONF
# kitstockd.conf
language en
max-body 65536
CONF
printf 'language klingon\nfrobnicate 1\n' > "$T/bad.conf"

"$KITSTOCKD" -n -c "$T/good.conf" 2>"$T/n.err"
is "$?" 0 "-n accepts a good configuration"
"$KITSTOCKD" -n -c "$T/bad.conf" 2>"$T/n.err"
is "$?" 1 "-n refuses a bad one"
like "$(cat "$T/n.err")" 'bad.conf:1: language klingon' "naming file and line"
like "$(cat "$T/n.err")" 'bad.conf:2: unknown keyword frobnicate' "every error reported"
"$KITSTOCKD" -n --listen 0.0.0.0:8750 2>"$T/n.err"
is "$?" 1 "a non-loopback TCP address is refused"
"$KITSTOCKD" --version | grep -q '^kitstockd [0-9]'
is "$?" 0 "--version"
"$KITSTOCKD" --bogus 2>/dev/null
is "$?" 2 "unknown option is a usage error"

cp "$T/good.conf" "$T/k.conf"
start_daemon -c "$T/k.conf"
is "$(stat -c %a "$SOCK")" 660 "socket mode 0660"
"$KITSTOCKD" -f -d "$T/other.db" -s "$SOCK" 2>"$T/second.err"
is "$?" 1 "a second daemon on the same socket is refused"
like "$(cat "$T/second.err")" 'another kitstockd answers' "saying why"
is "$(alive)" 200 "the first one still serves"

# SIGHUP with a bad file: refused, old settings kept.
cp "$T/bad.conf" "$T/k.conf"
kill -HUP "$DAEMON_PID"; sleep 0.3
like "$(cat "$T/daemon.log")" 'refused; keeping' "bad reload refused"
api POST /v1/suppliers '{"name":"X","siret":"1"}'
like "$(jget .error.message)" 'must be 14 digits' "still English"
# SIGHUP with a good file: French now.
printf 'language fr\n' > "$T/k.conf"
kill -HUP "$DAEMON_PID"; sleep 0.3
like "$(cat "$T/daemon.log")" 'configuration reloaded' "good reload applied"
api POST /v1/suppliers '{"name":"X","siret":"1"}'
like "$(jget .error.message)" 'chiffres' "now in French"

stop_daemon
is "$daemon_rc" 0 "SIGTERM: exit 0"
is "$([ -e "$SOCK" ] && echo there || echo gone)" gone "socket removed on exit"
is "$(sql 'PRAGMA integrity_check')" ok "database closed cleanly"

# A stale socket (no one listening) is removed at start.
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$SOCK"
is "$([ -S "$SOCK" ] && echo stale)" stale "stale socket left behind"
start_daemon
is "$(alive)" 200 "daemon starts over a stale socket"
like "$(cat "$T/daemon.log")" 'removing stale socket' "and says so"
done_testing
