/*
 * make bench: what the largest label job does to everyone else. Labels
 * render on worker threads (daemon/worker.c); the loop should go on
 * answering /v1/health and scans while clients ask for 210 labels of ZPL
 * at 600 dpi (the largest job a request may ask for) as fast as answers
 * come back.
 *
 * For BENCH_SECONDS (5) each: one client loops on GET /v1/health and one
 * on POST /v1/scans (a putaway station: a location, then a device, moved
 * back and forth between two locations: every scan writes), first alone,
 * then while 4 clients loop on the label job. Each client is a process
 * with one keep-alive connection on the UNIX socket. Printed: p50, p99 and
 * the most, in milliseconds, and the label jobs served (and refused 503).
 */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAT		200000
#define LABELS		210
#define LABEL_CLIENTS	4

struct result {
	long	n, refused;
	double	lat[MAX_LAT];	/* milliseconds */
};

static char dir[] = "/tmp/kitstock-bench-labels.XXXXXX";
static char sock_path[256], db_path[256], conf_path[256];
static pid_t daemon_pid;
static double seconds = 5.0;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/*
 * One HTTP/1.1 request on a kept connection: the status, or -1. The body
 * is kept in out (cut to outlen), the rest read and dropped.
 */
static int
http(int fd, const char *method, const char *path, const char *body,
    char *out, size_t outlen)
{
	static char buf[1 << 20];
	char *req, *end, *p;
	size_t have = 0, need = 0, hlen = 0, got;
	ssize_t n;
	int len, status = -1;

	len = asprintf(&req, "%s %s HTTP/1.1\r\nHost: bench\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n%s", method, path,
	    body != NULL ? strlen(body) : 0, body != NULL ? body : "");
	if (len == -1 || write(fd, req, len) != len) {
		free(req);
		return (-1);
	}
	free(req);
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 30000) != 1 || (n = read(fd, buf + have,
		    sizeof buf - 1 - have)) <= 0)
			return (-1);
		have += n;
		buf[have] = '\0';
		if (hlen == 0) {
			if ((end = strstr(buf, "\r\n\r\n")) == NULL)
				continue;
			hlen = end - buf + 4;
			p = strcasestr(buf, "Content-Length:");
			need = hlen + (p != NULL ? strtoul(p + 15, NULL, 10) :
			    0);
			status = atoi(buf + 9);
			if (out != NULL && outlen > 0)
				snprintf(out, outlen, "%s", buf + hlen);
		}
		if (have >= need)
			break;
		/* Keep the headers' room; drop the body read so far. */
		got = have - hlen;
		need -= got;
		have = hlen;
	}
	return (status);
}

static int
connect_daemon(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof sun.sun_path)
		return (-1);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* A JSON string field's value out of a small answer (static buffer). */
static const char *
field(const char *json, const char *name)
{
	static char v[128];
	char key[64];
	const char *p;
	size_t i = 0;

	snprintf(key, sizeof key, "\"%s\": \"", name);
	if ((p = strstr(json, key)) == NULL)
		return ("");
	p += strlen(key);
	while (*p != '"' && i < sizeof v - 1)
		v[i++] = *p++;
	v[i] = '\0';
	return (v);
}

/* POST, expecting a tag back. */
static void
make(int fd, const char *path, const char *body, char *tag, size_t len)
{
	char out[4096];
	const char *v;
	int st;

	if ((st = http(fd, "POST", path, body, out, sizeof out)) != 201)
		errx(1, "POST %s: %d %s", path, st, out);
	v = field(out, "tag");
	if (strlen(v) >= len)
		errx(1, "POST %s: tag %s too long", path, v);
	memcpy(tag, v, strlen(v) + 1);
}

/*
 * Start kitstockd; make two locations, a device, a putaway station, and
 * LABELS pre-printed tags: the label job's path in *labels.
 */
static void
start_daemon(const char *kitstockd, char *loc0, char *loc1, char *dev,
    char **labels)
{
	char body[512], out[16384], sup[16], lot[16], *p, *q;
	FILE *f;
	int fd, i;

	if ((f = fopen(conf_path, "w")) == NULL)
		err(1, "%s", conf_path);
	fprintf(f, "language en\nscan-debounce 0\n");
	fclose(f);
	if ((daemon_pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 2);
		execl(kitstockd, "kitstockd", "-f", "-d", db_path, "-s",
		    sock_path, "-c", conf_path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && (fd = connect_daemon()) == -1; i++)
		usleep(50000);
	if (fd == -1)
		errx(1, "kitstockd did not start");
	make(fd, "/v1/suppliers", "{\"name\":\"bench\"}", sup, sizeof sup);
	make(fd, "/v1/locations", "{\"name\":\"A\",\"kind\":\"warehouse\","
	    "\"commune\":\"93008\"}", loc0, 16);
	make(fd, "/v1/locations", "{\"name\":\"B\",\"kind\":\"warehouse\","
	    "\"commune\":\"93008\"}", loc1, 16);
	snprintf(body, sizeof body, "{\"supplier\":\"%s\",\"ref\":\"B\"}",
	    sup);
	make(fd, "/v1/lots", body, lot, sizeof lot);
	snprintf(body, sizeof body, "{\"kind\":\"laptop\",\"serial\":\"B1\","
	    "\"lot\":\"%s\",\"location\":\"%s\"}", lot, loc0);
	make(fd, "/v1/devices", body, dev, 16);
	snprintf(body, sizeof body, "{\"name\":\"rayon\",\"location\":\"%s\","
	    "\"mode\":\"putaway\"}", loc0);
	if (http(fd, "POST", "/v1/stations", body, out, sizeof out) != 201)
		errx(1, "POST /v1/stations: %s", out);
	snprintf(body, sizeof body, "{\"type\":\"device\",\"count\":%d}",
	    LABELS);
	if (http(fd, "POST", "/v1/labels/blank", body, out, sizeof out) !=
	    201 || (p = strstr(out, "\"tags\"")) == NULL)
		errx(1, "POST /v1/labels/blank: %s", out);
	*labels = malloc(64 + LABELS * 12);
	q = *labels + sprintf(*labels, "/v1/labels?format=zpl&dpi=600&tags=");
	while ((p = strstr(p, "\"D-")) != NULL) {
		p++;
		while (*p != '"')
			*q++ = *p++;
		*q++ = ',';
	}
	q[-1] = '\0';
	close(fd);
}

/* A client: health, scans (by turns, a location then the device), labels. */
enum kind { HEALTH, SCAN, LABEL };

static void
client(enum kind k, const char *path, const char *loc0, const char *loc1,
    const char *dev, double until, struct result *r)
{
	char body[128], out[512];
	const char *code;
	double t0;
	int fd, st, want;

	if ((fd = connect_daemon()) == -1)
		_exit(1);
	while ((t0 = now()) < until) {
		switch (k) {
		case HEALTH:
			st = http(fd, "GET", "/v1/health", NULL, NULL, 0);
			want = 200;
			break;
		case SCAN:
			code = r->n % 2 == 1 ? dev : r->n % 4 == 0 ? loc1 :
			    loc0;
			snprintf(body, sizeof body, "{\"station\":\"rayon\","
			    "\"code\":\"%s\"}", code);
			st = http(fd, "POST", "/v1/scans", body, out,
			    sizeof out);
			want = st == 201 ? 201 : 200;
			if (st != want || strstr(out, "\"ok\"") == NULL) {
				fprintf(stderr, "bench: scan %s: %d %s\n",
				    code, st, out);
				_exit(2);
			}
			break;
		default:
			st = http(fd, "GET", path, NULL, NULL, 0);
			want = 200;
			if (st == 503) {
				r->refused++;
				usleep(10000);
				continue;
			}
			break;
		}
		if (st != want) {
			fprintf(stderr, "bench: %d answered %d\n", k, st);
			_exit(2);
		}
		if (r->n < MAX_LAT)
			r->lat[r->n] = (now() - t0) * 1000;
		r->n++;
	}
	_exit(0);
}

static pid_t
spawn(enum kind k, const char *path, const char *loc0, const char *loc1,
    const char *dev, double until, struct result *r)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		client(k, path, loc0, loc1, dev, until, r);
	return (pid);
}

static void
stats(struct result *r, double *p50, double *p99, double *max)
{
	long n = r->n < MAX_LAT ? r->n : MAX_LAT;

	*p50 = *p99 = *max = 0;
	if (n == 0)
		return;
	qsort(r->lat, n, sizeof r->lat[0], cmp_double);
	*p50 = r->lat[n / 2];
	*p99 = r->lat[(n * 99) / 100];
	*max = r->lat[n - 1];
}

/* One phase: health and scans for seconds, with nlabel label clients. */
static void
phase(const char *name, int nlabel, const char *path, const char *loc0,
    const char *loc1, const char *dev, struct result *res)
{
	pid_t pids[2 + LABEL_CLIENTS];
	double until, h[3], s[3];
	long jobs = 0, refused = 0;
	int i, n = 0, status, failed = 0;

	memset(res, 0, sizeof *res * (2 + LABEL_CLIENTS));
	until = now() + seconds;
	for (i = 0; i < nlabel; i++)
		pids[n++] = spawn(LABEL, path, NULL, NULL, NULL, until,
		    &res[2 + i]);
	if (nlabel > 0)
		usleep(300000);	/* the label jobs under way first */
	pids[n++] = spawn(HEALTH, NULL, NULL, NULL, NULL, until, &res[0]);
	pids[n++] = spawn(SCAN, NULL, loc0, loc1, dev, until, &res[1]);
	for (i = 0; i < n; i++) {
		waitpid(pids[i], &status, 0);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	if (failed)
		errx(1, "a client failed");
	for (i = 0; i < nlabel; i++) {
		jobs += res[2 + i].n;
		refused += res[2 + i].refused;
	}
	stats(&res[0], &h[0], &h[1], &h[2]);
	stats(&res[1], &s[0], &s[1], &s[2]);
	printf("%-22s %7.2f %7.2f %7.1f %8.2f %7.2f %7.1f", name, h[0], h[1],
	    h[2], s[0], s[1], s[2]);
	if (nlabel > 0)
		printf("   %ld jobs (%.2f/s), %ld refused 503", jobs,
		    jobs / seconds, refused);
	printf("\n");
}

static void
cleanup(void)
{
	char cmd[300];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)system(cmd);
}

int
main(void)
{
	const char *kitstockd = getenv("KITSTOCKD"), *s;
	char loc0[16], loc1[16], dev[16], *path;
	struct result *res;

	if (kitstockd == NULL)
		kitstockd = "daemon/kitstockd";
	if ((s = getenv("BENCH_SECONDS")) != NULL && atof(s) > 0)
		seconds = atof(s);
	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	atexit(cleanup);
	snprintf(sock_path, sizeof sock_path, "%s/sock", dir);
	snprintf(db_path, sizeof db_path, "%s/kitstock.db", dir);
	snprintf(conf_path, sizeof conf_path, "%s/kitstockd.conf", dir);
	res = mmap(NULL, sizeof *res * (2 + LABEL_CLIENTS), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		err(1, "mmap");
	start_daemon(kitstockd, loc0, loc1, dev, &path);

	printf("bench-labels: /v1/health and POST /v1/scans (ms), %.0f s "
	    "each, while %d clients loop on %d labels, ZPL at 600 dpi\n",
	    seconds, LABEL_CLIENTS, LABELS);
	printf("%-22s %7s %7s %7s %8s %7s %7s\n", "", "health", "p99", "max",
	    "scan p50", "p99", "max");
	phase("no label load", 0, path, loc0, loc1, dev, res);
	phase("4 label clients", LABEL_CLIENTS, path, loc0, loc1, dev, res);
	free(path);
	return (0);
}
