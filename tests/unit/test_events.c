/* The events probe's portable half: queries and their XPath, the collection
 * over a source (a table of records here, the live log or .evtx files in
 * ohc.exe), bounds, statuses and the summaries the rules read. */
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

/* ---- a source made of records ------------------------------------------- */

typedef struct fake {
    const ohc_event_record *recs;
    size_t count, pos;
    int open_rc; /* what open() answers */
    int fail_at; /* next() fails with OHC_EIO at this index; -1 never */
    int opens, closes;
    char last_channel[128];
} fake;

static int fake_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    fake *f = self;
    (void)days;
    (void)since_ms;
    f->opens++;
    f->pos = 0;
    snprintf(f->last_channel, sizeof f->last_channel, "%s", q->channel);
    if (f->open_rc != OHC_OK)
        ohc_error_set(err, f->open_rc == OHC_EVENTS_OPEN_DISABLED ? OHC_EUNAVAILABLE : f->open_rc, 15007,
                      "fake open %d", f->open_rc);
    return f->open_rc;
}

static int fake_next(void *self, ohc_event_record *out, ohc_error *err)
{
    fake *f = self;
    if (f->fail_at >= 0 && f->pos == (size_t)f->fail_at)
        return ohc_error_set(err, OHC_EIO, 0, "the log changed");
    if (f->pos >= f->count)
        return 0;
    *out = f->recs[f->pos++];
    return 1;
}

static void fake_close(void *self)
{
    ((fake *)self)->closes++;
}

static const uint8_t bin_reason2[] = {2, 0, 0, 0, 'A', 0, 'B', 0, 'C', 0, 0, 0};
static const uint8_t bin_reason8[] = {8, 0, 0, 0};

static ohc_event_record oab(int64_t t, uint8_t level, const uint8_t *bin, size_t len, const char *msg)
{
    ohc_event_record r;
    memset(&r, 0, sizeof r);
    r.channel = "Application";
    r.provider = "Outlook";
    r.event_id = 27;
    r.level = level;
    r.time_created_ms = t;
    r.record_id = (uint64_t)t;
    r.computer = "PC1";
    r.binary = bin;
    r.binary_len = len;
    r.message = msg;
    return r;
}

static const int64_t NOW = 1795552525000LL; /* 2026-11-24T20:35:25Z */
#define MIN 60000LL

static cJSON *get(cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok != NULL && o != NULL; tok = strtok(NULL, "."))
        o = cJSON_GetObjectItemCaseSensitive(o, tok);
    return o;
}

static const ohc_event_query *oab_only(void)
{
    size_t n;
    return &ohc_events_default_queries(&n)[0];
}

/* ---- queries ------------------------------------------------------------ */

static void test_xpath_of_defaults(void **state)
{
    (void)state;
    size_t n = 0;
    const ohc_event_query *q = ohc_events_default_queries(&n);
    assert_int_equal(n, 2);
    ohc_strbuf sb = OHC_STRBUF_INIT;
    assert_int_equal(ohc_events_build_xpath(&sb, &q[0], 14, NULL), OHC_OK);
    assert_string_equal(ohc_strbuf_str(&sb), "*[System[Provider[@Name='Outlook'] and (EventID=27) and "
                                             "TimeCreated[timediff(@SystemTime) <= 1209600000]]]");
    ohc_strbuf_free(&sb);
    assert_int_equal(ohc_events_build_xpath(&sb, &q[1], 1, NULL), OHC_OK);
    assert_string_equal(ohc_strbuf_str(&sb),
                        "*[System[Provider[@Name='Microsoft-Windows-Bits-Client'] and (EventID=3 or EventID=4 or "
                        "EventID=59 or EventID=60 or EventID=16398) and TimeCreated[timediff(@SystemTime) <= "
                        "86400000]]]");
    ohc_strbuf_free(&sb);
    assert_string_equal(q[1].channel, "Microsoft-Windows-Bits-Client/Operational");

    /* Any provider, any id: only the time window is left. */
    ohc_event_query any = {"any", "System", NULL, NULL, 0, 0, 0};
    assert_int_equal(ohc_events_build_xpath(&sb, &any, 3650, NULL), OHC_OK);
    assert_string_equal(ohc_strbuf_str(&sb), "*[System[TimeCreated[timediff(@SystemTime) <= 315360000000]]]");
    ohc_strbuf_free(&sb);
}

/* Beyond OHC_EVENTS_XPATH_MAX_IDS ids, one XPath would pass Windows' limit
 * of 32 expressions: a structured QueryList, one Select per 20 ids, with "<"
 * escaped; up to the limit, the plain XPath as before. */
static void test_structured_query_beyond_the_xpath_limit(void **state)
{
    (void)state;
    uint32_t ids[25];
    for (int i = 0; i < 25; i++)
        ids[i] = (uint32_t)(1000 + i);
    ohc_event_query q = {"many", "Application", "Outlook", ids, 25, 0, 0};
    ohc_strbuf sb = OHC_STRBUF_INIT;
    int structured = -1;
    assert_int_equal(ohc_events_build_query(&sb, &structured, &q, 1, NULL), OHC_OK);
    assert_int_equal(structured, 1);
    const char *s = ohc_strbuf_str(&sb);
    static const char head[] = "<QueryList><Query Id=\"0\" Path=\"Application\"><Select Path=\"Application\">";
    assert_true(strncmp(s, head, sizeof head - 1) == 0);
    assert_non_null(strstr(s, "EventID=1019)")); /* the 20th ends the first Select */
    assert_non_null(strstr(s, "<Select Path=\"Application\">*[System[Provider[@Name='Outlook'] and (EventID=1020 or"));
    assert_non_null(strstr(s, "timediff(@SystemTime) &lt;= 86400000]]]</Select></Query></QueryList>"));
    assert_null(strstr(s, " <= "));
    size_t selects = 0;
    for (const char *p = s; (p = strstr(p, "<Select ")) != NULL; p++)
        selects++;
    assert_int_equal(selects, 2);
    ohc_strbuf_free(&sb);
    q.id_count = OHC_EVENTS_XPATH_MAX_IDS;
    assert_int_equal(ohc_events_build_query(&sb, &structured, &q, 1, NULL), OHC_OK);
    assert_int_equal(structured, 0);
    assert_true(strncmp(ohc_strbuf_str(&sb), "*[System[", 9) == 0);
    ohc_strbuf_free(&sb);
    /* the checks still apply */
    ohc_event_query bad = {"bad", "App'lication", NULL, ids, 25, 0, 0};
    assert_int_equal(ohc_events_build_query(&sb, &structured, &bad, 1, NULL), OHC_EINVAL);
    ohc_strbuf_free(&sb);
}

static void test_query_check_rejects_injection(void **state)
{
    (void)state;
    ohc_error err;
    static const uint32_t ids[] = {1};
    ohc_event_query q = {"x", "Application", "Out']] or [System[", ids, 1, 0, 0};
    ohc_strbuf sb = OHC_STRBUF_INIT;
    assert_int_equal(ohc_events_build_xpath(&sb, &q, 14, &err), OHC_EINVAL);
    assert_non_null(strstr(err.message, "provider"));
    assert_int_equal(sb.len, 0);
    q.provider = "Outlook";
    q.channel = "App\"lication";
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.channel = "";
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.channel = "Application";
    q.name = NULL;
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.name = "queries";
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.name = "x";
    static const uint32_t big[] = {70000};
    q.ids = big;
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    static uint32_t many[OHC_EVENTS_MAX_IDS + 1];
    q.ids = many;
    q.id_count = OHC_EVENTS_MAX_IDS + 1;
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.id_count = OHC_EVENTS_MAX_IDS;
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_OK);
    q.max_events = OHC_EVENTS_MAX_MAX + 1;
    assert_int_equal(ohc_events_query_check(&q, &err), OHC_EINVAL);
    q.max_events = 0;
    assert_int_equal(ohc_events_build_xpath(&sb, &q, 0, &err), OHC_EINVAL); /* days 0 */
    ohc_strbuf_free(&sb);
}

static void test_record_dup(void **state)
{
    (void)state;
    ohc_event_value values[] = {{"url", "https://x/OAB/oab.xml"}, {NULL, "v2"}};
    ohc_event_record r = oab(NOW, 2, bin_reason2, sizeof bin_reason2, "msg");
    r.values = values;
    r.value_count = 2;
    ohc_event_record *c = ohc_event_record_dup(&r);
    assert_non_null(c);
    assert_ptr_not_equal(c->channel, r.channel);
    assert_string_equal(c->channel, "Application");
    assert_string_equal(c->provider, "Outlook");
    assert_string_equal(c->computer, "PC1");
    assert_string_equal(c->message, "msg");
    assert_int_equal(c->value_count, 2);
    assert_string_equal(c->values[0].name, "url");
    assert_null(c->values[1].name);
    assert_string_equal(c->values[1].value, "v2");
    assert_memory_equal(c->binary, bin_reason2, sizeof bin_reason2);
    assert_int_equal(c->time_created_ms, NOW);
    free(c);
    r.binary = NULL;
    r.binary_len = 0;
    r.message = NULL;
    r.computer = NULL;
    r.values = NULL;
    r.value_count = 0;
    c = ohc_event_record_dup(&r);
    assert_null(c->binary);
    assert_null(c->message);
    assert_null(c->values);
    free(c);
}

/* ---- collection --------------------------------------------------------- */

static void test_collect_decodes_and_summarises(void **state)
{
    (void)state;
    /* Newest first, as the live reverse query gives them. */
    ohc_event_record recs[] = {
        oab(NOW - 1 * MIN, 2, bin_reason2, sizeof bin_reason2, "failed: 0x80190194"),
        oab(NOW - 2 * MIN, 3, bin_reason8, sizeof bin_reason8, "failed 0x80200049 and 0x80190194"),
        oab(NOW - 3 * MIN, 4, bin_reason2, sizeof bin_reason2, NULL),
    };
    fake f = {recs, 3, 0, OHC_OK, -1, 0, 0, ""};
    ohc_event_source src = {"live", 1, 0, &f, fake_open, fake_next, fake_close, NULL};
    ohc_events_outcome o;
    cJSON *facts = ohc_events_collect(&o, &src, oab_only(), 1, 14, NOW, 0);
    assert_non_null(facts);
    assert_int_equal(f.opens, 1);
    assert_int_equal(f.closes, 1);
    assert_int_equal(o.queries_ok, 1);
    assert_int_equal(o.records, 3);
    assert_string_equal(get(facts, "source")->valuestring, "live");
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "ok");
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 3);
    assert_true(cJSON_IsFalse(get(facts, "queries.outlook_oab.capped")));
    assert_int_equal(get(facts, "queries.outlook_oab.days")->valueint, 14);
    cJSON *evs = get(facts, "outlook_oab.events");
    assert_int_equal(cJSON_GetArraySize(evs), 3);
    cJSON *e0 = cJSON_GetArrayItem(evs, 0);
    assert_string_equal(get(e0, "decoded.kind")->valuestring, "failure");
    assert_string_equal(get(e0, "decoded.oab_name")->valuestring, "ABC");
    assert_string_equal(get(e0, "time_created")->valuestring, "2026-11-24T20:34:25.000Z");
    assert_string_equal(get(cJSON_GetArrayItem(evs, 2), "decoded.kind")->valuestring, "start");

    assert_int_equal(get(facts, "outlook_oab.summary.failure_count")->valueint, 2);
    assert_string_equal(get(facts, "outlook_oab.summary.last_failure_time")->valuestring, "2026-11-24T20:34:25.000Z");
    cJSON *hrs = get(facts, "outlook_oab.summary.hrs_hex");
    assert_int_equal(cJSON_GetArraySize(hrs), 2);
    assert_string_equal(cJSON_GetArrayItem(hrs, 0)->valuestring, "0x80190194");
    assert_string_equal(cJSON_GetArrayItem(hrs, 1)->valuestring, "0x80200049");
    cJSON *reasons = get(facts, "outlook_oab.summary.reason_codes");
    assert_int_equal(cJSON_GetArraySize(reasons), 2);
    assert_int_equal(cJSON_GetArrayItem(reasons, 0)->valueint, 2);
    assert_int_equal(cJSON_GetArrayItem(reasons, 1)->valueint, 8);
    assert_true(cJSON_IsNull(get(facts, "outlook_oab.summary.last_success_time")));
    assert_null(get(facts, "api_error"));

    ohc_probe_output out;
    memset(&out, 0, sizeof out);
    ohc_events_set_status(&out, &o);
    assert_int_equal(out.status, OHC_PROBE_OK);
    cJSON_Delete(facts);
}

static void test_cap_newest_first_and_oldest_first(void **state)
{
    (void)state;
    enum { N = 50 };
    ohc_event_record recs[N];
    for (int i = 0; i < N; i++)
        recs[i] = oab(NOW - (int64_t)i * MIN, 2, bin_reason2, sizeof bin_reason2, NULL); /* newest first */
    ohc_event_query q = *oab_only();
    q.max_events = 10;

    fake f = {recs, N, 0, OHC_OK, -1, 0, 0, ""};
    ohc_event_source src = {"live", 1, 0, &f, fake_open, fake_next, fake_close, NULL};
    ohc_events_outcome o;
    cJSON *facts = ohc_events_collect(&o, &src, &q, 1, 14, NOW, 0);
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 10);
    assert_true(cJSON_IsTrue(get(facts, "queries.outlook_oab.capped")));
    assert_int_equal(f.pos, 11); /* stopped reading: one past the cap says "capped" */
    assert_string_equal(get(cJSON_GetArrayItem(get(facts, "outlook_oab.events"), 0), "time_created")->valuestring,
                        "2026-11-24T20:35:25.000Z");
    cJSON_Delete(facts);

    /* A file source gives the oldest first: the newest 10 are kept all the same. */
    ohc_event_record rev[N];
    for (int i = 0; i < N; i++)
        rev[i] = recs[N - 1 - i];
    fake g = {rev, N, 0, OHC_OK, -1, 0, 0, ""};
    ohc_event_source fsrc = {"evtx", 0, 0, &g, fake_open, fake_next, fake_close, NULL};
    facts = ohc_events_collect(&o, &fsrc, &q, 1, 14, NOW, 0);
    assert_int_equal(g.pos, N);
    assert_string_equal(get(facts, "source")->valuestring, "evtx");
    cJSON *evs = get(facts, "outlook_oab.events");
    assert_int_equal(cJSON_GetArraySize(evs), 10);
    assert_string_equal(get(cJSON_GetArrayItem(evs, 0), "time_created")->valuestring, "2026-11-24T20:35:25.000Z");
    assert_string_equal(get(cJSON_GetArrayItem(evs, 9), "time_created")->valuestring, "2026-11-24T20:26:25.000Z");
    assert_true(cJSON_IsTrue(get(facts, "queries.outlook_oab.capped")));
    cJSON_Delete(facts);
}

/* A source that reads every query in one pass (ohc_event_source.scan, as the
 * .evtx source does): each record offered to every query, oldest first. */
typedef struct fake_pass {
    const ohc_event_record *recs;
    size_t count;
    size_t passes, queries_seen, delivered;
    int fail; /* the pass ends with OHC_EIO after the records */
} fake_pass;

static int pass_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    (void)self, (void)q, (void)days, (void)since_ms;
    fail_msg("open() called on a source that reads in one pass");
    return ohc_error_set(err, OHC_EINVAL, 0, "not here");
}

static int pass_next(void *self, ohc_event_record *out, ohc_error *err)
{
    (void)self, (void)out, (void)err;
    return 0;
}

static void pass_close(void *self)
{
    (void)self;
}

static int pass_scan(void *self, const ohc_event_query *const *queries, size_t count,
                     int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec), void *ctx, ohc_error *err)
{
    fake_pass *f = self;
    f->passes++;
    f->queries_seen = count;
    for (size_t i = 0; i < f->count; i++)
        for (size_t q = 0; q < count; q++) {
            if (queries[q]->provider && strcmp(queries[q]->provider, f->recs[i].provider) != 0)
                continue;
            f->delivered++;
            if (deliver(ctx, q, &f->recs[i]) != 0)
                return OHC_OK;
        }
    return f->fail ? ohc_error_set(err, OHC_EIO, 0, "read failed") : OHC_OK;
}

static void test_one_pass_for_every_query(void **state)
{
    (void)state;
    enum { N = 30 };
    ohc_event_record recs[N];
    for (int i = 0; i < N; i++) /* oldest first, as in a file */
        recs[i] = oab(NOW - (int64_t)(N - i) * MIN, 2, bin_reason2, sizeof bin_reason2, NULL);
    recs[3].channel = "System"; /* not the query's channel: not kept */
    ohc_event_query qs[3];
    qs[0] = *oab_only();
    qs[0].max_events = 10;
    qs[1] = qs[0];
    qs[1].name = "all_app";
    qs[1].provider = NULL;
    qs[1].max_events = 0;
    qs[2] = qs[0];
    qs[2].name = "bad name!"; /* invalid: not given to the pass */

    fake_pass f = {recs, N, 0, 0, 0, 0};
    ohc_event_source src = {"evtx", 0, 1, &f, pass_open, pass_next, pass_close, pass_scan};
    ohc_events_outcome o;
    cJSON *facts = ohc_events_collect(&o, &src, qs, 3, 14, NOW, 0);
    assert_non_null(facts);
    assert_int_equal(f.passes, 1);
    assert_int_equal(f.queries_seen, 2);
    /* the newest 10 of the 29 in the channel, newest first, and capped */
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 10);
    assert_true(cJSON_IsTrue(get(facts, "queries.outlook_oab.capped")));
    assert_string_equal(get(cJSON_GetArrayItem(get(facts, "outlook_oab.events"), 0), "time_created")->valuestring,
                        "2026-11-24T20:34:25.000Z");
    assert_int_equal(get(facts, "queries.all_app.returned")->valueint, N - 1);
    assert_true(cJSON_IsFalse(get(facts, "queries.all_app.capped")));
    assert_string_equal(get(facts, "queries.bad name!.status")->valuestring, "error");
    assert_int_equal(o.queries_ok, 2);
    assert_int_equal(o.queries_failed, 1);
    cJSON_Delete(facts);

    /* A pass that fails: the queries say so, and keep what they had. */
    f.fail = 1;
    facts = ohc_events_collect(&o, &src, qs, 2, 14, NOW, 0);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "error");
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 10);
    assert_string_equal(get(facts, "queries.all_app.error.message")->valuestring, "read failed");
    cJSON_Delete(facts);

    /* The time budget already spent: the pass stops at the first record. */
    f.fail = 0;
    f.delivered = 0;
    facts = ohc_events_collect(&o, &src, qs, 2, 14, NOW, 1);
    assert_int_equal(f.delivered, 1);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "error");
    assert_string_equal(get(facts, "queries.outlook_oab.error.kind")->valuestring, "timeout");
    cJSON_Delete(facts);
}

static void test_window_and_channel_filter_for_files(void **state)
{
    (void)state;
    ohc_event_record recs[] = {
        oab(NOW - 20LL * 86400000, 2, bin_reason2, sizeof bin_reason2, "old"),
        oab(NOW - MIN, 2, bin_reason2, sizeof bin_reason2, "other channel"),
        oab(NOW - MIN, 2, bin_reason2, sizeof bin_reason2, "kept"),
    };
    recs[1].channel = "System";
    fake f = {recs, 3, 0, OHC_OK, -1, 0, 0, ""};
    ohc_event_source src = {"evtx", 0, 0, &f, fake_open, fake_next, fake_close, NULL};
    ohc_events_outcome o;
    cJSON *facts = ohc_events_collect(&o, &src, oab_only(), 1, 14, NOW, 0);
    cJSON *evs = get(facts, "outlook_oab.events");
    assert_int_equal(cJSON_GetArraySize(evs), 1);
    assert_string_equal(get(cJSON_GetArrayItem(evs, 0), "message")->valuestring, "kept");
    assert_int_equal(get(facts, "queries.outlook_oab.days")->valueint, 14);
    cJSON_Delete(facts);

    /* Files are read whole: an exported log is not cut by today's window. */
    src.all_time = 1;
    facts = ohc_events_collect(&o, &src, oab_only(), 1, 14, NOW, 0);
    evs = get(facts, "outlook_oab.events");
    assert_int_equal(cJSON_GetArraySize(evs), 2);
    assert_string_equal(get(cJSON_GetArrayItem(evs, 1), "message")->valuestring, "old");
    assert_true(cJSON_IsNull(get(facts, "queries.outlook_oab.days")));
    cJSON_Delete(facts);
}

static void test_statuses(void **state)
{
    (void)state;
    size_t n;
    const ohc_event_query *qs = ohc_events_default_queries(&n);
    ohc_event_record recs[] = {oab(NOW - MIN, 2, bin_reason2, sizeof bin_reason2, NULL)};
    ohc_events_outcome o;
    ohc_probe_output out;

    /* Missing channel: partial, not an error of the whole probe. */
    fake f = {recs, 1, 0, OHC_ENOTFOUND, -1, 0, 0, ""};
    ohc_event_source src = {"live", 1, 0, &f, fake_open, fake_next, fake_close, NULL};
    cJSON *facts = ohc_events_collect(&o, &src, qs, n, 14, NOW, 0);
    assert_int_equal(f.closes, 0); /* nothing to close after a failed open */
    assert_string_equal(get(facts, "queries.bits_client.status")->valuestring, "channel_missing");
    assert_string_equal(get(facts, "queries.bits_client.error.kind")->valuestring, "not_found");
    assert_int_equal(o.queries_missing, 2);
    memset(&out, 0, sizeof out);
    ohc_events_set_status(&out, &o);
    assert_int_equal(out.status, OHC_PROBE_PARTIAL);
    assert_int_equal(out.error.os_code, 15007);
    cJSON_Delete(facts);

    /* Disabled: said so, and its events are still read. */
    fake d = {recs, 1, 0, OHC_EVENTS_OPEN_DISABLED, -1, 0, 0, ""};
    src.self = &d;
    facts = ohc_events_collect(&o, &src, qs, 1, 14, NOW, 0);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "channel_disabled");
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 1);
    assert_int_equal(d.closes, 1);
    cJSON_Delete(facts);

    /* API unavailable: asked once, every query says so, api_error is set. */
    fake u = {recs, 1, 0, OHC_EUNAVAILABLE, -1, 0, 0, ""};
    src.self = &u;
    facts = ohc_events_collect(&o, &src, qs, n, 14, NOW, 0);
    assert_int_equal(u.opens, 1);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "unavailable");
    assert_string_equal(get(facts, "queries.bits_client.status")->valuestring, "unavailable");
    assert_string_equal(get(facts, "api_error.kind")->valuestring, "unavailable");
    assert_int_equal(cJSON_GetArraySize(get(facts, "outlook_oab.events")), 0);
    assert_non_null(get(facts, "bits_client.transfers"));
    memset(&out, 0, sizeof out);
    ohc_events_set_status(&out, &o);
    assert_int_equal(out.status, OHC_PROBE_UNAVAILABLE);
    cJSON_Delete(facts);

    /* A read error midway: what was read is kept, the query says error. */
    ohc_event_record two[] = {recs[0], recs[0]};
    fake e = {two, 2, 0, OHC_OK, 1, 0, 0, ""};
    src.self = &e;
    facts = ohc_events_collect(&o, &src, qs, 1, 14, NOW, 0);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "error");
    assert_string_equal(get(facts, "queries.outlook_oab.error.message")->valuestring, "the log changed");
    assert_int_equal(get(facts, "queries.outlook_oab.returned")->valueint, 1);
    memset(&out, 0, sizeof out);
    ohc_events_set_status(&out, &o);
    assert_int_equal(out.status, OHC_PROBE_PARTIAL);
    cJSON_Delete(facts);

    /* A spent time budget stops the query and says so. */
    fake t = {recs, 1, 0, OHC_OK, -1, 0, 0, ""};
    src.self = &t;
    facts = ohc_events_collect(&o, &src, qs, 1, 14, NOW, 1 /* long past */);
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "error");
    assert_string_equal(get(facts, "queries.outlook_oab.error.kind")->valuestring, "timeout");
    assert_true(cJSON_IsTrue(get(facts, "queries.outlook_oab.capped")));
    cJSON_Delete(facts);

    /* A bad configured query is an error of that query only. */
    ohc_event_query bad[] = {{"mine", "Application", "x'y", NULL, 0, 0, 0}, qs[0]};
    fake ok = {recs, 1, 0, OHC_OK, -1, 0, 0, ""};
    src.self = &ok;
    facts = ohc_events_collect(&o, &src, bad, 2, 14, NOW, 0);
    assert_int_equal(ok.opens, 1);
    assert_string_equal(get(facts, "queries.mine.status")->valuestring, "error");
    assert_string_equal(get(facts, "queries.outlook_oab.status")->valuestring, "ok");
    assert_non_null(get(facts, "mine.events"));
    cJSON_Delete(facts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xpath_of_defaults),
        cmocka_unit_test(test_structured_query_beyond_the_xpath_limit),
        cmocka_unit_test(test_query_check_rejects_injection),
        cmocka_unit_test(test_record_dup),
        cmocka_unit_test(test_collect_decodes_and_summarises),
        cmocka_unit_test(test_cap_newest_first_and_oldest_first),
        cmocka_unit_test(test_one_pass_for_every_query),
        cmocka_unit_test(test_window_and_channel_filter_for_files),
        cmocka_unit_test(test_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
