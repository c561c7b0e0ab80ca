#!/bin/bash
# What the operator reads at a station is French by default: the verdict's
# sentence from the daemon, and OK / REFUSÉ from the client.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
. "$(dirname "$0")/lib-station"
mkdir -p "$T/locale/fr/LC_MESSAGES"
msgfmt -o "$T/locale/fr/LC_MESSAGES/kitstock.mo" "${SRCDIR:-.}/shared/po/fr.po" ||
    { echo "Bail out! cannot build the French catalog"; exit 1; }
export KITSTOCK_LOCALEDIR=$T/locale
DAEMON_LANGUAGE=fr
station_conf 0
start_daemon -c "$T/station.conf"
kit_setup
kit_ready "$B1"
event_today "$B1"
ks station add caisse --location "$P" --mode checkout --distribution "$E"
scan caisse "$B1"
scanned "la convocation" ok "^$B1 : convoqué à $E — scannez maintenant son kit$"
scan caisse "$K"
scanned "le kit" ok "^$K : remis à $B1 — scannez la convocation suivante$"
scan caisse "$D1"
scanned "un appareil déjà remis" refused "^$D1 : déjà remis à $B1 le $(date -u +%d/%m) — scannez un autre appareil$"
KITSTOCK_LANG=fr ks scan "$K" --station caisse
is "$rc" 1 "kitstock scan: refusé"
like "$out" "^REFUSÉ caisse: $K : déjà remis à $B1 le" "REFUSÉ, then the sentence in French"
KITSTOCK_LANG=fr ks scan KS:MODE:AUDIT --station caisse
like "$out" "^OK caisse: caisse : désormais en mode audit — scannez d'abord le lieu à inventorier" "a mode switched, in French"
scan caisse NOSUCH
scanned "un article avant le lieu" refused "^NOSUCH : aucun inventaire commencé — scannez d'abord le lieu à inventorier$"
scan caisse "$W"
scan caisse NOSUCH
scanned "un code inconnu" refused "^NOSUCH : inconnu ici — mettez-le de côté et vérifiez-le au bureau$"
api POST /v1/scans '{"station":"caisse","code":""}'
like "$(jget .error.message)" "code" "bad input is answered"
curl -s --unix-socket "$SOCK" -o "$T/c.pdf" http://localhost/v1/labels/commands
like "$(pdftotext "$T/c.pdf" - | tr '\n' ' ')" "Fin de l'inventaire.*Annuler le dernier scan.*Retour : en panne" "the command sheet is in French"
done_testing
