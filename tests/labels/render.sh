#!/bin/bash
# Every template of labels/ rendered for a set of tags by the daemon's own
# label code (label-render), then read back as a scanner would:
# - PDF rasterised with pdftoppm at 300 and at 203 dpi; each label cropped
#   on its own (zbar misses codes on a whole A4 page) and decoded with
#   zbarimg: the codes are the tags, in the right cells, on every page;
#   the text layer (pdftotext) holds the tags and their fields;
# - PNG decoded directly, at 300 and 203 dpi;
# - ZPL (a compressed ^GFA bitmap) rendered offline by zpl-renderer-js
#   (zebrash) at 8, 12 and 24 dots/mm, one image per label, each decoded
#   back to its tag;
# - a template whose QR box is too small for the printer is refused.
#
# Environment: LABEL_RENDER (the helper), NODE_PATH (zpl-renderer-js),
# SRCDIR (the source tree).
set -u
SRCDIR=${SRCDIR:-$(pwd)}
LABEL_RENDER=${LABEL_RENDER:-$SRCDIR/tests/labels/label-render}
T=$(mktemp -d /tmp/kitstock-labels.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do echo "#   $l"; done
}
is() { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3" "got:  '$1'" "want: '$2'"; fi; }
decode() { zbarimg --nodbus -q --raw "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }

for tool in pdftoppm pdftotext pdfinfo zbarimg node; do
	command -v $tool >/dev/null || { echo "Bail out! $tool is missing (make deps-test)"; exit 1; }
done
[ -x "$LABEL_RENDER" ] || { echo "Bail out! no $LABEL_RENDER (make labels builds it)"; exit 1; }

# Tags with valid check characters, and their fields.
cat > "$T/D.json" <<'EOF'
[{"tag":"D-0000001-Z","kind":"laptop","brand":"Lenovo","model":"ThinkPad T480","ram_gb":8,"storage_gb":256,"grade":"A","warranty_until":"2027-06-30","supplier":"Ateliers du Bocage"},
 {"tag":"D-0000002-X","kind":"smartphone","brand":"Samsung","model":"Galaxy A52 ^FS~JA_x","ram_gb":6,"storage_gb":128,"grade":"B"},
 {"tag":"D-0000123-H","kind":"desktop","brand":"Dell","model":"OptiPlex 7070 Micro avec un nom de modèle très long qui déborde"}]
EOF
cat > "$T/S.json" <<'EOF'
[{"tag":"S-0000001-8","operator":"Orange","msisdn":"06 12 34 56 78","iccid":"89330123456789012342","plan_gb":100},
 {"tag":"S-0000002-6","operator":"Free","iccid":"89331012345678901238"}]
EOF
cat > "$T/K.json" <<'EOF'
[{"tag":"K-0000001-L","event_date":"2026-12-05","event_place":"Salle des fêtes, Bobigny"},
 {"tag":"K-0000002-J"}]
EOF
cat > "$T/L.json" <<'EOF'
[{"tag":"L-0000001-O","name":"Entrepôt Bobigny","commune":"Bobigny","address":"12 rue de la Liberté"},
 {"tag":"L-0000002-M","name":"Point de distribution Saint-Denis","commune":"Saint-Denis"}]
EOF
cat > "$T/B.json" <<'EOF'
[{"tag":"B-0000001-V","first_name":"Éloïse","event_date":"2026-12-05","event_place":"Salle des fêtes, 1 place de la Mairie, Bobigny"},
 {"tag":"B-0000002-T","event_date":"2026-12-05","event_place":"Bobigny"}]
EOF
# The check character, ISO/IEC 7064 MOD 37,36 (as shared/tag.c).
tag_check() {
	local s=$1 a=36 i c v alpha=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}; v=${alpha%%"$c"*}; v=${#v}
		a=$(( ((a + v) % 36 == 0 ? 36 : (a + v) % 36) * 2 % 37 ))
	done
	v=$(( (37 - a) % 36 ))
	echo "${alpha:v:1}"
}
{
	echo '['
	for i in $(seq 1 25); do
		case $((i % 4)) in
		0) l=S; extra='"operator":"Bouygues","msisdn":"07 00 00 00 00"' ;;
		1) l=D; extra='"kind":"laptop","brand":"HP","model":"EliteBook 840","ram_gb":16,"storage_gb":512,"grade":"A"' ;;
		2) l=K; extra='"event_date":"2026-12-05"' ;;
		3) l=L; extra='"name":"Étagère '$i'","commune":"Bobigny"' ;;
		esac
		seq7=$(printf '%07d' $((1000 + i)))
		printf '%s{"tag":"%s-%s-%s",%s}\n' "$([ "$i" -gt 1 ] && echo ,)" \
		    "$l" "$seq7" "$(tag_check "$l$seq7")" "$extra"
	done
	echo ']'
} > "$T/sheet.json"   # 25 mixed tags: two pages, the second with 4
is "$(tag_check D0000123)" H "the test's check characters are the tags' (D-0000123-H)"

tags() { jq -r '.[].tag' "$1" | tr '\n' ' ' | sed 's/ $//'; }

# A label template: a PDF page per label, each decoded at 300 and 203 dpi.
label_pdf() {
	local tpl=$1 recs=$2 want got pages p dpi
	"$LABEL_RENDER" "$SRCDIR/labels/$tpl.tpl" pdf "$recs" "$T/$tpl.pdf" 2>"$T/err"
	is "$?:$(cat "$T/err")" 0: "$tpl: PDF rendered"
	pages=$(pdfinfo "$T/$tpl.pdf" | sed -n 's/^Pages: *//p')
	is "$pages" "$(jq length "$recs")" "$tpl: one page per label"
	for dpi in 300 203; do
		got=
		for p in $(seq 1 "$pages"); do
			pdftoppm -r $dpi -f "$p" -l "$p" -gray -singlefile \
			    "$T/$tpl.pdf" "$T/page"
			got="$got${got:+ }$(decode "$T/page.pgm")"
		done
		is "$got" "$(tags "$recs")" "$tpl: PDF at $dpi dpi decodes to the tags, page by page"
	done
	want=$(tags "$recs")
	got=$(pdftotext "$T/$tpl.pdf" - | grep -oE '[A-Z]-[0-9]{7}-[0-9A-Z]' | tr '\n' ' ' | sed 's/ $//')
	is "$got" "$want" "$tpl: the text layer names each tag"
}

# One label as PNG at 300 and 203 dpi, decoded directly.
label_png() {
	local tpl=$1 recs=$2 dpi
	jq '[.[0]]' "$recs" > "$T/one.json"
	for dpi in 300 203; do
		"$LABEL_RENDER" -d $dpi "$SRCDIR/labels/$tpl.tpl" png "$T/one.json" "$T/$tpl.png"
		is "$(decode "$T/$tpl.png")" "$(jq -r '.[0].tag' "$recs")" "$tpl: PNG at $dpi dpi decodes"
	done
}

# Every label as ZPL, rendered by zebrash at 8 and 12 dots/mm, decoded.
label_zpl() {
	local tpl=$1 recs=$2 w h dpi dpmm got i
	w=$(sed -n 's/^size *\([0-9.]*\) .*/\1/p' "$SRCDIR/labels/$tpl.tpl")
	h=$(sed -n 's/^size *[0-9.]* *\([0-9.]*\).*/\1/p' "$SRCDIR/labels/$tpl.tpl")
	for dpi in 203 300 600; do
		dpmm=$((dpi == 203 ? 8 : dpi == 300 ? 12 : 24))
		rm -f "$T"/zpl-*.png
		"$LABEL_RENDER" -d $dpi "$SRCDIR/labels/$tpl.tpl" zpl "$recs" "$T/$tpl.zpl"
		node $NODE_FLAGS "$SRCDIR/tests/labels/zplrender.cjs" "$T/$tpl.zpl" \
		    "$T/zpl" "$w" "$h" $dpmm 2>"$T/err"
		got=
		for i in $(seq 1 "$(jq length "$recs")"); do
			got="$got${got:+ }$(decode "$T/zpl-$i.png")"
		done
		is "$got" "$(tags "$recs")" "$tpl: ZPL at $dpi dpi, rendered by zebrash, decodes to the tags"
	done
}

NODE_FLAGS=
[ "$(node -p 'process.versions.node.split(".")[0]')" -lt 19 ] &&
    NODE_FLAGS=--experimental-global-webcrypto

for t in device:D sim:S kit:K location:L convocation:B; do
	label_pdf "${t%:*}" "$T/${t#*:}.json"
	label_png "${t%:*}" "$T/${t#*:}.json"
	label_zpl "${t%:*}" "$T/${t#*:}.json"
done

# The fields are printed: a few words of the records, from the PDFs.
like_text() {
	if pdftotext "$1" - | tr '\n' ' ' | grep -q -- "$2"; then ok "$3"
	else nok "$3" "'$2' not in $(pdftotext "$1" - | tr '\n' ' ')"; fi
}
like_text "$T/device.pdf" "laptop Lenovo ThinkPad T480" "device: kind, brand and model"
like_text "$T/device.pdf" "8 Go · 256 Go" "device: memory and storage"
like_text "$T/device.pdf" "Garantie jusqu'au 30/06/2027" "device: the warranty date, French style"
like_text "$T/device.pdf" "A52 ^FS~JA_x" "device: ZPL's special characters are plain text"
like_text "$T/convocation.pdf" "Bonjour Éloïse," "convocation: the first name"
like_text "$T/convocation.pdf" "le 05/12/2026" "convocation: the date"
like_text "$T/sim.pdf" "06 12 34 56 78" "sim: the number"

# The A4 sheet: two pages; each of the 21 cells cropped and decoded alone.
"$LABEL_RENDER" "$SRCDIR/labels/a4-l7160.tpl" pdf "$T/sheet.json" "$T/sheet.pdf"
is "$(pdfinfo "$T/sheet.pdf" | sed -n 's/^Pages: *//p')" 2 "sheet: 25 labels on 2 pages"
is "$(pdfinfo "$T/sheet.pdf" | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\).*/\1/p')" \
    "595.276 x 841.89" "sheet: A4"
for dpi in 300 203; do
	got=
	for page in 1 2; do
		for cell in $(seq 0 20); do
			read -r x y w h <<-EOF
			$(awk -v c=$cell -v r=$dpi 'BEGIN { printf "%d %d %d %d\n",
			    (7.21 + (c % 3) * 66.04) * r / 25.4,
			    (15.15 + int(c / 3) * 38.1) * r / 25.4,
			    63.5 * r / 25.4, 38.1 * r / 25.4 }')
			EOF
			pdftoppm -r $dpi -f $page -l $page -x "$x" -y "$y" -W "$w" -H "$h" \
			    -gray -singlefile "$T/sheet.pdf" "$T/cell"
			d=$(decode "$T/cell.pgm")
			got="$got${got:+ }${d:--}"
		done
	done
	want="$(tags "$T/sheet.json") $(printf -- '- %.0s' $(seq 1 17) | sed 's/ $//')"
	is "$got" "$want" "sheet at $dpi dpi: every cell holds its tag, in order, on both pages; empty cells none"
done

# Same input, same bytes.
"$LABEL_RENDER" "$SRCDIR/labels/a4-l7160.tpl" pdf "$T/sheet.json" "$T/sheet2.pdf"
cmp -s "$T/sheet.pdf" "$T/sheet2.pdf"
is "$?" 0 "the same PDF twice, byte for byte"

# Refusals: a sheet is not for a label printer; a QR box too small at 203 dpi.
"$LABEL_RENDER" -d 203 "$SRCDIR/labels/a4-l7160.tpl" zpl "$T/sheet.json" "$T/no.zpl" 2>"$T/err"
is "$?:$([ -e "$T/no.zpl" ] && echo file)" "1:" "a sheet template gives no ZPL"
sed -e 's/^qr .*/qr 2 2 6/' "$SRCDIR/labels/device.tpl" > "$T/tiny.tpl"
"$LABEL_RENDER" -d 300 "$T/tiny.tpl" zpl "$T/D.json" "$T/tiny300.zpl"
is "$?" 0 "a 6 mm QR box prints at 300 dpi"
"$LABEL_RENDER" -d 203 "$T/tiny.tpl" zpl "$T/D.json" "$T/tiny203.zpl" 2>"$T/err"
is "$?:$([ -e "$T/tiny203.zpl" ] && echo file)" "1:" "but is refused at 203 dpi: nothing rendered"
if grep -q "1 dot(s) per module at 203 dpi" "$T/err"; then ok "the refusal says why"
else nok "the refusal says why" "$(cat "$T/err")"; fi

echo "1..$n"
[ "$failed" -eq 0 ]
