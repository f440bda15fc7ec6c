/* The ohc Windows service: names, the SCM entry point and the management
 * commands (win32/service.c runs it, win32/service_scm.c manages it). */
#ifndef OHC_SERVICE_H
#define OHC_SERVICE_H

#include <stddef.h>
#include <wchar.h>

#include "error.h"
#include "settings.h"

#define OHC_SERVICE_NAME L"ohc"
#define OHC_SERVICE_DISPLAY_NAME L"Outlook Health Collector"
#define OHC_SERVICE_DESCRIPTION                                                                                    \
    L"Collects why Outlook cannot download its Offline Address Book or reach Exchange, on a schedule, "            \
    L"and uploads the reports to the configured endpoint."
#define OHC_SERVICE_STATE_NAME L"OutlookHealthCollector"
/* User-defined control code (128..255) that asks for a collection now. */
#define OHC_SERVICE_CONTROL_COLLECT 128
/* A stop is answered within this time, mid-collection included. */
#define OHC_SERVICE_STOP_MS 5000u

/* %ProgramData%\OutlookHealthCollector into out (size in wchar_t). */
int ohc_service_state_dir(wchar_t *out, size_t size);

/* The state directory's DACL: only SYSTEM and Administrators, full control,
 * inherited by files and subfolders; P = protected (nothing inherited from
 * ProgramData, which grants Users read): reports hold user names and proxy
 * settings. */
#define OHC_SERVICE_STATE_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

/* Creates dir with a protected DACL (SYSTEM and Administrators: full
 * control; nobody else), or enforces that DACL on an existing dir. */
int ohc_service_secure_dir(const wchar_t *dir, ohc_error *err);

/* The SCM entry point (`ohc service run`); returns when the service stopped. */
int ohc_service_run_dispatcher(ohc_error *err);
/* The same loop in the console, Ctrl+C stops it (`ohc service run --console`). */
int ohc_service_run_console(ohc_error *err);

/* Sets description, delayed automatic start and restart-on-failure on the
 * installed service "ohc" (called by install, and by the service at start). */
int ohc_service_configure_self(ohc_error *err);

/* Hands a finished report (JSON text, borrowed) to the upload code; sets
 * *out_pending when reports wait in the spool and *out_retry_after_ms to the
 * upload code's backoff. state_dir is the UTF-8 state directory. */
int ohc_service_deliver(const ohc_config *cfg, const char *state_dir, const char *json, int *out_pending,
                        uint64_t *out_retry_after_ms);
/* Retries the spool between collections (same outputs). */
int ohc_service_retry_spool(const ohc_config *cfg, const char *state_dir, int *out_pending,
                            uint64_t *out_retry_after_ms);

#endif
