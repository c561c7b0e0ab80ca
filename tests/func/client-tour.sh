#!/bin/bash
# The README's tour, with the real client: supplier, locations, lot, three
# devices, a SIM card with its PIN from standard input, moves, state
# changes, stock and history; outputs, exit codes and database rows.
. "$(dirname "$0")/lib"
start_daemon

ks supplier add --name "Ateliers du Bocage" --siret 73282932000074 --ess insertion --local
is "$rc" 0 "supplier add exits 0"
F=$out
is "$F" F-0000001-6 "prints the new tag alone"
ks location add --name "Entrepôt Bobigny" --kind warehouse --commune 93008; W=$out
ks location add --name "Point de distribution Saint-Denis" --kind distribution --commune 93066; P=$out
like "$P" '^L-0000002-' "second location"
ks lot add --supplier "$F" --ref BL-2026-0042 --date 2026-11-02 --unit-cost 189,90; R=$out
is "$rc" 0 "lot add"
is "$(sql "SELECT unit_cost_cents||' '||delivered_on FROM lot WHERE tag='$R'")" "18990 2026-11-02" "French amount and date stored"

ks device add --kind laptop --serial PF0ABC1 --brand Lenovo --model "ThinkPad T480" \
    --ram-gb 8 --storage-gb 256 --grade A --lot "$R" --location "$W"
is "$rc" 0 "laptop added"; D=$out
ks device add --kind smartphone --serial R58N12 --brand Samsung --imei 490154203237518 --imei 356938035643809 --lot "$R"
is "$rc" 0 "dual-SIM phone added"; D2=$out
is "$(sql "SELECT count(*) FROM device_imei d JOIN device v ON v.id=d.device_id WHERE v.tag='$D2'")" 2 "two IMEIs stored"
ks device add --kind tablet --serial DMPX9 --brand Apple --lot "$R" --location "$W" --grade C --cost 99 --at 2026-11-03
is "$rc" 0 "tablet added"; D3=$out
is "$(sql "SELECT at FROM ledger WHERE entity='$D3'")" 2026-11-03T00:00:00Z "--at is the effective date"
out=$(printf '4321\n97531864\n' | "$KITSTOCK" -s "$SOCK" sim add --iccid 89330123456789012342 \
    --operator Orange --msisdn "06 12 34 56 78" --lot "$R" --location "$W" --pin-stdin)
is "$?" 0 "SIM added with its PIN from stdin"; S=$out
is "$(sql "SELECT pin||'/'||puk FROM sim_secret k JOIN sim s ON s.id=k.sim_id WHERE s.tag='$S'")" 4321/97531864 "PIN and PUK stored"
ks sim secret "$S"
like "$out" '4321' "sim secret shows the PIN"
like "$out" '97531864' "and the PUK"
ks sim list
unlike "$out" '97531864' "never in the list"

ks move "$D" "$D2" --to "$P"
is "$rc" 0 "move"
is "$(sql "SELECT count(*) FROM device d JOIN location l ON l.id=d.location_id WHERE l.tag='$P'")" 2 "both at the distribution point"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" in_stock "the received phone is shelved"
ks state "$D" --to in_repair --reason "écran fissuré"
is "$rc" 0 "state change"
is "$(sql "SELECT state FROM device WHERE tag='$D'")" in_repair "in repair"
ks state R58N12 --to scrapped --reason "tombé"
is "$rc" 0 "state by serial"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" scrapped "resolved to the phone"

ks show 490154203237518
is "$rc" 0 "show by IMEI"
like "$out" "$D2" "shows the phone"
ks --json show "$D"
is "$(jget .state "$out")" in_repair "--json prints the API's JSON"
ks stock --by kind,state
is "$rc" 0 "stock"
like "$out" 'laptop' "stock lists laptops"
like "$out" '4' "and a total of 4"
ks --json stock --by territory
is "$(jget '[.rows[] | select(.territory=="T6")][0].count' "$out")" 2 "two units in T6"
ks history "$D"
is "$rc" 0 "history"
like "$out" 'create' "history shows the creation"
like "$out" 'écran fissuré' "and the reason of the state change"
is "$(printf '%s\n' "$out" | grep -c .)" 4 "header and three rows (create, move, state)"
ks device list --state in_stock
like "$out" "$D3" "list filtered by state"
unlike "$out" "$D2" "without the scrapped phone"
ks edit "$D3" --ram-gb 4 --model "iPad 9" --reason "fiche corrigée"
is "$rc" 0 "edit"
is "$(sql "SELECT ram_gb||' '||model FROM device WHERE tag='$D3'")" "4 iPad 9" "edited"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$D3' AND action='edit' AND reason='fiche corrigée'")" 2 "one ledger row per field"
ks accessory add --name "Souris USB" --location "$W" --count 20; A=$out
is "$rc" 0 "accessory received"
ks accessory move "$A" --from "$W" --to "$P" --count 5
is "$rc" 0 "accessory moved"
ks accessory adjust "$A" --location "$W" --count 14 --reason "inventaire"
is "$(sql "SELECT count FROM accessory_stock k JOIN location l ON l.id=k.location_id WHERE l.tag='$W'")" 14 "adjusted"
ks programme
like "$out" 'Plaine Commune' "programme shows territories"
ks health
is "$rc" 0 "health"
done_testing
