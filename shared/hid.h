/*
 * HID reports from barcode scanners -> barcode text, with no I/O: used by
 * kitstockd (USB scanners bound to stations) and by the client (the
 * remote terminal). Time comes in as milliseconds from the caller.
 */
#ifndef HID_H
#define HID_H

#include <stddef.h>
#include <stdint.h>

#define HID_CODE_MAX		512	/* bytes of one decoded code */
#define HID_FLUSH_MS		1000	/* a code without Enter after this */
#define HID_BLANK_MS		500	/* blanking window, default */
#define HID_BLANK_MAX		10000
#define HID_GS			0x1d	/* GS1 group separator, kept */

/* The keyboard layout a keyboard-wedge scanner is configured for. */
enum hid_layout {
	HID_LAYOUT_US,
	HID_LAYOUT_FR,
};

/* What the interface sends: boot keyboard reports or HID POS data. */
enum hid_kind {
	HID_KIND_KEYBOARD,
	HID_KIND_POS,
};

/* What a finished read is. */
enum hid_result {
	HID_CODE,		/* a code, to submit */
	HID_GARBLED,		/* a key or byte outside the map: refused */
	HID_UNTERMINATED,	/* no Enter/Tab (or end of data) came */
	HID_BLANKED,		/* inside the blanking window: dropped */
	HID_TOO_LONG,		/* more than HID_CODE_MAX bytes */
};

/* Where the fields of a HID POS scanned data report are (bits). */
struct hid_pos {
	int		 report_id;	/* 0: the device uses no report ids */
	size_t		 report_bytes;	/* without the id byte */
	size_t		 data_bit;	/* Decoded Data (0x8c:0xfe) */
	size_t		 data_bytes;
	int		 count_bit;	/* Byte Count (0x01:0x3b), or -1 */
	size_t		 count_bits;
	int		 more_bit;	/* Decoded Data Continued (0xff), -1 */
	int		 sym_bit;	/* Symbology Identifier 1..3, or -1 */
};

/* One finished read. */
struct hid_event {
	enum hid_result	 result;
	char		 code[HID_CODE_MAX + 1];	/* as decoded */
	char		 us[HID_CODE_MAX + 1];		/* decoded as us */
	int		 us_ok;		/* every key has a us meaning */
	uint8_t		 bad_usage;	/* HID_GARBLED on a keyboard */
	uint8_t		 bad_mods;
	int		 bad_byte;	/* HID_GARBLED on POS, or -1 */
	size_t		 bad_at;	/* characters decoded before it */
	char		 symbology[4];	/* HID POS: "]Q1", or "" */
};

/* One scanner's decoder: configure with hid_init, feed its reports. */
struct hid_decoder {
	enum hid_kind	 kind;
	enum hid_layout	 layout;
	struct hid_pos	 pos;
	unsigned	 blank_ms;
	unsigned	 flush_ms;

	uint8_t		 held[6];	/* keys down in the last report */
	int		 alt_value;	/* Alt + keypad digits, or -1 */
	struct hid_event cur;
	size_t		 len, us_len;
	int		 active;	/* a read has begun */
	int		 garbled;
	int		 too_long;
	uint64_t	 last_ms;	/* last report of the read */
	uint64_t	 blank_until;
	int		 blanking;
};

typedef void (*hid_cb)(const struct hid_event *, void *);

void	 hid_init(struct hid_decoder *, enum hid_kind, enum hid_layout);
void	 hid_feed(struct hid_decoder *, const uint8_t *, size_t, uint64_t,
	    hid_cb, void *);
void	 hid_tick(struct hid_decoder *, uint64_t, hid_cb, void *);
int	 hid_deadline(const struct hid_decoder *, uint64_t *);
void	 hid_reset(struct hid_decoder *);

int	 hid_pos_parse(const uint8_t *, size_t, struct hid_pos *, char *,
	    size_t);

const char *hid_layout_name(enum hid_layout);
int	 hid_layout_parse(const char *, enum hid_layout *);
int	 hid_type(const char *, enum hid_layout, uint8_t *, size_t, size_t *);

extern const char hid_calibration_text[];
int	 hid_calibration(const struct hid_event *, enum hid_layout *);
char	*hid_sentence(const struct hid_event *);

#endif
