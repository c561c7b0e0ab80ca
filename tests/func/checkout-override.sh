#!/bin/bash
# A beneficiary not convoked is served only by a coordinator who gives a
# reason; the reason is in the ledger. The distribution team (role
# distribution) gets 403 and nothing is written; cancelling a checkout is
# a coordinator's too.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to drop privileges"; exit 0; }
chmod 755 "$T"
printf 'language en\nsocket-mode 0666\nrole user 1502 distribution\n' > "$T/roles.conf"
start_daemon -c "$T/roles.conf"
kit_setup
kit_ready "$B1"
api POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$P\"}"; E=$(jget .tag)
body='{"beneficiary":"'$B1'","kit":"'$K'","override_reason":"convocation perdue, pièce d identité vue","at":"2025-04-02T10:00"}'
as_team() {
	setpriv --reuid=1502 --regid=1502 --clear-groups curl -s \
	    -w '\n%{http_code}' --unix-socket "$SOCK" -X "$1" \
	    -H 'Content-Type: application/json' --data-binary "$3" \
	    "http://localhost$2"
}
before=$(dbsum)
out=$(as_team POST "/v1/distributions/$E/checkout" "$body")
is "${out##*$'\n'}" 403 "the distribution team cannot override a convocation"
like "$(jget .error.message "${out%$'\n'*}")" "only a coordinator may hand over to someone not convoked" "saying who may"
is "$(dbsum)" "$before" "nothing written"
out=$(as_team POST "/v1/distributions/$E/checkout" '{"beneficiary":"'$B1'","kit":"'$K'","at":"2025-04-02T10:00"}')
is "${out##*$'\n'}" 409 "without an override: not convoked"

api POST "/v1/distributions/$E/checkout" "$body"
is "$status" 201 "a coordinator hands over with a reason"
is "$(sql "SELECT reason || ' ' || json_extract(details_json, '$.override') FROM ledger WHERE entity='$B1' AND action='handed_over'")" "convocation perdue, pièce d identité vue 1" "the override and its reason are in B1's history"
is "$(sql "SELECT override_reason FROM handover")" "convocation perdue, pièce d identité vue" "and on the hand-over"
is "$(sql "SELECT count(*) FROM convocation")" 0 "no convocation is made up"

before=$(dbsum)
out=$(as_team POST "/v1/kits/$K/cancel-checkout" '{"reason":"erreur"}')
is "${out##*$'\n'}" 403 "the distribution team cannot cancel a checkout"
is "$(dbsum)" "$before" "nothing written"
done_testing
