#include "oab_manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"

typedef struct parser {
    const char *base, *p, *end;
    ohc_oab_manifest *m;
    ohc_error *err;
    int rc; /* first failure; parsing stops at it */
    size_t elements;
    size_t depth;
    char stack[OHC_OAB_MANIFEST_MAX_DEPTH][OHC_OAB_MANIFEST_MAX_NAME + 1];
    int root_seen, root_closed;
    /* The file element being read (depth 3 under OAL), its text so far. */
    ohc_oab_file *file;
    char text[OHC_OAB_MANIFEST_MAX_VALUE + 1];
    size_t text_len;
} parser;

static void position(const parser *ps, const char *at, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = ps->base; q < at && q < ps->end; q++) {
        if (*q == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int fail_at(parser *ps, const char *at, int code, const char *fmt, ...) OHC_PRINTF(4, 5);
static int fail_at(parser *ps, const char *at, int code, const char *fmt, ...)
{
    if (ps->rc != OHC_OK)
        return ps->rc;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned long line, col;
    position(ps, at, &line, &col);
    ohc_error_set(ps->err, code, 0, "oab.xml line %lu, column %lu: %s", line, col, msg);
    ps->rc = code;
    return code;
}

/* The whole input must be UTF-8 without NUL bytes: a manifest in UTF-16
 * (with or without a byte order mark) or Latin-1 is refused here, once. */
static int check_encoding(parser *ps)
{
    const unsigned char *s = (const unsigned char *)ps->p, *e = (const unsigned char *)ps->end;
    if (e - s >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return fail_at(ps, ps->p, OHC_EMALFORMED, "UTF-16 byte order mark: only UTF-8 is accepted");
    while (s < e) {
        unsigned c = *s;
        size_t n;
        unsigned cp;
        if (c == 0)
            return fail_at(ps, (const char *)s, OHC_EMALFORMED,
                           "NUL byte: not UTF-8 text (UTF-16 without a byte order mark?)");
        if (c < 0x80) {
            s++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07;
        } else {
            return fail_at(ps, (const char *)s, OHC_EMALFORMED, "byte 0x%02X is not UTF-8", c);
        }
        if ((size_t)(e - s) <= n)
            return fail_at(ps, (const char *)s, OHC_EMALFORMED, "truncated UTF-8 sequence");
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return fail_at(ps, (const char *)s, OHC_EMALFORMED, "invalid UTF-8 sequence");
            cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail_at(ps, (const char *)s, OHC_EMALFORMED, "invalid UTF-8 sequence");
        s += n + 1;
    }
    return OHC_OK;
}

static int starts(const parser *ps, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, lit, n) == 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && is_space(*ps->p))
        ps->p++;
}

static int name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static int name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* An ASCII name into out (OHC_OAB_MANIFEST_MAX_NAME + 1 bytes). */
static int read_name(parser *ps, char *out)
{
    const char *start = ps->p;
    if (ps->p >= ps->end || !name_start(*ps->p))
        return fail_at(ps, ps->p, OHC_EMALFORMED, "a name was expected");
    while (ps->p < ps->end && name_char(*ps->p))
        ps->p++;
    size_t n = (size_t)(ps->p - start);
    if (n > OHC_OAB_MANIFEST_MAX_NAME)
        return fail_at(ps, start, OHC_ELIMIT, "name longer than %u bytes", OHC_OAB_MANIFEST_MAX_NAME);
    memcpy(out, start, n);
    out[n] = '\0';
    return OHC_OK;
}

static void put_utf8(char *out, size_t *len, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*len)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*len)++] = (char)(0xC0 | (cp >> 6));
        out[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*len)++] = (char)(0xE0 | (cp >> 12));
        out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*len)++] = (char)(0xF0 | (cp >> 18));
        out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*len)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Decodes the reference at ps->p ('&') into out (at most 4 bytes). Only the
 * predefined entities and character references exist: there is no DTD. */
static int read_reference(parser *ps, char *out, size_t *len)
{
    const char *start = ps->p;
    const char *semi = memchr(ps->p, ';', (size_t)(ps->end - ps->p) < 12 ? (size_t)(ps->end - ps->p) : 12);
    if (semi == NULL)
        return fail_at(ps, start, OHC_EMALFORMED, "'&' that starts no reference");
    const char *body = start + 1;
    size_t n = (size_t)(semi - body);
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++) {
        if (strlen(predefined[i].name) == n && memcmp(body, predefined[i].name, n) == 0) {
            out[(*len)++] = predefined[i].c;
            ps->p = semi + 1;
            return OHC_OK;
        }
    }
    if (n >= 2 && body[0] == '#') {
        unsigned long cp = 0;
        int hex = body[1] == 'x';
        const char *d = body + 1 + hex;
        if (d == semi)
            return fail_at(ps, start, OHC_EMALFORMED, "empty character reference");
        for (; d < semi; d++) {
            int v = hex ? ohc_ascii_hex_value(*d) : (*d >= '0' && *d <= '9' ? *d - '0' : -1);
            if (v < 0)
                return fail_at(ps, start, OHC_EMALFORMED, "bad character reference");
            cp = cp * (hex ? 16u : 10u) + (unsigned long)v;
            if (cp > 0x10FFFF)
                return fail_at(ps, start, OHC_EMALFORMED, "character reference beyond U+10FFFF");
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail_at(ps, start, OHC_EMALFORMED, "character reference to U+%04lX, not a character", cp);
        put_utf8(out, len, cp);
        ps->p = semi + 1;
        return OHC_OK;
    }
    return fail_at(ps, start, OHC_EMALFORMED, "entity '&%.*s;' is not declared (no DTD is accepted)", (int)n, body);
}

typedef struct attr {
    char name[OHC_OAB_MANIFEST_MAX_NAME + 1];
    char value[OHC_OAB_MANIFEST_MAX_VALUE + 1];
    const char *at;
} attr;

static int read_attr_value(parser *ps, attr *a)
{
    if (ps->p >= ps->end || (*ps->p != '"' && *ps->p != '\''))
        return fail_at(ps, ps->p, OHC_EMALFORMED, "attribute '%s' has no quoted value", a->name);
    char q = *ps->p++;
    size_t len = 0;
    while (ps->p < ps->end && *ps->p != q) {
        char buf[4];
        size_t n = 0;
        if (*ps->p == '<')
            return fail_at(ps, ps->p, OHC_EMALFORMED, "'<' in the value of attribute '%s'", a->name);
        if (*ps->p == '&') {
            if (read_reference(ps, buf, &n) != OHC_OK)
                return ps->rc;
        } else {
            buf[n++] = *ps->p++;
        }
        if (len + n > OHC_OAB_MANIFEST_MAX_VALUE)
            return fail_at(ps, a->at, OHC_ELIMIT, "attribute '%s' longer than %u bytes", a->name,
                           OHC_OAB_MANIFEST_MAX_VALUE);
        memcpy(a->value + len, buf, n);
        len += n;
    }
    if (ps->p >= ps->end)
        return fail_at(ps, a->at, OHC_EMALFORMED, "attribute '%s' not closed", a->name);
    ps->p++;
    a->value[len] = '\0';
    return OHC_OK;
}

static const attr *find_attr(const attr *attrs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(attrs[i].name, name) == 0)
            return &attrs[i];
    return NULL;
}

static int copy_attr(parser *ps, char *out, size_t size, const attr *attrs, size_t n, const char *name,
                     const char *element)
{
    const attr *a = find_attr(attrs, n, name);
    if (a == NULL) {
        out[0] = '\0';
        return OHC_OK;
    }
    size_t len = strlen(a->value);
    if (len >= size)
        return fail_at(ps, a->at, OHC_ELIMIT, "%s attribute '%s' longer than %zu bytes", element, name, size - 1);
    memcpy(out, a->value, len + 1);
    return OHC_OK;
}

/* A decimal (or hex) number attribute; absent = -1. */
static int number_attr(parser *ps, int64_t *out, const attr *attrs, size_t n, const char *name, int hex,
                       const char *element)
{
    const attr *a = find_attr(attrs, n, name);
    *out = -1;
    if (a == NULL)
        return OHC_OK;
    const char *s = a->value;
    while (is_space(*s))
        s++;
    uint64_t v = 0;
    size_t digits = 0;
    for (; *s && !is_space(*s); s++, digits++) {
        int d = hex ? ohc_ascii_hex_value(*s) : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
        if (d < 0 || digits >= (hex ? 8u : 15u))
            return fail_at(ps, a->at, OHC_EMALFORMED, "%s attribute %s=\"%.40s\" is not a %s number", element, name,
                           a->value, hex ? "hex" : "decimal");
        v = v * (hex ? 16u : 10u) + (uint64_t)d;
    }
    while (is_space(*s))
        s++;
    if (digits == 0 || *s)
        return fail_at(ps, a->at, OHC_EMALFORMED, "%s attribute %s=\"%.40s\" is not a %s number", element, name,
                       a->value, hex ? "hex" : "decimal");
    *out = (int64_t)v;
    return OHC_OK;
}

static int start_oal(parser *ps, const attr *attrs, size_t n, const char *at)
{
    ohc_oab_manifest *m = ps->m;
    if (m->oal_count >= OHC_OAB_MANIFEST_MAX_OALS)
        return fail_at(ps, at, OHC_ELIMIT, "more than %u OAL elements", OHC_OAB_MANIFEST_MAX_OALS);
    ohc_oab_oal *grown = realloc(m->oals, (m->oal_count + 1) * sizeof *grown);
    if (grown == NULL)
        return fail_at(ps, at, OHC_ENOMEM, "out of memory");
    m->oals = grown;
    ohc_oab_oal *o = &m->oals[m->oal_count];
    memset(o, 0, sizeof *o);
    o->first_file = m->file_count;
    m->oal_count++;
    if (copy_attr(ps, o->id, sizeof o->id, attrs, n, "id", "OAL") != OHC_OK ||
        copy_attr(ps, o->dn, sizeof o->dn, attrs, n, "dn", "OAL") != OHC_OK ||
        copy_attr(ps, o->name, sizeof o->name, attrs, n, "name", "OAL") != OHC_OK)
        return ps->rc;
    return OHC_OK;
}

static int start_file(parser *ps, ohc_oab_file_kind kind, const char *element, const attr *attrs, size_t n,
                      const char *at)
{
    ohc_oab_manifest *m = ps->m;
    if (m->file_count >= OHC_OAB_MANIFEST_MAX_FILES)
        return fail_at(ps, at, OHC_ELIMIT, "more than %u Full/Diff/Template elements", OHC_OAB_MANIFEST_MAX_FILES);
    ohc_oab_file *grown = realloc(m->files, (m->file_count + 1) * sizeof *grown);
    if (grown == NULL)
        return fail_at(ps, at, OHC_ENOMEM, "out of memory");
    m->files = grown;
    ohc_oab_file *f = &m->files[m->file_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    m->oals[m->oal_count - 1].file_count++;
    if (number_attr(ps, &f->seq, attrs, n, "seq", 0, element) != OHC_OK ||
        number_attr(ps, &f->ver, attrs, n, "ver", 0, element) != OHC_OK ||
        number_attr(ps, &f->size, attrs, n, "size", 0, element) != OHC_OK ||
        number_attr(ps, &f->uncompressed_size, attrs, n, "uncompressedsize", 0, element) != OHC_OK ||
        number_attr(ps, &f->langid, attrs, n, "langid", 1, element) != OHC_OK ||
        copy_attr(ps, f->sha, sizeof f->sha, attrs, n, "SHA", element) != OHC_OK ||
        copy_attr(ps, f->type, sizeof f->type, attrs, n, "type", element) != OHC_OK)
        return ps->rc;
    ps->file = f;
    ps->text_len = 0;
    return OHC_OK;
}

/* Text inside a file element is its file name; elsewhere it is checked
 * (references) and dropped. */
static int add_text(parser *ps, const char *s, size_t n, const char *at)
{
    if (ps->file == NULL || ps->depth != 3)
        return OHC_OK;
    if (ps->text_len + n > OHC_OAB_MANIFEST_MAX_VALUE)
        return fail_at(ps, at, OHC_ELIMIT, "text of a file element longer than %u bytes", OHC_OAB_MANIFEST_MAX_VALUE);
    memcpy(ps->text + ps->text_len, s, n);
    ps->text_len += n;
    return OHC_OK;
}

static int end_file(parser *ps, const char *at)
{
    size_t b = 0, e = ps->text_len;
    while (b < e && is_space(ps->text[b]))
        b++;
    while (e > b && is_space(ps->text[e - 1]))
        e--;
    if (e - b >= sizeof ps->file->name)
        return fail_at(ps, at, OHC_ELIMIT, "file name longer than %zu bytes", sizeof ps->file->name - 1);
    memcpy(ps->file->name, ps->text + b, e - b);
    ps->file->name[e - b] = '\0';
    ps->file = NULL;
    return OHC_OK;
}

static int start_tag(parser *ps)
{
    const char *at = ps->p;
    ps->p++; /* '<' */
    char name[OHC_OAB_MANIFEST_MAX_NAME + 1];
    if (read_name(ps, name) != OHC_OK)
        return ps->rc;
    if (++ps->elements > OHC_OAB_MANIFEST_MAX_ELEMENTS)
        return fail_at(ps, at, OHC_ELIMIT, "more than %u elements", OHC_OAB_MANIFEST_MAX_ELEMENTS);
    if (ps->root_closed)
        return fail_at(ps, at, OHC_EMALFORMED, "a second root element <%s>", name);
    if (!ps->root_seen) {
        if (strcmp(name, "OAB") != 0)
            return fail_at(ps, at, OHC_EMALFORMED, "the root element is <%s>, not <OAB>: not an OAB manifest", name);
        ps->root_seen = 1;
    }
    attr *attrs = calloc(OHC_OAB_MANIFEST_MAX_ATTRS, sizeof *attrs);
    if (attrs == NULL)
        return fail_at(ps, at, OHC_ENOMEM, "out of memory");
    size_t n = 0;
    int empty = 0;
    for (;;) {
        const char *before = ps->p;
        skip_space(ps);
        if (ps->p >= ps->end) {
            fail_at(ps, at, OHC_EMALFORMED, "element <%s> not closed", name);
            break;
        }
        if (*ps->p == '>') {
            ps->p++;
            break;
        }
        if (starts(ps, "/>")) {
            ps->p += 2;
            empty = 1;
            break;
        }
        if (ps->p == before) {
            fail_at(ps, ps->p, OHC_EMALFORMED, "a space was expected before an attribute of <%s>", name);
            break;
        }
        if (n >= OHC_OAB_MANIFEST_MAX_ATTRS) {
            fail_at(ps, ps->p, OHC_ELIMIT, "element <%s> has more than %u attributes", name,
                    OHC_OAB_MANIFEST_MAX_ATTRS);
            break;
        }
        attr *a = &attrs[n];
        a->at = ps->p;
        if (read_name(ps, a->name) != OHC_OK)
            break;
        if (find_attr(attrs, n, a->name) != NULL) {
            fail_at(ps, a->at, OHC_EMALFORMED, "attribute '%s' given twice", a->name);
            break;
        }
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '=') {
            fail_at(ps, ps->p, OHC_EMALFORMED, "'=' expected after attribute '%s'", a->name);
            break;
        }
        ps->p++;
        skip_space(ps);
        if (read_attr_value(ps, a) != OHC_OK)
            break;
        n++;
    }
    if (ps->rc == OHC_OK) {
        size_t depth = ps->depth + 1; /* of this element: OAB = 1 */
        if (depth == 2 && strcmp(name, "OAL") == 0 && strcmp(ps->stack[0], "OAB") == 0)
            start_oal(ps, attrs, n, at);
        else if (depth == 3 && strcmp(ps->stack[1], "OAL") == 0 && ps->m->oal_count > 0) {
            if (strcmp(name, "Full") == 0)
                start_file(ps, OHC_OAB_FULL, "Full", attrs, n, at);
            else if (strcmp(name, "Diff") == 0)
                start_file(ps, OHC_OAB_DIFF, "Diff", attrs, n, at);
            else if (strcmp(name, "Template") == 0)
                start_file(ps, OHC_OAB_TEMPLATE, "Template", attrs, n, at);
        }
    }
    free(attrs);
    if (ps->rc != OHC_OK)
        return ps->rc;
    if (empty) {
        if (ps->file != NULL && ps->depth + 1 == 3)
            end_file(ps, at);
        if (ps->depth == 0)
            ps->root_closed = 1;
        return ps->rc;
    }
    if (ps->depth >= OHC_OAB_MANIFEST_MAX_DEPTH)
        return fail_at(ps, at, OHC_ELIMIT, "elements nested deeper than %u", OHC_OAB_MANIFEST_MAX_DEPTH);
    memcpy(ps->stack[ps->depth++], name, sizeof name);
    return OHC_OK;
}

static int end_tag(parser *ps)
{
    const char *at = ps->p;
    ps->p += 2; /* "</" */
    char name[OHC_OAB_MANIFEST_MAX_NAME + 1];
    if (read_name(ps, name) != OHC_OK)
        return ps->rc;
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p != '>')
        return fail_at(ps, at, OHC_EMALFORMED, "end tag </%s> not closed", name);
    ps->p++;
    if (ps->depth == 0 || strcmp(ps->stack[ps->depth - 1], name) != 0)
        return fail_at(ps, at, OHC_EMALFORMED, "end tag </%s> does not match <%s>", name,
                       ps->depth ? ps->stack[ps->depth - 1] : "(none)");
    if (ps->depth == 3 && ps->file != NULL && end_file(ps, at) != OHC_OK)
        return ps->rc;
    if (--ps->depth == 0)
        ps->root_closed = 1;
    return OHC_OK;
}

/* Skips to the end of a construct that ends in `close`. */
static int skip_past(parser *ps, const char *close, const char *what)
{
    const char *at = ps->p;
    size_t n = strlen(close);
    for (const char *q = ps->p; q + n <= ps->end; q++) {
        if (memcmp(q, close, n) == 0) {
            ps->p = q + n;
            return OHC_OK;
        }
    }
    return fail_at(ps, at, OHC_EMALFORMED, "%s not closed", what);
}

/* <?xml version="1.0" encoding="..."?>: only UTF-8 (or its subset ASCII). */
static int xml_declaration(parser *ps)
{
    const char *at = ps->p;
    const char *start = ps->p;
    if (skip_past(ps, "?>", "XML declaration") != OHC_OK)
        return ps->rc;
    const char *end = ps->p;
    const char *enc = NULL;
    for (const char *q = start; q + 8 < end; q++)
        if (memcmp(q, "encoding", 8) == 0) {
            enc = q + 8;
            break;
        }
    if (enc == NULL)
        return OHC_OK;
    while (enc < end && (is_space(*enc) || *enc == '='))
        enc++;
    if (enc >= end || (*enc != '"' && *enc != '\''))
        return fail_at(ps, at, OHC_EMALFORMED, "XML declaration: bad encoding");
    char q = *enc++;
    const char *close = memchr(enc, q, (size_t)(end - enc));
    if (close == NULL)
        return fail_at(ps, at, OHC_EMALFORMED, "XML declaration: bad encoding");
    char name[32];
    size_t n = (size_t)(close - enc);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, enc, n);
    name[n] = '\0';
    if (ohc_ascii_casecmp(name, "UTF-8") && ohc_ascii_casecmp(name, "UTF8") && ohc_ascii_casecmp(name, "US-ASCII"))
        return fail_at(ps, at, OHC_EMALFORMED, "encoding '%s' is not accepted: only UTF-8", name);
    return OHC_OK;
}

static int parse_all(parser *ps)
{
    if (check_encoding(ps) != OHC_OK)
        return ps->rc;
    if (starts(ps, "\xEF\xBB\xBF"))
        ps->p += 3;
    if (starts(ps, "<?xml") && (size_t)(ps->end - ps->p) > 5 && is_space(ps->p[5]) && xml_declaration(ps) != OHC_OK)
        return ps->rc;
    while (ps->rc == OHC_OK && ps->p < ps->end) {
        if (*ps->p != '<') {
            /* Character data up to the next '<', references decoded. */
            const char *at = ps->p;
            if (ps->depth == 0 && !is_space(*ps->p))
                return fail_at(ps, at, OHC_EMALFORMED, "text outside the root element");
            if (*ps->p == '&') {
                char buf[4];
                size_t n = 0;
                if (read_reference(ps, buf, &n) != OHC_OK || add_text(ps, buf, n, at) != OHC_OK)
                    return ps->rc;
                continue;
            }
            const char *q = ps->p;
            while (q < ps->end && *q != '<' && *q != '&')
                q++;
            if (add_text(ps, ps->p, (size_t)(q - ps->p), at) != OHC_OK)
                return ps->rc;
            ps->p = q;
        } else if (starts(ps, "<!--")) {
            if (skip_past(ps, "-->", "comment") != OHC_OK)
                return ps->rc;
        } else if (starts(ps, "<![CDATA[")) {
            const char *at = ps->p;
            if (ps->depth == 0)
                return fail_at(ps, at, OHC_EMALFORMED, "CDATA outside the root element");
            const char *body = ps->p + 9;
            if (skip_past(ps, "]]>", "CDATA section") != OHC_OK)
                return ps->rc;
            if (add_text(ps, body, (size_t)(ps->p - 3 - body), at) != OHC_OK)
                return ps->rc;
        } else if (starts(ps, "<!DOCTYPE") || starts(ps, "<!ENTITY") || starts(ps, "<!")) {
            return fail_at(ps, ps->p, OHC_EMALFORMED,
                           "a DOCTYPE or declaration is not accepted (its entities could expand without bound)");
        } else if (starts(ps, "<?")) {
            if (skip_past(ps, "?>", "processing instruction") != OHC_OK)
                return ps->rc;
        } else if (starts(ps, "</")) {
            if (end_tag(ps) != OHC_OK)
                return ps->rc;
        } else {
            if (start_tag(ps) != OHC_OK)
                return ps->rc;
        }
    }
    if (ps->rc == OHC_OK && !ps->root_seen)
        return fail_at(ps, ps->end, OHC_EMALFORMED, "no root element: not an OAB manifest");
    if (ps->rc == OHC_OK && !ps->root_closed)
        return fail_at(ps, ps->end, OHC_EMALFORMED, "the document ends inside <%s> (truncated?)",
                       ps->depth ? ps->stack[ps->depth - 1] : "OAB");
    return ps->rc;
}

int ohc_oab_manifest_parse(ohc_oab_manifest *out, const char *data, size_t len, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > OHC_OAB_MANIFEST_MAX_BYTES)
        return ohc_error_set(err, OHC_ELIMIT, 0, "oab.xml is %zu bytes, more than the %u accepted", len,
                             OHC_OAB_MANIFEST_MAX_BYTES);
    parser *ps = calloc(1, sizeof *ps);
    if (ps == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    ps->base = ps->p = data ? data : "";
    ps->end = ps->p + (data ? len : 0);
    ps->m = out;
    ps->err = err;
    int rc = parse_all(ps);
    free(ps);
    if (rc != OHC_OK)
        ohc_oab_manifest_free(out);
    return rc;
}

void ohc_oab_manifest_free(ohc_oab_manifest *m)
{
    if (m == NULL)
        return;
    free(m->oals);
    free(m->files);
    memset(m, 0, sizeof *m);
}

const ohc_oab_file *ohc_oab_manifest_full(const ohc_oab_manifest *m, size_t oal_index)
{
    if (oal_index >= m->oal_count)
        return NULL;
    const ohc_oab_oal *o = &m->oals[oal_index];
    const ohc_oab_file *best = NULL;
    for (size_t i = o->first_file; i < o->first_file + o->file_count && i < m->file_count; i++)
        if (m->files[i].kind == OHC_OAB_FULL && (best == NULL || m->files[i].seq > best->seq))
            best = &m->files[i];
    return best;
}

static void add_num(cJSON *o, const char *name, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, (double)v);
}

static cJSON *file_json(const ohc_oab_file *f)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    add_num(o, "seq", f->seq);
    if (f->kind != OHC_OAB_DIFF)
        add_num(o, "ver", f->ver);
    add_num(o, "size", f->size);
    if (f->kind == OHC_OAB_FULL) {
        add_num(o, "uncompressed_size", f->uncompressed_size);
        cJSON_AddStringToObject(o, "sha", f->sha);
    }
    if (f->kind == OHC_OAB_TEMPLATE) {
        char lcid[16];
        if (f->langid >= 0)
            snprintf(lcid, sizeof lcid, "%04X", (unsigned)f->langid);
        f->langid >= 0 ? (void)cJSON_AddStringToObject(o, "langid", lcid) : (void)cJSON_AddNullToObject(o, "langid");
        cJSON_AddStringToObject(o, "type", f->type);
    }
    cJSON_AddStringToObject(o, "file", f->name);
    return o;
}

cJSON *ohc_oab_manifest_to_json(const ohc_oab_manifest *m)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *oals = cJSON_AddArrayToObject(root, "oals");
    if (oals == NULL) {
        cJSON_Delete(root);
        return NULL;
    }
    int64_t max_seq = -1;
    for (size_t i = 0; i < m->oal_count; i++) {
        const ohc_oab_oal *o = &m->oals[i];
        cJSON *jo = cJSON_CreateObject();
        cJSON_AddItemToArray(oals, jo);
        cJSON_AddStringToObject(jo, "id", o->id);
        cJSON_AddStringToObject(jo, "dn", o->dn);
        cJSON_AddStringToObject(jo, "name", o->name);
        const ohc_oab_file *full = ohc_oab_manifest_full(m, i);
        if (full != NULL) {
            cJSON_AddItemToObject(jo, "full", file_json(full));
            if (full->seq > max_seq)
                max_seq = full->seq;
        } else {
            cJSON_AddNullToObject(jo, "full");
        }
        cJSON *diffs = cJSON_AddArrayToObject(jo, "diffs");
        cJSON *templates = cJSON_AddArrayToObject(jo, "templates");
        for (size_t k = o->first_file; k < o->first_file + o->file_count && k < m->file_count; k++) {
            const ohc_oab_file *f = &m->files[k];
            if (f->kind == OHC_OAB_DIFF)
                cJSON_AddItemToArray(diffs, file_json(f));
            else if (f->kind == OHC_OAB_TEMPLATE)
                cJSON_AddItemToArray(templates, file_json(f));
        }
    }
    add_num(root, "full_seq_max", max_seq);
    return root;
}
