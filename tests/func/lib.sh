# Functional tests: a real kitstockd on a temporary socket and database,
# driven by the real client and curl; TAP output for prove.
#
#   . "$(dirname "$0")/lib.sh"
#   start_daemon [extra kitstockd options]
#   api POST /v1/suppliers '{"name":"X"}'   -> $status, $body
#   ks supplier add --name X                -> $rc, $out, $err
#   is "$a" "$b" "name";  like "$text" 'regex' "name";  ok CMD... "name"
#   done_testing

set -u
KITSTOCKD=${KITSTOCKD:-$(pwd)/daemon/kitstockd}
KITSTOCK=${KITSTOCK:-$(pwd)/client/kitstock}
T=$(mktemp -d /tmp/kitstock-func.XXXXXX)
SOCK=$T/sock
DB=$T/kitstock.db
DAEMON_PID=
tap_n=0
tap_failed=0
export KITSTOCK_LANG=${KITSTOCK_LANG:-en}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

cleanup() {
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
}
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got:  '$1'" "want: '$2'"; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then pass "$3"
	else fail "$3" "got:  '$1'" "want match: $2"; fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then fail "$3" "got:  '$1'" "must not match: $2"
	else pass "$3"; fi
}

# A JSON value from $body (or $2), with jq: jget .error.field
jget() { printf '%s' "${2-$body}" | jq -r "$1"; }

sql() { sqlite3 -batch "$DB" "$1"; }

# Whole-database fingerprint, to show a refusal changed nothing.
dbsum() {
	sqlite3 -batch "$DB" .dump | grep -v '^PRAGMA\|^BEGIN\|^COMMIT' | md5sum | cut -d' ' -f1
}

start_daemon() {
	"$KITSTOCKD" -f -d "$DB" -s "$SOCK" "$@" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$SOCK" ] && curl -s --unix-socket "$SOCK" \
		    http://localhost/v1/health >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "Bail out! kitstockd did not start"; cat "$T/daemon.log"; exit 1
}

stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	daemon_rc=$?
	DAEMON_PID=
}

alive() {
	curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' \
	    http://localhost/v1/health
}

# api METHOD PATH [BODY [CONTENT-TYPE]]
api() {
	local out
	if [ $# -ge 3 ]; then
		out=$(curl -s --unix-socket "$SOCK" -X "$1" \
		    -H "Content-Type: ${4:-application/json}" \
		    --data-binary "$3" -w '\n%{http_code}' "http://localhost$2")
	else
		out=$(curl -s --unix-socket "$SOCK" -X "$1" -w '\n%{http_code}' \
		    "http://localhost$2")
	fi
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# ks ARGS...: the client on our socket; stdin is passed on.
ks() {
	out=$("$KITSTOCK" -s "$SOCK" "$@" 2>"$T/ks.err")
	rc=$?
	err=$(cat "$T/ks.err")
}

done_testing() {
	if [ -n "$DAEMON_PID" ]; then
		stop_daemon
		is "$daemon_rc" 0 "kitstockd exits 0 on SIGTERM"
	fi
	if grep -Eq 'Sanitizer|runtime error' "$T/daemon.log"; then
		fail "no sanitizer report from kitstockd" "$(grep -E -A20 'Sanitizer|runtime error' "$T/daemon.log")"
	fi
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
