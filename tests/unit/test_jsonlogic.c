/* The JSON Logic engine: the shared conformance suite (every case must pass),
 * the documented extensions, and hostile rules that must end with an error,
 * not a hang or a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "jsonlogic.h"
#include "os.h"

static int deep_equal(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsBool(a) && cJSON_IsBool(b))
        return cJSON_IsTrue(a) == cJSON_IsTrue(b);
    if (cJSON_IsNull(a) && cJSON_IsNull(b))
        return 1;
    if ((cJSON_IsArray(a) && cJSON_IsArray(b)) || (cJSON_IsObject(a) && cJSON_IsObject(b))) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return 0;
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next) {
            if (cJSON_IsObject(a))
                y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!deep_equal(x, y))
                return 0;
            if (cJSON_IsObject(a))
                y = x; /* keep the walk on a */
        }
        return 1;
    }
    return 0;
}

/* Evaluates rule text over data text and returns the printed result (caller frees), or NULL on error. */
static char *eval_text(const char *rule, const char *data, const ohc_jl_options *opts, ohc_error *err)
{
    cJSON *r = cJSON_Parse(rule), *d = data ? cJSON_Parse(data) : NULL;
    assert_non_null(r);
    cJSON *out = NULL;
    char *s = NULL;
    if (ohc_jl_apply(&out, r, d, opts, err) == OHC_OK) {
        s = cJSON_PrintUnformatted(out);
        cJSON_Delete(out);
    }
    cJSON_Delete(r);
    cJSON_Delete(d);
    return s;
}

static void expect(const char *rule, const char *data, const char *want)
{
    ohc_error err;
    ohc_error_clear(&err);
    char *got = eval_text(rule, data, NULL, &err);
    if (got == NULL)
        fail_msg("%s: error %s", rule, err.message);
    if (strcmp(got, want) != 0)
        fail_msg("%s over %s: got %s, want %s", rule, data ? data : "null", got, want);
    free(got);
}

static void test_conformance(void **state)
{
    (void)state;
    char dir[1024];
    if (ohc_os_getenv("OHC_SHARED_DIR", dir, sizeof dir) != OHC_OK)
        fail_msg("OHC_SHARED_DIR is not set (ctest sets it)");
    char path[1200];
#ifdef _WIN32
    /* a Unix path under Wine: drive Z: is / */
    snprintf(path, sizeof path, "%s%s/conformance/jsonlogic-tests.json", dir[0] == '/' ? "Z:" : "", dir);
#else
    snprintf(path, sizeof path, "%s/conformance/jsonlogic-tests.json", dir);
#endif
    char *text = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_os_read_file(&text, &len, path, 1 << 22, &err) != OHC_OK)
        fail_msg("%s: %s", path, err.message);
    cJSON *suite = cJSON_Parse(text);
    free(text);
    assert_non_null(suite);
    int cases = 0, failed = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, suite)
    {
        if (!cJSON_IsArray(c))
            continue; /* a section title */
        cases++;
        const cJSON *rule = cJSON_GetArrayItem(c, 0), *data = cJSON_GetArrayItem(c, 1),
                    *want = cJSON_GetArrayItem(c, 2);
        cJSON *got = NULL;
        ohc_error_clear(&err);
        int rc = ohc_jl_apply(&got, rule, data, NULL, &err);
        if (rc != OHC_OK || !deep_equal(got, want)) {
            char *r = cJSON_PrintUnformatted(rule), *g = got ? cJSON_PrintUnformatted(got) : NULL,
                 *w = cJSON_PrintUnformatted(want);
            print_error("FAIL %s: got %s, want %s %s\n", r, g ? g : "(error)", w, rc ? err.message : "");
            free(r);
            free(g);
            free(w);
            failed++;
        }
        cJSON_Delete(got);
    }
    cJSON_Delete(suite);
    print_message("conformance: %d of %d cases pass\n", cases - failed, cases);
    assert_true(cases >= 270); /* the whole published suite was read */
    assert_int_equal(failed, 0);
}

static void test_coercions(void **state)
{
    (void)state;
    expect("{\"==\":[null,0]}", NULL, "false");
    expect("{\"==\":[null,null]}", NULL, "true");
    expect("{\"==\":[true,1]}", NULL, "true");
    expect("{\"==\":[\"\",0]}", NULL, "true");
    expect("{\"==\":[[1],1]}", NULL, "true");
    expect("{\"<\":[\"a\",\"b\"]}", NULL, "true");
    expect("{\"<\":[\"10\",\"9\"]}", NULL, "true"); /* both strings: text order, as JavaScript */
    expect("{\"<\":[10,\"9\"]}", NULL, "false");
    expect("{\"cat\":[1.5,null,true,[1,2]]}", NULL, "\"1.5nulltrue1,2\"");
    expect("{\"/\":[1,0]}", NULL, "null"); /* Infinity has no JSON form */
    expect("{\"substr\":[\"h\u00e9llo\",1,2]}", NULL, "\"\u00e9l\"");
    expect("{\"var\":\"a.1.b\"}", "{\"a\":[{},{\"b\":7}]}", "7");
    expect("{\"var\":[\"a.x\",\"dflt\"]}", "{\"a\":{}}", "\"dflt\"");
    expect("{\"max\":[]}", NULL, "null");
    expect("{\"in\":[\"x\",null]}", NULL, "false");
    expect("{\"reduce\":[[1,2,3],{\"merge\":[{\"var\":\"accumulator\"},[{\"var\":\"current\"}]]},[]]}", NULL,
           "[1,2,3]");
    expect("{\"map\":[{\"map\":[[[1,2],[3]],{\"var\":\"\"}]},{\"cat\":{\"var\":\"\"}}]}", NULL, "[\"1,2\",\"3\"]");
    expect("{\"filter\":[{\"var\":\"j\"},{\"==\":[{\"var\":\"s\"},\"ERROR\"]}]}",
           "{\"j\":[{\"s\":\"ERROR\",\"n\":1},{\"s\":\"OK\"}]}", "[{\"s\":\"ERROR\",\"n\":1}]");
}

static void test_extensions(void **state)
{
    (void)state;
    expect("{\"band\":[47,8]}", NULL, "8");
    expect("{\"band\":[39,8]}", NULL, "0");
    expect("{\"band\":[4294967295,2147483648]}", NULL, "2147483648");
    expect("{\"band\":[-1,8]}", NULL, "null");
    expect("{\"band\":[\"x\",8]}", NULL, "null");
    expect("{\"hex\":\"0x80190194\"}", NULL, "2149122452");
    expect("{\"hex\":\"2F\"}", NULL, "47");
    expect("{\"hex\":\"0xZZ\"}", NULL, "null");
    expect("{\"hex\":\"\"}", NULL, "null");
    expect("{\"count\":[[1,2,3]]}", NULL, "3");
    expect("{\"count\":[{\"var\":\"n\"}]}", "{\"n\":\"abc\"}", "0");
    expect("{\"count\":[[1,2,3],{\">\":[{\"var\":\"\"},1]}]}", NULL, "2");
    expect("{\"ieq\":[\"Outlook\",\"OUTLOOK\"]}", NULL, "true");
    expect("{\"ieq\":[\"Outlook\",\"Outlook2\"]}", NULL, "false");
    expect("{\"ieq\":[1,1]}", NULL, "false");
    expect("{\"icontains\":[\"https://mail/OAB/x/oab.xml\",\"/oab/\"]}", NULL, "true");
    expect("{\"icontains\":[[\"A\",\"Bc\"],\"bC\"]}", NULL, "true");
    expect("{\"icontains\":[[\"A\",\"Bc\"],\"b\"]}", NULL, "false");
    ohc_jl_options o = {0, 0, 0, 1795564800000LL}; /* 2026-11-25T00:00:00Z */
    cJSON *r = cJSON_Parse("{\"hours_since\":\"2026-11-23T12:00:00.000Z\"}");
    cJSON *out = NULL;
    assert_int_equal(ohc_jl_apply(&out, r, NULL, &o, NULL), OHC_OK);
    assert_true(fabs(out->valuedouble - 36.0) < 1e-9);
    cJSON_Delete(out);
    cJSON_Delete(r);
    expect("{\"hours_since\":\"yesterday\"}", NULL, "null");
    int64_t t;
    assert_int_equal(ohc_civil_parse_rfc3339(&t, "1970-01-01T01:00:00+01:00", 0), OHC_OK);
    assert_int_equal(t, 0);
    assert_int_equal(ohc_civil_parse_rfc3339(&t, "2026-13-01T00:00:00Z", 0), OHC_EMALFORMED);
}

static void expect_error(const char *rule, const char *data, const ohc_jl_options *o, int code, const char *msg)
{
    ohc_error err;
    ohc_error_clear(&err);
    char *got = eval_text(rule, data, o, &err);
    if (got != NULL)
        fail_msg("%s: expected an error, got %s", rule, got);
    assert_int_equal(err.code, code);
    if (strstr(err.message, msg) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", rule, err.message, msg);
}

static void test_hostile(void **state)
{
    (void)state;
    /* nesting deeper than the limit */
    char deep[4096] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "{\"!\":");
    strcat(deep, "true");
    for (int i = 0; i < 100; i++)
        strcat(deep, "}");
    expect_error(deep, NULL, NULL, OHC_ELIMIT, "nested deeper than 64");
    ohc_error err;
    cJSON *d = cJSON_Parse(deep);
    assert_int_equal(ohc_jl_check(d, NULL, &err), OHC_ELIMIT);
    cJSON_Delete(d);

    /* doubling an array at every step would need 2^40 elements: the work bound stops it */
    uint64_t t0 = ohc_os_monotonic_ms();
    expect_error(
        "{\"reduce\":[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
        "31,32,33,34,35,36,37,38,39,40],{\"merge\":[{\"var\":\"accumulator\"},{\"var\":\"accumulator\"}]},[1]]}",
        NULL, NULL, OHC_ELIMIT, "work limit");
    /* so does a map over a large array with a small budget */
    cJSON *big = cJSON_CreateArray();
    for (int i = 0; i < 5000; i++)
        cJSON_AddItemToArray(big, cJSON_CreateNumber(i));
    cJSON *data = cJSON_CreateObject();
    cJSON_AddItemToObject(data, "a", big);
    cJSON *rule = cJSON_Parse("{\"map\":[{\"var\":\"a\"},{\"*\":[{\"var\":\"\"},2]}]}");
    ohc_jl_options o = {0, 1000, 0, 0};
    cJSON *out = NULL;
    ohc_error_clear(&err);
    assert_int_equal(ohc_jl_apply(&out, rule, data, &o, &err), OHC_ELIMIT);
    assert_null(out);
    assert_non_null(strstr(err.message, "map"));
    o.max_steps = 0; /* default budget: the same map completes */
    assert_int_equal(ohc_jl_apply(&out, rule, data, &o, &err), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(out), 5000);
    cJSON_Delete(out);
    cJSON_Delete(rule);
    cJSON_Delete(data);
    /* strings built by cat are capped */
    ohc_jl_options small = {0, 0, 64, 0};
    expect_error(
        "{\"cat\":[\"0123456789012345678901234567890123456789\",\"0123456789012345678901234567890123456789\"]}", NULL,
        &small, OHC_ELIMIT, "string longer than 64");
    assert_true(ohc_os_monotonic_ms() - t0 < 30000);

    /* unknown operators and wrong arity: at run time and when checked, with the place */
    expect_error("{\"and\":[true,{\"frobnicate\":[1]}]}", NULL, NULL, OHC_EINVAL,
                 "and[1].frobnicate: unknown operator");
    cJSON *bad = cJSON_Parse("{\"and\":[true,{\"if\":[{\"==\":[1]},2]}]}");
    ohc_error_clear(&err);
    assert_int_equal(ohc_jl_check(bad, NULL, &err), OHC_EINVAL);
    assert_string_equal(err.message, "and[1].if[0].==: '==' takes 2 argument(s), not 1");
    cJSON_Delete(bad);
    bad = cJSON_Parse("{\"var\":\"a\",\"x\":1}");
    assert_int_equal(ohc_jl_check(bad, NULL, &err), OHC_EINVAL);
    assert_non_null(strstr(err.message, "exactly one operator"));
    cJSON_Delete(bad);
    /* data is never evaluated as logic */
    expect("{\"var\":\"x\"}", "{\"x\":{\"frobnicate\":1}}", "{\"frobnicate\":1}");
}

static void test_truthy(void **state)
{
    (void)state;
    const char *falsy[] = {"false", "null", "0", "\"\"", "[]"};
    const char *truthy[] = {"true", "1", "-1", "\"0\"", "[0]", "{}"};
    for (size_t i = 0; i < 5; i++) {
        cJSON *v = cJSON_Parse(falsy[i]);
        assert_false(ohc_jl_truthy(v));
        cJSON_Delete(v);
    }
    for (size_t i = 0; i < 6; i++) {
        cJSON *v = cJSON_Parse(truthy[i]);
        assert_true(ohc_jl_truthy(v));
        cJSON_Delete(v);
    }
    assert_false(ohc_jl_truthy(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance), cmocka_unit_test(test_coercions), cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_hostile),     cmocka_unit_test(test_truthy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
