/* The ohc Windows service, in three layers that only call down:
 *   service_state.c  where its state lives and how the installed service is
 *                    configured (description, delayed start, recovery);
 *   service.c        the running service: SCM entry, schedule, collections
 *                    through the core's pipeline (collector/pipeline/);
 *   service_cli.c    `ohc service ...`, which manages it through the SCM and
 *                    runs it. */
#ifndef OHC_SERVICE_H
#define OHC_SERVICE_H

#include <windows.h>
#include <stddef.h>
#include <wchar.h>

#include "error.h"
#include "platform.h"

#define OHC_SERVICE_NAME L"ohc"
#define OHC_SERVICE_DISPLAY_NAME L"Outlook Health Collector"
#define OHC_SERVICE_DESCRIPTION                                                                                        \
    L"Collects why Outlook cannot download its Offline Address Book or reach Exchange, on a schedule, "                \
    L"and uploads the reports to the configured endpoint."
/* User-defined control code (128..255) that asks for a collection now. */
#define OHC_SERVICE_CONTROL_COLLECT 128
/* Set by the service each time it has written a report: `ohc service
 * collect-now --wait` waits on it. A standard user may wait on it
 * (SYNCHRONIZE for Authenticated Users) but cannot watch the state folder,
 * which only SYSTEM and Administrators may open. */
#define OHC_SERVICE_COLLECTED_EVENT L"Global\\OutlookHealthCollector-Collected"
#define OHC_SERVICE_COLLECTED_EVENT_SDDL L"D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x100000;;;AU)"

/* Creates (or opens) that event, auto-reset, with that DACL; NULL on failure. */
HANDLE ohc_service_collected_event_create(void);

/* Whether someone other than SYSTEM, Administrators or TrustedInstaller may
 * change `path` (a file or a folder): its owner (who may always rewrite the
 * DACL) or an allow ACE with a write, delete or ACL right. 1 with the reason
 * in why, 0 when only those three may, -1 when it cannot be read (why says
 * why). A service binary anyone can replace gives them LocalSystem. */
int ohc_service_path_user_writable(const wchar_t *path, char *why, size_t why_size);

/* A stop is answered within this time, mid-collection included. */
#define OHC_SERVICE_STOP_MS 5000u

/* The state directory's DACL: only SYSTEM and Administrators, full control,
 * inherited by files and subfolders; P = protected (nothing inherited from
 * ProgramData, which grants Users read): reports hold user names and proxy
 * settings. */
#define OHC_SERVICE_STATE_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

/* Creates dir with a protected DACL (SYSTEM and Administrators: full
 * control; nobody else). An existing dir owned by SYSTEM, Administrators (or
 * the elevated administrator running this) gets that DACL set on its open
 * handle; one that is a link, not a folder, or owned by anyone else (a user
 * who made it first in ProgramData) is moved aside and made anew, and note
 * says so (else ""). OHC_EACCESS when it can neither be trusted nor moved. */
int ohc_service_secure_dir(const wchar_t *dir, char *note, size_t note_size, ohc_error *err);

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
