/* Report v1: the JSON document ohc writes (schema: collector/report/schema/report-v1.schema.json).
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

#include "civil_time.h" /* ohc_format_rfc3339_utc: the form of every time in a report */
#include "error.h"
#include "probe.h"
#include "verdict.h" /* the severity scale, the verdict and the exit code */

#define OHC_REPORT_SCHEMA_VERSION 1

/* A random (version 4) UUID in lower-case text form, from the OS random source. */
int ohc_uuid_v4(char out[37], ohc_error *err);

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

/* A plain-text rendering for a console: verdict, findings by severity (message,
 * evidence, remediation steps and their commands, references), probe status,
 * errors. `color` adds ANSI colours; control characters from the report are
 * replaced so that facts cannot drive the terminal. NULL when out of memory;
 * the caller frees the result. */
char *ohc_report_to_text(const cJSON *report, int color);

/* One self-contained HTML page for a ticket (collector/report/report_html.c): inline
 * CSS, no script, no external resource, a Content-Security-Policy that forbids
 * fetching anything, every value HTML-escaped. NULL when out of memory; the
 * caller frees the result. */
char *ohc_report_to_html(const cJSON *report);

/* Helpers the renderers share. */

/* One line on the events marked new (event_state.h), e.g. "2 event(s) since
 * the report of <time>: 1 Outlook Event 27 failure(s), 0 failed BITS
 * transfer(s)", into out (always terminated, truncated to size). 0 and out
 * untouched when the report's events were not marked. */
int ohc_report_new_events_summary(char *out, size_t size, const cJSON *report);

/* One line on an .evtx file the events came from (an item of
 * facts.events.file_info): "FILE: N events from COMPUTER, FIRST to LAST",
 * then what is wrong with it (another PC's log, damage, not read to the end).
 * *out_warn is set when the technician must be warned. Truncated to size. */
void ohc_report_event_source_line(char *out, size_t size, const cJSON *info, int *out_warn);

/* The value at a dotted path of object keys ("host.os.version"), or NULL when
 * absent. Borrowed from obj. */
const cJSON *ohc_report_get(const cJSON *obj, const char *path);

/* The string at a dotted path of object keys, or NULL when absent or not a
 * string. Borrowed from obj. */
const char *ohc_report_str(const cJSON *obj, const char *path);

/* The findings, worst severity first, rule order kept within a severity. A new
 * array of borrowed pointers (caller frees the array with free()); NULL when out
 * of memory. */
const cJSON **ohc_report_sorted_findings(const cJSON *report, size_t *out_count);

/* The title of the finding most likely to be the cause: the first of the
 * sorted findings (ohc_report_sorted_findings) when it is a warning or worse;
 * NULL otherwise. Borrowed. */
const char *ohc_report_likely_cause(const cJSON **sorted, size_t count);

/* A scalar as text ("null", "true", "42", the string itself); arrays and
 * objects as compact JSON. Truncated to size. */
void ohc_report_scalar_text(char *out, size_t size, const cJSON *v);

/* How evidence reads in text and HTML: the items of a value, plain. A string
 * as it is; a number or boolean as text; null and [] give no item (the
 * caller shows "(none)"); an object "key: value, key: value"; an array its
 * distinct items in order, each once with " (N times)" when repeated, at most
 * OHC_REPORT_EVIDENCE_ITEMS and then "and N more". *out is a new array of
 * *out_count strings (free each and the array; ohc_report_plain_items_free);
 * OHC_ENOMEM. JSON keeps the values as they are. */
#define OHC_REPORT_EVIDENCE_ITEMS 20
int ohc_report_plain_items(char ***out, size_t *out_count, const cJSON *v);
void ohc_report_plain_items_free(char **items, size_t count);

/* The label a rule gave an evidence item (finding.evidence_labels), or NULL
 * when it gave none; "" means the item feeds commands only and is not shown. */
const char *ohc_report_evidence_label(const cJSON *finding, const char *name);

/* An evidence item's name: its "fact", "path" or "name" member. Borrowed. */
const char *ohc_report_evidence_name(const cJSON *item);

/* A remediation step is a string or an object with text (or step/description/
 * title) and command (a string) or commands (an array of strings). Borrowed. */
const char *ohc_report_step_text(const cJSON *step);
const cJSON *ohc_report_step_commands(const cJSON *step);

#endif
