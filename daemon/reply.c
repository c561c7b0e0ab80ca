/*
 * Requests and replies: validation of request fields against a field table,
 * and JSON answers in one shape. A reply is kept in the request until the
 * dispatcher has committed (or rolled back) its transaction.
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

static int req_string_ok(struct req *, const char *, const char *, size_t,
	    int);
static char *req_expected(const struct field *);

/* Indented answers up to this size; longer ones stay compact. */
#define REPLY_PRETTY_MAX	(64 * 1024)

struct reply_dump {
	struct evbuffer	*out;
	size_t		 len;
	size_t		 max;
};

/* Append a piece of a JSON text to the answer; -1 past the limit. */
static int
reply_dump(const char *buf, size_t size, void *arg)
{
	struct reply_dump *d = arg;

	if ((d->len += size) > d->max)
		return (-1);
	if (evbuffer_add(d->out, buf, size) != 0)
		fatalx("evbuffer_add: out of memory");
	return (0);
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF), or 0 if it is not one.
 */
static size_t
utf8_char(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned int c;

	if (len == 0)
		return (0);
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (len < n)
		return (0);
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	return (n);
}

/* Offset of the first byte that is not UTF-8 or is NUL; len if none. */
size_t
utf8_invalid(const void *buf, size_t len)
{
	const unsigned char *s = buf;
	size_t off = 0, n;

	while (off < len) {
		if (s[off] == '\0' || (n = utf8_char(s + off, len - off)) == 0)
			return (off);
		off += n;
	}
	return (len);
}

/*
 * A copy of len bytes that is valid UTF-8, as an answer must be: each byte
 * that is not (and NUL) written \xNN, as does each control character if
 * controls is set (allocated).
 */
char *
utf8_escape(const void *buf, size_t len, int controls)
{
	const unsigned char *s = buf;
	char *out, *o;
	size_t off = 0, n;

	o = out = xmalloc(len * 4 + 1);
	while (off < len) {
		n = s[off] == '\0' ? 0 : utf8_char(s + off, len - off);
		if (n == 0 || (controls && (s[off] < 0x20 || s[off] == 0x7f))) {
			o += sprintf(o, "\\x%02x", s[off]);
			off++;
			continue;
		}
		memcpy(o, s + off, n);
		o += n;
		off += n;
	}
	*o = '\0';
	return (out);
}

/*
 * The answer when one cannot be encoded (a handler put bytes that are not
 * UTF-8 into it): a fixed 500, logged, never a stop.
 */
static void
reply_unencodable(struct req *req)
{
	static const char fixed[] = "{\"error\": {\"code\": \"internal\", "
	    "\"message\": \"the answer could not be encoded\"}}\n";

	log_warnx("%s %s: the answer could not be encoded (not UTF-8?)",
	    req->route != NULL ? req->route->method : "?",
	    req->route != NULL ? req->route->pattern : "?");
	evbuffer_drain(req->out, evbuffer_get_length(req->out));
	evbuffer_add(req->out, fixed, sizeof fixed - 1);
	req->status = 500;
	free(req->content_type);
	req->content_type = xstrdup("application/json; charset=utf-8");
}

/* Keep a JSON answer (stolen) for this request. */
void
reply_json(struct req *req, int status, json_t *o)
{
	struct reply_dump d = { req->out, 0, REPLY_PRETTY_MAX };

	if (req->status != 0) {
		log_warnx("%s %s: second reply ignored",
		    req->route != NULL ? req->route->method : "?",
		    req->route != NULL ? req->route->pattern : "?");
		json_decref(o);
		return;
	}
	/*
	 * Indented for people reading with curl, straight into the answer;
	 * one too long to read (indicators at national scale) is started
	 * again compact: half the bytes and half the time.
	 */
	evbuffer_drain(req->out, evbuffer_get_length(req->out));
	if (json_dump_callback(o, reply_dump, &d, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER) != 0) {
		evbuffer_drain(req->out, evbuffer_get_length(req->out));
		d.len = 0;
		d.max = SIZE_MAX;
		if (o == NULL || json_dump_callback(o, reply_dump, &d,
		    JSON_COMPACT | JSON_PRESERVE_ORDER) != 0) {
			json_decref(o);
			reply_unencodable(req);
			return;
		}
	}
	json_decref(o);
	evbuffer_add(req->out, "\n", 1);
	req->status = status;
	free(req->content_type);
	req->content_type = xstrdup("application/json; charset=utf-8");
}

/*
 * A JSON answer too big to hold as one tree (head stolen): head's members,
 * then key, an array whose elements each(arg, i) makes one at a time (NULL
 * after the last) and this dumps and frees before the next is made. The
 * text is compact. each returns NULL with *failed set on an error, which
 * is answered instead (status).
 */
void
reply_json_each(struct req *req, int status, json_t *head, const char *key,
    json_t *(*each)(void *, size_t, enum store_status *), void *arg)
{
	reply_json_each_tail(req, status, head, key, each, arg, NULL);
}

/*
 * The same, then tail's members (tail stolen; NULL: none), which each may
 * fill as it goes: counts known once every element is made.
 */
void
reply_json_each_tail(struct req *req, int status, json_t *head,
    const char *key, json_t *(*each)(void *, size_t, enum store_status *),
    void *arg, json_t *tail)
{
	struct reply_dump d = { req->out, 0, SIZE_MAX };
	enum store_status failed = STORE_OK;
	json_t *k, *v;
	char *text;
	size_t i, len;

	if (req->status != 0) {
		json_decref(head);
		json_decref(tail);
		log_warnx("second reply ignored");
		return;
	}
	evbuffer_drain(req->out, evbuffer_get_length(req->out));
	text = head != NULL ? json_dumps(head, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(head);
	if (text == NULL)
		goto unencodable;
	len = strlen(text);		/* "{...}": all but the "}" */
	evbuffer_add(req->out, text, len - 1);
	free(text);
	text = (k = json_string(key)) != NULL ? json_dumps(k,
	    JSON_ENCODE_ANY) : NULL;
	json_decref(k);
	if (text == NULL)
		goto unencodable;
	evbuffer_add_printf(req->out, "%s%s:[", len > 2 ? "," : "", text);
	free(text);
	for (i = 0; (v = each(arg, i, &failed)) != NULL; i++) {
		if (i > 0)
			evbuffer_add(req->out, ",", 1);
		if (json_dump_callback(v, reply_dump, &d, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) != 0) {
			json_decref(v);
			goto unencodable;
		}
		json_decref(v);
	}
	if (failed != STORE_OK) {
		json_decref(tail);
		evbuffer_drain(req->out, evbuffer_get_length(req->out));
		api_reply_store(req, failed, key);
		return;
	}
	evbuffer_add(req->out, "]", 1);
	if (tail != NULL && json_object_size(tail) > 0) {
		/* "{...}": its members after a comma, without the "{". */
		if ((text = json_dumps(tail, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) == NULL)
			goto unencodable;
		evbuffer_add_printf(req->out, ",%s", text + 1);
		free(text);
	} else
		evbuffer_add(req->out, "}", 1);
	json_decref(tail);
	evbuffer_add(req->out, "\n", 1);
	req->status = status;
	free(req->content_type);
	req->content_type = xstrdup("application/json; charset=utf-8");
	return;

unencodable:
	json_decref(tail);
	reply_unencodable(req);
}

/* Keep a raw answer (PDF, PNG, CSV, a database copy) with its media type. */
void
reply_bytes(struct req *req, int status, const char *type, const void *data,
    size_t len)
{
	if (req->status != 0) {
		log_warnx("second reply ignored");
		return;
	}
	req->status = status;
	free(req->content_type);
	req->content_type = xstrdup(type);
	evbuffer_drain(req->out, evbuffer_get_length(req->out));
	if (evbuffer_add(req->out, data, len) != 0)
		fatalx("evbuffer_add: out of memory");
}

/* Answer with a file's bytes (sent with sendfile; fd is taken). */
void
reply_file(struct req *req, int status, const char *type, int fd,
    off_t len)
{
	if (req->status != 0) {
		log_warnx("second reply ignored");
		close(fd);
		return;
	}
	req->status = status;
	free(req->content_type);
	req->content_type = xstrdup(type);
	evbuffer_drain(req->out, evbuffer_get_length(req->out));
	if (evbuffer_add_file(req->out, fd, 0, len) != 0)
		fatalx("evbuffer_add_file failed");
}

/*
 * The one error shape: {"error": {"code", "field", "message"}}. The message
 * is already translated by the caller (fmt is a _() string). It and the
 * field often quote what the request sent: bytes that are not UTF-8 are
 * shown \xNN, so that the answer can always be made.
 */
void
reply_error(struct req *req, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list ap;
	char *raw, *msg, *name = NULL;
	json_t *e;

	va_start(ap, fmt);
	xvasprintf(&raw, fmt, ap);
	va_end(ap);
	msg = utf8_escape(raw, strlen(raw), 0);
	free(raw);
	e = json_pack("{ss ss}", "code", code, "message", msg);
	if (e != NULL && field != NULL) {
		name = utf8_escape(field, strlen(field), 0);
		json_object_set_new(e, "field", json_string(name));
	}
	log_debug("%d %s: %s", status, code, msg);
	free(name);
	free(msg);
	reply_json(req, status, e != NULL ? json_pack("{so}", "error", e) :
	    NULL);
}

/* "one of a, b, c" for an enum field (allocated). */
static char *
req_expected(const struct field *f)
{
	FILE *m;
	char *s;
	size_t len;
	int i;

	if ((m = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	for (i = 0; f->values[i] != NULL; i++)
		fprintf(m, "%s%s", i == 0 ? "" : ", ", f->values[i]);
	fclose(m);
	return (s);
}

/* Length and control characters of a string field. */
static int
req_string_ok(struct req *req, const char *name, const char *s, size_t max,
    int multiline)
{
	const unsigned char *p;
	size_t len = strlen(s);

	if (len == 0) {
		reply_error(req, 400, "invalid_field", name,
		    _("%s must not be empty"), name);
		return (-1);
	}
	if (len > max) {
		reply_error(req, 400, "invalid_field", name,
		    _("%s is too long (%zu bytes, at most %zu)"), name, len,
		    max);
		return (-1);
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t'))) ||
		    *p == 0x7f) {
			reply_error(req, 400, "invalid_field", name,
			    _("%s contains a control character"), name);
			return (-1);
		}
	}
	if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1])) {
		reply_error(req, 400, "invalid_field", name,
		    _("%s \"%s\" starts or ends with a space"), name, s);
		return (-1);
	}
	return (0);
}

/* Check one value against its field; *out gets the normalised value. */
int
req_value(struct req *req, const struct field *f, json_t *v, json_t **out)
{
	const char *s = json_string_value(v), *name = f->name;
	char *cause = NULL, *norm = NULL, *exp, buf[64];
	int64_t cents;
	double d;
	size_t i;
	int k;
	json_t *a, *e;

	*out = NULL;
	if (json_is_null(v)) {
		if (f->flags & F_REQUIRED) {
			reply_error(req, 400, "missing_field", name,
			    _("%s is required"), name);
			return (-1);
		}
		*out = json_null();
		return (0);
	}
	switch (f->type) {
	case FT_STRING:
	case FT_TEXT:
		if (s == NULL)
			goto want_string;
		if (req_string_ok(req, name, s, f->type == FT_TEXT ? TEXT_MAX :
		    STRING_MAX, f->type == FT_TEXT) != 0)
			return (-1);
		*out = json_string(s);
		return (0);
	case FT_INT:
		if (!json_is_integer(v)) {
			reply_error(req, 400, "invalid_type", name,
			    _("%s must be a whole number"), name);
			return (-1);
		}
		if (json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max) {
			reply_error(req, 400, "invalid_field", name,
			    _("%s %lld is out of range (%lld to %lld)"), name,
			    (long long)json_integer_value(v), f->min, f->max);
			return (-1);
		}
		*out = json_integer(json_integer_value(v));
		return (0);
	case FT_DECIMAL:
		if (!json_is_number(v)) {
			reply_error(req, 400, "invalid_type", name,
			    _("%s must be a number"), name);
			return (-1);
		}
		d = json_number_value(v);
		if (!(d >= (double)f->min && d <= (double)f->max)) {
			reply_error(req, 400, "invalid_field", name,
			    _("%s %g is out of range (%lld to %lld)"), name, d,
			    f->min, f->max);
			return (-1);
		}
		*out = json_real(d);
		return (0);
	case FT_BOOL:
		if (!json_is_boolean(v)) {
			reply_error(req, 400, "invalid_type", name,
			    _("%s must be true or false"), name);
			return (-1);
		}
		*out = json_boolean(json_is_true(v));
		return (0);
	case FT_EUROS:
		if (json_is_number(v)) {
			d = json_number_value(v);
			if (!(d >= 0 && d <= 1e7) ||
			    fabs(d * 100 - round(d * 100)) > 1e-6) {
				reply_error(req, 400, "invalid_field", name,
				    _("%s %g: expected euros with at most 2 "
				    "decimals, such as 189.90"), name, d);
				return (-1);
			}
			*out = json_integer((json_int_t)llround(d * 100));
			return (0);
		}
		if (s == NULL)
			goto want_string;
		if (euros_parse(s, &cents, &cause) != 0)
			goto bad;
		*out = json_integer(cents);
		return (0);
	case FT_ENUM:
		if (s == NULL)
			goto want_string;
		for (k = 0; f->values[k] != NULL; k++)
			if (strcmp(s, f->values[k]) == 0) {
				*out = json_string(s);
				return (0);
			}
		exp = req_expected(f);
		reply_error(req, 400, "invalid_field", name,
		    _("%s \"%s\" is not known: expected one of %s"), name, s,
		    exp);
		free(exp);
		return (-1);
	case FT_TAG:
		if (s == NULL)
			goto want_string;
		if (tag_check(s, f->letter, NULL, NULL, &cause) != 0)
			goto bad;
		*out = json_string(s);
		return (0);
	case FT_TAGS:
	case FT_IMEIS:
		if (f->type == FT_IMEIS && s != NULL) {
			a = json_array();
			json_array_append(a, v);
		} else if (json_is_array(v))
			a = json_incref(v);
		else {
			reply_error(req, 400, "invalid_type", name,
			    _("%s must be a list"), name);
			return (-1);
		}
		k = f->type == FT_IMEIS ? 2 : LIST_LIMIT_MAX;
		if (json_array_size(a) == 0 || json_array_size(a) >
		    (size_t)k) {
			reply_error(req, 400, "invalid_field", name,
			    _("%s must hold 1 to %d values"), name, k);
			json_decref(a);
			return (-1);
		}
		json_array_foreach(a, i, e) {
			if ((s = json_string_value(e)) == NULL) {
				json_decref(a);
				goto want_string;
			}
			if ((f->type == FT_IMEIS ? check_imei(s, &cause) :
			    tag_check(s, f->letter, NULL, NULL, &cause)) != 0) {
				json_decref(a);
				goto bad;
			}
			for (k = 0; (size_t)k < i; k++)
				if (strcmp(s, json_string_value(json_array_get(
				    a, k))) == 0) {
					reply_error(req, 400, "invalid_field",
					    name, _("%s %s is given twice"),
					    name, s);
					json_decref(a);
					return (-1);
				}
		}
		*out = a;
		return (0);
	case FT_DATE:
		if (s == NULL)
			goto want_string;
		if (check_date(s, &cause) != 0)
			goto bad;
		*out = json_string(s);
		return (0);
	case FT_ICCID:
	case FT_SIRET:
	case FT_INSEE:
		if (s == NULL)
			goto want_string;
		if ((f->type == FT_ICCID ? check_iccid(s, &cause) :
		    f->type == FT_SIRET ? check_siret(s, &cause) :
		    check_insee(s, &cause)) != 0)
			goto bad;
		*out = json_string(s);
		return (0);
	case FT_MSISDN:
		if (s == NULL)
			goto want_string;
		if (msisdn_normalise(s, &norm, &cause) != 0)
			goto bad;
		*out = json_string(norm);
		free(norm);
		return (0);
	}
	fatalx("field %s: unknown type %d", name, f->type);

want_string:
	snprintf(buf, sizeof buf, "%s", name);
	reply_error(req, 400, "invalid_type", name, _("%s must be a string"),
	    buf);
	return (-1);
bad:
	reply_error(req, 400, "invalid_field", name, "%s", cause);
	free(cause);
	return (-1);
}

/*
 * Validate the body against a field table: an object, no unknown field,
 * required ones present, each value checked and normalised into req->vals.
 * With effective set, an "at" field gives the date the change happened.
 * On error the 400 is already answered and -1 returned.
 */
int
req_fields(struct req *req, const struct field *fields, int effective)
{
	const struct field *f;
	const char *key;
	json_t *v, *out;
	char *cause, *at, *names;
	FILE *m;
	size_t len;

	if (req->vals == NULL)
		req->vals = json_object();
	if (req->body == NULL) {
		reply_error(req, 400, "missing_body", NULL,
		    _("this request needs a JSON object as its body"));
		return (-1);
	}
	json_object_foreach(req->body, key, v) {
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name != NULL)
			continue;
		if (effective && strcmp(key, "at") == 0) {
			if (!json_is_string(v)) {
				reply_error(req, 400, "invalid_type", "at",
				    _("%s must be a string"), "at");
				return (-1);
			}
			if (check_effective(json_string_value(v), &at,
			    &cause) != 0) {
				reply_error(req, 400, "invalid_field", "at",
				    "%s", cause);
				free(cause);
				return (-1);
			}
			free(req->at);
			req->at = at;
			req->actor.at = at;
			continue;
		}
		if ((m = open_memstream(&names, &len)) == NULL)
			fatal("open_memstream");
		for (f = fields; f->name != NULL; f++)
			fprintf(m, "%s%s", f == fields ? "" : ", ", f->name);
		if (effective)
			fprintf(m, "%sat", fields->name != NULL ? ", " : "");
		fclose(m);
		reply_error(req, 400, "unknown_field", key,
		    _("unknown field \"%s\": expected %s"), key, names);
		free(names);
		return (-1);
	}
	for (f = fields; f->name != NULL; f++) {
		if ((v = json_object_get(req->body, f->name)) == NULL) {
			if (f->flags & F_REQUIRED) {
				reply_error(req, 400, "missing_field", f->name,
				    _("%s is required"), f->name);
				return (-1);
			}
			continue;
		}
		if (req_value(req, f, v, &out) != 0)
			return (-1);
		json_object_set_new(req->vals, f->name, out);
	}
	return (0);
}

/* A validated string field, or NULL. */
const char *
req_str(struct req *req, const char *name)
{
	return (json_string_value(json_object_get(req->vals, name)));
}

/* A validated integer field: 1 if present. */
int
req_int(struct req *req, const char *name, long long *v)
{
	json_t *j;

	if ((j = json_object_get(req->vals, name)) == NULL ||
	    !json_is_integer(j))
		return (0);
	*v = json_integer_value(j);
	return (1);
}

const char *
req_query(struct req *req, const char *name)
{
	return (evhttp_find_header(req->query, name));
}

/*
 * The path's {tag} param i checked as a tag of this letter into tag; on
 * error the 400 is answered.
 */
int
req_tag(struct req *req, int i, char letter, char *tag)
{
	char *cause;

	if (tag_check(req->params[i], letter, NULL, NULL, &cause) != 0) {
		reply_error(req, 400, "invalid_tag", "tag", "%s", cause);
		free(cause);
		return (-1);
	}
	snprintf(tag, TAG_LEN + 1, "%s", req->params[i]);
	return (0);
}

/* ?limit= (default and maximum) and ?after= for paginated lists. */
int
req_limit(struct req *req, long long *limit, const char **after)
{
	const char *s;
	char *end;

	*limit = LIST_LIMIT_DEFAULT;
	if ((s = req_query(req, "limit")) != NULL) {
		*limit = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || *limit < 1 ||
		    *limit > LIST_LIMIT_MAX) {
			reply_error(req, 400, "invalid_field", "limit",
			    _("limit %s: expected a number from 1 to %d"), s,
			    LIST_LIMIT_MAX);
			return (-1);
		}
	}
	*after = req_query(req, "after");
	return (0);
}

/*
 * ?limit= and ?after= for lists paged by an id: after is the "next" of
 * the page before (a number from 1), 0 if not given.
 */
int
req_page(struct req *req, long long *limit, long long *after)
{
	const char *s;
	char *end;

	*after = 0;
	if (req_limit(req, limit, &s) != 0)
		return (-1);
	if (s != NULL && ((*after = strtoll(s, &end, 10)) < 1 ||
	    *end != '\0' || *s == '\0')) {
		reply_error(req, 400, "invalid_field", "after",
		    _("after %s: expected the value given as next"), s);
		return (-1);
	}
	return (0);
}

void
req_free(struct req *req)
{
	int i;

	for (i = 0; i < ROUTE_PARAMS; i++)
		free(req->params[i]);
	json_decref(req->body);
	json_decref(req->vals);
	if (req->query != NULL) {
		evhttp_clear_headers(req->query);
		free(req->query);
	}
	free(req->actor_name);
	free(req->prescriber);
	free(req->auth_error);
	free(req->at);
	free(req->content_type);
	if (req->out != NULL)
		evbuffer_free(req->out);
	free(req);
}
