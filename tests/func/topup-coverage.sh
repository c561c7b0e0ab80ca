#!/bin/bash
# Connection for 6 months: the SIM card is active from its hand-over,
# paid for its plan; top-ups (date, amount, new paid-until) carry it on.
# For each connected beneficiary: the period covered without a break,
# where coverage ends, whether hand-over + 6 months is covered; and the
# list of top-ups due, with their dates.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$B2\"]}"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"plan_months\":2,\"at\":\"2025-04-02T10:00\"}"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
api POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\",\"$S2\"]}"
api POST "/v1/kits/$K2/ready" '{"at":"2025-03-21"}'
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B2\",\"kit\":\"$K2\",\"at\":\"2025-04-02T11:00\"}"

api GET /v1/connections
is "$(jget .months)" 6 "the programme asks for 6 months (its profile's connection-months)"
is "$(jget "[.items[] | select(.beneficiary == \"$B1\") | .covered_from, .covered_until, .target_until, .covered] | join(\" \")")" "2025-04-02 2025-06-02 2025-10-02 false" "B1: covered from the hand-over to 2025-06-02, 6 months would be 2025-10-02"

# Due: both, soonest first, with their dates.
api GET /v1/topups/due
is "$(jget '[.items[] | "\(.beneficiary) \(.due_on) \(.overdue)"] | join(",")')" "$B2 2025-05-02 true,$B1 2025-06-02 true" "the top-ups due, soonest first, overdue as their dates are past"
api GET "/v1/topups/due?before=2025-05-15"
is "$(jget '[.items[].beneficiary] | join(",")')" "$B2" "due before a date"

# B1: topped up in time, by number as typed, then by tag: covered.
ks topup add "06 12 34 56 78" --amount 15 --paid-until 2025-08-02 --at 2025-06-01
is "$rc" 0 "kitstock topup add, the SIM card given by its number"
like "$out" "$S1 topped up on 2025-06-01 \\(15.00 €\\): paid until 2025-08-02" "says so"
ks topup add "$B1" --amount 15 --paid-until 2025-10-02 --at 2025-08-01
is "$rc" 0 "kitstock topup add, given the beneficiary"
is "$(sql "SELECT paid_until FROM sim WHERE tag='$S1'")" 2025-10-02 "the SIM card's paid-until moved on"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B1' AND action='topup'")" 2 "each top-up is in B1's history"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || json_extract(details_json, '$.amount') FROM ledger WHERE entity='$S1' AND action='topup' ORDER BY id DESC LIMIT 1")" "2025-08-02>2025-10-02 15.00" "and in the SIM card's"

# B2: topped up after a break; covered to the end, but not without one.
api POST /v1/topups "{\"sim\":\"89330123456789012359\",\"amount\":\"30\",\"paid_until\":\"2025-11-01\",\"at\":\"2025-05-20\"}"
is "$status" 201 "B2's SIM card topped up by ICCID, after its plan ran out"
api GET /v1/connections
is "$(jget "[.items[] | select(.beneficiary == \"$B1\") | .covered_until, .covered, .topups] | join(\" \")")" "2025-10-02 true 2" "B1: 6 months covered, with 2 top-ups"
is "$(jget "[.items[] | select(.beneficiary == \"$B2\") | .covered_until, .paid_until, .covered] | join(\" \")")" "2025-05-02 2025-11-01 false" "B2: paid until November, but covered without a break only to 2025-05-02"
is "$(jget "[.items[] | select(.beneficiary == \"$B2\") | .gaps[] | \"\(.from)>\(.to)\"] | join(\",\")")" "2025-05-02>2025-05-20" "the break is shown"
api GET /v1/topups/due
is "$(jget '.items | length')" 0 "nothing due any more"
ks topup coverage --beneficiary "$B2"
like "$out" "$B2 +$S2 +active +2025-04-02 +2025-05-02 +2025-10-02 +no +1" "kitstock topup coverage"
like "$out" "not covered from 2025-05-02 to 2025-05-20" "with the break"
ks topup list --beneficiary "$B1"
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $3 " " $4 " " $6}' | tr '\n' ',')" "activation 2025-04-02 2025-06-02,topup 2025-06-01 2025-08-02,topup 2025-08-01 2025-10-02," "kitstock topup list: the paid periods"
ks topup due
is "$(printf '%s\n' "$out" | wc -l)" 1 "kitstock topup due: a header, nothing due"
done_testing
