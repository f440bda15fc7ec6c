#include "xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"

struct ohc_xml_reader {
    const char *base, *p, *end;
    const char *doc_name;
    ohc_xml_limits lim;
    const ohc_xml_handler *h;
    ohc_error *err;
    int rc; /* first failure; parsing stops at it */
    size_t elements;
    size_t depth;
    char *stack; /* max_depth names of max_name + 1 bytes */
    int root_seen, root_closed;
    /* One start tag's attributes: max_attrs names and values. */
    char *attr_names, *attr_values;
    ohc_xml_attr *attrs;
    char *text; /* max_value + 1 bytes: one decoded text run */
};

static char *stack_at(const ohc_xml_reader *r, size_t i)
{
    return r->stack + i * (r->lim.max_name + 1);
}

static void position(const ohc_xml_reader *r, const char *at, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = r->base; q < at && q < r->end; q++) {
        if (*q == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

int ohc_xml_fail_at(ohc_xml_reader *r, const char *at, int code, const char *fmt, ...)
{
    if (r->rc != OHC_OK)
        return r->rc;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned long line, col;
    position(r, at, &line, &col);
    ohc_error_set(r->err, code, 0, "%s line %lu, column %lu: %s", r->doc_name, line, col, msg);
    r->rc = code;
    return code;
}

/* A callback's result: its own failure without a message gets one. */
static int callback_result(ohc_xml_reader *r, int rc, const char *at)
{
    if (rc != OHC_OK && r->rc == OHC_OK)
        ohc_xml_fail_at(r, at, rc, "refused by the reader of this document");
    return r->rc;
}

const char *ohc_xml_open_element(const ohc_xml_reader *r, size_t depth)
{
    if (depth == 0 || depth > r->depth)
        return "";
    return stack_at(r, depth - 1);
}

const char *ohc_xml_local_name(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon != NULL ? colon + 1 : name;
}

/* The whole input must be UTF-8 without NUL bytes: a document in UTF-16
 * (with or without a byte order mark) or Latin-1 is refused here, once. */
static int check_encoding(ohc_xml_reader *r)
{
    const unsigned char *s = (const unsigned char *)r->p, *e = (const unsigned char *)r->end;
    if (e - s >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "UTF-16 byte order mark: only UTF-8 is accepted");
    while (s < e) {
        unsigned c = *s;
        size_t n;
        unsigned cp;
        if (c == 0)
            return ohc_xml_fail_at(r, (const char *)s, OHC_EMALFORMED,
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
            return ohc_xml_fail_at(r, (const char *)s, OHC_EMALFORMED, "byte 0x%02X is not UTF-8", c);
        }
        if ((size_t)(e - s) <= n)
            return ohc_xml_fail_at(r, (const char *)s, OHC_EMALFORMED, "truncated UTF-8 sequence");
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return ohc_xml_fail_at(r, (const char *)s, OHC_EMALFORMED, "invalid UTF-8 sequence");
            cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return ohc_xml_fail_at(r, (const char *)s, OHC_EMALFORMED, "invalid UTF-8 sequence");
        s += n + 1;
    }
    return OHC_OK;
}

static int starts(const ohc_xml_reader *r, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(r->end - r->p) >= n && memcmp(r->p, lit, n) == 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(ohc_xml_reader *r)
{
    while (r->p < r->end && is_space(*r->p))
        r->p++;
}

static int name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static int name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* An ASCII name into out (max_name + 1 bytes). */
static int read_name(ohc_xml_reader *r, char *out)
{
    const char *start = r->p;
    if (r->p >= r->end || !name_start(*r->p))
        return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "a name was expected");
    while (r->p < r->end && name_char(*r->p))
        r->p++;
    size_t n = (size_t)(r->p - start);
    if (n > r->lim.max_name)
        return ohc_xml_fail_at(r, start, OHC_ELIMIT, "name longer than %zu bytes", r->lim.max_name);
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

/* Decodes the reference at r->p ('&') into out (at most 4 bytes). Only the
 * predefined entities and character references exist: there is no DTD. */
static int read_reference(ohc_xml_reader *r, char *out, size_t *len)
{
    const char *start = r->p;
    const char *semi = memchr(r->p, ';', (size_t)(r->end - r->p) < 12 ? (size_t)(r->end - r->p) : 12);
    if (semi == NULL)
        return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "'&' that starts no reference");
    const char *body = start + 1;
    size_t n = (size_t)(semi - body);
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++) {
        if (strlen(predefined[i].name) == n && memcmp(body, predefined[i].name, n) == 0) {
            out[(*len)++] = predefined[i].c;
            r->p = semi + 1;
            return OHC_OK;
        }
    }
    if (n >= 2 && body[0] == '#') {
        unsigned long cp = 0;
        int hex = body[1] == 'x';
        const char *d = body + 1 + hex;
        if (d == semi)
            return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "empty character reference");
        for (; d < semi; d++) {
            int v = hex ? ohc_ascii_hex_value(*d) : (*d >= '0' && *d <= '9' ? *d - '0' : -1);
            if (v < 0)
                return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "bad character reference");
            cp = cp * (hex ? 16u : 10u) + (unsigned long)v;
            if (cp > 0x10FFFF)
                return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "character reference beyond U+10FFFF");
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "character reference to U+%04lX, not a character", cp);
        put_utf8(out, len, cp);
        r->p = semi + 1;
        return OHC_OK;
    }
    return ohc_xml_fail_at(r, start, OHC_EMALFORMED, "entity '&%.*s;' is not declared (no DTD is accepted)", (int)n,
                           body);
}

static int read_attr_value(ohc_xml_reader *r, char *value, const char *name, const char *at)
{
    if (r->p >= r->end || (*r->p != '"' && *r->p != '\''))
        return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "attribute '%s' has no quoted value", name);
    char q = *r->p++;
    size_t len = 0;
    while (r->p < r->end && *r->p != q) {
        char buf[4];
        size_t n = 0;
        if (*r->p == '<')
            return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "'<' in the value of attribute '%s'", name);
        if (*r->p == '&') {
            if (read_reference(r, buf, &n) != OHC_OK)
                return r->rc;
        } else {
            buf[n++] = *r->p++;
        }
        if (len + n > r->lim.max_value)
            return ohc_xml_fail_at(r, at, OHC_ELIMIT, "attribute '%s' longer than %zu bytes", name, r->lim.max_value);
        memcpy(value + len, buf, n);
        len += n;
    }
    if (r->p >= r->end)
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "attribute '%s' not closed", name);
    r->p++;
    value[len] = '\0';
    return OHC_OK;
}

static int attr_given(const ohc_xml_reader *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(r->attrs[i].name, name) == 0)
            return 1;
    return 0;
}

static int start_tag(ohc_xml_reader *r)
{
    const char *at = r->p;
    r->p++; /* '<' */
    if (r->depth >= r->lim.max_depth)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "elements nested deeper than %zu", r->lim.max_depth);
    char *name = stack_at(r, r->depth); /* read straight onto the stack: the slot above the open ones */
    if (read_name(r, name) != OHC_OK)
        return r->rc;
    if (++r->elements > r->lim.max_elements)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "more than %zu elements", r->lim.max_elements);
    if (r->root_closed)
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "a second root element <%s>", name);
    r->root_seen = 1;
    size_t n = 0;
    int empty = 0;
    for (;;) {
        const char *before = r->p;
        skip_space(r);
        if (r->p >= r->end)
            return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "element <%s> not closed", name);
        if (*r->p == '>') {
            r->p++;
            break;
        }
        if (starts(r, "/>")) {
            r->p += 2;
            empty = 1;
            break;
        }
        if (r->p == before)
            return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "a space was expected before an attribute of <%s>", name);
        if (n >= r->lim.max_attrs)
            return ohc_xml_fail_at(r, r->p, OHC_ELIMIT, "element <%s> has more than %zu attributes", name,
                                   r->lim.max_attrs);
        char *aname = r->attr_names + n * (r->lim.max_name + 1);
        char *avalue = r->attr_values + n * (r->lim.max_value + 1);
        const char *aat = r->p;
        if (read_name(r, aname) != OHC_OK)
            return r->rc;
        if (attr_given(r, n, aname))
            return ohc_xml_fail_at(r, aat, OHC_EMALFORMED, "attribute '%s' given twice", aname);
        skip_space(r);
        if (r->p >= r->end || *r->p != '=')
            return ohc_xml_fail_at(r, r->p, OHC_EMALFORMED, "'=' expected after attribute '%s'", aname);
        r->p++;
        skip_space(r);
        if (read_attr_value(r, avalue, aname, aat) != OHC_OK)
            return r->rc;
        r->attrs[n].name = aname;
        r->attrs[n].value = avalue;
        r->attrs[n].at = aat;
        n++;
    }
    r->depth++; /* open, so that callbacks see it on the stack */
    if (r->h->start != NULL && callback_result(r, r->h->start(r, r->h->user, name, r->attrs, n, r->depth, at), at))
        return r->rc;
    if (empty) {
        if (r->h->end != NULL && callback_result(r, r->h->end(r, r->h->user, name, r->depth, at), at))
            return r->rc;
        if (--r->depth == 0)
            r->root_closed = 1;
    }
    return OHC_OK;
}

static int end_tag(ohc_xml_reader *r)
{
    const char *at = r->p;
    r->p += 2; /* "</" */
    char *buf = r->attr_names; /* free between start tags, max_name + 1 bytes */
    if (read_name(r, buf) != OHC_OK)
        return r->rc;
    skip_space(r);
    if (r->p >= r->end || *r->p != '>')
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "end tag </%s> not closed", buf);
    r->p++;
    if (r->depth == 0 || strcmp(stack_at(r, r->depth - 1), buf) != 0)
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "end tag </%s> does not match <%s>", buf,
                               r->depth ? stack_at(r, r->depth - 1) : "(none)");
    if (r->h->end != NULL && callback_result(r, r->h->end(r, r->h->user, buf, r->depth, at), at))
        return r->rc;
    if (--r->depth == 0)
        r->root_closed = 1;
    return OHC_OK;
}

/* Skips to the end of a construct that ends in `close`. */
static int skip_past(ohc_xml_reader *r, const char *close, const char *what)
{
    const char *at = r->p;
    size_t n = strlen(close);
    for (const char *q = r->p; q + n <= r->end; q++) {
        if (memcmp(q, close, n) == 0) {
            r->p = q + n;
            return OHC_OK;
        }
    }
    return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "%s not closed", what);
}

/* <?xml version="1.0" encoding="..."?>: only UTF-8 (or its subset ASCII). */
static int xml_declaration(ohc_xml_reader *r)
{
    const char *at = r->p;
    const char *start = r->p;
    if (skip_past(r, "?>", "XML declaration") != OHC_OK)
        return r->rc;
    const char *end = r->p;
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
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "XML declaration: bad encoding");
    char q = *enc++;
    const char *close = memchr(enc, q, (size_t)(end - enc));
    if (close == NULL)
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "XML declaration: bad encoding");
    char name[32];
    size_t n = (size_t)(close - enc);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, enc, n);
    name[n] = '\0';
    if (ohc_ascii_casecmp(name, "UTF-8") && ohc_ascii_casecmp(name, "UTF8") && ohc_ascii_casecmp(name, "US-ASCII"))
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "encoding '%s' is not accepted: only UTF-8", name);
    return OHC_OK;
}

/* Character data up to the next '<', references decoded, handed on in runs
 * of at most max_value bytes. */
static int char_data(ohc_xml_reader *r)
{
    const char *at = r->p;
    size_t len = 0;
    int blank = 1;
    while (r->p < r->end && *r->p != '<') {
        char buf[4];
        size_t n = 0;
        if (*r->p == '&') {
            if (read_reference(r, buf, &n) != OHC_OK)
                return r->rc;
        } else {
            buf[n++] = *r->p++;
        }
        blank &= n == 1 && is_space(buf[0]);
        if (len + n > r->lim.max_value) {
            if (r->depth > 0 && r->h->text != NULL &&
                callback_result(r, r->h->text(r, r->h->user, r->text, len, r->depth, at), at))
                return r->rc;
            len = 0;
        }
        memcpy(r->text + len, buf, n);
        len += n;
    }
    if (r->depth == 0) {
        if (!blank)
            return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "text outside the root element");
        return OHC_OK;
    }
    if (len > 0 && r->h->text != NULL && callback_result(r, r->h->text(r, r->h->user, r->text, len, r->depth, at), at))
        return r->rc;
    return OHC_OK;
}

static int cdata(ohc_xml_reader *r)
{
    const char *at = r->p;
    if (r->depth == 0)
        return ohc_xml_fail_at(r, at, OHC_EMALFORMED, "CDATA outside the root element");
    const char *body = r->p + 9;
    if (skip_past(r, "]]>", "CDATA section") != OHC_OK)
        return r->rc;
    size_t len = (size_t)(r->p - 3 - body);
    while (len > 0 && r->h->text != NULL) {
        size_t n = len < r->lim.max_value ? len : r->lim.max_value;
        if (callback_result(r, r->h->text(r, r->h->user, body, n, r->depth, at), at))
            return r->rc;
        body += n;
        len -= n;
    }
    return OHC_OK;
}

static int parse_all(ohc_xml_reader *r)
{
    if (check_encoding(r) != OHC_OK)
        return r->rc;
    if (starts(r, "\xEF\xBB\xBF"))
        r->p += 3;
    if (starts(r, "<?xml") && (size_t)(r->end - r->p) > 5 && is_space(r->p[5]) && xml_declaration(r) != OHC_OK)
        return r->rc;
    while (r->rc == OHC_OK && r->p < r->end) {
        int rc;
        if (*r->p != '<')
            rc = char_data(r);
        else if (starts(r, "<!--"))
            rc = skip_past(r, "-->", "comment");
        else if (starts(r, "<![CDATA["))
            rc = cdata(r);
        else if (starts(r, "<!"))
            rc = ohc_xml_fail_at(r, r->p, OHC_EMALFORMED,
                                 "a DOCTYPE or declaration is not accepted (its entities could expand without bound)");
        else if (starts(r, "<?"))
            rc = skip_past(r, "?>", "processing instruction");
        else if (starts(r, "</"))
            rc = end_tag(r);
        else
            rc = start_tag(r);
        if (rc != OHC_OK)
            return r->rc != OHC_OK ? r->rc : rc;
    }
    if (r->rc == OHC_OK && !r->root_seen)
        return ohc_xml_fail_at(r, r->end, OHC_EMALFORMED, "no root element");
    if (r->rc == OHC_OK && !r->root_closed)
        return ohc_xml_fail_at(r, r->end, OHC_EMALFORMED, "the document ends inside <%s> (truncated?)",
                               r->depth ? stack_at(r, r->depth - 1) : "?");
    return r->rc;
}

int ohc_xml_parse(const char *data, size_t len, const char *doc_name, const ohc_xml_limits *limits,
                  const ohc_xml_handler *handler, ohc_error *err)
{
    if (len > limits->max_bytes)
        return ohc_error_set(err, OHC_ELIMIT, 0, "%s is %zu bytes, more than the %zu accepted", doc_name, len,
                             limits->max_bytes);
    if (limits->max_depth == 0 || limits->max_name == 0 || limits->max_value == 0 || limits->max_attrs == 0)
        return ohc_error_set(err, OHC_EINVAL, 0, "%s: XML limits of 0", doc_name);
    ohc_xml_reader r;
    memset(&r, 0, sizeof r);
    r.base = r.p = data ? data : "";
    r.end = r.p + (data ? len : 0);
    r.doc_name = doc_name;
    r.lim = *limits;
    r.h = handler;
    r.err = err;
    r.stack = calloc(r.lim.max_depth, r.lim.max_name + 1);
    r.attr_names = calloc(r.lim.max_attrs, r.lim.max_name + 1);
    r.attr_values = calloc(r.lim.max_attrs, r.lim.max_value + 1);
    r.attrs = calloc(r.lim.max_attrs, sizeof *r.attrs);
    r.text = malloc(r.lim.max_value + 1);
    int rc;
    if (r.stack == NULL || r.attr_names == NULL || r.attr_values == NULL || r.attrs == NULL || r.text == NULL)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    else
        rc = parse_all(&r);
    free(r.stack);
    free(r.attr_names);
    free(r.attr_values);
    free(r.attrs);
    free(r.text);
    return rc;
}
