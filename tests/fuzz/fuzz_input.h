/* Reading a fuzzer's input as fields (a byte, a number, a string), for the
 * targets whose input is structured (records, registry values, file sets).
 * Every string is an exact-size heap copy, so that ASan sees a read past its
 * end. Header-only: each target is one executable. */
#ifndef OHC_FUZZ_INPUT_H
#define OHC_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_input {
    const uint8_t *p;
    size_t n;
} fuzz_input;

static inline uint8_t fuzz_u8(fuzz_input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t fuzz_u32(fuzz_input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)fuzz_u8(in) << (8 * i);
    return v;
}

/* The bytes up to the next NUL (or the end), at most max, as a new
 * NUL-terminated string of exactly that size (free()). *len (may be NULL)
 * receives its length. NULL only when out of memory. */
static inline char *fuzz_str(fuzz_input *in, size_t max, size_t *len)
{
    size_t k = 0;
    while (k < in->n && k < max && in->p[k] != 0)
        k++;
    char *s = malloc(k + 1);
    if (s != NULL) {
        memcpy(s, in->p, k);
        s[k] = '\0';
    }
    in->p += k, in->n -= k;
    if (in->n > 0 && in->p[0] == 0)
        in->p++, in->n--;
    if (len != NULL)
        *len = k;
    return s;
}

/* The rest of the input as an exact-size copy (not NUL-terminated; never NULL
 * unless out of memory, also for 0 bytes). */
static inline uint8_t *fuzz_rest(fuzz_input *in, size_t *len)
{
    uint8_t *b = malloc(in->n ? in->n : 1);
    if (b != NULL)
        memcpy(b, in->p, in->n);
    *len = in->n;
    in->p += in->n, in->n = 0;
    return b;
}

#endif
