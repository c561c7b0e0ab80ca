#!/bin/bash
# An import's writes do not hold the loop: back from its worker, a manifest
# or a file of places is written in slices of the loop, in one transaction
# that holds the database to itself until it commits. Meanwhile /v1/health
# is answered; every other request waits, and is answered after the COMMIT
# in the order it came (a read of the lot sees none of the import's lines or
# all of them, never some); a refusal after many slices changes nothing; a
# client gone (the importer's, a waiting one's) changes nothing either.
# KITSTOCKD_TEST_SLICE_HOLD holds the next slice while a file exists, so
# that what is asserted is what waits, never how long anything took.
. "$(dirname "$0")/lib"
HOLD=$T/slices
export KITSTOCKD_TEST_SLICE_HOLD=$HOLD
start_daemon -v

# gen_lot N PREFIX: a manifest of N laptops (as import-offloop.sh).
gen_lot() {
	awk -v n="$1" -v p="$2" 'BEGIN {
	printf "Type;Marque;Modèle;N° de série;RAM (Go);Stockage (Go);Grade;Prix HT;Garantie jusqu'"'"'au;Remarque\r\n"
	for (i = 1; i <= n; i++)
		printf "Portable;Lenovo;ThinkPad T480;%s%07d;8;256;A;189,90;02/11/2027;RAS\r\n", p, i
	}'
}
# gen_places N: N places of the 93 in the standard (as import-offloop.sh).
gen_places() {
	head -1 "${SRCDIR:-.}/tests/data/offers/lieux-93.csv"
	awk -v n="$1" 'BEGIN {
	for (i = 1; i <= n; i++) {
		body = sprintf("434933%07d", i); sum = 0
		for (k = 13; k >= 1; k--) {
			d = substr(body, k, 1) + 0
			if ((13 - k) % 2 == 0) { d *= 2; if (d > 9) d -= 9 }
			sum += d
		}
		printf "gen-%05d,Lieu %d,%s%d,Saint-Denis,93200,93066,%d rue Haute,,48.9362,2.3574,BIB,+33149330000,c%d@lieu.example,,\"Mo-Fr 09:00-12:00\",,,Francil IN,,Fixe,2024-04-02,Maîtrise des outils numériques du quotidien,Seniors,,Gratuit,,,Se présenter,Dans un atelier collectif,,\n", i, i, body, (10 - sum % 10) % 10, i, i
	}}'
}
# Imports that began writing in slices: mark, then wait for N more.
nslices() { grep -c 'writes in slices' "$T/daemon.log"; }
mark() { base=$(nslices); }
waitslices() {
	for _ in $(seq 1 600); do [ "$(nslices)" -ge $((base + $1)) ] && return 0; sleep 0.05; done
	return 1
}
# send NAME METHOD PATH [FILE [TYPE]]: in the background; $T/NAME.out/.code
send() {
	if [ $# -ge 4 ]; then
		curl -s --unix-socket "$SOCK" -X "$2" -H "Content-Type: ${5:-text/csv}" \
		    --data-binary "@$4" -o "$T/$1.out" -w '%{http_code}' \
		    "http://localhost$3" > "$T/$1.code" &
	else
		curl -s --unix-socket "$SOCK" -X "$2" -o "$T/$1.out" -w '%{http_code}' \
		    "http://localhost$3" > "$T/$1.code" &
	fi
}
expected() { sql "SELECT count(*) FROM expected_unit e JOIN lot l ON l.id = e.lot_id WHERE l.tag = '$1'"; }

api POST /v1/suppliers '{"name":"Reconditionneur national"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-SLICES\"}"; R=$(jget .tag)
gen_lot 14000 SL > "$T/lot.csv"
size=$(stat -c %s "$T/lot.csv")
ok=$([ "$size" -gt 950000 ] && [ "$size" -le 1048576 ] && echo yes || echo "no ($size bytes)")
is "$ok" yes "setup: a manifest of 14,000 lines, near the default max-body"

# 1. The import holds the database between its slices: health answered,
# a read and a write wait, the lines are not visible from outside.
touch "$HOLD"; mark
send imp POST "/v1/lots/$R/import" "$T/lot.csv"; imp=$!
waitslices 1
is "$?" 0 "the import writes in slices"
ok=0
for _ in 1 2 3 4 5; do [ "$(alive)" = 200 ] && ok=$((ok + 1)); done
is "$ok" 5 "health answered 200 five times while the import holds the database"
api GET /v1/health
is "$(jget .jobs_pending)" 1 "health counts the import as pending"
send read GET "/v1/lots/$R/reconcile"; rd=$!
echo '{"name":"Pendant l import"}' > "$T/supplier.json"
send write POST /v1/suppliers "$T/supplier.json" application/json; wr=$!
send gone GET "/v1/lots/$R"; gone=$!
for _ in 1 2 3 4 5; do alive > /dev/null; done	# turns of the loop
kill "$gone"; wait "$gone" 2>/dev/null
is "$(cat "$T/imp.code")$(cat "$T/read.code")$(cat "$T/write.code")" "" \
    "the import, the read and the write are all unanswered meanwhile"
is "$(expected "$R")" 0 "no line is visible outside the import's transaction"
rm -f "$HOLD"; wait "$imp" "$rd" "$wr"
is "$(cat "$T/imp.code")" 201 "the import is then answered 201"
is "$(jget '[.lines, .imported, .import] | map(tostring) | join(" ")' "$(cat "$T/imp.out")")" \
    "14000 14000 1" "with every line imported"
is "$(cat "$T/read.code")" 200 "the read that waited is answered 200"
is "$(jget .counts.expected "$(cat "$T/read.out")")" 14000 \
    "after the commit: it sees all the import's lines, not some"
is "$(cat "$T/write.code")" 201 "the write that waited is answered 201"
is "$(sql "SELECT count(*) FROM supplier WHERE name = 'Pendant l import'")" 1 "and committed"
is "$(expected "$R")" 14000 "14,000 lines in the lot"
is "$(sql "SELECT serial FROM expected_unit WHERE line = 14001")" SL0014000 "the last one included"
is "$(sql "SELECT details_json FROM ledger WHERE entity = '$R' AND action = 'import'")" \
    '{"duplicates":0,"encoding":"UTF-8","import":1,"imported":14000,"lines":14000,"separator":";","skipped":0}' \
    "and its ledger row"
is "$(alive)" 200 "health after"

# 2. Refused after its slices (a bad line at the end): nothing changed.
sum=$(dbsum)
{ gen_lot 14000 SB; printf 'Portable;Lenovo;T480;;8;256;Z;189,90\r\n'; } > "$T/bad.csv"
touch "$HOLD"; mark
send bad POST "/v1/lots/$R/import" "$T/bad.csv"; imp=$!
waitslices 1
is "$?" 0 "a manifest with a bad last line writes in slices too"
send read2 GET "/v1/lots/$R/reconcile"; rd=$!
is "$(alive)" 200 "health answered meanwhile"
rm -f "$HOLD"; wait "$imp" "$rd"
is "$(cat "$T/bad.code")" 400 "it is refused"
is "$(jget .error.count "$(cat "$T/bad.out")")" 1 "for its one bad line"
is "$(cat "$T/read2.code")/$(jget .counts.expected "$(cat "$T/read2.out")")" 200/14000 \
    "the read that waited sees the lot as it was"
is "$(dbsum)" "$sum" "the refusal changed nothing"

# 3. The importer gone while it writes: it commits all the same.
gen_lot 3000 GO > "$T/gone.csv"
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-GONE\"}"; G=$(jget .tag)
touch "$HOLD"; mark
send goneimp POST "/v1/lots/$G/import" "$T/gone.csv"; imp=$!
waitslices 1
kill "$imp"; wait "$imp" 2>/dev/null
send after GET "/v1/lots/$G/reconcile"; rd=$!
is "$(alive)" 200 "health answered meanwhile"
rm -f "$HOLD"; wait "$rd"
is "$(cat "$T/after.code")/$(jget .counts.expected "$(cat "$T/after.out")")" 200/3000 \
    "its client gone, the import is whole"
is "$(sql "SELECT count(*) FROM ledger WHERE entity = '$G' AND action = 'import'")" 1 "with its ledger row"

# 4. A file of places, in slices too.
gen_places 2000 > "$T/places.csv"
touch "$HOLD"; mark
send places POST /v1/offers/import "$T/places.csv"; imp=$!
waitslices 1
is "$?" 0 "a file of places writes in slices"
send list GET "/v1/places?commune=93066"; rd=$!
is "$(alive)" 200 "health answered meanwhile"
is "$(sql "SELECT count(*) FROM place")" 0 "no place visible before the commit"
rm -f "$HOLD"; wait "$imp" "$rd"
is "$(cat "$T/places.code")/$(jget .created "$(cat "$T/places.out")")" 200/2000 "2,000 places created"
is "$(cat "$T/list.code")" 200 "the read that waited is answered"
is "$(sql "SELECT count(*) FROM place")/$(sql "SELECT count(*) FROM ledger WHERE entity = 'offers' AND action = 'import'")" \
    2000/1 "the places and the import's ledger row"

# Nothing used the database behind an import's back.
is "$(grep -c 'refused: an import holds the database' "$T/daemon.log")" 0 \
    "no one else touched the database while an import held it"

done_testing
