/* The events probe over .evtx files (collect --evtx): the same queries and
 * decoding as the live log, with the offline reader (evtx.h) as the source.
 * Portable, so the native build and its tests reach it too. */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "evtx.h"
#include "os.h"

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

void ohc_events_collect_files(ohc_probe_output *out, const char *const *files, const ohc_event_query *queries,
                              size_t query_count, unsigned default_days, uint64_t deadline_ms)
{
    size_t n = 0;
    while (files[n] != NULL)
        n++;
    /* Each file is opened once here so that one that cannot be read is named
     * once in the facts, not once per query. */
    cJSON *file_errors = cJSON_CreateArray();
    size_t readable = 0;
    ohc_error first;
    ohc_error_clear(&first);
    for (size_t i = 0; i < n && file_errors != NULL; i++) {
        ohc_evtx_reader *r = NULL;
        ohc_error err;
        ohc_error_clear(&err);
        if (ohc_evtx_open(&r, files[i], &err) == OHC_OK) {
            readable++;
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
    } else if (readable < n && out->status == OHC_PROBE_OK) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = first;
    }
    ohc_probe_take_facts(out, facts);
}
