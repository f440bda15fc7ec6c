/* libFuzzer target for the .evtx reader (built with clang by
 * tests/integration/test_evtx_fuzz.sh; seeded from ../shared/evtx-corpus).
 * Reads every record of the input, touches every string and byte of it,
 * renders it as XML, decodes it as an Outlook Event 27 (binary data and the
 * "Result Code N" text scan), and does it again through the template-based
 * filter. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "event27.h"
#include "evtx.h"
#include "os.h"

/* The reader is given memory here: the file functions are never reached. */
int ohc_os_file_open_read(ohc_os_file **out, const char *path, ohc_error *err)
{
    (void)path;
    *out = NULL;
    return ohc_error_set(err, OHC_EUNAVAILABLE, 0, "no files in the fuzzer");
}
int ohc_os_file_read(ohc_os_file *f, void *buf, size_t len, size_t *out_read, ohc_error *err)
{
    (void)f, (void)buf, (void)len, (void)err;
    *out_read = 0;
    return OHC_OK;
}
void ohc_os_file_close(ohc_os_file *f)
{
    (void)f;
}

static volatile size_t sink;

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
    return 0;
}
