#!/bin/bash
# TLS on the TCP listener: the client verifies the server's certificate
# and host name (with a CA file, or a pinned public key) and refuses a
# wrong certificate, a wrong host name and an expired one; TLS below 1.2 is
# refused; a non-loopback address needs TLS.
. "$(dirname "$0")/lib"
cd "$T" || exit 1
ossl() { openssl "$@" 2>/dev/null; }
# A CA, a server certificate for 127.0.0.1/localhost, one for another host,
# an expired one, and a CA nobody trusts.
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=kitstock-test-ca -keyout ca.key -out ca.pem
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=other-ca -keyout other.key -out other.pem
cert() { # name subjectAltName days
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
	    -keyout "$1.key" -out "$1.csr"
	printf 'subjectAltName=%s\n' "$2" > "$1.ext"
	ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days "$3" -extfile "$1.ext" -out "$1.pem"
}
cert good 'IP:127.0.0.1,DNS:localhost' 30
cert wronghost 'DNS:elsewhere.example' 30
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=old -keyout old.key -out old.csr
printf 'subjectAltName=IP:127.0.0.1\n' > old.ext
ossl x509 -req -in old.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -not_before 20200101000000Z -not_after 20200201000000Z -extfile old.ext -out old.pem ||
    ossl x509 -req -in old.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 -extfile old.ext -out old.pem
[ -s good.pem ] && [ -s old.pem ] || { echo "Bail out! openssl could not make test certificates"; exit 1; }
cd - >/dev/null || exit 1

port=$((20000 + RANDOM % 20000))
serve() { # cert
	[ -n "$DAEMON_PID" ] && stop_daemon
	printf 'language en\nlisten 127.0.0.1:%s\ntls-cert %s/%s.pem\ntls-key %s/%s.key\n' \
	    "$port" "$T" "$1" "$T" "$1" > "$T/tls.conf"
	start_daemon -c "$T/tls.conf"
	for _ in $(seq 1 50); do curl -sk "https://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
}
serve good
ks token add terminal --role warehouse; tok=$out
printf '%s\n' "$tok" > "$T/tok"
remote() { "$KITSTOCK" --server "https://$1:$port" --token-file "$T/tok" "${@:2}" 2>"$T/err"; }

remote 127.0.0.1 --ca "$T/ca.pem" stock >/dev/null
is "$?" 0 "the client verifies the server with the CA and talks TLS"
remote localhost --ca "$T/ca.pem" stock >/dev/null
is "$?" 0 "by host name too"
remote 127.0.0.1 --ca "$T/other.pem" stock >/dev/null
is "$?" 3 "a certificate from another CA is refused"
like "$(cat "$T/err")" 'certificate|SSL' "saying it is the certificate"
pin=$(openssl x509 -in "$T/good.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
remote 127.0.0.1 --pin "sha256//$pin" stock >/dev/null
is "$?" 0 "a pinned public key is trusted without a CA"
remote 127.0.0.1 --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" stock >/dev/null
is "$?" 3 "a wrong pin is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.pem" --tls-max 1.1 "https://127.0.0.1:$port/v1/health")
is "$code" 000 "TLS 1.1 is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/health")
is "$code" 000 "plain HTTP on the TLS port gets nothing"

serve wronghost
remote 127.0.0.1 --ca "$T/ca.pem" stock >/dev/null
is "$?" 3 "a certificate for another host name is refused"
serve old
remote 127.0.0.1 --ca "$T/ca.pem" stock >/dev/null
is "$?" 3 "an expired certificate is refused"
like "$(cat "$T/err")" 'expired|certificate' "saying why"
stop_daemon

printf 'listen 0.0.0.0:%s\n' "$port" > "$T/open.conf"
"$KITSTOCKD" -n -c "$T/open.conf" 2>"$T/n.err"
is "$?" 1 "a non-loopback address without TLS is refused"
like "$(cat "$T/n.err")" 'needs TLS' "saying it needs TLS"
printf 'listen 0.0.0.0:%s\ntls-cert %s/good.pem\ntls-key %s/good.key\n' "$port" "$T" "$T" > "$T/open.conf"
"$KITSTOCKD" -n -c "$T/open.conf" 2>/dev/null
is "$?" 0 "with TLS it is accepted"
printf 'tls-cert %s/good.pem\n' "$T" > "$T/half.conf"
"$KITSTOCKD" -n -c "$T/half.conf" 2>/dev/null
is "$?" 1 "a certificate without its key is refused"
done_testing
