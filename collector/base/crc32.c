#include "crc32.h"

#include <zlib.h>

/* zlib's crc32 takes a length in uInt: long buffers in pieces. */
static uint32_t crc32_zlib(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n > 0) {
        uInt part = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = (uint32_t)crc32(crc, p, part);
        p += part;
        n -= part;
    }
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Folding with carry-less multiplication (Intel, "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ Instruction", 2009), for the bit-
 * reflected polynomial 0x1DB710641: the constants are x^k mod P for the
 * folding distances (512 +/- 32 and 128 +/- 32 bits), then x^64 mod P, and
 * Barrett's P and floor(x^64 / P). Takes and returns the register value
 * (zlib's value inverted); n is a multiple of 16, at least 64. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_fold(uint32_t reg, const uint8_t *p, size_t n)
{
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);
    const __m128i pu = _mm_set_epi64x(0x1f7011641, 0x1db710641);
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);

    __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)reg));
    p += 64;
    n -= 64;
#define FOLD(x, k, next)                                                                                               \
    do {                                                                                                               \
        __m128i lo_ = _mm_clmulepi64_si128((x), (k), 0x00);                                                            \
        (x) = _mm_clmulepi64_si128((x), (k), 0x11);                                                                    \
        (x) = _mm_xor_si128(_mm_xor_si128((x), lo_), (next));                                                          \
    } while (0)
    while (n >= 64) {
        FOLD(x0, k1k2, _mm_loadu_si128((const __m128i *)(const void *)p));
        FOLD(x1, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        FOLD(x2, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        FOLD(x3, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        n -= 64;
    }
    FOLD(x0, k3k4, x1);
    FOLD(x0, k3k4, x2);
    FOLD(x0, k3k4, x3);
    while (n >= 16) {
        FOLD(x0, k3k4, _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
#undef FOLD
    /* 128 bits to 64, 64 to 32, then Barrett's reduction */
    __m128i x = _mm_xor_si128(_mm_clmulepi64_si128(x0, k3k4, 0x10), _mm_srli_si128(x0, 8));
    x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, mask32), k5, 0x00));
    __m128i t = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x, mask32), pu, 0x10), mask32);
    x = _mm_xor_si128(x, _mm_clmulepi64_si128(t, pu, 0x00));
    return (uint32_t)_mm_extract_epi32(x, 1);
}

/* libgcc's constructor has read the processor's features before main. */
static int fold_usable(void)
{
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

uint32_t ohc_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    if (n < 64 || !fold_usable())
        return crc32_zlib(crc, p, n);
    size_t bulk = n & ~(size_t)15;
    crc = ~crc32_fold(~crc, p, bulk);
    return crc32_zlib(crc, p + bulk, n - bulk);
}
#else
uint32_t ohc_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    return crc32_zlib(crc, p, n);
}
#endif
