/* The configuration key's DACL under Wine's real registry and security API.
 * HKLM\SOFTWARE\OutlookHealthCollector holds UploadToken: ohc gives it a
 * protected DACL of SYSTEM and Administrators only. Checked by reading the
 * DACL back (regacl_check.h: exactly those two, full control, protected) and
 * by reading a value as a non-elevated process would (the token's
 * Administrators group deny-only): allowed under the default ACL, denied
 * after. For a new key, for a key that existed with Everyone: full control,
 * and through ohc_win32_settings_write (`ohc config set`) on the real key.
 * Wine keeps a key's security descriptor while its wineserver runs and does
 * not save it to system.reg (measured): the service applies it at every start. */
#include <windows.h>
#include <sddl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "regacl_check.h"
#include "settings.h"
#include "settings_win32.h"

#define LOCAL L"SOFTWARE\\OutlookHealthCollector"

static wchar_t scratch[128];

static int setup(void **state)
{
    (void)state;
    _snwprintf(scratch, 128, L"SOFTWARE\\ohc-test-acl-%lu", (unsigned long)GetCurrentProcessId());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, scratch, KEY_WOW64_64KEY, 0);
    return 0;
}

static HKEY open_key(const wchar_t *path, REGSAM access)
{
    HKEY h = NULL;
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, access | KEY_WOW64_64KEY, &h), ERROR_SUCCESS);
    return h;
}

/* NULL when the key's DACL is exactly the hardened one; prints it either way. */
static const char *problem_of(const wchar_t *path, char *buf, size_t size)
{
    HKEY h = open_key(path, READ_CONTROL);
    char sddl[1024];
    regacl_sddl(h, sddl, sizeof sddl);
    const char *p = regacl_problem(h, buf, size);
    RegCloseKey(h);
    printf("  %ls: %s%s%s\n", path, sddl, p ? " -> " : " -> ok", p ? p : "");
    return p;
}

static void create_with(const wchar_t *path, const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    HKEY h;
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL));
    assert_int_equal(
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &h, NULL),
        ERROR_SUCCESS);
    assert_int_equal(RegSetKeySecurity(h, DACL_SECURITY_INFORMATION, sd), ERROR_SUCCESS);
    const wchar_t secret[] = L"not-for-users";
    assert_int_equal(RegSetValueExW(h, L"UploadToken", 0, REG_SZ, (const BYTE *)secret, sizeof secret), ERROR_SUCCESS);
    RegCloseKey(h);
    LocalFree(sd);
}

/* The elevated process (the test) still reads and writes the key. */
static void admin_reads_and_writes(const wchar_t *path)
{
    HKEY h = open_key(path, KEY_QUERY_VALUE | KEY_SET_VALUE);
    wchar_t buf[64];
    DWORD size = sizeof buf;
    assert_int_equal(RegQueryValueExW(h, L"UploadToken", NULL, NULL, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(h, L"UploadToken", 0, REG_SZ, (const BYTE *)buf, size), ERROR_SUCCESS);
    RegCloseKey(h);
}

static void test_default_acl_fails(void **state)
{
    (void)state;
    /* A key as reg.exe or an installer makes it: the check must reject it,
     * and the non-elevated read must succeed, else the tests below prove nothing. */
    HKEY h;
    assert_int_equal(
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, scratch, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &h, NULL),
        ERROR_SUCCESS);
    const wchar_t secret[] = L"not-for-users";
    assert_int_equal(RegSetValueExW(h, L"UploadToken", 0, REG_SZ, (const BYTE *)secret, sizeof secret), ERROR_SUCCESS);
    RegCloseKey(h);
    char buf[512];
    assert_non_null(problem_of(scratch, buf, sizeof buf));
    assert_int_equal(regacl_read_unelevated(scratch, L"UploadToken"), ERROR_SUCCESS);
    /* Users read explicitly, as Windows' HKLM\SOFTWARE passes it on. */
    create_with(scratch, L"D:(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)");
    assert_non_null(problem_of(scratch, buf, sizeof buf));
    assert_int_equal(regacl_read_unelevated(scratch, L"UploadToken"), ERROR_SUCCESS);
    /* SYSTEM and Administrators but not protected: rejected too. */
    create_with(scratch, L"D:(A;CI;KA;;;SY)(A;CI;KA;;;BA)");
    assert_non_null(strstr(problem_of(scratch, buf, sizeof buf), "not protected"));
    /* Protected, but with Users or Everyone: rejected. */
    create_with(scratch, L"D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)");
    assert_non_null(strstr(problem_of(scratch, buf, sizeof buf), "3 entries"));
    create_with(scratch, L"D:P(A;CI;KA;;;SY)(A;CI;KR;;;WD)");
    assert_non_null(strstr(problem_of(scratch, buf, sizeof buf), "grants access to S-1-1-0"));
}

static void test_existing_key_everyone(void **state)
{
    (void)state;
    create_with(scratch, L"D:(A;CI;KA;;;WD)(A;CI;KR;;;BU)");
    assert_int_equal(regacl_read_unelevated(scratch, L"UploadToken"), ERROR_SUCCESS);
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_win32_secure_reg_key(HKEY_LOCAL_MACHINE, scratch, &err), OHC_OK);
    char buf[512];
    assert_null(problem_of(scratch, buf, sizeof buf));
    assert_int_equal(regacl_read_unelevated(scratch, L"UploadToken"), ERROR_ACCESS_DENIED);
    admin_reads_and_writes(scratch);
    /* Applying it again changes nothing. */
    assert_int_equal(ohc_win32_secure_reg_key(HKEY_LOCAL_MACHINE, scratch, &err), OHC_OK);
    assert_null(problem_of(scratch, buf, sizeof buf));
}

static void test_new_key(void **state)
{
    (void)state;
    HKEY h;
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, scratch, 0, KEY_READ | KEY_WOW64_64KEY, &h),
                     ERROR_FILE_NOT_FOUND);
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_win32_secure_reg_key(HKEY_LOCAL_MACHINE, scratch, &err), OHC_OK);
    char buf[512];
    assert_null(problem_of(scratch, buf, sizeof buf));
    h = open_key(scratch, KEY_SET_VALUE);
    const wchar_t secret[] = L"not-for-users";
    assert_int_equal(RegSetValueExW(h, L"UploadToken", 0, REG_SZ, (const BYTE *)secret, sizeof secret), ERROR_SUCCESS);
    RegCloseKey(h);
    assert_int_equal(regacl_read_unelevated(scratch, L"UploadToken"), ERROR_ACCESS_DENIED);
}

/* `ohc config set UploadToken=...` writes through ohc_win32_settings_write. */
static void test_config_set_path(void **state)
{
    (void)state;
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, LOCAL, KEY_WOW64_64KEY, 0);
    create_with(LOCAL, L"D:(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)");
    char buf[512];
    assert_non_null(problem_of(LOCAL, buf, sizeof buf));
    ohc_raw_value v;
    memset(&v, 0, sizeof v);
    v.type = OHC_RAW_STRING;
    snprintf(v.str, sizeof v.str, "%s", "token-from-config-set");
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_win32_settings_write("UploadToken", &v, &err), OHC_OK);
    assert_null(problem_of(LOCAL, buf, sizeof buf));
    assert_int_equal(regacl_read_unelevated(LOCAL, L"UploadToken"), ERROR_ACCESS_DENIED);
    /* The value is there for the service (and the elevated reader). */
    ohc_raw_value back;
    memset(&back, 0, sizeof back);
    assert_int_equal(ohc_win32_settings_read(&back, NULL, OHC_SOURCE_LOCAL, "UploadToken", &err), OHC_OK);
    assert_string_equal(back.str, "token-from-config-set");
    assert_int_equal(ohc_win32_secure_config_key(&err), OHC_OK);
    assert_null(problem_of(LOCAL, buf, sizeof buf));
    assert_int_equal(RegDeleteKeyExW(HKEY_LOCAL_MACHINE, LOCAL, KEY_WOW64_64KEY, 0), ERROR_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_acl_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_key_everyone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_key, setup, teardown),
        cmocka_unit_test(test_config_set_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
