#!/bin/bash
# Retention: the programme profile's retention-months (24 in the 93
# profile) schedules the erasure of a person's identity after their last
# step (dates as they happened: effective dates). purge-due --dry-run says
# whose are due; purge-due erases them; kitstockd does it by itself when
# it starts and then daily. Counts and history stay.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
is "$(sql "SELECT value FROM programme WHERE key='retention-months'")" 24 "the 93 profile keeps identities 24 months"
path_setup
# B: referred in 2022, last step (a follow-up) on 2022-07-05: due since 2024-07-05.
diagnose "$B" 2022-03-15 none
api POST /v1/followups "{\"beneficiary\":\"$B\",\"connected\":true,\"at\":\"2022-07-05\"}"
# C: referred long ago, but followed a year ago: not due.
yearago=$(date -u -d '1 year ago' +%Y-%m-%d)
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\",\"first_name\":\"Hortense\"}"; C=$(jget .tag)
diagnose "$C" 2022-02-10 none
api POST /v1/followups "{\"beneficiary\":\"$C\",\"month\":6,\"at\":\"$yearago\"}"
# R: referred today.
today=$(date -u +%Y-%m-%d)
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"$today\",\"consent_on\":\"$today\",\"first_name\":\"Rayan\"}"; R=$(jget .tag)
# Reading an identity is not a step: it does not push retention back.
api GET "/v1/beneficiaries/$B/identity"

sum=$(dbsum)
api POST /v1/beneficiaries/purge-due '{"dry_run":true}'
is "$status" 200 "a dry run"
is "$(jget '[.due[] | "\(.tag):\(.last_step_on):\(.erase_on)"] | join(" ")')" "$B:2022-07-05:2024-07-05" "only B is due: 24 months after the last follow-up"
is "$(jget .erased)" 0 "nothing erased"
is "$(dbsum)" "$sum" "nothing written"
ks beneficiary purge-due --dry-run
like "$out" "$B +2022-07-05 +2024-07-05" "the client lists who is due"
like "$out" '1 identities due for erasure \(retention 24 months\); nothing erased' "and says nothing was erased"

ks beneficiary purge-due
is "$rc" 0 "the purge"
like "$out" '1 identities erased \(retention 24 months\)' "erases one"
is "$(sql "SELECT group_concat(b.tag) FROM beneficiary_identity i JOIN beneficiary b ON b.id = i.beneficiary_id")" "$C,$R" "the others keep theirs"
is "$(sql "SELECT json_extract(details_json, '\$.how') || ' / ' || reason FROM ledger WHERE entity='$B' AND action='identity_erased'")" "retention / retention: 24 months after the last step on 2022-07-05" "in the ledger, saying why"
is "$(cat "$DB" "$DB-wal" | grep -a -c 'Zoubida|Quenardel')" 0 "gone from the files"
is "$(stat -c %s "$DB-wal")" 0 "the WAL truncated"
is "$(sql "SELECT count(*) FROM followup")/$(sql "SELECT count(*) FROM diagnostic")" 2/2 "the steps stay"
api POST /v1/beneficiaries/purge-due '{}'
is "$status/$(jget .erased)" 200/0 "nothing more is due"
# The purge reads only people referred and consenting before the cut-off
# (today less the retention, four days spare): no one due is left out,
# whatever the day and the months (every day of 2019-2031, 1 to 36 months,
# each at the first day it is due).
is "$(sql "WITH RECURSIVE d(l) AS (SELECT '2019-01-01' UNION ALL SELECT
    date(l, '+1 day') FROM d WHERE l < '2031-12-31'), m(n) AS (SELECT 1
    UNION ALL SELECT n + 1 FROM m WHERE n < 36) SELECT count(*) FROM d, m
    WHERE l > date(date(l, '+' || n || ' months'), '-' || n || ' months',
    '+4 days')")" 0 "the cut-off leaves no one due out"
like "$(sql "EXPLAIN QUERY PLAN SELECT id FROM beneficiary b
    WHERE b.identity_erased_at IS NULL AND b.referred_on <= '2024-01-01'")" \
    "USING INDEX beneficiary_kept" "people kept are read by their index"

# On its own: kitstockd erases what is due when it starts.
api POST /v1/beneficiaries "{\"category\":\"siae_employee\",\"commune\":\"93048\",\"prescriber\":\"$P\",\"referred_on\":\"2021-03-01\",\"consent_on\":\"2021-03-01\",\"first_name\":\"Ferdinand\",\"phone\":\"0601020304\"}"; F=$(jget .tag)
stop_daemon
start_daemon
is "$(sql "SELECT count(*) FROM beneficiary_identity i JOIN beneficiary b ON b.id = i.beneficiary_id WHERE b.tag='$F'")" 0 "an identity past retention is erased at start"
is "$(sql "SELECT actor || '/' || station FROM ledger WHERE entity='$F' AND action='identity_erased'")" kitstockd/retention "by kitstockd itself"
like "$(cat "$T/daemon.log")" 'retention: 1 identity erased after 24 months' "the log says how many"
unlike "$(cat "$T/daemon.log")" "Ferdinand|0601020304|$F" "and names no one"
is "$(cat "$DB" "$DB-wal" | grep -a -c 'Ferdinand|0601020304')" 0 "gone from the files"

# A profile without retention: nothing is scheduled.
sql "DELETE FROM programme WHERE key='retention-months'"
sum=$(dbsum)
api POST /v1/beneficiaries/purge-due '{}'
is "$status/$(jget .error.code)" 409/no_retention "purge-due says the profile sets no retention"
like "$(jget .error.message)" 'sets no retention-months' "in a sentence"
is "$(dbsum)" "$sum" "nothing written"
sql "INSERT INTO programme VALUES ('retention-months', 'two years')"
api POST /v1/beneficiaries/purge-due '{}'
is "$status" 409 "a retention that is not a number of months"
like "$(jget .error.message)" 'not a number of months' "said so"
done_testing
