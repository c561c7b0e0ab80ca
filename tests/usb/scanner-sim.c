/*
 * scanner-sim.c - programmable USB HID barcode-scanner simulator for tests.
 *
 * kitstock's copy of the recipe in its USB notes, with what its tests need
 * added: -P (a HID POS scanner: its report descriptor and 62-byte reports
 * of Decoded Data), "waiturb MS" (wait until the program has an interrupt
 * transfer pending: it claimed the scanner and reads it), "plug" again
 * after "unplug" (re-plug), SIGTERM passed on to the program, and the
 * guard timeout killing the program rather than leaving it behind.
 *
 * Like `umockdev-run`, but instead of replaying a static ioctl tree it
 * emulates the usbfs ioctls of /dev/bus/usb/BBB/DDD itself (through the
 * public libumockdev API: UMockdevIoctlBase "handle-ioctl" signal) and
 * follows a time-based scenario.  This gives what the ioctl-tree replay
 * cannot: URBs that stay pending while the "scanner" is idle (so libusb
 * timeouts and libusb_cancel_transfer() work), several URBs in flight,
 * kernel-driver detach / auto-detach semantics, control transfers
 * (string and HID report descriptors, SET_IDLE, ...), hot-plug and unplug
 * (uevents seen by libusb's udev monitor).
 *
 * usage: scanner-sim [options] -- program [args...]
 *   -d FILE        umockdev device description (may repeat)
 *   -n DEVNODE     usbfs node to emulate (default /dev/bus/usb/001/002)
 *   -s FILE        scenario file (default: read scenario lines from -c)
 *   -c "CMD;CMD"   scenario given inline, commands separated by ';'
 *   -H SYSPATH     hot-plug: devices whose P: path starts with SYSPATH are
 *                  not present at start, they appear at the 'plug' command
 *   -b             a kernel driver (usbhid) is bound to interface 0 at start
 *   -P             a HID POS scanner (usage page 0x8c): 'scan' sends its
 *                  text as Decoded Data, 56 bytes a report
 *   -t SECONDS     guard: kill the program after this long (default 300)
 *   -v             log every ioctl
 *
 * scenario commands (one per line, '#' comments):
 *   wait MS          sleep
 *   scan TEXT        type TEXT followed by Enter (press+release per char)
 *   layout us|fr     keyboard layout used by following 'scan' commands
 *   report HEX       queue one raw 8-byte report (16 hex digits)
 *   plug             add the hot-plug device(s) and send 'add' uevents
 *   unplug           fail pending URBs with -ENODEV, send 'remove' uevents
 *   bind | unbind    attach/detach the simulated kernel driver
 *   waitidle MS      wait until all queued reports were delivered (max MS)
 *   waiturb MS       wait until an interrupt URB is pending (max MS)
 *   partial TEXT     type TEXT without Enter (an unterminated scan)
 *   failurb N        the next N interrupt URBs submitted fail with EIO (a
 *                    scanner not ready yet, right after it is plugged in)
 *
 * Build: gcc -Wall -O2 -o scanner-sim scanner-sim.c \
 *            $(pkg-config --cflags --libs umockdev-1.0 gio-2.0)
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <signal.h>
#include <unistd.h>
#include <glib.h>
#include <glib-unix.h>
#include <umockdev.h>

#define LOGV(...) do { if (opt_verbose) { fprintf(stderr, "[sim] " __VA_ARGS__); } } while (0)
#define LOG(...) fprintf(stderr, "[sim] " __VA_ARGS__)

static gboolean opt_verbose = FALSE;
static const char *opt_devnode = "/dev/bus/usb/001/002";

/* ------------------------------------------------------------------ */
/* shared state (ioctl handler runs in umockdev's worker thread)      */
/* ------------------------------------------------------------------ */
typedef struct {
    UMockdevIoctlData *urb;      /* resolved struct usbdevfs_urb */
    UMockdevIoctlData *buf;      /* resolved transfer buffer (may be NULL) */
} Urb;

static GMutex lock;
static GQueue submitted = G_QUEUE_INIT;   /* Urb*: waiting for data */
static GQueue completed = G_QUEUE_INIT;   /* Urb*: ready to be reaped */
static GQueue reports = G_QUEUE_INIT;     /* GBytes*: interrupt reports to deliver */
static gboolean present = TRUE;           /* device plugged in */
static gboolean driver_bound = FALSE;     /* simulated usbhid binding of interface 0 */
static gboolean claimed = FALSE;
static guint n_delivered = 0;
static guint fail_urbs = 0;               /* "failurb N": left to refuse */

static char *testbed_root = NULL;
static char *scanner_syspath = NULL;      /* /sys/devices/.../1-1, for descriptors + uevents */

/* standard 63-byte HID boot keyboard report descriptor */
static const guint8 report_desc[] = {
    0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00,
    0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01,
    0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01,
    0x75, 0x03, 0x91, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07,
    0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
};

/* HID POS: Report ID 2, Byte Count, Symbology Identifier 1-3, 56 bytes of
 * Decoded Data (buffered bytes), Decoded Data Continued. */
static const guint8 pos_desc[] = {
    0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xa1,
    0x02, 0x05, 0x01, 0x09, 0x3b, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75,
    0x08, 0x95, 0x01, 0x81, 0x02, 0x05, 0x8c, 0x09, 0xfb, 0x09, 0xfc,
    0x09, 0xfd, 0x95, 0x03, 0x81, 0x02, 0x09, 0xfe, 0x95, 0x38, 0x82,
    0x02, 0x01, 0x09, 0xff, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81,
    0x02, 0x75, 0x07, 0x95, 0x01, 0x81, 0x01, 0xc0, 0xc0,
};
static gboolean opt_pos = FALSE;
static UMockdevIoctlBase *ioctl_handler;
static GPid child_pid;

static struct usbdevfs_urb *U(Urb *u) { return (struct usbdevfs_urb *) u->urb->data; }

static void urb_free(Urb *u)
{
    g_object_unref(u->urb);
    if (u->buf)
        g_object_unref(u->buf);
    g_free(u);
}

/* read a sysfs attribute of the simulated scanner from the testbed */
static gboolean read_attr(const char *name, char **contents, gsize *len)
{
    g_autofree char *p = g_build_filename(testbed_root, scanner_syspath, name, NULL);
    return g_file_get_contents(p, contents, len, NULL);
}

/* answer a control transfer; returns actual length or -errno (stall = -EPIPE) */
static int handle_control(guint8 *buf, int buflen)
{
    if (buflen < 8)
        return -EINVAL;
    guint8 rt = buf[0], req = buf[1];
    guint16 wValue = buf[2] | buf[3] << 8, wLength = buf[6] | buf[7] << 8;
    guint8 *out = buf + 8;
    int room = MIN(wLength, buflen - 8);

    LOGV("control bmRequestType 0x%02x bRequest 0x%02x wValue 0x%04x wLength %u\n", rt, req, wValue, wLength);
    if (!(rt & 0x80))
        return wLength;                       /* OUT requests (SET_IDLE, SET_PROTOCOL, SET_REPORT, ...): accept */

    if (req == 0x06) {                        /* GET_DESCRIPTOR */
        guint8 type = wValue >> 8, idx = wValue & 0xff;
        g_autofree char *d = NULL;
        gsize dl = 0;
        if (type == 0x22 && (rt & 0x1f) == 1) {          /* HID report descriptor */
            const guint8 *rd = opt_pos ? pos_desc : report_desc;
            int n = MIN(room, opt_pos ? (int) sizeof(pos_desc) : (int) sizeof(report_desc));
            memcpy(out, rd, n);
            return n;
        }
        if ((type == 1 || type == 2) && read_attr("descriptors", &d, &dl)) {
            const guint8 *p = (const guint8 *) d;
            if (type == 1) {
                int n = MIN(room, 18);
                memcpy(out, p, n);
                return n;
            }
            if (dl > 18 + 4) {                            /* first (only) configuration */
                int total = p[18 + 2] | p[18 + 3] << 8;
                int n = MIN(room, MIN(total, (int) dl - 18));
                memcpy(out, p + 18, n);
                return n;
            }
        }
        if (type == 3) {                                  /* string descriptors */
            const char *attr = idx == 1 ? "manufacturer" : idx == 2 ? "product" : idx == 3 ? "serial" : NULL;
            if (idx == 0) {
                guint8 langs[] = {4, 3, 0x09, 0x04};      /* en-US */
                int n = MIN(room, 4);
                memcpy(out, langs, n);
                return n;
            }
            if (attr && read_attr(attr, &d, &dl)) {
                g_strchomp(d);
                int sl = (int) strlen(d);
                guint8 sd[256];
                sd[0] = (guint8) (2 + 2 * sl);
                sd[1] = 3;
                for (int i = 0; i < sl && i < 126; i++) {
                    sd[2 + 2 * i] = (guint8) d[i];
                    sd[3 + 2 * i] = 0;
                }
                int n = MIN(room, sd[0]);
                memcpy(out, sd, n);
                return n;
            }
        }
    }
    if (req == 0x08 && room >= 1) {           /* GET_CONFIGURATION */
        out[0] = 1;
        return 1;
    }
    return -EPIPE;                            /* stall */
}

/* move data into waiting interrupt URBs; called with lock held */
static void pump(void)
{
    for (GList *l = submitted.head; l && !g_queue_is_empty(&reports);) {
        GList *next = l->next;
        Urb *u = l->data;
        struct usbdevfs_urb *urb = U(u);
        if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && (urb->endpoint & 0x80)) {
            GBytes *rep = g_queue_pop_head(&reports);
            gsize rl;
            const guint8 *rd = g_bytes_get_data(rep, &rl);
            int n = MIN((int) rl, urb->buffer_length);
            memcpy(urb->buffer, rd, n);
            urb->actual_length = n;
            urb->status = 0;
            g_bytes_unref(rep);
            g_queue_delete_link(&submitted, l);
            g_queue_push_tail(&completed, u);
            n_delivered++;
        }
        l = next;
    }
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data)
{
    (void) handler; (void) user_data;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    UMockdevIoctlData *d = NULL;
    GError *err = NULL;
    long ret = 0;
    int eno = 0;

    g_mutex_lock(&lock);

    if (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY) {
        pump();
        Urb *u = g_queue_pop_head(&completed);
        if (u) {
            d = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), &err);
            umockdev_ioctl_data_set_ptr(d, 0, u->urb);   /* *arg = the client's own URB */
            LOGV("REAP type %u ep 0x%02x status %d actual %d\n", U(u)->type, U(u)->endpoint,
                 U(u)->status, U(u)->actual_length);
            umockdev_ioctl_client_complete(client, 0, 0);  /* flushes URB + buffer to the client */
            urb_free(u);
        } else {
            /* REAPURB (blocking) is not used by libusb; answer both like NDELAY */
            umockdev_ioctl_client_complete(client, -1, present ? EAGAIN : ENODEV);
        }
        goto out;
    }

    if (!present) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        goto out;
    }

    switch (req) {
    case USBDEVFS_GET_CAPABILITIES:
        d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), &err);
        *(guint32 *) d->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                               USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        break;
    case USBDEVFS_CLAIMINTERFACE:
        d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), &err);
        if (driver_bound) {
            ret = -1; eno = EBUSY;               /* like the kernel: interface owned by usbhid */
        } else {
            claimed = TRUE;
        }
        LOGV("CLAIMINTERFACE %u -> %s\n", *(guint32 *) d->data, eno ? "EBUSY" : "ok");
        break;
    case USBDEVFS_RELEASEINTERFACE:
        claimed = FALSE;
        break;
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
    case USBDEVFS_RESET:
        break;
    case USBDEVFS_GETDRIVER: {
        d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), &err);
        struct usbdevfs_getdriver *gd = (void *) d->data;
        if (driver_bound)
            g_strlcpy(gd->driver, "usbhid", sizeof(gd->driver));
        else if (claimed)
            g_strlcpy(gd->driver, "usbfs", sizeof(gd->driver));
        else {
            ret = -1; eno = ENODATA;
        }
        LOGV("GETDRIVER -> %s\n", eno ? "ENODATA" : gd->driver);
        break;
    }
    case USBDEVFS_IOCTL: {
        d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), &err);
        struct usbdevfs_ioctl *io = (void *) d->data;
        if ((unsigned) io->ioctl_code == USBDEVFS_DISCONNECT) {
            if (driver_bound) driver_bound = FALSE;
            else { ret = -1; eno = ENODATA; }
            LOGV("IOCTL(DISCONNECT) -> %s\n", eno ? "ENODATA" : "detached");
        } else if ((unsigned) io->ioctl_code == USBDEVFS_CONNECT) {
            driver_bound = TRUE;
            LOGV("IOCTL(CONNECT) -> attached\n");
        } else {
            ret = -1; eno = ENOTTY;
        }
        break;
    }
    case USBDEVFS_DISCONNECT_CLAIM:
        driver_bound = FALSE;
        claimed = TRUE;
        LOGV("DISCONNECT_CLAIM -> ok\n");
        break;
    case USBDEVFS_SUBMITURB: {
        d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
        struct usbdevfs_urb *urb = (void *) d->data;
        Urb *u = g_new0(Urb, 1);
        u->urb = g_object_ref(d);
        if (urb->buffer_length > 0)
            u->buf = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_urb, buffer),
                                                 urb->buffer_length, &err);
        LOGV("SUBMIT type %u ep 0x%02x len %d\n", urb->type, urb->endpoint, urb->buffer_length);
        if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && fail_urbs > 0) {
            fail_urbs--;
            LOG("interrupt URB refused with EIO (%u more to refuse)\n", fail_urbs);
            urb_free(u);
            ret = -1; eno = EIO;
        } else if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
            int r = handle_control(urb->buffer, urb->buffer_length);
            urb->status = r < 0 ? r : 0;
            urb->actual_length = r < 0 ? 0 : r;
            g_queue_push_tail(&completed, u);
        } else {
            g_queue_push_tail(&submitted, u);   /* completes when a report is available */
        }
        break;
    }
    case USBDEVFS_DISCARDURB: {
        gulong addr = *(gulong *) arg->data;
        ret = -1; eno = EINVAL;
        for (GList *l = submitted.head; l; l = l->next) {
            Urb *u = l->data;
            if (u->urb->client_addr == addr) {
                U(u)->status = -ENOENT;              /* what usbfs reports for killed URBs */
                U(u)->actual_length = 0;
                g_queue_delete_link(&submitted, l);
                g_queue_push_tail(&completed, u);
                ret = 0; eno = 0;
                break;
            }
        }
        LOGV("DISCARDURB -> %s\n", eno ? "EINVAL" : "ok");
        break;
    }
    default:
        LOGV("unhandled ioctl 0x%lx -> ENOTTY\n", req);
        ret = -1; eno = ENOTTY;
        break;
    }
    if (err) {
        LOG("resolving ioctl data failed: %s\n", err->message);
        g_clear_error(&err);
        ret = -1; eno = EFAULT;
    }
    umockdev_ioctl_client_complete(client, ret, eno);
out:
    if (d)
        g_object_unref(d);
    g_mutex_unlock(&lock);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* keyboard encoding                                                  */
/* ------------------------------------------------------------------ */
static gboolean layout_fr = FALSE;

static gboolean encode(char c, guint8 *mod, guint8 *key)
{
    *mod = 0;
    if (c >= 'a' && c <= 'z') *key = 0x04 + (c - 'a');
    else if (c >= 'A' && c <= 'Z') { *key = 0x04 + (c - 'A'); *mod = 0x02; }
    else if (c >= '1' && c <= '9') *key = 0x1e + (c - '1');
    else if (c == '0') *key = 0x27;
    else if (c == '-') *key = 0x2d;
    else if (c == '.') *key = 0x37;
    else if (c == '/') *key = 0x38;
    else if (c == ' ') *key = 0x2c;
    else return FALSE;
    if (layout_fr) {
        char l = g_ascii_tolower(c);
        if (l == 'a') *key = 0x14;
        else if (l == 'q') *key = 0x04;
        else if (l == 'z') *key = 0x1a;
        else if (l == 'w') *key = 0x1d;
        else if (l == 'm') *key = 0x33;
        else if (c >= '0' && c <= '9') *mod = 0x02;
        else if (c == '-') { *key = 0x23; *mod = 0; }
        else if (c == '.') { *key = 0x36; *mod = 0x02; }
        else if (c == '/') { *key = 0x37; *mod = 0x02; }
    }
    return TRUE;
}

static void queue_report(guint8 mod, guint8 key)
{
    guint8 r[8] = {mod, 0, key, 0, 0, 0, 0, 0};
    g_queue_push_tail(&reports, g_bytes_new(r, sizeof(r)));
}

/* ------------------------------------------------------------------ */
/* scenario                                                           */
/* ------------------------------------------------------------------ */
static UMockdevTestbed *tb;
static GMainLoop *loop;
static char **scenario;
static guint scen_pos = 0;
static GPtrArray *late_devices;     /* device paragraphs added at 'plug' */
static GPtrArray *late_paths;       /* their /sys paths */
static gboolean child_exited = FALSE;
static int child_status = 0;
static gint64 waitidle_deadline = 0;

static gboolean scenario_step(gpointer data);
static gint64 waiturb_deadline = 0;

static gboolean waiturb_poll(gpointer data)
{
    (void) data;
    g_mutex_lock(&lock);
    gboolean pending = FALSE;
    for (GList *l = submitted.head; l; l = l->next)
        if (U(l->data)->type == USBDEVFS_URB_TYPE_INTERRUPT)
            pending = TRUE;
    g_mutex_unlock(&lock);
    if (pending || g_get_monotonic_time() > waiturb_deadline || child_exited) {
        if (!pending)
            LOG("waiturb: timeout, no interrupt URB was submitted\n");
        g_idle_add(scenario_step, NULL);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* HID POS: the text as Decoded Data, 56 bytes a report, Continued set on
 * all but the last. */
static void queue_pos(const char *text)
{
    size_t len = strlen(text), off = 0;

    do {
        guint8 r[62] = {0};
        size_t n = MIN(len - off, 56);
        r[0] = 2;
        r[1] = (guint8) n;
        memcpy(r + 2, "]Q1", 3);
        memcpy(r + 5, text + off, n);
        off += n;
        r[61] = off < len ? 1 : 0;
        g_queue_push_tail(&reports, g_bytes_new(r, sizeof(r)));
    } while (off < len);
}

static gboolean waitidle_poll(gpointer data)
{
    (void) data;
    g_mutex_lock(&lock);
    gboolean idle = g_queue_is_empty(&reports);
    g_mutex_unlock(&lock);
    if (idle || g_get_monotonic_time() > waitidle_deadline || child_exited) {
        if (!idle)
            LOG("waitidle: timeout, %u report(s) undelivered\n", g_queue_get_length(&reports));
        g_idle_add(scenario_step, NULL);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean scenario_step(gpointer data)
{
    (void) data;
    while (scenario[scen_pos]) {
        char *line = g_strstrip(g_strdup(scenario[scen_pos++]));
        char *argp = strchr(line, ' ');
        if (argp) { *argp++ = '\0'; argp = g_strstrip(argp); }
        const char *cmd = line;

        if (!*cmd || *cmd == '#') { g_free(line); continue; }
        LOGV("scenario: %s %s\n", cmd, argp ? argp : "");

        if (!strcmp(cmd, "wait")) {
            g_timeout_add(argp ? atoi(argp) : 0, scenario_step, NULL);
            g_free(line);
            return G_SOURCE_REMOVE;
        } else if (!strcmp(cmd, "waitidle")) {
            waitidle_deadline = g_get_monotonic_time() + (gint64) (argp ? atoi(argp) : 5000) * 1000;
            g_timeout_add(10, waitidle_poll, NULL);
            g_free(line);
            return G_SOURCE_REMOVE;
        } else if (!strcmp(cmd, "layout")) {
            layout_fr = argp && !strcmp(argp, "fr");
        } else if (!strcmp(cmd, "waiturb")) {
            waiturb_deadline = g_get_monotonic_time() + (gint64) (argp ? atoi(argp) : 5000) * 1000;
            g_timeout_add(10, waiturb_poll, NULL);
            g_free(line);
            return G_SOURCE_REMOVE;
        } else if ((!strcmp(cmd, "scan") || !strcmp(cmd, "partial")) && argp && opt_pos) {
            g_mutex_lock(&lock);
            queue_pos(argp);
            g_mutex_unlock(&lock);
            LOG("POS scan queued: %s\n", argp);
        } else if ((!strcmp(cmd, "scan") || !strcmp(cmd, "partial")) && argp) {
            gboolean enter = !strcmp(cmd, "scan");
            g_mutex_lock(&lock);
            for (const char *p = argp; *p; p++) {
                guint8 mod, key;
                if (!encode(*p, &mod, &key)) {
                    LOG("cannot encode '%c'\n", *p);
                    continue;
                }
                queue_report(mod, key);
                queue_report(0, 0);
            }
            if (enter) {
                queue_report(0, 0x28);
                queue_report(0, 0);
            }
            g_mutex_unlock(&lock);
            LOG("scan queued: %s\n", argp);
        } else if (!strcmp(cmd, "report") && argp) {
            guint8 r[64] = {0};
            int i;
            for (i = 0; i < 64 && argp[2 * i] && argp[2 * i + 1]; i++) {
                char hx[3] = {argp[2 * i], argp[2 * i + 1], 0};
                r[i] = (guint8) strtoul(hx, NULL, 16);
            }
            g_mutex_lock(&lock);
            g_queue_push_tail(&reports, g_bytes_new(r, i < 8 ? 8 : i));
            g_mutex_unlock(&lock);
        } else if (!strcmp(cmd, "failurb") && argp) {
            g_mutex_lock(&lock);
            fail_urbs = (guint) atoi(argp);
            g_mutex_unlock(&lock);
        } else if (!strcmp(cmd, "bind") || !strcmp(cmd, "unbind")) {
            g_mutex_lock(&lock);
            driver_bound = !strcmp(cmd, "bind");
            g_mutex_unlock(&lock);
        } else if (!strcmp(cmd, "plug")) {
            g_autoptr(GError) err = NULL;
            static gboolean plugged_before = FALSE;
            /* usbfs must answer before the "add" uevent reaches the program */
            g_mutex_lock(&lock);
            present = TRUE;
            g_mutex_unlock(&lock);
            /* a re-plug: remove_device leaves the bus symlinks behind */
            for (guint i = 0; plugged_before && i < late_paths->len; i++) {
                g_autofree char *base = g_path_get_basename(g_ptr_array_index(late_paths, i));
                g_autofree char *link = g_build_filename(testbed_root, "sys", "bus", "usb",
                                                         "devices", base, NULL);
                (void) unlink(link);
            }
            /* a re-plug: the device node will be new; answer its ioctls
             * again before the "add" uevent tells the program it is there */
            if (plugged_before) {
                umockdev_testbed_detach_ioctl(tb, opt_devnode, NULL);
                if (!umockdev_testbed_attach_ioctl(tb, opt_devnode, ioctl_handler, &err))
                    LOG("re-plug: attach_ioctl: %s\n", err->message);
                g_clear_error(&err);
            }
            for (guint i = 0; i < late_devices->len; i++) {
                if (!umockdev_testbed_add_from_string(tb, g_ptr_array_index(late_devices, i), &err)) {
                    LOG("plug: %s\n", err->message);
                    break;
                }
            }
            /* add_from_string() already sends "add" uevents when running
             * under the preload library (umockdev_in_mock_environment()) */
            if (!umockdev_in_mock_environment())
                for (guint i = 0; i < late_paths->len; i++)
                    umockdev_testbed_uevent(tb, g_ptr_array_index(late_paths, i), "add");
            plugged_before = TRUE;
            LOG("plugged in (%u device node(s), 'add' uevents sent)\n", late_paths->len);
        } else if (!strcmp(cmd, "unplug")) {
            g_mutex_lock(&lock);
            present = FALSE;
            Urb *u;
            while ((u = g_queue_pop_head(&submitted))) {
                U(u)->status = -ENODEV;
                U(u)->actual_length = 0;
                g_queue_push_tail(&completed, u);
            }
            g_mutex_unlock(&lock);
            /* remove children first; the uevent needs the sysfs entry, so
             * send it before deleting the device from the testbed */
            for (guint i = late_paths->len; i > 0; i--)
                umockdev_testbed_uevent(tb, g_ptr_array_index(late_paths, i - 1), "remove");
            if (late_paths->len)
                umockdev_testbed_remove_device(tb, g_ptr_array_index(late_paths, 0));
            LOG("unplugged (%u 'remove' uevent(s) sent, pending URBs fail with -ENODEV)\n", late_paths->len);
        } else {
            LOG("unknown scenario command '%s'\n", cmd);
        }
        g_free(line);
    }
    LOGV("scenario finished\n");
    return G_SOURCE_REMOVE;
}

static void on_child_exit(GPid pid, gint status, gpointer data)
{
    (void) data;
    g_autoptr(GError) err = NULL;
    g_spawn_close_pid(pid);
    child_exited = TRUE;
    if (g_spawn_check_wait_status(status, &err))
        child_status = 0;
    else if (err->domain == G_SPAWN_EXIT_ERROR)
        child_status = err->code;
    else
        child_status = 128;
    g_main_loop_quit(loop);
}

/* Stopping the harness stops the program under test, which ends it. */
static gboolean on_term(gpointer data)
{
    (void) data;
    kill(child_pid, SIGTERM);
    return G_SOURCE_CONTINUE;
}

static gboolean on_guard(gpointer data)
{
    (void) data;
    LOG("global timeout: program under test did not exit; killing it\n");
    kill(child_pid, SIGKILL);
    exit(124);
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *devfiles = g_ptr_array_new();
    const char *scenfile = NULL, *inline_scen = NULL, *hotplug_prefix = NULL;
    int guard_s = 300;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) { i++; break; }
        if (!strcmp(a, "-v")) { opt_verbose = TRUE; continue; }
        if (!strcmp(a, "-b")) { driver_bound = TRUE; continue; }
        if (!strcmp(a, "-P")) { opt_pos = TRUE; continue; }
        if (i + 1 >= argc) goto usage;
        if (!strcmp(a, "-d")) g_ptr_array_add(devfiles, argv[++i]);
        else if (!strcmp(a, "-n")) opt_devnode = argv[++i];
        else if (!strcmp(a, "-s")) scenfile = argv[++i];
        else if (!strcmp(a, "-c")) inline_scen = argv[++i];
        else if (!strcmp(a, "-H")) hotplug_prefix = argv[++i];
        else if (!strcmp(a, "-t")) guard_s = atoi(argv[++i]);
        else goto usage;
    }
    if (i >= argc || devfiles->len == 0)
        goto usage;

    /* scenario */
    if (scenfile) {
        char *contents;
        if (!g_file_get_contents(scenfile, &contents, NULL, &err)) {
            LOG("%s\n", err->message);
            return 1;
        }
        scenario = g_strsplit(contents, "\n", -1);
    } else {
        scenario = g_strsplit(inline_scen ? inline_scen : "", ";", -1);
    }

    /* Run ourselves under libumockdev-preload too (like umockdev-wrapper):
     * umockdev's uevent sender looks the device up with libudev, which only
     * sees the testbed's /sys when preloaded.  The program under test
     * inherits LD_PRELOAD and $UMOCKDEV_DIR. */
    const char *pre = g_getenv("LD_PRELOAD");
    if (!pre || !strstr(pre, "libumockdev-preload")) {
        char *newpre = pre && *pre ? g_strconcat(pre, ":libumockdev-preload.so.0", NULL)
                                   : g_strdup("libumockdev-preload.so.0");
        g_setenv("LD_PRELOAD", newpre, TRUE);
        execv("/proc/self/exe", argv);
        LOG("re-exec under preload failed: %s\n", g_strerror(errno));
        return 1;
    }
    tb = umockdev_testbed_new();       /* sets $UMOCKDEV_DIR for the child */
    testbed_root = umockdev_testbed_get_root_dir(tb);

    /* devices: split paragraphs, defer the hot-plug ones */
    late_devices = g_ptr_array_new();
    late_paths = g_ptr_array_new();
    for (guint f = 0; f < devfiles->len; f++) {
        char *contents;
        if (!g_file_get_contents(g_ptr_array_index(devfiles, f), &contents, NULL, &err)) {
            LOG("%s\n", err->message);
            return 1;
        }
        char **paras = g_regex_split_simple("\n\\s*\n", contents, 0, 0);
        for (char **p = paras; *p; p++) {
            if (!g_str_has_prefix(*p, "P: "))
                continue;
            char *nl = strchr(*p + 3, '\n');
            char *path = nl ? g_strndup(*p + 3, nl - (*p + 3)) : g_strdup(*p + 3);
            char *syspath = g_strconcat("/sys", path, NULL);
            char *para = g_strconcat(*p, "\n", NULL);
            /* the usb_device paragraph that owns our device node */
            g_autofree char *nodeline = g_strdup_printf("N: %s", opt_devnode + 5);
            if (strstr(para, nodeline))
                scanner_syspath = g_strdup(syspath);
            if (hotplug_prefix && g_str_has_prefix(path, hotplug_prefix)) {
                g_ptr_array_add(late_devices, para);
                g_ptr_array_add(late_paths, syspath);
            } else if (!umockdev_testbed_add_from_string(tb, para, &err)) {
                LOG("invalid device description: %s\n", err->message);
                return 1;
            }
            g_free(path);
        }
        g_strfreev(paras);
    }
    if (!scanner_syspath) {
        LOG("no device description has 'N: %s'\n", opt_devnode + 5);
        return 1;
    }
    if (hotplug_prefix) {
        present = FALSE;
        if (late_devices->len == 0) {
            LOG("-H %s matches no device\n", hotplug_prefix);
            return 1;
        }
    }

    ioctl_handler = umockdev_ioctl_base_new();
    g_signal_connect(ioctl_handler, "handle-ioctl", G_CALLBACK(on_ioctl), NULL);
    if (!umockdev_testbed_attach_ioctl(tb, opt_devnode, ioctl_handler, &err)) {
        LOG("attach_ioctl: %s\n", err->message);
        return 1;
    }

    /* spawn the program under test */
    char **envp = g_get_environ();
    GPid pid;
    if (!g_spawn_async(NULL, argv + i, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                       G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &pid, &err)) {
        LOG("cannot run %s: %s\n", argv[i], err->message);
        return 1;
    }
    g_strfreev(envp);

    loop = g_main_loop_new(NULL, FALSE);
    child_pid = pid;
    g_child_watch_add(pid, on_child_exit, NULL);
    g_unix_signal_add(SIGTERM, on_term, NULL);
    g_unix_signal_add(SIGINT, on_term, NULL);
    g_idle_add(scenario_step, NULL);
    g_timeout_add_seconds(guard_s, on_guard, NULL);
    g_main_loop_run(loop);

    LOG("program exited with status %d; %u interrupt report(s) delivered, %u left\n",
        child_status, n_delivered, g_queue_get_length(&reports));
    umockdev_testbed_detach_ioctl(tb, opt_devnode, NULL);
    g_object_unref(tb);
    return child_status;

usage:
    fprintf(stderr, "usage: scanner-sim -d DEVICE.umockdev [-n DEVNODE] [-s SCENARIO | -c 'cmd;cmd'] "
                    "[-H SYSPATH-PREFIX] [-b] [-t GUARD_S] [-v] -- program [args]\n");
    return 2;
}
