#!/bin/bash
# Printing on receive: at a location that prints on receive, each unit
# received there gets its label on the location's printer (the exact bytes
# arrive; the job and its ledger rows are recorded), a pre-printed tag is
# bound and its unit labelled, a location that does not print on receive
# prints nothing, and a label that cannot print is recorded as a failed
# job without stopping the receiving. Each label is queued in the
# receiving's transaction and sent by a worker after its COMMIT.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
sink_start 2
lpadmin -p zebra -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
mkdir "$T/labels"
cp "$SRCDIR"/labels/*.tpl "$T/labels/"
sed -e 's/^qr .*/qr 2 2 6/' -e 's/^default .*//' "$SRCDIR/labels/device.tpl" > "$T/labels/tiny.tpl"
printf 'language en\nlabels %s\n' "$T/labels" > "$T/conf"
start_daemon -c "$T/conf"

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/locations '{"name":"Atelier","kind":"repair","commune":"93066"}'; A=$(jget .tag)
api POST /v1/locations '{"name":"Réserve","kind":"warehouse","commune":"93066"}'; N=$(jget .tag)
printf 'Type;Marque;Modèle;N° de série;RAM (Go);Stockage (Go);Grade\r\n' > "$T/bl.csv"
for i in 1 2 3 4; do
	printf 'Portable;Lenovo;ThinkPad T480;PF000000%d;8;256;A\r\n' "$i" >> "$T/bl.csv"
done
ks lot import "$T/bl.csv" --supplier "$F"
R=$out
is "$rc" 0 "setup: a manifest of four laptops"
ks printer add zebra --queue zebra --language zpl --dpi 203
ks printer receive "$W" --printer zebra
api PUT "/v1/locations/$A/print-on-receive" '{"printer":"zebra","template":"tiny"}'
is "$status" 200 "setup: the warehouse prints on receive; the workshop too, with a bad template"

ks lot receive "$R" PF0000001 --location "$W"
is "$rc" 0 "a unit received at the warehouse"
D1=$out
like "$D1" '^D-' "it has its tag"
like "$err" "$D1: its label is queued for printing \\(kitstock printer job 1 tells its state\\)" \
    "kitstock says its label is queued for printing"
api GET /v1/print/1
for _ in $(seq 600); do
	case $(jget .state) in queued|sent) ;; *) break ;; esac
	sleep 0.1; api GET /v1/print/1
done
is "$(jget .state)" completed "its label was printed"
is "$(jget '.tags | join(",")')" "$D1" "for that unit"
sink_wait 1
curl -s --unix-socket "$SOCK" -o "$T/want.zpl" \
    "http://localhost/v1/labels?tags=$D1&format=zpl&dpi=203"
cmp -s "$T/sink.1" "$T/want.zpl"
is "$?" 0 "the printer received exactly that label"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$D1' AND action = 'label_print'")" 1 \
    "the print is in the unit's ledger"

ks labels blank --type device --count 1
P=$out
ks lot receive "$R" PF0000002 --location "$W" --tag "$P"
is "$rc:$out" "0:$P" "a unit received with a pre-printed tag takes that tag"
is "$(sql "SELECT bound_by IS NOT NULL FROM tag_reservation WHERE tag = '$P'")" 1 "the tag is bound"
api GET /v1/print/2
for _ in $(seq 600); do
	case $(jget .state) in queued|sent) ;; *) break ;; esac
	sleep 0.1; api GET /v1/print/2
done
is "$(jget .state):$(jget '.tags | join(",")')" "completed:$P" "and its label printed too"

before=$(sql "SELECT count(*) FROM print_job")
ks lot receive "$R" PF0000003 --location "$N"
is "$rc" 0 "a unit received where nothing prints on receive"
is "$(sql "SELECT count(*) FROM print_job")" "$before" "no print job"

api POST "/v1/lots/$R/receive" "{\"codes\":[\"PF0000004\"],\"location\":\"$A\"}"
is "$status" 201 "a unit received at the workshop, whose label cannot scan back"
is "$(jget '.received[0].label.state')" queued "the answer says its label is queued"
J4=$(jget '.received[0].label.id')
D4=$(sql "SELECT tag FROM device WHERE serial = 'PF0000004'")
like "$D4" '^D-' "is received all the same"
api GET "/v1/print/$J4"
for _ in $(seq 600); do
	case $(jget .state) in queued) ;; *) break ;; esac
	sleep 0.1; api GET "/v1/print/$J4"
done
is "$(sql "SELECT state || ' ' || template FROM print_job WHERE tags_json LIKE '%$D4%'")" \
    "failed tiny" "the failed job is recorded"
like "$(sql "SELECT reason FROM print_job WHERE tags_json LIKE '%$D4%'")" \
    '1 dot\(s\) per module at 203 dpi' "with why"
is "$(jget .state)" failed "and GET /v1/print/N says so"
is "$(ls "$T" | grep -c '^sink\.3')" 0 "nothing more reached the printer"

cups_stop
done_testing
