/*
 * Fuzz target: the HID decoder on arbitrary reports. The first byte picks
 * the decoder (bit 0: fr, bit 1: HID POS, bits 2-3: report length); a HID
 * POS input then starts with its report descriptor (one length byte).
 * Every event is turned into its sentence and tried as calibration.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hid.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_event(const struct hid_event *ev, void *arg)
{
	enum hid_layout l;
	char *s;

	s = hid_sentence(ev);
	free(s);
	(void)hid_calibration(ev, &l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 8, 3, 9, 64 };
	struct hid_decoder d;
	char err[128];
	size_t n, rlen, i;
	uint64_t t = 0;

	if (size < 1)
		return (0);
	hid_init(&d, (data[0] & 2) ? HID_KIND_POS : HID_KIND_KEYBOARD,
	    (data[0] & 1) ? HID_LAYOUT_FR : HID_LAYOUT_US);
	d.blank_ms = data[0] & 0x10 ? 50 : 0;
	rlen = lens[(data[0] >> 2) & 3];
	data++;
	size--;
	if (d.kind == HID_KIND_POS) {
		if (size < 1)
			return (0);
		n = data[0] < size - 1 ? data[0] : size - 1;
		if (hid_pos_parse(data + 1, n, &d.pos, err, sizeof err) != 0)
			rlen = 62;
		data += 1 + n;
		size -= 1 + n;
	}
	for (i = 0; i < size; i += rlen) {
		n = size - i < rlen ? size - i : rlen;
		hid_feed(&d, data + i, n, t, fuzz_event, NULL);
		t += data[i] & 0x3f;
		hid_tick(&d, t, fuzz_event, NULL);
	}
	hid_tick(&d, t + HID_FLUSH_MS, fuzz_event, NULL);
	return (0);
}
