/*
 * Who is asking and what they may do. On the UNIX socket the peer's uid
 * and groups (SO_PEERCRED) map to a role through the configuration's
 * "role" lines; root and the daemon's own user are coordinators. On TCP
 * every request carries a bearer token, stored only as its SHA-256. Each
 * route declares the roles allowed; a refusal is 401 or 403 with a
 * sentence, logged, and changes nothing.
 */

#include <sys/types.h>
#include <sys/socket.h>

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

static int auth_unix(const struct peer *);
static int auth_token(struct req *);
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
 * The token a browser's session cookie holds (allocated), or NULL: a page
 * load and an EventSource cannot send a bearer header (api_session).
 */
static char *
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

/* A TCP peer: the bearer token names the actor and the role. */
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
		req->cookie = 1;
		status = store_token_find(cookie, &name, &role, &prescriber,
		    &expired);
		free(cookie);
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
	if (req->cookie && req->route->write) {
		log_info("refused %s %s: session cookie", req->route->method,
		    req->route->pattern);
		reply_error(req, 403, "forbidden", NULL,
		    _("a browser session only reads: send the token in an "
		    "Authorization header to change anything"));
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
