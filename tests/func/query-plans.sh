#!/bin/bash
# Every statement the daemon prepares starts from an index: with
# KITSTOCKD_EXPLAIN=FILE, kitstockd appends the query plan of each
# distinct statement the first time it prepares it (store-explain.c).
# The main write paths (receiving, import, scans in every mode, picking,
# checkout, top-ups, repairs, the path) run on a small database; then
# 20,000 rows go into each large table with sqlite3 and every GET route
# of route.c is asked, lists with each filter they take and a page deep
# in the list. No plan may SCAN a large table (nor build an automatic
# index or a Bloom filter over one), and no list that pages over one may
# sort it in a temporary B-tree.
#
# Statistics: kitstockd never runs ANALYZE (nor PRAGMA optimize, which
# would: with sqlite_stat1 the planner drove paged lists from the small
# tables they join and sorted every match, see README), so the plans
# checked are those of a database without statistics, which do not depend
# on its size; the 20,000 rows are there for the answers (and for anyone
# who runs ANALYZE by hand to compare).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
M=${SRCDIR:-.}/tests/data/manifests
O=${SRCDIR:-.}/tests/data/offers
N=20000

# Tables that grow with the programme's activity: a scan of one is a
# finding. The others are bounded by nature and may be scanned:
#   programme, territory, commune: reference data of one département;
#   supplier, location, lot, accessory, accessory_stock, prescriber,
#   printer, print_on_receive, token, station, scanner: set up by hand,
#     tens to a few thousands of rows;
#   distribution: one event a day at most per place;
#   place, offer: the territory's places of digital mediation;
#   stock_count: one row per kind, state, location, lot and grade;
#   report_*: the tallies (store-tally.c, the lead's).
LARGE=" device device_imei sim sim_secret beneficiary beneficiary_identity
 diagnostic orientation certification followup kit kit_plan kit_unit
 kit_accessory convocation handover topup repair ledger expected_unit
 tag_reservation print_job scan audit audit_seen need_open followup_slot
 connection_open "

# Statements that read a whole large table on purpose, with the reason.
# Each is matched by a part of its text (grep -F).
ALLOWED=(
	# GET /v1/check: the consistency check recounts stock by design.
	"WITH fresh AS (SELECT kind, state, coalesce(location_id, 0)"
	# The evaluation export is one row per person: everyone, once, in id
	# order, each first step one seek (no sort; the prescriber's export
	# reads its people by index).
	"LEFT JOIN followup f6 ON f6.beneficiary_id = b.id AND f6.month = 6 ORDER BY b.id"
	# The top-ups due of a territory, soonest first: a page sorts the
	# territory's connections kept short of the months (its activations
	# by index), keeping only the page's rows. Those of all territories
	# are read in order from connection_open's index of due days.
	"AS target_until FROM topup t INDEXED BY topup_connection CROSS JOIN connection_open o"
	# One person's orientations or certifications: the sort is of a few.
	"FROM orientation_v WHERE id > ?1 AND beneficiary = ?2"
	"FROM certification_v WHERE id > ?1 AND beneficiary = ?2"
	# GET /v1/check also recounts the tallies, the open needs and the
	# connections short of their months from the tables, by design.
	"HAVING sum(x.counted) <> sum(x.kept) LIMIT 100"
	"WITH fresh AS (SELECT d.device_need AS kind, count(*) AS n"
	"WITH fresh AS ( SELECT t.id, m.paid_until AS due_on FROM topup t JOIN handover h"
)

# Findings not fixed yet, reported (TAP TODO: shown, not failing).
KNOWN=(
)

station_conf 0
export KITSTOCKD_EXPLAIN=$T/plans-write
start_daemon -c "$T/station.conf"
kit_setup

# Receiving: a manifest, a unit received by hand, by scan, a blank tag.
ks lot import "$M/delivery-note-DN-7781.csv" --supplier "$F"; RL=$out
is "$rc" 0 "a manifest imported"
api POST "/v1/lots/$RL/receive" '{"codes":["PF2T14G1A"]}'
is "$status" 201 "a unit received from its manifest"
ks station add quai --location "$W" --mode receive
api POST /v1/labels/blank '{"type":"device","count":1}'; PRE=$(jget '.tags[0]')
scan quai "$PRE"
scan quai 354567109876540
is "$verdict" ok "receive scans: a blank tag then a serial"

# Putaway, pick, return, audit stations.
ks station add rayon --location "$W" --mode putaway
scan rayon "$X"; scan rayon TAB0001
is "$verdict" ok "putaway scans"
scan rayon "$W"; scan rayon TAB0001
api POST /v1/kits "{\"beneficiary\":\"$B2\",\"location\":\"$W\",\"devices\":[\"laptop\"],\"sims\":1,\"accessories\":[\"$A2\"],\"at\":\"2025-03-20\"}"; K2=$(jget .tag)
ks station add picking --location "$W" --mode pick
scan picking "$K2"; scan picking "$D2"; scan picking "$S2"
is "$verdict" ok "pick scans"
api POST "/v1/kits/$K2/unpick" "{\"items\":[\"$S2\"]}"
is "$status" 200 "a unit taken out of a kit"
ks station add inventaire --location "$W" --mode audit
scan inventaire "$W"; scan inventaire TAB0001; scan inventaire "$W"
is "$status" 200 "audit scans"

# A kit picked, ready and handed over at a distribution today, by scan.
kit_ready "$B1"
event_today "$B1"
api POST /v1/stations "{\"name\":\"caisse\",\"location\":\"$P\",\"mode\":\"checkout\",\"distribution\":\"$E\"}"
scan caisse "$B1"; scan caisse "$K"
is "$verdict" ok "checkout scans"
api POST /v1/topups "{\"sim\":\"$S1\",\"amount\":\"30\",\"paid_until\":\"2099-01-01\"}"
is "$status" 201 "a top-up"
api POST /v1/repairs "{\"device\":\"$D1\",\"reason\":\"ne démarre plus\",\"partner\":\"$X\"}"
is "$status" 201 "a repair opened"
api GET /v1/repairs; RP=$(jget '.items[0].id')
api POST "/v1/repairs/$RP/close" '{"outcome":"repaired"}'
is "$status" 200 "a repair closed"
ks station add retour --location "$W" --mode return
scan retour "$K"; scan retour "$D1"
api POST "/v1/kits/$K/return" "{\"reason\":\"déménage\",\"location\":\"$W\"}"
api POST "/v1/devices/$D1/erasure" '{"method":"nwipe","by":"Entrepôt"}'
api POST "/v1/devices/$D3/state" '{"to":"lost","reason":"introuvable"}'
api POST /v1/moves "{\"items\":[\"$D2\"],\"to\":\"$X\"}"
api POST "/v1/accessories/$A1/moves" "{\"to\":\"$P\",\"count\":1}"
api POST "/v1/accessories/$A1/adjust" "{\"location\":\"$W\",\"count\":3,\"reason\":\"inventaire\"}"

# The beneficiary path: offers, orientation, certification, follow-up.
ks offers import "$O/lieux-93.csv"
is "$rc" 0 "offers imported"
api POST /v1/offers '{"name":"Premiers pas","provider":"Emmaüs Connect","kind":"initiation","commune":"93066"}'; OF=$(jget .tag)
api POST /v1/orientations "{\"beneficiary\":\"$B2\",\"offer\":\"$OF\",\"at\":\"2025-04-01\"}"
is "$status" 201 "an orientation"
api POST /v1/certifications "{\"beneficiary\":\"$B2\",\"kind\":\"pix\",\"result\":\"passed\",\"score\":312,\"at\":\"2025-05-10\"}"
api POST /v1/followups "{\"beneficiary\":\"$B1\",\"month\":3}"
api PATCH "/v1/beneficiaries/$B2" '{"category":"rsa_training","reason":"erreur"}'
api GET "/v1/beneficiaries/$B1/identity"
api GET "/v1/beneficiaries/$B1/export"
ks token add ml --role prescriber --prescriber "$PR" --expires 2099-12-31
api POST /v1/beneficiaries/purge-due '{}'
stop_daemon
devices=$(sql 'SELECT count(*) FROM device')

# 20,000 rows in each large table, as a national programme would have.
sqlite3 -batch "$DB" <<EOF >/dev/null
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
INSERT INTO n SELECT i FROM c;
INSERT INTO device (id, tag, kind, brand, serial, lot_id, state, location_id,
    created_at) SELECT 100000 + i, printf('D-%07d-X', 100000 + i),
    CASE i % 3 WHEN 0 THEN 'laptop' WHEN 1 THEN 'desktop' ELSE 'tablet' END,
    'Lenovo', printf('BULK%06d', i), 1, CASE WHEN i % 10 < 6 THEN
    'handed_over' ELSE 'in_stock' END, 1 + i % 3, '2025-01-01T00:00:00Z'
    FROM n;
INSERT INTO device_imei SELECT printf('35%013d', i), 100000 + i, 1 FROM n;
INSERT INTO sim (id, tag, iccid, operator, lot_id, state, location_id,
    paid_until, created_at) SELECT 100000 + i, printf('S-%07d-X', 100000 + i),
    printf('8933%015d', i), 'Orange', 1, CASE WHEN i % 10 < 6 THEN 'active'
    ELSE 'in_stock' END, 1 + i % 3, date('2025-06-01', printf('+%d days',
    i % 365)), '2025-01-01T00:00:00Z' FROM n;
INSERT INTO beneficiary (id, tag, commune, territory, category, prescriber_id,
    referred_on, consent_on, created_at) SELECT 100000 + i,
    printf('B-%07d-X', 100000 + i), '93066', 'T6', 'mission_locale', 1,
    date('2024-01-01', printf('+%d days', i % 500)), '2024-01-01',
    '2024-01-01T00:00:00Z' FROM n;
INSERT INTO diagnostic (beneficiary_id, diagnosed_on, adviser, device_need,
    connection_need, autonomy, created_at) SELECT 100000 + i,
    date('2024-02-01', printf('+%d days', i % 500)), 'CNFS', 'laptop', 'sim',
    2, '2024-02-01T00:00:00Z' FROM n;
INSERT INTO kit (id, tag, beneficiary_id, location_id, state, allocated_at,
    ready_at, created_at) SELECT 100000 + i, printf('K-%07d-X', 100000 + i),
    100000 + i, 1, 'handed_over', '2024-03-01T00:00:00Z',
    '2024-03-02T00:00:00Z', '2024-03-01T00:00:00Z' FROM n;
INSERT INTO kit_unit (kit_id, device_id, added_at) SELECT 100000 + i,
    100000 + i, '2024-03-01T00:00:00Z' FROM n;
INSERT INTO kit_unit (kit_id, sim_id, added_at) SELECT 100000 + i,
    100000 + i, '2024-03-01T00:00:00Z' FROM n;
INSERT INTO kit_plan (kit_id, kind, count) SELECT 100000 + i, 'laptop', 1
    FROM n;
INSERT INTO convocation (distribution_id, beneficiary_id, convoked_at,
    outcome) SELECT 1, 100000 + i, '2024-03-01T00:00:00Z', 'handed_over'
    FROM n;
INSERT INTO handover (id, kit_id, beneficiary_id, distribution_id, place_id,
    at, contribution_cents, actor, recorded_at) SELECT 100000 + i, 100000 + i,
    100000 + i, 1, 2, date('2024-03-05', printf('+%d days', i % 500))
    || 'T10:00:00Z', 0, 'bulk', '2024-03-05T10:00:00Z' FROM n;
INSERT INTO topup (sim_id, handover_id, kind, on_date, amount_cents,
    paid_until, actor, recorded_at) SELECT 100000 + i, 100000 + i,
    'activation', '2024-03-05', 1000, date('2024-03-05', printf('+%d days',
    30 + i % 400)), 'bulk', '2024-03-05T10:00:00Z' FROM n;
INSERT INTO followup (beneficiary_id, month, followed_on, due_on, basis,
    created_at) SELECT 100000 + i, 3, '2024-06-05', '2024-06-05',
    'handed_over', '2024-06-05T00:00:00Z' FROM n;
INSERT INTO orientation (beneficiary_id, offer_id, oriented_on, created_at)
    SELECT 100000 + i, 1, '2024-04-01', '2024-04-01T00:00:00Z' FROM n;
INSERT INTO certification (beneficiary_id, kind, certified_on, result,
    created_at) SELECT 100000 + i, 'pix', '2024-05-01', 'passed',
    '2024-05-01T00:00:00Z' FROM n;
INSERT INTO repair (device_id, kit_id, beneficiary_id, partner_id, reason,
    under_warranty, opened_at, closed_at, outcome) SELECT 100000 + i,
    100000 + i, 100000 + i, 3, 'écran', 0, '2024-07-01T00:00:00Z',
    '2024-07-02T00:00:00Z', 'repaired' FROM n;
INSERT INTO ledger (at, recorded_at, actor, station, entity, action, to_value)
    SELECT '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 'bulk', 'api',
    printf('%s-%07d-X', substr('DSBK', 1 + i % 4, 1), 100000 + i / 4),
    'create', 'received' FROM n, (SELECT 1 UNION ALL SELECT 2) ;
INSERT INTO scan (scan_id, station_id, code, mode, source, made_at, made_ms,
    recorded_at, verdict, item, message, verdict_json) SELECT
    printf('bulk-%d', i), 1, printf('BULK%06d', i), 'receive', 'api',
    '2024-01-01T00:00:00Z', i, '2024-01-01T00:00:00Z', 'refused', NULL,
    'x', '{}' FROM n;
INSERT INTO expected_unit (lot_id, import_no, line, kind, serial, status,
    imported_at) SELECT $(sql "SELECT id FROM lot WHERE tag='$RL'"), 99, i,
    'laptop', printf('EXP%06d', i), 'expected', '2024-01-01T00:00:00Z' FROM n;
INSERT INTO tag_reservation (tag, letter, seq, reserved_at) SELECT
    printf('D-%07d-Y', 200000 + i), 'D', 200000 + i, '2024-01-01T00:00:00Z'
    FROM n;
-- The rows bypassed the daemon: no tallies to settle (not checked here).
DELETE FROM report_dirty;
COMMIT;
EOF
is "$(sql 'SELECT count(*) FROM device')" $((devices + N)) "$N devices more"
is "$(sql "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")" 0 \
    "kitstockd wrote no planner statistics"

# Every GET route, each list with each of its filters.
D4=$(mktag D 110000); B4=$(mktag B 110000); S4=$(mktag S 110000)
K4=$(mktag K 110000)
sql "UPDATE device SET tag = '$D4' WHERE id = 110000;
    UPDATE beneficiary SET tag = '$B4' WHERE id = 110000;
    UPDATE sim SET tag = '$S4' WHERE id = 110000;
    UPDATE kit SET tag = '$K4' WHERE id = 110000"
PL=$(sql "SELECT id FROM place LIMIT 1")
get_all() {
	local u n=0 bad=0 FN="2024-06-05/$B4/3"
	for u in /v1/health /v1/programme /v1/communes "/v1/communes?territory=T6" \
	    /v1/suppliers "/v1/suppliers?ess=none&local=1" "/v1/suppliers/$F" \
	    /v1/locations "/v1/locations?kind=warehouse" "/v1/locations?commune=93008" \
	    "/v1/locations?territory=T6" "/v1/locations/$W" \
	    /v1/lots "/v1/lots?supplier=$F" "/v1/lots/$R" "/v1/lots/$RL/reconcile" \
	    /v1/devices "/v1/devices?limit=50&after=$D4" \
	    "/v1/devices?state=in_stock&limit=50&after=$D4" "/v1/devices?kind=laptop" \
	    "/v1/devices?location=$W" "/v1/devices?lot=$R" "/v1/devices?supplier=$F" \
	    "/v1/devices?territory=T6" "/v1/devices?grade=A" "/v1/devices?brand=Lenovo" \
	    "/v1/devices?model=T480" "/v1/devices?state=in_stock&kind=laptop&location=$W" \
	    "/v1/devices/$D1" "/v1/devices/$D4" \
	    /v1/sims "/v1/sims?limit=50&after=$S4" "/v1/sims?state=active" \
	    "/v1/sims?operator=Orange" "/v1/sims?location=$W" "/v1/sims?lot=$R" \
	    "/v1/sims?supplier=$F" "/v1/sims?territory=T6" "/v1/sims/$S1" \
	    /v1/accessories "/v1/accessories?name=Souris" "/v1/accessories/$A1" \
	    /v1/prescribers "/v1/prescribers?kind=mission_locale" \
	    "/v1/prescribers?territory=T6" "/v1/prescribers/$PR" \
	    /v1/beneficiaries "/v1/beneficiaries?limit=50&after=$B4" \
	    "/v1/beneficiaries?category=mission_locale" "/v1/beneficiaries?territory=T6" \
	    "/v1/beneficiaries?prescriber=$PR" "/v1/beneficiaries?commune=93066" \
	    "/v1/beneficiaries/$B1" "/v1/beneficiaries/$B4" \
	    /v1/diagnostics "/v1/diagnostics?limit=50&after=110000" \
	    "/v1/diagnostics?territory=T6" "/v1/diagnostics?prescriber=$PR" \
	    "/v1/diagnostics?device_need=laptop" "/v1/diagnostics/$B1" \
	    /v1/offers "/v1/offers?kind=initiation" "/v1/offers?commune=93066" \
	    "/v1/offers?territory=T6" "/v1/offers?provider=x" "/v1/offers?service=x" \
	    "/v1/offers?place=$PL" "/v1/offers/$OF" \
	    /v1/places "/v1/places?commune=93066" "/v1/places?territory=T6" \
	    "/v1/places/$PL" "/v1/beneficiaries/$B2/offers" \
	    "/v1/beneficiaries/$B2/offers?territory=T6" \
	    /v1/orientations/dropouts /v1/orientations "/v1/orientations?limit=50&after=1000" \
	    "/v1/orientations?beneficiary=$B2" "/v1/orientations?offer=$OF" \
	    "/v1/orientations?territory=T6" "/v1/orientations?prescriber=$PR" \
	    "/v1/orientations?offer_kind=initiation" "/v1/orientations?funding=cpf" \
	    "/v1/orientations?attended=true" "/v1/orientations?completed=false" \
	    /v1/orientations/1 \
	    /v1/certifications "/v1/certifications?limit=50&after=1000" \
	    "/v1/certifications?beneficiary=$B2" "/v1/certifications?territory=T6" \
	    "/v1/certifications?prescriber=$PR" "/v1/certifications?kind=pix" \
	    "/v1/certifications?result=passed" /v1/certifications/1 \
	    /v1/followups "/v1/followups?limit=50&after=$FN" \
	    "/v1/followups?beneficiary=$B1" "/v1/followups?due=2025-01-01" \
	    "/v1/followups?overdue=true" "/v1/followups?state=pending" "/v1/followups?state=done" \
	    "/v1/followups?territory=T6" /v1/followups/1 \
	    "/v1/followups?state=overdue" "/v1/followups?prescriber=$PR" \
	    "/v1/followups?territory=T6&due=2025-01-01&limit=50&after=$FN" \
	    "/v1/followups?territory=T6&limit=50&after=$FN" \
	    "/v1/followups?prescriber=$PR&overdue=true&limit=50&after=$FN" \
	    "/v1/followups?beneficiary=$B4&limit=1&after=$FN" \
	    "/v1/followups?state=done&limit=50&after=$FN" \
	    /v1/kits "/v1/kits?limit=50&after=$K4" "/v1/kits?state=ready" \
	    "/v1/kits?beneficiary=$B1" "/v1/kits?location=$W" "/v1/kits?distribution=$E" \
	    "/v1/kits/$K" "/v1/kits/$K/receipt" "/v1/kits/$K/contribution-receipt" \
	    /v1/distributions "/v1/distributions?state=open" "/v1/distributions?place=$P" \
	    "/v1/distributions?territory=T6" "/v1/distributions?held_on=$TODAY" \
	    "/v1/distributions/$E" \
	    /v1/topups "/v1/topups?sim=$S1" "/v1/topups?beneficiary=$B1" \
	    /v1/topups/due "/v1/topups/due?before=2025-01-01" "/v1/topups/due?territory=T6" \
	    "/v1/topups?limit=50&after=10000" "/v1/topups?sim=$S4" \
	    "/v1/topups?beneficiary=$B4&limit=1" "/v1/topups?sim=$S4&beneficiary=$B4" \
	    /v1/connections "/v1/connections?beneficiary=$B1" \
	    "/v1/connections?limit=50&after=10000" "/v1/connections?territory=T6" \
	    "/v1/connections?territory=T6&limit=50&after=10000" \
	    "/v1/connections?beneficiary=$B4&territory=T6" \
	    /v1/repairs "/v1/repairs?state=open" "/v1/repairs?state=closed" \
	    "/v1/repairs?limit=50&after=1000" "/v1/repairs/$RP" \
	    "/v1/items/$D1" "/v1/items/$D4" /v1/items/PF0KIT2 /v1/items/BULK010000 \
	    /v1/items/35000000000010000 /v1/items/893300000000000010000 \
	    /v1/items/0612345678 \
	    "/v1/history/$D1" "/v1/history/$B1" "/v1/history/$D4" "/v1/history/$B4" \
	    /v1/stock "/v1/stock?by=kind,state" "/v1/stock?by=territory,kind" \
	    "/v1/stock?by=location,supplier,grade" \
	    /v1/check /v1/tokens "/v1/labels?tags=$D1,$S1&format=zpl" /v1/labels/templates \
	    /v1/printers /v1/print/1 \
	    /v1/stations /v1/stations/caisse "/v1/stations/caisse?format=text" \
	    /v1/labels/commands /v1/scanners /v1/labels/calibration /v1/routes \
	    /v1/indicators "/v1/indicators?territory=T6&from=2024-01-01&to=2025-12-31" \
	    /v1/alerts /v1/exports/evaluation /v1/exports/indicators \
	    "/v1/exports/prescriber?prescriber=$PR" /v1/exports/stock /v1/exports/sims \
	    /v1/exports/warranties /v1/exports/repairs /v1/exports/followups \
	    "/v1/exports/followups?days=30" /dashboard; do
		api GET "$u"
		n=$((n + 1))
		case $status in
		2??|404|409) ;;
		*) bad=$((bad + 1)); echo "# GET $u: $status $(printf '%s' "$body" | head -c 200)";;
		esac
	done
	is "$bad" 0 "$n GET routes answered"
}
export KITSTOCKD_EXPLAIN=$T/plans-read
start_daemon -c "$T/station.conf"
get_all
unset KITSTOCKD_EXPLAIN

# The check itself can fail: a plan file with a scan of a large table.
printf 'sql\tSELECT * FROM device\nplan\t0\tdevice\tSCAN device\n' > "$T/plans-canary"

# findings FILE...: each statement whose plan reads a large table whole,
# once, with the offending plan lines.
findings() {
	awk -F '\t' -v large="$LARGE" '
	function flush() {
		if (sql != "" && bad != "" && !(sql in seen)) {
			seen[sql] = 1
			print "FINDING\t" sql "\t" bad
		}
		sql = ""; bad = ""; big = 0; sort = 0; limit = 0
	}
	function islarge(t,   n, i, a) {
		n = split(t, a, "|")
		for (i = 1; i <= n; i++)
			if (index(large, " " a[i] " ") > 0)
				return 1
		return 0
	}
	# A list that pages binds its LIMIT: LIMIT ?n.
	$1 == "sql" { flush(); sql = substr($0, 5); limit = sql ~ /LIMIT \?/; next }
	$1 == "plan" {
		if (islarge($3)) {
			if ($2 == 0)
				big = 1
			if ($4 ~ /^SCAN / || $4 ~ /AUTOMATIC/ || $4 ~ /^BLOOM FILTER/)
				bad = bad " [" $4 "]"
		}
		if ($4 ~ /USE TEMP B-TREE FOR ORDER BY/ && $2 == 0 && limit && big)
			bad = bad " [" $4 " in a paged list]"
	}
	END { flush() }' "$@"
}
like "$(findings "$T/plans-canary")" 'FINDING.*SCAN device' "the check finds a scan of a large table"

for f in write read; do
	[ -s "$T/plans-$f" ]
	is "$?" 0 "plans-$f: plans were written"
done
is "$(grep -c '^sql' "$T/plans-write" | awk '{print ($1 > 150)}')" 1 \
    "the write paths prepared many statements"
findings "$T/plans-write" "$T/plans-read" > "$T/findings"
for a in "${ALLOWED[@]}"; do
	grep -vF -- "$a" "$T/findings" > "$T/f2"; mv "$T/f2" "$T/findings"
done
n=0
while IFS=$'\t' read -r _ s plan; do
	why=
	for k in "${KNOWN[@]}"; do
		case $s in *"${k#*|}"*) why=${k%%|*}; break;; esac
	done
	if [ -n "$why" ]; then
		tap_n=$((tap_n + 1))
		echo "not ok $tap_n - reads a large table whole # TODO $why"
		echo "#   $s"; echo "#   $plan"
		continue
	fi
	n=$((n + 1))
	fail "statement $n reads a large table whole" "$s" "$plan"
done < "$T/findings"
is "$n" 0 "no other statement scans a large table"
cp "$T"/plans-* "${PLANS_KEEP:-/nonexistent}" 2>/dev/null
done_testing
