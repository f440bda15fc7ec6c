/* Rule evaluation speed: the built-in pack over a large report (by default
 * 1000 BITS jobs, 200 Event 27 records, 500 BITS transfers, 50 users).
 *
 *   bench_rules [JOBS] [ROUNDS]
 *
 * Prints rules/s and ms per evaluation of the whole pack. Figures, not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "report.h"
#include "rules.h"

static cJSON *make_report(int jobs)
{
    cJSON *r = ohc_report_new(NULL);
    if (r == NULL)
        return NULL;
    cJSON *facts = cJSON_GetObjectItemCaseSensitive(r, "facts");
    cJSON *bits = cJSON_AddObjectToObject(facts, "bits");
    cJSON *arr = cJSON_AddArrayToObject(bits, "jobs");
    static const char *const states[] = {"TRANSFERRING", "ERROR", "TRANSIENT_ERROR", "SUSPENDED", "QUEUED"};
    for (int i = 0; i < jobs; i++) {
        cJSON *j = cJSON_CreateObject();
        char id[64], url[160];
        snprintf(id, sizeof id, "{%08d-1111-2222-3333-444444444444}", i);
        int oab = i % 3 == 0;
        snprintf(url, sizeof url,
                 oab ? "https://mail%d.contoso.com/OAB/3f4e2b1a-0c5d/oab.xml" : "https://dl.contoso.com/f%d.bin",
                 i % 7);
        cJSON_AddStringToObject(j, "id", id);
        cJSON_AddStringToObject(j, "display_name", oab ? "Microsoft Outlook Offline Address Book" : "Updater");
        cJSON_AddStringToObject(j, "owner", "CONTOSO\\alice");
        cJSON_AddStringToObject(j, "state", states[i % 5]);
        cJSON_AddStringToObject(j, "modified_at", i % 2 ? "2026-11-20T10:00:00.000Z" : "2026-11-24T10:00:00.000Z");
        cJSON_AddBoolToObject(j, "oab", oab);
        cJSON *urls = cJSON_AddArrayToObject(j, "urls");
        cJSON_AddItemToArray(urls, cJSON_CreateString(url));
        if (i % 5 == 1 || i % 5 == 2) {
            cJSON *e = cJSON_AddObjectToObject(j, "error");
            cJSON_AddStringToObject(e, "hr_hex", i % 10 == 1 ? "0x80190194" : "0x80072EE7");
            cJSON_AddStringToObject(e, "remote_url", url);
        } else {
            cJSON_AddNullToObject(j, "error");
        }
        cJSON_AddItemToArray(arr, j);
    }
    cJSON *sum = cJSON_AddObjectToObject(bits, "summary");
    cJSON_AddArrayToObject(sum, "owners_near_user_limit");
    cJSON *events = cJSON_AddObjectToObject(facts, "events");
    cJSON *oab = cJSON_AddObjectToObject(events, "outlook_oab");
    cJSON *evs = cJSON_AddArrayToObject(oab, "events");
    for (int i = 0; i < 200; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON *d = cJSON_AddObjectToObject(e, "decoded");
        cJSON_AddNumberToObject(d, "reason_code", i % 10);
        cJSON_AddStringToObject(d, "reason_text", "text");
        cJSON_AddItemToArray(evs, e);
    }
    cJSON *os = cJSON_AddObjectToObject(oab, "summary");
    cJSON *hrs = cJSON_AddArrayToObject(os, "hrs_hex");
    cJSON_AddItemToArray(hrs, cJSON_CreateString("0x80190194"));
    cJSON *rc = cJSON_AddArrayToObject(os, "reason_codes");
    for (int i = 0; i < 10; i++)
        cJSON_AddItemToArray(rc, cJSON_CreateNumber(i));
    cJSON *bc = cJSON_AddObjectToObject(events, "bits_client");
    cJSON *tr = cJSON_AddArrayToObject(bc, "transfers");
    for (int i = 0; i < 500; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "url", "https://mail.contoso.com/OAB/x/1.lzx");
        cJSON_AddStringToObject(t, "hr_hex", i % 4 ? "0x00000000" : "0x80190194");
        cJSON_AddBoolToObject(t, "oab", 1);
        cJSON_AddItemToArray(tr, t);
    }
    cJSON *outlook = cJSON_AddObjectToObject(facts, "outlook");
    cJSON_AddArrayToObject(outlook, "installations");
    cJSON *users = cJSON_AddArrayToObject(outlook, "users");
    for (int i = 0; i < 50; i++) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddStringToObject(u, "account", "CONTOSO\\user");
        cJSON_AddNullToObject(u, "mapi_http_disabled");
        cJSON *vs = cJSON_AddArrayToObject(u, "versions");
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "version", i % 2 ? "14.0" : "16.0");
        cJSON *f = cJSON_AddObjectToObject(v, "proxy_server_flags");
        cJSON_AddNumberToObject(f, "value", 0x2F);
        cJSON_AddBoolToObject(f, "http", 1);
        cJSON_AddBoolToObject(f, "ssl_only", 1);
        cJSON_AddBoolToObject(f, "http_first_fast", 1);
        cJSON_AddObjectToObject(v, "autodiscover");
        cJSON_AddItemToArray(vs, v);
        cJSON_AddItemToArray(users, u);
    }
    return r;
}

int main(int argc, char **argv)
{
    int jobs = argc > 1 ? atoi(argv[1]) : 1000;
    int rounds = argc > 2 ? atoi(argv[2]) : 50;
    if (jobs < 0 || rounds <= 0) {
        fprintf(stderr, "usage: bench_rules [JOBS] [ROUNDS]\n");
        return 64;
    }
    ohc_rules *rules = NULL;
    ohc_error err;
    ohc_error_clear(&err);
    uint64_t t0 = ohc_os_monotonic_ms();
    if (ohc_rules_new(&rules, &err) != OHC_OK || ohc_rules_load_builtin(rules, &err) != OHC_OK) {
        fprintf(stderr, "bench_rules: %s\n", err.message);
        return 1;
    }
    uint64_t t_load = ohc_os_monotonic_ms() - t0;
    cJSON *report = make_report(jobs);
    if (report == NULL)
        return 1;
    size_t nrules = ohc_rules_rule_count(rules);
    t0 = ohc_os_monotonic_ms();
    for (int i = 0; i < rounds; i++) {
        if (ohc_rules_evaluate(rules, report, &err) != OHC_OK) {
            fprintf(stderr, "bench_rules: %s\n", err.message);
            return 1;
        }
    }
    uint64_t ms = ohc_os_monotonic_ms() - t0;
    if (ms == 0)
        ms = 1;
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
    const cJSON *nf = cJSON_GetObjectItemCaseSensitive(sum, "findings");
    const cJSON *ne = cJSON_GetObjectItemCaseSensitive(sum, "rule_errors");
    printf("bench_rules: %zu rules, %d BITS jobs, 200 events, 500 transfers, 50 users; %d rounds\n", nrules, jobs,
           rounds);
    printf("  load+check built-in pack: %llu ms\n", (unsigned long long)t_load);
    printf("  evaluation of the pack:   %.2f ms per report\n", (double)ms / rounds);
    printf("  throughput:               %.0f rules/s\n", (double)nrules * rounds * 1000.0 / (double)ms);
    printf("  findings per report: %d, rule errors: %d\n", cJSON_IsNumber(nf) ? nf->valueint : -1,
           cJSON_IsNumber(ne) ? ne->valueint : -1);
    cJSON_Delete(report);
    ohc_rules_free(rules);
    return 0;
}
