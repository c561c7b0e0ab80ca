#!/bin/bash
# A person's own data, exported for them on request: the record, their
# identity, each step and the history, as JSON, into a file only its
# owner can read; the export is itself in the ledger (without the data).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
diagnose "$B" 2022-03-15
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-04-01\"}"
api POST /v1/followups "{\"beneficiary\":\"$B\",\"connected\":true,\"at\":\"2022-07-05\"}"

ks beneficiary export "$B" --out "$T/zoubida.json"
is "$rc" 0 "exported"
like "$out" "zoubida.json: data of $B written" "the client says where"
is "$(stat -c %a "$T/zoubida.json")" 600 "readable by its owner only"
f() { jq -r "$1" "$T/zoubida.json"; }
is "$(f .tag)/$(f .beneficiary.commune_name)/$(f .prescriber.name)" "$B/Saint-Denis/Mission locale Saint-Denis" "the record and who referred them"
is "$(f .identity.first_name) $(f .identity.last_name) $(f .identity.phone)" "Zoubida Quenardel 0671829304" "their identity"
is "$(f .diagnostic.device_need)/$(f '.orientations[0].offer_name')/$(f '.followups[0].month')" "laptop/Premiers pas numériques/3" "each step"
is "$(f '[.history[].action] | join(",")')" "create,identity_set,diagnostic,orientation,followup" "the history"
is "$(sql "SELECT actor || ' ' || coalesce(details_json, '-') FROM ledger WHERE entity='$B' AND action='exported'")" "root -" "the export is in the ledger, without the data"
ks beneficiary export "$B" --out -
is "$(printf '%s' "$out" | jq -r .identity.first_name)" Zoubida "or to standard output"
ks beneficiary export "$(mktag B 9)" --out "$T/nobody.json"
is "$rc" 1 "an unknown beneficiary"
like "$err" 'does not exist' "said so"
[ -e "$T/nobody.json" ] && fail "no file written for a refusal" || pass "no file written for a refusal"
ks beneficiary export "$B"
is "$rc" 2 "--out is required"
ks beneficiary export "$B" --out /nonexistent/dir/x.json
is "$rc" 1 "a file that cannot be written"
like "$err" 'cannot write /nonexistent/dir/x.json' "said so"
api GET "/v1/beneficiaries/B-0000001-X/export"
is "$status" 400 "a mistyped tag"
is "$(sql "SELECT count(*) FROM ledger WHERE action='exported'")" 3 "the refusals recorded no export (the failed write did: the data left the daemon)"
done_testing
