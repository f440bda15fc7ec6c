#include "probes_posix.h"

static const ohc_probe_def posix_probes[] = {
    {"host", 5000, ohc_posix_probe_host, 0},
    {"events", 20000, ohc_posix_probe_events, 0},
    /* After the others: it asks the servers of the OAB URLs they found. */
    {"oab_servers", 20000, ohc_posix_probe_oab, 2},
};

const ohc_probe_def *ohc_posix_probes(size_t *out_count)
{
    *out_count = sizeof posix_probes / sizeof posix_probes[0];
    return posix_probes;
}
