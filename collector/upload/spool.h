/* The upload spool: store and forward, so that no report is lost.
 *
 * A report to upload is first written into the spool directory (temp file,
 * flush, rename: ohc_os_write_file_atomic) as <unix-ms>-<report_id>.json; it
 * leaves only after the server answered 2xx (ohc_spool_remove), or moves to
 * rejected/ (a 4xx other than 408/429: retrying cannot help) or quarantine/
 * (a file that is not a report). The name sorts oldest first and carries the
 * age, so the bounds (count, bytes, age: oldest dropped first) need no clock
 * other than the name's. Each report dropped to keep the bounds is counted in
 * dropped.count, which the next collected report carries (upload.dropped_reports).
 *
 * A kill at any point leaves a report either in the spool (whole: the rename
 * is atomic) or delivered; a half-written temp file is never a *.json and is
 * removed when the spool is next opened or listed, once its writer (the pid
 * in its name) no longer runs, or when it is an hour old. */
#ifndef OHC_SPOOL_H
#define OHC_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define OHC_SPOOL_PATH_MAX 1024
#define OHC_SPOOL_FILE_MAX (32u << 20) /* a bigger spool file is not a report of ours */

typedef struct ohc_spool_limits {
    uint32_t max_count; /* reports kept at most (0: default 1000) */
    uint64_t max_bytes; /* total size of the reports (0: default 50 MB) */
    uint32_t max_age_days; /* older reports are dropped (0: default 30) */
} ohc_spool_limits;

typedef struct ohc_spool {
    char dir[OHC_SPOOL_PATH_MAX];
    char sep;
    ohc_spool_limits limits;
} ohc_spool;

/* One spooled report: its file name (in spool->dir) and size. */
typedef struct ohc_spool_entry {
    char name[64];
    uint64_t size;
    int64_t created_ms;
} ohc_spool_entry;

/* Opens (and creates) the spool at dir, or at <state dir>/spool when dir is
 * NULL. limits may be NULL (defaults). *out is plain data. */
int ohc_spool_open(ohc_spool *out, const char *dir, const ohc_spool_limits *limits, ohc_error *err);

/* Removes the temp files of writers that were killed (ohc_spool_open does);
 * returns how many went. A file a live process still writes stays. */
unsigned ohc_spool_remove_orphans(ohc_spool *sp);

/* out = dir + sep + name (+ sep + name2 when name2 is not NULL). OHC_ELIMIT when too long. */
int ohc_spool_path(char *out, size_t size, const ohc_spool *sp, const char *name, const char *name2);

/* Writes a report into the spool atomically, then applies the bounds (never
 * dropping the report just added). out_name (may be NULL) receives its file
 * name; *out_dropped (may be NULL) how many older reports were dropped. */
int ohc_spool_add(ohc_spool *sp, char out_name[64], unsigned *out_dropped, const char *report_id, const void *json,
                  size_t len, ohc_error *err);

/* The spooled reports, oldest first. Files that look like reports but are
 * not named as ours are quarantined; stale temp files removed. *out is a new
 * array the caller frees with free(). */
int ohc_spool_list(ohc_spool_entry **out, size_t *out_count, ohc_spool *sp, ohc_error *err);

/* Drops the oldest reports until the bounds hold (now_ms: the current time).
 * keep_name (may be NULL) is never dropped. Adds the drops to dropped.count. */
int ohc_spool_enforce(ohc_spool *sp, int64_t now_ms, const char *keep_name, unsigned *out_dropped, ohc_error *err);

/* Deletes a delivered report. A report already gone (another drain) is OK. */
int ohc_spool_remove(ohc_spool *sp, const char *name, ohc_error *err);

/* Moves a report to the sub-directory `where` ("rejected" or "quarantine"),
 * with `note` (may be NULL: the server's answer, or why) beside it as
 * <name>.txt. */
int ohc_spool_set_aside(ohc_spool *sp, const char *name, const char *where, const char *note, ohc_error *err);

/* The number of reports dropped since the counter was last reset. */
unsigned ohc_spool_dropped(const ohc_spool *sp);

/* Subtracts n from the counter (after a report that carries n was spooled). */
void ohc_spool_dropped_consume(ohc_spool *sp, unsigned n);

/* Non-zero when name is <13 digits>-<uuid>.json. */
int ohc_spool_name_valid(const char *name);

#endif
