/* ohc events: print the records of .evtx files, one JSON object per line
 * (the members of ohc_event_record_to_json) or as XML, with an optional
 * provider / event id / time filter. Damage goes to stderr; reading goes on. */
#include <inttypes.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "event_record.h"
#include "evtx.h"
#include "os.h"
#include "report.h"
#include "strbuf.h"

enum { OPT_PROVIDER = 1, OPT_ID, OPT_SINCE, OPT_FORMAT, OPT_STATS };

static const ohc_opt events_opts[] = {
    {"provider", 'p', 1, OPT_PROVIDER}, {"id", 0, 1, OPT_ID},       {"since", 0, 1, OPT_SINCE},
    {"format", 'f', 1, OPT_FORMAT},     {"stats", 0, 0, OPT_STATS}, {NULL, 0, 0, 0},
};

#define MAX_IDS 256

/* "27" or "3,4,59,60". */
static int parse_ids(uint32_t *out, size_t *out_count, const char *s)
{
    size_t n = *out_count;
    while (*s) {
        char *end;
        if (*s < '0' || *s > '9')
            return -1;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 65535 || n >= MAX_IDS || (*end != ',' && *end != '\0'))
            return -1;
        out[n++] = (uint32_t)v;
        s = *end == ',' ? end + 1 : end;
    }
    *out_count = n;
    return 0;
}

/* Output is built per chunk (ohc_evtx_scan_file) and written in large pieces:
 * this command is measured by bench/ and a per-record stdio call would
 * dominate. */
/* A string literal, its length known at compile time. */
#define PUT_LIT(sb, lit) ohc_strbuf_append_len((sb), (lit), sizeof(lit) - 1)

/* One byte, without a call in the common case (the buffer has room). */
static void put_char(ohc_strbuf *sb, char c)
{
    if (sb->data != NULL && sb->len + 2 <= sb->cap) {
        sb->data[sb->len++] = c;
        sb->data[sb->len] = '\0';
    } else {
        ohc_strbuf_append_char(sb, c);
    }
}

/* Non-zero when one of the 8 bytes of x needs escaping in JSON: below 0x20,
 * '"' or '\\' (the "has a zero byte" test of each; exact for "any"). */
static uint64_t needs_escape8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}

/* 1 for the bytes JSON strings escape: control characters, '"' and '\\'. */
static const unsigned char json_escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1,
};

/* s as a JSON string. Room for the worst case (every byte \u00XX) is made
 * once and the text written in place, 8 bytes at a time up to the first byte
 * to escape: appending run by run showed up in the profile of the full
 * render. */
static void json_str(ohc_strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    if (n > (SIZE_MAX - 3) / 6) {
        sb->failed = 1;
        return;
    }
    char *const start = ohc_strbuf_reserve(sb, 6 * n + 2);
    if (start == NULL)
        return;
    char *o = start;
    const char *p = s, *end = s + n;
    *o++ = '"';
    for (;;) {
        /* The bytes are copied 16 or 8 at a time (the room is there) and the
         * output moves on by the plain ones: the lowest flagged byte is
         * exact. */
#ifdef __SSE2__
        const __m128i ctl = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        while (end - p >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
            _mm_storeu_si128((__m128i *)(void *)o, x);
            __m128i esc = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x), /* x <= 0x1f */
                                       _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)));
            unsigned m = (unsigned)_mm_movemask_epi8(esc);
            if (m) {
                unsigned plain = (unsigned)__builtin_ctz(m);
                o += plain;
                p += plain;
                goto escape;
            }
            o += 16;
            p += 16;
        }
#endif
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            memcpy(o, p, 8);
            uint64_t m = needs_escape8(x);
            if (m) {
                unsigned plain = (unsigned)__builtin_ctzll(m) / 8;
                o += plain;
                p += plain;
                break;
            }
            o += 8;
            p += 8;
        }
        while (p < end && !json_escaped[(unsigned char)*p])
            *o++ = *p++;
#ifdef __SSE2__
    escape:
#endif
        if (p == end)
            break;
        unsigned char c = (unsigned char)*p++;
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    ohc_strbuf_commit(sb, (size_t)(o - start));
}

static const char *u64_text(char buf[24], uint64_t v)
{
    char *p = buf + 23;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

/* ohc_format_rfc3339_utc, reusing the date while the second does not change:
 * records come in time order and printf showed up in the profile. One cache
 * per thread: records are rendered on several (ohc_evtx_scan_file). */
static void ohc_format_rfc3339_utc_cached(char out[32], int64_t ms)
{
    static _Thread_local int64_t last_sec = INT64_MIN;
    static _Thread_local char last[32];
    int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    if (sec != last_sec) {
        ohc_format_rfc3339_utc(last, sec * 1000);
        last_sec = sec;
    }
    memcpy(out, last, 32);
    unsigned frac = (unsigned)(ms - sec * 1000);
    char *dot = strchr(out, '.');
    if (dot != NULL && dot[1] && dot[2] && dot[3]) {
        dot[1] = (char)('0' + frac / 100);
        dot[2] = (char)('0' + frac / 10 % 10);
        dot[3] = (char)('0' + frac % 10);
    }
}

/* The same members and forms as ohc_event_record_to_json. */
static void record_jsonl(ohc_strbuf *sb, const ohc_event_record *rec)
{
    char lbuf[16], when[32];
    PUT_LIT(sb, "{\"channel\":");
    json_str(sb, rec->channel ? rec->channel : "");
    PUT_LIT(sb, ",\"provider\":");
    json_str(sb, rec->provider ? rec->provider : "");
    ohc_format_rfc3339_utc_cached(when, rec->time_created_ms);
    char num[24];
    PUT_LIT(sb, ",\"event_id\":");
    ohc_strbuf_append(sb, u64_text(num, rec->event_id));
    PUT_LIT(sb, ",\"level\":");
    ohc_strbuf_append(sb, u64_text(num, rec->level));
    PUT_LIT(sb, ",\"level_name\":\"");
    ohc_strbuf_append(sb, ohc_event_level_name(rec->level, lbuf));
    PUT_LIT(sb, "\",\"time_created\":\"");
    ohc_strbuf_append(sb, when);
    PUT_LIT(sb, "\",\"record_id\":");
    ohc_strbuf_append(sb, u64_text(num, rec->record_id));
    PUT_LIT(sb, ",\"computer\":");
    if (rec->computer)
        json_str(sb, rec->computer);
    else
        PUT_LIT(sb, "null");
    int named = rec->value_count > 0;
    for (size_t i = 0; i < rec->value_count; i++)
        named &= rec->values[i].name != NULL && rec->values[i].name[0] != '\0';
    ohc_strbuf_append(sb, named ? ",\"data\":{" : ",\"data\":[");
    /* A name that repeats keeps all its values, as a list (event_record.h). */
    size_t next_small[32], *next = next_small;
    unsigned char first_small[32], *first = first_small;
    if (named && rec->value_count > 32) {
        next = malloc(rec->value_count * sizeof *next);
        first = malloc(rec->value_count);
    }
    int repeats = !named          ? 0
                  : next && first ? ohc_event_values_link(next, first, rec->values, rec->value_count)
                                  : OHC_ENOMEM;
    if (repeats < 0)
        sb->failed = 1; /* no memory: the output fails as a whole */
    for (size_t i = 0, n = 0; repeats >= 0 && i < rec->value_count; i++) {
        if (named && !first[i])
            continue; /* in the list of its name's first occurrence */
        if (n++)
            put_char(sb, ',');
        if (!named) {
            json_str(sb, rec->values[i].value);
            continue;
        }
        json_str(sb, rec->values[i].name);
        put_char(sb, ':');
        if (next[i] == SIZE_MAX) {
            json_str(sb, rec->values[i].value);
            continue;
        }
        put_char(sb, '[');
        for (size_t j = i; j != SIZE_MAX; j = next[j]) {
            if (j != i)
                put_char(sb, ',');
            json_str(sb, rec->values[j].value);
        }
        put_char(sb, ']');
    }
    if (next != next_small)
        free(next);
    if (first != first_small)
        free(first);
    ohc_strbuf_append(sb, named ? "},\"binary\":" : "],\"binary\":");
    if (rec->binary != NULL) {
        static const char digits[] = "0123456789abcdef";
        put_char(sb, '"');
        for (size_t i = 0; i < rec->binary_len; i++) {
            char h[2] = {digits[rec->binary[i] >> 4], digits[rec->binary[i] & 15]};
            ohc_strbuf_append_len(sb, h, 2);
        }
        put_char(sb, '"');
    } else {
        PUT_LIT(sb, "null");
    }
    PUT_LIT(sb, ",\"message\":");
    if (rec->message)
        json_str(sb, rec->message);
    else
        PUT_LIT(sb, "null");
    PUT_LIT(sb, "}\n");
}

/* What the decoding threads render each record into. */
typedef struct events_out {
    const char *path;
    int xml;
    int write_failed;
} events_out;

static int on_record(void *arg, ohc_evtx_reader *dec, const ohc_event_record *rec, uint64_t matched, ohc_strbuf *out)
{
    const events_out *o = arg;
    (void)matched;
    if (o->xml) {
        ohc_error err;
        if (ohc_evtx_render_xml(dec, out, &err) != OHC_OK)
            ohc_cli_error("%s: record %" PRIu64 ": %s", o->path, rec->record_id, err.message);
        ohc_strbuf_append_char(out, '\n');
    } else {
        record_jsonl(out, rec);
    }
    return 0;
}

/* Each chunk's records, in file order. */
static int on_output(void *arg, const char *data, size_t len)
{
    events_out *o = arg;
    if (fwrite(data, 1, len, stdout) != len) {
        o->write_failed = 1;
        return 1;
    }
    return 0;
}

static int read_file(const char *path, const ohc_evtx_filter *filter, int xml, int stats)
{
    ohc_error err;
    ohc_error_clear(&err);
    ohc_evtx_reader *r = NULL;
    if (ohc_evtx_open(&r, path, &err) != OHC_OK) {
        ohc_cli_error("%s", err.message);
        return -1;
    }
    /* Chunks are decoded on every CPU (at most OHC_EVTX_SCAN_WORKERS_MAX);
     * records still come out in file order. */
    events_out o = {path, xml, 0};
    int filtering = filter->provider != NULL || filter->event_id_count > 0 || filter->since_ms != 0;
    ohc_evtx_scan scan = {filtering ? filter : NULL, filtering ? 1u : 0u, 0, on_record, on_output, &o};
    int failed = 0;
    int rc = ohc_evtx_scan_file(r, &scan, &err);
    if (rc < 0) {
        ohc_cli_error("%s: %s", path, err.message);
        failed = 1;
    }
    if (o.write_failed || fflush(stdout) != 0) {
        ohc_cli_error("cannot write the output");
        failed = 1;
    }
    size_t nd = 0;
    uint64_t total = 0;
    const ohc_evtx_damage *d = ohc_evtx_damages(r, &nd, &total);
    for (size_t i = 0; i < nd; i++) {
        if (d[i].chunk < 0)
            fprintf(stderr, "ohc events: %s: file header: %s\n", path, d[i].reason);
        else if (d[i].record_id)
            fprintf(stderr, "ohc events: %s: chunk %" PRId64 ", record %" PRIu64 " at offset %" PRIu64 ": %s\n", path,
                    d[i].chunk, d[i].record_id, d[i].offset, d[i].reason);
        else
            fprintf(stderr, "ohc events: %s: chunk %" PRId64 " at offset %" PRIu64 ": %s\n", path, d[i].chunk,
                    d[i].offset, d[i].reason);
    }
    if (total > nd)
        fprintf(stderr, "ohc events: %s: %" PRIu64 " more damaged places not listed\n", path, total - nd);
    if (stats) {
        const ohc_evtx_stats *s = ohc_evtx_get_stats(r);
        fprintf(stderr,
                "ohc events: %s: format %u.%u%s, chunks read %" PRIu64 ", empty %" PRIu64 ", damaged %" PRIu64
                ", records read %" PRIu64 ", yielded %" PRIu64 ", damaged %" PRIu64 ", bytes %" PRIu64 "\n",
                path, s->major_version, s->minor_version, s->dirty ? " (dirty)" : "", s->chunks_read, s->chunks_empty,
                s->chunks_damaged, s->records_read, s->records_yielded, s->records_damaged, s->bytes_read);
    }
    ohc_evtx_close(r);
    return failed ? -1 : 0;
}

int ohc_cmd_events(int argc, char **argv, const ohc_platform *platform)
{
    (void)platform;
    ohc_evtx_filter filter;
    memset(&filter, 0, sizeof filter);
    uint32_t ids[MAX_IDS];
    size_t id_count = 0;
    const char *format = "jsonl";
    int stats = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    if (files == NULL)
        return OHC_EXIT_FAILED;
    ohc_opt_state st = {1, 0, NULL, ""};
    int id, rc = OHC_EXIT_OK;
    ohc_error err;
    while (rc == OHC_EXIT_OK && (id = ohc_opt_next(&st, argc, argv, events_opts)) != OHC_OPT_END) {
        switch (id) {
        case OPT_PROVIDER: filter.provider = st.value; break;
        case OPT_ID:
            if (parse_ids(ids, &id_count, st.value) != 0)
                rc = ohc_usage_error("events", "--id takes event ids 0..65535 separated by commas");
            break;
        case OPT_SINCE:
            if (ohc_evtx_parse_time(&filter.since_ms, st.value, ohc_os_utc_now_ms(), &err) != OHC_OK)
                rc = ohc_usage_error("events", err.message);
            break;
        case OPT_FORMAT: format = st.value; break;
        case OPT_STATS: stats = 1; break;
        case OHC_OPT_POSITIONAL: files[nfiles++] = st.value; break;
        case OHC_OPT_HELP:
            printf("Usage: ohc events FILE... [--provider NAME] [--id N[,N...]] [--since TIME] [--format jsonl|xml]\n");
            free(files);
            return OHC_EXIT_OK;
        default: rc = ohc_usage_error("events", st.error); break;
        }
    }
    if (rc == OHC_EXIT_OK && strcmp(format, "jsonl") != 0 && strcmp(format, "xml") != 0)
        rc = ohc_usage_error("events", "--format must be jsonl or xml");
    if (rc == OHC_EXIT_OK && nfiles == 0)
        rc = ohc_usage_error("events", "name at least one .evtx file");
    if (rc != OHC_EXIT_OK) {
        free(files);
        return rc;
    }
    filter.event_ids = id_count ? ids : NULL;
    filter.event_id_count = id_count;
    for (size_t i = 0; i < nfiles; i++)
        if (read_file(files[i], &filter, !strcmp(format, "xml"), stats) != 0)
            rc = OHC_EXIT_FAILED;
    fflush(stdout);
    free(files);
    return rc;
}
