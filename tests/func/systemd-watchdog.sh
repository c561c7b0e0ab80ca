#!/bin/bash
# systemd's notification protocol: with NOTIFY_SOCKET and WATCHDOG_USEC set
# as systemd sets them, kitstockd says READY=1 once it serves, WATCHDOG=1
# repeatedly from its loop, and STOPPING=1 on SIGTERM. A small listener
# reads the datagrams systemd would read.
. "$(dirname "$0")/lib"

export NOTIFY_SOCKET=$T/notify
# listen LOG: read the datagrams systemd would read, a line each, until
# STOPPING=1 (or 60 s of silence).
listen() {
	rm -f "$NOTIFY_SOCKET"
	python3 - "$NOTIFY_SOCKET" > "$1" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
try:
    while True:
        m = s.recv(4096).decode()
        for line in m.split("\n"):
            print(line, flush=True)
        if "STOPPING=1" in m:
            break
except socket.timeout:
    pass
PY
	LISTENER=$!
	for _ in $(seq 1 50); do [ -S "$NOTIFY_SOCKET" ] && break; sleep 0.1; done
}
listen "$T/notify.log"
is "$([ -S "$NOTIFY_SOCKET" ] && echo yes)" yes "the listener is up"

# Half of 1 s: a ping every 500 ms.
WATCHDOG_USEC=1000000 start_daemon
unset WATCHDOG_USEC
like "$(cat "$T/notify.log")" '^READY=1$' "READY=1 once serving"
# Wait for several pings (each test waits for an outcome, not a duration).
for _ in $(seq 1 100); do
	[ "$(grep -c '^WATCHDOG=1$' "$T/notify.log")" -ge 4 ] && break
	sleep 0.1
done
n=$(grep -c '^WATCHDOG=1$' "$T/notify.log")
ok=$([ "$n" -ge 4 ] && echo yes)
is "$ok" yes "WATCHDOG=1 sent again and again ($n so far)"
like "$(cat "$T/daemon.log")" 'watchdog every 500 ms' "at half WATCHDOG_USEC"
is "$(alive)" 200 "serving meanwhile"

stop_daemon
is "$daemon_rc" 0 "SIGTERM: exit 0"
wait "$LISTENER"
like "$(cat "$T/notify.log")" '^STOPPING=1$' "STOPPING=1 on SIGTERM"
first_ready=$(grep -n '^READY=1$' "$T/notify.log" | head -1 | cut -d: -f1)
first_ping=$(grep -n '^WATCHDOG=1$' "$T/notify.log" | head -1 | cut -d: -f1)
stopping=$(grep -n '^STOPPING=1$' "$T/notify.log" | cut -d: -f1)
ok=$([ "$first_ready" -lt "$first_ping" ] && [ "$first_ping" -lt "$stopping" ] && echo yes)
is "$ok" yes "READY, then pings, then STOPPING"

# Without WATCHDOG_USEC: no pings, as systemd without WatchdogSec= expects.
listen "$T/notify2.log"
start_daemon
api GET /v1/health
is "$status" 200 "serves without a watchdog"
stop_daemon
wait "$LISTENER"
like "$(cat "$T/notify2.log")" 'READY=1' "READY=1"
is "$(grep -c 'WATCHDOG=1' "$T/notify2.log")" 0 "no WATCHDOG=1 when not asked"
unset NOTIFY_SOCKET
done_testing
