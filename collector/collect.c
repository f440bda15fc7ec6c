#include "collect.h"

#include <stdlib.h>

#include "report.h"
#include "rules.h"

cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          ohc_error *err)
{
    cJSON *report = ohc_report_collect(probes, count, options, err);
    if (report == NULL)
        return NULL;
    /* The rules of options->rules_dir, else of the RulesDir setting, else the
     * built-in pack. Rule-file problems go to report.errors; a report without
     * findings is still a report, so a failure here never loses it. */
    char *setting = options->rules_dir ? NULL : ohc_rules_dir_setting();
    ohc_error rerr;
    ohc_error_clear(&rerr);
    if (ohc_rules_apply(report, options->rules_dir ? options->rules_dir : setting, &rerr) != OHC_OK)
        ohc_report_add_error(report, "rules", &rerr);
    free(setting);
    return report;
}
