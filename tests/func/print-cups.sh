#!/bin/bash
# Printing through CUPS: a private cupsd, a fake port-9100 printer behind a
# raw socket:// queue, a ZPL printer and a PDF printer registered in
# kitstockd. Each job arrives at the printer byte for byte as kitstockd
# renders it, CUPS' final state is recorded, and every print and reprint
# is in the ledger of each tag, naming template, printer and who.
. "$(dirname "$0")/lib"
. "${SRCDIR:-.}/tests/labels/cups.sh"

cups_start
sink_start 3
lpadmin -p zebra -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
lpadmin -p office -E -v "socket://127.0.0.1:$SINK_PORT" 2>/dev/null
is "$(lpstat -v | wc -l)" 2 "two raw queues on the fake printer"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0ABC1\",\"brand\":\"Lenovo\",\"model\":\"ThinkPad T480\",\"ram_gb\":8,\"storage_gb\":256,\"grade\":\"A\",\"lot\":\"$R\",\"location\":\"$W\"}"; D=$(jget .tag)
api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"Orange\",\"msisdn\":\"0612345678\",\"lot\":\"$R\",\"location\":\"$W\"}"; S=$(jget .tag)
is "$status" 201 "setup: a device and a SIM card in stock"

ks printer add zebra --queue zebra --language zpl --dpi 203 --template device
is "$rc" 0 "a ZPL printer is registered"
ks printer add office --queue office --language pdf --template a4-l7160
is "$rc" 0 "a PDF printer is registered (300 dpi by default)"
ks printer list
like "$out" 'zebra +zebra +zpl +device +203' "printer list shows the ZPL printer"
like "$out" 'office +office +pdf +a4-l7160 +300' "and the PDF printer"

# ZPL: both labels in one job, through the raw queue.
ks label "$D" --printer zebra --template device
is "$rc" 0 "kitstock label --printer waits for CUPS and exits 0"
like "$out" "$D: printed on zebra \\(job 1\\)" "it says the label was printed"
ok_sink=0; sink_wait 1 && ok_sink=1
is "$ok_sink" 1 "the fake printer received the ZPL job"
curl -s --unix-socket "$SOCK" -o "$T/want.zpl" \
    "http://localhost/v1/labels?tags=$D&template=device&format=zpl&dpi=203"
cmp -s "$T/sink.1" "$T/want.zpl"
is "$?" 0 "the exact ZPL bytes arrived ($(wc -c < "$T/sink.1") bytes)"
like "$(head -c 40 "$T/sink.1")" '^\^XA' "it is a ZPL label"

# PDF: an A4 sheet with both tags, through the same kind of queue.
ks label "$D" "$S" --printer office
is "$rc" 0 "the PDF job completes"
sink_wait 2
curl -s --unix-socket "$SOCK" -o "$T/want.pdf" \
    "http://localhost/v1/labels?tags=$D,$S&template=a4-l7160&format=pdf&dpi=300"
cmp -s "$T/sink.2" "$T/want.pdf"
is "$?" 0 "the exact PDF bytes arrived ($(wc -c < "$T/sink.2") bytes)"
is "$(head -c 5 "$T/sink.2")" "%PDF-" "it is a PDF"

# Through the API: a reprint of the device's label.
api POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"zebra\"}"
is "$status" 201 "POST /v1/print answers 201 once CUPS took the job"
JOB=$(jget .id)
is "$(jget .state)" sent "the job is sent"
like "$(jget .cups_job)" '^[0-9]+$' "with CUPS' job number"
for _ in $(seq 600); do
	api GET "/v1/print/$JOB"
	[ "$(jget .state)" != sent ] && break
	sleep 0.1
done
is "$(jget .state)" completed "kitstockd records CUPS' final state"
sink_wait 3
cmp -s "$T/sink.3" "$T/want.zpl"
is "$?" 0 "the reprint's bytes are the same label"

is "$(sql "SELECT group_concat(state, ',') FROM print_job ORDER BY id")" \
    "completed,completed,completed" "three jobs, all completed"
is "$(sql "SELECT group_concat(printer || '/' || template || '/' || format, ',') FROM print_job ORDER BY id")" \
    "zebra/device/zpl,office/a4-l7160/pdf,zebra/device/zpl" "each job names printer, template and format"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$D' AND action = 'label_print'")" 3 \
    "the device's ledger has its three prints"
is "$(sql "SELECT group_concat(json_extract(details_json, '\$.reprint'), ',') FROM ledger WHERE entity = '$D' AND action = 'label_print' ORDER BY id")" \
    "0,1,1" "the first is a print, the next ones reprints"
is "$(sql "SELECT actor || ' ' || to_value FROM ledger WHERE entity = '$S' AND action = 'label_print'")" \
    "root office" "the SIM card's print names who and which printer"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$D' AND action = 'label_print_state' AND to_value = 'completed'")" 3 \
    "each completion is in the ledger too"
ks history "$D"
like "$out" 'label_print +- +zebra' "kitstock history shows the prints"

ks printer job "$JOB"
like "$out" 'state: completed' "kitstock printer job shows a job's state"

# Without CUPS nothing is printed, nothing recorded; the daemon serves on.
cups_stop
before=$(dbsum)
api POST /v1/print "{\"tags\":[\"$D\"],\"printer\":\"zebra\"}"
is "$status" 502 "with CUPS down, printing answers 502"
like "$(jget .error.message)" 'nothing was printed: CUPS has no queue zebra, or cannot be reached' \
    "and says so"
is "$(dbsum)" "$before" "nothing recorded"
is "$(alive)" 200 "the daemon still serves"
done_testing
