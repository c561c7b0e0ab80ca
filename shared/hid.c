/*
 * HID reports -> barcode text, with no I/O (kitstockd and the remote
 * terminal share it; unit-tested and fuzzed directly).
 *
 * Keyboard-wedge scanners send boot keyboard reports: [modifiers, 0, six
 * keys]. A key produces its character when it appears in a report (key
 * roll-over: keys already held produce nothing), with the scanner's own
 * layout (us or fr AZERTY), so the host's keyboard layout never matters.
 * Enter, keypad Enter or Tab ends a code. A key outside the layout's map
 * (a dead key, a function key, Ctrl or GUI with a letter...) makes the
 * read garbled: reported, never guessed.
 *
 * GS (0x1d) of GS1 codes is kept. Scanners send it in one of two ways,
 * both layout independent: Ctrl + the key of US "]" (usage 0x30, ASCII
 * 29 is Ctrl-]), or Alt held while keypad digits 0 0 2 9 are typed (the
 * "Alt mode" of many scanners, which may send any ASCII character so).
 *
 * HID POS scanners (usage page 0x8c) send the bytes themselves; where they
 * are in a report comes from the device's report descriptor, parsed here
 * against the HID Point of Sale usage tables: Decoded Data (0xfe), Decoded
 * Data Continued (0xff), Symbology Identifier 1-3 (0xfb-0xfd) and the
 * Generic Desktop Byte Count (0x01:0x3b).
 *
 * A read that stops without its end is flushed after flush_ms as
 * unterminated (hid_tick). After each code, reads finished within the
 * scanner's blanking window are dropped, so that one pass over a sheet of
 * several barcodes registers one.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid.h"
#include "i18n.h"
#include "xmalloc.h"

#define MOD_CTRL	0x11
#define MOD_SHIFT	0x22
#define MOD_LALT	0x04
#define MOD_ALTGR	0x40
#define MOD_GUI		0x88

#define KEY_ROLLOVER	0x01
#define KEY_ENTER	0x28
#define KEY_TAB		0x2b
#define KEY_GS		0x30	/* US "]": Ctrl-] is ASCII 29 */
#define KEY_NUMLOCK	0x53
#define KEY_KP_ENTER	0x58
#define KEY_KP_1	0x59
#define KEY_KP_0	0x62
#define KEYS		0x68

/* A key's characters: plain, with Shift, with AltGr; NULL outside. */
typedef const char *hid_keymap[KEYS][3];

#define KEYPAD								\
	[0x54] = { "/", "/" }, [0x55] = { "*", "*" }, [0x56] = { "-", "-" }, \
	[0x57] = { "+", "+" }, [0x59] = { "1", "1" }, [0x5a] = { "2", "2" }, \
	[0x5b] = { "3", "3" }, [0x5c] = { "4", "4" }, [0x5d] = { "5", "5" }, \
	[0x5e] = { "6", "6" }, [0x5f] = { "7", "7" }, [0x60] = { "8", "8" }, \
	[0x61] = { "9", "9" }, [0x62] = { "0", "0" }, [0x63] = { ".", "." }

static const hid_keymap hid_map_us = {
	[0x04] = { "a", "A" }, [0x05] = { "b", "B" }, [0x06] = { "c", "C" },
	[0x07] = { "d", "D" }, [0x08] = { "e", "E" }, [0x09] = { "f", "F" },
	[0x0a] = { "g", "G" }, [0x0b] = { "h", "H" }, [0x0c] = { "i", "I" },
	[0x0d] = { "j", "J" }, [0x0e] = { "k", "K" }, [0x0f] = { "l", "L" },
	[0x10] = { "m", "M" }, [0x11] = { "n", "N" }, [0x12] = { "o", "O" },
	[0x13] = { "p", "P" }, [0x14] = { "q", "Q" }, [0x15] = { "r", "R" },
	[0x16] = { "s", "S" }, [0x17] = { "t", "T" }, [0x18] = { "u", "U" },
	[0x19] = { "v", "V" }, [0x1a] = { "w", "W" }, [0x1b] = { "x", "X" },
	[0x1c] = { "y", "Y" }, [0x1d] = { "z", "Z" },
	[0x1e] = { "1", "!" }, [0x1f] = { "2", "@" }, [0x20] = { "3", "#" },
	[0x21] = { "4", "$" }, [0x22] = { "5", "%" }, [0x23] = { "6", "^" },
	[0x24] = { "7", "&" }, [0x25] = { "8", "*" }, [0x26] = { "9", "(" },
	[0x27] = { "0", ")" }, [0x2c] = { " ", " " },
	[0x2d] = { "-", "_" }, [0x2e] = { "=", "+" }, [0x2f] = { "[", "{" },
	[0x30] = { "]", "}" }, [0x31] = { "\\", "|" }, [0x32] = { "#", "~" },
	[0x33] = { ";", ":" }, [0x34] = { "'", "\"" }, [0x35] = { "`", "~" },
	[0x36] = { ",", "<" }, [0x37] = { ".", ">" }, [0x38] = { "/", "?" },
	KEYPAD,
	[0x64] = { "\\", "|" },
};

/* French AZERTY (xkb "fr"): digits need Shift; ^ and ¨ are dead keys. */
static const hid_keymap hid_map_fr = {
	[0x04] = { "q", "Q" }, [0x05] = { "b", "B" }, [0x06] = { "c", "C" },
	[0x07] = { "d", "D" }, [0x08] = { "e", "E", "\xe2\x82\xac" },
	[0x09] = { "f", "F" },
	[0x0a] = { "g", "G" }, [0x0b] = { "h", "H" }, [0x0c] = { "i", "I" },
	[0x0d] = { "j", "J" }, [0x0e] = { "k", "K" }, [0x0f] = { "l", "L" },
	[0x10] = { ",", "?" }, [0x11] = { "n", "N" }, [0x12] = { "o", "O" },
	[0x13] = { "p", "P" }, [0x14] = { "a", "A" }, [0x15] = { "r", "R" },
	[0x16] = { "s", "S" }, [0x17] = { "t", "T" }, [0x18] = { "u", "U" },
	[0x19] = { "v", "V" }, [0x1a] = { "z", "Z" }, [0x1b] = { "x", "X" },
	[0x1c] = { "y", "Y" }, [0x1d] = { "w", "W" },
	[0x1e] = { "&", "1" }, [0x1f] = { "\xc3\xa9", "2", "~" },
	[0x20] = { "\"", "3", "#" }, [0x21] = { "'", "4", "{" },
	[0x22] = { "(", "5", "[" }, [0x23] = { "-", "6", "|" },
	[0x24] = { "\xc3\xa8", "7", "`" }, [0x25] = { "_", "8", "\\" },
	[0x26] = { "\xc3\xa7", "9", "^" }, [0x27] = { "\xc3\xa0", "0", "@" },
	[0x2c] = { " ", " " },
	[0x2d] = { ")", "\xc2\xb0", "]" }, [0x2e] = { "=", "+", "}" },
	[0x30] = { "$", "\xc2\xa3", "\xc2\xa4" },
	[0x31] = { "*", "\xc2\xb5" }, [0x32] = { "*", "\xc2\xb5" },
	[0x33] = { "m", "M" }, [0x34] = { "\xc3\xb9", "%" },
	[0x35] = { "\xc2\xb2" }, [0x36] = { ";", "." }, [0x37] = { ":", "/" },
	[0x38] = { "!", "\xc2\xa7" },
	KEYPAD,
	[0x64] = { "<", ">" },
};

static const hid_keymap *const hid_maps[] = {
	[HID_LAYOUT_US] = &hid_map_us,
	[HID_LAYOUT_FR] = &hid_map_fr,
};

static const char *const hid_layout_names[] = {
	[HID_LAYOUT_US] = "us",
	[HID_LAYOUT_FR] = "fr",
};

/*
 * The calibration code: digits (shifted on AZERTY), the letters that move
 * (A Q Z W M) in both cases, and punctuation on different keys. Each
 * layout types it as different keys, so the text a scanner sends, read
 * as us, tells its layout.
 */
const char hid_calibration_text[] = "KSCAL-AQZWM.aqzwm/0123456789";

static void hid_append(struct hid_decoder *, const char *, const char *);
static void hid_bad(struct hid_decoder *, uint8_t, uint8_t);
static void hid_key(struct hid_decoder *, uint8_t, uint8_t, uint64_t,
	    hid_cb, void *);
static void hid_alt_end(struct hid_decoder *);
static void hid_finish(struct hid_decoder *, enum hid_result, uint64_t,
	    hid_cb, void *);
static void hid_pos_feed(struct hid_decoder *, const uint8_t *, size_t,
	    uint64_t, hid_cb, void *);
static uint64_t hid_bits(const uint8_t *, size_t, size_t, size_t);
static int hid_utf8(const char *);

void
hid_init(struct hid_decoder *d, enum hid_kind kind, enum hid_layout layout)
{
	memset(d, 0, sizeof *d);
	d->kind = kind;
	d->layout = layout;
	d->blank_ms = HID_BLANK_MS;
	d->flush_ms = HID_FLUSH_MS;
	d->pos.count_bit = d->pos.more_bit = d->pos.sym_bit = -1;
	hid_reset(d);
}

/* Forget a read under way (a scanner gone, a layout changed). */
void
hid_reset(struct hid_decoder *d)
{
	memset(d->held, 0, sizeof d->held);
	memset(&d->cur, 0, sizeof d->cur);
	d->cur.bad_byte = -1;
	d->cur.us_ok = 1;
	d->alt_value = -1;
	d->len = d->us_len = 0;
	d->active = d->garbled = d->too_long = 0;
}

const char *
hid_layout_name(enum hid_layout l)
{
	return (hid_layout_names[l]);
}

/* "us" or "fr": 0, else -1. */
int
hid_layout_parse(const char *s, enum hid_layout *out)
{
	size_t i;

	for (i = 0; i < sizeof hid_layout_names / sizeof *hid_layout_names;
	    i++)
		if (s != NULL && strcmp(s, hid_layout_names[i]) == 0) {
			*out = (enum hid_layout)i;
			return (0);
		}
	return (-1);
}

/* Add text to the code, and its us reading (NULL: it has none). */
static void
hid_append(struct hid_decoder *d, const char *s, const char *us)
{
	size_t n = strlen(s);

	d->active = 1;
	if (d->garbled || d->too_long)
		return;
	if (d->len + n > HID_CODE_MAX) {
		d->too_long = 1;
		return;
	}
	memcpy(d->cur.code + d->len, s, n);
	d->len += n;
	d->cur.code[d->len] = '\0';
	if (us == NULL) {
		d->cur.us_ok = 0;
		return;
	}
	n = strlen(us);
	if (d->us_len + n <= HID_CODE_MAX) {
		memcpy(d->cur.us + d->us_len, us, n);
		d->us_len += n;
		d->cur.us[d->us_len] = '\0';
	}
}

/* A key outside the map: the read is garbled (the first one is told). */
static void
hid_bad(struct hid_decoder *d, uint8_t usage, uint8_t mods)
{
	d->active = 1;
	if (d->garbled)
		return;
	d->garbled = 1;
	d->cur.bad_usage = usage;
	d->cur.bad_mods = mods;
	d->cur.bad_at = d->len;
}

/* Alt released after keypad digits: the character of that ASCII code. */
static void
hid_alt_end(struct hid_decoder *d)
{
	char s[2];
	int v = d->alt_value;

	d->alt_value = -1;
	if (v == HID_GS || (v >= 0x20 && v < 0x7f)) {
		s[0] = (char)v;
		s[1] = '\0';
		hid_append(d, s, s);
	} else
		hid_bad(d, KEY_KP_0, MOD_LALT);
}

/* One newly pressed key. */
static void
hid_key(struct hid_decoder *d, uint8_t k, uint8_t mods, uint64_t now,
    hid_cb cb, void *arg)
{
	const hid_keymap *map = hid_maps[d->layout];
	const char *s, *us;
	int level;

	if (k == KEY_ENTER || k == KEY_KP_ENTER || k == KEY_TAB) {
		if (d->alt_value >= 0)
			hid_alt_end(d);
		if (d->active)
			hid_finish(d, HID_CODE, now, cb, arg);
		return;
	}
	if (k == KEY_NUMLOCK)
		return;
	if (mods & MOD_CTRL) {
		if (k == KEY_GS && (mods & ~MOD_CTRL & ~MOD_SHIFT) == 0) {
			s = "\x1d";
			hid_append(d, s, s);
		} else
			hid_bad(d, k, mods);
		return;
	}
	if (mods & MOD_LALT) {
		if (k >= KEY_KP_1 && k <= KEY_KP_0 && (mods & MOD_GUI) == 0) {
			if (d->alt_value < 0)
				d->alt_value = 0;
			if (d->alt_value < 1000)
				d->alt_value = d->alt_value * 10 +
				    (k == KEY_KP_0 ? 0 : k - KEY_KP_1 + 1);
			d->active = 1;
		} else
			hid_bad(d, k, mods);
		return;
	}
	if ((mods & MOD_GUI) || k >= KEYS) {
		hid_bad(d, k, mods);
		return;
	}
	level = (mods & MOD_ALTGR) ? 2 : (mods & MOD_SHIFT) ? 1 : 0;
	if ((s = (*map)[k][level]) == NULL) {
		hid_bad(d, k, mods);
		return;
	}
	us = level == 2 ? NULL : hid_map_us[k][level];
	hid_append(d, s, us);
}

/*
 * One report: a boot keyboard report (modifiers, reserved, up to six
 * keys) or a HID POS input report.
 */
void
hid_feed(struct hid_decoder *d, const uint8_t *r, size_t len, uint64_t now,
    hid_cb cb, void *arg)
{
	uint8_t keys[6], mods;
	size_t i, j, n;
	int held;

	if (d->kind == HID_KIND_POS) {
		hid_pos_feed(d, r, len, now, cb, arg);
		return;
	}
	if (len < 3)
		return;
	mods = r[0];
	n = len - 2 > 6 ? 6 : len - 2;
	memset(keys, 0, sizeof keys);
	memcpy(keys, r + 2, n);
	for (i = 0; i < n; i++)
		if (keys[i] == KEY_ROLLOVER)
			return;		/* too many keys: the state is unknown */
	if (d->active)
		d->last_ms = now;
	if (d->alt_value >= 0 && (mods & MOD_LALT) == 0)
		hid_alt_end(d);
	for (i = 0; i < n; i++) {
		if (keys[i] < 0x04)
			continue;
		for (held = 0, j = 0; j < sizeof d->held; j++)
			if (d->held[j] == keys[i])
				held = 1;
		if (!held) {
			hid_key(d, keys[i], mods, now, cb, arg);
			if (d->active)
				d->last_ms = now;
		}
	}
	memcpy(d->held, keys, sizeof d->held);
}

/* A read that stopped without its end, flush_ms after its last report. */
void
hid_tick(struct hid_decoder *d, uint64_t now, hid_cb cb, void *arg)
{
	if (d->active && now >= d->last_ms + d->flush_ms)
		hid_finish(d, HID_UNTERMINATED, now, cb, arg);
}

/* When hid_tick has something to do: 1 and *when, or 0. */
int
hid_deadline(const struct hid_decoder *d, uint64_t *when)
{
	if (!d->active)
		return (0);
	*when = d->last_ms + d->flush_ms;
	return (1);
}

/* Is s valid UTF-8? */
static int
hid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p != '\0') {
		if (*p < 0x80)
			n = 0;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 1;
		else if ((*p & 0xf0) == 0xe0)
			n = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return (0);
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return (0);
	}
	return (1);
}

/* A read is over: tell it, blanking aside, and start afresh. */
static void
hid_finish(struct hid_decoder *d, enum hid_result result, uint64_t now,
    hid_cb cb, void *arg)
{
	struct hid_event *ev = &d->cur;

	if (d->alt_value >= 0)
		hid_alt_end(d);
	if (result == HID_CODE && d->len == 0 && !d->garbled &&
	    !d->too_long) {
		hid_reset(d);
		return;
	}
	if (d->too_long)
		result = HID_TOO_LONG;
	else if (d->garbled)
		result = HID_GARBLED;
	else if (result == HID_CODE && d->kind == HID_KIND_POS &&
	    !hid_utf8(ev->code)) {
		result = HID_GARBLED;
		ev->bad_byte = 0x80;
		ev->bad_at = 0;
	}
	if (d->blanking && now < d->blank_until)
		result = HID_BLANKED;
	else if (d->blank_ms > 0) {
		d->blanking = 1;
		d->blank_until = now + d->blank_ms;
	}
	ev->result = result;
	if (!ev->us_ok)
		ev->us[0] = '\0';
	if (cb != NULL)
		cb(ev, arg);
	hid_reset(d);
}

/* bits [bit, bit + n) of a little-endian report, n <= 64. */
static uint64_t
hid_bits(const uint8_t *r, size_t len, size_t bit, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 64; i++)
		if ((bit + i) / 8 < len && (r[(bit + i) / 8] >> ((bit + i) %
		    8) & 1))
			v |= (uint64_t)1 << i;
	return (v);
}

/* One HID POS input report: its data, and whether more follows. */
static void
hid_pos_feed(struct hid_decoder *d, const uint8_t *r, size_t len,
    uint64_t now, hid_cb cb, void *arg)
{
	const struct hid_pos *p = &d->pos;
	size_t count, i, end;
	uint8_t c;
	char s[2];
	int more;

	if (p->data_bytes == 0)
		return;
	if (p->report_id != 0) {
		if (len < 1 || r[0] != p->report_id)
			return;		/* another report: status, trigger */
		r++;
		len--;
	}
	count = p->data_bytes;
	if (p->count_bit >= 0) {
		count = (size_t)hid_bits(r, len, (size_t)p->count_bit,
		    p->count_bits);
		if (count > p->data_bytes)
			count = p->data_bytes;
	}
	if (p->data_bit / 8 + count > len)
		count = p->data_bit / 8 < len ? len - p->data_bit / 8 : 0;
	more = p->more_bit >= 0 && hid_bits(r, len, (size_t)p->more_bit, 1);
	if (p->count_bit < 0)	/* no count: the data ends at its first NUL */
		for (i = 0; i < count; i++)
			if (r[p->data_bit / 8 + i] == 0) {
				count = i;
				break;
			}
	end = count;
	if (!more)	/* a CR or LF suffix is the scanner's, not the code's */
		while (end > 0 && (r[p->data_bit / 8 + end - 1] == '\r' ||
		    r[p->data_bit / 8 + end - 1] == '\n'))
			end--;
	if (count > 0 || more) {
		d->active = 1;
		d->last_ms = now;
		if (p->sym_bit >= 0 && d->cur.symbology[0] == '\0')
			for (i = 0; i < 3; i++)
				d->cur.symbology[i] = (char)hid_bits(r, len,
				    (size_t)p->sym_bit + 8 * i, 8);
		if (d->cur.symbology[0] < 0x21 || d->cur.symbology[0] > 0x7e)
			d->cur.symbology[0] = '\0';
		for (i = 0; i < 3 && d->cur.symbology[i] != '\0'; i++)
			if (d->cur.symbology[i] < 0x21 ||
			    d->cur.symbology[i] > 0x7e)
				d->cur.symbology[i] = '\0';
	}
	for (i = 0; i < end; i++) {
		c = r[p->data_bit / 8 + i];
		if ((c < 0x20 && c != HID_GS) || c == 0x7f) {
			if (!d->garbled) {
				d->garbled = 1;
				d->cur.bad_byte = c;
				d->cur.bad_at = d->len;
			}
			continue;
		}
		s[0] = (char)c;
		s[1] = '\0';
		hid_append(d, s, NULL);
	}
	if (!more && d->active)
		hid_finish(d, HID_CODE, now, cb, arg);
}

/*
 * Walk a report descriptor for the HID POS scanned data fields. 0 if the
 * device sends Decoded Data this code can read, else -1 and why in err.
 */
int
hid_pos_parse(const uint8_t *desc, size_t len, struct hid_pos *out,
    char *err, size_t errlen)
{
	/* Global state, and a stack for Push/Pop. */
	struct hid_global {
		uint32_t page, size, count, id;
	} g, stack[4];
	uint32_t usages[64], umin = 0, umax = 0, v, flags, u, bits;
	size_t nusages = 0, depth = 0, off[256], i, n, p = 0, isize;
	uint8_t prefix, type, tag;
	int ranged = 0, ids = 0, scanner = 0, data_id = -1;
	struct hid_pos pos;

	memset(&g, 0, sizeof g);
	memset(off, 0, sizeof off);
	memset(&pos, 0, sizeof pos);
	pos.count_bit = pos.more_bit = pos.sym_bit = -1;
	while (p < len) {
		prefix = desc[p++];
		if (prefix == 0xfe) {		/* long item: skipped */
			if (p + 2 > len)
				break;
			p += 2 + desc[p];
			continue;
		}
		isize = (prefix & 3) == 3 ? 4 : (prefix & 3);
		type = (prefix >> 2) & 3;
		tag = prefix >> 4;
		if (p + isize > len) {
			snprintf(err, errlen, "report descriptor cut short "
			    "at byte %zu", p - 1);
			return (-1);
		}
		for (v = 0, i = 0; i < isize; i++)
			v |= (uint32_t)desc[p + i] << (8 * i);
		p += isize;
		if (type == 1) {		/* global */
			switch (tag) {
			case 0:
				g.page = v;
				break;
			case 7:
				g.size = v;
				break;
			case 8:
				g.id = v & 0xff;
				ids = 1;
				break;
			case 9:
				g.count = v;
				break;
			case 10:
				if (depth < 4)
					stack[depth++] = g;
				break;
			case 11:
				if (depth > 0)
					g = stack[--depth];
				break;
			}
			continue;
		}
		if (type == 2) {		/* local */
			if (isize < 4)
				v |= g.page << 16;
			if (tag == 0 && nusages < 64)
				usages[nusages++] = v;
			else if (tag == 1) {
				umin = v;
				ranged = 1;
			} else if (tag == 2)
				umax = v;
			continue;
		}
		if (type != 0)
			continue;
		/* Main items. */
		if (tag == 10) {		/* collection */
			for (i = 0; i < nusages; i++)
				if (usages[i] >> 16 == 0x8c &&
				    (usages[i] & 0xffff) >= 0x01 &&
				    (usages[i] & 0xffff) <= 0x05)
					scanner = 1;
		} else if (tag == 8) {		/* input */
			flags = v;
			if (g.size == 0 || g.size > 64 || g.count > 4096) {
				snprintf(err, errlen, "input item with %u "
				    "fields of %u bits", g.count, g.size);
				return (-1);
			}
			if (ranged && nusages == 0)
				for (u = umin; u <= umax && nusages < 64; u++)
					usages[nusages++] = u;
			n = (flags & 0x100) ? 1 : g.count;	/* buffered */
			bits = (flags & 0x100) ? g.size * g.count : g.size;
			for (i = 0; i < n && (flags & 1) == 0; i++) {
				u = nusages == 0 ? 0 : usages[i < nusages ? i :
				    nusages - 1];
				if (u == 0x8c00fe && g.size == 8 &&
				    (pos.data_bytes == 0 || data_id ==
				    (int)g.id)) {
					if (pos.data_bytes == 0)
						pos.data_bit = off[g.id] + i *
						    bits;
					pos.data_bytes += bits / 8;
					data_id = (int)g.id;
				} else if (u == 0x8c00ff && pos.more_bit < 0)
					pos.more_bit = (int)(off[g.id] + i *
					    bits);
				else if (u == 0x8c00fb && g.size == 8)
					pos.sym_bit = (int)(off[g.id] + i *
					    bits);
				else if (u == 0x01003b && pos.count_bit < 0 &&
				    bits <= 16) {
					pos.count_bit = (int)(off[g.id] + i *
					    bits);
					pos.count_bits = bits;
				}
			}
			off[g.id] += (size_t)g.size * g.count;
		}
		nusages = 0;
		ranged = 0;
		umin = umax = 0;
	}
	if (!scanner) {
		snprintf(err, errlen, "no bar code scanner collection (usage "
		    "page 0x8c) in the report descriptor");
		return (-1);
	}
	if (pos.data_bytes == 0 || data_id < 0) {
		snprintf(err, errlen, "no Decoded Data (0x8c:0xfe) input of "
		    "8-bit fields");
		return (-1);
	}
	if (pos.data_bit % 8 != 0) {
		snprintf(err, errlen, "Decoded Data is not byte aligned");
		return (-1);
	}
	pos.report_id = ids ? data_id : 0;
	pos.report_bytes = (off[data_id] + 7) / 8;
	/* Fields of another report than the data's are not ours. */
	*out = pos;
	return (0);
}

/*
 * The boot keyboard reports a scanner set to layout types for text (a
 * press and a release per character, Enter at the end) into out: 0, or -1
 * if a character is not on the layout or out is too small.
 */
int
hid_type(const char *text, enum hid_layout layout, uint8_t *out,
    size_t size, size_t *len)
{
	const hid_keymap *map = hid_maps[layout];
	const char *p = text;
	size_t n, k, level, best;
	uint8_t mods = 0, key = 0;

	*len = 0;
	while (*p != '\0' || key != KEY_ENTER) {
		if (*p == '\0') {
			key = KEY_ENTER;
			mods = 0;
			n = 0;
		} else if (*p == HID_GS) {
			key = KEY_GS;
			mods = 0x01;
			n = 1;
		} else {
			best = 0;
			for (k = 0x04; k < 0x54 && best == 0; k++)
				for (level = 0; level < 3; level++) {
					if ((*map)[k][level] == NULL)
						continue;
					n = strlen((*map)[k][level]);
					if (strncmp(p, (*map)[k][level], n) ==
					    0) {
						best = n;
						key = (uint8_t)k;
						mods = level == 2 ? MOD_ALTGR :
						    level == 1 ? 0x02 : 0;
						break;
					}
				}
			if (best == 0)
				return (-1);
			n = best;
		}
		if (*len + 16 > size)
			return (-1);
		memset(out + *len, 0, 16);
		out[*len] = mods;
		out[*len + 2] = key;
		*len += 16;
		p += n;
	}
	return (0);
}

/*
 * Is this read the calibration code, typed by a scanner of some layout?
 * Its us reading says which: 1 and *layout, else 0.
 */
int
hid_calibration(const struct hid_event *ev, enum hid_layout *layout)
{
	struct hid_decoder d;
	uint8_t r[sizeof hid_calibration_text * 16 + 16];
	size_t len, i, l;

	if (!ev->us_ok || ev->result != HID_CODE)
		return (0);
	if (ev->symbology[0] != '\0' || ev->us[0] == '\0') {
		/* HID POS sends the bytes: no layout to find. */
		return (0);
	}
	for (l = 0; l < sizeof hid_maps / sizeof *hid_maps; l++) {
		if (hid_type(hid_calibration_text, (enum hid_layout)l, r,
		    sizeof r, &len) != 0)
			continue;
		/* What the us table reads from those keys. */
		hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
		for (i = 0; i + 16 < len; i += 8)	/* Enter aside */
			hid_feed(&d, r + i, 8, 0, NULL, NULL);
		if (strcmp(d.cur.code, ev->us) == 0 && d.len > 0) {
			*layout = (enum hid_layout)l;
			return (1);
		}
	}
	return (0);
}

/* The text of a read as people can read it: GS as <GS>, controls \xNN. */
static char *
hid_printable(const char *s)
{
	char *out, *q;

	out = q = xmalloc(strlen(s) * 4 + 1);
	for (; *s != '\0'; s++) {
		if (*s == HID_GS) {
			memcpy(q, "<GS>", 4);
			q += 4;
		} else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			q += sprintf(q, "\\x%02x", (unsigned char)*s);
		else
			*q++ = *s;
	}
	*q = '\0';
	return (out);
}

/* What the operator is told about a read that is not submitted. */
char *
hid_sentence(const struct hid_event *ev)
{
	char *s, *text, *before;

	before = xstrndup(ev->code, ev->result == HID_GARBLED ? ev->bad_at :
	    strlen(ev->code));
	text = hid_printable(before);
	switch (ev->result) {
	case HID_GARBLED:
		if (ev->bad_byte >= 0)
			xasprintf(&s, _("unreadable scan: the scanner sent byte "
			    "0x%02x after \"%s\", which is not a character of "
			    "a code; nothing was recorded: scan again"),
			    ev->bad_byte, text);
		else
			xasprintf(&s, _("unreadable scan: key 0x%02x "
			    "(modifiers 0x%02x) after \"%s\" is not a "
			    "character of the scanner's layout; nothing was "
			    "recorded: scan the calibration label, then scan "
			    "again"), ev->bad_usage, ev->bad_mods, text);
		break;
	case HID_UNTERMINATED:
		xasprintf(&s, _("incomplete scan \"%s\": the scanner sent no "
		    "end of code; nothing was recorded: scan again"), text);
		break;
	case HID_TOO_LONG:
		xasprintf(&s, _("scan refused: a code has at most %d "
		    "characters; nothing was recorded"), HID_CODE_MAX);
		break;
	case HID_BLANKED:
		xasprintf(&s, _("scan \"%s\" ignored: it came right after the "
		    "previous code (blanking window of the scanner)"), text);
		break;
	default:
		s = xstrdup(text);
		break;
	}
	free(text);
	free(before);
	return (s);
}
