/* The portable halves of the upload: URL policy, gzip, Retry-After, outcome
 * of a status, backoff, redaction, proxy lists and NO_PROXY, and the spool
 * (names, bounds, quarantine, the dropped counter) on the real file system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h> /* rmdir, for the cleanup; mingw has it too */
#include <zlib.h>

#include "os.h"
#include "scratch_dir.h"
#include "report.h"
#include "spool.h"
#include "upload.h"
#include "upload_proxy.h"

static void test_url_policy(void **state)
{
    (void)state;
    ohc_error e;
    assert_int_equal(ohc_upload_check_url("https://r.example/x", 0, &e), OHC_OK);
    assert_int_equal(ohc_upload_check_url("http://r.example/x", 0, &e), OHC_EINVAL);
    assert_non_null(strstr(e.message, "--allow-http"));
    assert_int_equal(ohc_upload_check_url("http://r.example/x", 1, &e), OHC_OK);
    assert_int_equal(ohc_upload_check_url("ftp://r.example/x", 1, &e), OHC_EINVAL);
    assert_int_equal(ohc_upload_check_url("HTTPS://", 0, &e), OHC_EINVAL);
    assert_int_equal(ohc_upload_check_url("", 0, &e), OHC_EINVAL);
    assert_int_equal(ohc_upload_check_url(NULL, 0, &e), OHC_EINVAL);
}

static void test_gzip_round_trip(void **state)
{
    (void)state;
    char json[4096];
    for (size_t i = 0; i < sizeof json; i++)
        json[i] = "{\"a\": [1, 2, 3]}"[i % 16];
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    assert_int_equal(ohc_upload_gzip(&gz, &gz_len, json, sizeof json, NULL), OHC_OK);
    assert_true(gz_len < sizeof json / 4);
    assert_int_equal(gz[0], 0x1f); /* gzip magic */
    assert_int_equal(gz[1], 0x8b);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    char back[8192];
    zs.next_in = gz;
    zs.avail_in = (uInt)gz_len;
    zs.next_out = (Bytef *)back;
    zs.avail_out = sizeof back;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, sizeof json);
    assert_memory_equal(back, json, sizeof json);
    inflateEnd(&zs);
    free(gz);
    /* empty input is still a valid gzip stream */
    assert_int_equal(ohc_upload_gzip(&gz, &gz_len, "", 0, NULL), OHC_OK);
    assert_true(gz_len >= 18);
    free(gz);
}

static void test_retry_after(void **state)
{
    (void)state;
    uint32_t ms;
    assert_int_equal(ohc_upload_parse_retry_after(&ms, " 120", 0), OHC_OK);
    assert_int_equal(ms, 120000);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "0\r\n", 0), OHC_OK);
    assert_int_equal(ms, 0);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "99999999999999999999", 0), OHC_OK);
    assert_int_equal(ms, 4000000000u); /* capped, no overflow */
    /* 1994-11-06T08:49:37Z = 784111777 s */
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "Sun, 06 Nov 1994 08:49:37 GMT", 784111777000ll - 5000), OHC_OK);
    assert_int_equal(ms, 5000);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "Sun, 06 Nov 1994 08:49:37 GMT", 784111777000ll + 1), OHC_OK);
    assert_int_equal(ms, 0); /* in the past */
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "soon", 0), OHC_EMALFORMED);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "12abc", 0), OHC_EMALFORMED);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "Sun, 06 Foo 1994 08:49:37 GMT", 0), OHC_EMALFORMED);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "Sun, 06 Nov 1994 08:49:37 CET", 0), OHC_EMALFORMED);
    assert_int_equal(ohc_upload_parse_retry_after(&ms, "", 0), OHC_EMALFORMED);
}

static void test_classify_and_backoff(void **state)
{
    (void)state;
    assert_int_equal(ohc_upload_classify(200), OHC_UPLOAD_DELIVERED);
    assert_int_equal(ohc_upload_classify(204), OHC_UPLOAD_DELIVERED);
    long retry[] = {0, 408, 429, 500, 502, 503, 504, 599};
    for (size_t i = 0; i < sizeof retry / sizeof retry[0]; i++)
        assert_int_equal(ohc_upload_classify(retry[i]), OHC_UPLOAD_RETRY);
    long reject[] = {100, 301, 307, 400, 401, 403, 404, 409, 413, 422};
    for (size_t i = 0; i < sizeof reject / sizeof reject[0]; i++)
        assert_int_equal(ohc_upload_classify(reject[i]), OHC_UPLOAD_REJECTED);

    /* exponential, capped, jitter within [d/2, d] */
    assert_int_equal(ohc_upload_backoff_ms(1, 1000, 60000, 0), 500);
    assert_int_equal(ohc_upload_backoff_ms(1, 1000, 60000, 500), 1000);
    assert_int_equal(ohc_upload_backoff_ms(3, 1000, 60000, 0), 2000);
    assert_int_equal(ohc_upload_backoff_ms(40, 1000, 60000, 0xFFFFFFFFu) <= 60000, 1);
    assert_int_equal(ohc_upload_backoff_ms(40, 1000, 60000, 0), 30000);
    for (uint32_t r = 0; r < 5000; r += 7) {
        uint32_t d = ohc_upload_backoff_ms(2, 1000, 60000, r);
        assert_true(d >= 1000 && d <= 2000);
    }
}

static void test_redact(void **state)
{
    (void)state;
    char out[128];
    ohc_upload_redact_url(out, sizeof out, "http://bob:hunter2@proxy:8080/");
    assert_string_equal(out, "http://***@proxy:8080/");
    ohc_upload_redact_url(out, sizeof out, "http://proxy:8080");
    assert_string_equal(out, "http://proxy:8080");
    ohc_upload_redact_url(out, sizeof out, "https://h/p?x=a@b");
    assert_string_equal(out, "https://h/p?x=a@b"); /* an @ after the host is not userinfo */
    ohc_upload_redact_url(out, sizeof out, "");
    assert_string_equal(out, "");
}

static void test_proxy_lists(void **state)
{
    (void)state;
    char host[64], p[128];
    assert_int_equal(ohc_upload_url_host(host, sizeof host, "https://U:P@Reports.Contoso.com:8443/x"), OHC_OK);
    assert_string_equal(host, "reports.contoso.com");
    assert_int_equal(ohc_upload_url_host(host, sizeof host, "http://[::1]:80/"), OHC_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(ohc_upload_url_host(host, sizeof host, "nourl"), OHC_EINVAL);

    assert_true(ohc_upload_proxy_bypassed("intranet", "<local>"));
    assert_false(ohc_upload_proxy_bypassed("a.contoso.com", "<local>"));
    assert_true(ohc_upload_proxy_bypassed("a.contoso.com", "foo;*.contoso.com"));
    assert_true(ohc_upload_proxy_bypassed("contoso.com", "*.contoso.com"));
    assert_false(ohc_upload_proxy_bypassed("notcontoso.com", "*.contoso.com"));
    assert_true(ohc_upload_proxy_bypassed("a.b.contoso.com", ".contoso.com"));
    assert_true(ohc_upload_proxy_bypassed("a.contoso.com", "x.org, contoso.com"));
    assert_false(ohc_upload_proxy_bypassed("evilcontoso.com", "contoso.com"));
    assert_true(ohc_upload_proxy_bypassed("10.1.2.3", "10.*"));
    assert_true(ohc_upload_proxy_bypassed("127.0.0.1", "localhost,127.0.0.1:8080"));
    assert_true(ohc_upload_proxy_bypassed("anything", "*"));
    assert_false(ohc_upload_proxy_bypassed("anything", ""));
    assert_false(ohc_upload_proxy_bypassed("anything", NULL));

    ohc_upload_proxy_pick(p, sizeof p, "proxy:3128", "https");
    assert_string_equal(p, "http://proxy:3128");
    ohc_upload_proxy_pick(p, sizeof p, "http=a:80;https=b:81", "https");
    assert_string_equal(p, "http://b:81");
    ohc_upload_proxy_pick(p, sizeof p, "http=a:80;https=b:81", "http");
    assert_string_equal(p, "http://a:80");
    ohc_upload_proxy_pick(p, sizeof p, "ftp=a:21", "https");
    assert_string_equal(p, "");
    ohc_upload_proxy_pick(p, sizeof p, "p1:1 p2:2", "https");
    assert_string_equal(p, "http://p1:1");
    ohc_upload_proxy_pick(p, sizeof p, "DIRECT", "https");
    assert_string_equal(p, "");
    ohc_upload_proxy_pick(p, sizeof p, "", "https");
    assert_string_equal(p, "");
}

static const char *fake_env_vals[16];
static const char *fake_env_names[16];
static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; fake_env_names[i] != NULL; i++)
        if (!strcmp(fake_env_names[i], name))
            return fake_env_vals[i];
    return NULL;
}
static void set_env(size_t i, const char *n, const char *v)
{
    fake_env_names[i] = n;
    fake_env_vals[i] = v;
    fake_env_names[i + 1] = NULL;
}

static void test_proxy_env(void **state)
{
    (void)state;
    ohc_upload_proxy pr;
    fake_env_names[0] = NULL;
    ohc_upload_proxy_from_env(&pr, "https://r.example/", fake_getenv);
    assert_string_equal(pr.url, "");
    set_env(0, "HTTPS_PROXY", "proxy:3128");
    ohc_upload_proxy_from_env(&pr, "https://r.example/", fake_getenv);
    assert_string_equal(pr.url, "http://proxy:3128");
    assert_string_equal(pr.source, "HTTPS_PROXY");
    /* upper-case HTTP_PROXY is ignored (httpoxy); lower case counts */
    set_env(0, "HTTP_PROXY", "evil:1");
    ohc_upload_proxy_from_env(&pr, "http://r.example/", fake_getenv);
    assert_string_equal(pr.url, "");
    set_env(0, "http_proxy", "http://p:8080");
    ohc_upload_proxy_from_env(&pr, "http://r.example/", fake_getenv);
    assert_string_equal(pr.url, "http://p:8080");
    set_env(1, "NO_PROXY", ".example");
    ohc_upload_proxy_from_env(&pr, "http://r.example/", fake_getenv);
    assert_string_equal(pr.url, "");
    assert_string_equal(pr.source, "NO_PROXY");
}

static size_t count_files(const char *dir, const char *suffix)
{
    ohc_os_dirent *v = NULL;
    size_t n = 0, k = 0;
    if (ohc_os_list_dir(&v, &n, dir, NULL) != OHC_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i].name), sl = strlen(suffix);
        k += l >= sl && !strcmp(v[i].name + l - sl, suffix);
    }
    ohc_os_dirents_free(v, n);
    return k;
}

static void test_spool(void **state)
{
    (void)state;
    char dir[700];
    scratch_dir(dir, sizeof dir, "spool-unit");
    ohc_spool_limits lim = {3, 1u << 20, 30};
    ohc_spool sp;
    assert_int_equal(ohc_spool_open(&sp, dir, &lim, NULL), OHC_OK);
    assert_int_equal(ohc_spool_dropped(&sp), 0);

    char ids[5][37], names[5][64];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ohc_uuid_v4(ids[i], NULL), OHC_OK);
        char json[128];
        snprintf(json, sizeof json, "{\"report_id\":\"%.36s\"}", ids[i]);
        unsigned dropped = 9;
        assert_int_equal(ohc_spool_add(&sp, names[i], &dropped, ids[i], json, strlen(json), NULL), OHC_OK);
        assert_true(ohc_spool_name_valid(names[i]));
        assert_int_equal(dropped, i >= 3 ? 1 : 0);
        ohc_os_sleep_ms(2); /* distinct creation times */
    }
    /* the two oldest went, and the counter says so */
    ohc_spool_entry *v = NULL;
    size_t n = 0;
    assert_int_equal(ohc_spool_list(&v, &n, &sp, NULL), OHC_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i].name, names[i + 2]); /* oldest first */
    free(v);
    assert_int_equal(ohc_spool_dropped(&sp), 2);
    ohc_spool_dropped_consume(&sp, 2);
    assert_int_equal(ohc_spool_dropped(&sp), 0);

    /* a bad id is refused before anything is written */
    ohc_error e;
    assert_int_equal(ohc_spool_add(&sp, NULL, NULL, "../../etc/passwd", "{}", 2, &e), OHC_EMALFORMED);
    assert_int_equal(ohc_spool_add(&sp, NULL, NULL, NULL, "{}", 2, &e), OHC_EMALFORMED);

    /* age: a report named as a year old is dropped by the next enforce */
    char old[800];
    snprintf(old, sizeof old, "%s%c0000000000001-%s.json", dir, sp.sep, ids[0]);
    assert_int_equal(ohc_os_write_file_atomic(old, "{}", 2, NULL), OHC_OK);
    unsigned dropped = 0;
    assert_int_equal(ohc_spool_enforce(&sp, ohc_os_utc_now_ms(), NULL, &dropped, NULL), OHC_OK);
    assert_int_equal(dropped, 1);

    /* a *.json not named as ours is quarantined by the listing, not listed */
    char stray[800];
    snprintf(stray, sizeof stray, "%s%cstray.json", dir, sp.sep);
    assert_int_equal(ohc_os_write_file_atomic(stray, "x", 1, NULL), OHC_OK);
    assert_int_equal(ohc_spool_list(&v, &n, &sp, NULL), OHC_OK);
    assert_int_equal(n, 3);
    free(v);
    char q[800];
    snprintf(q, sizeof q, "%s%cquarantine", dir, sp.sep);
    assert_int_equal(count_files(q, ".json"), 1);
    assert_int_equal(count_files(q, ".txt"), 1);

    /* rejected/ keeps the answer beside the report */
    assert_int_equal(ohc_spool_set_aside(&sp, names[2], "rejected", "HTTP 400\nbad\n", NULL), OHC_OK);
    snprintf(q, sizeof q, "%s%crejected", dir, sp.sep);
    assert_int_equal(count_files(q, ".json"), 1);
    /* deleting twice is fine (a concurrent drain delivered it) */
    assert_int_equal(ohc_spool_remove(&sp, names[3], NULL), OHC_OK);
    assert_int_equal(ohc_spool_remove(&sp, names[3], NULL), OHC_OK);
    assert_int_equal(count_files(dir, ".json"), 1);

    /* names */
    assert_false(ohc_spool_name_valid("1700000000000-6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B.json"));
    assert_false(ohc_spool_name_valid("170000000000x-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.json"));
    assert_false(ohc_spool_name_valid("1700000000000-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.json.tmp.1"));
    assert_true(ohc_spool_name_valid("1700000000000-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.json"));
    remove_scratch_spool(dir);
}

static void test_uploader_refuses_bad_config(void **state)
{
    (void)state;
    ohc_upload_config cfg;
    memset(&cfg, 0, sizeof cfg);
    ohc_uploader *u = NULL;
    ohc_error e;
    cfg.url = "http://127.0.0.1:9/";
    assert_int_equal(ohc_uploader_new(&u, &cfg, &e), OHC_EINVAL);
    assert_null(u);
    cfg.url = "https://127.0.0.1:9/";
    cfg.token = "abc\r\nX-Injected: 1";
    assert_int_equal(ohc_uploader_new(&u, &cfg, &e), OHC_EINVAL);
    assert_null(strstr(e.message, "abc")); /* the token is never echoed */
    assert_null(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_policy),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_classify_and_backoff),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_proxy_lists),
        cmocka_unit_test(test_proxy_env),
        cmocka_unit_test(test_spool),
        cmocka_unit_test(test_uploader_refuses_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
