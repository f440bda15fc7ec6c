/* A growable, always NUL-terminated string buffer.
 *
 * Memory is owned by the strbuf; ohc_strbuf_free releases it and
 * ohc_strbuf_detach hands it to the caller (who then frees it with free()).
 * After an allocation failure the buffer is marked failed, later appends do
 * nothing, and ohc_strbuf_failed() says so: callers check once at the end. */
#ifndef OHC_STRBUF_H
#define OHC_STRBUF_H

#include <stddef.h>

#include "error.h"

typedef struct ohc_strbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} ohc_strbuf;

#define OHC_STRBUF_INIT                                                                                                \
    {                                                                                                                  \
        NULL, 0, 0, 0                                                                                                  \
    }

void ohc_strbuf_append(ohc_strbuf *sb, const char *s);
void ohc_strbuf_append_len(ohc_strbuf *sb, const char *s, size_t n);
void ohc_strbuf_appendf(ohc_strbuf *sb, const char *fmt, ...) OHC_PRINTF(2, 3);
void ohc_strbuf_append_char(ohc_strbuf *sb, char c);
/* Room for extra more bytes (and the NUL) at the end: where to write them, or
 * NULL when the buffer has failed. ohc_strbuf_commit(sb, n) then adds the n
 * bytes written there (n <= extra). For writers that know a bound and would
 * otherwise append in many small pieces. */
static inline char *ohc_strbuf_reserve(ohc_strbuf *sb, size_t extra);
static inline void ohc_strbuf_commit(ohc_strbuf *sb, size_t n);
/* The contents, never NULL ("" when empty). Valid until the next append. */
const char *ohc_strbuf_str(const ohc_strbuf *sb);
int ohc_strbuf_failed(const ohc_strbuf *sb);
char *ohc_strbuf_detach(ohc_strbuf *sb);
void ohc_strbuf_free(ohc_strbuf *sb);

/* A copy of s (NULL gives NULL), or NULL without memory; the caller frees it with free(). */
char *ohc_strdup(const char *s);

/* reserve and commit are inline: the full .evtx render calls them for each
 * string it writes, and the call was a tenth of their cost. */
char *ohc_strbuf_reserve_grow(ohc_strbuf *sb, size_t extra);

static inline char *ohc_strbuf_reserve(ohc_strbuf *sb, size_t extra)
{
    if (!sb->failed && sb->data != NULL && extra < sb->cap - sb->len)
        return sb->data + sb->len; /* the room is there (cap > len always holds the NUL) */
    return ohc_strbuf_reserve_grow(sb, extra);
}

static inline void ohc_strbuf_commit(ohc_strbuf *sb, size_t n)
{
    if (sb->failed || sb->data == NULL || n > sb->cap - sb->len - 1)
        return;
    sb->len += n;
    sb->data[sb->len] = '\0';
}

#endif
