/* Findings as Application log events, the portable half: the id table (its
 * values are an interface), the events and insertion strings of a report,
 * "resolved" once, what is not resolved when the report cannot tell, bounds
 * and redaction, the state file (round trip, damage), and the file steps of
 * ohc_report_to_eventlog with a recording writer (the Windows writer is
 * win32/service/eventlog_win32.c; its arguments are checked under Wine by
 * tests/integration/test_eventlog.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "eventlog_out.h"
#include "os.h"
#include "report.h"

static char state_path[512];

static int setup(void **state)
{
    (void)state;
    char base[400];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    unsigned char r[4];
    assert_int_equal(ohc_os_random_bytes(r, sizeof r, NULL), OHC_OK);
    snprintf(state_path, sizeof state_path, "%s%cohc-eventlog-state-%02x%02x%02x%02x.json", base, ohc_os_path_sep(),
             r[0], r[1], r[2], r[3]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char aside[600];
    snprintf(aside, sizeof aside, "%s.damaged", state_path);
    remove(state_path);
    remove(aside);
    return 0;
}

/* A report with the members the events read. verdict: the summary's. */
static cJSON *report(const char *id, const char *verdict)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "report_id", id);
    cJSON_AddStringToObject(r, "generated_at", "2026-11-30T10:00:00Z");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "host"), "computer_name", "PC1");
    cJSON_AddArrayToObject(r, "findings");
    cJSON *probes = cJSON_AddObjectToObject(r, "probes");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(probes, "host"), "status", "ok");
    cJSON *s = cJSON_AddObjectToObject(r, "summary");
    cJSON_AddStringToObject(s, "verdict", verdict);
    cJSON_AddArrayToObject(s, "incomplete");
    cJSON_AddArrayToObject(s, "not_checked");
    return r;
}

static cJSON *add_finding(cJSON *r, const char *rule, const char *severity, const char *message)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "rule_id", rule);
    cJSON_AddStringToObject(f, "severity", severity);
    char title[160];
    snprintf(title, sizeof title, "Title of %s", rule);
    cJSON_AddStringToObject(f, "title", title);
    cJSON_AddStringToObject(f, "message", message);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(r, "findings"), f);
    return f;
}

static void not_checked(cJSON *r, const char *rule)
{
    cJSON *nc = cJSON_CreateObject();
    cJSON_AddStringToObject(nc, "rule_id", rule);
    cJSON_AddItemToArray(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "summary"), "not_checked"), nc);
}

static size_t count_kind(const ohc_evlog_plan *p, ohc_evlog_kind_id kind)
{
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        n += p->events[i].kind->kind == kind;
    return n;
}

/* The first event of that kind; the test ends when there is none. */
static const ohc_evlog_event *find_kind(const ohc_evlog_plan *p, ohc_evlog_kind_id kind)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->events[i].kind->kind == kind)
            return &p->events[i];
    fprintf(stderr, "no event of kind %d\n", (int)kind);
    abort();
}

static void test_table_is_stable(void **state)
{
    (void)state;
    size_t n = 0;
    const ohc_evlog_kind *k = ohc_evlog_kinds(&n);
    assert_int_equal(n, OHC_EVLOG_KIND_COUNT);
    /* The ids agents filter on: changing one of these breaks every fleet's query. */
    static const struct {
        ohc_evlog_kind_id kind;
        uint16_t id;
        ohc_evlog_type type;
        uint32_t message_id;
    } expect[] = {
        {OHC_EVLOG_SUMMARY_OK, 1000, OHC_EVLOG_INFORMATION, 0x400003E8u},
        {OHC_EVLOG_SUMMARY_WARNING, 1001, OHC_EVLOG_WARNING, 0x800003E9u},
        {OHC_EVLOG_SUMMARY_PROBLEM, 1002, OHC_EVLOG_ERROR, 0xC00003EAu},
        {OHC_EVLOG_SUMMARY_INCOMPLETE, 1003, OHC_EVLOG_WARNING, 0x800003EBu},
        {OHC_EVLOG_SUMMARY_FAILED, 1004, OHC_EVLOG_ERROR, 0xC00003ECu},
        {OHC_EVLOG_FINDING_INFO, 1010, OHC_EVLOG_INFORMATION, 0x400003F2u},
        {OHC_EVLOG_FINDING_WARNING, 1011, OHC_EVLOG_WARNING, 0x800003F3u},
        {OHC_EVLOG_FINDING_ERROR, 1012, OHC_EVLOG_ERROR, 0xC00003F4u},
        {OHC_EVLOG_FINDING_CRITICAL, 1013, OHC_EVLOG_ERROR, 0xC00003F5u},
        {OHC_EVLOG_RESOLVED, 1020, OHC_EVLOG_INFORMATION, 0x400003FCu},
        {OHC_EVLOG_STATE_DAMAGED, 1030, OHC_EVLOG_WARNING, 0x80000406u},
    };
    assert_int_equal(sizeof expect / sizeof expect[0], n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(k[i].kind, i);
        assert_int_equal(k[i].kind, expect[i].kind);
        assert_int_equal(k[i].event_id, expect[i].id);
        assert_int_equal(k[i].type, expect[i].type);
        assert_int_equal(k[i].message_id, expect[i].message_id);
        assert_true(k[i].field_count >= 1 && k[i].field_count <= OHC_EVLOG_MAX_STRINGS);
        for (size_t j = 0; j < k[i].field_count; j++)
            assert_non_null(k[i].fields[j]);
    }
}

static void test_findings_and_summary(void **state)
{
    (void)state;
    cJSON *r = report("rep-1", "problem");
    add_finding(r, "PROXY-DIFFERS", "warning", "The WinHTTP proxy differs.");
    cJSON *f = add_finding(r, "OAB-404", "error", "The OAB download fails with 0x80190194.");
    cJSON *ev = cJSON_AddObjectToObject(f, "evidence");
    cJSON_AddNumberToObject(ev, "failures", 3);
    cJSON_AddStringToObject(ev, "url", "https://mail.contoso.com/OAB/x/oab.xml");
    cJSON_AddNullToObject(ev, "jobs");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(f, "unchecked"), "jobs", "the bits probe was unavailable");
    cJSON *step = cJSON_CreateObject();
    cJSON_AddStringToObject(step, "text", "Recreate the OAB virtual directory.");
    cJSON *cmds = cJSON_AddArrayToObject(step, "commands");
    cJSON_AddItemToArray(cmds, cJSON_CreateString("Get-OabVirtualDirectory"));
    cJSON_AddItemToArray(cmds, cJSON_CreateString("iisreset"));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "remediation"), step);
    add_finding(r, "INFO-ONLY", "info", "Just so you know.");

    ohc_evlog_plan p;
    assert_int_equal(ohc_evlog_plan_make(&p, r, NULL, NULL), OHC_OK);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.findings, 3);
    assert_int_equal(p.resolved, 0);
    /* worst first, summary last */
    assert_int_equal(p.events[0].kind->event_id, 1012);
    assert_int_equal(p.events[1].kind->event_id, 1011);
    assert_int_equal(p.events[2].kind->event_id, 1010);
    assert_int_equal(p.events[3].kind->event_id, 1002);
    const ohc_evlog_event *e = &p.events[0];
    assert_int_equal(e->nstrings, 8);
    assert_string_equal(e->strings[0], "OAB-404");
    assert_string_equal(e->strings[1], "error");
    assert_string_equal(e->strings[2], "PC1");
    assert_string_equal(e->strings[3], "rep-1");
    assert_string_equal(e->strings[4], "Title of OAB-404");
    assert_string_equal(e->strings[5], "The OAB download fails with 0x80190194.");
    assert_string_equal(e->strings[6], "failures = 3; url = https://mail.contoso.com/OAB/x/oab.xml; "
                                       "jobs = not checked (the bits probe was unavailable)");
    assert_string_equal(e->strings[7], "Recreate the OAB virtual directory.\r\nGet-OabVirtualDirectory\r\niisreset");
    assert_string_equal(p.events[1].strings[6], "(none)");
    assert_string_equal(p.events[1].strings[7], "(none)");
    const ohc_evlog_event *s = &p.events[3];
    assert_int_equal(s->nstrings, 8);
    assert_string_equal(s->strings[0], "problem");
    assert_string_equal(s->strings[1], "PC1");
    assert_string_equal(s->strings[2], "rep-1");
    assert_string_equal(s->strings[3], "3");
    assert_string_equal(s->strings[4], "critical 0, error 1, warning 1, info 1");
    assert_string_equal(s->strings[5], "0");
    assert_string_equal(s->strings[6], "(none)");
    assert_string_equal(s->strings[7], "2026-11-30T10:00:00Z");
    /* the next state reads back, one entry per rule */
    ohc_evlog_state st;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&st, p.next_state, strlen(p.next_state), &err), OHC_OK);
    assert_int_equal(st.count, 3);
    assert_string_equal(st.seen[0].rule_id, "OAB-404");
    assert_string_equal(st.seen[0].report_id, "rep-1");
    assert_string_equal(st.seen[0].seen_at, "2026-11-30T10:00:00Z");
    assert_string_equal(st.seen[0].message, "The OAB download fails with 0x80190194.");
    ohc_evlog_state_free(&st);
    ohc_evlog_plan_free(&p);
    cJSON_Delete(r);
}

/* Collection 1 finds A and B, 2 finds A only (B resolved once), 3 the same
 * (no second resolved event); C is in not_checked in 2: not resolved, kept. */
static void test_resolved_once(void **state)
{
    (void)state;
    cJSON *r1 = report("rep-1", "problem");
    add_finding(r1, "A", "error", "a");
    add_finding(r1, "B", "warning", "b was here");
    add_finding(r1, "C", "warning", "c");
    ohc_evlog_plan p1, p2, p3;
    assert_int_equal(ohc_evlog_plan_make(&p1, r1, NULL, NULL), OHC_OK);
    ohc_evlog_state s1, s2;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&s1, p1.next_state, strlen(p1.next_state), &err), OHC_OK);

    cJSON *r2 = report("rep-2", "problem");
    add_finding(r2, "A", "error", "a");
    not_checked(r2, "C");
    assert_int_equal(ohc_evlog_plan_make(&p2, r2, &s1, NULL), OHC_OK);
    assert_int_equal(p2.resolved, 1);
    const ohc_evlog_event *res = find_kind(&p2, OHC_EVLOG_RESOLVED);
    assert_int_equal(res->kind->event_id, 1020);
    assert_string_equal(res->strings[0], "B");
    assert_string_equal(res->strings[1], "warning");
    assert_string_equal(res->strings[2], "PC1");
    assert_string_equal(res->strings[3], "rep-2");
    assert_string_equal(res->strings[4], "Title of B");
    assert_string_equal(res->strings[5], "b was here");
    assert_string_equal(res->strings[6], "rep-1");
    assert_string_equal(res->strings[7], "2026-11-30T10:00:00Z");
    assert_string_equal(find_kind(&p2, OHC_EVLOG_SUMMARY_PROBLEM)->strings[5], "1");
    /* resolved after the findings, before the summary */
    assert_int_equal(p2.events[p2.count - 1].kind->kind, OHC_EVLOG_SUMMARY_PROBLEM);

    assert_int_equal(ohc_evlog_state_parse(&s2, p2.next_state, strlen(p2.next_state), &err), OHC_OK);
    assert_int_equal(s2.count, 2); /* A, and C carried (rep-1) */
    assert_string_equal(s2.seen[1].rule_id, "C");
    assert_string_equal(s2.seen[1].report_id, "rep-1");

    assert_int_equal(ohc_evlog_plan_make(&p3, r2, &s2, NULL), OHC_OK);
    assert_int_equal(p3.resolved, 0);
    assert_int_equal(count_kind(&p3, OHC_EVLOG_RESOLVED), 0);

    ohc_evlog_state_free(&s1);
    ohc_evlog_state_free(&s2);
    ohc_evlog_plan_free(&p1);
    ohc_evlog_plan_free(&p2);
    ohc_evlog_plan_free(&p3);
    cJSON_Delete(r1);
    cJSON_Delete(r2);
}

/* A failed collection, or rules that did not load, cannot say a finding is gone. */
static void test_no_resolved_when_the_report_cannot_tell(void **state)
{
    (void)state;
    cJSON *r1 = report("rep-1", "warning");
    add_finding(r1, "B", "warning", "b");
    ohc_evlog_plan p1;
    assert_int_equal(ohc_evlog_plan_make(&p1, r1, NULL, NULL), OHC_OK);
    ohc_evlog_state s1;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&s1, p1.next_state, strlen(p1.next_state), &err), OHC_OK);

    cJSON *rules_gap = report("rep-2", "incomplete");
    cJSON *gap = cJSON_CreateObject();
    cJSON_AddStringToObject(gap, "source", "rules");
    cJSON_AddStringToObject(gap, "message", "rules/x.json did not load");
    cJSON_AddItemToArray(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rules_gap, "summary"), "incomplete"), gap);
    cJSON *failed = report("rep-3", "failed");
    cJSON_DeleteItemFromObjectCaseSensitive(failed, "summary"); /* no rules evaluated */
    cJSON *const cases[] = {rules_gap, failed};
    for (size_t i = 0; i < 2; i++) {
        ohc_evlog_plan p;
        assert_int_equal(ohc_evlog_plan_make(&p, cases[i], &s1, NULL), OHC_OK);
        assert_int_equal(p.resolved, 0);
        ohc_evlog_state st;
        assert_int_equal(ohc_evlog_state_parse(&st, p.next_state, strlen(p.next_state), &err), OHC_OK);
        assert_int_equal(st.count, 1);
        assert_string_equal(st.seen[0].rule_id, "B");
        ohc_evlog_state_free(&st);
        ohc_evlog_plan_free(&p);
    }
    ohc_evlog_plan p;
    assert_int_equal(ohc_evlog_plan_make(&p, rules_gap, &s1, NULL), OHC_OK);
    const ohc_evlog_event *s = find_kind(&p, OHC_EVLOG_SUMMARY_INCOMPLETE);
    assert_int_equal(s->kind->event_id, 1003);
    assert_string_equal(s->strings[6], "rules/x.json did not load");
    ohc_evlog_plan_free(&p);
    assert_int_equal(ohc_evlog_plan_make(&p, rules_gap, &s1, "state.json is damaged (not JSON)\n kept as: x.damaged"),
                     OHC_OK);
    const ohc_evlog_event *d = find_kind(&p, OHC_EVLOG_STATE_DAMAGED);
    assert_int_equal(d->kind->event_id, 1030);
    assert_string_equal(d->strings[0], "state.json is damaged (not JSON)");
    assert_string_equal(d->strings[1], "x.damaged");
    ohc_evlog_plan_free(&p);
    ohc_evlog_state_free(&s1);
    ohc_evlog_plan_free(&p1);
    cJSON_Delete(r1);
    cJSON_Delete(rules_gap);
    cJSON_Delete(failed);
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0)
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_bounds_and_redaction(void **state)
{
    (void)state;
    size_t big = 100000;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    for (size_t i = 0; i + 2 <= big; i += 2) /* "é" = C3 A9, so any cut may split one */
        huge[i] = (char)0xC3, huge[i + 1] = (char)0xA9;
    huge[big] = '\0';
    cJSON *r = report("rep-1", "problem");
    cJSON *f = add_finding(r, "BIG", "critical", huge);
    cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(f, "title"), huge);
    cJSON *ev = cJSON_AddObjectToObject(f, "evidence");
    cJSON_AddStringToObject(ev, "proxy", "http://alice:s3cret@proxy.contoso.com:8080/");
    cJSON_AddStringToObject(ev, "other", huge);
    ohc_evlog_plan p;
    assert_int_equal(ohc_evlog_plan_make(&p, r, NULL, NULL), OHC_OK);
    const ohc_evlog_event *e = &p.events[0];
    assert_int_equal(e->kind->event_id, 1013);
    size_t total = 0;
    for (size_t i = 0; i < e->nstrings; i++) {
        assert_true(valid_utf8(e->strings[i]));
        total += strlen(e->strings[i]);
    }
    assert_true(total <= OHC_EVLOG_EVENT_MAX);
    assert_true(strlen(e->strings[4]) <= OHC_EVLOG_TITLE_MAX);
    assert_true(strlen(e->strings[5]) <= OHC_EVLOG_TEXT_MAX);
    assert_true(strlen(e->strings[5]) > OHC_EVLOG_TEXT_MAX - 64); /* cut, not dropped */
    assert_non_null(strstr(e->strings[5], " [... cut: "));
    assert_non_null(strstr(e->strings[5], "more bytes, see the report]"));
    assert_non_null(strstr(e->strings[6], "proxy = http://***@proxy.contoso.com:8080/"));
    assert_null(strstr(e->strings[6], "s3cret"));
    /* the state keeps the cut texts and reads them back */
    ohc_evlog_state st;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&st, p.next_state, strlen(p.next_state), &err), OHC_OK);
    assert_string_equal(st.seen[0].message, e->strings[5]);
    ohc_evlog_state_free(&st);
    ohc_evlog_plan_free(&p);

    char *s = ohc_evlog_bounded("see ftp://bob@host/x and https://h/p?u=a@b and x://:@y", 1000);
    assert_string_equal(s, "see ftp://***@host/x and https://h/p?u=a@b and x://***@y");
    free(s);
    s = ohc_evlog_bounded("short", 5);
    assert_string_equal(s, "short");
    free(s);
    cJSON_Delete(r);
    free(huge);
}

static void test_many_findings(void **state)
{
    (void)state;
    cJSON *r = report("rep-1", "warning");
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "R%03d", i);
        add_finding(r, id, "warning", "w");
    }
    ohc_evlog_plan p;
    assert_int_equal(ohc_evlog_plan_make(&p, r, NULL, NULL), OHC_OK);
    assert_int_equal(p.findings, OHC_EVLOG_MAX_FINDING_EVENTS);
    assert_int_equal(p.count, OHC_EVLOG_MAX_FINDING_EVENTS + 1);
    assert_string_equal(p.events[p.count - 1].strings[3], "100"); /* the summary counts all */
    ohc_evlog_state st;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&st, p.next_state, strlen(p.next_state), &err), OHC_OK);
    assert_int_equal(st.count, 100); /* each is remembered, so each can be resolved */
    ohc_evlog_state_free(&st);
    ohc_evlog_plan_free(&p);
    cJSON_Delete(r);
}

static void test_state_parse_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
        const char *message;
    } cases[] = {
        {"", OHC_EMALFORMED, "not JSON"},
        {"{\"version\":1,\"findings\":[", OHC_EMALFORMED, "not JSON"},
        {"[]", OHC_EMALFORMED, "not a JSON object"},
        {"{\"version\":2,\"findings\":[]}", OHC_EMALFORMED, "version is not 1"},
        {"{\"version\":1}", OHC_EMALFORMED, "findings is not an array"},
        {"{\"version\":1,\"findings\":[1]}", OHC_EMALFORMED, "findings[0]: not an object"},
        {"{\"version\":1,\"findings\":[{\"rule_id\":\"\"}]}", OHC_EMALFORMED, "findings[0]: rule_id"},
        {"{\"version\":1,\"findings\":[{\"rule_id\":\"A\",\"severity\":\"bad\"}]}", OHC_EMALFORMED,
         "findings[0]: severity"},
        {"{\"version\":1,\"findings\":[{\"rule_id\":\"A\",\"severity\":\"info\",\"title\":\"t\",\"message\":\"m\","
         "\"report_id\":\"r\",\"seen_at\":\"yesterday\"}]}",
         OHC_EMALFORMED, "findings[0]: seen_at"},
        {"{\"version\":1,\"findings\":[{\"rule_id\":\"A\",\"severity\":\"info\",\"title\":\"t\",\"message\":\"m\","
         "\"report_id\":\"r\",\"seen_at\":\"\"},{\"rule_id\":\"A\",\"severity\":\"info\",\"title\":\"t\","
         "\"message\":\"m\",\"report_id\":\"r\",\"seen_at\":\"\"}]}",
         OHC_EMALFORMED, "findings[1]: a rule_id appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ohc_evlog_state st;
        ohc_error err;
        ohc_error_clear(&err);
        assert_int_equal(ohc_evlog_state_parse(&st, cases[i].text, strlen(cases[i].text), &err), cases[i].code);
        if (strstr(err.message, cases[i].message) == NULL)
            fail_msg("case %zu: '%s' not in '%s'", i, cases[i].message, err.message);
        assert_int_equal(st.count, 0);
        assert_null(st.seen);
    }
    /* more findings than the bound */
    char *many = malloc(300 * 4 + 64);
    assert_non_null(many);
    strcpy(many, "{\"version\":1,\"findings\":[");
    for (int i = 0; i < 300; i++)
        strcat(many, i ? ",{}" : "{}");
    strcat(many, "]}");
    ohc_evlog_state st;
    ohc_error err;
    assert_int_equal(ohc_evlog_state_parse(&st, many, strlen(many), &err), OHC_ELIMIT);
    free(many);
}

/* ---- ohc_report_to_eventlog: the file steps ---- */

static struct {
    size_t calls, events, fail_at; /* fail_at: 1-based event that fails; 0 never */
    uint16_t ids[200];
    char strings[200][OHC_EVLOG_MAX_STRINGS][512];
} rec;

static int record(size_t *out_written, const ohc_evlog_event *events, size_t count, ohc_error *err)
{
    rec.calls++;
    *out_written = 0;
    for (size_t i = 0; i < count; i++) {
        if (rec.fail_at && rec.events + 1 == rec.fail_at)
            return ohc_error_set(err, OHC_EOS, 5, "ReportEventW failed");
        if (rec.events < 200) {
            rec.ids[rec.events] = events[i].kind->event_id;
            for (size_t j = 0; j < events[i].nstrings; j++)
                snprintf(rec.strings[rec.events][j], sizeof rec.strings[0][0], "%s", events[i].strings[j]);
        }
        rec.events++;
        (*out_written)++;
    }
    return OHC_OK;
}

static int run(ohc_eventlog_result *res, const cJSON *r)
{
    memset(&rec, 0, sizeof rec);
    ohc_eventlog_options o = {.state_path = state_path, .write = record};
    ohc_error err;
    ohc_error_clear(&err);
    return ohc_report_to_eventlog(res, r, &o, &err);
}

static void test_report_to_eventlog_files(void **state)
{
    (void)state;
    cJSON *r1 = report("rep-1", "problem");
    add_finding(r1, "A", "error", "a");
    add_finding(r1, "B", "warning", "b");
    cJSON *r2 = report("rep-2", "problem");
    add_finding(r2, "A", "error", "a");
    ohc_eventlog_result res;

    assert_int_equal(run(&res, r1), OHC_OK); /* first: no state file */
    assert_int_equal(res.written, 3);
    assert_int_equal(res.findings, 2);
    assert_true(res.state_saved);
    assert_false(res.state_problem);

    /* the writer fails at the resolved event: the state stays, so the next run says it */
    memset(&rec, 0, sizeof rec);
    rec.fail_at = 2;
    ohc_eventlog_options o = {.state_path = state_path, .write = record};
    ohc_error err;
    assert_int_equal(ohc_report_to_eventlog(&res, r2, &o, &err), OHC_EOS);
    assert_int_equal(res.written, 1);
    assert_false(res.state_saved);

    assert_int_equal(run(&res, r2), OHC_OK);
    assert_int_equal(res.resolved, 1);
    assert_int_equal(rec.ids[1], 1020);
    assert_string_equal(rec.strings[1][0], "B");
    assert_int_equal(run(&res, r2), OHC_OK);
    assert_int_equal(res.resolved, 0);

    /* damaged: kept aside whole, said in an event, no resolved this time, a fresh state written */
    static const char damaged[] = "{\"version\":1,\"findings\":[{\"rule_id\":\"A\"";
    assert_int_equal(ohc_os_write_file_atomic(state_path, damaged, strlen(damaged), NULL), OHC_OK);
    assert_int_equal(run(&res, r2), OHC_OK);
    assert_true(res.state_problem);
    assert_true(res.state_saved);
    assert_int_equal(res.resolved, 0);
    assert_int_equal(res.written, 3); /* finding, state.unreadable, summary */
    assert_int_equal(rec.ids[1], 1030);
    assert_non_null(strstr(rec.strings[1][0], "is damaged (not JSON)"));
    char aside[600], *text = NULL;
    size_t len = 0;
    snprintf(aside, sizeof aside, "%s.damaged", state_path);
    assert_int_equal(ohc_os_read_file(&text, &len, aside, 1 << 20, NULL), OHC_OK);
    assert_string_equal(text, damaged);
    free(text);
    assert_int_equal(ohc_os_read_file(&text, &len, state_path, 1 << 20, NULL), OHC_OK);
    ohc_evlog_state st;
    assert_int_equal(ohc_evlog_state_parse(&st, text, len, &err), OHC_OK);
    assert_int_equal(st.count, 1);
    ohc_evlog_state_free(&st);
    free(text);
    cJSON_Delete(r1);
    cJSON_Delete(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_stable),
        cmocka_unit_test(test_findings_and_summary),
        cmocka_unit_test(test_resolved_once),
        cmocka_unit_test(test_no_resolved_when_the_report_cannot_tell),
        cmocka_unit_test(test_bounds_and_redaction),
        cmocka_unit_test(test_many_findings),
        cmocka_unit_test(test_state_parse_refuses),
        cmocka_unit_test_setup_teardown(test_report_to_eventlog_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
