#!/bin/bash
# A device that came back from a user goes back to stock only once the
# erasure of their data is recorded: how, by whom, when (in the ledger).
# Until then every way back to stock is refused.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
api POST /v1/repairs "{\"device\":\"$D1\",\"reason\":\"ne démarre plus\",\"partner\":\"$X\",\"at\":\"2025-06-01\"}"
api POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$D2\",\"at\":\"2025-06-03\"}"
is "$(sql "SELECT state FROM device WHERE tag='$D1'")" in_repair "the old laptop is at the repair café"

refused POST "/v1/devices/$D1/state" '{"to":"in_stock"}' 409 data_not_erased "$D1 holds its last user's data \\(since 2025-04-02T10:00:00Z\\): it goes back to stock only once their erasure is recorded" "back to stock without erasure"
refused POST "/v1/devices/$D1/state" '{"to":"in_stock","data_erased":true}' 400 missing_field "record how it was erased and by whom" "an erasure without how and by whom"
refused POST "/v1/devices/$D1/state" '{"to":"in_stock","erasure_method":"nwipe"}' 400 invalid_field "give them with data_erased" "a method without the erasure"
refused POST "/v1/devices/$D2/erasure" '{"method":"nwipe","by":"Repair café"}' 409 wrong_state "$D2 is with its user \\(handed_over\\)" "no erasure while its user has it"
refused POST "/v1/devices/$D1/erasure" '{"method":"nwipe"}' 400 missing_field "by is required" "an erasure without by whom"
ks state "$D1" --to in_stock
is "$rc" 1 "kitstock state refuses too"
like "$err" "holds its last user's data" "saying why"

ks repair erasure "$D1" --method "nwipe, 3 passes" --by "Repair café Montreuil" --at 2025-06-10
is "$rc" 0 "kitstock repair erasure records the erasure"
is "$(sql "SELECT at || ' ' || json_extract(details_json, '$.method') || ' / ' || json_extract(details_json, '$.by') FROM ledger WHERE entity='$D1' AND action='data_erased'")" "2025-06-10T00:00:00Z nwipe, 3 passes / Repair café Montreuil" "how, by whom and when, in the ledger"
is "$(sql "SELECT data_erased_at || ' ' || (user_data_since IS NULL) FROM device WHERE tag='$D1'")" "2025-06-10T00:00:00Z 1" "the device holds no one's data any more"
api POST "/v1/devices/$D1/state" '{"to":"in_stock","reason":"réparé, effacé"}'
is "$status" 200 "now it goes back to stock"

# A whole kit given back: returned devices wait for their erasure too,
# and the erasure can come with the state change.
api POST "/v1/kits/$K/return" "{\"reason\":\"déménage\",\"location\":\"$W\",\"at\":\"2025-09-01\"}"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" returned "the replacement is returned with the kit"
refused POST "/v1/devices/$D2/state" '{"to":"in_stock"}' 409 data_not_erased "$D2 holds its last user's data" "returned -> in_stock without erasure"
api POST "/v1/devices/$D2/state" '{"to":"in_stock","data_erased":true,"erasure_method":"réinitialisation usine","erased_by":"Entrepôt Bobigny","at":"2025-09-02"}'
is "$status" 200 "erased and back in stock in one request"
is "$(sql "SELECT json_extract(details_json, '$.method') FROM ledger WHERE entity='$D2' AND action='data_erased'")" "réinitialisation usine" "its erasure method in the ledger"
done_testing
