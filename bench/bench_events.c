/* Events probe, portable half: what it costs to take N Outlook Event 27
 * records through the collection (copy, sort, decode, JSON, summaries).
 *
 *   bench_events [EVENTS] [MAX_EVENTS] [ROUNDS]      (default 5000 200 20)
 *
 * Two shapes: the live reverse query (newest first: reading stops after
 * MAX_EVENTS + 1) and a file (oldest first: every record is examined, the
 * newest MAX_EVENTS kept). Prints ms per collection and records/s. Figures,
 * not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "os.h"

typedef struct src {
    ohc_event_record *recs;
    size_t count, pos;
    int reverse;
} src;

static int s_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    (void)q, (void)days, (void)since_ms, (void)err;
    ((src *)self)->pos = 0;
    return OHC_OK;
}

static int s_next(void *self, ohc_event_record *out, ohc_error *err)
{
    src *s = self;
    (void)err;
    if (s->pos >= s->count)
        return 0;
    size_t i = s->reverse ? s->count - 1 - s->pos : s->pos;
    s->pos++;
    *out = s->recs[i];
    return 1;
}

static void s_close(void *self)
{
    (void)self;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 5000;
    unsigned max = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200;
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    if (n == 0 || max == 0 || max > OHC_EVENTS_MAX_MAX || rounds <= 0) {
        fprintf(stderr, "usage: bench_events [EVENTS] [MAX_EVENTS<=%u] [ROUNDS]\n", OHC_EVENTS_MAX_MAX);
        return 2;
    }
    /* A field-like Event 27: reason, 0x90 bytes of fields, the OAB name. */
    static uint8_t bin[0x90 + 44];
    memset(bin, 0, sizeof bin);
    bin[0] = 2;
    const char *name = "\\Global Address List";
    for (size_t i = 0; name[i]; i++)
        bin[0x90 + 2 * i] = (uint8_t)name[i];
    static const ohc_event_value values[] = {{NULL, "Result Code 2"}, {NULL, "0x80190194"}};
    int64_t now = ohc_os_utc_now_ms();
    ohc_event_record *recs = calloc(n, sizeof *recs);
    if (recs == NULL)
        return 1;
    for (size_t i = 0; i < n; i++) { /* oldest first */
        recs[i].channel = "Application";
        recs[i].provider = "Outlook";
        recs[i].event_id = 27;
        recs[i].level = 2;
        recs[i].time_created_ms = now - (int64_t)(n - i) * 1000;
        recs[i].record_id = i + 1;
        recs[i].computer = "PC042.contoso.com";
        recs[i].values = values;
        recs[i].value_count = 2;
        recs[i].binary = bin;
        recs[i].binary_len = sizeof bin;
        recs[i].message = "Outlook could not download the Offline Address Book: 0x80190194.";
    }
    size_t qn;
    ohc_event_query q = ohc_events_default_queries(&qn)[0];
    q.max_events = max;
    printf("bench_events: %zu Event 27 records, max_events %u, %d rounds\n", n, max, rounds);
    for (int reverse = 1; reverse >= 0; reverse--) {
        src s = {recs, n, 0, reverse};
        ohc_event_source es = {reverse ? "live" : "evtx", reverse, 0, &s, s_open, s_next, s_close, NULL};
        uint64_t t0 = ohc_os_monotonic_ms();
        for (int r = 0; r < rounds; r++) {
            ohc_events_outcome o;
            cJSON *facts = ohc_events_collect(&o, &es, &q, 1, 14, now, 0);
            if (facts == NULL)
                return 1;
            cJSON_Delete(facts);
        }
        double ms = (double)(ohc_os_monotonic_ms() - t0) / rounds;
        /* The size of the facts, outside the timing. */
        ohc_events_outcome o;
        cJSON *facts = ohc_events_collect(&o, &es, &q, 1, 14, now, 0);
        char *text = facts ? cJSON_PrintUnformatted(facts) : NULL;
        size_t json_bytes = text ? strlen(text) : 0;
        free(text);
        cJSON_Delete(facts);
        size_t read = reverse ? (max < n ? max + 1 : n) : n;
        printf("  %-28s %8.2f ms per collection, %9.0f records read/s, facts %zu bytes\n",
               reverse ? "newest first (live query):" : "oldest first (file):", ms,
               ms > 0 ? (double)read / (ms / 1000.0) : 0.0, json_bytes);
    }
    free(recs);
    return 0;
}
