/* ohc_evtx_scan_file (evtx.h): a file's chunks read and decoded on several
 * threads, their outputs handed back in file order.
 *
 * A ring of slots, four chunks each, moves through FREE -> READING -> READY
 * (read from the file) -> BUSY (being decoded) -> DONE (output, damage and
 * counts in the slot) -> handed over in file order -> FREE. Slot k holds the
 * chunks at a place known in advance (the file header, then 4 k chunks), so
 * several threads read at once, each at its own offset: reading the file was
 * the part one thread at a time did. workers-1 threads start once for the
 * file; every thread, the scanning one too, decodes the oldest slot when it
 * is READY, else claims the next free slot and reads it; the scanning thread
 * also hands over, in order, what is DONE at the head. A thread waits only
 * when there is nothing to read, decode or hand over. A pipe is read by one
 * thread at a time, in slot order, from its position. The first slot that
 * comes back short, empty or with a read error is the end (a read error after
 * the end is not one). Memory is bounded by the ring
 * (OHC_EVTX_SCAN_BATCH_PER_WORKER chunks per worker, and their outputs),
 * whatever the file's size. A thread that cannot be started leaves its share
 * to the others. */
#include <stdlib.h>
#include <string.h>

#include "evtx.h"
#include "evtx_internal.h"
#include "os.h"

#define CHUNK_SIZE 65536u
#define SLOT_CHUNKS 4u /* chunks per slot: one read, one hand-off for four */

enum { SLOT_FREE, SLOT_READING, SLOT_READY, SLOT_BUSY, SLOT_DONE };

/* Up to SLOT_CHUNKS consecutive chunks and what their decoding produced. */
typedef struct scan_slot {
    int state; /* SLOT_*, under the pipe's mutex */
    uint8_t *buf; /* SLOT_CHUNKS * CHUNK_SIZE bytes when reading a file */
    const uint8_t *data; /* buf, or into the reader's memory */
    size_t len; /* bytes: whole chunks but the file's last */
    int64_t index; /* of the first chunk */
    uint64_t off;
    ohc_strbuf out;
    ohc_evtx_damage damage[OHC_EVTX_DAMAGE_MAX];
    size_t ndamage;
    uint64_t damage_total;
    ohc_evtx_stats stats; /* these chunks' counts only */
    int rc; /* a callback's code or OHC_ENOMEM; 0 = decoded */
} scan_slot;

/* Slots are claimed for reading, taken and handed over in file order:
 * head <= take <= tail (counters; slot k is slots[k % nslots]); reads end in
 * any order. Everything here is under mu; a slot's contents belong to whoever
 * moved it to READING, READY, BUSY or DONE. */
typedef struct scan_pipe {
    ohc_os_mutex *mu;
    ohc_os_cond *changed; /* a slot was read, decoded or freed, or the scan ends */
    scan_slot *slots;
    size_t nslots;
    size_t head, take, tail;
    size_t end; /* slots from here on hold nothing (SIZE_MAX: not known yet) */
    unsigned reading; /* reads under way */
    int read_rc; /* a read error made the end: err_read says why */
    ohc_error err_read;
    int quit;
    ohc_evtx_reader *r; /* the file (read at offsets: no shared position) */
    int sequential; /* a pipe: one thread reads at a time, in order */
    uint64_t first_off; /* of slot 0 */
    int64_t first_index; /* its first chunk's index */
    const ohc_evtx_scan *scan;
} scan_pipe;

typedef struct scan_worker {
    ohc_evtx_reader *dec;
    scan_pipe *pipe;
} scan_worker;

static void decode_slot(ohc_evtx_reader *dec, const ohc_evtx_scan *scan, scan_slot *s)
{
    dec->ndamage = 0;
    dec->damage_total = 0;
    memset(&dec->stats, 0, sizeof dec->stats);
    s->out.len = 0;
    s->out.failed = 0;
    if (s->out.data != NULL)
        s->out.data[0] = '\0';
    s->rc = 0;
    for (size_t at = 0, k = 0; at < s->len && s->rc == 0; at += CHUNK_SIZE, k++) {
        dec->chunk = s->data + at;
        dec->chunk_len = (uint32_t)(s->len - at < CHUNK_SIZE ? s->len - at : CHUNK_SIZE);
        dec->chunk_index = s->index + (int64_t)k;
        dec->chunk_off = s->off + at;
        if (!ohc_evtx_chunk_begin(dec))
            continue;
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
    scan_slot *s = &p->slots[p->take++ % p->nslots];
    s->state = SLOT_BUSY;
    ohc_os_mutex_unlock(p->mu);
    decode_slot(dec, p->scan, s);
    ohc_os_mutex_lock(p->mu);
    s->state = SLOT_DONE;
    ohc_os_cond_broadcast(p->changed);
}

#define SLOT_BYTES ((size_t)SLOT_CHUNKS * CHUNK_SIZE)

/* Reads slot k's chunks into s: the bytes read (SLOT_BYTES but at the end of
 * the file), or a negative ohc_err. The slot is the caller's (READING): no
 * lock needed. */
static int64_t read_slot(const scan_pipe *p, size_t k, scan_slot *s, ohc_error *err)
{
    const ohc_evtx_reader *r = p->r;
    uint64_t off = p->first_off + (uint64_t)k * SLOT_BYTES;
    size_t got = 0;
    s->off = off;
    s->index = p->first_index + (int64_t)(k * SLOT_CHUNKS);
    if (r->mem != NULL) {
        if (off < r->mem_len)
            got = r->mem_len - off < SLOT_BYTES ? (size_t)(r->mem_len - off) : SLOT_BYTES;
        s->data = r->mem + (off < r->mem_len ? off : r->mem_len);
    } else {
        if (s->buf == NULL && (s->buf = malloc(SLOT_BYTES)) == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        int rc = p->sequential ? ohc_os_file_read(r->file, s->buf, SLOT_BYTES, &got, err)
                               : ohc_os_file_read_at(r->file, off, s->buf, SLOT_BYTES, &got, err);
        if (rc != OHC_OK)
            return rc;
        s->data = s->buf;
    }
    s->len = got;
    return (int64_t)got;
}

/* Claims the next free slot and reads it: 1 if it did, 0 when there is none
 * to read (the ring full, or the end known). With the mutex held. */
static int try_read(scan_pipe *p)
{
    if (p->tail >= p->end || p->tail - p->head >= p->nslots || (p->sequential && p->reading > 0))
        return 0;
    size_t k = p->tail++;
    scan_slot *t = &p->slots[k % p->nslots];
    t->state = SLOT_READING;
    p->reading++;
    ohc_os_mutex_unlock(p->mu);
    ohc_error err;
    ohc_error_clear(&err);
    int64_t got = read_slot(p, k, t, &err);
    ohc_os_mutex_lock(p->mu);
    p->reading--;
    t->state = SLOT_READY;
    /* The first slot that is short, empty or failed ends the file; one past
     * an end already known changes nothing. */
    size_t end = got < 0 || got == 0 ? k : (size_t)got < SLOT_BYTES ? k + 1 : SIZE_MAX;
    if (end < p->end) {
        p->end = end;
        p->read_rc = got < 0 ? (int)got : 0; /* what was read before is still handed over */
        if (got < 0)
            p->err_read = err;
    }
    ohc_os_cond_broadcast(p->changed);
    return 1;
}

/* Whether the oldest slot not taken can be decoded now. */
static int can_take(const scan_pipe *p)
{
    return p->take < p->tail && p->take < p->end && p->slots[p->take % p->nslots].state == SLOT_READY;
}

static void worker_run(void *arg)
{
    scan_worker *w = arg;
    scan_pipe *p = w->pipe;
    ohc_os_mutex_lock(p->mu);
    while (!p->quit) {
        if (can_take(p))
            take_and_decode(p, w->dec);
        else if (!try_read(p))
            ohc_os_cond_wait(p->changed, p->mu);
    }
    ohc_os_mutex_unlock(p->mu);
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
    r->stats.bytes_read += s->len;
    r->next_chunk_off = s->off + s->len;
    r->chunk_index = s->index + (int64_t)((s->len + CHUNK_SIZE - 1) / CHUNK_SIZE) - 1;
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
static int run_pipe(scan_pipe *p, ohc_evtx_reader *dec, ohc_error *err)
{
    for (;;) {
        scan_slot *h = &p->slots[p->head % p->nslots];
        if (p->head < p->tail && p->head < p->end && h->state == SLOT_DONE) {
            ohc_os_mutex_unlock(p->mu);
            int rc = emit_slot(p->r, p->scan, h, err);
            ohc_os_mutex_lock(p->mu);
            h->state = SLOT_FREE;
            p->head++;
            ohc_os_cond_broadcast(p->changed); /* room to read */
            if (rc != OHC_OK)
                return rc;
        } else if (p->head >= p->end && p->reading == 0) {
            /* all handed over, and no thread still reads into a slot past the end */
            if (p->read_rc < 0)
                *err = p->err_read;
            return p->read_rc;
        } else if (can_take(p)) {
            take_and_decode(p, dec);
        } else if (!try_read(p)) {
            ohc_os_cond_wait(p->changed, p->mu); /* the head is with another thread */
        }
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
    p.end = SIZE_MAX;
    p.first_off = r->next_chunk_off;
    p.first_index = r->chunk_index + 1;
    p.sequential = r->file != NULL && !ohc_os_file_positional(r->file);
    p.nslots = (size_t)workers * OHC_EVTX_SCAN_BATCH_PER_WORKER / SLOT_CHUNKS;
    p.slots = calloc(p.nslots, sizeof *p.slots);
    scan_worker w[OHC_EVTX_SCAN_WORKERS_MAX];
    memset(w, 0, sizeof w);
    if (p.slots == NULL)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    p.r = r;
    if (rc == OHC_OK && (rc = ohc_os_mutex_new(&p.mu, err)) == OHC_OK)
        rc = ohc_os_cond_new(&p.changed, err);
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
        rc = run_pipe(&p, w[0].dec, err);
        p.quit = 1;
        ohc_os_cond_broadcast(p.changed);
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
    ohc_os_cond_free(p.changed);
    ohc_os_mutex_free(p.mu);
    return rc;
}
