#!/bin/bash
# The dashboard in Debian's headless Chromium, from a test daemon on
# loopback TCP: the page signs in with a token (exchanged for an HttpOnly
# session cookie), draws each territory's progress against its targets
# and the stock; the figures it renders equal the counts this test made
# (not the API's answers); a screenshot goes to a temporary folder; the
# page asks for nothing outside the daemon. Then the session and the
# page's headers on their own.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
command -v chromium >/dev/null || { echo "1..0 # SKIP no chromium"; exit 0; }
port=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$port
start_daemon --listen "127.0.0.1:$port"
report_generate 64
ks token add tableau --role coordinator; tok=$out
ks token add ml --role prescriber --prescriber "$PA"; tpa=$out

# Chromium on the page, driven over the DevTools protocol until the page
# says it is ready (an open EventSource would keep --dump-dom waiting).
browse() {
	rm -rf "$T/chrome"; mkdir -p "$T/chrome" "$T/shots"
	chromium --headless --no-sandbox --disable-gpu --no-first-run \
	    --disable-background-networking --disable-sync \
	    --disable-component-update --disable-default-apps \
	    --disable-extensions --metrics-recording-only --mute-audio \
	    --user-data-dir="$T/chrome" --remote-debugging-port=0 \
	    --window-size=1280,1800 --log-net-log="$T/net.json" "$1" \
	    >/dev/null 2>>"$T/chrome.log" &
	chrome=$!
	ready=$(timeout 150 python3 "$(dirname "$0")/cdp.py" "$T/chrome" "$T/dom.html" "$T/shots/dashboard.png" 90)
	kill "$chrome" 2>/dev/null; wait "$chrome" 2>/dev/null
}
browse "$URL/dashboard#token=$tok"
is "$ready" 1 "the page signed in and loaded its data"
count() { grep -o "id=\"$1\"[^>]*data-count=\"[0-9]*\"" "$T/dom.html" | grep -o 'data-count="[0-9]*"' | tr -dc 0-9; }
for s in T6 T7 T8 T9 departement; do
	for i in diagnosed equipped connected oriented certified; do
		is "$(count "ind-$s-$i")" "${EXP["$s $i"]:-0}" "rendered: $s $i"
	done
done
laptops=0
for b in "${BENS[@]}"; do case ${BEN_STAGE[$b]} in 4|6) laptops=$((laptops + 1)) ;; esac; done
is "$(count stock-laptop-handed_over)" "$laptops" "rendered: laptops handed over"
like "$(cat "$T/dom.html")" 'Avancement par territoire' "in French"
like "$(cat "$T/dom.html")" '<svg[^>]*class="bar"' "with SVG bars drawn by the page"
like "$(grep -o '<p id="stream-state">[^<]*' "$T/dom.html")" 'En direct|Flux|Reconnexion|Connexion au flux' "the live scans: connecting, connected, or a word that the stream is not there"
# What the page requested, as it saw it and as Chromium's net log saw it
# (requests the page initiated; Chromium's own background traffic aside).
urls=$(sort -u "$T/dom.html.resources")
like "$urls" "$URL/v1/indicators" "the page's requests are known"
is "$(printf '%s\n' "$urls" | grep -v "^$URL/" | grep -v '^$' | head -3)" "" "the page requested nothing outside the daemon"
# Chromium stopped by a signal may leave its log without its closing
# brackets (seen under load): close them before reading it.
netlog=$(python3 -c 'import json, sys
t = open(sys.argv[1]).read().rstrip().rstrip(",")
try:
    log = json.loads(t)
except ValueError:
    log = json.loads(t + "]}")
for e in log.get("events", []):
    p = e.get("params") or {}
    if p.get("initiator") == sys.argv[2] and p.get("url"):
        print(p["url"])' "$T/net.json" "$URL" 2>>"$T/chrome.log" | sort -u)
like "$netlog" "$URL/dashboard/app.js" "the net log names the page's requests"
is "$(printf '%s\n' "$netlog" | grep -v "^$URL/" | grep -v '^$' | head -3)" "" "none outside the daemon in the net log either"
is "$(head -c 8 "$T/shots/dashboard.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "a screenshot, as PNG, in a temporary folder"
browse "$URL/dashboard"
is "$ready" login "without a token: the sign-in form"

# The page and its headers.
h=$(curl -s -D - -o "$T/page" "$URL/dashboard")
like "$h" "Content-Security-Policy: default-src 'self'" "a strict Content-Security-Policy"
like "$h" "Content-Type: text/html" "HTML"
like "$(curl -s -D - -o /dev/null "$URL/dashboard/app.js")" "Content-Type: text/javascript" "its script, from the daemon"
unlike "$(cat "$T/page")" 'https?://' "no external asset named"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/dashboard/nonesuch.js")" 404 "an unknown asset"

# The session: a token opens one, kept in an HttpOnly cookie, for the
# dashboard's reads only (tests/func/session-cookie.sh for the rest).
h=$(curl -s -D - -o "$T/o" -H 'Content-Type: application/json' --data "{\"token\":\"$tok\"}" "$URL/v1/session" | tr -d '\r')
like "$h" "Set-Cookie: kitstock_session=kss_[^;]+; Path=/; HttpOnly; SameSite=Strict" "POST /v1/session sets an HttpOnly, SameSite=Strict cookie"
unlike "$h" "Secure" "not Secure without TLS"
ck=$(printf '%s\n' "$h" | sed -n 's/^Set-Cookie: kitstock_session=\([^;]*\);.*/\1/p')
unlike "$ck" "${tok#ks_}" "the cookie is not the token"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "kitstock_session=$ck" "$URL/v1/indicators")" 200 "the cookie reads"
before=$(dbsum)
is "$(curl -s -o "$T/o" -w '%{http_code}' -b "kitstock_session=$ck" -H 'Content-Type: application/json' --data '{"name":"X"}' "$URL/v1/suppliers")" 403 "but does not write"
like "$(jget .error.message "$(cat "$T/o")")" "only reads" "said so"
is "$(dbsum)" "$before" "nothing written"
is "$(curl -s -o "$T/o" -w '%{http_code}' -H 'Content-Type: application/json' --data "{\"token\":\"$tpa\"}" "$URL/v1/session")" 403 "a prescriber's token opens no dashboard session"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "kitstock_session=$tok" "$URL/v1/indicators")" 401 "the token as a cookie"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "kitstock_session=ks_nope" "$URL/v1/indicators")" 401 "an unknown cookie"
for b in '{"token":"ks_nope"}:401' '{}:400' '{"token":"a b"}:400' '{"token":7}:400'; do
	is "$(curl -s -o "$T/o" -w '%{http_code}' -H 'Content-Type: application/json' --data "${b%:*}" "$URL/v1/session") $(jget .error.field "$(cat "$T/o")")" "${b##*:} token" "session ${b%:*}: refused, naming token"
done
like "$(curl -s -D - -o /dev/null -X DELETE -b "kitstock_session=$ck" "$URL/v1/session")" "Set-Cookie: kitstock_session=; Path=/; Max-Age=0" "DELETE /v1/session signs out"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "kitstock_session=$ck" "$URL/v1/indicators")" 401 "and the session is over"
done_testing
