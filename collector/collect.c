#include "collect.h"

#include "report.h"

cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          ohc_error *err)
{
    return ohc_report_collect(probes, count, options, err);
}
