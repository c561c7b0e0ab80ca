#!/bin/bash
# A 10,000-line manifest (generated here: laptops, and every tenth line a
# smartphone with a valid IMEI) imports in one request within the default
# body limit; its units can be received and reconciled. Its speed is not
# measured here.
. "$(dirname "$0")/lib"
start_daemon

api POST /v1/suppliers '{"name":"Reconditionneur national"}'; F=$(jget .tag)
big=$T/BL-2026-10000.csv
awk 'BEGIN {
	printf "\357\273\277Type;Marque;Modèle;N° de série;IMEI;RAM (Go);Stockage (Go);Grade;Prix HT;Garantie jusqu'"'"'au\r\n"
	for (i = 1; i <= 10000; i++) {
		if (i % 10 == 0) {
			body = sprintf("35209911%06d", i)
			sum = 0
			for (k = 14; k >= 1; k--) {
				d = substr(body, k, 1) + 0
				if ((14 - k) % 2 == 0) { d *= 2; if (d > 9) d -= 9 }
				sum += d
			}
			printf "Smartphone;Samsung;Galaxy A52;R58L%06d;%s%d;6;128;B;179,00;02/11/2027\r\n", i, body, (10 - sum % 10) % 10
		} else
			printf "Portable;Lenovo;ThinkPad T480;PF%07d;;8;256;A;189,90;02/11/2027\r\n", i
	}
}' > "$big"
is "$(($(wc -l < "$big") - 1))" 10000 "10,000 lines generated"
size=$(stat -c %s "$big")
ok=$([ "$size" -lt 1048576 ] && echo yes || echo "no ($size bytes)"); is "$ok" yes "under the default body limit"

ks lot import "$big" --supplier "$F"
is "$rc" 0 "10,000 lines imported"
R=$out
is "$err" "" "no line refused"
is "$(sql "SELECT count(*) FROM expected_unit WHERE status = 'expected'")" 10000 "10,000 expected units"
is "$(sql "SELECT count(*) FROM expected_unit WHERE kind = 'smartphone' AND imei1 IS NOT NULL")" 1000 "1,000 phones with their IMEI"
is "$(sql "SELECT serial || ' ' || line FROM expected_unit WHERE line IN (10000, 10001) ORDER BY line")" "PF0009999 10000
R58L010000 10001" "the last lines, numbered as the spreadsheet shows them"
is "$(alive)" 200 "still serving"

imei=$(sql "SELECT imei1 FROM expected_unit WHERE serial = 'R58L005000'")
ks lot receive "$R" "$imei" PF0004321
is "$rc" 0 "two of them received, by IMEI and by serial"
is "$(printf '%s\n' "$out" | wc -l)" 2 "two new tags"
api GET "/v1/lots/$R/reconcile"
is "$status" 200 "the account of 10,000 lines"
is "$(jget '[.counts.expected, .counts.received, .counts.missing] | map(tostring) | join(" ")')" "10000 2 9998" \
    "2 received, 9,998 missing"
is "$(jget '.units | length')" 10000 "every line in the account"

# The same file a second time is refused whole: every unit is expected.
sum=$(dbsum)
ks lot import "$big" --supplier "$F" --lot "$R"
is "$rc" 1 "the same file again is refused"
like "$err" 'no line of the manifest can be imported \(bad lines: 10000\)' "every line is already expected or in stock"
like "$err" 'first 1000 are listed' "the first thousand listed"
is "$(dbsum)" "$sum" "nothing changed"
done_testing
