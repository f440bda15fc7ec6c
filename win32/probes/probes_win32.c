#include "probes_win32.h"

/* Report order. Budgets are wall-clock ceilings, not expectations. */
static const ohc_probe_def win32_probes[] = {
    {"host", 5000, ohc_win32_probe_host},       {"proxy", 10000, ohc_win32_probe_proxy},
    {"outlook", 5000, ohc_win32_probe_outlook}, {"bits", 30000, ohc_win32_probe_bits},
    {"events", 20000, ohc_win32_probe_events},
};

const ohc_probe_def *ohc_win32_probes(size_t *out_count)
{
    *out_count = sizeof win32_probes / sizeof win32_probes[0];
    return win32_probes;
}
