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
#include "event_state_report.h"

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

static void event_state(const char *path)
{
    cJSON *r = state_report(NULL);
    if (ohc_event_state_mark(r, path) == OHC_OK) {
        ohc_error err;
        if (ohc_event_state_commit(r, path, &err) == OHC_OK) {
            cJSON *again = state_report(NULL);
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
