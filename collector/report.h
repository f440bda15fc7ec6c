/* Report v1: the JSON document ohc writes (schema: collector/schema/report-v1.schema.json).
 *
 *   schema_version, report_id (UUID v4), generated_at (UTC RFC 3339),
 *   collector {name, version, build, platform}, host, probes {name -> status},
 *   facts {probe -> facts}, findings [], errors []
 *
 * Every cJSON returned here is owned by the caller (cJSON_Delete). */
#ifndef OHC_REPORT_H
#define OHC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "probe.h"

#define OHC_REPORT_SCHEMA_VERSION 1

/* A random (version 4) UUID in lower-case text form, from the OS random source. */
int ohc_uuid_v4(char out[37], ohc_error *err);

/* "2026-11-24T20:35:25.123Z" for a time in ms since 1970 (UTC). */
void ohc_format_rfc3339_utc(char out[32], int64_t unix_ms);

/* A new report with its header filled in and empty probes, facts, findings and
 * errors. NULL with *err set on failure. */
cJSON *ohc_report_new(ohc_error *err);

/* Runs the probes into a new report (see ohc_probe_run) and copies the host
 * probe's facts to report.host. */
cJSON *ohc_report_collect(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          ohc_error *err);

/* Appends {source, message, kind, code?} to report.errors. */
void ohc_report_add_error(cJSON *report, const char *source, const ohc_error *err);

/* Serialises the report as indented JSON with a trailing newline. Caller frees. */
char *ohc_report_to_json(const cJSON *report);

/* A plain-text rendering for a console. `color` adds ANSI colours. Caller frees. */
char *ohc_report_to_text(const cJSON *report, int color);

/* Worst probe status as a collection outcome: 0 when the report is usable. */
int ohc_report_collection_failed(const cJSON *report);

#endif
