/* Outlook's local Offline Address Books on Windows: the OS half lists each
 * user profile (user_profiles.h) and the GUID folders under
 * %LOCALAPPDATA%\Microsoft\Outlook\Offline Address Books (FindFirstFileW:
 * ohc_os_list_dir lists files only); each folder's files and the udetails.oab
 * header are read by the portable collector/exchange/oab_local.c. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oab_local.h"
#include "os.h"
#include "probes_win32.h"
#include "user_profiles.h"
#include "win32util.h"

/* The GUID folders of one profile into p; 1 when something could not be read, -1 without memory. */
static int scan_profile(cJSON *p, const char *local_appdata, int64_t now)
{
    char root[1200];
    snprintf(root, sizeof root, "%s\\Microsoft\\Outlook\\Offline Address Books", local_appdata);
    cJSON_AddStringToObject(p, "path", root);
    cJSON *folders = cJSON_AddArrayToObject(p, "folders");
    if (folders == NULL)
        return -1;
    char pattern[1300];
    snprintf(pattern, sizeof pattern, "%s\\*", root);
    wchar_t *w = ohc_w_from_utf8(pattern);
    if (w == NULL)
        return -1;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        int absent = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
        cJSON_AddStringToObject(p, "status", absent ? "absent" : "error");
        if (absent) {
            cJSON_AddNullToObject(p, "error");
            return 0;
        }
        ohc_error err;
        ohc_win32_error(&err, ohc_err_from_win32(e), e, "cannot list the Offline Address Books folder");
        cJSON_AddItemToObject(p, "error", ohc_error_to_json(&err));
        return 1;
    }
    cJSON_AddStringToObject(p, "status", "read");
    cJSON_AddNullToObject(p, "error");
    int bad = 0, capped = 0;
    size_t n = 0;
    do {
        /* Directories only; a junction could lead anywhere: not followed. */
        if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
            wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        if (n == OHC_OAB_LOCAL_MAX_FOLDERS) {
            capped = 1;
            break;
        }
        n++;
        char name[MAX_PATH * 3], dir[1600];
        ohc_utf8_copy_w(name, sizeof name, fd.cFileName, -1);
        snprintf(dir, sizeof dir, "%s\\%s", root, name);
        int r = ohc_oab_local_folder(folders, dir, name, now);
        if (r < 0) {
            FindClose(h);
            return -1;
        }
        bad += r;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    cJSON_AddBoolToObject(p, "folders_capped", capped);
    return bad > 0;
}

static int scan(cJSON *p, const ohc_user_profile *profile, int64_t now_ms)
{
    return scan_profile(p, profile->local_appdata, now_ms);
}

void ohc_win32_probe_oab_local(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    cJSON *facts = cJSON_CreateObject();
    ohc_probe_status status;
    ohc_error err;
    if (facts == NULL ||
        ohc_user_profiles_scan(facts, ctx, scan,
                               "profile(s) with an OAB folder or udetails.oab header that could not be read: see "
                               "its error",
                               &status, &err) != 0) {
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
