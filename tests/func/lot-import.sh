#!/bin/bash
# Manifests as refurbishers send them become a lot's expected units: a
# French export (UTF-8 with BOM, ';', decimal commas, both date forms,
# quoted values holding ';' and line breaks, a title line above the
# header), a Windows-1252 one, an English one with ',' and SIM cards;
# headers and values in French or English; unknown columns kept as notes.
. "$(dirname "$0")/lib"
start_daemon
M=${SRCDIR:-.}/tests/data/manifests

F=$("$KITSTOCK" -s "$SOCK" supplier add --name "Ateliers du Bocage" --ess insertion --local)

# upload PATH FILE [CONTENT-TYPE]: a file as the body -> $status, $body
upload() {
	local out
	out=$(curl -s --unix-socket "$SOCK" -X POST -H "Content-Type: ${3:-text/csv}" \
	    --data-binary @"$2" -w '\n%{http_code}' "http://localhost$1")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# The French export, through the client: a new lot named after the file.
ks lot import "$M/livraison-bocage-BL-2026-0042.csv" --supplier "$F" --date 2026-11-02
is "$rc" 0 "French manifest imported"
R=$out
like "$R" '^R-0000001-.$' "the new lot's tag alone on stdout"
is "$err" "" "nothing on stderr"
is "$(sql "SELECT ref || ' ' || delivered_on FROM lot WHERE tag = '$R'")" "livraison-bocage-BL-2026-0042 2026-11-02" \
    "the lot's reference is the file's name, its date the one given"
is "$(sql "SELECT count(*) FROM expected_unit e JOIN lot l ON l.id = e.lot_id WHERE l.tag = '$R' AND status = 'expected'")" 6 \
    "6 units expected (title line and empty line skipped)"
is "$(sql "SELECT line || '|' || kind || '|' || brand || '|' || model || '|' || serial || '|' || cpu || '|' || ram_gb || '|' || storage_gb || '|' || screen_in || '|' || grade || '|' || cost_cents || '|' || warranty_until || '|' || erasure_cert FROM expected_unit WHERE serial = 'PF1KX2A1'")" \
    "3|laptop|Lenovo|ThinkPad T480|PF1KX2A1|Intel Core i5-8350U|8|256|14.0|A|18990|2027-11-02|BLANCCO-2026-10-0412" \
    "a laptop line: kind Portable, Grade A, 189,90 and dd/mm/yyyy read"
is "$(sql "SELECT storage_gb || ' ' || cost_cents || ' ' || warranty_until FROM expected_unit WHERE serial = '7XQ9M52'")" \
    "256 14900 2027-11-02" "256 Go, an ISO date"
is "$(sql "SELECT kind || ' ' || cost_cents FROM expected_unit WHERE serial = 'CZC8437KLM'")" "desktop 109900" \
    "Fixe, and \"1 099,00\" with a thousands space"
is "$(sql "SELECT json_extract(notes_json, '\$.Commentaire') FROM expected_unit WHERE serial = 'CZC8437KLM'")" \
    "Livré avec clavier et souris
(carton séparé)" "a quoted line break kept in the note"
is "$(sql "SELECT json_extract(notes_json, '\$.Commentaire') FROM expected_unit WHERE serial = '7XQ9M52'")" \
    "Clavier AZERTY; une touche usée" "a quoted ';' kept in the note"
is "$(sql "SELECT line || ' ' || kind || ' ' || grade || ' ' || screen_in FROM expected_unit WHERE serial = 'DMPZ81JKLMPF'")" \
    "6 tablet C 10.2" "Tablette, Grade C, 10,2 inches; line 6 even after a two-line value"
is "$(sql "SELECT imei1 || ' ' || imei2 FROM expected_unit WHERE serial = 'R58R12ABCDE'")" \
    "352099112345679 352099112345687" "two IMEIs in one cell"
is "$(sql "SELECT kind || ' ' || serial FROM expected_unit WHERE imei1 = '867012034567898'")" \
    "4g-router 867012034567898" "Box 4G without serial takes its IMEI as serial"
is "$(sql "SELECT action || ' ' || json_extract(details_json, '\$.imported') || ' ' || json_extract(details_json, '\$.encoding') || ' ' || json_extract(details_json, '\$.separator') FROM ledger WHERE entity = '$R' AND action = 'import'")" \
    "import 6 UTF-8 ;" "the import is in the lot's ledger"
is "$(sql "SELECT count(*) FROM device")" 0 "nothing is in stock before receiving"

# The Windows-1252 file really is not UTF-8; its accents arrive converted.
cp1252=$M/bordereau-emmaus-cp1252.csv
if iconv -f UTF-8 -t UTF-8 "$cp1252" >/dev/null 2>&1; then
	fail "the Windows-1252 fixture is not UTF-8"
else
	pass "the Windows-1252 fixture is not UTF-8"
fi
upload "/v1/lots/import?supplier=$F&ref=BL-EMM-12&delivered_on=2026-11-03" "$cp1252"
is "$status" 201 "Windows-1252 manifest imported over the API"
R2=$(jget .lot)
is "$(jget .encoding)" Windows-1252 "the answer says it was converted"
is "$(jget '[.created, .imported, .skipped] | map(tostring) | join(" ")')" "true 3 0" "a new lot, 3 units"
is "$(sql "SELECT model FROM expected_unit WHERE serial = 'VOS35A0001'")" 'Vostro 3500 (écran 15,6")' "é and a quote, converted"
is "$(sql "SELECT kind || ' ' || cost_cents FROM expected_unit WHERE serial = 'MJ0ÉA12B'")" "desktop 9900" \
    "Unité centrale is a desktop; 99,00 € read; an É in a serial"
is "$(sql "SELECT json_extract(notes_json, '\$.Remarque') FROM expected_unit WHERE serial = 'HA1BCDEF'")" "Écran protégé" \
    "the note's accents converted"

# An English export with ',' into an existing lot, SIM cards included.
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"DN-7781\"}"; R3=$(jget .tag)
ks lot import "$M/delivery-note-DN-7781.csv" --supplier "$F" --lot "$R3"
is "$rc" 0 "English manifest imported into an existing lot"
is "$out" "$R3" "the lot's tag printed"
is "$(sql "SELECT model FROM expected_unit WHERE serial = 'PF2T14G1A'")" "ThinkPad T14, Gen 1" "a quoted ',' kept"
is "$(sql "SELECT json_extract(notes_json, '\$.notes') FROM expected_unit WHERE serial = 'PF2T14G1A'")" 'keyboard "QWERTY", UK' \
    "doubled quotes read"
is "$(sql "SELECT cost_cents || ' ' || warranty_until FROM expected_unit WHERE serial = 'FP4A000123'")" "19950 2027-06-30" \
    "decimal point and ISO date"
is "$(sql "SELECT group_concat(kind || ' ' || iccid || ' ' || operator, ',') FROM expected_unit WHERE kind = 'sim'")" \
    "sim 8933012345678901231 Orange,sim 89331503190500000017 Bouygues Telecom" "SIM cards by ICCID with their operator"

# A second file into the same lot: numbered as a second import; a line
# the lot already expects is a duplicate, not a second unit.
printf 'kind;serial;brand\nlaptop;PF2T14G1A;Lenovo\nlaptop;PF2NEW01;Lenovo\n' > "$T/second.csv"
upload "/v1/lots/$R3/import?skip_bad=true" "$T/second.csv"
is "$status" 201 "a second file for the same lot"
is "$(jget '[.import, .imported, .duplicates] | map(tostring) | join(" ")')" "2 1 1" "import 2: one new line, one duplicate"
like "$(jget '.errors[0].message')" "PF2T14G1A is already in this lot's manifest \(line 2" "the duplicate is explained"

# The client's --json gives the API's answer.
printf 'Type;N° de série\nPortable;PF3JSON1\n' > "$T/BL-9.csv"
ks --json lot import "$T/BL-9.csv" --supplier "$F"
is "$rc" 0 "--json import"
is "$(jget '.lot + " " + .separator + " " + (.lines|tostring)' "$out")" "$(sql "SELECT tag FROM lot WHERE ref = 'BL-9'") ; 1" \
    "--json prints the answer"

# The lot given must be the supplier's.
api POST /v1/suppliers '{"name":"Autre fournisseur"}'; F2=$(jget .tag)
sum=$(dbsum)
ks lot import "$T/second.csv" --supplier "$F2" --lot "$R3"
is "$rc" 1 "a lot of another supplier is refused"
like "$err" "lot $R3 was delivered by $F, not $F2" "saying whose lot it is"
is "$(dbsum)" "$sum" "nothing changed"
done_testing
