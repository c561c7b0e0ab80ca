#!/bin/bash
# A delivery's account: received, mismatched (kind, model or grade not as
# the manifest says), missing, extra and duplicate units, in JSON, as a
# table, and as CSV for the supplier (UTF-8 with BOM, ';', decimal commas,
# French headers), asked with ?format=csv or Accept: text/csv.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-OLD\"}"; R0=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF-STOCK\",\"brand\":\"Lenovo\",\"lot\":\"$R0\"}"; D0=$(jget .tag)

cat > "$T/BL-2026-0077.csv" <<'EOF'
Type;Marque;Modèle;N° de série;IMEI;ICCID;Opérateur;Grade;Prix HT
Portable;Lenovo;ThinkPad T480;PF-R1;;;;A;189,90
Portable;Lenovo;ThinkPad T480;PF-R2;;;;A;189,90
Tablette;Apple;iPad 8;TAB-R3;;;;B;119,00
Portable;Dell;Latitude 5490;PF-R4;;;;B;149,00
Smartphone;Samsung;Galaxy A52;R58-R5;352099112345679;;;A;179,00
Portable;Lenovo;ThinkPad T480;PF-R1;;;;A;189,90
Portable;Lenovo;ThinkPad X270;PF-STOCK;;;;A;99,00
SIM;;;;;8933012345678901231;Orange;;
EOF
ks lot import "$T/BL-2026-0077.csv" --supplier "$F" --skip-bad
R=$out
is "$rc" 0 "a manifest with two duplicates imported, skipping them"

ks lot receive "$R" PF-R1 8933012345678901231 --location "$W"
is "$rc" 0 "two units received as the manifest says"
ks lot receive "$R" PF-R2 --grade B --location "$W"
is "$rc" 0 "one received with another grade"
ks lot receive "$R" TAB-R3 --kind laptop --model "iPad 7" --location "$W"
is "$rc" 0 "one received as another kind and model"
ks lot receive "$R" --extra --kind laptop --serial XTRA-R1 --brand HP --model "=HYPERLINK(\"http://x\")" --location "$W"
X1=$out
is "$rc" 0 "an extra received"
api POST /v1/devices "{\"kind\":\"tablet\",\"serial\":\"XTRA-R2\",\"lot\":\"$R\"}"; X2=$(jget .tag)
is "$status" 201 "a unit of the lot added by hand is an extra too"
D1=$(sql "SELECT tag FROM device WHERE serial = 'PF-R1'")
ks edit "$D1" --model "ThinkPad t480" --reason "casse"
is "$rc" 0 "a model edited in another case only"

sum=$(dbsum)
api GET "/v1/lots/$R/reconcile"
is "$status" 200 "the account in JSON"
is "$(jget '.counts | "\(.expected) \(.received) \(.mismatched) \(.missing) \(.extra) \(.duplicate)"')" "6 2 2 2 2 2" \
    "6 expected: 2 received, 2 mismatched, 2 missing; 2 extra; 2 duplicates"
is "$(jget '[.units[] | "\(.line // "-"):\(.status)"] | join(" ")')" \
    "2:received 3:mismatched 4:mismatched 5:missing 6:missing 7:duplicate 8:duplicate 9:received -:extra -:extra" \
    "every line and every extra, in order"
is "$(jget '.units[] | select(.line == 3) | .differences | map("\(.field) \(.expected)>\(.found)") | join(",")')" "grade A>B" \
    "line 3: the grade differs"
is "$(jget '.units[] | select(.line == 4) | .differences | map("\(.field) \(.expected)>\(.found)") | join(",")')" \
    "kind tablet>laptop,model iPad 8>iPad 7" "line 4: kind and model differ"
is "$(jget '.units[] | select(.line == 7) | .duplicate | "\(.field) \(.line)"')" "serial 2" "line 7 repeats line 2"
is "$(jget '.units[] | select(.line == 8) | .duplicate | "\(.field) \(.tag)"')" "serial $D0" "line 8 is already in stock"
is "$(jget "[.units[] | select(.status == \"extra\") | .tag] | join(\" \")")" "$X1 $X2" "the extras by tag"
is "$(jget '[.lot, .supplier, .ref] | join(" ")')" "$R $F BL-2026-0077" "the lot, its supplier and reference"
is "$(dbsum)" "$sum" "reading the account changes nothing"

# The CSV for the supplier.
curl -s --unix-socket "$SOCK" -D "$T/headers" -o "$T/account.csv" "http://localhost/v1/lots/$R/reconcile?format=csv"
like "$(tr -d '\r' < "$T/headers")" 'Content-Type: text/csv; charset=utf-8' "served as text/csv in UTF-8"
is "$(head -c 3 "$T/account.csv" | od -An -tx1 | tr -d ' ')" efbbbf "with a BOM, for spreadsheets"
is "$(grep -c $'\r$' "$T/account.csv")" 11 "11 lines, CRLF"
tr -d '\r' < "$T/account.csv" | sed '1s/^\xef\xbb\xbf//' > "$T/account.txt"
is "$(sed -n 1p "$T/account.txt")" "Statut;Ligne;Type;Marque;Modèle;N° de série;IMEI;ICCID;Grade;Prix HT;Étiquette;Remarque" \
    "French headers"
is "$(sed -n 2p "$T/account.txt")" "reçu;2;Portable;Lenovo;ThinkPad T480;PF-R1;;;A;189,90;$D1;" \
    "received (the manifest's values; a model differing in case only), decimal comma"
like "$(sed -n 3p "$T/account.txt")" '^écart;3;Portable;Lenovo;ThinkPad T480;PF-R2;;;A;189,90;D-.*;grade : A attendu, B reçu$' \
    "mismatched, saying how"
like "$(sed -n 4p "$T/account.txt")" '^écart;4;Tablette;Apple;iPad 8;TAB-R3;.*;"type : Tablette attendu, Portable reçu ; modèle : iPad 8 attendu, iPad 7 reçu"$' \
    "kind and model, in French, quoted for its ';'"
is "$(sed -n 6p "$T/account.txt")" "manquant;6;Smartphone;Samsung;Galaxy A52;R58-R5;352099112345679;;A;179,00;;non reçu" "missing"
is "$(sed -n 7p "$T/account.txt")" "doublon;7;Portable;Lenovo;ThinkPad T480;PF-R1;;;A;189,90;;même n° de série que la ligne 2" \
    "a duplicate line"
is "$(sed -n 8p "$T/account.txt")" "doublon;8;Portable;Lenovo;ThinkPad X270;PF-STOCK;;;A;99,00;;n° de série déjà en stock ($D0)" \
    "a unit already in stock"
is "$(sed -n 9p "$T/account.txt")" "reçu;9;SIM;Orange;;;;8933012345678901231;;;$(sql "SELECT tag FROM sim");" "a SIM card"
is "$(sed -n 10p "$T/account.txt")" "en trop;;Portable;HP;\"'=HYPERLINK(\"\"http://x\"\")\";XTRA-R1;;;;;$X1;absent du bordereau" \
    "an extra; a formula is quoted, not run"
code=$(curl -s --unix-socket "$SOCK" -H 'Accept: text/csv' -o "$T/accept.csv" -w '%{http_code}' "http://localhost/v1/lots/$R/reconcile")
is "$code" 200 "Accept: text/csv"
is "$(md5sum < "$T/accept.csv")" "$(md5sum < "$T/account.csv")" "gives the same CSV"

# The client: a table, or the CSV.
ks lot reconcile "$R"
is "$rc" 0 "client: the account"
like "$(printf '%s\n' "$out" | head -1)" "^$R: expected 6, received 2, mismatched 2, missing 2, extra 2, duplicate 2" "client: the counts"
like "$out" 'STATUS +LINE +KIND +BRAND +MODEL +SERIAL' "client: a table"
like "$out" 'mismatched +3 +laptop +Lenovo +ThinkPad T480 +PF-R2 .*grade: A expected, B found' "client: a mismatch explained"
like "$out" "duplicate +8 .*serial already in stock \\($D0\\)" "client: a duplicate explained"
ks lot reconcile "$R" --csv
is "$rc" 0 "client: --csv"
is "$(printf '%s\n' "$out" | md5sum)" "$(md5sum < "$T/account.csv")" "client: the CSV as kitstockd gives it"
ks --json lot reconcile "$R"
is "$(jget .counts.extra "$out")" 2 "client: --json"

# A lot without a manifest: its units are extras.
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-SANS\"}"; R2=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"NOMAN1\",\"lot\":\"$R2\"}"
api GET "/v1/lots/$R2/reconcile"
is "$(jget '.counts | "\(.expected) \(.extra)"')" "0 1" "no manifest: every unit is an extra"

# Refusals.
sum=$(dbsum)
api GET "/v1/lots/$R/reconcile?format=xml"
is "$status" 400 "an unknown format"
like "$(jget .error.message)" 'format "xml" is not known: expected json or csv' "saying which are known"
api GET "/v1/lots/R-0000009-Q/reconcile"
is "$status" 404 "an unknown lot"
like "$(jget .error.message)" 'lot R-0000009-Q does not exist' "saying so"
api GET "/v1/lots/$W/reconcile"
is "$status" 400 "a location's tag (wrong letter)"
ks lot reconcile "$D1"
is "$rc" 1 "client: a device's tag is not a lot"
ks lot reconcile "R-0000009-Q" --csv
is "$rc" 1 "client: an unknown lot"
like "$err" 'lot R-0000009-Q does not exist' "client: saying so"
is "$(dbsum)" "$sum" "nothing changed"
done_testing
