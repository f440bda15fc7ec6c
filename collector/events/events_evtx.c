/* The events probe over .evtx files (collect --evtx): the same queries and
 * decoding as the live log, with the offline reader (evtx.h) as the source.
 * Portable, so the native build and its tests reach it too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "events.h"
#include "evtx.h"
#include "os.h"

#define MAX_COMPUTERS 4 /* distinct computer names kept per file */
#define MAX_DAMAGE_LISTED 16 /* damaged places listed per file (all are counted) */

typedef struct evtx_source {
    const char *const *files;
    size_t file_count;
    size_t next_file;
    ohc_evtx_reader *reader;
    ohc_evtx_filter filter;
} evtx_source;

/* Opens the next readable file; 0 when none is left. Files that cannot be
 * read were reported once, up front (see ohc_events_collect_files). */
static int open_next_file(evtx_source *s)
{
    while (s->next_file < s->file_count) {
        const char *path = s->files[s->next_file++];
        if (ohc_evtx_open(&s->reader, path, NULL) == OHC_OK) {
            ohc_evtx_set_filter(s->reader, &s->filter);
            return 1;
        }
    }
    return 0;
}

static int evtx_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    evtx_source *s = self;
    (void)days;
    (void)err;
    memset(&s->filter, 0, sizeof s->filter);
    s->filter.provider = q->provider;
    s->filter.event_ids = q->id_count ? q->ids : NULL;
    s->filter.event_id_count = q->id_count;
    s->filter.since_ms = since_ms > 0 ? since_ms : 0;
    s->next_file = 0;
    s->reader = NULL;
    open_next_file(s); /* no readable file: next() says "end" */
    return OHC_OK;
}

static int evtx_next(void *self, ohc_event_record *out, ohc_error *err)
{
    evtx_source *s = self;
    while (s->reader != NULL) {
        int rc = ohc_evtx_next(s->reader, out, err);
        if (rc != 0)
            return rc;
        ohc_evtx_close(s->reader);
        s->reader = NULL;
        open_next_file(s);
    }
    return 0;
}

static void evtx_close(void *self)
{
    evtx_source *s = self;
    ohc_evtx_close(s->reader);
    s->reader = NULL;
}

/* What one file holds, read once in full (no filter): the computers its
 * events came from, the time range, and every damaged place. A file from
 * another PC or with damage must say so in the report, not only on stderr. */
static cJSON *scan_file(ohc_evtx_reader *r, const char *path, uint64_t deadline_ms, ohc_error *err)
{
    char names[MAX_COMPUTERS][128];
    uint64_t counts[MAX_COMPUTERS] = {0};
    size_t ncomp = 0;
    int64_t first = 0, last = 0;
    uint64_t records = 0;
    int stopped = 0, rc;
    ohc_event_record rec;
    while ((rc = ohc_evtx_next(r, &rec, err)) == 1) {
        records++;
        if (records == 1 || rec.time_created_ms < first)
            first = rec.time_created_ms;
        if (records == 1 || rec.time_created_ms > last)
            last = rec.time_created_ms;
        const char *c = rec.computer != NULL ? rec.computer : "";
        size_t k = 0;
        while (k < ncomp && strcmp(names[k], c) != 0)
            k++;
        if (k == ncomp && ncomp < MAX_COMPUTERS)
            snprintf(names[ncomp++], sizeof names[0], "%s", c);
        if (k < ncomp)
            counts[k]++;
        if ((records & 1023) == 0 && ohc_os_monotonic_ms() > deadline_ms) {
            stopped = 1;
            break;
        }
    }
    cJSON *info = cJSON_CreateObject();
    if (info == NULL)
        return NULL;
    cJSON_AddStringToObject(info, "file", path);
    cJSON *comps = cJSON_AddArrayToObject(info, "computers");
    for (size_t k = 0; k < ncomp && comps != NULL; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", names[k]);
        cJSON_AddNumberToObject(c, "events", (double)counts[k]);
        cJSON_AddItemToArray(comps, c);
    }
    char when[32];
    if (records > 0) {
        ohc_format_rfc3339_utc(when, first);
        cJSON_AddStringToObject(info, "first_event", when);
        ohc_format_rfc3339_utc(when, last);
        cJSON_AddStringToObject(info, "last_event", when);
    } else {
        cJSON_AddNullToObject(info, "first_event");
        cJSON_AddNullToObject(info, "last_event");
    }
    cJSON_AddNumberToObject(info, "events", (double)records);
    const ohc_evtx_stats *st = ohc_evtx_get_stats(r);
    cJSON_AddNumberToObject(info, "chunks_damaged", (double)st->chunks_damaged);
    cJSON_AddNumberToObject(info, "records_damaged", (double)st->records_damaged);
    cJSON_AddBoolToObject(info, "dirty", st->dirty != 0);
    /* read to the end, or stopped by the budget or an I/O error: say which */
    cJSON_AddBoolToObject(info, "complete", rc == 0 && !stopped);
    if (rc < 0)
        cJSON_AddItemToObject(info, "read_error", ohc_error_to_json(err));
    return info;
}

/* The damage of a file as a file_errors entry; NULL when it has none. */
static cJSON *damage_entry(const ohc_evtx_reader *r, const char *path)
{
    size_t n = 0;
    uint64_t total = 0;
    const ohc_evtx_damage *d = ohc_evtx_damages(r, &n, &total);
    if (total == 0 || n == 0)
        return NULL;
    const ohc_evtx_stats *st = ohc_evtx_get_stats(r);
    ohc_error e;
    ohc_error_set(&e, OHC_EMALFORMED, 0,
                  "damaged: %llu place(s) (%llu chunk(s), %llu record(s)) skipped, events there are missing; "
                  "first: %s at offset %llu",
                  (unsigned long long)total, (unsigned long long)st->chunks_damaged,
                  (unsigned long long)st->records_damaged, d[0].reason, (unsigned long long)d[0].offset);
    cJSON *fe = cJSON_CreateObject();
    if (fe == NULL)
        return NULL;
    cJSON_AddStringToObject(fe, "file", path);
    cJSON_AddItemToObject(fe, "error", ohc_error_to_json(&e));
    cJSON *list = cJSON_AddArrayToObject(fe, "damage");
    for (size_t i = 0; i < n && i < MAX_DAMAGE_LISTED && list != NULL; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "chunk", (double)d[i].chunk);
        cJSON_AddNumberToObject(x, "offset", (double)d[i].offset);
        if (d[i].record_id != 0)
            cJSON_AddNumberToObject(x, "record_id", (double)d[i].record_id);
        cJSON_AddStringToObject(x, "reason", d[i].reason);
        cJSON_AddItemToArray(list, x);
    }
    return fe;
}

void ohc_events_collect_files(ohc_probe_output *out, const char *const *files, const ohc_event_query *queries,
                              size_t query_count, unsigned default_days, uint64_t deadline_ms)
{
    size_t n = 0;
    while (files[n] != NULL)
        n++;
    /* Each file is read once here so that one that cannot be read, or is
     * damaged, is named once in the facts, not once per query. */
    cJSON *file_errors = cJSON_CreateArray();
    cJSON *file_info = cJSON_CreateArray();
    size_t readable = 0, damaged = 0;
    ohc_error first;
    ohc_error_clear(&first);
    for (size_t i = 0; i < n && file_errors != NULL && file_info != NULL; i++) {
        ohc_evtx_reader *r = NULL;
        ohc_error err;
        ohc_error_clear(&err);
        if (ohc_evtx_open(&r, files[i], &err) == OHC_OK) {
            readable++;
            cJSON *info = scan_file(r, files[i], deadline_ms, &err);
            if (info != NULL)
                cJSON_AddItemToArray(file_info, info);
            cJSON *fe = damage_entry(r, files[i]);
            if (fe != NULL) {
                damaged++;
                if (first.code == OHC_OK)
                    ohc_error_set(&first, OHC_EMALFORMED, 0, "%.200s: %.300s", files[i],
                                  cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetObjectItemCaseSensitive(fe, "error"), "message")));
                cJSON_AddItemToArray(file_errors, fe);
            }
            ohc_evtx_close(r);
            continue;
        }
        if (first.code == OHC_OK)
            first = err;
        cJSON *fe = cJSON_CreateObject();
        if (fe != NULL) {
            cJSON_AddStringToObject(fe, "file", files[i]);
            cJSON_AddItemToObject(fe, "error", ohc_error_to_json(&err));
            cJSON_AddItemToArray(file_errors, fe);
        }
    }
    evtx_source s = {files, n, 0, NULL, {NULL, NULL, 0, 0}};
    ohc_event_source src = {"evtx", 0, 1, &s, evtx_open, evtx_next, evtx_close};
    ohc_events_outcome outcome;
    cJSON *facts =
        ohc_events_collect(&outcome, &src, queries, query_count, default_days, ohc_os_utc_now_ms(), deadline_ms);
    cJSON *list = facts != NULL ? cJSON_CreateStringArray(files, (int)n) : NULL;
    int ok = facts != NULL && list != NULL && cJSON_AddItemToObject(facts, "files", list);
    if (!ok)
        cJSON_Delete(list);
    ok = ok && file_info != NULL && cJSON_AddItemToObject(facts, "file_info", file_info);
    if (!ok && (facts == NULL || cJSON_GetObjectItemCaseSensitive(facts, "file_info") == NULL)) {
        cJSON_Delete(file_info);
        file_info = NULL;
    }
    ok = ok && file_errors != NULL && cJSON_AddItemToObject(facts, "file_errors", file_errors);
    if (!ok) {
        if (facts == NULL || cJSON_GetObjectItemCaseSensitive(facts, "file_errors") == NULL)
            cJSON_Delete(file_errors);
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    ohc_events_set_status(out, &outcome);
    if (readable == 0) {
        out->status = OHC_PROBE_FAILED;
        out->error = first;
    } else if ((readable < n || damaged > 0) && out->status == OHC_PROBE_OK) {
        /* a damaged file was read around its damage: the events there are missing */
        out->status = OHC_PROBE_PARTIAL;
        out->error = first;
    }
    ohc_probe_take_facts(out, facts);
}
