#!/bin/bash
# The client's refusals: exit 1 with "kitstock: <sentence>" for what the
# daemon refuses (database unchanged), exit 2 for usage errors, exit 3 when
# the daemon cannot be reached.
. "$(dirname "$0")/lib"
start_daemon

ks supplier add --name "Ateliers"; F=$out
ks location add --name "Entrepôt" --kind warehouse --commune 93008; W=$out
ks lot add --supplier "$F" --ref BL-1; R=$out
ks device add --kind laptop --serial SN1 --brand Dell --lot "$R" --location "$W"; D=$out
is "$rc" 0 "setup"

# refused "name" PATTERN ARGS...: exit 1, a sentence, nothing changed.
refused() {
	local name=$1 pattern=$2 before
	shift 2
	before=$(dbsum)
	ks "$@"
	is "$rc" 1 "$name: exit 1"
	like "$err" "^kitstock: .*$pattern" "$name: the sentence"
	is "$(dbsum)" "$before" "$name: database unchanged"
}
refused "invalid IMEI" '359876543210986' device add --kind smartphone --serial X --lot "$R" --imei 359876543210986
refused "invalid ICCID" '8933150319050000003' sim add --iccid 8933150319050000003 --operator Orange
refused "invalid SIRET" '12345678901234' supplier add --name X --siret 12345678901234
refused "invalid INSEE" '9300' location add --name X --kind warehouse --commune 9300
refused "commune outside the programme" '75056' location add --name X --kind warehouse --commune 75056
refused "invalid date" '2026-02-30' lot add --supplier "$F" --ref X --date 2026-02-30
refused "invalid amount" '12,345' lot add --supplier "$F" --ref X --unit-cost 12,345
refused "invalid grade" '"?D' device add --kind laptop --serial X --lot "$R" --grade D
refused "invalid kind" 'toaster' device add --kind toaster --serial X --lot "$R"
refused "duplicate serial" "SN1.*$D" device add --kind laptop --serial SN1 --brand Dell --lot "$R"
refused "wrong check character" 'check character' show "${D%?}$([ "${D: -1}" = A ] && echo B || echo A)"
refused "unknown tag" 'D-0000099-M' show D-0000099-M
refused "illegal transition" 'allowed' state "$D" --to handed_over
refused "future effective date" 'future' state "$D" --to in_repair --reason x --at 2099-01-01
refused "unknown field in edit" 'colour' edit "$D" --colour red
refused "moving to an unknown location" 'L-0000099-0' move "$D" --to L-0000099-0

# Usage errors: exit 2, before any request.
before=$(dbsum)
ks device add --serial X
is "$rc" 2 "missing required option is a usage error"
ks frobnicate
is "$rc" 2 "unknown command"
ks device add --kind laptop --serial X --lot "$R" --ram-gb huit
is "$rc" 2 "non-numeric number"
ks sim add --iccid 89330123456789012342 --operator O --pin 1234
is "$rc" 2 "a PIN on the command line is refused"
is "$(dbsum)" "$before" "usage errors change nothing"

# PIN read from stdin is validated by the daemon without being echoed.
out=$(printf '12\n' | "$KITSTOCK" -s "$SOCK" sim add --iccid 89330123456789012342 --operator O --pin-stdin 2>&1)
is "$?" 1 "a short PIN is refused"
unlike "$out" ' 12( |$)' "without echoing it"

# The daemon unreachable: exit 3 with a sentence naming the socket.
"$KITSTOCK" -s "$T/nowhere.sock" health 2>"$T/e"
is "$?" 3 "unreachable daemon: exit 3"
like "$(cat "$T/e")" 'nowhere.sock' "naming the socket"
KITSTOCK_SOCKET=$SOCK "$KITSTOCK" health >/dev/null
is "$?" 0 "KITSTOCK_SOCKET is honoured"
"$KITSTOCK" --version | grep -q '^kitstock [0-9]'
is "$?" 0 "--version"
"$KITSTOCK" --help >"$T/help"
is "$?" 0 "--help"
for c in "supplier add" "device add" "sim add" "accessory adjust" "show" "edit" "move" "state" "history" "stock"; do
	grep -q "$c" "$T/help" || fail "--help lists $c"
done
pass "--help lists the commands"
done_testing
