#!/bin/bash
# A manifest with bad lines: each is reported with its line number, column,
# value and reason (bad IMEI check digit, unknown kind, unreadable date,
# unreadable amount, duplicate serial in the file, serial already in
# stock), by the API and by the client, and nothing is imported; with
# --skip-bad the good lines are, the duplicates are kept for the
# supplier's account, and the rest is reported.
. "$(dirname "$0")/lib"
start_daemon
M=${SRCDIR:-.}/tests/data/manifests

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-OLD\"}"; R0=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0INSTOCK\",\"brand\":\"Lenovo\",\"lot\":\"$R0\"}"
D0=$(jget .tag)
is "$status" 201 "a unit already in stock"

upload() {
	local out
	out=$(curl -s --unix-socket "$SOCK" -X POST -H "Content-Type: ${3:-text/csv}" \
	    --data-binary @"$2" -w '\n%{http_code}' "http://localhost$1")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}
# line N: the "column|value|message" of the error on line N
line() { jget "[.error.lines[]? // .errors[]? | select(.line == $1) | \"\(.column)|\(.value)|\(.message)\"] | join(\"\\n\")"; }

sum=$(dbsum)
upload "/v1/lots/import?supplier=$F&ref=BL-BAD" "$M/bad-lines.csv"
is "$status" 400 "a manifest with bad lines is refused"
is "$(jget .error.code)" invalid_manifest "code invalid_manifest"
like "$(jget .error.message)" 'bad lines in the manifest: 6 of 8; nothing was imported' "the sentence counts the bad lines"
is "$(jget .error.count)" 6 "6 bad lines"
is "$(jget '[.error.lines[].line] | map(tostring) | join(",")')" 3,4,5,6,7,8 "each bad line listed, in order"
is "$(line 3)" "IMEI|359876543210986|IMEI 359876543210986: check digit is wrong (expected 3)" "line 3: IMEI check digit"
like "$(line 4)" '^Type\|Imprimante\|kind "Imprimante" is not known: expected Portable' "line 4: unknown kind"
is "$(line 5)" "Garantie jusqu'au|31/02/2027|date 31/02/2027: expected a date such as 31/12/2027 or 2027-12-31" \
    "line 5: unreadable date"
is "$(line 6)" "Prix HT|cent cinquante|amount cent cinquante: expected euros such as 189,90" "line 6: unreadable amount"
is "$(line 7)" "N° de série|PF2BAD01|serial PF2BAD01 is also on line 2" "line 7: duplicate serial in the file"
is "$(line 8)" "N° de série|PF0INSTOCK|serial PF0INSTOCK is already registered ($D0)" "line 8: serial already in stock"
is "$(dbsum)" "$sum" "nothing imported, no lot created"
is "$(alive)" 200 "daemon still serves"

# The client says the same, one bad line a row, and exits 1.
ks lot import "$M/bad-lines.csv" --supplier "$F"
is "$rc" 1 "client: refused"
is "$out" "" "client: nothing on stdout"
like "$err" 'bad lines in the manifest: 6 of 8' "client: the sentence"
like "$err" 'LINE +COLUMN +VALUE +PROBLEM' "client: a table of the bad lines"
like "$err" '3 +IMEI +359876543210986 +IMEI 359876543210986: check digit is wrong' "client: line 3"
like "$err" "8 +N° de série +PF0INSTOCK +serial PF0INSTOCK is already registered \\($D0\\)" "client: line 8"
is "$(dbsum)" "$sum" "client: nothing imported"

# --skip-bad: the good lines are imported, the others reported.
ks lot import "$M/bad-lines.csv" --supplier "$F" --skip-bad
is "$rc" 0 "--skip-bad imports the good lines"
R=$out
like "$R" '^R-' "the new lot's tag"
like "$err" '4 lines not imported, 2 kept as duplicates' "the rest is reported"
like "$err" '5 +Garantie jusqu.au +31/02/2027' "with each bad line"
is "$(sql "SELECT group_concat(line || ':' || serial || ':' || status, ' ') FROM expected_unit e JOIN lot l ON l.id = e.lot_id WHERE l.tag = '$R' ORDER BY line")" \
    "2:PF2BAD01:expected 7:PF2BAD01:duplicate 8:PF0INSTOCK:duplicate 9:R52GOOD09:expected" \
    "good lines expected; duplicates kept apart; bad lines left out"
is "$(sql "SELECT duplicate_json FROM expected_unit WHERE line = 8 AND status = 'duplicate'")" \
    "{\"field\":\"serial\",\"tag\":\"$D0\"}" "the duplicate says of what"
is "$(sql "SELECT json_extract(details_json, '\$.imported') || ' ' || json_extract(details_json, '\$.duplicates') || ' ' || json_extract(details_json, '\$.skipped') FROM ledger WHERE entity = '$R' AND action = 'import'")" \
    "2 2 4" "the ledger counts them"

# A file where no line is good is refused even with --skip-bad.
printf 'Type;N° de série\nImprimante;X1\nScanner;X2\n' > "$T/none.csv"
sum=$(dbsum)
upload "/v1/lots/import?supplier=$F&ref=BL-NONE&skip_bad=true" "$T/none.csv"
is "$status" 400 "no good line: refused even when skipping"
like "$(jget .error.message)" 'no line of the manifest can be imported' "saying so"
is "$(dbsum)" "$sum" "nothing changed"

# More of what a line can get wrong.
cat > "$T/more.csv" <<'EOF'
Type;N° de série;IMEI;ICCID;Opérateur;Grade;RAM (Go);Écran (pouces)
Smartphone;SNA;;;;A;;
SIM;;;;Orange;;;
Portable;SNB;;89330123456789012342;;A;;
Portable;SNC;;;;Grade E;;
Portable;SND;;;;A;huit;
Portable;SNE;;;;A;8;quinze
Smartphone;SNF;3.52099E+14;;;A;;
Portable;;;;;A;;
EOF
upload "/v1/lots/import?supplier=$F&ref=BL-MORE" "$T/more.csv"
is "$status" 400 "more bad lines"
like "$(line 2)" 'IMEI\|\|a smartphone needs its IMEI' "a smartphone without IMEI"
like "$(line 3)" 'ICCID\|\|a SIM card needs its ICCID' "a SIM card without ICCID"
like "$(line 4)" 'only SIM cards have one' "an ICCID on a laptop"
like "$(line 5)" 'grade "Grade E": expected A, B or C' "grade E"
like "$(line 6)" 'RAM \(Go\)\|huit\|size huit' "RAM in words"
like "$(line 7)" 'quinze' "screen size in words"
like "$(line 8)" 'scientific notation' "an IMEI Excel turned into a number"
like "$(line 9)" 'serial number is empty' "no serial"
done_testing
