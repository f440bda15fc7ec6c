#include "verdict.h"

#include <string.h>

static const char *const severity_names[OHC_SEV_COUNT] = {"info", "warning", "error", "critical"};

int ohc_severity_rank(const char *severity)
{
    for (int i = 0; severity != NULL && i < OHC_SEV_COUNT; i++)
        if (strcmp(severity, severity_names[i]) == 0)
            return i;
    return -1;
}

const char *ohc_severity_name(int rank)
{
    return rank >= 0 && rank < OHC_SEV_COUNT ? severity_names[rank] : NULL;
}

const char *ohc_verdict_name(ohc_verdict_kind kind)
{
    switch (kind) {
    case OHC_VERDICT_OK: return "ok";
    case OHC_VERDICT_WARNING: return "warning";
    case OHC_VERDICT_PROBLEM: return "problem";
    case OHC_VERDICT_INCOMPLETE: return "incomplete";
    case OHC_VERDICT_FAILED: return "failed";
    }
    return "failed";
}

int ohc_report_collection_failed(const cJSON *report)
{
    const cJSON *probes = cJSON_GetObjectItemCaseSensitive(report, "probes");
    const cJSON *p;
    int any = 0, all_failed = 1;
    cJSON_ArrayForEach(p, probes)
    {
        any = 1;
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "status");
        if (!cJSON_IsString(st) || strcmp(st->valuestring, "failed") != 0)
            all_failed = 0;
    }
    return !any || all_failed;
}

void ohc_verdict_of(ohc_verdict *out, const cJSON *report)
{
    memset(out, 0, sizeof *out);
    out->worst = -1;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings"))
    {
        int r = ohc_severity_rank(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "severity")));
        if (r < 0)
            continue;
        out->counts[r]++;
        if (r > out->worst)
            out->worst = r;
    }
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(report, "summary");
    if (!cJSON_IsObject(summary)) {
        out->gaps = 1; /* no rule was evaluated: nothing was checked */
    } else {
        const cJSON *gaps = cJSON_GetObjectItemCaseSensitive(summary, "incomplete");
        const cJSON *evaluated = cJSON_GetObjectItemCaseSensitive(summary, "rules_evaluated");
        out->gaps = cJSON_IsArray(gaps) ? (size_t)cJSON_GetArraySize(gaps) : 0;
        if (!cJSON_IsNumber(evaluated) || evaluated->valuedouble < 1)
            out->gaps += out->gaps == 0; /* an old summary without the list, or no rule */
        const cJSON *nc = cJSON_GetObjectItemCaseSensitive(summary, "not_checked");
        out->not_checked = cJSON_IsArray(nc) ? (size_t)cJSON_GetArraySize(nc) : 0;
    }
    out->incomplete = out->gaps > 0;
    if (ohc_report_collection_failed(report)) {
        out->kind = OHC_VERDICT_FAILED;
        out->exit_code = 3;
    } else if (out->worst >= OHC_SEV_ERROR) {
        out->kind = OHC_VERDICT_PROBLEM;
        out->exit_code = 2;
    } else if (out->worst == OHC_SEV_WARNING) {
        out->kind = OHC_VERDICT_WARNING;
        out->exit_code = 1;
    } else if (out->incomplete) {
        out->kind = OHC_VERDICT_INCOMPLETE;
        out->exit_code = 3;
    } else {
        out->kind = OHC_VERDICT_OK;
        out->exit_code = 0;
    }
}

int ohc_report_exit_code(const cJSON *report)
{
    ohc_verdict v;
    ohc_verdict_of(&v, report);
    return v.exit_code;
}
