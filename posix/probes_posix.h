/* The probes of the native (Linux) build. */
#ifndef OHC_PROBES_POSIX_H
#define OHC_PROBES_POSIX_H

#include "probe.h"

void ohc_posix_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_posix_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx);

#endif
