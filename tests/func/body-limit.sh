#!/bin/bash
# A 10 MB body is refused by evhttp's own limit before any handler runs,
# the daemon does not grow, and it keeps serving.
. "$(dirname "$0")/lib"
start_daemon

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status"; }
before=$(rss)
big=$T/big.json
{ printf '{"name":"'; head -c 10485760 /dev/zero | tr '\0' 'a'; printf '"}'; } > "$big"
sum=$(dbsum)
code=$(curl -s --unix-socket "$SOCK" -o "$T/out" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @"$big" \
    http://localhost/v1/suppliers)
is "$code" 413 "a 10 MB body gets 413"
code=$(curl -s --unix-socket "$SOCK" -o "$T/out" -w '%{http_code}' \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$big" http://localhost/v1/suppliers)
like "$code" '^(413|000)$' "a chunked 10 MB body is refused too"
after=$(rss)
growth=$(( (after - before) / 1024 ))
ok=$([ "$growth" -lt 8 ] && echo yes || echo "no ($growth MB)")
is "$ok" yes "the daemon did not grow by the body (RSS $before -> $after kB)"
is "$(dbsum)" "$sum" "database unchanged"
is "$(alive)" 200 "still serving"
api POST /v1/suppliers '{"name":"Après le gros corps"}'
is "$status" 201 "and still writing"
done_testing
