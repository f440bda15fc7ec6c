/* The upload formats (collector/upload/upload_format.h): a report as an OTLP
 * ExportLogsServiceRequest and as Splunk HEC envelopes in batches, the URL
 * each posts to, the OTLP retry rule, the UploadFormat/UploadHeaders/HecIndex
 * settings. The payloads' decoding with the official OTLP definitions is
 * tests/integration/test_upload_formats.py (node and the generated code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "settings.h"
#include "upload.h"
#include "upload_format.h"

/* A report with two findings (evidence as the report schema writes it: an
 * object), a summary and two probes. */
static const char REPORT[] =
    "{\"schema_version\":1,\"report_id\":\"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\","
    "\"generated_at\":\"2026-11-24T21:00:00.250Z\","
    "\"collector\":{\"name\":\"ohc\",\"version\":\"9.8.7\"},"
    "\"host\":{\"computer_name\":\"PC-042\",\"architecture\":\"x64\",\"os\":{\"family\":\"windows\","
    "\"product_name\":\"Windows 11 Pro\",\"display_version\":\"23H2\",\"version\":\"10.0.22631\",\"build\":22631}},"
    "\"probes\":{\"host\":{\"status\":\"ok\"},\"bits\":{\"status\":\"partial\"}},"
    "\"findings\":["
    "{\"rule_id\":\"OAB-HTTP-404\",\"rule_set\":\"builtin\",\"severity\":\"error\",\"title\":\"t1\",\"message\":\"m1\","
    "\"evidence\":{\"urls\":[\"https://x/OAB/1\"],\"count\":3,\"ratio\":0.5,\"ok\":false,\"none\":null,"
    "\"deep\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}},\"empty\":[]},"
    "\"remediation\":[{\"text\":\"Do this:\",\"commands\":[\"cmd /c x\"]}]},"
    "{\"rule_id\":\"BITS-JOB-LIMIT\",\"severity\":\"critical\",\"title\":\"t2\",\"message\":\"m2\"}],"
    "\"summary\":{\"highest_severity\":\"critical\",\"verdict\":\"problem\",\"exit_code\":2,"
    "\"counts\":{\"info\":0,\"warning\":0,\"error\":1,\"critical\":1}}}";

static cJSON *attr(const cJSON *attrs, const char *key)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
        if (cJSON_IsString(k) && !strcmp(k->valuestring, key))
            return cJSON_GetObjectItemCaseSensitive(a, "value");
    }
    return NULL;
}

static const char *attr_str(const cJSON *attrs, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(attr(attrs, key), "stringValue");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

static void test_otlp_payload(void **state)
{
    (void)state;
    cJSON *report = cJSON_Parse(REPORT);
    assert_non_null(report);
    char *out = NULL;
    size_t len = 0;
    ohc_error err;
    assert_int_equal(ohc_otlp_logs_from_report(&out, &len, report, 1796000000123, &err), OHC_OK);
    assert_int_equal(len, strlen(out));
    cJSON *req = cJSON_Parse(out);
    assert_non_null(req);
    const cJSON *rl = cJSON_GetArrayItem(cJSON_GetObjectItem(req, "resourceLogs"), 0);
    const cJSON *rattrs = cJSON_GetObjectItem(cJSON_GetObjectItem(rl, "resource"), "attributes");
    assert_string_equal(attr_str(rattrs, "service.name"), "ohc");
    assert_string_equal(attr_str(rattrs, "service.version"), "9.8.7"); /* the version that made the report */
    assert_string_equal(attr_str(rattrs, "host.name"), "PC-042");
    assert_string_equal(attr_str(rattrs, "host.arch"), "amd64");
    assert_string_equal(attr_str(rattrs, "os.type"), "windows");
    assert_string_equal(attr_str(rattrs, "os.description"), "Windows 11 Pro 23H2");
    assert_string_equal(attr_str(rattrs, "os.version"), "10.0.22631");
    assert_string_equal(attr_str(rattrs, "os.build_id"), "22631");
    const cJSON *recs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(rl, "scopeLogs"), 0), "logRecords");
    assert_int_equal(cJSON_GetArraySize(recs), 3); /* the summary, then one per finding */

    const cJSON *sum = cJSON_GetArrayItem(recs, 0);
    const cJSON *sa = cJSON_GetObjectItem(sum, "attributes");
    assert_string_equal(attr_str(sa, "event.name"), "ohc.report");
    assert_string_equal(attr_str(sa, "report.verdict"), "problem");
    assert_int_equal(cJSON_GetObjectItem(sum, "severityNumber")->valueint, 21);
    assert_string_equal(cJSON_GetObjectItem(sum, "timeUnixNano")->valuestring, "1795554000250000000");
    assert_string_equal(cJSON_GetObjectItem(sum, "observedTimeUnixNano")->valuestring, "1796000000123000000");
    assert_string_equal(cJSON_GetObjectItem(attr(sa, "report.findings"), "intValue")->valuestring, "2");

    const cJSON *f1 = cJSON_GetArrayItem(recs, 1);
    const cJSON *fa = cJSON_GetObjectItem(f1, "attributes");
    assert_int_equal(cJSON_GetObjectItem(f1, "severityNumber")->valueint, 17);
    assert_string_equal(cJSON_GetObjectItem(f1, "severityText")->valuestring, "error");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(f1, "body"), "stringValue")->valuestring, "m1");
    assert_string_equal(attr_str(fa, "rule.id"), "OAB-HTTP-404");
    assert_string_equal(attr_str(fa, "report.id"), "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    /* evidence: each value with its OTLP type */
    const cJSON *urls = cJSON_GetObjectItem(cJSON_GetObjectItem(attr(fa, "evidence.urls"), "arrayValue"), "values");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(urls, 0), "stringValue")->valuestring,
                        "https://x/OAB/1");
    assert_string_equal(cJSON_GetObjectItem(attr(fa, "evidence.count"), "intValue")->valuestring, "3");
    assert_true(cJSON_GetObjectItem(attr(fa, "evidence.ratio"), "doubleValue")->valuedouble == 0.5);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(attr(fa, "evidence.ok"), "boolValue")));
    assert_int_equal(cJSON_GetArraySize(attr(fa, "evidence.none")), 0); /* null: an empty AnyValue */
    /* an empty list has no "values" (proto3 JSON leaves empty repeated fields out) */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(attr(fa, "evidence.empty"), "arrayValue")), 0);
    /* nesting past the limit is sent as JSON text */
    const cJSON *v = attr(fa, "evidence.deep");
    for (int d = 0; d < OHC_FORMAT_MAX_DEPTH && v != NULL; d++)
        v = cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "kvlistValue"), "values"), 0), "value");
    assert_non_null(v);
    assert_string_equal(cJSON_GetObjectItem(v, "stringValue")->valuestring, "{\"i\":1}");
    const cJSON *steps =
        cJSON_GetObjectItem(cJSON_GetObjectItem(attr(fa, "finding.remediation"), "arrayValue"), "values");
    assert_int_equal(cJSON_GetArraySize(steps), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 2), "severityNumber")->valueint, 21);
    cJSON_Delete(req);
    free(out);

    /* not an object: refused, nothing made */
    cJSON *arr = cJSON_Parse("[1]");
    assert_int_equal(ohc_otlp_logs_from_report(&out, &len, arr, 0, &err), OHC_EMALFORMED);
    assert_null(out);
    cJSON_Delete(arr);
    cJSON_Delete(report);
}

static void test_severity_numbers(void **state)
{
    (void)state;
    assert_int_equal(ohc_otlp_severity_number("info"), 9);
    assert_int_equal(ohc_otlp_severity_number("none"), 9);
    assert_int_equal(ohc_otlp_severity_number("warning"), 13);
    assert_int_equal(ohc_otlp_severity_number("error"), 17);
    assert_int_equal(ohc_otlp_severity_number("critical"), 21);
    assert_int_equal(ohc_otlp_severity_number("bogus"), 0);
    assert_int_equal(ohc_otlp_severity_number(NULL), 0);
}

/* Splits a HEC batch into its envelopes. */
static int envelopes(cJSON **out, int max, const char *batch)
{
    int n = 0;
    const char *p = batch;
    while (*p != '\0' && n < max) {
        const char *end = NULL;
        out[n] = cJSON_ParseWithOpts(p, &end, 0);
        if (out[n] == NULL)
            return -1;
        n++;
        p = end;
        while (*p == '\n')
            p++;
    }
    return n;
}

static void test_hec_batches(void **state)
{
    (void)state;
    cJSON *report = cJSON_Parse(REPORT);
    ohc_upload_bodies b;
    ohc_error err;
    /* one batch holds everything */
    assert_int_equal(ohc_hec_batches_from_report(&b, report, "ohc_idx", 1 << 20, &err), OHC_OK);
    assert_int_equal(b.count, 1);
    cJSON *e[8];
    assert_int_equal(envelopes(e, 8, b.data[0]), 3);
    assert_string_equal(cJSON_GetObjectItem(e[0], "sourcetype")->valuestring, "ohc:report");
    assert_string_equal(cJSON_GetObjectItem(e[1], "sourcetype")->valuestring, "ohc:finding");
    for (int i = 0; i < 3; i++) {
        assert_true(cJSON_GetObjectItem(e[i], "time")->valuedouble == 1795554000.25);
        assert_string_equal(cJSON_GetObjectItem(e[i], "host")->valuestring, "PC-042");
        assert_string_equal(cJSON_GetObjectItem(e[i], "source")->valuestring, "ohc");
        assert_string_equal(cJSON_GetObjectItem(e[i], "index")->valuestring, "ohc_idx");
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(e[i], "fields")) assert_true(cJSON_IsString(f)); /* HEC: strings */
    }
    const cJSON *ev = cJSON_GetObjectItem(e[2], "event");
    assert_string_equal(cJSON_GetObjectItem(ev, "rule_id")->valuestring, "BITS-JOB-LIMIT");
    assert_string_equal(cJSON_GetObjectItem(ev, "report_id")->valuestring, "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e[2], "fields"), "severity")->valuestring, "critical");
    for (int i = 0; i < 3; i++)
        cJSON_Delete(e[i]);
    ohc_upload_bodies_free(&b);

    /* small batches: each within the size, or one envelope alone; none lost */
    assert_int_equal(ohc_hec_batches_from_report(&b, report, NULL, 300, &err), OHC_OK);
    assert_int_equal(b.count, 3);
    int total = 0;
    for (size_t i = 0; i < b.count; i++) {
        int n = envelopes(e, 8, b.data[i]);
        assert_true(n >= 1);
        assert_true(b.len[i] <= 300 || n == 1);
        assert_null(cJSON_GetObjectItem(e[0], "index")); /* none given: the token's default */
        for (int k = 0; k < n; k++)
            cJSON_Delete(e[k]);
        total += n;
    }
    assert_int_equal(total, 3);
    ohc_upload_bodies_free(&b);
    cJSON_Delete(report);
}

static void test_format_urls_and_retries(void **state)
{
    (void)state;
    char u[256];
    ohc_upload_format f;
    assert_int_equal(ohc_upload_format_parse(&f, "Splunk-HEC"), OHC_OK);
    assert_int_equal(f, OHC_UPLOAD_FORMAT_HEC);
    assert_int_equal(ohc_upload_format_parse(&f, "hec"), OHC_EINVAL);
    assert_int_equal(ohc_upload_format_url(u, sizeof u, OHC_UPLOAD_FORMAT_OTLP, "https://c:4318"), OHC_OK);
    assert_string_equal(u, "https://c:4318/v1/logs");
    assert_int_equal(ohc_upload_format_url(u, sizeof u, OHC_UPLOAD_FORMAT_HEC, "https://s:8088/"), OHC_OK);
    assert_string_equal(u, "https://s:8088/services/collector/event");
    assert_int_equal(ohc_upload_format_url(u, sizeof u, OHC_UPLOAD_FORMAT_OTLP, "https://c/otel/v1/logs"), OHC_OK);
    assert_string_equal(u, "https://c/otel/v1/logs"); /* a path: as it is */
    assert_int_equal(ohc_upload_format_url(u, sizeof u, OHC_UPLOAD_FORMAT_REPORT, "https://r"), OHC_OK);
    assert_string_equal(u, "https://r");
    assert_int_equal(ohc_upload_format_url(u, 12, OHC_UPLOAD_FORMAT_OTLP, "https://c:4318"), OHC_ELIMIT);

    /* OTLP: only 429, 502, 503, 504 and no answer are retried */
    static const long retried[] = {0, 429, 502, 503, 504};
    static const long refused[] = {400, 401, 408, 413, 500, 501, 505, 307};
    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++)
        assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_OTLP, retried[i]), OHC_UPLOAD_RETRY);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_OTLP, refused[i]), OHC_UPLOAD_REJECTED);
    assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_OTLP, 200), OHC_UPLOAD_DELIVERED);
    /* HEC and the report: as before (500 and 408 are retried, 400 is not) */
    assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_HEC, 500), OHC_UPLOAD_RETRY);
    assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_HEC, 400), OHC_UPLOAD_REJECTED);
    assert_int_equal(ohc_upload_classify_for(OHC_UPLOAD_FORMAT_REPORT, 408), OHC_UPLOAD_RETRY);
}

static void test_headers(void **state)
{
    (void)state;
    ohc_upload_bodies h;
    ohc_error err;
    assert_int_equal(ohc_upload_headers_parse(&h, "api-key=s3cr%3Dt , X-Scope-OrgID=tenant1,", &err), OHC_OK);
    assert_int_equal(h.count, 2);
    assert_string_equal(h.data[0], "api-key: s3cr=t");
    assert_string_equal(h.data[1], "X-Scope-OrgID: tenant1");
    ohc_upload_bodies_free(&h);
    assert_int_equal(ohc_upload_headers_parse(&h, "", &err), OHC_OK);
    assert_int_equal(h.count, 0);
    static const char *const bad[] = {"novalue",       "=x",   "bad name=x", "content-type=text/plain",
                                      "a=b%0d%0aX: y", "a=%4", "a=%zz",      "Host=evil"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ohc_error_clear(&err);
        assert_int_not_equal(ohc_upload_headers_parse(&h, bad[i], &err), OHC_OK);
        assert_int_equal(h.count, 0);
        assert_null(strstr(err.message, "b%0d")); /* the value (a secret) is not repeated */
    }
    char why[160];
    assert_int_equal(ohc_upload_headers_check("k=very-secret", why, sizeof why), 0);
    assert_int_not_equal(ohc_upload_headers_check("k very-secret", why, sizeof why), 0);
    assert_null(strstr(why, "very-secret"));
}

static void test_settings(void **state)
{
    (void)state;
    ohc_config cfg;
    ohc_error err;
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_FORMAT), "report");
    assert_int_equal(ohc_config_num(&cfg, OHC_SET_UPLOAD_BATCH_KB), 512);
    assert_int_equal(ohc_config_set_assignment(&cfg, "UploadFormat=OTLP", &err), OHC_OK);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_UPLOAD_FORMAT), "otlp"); /* the table's spelling */
    assert_int_equal(ohc_config_set_assignment(&cfg, "UploadFormat=hec", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "HecIndex=Main", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "HecIndex=ohc_fleet-1", &err), OHC_OK);
    assert_int_equal(ohc_config_set_assignment(&cfg, "UploadBatchKB=0", &err), OHC_EINVAL);
    assert_int_equal(ohc_config_set_assignment(&cfg, "UploadHeaders=api-key=topsecret", &err), OHC_OK);
    char buf[64];
    assert_string_equal(ohc_config_display(&cfg, OHC_SET_UPLOAD_HEADERS, buf, sizeof buf), "********");
    assert_int_equal(ohc_config_set_assignment(&cfg, "UploadHeaders=api key=topsecret", &err), OHC_EINVAL);
    assert_null(strstr(err.message, "topsecret"));
    ohc_config_free(&cfg);
}

static void test_hec_needs_token(void **state)
{
    (void)state;
    ohc_upload_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "https://splunk.example:8088";
    cfg.format = OHC_UPLOAD_FORMAT_HEC;
    ohc_uploader *u = NULL;
    ohc_error err;
    assert_int_equal(ohc_uploader_new(&u, &cfg, &err), OHC_EINVAL);
    assert_non_null(strstr(err.message, "HEC token"));
    assert_null(u);
    cfg.headers = "Authorization=Splunk%20from-headers"; /* the token given as a header instead */
    assert_int_equal(ohc_uploader_new(&u, &cfg, &err), OHC_OK);
    ohc_uploader_free(u);
    cfg.token = "tok";
    cfg.headers = "bad header";
    assert_int_equal(ohc_uploader_new(&u, &cfg, &err), OHC_EINVAL);
    cfg.headers = "X-A=1";
    assert_int_equal(ohc_uploader_new(&u, &cfg, &err), OHC_OK);
    assert_string_equal(ohc_uploader_url(u), "https://splunk.example:8088/services/collector/event");
    ohc_uploader_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_otlp_payload),    cmocka_unit_test(test_severity_numbers),
        cmocka_unit_test(test_hec_batches),     cmocka_unit_test(test_format_urls_and_retries),
        cmocka_unit_test(test_headers),         cmocka_unit_test(test_settings),
        cmocka_unit_test(test_hec_needs_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
