#!/bin/bash
# The client does not send its token in clear across the network: with a
# token, --server http:// to a host that is not this machine is refused
# before any connection, saying why and what to do (https://, or
# --insecure); with --insecure it is sent. Loopback (127.0.0.0/8, ::1,
# localhost) and the UNIX socket stay allowed. No real network: the
# requests go to a proxy of ours on loopback (http_proxy), which records
# what reaches it; 192.0.2.1 is TEST-NET-1.
. "$(dirname "$0")/lib"
unset NO_PROXY no_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
printf 'tok-secret-123\n' > "$T/tok"

# A proxy that takes one request, writes it to $T/seen and answers {}.
cat > "$T/proxy.py" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
s.settimeout(15)
open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
try:
    c, _ = s.accept()
except socket.timeout:
    sys.exit(0)
c.settimeout(5)
data = b""
while b"\r\n\r\n" not in data:
    d = c.recv(4096)
    if not d:
        break
    data += d
open(sys.argv[1], "wb").write(data)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
c.close()
PY
proxy() { # start the proxy; $proxy_pid, http_proxy set
	rm -f "$T/seen" "$T/seen.port"
	python3 "$T/proxy.py" "$T/seen" & proxy_pid=$!
	for _ in $(seq 1 50); do [ -s "$T/seen.port" ] && break; sleep 0.1; done
	export http_proxy="http://127.0.0.1:$(cat "$T/seen.port")"
}
proxy_stop() { kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; unset http_proxy; }
client() { "$KITSTOCK" "$@" 2>"$T/err" >"$T/out"; rc=$?; err=$(cat "$T/err"); }

proxy
client --server http://192.0.2.1:8750 --token-file "$T/tok" stock
is "$rc" 2 "a token over http:// to another machine: refused (exit 2)"
like "$err" 'http://192.0.2.1:8750: refusing to send the token unencrypted over http://' "saying what it refuses"
like "$err" 'use https://.*or give --insecure' "and what to do"
proxy_stop
is "$(cat "$T/seen" 2>/dev/null)" "" "before any connection: nothing reached the network"

proxy
client --server http://192.0.2.1:8750 --token-file "$T/tok" --insecure stock
wait "$proxy_pid" 2>/dev/null
like "$(cat "$T/seen" 2>/dev/null)" 'GET http://192.0.2.1:8750/v1/' "--insecure: the request is sent"
like "$(cat "$T/seen" 2>/dev/null)" 'Authorization: Bearer tok-secret-123' "with its token"
unset http_proxy

proxy
client --server http://kitstock.example:8750 --token-file "$T/tok" stock
is "$rc" 2 "a host name other than localhost: refused too"
client --server http://10.1.2.3 --token-file "$T/tok" stock
is "$rc" 2 "a private address: refused too"
client --server http://[2001:db8::1]:8750 --token-file "$T/tok" stock
is "$rc" 2 "an IPv6 address: refused too"
client --server http://127.0.0.2@192.0.2.1:8750 --token-file "$T/tok" stock
is "$rc" 2 "user information that looks like loopback does not fool it"
client --token-file "$T/tok" terminal --station desk --stdin --server http://192.0.2.1:8750 </dev/null
is "$rc" 2 "the remote terminal's --server: refused the same way"
like "$err" 'refusing to send the token unencrypted' "saying why"
proxy_stop
is "$(cat "$T/seen" 2>/dev/null)" "" "none of them reached the network"

# No token, nothing secret: http:// anywhere is the operator's business.
proxy
client --server http://192.0.2.1:8750 stock
wait "$proxy_pid" 2>/dev/null
like "$(cat "$T/seen" 2>/dev/null)" 'GET http://192.0.2.1:8750/v1/' "without a token the request goes"
unset http_proxy

# Loopback and the UNIX socket stay allowed (nothing listens: exit 3).
port=$((20000 + RANDOM % 20000))
for u in "http://127.0.0.1:$port" "http://127.8.9.10:$port" "http://localhost:$port" \
    "http://[::1]:$port" "http://LOCALHOST:$port"; do
	client --server "$u" --token-file "$T/tok" stock
	is "$rc" 3 "$u: allowed with a token (tried, nothing there)"
done
client -s "$T/nosuch.sock" --token-file "$T/tok" stock
is "$rc" 3 "the UNIX socket: allowed with a token"

KITSTOCK_LANG=fr client --server http://192.0.2.1:8750 --token-file "$T/tok" stock
like "$err" 'https://' "in French too: names https://"
unlike "$err" 'refusing to send' "in French"
"$KITSTOCK" --help > "$T/help"
like "$(cat "$T/help")" '--insecure' "kitstock --help names --insecure"
done_testing
