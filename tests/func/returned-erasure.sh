#!/bin/bash
# A returned device goes back to stock only once its data erasure is
# recorded; lost and scrapped need a reason; SIM cards follow their own
# lifecycle; flows-only transitions are refused with the allowed ones.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"E-1\",\"lot\":\"$R\",\"location\":\"$W\"}"; D=$(jget .tag)
# Put it in the returned state as the return flow of a later issue will.
sqlite3 "$DB" "UPDATE device SET state='returned' WHERE tag='$D'"

api POST "/v1/devices/$D/state" '{"to":"in_stock"}'
is "$status" 409 "returned -> in_stock refused without erasure"
is "$(jget .error.code)" data_not_erased "the code says why"
api POST "/v1/devices/$D/state" '{"to":"in_stock","data_erased":true}'
is "$status" 200 "accepted once erasure is confirmed"
is "$(sql "SELECT data_erased_at IS NOT NULL FROM device WHERE tag='$D'")" 1 "erasure recorded"
is "$(sql "SELECT group_concat(action) FROM ledger WHERE entity='$D'")" create,data_erased,state "erasure in the ledger"

api POST "/v1/devices/$D/state" '{"to":"lost"}'
is "$status" 400 "lost needs a reason"
api POST "/v1/devices/$D/state" '{"to":"reserved","reason":"x"}'
is "$status" 409 "reservation is a flow"
like "$(jget .error.message)" 'own operation' "saying so"

api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"Orange\",\"location\":\"$W\"}"; S=$(jget .tag)
api POST "/v1/sims/$S/state" '{"to":"active"}'
is "$status" 409 "a SIM is activated by checkout only"
api POST "/v1/sims/$S/state" '{"to":"terminated","reason":"opérateur"}'
is "$status" 200 "in_stock -> terminated"
api POST "/v1/sims/$S/state" '{"to":"in_stock"}'
is "$status" 409 "terminated is final"
like "$(jget .error.message)" 'allowed: (none|aucun)' "nothing allowed"
api POST "/v1/sims/$S/state" '{"to":"in_stock","data_erased":true}'
is "$status" 400 "data_erased is for devices"

# PIN and PUK: set from a request body, shown on request, audited.
api PUT "/v1/sims/$S/secret" '{"pin":"0000","puk":"87654321"}'
is "$status" 200 "secret set"
api GET "/v1/sims?limit=10"
unlike "$body" '87654321' "never in a list"
api GET "/v1/sims/$S/secret"
is "$(jget .pin)/$(jget .puk)" 0000/87654321 "shown on request"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$S' AND action IN ('secret_set','secret_shown')")" 2 "setting and reading are audited"
unlike "$(cat "$T/daemon.log")" '87654321' "never in the log"
done_testing
