#!/bin/bash
# Printing on receive is switched on and off per location, to a named
# printer (and template): each change is in the location's ledger, the
# printer list shows where each printer prints on receive, and a printer
# in use cannot be deleted.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
lpadmin -p zebra -E -v "socket://127.0.0.1:9" 2>/dev/null
start_daemon

api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Atelier","kind":"repair","commune":"93066"}'; A=$(jget .tag)
ks printer add zebra --queue zebra --language zpl
ks printer add zebra2 --queue zebra --language zpl --dpi 300
is "$rc" 0 "setup: two locations, two printers"

ks printer receive "$W" --printer zebra
is "$rc" 0 "kitstock printer receive LOCATION --printer NAME"
like "$out" "$W: each unit received here is labelled on zebra" "it says so"
api GET /v1/printers
is "$(jget '.printers[] | select(.name == "zebra") | .receive_at | join(",")')" "$W" \
    "the printer lists the location"
ks printer list
like "$out" "zebra +zebra +zpl +- +203 +$W" "kitstock printer list shows it"

api PUT "/v1/locations/$A/print-on-receive" '{"printer":"zebra2","template":"device"}'
is "$status" 200 "PUT /v1/locations/L/print-on-receive with a template"
is "$(jget .template)" device "the answer names the template"
api PUT "/v1/locations/$W/print-on-receive" '{"printer":"zebra2"}'
is "$(jget .printer)" zebra2 "a location can change printer"
is "$(sql "SELECT group_concat(coalesce(from_value, '-') || '>' || to_value, ' ') FROM ledger WHERE entity = '$W' AND action = 'print_on_receive'")" \
    "->zebra zebra>zebra2" "each change is in the location's ledger"
is "$(sql "SELECT json_extract(details_json, '\$.template') FROM ledger WHERE entity = '$A' AND action = 'print_on_receive'")" \
    device "with the template"

before=$(dbsum)
api DELETE /v1/printers/zebra2
is "$status" 409 "a printer in use cannot be deleted"
is "$(dbsum)" "$before" "and nothing changed"

ks printer receive-off "$W"
is "$rc" 0 "kitstock printer receive-off LOCATION"
like "$out" "$W: no label is printed on receive" "it says so"
is "$(sql "SELECT coalesce(to_value, 'off') FROM ledger WHERE entity = '$W' AND action = 'print_on_receive' ORDER BY id DESC LIMIT 1")" \
    off "switching off is in the ledger"
before=$(dbsum)
api DELETE "/v1/locations/$W/print-on-receive"
is "$status" 200 "switching off twice is fine"
is "$(dbsum)" "$before" "and changes nothing"
api DELETE "/v1/locations/$A/print-on-receive"
api DELETE /v1/printers/zebra2
is "$status" 200 "once no location uses it, the printer can be deleted"
is "$(sql "SELECT count(*) FROM printer")" 1 "one printer left"
is "$(sql "SELECT action FROM ledger WHERE entity = 'printer:zebra2' ORDER BY id DESC LIMIT 1")" \
    delete "the deletion is in the ledger"

cups_stop
done_testing
