#!/bin/bash
# A beneficiary brings a device back: a repair ticket at a repair partner,
# under warranty or not; closed as repaired (the device goes back to
# them), swapped (a replacement from stock handed over to them in the
# same transaction) or scrapped; days without a device per ticket.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"

ks repair open PF0KIT1 --reason "écran cassé" --partner "$X" --at 2025-06-01T09:00
is "$rc" 0 "kitstock repair open, the device by its serial"
like "$out" "repair ticket 1: $D1 \\(laptop PF0KIT1\\) of $B1, at Repair café Montreuil, open, under warranty" "ticket 1, under warranty"
is "$(sql "SELECT state || ' ' || (SELECT tag FROM location WHERE id = location_id) FROM device WHERE tag='$D1'")" "in_repair $X" "the device is in repair at the partner"
is "$(sql "SELECT group_concat(from_value || '>' || to_value, ',') FROM ledger WHERE entity='$D1' AND action='state' AND at='2025-06-01T09:00:00Z'")" "handed_over>returned,returned>in_repair" "returned, then in repair (flows)"
is "$(sql "SELECT action || ' ' || to_value || ' ' || reason FROM ledger WHERE entity='$B1' ORDER BY id DESC LIMIT 1")" "device_returned $D1 écran cassé" "B1's history says they brought it back"

# Swap: a replacement of the same kind, from stock, in one transaction.
api POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$D3\",\"at\":\"2025-06-05\"}"
is "$status/$(jget .error.code)" "409/wrong_kind" "a tablet does not replace a laptop"
api POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"PF0KIT2\",\"at\":\"2025-06-05T15:00\"}"
is "$status" 200 "swapped for a laptop from stock"
is "$(jget .outcome)/$(jget .replacement)/$(jget .days_without_device)" "swapped/$D2/4" "the ticket: swapped, by what, 4 days without a device"
is "$(sql "SELECT state || ' ' || (user_data_since IS NOT NULL) FROM device WHERE tag='$D2'")" "handed_over 1" "the replacement is handed over to B1"
is "$(sql "SELECT group_concat(from_value || '>' || to_value, ',') FROM ledger WHERE entity='$D2' AND action='state' AND at='2025-06-05T15:00:00Z'")" "in_stock>reserved,reserved>in_kit,in_kit>handed_over" "through reserved and in_kit (flows)"
api GET "/v1/kits/$K"
is "$(jget '[.units[].tag] | join(",")')" "$D2,$S1" "the kit now holds the replacement"
is "$(sql "SELECT state FROM device WHERE tag='$D1'")" in_repair "the old device stays in repair"
is "$(sql "SELECT action || ' ' || from_value || ' ' || to_value FROM ledger WHERE entity='$B1' ORDER BY id DESC LIMIT 1")" "device_swapped $D1 $D2" "B1's history: swapped"

# Repaired: the device goes back to its user.
api POST /v1/repairs "{\"device\":\"$D2\",\"reason\":\"batterie\",\"partner\":\"$X\",\"at\":\"2025-07-01\"}"
is "$status/$(jget .id)/$(jget .under_warranty)" "201/2/false" "ticket 2: the replacement has no warranty"
ks repair close 2 --outcome repaired --notes "batterie changée" --at 2025-07-11
is "$rc" 0 "kitstock repair close 2 --outcome repaired"
like "$out" "days without a device: 10" "10 days without a device"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" handed_over "back with its user"

# Scrapped: the device leaves the kit for good.
api POST /v1/repairs "{\"device\":\"$D2\",\"reason\":\"tombé\",\"partner\":\"$X\",\"at\":\"2025-08-01\"}"
api POST /v1/repairs/3/close '{"outcome":"scrapped","at":"2025-08-03"}'
is "$status/$(jget .outcome)" "200/scrapped" "scrapped"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" scrapped "the device is scrapped"
api GET "/v1/kits/$K"
is "$(jget '[.units[].tag] | join(",")')" "$S1" "and out of the kit"
ks repair list --beneficiary "$B1"
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1 ":" $8 ":" $9}' | tr '\n' ' ')" "1:swapped:4 2:repaired:10 3:scrapped:2 " "kitstock repair list: outcome and days without a device per ticket"
ks repair list --state open
is "$(printf '%s\n' "$out" | wc -l)" 1 "no ticket open"
done_testing
