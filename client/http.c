/*
 * HTTP to kitstockd through libcurl: one handle, reused so that the pages of
 * a list share one connection, over the UNIX socket or TCP (TLS if https).
 * A request gives a status and a body, or a sentence saying why kitstockd
 * could not be reached.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "kitstock.h"

static CURL *http_curl;
static char *http_socket;	/* NULL over TCP */
static char *http_base;		/* "http://localhost", or --server */
static char *http_ca;
static char *http_auth;		/* "Authorization: Bearer ..." or NULL */
static const char *http_pinned;	/* "sha256//..." public key pin */
static const char *http_raw_type;	/* the next request's body, not JSON */
static const void *http_raw;
static size_t http_raw_len;
static const char *http_accepts;	/* the next request's Accept */
static long http_max_time;	/* seconds a request may take, 0: any */
static http_sink_cb http_sink_fn;	/* the next answer, as it comes */
static void *http_sink_arg;
static int http_insecure_ok;	/* --insecure: a token over plain http */

static char *http_unreachable(CURLcode, long);

/* Set up libcurl for kitstockd at socket, or at url if not NULL. */
int
http_init(const char *socket, const char *url, const char *token,
    const char *ca)
{
	size_t len;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return (-1);
	if ((http_curl = curl_easy_init()) == NULL)
		return (-1);
	if (url != NULL) {
		http_base = xstrdup(url);
		len = strlen(http_base);
		while (len > 0 && http_base[len - 1] == '/')
			http_base[--len] = '\0';
	} else {
		http_base = xstrdup("http://localhost");
		http_socket = xstrdup(socket);
	}
	if (ca != NULL)
		http_ca = xstrdup(ca);
	if (token != NULL)
		xasprintf(&http_auth, "Authorization: Bearer %s", token);
	return (0);
}

/* Allow a token over plain http:// to another host (--insecure). */
void
http_insecure(int allow)
{
	http_insecure_ok = allow;
}

/* Is the host of an http:// URL this machine (127.0.0.0/8, ::1, localhost)? */
static int
http_loopback(const char *url)
{
	const char *h = url + 7, *end, *at;
	char host[256];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len;

	end = h + strcspn(h, "/?#");
	if ((at = memchr(h, '@', end - h)) != NULL)
		h = at + 1;
	if (*h == '[') {
		h++;
		len = strcspn(h, "]");
	} else
		len = strcspn(h, ":/?#");
	if (len == 0 || len >= sizeof host)
		return (0);
	memcpy(host, h, len);
	host[len] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return (1);
	if (inet_pton(AF_INET, host, &a4) == 1)
		return ((ntohl(a4.s_addr) >> 24) == 127);
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return (IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127));
	return (0);
}

/*
 * Refuse, before any connection, to send the token in clear over the
 * network: http:// to a host that is not this machine, unless --insecure.
 * The UNIX socket and loopback stay allowed. 0, or -1 with *cause.
 */
int
http_plain_check(char **cause)
{
	if (http_auth == NULL || http_socket != NULL || http_insecure_ok ||
	    strncasecmp(http_base, "http://", 7) != 0 ||
	    http_loopback(http_base))
		return (0);
	xasprintf(cause, _("%s: refusing to send the token unencrypted over "
	    "http:// to another machine, where anyone on the way could read "
	    "and reuse it; use https:// (kitstockd with tls-cert and "
	    "tls-key), or give --insecure to send it anyway"), http_base);
	return (-1);
}

/* Talk to kitstockd at url from now on (the remote terminal's --server). */
void
http_server(const char *url)
{
	size_t len;

	free(http_base);
	free(http_socket);
	http_socket = NULL;
	http_base = xstrdup(url);
	len = strlen(http_base);
	while (len > 0 && http_base[len - 1] == '/')
		http_base[--len] = '\0';
}

/*
 * Give the next request's answer to fn as it arrives (a stream) rather
 * than keeping it; fn returns 0 to stop reading.
 */
void
http_sink(http_sink_cb fn, void *arg)
{
	http_sink_fn = fn;
	http_sink_arg = arg;
}

/* libcurl's write callback for a sink. */
static size_t
http_sink_write(char *data, size_t size, size_t n, void *arg)
{
	return (http_sink_fn(data, size * n, http_sink_arg) ? size * n : 0);
}

/* Give up a request after this many seconds (0: never). */
void
http_timeout(long seconds)
{
	http_max_time = seconds;
}

/* Pin the server's public key (TLS), as well as or instead of a CA. */
void
http_pin(const char *pin)
{
	http_pinned = pin;
}

/*
 * The next request sends these bytes as its body (a CSV file) instead of
 * JSON, and asks for this media type (NULL: JSON). Borrowed until then.
 */
void
http_body(const char *type, const void *data, size_t len, const char *accept)
{
	http_raw_type = type;
	http_raw = data;
	http_raw_len = len;
	http_accepts = accept;
}

/* Close the connection and let libcurl go. */
void
http_free(void)
{
	if (http_curl != NULL)
		curl_easy_cleanup(http_curl);
	http_curl = NULL;
	curl_global_cleanup();
	free(http_base);
	free(http_socket);
	free(http_ca);
	if (http_auth != NULL)
		explicit_bzero(http_auth, strlen(http_auth));
	free(http_auth);
}

/* A path segment escaped for a URL (allocated). */
char *
http_escape(const char *s)
{
	char *e, *copy;

	if ((e = curl_easy_escape(http_curl, s, 0)) == NULL)
		fatal("curl_easy_escape");
	copy = xstrdup(e);
	curl_free(e);
	return (copy);
}

/* An answer's allocations, and clear it. */
void
http_answer_free(struct answer *a)
{
	free(a->text);
	json_decref(a->json);
	memset(a, 0, sizeof *a);
}

/*
 * An answer's body, as received, into a file (written aside, then renamed
 * into place); "-" is standard output. 0, or -1 with *cause.
 */
int
http_answer_save(const struct answer *a, const char *path, char **cause)
{
	char *tmp;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (fwrite(a->text, 1, a->len, stdout) != a->len ||
		    fflush(stdout) != 0) {
			xasprintf(cause, _("cannot write to standard output: "
			    "%s"), strerror(errno));
			return (-1);
		}
		return (0);
	}
	xasprintf(&tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		goto fail;
	if (write(fd, a->text, a->len) != (ssize_t)a->len) {
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return (0);
fail:
	xasprintf(cause, _("cannot write %s: %s"), path, strerror(errno));
	if (fd != -1)
		unlink(tmp);
	free(tmp);
	return (-1);
}

/* Why kitstockd cannot be reached, in a sentence an operator can act on. */
static char *
http_unreachable(CURLcode rc, long err)
{
	const char *where = http_socket != NULL ? http_socket : http_base;
	char *s;

	if (err == EACCES || err == EPERM)
		xasprintf(&s, _("cannot reach kitstockd at %s: permission "
		    "denied; ask for your account to be given access to the "
		    "socket"), where);
	else if (rc != CURLE_COULDNT_CONNECT && rc != CURLE_OPERATION_TIMEDOUT)
		xasprintf(&s, _("cannot reach kitstockd at %s: %s"), where,
		    curl_easy_strerror(rc));
	else if (http_socket != NULL && strcmp(where, SOCKET_LOCAL) == 0)
		xasprintf(&s, _("cannot reach kitstockd at %s: is it running? "
		    "(make run)"), where);
	else if (http_socket != NULL && strcmp(where, SOCKET_SYSTEM) == 0)
		xasprintf(&s, _("cannot reach kitstockd at %s: is it running? "
		    "(systemctl status kitstockd)"), where);
	else
		xasprintf(&s, _("cannot reach kitstockd at %s: is it "
		    "running?"), where);
	return (s);
}

/*
 * One request: method, path ("/v1/..."), optional JSON body. Returns 0 with
 * the answer in a (caller frees), or -1 with *cause if unreachable.
 */
int
http_request(const char *method, const char *path, json_t *body,
    struct answer *a, char **cause)
{
	struct curl_slist *headers = NULL;
	char *url, *text = NULL;
	CURLcode rc;
	long err = 0;
	FILE *out;

	memset(a, 0, sizeof *a);
	curl_easy_reset(http_curl);
	xasprintf(&url, "%s%s", http_base, path);
	curl_easy_setopt(http_curl, CURLOPT_URL, url);
	if (http_socket != NULL)
		curl_easy_setopt(http_curl, CURLOPT_UNIX_SOCKET_PATH,
		    http_socket);
	if (http_ca != NULL)
		curl_easy_setopt(http_curl, CURLOPT_CAINFO, http_ca);
	if (http_pinned != NULL) {
		curl_easy_setopt(http_curl, CURLOPT_PINNEDPUBLICKEY,
		    http_pinned);
		/* The pin is the trust: a self-signed certificate is fine. */
		if (http_ca == NULL)
			curl_easy_setopt(http_curl, CURLOPT_SSL_VERIFYPEER, 0L);
	}
	curl_easy_setopt(http_curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(http_curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(http_curl, CURLOPT_CONNECTTIMEOUT, http_max_time > 0 &&
	    http_max_time < 10 ? http_max_time : 10L);
	if (http_max_time > 0)
		curl_easy_setopt(http_curl, CURLOPT_TIMEOUT, http_max_time);
	curl_easy_setopt(http_curl, CURLOPT_USERAGENT, "kitstock/" VERSION);
	headers = curl_slist_append(headers, "X-Kitstock-Station: cli");
	if (http_accepts != NULL) {
		xasprintf(&text, "Accept: %s", http_accepts);
		headers = curl_slist_append(headers, text);
		free(text);
		text = NULL;
	} else
		headers = curl_slist_append(headers,
		    "Accept: application/json");
	/* A file is sent only once kitstockd has accepted its size. */
	headers = curl_slist_append(headers, body == NULL &&
	    http_raw_type != NULL ? "Expect: 100-continue" : "Expect:");
	if (http_auth != NULL)
		headers = curl_slist_append(headers, http_auth);
	if (body == NULL && http_raw_type != NULL) {
		xasprintf(&text, "Content-Type: %s", http_raw_type);
		headers = curl_slist_append(headers, text);
		free(text);
		text = NULL;
		curl_easy_setopt(http_curl, CURLOPT_POSTFIELDS, http_raw);
		curl_easy_setopt(http_curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)http_raw_len);
	} else if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			fatal("json_dumps");
		headers = curl_slist_append(headers,
		    "Content-Type: application/json");
		curl_easy_setopt(http_curl, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(http_curl, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(text));
	}
	curl_easy_setopt(http_curl, CURLOPT_HTTPHEADER, headers);
	out = output_memstream(&a->text, &a->len);
	if (http_sink_fn != NULL) {
		curl_easy_setopt(http_curl, CURLOPT_WRITEFUNCTION,
		    http_sink_write);
		curl_easy_setopt(http_curl, CURLOPT_WRITEDATA, NULL);
	} else
		curl_easy_setopt(http_curl, CURLOPT_WRITEDATA, out);

	rc = curl_easy_perform(http_curl);
	/* A sink that stopped reading is not an unreachable daemon. */
	if (rc == CURLE_WRITE_ERROR && http_sink_fn != NULL)
		rc = CURLE_OK;
	http_sink_fn = NULL;
	http_sink_arg = NULL;
	http_body(NULL, NULL, 0, NULL);
	fclose(out);
	curl_slist_free_all(headers);
	if (text != NULL) {
		/* A body may hold a PIN. */
		explicit_bzero(text, strlen(text));
		free(text);
	}
	free(url);
	if (rc != CURLE_OK) {
		curl_easy_getinfo(http_curl, CURLINFO_OS_ERRNO, &err);
		*cause = http_unreachable(rc, err);
		http_answer_free(a);
		return (-1);
	}
	curl_easy_getinfo(http_curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->len > 0)
		a->json = json_loadb(a->text, a->len, 0, NULL);
	return (0);
}
