/* The events probe over .evtx files (collect --evtx): the same queries and
 * decoding as the live log, with the offline reader (evtx.h) as the source.
 * Portable, so the native build and its tests reach it too.
 *
 * Each file is opened once and read once for every query together
 * (ohc_event_source.scan): its chunks are decoded on every CPU
 * (ohc_evtx_scan_file), each record that matches a query's provider and ids
 * is packed into the chunk's output by the decoding thread, and unpacked here,
 * in file order, for the queries it matched. */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "evtx.h"
#include "os.h"

typedef struct evtx_source {
    const char *const *files;
    ohc_evtx_reader *const *readers; /* open already (borrowed), or NULL */
    size_t file_count;
    int opened;          /* the files were opened (a pass ran) */
    size_t readable;     /* files read to their end */
    cJSON *file_errors;  /* [{file, error}] */
    ohc_error first;     /* the first file error */
    /* during a pass */
    size_t query_count;
    int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec);
    void *ctx;
    int stopped;
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

/* On a decoding thread: the record, packed into the chunk's output. */
static int pack_record(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched,
                       ohc_strbuf *out)
{
    (void)arg;
    (void)dec;
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
        for (size_t q = 0; q < s->query_count; q++) {
            if (((h.matched >> q) & 1) && s->deliver(s->ctx, q, &rec) != 0) {
                s->stopped = 1;
                return 1;
            }
        }
        data += h.size;
    }
    return 0;
}

static void file_error(evtx_source *s, const char *path, const ohc_error *err)
{
    if (s->first.code == OHC_OK)
        s->first = *err;
    cJSON *fe = cJSON_CreateObject();
    if (fe != NULL && (!cJSON_AddStringToObject(fe, "file", path) ||
                       !cJSON_AddItemToObject(fe, "error", ohc_error_to_json(err)))) {
        cJSON_Delete(fe);
        fe = NULL;
    }
    if (fe != NULL)
        cJSON_AddItemToArray(s->file_errors, fe);
}

/* ohc_event_source.scan: every file once, every query in the same pass. */
static int evtx_scan(void *self, const ohc_event_query *const *queries, size_t count,
                     int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec), void *ctx, ohc_error *err)
{
    evtx_source *s = self;
    if (count > OHC_EVTX_SCAN_FILTERS_MAX)
        return ohc_error_set(err, OHC_EINVAL, 0, "more than %d event queries", OHC_EVTX_SCAN_FILTERS_MAX);
    ohc_evtx_filter filters[OHC_EVTX_SCAN_FILTERS_MAX];
    for (size_t i = 0; i < count; i++) {
        memset(&filters[i], 0, sizeof filters[i]);
        filters[i].provider = queries[i]->provider;
        filters[i].event_ids = queries[i]->id_count ? queries[i]->ids : NULL;
        filters[i].event_id_count = queries[i]->id_count;
    }
    s->query_count = count;
    s->deliver = deliver;
    s->ctx = ctx;
    s->opened = 1;
    ohc_evtx_scan scan = {filters, count, 0, pack_record, deliver_chunk, s};
    for (size_t f = 0; f < s->file_count && !s->stopped; f++) {
        ohc_evtx_reader *r = s->readers ? s->readers[f] : NULL;
        ohc_error ferr;
        ohc_error_clear(&ferr);
        int rc = r != NULL ? OHC_OK : ohc_evtx_open(&r, s->files[f], &ferr);
        if (rc == OHC_OK)
            rc = ohc_evtx_scan_file(r, &scan, &ferr);
        if (s->readers == NULL || s->readers[f] == NULL)
            ohc_evtx_close(r);
        if (rc == OHC_ENOMEM) {
            *err = ferr;
            return rc;
        }
        if (rc < 0)
            file_error(s, s->files[f], &ferr); /* cannot be read (or not to its end): said once, in the facts */
        else if (!s->stopped)
            s->readable++;
    }
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

static void evtx_close(void *self) { (void)self; }

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
    ohc_error_clear(&s.first);
    ohc_event_source src = {"evtx", 0, 1, &s, evtx_open, evtx_next, evtx_close, evtx_scan};
    ohc_events_outcome outcome;
    cJSON *facts = s.file_errors != NULL ? ohc_events_collect(&outcome, &src, queries, query_count, default_days,
                                                               ohc_os_utc_now_ms(), deadline_ms)
                                         : NULL;
    free(s.values);
    if (facts != NULL && !s.opened) {
        /* No valid query, so no pass: still say which files cannot be read. */
        for (size_t i = 0; i < n; i++) {
            ohc_evtx_reader *r = NULL;
            ohc_error err;
            ohc_error_clear(&err);
            if (readers != NULL && readers[i] != NULL)
                s.readable++;
            else if (ohc_evtx_open(&r, files[i], &err) == OHC_OK)
                s.readable++;
            else
                file_error(&s, files[i], &err);
            ohc_evtx_close(r);
        }
    }
    cJSON *list = facts != NULL ? cJSON_CreateStringArray(files, (int)n) : NULL;
    int ok = facts != NULL && list != NULL && cJSON_AddItemToObject(facts, "files", list);
    if (!ok)
        cJSON_Delete(list);
    ok = ok && cJSON_AddItemToObject(facts, "file_errors", s.file_errors);
    if (!ok) {
        if (facts == NULL || cJSON_GetObjectItemCaseSensitive(facts, "file_errors") == NULL)
            cJSON_Delete(s.file_errors);
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    ohc_events_set_status(out, &outcome);
    if (s.stopped) {
        /* the time budget ended the pass: the queries say so; files not reached are not errors */
    } else if (s.readable == 0) {
        out->status = OHC_PROBE_FAILED;
        out->error = s.first;
    } else if (s.readable < n && out->status == OHC_PROBE_OK) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = s.first;
    }
    ohc_probe_take_facts(out, facts);
}
