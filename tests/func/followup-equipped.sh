#!/bin/bash
# Someone equipped is followed 3 and 6 months after the hand-over (the
# checkout in force), someone not equipped after the diagnostic; a
# cancelled checkout takes the schedule back; whether the device is in
# use is asked of those equipped only.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api GET "/v1/followups?beneficiary=$B1"
is "$(jget '[.items[] | "\(.month):\(.due_on):\(.basis)"] | join(" ")')" "3:2025-06-10:diagnostic 6:2025-09-10:diagnostic" "before the hand-over: from the diagnostic"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
[ "$status" = 201 ] || fail "checkout for the fixture" "$body"
api GET "/v1/beneficiaries/$B1"
is "$(jget .handed_over_on)" 2025-04-02 "the beneficiary shows the hand-over"
api GET /v1/followups
is "$(jget '[.items[] | "\(.beneficiary):\(.month):\(.due_on):\(.basis)"] | join(" ")')" \
    "$B2:3:2025-06-10:diagnostic $B1:3:2025-07-02:handed_over $B2:6:2025-09-10:diagnostic $B1:6:2025-10-02:handed_over" \
    "the one equipped from the hand-over, the other from the diagnostic"

sum=$(dbsum)
api POST /v1/followups "{\"beneficiary\":\"$B1\",\"at\":\"2025-04-01\"}"
is "$status/$(jget .error.field)" 409/at "a follow-up before the hand-over is refused"
like "$(jget .error.message)" "the follow-up on 2025-04-01 would come before the hand-over on 2025-04-02" "saying why"
api POST /v1/followups "{\"beneficiary\":\"$B2\",\"device_in_use\":true,\"at\":\"2025-06-12\"}"
is "$status/$(jget .error.field)" 400/device_in_use "device_in_use for someone not equipped"
is "$(dbsum)" "$sum" "nothing written"
ks followup add --beneficiary "$B1" --device-in-use --connected --at 2025-07-03
is "$rc" 0 "the 3-month follow-up of someone equipped"
api GET "/v1/followups/$out"
is "$(jget .basis)/$(jget .due_on)/$(jget .device_in_use)" "handed_over/2025-07-02/true" "scheduled from the hand-over, device in use"

ks kit cancel-checkout "$K" --reason "mauvais kit remis" --at 2025-04-02T10:20
is "$rc" 0 "the checkout cancelled"
api GET "/v1/followups?beneficiary=$B1"
is "$(jget '[.items[] | "\(.month):\(.due_on):\(.basis):\(.state)"] | join(" ")')" "3:2025-07-02:handed_over:done 6:2025-09-10:diagnostic:overdue" "what is recorded stays; the rest counts from the diagnostic again"
api GET "/v1/beneficiaries/$B1"
is "$(jget .handed_over_on)" null "no hand-over in force"
done_testing
