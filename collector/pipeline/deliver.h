/* The one way a finished report leaves ohc, for `ohc collect`, `ohc upload`
 * and the service alike:
 *
 *   ohc_report_finish   the report rendered once, stored (each file written
 *                       atomically), put into the spool with the count of
 *                       reports the spool had to drop, shown (the caller's
 *                       print hook), and only then the event state committed,
 *                       so that a lost report shows its events as new again;
 *   ohc_spool_deliver   the spool sent to the endpoint, one line per attempt
 *                       in <spool>/upload.log (and on the console when asked),
 *                       a summary line, and what the schedule needs (reports
 *                       still waiting, the server's Retry-After).
 *
 * Messages for people go through a log hook: the CLI prints them on stderr,
 * the service writes its log. */
#ifndef OHC_DELIVER_H
#define OHC_DELIVER_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "log.h"
#include "spool.h"
#include "upload.h"

/* One message (one line, no secret). */
typedef void (*ohc_pipeline_log_fn)(void *ctx, ohc_log_level level, const char *msg);

typedef struct ohc_finish_options {
    const char *json_path; /* write the JSON here (--out, the service's last-report.json); NULL: no */
    const char *out_dir; /* write report.json and report.html here (created); NULL: no */
    ohc_spool *spool; /* put the report into this opened spool; NULL: no upload */
    const char *event_state_path; /* commit the events reported here once the report is out; NULL: no */
    /* Shows the report (stdout for `ohc collect`), after it is stored and
     * before the event state moves on. NULL: nothing. */
    void (*print)(void *ctx, const cJSON *report, const char *json);
    void *print_ctx;
    ohc_pipeline_log_fn log;
    void *log_ctx;
} ohc_finish_options;

#define OHC_FINISH_MAX_FILES 3

typedef struct ohc_finished {
    char *json; /* the report as stored; owned, free() */
    int failed; /* a file or the spool did not get the report (said through log) */
    int spooled; /* the spool holds it */
    size_t file_count;
    char *files[OHC_FINISH_MAX_FILES]; /* paths written, in order; owned (ohc_finished_free) */
} ohc_finished;

/* Runs the finishing steps above on report (which gains upload.dropped_reports
 * when spooled). Returns OHC_OK when every step succeeded, else the first
 * error (the others still ran: a report that cannot be written to one place
 * still goes to the rest). *out is always filled; free it with ohc_finished_free. */
int ohc_report_finish(ohc_finished *out, cJSON *report, const ohc_finish_options *o, ohc_error *err);
void ohc_finished_free(ohc_finished *f);

typedef struct ohc_deliver_options {
    ohc_upload_config upload; /* url, token, proxy...: its log fields are set by ohc_spool_deliver */
    FILE *console; /* each attempt also here (stderr interactively); NULL: upload.log only */
    ohc_pipeline_log_fn log;
    void *log_ctx;
} ohc_deliver_options;

typedef struct ohc_delivery {
    ohc_upload_stats stats; /* stats.retry_after_ms: the server's wish, for the next retry */
    unsigned pending; /* reports still in the spool afterwards */
    char proxy[256]; /* the proxy used, redacted ("" for direct) */
} ohc_delivery;

/* Sends every spooled report (ohc_upload_drain) with the upload log beside the
 * spool, rotated at about 1 MB (one old generation, upload.log.1). OHC_OK when
 * the spool could be read; *out says what happened. */
int ohc_spool_deliver(ohc_delivery *out, ohc_spool *sp, const ohc_deliver_options *o, ohc_error *err);

#endif
