/* libFuzzer target for the .evtx reader (seeded from ../shared/evtx-corpus).
 * Reads every record of the input, touches every string and byte of it,
 * renders it as XML, decodes it as an Outlook Event 27 (binary data and the
 * "Result Code N" text scan), does it again through the template-based
 * filter, and a third time through ohc_evtx_scan_file with two filters, on
 * the calling thread alone (one worker: a fuzz input is one or two chunks,
 * and the threads are exercised by the unit tests under ASan). The reader is
 * given memory: the platform's file functions are linked but never reached. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event27.h"
#include "evtx.h"

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
        ohc_event_record rec;
        ohc_strbuf xml = OHC_STRBUF_INIT;
        while (ohc_evtx_next(r, &rec, &err) == 1) {
            touch(&rec);
            ohc_event27 ev;
            ohc_event27_decode(&ev, &rec); /* any record: the decoder must take whatever a file holds */
            cJSON_Delete(ohc_event27_to_json(&ev));
            xml.len = 0;
            if (pass == 0)
                ohc_evtx_render_xml(r, &xml, &err);
        }
        ohc_strbuf_free(&xml);
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
