#!/bin/bash
# Erasing a beneficiary's identity removes it for good: no first name,
# last name or phone anywhere in the database file or its WAL afterwards
# (read raw from the files), the free-text notes gone with it, while the
# pseudonymous record, every count and the history stay intact; the
# erasure is itself in the ledger, and names never reach the log.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon -v
path_setup
api POST /v1/diagnostics "{\"beneficiary\":\"$B\",\"adviser\":\"Awa\",\"device_need\":\"laptop\",\"connection_need\":\"sim\",\"autonomy\":2,\"note\":\"Mme Quenardel préfère le matin\",\"at\":\"2022-03-15\"}"
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"2022-04-01\"}"
api POST /v1/certifications "{\"beneficiary\":\"$B\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":300,\"at\":\"2022-05-02\"}"
api POST /v1/followups "{\"beneficiary\":\"$B\",\"connected\":true,\"problems\":\"joindre Zoubida le soir\",\"at\":\"2022-07-05\"}"
# Someone else, whose identity stays.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\",\"first_name\":\"Hortense\",\"last_name\":\"Vaillancourt\",\"phone\":\"0744556677\"}"; K=$(jget .tag)
ks beneficiary identity "$B" >/dev/null

raw() { # how many of the words appear in the database file and its WAL
	cat "$DB" "$DB-wal" 2>/dev/null | grep -a -c -E "$1"
}
words='Zoubida|Quenardel|0671829304|préfère le matin|joindre'
[ "$(raw "$words")" -gt 0 ] && pass "before: the identity is in the files" || fail "before: the identity is in the files"
counts() {
	sql "SELECT (SELECT count(*) FROM beneficiary) || ' ' || (SELECT count(*) FROM diagnostic) || ' ' ||
	    (SELECT count(*) FROM orientation) || ' ' || (SELECT count(*) FROM certification) || ' ' ||
	    (SELECT count(*) FROM followup) || ' ' || (SELECT count(*) FROM beneficiary WHERE territory = 'T6') || ' ' ||
	    (SELECT count(*) FROM diagnostic WHERE device_need = 'laptop')"
}
before=$(counts)
api GET "/v1/history/$B"; hist=$(jget '[.history[] | del(.id)]')
api GET "/v1/beneficiaries/$B"; rec=$(jget 'del(.identity, .identity_erased_at)')

ks beneficiary erase-identity "$B" --reason "demande de la personne (art. 17 RGPD)"
is "$rc" 0 "the identity is erased"
is "$out" "$B: identity erased, gone from the database files" "the client says so, and that the bytes are gone"
is "$(raw "$words")" 0 "no name, phone or note left in the database file or its WAL"
is "$(stat -c %s "$DB-wal")" 0 "the WAL was checkpointed and truncated"
is "$(raw 'Hortense|Vaillancourt|0744556677')" 1 "another person's identity is still there"
is "$(counts)" "$before" "every count intact"
api GET "/v1/history/$B"
is "$(jget "[.history[] | del(.id)][0:$(jget '.history | length - 1')]")" "$hist" "the history intact"
is "$(jget '.history[-1].action') $(jget '.history[-1].reason') $(jget '.history[-1].details.how') $(jget '.history[-1].details.notes_cleared')" "identity_erased demande de la personne (art. 17 RGPD) request 2" "the erasure is in it: why, how, notes cleared"
api GET "/v1/beneficiaries/$B"
is "$(jget .identity)" erased "the record says the identity is erased"
like "$(jget .identity_erased_at)" "^$(date -u +%Y-%m-%d)T" "and when"
is "$(jget 'del(.identity, .identity_erased_at)')" "$rec" "the pseudonymous record is unchanged"
api GET "/v1/diagnostics/$B"
is "$(jget .note)/$(jget .device_need)" "null/laptop" "the diagnostic keeps its outcome, not its note"

sum=$(dbsum)
api GET "/v1/beneficiaries/$B/identity"
is "$status/$(jget .error.code)" 410/identity_erased "the identity cannot be shown any more"
api POST "/v1/beneficiaries/$B/erase-identity" '{"reason":"encore"}'
is "$status/$(jget .error.code)" 409/identity_erased "a second erasure is refused"
api PUT "/v1/beneficiaries/$B/identity" '{"first_name":"Zoubida"}'
is "$status/$(jget .error.code)" 409/identity_erased "nor is it recorded again"
api POST "/v1/beneficiaries/$B/erase-identity" '{}'
is "$status/$(jget .error.field)" 400/reason "an erasure needs a reason"
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93008\",\"prescriber\":\"$P\",\"referred_on\":\"2022-02-01\",\"consent_on\":\"2022-02-01\"}"; N=$(jget .tag)
sum=$(dbsum)
api POST "/v1/beneficiaries/$N/erase-identity" '{"reason":"x"}'
is "$status/$(jget .error.code)" 409/no_identity "nothing to erase for someone without an identity"
ks beneficiary erase-identity "$B" --reason encore
is "$rc" 1 "client: a second erasure refused"
like "$err" 'already erased on' "said so"
ks beneficiary erase-identity "$B"
is "$rc" 2 "client: the reason is required"
is "$(dbsum)" "$sum" "no refusal changed the database"

ks beneficiary export "$B" --out "$T/export.json"
is "$rc" 0 "an export after the erasure"
is "$(jq -r '.identity' "$T/export.json") $(jq -r '.beneficiary.identity_erased_at != null' "$T/export.json")" "null true" "holds no identity, only the date it was erased"
is "$(jq -r '[.history[].action] | index("identity_erased") != null' "$T/export.json")" true "and the history"
stop_daemon
is "$daemon_rc" 0 "kitstockd exits 0 on SIGTERM"
is "$(raw "$words")" 0 "still nothing after the daemon stopped"
unlike "$(cat "$T/daemon.log")" "$words" "no name, phone or note in the log"
done_testing
