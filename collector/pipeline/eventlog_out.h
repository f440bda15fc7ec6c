/* A finished report's findings into the Windows Application log (the
 * service after each collection when EventLogFindings is 1, `ohc collect
 * --eventlog`), with the state of the last collection's findings in a file:
 *
 *   1. read the state (missing: no earlier collection; damaged or unreadable:
 *      said through log and in a STATE_DAMAGED event, the file moved aside to
 *      <state>.damaged so that nothing is lost, and no "resolved" events this
 *      time);
 *   2. the events (collector/report/eventlog.h) written through write, in order;
 *   3. only when every event was written, the next state stored atomically, so
 *      that a "resolved" event is written once and never skipped.
 *
 * The report itself is never held back by any of this: it is already out. */
#ifndef OHC_EVENTLOG_OUT_H
#define OHC_EVENTLOG_OUT_H

#include <cjson/cJSON.h>

#include "deliver.h"
#include "error.h"
#include "eventlog.h"

/* Writes count events under ohc's event source, in order, stopping at the
 * first that fails. *out_written: how many were written. OHC_OK when all were. */
typedef int (*ohc_evlog_write_fn)(size_t *out_written, const ohc_evlog_event *events, size_t count, ohc_error *err);

typedef struct ohc_eventlog_options {
    const char *state_path; /* the state file (the service's: <state dir>\eventlog-state.json) */
    ohc_evlog_write_fn write;
    ohc_pipeline_log_fn log; /* messages for people; NULL: none */
    void *log_ctx;
} ohc_eventlog_options;

typedef struct ohc_eventlog_result {
    size_t written; /* events written */
    size_t findings, resolved; /* of them: finding and resolved events */
    int state_problem; /* the state could not be read (said through log) */
    int state_saved; /* the next state is stored */
} ohc_eventlog_result;

/* OHC_OK when every event was written and the state stored; else the first
 * error in err (said through log too). *out is always filled. */
int ohc_report_to_eventlog(ohc_eventlog_result *out, const cJSON *report, const ohc_eventlog_options *o,
                           ohc_error *err);

#endif
