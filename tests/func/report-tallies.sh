#!/bin/bash
# Indicators are read from tallies kept in the write transaction
# (store-tally.c): for any period they equal a count made here from the
# tables themselves; a cancelled hand-over, a person moved to another
# territory with sqlite3, a change of the months a connection must be paid
# for and 2,500 people inserted behind the daemon's back all show in the
# next answer; a refused write leaves the tallies as they were; and
# "kitstock check" finds a tally changed by hand.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
start_daemon
report_generate 64

check_ok() {	# GET /v1/check: every check passes
	api GET /v1/check
	is "$(jget '[.ok, (.checks[] | "\(.name)=\(.ok)")] | join(" ")')" \
	    "true stock_count=true need_count=true connection_open=true report_fact=true report_tally=true" "$1"
}
# indicator MEASURE FROM TO [TERRITORY]: the count the daemon answers.
indicator() {
	local q=
	[ -n "$2" ] && q="from=$2&to=$3"
	[ -n "${4:-}" ] && q="${q:+$q&}territory=$4"
	api GET "/v1/indicators?$q"
	jget ".scopes[] | select(.code == \"${4:-departement}\") | .$1.count"
}
# The same counted from the tables: first steps inside the period.
FIRST_EQUIPPED="SELECT h.beneficiary_id AS id, min(substr(h.at, 1, 10)) AS d
    FROM handover h WHERE h.cancelled_at IS NULL AND EXISTS (SELECT 1
    FROM kit_unit u JOIN device v ON v.id = u.device_id WHERE u.kit_id =
    h.kit_id AND u.removed_at IS NULL AND v.kind <> '4g-router')
    GROUP BY h.beneficiary_id"
counted() {
	local terr=
	[ -n "${4:-}" ] && terr="AND b.territory = '$4'"
	case $1 in
	diagnosed) sql "SELECT count(*) FROM diagnostic d JOIN beneficiary b
	    ON b.id = d.beneficiary_id WHERE d.diagnosed_on BETWEEN '$2' AND '$3' $terr" ;;
	equipped) sql "SELECT count(*) FROM ($FIRST_EQUIPPED) e JOIN beneficiary b
	    ON b.id = e.id WHERE e.d BETWEEN '$2' AND '$3' $terr" ;;
	esac
}

d='.scopes[] | select(.code == "departement")'
check_ok "after 64 people made through the API, the tallies match the tables"
for p in "2022-05-15 2022-05-15" "2023-12-31 2024-03-05" "2024-02-01 2024-09-04" \
    "2024-03-06 2024-12-31" "2024-01-01 2024-12-31" "2024-03-05 2024-03-05" \
    "2021-11-30 2026-02-01"; do
	read -r a b <<< "$p"
	for m in diagnosed equipped; do
		is "$(indicator $m "$a" "$b")" "$(counted $m "$a" "$b")" "$m from $a to $b: as counted from the tables"
	done
	is "$(indicator equipped "$a" "$b" T7)" "$(counted equipped "$a" "$b" T7)" "equipped from $a to $b in T7"
done
is "$(indicator diagnosed 2024-02-01 2024-02-01)" "${EXP[departement late]}" "the late diagnostics are all on 2024-02-01"

# Breakdowns: every territory's by default for a département, or the
# whole's only; a value neither is refused and changes nothing.
api GET /v1/indicators
all=$body
is "$(jget .breakdowns)" all "a département's four territories come with their breakdowns"
api GET '/v1/indicators?breakdowns=whole'
is "$(jget '[.breakdowns, (.scopes[] | select(.code == "T6") | .communes | length)] | join(" ")')" "whole 0" "breakdowns=whole: none for T6"
is "$(jget "$d | .communes | tojson")" "$(jget "$d | .communes | tojson" "$all")" "the département's the same either way"
# The people not yet covered are listed with the breakdowns: the whole's
# only (a national answer listed 50 of each of its 100 territories), and
# every scope still counts them.
t='[.scopes[] | select(.code != "departement") | .connected]'
is "$(jget "$t | map(has(\"not_yet\")) | unique | join(\" \")" "$all")" true "by default each territory lists its people not yet covered"
is "$(jget "$t | map(has(\"not_yet\")) | unique | join(\" \")")" false "breakdowns=whole: no territory lists them"
is "$(jget "$t | map(.not_yet_covered) | join(\" \")")" "$(jget "$t | map(.not_yet_covered) | join(\" \")" "$all")" "each still counts them"
is "$(jget "$d | .connected.not_yet | tojson")" "$(jget "$d | .connected.not_yet | tojson" "$all")" "the département lists its own"
like "$(jget "$d | .connected.not_yet | length")" '^[1-9]' "who are some"
# Asked for (breakdowns=all), the answer is made one territory at a time
# (it holds one territory's breakdowns at once): the same content as the
# answer made whole, for all time and for a period, and each territory's
# scope the same as asked alone.
api GET '/v1/indicators?breakdowns=all'
is "$status $(jget .breakdowns)" "200 all" "breakdowns=all asked"
is "$(jq -S . <<< "$body")" "$(jq -S . <<< "$all")" "made one territory at a time: the same answer"
api GET '/v1/indicators?breakdowns=all&from=2024-02-01&to=2024-09-04'; streamed=$body
api GET '/v1/indicators?from=2024-02-01&to=2024-09-04'
is "$(jq -S . <<< "$streamed")" "$(jq -S . <<< "$body")" "and for a period"
for t in $(jget '.scopes[] | select(.code != "departement") | .code' "$streamed"); do
	api GET "/v1/indicators?territory=$t&from=2024-02-01&to=2024-09-04"
	is "$(jget '.scopes[0]' | jq -S .)" "$(jget ".scopes[] | select(.code == \"$t\")" "$streamed" | jq -S .)" "$t: its scope as asked alone"
done
s=$(dbsum)
api GET '/v1/indicators?breakdowns=tout'
is "$status $(jget .error.field)" "400 breakdowns" "breakdowns=tout is refused"
like "$(jget .error.message)" 'breakdowns "tout" is not one of all' "saying what it may be"
is "$(dbsum)" "$s" "and changes nothing"

# A cancelled hand-over: one person fewer equipped, one device fewer.
api GET /v1/indicators; before=$body
K=$(sql "SELECT k.tag FROM kit k JOIN handover h ON h.kit_id = k.id
    WHERE h.cancelled_at IS NULL AND substr(h.at, 1, 10) = '2024-03-05' ORDER BY k.id LIMIT 1")
api POST "/v1/kits/$K/cancel-checkout" '{"reason":"remis par erreur"}'
is "$status" 200 "a checkout cancelled"
api GET /v1/indicators
d='.scopes[] | select(.code == "departement")'
is "$(jget "$d | [.equipped.count, .supply.devices] | join(\" \")")" \
    "$(($(jget "$d | .equipped.count" "$before") - 1)) $(($(jget "$d | .supply.devices" "$before") - 1))" \
    "the cancelled hand-over no longer counts as equipped nor as a device"
is "$(indicator equipped 2024-01-01 2024-12-31)" "$(counted equipped 2024-01-01 2024-12-31)" "equipped in 2024 as counted"
check_ok "after the cancellation"

# A refused write changes no tally.
sum_before=$(sql "SELECT group_concat(grain || bucket || territory || dim || key || measure || n) FROM report_tally")
api POST "/v1/kits/$K/cancel-checkout" '{"reason":"encore"}'
is "$status" 409 "the same checkout cannot be cancelled twice"
is "$(sql "SELECT group_concat(grain || bucket || territory || dim || key || measure || n) FROM report_tally")" \
    "$sum_before" "the refusal left the tallies as they were"
is "$(sql 'SELECT count(*) FROM report_dirty')" 0 "and nobody waits in report_dirty"

# Someone moved to another territory behind the daemon's back.
B=$(sql "SELECT b.tag FROM beneficiary b JOIN diagnostic d ON d.beneficiary_id = b.id
    WHERE b.territory = 'T6' ORDER BY b.id LIMIT 1")
t6=$(indicator diagnosed "" "" T6); t7=$(indicator diagnosed "" "" T7)
c=$(jget '.scopes[] | select(.code == "departement") | .communes["93005"].diagnosed // 0' \
    "$(api GET /v1/indicators; printf '%s' "$body")")
sql "UPDATE beneficiary SET territory = 'T7', commune = '93005' WHERE tag = '$B'"
is "$(sql 'SELECT count(*) FROM report_dirty')" 1 "sqlite3's change put the person in report_dirty"
api GET /v1/indicators
is "$(jget '[(.scopes[] | select(.code == "T6") | .diagnosed.count), (.scopes[] | select(.code == "T7") | .diagnosed.count), (.scopes[] | select(.code == "departement") | .communes["93005"].diagnosed)] | join(" ")')" \
    "$((t6 - 1)) $((t7 + 1)) $((c + 1))" "the person now counts in T7 and in commune 93005"
check_ok "after the move"

# Connections need 2 months now: everyone with one is covered.
api GET /v1/indicators
is "$(jget "$d | .connected.not_yet_covered")" "${EXP[departement not_yet_covered]}" "people not yet covered for 6 months"
sql "UPDATE programme SET value = '2' WHERE key = 'connection-months'"
api GET /v1/indicators
with_sim=$(sql "SELECT count(DISTINCT h.beneficiary_id) FROM handover h JOIN topup t ON t.handover_id = h.id
    WHERE t.kind = 'activation' AND h.cancelled_at IS NULL AND t.cancelled_at IS NULL")
is "$(jget "$d | [.connected.count, .connected.not_yet_covered, (.connected.not_yet | length)] | join(\" \")")" \
    "$with_sim 0 0" "at 2 months every connection handed over is covered"
sql "UPDATE programme SET value = '6' WHERE key = 'connection-months'"
api GET /v1/indicators
is "$(jget "$d | .connected.not_yet_covered")" "${EXP[departement not_yet_covered]}" "and back at 6 months"

# 2,500 people inserted with sqlite3: recomputed in one pass.
all_before=$(indicator diagnosed "" "")
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
    INSERT INTO beneficiary (tag, commune, territory, category, prescriber_id, referred_on, consent_on, created_at)
    SELECT 'BX' || i, '93008', 'T8', 'rsa_training', (SELECT min(id) FROM prescriber), '2025-01-02', '2025-01-02', '2025-01-02T00:00:00Z' FROM n;
    INSERT INTO diagnostic (beneficiary_id, diagnosed_on, adviser, device_need, connection_need, autonomy, created_at)
    SELECT id, '2025-01-03', 'x', 'laptop', 'none', 2, '2025-01-03T00:00:00Z' FROM beneficiary WHERE tag LIKE 'BX%'"
is "$(indicator diagnosed "" "")" "$((all_before + 2500))" "the 2,500 diagnostics count"
is "$(indicator diagnosed 2025-01-03 2025-01-03 T8)" 2500 "on their day, in their territory"
like "$(cat "$T/daemon.log")" "recomputing everyone" "in one pass"
check_ok "after the bulk insert"

# A tally changed by hand: check says so, and so does the client.
sql "UPDATE report_tally SET n = n + 3 WHERE grain = 0 AND dim = '' AND territory = 'T6' AND measure = 'diagnosed'"
api GET /v1/check
is "$(jget '[.ok, (.checks[] | select(.name == "report_tally") | .ok), (.checks[] | select(.name == "report_tally") | .differences[0] | "\(.territory) \(.measure) \(.counted) \(.kept - .counted)")] | join(" ")')" \
    "false false T6 diagnosed $(indicator diagnosed "" "" T6 >/dev/null; sql "SELECT count(*) FROM diagnostic d JOIN beneficiary b ON b.id = d.beneficiary_id WHERE b.territory = 'T6'") 3" \
    "check finds the tally that no longer matches the tables"
ks check
is "$rc" 1 "kitstock check exits 1 on a difference"
like "$out" "report_tally" "and names the tally"
like "$(printf '%s\n' "$out" | grep -w T6)" "diagnosed" "with its territory and measure"
is "$(alive)" 200 "the daemon still serves"
done_testing
