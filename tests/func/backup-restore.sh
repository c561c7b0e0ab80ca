#!/bin/bash
# kitstock backup: a consistent copy made while the daemon serves, written
# safely and rotated; the documented restore (stop, copy, start) gives a
# daemon that serves and whose history matches the copy.
. "$(dirname "$0")/lib"
start_daemon
ks supplier add --name "Ateliers"; F=$out
ks location add --name "Entrepôt" --kind warehouse --commune 93008; W=$out
ks lot add --supplier "$F" --ref BL-1; R=$out
ks device add --kind laptop --serial B-1 --lot "$R" --location "$W"; D=$out
ks state "$D" --to in_repair --reason "avant la sauvegarde"
history_then=$(sql "SELECT group_concat(id||action, ',') FROM ledger")

ks backup "$T/backups/kitstock.db"
is "$rc" 1 "a backup into a missing directory is refused"
mkdir -p "$T/backups"
ks backup "$T/backups/kitstock.db" --keep 3
is "$rc" 0 "backup written"
like "$out" 'bytes written' "saying how much"
is "$(sqlite3 "$T/backups/kitstock.db" 'PRAGMA integrity_check')" ok "the copy is a sound database"
is "$(sqlite3 "$T/backups/kitstock.db" 'PRAGMA journal_mode')" delete "and self-contained (no WAL)"
is "$(stat -c %a "$T/backups/kitstock.db")" 600 "readable by its owner only"

# More work, two more backups: rotation keeps three copies.
ks state "$D" --to in_stock --reason "après la sauvegarde"
ks backup "$T/backups/kitstock.db" --keep 3
ks backup "$T/backups/kitstock.db" --keep 3
ks backup "$T/backups/kitstock.db" --keep 3
is "$(ls "$T/backups" | sort | tr '\n' ' ')" "kitstock.db kitstock.db.1 kitstock.db.2 " "three copies kept"
like "$(cat "$T/daemon.log")" 'backup of [0-9]+ bytes sent to root' "backups are logged"

# Restore the first copy: stop, replace the database, start.
first=$T/first.db
ks backup "$first"
sqlite3 "$first" "SELECT 1" >/dev/null
stop_daemon
cp "$T/backups/kitstock.db.2" "$DB"
rm -f "$DB-wal" "$DB-shm"
start_daemon
is "$(alive)" 200 "the restored database serves"
is "$(sql "SELECT state FROM device WHERE tag='$D'")" in_stock "state as in the copy restored"
api GET "/v1/history/$D"
is "$(jget '[.history[].action] | join(",")')" create,state,state "its history is there"
is "$(sql 'PRAGMA integrity_check')" ok "integrity ok"
cp "$first" "$T/x.db"
is "$(sqlite3 "$T/x.db" "SELECT group_concat(id||action, ',') FROM ledger" | cut -c1-${#history_then})" "$history_then" "history matches up to the copy"
done_testing
