/* Which events a report has not shown before.
 *
 * The service (and `ohc collect --event-state FILE`) keeps, per event log
 * channel and computer, the newest record id and time it has reported. The
 * next report marks each event "new": true when it came after that point,
 * and counts the new ones, so a ticket or a dashboard tells a fresh Event 27
 * from one that was reported last week.
 *
 * An event is new when its record id is above the one remembered, or when
 * it is newer than the newest time remembered: record ids count up within a
 * channel, and the time catches a log that was cleared (ids restart at 1).
 * Channels are keyed with the computer so that .evtx files from several PCs
 * do not mix.
 *
 * The state advances only after the report is safely stored (commit), so a
 * report lost in between shows its events as new again: at least once,
 * never silently skipped.
 *
 * State file (untrusted: bounded, checked member by member), UTF-8 JSON:
 *   {"version": 1, "written_at": "<RFC 3339>", "report_id": "...",
 *    "channels": [{"channel": "Application", "computer": "PC1",
 *                  "last_record_id": 123, "last_time": "<RFC 3339>"}]} */
#ifndef OHC_EVENT_STATE_H
#define OHC_EVENT_STATE_H

#include <cjson/cJSON.h>

#include "error.h"

#define OHC_EVENT_STATE_MAX_BYTES (64u * 1024u)
#define OHC_EVENT_STATE_MAX_CHANNELS 64u
#define OHC_EVENT_STATE_MAX_NAME 256u /* channel and computer names, bytes */

/* Marks the events of report.facts.events (nothing when the report has no
 * events facts) against the state in state_path:
 *   - every event of every query section gets "new" (bool), each BITS
 *     transfer too (by its record_id);
 *   - facts.events.queries.<name>.new: how many of that query's events are new;
 *   - outlook_oab.summary.new_failure_count, bits_client.summary
 *     .new_failed_transfers and .new_oab_failures;
 *   - facts.events.new_events {baseline: "previous_collection" |
 *     "first_collection" | "state_unreadable", previous_collection (time of
 *     the state, or null), state_error (text or null), count}.
 * A missing file is a first collection (every event new); an unreadable or
 * malformed one is said in new_events.state_error and treated the same.
 * Never fails the report: OHC_OK, or OHC_ENOMEM (the report may then be
 * partly marked). */
int ohc_event_state_mark(cJSON *report, const char *state_path);

/* Advances the state in state_path by the events of report (marked or not)
 * and writes it atomically. Channels the report does not show keep their
 * entry; at most OHC_EVENT_STATE_MAX_CHANNELS are kept (the most recently
 * seen). Call it after the report is stored. OHC_OK or an error in err. */
int ohc_event_state_commit(const cJSON *report, const char *state_path, ohc_error *err);

#endif
