#include "collect.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"

#include "event_state.h"
#include "report.h"
#include "rules.h"

/* The first label of a host name ("PC042" of "PC042.contoso.com"), lower-cased into out. */
static void host_label(char *out, size_t size, const char *name)
{
    size_t n = strcspn(name, ".");
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    out[n] = '\0';
}

/* Marks each .evtx file's events as from this PC or not (local_host: true,
 * false, or null when either name is unknown): a log exported on PC042 and
 * read here must not pass for this PC's. */
static void mark_event_sources(cJSON *report)
{
    const char *host = ohc_report_str(report, "host.computer_name");
    cJSON *events = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "facts"), "events");
    cJSON *info;
    cJSON_ArrayForEach(info, cJSON_GetObjectItemCaseSensitive(events, "file_info"))
    {
        const cJSON *comps = cJSON_GetObjectItemCaseSensitive(info, "computers");
        char mine[128], theirs[128];
        int known = host != NULL && host[0] != '\0' && cJSON_GetArraySize(comps) > 0, local = 1;
        if (known)
            host_label(mine, sizeof mine, host);
        const cJSON *c;
        cJSON_ArrayForEach(c, comps)
        {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
            if (name == NULL || name[0] == '\0') {
                known = 0;
                continue;
            }
            host_label(theirs, sizeof theirs, name);
            if (known && !ohc_ascii_ieq(mine, theirs))
                local = 0;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(info, "local_host");
        if (known || !local)
            cJSON_AddBoolToObject(info, "local_host", local);
        else
            cJSON_AddNullToObject(info, "local_host");
    }
}

cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          const char *rules_dir, ohc_error *err)
{
    cJSON *report = ohc_report_collect(probes, count, options, err);
    if (report == NULL)
        return NULL;
    mark_event_sources(report);
    /* Before the rules, so that a rule can look at what is new. */
    if (options->event_state_path != NULL && ohc_event_state_mark(report, options->event_state_path) != OHC_OK) {
        ohc_error merr;
        ohc_error_set(&merr, OHC_ENOMEM, 0, "out of memory marking new events");
        ohc_report_add_error(report, "events", &merr);
    }
    /* Rule-file problems go to report.errors; a report without findings is
     * still a report, so a failure here never loses it. */
    ohc_error rerr;
    ohc_error_clear(&rerr);
    if (ohc_rules_apply(report, rules_dir, &rerr) != OHC_OK)
        ohc_report_add_error(report, "rules", &rerr);
    return report;
}
