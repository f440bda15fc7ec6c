/* Internals of the .evtx reader shared by evtx.c and its unit tests. Not an
 * API for other modules: use evtx.h. */
#ifndef OHC_EVTX_INTERNAL_H
#define OHC_EVTX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "evtx.h"
#include "os.h"

/* Value types of binary XML substitutions (0x80 marks an array). */
enum {
    EVTX_T_NULL = 0x00,
    EVTX_T_STRING = 0x01,
    EVTX_T_ANSI = 0x02,
    EVTX_T_INT8 = 0x03,
    EVTX_T_UINT8 = 0x04,
    EVTX_T_INT16 = 0x05,
    EVTX_T_UINT16 = 0x06,
    EVTX_T_INT32 = 0x07,
    EVTX_T_UINT32 = 0x08,
    EVTX_T_INT64 = 0x09,
    EVTX_T_UINT64 = 0x0a,
    EVTX_T_REAL32 = 0x0b,
    EVTX_T_REAL64 = 0x0c,
    EVTX_T_BOOL = 0x0d,
    EVTX_T_BINARY = 0x0e,
    EVTX_T_GUID = 0x0f,
    EVTX_T_SIZET = 0x10,
    EVTX_T_FILETIME = 0x11,
    EVTX_T_SYSTEMTIME = 0x12,
    EVTX_T_SID = 0x13,
    EVTX_T_HEXINT32 = 0x14,
    EVTX_T_HEXINT64 = 0x15,
    EVTX_T_EVTHANDLE = 0x20,
    EVTX_T_BINXML = 0x21,
    EVTX_T_EVTXML = 0x23
};

/* Element and attribute names the record is built from. */
enum {
    N_OTHER = 0,
    N_EVENT,
    N_SYSTEM,
    N_PROVIDER,
    N_NAME,
    N_EVENTID,
    N_QUALIFIERS,
    N_LEVEL,
    N_TIMECREATED,
    N_SYSTEMTIME,
    N_EVENTRECORDID,
    N_CHANNEL,
    N_COMPUTER,
    N_EVENTDATA,
    N_DATA,
    N_BINARY,
    N_USERDATA
};

/* A growable NUL-terminated buffer that refuses to grow past limit. */
typedef struct evtx_tbuf {
    char *p;
    size_t len, cap, limit;
} evtx_tbuf;

typedef struct evtx_name_slot {
    uint32_t gen, off, str, len;
    uint16_t units;
    uint8_t kind;
} evtx_name_slot;

enum { TPL_UNKNOWN = 0, TPL_SUB, TPL_LITERAL, TPL_DYNAMIC };

/* Where a template keeps the fields a filter looks at. */
typedef struct evtx_tpl_info {
    uint32_t gen, def;
    int ok, nested;
    uint8_t provider_kind, eventid_kind, time_kind;
    uint16_t provider_sub, eventid_sub, time_sub;
    uint32_t provider_lit; /* chunk offset of UTF-16 text */
    uint16_t provider_units;
    uint32_t eventid_lit;
} evtx_tpl_info;

/* A template's plan: what rendering its definition does to the normalised
 * record, in order, worked out once per chunk for each template and the kind
 * of element it is instantiated in, so that each record runs these steps
 * instead of walking the definition's tokens again (the walk was a quarter of
 * the full render's instructions). Used only where the walk would do exactly
 * the same (run_plan in evtx.c says when). */
enum { PLAN_NEW_VALUE = 1, PLAN_END_VALUE, PLAN_LITERAL, PLAN_SUBST };

typedef struct evtx_plan_op {
    uint8_t op; /* PLAN_* */
    uint8_t target; /* where the value goes in the record (enum target in evtx.c) */
    uint8_t type; /* PLAN_LITERAL: the value's type; PLAN_SUBST: the token (0x0d, or 0x0e optional) */
    uint8_t in_attr, attr_kind; /* PLAN_SUBST: the walk's attribute state there */
    uint16_t index; /* PLAN_SUBST: the substitution */
    uint32_t work; /* the walk's work since the step before, this step's token included */
    uint32_t off, len; /* PLAN_LITERAL: chunk offset and size of the value;
                          PLAN_SUBST: the elements open there (len frames at off) */
} evtx_plan_op;

/* An element open at a substitution, below the template's start: the stack
 * a binary XML value is walked in. */
typedef struct evtx_plan_frame {
    uint32_t name; /* offset in the reader's names */
    uint8_t kind;
} evtx_plan_frame;

enum { PLAN_UNKNOWN = 0, PLAN_READY, PLAN_WALK };

typedef struct evtx_plan_slot {
    uint32_t gen, def;
    uint8_t base_kind; /* kind of the element the template is instantiated in */
    uint8_t state;
    uint8_t depth; /* the deepest element, below the template's start */
    uint32_t first, count; /* steps in the reader's plan_ops */
    uint32_t elements; /* elements the definition opens */
    uint32_t tail_work, tail_unchecked; /* work after the last step; of it, added after the last check */
} evtx_plan_slot;

typedef struct evtx_val {
    uint32_t name, value, value_len; /* offsets in text; UINT32_MAX = none */
} evtx_val;

struct ohc_evtx_reader {
    ohc_os_file *file;
    const uint8_t *mem;
    size_t mem_len;
    uint8_t *chunk_buf;
    uint64_t next_chunk_off;
    /* the current chunk */
    const uint8_t *chunk;
    uint32_t chunk_len;
    int64_t chunk_index;
    uint64_t chunk_off;
    uint32_t rec_off, rec_end; /* next record; records start before rec_end */
    int chunk_scan; /* no usable header: records found by scanning */
    int chunk_damaged; /* counted in stats.chunks_damaged */
    int ids_known; /* the header's record id range can be trusted */
    uint64_t id_first, id_last;
    int jumped; /* records are now found by scanning past damage */
    unsigned stale; /* records found so but outside the id range */
    /* per-chunk caches */
    uint32_t cache_gen;
    evtx_name_slot *name_slots;
    evtx_name_slot name_tmp; /* a name decoded when the cache is crowded */
    uint64_t names_uncached; /* names decoded so */
    evtx_tpl_info *tpl_slots;
    evtx_tpl_info tpl_tmp;
    evtx_tbuf names;
    evtx_plan_slot *plan_slots;
    evtx_plan_op *plan_ops; /* the plans of this chunk's templates */
    size_t plan_len, plan_cap;
    evtx_plan_frame *plan_frames;
    size_t frames_len, frames_cap;
    int plans_off; /* walk every template (tests compare the two ways) */
    uint64_t plan_runs; /* templates rendered by their plan (tests: the plans are used) */
    /* the record being built */
    evtx_tbuf text, scratch, xml;
    evtx_val *vals;
    ohc_event_value *evals;
    size_t nvals, vals_cap;
    int vals_capped;
    uint32_t *subs;
    size_t subs_top, subs_cap;
    uint32_t provider, channel, computer;
    uint32_t binary_off, binary_len;
    int binary_from_chunk;
    ohc_event_record rec;
    int current;
    uint32_t cur_off, cur_size;
    /* filters, results */
    ohc_evtx_filter filter; /* ohc_evtx_set_filter's */
    const ohc_evtx_filter *filters; /* in force: &filter, a scan's set, or none */
    size_t filter_count;
    uint64_t matched; /* the filters the current record passes */
    ohc_evtx_stats stats;
    ohc_evtx_damage damage[OHC_EVTX_DAMAGE_MAX];
    size_t ndamage;
    uint64_t damage_total;
};

/* The chunk-level steps of the reader, shared with the scan (evtx_scan.c).
 * A decoder is a reader without a file: set chunk, chunk_len, chunk_index and
 * chunk_off, then chunk_begin (1 = records to look for) and chunk_next until
 * it returns 0 (1 = a record in r->rec, r->matched; OHC_ENOMEM). */
ohc_evtx_reader *ohc_evtx_decoder_new(void); /* NULL on no memory; ohc_evtx_close */
int ohc_evtx_chunk_begin(ohc_evtx_reader *r);
int ohc_evtx_chunk_next(ohc_evtx_reader *r);
void ohc_evtx_add_damage(ohc_evtx_reader *r, int64_t chunk, uint64_t offset, uint64_t record_id, int code,
                         const char *reason);

int ohc_evtx_utf16_to_utf8(evtx_tbuf *t, const uint8_t *s, size_t n);
int ohc_evtx_render_value(evtx_tbuf *t, uint8_t type, const uint8_t *p, size_t n);
int64_t ohc_evtx_filetime_to_ms(uint64_t ft);

#endif
