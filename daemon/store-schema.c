/*
 * The schema as an append-only list of migrations: a new database runs every
 * step from 0, an old one the steps it lacks. Never edit a released entry.
 */

#include "kitstockd.h"
#include "store-kept.h"

/*
 * Migration 20: table t gets its person's territory and prescriber, filled,
 * indexed, and set on each new row.
 */
#define SCOPE_COLUMNS(t)						\
	"ALTER TABLE " t " ADD COLUMN territory TEXT;"			\
	"ALTER TABLE " t " ADD COLUMN prescriber_id INTEGER;"		\
	"UPDATE " t " SET (territory, prescriber_id) = (SELECT territory,"	\
	" prescriber_id FROM beneficiary b WHERE b.id = beneficiary_id);"	\
	"CREATE INDEX " t "_territory ON " t " (territory);"		\
	"CREATE INDEX " t "_prescriber ON " t " (prescriber_id);"	\
	"CREATE TRIGGER " t "_scope AFTER INSERT ON " t " BEGIN"	\
	" UPDATE " t " SET (territory, prescriber_id) = (SELECT territory,"	\
	" prescriber_id FROM beneficiary b WHERE b.id = NEW.beneficiary_id)"	\
	" WHERE id = NEW.id; END;"

/*
 * Migration 21: the follow-up slots of the people who meet cond (a
 * condition on d, their diagnostic), as the schedule computed them at each
 * request: at 3 and 6 months after the first hand-over in force, else the
 * first orientation, else the diagnostic; a follow-up recorded keeps the
 * due date and basis it was recorded with.
 */
#define SLOT_FILL(cond)							\
	"INSERT INTO followup_slot (beneficiary_id, month, due_on, basis,"	\
	" territory, prescriber_id, followup_id) SELECT x.id, m.month,"	\
	" coalesce(f.due_on, date(coalesce(x.h, x.o, x.d), '+' || m.month"	\
	" || ' months')), coalesce(f.basis, CASE WHEN x.h IS NOT NULL"	\
	" THEN 'handed_over' WHEN x.o IS NOT NULL THEN 'orientation'"	\
	" ELSE 'diagnostic' END), x.territory, x.prescriber_id, f.id"	\
	" FROM (SELECT b.id, b.territory, b.prescriber_id,"		\
	" d.diagnosed_on AS d, (SELECT substr(min(h.at), 1, 10)"	\
	" FROM handover h WHERE h.beneficiary_id = b.id"		\
	" AND h.cancelled_at IS NULL) AS h, (SELECT min(o.oriented_on)"	\
	" FROM orientation o WHERE o.beneficiary_id = b.id) AS o"	\
	" FROM diagnostic d JOIN beneficiary b ON b.id = d.beneficiary_id"	\
	" WHERE " cond ") x JOIN (SELECT 3 AS month UNION ALL SELECT 6) m"	\
	" LEFT JOIN followup f ON f.beneficiary_id = x.id"		\
	" AND f.month = m.month;"
/* Person r's slots made again (r: OLD or NEW of the row changed). */
#define SLOT_REFRESH(r, cond)						\
	" DELETE FROM followup_slot WHERE beneficiary_id ="		\
	" " r ".beneficiary_id" cond ";"				\
	SLOT_FILL("d.beneficiary_id = " r ".beneficiary_id" cond)
/* On a change of table t, the slots of the person (of both if it moved). */
#define SLOT_TRIGGERS(t, cols)						\
	PERSON_TRIGGERS("followup_slot_", t, cols, SLOT_REFRESH)

const char *const store_migrations[] = {
	/* 1: reference data, inventory, ledger. */
	"CREATE TABLE programme (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

	"CREATE TABLE territory (code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" budget_cents INTEGER NOT NULL CHECK (budget_cents >= 0),"
	" target_diagnosed INTEGER, target_equipped INTEGER,"
	" target_connected INTEGER, target_oriented INTEGER,"
	" target_certified INTEGER);"

	/* Dated: a commune may merge into another (valid_until, merged_into). */
	"CREATE TABLE commune (insee TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" territory TEXT NOT NULL REFERENCES territory (code),"
	" postal_codes TEXT NOT NULL, valid_from TEXT, valid_until TEXT,"
	" merged_into TEXT);"

	"CREATE TABLE supplier (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE, name TEXT NOT NULL, siret TEXT UNIQUE,"
	" ess TEXT NOT NULL DEFAULT 'none' CHECK (ess IN ('none',"
	" 'association', 'cooperative', 'insertion', 'esus', 'other')),"
	" local BOOLEAN NOT NULL DEFAULT 0 CHECK (local IN (0, 1)),"
	" contact TEXT, created_at TEXT NOT NULL);"

	"CREATE TABLE location (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('warehouse', 'distribution',"
	" 'repair')),"
	" commune TEXT NOT NULL REFERENCES commune (insee),"
	" address TEXT, created_at TEXT NOT NULL);"

	"CREATE TABLE lot (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,"
	" supplier_id INTEGER NOT NULL REFERENCES supplier (id),"
	" ref TEXT NOT NULL, delivered_on TEXT,"
	" unit_cost_cents INTEGER CHECK (unit_cost_cents >= 0), notes TEXT,"
	" created_at TEXT NOT NULL, UNIQUE (supplier_id, ref));"

	"CREATE TABLE device (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('desktop', 'laptop', 'tablet',"
	" 'smartphone', '4g-router')),"
	" brand TEXT NOT NULL DEFAULT '', model TEXT, serial TEXT NOT NULL,"
	" cpu TEXT, ram_gb INTEGER, storage_gb INTEGER, screen_in REAL,"
	" os TEXT, grade TEXT CHECK (grade IN ('A', 'B', 'C')),"
	" lot_id INTEGER REFERENCES lot (id),"
	" cost_cents INTEGER CHECK (cost_cents >= 0), warranty_until TEXT,"
	" erasure_cert TEXT,"
	" state TEXT NOT NULL CHECK (state IN ('received', 'in_stock',"
	" 'reserved', 'in_kit', 'handed_over', 'returned', 'in_repair',"
	" 'lost', 'scrapped')),"
	" location_id INTEGER REFERENCES location (id),"
	" data_erased_at TEXT, created_at TEXT NOT NULL,"
	" UNIQUE (brand, serial));"
	"CREATE INDEX device_serial ON device (serial);"
	"CREATE INDEX device_state ON device (state, kind);"
	"CREATE INDEX device_location ON device (location_id);"
	"CREATE INDEX device_lot ON device (lot_id);"

	"CREATE TABLE device_imei (imei TEXT PRIMARY KEY,"
	" device_id INTEGER NOT NULL REFERENCES device (id), slot INTEGER"
	" NOT NULL CHECK (slot IN (1, 2)), UNIQUE (device_id, slot));"

	"CREATE TABLE sim (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,"
	" iccid TEXT NOT NULL UNIQUE, msisdn TEXT UNIQUE,"
	" operator TEXT NOT NULL, plan_gb INTEGER CHECK (plan_gb >= 0),"
	" plan_price_cents INTEGER CHECK (plan_price_cents >= 0),"
	" lot_id INTEGER REFERENCES lot (id),"
	" state TEXT NOT NULL CHECK (state IN ('in_stock', 'reserved',"
	" 'in_kit', 'active', 'suspended', 'terminated', 'returned',"
	" 'lost')),"
	" location_id INTEGER REFERENCES location (id), paid_until TEXT,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX sim_state ON sim (state);"
	"CREATE INDEX sim_location ON sim (location_id);"

	/* PIN and PUK apart: never joined into a list. */
	"CREATE TABLE sim_secret (sim_id INTEGER PRIMARY KEY"
	" REFERENCES sim (id), pin TEXT, puk TEXT);"

	"CREATE TABLE accessory (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,"
	" created_at TEXT NOT NULL);"
	"CREATE TABLE accessory_stock (accessory_id INTEGER NOT NULL"
	" REFERENCES accessory (id), location_id INTEGER NOT NULL"
	" REFERENCES location (id), count INTEGER NOT NULL CHECK (count >= 0),"
	" PRIMARY KEY (accessory_id, location_id));"

	/* Append-only: the database itself refuses to rewrite history. */
	"CREATE TABLE ledger (id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
	" recorded_at TEXT NOT NULL, actor TEXT NOT NULL,"
	" station TEXT NOT NULL, entity TEXT NOT NULL, action TEXT NOT NULL,"
	" from_value TEXT, to_value TEXT, reason TEXT, details_json TEXT);"
	"CREATE INDEX ledger_entity ON ledger (entity, id);"
	"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
	" BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
	"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
	" BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"

	/* Views give what the API shows: tags instead of ids. */
	"CREATE VIEW location_v AS SELECT l.id, l.tag, l.name, l.kind,"
	" l.commune, c.name AS commune_name, c.territory, l.address,"
	" l.created_at FROM location l JOIN commune c ON c.insee = l.commune;"

	"CREATE VIEW supplier_v AS SELECT id, tag, name, siret, ess, local,"
	" contact, created_at FROM supplier;"

	"CREATE VIEW lot_v AS SELECT l.id, l.tag, s.tag AS supplier,"
	" s.name AS supplier_name, l.ref, l.delivered_on,"
	" l.unit_cost_cents, l.notes, l.created_at,"
	" (SELECT count(*) FROM device d WHERE d.lot_id = l.id) AS devices,"
	" (SELECT count(*) FROM sim m WHERE m.lot_id = l.id) AS sims"
	" FROM lot l JOIN supplier s ON s.id = l.supplier_id;"

	"CREATE VIEW device_v AS SELECT d.id, d.tag, d.kind, d.brand, d.model,"
	" d.serial, (SELECT json_group_array(imei) FROM (SELECT imei FROM"
	" device_imei i WHERE i.device_id = d.id ORDER BY slot)) AS imei_json,"
	" d.cpu, d.ram_gb, d.storage_gb, d.screen_in, d.os, d.grade,"
	" lt.tag AS lot, s.tag AS supplier, d.cost_cents, d.warranty_until,"
	" d.erasure_cert, d.state, lc.tag AS location,"
	" c.territory AS territory, d.data_erased_at, d.created_at"
	" FROM device d LEFT JOIN lot lt ON lt.id = d.lot_id"
	" LEFT JOIN supplier s ON s.id = lt.supplier_id"
	" LEFT JOIN location lc ON lc.id = d.location_id"
	" LEFT JOIN commune c ON c.insee = lc.commune;"

	"CREATE VIEW sim_v AS SELECT m.id, m.tag, m.iccid, m.msisdn,"
	" m.operator, m.plan_gb, m.plan_price_cents, lt.tag AS lot,"
	" s.tag AS supplier, m.state, lc.tag AS location,"
	" c.territory AS territory, m.paid_until, m.created_at"
	" FROM sim m LEFT JOIN lot lt ON lt.id = m.lot_id"
	" LEFT JOIN supplier s ON s.id = lt.supplier_id"
	" LEFT JOIN location lc ON lc.id = m.location_id"
	" LEFT JOIN commune c ON c.insee = lc.commune;"

	"CREATE VIEW accessory_v AS SELECT a.id, a.tag, a.name,"
	" coalesce((SELECT sum(count) FROM accessory_stock k"
	" WHERE k.accessory_id = a.id), 0) AS count,"
	" (SELECT json_group_array(json_object('location', l.tag, 'name',"
	" l.name, 'count', k.count)) FROM accessory_stock k JOIN location l"
	" ON l.id = k.location_id WHERE k.accessory_id = a.id"
	" AND k.count > 0) AS locations_json, a.created_at FROM accessory a;"

	/* What stock reports group: one row per unit, or per counted kind. */
	"CREATE VIEW stock_item AS"
	" SELECT d.kind AS kind, d.state AS state, lc.tag AS location,"
	" c.territory AS territory, s.tag AS supplier, d.grade AS grade,"
	" 1 AS qty FROM device d LEFT JOIN location lc ON lc.id = d.location_id"
	" LEFT JOIN commune c ON c.insee = lc.commune"
	" LEFT JOIN lot lt ON lt.id = d.lot_id"
	" LEFT JOIN supplier s ON s.id = lt.supplier_id"
	" UNION ALL SELECT 'sim', m.state, lc.tag, c.territory, s.tag, NULL, 1"
	" FROM sim m LEFT JOIN location lc ON lc.id = m.location_id"
	" LEFT JOIN commune c ON c.insee = lc.commune"
	" LEFT JOIN lot lt ON lt.id = m.lot_id"
	" LEFT JOIN supplier s ON s.id = lt.supplier_id"
	" UNION ALL SELECT 'accessory', 'in_stock', lc.tag, c.territory, NULL,"
	" NULL, k.count FROM accessory_stock k"
	" JOIN location lc ON lc.id = k.location_id"
	" JOIN commune c ON c.insee = lc.commune WHERE k.count > 0",

	/* 2: reports select ledger rows by effective date. */
	"CREATE INDEX ledger_at ON ledger (at, action)",

	/* 3: prescribers and beneficiaries (pseudonymous, identity apart). */
	"CREATE TABLE prescriber (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('pie', 'rsa_association',"
	" 'insertion_plan', 'cisp', 'france_travail', 'cap_emploi',"
	" 'mission_locale', 'ase', 'siae')),"
	" name TEXT NOT NULL, territory TEXT REFERENCES territory (code),"
	" contact TEXT, created_at TEXT NOT NULL, UNIQUE (kind, name));"

	/*
	 * The pseudonymous record: what every count is made from. Territory
	 * is the commune's, or for ASE young adults that of their ASE
	 * circonscription, given explicitly.
	 */
	"CREATE TABLE beneficiary (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE, commune TEXT REFERENCES commune (insee),"
	" territory TEXT NOT NULL REFERENCES territory (code),"
	" category TEXT NOT NULL CHECK (category IN ('rsa_training',"
	" 'rsa_entrepreneurship', 'rsa_equipment', 'long_term_unemployed',"
	" 'mission_locale', 'ase_young_adult', 'siae_employee')),"
	" prescriber_id INTEGER NOT NULL REFERENCES prescriber (id),"
	" referred_on TEXT NOT NULL, consent_on TEXT NOT NULL,"
	" identity_erased_at TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX beneficiary_territory ON beneficiary (territory);"
	"CREATE INDEX beneficiary_prescriber ON beneficiary (prescriber_id);"

	/* Identity apart, optional, erasable for good. */
	"CREATE TABLE beneficiary_identity (beneficiary_id INTEGER PRIMARY KEY"
	" REFERENCES beneficiary (id), first_name TEXT, last_name TEXT,"
	" phone TEXT);"

	"CREATE VIEW prescriber_v AS SELECT id, tag, kind, name, territory,"
	" contact, created_at FROM prescriber;"

	/* What lists and reports show: never the identity. */
	"CREATE VIEW beneficiary_v AS SELECT b.id, b.tag, b.commune,"
	" c.name AS commune_name, b.territory, b.category,"
	" p.tag AS prescriber, p.kind AS prescriber_kind, b.referred_on,"
	" b.consent_on, b.identity_erased_at, b.created_at"
	" FROM beneficiary b JOIN prescriber p ON p.id = b.prescriber_id"
	" LEFT JOIN commune c ON c.insee = b.commune",

	/* 4: diagnostics, offers, orientations, certifications, follow-ups. */
	/*
	 * One diagnostic per beneficiary (corrections are edits in the
	 * ledger); late: made after the programme's diagnostic deadline.
	 */
	"CREATE TABLE diagnostic (beneficiary_id INTEGER PRIMARY KEY"
	" REFERENCES beneficiary (id), diagnosed_on TEXT NOT NULL,"
	" adviser TEXT NOT NULL,"
	" device_need TEXT NOT NULL CHECK (device_need IN ('none', 'desktop',"
	" 'laptop', 'tablet', 'smartphone')),"
	" connection_need TEXT NOT NULL CHECK (connection_need IN ('none',"
	" 'sim', '4g-router')),"
	" autonomy INTEGER NOT NULL CHECK (autonomy BETWEEN 1 AND 4),"
	" training_wished TEXT NOT NULL DEFAULT 'none' CHECK (training_wished"
	" IN ('none', 'any', 'initiation', 'online_procedures',"
	" 'further_skills', 'creative_digital')),"
	" certification_wished BOOLEAN NOT NULL DEFAULT 0"
	" CHECK (certification_wished IN (0, 1)),"
	" note TEXT CHECK (length(note) <= 280),"
	" late BOOLEAN NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX diagnostic_on ON diagnostic (diagnosed_on);"

	/* Training offers: existing local ones, or extra ones we build. */
	"CREATE TABLE offer (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL, provider TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('initiation', 'online_procedures',"
	" 'further_skills', 'creative_digital')),"
	" commune TEXT NOT NULL REFERENCES commune (insee),"
	" extra BOOLEAN NOT NULL DEFAULT 0 CHECK (extra IN (0, 1)),"
	" contact TEXT, created_at TEXT NOT NULL, UNIQUE (provider, name));"

	/* attended and completed stay NULL until someone knows. */
	"CREATE TABLE orientation (id INTEGER PRIMARY KEY,"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" offer_id INTEGER NOT NULL REFERENCES offer (id),"
	" oriented_on TEXT NOT NULL,"
	" funding TEXT NOT NULL DEFAULT 'free' CHECK (funding IN ('free',"
	" 'pass_numerique', 'cpf')),"
	" attended BOOLEAN CHECK (attended IN (0, 1)),"
	" completed BOOLEAN CHECK (completed IN (0, 1)),"
	" created_at TEXT NOT NULL, UNIQUE (beneficiary_id, offer_id),"
	" CHECK (completed IS NOT 1 OR attended IS 1));"
	"CREATE INDEX orientation_offer ON orientation (offer_id);"

	"CREATE TABLE certification (id INTEGER PRIMARY KEY,"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" kind TEXT NOT NULL CHECK (kind IN ('pix', 'clea_numerique')),"
	" certified_on TEXT NOT NULL,"
	" result TEXT NOT NULL CHECK (result IN ('passed', 'failed')),"
	" score INTEGER CHECK (score BETWEEN 0 AND 1024),"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX certification_beneficiary ON certification"
	" (beneficiary_id);"

	/*
	 * Follow-ups recorded, at 3 and 6 months; due_on and basis say what
	 * the schedule was when it was recorded (hand-over, orientation or
	 * diagnostic).
	 */
	"CREATE TABLE followup (id INTEGER PRIMARY KEY,"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" month INTEGER NOT NULL CHECK (month IN (3, 6)),"
	" followed_on TEXT NOT NULL, due_on TEXT NOT NULL,"
	" basis TEXT NOT NULL CHECK (basis IN ('handed_over', 'orientation',"
	" 'diagnostic')),"
	" reached BOOLEAN NOT NULL DEFAULT 1 CHECK (reached IN (0, 1)),"
	" device_in_use BOOLEAN CHECK (device_in_use IN (0, 1)),"
	" connected BOOLEAN CHECK (connected IN (0, 1)),"
	" training_followed BOOLEAN CHECK (training_followed IN (0, 1)),"
	" certified BOOLEAN CHECK (certified IN (0, 1)),"
	" problems TEXT CHECK (length(problems) <= 280),"
	" created_at TEXT NOT NULL, UNIQUE (beneficiary_id, month));"

	/* The tag of a diagnostic is its beneficiary's. */
	"CREATE VIEW diagnostic_v AS SELECT d.beneficiary_id AS id, b.tag,"
	" b.territory, p.tag AS prescriber, d.diagnosed_on,"
	" d.adviser, d.device_need, d.connection_need,"
	" d.autonomy, d.training_wished, d.certification_wished, d.note,"
	" d.late, d.created_at FROM diagnostic d"
	" JOIN beneficiary b ON b.id = d.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id;"

	"CREATE VIEW offer_v AS SELECT o.id, o.tag, o.name, o.provider, o.kind,"
	" o.commune, c.name AS commune_name, c.territory, o.extra, o.contact,"
	" (SELECT count(*) FROM orientation r WHERE r.offer_id = o.id)"
	" AS orientations, o.created_at"
	" FROM offer o JOIN commune c ON c.insee = o.commune;"

	"CREATE VIEW orientation_v AS SELECT r.id, b.tag AS beneficiary,"
	" b.territory, p.tag AS prescriber, o.tag AS offer,"
	" o.name AS offer_name, o.kind AS offer_kind, o.provider,"
	" r.oriented_on, r.funding, r.attended, r.completed, r.created_at"
	" FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id"
	" JOIN offer o ON o.id = r.offer_id;"

	"CREATE VIEW certification_v AS SELECT c.id, b.tag AS beneficiary,"
	" b.territory, p.tag AS prescriber, c.kind, c.certified_on, c.result,"
	" c.score, c.created_at FROM certification c"
	" JOIN beneficiary b ON b.id = c.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id;"

	"CREATE VIEW followup_v AS SELECT f.id, b.tag AS beneficiary,"
	" b.territory, p.tag AS prescriber, f.month, f.followed_on, f.due_on,"
	" f.basis, f.reached, f.device_in_use, f.connected,"
	" f.training_followed, f.certified, f.problems, f.created_at"
	" FROM followup f JOIN beneficiary b ON b.id = f.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id;"

	/* Databases whose 93 profile was loaded before retention existed. */
	"INSERT INTO programme (key, value) SELECT 'retention-months', '24'"
	" WHERE EXISTS (SELECT 1 FROM programme WHERE key = 'code'"
	" AND value = '93') AND NOT EXISTS (SELECT 1 FROM programme"
	" WHERE key = 'retention-months')",

	/* 5: kits, distributions, hand-overs, top-ups, repairs. */
	/*
	 * A kit: what a beneficiary is to receive (kit_plan: device kinds,
	 * SIM cards, accessories counted), the units picked into it
	 * (kit_unit: a unit is in one kit at a time, the partial unique
	 * indexes say so), and the accessories taken from the stock of the
	 * location it is picked at (kit_accessory).
	 */
	"CREATE TABLE kit (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" location_id INTEGER NOT NULL REFERENCES location (id),"
	" state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned',"
	" 'picking', 'ready', 'handed_over', 'cancelled', 'returned')),"
	" contribution_cents INTEGER NOT NULL DEFAULT 0"
	" CHECK (contribution_cents >= 0),"
	" allocated_at TEXT NOT NULL, ready_at TEXT, closed_at TEXT,"
	" close_reason TEXT, notes TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX kit_beneficiary ON kit (beneficiary_id);"
	"CREATE INDEX kit_state ON kit (state);"

	"CREATE TABLE kit_plan (kit_id INTEGER NOT NULL REFERENCES kit (id),"
	" kind TEXT NOT NULL CHECK (kind IN ('desktop', 'laptop', 'tablet',"
	" 'smartphone', '4g-router', 'sim', 'accessory')),"
	" accessory_id INTEGER REFERENCES accessory (id),"
	" count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 10),"
	" CHECK ((kind = 'accessory') = (accessory_id IS NOT NULL)));"
	"CREATE UNIQUE INDEX kit_plan_line ON kit_plan (kit_id, kind,"
	" coalesce(accessory_id, 0));"

	"CREATE TABLE kit_unit (id INTEGER PRIMARY KEY,"
	" kit_id INTEGER NOT NULL REFERENCES kit (id),"
	" device_id INTEGER REFERENCES device (id),"
	" sim_id INTEGER REFERENCES sim (id), added_at TEXT NOT NULL,"
	" removed_at TEXT, removed_why TEXT,"
	" CHECK ((device_id IS NULL) != (sim_id IS NULL)));"
	"CREATE INDEX kit_unit_kit ON kit_unit (kit_id);"
	"CREATE UNIQUE INDEX kit_unit_device ON kit_unit (device_id)"
	" WHERE device_id IS NOT NULL AND removed_at IS NULL;"
	"CREATE UNIQUE INDEX kit_unit_sim ON kit_unit (sim_id)"
	" WHERE sim_id IS NOT NULL AND removed_at IS NULL;"

	"CREATE TABLE kit_accessory (kit_id INTEGER NOT NULL REFERENCES kit (id),"
	" accessory_id INTEGER NOT NULL REFERENCES accessory (id),"
	" location_id INTEGER NOT NULL REFERENCES location (id),"
	" count INTEGER NOT NULL CHECK (count > 0),"
	" PRIMARY KEY (kit_id, accessory_id));"

	/* Distribution events, who is convoked, and what came of it. */
	"CREATE TABLE distribution (id INTEGER PRIMARY KEY,"
	" tag TEXT NOT NULL UNIQUE, held_on TEXT NOT NULL,"
	" place_id INTEGER NOT NULL REFERENCES location (id), notes TEXT,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open',"
	" 'closed')), closed_at TEXT, cash_recorded_cents INTEGER,"
	" cash_counted_cents INTEGER, close_reason TEXT,"
	" created_at TEXT NOT NULL);"
	"CREATE TABLE convocation (distribution_id INTEGER NOT NULL"
	" REFERENCES distribution (id), beneficiary_id INTEGER NOT NULL"
	" REFERENCES beneficiary (id), convoked_at TEXT NOT NULL,"
	" outcome TEXT NOT NULL DEFAULT 'convoked' CHECK (outcome IN"
	" ('convoked', 'handed_over', 'no_show')),"
	" PRIMARY KEY (distribution_id, beneficiary_id));"
	"CREATE INDEX convocation_beneficiary ON convocation (beneficiary_id);"

	/*
	 * A checkout: the kit, its beneficiary, when and where, the
	 * contribution paid. A cancelled checkout stays, marked; a kit has
	 * one hand-over in force at a time.
	 */
	"CREATE TABLE handover (id INTEGER PRIMARY KEY,"
	" kit_id INTEGER NOT NULL REFERENCES kit (id),"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" distribution_id INTEGER NOT NULL REFERENCES distribution (id),"
	" place_id INTEGER NOT NULL REFERENCES location (id),"
	" at TEXT NOT NULL, contribution_cents INTEGER NOT NULL"
	" CHECK (contribution_cents >= 0), payment TEXT CHECK (payment IN"
	" ('cash', 'card', 'cheque', 'transfer')), override_reason TEXT,"
	" actor TEXT NOT NULL, recorded_at TEXT NOT NULL,"
	" cancelled_at TEXT, cancel_reason TEXT,"
	" CHECK ((contribution_cents > 0) = (payment IS NOT NULL)));"
	"CREATE UNIQUE INDEX handover_kit ON handover (kit_id)"
	" WHERE cancelled_at IS NULL;"
	"CREATE INDEX handover_distribution ON handover (distribution_id);"
	"CREATE INDEX handover_beneficiary ON handover (beneficiary_id);"

	/* Since when a device holds its user's data (NULL once erased). */
	"ALTER TABLE device ADD COLUMN user_data_since TEXT;"

	/*
	 * A SIM card's paid periods: its activation at the hand-over, then
	 * each top-up (date, amount, new paid-until).
	 */
	"CREATE TABLE topup (id INTEGER PRIMARY KEY,"
	" sim_id INTEGER NOT NULL REFERENCES sim (id),"
	" handover_id INTEGER NOT NULL REFERENCES handover (id),"
	" kind TEXT NOT NULL CHECK (kind IN ('activation', 'topup')),"
	" on_date TEXT NOT NULL, amount_cents INTEGER NOT NULL"
	" CHECK (amount_cents >= 0), previous_until TEXT,"
	" paid_until TEXT NOT NULL CHECK (paid_until > on_date),"
	" actor TEXT NOT NULL, recorded_at TEXT NOT NULL, cancelled_at TEXT);"
	"CREATE INDEX topup_sim ON topup (sim_id, on_date);"

	/* Repair tickets: a device a beneficiary brought back. */
	"CREATE TABLE repair (id INTEGER PRIMARY KEY,"
	" device_id INTEGER NOT NULL REFERENCES device (id),"
	" kit_id INTEGER NOT NULL REFERENCES kit (id),"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" partner_id INTEGER NOT NULL REFERENCES location (id),"
	" reason TEXT NOT NULL, under_warranty BOOLEAN NOT NULL"
	" CHECK (under_warranty IN (0, 1)), opened_at TEXT NOT NULL,"
	" closed_at TEXT CHECK (closed_at >= opened_at),"
	" outcome TEXT CHECK (outcome IN ('repaired', 'swapped', 'scrapped')),"
	" replacement_id INTEGER REFERENCES device (id), notes TEXT,"
	" CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
	" CHECK ((outcome = 'swapped') = (replacement_id IS NOT NULL)));"
	"CREATE UNIQUE INDEX repair_open ON repair (device_id)"
	" WHERE closed_at IS NULL;"
	"CREATE INDEX repair_beneficiary ON repair (beneficiary_id);"

	/* What the API shows: tags instead of ids. */
	"CREATE VIEW kit_v AS SELECT k.id, k.tag, b.tag AS beneficiary,"
	" l.tag AS location, k.state, k.contribution_cents,"
	" (SELECT json_group_array(json_object('kind', x.kind, 'accessory',"
	" x.accessory, 'name', x.name, 'count', x.count)) FROM (SELECT p.kind,"
	" a.tag AS accessory, a.name, p.count FROM kit_plan p"
	" LEFT JOIN accessory a ON a.id = p.accessory_id WHERE p.kit_id = k.id"
	" ORDER BY CASE p.kind WHEN 'accessory' THEN 2 WHEN 'sim' THEN 1"
	" ELSE 0 END, p.rowid) x) AS planned_json,"
	" (SELECT json_group_array(json_object('tag', x.tag, 'kind', x.kind,"
	" 'serial', x.serial, 'state', x.state)) FROM (SELECT u.id,"
	" coalesce(d.tag, m.tag) AS tag, coalesce(d.kind, 'sim') AS kind,"
	" coalesce(d.serial, m.iccid) AS serial,"
	" coalesce(d.state, m.state) AS state FROM kit_unit u"
	" LEFT JOIN device d ON d.id = u.device_id"
	" LEFT JOIN sim m ON m.id = u.sim_id WHERE u.kit_id = k.id"
	" AND u.removed_at IS NULL ORDER BY u.sim_id IS NOT NULL, u.id) x)"
	" AS units_json,"
	" (SELECT json_group_array(json_object('accessory', a.tag, 'name',"
	" a.name, 'count', x.count)) FROM kit_accessory x JOIN accessory a"
	" ON a.id = x.accessory_id WHERE x.kit_id = k.id) AS accessories_json,"
	" k.allocated_at, k.ready_at, h.at AS handed_over_at,"
	" e.tag AS distribution, hp.tag AS handed_over_place,"
	" h.contribution_cents AS paid_cents, h.payment, k.closed_at,"
	" k.close_reason, k.notes, k.created_at"
	" FROM kit k JOIN beneficiary b ON b.id = k.beneficiary_id"
	" JOIN location l ON l.id = k.location_id"
	" LEFT JOIN handover h ON h.kit_id = k.id AND h.cancelled_at IS NULL"
	" LEFT JOIN distribution e ON e.id = h.distribution_id"
	" LEFT JOIN location hp ON hp.id = h.place_id;"

	"CREATE VIEW distribution_v AS SELECT e.id, e.tag, e.held_on,"
	" l.tag AS place, l.name AS place_name, c.territory, e.state,"
	" e.notes, (SELECT count(*) FROM convocation v"
	" WHERE v.distribution_id = e.id) AS convoked,"
	" (SELECT count(*) FROM handover h WHERE h.distribution_id = e.id"
	" AND h.cancelled_at IS NULL) AS handed_over,"
	" (SELECT count(*) FROM convocation v WHERE v.distribution_id = e.id"
	" AND v.outcome = 'no_show') AS no_shows, e.cash_recorded_cents,"
	" e.cash_counted_cents, e.closed_at, e.close_reason, e.created_at"
	" FROM distribution e JOIN location l ON l.id = e.place_id"
	" JOIN commune c ON c.insee = l.commune;"

	"CREATE VIEW repair_v AS SELECT r.id, d.tag AS device, d.kind,"
	" d.serial, b.tag AS beneficiary, k.tag AS kit, l.tag AS partner,"
	" l.name AS partner_name, r.reason, r.under_warranty, r.opened_at,"
	" r.closed_at, CASE WHEN r.closed_at IS NULL THEN 'open'"
	" ELSE 'closed' END AS state, r.outcome, n.tag AS replacement,"
	" r.notes, CAST(julianday(coalesce(r.closed_at,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))) - julianday(r.opened_at)"
	" AS INTEGER) AS days_without_device"
	" FROM repair r JOIN device d ON d.id = r.device_id"
	" JOIN beneficiary b ON b.id = r.beneficiary_id"
	" JOIN kit k ON k.id = r.kit_id JOIN location l ON l.id = r.partner_id"
	" LEFT JOIN device n ON n.id = r.replacement_id;"

	/* Databases whose 93 profile was loaded before the cap existed. */
	"INSERT INTO programme (key, value) SELECT 'contribution-cap-eur',"
	" '50' WHERE EXISTS (SELECT 1 FROM programme WHERE key = 'code'"
	" AND value = '93') AND NOT EXISTS (SELECT 1 FROM programme"
	" WHERE key = 'contribution-cap-eur')",

	/* 6: delivery manifests: expected units, receiving. */
	/*
	 * One row per line of a lot's manifest (import_no counts the files
	 * imported into the lot). Receiving turns an expected unit into a
	 * device or SIM card whose tag it keeps; a line repeating another,
	 * or a unit already in stock, is kept as a duplicate to tell the
	 * supplier. Units of the lot that no line expects are the extras.
	 */
	"CREATE TABLE expected_unit (id INTEGER PRIMARY KEY,"
	" lot_id INTEGER NOT NULL REFERENCES lot (id),"
	" import_no INTEGER NOT NULL CHECK (import_no > 0),"
	" line INTEGER NOT NULL CHECK (line > 0),"
	" kind TEXT NOT NULL CHECK (kind IN ('desktop', 'laptop', 'tablet',"
	" 'smartphone', '4g-router', 'sim')),"
	" brand TEXT, model TEXT, serial TEXT, imei1 TEXT, imei2 TEXT,"
	" iccid TEXT, operator TEXT, cpu TEXT, ram_gb INTEGER,"
	" storage_gb INTEGER, screen_in REAL, os TEXT,"
	" grade TEXT CHECK (grade IN ('A', 'B', 'C')),"
	" cost_cents INTEGER CHECK (cost_cents >= 0), warranty_until TEXT,"
	" erasure_cert TEXT, notes_json TEXT,"
	" status TEXT NOT NULL DEFAULT 'expected' CHECK (status IN"
	" ('expected', 'received', 'duplicate')), duplicate_json TEXT,"
	" item_tag TEXT UNIQUE, imported_at TEXT NOT NULL, received_at TEXT,"
	" UNIQUE (lot_id, import_no, line),"
	" CHECK ((status = 'received') = (item_tag IS NOT NULL)));"
	"CREATE INDEX expected_unit_serial ON expected_unit (serial);"
	"CREATE INDEX expected_unit_imei1 ON expected_unit (imei1);"
	"CREATE INDEX expected_unit_imei2 ON expected_unit (imei2);"
	"CREATE INDEX expected_unit_iccid ON expected_unit (iccid)",

	/* 7: label templates in use, pre-printed tags, printers, print jobs. */
	/*
	 * Pre-printed tags: a reserved sequence number is never given to
	 * another item (store_next_id), and a tag is bound once.
	 */
	"CREATE TABLE tag_reservation (tag TEXT PRIMARY KEY,"
	" letter TEXT NOT NULL, seq INTEGER NOT NULL,"
	" reserved_at TEXT NOT NULL, bound_at TEXT, bound_by TEXT);"
	"CREATE UNIQUE INDEX tag_reservation_seq ON tag_reservation"
	" (letter, seq);"

	"CREATE TABLE printer (id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE, queue TEXT NOT NULL,"
	" language TEXT NOT NULL CHECK (language IN ('pdf', 'zpl')),"
	" template TEXT, dpi INTEGER NOT NULL CHECK (dpi IN (203, 300, 600)),"
	" created_at TEXT NOT NULL);"

	/* Print a unit's label when it is received at a location. */
	"CREATE TABLE print_on_receive (location_id INTEGER PRIMARY KEY"
	" REFERENCES location (id), printer_id INTEGER NOT NULL"
	" REFERENCES printer (id), template TEXT, set_at TEXT NOT NULL);"

	/* Printer and template by name: a job outlives its printer. */
	"CREATE TABLE print_job (id INTEGER PRIMARY KEY,"
	" printer TEXT NOT NULL, queue TEXT NOT NULL, template TEXT NOT NULL,"
	" format TEXT NOT NULL, tags_json TEXT NOT NULL,"
	" bytes INTEGER NOT NULL, cups_job INTEGER,"
	" state TEXT NOT NULL CHECK (state IN ('sent', 'completed',"
	" 'aborted', 'canceled', 'stopped', 'failed')), reason TEXT,"
	" actor TEXT NOT NULL, created_at TEXT NOT NULL, done_at TEXT);"
	"CREATE INDEX print_job_state ON print_job (state)",

	/* 8: tokens for TCP clients, kept as the hash of their secret. */
	"CREATE TABLE token (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('warehouse', 'distribution',"
	" 'coordinator', 'prescriber', 'evaluator')),"
	" prescriber_id INTEGER REFERENCES prescriber (id),"
	" hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,"
	" expires_on TEXT, revoked_at TEXT)",

	/* 9: stations, their context, scans. */
	/*
	 * A station: where scans are made and what they mean there (its
	 * mode), the distribution a checkout station serves, and the context
	 * a sequence of scans is in (the location, kit, beneficiary or audit
	 * scanned first), with when it was last touched so it can expire.
	 */
	"CREATE TABLE station (id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" location_id INTEGER NOT NULL REFERENCES location (id),"
	" mode TEXT NOT NULL CHECK (mode IN ('receive', 'putaway', 'pick',"
	" 'checkout', 'return', 'audit')),"
	" distribution_id INTEGER REFERENCES distribution (id),"
	" context_json TEXT NOT NULL DEFAULT '{}', context_at TEXT,"
	" created_at TEXT NOT NULL);"
	/*
	 * Every scan, with its verdict, recorded in the transaction of its
	 * effect: scan_id is unique, so a scan replayed by a remote terminal
	 * takes effect once. made_ms is when it was made (ms since the
	 * epoch), for the debounce; undo_json says how to cancel it.
	 */
	"CREATE TABLE scan (id INTEGER PRIMARY KEY,"
	" scan_id TEXT NOT NULL UNIQUE,"
	" station_id INTEGER NOT NULL REFERENCES station (id),"
	" code TEXT NOT NULL, mode TEXT NOT NULL, source TEXT NOT NULL,"
	" made_at TEXT NOT NULL, made_ms INTEGER NOT NULL,"
	" recorded_at TEXT NOT NULL,"
	" provisional INTEGER NOT NULL DEFAULT 0 CHECK (provisional IN (0, 1)),"
	" verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'refused',"
	" 'ignored')), item TEXT, message TEXT NOT NULL,"
	" verdict_json TEXT NOT NULL, undo_json TEXT,"
	" cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)));"
	"CREATE INDEX scan_station ON scan (station_id, id);"
	"CREATE INDEX scan_refused ON scan (provisional, verdict);"
	/* An audit of a location: what was seen there, by whom, and its end. */
	"CREATE TABLE audit (id INTEGER PRIMARY KEY,"
	" station_id INTEGER NOT NULL REFERENCES station (id),"
	" location_id INTEGER NOT NULL REFERENCES location (id),"
	" opened_at TEXT NOT NULL, closed_at TEXT, report_json TEXT);"
	"CREATE TABLE audit_seen (audit_id INTEGER NOT NULL"
	" REFERENCES audit (id), item TEXT NOT NULL, seen_at TEXT NOT NULL,"
	" PRIMARY KEY (audit_id, item));",

	/* 10: scanners bound to stations (reserved: USB scanners). */
	/*
	 * A binding matches a USB scanner by VID:PID, with a serial number
	 * or a port path (bus-port.port) if given, or by port path alone;
	 * name is its canonical text ("0c2e:0b61/SN", "0c2e:0b61@1-1.2",
	 * "@1-1.2"). The layout is the scanner's own keyboard layout, set by
	 * hand or by scanning the calibration label.
	 */
	"CREATE TABLE scanner (id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" vid INTEGER CHECK (vid BETWEEN 0 AND 65535),"
	" pid INTEGER CHECK (pid BETWEEN 0 AND 65535),"
	" serial TEXT, port TEXT, station TEXT NOT NULL,"
	" layout TEXT NOT NULL DEFAULT 'us' CHECK (layout IN ('us', 'fr')),"
	" blank_ms INTEGER NOT NULL CHECK (blank_ms BETWEEN 0 AND 10000),"
	" calibrated_at TEXT, last_seen TEXT, created_at TEXT NOT NULL,"
	" CHECK ((vid IS NULL) = (pid IS NULL)),"
	" CHECK (vid IS NOT NULL OR port IS NOT NULL));"
	"CREATE INDEX scanner_station ON scanner (station)",

	/* 11: reports, exports, alerts: indexes their date ranges use. */
	/*
	 * Indicators count first events in a period, alerts look ahead or
	 * back a few days: each of their queries starts from one of these.
	 */
	"CREATE INDEX handover_at ON handover (at) WHERE cancelled_at IS NULL;"
	"CREATE INDEX topup_on ON topup (on_date);"
	"CREATE INDEX topup_handover ON topup (handover_id);"
	"CREATE INDEX orientation_on ON orientation (oriented_on);"
	"CREATE INDEX certification_passed ON certification (certified_on)"
	" WHERE result = 'passed';"
	"CREATE INDEX beneficiary_referred ON beneficiary (referred_on);"
	"CREATE INDEX device_warranty ON device (warranty_until)"
	" WHERE warranty_until IS NOT NULL;"
	"CREATE INDEX repair_opened ON repair (opened_at);"
	"CREATE INDEX kit_ready ON kit (ready_at) WHERE state = 'ready';"
	"CREATE INDEX diagnostic_need ON diagnostic (device_need)"
	" WHERE device_need <> 'none'",

	/* 12: places and offers of digital mediation (reserved: offers). */
	/*
	 * Places of digital mediation as the national standard « Lieux de
	 * médiation numérique » (v1.0.2) describes them, imported by their
	 * id (ref) or entered by hand (ref NULL); an offer (O-) is one
	 * service at one place. Offers and orientations are rebuilt in
	 * place: ids, tags and what orientations point at stay the same.
	 * With legacy_alter_table, a renamed table's references are not
	 * rewritten: orientation keeps naming "offer", the new table.
	 */
	"PRAGMA legacy_alter_table = ON;"
	"PRAGMA defer_foreign_keys = ON;"
	"CREATE TABLE place (id INTEGER PRIMARY KEY, ref TEXT UNIQUE,"
	" pivot TEXT, name TEXT NOT NULL,"
	" commune TEXT NOT NULL REFERENCES commune (insee),"
	" commune_given TEXT, postal_code TEXT, address TEXT,"
	" address_extra TEXT, latitude REAL, longitude REAL,"
	" typology_json TEXT, phones_json TEXT, emails_json TEXT,"
	" websites_json TEXT, hours TEXT, summary TEXT, source TEXT,"
	" itinerance_json TEXT, updated_on TEXT, services_json TEXT,"
	" publics_json TEXT, specific_support_json TEXT, fees_json TEXT,"
	" programmes_json TEXT, access_json TEXT, support_json TEXT,"
	" booking TEXT, contact TEXT, digest TEXT, imported_at TEXT,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX place_commune ON place (commune);"
	"CREATE UNIQUE INDEX place_hand ON place (name, commune)"
	" WHERE ref IS NULL;"

	/* kind: the programme's kind of training, NULL if the service is none. */
	"ALTER TABLE offer RENAME TO offer_old;"
	"CREATE TABLE offer (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE,"
	" place_id INTEGER NOT NULL REFERENCES place (id),"
	" service TEXT NOT NULL, name TEXT NOT NULL,"
	" kind TEXT CHECK (kind IN ('initiation', 'online_procedures',"
	" 'further_skills', 'creative_digital')),"
	" extra BOOLEAN NOT NULL DEFAULT 0 CHECK (extra IN (0, 1)),"
	" contact TEXT, withdrawn_at TEXT, created_at TEXT NOT NULL,"
	" UNIQUE (place_id, service, name));"
	"INSERT INTO place (name, commune, created_at) SELECT provider,"
	" commune, min(created_at) FROM offer_old GROUP BY provider, commune"
	" ORDER BY min(id);"
	"INSERT INTO offer (id, tag, place_id, service, name, kind, extra,"
	" contact, created_at) SELECT o.id, o.tag, p.id, CASE o.kind"
	" WHEN 'initiation' THEN 'Maîtrise des outils numériques du quotidien'"
	" WHEN 'online_procedures' THEN 'Aide aux démarches administratives'"
	" WHEN 'creative_digital' THEN 'Loisirs et créations numériques'"
	" ELSE 'Compréhension du monde numérique' END, o.name, o.kind,"
	" o.extra, o.contact, o.created_at FROM offer_old o JOIN place p"
	" ON p.name = o.provider AND p.commune = o.commune"
	" AND p.ref IS NULL;"
	"UPDATE place SET services_json = (SELECT json_group_array(service)"
	" FROM (SELECT DISTINCT service FROM offer"
	" WHERE place_id = place.id));"
	"DROP VIEW offer_v;"
	"DROP VIEW orientation_v;"
	"DROP VIEW certification_v;"
	"DROP TABLE offer_old;"

	/*
	 * Funding: by the programme, by « pass numérique » vouchers the
	 * person holds (how many), or by their CPF account; nothing else.
	 */
	"ALTER TABLE orientation RENAME TO orientation_old;"
	"CREATE TABLE orientation (id INTEGER PRIMARY KEY,"
	" beneficiary_id INTEGER NOT NULL REFERENCES beneficiary (id),"
	" offer_id INTEGER NOT NULL REFERENCES offer (id),"
	" oriented_on TEXT NOT NULL,"
	" funding TEXT NOT NULL DEFAULT 'programme' CHECK (funding IN"
	" ('programme', 'pass_numerique', 'cpf')),"
	" vouchers INTEGER CHECK (vouchers BETWEEN 1 AND 20),"
	" attended BOOLEAN CHECK (attended IN (0, 1)),"
	" completed BOOLEAN CHECK (completed IN (0, 1)),"
	" created_at TEXT NOT NULL, UNIQUE (beneficiary_id, offer_id),"
	" CHECK (completed IS NOT 1 OR attended IS 1));"
	"INSERT INTO orientation (id, beneficiary_id, offer_id, oriented_on,"
	" funding, vouchers, attended, completed, created_at) SELECT id,"
	" beneficiary_id, offer_id, oriented_on, CASE funding WHEN 'free'"
	" THEN 'programme' ELSE funding END, CASE funding"
	" WHEN 'pass_numerique' THEN 1 END, attended, completed, created_at"
	" FROM orientation_old;"
	"DROP TABLE orientation_old;"
	"CREATE INDEX orientation_offer ON orientation (offer_id);"
	/* Migration 11's index went with the table it was on. */
	"CREATE INDEX IF NOT EXISTS orientation_on ON orientation"
	" (oriented_on);"
	"ALTER TABLE certification ADD COLUMN funding TEXT NOT NULL"
	" DEFAULT 'programme' CHECK (funding IN ('programme',"
	" 'pass_numerique', 'cpf'));"
	"ALTER TABLE certification ADD COLUMN vouchers INTEGER"
	" CHECK (vouchers BETWEEN 1 AND 20);"

	"CREATE VIEW place_v AS SELECT p.id, p.ref, p.pivot, p.name,"
	" p.commune, c.name AS commune_name, c.territory, p.postal_code,"
	" p.address, p.address_extra, p.latitude, p.longitude,"
	" p.typology_json, p.phones_json, p.emails_json, p.websites_json,"
	" p.hours, p.summary, p.source, p.itinerance_json, p.updated_on,"
	" p.services_json, p.publics_json, p.specific_support_json,"
	" p.fees_json, p.programmes_json, p.access_json, p.support_json,"
	" p.booking, p.contact, (SELECT count(*) FROM offer o"
	" WHERE o.place_id = p.id AND o.withdrawn_at IS NULL) AS offers,"
	" p.imported_at, p.created_at"
	" FROM place p JOIN commune c ON c.insee = p.commune;"

	"CREATE VIEW offer_v AS SELECT o.id, o.tag, o.name,"
	" p.name AS provider, o.kind, p.commune, c.name AS commune_name,"
	" c.territory, o.extra, o.contact, (SELECT count(*) FROM orientation r"
	" WHERE r.offer_id = o.id) AS orientations, o.service,"
	" p.id AS place, p.ref AS place_ref, p.address, p.address_extra,"
	" p.postal_code, p.hours, p.access_json, p.fees_json, p.phones_json,"
	" p.booking, p.programmes_json, p.updated_on, o.withdrawn_at,"
	" o.created_at FROM offer o JOIN place p ON p.id = o.place_id"
	" JOIN commune c ON c.insee = p.commune;"

	"CREATE VIEW orientation_v AS SELECT r.id, b.tag AS beneficiary,"
	" b.territory, p.tag AS prescriber, o.tag AS offer,"
	" o.name AS offer_name, o.kind AS offer_kind, pl.name AS provider,"
	" r.oriented_on, r.funding, r.attended, r.completed, r.created_at,"
	" r.vouchers, o.service, pl.id AS place, pl.name AS place_name,"
	" pl.address, pl.commune AS place_commune"
	" FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id"
	" JOIN offer o ON o.id = r.offer_id JOIN place pl ON pl.id = o.place_id;"

	"CREATE VIEW certification_v AS SELECT c.id, b.tag AS beneficiary,"
	" b.territory, p.tag AS prescriber, c.kind, c.certified_on, c.result,"
	" c.score, c.created_at, c.funding, c.vouchers FROM certification c"
	" JOIN beneficiary b ON b.id = c.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id;"

	/* Databases whose 93 profile was loaded before drop-outs existed. */
	"INSERT INTO programme (key, value) SELECT 'orientation-dropout-days',"
	" '21' WHERE EXISTS (SELECT 1 FROM programme WHERE key = 'code'"
	" AND value = '93') AND NOT EXISTS (SELECT 1 FROM programme"
	" WHERE key = 'orientation-dropout-days');"
	"PRAGMA legacy_alter_table = OFF",

	/*
	 * 13: stock counted as it changes. stock_item was a view over every
	 * device and SIM card: at a million devices a summary took seconds.
	 * Triggers keep stock_count in the same transaction as the change;
	 * a missing location, lot or grade is 0 or '' so the key is unique.
	 */
	"CREATE TABLE stock_count (kind TEXT NOT NULL, state TEXT NOT NULL,"
	" location_id INTEGER NOT NULL, lot_id INTEGER NOT NULL,"
	" grade TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0),"
	" PRIMARY KEY (kind, state, location_id, lot_id, grade))"
	" WITHOUT ROWID;"
	"INSERT INTO stock_count SELECT kind, state, coalesce(location_id, 0),"
	" coalesce(lot_id, 0), coalesce(grade, ''), count(*) FROM device"
	" GROUP BY 1, 2, 3, 4, 5;"
	"INSERT INTO stock_count SELECT 'sim', state, coalesce(location_id, 0),"
	" coalesce(lot_id, 0), '', count(*) FROM sim GROUP BY 2, 3, 4;"

	"CREATE TRIGGER device_count_insert AFTER INSERT ON device BEGIN"
	" INSERT INTO stock_count VALUES (NEW.kind, NEW.state,"
	" coalesce(NEW.location_id, 0), coalesce(NEW.lot_id, 0),"
	" coalesce(NEW.grade, ''), 1) ON CONFLICT DO UPDATE SET qty = qty + 1;"
	" END;"
	"CREATE TRIGGER device_count_delete AFTER DELETE ON device BEGIN"
	" UPDATE stock_count SET qty = qty - 1 WHERE kind = OLD.kind"
	" AND state = OLD.state AND location_id = coalesce(OLD.location_id, 0)"
	" AND lot_id = coalesce(OLD.lot_id, 0)"
	" AND grade = coalesce(OLD.grade, ''); END;"
	"CREATE TRIGGER device_count_update AFTER UPDATE OF kind, state,"
	" location_id, lot_id, grade ON device BEGIN"
	" UPDATE stock_count SET qty = qty - 1 WHERE kind = OLD.kind"
	" AND state = OLD.state AND location_id = coalesce(OLD.location_id, 0)"
	" AND lot_id = coalesce(OLD.lot_id, 0)"
	" AND grade = coalesce(OLD.grade, '');"
	" INSERT INTO stock_count VALUES (NEW.kind, NEW.state,"
	" coalesce(NEW.location_id, 0), coalesce(NEW.lot_id, 0),"
	" coalesce(NEW.grade, ''), 1) ON CONFLICT DO UPDATE SET qty = qty + 1;"
	" END;"

	"CREATE TRIGGER sim_count_insert AFTER INSERT ON sim BEGIN"
	" INSERT INTO stock_count VALUES ('sim', NEW.state,"
	" coalesce(NEW.location_id, 0), coalesce(NEW.lot_id, 0), '', 1)"
	" ON CONFLICT DO UPDATE SET qty = qty + 1; END;"
	"CREATE TRIGGER sim_count_delete AFTER DELETE ON sim BEGIN"
	" UPDATE stock_count SET qty = qty - 1 WHERE kind = 'sim'"
	" AND state = OLD.state AND location_id = coalesce(OLD.location_id, 0)"
	" AND lot_id = coalesce(OLD.lot_id, 0) AND grade = ''; END;"
	"CREATE TRIGGER sim_count_update AFTER UPDATE OF state, location_id,"
	" lot_id ON sim BEGIN"
	" UPDATE stock_count SET qty = qty - 1 WHERE kind = 'sim'"
	" AND state = OLD.state AND location_id = coalesce(OLD.location_id, 0)"
	" AND lot_id = coalesce(OLD.lot_id, 0) AND grade = '';"
	" INSERT INTO stock_count VALUES ('sim', NEW.state,"
	" coalesce(NEW.location_id, 0), coalesce(NEW.lot_id, 0), '', 1)"
	" ON CONFLICT DO UPDATE SET qty = qty + 1; END;"

	/* The same view, over the counts. */
	"DROP VIEW stock_item;"
	"CREATE VIEW stock_item AS"
	" SELECT k.kind AS kind, k.state AS state, lc.tag AS location,"
	" c.territory AS territory, s.tag AS supplier,"
	" nullif(k.grade, '') AS grade, k.qty AS qty FROM stock_count k"
	" LEFT JOIN location lc ON lc.id = k.location_id"
	" LEFT JOIN commune c ON c.insee = lc.commune"
	" LEFT JOIN lot lt ON lt.id = k.lot_id"
	" LEFT JOIN supplier s ON s.id = lt.supplier_id WHERE k.qty > 0"
	" UNION ALL SELECT 'accessory', 'in_stock', lc.tag, c.territory, NULL,"
	" NULL, k.count FROM accessory_stock k"
	" JOIN location lc ON lc.id = k.location_id"
	" JOIN commune c ON c.insee = lc.commune WHERE k.count > 0",

	/* 14: report tallies kept as the data changes (store-tally.c). */
	store_tally_schema,

	/*
	 * 15: indexes for list queries and lookups (tests/func/query-plans.sh
	 * reads every statement's plan). Lists page by id: an index on the
	 * filtered column alone keeps its rows in id order, so a page is read
	 * without sorting every match. Child keys are indexed so that a
	 * foreign key check never reads a whole table.
	 */
	"CREATE INDEX device_state_id ON device (state);"
	"CREATE INDEX device_brand ON device (brand);"
	"CREATE INDEX sim_lot ON sim (lot_id);"
	"CREATE INDEX repair_device ON repair (device_id);"
	"CREATE INDEX repair_replacement ON repair (replacement_id);"
	"CREATE INDEX kit_unit_device_id ON kit_unit (device_id);"
	"CREATE INDEX kit_unit_sim_id ON kit_unit (sim_id)",

	/* 16: spare (reserved). */
	"",

	/*
	 * 17: the first step of each kind per person, read by the per-person
	 * exports, in the order of the step: a person's hand-overs by time
	 * (replacing the index on the person alone), orientations by day,
	 * certifications passed by day. People whose identity is kept, by
	 * the day they were referred: the retention purge reads only those
	 * referred before its cut-off.
	 */
	"DROP INDEX handover_beneficiary;"
	"CREATE INDEX handover_beneficiary ON handover (beneficiary_id, at);"
	"CREATE INDEX orientation_beneficiary_on ON orientation"
	" (beneficiary_id, oriented_on);"
	"CREATE INDEX certification_beneficiary_passed ON certification"
	" (beneficiary_id, certified_on) WHERE result = 'passed';"
	"CREATE INDEX beneficiary_kept ON beneficiary (referred_on)"
	" WHERE identity_erased_at IS NULL",

	/*
	 * 18: a diagnostic's id is its person's (b.id rather than the equal
	 * d.beneficiary_id), so that a page of diagnostics of a territory or
	 * a prescriber is read in the order of the person's index, unsorted.
	 */
	"DROP VIEW diagnostic_v;"
	"CREATE VIEW diagnostic_v AS SELECT b.id AS id, b.tag,"
	" b.territory, p.tag AS prescriber, d.diagnosed_on,"
	" d.adviser, d.device_need, d.connection_need,"
	" d.autonomy, d.training_wished, d.certification_wished, d.note,"
	" d.late, d.created_at FROM diagnostic d"
	" JOIN beneficiary b ON b.id = d.beneficiary_id"
	" JOIN prescriber p ON p.id = b.prescriber_id",

	/* 19: a partner's repair tickets, a page at a time. */
	"CREATE INDEX repair_partner ON repair (partner_id)",

	/*
	 * 20: an orientation and a certification carry their person's
	 * territory and prescriber (kept by triggers), so that a page of
	 * those of a territory or a prescriber is read in id order from an
	 * index, unsorted. Filling them changes no fact of the tallies: the
	 * people it marks are unmarked.
	 */
	"CREATE TEMP TABLE dirty_before AS SELECT * FROM report_dirty;"
	SCOPE_COLUMNS("orientation")
	SCOPE_COLUMNS("certification")
	"DELETE FROM report_dirty WHERE beneficiary_id NOT IN"
	" (SELECT beneficiary_id FROM temp.dirty_before);"
	"DROP TABLE temp.dirty_before;"
	"CREATE TRIGGER beneficiary_scope AFTER UPDATE OF territory,"
	" prescriber_id ON beneficiary WHEN NEW.territory IS NOT OLD.territory"
	" OR NEW.prescriber_id IS NOT OLD.prescriber_id BEGIN"
	" UPDATE orientation SET territory = NEW.territory,"
	" prescriber_id = NEW.prescriber_id WHERE beneficiary_id = NEW.id;"
	" UPDATE certification SET territory = NEW.territory,"
	" prescriber_id = NEW.prescriber_id WHERE beneficiary_id = NEW.id;"
	" END;"
	"DROP VIEW orientation_v;"
	"CREATE VIEW orientation_v AS SELECT r.id, b.tag AS beneficiary,"
	" r.territory, p.tag AS prescriber, o.tag AS offer,"
	" o.name AS offer_name, o.kind AS offer_kind, pl.name AS provider,"
	" r.oriented_on, r.funding, r.attended, r.completed, r.created_at,"
	" r.vouchers, o.service, pl.id AS place, pl.name AS place_name,"
	" pl.address, pl.commune AS place_commune"
	" FROM orientation r JOIN beneficiary b ON b.id = r.beneficiary_id"
	" JOIN prescriber p ON p.id = r.prescriber_id"
	" JOIN offer o ON o.id = r.offer_id JOIN place pl ON pl.id = o.place_id;"
	"DROP VIEW certification_v;"
	"CREATE VIEW certification_v AS SELECT c.id, b.tag AS beneficiary,"
	" c.territory, p.tag AS prescriber, c.kind, c.certified_on, c.result,"
	" c.score, c.created_at, c.funding, c.vouchers FROM certification c"
	" JOIN beneficiary b ON b.id = c.beneficiary_id"
	" JOIN prescriber p ON p.id = c.prescriber_id",

	/*
	 * 21: the follow-up schedule kept as the data changes. It was
	 * computed over everyone diagnosed at each request and sorted. A
	 * person's two slots are made again, by triggers, at each change of
	 * their diagnostic, hand-overs, orientations or follow-ups, and
	 * follow their territory and prescriber; a slot is done once
	 * followup_id is set. The key puts a person's slots in the list's
	 * order; each filter of the list has its index in that order (due
	 * date, person, month), those not done (what is due, overdue or
	 * pending) apart, so that a page reads only its rows, unsorted.
	 */
	"CREATE TABLE followup_slot (beneficiary_id INTEGER NOT NULL,"
	" month INTEGER NOT NULL, due_on TEXT NOT NULL, basis TEXT NOT NULL,"
	" territory TEXT NOT NULL, prescriber_id INTEGER NOT NULL,"
	" followup_id INTEGER,"
	" PRIMARY KEY (beneficiary_id, due_on, month)) WITHOUT ROWID;"
	SLOT_FILL("1")
	"CREATE INDEX followup_slot_due ON followup_slot"
	" (due_on, beneficiary_id, month);"
	"CREATE INDEX followup_slot_open ON followup_slot"
	" (due_on, beneficiary_id, month) WHERE followup_id IS NULL;"
	"CREATE INDEX followup_slot_territory ON followup_slot"
	" (territory, due_on, beneficiary_id, month);"
	"CREATE INDEX followup_slot_territory_open ON followup_slot"
	" (territory, due_on, beneficiary_id, month)"
	" WHERE followup_id IS NULL;"
	"CREATE INDEX followup_slot_prescriber ON followup_slot"
	" (prescriber_id, due_on, beneficiary_id, month);"
	SLOT_TRIGGERS("diagnostic", "diagnosed_on")
	SLOT_TRIGGERS("handover", "at, cancelled_at")
	SLOT_TRIGGERS("orientation", "oriented_on")
	SLOT_TRIGGERS("followup", "month, due_on, basis")
	"CREATE TRIGGER followup_slot_scope AFTER UPDATE OF territory,"
	" prescriber_id ON beneficiary WHEN NEW.territory IS NOT OLD.territory"
	" OR NEW.prescriber_id IS NOT OLD.prescriber_id BEGIN"
	" UPDATE followup_slot SET territory = NEW.territory,"
	" prescriber_id = NEW.prescriber_id WHERE beneficiary_id = NEW.id;"
	" END;"
	"CREATE TRIGGER followup_slot_beneficiary_delete AFTER DELETE"
	" ON beneficiary BEGIN DELETE FROM followup_slot"
	" WHERE beneficiary_id = OLD.id; END",

	/*
	 * 22: the top-ups and the connections listed a page at a time, in id
	 * order, by index: each top-up keeps the beneficiary of its
	 * hand-over and their territory (given at insert, else set by
	 * trigger; the territory followed when it changes). Indexes: a SIM
	 * card's top-ups in force, a beneficiary's top-ups, the activations
	 * in force of a territory, each in id order.
	 */
	"ALTER TABLE topup ADD COLUMN beneficiary_id INTEGER;"
	"ALTER TABLE topup ADD COLUMN territory TEXT;"
	"UPDATE topup SET (beneficiary_id, territory) = (SELECT b.id,"
	" b.territory FROM handover h JOIN beneficiary b"
	" ON b.id = h.beneficiary_id WHERE h.id = topup.handover_id);"
	"CREATE INDEX topup_sim_page ON topup (sim_id)"
	" WHERE cancelled_at IS NULL;"
	"CREATE INDEX topup_beneficiary ON topup (beneficiary_id);"
	"CREATE INDEX topup_connection ON topup (territory)"
	" WHERE kind = 'activation' AND cancelled_at IS NULL;"
	"CREATE TRIGGER topup_scope AFTER INSERT ON topup"
	" WHEN NEW.beneficiary_id IS NULL BEGIN UPDATE topup"
	" SET (beneficiary_id, territory) = (SELECT b.id, b.territory"
	" FROM handover h JOIN beneficiary b ON b.id = h.beneficiary_id"
	" WHERE h.id = NEW.handover_id) WHERE id = NEW.id; END;"
	"CREATE TRIGGER topup_scope_territory AFTER UPDATE OF territory"
	" ON beneficiary WHEN NEW.territory IS NOT OLD.territory BEGIN"
	" UPDATE topup SET territory = NEW.territory"
	" WHERE beneficiary_id = NEW.id; END",

	/*
	 * 23: the open needs counted as they change. The alerts counted
	 * everyone diagnosed as needing a device against their kits at each
	 * request. need_open holds who waits for which kind (diagnosed as
	 * needing one, no kit in force), made again for a person at each
	 * change of their diagnostic or kits; need_count sums it by kind.
	 */
	"CREATE TABLE need_open (beneficiary_id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL);"
	"CREATE TABLE need_count (kind TEXT PRIMARY KEY,"
	" n INTEGER NOT NULL CHECK (n >= 0)) WITHOUT ROWID;"
	"CREATE TRIGGER need_open_add AFTER INSERT ON need_open BEGIN"
	" INSERT INTO need_count VALUES (NEW.kind, 1)"
	" ON CONFLICT DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER need_open_remove AFTER DELETE ON need_open BEGIN"
	" UPDATE need_count SET n = n - 1 WHERE kind = OLD.kind; END;"
	"INSERT INTO need_open SELECT d.beneficiary_id, d.device_need"
	" FROM diagnostic d WHERE " NEED_OPEN("d.beneficiary_id") ";"
	NEED_TRIGGERS("diagnostic", "device_need")
	NEED_TRIGGERS("kit", "state")
	/*
	 * A statement with triggers looks, on inserting a kit, for rows
	 * that referred to it before (foreign keys): by index, not by a scan
	 * of every hand-over and repair.
	 */
	"CREATE INDEX handover_kit_any ON handover (kit_id);"
	"CREATE INDEX repair_kit ON repair (kit_id)",

	/*
	 * 24: the connections short of the programme's months, kept as they
	 * change. The alerts read every connection handed over to find the
	 * few to top up: connection_open holds the activation top-ups of the
	 * connections in force whose SIM card is live and paid, and whose
	 * paid periods, without a gap, do not reach the months yet; made
	 * again for a SIM card at each change of its top-ups, its state, its
	 * hand-over, and for all when the months change.
	 */
	"CREATE TABLE connection_open (id INTEGER PRIMARY KEY"
	" REFERENCES topup (id));"
	CONN_OPEN("1")
	CONN_TRIGGERS(CONN_OPEN),

	/*
	 * 25: the day each connection short of the months falls due (its
	 * SIM card's paid_until, kept with it), so that the top-ups due are
	 * read a page at a time in that order from an index instead of
	 * sorting every one kept at each page (110 ms a page at 100,000).
	 */
	"ALTER TABLE connection_open ADD COLUMN due_on TEXT;"
	"UPDATE connection_open SET due_on = (SELECT m.paid_until FROM topup t"
	" JOIN sim m ON m.id = t.sim_id WHERE t.id = connection_open.id);"
	"CREATE INDEX connection_open_due ON connection_open (due_on, id);"
	"DROP TRIGGER connection_topup_insert;"
	"DROP TRIGGER connection_topup_update;"
	"DROP TRIGGER connection_topup_delete; DROP TRIGGER connection_sim;"
	"DROP TRIGGER connection_handover; DROP TRIGGER connection_months;"
	"DROP TRIGGER connection_months_i; DROP TRIGGER connection_months_d;"
	CONN_TRIGGERS(CONN_OPEN_DUE),

	/*
	 * 26 (scan roles): the role a station's USB scanners act with (a
	 * scan over the API acts with its caller's), given to existing
	 * stations by their mode (checkout: distribution, else warehouse);
	 * and who made each scan, so that CANCEL undoes only its operator's.
	 */
	"ALTER TABLE station ADD COLUMN role TEXT NOT NULL DEFAULT 'warehouse'"
	" CHECK (role IN ('warehouse', 'distribution', 'coordinator'));"
	"UPDATE station SET role = 'distribution' WHERE mode = 'checkout';"
	"ALTER TABLE scan ADD COLUMN actor TEXT",

	/*
	 * 27 (sessions): a browser's cookie is a session of its own, kept
	 * only as the SHA-256 of its random value: the actor, role,
	 * prescriber and scope it acts with (a token's holder now, an
	 * account's later), the token that opened it (revoking the token
	 * ends it), when it was made, last used, and when it ends.
	 */
	"CREATE TABLE session (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" hash TEXT NOT NULL UNIQUE, actor TEXT NOT NULL,"
	" role TEXT NOT NULL CHECK (role IN ('warehouse', 'distribution',"
	" 'coordinator', 'prescriber', 'evaluator')),"
	" prescriber_id INTEGER REFERENCES prescriber (id),"
	" scope TEXT NOT NULL CHECK (scope IN ('dashboard')),"
	" token_id INTEGER REFERENCES token (id), created_at TEXT NOT NULL,"
	" seen_at TEXT NOT NULL, expires_at TEXT NOT NULL);"
	"CREATE INDEX session_token ON session (token_id)",

	/*
	 * 28 (print after commit): a label printed on receive is recorded
	 * "queued" in the receiving's transaction and sent by a worker after
	 * its COMMIT. SQLite cannot change a CHECK: the table is rebuilt with
	 * its rows (so this also runs again on a print_job of any earlier
	 * shape with the same columns).
	 */
	"CREATE TABLE print_job_new (id INTEGER PRIMARY KEY,"
	" printer TEXT NOT NULL, queue TEXT NOT NULL, template TEXT NOT NULL,"
	" format TEXT NOT NULL, tags_json TEXT NOT NULL,"
	" bytes INTEGER NOT NULL, cups_job INTEGER,"
	" state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'completed',"
	" 'aborted', 'canceled', 'stopped', 'failed')), reason TEXT,"
	" actor TEXT NOT NULL, created_at TEXT NOT NULL, done_at TEXT);"
	"INSERT INTO print_job_new SELECT id, printer, queue, template, format,"
	" tags_json, bytes, cups_job, state, reason, actor, created_at, done_at"
	" FROM print_job;"
	"DROP TABLE print_job;"
	"ALTER TABLE print_job_new RENAME TO print_job;"
	"CREATE INDEX print_job_state ON print_job (state)",
};

const int store_nmigrations = sizeof store_migrations /
    sizeof store_migrations[0];
