/* The probes of the native (Linux) build. */
#ifndef OHC_PROBES_POSIX_H
#define OHC_PROBES_POSIX_H

#include "probe.h"

/* The probes of this build, in report order (static table). */
const ohc_probe_def *ohc_posix_probes(size_t *out_count);

void ohc_posix_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_posix_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_posix_probe_oab(ohc_probe_output *out, const ohc_probe_context *ctx);

#endif
