#!/bin/bash
# Re-importing a newer file updates places in place by their id, never
# duplicates them: a place as before is left unchanged, a changed one is
# updated, a service gone is withdrawn (kept: an orientation to it still
# points at the same offer and place), a new service or place is added,
# a service back is restored. Offers entered by hand and the migration of
# the training offers of earlier versions keep their tags.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
D=${SRCDIR:-.}/tests/data/offers
start_daemon
path_setup
diagnose "$B" 2024-05-02

ks offers import "$D/lieux-93.csv"
is "$rc" 0 "the territory's offers imported"
sd2=$(sql "SELECT id FROM place WHERE ref='mednum-sd-2'")
O2=$(sql "SELECT tag FROM offer WHERE place_id=$sd2")
ks orientation add --beneficiary "$B" --offer "$O2" --funding cpf --at 2024-05-10
is "$rc" 0 "someone oriented to an offer of a place"
N=$out
places=$(sql "SELECT count(*) FROM place")

ks offers import "$D/lieux-93-v2.csv"
is "$rc" 0 "a newer file imported"
like "$out" 'places: 1 created, 2 updated, 1 unchanged' "one new place, two updated, one as before"
like "$out" 'offers: 2 created, 1 withdrawn' "a service gone, two new ones"
is "$(sql "SELECT count(*) FROM place")" "$((places + 1))" "no place twice"
is "$(sql "SELECT count(*) FROM place WHERE ref='mednum-sd-2'")" 1 "the changed place is the same row"
is "$(sql "SELECT id || ' ' || address || ' ' || hours || ' ' || updated_on FROM place WHERE ref='mednum-sd-2'")" "$sd2 18 rue Pleyel Tu-Sa 10:00-19:00 2024-06-01" "updated in place"
api GET "/v1/orientations/$N"
is "$(jget .offer)/$(jget .place)/$(jget .place_name)/$(jget .address)" "$O2/$sd2/Espace numérique Pleyel, Saint-Denis/18 rue Pleyel" "the orientation points at the same offer and place, as now described"
api GET "/v1/offers/$O2"
like "$(jget .withdrawn_at)" '^20[0-9-]+T' "the service no longer listed is withdrawn, not deleted"
is "$(jget .orientations)" 1 "its orientation kept"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$O2' AND action='withdraw'")" 1 "in the ledger"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='place:$sd2' AND action='update'")" 1 "the place's update too"
api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2024-05-01\",\"consent_on\":\"2024-05-01\"}"
C=$(jget .tag)
diagnose "$C" 2024-05-02
sum=$(dbsum)
api POST /v1/orientations "{\"beneficiary\":\"$C\",\"offer\":\"$O2\"}"
is "$status/$(jget .error.field)" 409/offer "nobody new is oriented to a withdrawn offer"
like "$(jget .error.message)" "offer $O2 was withdrawn on 20[0-9-]+ \(the place no longer lists it\): choose another with kitstock offers suggest $C" "said so"
is "$(dbsum)" "$sum" "nothing written"

# The same file again: nothing changes.
sum=$(dbsum)
api POST /v1/offers/import "$(cat "$D/lieux-93-v2.csv")" text/csv
is "$status/$(jget .unchanged)/$(jget .updated)/$(jget .created)/$(jget .offers_created)" "200/4/0/0/0" "the same file twice: all unchanged"
is "$(sql "SELECT count(*) FROM place")/$(sql "SELECT count(*) FROM offer")" "$((places + 1))/$(sql "SELECT count(*) FROM offer")" "no duplicate"

# The first file again: the service comes back, the same offer restored.
ks offers import "$D/lieux-93.csv"
like "$out" 'offers: 0 created, 1 withdrawn' "the other service withdrawn in turn"
is "$(sql "SELECT withdrawn_at IS NULL FROM offer WHERE tag='$O2'")" 1 "the first one restored with its tag"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$O2' AND action='restore'")" 1 "in the ledger"

# The offer of path_setup (entered by hand) is untouched by imports.
api GET "/v1/offers/$O"
is "$(jget .provider)/$(jget .kind)/$(jget .service)/$(jget .withdrawn_at)" "Emmaüs Connect/initiation/Maîtrise des outils numériques du quotidien/null" "a hand-entered offer stays as it was"
done_testing
