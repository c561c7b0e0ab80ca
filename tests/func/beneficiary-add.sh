#!/bin/bash
# Beneficiaries (B-): a pseudonymous record (commune -> territory,
# category, prescriber, referral and consent), the territory of an ASE
# young adult given explicitly; the identity kept apart, never in a show,
# a list, a lookup or the ledger; corrections recorded field by field.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon

api POST /v1/prescribers '{"kind":"mission_locale","name":"Mission locale Saint-Denis","territory":"T6"}'; P=$(jget .tag)
api POST /v1/prescribers '{"kind":"ase","name":"ASE Bobigny","territory":"T8"}'; PA=$(jget .tag)

api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-03\",\"consent_on\":\"2022-01-04\",\"first_name\":\"Zoubida\",\"last_name\":\"Quenardel\",\"phone\":\"06 71 82 93 04\"}"
is "$status" 201 "a beneficiary referred from Saint-Denis"
B=$(jget .tag)
like "$B" '^B-0000001-.$' "gets a B- tag"
is "$(jget .territory)/$(jget .commune_name)" "T6/Saint-Denis" "the territory is the commune's"
is "$(jget .identity)" recorded "the answer says an identity is recorded"
unlike "$body" 'Zoubida|Quenardel|0671829304' "but does not show it"
is "$(sql "SELECT first_name || ' ' || last_name || ' ' || phone FROM beneficiary_identity")" "Zoubida Quenardel 0671829304" "the identity is in its own table, the phone normalised"
is "$(sql "SELECT group_concat(action) FROM ledger WHERE entity='$B'")" create,identity_set "create and identity_set in the ledger"
unlike "$(sql "SELECT group_concat(coalesce(details_json,'') || coalesce(from_value,'') || coalesce(to_value,'') || coalesce(reason,'')) FROM ledger")" 'Zoubida|Quenardel|0671829304|71 82' "no name or number in the ledger"
like "$(sql "SELECT details_json FROM ledger WHERE entity='$B' AND action='identity_set'")" '"fields":\["first_name","last_name","phone"\]' "which fields were given, not their values"

# An ASE young adult living in Saint-Denis (T6), followed by Bobigny's ASE (T8).
api POST /v1/beneficiaries "{\"category\":\"ase_young_adult\",\"commune\":\"93066\",\"ase_territory\":\"T8\",\"prescriber\":\"$PA\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"
is "$status" 201 "an ASE young adult"
A=$(jget .tag)
is "$(jget .territory)" T8 "belongs to the territory of the ASE circonscription"
is "$(jget .identity)" none "no identity given: none"
api POST /v1/beneficiaries "{\"category\":\"ase_young_adult\",\"ase_territory\":\"T9\",\"prescriber\":\"$PA\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"
is "$status/$(jget .territory)/$(jget .commune)" 201/T9/null "an ASE young adult's commune may be left out"

# The client.
ks beneficiary add --category long_term_unemployed --commune 93048 --prescriber "$P" \
    --referred-on 2022-03-01 --consent-on 2022-03-02 --first-name Awa --phone 0612345678
is "$rc" 0 "the client adds a beneficiary"
C=$out
like "$C" '^B-0000004-.$' "printing the tag alone"
ks beneficiary show "$C"
like "$out" 'territory: T8' "Montreuil is in Est Ensemble (T8)"
like "$out" 'identity: recorded' "an identity is recorded"
unlike "$out" 'Awa|0612345678' "and not shown"
ks beneficiary list
is "$(printf '%s\n' "$out" | wc -l)" 5 "four beneficiaries listed"
unlike "$out" 'Zoubida|Awa' "no name in the list"
ks beneficiary list --territory T8
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" "$A $C " "filtered by territory"
ks show "$B"
unlike "$out" 'Zoubida' "the generic lookup shows no name either"
api GET "/v1/beneficiaries?limit=10"
unlike "$body" 'Zoubida|Quenardel|Awa' "nor the API's list"

# Corrections: the territory follows the commune; each field in the ledger.
ks beneficiary edit "$C" --commune 93001 --reason "déménagement à Aubervilliers"
is "$rc" 0 "a move to Aubervilliers"
like "$out" 'territory: T6' "moves the territory to T6"
is "$(sql "SELECT group_concat(from_value || '>' || to_value) FROM ledger WHERE entity='$C' AND action='edit'")" "93048>93001,T8>T6" "commune and territory each recorded"
api PATCH "/v1/beneficiaries/$B" '{"category":"ase_young_adult"}'
is "$status" 400 "becoming an ASE young adult needs ase_territory"
is "$(jget .error.field)" ase_territory "naming it"
api PATCH "/v1/beneficiaries/$B" '{"category":"ase_young_adult","ase_territory":"T7"}'
is "$status/$(jget .territory)" 200/T7 "with it, the territory is the ASE's"
api PATCH "/v1/beneficiaries/$B" '{"consent_on":"2022-01-05"}'
is "$status/$(jget .territory)" 200/T7 "an ASE young adult keeps that territory through other corrections"
api PATCH "/v1/beneficiaries/$B" '{"category":"mission_locale"}'
is "$status/$(jget .territory)" 200/T6 "back to the commune's territory"
api GET "/v1/history/$B"
is "$(jget '[.history[].action] | join(",")')" "create,identity_set,edit,edit,edit,edit,edit" "every step in the history"
done_testing
