/*
 * The scan engine: one door for every scan, whatever its source (USB
 * scanner, POST /v1/scans, `kitstock scan`, remote terminal), and the
 * stream of verdicts to GET /v1/stream subscribers.
 */
#ifndef SCAN_H
#define SCAN_H

#include <jansson.h>

/*
 * The one door for every scan (USB scanner, POST /v1/scans, `kitstock scan`,
 * remote terminal). station: station name; code: the decoded text (may
 * contain GS 0x1D); scan_id: unique id from a remote terminal or NULL;
 * made_at: ISO 8601 time the scan was made (terminal's queued scans) or NULL
 * for now; source: "usb:VID:PID[/SERIAL]", "api", "client", "terminal".
 * Must be called inside a write transaction (the HTTP dispatcher's, or
 * scan_local's).
 * Returns the verdict as a new JSON object:
 *   {"scan_id":..., "station":..., "mode":..., "code":...,
 *    "verdict":"ok"|"refused"|"ignored",
 *    "message": "<sentence in the daemon's language>", "item": TAG or null,
 *    ...}
 * A replayed scan_id returns the verdict recorded the first time, changing
 * nothing.
 */
json_t	*scan_submit(const char *station, const char *code,
	    const char *scan_id, const char *made_at, const char *source);
/*
 * For callers outside an HTTP request (USB): BEGIN IMMEDIATE, scan_submit,
 * COMMIT, publish. Such a scan acts with the role the station was given
 * (kitstock station add/edit --role); one over the API with its caller's.
 */
json_t	*scan_local(const char *station, const char *code,
	    const char *source);
/*
 * Server-sent events to GET /v1/stream subscribers (filter by station;
 * NULL = all).
 */
void	 stream_publish(const char *station, const char *event,
	    json_t *data);

/* Everything below is the station's own (scan.c, stream.c, api-station.c). */
struct config;
struct req;
struct actor;

#define SCAN_DEBOUNCE_DEFAULT	1500	/* ms */
#define SCAN_IDLE_DEFAULT	900	/* s: a station's context expires */
#define SCAN_CANCEL_WINDOW	600	/* s: CANCEL undoes one's own scan */
#define SCAN_ROLE_STATION	-1	/* act with the station's role (USB) */
#define STREAM_MAX_DEFAULT	32	/* subscribers to GET /v1/stream */
#define STREAM_BUFFER_MAX	(256 * 1024)	/* a slow reader is dropped */
#define STREAM_HEARTBEAT	15	/* s */

/* Command barcodes: their text. */
#define SCAN_PREFIX		"KS:"
#define SCAN_MODE_PREFIX	"KS:MODE:"
#define SCAN_REASON_PREFIX	"KS:REASON:"
#define SCAN_END_AUDIT		"KS:CMD:END-AUDIT"
#define SCAN_CANCEL		"KS:CMD:CANCEL"

struct scan_reason {
	const char	*code;		/* "FAULTY" */
	const char	*text;		/* N_("faulty") */
};
extern const struct scan_reason scan_reasons[];
extern const char *const scan_modes[];

/* scan.c */
void	 scan_configure(const struct config *);
json_t	*scan_submit_as(const char *, const char *, const char *,
	    const char *, const char *, int, const char *, int);
char	*scan_upper(const char *);
const char *scan_mode_hint(const char *);

/* stream.c: GET /v1/stream */
void	 stream_configure(const struct config *);
void	 stream_start(struct event_base *);
void	 stream_stop(void);
void	 api_stream(struct req *);

/* api-station.c */
void	 api_station_add(struct req *);
void	 api_station_list(struct req *);
void	 api_station_show(struct req *);
void	 api_station_mode(struct req *);
void	 api_station_edit(struct req *);
int	 api_station_grant(struct req *, const char *, const char *,
	    const char *);
void	 api_scan_add(struct req *);
void	 api_scan_commands(struct req *);
/* The "scan_refused_on_replay" alerts (alerts.c's table). */
struct alert_ctx;
enum store_status api_scan_alerts(const struct alert_ctx *, json_t *);

/* store-station.c */
#define SCAN_SAVEPOINT		0
#define SCAN_RELEASE		1
#define SCAN_ROLLBACK_TO	2
enum store_status store_station_add(const struct actor *, const char *,
	    const char *, const char *, const char *, const char *);
enum store_status store_station_role(const struct actor *, const char *,
	    const char *, const char *);
enum store_status store_station_get(const char *, json_t **);
enum store_status store_station_list(json_t **);
enum store_status store_station_mode(const struct actor *, const char *,
	    const char *, const char *, const char *);
enum store_status store_station_context(const char *, json_t *,
	    const char *);
enum store_status store_station_convoked_elsewhere(const char *,
	    const char *, char *);
enum store_status store_scan_find(const char *, json_t **);
enum store_status store_scan_last_ms(const char *, const char *,
	    long long *);
enum store_status store_scan_add(const char *, json_t *, long long,
	    const char *, json_t *, const char *);
enum store_status store_scan_last_ok(const char *, json_t **);
enum store_status store_scan_cancelled(long long);
/*
 * For the alerts: provisional scans (queued by a remote terminal) that
 * were refused when replayed, newest first: [{scan_id, station, code,
 * mode, made_at, recorded_at, item, message}].
 */
enum store_status store_scan_refused_provisional(json_t **);
enum store_status store_audit_open(const char *, const char *,
	    const char *, long long *);
enum store_status store_audit_see(long long, const char *, const char *,
	    int *, long long *);
enum store_status store_audit_unsee(long long, const char *);
enum store_status store_audit_report(long long, const char *, json_t **);
enum store_status store_audit_close(long long, const char *, json_t *);
enum store_status store_savepoint(int);

#endif
