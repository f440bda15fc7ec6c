/* The service's schedule arithmetic: jitter bounds, startup delay 0, the
 * interval after a collection, the debounce after an Outlook event, spool
 * retries that never outlast the next collection, and the wait clamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schedule.h"

#define MIN_MS (60u * 1000u)

static void test_jitter_bounds(void **state)
{
    (void)state;
    uint64_t base = 240u * MIN_MS, lo = UINT64_MAX, hi = 0;
    uint32_t r = 12345;
    for (int i = 0; i < 100000; i++) {
        r = r * 1664525u + 1013904223u;
        uint64_t j = ohc_schedule_jitter(base, 10, r);
        lo = j < lo ? j : lo;
        hi = j > hi ? j : hi;
    }
    assert_true(lo >= base - base / 10 && hi <= base + base / 10);
    /* it really spreads: close to both ends */
    assert_true(lo < base - base / 10 + base / 100);
    assert_true(hi > base + base / 10 - base / 100);
    assert_int_equal(ohc_schedule_jitter(0, 10, 777), 0);
    assert_int_equal(ohc_schedule_jitter(base, 0, 777), base);
    assert_int_equal(ohc_schedule_jitter(UINT64_MAX / 2, 10, 0),
                     UINT64_MAX / 2 - (UINT64_MAX / 2) / 100 * 10 - ((UINT64_MAX / 2) % 100) * 10 / 100);
    assert_int_equal(ohc_schedule_jitter(100, 200, 0), 0); /* percent capped at 100, never below 0 */
}

static void test_start_and_interval(void **state)
{
    (void)state;
    ohc_schedule s;
    ohc_schedule_start(&s, 1000, 0, 99);
    assert_int_equal(s.next_collect_ms, 1000); /* delay 0: at once */
    assert_int_equal(ohc_schedule_wait_ms(&s, 1000, 0x7fffffff), 0);
    ohc_schedule_start(&s, 1000, 5, 0);
    assert_true(s.next_collect_ms >= 1000 + 270000 && s.next_collect_ms <= 1000 + 330000);
    assert_int_equal(s.next_retry_ms, OHC_SCHEDULE_NEVER);
    ohc_schedule_collected(&s, 50000, 1, 0);
    assert_true(s.next_collect_ms >= 50000 + 54000 && s.next_collect_ms <= 50000 + 66000);
    ohc_schedule_collected(&s, 50000, 0, 0); /* 0 is treated as the minimum, 1 minute */
    assert_true(s.next_collect_ms >= 50000 + 54000);
}

static void test_event_debounce(void **state)
{
    (void)state;
    ohc_schedule s;
    ohc_schedule_start(&s, 0, 0, 0);
    ohc_schedule_collected(&s, 0, 240, 0x7fffffff);
    uint64_t scheduled = s.next_collect_ms;
    assert_int_equal(ohc_schedule_event(&s, 10 * MIN_MS), 1);
    assert_int_equal(s.next_collect_ms, 10 * MIN_MS + OHC_SCHEDULE_EVENT_DEBOUNCE_MS);
    /* a second event within the gap does not pull it earlier, nor push it later */
    assert_int_equal(ohc_schedule_event(&s, 11 * MIN_MS), 0);
    assert_int_equal(s.next_collect_ms, 10 * MIN_MS + OHC_SCHEDULE_EVENT_DEBOUNCE_MS);
    /* after that collection, a new event inside the minimum gap waits for the gap */
    ohc_schedule_collected(&s, 14 * MIN_MS, 240, 0);
    assert_int_equal(ohc_schedule_event(&s, 15 * MIN_MS), 1);
    assert_int_equal(s.next_collect_ms, 10 * MIN_MS + OHC_SCHEDULE_EVENT_DEBOUNCE_MS + OHC_SCHEDULE_EVENT_MIN_GAP_MS);
    /* an event never delays a collection that is due sooner */
    ohc_schedule_start(&s, 0, 1, 0);
    assert_int_equal(ohc_schedule_event(&s, 0), 0);
    (void)scheduled;
}

static void test_spool_retry(void **state)
{
    (void)state;
    ohc_schedule s;
    ohc_schedule_start(&s, 0, 0, 0);
    ohc_schedule_collected(&s, 0, 240, 0);
    ohc_schedule_spool(&s, 0, 1, 0, 0); /* no backoff given: the minimum */
    assert_true(s.next_retry_ms >= OHC_SCHEDULE_RETRY_MIN_MS * 9 / 10 &&
                s.next_retry_ms <= OHC_SCHEDULE_RETRY_MIN_MS * 11 / 10);
    assert_int_equal(ohc_schedule_wait_ms(&s, 0, 0x7fffffff), s.next_retry_ms);
    ohc_schedule_spool(&s, 0, 1, 1000ull * 3600 * 24 * 365, 0); /* huge Retry-After: capped by the next collection */
    assert_int_equal(s.next_retry_ms, s.next_collect_ms);
    ohc_schedule_spool(&s, 0, 0, 0, 0);
    assert_int_equal(s.next_retry_ms, OHC_SCHEDULE_NEVER);
    /* the wait is clamped for a DWORD timeout */
    ohc_schedule_collected(&s, 0, 43200, 0);
    assert_int_equal(ohc_schedule_wait_ms(&s, 0, 0x7fffffff), 0x7fffffff);
    assert_int_equal(ohc_schedule_wait_ms(&s, s.next_collect_ms + 5, 0x7fffffff), 0);
}

static void test_reconfigure(void **state)
{
    (void)state;
    ohc_schedule s;
    ohc_schedule_start(&s, 0, 5, 0);
    assert_int_equal(ohc_schedule_reconfigure(&s, 1000, 60, 0), 0); /* no collection yet: the delay stands */
    ohc_schedule_collected(&s, 10 * MIN_MS, 240, 0x7fffffff);
    assert_int_equal(ohc_schedule_reconfigure(&s, 11 * MIN_MS, 240, 0), 0); /* same interval: untouched */
    /* 240 -> 1 minute, one minute after the last collection ended */
    assert_int_equal(ohc_schedule_reconfigure(&s, 10 * MIN_MS + 20000, 1, 0x12345), 1);
    assert_true(s.next_collect_ms >= 10 * MIN_MS + 54000 && s.next_collect_ms <= 10 * MIN_MS + 66000);
    /* 1 -> 2 minutes long after: due at once, never in the past */
    assert_int_equal(ohc_schedule_reconfigure(&s, 30 * MIN_MS, 2, 0), 1);
    assert_int_equal(s.next_collect_ms, 30 * MIN_MS);
}

/* A simulated clock that sleeps: the service waits in slices of at most
 * OHC_SCHEDULE_MAX_WAIT_MS, each measured in awake time only (Windows 8+
 * waits), while the due time is in a clock that keeps counting during sleep.
 * A PC that sleeps through its collection collects within one slice of
 * waking, never after the rest of its awake wait. */
static void test_sleep_does_not_delay(void **state)
{
    (void)state;
    ohc_schedule s;
    ohc_schedule_start(&s, 0, 60, 0x80000000u); /* due in about an hour */
    uint64_t due = s.next_collect_ms;
    uint64_t now = 0, asleep_from = 10u * 60u * 1000u, asleep_for = 8u * 3600u * 1000u;
    int waits = 0;
    for (;;) {
        uint32_t wait = ohc_schedule_wait_ms(&s, now, OHC_SCHEDULE_MAX_WAIT_MS);
        assert_true(wait <= OHC_SCHEDULE_MAX_WAIT_MS);
        if (wait == 0)
            break;
        /* the awake part of this wait; the PC sleeps once, for 8 h, inside a wait */
        if (now < asleep_from && now + wait > asleep_from)
            now += asleep_for; /* the clock runs on while asleep; the wait's own timeout does not */
        now += wait;
        assert_true(++waits < 100);
    }
    assert_true(now >= due);
    /* the collection starts at most one slice after the wake */
    assert_true(now <= asleep_from + asleep_for + OHC_SCHEDULE_MAX_WAIT_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jitter_bounds),  cmocka_unit_test(test_start_and_interval),
        cmocka_unit_test(test_event_debounce), cmocka_unit_test(test_spool_retry),
        cmocka_unit_test(test_reconfigure),    cmocka_unit_test(test_sleep_does_not_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
