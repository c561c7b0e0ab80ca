#!/bin/bash
# A wrong checkout cancelled by a coordinator, with a reason: the units go
# back in their kit (handed_over -> in_kit, active -> in_kit: flows), the
# SIM card's paid period is undone, the kit is ready again; compensating
# rows in the ledger, the hand-over kept and marked. Refusals say why.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"contribution\":\"5\",\"payment\":\"card\",\"at\":\"2025-04-02T10:00\"}"
is "$status" 201 "handed over (by mistake)"

refused POST "/v1/kits/$K/cancel-checkout" '{}' 400 missing_field "reason is required" "a cancellation needs its reason"
refused POST "/v1/kits/$K/cancel-checkout" '{"reason":"x","at":"2025-04-01"}' 409 date_order "was handed over on 2025-04-02T10:00:00Z: its checkout cannot be cancelled before" "a cancellation before the checkout"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
refused POST "/v1/kits/$K2/cancel-checkout" '{"reason":"x"}' 409 not_handed_over "$K2 is planned: there is no checkout to cancel" "no checkout to cancel"

ks kit cancel-checkout "$K" --reason "mauvais kit remis" --at 2025-04-02T10:20
is "$rc" 0 "kitstock kit cancel-checkout"
is "$(sql "SELECT state FROM kit WHERE tag='$K'")" ready "the kit is ready again"
is "$(sql "SELECT state || ' ' || (user_data_since IS NULL) FROM device WHERE tag='$D1'")" "in_kit 1" "the laptop is back in its kit, holding no one's data"
is "$(sql "SELECT state || ' ' || coalesce(paid_until, '-') FROM sim WHERE tag='$S1'")" "in_kit -" "the SIM card is back in the kit, its paid period undone"
is "$(sql "SELECT count(*) FROM topup WHERE cancelled_at IS NULL")" 0 "its activation is cancelled"
is "$(sql "SELECT cancel_reason FROM handover")" "mauvais kit remis" "the hand-over is kept, marked cancelled"
is "$(sql "SELECT outcome FROM convocation")" convoked "B1 is convoked again"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || reason FROM ledger WHERE entity='$D1' ORDER BY id DESC LIMIT 1")" "handed_over>in_kit mauvais kit remis" "the device's compensating row"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='$S1' ORDER BY id DESC LIMIT 1")" "active>in_kit" "the SIM card's"
is "$(sql "SELECT from_value || '>' || to_value FROM ledger WHERE entity='$K' ORDER BY id DESC LIMIT 1")" "handed_over>ready" "the kit's"
is "$(sql "SELECT action || ' ' || from_value || ' ' || reason FROM ledger WHERE entity='$B1' ORDER BY id DESC LIMIT 1")" "handover_cancelled $K mauvais kit remis" "and B1's"
is "$(sql "SELECT count(*) FROM ledger WHERE entity='$E' AND action='checkout_cancelled'")" 1 "and the event's"
api GET "/v1/kits/$K"
is "$(jget .handed_over_at)" null "the kit shows no hand-over"
refused GET "/v1/kits/$K/receipt" "" 409 not_handed_over "has not been handed over" "no receipt for a cancelled checkout"
refused POST "/v1/kits/$K/cancel-checkout" '{"reason":"encore"}' 409 not_handed_over "$K is ready: there is no checkout to cancel" "cancelling twice"

# Checked out again, properly; the payment counts once.
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"contribution\":\"5\",\"payment\":\"cash\",\"at\":\"2025-04-02T10:30\"}"
is "$status" 201 "the kit is handed over again"
is "$(sql "SELECT count(*) FROM handover WHERE cancelled_at IS NULL")" 1 "one hand-over in force"
api POST "/v1/distributions/$E/close" '{"cash_counted":"5","at":"2025-04-02T18:00"}'
is "$status/$(jget .payments.cash)/$(jget '.payments.card // 0')" "200/500/0" "the cancelled card payment is not counted"

# Once topped up, a checkout is no longer cancelled.
api POST /v1/topups "{\"sim\":\"$S1\",\"amount\":\"10\",\"paid_until\":\"2025-08-01\",\"at\":\"2025-04-20\"}"
refused POST "/v1/kits/$K/cancel-checkout" '{"reason":"x"}' 409 topped_up "$S1 was topped up after this hand-over \\(on 2025-04-20\\)" "no cancellation after a top-up"
done_testing
