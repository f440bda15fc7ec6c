/* The one severity scale and the one verdict of a report, shared by the rule
 * evaluation (summary), the text and HTML renderers and every command's exit
 * code (`collect`, `evaluate`, the service), so that they can never disagree.
 *
 *   failed      no probe could run                                   exit 3
 *   problem     a finding of severity error or critical              exit 2
 *   warning     a warning finding                                    exit 1
 *   incomplete  nothing above info, but some checks could not run    exit 3
 *               (a probe a rule needs was unavailable, partial or failed
 *               or not collected, an input file was damaged, no rule was
 *               evaluated): UNKNOWN in the monitoring-plugin convention
 *   ok          every check ran and found nothing above info         exit 0
 *
 * A report with findings can be incomplete as well (ohc_verdict.incomplete):
 * the findings stand, and the renderers still list what was not checked. */
#ifndef OHC_VERDICT_H
#define OHC_VERDICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Severity ranks: info 0, warning 1, error 2, critical 3; -1 for anything else. */
enum { OHC_SEV_INFO = 0, OHC_SEV_WARNING = 1, OHC_SEV_ERROR = 2, OHC_SEV_CRITICAL = 3, OHC_SEV_COUNT = 4 };

int ohc_severity_rank(const char *severity);

/* "info", "warning", "error", "critical"; NULL for a rank out of range. Static. */
const char *ohc_severity_name(int rank);

typedef enum ohc_verdict_kind {
    OHC_VERDICT_OK = 0,
    OHC_VERDICT_WARNING,
    OHC_VERDICT_PROBLEM,
    OHC_VERDICT_INCOMPLETE,
    OHC_VERDICT_FAILED
} ohc_verdict_kind;

/* "ok", "warning", "problem", "incomplete", "failed" (the schema's summary.verdict). Static. */
const char *ohc_verdict_name(ohc_verdict_kind kind);

typedef struct ohc_verdict {
    ohc_verdict_kind kind;
    int worst; /* worst finding's rank, -1 when there is none */
    int counts[OHC_SEV_COUNT]; /* findings per rank */
    int incomplete; /* some checks could not run (alongside findings too) */
    size_t gaps; /* entries of summary.incomplete (1 when there is no summary) */
    size_t not_checked; /* rules that could not be fully evaluated (summary.not_checked) */
    int exit_code; /* 0, 1, 2 or 3 as above */
} ohc_verdict;

/* The verdict of a report from its probes, findings and summary. A report
 * without a summary (no rule was evaluated) is incomplete. Never fails. */
void ohc_verdict_of(ohc_verdict *out, const cJSON *report);

/* True when the collection failed as a whole: no probe, or every probe failed. */
int ohc_report_collection_failed(const cJSON *report);

/* The documented exit code of a finished report (ohc_verdict_of(...).exit_code). */
int ohc_report_exit_code(const cJSON *report);

#endif
