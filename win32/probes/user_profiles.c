#include "user_profiles.h"

#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "os.h"
#include "user_hives.h"
#include "win32util.h"

#define PROFILE_LIST L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

/* <ProfileImagePath>\AppData\Local of one ProfileList entry, "" when absent. */
static void profile_local_appdata(char *out, size_t size, HKEY list, const wchar_t *sid)
{
    out[0] = '\0';
    BYTE *data = NULL;
    DWORD type = 0, len = 0;
    ohc_error err;
    if (ohc_reg_read(&data, &type, &len, list, sid, L"ProfileImagePath", 0, &err) != OHC_OK)
        return;
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
        wchar_t expanded[MAX_PATH * 2];
        DWORD n = ExpandEnvironmentStringsW((const wchar_t *)data, expanded, MAX_PATH * 2);
        if (n > 0 && n <= MAX_PATH * 2) {
            char path[MAX_PATH * 6];
            ohc_utf8_copy_w(path, sizeof path, expanded, -1);
            snprintf(out, size, "%s\\AppData\\Local", path);
        }
    }
    free(data);
}

int ohc_user_profiles_list(ohc_user_profile **out, size_t *out_count, int *out_capped, int as_service, ohc_error *err)
{
    *out = NULL;
    *out_count = 0;
    *out_capped = 0;
    ohc_user_profile *list = calloc(OHC_USER_HIVES_MAX, sizeof *list);
    if (list == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory listing user profiles");
    size_t n = 0;
    char me[192] = "";
    int have_me = ohc_win32_process_user(me, sizeof me, NULL, 0);
    int me_listed = 0;
    if (have_me && !as_service && !ohc_sid_is_service_account(me)) {
        wchar_t *w = NULL;
        if (SUCCEEDED(SHGetKnownFolderPath(&FOLDERID_LocalAppData, 0, NULL, &w)) && w != NULL) {
            ohc_user_profile *p = &list[n++];
            snprintf(p->sid, sizeof p->sid, "%s", me);
            ohc_win32_process_user(NULL, 0, p->account, sizeof p->account);
            p->source = "current_user";
            ohc_utf8_copy_w(p->local_appdata, sizeof p->local_appdata, w, -1);
            me_listed = 1;
        }
        CoTaskMemFree(w);
    }
    HKEY key;
    LSTATUS rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, PROFILE_LIST, 0, KEY_READ, &key);
    if (rc != ERROR_SUCCESS) {
        *out = list;
        *out_count = n;
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "cannot open the ProfileList key");
    }
    for (DWORD i = 0;; i++) {
        wchar_t name[256];
        DWORD nlen = 256;
        rc = RegEnumKeyExW(key, i, name, &nlen, NULL, NULL, NULL, NULL);
        if (rc == ERROR_MORE_DATA)
            continue; /* no SID is that long */
        if (rc != ERROR_SUCCESS)
            break;
        char sid[256];
        ohc_utf8_copy_w(sid, sizeof sid, name, -1);
        if (!ohc_hive_name_is_user(sid) || ohc_sid_is_service_account(sid) || (me_listed && strcmp(sid, me) == 0))
            continue;
        if (n == OHC_USER_HIVES_MAX) {
            *out_capped = 1;
            break;
        }
        ohc_user_profile *p = &list[n];
        profile_local_appdata(p->local_appdata, sizeof p->local_appdata, key, name);
        if (p->local_appdata[0] == '\0')
            continue;
        snprintf(p->sid, sizeof p->sid, "%s", sid);
        ohc_win32_sid_text_account(p->account, sizeof p->account, name, NULL);
        p->source = "profile_list";
        n++;
    }
    RegCloseKey(key);
    *out = list;
    *out_count = n;
    return OHC_OK;
}

cJSON *ohc_user_profile_json(cJSON *profiles, const ohc_user_profile *p)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(profiles, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    p->account[0] ? cJSON_AddStringToObject(o, "user", p->account) : cJSON_AddNullToObject(o, "user");
    p->sid[0] ? cJSON_AddStringToObject(o, "sid", p->sid) : cJSON_AddNullToObject(o, "sid");
    cJSON_AddStringToObject(o, "source", p->source);
    cJSON_AddStringToObject(o, "local_appdata", p->local_appdata);
    return o;
}

int ohc_user_profiles_scan(cJSON *facts, const ohc_probe_context *ctx, ohc_user_profile_scan_fn scan,
                           const char *what_bad, ohc_probe_status *out_status, ohc_error *out_error)
{
    *out_status = OHC_PROBE_OK;
    ohc_error_clear(out_error);
    cJSON *profiles = cJSON_AddArrayToObject(facts, "profiles");
    if (profiles == NULL)
        return -1;
    ohc_user_profile *list = NULL;
    size_t count = 0;
    int capped = 0, bad = 0, stopped = 0, rc = 0;
    ohc_error list_err;
    ohc_error_clear(&list_err);
    ohc_user_profiles_list(&list, &count, &capped, ctx->options->as_service || ohc_win32_running_as_service(),
                           &list_err);
    int64_t now = ohc_os_utc_now_ms();
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (ohc_probe_cancelled(ctx) || ohc_os_monotonic_ms() + 500 >= ctx->deadline_ms) {
            stopped = 1;
            break;
        }
        cJSON *p = ohc_user_profile_json(profiles, &list[i]);
        int r = p ? scan(p, &list[i], now) : -1;
        if (r < 0)
            rc = -1;
        else
            bad += r;
    }
    free(list);
    if (rc != 0 || !cJSON_AddBoolToObject(facts, "profiles_capped", capped))
        return -1;
    if (stopped) {
        *out_status = OHC_PROBE_PARTIAL;
        ohc_error_set(out_error, ohc_probe_cancelled(ctx) ? OHC_ECANCELLED : OHC_ETIMEOUT, 0,
                      "stopped before every user profile was read (time budget or service stop)");
    } else if (list_err.code != OHC_OK) {
        *out_status = OHC_PROBE_PARTIAL;
        *out_error = list_err;
    } else if (bad > 0) {
        *out_status = OHC_PROBE_PARTIAL;
        ohc_error_set(out_error, OHC_EMALFORMED, 0, "%d %s", bad, what_bad);
    }
    return 0;
}
