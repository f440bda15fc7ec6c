/* Template plans (evtx_internal.h) against the walk they stand for: every
 * file of ../shared/evtx-corpus (read in place), intact and with bytes
 * damaged at seeded places, read both ways gives the same records, the same
 * damage and the same counts; and the plans are in fact used. Native and
 * under Wine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_record.h"
#include "evtx.h"
#include "evtx_internal.h"
#include "os.h"

static char *corpus_dir(void)
{
    char dir[512];
    if (ohc_os_getenv("OHC_SHARED_DIR", dir, sizeof dir) != OHC_OK)
        snprintf(dir, sizeof dir, "../shared");
    size_t n = strlen(dir) + 32;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/evtx-corpus", dir);
    return p;
}

static uint8_t *load(const char *dir, const char *name, size_t *out_len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    char *data;
    ohc_error err;
    if (ohc_os_read_file(&data, out_len, path, 64u << 20, &err) != OHC_OK)
        fail_msg("%s: %s", path, err.message);
    free(path);
    return (uint8_t *)data;
}

static char *record_text(const ohc_event_record *rec)
{
    cJSON *j = ohc_event_record_to_json(rec);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    cJSON_Delete(j);
    return s;
}

typedef struct both_counts {
    uint64_t records, plan_runs;
} both_counts;

/* Reads data with plans and with the walk alone; fails on any difference. */
static void read_both_ways(const char *what, const uint8_t *data, size_t len, both_counts *counts)
{
    ohc_evtx_reader *planned, *walked;
    ohc_error e1, e2;
    int o1 = ohc_evtx_open_memory(&planned, data, len, &e1);
    int o2 = ohc_evtx_open_memory(&walked, data, len, &e2);
    assert_int_equal(o1, o2);
    if (o1 != OHC_OK)
        return;
    walked->plans_off = 1;
    for (;;) {
        ohc_event_record a, b;
        int r1 = ohc_evtx_next(planned, &a, &e1);
        int r2 = ohc_evtx_next(walked, &b, &e2);
        if (r1 != r2)
            fail_msg("%s: next() %d with plans, %d walked", what, r1, r2);
        if (r1 != 1)
            break;
        char *ta = record_text(&a), *tb = record_text(&b);
        if (strcmp(ta, tb) != 0)
            fail_msg("%s: record %llu differs:\nplan %s\nwalk %s", what, (unsigned long long)a.record_id, ta, tb);
        free(ta);
        free(tb);
        counts->records++;
    }
    size_t n1, n2;
    uint64_t t1, t2;
    const ohc_evtx_damage *d1 = ohc_evtx_damages(planned, &n1, &t1);
    const ohc_evtx_damage *d2 = ohc_evtx_damages(walked, &n2, &t2);
    if (n1 != n2 || t1 != t2)
        fail_msg("%s: damage %lu/%llu with plans, %lu/%llu walked", what, (unsigned long)n1, (unsigned long long)t1,
                 (unsigned long)n2, (unsigned long long)t2);
    for (size_t i = 0; i < n1; i++) {
        if (d1[i].chunk != d2[i].chunk || d1[i].offset != d2[i].offset || d1[i].record_id != d2[i].record_id ||
            d1[i].code != d2[i].code || strcmp(d1[i].reason, d2[i].reason) != 0)
            fail_msg("%s: damage %lu: \"%s\" with plans, \"%s\" walked", what, (unsigned long)i, d1[i].reason,
                     d2[i].reason);
    }
    const ohc_evtx_stats *s1 = ohc_evtx_get_stats(planned), *s2 = ohc_evtx_get_stats(walked);
    assert_memory_equal(s1, s2, sizeof *s1);
    assert_int_equal(walked->plan_runs, 0);
    counts->plan_runs += planned->plan_runs;
    ohc_evtx_close(planned);
    ohc_evtx_close(walked);
}

static int is_evtx(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".evtx") == 0;
}

static void test_corpus_same_both_ways(void **state)
{
    (void)state;
    char *dir = corpus_dir();
    ohc_os_dirent *files;
    size_t nfiles;
    ohc_error err;
    assert_int_equal(ohc_os_list_dir(&files, &nfiles, dir, &err), OHC_OK);
    both_counts counts = {0, 0};
    size_t read = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (!is_evtx(files[i].name))
            continue;
        size_t len;
        uint8_t *data = load(dir, files[i].name, &len);
        read_both_ways(files[i].name, data, len, &counts);
        free(data);
        read++;
    }
    print_message("%lu files, %llu records, %llu templates rendered by plan\n", (unsigned long)read,
                  (unsigned long long)counts.records, (unsigned long long)counts.plan_runs);
    assert_true(read >= 270);
    assert_true(counts.records > 8000);
    /* most records are an outer template and the one in its EventData */
    assert_true(counts.plan_runs > counts.records);
    ohc_os_dirents_free(files, nfiles);
    free(dir);
}

static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Damage where plans and the walk could part: bytes of template definitions,
 * substitution sizes and types, token bytes. Seeded, so every run reads the
 * same copies. */
static void test_damaged_same_both_ways(void **state)
{
    (void)state;
    static const char *const names[] = {
        "a__Execution__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx",
        "a__Command_and_Control__bits_openvpn.evtx",
    };
    char *dir = corpus_dir();
    uint32_t seed = 0x9e3779b9u;
    both_counts counts = {0, 0};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        size_t len;
        uint8_t *data = load(dir, names[f], &len);
        size_t span = len < 4096 + 2 * 65536 ? len : 4096 + 2 * 65536; /* the first two chunks */
        uint8_t *copy = malloc(span);
        assert_non_null(copy);
        for (int round = 0; round < 400; round++) {
            memcpy(copy, data, span);
            int flips = 1 + (int)(next_random(&seed) % 4);
            for (int k = 0; k < flips; k++) {
                size_t at = 4096 + 512 + next_random(&seed) % (span - 4096 - 512);
                copy[at] ^= (uint8_t)(1u << (next_random(&seed) % 8));
            }
            char what[160];
            snprintf(what, sizeof what, "%s, damaged copy %d", names[f], round);
            read_both_ways(what, copy, span, &counts);
        }
        free(copy);
        free(data);
    }
    print_message("%llu records, %llu templates rendered by plan\n", (unsigned long long)counts.records,
                  (unsigned long long)counts.plan_runs);
    assert_true(counts.plan_runs > 0);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_same_both_ways),
        cmocka_unit_test(test_damaged_same_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
