/* libFuzzer target for rule files (collector/rules.c with jsonlogic.c): the
 * input is one rule file as `ohc rules check` or --rules DIR would load it.
 * Every problem is formatted; the valid rules are evaluated over a small
 * report whose facts hold the kinds of values rules read (jobs, events,
 * numbers, strings, times), and the findings rendered. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char REPORT[] =
    "{\"schema_version\":1,\"report_id\":\"00000000-0000-4000-8000-000000000000\","
    "\"generated_at\":\"2026-11-24T08:00:00Z\",\"facts\":{"
    "\"host\":{\"computer_name\":\"PC1\",\"os\":{\"family\":\"windows\",\"build\":19045}},"
    "\"bits\":{\"jobs\":[{\"display_name\":\"Microsoft Outlook Offline Address Book\",\"state\":\"ERROR\","
    "\"oab\":true,\"error\":{\"hr\":2149122452,\"hr_hex\":\"0x80190194\"},\"urls\":[\"http://x/OAB/y/oab.xml\"]}],"
    "\"summary\":{\"total\":1,\"by_state\":{\"ERROR\":1}}},"
    "\"events\":{\"outlook_oab\":{\"events\":[{\"time_created\":\"2026-11-23T08:00:00Z\",\"data\":[\"a\","
    "\"0x80190194\"],"
    "\"oab\":{\"reason_code\":8}}]}},"
    "\"proxy\":{\"winhttp\":{\"api\":{\"proxy\":\"p:8080\"}},\"users\":[{\"proxy_server\":\"q:3128\"}]}},"
    "\"findings\":[],\"errors\":[]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* rules_add_text reads len bytes followed by a NUL: an exact-size copy with it. */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ohc_rules *rules;
    ohc_error err;
    if (ohc_rules_new(&rules, &err) != OHC_OK) {
        free(text);
        return 0;
    }
    ohc_rules_add_text(rules, "fuzz.json", text, size);
    free(text);
    char line[1024];
    for (size_t i = 0; i < ohc_rules_problem_count(rules); i++)
        ohc_rule_problem_format(line, sizeof line, ohc_rules_problem_at(rules, i));
    cJSON *report = cJSON_Parse(REPORT);
    if (report != NULL && ohc_rules_evaluate(rules, report, &err) == OHC_OK) {
        char *s = ohc_report_to_text(report, 0);
        free(s);
        s = ohc_report_to_json(report);
        if (s != NULL) {
            cJSON *back = cJSON_Parse(s);
            if (back == NULL)
                abort(); /* a report must stay JSON, whatever the rules wrote into it */
            cJSON_Delete(back);
        }
        free(s);
    }
    cJSON_Delete(report);
    ohc_rules_free(rules);
    return 0;
}
