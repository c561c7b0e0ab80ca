#!/bin/bash
# Operations at the edge: started by hand as root (umask 022) the database,
# its -wal and -shm are created 0600 and the socket as configured; a
# directory at the configuration path is refused at start and on SIGHUP
# (the running configuration, roles included, is kept); /v1/health says
# the database cannot take writes while its disk is full, and recovers.
. "$(dirname "$0")/lib"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
chmod 755 "$T"
umask 022

# File modes.
cat > "$T/k.conf" <<CONF
language en
socket-mode 0666
role user 1501 warehouse
CONF
start_daemon -c "$T/k.conf"
api POST /v1/suppliers '{"name":"Ateliers"}'
is "$status" 201 "a write"
is "$(stat -c %a "$DB")" 600 "the database is created 0600"
is "$(stat -c %a "$DB-wal")" 600 "its -wal 0600"
is "$(stat -c %a "$DB-shm")" 600 "its -shm 0600"
is "$(stat -c %a "$SOCK")" 666 "the socket as configured (socket-mode 0666)"

# A directory at the configuration path, on SIGHUP: refused, roles kept.
as1501() {
	setpriv --reuid=1501 --regid=1501 --clear-groups curl -s -o /dev/null \
	    -w '%{http_code}' --unix-socket "$SOCK" "http://localhost$1"
}
is "$(as1501 /v1/suppliers)" 200 "uid 1501 reads as warehouse"
mv "$T/k.conf" "$T/k.conf.file"
mkdir "$T/k.conf"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 50); do grep -q 'SIGHUP' "$T/daemon.log" && break; sleep 0.1; done
like "$(cat "$T/daemon.log")" 'k.conf: cannot be read as a configuration file: Is a directory' \
    "the log says why"
like "$(cat "$T/daemon.log")" 'SIGHUP: .*k.conf refused; keeping the running configuration' \
    "and that the running configuration is kept"
unlike "$(cat "$T/daemon.log")" 'configuration reloaded' "nothing reloaded"
is "$(as1501 /v1/suppliers)" 200 "the role lines are kept"
api POST /v1/suppliers '{"name":"X","siret":"1"}'
like "$(jget .error.message)" 'must be 14 digits' "the language is kept (English, not the default French)"
stop_daemon

# ... and at start: refused, exit 1 (-n says so too).
timeout 10 "$KITSTOCKD" -n -c "$T/k.conf" 2>"$T/n.err"
is "$?" 1 "-n refuses a directory as configuration"
like "$(cat "$T/n.err")" 'Is a directory' "saying why"
timeout 10 "$KITSTOCKD" -f -c "$T/k.conf" -d "$DB" -s "$SOCK" 2>"$T/start.err"
is "$?" 1 "kitstockd refuses to start on it"
like "$(cat "$T/start.err")" 'configuration refused' "saying so"
rmdir "$T/k.conf"

# A full disk: a small tmpfs of the test's own.
small=$T/small
mkdir -p "$small"
if mount -t tmpfs -o size=6m tmpfs "$small" 2>/dev/null; then
	unmount() {
		[ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID"
		DAEMON_PID=
		umount "$small" 2>/dev/null
		cleanup
	}
	trap unmount EXIT
	DB=$small/kitstock.db
	start_daemon
	api GET /v1/health
	is "$(jget .database)" writable "health: writable with space"
	api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
	dd if=/dev/zero of="$small/filler" bs=4k 2>/dev/null
	api GET /v1/health
	is "$status" 503 "health is 503 on a full disk"
	is "$(jget .database)" disk_full "and says disk_full"
	like "$(jget .database_problem)" 'disk holding the database is full' "with a sentence"
	code=; for i in $(seq 1 50); do
		api POST /v1/suppliers "{\"name\":\"Plein $i $(head -c 90 /dev/urandom | base64 -w0)\"}"
		[ "$status" = 503 ] && { code=$(jget .error.code); break; }
	done
	is "$code" disk_full "writes agree: 503 disk_full"
	rm -f "$small/filler"
	api GET /v1/health
	is "$status" 200 "health recovers when space returns"
	is "$(jget .database)" writable "writable again"
	api POST /v1/suppliers '{"name":"Après"}'
	is "$status" 201 "and writes work"
	is "$(stat -c %a "$DB")" 600 "on this disk too the database is 0600"
else
	echo "# tmpfs cannot be mounted here: the full-disk part is skipped"
fi
done_testing
