/* The Windows half of findings in the Application log
 * (collector/pipeline/eventlog_out.h): ReportEventW under ohc's event source,
 * whose message file (ohc.exe, messages.mc) the MSI and `ohc service install`
 * register. */
#ifndef OHC_EVENTLOG_WIN32_H
#define OHC_EVENTLOG_WIN32_H

#include <stddef.h>

#include "error.h"
#include "eventlog.h"

/* ohc_evlog_write_fn: RegisterEventSourceW(NULL, "OutlookHealthCollector"),
 * one ReportEventW per event (type from the kind, id = kind->message_id, the
 * insertion strings as UTF-16), DeregisterEventSource. */
int ohc_win32_eventlog_write(size_t *out_written, const ohc_evlog_event *events, size_t count, ohc_error *err);

/* <%ProgramData%\OutlookHealthCollector>\eventlog-state.json into buf, the
 * folder created with the service's DACL (SYSTEM and Administrators): the one
 * state the service and an elevated `ohc collect --eventlog` share, as they
 * share the Application log. OHC_EACCESS without elevation. */
int ohc_win32_eventlog_state_path(char *buf, size_t size, ohc_error *err);

#endif
