#!/bin/bash
# What operators read is French by default: the daemon's sentences with no
# configuration at all (LANG unset, as under systemd), and the client's.
. "$(dirname "$0")/lib"
DAEMON_LANGUAGE=fr
unset LANG LC_ALL LC_MESSAGES LANGUAGE
start_daemon

api POST /v1/devices '{"kind":"grille-pain","serial":"X","lot":"R-0000001-5"}'
is "$status" 400 "refused"
like "$(jget .error.message)" "« grille-pain » n'est pas reconnu" "unknown kind, in French"
api POST /v1/suppliers '{"name":"X","siret":"73282932000075"}'
like "$(jget .error.message)" '73282932000075.*chiffre de contrôle' "bad SIRET, in French"
api POST /v1/locations '{"name":"X","kind":"warehouse","commune":"93059"}'
like "$(jget .error.message)" 'Pierrefitte.*93066' "merged commune, in French"
like "$(jget .error.message)" 'fait désormais partie de 93066' "says it merged"
api GET /v1/devices/D-0000123-J
like "$(jget .error.message)" "D-0000123-J n'est pas une étiquette valide" "bad check character, in French"
done_testing
