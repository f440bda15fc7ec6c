/* The proxy probe's decoders: WinHttpSettings / DefaultConnectionSettings
 * blobs (good, truncated, oversized lengths, garbage), proxy lists,
 * credential masking and the WinHTTP / user comparisons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "proxy.h"
#include "regval.h"

/* Builds a blob: header, then counted strings (NULL = stop). Returns its length. */
static size_t make_blob(uint8_t *buf, uint32_t version, uint32_t counter, uint32_t flags, const char *const *strs)
{
    size_t n = 0;
    uint32_t hdr[3] = {version, counter, flags};
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 4; b++)
            buf[n++] = (uint8_t)(hdr[i] >> (8 * b));
    for (; strs != NULL && *strs != NULL; strs++) {
        uint32_t len = (uint32_t)strlen(*strs);
        for (int b = 0; b < 4; b++)
            buf[n++] = (uint8_t)(len >> (8 * b));
        memcpy(buf + n, *strs, len);
        n += len;
    }
    return n;
}

static void test_winhttp_blob(void **state)
{
    (void)state;
    uint8_t buf[256];
    const char *strs[] = {"proxy.contoso.com:8080", "<local>;*.contoso.com", NULL};
    size_t n = make_blob(buf, 0x18, 0, 3, strs);
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, buf, n, OHC_BLOB_WINHTTP), OHC_OK);
    assert_true(b.present);
    assert_false(b.malformed);
    assert_int_equal(b.version, 0x18);
    assert_int_equal(b.flags, 3);
    assert_string_equal(b.proxy, "proxy.contoso.com:8080");
    assert_string_equal(b.bypass, "<local>;*.contoso.com");
    assert_null(b.pac_url);
    assert_string_equal(ohc_proxy_blob_winhttp_proxy(&b), "proxy.contoso.com:8080");

    cJSON *j = ohc_proxy_blob_to_json(&b, buf, n, OHC_BLOB_WINHTTP);
    assert_non_null(j);
    cJSON *names = cJSON_GetObjectItem(j, "flag_names");
    assert_int_equal(cJSON_GetArraySize(names), 2);
    assert_string_equal(cJSON_GetArrayItem(names, 0)->valuestring, "direct");
    assert_string_equal(cJSON_GetArrayItem(names, 1)->valuestring, "proxy");
    assert_null(cJSON_GetObjectItem(j, "pac_url"));
    assert_string_equal(cJSON_GetObjectItem(j, "raw_hex")->valuestring + 0,
                        "18000000"
                        "00000000"
                        "03000000"
                        "16000000"
                        "70726f78792e636f6e746f736f2e636f6d3a38303830"
                        "15000000"
                        "3c6c6f63616c3e3b2a2e636f6e746f736f2e636f6d");
    cJSON_Delete(j);
    ohc_proxy_blob_free(&b);
}

static void test_wininet_blob_with_pac(void **state)
{
    (void)state;
    uint8_t buf[256];
    const char *strs[] = {"", "", "http://wpad.contoso.com/proxy.pac", NULL};
    size_t n = make_blob(buf, 0x46, 7, 0x5 | 0x8 | 0x40, strs);
    memset(buf + n, 0xEE, 32); /* WinINet's undocumented tail: ignored */
    n += 32;
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, buf, n, OHC_BLOB_WININET), OHC_OK);
    assert_false(b.malformed);
    assert_string_equal(b.pac_url, "http://wpad.contoso.com/proxy.pac");
    assert_string_equal(b.proxy, "");
    cJSON *j = ohc_proxy_blob_to_json(&b, buf, n, OHC_BLOB_WININET);
    cJSON *names = cJSON_GetObjectItem(j, "flag_names");
    assert_int_equal(cJSON_GetArraySize(names), 3);
    assert_string_equal(cJSON_GetArrayItem(names, 1)->valuestring, "auto_proxy_url");
    assert_string_equal(cJSON_GetArrayItem(names, 2)->valuestring, "auto_detect");
    assert_int_equal(cJSON_GetObjectItem(j, "unknown_flags")->valueint, 0x40);
    assert_int_equal(cJSON_GetObjectItem(j, "counter")->valueint, 7);
    assert_string_equal(cJSON_GetObjectItem(j, "pac_url")->valuestring, "http://wpad.contoso.com/proxy.pac");
    cJSON_Delete(j);
    ohc_proxy_blob_free(&b);
}

static void test_absent_blob(void **state)
{
    (void)state;
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, NULL, 0, OHC_BLOB_WINHTTP), OHC_OK);
    assert_false(b.present);
    assert_null(ohc_proxy_blob_winhttp_proxy(&b));
    cJSON *j = ohc_proxy_blob_to_json(&b, NULL, 0, OHC_BLOB_WINHTTP);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "present")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "flags")));
    cJSON_Delete(j);
    ohc_proxy_blob_free(&b);
}

/* Every prefix of a good blob is either decoded whole or malformed with a
 * reason; none reads past its end (ASan checks each on its own heap copy). */
static void test_truncated_blobs(void **state)
{
    (void)state;
    uint8_t buf[256];
    const char *strs[] = {"p:1", "b", "http://x/p.pac", NULL};
    size_t n = make_blob(buf, 0x46, 1, 4, strs);
    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        ohc_proxy_blob b;
        assert_int_equal(ohc_proxy_blob_decode(&b, copy, len, OHC_BLOB_WININET), OHC_OK);
        assert_true(b.malformed);
        assert_true(strlen(b.reason) > 0);
        cJSON *j = ohc_proxy_blob_to_json(&b, copy, len, OHC_BLOB_WININET);
        assert_non_null(j);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "malformed")));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "reason")));
        cJSON_Delete(j);
        ohc_proxy_blob_free(&b);
        free(copy);
    }
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, buf, 11, OHC_BLOB_WININET), OHC_OK);
    assert_string_equal(b.reason, "truncated: 11 bytes, the header needs 12");
    ohc_proxy_blob_free(&b);
}

static void test_oversized_length(void **state)
{
    (void)state;
    uint8_t buf[64];
    const char *strs[] = {"abc", NULL};
    size_t n = make_blob(buf, 0x18, 0, 2, strs);
    buf[12] = 0xFF, buf[13] = 0xFF, buf[14] = 0xFF, buf[15] = 0xFF; /* proxy length 4 GiB - 1 */
    uint8_t *copy = malloc(n);
    memcpy(copy, buf, n);
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, copy, n, OHC_BLOB_WINHTTP), OHC_OK);
    assert_true(b.malformed);
    assert_string_equal(b.reason, "proxy length 4294967295 exceeds the 3 bytes left at offset 16");
    assert_null(b.proxy);
    assert_null(ohc_proxy_blob_winhttp_proxy(&b)); /* a malformed blob is no proxy */
    ohc_proxy_blob_free(&b);
    free(copy);
}

static void test_garbage_blobs(void **state)
{
    (void)state;
    /* A fixed pseudo-random sequence: reproducible, and ASan watches each read. */
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(round % 80);
        uint8_t *g = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            g[i] = (uint8_t)(x >> 16);
            if (round % 3 == 0 && i >= 12 && i < 16)
                g[i] = (uint8_t)(i == 12 ? len % 7 : 0); /* small lengths: reach the later fields */
        }
        ohc_proxy_blob b;
        assert_int_equal(ohc_proxy_blob_decode(&b, g, len, round % 2 ? OHC_BLOB_WININET : OHC_BLOB_WINHTTP), OHC_OK);
        cJSON *j = ohc_proxy_blob_to_json(&b, g, len, OHC_BLOB_WININET);
        assert_non_null(j);
        char *s = cJSON_PrintUnformatted(j);
        assert_non_null(s);
        /* Still valid JSON whatever bytes the strings held. */
        cJSON *back = cJSON_Parse(s);
        assert_non_null(back);
        cJSON_Delete(back);
        free(s);
        cJSON_Delete(j);
        ohc_proxy_blob_free(&b);
        free(g);
    }
}

static void test_control_and_high_bytes(void **state)
{
    (void)state;
    uint8_t buf[64];
    const char *strs[] = {"a\x01\xe9z", "", NULL};
    size_t n = make_blob(buf, 0x18, 0, 2, strs);
    ohc_proxy_blob b;
    assert_int_equal(ohc_proxy_blob_decode(&b, buf, n, OHC_BLOB_WINHTTP), OHC_OK);
    assert_string_equal(b.proxy, "a?\xc3\xa9z");
    ohc_proxy_blob_free(&b);
}

static void test_mask_credentials(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(ohc_proxy_mask_credentials(out, sizeof out, "http://alice:s3cret@proxy:3128/"), 1);
    assert_string_equal(out, "http://***@proxy:3128/");
    assert_int_equal(ohc_proxy_mask_credentials(out, sizeof out, "bob:pw@proxy:8080"), 1);
    assert_string_equal(out, "***@proxy:8080");
    assert_int_equal(ohc_proxy_mask_credentials(out, sizeof out, "http://u:p@ss@proxy:1"), 1);
    assert_string_equal(out, "http://***@proxy:1");
    assert_int_equal(ohc_proxy_mask_credentials(out, sizeof out, "http://proxy:3128/a@b"), 0);
    assert_string_equal(out, "http://proxy:3128/a@b");
    assert_int_equal(ohc_proxy_mask_credentials(out, sizeof out, "localhost,.contoso.com"), 0);
    assert_string_equal(out, "localhost,.contoso.com");
    char small[8];
    ohc_proxy_mask_credentials(small, sizeof small, "http://user:secretpassword@p");
    assert_null(strstr(small, "secret"));
}

static void test_list_parse(void **state)
{
    (void)state;
    ohc_proxy_endpoint eps[8];
    size_t count = 0, invalid = 0;
    assert_int_equal(
        ohc_proxy_list_parse(eps, &count, 8, "http=a.example:8080;https=a.example:8080;ftp=b:21", &invalid), 0);
    assert_int_equal(count, 2);
    assert_string_equal(eps[0].host, "a.example");
    assert_int_equal(eps[0].port, 8080);
    assert_string_equal(eps[1].host, "b");
    assert_int_equal(eps[1].port, 21);
    ohc_proxy_list_parse(eps, &count, 8, "http://user:pw@A.EXAMPLE:8080/ proxy2 [::1]:3128 socks=10.0.0.1:1080",
                         &invalid);
    assert_int_equal(count, 5);
    assert_string_equal(eps[2].host, "proxy2");
    assert_int_equal(eps[2].port, 80);
    assert_string_equal(eps[3].host, "::1");
    assert_int_equal(eps[3].port, 3128);
    assert_string_equal(eps[4].host, "10.0.0.1");
    for (size_t i = 0; i < count; i++)
        assert_null(strstr(eps[i].host, "pw"));
    assert_int_equal(invalid, 0);
    ohc_proxy_list_parse(eps, &count, 8, "x:0 y:65536 z:abc :80 [::1 fe80::1:2 [::1]x", &invalid);
    assert_int_equal(invalid, 7);
    assert_int_equal(count, 5);
    size_t dropped = ohc_proxy_list_parse(eps, &count, 8, "c1:1;c2:1;c3:1;c4:1;c5:1", NULL);
    assert_int_equal(count, 8);
    assert_int_equal(dropped, 2);
    count = 0;
    assert_int_equal(ohc_proxy_list_parse(eps, &count, 8, NULL, NULL), 0);
    assert_int_equal(count, 0);
}

static void test_winhttp_differ(void **state)
{
    (void)state;
    uint8_t buf[128];
    const char *strs[] = {"p:3128", "<local>", NULL};
    size_t n = make_blob(buf, 0x18, 0, 3, strs);
    ohc_proxy_blob b, none;
    ohc_proxy_blob_decode(&b, buf, n, OHC_BLOB_WINHTTP);
    ohc_proxy_blob_decode(&none, NULL, 0, OHC_BLOB_WINHTTP);
    assert_false(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NAMED, "P:3128", "<LOCAL>", &b));
    assert_true(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NAMED, "q:3128", "<local>", &b));
    assert_true(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NAMED, "p:3128", NULL, &b));
    /* Wine and a real PC's blob (counter != 0): the API says direct, the registry a proxy. */
    assert_true(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NO_PROXY, NULL, NULL, &b));
    assert_false(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NO_PROXY, NULL, NULL, &none));
    assert_true(ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NAMED, "p:3128", NULL, &none));
    assert_false(ohc_proxy_winhttp_differ(0, 0, NULL, NULL, &b));
    ohc_proxy_blob_free(&b);
    ohc_proxy_blob_free(&none);
    assert_string_equal(ohc_winhttp_access_name(1), "no_proxy");
    assert_string_equal(ohc_winhttp_access_name(3), "named_proxy");
    assert_null(ohc_winhttp_access_name(2));
}

static void test_user_differs(void **state)
{
    (void)state;
    assert_false(ohc_proxy_user_differs(NULL, 0, NULL, NULL));
    assert_false(ohc_proxy_user_differs(NULL, 0, "p:1", NULL)); /* configured but off */
    assert_true(ohc_proxy_user_differs(NULL, 1, "p:1", NULL));
    assert_true(ohc_proxy_user_differs(NULL, 0, NULL, "http://wpad/proxy.pac"));
    assert_false(ohc_proxy_user_differs("p:1", 1, "P:1", NULL));
    assert_true(ohc_proxy_user_differs("p:1", 1, "q:1", NULL));
    assert_true(ohc_proxy_user_differs("p:1", 0, NULL, NULL));
    assert_false(ohc_proxy_user_differs("p:1", 0, NULL, "http://wpad/proxy.pac")); /* PAC may name p:1 */
}

static void test_hive_names(void **state)
{
    (void)state;
    assert_true(ohc_hive_name_is_user("S-1-5-21-0-0-0-1000"));
    assert_true(ohc_hive_name_is_user("S-1-12-1-1-2-3-4"));
    assert_false(ohc_hive_name_is_user("S-1-5-21-0-0-0-1000_Classes"));
    assert_false(ohc_hive_name_is_user("S-1-5-18"));
    assert_false(ohc_hive_name_is_user("S-1-5-19"));
    assert_false(ohc_hive_name_is_user("S-1-5-20"));
    assert_false(ohc_hive_name_is_user(".DEFAULT"));
    assert_false(ohc_hive_name_is_user("S-1-5-21-x"));
    assert_false(ohc_hive_name_is_user(NULL));
    assert_true(ohc_sid_is_service_account("S-1-5-18"));
    assert_false(ohc_sid_is_service_account("S-1-5-180"));
}

/* One user's Internet Settings as facts: values of the right type, a
 * wrong-typed ProxyEnable (a GPP REG_SZ) kept raw, the blob decoded, and the
 * proxies handed back for the reachability test. */
static void test_user_facts(void **state)
{
    (void)state;
    static const uint8_t sz_one[] = {'1', 0, 0, 0}; /* REG_SZ "1" */
    static const uint8_t server[] = {'p', 0, ':', 0, '8', 0, 0, 0};
    uint8_t blob[256];
    const char *strs[] = {"blobproxy:3128", "<local>", "", NULL};
    size_t n = make_blob(blob, 0x46, 0, 3, strs);
    cJSON *u = cJSON_CreateObject();
    ohc_proxy_user_values in;
    memset(&in, 0, sizeof in);
    in.proxy_enable = ohc_regval_to_json(OHC_REG_SZ, sz_one, sizeof sz_one, OHC_REG_DWORD);
    in.proxy_server = ohc_regval_to_json(OHC_REG_SZ, server, sizeof server, OHC_REG_SZ);
    in.connections = blob;
    in.connections_len = n;
    ohc_proxy_user_proxies found;
    int differs = ohc_proxy_user_facts(u, &in, NULL, &found);
    assert_true(differs == 0 || differs == 1);
    assert_null(in.proxy_enable); /* consumed */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(u, "proxy_enable")));
    const cJSON *wrong = cJSON_GetObjectItem(cJSON_GetObjectItem(u, "wrong_type_values"), "ProxyEnable");
    assert_non_null(wrong);
    assert_string_equal(cJSON_GetObjectItem(wrong, "type")->valuestring, "REG_SZ");
    assert_string_equal(cJSON_GetObjectItem(u, "proxy_server")->valuestring, "p:8");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(u, "auto_config_url")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(u, "auto_detect")));
    assert_string_equal(found.proxy_server, "p:8");
    assert_string_equal(found.blob_proxy, "blobproxy:3128");
    assert_non_null(cJSON_GetObjectItem(u, "connection_settings"));
    cJSON_Delete(u);

    /* nothing set at all: nulls, no blob, nothing to test */
    u = cJSON_CreateObject();
    memset(&in, 0, sizeof in);
    assert_int_equal(ohc_proxy_user_facts(u, &in, "winhttp:80", &found), 1); /* direct vs a WinHTTP proxy */
    assert_null(found.proxy_server);
    assert_null(found.blob_proxy);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(u, "auto_detect")));
    cJSON_Delete(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winhttp_blob),
        cmocka_unit_test(test_wininet_blob_with_pac),
        cmocka_unit_test(test_absent_blob),
        cmocka_unit_test(test_truncated_blobs),
        cmocka_unit_test(test_oversized_length),
        cmocka_unit_test(test_garbage_blobs),
        cmocka_unit_test(test_control_and_high_bytes),
        cmocka_unit_test(test_mask_credentials),
        cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_winhttp_differ),
        cmocka_unit_test(test_user_differs),
        cmocka_unit_test(test_hive_names),
        cmocka_unit_test(test_user_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
