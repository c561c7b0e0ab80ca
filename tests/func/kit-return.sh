#!/bin/bash
# A beneficiary gives their whole kit back: devices handed_over ->
# returned, SIM cards active -> returned (flows), all moved to where they
# came back; the kit is returned; the beneficiary may get a kit again.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
refused POST "/v1/kits/$K/return" "{\"location\":\"$W\"}" 400 missing_field "reason is required" "a return needs its reason"
refused POST "/v1/kits/$K/return" '{"reason":"x"}' 400 missing_field "location is required" "and where it came back"
refused POST "/v1/kits/$K/return" "{\"reason\":\"x\",\"location\":\"$(mktag L 80)\"}" 404 unknown_tag "location $(mktag L 80) does not exist" "an unknown location"
api POST /v1/repairs "{\"device\":\"$D1\",\"reason\":\"écran\",\"partner\":\"$X\",\"at\":\"2025-05-01\"}"
refused POST "/v1/kits/$K/return" "{\"reason\":\"x\",\"location\":\"$P\"}" 409 in_repair "$D1 of $K is in repair \\(ticket 1\\): close the ticket first" "a kit with a device in repair"
api POST /v1/repairs/1/close '{"outcome":"repaired","at":"2025-05-05"}'

ks kit return "$K" --location "$P" --reason "a trouvé un emploi, rend le matériel" --at 2025-09-01
is "$rc" 0 "kitstock kit return"
like "$out" "$K: returned" "the kit is returned"
is "$(sql "SELECT state || ' ' || (SELECT tag FROM location WHERE id = location_id) FROM device WHERE tag='$D1'")" "returned $P" "the laptop is returned, at the distribution point"
is "$(sql "SELECT state || ' ' || (SELECT tag FROM location WHERE id = location_id) FROM sim WHERE tag='$S1'")" "returned $P" "the SIM card too"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='$S1' AND action='state' ORDER BY id DESC LIMIT 1")" "active>returned" "active -> returned (a flow)"
is "$(sql "SELECT action || ' ' || to_value FROM ledger WHERE entity='$B1' ORDER BY id DESC LIMIT 1")" "kit_returned $K" "in B1's history"
refused POST "/v1/kits/$K/return" "{\"reason\":\"x\",\"location\":\"$P\"}" 409 wrong_state "$K is returned: only a kit handed over can be given back" "returning twice"
api GET /v1/topups/due
is "$(jget '.items | length')" 0 "a returned SIM card is no top-up due"
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"devices\":[\"tablet\"],\"at\":\"2025-09-02\"}"
is "$status" 201 "B1 may have a kit again"
done_testing
