/* libFuzzer target for the .evtx reader (seeded from ../shared/evtx-corpus).
 * Reads every record of the input, touches every string and byte of it,
 * renders it as XML, decodes it as an Outlook Event 27 (binary data and the
 * "Result Code N" text scan), does it again through the template-based
 * filter, and a third time through ohc_evtx_scan_file with two filters, on
 * the calling thread alone (one worker: a fuzz input is one or two chunks,
 * and the threads are exercised by the unit tests under ASan). The reader is
 * given memory: the platform's file functions are linked but never reached.
 * The first read runs beside a reader that walks every template instead of
 * running its plan (evtx_internal.h): any difference between the two aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event27.h"
#include "evtx.h"
#include "evtx_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const ohc_event_record *r);

static int scan_record(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched, ohc_strbuf *out)
{
    (void)arg;
    touch(rec);
    ohc_error err;
    if (matched & 1)
        ohc_evtx_render_xml(dec, out, &err);
    ohc_strbuf_append_char(out, '\n');
    return 0;
}

static int scan_output(void *arg, const char *data, size_t len)
{
    (void)arg;
    sink += len + (len ? (unsigned char)data[len - 1] : 0);
    return 0;
}

static void touch(const ohc_event_record *r)
{
    size_t n = 0;
    if (r->channel)
        n += strlen(r->channel);
    if (r->provider)
        n += strlen(r->provider);
    if (r->computer)
        n += strlen(r->computer);
    for (size_t i = 0; i < r->value_count; i++) {
        if (r->values[i].name)
            n += strlen(r->values[i].name);
        n += strlen(r->values[i].value);
    }
    for (size_t i = 0; i < r->binary_len; i++)
        n += r->binary[i];
    sink += n;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_record(const ohc_event_record *a, const ohc_event_record *b)
{
    if (a->event_id != b->event_id || a->qualifiers != b->qualifiers || a->level != b->level ||
        a->time_created_ms != b->time_created_ms || a->record_id != b->record_id || a->value_count != b->value_count ||
        a->binary_len != b->binary_len || (a->binary == NULL) != (b->binary == NULL) ||
        !same_text(a->channel, b->channel) || !same_text(a->provider, b->provider) ||
        !same_text(a->computer, b->computer) || !same_text(a->message, b->message))
        return 0;
    if (a->binary_len > 0 && memcmp(a->binary, b->binary, a->binary_len) != 0)
        return 0;
    for (size_t i = 0; i < a->value_count; i++)
        if (!same_text(a->values[i].name, b->values[i].name) || !same_text(a->values[i].value, b->values[i].value))
            return 0;
    return 1;
}

/* The walked reader's next record and end must be the planned one's. */
static void check_walked(ohc_evtx_reader *walked, int planned_rc, const ohc_event_record *planned)
{
    ohc_event_record rec;
    ohc_error err;
    int rc = ohc_evtx_next(walked, &rec, &err);
    if (rc != planned_rc || (rc == 1 && !same_record(planned, &rec)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int pass = 0; pass < 2; pass++) {
        ohc_evtx_reader *r;
        ohc_error err;
        if (ohc_evtx_open_memory(&r, data, size, &err) != OHC_OK)
            return 0;
        uint32_t ids[2] = {4624, 60};
        ohc_evtx_filter f = {"Microsoft-Windows-Security-Auditing", ids, 2, 1};
        if (pass == 1)
            ohc_evtx_set_filter(r, &f);
        ohc_evtx_reader *walked = NULL;
        if (pass == 0 && ohc_evtx_open_memory(&walked, data, size, &err) == OHC_OK)
            walked->plans_off = 1;
        ohc_event_record rec;
        ohc_strbuf xml = OHC_STRBUF_INIT;
        int rc;
        while ((rc = ohc_evtx_next(r, &rec, &err)) == 1) {
            if (walked != NULL)
                check_walked(walked, rc, &rec);
            touch(&rec);
            ohc_event27 ev;
            ohc_event27_decode(&ev, &rec); /* any record: the decoder must take whatever a file holds */
            cJSON_Delete(ohc_event27_to_json(&ev));
            xml.len = 0;
            if (pass == 0)
                ohc_evtx_render_xml(r, &xml, &err);
        }
        ohc_strbuf_free(&xml);
        if (walked != NULL) {
            check_walked(walked, rc, &rec);
            size_t nw, np;
            uint64_t tw, tp;
            ohc_evtx_damages(walked, &nw, &tw);
            ohc_evtx_damages(r, &np, &tp);
            if (nw != np || tw != tp ||
                memcmp(ohc_evtx_get_stats(walked), ohc_evtx_get_stats(r), sizeof(ohc_evtx_stats)) != 0)
                abort();
            ohc_evtx_close(walked);
        }
        size_t nd;
        ohc_evtx_damages(r, &nd, NULL);
        ohc_evtx_close(r);
    }
    ohc_evtx_reader *r;
    ohc_error err;
    if (ohc_evtx_open_memory(&r, data, size, &err) != OHC_OK)
        return 0;
    uint32_t ids[2] = {4624, 60};
    ohc_evtx_filter filters[2] = {{NULL, NULL, 0, 0}, {"Microsoft-Windows-Bits-Client", ids, 2, 0}};
    ohc_evtx_scan scan = {filters, 2, 1, scan_record, scan_output, NULL};
    ohc_evtx_scan_file(r, &scan, &err);
    size_t nd;
    ohc_evtx_damages(r, &nd, NULL);
    ohc_evtx_close(r);
    return 0;
}
