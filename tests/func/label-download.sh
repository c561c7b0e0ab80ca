#!/bin/bash
# Labels downloaded from the daemon, as PDF, PNG and ZPL, through the API
# and kitstock label: each has its media type, and each label scans back to
# its tag. Serials are turned into tags; SIM numbers print French style; a
# beneficiary's convocation card prints the first name only, which never
# reaches the ledger or the log.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/locations '{"name":"Entrepôt Bobigny","kind":"warehouse","commune":"93008"}'; W=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"PF0ABC1\",\"brand\":\"Lenovo\",\"model\":\"ThinkPad T480\",\"ram_gb\":8,\"storage_gb\":256,\"grade\":\"A\",\"warranty_until\":\"2027-06-30\",\"lot\":\"$R\",\"location\":\"$W\"}"; D=$(jget .tag)
api POST /v1/sims "{\"iccid\":\"89330123456789012342\",\"operator\":\"Orange\",\"msisdn\":\"0612345678\",\"lot\":\"$R\",\"location\":\"$W\"}"; S=$(jget .tag)
is "$status" 201 "setup: a device, a SIM card, a location"

# Media types.
for f in pdf:application/pdf png:image/png zpl:application/zpl; do
	ct=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%{content_type}' \
	    "http://localhost/v1/labels?tags=$D&format=${f%%:*}")
	is "$ct" "${f#*:}" "format ${f%%:*} answers ${f#*:}"
done

# kitstock label: a file per format, each label decoded.
ks label "$D" "$S" "$W" --out "$T/all.pdf"
is "$rc" 0 "kitstock label --out FILE.pdf"
like "$out" 'all.pdf: 3 label\(s\)' "it says what it wrote"
is "$(pdfinfo "$T/all.pdf" | sed -n 's/^Pages: *//p')" 3 "one page per label (each tag's default template)"
got=
for p in 1 2 3; do
	pdftoppm -r 300 -f $p -l $p -gray -singlefile "$T/all.pdf" "$T/page"
	got="$got $(zbarimg --nodbus -q --raw "$T/page.pgm")"
done
is "$got" " $D $S $W" "each page scans back to its tag"
is "$(pdfinfo "$T/all.pdf" -f 1 -l 3 | sed -n 's/^Page *\([123]\) size: *\([0-9.]* x [0-9.]*\).*/\2/p' | tr '\n' ';')" \
    "175.748 x 82.2047;141.732 x 70.8661;175.748 x 82.2047;" \
    "pages are label-sized: 62 x 29 mm, 50 x 25 mm, 62 x 29 mm"
text=$(pdftotext "$T/all.pdf" - | tr '\n' ' ')
like "$text" 'laptop Lenovo ThinkPad T480' "the device label names the model"
like "$text" 'Garantie jusqu.au 30/06/2027' "and its warranty"
like "$text" '06 12 34 56 78' "the SIM label shows the number French style"
like "$text" 'Entrepôt Bobigny' "the location label its name"

ks label PF0ABC1 --out "$T/one.png"
is "$rc" 0 "kitstock label SERIAL --out FILE.png"
is "$(zbarimg --nodbus -q --raw "$T/one.png")" "$D" "the serial was turned into its tag"

ks label "$D" "$S" --out "$T/two.zpl"
is "$rc" 0 "kitstock label --out FILE.zpl"
is "$(grep -c '^\^XA' "$T/two.zpl")" 2 "two ZPL labels"
like "$(head -3 "$T/two.zpl" | tr '\n' ' ')" '^\^XA \^PW496 \^LL232' "62 x 29 mm at 203 dpi by default"
ks label "$D" --dpi 300 --out "$T/300.zpl"
like "$(head -3 "$T/300.zpl" | tr '\n' ' ')" '\^PW744 \^LL348' "--dpi 300: 12 dots/mm"

ks label "$D" "$S" --template a4-l7160 --out "$T/sheet.pdf"
is "$(pdfinfo "$T/sheet.pdf" | sed -n 's/^Pages: *//p')" 1 "both on one A4 sheet"
pdftoppm -r 300 -x 85 -y 178 -W 750 -H 450 -gray -singlefile "$T/sheet.pdf" "$T/cell1"
pdftoppm -r 300 -x 865 -y 178 -W 750 -H 450 -gray -singlefile "$T/sheet.pdf" "$T/cell2"
is "$(zbarimg --nodbus -q --raw "$T/cell1.pgm") $(zbarimg --nodbus -q --raw "$T/cell2.pgm")" \
    "$D $S" "first and second cells hold the device and the SIM card"

ks labels templates
like "$out" 'convocation +B +B +85, 54' "kitstock labels templates lists them"
api GET /v1/labels/templates
is "$(jget '.templates | length')" 6 "six templates"
is "$(jget '.errors | length')" 0 "none in error"

# A beneficiary's convocation card (a beneficiary made directly in the
# database: this part does not create them).
sql "INSERT INTO prescriber (id, tag, kind, name, created_at) VALUES (1, 'P-0000001-0', 'pie', 'PIE Bobigny', '2026-01-01');
     INSERT INTO beneficiary (id, tag, territory, category, prescriber_id, referred_on, consent_on, created_at)
       VALUES (1, 'B-0000001-V', 'T8', 'rsa_equipment', 1, '2026-01-01', '2026-01-01', '2026-01-01');
     INSERT INTO beneficiary_identity VALUES (1, 'Éloïse', 'Martin', '0611111111');"
ks label B-0000001-V --event-date 2026-12-05 --event-place "Salle des fêtes, Bobigny" --out "$T/card.pdf"
is "$rc" 0 "a convocation card"
is "$(pdfinfo "$T/card.pdf" | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\).*/\1/p')" \
    "240.945 x 153.071" "85 x 54 mm"
text=$(pdftotext "$T/card.pdf" - | tr '\n' ' ')
like "$text" 'Bonjour Éloïse,' "it greets the person by first name"
unlike "$text" 'Martin|0611' "and shows nothing else about them"
like "$text" 'le 05/12/2026' "the date of the distribution"
like "$text" 'Salle des fêtes, Bobigny' "and its place"
pdftoppm -r 203 -gray -singlefile "$T/card.pdf" "$T/card"
is "$(zbarimg --nodbus -q --raw "$T/card.pgm")" B-0000001-V "its code is the B- tag (read at 203 dpi)"
is "$(grep -c 'Éloïse' "$T/daemon.log")" 0 "the first name is not in the log"
is "$(sql "SELECT count(*) FROM ledger WHERE details_json LIKE '%Éloïse%'")" 0 "nor in the ledger"
done_testing
