/* The service's schedule, as pure arithmetic so that native tests reach it:
 * jittered startup delay and interval, the debounce after an Outlook event,
 * and spool retries in between. Times are monotonic milliseconds. */
#ifndef OHC_SCHEDULE_H
#define OHC_SCHEDULE_H

#include <stdint.h>

/* base_ms moved by a uniform amount within +-percent of it, chosen by rnd
 * (any 32-bit random number). Never below 0; base 0 stays 0. */
uint64_t ohc_schedule_jitter(uint64_t base_ms, unsigned percent, uint32_t rnd);

typedef struct ohc_schedule {
    uint64_t next_collect_ms; /* when the next collection is due */
    uint64_t next_retry_ms; /* when the spool should be retried; UINT64_MAX: nothing to retry */
    uint64_t last_event_collect_ms; /* last collection started by an event (0: none) */
    uint64_t last_collect_end_ms; /* when the last collection ended (0: none yet) */
    uint32_t interval_minutes; /* the interval next_collect_ms was computed with */
} ohc_schedule;

#define OHC_SCHEDULE_NEVER UINT64_MAX
#define OHC_SCHEDULE_JITTER_PERCENT 10u
#define OHC_SCHEDULE_EVENT_DEBOUNCE_MS (3u * 60u * 1000u) /* collect this long after an event */
#define OHC_SCHEDULE_EVENT_MIN_GAP_MS (30u * 60u * 1000u) /* at most one event collection per gap */
#define OHC_SCHEDULE_RETRY_MIN_MS (5u * 60u * 1000u)

/* At service start: first collection after the jittered startup delay. */
void ohc_schedule_start(ohc_schedule *s, uint64_t now_ms, uint32_t startup_delay_minutes, uint32_t rnd);

/* After a collection ended at now_ms: the next one an interval later (jittered). */
void ohc_schedule_collected(ohc_schedule *s, uint64_t now_ms, uint32_t interval_minutes, uint32_t rnd);

/* The configuration changed (a GPO refresh, `ohc config set`): when the
 * interval differs from the one in use and a collection has run, the next one
 * is re-planned from the last collection's end (at once when that is past).
 * Returns 1 when the schedule moved. */
int ohc_schedule_reconfigure(ohc_schedule *s, uint64_t now_ms, uint32_t interval_minutes, uint32_t rnd);

/* An Outlook failure event was seen: collect after the debounce unless a
 * collection is due sooner or an event collection ran within the minimum gap.
 * Returns 1 when the schedule moved. */
int ohc_schedule_event(ohc_schedule *s, uint64_t now_ms);

/* The spool still holds reports after a delivery attempt: retry after
 * retry_after_ms (the upload code's backoff; 0: the minimum), jittered, but
 * never after the next collection (which retries anyway). pending 0 clears. */
void ohc_schedule_spool(ohc_schedule *s, uint64_t now_ms, int pending, uint64_t retry_after_ms, uint32_t rnd);

/* The longest single wait of the service. Since Windows 8 a wait's timeout
 * does not count time the PC spent asleep, while the due times here are in
 * GetTickCount64 time, which does: a laptop that slept past a collection
 * would otherwise wait out the rest of its awake time first. Waking at least
 * this often bounds that slip after a resume (the wake costs microseconds).
 * https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects */
#define OHC_SCHEDULE_MAX_WAIT_MS (5u * 60u * 1000u)

/* Milliseconds to wait from now until the earliest due time (0 when due),
 * clamped to max_wait_ms (the service passes OHC_SCHEDULE_MAX_WAIT_MS). */
uint32_t ohc_schedule_wait_ms(const ohc_schedule *s, uint64_t now_ms, uint32_t max_wait_ms);

#endif
