#!/bin/bash
# What a checkout refuses, each with a sentence and nothing written:
# someone else's kit, a second checkout of the same kit, a kit not ready,
# a beneficiary not convoked, unknown or mistyped tags, a closed event, a
# day other than the event's, a contribution over the cap or without its
# payment method.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
event 2025-04-02
co() { printf '{"beneficiary":"%s","kit":"%s","at":"2025-04-02T10:00"%s}' "$1" "$2" "${3:-}"; }
C=/v1/distributions/$E/checkout

api POST "/v1/distributions/$E/convocations" "{\"beneficiaries\":[\"$B2\"]}"
refused POST "$C" "$(co "$B2" "$K")" 409 not_their_kit "$K is not $B2's kit: it was allocated to $B1" "checkout of someone else's kit"
refused POST "$C" "$(co "$B2" "$K2")" 409 not_ready "$K2 is planned: only a ready kit can be handed over" "a kit not ready"
refused POST "$C" "$(co "$B1" "$(mktag K 50)")" 404 unknown_tag "kit $(mktag K 50) does not exist" "an unknown kit"
refused POST "$C" "$(co "$(mktag B 50)" "$K")" 404 unknown_tag "beneficiary $(mktag B 50) does not exist" "an unknown beneficiary"
refused POST "$C" "$(co "$B1" "K-0000001-A")" 400 invalid_field "check character" "a mistyped kit tag"
refused POST "$C" "$(co "$K" "$B1")" 400 invalid_field "expected a tag starting with B" "tags swapped"
refused POST "/v1/distributions/$(mktag E 50)/checkout" "$(co "$B1" "$K")" 404 unknown_tag "$(mktag E 50) does not exist" "an unknown event"
refused POST "$C" "$(co "$B1" "$K" ',"contribution":"51"')" 400 over_cap "over the programme's cap of 50.00 €" "a contribution over the cap"
refused POST "$C" "$(co "$B1" "$K" ',"contribution":"5"')" 400 missing_field "a contribution of 5.00 € needs its payment method" "a contribution without its payment method"
refused POST "$C" "$(co "$B1" "$K" ',"contribution":"5","payment":"bitcoin"')" 400 invalid_field 'payment "bitcoin" is not known: expected one of cash, card, cheque, transfer' "an unknown payment method"
refused POST "$C" "$(co "$B1" "$K" ',"plan_months":0')" 400 invalid_field "plan_months 0 is out of range" "a plan of 0 months"
refused POST "$C" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-03T10:00\"}" 409 date_order "$E is held on 2025-04-02: a checkout at it happens that day, not on 2025-04-03" "a checkout on another day"
refused POST "$C" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-03-21T08:00\"}" 409 date_order "is held on 2025-04-02" "a checkout before the event"
refused POST "$C" "$(co "$B1" "$K" ',"override_reason":"carte oubliée"')" 400 invalid_field "$B1 is convoked to $E: override_reason is only for someone who is not" "an override for someone convoked"

# Not convoked to this event (convoked to another).
api POST /v1/distributions "{\"held_on\":\"2025-04-02\",\"place\":\"$P\"}"; E2=$(jget .tag)
refused POST "/v1/distributions/$E2/checkout" "$(co "$B1" "$K")" 409 not_convoked "$B1 is not convoked to $E2: a coordinator may hand over anyway, giving override_reason" "a beneficiary not convoked"

# The checkout, then the same kit again.
api POST "$C" "$(co "$B1" "$K")"
is "$status" 201 "B1 receives their kit"
refused POST "$C" "$(co "$B1" "$K")" 409 already_handed_over "$K was already handed over, on 2025-04-02 at $P \\($E\\)" "a second checkout of the same kit"
refused POST "/v1/distributions/$E2/checkout" "$(co "$B1" "$K" ',"override_reason":"x"')" 409 already_handed_over "already handed over" "nor elsewhere"

# A closed event takes no more checkouts or convocations.
api POST "/v1/distributions/$E2/close" '{"cash_counted":0,"at":"2025-04-02T18:00"}'
is "$status" 200 "the other event is closed"
api POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\",\"$S2\"]}"
api POST "/v1/kits/$K2/ready" '{"at":"2025-03-22"}'
refused POST "/v1/distributions/$E2/checkout" "$(co "$B2" "$K2" ',"override_reason":"x"')" 409 closed "$E2 is closed: no more checkouts at it" "a checkout at a closed event"
refused POST "/v1/distributions/$E2/convocations" "{\"beneficiaries\":[\"$B2\"]}" 409 closed "$E2 is closed: no one can be convoked" "convoking to a closed event"

# The client refuses tags that cannot be right before asking.
ks checkout "$E" "$B2" "$B1"
is "$rc" 2 "two beneficiaries and no kit: a usage error"
like "$err" "is not expected here" "saying which"
ks checkout "$E" "$B2" "$D1"
is "$rc" 2 "a device instead of the kit: a usage error"
ks checkout "$E" "$B2" "K-0000002-A"
is "$rc" 1 "a mistyped kit tag is refused by the client"
like "$err" "check character" "saying why"
ks checkout "$E" "$B2" "$K"
is "$rc" 1 "the client relays the daemon's refusal"
like "$err" "is not $B2's kit" "with its sentence"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
