/*
 * kitstock terminal: a remote scan station on a laptop. It reads its own
 * USB scanner with the daemon's decoder (shared/hid.c), or lines typed on
 * standard input, and posts each scan to POST /v1/scans with a unique
 * scan_id and the time it was made.
 *
 * Every scan is first appended to a local queue file and fsynced, then
 * sent; its answer is appended as done. Scans whose answer did not come
 * (kitstockd down, the network gone, the terminal killed, kitstockd dead
 * between its commit and its answer) are sent again, in order, marked
 * provisional, until kitstockd answers: the scan_id makes that exactly
 * once, kitstockd returning the verdict it recorded the first time.
 *
 * The queue: one JSON object a line, {"op":"scan","scan_id","code",
 * "made_at"} then {"op":"done","scan_id"}; a torn last line is ignored.
 */

#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libusb.h>

#include "kitstock.h"
#include "hid.h"

#define TERMINAL_RETRY_MS	2000	/* between tries while unreachable */
#define TERMINAL_TIMEOUT	10	/* seconds for one request */

struct terminal {
	const char		*station;
	char			*queue_path;
	int			 queue_fd;
	json_t			*pending;	/* scans not answered, in order */
	int			 unreachable;
	uint64_t		 next_try;
	struct cmd		*cmd;
	/* USB */
	libusb_context		*ctx;
	libusb_device_handle	*h;
	int			 iface, ep, len;
	struct hid_decoder	 dec;
	struct libusb_transfer	*xfer;
	unsigned char		 buf[64];
	int			 gone;
};

static volatile sig_atomic_t terminal_stop;

static uint64_t terminal_now(void);
static void terminal_signal(int);
static char *terminal_queue_default(const char *);
static int terminal_queue_open(struct terminal *);
static int terminal_append(struct terminal *, json_t *);
static void terminal_scan(struct terminal *, const char *);
static void terminal_flush(struct terminal *);
static int terminal_send(struct terminal *, json_t *);
static void terminal_show(const char *, const char *, const char *);
static int terminal_stdin(struct terminal *);
static int terminal_usb(struct terminal *, const char *, const char *);
static void terminal_hid(const struct hid_event *, void *);
static void LIBUSB_CALL terminal_xfer_cb(struct libusb_transfer *);

static uint64_t
terminal_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
terminal_signal(int sig)
{
	terminal_stop = 1;
}

/* $XDG_STATE_HOME/kitstock/terminal-STATION.queue (allocated). */
static char *
terminal_queue_default(const char *station)
{
	const char *state = getenv("XDG_STATE_HOME"), *home;
	char *dir, *path;

	if (state != NULL && *state == '/')
		dir = xstrdup(state);
	else {
		home = getenv("HOME");
		xasprintf(&dir, "%s/.local/state", home != NULL ? home : ".");
	}
	xasprintf(&path, "%s/kitstock", dir);
	(void)mkdir(dir, 0700);
	(void)mkdir(path, 0700);
	free(path);
	xasprintf(&path, "%s/kitstock/terminal-%s.queue", dir, station);
	free(dir);
	return (path);
}

/*
 * Open and lock the queue, and read what it holds: the scans not yet
 * answered, in the order they were made.
 */
static int
terminal_queue_open(struct terminal *t)
{
	FILE *f;
	char *line = NULL;
	size_t size = 0, i;
	ssize_t n;
	json_t *o, *done, *e;
	const char *op, *id;
	off_t end;

	if ((t->queue_fd = open(t->queue_path, O_RDWR | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0600)) == -1) {
		output_warn(_("cannot open the queue %s: %s"), t->queue_path,
		    strerror(errno));
		return (-1);
	}
	if (flock(t->queue_fd, LOCK_EX | LOCK_NB) != 0) {
		output_warn(_("another terminal uses the queue %s"),
		    t->queue_path);
		return (-1);
	}
	t->pending = json_array();
	done = json_object();
	if ((f = fdopen(dup(t->queue_fd), "r")) == NULL)
		fatal("fdopen");
	while ((n = getline(&line, &size, f)) != -1) {
		if (n == 0 || line[n - 1] != '\n')
			break;		/* torn: the terminal died writing it */
		if ((o = json_loads(line, 0, NULL)) == NULL)
			continue;
		op = json_string_value(json_object_get(o, "op"));
		id = json_string_value(json_object_get(o, "scan_id"));
		if (op != NULL && id != NULL && strcmp(op, "scan") == 0)
			json_array_append(t->pending, o);
		else if (op != NULL && id != NULL && strcmp(op, "done") == 0)
			json_object_set_new(done, id, json_true());
		json_decref(o);
	}
	free(line);
	fclose(f);
	for (i = json_array_size(t->pending); i > 0; i--) {
		e = json_array_get(t->pending, i - 1);
		if (json_object_get(done, json_string_value(json_object_get(e,
		    "scan_id"))) != NULL)
			json_array_remove(t->pending, i - 1);
		else	/* sent again: provisional */
			json_object_set_new(e, "provisional", json_true());
	}
	json_decref(done);
	if (json_array_size(t->pending) == 0) {
		/* Nothing owed: start the file afresh. */
		if (ftruncate(t->queue_fd, 0) != 0)
			output_warn(_("cannot empty the queue %s: %s"),
			    t->queue_path, strerror(errno));
	} else {
		end = lseek(t->queue_fd, 0, SEEK_END);
		/* A torn last line must not glue onto the next record. */
		if (end > 0 && write(t->queue_fd, "\n", 1) != 1)
			return (-1);
		printf(_("%zu scan(s) from an earlier run are waiting in %s\n"),
		    json_array_size(t->pending), t->queue_path);
	}
	return (0);
}

/* Append one record and fsync: it is on disk when this returns 0. */
static int
terminal_append(struct terminal *t, json_t *o)
{
	char *text;
	size_t len;
	int rc = 0;

	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		fatal("json_dumps");
	len = strlen(text);
	text = xreallocarray(text, len + 2, 1);
	text[len++] = '\n';
	text[len] = '\0';
	if (write(t->queue_fd, text, len) != (ssize_t)len ||
	    fsync(t->queue_fd) != 0) {
		output_warn(_("cannot write the queue %s: %s"), t->queue_path,
		    strerror(errno));
		rc = -1;
	}
	free(text);
	return (rc);
}

/* What the operator reads: a word they see from a step away, then why. */
static void
terminal_show(const char *word, const char *code, const char *message)
{
	printf("%-10s %s%s%s\n", word, code, message != NULL ? " - " : "",
	    message != NULL ? message : "");
	fflush(stdout);
}

/* A scan made here: queued on disk first, then sent with the others. */
static void
terminal_scan(struct terminal *t, const char *code)
{
	unsigned char rnd[16];
	char id[40], at[32];
	time_t now = time(NULL);
	size_t i;
	json_t *o;

	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
		fatal("getrandom");
	strcpy(id, "t-");
	for (i = 0; i < sizeof rnd; i++)
		snprintf(id + 2 + 2 * i, 3, "%02x", rnd[i]);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	o = json_pack("{ss ss ss ss}", "op", "scan", "scan_id", id, "code",
	    code, "made_at", at);
	if (terminal_append(t, o) != 0) {
		terminal_show(_("REFUSED"), code, _("the local queue cannot be "
		    "written: this scan is not kept; scan it again"));
		json_decref(o);
		return;
	}
	if (t->unreachable)	/* others wait before it: keep the order */
		json_object_set_new(o, "provisional", json_true());
	json_array_append_new(t->pending, o);
	t->next_try = 0;
	terminal_flush(t);
	if (t->unreachable)
		terminal_show(_("QUEUED"), code, _("kitstockd cannot be "
		    "reached: the scan is kept here and will be sent as soon "
		    "as it answers"));
}

/*
 * Send what waits, oldest first, until one cannot be sent: 0 sent (or
 * refused for good), 1 kitstockd unreachable (or busy).
 */
static int
terminal_send(struct terminal *t, json_t *scan)
{
	struct answer a;
	const char *verdict, *msg, *word;
	char *cause;
	json_t *body, *done, *e;
	int rc;

	body = json_pack("{ss sO sO sO}", "station", t->station, "code",
	    json_object_get(scan, "code"), "scan_id", json_object_get(scan,
	    "scan_id"), "made_at", json_object_get(scan, "made_at"));
	if (json_is_true(json_object_get(scan, "provisional")))
		json_object_set_new(body, "provisional", json_true());
	rc = http_request("POST", "/v1/scans", body, &a, &cause);
	json_decref(body);
	if (rc != 0) {
		if (!t->unreachable)
			output_warn("%s", cause);
		free(cause);
		return (1);
	}
	if (a.status >= 500) {
		http_answer_free(&a);
		return (1);
	}
	e = json_object_get(a.json, "error");
	if (a.status >= 200 && a.status < 300 && a.json != NULL) {
		verdict = json_string_value(json_object_get(a.json,
		    "verdict"));
		msg = json_string_value(json_object_get(a.json, "message"));
		if (verdict != NULL && strcmp(verdict, "ok") == 0)
			word = _("OK");
		else if (verdict != NULL && strcmp(verdict, "ignored") == 0)
			word = _("IGNORED");
		else
			word = _("REFUSED");
	} else {
		/* A 4xx is not recorded and never will be: say it, drop it. */
		word = _("REFUSED");
		msg = json_string_value(json_object_get(e, "message"));
		if (msg == NULL)
			msg = _("kitstockd refused this scan");
	}
	if (t->cmd->json && a.text != NULL)
		fwrite(a.text, 1, a.len, stdout);
	else
		terminal_show(word, json_string_value(json_object_get(scan,
		    "code")), msg);
	done = json_pack("{ss sO}", "op", "done", "scan_id",
	    json_object_get(scan, "scan_id"));
	rc = terminal_append(t, done);
	json_decref(done);
	http_answer_free(&a);
	return (rc == 0 ? 0 : 1);
}

/* Send the queue in order; stop at the first that cannot go. */
static void
terminal_flush(struct terminal *t)
{
	int was = t->unreachable;

	if (t->next_try > terminal_now())
		return;
	while (json_array_size(t->pending) > 0) {
		if (terminal_send(t, json_array_get(t->pending, 0)) != 0) {
			t->unreachable = 1;
			t->next_try = terminal_now() + TERMINAL_RETRY_MS;
			return;
		}
		json_array_remove(t->pending, 0);
	}
	t->unreachable = 0;
	if (was)
		printf("%s\n", _("kitstockd answers again: every queued scan "
		    "was sent"));
}

/* Lines typed (or sent by a keyboard-wedge scanner) on standard input. */
static int
terminal_stdin(struct terminal *t)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	int eof = 0;
	FILE *in = stdin;

	setvbuf(in, NULL, _IONBF, 0);
	while (!terminal_stop && !eof) {
		if (poll(&pfd, 1, TERMINAL_RETRY_MS) == -1 && errno != EINTR)
			break;
		if (pfd.revents != 0) {
			if ((n = getline(&line, &size, in)) == -1)
				eof = 1;
			else {
				line[strcspn(line, "\r\n")] = '\0';
				if (*line != '\0')
					terminal_scan(t, line);
			}
		}
		terminal_flush(t);
	}
	free(line);
	return (0);
}

/* A read of the scanner: a code to send, calibration, or a refusal. */
static void
terminal_hid(const struct hid_event *ev, void *arg)
{
	struct terminal *t = arg;
	enum hid_layout l;
	char *msg;

	if (ev->result == HID_CODE && hid_calibration(ev, &l)) {
		t->dec.layout = l;
		printf(_("calibrated: this scanner types with the %s layout\n"),
		    hid_layout_name(l));
		fflush(stdout);
		return;
	}
	if (ev->result == HID_CODE) {
		terminal_scan(t, ev->code);
		return;
	}
	msg = hid_sentence(ev);
	terminal_show(ev->result == HID_BLANKED ? _("IGNORED") : _("REFUSED"),
	    "", msg);
	free(msg);
}

static void LIBUSB_CALL
terminal_xfer_cb(struct libusb_transfer *xfer)
{
	struct terminal *t = xfer->user_data;

	if (xfer->status == LIBUSB_TRANSFER_COMPLETED) {
		hid_feed(&t->dec, xfer->buffer, (size_t)xfer->actual_length,
		    terminal_now(), terminal_hid, t);
		if (libusb_submit_transfer(xfer) == 0)
			return;
	} else if (xfer->status == LIBUSB_TRANSFER_TIMED_OUT &&
	    libusb_submit_transfer(xfer) == 0)
		return;
	if (t->dec.active)
		output_warn(_("the scanner was unplugged in the middle of a "
		    "scan: \"%s\" is lost; scan it again"), t->dec.cur.code);
	else
		output_warn("%s", _("the scanner was unplugged"));
	t->gone = 1;
}

/* Find, claim and read the scanner VID:PID[/SERIAL]. */
static int
terminal_usb(struct terminal *t, const char *which, const char *layout)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *id;
	struct timeval tv = { 0, 200000 };
	libusb_device **list;
	unsigned char text[128], desc[1024];
	const char *serial = strchr(which, '/');
	unsigned vid, pid;
	ssize_t n, i;
	char err[160];
	int r, e, pos = 0;
	enum hid_layout l = HID_LAYOUT_US;
	uint64_t when;

	if (sscanf(which, "%4x:%4x", &vid, &pid) != 2 || strlen(which) < 9 ||
	    (which[9] != '\0' && which[9] != '/')) {
		output_warn(_("--scanner %s: expected VID:PID or "
		    "VID:PID/SERIAL in hexadecimal, such as 0c2e:0b61"), which);
		return (EXIT_USAGE);
	}
	if (layout != NULL && hid_layout_parse(layout, &l) != 0) {
		output_warn(_("--layout %s: expected us or fr"), layout);
		return (EXIT_USAGE);
	}
	if ((r = libusb_init(&t->ctx)) != 0) {
		output_warn(_("USB cannot be used here: %s"),
		    libusb_error_name(r));
		return (EXIT_REFUSED);
	}
	if ((n = libusb_get_device_list(t->ctx, &list)) < 0)
		n = 0;
	for (i = 0; i < n && t->h == NULL; i++) {
		if (libusb_get_device_descriptor(list[i], &dd) != 0 ||
		    dd.idVendor != vid || dd.idProduct != pid ||
		    libusb_open(list[i], &t->h) != 0)
			continue;
		if (serial != NULL && (libusb_get_string_descriptor_ascii(t->h,
		    dd.iSerialNumber, text, sizeof text) <= 0 ||
		    strcmp((char *)text, serial + 1) != 0)) {
			libusb_close(t->h);
			t->h = NULL;
			continue;
		}
		t->iface = -1;
		if (libusb_get_active_config_descriptor(list[i], &cfg) == 0) {
			for (r = 0; r < cfg->bNumInterfaces && t->iface < 0;
			    r++) {
				id = &cfg->interface[r].altsetting[0];
				if (id->bInterfaceClass != LIBUSB_CLASS_HID)
					continue;
				for (e = 0; e < id->bNumEndpoints; e++)
					if (id->endpoint[e].bEndpointAddress &
					    LIBUSB_ENDPOINT_IN) {
						t->iface = id->bInterfaceNumber;
						t->ep = id->endpoint[e].
						    bEndpointAddress;
						t->len = id->endpoint[e].
						    wMaxPacketSize;
						pos = id->bInterfaceProtocol !=
						    1;
						break;
					}
			}
			libusb_free_config_descriptor(cfg);
		}
	}
	libusb_free_device_list(list, 1);
	if (t->h == NULL || t->iface < 0) {
		output_warn(_("no scanner %s is plugged in (or it cannot be "
		    "opened: check the udev rule for scanners)"), which);
		return (EXIT_REFUSED);
	}
	if (t->len <= 0 || t->len > (int)sizeof t->buf)
		t->len = pos ? (int)sizeof t->buf : 8;
	if (libusb_kernel_driver_active(t->h, t->iface) == 1 &&
	    (r = libusb_detach_kernel_driver(t->h, t->iface)) != 0 &&
	    r != LIBUSB_ERROR_NOT_FOUND && r != LIBUSB_ERROR_NOT_SUPPORTED)
		output_warn(_("the keyboard driver keeps the scanner: %s"),
		    libusb_error_name(r));
	if ((r = libusb_claim_interface(t->h, t->iface)) != 0) {
		output_warn(_("the scanner cannot be claimed: %s"),
		    libusb_error_name(r));
		return (EXIT_REFUSED);
	}
	hid_init(&t->dec, pos ? HID_KIND_POS : HID_KIND_KEYBOARD, l);
	if (pos) {
		r = libusb_control_transfer(t->h, LIBUSB_ENDPOINT_IN |
		    LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_GET_DESCRIPTOR,
		    LIBUSB_DT_REPORT << 8, (uint16_t)t->iface, desc,
		    sizeof desc, 1000);
		if (r < 0 || hid_pos_parse(desc, (size_t)r, &t->dec.pos, err,
		    sizeof err) != 0) {
			output_warn(_("this scanner is neither a keyboard nor a "
			    "HID POS scanner: %s"), r < 0 ?
			    libusb_error_name(r) : err);
			return (EXIT_REFUSED);
		}
	}
	if ((t->xfer = libusb_alloc_transfer(0)) == NULL)
		fatal("libusb_alloc_transfer");
	libusb_fill_interrupt_transfer(t->xfer, t->h, (unsigned char)t->ep,
	    t->buf, t->len, terminal_xfer_cb, t, 0);
	if ((r = libusb_submit_transfer(t->xfer)) != 0) {
		output_warn(_("the scanner cannot be read: %s"),
		    libusb_error_name(r));
		return (EXIT_REFUSED);
	}
	printf(_("reading scanner %s for station %s (layout %s)\n"), which,
	    t->station, hid_layout_name(l));
	fflush(stdout);
	while (!terminal_stop && !t->gone) {
		libusb_handle_events_timeout_completed(t->ctx, &tv, NULL);
		if (hid_deadline(&t->dec, &when) && when <= terminal_now())
			hid_tick(&t->dec, terminal_now(), terminal_hid, t);
		terminal_flush(t);
	}
	if (!t->gone) {
		if (libusb_cancel_transfer(t->xfer) == 0)
			libusb_handle_events_timeout_completed(t->ctx, &tv,
			    NULL);
	}
	return (0);
}

/*
 * kitstock terminal --station NAME [--server URL] [--scanner VID:PID]
 * [--stdin] [--queue FILE]: read scans until interrupted (or the end of
 * standard input), send them, keep those that cannot go yet.
 */
int
cmd_terminal(struct cmd *cmd)
{
	struct terminal t;
	struct sigaction sa;
	const char *scanner, *server, *queue;
	char *cause;
	json_t *v;
	int rc = 0, use_stdin;

	memset(&t, 0, sizeof t);
	t.cmd = cmd;
	t.queue_fd = -1;
	t.station = json_string_value(json_object_get(cmd->fields,
	    "station"));
	scanner = json_string_value(json_object_get(cmd->fields, "scanner"));
	server = json_string_value(json_object_get(cmd->fields, "server"));
	queue = json_string_value(json_object_get(cmd->fields, "queue"));
	use_stdin = json_is_true(json_object_get(cmd->fields, "stdin"));
	if ((scanner == NULL) == !use_stdin) {
		output_warn("%s", _("terminal: give --scanner VID:PID, or "
		    "--stdin to read codes typed on standard input"));
		cmd_usage(stderr, NULL, cmd->entry);
		return (EXIT_USAGE);
	}
	if (strlen(t.station) > 64 || strspn(t.station, "abcdefghijklmnopqrs"
	    "tuvwxyz0123456789-_") != strlen(t.station)) {
		output_warn(_("--station %s: a station name is lower-case "
		    "letters, digits, - and _"), t.station);
		return (EXIT_USAGE);
	}
	if (server != NULL) {
		if (strncmp(server, "http://", 7) != 0 && strncmp(server,
		    "https://", 8) != 0) {
			output_warn(_("--server %s: expected a URL such as "
			    "http://127.0.0.1:8750"), server);
			return (EXIT_USAGE);
		}
		http_server(server);
	}
	if (http_plain_check(&cause) != 0) {
		output_warn("%s", cause);
		free(cause);
		return (EXIT_USAGE);
	}
	v = json_object_get(cmd->fields, "timeout");
	http_timeout(v != NULL && json_integer_value(v) > 0 ?
	    (long)json_integer_value(v) : TERMINAL_TIMEOUT);
	t.queue_path = queue != NULL ? xstrdup(queue) :
	    terminal_queue_default(t.station);
	if (terminal_queue_open(&t) != 0) {
		rc = EXIT_REFUSED;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = terminal_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	terminal_flush(&t);
	if (use_stdin)
		rc = terminal_stdin(&t);
	else
		rc = terminal_usb(&t, scanner, json_string_value(
		    json_object_get(cmd->fields, "layout")));
	t.next_try = 0;
	terminal_flush(&t);
	if (rc == 0 && json_array_size(t.pending) > 0) {
		output_warn(_("%zu scan(s) are still queued in %s: they are "
		    "sent when the terminal runs again and kitstockd "
		    "answers"), json_array_size(t.pending), t.queue_path);
		rc = EXIT_UNREACHABLE;
	} else if (rc == 0 && ftruncate(t.queue_fd, 0) != 0)
		output_warn(_("cannot empty the queue %s: %s"), t.queue_path,
		    strerror(errno));
out:
	if (t.xfer != NULL)
		libusb_free_transfer(t.xfer);
	if (t.h != NULL) {
		libusb_release_interface(t.h, t.iface);
		libusb_close(t.h);
	}
	if (t.ctx != NULL)
		libusb_exit(t.ctx);
	if (t.queue_fd != -1)
		close(t.queue_fd);
	json_decref(t.pending);
	free(t.queue_path);
	return (rc);
}
