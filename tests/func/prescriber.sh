#!/bin/bash
# Prescribers (P-): the structures that refer people, with their kind,
# territory and referent; added, listed, shown and corrected through the
# API and the client; every bad input refused with a sentence, nothing
# written.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon

api POST /v1/prescribers '{"kind":"mission_locale","name":"Mission locale Saint-Denis","territory":"T6","contact":"Référente ML, 01 49 00 00 00"}'
is "$status" 201 "a prescriber is added"
P=$(jget .tag)
like "$P" '^P-0000001-.$' "it gets a P- tag"
is "$(jget .territory)" T6 "with its territory"
is "$(sql "SELECT action FROM ledger WHERE entity='$P'")" create "its creation is in the ledger"

ks prescriber add --kind ase --name "ASE circonscription Bobigny" --territory T8
is "$rc" 0 "the client adds one"
P2=$out
like "$P2" '^P-0000002-.$' "and prints its tag"
ks prescriber add --kind france_travail --name "France Travail Montreuil"
is "$rc" 0 "the territory is optional"
ks prescriber list
like "$out" "ASE circonscription Bobigny" "the list names them"
is "$(printf '%s\n' "$out" | wc -l)" 4 "a header and three rows"
ks prescriber list --kind ase
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1}')" "$P2" "filtered by kind"
ks prescriber show "$P"
like "$out" 'contact: Référente ML' "show gives the referent's contact"
ks prescriber edit "$P2" --territory T9 --reason "circonscription rattachée à GPGE"
is "$rc" 0 "a correction"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || reason FROM ledger WHERE entity='$P2' AND action='edit'")" "T8>T9 circonscription rattachée à GPGE" "recorded old and new, with the reason"

sum=$(dbsum)
refused() { # code field regex name: the last API answer
	is "$status" "$1" "$4: status $1"
	is "$(jget .error.field)" "$2" "$4: names the field"
	like "$(jget .error.message)" "$3" "$4: says what is wrong"
}
api POST /v1/prescribers '{"kind":"mairie","name":"X"}'
refused 400 kind 'kind "mairie" is not known: expected one of pie, rsa_association' "unknown kind"
api POST /v1/prescribers '{"kind":"pie","name":"X","territory":"T5"}'
refused 400 territory 'territory T5 is not a territory of the programme \(T6, T7, T8, T9\)' "unknown territory"
api POST /v1/prescribers '{"kind":"pie"}'
refused 400 name 'name is required' "missing name"
api POST /v1/prescribers '{"kind":"mission_locale","name":"Mission locale Saint-Denis"}'
is "$status" 409 "the same kind and name twice: 409"
like "$(jget .error.message)" 'already registered' "saying so"
api PATCH "/v1/prescribers/$P" '{"kind":"cantine"}'
refused 400 kind 'kind "cantine" is not known' "unknown kind in an edit"
api GET "/v1/prescribers/P-0000001-Z"
is "$status" 400 "a mistyped tag"
like "$(jget .error.message)" 'P-0000001-Z' "is named"
api GET "/v1/prescribers/$(mktag P 99)"
refused 404 tag "$(mktag P 99) does not exist" "an unknown tag"
ks prescriber add --kind mairie --name X
is "$rc" 1 "the client: refused by kitstockd"
like "$err" 'kind "mairie" is not known' "with kitstockd's sentence"
ks prescriber add --name X
is "$rc" 2 "a required option missing is a usage error"
like "$err" '\-\-kind is required' "saying which"
ks prescriber show P-0000001-Z
is "$rc" 1 "a bad check character refused by the client"
is "$(dbsum)" "$sum" "no refusal changed the database"
done_testing
