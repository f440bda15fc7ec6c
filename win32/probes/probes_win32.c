#include "probes_win32.h"

/* Report order. Budgets are wall-clock ceilings, not expectations. */
static const ohc_probe_def win32_probes[] = {
    {"host", 5000, ohc_win32_probe_host, 0},
    {"proxy", 10000, ohc_win32_probe_proxy, 0},
    {"outlook", 5000, ohc_win32_probe_outlook, 0},
    {"tls", 5000, ohc_win32_probe_tls, 0},
    {"bits", 30000, ohc_win32_probe_bits, 0},
    {"events", 20000, ohc_win32_probe_events, 0},
    {"oab_local", 10000, ohc_win32_probe_oab_local, 0},
    /* Phase 1: beside each cached answer, the outlook probe's registry values. */
    {"autodiscover", 10000, ohc_win32_probe_autodiscover, 1},
    /* Phase 2: it asks the servers of the OAB URLs the others found. */
    {"oab_servers", 20000, ohc_win32_probe_oab, 2},
};

const ohc_probe_def *ohc_win32_probes(size_t *out_count)
{
    *out_count = sizeof win32_probes / sizeof win32_probes[0];
    return win32_probes;
}
