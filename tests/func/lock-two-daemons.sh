#!/bin/bash
# Two daemons on one database: the second refuses to start, naming the
# first's pid and socket (kitstock.db.lock, held for the first's life); the
# first keeps serving; the refused one leaves its lock alone; once the first
# stops, a new one starts. A daemon that forks (no -f) names its own pid.
. "$(dirname "$0")/lib"
start_daemon
api POST /v1/suppliers '{"name":"Premier"}'
is "$status" 201 "the first daemon writes"
is "$(sed -n 1p "$DB.lock")" "$DAEMON_PID" "the lock file holds its pid"
is "$(sed -n 2p "$DB.lock")" "$SOCK" "and its socket"

timeout 10 "$KITSTOCKD" -f -d "$DB" -s "$T/sock2" -c "$T/lang.conf" 2>"$T/second.err"
is "$?" 1 "a second daemon on the same database exits 1"
like "$(cat "$T/second.err")" "another kitstockd \(pid $DAEMON_PID, socket $SOCK\) serves the database $DB" \
    "naming the first's pid and socket"
is "$([ -e "$T/sock2" ] && echo there || echo none)" none "it opened no socket"
timeout 10 "$KITSTOCKD" -f -d "$DB" -s "$T/sock3" -c "$T/lang.conf" 2>"$T/third.err"
is "$?" 1 "a third is refused as well (the second left the lock alone)"
like "$(cat "$T/third.err")" "pid $DAEMON_PID," "naming the first again"
is "$(sed -n 1p "$DB.lock")" "$DAEMON_PID" "the lock file still names the first"
# Another name for the same file: a hard link has a lock file of its own,
# but the database file itself is locked; a symbolic link is served by
# the file's real path, so it finds the first's lock file.
mkdir "$T/other"
ln "$DB" "$T/other/hard.db"
timeout 10 "$KITSTOCKD" -f -d "$T/other/hard.db" -s "$T/sock5" -c "$T/lang.conf" 2>"$T/hard.err"
is "$?" 1 "a daemon on a hard link to the database is refused"
like "$(cat "$T/hard.err")" "another kitstockd \(pid $DAEMON_PID, socket $SOCK\) serves the database file $T/other/hard.db under another name \(a hard link\)" \
    "naming the first's pid and socket, found by the file it holds open"
is "$([ -e "$T/sock5" ] && echo there || echo none)" none "it opened no socket"
ln -s "$DB" "$T/other/link.db"
timeout 10 "$KITSTOCKD" -f -d "$T/other/link.db" -s "$T/sock6" -c "$T/lang.conf" 2>"$T/link.err"
is "$?" 1 "a daemon on a symbolic link to the database is refused"
like "$(cat "$T/link.err")" "another kitstockd \(pid $DAEMON_PID, socket $SOCK\) serves the database $DB" \
    "naming the first (the link is followed to the real path)"
for i in 1 2 3; do
	api POST /v1/suppliers "{\"name\":\"Suite $i\"}"
	is "$status" 201 "the first keeps serving writes ($i)"
done
is "$(sql 'SELECT count(*) FROM supplier')" 4 "all of them recorded"

stop_daemon
is "$daemon_rc" 0 "the first stops"
# Served through a symbolic link, the database takes writes (its WAL is
# beside the real file, where the daemon looks for it).
"$KITSTOCKD" -f -d "$T/other/link.db" -s "$SOCK" -c "$T/lang.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 1 100); do [ "$(alive)" = 200 ] && break; sleep 0.1; done
api POST /v1/suppliers '{"name":"Par le lien"}'
is "$status" 201 "a daemon started on a symbolic link writes"
is "$(sql "SELECT count(*) FROM supplier WHERE name = 'Par le lien'")" 1 "into the real file"
like "$(cat "$T/daemon.log")" "database $T/other/link.db is $DB: serving it by that path" "the log says which file it serves"
stop_daemon
rm -f "$T/other/hard.db"

# A symbolic link to a database still to be made: made, then served by
# its real path (its WAL and lock beside it).
mkdir "$T/new"
ln -s "$T/new/kitstock.db" "$T/other/new.db"
"$KITSTOCKD" -f -d "$T/other/new.db" -s "$T/sock7" -c "$T/lang.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 1 100); do [ -S "$T/sock7" ] && break; sleep 0.1; done
code=$(curl -s --unix-socket "$T/sock7" -o "$T/o" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data '{"name":"Neuve"}' http://localhost/v1/suppliers)
is "$code" 201 "a daemon on a symbolic link to a new database writes"
is "$(sqlite3 "$T/new/kitstock.db" "SELECT count(*) FROM supplier WHERE name = 'Neuve'")" 1 "into the file the link names"
is "$([ -e "$T/new/kitstock.db.lock" ] && echo beside || echo elsewhere)" beside "its lock file beside that file"
stop_daemon
start_daemon
api POST /v1/suppliers '{"name":"Nouveau"}'
is "$status" 201 "after the first stops, a new one starts and writes"
stop_daemon

# Without -f: daemon() forks; the lock file names the process that serves.
timeout 10 "$KITSTOCKD" -d "$DB" -s "$SOCK" -c "$T/lang.conf" 2>>"$T/daemon.log"
is "$?" 0 "a forking daemon starts"
for _ in $(seq 1 100); do [ "$(alive)" = 200 ] && break; sleep 0.1; done
bg=$(sed -n 1p "$DB.lock" 2>/dev/null)
[ -n "$bg" ] || bg=$(pgrep -f "^$KITSTOCKD -d $DB -s $SOCK")
is "$(cat "/proc/$bg/comm" 2>/dev/null)" kitstockd "the lock file names the forked daemon"
timeout 10 "$KITSTOCKD" -f -d "$DB" -s "$T/sock2" -c "$T/lang.conf" 2>"$T/second.err"
is "$?" 1 "a second is refused"
like "$(cat "$T/second.err")" "pid $bg, socket $SOCK\)" "naming the forked daemon's pid"
# Started by hand without -f, the refusal is said on the terminal too
# (before daemon() detaches, not only in syslog).
timeout 10 "$KITSTOCKD" -d "$DB" -s "$T/sock4" -c "$T/lang.conf" 2>"$T/fourth.err"
is "$?" 1 "a second without -f is refused"
like "$(cat "$T/fourth.err")" "another kitstockd \(pid $bg, socket $SOCK\)" \
    "and says why on its standard error"
api POST /v1/suppliers '{"name":"Fourche"}'
is "$status" 201 "the forked daemon serves writes"
kill -TERM "$bg"
for _ in $(seq 1 100); do kill -0 "$bg" 2>/dev/null || break; sleep 0.1; done
is "$(kill -0 "$bg" 2>/dev/null && echo alive || echo gone)" gone "it stops on SIGTERM"
start_daemon
is "$(alive)" 200 "then another starts"
done_testing
