/* The Autodiscover cache probe on Windows: its OS half is the list of user
 * profiles (user_profiles.h); reading and parsing each profile's cache is
 * portable (collector/exchange/autodiscover.c). */
#include <windows.h>
#include <stdlib.h>

#include "autodiscover.h"
#include "exchange_hosts.h"
#include "os.h"
#include "probes_win32.h"
#include "user_profiles.h"
#include "win32util.h"

void ohc_win32_probe_autodiscover(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    cJSON *facts = cJSON_CreateObject();
    cJSON *profiles = facts ? cJSON_AddArrayToObject(facts, "profiles") : NULL;
    ohc_user_profile *list = NULL;
    size_t count = 0;
    int capped = 0, bad = 0, stopped = 0, nomem = profiles == NULL;
    ohc_error list_err;
    ohc_error_clear(&list_err);
    if (!nomem)
        ohc_user_profiles_list(&list, &count, &capped, ctx->options->as_service || ohc_win32_running_as_service(),
                               &list_err);
    int64_t now = ohc_os_utc_now_ms();
    for (size_t i = 0; i < count && !nomem; i++) {
        if (ohc_probe_cancelled(ctx) || ohc_os_monotonic_ms() + 500 >= ctx->deadline_ms) {
            stopped = 1;
            break;
        }
        cJSON *p = ohc_user_profile_json(profiles, &list[i]);
        int r = p ? ohc_autodiscover_scan_profile(p, list[i].local_appdata, now) : -1;
        if (r < 0)
            nomem = 1;
        else
            bad += r;
    }
    free(list);
    if (!nomem &&
        (!cJSON_AddBoolToObject(facts, "profiles_capped", capped) ||
         ohc_autodiscover_summarise(facts, cJSON_GetObjectItemCaseSensitive(ctx->prior_facts, "outlook")) != 0 ||
         ohc_exchange_hosts_facts(facts, ctx->prior_facts, ctx->options->oab_urls, ctx->options->oab_url_count) != 0))
        nomem = 1;
    if (nomem) {
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    ohc_probe_take_facts(out, facts);
    if (out->status != OHC_PROBE_OK)
        return;
    if (stopped) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, ohc_probe_cancelled(ctx) ? OHC_ECANCELLED : OHC_ETIMEOUT, 0,
                      "stopped before every user profile was read (time budget or service stop)");
    } else if (list_err.code != OHC_OK) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = list_err;
    } else if (bad > 0) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_EMALFORMED, 0,
                      "%d cached Autodiscover file(s) or folder(s) could not be read or parsed: see each file's error",
                      bad);
    }
}
