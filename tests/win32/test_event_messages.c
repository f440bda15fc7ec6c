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

static void render(DWORD id, const char *insert, char *out, size_t size)
{
    DWORD_PTR args[1] = {(DWORD_PTR)insert};
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, exe, id,
                             MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), out, (DWORD)size, (va_list *)(void *)args);
    if (n == 0)
        out[0] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_render),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
