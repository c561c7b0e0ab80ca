#!/bin/bash
# make screenshot: the dashboard on a generated programme, as
# docs/dashboard.png (kept in the repository for the README). Not a test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/func/lib"
. "$here/func/lib-path"
. "$here/func/lib-report"
png=${1:-docs/dashboard.png}
port=$((20000 + RANDOM % 20000))
DAEMON_LANGUAGE=fr start_daemon --listen "127.0.0.1:$port"
report_generate 96 >/dev/null
ks token add capture --role coordinator
tok=$out
mkdir -p "$T/chrome" "$(dirname "$png")"
chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-sync --disable-extensions \
    --user-data-dir="$T/chrome" --remote-debugging-port=0 \
    --window-size=1280,1600 --hide-scrollbars \
    "http://127.0.0.1:$port/dashboard#token=$tok" >/dev/null 2>&1 &
chrome=$!
ready=$(timeout 150 python3 "$here/func/cdp.py" "$T/chrome" "$T/dom.html" "$T/shot.png" 90)
kill "$chrome" 2>/dev/null; wait "$chrome" 2>/dev/null
[ "$ready" = 1 ] || { echo "the dashboard did not load ($ready)" >&2; exit 1; }
cp "$T/shot.png" "$png"
echo "$png"
stop_daemon
