#!/bin/bash
# Paper records entered later: an effective date in the past is kept as the
# ledger's "at", beside the time it was recorded; the future is refused.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"E-1\",\"lot\":\"$R\",\"at\":\"2022-03-14\"}"
is "$status" 201 "device registered with a past date"
D=$(jget .tag)
is "$(sql "SELECT at FROM ledger WHERE entity='$D'")" 2022-03-14T00:00:00Z "effective date kept"
like "$(sql "SELECT recorded_at FROM ledger WHERE entity='$D'")" "^$(date -u +%Y-%m-%d)" "recorded today"
api POST "/v1/devices/$D/state" '{"to":"in_repair","reason":"x","at":"2022-04-01T09:30"}'
is "$(sql "SELECT at FROM ledger WHERE entity='$D' AND action='state'")" 2022-04-01T09:30:00Z "date and time"
sum=$(dbsum)
api POST "/v1/devices/$D/state" "{\"to\":\"in_stock\",\"at\":\"$(date -u -d tomorrow +%Y-%m-%d)\"}"
is "$status" 400 "tomorrow is refused"
is "$(jget .error.field)" at "naming the field"
api POST "/v1/devices/$D/state" '{"to":"in_stock","at":"14/03/2022"}'
is "$status" 400 "a French date is refused in the API"
like "$(jget .error.message)" '14/03/2022' "naming the value"
is "$(dbsum)" "$sum" "nothing changed"
api POST /v1/suppliers '{"name":"Y","at":"2022-01-01"}'
is "$status" 400 "no effective date on a supplier"
done_testing
