/* libFuzzer target for two small state files of the service's state folder,
 * untrusted once on disk (half-written, edited, damaged):
 *   - event-state.json (collector/events/event_state.h): which events the
 *     last collection saw. A report with Outlook and BITS events is marked
 *     against the input, the state committed, and marked again: the state
 *     ohc wrote must read back (baseline "previous_collection").
 *   - oab-check-budget.json (collector/exchange/oab_check.h): the OAB checks
 *     of the last 24 hours. A check is taken against the input, then another:
 *     the state ohc wrote must read back without a state error.
 * Input: a selector byte (even: event state, odd: budget; its upper bits the
 * budget's limit), then the file's bytes. The files live in /dev/shm when the
 * machine has it (both are written atomically, with an fsync). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_state.h"
#include "oab_check.h"
#include "os.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void remove_dir(void)
{
    char p[320];
    snprintf(p, sizeof p, "%s/event-state.json", dir);
    remove(p);
    snprintf(p, sizeof p, "%s/oab-check-budget.json", dir);
    remove(p);
    rmdir(dir);
}

static cJSON *event(const char *channel, double rid, const char *time)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "channel", channel);
    cJSON_AddStringToObject(e, "provider", "Outlook");
    cJSON_AddNumberToObject(e, "event_id", 27);
    cJSON_AddNumberToObject(e, "record_id", rid);
    cJSON_AddStringToObject(e, "time_created", time);
    cJSON_AddStringToObject(e, "computer", "PC1");
    return e;
}

/* Outlook events 10 and 11, BITS events 20 and 21 (a failing OAB transfer). */
static cJSON *make_report(void)
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
    cJSON_AddItemToArray(list, event("Application", 11, "2026-11-24T10:05:00.000Z"));
    cJSON_AddItemToArray(list, event("Application", 10, "2026-11-24T10:00:00.000Z"));
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(oab, "summary"), "failure_count", 1);
    cJSON *bits = cJSON_AddObjectToObject(ev, "bits_client");
    list = cJSON_AddArrayToObject(bits, "events");
    const char *ch = "Microsoft-Windows-Bits-Client/Operational";
    cJSON_AddItemToArray(list, event(ch, 21, "2026-11-24T10:06:00.000Z"));
    cJSON_AddItemToArray(list, event(ch, 20, "2026-11-24T10:04:00.000Z"));
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "event_id", 60);
    cJSON_AddNumberToObject(t, "record_id", 20);
    cJSON_AddNumberToObject(t, "hr", 2149187988.0);
    cJSON_AddBoolToObject(t, "oab", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(bits, "transfers"), t);
    cJSON_AddObjectToObject(bits, "summary");
    return r;
}

static void event_state(const char *path)
{
    cJSON *r = make_report();
    if (ohc_event_state_mark(r, path) == OHC_OK) {
        ohc_error err;
        if (ohc_event_state_commit(r, path, &err) == OHC_OK) {
            cJSON *again = make_report();
            if (ohc_event_state_mark(again, path) == OHC_OK) {
                const char *baseline = ohc_report_str(again, "facts.events.new_events.baseline");
                if (baseline == NULL || strcmp(baseline, "previous_collection") != 0)
                    abort(); /* a state ohc wrote must read back */
            }
            cJSON_Delete(again);
        }
    }
    cJSON_Delete(r);
}

static void budget(const char *path, unsigned limit)
{
    const int64_t now = 1796000000000; /* 2026-11-30 */
    unsigned used = 0;
    char why[256], state_error[256];
    int took = ohc_oab_daily_budget_take(path, limit, now, &used, why, sizeof why, state_error, sizeof state_error);
    if (used > OHC_OAB_DAILY_LIMIT_MAX + 1 || (took && used >= limit))
        abort();
    if (took) {
        unsigned used2 = 0;
        ohc_oab_daily_budget_take(path, limit, now + 1000, &used2, why, sizeof why, state_error, sizeof state_error);
        if (state_error[0] != '\0' || used2 < 1)
            abort(); /* the state ohc wrote must read back, with this check in it */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dir[0] == '\0') {
        struct stat st;
        const char *tmp = getenv("TMPDIR");
        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
            tmp = "/dev/shm";
        snprintf(dir, sizeof dir, "%s/ohc-fuzz-state.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL)
            abort();
        atexit(remove_dir);
    }
    if (size == 0)
        return 0;
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, data[0] & 1 ? "oab-check-budget.json" : "event-state.json");
    if (ohc_os_write_file_atomic(path, data + 1, size - 1, NULL) != OHC_OK)
        abort();
    if (data[0] & 1)
        budget(path, 1 + (data[0] >> 1) % 8);
    else
        event_state(path);
    remove(path);
    return 0;
}
