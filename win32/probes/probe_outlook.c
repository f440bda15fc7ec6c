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
        /* UpdateChannel (set by policy or ODT) wins over CDNBaseUrl. */
        add_sz(e, "channel_url", HKEY_LOCAL_MACHINE, c2r, L"UpdateChannel", KEY_WOW64_64KEY);
        if (cJSON_IsNull(cJSON_GetObjectItem(e, "channel_url"))) {
            cJSON_DeleteItemFromObjectCaseSensitive(e, "channel_url");
            add_sz(e, "channel_url", HKEY_LOCAL_MACHINE, c2r, L"CDNBaseUrl", KEY_WOW64_64KEY);
        }
        const cJSON *url = cJSON_GetObjectItem(e, "channel_url");
        const char *channel = cJSON_IsString(url) ? ohc_c2r_channel_name(url->valuestring) : NULL;
        if (channel != NULL)
            cJSON_AddStringToObject(e, "channel", channel);
        else
            cJSON_AddNullToObject(e, "channel");
        cJSON_AddItemToArray(arr, e);
    }
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
