#!/bin/bash
# Label templates are read from the "labels" directory at each request: a
# template added while the daemon runs is usable at once, one that does not
# parse is listed with its file, line and reason, and using it is refused
# with that reason.
. "$(dirname "$0")/lib"
mkdir "$T/labels"
cp "$SRCDIR/labels/device.tpl" "$T/labels/"
printf 'language en\nlabels %s\n' "$T/labels" > "$T/conf"
start_daemon -c "$T/conf"

api POST /v1/suppliers '{"name":"Ateliers du Bocage"}'; F=$(jget .tag)
api POST /v1/lots "{\"supplier\":\"$F\",\"ref\":\"BL-1\"}"; R=$(jget .tag)
api POST /v1/devices "{\"kind\":\"laptop\",\"serial\":\"SN1\",\"brand\":\"Dell\",\"lot\":\"$R\"}"; D=$(jget .tag)

ks labels templates
is "$rc" 0 "kitstock labels templates"
is "$(printf '%s\n' "$out" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" "device " \
    "only the template of the directory"

# A template added now, and a broken one.
cat > "$T/labels/big.tpl" <<'EOF'
# A bigger device label: 100 x 50 mm.
title Big
size 100 50
for D
qr 3 3 44
text 50 4 48 14 bold {tag}
text 50 12 48 10 normal {brand} {model?}
EOF
printf 'title Broken\nsize 62 29\nfor D\nqr 2 2 23\ncolour red\n' > "$T/labels/broken.tpl"
ks labels templates
is "$(printf '%s\n' "$out" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" "big device " \
    "the new template is listed at once"
like "$err" 'template broken, line 5: unknown keyword "colour"' \
    "the broken one is reported with its line and why"
api GET /v1/labels/templates
like "$(jget '.errors[0].file')" "/labels/broken.tpl\$" "the API names its file"

ks label "$D" --template big --out "$T/big.pdf"
is "$rc" 0 "the new template prints"
is "$(pdfinfo "$T/big.pdf" | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\).*/\1/p')" \
    "283.465 x 141.732" "100 x 50 mm"
pdftoppm -r 203 -gray -singlefile "$T/big.pdf" "$T/big"
is "$(zbarimg --nodbus -q --raw "$T/big.pgm")" "$D" "and scans back"
like "$(pdftotext "$T/big.pdf" - | tr '\n' ' ')" 'Dell' "the optional model left out, the brand printed"

before=$(dbsum)
api GET "/v1/labels?tags=$D&template=broken"
is "$status" 400 "using the broken template is refused"
like "$(jget .error.message)" 'line 5: unknown keyword "colour"' "with its reason"
is "$(dbsum)" "$before" "nothing changed"
done_testing
