/*
 * Summaries kept by triggers in the same transaction as each change, for
 * the alerts: the SQL of who they hold, shared by their migrations
 * (store-schema.c) and by their recount (store-kept.c). A migration is
 * never edited once released: change these only with a new migration.
 */

#ifndef STORE_KEPT_H
#define STORE_KEPT_H

/*
 * A summary kept per person: triggers named prefix + t on insert, update
 * of cols (or of the person) and delete of table t, each making the
 * person's rows again with refresh(row, cond) (of both people if the row
 * moved from one to another).
 */
#define PERSON_TRIGGERS(prefix, t, cols, refresh)			\
	"CREATE TRIGGER " prefix t "_insert AFTER INSERT ON " t " BEGIN"	\
	refresh("NEW", "") " END;"					\
	"CREATE TRIGGER " prefix t "_update AFTER UPDATE OF " cols	\
	", beneficiary_id ON " t " BEGIN" refresh("NEW", "")		\
	refresh("OLD", " AND OLD.beneficiary_id <> NEW.beneficiary_id")	\
	" END;"								\
	"CREATE TRIGGER " prefix t "_delete AFTER DELETE ON " t " BEGIN"	\
	refresh("OLD", "") " END;"

/*
 * Migration 23: does person p wait for a device (diagnosed as needing one,
 * no kit planned, being picked, ready or handed over)?
 */
#define NEED_OPEN(p)							\
	"d.beneficiary_id = " p " AND d.device_need <> 'none'"		\
	" AND NOT EXISTS (SELECT 1 FROM kit k WHERE k.beneficiary_id = " p	\
	" AND k.state NOT IN ('cancelled', 'returned'))"
/* Person r's need made again (r: OLD or NEW of the row changed). */
#define NEED_REFRESH(r, cond)						\
	" DELETE FROM need_open WHERE beneficiary_id = " r ".beneficiary_id"	\
	cond "; INSERT INTO need_open SELECT d.beneficiary_id, d.device_need"	\
	" FROM diagnostic d WHERE " NEED_OPEN(r ".beneficiary_id") cond ";"
/* On a change of table t, the need of the person (of both if it moved). */
#define NEED_TRIGGERS(t, cols)	PERSON_TRIGGERS("need_", t, cols, NEED_REFRESH)

/*
 * Migration 24: the activation top-ups (t) of the connections meeting cond
 * that are in force, live (SIM card active or suspended, paid until a
 * date) and short of the programme's months: their periods, in date order
 * and up to the first gap, end before the hand-over's day plus the months
 * (api_topup_cover works the same out for an answer).
 */
#define CONN_SHORT_OF(cols, cond)					\
	" SELECT " cols " FROM topup t"					\
	" JOIN handover h ON h.id = t.handover_id"			\
	" JOIN sim m ON m.id = t.sim_id WHERE " cond			\
	" AND t.kind = 'activation' AND t.cancelled_at IS NULL"		\
	" AND h.cancelled_at IS NULL AND m.paid_until IS NOT NULL"	\
	" AND m.state IN ('active', 'suspended') AND coalesce((SELECT"	\
	" max(CASE WHEN g = 0 THEN paid_until END) FROM (SELECT paid_until,"	\
	" sum(gap) OVER (ORDER BY on_date, id ROWS UNBOUNDED PRECEDING)"	\
	" AS g FROM (SELECT x.id, x.on_date, x.paid_until,"		\
	" coalesce(x.on_date > max(x.paid_until) OVER (ORDER BY x.on_date,"	\
	" x.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS gap"	\
	" FROM topup x WHERE x.handover_id = t.handover_id"		\
	" AND x.sim_id = t.sim_id AND x.cancelled_at IS NULL)))"	\
	" >= date(h.at, '+' || coalesce((SELECT CAST(value AS INTEGER)"	\
	" FROM programme WHERE key = 'connection-months'"		\
	" AND CAST(value AS INTEGER) > 0), 6) || ' months'), 0) = 0"
#define CONN_SHORT(cond)	CONN_SHORT_OF("t.id", cond)
#define CONN_OPEN(cond)							\
	" INSERT OR IGNORE INTO connection_open" CONN_SHORT(cond) ";"
/* Migration 25: each with the day it falls due, its SIM card's paid_until. */
#define CONN_OPEN_DUE(cond)						\
	" INSERT OR IGNORE INTO connection_open (id, due_on)"		\
	CONN_SHORT_OF("t.id, m.paid_until", cond) ";"
/* The connections of SIM card s made again, by open (one of the above). */
#define CONN_REFRESH(open, s)						\
	" DELETE FROM connection_open WHERE id IN (SELECT id FROM topup"	\
	" WHERE sim_id = " s ");" open("t.sim_id = " s)
/* The triggers keeping connection_open, rows made by open. */
#define CONN_TRIGGERS(open)						\
	"CREATE TRIGGER connection_topup_insert AFTER INSERT ON topup BEGIN"	\
	CONN_REFRESH(open, "NEW.sim_id") " END;"				\
	"CREATE TRIGGER connection_topup_update AFTER UPDATE OF sim_id,"	\
	" handover_id, kind, on_date, paid_until, cancelled_at ON topup BEGIN"	\
	CONN_REFRESH(open, "OLD.sim_id") CONN_REFRESH(open, "NEW.sim_id")	\
	" END;"								\
	"CREATE TRIGGER connection_topup_delete AFTER DELETE ON topup BEGIN"	\
	CONN_REFRESH(open, "OLD.sim_id") " END;"				\
	"CREATE TRIGGER connection_sim AFTER UPDATE OF state, paid_until"	\
	" ON sim BEGIN" CONN_REFRESH(open, "NEW.id") " END;"		\
	"CREATE TRIGGER connection_handover AFTER UPDATE OF at, cancelled_at"	\
	" ON handover BEGIN DELETE FROM connection_open WHERE id IN"	\
	" (SELECT id FROM topup WHERE handover_id = NEW.id);"		\
	open("t.handover_id = NEW.id") " END;"				\
	"CREATE TRIGGER connection_months AFTER UPDATE ON programme"	\
	" WHEN NEW.key = 'connection-months' OR OLD.key = 'connection-months'"	\
	" BEGIN DELETE FROM connection_open;" open("1") " END;"		\
	"CREATE TRIGGER connection_months_i AFTER INSERT ON programme"	\
	" WHEN NEW.key = 'connection-months'"				\
	" BEGIN DELETE FROM connection_open;" open("1") " END;"		\
	"CREATE TRIGGER connection_months_d AFTER DELETE ON programme"	\
	" WHEN OLD.key = 'connection-months'"				\
	" BEGIN DELETE FROM connection_open;" open("1") " END;"

#endif
