/* The outlook probe on Windows: installed Outlook (MSI per Office version and
 * registry view, Click-to-Run), and per user and Office version the RPC
 * (Outlook Anywhere) values of the policy and preference keys, MapiHttpDisabled
 * and the Autodiscover overrides. Values are read raw and decoded by
 * collector/facts/regval.c and collector/facts/outlook.c; a value of the wrong type is
 * reported with its type and bytes. No Outlook at all is status ok with
 * empty lists. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office.h"
#include "outlook.h"
#include "probes_win32.h"
#include "regval.h"
#include "user_hives.h"
#include "win32util.h"

/* A REG_SZ value as a string (NULL when absent or of another type). */
static void add_sz(cJSON *o, const char *key, HKEY root, const wchar_t *subkey, const wchar_t *name, REGSAM flags)
{
    cJSON *v = ohc_reg_value_json(root, subkey, name, REG_SZ, flags);
    cJSON *s = v ? cJSON_GetObjectItemCaseSensitive(v, "value") : NULL;
    if (cJSON_IsString(s) && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "wrong_type")))
        cJSON_AddStringToObject(o, key, s->valuestring);
    else
        cJSON_AddNullToObject(o, key);
    cJSON_Delete(v);
}

static int same_install(const cJSON *arr, const cJSON *e)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        cJSON *a = cJSON_Duplicate(x, 1), *b = cJSON_Duplicate(e, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(a, "registry_view");
        cJSON_DeleteItemFromObjectCaseSensitive(b, "registry_view");
        int same = cJSON_Compare(a, b, 1);
        cJSON_Delete(a);
        cJSON_Delete(b);
        if (same)
            return 1;
    }
    return 0;
}

/* Where Office takes its update channel from, in Microsoft's order of
 * precedence (OfficeDocs-DeployOffice change-update-channels.md); the first
 * value present is the effective one. UpdateChannel is not in that list (only
 * third-party sources describe it): reported, and used only when no listed
 * value is there. */
static const struct {
    const wchar_t *key;
    const wchar_t *value;
    const char *source;
} channel_sources[] = {
    {L"SOFTWARE\\Policies\\Microsoft\\cloud\\office\\16.0\\Common\\officeupdate", L"UpdatePath",
     "cloud policy UpdatePath"},
    {L"SOFTWARE\\Policies\\Microsoft\\cloud\\office\\16.0\\Common\\officeupdate", L"UpdateBranch",
     "cloud policy UpdateBranch"},
    {L"SOFTWARE\\Policies\\Microsoft\\office\\16.0\\Common\\officeupdate", L"UpdatePath", "policy UpdatePath"},
    {L"SOFTWARE\\Policies\\Microsoft\\office\\16.0\\Common\\officeupdate", L"UpdateBranch", "policy UpdateBranch"},
    {L"SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", L"UpdateUrl", "UpdateUrl"},
    {L"SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", L"UpdatePath", "UpdatePath"},
    {L"SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", L"UnmanagedUpdateURL", "UnmanagedUpdateURL"},
    {L"SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", L"CDNBaseUrl", "CDNBaseUrl"},
    {L"SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", L"UpdateChannel", "UpdateChannel"},
};

/* An MSI Outlook's build: the file version of OUTLOOK.EXE in its InstallRoot
 * (GetFileVersionInfo; version.dll is delay-loaded from System32), with
 * build_error saying why it is null. */
static void add_msi_build(cJSON *e)
{
    const cJSON *root = cJSON_GetObjectItemCaseSensitive(e, "install_root");
    char why[256] = "";
    char build[24] = "";
    if (!cJSON_IsString(root) || root->valuestring[0] == '\0') {
        snprintf(why, sizeof why, "no InstallRoot Path: OUTLOOK.EXE not looked for");
    } else {
        size_t n = strlen(root->valuestring);
        char path[MAX_PATH * 3];
        snprintf(path, sizeof path, "%s%sOUTLOOK.EXE", root->valuestring, root->valuestring[n - 1] == '\\' ? "" : "\\");
        wchar_t *wpath = ohc_w_from_utf8(path);
        DWORD handle = 0, size = wpath ? GetFileVersionInfoSizeW(wpath, &handle) : 0;
        void *info = size ? malloc(size) : NULL;
        VS_FIXEDFILEINFO *fixed = NULL;
        UINT fixed_len = 0;
        if (wpath == NULL) {
            snprintf(why, sizeof why, "out of memory");
        } else if (size == 0 || info == NULL || !GetFileVersionInfoW(wpath, 0, size, info) ||
                   !VerQueryValueW(info, L"\\", (void **)&fixed, &fixed_len) || fixed == NULL ||
                   fixed_len < sizeof *fixed) {
            DWORD err = GetLastError();
            ohc_error oe;
            ohc_error_clear(&oe);
            ohc_win32_error(&oe, ohc_err_from_win32(err), err, "GetFileVersionInfo");
            snprintf(why, sizeof why, "%s: %s", path, oe.message);
        } else {
            ohc_office_file_version(build, sizeof build, fixed->dwFileVersionMS, fixed->dwFileVersionLS);
        }
        free(info);
        free(wpath);
    }
    if (build[0]) {
        cJSON_AddStringToObject(e, "build", build);
        cJSON_AddStringToObject(e, "build_source", "OUTLOOK.EXE file version");
        cJSON_AddNullToObject(e, "build_error");
    } else {
        cJSON_AddNullToObject(e, "build");
        cJSON_AddNullToObject(e, "build_source");
        cJSON_AddStringToObject(e, "build_error", why);
    }
}

/* update_channel {effective, sources []} and, from the effective value,
 * channel_url, channel (the name, null when the GUID is unknown) and
 * channel_guid. A value of the wrong type is listed with its type and bytes
 * and not used. */
static void collect_update_channel(cJSON *e)
{
    cJSON *uc = cJSON_AddObjectToObject(e, "update_channel");
    cJSON *sources = uc ? cJSON_AddArrayToObject(uc, "sources") : NULL;
    const cJSON *effective = NULL;
    const size_t n = sizeof channel_sources / sizeof channel_sources[0];
    for (size_t i = 0; i < n && sources != NULL; i++) {
        cJSON *v = ohc_reg_value_json(HKEY_LOCAL_MACHINE, channel_sources[i].key, channel_sources[i].value, REG_SZ,
                                      KEY_WOW64_64KEY);
        if (v == NULL)
            continue;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "value");
        int usable = cJSON_IsString(s) && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "wrong_type"));
        cJSON *c = ohc_c2r_channel_to_json(channel_sources[i].source, usable ? s->valuestring : NULL);
        if (c == NULL) {
            cJSON_Delete(v);
            return;
        }
        cJSON_AddItemToObject(c, "registry", v);
        cJSON_AddItemToArray(sources, c);
        /* UpdateChannel (the last) only when no documented source is set. */
        if (usable && effective == NULL)
            effective = c;
    }
    if (effective != NULL) {
        cJSON_AddItemToObject(uc, "effective", cJSON_Duplicate(effective, 1));
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(effective, "value");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(effective, "name");
        const cJSON *guid = cJSON_GetObjectItemCaseSensitive(effective, "guid");
        cJSON_AddItemToObject(e, "channel_url", cJSON_Duplicate(value, 1));
        cJSON_AddItemToObject(e, "channel", cJSON_Duplicate(name, 1));
        cJSON_AddItemToObject(e, "channel_guid", cJSON_Duplicate(guid, 1));
    } else {
        if (uc != NULL)
            cJSON_AddNullToObject(uc, "effective");
        cJSON_AddNullToObject(e, "channel_url");
        cJSON_AddNullToObject(e, "channel");
        cJSON_AddNullToObject(e, "channel_guid");
    }
}

static void collect_installations(cJSON *facts)
{
    cJSON *arr = cJSON_AddArrayToObject(facts, "installations");
    if (arr == NULL)
        return;
    static const struct {
        REGSAM flag;
        const char *name;
    } views[] = {{KEY_WOW64_64KEY, "64"}, {KEY_WOW64_32KEY, "32"}};
    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; i < ohc_office_version_count; i++) {
            const char *ver = ohc_office_versions[i];
            wchar_t key[128], root_key[160];
            _snwprintf(key, 128, L"Software\\Microsoft\\Office\\%hs\\Outlook", ver);
            key[127] = 0;
            _snwprintf(root_key, 160, L"%ls\\InstallRoot", key);
            root_key[159] = 0;
            if (!ohc_reg_key_exists(HKEY_LOCAL_MACHINE, key, views[v].flag))
                continue;
            cJSON *e = cJSON_CreateObject();
            if (e == NULL)
                return;
            cJSON_AddStringToObject(e, "kind", "msi");
            cJSON_AddStringToObject(e, "version", ver);
            cJSON_AddStringToObject(e, "product", ohc_outlook_product_name(ver, 1));
            add_sz(e, "bitness", HKEY_LOCAL_MACHINE, key, L"Bitness", views[v].flag);
            add_sz(e, "install_root", HKEY_LOCAL_MACHINE, root_key, L"Path", views[v].flag);
            cJSON_AddStringToObject(e, "registry_view", views[v].name);
            add_msi_build(e);
            /* Only an Outlook key with Bitness or InstallRoot is an install;
             * the same key seen through both views (32-bit Windows) counts once. */
            if ((cJSON_IsNull(cJSON_GetObjectItem(e, "bitness")) &&
                 cJSON_IsNull(cJSON_GetObjectItem(e, "install_root"))) ||
                same_install(arr, e))
                cJSON_Delete(e);
            else
                cJSON_AddItemToArray(arr, e);
        }
    }
    const wchar_t *c2r = L"Software\\Microsoft\\Office\\ClickToRun\\Configuration";
    if (ohc_reg_key_exists(HKEY_LOCAL_MACHINE, c2r, KEY_WOW64_64KEY)) {
        cJSON *e = cJSON_CreateObject();
        if (e == NULL)
            return;
        cJSON_AddStringToObject(e, "kind", "click_to_run");
        cJSON_AddStringToObject(e, "version", "16.0");
        cJSON_AddStringToObject(e, "product", ohc_outlook_product_name("16.0", 0));
        add_sz(e, "build", HKEY_LOCAL_MACHINE, c2r, L"VersionToReport", KEY_WOW64_64KEY);
        add_sz(e, "platform", HKEY_LOCAL_MACHINE, c2r, L"Platform", KEY_WOW64_64KEY);
        const cJSON *platform = cJSON_GetObjectItem(e, "platform");
        if (cJSON_IsString(platform))
            cJSON_AddStringToObject(e, "bitness", platform->valuestring);
        else
            cJSON_AddNullToObject(e, "bitness");
        add_sz(e, "install_root", HKEY_LOCAL_MACHINE, c2r, L"InstallationPath", KEY_WOW64_64KEY);
        add_sz(e, "product_release_ids", HKEY_LOCAL_MACHINE, c2r, L"ProductReleaseIds", KEY_WOW64_64KEY);
        add_sz(e, "client_version", HKEY_LOCAL_MACHINE, c2r, L"ClientVersionToReport", KEY_WOW64_64KEY);
        collect_update_channel(e);
        cJSON_AddItemToArray(arr, e);
    }
}

/* The new Outlook: its AppX package folder under WindowsApps
 * (Microsoft.OutlookForWindows_<ver>_x64__8wekyb3d8bbwe, third-party
 * sources) and, for the user ohc runs as, the olk.exe alias (third-party) and
 * %LOCALAPPDATA%\Microsoft\Olk\logs, which Microsoft says shows it was run.
 * WindowsApps is often closed to standard users: that is reported as not
 * checked (error), never as "not installed". */
static void collect_new_outlook(cJSON *facts)
{
    cJSON *n = cJSON_AddObjectToObject(facts, "new_outlook");
    if (n == NULL)
        return;
    wchar_t pf[MAX_PATH], pattern[MAX_PATH + 64];
    DWORD len = GetEnvironmentVariableW(L"ProgramW6432", pf, MAX_PATH);
    if (len == 0 || len >= MAX_PATH)
        len = GetEnvironmentVariableW(L"ProgramFiles", pf, MAX_PATH);
    int installed = -1; /* unknown */
    cJSON *packages = cJSON_AddArrayToObject(n, "packages");
    if (len == 0 || len >= MAX_PATH) {
        cJSON_AddStringToObject(n, "packages_error", "ProgramFiles is not set: WindowsApps not checked");
    } else {
        _snwprintf(pattern, MAX_PATH + 64, L"%ls\\WindowsApps\\Microsoft.OutlookForWindows_*", pf);
        pattern[MAX_PATH + 63] = 0;
        WIN32_FIND_DATAW fd;
        HANDLE h = FindFirstFileW(pattern, &fd);
        if (h == INVALID_HANDLE_VALUE) {
            DWORD err = GetLastError();
            if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_NO_MORE_FILES) {
                installed = 0;
                cJSON_AddNullToObject(n, "packages_error");
            } else {
                ohc_error e;
                ohc_error_clear(&e);
                ohc_win32_error(&e, ohc_err_from_win32(err), err, "listing WindowsApps");
                cJSON_AddStringToObject(n, "packages_error", e.message);
            }
        } else {
            installed = 1;
            int count = 0;
            do {
                char *name = ohc_utf8_from_w(fd.cFileName);
                if (name != NULL && packages != NULL)
                    cJSON_AddItemToArray(packages, cJSON_CreateString(name));
                free(name);
            } while (++count < 16 && FindNextFileW(h, &fd));
            FindClose(h);
            cJSON_AddNullToObject(n, "packages_error");
        }
    }
    wchar_t lad[MAX_PATH], path[MAX_PATH + 64];
    len = GetEnvironmentVariableW(L"LOCALAPPDATA", lad, MAX_PATH);
    if (len == 0 || len >= MAX_PATH) {
        cJSON_AddNullToObject(n, "current_user_alias");
        cJSON_AddNullToObject(n, "current_user_logs");
    } else {
        _snwprintf(path, MAX_PATH + 64, L"%ls\\Microsoft\\WindowsApps\\olk.exe", lad);
        path[MAX_PATH + 63] = 0;
        cJSON_AddBoolToObject(n, "current_user_alias", GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES);
        _snwprintf(path, MAX_PATH + 64, L"%ls\\Microsoft\\Olk\\logs", lad);
        path[MAX_PATH + 63] = 0;
        DWORD a = GetFileAttributesW(path);
        cJSON_AddBoolToObject(n, "current_user_logs", a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY));
    }
    /* The logs show that it was run, not that it is still installed. */
    if (cJSON_IsTrue(cJSON_GetObjectItem(n, "current_user_alias")))
        installed = 1;
    if (installed < 0)
        cJSON_AddNullToObject(n, "installed");
    else
        cJSON_AddBoolToObject(n, "installed", installed);
}

/* Opens parent\sub for reading, or NULL (absent, or parent NULL). Keys are
 * opened once and their values read from the handle: on a terminal server with
 * hundreds of hives every registry round trip counts. */
static HKEY open_sub(HKEY parent, const wchar_t *sub)
{
    HKEY k;
    if (parent == NULL || RegOpenKeyExW(parent, sub, 0, KEY_READ, &k) != ERROR_SUCCESS)
        return NULL;
    return k;
}

static void close_key(HKEY k)
{
    if (k != NULL)
        RegCloseKey(k);
}

/* {ValueName: regval} for the named values present in key (NULL: none). */
static cJSON *read_values(HKEY key, const ohc_outlook_value_def *defs, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < n && o != NULL && key != NULL; i++) {
        wchar_t *name = ohc_w_from_utf8(defs[i].name);
        cJSON *v = name ? ohc_reg_query_json(key, name, defs[i].expected_type) : NULL;
        free(name);
        if (v != NULL)
            cJSON_AddItemToObject(o, defs[i].name, v);
    }
    return o;
}

/* The value of both keys (either may be NULL), the winner picked by the core. */
static cJSON *policy_or_preference(HKEY policy, HKEY pref, const wchar_t *name, DWORD expected)
{
    return ohc_outlook_policy_wins(policy ? ohc_reg_query_json(policy, name, expected) : NULL,
                                   pref ? ohc_reg_query_json(pref, name, expected) : NULL);
}

static cJSON *collect_version(HKEY pol, HKEY pref, const char *ver)
{
    HKEY rpc_pol = open_sub(pol, L"RPC"), rpc_pref = open_sub(pref, L"RPC");
    cJSON *policy = read_values(rpc_pol, ohc_outlook_rpc_values, ohc_outlook_rpc_value_count);
    cJSON *preference = read_values(rpc_pref, ohc_outlook_rpc_values, ohc_outlook_rpc_value_count);
    close_key(rpc_pol);
    close_key(rpc_pref);

    HKEY ad_pol = open_sub(pol, L"AutoDiscover"), ad_pref = open_sub(pref, L"AutoDiscover");
    cJSON *ad = cJSON_CreateObject();
    for (size_t a = 0; a < ohc_outlook_autodiscover_value_count && ad != NULL && (ad_pol || ad_pref); a++) {
        wchar_t *name = ohc_w_from_utf8(ohc_outlook_autodiscover_values[a].name);
        cJSON *v = name ? policy_or_preference(ad_pol, ad_pref, name, REG_DWORD) : NULL;
        free(name);
        if (v != NULL)
            cJSON_AddItemToObject(ad, ohc_outlook_autodiscover_values[a].name, v);
    }
    close_key(ad_pol);
    close_key(ad_pref);
    return ohc_outlook_version_to_json(ver, policy, preference, ad);
}

/* Modern authentication of one user: AlwaysUseMSOAuthForAutoDiscover and, per
 * Office version whose Common\Identity or Outlook key exists, the ADAL/WAM
 * values decoded by collector/facts/office.c. */
static cJSON *collect_modern_auth(HKEY root)
{
    cJSON *m = cJSON_CreateObject();
    if (m == NULL)
        return NULL;
    cJSON *always =
        ohc_reg_value_json(root, L"Software\\Microsoft\\Exchange", L"AlwaysUseMSOAuthForAutoDiscover", REG_DWORD, 0);
    if (always != NULL)
        cJSON_AddItemToObject(m, "always_use_msoauth_for_autodiscover", always);
    else
        cJSON_AddNullToObject(m, "always_use_msoauth_for_autodiscover");
    cJSON *office = cJSON_AddArrayToObject(m, "office");
    for (size_t i = 0; i < ohc_office_version_count && office != NULL; i++) {
        const char *ver = ohc_office_versions[i];
        wchar_t id[96], ol[96];
        _snwprintf(id, 96, L"Software\\Microsoft\\Office\\%hs\\Common\\Identity", ver);
        id[95] = 0;
        _snwprintf(ol, 96, L"Software\\Microsoft\\Office\\%hs\\Outlook", ver);
        ol[95] = 0;
        HKEY k = open_sub(root, id);
        if (k == NULL && !ohc_reg_key_exists(root, ol, 0))
            continue;
        cJSON *e =
            ohc_office_identity_to_json(ver, k ? ohc_reg_query_json(k, L"EnableADAL", REG_DWORD) : NULL,
                                        k ? ohc_reg_query_json(k, L"Version", REG_DWORD) : NULL,
                                        k ? ohc_reg_query_json(k, L"DisableADALatopWAMOverride", REG_DWORD) : NULL,
                                        k ? ohc_reg_query_json(k, L"DisableAADWAM", REG_DWORD) : NULL);
        close_key(k);
        if (e != NULL)
            cJSON_AddItemToArray(office, e);
    }
    return m;
}

/* At most this many profiles per root and sections per profile are read. */
#define PROFILES_MAX 32
#define SECTIONS_MAX 512

/* The Exchange sections (subkeys holding 00036601, PR_PROFILE_CONFIG_FLAGS)
 * of every profile under root\path: Microsoft warns that since Outlook 2010
 * there is no one global section, so every subkey is searched. */
static void collect_profiles(cJSON *arr, HKEY root, const wchar_t *path, const char *where)
{
    HKEY profiles = open_sub(root, path);
    if (profiles == NULL)
        return;
    for (DWORD i = 0; i < PROFILES_MAX + 1; i++) {
        wchar_t name[256];
        DWORD n = 256;
        LSTATUS rc = RegEnumKeyExW(profiles, i, name, &n, NULL, NULL, NULL, NULL);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        cJSON *p = cJSON_CreateObject();
        if (p == NULL)
            break;
        cJSON_AddStringToObject(p, "where", where);
        if (i == PROFILES_MAX) { /* one more exists: say so, read no further */
            cJSON_AddNullToObject(p, "name");
            cJSON_AddStringToObject(p, "error", "more than 32 profiles: the rest were not read");
            cJSON_AddItemToArray(arr, p);
            break;
        }
        if (rc != ERROR_SUCCESS) {
            ohc_error e;
            ohc_error_clear(&e);
            ohc_win32_error(&e, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegEnumKeyEx");
            cJSON_AddNullToObject(p, "name");
            cJSON_AddStringToObject(p, "error", e.message);
            cJSON_AddItemToArray(arr, p);
            break;
        }
        char *uname = ohc_utf8_from_w(name);
        cJSON_AddStringToObject(p, "name", uname ? uname : "");
        free(uname);
        cJSON *sections = cJSON_AddArrayToObject(p, "exchange_sections");
        HKEY prof = open_sub(profiles, name);
        DWORD total = 0;
        int capped = 0;
        for (DWORD j = 0; prof != NULL && sections != NULL; j++) {
            wchar_t sec[256];
            DWORD sn = 256;
            if (RegEnumKeyExW(prof, j, sec, &sn, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
                break;
            if (j == SECTIONS_MAX) {
                capped = 1;
                break;
            }
            total++;
            HKEY sk = open_sub(prof, sec);
            cJSON *flags = sk ? ohc_reg_query_json(sk, L"00036601", REG_BINARY) : NULL;
            close_key(sk);
            if (flags == NULL)
                continue;
            char *usec = ohc_utf8_from_w(sec);
            cJSON *x = ohc_office_profile_section_to_json(usec ? usec : "", flags);
            free(usec);
            if (x != NULL)
                cJSON_AddItemToArray(sections, x);
        }
        close_key(prof);
        cJSON_AddNumberToObject(p, "sections_total", total);
        cJSON_AddBoolToObject(p, "sections_capped", capped);
        cJSON_AddNullToObject(p, "error");
        cJSON_AddItemToArray(arr, p);
    }
    close_key(profiles);
}

static cJSON *collect_user(const ohc_user_hive *h)
{
    cJSON *u = ohc_user_hive_to_json(h);
    if (u == NULL)
        return NULL;
    HKEY ex_pol = open_sub(h->root, L"Software\\Policies\\Microsoft\\Exchange");
    HKEY ex_pref = open_sub(h->root, L"Software\\Microsoft\\Exchange");
    cJSON *mapi = policy_or_preference(ex_pol, ex_pref, L"MapiHttpDisabled", REG_DWORD);
    close_key(ex_pol);
    close_key(ex_pref);
    if (mapi != NULL)
        cJSON_AddItemToObject(u, "mapi_http_disabled", mapi);
    else
        cJSON_AddNullToObject(u, "mapi_http_disabled");
    cJSON *modern = collect_modern_auth(h->root);
    if (modern != NULL)
        cJSON_AddItemToObject(u, "modern_auth", modern);
    else
        cJSON_AddNullToObject(u, "modern_auth");
    cJSON *profiles = cJSON_AddArrayToObject(u, "profiles");
    if (profiles != NULL) {
        collect_profiles(profiles, h->root, L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles", "16.0");
        collect_profiles(profiles, h->root, L"Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles", "15.0");
        collect_profiles(profiles, h->root,
                         L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
                         "windows_messaging_subsystem");
    }
    cJSON *versions = cJSON_AddArrayToObject(u, "versions");
    HKEY office_pol = open_sub(h->root, L"Software\\Policies\\Microsoft\\Office");
    HKEY office_pref = open_sub(h->root, L"Software\\Microsoft\\Office");
    for (size_t i = 0; i < ohc_office_version_count && versions != NULL && (office_pol || office_pref); i++) {
        const char *ver = ohc_office_versions[i];
        wchar_t sub[32];
        _snwprintf(sub, 32, L"%hs\\Outlook", ver);
        sub[31] = 0;
        HKEY pol = open_sub(office_pol, sub), pref = open_sub(office_pref, sub);
        if (pol != NULL || pref != NULL)
            cJSON_AddItemToArray(versions, collect_version(pol, pref, ver));
        close_key(pol);
        close_key(pref);
    }
    close_key(office_pol);
    close_key(office_pref);
    return u;
}

void ohc_win32_probe_outlook(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    cJSON *facts = cJSON_CreateObject();
    if (facts == NULL) {
        ohc_probe_take_facts(out, NULL);
        return;
    }
    collect_installations(facts);
    collect_new_outlook(facts);
    cJSON *users = cJSON_AddArrayToObject(facts, "users");
    ohc_user_hive *hives = NULL;
    size_t n = 0;
    int capped = 0;
    ohc_error e;
    ohc_error_clear(&e);
    if (ohc_user_hives_list(&hives, &n, &capped, &e) != OHC_OK) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = e;
    }
    for (size_t i = 0; i < n && users != NULL; i++)
        cJSON_AddItemToArray(users, collect_user(&hives[i]));
    ohc_user_hives_free(hives, n);
    cJSON_AddBoolToObject(facts, "users_capped", capped);
    ohc_probe_take_facts(out, facts);
}
