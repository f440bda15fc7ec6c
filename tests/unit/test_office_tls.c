/* The decoders of issue 14: WinHTTP DefaultSecureProtocols (both views, with
 * the Windows version), SCHANNEL client keys, modern authentication values,
 * Outlook profiles' cached-mode flag and Click-to-Run channels. Every value
 * also of the wrong type or size, which must be reported raw, never read as
 * "not set". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "office.h"
#include "regval.h"
#include "tls.h"

static cJSON *dword(uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return ohc_regval_to_json(OHC_REG_DWORD, b, 4, OHC_REG_DWORD);
}

static cJSON *sz(const char *s, uint32_t expected)
{
    uint8_t buf[128];
    size_t n = 0;
    do {
        buf[n++] = (uint8_t)*s;
        buf[n++] = 0;
    } while (*s++);
    return ohc_regval_to_json(OHC_REG_SZ, buf, n, expected);
}

static cJSON *binary(const uint8_t *b, size_t n)
{
    return ohc_regval_to_json(OHC_REG_BINARY, b, n, OHC_REG_BINARY);
}

static const char *str(const cJSON *o, const char *path)
{
    const cJSON *v = o;
    char buf[128];
    strncpy(buf, path, sizeof buf - 1);
    buf[sizeof buf - 1] = 0;
    for (char *p = strtok(buf, "."); p != NULL && v != NULL; p = strtok(NULL, "."))
        v = cJSON_GetObjectItemCaseSensitive(v, p);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *item(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    return b != NULL ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static void test_regval_json_dword(void **state)
{
    (void)state;
    uint32_t v = 7;
    cJSON *d = dword(0xA00);
    assert_true(ohc_regval_json_dword(&v, d));
    assert_int_equal(v, 0xA00);
    cJSON_Delete(d);
    cJSON *s = sz("2560", OHC_REG_DWORD);
    assert_false(ohc_regval_json_dword(&v, s));
    cJSON_Delete(s);
    uint8_t three[3] = {0, 8, 0};
    cJSON *m = ohc_regval_to_json(OHC_REG_DWORD, three, 3, OHC_REG_DWORD);
    assert_false(ohc_regval_json_dword(&v, m));
    cJSON_Delete(m);
    assert_false(ohc_regval_json_dword(&v, NULL));
}

static void test_tls_protocols(void **state)
{
    (void)state;
    cJSON *p = ohc_tls_protocols_to_json(0xA80 | 0x10000);
    assert_string_equal(str(p, "value_hex"), "0x10A80");
    assert_true(cJSON_IsTrue(item(p, "tls12", NULL)));
    assert_int_equal(item(p, "unknown_bits", NULL)->valueint, 0x10000);
    const cJSON *names = item(p, "names", NULL);
    assert_int_equal(cJSON_GetArraySize(names), 3);
    assert_string_equal(cJSON_GetArrayItem(names, 0)->valuestring, "tls1.0");
    assert_string_equal(cJSON_GetArrayItem(names, 2)->valuestring, "tls1.2");
    cJSON_Delete(p);
    p = ohc_tls_protocols_to_json(0xA0);
    assert_true(cJSON_IsFalse(item(p, "tls12", NULL)));
    cJSON_Delete(p);
}

static void test_winhttp_windows7(void **state)
{
    (void)state;
    /* Windows 7 with the value in the 64-bit view only: the 32-bit view keeps the default without TLS 1.2. */
    cJSON *w = ohc_tls_winhttp_to_json(dword(0xA00), NULL, 6, 1, 7601);
    assert_string_equal(str(w, "views.64.tls12"), "set");
    assert_string_equal(str(w, "views.32.tls12"), "os_default");
    assert_string_equal(str(w, "os_default"), "no_tls12");
    assert_string_equal(str(w, "update"), "KB3140245");
    assert_string_equal(str(w, "tls12_all_views"), "no");
    assert_int_equal(item(w, "windows", "build")->valueint, 7601);
    cJSON_Delete(w);
    /* Both views set. */
    w = ohc_tls_winhttp_to_json(dword(0x800), dword(0xA80), 6, 1, 7601);
    assert_string_equal(str(w, "tls12_all_views"), "yes");
    assert_string_equal(str(w, "views.32.decoded.value_hex"), "0xA80");
    cJSON_Delete(w);
}

static void test_winhttp_other_windows(void **state)
{
    (void)state;
    /* Windows 10, nothing set: the default is not documented in ohc's sources, so unknown. */
    cJSON *w = ohc_tls_winhttp_to_json(NULL, NULL, 10, 0, 19045);
    assert_string_equal(str(w, "os_default"), "undocumented");
    assert_string_equal(str(w, "tls12_all_views"), "unknown");
    assert_true(cJSON_IsNull(item(w, "update", NULL)));
    cJSON_Delete(w);
    /* A value without the bit says no on any Windows. */
    w = ohc_tls_winhttp_to_json(dword(0xA0), NULL, 6, 3, 9600);
    assert_string_equal(str(w, "views.64.tls12"), "not_set");
    assert_string_equal(str(w, "tls12_all_views"), "no");
    cJSON_Delete(w);
    /* A REG_SZ is reported raw and not decoded, never "not set". */
    w = ohc_tls_winhttp_to_json(sz("0xA00", OHC_REG_DWORD), NULL, 6, 1, 7601);
    assert_string_equal(str(w, "views.64.tls12"), "not_decoded");
    assert_string_equal(str(w, "views.64.value.type"), "REG_SZ");
    assert_string_equal(str(w, "views.64.value.raw_hex"), "300078004100300030000000");
    assert_true(cJSON_IsNull(item(item(w, "views", "64"), "decoded", NULL)));
    cJSON_Delete(w);
    /* Unknown Windows version. */
    w = ohc_tls_winhttp_to_json(NULL, NULL, -1, -1, -1);
    assert_true(cJSON_IsNull(item(w, "windows", "major")));
    assert_string_equal(str(w, "tls12_all_views"), "unknown");
    cJSON_Delete(w);
}

static void test_schannel(void **state)
{
    (void)state;
    struct {
        cJSON *en, *dbd;
        const char *state;
    } cases[] = {
        {NULL, NULL, "os_default"},
        {dword(1), dword(0), "enabled"},
        {dword(0xFFFFFFFF), dword(0), "enabled"},
        {dword(1), dword(1), "disabled_by_default"},
        {dword(0), dword(0), "disabled"},
        {dword(0), NULL, "disabled"},
        {dword(1), NULL, "undocumented"},
        {NULL, dword(0), "undocumented"},
        {sz("1", OHC_REG_DWORD), dword(0), "wrong_type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *c = ohc_tls_schannel_client_to_json("TLS 1.2", 1, cases[i].en, cases[i].dbd, 10, 0);
        assert_string_equal(str(c, "state"), cases[i].state);
        assert_true(cJSON_IsNull(item(c, "os_default_enabled", NULL)));
        cJSON_Delete(c);
    }
    cJSON *c = ohc_tls_schannel_client_to_json("TLS 1.2", 0, NULL, NULL, 6, 1);
    assert_true(cJSON_IsFalse(item(c, "os_default_enabled", NULL)));
    assert_true(cJSON_IsFalse(item(c, "key_present", NULL)));
    cJSON_Delete(c);
    c = ohc_tls_schannel_client_to_json("TLS 1.0", 0, NULL, NULL, 6, 1);
    assert_true(cJSON_IsNull(item(c, "os_default_enabled", NULL)));
    cJSON_Delete(c);
}

static void test_identity(void **state)
{
    (void)state;
    struct {
        const char *version;
        cJSON *adal, *ver, *over, *aad;
        const char *modern, *wam;
    } cases[] = {
        {"16.0", NULL, NULL, NULL, NULL, "default_on", "default"},
        {"16.0", dword(0), NULL, NULL, NULL, "off", "default"},
        {"16.0", dword(1), NULL, dword(1), NULL, "on", "disabled"},
        {"16.0", NULL, NULL, dword(0), dword(1), "default_on", "disabled"},
        {"16.0", NULL, NULL, dword(2), NULL, "default_on", "undocumented_value"},
        {"16.0", sz("0", OHC_REG_DWORD), NULL, sz("1", OHC_REG_DWORD), NULL, "not_decoded", "not_decoded"},
        {"15.0", dword(1), dword(1), NULL, NULL, "on", NULL},
        {"15.0", dword(1), NULL, NULL, NULL, "off", NULL},
        {"15.0", NULL, NULL, NULL, NULL, "off", NULL},
        {"15.0", dword(1), sz("1", OHC_REG_DWORD), NULL, NULL, "not_decoded", NULL},
        {"14.0", dword(1), dword(1), NULL, NULL, "unsupported", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *o =
            ohc_office_identity_to_json(cases[i].version, cases[i].adal, cases[i].ver, cases[i].over, cases[i].aad);
        assert_non_null(o);
        assert_string_equal(str(o, "modern_auth"), cases[i].modern);
        if (cases[i].wam != NULL)
            assert_string_equal(str(o, "wam"), cases[i].wam);
        else
            assert_true(cJSON_IsNull(item(o, "wam", NULL)));
        cJSON_Delete(o);
    }
    /* The wrong-type value stays in the facts with its bytes. */
    cJSON *o = ohc_office_identity_to_json("16.0", sz("0", OHC_REG_DWORD), NULL, NULL, NULL);
    assert_string_equal(str(o, "EnableADAL.type"), "REG_SZ");
    assert_string_equal(str(o, "EnableADAL.raw_hex"), "30000000");
    cJSON_Delete(o);
}

static void test_profile_section(void **state)
{
    (void)state;
    static const uint8_t on[4] = {0x84, 0x19, 0, 0}, off[4] = {0x04, 0x16, 0, 0}, five[5] = {1, 2, 3, 4, 5};
    cJSON *s = ohc_office_profile_section_to_json("13dbb0c8aa05101a9bb000aa002fc45a", binary(on, 4));
    assert_true(cJSON_IsTrue(item(s, "cached_mode", NULL)));
    assert_string_equal(str(s, "decoded.value_hex"), "0x1984");
    assert_true(cJSON_IsFalse(item(s, "decoded", "cache_public_folders"))); /* 0x1984 has 0x180, not 0x400 */
    assert_int_equal(item(s, "decoded", "other_bits")->valueint, 0x1984 & ~0x580);
    assert_string_equal(str(s, "account_type"), "exchange");
    cJSON_Delete(s);
    s = ohc_office_profile_section_to_json("a", binary(off, 4));
    assert_true(cJSON_IsFalse(item(s, "cached_mode", NULL)));
    assert_true(cJSON_IsTrue(item(s, "decoded", "cache_public_folders")));
    cJSON_Delete(s);
    /* Wrong size and wrong type: not decoded, cached_mode null (unknown), the bytes kept. */
    s = ohc_office_profile_section_to_json("b", binary(five, 5));
    assert_true(cJSON_IsNull(item(s, "cached_mode", NULL)));
    assert_non_null(strstr(str(s, "error"), "5 bytes"));
    assert_string_equal(str(s, "config_flags.raw_hex"), "0102030405");
    cJSON_Delete(s);
    s = ohc_office_profile_section_to_json("c", dword(0x1984));
    assert_true(cJSON_IsNull(item(s, "cached_mode", NULL)));
    assert_non_null(strstr(str(s, "error"), "REG_DWORD"));
    cJSON_Delete(s);
}

static void test_channel(void **state)
{
    (void)state;
    char g[37];
    assert_true(ohc_office_trailing_guid(g, "http://officecdn.microsoft.com/pr/55336B82-A18D-4DD6-B5F6-9E5095C314A6"));
    assert_string_equal(g, "55336b82-a18d-4dd6-b5f6-9e5095c314a6");
    assert_true(ohc_office_trailing_guid(g, "{492350f6-3a01-4f97-b9c0-c7c6ddf67d60}"));
    assert_false(ohc_office_trailing_guid(g, "MonthlyEnterprise"));
    assert_false(ohc_office_trailing_guid(g, "http://x/pr/55336b82-a18d-4dd6-b5f6-9e5095c314aZ"));
    assert_false(ohc_office_trailing_guid(g, NULL));

    cJSON *c =
        ohc_c2r_channel_to_json("CDNBaseUrl", "http://officecdn.microsoft.com/pr/7ffbc6bf-bc32-4f92-8982-f9dd17fd3114");
    assert_string_equal(str(c, "name"), "Semi-Annual Enterprise");
    assert_string_equal(str(c, "source"), "CDNBaseUrl");
    cJSON_Delete(c);
    /* An unknown GUID is kept raw, never named. */
    c = ohc_c2r_channel_to_json("UpdateChannel",
                                "http://officecdn.microsoft.com/pr/11111111-2222-3333-4444-555555555555");
    assert_string_equal(str(c, "guid"), "11111111-2222-3333-4444-555555555555");
    assert_true(cJSON_IsNull(item(c, "name", NULL)));
    cJSON_Delete(c);
    c = ohc_c2r_channel_to_json("policy UpdateBranch", "Current");
    assert_true(cJSON_IsNull(item(c, "guid", NULL)));
    assert_string_equal(str(c, "value"), "Current");
    cJSON_Delete(c);
}

static void test_file_version(void **state)
{
    (void)state;
    char v[24];
    ohc_office_file_version(v, sizeof v, (16u << 16) | 0, (4266u << 16) | 1001u);
    assert_string_equal(v, "16.0.4266.1001");
    ohc_office_file_version(v, sizeof v, 0xFFFFFFFFu, 0xFFFFFFFFu);
    assert_string_equal(v, "65535.65535.65535.65535");
    char small[6];
    ohc_office_file_version(small, sizeof small, (15u << 16), 1u);
    assert_string_equal(small, "15.0."); /* truncated, never past the buffer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regval_json_dword), cmocka_unit_test(test_tls_protocols),
        cmocka_unit_test(test_winhttp_windows7),  cmocka_unit_test(test_winhttp_other_windows),
        cmocka_unit_test(test_schannel),          cmocka_unit_test(test_identity),
        cmocka_unit_test(test_profile_section),   cmocka_unit_test(test_channel),
        cmocka_unit_test(test_file_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
