/* Rule sets: evaluation into findings and summary, a rule that fails at run
 * time (work bound) while the others still run, templates, re-evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rules.h"

static const char *const set_text =
    "{\"id\": \"t\", \"version\": \"2.1\", \"rules\": ["
    " {\"id\": \"INFO-1\", \"title\": \"i\", \"severity\": \"info\", \"category\": \"c\", \"when\": true, \"message\": "
    "\"info\"},"
    " {\"id\": \"HEAVY\", \"title\": \"h\", \"severity\": \"critical\", \"category\": \"c\", \"message\": \"m\","
    "  \"when\": {\"reduce\": [{\"var\": \"t.list\"}, {\"merge\": [{\"var\": \"accumulator\"}, {\"var\": "
    "\"accumulator\"}]}, [1]]}},"
    " {\"id\": \"ERR-1\", \"title\": \"e\", \"severity\": \"error\", \"category\": \"c\","
    "  \"when\": {\">\": [{\"count\": [{\"var\": \"t.list\"}]}, 20]},"
    "  \"evidence\": {\"items\": \"t.list\", \"n\": {\"count\": [{\"var\": \"t.list\"}]}, \"gone\": \"t.nothing\"},"
    "  \"message\": \"{{evidence.n}} items: {{evidence.items}}; {{ t.name }}; {{evidence.gone}}\"},"
    " {\"id\": \"NEVER\", \"title\": \"n\", \"severity\": \"warning\", \"category\": \"c\", \"when\": {\"var\": "
    "\"t.nothing\"}, \"message\": \"n\"}"
    "]}";

static cJSON *report_with_list(int n)
{
    cJSON *r = ohc_report_new(NULL);
    assert_non_null(r);
    cJSON *t = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(r, "facts"), "t");
    cJSON *list = cJSON_AddArrayToObject(t, "list");
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(list, cJSON_CreateNumber(i));
    cJSON_AddStringToObject(t, "name", "PC01");
    return r;
}

static void test_evaluate(void **state)
{
    (void)state;
    ohc_rules *rules;
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    assert_int_equal(ohc_rules_add_text(rules, "mem:t.json", set_text, strlen(set_text)), OHC_OK);
    assert_int_equal(ohc_rules_problem_count(rules), 0);
    assert_int_equal(ohc_rules_rule_count(rules), 4);

    cJSON *r = report_with_list(40);
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(r, "findings");
    /* HEAVY doubles an array 40 times: stopped by the work bound, reported, the rest evaluated */
    assert_int_equal(cJSON_GetArraySize(findings), 2);
    const cJSON *f0 = cJSON_GetArrayItem(findings, 0), *f1 = cJSON_GetArrayItem(findings, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(f0, "rule_id")->valuestring, "ERR-1"); /* worst first */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(f1, "rule_id")->valuestring, "INFO-1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(f0, "message")->valuestring,
                        "40 items: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 30 more; PC01; (none)");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f0, "evidence");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ev, "items")), 40);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ev, "gone")));

    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(r, "errors");
    assert_int_equal(cJSON_GetArraySize(errors), 1);
    const cJSON *e = cJSON_GetArrayItem(errors, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, "limit");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "rule_id")->valuestring, "HEAVY");
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring, "work limit"));

    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(sum, "highest_severity")->valuestring, "error");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "rules_evaluated")->valueint, 4);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "rule_errors")->valueint, 1);
    const cJSON *set0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sum, "rule_sets"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(set0, "version")->valuestring, "2.1");

    /* evaluating again replaces findings and the rules' errors, never doubles them */
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "errors")), 1);
    cJSON_Delete(r);

    /* a small list: HEAVY's doubling stays within bounds and fires; ERR-1 does not */
    r = report_with_list(3);
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "errors")), 0);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "summary"), "highest_severity")
            ->valuestring,
        "critical");
    cJSON_Delete(r);
    ohc_rules_free(rules);
}

static void test_problems(void **state)
{
    (void)state;
    ohc_rules *rules;
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    const char *nul = "{\"id\": \"x\"\0}";
    ohc_rules_add_text(rules, "nul.json", nul, 12);
    ohc_rules_add_text(rules, "empty.json", "", 0);
    ohc_rules_add_text(rules, "arr.json", "[]", 2);
    assert_int_equal(ohc_rules_problem_count(rules), 3);
    char line[512];
    ohc_rule_problem_format(line, sizeof line, ohc_rules_problem_at(rules, 0));
    assert_string_equal(line, "nul.json: not a text file (holds a NUL byte)");
    ohc_rule_problem_format(line, sizeof line, ohc_rules_problem_at(rules, 1));
    assert_string_equal(line, "empty.json:1:1: not valid JSON: unexpected end of file");
    ohc_rule_problem_format(line, sizeof line, ohc_rules_problem_at(rules, 2));
    assert_string_equal(line, "arr.json: a rule file holds one object {id, version, description, rules}");
    /* the problems reach report.errors */
    cJSON *r = ohc_report_new(NULL);
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "errors")), 3);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "summary"), "highest_severity")
            ->valuestring,
        "none");
    cJSON_Delete(r);
    ohc_rules_free(rules);
}

static void test_builtin(void **state)
{
    (void)state;
    ohc_rules *rules;
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    assert_int_equal(ohc_rules_load_builtin(rules, NULL), OHC_OK);
    assert_int_equal(ohc_rules_problem_count(rules), 0);
    assert_true(ohc_rules_rule_count(rules) >= 14);
    /* a report with empty facts: no rule fires, none fails */
    cJSON *r = ohc_report_new(NULL);
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "errors")), 0);
    cJSON_Delete(r);
    ohc_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_problems),
        cmocka_unit_test(test_builtin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
