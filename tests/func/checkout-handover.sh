#!/bin/bash
# A checkout binds a convoked beneficiary and their ready kit in one
# transaction: kit and devices handed over, SIM card active and paid for
# its plan from that day, time and place recorded, a ledger row per unit
# and one on the B- tag; then the hand-over receipt and the contribution
# receipt as PDF (checked with pdftotext).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
api PATCH "/v1/sims/$S1" '{"plan_price":"9,90"}'
kit_ready "$B1"
event 2025-04-02

api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"contribution\":\"10\",\"payment\":\"cash\",\"plan_months\":2,\"at\":\"2025-04-02T10:30\"}"
is "$status" 201 "checkout"
is "$(jget .at)/$(jget .place)" "2025-04-02T10:30:00Z/$P" "hand-over time and place"
is "$(jget '.sims[0].paid_until')" 2025-06-02 "the SIM card is paid for its 2 months from the hand-over"
is "$(jget .receipt)" "/v1/kits/$K/receipt" "where its receipt is"
is "$(sql "SELECT state FROM kit WHERE tag='$K'")" handed_over "the kit is handed over"
is "$(sql "SELECT state || ' ' || (user_data_since IS NOT NULL) FROM device WHERE tag='$D1'")" "handed_over 1" "the laptop is handed over, and now holds its user's data"
is "$(sql "SELECT state || ' ' || paid_until FROM sim WHERE tag='$S1'")" "active 2025-06-02" "the SIM card is active, paid until then"
is "$(sql "SELECT kind || ' ' || on_date || ' ' || amount_cents FROM topup")" "activation 2025-04-02 1980" "its activation: two months of its 9.90 € plan"
is "$(sql "SELECT outcome FROM convocation")" handed_over "B1's convocation is honoured"
for u in "$D1" "$S1" "$K"; do
	is "$(sql "SELECT count(*) FROM ledger WHERE entity='$u' AND action='state' AND at='2025-04-02T10:30:00Z' AND to_value IN ('handed_over','active')")" 1 "$u: its hand-over in the ledger, at its time"
done
is "$(sql "SELECT to_value || ' ' || json_extract(details_json, '$.distribution') || ' ' || json_extract(details_json, '$.place') || ' ' || json_extract(details_json, '$.contribution') FROM ledger WHERE entity='$B1' AND action='handed_over'")" "$K $E $P 10.00" "B1's history: handed_over, which kit, where, the contribution"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$E' AND action='checkout'")" 1 "and the event's"
unlike "$(sql "SELECT group_concat(coalesce(details_json, '') || coalesce(reason, ''), ' ') FROM ledger")" "Aïcha|Diallo|0698765432" "no name or phone in the ledger"
api GET "/v1/kits/$K"
is "$(jget .handed_over_at)/$(jget .distribution)/$(jget .paid)/$(jget .payment)" "2025-04-02T10:30:00Z/$E/10.00/cash" "the kit shows its hand-over and payment"

# The receipts.
curl -s --unix-socket "$SOCK" -o "$T/receipt.pdf" -w '%{http_code} %{content_type}' "http://localhost/v1/kits/$K/receipt" > "$T/h"
is "$(cat "$T/h")" "200 application/pdf" "the hand-over receipt is a PDF"
text=$(pdftotext -layout "$T/receipt.pdf" - | tr -s ' ')
like "$text" "Hand-over receipt" "titled"
like "$text" "Aïcha Diallo \\($B1\\)" "naming the beneficiary, to sign"
like "$text" "Serial number PF0KIT1" "the laptop's serial"
like "$text" "ICCID 89330123456789012342" "the SIM card's ICCID"
like "$text" "Plan paid until 2025-06-02" "its paid period"
like "$text" "1 × Chargeur" "the charger"
like "$text" "Contribution paid: 10.00 € \\(cash\\)" "the contribution paid"
like "$text" "Point Saint-Denis, Saint-Denis" "where"
like "$text" "Under warranty until 2099-12-31" "the warranty"
like "$text" "Conditions" "the conditions"
like "$text" "The beneficiary: date and signature" "a place to sign"
is "$(pdfinfo "$T/receipt.pdf" | awk '/^Pages:/ {print $2}')" 1 "on one A4 page"
like "$(pdfinfo "$T/receipt.pdf" | grep CreationDate)" "2025" "created on the hand-over's date"
curl -s --unix-socket "$SOCK" -o "$T/again.pdf" "http://localhost/v1/kits/$K/receipt"
is "$(md5sum < "$T/again.pdf")" "$(md5sum < "$T/receipt.pdf")" "the same receipt twice is the same file"
ks kit contribution-receipt "$K" --out "$T/contribution.pdf"
is "$rc" 0 "kitstock kit contribution-receipt"
text=$(pdftotext "$T/contribution.pdf" - | tr '\n' ' ' | tr -s ' ')
like "$text" "Received from Aïcha Diallo \\($B1\\) the sum of 10.00 €, paid by cash" "the contribution receipt says who paid what"
refused GET "/v1/kits/$(mktag K 77)/receipt" "" 404 unknown_tag "does not exist" "no receipt for a kit that does not exist"

# A kit handed over without a contribution, and a beneficiary without a
# recorded identity: the receipt names them by tag.
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
refused GET "/v1/kits/$K2/receipt" "" 409 not_handed_over "$K2 has not been handed over: there is no receipt yet" "no receipt before the hand-over"
api POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\",\"$S2\"]}"
api POST "/v1/kits/$K2/ready" '{"at":"2025-03-21"}'
api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$B2\"]}"
ks checkout "$B2" "$K2" "$E" --at 2025-04-02T11:00 --receipt "$T/r2.pdf"
is "$rc" 0 "kitstock checkout B K E, in any order, saving the receipt"
like "$out" "$K2 handed over to $B2 at $E" "says what was handed over to whom"
like "$out" "$S2 active, paid until 2025-05-02" "a month's plan by default"
like "$(pdftotext "$T/r2.pdf" - | tr -s ' ')" "Beneficiary: $B2" "a receipt for someone without a recorded identity names their tag"
like "$(pdftotext "$T/r2.pdf" - | tr '\n' ' ')" "free of charge" "and says it was free"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
