#include "collect.h"

#include <stdlib.h>

#include "event_state.h"
#include "report.h"
#include "rules.h"

cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          const char *rules_dir, ohc_error *err)
{
    cJSON *report = ohc_report_collect(probes, count, options, err);
    if (report == NULL)
        return NULL;
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
