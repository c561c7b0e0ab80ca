#!/bin/bash
# TLS 1.2 offers forward-secret AEAD suites only: ECDHE with AES-GCM or
# ChaCha20-Poly1305. Every TLS 1.2 suite this openssl knows is offered
# alone by a client of no security level (so the server alone decides):
# the static-RSA, CBC and SHA-1 ones are refused, ECDHE with GCM or ChaCha20
# accepted, for an RSA and an ECDSA certificate; TLS 1.3 stays.
. "$(dirname "$0")/lib"
command -v openssl >/dev/null || { echo "1..0 # SKIP no openssl"; exit 0; }
cd "$T" || exit 1
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    -keyout ecdsa.key -out ecdsa.pem
ossl req -x509 -newkey rsa:2048 -nodes -days 30 \
    -subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    -keyout rsa.key -out rsa.pem
[ -s ecdsa.pem ] && [ -s rsa.pem ] || { echo "Bail out! openssl could not make test certificates"; exit 1; }
cd - >/dev/null || exit 1
port=$((20000 + RANDOM % 20000))
serve() { # ecdsa|rsa
	[ -n "$DAEMON_PID" ] && stop_daemon
	printf 'language en\nlisten 127.0.0.1:%s\ntls-cert %s/%s.pem\ntls-key %s/%s.key\n' \
	    "$port" "$T" "$1" "$T" "$1" > "$T/tls.conf"
	start_daemon -c "$T/tls.conf"
	for _ in $(seq 1 50); do curl -sk "https://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
}

# The suite the server agreed on, or (NONE).
hello() { # -tls1_2|-tls1_3 SUITE
	local opt=-cipher
	[ "$1" = -tls1_3 ] && opt=-ciphersuites
	openssl s_client -connect "127.0.0.1:$port" "$1" "$opt" "$2" \
	    </dev/null 2>/dev/null | sed -n 's/.*Cipher is \(.*\)/\1/p' | head -n 1
}
sec0=:@SECLEVEL=0
# Every TLS 1.2 suite, one at a time: $accepted, $wrong.
every() {
	local s got
	accepted= wrong=
	for s in $(openssl ciphers -s -tls1_2 'ALL:COMPLEMENTOFALL@SECLEVEL=0' 2>/dev/null | tr : ' '); do
		case $s in TLS_*) continue ;; esac
		got=$(hello -tls1_2 "$s$sec0")
		[ -z "$got" ] || [ "$got" = "(NONE)" ] && continue
		accepted="$accepted $got"
		case $got in
		ECDHE-*-AES128-GCM-*|ECDHE-*-AES256-GCM-*|ECDHE-*-CHACHA20-POLY1305) ;;
		*) wrong="$wrong $got" ;;
		esac
	done
	echo "# TLS 1.2 suites accepted with $1:$accepted"
}

serve rsa
is "$(hello -tls1_2 "AES256-SHA$sec0")" "(NONE)" "RSA key: AES256-SHA (no forward secrecy, CBC) refused"
is "$(hello -tls1_2 "AES128-GCM-SHA256$sec0")" "(NONE)" "RSA key: AES128-GCM-SHA256 (RSA key exchange) refused"
is "$(hello -tls1_2 "ECDHE-RSA-AES128-SHA$sec0")" "(NONE)" "RSA key: ECDHE-RSA-AES128-SHA (CBC) refused"
is "$(hello -tls1_2 "ECDHE-RSA-AES128-GCM-SHA256$sec0")" ECDHE-RSA-AES128-GCM-SHA256 \
    "RSA key: ECDHE-RSA-AES128-GCM-SHA256 accepted"
every rsa
is "${wrong:-none}" none "RSA key: no TLS 1.2 suite without ECDHE and an AEAD is accepted"
like "$accepted" 'ECDHE-RSA-CHACHA20-POLY1305' "RSA key: ChaCha20-Poly1305 is"

serve ecdsa
is "$(hello -tls1_2 "ECDHE-ECDSA-AES128-SHA$sec0")" "(NONE)" "ECDSA key: ECDHE-ECDSA-AES128-SHA (CBC) refused"
is "$(hello -tls1_2 "ECDHE-ECDSA-AES128-GCM-SHA256$sec0")" ECDHE-ECDSA-AES128-GCM-SHA256 \
    "ECDSA key: ECDHE-ECDSA-AES128-GCM-SHA256 accepted"
every ecdsa
is "${wrong:-none}" none "ECDSA key: no TLS 1.2 suite without ECDHE and an AEAD is accepted"
like "$accepted" 'ECDHE-ECDSA-AES256-GCM-SHA384' "ECDSA key: AES-256-GCM is"
is "$(hello -tls1_3 TLS_AES_128_GCM_SHA256)" TLS_AES_128_GCM_SHA256 "TLS 1.3 stays"
code=$(curl -s -o /dev/null -w '%{http_code}' -k --tlsv1.2 --tls-max 1.2 "https://127.0.0.1:$port/v1/health")
is "$code" 200 "an ordinary TLS 1.2 client (curl) is served"
done_testing
