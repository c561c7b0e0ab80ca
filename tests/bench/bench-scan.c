/*
 * make bench: what a scan costs, against the machine's own limit in the
 * same run. A scan here is what a station's scan does to the store: look
 * the unit up by tag, check and change its state, append the ledger row
 * (POST /v1/devices/TAG/state until the scan stations land).
 *
 * 1. the limit: that transaction in-process on the same database settings
 *    (WAL, synchronous=FULL), at 1 scan per commit and in batches;
 * 2. the daemon: N clients (1, 8, 32, 128), each sending as fast as answers
 *    come back over the UNIX socket: rate, latency, scans per commit, and
 *    the ratios to the in-process rate at the same scans per commit and at
 *    1 scan per commit, each measured beside the figure (see run());
 * 3. latency at 1,000 scans/s offered at a steady rate by 64 stations,
 *    and its limit: the same pace in-process, each scan committed alone;
 *    the 64 stations as 64 processes, then as one process holding their
 *    64 connections (the stations are other machines: 64 processes on the
 *    daemon's two cores time their own scheduling as much as the daemon).
 *
 * The whole is run BENCH_RUNS times (3), then each figure's median is
 * given with the least and the most of the runs.
 *
 * Clients are processes (fork), each with one keep-alive connection,
 * opened before the clock starts; all start together (a steady load's
 * stations evenly spaced over the interval, not all at once) and the
 * rate is what was served between the start and the end of the figure.
 */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kitstockd.h"

#define MAX_LAT		200000	/* latencies kept per client */
#define DEVICES		320

static char dir[] = "/tmp/kitstock-bench.XXXXXX";
static char sock_path[256], db_path[256];
static pid_t daemon_pid;
static int next_device;		/* runs use devices of their own */
static double seconds = 3.0;

struct client_result {
	long	n;
	double	lat[MAX_LAT];	/* milliseconds */
};

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

/* One HTTP/1.1 request on a kept connection; the status, or -1. */
static int
http(int fd, const char *method, const char *path, const char *body,
    char *out, size_t outlen)
{
	char req[1024], buf[65536], *p, *end;
	size_t have = 0, need;
	ssize_t n;
	long clen;
	int status;

	n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: bench\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    method, path, body != NULL ? strlen(body) : 0,
	    body != NULL ? body : "");
	if (write(fd, req, n) != n)
		return (-1);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 10000) != 1 ||
		    (n = read(fd, buf + have, sizeof buf - 1 - have)) <= 0)
			return (-1);
		have += n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		p = strcasestr(buf, "Content-Length:");
		clen = p != NULL ? strtol(p + 15, NULL, 10) : 0;
		need = (end - buf) + 4 + clen;
		if (have >= need)
			break;
	}
	status = atoi(buf + 9);
	if (out != NULL)
		snprintf(out, outlen, "%s", end + 4);
	return (status);
}

static int
connect_daemon(void)
{
	struct sockaddr_un sun;
	struct timeval tv = { 10, 0 };
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof sun.sun_path)
		return (-1);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		return (-1);
	/* A lost answer fails the run rather than hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
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

/* An integer field of a small answer. */
static long long
ifield(const char *json, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof key, "\"%s\": ", name);
	if ((p = strstr(json, key)) == NULL)
		return (-1);
	return (strtoll(p + strlen(key), NULL, 10));
}

/* Start kitstockd and register DEVICES devices in stock; their tags. */
static void
start_daemon(const char *kitstockd, char tags[][TAG_LEN + 1])
{
	char body[256], out[4096], sup[16], loc[16], lot[16];
	int fd, i;

	if ((daemon_pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Stopped with the bench, however it ends (timeout, kill). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 2);
		execl(kitstockd, "kitstockd", "-f", "-d", db_path, "-s",
		    sock_path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && (fd = connect_daemon()) == -1; i++)
		usleep(50000);
	if (fd == -1)
		errx(1, "kitstockd did not start");
	http(fd, "POST", "/v1/suppliers", "{\"name\":\"bench\"}", out,
	    sizeof out);
	snprintf(sup, sizeof sup, "%s", field(out, "tag"));
	http(fd, "POST", "/v1/locations", "{\"name\":\"bench\",\"kind\":"
	    "\"warehouse\",\"commune\":\"93008\"}", out, sizeof out);
	snprintf(loc, sizeof loc, "%s", field(out, "tag"));
	snprintf(body, sizeof body, "{\"supplier\":\"%s\",\"ref\":\"B\"}",
	    sup);
	http(fd, "POST", "/v1/lots", body, out, sizeof out);
	snprintf(lot, sizeof lot, "%s", field(out, "tag"));
	for (i = 0; i < DEVICES; i++) {
		snprintf(body, sizeof body, "{\"kind\":\"laptop\",\"serial\":"
		    "\"B%d\",\"lot\":\"%s\",\"location\":\"%s\"}", i, lot, loc);
		if (http(fd, "POST", "/v1/devices", body, out, sizeof out) !=
		    201)
			errx(1, "cannot register devices: %s", out);
		snprintf(tags[i], TAG_LEN + 1, "%s", field(out, "tag"));
	}
	close(fd);
}

/* Sleep until a time on the clock of now(). */
static void
sleep_until(double t)
{
	double left = t - now();

	if (left > 0)
		usleep((useconds_t)(left * 1e6));
}

/*
 * A client: scans its own device back and forth as fast as answers come
 * (interval 0) or at a steady interval from its first time, until the end.
 */
static void
client(const char *tag, double interval, double first, double until,
    struct client_result *r)
{
	char path[64], out[4096];
	const char *to[2] = { "{\"to\":\"in_repair\",\"reason\":\"scan\"}",
	    "{\"to\":\"in_stock\",\"reason\":\"scan\"}" };
	double t0, next;
	int fd, st;

	if ((fd = connect_daemon()) == -1)
		_exit(1);
	snprintf(path, sizeof path, "/v1/devices/%s/state", tag);
	sleep_until(first);
	next = first;
	while ((t0 = now()) < until) {
		if (interval > 0) {
			sleep_until(next);
			next += interval;
			t0 = now();
		}
		if ((st = http(fd, "POST", path, to[r->n % 2], out,
		    sizeof out)) != 200) {
			fprintf(stderr, "bench: %s: %d %s\n", tag, st, out);
			_exit(2);
		}
		if (r->n < MAX_LAT)
			r->lat[r->n] = (now() - t0) * 1000;
		r->n++;
	}
	_exit(0);
}

/* The daemon's write and commit counters (GET /v1/health). */
static void
counters(long long *writes, long long *commits)
{
	char out[4096];
	int fd;

	if ((fd = connect_daemon()) == -1)
		errx(1, "daemon gone");
	http(fd, "GET", "/v1/health", NULL, out, sizeof out);
	close(fd);
	*writes = ifield(out, "writes");
	*commits = ifield(out, "commits");
}

/* Run n clients; rate, latencies, scans per commit. */
static void
run_clients(char tags[][TAG_LEN + 1], int n, double interval,
    double *rate, double *p50, double *p99, double *max, double *per_commit)
{
	struct client_result *r;
	long long w0, c0, w1, c1;
	double start, until, *all;
	long total = 0, k = 0;
	int i, j;

	r = mmap(NULL, sizeof *r * n, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		err(1, "mmap");
	memset(r, 0, sizeof *r * n);
	counters(&w0, &c0);
	/* Time to fork and connect them all before the clock starts. */
	start = now() + 0.1 + n * 0.002;
	until = start + seconds;
	if (next_device + n > DEVICES)
		errx(1, "not enough devices for %d more clients", n);
	for (i = 0; i < n; i++)
		if (fork() == 0)
			client(tags[next_device + i], interval,
			    start + i * interval / n, until, &r[i]);
	next_device += n;
	for (i = 0; i < n; i++) {
		int st;

		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			errx(1, "a client failed (%d)", st);
	}
	counters(&w1, &c1);
	for (i = 0; i < n; i++)
		total += r[i].n;
	all = xcalloc(total, sizeof *all);
	for (i = 0; i < n; i++)
		for (j = 0; j < r[i].n && j < MAX_LAT; j++)
			all[k++] = r[i].lat[j];
	qsort(all, k, sizeof *all, cmp_double);
	*rate = total / seconds;
	*p50 = all[k / 2];
	*p99 = all[(k * 99) / 100];
	*max = all[k - 1];
	*per_commit = c1 > c0 ? (double)(w1 - w0) / (c1 - c0) : 0;
	free(all);
	munmap(r, sizeof *r * n);
}

/* A station of run_stations: its connection, its pace, its request. */
struct station {
	int	 fd;
	int	 busy;		/* a request sent, its answer not read */
	long	 n;		/* scans answered */
	double	 next;		/* when to send the next */
	double	 sent;
	size_t	 have;
	char	 path[64];
	char	 buf[4096];
};

/* Has a station's answer come whole? -1 on an error. */
static int
station_read(struct station *st)
{
	char *end, *p;
	ssize_t n;
	long clen;

	if ((n = read(st->fd, st->buf + st->have, sizeof st->buf - 1 -
	    st->have)) <= 0)
		return (-1);
	st->have += n;
	st->buf[st->have] = '\0';
	if ((end = strstr(st->buf, "\r\n\r\n")) == NULL)
		return (0);
	p = strcasestr(st->buf, "Content-Length:");
	clen = p != NULL ? strtol(p + 15, NULL, 10) : 0;
	if (st->have < (size_t)(end - st->buf) + 4 + clen)
		return (0);
	if (atoi(st->buf + 9) != 200)
		errx(1, "bench: %s: %s", st->path, end + 4);
	return (1);
}

/*
 * The steady load from one process: n stations, each its own connection
 * and device, each sending a scan every interval (when its answer before
 * came), spread evenly over it; no process per station, so what is timed
 * is the daemon more than the scheduling of n client processes.
 */
static void
run_stations(char tags[][TAG_LEN + 1], int n, double interval,
    double *rate, double *p50, double *p99, double *max, double *per_commit)
{
	const char *to[2] = { "{\"to\":\"in_repair\",\"reason\":\"scan\"}",
	    "{\"to\":\"in_stock\",\"reason\":\"scan\"}" };
	struct station *st;
	struct pollfd *pfd;
	struct timespec ts;
	long long w0, c0, w1, c1;
	double start, until, t, wait, *all;
	long k = 0, cap;
	int i, m, busy;
	char req[1024];

	st = xcalloc(n, sizeof *st);
	pfd = xcalloc(n, sizeof *pfd);
	cap = (long)(seconds / interval * n) + 2 * n;
	all = xcalloc(cap, sizeof *all);
	if (next_device + n > DEVICES)
		errx(1, "not enough devices for %d more stations", n);
	for (i = 0; i < n; i++) {
		if ((st[i].fd = connect_daemon()) == -1)
			err(1, "connect");
		snprintf(st[i].path, sizeof st[i].path, "/v1/devices/%s/state",
		    tags[next_device + i]);
	}
	next_device += n;
	counters(&w0, &c0);
	start = now() + 0.1;
	until = start + seconds;
	for (i = 0; i < n; i++)
		st[i].next = start + i * interval / n;
	for (;;) {
		t = now();
		wait = 1;
		for (i = 0, busy = 0; i < n; i++) {
			if (!st[i].busy && st[i].next <= t && st[i].next < until) {
				m = snprintf(req, sizeof req, "POST %s HTTP/1.1\r\n"
				    "Host: bench\r\nContent-Type: application/json"
				    "\r\nContent-Length: %zu\r\n\r\n%s",
				    st[i].path, strlen(to[st[i].n % 2]),
				    to[st[i].n % 2]);
				if (write(st[i].fd, req, m) != m)
					err(1, "write");
				st[i].busy = 1;
				st[i].sent = t;
				st[i].have = 0;
				st[i].next += interval;
			}
			if (st[i].busy)
				pfd[busy++] = (struct pollfd){ st[i].fd, POLLIN, 0 };
			else if (st[i].next < until && st[i].next - t < wait)
				wait = st[i].next - t;
		}
		if (busy == 0 && t >= until)
			break;
		wait = wait > 0 ? wait : 0;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
		if (ppoll(pfd, busy, &ts, NULL) == -1 && errno != EINTR)
			err(1, "ppoll");
		for (m = 0; m < busy; m++) {
			if (!(pfd[m].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (i = 0; st[i].fd != pfd[m].fd; i++)
				;
			switch (station_read(&st[i])) {
			case -1:
				errx(1, "bench: %s: connection lost", st[i].path);
			case 1:
				if (k < cap)
					all[k++] = (now() - st[i].sent) * 1000;
				st[i].busy = 0;
				st[i].n++;
				break;
			}
		}
	}
	counters(&w1, &c1);
	for (i = 0; i < n; i++)
		close(st[i].fd);
	qsort(all, k, sizeof *all, cmp_double);
	*rate = k / seconds;
	*p50 = all[k / 2];
	*p99 = all[(k * 99) / 100];
	*max = all[k - 1];
	*per_commit = c1 > c0 ? (double)(w1 - w0) / (c1 - c0) : 0;
	free(all);
	free(pfd);
	free(st);
}

/*
 * An in-process store of its own (name), with the daemon's settings
 * (checkpoints off the writer, store-wal.c) and one device: its tag.
 */
static void
inproc_open(const char *name, const struct actor *a, char *tag)
{
	char path[300], *cause = NULL;
	json_t *vals;

	snprintf(path, sizeof path, "%s/inproc-%s.db", dir, name);
	unlink(path);	/* a run before this one made it */
	if (store_open(path, &cause) != 0 || profile_load(NULL, &cause) != 0)
		errx(1, "store: %s", cause);
	store_wal_start();
	store_begin();
	vals = json_pack("{ss}", "name", "bench");
	store_item_add(&res_supplier, a, vals, tag);
	json_decref(vals);
	vals = json_pack("{ss ss ss}", "kind", "laptop", "serial", "X",
	    "state", "in_stock");
	store_item_add(&res_device, a, vals, tag);
	json_decref(vals);
	store_commit();
}

/* One scan in the open transaction: look up, check, change, ledger row. */
static void
inproc_scan(const struct actor *a, const char *tag)
{
	char state[32], loc[TAG_LEN + 1];

	if (store_unit_get(&res_device, tag, state, sizeof state, loc,
	    NULL) != STORE_OK)
		errx(1, "get");
	if (store_unit_state(&res_device, a, tag, state,
	    strcmp(state, "in_stock") == 0 ? "in_repair" : "in_stock",
	    "scan", NULL) != STORE_OK)
		errx(1, "state");
}

/* The in-process limit: scans per second at a given batch size. */
static double
inproc(int batch)
{
	struct actor a = { "bench", "bench", NULL };
	char name[16], tag[TAG_LEN + 1];
	double start, elapsed;
	long n = 0;
	int i;

	snprintf(name, sizeof name, "%d", batch);
	inproc_open(name, &a, tag);
	start = now();
	while ((elapsed = now() - start) < seconds) {
		if (store_begin() != STORE_OK)
			errx(1, "begin");
		for (i = 0; i < batch; i++, n++)
			inproc_scan(&a, tag);
		if (store_commit() != STORE_OK)
			errx(1, "commit");
	}
	store_close();
	return (n / elapsed);
}

/*
 * The latency limit of the steady load: in-process, 1,000 scans a second
 * at a steady pace, each committed alone (what a scan waits for when
 * nothing else runs: its transaction and the WAL's sync), in ms from the
 * time it was due, so a slow commit counts for the scans it delays.
 */
static void
inproc_steady(double *p50, double *p99, double *max)
{
	struct actor a = { "bench", "bench", NULL };
	char tag[TAG_LEN + 1];
	double start, next, t0, *lat;
	long n = 0, cap = (long)(seconds * 1000) + 1;

	lat = xcalloc(cap, sizeof *lat);
	inproc_open("steady", &a, tag);
	start = next = now();
	while (now() - start < seconds && n < cap) {
		sleep_until(next);
		t0 = next;
		next += 0.001;
		if (store_begin() != STORE_OK)
			errx(1, "begin");
		inproc_scan(&a, tag);
		if (store_commit() != STORE_OK)
			errx(1, "commit");
		lat[n++] = (now() - t0) * 1000;
	}
	store_close();
	qsort(lat, n, sizeof *lat, cmp_double);
	*p50 = lat[n / 2];
	*p99 = lat[(n * 99) / 100];
	*max = lat[n - 1];
	free(lat);
}

/* Stop the daemon and remove its database: the next run starts afresh. */
static void
stop_daemon(void)
{
	char cmd[1200];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	snprintf(cmd, sizeof cmd, "rm -f %s %s-wal %s-shm %s", db_path,
	    db_path, db_path, sock_path);
	(void)system(cmd);
	next_device = 0;
}

/* Never leave a daemon or a temporary folder behind, even on errx(). */
static void
cleanup(void)
{
	char cmd[300];

	stop_daemon();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)system(cmd);
}

/* The batch sizes measured in-process before the daemon starts. */
static const int grid[] = { 1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128 };
#define NGRID	(int)(sizeof grid / sizeof grid[0])


/* A figure of one run: rate, latencies, scans per commit, ratios. */
struct figure {
	double	rate, p50, p99, max, per, one, same, vs_same, vs_one;
};
#define NFIG	7	/* 1, 8, 32, 128 clients; the steady load; its limit;
			   the steady load from one process */
#define MAX_RUNS 9

/* The median of n values (taken in place), and their least and most. */
static double
median(double *v, int n, double *lo, double *hi)
{
	qsort(v, n, sizeof *v, cmp_double);
	*lo = v[0];
	*hi = v[n - 1];
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/*
 * One run: the in-process limit on the grid and at the steady pace, then
 * the daemon (from an empty database) with 1, 8, 32 and 128 clients and
 * the steady load; one line per figure. Each daemon figure is framed by
 * the in-process rates it is compared with, measured just before (1 scan
 * per commit) and just after (at the scans per commit it achieved): this
 * machine's speed moves over tens of seconds (the grid's rates at 128
 * per commit went from 17,000 to 66,000 scans/s between two runs of the
 * same binary), so a ratio is only fair between figures measured together.
 */
static void
run(const char *kitstockd, char tags[][TAG_LEN + 1], int steady_only,
    struct figure *f)
{
	static const int clients[] = { 1, 8, 32, 128 };
	struct figure *l = &f[5];
	double rate[NGRID];
	int b, i;

	memset(f, 0, NFIG * sizeof *f);
	inproc_steady(&l->p50, &l->p99, &l->max);
	printf("limit: in-process, 1000 scans/s at a steady pace, 1 per "
	    "commit: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", l->p50,
	    l->p99, l->max);
	if (!steady_only) {
		for (b = 0; b < NGRID; b++)
			rate[b] = inproc(grid[b]);
		printf("limit: in-process, scans/s at 1, 2, ... scans per "
		    "commit:");
		for (b = 0; b < NGRID; b++)
			printf(" %d: %.0f", grid[b], rate[b]);
		printf("\n");
	}
	start_daemon(kitstockd, tags);
	for (i = 0; i < 4 && !steady_only; i++) {
		f[i].one = inproc(1);
		run_clients(tags, clients[i], 0, &f[i].rate, &f[i].p50,
		    &f[i].p99, &f[i].max, &f[i].per);
		/* In-process at the scans per commit the daemon achieved. */
		f[i].same = inproc(f[i].per < 1.5 ? 1 : (int)lround(f[i].per));
		f[i].vs_same = f[i].rate / f[i].same;
		f[i].vs_one = f[i].rate / f[i].one;
		printf("daemon: %3d clients: %6.0f scans/s, p50 %.2f ms, p99 "
		    "%.2f ms, max %.2f ms, %.1f per commit, %.2f x same "
		    "batch (%.0f/s), %.2f x 1/commit (%.0f/s)\n", clients[i],
		    f[i].rate, f[i].p50, f[i].p99, f[i].max, f[i].per,
		    f[i].vs_same, f[i].same, f[i].vs_one, f[i].one);
	}
	run_clients(tags, 64, 64 / 1000.0, &f[4].rate, &f[4].p50, &f[4].p99,
	    &f[4].max, &f[4].per);
	printf("steady: 1000 scans/s offered by 64 stations: %.0f served, "
	    "p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.1f per commit\n",
	    f[4].rate, f[4].p50, f[4].p99, f[4].max, f[4].per);
	run_stations(tags, 64, 64 / 1000.0, &f[6].rate, &f[6].p50, &f[6].p99,
	    &f[6].max, &f[6].per);
	printf("steady: the same from one process (64 connections): %.0f "
	    "served, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.1f per commit\n",
	    f[6].rate, f[6].p50, f[6].p99, f[6].max, f[6].per);
	stop_daemon();
}

/* The summary: each figure's median over the runs, ranges where they move. */
static void
summary(struct figure f[][NFIG], int runs, int steady_only)
{
	static const char *const names[] = { "1", "8", "32", "128" };
	double v[MAX_RUNS], lo, hi, lo2, hi2, m[8];
	int i, k, r;

#define MED(field, x, l, h) do {					\
	for (r = 0; r < runs; r++)					\
		v[r] = f[r][i].field;					\
	x = median(v, runs, &l, &h);					\
} while (0)
	printf("\nmedians of %d runs (least-most)\n", runs);
	if (!steady_only) {
		printf("%-8s %9s %8s %14s %8s %10s %9s %14s %14s\n",
		    "clients", "scans/s", "p50 ms", "p99 ms", "max ms",
		    "per commit", "same/s", "vs same", "vs 1/c");
		for (i = 0; i < 4; i++) {
			MED(rate, m[0], lo, hi);
			MED(p50, m[1], lo, hi);
			MED(max, m[3], lo, hi);
			MED(per, m[4], lo, hi);
			MED(same, m[5], lo, hi);
			MED(p99, m[2], lo, hi);
			printf("%-8s %9.0f %8.2f %5.2f (%.1f-%.1f) %8.2f "
			    "%10.1f %9.0f", names[i], m[0], m[1], m[2], lo, hi,
			    m[3], m[4], m[5]);
			MED(vs_same, m[6], lo, hi);
			MED(vs_one, m[7], lo2, hi2);
			printf(" %4.2f (%.2f-%.2f) %4.2f (%.2f-%.2f)\n", m[6],
			    lo, hi, m[7], lo2, hi2);
		}
	}
	for (k = 0; k < 3; k++) {
		static const int order[] = { 5, 4, 6 };
		static const char *const what[] = {
			"steady limit, in-process:  ",
			"steady, 64 stations:       ",
			"steady, one process of 64: "
		};

		i = order[k];
		MED(p50, m[1], lo, hi);
		MED(max, m[3], lo, hi);
		MED(p99, m[2], lo, hi);
		printf("%s p50 %.2f ms, p99 %.2f ms (%.2f-%.2f), max %.2f ms\n",
		    what[k], m[1], m[2], lo, hi, m[3]);
	}
#undef MED
}

int
main(int argc, char **argv)
{
	static char tags[DEVICES][TAG_LEN + 1];
	static struct figure f[MAX_RUNS][NFIG];
	const char *kitstockd = getenv("KITSTOCKD");
	const char *only = getenv("BENCH_ONLY");
	int r, runs = 3, steady_only;

	if (getenv("BENCH_SECONDS") != NULL)
		seconds = atof(getenv("BENCH_SECONDS"));
	if (getenv("BENCH_RUNS") != NULL)
		runs = atoi(getenv("BENCH_RUNS"));
	if (runs < 1 || runs > MAX_RUNS)
		errx(1, "BENCH_RUNS: 1 to %d", MAX_RUNS);
	if (kitstockd == NULL)
		kitstockd = "daemon/kitstockd";
	log_init(1, 0);
	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	atexit(cleanup);
	snprintf(sock_path, sizeof sock_path, "%s/sock", dir);
	snprintf(db_path, sizeof db_path, "%s/kitstock.db", dir);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# kitstock bench, %.0f s per figure, %d runs, %ld cores\n",
	    seconds, runs, sysconf(_SC_NPROCESSORS_ONLN));
	/* BENCH_ONLY=steady: the latency figures alone (while tuning). */
	steady_only = only != NULL && strcmp(only, "steady") == 0;
	for (r = 0; r < runs; r++) {
		printf("# run %d\n", r + 1);
		run(kitstockd, tags, steady_only, f[r]);
	}
	summary(f, runs, steady_only);
	return (0);
}
