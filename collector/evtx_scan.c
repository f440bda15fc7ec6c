/* ohc_evtx_scan_file (evtx.h): a file's chunks decoded on several threads,
 * their outputs handed back in file order.
 *
 * A ring of slots, one chunk each, moves through FREE -> READY (read by the
 * scanning thread) -> BUSY (taken by a decoder) -> DONE (output, damage and
 * counts in the slot) -> handed over in file order -> FREE. workers-1 threads
 * started once for the file only decode; the scanning thread hands over what
 * is done at the head of the ring, reads while there is a free slot, and
 * otherwise decodes too, so reading, writing and decoding overlap. It waits
 * only when the ring is full (or the file read) and the chunk at its head is
 * still being decoded. Memory is bounded by the ring
 * (OHC_EVTX_SCAN_BATCH_PER_WORKER chunks per worker, and their outputs),
 * whatever the file's size. A thread that cannot be started leaves its share
 * to the others. */
#include <stdlib.h>
#include <string.h>

#include "evtx.h"
#include "evtx_internal.h"
#include "os.h"

#define CHUNK_SIZE 65536u

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

/* One chunk and what its decoding produced. */
typedef struct scan_slot {
    int state;            /* SLOT_*, under the pipe's mutex */
    uint8_t *buf;         /* CHUNK_SIZE bytes when reading a file */
    const uint8_t *data;  /* buf, or into the reader's memory */
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

/* Slots are filled, taken and handed over in file order: head <= take <=
 * tail (counters; slot k is slots[k % nslots]). */
typedef struct scan_pipe {
    ohc_os_mutex *mu;
    ohc_os_cond *ready; /* a slot became READY, or quit */
    ohc_os_cond *done;  /* a slot became DONE */
    scan_slot *slots;
    size_t nslots;
    size_t head, take, tail;
    int quit;
    const ohc_evtx_scan *scan;
} scan_pipe;

typedef struct scan_worker {
    ohc_evtx_reader *dec;
    scan_pipe *pipe;
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

/* Decodes the oldest READY slot; called and returns with the mutex held. */
static void take_and_decode(scan_pipe *p, ohc_evtx_reader *dec)
{
    size_t k = p->take++;
    scan_slot *s = &p->slots[k % p->nslots];
    s->state = SLOT_BUSY;
    ohc_os_mutex_unlock(p->mu);
    decode_slot(dec, p->scan, s);
    ohc_os_mutex_lock(p->mu);
    s->state = SLOT_DONE;
    if (k == p->head) /* the scanning thread only ever waits for the head */
        ohc_os_cond_broadcast(p->done);
}

static void worker_run(void *arg)
{
    scan_worker *w = arg;
    scan_pipe *p = w->pipe;
    ohc_os_mutex_lock(p->mu);
    for (;;) {
        while (!p->quit && p->take == p->tail)
            ohc_os_cond_wait(p->ready, p->mu);
        if (p->quit)
            break;
        take_and_decode(p, w->dec);
    }
    ohc_os_mutex_unlock(p->mu);
}

/* Reads the file's next chunk into s. 1, 0 at the end, or a negative ohc_err.
 * Only the scanning thread reads, into a FREE slot: no lock needed. */
static int read_slot(ohc_evtx_reader *r, scan_slot *s, ohc_error *err)
{
    uint64_t off = r->next_chunk_off;
    size_t got;
    if (r->mem != NULL) {
        if (off >= r->mem_len)
            return 0;
        got = r->mem_len - off < CHUNK_SIZE ? (size_t)(r->mem_len - off) : CHUNK_SIZE;
        s->data = r->mem + off;
    } else {
        if (s->buf == NULL && (s->buf = malloc(CHUNK_SIZE)) == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        int rc = ohc_os_file_read(r->file, s->buf, CHUNK_SIZE, &got, err);
        if (rc != OHC_OK)
            return rc;
        if (got == 0)
            return 0;
        s->data = s->buf;
    }
    s->len = (uint32_t)got;
    s->index = ++r->chunk_index;
    s->off = off;
    r->stats.bytes_read += got;
    r->next_chunk_off = off + got;
    return 1;
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

/* Hands a DONE slot over: OHC_OK, a callback's code or OHC_ENOMEM. */
static int emit_slot(ohc_evtx_reader *r, const ohc_evtx_scan *scan, scan_slot *s, ohc_error *err)
{
    merge_slot(r, s);
    if (s->rc == OHC_ENOMEM)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    if (s->rc != 0)
        return s->rc;
    return s->out.len > 0 ? scan->on_output(scan->arg, s->out.data, s->out.len) : OHC_OK;
}

/* The scanning thread's loop; called and returns with the mutex held. */
static int run_pipe(scan_pipe *p, ohc_evtx_reader *r, ohc_evtx_reader *dec, ohc_error *err)
{
    int eof = 0, read_rc = OHC_OK;
    for (;;) {
        scan_slot *h = &p->slots[p->head % p->nslots];
        if (p->head < p->tail && h->state == SLOT_DONE) {
            ohc_os_mutex_unlock(p->mu);
            int rc = emit_slot(r, p->scan, h, err);
            ohc_os_mutex_lock(p->mu);
            h->state = SLOT_FREE;
            p->head++;
            if (rc != OHC_OK)
                return rc;
            continue;
        }
        if (!eof && p->tail - p->head < p->nslots) {
            scan_slot *t = &p->slots[p->tail % p->nslots];
            ohc_os_mutex_unlock(p->mu);
            int got = read_slot(r, t, err);
            ohc_os_mutex_lock(p->mu);
            if (got <= 0) {
                eof = 1; /* a read error: what was read before is still handed over */
                read_rc = got;
            } else {
                t->state = SLOT_READY;
                p->tail++;
                ohc_os_cond_broadcast(p->ready);
            }
            continue;
        }
        if (eof && p->head == p->tail)
            return read_rc;
        if (p->take < p->tail) {
            take_and_decode(p, dec);
            continue;
        }
        ohc_os_cond_wait(p->done, p->mu); /* the head is being decoded by a worker */
    }
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

    int rc = OHC_OK;
    scan_pipe p;
    memset(&p, 0, sizeof p);
    p.scan = scan;
    p.nslots = (size_t)workers * OHC_EVTX_SCAN_BATCH_PER_WORKER;
    p.slots = calloc(p.nslots, sizeof *p.slots);
    scan_worker w[OHC_EVTX_SCAN_WORKERS_MAX];
    memset(w, 0, sizeof w);
    if (p.slots == NULL)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    if (rc == OHC_OK && (rc = ohc_os_mutex_new(&p.mu, err)) == OHC_OK && (rc = ohc_os_cond_new(&p.ready, err)) == OHC_OK)
        rc = ohc_os_cond_new(&p.done, err);
    for (unsigned i = 0; i < workers && rc == OHC_OK; i++) {
        w[i].pipe = &p;
        w[i].dec = ohc_evtx_decoder_new();
        if (w[i].dec == NULL) {
            rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            break;
        }
        w[i].dec->filters = scan->filter_count ? scan->filters : NULL;
        w[i].dec->filter_count = scan->filter_count;
    }

    ohc_os_thread *threads[OHC_EVTX_SCAN_WORKERS_MAX];
    unsigned started = 0;
    if (rc == OHC_OK) {
        for (unsigned i = 1; i < workers; i++) {
            ohc_error terr;
            if (ohc_os_thread_start(&threads[started], worker_run, &w[i], &terr) != OHC_OK)
                break; /* the threads that did start, and this one, do its share */
            started++;
        }
        ohc_os_mutex_lock(p.mu);
        rc = run_pipe(&p, r, w[0].dec, err);
        p.quit = 1;
        ohc_os_cond_broadcast(p.ready);
        ohc_os_mutex_unlock(p.mu);
        for (unsigned i = 0; i < started; i++)
            while (ohc_os_thread_join(threads[i], 60000) != OHC_OK)
                ;
    }

    for (unsigned i = 0; i < workers; i++)
        ohc_evtx_close(w[i].dec);
    for (size_t i = 0; p.slots != NULL && i < p.nslots; i++) {
        ohc_strbuf_free(&p.slots[i].out);
        free(p.slots[i].buf);
    }
    free(p.slots);
    ohc_os_cond_free(p.done);
    ohc_os_cond_free(p.ready);
    ohc_os_mutex_free(p.mu);
    return rc;
}
