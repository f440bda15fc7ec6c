#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strbuf_reserve(ohc_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return 0;
    if (extra > ((size_t)-1) / 2 - sb->len) {
        sb->failed = 1;
        return 0;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 1;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (p == NULL) {
        sb->failed = 1;
        return 0;
    }
    sb->data = p;
    sb->cap = cap;
    return 1;
}

void ohc_strbuf_append_len(ohc_strbuf *sb, const char *s, size_t n)
{
    if (!strbuf_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

char *ohc_strbuf_reserve_grow(ohc_strbuf *sb, size_t extra)
{
    return strbuf_reserve(sb, extra) ? sb->data + sb->len : NULL;
}

void ohc_strbuf_append(ohc_strbuf *sb, const char *s)
{
    ohc_strbuf_append_len(sb, s, strlen(s));
}

void ohc_strbuf_append_char(ohc_strbuf *sb, char c)
{
    ohc_strbuf_append_len(sb, &c, 1);
}

void ohc_strbuf_appendf(ohc_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !strbuf_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *ohc_strbuf_str(const ohc_strbuf *sb)
{
    return sb->data ? sb->data : "";
}

int ohc_strbuf_failed(const ohc_strbuf *sb)
{
    return sb->failed;
}

char *ohc_strbuf_detach(ohc_strbuf *sb)
{
    char *p = sb->data;
    if (p == NULL && !sb->failed)
        p = calloc(1, 1);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void ohc_strbuf_free(ohc_strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
}

char *ohc_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}
