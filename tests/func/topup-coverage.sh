#!/bin/bash
# Connection for 6 months: the SIM card is active from its hand-over,
# paid for its plan; top-ups (date, amount, new paid-until) carry it on.
# For each connected beneficiary: the period covered without a break,
# where coverage ends, whether hand-over + 6 months is covered; and the
# list of top-ups due, with their dates.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$B2\"]}"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"plan_months\":2,\"at\":\"2025-04-02T10:00\"}"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
api POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\",\"$S2\"]}"
api POST "/v1/kits/$K2/ready" '{"at":"2025-03-21"}'
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B2\",\"kit\":\"$K2\",\"at\":\"2025-04-02T11:00\"}"

api GET /v1/connections
is "$(jget .months)" 6 "the programme asks for 6 months (its profile's connection-months)"
is "$(jget "[.items[] | select(.beneficiary == \"$B1\") | .covered_from, .covered_until, .target_until, .covered] | join(\" \")")" "2025-04-02 2025-06-02 2025-10-02 false" "B1: covered from the hand-over to 2025-06-02, 6 months would be 2025-10-02"

# Due: both, soonest first, with their dates.
api GET /v1/topups/due
is "$(jget '[.items[] | "\(.beneficiary) \(.due_on) \(.overdue)"] | join(",")')" "$B2 2025-05-02 true,$B1 2025-06-02 true" "the top-ups due, soonest first, overdue as their dates are past"
api GET "/v1/topups/due?before=2025-05-15"
is "$(jget '[.items[].beneficiary] | join(",")')" "$B2" "due before a date"

# The due list (read from the connections kept short of the months,
# connection_open) is what every connection says: live, paid until before
# hand-over + months; soonest first, then in the order of activation.
due_is_connections() {
	api GET "/v1/connections?limit=1000$1"
	local want=$(jget '[.items[] | select(.paid_until != null and .paid_until < .target_until and (.state == "active" or .state == "suspended"))] | sort_by(.paid_until) | [.[] | "\(.beneficiary) \(.paid_until) \(.target_until)"] | join(",")')
	api GET "/v1/topups/due${1:+?${1#&}}"
	is "$(jget '[.items[] | "\(.beneficiary) \(.due_on) \(.target_until)"] | join(",")')" "$want" "$2"
}
due_is_connections "" "due: as every connection says"
api GET /v1/alerts
is "$(jget '[.items[] | select(.kind == "connection_short") | "\(.subject) \(.on)"] | join(",")') $(jget .counts.topup_due)" "$S2 2025-05-02,$S1 2025-06-02 0" "alerts: both connections lapsed, the oldest first; none due ahead"
# A page at a time: one, then the next from its cursor (date.activation).
api GET "/v1/topups/due?limit=1"
is "$(jget '[.items[] | "\(.beneficiary) \(.due_on)"] | join(",")') $(jget .next)" "$B2 2025-05-02 2025-05-02.2" "a page of one, the soonest, and the cursor of the next"
api GET "/v1/topups/due?limit=1&after=2025-05-02.2"
is "$(jget '[.items[] | "\(.beneficiary) \(.due_on)"] | join(",")') $(jget .next)" "$B1 2025-06-02 null" "the next page: the last"
api GET "/v1/topups/due?limit=1&after=2025-05-02.1"
is "$(jget '[.items[].beneficiary] | join(",")')" "$B2" "a cursor of no item: what comes after it"
ks topup due --limit 1
is "$rc" 0 "kitstock topup due --limit 1"
like "$err" "more follow: add --after 2025-05-02.2" "says more follow, and from where"
ks topup due --all --limit 1; paged=$out
ks topup due
is "$paged" "$out" "--all, one at a time: the same as the list whole"
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" "2025-05-02 2025-06-02 " "soonest first"
api POST "/v1/sims/$S1/state" '{"to":"suspended","reason":"impayé"}'
is "$status" 200 "S1 suspended"
due_is_connections "" "a suspended SIM card is still due"
api POST "/v1/sims/$S1/state" '{"to":"active","reason":"payé"}'
is "$status" 200 "S1 active again"
sql "UPDATE programme SET value = '2' WHERE key = 'connection-months'"
api GET /v1/topups/due
is "$(jget '[.items[] | "\(.beneficiary) \(.target_until)"] | join(",")')" "$B2 2025-06-02" "2 months asked: B1, paid for 2, is no longer due"
due_is_connections "" "as every connection says, with 2 months"
sql "UPDATE programme SET value = '6' WHERE key = 'connection-months'"
due_is_connections "&territory=T8" "due in T8: as its connections say"
due_is_connections "&territory=T6" "due in T6: as its connections say"

# B1: topped up in time, by number as typed, then by tag: covered.
ks topup add "06 12 34 56 78" --amount 15 --paid-until 2025-08-02 --at 2025-06-01
is "$rc" 0 "kitstock topup add, the SIM card given by its number"
like "$out" "$S1 topped up on 2025-06-01 \\(15.00 €\\): paid until 2025-08-02" "says so"
ks topup add "$B1" --amount 15 --paid-until 2025-10-02 --at 2025-08-01
is "$rc" 0 "kitstock topup add, given the beneficiary"
is "$(sql "SELECT paid_until FROM sim WHERE tag='$S1'")" 2025-10-02 "the SIM card's paid-until moved on"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$B1' AND action='topup'")" 2 "each top-up is in B1's history"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || json_extract(details_json, '$.amount') FROM ledger WHERE entity='$S1' AND action='topup' ORDER BY id DESC LIMIT 1")" "2025-08-02>2025-10-02 15.00" "and in the SIM card's"

# B2: topped up after a break; covered to the end, but not without one.
api POST /v1/topups "{\"sim\":\"89330123456789012359\",\"amount\":\"30\",\"paid_until\":\"2025-11-01\",\"at\":\"2025-05-20\"}"
is "$status" 201 "B2's SIM card topped up by ICCID, after its plan ran out"
api GET /v1/connections
is "$(jget "[.items[] | select(.beneficiary == \"$B1\") | .covered_until, .covered, .topups] | join(\" \")")" "2025-10-02 true 2" "B1: 6 months covered, with 2 top-ups"
is "$(jget "[.items[] | select(.beneficiary == \"$B2\") | .covered_until, .paid_until, .covered] | join(\" \")")" "2025-05-02 2025-11-01 false" "B2: paid until November, but covered without a break only to 2025-05-02"
is "$(jget "[.items[] | select(.beneficiary == \"$B2\") | .gaps[] | \"\(.from)>\(.to)\"] | join(\",\")")" "2025-05-02>2025-05-20" "the break is shown"
api GET /v1/topups/due
is "$(jget '.items | length')" 0 "nothing due any more"
is "$(sql "SELECT b.tag FROM connection_open o JOIN topup t ON t.id = o.id JOIN beneficiary b ON b.id = t.beneficiary_id")" "$B2" "B2 is still short of the months (a break)"
api GET /v1/alerts
is "$(jget .counts.connection_short) $(jget .counts.topup_due)" "0 0" "alerts: none, B2 is paid past its months (its break is in its coverage)"
due_is_connections "" "but paid until after them: not due, as its connection says"
ks topup coverage --beneficiary "$B2"
like "$out" "$B2 +$S2 +active +2025-04-02 +2025-05-02 +2025-10-02 +no +1" "kitstock topup coverage"
like "$out" "not covered from 2025-05-02 to 2025-05-20" "with the break"
ks topup list --beneficiary "$B1"
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $3 " " $4 " " $6}' | tr '\n' ',')" "activation 2025-04-02 2025-06-02,topup 2025-06-01 2025-08-02,topup 2025-08-01 2025-10-02," "kitstock topup list: the paid periods"
ks topup due
is "$(printf '%s\n' "$out" | wc -l)" 1 "kitstock topup due: a header, nothing due"

# The top-ups a page at a time, in the order they were recorded (id):
# 1 and 2 the activations of S1 and S2, 3 and 4 S1's top-ups, 5 S2's.
ids() { jget '[.items[].id] | join(",")'; }
api GET /v1/topups
is "$(ids) $(jget .next)" "1,2,3,4,5 null" "every top-up, in id order, no next page"
api GET "/v1/topups?limit=2"
is "$(ids) $(jget .next)" "1,2 2" "a page of two, and where the next begins"
api GET "/v1/topups?limit=2&after=2"
is "$(ids) $(jget .next)" "3,4 4" "the next page"
api GET "/v1/topups?limit=2&after=4"
is "$(ids) $(jget .next)" "5 null" "the last page"
api GET "/v1/topups?sim=$S1"
is "$(ids) $(jget '[.items[].sim] | unique | join(",")')" "1,3,4 $S1" "S1's top-ups"
api GET "/v1/topups?sim=$S1&limit=1&after=1"
is "$(ids) $(jget .next)" "3 3" "S1's, a page of one after its activation"
api GET "/v1/topups?beneficiary=$B2"
is "$(ids) $(jget '[.items[].beneficiary] | unique | join(",")')" "2,5 $B2" "B2's top-ups"
api GET "/v1/topups?sim=$S1&beneficiary=$B2"
is "$status $(jget '.items | length')" "200 0" "S1 was not handed over to B2: none"
ks topup list --limit 2
is "$rc" 0 "kitstock topup list --limit 2"
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l)" 2 "two rows"
like "$err" "more follow: add --after 2" "says more follow"
ks topup list; whole=$out
ks topup list --all --limit 2
is "$out" "$whole" "--all, two at a time: the same rows as the list unpaged"
ks topup list --after 4
is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1 " " $3}')" "$S2 topup" "--after 4: the last top-up, S2's"

# The connections a page at a time, in the order of their activation.
acts() { jget '[.items[] | "\(.activation):\(.beneficiary)"] | join(",")'; }
api GET "/v1/connections?limit=1"
is "$(acts) $(jget .next) $(jget .months)" "1:$B1 1 6" "a page of one connection: B1's, activated by top-up 1"
api GET "/v1/connections?limit=1&after=1"
is "$(acts) $(jget .next)" "2:$B2 null" "then B2's, the last"
api GET "/v1/connections?beneficiary=$B2"
is "$(acts) $(jget '.items[0].covered_until')" "2:$B2 2025-05-02" "B2's connection, its coverage worked out as before"
api GET "/v1/connections?territory=T6"
is "$(acts)" "1:$B1" "the connections of T6 (Saint-Denis): B1's"
api GET "/v1/connections?territory=T8"
is "$(acts)" "2:$B2" "of T8 (Bobigny): B2's"
api PATCH "/v1/beneficiaries/$B2" '{"commune":"93066"}'
is "$status" 200 "B2 moves to Saint-Denis"
api GET "/v1/connections?territory=T6"
is "$(acts)" "1:$B1,2:$B2" "their connection follows them to T6"
api GET "/v1/connections?territory=T6&beneficiary=$B2&limit=1"
is "$(acts) $(jget .next)" "2:$B2 null" "both filters at once"
api GET "/v1/topups/due?territory=T8"
is "$status $(jget '.items | length')" "200 0" "nothing due in T8 any more"
ks topup coverage --limit 1
is "$rc" 0 "kitstock topup coverage --limit 1"
like "$err" "more follow: add --after 1" "says more follow"
ks topup coverage; whole=$out
ks topup coverage --all --limit 1
is "$out" "$whole" "--all, one at a time: the same connections, breaks and all"
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "$B1 $B2 $B2: " "both, in the order of their activation, then B2's break"

# Migrations 22 to 25 on a database of before them, with these top-ups:
# each top-up gets its hand-over's beneficiary and that person's territory
# (B2 now in T6), the open needs and short connections are counted, each
# connection with the day it falls due.
scope="SELECT group_concat(t.id || ':' || b.tag || ':' || t.territory, ' ') FROM topup t JOIN beneficiary b ON b.id = t.beneficiary_id"
want_scope=$(sql "$scope")
want_open=$(sql "SELECT group_concat(id || ':' || due_on) FROM connection_open")
is "$want_scope" "1:$B1:T6 2:$B2:T6 3:$B1:T6 4:$B1:T6 5:$B2:T6" "each top-up's beneficiary and territory, as kept"
stop_daemon
sqlite3 -batch "$DB" "$UNDO_AFTER_25" || echo "Bail out! cannot undo the migrations after 25"
sqlite3 -batch "$DB" "PRAGMA foreign_keys = OFF; BEGIN;
    DROP TRIGGER topup_scope; DROP TRIGGER topup_scope_territory;
    DROP INDEX topup_sim_page; DROP INDEX topup_beneficiary;
    DROP INDEX topup_connection; ALTER TABLE topup DROP COLUMN beneficiary_id;
    ALTER TABLE topup DROP COLUMN territory;
    $UNDO_23_25 PRAGMA user_version = 21; COMMIT" ||
    echo "Bail out! cannot undo migrations 22 to 25"
is "$(sql "SELECT count(*) FROM pragma_table_info('topup') WHERE name IN ('beneficiary_id', 'territory')")" 0 "before migration 22: top-ups without beneficiary nor territory"
start_daemon
is "$(sql "PRAGMA user_version")" 28 "migrated to 28"
is "$(sql "$scope")" "$want_scope" "migration 22: each top-up has its beneficiary and territory back"
like "$want_open" '^[0-9]+:[0-9-]{10}' "connections short of the months, each with its due day"
is "$(sql "SELECT group_concat(id || ':' || due_on) FROM connection_open")" "$want_open" "migrations 24 and 25: the same connections short of the months, the same due days"
ks check
is "$rc" 0 "kitstock check: the kept counts agree with the tables"
done_testing
