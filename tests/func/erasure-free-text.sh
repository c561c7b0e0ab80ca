#!/bin/bash
# Erasing a beneficiary's identity also clears the free text written
# about them outside the beneficiary tables: kit notes, repair notes, and
# the reasons given for an override, a cancelled hand-over or a kit's
# closing (these become "erased", so that overrides and cancellations
# still count). Another person's text stays. The ledger is append-only
# and keeps the reasons it recorded (see the README).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
words='Aïcha|Diallo|mardi|déménage|convocation perdue|rayé'
# A kit cancelled with a reason, then the one handed over, with notes.
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"notes\":\"Aïcha passe le mardi\",\"at\":\"2025-03-19\"}"; K0=$(jget .tag)
api POST "/v1/kits/$K0/cancel" '{"reason":"Aïcha Diallo déménage","at":"2025-03-19T12:00"}'
is "$status" 200 "a kit cancelled with a reason naming the person"
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"sims\":1,\"notes\":\"Mme Diallo, le mardi\",\"at\":\"2025-03-20\"}"; K=$(jget .tag)
api POST "/v1/kits/$K/pick" "{\"items\":[\"$D1\",\"$S1\"],\"at\":\"2025-03-21\"}"
api POST "/v1/kits/$K/ready" '{"at":"2025-03-21T10:00"}'
# Handed over at an event B1 was not convoked to: an override.
api POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$P\"}"; E=$(jget .tag)
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"override_reason\":\"convocation perdue par Aïcha\",\"at\":\"2025-04-02T10:00\"}"
is "$status" 201 "handed over with an override reason naming the person"
# A repair ticket closed with notes.
api POST /v1/repairs "{\"device\":\"$D1\",\"reason\":\"écran\",\"partner\":\"$X\",\"at\":\"2025-06-01\"}"
api POST /v1/repairs/1/close '{"outcome":"repaired","notes":"rayé, rendu à Aïcha","at":"2025-06-03"}'
is "$status" 200 "a repair closed with notes naming the person"
# B2's kit, with notes of its own, stays as it is.
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"notes\":\"Diallo (voisine) viendra le chercher\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)

texts() {
	sql "SELECT count(*) FROM (SELECT notes AS t FROM kit WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$1')
	    UNION ALL SELECT close_reason FROM kit WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$1')
	    UNION ALL SELECT notes FROM repair WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$1')
	    UNION ALL SELECT override_reason FROM handover WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$1')
	    UNION ALL SELECT cancel_reason FROM handover WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$1'))
	    WHERE t LIKE '%Aïcha%' OR t LIKE '%Diallo%' OR t LIKE '%mardi%'"
}
is "$(texts "$B1")" 5 "before: five texts about B1 (two kit notes, a closing reason, an override, repair notes)"
api GET "/v1/kits/$K"; before_kit=$(jget 'del(.notes)')

ks beneficiary erase-identity "$B1" --reason "demande de la personne"
is "$rc" 0 "B1's identity erased"
is "$(texts "$B1")" 0 "after: no text about B1 left in kits, repairs or hand-overs"
is "$(sql "SELECT coalesce(notes, 'null') || ' ' || close_reason FROM kit WHERE tag = '$K0'")" "null erased" "the cancelled kit: no notes, its closing reason marked erased"
is "$(sql "SELECT coalesce(notes, 'null') FROM kit WHERE tag = '$K'")" null "the handed-over kit: no notes"
is "$(sql "SELECT override_reason FROM handover")" erased "the override is still there, its reason marked erased"
is "$(sql "SELECT coalesce(notes, 'null') || ' ' || outcome FROM repair WHERE id = 1")" "null repaired" "the repair keeps its outcome, not its notes"
is "$(sql "SELECT json_extract(details_json, '\$.notes_cleared') FROM ledger WHERE entity = '$B1' AND action = 'identity_erased'")" 4 \
    "the erasure counts the rows cleared (two kits, a hand-over, a repair)"
api GET "/v1/kits/$K"
is "$(jget 'del(.notes)')" "$before_kit" "the kit is otherwise unchanged"
is "$(sql "SELECT notes FROM kit WHERE tag = '$K2'")" "Diallo (voisine) viendra le chercher" "another person's kit keeps its notes"
is "$(sql "SELECT count(*) FROM handover WHERE override_reason IS NOT NULL")" 1 "overrides still count"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
