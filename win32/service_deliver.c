/* Where a service report goes after last-report.json: into the spool
 * (%ProgramData%\OutlookHealthCollector\spool, bounded by SpoolMaxMB), then
 * the spool is drained to UploadUrl by the upload code (collector/upload.h):
 * delivered reports leave it, refused ones go to rejected/, the rest wait for
 * the service's next retry. Each attempt is logged without the token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ohc_messages.h"
#include "service.h"
#include "spool.h"
#include "svclog.h"
#include "upload.h"

/* Attempts per report and run: the service retries between collections, so a
 * run stays short (and a stop never waits for a long backoff). */
#define SERVICE_UPLOAD_ATTEMPTS 2u

static int open_spool(ohc_spool *sp, const ohc_config *cfg, const char *state_dir, ohc_error *err)
{
    char dir[OHC_SPOOL_PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s\\spool", state_dir) >= (int)sizeof dir)
        return ohc_error_set(err, OHC_ELIMIT, 0, "spool path too long");
    ohc_spool_limits limits = {0, (uint64_t)ohc_config_num(cfg, OHC_SET_SPOOL_MAX_MB) << 20, 0};
    return ohc_spool_open(sp, dir, &limits, err);
}

static int count_pending(ohc_spool *sp)
{
    ohc_spool_entry *entries = NULL;
    size_t n = 0;
    if (ohc_spool_list(&entries, &n, sp, NULL) != OHC_OK)
        return 1;
    free(entries);
    return n > 0;
}

static int drain(const ohc_config *cfg, ohc_spool *sp, int *out_pending, uint64_t *out_retry_after_ms)
{
    const char *token = ohc_config_str(cfg, OHC_SET_UPLOAD_TOKEN);
    ohc_upload_config uc;
    memset(&uc, 0, sizeof uc);
    uc.url = ohc_config_str(cfg, OHC_SET_UPLOAD_URL);
    uc.token = token[0] ? token : NULL;
    uc.allow_http = ohc_config_num(cfg, OHC_SET_ALLOW_INSECURE_HTTP) != 0;
    uc.max_attempts = SERVICE_UPLOAD_ATTEMPTS;
    ohc_uploader *u = NULL;
    ohc_error err;
    ohc_error_clear(&err);
    *out_retry_after_ms = 0;
    if (ohc_uploader_new(&u, &uc, &err) != OHC_OK) {
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_UPLOAD_FAILED, err.message);
        *out_pending = count_pending(sp);
        return err.code;
    }
    ohc_upload_stats st;
    memset(&st, 0, sizeof st);
    int rc = ohc_upload_drain(u, sp, &st, &err);
    const char *proxy = ohc_uploader_proxy(u);
    if (rc != OHC_OK)
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_UPLOAD_FAILED, err.message);
    *out_pending = count_pending(sp);
    ohc_svclog(st.retried_later || st.rejected ? OHC_LOG_WARNING : OHC_LOG_INFO,
               "upload: %u delivered, %u kept for a retry, %u rejected (see spool\\rejected), %u attempt(s)%s%s",
               st.delivered, st.retried_later, st.rejected, st.attempts, proxy[0] ? ", proxy " : "", proxy);
    ohc_uploader_free(u);
    return rc;
}

int ohc_service_deliver(const ohc_config *cfg, const char *state_dir, const char *json, int *out_pending,
                        uint64_t *out_retry_after_ms)
{
    ohc_spool sp;
    ohc_error err;
    ohc_error_clear(&err);
    *out_pending = 0;
    *out_retry_after_ms = 0;
    if (open_spool(&sp, cfg, state_dir, &err) != OHC_OK) {
        ohc_svclog(OHC_LOG_ERROR, "cannot open the spool: %s", err.message);
        return err.code;
    }
    cJSON *r = cJSON_Parse(json);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "report_id");
    char name[64];
    unsigned dropped = 0;
    int rc = ohc_spool_add(&sp, name, &dropped, cJSON_IsString(id) ? id->valuestring : "", json, strlen(json), &err);
    cJSON_Delete(r);
    if (rc != OHC_OK) {
        ohc_svclog(OHC_LOG_ERROR, "cannot spool the report: %s", err.message);
        return rc;
    }
    if (dropped)
        ohc_svclog(OHC_LOG_WARNING, "spool full (SpoolMaxMB): %u older report(s) dropped", dropped);
    return drain(cfg, &sp, out_pending, out_retry_after_ms);
}

int ohc_service_retry_spool(const ohc_config *cfg, const char *state_dir, int *out_pending,
                            uint64_t *out_retry_after_ms)
{
    ohc_spool sp;
    ohc_error err;
    ohc_error_clear(&err);
    *out_pending = 0;
    *out_retry_after_ms = 0;
    if (ohc_config_str(cfg, OHC_SET_UPLOAD_URL)[0] == '\0')
        return OHC_OK;
    if (open_spool(&sp, cfg, state_dir, &err) != OHC_OK) {
        ohc_svclog(OHC_LOG_ERROR, "cannot open the spool: %s", err.message);
        return err.code;
    }
    if (!count_pending(&sp))
        return OHC_OK;
    return drain(cfg, &sp, out_pending, out_retry_after_ms);
}
