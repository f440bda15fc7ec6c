/* The service's log: a size-bounded rotating file in
 * %ProgramData%\OutlookHealthCollector\logs (what an admin, and the tests under
 * Wine, read), and the Windows Application log under the event source
 * "OutlookHealthCollector" (message table win32/messages.mc, in ohc.exe).
 *
 * One process-wide log, safe to call from any thread. Messages are one line of
 * UTF-8; callers never pass a secret (the token) into it. */
#ifndef OHC_SVCLOG_H
#define OHC_SVCLOG_H

#include <windows.h>
#include <stdint.h>

#include "error.h"
#include "log.h"

#define OHC_EVENT_SOURCE L"OutlookHealthCollector"
#define OHC_SVCLOG_MAX_BYTES (1024u * 1024u) /* per file */
#define OHC_SVCLOG_KEEP 3u /* ohc.log, ohc.log.1, ohc.log.2 */

/* Opens (appends to) dir\ohc.log, creating dir. max_bytes bounds each file;
 * `keep` files in all are kept (the oldest is deleted on rotation). */
int ohc_svclog_open(const wchar_t *dir, uint64_t max_bytes, unsigned keep, ohc_error *err);

/* Also report to the Application log (the service does; commands do not). */
void ohc_svclog_use_eventlog(int on);
/* Also print to stderr (service run --console). */
void ohc_svclog_use_console(int on);
void ohc_svclog_set_level(ohc_log_level level);

/* Writes "<UTC time> <LEVEL> <message>" to the file (when the level passes);
 * warnings and errors also go to the Application log as generic events. */
void ohc_svclog(ohc_log_level level, const char *fmt, ...) OHC_PRINTF(2, 3);

/* An event with its own message id (messages.mc) and one insertion string;
 * also written to the file. */
void ohc_svclog_event(ohc_log_level level, DWORD message_id, const char *text);

void ohc_svclog_close(void);

#endif
