#!/bin/bash
# Drop-out at orientation: an orientation with no attendance recorded the
# programme's delay after it (orientation-dropout-days, 21 in the 93)
# appears in the alerts, in the drop-out list and in the follow-up due
# list; it clears once attendance is recorded (attended or not).
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
day() { date -u -d "$1 days" +%Y-%m-%d; }
diagnose "$B" "$(day -60)"
is "$(sql "SELECT value FROM programme WHERE key='orientation-dropout-days'")" 21 "the 93 profile waits 21 days"
api POST /v1/offers '{"name":"Démarches en ligne","provider":"Centre social","kind":"online_procedures","commune":"93066"}'
O2=$(jget .tag)
api POST /v1/offers '{"name":"Créer son CV","provider":"Centre social","kind":"further_skills","commune":"93066"}'
O3=$(jget .tag)

api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O\",\"at\":\"$(day -30)\"}"
N1=$(jget .id)
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O2\",\"at\":\"$(day -10)\"}"
N2=$(jget .id)
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"$O3\",\"attended\":true,\"at\":\"$(day -40)\"}"
N3=$(jget .id)

api GET /v1/alerts
is "$status" 200 "the alerts"
is "$(jget '[.items[] | select(.kind == "orientation_dropout") | .subject] | join(",")')" "$B" "one drop-out: the orientation of 30 days ago with no attendance recorded"
like "$(jget '.items[] | select(.kind == "orientation_dropout") | .message')" "^$B: no attendance recorded for orientation $N1 to $O \(Emmaüs Connect\) 30 days after it \(the programme's delay is 21 days\)" "said so, naming the person by tag only"
is "$(jget '.items[] | select(.kind == "orientation_dropout") | .on')" "$(day -9)" "due 21 days after the orientation"
is "$(jget .counts.orientation_dropout)" 1 "counted"
ks orientation dropouts
like "$out" "^NUMBER +BENEFICIARY" "the client lists them"
like "$out" "$N1 +$B +$O +Emmaüs Connect +$(day -30) +30" "with the days since"
api GET "/v1/followups?overdue=true"
is "$(jget '[.dropouts[].orientation] | join(",")')" "$N1" "in the follow-up due list"
ks followup list --overdue
like "$out" 'Orientations with no attendance recorded \(possible drop-outs\)' "the client shows them under the follow-ups due"
api GET "/v1/followups?due=$(day 15)"
is "$(jget '[.dropouts[].orientation] | join(",")')" "$N1,$N2" "due by a later date: the more recent one too"
api GET "/v1/followups?beneficiary=$B"
is "$(jget .dropouts)" null "a list that is not a due list is as before"

# The delay is the programme's setting.
sql "UPDATE programme SET value = '5' WHERE key = 'orientation-dropout-days'"
api GET /v1/orientations/dropouts
is "$(jget .days)/$(jget '[.items[].orientation] | join(",")')" "5/$N1,$N2" "with a 5-day delay, both"
sql "UPDATE programme SET value = '21' WHERE key = 'orientation-dropout-days'"

# Recording attendance clears it; not attended is recorded too.
ks orientation edit "$N1" --attended
is "$rc" 0 "attendance recorded"
api GET /v1/alerts
is "$(jget .counts.orientation_dropout)" 0 "the alert is gone"
api GET /v1/orientations/dropouts
is "$(jget '.items | length')" 0 "and the drop-out list is empty"
sql "UPDATE programme SET value = '5' WHERE key = 'orientation-dropout-days'"
api GET /v1/alerts
is "$(jget '[.items[] | select(.kind == "orientation_dropout") | .subject] | join(",")')" "$B" "the other one, 10 days old, past a 5-day delay"
ks orientation edit "$N2" --no-attended --reason "ne s'est pas présentée"
api GET /v1/alerts
is "$(jget .counts.orientation_dropout)" 0 "recorded as not attended: known, no longer an alert"
api GET "/v1/orientations?attended=false"
is "$(jget '[.items[].id] | join(",")')" "$N2" "and counted as not attended"
done_testing
