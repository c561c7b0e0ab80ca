#!/bin/bash
# Training offers (O-), orientations of a person to an offer (numbered;
# attended and completed recorded later) and certifications (PIX with a
# score, CléA numérique passed or failed), each after the diagnostic and
# each a step of the person's history; refusals say why and write nothing.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
diagnose "$B" 2022-03-15

ks offer add --name "Démarches en ligne" --provider "Centre social Floréal" --kind online_procedures --commune 93066 --extra
is "$rc" 0 "an extra offer built by the consortium"
O2=$out
like "$O2" '^O-0000002-.$' "with an O- tag"
ks offer list --kind online_procedures
like "$out" "$O2 +Démarches en ligne +Centre social Floréal +online_procedures +Saint-Denis +0" "listed with its commune and no one oriented yet"

api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-04-01\"}"
is "$status" 201 "an orientation"
N1=$(jget .id)
is "$(jget .offer_kind)/$(jget .oriented_on)/$(jget .funding)/$(jget .attended)" "initiation/2022-04-01/programme/null" "paid by the programme by default, attendance unknown"
ks orientation add --beneficiary "$B" --offer "$O2" --funding pass_numerique --vouchers 2 --at 2022-04-02
is "$rc" 0 "a second one from the client, paid with a pass numérique"
N2=$out
is "$N2" 2 "it prints the orientation's number"
ks orientation edit "$N1" --attended --completed --reason "attestation reçue"
is "$rc" 0 "attendance and completion recorded"
like "$out" 'attended: yes' "says what changed"
is "$(sql "SELECT group_concat(json_extract(details_json, '\$.field') || ':' || coalesce(from_value, '-') || '>' || to_value) FROM ledger WHERE entity='$B' AND action='orientation_edit'")" "attended:->true,completed:->true" "in the ledger, on the beneficiary"
ks orientation edit "$N2" --no-attended
is "$rc" 0 "someone who did not go"
ks orientation list --beneficiary "$B"
like "$out" "$N2 +$B +$O2 +online_procedures +2022-04-02 +no" "listed"
api GET "/v1/orientations?attended=true"
is "$(jget '[.items[].id] | join(",")')" "$N1" "filtered by attendance"
api GET "/v1/offers/$O"
is "$(jget .orientations)" 1 "the offer counts its orientations"

api POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":312,\"at\":\"2022-05-10\"}"
is "$status" 201 "a PIX certification"
is "$(jget .kind)/$(jget .result)/$(jget .score)/$(jget .certified_on)" "pix/passed/312/2022-05-10" "with its result and score"
ks certification add --beneficiary "$B" --kind clea_numerique --result failed --at 2022-05-20
is "$rc/$out" 0/2 "a CléA numérique, failed, from the client"
ks certification list --result passed
is "$(printf '%s\n' "$out" | wc -l)" 2 "the passed ones listed"
ks certification show 1
like "$out" 'score: 312' "shown"
api GET "/v1/history/$B"
is "$(jget '[.history[].action] | join(",")')" "create,identity_set,diagnostic,orientation,orientation,orientation_edit,orientation_edit,orientation_edit,certification,certification" "every step in the history"
is "$(jget '[.history[] | select(.action == "certification") | .at] | join(",")')" "2022-05-10T00:00:00Z,2022-05-20T00:00:00Z" "at their dates"

# Lists of a territory or a prescriber: the rows carry the person's
# territory and prescriber, and follow them when the person moves.
T1=$(sql "SELECT territory FROM commune WHERE insee = '93066'")
api GET "/v1/orientations?territory=$T1"
is "$(jget '[.items[].id] | join(",")')" "$N1,$N2" "orientations of the person's territory"
api GET "/v1/certifications?prescriber=$P"
is "$(jget '[.items[].id] | join(",")')" "1,2" "certifications of the prescriber"
api POST /v1/prescribers '{"kind":"mission_locale","name":"Mission locale Aulnay","territory":"T7"}'; P2=$(jget .tag)
MOVED=$(sql "SELECT insee FROM commune WHERE territory <> '$T1' ORDER BY insee LIMIT 1")
T2=$(sql "SELECT territory FROM commune WHERE insee = '$MOVED'")
api PATCH "/v1/beneficiaries/$B" "{\"commune\":\"$MOVED\",\"prescriber\":\"$P2\",\"reason\":\"déménagement\"}"
is "$status" 200 "the person moves to $MOVED ($T2) with another prescriber"
api GET "/v1/orientations?territory=$T1"
is "$(jget '.items | length')" 0 "no orientation left in the old territory"
api GET "/v1/orientations?territory=$T2&prescriber=$P2&limit=1"
is "$(jget '[.items[].id] | join(",")')/$(jget .next)" "$N1/$N1" "the new territory's, a page at a time"
api GET "/v1/orientations?territory=$T2&prescriber=$P2&after=$N1"
is "$(jget '[.items[] | "\(.id):\(.territory):\(.prescriber)"] | join(",")')" "$N2:$T2:$P2" "the next page, with the new territory and prescriber"
api GET "/v1/certifications?territory=$T2"
is "$(jget '[.items[].id] | join(",")')" "1,2" "certifications moved too"
api GET "/v1/certifications?prescriber=$P"
is "$(jget '.items | length')" 0 "none left with the old prescriber"
is "$(sql "SELECT count(*) FROM (SELECT r.territory, r.prescriber_id FROM orientation r UNION ALL SELECT c.territory, c.prescriber_id FROM certification c) x WHERE x.territory IS NOT '$T2' OR x.prescriber_id IS NOT (SELECT id FROM prescriber WHERE tag = '$P2')")" 0 "every stored row follows the person"
is "$(sql "SELECT count(*) FROM report_dirty")" 0 "no tally left to settle"

# Refusals.
api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-03\",\"consent_on\":\"2022-01-04\"}"; U=$(jget .tag)
sum=$(dbsum)
refuse() { # CODE FIELD REGEX NAME METHOD PATH BODY
	if [ $# -ge 7 ]; then api "$5" "$6" "$7"; else api "$5" "$6"; fi
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
refuse 409 beneficiary "$U has had no diagnostic yet: the orientation follows it" "orientation before any diagnostic" POST /v1/orientations "{\"beneficiary\":\"$U\",\"offer\":\"$O\"}"
refuse 409 at "the orientation on 2022-03-01 would come before the diagnostic on 2022-03-15" "orientation before the diagnostic" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-03-01\"}"
refuse 409 offer "$B is already oriented to $O \(orientation $N1\)" "the same offer twice" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\"}"
refuse 404 offer "offer $(mktag O 9) does not exist" "unknown offer" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$(mktag O 9)\"}"
refuse 400 offer 'O-0000001-Z' "mistyped offer" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"O-0000001-Z\"}"
refuse 400 funding 'funding "cheque" is refused: the diagnostic, training and certification are free for the person' "unknown funding" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O2\",\"funding\":\"cheque\"}"
refuse 400 completed 'someone who completed a training attended it' "completed without attending" POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O2\",\"completed\":true}"
refuse 400 completed 'someone who completed a training attended it' "completed by someone who did not attend" PATCH "/v1/orientations/$N2" '{"completed":true}'
refuse 404 id 'orientation 99 does not exist' "unknown orientation" PATCH /v1/orientations/99 '{"attended":true}'
refuse 400 id 'orientation x1: expected its number' "an orientation that is not a number" GET /v1/orientations/x1
refuse 409 oriented_on 'would come before the diagnostic' "an orientation moved before the diagnostic" PATCH "/v1/orientations/$N1" '{"oriented_on":"2022-01-10"}'
refuse 400 kind 'kind "mooc" is not known: expected one of initiation, online_procedures, further_skills, creative_digital' "unknown offer kind" POST /v1/offers '{"name":"X","provider":"Y","kind":"mooc","commune":"93066"}'
refuse 400 commune 'commune 75056 is not in the programme' "an offer outside the programme" POST /v1/offers '{"name":"X","provider":"Y","kind":"initiation","commune":"75056"}'
refuse 409 beneficiary "$U has had no diagnostic yet: the certification follows it" "certification before any diagnostic" POST /v1/certifications "{\"beneficiary\":\"$U\",\"kind\":\"pix\",\"result\":\"passed\"}"
refuse 400 kind 'kind "toeic" is not known: expected one of pix, clea_numerique' "unknown certification" POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"toeic\",\"result\":\"passed\"}"
refuse 400 result 'result "maybe" is not known: expected one of passed, failed' "unknown result" POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"maybe\"}"
refuse 400 score 'score 2000 is out of range \(0 to 1024\)' "a PIX score out of range" POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":2000}"
refuse 400 score 'score is for PIX' "a score for CléA" POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"clea_numerique\",\"result\":\"passed\",\"score\":10}"
refuse 409 at 'the certification on 2022-02-01 would come before the diagnostic on 2022-03-15' "certification before the diagnostic" POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"at\":\"2022-02-01\"}"
refuse 404 beneficiary "beneficiary $(mktag B 9) does not exist" "certification of an unknown beneficiary" POST /v1/certifications "{\"beneficiary\":\"$(mktag B 9)\",\"kind\":\"pix\",\"result\":\"passed\"}"
ks orientation add --beneficiary "$U" --offer "$O"
is "$rc" 1 "client: orientation before the diagnostic refused"
like "$err" 'has had no diagnostic yet' "with the sentence"
ks certification add --beneficiary "$B" --kind pix --result passed --score beaucoup
is "$rc" 2 "client: a score that is not a number"
ks orientation edit 99 --attended
is "$rc" 1 "client: unknown orientation"
like "$err" 'orientation 99 does not exist' "said so"
ks offer add --name X --provider Y --kind mooc --commune 93066
is "$rc" 1 "client: unknown offer kind"
is "$(dbsum)" "$sum" "no refusal changed the database"
done_testing
