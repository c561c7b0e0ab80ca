#!/bin/bash
# Alerts appear when something is late, expiring or short, and clear once
# it is dealt with: follow-ups overdue, kits ready and not collected,
# stock below what open diagnostics need, connections lapsed before 6
# months, top-ups due within N days, warranties ending, repairs open for
# more than N days. Dates are relative to today.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
d() { date -u -d "$1 days" +%F; }
counts() {
	api GET "/v1/alerts?days=${1:-14}"
	[ "$status" = 200 ] || echo "status $status"
	jget '[.counts.followup_overdue, .counts.kit_uncollected, .counts.stock_short, .counts.connection_short, .counts.topup_due, .counts.warranty_ending, .counts.repair_open] | join(" ")'
}
# Columns: followup_overdue kit_uncollected stock_short connection_short
# topup_due warranty_ending repair_open.
is "$(counts)" "4 0 0 0 0 0 0" "B1 and B2, diagnosed in March 2025, have both their follow-ups overdue"
api GET /v1/alerts
is "$(jget '[.items[] | select(.kind == "followup_overdue") | .subject] | unique | join(" ")')" "$B1 $B2" "naming them"
like "$(jget '.items[0].message')" "follow-up of B-[0-9]{7}-. was due on 2025-" "with a sentence"

kit_ready "$B1"
is "$(counts)" "4 1 0 0 0 0 0" "a kit ready since March 2025 and not collected"
api POST "/v1/devices/$D2/state" '{"to":"lost","reason":"volé au local"}'
is "$status" 200 "the last laptop in stock is lost"
is "$(counts)" "4 1 1 0 0 0 0" "stock below what B2's diagnostic needs"
api GET /v1/alerts
like "$(jget '.items[] | select(.kind == "stock_short") | .message')" "^0 laptop\\(s\\) in stock for 1 " "said so"
# Written one kind at a time, the counts after the items: each count is
# its kind's items, every kind is counted.
is "$(jget '[.counts | to_entries[] | select(.value > 0) | "\(.key)=\(.value)"] | sort | join(" ")')" "$(jget '[.items | group_by(.kind)[] | "\(.[0].kind)=\(length)"] | sort | join(" ")')" "the counts are the items of each kind"
is "$(jget '.counts | length')" 9 "every kind counted"
is "$(jget '[.days, .today | type] | join(" ")')" "number string" "days and today given"

api POST /v1/distributions "{\"held_on\":\"$(d -40)\",\"place\":\"$P\"}"; E=$(jget .tag)
api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$B1\"],\"at\":\"$(d -45)\"}"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"plan_months\":1,\"at\":\"$(d -40)T10:00\"}"
is "$status" 201 "B1 collects the kit 40 days ago, SIM paid one month"
is "$(counts)" "2 0 1 1 0 0 0" "collected; B1's follow-ups now count from the hand-over; the connection has lapsed"
# The connections short of the months are kept as they change
# (connection_open): the same as the coverage worked out for each
# connection handed over (GET /v1/connections).
conns() {
	api GET "/v1/connections?limit=1000"
	is "$(sql "SELECT coalesce(group_concat(tag, ','), '') FROM (SELECT m.tag FROM connection_open o JOIN topup t ON t.id = o.id JOIN sim m ON m.id = t.sim_id ORDER BY m.tag)")" \
	    "$(jget '[.items[] | select(.covered == false and (.state == "active" or .state == "suspended") and .paid_until != null) | .sim] | sort | join(",")')" "$1: the connections kept short are those worked out short"
	is "$(sql "SELECT count(*) FROM connection_open")" "$2" "$1: $2 short"
	is "$(sql "SELECT count(*) FROM connection_open o JOIN topup t ON t.id = o.id JOIN sim m ON m.id = t.sim_id WHERE o.due_on IS NOT m.paid_until")" 0 \
	    "$1: each kept with its due day, its SIM card's paid-until"
}
conns "lapsed after a month" 1
# A due day changed behind the daemon's back: the check shows both.
paid=$(sql "SELECT due_on FROM connection_open")
sql "UPDATE connection_open SET due_on = '2000-01-01'"
api GET /v1/check
is "$(jget '[.ok, (.checks[] | select(.name == "connection_open") | .differences[] | "\(.due_on) \(.counted) \(.kept)")] | join(" ")')" \
    "false 2000-01-01 0 1 $paid 1 0" "check finds a connection kept with another due day"
sql "UPDATE connection_open SET due_on = '$paid'"
api GET /v1/check
is "$(jget .ok)" true "and nothing once it is put back"
target=$(date -u -d "$(d -40) +6 months" +%F)
api POST /v1/topups "{\"sim\":\"$S1\",\"amount\":\"10\",\"paid_until\":\"$(d 7)\",\"at\":\"$(d -1)\"}"
is "$status" 201 "a top-up until next week"
is "$(counts)" "2 0 1 0 1 0 0" "no longer lapsed: a top-up is due within 14 days"
conns "topped up until next week" 1
is "$(counts 5)" "2 0 1 0 0 0 0" "but not within 5"
api GET /v1/alerts
like "$(jget '.items[] | select(.kind == "topup_due") | .message')" "SIM card $S1 of $B1 is paid until $(d 7): top it up to reach $target" "what to top up, and up to when"
api POST /v1/topups "{\"sim\":\"$S1\",\"amount\":\"50\",\"paid_until\":\"$target\",\"at\":\"$(d 0)\"}"
is "$(counts)" "2 0 1 0 0 0 0" "paid for 6 months: no top-up due"
conns "paid up to the 6 months, after a gap: still short of 6 months in a row" 1
sql "UPDATE programme SET value = '1' WHERE key = 'connection-months'"
conns "the programme asks for 1 month: the first month covers it" 0
sql "UPDATE programme SET value = '6' WHERE key = 'connection-months'"
conns "6 months again" 1

api PATCH "/v1/devices/$D1" "{\"warranty_until\":\"$(d 10)\"}"
is "$(counts)" "2 0 1 0 0 1 0" "a warranty ending within 14 days"
is "$(counts 5)" "2 0 1 0 0 0 0" "not within 5"
api PATCH "/v1/devices/$D1" '{"warranty_until":"2099-12-31"}'
api POST /v1/repairs "{\"device\":\"$D1\",\"reason\":\"écran cassé\",\"partner\":\"$X\",\"at\":\"$(d -20)\"}"
is "$status" 201 "a repair opened 20 days ago"
R=$(jget .id)
is "$(counts)" "2 0 1 0 0 0 1" "open for more than 14 days"
is "$(counts 30)" "2 0 1 0 0 0 0" "not more than 30"
api POST "/v1/repairs/$R/close" '{"outcome":"repaired"}'
is "$status" 200 "repaired"
api POST /v1/followups "{\"beneficiary\":\"$B2\",\"reached\":false,\"at\":\"$(d -2)\"}"
api POST /v1/followups "{\"beneficiary\":\"$B2\",\"reached\":false,\"at\":\"$(d -1)\"}"
api POST "/v1/devices/$D2/state" '{"to":"in_stock","reason":"retrouvé"}'
is "$(counts)" "0 0 0 0 0 0 0" "everything dealt with: no alert"
ks alerts
is "$rc" 0 "kitstock alerts"
is "$out" "No alert within 14 days." "says there is none"
api PATCH "/v1/devices/$D1" "{\"warranty_until\":\"$(d 3)\"}"
ks alerts --days 7
like "$out" "warranty_ending +$D1 +.* $(d 3) +the warranty of $D1 \\(laptop\\) ends on $(d 3)" "the client's table"

# The open needs are counted as they change (need_count): after each
# change, the same as counting everyone diagnosed against their kits.
needs() {
	is "$(sql "SELECT coalesce(group_concat(kind || ':' || n, ' '), '') FROM (SELECT kind, n FROM need_count WHERE n > 0 ORDER BY kind)")" "$1" "$2: counted"
	is "$(sql "SELECT coalesce(group_concat(kind || ':' || n, ' '), '') FROM (SELECT d.device_need AS kind, count(*) AS n FROM diagnostic d WHERE d.device_need <> 'none' AND NOT EXISTS (SELECT 1 FROM kit k WHERE k.beneficiary_id = d.beneficiary_id AND k.state NOT IN ('cancelled', 'returned')) GROUP BY 1 ORDER BY 1)")" "$1" "$2: as a recount finds"
}
needs "laptop:1" "B1 holds a kit; B2 waits for a laptop"
api GET "/v1/alerts?days=7"
is "$(jget '[.items[] | select(.kind == "stock_short")] | length')" 0 "no shortage: a laptop is in stock for B2"
api PATCH "/v1/diagnostics/$B2" '{"device_need":"tablet","reason":"préfère une tablette"}'
is "$status" 200 "B2's need becomes a tablet"
needs "tablet:1" "the need moved to tablets"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"devices\":[\"tablet\"],\"at\":\"$(d 0)\"}"; K2=$(jget .tag)
is "$status" 201 "a kit planned for B2"
needs "" "a kit planned meets the need"
api POST "/v1/kits/$K2/cancel" '{"reason":"absent"}'
is "$status" 200 "the kit cancelled"
needs "tablet:1" "the need is open again"
api POST "/v1/kits/$K/return" "{\"reason\":\"déménage\",\"location\":\"$W\"}"
is "$status" 200 "B1 gives the kit back"
needs "laptop:1 tablet:1" "B1 waits again for a laptop"
api GET "/v1/alerts?days=7"
is "$(jget '[.items[] | select(.kind == "stock_short")] | length')" 0 "a laptop and a tablet in stock: no shortage"
api POST "/v1/devices/$D3/state" '{"to":"lost","reason":"volée"}'
api GET "/v1/alerts?days=7"
like "$(jget '.items[] | select(.kind == "stock_short") | .message')" "^0 tablet\\(s\\) in stock for 1 " "no tablet left for B2's need"
api PATCH "/v1/diagnostics/$B2" '{"device_need":"none","reason":"équipée par sa famille"}'
needs "laptop:1" "a need withdrawn"
api GET /v1/check
is "$(jget '[.ok, (.checks[] | select(.name == "need_count") | .ok)] | join(" ")')" "true true" "check: the needs kept match a recount"
sql "UPDATE need_count SET n = n + 2 WHERE kind = 'laptop'"
api GET /v1/check
is "$(jget '[.ok, (.checks[] | select(.name == "need_count") | .differences[] | "\(.kind) \(.counted) \(.kept)")] | join(" ")')" "false laptop 1 3" "check finds a count changed behind the daemon's back"
ks check
is "$rc" 1 "kitstock check exits 1"
like "$(printf '%s\n' "$out" | grep -A2 need_count)" "laptop +1 +3" "naming the kind, counted and kept"
sql "UPDATE need_count SET n = n - 2 WHERE kind = 'laptop'"
sql "INSERT INTO connection_open (id) SELECT id FROM topup WHERE kind = 'activation'"
api GET /v1/check
is "$(jget '[.ok, (.checks[] | select(.name == "connection_open") | .differences[] | "\(.sim) \(.counted) \(.kept)")] | join(" ")')" "false $S1 0 1" "check finds a connection held short that is covered"
sql "DELETE FROM connection_open"
api GET /v1/check
is "$(jget .ok)" true "and nothing else"

before=$(dbsum)
for v in -1 3651 abc 1.5 ''; do
	api GET "/v1/alerts?days=$v"
	is "$status $(jget .error.field)" "400 days" "days=$v: refused, naming the field"
done
is "$(dbsum)" "$before" "nothing written"
done_testing
