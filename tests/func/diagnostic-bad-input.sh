#!/bin/bash
# Every bad diagnostic is refused with a sentence naming what is wrong,
# through the API and the client, and writes nothing: unknown or mistyped
# beneficiary, unknown need, autonomy out of 1-4, a note too long, a date
# before consent or in the future, a second diagnostic, corrections that
# would put the steps out of order.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
sum=$(dbsum)

base="{\"beneficiary\":\"$B\",\"adviser\":\"Awa\",\"device_need\":\"laptop\",\"connection_need\":\"sim\",\"autonomy\":2,\"at\":\"2022-03-15\"}"
refuse() { # CODE FIELD REGEX NAME EXTRA
	api POST /v1/diagnostics "$(jq -c ". + $5 | with_entries(select(.value != \"DEL\"))" <<<"$base")"
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
refuse 404 beneficiary "beneficiary $(mktag B 9) does not exist" "unknown beneficiary" "{\"beneficiary\":\"$(mktag B 9)\"}"
refuse 400 beneficiary 'B-0000001-X' "mistyped beneficiary tag" '{"beneficiary":"B-0000001-X"}'
refuse 400 adviser 'adviser is required' "no adviser" '{"adviser":"DEL"}'
refuse 400 device_need 'device_need "phablet" is not known: expected one of none, desktop, laptop, tablet, smartphone' "unknown device need" '{"device_need":"phablet"}'
refuse 400 connection_need 'connection_need "fibre" is not known: expected one of none, sim, 4g-router' "unknown connection need" '{"connection_need":"fibre"}'
refuse 400 autonomy 'autonomy 5 is out of range \(1 to 4\)' "autonomy 5" '{"autonomy":5}'
refuse 400 autonomy 'autonomy 0 is out of range' "autonomy 0" '{"autonomy":0}'
refuse 400 autonomy 'autonomy must be a whole number' "autonomy as text" '{"autonomy":"2"}'
refuse 400 training_wished 'training_wished "yoga" is not known' "unknown training" '{"training_wished":"yoga"}'
refuse 400 certification_wished 'must be true or false' "certification as text" '{"certification_wished":"oui"}'
refuse 400 note 'note is too long \(281 characters, at most 280\)' "a note too long" "{\"note\":\"$(printf 'é%.0s' $(seq 281))\"}"
refuse 409 at "$B: the diagnostic on 2022-01-02 would come before the consent on 2022-01-04" "a diagnostic before consent" '{"at":"2022-01-02"}'
refuse 400 at "effective date $tomorrow is in the future" "a diagnostic tomorrow" "{\"at\":\"$tomorrow\"}"
refuse 400 at 'expected a date' "a date that is not one" '{"at":"15/03/2022"}'
is "$(dbsum)" "$sum" "nothing written by any refusal"

diagnose "$B" 2022-03-15
sum=$(dbsum)
refuse 409 beneficiary "$B already had a diagnostic on 2022-03-15: correct it" "a second diagnostic" '{}'
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-04-01\"}"
[ "$status" = 201 ] || fail "orientation for the fixture" "$body"
sum=$(dbsum)
api PATCH "/v1/diagnostics/$B" '{"diagnosed_on":"2022-04-02"}'
is "$status/$(jget .error.field)" 409/diagnosed_on "a diagnostic moved after the orientation that follows it"
like "$(jget .error.message)" 'the first step after the diagnostic on 2022-04-01 would come before the diagnostic on 2022-04-02' "says which"
api PATCH "/v1/diagnostics/$B" "{\"diagnosed_on\":\"$tomorrow\"}"
is "$status/$(jget .error.field)" 400/diagnosed_on "a diagnostic moved to tomorrow"
api PATCH "/v1/diagnostics/$B" '{"device_need":null}'
is "$status/$(jget .error.field)" 400/device_need "a need cannot be removed"
api PATCH "/v1/diagnostics/$B" '{"colour":"blue"}'
is "$status/$(jget .error.field)" 400/colour "an unknown field"
api PATCH "/v1/diagnostics/$B" '{}'
is "$status" 400 "nothing to edit"
api PATCH "/v1/beneficiaries/$B" '{"consent_on":"2022-03-20"}'
is "$status/$(jget .error.field)" 409/consent_on "a consent moved after the diagnostic"
api GET "/v1/diagnostics?late=maybe"
is "$status/$(jget .error.field)" 400/late "a filter that is not a boolean"
api GET "/v1/diagnostics?device_need=phablet"
is "$status/$(jget .error.field)" 400/device_need "an unknown need as a filter"
api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-03\",\"consent_on\":\"2022-01-04\"}"; N=$(jget .tag)
sum=$(dbsum)
api GET "/v1/diagnostics/$N"
is "$status/$(jget .error.code)" 404/no_diagnostic "someone not diagnosed yet"
api PATCH "/v1/diagnostics/$N" '{"autonomy":1}'
is "$status/$(jget .error.code)" 404/no_diagnostic "cannot be corrected"

ks diagnostic add --beneficiary "$N" --adviser Awa --device-need laptop --connection-need sim --autonomy 7
is "$rc" 1 "client: autonomy 7 refused"
like "$err" 'autonomy 7 is out of range' "with the sentence"
ks diagnostic add --beneficiary "$N" --adviser Awa --device-need laptop --connection-need sim --autonomy deux
is "$rc" 2 "client: autonomy that is not a number is a usage error"
ks diagnostic add --beneficiary "$N" --adviser Awa --device-need laptop --connection-need sim
is "$rc" 2 "client: no autonomy is a usage error"
like "$err" '\-\-autonomy is required' "naming it"
ks diagnostic add --beneficiary B-0000001-X --adviser Awa --device-need laptop --connection-need sim --autonomy 2
is "$rc" 1 "client: a mistyped beneficiary"
ks diagnostic add --beneficiary "$N" --adviser Awa --device-need laptop --connection-need sim --autonomy 2 --at 2021-12-01
is "$rc" 1 "client: a diagnostic before consent"
like "$err" 'would come before the consent' "said so"
ks diagnostic add --beneficiary "$N" --adviser Awa --device-need phablet --connection-need sim --autonomy 2
is "$rc" 1 "client: an unknown need"
ks diagnostic show "$N"
is "$rc" 1 "client: no diagnostic to show"
is "$(dbsum)" "$sum" "nothing written by any refusal"
is "$(alive)" 200 "kitstockd still serving"
done_testing
