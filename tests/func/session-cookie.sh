#!/bin/bash
# The dashboard's cookie is a session of its own, not the token: a random
# value kept only as its SHA-256, opened from a coordinator's token, that
# reaches the dashboard's reads (GET /v1/programme, /v1/indicators,
# /v1/stock, /v1/alerts, /v1/stream) and nothing else: never backups,
# tokens, sessions, PIN/PUK, identities, exports nor a write. Idle and
# absolute expiry (set in the past in SQL, no waiting), ended by a
# coordinator (one or all), by revoking its token, by signing out; listed
# to coordinators only; each creation and end in the ledger, no secret in
# the ledger nor the log.
. "$(dirname "$0")/lib"
port=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$port
printf 'language en\nlisten 127.0.0.1:%s\nsession-idle 300\nsession-lifetime 7200\n' \
    "$port" > "$T/s.conf"
KITSTOCKD_TEST_HEARTBEAT=1 start_daemon -c "$T/s.conf"
ks token add tableau --role coordinator; tok=$out
ks token add entrepot --role warehouse; twh=$out
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# sign_in TOKEN: the answer in $T/o, the headers in $h, the cookie's value.
sign_in() {
	h=$(curl -s -D - -o "$T/o" -H 'Content-Type: application/json' \
	    --data "{\"token\":\"$1\"}" "$URL/v1/session" | tr -d '\r')
	cookie=$(printf '%s\n' "$h" | sed -n 's/^Set-Cookie: kitstock_session=\([^;]*\);.*/\1/p')
}
# code COOKIE [curl options] PATH: the status, the answer in $T/o.
code() {
	local c=$1; shift
	curl -s -o "$T/o" -w '%{http_code}' -b "kitstock_session=$c" "$@"
}

sign_in "$tok"; c0=$cookie
sid=$(jget .session "$(cat "$T/o")")
like "$h" "Set-Cookie: kitstock_session=[^;]+; Path=/; HttpOnly; SameSite=Strict" "an HttpOnly, SameSite=Strict cookie for Path=/"
unlike "$h" "Secure" "not Secure without TLS"
like "$cookie" '^kss_[A-Za-z0-9_-]{43}$' "its value: 32 random bytes, base64url"
[ "$cookie" != "$tok" ] && unlike "$cookie" "${tok#ks_}" "the cookie is not the token" ||
    fail "the cookie is not the token" "got the token"
is "$(jget '.role + " " + .scope + " " + (.idle_seconds|tostring)' "$(cat "$T/o")")" "coordinator dashboard 300" "a coordinator's dashboard session, session-idle as configured"
left=$(( $(date -d "$(jget .expires_at "$(cat "$T/o")")" +%s) - $(date +%s) ))
[ "$left" -gt 7100 ] && [ "$left" -le 7200 ] && pass "it ends session-lifetime (7200 s) after it began" ||
    fail "it ends session-lifetime after it began" "left: $left s"
is "$(sql "SELECT count(*) FROM session WHERE id = $sid AND hash = '$(sha "$cookie")'")" 1 "stored as its SHA-256"
sqlite3 "$DB" 'PRAGMA wal_checkpoint' >/dev/null
is "$(cat "$DB" "$DB-wal" 2>/dev/null | grep -c -a -F -e "$cookie" -e "$tok")" 0 "neither the cookie nor the token in clear in the database files"
is "$(sql "SELECT actor || ' ' || role || ' ' || scope || ' ' || (token_id = (SELECT id FROM token WHERE name = 'tableau')) FROM session WHERE id = $sid")" "token:tableau coordinator dashboard 1" "the session acts as the token's holder, and knows the token that opened it"

# What it reaches: the dashboard's reads.
for p in /v1/programme /v1/indicators '/v1/stock?by=kind,state' /v1/alerts /v1/health /dashboard; do
	is "$(code "$cookie" "$URL$p")" 200 "the cookie reads $p"
done
is "$(code "$cookie" --max-time 2 "$URL/v1/stream")" 200 "and follows /v1/stream"

# What it never reaches, even as a coordinator's: 403 naming why.
before=$(dbsum)
while read -r m p; do
	c=$(code "$cookie" -X "$m" -H 'Content-Type: application/json' ${BODY:+--data '{}'} "$URL$p")
	msg=$(jget .error.message "$(cat "$T/o")")
	is "$c" 403 "the cookie is refused $m $p"
	like "$msg" "dashboard session only reads the dashboard's figures \\(GET /v1/programme, .*\\): $m /v1/[^ ]* needs a token in an Authorization header" "saying why ($m $p)"
done <<'EOF'
GET /v1/backup
GET /v1/tokens
GET /v1/sessions
GET /v1/sims/S-0000001-8/secret
GET /v1/beneficiaries/B-0000001-8/identity
GET /v1/beneficiaries/B-0000001-8/export
GET /v1/beneficiaries
GET /v1/exports/evaluation
GET /v1/exports/prescriber
GET /v1/exports/stock
GET /v1/routes
GET /v1/check
PUT /v1/sims/S-0000001-8/secret
POST /v1/suppliers
DELETE /v1/tokens/tableau
DELETE /v1/sessions
EOF
is "$(dbsum)" "$before" "refusals changed nothing"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/v1/tokens")" 200 "the token itself, in its header, still reaches them"

# Forged cookies: 401.
is "$(code "$tok" "$URL/v1/indicators")" 401 "the token as a cookie: 401"
is "$(code "kss_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" "$URL/v1/indicators")" 401 "a random cookie: 401"
like "$(jget .error.message "$(cat "$T/o")")" "session is not valid" "saying so"
is "$(code 'kss_nope' "$URL/v1/indicators")" 401 "a made-up cookie: 401"

# Who opens a session: a token whose role reads every dashboard route.
sign_in "$twh"
is "$(jget .error.code "$(cat "$T/o")") $cookie" "forbidden " "a warehouse token opens no session"
like "$(jget .error.message "$(cat "$T/o")")" "role warehouse.*coordinator" "naming its role and who may"
sign_in ks_nope
is "$(jget .error.code "$(cat "$T/o")")" unauthorized "an unknown token opens none"

# Listed to coordinators, refused to other roles.
ks session list
like "$out" "^ *$sid +token:tableau +coordinator +dashboard +tableau " "a coordinator lists the sessions"
unlike "$out$(ks --json session list; echo "$out")" "$(sha "$c0")|$c0" "without their secret nor its hash"
is "$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $twh" "$URL/v1/sessions")" 403 "a warehouse token may not list sessions"
is "$(curl -s -o "$T/o" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $twh" "$URL/v1/sessions/$sid")" 403 "nor end one"
is "$(curl -s -o "$T/o" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $twh" "$URL/v1/sessions")" 403 "nor end them all"
is "$(sql "SELECT count(*) FROM session")" 1 "still there"

# Idle and absolute expiry, with the times set in the past.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sql "UPDATE session SET seen_at = '2020-01-01T00:00:00Z' WHERE id = $sid"
is "$(code "$c0" "$URL/v1/indicators")" 401 "unused for longer than session-idle: 401"
like "$(jget .error.message "$(cat "$T/o")")" "unused since 2020-01-01T00:00:00Z.*session-idle \(300 s\)" "saying since when"
then=$(date -u -d '-120 seconds' +%Y-%m-%dT%H:%M:%SZ)
sql "UPDATE session SET seen_at = '$then' WHERE id = $sid"
is "$(code "$c0" "$URL/v1/indicators")" 200 "used within session-idle: it holds"
seen=$(sql "SELECT seen_at FROM session WHERE id = $sid")
[[ "$seen" > "$then" ]] && pass "and its last use is written (at most every minute)" ||
    fail "its last use is written" "seen_at: $seen, was $then"
sql "UPDATE session SET expires_at = '2020-01-01T00:00:00Z' WHERE id = $sid"
is "$(code "$c0" "$URL/v1/indicators")" 401 "past its end: 401"
like "$(jget .error.message "$(cat "$T/o")")" "expired at 2020-01-01T00:00:00Z" "saying when"
ks session list
unlike "$out" "token:tableau" "an ended session is not listed"

# A coordinator ends one session.
sign_in "$tok"; c1=$cookie; s1=$(jget .session "$(cat "$T/o")")
is "$(sql "SELECT count(*) FROM session")" 1 "opening a session ended the expired one"
ks session end "$s1"
is "$rc $out" "0 session $s1 ended" "kitstock session end ID"
is "$(code "$c1" "$URL/v1/indicators")" 401 "that session's cookie: 401"
ks session end "$s1"
is "$rc" 1 "ending it again is refused"
like "$err" "no open session is numbered $s1" "saying so"
ks session end
is "$rc" 2 "session end needs an ID or --all"
ks session end nosuch
is "$rc" 1 "a session is named by its number"
like "$err" "named by its number" "saying so"

# All of them.
sign_in "$tok"; c2=$cookie; s2=$(jget .session "$(cat "$T/o")")
sign_in "$tok"; c3=$cookie; s3=$(jget .session "$(cat "$T/o")")
is "$(code "$c2" "$URL/v1/alerts") $(code "$c3" "$URL/v1/alerts")" "200 200" "two sessions of one token"
ks session end --all
is "$rc $out" "0 sessions ended: 2" "kitstock session end --all"
is "$(code "$c2" "$URL/v1/alerts") $(code "$c3" "$URL/v1/alerts")" "401 401" "both ended"
is "$(sql "SELECT count(*) FROM session")" 0 "no row left"

# Revoking the token ends the sessions it opened.
ks token add tableau-2 --role coordinator; tok2=$out
sign_in "$tok2"; c4=$cookie; s4=$(jget .session "$(cat "$T/o")")
sign_in "$tok"; c5=$cookie; s5=$(jget .session "$(cat "$T/o")")
ks token revoke tableau-2
is "$(code "$c4" "$URL/v1/indicators")" 401 "the revoked token's session: 401"
is "$(code "$c5" "$URL/v1/indicators")" 200 "another token's session holds"
is "$(sql "SELECT group_concat(id) FROM session")" "$s5" "the revoked token's row gone"
sign_in "$tok2"
is "$(jget .error.code "$(cat "$T/o")")" unauthorized "a revoked token opens no session"

# Signing out ends the session: the cookie forgotten and the row gone.
h=$(curl -s -D - -o "$T/o" -X DELETE -b "kitstock_session=$c5" "$URL/v1/session" | tr -d '\r')
like "$h" "Set-Cookie: kitstock_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" "sign-out sends a Max-Age=0 cookie"
is "$(jget '.session' "$(cat "$T/o")")" "$s5" "naming the session"
is "$(sql "SELECT count(*) FROM session WHERE id = $s5")" 0 "its row is gone"
is "$(code "$c5" "$URL/v1/indicators")" 401 "its cookie: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/v1/session")" 200 "signing out without a session is harmless"

# An open stream ends with its session, and with its token: looked up again
# at each heartbeat (1 s here), its connection is closed.
stream_ends() {	# COOKIE|-H... then what ends it; 0 once curl has returned
	curl -s -N "$@" "$URL/v1/stream" > "$T/stream.out" &
	spid=$!
	for _ in $(seq 1 50); do [ -s "$T/stream.out" ] && break; sleep 0.1; done
}
stream_gone() {
	for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$spid" 2>/dev/null; then kill "$spid"; wait "$spid" 2>/dev/null; echo open
	else wait "$spid" 2>/dev/null; echo closed; fi
}
sign_in "$tok"; c6=$cookie; s6=$(jget .session "$(cat "$T/o")")
stream_ends -b "kitstock_session=$c6"
like "$(cat "$T/stream.out")" "kitstock stream" "a session follows the stream"
ks session end "$s6"
is "$(stream_gone)" closed "ending the session closes its open stream"
ks token add suivi --role coordinator; tok3=$out
stream_ends -H "Authorization: Bearer $tok3"
like "$(cat "$T/stream.out")" "kitstock stream" "a token follows the stream"
sign_in "$tok"; c7=$cookie
stream_ends -b "kitstock_session=$c7"
spid7=$spid
stream_ends -H "Authorization: Bearer $tok3"
ks token revoke suivi
is "$(stream_gone)" closed "revoking the token closes its open stream"
spid=$spid7
is "$( [ -n "$(kill -0 "$spid" 2>&1)" ] && echo closed || echo open)" open "another session's stream stays open"
kill "$spid7" 2>/dev/null; wait "$spid7" 2>/dev/null
like "$(cat "$T/daemon.log")" "stream of token:suivi closed: its session or token has ended" "the log says why"

# The ledger: each creation and end, by whom and why; no secret anywhere.
is "$(sql "SELECT actor || ' ' || action || ' ' || coalesce(reason, '-') FROM ledger WHERE entity = 'session:$sid'")" "token:tableau create -
token:tableau end expired" "ledger: created by the token's holder, ended as expired when it next opened one"
is "$(sql "SELECT action || ' ' || coalesce(reason, '-') FROM ledger WHERE entity = 'session:$s1'")" "create -
end ended by a coordinator" "ledger: ended by a coordinator"
is "$(sql "SELECT count(*) FROM ledger WHERE entity IN ('session:$s2', 'session:$s3') AND action = 'end'")" 2 "ledger: both ended with --all"
is "$(sql "SELECT action || ' ' || coalesce(reason, '-') FROM ledger WHERE entity = 'session:$s4'")" "create -
end token revoked" "ledger: ended by its token's revocation"
is "$(sql "SELECT actor || ' ' || action || ' ' || coalesce(reason, '-') FROM ledger WHERE entity = 'session:$s5' AND action = 'end'")" "token:tableau end signed out" "ledger: signed out by its holder"
secrets=$(sqlite3 "$DB" .dump | grep -c -F -e "$c0" -e "$c1" -e "$c2" -e "$c5" -e "$tok" -e "$(sha "$c5")" -e "$(sha "$tok")")
# The token's hash is in its row, and nowhere else.
is "$secrets" 1 "no cookie, no session hash, no token in the database but the token's own hash"
is "$(grep -c -F -e "$c1" -e "$c5" -e "$tok" "$T/daemon.log")" 0 "nor in the log"

# Under TLS the cookie is Secure.
stop_daemon
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/k.pem" -out "$T/c.pem" 2>/dev/null
printf 'tls-cert %s\ntls-key %s\n' "$T/c.pem" "$T/k.pem" >> "$T/s.conf"
start_daemon -c "$T/s.conf"
for _ in $(seq 1 50); do curl -sk "https://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
h=$(curl -sk -D - -o "$T/o" -H 'Content-Type: application/json' --data "{\"token\":\"$tok\"}" "https://127.0.0.1:$port/v1/session" | tr -d '\r')
like "$h" "Set-Cookie: kitstock_session=kss_[^;]+; Path=/; HttpOnly; SameSite=Strict; Secure" "Secure under TLS"
done_testing
