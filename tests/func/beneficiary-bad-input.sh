#!/bin/bash
# Every bad input about a beneficiary is refused with a sentence naming
# the field and what is wrong, through the API and the client, and writes
# nothing; identity values are never repeated back (nor logged).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon -v   # debug: every refusal is logged, so the log check means something
path_setup
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
sum=$(dbsum)

# refuse CODE FIELD REGEX NAME JSON-EXTRA: POST a beneficiary whose base
# fields are overridden by the extra ones (jq object addition).
base="{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-03\",\"consent_on\":\"2022-01-04\"}"
refuse() {
	api POST /v1/beneficiaries "$(jq -c ". + $5 | with_entries(select(.value != \"DEL\"))" <<<"$base")"
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
refuse 400 category 'category "rsa" is not known: expected one of rsa_training' "unknown category" '{"category":"rsa"}'
refuse 404 prescriber "prescriber $(mktag P 7) does not exist" "unknown prescriber" "{\"prescriber\":\"$(mktag P 7)\"}"
refuse 400 prescriber 'P-0000001-Z' "mistyped prescriber tag" '{"prescriber":"P-0000001-Z"}'
refuse 400 prescriber 'B-0000001-V|letter' "a tag of another kind" "{\"prescriber\":\"$B\"}"
refuse 400 prescriber 'prescriber is required' "no prescriber" '{"prescriber":"DEL"}'
refuse 400 commune 'commune 75056 is not in the programme' "commune outside the programme" '{"commune":"75056"}'
refuse 400 commune '93059 \(Pierrefitte-sur-Seine\) no longer exists.*93066' "a merged commune" '{"commune":"93059"}'
refuse 400 commune '9306' "a malformed INSEE code" '{"commune":"9306"}'
refuse 400 commune 'commune is required' "no commune" '{"commune":"DEL"}'
refuse 400 ase_territory 'give ase_territory' "ASE young adult without ase_territory" '{"category":"ase_young_adult"}'
refuse 400 ase_territory 'ase_territory T5 is not a territory of the programme \(T6, T7, T8, T9\)' "ASE young adult in T5" '{"category":"ase_young_adult","ase_territory":"T5"}'
refuse 400 ase_territory 'only for category ase_young_adult' "ase_territory for someone else" '{"ase_territory":"T7"}'
refuse 400 referred_on "referred_on $tomorrow is in the future" "referral tomorrow" "{\"referred_on\":\"$tomorrow\"}"
refuse 400 consent_on "consent_on $tomorrow is in the future" "consent tomorrow" "{\"consent_on\":\"$tomorrow\"}"
refuse 409 consent_on 'the consent on 2022-01-02 would come before the referral on 2022-01-03' "consent before referral" '{"consent_on":"2022-01-02"}'
refuse 400 consent_on 'consent_on is required' "no consent" '{"consent_on":"DEL"}'
refuse 400 referred_on '03/01/2022' "a French date" '{"referred_on":"03/01/2022"}'
refuse 400 phone 'expected a phone number such as 06 12 34 56 78' "a phone that is not one" '{"phone":"06 71 82 93"}'
unlike "$(jget .error.message)" '06 71 82 93' "the number is not repeated"
refuse 400 first_name 'first_name must be one line with no space at either end' "a name with an edge space" '{"first_name":" Zoubida"}'
unlike "$(jget .error.message)" 'Zoubida' "the name is not repeated"
refuse 400 last_name 'last_name must hold 1 to 100 bytes' "a name too long" "{\"last_name\":\"$(printf 'x%.0s' $(seq 101))\"}"
refuse 400 first_name 'first_name must be a string' "a name that is not a string" '{"first_name":12}'
refuse 400 nickname 'unknown field "nickname"' "an unknown field" '{"nickname":"Zou"}'

api GET "/v1/beneficiaries/$(mktag B 9)"
is "$status/$(jget .error.field)" 404/tag "an unknown beneficiary: 404"
like "$(jget .error.message)" "beneficiary $(mktag B 9) does not exist" "naming it"
api GET "/v1/beneficiaries/B-0000001-X"
is "$status" 400 "a mistyped tag: 400"
like "$(jget .error.message)" 'B-0000001-X' "naming it"
api PATCH "/v1/beneficiaries/$B" '{"reason":"rien"}'
is "$status" 400 "an edit that changes nothing is refused"
api PATCH "/v1/beneficiaries/$B" '{"category":null}'
is "$status/$(jget .error.field)" 400/category "a category cannot be removed"
api PATCH "/v1/beneficiaries/$B" '{"referred_on":"2022-01-05"}'
is "$status/$(jget .error.field)" 409/consent_on "a referral moved after the consent"
api PATCH "/v1/beneficiaries/$(mktag B 9)" '{"commune":"93001"}'
is "$status" 404 "editing an unknown beneficiary"
api PUT "/v1/beneficiaries/$B/identity" '{}'
is "$status" 400 "an identity with nothing in it"

# The client: refusals by kitstockd (1), usage errors (2).
ks beneficiary add --category rsa --commune 93066 --prescriber "$P" --referred-on 2022-01-03 --consent-on 2022-01-04
is "$rc" 1 "client: unknown category refused"
like "$err" 'category "rsa" is not known' "with the sentence"
ks beneficiary add --category mission_locale --commune 93066 --prescriber "$P" --referred-on 2022-01-03
is "$rc" 2 "client: no consent date is a usage error"
like "$err" '\-\-consent-on is required' "naming the option"
ks beneficiary add --category mission_locale --commune 93066 --prescriber "$P" --referred-on "$tomorrow" --consent-on 2022-01-04
is "$rc" 1 "client: a referral in the future"
like "$err" "referred_on $tomorrow is in the future" "said so"
ks beneficiary add --category ase_young_adult --commune 93066 --prescriber "$P" --referred-on 2022-01-03 --consent-on 2022-01-04
is "$rc" 1 "client: ASE without ase_territory"
like "$err" 'give ase_territory' "said so"
ks beneficiary add --category mission_locale --commune 75056 --prescriber "$P" --referred-on 2022-01-03 --consent-on 2022-01-04
is "$rc" 1 "client: Paris is not in the programme"
ks beneficiary add --category mission_locale --commune 93066 --prescriber P-0000001-Z --referred-on 2022-01-03 --consent-on 2022-01-04
is "$rc" 1 "client: a mistyped prescriber tag"
like "$err" 'P-0000001-Z' "named"
ks beneficiary add --category mission_locale --commune 93066 --prescriber "$P" --referred-on 2022-01-03 --consent-on 2022-01-04 --phone 12
is "$rc" 1 "client: a bad phone number"
ks beneficiary show B-0000001-X
is "$rc" 1 "client: a mistyped tag"
ks beneficiary show "$(mktag B 9)"
is "$rc" 1 "client: an unknown tag"
like "$err" 'does not exist' "said so"
ks beneficiary edit "$B" --colour blue
is "$rc" 1 "client: an unknown field"

is "$(dbsum)" "$sum" "no refusal changed the database"
is "$(alive)" 200 "kitstockd still serving"
like "$(cat "$T/daemon.log")" '400 invalid_field: phone' "refusals are in the debug log"
unlike "$(cat "$T/daemon.log")" 'Zoubida|Quenardel|0671829304' "no name nor number in the log"
done_testing
