/*
 * TLS for the TCP listener (libevent's OpenSSL bufferevents): TLS 1.2 or
 * newer, certificate chain and key from the configuration. TLS 1.2 offers
 * only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305,
 * for an ECDSA or an RSA key); TLS 1.3's suites are all of that kind.
 */

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>

#include "kitstockd.h"

#define TLS12_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL"

static SSL_CTX *tls_ctx;

/* A TLS bufferevent for each new TCP connection (see conn.c). */
struct bufferevent *
tls_bufferevent(struct event_base *base)
{
	SSL *ssl;

	if ((ssl = SSL_new(tls_ctx)) == NULL) {
		log_warnx("tls: SSL_new failed");
		return (NULL);
	}
	return (bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE));
}

/* Load the certificate and key; conn_attach makes http speak TLS. */
int
tls_start(struct evhttp *http, const struct config *c, char **cause)
{
	unsigned long e;

	if ((tls_ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		xasprintf(cause, "tls: cannot create a context");
		return (-1);
	}
	SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(tls_ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_cipher_list(tls_ctx, TLS12_CIPHERS) != 1) {
		xasprintf(cause, "tls: cannot set the cipher suites %s",
		    TLS12_CIPHERS);
		tls_stop();
		return (-1);
	}
	if (SSL_CTX_use_certificate_chain_file(tls_ctx, c->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, c->tls_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(tls_ctx) != 1) {
		e = ERR_get_error();
		xasprintf(cause, "tls: %s / %s: %s", c->tls_cert, c->tls_key,
		    ERR_reason_error_string(e) != NULL ?
		    ERR_reason_error_string(e) : "unusable");
		tls_stop();
		return (-1);
	}
	return (0);
}

void
tls_stop(void)
{
	if (tls_ctx != NULL)
		SSL_CTX_free(tls_ctx);
	tls_ctx = NULL;
}
