/* The offline event log reader: Windows .evtx files (format 3.1 and 3.2).
 *
 * Streaming and bounded: ohc_evtx_next holds one 64 KiB chunk at a time plus
 * per-chunk caches of names and templates, ohc_evtx_scan_file a fixed window
 * of chunks, so memory does not grow with the file. Records are yielded as the normalised ohc_event_record
 * (event_record.h), the same one the live event log probe produces.
 *
 * A filter (provider, event ids, since) is decided from the template's
 * substitution values, before a record is rendered; on that path nothing is
 * allocated per record.
 *
 * Damage never stops reading, and every record whose own bytes are sound is
 * read: checksums (file header, chunk header, records) are evidence, not
 * gates; a bad or absent one is recorded (ohc_evtx_damages) and the chunk is
 * read as far as its structure holds. A chunk whose signature or free-space
 * offset is wrong is scanned for records whose header is sound (signature,
 * size inside the chunk, the same size repeated at its end), and so is the
 * rest of a chunk after a damaged record; a record found so whose id is
 * outside the chunk header's range is a leftover of the chunk's earlier use
 * (its names and templates are gone): counted as damage, not read. A record
 * that cannot be decoded, or decodes to no element at all, is recorded and
 * skipped; nothing is made up. Only I/O failure, no memory or a
 * file that is not an event log at all end the reading with an error.
 *
 * Input is untrusted: every offset, size and count is checked against the
 * chunk; template and binary-XML nesting depth and the work per record are
 * bounded (OHC_ELIMIT, recorded as damage). A reader is not thread-safe (one
 * thread at a time); ohc_evtx_scan_file decodes one file on several threads. */
#ifndef OHC_EVTX_H
#define OHC_EVTX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event_record.h"
#include "strbuf.h"

typedef struct ohc_evtx_reader ohc_evtx_reader;

/* Which records to yield. All members optional; a zeroed filter yields all.
 * Borrowed by the reader: it must outlive the reader (or the next
 * ohc_evtx_set_filter). */
typedef struct ohc_evtx_filter {
    const char *provider; /* Provider Name, compared ASCII case-insensitively; NULL = any */
    const uint32_t *event_ids; /* event ids (without qualifiers) to keep; NULL = any */
    size_t event_id_count;
    int64_t since_ms; /* keep records created at or after this UTC ms time; 0 = any */
} ohc_evtx_filter;

/* One damaged place in the file, in the order found. */
typedef struct ohc_evtx_damage {
    int64_t chunk; /* chunk index (0 = first chunk after the file header); -1 = file header */
    uint64_t offset; /* file offset of the damaged chunk or record */
    uint64_t record_id; /* record id when a single record is damaged, else 0 */
    int code; /* ohc_err: OHC_EMALFORMED, OHC_ELIMIT, ...; OHC_OK for a note that lost
                           nothing (a header written without checksums, as some tools write them) */
    char reason[96]; /* "chunk header checksum mismatch", ... */
} ohc_evtx_damage;

/* What the reader saw so far. */
typedef struct ohc_evtx_stats {
    uint16_t major_version, minor_version; /* from the file header */
    int dirty; /* file header flag: not closed cleanly */
    int full; /* file header flag: log was full */
    uint64_t chunks_read; /* chunks whose records were read */
    uint64_t chunks_empty; /* unused (all-zero) chunks, not damage */
    uint64_t chunks_damaged; /* chunks with damage (read as far as sound) */
    uint64_t records_read; /* records examined (matching or not) */
    uint64_t records_yielded;
    uint64_t records_damaged;
    uint64_t bytes_read;
} ohc_evtx_stats;

/* Opens a file for reading. On success *out is owned by the caller and freed
 * with ohc_evtx_close. Fails with OHC_EIO / OHC_ENOTFOUND when the file cannot
 * be opened, OHC_EMALFORMED when it is not an event log (no "ElfFile" header).
 * A bad file-header checksum or version is only recorded as damage. */
int ohc_evtx_open(ohc_evtx_reader **out, const char *path, ohc_error *err);

/* The same over a buffer in memory (tests, fuzzing). data is borrowed and must
 * outlive the reader. */
int ohc_evtx_open_memory(ohc_evtx_reader **out, const void *data, size_t len, ohc_error *err);

/* Sets (or with NULL clears) the filter for the following ohc_evtx_next calls. */
void ohc_evtx_set_filter(ohc_evtx_reader *r, const ohc_evtx_filter *filter);

/* Yields the next record that passes the filter. Returns 1 with *out filled
 * (every pointer in it borrowed from the reader and valid until the next call
 * on this reader), 0 at the end of the file, or a negative ohc_err when
 * reading cannot go on (I/O error, no memory). Damage is not an error. */
int ohc_evtx_next(ohc_evtx_reader *r, ohc_event_record *out, ohc_error *err);

/* Appends the last yielded record as an XML document (the form Event Viewer
 * and wevtutil show) to sb. OHC_EINVAL when no record is current. */
int ohc_evtx_render_xml(ohc_evtx_reader *r, ohc_strbuf *sb, ohc_error *err);

/* The damage found so far (at most OHC_EVTX_DAMAGE_MAX entries are kept;
 * *out_total counts all, when not NULL). Borrowed from the reader. */
#define OHC_EVTX_DAMAGE_MAX 64
const ohc_evtx_damage *ohc_evtx_damages(const ohc_evtx_reader *r, size_t *out_count, uint64_t *out_total);

/* Counters so far. Borrowed from the reader. */
const ohc_evtx_stats *ohc_evtx_get_stats(const ohc_evtx_reader *r);

/* ---- reading a file on several threads ----
 * Chunks are independent (each holds its own names and templates), so
 * ohc_evtx_scan_file decodes a window of chunks on several threads and hands
 * each chunk's output back in file order. */
#define OHC_EVTX_SCAN_FILTERS_MAX 64
#define OHC_EVTX_SCAN_WORKERS_MAX 8
#define OHC_EVTX_SCAN_BATCH_PER_WORKER 16 /* chunks in flight per worker (a multiple of 4) */

/* Called on a decoding thread for each record that passes at least one of the
 * scan's filters (matched: bit i for filters[i]; 1 when there are none). dec
 * is that thread's decoder and rec its record, both valid during the call
 * only; dec may be given to ohc_evtx_render_xml. Appends what it makes of the
 * record to out, the chunk's output. Runs on several threads at once: it must
 * not touch state that other calls share. Non-zero ends the scan with that
 * code. */
typedef int (*ohc_evtx_record_fn)(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched,
                                  ohc_strbuf *out);

/* Called on the scanning thread with each chunk's output (borrowed for the
 * call), in file order. Non-zero ends the scan with that code. */
typedef int (*ohc_evtx_output_fn)(void *arg, const char *data, size_t len);

typedef struct ohc_evtx_scan {
    const ohc_evtx_filter *filters; /* borrowed; none = every record */
    size_t filter_count; /* at most OHC_EVTX_SCAN_FILTERS_MAX */
    unsigned workers; /* decoding threads, the caller's included: 0 = one per CPU;
                                       at most OHC_EVTX_SCAN_WORKERS_MAX */
    ohc_evtx_record_fn on_record;
    ohc_evtx_output_fn on_output;
    void *arg;
} ohc_evtx_scan;

/* Reads the rest of r's file with scan's filters and callbacks. Damage and
 * counts go to r (ohc_evtx_damages, ohc_evtx_get_stats) in file order, as
 * ohc_evtx_next would record them. Memory is bounded: at most
 * OHC_EVTX_SCAN_BATCH_PER_WORKER chunks per worker, and their outputs, are in
 * flight. r's own filter is not used; do not mix with ohc_evtx_next on one
 * reader. Returns OHC_OK at the end of the file, a callback's non-zero code,
 * or a negative ohc_err (I/O error, no memory) with err set. */
int ohc_evtx_scan_file(ohc_evtx_reader *r, const ohc_evtx_scan *scan, ohc_error *err);

/* Closes the reader and frees everything it owns. NULL is allowed. */
void ohc_evtx_close(ohc_evtx_reader *r);

/* Parses "2026-11-24T20:00:00Z", "2026-11-24T20:00:00.123Z", "2026-11-24"
 * (UTC midnight) or "<n>d" / "<n>h" (n days / hours before now_ms) into UTC ms.
 * OHC_EINVAL with a message for anything else. */
int ohc_evtx_parse_time(int64_t *out, const char *text, int64_t now_ms, ohc_error *err);

#endif
