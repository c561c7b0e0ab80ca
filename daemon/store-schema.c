/*
 * The schema as an append-only list of migrations: a new database runs every
 * step from 0, an old one the steps it lacks. Never edit a released entry.
 */

#include "kitstockd.h"

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
	"SELECT 1",

	/* 5: kits, distributions, hand-overs, top-ups, repairs. */
	"SELECT 1",

	/* 6: delivery manifests: expected units, receiving. */
	"SELECT 1",

	/* 7: label templates in use, pre-printed tags, printers, print jobs. */
	"SELECT 1",

	/* 8: tokens for TCP clients, kept as the hash of their secret. */
	"CREATE TABLE token (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('warehouse', 'distribution',"
	" 'coordinator', 'prescriber', 'evaluator')),"
	" prescriber_id INTEGER REFERENCES prescriber (id),"
	" hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,"
	" expires_on TEXT, revoked_at TEXT)",
};

const int store_nmigrations = sizeof store_migrations /
    sizeof store_migrations[0];
