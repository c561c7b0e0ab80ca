#!/bin/bash
# The same unit received from two terminals at once, round after round:
# by its serial from a lot's manifest, and as an extra the manifest does
# not list. Each time exactly one device is created (one tag, one receive
# row in the ledger), the other terminal is refused with a sentence.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-race"
ROUNDS=${RACE_ROUNDS:-30}
start_daemon
api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt Bobigny","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
{
	echo "kind,brand,model,serial,cost"
	for i in $(seq 1 "$ROUNDS"); do
		printf 'laptop,Lenovo,T480,RACE%04d,150.00\n' "$i"
	done
} > "$T/manifest.csv"
ks lot import "$T/manifest.csv" --supplier "$F"
is "$rc" 0 "a manifest of $ROUNDS laptops imported"
R=$out

# race ARGS...: two terminals receive at once; counts what came of it.
race() {
	race2 lot receive "$R" "$@"
	one_winner=$((one_winner + race_one))
	race_said "$refusal" && refusals_clear=$((refusals_clear + 1))
	n=$(sql "SELECT count(*) FROM device WHERE serial = '$serial'")
	[ "$n" = 1 ] && one_unit=$((one_unit + 1))
	n=$(sql "SELECT count(*) FROM ledger l JOIN device d ON d.tag = l.entity WHERE d.serial = '$serial' AND l.action = 'receive'")
	[ "$n" = 1 ] && one_ledger=$((one_ledger + 1))
}

one_winner=0 refusals_clear=0 one_unit=0 one_ledger=0
for i in $(seq 1 "$ROUNDS"); do
	serial=$(printf 'RACE%04d' "$i")
	refusal="$serial \\(line $((i + 1)) of the manifest\\) was already received as D-"
	race "$serial" --location "$W"
done
is "$one_winner" "$ROUNDS" "by serial: one terminal succeeds, the other is refused (exit 1)"
is "$refusals_clear" "$ROUNDS" "by serial: the refusal names the line and the tag"
is "$one_unit" "$ROUNDS" "by serial: exactly one device each time"
is "$one_ledger" "$ROUNDS" "by serial: exactly one receive row each time"
is "$(sql "SELECT count(*) FROM expected_unit WHERE status = 'received'")" "$ROUNDS" "every manifest line received once"

one_winner=0 refusals_clear=0 one_unit=0 one_ledger=0
for i in $(seq 1 10); do
	serial=$(printf 'XTRA%04d' "$i")
	refusal="already registered"
	race --extra --kind laptop --serial "$serial" --brand Dell --location "$W"
done
is "$one_winner" 10 "extras: one terminal succeeds, the other is refused (exit 1)"
is "$refusals_clear" 10 "extras: the refusal says the unit is already registered"
is "$one_unit" 10 "extras: exactly one device each time"
is "$one_ledger" 10 "extras: exactly one receive row each time"
is "$(sql "SELECT count(*) FROM device")" "$((ROUNDS + 10))" "no other device created"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
