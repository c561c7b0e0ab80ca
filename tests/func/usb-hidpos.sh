#!/bin/bash
# A HID POS scanner (usage page 0x8c): kitstockd reads its report
# descriptor, finds the Decoded Data, Byte Count and Continued fields, and
# reads codes longer than one report.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-usb"

start_daemon
usb_station caisse putaway
api POST /v1/scanners '{"scanner":"0c2e:0b62/POS0001","station":"caisse","blank_ms":0}'
is "$status" 201 "bind the HID POS scanner"
stop_daemon
long=0103453120000011172512311021ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-LONG-CODE
usb_start "waiturb 60000;scan $L;scan $long;waitidle 10000" -P -d "$USB_POS"
usb_wait "SELECT count(*) FROM scan" 2 || fail "two scans recorded" "$got"
is "$(sql "SELECT code FROM scan WHERE id = 1")" "$L" "HID POS: a tag"
is "$(sql "SELECT code FROM scan WHERE id = 2")" "$long" "HID POS: a code of ${#long} bytes, over two reports"
is "$(sql "SELECT source FROM scan WHERE id = 2")" "usb:0c2e:0b62/POS0001" "HID POS: the source"
api GET /v1/scanners
is "$(jget '.scanners[0].device.interface + " " + .scanners[0].state')" "hid-pos reading" "listed as a HID POS scanner, reading"
done_testing
