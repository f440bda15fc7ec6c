/* The HRESULT name table: order, the codes the field cases need, the BITS
 * HTTP range, hex formatting and parsing of the forms event data uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "error.h"
#include "hresult_names.h"

static void test_table_sorted_unique(void **state)
{
    (void)state;
    size_t n = 0;
    const ohc_hresult_entry *t = ohc_hresult_table(&n);
    assert_true(n > 200);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_true(strlen(t[i].name) > 2);
        if (i > 0)
            assert_true(t[i - 1].hr < t[i].hr); /* sorted and no duplicate value */
        /* every entry is found by the lookup */
        assert_ptr_equal(ohc_hresult_name(t[i].hr), t[i].name);
    }
}

static void test_field_codes(void **state)
{
    (void)state;
    static const struct {
        uint32_t hr;
        const char *name;
    } cases[] = {
        {0x80190194u, "BG_E_HTTP_ERROR_404"},
        {0x80190191u, "BG_E_HTTP_ERROR_401"},
        {0x80190193u, "BG_E_HTTP_ERROR_403"},
        {0x80190197u, "BG_E_HTTP_ERROR_407"},
        {0x801901F4u, "BG_E_HTTP_ERROR_500"},
        {0x8004010Fu, "MAPI_E_NOT_FOUND"},
        {0x80040119u, "MAPI_E_EXTENDED_ERROR"},
        {0x8004011Du, "MAPI_E_FAILONEPROVIDER"},
        {0x80040115u, "MAPI_E_NETWORK_ERROR"},
        {0x80200049u, "BG_E_TOO_MANY_JOBS_PER_USER"},
        {0x80200050u, "BG_E_TOO_MANY_JOBS_PER_MACHINE"},
        {0x80200001u, "BG_E_NOT_FOUND"},
        {0x80200010u, "BG_E_NETWORK_DISCONNECTED"},
        {0x80070005u, "E_ACCESSDENIED"},
        {0x80004001u, "E_NOTIMPL"},
        {0x80004005u, "E_FAIL"},
        {0x80072EFDu, "ERROR_WINHTTP_CANNOT_CONNECT"},
        {0x80072EE7u, "ERROR_WINHTTP_NAME_NOT_RESOLVED"},
        {0x80072F8Fu, "ERROR_WINHTTP_SECURE_FAILURE"},
        {0x800704C9u, "ERROR_CONNECTION_REFUSED"},
        {0x80070422u, "ERROR_SERVICE_DISABLED"},
        {0x800B0109u, "CERT_E_UNTRUSTEDROOT"},
        {0x00000000u, "S_OK"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *name = ohc_hresult_name(cases[i].hr);
        assert_non_null(name);
        assert_string_equal(name, cases[i].name);
    }
    assert_non_null(strstr(ohc_hresult_text(0x80190194u), "404"));
    assert_non_null(strstr(ohc_hresult_text(0x80190197u), "Proxy Authentication"));
}

static void test_unknown_codes_have_no_name(void **state)
{
    (void)state;
    assert_null(ohc_hresult_name(0x801901A2u)); /* HTTP 418: no BG_E_ constant */
    assert_null(ohc_hresult_text(0x801901A2u));
    assert_null(ohc_hresult_name(0xDEADBEEFu));
    assert_null(ohc_hresult_name(0xFFFFFFFFu));
    assert_null(ohc_hresult_name(0x80200048u));
}

static void test_http_status(void **state)
{
    (void)state;
    assert_int_equal(ohc_hresult_http_status(0x80190194u), 404);
    assert_int_equal(ohc_hresult_http_status(0x801901A2u), 418);
    assert_int_equal(ohc_hresult_http_status(0x80190064u), 100);
    assert_int_equal(ohc_hresult_http_status(0x80190257u), 599);
    assert_int_equal(ohc_hresult_http_status(0x80190258u), 0); /* 600 */
    assert_int_equal(ohc_hresult_http_status(0x80190063u), 0); /* 99 */
    assert_int_equal(ohc_hresult_http_status(0x80200194u), 0);
    assert_int_equal(ohc_hresult_http_status(0x00190194u), 0);
}

static void test_hex(void **state)
{
    (void)state;
    char s[11];
    ohc_hresult_hex(s, 0x80190194u);
    assert_string_equal(s, "0x80190194");
    ohc_hresult_hex(s, 0);
    assert_string_equal(s, "0x00000000");
    ohc_hresult_hex(s, 0xFFFFFFFFu);
    assert_string_equal(s, "0xFFFFFFFF");
}

static void test_parse(void **state)
{
    (void)state;
    uint32_t v = 0;
    assert_int_equal(ohc_hresult_parse(&v, "0x80190194"), OHC_OK);
    assert_int_equal(v, 0x80190194u);
    v = 0;
    assert_int_equal(ohc_hresult_parse(&v, " 0X8019019a "), OHC_OK);
    assert_int_equal(v, 0x8019019Au);
    assert_int_equal(ohc_hresult_parse(&v, "2149122452"), OHC_OK);
    assert_int_equal(v, 0x80190194u);
    assert_int_equal(ohc_hresult_parse(&v, "-2145844844"), OHC_OK);
    assert_int_equal(v, 0x80190194u);
    assert_int_equal(ohc_hresult_parse(&v, "-2147483648"), OHC_OK);
    assert_int_equal(v, 0x80000000u);
    assert_int_equal(ohc_hresult_parse(&v, "0"), OHC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(ohc_hresult_parse(&v, "4294967295"), OHC_OK);
    assert_int_equal(v, 0xFFFFFFFFu);

    v = 7;
    assert_int_equal(ohc_hresult_parse(&v, "4294967296"), OHC_ELIMIT);
    assert_int_equal(ohc_hresult_parse(&v, "-2147483649"), OHC_ELIMIT);
    assert_int_equal(ohc_hresult_parse(&v, "0x100000000"), OHC_ELIMIT);
    assert_int_equal(ohc_hresult_parse(&v, "99999999999999999999999"), OHC_ELIMIT);
    assert_int_equal(ohc_hresult_parse(&v, ""), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "   "), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, NULL), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "0x"), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "80190194h"), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "8019019A"), OHC_EMALFORMED); /* hex needs 0x */
    assert_int_equal(ohc_hresult_parse(&v, "0x8019 0194"), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "-0x1"), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "+5"), OHC_EMALFORMED);
    assert_int_equal(ohc_hresult_parse(&v, "0x0000000000000000000080190194"), OHC_EMALFORMED); /* too long */
    assert_int_equal(v, 7); /* untouched on failure */
}

static void test_json(void **state)
{
    (void)state;
    cJSON *o = ohc_hresult_to_json(0x80190194u);
    assert_non_null(o);
    assert_int_equal((uint32_t)cJSON_GetObjectItemCaseSensitive(o, "hr")->valuedouble, 0x80190194u);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "hr_hex")->valuestring, "0x80190194");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "hr_name")->valuestring, "BG_E_HTTP_ERROR_404");
    cJSON_Delete(o);
    o = ohc_hresult_to_json(0x12345678u);
    assert_non_null(o);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "hr_name")));
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted_unique),
        cmocka_unit_test(test_field_codes),
        cmocka_unit_test(test_unknown_codes_have_no_name),
        cmocka_unit_test(test_http_status),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
