/* ohc_evtx_scan_file (evtx.h): a file's chunks decoded on several threads,
 * their outputs handed back in file order.
 *
 * The scanning thread reads a batch of chunks (one read), then it and
 * workers-1 threads started for the batch take chunks from the batch in turn
 * (an atomic counter) and decode each with their own decoder into the
 * chunk's slot: output, damage, counts. When all are joined the slots are
 * handed over in order. The batch bounds memory: OHC_EVTX_SCAN_BATCH_PER_WORKER
 * chunks per worker and their outputs, whatever the file's size. Only the
 * thread start and join of os.h are needed; a thread that cannot be started
 * leaves its share to the others. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "evtx.h"
#include "evtx_internal.h"
#include "os.h"

#define CHUNK_SIZE 65536u

/* One chunk of the batch and what its decoding produced. */
typedef struct scan_slot {
    const uint8_t *data;
    uint32_t len;
    int64_t index;
    uint64_t off;
    ohc_strbuf out;
    ohc_evtx_damage damage[OHC_EVTX_DAMAGE_MAX];
    size_t ndamage;
    uint64_t damage_total;
    ohc_evtx_stats stats; /* this chunk's counts only */
    int rc;               /* a callback's code or OHC_ENOMEM; 0 = decoded */
} scan_slot;

typedef struct scan_batch {
    scan_slot *slots;
    size_t count;
    atomic_size_t next; /* the next slot to decode */
    atomic_int stop;    /* a slot failed: the others need not be decoded */
    const ohc_evtx_scan *scan;
} scan_batch;

typedef struct scan_worker {
    ohc_evtx_reader *dec;
    scan_batch *batch;
} scan_worker;

static void decode_slot(ohc_evtx_reader *dec, const ohc_evtx_scan *scan, scan_slot *s)
{
    dec->chunk = s->data;
    dec->chunk_len = s->len;
    dec->chunk_index = s->index;
    dec->chunk_off = s->off;
    dec->ndamage = 0;
    dec->damage_total = 0;
    memset(&dec->stats, 0, sizeof dec->stats);
    s->out.len = 0;
    s->out.failed = 0;
    if (s->out.data != NULL)
        s->out.data[0] = '\0';
    s->rc = 0;
    if (ohc_evtx_chunk_begin(dec)) {
        int rc;
        while ((rc = ohc_evtx_chunk_next(dec)) == 1) {
            int cb = scan->on_record(scan->arg, dec, &dec->rec, dec->matched, &s->out);
            if (cb != 0) {
                s->rc = cb;
                break;
            }
        }
        if (rc == OHC_ENOMEM || (rc == OHC_OK && ohc_strbuf_failed(&s->out)))
            s->rc = OHC_ENOMEM;
    }
    dec->current = 0;
    s->ndamage = dec->ndamage;
    memcpy(s->damage, dec->damage, dec->ndamage * sizeof *s->damage);
    s->damage_total = dec->damage_total;
    s->stats = dec->stats;
}

static void worker_run(void *arg)
{
    scan_worker *w = arg;
    scan_batch *b = w->batch;
    while (!atomic_load(&b->stop)) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->count)
            break;
        decode_slot(w->dec, b->scan, &b->slots[i]);
        if (b->slots[i].rc != 0)
            atomic_store(&b->stop, 1);
    }
}

/* Reads up to `want` chunks of r's file into the batch. Returns how many
 * (0 at the end) or a negative ohc_err. */
static int read_batch(ohc_evtx_reader *r, scan_batch *b, uint8_t *buf, size_t want, ohc_error *err)
{
    const uint8_t *base;
    size_t got;
    uint64_t off = r->next_chunk_off;
    if (r->mem != NULL) {
        size_t left = off < r->mem_len ? r->mem_len - (size_t)off : 0;
        got = left < want * CHUNK_SIZE ? left : want * CHUNK_SIZE;
        base = r->mem + off;
    } else {
        int rc = ohc_os_file_read(r->file, buf, want * CHUNK_SIZE, &got, err);
        if (rc != OHC_OK)
            return rc;
        base = buf;
    }
    size_t n = 0;
    for (size_t at = 0; at < got; at += CHUNK_SIZE, n++) {
        scan_slot *s = &b->slots[n];
        s->data = base + at;
        s->len = (uint32_t)(got - at < CHUNK_SIZE ? got - at : CHUNK_SIZE);
        s->index = ++r->chunk_index;
        s->off = off + at;
    }
    r->stats.bytes_read += got;
    r->next_chunk_off = off + got;
    b->count = n;
    return (int)n;
}

/* Adds a slot's damage and counts to the reader, as if it had read it. */
static void merge_slot(ohc_evtx_reader *r, const scan_slot *s)
{
    for (size_t i = 0; i < s->ndamage; i++) {
        const ohc_evtx_damage *d = &s->damage[i];
        ohc_evtx_add_damage(r, d->chunk, d->offset, d->record_id, d->code, d->reason);
    }
    /* entries the slot could not keep still count */
    r->damage_total += s->damage_total - s->ndamage;
    r->stats.chunks_read += s->stats.chunks_read;
    r->stats.chunks_empty += s->stats.chunks_empty;
    r->stats.chunks_damaged += s->stats.chunks_damaged;
    r->stats.records_read += s->stats.records_read;
    r->stats.records_yielded += s->stats.records_yielded;
    r->stats.records_damaged += s->stats.records_damaged;
}

int ohc_evtx_scan_file(ohc_evtx_reader *r, const ohc_evtx_scan *scan, ohc_error *err)
{
    if (scan->filter_count > OHC_EVTX_SCAN_FILTERS_MAX)
        return ohc_error_set(err, OHC_EINVAL, 0, "more than %d filters", OHC_EVTX_SCAN_FILTERS_MAX);
    unsigned workers = scan->workers ? scan->workers : ohc_os_cpu_count();
    if (workers > OHC_EVTX_SCAN_WORKERS_MAX)
        workers = OHC_EVTX_SCAN_WORKERS_MAX;
    if (workers == 0)
        workers = 1;
    size_t per_batch = (size_t)workers * OHC_EVTX_SCAN_BATCH_PER_WORKER;

    int rc = OHC_OK;
    scan_batch b;
    memset(&b, 0, sizeof b);
    b.scan = scan;
    scan_worker w[OHC_EVTX_SCAN_WORKERS_MAX];
    memset(w, 0, sizeof w);
    uint8_t *buf = r->mem == NULL ? malloc(per_batch * CHUNK_SIZE) : NULL;
    b.slots = calloc(per_batch, sizeof *b.slots);
    if ((r->mem == NULL && buf == NULL) || b.slots == NULL)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    for (unsigned i = 0; i < workers && rc == OHC_OK; i++) {
        w[i].batch = &b;
        w[i].dec = ohc_evtx_decoder_new();
        if (w[i].dec == NULL) {
            rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            break;
        }
        w[i].dec->filters = scan->filter_count ? scan->filters : NULL;
        w[i].dec->filter_count = scan->filter_count;
    }

    while (rc == OHC_OK) {
        int n = read_batch(r, &b, buf, per_batch, err);
        if (n <= 0) {
            rc = n;
            break;
        }
        atomic_store(&b.next, 0);
        atomic_store(&b.stop, 0);
        /* One worker per two chunks at most: a short file is not worth a thread. */
        unsigned use = workers < ((unsigned)n + 1) / 2 ? workers : ((unsigned)n + 1) / 2;
        ohc_os_thread *threads[OHC_EVTX_SCAN_WORKERS_MAX];
        unsigned started = 0;
        for (unsigned i = 1; i < use; i++) {
            ohc_error terr;
            if (ohc_os_thread_start(&threads[started], worker_run, &w[i], &terr) != OHC_OK)
                break; /* the threads that did start, and this one, do its share */
            started++;
        }
        worker_run(&w[0]);
        for (unsigned i = 0; i < started; i++)
            while (ohc_os_thread_join(threads[i], 60000) != OHC_OK)
                ;
        for (size_t i = 0; i < b.count && rc == OHC_OK; i++) {
            scan_slot *s = &b.slots[i];
            merge_slot(r, s);
            if (s->rc == OHC_ENOMEM)
                rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            else if (s->rc != 0)
                rc = s->rc;
            else if (s->out.len > 0)
                rc = scan->on_output(scan->arg, s->out.data, s->out.len);
        }
    }

    for (unsigned i = 0; i < workers; i++)
        ohc_evtx_close(w[i].dec);
    for (size_t i = 0; b.slots != NULL && i < per_batch; i++)
        ohc_strbuf_free(&b.slots[i].out);
    free(b.slots);
    free(buf);
    return rc;
}
