/* The probes of ohc.exe. Each probe's OS half lives in its own probe_*.c. */
#ifndef OHC_PROBES_WIN32_H
#define OHC_PROBES_WIN32_H

#include "probe.h"

/* The real Windows version (RtlGetVersion: GetVersionEx lies to programs
 * without a manifest). 1 and the three numbers set, or 0 with them unchanged. */
int ohc_win32_os_version(int64_t *out_major, int64_t *out_minor, int64_t *out_build);

/* The probes of ohc.exe, in report order (static table). */
const ohc_probe_def *ohc_win32_probes(size_t *out_count);

void ohc_win32_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_proxy(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_outlook(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_bits(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_tls(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_autodiscover(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_oab_local(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_oab(ohc_probe_output *out, const ohc_probe_context *ctx);

#endif
