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
 * The rules are those of rules_dir (`--rules DIR`, the RulesDir setting:
 * the caller reads it), else (NULL) the built-in pack. */
cJSON *ohc_collect_report(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          const char *rules_dir, ohc_error *err);

#endif
