#!/bin/bash
# Every bad follow-up is refused with a sentence naming what is wrong,
# through the API and the client, and writes nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
diagnose "$B" 2022-03-15 none
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"; U=$(jget .tag)
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
sum=$(dbsum)

refuse() { # CODE FIELD REGEX NAME METHOD PATH [BODY]
	if [ $# -ge 7 ]; then api "$5" "$6" "$7"; else api "$5" "$6"; fi
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
refuse 409 beneficiary "$U has had no diagnostic yet: follow-ups come after it" "someone not diagnosed" POST /v1/followups "{\"beneficiary\":\"$U\"}"
refuse 404 beneficiary "beneficiary $(mktag B 9) does not exist" "unknown beneficiary" POST /v1/followups "{\"beneficiary\":\"$(mktag B 9)\"}"
refuse 400 beneficiary 'B-0000001-X' "mistyped beneficiary" POST /v1/followups '{"beneficiary":"B-0000001-X"}'
refuse 400 month 'month 4: follow-ups are at 3 and 6 months' "month 4" POST /v1/followups "{\"beneficiary\":\"$B\",\"month\":4}"
refuse 400 device_in_use "$B was not handed a device: device_in_use is for people equipped" "device in use for someone not equipped" POST /v1/followups "{\"beneficiary\":\"$B\",\"device_in_use\":true}"
refuse 400 connected 'reached is false: connected cannot be known' "an outcome for someone not reached" POST /v1/followups "{\"beneficiary\":\"$B\",\"reached\":false,\"connected\":true}"
refuse 409 at "$B: the follow-up on 2022-03-01 would come before the diagnostic on 2022-03-15" "a follow-up before the diagnostic" POST /v1/followups "{\"beneficiary\":\"$B\",\"at\":\"2022-03-01\"}"
refuse 400 at "effective date $tomorrow is in the future" "a follow-up tomorrow" POST /v1/followups "{\"beneficiary\":\"$B\",\"at\":\"$tomorrow\"}"
refuse 400 problems 'problems is too long \(300 characters, at most 280\)' "problems too long" POST /v1/followups "{\"beneficiary\":\"$B\",\"problems\":\"$(printf 'x%.0s' $(seq 300))\"}"
refuse 400 connected 'connected must be true or false' "connected as text" POST /v1/followups "{\"beneficiary\":\"$B\",\"connected\":\"oui\"}"
refuse 400 due 'date 2022-02-30: expected a real date' "a due date that does not exist" GET "/v1/followups?due=2022-02-30"
refuse 400 overdue 'overdue maybe: expected true or false' "overdue that is not a boolean" GET "/v1/followups?overdue=maybe"
refuse 400 state 'state "late" is not known: expected one of done, overdue, pending' "unknown state" GET "/v1/followups?state=late"
refuse 400 beneficiary 'B-0000001-X' "a mistyped beneficiary as filter" GET "/v1/followups?beneficiary=B-0000001-X"
refuse 400 after 'after nowhere: expected the value given as next' "a bad cursor" GET "/v1/followups?after=nowhere"
refuse 404 id 'follow-up 7 does not exist' "unknown follow-up" GET /v1/followups/7
is "$(dbsum)" "$sum" "no refusal changed the database"

api POST /v1/followups "{\"beneficiary\":\"$B\",\"month\":6,\"at\":\"2022-09-20\"}"
is "$status/$(jget .month)" 201/6 "a 6-month follow-up given explicitly"
sum=$(dbsum)
refuse 409 month "the 6-month follow-up of $B is already recorded" "the same month twice" POST /v1/followups "{\"beneficiary\":\"$B\",\"month\":6}"
api POST /v1/followups "{\"beneficiary\":\"$B\",\"at\":\"2022-09-21\"}"
is "$status/$(jget .month)" 201/3 "the one left is the 3-month one"
sum=$(dbsum)
refuse 409 month "both follow-ups of $B are recorded" "a third one" POST /v1/followups "{\"beneficiary\":\"$B\"}"

ks followup add --beneficiary "$U"
is "$rc" 1 "client: someone not diagnosed"
like "$err" 'has had no diagnostic yet' "with the sentence"
ks followup add --beneficiary "$B" --month trois
is "$rc" 2 "client: a month that is not a number"
ks followup list --due 30/06/2022
is "$rc" 1 "client: a French date"
like "$err" '30/06/2022' "named"
ks followup show 99
is "$rc" 1 "client: unknown follow-up"
is "$(dbsum)" "$sum" "no refusal changed the database"
done_testing
