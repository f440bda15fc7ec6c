#include "host.h"

#include <stdio.h>
#include <string.h>

void ohc_host_info_init(ohc_host_info *info)
{
    memset(info, 0, sizeof *info);
    info->os_major = info->os_minor = info->os_build = info->os_ubr = -1;
    info->elevated = -1;
    info->session_id = -1;
    info->utc_offset_minutes = INT64_MIN;
}

static void add_str(cJSON *o, const char *key, const char *value)
{
    if (value[0])
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_num(cJSON *o, const char *key, int64_t value, int64_t unknown)
{
    if (value == unknown)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, (double)value);
}

cJSON *ohc_host_info_to_json(const ohc_host_info *info)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    add_str(o, "computer_name", info->computer_name);
    add_str(o, "netbios_name", info->netbios_name);
    add_str(o, "dns_domain", info->dns_domain);

    cJSON *os = cJSON_AddObjectToObject(o, "os");
    if (os != NULL) {
        add_str(os, "family", info->os_family);
        add_str(os, "product_name", info->os_product_name);
        add_str(os, "display_version", info->os_display_version);
        add_str(os, "edition", info->os_edition);
        char version[96] = ""; /* four 64-bit numbers and three dots always fit */
        if (info->os_major >= 0 && info->os_minor >= 0 && info->os_build >= 0) {
            if (info->os_ubr >= 0)
                snprintf(version, sizeof version, "%lld.%lld.%lld.%lld", (long long)info->os_major,
                         (long long)info->os_minor, (long long)info->os_build, (long long)info->os_ubr);
            else
                snprintf(version, sizeof version, "%lld.%lld.%lld", (long long)info->os_major,
                         (long long)info->os_minor, (long long)info->os_build);
        }
        add_str(os, "version", version);
        add_num(os, "major", info->os_major, -1);
        add_num(os, "minor", info->os_minor, -1);
        add_num(os, "build", info->os_build, -1);
        add_num(os, "ubr", info->os_ubr, -1);
        add_str(os, "wine_version", info->wine_version);
    }
    add_str(o, "architecture", info->architecture);

    cJSON *run = cJSON_AddObjectToObject(o, "run_as");
    if (run != NULL) {
        add_str(run, "account", info->account);
        add_str(run, "sid", info->account_sid);
        if (info->elevated < 0)
            cJSON_AddNullToObject(run, "elevated");
        else
            cJSON_AddBoolToObject(run, "elevated", info->elevated);
        add_str(run, "mode", info->run_mode);
        add_num(run, "session_id", info->session_id, -1);
    }

    cJSON *tz = cJSON_AddObjectToObject(o, "time_zone");
    if (tz != NULL) {
        add_str(tz, "name", info->time_zone);
        add_num(tz, "utc_offset_minutes", info->utc_offset_minutes, INT64_MIN);
    }
    return o;
}
