#!/bin/bash
# Everyone who had a diagnostic is followed at 3 and 6 months: after the
# diagnostic for someone not equipped, after their first orientation once
# oriented. Due and overdue lists; the outcome of each follow-up recorded
# (the 3-month one first, unless told), and each in the history.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
# B needs nothing: followed after the diagnostic.
diagnose "$B" 2022-03-15 none
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"; C=$(jget .tag)
diagnose "$C" 2022-02-10 none
# A recent one: nothing due yet.
today=$(date -u +%Y-%m-%d)
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"$today\",\"consent_on\":\"$today\"}"; R=$(jget .tag)
diagnose "$R" "$today" none
# Referred but not diagnosed: not followed.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-01\",\"consent_on\":\"2022-01-01\"}"; U=$(jget .tag)

api GET "/v1/followups?beneficiary=$B"
is "$(jget '[.items[] | "\(.month):\(.due_on):\(.basis):\(.state)"] | join(" ")')" "3:2022-06-15:diagnostic:overdue 6:2022-09-15:diagnostic:overdue" "someone not equipped: 3 and 6 months after the diagnostic"
api GET /v1/followups
is "$(jget '[.items[].beneficiary] | unique | length')" 3 "everyone diagnosed is followed, no one else"
unlike "$(jget '[.items[].beneficiary] | join(",")')" "$U" "not the one without a diagnostic"
is "$(jget '[.items[].due_on] | join(",")')" "2022-05-10,2022-06-15,2022-08-10,2022-09-15,$(date -u -d "$today +3 months" +%Y-%m-%d),$(date -u -d "$today +6 months" +%Y-%m-%d)" "in the order they fall due"
api GET "/v1/followups?due=2022-07-01"
is "$(jget '[.items[] | "\(.beneficiary):\(.month)"] | join(" ")')" "$C:3 $B:3" "due by 1 July 2022"
api GET "/v1/followups?overdue=true"
is "$(jget '.items | length')" 4 "overdue today: the four of 2022"
ks followup list --overdue
is "$(printf '%s\n' "$out" | tail -n +2 | grep -c overdue)" 4 "the client lists them"

# Recording.
ks followup add --beneficiary "$B" --connected --training-followed --no-certified --problems "pas de box" --at 2022-06-20
is "$rc/$out" 0/1 "the 3-month follow-up recorded, its number printed"
api GET /v1/followups/1
is "$(jget .month)/$(jget .due_on)/$(jget .basis)/$(jget .reached)/$(jget .connected)/$(jget .certified)/$(jget .device_in_use)" "3/2022-06-15/diagnostic/true/true/false/null" "with its outcome"
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-07-01\"}"
api GET "/v1/followups?beneficiary=$B"
is "$(jget '[.items[] | "\(.month):\(.due_on):\(.basis):\(.state)"] | join(" ")')" "3:2022-06-15:diagnostic:done 6:2023-01-01:orientation:overdue" "once oriented, the next one counts from the orientation"
api POST /v1/followups "{\"beneficiary\":\"$B\",\"reached\":false,\"at\":\"2023-01-05\"}"
is "$status/$(jget .month)/$(jget .reached)" 201/6/false "the next one is the 6-month one; not reached"
api GET "/v1/followups?beneficiary=$B&state=done"
is "$(jget '.items | length')" 2 "both done"
api GET "/v1/followups?state=pending"
is "$(jget '[.items[].beneficiary] | unique | join(",")')" "$R" "pending: the recent one only"
api GET "/v1/followups?limit=2"
n1=$(jget .next)
like "$n1" '^2022-06-15/B-0000001-./3$' "a page ends with a cursor"
api GET "/v1/followups?limit=2&after=$n1"
is "$(jget '[.items[] | "\(.beneficiary):\(.month)"] | join(" ")')" "$C:6 $B:6" "the next page starts after it"
api GET "/v1/history/$B"
is "$(jget '[.history[].action] | join(",")')" "create,identity_set,diagnostic,followup,orientation,followup" "every step in the history"
is "$(sql "SELECT count(*) FROM ledger WHERE details_json LIKE '%pas de box%'")" 0 "the problems text stays out of the ledger"
done_testing
