#!/bin/bash
# The calibration label (kitstock label calibration): rendered by the
# daemon's label code as PDF, PNG or ZPL, its QR code decodes back to the
# calibration text, whose characters differ between keyboard layouts.
. "$(dirname "$0")/lib"
command -v zbarimg >/dev/null || { echo "1..0 # SKIP zbarimg is not installed"; exit 0; }
start_daemon
CAL=KSCAL-AQZWM.aqzwm/0123456789
ks label calibration --out "$T/cal.png"
is "$rc" 0 "label calibration --out cal.png: exit 0 ($err)"
like "$out" "cal.png: the calibration label" "says what it wrote"
is "$(zbarimg -q --raw "$T/cal.png")" "$CAL" "the PNG's QR code reads the calibration text"
ks label calibration --out "$T/cal.pdf"
is "$rc" 0 "label calibration (PDF)"
is "$(head -c 5 "$T/cal.pdf")" "%PDF-" "a PDF"
if command -v pdftoppm >/dev/null; then
	pdftoppm -r 300 -png "$T/cal.pdf" "$T/page"
	is "$(zbarimg -q --raw "$T"/page*.png)" "$CAL" "the PDF's QR code reads the calibration text"
fi
ks labels calibration --out "$T/cal.zpl" --dpi 203
is "$rc" 0 "labels calibration --out cal.zpl"
like "$(head -c 200 "$T/cal.zpl")" '^\^XA' "ZPL"
is "$(curl -s --unix-socket "$SOCK" -o "$T/600.png" -w '%{http_code}' \
    'http://localhost/v1/labels/calibration?format=png&dpi=600')" 200 \
    "GET /v1/labels/calibration?format=png&dpi=600"
is "$(zbarimg -q --raw "$T/600.png")" "$CAL" "  at 600 dpi too"
done_testing
