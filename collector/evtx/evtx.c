/* The .evtx reader: file header, chunks, binary XML, values (see evtx.h).
 *
 * Layout (libyal's "Windows XML Event Log (EVTX)" documentation):
 *   file header  4096 bytes, "ElfFile\0", CRC32 of its first 120 bytes at 124
 *   chunk        65536 bytes, "ElfChnk\0"; header CRC32 over [0,120) + [128,512)
 *                at 124, records CRC32 over [512, free space offset) at 52;
 *                string table (64 offsets) at 128, template table (32) at 384
 *   record       "**\0\0", size, record id, written FILETIME, binary XML,
 *                size again
 * Every offset inside binary XML (names, template definitions) is relative
 * to the chunk, so the whole decoder works on chunk offsets checked against
 * the end of the structure that contains them. A record is rendered by
 * walking its tokens; a template's definition, the same for many records of
 * the chunk, is walked once into a plan that each record then runs with its
 * own values (evtx_internal.h; the XML render always walks). */
#include "ascii.h"
#include "evtx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "crc32.h"
#include "evtx_internal.h"
#include "os.h"
#include "utf16.h"

#define FILE_HEADER_SIZE 4096u
#define CHUNK_SIZE 65536u
#define CHUNK_HEADER_SIZE 512u
#define RECORD_HEADER_SIZE 24u
#define MAX_NEST 12 /* template instances / nested binary XML in one record */
#define MAX_ELEM_DEPTH 64 /* element nesting in one record */
#define MAX_WORK (1u << 20) /* tokens + value bytes / 16 per record */
#define MAX_TEXT (8u << 20) /* rendered text per record */
#define MAX_VALUES 4096 /* EventData values kept per record */
#define NAME_SLOTS 8192 /* > distinct name offsets a chunk can hold (65536 / 10) */
#define TEMPLATE_SLOTS 1024
#define MAX_NAME_ARENA (2u << 20)
#define PLAN_SLOTS 1024
#define MAX_PLAN_OPS 65536u /* plan steps per chunk (1.3 MB); past them, templates are walked */
#define MAX_PLAN_FRAMES 131072u /* open elements noted at substitutions per chunk (1 MB) */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* ---- growable text buffer with a hard limit ---- */

static int tb_reserve(evtx_tbuf *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return OHC_OK;
    if (t->len + more + 1 > t->limit)
        return OHC_ELIMIT;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1)
        cap *= 2;
    if (cap > t->limit)
        cap = t->limit;
    char *p = realloc(t->p, cap);
    if (p == NULL)
        return OHC_ENOMEM;
    t->p = p;
    t->cap = cap;
    return OHC_OK;
}

static int tb_put(evtx_tbuf *t, const char *s, size_t n)
{
    int rc = tb_reserve(t, n);
    if (rc != OHC_OK)
        return rc;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
    return OHC_OK;
}

static int tb_putc(evtx_tbuf *t, char c)
{
    return tb_put(t, &c, 1);
}

static int tb_printf(evtx_tbuf *t, const char *fmt, ...) OHC_PRINTF(2, 3);
#include <stdarg.h>
static int tb_printf(evtx_tbuf *t, const char *fmt, ...)
{
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return OHC_EINVAL;
    return tb_put(t, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Integers and times are formatted by hand: printf dominated the full render. */
static int tb_u64(evtx_tbuf *t, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return tb_put(t, tmp + sizeof tmp - n, n);
}

static int tb_i64(evtx_tbuf *t, int64_t v)
{
    if (v >= 0)
        return tb_u64(t, (uint64_t)v);
    int rc = tb_putc(t, '-');
    return rc == OHC_OK ? tb_u64(t, (uint64_t)0 - (uint64_t)v) : rc;
}

static int tb_hex(evtx_tbuf *t, uint64_t v, int width, int upper)
{
    static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
    const char *d = upper ? up : lo;
    char tmp[16];
    int n = 0;
    do {
        tmp[15 - n++] = d[v & 15];
        v >>= 4;
    } while (v && n < 16);
    while (n < width && n < 16)
        tmp[15 - n++] = '0';
    return tb_put(t, tmp + 16 - n, (size_t)n);
}

/* UTF-16LE (n code units) appended as UTF-8 (utf16.h): lone surrogates become
 * U+FFFD; NUL characters are dropped (they end C strings; Windows pads with
 * them). */
int ohc_evtx_utf16_to_utf8(evtx_tbuf *t, const uint8_t *s, size_t n)
{
    int rc = tb_reserve(t, n * 3);
    if (rc != OHC_OK)
        return rc;
    ohc_utf16_decoded d;
    /* n * 3 + 1 bytes hold any n units: the decoder never runs short here. */
    rc = ohc_utf16le_decode(t->p + t->len, n * 3 + 1, &d, s, n * 2, 0);
    t->len += d.len;
    return rc;
}

/* ---- value rendering (shared by the XML and the record) ---- */

#define FILETIME_UNIX_DIFF 116444736000000000LL /* 100 ns units from 1601 to 1970 */

int64_t ohc_evtx_filetime_to_ms(uint64_t ft)
{
    return (int64_t)(ft / 10000u) - FILETIME_UNIX_DIFF / 10000;
}

/* "2026-11-24T20:00:00.1234567Z", the form Windows renders (a year past
 * 9999 is written whole). */
static int render_filetime(evtx_tbuf *t, uint64_t ft)
{
    char b[OHC_RFC3339_MAX];
    int64_t unix_secs = (int64_t)(ft / 10000000u) - FILETIME_UNIX_DIFF / 10000000;
    size_t n = ohc_civil_format_rfc3339(b, sizeof b, unix_secs, (uint32_t)(ft % 10000000u), 7);
    return tb_put(t, b, n);
}

static const char hexdig_u[] = "0123456789ABCDEF";

static int render_hex(evtx_tbuf *t, const uint8_t *p, size_t n)
{
    int rc = tb_reserve(t, n * 2);
    if (rc != OHC_OK)
        return rc;
    char *o = t->p + t->len;
    for (size_t i = 0; i < n; i++) {
        *o++ = hexdig_u[p[i] >> 4];
        *o++ = hexdig_u[p[i] & 15];
    }
    t->len += n * 2;
    t->p[t->len] = '\0';
    return OHC_OK;
}

static int render_guid(evtx_tbuf *t, const uint8_t *p)
{
    /* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}: the first three groups little-endian */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char b[38];
    size_t k = 0;
    b[k++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            b[k++] = '-';
        b[k++] = hexdig_u[p[order[i]] >> 4];
        b[k++] = hexdig_u[p[order[i]] & 15];
    }
    b[k++] = '}';
    return tb_put(t, b, k);
}

static int render_sid(evtx_tbuf *t, const uint8_t *p, size_t n)
{
    if (n < 8 || p[0] != 1 || (size_t)8 + 4u * p[1] > n)
        return render_hex(t, p, n);
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++)
        auth = auth << 8 | p[i];
    int rc = tb_put(t, "S-", 2);
    if (rc == OHC_OK)
        rc = tb_u64(t, p[0]);
    if (rc == OHC_OK)
        rc = tb_putc(t, '-');
    if (rc == OHC_OK)
        rc = tb_u64(t, auth);
    for (unsigned i = 0; rc == OHC_OK && i < p[1]; i++) {
        rc = tb_putc(t, '-');
        if (rc == OHC_OK)
            rc = tb_u64(t, rd32(p + 8 + 4 * i));
    }
    return rc;
}

/* A size_t value: 0x and 16 or 8 hex digits, as Windows shows it. */
static int render_sizet(evtx_tbuf *t, const uint8_t *p, size_t sz)
{
    int rc = tb_put(t, "0x", 2);
    return rc == OHC_OK ? tb_hex(t, sz == 8 ? rd64(p) : rd32(p), sz == 8 ? 16 : 8, 0) : rc;
}

static size_t fixed_size(uint8_t type)
{
    switch (type) {
    case EVTX_T_INT8:
    case EVTX_T_UINT8: return 1;
    case EVTX_T_INT16:
    case EVTX_T_UINT16: return 2;
    case EVTX_T_INT32:
    case EVTX_T_UINT32:
    case EVTX_T_HEXINT32:
    case EVTX_T_REAL32:
    case EVTX_T_BOOL: return 4;
    case EVTX_T_INT64:
    case EVTX_T_UINT64:
    case EVTX_T_HEXINT64:
    case EVTX_T_REAL64:
    case EVTX_T_FILETIME: return 8;
    case EVTX_T_GUID:
    case EVTX_T_SYSTEMTIME: return 16;
    default: return 0;
    }
}

/* One scalar of a fixed-size type (p holds fixed_size(type) bytes). */
static int render_scalar(evtx_tbuf *t, uint8_t type, const uint8_t *p)
{
    switch (type) {
    case EVTX_T_INT8: return tb_i64(t, (int8_t)p[0]);
    case EVTX_T_UINT8: return tb_u64(t, p[0]);
    case EVTX_T_INT16: return tb_i64(t, (int16_t)rd16(p));
    case EVTX_T_UINT16: return tb_u64(t, rd16(p));
    case EVTX_T_INT32: return tb_i64(t, (int32_t)rd32(p));
    case EVTX_T_UINT32: return tb_u64(t, rd32(p));
    case EVTX_T_INT64: return tb_i64(t, (int64_t)rd64(p));
    case EVTX_T_UINT64: return tb_u64(t, rd64(p));
    case EVTX_T_HEXINT32:
    case EVTX_T_HEXINT64: {
        int rc = tb_put(t, "0x", 2);
        return rc == OHC_OK ? tb_hex(t, type == EVTX_T_HEXINT32 ? rd32(p) : rd64(p), 1, 0) : rc;
    }
    case EVTX_T_REAL32: {
        uint32_t u = rd32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        return tb_printf(t, "%.9g", (double)f);
    }
    case EVTX_T_REAL64: {
        uint64_t u = rd64(p);
        double f;
        memcpy(&f, &u, sizeof f);
        return tb_printf(t, "%.17g", f);
    }
    case EVTX_T_BOOL: return tb_put(t, rd32(p) ? "true" : "false", rd32(p) ? 4 : 5);
    case EVTX_T_FILETIME: return render_filetime(t, rd64(p));
    case EVTX_T_GUID: return render_guid(t, p);
    case EVTX_T_SYSTEMTIME:
        return tb_printf(t, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)rd16(p), (unsigned)rd16(p + 2),
                         (unsigned)rd16(p + 6), (unsigned)rd16(p + 8), (unsigned)rd16(p + 10), (unsigned)rd16(p + 12),
                         (unsigned)rd16(p + 14));
    default: return OHC_EMALFORMED;
    }
}

/* Text of a substitution value (not BinXml, which the walker handles).
 * Arrays render their items separated by sep (", " for people; a NUL byte
 * where the items become separate values). */
static int render_value_sep(evtx_tbuf *t, uint8_t type, const uint8_t *p, size_t n, const char *sep, size_t seplen)
{
    uint8_t base = type & 0x7f;
    if (type & 0x80) {
        if (base == EVTX_T_STRING) {
            size_t start = 0, units = n / 2;
            int first = 1, rc = OHC_OK;
            for (size_t i = 0; i <= units && rc == OHC_OK; i++) {
                if (i == units || rd16(p + 2 * i) == 0) {
                    if (i > start || i < units) {
                        if (!first)
                            rc = tb_put(t, sep, seplen);
                        if (rc == OHC_OK)
                            rc = ohc_evtx_utf16_to_utf8(t, p + 2 * start, i - start);
                        first = 0;
                    }
                    start = i + 1;
                }
            }
            return rc;
        }
        if (base == EVTX_T_ANSI) {
            int rc = OHC_OK;
            for (size_t i = 0; i < n && rc == OHC_OK; i++)
                rc = p[i] ? tb_putc(t, (char)p[i]) : (i + 1 < n ? tb_put(t, sep, seplen) : OHC_OK);
            return rc;
        }
        size_t sz = base == EVTX_T_SIZET ? (n % 8 == 0 ? 8 : 4) : fixed_size(base);
        if (sz == 0 || n % sz != 0)
            return render_hex(t, p, n);
        int rc = OHC_OK;
        for (size_t i = 0; i < n / sz && rc == OHC_OK; i++) {
            if (i)
                rc = tb_put(t, sep, seplen);
            if (rc == OHC_OK)
                rc = base == EVTX_T_SIZET ? render_sizet(t, p + i * sz, sz) : render_scalar(t, base, p + i * sz);
        }
        return rc;
    }
    switch (base) {
    case EVTX_T_NULL: return OHC_OK;
    case EVTX_T_STRING: return ohc_evtx_utf16_to_utf8(t, p, n / 2);
    case EVTX_T_ANSI: {
        /* Code page unknown: keep ASCII, mark the rest. */
        int rc = tb_reserve(t, n * 3);
        for (size_t i = 0; i < n && rc == OHC_OK && p[i]; i++)
            rc = p[i] < 0x80 ? tb_putc(t, (char)p[i]) : tb_put(t, "\xef\xbf\xbd", 3);
        return rc;
    }
    case EVTX_T_BINARY: return render_hex(t, p, n);
    case EVTX_T_SID: return render_sid(t, p, n);
    case EVTX_T_SIZET: return n == 8 || n == 4 ? render_sizet(t, p, n) : render_hex(t, p, n);
    case EVTX_T_EVTHANDLE:
    case EVTX_T_EVTXML: return render_hex(t, p, n);
    default: {
        size_t sz = fixed_size(base);
        if (sz == 0 || n < sz)
            return render_hex(t, p, n);
        return render_scalar(t, base, p);
    }
    }
}

int ohc_evtx_render_value(evtx_tbuf *t, uint8_t type, const uint8_t *p, size_t n)
{
    return render_value_sep(t, type, p, n, ", ", 2);
}

/* Unsigned integer of a value (integer types, or decimal / 0x text). */
static int value_u64(uint64_t *out, uint8_t type, const uint8_t *p, size_t n)
{
    switch (type) {
    case EVTX_T_INT8:
    case EVTX_T_UINT8:
        if (n < 1)
            return 0;
        *out = p[0];
        return 1;
    case EVTX_T_INT16:
    case EVTX_T_UINT16:
        if (n < 2)
            return 0;
        *out = rd16(p);
        return 1;
    case EVTX_T_INT32:
    case EVTX_T_UINT32:
    case EVTX_T_HEXINT32:
        if (n < 4)
            return 0;
        *out = rd32(p);
        return 1;
    case EVTX_T_INT64:
    case EVTX_T_UINT64:
    case EVTX_T_HEXINT64:
        if (n < 8)
            return 0;
        *out = rd64(p);
        return 1;
    case EVTX_T_SIZET:
        if (n == 4) {
            *out = rd32(p);
            return 1;
        }
        if (n == 8) {
            *out = rd64(p);
            return 1;
        }
        return 0;
    case EVTX_T_STRING: {
        size_t units = n / 2, i = 0;
        while (units > 0 && rd16(p + 2 * (units - 1)) == 0)
            units--;
        while (i < units && rd16(p + 2 * i) == ' ')
            i++;
        int hex = i + 1 < units && rd16(p + 2 * i) == '0' && (rd16(p + 2 * i + 2) | 0x20) == 'x';
        if (hex)
            i += 2;
        if (i >= units)
            return 0;
        uint64_t v = 0;
        for (; i < units; i++) {
            unsigned c = rd16(p + 2 * i), dv;
            if (c >= '0' && c <= '9')
                dv = c - '0';
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                dv = (c | 0x20) - 'a' + 10;
            else
                return 0;
            if (v > (UINT64_MAX - dv) / (hex ? 16 : 10))
                return 0;
            v = v * (hex ? 16 : 10) + dv;
        }
        *out = v;
        return 1;
    }
    default: return 0;
    }
}

/* ---- chunk caches: names and template summaries ---- */

static void chunk_caches_reset(ohc_evtx_reader *r)
{
    r->cache_gen++;
    if (r->cache_gen == 0) { /* wrapped: really clear */
        memset(r->name_slots, 0, sizeof(evtx_name_slot) * NAME_SLOTS);
        memset(r->tpl_slots, 0, sizeof(evtx_tpl_info) * TEMPLATE_SLOTS);
        memset(r->plan_slots, 0, sizeof(evtx_plan_slot) * PLAN_SLOTS);
        r->cache_gen = 1;
    }
    r->names.len = 0;
    r->plan_len = 0;
    r->frames_len = 0;
}

/* clang-format off */
#define KNOWN(s, kind) {s, sizeof(s) - 1, kind}
/* clang-format on */
static const struct {
    const char *s;
    uint8_t len, kind; /* the length first: each new name of a chunk is looked up here */
} known_names[] = {
    KNOWN("Event", N_EVENT),           KNOWN("System", N_SYSTEM),
    KNOWN("Provider", N_PROVIDER),     KNOWN("Name", N_NAME),
    KNOWN("EventID", N_EVENTID),       KNOWN("Qualifiers", N_QUALIFIERS),
    KNOWN("Level", N_LEVEL),           KNOWN("TimeCreated", N_TIMECREATED),
    KNOWN("SystemTime", N_SYSTEMTIME), KNOWN("EventRecordID", N_EVENTRECORDID),
    KNOWN("Channel", N_CHANNEL),       KNOWN("Computer", N_COMPUTER),
    KNOWN("EventData", N_EVENTDATA),   KNOWN("Data", N_DATA),
    KNOWN("Binary", N_BINARY),         KNOWN("UserData", N_USERDATA),
};
#undef KNOWN

/* Looks up (decoding once per chunk) the name whose structure is at chunk
 * offset off, inside [0, end). *out_slot points into the cache. */
static int name_at(ohc_evtx_reader *r, const uint8_t *chunk, uint32_t end, uint32_t off,
                   const evtx_name_slot **out_slot)
{
    uint32_t h = (off * 2654435761u) >> 19; /* 13 bits */
    evtx_name_slot *s = NULL;
    /* A short probe: hostile chunks can name more offsets than there are
     * slots; those are decoded uncached (the arena bound still holds). */
    for (uint32_t i = 0; i < 32; i++) {
        evtx_name_slot *t = &r->name_slots[(h + i) & (NAME_SLOTS - 1)];
        if (t->gen == r->cache_gen && t->off == off) {
            *out_slot = t;
            return OHC_OK;
        }
        if (t->gen != r->cache_gen) {
            s = t;
            break;
        }
    }
    if (s == NULL) {
        s = &r->name_tmp;
        r->names_uncached++;
    }
    if (off > end || end - off < 8)
        return OHC_EMALFORMED;
    uint32_t count = rd16(chunk + off + 6);
    if ((end - off - 8) / 2 < count)
        return OHC_EMALFORMED;
    size_t start = r->names.len;
    int rc = ohc_evtx_utf16_to_utf8(&r->names, chunk + off + 8, count);
    if (rc == OHC_OK)
        rc = tb_putc(&r->names, '\0');
    if (rc != OHC_OK)
        return rc;
    s->gen = s == &r->name_tmp ? 0 : r->cache_gen;
    s->off = off;
    s->str = (uint32_t)start;
    s->len = (uint32_t)(r->names.len - start - 1);
    s->units = (uint16_t)count;
    s->kind = N_OTHER;
    size_t text_len = strlen(r->names.p + start); /* a name with a NUL inside is known by what precedes it */
    for (size_t k = 0; k < sizeof known_names / sizeof known_names[0]; k++)
        if (known_names[k].len == text_len && memcmp(r->names.p + start, known_names[k].s, text_len) == 0)
            s->kind = known_names[k].kind;
    *out_slot = s;
    return OHC_OK;
}

/* ---- the binary XML walker ---- */

typedef struct bx_subs {
    uint32_t count;
    uint32_t desc; /* chunk offset of count * (u16 size, u8 type, u8 pad) */
    size_t val_base; /* index in r->subs of the values' chunk offsets (the stack may move) */
} bx_subs;

typedef struct bx_elem {
    uint8_t kind;
    uint32_t name; /* offset in r->names */
    int has_child;
} bx_elem;

typedef struct bx_ctx {
    ohc_evtx_reader *r;
    const uint8_t *chunk;
    uint32_t chunk_len;
    evtx_tbuf *xml; /* XML output or NULL */
    int analyze; /* template analysis: record substitution indexes */
    evtx_tpl_info *tpl;
    /* the analysis that writes a template's plan (evtx_internal.h) */
    int plan, plan_bad;
    int plan_base; /* depth of the template's start */
    uint8_t plan_depth; /* the deepest element below it */
    uint32_t plan_none_work; /* work of the literals without a step */
    uint32_t plan_mark; /* work (tokens + plan_none_work) at the last step */
    uint32_t plan_lit_token, plan_lit_work; /* the last literal without a step: its token, its work */
    uint32_t work;
    bx_elem stack[MAX_ELEM_DEPTH];
    int depth;
    uint8_t attr_kind; /* kind of the attribute whose value comes next, or 0 */
    int in_attr;
    /* the EventData value being built */
    int cur_value; /* index in r->vals, or -1 */
    int userdata_depth; /* stack index of UserData, or -1 */
    uint32_t elements; /* elements opened */
} bx_ctx;

/* dep_id: element start tokens carry a dependency identifier (u16). Template
 * definitions have it; a record's own stream and binary XML inside a
 * substitution value do not (libfwevt, the Rust evtx crate). */
static int walk(bx_ctx *c, uint32_t pos, uint32_t end, const bx_subs *subs, int nest, int dep_id, uint32_t *out_end);

static int xml_escape(evtx_tbuf *x, const char *s, size_t n, int attr)
{
    int rc = OHC_OK;
    size_t run = 0;
    for (size_t i = 0; i < n && rc == OHC_OK; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        default: break;
        }
        if (rep) {
            rc = tb_put(x, s + run, i - run);
            if (rc == OHC_OK)
                rc = tb_put(x, rep, strlen(rep));
            run = i + 1;
        }
    }
    if (rc == OHC_OK)
        rc = tb_put(x, s + run, n - run);
    return rc;
}

/* What a value at the current place means for the normalised record. */
enum target {
    T_NONE,
    T_PROVIDER,
    T_EVENTID,
    T_QUALIFIERS,
    T_LEVEL,
    T_TIME,
    T_RECORDID,
    T_CHANNEL,
    T_COMPUTER,
    T_DATA_NAME,
    T_DATA_VALUE,
    T_BINARY,
    T_USERDATA
};

static enum target value_target(const bx_ctx *c)
{
    if (c->depth == 0)
        return T_NONE;
    const bx_elem *e = &c->stack[c->depth - 1];
    uint8_t parent = c->depth >= 2 ? c->stack[c->depth - 2].kind : N_OTHER;
    if (c->in_attr) {
        if (e->kind == N_PROVIDER && c->attr_kind == N_NAME && parent == N_SYSTEM)
            return T_PROVIDER;
        if (e->kind == N_EVENTID && c->attr_kind == N_QUALIFIERS && parent == N_SYSTEM)
            return T_QUALIFIERS;
        if (e->kind == N_TIMECREATED && c->attr_kind == N_SYSTEMTIME && parent == N_SYSTEM)
            return T_TIME;
        if (e->kind == N_DATA && c->attr_kind == N_NAME && parent == N_EVENTDATA)
            return T_DATA_NAME;
        return T_NONE;
    }
    if (parent == N_SYSTEM) {
        switch (e->kind) {
        case N_EVENTID: return T_EVENTID;
        case N_LEVEL: return T_LEVEL;
        case N_EVENTRECORDID: return T_RECORDID;
        case N_CHANNEL: return T_CHANNEL;
        case N_COMPUTER: return T_COMPUTER;
        default: return T_NONE;
        }
    }
    if (parent == N_EVENTDATA && e->kind == N_DATA)
        return T_DATA_VALUE;
    if (parent == N_EVENTDATA && e->kind == N_BINARY)
        return T_BINARY;
    if (c->userdata_depth >= 0 && c->depth - 1 > c->userdata_depth + 1)
        return T_USERDATA;
    return T_NONE;
}

static int new_value(bx_ctx *c, uint32_t name_off, int has_name)
{
    ohc_evtx_reader *r = c->r;
    if (r->nvals >= MAX_VALUES) {
        c->cur_value = -1;
        r->vals_capped = 1;
        return OHC_OK;
    }
    if (r->nvals == r->vals_cap) {
        size_t cap = r->vals_cap ? r->vals_cap * 2 : 64;
        evtx_val *v = realloc(r->vals, cap * sizeof *v);
        ohc_event_value *ev = realloc(r->evals, cap * sizeof *ev);
        if (v)
            r->vals = v;
        if (ev)
            r->evals = ev;
        if (!v || !ev)
            return OHC_ENOMEM;
        r->vals_cap = cap;
    }
    evtx_val *v = &r->vals[r->nvals];
    v->name = UINT32_MAX;
    if (has_name) {
        size_t at = r->text.len;
        int rc = tb_put(&r->text, r->names.p + name_off, strlen(r->names.p + name_off) + 1);
        if (rc != OHC_OK)
            return rc;
        v->name = (uint32_t)at;
    }
    v->value = UINT32_MAX;
    v->value_len = 0;
    c->cur_value = (int)r->nvals++;
    return OHC_OK;
}

/* Appends rendered text to the current value (values can come in pieces). */
static int value_append(bx_ctx *c, const char *s, size_t n)
{
    ohc_evtx_reader *r = c->r;
    if (c->cur_value < 0)
        return OHC_OK;
    evtx_val *v = &r->vals[c->cur_value];
    if (v->value == UINT32_MAX) {
        v->value = (uint32_t)r->text.len;
        v->value_len = 0;
    } else if (v->value + v->value_len + 1 != r->text.len) {
        /* Something was stored in between: move the value to the end. */
        size_t at = r->text.len;
        int rc = tb_reserve(&r->text, v->value_len + n + 1);
        if (rc != OHC_OK)
            return rc;
        memcpy(r->text.p + at, r->text.p + v->value, v->value_len);
        r->text.len = at + v->value_len;
        v->value = (uint32_t)at;
        int rc2 = tb_put(&r->text, s, n);
        if (rc2 == OHC_OK)
            rc2 = tb_putc(&r->text, '\0');
        v->value_len += (uint32_t)n;
        return rc2;
    } else {
        r->text.len--; /* drop the NUL, append, re-add */
    }
    int rc = tb_put(&r->text, s, n);
    if (rc == OHC_OK)
        rc = tb_putc(&r->text, '\0');
    v->value_len += (uint32_t)n;
    return rc;
}

static int store_string(ohc_evtx_reader *r, uint32_t *out, const char *s, size_t n)
{
    *out = (uint32_t)r->text.len;
    int rc = tb_put(&r->text, s, n);
    return rc == OHC_OK ? tb_putc(&r->text, '\0') : rc;
}

/* A value reached a place whose meaning is tg: literal text (type STRING
 * from a Value token) or a substitution. Feeds the XML and the normalised
 * record. */
static int on_value_at(bx_ctx *c, enum target tg, uint8_t type, const uint8_t *p, size_t n)
{
    ohc_evtx_reader *r = c->r;
    int need_text = c->xml != NULL || tg == T_PROVIDER || tg == T_CHANNEL || tg == T_COMPUTER || tg == T_DATA_NAME ||
                    tg == T_DATA_VALUE || tg == T_USERDATA || (tg == T_BINARY && type != EVTX_T_BINARY);
    c->work += (uint32_t)(n / 16);
    r->scratch.len = 0;
    if (tg == T_DATA_VALUE && (type & 0x80) && (type & 0x7f) != EVTX_T_BINXML) {
        /* An array in <Data>: Windows renders one <Data> per item. */
        int rc = render_value_sep(&r->scratch, type, p, n, "", 1);
        if (rc != OHC_OK)
            return rc;
        size_t start = 0, len = r->scratch.len;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && r->scratch.p[i] != '\0')
                continue;
            if (start > 0) {
                uint32_t name = c->cur_value >= 0 ? r->vals[c->cur_value].name : UINT32_MAX;
                if ((rc = new_value(c, 0, 0)) != OHC_OK)
                    return rc;
                if (c->cur_value >= 0)
                    r->vals[c->cur_value].name = name;
                if (c->xml && (rc = tb_put(c->xml, "</Data><Data>", 13)) != OHC_OK)
                    return rc;
            }
            if (c->xml && (rc = xml_escape(c->xml, r->scratch.p + start, i - start, 0)) != OHC_OK)
                return rc;
            /* value_append may move text but never scratch */
            if ((rc = value_append(c, r->scratch.p + start, i - start)) != OHC_OK)
                return rc;
            start = i + 1;
        }
        return OHC_OK;
    }
    if (need_text) {
        int rc = ohc_evtx_render_value(&r->scratch, type, p, n);
        if (rc != OHC_OK)
            return rc;
        if (c->xml != NULL && (rc = xml_escape(c->xml, r->scratch.p, r->scratch.len, c->in_attr)) != OHC_OK)
            return rc;
    }
    const char *s = r->scratch.p ? r->scratch.p : "";
    size_t sn = r->scratch.len;
    uint64_t u;
    switch (tg) {
    case T_NONE: return OHC_OK;
    case T_PROVIDER: return store_string(r, &r->provider, s, sn);
    case T_CHANNEL: return store_string(r, &r->channel, s, sn);
    case T_COMPUTER: return store_string(r, &r->computer, s, sn);
    case T_EVENTID:
        if (value_u64(&u, type, p, n))
            r->rec.event_id = (uint32_t)u;
        return OHC_OK;
    case T_QUALIFIERS:
        if (value_u64(&u, type, p, n))
            r->rec.qualifiers = (uint32_t)u;
        return OHC_OK;
    case T_LEVEL:
        if (value_u64(&u, type, p, n))
            r->rec.level = (uint8_t)u;
        return OHC_OK;
    case T_RECORDID:
        if (value_u64(&u, type, p, n))
            r->rec.record_id = u;
        return OHC_OK;
    case T_TIME:
        if (type == EVTX_T_FILETIME && n >= 8) {
            r->rec.time_created_ms = ohc_evtx_filetime_to_ms(rd64(p));
        } else if (type == EVTX_T_STRING) {
            int64_t ms;
            if (ohc_evtx_parse_time(&ms, s, 0, NULL) == OHC_OK)
                r->rec.time_created_ms = ms;
        }
        return OHC_OK;
    case T_DATA_NAME: {
        if (c->cur_value < 0)
            return OHC_OK;
        evtx_val *v = &r->vals[c->cur_value];
        return store_string(r, &v->name, s, sn);
    }
    case T_DATA_VALUE: return value_append(c, s, sn);
    case T_USERDATA: {
        /* A leaf under UserData: one value named after its element. */
        if (c->cur_value < 0) {
            int rc = new_value(c, c->stack[c->depth - 1].name, 1);
            if (rc != OHC_OK || c->cur_value < 0)
                return rc;
        }
        return value_append(c, s, sn);
    }
    case T_BINARY:
        if (type == EVTX_T_BINARY) {
            r->binary_off = (uint32_t)(p - c->chunk);
            r->binary_len = (uint32_t)n;
            r->binary_from_chunk = 1;
        } else {
            /* Hex text: decode it into the text arena. */
            r->binary_from_chunk = 0;
            r->binary_off = (uint32_t)r->text.len;
            size_t k = 0;
            int rc = tb_reserve(&r->text, sn / 2 + 1);
            if (rc != OHC_OK)
                return rc;
            for (size_t i = 0; i + 1 < sn; i += 2) {
                int hi = s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
                int lo = s[i + 1] <= '9' ? s[i + 1] - '0' : (s[i + 1] | 0x20) - 'a' + 10;
                if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
                    break;
                r->text.p[r->text.len + k++] = (char)(hi << 4 | lo);
            }
            r->text.len += k;
            r->text.p[r->text.len] = '\0';
            r->binary_len = (uint32_t)k;
        }
        return OHC_OK;
    }
    return OHC_OK;
}

/* A value reached the current place of the walk. */
static int on_value(bx_ctx *c, uint8_t type, const uint8_t *p, size_t n)
{
    return on_value_at(c, value_target(c), type, p, n);
}

/* ---- plans (evtx_internal.h): written by a template's analysis ---- */

/* The next step of the plan being written, or NULL (the template is walked). */
static evtx_plan_op *plan_step(bx_ctx *c, uint8_t op, enum target tg)
{
    ohc_evtx_reader *r = c->r;
    if (!c->plan || c->plan_bad)
        return NULL;
    if (r->plan_len == r->plan_cap) {
        size_t cap = r->plan_cap ? r->plan_cap * 2 : 256;
        evtx_plan_op *ops = cap <= MAX_PLAN_OPS ? realloc(r->plan_ops, cap * sizeof *ops) : NULL;
        if (ops == NULL) { /* past the bound, or no memory */
            c->plan_bad = 1;
            return NULL;
        }
        r->plan_ops = ops;
        r->plan_cap = cap;
    }
    evtx_plan_op *o = &r->plan_ops[r->plan_len++];
    memset(o, 0, sizeof *o);
    o->op = op;
    o->target = (uint8_t)tg;
    uint32_t total = c->work + c->plan_none_work;
    o->work = total - c->plan_mark; /* this step's token is counted already */
    c->plan_mark = total;
    return o;
}

/* A literal value of the definition (text, or a value token of another
 * type) at p: a step when the record keeps it, else only its work. Text made
 * up by the walker (character and entity references) is not in the chunk, and
 * a value outside the template's elements means what the place it is
 * instantiated in says: both are walked. */
static void plan_literal(bx_ctx *c, uint8_t type, const uint8_t *p, size_t n)
{
    if (!c->plan)
        return;
    if (c->depth <= c->plan_base || p < c->chunk || p > c->chunk + c->chunk_len ||
        n > (size_t)(c->chunk + c->chunk_len - p)) {
        c->plan_bad = 1;
        return;
    }
    enum target tg = value_target(c);
    if (tg == T_NONE) {
        c->plan_none_work += (uint32_t)(n / 16);
        c->plan_lit_token = c->work;
        c->plan_lit_work = (uint32_t)(n / 16);
        return;
    }
    evtx_plan_op *o = plan_step(c, PLAN_LITERAL, tg);
    if (o != NULL) {
        o->type = type;
        o->off = (uint32_t)(p - c->chunk);
        o->len = (uint32_t)n;
    }
}

/* A substitution of the definition: a step, with the elements open there
 * (a binary XML value is walked inside them). */
static void plan_subst(bx_ctx *c, uint8_t tok, uint16_t index)
{
    ohc_evtx_reader *r = c->r;
    if (!c->plan)
        return;
    if (c->depth <= c->plan_base) {
        c->plan_bad = 1;
        return;
    }
    size_t nframes = (size_t)(c->depth - c->plan_base);
    if (r->frames_len + nframes > r->frames_cap) {
        size_t cap = r->frames_cap ? r->frames_cap : 256;
        while (cap < r->frames_len + nframes)
            cap *= 2;
        evtx_plan_frame *f = cap <= MAX_PLAN_FRAMES ? realloc(r->plan_frames, cap * sizeof *f) : NULL;
        if (f == NULL) {
            c->plan_bad = 1;
            return;
        }
        r->plan_frames = f;
        r->frames_cap = cap;
    }
    evtx_plan_op *o = plan_step(c, PLAN_SUBST, value_target(c));
    if (o == NULL)
        return;
    o->type = tok;
    o->index = index;
    o->in_attr = (uint8_t)c->in_attr;
    o->attr_kind = c->attr_kind;
    o->off = (uint32_t)r->frames_len;
    o->len = (uint32_t)nframes;
    for (size_t i = 0; i < nframes; i++) {
        r->plan_frames[r->frames_len].kind = c->stack[c->plan_base + (int)i].kind;
        r->plan_frames[r->frames_len].name = c->stack[c->plan_base + (int)i].name;
        r->frames_len++;
    }
}

/* In template analysis: a substitution reached a place of interest. */
static void on_subst_analyze(bx_ctx *c, uint16_t index, uint8_t type)
{
    (void)type;
    enum target tg = value_target(c);
    evtx_tpl_info *t = c->tpl;
    switch (tg) {
    case T_PROVIDER:
        t->provider_sub = index;
        t->provider_kind = TPL_SUB;
        break;
    case T_EVENTID:
        t->eventid_sub = index;
        t->eventid_kind = TPL_SUB;
        break;
    case T_TIME:
        t->time_sub = index;
        t->time_kind = TPL_SUB;
        break;
    default: break;
    }
}

static void on_literal_analyze(bx_ctx *c, const uint8_t *p, size_t units)
{
    enum target tg = value_target(c);
    evtx_tpl_info *t = c->tpl;
    if (tg == T_PROVIDER) {
        if (t->provider_kind == TPL_UNKNOWN && units <= 0xffff) {
            t->provider_kind = TPL_LITERAL;
            t->provider_lit = (uint32_t)(p - c->chunk);
            t->provider_units = (uint16_t)units;
        } else {
            t->provider_kind = TPL_DYNAMIC; /* in pieces: let the render decide */
        }
    } else if (tg == T_EVENTID) {
        uint64_t u;
        if (t->eventid_kind == TPL_UNKNOWN && value_u64(&u, EVTX_T_STRING, p, units * 2)) {
            t->eventid_kind = TPL_LITERAL;
            t->eventid_lit = (uint32_t)u;
        } else {
            t->eventid_kind = TPL_DYNAMIC;
        }
    }
}

/* In template analysis: a literal that is not text reached a place of
 * interest: the filter cannot decide from the template there. */
static void on_literal_other_analyze(bx_ctx *c)
{
    enum target tg = value_target(c);
    if (tg == T_PROVIDER)
        c->tpl->provider_kind = TPL_DYNAMIC;
    else if (tg == T_EVENTID)
        c->tpl->eventid_kind = TPL_DYNAMIC;
}

static int open_element(bx_ctx *c, const evtx_name_slot *ns)
{
    if (c->depth >= MAX_ELEM_DEPTH)
        return OHC_ELIMIT;
    ohc_evtx_reader *r = c->r;
    if (c->depth > 0)
        c->stack[c->depth - 1].has_child = 1;
    bx_elem *e = &c->stack[c->depth++];
    c->elements++;
    e->kind = ns->kind;
    e->name = ns->str;
    e->has_child = 0;
    c->in_attr = 0;
    if (c->xml) {
        int rc = tb_putc(c->xml, '<');
        if (rc == OHC_OK)
            rc = tb_put(c->xml, r->names.p + ns->str, ns->len);
        if (rc != OHC_OK)
            return rc;
    }
    uint8_t parent = c->depth >= 2 ? c->stack[c->depth - 2].kind : N_OTHER;
    if (c->analyze) {
        if (c->plan && c->depth - c->plan_base > c->plan_depth)
            c->plan_depth = (uint8_t)(c->depth - c->plan_base);
        if (e->kind == N_USERDATA)
            c->plan_bad = 1; /* its values follow the shape of what is inside: walked */
        else if (e->kind == N_DATA && parent == N_EVENTDATA)
            plan_step(c, PLAN_NEW_VALUE, T_NONE);
        return OHC_OK;
    }
    if (e->kind == N_USERDATA && c->userdata_depth < 0)
        c->userdata_depth = c->depth - 1;
    if (c->userdata_depth >= 0)
        c->cur_value = -1;
    if (e->kind == N_DATA && parent == N_EVENTDATA)
        return new_value(c, 0, 0);
    return OHC_OK;
}

static int close_element(bx_ctx *c, int empty)
{
    if (c->depth <= 0)
        return OHC_EMALFORMED;
    ohc_evtx_reader *r = c->r;
    bx_elem *e = &c->stack[c->depth - 1];
    if (c->xml) {
        int rc;
        if (empty) {
            rc = tb_put(c->xml, "/>", 2);
        } else {
            rc = tb_put(c->xml, "</", 2);
            if (rc == OHC_OK)
                rc = tb_put(c->xml, r->names.p + e->name, strlen(r->names.p + e->name));
            if (rc == OHC_OK)
                rc = tb_putc(c->xml, '>');
        }
        if (rc != OHC_OK)
            return rc;
    }
    if (c->analyze) {
        uint8_t parent = c->depth >= 2 ? c->stack[c->depth - 2].kind : N_OTHER;
        if (e->kind == N_DATA && parent == N_EVENTDATA)
            plan_step(c, PLAN_END_VALUE, T_NONE);
    } else {
        uint8_t parent = c->depth >= 2 ? c->stack[c->depth - 2].kind : N_OTHER;
        if (c->userdata_depth >= 0 && c->depth - 1 > c->userdata_depth + 1 && !e->has_child && c->cur_value < 0) {
            /* an empty leaf under UserData is still a value: "" */
            int rc = new_value(c, e->name, 1);
            if (rc != OHC_OK)
                return rc;
        }
        if ((e->kind == N_DATA && parent == N_EVENTDATA) || c->userdata_depth >= 0)
            c->cur_value = -1;
        if (c->userdata_depth == c->depth - 1)
            c->userdata_depth = -1;
    }
    c->depth--;
    c->in_attr = 0;
    return OHC_OK;
}

/* Reads a name reference at pos (u32 chunk offset; the name structure may
 * follow in place). Advances *pos past both. */
static int name_ref(bx_ctx *c, uint32_t *pos, uint32_t end, const evtx_name_slot **out)
{
    if (end - *pos < 4)
        return OHC_EMALFORMED;
    uint32_t off = rd32(c->chunk + *pos);
    *pos += 4;
    int rc = name_at(c->r, c->chunk, c->chunk_len, off, out);
    if (rc != OHC_OK)
        return rc;
    if (off == *pos) { /* defined in place */
        uint32_t sz = 8u + 2u * (*out)->units + 2u;
        if (end - *pos < sz)
            return OHC_EMALFORMED;
        *pos += sz;
    }
    return OHC_OK;
}

static int text_token(bx_ctx *c, const uint8_t *p, size_t units)
{
    if (c->analyze) {
        on_literal_analyze(c, p, units);
        plan_literal(c, EVTX_T_STRING, p, units * 2);
        return OHC_OK;
    }
    return on_value(c, EVTX_T_STRING, p, units * 2);
}

/* A value token (0x05) at *pos: a type byte, then the value in the form
 * that type has without a size: a string is prefixed with its length in
 * characters, binary XML with its length in bytes, a SID by its own count,
 * fixed-size types are their size, NULL is nothing. Usually text (also inside
 * attributes); other types are rare but real (NULL in Exchange's logs). */
static int value_token(bx_ctx *c, uint32_t *pos, uint32_t end, int nest)
{
    const uint8_t *ch = c->chunk;
    if (end - *pos < 2)
        return OHC_EMALFORMED;
    uint8_t type = ch[*pos + 1];
    uint32_t p = *pos + 2, n;
    switch (type) {
    case EVTX_T_NULL: n = 0; break;
    case EVTX_T_STRING:
        if (end - p < 2 || (end - p - 2) / 2 < rd16(ch + p))
            return OHC_EMALFORMED;
        n = 2u * rd16(ch + p);
        p += 2;
        *pos = p + n;
        return text_token(c, ch + p, n / 2);
    case EVTX_T_BINXML: {
        if (end - p < 2 || end - p - 2 < rd16(ch + p))
            return OHC_EMALFORMED;
        n = rd16(ch + p);
        p += 2;
        *pos = p + n;
        if (nest + 1 > MAX_NEST)
            return OHC_ELIMIT;
        if (c->analyze) {
            c->tpl->nested = 1;
            return OHC_OK;
        }
        uint32_t dummy;
        int saved_in_attr = c->in_attr;
        int rc = walk(c, p, p + n, NULL, nest + 1, 0, &dummy);
        c->in_attr = saved_in_attr;
        return rc;
    }
    case EVTX_T_SID:
        if (end - p < 8)
            return OHC_EMALFORMED;
        n = 8u + 4u * ch[p + 1];
        break;
    default:
        n = (uint32_t)fixed_size(type);
        if (n == 0)
            return OHC_EMALFORMED;
        break;
    }
    if (end - p < n)
        return OHC_EMALFORMED;
    *pos = p + n;
    if (c->analyze) {
        on_literal_other_analyze(c);
        plan_literal(c, type, ch + p, n);
        return OHC_OK;
    }
    return on_value(c, type, ch + p, n);
}

/* A walker for a template's analysis (no record is built), into summary. */
static void analysis_begin(bx_ctx *c, ohc_evtx_reader *r, evtx_tpl_info *summary)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->chunk = r->chunk;
    c->chunk_len = r->chunk_len;
    c->analyze = 1;
    c->tpl = summary;
    c->cur_value = -1;
    c->userdata_depth = -1;
}

/* The plan of template def instantiated in an element of base_kind (N_OTHER
 * at the top), written at its first use in the chunk; NULL when the table is
 * crowded (the template is walked). */
static const evtx_plan_slot *plan_for(ohc_evtx_reader *r, uint32_t def, uint8_t base_kind)
{
    uint32_t h = ((def ^ (uint32_t)base_kind << 24) * 2654435761u) >> 22; /* 10 bits */
    evtx_plan_slot *slot = NULL;
    for (uint32_t i = 0; i < 16 && slot == NULL; i++) {
        evtx_plan_slot *t = &r->plan_slots[(h + i) & (PLAN_SLOTS - 1)];
        if (t->gen == r->cache_gen && t->def == def && t->base_kind == base_kind)
            return t;
        if (t->gen != r->cache_gen)
            slot = t;
    }
    if (slot == NULL)
        return NULL;
    memset(slot, 0, sizeof *slot);
    slot->gen = r->cache_gen;
    slot->def = def;
    slot->base_kind = base_kind;
    slot->state = PLAN_WALK;
    evtx_tpl_info summary; /* the filter's part of the analysis: not kept here */
    memset(&summary, 0, sizeof summary);
    bx_ctx c;
    analysis_begin(&c, r, &summary);
    c.plan = 1;
    /* The element it is instantiated in, as the first one open: values and
     * Data elements directly inside it mean what its kind says. */
    c.stack[0].kind = base_kind;
    c.depth = 1;
    c.plan_base = 1;
    size_t first = r->plan_len, first_frame = r->frames_len;
    uint64_t uncached = r->names_uncached;
    uint32_t size = rd32(r->chunk + def + 20), dummy; /* def and size checked by template_instance */
    int rc = walk(&c, def + 24, def + 24 + size, NULL, 0, 1, &dummy);
    /* A name decoded uncached (the table crowded) is decoded again, into the
     * bounded arena, by each walk: a plan would skip that and could end
     * otherwise, so such a template is walked. */
    if (rc == OHC_OK && !summary.nested && !c.plan_bad && r->names_uncached == uncached) {
        slot->state = PLAN_READY;
        slot->first = (uint32_t)first;
        slot->count = (uint32_t)(r->plan_len - first);
        slot->elements = c.elements;
        slot->depth = c.plan_depth;
        slot->tail_work = c.work + c.plan_none_work - c.plan_mark;
        /* a last literal without a step, after the last token: added after the walk's last check */
        slot->tail_unchecked = c.plan_lit_token == c.work ? c.plan_lit_work : 0;
    } else {
        r->plan_len = first; /* walked: the steps written so far are dropped */
        r->frames_len = first_frame;
    }
    return slot;
}

/* A binary XML value of a plan's substitution step, walked inside the
 * elements that were open there (pushed above the real ones), with the
 * walk's attribute state there: what substitution() does. */
static int plan_binxml(bx_ctx *c, const evtx_plan_op *step, uint32_t vp, uint16_t size, int nest)
{
    if (nest + 1 > MAX_NEST)
        return OHC_ELIMIT;
    ohc_evtx_reader *r = c->r;
    int base = c->depth;
    for (uint32_t i = 0; i < step->len; i++) {
        bx_elem *e = &c->stack[base + (int)i];
        e->kind = r->plan_frames[step->off + i].kind;
        e->name = r->plan_frames[step->off + i].name;
        e->has_child = 0;
    }
    c->depth = base + (int)step->len;
    c->in_attr = step->in_attr;
    c->attr_kind = step->attr_kind;
    uint32_t dummy;
    int rc = walk(c, vp, vp + size, NULL, nest + 1, 0, &dummy);
    c->depth = base;
    return rc;
}

/* The template's plan run on an instance's values: what walking the
 * definition would do to the record, step by step, the work and its checks
 * included. For a record without XML, outside UserData, when the walk could
 * not fail on nesting or depth: then both ways end alike. */
static int run_plan(bx_ctx *c, const evtx_plan_slot *plan, const bx_subs *subs, int nest)
{
    ohc_evtx_reader *r = c->r;
    const uint8_t *ch = c->chunk;
    /* a binary XML value's walk can write plans (the arrays move) but not drop one */
    uint32_t first = plan->first, count = plan->count;
    uint32_t tail_checked = plan->tail_work - plan->tail_unchecked, tail_unchecked = plan->tail_unchecked;
    c->elements += plan->elements;
    r->plan_runs++;
    for (uint32_t i = 0; i < count; i++) {
        const evtx_plan_op *op = &r->plan_ops[first + i];
        c->work += op->work;
        if (c->work > MAX_WORK)
            return OHC_ELIMIT;
        int rc = OHC_OK;
        switch (op->op) {
        case PLAN_NEW_VALUE: rc = new_value(c, 0, 0); break;
        case PLAN_END_VALUE: c->cur_value = -1; break;
        case PLAN_LITERAL: rc = on_value_at(c, (enum target)op->target, op->type, ch + op->off, op->len); break;
        case PLAN_SUBST: {
            if (op->index >= subs->count) {
                if (op->type == 0x0e)
                    break;
                return OHC_EMALFORMED;
            }
            uint16_t size = rd16(ch + subs->desc + 4u * op->index);
            uint8_t type = ch[subs->desc + 4u * op->index + 2];
            uint32_t vp = r->subs[subs->val_base + op->index];
            if (op->type == 0x0e && (type == EVTX_T_NULL || size == 0))
                break;
            if (type == EVTX_T_BINXML)
                rc = plan_binxml(c, op, vp, size, nest);
            else if (op->target == T_NONE)
                c->work += size / 16u;
            else
                rc = on_value_at(c, (enum target)op->target, type, ch + vp, size);
            break;
        }
        default: return OHC_EMALFORMED;
        }
        if (rc != OHC_OK)
            return rc;
    }
    if (tail_checked > 0) {
        c->work += tail_checked;
        if (c->work > MAX_WORK)
            return OHC_ELIMIT;
    }
    c->work += tail_unchecked;
    if (plan->elements > 0)
        c->in_attr = 0; /* as the walk leaves it after the last element's end */
    return OHC_OK;
}

/* Template instance at pos: parses the definition reference and the
 * substitution array, then walks the definition with them. */
static int template_instance(bx_ctx *c, uint32_t *pos, uint32_t end, int nest)
{
    ohc_evtx_reader *r = c->r;
    const uint8_t *ch = c->chunk;
    if (end - *pos < 10)
        return OHC_EMALFORMED;
    uint32_t def = rd32(ch + *pos + 6);
    uint32_t p = *pos + 10;
    if (def > c->chunk_len || c->chunk_len - def < 24)
        return OHC_EMALFORMED;
    uint32_t def_size = rd32(ch + def + 20);
    if (def_size > c->chunk_len - def - 24)
        return OHC_EMALFORMED;
    if (def == p) { /* definition in place: skip it */
        if (end - p < 24 + def_size)
            return OHC_EMALFORMED;
        p += 24 + def_size;
    }
    if (end - p < 4)
        return OHC_EMALFORMED;
    uint32_t count = rd32(ch + p);
    p += 4;
    if (count > (end - p) / 4)
        return OHC_EMALFORMED;
    bx_subs subs = {count, p, r->subs_top};
    p += count * 4;
    /* Value offsets live on a stack shared by the nesting levels. */
    if (r->subs_top + count > r->subs_cap) {
        size_t cap = r->subs_cap ? r->subs_cap : 256;
        while (cap < r->subs_top + count)
            cap *= 2;
        uint32_t *nv = realloc(r->subs, cap * sizeof *nv);
        if (nv == NULL)
            return OHC_ENOMEM;
        r->subs = nv;
        r->subs_cap = cap;
    }
    /* valid until the nested walk below; NULL (never indexed) when the template takes no value */
    uint32_t *vals = count ? r->subs + r->subs_top : NULL;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t sz = rd16(ch + subs.desc + 4 * i);
        if (end - p < sz)
            return OHC_EMALFORMED;
        vals[i] = p;
        p += sz;
    }
    r->subs_top += count;
    const evtx_plan_slot *plan = NULL;
    if (c->xml == NULL && !c->analyze && c->userdata_depth < 0 && nest + 1 <= MAX_NEST && !r->plans_off)
        plan = plan_for(r, def, c->depth > 0 ? c->stack[c->depth - 1].kind : (uint8_t)N_OTHER);
    int rc;
    if (plan != NULL && plan->state == PLAN_READY && c->depth + plan->depth <= MAX_ELEM_DEPTH) {
        rc = run_plan(c, plan, &subs, nest + 1);
    } else {
        uint32_t dummy;
        rc = walk(c, def + 24, def + 24 + def_size, &subs, nest + 1, 1, &dummy);
    }
    r->subs_top -= count;
    *pos = p;
    return rc;
}

static int substitution(bx_ctx *c, uint8_t tok, uint32_t *pos, uint32_t end, const bx_subs *subs, int nest)
{
    if (end - *pos < 4)
        return OHC_EMALFORMED;
    uint16_t index = rd16(c->chunk + *pos + 1);
    uint8_t decl_type = c->chunk[*pos + 3];
    *pos += 4;
    if (c->analyze) {
        on_subst_analyze(c, index, decl_type);
        plan_subst(c, tok, index);
        return OHC_OK;
    }
    if (subs == NULL || index >= subs->count)
        return tok == 0x0e ? OHC_OK : OHC_EMALFORMED;
    uint16_t size = rd16(c->chunk + subs->desc + 4u * index);
    uint8_t type = c->chunk[subs->desc + 4u * index + 2];
    uint32_t vp = c->r->subs[subs->val_base + index];
    if (tok == 0x0e && (type == EVTX_T_NULL || size == 0))
        return OHC_OK;
    if (type == EVTX_T_BINXML) {
        if (nest + 1 > MAX_NEST)
            return OHC_ELIMIT;
        uint32_t dummy;
        int saved_in_attr = c->in_attr;
        int rc = walk(c, vp, vp + size, NULL, nest + 1, 0, &dummy);
        c->in_attr = saved_in_attr;
        return rc;
    }
    return on_value(c, type, c->chunk + vp, size);
}

/* Starts the element content after '>' has been decided (XML). */
static int end_start_tag(bx_ctx *c)
{
    c->in_attr = 0;
    return c->xml ? tb_putc(c->xml, '>') : OHC_OK;
}

/* Walks the token stream in [pos, end) until EOF (0x00) or end. Elements may
 * open in one stream and close in another only through templates, which are
 * balanced by construction: checked on return. */
static int walk(bx_ctx *c, uint32_t pos, uint32_t end, const bx_subs *subs, int nest, int dep_id, uint32_t *out_end)
{
    if (nest > MAX_NEST)
        return OHC_ELIMIT;
    if (end > c->chunk_len || pos > end)
        return OHC_EMALFORMED;
    const uint8_t *ch = c->chunk;
    int base_depth = c->depth;
    int rc = OHC_OK;
    int attr_open = 0; /* an attribute value is being written (XML quote open) */
    size_t attr_mark = 0, attr_value_at = 0; /* XML length before the attribute and where its value starts */
    while (pos < end) {
        if (++c->work > MAX_WORK)
            return OHC_ELIMIT;
        uint8_t tok = ch[pos];
        /* an attribute's value ends at the next structural token */
        if (attr_open && !(tok == 0x05 || tok == 0x45 || tok == 0x0d || tok == 0x0e || tok == 0x08 || tok == 0x48 ||
                           tok == 0x09 || tok == 0x49 || tok == 0x07 || tok == 0x47)) {
            attr_open = 0;
            c->in_attr = 0;
            if (c->xml && c->xml->len == attr_value_at)
                c->xml->len = attr_mark; /* no value (empty optional substitution): omit it, as Windows does */
            else if (c->xml && (rc = tb_putc(c->xml, '"')) != OHC_OK)
                return rc;
        }
        switch (tok) {
        case 0x00: *out_end = pos + 1; return c->depth == base_depth ? OHC_OK : OHC_EMALFORMED;
        case 0x0f:
            if (end - pos < 4)
                return OHC_EMALFORMED;
            pos += 4;
            break;
        case 0x01:
        case 0x41: {
            uint32_t head = dep_id ? 7 : 5; /* token, [dependency id,] data size */
            if (end - pos < head + 4)
                return OHC_EMALFORMED;
            uint32_t p = pos + head;
            uint32_t name_off = rd32(ch + p);
            const evtx_name_slot *ns;
            int attr_first = dep_id && tok == 0x41 && name_off == p + 8;
            if (attr_first) /* some writers put the attribute list size first */
                p += 4;
            if ((rc = name_ref(c, &p, end, &ns)) != OHC_OK)
                return rc;
            if (attr_first)
                p += 4;
            else if (tok == 0x41) {
                if (end - p < 4)
                    return OHC_EMALFORMED;
                p += 4;
            }
            if ((rc = open_element(c, ns)) != OHC_OK)
                return rc;
            pos = p;
            break;
        }
        case 0x02:
            pos++;
            if (c->depth <= base_depth)
                return OHC_EMALFORMED;
            if ((rc = end_start_tag(c)) != OHC_OK)
                return rc;
            break;
        case 0x03:
            pos++;
            if (c->depth <= base_depth)
                return OHC_EMALFORMED;
            if ((rc = close_element(c, 1)) != OHC_OK)
                return rc;
            break;
        case 0x04:
            pos++;
            if (c->depth <= base_depth)
                return OHC_EMALFORMED;
            if ((rc = close_element(c, 0)) != OHC_OK)
                return rc;
            break;
        case 0x05:
        case 0x45: {
            if ((rc = value_token(c, &pos, end, nest)) != OHC_OK)
                return rc;
            break;
        }
        case 0x06:
        case 0x46: {
            uint32_t p = pos + 1;
            const evtx_name_slot *ns;
            if (c->depth <= base_depth)
                return OHC_EMALFORMED;
            if ((rc = name_ref(c, &p, end, &ns)) != OHC_OK)
                return rc;
            c->attr_kind = ns->kind;
            c->in_attr = 1;
            attr_open = 1;
            if (c->xml) {
                attr_mark = c->xml->len;
                rc = tb_putc(c->xml, ' ');
                if (rc == OHC_OK)
                    rc = tb_put(c->xml, c->r->names.p + ns->str, ns->len);
                if (rc == OHC_OK)
                    rc = tb_put(c->xml, "=\"", 2);
                if (rc != OHC_OK)
                    return rc;
                attr_value_at = c->xml->len;
            }
            pos = p;
            break;
        }
        case 0x07:
        case 0x47: {
            if (end - pos < 3)
                return OHC_EMALFORMED;
            uint32_t units = rd16(ch + pos + 1);
            if ((end - pos - 3) / 2 < units)
                return OHC_EMALFORMED;
            if ((rc = text_token(c, ch + pos + 3, units)) != OHC_OK)
                return rc;
            pos += 3 + 2 * units;
            break;
        }
        case 0x08:
        case 0x48: {
            if (end - pos < 3)
                return OHC_EMALFORMED;
            uint8_t u16[2] = {ch[pos + 1], ch[pos + 2]};
            if ((rc = text_token(c, u16, 1)) != OHC_OK)
                return rc;
            pos += 3;
            break;
        }
        case 0x09:
        case 0x49: {
            uint32_t p = pos + 1;
            const evtx_name_slot *ns;
            if ((rc = name_ref(c, &p, end, &ns)) != OHC_OK)
                return rc;
            const char *n = c->r->names.p + ns->str;
            static const struct {
                const char *name;
                uint8_t ch;
            } ents[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
            uint8_t u16[2] = {'?', 0};
            for (size_t k = 0; k < 5; k++)
                if (!strcmp(n, ents[k].name))
                    u16[0] = ents[k].ch;
            if ((rc = text_token(c, u16, 1)) != OHC_OK)
                return rc;
            pos = p;
            break;
        }
        case 0x0a: {
            uint32_t p = pos + 1;
            const evtx_name_slot *ns;
            if ((rc = name_ref(c, &p, end, &ns)) != OHC_OK)
                return rc;
            if (c->xml && ((rc = tb_put(c->xml, "<?", 2)) != OHC_OK ||
                           (rc = tb_put(c->xml, c->r->names.p + ns->str, ns->len)) != OHC_OK))
                return rc;
            /* a target without data (0x0b) is a whole instruction */
            if (c->xml && (p >= end || ch[p] != 0x0b) && (rc = tb_put(c->xml, "?>", 2)) != OHC_OK)
                return rc;
            pos = p;
            break;
        }
        case 0x0b: {
            if (end - pos < 3)
                return OHC_EMALFORMED;
            uint32_t units = rd16(ch + pos + 1);
            if ((end - pos - 3) / 2 < units)
                return OHC_EMALFORMED;
            if (c->xml) {
                c->r->scratch.len = 0;
                if ((rc = tb_putc(c->xml, ' ')) != OHC_OK ||
                    (rc = ohc_evtx_utf16_to_utf8(&c->r->scratch, ch + pos + 3, units)) != OHC_OK ||
                    (rc = tb_put(c->xml, c->r->scratch.p, c->r->scratch.len)) != OHC_OK ||
                    (rc = tb_put(c->xml, "?>", 2)) != OHC_OK)
                    return rc;
            }
            pos += 3 + 2 * units;
            break;
        }
        case 0x0c:
            if (c->analyze) {
                c->tpl->nested = 1; /* fields may hide in there: no fast path */
                return OHC_OK;
            }
            if ((rc = template_instance(c, &pos, end, nest)) != OHC_OK)
                return rc;
            break;
        case 0x0d:
        case 0x0e:
            if ((rc = substitution(c, tok, &pos, end, subs, nest)) != OHC_OK)
                return rc;
            break;
        default: return OHC_EMALFORMED;
        }
    }
    if (attr_open && c->xml) {
        if (c->xml->len == attr_value_at)
            c->xml->len = attr_mark;
        else if ((rc = tb_putc(c->xml, '"')) != OHC_OK)
            return rc;
    }
    *out_end = pos;
    return c->depth == base_depth ? OHC_OK : OHC_EMALFORMED;
}

/* ---- template summaries for the filter ---- */

static evtx_tpl_info *template_info(ohc_evtx_reader *r, uint32_t def)
{
    uint32_t h = (def * 2654435761u) >> 22; /* 10 bits */
    evtx_tpl_info *slot = NULL;
    for (uint32_t i = 0; i < 16; i++) {
        evtx_tpl_info *t = &r->tpl_slots[(h + i) & (TEMPLATE_SLOTS - 1)];
        if (t->gen == r->cache_gen && t->def == def)
            return t;
        if (t->gen != r->cache_gen) {
            slot = t;
            break;
        }
    }
    /* table crowded: answer from a scratch entry, not cached */
    evtx_tpl_info *t = slot ? slot : &r->tpl_tmp;
    memset(t, 0, sizeof *t);
    t->def = def;
    bx_ctx c;
    analysis_begin(&c, r, t);
    uint32_t size = rd32(r->chunk + def + 20), dummy;
    int rc = walk(&c, def + 24, def + 24 + size, NULL, 0, 1, &dummy);
    t->ok = rc == OHC_OK && !t->nested;
    if (slot != NULL)
        t->gen = r->cache_gen;
    return t;
}

static int ascii_ieq_utf16(const uint8_t *u, size_t units, const char *s)
{
    while (units > 0 && rd16(u + 2 * (units - 1)) == 0)
        units--;
    for (size_t i = 0; i < units; i++) {
        unsigned a = rd16(u + 2 * i), b = (unsigned char)s[i];
        if (b == 0)
            return 0;
        if (a >= 'A' && a <= 'Z')
            a |= 0x20;
        if (b >= 'A' && b <= 'Z')
            b |= 0x20;
        if (a != b)
            return 0;
    }
    return s[units] == '\0';
}

static int id_wanted(const ohc_evtx_filter *f, uint32_t id)
{
    for (size_t i = 0; i < f->event_id_count; i++)
        if (f->event_ids[i] == id)
            return 1;
    return 0;
}

/* Decides the filter from the template's substitution values without
 * rendering: 0 = no match, 1 = match or undecided (render and check). */
static int fast_filter(ohc_evtx_reader *r, const ohc_evtx_filter *f, uint32_t data, uint32_t end)
{
    const uint8_t *ch = r->chunk;
    uint32_t p = data;
    if (end - p >= 4 && ch[p] == 0x0f)
        p += 4;
    if (end - p < 10 || ch[p] != 0x0c)
        return 1;
    uint32_t def = rd32(ch + p + 6);
    p += 10;
    if (def > r->chunk_len || r->chunk_len - def < 24)
        return 1;
    uint32_t def_size = rd32(ch + def + 20);
    if (def_size > r->chunk_len - def - 24)
        return 1;
    if (def == p) {
        if (end - p < 24 + def_size)
            return 1;
        p += 24 + def_size;
    }
    if (end - p < 4)
        return 1;
    uint32_t count = rd32(ch + p);
    p += 4;
    if (count > (end - p) / 4)
        return 1;
    const evtx_tpl_info *t = template_info(r, def);
    if (!t->ok)
        return 1;
    uint32_t desc = p, vp = p + 4 * count;
    /* Offsets of the three values of interest (one pass over the sizes). */
    uint32_t want_max = 0;
    if (t->eventid_kind == TPL_SUB && t->eventid_sub + 1u > want_max)
        want_max = t->eventid_sub + 1u;
    if (t->provider_kind == TPL_SUB && t->provider_sub + 1u > want_max)
        want_max = t->provider_sub + 1u;
    if (t->time_kind == TPL_SUB && t->time_sub + 1u > want_max)
        want_max = t->time_sub + 1u;
    if (want_max > count)
        want_max = count;
    uint32_t off_eid = 0, off_prov = 0, off_time = 0;
    for (uint32_t i = 0; i < want_max; i++) {
        if (t->eventid_kind == TPL_SUB && i == t->eventid_sub)
            off_eid = vp;
        if (t->provider_kind == TPL_SUB && i == t->provider_sub)
            off_prov = vp;
        if (t->time_kind == TPL_SUB && i == t->time_sub)
            off_time = vp;
        vp += rd16(ch + desc + 4 * i);
        if (vp > end)
            return 1;
    }
#define SUB_SIZE(i) rd16(ch + desc + 4u * (i))
#define SUB_TYPE(i) ch[desc + 4u * (i) + 2]
    if (f->event_ids != NULL && f->event_id_count > 0) {
        uint64_t id;
        if (t->eventid_kind == TPL_LITERAL)
            id = t->eventid_lit;
        else if (t->eventid_kind == TPL_SUB && t->eventid_sub < count &&
                 value_u64(&id, SUB_TYPE(t->eventid_sub), ch + off_eid, SUB_SIZE(t->eventid_sub)))
            ;
        else
            return 1;
        if (!id_wanted(f, (uint32_t)id))
            return 0;
    }
    if (f->provider != NULL) {
        if (t->provider_kind == TPL_LITERAL) {
            if (!ascii_ieq_utf16(ch + t->provider_lit, t->provider_units, f->provider))
                return 0;
        } else if (t->provider_kind == TPL_SUB && t->provider_sub < count &&
                   SUB_TYPE(t->provider_sub) == EVTX_T_STRING) {
            if (!ascii_ieq_utf16(ch + off_prov, SUB_SIZE(t->provider_sub) / 2u, f->provider))
                return 0;
        } else {
            return 1;
        }
    }
    if (f->since_ms != 0) {
        if (t->time_kind == TPL_SUB && t->time_sub < count && SUB_TYPE(t->time_sub) == EVTX_T_FILETIME &&
            SUB_SIZE(t->time_sub) == 8) {
            if (ohc_evtx_filetime_to_ms(rd64(ch + off_time)) < f->since_ms)
                return 0;
        }
    }
#undef SUB_SIZE
#undef SUB_TYPE
    return 1;
}

static int record_matches(const ohc_evtx_filter *f, const ohc_event_record *rec)
{
    if (f->event_ids != NULL && f->event_id_count > 0 && !id_wanted(f, rec->event_id))
        return 0;
    if (f->provider != NULL && !ohc_ascii_ieq(rec->provider ? rec->provider : "", f->provider))
        return 0;
    if (f->since_ms != 0 && rec->time_created_ms < f->since_ms)
        return 0;
    return 1;
}

/* ---- damage and chunks ---- */

void ohc_evtx_add_damage(ohc_evtx_reader *r, int64_t chunk, uint64_t offset, uint64_t record_id, int code,
                         const char *reason)
{
    r->damage_total++;
    if (r->ndamage >= OHC_EVTX_DAMAGE_MAX)
        return;
    ohc_evtx_damage *d = &r->damage[r->ndamage++];
    d->chunk = chunk;
    d->offset = offset;
    d->record_id = record_id;
    d->code = code;
    snprintf(d->reason, sizeof d->reason, "%s", reason);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

#define CHUNK_FLAG_NO_CRC32 4u /* chunk and file header flag: written without checksums */

/* Damage in the current chunk; the chunk counts once as damaged. */
static void chunk_damage(ohc_evtx_reader *r, uint64_t offset, uint64_t record_id, const char *reason)
{
    if (!r->chunk_damaged) {
        r->chunk_damaged = 1;
        r->stats.chunks_damaged++;
    }
    ohc_evtx_add_damage(r, r->chunk_index, offset, record_id, OHC_EMALFORMED, reason);
}

/* Checks the chunk in r->chunk (r->chunk_len bytes, r->chunk_index and
 * r->chunk_off set) and sets where its records are. 1 = records to look
 * for, 0 = nothing in it (unused or unusable).
 *
 * Checksums are evidence, not gates: a chunk whose checksum is absent or
 * wrong but whose structure is sound is read, and every record is checked
 * on its own bytes. A chunk whose signature or free-space offset is wrong is
 * scanned for records whose header is sound (signature, size inside the
 * chunk, the same size at its end). */
int ohc_evtx_chunk_begin(ohc_evtx_reader *r)
{
    const uint8_t *c = r->chunk;
    uint32_t got = r->chunk_len;
    uint64_t off = r->chunk_off;
    r->chunk_scan = 0;
    r->chunk_damaged = 0;
    r->current = 0;
    if (got < CHUNK_HEADER_SIZE) {
        if (!all_zero(c, got))
            chunk_damage(r, off, 0, "truncated chunk header");
        return 0;
    }
    uint32_t free_off = rd32(c + 48);
    int header_trusted = 1;
    if (memcmp(c, "ElfChnk\0", 8) != 0) {
        if (all_zero(c, got)) {
            r->stats.chunks_empty++;
            return 0;
        }
        chunk_damage(r, off, 0, "chunk signature missing: scanning it for records");
        r->chunk_scan = 1;
        free_off = got;
    } else {
        int no_crc = (rd32(c + 120) & CHUNK_FLAG_NO_CRC32) != 0;
        uint32_t stored = rd32(c + 124);
        if (no_crc || stored == 0) {
            ohc_evtx_add_damage(r, r->chunk_index, off, 0, OHC_OK, "chunk written without checksums: not verified");
            no_crc = 1;
        } else {
            uint32_t crc = ohc_crc32(0, c, 120);
            crc = ohc_crc32(crc, c + 128, CHUNK_HEADER_SIZE - 128);
            if (crc != stored) {
                chunk_damage(r, off, 0, "chunk header checksum mismatch: reading what its structure holds");
                header_trusted = 0;
            }
        }
        if (free_off < CHUNK_HEADER_SIZE || free_off > CHUNK_SIZE) {
            chunk_damage(r, off, 0, "chunk free-space offset out of range: scanning it for records");
            r->chunk_scan = 1;
            free_off = got;
        } else if (free_off > got) {
            chunk_damage(r, off, 0, "chunk truncated: reading the records it still holds");
            free_off = got;
        } else if (!no_crc && ohc_crc32(0, c + CHUNK_HEADER_SIZE, free_off - CHUNK_HEADER_SIZE) != rd32(c + 52)) {
            /* Windows updates this checksum when a chunk is closed; a log not
             * closed cleanly can carry records it does not cover yet. Read
             * the records that are sound, but say so. */
            chunk_damage(r, off, 0, "chunk records checksum mismatch");
        }
    }
    /* The chunk's own record ids, when its header can be trusted for them. */
    r->ids_known = header_trusted && !r->chunk_scan && rd64(c + 24) <= rd64(c + 32);
    r->id_first = rd64(c + 24);
    r->id_last = rd64(c + 32);
    r->jumped = 0;
    r->stale = 0;
    chunk_caches_reset(r);
    r->rec_off = CHUNK_HEADER_SIZE;
    r->rec_end = free_off;
    r->stats.chunks_read++;
    return 1;
}

/* A record header at chunk offset p that holds together: signature, a size
 * that fits in the chunk and the same size repeated at its end. */
static int record_header_sound(const ohc_evtx_reader *r, uint32_t p)
{
    const uint8_t *c = r->chunk;
    if (p > r->chunk_len || r->chunk_len - p < RECORD_HEADER_SIZE + 4 || rd32(c + p) != 0x00002a2a)
        return 0;
    uint32_t size = rd32(c + p + 4);
    return size >= RECORD_HEADER_SIZE + 4 && size <= r->chunk_len - p && rd32(c + p + size - 4) == size;
}

/* The next chunk offset in [from, limit) where a sound record header starts,
 * or 0. */
static uint32_t find_record(const ohc_evtx_reader *r, uint32_t from, uint32_t limit)
{
    const uint8_t *c = r->chunk;
    while (from < limit) {
        const uint8_t *hit = memchr(c + from, '*', limit - from);
        if (hit == NULL)
            return 0;
        uint32_t p = (uint32_t)(hit - c);
        if (record_header_sound(r, p))
            return p;
        from = p + 1;
    }
    return 0;
}

/* Reads the file's next chunk into r->chunk. 1 = a chunk, 0 = end. */
static int read_chunk(ohc_evtx_reader *r, ohc_error *err)
{
    uint64_t off = r->next_chunk_off;
    size_t got = 0;
    if (r->mem != NULL) {
        if (off >= r->mem_len)
            return 0;
        got = r->mem_len - off < CHUNK_SIZE ? (size_t)(r->mem_len - off) : CHUNK_SIZE;
        r->chunk = r->mem + off;
    } else {
        int rc = ohc_os_file_read(r->file, r->chunk_buf, CHUNK_SIZE, &got, err);
        if (rc != OHC_OK)
            return rc;
        if (got == 0)
            return 0;
        r->chunk = r->chunk_buf;
    }
    r->stats.bytes_read += got;
    r->next_chunk_off = off + got;
    r->chunk_index++;
    r->chunk_off = off;
    r->chunk_len = (uint32_t)got;
    return 1;
}

/* Renders the record at chunk offset off (size bytes) into r->rec. */
static int render_record(ohc_evtx_reader *r, uint32_t off, uint32_t size, evtx_tbuf *xml)
{
    r->text.len = 0;
    r->nvals = 0;
    r->vals_capped = 0;
    r->subs_top = 0;
    r->provider = r->channel = r->computer = UINT32_MAX;
    r->binary_len = 0;
    r->binary_off = UINT32_MAX;
    memset(&r->rec, 0, sizeof r->rec);
    r->rec.record_id = rd64(r->chunk + off + 8);
    bx_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.chunk = r->chunk;
    c.chunk_len = r->chunk_len;
    c.xml = xml;
    c.cur_value = -1;
    c.userdata_depth = -1;
    uint32_t dummy;
    int rc = walk(&c, off + RECORD_HEADER_SIZE, off + size - 4, NULL, 0, 0, &dummy);
    if (rc != OHC_OK)
        return rc;
    if (c.elements == 0)
        return OHC_EMALFORMED; /* no element at all: zeros where a template should be */
    /* Pointers only now: the text buffer may have moved while growing. */
    const char *t = r->text.p;
    r->rec.provider = r->provider != UINT32_MAX ? t + r->provider : NULL;
    r->rec.channel = r->channel != UINT32_MAX ? t + r->channel : NULL;
    r->rec.computer = r->computer != UINT32_MAX ? t + r->computer : NULL;
    for (size_t i = 0; i < r->nvals; i++) {
        r->evals[i].name = r->vals[i].name != UINT32_MAX ? t + r->vals[i].name : NULL;
        r->evals[i].value = r->vals[i].value != UINT32_MAX ? t + r->vals[i].value : "";
    }
    r->rec.values = r->nvals ? r->evals : NULL;
    r->rec.value_count = r->nvals;
    if (r->binary_off != UINT32_MAX) {
        r->rec.binary = r->binary_from_chunk ? r->chunk + r->binary_off : (const uint8_t *)t + r->binary_off;
        r->rec.binary_len = r->binary_len;
    }
    return OHC_OK;
}

static int filter_active(const ohc_evtx_filter *f)
{
    return f->provider != NULL || (f->event_ids != NULL && f->event_id_count > 0) || f->since_ms != 0;
}

/* The next record of the current chunk that passes the filter, rendered into
 * r->rec: 1, 0 when the chunk has no more, or OHC_ENOMEM. Damaged records are
 * recorded and skipped. */
int ohc_evtx_chunk_next(ohc_evtx_reader *r)
{
    const uint8_t *c = r->chunk;
    for (;;) {
        uint32_t off = r->rec_off;
        if (off >= r->rec_end || r->chunk_len - off < RECORD_HEADER_SIZE + 4) {
            r->rec_off = r->rec_end;
            if (r->stale) {
                char why[96];
                snprintf(why, sizeof why, "%u records of an earlier use of the chunk (ids outside its range) not read",
                         r->stale);
                chunk_damage(r, r->chunk_off, 0, why);
                r->stale = 0;
            }
            return 0;
        }
        if (!record_header_sound(r, off)) {
            uint32_t next = find_record(r, off + 1, r->rec_end);
            uint32_t left = r->chunk_len - off < 8 ? r->chunk_len - off : 8;
            if (next == 0 && (r->chunk_scan || all_zero(c + off, left))) {
                /* The end of the records written (zeros: where Windows would
                 * write next), or the slack of a chunk being scanned. */
                r->rec_off = r->rec_end;
                return 0;
            }
            int sig = rd32(c + off) == 0x00002a2a;
            char why[96];
            snprintf(why, sizeof why, "%s: %s", sig ? "record size invalid" : "record signature missing",
                     next ? "skipped to the next sound record" : "rest of chunk skipped");
            chunk_damage(r, r->chunk_off + off, sig ? rd64(c + off + 8) : 0, why);
            r->rec_off = next ? next : r->rec_end;
            r->jumped = 1;
            continue;
        }
        uint32_t size = rd32(c + off + 4);
        r->rec_off = off + size;
        if (r->jumped && r->ids_known && (rd64(c + off + 8) < r->id_first || rd64(c + off + 8) > r->id_last)) {
            /* Found by scanning past damage, and not one of this chunk's
             * records: a leftover of the chunk's earlier use, whose names
             * and templates the chunk no longer holds. */
            r->stale++;
            continue;
        }
        r->stats.records_read++;
        /* Which filters the record may pass, decided from the template
         * where possible; then rendered and checked for those. */
        uint64_t maybe = r->filter_count ? 0 : 1;
        for (size_t i = 0; i < r->filter_count; i++)
            if (!filter_active(&r->filters[i]) ||
                fast_filter(r, &r->filters[i], off + RECORD_HEADER_SIZE, off + size - 4))
                maybe |= (uint64_t)1 << i;
        if (maybe == 0)
            continue;
        int rc = render_record(r, off, size, NULL);
        if (rc == OHC_ENOMEM)
            return rc;
        if (rc != OHC_OK) {
            r->stats.records_damaged++;
            ohc_evtx_add_damage(r, r->chunk_index, r->chunk_off + off, rd64(c + off + 8), rc,
                                rc == OHC_ELIMIT ? "record exceeds a nesting, size or work bound"
                                                 : "record binary XML malformed");
            continue;
        }
        r->matched = 0;
        for (size_t i = 0; i < r->filter_count; i++)
            if (((maybe >> i) & 1) && record_matches(&r->filters[i], &r->rec))
                r->matched |= (uint64_t)1 << i;
        if (r->filter_count == 0)
            r->matched = 1;
        if (r->matched == 0)
            continue;
        r->stats.records_yielded++;
        r->current = 1;
        r->cur_off = off;
        r->cur_size = size;
        return 1;
    }
}

int ohc_evtx_next(ohc_evtx_reader *r, ohc_event_record *out, ohc_error *err)
{
    r->current = 0;
    for (;;) {
        if (r->chunk == NULL || r->rec_off >= r->rec_end) {
            int rc = read_chunk(r, err);
            if (rc <= 0) {
                r->chunk = NULL;
                return rc;
            }
            if (!ohc_evtx_chunk_begin(r)) {
                r->rec_off = r->rec_end = 0;
                continue;
            }
        }
        int rc = ohc_evtx_chunk_next(r);
        if (rc == OHC_ENOMEM)
            return ohc_error_set(err, rc, 0, "out of memory");
        if (rc == 1) {
            *out = r->rec;
            return 1;
        }
    }
}

int ohc_evtx_render_xml(ohc_evtx_reader *r, ohc_strbuf *sb, ohc_error *err)
{
    if (!r->current)
        return ohc_error_set(err, OHC_EINVAL, 0, "no current record");
    r->xml.len = 0;
    /* Rendering again rebuilds r->rec from the same bytes: same result. */
    int rc = render_record(r, r->cur_off, r->cur_size, &r->xml);
    if (rc != OHC_OK)
        return ohc_error_set(err, rc, 0, "record cannot be rendered");
    ohc_strbuf_append_len(sb, r->xml.p ? r->xml.p : "", r->xml.len);
    return OHC_OK;
}

/* ---- open / close ---- */

ohc_evtx_reader *ohc_evtx_decoder_new(void)
{
    ohc_evtx_reader *r = calloc(1, sizeof *r);
    if (r != NULL) {
        r->name_slots = calloc(NAME_SLOTS, sizeof *r->name_slots);
        r->tpl_slots = calloc(TEMPLATE_SLOTS, sizeof *r->tpl_slots);
        r->plan_slots = calloc(PLAN_SLOTS, sizeof *r->plan_slots);
    }
    if (r == NULL || r->name_slots == NULL || r->tpl_slots == NULL || r->plan_slots == NULL) {
        ohc_evtx_close(r);
        return NULL;
    }
    r->names.limit = MAX_NAME_ARENA;
    r->text.limit = MAX_TEXT;
    r->scratch.limit = MAX_TEXT;
    r->xml.limit = 4 * MAX_TEXT;
    r->chunk_index = -1;
    return r;
}

static int parse_file_header(ohc_evtx_reader *r, const uint8_t *h, size_t n, ohc_error *err)
{
    if (n < 128 || memcmp(h, "ElfFile\0", 8) != 0)
        return ohc_error_set(err, OHC_EMALFORMED, 0, "not an event log file (no ElfFile header)");
    r->stats.minor_version = rd16(h + 36);
    r->stats.major_version = rd16(h + 38);
    uint32_t flags = rd32(h + 120);
    r->stats.dirty = (flags & 1) != 0;
    r->stats.full = (flags & 2) != 0;
    if ((flags & CHUNK_FLAG_NO_CRC32) != 0 || rd32(h + 124) == 0)
        ohc_evtx_add_damage(r, -1, 0, 0, OHC_OK, "file header written without checksum: not verified");
    else if (ohc_crc32(0, h, 120) != rd32(h + 124))
        ohc_evtx_add_damage(r, -1, 0, 0, OHC_EMALFORMED, "file header checksum mismatch: read on");
    if (r->stats.major_version != 3 || (r->stats.minor_version != 1 && r->stats.minor_version != 2)) {
        char msg[96];
        snprintf(msg, sizeof msg, "unknown format version %u.%u: reading as 3.x", r->stats.major_version,
                 r->stats.minor_version);
        ohc_evtx_add_damage(r, -1, 0, 0, OHC_EMALFORMED, msg);
    }
    return OHC_OK;
}

int ohc_evtx_open_memory(ohc_evtx_reader **out, const void *data, size_t len, ohc_error *err)
{
    *out = NULL;
    ohc_evtx_reader *r = ohc_evtx_decoder_new();
    if (r == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc;
    r->mem = data;
    r->mem_len = len;
    if ((rc = parse_file_header(r, data, len, err)) != OHC_OK) {
        ohc_evtx_close(r);
        return rc;
    }
    r->next_chunk_off = FILE_HEADER_SIZE;
    r->stats.bytes_read = len < FILE_HEADER_SIZE ? len : FILE_HEADER_SIZE;
    *out = r;
    return OHC_OK;
}

int ohc_evtx_open(ohc_evtx_reader **out, const char *path, ohc_error *err)
{
    *out = NULL;
    ohc_evtx_reader *r = ohc_evtx_decoder_new();
    if (r == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc;
    r->chunk_buf = malloc(CHUNK_SIZE);
    if (r->chunk_buf == NULL) {
        ohc_evtx_close(r);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    if ((rc = ohc_os_file_open_read(&r->file, path, err)) != OHC_OK) {
        ohc_evtx_close(r);
        return rc;
    }
    size_t got = 0;
    if ((rc = ohc_os_file_read(r->file, r->chunk_buf, FILE_HEADER_SIZE, &got, err)) != OHC_OK ||
        (rc = parse_file_header(r, r->chunk_buf, got, err)) != OHC_OK) {
        if (rc == OHC_EMALFORMED && err)
            ohc_error_set(err, rc, 0, "%s: not an event log file (no ElfFile header)", path);
        ohc_evtx_close(r);
        return rc;
    }
    r->stats.bytes_read = got;
    r->next_chunk_off = FILE_HEADER_SIZE;
    *out = r;
    return OHC_OK;
}

void ohc_evtx_set_filter(ohc_evtx_reader *r, const ohc_evtx_filter *filter)
{
    if (filter && filter_active(filter)) {
        r->filter = *filter;
        r->filters = &r->filter;
        r->filter_count = 1;
    } else {
        memset(&r->filter, 0, sizeof r->filter);
        r->filters = NULL;
        r->filter_count = 0;
    }
}

const ohc_evtx_damage *ohc_evtx_damages(const ohc_evtx_reader *r, size_t *out_count, uint64_t *out_total)
{
    *out_count = r->ndamage;
    if (out_total)
        *out_total = r->damage_total;
    return r->damage;
}

const ohc_evtx_stats *ohc_evtx_get_stats(const ohc_evtx_reader *r)
{
    return &r->stats;
}

void ohc_evtx_close(ohc_evtx_reader *r)
{
    if (r == NULL)
        return;
    ohc_os_file_close(r->file);
    free(r->chunk_buf);
    free(r->name_slots);
    free(r->tpl_slots);
    free(r->plan_slots);
    free(r->plan_ops);
    free(r->plan_frames);
    free(r->names.p);
    free(r->text.p);
    free(r->scratch.p);
    free(r->xml.p);
    free(r->vals);
    free(r->evals);
    free(r->subs);
    free(r);
}

/* ---- time parsing for --since ---- */

static int digits(const char **s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if ((*s)[i] < '0' || (*s)[i] > '9')
            return 0;
        v = v * 10 + (unsigned)((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return 1;
}

int ohc_evtx_parse_time(int64_t *out, const char *text, int64_t now_ms, ohc_error *err)
{
    const char *s = text;
    size_t n = strlen(s);
    if (n >= 2 && n <= 8 && (s[n - 1] == 'd' || s[n - 1] == 'h')) {
        unsigned v = 0;
        const char *p = s;
        if (digits(&p, (int)n - 1, &v)) {
            *out = now_ms - (int64_t)v * (s[n - 1] == 'd' ? 86400000LL : 3600000LL);
            return OHC_OK;
        }
    }
    if (ohc_civil_parse_rfc3339(out, text, OHC_TIME_DATE_ALONE | OHC_TIME_ZONE_OPTIONAL) == OHC_OK)
        return OHC_OK;
    return ohc_error_set(err, OHC_EINVAL, 0, "'%.60s' is not a time (2026-11-24, 2026-11-24T20:00:00Z, 7d, 12h)", text);
}
