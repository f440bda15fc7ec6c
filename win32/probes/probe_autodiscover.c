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

static int scan(cJSON *p, const ohc_user_profile *profile, int64_t now_ms)
{
    return ohc_autodiscover_scan_profile(p, profile->local_appdata, now_ms);
}

void ohc_win32_probe_autodiscover(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    cJSON *facts = cJSON_CreateObject();
    ohc_probe_status status;
    ohc_error err;
    if (facts == NULL ||
        ohc_user_profiles_scan(facts, ctx, scan,
                               "cached Autodiscover file(s) or folder(s) could not be read or parsed: see each "
                               "file's error",
                               &status, &err) != 0 ||
        ohc_autodiscover_summarise(facts, cJSON_GetObjectItemCaseSensitive(ctx->prior_facts, "outlook")) != 0 ||
        ohc_exchange_hosts_facts(facts, ctx->prior_facts, ctx->options->oab_urls, ctx->options->oab_url_count) != 0) {
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    ohc_probe_take_facts(out, facts);
    if (out->status == OHC_PROBE_OK && status != OHC_PROBE_OK) {
        out->status = status;
        out->error = err;
    }
}
