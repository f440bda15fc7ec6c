/* The Autodiscover cache probe on Windows: its OS half finds the user
 * profiles' local application data folders. Interactively the current user
 * comes first (SHGetKnownFolderPath); then every user profile the machine
 * lists (HKLM ...\ProfileList\<SID>\ProfileImagePath + \AppData\Local), which
 * is how the service, running as LocalSystem, reaches every user. Reading
 * and parsing the cache is portable: collector/exchange/autodiscover.c. */
#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>
#include <stdio.h>
#include <string.h>

#include "autodiscover.h"
#include "hive.h"
#include "os.h"
#include "probes_win32.h"
#include "user_hives.h"
#include "win32util.h"

#define PROFILE_LIST L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

static cJSON *new_profile(cJSON *profiles, const char *sid, const char *account, const char *source,
                          const char *local_appdata)
{
    cJSON *p = cJSON_CreateObject();
    if (p == NULL || !cJSON_AddItemToArray(profiles, p)) {
        cJSON_Delete(p);
        return NULL;
    }
    account &&*account ? cJSON_AddStringToObject(p, "user", account) : cJSON_AddNullToObject(p, "user");
    sid &&*sid ? cJSON_AddStringToObject(p, "sid", sid) : cJSON_AddNullToObject(p, "sid");
    cJSON_AddStringToObject(p, "source", source);
    cJSON_AddStringToObject(p, "local_appdata", local_appdata);
    return p;
}

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

static int stop_now(const ohc_probe_context *ctx)
{
    return ohc_probe_cancelled(ctx) || ohc_os_monotonic_ms() + 500 >= ctx->deadline_ms;
}

void ohc_win32_probe_autodiscover(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    cJSON *facts = cJSON_CreateObject();
    cJSON *profiles = facts ? cJSON_AddArrayToObject(facts, "profiles") : NULL;
    if (profiles == NULL) {
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    int64_t now = ohc_os_utc_now_ms();
    int bad = 0, capped = 0, stopped = 0;
    char me[192] = "", me_account[512] = "";
    int have_me = ohc_win32_process_user(me, sizeof me, me_account, sizeof me_account);
    int as_service = ctx->options->as_service || ohc_win32_running_as_service();

    if (have_me && !as_service && !ohc_sid_is_service_account(me)) {
        wchar_t *w = NULL;
        if (SUCCEEDED(SHGetKnownFolderPath(&FOLDERID_LocalAppData, 0, NULL, &w)) && w != NULL) {
            char path[MAX_PATH * 6];
            ohc_utf8_copy_w(path, sizeof path, w, -1);
            cJSON *p = new_profile(profiles, me, me_account, "current_user", path);
            int r = p ? ohc_autodiscover_scan_profile(p, path, now) : -1;
            bad += r > 0 ? r : 0;
            if (r < 0)
                stopped = 1;
        }
        CoTaskMemFree(w);
    }

    HKEY list;
    LSTATUS rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, PROFILE_LIST, 0, KEY_READ, &list);
    ohc_error list_err;
    ohc_error_clear(&list_err);
    if (rc != ERROR_SUCCESS) {
        ohc_win32_error(&list_err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "cannot open the ProfileList key");
    } else {
        size_t listed = 0;
        for (DWORD i = 0; !stopped; i++) {
            wchar_t name[256];
            DWORD nlen = 256;
            rc = RegEnumKeyExW(list, i, name, &nlen, NULL, NULL, NULL, NULL);
            if (rc == ERROR_MORE_DATA)
                continue; /* no SID is that long */
            if (rc != ERROR_SUCCESS)
                break;
            char sid[256];
            ohc_utf8_copy_w(sid, sizeof sid, name, -1);
            if (!ohc_hive_name_is_user(sid) || ohc_sid_is_service_account(sid) ||
                (have_me && !as_service && strcmp(sid, me) == 0))
                continue;
            if (listed == OHC_USER_HIVES_MAX) {
                capped = 1;
                break;
            }
            if (stop_now(ctx)) {
                stopped = 1;
                break;
            }
            char path[MAX_PATH * 6 + 32];
            profile_local_appdata(path, sizeof path, list, name);
            if (path[0] == '\0')
                continue;
            listed++;
            char account[512] = "";
            ohc_win32_sid_text_account(account, sizeof account, name, NULL);
            cJSON *p = new_profile(profiles, sid, account, "profile_list", path);
            int r = p ? ohc_autodiscover_scan_profile(p, path, now) : -1;
            bad += r > 0 ? r : 0;
            if (r < 0)
                stopped = 1;
        }
        RegCloseKey(list);
    }
    cJSON_AddBoolToObject(facts, "profiles_capped", capped);
    const cJSON *outlook = cJSON_GetObjectItemCaseSensitive(ctx->prior_facts, "outlook");
    if (ohc_autodiscover_summarise(facts, outlook) != 0) {
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
