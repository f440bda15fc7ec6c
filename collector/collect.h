/* The one path from probes to a finished report, shared by `ohc collect` and
 * the service: the probes run, then the rules are evaluated into findings
 * and the summary. Whatever `ohc collect` adds to a report belongs
 * here so that the service's reports are the same. */
#ifndef OHC_COLLECT_H
#define OHC_COLLECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "probe.h"

/* A new report (caller frees with cJSON_Delete), or NULL with *err set.
 * The rules are those of the RulesDir setting, else the built-in pack. */
cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          ohc_error *err);

/* The same with the rules of rules_dir (`--rules DIR`); NULL as above. */
cJSON *ohc_collect_report_with_rules(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                                     const char *rules_dir, ohc_error *err);

#endif
