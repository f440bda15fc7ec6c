/* The probe runner keeps probes apart: one that fails, one that overruns its
 * budget and one that ends normally are each reported as such, and the good
 * one's facts arrive whatever the others did. A collection asked to end early
 * (options.cancel, set by another thread as the service does on a stop) is
 * seen by a probe that checks ohc_probe_cancelled. Runs natively and under Wine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "os.h"
#include "probe.h"

static void probe_good(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    cJSON_AddStringToObject(out->facts, "answer", "42");
}

static void probe_fails(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    cJSON_AddStringToObject(out->facts, "partial", "yes");
    out->status = OHC_PROBE_FAILED;
    ohc_error_set(&out->error, OHC_EOS, 0x80070005u, "access denied reading %s", "X");
}

static void probe_hangs(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    uint64_t until = ohc_os_monotonic_ms() + 1500;
    while (ohc_os_monotonic_ms() < until)
        ; /* a probe stuck in an API call */
    cJSON_AddStringToObject(out->facts, "late", "never read");
}

static void probe_silent_partial(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    out->status = OHC_PROBE_PARTIAL; /* forgot the reason */
}

static const char *status_of(cJSON *probes, const char *name)
{
    cJSON *p = cJSON_GetObjectItemCaseSensitive(probes, name);
    assert_non_null(p);
    cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "status");
    assert_true(cJSON_IsString(s));
    return s->valuestring;
}

static void test_failures_are_contained(void **state)
{
    (void)state;
    const ohc_probe_def defs[] = {
        {"hangs", 200, probe_hangs, 0},
        {"fails", 1000, probe_fails, 0},
        {"good", 1000, probe_good, 0},
        {"silent", 1000, probe_silent_partial, 0},
    };
    cJSON *probes = cJSON_CreateObject(), *facts = cJSON_CreateObject();
    ohc_collect_options opts = {.event_days = 14};
    uint64_t t0 = ohc_os_monotonic_ms();
    ohc_probes_run(probes, facts, defs, 4, &opts);
    uint64_t elapsed = ohc_os_monotonic_ms() - t0;
    /* The overrunning probe was abandoned at its budget, not waited for. */
    assert_true(elapsed < 1400);

    assert_string_equal(status_of(probes, "hangs"), "failed");
    cJSON *err = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "hangs"), "error");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "kind")->valuestring, "timeout");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(facts, "hangs")), 0);

    assert_string_equal(status_of(probes, "fails"), "failed");
    err = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "fails"), "error");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "message")->valuestring, "access denied reading X");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "code_hex")->valuestring, "0x80070005");

    assert_string_equal(status_of(probes, "good"), "ok");
    assert_true(
        cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "good"), "error")));
    cJSON *good = cJSON_GetObjectItemCaseSensitive(facts, "good");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(good, "answer")->valuestring, "42");

    /* A status other than ok always carries a reason. */
    assert_string_equal(status_of(probes, "silent"), "partial");
    err = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "silent"), "error");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(err, "message"));

    /* Report order is table order, whatever the timing. */
    assert_string_equal(probes->child->string, "hangs");
    cJSON_Delete(probes);
    cJSON_Delete(facts);
    /* Let the abandoned probe finish and free its job before the process ends. */
    uint64_t until = ohc_os_monotonic_ms() + 1500;
    while (ohc_os_monotonic_ms() < until)
        ;
}

/* Works in steps of 10 ms, as the bits probe does job by job, for up to 5 s. */
static void probe_long_loop(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    int steps = 0;
    uint64_t until = ohc_os_monotonic_ms() + 5000;
    while (ohc_os_monotonic_ms() < until) {
        if (ohc_probe_cancelled(ctx)) {
            out->status = OHC_PROBE_PARTIAL;
            ohc_error_set(&out->error, OHC_ECANCELLED, 0, "cancelled after %d steps", steps);
            break;
        }
        uint64_t step_end = ohc_os_monotonic_ms() + 10;
        while (ohc_os_monotonic_ms() < step_end)
            ;
        steps++;
    }
    cJSON_AddNumberToObject(out->facts, "steps", steps);
}

static int cancel_flag;

static void cancel_later(void *arg)
{
    (void)arg;
    uint64_t until = ohc_os_monotonic_ms() + 200;
    while (ohc_os_monotonic_ms() < until)
        ;
    __atomic_store_n(&cancel_flag, 1, __ATOMIC_RELEASE);
}

static void test_cancel(void **state)
{
    (void)state;
    const ohc_probe_def defs[] = {{"long", 10000, probe_long_loop, 0}, {"good", 1000, probe_good, 0}};
    ohc_collect_options opts = {.event_days = 14, .cancel = &cancel_flag};
    ohc_probe_context ctx = {&opts, 0, NULL};
    ohc_collect_options no_flag = {.event_days = 14};
    ohc_probe_context no_ctx = {&no_flag, 0, NULL};
    assert_false(ohc_probe_cancelled(NULL));
    assert_false(ohc_probe_cancelled(&no_ctx));
    assert_false(ohc_probe_cancelled(&ctx));

    ohc_os_thread *t = NULL;
    ohc_error err;
    assert_int_equal(ohc_os_thread_start(&t, cancel_later, NULL, &err), OHC_OK);
    cJSON *probes = cJSON_CreateObject(), *facts = cJSON_CreateObject();
    uint64_t t0 = ohc_os_monotonic_ms();
    ohc_probes_run(probes, facts, defs, 2, &opts);
    uint64_t elapsed = ohc_os_monotonic_ms() - t0;
    assert_int_equal(ohc_os_thread_join(t, 5000), OHC_OK);
    assert_true(ohc_probe_cancelled(&ctx));
    /* Ended at the cancel (200 ms), not at its 5 s loop or its 10 s budget. */
    assert_true(elapsed < 2000);
    assert_string_equal(status_of(probes, "long"), "partial");
    cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, "long"), "error");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, "cancelled");
    assert_true(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, "long"), "steps")->valueint >
                0);
    /* A probe that does not look at the flag runs to its end as usual. */
    assert_string_equal(status_of(probes, "good"), "ok");
    assert_string_equal(ohc_err_name(OHC_ECANCELLED), "cancelled");
    cJSON_Delete(probes);
    cJSON_Delete(facts);
}

/* Reads what the earlier probes found, as the OAB check reads the OAB URLs of
 * the bits and events probes. */
static void probe_reads_others(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    const cJSON *good = cJSON_GetObjectItemCaseSensitive(ctx->prior_facts, "good");
    const char *answer = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(good, "answer"));
    cJSON_AddStringToObject(out->facts, "seen", answer ? answer : "nothing");
}

/* Phase 2: what the phase-1 reader saw. */
static void probe_reads_reader(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    const cJSON *reader = cJSON_GetObjectItemCaseSensitive(ctx->prior_facts, "reader");
    const char *seen = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reader, "seen"));
    cJSON_AddStringToObject(out->facts, "seen", seen ? seen : "nothing");
}

static void test_phases(void **state)
{
    (void)state;
    /* Listed first, the readers still run after "good" ended; phase 2 sees phase 1. */
    const ohc_probe_def defs[] = {{"reader2", 1000, probe_reads_reader, 2},
                                  {"reader", 1000, probe_reads_others, 1},
                                  {"good", 1000, probe_good, 0}};
    const ohc_probe_def before[] = {{"reader", 1000, probe_reads_others, 0}, {"good", 1000, probe_good, 0}};
    ohc_collect_options opts = {.event_days = 14};
    cJSON *probes = cJSON_CreateObject(), *facts = cJSON_CreateObject();
    ohc_probes_run(probes, facts, defs, 3, &opts);
    const cJSON *reader = cJSON_GetObjectItemCaseSensitive(facts, "reader");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(reader, "seen")->valuestring, "42");
    assert_string_equal(status_of(probes, "reader"), "ok");
    const cJSON *reader2 = cJSON_GetObjectItemCaseSensitive(facts, "reader2");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(reader2, "seen")->valuestring, "42");
    cJSON_Delete(probes);
    cJSON_Delete(facts);
    /* In phase 0 a probe sees nothing of the others (they run at once). */
    probes = cJSON_CreateObject(), facts = cJSON_CreateObject();
    ohc_probes_run(probes, facts, before, 2, &opts);
    reader = cJSON_GetObjectItemCaseSensitive(facts, "reader");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(reader, "seen")->valuestring, "nothing");
    cJSON_Delete(probes);
    cJSON_Delete(facts);
}

static void test_take_facts(void **state)
{
    (void)state;
    ohc_probe_output out = {cJSON_CreateObject(), OHC_PROBE_OK, {0, 0, ""}};
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "a", 1);
    cJSON_AddStringToObject(f, "b", "x");
    ohc_probe_take_facts(&out, f);
    assert_int_equal(cJSON_GetArraySize(out.facts), 2);
    ohc_probe_take_facts(&out, NULL);
    assert_int_equal(out.status, OHC_PROBE_FAILED);
    assert_int_equal(out.error.code, OHC_ENOMEM);
    cJSON_Delete(out.facts);
}

/* The service's options live on its stack for one collection and its
 * strings are freed when the collection returns; a probe that overran its
 * budget reads them afterwards. The runner hands probes a copy: here the
 * caller wipes and frees everything as soon as the run returns, and the late
 * probe must still see the values (natively ASan would also report the read
 * of freed memory). */
static int late_done;
static char late_seen[160];

static void probe_reads_late(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)out;
    uint64_t until = ohc_os_monotonic_ms() + 400;
    while (ohc_os_monotonic_ms() < until)
        ; /* past its 100 ms budget */
    const ohc_collect_options *o = ctx->options;
    snprintf(late_seen, sizeof late_seen, "%s|%s|%s|%s|%s|%u|%s", o->event_state_path, o->evtx_files[0],
             o->evtx_files[1] == NULL ? "end" : "?", o->oab_urls[1], o->event_queries[0].channel,
             (unsigned)o->event_queries[0].ids[1], o->oab_allow_hosts);
    __atomic_store_n(&late_done, 1, __ATOMIC_RELEASE);
}

static char *heap_str(const char *s)
{
    char *c = malloc(strlen(s) + 1);
    assert_non_null(c);
    return strcpy(c, s);
}

static void wipe_free(char *s)
{
    memset(s, 'X', strlen(s));
    free(s);
}

static void test_overrunning_probe_reads_its_own_options(void **state)
{
    (void)state;
    const ohc_probe_def defs[] = {{"late", 100, probe_reads_late, 0}};
    ohc_collect_options *opts = calloc(1, sizeof *opts);
    const char **files = calloc(2, sizeof *files), **urls = calloc(2, sizeof *urls);
    uint32_t *ids = calloc(2, sizeof *ids);
    ohc_event_query *q = calloc(1, sizeof *q);
    assert_true(opts && files && urls && ids && q);
    char *path = heap_str("C:\\state\\event-state.json"), *file = heap_str("a.evtx"), *u0 = heap_str("https://x/oab"),
         *u1 = heap_str("https://y/oab"), *chan = heap_str("Application"), *name = heap_str("extra"),
         *allow = heap_str("mail.example.com");
    files[0] = file;
    urls[0] = u0;
    urls[1] = u1;
    ids[0] = 26;
    ids[1] = 27;
    *q = (ohc_event_query){.name = name, .channel = chan, .ids = ids, .id_count = 2};
    *opts = (ohc_collect_options){.event_days = 14,
                                  .event_state_path = path,
                                  .evtx_files = files,
                                  .oab_urls = urls,
                                  .oab_url_count = 2,
                                  .event_queries = q,
                                  .event_query_count = 1,
                                  .oab_allow_hosts = allow};
    cJSON *probes = cJSON_CreateObject(), *facts = cJSON_CreateObject();
    ohc_probes_run(probes, facts, defs, 1, opts);
    assert_string_equal(status_of(probes, "late"), "failed");
    /* the caller is done with its options */
    wipe_free(path), wipe_free(file), wipe_free(u0), wipe_free(u1), wipe_free(chan), wipe_free(name), wipe_free(allow);
    memset(ids, 0, 2 * sizeof *ids);
    memset(q, 0, sizeof *q);
    memset(opts, 0, sizeof *opts);
    free(files), free(urls), free(ids), free(q), free(opts);
    cJSON_Delete(probes);
    cJSON_Delete(facts);
    for (int i = 0; i < 1000 && !__atomic_load_n(&late_done, __ATOMIC_ACQUIRE); i++)
        ohc_os_sleep_ms(10);
    assert_true(__atomic_load_n(&late_done, __ATOMIC_ACQUIRE));
    assert_string_equal(late_seen,
                        "C:\\state\\event-state.json|a.evtx|end|https://y/oab|Application|27|mail.example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failures_are_contained),
        cmocka_unit_test(test_overrunning_probe_reads_its_own_options),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_take_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
