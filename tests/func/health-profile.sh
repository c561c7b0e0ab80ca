#!/bin/bash
# /v1/health, the built-in 93 profile and its dated communes, and answers
# to paths and methods the API does not have.
. "$(dirname "$0")/lib"
start_daemon

api GET /v1/health
is "$status" 200 "health answers 200"
is "$(jget .status)" ok "health says ok"
is "$(jget .database)" writable "database is writable"
is "$(jget .schema_version)" "$(sql 'PRAGMA user_version')" "schema version reported"

api GET /v1/programme
is "$status" 200 "programme answers"
is "$(jget '.territories | length')" 4 "four territories"
is "$(jget '.territories[0].code')" T6 "T6 first"
is "$(jget '.territories[0].budget')" 187500.00 "187,500 euros per territory"
is "$(jget '."diagnostic-deadline"')" 2022-06-30 "diagnostic deadline of the 93"
is "$(jget '[.territories[].target_diagnosed] | add')" 1000 "1,000 diagnostics for the département"

api GET '/v1/communes?on=2021-06-01'
is "$(jget '.communes | length')" 40 "40 communes in 2021"
api GET '/v1/communes?on=2025-06-01'
is "$(jget '.communes | length')" 39 "39 communes after the 2025 merger"
api GET '/v1/communes?territory=T6&on=2025-06-01'
unlike "$body" 93059 "Pierrefitte is gone from T6 in 2025"
is "$(sql "SELECT merged_into FROM commune WHERE insee='93059'")" 93066 "merger kept as data"
api GET '/v1/communes?on=2025-13-01'
is "$status" 400 "a bad date is refused"
like "$(jget .error.message)" '2025-13-01' "and named"

api GET /v1/nothing
is "$status" 404 "unknown endpoint is 404"
is "$(jget .error.code)" no_such_endpoint "with a code"
api DELETE /v1/health
is "$status" 405 "wrong method is 405"
api GET /v1/health
is "$status" 200 "still serving"
done_testing
