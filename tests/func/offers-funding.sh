#!/bin/bash
# Training and certification are free for the person: an orientation or a
# certification records who pays (the programme, « pass numérique »
# vouchers the person holds with how many, or their CPF account); any
# other charge is refused with the rule, and nothing is written.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
diagnose "$B" 2024-05-02
api POST /v1/offers '{"name":"Démarches en ligne","provider":"Centre social","kind":"online_procedures","commune":"93066"}'
O2=$(jget .tag)
api POST /v1/offers '{"name":"Créer son CV","provider":"Centre social","kind":"further_skills","commune":"93066"}'
O3=$(jget .tag)

api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2024-05-06\"}"
is "$status/$(jget .funding)/$(jget .vouchers)" "201/programme/null" "paid by the programme unless said"
N1=$(jget .id)
ks orientation add --beneficiary "$B" --offer "$O2" --funding pass_numerique --vouchers 3 --at 2024-05-06
is "$rc" 0 "paid with « pass numérique » vouchers"
N2=$out
api GET "/v1/orientations/$N2"
is "$(jget .funding)/$(jget .vouchers)" "pass_numerique/3" "with their number"
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O3\",\"funding\":\"cpf\",\"at\":\"2024-05-06\"}"
is "$status/$(jget .funding)" "201/cpf" "paid from the person's CPF account"
N3=$(jget .id)
api POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":250,\"funding\":\"pass_numerique\",\"vouchers\":1,\"at\":\"2024-06-01\"}"
is "$status/$(jget .funding)/$(jget .vouchers)" "201/pass_numerique/1" "a certification records its funding too"
api POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"clea_numerique\",\"result\":\"passed\",\"at\":\"2024-06-02\"}"
is "$status/$(jget .funding)" "201/programme" "the programme's by default"
api PATCH "/v1/orientations/$N2" '{"funding":"programme","reason":"les pass sont épuisés"}'
is "$status/$(jget .funding)/$(jget .vouchers)" "200/programme/null" "changed to the programme, the vouchers go"
is "$(sql "SELECT group_concat(json_extract(details_json, '\$.field') || ':' || coalesce(from_value, '-') || '>' || coalesce(to_value, '-')) FROM ledger WHERE entity='$B' AND action='orientation_edit'")" "funding:pass_numerique>programme,vouchers:3>-" "each change in the ledger"

sum=$(dbsum)
refuse() { # CODE FIELD REGEX NAME METHOD PATH BODY
	api "$5" "$6" "$7"
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
C=$(mktag B 1)
rule='the diagnostic, training and certification are free for the person'
refuse 400 funding "funding \"beneficiary\" is refused: $rule; they are paid by the programme \(programme\), by « pass numérique » vouchers the person holds \(pass_numerique, with vouchers N\) or by their CPF account \(cpf\)" "paid by the person" POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O\",\"funding\":\"beneficiary\"}"
refuse 400 funding "funding \"payant\" is refused: $rule" "a paying orientation" POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O3\",\"funding\":\"payant\"}"
refuse 400 amount 'amount: nothing may be charged to the person' "an amount to pay" POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O3\",\"amount\":20}"
refuse 400 contribution 'contribution: nothing may be charged to the person: the diagnostic, training and certification are free for them' "a contribution asked for a certification" POST /v1/certifications "{\"beneficiary\":\"$C\",\"kind\":\"pix\",\"result\":\"passed\",\"contribution\":\"10\"}"
refuse 400 funding "funding \"cheque\" is refused: $rule" "a certification paid by cheque" POST /v1/certifications "{\"beneficiary\":\"$C\",\"kind\":\"pix\",\"result\":\"passed\",\"funding\":\"cheque\"}"
refuse 400 funding "funding \"self\" is refused" "an orientation changed to be paid by the person" PATCH "/v1/orientations/$N1" '{"funding":"self"}'
refuse 400 price 'price: nothing may be charged' "a price added later" PATCH "/v1/orientations/$N1" '{"price":5}'
refuse 400 vouchers 'vouchers is required with funding pass_numerique' "vouchers not counted" POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O3\",\"funding\":\"pass_numerique\"}"
refuse 400 vouchers 'vouchers go with funding pass_numerique, not cpf' "vouchers with CPF" POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O3\",\"funding\":\"cpf\",\"vouchers\":2}"
refuse 400 vouchers 'vouchers 0 is out of range \(1 to 20\)' "no voucher" POST /v1/certifications "{\"beneficiary\":\"$C\",\"kind\":\"pix\",\"result\":\"passed\",\"funding\":\"pass_numerique\",\"vouchers\":0}"
refuse 400 vouchers 'vouchers is required with funding pass_numerique' "an orientation changed to vouchers without their number" PATCH "/v1/orientations/$N3" '{"funding":"pass_numerique"}'
refuse 400 vouchers 'vouchers must be a whole number' "vouchers that are not a number" PATCH "/v1/orientations/$N3" '{"funding":"pass_numerique","vouchers":"deux"}'
ks orientation add --beneficiary "$B" --offer "$O3" --funding beneficiary
is "$rc" 1 "client: a charge to the person refused"
like "$err" 'funding "beneficiary" is refused' "with the rule"
is "$(dbsum)" "$sum" "no refusal changed the database"
done_testing
