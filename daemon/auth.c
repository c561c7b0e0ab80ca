/*
 * Who is asking and what they may do. On the UNIX socket the peer's uid
 * and groups (SO_PEERCRED) map to a role through the configuration's
 * "role" lines; root and the daemon's own user are coordinators. On TCP
 * every request carries a bearer token, stored only as its SHA-256, or a
 * browser's session cookie (store-session.c), which reaches only its
 * scope's routes. Each route declares the roles allowed; a refusal is 401
 * or 403 with a sentence, logged, and changes nothing.
 */

#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "kitstockd.h"

static const struct config *auth_conf;
static unsigned int auth_generation;	/* of the role lines */

static const char *const auth_names[] = {
	"warehouse", "distribution", "coordinator", "prescriber", "evaluator",
	NULL
};

/*
 * What a dashboard session reaches: the reads of daemon/dashboard/app.js,
 * and nothing else (the public routes aside: health, the page, sign-in and
 * sign-out). Never backups, identities, PIN/PUK, tokens, sessions, exports
 * nor any write.
 */
static const char *const auth_dashboard_routes[] = {
	"GET /v1/programme", "GET /v1/indicators", "GET /v1/stock",
	"GET /v1/alerts", "GET /v1/stream", NULL
};

static int auth_unix(const struct peer *);
static int auth_token(struct req *);
static void auth_session(struct req *, const char *);
static int auth_scope_allows(const char *, const struct route *);
static int auth_match(const struct role_map *, uid_t, gid_t, const char *);

/*
 * The configuration whose role lines apply (kept across reloads: call
 * again after one, and every connection's role is worked out anew).
 */
void
auth_configure(const struct config *c)
{
	auth_conf = c;
	auth_generation++;
}

/* A role's bit from its name; 0 if unknown. */
int
auth_role(const char *name)
{
	int i;

	for (i = 0; auth_names[i] != NULL; i++)
		if (strcmp(auth_names[i], name) == 0)
			return (1 << i);
	return (0);
}

/* A role's name from its bit. */
const char *
auth_role_name(int role)
{
	int i;

	for (i = 0; auth_names[i] != NULL; i++)
		if (role == (1 << i))
			return (auth_names[i]);
	return ("none");
}

/* Does a role line name this peer (user or group, by name or number)? */
static int
auth_match(const struct role_map *m, uid_t uid, gid_t gid, const char *user)
{
	struct group *gr;
	gid_t groups[64];
	int n = 64, i;
	char num[32];

	if (!m->group) {
		snprintf(num, sizeof num, "%u", (unsigned)uid);
		return (strcmp(m->name, num) == 0 || (user != NULL &&
		    strcmp(m->name, user) == 0));
	}
	snprintf(num, sizeof num, "%u", (unsigned)gid);
	if (strcmp(m->name, num) == 0)
		return (1);
	if ((gr = getgrnam(m->name)) == NULL) {
		gid_t want;
		char *end;

		want = (gid_t)strtoul(m->name, &end, 10);
		if (*m->name == '\0' || *end != '\0')
			return (0);
		if (want == gid)
			return (1);
		if (user == NULL || getgrouplist(user, gid, groups, &n) == -1)
			return (0);
		for (i = 0; i < n; i++)
			if (groups[i] == want)
				return (1);
		return (0);
	}
	if (gr->gr_gid == gid)
		return (1);
	if (user == NULL || getgrouplist(user, gid, groups, &n) == -1)
		return (0);
	for (i = 0; i < n; i++)
		if (groups[i] == gr->gr_gid)
			return (1);
	return (0);
}

/*
 * A UNIX peer's credentials and user name, asked once per connection:
 * they cannot change while it lasts, and reading the password file costs
 * more syscalls than the rest of a scan's request.
 */
void
auth_peer(int fd, struct peer *p)
{
	struct sockaddr_storage ss;
	struct ucred cred;
	struct passwd pw, *res;
	socklen_t len = sizeof ss;
	char buf[1024];

	memset(p, 0, sizeof *p);
	p->known = 1;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    ss.ss_family != AF_UNIX)
		return;
	p->local = 1;
	len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		p->name = xstrdup("unknown");
		return;
	}
	p->cred = 1;
	p->uid = cred.uid;
	p->gid = cred.gid;
	if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL) {
		p->user = xstrdup(pw.pw_name);
		p->name = xstrdup(pw.pw_name);
	} else
		xasprintf(&p->name, "uid:%u", (unsigned)cred.uid);
}

/* Forget a peer's names. */
void
auth_peer_free(struct peer *p)
{
	free(p->user);
	free(p->name);
	memset(p, 0, sizeof *p);
}

/* A UNIX peer's role from the configuration's role lines. */
static int
auth_unix(const struct peer *p)
{
	size_t i;

	if (!p->cred)
		return (0);
	if (p->uid == 0 || p->uid == geteuid())
		return (ROLE_COORDINATOR);
	for (i = 0; auth_conf != NULL && i < auth_conf->nroles; i++)
		if (auth_match(&auth_conf->roles[i], p->uid, p->gid, p->user))
			return (auth_conf->roles[i].role);
	return (0);
}

/*
 * The value of a browser's session cookie (allocated), or NULL: a page
 * load and an EventSource cannot send a bearer header (api_session).
 */
char *
auth_cookie(struct req *req)
{
	const char *h, *p;
	size_t n = strlen(AUTH_COOKIE);

	h = evhttp_find_header(evhttp_request_get_input_headers(req->ev),
	    "Cookie");
	for (p = h; p != NULL && *p != '\0'; p += strcspn(p, ";")) {
		p += strspn(p, "; ");
		if (strncmp(p, AUTH_COOKIE, n) == 0 && p[n] == '=')
			return (xstrndup(p + n + 1, strcspn(p + n + 1, "; ")));
	}
	return (NULL);
}

/*
 * A browser's session: the cookie's value is looked up by its hash; an
 * ended session (expired, idle, its token gone) is refused with why. Its
 * last use is written at most every SESSION_TOUCH seconds.
 */
static void
auth_session(struct req *req, const char *cookie)
{
	struct session s;
	enum store_status status;
	int idle = auth_session_idle();

	req->cookie = 1;
	if ((status = store_session_find(cookie, idle, &s)) != STORE_OK) {
		req->actor_name = xstrdup("tcp:bad-session");
		req->auth_error = xstrdup(_("this session is not valid "
		    "(unknown, signed out or ended): sign in again"));
		return;
	}
	xasprintf(&req->actor_name, "%s/session:%lld", s.actor,
	    (long long)s.id);
	if (s.ended & SESSION_TOKEN_GONE)
		xasprintf(&req->auth_error, _("session %lld: the token that "
		    "opened it is revoked or expired: sign in again with a "
		    "valid token"), (long long)s.id);
	else if (s.ended & SESSION_EXPIRED)
		xasprintf(&req->auth_error, _("session %lld expired at %s "
		    "(session-lifetime): sign in again"), (long long)s.id,
		    s.expires_at);
	else if (s.ended & SESSION_IDLE)
		xasprintf(&req->auth_error, _("session %lld was unused since "
		    "%s, longer than session-idle (%d s): sign in again"),
		    (long long)s.id, s.seen_at, idle);
	else if (strcmp(s.scope, SESSION_SCOPE_DASHBOARD) != 0)
		xasprintf(&req->auth_error, _("session %lld has a scope this "
		    "kitstockd does not know (%s): sign in again"),
		    (long long)s.id, s.scope);
	else {
		req->role = s.role;
		req->prescriber = s.prescriber;
		s.prescriber = NULL;
		if (s.stale && store_writable() &&
		    store_session_touch(s.id) != STORE_OK)
			log_warnx("session %lld: its last use was not written",
			    (long long)s.id);
	}
	store_session_free(&s);
}

/*
 * What let a request in, for an answer that lasts (an event stream) to be
 * checked again later: its session cookie or bearer token, allocated and
 * prefixed "c:" or "b:"; NULL for a UNIX peer, whose uid does not end.
 */
char *
auth_credential(struct req *req)
{
	const char *h;
	char *cookie, *cred;

	if (req->ev == NULL)
		return (NULL);
	h = evhttp_find_header(evhttp_request_get_input_headers(req->ev),
	    "Authorization");
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		xasprintf(&cred, "b:%s", h + 7);
		return (cred);
	}
	if ((cookie = auth_cookie(req)) == NULL)
		return (NULL);
	xasprintf(&cred, "c:%s", cookie);
	explicit_bzero(cookie, strlen(cookie));
	free(cookie);
	return (cred);
}

/*
 * Does a credential of auth_credential still let its holder in: the
 * session not signed out, ended, expired or idle, the token not revoked
 * or expired? Looked up again, nothing written.
 */
int
auth_credential_valid(const char *cred)
{
	struct session s;
	char *name = NULL, *prescriber = NULL, *expired = NULL;
	int role, valid;

	if (cred == NULL)
		return (1);
	if (strncmp(cred, "c:", 2) == 0) {
		if (store_session_find(cred + 2, auth_session_idle(), &s) !=
		    STORE_OK)
			return (0);
		valid = s.ended == 0;
		store_session_free(&s);
		return (valid);
	}
	valid = store_token_find(cred + 2, &name, &role, &prescriber,
	    &expired) == STORE_OK && expired == NULL;
	free(name);
	free(prescriber);
	free(expired);
	return (valid);
}

/* A TCP peer: the bearer token (or a session) names the actor and role. */
static int
auth_token(struct req *req)
{
	const char *h;
	char *name = NULL, *prescriber = NULL, *expired = NULL, *cookie;
	int role = 0;
	enum store_status status;

	h = evhttp_find_header(evhttp_request_get_input_headers(req->ev),
	    "Authorization");
	cookie = h == NULL ? auth_cookie(req) : NULL;
	if (cookie != NULL) {
		auth_session(req, cookie);
		explicit_bzero(cookie, strlen(cookie));
		free(cookie);
		return (0);
	} else if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		req->actor_name = xstrdup("tcp:anonymous");
		return (0);
	} else
		status = store_token_find(h + 7, &name, &role, &prescriber,
		    &expired);
	if (status != STORE_OK) {
		req->actor_name = xstrdup("tcp:bad-token");
		req->auth_error = xstrdup(_("this token is not valid (unknown "
		    "or revoked): ask a coordinator for a new one"));
		return (0);
	}
	xasprintf(&req->actor_name, "token:%s", name);
	if (expired != NULL) {
		xasprintf(&req->auth_error, _("token %s expired on %s: ask a "
		    "coordinator for a new one"), name, expired);
		free(name);
		free(prescriber);
		free(expired);
		return (0);
	}
	req->role = role;
	req->prescriber = prescriber;
	free(name);
	return (0);
}

/*
 * Identify the peer of a request: actor name, role. peer is its
 * connection's (conn.c), or NULL to look it up for this request alone. A
 * UNIX peer's role is kept until the role lines are reloaded.
 */
void
auth_identify(struct req *req, struct peer *peer)
{
	struct evhttp_connection *con;
	struct bufferevent *bev;
	struct peer one;
	int fd;

	req->role = 0;
	if (peer == NULL) {
		memset(&one, 0, sizeof one);
		peer = &one;
	}
	if (!peer->known) {
		con = evhttp_request_get_connection(req->ev);
		if (con == NULL || (bev = evhttp_connection_get_bufferevent(
		    con)) == NULL || (fd = bufferevent_getfd(bev)) == -1) {
			req->actor_name = xstrdup("unknown");
			return;
		}
		auth_peer(fd, peer);
	}
	if (!peer->local) {
		req->tcp = 1;
		auth_token(req);
	} else {
		req->actor_name = xstrdup(peer->name);
		if (peer->generation != auth_generation) {
			peer->role = auth_unix(peer);
			peer->generation = auth_generation;
		}
		req->role = peer->role;
	}
	if (peer == &one)
		auth_peer_free(&one);
}

/*
 * May this peer use this route? If not, answer 401 (no or bad token) or
 * 403 (role) and return -1.
 */
int
auth_allowed(struct req *req)
{
	int roles = req->route->roles;

	if (roles & ROLE_PUBLIC)
		return (0);
	if (roles == 0)
		roles = ROLE_COORDINATOR;
	if (req->auth_error != NULL) {
		log_info("refused %s %s: %s", req->route->method,
		    req->route->pattern, req->actor_name);
		reply_error(req, 401, "unauthorized", NULL, "%s",
		    req->auth_error);
		return (-1);
	}
	if (req->cookie && !auth_scope_allows(SESSION_SCOPE_DASHBOARD,
	    req->route)) {
		log_info("refused %s %s: %s, out of its scope",
		    req->route->method, req->route->pattern, req->actor_name);
		reply_error(req, 403, "forbidden", "Cookie",
		    _("a dashboard session only reads the dashboard's figures "
		    "(%s): %s %s needs a token in an Authorization header"),
		    auth_session_routes(SESSION_SCOPE_DASHBOARD),
		    req->route->method, req->route->pattern);
		return (-1);
	}
	if (req->tcp && req->role == 0) {
		log_info("refused %s %s: no token", req->route->method,
		    req->route->pattern);
		reply_error(req, 401, "unauthorized", NULL,
		    _("over TCP every request needs a token (Authorization: "
		    "Bearer ...); a coordinator creates them with kitstock "
		    "token add"));
		return (-1);
	}
	if (req->role == 0) {
		log_info("refused %s %s: %s has no role", req->route->method,
		    req->route->pattern, req->actor_name);
		reply_error(req, 403, "forbidden", NULL,
		    _("%s has no role in kitstockd's configuration: ask the "
		    "administrator to add a \"role\" line for this account"),
		    req->actor_name);
		return (-1);
	}
	if ((req->role & roles) == 0) {
		log_info("refused %s %s: %s is %s", req->route->method,
		    req->route->pattern, req->actor_name,
		    auth_role_name(req->role));
		reply_error(req, 403, "forbidden", NULL,
		    _("%s (role %s) may not do this: %s %s is for %s"),
		    req->actor_name, auth_role_name(req->role),
		    req->route->method, req->route->pattern,
		    auth_roles_text(roles));
		return (-1);
	}
	return (0);
}

/* "warehouse, coordinator" for a set of roles (static buffer). */
const char *
auth_roles_text(int roles)
{
	static char buf[128];
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; auth_names[i] != NULL; i++) {
		if ((roles & (1 << i)) == 0)
			continue;
		n = snprintf(buf + used, sizeof buf - used, "%s%s",
		    used == 0 ? "" : ", ", auth_names[i]);
		if (n < 0 || (size_t)n >= sizeof buf - used)
			break;
		used += n;
	}
	return (buf);
}

/* Does a session of this scope reach this route? */
static int
auth_scope_allows(const char *scope, const struct route *r)
{
	const char *const *p;
	size_t n = strlen(r->method);

	if (strcmp(scope, SESSION_SCOPE_DASHBOARD) != 0)
		return (0);
	for (p = auth_dashboard_routes; *p != NULL; p++)
		if (strncmp(*p, r->method, n) == 0 && (*p)[n] == ' ' &&
		    strcmp(*p + n + 1, r->pattern) == 0)
			return (1);
	return (0);
}

/*
 * The roles that may open a session of this scope: those allowed every
 * route the scope reaches (a coordinator's, for the dashboard).
 */
int
auth_session_roles(const char *scope)
{
	const struct route *r;
	int roles = ROLE_WAREHOUSE | ROLE_DISTRIBUTION | ROLE_COORDINATOR |
	    ROLE_PRESCRIBER | ROLE_EVALUATOR;

	for (r = route_table; r->method != NULL; r++)
		if (auth_scope_allows(scope, r) && !(r->roles & ROLE_PUBLIC))
			roles &= r->roles != 0 ? r->roles : ROLE_COORDINATOR;
	return (roles);
}

/* "GET /v1/programme, GET /v1/indicators, ..." (static buffer). */
const char *
auth_session_routes(const char *scope)
{
	static char buf[256];
	const char *const *p;
	size_t used = 0;
	int n;

	buf[0] = '\0';
	if (strcmp(scope, SESSION_SCOPE_DASHBOARD) != 0)
		return (buf);
	for (p = auth_dashboard_routes; *p != NULL; p++) {
		n = snprintf(buf + used, sizeof buf - used, "%s%s",
		    used == 0 ? "" : ", ", *p);
		if (n < 0 || (size_t)n >= sizeof buf - used)
			break;
		used += n;
	}
	return (buf);
}

/*
 * A new secret (a token's, a session's cookie): the prefix and 32 bytes
 * from the kernel's random generator in base64url, 43 characters.
 */
char *
auth_secret(const char *prefix)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	unsigned char r[33];
	size_t plen = strlen(prefix), i, o;
	ssize_t n;
	uint32_t v;
	char *s;

	memset(r, 0, sizeof r);
	while ((n = getrandom(r, 32, 0)) != 32)
		if (n != -1 || errno != EINTR)
			fatal("getrandom");
	s = xmalloc(plen + 44 + 1);
	memcpy(s, prefix, plen);
	/* 33 bytes (the last one zero) as 44 characters, 43 kept. */
	for (i = 0, o = plen; i < sizeof r; i += 3) {
		v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
		s[o++] = b64[(v >> 18) & 0x3f];
		s[o++] = b64[(v >> 12) & 0x3f];
		s[o++] = b64[(v >> 6) & 0x3f];
		s[o++] = b64[v & 0x3f];
	}
	s[plen + 43] = '\0';
	explicit_bzero(r, sizeof r);
	return (s);
}

/* Seconds a browser session may stay unused (session-idle). */
int
auth_session_idle(void)
{
	return (auth_conf != NULL && auth_conf->session_idle > 0 ?
	    auth_conf->session_idle : SESSION_IDLE_DEFAULT);
}

/* Seconds a browser session lasts at most (session-lifetime). */
int
auth_session_lifetime(void)
{
	return (auth_conf != NULL && auth_conf->session_lifetime > 0 ?
	    auth_conf->session_lifetime : SESSION_LIFETIME_DEFAULT);
}
