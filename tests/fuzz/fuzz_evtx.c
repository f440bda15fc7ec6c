/* libFuzzer target for the .evtx reader (built with clang by
 * tests/integration/test_evtx_fuzz.sh; seeded from ../shared/evtx-corpus).
 * Reads every record of the input, touches every string and byte of it,
 * renders it as XML, does it again through the template-based filter, and a
 * third time through ohc_evtx_scan_file (two workers asked for) with two filters. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Threads for the scan: none start here, so the scanning thread decodes every
 * chunk (as when threads cannot start); the threads themselves are exercised
 * by the unit tests under ASan. */
int ohc_os_thread_start(ohc_os_thread **out, ohc_os_thread_fn fn, void *arg, ohc_error *err)
{
    (void)out, (void)fn, (void)arg;
    return ohc_error_set(err, OHC_EUNAVAILABLE, 0, "no threads in the fuzzer");
}
int ohc_os_thread_join(ohc_os_thread *t, uint32_t timeout_ms)
{
    (void)t, (void)timeout_ms;
    return OHC_OK;
}
void ohc_os_thread_detach(ohc_os_thread *t)
{
    (void)t;
}
/* One thread: the lock is free and nothing is ever waited for (the scanning
 * thread decodes every chunk itself). */
struct ohc_os_mutex {
    int unused;
};
struct ohc_os_cond {
    int unused;
};
static ohc_os_mutex the_mutex;
static ohc_os_cond the_cond;
int ohc_os_mutex_new(ohc_os_mutex **out, ohc_error *err)
{
    (void)err;
    *out = &the_mutex;
    return OHC_OK;
}
void ohc_os_mutex_free(ohc_os_mutex *m)
{
    (void)m;
}
void ohc_os_mutex_lock(ohc_os_mutex *m)
{
    (void)m;
}
void ohc_os_mutex_unlock(ohc_os_mutex *m)
{
    (void)m;
}
int ohc_os_cond_new(ohc_os_cond **out, ohc_error *err)
{
    (void)err;
    *out = &the_cond;
    return OHC_OK;
}
void ohc_os_cond_free(ohc_os_cond *c)
{
    (void)c;
}
void ohc_os_cond_wait(ohc_os_cond *c, ohc_os_mutex *m)
{
    (void)c, (void)m;
    abort(); /* would wait forever: a bug in the scan */
}
void ohc_os_cond_broadcast(ohc_os_cond *c)
{
    (void)c;
}
unsigned ohc_os_cpu_count(void)
{
    return 2;
}

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
    ohc_evtx_scan scan = {filters, 2, 2, scan_record, scan_output, NULL};
    ohc_evtx_scan_file(r, &scan, &err);
    size_t nd;
    ohc_evtx_damages(r, &nd, NULL);
    ohc_evtx_close(r);
    return 0;
}
