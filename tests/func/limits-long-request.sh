#!/bin/bash
# A request whose handler runs longer than request-timeout (a 3,000-line
# manifest import takes seconds under the sanitizers; request-timeout is
# 1 s here) still gets its answer: libevent armed the reply's timeouts
# from the time cached before the handler ran, so they expired at once
# and the answer was dropped although the import was committed; that is
# how lot-import-large.sh lost its re-import answer under heavy load.
. "$(dirname "$0")/lib"
printf 'language en\nrequest-timeout 1\n' > "$T/k.conf"
start_daemon -c "$T/k.conf"
api POST /v1/suppliers '{"name":"Reconditionneur"}'; F=$(jget .tag)
awk 'BEGIN { print "kind,brand,model,serial"
	for (i = 1; i <= 3000; i++) printf "laptop,Lenovo,T480,PF%07d\n", i }' > "$T/m.csv"
ks lot import "$T/m.csv" --supplier "$F"
is "$rc" 0 "the import is answered"
like "$out" '^R-' "with the lot's tag"
is "$err" "" "and nothing on standard error"
is "$(sql "SELECT count(*) FROM expected_unit")" 3000 "3,000 units expected"
sum=$(dbsum)
ks lot import "$T/m.csv" --supplier "$F" --lot "$out"
is "$rc" 1 "the same file again: refused, and the refusal arrives"
like "$err" 'no line of the manifest can be imported \(bad lines: 3000\)' "saying why"
is "$(dbsum)" "$sum" "nothing changed"
is "$(alive)" 200 "the daemon keeps serving"
done_testing
