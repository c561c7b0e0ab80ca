/*
 * USB scanners on the loop: libusb's descriptors watched by libevent (its
 * pollfd notifiers), its timeouts on a timer, hotplug (or, without it, a
 * rescan every few seconds), one interrupt transfer in flight per bound
 * scanner. This file only moves bytes: shared/hid.c turns reports into
 * codes, and each code goes to scan_local() for the scanner's station.
 *
 * Only bound scanners are claimed (and the kernel's HID driver detached
 * from them, so that scans do not also type into a window): other HID
 * keyboards are seen and listed, never read. Bindings take effect at
 * once (usb_refresh, after the binding's transaction has committed). A
 * scanner that vanishes loses nothing acknowledged: every finished code
 * was committed before the next report was read; a read under way is
 * logged as lost.
 */

#include <sys/queue.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libusb.h>

#include "kitstockd.h"
#include "hid.h"
#include "scan.h"

#define USB_RESCAN_S	3	/* without hotplug */
#define USB_CTRL_MS	500	/* control transfers: descriptors */
#define USB_BUF		64
#define USB_RETRY_MS	100	/* a scanner not ready: tried again after */
#define USB_RETRY_MAX_MS 10000	/* doubling up to this, while plugged */

enum usb_state {
	USB_UNBOUND,	/* seen, not ours */
	USB_READING,
	USB_FAILED,	/* bound, but cannot be read: see error */
	USB_GONE,
};

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

static const char *const usb_state_names[] = {
	"unbound", "reading", "failed", "gone"
};

struct usb_fd {
	int			 fd;
	struct event		*ev;
	TAILQ_ENTRY(usb_fd)	 entry;
};

struct usb_dev {
	libusb_device		*dev;
	libusb_device_handle	*h;
	uint16_t		 vid, pid;
	char			 port[64];	/* "1-1.2" */
	char			*serial;	/* NULL: unknown */
	char			*product;
	char			 source[200];	/* "usb:0c2e:0b61/SERIAL" */
	int			 iface;
	int			 ep;
	int			 len;		/* transfer length */
	int			 claimed;
	int			 hid;		/* a HID keyboard or POS */
	int			 pos;		/* HID POS interface */
	enum usb_state		 state;
	char			*error;
	char			*binding;	/* binding name, if bound */
	char			*station;
	struct libusb_transfer	*xfer;
	int			 inflight;
	int			 closing;	/* cancelled, not back */
	unsigned char		 buf[USB_BUF];
	struct hid_decoder	 dec;
	struct event		*flush;
	struct event		*retry;		/* open it again, later */
	int			 retry_ms;	/* 0: no failure to retry */
	int			 retry_due;
	long long		 codes, refused, blanked;
	char			*last;		/* last sentence or code */
	int			 mark;		/* still present (rescan) */
	TAILQ_ENTRY(usb_dev)	 entry;
};

static libusb_context *usb_ctx;
static struct event_base *usb_base;
static struct event *usb_timer;		/* libusb's next timeout */
static struct event *usb_tick;		/* a pass now and then */
static struct event *usb_refresh_ev;	/* match and open, on the loop */
static struct event *usb_rescan_ev;	/* without hotplug */
static libusb_hotplug_callback_handle usb_hotplug;
static int usb_has_hotplug;
static char *usb_status;		/* "off", "unavailable: ..." or NULL */
static TAILQ_HEAD(, usb_fd) usb_fds = TAILQ_HEAD_INITIALIZER(usb_fds);
static TAILQ_HEAD(, usb_dev) usb_devs = TAILQ_HEAD_INITIALIZER(usb_devs);

static void usb_fd_added(int, short, void *);
static void usb_fd_removed(int, void *);
static void usb_fd_cb(int, short, void *);
static void usb_timer_cb(int, short, void *);
static void usb_arm(void);
static int LIBUSB_CALL usb_hotplug_cb(libusb_context *, libusb_device *,
	    libusb_hotplug_event, void *);
static void usb_refresh_cb(int, short, void *);
static void usb_rescan_cb(int, short, void *);
static struct usb_dev *usb_find(libusb_device *);
static struct usb_dev *usb_add(libusb_device *);
static void usb_left(struct usb_dev *);
static void usb_free(struct usb_dev *);
static void usb_probe(struct usb_dev *);
static void usb_match(struct usb_dev *);
static int usb_open(struct usb_dev *);
static void usb_close(struct usb_dev *);
static void usb_release(struct usb_dev *);
static void usb_fail(struct usb_dev *, const char *, ...)
    __attribute__((__format__(printf, 2, 3)));
static int usb_submit(struct usb_dev *);
static void usb_retry(struct usb_dev *);
static void usb_broken(struct usb_dev *);
static void LIBUSB_CALL usb_xfer_cb(struct libusb_transfer *);

/* Transfers that could not be cancelled, freed once libusb is gone. */
#define USB_LOST_MAX	64
static struct libusb_transfer *usb_lost[USB_LOST_MAX];
static int usb_nlost;
static void usb_flush_cb(int, short, void *);
static void usb_flush_arm(struct usb_dev *);
static void usb_event(const struct hid_event *, void *);
static void usb_calibrated(struct usb_dev *, enum hid_layout);
static void usb_publish(struct usb_dev *, const char *, const char *);
static uint64_t usb_now(void);
static void usb_replay(void);

/*
 * Reads made while an import holds the database (store_exclusive): kept
 * in order, replayed once it has ended, within a bound.
 */
#define USB_WAITING_MAX	256
struct usb_waiting {
	struct hid_event	 ev;
	char			 source[200];
	TAILQ_ENTRY(usb_waiting) entry;
};
static TAILQ_HEAD(, usb_waiting) usb_waiting =
    TAILQ_HEAD_INITIALIZER(usb_waiting);
static int usb_nwaiting;

/* Milliseconds on the monotonic clock. */
static uint64_t
usb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* libusb opened a descriptor: watch it. */
static void
usb_fd_added(int fd, short pevents, void *arg)
{
	struct usb_fd *uf;
	short what = EV_PERSIST;

	if (pevents & POLLIN)
		what |= EV_READ;
	if (pevents & POLLOUT)
		what |= EV_WRITE;
	uf = xcalloc(1, sizeof *uf);
	uf->fd = fd;
	if ((uf->ev = event_new(usb_base, fd, what, usb_fd_cb, NULL)) == NULL ||
	    event_add(uf->ev, NULL) != 0)
		fatalx("usb: cannot watch descriptor %d", fd);
	TAILQ_INSERT_TAIL(&usb_fds, uf, entry);
}

/* libusb closed a descriptor. */
static void
usb_fd_removed(int fd, void *arg)
{
	struct usb_fd *uf;

	TAILQ_FOREACH(uf, &usb_fds, entry) {
		if (uf->fd == fd) {
			TAILQ_REMOVE(&usb_fds, uf, entry);
			event_free(uf->ev);
			free(uf);
			return;
		}
	}
}

/* Activity on one of libusb's descriptors: let it handle it, now. */
static void
usb_fd_cb(int fd, short events, void *arg)
{
	struct timeval zero = { 0, 0 };

	libusb_handle_events_timeout_completed(usb_ctx, &zero, NULL);
	usb_arm();
}

static void
usb_timer_cb(int fd, short events, void *arg)
{
	usb_fd_cb(-1, 0, NULL);
}

/* libusb's next timeout on our timer. */
static void
usb_arm(void)
{
	struct timeval tv;

	if (usb_ctx == NULL)
		return;
	if (libusb_get_next_timeout(usb_ctx, &tv) == 1)
		evtimer_add(usb_timer, &tv);
	else
		evtimer_del(usb_timer);
}

/*
 * Hotplug: only note it here (no I/O inside libusb's callback) and let
 * the loop open what arrived.
 */
static int LIBUSB_CALL
usb_hotplug_cb(libusb_context *ctx, libusb_device *dev,
    libusb_hotplug_event event, void *arg)
{
	struct usb_dev *ud;

	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		if (usb_find(dev) == NULL)
			usb_add(dev);
	} else if ((ud = usb_find(dev)) != NULL)
		usb_left(ud);
	event_active(usb_refresh_ev, EV_TIMEOUT, 0);
	return (0);
}

/* Without hotplug: what is there now, against what we know. */
static void
usb_rescan_cb(int fd, short events, void *arg)
{
	struct timeval tv = { USB_RESCAN_S, 0 };
	struct usb_dev *ud, *next;
	libusb_device **list;
	ssize_t n, i;

	if ((n = libusb_get_device_list(usb_ctx, &list)) < 0) {
		log_warnx("usb: device list: %s", libusb_error_name((int)n));
		evtimer_add(usb_rescan_ev, &tv);
		return;
	}
	TAILQ_FOREACH(ud, &usb_devs, entry)
		ud->mark = 0;
	for (i = 0; i < n; i++) {
		if ((ud = usb_find(list[i])) == NULL)
			ud = usb_add(list[i]);
		ud->mark = 1;
	}
	libusb_free_device_list(list, 1);
	TAILQ_FOREACH_SAFE(ud, &usb_devs, entry, next)
		if (!ud->mark && ud->state != USB_GONE)
			usb_left(ud);
	usb_refresh_cb(-1, 0, NULL);
	evtimer_add(usb_rescan_ev, &tv);
}

static struct usb_dev *
usb_find(libusb_device *dev)
{
	struct usb_dev *ud;

	TAILQ_FOREACH(ud, &usb_devs, entry)
		if (ud->dev == dev && ud->state != USB_GONE)
			return (ud);
	return (NULL);
}

/* A device arrived: remember it, probe it later on the loop. */
static struct usb_dev *
usb_add(libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	struct usb_dev *ud;
	uint8_t ports[8];
	int n, i, off;

	ud = xcalloc(1, sizeof *ud);
	ud->dev = libusb_ref_device(dev);
	ud->iface = -1;
	ud->mark = 1;
	if (libusb_get_device_descriptor(dev, &dd) == 0) {
		ud->vid = dd.idVendor;
		ud->pid = dd.idProduct;
	}
	off = snprintf(ud->port, sizeof ud->port, "%u",
	    libusb_get_bus_number(dev));
	n = libusb_get_port_numbers(dev, ports, sizeof ports);
	for (i = 0; i < n && off < (int)sizeof ud->port - 5; i++)
		off += snprintf(ud->port + off, sizeof ud->port - off, "%c%u",
		    i == 0 ? '-' : '.', ports[i]);
	ud->state = USB_UNBOUND;
	ud->hid = -1;		/* not probed yet */
	TAILQ_INSERT_TAIL(&usb_devs, ud, entry);
	return (ud);
}

/* A device left: what was under way is lost, and said so. */
static void
usb_left(struct usb_dev *ud)
{
	if (ud->state == USB_GONE)
		return;
	if (ud->binding != NULL) {
		if (ud->dec.active)
			log_warnx("scanner %s (%s) unplugged in the middle of a "
			    "scan: the unfinished read \"%s\" is lost; every "
			    "code read before it was recorded", ud->source,
			    ud->station, ud->dec.cur.code);
		else
			log_info("scanner %s (%s) unplugged", ud->source,
			    ud->station);
		usb_publish(ud, "unplugged", NULL);
	}
	ud->state = USB_GONE;
	if (ud->retry != NULL)
		evtimer_del(ud->retry);
	usb_close(ud);
}

static void
usb_free(struct usb_dev *ud)
{
	TAILQ_REMOVE(&usb_devs, ud, entry);
	usb_release(ud);
	if (ud->flush != NULL)
		event_free(ud->flush);
	if (ud->retry != NULL)
		event_free(ud->retry);
	libusb_unref_device(ud->dev);
	free(ud->serial);
	free(ud->product);
	free(ud->error);
	free(ud->binding);
	free(ud->station);
	free(ud->last);
	free(ud);
}

/* Mark a bound scanner as not readable, with why (logged once). */
static void
usb_fail(struct usb_dev *ud, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ud->error == NULL || strcmp(ud->error, msg) != 0)
		log_warnx("scanner %s: %s", ud->source, msg);
	free(ud->error);
	ud->error = msg;
	ud->state = USB_FAILED;
}

/*
 * A bound scanner that could not be opened or read is tried again, a
 * little later each time, for as long as it stays plugged in: right
 * after a hotplug the device node may not be ready yet (udev has not set
 * its permissions; a hub still settling), and a udev rule installed
 * later is picked up without unplugging it. The error is logged once.
 */
static void
usb_retry_cb(int fd, short events, void *arg)
{
	struct usb_dev *ud = arg;

	ud->retry_due = 1;
	event_active(usb_refresh_ev, EV_TIMEOUT, 0);
}

static void
usb_retry(struct usb_dev *ud)
{
	struct timeval tv;

	if (ud->retry == NULL && (ud->retry = evtimer_new(usb_base,
	    usb_retry_cb, ud)) == NULL)
		fatalx("evtimer_new");
	if (ud->retry_ms == 0)
		ud->retry_ms = USB_RETRY_MS;
	else if ((ud->retry_ms *= 2) > USB_RETRY_MAX_MS)
		ud->retry_ms = USB_RETRY_MAX_MS;
	tv.tv_sec = ud->retry_ms / 1000;
	tv.tv_usec = (ud->retry_ms % 1000) * 1000;
	evtimer_add(ud->retry, &tv);
}

/* Reading failed (usb_fail said why): close it, open it again later. */
static void
usb_broken(struct usb_dev *ud)
{
	usb_close(ud);
	ud->state = USB_FAILED;
	usb_retry(ud);
}

/*
 * Is it a scanner: a HID boot keyboard, or a HID interface whose report
 * descriptor is a bar code scanner's? Its serial number and product
 * name, if it can be opened.
 */
static void
usb_probe(struct usb_dev *ud)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *id;
	libusb_device_handle *h = NULL;
	unsigned char text[128];
	int i, e, r = 0;

	ud->hid = 0;
	if (libusb_get_device_descriptor(ud->dev, &dd) != 0 ||
	    (r = libusb_get_active_config_descriptor(ud->dev, &cfg)) != 0) {
		log_debug("usb %04x:%04x at %s: no configuration: %s",
		    ud->vid, ud->pid, ud->port, libusb_error_name(r));
		return;
	}
	for (i = 0; i < cfg->bNumInterfaces && ud->iface < 0; i++) {
		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if (id->bInterfaceClass != LIBUSB_CLASS_HID ||
		    id->bInterfaceProtocol == 2)	/* a mouse */
			continue;
		for (e = 0; e < id->bNumEndpoints; e++) {
			if ((id->endpoint[e].bEndpointAddress &
			    LIBUSB_ENDPOINT_IN) && (id->endpoint[e].bmAttributes
			    & 3) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
				ud->iface = id->bInterfaceNumber;
				ud->ep = id->endpoint[e].bEndpointAddress;
				ud->len = id->endpoint[e].wMaxPacketSize;
				ud->pos = id->bInterfaceProtocol != 1;
				break;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	if (ud->iface < 0) {
		log_debug("usb %04x:%04x at %s: no HID interface", ud->vid,
		    ud->pid, ud->port);
		return;
	}
	if (ud->len <= 0 || ud->len > USB_BUF)
		ud->len = ud->pos ? USB_BUF : 8;
	ud->hid = 1;
	if ((r = libusb_open(ud->dev, &h)) == 0) {
		if (dd.iSerialNumber != 0 && libusb_get_string_descriptor_ascii(
		    h, dd.iSerialNumber, text, sizeof text) > 0)
			ud->serial = xstrdup((char *)text);
		if (dd.iProduct != 0 && libusb_get_string_descriptor_ascii(h,
		    dd.iProduct, text, sizeof text) > 0)
			ud->product = xstrdup((char *)text);
		libusb_close(h);
	} else
		log_debug("usb %04x:%04x at %s: open: %s", ud->vid, ud->pid,
		    ud->port, libusb_error_name(r));
	snprintf(ud->source, sizeof ud->source, "usb:%04x:%04x%s%s", ud->vid,
	    ud->pid, ud->serial != NULL ? "/" : "", ud->serial != NULL ?
	    ud->serial : "");
	log_info("usb: %s %s at %s plugged in", ud->pos ? "HID POS scanner" :
	    "keyboard or scanner", ud->source + 4, ud->port);
}

/* Its binding now: open and read it, change its layout, or let it go. */
static void
usb_match(struct usb_dev *ud)
{
	json_t *b = NULL;
	const char *name, *station, *layout;
	enum hid_layout l = HID_LAYOUT_US;
	enum store_status status;
	int changed;

	status = store_scanner_match(ud->vid, ud->pid, ud->serial, ud->port,
	    &b);
	if (status != STORE_OK && status != STORE_NOTFOUND)
		return;		/* logged; try again at the next refresh */
	if (b == NULL) {
		if (ud->binding != NULL) {
			log_info("scanner %s (%s) unbound", ud->source,
			    ud->station);
			usb_close(ud);
			free(ud->binding);
			free(ud->station);
			ud->binding = ud->station = NULL;
		}
		free(ud->error);
		ud->error = NULL;
		ud->state = USB_UNBOUND;
		ud->retry_ms = ud->retry_due = 0;
		if (ud->retry != NULL)
			evtimer_del(ud->retry);
		return;
	}
	name = json_string_value(json_object_get(b, "name"));
	station = json_string_value(json_object_get(b, "station"));
	layout = json_string_value(json_object_get(b, "layout"));
	(void)hid_layout_parse(layout, &l);
	changed = ud->binding == NULL || strcmp(ud->binding, name) != 0 ||
	    strcmp(ud->station, station) != 0;
	if (changed) {
		ud->retry_ms = 0;
		free(ud->binding);
		free(ud->station);
		ud->binding = xstrdup(name);
		ud->station = xstrdup(station);
	}
	ud->dec.layout = l;
	ud->dec.blank_ms = (unsigned)json_integer_value(json_object_get(b,
	    "blank_ms"));
	json_decref(b);
	/* A scanner that failed is tried again when its binding changes,
	 * or when it is due (usb_retry). */
	if (ud->h != NULL || (ud->state == USB_FAILED && !changed &&
	    !ud->retry_due))
		return;
	ud->retry_due = 0;
	if (usb_open(ud) == 0) {
		ud->retry_ms = 0;
		log_info("scanner %s at %s reads for station %s (layout %s)",
		    ud->source, ud->port, ud->station, hid_layout_name(l));
		if (store_begin() == STORE_OK) {
			if (store_scanner_seen(ud->binding) == STORE_OK)
				(void)store_commit();
			else
				store_rollback();
		}
		usb_publish(ud, "plugged", NULL);
	}
}

/*
 * Open, detach the kernel's driver if it holds the interface, claim, find
 * a HID POS scanner's report layout, and start reading.
 */
static int
usb_open(struct usb_dev *ud)
{
	unsigned char desc[1024];
	char err[160];
	unsigned blank;
	int r;

	if ((r = libusb_open(ud->dev, &ud->h)) != 0) {
		ud->h = NULL;
		usb_fail(ud, "cannot open it: %s (is the udev rule for "
		    "scanners installed?)", libusb_error_name(r));
		usb_retry(ud);
		return (-1);
	}
	r = libusb_kernel_driver_active(ud->h, ud->iface);
	if (r == 1) {
		r = libusb_detach_kernel_driver(ud->h, ud->iface);
		if (r != 0 && r != LIBUSB_ERROR_NOT_FOUND &&
		    r != LIBUSB_ERROR_NOT_SUPPORTED)
			log_warnx("scanner %s: detaching the kernel driver: %s",
			    ud->source, libusb_error_name(r));
	} else if (r < 0 && r != LIBUSB_ERROR_NOT_FOUND &&
	    r != LIBUSB_ERROR_NOT_SUPPORTED)
		log_warnx("scanner %s: is a kernel driver bound? %s",
		    ud->source, libusb_error_name(r));
	if ((r = libusb_claim_interface(ud->h, ud->iface)) != 0) {
		usb_fail(ud, "cannot claim interface %d: %s", ud->iface,
		    libusb_error_name(r));
		libusb_close(ud->h);
		ud->h = NULL;
		usb_retry(ud);
		return (-1);
	}
	ud->claimed = 1;
	blank = ud->dec.blank_ms;
	hid_init(&ud->dec, ud->pos ? HID_KIND_POS : HID_KIND_KEYBOARD,
	    ud->dec.layout);
	ud->dec.blank_ms = blank;
	if (ud->pos) {
		r = libusb_control_transfer(ud->h, LIBUSB_ENDPOINT_IN |
		    LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_GET_DESCRIPTOR,
		    (LIBUSB_DT_REPORT << 8), (uint16_t)ud->iface, desc,
		    sizeof desc, USB_CTRL_MS);
		if (r < 0 || hid_pos_parse(desc, (size_t)r, &ud->dec.pos, err,
		    sizeof err) != 0) {
			usb_fail(ud, "not a keyboard nor a HID POS scanner "
			    "kitstockd can read: %s", r < 0 ?
			    libusb_error_name(r) : err);
			usb_close(ud);
			ud->state = USB_FAILED;
			return (-1);
		}
	}
	if (usb_submit(ud) != 0) {
		usb_broken(ud);
		return (-1);
	}
	free(ud->error);
	ud->error = NULL;
	ud->state = USB_READING;
	return (0);
}

/*
 * Stop reading: cancel the transfer; close once it is back (libusb wants
 * no transfer pending on a closed handle), from the loop (libusb_close
 * inside one of libusb's callbacks would wait for its own lock).
 */
static void
usb_close(struct usb_dev *ud)
{
	if (ud->flush != NULL)
		evtimer_del(ud->flush);
	hid_reset(&ud->dec);
	if (ud->h == NULL)
		return;
	if (ud->inflight && !ud->closing &&
	    libusb_cancel_transfer(ud->xfer) != 0) {
		ud->inflight = 0;	/* cannot cancel: it is lost */
		if (usb_nlost < USB_LOST_MAX)	/* freed after libusb_exit */
			usb_lost[usb_nlost++] = ud->xfer;
		ud->xfer = NULL;
	}
	ud->closing = 1;
	event_active(usb_refresh_ev, EV_TIMEOUT, 0);
}

/* Free the transfer, release the interface, close. */
static void
usb_release(struct usb_dev *ud)
{
	if (ud->xfer != NULL) {
		libusb_free_transfer(ud->xfer);
		ud->xfer = NULL;
	}
	if (ud->h != NULL) {
		if (ud->claimed)
			(void)libusb_release_interface(ud->h, ud->iface);
		libusb_close(ud->h);
		ud->h = NULL;
	}
	ud->claimed = 0;
	ud->closing = 0;
}

/* One interrupt transfer in flight (umockdev's replay takes one only). */
static int
usb_submit(struct usb_dev *ud)
{
	int r;

	if (ud->xfer == NULL && (ud->xfer = libusb_alloc_transfer(0)) == NULL)
		fatalx("libusb_alloc_transfer: out of memory");
	libusb_fill_interrupt_transfer(ud->xfer, ud->h, (unsigned char)ud->ep,
	    ud->buf, ud->len, usb_xfer_cb, ud, 0);
	if ((r = libusb_submit_transfer(ud->xfer)) != 0) {
		usb_fail(ud, "cannot read it: %s", libusb_error_name(r));
		return (-1);
	}
	ud->inflight = 1;
	usb_arm();
	return (0);
}

/* A report, or the end of a scanner. */
static void LIBUSB_CALL
usb_xfer_cb(struct libusb_transfer *xfer)
{
	struct usb_dev *ud = xfer->user_data;

	ud->inflight = 0;
	if (ud->closing) {	/* unbound, unplugged or stopping */
		event_active(usb_refresh_ev, EV_TIMEOUT, 0);
		return;
	}
	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		hid_feed(&ud->dec, xfer->buffer, (size_t)xfer->actual_length,
		    usb_now(), usb_event, ud);
		usb_flush_arm(ud);
		if (ud->xfer == xfer && ud->h != NULL && usb_submit(ud) != 0)
			usb_broken(ud);
		break;
	case LIBUSB_TRANSFER_TIMED_OUT:
		if (usb_submit(ud) != 0)
			usb_broken(ud);
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	default:
		/* NO_DEVICE, ERROR, STALL: gone or broken; hotplug or the
		 * rescan says which. Closed from the loop, not from here. */
		log_debug("scanner %s: transfer %d", ud->source, xfer->status);
		if (xfer->status == LIBUSB_TRANSFER_NO_DEVICE)
			usb_left(ud);
		else {
			usb_fail(ud, "read error (%d)", xfer->status);
			usb_broken(ud);
		}
		event_active(usb_refresh_ev, EV_TIMEOUT, 0);
		break;
	}
}

/* The decoder's next deadline (an unterminated read) on a timer. */
static void
usb_flush_arm(struct usb_dev *ud)
{
	struct timeval tv;
	uint64_t when, now = usb_now();

	if (ud->flush == NULL && (ud->flush = evtimer_new(usb_base,
	    usb_flush_cb, ud)) == NULL)
		fatalx("evtimer_new");
	if (!hid_deadline(&ud->dec, &when)) {
		evtimer_del(ud->flush);
		return;
	}
	when = when > now ? when - now : 0;
	tv.tv_sec = when / 1000;
	tv.tv_usec = (when % 1000) * 1000;
	evtimer_add(ud->flush, &tv);
}

static void
usb_flush_cb(int fd, short events, void *arg)
{
	struct usb_dev *ud = arg;

	hid_tick(&ud->dec, usb_now(), usb_event, ud);
	usb_flush_arm(ud);
}

/* Tell a station's watchers about its scanner. */
static void
usb_publish(struct usb_dev *ud, const char *what, const char *layout)
{
	json_t *o;

	if (ud->station == NULL)
		return;
	o = json_pack("{ss ss ss ss ss}", "event", what, "scanner",
	    ud->binding, "source", ud->source, "port", ud->port, "station",
	    ud->station);
	if (layout != NULL)
		json_object_set_new(o, "layout", json_string(layout));
	stream_publish(ud->station, "scanner", o);
	json_decref(o);
}

/* The calibration label was scanned: store the layout it shows. */
static void
usb_calibrated(struct usb_dev *ud, enum hid_layout l)
{
	struct actor a = { "usb", NULL, NULL };
	enum store_status status;

	a.station = ud->station;
	if ((status = store_begin()) == STORE_OK) {
		status = store_scanner_calibrated(&a, ud->binding,
		    hid_layout_name(l));
		if (status == STORE_OK)
			status = store_commit();
		else
			store_rollback();
	}
	if (status != STORE_OK) {
		log_warnx("scanner %s: the calibration could not be recorded",
		    ud->source);
		return;
	}
	ud->dec.layout = l;
	log_info("scanner %s (%s) calibrated: layout %s", ud->source,
	    ud->station, hid_layout_name(l));
	free(ud->last);
	ud->last = xstrdup(hid_layout_name(l));
	usb_publish(ud, "calibrated", hid_layout_name(l));
}

/* A finished read: a code for the station, or a refusal said to it. */
static void
usb_event(const struct hid_event *ev, void *arg)
{
	struct usb_dev *ud = arg;
	struct usb_waiting *w;
	enum hid_layout l;
	json_t *v;
	char *msg;

	if (ud->station == NULL)
		return;
	if (store_exclusive()) {
		if (usb_nwaiting >= USB_WAITING_MAX) {
			log_warnx("scanner %s (%s): a read was dropped: %d "
			    "wait for an import to end", ud->source,
			    ud->station, usb_nwaiting);
			return;
		}
		w = xcalloc(1, sizeof *w);
		w->ev = *ev;
		snprintf(w->source, sizeof w->source, "%s", ud->source);
		TAILQ_INSERT_TAIL(&usb_waiting, w, entry);
		usb_nwaiting++;
		store_after_exclusive(usb_replay);
		return;
	}
	if (ev->result == HID_CODE && hid_calibration(ev, &l)) {
		usb_calibrated(ud, l);
		return;
	}
	if (ev->result == HID_CODE) {
		ud->codes++;
		free(ud->last);
		ud->last = xstrdup(ev->code);
		v = scan_local(ud->station, ev->code, ud->source);
		json_decref(v);
		return;
	}
	msg = hid_sentence(ev);
	if (ev->result == HID_BLANKED)
		ud->blanked++;
	else
		ud->refused++;
	log_info("scanner %s (%s): %s", ud->source, ud->station, msg);
	v = json_pack("{ss ss ss ss ss}", "station", ud->station, "code",
	    ev->code, "verdict", ev->result == HID_BLANKED ? "ignored" :
	    "refused", "message", msg, "source", ud->source);
	stream_publish(ud->station, "scan", v);
	json_decref(v);
	free(ud->last);
	ud->last = msg;
}

/* The reads kept during an import, to their scanner if it is still here. */
static void
usb_replay(void)
{
	struct usb_waiting *w;
	struct usb_dev *ud;

	while ((w = TAILQ_FIRST(&usb_waiting)) != NULL) {
		TAILQ_REMOVE(&usb_waiting, w, entry);
		usb_nwaiting--;
		TAILQ_FOREACH(ud, &usb_devs, entry)
			if (ud->state != USB_GONE && strcmp(ud->source,
			    w->source) == 0)
				break;
		if (ud != NULL)
			usb_event(&w->ev, ud);
		else
			log_warnx("scanner %s: gone before its read could be "
			    "taken", w->source);
		free(w);
	}
}

/* Probe what is new, match every scanner to its binding, free the gone. */
static void
usb_refresh_cb(int fd, short events, void *arg)
{
	struct usb_dev *ud, *next;

	if (store_exclusive()) {	/* an import holds the database */
		store_after_exclusive(usb_refresh);
		return;
	}

	TAILQ_FOREACH_SAFE(ud, &usb_devs, entry, next) {
		if (ud->closing && !ud->inflight)
			usb_release(ud);
		if (ud->state == USB_GONE) {
			if (!ud->inflight)
				usb_free(ud);
			continue;
		}
		if (ud->hid < 0)
			usb_probe(ud);
		if (ud->hid == 1)
			usb_match(ud);
	}
	usb_arm();
}

/* Bindings changed (committed): apply them on the next turn of the loop. */
void
usb_refresh(void)
{
	if (usb_refresh_ev != NULL)
		event_active(usb_refresh_ev, EV_TIMEOUT, 0);
}

/*
 * Start: a daemon without USB (switched off, no libusb context, no
 * device) serves all the same.
 */
void
usb_start(struct event_base *base, const struct config *c)
{
	const struct libusb_pollfd **fds;
	struct timeval tv = { 0, 0 }, tick = { 0, 500000 };
	int r, i;

	usb_base = base;
	if (!c->usb) {
		usb_status = xstrdup("off");
		log_info("usb: off (configuration)");
		return;
	}
	if ((r = libusb_init(&usb_ctx)) != 0) {
		usb_ctx = NULL;
		xasprintf(&usb_status, "unavailable: %s",
		    libusb_error_name(r));
		log_warnx("usb: %s; scanners will not be read",
		    libusb_error_name(r));
		return;
	}
	if (!libusb_pollfds_handle_timeouts(usb_ctx))
		log_warnx("usb: libusb needs its timeouts driven by hand");
	usb_timer = evtimer_new(base, usb_timer_cb, NULL);
	/*
	 * A slow tick as well, a safety net should a descriptor's readiness
	 * be missed (umockdev's emulated nodes are regular files): a
	 * zero-timeout pass twice a second costs nothing.
	 */
	if ((usb_tick = event_new(base, -1, EV_PERSIST, usb_timer_cb,
	    NULL)) == NULL || event_add(usb_tick, &tick) != 0)
		fatalx("usb: cannot create events");
	usb_refresh_ev = event_new(base, -1, 0, usb_refresh_cb, NULL);
	if (usb_timer == NULL || usb_refresh_ev == NULL)
		fatalx("usb: cannot create events");
	libusb_set_pollfd_notifiers(usb_ctx, usb_fd_added, usb_fd_removed,
	    NULL);
	if ((fds = libusb_get_pollfds(usb_ctx)) != NULL) {
		for (i = 0; fds[i] != NULL; i++)
			usb_fd_added(fds[i]->fd, fds[i]->events, NULL);
		libusb_free_pollfds(fds);
	}
	usb_has_hotplug = libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(usb_ctx,
	    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
	    LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, LIBUSB_HOTPLUG_ENUMERATE,
	    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	    LIBUSB_HOTPLUG_MATCH_ANY, usb_hotplug_cb, NULL, &usb_hotplug) ==
	    LIBUSB_SUCCESS;
	if (!usb_has_hotplug) {
		log_info("usb: no hotplug; looking for scanners every %d s",
		    USB_RESCAN_S);
		if ((usb_rescan_ev = evtimer_new(base, usb_rescan_cb, NULL)) ==
		    NULL)
			fatalx("usb: cannot create events");
		evtimer_add(usb_rescan_ev, &tv);
	} else
		event_active(usb_refresh_ev, EV_TIMEOUT, 0);
	log_info("usb: on%s", usb_has_hotplug ? " (hotplug)" : "");
}

/* Close every scanner and libusb. */
void
usb_stop(void)
{
	struct timeval zero = { 0, 0 };
	struct usb_waiting *w;
	struct usb_dev *ud;
	struct usb_fd *uf;
	int i;

	free(usb_status);
	usb_status = NULL;
	while ((w = TAILQ_FIRST(&usb_waiting)) != NULL) {
		TAILQ_REMOVE(&usb_waiting, w, entry);
		free(w);
	}
	usb_nwaiting = 0;
	if (usb_ctx == NULL)
		return;
	if (usb_has_hotplug)
		libusb_hotplug_deregister_callback(usb_ctx, usb_hotplug);
	TAILQ_FOREACH(ud, &usb_devs, entry)
		usb_close(ud);
	/* Let cancelled transfers come back, then free them. */
	for (i = 0; i < 10; i++)
		libusb_handle_events_timeout_completed(usb_ctx, &zero, NULL);
	while ((ud = TAILQ_FIRST(&usb_devs)) != NULL)
		usb_free(ud);
	libusb_set_pollfd_notifiers(usb_ctx, NULL, NULL, NULL);
	while ((uf = TAILQ_FIRST(&usb_fds)) != NULL) {
		TAILQ_REMOVE(&usb_fds, uf, entry);
		event_free(uf->ev);
		free(uf);
	}
	libusb_exit(usb_ctx);
	usb_ctx = NULL;
	while (usb_nlost > 0)
		libusb_free_transfer(usb_lost[--usb_nlost]);
	event_free(usb_timer);
	event_free(usb_tick);
	event_free(usb_refresh_ev);
	if (usb_rescan_ev != NULL)
		event_free(usb_rescan_ev);
	usb_timer = usb_tick = usb_refresh_ev = usb_rescan_ev = NULL;
}

/* USB on, off, or unavailable (and why): NULL when on. */
const char *
usb_state(void)
{
	return (usb_status);
}

/*
 * The scanners present: HID keyboards and POS scanners, bound or not,
 * with their state.
 */
json_t *
usb_devices(void)
{
	struct usb_dev *ud;
	json_t *a = json_array(), *o;
	char id[16];

	TAILQ_FOREACH(ud, &usb_devs, entry) {
		if (ud->hid != 1 || ud->state == USB_GONE)
			continue;
		snprintf(id, sizeof id, "%04x:%04x", ud->vid, ud->pid);
		o = json_pack("{ss ss* ss ss* ss ss*}", "device", id, "serial",
		    ud->serial, "port", ud->port, "product", ud->product,
		    "state", usb_state_names[ud->state], "binding",
		    ud->binding);
		json_object_set_new(o, "interface", json_string(ud->pos ?
		    "hid-pos" : "keyboard"));
		if (ud->binding != NULL) {
			json_object_set_new(o, "layout", json_string(
			    hid_layout_name(ud->dec.layout)));
			json_object_set_new(o, "codes",
			    json_integer(ud->codes));
			json_object_set_new(o, "refused",
			    json_integer(ud->refused));
			json_object_set_new(o, "blanked",
			    json_integer(ud->blanked));
		}
		if (ud->last != NULL)
			json_object_set_new(o, "last", json_string(ud->last));
		if (ud->error != NULL)
			json_object_set_new(o, "error",
			    json_string(ud->error));
		json_array_append_new(a, o);
	}
	return (a);
}
