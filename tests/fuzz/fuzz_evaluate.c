/* libFuzzer target for a report given to `ohc evaluate` (an old ticket
 * attachment: untrusted JSON of any shape): parsed as cmd_evaluate.c parses
 * it, the built-in rules applied over its facts (rules.c, jsonlogic.c), then
 * rendered as JSON, text and HTML (report.c, report_html.c), each of which
 * walks whatever the file holds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *end = NULL;
    cJSON *report = cJSON_ParseWithLengthOpts(text, size + 1, &end, 1); /* as cmd_evaluate.c */
    free(text);
    if (!cJSON_IsObject(report) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(report, "facts"))) {
        cJSON_Delete(report);
        return 0;
    }
    ohc_error err;
    if (ohc_rules_apply(report, NULL, &err) == OHC_OK) {
        ohc_report_exit_code(report);
        char *s = ohc_report_to_json(report);
        free(s);
        s = ohc_report_to_text(report, 1);
        free(s);
        s = ohc_report_to_html(report);
        free(s);
    }
    cJSON_Delete(report);
    return 0;
}
