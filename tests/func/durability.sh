#!/bin/bash
# Acknowledged means durable: kill -9 right after a 2xx answer, restart, and
# the change and its ledger row are there; the database is intact.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-9\"}"; R=$(jget .tag)
for i in 1 2 3; do
	api POST /v1/devices "{\"kind\":\"desktop\",\"serial\":\"K9-$i\",\"lot\":\"$R\"}"
	is "$status" 201 "device $i acknowledged"
	tag=$(jget .tag)
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	start_daemon
	is "$(sql "SELECT count(*) FROM device WHERE tag='$tag' AND serial='K9-$i'")" 1 "device $i there after kill -9"
	is "$(sql "SELECT count(*) FROM ledger WHERE entity='$tag' AND action='create'")" 1 "its ledger row too"
done
api POST "/v1/devices/$tag/state" '{"to":"in_repair","reason":"test"}'
is "$status" 200 "state change acknowledged"
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
start_daemon
is "$(sql "SELECT state FROM device WHERE tag='$tag'")" in_repair "state change survived kill -9"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$tag' AND action='state'")" 1 "with its ledger row"
is "$(sql 'PRAGMA integrity_check')" ok "integrity_check ok"
is "$(sql 'PRAGMA journal_mode')" wal "WAL mode"
done_testing
