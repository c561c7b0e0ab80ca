#!/bin/bash
# Hotplug without a restart: a scanner plugged in while kitstockd runs is
# seen (not read: it is not bound), bound through the API and read at
# once; unplugged in the middle of a scan it loses nothing already
# recorded and the lost read is logged; plugged in again but not ready
# at first (its first reads fail), it is tried again until it reads.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-usb"

start_daemon
usb_station accueil putaway
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S1\",\"lot\":\"$R\",\"location\":\"$L\"}"; D1=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S2\",\"lot\":\"$R\",\"location\":\"$L\"}"; D2=$(jget .tag)
stop_daemon

usb_start "wait 300;plug;waiturb 120000;scan $L;scan $D1;waitidle 10000;partial D-00;waitidle 10000;wait 200;unplug;wait 1500;failurb 3;plug;waiturb 120000;scan $D2;waitidle 10000" \
    -d "$USB_DEV" -H /devices/pci0000:00/0000:00:14.0/usb1/1-1
# Plugged in, not bound: seen, not read.
for _ in $(seq 1 600); do
	api GET /v1/scanners
	[ "$(jget '.seen | length')" = 1 ] && break
	sleep 0.1
done
is "$(jget '.seen[0].device + " " + .seen[0].serial + " " + .seen[0].state')" "0c2e:0b61 TEST0001 unbound" "a scanner plugged in is seen, with its serial number, unbound"
is "$(jget .usb)" on "USB is on"
is "$(sql "SELECT count(*) FROM scan")" 0 "an unbound scanner is not read"
before=$(dbsum)
ks scanner list
is "$rc" 0 "scanner list: exit 0"
like "$out" "0c2e:0b61 +TEST0001 +1-1 " "scanner list shows the scanner plugged in"
is "$(dbsum)" "$before" "listing changes nothing"
# Bound while it runs: read at once.
ks scanner bind 0c2e:0b61/TEST0001 --station accueil --blank-ms 0
is "$rc" 0 "bind while plugged in ($err)"
usb_wait "SELECT count(*) FROM scan" 2 || fail "the scans after the binding are recorded" "$got"
is "$(sql "SELECT group_concat(code, ',') FROM (SELECT code FROM scan ORDER BY id)")" "$L,$D1" "the codes"
# Unplugged mid-scan: logged; then plugged again: read again.
usb_wait "SELECT count(*) FROM scan" 3 || fail "after the re-plug, the next scan is recorded" "$got"
is "$(sql "SELECT code FROM scan WHERE id = 3")" "$D2" "re-plugged: D2 read"
is "$(sql "SELECT count(*) FROM scan WHERE code LIKE 'D-00%' AND length(code) < 6")" 0 "the unfinished read is not a scan"
like "$(cat "$T/daemon.log")" 'unplugged in the middle of a scan: the unfinished read "D-00" is lost' "the lost read is logged"
is "$(sql "SELECT count(*) FROM scan WHERE code IN ('$L', '$D1')")" 2 "nothing recorded before the unplug was lost"
usb_state 0c2e:0b61/TEST0001 reading || fail "reading again after the re-plug" "$got"
is "$(grep -c 'TEST0001: cannot read it: LIBUSB_ERROR_IO' "$T/daemon.log")" 1 \
    "not ready after the re-plug: tried again until it reads, the error logged once"
is "$(grep -c 'interrupt URB refused' "$T/daemon.log")" 3 "the three refused reads were tried"
is "$(sql "SELECT last_seen IS NOT NULL FROM scanner")" 1 "last seen is recorded"
# Unbound while it runs: released at once.
ks scanner unbind 0c2e:0b61/TEST0001
is "$rc" 0 "unbind ($err)"
like "$out" "is unbound" "unbind says so"
for _ in $(seq 1 600); do
	api GET /v1/scanners
	[ "$(jget '.seen[0].state')" = unbound ] && break
	sleep 0.1
done
is "$(jget '.seen[0].state'),$(jget '.scanners | length')" "unbound,0" "unbound: seen again, not read"
is "$(sql "SELECT action FROM ledger WHERE entity = 'scanner:0c2e:0b61/TEST0001' ORDER BY id")" "bind
unbind" "bind and unbind are in the ledger"
done_testing
