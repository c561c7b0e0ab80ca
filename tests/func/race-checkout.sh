#!/bin/bash
# The same kit checked out from two terminals at once, round after round:
# each time exactly one hand-over is recorded, the other terminal gets a
# refusal that says the kit was already handed over, and the database
# holds one hand-over and one ledger row for it.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-race"
ROUNDS=${RACE_ROUNDS:-30}
start_daemon
kit_setup
api POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$P\"}"; E=$(jget .tag)

# One beneficiary, device and ready kit per round, all convoked to E.
declare -a BEN KIT
for i in $(seq 1 "$ROUNDS"); do
	api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"RACE$(printf %04d "$i")\",\"brand\":\"Dell\",\"lot\":\"$R\",\"location\":\"$W\",\"at\":\"2025-01-05\"}"; d=$(jget .tag)
	api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$PR\",\"referred_on\":\"2025-03-01\",\"consent_on\":\"2025-03-01\"}"; b=$(jget .tag)
	api POST /v1/diagnostics "{\"beneficiary\":\"$b\",\"adviser\":\"CNFS\",\"device_need\":\"laptop\",\"connection_need\":\"none\",\"autonomy\":2,\"at\":\"2025-03-10\"}"
	api POST /v1/kits "{\"beneficiary\":\"$b\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"at\":\"2025-03-20\"}"; k=$(jget .tag)
	api POST "/v1/kits/$k/pick" "{\"items\":[\"$d\"],\"at\":\"2025-03-21\"}"
	api POST "/v1/kits/$k/ready" '{"at":"2025-03-21T10:00"}'
	[ "$status" = 200 ] || { echo "Bail out! round $i: kit not ready: $body"; exit 1; }
	BEN[$i]=$b; KIT[$i]=$k
done
list=$(printf '"%s",' "${BEN[@]}"); list=${list%,}
api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[$list],\"at\":\"2025-03-25\"}"
is "$status" 200 "$ROUNDS beneficiaries convoked"

one_winner=0 refusals_clear=0 one_row=0 one_ledger=0
for i in $(seq 1 "$ROUNDS"); do
	b=${BEN[$i]} k=${KIT[$i]}
	race2 checkout "$E" "$b" "$k" --at 2025-04-02T10:00
	one_winner=$((one_winner + race_one))
	race_said "$k was already handed over, on 2025-04-02" &&
	    refusals_clear=$((refusals_clear + 1))
	n=$(sql "SELECT count(*) FROM handover h JOIN kit k ON k.id = h.kit_id WHERE k.tag = '$k' AND h.cancelled_at IS NULL")
	[ "$n" = 1 ] && one_row=$((one_row + 1))
	n=$(sql "SELECT count(*) FROM ledger WHERE entity = '$b' AND action = 'handed_over' AND to_value = '$k'")
	[ "$n" = 1 ] && one_ledger=$((one_ledger + 1))
done
is "$one_winner" "$ROUNDS" "each round: one terminal succeeds, the other is refused (exit 1)"
is "$refusals_clear" "$ROUNDS" "each refusal says the kit was already handed over"
is "$one_row" "$ROUNDS" "each kit: exactly one hand-over in the database"
is "$one_ledger" "$ROUNDS" "each kit: exactly one hand-over row in the ledger"
is "$(sql "SELECT count(*) FROM handover WHERE distribution_id = (SELECT id FROM distribution WHERE tag = '$E')")" "$ROUNDS" \
    "$ROUNDS hand-overs at the event, no more"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
