#!/bin/bash
# Imports run off the loop: a manifest (POST /v1/lots/import) or a file of
# places (POST /v1/offers/import) of the largest body max-body takes is
# read by a worker thread while /v1/health and writes are still answered;
# back on the loop it is written whole in a transaction of its own, the
# lot re-checked then (a lot given the same reference meanwhile refuses
# it); its rows and ledger rows are those of the file; a refusal changes
# nothing; a client gone before it is written leaves nothing; imports count
# against the worker's jobs per peer (503 with a sentence).
# KITSTOCKD_TEST_WORKER_HOLD holds the jobs while a file exists, so that
# what is asserted is what is pending, never how long anything took.
. "$(dirname "$0")/lib"
HOLD=$T/hold
export KITSTOCKD_TEST_WORKER_HOLD=$HOLD
start_daemon -v

# gen_lot N PREFIX: a manifest of N laptops, every tenth a smartphone with
# a valid IMEI (as lot-import-large.sh).
gen_lot() {
	awk -v n="$1" -v p="$2" 'BEGIN {
	printf "\357\273\277Type;Marque;Modèle;N° de série;IMEI;RAM (Go);Stockage (Go);Grade;Prix HT;Garantie jusqu'"'"'au\r\n"
	for (i = 1; i <= n; i++) {
		if (i % 10 == 0) {
			body = sprintf("35%06d%06d", p == "PF" ? 209911 : 209922, i)
			sum = 0
			for (k = 14; k >= 1; k--) {
				d = substr(body, k, 1) + 0
				if ((14 - k) % 2 == 0) { d *= 2; if (d > 9) d -= 9 }
				sum += d
			}
			printf "Smartphone;Samsung;Galaxy A52;%sR%06d;%s%d;6;128;B;179,00;02/11/2027\r\n", p, i, body, (10 - sum % 10) % 10
		} else
			printf "Portable;Lenovo;ThinkPad T480;%s%07d;;8;256;A;189,90;02/11/2027\r\n", p, i
	}}'
}
# gen_places N: N places of the 93 in the standard (a valid SIRET each),
# one in five found by its postal code and name.
gen_places() {
	head -1 "${SRCDIR:-.}/tests/data/offers/lieux-93.csv"
	awk -v n="$1" 'BEGIN {
	for (i = 1; i <= n; i++) {
		if (i % 5 == 0) { cp = "93000"; insee = ""; com = "Bobigny" }
		else { cp = "93200"; insee = "93066"; com = "Saint-Denis" }
		body = sprintf("434933%07d", i); sum = 0
		for (k = 13; k >= 1; k--) {
			d = substr(body, k, 1) + 0
			if ((13 - k) % 2 == 0) { d *= 2; if (d > 9) d -= 9 }
			sum += d
		}
		printf "gen-%05d,Lieu %d,%s%d,%s,%s,%s,%d rue Haute,,48.9362,2.3574,BIB,+33149330000,c%d@lieu.example,,\"Mo-Fr 09:00-12:00\",,,Francil IN,,Fixe,2024-04-02,Maîtrise des outils numériques du quotidien|Aide aux démarches administratives,Seniors,,Gratuit,,,Se présenter,Dans un atelier collectif,,\n", i, i, body, (10 - sum % 10) % 10, com, cp, insee, i, i
	}}'
}
# Jobs the daemon has taken: mark, then wait for N more since the mark.
njobs() { grep -c 'worker: job' "$T/daemon.log"; }
mark() { base=$(njobs); }
waitjobs() {
	for _ in $(seq 1 300); do [ "$(njobs)" -ge $((base + $1)) ] && return 0; sleep 0.05; done
	return 1
}
idle() {
	for _ in $(seq 1 300); do
		[ "$(curl -s --unix-socket "$SOCK" http://localhost/v1/health | jq .jobs_pending)" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}
# post NAME PATH FILE: in the background; the answer in $T/NAME.out/.code
# api_file METHOD PATH FILE: api with a file as the body (text/csv)
api_file() {
	local out
	out=$(curl -s --unix-socket "$SOCK" -X "$1" -H 'Content-Type: text/csv' \
	    --data-binary "@$3" -w '\n%{http_code}' "http://localhost$2")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}
post() {
	curl -s --unix-socket "$SOCK" -X POST -H 'Content-Type: text/csv' \
	    --data-binary "@$3" -o "$T/$1.out" -w '%{http_code}' \
	    "http://localhost$2" > "$T/$1.code" &
}

api POST /v1/suppliers '{"name":"Reconditionneur national"}'; F=$(jget .tag)
gen_lot 14450 PF > "$T/lot.csv"
gen_places 3300 > "$T/places.csv"
for f in lot places; do
	size=$(stat -c %s "$T/$f.csv")
	ok=$([ "$size" -gt 1000000 ] && [ "$size" -le 1048576 ] && echo yes || echo "no ($size bytes)")
	is "$ok" yes "setup: the $f file is as large as the default max-body takes"
done

# 1. The largest manifest, held on its worker: health and writes answered.
touch "$HOLD"; mark
post lot "/v1/lots/import?supplier=$F&ref=BL-MAX" "$T/lot.csv"; imp=$!
waitjobs 1
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do [ "$(alive)" = 200 ] && ok=$((ok + 1)); done
is "$ok" 10 "health answered 200 ten times while the 1 MB manifest is being read"
is "$(cat "$T/lot.code")" "" "the import is still pending meanwhile"
api POST /v1/suppliers '{"name":"Pendant l import"}'
is "$status" 201 "a write is acknowledged meanwhile"
is "$(sql "SELECT count(*) FROM expected_unit")" 0 "no line written before the file is read"
rm -f "$HOLD"; wait "$imp"
is "$(cat "$T/lot.code")" 201 "then the import is answered 201"
R=$(jget .lot "$(cat "$T/lot.out")")
is "$(jget '[.lines, .imported, .duplicates, .skipped, .import] | map(tostring) | join(" ")' "$(cat "$T/lot.out")")" \
    "14450 14450 0 0 1" "every line imported"
is "$(sql "SELECT count(*), sum(kind = 'smartphone' AND imei1 IS NOT NULL), max(line) FROM expected_unit e JOIN lot l ON l.id = e.lot_id WHERE l.tag = '$R' AND e.status = 'expected'")" \
    "14450|1445|14451" "14,450 expected units, 1,445 phones with their IMEI"
is "$(sql "SELECT serial FROM expected_unit WHERE line = 14451")" "PFR014450" "the last line, as the spreadsheet numbers it"
is "$(sql "SELECT actor || ' ' || details_json FROM ledger WHERE entity = '$R' AND action = 'import'")" \
    'root {"duplicates":0,"encoding":"UTF-8","import":1,"imported":14450,"lines":14450,"separator":";","skipped":0}' \
    "its ledger row, with the counts"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$R' AND action = 'create'")" 1 "and the lot's"

# 2. Refusals change nothing: found by the worker (a bad IMEI), or on the
# loop against the store (every line already expected).
sum=$(dbsum)
{ gen_lot 3 QX; printf 'Smartphone;Samsung;A52;QXBAD;352099110000001;6;128;B;179,00;02/11/2027\r\n'; } > "$T/bad.csv"
api POST "/v1/lots/$R/import" "$(cat "$T/bad.csv")" text/csv
is "$status" 400 "a manifest with a bad IMEI is refused"
is "$(jget '.error.lines[0] | "\(.line) \(.column) \(.value)"')" "5 IMEI 352099110000001" \
    "naming its line, column and value"
api_file POST "/v1/lots/$R/import" "$T/lot.csv"
is "$status" 400 "the same 1 MB file again is refused"
like "$(jget .error.message)" '^no line of the manifest can be imported \(bad lines: 14450\)' \
    "every line is already expected"
is "$(jget '.error.lines[0].message')" "serial PF0000001 is already in this lot's manifest (line 2 of an earlier import)" \
    "found against the store"
is "$(dbsum)" "$sum" "neither changed anything"

# 3. The lot is checked again when the file is written: a lot given the
# same reference meanwhile refuses the import, and nothing is written.
touch "$HOLD"; mark
gen_lot 20 RC > "$T/race.csv"
post race "/v1/lots/import?supplier=$F&ref=BL-RACE" "$T/race.csv"; imp=$!
waitjobs 1
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-RACE\"}"
is "$status" 201 "meanwhile a lot is created with the same reference"
other=$(jget .tag)
sum=$(dbsum)
rm -f "$HOLD"; wait "$imp"
is "$(cat "$T/race.code")" 409 "the import is then refused"
like "$(jget .error.message "$(cat "$T/race.out")")" "already has a lot with the reference BL-RACE \\($other\\)" \
    "naming the lot that has it"
is "$(dbsum)" "$sum" "and nothing was written"

# 4. Imports count against the worker's jobs per peer.
touch "$HOLD"; mark
pids=
for n in 1 2 3 4; do
	gen_lot 10 "C$n" > "$T/cap$n.csv"
	post "cap$n" "/v1/lots/import?supplier=$F&ref=BL-CAP-$n" "$T/cap$n.csv"; pids="$pids $!"
done
waitjobs 4
api_file POST /v1/offers/import "$T/places.csv"
is "$status" 503 "a fifth import from the same peer: 503"
like "$(jget .error.message)" '^root already has 4 label or document jobs pending or unread \(at most 4 each\): try again' \
    "saying how many are pending and to try again"
is "$(alive)" 200 "health meanwhile"
rm -f "$HOLD"; wait $pids
is "$(cat "$T"/cap?.code)" "201201201201" "the four imports held are then answered 201"

# 5. The largest file of places: health answered while it is read; its
# places, offers and ledger rows; the same file again changes no place.
touch "$HOLD"; mark
post places /v1/offers/import "$T/places.csv"; imp=$!
waitjobs 1
is "$(alive)" 200 "health answered while the 1 MB file of places is being read"
is "$(cat "$T/places.code")" "" "the import is still pending meanwhile"
rm -f "$HOLD"; wait "$imp"
is "$(cat "$T/places.code")" 200 "then answered 200"
is "$(jget '[.rows, .created, .updated, .unchanged, .skipped_outside, .bad, .offers_created] | map(tostring) | join(" ")' "$(cat "$T/places.out")")" \
    "3300 3300 0 0 0 0 6600" "3,300 places created with 6,600 offers"
is "$(sql "SELECT count(*), count(DISTINCT commune), sum(commune = '93008') FROM place WHERE ref LIKE 'gen-%'")" \
    "3300|2|660" "each in its commune (Bobigny by its postal code)"
is "$(sql "SELECT (SELECT count(*) FROM ledger WHERE entity LIKE 'place:%' AND action = 'create') || ' ' || (SELECT count(*) FROM ledger WHERE entity LIKE 'O-%' AND action = 'create') || ' ' || (SELECT count(*) FROM ledger WHERE entity = 'offers' AND action = 'import')")" \
    "3300 6600 1" "a ledger row for each place, each offer and the import"
sum=$(dbsum)
api_file POST /v1/offers/import "$T/places.csv"
is "$status/$(jget .unchanged)/$(jget .offers_created)" "200/3300/0" "the same file again: every place unchanged"
is "$(sql "SELECT count(*) FROM place") $(sql "SELECT count(*) FROM offer")" "3300 6600" "no place nor offer added"

# 6. A client gone before its answer: the import is whole or not at all,
# and the daemon serves on (and stops clean: no sanitizer report).
touch "$HOLD"; mark
gen_lot 10 GO > "$T/gone.csv"
post gone "/v1/lots/import?supplier=$F&ref=BL-GONE" "$T/gone.csv"; gone=$!
waitjobs 1
kill "$gone"; wait "$gone" 2>/dev/null
rm -f "$HOLD"
idle
like "$(sql "SELECT count(*) FROM lot WHERE ref = 'BL-GONE'") $(sql "SELECT count(*) FROM expected_unit e JOIN lot l ON l.id = e.lot_id WHERE l.ref = 'BL-GONE'")" \
    '^(0 0|1 10)$' "a client gone before the answer: the lot with its lines, or nothing"
is "$(alive)" 200 "health after"

done_testing
