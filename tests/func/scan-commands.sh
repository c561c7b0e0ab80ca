#!/bin/bash
# Command barcodes: an operator with only a scanner in hand switches the
# station's mode, cancels the last scan (its effect undone, its context
# back), ends an audit and gives return reasons. The sheet of them is a
# PDF whose every QR code decodes back to its command.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
station_conf 0
start_daemon -c "$T/station.conf"
kit_setup

# The sheet: every command, as a QR code that decodes back.
ks label commands --out "$T/commands.pdf"
is "$rc" 0 "kitstock label commands"
like "$out" "commands.pdf: the command barcodes" "says what it wrote"
api GET '/v1/labels/commands?format=json'
want=$(jget '[.commands[].tag] | sort | join(" ")')
like "$want" "KS:CMD:CANCEL KS:CMD:END-AUDIT KS:MODE:AUDIT KS:MODE:CHECKOUT KS:MODE:PICK KS:MODE:PUTAWAY KS:MODE:RECEIVE KS:MODE:RETURN KS:REASON:" "the commands: cancel, end audit, a mode each, return reasons"
pdftoppm -r 300 -gray -singlefile "$T/commands.pdf" "$T/page"
got=$(zbarimg --nodbus -q --raw "$T/page.pgm" | sort | tr '\n' ' ' | sed 's/ $//')
is "$got" "$want" "every QR code on the sheet decodes back to its command (zbarimg)"
like "$(pdftotext -layout "$T/commands.pdf" - | tr -s ' ')" "Cancel the last scan" "each says what it does"
api GET '/v1/labels/commands?format=svg'
is "$status $(jget .error.field)" "400 format" "an unknown format is refused, naming the field"

# Switching mode by barcode: at once, the context dropped.
ks station add poste --location "$W" --mode putaway
scan poste KS:CMD:CANCEL
scanned "nothing to cancel yet" refused "CANCEL: nothing to cancel at poste — scan an item"
scan poste "$X"
scan poste KS:MODE:PICK
scanned "switch to pick" ok "poste: now in pick mode — scan the kit first"
is "$(sql "SELECT mode || ' ' || context_json FROM station WHERE name='poste'")" "pick {}" "the mode is changed, the putaway context dropped"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || station FROM ledger WHERE entity='poste' AND action='station_mode'")" "putaway>pick poste" "the change is in the ledger"
scan poste KS:MODE:CHECKOUT
scanned "checkout without a distribution" refused "poste: checkout needs the distribution the station serves"
scan poste KS:MODE:TELEPORT
scanned "an unknown mode" refused "KS:MODE:TELEPORT: an unknown command barcode — print a new sheet"
scan poste KS:REASON:FAULTY
scanned "a reason outside return mode" refused "a return reason means nothing in pick mode"
scan poste KS:REASON:BORED
scanned "an unknown reason" refused "KS:REASON:BORED: an unknown command barcode"

# Cancel the last scan: a pick is unpicked.
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"sims\":1,\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
scan poste KS:CMD:CANCEL
scanned "a mode switch is not cancelled" refused "poste: the last scan \\(KS:MODE:PICK\\) cannot be cancelled from a station — ask at a desk"
scan poste "$K2"
scan poste "$D2"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" reserved "picked"
scan poste KS:CMD:CANCEL
scanned "cancel a pick" ok "$D2: last scan \\($D2\\) cancelled — scan again"
is "$(sql "SELECT state FROM device WHERE tag='$D2'")" in_stock "the unit is back in stock"
is "$(sql "SELECT count(*) FROM kit_unit u JOIN device d ON d.id = u.device_id WHERE d.tag='$D2' AND u.removed_at IS NULL")" 0 "and out of the kit"
is "$(sql "SELECT json_extract(context_json, '$.kit') FROM station WHERE name='poste'")" "$K2" "the station still picks that kit"
is "$(sql "SELECT cancelled FROM scan WHERE code='$D2'")" 1 "the scan is marked cancelled"
scan poste KS:CMD:CANCEL
scanned "cancel the kit scan" ok "$K2: last scan \\($K2\\) cancelled"
is "$(sql "SELECT context_json FROM station WHERE name='poste'")" "{}" "the context is back to before the kit"
scan poste KS:CMD:CANCEL
scanned "cancelling stops at the mode switch" refused "poste: the last scan \\(KS:MODE:PICK\\) cannot be cancelled"

# Cancel a putaway: the item goes back where it was.
scan poste KS:MODE:PUTAWAY
scan poste "$X"
scan poste TAB0001
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag='$D3'")" "$X" "moved"
scan poste KS:CMD:CANCEL
scanned "cancel a move" ok "$D3: last scan \\(TAB0001\\) cancelled"
is "$(sql "SELECT l.tag FROM device d JOIN location l ON l.id = d.location_id WHERE d.tag='$D3'")" "$W" "back where it was"
is "$(sql "SELECT from_value || '>' || to_value || ' ' || station FROM ledger WHERE entity='$D3' AND action='move' ORDER BY id DESC LIMIT 1")" "$X>$W poste" "the move back is in the ledger"

# Cancel a checkout (a coordinator's undo, done by the station).
kit_ready "$B1"
event_today "$B1"
ks station add caisse --location "$P" --mode checkout --distribution "$E"
scan caisse "$B1"
scan caisse "$K"
is "$(sql "SELECT state FROM kit WHERE tag='$K'")" handed_over "handed over"
scan caisse KS:CMD:CANCEL
scanned "cancel a hand-over" ok "$K: last scan \\($K\\) cancelled"
is "$(sql "SELECT state FROM kit WHERE tag='$K'") $(sql "SELECT state FROM device WHERE tag='$D1'")" "ready in_kit" "the kit and its laptop are back as before"
is "$(sql "SELECT json_extract(context_json, '$.beneficiary') FROM station WHERE name='caisse'")" "$B1" "the station waits for B1's kit again"
scan caisse "$K"
scanned "hand it over again" ok "$K: handed over to $B1"

# Return reasons and END AUDIT from the sheet.
scan poste KS:MODE:RETURN
scan poste KS:REASON:NOT-NEEDED
scanned "a return reason" ok "return reason: no longer needed"
scan poste "$K"
scanned "a kit given back" ok "$K: given back by $B1 \\(no longer needed\\)"
scan poste KS:CMD:END-AUDIT
scanned "END AUDIT outside an audit" refused "END AUDIT: no audit is open at poste"
scan poste KS:MODE:AUDIT
scan poste "$W"
scan poste "$D1"
scan poste KS:CMD:CANCEL
scanned "cancel a sighting" ok "$D1: last scan"
scan poste KS:CMD:END-AUDIT
scanned "END AUDIT" ok "$W: audit closed — 0 seen"
like "$(jget '[.report.missing[].tag] | join(" ")')" "$D1" "the cancelled sighting counts as not seen"
is "$(sql "SELECT count(*) FROM audit WHERE closed_at IS NOT NULL")" 1 "the audit is closed"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
