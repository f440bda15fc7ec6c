/* A report's findings as Windows Application log events (the service after
 * each collection, `ohc collect --eventlog`): the portable half. Which events,
 * their ids, their insertion strings, which findings were resolved since the
 * last collection, and the state file that remembers that collection. The
 * Windows half (RegisterEventSourceW/ReportEventW) is win32/service/eventlog_win32.c;
 * the file steps (read the state, keep a damaged one aside, write the next one
 * atomically) are collector/pipeline/eventlog_out.c.
 *
 * Event ids are an interface (agents filter on them): the table in eventlog.c
 * is the one place they are declared, messages.mc carries their texts, and
 * neither is ever renumbered. Each event carries its fields as separate
 * insertion strings (%1..%n, EventData's Data elements in order), each bounded
 * so that an event stays far below the event log's limits (31,839 UTF-16
 * units per string): a cut string ends in a visible marker. URLs lose any
 * user:password part; ohc's facts never hold the upload token. */
#ifndef OHC_EVENTLOG_H
#define OHC_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

typedef enum ohc_evlog_type { OHC_EVLOG_INFORMATION = 0, OHC_EVLOG_WARNING, OHC_EVLOG_ERROR } ohc_evlog_type;

typedef enum ohc_evlog_kind_id {
    OHC_EVLOG_SUMMARY_OK = 0,
    OHC_EVLOG_SUMMARY_WARNING,
    OHC_EVLOG_SUMMARY_PROBLEM,
    OHC_EVLOG_SUMMARY_INCOMPLETE,
    OHC_EVLOG_SUMMARY_FAILED,
    OHC_EVLOG_FINDING_INFO,
    OHC_EVLOG_FINDING_WARNING,
    OHC_EVLOG_FINDING_ERROR,
    OHC_EVLOG_FINDING_CRITICAL,
    OHC_EVLOG_RESOLVED,
    OHC_EVLOG_STATE_DAMAGED,
    OHC_EVLOG_KIND_COUNT
} ohc_evlog_kind_id;

/* The message-table id of an event: the event id with the severity bits
 * windmc gives Severity=Informational (1), Warning (2), Error (3). Event
 * Viewer and XPath show the low 16 bits as EventID (Qualifiers the high ones). */
#define OHC_EVLOG_MESSAGE_ID(type, event_id) ((((uint32_t)(type) + 1u) << 30) | (uint32_t)(event_id))

#define OHC_EVLOG_MAX_STRINGS 8

typedef struct ohc_evlog_kind {
    ohc_evlog_kind_id kind;
    const char *name; /* "finding.error", ... */
    uint16_t event_id; /* as Event Viewer shows it; never renumbered */
    ohc_evlog_type type;
    uint32_t message_id; /* OHC_EVLOG_MESSAGE_ID(type, event_id): messages.mc must have it */
    size_t field_count; /* insertion strings %1..%field_count */
    const char *fields[OHC_EVLOG_MAX_STRINGS]; /* their names, in order (README, tests) */
} ohc_evlog_kind;

/* The table, in kind order (table[i].kind == i). Static. */
const ohc_evlog_kind *ohc_evlog_kinds(size_t *out_count);

/* Bounds (UTF-8 bytes; a UTF-16 string never has more units than its UTF-8
 * form has bytes). Short fields (ids, host, severity, times) get
 * OHC_EVLOG_SHORT_MAX, title OHC_EVLOG_TITLE_MAX, the rest OHC_EVLOG_TEXT_MAX:
 * an event's strings together stay under OHC_EVLOG_EVENT_MAX. */
#define OHC_EVLOG_SHORT_MAX 256u
#define OHC_EVLOG_TITLE_MAX 512u
#define OHC_EVLOG_TEXT_MAX 2048u
#define OHC_EVLOG_EVENT_MAX 8192u
/* Finding events per collection; the summary counts them all. */
#define OHC_EVLOG_MAX_FINDING_EVENTS 64u

typedef struct ohc_evlog_event {
    const ohc_evlog_kind *kind; /* static */
    size_t nstrings; /* == kind->field_count */
    char *strings[OHC_EVLOG_MAX_STRINGS]; /* UTF-8, NUL-terminated, bounded; owned */
} ohc_evlog_event;

/* ---- the state of the last collection's findings ----
 *
 * UTF-8 JSON, untrusted (bounded, checked member by member):
 *   {"version": 1, "report_id": "...", "generated_at": "<RFC 3339>",
 *    "findings": [{"rule_id": "...", "severity": "error", "title": "...",
 *                  "message": "...", "report_id": "...", "seen_at": "<RFC 3339>"}]} */
#define OHC_EVLOG_STATE_MAX_BYTES (1024u * 1024u)
#define OHC_EVLOG_STATE_MAX_FINDINGS 256u
#define OHC_EVLOG_STATE_RULE_MAX 128u /* bytes of a rule id, NUL included */

typedef struct ohc_evlog_seen {
    char rule_id[OHC_EVLOG_STATE_RULE_MAX];
    int severity; /* verdict.h rank */
    char *title; /* owned, at most OHC_EVLOG_TITLE_MAX bytes */
    char *message; /* owned, at most OHC_EVLOG_TEXT_MAX bytes */
    char report_id[OHC_EVLOG_SHORT_MAX]; /* the last report that had it */
    char seen_at[40]; /* that report's generated_at */
} ohc_evlog_seen;

typedef struct ohc_evlog_state {
    ohc_evlog_seen *seen; /* owned: ohc_evlog_state_free */
    size_t count;
} ohc_evlog_state;

/* Parses a state file's text (len bytes, need not be NUL-terminated).
 * OHC_OK; OHC_EMALFORMED with err naming the problem (and the finding's index);
 * OHC_ELIMIT when it is over a bound; OHC_ENOMEM. *out is empty unless OHC_OK. */
int ohc_evlog_state_parse(ohc_evlog_state *out, const char *text, size_t len, ohc_error *err);
void ohc_evlog_state_free(ohc_evlog_state *st);

/* ---- one collection's events ---- */

typedef struct ohc_evlog_plan {
    ohc_evlog_event *events; /* in the order to write them: findings (worst first), resolved, summary */
    size_t count;
    size_t findings; /* finding events (at most OHC_EVLOG_MAX_FINDING_EVENTS) */
    size_t resolved; /* resolved events */
    char *next_state; /* the state file to store once every event is written; owned */
} ohc_evlog_plan;

/* The events of report:
 *   - one per finding (kind by severity), at most OHC_EVLOG_MAX_FINDING_EVENTS;
 *   - one "resolved" per finding of prev that the report no longer has, when
 *     the report could tell: not when its collection failed, a rule file did
 *     not load (summary.incomplete source "rules"), or that rule is in
 *     summary.not_checked (then the finding stays in the next state, unresolved);
 *   - state_problem != NULL (the state could not be read: "<why>", or
 *     "<why>\n kept as: <path>" when the file was moved aside): one
 *     STATE_DAMAGED event, and no resolved ones;
 *   - one summary (kind by verdict), last.
 * prev NULL: no earlier collection known (no resolved events).
 * OHC_OK or OHC_ENOMEM; *out is always filled (free it with ohc_evlog_plan_free). */
int ohc_evlog_plan_make(ohc_evlog_plan *out, const cJSON *report, const ohc_evlog_state *prev,
                        const char *state_problem);
void ohc_evlog_plan_free(ohc_evlog_plan *p);

/* Copies src into a new string of at most max bytes (NUL not counted): cut
 * on a UTF-8 character boundary and ended with a visible marker when longer;
 * any user:password@ of a URL replaced by ***@. NULL only without memory. */
char *ohc_evlog_bounded(const char *src, size_t max);

#endif
