#!/bin/bash
# Migration 12: a database of the earlier schema (training offers by
# provider, kind and commune; funding "free") is migrated: each offer
# keeps its id and tag and becomes a service at a place (one place per
# provider and commune), orientations keep pointing at the same offers,
# "free" is the programme's funding, the drop-out delay is set.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-path"
start_daemon
path_setup
diagnose "$B" 2022-03-15
stop_daemon

# The schema as migration 11 left it, with the rows of an earlier version.
sqlite3 -batch "$DB" "$UNDO_AFTER_25" || echo "Bail out! cannot undo the migrations after 25"
sqlite3 -batch "$DB" <<'SQL' || echo "Bail out! cannot set up the old schema"
PRAGMA foreign_keys = OFF;
BEGIN;
DROP VIEW offer_v; DROP VIEW orientation_v; DROP VIEW certification_v;
-- Migration 20 (territory and prescriber on the rows) comes after: undone.
DROP TRIGGER beneficiary_scope; DROP TRIGGER certification_scope;
DROP INDEX certification_territory; DROP INDEX certification_prescriber;
-- Migration 21 (the follow-up slots) too.
DROP TRIGGER followup_slot_diagnostic_insert;
DROP TRIGGER followup_slot_diagnostic_update;
DROP TRIGGER followup_slot_diagnostic_delete;
DROP TRIGGER followup_slot_handover_insert;
DROP TRIGGER followup_slot_handover_update;
DROP TRIGGER followup_slot_handover_delete;
DROP TRIGGER followup_slot_orientation_insert;
DROP TRIGGER followup_slot_orientation_update;
DROP TRIGGER followup_slot_orientation_delete;
DROP TRIGGER followup_slot_followup_insert;
DROP TRIGGER followup_slot_followup_update;
DROP TRIGGER followup_slot_followup_delete;
DROP TRIGGER followup_slot_scope; DROP TRIGGER followup_slot_beneficiary_delete;
DROP TABLE followup_slot;
-- Migration 22 (each top-up's beneficiary and territory) too.
DROP TRIGGER topup_scope; DROP TRIGGER topup_scope_territory;
DROP INDEX topup_sim_page; DROP INDEX topup_beneficiary;
DROP INDEX topup_connection; ALTER TABLE topup DROP COLUMN beneficiary_id;
ALTER TABLE topup DROP COLUMN territory;
ALTER TABLE certification DROP COLUMN territory;
ALTER TABLE certification DROP COLUMN prescriber_id;
DROP VIEW place_v;
DROP TABLE orientation; DROP TABLE offer; DROP TABLE place;
ALTER TABLE certification DROP COLUMN funding;
ALTER TABLE certification DROP COLUMN vouchers;
CREATE TABLE offer (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,
 name TEXT NOT NULL, provider TEXT NOT NULL,
 kind TEXT NOT NULL CHECK (kind IN ('initiation', 'online_procedures',
 'further_skills', 'creative_digital')),
 commune TEXT NOT NULL REFERENCES commune (insee),
 extra BOOLEAN NOT NULL DEFAULT 0 CHECK (extra IN (0, 1)),
 contact TEXT, created_at TEXT NOT NULL, UNIQUE (provider, name));
CREATE TABLE orientation (id INTEGER PRIMARY KEY,
 beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),
 offer_id INTEGER NOT NULL REFERENCES offer (id),
 oriented_on TEXT NOT NULL,
 funding TEXT NOT NULL DEFAULT 'free' CHECK (funding IN ('free',
 'pass_numerique', 'cpf')),
 attended BOOLEAN CHECK (attended IN (0, 1)),
 completed BOOLEAN CHECK (completed IN (0, 1)),
 created_at TEXT NOT NULL, UNIQUE (beneficiary_id, offer_id),
 CHECK (completed IS NOT 1 OR attended IS 1));
CREATE INDEX orientation_offer ON orientation (offer_id);
CREATE VIEW offer_v AS SELECT o.id, o.tag, o.name, o.provider, o.kind,
 o.commune, c.name AS commune_name, c.territory, o.extra, o.contact,
 (SELECT count(*) FROM orientation r WHERE r.offer_id = o.id)
 AS orientations, o.created_at
 FROM offer o JOIN commune c ON c.insee = o.commune;
CREATE VIEW orientation_v AS SELECT r.id, b.tag AS beneficiary,
 b.territory, p.tag AS prescriber, o.tag AS offer,
 o.name AS offer_name, o.kind AS offer_kind, o.provider,
 r.oriented_on, r.funding, r.attended, r.completed, r.created_at
 FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id
 JOIN prescriber p ON p.id = b.prescriber_id
 JOIN offer o ON o.id = r.offer_id;
CREATE VIEW certification_v AS SELECT c.id, b.tag AS beneficiary,
 b.territory, p.tag AS prescriber, c.kind, c.certified_on, c.result,
 c.score, c.created_at FROM certification c
 JOIN beneficiary b ON b.id = c.beneficiary_id
 JOIN prescriber p ON p.id = b.prescriber_id;
INSERT INTO offer VALUES (1, 'O-0000001-X', 'Premiers pas', 'Emmaüs Connect', 'initiation', '93066', 0, NULL, '2022-01-01T00:00:00Z');
INSERT INTO offer VALUES (2, 'O-0000002-V', 'Démarches', 'Emmaüs Connect', 'online_procedures', '93066', 1, 'tel', '2022-01-02T00:00:00Z');
INSERT INTO offer VALUES (3, 'O-0000003-T', 'Créa', 'Médiathèque', 'creative_digital', '93008', 0, NULL, '2022-01-03T00:00:00Z');
INSERT INTO orientation VALUES (1, 1, 2, '2022-04-01', 'pass_numerique', NULL, NULL, '2022-04-01T00:00:00Z');
INSERT INTO orientation VALUES (2, 1, 3, '2022-04-02', 'free', 1, 1, '2022-04-02T00:00:00Z');
DELETE FROM programme WHERE key = 'orientation-dropout-days';
-- Migration 13 (stock counts) comes after: undone too, run again.
DROP TRIGGER device_count_insert; DROP TRIGGER device_count_delete;
DROP TRIGGER device_count_update; DROP TRIGGER sim_count_insert;
DROP TRIGGER sim_count_delete; DROP TRIGGER sim_count_update;
DROP TABLE stock_count;
COMMIT;
PRAGMA user_version = 11;
SQL
# Migrations 14 (report tallies), 15, 17 and 19 (indexes), 23 and 24 (open
# needs and connections) come after: undone too.
sqlite3 -batch "$DB" "BEGIN; $(sqlite3 -batch "$DB" "SELECT 'DROP TRIGGER ' ||
    name || ';' FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report\_%' ESCAPE '\'")
    DROP TABLE report_dirty; DROP TABLE report_fact; DROP TABLE report_tally;
    DROP TABLE report_grain; DROP TABLE report_dim;
    DROP INDEX device_state_id; DROP INDEX device_brand; DROP INDEX sim_lot;
    DROP INDEX repair_device; DROP INDEX repair_replacement;
    DROP INDEX kit_unit_device_id; DROP INDEX kit_unit_sim_id;
    DROP INDEX handover_beneficiary;
    CREATE INDEX handover_beneficiary ON handover (beneficiary_id);
    DROP INDEX IF EXISTS orientation_beneficiary_on;
    DROP INDEX certification_beneficiary_passed; DROP INDEX beneficiary_kept;
    DROP INDEX repair_partner;
    $UNDO_23_25
    COMMIT" || echo "Bail out! cannot undo migrations 14, 15, 17, 19 and 23 to 25"
start_daemon
is "$(sql "PRAGMA user_version")" 28 "migrated to 12 and on"
is "$(sql "PRAGMA foreign_key_check")" "" "no reference broken"
is "$(sql "SELECT group_concat(r.id || ':' || (r.territory = b.territory) || (r.prescriber_id = b.prescriber_id)) FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id")" "1:11,2:11" "migration 20: each orientation carries its person's territory and prescriber"
is "$(sql "SELECT count(*) FROM report_dirty")" 0 "and leaves no tally to settle"
is "$(sql "SELECT count(*) FROM topup WHERE beneficiary_id IS NULL OR territory IS NULL") $(sql "SELECT count(*) FROM sqlite_master WHERE name IN ('topup_sim_page', 'topup_beneficiary', 'topup_connection', 'topup_scope', 'topup_scope_territory')")" "0 5" "migration 22: each top-up carries its beneficiary and territory, indexed"
is "$(sql "SELECT group_concat(month || ':' || due_on || ':' || basis, ' ') FROM followup_slot")" "3:2022-07-01:orientation 6:2022-10-01:orientation" "migration 21: the follow-up slots, from the first orientation"
is "$(sql "SELECT group_concat(id || ':' || name || '@' || commune, ' ') FROM place")" "1:Emmaüs Connect@93066 2:Médiathèque@93008" "one place per provider and commune"
is "$(sql "SELECT group_concat(tag || ':' || place_id || ':' || kind || ':' || service, ' / ') FROM offer")" "O-0000001-X:1:initiation:Maîtrise des outils numériques du quotidien / O-0000002-V:1:online_procedures:Aide aux démarches administratives / O-0000003-T:2:creative_digital:Loisirs et créations numériques" "each offer keeps its tag, at its place, with the standard's service"
api GET /v1/orientations
is "$(jget '[.items[] | "\(.id):\(.offer):\(.place_name):\(.funding):\(.vouchers)"] | join(" ")')" "1:O-0000002-V:Emmaüs Connect:pass_numerique:1 2:O-0000003-T:Médiathèque:programme:null" "orientations point at the same offers; free is the programme's"
api GET /v1/offers/O-0000002-V
is "$(jget .name)/$(jget .provider)/$(jget .extra)/$(jget .contact)/$(jget .orientations)" "Démarches/Emmaüs Connect/true/tel/1" "an offer as before"
is "$(sql "SELECT value FROM programme WHERE key='orientation-dropout-days'")" 21 "the drop-out delay of the 93"
api POST /v1/orientations "{\"beneficiary\":\"$B\",\"offer\":\"O-0000001-X\",\"at\":\"2022-04-05\"}"
is "$status/$(jget .place)" 201/1 "a new orientation after the migration"
ls "$DB".v11-*.bak >/dev/null 2>&1
is "$?" 0 "the database was copied before the migration"
done_testing
