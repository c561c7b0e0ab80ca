#!/bin/bash
# Exports on a generated programme. For the evaluation: one row per
# person under a keyed pseudonym (HMAC-SHA256), no name, phone or free
# text, refused while no key is configured, stable across exports and
# changing with the key. Aggregates: cells of 1 to k-1 people suppressed.
# For a prescriber: exactly its own people, and a prescriber's token never
# gets another's. The operational lists; roles; the client.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
. "$(dirname "$0")/lib-report"
port=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$port
conf() {
	printf 'language en\nlisten 127.0.0.1:%s\n%s\n' "$port" "$1" > "$T/kitstockd.conf"
}
conf ""
start_daemon -c "$T/kitstockd.conf"
report_generate 64

# No key: refused with a sentence, nothing exported.
api GET /v1/exports/evaluation
is "$status $(jget .error.code)" "409 no_pseudonym_key" "no pseudonym key: refused"
like "$(jget .error.message)" 'pseudonym-key FILE' "saying what to configure"
stop_daemon
head -c 32 /dev/urandom > "$T/key1"; head -c 32 /dev/urandom > "$T/key2"
printf 'short' > "$T/short"
conf "pseudonym-key $T/short"
start_daemon -c "$T/kitstockd.conf"
api GET /v1/exports/evaluation
is "$status" 409 "a key shorter than 16 bytes: refused"
stop_daemon
conf "pseudonym-key $T/key1"
start_daemon -c "$T/kitstockd.conf"

ks export evaluation --out "$T/eval1.csv"
is "$rc" 0 "kitstock export evaluation"
like "$out" "eval1.csv: evaluation export written" "the client says where"
is "$(wc -l < "$T/eval1.csv")" 65 "one row per beneficiary, and a header"
is "$(head -1 "$T/eval1.csv" | cut -d, -f1-6)" "pseudonym,territory,commune,category,prescriber_kind,referred_on" "its columns"
is "$(tail -n +2 "$T/eval1.csv" | cut -d, -f1 | grep -cE '^[0-9a-f]{64}$')" 64 "each under a 64-hex-digit pseudonym"
is "$(tail -n +2 "$T/eval1.csv" | cut -d, -f1 | sort -u | wc -l)" 64 "one pseudonym per person"
leak=$(grep -F -f "$T/identities" "$T/eval1.csv" | head -3)
is "$leak" "" "no generated name or phone in the export"
unlike "$(cat "$T/eval1.csv")" 'Note libre|Conseillère|B-[0-9]{7}|P-[0-9]{7}' "no free text, adviser, tag or prescriber"
want=$(printf '%s' "${BENS[0]}" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(xxd -p -c 64 "$T/key1")" | awk '{print $NF}')
is "$(sed -n 2p "$T/eval1.csv" | cut -d, -f1)" "$want" "the pseudonym is HMAC-SHA256 of the tag under the key"
b5=${BENS[5 * 4]}    # stage 5: equipped with a tablet, covered, followed at 3 months
row=$(grep "^$(printf '%s' "$b5" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(xxd -p -c 64 "$T/key1")" | awk '{print $NF}')," "$T/eval1.csv")
hdr=$(head -1 "$T/eval1.csv" | tr -d '\r')
col() { printf '%s' "$row" | tr -d '\r' | cut -d, -f"$(printf '%s' "$hdr" | tr , '\n' | grep -nx "$1" | cut -d: -f1)"; }
is "$(col territory) $(col equipped_on) $(col device_kind) $(col connection_covered) $(col followup3_device_in_use)" \
    "${BEN_TERR[$b5]} 2024-09-05 tablet 1 1" "a person's steps and outcomes"
ks export evaluation --out "$T/eval2.csv"
is "$(cmp -s "$T/eval1.csv" "$T/eval2.csv" && echo same)" same "stable across exports"
stop_daemon
conf "pseudonym-key $T/key2"
start_daemon -c "$T/kitstockd.conf"
ks export evaluation --out "$T/eval3.csv"
is "$(comm -12 <(cut -d, -f1 "$T/eval1.csv" | tail -n +2 | sort) <(cut -d, -f1 "$T/eval3.csv" | tail -n +2 | sort) | wc -l)" 0 "another key: other pseudonyms"
is "$(cut -d, -f2- "$T/eval1.csv" | sort | md5sum)" "$(cut -d, -f2- "$T/eval3.csv" | sort | md5sum)" "the same rows otherwise"

# Aggregates: small cells suppressed (k = 5 by default), not zeros.
ks export indicators --out "$T/agg.csv"
is "$rc" 0 "kitstock export indicators"
is "$(head -1 "$T/agg.csv" | tr -d '\r')" "scope,breakdown,key,indicator,count,suppressed" "its columns"
is "$(tr -d '\r' < "$T/agg.csv" | awk -F, '$5 != "" && $5 > 0 && $5 < 5' | wc -l)" 0 "no count of 1 to 4 people shown"
like "$(tr -d '\r' < "$T/agg.csv" | awk -F, '$6 == 1' | wc -l)" '^[1-9]' "some cells suppressed"
is "$(tr -d '\r' < "$T/agg.csv" | grep '^T6,total,,diagnosed,')" "T6,total,,diagnosed,${EXP["T6 diagnosed"]},0" "a large cell shown"
is "$(tr -d '\r' < "$T/agg.csv" | grep '^T6,total,,certified,')" "T6,total,,certified,,1" "T6's ${EXP["T6 certified"]} certified: suppressed"
api GET /v1/indicators?territory=T6
is "$(jget '.scopes[0].certified.count')" "${EXP["T6 certified"]}" "but shown on the coordinator's own screen"
stop_daemon
conf "pseudonym-key $T/key2
export-min-cell 2"
start_daemon -c "$T/kitstockd.conf"
ks export indicators --out "$T/agg2.csv"
is "$(tr -d '\r' < "$T/agg2.csv" | grep '^T6,total,,certified,')" "T6,total,,certified,${EXP["T6 certified"]},0" "k is configurable (export-min-cell 2)"

# A prescriber's export: exactly its people.
mine=$(for b in "${BENS[@]}"; do [ "${BEN_PRESC[$b]}" = "$PA" ] && echo "$b"; done | sort)
ks export prescriber --prescriber "$PA" --out "$T/pa.csv"
is "$rc" 0 "a coordinator exports a prescriber's people"
is "$(tail -n +2 "$T/pa.csv" | cut -d, -f1 | sort)" "$mine" "exactly the people PA referred"
leak=$(grep -F -f "$T/identities" "$T/pa.csv" | head -3)
is "$leak" "" "under their tag, without name or phone"
ks token add ml-sd --role prescriber --prescriber "$PA"; tpa=$out
ks token add evaluation --role evaluator; tev=$out
ks token add entrepot --role warehouse; twh=$out
tcp() { code=$(curl -s -o "$T/o" -w '%{http_code}' -H "Authorization: Bearer $1" "$URL$2"); }
tcp "$tpa" /v1/exports/prescriber
is "$code" 200 "PA's token gets its export"
is "$(tail -n +2 "$T/o" | cut -d, -f1 | sort)" "$mine" "exactly its people"
tcp "$tpa" "/v1/exports/prescriber?prescriber=$PB"
is "$code" 403 "PA's token cannot get PB's people"
like "$(jget .error.message "$(cat "$T/o")")" "only its own people" "said so"
for p in evaluation indicators stock; do
	tcp "$tpa" "/v1/exports/$p"; is "$code" 403 "a prescriber cannot get the $p export"
done
tcp "$tev" /v1/exports/evaluation
is "$code" 200 "the evaluator gets the pseudonymised export"
is "$(cut -d, -f2- "$T/o" | sort | md5sum)" "$(cut -d, -f2- "$T/eval3.csv" | sort | md5sum)" "the same as the coordinator's"
for p in "prescriber?prescriber=$PA" stock sims; do
	tcp "$tev" "/v1/exports/$p"; is "$code" 403 "the evaluator cannot get ${p%%\?*}"
done
tcp "$tev" /v1/indicators; is "$code" 403 "nor the unsuppressed indicators"
tcp "$twh" /v1/exports/evaluation; is "$code" 403 "the warehouse cannot get the evaluation export"
tcp "$twh" /v1/exports/stock; is "$code" 200 "but gets the stock"

# Operational lists.
ks export stock --out "$T/stock.csv"
is "$(head -1 "$T/stock.csv" | tr -d '\r')" "kind,state,location,territory,count" "stock: its columns"
is "$(tr -d '\r' < "$T/stock.csv" | awk -F, '$1 == "laptop" && $2 == "handed_over" { s += $5 } END { print s + 0 }')" \
    "$(sql "SELECT count(*) FROM device WHERE kind = 'laptop' AND state = 'handed_over'")" "stock: handed-over laptops"
ks export sims --out "$T/sims.csv"
is "$(($(wc -l < "$T/sims.csv") - 1))" "$(sql "SELECT count(*) FROM topup WHERE kind = 'activation'")" "sims: one row per connection"
is "$(tr -d '\r' < "$T/sims.csv" | awk -F, '$9 == 0' | wc -l)" "${EXP["departement not_yet_covered"]}" "sims: the ones not covered for 6 months"
api PATCH "/v1/devices/$(mktag D 1)" "{\"warranty_until\":\"$(date -u -d '+10 days' +%F)\"}"
ks export warranties --days 30 --out "$T/war.csv"
is "$(tail -n +2 "$T/war.csv" | cut -d, -f1)" "$(mktag D 1)" "warranties ending within 30 days"
ks export warranties --days 5 --out "$T/war.csv"
is "$(wc -l < "$T/war.csv")" 1 "none within 5"
ks export repairs --out "$T/rep.csv"
is "$(head -1 "$T/rep.csv" | cut -d, -f1-3)" "repair,device,kind" "repairs open: its columns"
ks export followups --days 0 --out "$T/fu.csv"
is "$(($(wc -l < "$T/fu.csv") - 1))" "$(sql "SELECT 2 * (SELECT count(*) FROM diagnostic) - (SELECT count(*) FROM followup)")" "follow-ups due by today: every one not done"
# The top-ups due of the programme, a page at a time: pages of 1, 2 and 3
# (each read keeping at most twice its items) give the list whole.
api GET "/v1/topups/due?limit=1000"
whole=$(jget '[.items[] | "\(.due_on) \(.beneficiary)"] | join(",")')
is "$(jget '.items | length > 4') $(jget .next)" "true null" "top-ups due: more than four, on one page of 1,000"
is "$(jget '[.items[].due_on] | . == sort')" true "soonest first"
for l in 1 2 3; do
	got= after=
	while :; do
		api GET "/v1/topups/due?limit=$l${after:+&after=$after}"
		got=$got$(jget '[.items[] | "\(.due_on) \(.beneficiary)"] | join(",")'),
		after=$(jget '.next // empty')
		[ -n "$after" ] || break
	done
	is "${got%,}" "$whole" "top-ups due, pages of $l: the list whole"
done
ks export bogus
is "$rc" 2 "an unknown export is a usage error"
ks export evaluation --out /nonexistent/x.csv
is "$rc" 1 "a file that cannot be written"
done_testing
