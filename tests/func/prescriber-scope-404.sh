#!/bin/bash
# A prescriber sees only the people it referred; to it the others do not
# exist: on every route about a person it may call, another prescriber's
# person (or a step of theirs) gets exactly the answer a free tag (or a
# free number) gets, so that a prescriber cannot probe which tags exist.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
port=$((20000 + RANDOM % 20000))
start_daemon --listen "127.0.0.1:$port"
URL=http://127.0.0.1:$port
path_setup
# $B: referred by $P, with each step of the path (rows 1).
diagnose "$B" 2022-03-15
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-04-01\"}"
orientation=$(jget .id)
api POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":300,\"at\":\"2022-05-02\"}"
certification=$(jget .id)
api POST /v1/followups "{\"beneficiary\":\"$B\",\"connected\":true,\"at\":\"2022-07-05\"}"
followup=$(jget .id)
[ -n "$orientation" ] && [ -n "$certification" ] && [ -n "$followup" ] &&
    [ "$orientation" != null ] || { echo "Bail out! the path of $B: $body"; exit 1; }
api POST /v1/prescribers '{"kind":"cap_emploi","name":"Cap emploi 93","territory":"T8"}'; P2=$(jget .tag)
ks token add ml --role prescriber --prescriber "$P" --expires 2099-12-31; own=$out
ks token add cap --role prescriber --prescriber "$P2" --expires 2099-12-31; other=$out
free=$(mktag B 99)

as() { # TOKEN METHOD PATH [BODY]: $status, $body
	local o
	o=$(curl -s -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
	    ${4:+--data-binary "$4"} -w '\n%{http_code}' "$URL$3")
	status=${o##*$'\n'}; body=${o%$'\n'*}
}
# The answer with the tag or number asked for replaced by X.
shape() { printf '%s %s' "$status" "$(printf '%s' "$body" | jq -c .error)" | sed "s/$1/X/g"; }

# METHOD PATH-WITH-@ BODY: @ is $B (or its row's number) for another
# prescriber, then a free tag (number 999): the same answer.
same() {
	local method=$1 path=$2 mine=$3 none=$4 shape_other
	as "$other" "$method" "${path/@/$mine}" "${5-}"
	shape_other=$(shape "$mine")
	is "$status" 404 "$method $path: another prescriber's gets 404"
	as "$other" "$method" "${path/@/$none}" "${5-}"
	is "$shape_other" "$(shape "$none")" "$method $path: the same answer as for nothing there"
	as "$own" "$method" "${path/@/$mine}" "${5-}"
	like "$status" '^20[01]$' "$method $path: its own prescriber is served"
}
same GET /v1/beneficiaries/@ "$B" "$free"
same GET /v1/beneficiaries/@/identity "$B" "$free"
same GET /v1/beneficiaries/@/offers "$B" "$free"
same GET /v1/diagnostics/@ "$B" "$free"
same GET /v1/orientations/@ "$orientation" 999
same GET /v1/certifications/@ "$certification" 999
same GET /v1/followups/@ "$followup" 999
sum=$(dbsum)
as "$other" PUT "/v1/beneficiaries/$B/identity" '{"first_name":"Intrus"}'
is "$status" 404 "PUT identity: another prescriber's gets 404"
sh=$(shape "$B")
as "$other" PUT "/v1/beneficiaries/$free/identity" '{"first_name":"Intrus"}'
is "$sh" "$(shape "$free")" "PUT identity: the same answer as for a free tag"
like "$sh" '"code":"unknown_tag".*"message":"beneficiary X does not exist"' "a free tag's sentence"
is "$(dbsum)" "$sum" "nothing written by either"
# The lists hold its own people only, whatever it filters on.
as "$other" GET "/v1/diagnostics?beneficiary=$B"
is "$status/$(jget '.items | length')" 200/0 "a list filtered on another's person is empty"
as "$other" GET "/v1/diagnostics?beneficiary=$free"
is "$status/$(jget '.items | length')" 200/0 "as one filtered on a free tag"
done_testing
