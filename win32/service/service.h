/* The ohc Windows service, in three layers that only call down:
 *   service_state.c  where its state lives and how the installed service is
 *                    configured (description, delayed start, recovery);
 *   service.c        the running service: SCM entry, schedule, collections
 *                    through the core's pipeline (collector/pipeline/);
 *   service_cli.c    `ohc service ...`, which manages it through the SCM and
 *                    runs it. */
#ifndef OHC_SERVICE_H
#define OHC_SERVICE_H

#include <stddef.h>
#include <wchar.h>

#include "error.h"
#include "platform.h"

#define OHC_SERVICE_NAME L"ohc"
#define OHC_SERVICE_DISPLAY_NAME L"Outlook Health Collector"
#define OHC_SERVICE_DESCRIPTION                                                                                        \
    L"Collects why Outlook cannot download its Offline Address Book or reach Exchange, on a schedule, "                \
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

/* The SCM entry point (`ohc service run`); returns when the service stopped.
 * platform (main's: probes, settings store, proxy) is borrowed until then. */
int ohc_service_run_dispatcher(const ohc_platform *platform, ohc_error *err);
/* The same loop in the console, Ctrl+C stops it (`ohc service run --console`). */
int ohc_service_run_console(const ohc_platform *platform, ohc_error *err);

/* `ohc service ...` (service_cli.c): install, uninstall, start, stop,
 * status, collect-now, run. A platform command (ohc_command). */
int ohc_service_cmd(int argc, char **argv, const ohc_platform *platform);

/* Sets description, delayed automatic start and restart-on-failure on the
 * installed service "ohc" (called by install, and by the service at start). */
int ohc_service_configure_self(ohc_error *err);

#endif
