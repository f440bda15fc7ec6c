/* The .evtx reader on real files of ../shared/evtx-corpus (read in place) and
 * on damaged copies made in memory: damage is reported and reading goes on;
 * the template-based filter gives exactly what filtering rendered records
 * gives; BITS client events decode into transfers. Native and under Wine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bits_client_events.h"
#include "event_record.h"
#include "events.h"
#include "evtx.h"
#include "evtx_internal.h"
#include "os.h"
#include "probe.h"
#include "scratch_dir.h"

#define BITS_FILE "a__Execution__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx"
#define MULTI_CHUNK_FILE "a__Command_and_Control__bits_openvpn.evtx"

static char *corpus_path(const char *name)
{
    char dir[512];
    if (ohc_os_getenv("OHC_SHARED_DIR", dir, sizeof dir) != OHC_OK)
        snprintf(dir, sizeof dir, "../shared");
    size_t n = strlen(dir) + strlen(name) + 32;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/evtx-corpus/%s", dir, name);
    return p;
}

static uint8_t *load(const char *name, size_t *out_len)
{
    char *path = corpus_path(name);
    char *data;
    ohc_error err;
    int rc = ohc_os_read_file(&data, out_len, path, 64u << 20, &err);
    if (rc != OHC_OK)
        fail_msg("%s: %s", path, err.message);
    free(path);
    return (uint8_t *)data;
}

/* Counts the records a reader yields; *out_ids (if set) gets a histogram of event ids < 65536. */
static size_t count_records(ohc_evtx_reader *r, unsigned *hist)
{
    ohc_event_record rec;
    ohc_error err;
    size_t n = 0;
    int rc;
    while ((rc = ohc_evtx_next(r, &rec, &err)) == 1) {
        n++;
        if (hist)
            hist[rec.event_id & 0xffff]++;
    }
    assert_int_equal(rc, 0);
    return n;
}

static void test_bits_file_records(void **state)
{
    (void)state;
    char *path = corpus_path(BITS_FILE);
    ohc_evtx_reader *r;
    ohc_error err;
    assert_int_equal(ohc_evtx_open(&r, path, &err), OHC_OK);
    ohc_event_record rec;
    assert_int_equal(ohc_evtx_next(r, &rec, &err), 1);
    assert_string_equal(rec.channel, "Microsoft-Windows-Bits-Client/Operational");
    assert_string_equal(rec.provider, "Microsoft-Windows-Bits-Client");
    assert_int_equal(rec.event_id, 3);
    assert_int_equal(rec.level, 4);
    assert_int_equal(rec.record_id, 2774);
    assert_string_equal(rec.computer, "MSEDGEWIN10");
    /* 2020-07-03T08:55:46.352Z */
    assert_int_equal(rec.time_created_ms, 1593766546352LL);
    assert_int_equal(rec.value_count, 5);
    assert_string_equal(rec.values[2].name, "jobOwner");
    assert_string_equal(rec.values[2].value, "MSEDGEWIN10\\IEUser");
    assert_null(rec.binary);

    ohc_strbuf xml = OHC_STRBUF_INIT;
    assert_int_equal(ohc_evtx_render_xml(r, &xml, &err), OHC_OK);
    assert_non_null(strstr(ohc_strbuf_str(&xml), "<Data Name=\"jobOwner\">MSEDGEWIN10\\IEUser</Data>"));
    assert_non_null(strstr(ohc_strbuf_str(&xml), "<EventID>3</EventID>"));
    ohc_strbuf_free(&xml);

    size_t rest = count_records(r, NULL);
    assert_int_equal(rest, 4);
    size_t nd;
    ohc_evtx_damages(r, &nd, NULL);
    assert_int_equal(nd, 0);
    const ohc_evtx_stats *st = ohc_evtx_get_stats(r);
    assert_int_equal(st->major_version, 3);
    assert_int_equal(st->records_yielded, 5);
    ohc_evtx_close(r);
    free(path);
}

/* The filter decided from substitution values must keep exactly the records
 * that filtering the rendered records keeps. */
static void test_filter_matches_rendered(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = load(MULTI_CHUNK_FILE, &len);
    static unsigned hist[65536];
    memset(hist, 0, sizeof hist);
    ohc_evtx_reader *r;
    ohc_error err;
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    size_t total = count_records(r, hist);
    ohc_evtx_close(r);
    assert_true(total > 1000);

    int checked = 0;
    for (uint32_t id = 0; id < 65536 && checked < 12; id++) {
        if (!hist[id])
            continue;
        uint32_t ids[2] = {id, 65535};
        ohc_evtx_filter f = {NULL, ids, 2, 0};
        assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
        ohc_evtx_set_filter(r, &f);
        assert_int_equal(count_records(r, NULL), hist[id] + hist[65535]);
        assert_int_equal(ohc_evtx_get_stats(r)->records_read, total);
        ohc_evtx_close(r);
        checked++;
    }
    /* A filter that matches nothing; provider in another case; a time filter. */
    uint32_t none = 27;
    ohc_evtx_filter f = {NULL, &none, 1, 0};
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    ohc_evtx_set_filter(r, &f);
    assert_int_equal(count_records(r, NULL), hist[27]);
    ohc_evtx_close(r);

    ohc_evtx_filter fp = {"microsoft-windows-bits-client", NULL, 0, 0};
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    ohc_evtx_set_filter(r, &fp);
    size_t bits = count_records(r, NULL);
    ohc_evtx_close(r);
    assert_true(bits > 0 && bits <= total);

    ohc_evtx_filter fo = {"Outlook", NULL, 0, 0};
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    ohc_evtx_set_filter(r, &fo);
    assert_int_equal(count_records(r, NULL), 0);
    ohc_evtx_close(r);

    /* since: the time of the middle record keeps the records at or after it. */
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    ohc_event_record rec;
    int64_t *times = calloc(total, sizeof *times);
    assert_non_null(times);
    for (size_t i = 0; i < total; i++) {
        assert_int_equal(ohc_evtx_next(r, &rec, &err), 1);
        times[i] = rec.time_created_ms;
    }
    ohc_evtx_close(r);
    int64_t since = times[total / 2];
    size_t expect = 0;
    for (size_t i = 0; i < total; i++)
        expect += times[i] >= since;
    ohc_evtx_filter ft = {NULL, NULL, 0, since};
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    ohc_evtx_set_filter(r, &ft);
    assert_int_equal(count_records(r, NULL), expect);
    ohc_evtx_close(r);
    free(times);
    free(data);
}

static size_t records_in(uint8_t *data, size_t len, size_t *out_damage)
{
    ohc_evtx_reader *r;
    ohc_error err;
    assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
    size_t n = count_records(r, NULL);
    ohc_evtx_damages(r, out_damage, NULL);
    ohc_evtx_close(r);
    return n;
}

static void test_damaged_chunks_skipped(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = load(MULTI_CHUNK_FILE, &len);
    size_t nd;
    size_t total = records_in(data, len, &nd);
    assert_int_equal(nd, 0);

    /* Records in chunk 0 alone: from its header (first and last record number). */
    const uint8_t *c0 = data + 4096;
    uint64_t first = (uint64_t)c0[8] | (uint64_t)c0[9] << 8 | (uint64_t)c0[10] << 16;
    uint64_t last = (uint64_t)c0[16] | (uint64_t)c0[17] << 8 | (uint64_t)c0[18] << 16;
    size_t in_chunk0 = (size_t)(last - first + 1);

    /* A flipped byte in chunk 0's header (its last record number, which
     * nothing else needs): checksum mismatch reported, the chunk still read. */
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, data, len);
    copy[4096 + 20] ^= 0x40;
    assert_int_equal(records_in(copy, len, &nd), total);
    assert_int_equal(nd, 1);

    /* Header and records checksums absent (zero): a note, all read. */
    memcpy(copy, data, len);
    memset(copy + 4096 + 52, 0, 4);
    memset(copy + 4096 + 124, 0, 4);
    assert_int_equal(records_in(copy, len, &nd), total);
    assert_int_equal(nd, 1);

    /* Chunk 0's signature broken: its records are found by scanning. */
    memcpy(copy, data, len);
    memcpy(copy + 4096, "XXXXXXXX", 8);
    assert_int_equal(records_in(copy, len, &nd), total);
    assert_true(nd >= 1);

    /* A record's size garbled in chunk 0: that record is lost, the records
     * after it in the chunk are found again, later chunks are read. */
    memcpy(copy, data, len);
    uint32_t second = 4096 + 512 + (uint32_t)(copy[4096 + 512 + 4] | copy[4096 + 512 + 5] << 8);
    copy[second + 4] = 0xff;
    copy[second + 5] = 0xff;
    size_t n = records_in(copy, len, &nd);
    assert_int_equal(n, total - 1);
    assert_true(nd >= 1); /* the records checksum and the record itself */

    /* The same record's signature zeroed: the same. */
    memcpy(copy, data, len);
    memset(copy + second, 0, 4);
    n = records_in(copy, len, &nd);
    assert_int_equal(n, total - 1);
    assert_true(nd >= 1);

    /* Garbage binary XML in one record: that record is reported, not the chunk. */
    memcpy(copy, data, len);
    copy[4096 + 512 + 24] = 0x77; /* not a token */
    n = records_in(copy, len, &nd);
    assert_int_equal(n, total - 1);
    assert_true(nd >= 1);

    /* Truncated in the middle of the second chunk: read as far as sound. */
    size_t cut = 4096 + 65536 + 30000;
    n = records_in(data, cut, &nd);
    assert_true(n > in_chunk0 && n < total);
    assert_true(nd >= 1);

    /* Not an event log at all. */
    ohc_evtx_reader *r;
    ohc_error err;
    assert_int_equal(ohc_evtx_open_memory(&r, "hello", 5, &err), OHC_EMALFORMED);
    assert_null(r);
    /* A header only. */
    assert_int_equal(records_in(data, 4096, &nd), 0);
    free(copy);
    free(data);
}

static void test_every_corruption_is_survived(void **state)
{
    (void)state;
    /* Flip each byte of the first record area in turn (a poor man's fuzzer
     * that runs everywhere; the libFuzzer target goes further). */
    size_t len;
    uint8_t *data = load(BITS_FILE, &len);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    for (size_t i = 4096; i < 4096 + 4096 && i < len; i += 3) {
        memcpy(copy, data, len);
        copy[i] ^= 0xa5;
        size_t nd;
        size_t n = records_in(copy, len, &nd);
        assert_true(n <= 5);
    }
    free(copy);
    free(data);
}

static void test_values(void **state)
{
    (void)state;
    evtx_tbuf t = {NULL, 0, 0, 1 << 20};
    const uint8_t ft[8] = {0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01}; /* 1970-01-01 */
    assert_int_equal(ohc_evtx_render_value(&t, 0x11, ft, 8), OHC_OK);
    assert_string_equal(t.p, "1970-01-01T00:00:00.0000000Z");
    t.len = 0;
    const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    assert_int_equal(ohc_evtx_render_value(&t, 0x13, sid, sizeof sid), OHC_OK);
    assert_string_equal(t.p, "S-1-5-18");
    t.len = 0;
    const uint8_t guid[16] = {0x5b, 0xc1, 0x1c, 0xef, 0xc1, 0x46, 0x4e, 0x41,
                              0xbb, 0x95, 0xe7, 0x6b, 0x07, 0x7b, 0xd5, 0x1e};
    assert_int_equal(ohc_evtx_render_value(&t, 0x0f, guid, 16), OHC_OK);
    assert_string_equal(t.p, "{EF1CC15B-46C1-414E-BB95-E76B077BD51E}");
    t.len = 0;
    const uint8_t i32[4] = {0x94, 0x01, 0x19, 0x80};
    assert_int_equal(ohc_evtx_render_value(&t, 0x07, i32, 4), OHC_OK);
    assert_string_equal(t.p, "-2145844844");
    t.len = 0;
    assert_int_equal(ohc_evtx_render_value(&t, 0x14, i32, 4), OHC_OK);
    assert_string_equal(t.p, "0x80190194");
    t.len = 0;
    const uint8_t strs[] = {'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0};
    assert_int_equal(ohc_evtx_render_value(&t, 0x81, strs, sizeof strs), OHC_OK);
    assert_string_equal(t.p, "a, bc");
    t.len = 0;
    /* A lone surrogate becomes U+FFFD; a pair becomes one 4-byte character. */
    const uint8_t u16[] = {0x00, 0xd8, 'x', 0, 0x3d, 0xd8, 0x00, 0xde};
    assert_int_equal(ohc_evtx_render_value(&t, 0x01, u16, sizeof u16), OHC_OK);
    assert_string_equal(t.p, "\xef\xbf\xbdx\xf0\x9f\x98\x80");
    t.len = 0;
    const uint8_t bin[3] = {0x01, 0xab, 0xff};
    assert_int_equal(ohc_evtx_render_value(&t, 0x0e, bin, 3), OHC_OK);
    assert_string_equal(t.p, "01ABFF");
    /* The limit holds. */
    evtx_tbuf small = {NULL, 0, 0, 4};
    assert_int_equal(ohc_evtx_render_value(&small, 0x0e, bin, 3), OHC_ELIMIT);
    free(small.p);
    free(t.p);

    int64_t ms;
    assert_int_equal(ohc_evtx_parse_time(&ms, "2020-07-03T08:55:46.352Z", 0, NULL), OHC_OK);
    assert_int_equal(ms, 1593766546352LL);
    assert_int_equal(ohc_evtx_parse_time(&ms, "2020-07-03", 0, NULL), OHC_OK);
    assert_int_equal(ms, 1593734400000LL);
    assert_int_equal(ohc_evtx_parse_time(&ms, "7d", 1000LL * 86400 * 10, NULL), OHC_OK);
    assert_int_equal(ms, 1000LL * 86400 * 3);
    ohc_error err;
    assert_int_equal(ohc_evtx_parse_time(&ms, "yesterday", 0, &err), OHC_EINVAL);
    assert_int_equal(ohc_evtx_parse_time(&ms, "2020-13-01", 0, &err), OHC_EINVAL);
}

/* ---- BITS client events ---- */

static ohc_event_record bits_event(uint32_t id, const ohc_event_value *v, size_t n, int64_t t)
{
    ohc_event_record r;
    memset(&r, 0, sizeof r);
    r.channel = "Microsoft-Windows-Bits-Client/Operational";
    r.provider = "Microsoft-Windows-Bits-Client";
    r.event_id = id;
    r.values = v;
    r.value_count = n;
    r.time_created_ms = t;
    return r;
}

static void test_bits_decode(void **state)
{
    (void)state;
    const ohc_event_value created[] = {{"jobTitle", "Microsoft Outlook"},
                                       {"jobId", "{AAAA}"},
                                       {"jobOwner", "CONTOSO\\alice"},
                                       {"processPath", "outlook.exe"},
                                       {"processId", "42"}};
    const ohc_event_value stopped[] = {{"transferId", "{T}"},
                                       {"name", "Microsoft Outlook"},
                                       {"Id", "{AAAA}"},
                                       {"url", "https://mail.contoso.com/OAB/1234/oab.xml"},
                                       {"peer", ""},
                                       {"hr", "-2145844844"},
                                       {"fileTime", "x"},
                                       {"fileLength", "0"},
                                       {"bytesTotal", "18446744073709551615"},
                                       {"bytesTransferred", "0"}};
    const ohc_event_value ok60[] = {{"Id", "{BBBB}"},
                                    {"url", "https://cdn.example/file.bin"},
                                    {"hr", "0"},
                                    {"bytesTotal", "12"},
                                    {"bytesTransferred", "12"}};
    const ohc_event_value bad60[] = {
        {"Id", "{CCCC}"}, {"url", "https://x/oab/a.lzx"}, {"hr", "oops"}, {"bytesTotal", "-1"}};

    ohc_bits_client_transfer t;
    ohc_event_record r = bits_event(60, stopped, 10, 1000);
    assert_int_equal(ohc_bits_client_decode(&t, &r), OHC_OK);
    assert_true(t.has_hr);
    assert_int_equal(t.hr, 0x80190194u);
    assert_true(t.failed);
    assert_true(t.oab);
    assert_false(t.has_bytes_total == 0);
    assert_int_equal(t.bytes_total, UINT64_MAX);
    assert_null(t.owner);

    r = bits_event(60, bad60, 4, 1000);
    assert_int_equal(ohc_bits_client_decode(&t, &r), OHC_OK);
    assert_false(t.has_hr);
    assert_false(t.has_bytes_total);
    assert_true(t.oab);

    r = bits_event(27, stopped, 10, 0);
    assert_int_equal(ohc_bits_client_decode(&t, &r), OHC_ENOTFOUND);
    r.event_id = 60;
    r.provider = "Outlook";
    assert_int_equal(ohc_bits_client_decode(&t, &r), OHC_ENOTFOUND);

    /* The OAB test is the BITS job's (test_bits_jobs.c): only the path counts,
     * so a server named "oab" serving something else is no OAB transfer. */
    const ohc_event_value host60[] = {{"Id", "{DDDD}"}, {"url", "https://oab/files/setup.bin"}, {"hr", "0x80190194"}};
    r = bits_event(60, host60, 3, 1000);
    assert_int_equal(ohc_bits_client_decode(&t, &r), OHC_OK);
    assert_true(t.failed);
    assert_false(t.oab);

    /* A log: the 60 learns its owner from the job's event 3. */
    ohc_bits_client_log *log;
    assert_int_equal(ohc_bits_client_log_new(&log), OHC_OK);
    ohc_event_record e3 = bits_event(3, created, 5, 500);
    ohc_event_record e60 = bits_event(60, stopped, 10, 2000);
    ohc_event_record eok = bits_event(60, ok60, 5, 3000);
    ohc_event_record lim = bits_event(16398, NULL, 0, 4000);
    ohc_event_record other = bits_event(60, stopped, 10, 5000);
    other.provider = "Outlook";
    assert_int_equal(ohc_bits_client_log_add(log, &e3), 1);
    assert_int_equal(ohc_bits_client_log_add(log, &e60), 1);
    assert_int_equal(ohc_bits_client_log_add(log, &eok), 1);
    assert_int_equal(ohc_bits_client_log_add(log, &lim), 1);
    assert_int_equal(ohc_bits_client_log_add(log, &other), 0);
    cJSON *facts = ohc_bits_client_log_facts(log);
    assert_non_null(facts);
    cJSON *tr = cJSON_GetObjectItem(facts, "transfers");
    assert_int_equal(cJSON_GetArraySize(tr), 3);
    cJSON *f60 = cJSON_GetArrayItem(tr, 1);
    assert_string_equal(cJSON_GetObjectItem(f60, "owner")->valuestring, "CONTOSO\\alice");
    assert_string_equal(cJSON_GetObjectItem(f60, "hr_hex")->valuestring, "0x80190194");
    assert_string_equal(cJSON_GetObjectItem(f60, "hr_name")->valuestring, "BG_E_HTTP_ERROR_404");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f60, "oab")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(f60, "oab_guid"))); /* "/OAB/1234/": no GUID, none made up */
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 2), "oab")));
    cJSON *s = cJSON_GetObjectItem(facts, "summary");
    assert_int_equal(cJSON_GetObjectItem(s, "failed_transfers")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(s, "oab_failures")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(s, "job_limit_events")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(s, "last_oab_failure_time")->valuestring, "1970-01-01T00:00:02.000Z");
    cJSON_Delete(facts);

    /* The cap keeps the newest transfers; the summary still counts all. */
    ohc_bits_client_log_set_max(log, 1);
    assert_int_equal(ohc_bits_client_log_add(log, &e60), 1);
    facts = ohc_bits_client_log_facts(log);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(facts, "transfers")), 1);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "summary"), "oab_failures")->valueint, 2);
    cJSON_Delete(facts);
    ohc_bits_client_log_free(log);
}

/* Real BITS client events from the corpus, through the reader and the decoder. */
static void test_bits_real_events(void **state)
{
    (void)state;
    char *path = corpus_path(BITS_FILE);
    ohc_evtx_reader *r;
    ohc_error err;
    assert_int_equal(ohc_evtx_open(&r, path, &err), OHC_OK);
    uint32_t ids[4] = {3, 4, 59, 60};
    ohc_evtx_filter f = {"Microsoft-Windows-Bits-Client", ids, 4, 0};
    ohc_evtx_set_filter(r, &f);
    ohc_bits_client_log *log;
    assert_int_equal(ohc_bits_client_log_new(&log), OHC_OK);
    ohc_event_record rec;
    int rc, n = 0;
    while ((rc = ohc_evtx_next(r, &rec, &err)) == 1) {
        assert_true(ohc_bits_client_is_transfer_event(&rec));
        assert_int_equal(ohc_bits_client_log_add(log, &rec), 1);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 4); /* 3, 59, 60, 4 (the 209 is filtered out) */
    cJSON *facts = ohc_bits_client_log_facts(log);
    cJSON *tr = cJSON_GetObjectItem(facts, "transfers");
    assert_int_equal(cJSON_GetArraySize(tr), 4);
    cJSON *t60 = cJSON_GetArrayItem(tr, 2);
    assert_int_equal(cJSON_GetObjectItem(t60, "event_id")->valueint, 60);
    assert_string_equal(cJSON_GetObjectItem(t60, "url")->valuestring, "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z");
    assert_int_equal(cJSON_GetObjectItem(t60, "hr")->valueint, 0);
    assert_string_equal(cJSON_GetObjectItem(t60, "owner")->valuestring, "MSEDGEWIN10\\IEUser");
    assert_int_equal((int)cJSON_GetObjectItem(t60, "bytes_transferred")->valuedouble, 162791);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(t60, "oab")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "summary"), "failed_transfers")->valueint, 0);
    cJSON_Delete(facts);
    ohc_bits_client_log_free(log);
    ohc_evtx_close(r);
    free(path);
}

/* ---- the scan on several threads gives what reading in order gives ---- */

static int scan_line(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched, ohc_strbuf *out)
{
    (void)arg;
    (void)dec;
    ohc_strbuf_appendf(out, "%llu %u %llx %s\n", (unsigned long long)rec->record_id, rec->event_id,
                       (unsigned long long)matched, rec->provider ? rec->provider : "");
    return 0;
}

static int scan_collect(void *arg, const char *data, size_t len)
{
    ohc_strbuf_append_len(arg, data, len);
    return 0;
}

/* Lines "id event mask provider" for what ohc_evtx_next yields with each
 * filter on its own, merged as the scan reports them. */
static char *serial_lines(const uint8_t *data, size_t len, const ohc_evtx_filter *filters, size_t nf, char *damage,
                          size_t damage_size)
{
    /* record id -> mask, in file order of the unfiltered read */
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_evtx_reader *all;
    ohc_error err;
    assert_int_equal(ohc_evtx_open_memory(&all, data, len, &err), OHC_OK);
    ohc_event_record rec;
    size_t k = 0;
    ohc_evtx_reader *each[4] = {NULL, NULL, NULL, NULL};
    ohc_event_record next[4];
    int have[4] = {0, 0, 0, 0};
    for (size_t f = 0; f < nf; f++) {
        assert_int_equal(ohc_evtx_open_memory(&each[f], data, len, &err), OHC_OK);
        ohc_evtx_set_filter(each[f], &filters[f]);
        have[f] = ohc_evtx_next(each[f], &next[f], &err) == 1;
    }
    while (ohc_evtx_next(all, &rec, &err) == 1) {
        uint64_t mask = nf ? 0 : 1;
        for (size_t f = 0; f < nf; f++) {
            if (have[f] && next[f].record_id == rec.record_id) {
                mask |= (uint64_t)1 << f;
                have[f] = ohc_evtx_next(each[f], &next[f], &err) == 1;
            }
        }
        if (mask)
            ohc_strbuf_appendf(&sb, "%llu %u %llx %s\n", (unsigned long long)rec.record_id, rec.event_id,
                               (unsigned long long)mask, rec.provider ? rec.provider : "");
        k++;
    }
    size_t nd;
    uint64_t total;
    const ohc_evtx_damage *d = ohc_evtx_damages(all, &nd, &total);
    snprintf(damage, damage_size, "%zu %llu %s", nd, (unsigned long long)total, nd ? d[nd - 1].reason : "");
    for (size_t f = 0; f < nf; f++) {
        assert_false(have[f]); /* every filtered record was among all of them */
        ohc_evtx_close(each[f]);
    }
    ohc_evtx_close(all);
    return ohc_strbuf_detach(&sb);
}

/* The scan on 1, 2, 3 and 8 threads gives what reading the records one by
 * one gives: from memory, and from a file (read at offsets by the threads at
 * once, the end found by a short read however many threads read past it). */
static void check_scan(const uint8_t *data, size_t len, const ohc_evtx_filter *filters, size_t nf)
{
    char want_damage[160], got_damage[160];
    char *want = serial_lines(data, len, filters, nf, want_damage, sizeof want_damage);
    char path[600];
    scratch_dir(path, sizeof path - 8, "scan");
    strcat(path, ".evtx");
    ohc_error werr;
    if (ohc_os_write_file_atomic(path, data, len, &werr) != OHC_OK)
        fail_msg("%s: %s", path, werr.message);
    static const unsigned workers[] = {1, 2, 3, 8};
    for (size_t i = 0; i < 2 * sizeof workers / sizeof workers[0]; i++) {
        size_t w = i / 2;
        int from_file = i % 2;
        ohc_evtx_reader *r;
        ohc_error err;
        if (from_file)
            assert_int_equal(ohc_evtx_open(&r, path, &err), OHC_OK);
        else
            assert_int_equal(ohc_evtx_open_memory(&r, data, len, &err), OHC_OK);
        ohc_strbuf got = OHC_STRBUF_INIT;
        ohc_evtx_scan scan = {filters, nf, workers[w], scan_line, scan_collect, &got};
        assert_int_equal(ohc_evtx_scan_file(r, &scan, &err), OHC_OK);
        size_t nd;
        uint64_t total;
        const ohc_evtx_damage *d = ohc_evtx_damages(r, &nd, &total);
        snprintf(got_damage, sizeof got_damage, "%zu %llu %s", nd, (unsigned long long)total,
                 nd ? d[nd - 1].reason : "");
        assert_string_equal(ohc_strbuf_str(&got), want);
        assert_string_equal(got_damage, want_damage);
        assert_int_equal(ohc_evtx_get_stats(r)->bytes_read, len);
        ohc_strbuf_free(&got);
        ohc_evtx_close(r);
    }
    ohc_os_remove(path, NULL);
    free(want);
}

static void test_scan_in_parallel_matches_serial(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = load(MULTI_CHUNK_FILE, &len);
    assert_true(len > 16 * 65536); /* more than one batch of chunks */
    check_scan(data, len, NULL, 0);
    uint32_t ids_a[] = {59, 60}, ids_b[] = {3, 60};
    ohc_evtx_filter filters[3] = {
        {"Microsoft-Windows-Bits-Client", ids_a, 2, 0},
        {NULL, ids_b, 2, 0},
        {"microsoft-windows-bits-client", NULL, 0, 0},
    };
    check_scan(data, len, filters, 3);
    /* with damage: a broken chunk signature and a garbled record */
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, data, len);
    memcpy(copy + 4096 + 3 * 65536, "XXXXXXXX", 8);
    uint32_t second = 4096 + 512 + (uint32_t)(copy[4096 + 512 + 4] | copy[4096 + 512 + 5] << 8);
    copy[second + 4] = 0xff;
    check_scan(copy, len, NULL, 0);
    check_scan(copy, len, filters, 3);
    /* cut in the middle of a chunk */
    check_scan(copy, 4096 + 5 * 65536 + 12345, filters, 2);
    free(copy);
    free(data);
}

/* A name that repeats keeps every value, in order, as a list at the place of
 * its first occurrence; the short path (32 values or fewer) and the hashed
 * one (more) agree. */
static void test_duplicate_names_list(void **state)
{
    (void)state;
    static const char *const small_names[] = {"a", "b", "a", "c", "a"};
    ohc_event_value vals[40];
    char names[40][24], texts[40][24];
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? 5 : 40;
        for (size_t i = 0; i < n; i++) {
            /* pass 1: names n0..n37 once each, then "a" at 3, 20 and 39 */
            snprintf(names[i], sizeof names[i], "%s", pass == 0 ? small_names[i] : "");
            if (pass == 1)
                snprintf(names[i], sizeof names[i], (i == 3 || i == 20 || i == 39) ? "a" : "n%zu", i);
            snprintf(texts[i], sizeof texts[i], "%zu", i + 1);
            vals[i].name = names[i];
            vals[i].value = texts[i];
        }
        ohc_event_record rec;
        memset(&rec, 0, sizeof rec);
        rec.values = vals;
        rec.value_count = n;
        cJSON *o = ohc_event_record_to_json(&rec);
        assert_non_null(o);
        cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
        assert_true(cJSON_IsObject(data));
        cJSON *a = cJSON_GetObjectItemCaseSensitive(data, "a");
        assert_true(cJSON_IsArray(a));
        assert_int_equal(cJSON_GetArraySize(a), 3);
        assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, pass == 0 ? "1" : "4");
        assert_string_equal(cJSON_GetArrayItem(a, 1)->valuestring, pass == 0 ? "3" : "21");
        assert_string_equal(cJSON_GetArrayItem(a, 2)->valuestring, pass == 0 ? "5" : "40");
        assert_int_equal(cJSON_GetArraySize(data), (int)n - 2);
        if (pass == 0) {
            assert_string_equal(data->child->string, "a"); /* at its first place */
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "b")->valuestring, "2");
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "c")->valuestring, "4");
        } else {
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "n38")->valuestring, "39");
        }
        cJSON_Delete(o);
    }
}

/* collect --evtx's probe: file_info comes from the same pass as the queries
 * (every record counted, as a serial read counts them), and a time budget
 * that ends the pass says so in file_info and in the query, not "complete". */
static void run_files_probe(ohc_probe_output *out, const char *path, ohc_evtx_reader *reader, uint64_t deadline_ms)
{
    const char *files[] = {path, NULL};
    ohc_evtx_reader *readers[] = {reader, NULL};
    size_t nq = 0;
    const ohc_event_query *q = ohc_events_default_queries(&nq);
    memset(out, 0, sizeof *out);
    out->facts = cJSON_CreateObject();
    assert_non_null(out->facts);
    ohc_events_collect_files(out, files, reader ? readers : NULL, q, nq, 14, deadline_ms);
}

static void test_files_probe_file_info_one_pass(void **state)
{
    (void)state;
    char *path = corpus_path(MULTI_CHUNK_FILE);
    ohc_evtx_reader *serial = NULL;
    ohc_error err;
    assert_int_equal(ohc_evtx_open(&serial, path, &err), OHC_OK);
    size_t total = count_records(serial, NULL);
    ohc_evtx_close(serial);
    assert_true(total > 1000);

    for (int handed = 0; handed < 2; handed++) {
        ohc_evtx_reader *r = NULL;
        if (handed)
            assert_int_equal(ohc_evtx_open(&r, path, &err), OHC_OK);
        ohc_probe_output out;
        run_files_probe(&out, path, r, ohc_os_monotonic_ms() + 60000);
        ohc_evtx_close(r);
        assert_int_equal(out.status, OHC_PROBE_OK);
        const cJSON *info = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out.facts, "file_info"), 0);
        assert_non_null(info);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(info, "events")->valuedouble, (double)total);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "complete")));
        const cJSON *comp = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(info, "computers"), 0);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(comp, "name")->valuestring, "MSEDGEWIN10");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(info, "first_event")->valuestring,
                            "2020-10-08T14:43:49.291Z");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out.facts, "file_errors")), 0);
        const cJSON *bits =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(out.facts, "queries"), "bits_client");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(bits, "status")->valuestring, "ok");
        cJSON_Delete(out.facts);
    }

    /* a budget already spent: the pass stops after its first chunks */
    ohc_probe_output out;
    run_files_probe(&out, path, NULL, 1);
    assert_int_not_equal(out.status, OHC_PROBE_OK);
    const cJSON *info = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out.facts, "file_info"), 0);
    assert_non_null(info);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(info, "complete")));
    assert_true(cJSON_GetObjectItemCaseSensitive(info, "events")->valuedouble < (double)total);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(info, "read_error"), "kind")->valuestring,
        "timeout");
    const cJSON *bits =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(out.facts, "queries"), "bits_client");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(bits, "status")->valuestring, "error");
    cJSON_Delete(out.facts);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_files_probe_file_info_one_pass),
        cmocka_unit_test(test_duplicate_names_list),
        cmocka_unit_test(test_scan_in_parallel_matches_serial),
        cmocka_unit_test(test_bits_file_records),
        cmocka_unit_test(test_filter_matches_rendered),
        cmocka_unit_test(test_damaged_chunks_skipped),
        cmocka_unit_test(test_every_corruption_is_survived),
        cmocka_unit_test(test_bits_decode),
        cmocka_unit_test(test_bits_real_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
