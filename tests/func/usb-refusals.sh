#!/bin/bash
# What a scanner sends that is not a code is refused with a sentence and
# records nothing: a key outside the layout (garbled), a read without its
# Enter (unterminated, flushed after a second); a code right after another
# falls in the scanner's blanking window (one pass over a sheet registers
# one code); the same code again soon is the station's debounce.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-usb"

start_daemon
usb_station tri putaway
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S1\",\"lot\":\"$R\",\"location\":\"$L\"}"; D1=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S2\",\"lot\":\"$R\",\"location\":\"$L\"}"; D2=$(jget .tag)
stop_daemon

# F1 (usage 0x3a) in the middle of a code; a code without Enter; a sheet
# of two codes in one pass; the same code again after the window.
# Bound once kitstockd runs: the scenario starts when it claims the scanner.
usb_start "waiturb 60000;partial AB;report 00003A0000000000;report 0000000000000000;scan CD;waitidle 10000;wait 1200;partial XYZ;waitidle 10000;wait 2500;scan $D1;scan $D2;waitidle 10000;wait 1000;scan $D1;waitidle 10000"
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"tri","blank_ms":300}'
is "$status" 201 "bind with a blanking window of 300 ms"
for _ in $(seq 1 600); do
	api GET /v1/scanners
	[ "$(jget '.scanners[0].device.codes')" = 2 ] && break
	sleep 0.1
done
is "$(jget '.scanners[0].device.refused')" 2 "two reads refused (garbled, unterminated)"
is "$(jget '.scanners[0].device.blanked')" 1 "one read blanked"
is "$(jget '.scanners[0].device.codes')" 2 "two codes submitted"
log=$(cat "$T/daemon.log")
like "$log" 'unreadable scan: key 0x3a \(modifiers 0x00\) after "AB" is not a character of the scanner.s layout; nothing was recorded' "garbled: said, with the key and what came before"
like "$log" 'incomplete scan "XYZ": the scanner sent no end of code; nothing was recorded' "unterminated: said"
like "$log" "scan \"$D2\" ignored: it came right after the previous code \\(blanking window" "blanked: said"
is "$(sql "SELECT count(*) FROM scan WHERE code IN ('ABCD', 'CD', 'XYZ', '$D2')")" 0 "nothing recorded for them"
is "$(sql "SELECT count(*) || ' ' || (SELECT verdict FROM scan WHERE code = '$D1' ORDER BY id DESC LIMIT 1) FROM scan WHERE code = '$D1'")" "2 ignored" "the same code again within the debounce window: ignored by the station"
like "$(sql "SELECT message FROM scan WHERE code = '$D1' AND verdict = 'ignored'")" . "  with a sentence"
done_testing
