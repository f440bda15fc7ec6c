/* The outlook probe's decoders: registry values of every type (and of the
 * wrong type, or the wrong size), ProxyServerFlags bits, policy-wins merging
 * and Click-to-Run channel names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "outlook.h"
#include "regval.h"
#include "utf16.h"

static cJSON *dword(uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return ohc_regval_to_json(OHC_REG_DWORD, b, 4, OHC_REG_DWORD);
}

/* UTF-16LE of an ASCII string, with its NUL. */
static size_t utf16(uint8_t *out, const char *s)
{
    size_t n = 0;
    do {
        out[n++] = (uint8_t)*s;
        out[n++] = 0;
    } while (*s++);
    return n;
}

static void test_regval_types(void **state)
{
    (void)state;
    cJSON *v = dword(0x2F);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "REG_DWORD");
    assert_int_equal(cJSON_GetObjectItem(v, "value")->valueint, 0x2F);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(v, "wrong_type")));
    assert_null(cJSON_GetObjectItem(v, "raw_hex"));
    cJSON_Delete(v);

    uint8_t buf[64];
    size_t n = utf16(buf, "0x2F");
    v = ohc_regval_to_json(OHC_REG_SZ, buf, n, OHC_REG_DWORD); /* what GPP can write */
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "REG_SZ");
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "0x2F");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "wrong_type")));
    assert_string_equal(cJSON_GetObjectItem(v, "raw_hex")->valuestring, "30007800320046000000");
    cJSON_Delete(v);
}

static void test_regval_edge_cases(void **state)
{
    (void)state;
    uint8_t three[3] = {1, 2, 3};
    cJSON *v = ohc_regval_to_json(OHC_REG_DWORD, three, 3, OHC_REG_DWORD);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "value")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "malformed")));
    assert_string_equal(cJSON_GetObjectItem(v, "raw_hex")->valuestring, "010203");
    cJSON_Delete(v);

    /* A string without its NUL and with an odd byte: no read past, flagged. */
    uint8_t s[5] = {'a', 0, 'b', 0, 'c'};
    uint8_t *heap = malloc(5);
    memcpy(heap, s, 5);
    v = ohc_regval_to_json(OHC_REG_SZ, heap, 5, OHC_REG_SZ);
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "ab");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "malformed")));
    cJSON_Delete(v);
    free(heap);

    /* Surrogates: a pair becomes one character, a lone one U+FFFD. */
    uint8_t sur[] = {0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 'x', 0};
    char *u = ohc_utf16le_to_utf8(sur, sizeof sur);
    assert_string_equal(u, "\xF0\x9F\x98\x80\xEF\xBF\xBDx");
    free(u);

    uint8_t multi[32];
    size_t n = utf16(multi, "a");
    n += utf16(multi + n, "bc");
    multi[n++] = 0, multi[n++] = 0;
    v = ohc_regval_to_json(OHC_REG_MULTI_SZ, multi, n, OHC_REG_ANY);
    cJSON *arr = cJSON_GetObjectItem(v, "value");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_string_equal(cJSON_GetArrayItem(arr, 1)->valuestring, "bc");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(v, "wrong_type")));
    cJSON_Delete(v);

    /* The same list as lines (the settings reader's form), by the same rules. */
    char lines[16];
    assert_int_equal(ohc_regval_multi_sz_lines(lines, sizeof lines, multi, n), OHC_OK);
    assert_string_equal(lines, "a\nbc");
    /* An empty string in the middle ends the list in both forms (the settings
     * reader made it a blank line before). */
    uint8_t gap[32];
    size_t g = utf16(gap, "a");
    gap[g++] = 0, gap[g++] = 0;
    g += utf16(gap + g, "b");
    assert_int_equal(ohc_regval_multi_sz_lines(lines, sizeof lines, gap, g), OHC_OK);
    assert_string_equal(lines, "a");
    v = ohc_regval_to_json(OHC_REG_MULTI_SZ, gap, g, OHC_REG_ANY);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "value")), 1);
    cJSON_Delete(v);
    /* A last string without its NUL counts; a list too long keeps whole lines. */
    assert_int_equal(ohc_regval_multi_sz_lines(lines, sizeof lines, multi, n - 4), OHC_OK);
    assert_string_equal(lines, "a\nbc");
    assert_int_equal(ohc_regval_multi_sz_lines(lines, 4, multi, n), OHC_ELIMIT);
    assert_string_equal(lines, "a");
    assert_int_equal(ohc_regval_multi_sz_lines(lines, sizeof lines, NULL, 0), OHC_OK);
    assert_string_equal(lines, "");

    uint8_t bin[2] = {0xAB, 0xCD};
    v = ohc_regval_to_json(OHC_REG_BINARY, bin, 2, OHC_REG_DWORD);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "value")));
    assert_string_equal(cJSON_GetObjectItem(v, "raw_hex")->valuestring, "abcd");
    cJSON_Delete(v);

    v = ohc_regval_to_json(99, NULL, 0, OHC_REG_DWORD);
    assert_string_equal(cJSON_GetObjectItem(v, "type")->valuestring, "REG_UNKNOWN");
    assert_int_equal(cJSON_GetObjectItem(v, "type_code")->valueint, 99);
    cJSON_Delete(v);

    uint8_t *big = calloc(1, 5000);
    v = ohc_regval_to_json(OHC_REG_BINARY, big, 5000, OHC_REG_BINARY);
    assert_int_equal(strlen(cJSON_GetObjectItem(v, "raw_hex")->valuestring), 2 * OHC_REGVAL_HEX_MAX);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "raw_truncated")));
    cJSON_Delete(v);
    free(big);

    uint8_t q[8] = {1, 0, 0, 0, 1, 0, 0, 0};
    uint64_t num = 0;
    assert_int_equal(ohc_regval_number(&num, OHC_REG_QWORD, q, 8), 1);
    assert_true(num == 0x100000001ull);
    uint8_t be[4] = {0, 0, 0, 0x23};
    assert_int_equal(ohc_regval_number(&num, OHC_REG_DWORD_BIG_ENDIAN, be, 4), 1);
    assert_true(num == 0x23);
    assert_int_equal(ohc_regval_number(&num, OHC_REG_QWORD, q, 7), 0);
}

static void test_flags(void **state)
{
    (void)state;
    cJSON *f = ohc_outlook_flags_to_json(0x2F, "policy");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "http")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "ssl_only")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "mutual_auth")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "http_first_fast")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "http_first_slow")));
    assert_int_equal(cJSON_GetObjectItem(f, "unknown_bits")->valueint, 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f, "names")), 5);
    assert_string_equal(cJSON_GetObjectItem(f, "value_hex")->valuestring, "0x2F");
    cJSON_Delete(f);

    f = ohc_outlook_flags_to_json(0x23, NULL); /* the restart loop: HTTP, SSL, slow only */
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(f, "http_first_fast")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(f, "mutual_auth")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "http_first_slow")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(f, "source")));
    cJSON_Delete(f);

    f = ohc_outlook_flags_to_json(0xD3, "preference");
    assert_int_equal(cJSON_GetObjectItem(f, "unknown_bits")->valueint, 0xD0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f, "names")), 2);
    cJSON_Delete(f);
}

static void test_policy_wins(void **state)
{
    (void)state;
    cJSON *policy = cJSON_CreateObject(), *pref = cJSON_CreateObject(), *ad = cJSON_CreateObject();
    cJSON_AddItemToObject(policy, "ProxyServerFlags", dword(0x2F));
    cJSON_AddItemToObject(pref, "proxyserverflags", dword(0x3)); /* names are case-insensitive */
    cJSON_AddItemToObject(pref, "ProxyAuthenticationService", dword(2));
    cJSON_AddItemToObject(ad, "ExcludeScpLookup", dword(1));
    cJSON *v = ohc_outlook_version_to_json("14.0", policy, pref, ad);
    assert_non_null(v);
    assert_string_equal(cJSON_GetObjectItem(v, "product")->valuestring, "Outlook 2010");
    cJSON *eff = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "rpc"), "effective");
    cJSON *flags = cJSON_GetObjectItem(eff, "ProxyServerFlags");
    assert_int_equal(cJSON_GetObjectItem(flags, "value")->valueint, 0x2F);
    assert_string_equal(cJSON_GetObjectItem(flags, "source")->valuestring, "policy");
    assert_int_equal(cJSON_GetArraySize(eff), 2);
    cJSON *auth = cJSON_GetObjectItem(eff, "ProxyAuthenticationService");
    assert_string_equal(cJSON_GetObjectItem(auth, "source")->valuestring, "preference");
    cJSON *psf = cJSON_GetObjectItem(v, "proxy_server_flags");
    assert_int_equal(cJSON_GetObjectItem(psf, "value")->valueint, 0x2F);
    assert_string_equal(cJSON_GetObjectItem(psf, "source")->valuestring, "policy");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags_error")));
    /* The preference side is kept as it is, next to the policy. */
    cJSON *pv =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "rpc"), "preference"), "ProxyServerFlags");
    assert_int_equal(cJSON_GetObjectItem(pv, "value")->valueint, 3);
    cJSON *pas = cJSON_GetObjectItem(v, "proxy_authentication_service");
    assert_int_equal(cJSON_GetObjectItem(pas, "value")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(pas, "scheme")->valuestring, "ntlm");
    assert_string_equal(cJSON_GetObjectItem(pas, "source")->valuestring, "preference");
    cJSON *hidden = cJSON_GetObjectItem(v, "proxy_server_flags_overridden");
    assert_string_equal(cJSON_GetObjectItem(hidden, "value_hex")->valuestring, "0x3");
    assert_string_equal(cJSON_GetObjectItem(hidden, "source")->valuestring, "preference");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(hidden, "ssl_only")));
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "autodiscover"), "ExcludeScpLookup"), "value")
            ->valueint,
        1);
    cJSON_Delete(v);
}

static void test_wrong_type_flags_not_decoded(void **state)
{
    (void)state;
    uint8_t buf[32];
    size_t n = utf16(buf, "47");
    cJSON *policy = cJSON_CreateObject();
    cJSON_AddItemToObject(policy, "ProxyServerFlags", ohc_regval_to_json(OHC_REG_SZ, buf, n, OHC_REG_DWORD));
    cJSON *v = ohc_outlook_version_to_json("16.0", policy, NULL, NULL);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags")));
    assert_string_equal(cJSON_GetObjectItem(v, "proxy_server_flags_error")->valuestring,
                        "ProxyServerFlags in the policy key is REG_SZ, not a REG_DWORD: not decoded");
    cJSON *eff =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "rpc"), "effective"), "ProxyServerFlags");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(eff, "wrong_type")));
    assert_string_equal(cJSON_GetObjectItem(v, "product")->valuestring, "Outlook 2016/2019/2021/365");
    cJSON_Delete(v);

    v = ohc_outlook_version_to_json("14.0", NULL, NULL, NULL); /* nothing set */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "rpc"), "effective")), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags_error")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags_overridden")));
    cJSON_Delete(v);

    /* Only the preference key: nothing is overridden. An authentication
     * value without documented meaning stays raw; 1 is Basic. */
    cJSON *only = cJSON_CreateObject();
    cJSON_AddItemToObject(only, "ProxyServerFlags", dword(0x2F));
    cJSON_AddItemToObject(only, "ProxyAuthenticationService", dword(16));
    v = ohc_outlook_version_to_json("14.0", NULL, only, NULL);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "proxy_authentication_service"), "value")->valueint,
                     16);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "proxy_authentication_service"), "scheme")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags_overridden")));
    cJSON_Delete(v);
    cJSON *pol = cJSON_CreateObject();
    cJSON_AddItemToObject(pol, "ProxyAuthenticationService", dword(1));
    v = ohc_outlook_version_to_json("12.0", pol, NULL, NULL);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(v, "proxy_authentication_service"), "scheme")->valuestring, "basic");
    cJSON_Delete(v);
    only = cJSON_CreateObject();
    cJSON_AddItemToObject(only, "ProxyServerFlags", dword(0x2F));
    v = ohc_outlook_version_to_json("14.0", NULL, only, NULL);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "proxy_server_flags"), "source")->valuestring,
                        "preference");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "proxy_server_flags_overridden")));
    cJSON_Delete(v);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ohc_outlook_product_name("12.0", 1), "Outlook 2007");
    assert_string_equal(ohc_outlook_product_name("16.0", 1), "Outlook 2016");
    assert_null(ohc_outlook_product_name("11.0", 1));
    assert_string_equal(ohc_c2r_channel_name("http://officecdn.microsoft.com/pr/492350F6-3A01-4F97-B9C0-C7C6DDF67D60"),
                        "Current");
    assert_string_equal(ohc_c2r_channel_name("http://officecdn.microsoft.com/pr/7ffbc6bf-bc32-4f92-8982-f9dd17fd3114"),
                        "Semi-Annual Enterprise");
    assert_null(ohc_c2r_channel_name("http://x/00000000-0000-0000-0000-000000000000"));
    assert_null(ohc_c2r_channel_name("short"));
    assert_null(ohc_c2r_channel_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regval_types),
        cmocka_unit_test(test_regval_edge_cases),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_policy_wins),
        cmocka_unit_test(test_wrong_type_flags_not_decoded),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
