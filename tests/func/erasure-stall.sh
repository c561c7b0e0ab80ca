#!/bin/bash
# An erasure made while an export holds a read snapshot (store-wal.c): its
# TRUNCATE checkpoint cannot run then, so it is retried until it does.
#  - with no reader open, the answer says "purged": true and the names are
#    gone from the files at once; the client says so;
#  - during a stalled export, the answer says "purged": false and by when
#    ("purge_by", within request-timeout); the client says so; once the
#    stall is released, nothing of the erased names is left in kitstock.db,
#    -wal or -shm (read raw), another person's identity is;
#  - an export still being read slowly when request-timeout has passed is
#    ended so that the checkpoint runs by the time the answer said.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
TIMEOUT=5

cat > "$T/stall.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect(sys.argv[1])
s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % sys.argv[2]).encode())
open(sys.argv[3], "wb").write(s.recv(64))
time.sleep(120)
EOF
# poll SECONDS CMD...: until CMD succeeds (bounded).
poll() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
# raw WORDS: how many of the database's files hold one of the words.
raw() {
	local f n=0
	for f in "$DB" "$DB-wal" "$DB-shm"; do
		[ -f "$f" ] && grep -a -q -E "$1" "$f" && n=$((n + 1))
	done
	echo $n
}
readers() { api GET /v1/health; jget .readers; }
noreader() { [ "$(readers)" = 0 ]; }
# person FIRST LAST PHONE: a beneficiary with an identity, in $tag.
person() {
	api POST /v1/beneficiaries "{\"category\":\"mission_locale\",\"commune\":\"93066\",\"prescriber\":\"$P\",\"referred_on\":\"2022-01-03\",\"consent_on\":\"2022-01-04\",\"first_name\":\"$1\",\"last_name\":\"$2\",\"phone\":\"$3\"}"
	tag=$(jget .tag)
}

printf 'language en\nrequest-timeout %s\n' $TIMEOUT > "$T/kitstockd.conf"
start_daemon -c "$T/kitstockd.conf"
path_setup
stop_daemon
# The prescriber's export, large enough not to fit in the sockets' buffers.
sql "BEGIN;
WITH RECURSIVE n(i) AS (SELECT (SELECT max(id) FROM beneficiary) + 1
    UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO beneficiary (id, tag, commune, territory, category, prescriber_id,
    referred_on, consent_on, created_at)
SELECT i, printf('B-%07d-Z', i), '93066', 'T6', 'mission_locale',
    (SELECT id FROM prescriber WHERE tag = '$P'), '2023-03-01', '2023-03-01',
    '2023-03-01T10:00:00Z' FROM n;
DELETE FROM report_dirty;
COMMIT;"
start_daemon -c "$T/kitstockd.conf"
EXPORT="/v1/exports/prescriber?prescriber=$P"

# 1. No reader open: purged at once.
person Aglaé Tourneboeuf "06 11 22 33 44"; A=$tag
ks beneficiary erase-identity "$A" --reason "demande"
is "$rc" 0 "an erasure with no export open"
is "$out" "$A: identity erased, gone from the database files" "the client says the bytes are gone"
is "$(raw 'Tourneboeuf|Aglaé|0611223344')" 0 "nothing of it in kitstock.db, -wal or -shm"

# 2. During a stalled export.
person Zéphyrine Quenardelle "06 98 76 54 32"; Z=$tag
person Barnabé Vasseurmont "06 55 44 33 22"; V=$tag
person Hortense Vaillancourt "07 44 55 66 77"; K=$tag
words='Quenardelle|Zéphyrine|0698765432|Vasseurmont|Barnabé|0655443322'
[ "$(raw "$words")" -gt 0 ] && pass "before: the identities are in the files" || fail "before: the identities are in the files"
python3 "$T/stall.py" "$SOCK" "$EXPORT" "$T/mark" & spid=$!
poll 10 test -s "$T/mark"
is "$(readers)" 1 "an export stalls, holding a read snapshot"
now=$(date +%s)
api POST "/v1/beneficiaries/$Z/erase-identity" '{"reason":"demande de la personne"}'
is "$status $(jget .identity) $(jget .purged)" "200 erased false" "erased during the export: 200, not purged yet"
by=$(jget .purge_by)
like "$by" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "purge_by: an ISO 8601 time ($by)"
byt=$(date -u -d "$by" +%s)
[ "$byt" -ge "$now" ] && [ "$byt" -le $((now + TIMEOUT + 4)) ] && pass "within request-timeout" \
    || fail "within request-timeout" "purge_by $by, now $(date -u -d @"$now" +%FT%TZ), request-timeout $TIMEOUT s"
ks beneficiary erase-identity "$V" --reason "demande"
is "$rc" 0 "the client erases during the export"
like "$out" "^$V: identity erased; an export in progress holds the old pages: gone from the database files by [0-9T:Z-]+ at the latest$" \
    "the client says by when the bytes are gone"
like "$(grep 'erasure: a reader holds the WAL' "$T/daemon.log")" 'retried every second' "the daemon says it retries"
# The stall is released by request-timeout (libevent closes it).
poll 20 noreader
is "$(readers)" 0 "the stalled export is released after request-timeout"
gone() { [ "$(raw "$words")" = 0 ]; }
poll 10 gone
is "$(raw "$words")" 0 "then nothing of the erased identities in kitstock.db, -wal or -shm"
is "$(raw 'Vaillancourt|Hortense|0744556677')" 1 "another person's identity is still there"
like "$(grep 'erasure: the WAL is checkpointed and emptied' "$T/daemon.log")" 's after' "the retried checkpoint ran, and is logged"
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null

# 3. An export still read (slowly) when request-timeout has passed is ended.
person Eulalie Margontier "06 12 12 12 12"; E=$tag
curl -s --unix-socket "$SOCK" --limit-rate 100K -o "$T/slow.csv" "http://localhost$EXPORT" & cpid=$!
poll 10 test -s "$T/slow.csv"
api POST "/v1/beneficiaries/$E/erase-identity" '{"reason":"demande"}'
is "$status $(jget .purged)" "200 false" "erased while an export is read slowly"
by=$(jget .purge_by)
wait "$cpid"
is "$?" 18 "that export is cut when request-timeout has passed (curl: partial file)"
like "$(grep 'an erasure.s checkpoint waited request-timeout' "$T/daemon.log")" 'export prescriber: .*truncated transfer' "and logged"
poll 5 test "$(raw 'Margontier|Eulalie|0612121212')" = 0
is "$(raw 'Margontier|Eulalie|0612121212')" 0 "nothing of that identity left in the files"
[ "$(date +%s)" -le "$(( $(date -u -d "$by" +%s) + 1 ))" ] && pass "by the time the answer said ($by)" \
    || fail "by the time the answer said" "purge_by $by, now $(date -u +%FT%TZ)"
unlike "$(cat "$T/daemon.log")" "$words|Margontier|Tourneboeuf" "no name in the log"
done_testing
