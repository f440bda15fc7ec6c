/* The configuration's registry layers against Wine's real registry: values
 * written to HKLM\SOFTWARE\Policies\OutlookHealthCollector and
 * HKLM\SOFTWARE\OutlookHealthCollector are read back with the right
 * precedence; a wrong type, an out-of-range DWORD and an over-long string are
 * ignored with a message; the keys are removed afterwards. */
#include <windows.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "platform_win32.h"

#define POLICY L"SOFTWARE\\Policies\\OutlookHealthCollector"
#define LOCAL L"SOFTWARE\\OutlookHealthCollector"

static HKEY create_key(const wchar_t *path)
{
    HKEY h = NULL;
    assert_int_equal(
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &h, NULL),
        ERROR_SUCCESS);
    return h;
}

static void set_sz(HKEY h, const wchar_t *name, const wchar_t *value)
{
    assert_int_equal(
        RegSetValueExW(h, name, 0, REG_SZ, (const BYTE *)value, (DWORD)((wcslen(value) + 1) * sizeof(wchar_t))),
        ERROR_SUCCESS);
}

static void set_dword(HKEY h, const wchar_t *name, DWORD value)
{
    assert_int_equal(RegSetValueExW(h, name, 0, REG_DWORD, (const BYTE *)&value, sizeof value), ERROR_SUCCESS);
}

static int teardown(void **state)
{
    (void)state;
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, POLICY);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, LOCAL);
    return 0;
}

struct log_capture {
    char text[4096];
    int lines;
};

static void capture(void *ctx, const char *msg)
{
    struct log_capture *c = ctx;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s\n", msg);
    c->lines++;
}

static void test_absent_keys_give_defaults(void **state)
{
    (void)state;
    teardown(NULL);
    ohc_config cfg;
    struct log_capture log = {"", 0};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load(&cfg, &ohc_win32_platform()->settings, capture, &log);
    assert_int_equal(log.lines, 0);
    for (int i = 0; i < OHC_SETTING_COUNT; i++)
        assert_int_equal(ohc_config_source(&cfg, (ohc_setting_id)i), OHC_SOURCE_DEFAULT);
    ohc_config_free(&cfg);
}

static void test_registry_precedence_and_bad_values(void **state)
{
    (void)state;
    HKEY pol = create_key(POLICY), loc = create_key(LOCAL);
    set_sz(loc, L"UploadUrl", L"https://local.example/r");
    set_sz(pol, L"UploadUrl", L"https://gpo.example/r\u00e9"); /* non-ASCII survives as UTF-8 */
    set_dword(loc, L"IntervalMinutes", 60);
    set_sz(pol, L"IntervalMinutes", L"5"); /* wrong type: local applies */
    set_dword(pol, L"StartupDelayMinutes", 0); /* 0 is allowed */
    set_dword(loc, L"SpoolMaxMB", 100000); /* out of range: default */
    set_sz(pol, L"UploadToken", L"tok-123");
    set_dword(pol, L"AllowInsecureHttp", 1);
    BYTE bin[4] = {1, 2, 3, 4};
    assert_int_equal(RegSetValueExW(loc, L"EventDays", 0, REG_BINARY, bin, sizeof bin), ERROR_SUCCESS);
    wchar_t *big = malloc((OHC_SETTING_STR_MAX + 100) * sizeof *big);
    assert_non_null(big);
    for (int i = 0; i < OHC_SETTING_STR_MAX + 99; i++)
        big[i] = L'x';
    big[OHC_SETTING_STR_MAX + 99] = 0;
    set_sz(loc, L"RulesDir", big);
    free(big);
    /* a 2-byte "DWORD" is malformed */
    assert_int_equal(RegSetValueExW(loc, L"EventDays", 0, REG_DWORD, bin, 2), ERROR_SUCCESS);
    RegCloseKey(pol);
    RegCloseKey(loc);

    ohc_config cfg;
    struct log_capture log = {"", 0};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load(&cfg, &ohc_win32_platform()->settings, capture, &log);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_URL), "https://gpo.example/r\xc3\xa9");
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_UPLOAD_URL), OHC_SOURCE_POLICY);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 60);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_INTERVAL_MINUTES), OHC_SOURCE_LOCAL);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), 0);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), OHC_SOURCE_POLICY);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_SPOOL_MAX_MB), 50);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_EVENT_DAYS), 14);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_RULES_DIR), "");
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_TOKEN), "tok-123");
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP), 1);
    assert_int_equal(log.lines, 4);
    assert_non_null(strstr(
        log.text, "IntervalMinutes in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector wrong type (registry type 1"));
    assert_non_null(strstr(log.text, "SpoolMaxMB in HKLM\\SOFTWARE\\OutlookHealthCollector 100000 is out of range"));
    assert_non_null(
        strstr(log.text, "EventDays in HKLM\\SOFTWARE\\OutlookHealthCollector wrong type (registry type 4"));
    assert_non_null(strstr(log.text, "RulesDir in HKLM\\SOFTWARE\\OutlookHealthCollector longer than"));
    assert_null(strstr(log.text, "tok-123"));
    ohc_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_absent_keys_give_defaults, teardown),
        cmocka_unit_test_teardown(test_registry_precedence_and_bad_values, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
