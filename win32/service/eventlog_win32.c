#include "eventlog_win32.h"

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "ohc_messages.h"
#include "service.h"
#include "svclog.h"
#include "win32util.h"

/* The table's ids (collector/report/eventlog.c) are the message table's
 * (messages.mc); tests/win32/test_event_messages.c renders every row. */
_Static_assert(OHC_MSG_SUMMARY_OK == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_INFORMATION, 1000), "messages.mc");
_Static_assert(OHC_MSG_SUMMARY_PROBLEM == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_ERROR, 1002), "messages.mc");
_Static_assert(OHC_MSG_FINDING_WARNING == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_WARNING, 1011), "messages.mc");
_Static_assert(OHC_MSG_FINDING_CRITICAL == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_ERROR, 1013), "messages.mc");
_Static_assert(OHC_MSG_RESOLVED == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_INFORMATION, 1020), "messages.mc");
_Static_assert(OHC_MSG_STATE_UNREADABLE == OHC_EVLOG_MESSAGE_ID(OHC_EVLOG_WARNING, 1030), "messages.mc");

static WORD event_type(ohc_evlog_type type)
{
    return type == OHC_EVLOG_ERROR     ? EVENTLOG_ERROR_TYPE
           : type == OHC_EVLOG_WARNING ? EVENTLOG_WARNING_TYPE
                                       : EVENTLOG_INFORMATION_TYPE;
}

static int report_one(HANDLE source, const ohc_evlog_event *ev, ohc_error *err)
{
    wchar_t *w[OHC_EVLOG_MAX_STRINGS] = {0};
    LPCWSTR strings[OHC_EVLOG_MAX_STRINGS] = {0};
    int rc = OHC_OK;
    size_t n = ev->nstrings < OHC_EVLOG_MAX_STRINGS ? ev->nstrings : OHC_EVLOG_MAX_STRINGS;
    for (size_t i = 0; i < n && rc == OHC_OK; i++)
        if ((strings[i] = w[i] = ohc_w_from_utf8(ev->strings[i])) == NULL)
            rc = ohc_error_set(err, OHC_ENOMEM, 0, "event %u: cannot convert insertion string %zu",
                               (unsigned)ev->kind->event_id, i + 1);
    if (rc == OHC_OK &&
        !ReportEventW(source, event_type(ev->kind->type), 0, ev->kind->message_id, NULL, (WORD)n, 0, strings, NULL)) {
        DWORD e = GetLastError();
        char what[64];
        snprintf(what, sizeof what, "ReportEvent (event %u)", (unsigned)ev->kind->event_id);
        rc = ohc_win32_error(err, ohc_err_from_win32(e), e, what);
    }
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    return rc;
}

int ohc_win32_eventlog_write(size_t *out_written, const ohc_evlog_event *events, size_t count, ohc_error *err)
{
    *out_written = 0;
    HANDLE source = RegisterEventSourceW(NULL, OHC_EVENT_SOURCE);
    if (source == NULL) {
        DWORD e = GetLastError();
        return ohc_win32_error(err, ohc_err_from_win32(e), e, "RegisterEventSource(OutlookHealthCollector)");
    }
    int rc = OHC_OK;
    for (size_t i = 0; i < count && rc == OHC_OK; i++)
        if ((rc = report_one(source, &events[i], err)) == OHC_OK)
            (*out_written)++;
    DeregisterEventSource(source);
    return rc;
}

int ohc_win32_eventlog_state_path(char *buf, size_t size, ohc_error *err)
{
    wchar_t dir[MAX_PATH];
    if (ohc_win32_machine_state_dir(dir, MAX_PATH) != OHC_OK)
        return ohc_error_set(err, OHC_ENOTFOUND, 0, "cannot find %%ProgramData%%");
    char note[512];
    int rc = ohc_service_secure_dir(dir, note, sizeof note, err);
    if (rc != OHC_OK)
        return rc;
    char udir[MAX_PATH * 3];
    ohc_utf8_copy_w(udir, sizeof udir, dir, -1);
    if (snprintf(buf, size, "%s\\eventlog-state.json", udir) >= (int)size)
        return ohc_error_set(err, OHC_ELIMIT, 0, "state path too long");
    return OHC_OK;
}
