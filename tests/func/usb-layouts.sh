#!/bin/bash
# Scans from a US and from an AZERTY scanner, through umockdev, the real
# libusb and the real kitstockd, become the right codes and the right
# ledger rows (a putaway station: a location, then a device that moves
# there); an AZERTY scanner bound as "us" gives garbage, not a guess, until
# the calibration label is scanned, which stores its layout.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-usb"

# Fixtures, with the daemon alone: two locations, two devices at W.
start_daemon
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Étagère 2","kind":"warehouse","commune":"93008"}'; L2=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S1\",\"lot\":\"$R\",\"location\":\"$W\"}"; D1=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S2\",\"lot\":\"$R\",\"location\":\"$W\"}"; D2=$(jget .tag)
L=$W
usb_station rangement putaway
ks scanner bind 0c2e:0b61/TEST0001 --station rangement --layout us --blank-ms 0
is "$rc" 0 "scanner bind: exit 0 ($err)"
like "$out" "0c2e:0b61/TEST0001 reads for station rangement \(layout us\)" "bind says what reads where"
like "$out" 'SUBSYSTEM=="usb", ATTRS\{idVendor\}=="0c2e", ATTRS\{idProduct\}=="0b61", MODE="0660", GROUP="kitstock"' "and the udev line for a model the rules lack"
is "$(sql "SELECT station || ' ' || layout || ' ' || blank_ms FROM scanner WHERE name = '0c2e:0b61/TEST0001'")" "rangement us 0" "the binding is stored"
is "$(sql "SELECT action || ' ' || to_value FROM ledger WHERE entity = 'scanner:0c2e:0b61/TEST0001'")" "bind rangement" "the binding has its ledger row"
stop_daemon

# A US scanner: the location, then D1.
usb_start "waiturb 60000;layout us;scan $L2;scan $D1;waitidle 10000"
usb_wait "SELECT count(*) FROM scan" 2 || fail "two scans recorded" "$got"
is "$(sql "SELECT group_concat(code || ' ' || source, ',') FROM (SELECT code, source FROM scan ORDER BY id)")" \
    "$L2 usb:0c2e:0b61/TEST0001,$D1 usb:0c2e:0b61/TEST0001" "US scanner: the codes as printed, from the scanner"
is "$(sql "SELECT verdict FROM scan WHERE code = '$D1'")" ok "US scanner: the device's scan is accepted"
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag = '$D1'")" "$L2" "US scanner: D1 moved to the location scanned"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$D1' AND station = 'rangement' AND action = 'move' AND to_value = '$L2'")" 1 "US scanner: D1's move is in the ledger, with the station"
usb_state 0c2e:0b61/TEST0001 reading || fail "the scanner is listed as reading" "$got"
is "$(jget '.scanners[0].device.codes')" 2 "two codes counted"
stop_daemon
is "$daemon_rc" 0 "kitstockd under the scanner stops cleanly"

# An AZERTY scanner bound as fr: the same codes.
start_daemon
api DELETE /v1/scanners/0c2e:0b61%2FTEST0001
is "$status" 200 "unbind"
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"rangement","layout":"fr","blank_ms":0}'
is "$status" 201 "bind by VID:PID, layout fr"
stop_daemon
usb_start "waiturb 60000;layout fr;scan $L2;scan $D2;waitidle 10000"
usb_wait "SELECT count(*) FROM scan" 4 || fail "two more scans recorded" "$got"
is "$(sql "SELECT group_concat(code, ',') FROM (SELECT code FROM scan WHERE id > 2 ORDER BY id)")" "$L2,$D2" "AZERTY scanner bound fr: the right codes"
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag = '$D2'")" "$L2" "AZERTY scanner: D2 moved"
stop_daemon

# An AZERTY scanner bound as us: garbage, refused; then calibration.
start_daemon
api DELETE /v1/scanners/0c2e:0b61
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"rangement","layout":"us","blank_ms":0}'
is "$status" 201 "bind as us (wrong)"
stop_daemon
# What an AZERTY scanner types for D1, read with the US table.
garbled=$(printf '%s' "$D1" | tr '0123456789AZQWMazqwm-' ')!@#$%^&*(QWAZ:qwaz;6')
usb_start "waiturb 60000;layout fr;scan $D1;waitidle 10000;scan KSCAL-AQZWM.aqzwm/0123456789;waitidle 10000;scan $L;scan $D1;waitidle 10000"
usb_wait "SELECT count(*) FROM scan" 7 || fail "three more scans recorded" "$got"
is "$(sql "SELECT code FROM scan WHERE id = 5")" "$garbled" "bound us: the AZERTY scan is read as US keys, not guessed"
is "$(sql "SELECT verdict FROM scan WHERE id = 5")" refused "  and refused"
is "$(sql "SELECT count(*) FROM scan WHERE code LIKE 'KSCAL%'")" 0 "the calibration code is not a scan"
is "$(sql "SELECT layout || ' ' || (calibrated_at IS NOT NULL) FROM scanner")" "fr 1" "calibration stored layout fr"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE action = 'calibrate'")" "us>fr" "calibration has its ledger row"
is "$(sql "SELECT code || ' ' || verdict FROM scan WHERE id = 7")" "$D1 ok" "after calibration: D1 read right"
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag = '$D1'")" "$W" "D1 moved back to W"
like "$(cat "$T/daemon.log")" "calibrated: layout fr" "the calibration is logged"
done_testing
