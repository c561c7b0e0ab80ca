#!/bin/bash
# Over TCP every request carries a bearer token: created by a coordinator
# (shown once, stored only as its hash), named in the ledger as the actor,
# refused when missing, unknown, revoked or expired. Health stays public.
. "$(dirname "$0")/lib"
port=$((20000 + RANDOM % 20000))
start_daemon --listen "127.0.0.1:$port"
URL=http://127.0.0.1:$port

code=$(curl -s -o "$T/o" -w '%{http_code}' "$URL/v1/health")
is "$code" 200 "health needs no token"
code=$(curl -s -o "$T/o" -w '%{http_code}' "$URL/v1/stock")
is "$code" 401 "no token: 401"
like "$(jget .error.message "$(cat "$T/o")")" 'needs a token' "saying how to get one"

ks token add entrepot-1 --role warehouse --expires 2099-12-31
is "$rc" 0 "a coordinator creates a token"
tok=$out
like "$tok" '^ks_[A-Za-z0-9_-]{43}$' "the secret is printed alone"
like "$err" 'shown once' "with a warning that it is shown once"
is "$(sql "SELECT count(*) FROM token WHERE hash = '$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)'")" 1 "only its SHA-256 is stored"
is "$(sql "SELECT count(*) FROM token WHERE hash LIKE '%$tok%'")" 0 "never the secret itself"
ks token list
like "$out" 'entrepot-1 +warehouse' "listed with its role"
unlike "$out" "$tok" "without the secret"

printf '%s\n' "$tok" > "$T/tok"
out=$("$KITSTOCK" --server "$URL" --token-file "$T/tok" supplier add --name "Par TCP")
is "$?" 0 "the client writes over TCP with its token"
is "$(sql "SELECT actor FROM ledger WHERE entity='$out'")" token:entrepot-1 "the ledger names the token"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/v1/sims/S-0000001-8/secret")
is "$code" 403 "a warehouse token cannot read SIM secrets"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer ks_nope" "$URL/v1/stock")
is "$code" 401 "an unknown token: 401"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/v1/tokens")
is "$code" 403 "only coordinators manage tokens"

sqlite3 "$DB" "UPDATE token SET expires_on='2020-01-01' WHERE name='entrepot-1'"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/v1/stock")
is "$code" 401 "an expired token: 401"
like "$(jget .error.message "$(cat "$T/o")")" 'expired on 2020-01-01' "saying when it expired"
sqlite3 "$DB" "UPDATE token SET expires_on=NULL WHERE name='entrepot-1'"
ks token revoke entrepot-1
is "$rc" 0 "revoked"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/v1/stock")
is "$code" 401 "a revoked token: 401"
is "$(sql "SELECT group_concat(action) FROM ledger WHERE entity='token:entrepot-1'")" create,revoke "creation and revocation in the ledger"

# Bad input to token creation changes nothing.
sum=$(dbsum)
ks token add "Bad Name" --role warehouse;           is "$rc" 1 "bad name refused"
ks token add x --role king;                          is "$rc" 1 "unknown role refused"
ks token add x --role prescriber;                    is "$rc" 1 "a prescriber token needs its prescriber"
ks token add x --role warehouse --expires 2001-01-01; is "$rc" 1 "an expiry in the past refused"
like "$err" '2001-01-01' "naming the date"
ks token revoke nosuch;                              is "$rc" 1 "revoking an unknown token refused"
is "$(dbsum)" "$sum" "refusals changed nothing"
done_testing
