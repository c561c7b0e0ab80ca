#!/bin/bash
# What the edge refuses, before any route or identity: a path, query
# parameter or header that is not UTF-8 text, two Content-Length headers,
# a body over max-body. Each gets a 400 (413) in
# the API's JSON shape naming the field and showing the bytes escaped;
# over the UNIX socket with no role, over TCP without a token, over TLS;
# the database is unchanged and the daemon still serves. (Before, one byte
# such as %ff stopped kitstockd: "json_dump_callback: out of memory".)
. "$(dirname "$0")/lib"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to drop privileges"; exit 0; }
chmod 755 "$T"
RAW="$SRCDIR/tests/func/edge-raw.py"
[ -f "$RAW" ] || RAW="$(dirname "$0")/edge-raw.py"
cp "$RAW" "$T/raw.py"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/tls.key" -out "$T/tls.pem" 2>/dev/null ||
    { echo "Bail out! openssl could not make a certificate"; exit 1; }
port=$((20000 + RANDOM % 20000))

# raw TRANSPORT: the request (printf format) on $1.. -> $status, $body
raw() {
	local transport=$1 out
	shift
	# shellcheck disable=SC2059
	out=$(printf "$@" | as_nobody /usr/bin/python3 "$T/raw.py" send "$transport")
	status=${out%%$'\n'*}
	closed=${status#* }
	status=${status% *}
	body=${out#*$'\n'}
}

# check NAME STATUS FIELD MESSAGE-REGEX: the answer in the error shape
check() {
	is "$status" "$2" "$1: $2"
	is "$(jget .error.field)" "$3" "$1: names the field $3"
	like "$(jget .error.message)" "$4" "$1: the sentence"
}

H='HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
K='HTTP/1.1\r\nHost: x\r\n'	# keep-alive: the server must close itself
cases() { # TRANSPORT LABEL
	local t=$1 lab=$2
	raw "$t" "GET /dashboard/%%ff $H\r\n"
	check "$lab: GET /dashboard/%ff" 400 path 'path is not UTF-8 text: "/dashboard/\\xff"'
	raw "$t" "GET /v1/\xff $H\r\n"
	check "$lab: GET /v1/\\xff" 400 path '"/v1/\\xff"'
	raw "$t" "GET /v1/devices/%%ff $H\r\n"
	check "$lab: GET /v1/devices/%ff" 400 path '"/v1/devices/\\xff"'
	raw "$t" "GET /v1/devices?state=%%ff $H\r\n"
	check "$lab: ?state=%ff" 400 state 'query parameter state is not UTF-8 text: "\\xff"'
	raw "$t" "GET /v1/stream?station=%%ff $H\r\n"
	check "$lab: ?station=%ff" 400 station 'query parameter station .*"\\xff"'
	raw "$t" "GET /v1/devices?brand=%%ff $H\r\n"
	check "$lab: ?brand=%ff is refused, not dropped" 400 brand 'query parameter brand .*"\\xff"'
	raw "$t" "POST /v1/suppliers ${H}Content-Type: \xff\r\nContent-Length: 12\r\n\r\n{\"name\":\"X\"}"
	check "$lab: Content-Type: \\xff" 400 Content-Type 'header Content-Type is not UTF-8 text: "\\xff"'
	raw "$t" "POST /v1/lots/import?supplier=$sup&ref=BL-%%ff ${H}Content-Type: text/csv\r\nContent-Length: 20\r\n\r\nkind,serial\nlaptop,1\n"
	check "$lab: a CSV import whose ref is not UTF-8" 400 ref 'query parameter ref .*"BL-\\xff"'
	raw "$t" "POST /v1/suppliers ${K}Content-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 13\r\n\r\n{\"name\":\"X\"}"
	check "$lab: two Content-Length" 400 Content-Length 'has 2 Content-Length headers'
	is "$closed" closed "$lab: and the connection is closed"
	raw "$t" "POST /v1/suppliers ${H}Content-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n{\"name\":\"X\"}"
	check "$lab: two equal Content-Length" 400 Content-Length 'has 2 Content-Length headers'
	raw "$t" "POST /v1/suppliers ${K}Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"name\":"
	check "$lab: a body over max-body" 413 body 'larger than kitstockd takes \(max-body in kitstockd.conf\): at most 4096 bytes'
	is "$(jget .error.code)" body_too_large "$lab: 413 in the API's JSON shape, not an HTML page"
	is "$closed" closed "$lab: and the connection is closed"
	is "$(alive)" 200 "$lab: the daemon still serves"
}

printf 'language en\nsocket-mode 0666\nmax-body 4096\nlisten 127.0.0.1:%s\n' "$port" > "$T/tcp.conf"
start_daemon -c "$T/tcp.conf"
api POST /v1/suppliers '{"name":"Ateliers"}'
sup=$(jget .tag)
sum=$(dbsum)
cases "unix:$SOCK" "UNIX socket, no role"
cases "tcp:127.0.0.1:$port" "TCP, no token"
is "$(dbsum)" "$sum" "nothing was written"
stop_daemon

printf 'language en\nsocket-mode 0666\nmax-body 4096\nlisten 127.0.0.1:%s\ntls-cert %s\ntls-key %s\n' \
    "$port" "$T/tls.pem" "$T/tls.key" > "$T/tls.conf"
start_daemon -c "$T/tls.conf"
for _ in $(seq 1 50); do curl -sk "https://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
cases "tls:127.0.0.1:$port" "TLS, no token"
is "$(dbsum)" "$sum" "nothing was written over TLS either"

# A JSON body that is not UTF-8: jansson refuses it, the sentence shows it.
body=$(printf '{"name":"\xff"}' | curl -s --unix-socket "$SOCK" -X POST \
    -H 'Content-Type: application/json' --data-binary @- http://localhost/v1/suppliers)
is "$(jget .error.code)" invalid_json "a JSON body that is not UTF-8 is refused"
is "$(alive)" 200 "and the daemon still serves"
is "$(dbsum)" "$sum" "the database is unchanged"

# A filter value that cannot match is refused naming it, not answered with
# an empty list that looks like nothing (or, before, every row).
for q in "stock?kind=zz kind" "stock?state=zz state" "stock?grade=Z grade" \
    "stock?location=zz location" "stock?supplier=zz supplier" \
    "stock?territory=ZZ territory" "followups?territory=ZZ territory" \
    "orientations/dropouts?territory=ZZ territory" \
    "communes?territory=ZZ territory" "prescribers?territory=ZZ territory" \
    "devices?kind=zz kind" "devices?location=zz location"; do
	api GET "/v1/${q% *}"
	is "$status $(jget .error.field)" "400 ${q#* }" "GET /v1/${q% *}: 400 naming ${q#* }"
done
for q in "stock?kind=laptop&state=in_stock&territory=T6" "followups?territory=T6" \
    "communes?territory=T6" "prescribers?territory=T6" "stock?kind=sim"; do
	api GET "/v1/$q"
	is "$status" 200 "GET /v1/$q: a value that can match is taken"
done
done_testing
