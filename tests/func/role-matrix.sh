#!/bin/bash
# Roles on the UNIX socket, from real other uids (tests run as root, so
# each request drops to its uid with setpriv): every route, every role,
# allowed or 403; a refusal changes nothing; an account with no role is
# refused everything but health.
. "$(dirname "$0")/lib"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to drop privileges"; exit 0; }
chmod 755 "$T"
cat > "$T/roles.conf" <<CONF
language en
socket-mode 0666
role user 1501 warehouse
role user 1502 distribution
role group 1603 coordinator
role user 1504 prescriber
role user 1505 evaluator
CONF
start_daemon -c "$T/roles.conf"
# Something of each kind, so that paths lead somewhere.
api POST /v1/suppliers '{"name":"Ateliers"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; L=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"S1\",\"lot\":\"$R\",\"location\":\"$L\"}"; D=$(jget .tag)
api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"O\",\"location\":\"$L\"}"; S=$(jget .tag)
api POST /v1/accessories "{\"name\":\"Souris\",\"location\":\"$L\",\"count\":3}"; A=$(jget .tag)
api GET /v1/routes
routes=$(jget '.routes[] | "\(.method) \(.path) \(.roles)"')
[ -n "$routes" ] || fail "the route table is listed"

# as UID GID METHOD PATH: the status code
as() {
	setpriv --reuid="$1" --regid="$2" --clear-groups curl -s -o /dev/null \
	    -w '%{http_code}' --unix-socket "$SOCK" -X "$3" \
	    -H 'Content-Type: application/json' ${5:+--data-binary "$5"} \
	    "http://localhost$4"
}
example() {
	case $1 in
	*/devices/*) echo "$D" ;; */sims/*) echo "$S" ;; */suppliers/*) echo "$F" ;;
	*/locations/*) echo "$L" ;; */lots/*) echo "$R" ;; */accessories/*) echo "$A" ;;
	*/tokens/*) echo nosuchtoken ;; *) echo "$D" ;;
	esac
}
# The database's fingerprint before a request: dumped again only when its
# files changed since the last dump (any commit writes the WAL), so the
# many refusals, which must write nothing, cost a stat each.
files_last= sum_last=
snapshot() {
	local st
	st=$(stat -c '%s %y' "$DB" "$DB-wal" 2>/dev/null)
	if [ "$st" != "$files_last" ]; then
		files_last=$st
		sum_last=$(dbsum)
	fi
}
refusals=0 allowed=0 wrong=0
while read -r method path roles; do
	p=${path//\{tag\}/$(example "$path")}
	# The stream stays open: ask for a station that does not exist.
	[ "$path" = /v1/stream ] && p="$path?station=nosuch"
	for r in "1501 1501 warehouse" "1502 1502 distribution" "1599 1603 coordinator" \
	    "1504 1504 prescriber" "1505 1505 evaluator" "1506 1506 none"; do
		set -- $r
		body=; [ "$method" != GET ] && body='{}'
		snapshot; before=$sum_last
		code=$(as "$1" "$2" "$method" "$p" "$body")
		if [ "$roles" = public ] || printf '%s' "$roles" | grep -qw "$3"; then
			if [ "$code" = 403 ] || [ "$code" = 401 ]; then
				wrong=$((wrong + 1)); echo "# $3 refused $method $path ($code)"
			else allowed=$((allowed + 1)); fi
		else
			if [ "$code" != 403 ]; then
				wrong=$((wrong + 1)); echo "# $3 not refused $method $path ($code)"
			elif snapshot; [ "$sum_last" != "$before" ]; then
				wrong=$((wrong + 1)); echo "# $3 refusal changed the database: $method $path"
			else refusals=$((refusals + 1)); fi
		fi
	done
done <<<"$routes"
echo "# $allowed allowed, $refusals refused"
is "$wrong" 0 "every route answers every role as its table says"
ok=$([ "$refusals" -gt 20 ] && [ "$allowed" -gt 20 ] && echo yes); is "$ok" yes "the matrix was exercised both ways"

# The sentences: who, which role, what is allowed.
out=$(setpriv --reuid=1502 --regid=1502 --clear-groups curl -s --unix-socket "$SOCK" -X POST \
    -H 'Content-Type: application/json' -d '{"name":"X"}' http://localhost/v1/suppliers)
like "$(jget .error.message "$out")" 'uid:1502 \(role distribution\) may not do this.*warehouse, coordinator' "a 403 says who, as what, and who may"
out=$(setpriv --reuid=1506 --regid=1506 --clear-groups curl -s --unix-socket "$SOCK" http://localhost/v1/stock)
like "$(jget .error.message "$out")" 'no role' "an account with no role is told to ask for one"
like "$(cat "$T/daemon.log")" 'refused POST /v1/suppliers: uid:1502 is distribution' "refusals are logged"
out=$(setpriv --reuid=1501 --regid=1501 --clear-groups curl -s --unix-socket "$SOCK" -X POST \
    -H 'Content-Type: application/json' -d '{"name":"Par l entrepot"}' http://localhost/v1/suppliers)
is "$(sql "SELECT actor FROM ledger WHERE entity='$(jget .tag "$out")'")" uid:1501 "a warehouse write names its uid"
out=$(setpriv --reuid=1599 --regid=1603 --clear-groups curl -s --unix-socket "$SOCK" "http://localhost/v1/sims/$S/secret")
like "$out" '"pin"' "a coordinator by group reads SIM secrets"
done_testing
