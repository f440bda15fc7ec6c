/* The text and HTML renderings of a report with findings (hand-made, with
 * hostile values as a PC could hold them), and the exit code it maps to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char fixture[] =
    "{\"schema_version\":1,\"report_id\":\"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\","
    "\"generated_at\":\"2026-11-24T21:00:00.000Z\","
    "\"collector\":{\"name\":\"ohc\",\"version\":\"0.1.0\",\"build\":\"t\",\"platform\":\"p\"},"
    "\"host\":{\"computer_name\":\"PC<b>1</b>\",\"run_as\":{\"account\":\"x\\u001b[2Jy\",\"mode\":\"interactive\"}},"
    "\"probes\":{\"host\":{\"status\":\"ok\",\"error\":null,\"duration_ms\":5},"
    "\"bits\":{\"status\":\"partial\",\"error\":{\"message\":\"m<i>\"},\"duration_ms\":7}},"
    "\"facts\":{\"host\":{\"note\":\"</pre><script>alert(1)</script>\"}},"
    "\"findings\":["
    "{\"rule_id\":\"w.one\",\"severity\":\"warning\",\"title\":\"Warn title\",\"message\":\"warn msg\","
    " \"remediation\":[\"Restart Outlook.\"]},"
    "{\"rule_id\":\"i.one\",\"severity\":\"info\",\"title\":\"Info title\",\"message\":\"info msg\"},"
    "{\"rule_set\":\"builtin\",\"rule_id\":\"c.one\",\"severity\":\"critical\","
    " \"title\":\"Crit <script>alert(2)</script>\",\"message\":\"crit \\\"msg\\\" & more\","
    " \"evidence\":[{\"fact\":\"events.x\",\"value\":\"0x80190194\"},{\"fact\":\"k\",\"value\":\"<img src=x>\"}],"
    " \"remediation\":[{\"text\":\"Reset the proxy:\",\"commands\":[\"netsh winhttp reset proxy\",\"echo a<b\"]},"
    "   {\"text\":\"Then restart.\",\"command\":\"shutdown /r\"}],"
    " \"references\":[\"https://support.microsoft.com/kb/843483\",\"javascript:alert(3)\","
    "   {\"title\":\"T\",\"url\":\"https://example.com/?a=1&b=\\\"2\\\"\"}]},"
    "{\"rule_id\":\"e.one\",\"severity\":\"error\",\"title\":\"Err title\",\"message\":\"err msg\"}"
    "],\"errors\":[]}";

static cJSON *load(void)
{
    cJSON *r = cJSON_Parse(fixture);
    assert_non_null(r);
    return r;
}

static void test_text_order_and_content(void **state)
{
    (void)state;
    cJSON *r = load();
    char *t = ohc_report_to_text(r, 0);
    assert_non_null(t);
    const char *c = strstr(t, "[critical]"), *e = strstr(t, "[error]"), *w = strstr(t, "[warning]"),
               *i = strstr(t, "[info]");
    assert_non_null(c);
    assert_non_null(e);
    assert_non_null(w);
    assert_non_null(i);
    assert_true(c < e && e < w && w < i);
    assert_non_null(strstr(t, "Verdict: PROBLEM FOUND - 1 critical, 1 error, 1 warning, 1 info"));
    assert_non_null(strstr(t, "1. Reset the proxy:"));
    assert_non_null(strstr(t, "> netsh winhttp reset proxy"));
    assert_non_null(strstr(t, "> shutdown /r"));
    assert_non_null(strstr(t, "events.x: 0x80190194"));
    assert_non_null(strstr(t, "https://support.microsoft.com/kb/843483"));
    assert_non_null(strstr(t, "bits         partial"));
    /* no colour asked: no escape at all, and the ESC from the PC is neutralised */
    assert_null(strchr(t, '\033'));
    assert_non_null(strstr(t, "x?[2Jy"));
    free(t);

    t = ohc_report_to_text(r, 1);
    assert_non_null(t);
    assert_non_null(strstr(t, "\033[1;31m[critical]"));
    assert_null(strstr(t, "\033[2J")); /* the PC's escape stays neutralised with colour on */
    free(t);
    cJSON_Delete(r);
}

static void test_html_escapes_everything(void **state)
{
    (void)state;
    cJSON *r = load();
    char *h = ohc_report_to_html(r);
    assert_non_null(h);
    /* nothing from the report becomes markup */
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<img"));
    assert_null(strstr(h, "<b>1"));
    assert_null(strstr(h, "<i>"));
    assert_non_null(strstr(h, "Crit &lt;script&gt;alert(2)&lt;/script&gt;"));
    assert_non_null(strstr(h, "&lt;/pre&gt;&lt;script&gt;"));
    assert_non_null(strstr(h, "crit &quot;msg&quot; &amp; more"));
    /* only http(s) references are links; their attribute is escaped */
    assert_null(strstr(h, "href=\"javascript"));
    assert_non_null(strstr(h, "javascript:alert(3)"));
    assert_non_null(strstr(h, "href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\""));
    /* commands each in their own block */
    assert_non_null(strstr(h, "<pre><code>netsh winhttp reset proxy</code></pre>"));
    assert_non_null(strstr(h, "<pre><code>echo a&lt;b</code></pre>"));
    assert_non_null(strstr(h, "<pre><code>shutdown /r</code></pre>"));
    /* self-contained: a CSP that fetches nothing, no external reference */
    assert_non_null(strstr(h, "default-src 'none'"));
    assert_null(strstr(h, "src=\""));
    assert_null(strstr(h, "url("));
    assert_null(strstr(h, "@import"));
    /* severity order in the page too */
    assert_true(strstr(h, "c.one") < strstr(h, "e.one"));
    assert_true(strstr(h, "e.one") < strstr(h, "w.one"));
    assert_true(strstr(h, "w.one") < strstr(h, "i.one"));
    free(h);
    cJSON_Delete(r);
}

static void test_exit_codes(void **state)
{
    (void)state;
    cJSON *r = load();
    assert_int_equal(ohc_report_exit_code(r), 2);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(r, "findings");
    cJSON_DeleteItemFromArray(f, 3); /* error */
    cJSON_DeleteItemFromArray(f, 2); /* critical */
    assert_int_equal(ohc_report_exit_code(r), 1);
    cJSON_DeleteItemFromArray(f, 0); /* warning: only info left */
    /* no summary: no rule was evaluated, so nothing was checked: never "OK" */
    assert_int_equal(ohc_report_exit_code(r), 3);
    char *t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "Verdict: INCOMPLETE"));
    assert_null(strstr(t, "Verdict: OK"));
    assert_non_null(strstr(t, "no rule was evaluated"));
    free(t);
    t = ohc_report_to_html(r);
    assert_non_null(strstr(t, "verdict v-incomplete"));
    assert_null(strstr(t, "verdict v-ok"));
    free(t);
    /* every rule evaluated, nothing missing: OK */
    cJSON *sum = cJSON_AddObjectToObject(r, "summary");
    cJSON_AddNumberToObject(sum, "rules_evaluated", 14);
    cJSON *gaps = cJSON_AddArrayToObject(sum, "incomplete");
    assert_int_equal(ohc_report_exit_code(r), 0);
    t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "Verdict: OK"));
    free(t);
    /* a probe a rule needs did not run: incomplete (3) without findings, and said in every format */
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "source", "events");
    cJSON_AddStringToObject(g, "message", "the events probe was unavailable: event log API unavailable");
    cJSON *rules = cJSON_AddArrayToObject(g, "rules");
    cJSON_AddItemToArray(rules, cJSON_CreateString("OAB-HTTP-404"));
    cJSON_AddItemToArray(gaps, g);
    cJSON *nc = cJSON_AddArrayToObject(sum, "not_checked");
    cJSON_AddItemToArray(nc, cJSON_CreateObject());
    assert_int_equal(ohc_report_exit_code(r), 3);
    t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "Verdict: INCOMPLETE"));
    assert_non_null(strstr(t, "1 check(s) could not run"));
    assert_non_null(strstr(t, "the events probe was unavailable: event log API unavailable"));
    assert_non_null(strstr(t, "checks that could not run: OAB-HTTP-404"));
    free(t);
    t = ohc_report_to_html(r);
    assert_non_null(strstr(t, "verdict v-incomplete"));
    assert_non_null(strstr(t, "Checks that could not run: OAB-HTTP-404"));
    free(t);
    /* a warning keeps exit 1, and the gap is still said */
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "severity", "warning");
    cJSON_AddStringToObject(w, "title", "A warning title");
    cJSON_AddItemToArray(f, w);
    assert_int_equal(ohc_report_exit_code(r), 1);
    t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "Verdict: WARNING"));
    assert_non_null(strstr(t, "not everything could be checked"));
    assert_non_null(strstr(t, "Most likely cause: A warning title"));
    free(t);
    /* every probe failed: the collection failed whatever the findings */
    cJSON *probes = cJSON_GetObjectItemCaseSensitive(r, "probes");
    cJSON *p;
    cJSON_ArrayForEach(p, probes) cJSON_ReplaceItemInObjectCaseSensitive(p, "status", cJSON_CreateString("failed"));
    assert_int_equal(ohc_report_exit_code(r), 3);
    t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "COLLECTION FAILED"));
    free(t);
    cJSON_Delete(r);
}

static void test_odd_shapes_do_not_crash(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "{\"findings\":{},\"probes\":[],\"facts\":3}",
        "{\"findings\":[1,null,\"x\",{\"severity\":7,\"remediation\":{\"a\":1},\"evidence\":\"s\","
        "\"references\":[{},1]}]}",
        "{\"findings\":[{\"severity\":\"warning\",\"remediation\":[{\"commands\":[1,{}]},{}],"
        "\"evidence\":{\"a\":[1,2],\"b\":{\"c\":null}}}]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        cJSON *r = cJSON_Parse(docs[i]);
        assert_non_null(r);
        char *t = ohc_report_to_text(r, 1);
        char *h = ohc_report_to_html(r);
        assert_non_null(t);
        assert_non_null(h);
        free(t);
        free(h);
        cJSON_Delete(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_order_and_content),
        cmocka_unit_test(test_html_escapes_everything),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_odd_shapes_do_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
