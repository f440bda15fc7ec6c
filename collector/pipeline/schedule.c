#include "schedule.h"

uint64_t ohc_schedule_jitter(uint64_t base_ms, unsigned percent, uint32_t rnd)
{
    if (base_ms == 0 || percent == 0)
        return base_ms;
    if (percent > 100)
        percent = 100;
    uint64_t span = base_ms / 100u * percent + base_ms % 100u * percent / 100u; /* base*percent/100 without overflow */
    /* offset uniform in [-span, +span] */
    uint64_t offset = span == 0 ? 0 : (uint64_t)rnd % (2u * span + 1u);
    return base_ms - span + offset;
}

static uint64_t minutes_ms(uint32_t minutes)
{
    return (uint64_t)minutes * 60u * 1000u;
}

void ohc_schedule_start(ohc_schedule *s, uint64_t now_ms, uint32_t startup_delay_minutes, uint32_t rnd)
{
    s->next_collect_ms =
        now_ms + ohc_schedule_jitter(minutes_ms(startup_delay_minutes), OHC_SCHEDULE_JITTER_PERCENT, rnd);
    s->next_retry_ms = OHC_SCHEDULE_NEVER;
    s->last_event_collect_ms = 0;
    s->last_collect_end_ms = 0;
    s->interval_minutes = 0;
}

void ohc_schedule_collected(ohc_schedule *s, uint64_t now_ms, uint32_t interval_minutes, uint32_t rnd)
{
    if (interval_minutes == 0)
        interval_minutes = 1;
    s->next_collect_ms = now_ms + ohc_schedule_jitter(minutes_ms(interval_minutes), OHC_SCHEDULE_JITTER_PERCENT, rnd);
    s->last_collect_end_ms = now_ms;
    s->interval_minutes = interval_minutes;
    if (s->next_retry_ms != OHC_SCHEDULE_NEVER && s->next_retry_ms > s->next_collect_ms)
        s->next_retry_ms = s->next_collect_ms;
}

int ohc_schedule_reconfigure(ohc_schedule *s, uint64_t now_ms, uint32_t interval_minutes, uint32_t rnd)
{
    if (interval_minutes == 0)
        interval_minutes = 1;
    if (s->interval_minutes == 0 || interval_minutes == s->interval_minutes)
        return 0;
    uint64_t next =
        s->last_collect_end_ms + ohc_schedule_jitter(minutes_ms(interval_minutes), OHC_SCHEDULE_JITTER_PERCENT, rnd);
    s->interval_minutes = interval_minutes;
    s->next_collect_ms = next > now_ms ? next : now_ms;
    if (s->next_retry_ms != OHC_SCHEDULE_NEVER && s->next_retry_ms > s->next_collect_ms)
        s->next_retry_ms = s->next_collect_ms;
    return 1;
}

int ohc_schedule_event(ohc_schedule *s, uint64_t now_ms)
{
    uint64_t due = now_ms + OHC_SCHEDULE_EVENT_DEBOUNCE_MS;
    if (s->last_event_collect_ms != 0 && now_ms < s->last_event_collect_ms + OHC_SCHEDULE_EVENT_MIN_GAP_MS)
        due = s->last_event_collect_ms + OHC_SCHEDULE_EVENT_MIN_GAP_MS;
    if (due >= s->next_collect_ms)
        return 0;
    s->next_collect_ms = due;
    s->last_event_collect_ms = due;
    return 1;
}

void ohc_schedule_spool(ohc_schedule *s, uint64_t now_ms, int pending, uint64_t retry_after_ms, uint32_t rnd)
{
    if (!pending) {
        s->next_retry_ms = OHC_SCHEDULE_NEVER;
        return;
    }
    if (retry_after_ms < OHC_SCHEDULE_RETRY_MIN_MS)
        retry_after_ms = OHC_SCHEDULE_RETRY_MIN_MS;
    uint64_t at = now_ms + ohc_schedule_jitter(retry_after_ms, OHC_SCHEDULE_JITTER_PERCENT, rnd);
    s->next_retry_ms = at < s->next_collect_ms ? at : s->next_collect_ms;
}

uint32_t ohc_schedule_wait_ms(const ohc_schedule *s, uint64_t now_ms, uint32_t max_wait_ms)
{
    uint64_t due = s->next_collect_ms < s->next_retry_ms ? s->next_collect_ms : s->next_retry_ms;
    if (due <= now_ms)
        return 0;
    uint64_t wait = due - now_ms;
    return wait > max_wait_ms ? max_wait_ms : (uint32_t)wait;
}
