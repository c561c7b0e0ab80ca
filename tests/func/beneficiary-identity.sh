#!/bin/bash
# A beneficiary's identity is shown only on its own route, and each
# showing is in the ledger (who, when; never the values); it may be
# recorded later or replaced. A prescriber (its token names it) refers
# people in its own name and sees only the people it referred.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
port=$((20000 + RANDOM % 20000))
start_daemon --listen "127.0.0.1:$port"
URL=http://127.0.0.1:$port
path_setup

api GET "/v1/beneficiaries/$B/identity"
is "$status" 200 "the identity on request"
is "$(jget .first_name) $(jget .last_name) $(jget .phone)" "Zoubida Quenardel 0671829304" "first name, last name, phone"
is "$(sql "SELECT actor || ' ' || coalesce(details_json, '-') FROM ledger WHERE entity='$B' AND action='identity_shown'")" "root -" "the showing is in the ledger, who and nothing else"
ks beneficiary identity "$B"
like "$out" 'first_name: Zoubida' "the client shows it"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B' AND action='identity_shown'")" 2 "each showing recorded"

api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-10\",\"consent_on\":\"2022-01-10\"}"
N=$(jget .tag)
sum=$(dbsum)
api GET "/v1/beneficiaries/$N/identity"
is "$status/$(jget .error.code)" 404/no_identity "someone with no identity recorded: 404"
is "$(dbsum)" "$sum" "and nothing recorded"
ks beneficiary identity-set "$N" --first-name Idriss --phone "+33 6 11 22 33 44"
is "$rc" 0 "an identity recorded later"
like "$out" 'identity: recorded' "the answer says so"
unlike "$out" 'Idriss' "without repeating it"
is "$(sql "SELECT first_name || '/' || coalesce(last_name, '-') || '/' || phone FROM beneficiary_identity i JOIN beneficiary b ON b.id = i.beneficiary_id WHERE b.tag='$N'")" "Idriss/-/+33611223344" "stored, the number normalised"
api PUT "/v1/beneficiaries/$N/identity" '{"first_name":"Idriss","last_name":"Benali"}'
is "$status" 200 "replaced"
is "$(sql "SELECT coalesce(phone, 'none') FROM beneficiary_identity i JOIN beneficiary b ON b.id = i.beneficiary_id WHERE b.tag='$N'")" none "a replacement holds what it gives (no phone now)"
is "$(sql "SELECT group_concat(json_extract(details_json, '\$.replaced')) FROM ledger WHERE entity='$N' AND action='identity_set'")" "0,1" "recorded, then replaced, in the ledger"
unlike "$(sql "SELECT group_concat(coalesce(details_json,'')) FROM ledger")" 'Idriss|Benali|611223344' "no value in the ledger"

# A prescriber's token: its own people only.
api POST /v1/prescribers '{"kind":"cap_emploi","name":"Cap emploi 93","territory":"T8"}'; P2=$(jget .tag)
ks token add ml --role prescriber --prescriber "$P" --expires 2099-12-31; tok1=$out
ks token add cap --role prescriber --prescriber "$P2" --expires 2099-12-31; tok2=$out
as() { # TOKEN METHOD PATH [BODY]: $status, $body
	local o
	o=$(curl -s -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
	    ${4:+--data-binary "$4"} -w '\n%{http_code}' "$URL$3")
	status=${o##*$'\n'}; body=${o%$'\n'*}
}
as "$tok2" POST /v1/beneficiaries '{"category":"siae_employee","commune":"93048","referred_on":"2022-02-01","consent_on":"2022-02-01","first_name":"Lina"}'
is "$status" 201 "a prescriber refers someone"
C=$(jget .tag)
is "$(jget .prescriber)" "$P2" "in its own name"
is "$(sql "SELECT actor FROM ledger WHERE entity='$C' AND action='create'")" token:cap "the ledger names the token"
as "$tok2" POST /v1/beneficiaries "{\"category\":\"siae_employee\",\"commune\":\"93048\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"
is "$status/$(jget .error.field)" 403/prescriber "not in another's name"
as "$tok2" GET /v1/beneficiaries
is "$(jget '[.items[].tag] | join(",")')" "$C" "its list holds its own people only"
as "$tok2" GET "/v1/beneficiaries?prescriber=$P"
is "$(jget '[.items[].tag] | join(",")')" "$C" "even when it asks for another's"
as "$tok2" GET "/v1/beneficiaries/$B"
is "$status" 404 "another's beneficiary: 404, as a free tag"
like "$(jget .error.message)" "beneficiary $B does not exist" "the same sentence as for a free tag"
as "$tok2" GET "/v1/beneficiaries/$B/identity"
is "$status" 404 "nor their identity"
as "$tok2" GET "/v1/beneficiaries/$C/identity"
is "$status/$(jget .first_name)" 200/Lina "its own people's identity"
as "$tok1" GET "/v1/beneficiaries/$C"
is "$status" 404 "and the other way round"
as "$tok1" POST "/v1/beneficiaries/$B/erase-identity" '{"reason":"x"}'
is "$status" 403 "erasure is for coordinators"
as "$tok1" GET "/v1/beneficiaries/$B/export"
is "$status" 403 "so is the export"
done_testing
