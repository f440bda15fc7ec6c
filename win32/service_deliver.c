/* Where a service report goes after last-report.json: the upload code
 * (issue 7) with its spool. Until that code is on main, reports are kept in
 * the spool folder and the log says that nothing was sent. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "os.h"
#include "service.h"
#include "svclog.h"

int ohc_service_deliver(const ohc_config *cfg, const char *state_dir, const char *json, int *out_pending,
                        uint64_t *out_retry_after_ms)
{
    (void)cfg;
    *out_pending = 0;
    *out_retry_after_ms = 0;
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s\\spool", state_dir);
    cJSON *r = cJSON_Parse(json);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "report_id");
    snprintf(path, sizeof path, "%s\\%s.json", dir, cJSON_IsString(id) ? id->valuestring : "report");
    cJSON_Delete(r);
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_os_mkdir_p(dir, &err) != OHC_OK || ohc_os_write_file_atomic(path, json, strlen(json), &err) != OHC_OK) {
        ohc_svclog(OHC_LOG_ERROR, "cannot spool the report: %s", err.message);
        return err.code ? err.code : OHC_EIO;
    }
    ohc_svclog(OHC_LOG_WARNING, "upload is not in this build yet: report kept in %s, not sent", path);
    return OHC_OK;
}

int ohc_service_retry_spool(const ohc_config *cfg, const char *state_dir, int *out_pending,
                            uint64_t *out_retry_after_ms)
{
    (void)cfg;
    (void)state_dir;
    *out_pending = 0;
    *out_retry_after_ms = 0;
    return OHC_OK;
}
