/* ohc_os_getenv on Windows (win32/os_win32.c): not set, set but empty (even
 * right after a failed lookup left ERROR_ENVVAR_NOT_FOUND behind), a value
 * as UTF-8, the output buffer's bound, and the 4095-unit limit. */
#include <windows.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "os.h"

static void test_getenv(void **state)
{
    (void)state;
    char buf[64];
    SetEnvironmentVariableW(L"OHC_TEST_GETENV", NULL);
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", buf, sizeof buf), OHC_ENOTFOUND);

    assert_true(SetEnvironmentVariableW(L"OHC_TEST_GETENV", L""));
    SetLastError(ERROR_ENVVAR_NOT_FOUND); /* stale, from some earlier call */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", buf, sizeof buf), OHC_OK);
    assert_string_equal(buf, "");

    /* p ä s s w o U+0308 r d €: 10 units, 14 bytes of UTF-8 */
    assert_true(SetEnvironmentVariableW(L"OHC_TEST_GETENV", L"p\x00E4sswo\x0308rd\x20AC"));
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", buf, sizeof buf), OHC_OK);
    assert_string_equal(buf, "p\xC3\xA4sswo\xCC\x88rd\xE2\x82\xAC");
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", buf, 15), OHC_OK); /* 14 with the NUL */
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", buf, 14), OHC_ELIMIT);

    /* 4095 units are read, 4096 are not. */
    static wchar_t big[4097];
    static char out[4200];
    for (size_t i = 0; i < 4096; i++)
        big[i] = L'a';
    big[4095] = 0;
    assert_true(SetEnvironmentVariableW(L"OHC_TEST_GETENV", big));
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", out, sizeof out), OHC_OK);
    assert_int_equal(strlen(out), 4095);
    big[4095] = L'a';
    big[4096] = 0;
    assert_true(SetEnvironmentVariableW(L"OHC_TEST_GETENV", big));
    assert_int_equal(ohc_os_getenv("OHC_TEST_GETENV", out, sizeof out), OHC_ELIMIT);
    SetEnvironmentVariableW(L"OHC_TEST_GETENV", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getenv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
