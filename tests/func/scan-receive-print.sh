#!/bin/bash
# A receiving station at a location that prints on receive: a manifest
# serial scanned alone creates the unit and queues its label, printed
# after the scan is saved, through the
# very receiving code of `kitstock lot receive` (the job recorded, the
# exact label bytes reaching the printer); the verdict says so.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"
. "$(dirname "$0")/lib-station"

cups_start
sink_start 2
lpadmin -p zebra -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
station_conf 0
start_daemon -c "$T/station.conf"
api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
printf 'Type;Marque;Modèle;N° de série;RAM (Go);Stockage (Go);Grade\r\n' > "$T/bl.csv"
printf 'Portable;Lenovo;ThinkPad T480;PF0000001;8;256;A\r\n' >> "$T/bl.csv"
printf 'Portable;Lenovo;ThinkPad T480;PF0000002;8;256;A\r\n' >> "$T/bl.csv"
ks lot import "$T/bl.csv" --supplier "$F"; R=$out
ks printer add zebra --queue zebra --language zpl --dpi 203
ks printer receive "$W" --printer zebra
ks station add quai --location "$W" --mode receive
is "$rc" 0 "setup: a receiving station at a location that prints on receive"

ks scan PF0000001 --station quai
is "$rc" 0 "kitstock scan: the serial of the manifest"
D1=$(sql "SELECT tag FROM device WHERE serial='PF0000001'")
like "$out" "^OK quai: $D1: received from lot $R into $W, label queued for printing — scan the next unit" "the verdict says the label is queued for printing"
api GET /v1/print/1
for _ in $(seq 600); do
	case $(jget .state) in queued|sent) ;; *) break ;; esac
	sleep 0.1; api GET /v1/print/1
done
is "$(jget .state) $(jget '.tags | join(",")')" "completed $D1" "the print job of its label completed"
sink_wait 1
curl -s --unix-socket "$SOCK" -o "$T/want.zpl" \
    "http://localhost/v1/labels?tags=$D1&format=zpl&dpi=203"
cmp -s "$T/sink.1" "$T/want.zpl"
is "$?" 0 "the printer received exactly the unit's label"
is "$(sql "SELECT station FROM ledger WHERE entity='$D1' AND action='receive'")" quai "the receiving names the station"

# A USB scanner's scan commits outside the requests' group (scan_local):
# its label is sent after that COMMIT too.
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"quai"}'
is "$status" 201 "setup: a USB scanner at the receiving station"
stop_daemon
. "$(dirname "$0")/lib-usb"
usb_start "waiturb 60000;scan PF0000002;waitidle 5000"
usb_wait "SELECT count(*) FROM print_job WHERE state = 'completed'" 2
D2=$(sql "SELECT tag FROM device WHERE serial='PF0000002'")
is "$(sql "SELECT state || ' ' || tags_json FROM print_job WHERE id = 2")" "completed [\"$D2\"]" \
    "a unit received by a USB scanner's scan: its label queued, then sent and completed"
sink_wait 2
curl -s --unix-socket "$SOCK" -o "$T/want2.zpl" \
    "http://localhost/v1/labels?tags=$D2&format=zpl&dpi=203"
cmp -s "$T/sink.2" "$T/want2.zpl"
is "$?" 0 "the printer received exactly that unit's label"
done_testing
