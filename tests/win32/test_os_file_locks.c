/* The spool's file operations while another process holds a file for a
 * moment (antivirus, the indexer, a backup agent open new files without
 * FILE_SHARE_DELETE): a delete or rename is retried for about a second and
 * then succeeds; a file held longer is an error after that bound, not a hang.
 * Under Wine the sharing modes are enforced as on Windows. */
#include <windows.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "os.h"

static char dir[MAX_PATH];

struct holder {
    char path[MAX_PATH];
    DWORD hold_ms;
    HANDLE opened; /* set once the file is held */
};

static DWORD WINAPI hold(void *arg)
{
    struct holder *h = arg;
    HANDLE f = CreateFileA(h->path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    SetEvent(h->opened);
    Sleep(h->hold_ms);
    if (f != INVALID_HANDLE_VALUE)
        CloseHandle(f);
    return 0;
}

static HANDLE held(struct holder *h, const char *name, DWORD ms)
{
    snprintf(h->path, sizeof h->path, "%s\\%s", dir, name);
    assert_int_equal(ohc_os_write_file_atomic(h->path, "{}", 2, NULL), OHC_OK);
    h->hold_ms = ms;
    h->opened = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, hold, h, 0, NULL);
    assert_non_null(t);
    WaitForSingleObject(h->opened, INFINITE);
    return t;
}

static int setup(void **state)
{
    (void)state;
    char tmp[MAX_PATH];
    GetTempPathA(MAX_PATH, tmp);
    snprintf(dir, sizeof dir, "%sohc-locks-%lu", tmp, (unsigned long)GetCurrentProcessId());
    CreateDirectoryA(dir, NULL);
    return 0;
}

static void test_brief_lock_is_waited_out(void **state)
{
    (void)state;
    struct holder h;
    HANDLE t = held(&h, "a.json", 150);
    /* Wine enforces sharing: without the retry this fails at once */
    assert_int_equal(ohc_os_remove(h.path, NULL), OHC_OK);
    assert_true(GetFileAttributesA(h.path) == INVALID_FILE_ATTRIBUTES);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(h.opened);

    t = held(&h, "b.json", 150);
    char to[MAX_PATH + 8];
    snprintf(to, sizeof to, "%s.moved", h.path);
    assert_int_equal(ohc_os_rename(h.path, to, NULL), OHC_OK);
    assert_true(GetFileAttributesA(to) != INVALID_FILE_ATTRIBUTES);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(h.opened);
    DeleteFileA(to);
}

static void test_long_lock_fails_within_bound(void **state)
{
    (void)state;
    struct holder h;
    HANDLE t = held(&h, "c.json", 4000);
    ULONGLONG t0 = GetTickCount64();
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_os_remove(h.path, &err), OHC_EIO);
    ULONGLONG spent = GetTickCount64() - t0;
    assert_true(spent < 3000); /* retried for about a second, not until the lock ends */
    assert_int_equal(err.os_code, ERROR_SHARING_VIOLATION);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(h.opened);
    DeleteFileA(h.path);
    RemoveDirectoryA(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brief_lock_is_waited_out),
        cmocka_unit_test(test_long_lock_fails_within_bound),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
