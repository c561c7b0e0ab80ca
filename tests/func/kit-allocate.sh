#!/bin/bash
# Allocating a kit: from the needs a diagnostic found (the default plan),
# or with a planned composition; one kit in force per beneficiary; the
# contribution under the programme's cap; every refusal says why and
# writes nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup

# Without a composition, the diagnostic's needs are the plan.
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"
is "$status" 201 "a kit is allocated from B1's diagnostic"
K=$(jget .tag)
like "$K" '^K-[0-9]{7}-[0-9A-Z]$' "its tag is a K- tag"
is "$(jget '[.planned[] | "\(.count) \(.kind)"] | join(",")')" "1 laptop,1 sim" "planned: laptop + SIM, from the diagnostic"
is "$(jget .state)/$(jget .contribution)" "planned/0.00" "planned, free by default"
is "$(jget '[.missing[].kind] | join(",")')" "laptop,sim" "everything still to pick"
is "$(sql "SELECT group_concat(action || ':' || coalesce(to_value, ''), ' ') FROM ledger WHERE entity='$K'")" "create:planned" "the kit's creation is in the ledger"
is "$(sql "SELECT action || ' ' || to_value || ' ' || at FROM ledger WHERE entity='$B1' AND action='kit_allocated'")" "kit_allocated $K 2025-03-20T00:00:00Z" "and in B1's history, at its effective date"

# One kit in force per beneficiary.
refused POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\"}" 409 has_kit "$B1 already has kit $K \\(planned\\)" "a second kit for B1"

# A composition given: devices, SIM cards, accessories with their count.
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"devices\":[\"tablet\"],\"sims\":1,\"accessories\":[\"$A1\",{\"accessory\":\"$A2\",\"count\":2}],\"contribution\":\"12,50\",\"notes\":\"tablette plutôt\",\"at\":\"2025-03-20\"}"
is "$status" 201 "a kit with its own composition"
K2=$(jget .tag)
is "$(jget '[.planned[] | "\(.count) \(.name // .kind)"] | join(",")')" "1 tablet,1 sim,1 Chargeur,2 Souris" "planned: tablet, SIM, 1 charger, 2 mice"
is "$(jget .contribution)" "12.50" "the contribution in euros"
is "$(sql "SELECT sum(count) FROM kit_plan p JOIN kit k ON k.id = p.kit_id WHERE k.tag='$K2'")" 5 "five things planned"

# Bad input: each refused with a sentence, nothing written.
api POST /v1/prescribers '{"kind":"siae","name":"Régie de quartier"}'; PR2=$(jget .tag)
api POST /v1/beneficiaries "{\"category\":\"siae_employee\",\"commune\":\"93048\",\"prescriber\":\"$PR2\",\"referred_on\":\"2025-03-01\",\"consent_on\":\"2025-03-01\"}"; B3=$(jget .tag)
api POST /v1/beneficiaries "{\"category\":\"siae_employee\",\"commune\":\"93048\",\"prescriber\":\"$PR2\",\"referred_on\":\"2025-03-01\",\"consent_on\":\"2025-03-01\"}"; B4=$(jget .tag)
api POST /v1/diagnostics "{\"beneficiary\":\"$B4\",\"adviser\":\"CNFS\",\"device_need\":\"none\",\"connection_need\":\"none\",\"autonomy\":4,\"at\":\"2025-03-10\"}"
is "$status" 201 "B4's diagnostic found no need"
bad=${B3%?}X; [ "$bad" = "$B3" ] && bad=${B3%?}Y
refused POST /v1/kits "{\"beneficiary\":\"$bad\",\"location\":\"$W\"}" 400 invalid_field "check character" "a mistyped beneficiary tag"
refused POST /v1/kits "{\"beneficiary\":\"B-0009999-Z\",\"location\":\"$W\"}" 400 invalid_field "B-0009999-Z" "a tag with a wrong check character"
api POST /v1/kits "{\"beneficiary\":\"$B3\",\"location\":\"L-0000099-A\"}"
is "$status" 400 "a location tag with a bad check character is refused"
refused POST /v1/kits "{\"beneficiary\":\"$B3\",\"location\":\"$W\",\"devices\":[\"laptop\"]}" 409 no_diagnostic "$B3 has had no diagnostic" "no diagnostic, no kit"
refused POST /v1/kits "{\"beneficiary\":\"$B4\",\"location\":\"$W\"}" 409 no_need "found no device or connection need" "a diagnostic without needs"
refused POST /v1/kits "{\"location\":\"$W\"}" 400 missing_field "beneficiary is required" "no beneficiary"
refused POST /v1/kits "{\"beneficiary\":\"$W\",\"location\":\"$W\"}" 400 invalid_field "expected a tag starting with B" "a location given as beneficiary"
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93066\",\"prescriber\":\"$PR\",\"referred_on\":\"2025-03-01\",\"consent_on\":\"2025-03-01\"}"; B5=$(jget .tag)
api POST /v1/diagnostics "{\"beneficiary\":\"$B5\",\"adviser\":\"CNFS\",\"device_need\":\"laptop\",\"connection_need\":\"none\",\"autonomy\":1,\"at\":\"2025-03-10\"}"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":[\"laptap\"]}" 400 invalid_field '"laptap" is not a kind of device: expected one of desktop, laptop' "an unknown kind of device"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":\"sim\"}" 400 invalid_field '"sim" is not a kind of device' "a SIM card is not a device"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"sims\":3}" 400 invalid_field 'sims 3 is out of range' "three SIM cards"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"sims\":0}" 400 empty_kit 'at least a device or a SIM card' "an empty kit"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"accessories\":[\"A-0000099-X\"]}" 400 invalid_field 'A-0000099-X' "an accessory tag with a bad check"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"accessories\":[{\"accessory\":\"$A1\",\"count\":0}]}" 400 invalid_field "count 0 for $A1 is out of range" "no accessory counted 0"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"accessories\":[\"$A1\",\"$A1\"]}" 400 invalid_field "$A1 is given twice" "an accessory twice"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"contribution\":\"50,01\"}" 400 over_cap "contribution 50.01 € is over the programme's cap of 50.00 €" "a contribution over the cap"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"contribution\":\"-5\"}" 400 invalid_field "negative" "a negative contribution"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"at\":\"2025-03-09\"}" 409 date_order "cannot be allocated on 2025-03-09, before the diagnostic of 2025-03-10" "a kit before the diagnostic"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"at\":\"2099-01-01\"}" 400 invalid_field "in the future" "a kit allocated in the future"
refused POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"colour\":\"red\"}" 400 unknown_field 'unknown field "colour": expected beneficiary, location, devices' "an unknown field"

# The cap is the profile's; 50 € is allowed.
api POST /v1/kits "{\"beneficiary\":\"$B5\",\"location\":\"$W\",\"contribution\":50,\"at\":\"2025-03-11\"}"
is "$status/$(jget .contribution)" "201/50.00" "a contribution at the cap is allowed"
K5=$(jget .tag)
is "$(jget '[.planned[] | "\(.count) \(.kind)"] | join(",")')" "1 laptop" "B5's diagnostic: a laptop, no connection"
api PATCH "/v1/kits/$K5" '{"contribution":"75"}'
is "$status/$(jget .error.code)" "400/over_cap" "an edit over the cap is refused"
api PATCH "/v1/kits/$K5" '{"contribution":"5","reason":"barème revu"}'
is "$status/$(jget .contribution)" "200/5.00" "the contribution can be changed before the hand-over"

# The client: --device, --sims, --accessory TAG:COUNT.
api POST "/v1/kits/$K5/cancel" '{"reason":"test du client"}'
ks kit add --beneficiary "$B5" --location "$W" --device laptop --accessory "$A2:2" --contribution 3 --at 2025-03-12
is "$rc" 0 "kitstock kit add"
like "$out" '^K-' "prints the new tag"
ks kit show "$out"
like "$out" 'planned: 1 laptop, 2 Souris' "kitstock kit show lists the plan"
ks kit add --beneficiary "$B5" --location "$W" --accessory "$A2:deux"
is "$rc" 2 "a bad --accessory is a usage error"
like "$err" 'TAG:COUNT' "saying the form expected"
ks kit list --beneficiary "$B5"
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $3}' | sort | tr '\n' ' ')" "cancelled planned " "kitstock kit list filters by beneficiary"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
