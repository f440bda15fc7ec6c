/* Civil dates and RFC 3339 text (civil_time.h): known days, leap years, a
 * round trip over twelve thousand years, far years, negative times, the
 * fraction widths, truncation, and the report's clamped form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "civil_time.h"

static void test_known_days(void **state)
{
    (void)state;
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t days;
    } known[] = {
        {1970, 1, 1, 0},       {1969, 12, 31, -1},      {2000, 2, 29, 11016},  {2000, 3, 1, 11017},
        {1900, 3, 1, -25508},  {1600, 2, 29, -135081},  {1601, 1, 1, -134774}, {0, 1, 1, -719528},
        {-1, 12, 31, -719529}, {9999, 12, 31, 2932896}, {2026, 11, 24, 20781}, {2024, 2, 29, 19782},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        assert_int_equal(ohc_civil_days_from_date(known[i].y, known[i].m, known[i].d), known[i].days);
        ohc_civil_date c;
        ohc_civil_date_from_days(&c, known[i].days);
        assert_int_equal(c.year, known[i].y);
        assert_int_equal(c.month, known[i].m);
        assert_int_equal(c.day, known[i].d);
    }
    /* 1900 is no leap year, 2000 is: the day after February 28th. */
    ohc_civil_date c;
    ohc_civil_date_from_days(&c, ohc_civil_days_from_date(1900, 2, 28) + 1);
    assert_true(c.month == 3 && c.day == 1);
    ohc_civil_date_from_days(&c, ohc_civil_days_from_date(2000, 2, 28) + 1);
    assert_true(c.month == 2 && c.day == 29);
    /* A day past the month's end counts on, as timegm does. */
    assert_int_equal(ohc_civil_days_from_date(2023, 2, 29), ohc_civil_days_from_date(2023, 3, 1));
}

static void test_round_trip(void **state)
{
    (void)state;
    /* Every day from 2000 BC to AD 10000: consecutive days are consecutive dates. */
    ohc_civil_date prev;
    int64_t first = ohc_civil_days_from_date(-2000, 1, 1), last = ohc_civil_days_from_date(10000, 12, 31);
    ohc_civil_date_from_days(&prev, first - 1);
    for (int64_t z = first; z <= last; z++) {
        ohc_civil_date c;
        ohc_civil_date_from_days(&c, z);
        assert_int_equal(ohc_civil_days_from_date(c.year, c.month, c.day), z);
        int next_day = c.year == prev.year && c.month == prev.month && c.day == prev.day + 1;
        int next_month = c.year == prev.year && c.month == prev.month + 1 && c.day == 1;
        int next_year = c.year == prev.year + 1 && c.month == 1 && c.day == 1 && prev.month == 12 && prev.day == 31;
        if (!(next_day || next_month || next_year))
            fail_msg("day %lld does not follow day %lld", (long long)z, (long long)(z - 1));
        prev = c;
    }
    /* Far out, still exact. */
    static const int64_t far[] = {INT64_C(-100000000000000), INT64_C(100000000000000), INT64_C(-719468),
                                  INT64_C(-719469),          INT64_C(146096),          INT64_C(-146097)};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        ohc_civil_date c;
        ohc_civil_date_from_days(&c, far[i]);
        assert_int_equal(ohc_civil_days_from_date(c.year, c.month, c.day), far[i]);
    }
}

static void test_format(void **state)
{
    (void)state;
    char b[OHC_RFC3339_MAX];
    assert_int_equal(ohc_civil_format_rfc3339(b, sizeof b, 0, 0, 0), 20);
    assert_string_equal(b, "1970-01-01T00:00:00Z");
    ohc_civil_format_rfc3339(b, sizeof b, 1764016525, 123, 3);
    assert_string_equal(b, "2025-11-24T20:35:25.123Z");
    ohc_civil_format_rfc3339(b, sizeof b, 1764016525, 1234567, 7); /* a FILETIME's 100 ns */
    assert_string_equal(b, "2025-11-24T20:35:25.1234567Z");
    ohc_civil_format_rfc3339(b, sizeof b, 1764016525, 5, 3);
    assert_string_equal(b, "2025-11-24T20:35:25.005Z");
    ohc_civil_format_rfc3339(b, sizeof b, -1, 999, 3);
    assert_string_equal(b, "1969-12-31T23:59:59.999Z");
    ohc_civil_format_rfc3339(b, sizeof b, -11644473600, 0, 7); /* FILETIME 0 */
    assert_string_equal(b, "1601-01-01T00:00:00.0000000Z");
    /* The largest FILETIME: a year past 9999 is written whole. */
    ohc_civil_format_rfc3339(b, sizeof b, (int64_t)(UINT64_MAX / 10000000u) - 11644473600, 5807, 7);
    assert_string_equal(b, "60056-05-28T05:36:10.0005807Z");
    ohc_civil_format_rfc3339(b, sizeof b, -62167219201, 0, 0);
    assert_string_equal(b, "-0001-12-31T23:59:59Z");
    /* Any int64_t fits OHC_RFC3339_MAX. */
    size_t n = ohc_civil_format_rfc3339(b, sizeof b, INT64_MIN, 999999999, 9);
    assert_true(n < OHC_RFC3339_MAX);
    assert_int_equal(strlen(b), n);
    n = ohc_civil_format_rfc3339(b, sizeof b, INT64_MAX, 999999999, 9);
    assert_true(n < OHC_RFC3339_MAX);
    /* A short buffer: cut, terminated, the whole length returned. */
    char s[8];
    memset(s, 'Z', sizeof s);
    assert_int_equal(ohc_civil_format_rfc3339(s, 5, 0, 0, 0), 20);
    assert_string_equal(s, "1970");
    assert_int_equal(s[5], 'Z');
}

static void test_report_form(void **state)
{
    (void)state;
    char b[32];
    ohc_format_rfc3339_utc(b, 0);
    assert_string_equal(b, "1970-01-01T00:00:00.000Z");
    ohc_format_rfc3339_utc(b, 1764016525123);
    assert_string_equal(b, "2025-11-24T20:35:25.123Z");
    ohc_format_rfc3339_utc(b, -1);
    assert_string_equal(b, "1969-12-31T23:59:59.999Z");
    ohc_format_rfc3339_utc(b, -11644473600000); /* FILETIME 0 */
    assert_string_equal(b, "1601-01-01T00:00:00.000Z");
    /* Clamped to RFC 3339's years, never overflowing. */
    ohc_format_rfc3339_utc(b, 253402300799999);
    assert_string_equal(b, "9999-12-31T23:59:59.999Z");
    ohc_format_rfc3339_utc(b, 253402300800000);
    assert_string_equal(b, "9999-12-31T23:59:59.999Z");
    ohc_format_rfc3339_utc(b, INT64_MAX);
    assert_string_equal(b, "9999-12-31T23:59:59.999Z");
    ohc_format_rfc3339_utc(b, -62167219200000);
    assert_string_equal(b, "0000-01-01T00:00:00.000Z");
    ohc_format_rfc3339_utc(b, -62167219200001);
    assert_string_equal(b, "0000-01-01T00:00:00.000Z");
    ohc_format_rfc3339_utc(b, INT64_MIN);
    assert_string_equal(b, "0000-01-01T00:00:00.000Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_report_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
