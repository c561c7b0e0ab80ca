/*
 * HID decoding: boot keyboard reports in us and fr layouts, key roll-over,
 * GS, garbled and unterminated reads, blanking, calibration, and HID POS
 * report descriptors and reports.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hid.h"
#include "tap.h"

/* A HID POS scanner: Report ID 2, Byte Count, Symbology 1-3, 56 bytes of
 * Decoded Data (buffered bytes), then a Decoded Data Continued bit. */
static const uint8_t pos_desc[] = {
	0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xa1,
	0x02, 0x05, 0x01, 0x09, 0x3b, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75,
	0x08, 0x95, 0x01, 0x81, 0x02, 0x05, 0x8c, 0x09, 0xfb, 0x09, 0xfc,
	0x09, 0xfd, 0x95, 0x03, 0x81, 0x02, 0x09, 0xfe, 0x95, 0x38, 0x82,
	0x02, 0x01, 0x09, 0xff, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81,
	0x02, 0x75, 0x07, 0x95, 0x01, 0x81, 0x01, 0xc0, 0xc0,
};

/* The standard boot keyboard report descriptor. */
static const uint8_t kbd_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29,
	0xe7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
	0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15,
	0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00,
	0xc0,
};

static struct hid_event got[8];
static int ngot;

static void
collect(const struct hid_event *ev, void *arg)
{
	if (ngot < 8)
		got[ngot++] = *ev;
}

/* Feed 8-byte reports, each 1 ms after the last, from time t. */
static uint64_t
feed(struct hid_decoder *d, const uint8_t *r, size_t len, uint64_t t)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		hid_feed(d, r + i, 8, t++, collect, NULL);
	return (t);
}

/* Type text on a layout, decode with another: the events. */
static void
typed(const char *text, enum hid_layout scanner, enum hid_layout bound)
{
	struct hid_decoder d;
	uint8_t r[4096];
	size_t len;

	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, bound);
	if (hid_type(text, scanner, r, sizeof r, &len) != 0) {
		ok(0, "hid_type %s", text);
		return;
	}
	feed(&d, r, len, 1000);
}

/* One 62-byte POS report: id 2, count, "]Q1", data, continued flag. */
static void
pos_report(uint8_t *r, const char *data, int more)
{
	memset(r, 0, 62);
	r[0] = 2;
	r[1] = (uint8_t)strlen(data);
	memcpy(r + 2, "]Q1", 3);
	memcpy(r + 5, data, strlen(data));
	r[61] = more ? 1 : 0;
}

int
main(void)
{
	struct hid_decoder d;
	struct hid_pos pos;
	enum hid_layout layout;
	uint8_t r[64];
	char err[128], *s, big[600];
	size_t len;
	static const uint8_t roll[] = {
		0x02, 0, 0x04, 0, 0, 0, 0, 0,	/* A */
		0x02, 0, 0x04, 0x05, 0, 0, 0, 0,	/* B while A is held */
		0x00, 0, 0x05, 0, 0, 0, 0, 0,	/* A up: nothing */
		0x00, 0, 0x06, 0x05, 0, 0, 0, 0,	/* c, B still held */
		0x00, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0, 0x06, 0, 0, 0, 0, 0,	/* c again, after release */
		0x00, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,	/* rollover */
		0x00, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0, 0x2b, 0, 0, 0, 0, 0,	/* Tab ends */
	};
	static const uint8_t gs[] = {
		0x00, 0, 0x1f, 0, 0, 0, 0, 0,	/* 2 */
		0x01, 0, 0x30, 0, 0, 0, 0, 0,	/* Ctrl-] */
		0x00, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0, 0x20, 0, 0, 0, 0, 0,	/* 3 */
		0x04, 0, 0, 0, 0, 0, 0, 0,	/* Alt down */
		0x04, 0, 0x62, 0, 0, 0, 0, 0,	/* keypad 0 */
		0x04, 0, 0, 0, 0, 0, 0, 0,
		0x04, 0, 0x62, 0, 0, 0, 0, 0,	/* 0 */
		0x04, 0, 0, 0, 0, 0, 0, 0,
		0x04, 0, 0x5a, 0, 0, 0, 0, 0,	/* 2 */
		0x04, 0, 0, 0, 0, 0, 0, 0,
		0x04, 0, 0x61, 0, 0, 0, 0, 0,	/* 9 */
		0x00, 0, 0, 0, 0, 0, 0, 0,	/* Alt up: GS */
		0x00, 0, 0x21, 0, 0, 0, 0, 0,	/* 4 */
		0x00, 0, 0x28, 0, 0, 0, 0, 0,
	};
	static const uint8_t fkey[] = {
		0x00, 0, 0x04, 0, 0, 0, 0, 0,	/* a */
		0x00, 0, 0x3a, 0, 0, 0, 0, 0,	/* F1 */
		0x00, 0, 0x05, 0, 0, 0, 0, 0,
		0x00, 0, 0x28, 0, 0, 0, 0, 0,
	};
	static const uint8_t dead[] = {
		0x00, 0, 0x2f, 0, 0, 0, 0, 0,	/* fr: dead ^ */
		0x00, 0, 0x08, 0, 0, 0, 0, 0,
		0x00, 0, 0x28, 0, 0, 0, 0, 0,
	};
	static const uint8_t open[] = {
		0x02, 0, 0x04, 0, 0, 0, 0, 0,
		0x00, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0, 0x1e, 0, 0, 0, 0, 0,
		0x00, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t enter[] = { 0, 0, 0x28, 0, 0, 0, 0, 0 };
	uint64_t t;

	typed("ASSET-000123", HID_LAYOUT_US, HID_LAYOUT_US);
	ok(ngot == 1 && got[0].result == HID_CODE, "us scanner, us table: "
	    "one code");
	is_str(got[0].code, "ASSET-000123", "us: the code");
	typed("ASSET-000123", HID_LAYOUT_FR, HID_LAYOUT_FR);
	is_str(got[0].code, "ASSET-000123", "AZERTY scanner bound fr: the "
	    "code");
	is_str(got[0].us, "QSSET6)))!@#", "AZERTY read as us: shifted "
	    "digits");
	typed("ASSET-000123", HID_LAYOUT_FR, HID_LAYOUT_US);
	is_str(got[0].code, "QSSET6)))!@#", "AZERTY scanner bound us: "
	    "garbage, not guessed");
	typed("89330123456789012345", HID_LAYOUT_FR, HID_LAYOUT_FR);
	is_str(got[0].code, "89330123456789012345", "AZERTY: an ICCID");
	typed("user@example.fr", HID_LAYOUT_FR, HID_LAYOUT_FR);
	is_str(got[0].code, "user@example.fr", "AZERTY: @ with AltGr");
	ok(got[0].us_ok == 0, "AltGr has no us reading");
	typed("ab", HID_LAYOUT_US, HID_LAYOUT_US);
	typed("D-0000123-H", HID_LAYOUT_US, HID_LAYOUT_FR);
	ok(got[0].result == HID_CODE, "us scanner bound fr: a code");
	ok(strcmp(got[0].code, "D-0000123-H") != 0, "  but not the text "
	    "(%s)", got[0].code);

	/* Roll-over, release, ErrorRollOver, Tab. */
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
	feed(&d, roll, sizeof roll, 0);
	ok(ngot == 1, "roll-over: one code");
	is_str(got[0].code, "ABcc", "roll-over: held keys type nothing, a "
	    "released key types again, Tab ends");

	/* GS both ways. */
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_FR);
	feed(&d, gs, sizeof gs, 0);
	ok(ngot == 1 && got[0].result == HID_CODE, "GS: a code");
	is_str(got[0].code, "\xc3\xa9\x1d\"\x1d'", "GS from Ctrl-] and "
	    "Alt+0029 kept (fr keys)");

	/* Garbled: a function key, a dead key. */
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
	feed(&d, fkey, sizeof fkey, 0);
	ok(ngot == 1 && got[0].result == HID_GARBLED, "F1: garbled");
	ok(got[0].bad_usage == 0x3a && got[0].bad_at == 1, "garbled: key "
	    "0x3a after one character");
	s = hid_sentence(&got[0]);
	ok(strstr(s, "0x3a") != NULL && strstr(s, "\"a\"") != NULL &&
	    strstr(s, "nothing was recorded") != NULL, "garbled sentence: "
	    "%s", s);
	free(s);
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_FR);
	feed(&d, dead, sizeof dead, 0);
	ok(ngot == 1 && got[0].result == HID_GARBLED &&
	    got[0].bad_usage == 0x2f, "fr dead key: garbled, not guessed");

	/* Unterminated: flushed flush_ms after the last report. */
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
	t = feed(&d, open, sizeof open, 100);
	ok(hid_deadline(&d, &t) && t == 103 + HID_FLUSH_MS, "deadline set");
	hid_tick(&d, 103 + HID_FLUSH_MS - 1, collect, NULL);
	ok(ngot == 0, "no flush before the deadline");
	hid_tick(&d, 103 + HID_FLUSH_MS, collect, NULL);
	ok(ngot == 1 && got[0].result == HID_UNTERMINATED, "unterminated "
	    "after the deadline");
	is_str(got[0].code, "A1", "unterminated: what came");
	s = hid_sentence(&got[0]);
	ok(strstr(s, "incomplete scan \"A1\"") != NULL, "unterminated "
	    "sentence: %s", s);
	free(s);
	ok(!hid_deadline(&d, &t), "no deadline after the flush");
	hid_feed(&d, enter, 8, 5000, collect, NULL);
	ok(ngot == 1, "a lone Enter is no code");

	/* Blanking. */
	ngot = 0;
	hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
	d.blank_ms = 500;
	hid_type("A1", HID_LAYOUT_US, r, sizeof r, &len);
	feed(&d, r, len, 0);
	feed(&d, r, len, 100);
	feed(&d, r, len, 700);
	ok(ngot == 3 && got[0].result == HID_CODE && got[1].result ==
	    HID_BLANKED && got[2].result == HID_CODE, "blanking: the code "
	    "within 500 ms dropped, the next one kept");

	/* Too long. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		uint8_t *rr = malloc(sizeof big * 16 + 32);

		ngot = 0;
		hid_init(&d, HID_KIND_KEYBOARD, HID_LAYOUT_US);
		ok(hid_type(big, HID_LAYOUT_US, rr, sizeof big * 16 + 32,
		    &len) == 0, "type 599 characters");
		feed(&d, rr, len, 0);
		ok(ngot == 1 && got[0].result == HID_TOO_LONG, "too long");
		free(rr);
	}

	/* Calibration. */
	typed(hid_calibration_text, HID_LAYOUT_FR, HID_LAYOUT_US);
	ok(hid_calibration(&got[0], &layout) == 1 && layout == HID_LAYOUT_FR,
	    "calibration: an AZERTY scanner bound us is found fr");
	typed(hid_calibration_text, HID_LAYOUT_FR, HID_LAYOUT_FR);
	ok(hid_calibration(&got[0], &layout) == 1 && layout == HID_LAYOUT_FR,
	    "calibration: an AZERTY scanner bound fr is found fr");
	typed(hid_calibration_text, HID_LAYOUT_US, HID_LAYOUT_FR);
	ok(hid_calibration(&got[0], &layout) == 1 && layout == HID_LAYOUT_US,
	    "calibration: a us scanner bound fr is found us");
	typed("KSCAL:AQZWM", HID_LAYOUT_US, HID_LAYOUT_US);
	ok(hid_calibration(&got[0], &layout) == 0, "calibration: another "
	    "code is not it");

	/* HID POS. */
	ok(hid_pos_parse(pos_desc, sizeof pos_desc, &pos, err, sizeof err) ==
	    0, "POS descriptor parses");
	ok(pos.report_id == 2 && pos.data_bit == 32 && pos.data_bytes == 56 &&
	    pos.count_bit == 0 && pos.sym_bit == 8 && pos.more_bit == 480,
	    "POS fields: id %d data %zu+%zu count %d sym %d more %d",
	    pos.report_id, pos.data_bit, pos.data_bytes, pos.count_bit,
	    pos.sym_bit, pos.more_bit);
	ok(hid_pos_parse(kbd_desc, sizeof kbd_desc, &pos, err, sizeof err) ==
	    -1 && strstr(err, "0x8c") != NULL, "keyboard descriptor: not "
	    "POS (%s)", err);
	ok(hid_pos_parse(pos_desc, 20, &pos, err, sizeof err) == -1,
	    "a cut descriptor is refused (%s)", err);
	hid_pos_parse(pos_desc, sizeof pos_desc, &pos, err, sizeof err);
	hid_init(&d, HID_KIND_POS, HID_LAYOUT_US);
	d.pos = pos;
	d.blank_ms = 0;
	ngot = 0;
	pos_report(r, "01034531200000111709112510\x1d" "10ABC", 1);
	hid_feed(&d, r, 62, 0, collect, NULL);
	ok(ngot == 0, "POS: continued, no code yet");
	pos_report(r, "123\r", 0);
	hid_feed(&d, r, 62, 1, collect, NULL);
	ok(ngot == 1 && got[0].result == HID_CODE, "POS: one code");
	is_str(got[0].code, "01034531200000111709112510\x1d" "10ABC123",
	    "POS: the bytes, GS kept, CR suffix dropped");
	is_str(got[0].symbology, "]Q1", "POS: symbology identifier");
	ok(hid_calibration(&got[0], &layout) == 0, "POS: no layout");
	r[0] = 4;
	hid_feed(&d, r, 62, 2, collect, NULL);
	ok(ngot == 1, "POS: another report id is not data");
	pos_report(r, "AB\x07" "C", 0);
	hid_feed(&d, r, 62, 3, collect, NULL);
	ok(ngot == 2 && got[1].result == HID_GARBLED && got[1].bad_byte == 7,
	    "POS: a control byte is garbled");
	pos_report(r, "XYZ", 1);
	hid_feed(&d, r, 62, 10, collect, NULL);
	hid_tick(&d, 10 + HID_FLUSH_MS, collect, NULL);
	ok(ngot == 3 && got[2].result == HID_UNTERMINATED, "POS: continued "
	    "then nothing: unterminated");
	pos_report(r, "\xc3(", 0);
	hid_feed(&d, r, 62, 5000, collect, NULL);
	ok(ngot == 4 && got[3].result == HID_GARBLED, "POS: bad UTF-8 is "
	    "garbled");

	ok(hid_layout_parse("fr", &layout) == 0 && layout == HID_LAYOUT_FR &&
	    hid_layout_parse("de", &layout) == -1, "layout names");
	return (tap_done());
}
