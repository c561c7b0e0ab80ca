#!/bin/bash
# Top-ups refused, each with a sentence and nothing written: a paid-until
# not after the current one or the top-up's date, a top-up before the
# hand-over, a SIM card never handed over, unknown or mistyped SIM cards,
# a device given as SIM, both or neither of sim and beneficiary.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
T_=/v1/topups
tb() { printf '{"sim":"%s","amount":"%s","paid_until":"%s","at":"%s"}' "$1" "$2" "$3" "$4"; }

refused POST $T_ "$(tb "$S1" 10 2025-05-01 2025-04-20)" 409 date_order "paid_until 2025-05-01 is not after $S1's current paid-until, 2025-05-02" "a paid-until not after the current one"
refused POST $T_ "$(tb "$S1" 10 2025-04-19 2025-04-20)" 400 date_order "paid_until 2025-04-19 is not after the top-up's date, 2025-04-20" "a paid-until before the top-up"
refused POST $T_ "$(tb "$S1" 10 2025-09-01 2025-03-30)" 409 date_order "a top-up of $S1 on 2025-03-30 cannot come before its hand-over on 2025-04-02" "a top-up before the hand-over"
refused POST $T_ "$(tb "$S2" 10 2025-09-01 2025-04-20)" 409 not_connected "$S2 was not activated at a hand-over" "a SIM card never handed over"
refused POST $T_ "$(tb "$(mktag S 60)" 10 2025-09-01 2025-04-20)" 404 unknown_tag "nothing is registered as $(mktag S 60)" "an unknown SIM card"
refused POST $T_ "$(tb "S-0000001-A" 10 2025-09-01 2025-04-20)" 400 invalid_tag "check character" "a mistyped SIM tag"
refused POST $T_ "$(tb "$D1" 10 2025-09-01 2025-04-20)" 400 wrong_kind "$D1 is a device, not a SIM card" "a device given as SIM card"
refused POST $T_ "$(tb "$S1" 10 2025-02-30 2025-04-20)" 400 invalid_field "2025-02-30" "a paid-until that is no date"
refused POST $T_ "$(tb "$S1" dix 2025-09-01 2025-04-20)" 400 invalid_field "dix" "an amount that is no amount"
refused POST $T_ "$(tb "$S1" 10 2025-09-01 2099-01-01)" 400 invalid_field "in the future" "a top-up in the future"
refused POST $T_ '{"amount":"10","paid_until":"2025-09-01"}' 400 missing_field "give the SIM card" "neither sim nor beneficiary"
refused POST $T_ "{\"sim\":\"$S1\",\"beneficiary\":\"$B1\",\"amount\":\"10\",\"paid_until\":\"2025-09-01\"}" 400 invalid_field "not both" "both sim and beneficiary"
refused POST $T_ "{\"beneficiary\":\"$B2\",\"amount\":\"10\",\"paid_until\":\"2025-09-01\"}" 409 not_connected "$B2 has no SIM card activated at a hand-over" "a beneficiary not connected"
refused POST $T_ "{\"sim\":\"$S1\",\"paid_until\":\"2025-09-01\"}" 400 missing_field "amount is required" "no amount"
api POST "/v1/sims/$S1/state" '{"to":"terminated","reason":"résilié"}'
refused POST $T_ "$(tb "$S1" 10 2025-09-01 2025-04-20)" 409 wrong_state "$S1 is terminated: only an active or suspended SIM card is topped up" "a terminated SIM card"
api GET "/v1/topups/due?before=2025-13-01"
is "$status/$(jget .error.field)" "400/before" "a bad date for due is refused"
ks topup add "$S1" --amount 10
is "$rc" 2 "kitstock topup add without --paid-until is a usage error"

# The lists' pages and filters refused, naming the field.
for u in /v1/topups /v1/connections; do
	for q in "after=un" "after=0" "after=-3" "after=" "limit=0" "limit=5000" "limit=dix"; do
		refused GET "$u?$q" "" 400 invalid_field "${q%%=*} " "GET $u?$q"
		is "$(jget .error.field)" "${q%%=*}" "$u?$q: the field named"
	done
done
# The due list's cursor is the next of the page before: a date, a dot, an
# activation.
for q in "after=un" "after=2025-13-01.1" "after=2025-05-02" "after=2025-05-02." "after=2025-05-02.0" "after=2025-05-02.x" "after=" "limit=0" "limit=5000" "limit=dix"; do
	case $q in
	after=*) why="after ${q#after=}: expected the value given as next" ;;
	*) why="limit ${q#limit=}: expected a number from 1 to 1000" ;;
	esac
	refused GET "/v1/topups/due?$q" "" 400 invalid_field "$why" "GET /v1/topups/due?$q"
	is "$(jget .error.field)" "${q%%=*}" "/v1/topups/due?$q: the field named"
done
refused GET "/v1/topups?sim=S-0000001-A" "" 400 invalid_field "check character" "a mistyped SIM tag to list"
is "$(jget .error.field)" sim "the field named: sim"
refused GET "/v1/topups?beneficiary=B-0000001-A" "" 400 invalid_field "check character" "a mistyped beneficiary to list"
is "$(jget .error.field)" beneficiary "the field named: beneficiary"
refused GET "/v1/connections?beneficiary=nobody" "" 400 invalid_field "nobody" "a beneficiary that is no tag"
is "$(jget .error.field)" beneficiary "the field named: beneficiary"
for u in /v1/connections /v1/topups/due; do
	refused GET "$u?territory=T99" "" 400 invalid_field "territory T99 is not a territory of the programme \\(T6, " "$u: an unknown territory"
	is "$(jget .error.field)" territory "$u: the field named: territory"
done
api GET "/v1/topups?limit=1&after=1"
is "$status $(jget '.items | length')" "200 0" "still serving: after the last top-up, none"
ks topup list --limit 0
like "$rc" "^[1-9]" "kitstock topup list --limit 0 fails"
like "$err" "limit 0: expected a number from 1 to 1000" "saying why"
done_testing
