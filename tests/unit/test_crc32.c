/* ohc_crc32 (crc32.h) against zlib's crc32, the reference: the check value,
 * every length around the folding's 16- and 64-byte steps, every alignment,
 * and a checksum continued over pieces. On this machine's processors the
 * folding path runs (natively and under Wine); zlib answers elsewhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <zlib.h>

#include "crc32.h"

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(ohc_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(ohc_crc32(0, NULL, 0), 0);
    static uint8_t zeros[4096];
    assert_int_equal(ohc_crc32(0, zeros, sizeof zeros), (uint32_t)crc32(0L, zeros, sizeof zeros));
}

static void test_lengths_and_alignments_match_zlib(void **state)
{
    (void)state;
    static uint8_t buf[4096 + 16];
    uint32_t seed = 2463534242u;
    for (size_t i = 0; i < sizeof buf; i++) {
        seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
        buf[i] = (uint8_t)seed;
    }
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n + off <= sizeof buf; n += n < 300 ? 1 : 61) {
            uint32_t want = (uint32_t)crc32(0L, buf + off, (uInt)n);
            if (ohc_crc32(0, buf + off, n) != want)
                fail_msg("offset %zu length %zu: 0x%08x, zlib 0x%08x", off, n, ohc_crc32(0, buf + off, n), want);
        }
}

static void test_continued_over_pieces(void **state)
{
    (void)state;
    static uint8_t buf[65536];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    uint32_t whole = (uint32_t)crc32(0L, buf, sizeof buf);
    assert_int_equal(ohc_crc32(0, buf, sizeof buf), whole);
    /* an .evtx chunk header is checked as two pieces around its checksum */
    for (size_t cut = 0; cut <= sizeof buf; cut += 997)
        assert_int_equal(ohc_crc32(ohc_crc32(0, buf, cut), buf + cut, sizeof buf - cut), whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_lengths_and_alignments_match_zlib),
        cmocka_unit_test(test_continued_over_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
