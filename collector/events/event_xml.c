#include "event_xml.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"

typedef struct scan {
    const char *p, *end;
    char *out; /* arena write position */
    const char *why; /* first error */
} scan;

static int starts(const scan *s, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(s->end - s->p) >= n && memcmp(s->p, lit, n) == 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Finds lit in [p, end); NULL when absent. */
static const char *find(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    for (; (size_t)(end - p) >= n; p++)
        if (*p == lit[0] && memcmp(p, lit, n) == 0)
            return p;
    return NULL;
}

static void put_cp(scan *s, uint32_t cp)
{
    if (cp < 0x80) {
        *s->out++ = (char)cp;
    } else if (cp < 0x800) {
        *s->out++ = (char)(0xC0 | (cp >> 6));
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *s->out++ = (char)(0xE0 | (cp >> 12));
        *s->out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *s->out++ = (char)(0xF0 | (cp >> 18));
        *s->out++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *s->out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *s->out++ = (char)(0x80 | (cp & 0x3F));
    }
}

/* Copies the text [p, e) into the arena with entities decoded, NUL added.
 * Output is never longer than input + 1 (an entity is longer than what it
 * stands for), which is how the arena is sized. */
static const char *decode_text(scan *s, const char *p, const char *e)
{
    const char *start = s->out;
    while (p < e) {
        if (*p != '&') {
            *s->out++ = *p++;
            continue;
        }
        const char *semi = memchr(p, ';', (size_t)(e - p));
        if (semi == NULL || semi - p > 12) {
            s->why = "unterminated entity";
            return NULL;
        }
        size_t n = (size_t)(semi - p) + 1;
        if (n == 4 && !memcmp(p, "&lt;", 4))
            *s->out++ = '<';
        else if (n == 4 && !memcmp(p, "&gt;", 4))
            *s->out++ = '>';
        else if (n == 5 && !memcmp(p, "&amp;", 5))
            *s->out++ = '&';
        else if (n == 6 && !memcmp(p, "&quot;", 6))
            *s->out++ = '"';
        else if (n == 6 && !memcmp(p, "&apos;", 6))
            *s->out++ = '\'';
        else if (n > 3 && p[1] == '#') {
            uint32_t cp = 0;
            int hex = p[2] == 'x' || p[2] == 'X';
            const char *d = p + 2 + hex;
            if (d == semi) {
                s->why = "empty character reference";
                return NULL;
            }
            for (; d < semi; d++) {
                int v = (*d >= '0' && *d <= '9')          ? *d - '0'
                        : (hex && *d >= 'a' && *d <= 'f') ? *d - 'a' + 10
                        : (hex && *d >= 'A' && *d <= 'F') ? *d - 'A' + 10
                                                          : -1;
                if (v < 0 || cp > 0x10FFFF) {
                    s->why = "bad character reference";
                    return NULL;
                }
                cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
            }
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                s->why = "character reference out of range";
                return NULL;
            }
            put_cp(s, cp);
        } else {
            s->why = "unknown entity";
            return NULL;
        }
        p = semi + 1;
    }
    *s->out++ = '\0';
    return start;
}

/* After "<Tag": reads attributes up to '>' or "/>". Sets *name to the decoded
 * Name attribute (or NULL), *empty for "/>". Leaves s->p after the '>'. */
static int read_attrs(scan *s, const char **name, int *empty)
{
    *name = NULL;
    *empty = 0;
    for (;;) {
        while (s->p < s->end && is_space(*s->p))
            s->p++;
        if (s->p >= s->end)
            break;
        if (*s->p == '>') {
            s->p++;
            return 1;
        }
        if (starts(s, "/>")) {
            s->p += 2;
            *empty = 1;
            return 1;
        }
        const char *an = s->p;
        while (s->p < s->end && *s->p != '=' && !is_space(*s->p) && *s->p != '>')
            s->p++;
        size_t alen = (size_t)(s->p - an);
        while (s->p < s->end && is_space(*s->p))
            s->p++;
        if (s->p >= s->end || *s->p != '=')
            break;
        s->p++;
        while (s->p < s->end && is_space(*s->p))
            s->p++;
        if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
            break;
        char q = *s->p++;
        const char *v = s->p, *ve = memchr(v, q, (size_t)(s->end - v));
        if (ve == NULL)
            break;
        s->p = ve + 1;
        if (alen == 4 && !memcmp(an, "Name", 4)) {
            *name = decode_text(s, v, ve);
            if (*name == NULL)
                return 0;
        }
    }
    if (s->why == NULL)
        s->why = "bad attribute";
    return 0;
}

static int add_value(ohc_event_xml *x, scan *s, const char *name, const char *value)
{
    if (x->value_count >= OHC_EVENT_XML_MAX_VALUES) {
        s->why = "more than 256 values";
        return 0;
    }
    x->values[x->value_count].name = name;
    x->values[x->value_count].value = value;
    x->value_count++;
    return 1;
}

/* Element text up to "</tag>"; no child elements allowed. */
static const char *element_text(scan *s, const char *close)
{
    const char *e = find(s->p, s->end, close);
    if (e == NULL) {
        s->why = "element not closed";
        return NULL;
    }
    if (memchr(s->p, '<', (size_t)(e - s->p)) != NULL) {
        s->why = "unexpected element inside a value";
        return NULL;
    }
    const char *v = decode_text(s, s->p, e);
    s->p = e + strlen(close);
    return v;
}

static int parse_event_data(ohc_event_xml *x, scan *s)
{
    for (;;) {
        while (s->p < s->end && *s->p != '<')
            s->p++; /* whitespace between elements */
        if (s->p >= s->end) {
            s->why = "EventData not closed";
            return 0;
        }
        if (starts(s, "</EventData>"))
            return 1;
        if (starts(s, "<Data") && s->p + 5 < s->end && (is_space(s->p[5]) || s->p[5] == '>' || s->p[5] == '/')) {
            s->p += 5;
            const char *name;
            int empty;
            if (!read_attrs(s, &name, &empty))
                return 0;
            const char *value = empty ? decode_text(s, s->p, s->p) : element_text(s, "</Data>");
            if (value == NULL || !add_value(x, s, name, value))
                return 0;
        } else if (starts(s, "<Binary/>")) {
            s->p += 9;
        } else if (starts(s, "<Binary>")) {
            s->p += 8;
            const char *e = find(s->p, s->end, "</Binary>");
            if (e == NULL || (e - s->p) % 2 != 0) {
                s->why = e == NULL ? "Binary not closed" : "Binary has an odd number of hex digits";
                return 0;
            }
            size_t n = (size_t)(e - s->p) / 2;
            for (size_t i = 0; i < n; i++) {
                int hi = ohc_ascii_hex_value(s->p[2 * i]), lo = ohc_ascii_hex_value(s->p[2 * i + 1]);
                if (hi < 0 || lo < 0) {
                    s->why = "Binary is not hex";
                    return 0;
                }
                x->binary[i] = (uint8_t)(hi << 4 | lo);
            }
            x->binary_len = n;
            x->has_binary = 1;
            s->p = e + 9;
        } else {
            s->why = "unexpected element in EventData";
            return 0;
        }
    }
}

/* <UserData><Wrapper ...><name>v</name>...</Wrapper></UserData>. */
static int parse_user_data(ohc_event_xml *x, scan *s)
{
    while (s->p < s->end && *s->p != '<')
        s->p++;
    if (starts(s, "</UserData>"))
        return 1;
    if (s->p >= s->end || s->p + 1 >= s->end || s->p[1] == '/') {
        s->why = "UserData not closed";
        return 0;
    }
    const char *wn = ++s->p;
    while (s->p < s->end && !is_space(*s->p) && *s->p != '>' && *s->p != '/')
        s->p++;
    size_t wlen = (size_t)(s->p - wn);
    const char *ignored;
    int empty;
    if (wlen == 0 || wlen > 200 || !read_attrs(s, &ignored, &empty))
        return s->why = s->why ? s->why : "bad UserData element", 0;
    if (empty)
        return 1;
    for (;;) {
        while (s->p < s->end && *s->p != '<')
            s->p++;
        if (s->p + 2 >= s->end) {
            s->why = "UserData not closed";
            return 0;
        }
        if (s->p[1] == '/')
            return 1; /* the wrapper's end */
        const char *nn = ++s->p;
        while (s->p < s->end && !is_space(*s->p) && *s->p != '>' && *s->p != '/')
            s->p++;
        size_t nlen = (size_t)(s->p - nn);
        if (nlen == 0 || nlen > 200 || !read_attrs(s, &ignored, &empty))
            return s->why = s->why ? s->why : "bad UserData value", 0;
        /* The element name, copied: the source is not NUL-terminated. */
        char *name = s->out;
        memcpy(s->out, nn, nlen);
        s->out += nlen;
        *s->out++ = '\0';
        const char *value;
        if (empty) {
            value = decode_text(s, s->p, s->p);
        } else {
            char close[208];
            close[0] = '<';
            close[1] = '/';
            memcpy(close + 2, nn, nlen);
            close[nlen + 2] = '>';
            close[nlen + 3] = '\0';
            value = element_text(s, close);
        }
        if (value == NULL || !add_value(x, s, name, value))
            return 0;
    }
}

int ohc_event_xml_parse(ohc_event_xml *x, const char *xml, size_t len, ohc_error *err)
{
    x->value_count = 0;
    x->binary_len = 0;
    x->has_binary = 0;
    /* Decoded text never outgrows its source; names of UserData values are
     * copied from the source too, each with a NUL: 2 * len + 16 always fits. */
    size_t need = 2 * len + 16;
    if (need < len)
        return ohc_error_set(err, OHC_ELIMIT, 0, "event XML too large");
    if (x->arena_cap < need) {
        char *a = realloc(x->arena, need);
        if (a == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory parsing event XML");
        x->arena = a;
        x->arena_cap = need;
    }
    if (x->binary_cap < len / 2 + 1) {
        uint8_t *b = realloc(x->binary, len / 2 + 1);
        if (b == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory parsing event XML");
        x->binary = b;
        x->binary_cap = len / 2 + 1;
    }
    if (x->values == NULL) {
        x->values = calloc(OHC_EVENT_XML_MAX_VALUES, sizeof *x->values);
        if (x->values == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory parsing event XML");
    }
    scan s = {xml, xml + len, x->arena, NULL};
    int ok = 1;
    const char *ed = find(xml, xml + len, "<EventData");
    const char *ud = find(xml, xml + len, "<UserData");
    if (ed != NULL && ed + 10 < s.end && (ed[10] == '>' || ed[10] == '/' || is_space(ed[10]))) {
        s.p = ed + 10;
        const char *ignored;
        int empty;
        ok = read_attrs(&s, &ignored, &empty) && (empty || parse_event_data(x, &s));
    } else if (ud != NULL && ud + 9 < s.end && (ud[9] == '>' || is_space(ud[9]))) {
        s.p = ud + 9;
        const char *ignored;
        int empty;
        ok = read_attrs(&s, &ignored, &empty) && (empty || parse_user_data(x, &s));
    }
    if (!ok) {
        x->value_count = 0;
        x->binary_len = 0;
        x->has_binary = 0;
        return ohc_error_set(err, OHC_EMALFORMED, 0, "event XML: %s", s.why ? s.why : "malformed");
    }
    return OHC_OK;
}

void ohc_event_xml_free(ohc_event_xml *x)
{
    free(x->values);
    free(x->arena);
    free(x->binary);
    memset(x, 0, sizeof *x);
}
