/* The wevtapi.dll test double (tests/wevtapi) catches what it exists to
 * catch: a malformed XPath, a buffer that is too small, reading past the end,
 * a handle closed twice, a handle leaked. (The double replaces the event log
 * API, which Wine does not implement; the events integration test runs the
 * real ohc.exe against it.) Loaded here straight from the build tree. */
#include <windows.h>
#include <winevt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef EVT_HANDLE(WINAPI *query_fn)(EVT_HANDLE, LPCWSTR, LPCWSTR, DWORD);
typedef BOOL(WINAPI *next_fn)(EVT_HANDLE, DWORD, EVT_HANDLE *, DWORD, DWORD, PDWORD);
typedef BOOL(WINAPI *close_fn)(EVT_HANDLE);
typedef EVT_HANDLE(WINAPI *ctx_fn)(DWORD, LPCWSTR *, DWORD);
typedef BOOL(WINAPI *render_fn)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PVOID, PDWORD, PDWORD);

static char report_path[MAX_PATH];

/* Unix path from the environment -> the Z: path Wine maps it to. */
static void winpath(char *dst, size_t size, const char *unix_path)
{
    snprintf(dst, size, "Z:%s", unix_path);
    for (char *p = dst; *p; p++)
        if (*p == '/')
            *p = '\\';
}

static FARPROC get(HMODULE dll, const char *name)
{
    FARPROC p = GetProcAddress(dll, name);
    assert_non_null(p);
    return p;
}

static void test_contract(void **state)
{
    (void)state;
    const char *dll_path = getenv("OHC_WEVTAPI_DOUBLE");
    const char *fixtures = getenv("OHC_FIXTURES");
    if (dll_path == NULL || fixtures == NULL)
        skip();
    char fixture[MAX_PATH], tmp[MAX_PATH], dllw[MAX_PATH];
    char unix_fixture[MAX_PATH];
    snprintf(unix_fixture, sizeof unix_fixture, "%s/events/field.tsv", fixtures);
    winpath(fixture, sizeof fixture, unix_fixture);
    winpath(dllw, sizeof dllw, dll_path);
    assert_true(GetTempPathA(sizeof tmp, tmp) > 0);
    snprintf(report_path, sizeof report_path, "%sohc-wevtapi-contract-%lu.txt", tmp, GetCurrentProcessId());
    DeleteFileA(report_path);
    SetEnvironmentVariableA("OHC_WEVTAPI_FIXTURE", fixture);
    SetEnvironmentVariableA("OHC_WEVTAPI_REPORT", report_path);

    HMODULE dll = LoadLibraryA(dllw);
    assert_non_null(dll);
    query_fn query;
    next_fn next;
    close_fn close;
    ctx_fn ctx;
    render_fn render;
    FARPROC p;
    p = get(dll, "EvtQuery"), memcpy(&query, &p, sizeof p);
    p = get(dll, "EvtNext"), memcpy(&next, &p, sizeof p);
    p = get(dll, "EvtClose"), memcpy(&close, &p, sizeof p);
    p = get(dll, "EvtCreateRenderContext"), memcpy(&ctx, &p, sizeof p);
    p = get(dll, "EvtRender"), memcpy(&render, &p, sizeof p);

    /* Malformed XPath: rejected, as Windows does. */
    static const wchar_t *const bad[] = {
        L"*[System[Provider[@Name='Outlook']]", /* unbalanced */
        L"*[System[(EventID=27 or)]]", /* dangling or */
        L"*[System[Provider[@Name='Outlook'] or (EventID=27)]]",
        L"Event/System",
        L"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SetLastError(0);
        assert_null(query(NULL, L"Application", bad[i], EvtQueryChannelPath));
        assert_int_equal(GetLastError(), ERROR_EVT_INVALID_QUERY);
    }
    /* A missing channel. */
    assert_null(query(NULL, L"NoSuchChannel", L"*[System[(EventID=27)]]", EvtQueryChannelPath));
    assert_int_equal(GetLastError(), ERROR_EVT_CHANNEL_NOT_FOUND);

    EVT_HANDLE q = query(NULL, L"Application",
                         L"*[System[Provider[@Name='Outlook'] and (EventID=27) and "
                         L"TimeCreated[timediff(@SystemTime) <= 1209600000]]]",
                         EvtQueryChannelPath | EvtQueryReverseDirection);
    assert_non_null(q);
    EVT_HANDLE evs[16];
    DWORD got = 0;
    assert_true(next(q, 16, evs, 1000, 0, &got));
    assert_int_equal(got, 5); /* the field fixture's Outlook events in the window */
    assert_false(next(q, 16, evs + 5, 1000, 0, &got));
    assert_int_equal(GetLastError(), ERROR_NO_MORE_ITEMS);
    assert_int_equal(got, 0);

    /* Two-call protocol: no buffer, then too small, then enough. */
    EVT_HANDLE sys = ctx(0, NULL, EvtRenderContextSystem);
    assert_non_null(sys);
    DWORD used = 0, props = 0;
    assert_false(render(sys, evs[0], EvtRenderEventValues, 0, NULL, &used, &props));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_true(used > sizeof(EVT_VARIANT) * EvtSystemPropertyIdEND);
    void *buf = malloc(used);
    DWORD need = used;
    assert_false(render(sys, evs[0], EvtRenderEventValues, need - 1, buf, &used, &props));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_true(render(sys, evs[0], EvtRenderEventValues, need, buf, &used, &props));
    assert_int_equal(props, EvtSystemPropertyIdEND);
    const EVT_VARIANT *v = buf;
    assert_int_equal(v[EvtSystemEventID].UInt16Val, 27);
    free(buf);
    /* XML is rendered without a context; with one it is a violation. */
    assert_false(render(sys, evs[0], EvtRenderEventXml, 0, NULL, &used, &props));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    /* Close all but one event (a deliberate leak), then close one twice. */
    for (int i = 0; i < 4; i++)
        assert_true(close(evs[i]));
    assert_false(close(evs[0]));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_true(close(sys));
    assert_true(close(q));
    FreeLibrary(dll); /* the double writes its report at unload */

    FILE *f = fopen(report_path, "r");
    assert_non_null(f);
    char line[256];
    int leaked = -1, violations = -1, rejected = -1, insufficient = -1;
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "handles_leaked %d", &leaked);
        sscanf(line, "violations %d", &violations);
        sscanf(line, "rejected_queries %d", &rejected);
        sscanf(line, "insufficient_buffer %d", &insufficient);
    }
    fclose(f);
    DeleteFileA(report_path);
    assert_int_equal(leaked, 1);
    assert_int_equal(violations, 2); /* XML with a context; the double close */
    assert_int_equal(rejected, 5);
    assert_int_equal(insufficient, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
