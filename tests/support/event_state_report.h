/* Reports for the event-state tests (tests/unit/test_event_state.c) and
 * fuzz target (tests/fuzz/fuzz_state_files.c): facts.events as the events
 * probe writes them, with the members the state looks at. Header-only: each
 * executable includes it once. */
#ifndef OHC_TEST_EVENT_STATE_REPORT_H
#define OHC_TEST_EVENT_STATE_REPORT_H

#include <cjson/cJSON.h>

/* An Outlook or BITS event; computer and kind (decoded.kind) may be NULL. */
static inline cJSON *state_event(const char *channel, const char *computer, double rid, const char *time,
                                 const char *kind)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "channel", channel);
    cJSON_AddStringToObject(e, "provider", "Outlook");
    cJSON_AddNumberToObject(e, "event_id", 27);
    cJSON_AddNumberToObject(e, "record_id", rid);
    cJSON_AddStringToObject(e, "time_created", time);
    if (computer)
        cJSON_AddStringToObject(e, "computer", computer);
    else
        cJSON_AddNullToObject(e, "computer");
    if (kind)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "decoded"), "kind", kind);
    return e;
}

static inline cJSON *state_transfer(double rid, int event_id, double hr, int oab)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "event_id", event_id);
    cJSON_AddNumberToObject(t, "record_id", rid);
    cJSON_AddNumberToObject(t, "hr", hr);
    cJSON_AddBoolToObject(t, "oab", oab);
    return t;
}

/* A report with Outlook events (rids 10, 11 at 10:00 and 10:05 on PC1; the
 * extra one first when not NULL, taken) and BITS events 20 (a transfer
 * failing on an OAB URL) and 21 (success). */
static inline cJSON *state_report(cJSON *extra_oab_event)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "report_id", "11111111-2222-4333-8444-555555555555");
    cJSON_AddStringToObject(r, "generated_at", "2026-11-24T12:00:00.000Z");
    cJSON *ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    cJSON_AddStringToObject(ev, "source", "live");
    cJSON *q = cJSON_AddObjectToObject(ev, "queries");
    cJSON_AddObjectToObject(q, "outlook_oab");
    cJSON_AddObjectToObject(q, "bits_client");
    cJSON *oab = cJSON_AddObjectToObject(ev, "outlook_oab");
    cJSON *list = cJSON_AddArrayToObject(oab, "events");
    if (extra_oab_event)
        cJSON_AddItemToArray(list, extra_oab_event);
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 11, "2026-11-24T10:05:00.000Z", "failure"));
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 10, "2026-11-24T10:00:00.000Z", "start"));
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(oab, "summary"), "failure_count", 1);
    cJSON *bits = cJSON_AddObjectToObject(ev, "bits_client");
    list = cJSON_AddArrayToObject(bits, "events");
    const char *ch = "Microsoft-Windows-Bits-Client/Operational";
    cJSON_AddItemToArray(list, state_event(ch, "PC1", 21, "2026-11-24T10:06:00.000Z", NULL));
    cJSON_AddItemToArray(list, state_event(ch, "PC1", 20, "2026-11-24T10:04:00.000Z", NULL));
    cJSON *tr = cJSON_AddArrayToObject(bits, "transfers");
    cJSON_AddItemToArray(tr, state_transfer(20, 60, 2149187988.0 /* 0x80190194 */, 1));
    cJSON_AddItemToArray(tr, state_transfer(21, 60, 0, 1));
    cJSON_AddObjectToObject(bits, "summary");
    return r;
}

#endif
