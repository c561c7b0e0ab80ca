#!/bin/bash
# Indicators on a generated programme: 320 beneficiaries across the four
# territories at every stage of the path, made through the API; every
# figure of GET /v1/indicators equals what the test counted while creating
# them (per territory and for the département), the period filter keeps
# first events inside it, and the client prints the same figures.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
start_daemon
report_generate 320

api GET /v1/indicators
is "$status" 200 "indicators"
printf '%s' "$body" > "$T/ind.json"
f() { jq -r "$1" "$T/ind.json"; }
n() { echo "${EXP["$1"]:-0}"; }
for s in T6 T7 T8 T9 departement; do
	q=".scopes[] | select(.code == \"$s\")"
	is "$(f "$q | [.diagnosed.count, .equipped.count, .connected.count, .connected.not_yet_covered, .oriented.count, .certified.count] | join(\" \")")" \
	    "$(n "$s diagnosed") $(n "$s equipped") $(n "$s connected") $(n "$s not_yet_covered") $(n "$s oriented") $(n "$s certified")" \
	    "$s: diagnosed, equipped, connected 6 months, not yet covered, oriented, certified"
	is "$(f "$q | [.oriented.attended, .oriented.no_show, .oriented.pending] | join(\" \")")" \
	    "$(n "$s attended") $(n "$s no_show") $(n "$s pending")" "$s: attended, not shown, not known, apart"
	is "$(f "$q | [.supply.devices, .supply.ess_devices, .supply.spending_cents] | join(\" \")")" \
	    "$(n "$s equipped") $(n "$s ess_devices") $(n "$s device_cents")" "$s: devices, from ESS suppliers, spending"
	is "$(f "$q | [.budget.devices_cents, .budget.sim_plans_cents, .budget.topups_cents, .budget.spent_cents] | join(\" \")")" \
	    "$(n "$s device_cents") $(n "$s sim_cents") $(n "$s topup_cents") $(($(n "$s device_cents") + $(n "$s sim_cents") + $(n "$s topup_cents")))" \
	    "$s: budget spent on devices, SIM plans, top-ups"
	is "$(f "$q | [.cohorts.equipped, .cohorts.month3.followed, .cohorts.month3.in_use, .cohorts.month3.connected, .cohorts.month6.followed] | join(\" \")")" \
	    "$(n "$s equipped") $(n "$s followed3") $(n "$s in_use3") $(n "$s connected3") 0" "$s: cohorts at 3 and 6 months"
	is "$(f "$q | .connected.not_yet | length")" "$(n "$s not_yet_covered")" "$s: the not yet covered are listed"
done
is "$(f '.scopes[] | select(.code == "T6") | [.diagnosed.target, .equipped.target, .connected.target, .oriented.target, .certified.target, .budget.budget_cents] | join(" ")')" \
    "250 200 100 150 100 18750000" "T6 against its targets and its share of the budget"
is "$(f '.scopes[] | select(.code == "departement") | [.diagnosed.target, .equipped.target, .budget.budget_cents] | join(" ")')" \
    "1000 800 75000000" "the département against its targets and budget"
is "$(f '.scopes[] | select(.code == "departement") | .supply.ess_share')" \
    "$(awk -v a="$(n "departement ess_devices")" -v b="$(n "departement equipped")" 'BEGIN { printf "%g", int(a * 1000 / b) / 10 }')" "the share of devices from ESS suppliers"

# Equity within a territory: per commune, beneficiaries and devices.
for c in 93066 93001; do
	is "$(f ".scopes[] | select(.code == \"T6\") | .communes[\"$c\"] | [.diagnosed, .devices] | join(\" \")")" \
	    "$(n "T6 diagnosed $c") $(n "T6 devices $c")" "T6, commune $c: beneficiaries and devices"
done
is "$(f '.scopes[] | select(.code == "T6") | .communes["93066"].beneficiaries_share')" \
    "$(awk -v a="$(n "T6 diagnosed 93066")" -v b="$(n "T6 diagnosed")" 'BEGIN { printf "%g", int(a * 1000 / b) / 10 }')" "its share of the territory's beneficiaries"
for c in rsa_training long_term_unemployed; do
	is "$(f ".scopes[] | select(.code == \"T6\") | .categories[\"$c\"].diagnosed")" "$(n "T6 diagnosed $c")" "T6 by public category: $c"
done
for p in "$PA" "$PB" "$PC"; do
	is "$(f ".scopes[] | select(.code == \"departement\") | .prescribers[\"$p\"].diagnosed")" "$(n "prescriber $p diagnosed")" "by prescriber: $p"
done

# Against the diagnostic deadline (30 June 2022).
is "$(f '.deadline | [.date, .referred, .diagnosed_by_deadline, .late, .not_diagnosed] | join(" ")')" \
    "2022-06-30 320 $(n "departement on_time") $(n "departement late") $(($(n "departement referred") - $(n "departement diagnosed")))" \
    "the deadline: diagnosed by then, after, not yet"

# A period: first events inside it only.
api GET "/v1/indicators?from=2024-06-01&to=2024-12-31"
is "$(jget '.scopes[] | select(.code == "departement") | [.diagnosed.count, .equipped.count, .oriented.count] | join(" ")')" \
    "0 $(n "departement equipped_late_2024") 0" "from 2024-06-01 to 2024-12-31: hand-overs of September only"
api GET "/v1/indicators?territory=T7&to=2024-03-31"
is "$(jget '[.scopes[].code] | join(" ")')" T7 "one territory"
is "$(jget '.scopes[0].equipped.count')" "$(($(n "T7 equipped") - $(n "T7 equipped_late_2024")))" "up to 2024-03-31: hand-overs of March only"

# The client prints the same figures.
ks indicators --territory T8
is "$rc" 0 "kitstock indicators"
like "$out" "T8 +$(n "T8 diagnosed")/250 +$(n "T8 equipped")/200 +$(n "T8 connected")/100 +$(n "T8 not_yet_covered") +$(n "T8 oriented")/150" "its table"
like "$out" "Diagnostic deadline 2022-06-30" "and the deadline"
done_testing
