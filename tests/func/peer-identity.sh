#!/bin/bash
# The peer's user (SO_PEERCRED) is the actor of every change; the socket's
# mode decides who may connect at all. Runs as root, so it drops to nobody
# with setpriv to prove it.
. "$(dirname "$0")/lib"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to drop privileges"; exit 0; }
chmod 755 "$T"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

start_daemon
is "$(stat -c '%a %U' "$SOCK")" "660 root" "socket is 0660, owned by the daemon's user"
as_nobody curl -s --unix-socket "$SOCK" http://localhost/v1/health >/dev/null 2>&1
is "$?" 7 "another user cannot connect to a 0660 socket"
stop_daemon

printf 'socket-mode 0666\nrole user nobody warehouse\n' > "$T/open.conf"
start_daemon -c "$T/open.conf"
out=$(as_nobody curl -s --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
    -d '{"name":"Fournisseur de nobody"}' http://localhost/v1/suppliers)
tag=$(jget .tag "$out")
like "$tag" '^F-' "nobody can write through a 0666 socket"
is "$(sql "SELECT actor FROM ledger WHERE entity='$tag'")" nobody "the ledger names nobody as the actor"
api POST /v1/suppliers '{"name":"Fournisseur de root"}'
is "$(sql "SELECT actor FROM ledger WHERE entity='$(jget .tag)'")" root "and root as root"
out=$(curl -s --unix-socket "$SOCK" -H 'X-Kitstock-Station: entrepot-1' -X POST \
    -H 'Content-Type: application/json' -d '{"name":"Par la station"}' http://localhost/v1/suppliers)
is "$(sql "SELECT station FROM ledger WHERE entity='$(jget .tag "$out")'")" entrepot-1 "station from the header"
out=$(curl -s --unix-socket "$SOCK" -H 'X-Kitstock-Station: ../../etc' -X POST \
    -H 'Content-Type: application/json' -d '{"name":"Station bizarre"}' http://localhost/v1/suppliers)
is "$(sql "SELECT station FROM ledger WHERE entity='$(jget .tag "$out")'")" api "a malformed station name is not recorded"
done_testing
