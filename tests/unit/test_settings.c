/* The settings table and the precedence flags > policy > local > default,
 * with bad registry values (wrong type, out of range, too long) ignored and
 * logged. The registry layers are a table-driven fake here (the real registry
 * is exercised by tests/win32/test_settings_registry.c under Wine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

struct fake_value {
    ohc_setting_source layer;
    const char *name;
    ohc_raw_type type;
    uint32_t dword;
    const char *str;
    int read_error;
};

struct fake {
    const struct fake_value *values;
    size_t count;
};

static int fake_read(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name, ohc_error *err)
{
    const struct fake *f = ctx;
    for (size_t i = 0; i < f->count; i++) {
        const struct fake_value *v = &f->values[i];
        if (v->layer != layer || strcmp(v->name, name) != 0)
            continue;
        if (v->read_error == 1)
            return ohc_error_set(err, OHC_EIO, 1117, "the value could not be read");
        if (v->read_error == 2) /* the key: every value of the layer is refused */
            return ohc_error_set(err, OHC_EACCESS, 5, "RegOpenKeyEx: access denied");
        out->type = v->type;
        out->dword = v->dword;
        out->os_type = v->type == OHC_RAW_DWORD ? 4 : v->type == OHC_RAW_STRING ? 1 : 3;
        if (v->str) {
            size_t n = strlen(v->str);
            out->truncated = n > OHC_SETTING_STR_MAX;
            memcpy(out->str, v->str, out->truncated ? OHC_SETTING_STR_MAX : n);
        }
        return OHC_OK;
    }
    return OHC_ENOTFOUND;
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

static void test_table_is_consistent(void **state)
{
    (void)state;
    size_t n;
    const ohc_setting_def *t = ohc_settings_table(&n);
    assert_int_equal(n, OHC_SETTING_COUNT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].id, (ohc_setting_id)i);
        assert_non_null(t[i].description);
        assert_ptr_equal(ohc_settings_find(t[i].name), &t[i]);
        if (t[i].type == OHC_SETTING_NUMBER || t[i].type == OHC_SETTING_BOOL) {
            assert_true(t[i].min <= t[i].default_num && t[i].default_num <= t[i].max);
        } else {
            assert_non_null(t[i].default_str);
        }
    }
    /* the minimums */
    assert_int_equal(ohc_settings_find("IntervalMinutes")->min, 1);
    assert_int_equal(ohc_settings_find("StartupDelayMinutes")->min, 0);
    assert_int_equal(ohc_settings_find("intervalminutes")->id, OHC_SET_INTERVAL_MINUTES);
    assert_null(ohc_settings_find("NoSuchSetting"));
}

static void test_defaults(void **state)
{
    (void)state;
    ohc_config cfg;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 240);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), 5);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_EVENT_DAYS), 14);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP), 0);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_URL), "");
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_LOG_LEVEL), "info");
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_UPLOAD_URL), OHC_SOURCE_DEFAULT);
    ohc_config_free(&cfg);
}

static void test_precedence(void **state)
{
    (void)state;
    static const struct fake_value vals[] = {
        {OHC_SOURCE_LOCAL, "UploadUrl", OHC_RAW_STRING, 0, "https://local.example/r", 0},
        {OHC_SOURCE_POLICY, "UploadUrl", OHC_RAW_STRING, 0, "https://gpo.example/r", 0},
        {OHC_SOURCE_LOCAL, "IntervalMinutes", OHC_RAW_DWORD, 60, NULL, 0},
        {OHC_SOURCE_LOCAL, "EventDays", OHC_RAW_DWORD, 30, NULL, 0},
        {OHC_SOURCE_POLICY, "EventDays", OHC_RAW_DWORD, 7, NULL, 0},
        {OHC_SOURCE_POLICY, "LogLevel", OHC_RAW_STRING, 0, "DEBUG", 0},
        {OHC_SOURCE_POLICY, "AllowInsecureHttp", OHC_RAW_DWORD, 1, NULL, 0},
    };
    struct fake f = {vals, sizeof vals / sizeof vals[0]};
    struct log_capture log = {"", 0};
    ohc_config cfg;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    assert_int_equal(ohc_config_set_flag(&cfg, OHC_SET_EVENT_DAYS, "3", NULL), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &f, capture, &log);
    assert_int_equal(log.lines, 0);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_URL), "https://gpo.example/r");
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_UPLOAD_URL), OHC_SOURCE_POLICY);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 60);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_INTERVAL_MINUTES), OHC_SOURCE_LOCAL);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_EVENT_DAYS), 3); /* flag beats policy */
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_DAYS), OHC_SOURCE_FLAG);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_LOG_LEVEL), "debug"); /* canonical spelling */
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP), 1);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_SPOOL_MAX_MB), OHC_SOURCE_DEFAULT);
    /* a flag set after loading still wins */
    assert_int_equal(ohc_config_set_flag(&cfg, OHC_SET_UPLOAD_URL, "https://flag.example/", NULL), OHC_OK);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_URL), "https://flag.example/");
    ohc_config_free(&cfg);
}

static void test_bad_values_are_logged_and_ignored(void **state)
{
    (void)state;
    static char long_str[OHC_SETTING_STR_MAX + 10];
    memset(long_str, 'a', sizeof long_str - 1);
    long_str[sizeof long_str - 1] = '\0';
    const struct fake_value vals[] = {
        /* wrong type in policy; the local value applies */
        {OHC_SOURCE_POLICY, "IntervalMinutes", OHC_RAW_STRING, 0, "60", 0},
        {OHC_SOURCE_LOCAL, "IntervalMinutes", OHC_RAW_DWORD, 90, NULL, 0},
        /* out of range: minimum is 1; nothing below, so the default */
        {OHC_SOURCE_POLICY, "StartupDelayMinutes", OHC_RAW_DWORD, 99999, NULL, 0},
        {OHC_SOURCE_LOCAL, "SpoolMaxMB", OHC_RAW_DWORD, 0, NULL, 0},
        {OHC_SOURCE_LOCAL, "AllowInsecureHttp", OHC_RAW_DWORD, 2, NULL, 0},
        {OHC_SOURCE_LOCAL, "LogLevel", OHC_RAW_STRING, 0, "verbose", 0},
        {OHC_SOURCE_LOCAL, "RulesDir", OHC_RAW_STRING, 0, long_str, 0},
        {OHC_SOURCE_LOCAL, "EventDays", OHC_RAW_OTHER, 0, NULL, 0},
        {OHC_SOURCE_POLICY, "UploadUrl", OHC_RAW_STRING, 0, NULL, 1},
        {OHC_SOURCE_LOCAL, "UploadToken", OHC_RAW_DWORD, 1234, NULL, 0},
        {OHC_SOURCE_LOCAL, "UploadUrl", OHC_RAW_STRING, 0, "https://x/\r\nInjected: 1", 0},
    };
    struct fake f = {vals, sizeof vals / sizeof vals[0]};
    struct log_capture log = {"", 0};
    ohc_config cfg;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &f, capture, &log);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 90);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_INTERVAL_MINUTES), OHC_SOURCE_LOCAL);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), 5);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), OHC_SOURCE_DEFAULT);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_SPOOL_MAX_MB), 50);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP), 0);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_LOG_LEVEL), "info");
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_RULES_DIR), "");
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_EVENT_DAYS), 14);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_URL), "");
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_TOKEN), "");
    /* each problem is logged with its source */
    assert_int_equal(log.lines, 10);
    assert_non_null(strstr(log.text, "IntervalMinutes in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector wrong type"));
    assert_non_null(strstr(
        log.text,
        "StartupDelayMinutes in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector 99999 is out of range 0..1440"));
    assert_non_null(strstr(log.text, "SpoolMaxMB in HKLM\\SOFTWARE\\OutlookHealthCollector 0 is out of range"));
    assert_non_null(strstr(log.text, "'verbose' is not one of"));
    assert_non_null(strstr(log.text, "RulesDir in HKLM\\SOFTWARE\\OutlookHealthCollector longer than"));
    assert_non_null(strstr(
        log.text,
        "UploadUrl in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector cannot be read: the value could not be read"));
    assert_non_null(strstr(log.text, "control characters"));
    assert_non_null(cfg.v[OHC_SET_SPOOL_MAX_MB].note[0] ? cfg.v[OHC_SET_SPOOL_MAX_MB].note : NULL);
    ohc_config_free(&cfg);
}

/* A layer that refuses access (the hardened local key, read without
 * elevation) is said once, and the other layer still applies. */
static void test_unreadable_layer_said_once(void **state)
{
    (void)state;
    const struct fake_value vals[] = {
        {OHC_SOURCE_POLICY, "IntervalMinutes", OHC_RAW_DWORD, 60, NULL, 0},
        {OHC_SOURCE_LOCAL, "UploadUrl", OHC_RAW_STRING, 0, NULL, 2},
        {OHC_SOURCE_LOCAL, "UploadToken", OHC_RAW_STRING, 0, NULL, 2},
        {OHC_SOURCE_LOCAL, "IntervalMinutes", OHC_RAW_STRING, 0, NULL, 2},
        {OHC_SOURCE_LOCAL, "EventDays", OHC_RAW_STRING, 0, NULL, 2},
    };
    struct fake f = {vals, sizeof vals / sizeof vals[0]};
    struct log_capture log = {"", 0};
    ohc_config cfg;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &f, capture, &log);
    assert_int_equal(log.lines, 1);
    assert_non_null(strstr(log.text,
                           "HKLM\\SOFTWARE\\OutlookHealthCollector cannot be read (RegOpenKeyEx: access "
                           "denied); its values are ignored (it is for SYSTEM and Administrators: run elevated)"));
    assert_string_equal(cfg.layer_note[0], "");
    assert_non_null(strstr(cfg.layer_note[1], "access denied"));
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 60);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_INTERVAL_MINUTES), OHC_SOURCE_POLICY);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_DAYS), OHC_SOURCE_DEFAULT);
    for (int i = 0; i < OHC_SETTING_COUNT; i++)
        assert_string_equal(cfg.v[i].note, "");
    ohc_config_free(&cfg);
}

static void test_secret_never_shown(void **state)
{
    (void)state;
    static const struct fake_value vals[] = {
        {OHC_SOURCE_POLICY, "UploadToken", OHC_RAW_STRING, 0, "s3cr3t-token-value", 0},
    };
    struct fake f = {vals, 1};
    struct log_capture log = {"", 0};
    ohc_config cfg;
    char buf[64];
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    assert_string_equal(ohc_config_display(&cfg, OHC_SET_UPLOAD_TOKEN, buf, sizeof buf), "");
    ohc_config_load_with(&cfg, fake_read, &f, capture, &log);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_TOKEN), "s3cr3t-token-value");
    assert_string_equal(ohc_config_display(&cfg, OHC_SET_UPLOAD_TOKEN, buf, sizeof buf), "********");
    /* a bad flag's error message names the setting, not the secret */
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_config_set_flag(&cfg, OHC_SET_UPLOAD_TOKEN, "bad\ntoken", &err), OHC_EINVAL);
    assert_null(strstr(err.message, "bad"));
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_TOKEN), "s3cr3t-token-value");
    ohc_config_free(&cfg);
}

static void test_flags(void **state)
{
    (void)state;
    ohc_config cfg;
    ohc_error err;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_error_clear(&err);
    assert_int_equal(ohc_config_set_assignment(&cfg, "intervalminutes=15", &err), OHC_OK);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 15);
    assert_int_equal(ohc_config_set_assignment(&cfg, "IntervalMinutes=0", &err), OHC_EINVAL);
    assert_non_null(strstr(err.message, "out of range 1..43200"));
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), 15); /* unchanged */
    assert_int_equal(ohc_config_set_assignment(&cfg, "IntervalMinutes=-5", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "IntervalMinutes=4294967296", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "IntervalMinutes=", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "AllowInsecureHttp=yes", &err), OHC_OK);
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP), 1);
    assert_int_equal(ohc_config_set_assignment(&cfg, "AllowInsecureHttp=maybe", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "Nope=1", &err), OHC_EINVAL);
    assert_non_null(strstr(err.message, "unknown setting"));
    assert_int_equal(ohc_config_set_assignment(&cfg, "NoEquals", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "RulesDir=C:\\rules", &err), OHC_OK);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_RULES_DIR), "C:\\rules");
    assert_int_equal(ohc_config_set_assignment(&cfg, "LogLevel=Warning", &err), OHC_OK);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_LOG_LEVEL), "warning");
    ohc_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_bad_values_are_logged_and_ignored),
        cmocka_unit_test(test_unreadable_layer_said_once),
        cmocka_unit_test(test_secret_never_shown),
        cmocka_unit_test(test_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
