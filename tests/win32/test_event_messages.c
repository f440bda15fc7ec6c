/* The event log message table is in ohc.exe, as the installer registers it
 * (EventMessageFile = ohc.exe): each message id the service reports renders
 * with its insertion string through FormatMessage, the way Event Viewer shows
 * it. (Wine's ReportEventW only traces, so the rendering side is checked.) */
#include <windows.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "ohc_messages.h"

static HMODULE exe;

static int setup(void **state)
{
    (void)state;
    const char *unix_path = getenv("OHC_EXE");
    if (unix_path == NULL)
        return -1;
    char path[MAX_PATH];
    snprintf(path, sizeof path, "Z:%s", unix_path);
    for (char *p = path; *p; p++)
        if (*p == '/')
            *p = '\\';
    exe = LoadLibraryExA(path, NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    return exe == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    FreeLibrary(exe);
    return 0;
}

static void render_n(DWORD id, const char *const *inserts, size_t count, char *out, size_t size)
{
    DWORD_PTR args[OHC_EVLOG_MAX_STRINGS] = {0};
    for (size_t i = 0; i < count && i < OHC_EVLOG_MAX_STRINGS; i++)
        args[i] = (DWORD_PTR)inserts[i];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, exe, id,
                             MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), out, (DWORD)size, (va_list *)(void *)args);
    if (n == 0)
        out[0] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
}

static void render(DWORD id, const char *insert, char *out, size_t size)
{
    render_n(id, &insert, 1, out, size);
}

static void test_messages_render(void **state)
{
    (void)state;
    static const struct {
        DWORD id;
        const char *expect;
    } cases[] = {
        {OHC_MSG_INFO, "X"},
        {OHC_MSG_WARNING, "X"},
        {OHC_MSG_ERROR, "X"},
        {OHC_MSG_SERVICE_STARTED, "The Outlook Health Collector service started: X"},
        {OHC_MSG_SERVICE_STOPPED, "The Outlook Health Collector service stopped: X"},
        {OHC_MSG_COLLECTED, "A collection finished: X"},
        {OHC_MSG_COLLECTION_FAILED, "A collection failed: X"},
        {OHC_MSG_CONFIG_IGNORED, "A configuration value was ignored: X"},
        {OHC_MSG_UPLOAD_FAILED, "A report could not be uploaded and stays in the spool: X"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[512];
        render(cases[i].id, "X", out, sizeof out);
        assert_string_equal(out, cases[i].expect);
    }
    /* severities are in the ids, as Event Viewer reads them */
    assert_int_equal(OHC_MSG_ERROR >> 30, 3);
    assert_int_equal(OHC_MSG_WARNING >> 30, 2);
    assert_int_equal(OHC_MSG_INFO >> 30, 1);
    assert_int_equal(OHC_MSG_COLLECTED & 0xFFFF, 102);
}

/* Every row of the event id table (collector/report/eventlog.c) has its
 * message in ohc.exe, with each of its insertion strings in the text. */
static void test_eventlog_table_renders(void **state)
{
    (void)state;
    size_t n = 0;
    const ohc_evlog_kind *k = ohc_evlog_kinds(&n);
    for (size_t i = 0; i < n; i++) {
        const char *inserts[OHC_EVLOG_MAX_STRINGS];
        char values[OHC_EVLOG_MAX_STRINGS][16], out[2048];
        for (size_t j = 0; j < k[i].field_count; j++) {
            snprintf(values[j], sizeof values[j], "<%s>", k[i].fields[j]);
            inserts[j] = values[j];
        }
        render_n(k[i].message_id, inserts, k[i].field_count, out, sizeof out);
        if (out[0] == '\0')
            fail_msg("event %u (%s): no message 0x%08lX in ohc.exe", (unsigned)k[i].event_id, k[i].name,
                     (unsigned long)k[i].message_id);
        for (size_t j = 0; j < k[i].field_count; j++)
            if (strstr(out, values[j]) == NULL)
                fail_msg("event %u (%s): %%%zu (%s) not in its text: %s", (unsigned)k[i].event_id, k[i].name, j + 1,
                         k[i].fields[j], out);
        assert_int_equal(k[i].message_id & 0xFFFF, k[i].event_id);
        assert_int_equal(k[i].message_id >> 30, (DWORD)k[i].type + 1);
    }
}

/* The texts as Event Viewer shows them. */
static void test_eventlog_texts(void **state)
{
    (void)state;
    char out[2048];
    const char *finding[8] = {"OAB-404",
                              "error",
                              "PC1",
                              "rep-1",
                              "OAB download fails",
                              "Outlook gets 404.",
                              "failures = 3",
                              "Recreate the OAB folder.\r\nGet-OabVirtualDirectory"};
    render_n(OHC_MSG_FINDING_ERROR, finding, 8, out, sizeof out);
    assert_string_equal(out, "OAB download fails: Outlook gets 404.\r\n"
                             "Evidence: failures = 3\r\n"
                             "First step: Recreate the OAB folder.\r\nGet-OabVirtualDirectory\r\n"
                             "Rule: OAB-404 (error). Computer: PC1. Report: rep-1.");
    const char *resolved[8] = {
        "OAB-404", "error", "PC1", "rep-2", "OAB download fails", "Outlook gets 404.", "rep-1", "2026-11-30T10:00:00Z"};
    render_n(OHC_MSG_RESOLVED, resolved, 8, out, sizeof out);
    assert_string_equal(out, "Resolved: OAB download fails (rule OAB-404, error) is no longer found.\r\n"
                             "Last found in report rep-1 (2026-11-30T10:00:00Z): Outlook gets 404.\r\n"
                             "Computer: PC1. Report: rep-2.");
    const char *summary[8] = {"problem",
                              "PC1",
                              "rep-2",
                              "2",
                              "critical 0, error 1, warning 1, info 0",
                              "1",
                              "(none)",
                              "2026-11-30T10:00:00Z"};
    render_n(OHC_MSG_SUMMARY_PROBLEM, summary, 8, out, sizeof out);
    assert_string_equal(out, "Outlook Health Collector verdict: problem. Findings: 2 (critical 0, error 1, warning 1, "
                             "info 0); resolved since the last collection: 1.\r\n"
                             "Not checked: (none)\r\n"
                             "Computer: PC1. Report: rep-2 (2026-11-30T10:00:00Z).");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_render),
        cmocka_unit_test(test_eventlog_table_renders),
        cmocka_unit_test(test_eventlog_texts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
