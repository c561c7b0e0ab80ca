#!/bin/bash
# The diagnostic: one per beneficiary, dated (an effective date after
# consent), by an adviser, with the needs found, the autonomy level, the
# training and certification wished and a short note. After the
# programme's deadline (2022-06-30 in the 93 profile) it is accepted and
# flagged late. Corrections are edits in the ledger; the note never goes
# into the ledger.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup

api POST /v1/diagnostics "{\"beneficiary\":\"$B\",\"adviser\":\"Awa, conseillère numérique\",\"device_need\":\"laptop\",\"connection_need\":\"sim\",\"autonomy\":2,\"training_wished\":\"online_procedures\",\"certification_wished\":true,\"note\":\"démarches CAF en ligne\",\"at\":\"2022-03-15\"}"
is "$status" 201 "a diagnostic"
is "$(jget .tag)/$(jget .diagnosed_on)/$(jget .late)" "$B/2022-03-15/false" "on its effective date, before the deadline"
is "$(jget .device_need)+$(jget .connection_need) $(jget .autonomy) $(jget .training_wished) $(jget .certification_wished)" "laptop+sim 2 online_procedures true" "with its outcome"
is "$(sql "SELECT at FROM ledger WHERE entity='$B' AND action='diagnostic'")" 2022-03-15T00:00:00Z "in the history at its date"
is "$(sql "SELECT json_extract(details_json, '\$.note') FROM ledger WHERE entity='$B' AND action='diagnostic'")" 1 "the ledger says a note was given"
is "$(sql "SELECT count(*) FROM ledger WHERE details_json LIKE '%CAF%'")" 0 "not what it says"

# A late one, from the client.
api POST /v1/beneficiaries "{\"category\":\"rsa_equipment\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-06-01\",\"consent_on\":\"2022-06-02\"}"; L=$(jget .tag)
ks diagnostic add --beneficiary "$L" --adviser "Marc, CNFS Bobigny" --device-need none --connection-need none --autonomy 3 --training-wished any --at 2022-07-04
is "$rc" 0 "a diagnostic after the deadline is accepted"
is "$out" "$L" "the client prints the tag"
like "$err" 'flagged late' "and warns that it is late"
ks diagnostic show "$L"
like "$out" 'late: yes' "shown as late"
api GET "/v1/diagnostics?late=true"
is "$(jget '[.items[].tag] | join(",")')" "$L" "the late ones listed"
api GET "/v1/diagnostics?device_need=laptop"
is "$(jget '[.items[].tag] | join(",")')" "$B" "filtered by need"
ks diagnostic list --late
like "$out" "$L" "the client lists the late ones"
is "$(printf '%s\n' "$out" | wc -l)" 2 "only them"
api GET "/v1/beneficiaries/$L"
is "$(jget .diagnosed_on)" 2022-07-04 "the beneficiary shows the diagnostic's date"

# Corrections.
ks diagnostic edit "$B" --autonomy 1 --reason "niveau réévalué"
is "$rc" 0 "a correction"
like "$out" 'autonomy: 1' "says what changed"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || json_extract(details_json, '\$.field') || ' ' || reason FROM ledger WHERE entity='$B' AND action='diagnostic_edit'")" "2>1 autonomy niveau réévalué" "recorded old and new with the reason"
api PATCH "/v1/diagnostics/$B" '{"diagnosed_on":"2022-07-01"}'
is "$status/$(jget .late)" 200/true "a date moved after the deadline makes it late"
is "$(sql "SELECT group_concat(json_extract(details_json, '\$.field')) FROM ledger WHERE entity='$B' AND action='diagnostic_edit'")" "autonomy,diagnosed_on,late" "each field its row"
api PATCH "/v1/diagnostics/$B" '{"note":"autre chose"}'
is "$(sql "SELECT coalesce(from_value, '-') || coalesce(to_value, '-') FROM ledger WHERE entity='$B' AND action='diagnostic_edit' ORDER BY id DESC LIMIT 1")" "--" "a note's change is recorded without its text"
api GET "/v1/history/$B"
is "$(jget '[.history[].action] | join(",")')" "create,identity_set,diagnostic,diagnostic_edit,diagnostic_edit,diagnostic_edit,diagnostic_edit" "every step in the history"
done_testing
