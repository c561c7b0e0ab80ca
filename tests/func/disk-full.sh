#!/bin/bash
# Disk full, on a real small filesystem the test mounts (tmpfs): writes get
# a clear 503 sentence, reads keep working, nothing is corrupted, writes
# work again once space returns. Falls back to SQLite's page limit when
# mounting is not allowed, and says which ran.
. "$(dirname "$0")/lib"
small=$T/small
mkdir -p "$small"
if mount -t tmpfs -o size=3m tmpfs "$small" 2>/dev/null; then
	how=tmpfs
	unmount() {
		[ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID"
		DAEMON_PID=
		umount "$small" 2>/dev/null
		cleanup
	}
	trap unmount EXIT
	DB=$small/kitstock.db
else
	how=max_page_count
fi
echo "# disk full test on: $how"
start_daemon
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-full\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"before\",\"lot\":\"$R\"}"
is "$status" 201 "a write before the disk fills"
D=$(jget .tag)
if [ "$how" = tmpfs ]; then
	dd if=/dev/zero of="$small/filler" bs=4k 2>/dev/null
else
	sqlite3 "$DB" "PRAGMA max_page_count = $(sql 'PRAGMA page_count')"
fi
rows=$(sql 'SELECT count(*) FROM ledger' 2>/dev/null)
code=; for i in $(seq 1 50); do
	api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"full-$i-$(head -c 120 /dev/urandom | base64 -w0 | tr -dc A-Za-z0-9)\",\"lot\":\"$R\",\"model\":\"$(head -c 120 /dev/urandom | base64 -w0 | tr -dc A-Za-z)\"}"
	[ "$status" = 503 ] && { code=503; break; }
done
is "$code" 503 "a write on a full disk gets 503"
is "$(jget .error.code)" disk_full "code disk_full"
like "$(jget .error.message)" 'disk is full.*nothing was recorded' "a sentence an operator can act on"
api GET "/v1/devices/$D"
is "$status" 200 "reads keep working"
api GET /v1/stock
is "$status" 200 "reports keep working"
rm -f "$small/filler"
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"after\",\"lot\":\"$R\"}"
is "$status" 201 "writes work again once space returns"
A=$(jget .tag)
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$A'")" 1 "with their ledger row"
is "$(sql "SELECT count(*) FROM device d WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.entity=d.tag)")" 0 "no half-written device"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
done_testing
