#!/bin/bash
# Bad input on every report route: a 4xx whose error names the field and
# says what is wrong, the database unchanged, the daemon still serving.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
before=$(dbsum)
bad() {
	api GET "$1"
	is "$status $(jget .error.field)" "$2 $3" "GET $1: $2 naming $3"
	like "$(jget .error.message)" "$4" "GET $1: says why"
}
for r in /v1/indicators /v1/exports/indicators; do
	bad "$r?from=2024-13-01" 400 from 'from: '
	bad "$r?to=yesterday" 400 to 'to: '
	bad "$r?from=2024-06-01&to=2024-01-01" 400 to 'comes before from 2024-06-01'
	bad "$r?territory=T5" 400 territory 'territory "T5" is not one of the programme'
	bad "$r?territory=" 400 territory 'territory "" is not one'
done
for r in /v1/alerts /v1/exports/warranties /v1/exports/repairs /v1/exports/followups /v1/exports/stock /v1/exports/sims; do
	bad "$r?days=-3" 400 days 'days "-3" must be a whole number from 0 to 3650'
	bad "$r?days=x" 400 days 'whole number'
done
bad /v1/exports/prescriber 400 prescriber 'prescriber is required'
bad "/v1/exports/prescriber?prescriber=P-1" 400 prescriber 'prescriber: '
bad "/v1/exports/prescriber?prescriber=$(mktag P 77)" 404 prescriber "prescriber $(mktag P 77) does not exist"
bad /v1/exports/evaluation 409 null 'pseudonym-key FILE'
bad /v1/exports/nonesuch 404 null 'there is no /v1/exports/nonesuch'
bad /dashboard/nonesuch.js 404 null 'there is no nonesuch.js'
api POST /v1/indicators '{}'
is "$status" 405 "indicators are read, not written"
api POST /v1/session '{"token":"ks_nope","extra":1}'
is "$status $(jget .error.field)" "400 extra" "session: an unknown field, named"
api POST /v1/session '[1]'
is "$status" 400 "session: not an object"
is "$(dbsum)" "$before" "nothing written by any of them"
is "$(alive)" 200 "the daemon still serves"
ks indicators --from 2024-13-01
is "$rc" 1 "the client: refused"
like "$err" 'from: ' "with kitstockd's sentence"
ks alerts --days many
is "$rc" 1 "kitstock alerts --days many: refused"
done_testing
