/* The probes of ohc.exe. Each probe's OS half lives in its own probe_*.c. */
#ifndef OHC_PROBES_WIN32_H
#define OHC_PROBES_WIN32_H

#include "probe.h"

void ohc_win32_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_proxy(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_outlook(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_bits(ohc_probe_output *out, const ohc_probe_context *ctx);
void ohc_win32_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx);

/* True when ohc.exe was started by the service control manager. */
int ohc_win32_running_as_service(void);

#endif
