/* The one UTF-16LE decoder (utf16.h): odd lengths, surrogates paired and
 * unpaired, NULs that end or are dropped, a bounded output that keeps only
 * whole characters, and random input that must always give valid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf16.h"

/* Little-endian bytes of units[0, n). */
static size_t le(uint8_t *out, const uint16_t *units, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)units[i];
        out[2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
    return 2 * n;
}

#define LE(buf, ...)                                                                                                   \
    le(buf, (const uint16_t[]){__VA_ARGS__}, sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t))

static void test_ascii_and_nul(void **state)
{
    (void)state;
    uint8_t b[64];
    char out[64];
    ohc_utf16_decoded d;
    size_t n = LE(b, 'a', 'b', 0, 'c', 0);
    /* A NUL ends the text (and is consumed) ... */
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b, n, OHC_UTF16_STOP_AT_NUL), OHC_OK);
    assert_string_equal(out, "ab");
    assert_int_equal(d.len, 2);
    assert_int_equal(d.consumed, 6);
    assert_true(d.stopped_at_nul);
    /* ... and the next string starts after it. */
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b + 6, n - 6, OHC_UTF16_STOP_AT_NUL), OHC_OK);
    assert_string_equal(out, "c");
    assert_int_equal(d.consumed, 4);
    /* ... or NULs are dropped, embedded and trailing. */
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b, n, 0), OHC_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(d.len, 3);
    assert_int_equal(d.consumed, n);
    assert_false(d.stopped_at_nul);
    /* No NUL at all: everything is read. */
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b, 4, OHC_UTF16_STOP_AT_NUL), OHC_OK);
    assert_string_equal(out, "ab");
    assert_false(d.stopped_at_nul);
    assert_int_equal(d.consumed, 4);
}

static void test_odd_and_empty(void **state)
{
    (void)state;
    uint8_t b[8];
    char out[16];
    ohc_utf16_decoded d;
    size_t n = LE(b, 'x', 'y');
    b[n] = 'z'; /* an odd last byte is never read as half a unit */
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b, n + 1, 0), OHC_OK);
    assert_string_equal(out, "xy");
    assert_int_equal(d.consumed, 4);
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, b, 1, 0), OHC_OK);
    assert_string_equal(out, "");
    assert_int_equal(d.consumed, 0);
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, &d, NULL, 0, OHC_UTF16_STOP_AT_NUL), OHC_OK);
    assert_string_equal(out, "");
    assert_int_equal(d.len, 0);
    char *s = ohc_utf16le_to_utf8(NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_non_ascii_and_surrogates(void **state)
{
    (void)state;
    uint8_t b[64];
    char out[64];
    /* é (2 bytes), € (3), U+FFFF (3), 😀 as a pair (4) */
    size_t n = LE(b, 0x00E9, 0x20AC, 0xFFFF, 0xD83D, 0xDE00);
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, NULL, b, n, 0), OHC_OK);
    assert_string_equal(out, "\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF\xF0\x9F\x98\x80");
    /* A high surrogate before a non-surrogate: U+FFFD, and the next unit is kept. */
    n = LE(b, 0xD83D, 'x');
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, NULL, b, n, 0), OHC_OK);
    assert_string_equal(out, "\xEF\xBF\xBDx");
    /* A low surrogate alone; a high one at the end; two highs then a low. */
    n = LE(b, 0xDE00, 'y', 0xD83D);
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, NULL, b, n, 0), OHC_OK);
    assert_string_equal(out, "\xEF\xBF\xBDy\xEF\xBF\xBD");
    n = LE(b, 0xD83D, 0xD83D, 0xDE00);
    assert_int_equal(ohc_utf16le_decode(out, sizeof out, NULL, b, n, 0), OHC_OK);
    assert_string_equal(out, "\xEF\xBF\xBD\xF0\x9F\x98\x80");
    /* A high surrogate before the NUL that ends the text. */
    n = LE(b, 'a', 0xD800, 0, 'b');
    char *s = ohc_utf16le_to_utf8(b, n);
    assert_non_null(s);
    assert_string_equal(s, "a\xEF\xBF\xBD");
    free(s);
}

static void test_bounded_output(void **state)
{
    (void)state;
    uint8_t b[64];
    char out[16];
    ohc_utf16_decoded d;
    size_t n = LE(b, 'a', 'b', 0x20AC, 'c');
    /* "ab€c" is 6 bytes: 7 with the NUL fit exactly. */
    assert_int_equal(ohc_utf16le_decode(out, 7, &d, b, n, 0), OHC_OK);
    assert_string_equal(out, "ab\xE2\x82\xAC"
                             "c");
    /* One byte less: the c is cut. */
    assert_int_equal(ohc_utf16le_decode(out, 6, &d, b, n, 0), OHC_ELIMIT);
    assert_string_equal(out, "ab\xE2\x82\xAC");
    assert_int_equal(d.consumed, 6);
    /* The € does not fit: no part of it, and not the c after it either. */
    for (size_t size = 3; size <= 5; size++) {
        memset(out, 'Z', sizeof out);
        assert_int_equal(ohc_utf16le_decode(out, size, &d, b, n, 0), OHC_ELIMIT);
        assert_string_equal(out, "ab");
        assert_int_equal(d.len, 2);
        assert_int_equal(d.consumed, 4);
        assert_int_equal(out[size], 'Z'); /* nothing written past size */
    }
    /* A pair is 4 bytes or nothing. */
    n = LE(b, 0xD83D, 0xDE00);
    assert_int_equal(ohc_utf16le_decode(out, 4, &d, b, n, 0), OHC_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(d.consumed, 0);
    assert_int_equal(ohc_utf16le_decode(out, 5, &d, b, n, 0), OHC_OK);
    assert_int_equal(d.len, 4);
    /* Size 1 holds only the NUL; size 0 writes nothing at all. */
    assert_int_equal(ohc_utf16le_decode(out, 1, NULL, b, n, 0), OHC_ELIMIT);
    assert_string_equal(out, "");
    out[0] = 'Z';
    assert_int_equal(ohc_utf16le_decode(out, 0, &d, b, n, 0), OHC_ELIMIT);
    assert_int_equal(out[0], 'Z');
    assert_int_equal(d.len, 0);
    assert_int_equal(ohc_utf16le_decode(out, 0, NULL, b, 0, 0), OHC_OK);
}

/* Strict UTF-8 (no surrogates, no overlongs, nothing above U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

static void test_random_input_is_valid_utf8(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    uint8_t b[65];
    char full[OHC_UTF16_UTF8_MAX(sizeof b)], part[OHC_UTF16_UTF8_MAX(sizeof b)];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % sizeof b;
        while (n < len) { /* surrogates and NULs often, so that every branch is taken */
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            uint16_t u = (r & 3) == 0   ? (uint16_t)(0xD800 + (r >> 2) % 0x800)
                         : (r & 3) == 1 ? (uint16_t)((r >> 2) % 3)
                                        : (uint16_t)(r >> 1);
            b[n++] = (uint8_t)u;
            if (n < len)
                b[n++] = (uint8_t)(u >> 8);
        }
        unsigned flags = round & 1 ? OHC_UTF16_STOP_AT_NUL : 0;
        ohc_utf16_decoded d, p;
        /* The worst-case size never runs short. */
        assert_int_equal(ohc_utf16le_decode(full, sizeof full, &d, b, len, flags), OHC_OK);
        assert_int_equal(strlen(full), d.len);
        assert_true(d.len < sizeof full);
        assert_true(d.consumed <= len && d.consumed % 2 == 0);
        assert_true(valid_utf8((const unsigned char *)full, d.len));
        /* A smaller output is a prefix of whole characters. */
        size_t size = 1 + (seed >> 8) % (d.len + 1);
        int rc = ohc_utf16le_decode(part, size, &p, b, len, flags);
        assert_true(p.len < size);
        assert_memory_equal(part, full, p.len);
        assert_true(valid_utf8((const unsigned char *)part, p.len));
        assert_int_equal(rc, p.len == d.len ? OHC_OK : OHC_ELIMIT);
    }
}

/* The decoder's rules one unit at a time, without its fast paths: what the
 * wide paths (four and eight ASCII units at once) must give. */
static int reference_decode(char *out, size_t size, ohc_utf16_decoded *info, const uint8_t *src, size_t len,
                            unsigned flags)
{
    size_t units = len / 2, i = 0, o = 0;
    int rc = OHC_OK, nul = 0;
    while (i < units) {
        uint32_t c = (uint32_t)src[2 * i] | (uint32_t)src[2 * i + 1] << 8, step = 1;
        if (c == 0) {
            i++;
            if (flags & OHC_UTF16_STOP_AT_NUL) {
                nul = 1;
                break;
            }
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t lo = (uint32_t)src[2 * i + 2] | (uint32_t)src[2 * i + 3] << 8;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                step = 2;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (size - 1 - o < n) {
            rc = OHC_ELIMIT;
            break;
        }
        if (n == 1) {
            out[o++] = (char)c;
        } else if (n == 2) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (n == 3) {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | c >> 18);
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
        i += step;
    }
    out[o] = '\0';
    info->len = o;
    info->consumed = 2 * i;
    info->stopped_at_nul = nul;
    return rc;
}

/* Mostly ASCII, as event log text is, with a NUL, a non-ASCII character or a
 * surrogate now and then at every position: the fast paths' edges. */
static void test_ascii_runs_match_reference(void **state)
{
    (void)state;
    uint32_t seed = 777;
    uint8_t b[2 * 80 + 1];
    char got[OHC_UTF16_UTF8_MAX(sizeof b)], want[OHC_UTF16_UTF8_MAX(sizeof b)];
    for (int round = 0; round < 50000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t units = (seed >> 16) % 80;
        for (size_t i = 0; i < units; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            uint16_t u = (uint16_t)(' ' + r % 95);
            if (r % 23 == 0)
                u = (uint16_t)((r >> 5) % 4 == 0   ? 0
                               : (r >> 5) % 4 == 1 ? 0x80 + (r >> 7) % 0x700
                               : (r >> 5) % 4 == 2 ? 0xD800 + (r >> 7) % 0x800
                                                   : 0x7F);
            b[2 * i] = (uint8_t)u;
            b[2 * i + 1] = (uint8_t)(u >> 8);
        }
        size_t len = 2 * units + ((seed >> 3) & 1); /* an odd byte at the end now and then */
        if (len > 2 * units)
            b[2 * units] = 0x41;
        unsigned flags = round & 1 ? OHC_UTF16_STOP_AT_NUL : 0;
        size_t size = round % 3 == 0 ? 1 + (seed >> 9) % (3 * units + 2) : sizeof got;
        ohc_utf16_decoded dg, dw;
        int rg = ohc_utf16le_decode(got, size, &dg, b, len, flags);
        int rw = reference_decode(want, size, &dw, b, len, flags);
        assert_int_equal(rg, rw);
        assert_string_equal(got, want);
        assert_int_equal(dg.len, dw.len);
        assert_int_equal(dg.consumed, dw.consumed);
        assert_int_equal(dg.stopped_at_nul, dw.stopped_at_nul);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_and_nul),
        cmocka_unit_test(test_odd_and_empty),
        cmocka_unit_test(test_non_ascii_and_surrogates),
        cmocka_unit_test(test_bounded_output),
        cmocka_unit_test(test_random_input_is_valid_utf8),
        cmocka_unit_test(test_ascii_runs_match_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
