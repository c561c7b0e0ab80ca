#!/bin/bash
# Distribution events: a date and a distribution point, people convoked,
# whose first name and initial the team sees (nothing else of who they
# are); closing records the no-shows and checks the cash counted against
# the cash payments recorded.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
refused POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$W\"}" 400 wrong_kind "place $W is a warehouse location: a distribution is held at a distribution location" "an event at a warehouse"
refused POST /v1/distributions "{\"held_on\":\"2025-04-31\",\"place\":\"$P\"}" 400 invalid_field "2025-04-31" "a date that does not exist"
refused POST /v1/distributions "{\"place\":\"$P\"}" 400 missing_field "held_on is required" "an event without a date"
refused POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$(mktag L 40)\"}" 404 unknown_tag "place $(mktag L 40) does not exist" "an unknown place"
ks distribution add --held-on 2025-04-02 --place "$P" --notes "salle des fêtes"
is "$rc" 0 "kitstock distribution add"
E=$out
like "$E" '^E-[0-9]{7}-[0-9A-Z]$' "an E- tag"
ks distribution convoke "$E" "$B1" "$B2" --at 2025-03-25
is "$rc" 0 "kitstock distribution convoke E B1 B2"
ks distribution convoke "$E" "$B1"
like "$out" "$B1: already convoked" "convoking twice is said, not repeated"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B1' AND action='convoked'")" 1 "one convocation in B1's history"
refused POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$(mktag B 30)\"]}" 404 unknown_tag "beneficiary $(mktag B 30) does not exist: no one was convoked" "convoking someone unknown"
refused POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$P\"]}" 400 invalid_field "expected a tag starting with B" "convoking a location"

# What the team sees.
api GET "/v1/distributions/$E"
is "$(jget '[.convocations[] | "\(.beneficiary) \(.first_name) \(.initial)"] | join(",")')" "$B1 Aïcha D,$B2 null null" "first name and initial, nothing more"
unlike "$body" "Diallo|0698765432|93066" "no last name, phone or commune"
ks distribution show "$E"
like "$out" "Aïcha +D " "kitstock distribution show"

kit_ready "$B1"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"contribution\":\"10\",\"payment\":\"cash\",\"at\":\"2025-04-02T10:00\"}"

# Closing: the cash counted must match, or a reason say why.
refused POST "/v1/distributions/$E/close" '{"cash_counted":"8","at":"2025-04-02T18:00"}' 409 cash_mismatch "cash counted 8.00 € differs from the 10.00 € recorded in cash at $E \\(-2.00 €\\): give a reason" "a cash count that does not match"
refused POST "/v1/distributions/$E/close" '{"at":"2025-04-02T18:00"}' 400 missing_field "cash_counted is required" "closing without the cash count"
refused POST "/v1/distributions/$E/close" '{"cash_counted":"10","at":"2025-04-01"}' 409 date_order "cannot be closed before, on 2025-04-01" "closing before the event"
ks distribution close "$E" --cash-counted 8 --reason "2 € rendus en monnaie" --at 2025-04-02T18:00
is "$rc" 0 "kitstock distribution close with a reason"
like "$out" "no-show: $B2" "B2 did not come"
like "$out" "difference -2.00" "the difference"
api GET "/v1/distributions/$E"
is "$(jget .state)/$(jget .no_shows)/$(jget .handed_over)/$(jget .cash_recorded)/$(jget .cash_counted)" "closed/1/1/10.00/8.00" "the event: closed, its counts and cash"
is "$(jget '[.convocations[] | .outcome] | join(",")')" "handed_over,no_show" "each convocation's outcome"
is "$(sql "SELECT to_value FROM ledger WHERE entity='$B2' AND action='no_show'")" "$E" "the no-show is in B2's history"
is "$(sql "SELECT reason || ' ' || json_extract(details_json, '$.difference') FROM ledger WHERE entity='$E' AND to_value='closed'")" "2 € rendus en monnaie -2.00" "the closing and its difference are in the event's ledger"
refused POST "/v1/distributions/$E/close" '{"cash_counted":"8","reason":"x"}' 409 closed "$E is already closed" "closing twice"
refused PATCH "/v1/distributions/$E" '{"notes":"changé"}' 409 closed "$E is closed: it can no longer change" "editing a closed event"
ks distribution list --state closed
like "$out" "$E +2025-04-02 +Point Saint-Denis +closed +2 +1 +1" "kitstock distribution list"
done_testing
