#!/bin/bash
# Offers suggested to a person from their diagnostic: the training wished
# gives the services, a certification wished adds the places of the
# « Certification PIX » programme; in their commune first, then their
# territory, then elsewhere; free ones first (Gratuit, then Gratuit sous
# condition or not said, then Payant); with the address, opening hours
# and how to get in. The orientation records the offer (place and
# service) chosen.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
D=${SRCDIR:-.}/tests/data/offers
start_daemon
path_setup
api POST /v1/offers/import "$(cat "$D/lieux-93.csv")" text/csv
api POST /v1/offers/import "$(cat "$D/lieux-93-bom.csv")" text/csv
is "$status" 200 "the territory's offers imported"

# $B lives in Saint-Denis (T6), wishes an initiation and a certification.
api POST /v1/diagnostics "{\"beneficiary\":\"$B\",\"adviser\":\"Awa\",\"device_need\":\"none\",\"connection_need\":\"none\",\"autonomy\":1,\"training_wished\":\"initiation\",\"certification_wished\":true,\"at\":\"2024-05-02\"}"
api GET "/v1/beneficiaries/$B/offers"
is "$status" 200 "offers suggested"
is "$(jget '[.items[] | "\(.place_name)|\(.near)|\(.cost)"] | join(" / ")')" "Médiathèque Gulliver|commune|free / Emmaüs Connect|commune|conditional / Espace numérique Pleyel, Saint-Denis|commune|paying / Centre social Aubervilliers|territory|free / Cyber-base de Sevran|elsewhere|free / Maison France Services de Bobigny|elsewhere|conditional" "in the commune first, then the territory, then elsewhere; free ones first"
is "$(jget '[.items[] | "\(.for_training)\(.for_certification)"] | join(",")')" "truefalse,truefalse,truefalse,truetrue,truefalse,falsetrue" "why each: the training wished, the PIX certification"
is "$(jget '.items[0].address')|$(jget '.items[0].hours')|$(jget '.items[0].access | join(", ")')" "12 rue de la République|Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00|Se présenter, Téléphoner" "with the address, opening hours and how to get in"
is "$(jget '.items[5].service')" "Aide aux démarches administratives" "a PIX place is suggested by its first offer"
first=$(jget '.items[0].offer')
ks offers suggest "$B"
is "$rc" 0 "from the client"
like "$(printf '%s\n' "$out" | sed -n 2p)" "^$first +Maîtrise des outils numériques du quotidien +Médiathèque Gulliver +Saint-Denis +commune +free +12 rue de la République +Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00 +Se présenter, Téléphoner" "a table, best first"
api GET "/v1/beneficiaries/$B/offers?limit=2"
is "$(jget '.items | length')" 2 "as many as asked"

# The one chosen is recorded with its place and service.
ks orientation add --beneficiary "$B" --offer "$first" --at 2024-05-06
is "$rc" 0 "oriented to the first one"
api GET "/v1/orientations/$out"
is "$(jget .offer)|$(jget .place_name)|$(jget .service)|$(jget .funding)" "$first|Médiathèque Gulliver|Maîtrise des outils numériques du quotidien|programme" "the orientation records the offer, its place and service, free for the person"

# Someone in Bobigny (T8) who wishes help with online procedures only.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2024-05-01\",\"consent_on\":\"2024-05-01\"}"
C=$(jget .tag)
api POST /v1/diagnostics "{\"beneficiary\":\"$C\",\"adviser\":\"Awa\",\"device_need\":\"none\",\"connection_need\":\"none\",\"autonomy\":2,\"training_wished\":\"online_procedures\",\"at\":\"2024-05-02\"}"
api GET "/v1/beneficiaries/$C/offers"
is "$(jget '[.items[] | "\(.place_name)|\(.near)|\(.cost)"] | join(" / ")')" "Maison France Services de Bobigny|commune|conditional / Association Stains Connect|elsewhere|free / Médiathèque Gulliver|elsewhere|free / Point numérique de Pierrefitte|elsewhere|free" "the services of the training wished, nearest first"

# Someone who wishes nothing: nothing suggested, said so.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2024-05-01\",\"consent_on\":\"2024-05-01\"}"
E=$(jget .tag)
api POST /v1/diagnostics "{\"beneficiary\":\"$E\",\"adviser\":\"Awa\",\"device_need\":\"none\",\"connection_need\":\"none\",\"autonomy\":4,\"at\":\"2024-05-02\"}"
ks offers suggest "$E"
is "$rc/$out" "0/$E: no offer matches (training wished: none, certification wished: no)" "nothing wished, nothing suggested"
done_testing
