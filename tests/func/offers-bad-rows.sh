#!/bin/bash
# Bad rows of a file of the standard are reported with their line, column
# and reason, and nothing is imported; --skip-bad imports the good rows
# and lists the others. A file that cannot be read as a whole, a wrong
# media type or query, and bad input on every offers route are refused
# naming the field, the database unchanged, the daemon still serving.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
D=${SRCDIR:-.}/tests/data/offers
start_daemon
path_setup
sum=$(dbsum)

ks offers import "$D/lieux-93-bad.csv"
is "$rc" 1 "a file with bad rows is refused"
like "$err" 'bad rows in the file: 8 of 10 \(8 problems\); nothing was imported' "said so"
like "$err" '3 +pivot +43493312300028 +SIRET 43493312300028: check digit is wrong \(Luhn\)' "a SIRET whose check digit is wrong"
like "$err" '4 +code_postal +9320 +code_postal 9320: expected 5 digits' "a postal code of 4 digits"
like "$err" '5 +date_maj +02/04/2024 +date_maj 02/04/2024: expected an ISO date such as 2024-04-02' "a French date"
like "$err" '6 +services +- +services is required' "no service"
like "$err" '7 +telephone +12 34 +telephone 12 34: expected a French number' "a telephone that is not one"
like "$err" '9 +code_insee +9306A +INSEE code 9306A' "a code_insee that is not one"
like "$err" '10 +id +bad-ok-1 +id bad-ok-1 is already the id of line 2' "an id twice"
like "$err" '11 +pivot +W12345 +pivot W12345: expected a SIRET \(14 digits\) or an RNA number \(W and 9 digits\)' "an RNA number too short"
is "$(dbsum)" "$sum" "nothing imported"
api POST /v1/offers/import "$(cat "$D/lieux-93-bad.csv")" text/csv
is "$status/$(jget .error.code)/$(jget .error.field)/$(jget .error.count)" "400/invalid_file/pivot/8" "the API's answer names the first bad column and counts the rows"
is "$(jget '[.error.lines[].line] | join(",")')" "3,4,5,6,7,9,10,11" "every bad line, in order"

ks offers import "$D/lieux-93-bad.csv" --skip-bad
is "$rc" 0 "with --skip-bad the good rows are imported"
like "$out" 'places: 2 created, .* 8 bad rows \(skipped\)' "counted"
like "$err" '3 +pivot +43493312300028' "the rows skipped listed"
is "$(sql "SELECT group_concat(ref || ':' || pivot) FROM (SELECT ref, pivot FROM place WHERE ref IS NOT NULL ORDER BY id)")" "bad-ok-1:43493312300029,bad-ok-2:W931234567" "the two good rows, a SIRET and an RNA number"
sum=$(dbsum)

# The file as a whole.
refuse() { # CODE FIELD REGEX NAME METHOD PATH [BODY [TYPE]]
	if [ $# -ge 8 ]; then api "$5" "$6" "$7" "$8"
	elif [ $# -ge 7 ]; then api "$5" "$6" "$7"
	else api "$5" "$6"; fi
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names $2"
	like "$(jget .error.message)" "$3" "$4: says why"
}
refuse 400 null 'no column services: the header of a file in the standard' "a file without the services column" POST /v1/offers/import 'id,pivot,nom,commune,code_postal,adresse,date_maj
a,43493312300029,X,Saint-Denis,93200,1 rue A,2024-01-01' text/csv
refuse 400 null 'the file is empty' "an empty file" POST /v1/offers/import '' text/csv
refuse 400 null 'a quoted value is not closed' "a quote never closed" POST /v1/offers/import "$(head -1 "$D/lieux-93.csv")
a,\"43493312300029,X" text/csv
refuse 415 null 'send the body as text/csv' "JSON instead of CSV" POST /v1/offers/import '{"id":"x"}'
refuse 400 skip_bad 'skip_bad maybe: expected true or false' "skip_bad that is not a boolean" POST '/v1/offers/import?skip_bad=maybe' "$(cat "$D/lieux-93.csv")" text/csv
refuse 400 dry_run 'unknown field "dry_run": expected skip_bad' "an unknown query field" POST '/v1/offers/import?dry_run=1' "$(cat "$D/lieux-93.csv")" text/csv
all_bad=$(head -1 "$D/lieux-93-bad.csv"; sed -n 3,4p "$D/lieux-93-bad.csv")
refuse 400 pivot 'bad rows in the file: 2 of 2' "no good row, even with skip_bad" POST '/v1/offers/import?skip_bad=true' "$all_bad" text/csv

# Other routes.
refuse 400 id 'place x1: expected its number' "a place that is not a number" GET /v1/places/x1
refuse 404 id 'place 99 does not exist' "an unknown place" GET /v1/places/99
refuse 400 commune 'INSEE code' "places of a commune that is not one" GET '/v1/places?commune=9306'
refuse 400 limit 'limit 0: expected a number from 1 to 1000' "a bad limit" GET '/v1/places?limit=0'
refuse 400 tag 'B-0000001-Z' "suggestions for a mistyped tag" GET /v1/beneficiaries/B-0000001-Z/offers
refuse 404 beneficiary "beneficiary $(mktag B 9) does not exist" "suggestions for nobody" GET "/v1/beneficiaries/$(mktag B 9)/offers"
refuse 409 beneficiary "$B has had no diagnostic yet: offers are suggested from its needs" "suggestions before the diagnostic" GET "/v1/beneficiaries/$B/offers"
refuse 400 beneficiary 'B-0000001-Z' "drop-outs of a mistyped tag" GET '/v1/orientations/dropouts?beneficiary=B-0000001-Z'
refuse 400 kind 'kind "mooc" is not known' "an offer of an unknown kind" POST /v1/offers '{"name":"X","kind":"mooc","provider":"Y","commune":"93066"}'
refuse 400 provider 'provider is required \(or the place.s number, place\)' "an offer with no provider nor place" POST /v1/offers '{"name":"X","kind":"initiation","commune":"93066"}'
refuse 404 place 'place 99 does not exist' "an offer at an unknown place" POST /v1/offers '{"name":"X","kind":"initiation","place":99}'
refuse 400 place 'place 0 is out of range' "an offer at place 0" POST /v1/offers '{"name":"X","kind":"initiation","place":0}'
refuse 400 provider 'unknown field "provider"' "an offer's place is not edited with the offer" PATCH "/v1/offers/$O" '{"provider":"Z"}'
is "$(dbsum)" "$sum" "no refusal changed the database"
is "$(alive)" 200 "kitstockd still serving"
done_testing
