#!/bin/bash
# The follow-up schedule is kept in followup_slot (migration 21) as the
# data changes, and read a page at a time through an index. The slots
# stay equal to the schedule computed over everyone diagnosed (the
# statement GET /v1/followups ran before, kept here) after each change
# that moves one: a diagnostic added, changed, deleted; a hand-over done,
# then cancelled; an orientation added, moved, deleted; a follow-up
# recorded, removed; a person's territory or prescriber changed; an
# identity erased; a person deleted. The answers of GET /v1/followups,
# with each filter and a page at a time, are those of the old statement.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-path"
start_daemon
kit_setup
api POST /v1/offers '{"name":"Premiers pas numériques","provider":"Emmaüs Connect","kind":"initiation","commune":"93066"}'
O=$(jget .tag)

# The schedule as GET /v1/followups computed it over everyone diagnosed.
OLD_BASE="WITH base AS (SELECT b.id, b.tag, b.territory,
    b.prescriber_id, p.tag AS prescriber, d.diagnosed_on,
    (SELECT substr(min(h.at), 1, 10) FROM handover h
    WHERE h.beneficiary_id = b.id AND h.cancelled_at IS NULL)
    AS handed_over_on, (SELECT min(o.oriented_on) FROM orientation o
    WHERE o.beneficiary_id = b.id) AS oriented_on
    FROM diagnostic d JOIN beneficiary b ON b.id = d.beneficiary_id
    JOIN prescriber p ON p.id = b.prescriber_id),
    sched AS (SELECT base.*, m.month, CASE WHEN handed_over_on
    IS NOT NULL THEN 'handed_over' WHEN oriented_on IS NOT NULL
    THEN 'orientation' ELSE 'diagnostic' END AS basis,
    date(coalesce(handed_over_on, oriented_on, diagnosed_on),
    '+' || m.month || ' months') AS due_on FROM base,
    (SELECT 3 AS month UNION ALL SELECT 6) m)"

# same_slots WHEN: the slots kept equal the schedule computed.
same_slots() {
	local old kept
	old=$(sql "$OLD_BASE SELECT s.id, s.month,
	    coalesce(f.due_on, s.due_on), coalesce(f.basis, s.basis),
	    s.territory, s.prescriber_id, f.id FROM sched s
	    LEFT JOIN followup f ON f.beneficiary_id = s.id
	    AND f.month = s.month ORDER BY 1, 2")
	kept=$(sql "SELECT beneficiary_id, month, due_on, basis, territory,
	    prescriber_id, followup_id FROM followup_slot ORDER BY 1, 2")
	if [ -n "$old" ] && [ "$old" = "$kept" ]; then
		pass "slots equal the schedule computed: $1"
	else
		fail "slots equal the schedule computed: $1" "$old" "$kept"
	fi
}

# q VALUE: an SQL literal, NULL when empty.
q() { if [ -z "$1" ]; then echo NULL; else echo "'$1'"; fi; }

# old_list QUERY: the answer of the old statement to the filters of QUERY
# (beneficiary, territory, prescriber, due, overdue, state), one
# "tag:month:due:basis:state:followup:followed_on" a line.
old_list() {
	local ben= ter= pre= due= ovd=0 st= kv
	local IFS='&'
	for kv in $1; do
		case $kv in
		beneficiary=*) ben=${kv#*=};; territory=*) ter=${kv#*=};;
		prescriber=*) pre=${kv#*=};; due=*) due=${kv#*=};;
		overdue=true) ovd=1;; state=*) st=${kv#*=};;
		esac
	done
	sql "$OLD_BASE, slot AS (SELECT s.id, s.tag AS beneficiary,
	    s.territory, s.prescriber, s.month, coalesce(f.basis, s.basis)
	    AS basis, coalesce(f.due_on, s.due_on) AS due_on, f.id AS followup,
	    f.followed_on, CASE WHEN f.id IS NOT NULL THEN 'done'
	    WHEN s.due_on < '$today' THEN 'overdue' ELSE 'pending' END AS state
	    FROM sched s LEFT JOIN followup f ON f.beneficiary_id = s.id
	    AND f.month = s.month)
	    SELECT beneficiary || ':' || month || ':' || due_on || ':' ||
	    basis || ':' || state || ':' || coalesce(followup, 'null') || ':' ||
	    coalesce(followed_on, 'null') FROM slot
	    WHERE ($(q "$ben") IS NULL OR beneficiary = $(q "$ben"))
	    AND ($(q "$ter") IS NULL OR territory = $(q "$ter"))
	    AND ($(q "$pre") IS NULL OR prescriber = $(q "$pre"))
	    AND ($(q "$due") IS NULL OR (state <> 'done' AND due_on <= $(q "$due")))
	    AND ($ovd = 0 OR state = 'overdue')
	    AND ($(q "$st") IS NULL OR state = $(q "$st"))
	    ORDER BY due_on, id, month"
}

ROW='.items[] | "\(.beneficiary):\(.month):\(.due_on):\(.basis):\(.state):\(.followup):\(.followed_on)"'

# same_answers WHEN: each filter answers as the old statement, whole and
# a page of one at a time.
same_answers() {
	local f got pages n next
	for f in "" "beneficiary=$B1" "beneficiary=$B2" "territory=T6" \
	    "territory=$T2" "prescriber=$PR" "prescriber=$PR2" \
	    "due=2025-08-01" "due=2025-12-31&territory=T6" "overdue=true" \
	    "overdue=true&prescriber=$PR" "state=done" "state=overdue" \
	    "state=pending" "state=done&territory=T6" "state=pending&prescriber=$PR" \
	    "state=pending&territory=T6" "beneficiary=$B4&state=pending" \
	    "beneficiary=$B1&state=done" "due=2026-01-01&state=done"; do
		api GET "/v1/followups?$f"
		today=$(jget .today)
		got=$(jget "$ROW")
		if [ "$status" = 200 ] && [ "$got" = "$(old_list "$f")" ]; then
			pass "$1: ?$f answers as before"
		else
			fail "$1: ?$f answers as before" "$(old_list "$f")" "$got"
		fi
		pages= n=0 next=
		while :; do
			api GET "/v1/followups?${f:+$f&}limit=1${next:+&after=$next}"
			pages=$pages$(jget "$ROW")$'\n'
			next=$(jget .next)
			[ "$next" = null ] && break
			n=$((n + 1))
			[ $n -gt 20 ] && break
		done
		is "${pages%$'\n'}" "$got" "$1: ?$f a page of one at a time"
	done
}

T2=
api POST /v1/prescribers '{"kind":"france_travail","name":"France Travail Bobigny","territory":"T6"}'
PR2=$(jget .tag)
same_slots "two people diagnosed"

# A third person: no slot until diagnosed; the diagnostic changed, then
# deleted, takes the slots with it.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93066\",\"prescriber\":\"$PR\",\"referred_on\":\"2025-01-06\",\"consent_on\":\"2025-01-06\"}"
B3=$(jget .tag)
is "$(sql "SELECT count(*) FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B3'")" 0 "not diagnosed: no slot"
diagnose "$B3" 2025-01-10
same_slots "a diagnostic added"
is "$(sql "SELECT group_concat(due_on) FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B3'")" "2025-04-10,2025-07-10" "due 3 and 6 months after the diagnostic"
sql "UPDATE diagnostic SET diagnosed_on = '2025-01-20' WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$B3')"
same_slots "a diagnostic's day changed"
is "$(sql "SELECT group_concat(due_on) FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B3'")" "2025-04-20,2025-07-20" "the slots moved with it"

# A hand-over, a follow-up, the hand-over cancelled.
kit_ready "$B1"
event 2025-04-02
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
is "$status" 201 "a hand-over"
same_slots "a hand-over done"
api POST /v1/followups "{\"beneficiary\":\"$B1\",\"connected\":true,\"at\":\"2025-07-03\"}"
is "$status" 201 "a follow-up recorded"
same_slots "a follow-up recorded"
api POST "/v1/kits/$K/cancel-checkout" '{"reason":"mauvais kit remis","at":"2025-04-02T10:20"}'
is "$status" 200 "the hand-over cancelled"
same_slots "a hand-over cancelled"
is "$(sql "SELECT group_concat(month || ':' || basis || ':' || (followup_id IS NOT NULL), ' ') FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B1'")" "3:handed_over:1 6:diagnostic:0" "what is recorded stays, the rest from the diagnostic again"

# Orientations: added, moved, a second one earlier, deleted.
api POST /v1/orientations "{\"beneficiary\":\"$B2\",\"offer\":\"$O\",\"at\":\"2025-05-05\"}"
is "$status" 201 "an orientation"
OR=$(jget .id)
same_slots "an orientation added"
api PATCH "/v1/orientations/$OR" '{"oriented_on":"2025-04-15","reason":"erreur de saisie"}'
is "$status" 200 "an orientation moved"
same_slots "an orientation moved"
is "$(sql "SELECT group_concat(due_on) FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B2'")" "2025-07-15,2025-10-15" "due from the orientation's new day"
sql "DELETE FROM orientation WHERE id = $OR"
same_slots "an orientation deleted"

# Territory and prescriber.
api PATCH "/v1/beneficiaries/$B2" "{\"prescriber\":\"$PR2\",\"reason\":\"suivi repris\"}"
is "$status" 200 "a prescriber changed"
same_slots "a prescriber changed"
api PATCH "/v1/beneficiaries/$B2" '{"commune":"93048","reason":"déménagement"}'
is "$status" 200 "a commune changed"
T2=$(jget .territory)
sql "UPDATE beneficiary SET territory = 'T7' WHERE tag = '$B3'"
same_slots "a territory changed"
is "$(sql "SELECT s.territory FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B3' LIMIT 1")" T7 "the slots follow the person's territory"

# Someone diagnosed today: pending, not yet due.
api POST /v1/beneficiaries "{\"category\":\"rsa_training\",\"commune\":\"93066\",\"prescriber\":\"$PR\",\"referred_on\":\"$(date -u +%Y-%m-%d)\",\"consent_on\":\"$(date -u +%Y-%m-%d)\"}"
B4=$(jget .tag)
diagnose "$B4" "$(date -u +%Y-%m-%d)"
same_slots "someone diagnosed today"

# Erasure, then the answers.
api POST "/v1/beneficiaries/$B1/erase-identity" '{"reason":"demande de la personne"}'
is "$status" 200 "an identity erased"
same_slots "an identity erased"
same_answers "after every change"
ks followup list --prescriber "$PR2" --all
api GET "/v1/followups?prescriber=$PR2"
is "$rc/$(printf '%s\n' "$out" | tail -n +2 | grep -c .)" "0/$(jget '.items | length')" "the client lists a prescriber's"

# A follow-up removed; the person's diagnostic deleted; a person deleted.
sql "DELETE FROM followup WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$B1')"
same_slots "a follow-up removed"
sql "DELETE FROM diagnostic WHERE beneficiary_id = (SELECT id FROM beneficiary WHERE tag = '$B3')"
same_slots "a diagnostic deleted"
is "$(sql "SELECT count(*) FROM followup_slot s JOIN beneficiary b ON b.id = s.beneficiary_id WHERE b.tag = '$B3'")" 0 "no diagnostic: no slot"
sql "PRAGMA foreign_keys = OFF; DELETE FROM beneficiary WHERE tag = '$B2'"
same_slots "a person deleted"
is "$(sql 'SELECT count(*) FROM followup_slot')" 4 "the slots of the two left"

# The export of what is due: the due list, streamed.
api GET "/v1/exports/followups?days=3650"
is "$status" 200 "the follow-ups export"
api GET "/v1/followups?due=$(date -u -d '+3650 days' +%Y-%m-%d)"
want=$(jget '.items[] | "\(.beneficiary),\(.territory),\(.prescriber),\(.month),\(.basis),\(.due_on),\(.state)"')
api GET "/v1/exports/followups?days=3650"
is "$(printf '%s\n' "$body" | tail -n +2 | tr -d '\r')" "$want" "the export holds the slots due, in order"

# Bad input: refused naming the field, nothing written.
sum=$(dbsum)
for f in "after=2025-07-02/B-1/3:after" "after=garbage-cursor-garbage-garbage:after" \
    "due=2025-02-30:due" "due=demain:due" "state=late:state" "overdue=yes:overdue" \
    "limit=0:limit" "beneficiary=K-0000001-X:beneficiary" \
    "prescriber=B-0000001-V:prescriber"; do
	api GET "/v1/followups?${f%:*}"
	is "$status/$(jget .error.field)" "400/${f##*:}" "?${f%:*} refused naming ${f##*:}"
done
is "$(dbsum)" "$sum" "nothing written"
is "$(alive)" 200 "still serving"
done_testing
