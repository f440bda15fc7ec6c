/* Report header pieces: UUID v4, RFC 3339 UTC times, the empty report, text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void test_uuid_v4(void **state)
{
    (void)state;
    char a[37], b[37];
    assert_int_equal(ohc_uuid_v4(a, NULL), OHC_OK);
    assert_int_equal(ohc_uuid_v4(b, NULL), OHC_OK);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_int_equal(a[8], '-');
    assert_int_equal(a[23], '-');
    assert_string_not_equal(a, b);
}

static void test_rfc3339(void **state)
{
    (void)state;
    char s[32];
    ohc_format_rfc3339_utc(s, 0);
    assert_string_equal(s, "1970-01-01T00:00:00.000Z");
    ohc_format_rfc3339_utc(s, 951782400123LL); /* leap day 2000 */
    assert_string_equal(s, "2000-02-29T00:00:00.123Z");
    ohc_format_rfc3339_utc(s, 1795552525999LL);
    assert_string_equal(s, "2026-11-24T20:35:25.999Z");
    ohc_format_rfc3339_utc(s, -1); /* before the epoch: floor, not truncation */
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");
    ohc_format_rfc3339_utc(s, 253402300799000LL);
    assert_string_equal(s, "9999-12-31T23:59:59.000Z");
}

static void test_new_report_shape(void **state)
{
    (void)state;
    cJSON *r = ohc_report_new(NULL);
    assert_non_null(r);
    static const char *keys[] = {"schema_version", "report_id", "generated_at", "collector", "host",
                                 "probes",         "facts",     "findings",     "errors"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(cJSON_GetObjectItemCaseSensitive(r, keys[i]));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(r, "schema_version")->valueint, 1);

    ohc_error e;
    ohc_error_set(&e, OHC_EMALFORMED, 0, "rules/x.json:3:7: expected ','");
    ohc_report_add_error(r, "rules", &e);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "errors"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "source")->valuestring, "rules");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "kind")->valuestring, "malformed");

    char *text = ohc_report_to_text(r, 0);
    assert_non_null(text);
    assert_non_null(strstr(text, "Verdict: COLLECTION FAILED")); /* no probe ran */
    assert_non_null(strstr(text, "rules/x.json:3:7"));
    assert_null(strchr(text, '\033')); /* no colour unless asked */
    free(text);
    text = ohc_report_to_text(r, 1);
    assert_non_null(strchr(text, '\033'));
    free(text);

    char *json = ohc_report_to_json(r);
    assert_non_null(json);
    assert_int_equal(json[strlen(json) - 1], '\n');
    cJSON *back = cJSON_Parse(json);
    assert_non_null(back);
    cJSON_Delete(back);
    free(json);
    cJSON_Delete(r);
}

static void test_error_names(void **state)
{
    (void)state;
    assert_string_equal(ohc_err_name(OHC_ETIMEOUT), "timeout");
    assert_string_equal(ohc_err_name(12345), "unknown");
    ohc_error e;
    char long_text[600];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_int_equal(ohc_error_set(&e, OHC_EIO, 5, "%s", long_text), OHC_EIO);
    assert_int_equal(strlen(e.message), OHC_ERROR_MESSAGE_MAX - 1); /* truncated, terminated */
    assert_null(ohc_error_to_json(NULL));
    ohc_error_clear(&e);
    assert_null(ohc_error_to_json(&e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid_v4),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_new_report_shape),
        cmocka_unit_test(test_error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
