#!/bin/bash
# Repair tickets refused, each with a sentence and nothing written.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
start_daemon
kit_setup
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
rb() { printf '{"device":"%s","reason":"écran","partner":"%s","at":"%s"}' "$1" "$2" "${3:-2025-06-01}"; }

refused POST /v1/repairs "$(rb "$D2" "$X")" 409 wrong_state "$D2 is in_stock: a repair ticket is opened for a device a beneficiary brings back" "a device not handed over"
refused POST /v1/repairs "$(rb "$D1" "$W")" 400 wrong_kind "partner $W is a warehouse location: repairs go to a repair partner" "a partner that is no repair partner"
refused POST /v1/repairs "$(rb "$D1" "$(mktag L 70)")" 404 unknown_tag "partner $(mktag L 70) does not exist" "an unknown partner"
refused POST /v1/repairs "$(rb "$S1" "$X")" 400 wrong_kind "$S1 is a SIM card: repair tickets are for devices" "a SIM card"
refused POST /v1/repairs "$(rb NOSUCH "$X")" 404 unknown_tag "nothing is registered as NOSUCH" "an unknown serial"
refused POST /v1/repairs "$(rb "$D1" "$X" 2025-04-01)" 409 date_order "was handed over on 2025-04-02T10:00:00Z: it cannot come back before, on 2025-04-01" "back before it was handed over"
refused POST /v1/repairs "{\"device\":\"$D1\",\"partner\":\"$X\"}" 400 missing_field "reason is required" "no reason"
api POST /v1/repairs "$(rb "$D1" "$X")"
is "$status" 201 "ticket 1 opened"
refused POST /v1/repairs "$(rb "$D1" "$X")" 409 repair_open "$D1 already has an open repair ticket \\(1\\)" "a second ticket for the same device"
refused POST /v1/repairs/1/close '{"outcome":"swapped"}' 400 missing_field "a swap gives the beneficiary a replacement" "a swap without replacement"
refused POST /v1/repairs/1/close "{\"outcome\":\"repaired\",\"replacement\":\"$D2\"}" 400 invalid_field "replacement is only for a swap" "a replacement for a repair"
refused POST /v1/repairs/1/close '{"outcome":"fixed"}' 400 invalid_field 'outcome "fixed" is not known: expected one of repaired, swapped, scrapped' "an unknown outcome"
refused POST /v1/repairs/1/close '{"outcome":"repaired","at":"2025-05-31"}' 409 date_order "repair ticket 1 was opened on 2025-06-01T00:00:00Z: it cannot be closed before" "closed before it was opened"
refused POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$D1\"}" 400 invalid_field "cannot replace itself" "a device swapped for itself"
refused POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$S2\"}" 400 wrong_kind "a device is replaced by a device" "a SIM card as replacement"
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
api POST "/v1/kits/$K2/pick" "{\"items\":[\"$D2\"]}"
refused POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$D2\"}" 409 in_other_kit "$D2 is already in kit $K2 \\(for $B2\\)" "a replacement already in another kit"
api POST "/v1/kits/$K2/unpick" "{\"items\":[\"$D2\"]}"
api POST "/v1/devices/$D2/state" '{"to":"in_repair","reason":"test"}'
refused POST /v1/repairs/1/close "{\"outcome\":\"swapped\",\"replacement\":\"$D2\"}" 409 wrong_state "$D2 is in_repair: a replacement comes from stock" "a replacement not in stock"
refused POST /v1/repairs/7/close '{"outcome":"repaired"}' 404 unknown_tag "there is no repair ticket 7" "an unknown ticket"
refused POST /v1/repairs/un/close '{"outcome":"repaired"}' 400 invalid_field 'repair ticket "un": expected its number' "a ticket that is no number"
api POST /v1/repairs/1/close '{"outcome":"repaired","at":"2025-06-02"}'
is "$status" 200 "closed"
refused POST /v1/repairs/1/close '{"outcome":"scrapped"}' 409 closed "repair ticket 1 is already closed \\(repaired on 2025-06-02\\)" "closing twice"
api GET "/v1/repairs?state=pending"
is "$status/$(jget .error.field)" "400/state" "an unknown state filter"
ks repair show 1
is "$rc" 0 "kitstock repair show 1"
like "$out" "closed 2025-06-02T00:00:00Z: repaired" "with how it ended"

# The list, a page at a time, each filter through an index.
api POST /v1/repairs "$(rb "$D1" "$X" 2025-06-10)"
is "$status" 201 "a second ticket for the same device, once the first is closed"
api GET "/v1/repairs?limit=1"
is "$status $(jget '[.items[].id] | join(",")') $(jget .next)" "200 1 1" "a page of one: ticket 1, and where the next begins"
api GET "/v1/repairs?limit=1&after=1"
is "$(jget '[.items[].id] | join(",")') $(jget .next)" "2 null" "the next page: ticket 2, the last"
api GET "/v1/repairs?state=open"
is "$(jget '[.items[] | "\(.id):\(.state)"] | join(",")')" "2:open" "open tickets only"
api GET "/v1/repairs?state=closed&partner=$X&device=$D1&beneficiary=$B1"
is "$(jget '[.items[] | "\(.id):\(.state)"] | join(",")')" "1:closed" "every filter at once"
ks repair list --limit 1
is "$rc" 0 "repair list --limit 1"
like "$err" "more follow: add --after 1" "says more follow"
ks repair list --all --limit 1 --partner "$X"
like "$out" "
1 +$D1 .* closed .*
2 +$D1 .* open " "--all, a page of one at a time: both tickets"
for q in "after=un" "after=0" "after=-3" "limit=0" "limit=5000" "limit=dix"; do
	refused GET "/v1/repairs?$q" "" 400 invalid_field "${q%%=*} " "GET /v1/repairs?$q"
	is "$(jget .error.field)" "${q%%=*}" "$q: the field named"
done
done_testing
