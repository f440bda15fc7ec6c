/* The OAB manifest parser on the documented shape and on hostile input (each
 * refusal a clear message with its place), OAB URL targets, the allow-list,
 * --server pins, and the service's refusal to ask a host outside the
 * allow-list (no name resolution, no request). Natively and under Wine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h> /* mingw has it too */

#include "oab_check.h"
#include "oab_manifest.h"
#include "os.h"
#include "report.h"

static const char good[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAB>\n"
    "  <OAL id='5b1c0e3a-7d42-4c39-9f0e-2a6d81c4b7e5' dn='/' name='\\Default Global Address List'>\n"
    "    <Full seq='118' ver='32' size='2048311' uncompressedsize='9513020' "
    "SHA='3f786850e387550fdab836ed7e6dc881de23001b'>\n"
    "      5b1c0e3a-7d42-4c39-9f0e-2a6d81c4b7e5-data-118.lzx</Full>\n"
    "    <Template seq='118' ver='7' size='5794' uncompressedsize='25620' SHA='89e6' langid='0409' "
    "type='windows'>x-lng0409-118.lzx</Template>\n"
    "    <Diff seq='117' ver='32' size='4102' uncompressedsize='9512877' SHA='2aae'>x-binpatch-117.lzx</Diff>\n"
    "    <Diff seq='118' ver='32' size='3315' uncompressedsize='9513020' SHA='a94a'>x-binpatch-118.lzx</Diff>\n"
    "  </OAL>\n"
    "  <OAL id='2e3eaccd-85a0-4abe-84f8-603a49801bb6' dn='/guid=0123' name='&amp;Sales &#x41;'>"
    "<Full seq='4' ver='32' size='1' uncompressedsize='1' SHA='00'><![CDATA[s-data-4.lzx]]></Full></OAL>\n"
    "</OAB>\n";

static void test_manifest_documented_shape(void **state)
{
    (void)state;
    ohc_oab_manifest m;
    ohc_error err;
    assert_int_equal(ohc_oab_manifest_parse(&m, good, strlen(good), &err), OHC_OK);
    assert_int_equal(m.oal_count, 2);
    assert_string_equal(m.oals[0].name, "\\Default Global Address List");
    assert_string_equal(m.oals[1].name, "&Sales A");
    const ohc_oab_file *f = ohc_oab_manifest_full(&m, 0);
    assert_non_null(f);
    assert_int_equal(f->seq, 118);
    assert_int_equal(f->size, 2048311);
    assert_string_equal(f->name, "5b1c0e3a-7d42-4c39-9f0e-2a6d81c4b7e5-data-118.lzx");
    assert_string_equal(ohc_oab_manifest_full(&m, 1)->name, "s-data-4.lzx");
    cJSON *j = ohc_oab_manifest_to_json(&m);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "full_seq_max")->valueint, 118);
    cJSON *oal0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "oals"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(oal0, "diffs")), 2);
    cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(oal0, "templates"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "langid")->valuestring, "0409");
    cJSON_Delete(j);
    ohc_oab_manifest_free(&m);
}

/* Each hostile input is refused with a message containing `says`. */
static void expect_refused(const char *data, size_t len, int code, const char *says)
{
    ohc_oab_manifest m;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_oab_manifest_parse(&m, data, len, &err);
    if (rc != code || strstr(err.message, says) == NULL)
        fail_msg("expected %d '%s', got %d '%s'", code, says, rc, err.message);
    assert_int_equal(m.oal_count, 0);
    assert_null(m.oals);
    ohc_oab_manifest_free(&m);
}

static void test_manifest_hostile(void **state)
{
    (void)state;
    /* 10^6 elements: stopped at the element bound, not after a million allocations. */
    size_t n = 1000000, len = 5 + n * 4 + 6;
    char *many = malloc(len + 1);
    assert_non_null(many);
    memcpy(many, "<OAB>", 5);
    for (size_t i = 0; i < n; i++)
        memcpy(many + 5 + i * 4, "<x/>", 4);
    memcpy(many + 5 + n * 4, "</OAB>", 6);
    expect_refused(many, len, OHC_ELIMIT, "more than 20000 elements");
    free(many);
    /* A huge attribute. */
    char *attr = malloc(3000);
    assert_non_null(attr);
    strcpy(attr, "<OAB><OAL id='");
    memset(attr + 14, 'a', 2000);
    strcpy(attr + 2014, "'/></OAB>");
    expect_refused(attr, strlen(attr), OHC_ELIMIT, "attribute 'id' longer than 1024 bytes");
    free(attr);
    /* Entity expansion: no DTD at all, and no undeclared entity. */
    const char *lol = "<?xml version='1.0'?><!DOCTYPE OAB [<!ENTITY a 'lol'><!ENTITY b '&a;&a;&a;'>]><OAB>&b;</OAB>";
    expect_refused(lol, strlen(lol), OHC_EMALFORMED, "DOCTYPE");
    const char *ent = "<OAB><OAL name='&xxe;'/></OAB>";
    expect_refused(ent, strlen(ent), OHC_EMALFORMED, "entity '&xxe;' is not declared");
    /* Wrong encodings. */
    const char utf16[] = "\xFF\xFE<\0O\0A\0B\0/\0>\0";
    expect_refused(utf16, sizeof utf16 - 1, OHC_EMALFORMED, "UTF-16 byte order mark");
    const char utf16nobom[] = "<\0O\0A\0B\0/\0>\0";
    expect_refused(utf16nobom, sizeof utf16nobom - 1, OHC_EMALFORMED, "NUL byte");
    const char *latin1 = "<OAB><OAL name='M\xFCnchen'/></OAB>";
    expect_refused(latin1, strlen(latin1), OHC_EMALFORMED, "line 1, column 18: byte 0xFC is not UTF-8");
    const char *declared = "<?xml version='1.0' encoding='ISO-8859-1'?><OAB/>";
    expect_refused(declared, strlen(declared), OHC_EMALFORMED, "encoding 'ISO-8859-1' is not accepted");
    /* Not a manifest, truncated, nested too deep, a bad number, an HTML error page. */
    expect_refused("<html><body>404</body></html>", 29, OHC_EMALFORMED, "not <OAB>");
    expect_refused(good, 200, OHC_EMALFORMED, "");
    char deep[400] = "<OAB>";
    for (int i = 0; i < 20; i++)
        strcat(deep, "<a>");
    expect_refused(deep, strlen(deep), OHC_ELIMIT, "nested deeper than 16");
    const char *badnum = "<OAB><OAL><Full seq='12x'>f</Full></OAL></OAB>";
    expect_refused(badnum, strlen(badnum), OHC_EMALFORMED, "seq=\"12x\" is not a decimal number");
    expect_refused("", 0, OHC_EMALFORMED, "no root element");
}

static void test_targets_and_allow_list(void **state)
{
    (void)state;
    ohc_oab_target t;
    assert_int_equal(ohc_oab_target_from_url(&t, "https://Mail.Contoso.com/OAB/2E3EACCD-85a0-4abe-84f8-603a49801bb6/"
                                                 "oab.xml"),
                     OHC_OK);
    assert_string_equal(t.host, "mail.contoso.com");
    assert_string_equal(t.folder_url, "https://mail.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/");
    assert_int_equal(ohc_oab_target_from_url(&t, "https://[::1]:8443/oab/2e3eaccd-85a0-4abe-84f8-603a49801bb6/x.lzx"),
                     OHC_OK);
    assert_string_equal(t.folder_url, "https://[::1]:8443/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/");
    assert_int_not_equal(ohc_oab_target_from_url(&t, "https://u:p@h/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/"),
                         OHC_OK);
    assert_int_not_equal(ohc_oab_target_from_url(&t, "https://h/OAB/not-a-guid/oab.xml"), OHC_OK);
    assert_int_not_equal(ohc_oab_target_from_url(&t, "ftp://h/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/"), OHC_OK);

    /* URLs inside facts: a BITS job URL and an event string, the same OAB once. */
    cJSON *facts = cJSON_Parse("{\"bits\":{\"jobs\":[{\"urls\":[\"https://mail.contoso.com/OAB/"
                               "2e3eaccd-85a0-4abe-84f8-603a49801bb6/oab.xml\"]}]},\"events\":{\"x\":[\"failed for "
                               "https://MAIL.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/a.lzx (404)\"]}}");
    ohc_oab_targets ts;
    memset(&ts, 0, sizeof ts);
    ohc_oab_targets_add_facts(&ts, facts);
    assert_int_equal(ts.count, 1);
    assert_int_equal(ts.t[0].sources, OHC_OAB_SRC_BITS | OHC_OAB_SRC_EVENTS);
    cJSON_Delete(facts);

    assert_true(ohc_oab_host_allowed("mail.contoso.com", "contoso.com"));
    assert_true(ohc_oab_host_allowed("contoso.com", "fabrikam.com; contoso.com"));
    assert_false(ohc_oab_host_allowed("contoso.com", "*.contoso.com"));
    assert_true(ohc_oab_host_allowed("a.contoso.com", "*.contoso.com"));
    assert_false(ohc_oab_host_allowed("evilcontoso.com", "contoso.com"));
    assert_false(ohc_oab_host_allowed("contoso.com.evil.net", "contoso.com"));
    assert_false(ohc_oab_host_allowed("mail.contoso.com", ""));
    char why[128];
    assert_int_equal(ohc_oab_allow_list_check("contoso.com, *.fabrikam.com;10.0.0.1", why, sizeof why), 0);
    assert_int_equal(ohc_oab_allow_list_check("contoso.com/evil", why, sizeof why), 1);

    ohc_oab_pin pin;
    ohc_error err;
    assert_int_equal(ohc_oab_pin_parse(&pin, "Mail.contoso.com=127.0.0.2,[::1]", &err), OHC_OK);
    assert_string_equal(pin.host, "mail.contoso.com");
    assert_int_equal(pin.addr_count, 2);
    assert_string_equal(pin.addr[1], "::1");
    assert_int_not_equal(ohc_oab_pin_parse(&pin, "h=evil.example", &err), OHC_OK);
    assert_int_not_equal(ohc_oab_pin_parse(&pin, "h", &err), OHC_OK);
}

static int resolve_calls;
static int count_resolve(char (*out)[OHC_OAB_ADDR_MAX], size_t cap, size_t *out_count, const char *host, ohc_error *err)
{
    (void)out, (void)cap, (void)host, (void)err;
    resolve_calls++;
    *out_count = 0;
    return OHC_OK;
}

/* As the service, a URL a user planted (their BITS job) for a host outside
 * the allow-list is not resolved, not asked, and says why. */
static void test_service_skips_unlisted_host(void **state)
{
    (void)state;
    const char *urls[] = {"https://evil.example/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/oab.xml"};
    ohc_collect_options o = {.event_days = 1,
                             .oab_urls = urls,
                             .oab_url_count = 1,
                             .as_service = 1,
                             .oab_service_probing = 1,
                             .oab_allow_hosts = "contoso.com"};
    ohc_probe_context ctx = {&o, ohc_os_monotonic_ms() + 5000, NULL};
    ohc_oab_platform p = {count_resolve, NULL, 1};
    ohc_probe_output out = {cJSON_CreateObject(), OHC_PROBE_OK, {0, 0, ""}};
    resolve_calls = 0;
    ohc_oab_probe_collect(&out, &ctx, &p);
    assert_int_equal(resolve_calls, 0);
    assert_int_equal(out.status, OHC_PROBE_UNAVAILABLE);
    cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out.facts, "targets"), 0);
    const char *skipped = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "skipped"));
    assert_non_null(skipped);
    assert_non_null(strstr(skipped, "not in it"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "addresses")), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "credentials")));
    cJSON_Delete(out.facts);

    /* Listed, but the service's probing turned off. */
    o.oab_allow_hosts = "example";
    o.oab_service_probing = 0;
    out.facts = cJSON_CreateObject();
    out.status = OHC_PROBE_OK;
    ohc_oab_probe_collect(&out, &ctx, &p);
    t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out.facts, "targets"), 0);
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "skipped")), "OabProbeService"));
    assert_int_equal(resolve_calls, 0);
    cJSON_Delete(out.facts);
}

/* The service's daily budget: the checks of the last 24 hours in a small
 * file; a full budget skips every target and says when the next may run; a
 * damaged file counts as empty. */
static void test_daily_budget(void **state)
{
    (void)state;
    char base[512], id[37], path[700];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    assert_int_equal(ohc_uuid_v4(id, NULL), OHC_OK);
    snprintf(path, sizeof path, "%s%cohc-oab-budget-%s.json", base, ohc_os_path_sep(), id);
    int64_t day = 24 * 3600 * 1000LL, t0 = 1764500000000LL;
    unsigned used;
    char why[256], serr[300];
    assert_int_equal(ohc_oab_daily_budget_take(path, 2, t0, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 0);
    assert_string_equal(serr, "");
    assert_int_equal(ohc_oab_daily_budget_take(path, 2, t0 + 1000, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 1);
    assert_int_equal(ohc_oab_daily_budget_take(path, 2, t0 + 2000, &used, why, sizeof why, serr, sizeof serr), 0);
    assert_int_equal(used, 2);
    assert_non_null(strstr(why, "at most 2 OAB check(s) in 24 hours (OabProbeDailyLimit)"));
    assert_non_null(strstr(why, "after 2025-12-01T10:53:20")); /* t0 + 24 h */
    /* The first check leaves the window: one more may run. */
    assert_int_equal(ohc_oab_daily_budget_take(path, 2, t0 + day + 1, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 1);
    /* A damaged state: counted as empty, said so, and replaced. */
    assert_int_equal(ohc_os_write_file_atomic(path, "{\"times\": 5", 12, NULL), OHC_OK);
    assert_int_equal(ohc_oab_daily_budget_take(path, 1, t0 + 3 * day, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 0);
    assert_non_null(strstr(serr, "is not an OAB check budget"));
    assert_int_equal(ohc_oab_daily_budget_take(path, 1, t0 + 3 * day + 5, &used, why, sizeof why, serr, sizeof serr),
                     0);
    assert_string_equal(serr, "");
    /* Numbers no time can be (cJSON reads 1e400 as infinity): ignored, never cast. */
    const char *odd = "{\"times\": [1e400, -1e400, 1e300, -5, 1.5]}";
    assert_int_equal(ohc_os_write_file_atomic(path, odd, strlen(odd), NULL), OHC_OK);
    assert_int_equal(ohc_oab_daily_budget_take(path, 1, t0 + 4 * day, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 0);
    assert_string_equal(serr, "");
    /* A clock set back: a check recorded in the future does not block the budget. */
    assert_int_equal(
        ohc_oab_daily_budget_take(path, 1, t0 + 2 * day + 2 * 3600000LL, &used, why, sizeof why, serr, sizeof serr), 1);
    assert_int_equal(used, 0);

    /* In the probe: the budget spent, every target is skipped with the reason, nothing resolved. */
    assert_int_equal(ohc_os_remove(path, NULL), OHC_OK);
    const char *urls[] = {"https://mail.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/oab.xml"};
    ohc_collect_options o = {.event_days = 1,
                             .oab_urls = urls,
                             .oab_url_count = 1,
                             .as_service = 1,
                             .oab_service_probing = 1,
                             .oab_allow_hosts = "contoso.com",
                             .oab_budget_path = path,
                             .oab_daily_limit = 1};
    assert_int_equal(ohc_oab_daily_budget_take(path, 1, ohc_os_utc_now_ms(), &used, why, sizeof why, serr, sizeof serr),
                     1);
    ohc_probe_context ctx = {&o, ohc_os_monotonic_ms() + 5000, NULL};
    ohc_oab_platform p = {count_resolve, NULL, 1};
    ohc_probe_output out = {cJSON_CreateObject(), OHC_PROBE_OK, {0, 0, ""}};
    resolve_calls = 0;
    ohc_oab_probe_collect(&out, &ctx, &p);
    assert_int_equal(resolve_calls, 0);
    assert_int_equal(out.status, OHC_PROBE_UNAVAILABLE);
    cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out.facts, "targets"), 0);
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "skipped")), "OabProbeDailyLimit"));
    cJSON *b = cJSON_GetObjectItemCaseSensitive(out.facts, "daily_budget");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "exhausted")));
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(b, "used_before")->valuedouble, 1);
    cJSON_Delete(out.facts);
    assert_int_equal(ohc_os_remove(path, NULL), OHC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_documented_shape),
        cmocka_unit_test(test_manifest_hostile),
        cmocka_unit_test(test_targets_and_allow_list),
        cmocka_unit_test(test_service_skips_unlisted_host),
        cmocka_unit_test(test_daily_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
