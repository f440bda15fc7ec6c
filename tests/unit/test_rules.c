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

/* A step whose text renders empty and that has no command left is left out:
 * a rule can offer a step only where it applies (the Windows 7 step of
 * WINHTTP-NO-TLS12); a step with text, or with a command, stays. */
static void test_conditional_step(void **state)
{
    (void)state;
    static const char set[] =
        "{\"id\": \"s\", \"version\": \"1\", \"rules\": [{\"id\": \"STEPS\", \"title\": \"t\", \"severity\": "
        "\"warning\", \"category\": \"c\", \"when\": true, \"message\": \"m\","
        " \"evidence\": {\"win7\": {\"if\": [{\"==\": [{\"var\": \"t.minor\"}, 1]}, \"Windows 7 step\", \"\"]},"
        "  \"cmd\": {\"if\": [{\"==\": [{\"var\": \"t.minor\"}, 1]}, \"reg add x\", \"\"]}},"
        " \"remediation\": [{\"text\": \"always\"}, {\"text\": \"{{evidence.win7|}}\", \"commands\": "
        "[\"{{evidence.cmd|}}\"]},"
        "  {\"text\": \"{{evidence.win7|}}\", \"commands\": [\"gpresult\"]}]}]}";
    ohc_rules *rules;
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    assert_int_equal(ohc_rules_add_text(rules, "mem:s.json", set, strlen(set)), OHC_OK);
    assert_int_equal(ohc_rules_problem_count(rules), 0);
    for (int minor = 1; minor <= 3; minor += 2) {
        cJSON *r = ohc_report_new(NULL);
        cJSON *t = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(r, "facts"), "t");
        cJSON_AddNumberToObject(t, "minor", minor);
        assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0), "remediation");
        if (minor == 1) {
            assert_int_equal(cJSON_GetArraySize(steps), 3);
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 1), "text")->valuestring,
                                "Windows 7 step");
        } else {
            /* the second step is gone; the third keeps its command with an empty text */
            assert_int_equal(cJSON_GetArraySize(steps), 2);
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 0), "text")->valuestring, "always");
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 1), "text")->valuestring, "");
        }
        cJSON_Delete(r);
    }
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

/* What could not be checked: a rule that reads a probe which did not run
 * fully is listed in summary.not_checked and makes the verdict incomplete
 * (exit 3); evidence from such a probe reads "not checked", never 0. */
static const char gap_rules[] =
    "{\"id\": \"g\", \"version\": \"1\", \"rules\": ["
    " {\"id\": \"EV-ONLY\", \"title\": \"events rule\", \"severity\": \"error\", \"category\": \"c\","
    "  \"when\": {\">\": [{\"count\": [{\"var\": \"events.list\"}]}, 0]}, \"message\": \"m\"},"
    " {\"id\": \"BITS-OR-EV\", \"title\": \"bits or events\", \"severity\": \"warning\", \"category\": \"c\","
    "  \"when\": {\"or\": [{\"some\": [{\"var\": \"bits.jobs\"}, {\"==\": [{\"var\": \"state\"}, \"ERROR\"]}]},"
    "                    {\">\": [{\"count\": [{\"var\": \"events.list\"}]}, 0]}]},"
    "  \"evidence\": {\"urls\": {\"map\": [{\"var\": \"bits.jobs\"}, {\"var\": \"url\"}]},"
    "                \"ev_count\": {\"count\": [{\"var\": \"events.list\"}]}, \"owner\": \"bits.owner\"},"
    "  \"message\": \"{{evidence.urls}}; events {{evidence.ev_count}}; owner {{evidence.owner|(unknown owner)}}\","
    "  \"remediation\": [{\"text\": \"t\", \"commands\": [\"bitsadmin /info {{evidence.owner|{JOB-ID}}}\","
    "                                                  \"bitsadmin /info {{evidence.owner|{JOB-ID}}}\"]}]},"
    " {\"id\": \"HOST\", \"title\": \"h\", \"severity\": \"info\", \"category\": \"c\","
    "  \"when\": {\"==\": [{\"var\": \"host.name\"}, \"nope\"]}, \"message\": \"m\"}"
    "]}";

static void test_not_checked(void **state)
{
    (void)state;
    ohc_rules *rules;
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    assert_int_equal(ohc_rules_add_text(rules, "mem:g.json", gap_rules, strlen(gap_rules)), OHC_OK);
    assert_int_equal(ohc_rules_problem_count(rules), 0);
    cJSON *r = ohc_report_new(NULL);
    cJSON *probes = cJSON_GetObjectItemCaseSensitive(r, "probes");
    cJSON *facts = cJSON_GetObjectItemCaseSensitive(r, "facts");
    cJSON *p = cJSON_AddObjectToObject(probes, "host");
    cJSON_AddStringToObject(p, "status", "ok");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(facts, "host"), "name", "PC1");
    p = cJSON_AddObjectToObject(probes, "events");
    cJSON_AddStringToObject(p, "status", "unavailable");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "error"), "message", "event log API unavailable");
    cJSON_AddObjectToObject(facts, "events");
    p = cJSON_AddObjectToObject(probes, "bits");
    cJSON_AddStringToObject(p, "status", "ok");
    cJSON *jobs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(facts, "bits"), "jobs");

    /* nothing fired, events did not run: incomplete, both event rules listed, exit 3 */
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(sum, "verdict")->valuestring, "incomplete");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "exit_code")->valueint, 3);
    const cJSON *nc = cJSON_GetObjectItemCaseSensitive(sum, "not_checked");
    assert_int_equal(cJSON_GetArraySize(nc), 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(nc, 0), "rule_id")->valuestring, "EV-ONLY");
    const cJSON *gaps = cJSON_GetObjectItemCaseSensitive(sum, "incomplete");
    assert_int_equal(cJSON_GetArraySize(gaps), 1);
    const cJSON *g0 = cJSON_GetArrayItem(gaps, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(g0, "source")->valuestring, "events");
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(g0, "message")->valuestring, "event log API unavailable"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g0, "rules")), 2);
    assert_int_equal(ohc_report_exit_code(r), 3);
    char *t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "Verdict: INCOMPLETE"));
    assert_null(strstr(t, "Verdict: OK"));
    free(t);

    /* a BITS job in error fires BITS-OR-EV: its events count is "not checked", not 0;
     * the same URL twice is one item with its count; a missing owner takes the fallback;
     * the same command twice is one line */
    for (int i = 0; i < 2; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "state", "ERROR");
        cJSON_AddStringToObject(j, "url", "https://ex1/OAB/x/oab.xml");
        cJSON_AddItemToArray(jobs, j);
    }
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(f, "message")->valuestring,
                        "https://ex1/OAB/x/oab.xml (2 times); events not checked (events unavailable); owner "
                        "(unknown owner)");
    assert_true(cJSON_IsNull(ohc_report_get(f, "evidence.ev_count")));
    assert_string_equal(ohc_report_str(f, "unchecked.ev_count"), "events unavailable");
    const cJSON *cmds =
        ohc_report_get(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "remediation"), 0), "commands");
    assert_int_equal(cJSON_GetArraySize(cmds), 1);
    assert_string_equal(cJSON_GetArrayItem(cmds, 0)->valuestring, "bitsadmin /info {JOB-ID}");
    sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(sum, "verdict")->valuestring, "warning");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sum, "not_checked")), 1);
    assert_int_equal(ohc_report_exit_code(r), 1);
    t = ohc_report_to_text(r, 0);
    assert_non_null(strstr(t, "ev_count: not checked (events unavailable)"));
    free(t);

    /* every probe ran: complete, OK */
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "events"), "status",
                                           cJSON_CreateString("ok"));
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, "bits"), "jobs");
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(sum, "verdict")->valuestring, "ok");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sum, "incomplete")), 0);
    assert_int_equal(ohc_report_exit_code(r), 0);
    cJSON_Delete(r);
    ohc_rules_free(rules);

    /* no rule at all: nothing was checked */
    assert_int_equal(ohc_rules_new(&rules, NULL), OHC_OK);
    r = ohc_report_new(NULL);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(r, "probes"), "host"), "status",
                            "ok");
    assert_int_equal(ohc_rules_evaluate(rules, r, NULL), OHC_OK);
    sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(sum, "verdict")->valuestring, "incomplete");
    assert_non_null(
        strstr(ohc_report_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sum, "incomplete"), 0), "message"),
               "no rule was loaded"));
    assert_int_equal(ohc_report_exit_code(r), 3);
    cJSON_Delete(r);
    ohc_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate), cmocka_unit_test(test_not_checked),      cmocka_unit_test(test_problems),
        cmocka_unit_test(test_builtin),  cmocka_unit_test(test_conditional_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
