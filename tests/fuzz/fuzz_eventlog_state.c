/* libFuzzer target for the state of the last collection's findings
 * (collector/report/eventlog.h): the file in the machine's state folder is
 * untrusted (left half-written, edited, damaged). The input is the file's
 * text. It is parsed; a state that parses is planned against a report whose
 * findings keep some of its rules and drop others (resolved events), and the
 * next state ohc would store must parse again (ohc never writes a state it
 * cannot read back). The input, cut to a bound from its first byte, also goes
 * through the insertion string bounding (UTF-8 cut, redaction). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *make_report(const ohc_evlog_state *prev)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "report_id", "0e8f4b3c-1d2e-4f50-8a6b-7c8d9e0f1a2b");
    cJSON_AddStringToObject(r, "generated_at", "2026-11-30T10:00:00Z");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "host"), "computer_name", "PC1");
    cJSON *findings = cJSON_AddArrayToObject(r, "findings");
    cJSON *summary = cJSON_AddObjectToObject(r, "summary");
    cJSON_AddArrayToObject(summary, "incomplete");
    cJSON *nc = cJSON_AddArrayToObject(summary, "not_checked");
    for (size_t i = 0; i < prev->count; i++) {
        const ohc_evlog_seen *s = &prev->seen[i];
        if (i % 3 == 0) { /* still found, with its severity and texts */
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "rule_id", s->rule_id);
            cJSON_AddStringToObject(f, "severity", s->severity == 0 ? "info" : s->severity == 1 ? "warning" : "error");
            cJSON_AddStringToObject(f, "title", s->title);
            cJSON_AddStringToObject(f, "message", s->message);
            cJSON_AddStringToObject(cJSON_AddObjectToObject(f, "evidence"), "value", s->report_id);
            cJSON_AddItemToArray(findings, f);
        } else if (i % 3 == 1) { /* could not be checked: kept */
            cJSON *n = cJSON_CreateObject();
            cJSON_AddStringToObject(n, "rule_id", s->rule_id);
            cJSON_AddItemToArray(nc, n);
        } /* else: gone, resolved */
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ohc_evlog_state st;
    ohc_error err;
    if (ohc_evlog_state_parse(&st, (const char *)data, size, &err) == OHC_OK) {
        cJSON *report = make_report(&st);
        ohc_evlog_plan plan;
        if (ohc_evlog_plan_make(&plan, report, &st, NULL) == OHC_OK) {
            ohc_evlog_state again;
            if (ohc_evlog_state_parse(&again, plan.next_state, strlen(plan.next_state), &err) != OHC_OK)
                abort(); /* a state ohc wrote must read back */
            ohc_evlog_state_free(&again);
            for (size_t i = 0; i < plan.count; i++) {
                size_t total = 0;
                for (size_t j = 0; j < plan.events[i].nstrings; j++)
                    total += strlen(plan.events[i].strings[j]);
                if (total > OHC_EVLOG_EVENT_MAX)
                    abort(); /* every event within its bound */
            }
        }
        ohc_evlog_plan_free(&plan);
        cJSON_Delete(report);
        ohc_evlog_state_free(&st);
    }
    if (size > 0) {
        char *text = malloc(size);
        if (text != NULL) {
            memcpy(text, data + 1, size - 1);
            text[size - 1] = '\0';
            char *b = ohc_evlog_bounded(text, data[0]);
            if (b != NULL && strlen(b) > data[0])
                abort();
            free(b);
            free(text);
        }
    }
    return 0;
}
