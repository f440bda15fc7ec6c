/* The events probe over .evtx files (collect --evtx): the same queries and
 * decoding as the live log, with the offline reader (evtx.h) as the source.
 * Portable, so the native build and its tests reach it too.
 *
 * Each file is opened once and read once for every query together
 * (ohc_event_source.scan): its chunks are decoded on every CPU
 * (ohc_evtx_scan_file), each record that matches a query's provider and ids
 * is packed into the chunk's output by the decoding thread, and unpacked here,
 * in file order, for the queries it matched. The same pass gives each file's
 * facts.events.file_info (a filter that keeps every record, packed without
 * its values unless a query matched it: computer and time) and its damage
 * (file_errors), so a file is not read a second time to describe it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "events.h"
#include "evtx.h"
#include "os.h"

#define MAX_COMPUTERS 4 /* distinct computer names kept per file */
#define MAX_DAMAGE_LISTED 16 /* damaged places listed per file (all are counted) */

/* What the pass saw of one file so far: facts.events.file_info. */
typedef struct file_summary {
    char names[MAX_COMPUTERS][128];
    uint64_t counts[MAX_COMPUTERS];
    size_t ncomp;
    int64_t first, last;
    uint64_t records;
} file_summary;

typedef struct evtx_source {
    const char *const *files;
    ohc_evtx_reader *const *readers; /* open already (borrowed), or NULL */
    size_t file_count;
    int opened; /* the files were opened (a pass ran) */
    size_t readable; /* files read to their end */
    size_t damaged; /* files read around damage */
    cJSON *file_errors; /* [{file, error}] */
    cJSON *file_info; /* [{file, computers, ...}] */
    uint64_t deadline_ms;
    ohc_error first; /* the first file error */
    /* during a pass */
    size_t query_count;
    int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec);
    void *ctx;
    int stopped;
    int timed_out; /* the time budget ended the pass between deliveries */
    file_summary summary; /* of the file being read */
    ohc_event_value *values; /* unpacked values (grown) */
    size_t values_cap;
} evtx_source;

/* A record in a chunk's output: this header, then the strings (channel,
 * provider, computer, message: each NUL-terminated when present), then per
 * value a flag byte (1 = named), the name and the value, then the binary. */
typedef struct packed_record {
    uint64_t matched;
    uint64_t record_id;
    int64_t time_created_ms;
    uint32_t event_id, qualifiers;
    uint32_t value_count, binary_len;
    uint32_t size; /* of the whole packed record */
    uint8_t level;
    uint8_t present; /* bits: channel, provider, computer, message, binary */
} packed_record;

static void pack_str(ohc_strbuf *out, const char *s)
{
    ohc_strbuf_append_len(out, s, strlen(s) + 1);
}

/* The record, packed into out with the bits of the queries it matched. */
static int pack_one(ohc_strbuf *out, const ohc_event_record *rec, uint64_t matched)
{
    size_t at = out->len;
    packed_record h;
    memset(&h, 0, sizeof h);
    h.matched = matched;
    h.record_id = rec->record_id;
    h.time_created_ms = rec->time_created_ms;
    h.event_id = rec->event_id;
    h.qualifiers = rec->qualifiers;
    h.level = rec->level;
    h.value_count = (uint32_t)rec->value_count;
    h.binary_len = rec->binary ? (uint32_t)rec->binary_len : 0;
    h.present = (uint8_t)((rec->channel ? 1 : 0) | (rec->provider ? 2 : 0) | (rec->computer ? 4 : 0) |
                          (rec->message ? 8 : 0) | (rec->binary ? 16 : 0));
    ohc_strbuf_append_len(out, (const char *)&h, sizeof h);
    const char *strs[4] = {rec->channel, rec->provider, rec->computer, rec->message};
    for (int i = 0; i < 4; i++)
        if (strs[i])
            pack_str(out, strs[i]);
    for (size_t i = 0; i < rec->value_count; i++) {
        ohc_strbuf_append_char(out, rec->values[i].name ? 1 : 0);
        if (rec->values[i].name)
            pack_str(out, rec->values[i].name);
        pack_str(out, rec->values[i].value);
    }
    if (rec->binary)
        ohc_strbuf_append_len(out, (const char *)rec->binary, rec->binary_len);
    if (ohc_strbuf_failed(out))
        return OHC_ENOMEM;
    h.size = (uint32_t)(out->len - at);
    memcpy(out->data + at, &h, sizeof h);
    return 0;
}

/* On a decoding thread: the record, packed into the chunk's output. Bit
 * query_count of matched is the keep-all filter (file_info): a record that
 * no query matched is packed with its time and computer only. */
static int pack_record(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched, ohc_strbuf *out)
{
    const evtx_source *s = arg; /* query_count is not written during a scan */
    (void)dec;
    uint64_t queries_mask = (1ull << s->query_count) - 1; /* query_count < 64 (evtx_scan) */
    if ((matched & queries_mask) != 0)
        return pack_one(out, rec, matched & queries_mask);
    ohc_event_record brief;
    memset(&brief, 0, sizeof brief);
    brief.record_id = rec->record_id;
    brief.time_created_ms = rec->time_created_ms;
    brief.computer = rec->computer;
    return pack_one(out, &brief, 0);
}

static void summary_add(file_summary *fs, const ohc_event_record *rec)
{
    fs->records++;
    if (fs->records == 1 || rec->time_created_ms < fs->first)
        fs->first = rec->time_created_ms;
    if (fs->records == 1 || rec->time_created_ms > fs->last)
        fs->last = rec->time_created_ms;
    const char *c = rec->computer != NULL ? rec->computer : "";
    size_t k = 0;
    while (k < fs->ncomp && strcmp(fs->names[k], c) != 0)
        k++;
    if (k == fs->ncomp && fs->ncomp < MAX_COMPUTERS)
        snprintf(fs->names[fs->ncomp++], sizeof fs->names[0], "%s", c);
    if (k < fs->ncomp)
        fs->counts[k]++;
}

/* facts.events.file_info of one file: what the pass saw of it (fs), its
 * reader's counts (r; NULL when the pass did not reach the file), whether it
 * was read to its end, and why not (read_error, or NULL). */
static cJSON *file_info_json(const file_summary *fs, const ohc_evtx_reader *r, const char *path, int complete,
                             const ohc_error *read_error)
{
    cJSON *info = cJSON_CreateObject();
    if (info == NULL)
        return NULL;
    cJSON_AddStringToObject(info, "file", path);
    cJSON *comps = cJSON_AddArrayToObject(info, "computers");
    for (size_t k = 0; k < fs->ncomp && comps != NULL; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", fs->names[k]);
        cJSON_AddNumberToObject(c, "events", (double)fs->counts[k]);
        cJSON_AddItemToArray(comps, c);
    }
    char when[32];
    if (fs->records > 0) {
        ohc_format_rfc3339_utc(when, fs->first);
        cJSON_AddStringToObject(info, "first_event", when);
        ohc_format_rfc3339_utc(when, fs->last);
        cJSON_AddStringToObject(info, "last_event", when);
    } else {
        cJSON_AddNullToObject(info, "first_event");
        cJSON_AddNullToObject(info, "last_event");
    }
    cJSON_AddNumberToObject(info, "events", (double)fs->records);
    const ohc_evtx_stats *st = r != NULL ? ohc_evtx_get_stats(r) : NULL;
    cJSON_AddNumberToObject(info, "chunks_damaged", st ? (double)st->chunks_damaged : 0);
    cJSON_AddNumberToObject(info, "records_damaged", st ? (double)st->records_damaged : 0);
    if (st != NULL)
        cJSON_AddBoolToObject(info, "dirty", st->dirty != 0);
    cJSON_AddBoolToObject(info, "complete", complete);
    if (read_error != NULL)
        cJSON_AddItemToObject(info, "read_error", ohc_error_to_json(read_error));
    return info;
}

/* The damage of a file as a file_errors entry; NULL when it has none. Notes
 * that lost nothing (a chunk written without checksums) are not damage. */
static cJSON *damage_entry(const ohc_evtx_reader *r, const char *path)
{
    size_t n = 0;
    uint64_t total = 0;
    const ohc_evtx_damage *d = ohc_evtx_damages(r, &n, &total);
    const ohc_evtx_damage *first = NULL;
    for (size_t i = 0; i < n && first == NULL; i++)
        if (d[i].code != OHC_OK)
            first = &d[i];
    const ohc_evtx_stats *st = ohc_evtx_get_stats(r);
    /* the counters also cover damage past the places kept (OHC_EVTX_DAMAGE_MAX) */
    if (first == NULL && st->chunks_damaged == 0 && st->records_damaged == 0)
        return NULL;
    ohc_error e;
    ohc_error_set(&e, OHC_EMALFORMED, 0,
                  "damaged: %llu chunk(s), %llu record(s) read around, events there are missing "
                  "(%llu place(s) noted in all); first: %s at offset %llu",
                  (unsigned long long)st->chunks_damaged, (unsigned long long)st->records_damaged,
                  (unsigned long long)total, first ? first->reason : "past the places kept",
                  first ? (unsigned long long)first->offset : 0ull);
    cJSON *fe = cJSON_CreateObject();
    if (fe == NULL)
        return NULL;
    cJSON_AddStringToObject(fe, "file", path);
    cJSON_AddItemToObject(fe, "error", ohc_error_to_json(&e));
    cJSON *list = cJSON_AddArrayToObject(fe, "damage");
    size_t listed = 0;
    for (size_t i = 0; i < n && listed < MAX_DAMAGE_LISTED && list != NULL; i++) {
        if (d[i].code == OHC_OK)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "chunk", (double)d[i].chunk);
        cJSON_AddNumberToObject(x, "offset", (double)d[i].offset);
        if (d[i].record_id != 0)
            cJSON_AddNumberToObject(x, "record_id", (double)d[i].record_id);
        cJSON_AddStringToObject(x, "reason", d[i].reason);
        cJSON_AddItemToArray(list, x);
        listed++;
    }
    return fe;
}

static const char *unpack_str(const char **p)
{
    const char *s = *p;
    *p += strlen(s) + 1;
    return s;
}

/* On the scanning thread, in file order: each packed record to the queries
 * it matched. Non-zero stops the pass. */
static int deliver_chunk(void *arg, const char *data, size_t len)
{
    evtx_source *s = arg;
    const char *end = data + len;
    while (data < end) {
        packed_record h;
        memcpy(&h, data, sizeof h);
        const char *p = data + sizeof h;
        ohc_event_record rec;
        memset(&rec, 0, sizeof rec);
        rec.record_id = h.record_id;
        rec.time_created_ms = h.time_created_ms;
        rec.event_id = h.event_id;
        rec.qualifiers = h.qualifiers;
        rec.level = h.level;
        rec.channel = h.present & 1 ? unpack_str(&p) : NULL;
        rec.provider = h.present & 2 ? unpack_str(&p) : NULL;
        rec.computer = h.present & 4 ? unpack_str(&p) : NULL;
        rec.message = h.present & 8 ? unpack_str(&p) : NULL;
        if (h.value_count > s->values_cap) {
            ohc_event_value *v = realloc(s->values, h.value_count * sizeof *v);
            if (v == NULL)
                return OHC_ENOMEM;
            s->values = v;
            s->values_cap = h.value_count;
        }
        for (uint32_t i = 0; i < h.value_count; i++) {
            int named = *p++;
            s->values[i].name = named ? unpack_str(&p) : NULL;
            s->values[i].value = unpack_str(&p);
        }
        rec.values = h.value_count ? s->values : NULL;
        rec.value_count = h.value_count;
        if (h.present & 16) {
            rec.binary = (const uint8_t *)p;
            rec.binary_len = h.binary_len;
        }
        summary_add(&s->summary, &rec);
        for (size_t q = 0; q < s->query_count; q++) {
            if (((h.matched >> q) & 1) && s->deliver(s->ctx, q, &rec) != 0) {
                s->stopped = 1;
                return 1;
            }
        }
        data += h.size;
    }
    /* checked here too, not only per delivered record: a file where no
     * query matches for a long stretch still stops at the budget */
    if (s->deadline_ms != 0 && ohc_os_monotonic_ms() >= s->deadline_ms) {
        s->stopped = 1;
        s->timed_out = 1;
        return 1;
    }
    return 0;
}

static void file_error(evtx_source *s, const char *path, const ohc_error *err)
{
    if (s->first.code == OHC_OK)
        s->first = *err;
    cJSON *fe = cJSON_CreateObject();
    if (fe != NULL &&
        (!cJSON_AddStringToObject(fe, "file", path) || !cJSON_AddItemToObject(fe, "error", ohc_error_to_json(err)))) {
        cJSON_Delete(fe);
        fe = NULL;
    }
    if (fe != NULL)
        cJSON_AddItemToArray(s->file_errors, fe);
}

static void add_file_info(evtx_source *s, const ohc_evtx_reader *r, const char *path, int complete,
                          const ohc_error *read_error)
{
    cJSON *info = file_info_json(&s->summary, r, path, complete, read_error);
    if (info != NULL && !cJSON_AddItemToArray(s->file_info, info))
        cJSON_Delete(info);
    memset(&s->summary, 0, sizeof s->summary);
}

/* One file, read by the pass: its records to the queries, its file_info and
 * its damage. OHC_ENOMEM (err set) stops the pass; else OHC_OK. */
static int scan_one_file(evtx_source *s, size_t f, const ohc_evtx_scan *scan, ohc_error *err)
{
    ohc_evtx_reader *r = s->readers ? s->readers[f] : NULL;
    int owned = r == NULL;
    ohc_error ferr;
    ohc_error_clear(&ferr);
    int rc = r != NULL ? OHC_OK : ohc_evtx_open(&r, s->files[f], &ferr);
    if (rc != OHC_OK) {
        if (rc == OHC_ENOMEM) {
            *err = ferr;
            return rc;
        }
        file_error(s, s->files[f], &ferr); /* cannot be read: said once, in the facts */
        return OHC_OK;
    }
    memset(&s->summary, 0, sizeof s->summary);
    rc = ohc_evtx_scan_file(r, scan, &ferr);
    ohc_error stop;
    ohc_error_clear(&stop);
    if (s->timed_out)
        ohc_error_set(&stop, OHC_ETIMEOUT, 0, "the time budget ran out while reading this file");
    else if (s->stopped)
        ohc_error_set(&stop, OHC_ETIMEOUT, 0, "reading stopped before the end of this file (the queries say why)");
    add_file_info(s, r, s->files[f], rc == OHC_OK, rc < 0 ? &ferr : s->stopped ? &stop : NULL);
    cJSON *fe = damage_entry(r, s->files[f]);
    if (fe != NULL) {
        s->damaged++;
        if (s->first.code == OHC_OK)
            ohc_error_set(&s->first, OHC_EMALFORMED, 0, "%.200s: %.300s", s->files[f],
                          cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(fe, "error"), "message")));
        if (!cJSON_AddItemToArray(s->file_errors, fe))
            cJSON_Delete(fe);
    }
    if (owned)
        ohc_evtx_close(r);
    if (rc == OHC_ENOMEM) {
        *err = ferr;
        return rc;
    }
    if (rc < 0)
        file_error(s, s->files[f], &ferr); /* not read to its end: said once, in the facts */
    else if (!s->stopped)
        s->readable++;
    return OHC_OK;
}

/* ohc_event_source.scan: every file once, every query in the same pass, and
 * a last filter that keeps every record for file_info. With count 0 (no
 * valid query) the pass still runs, for file_info and damage. */
static int evtx_scan(void *self, const ohc_event_query *const *queries, size_t count,
                     int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec), void *ctx, ohc_error *err)
{
    evtx_source *s = self;
    if (count >= OHC_EVTX_SCAN_FILTERS_MAX)
        return ohc_error_set(err, OHC_EINVAL, 0, "more than %d event queries", OHC_EVTX_SCAN_FILTERS_MAX - 1);
    ohc_evtx_filter filters[OHC_EVTX_SCAN_FILTERS_MAX];
    for (size_t i = 0; i < count; i++) {
        memset(&filters[i], 0, sizeof filters[i]);
        filters[i].provider = queries[i]->provider;
        filters[i].event_ids = queries[i]->id_count ? queries[i]->ids : NULL;
        filters[i].event_id_count = queries[i]->id_count;
    }
    memset(&filters[count], 0, sizeof filters[count]); /* keeps every record: file_info */
    s->query_count = count;
    s->deliver = deliver;
    s->ctx = ctx;
    s->opened = 1;
    ohc_evtx_scan scan = {filters, count + 1, 0, pack_record, deliver_chunk, s};
    for (size_t f = 0; f < s->file_count; f++) {
        if (s->stopped) {
            /* not reached: said in its file_info, not as a file error */
            ohc_error why;
            ohc_error_set(&why, OHC_ETIMEOUT, 0, "not read: the reading stopped before this file");
            add_file_info(s, NULL, s->files[f], 0, &why);
            continue;
        }
        int rc = scan_one_file(s, f, &scan, err);
        if (rc != OHC_OK)
            return rc;
    }
    if (s->timed_out)
        return ohc_error_set(err, OHC_ETIMEOUT, 0, "time budget ran out reading the .evtx files");
    return OHC_OK;
}

/* Not used: the pass (evtx_scan) reads every query. */
static int evtx_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    (void)self, (void)q, (void)days, (void)since_ms;
    return ohc_error_set(err, OHC_EINVAL, 0, "the .evtx source reads all queries in one pass");
}

static int evtx_next(void *self, ohc_event_record *out, ohc_error *err)
{
    (void)self, (void)out, (void)err;
    return 0;
}

static void evtx_close(void *self)
{
    (void)self;
}

void ohc_events_collect_files(ohc_probe_output *out, const char *const *files, ohc_evtx_reader *const *readers,
                              const ohc_event_query *queries, size_t query_count, unsigned default_days,
                              uint64_t deadline_ms)
{
    size_t n = 0;
    while (files[n] != NULL)
        n++;
    evtx_source s;
    memset(&s, 0, sizeof s);
    s.files = files;
    s.readers = readers;
    s.file_count = n;
    s.file_errors = cJSON_CreateArray();
    s.file_info = cJSON_CreateArray();
    s.deadline_ms = deadline_ms;
    ohc_error_clear(&s.first);
    ohc_event_source src = {"evtx", 0, 1, &s, evtx_open, evtx_next, evtx_close, evtx_scan};
    ohc_events_outcome outcome;
    cJSON *facts =
        s.file_errors != NULL && s.file_info != NULL
            ? ohc_events_collect(&outcome, &src, queries, query_count, default_days, ohc_os_utc_now_ms(), deadline_ms)
            : NULL;
    if (facts != NULL && !s.opened) {
        /* No valid query, so no pass: one still runs for file_info and damage. */
        ohc_error err;
        ohc_error_clear(&err);
        if (evtx_scan(&s, NULL, 0, NULL, NULL, &err) == OHC_ENOMEM) {
            cJSON_Delete(facts);
            facts = NULL;
        }
    }
    free(s.values);
    cJSON *list = facts != NULL ? cJSON_CreateStringArray(files, (int)n) : NULL;
    int ok = facts != NULL && list != NULL && cJSON_AddItemToObject(facts, "files", list);
    if (!ok)
        cJSON_Delete(list);
    int info_added = ok && cJSON_AddItemToObject(facts, "file_info", s.file_info);
    ok = info_added && cJSON_AddItemToObject(facts, "file_errors", s.file_errors);
    if (!ok) {
        if (!info_added)
            cJSON_Delete(s.file_info);
        if (facts == NULL || cJSON_GetObjectItemCaseSensitive(facts, "file_errors") == NULL)
            cJSON_Delete(s.file_errors);
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    ohc_events_set_status(out, &outcome);
    if (s.stopped && out->status == OHC_PROBE_OK) {
        /* stopped by the budget with no valid query to say so: the files were not all read */
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_ETIMEOUT, 0, "time budget ran out reading the .evtx files");
    } else if (s.stopped) {
        /* the time budget ended the pass: the queries say so; files not reached are in file_info */
    } else if (s.readable == 0) {
        out->status = OHC_PROBE_FAILED;
        out->error = s.first;
    } else if ((s.readable < n || s.damaged > 0) && out->status == OHC_PROBE_OK) {
        /* a damaged file was read around its damage: the events there are missing */
        out->status = OHC_PROBE_PARTIAL;
        out->error = s.first;
    }
    ohc_probe_take_facts(out, facts);
}
