/* The outlook probe against Wine's real registry: no Outlook at all, MSI and
 * Click-to-Run installs, ProxyServerFlags 0x2F by policy over another value in
 * the preference key, 0x23, an unknown bit, a REG_SZ written where a REG_DWORD
 * belongs, MapiHttpDisabled, Autodiscover overrides, and a second user hive.
 * Every key made here is removed again (the Wine prefix is shared). */
#include <windows.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes_win32.h"

#define POL L"Software\\Policies\\Microsoft\\Office\\"
#define PREF L"Software\\Microsoft\\Office\\"
#define OTHER_SID "S-1-5-21-1111-2222-3333-1002"
#define OTHER_SID_W L"S-1-5-21-1111-2222-3333-1002"

static void set_dword(HKEY root, const wchar_t *key, const wchar_t *name, DWORD v, REGSAM view)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(root, key, 0, NULL, 0, KEY_WRITE | view, NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, REG_DWORD, (const BYTE *)&v, 4), 0);
    RegCloseKey(k);
}

static void set_sz(HKEY root, const wchar_t *key, const wchar_t *name, const wchar_t *value, REGSAM view)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(root, key, 0, NULL, 0, KEY_WRITE | view, NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, REG_SZ, (const BYTE *)value, (DWORD)((wcslen(value) + 1) * 2)), 0);
    RegCloseKey(k);
}

static void delete_tree(HKEY root, const wchar_t *key, REGSAM view)
{
    /* RegDeleteTree has no view flag: open the parent in the view first. */
    HKEY k;
    if (RegOpenKeyExW(root, key, 0, KEY_ALL_ACCESS | view, &k) == 0) {
        RegDeleteTreeW(k, NULL);
        RegCloseKey(k);
        RegDeleteKeyExW(root, key, view, 0);
    }
}

static void clean_state(void)
{
    static const wchar_t *const vers[] = {L"12.0", L"14.0", L"15.0", L"16.0"};
    for (size_t i = 0; i < 4; i++) {
        wchar_t k[128];
        _snwprintf(k, 128, POL L"%ls", vers[i]);
        delete_tree(HKEY_CURRENT_USER, k, 0);
        _snwprintf(k, 128, PREF L"%ls", vers[i]);
        delete_tree(HKEY_CURRENT_USER, k, 0);
        delete_tree(HKEY_LOCAL_MACHINE, k, KEY_WOW64_64KEY);
        delete_tree(HKEY_LOCAL_MACHINE, k, KEY_WOW64_32KEY);
    }
    delete_tree(HKEY_LOCAL_MACHINE, PREF L"ClickToRun", KEY_WOW64_64KEY);
    delete_tree(HKEY_CURRENT_USER, L"Software\\Microsoft\\Exchange", 0);
    RegDeleteTreeW(HKEY_USERS, OTHER_SID_W);
    RegDeleteKeyW(HKEY_USERS, OTHER_SID_W);
}

static int setup(void **state)
{
    (void)state;
    clean_state();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clean_state();
    return 0;
}

static cJSON *run_probe(ohc_probe_status *status)
{
    ohc_collect_options opts = {.event_days = 1};
    ohc_probe_context ctx = {&opts, 0, NULL};
    ohc_probe_output out;
    memset(&out, 0, sizeof out);
    out.facts = cJSON_CreateObject();
    ohc_win32_probe_outlook(&out, &ctx);
    *status = out.status;
    return out.facts;
}

static cJSON *get(cJSON *o, const char *path)
{
    /* "a.b.c": nested members; a number picks an array item. */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = strtok(buf, "."); p != NULL && o != NULL; p = strtok(NULL, "."))
        o = (*p >= '0' && *p <= '9') ? cJSON_GetArrayItem(o, atoi(p)) : cJSON_GetObjectItemCaseSensitive(o, p);
    return o;
}

static cJSON *find_user(cJSON *facts, const char *source, const char *sid)
{
    cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(facts, "users"))
    {
        if (!strcmp(get(u, "source")->valuestring, source) && (sid == NULL || !strcmp(get(u, "sid")->valuestring, sid)))
            return u;
    }
    return NULL;
}

static cJSON *find_version(cJSON *user, const char *version)
{
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(user, "versions"))
    {
        if (!strcmp(get(v, "version")->valuestring, version))
            return v;
    }
    return NULL;
}

static void test_no_outlook(void **state)
{
    (void)state;
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    assert_int_equal(cJSON_GetArraySize(get(f, "installations")), 0);
    cJSON *me = find_user(f, "current_user", NULL);
    assert_non_null(me);
    assert_int_equal(cJSON_GetArraySize(get(me, "versions")), 0);
    assert_true(cJSON_IsNull(get(me, "mapi_http_disabled")));
    cJSON_Delete(f);
}

static void test_policy_wins_and_installs(void **state)
{
    (void)state;
    set_sz(HKEY_LOCAL_MACHINE, PREF L"14.0\\Outlook", L"Bitness", L"x86", KEY_WOW64_32KEY);
    set_sz(HKEY_LOCAL_MACHINE, PREF L"14.0\\Outlook\\InstallRoot", L"Path",
           L"C:\\Program Files (x86)\\Microsoft Office\\Office14\\", KEY_WOW64_32KEY);
    set_sz(HKEY_LOCAL_MACHINE, PREF L"ClickToRun\\Configuration", L"VersionToReport", L"16.0.17928.20156",
           KEY_WOW64_64KEY);
    set_sz(HKEY_LOCAL_MACHINE, PREF L"ClickToRun\\Configuration", L"Platform", L"x64", KEY_WOW64_64KEY);
    set_sz(HKEY_LOCAL_MACHINE, PREF L"ClickToRun\\Configuration", L"CDNBaseUrl",
           L"http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60", KEY_WOW64_64KEY);
    /* The GPO fix for the restart loop, and an older value the user kept. */
    set_dword(HKEY_CURRENT_USER, POL L"14.0\\outlook\\RPC", L"ProxyServerFlags", 0x2F, 0);
    set_sz(HKEY_CURRENT_USER, POL L"14.0\\outlook\\RPC", L"ProxyServer", L"mail.contoso.com", 0);
    set_dword(HKEY_CURRENT_USER, PREF L"14.0\\Outlook\\RPC", L"ProxyServerFlags", 0x3, 0);
    set_dword(HKEY_CURRENT_USER, PREF L"14.0\\Outlook\\RPC", L"ProxyAuthenticationService", 2, 0);
    set_dword(HKEY_CURRENT_USER, PREF L"14.0\\Outlook\\AutoDiscover", L"ExcludeScpLookup", 1, 0);
    set_dword(HKEY_CURRENT_USER, L"Software\\Microsoft\\Exchange", L"MapiHttpDisabled", 1, 0);

    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *inst = get(f, "installations");
    assert_int_equal(cJSON_GetArraySize(inst), 2);
    assert_string_equal(get(inst, "0.kind")->valuestring, "msi");
    assert_string_equal(get(inst, "0.version")->valuestring, "14.0");
    assert_string_equal(get(inst, "0.product")->valuestring, "Outlook 2010");
    assert_string_equal(get(inst, "0.bitness")->valuestring, "x86");
    assert_string_equal(get(inst, "0.registry_view")->valuestring, "32");
    assert_string_equal(get(inst, "0.install_root")->valuestring,
                        "C:\\Program Files (x86)\\Microsoft Office\\Office14\\");
    assert_string_equal(get(inst, "1.kind")->valuestring, "click_to_run");
    assert_string_equal(get(inst, "1.build")->valuestring, "16.0.17928.20156");
    assert_string_equal(get(inst, "1.platform")->valuestring, "x64");
    assert_string_equal(get(inst, "1.channel")->valuestring, "Current");

    cJSON *me = find_user(f, "current_user", NULL);
    assert_int_equal(get(me, "mapi_http_disabled.value")->valueint, 1);
    assert_string_equal(get(me, "mapi_http_disabled.source")->valuestring, "preference");
    cJSON *v = find_version(me, "14.0");
    assert_non_null(v);
    assert_int_equal(cJSON_GetArraySize(get(me, "versions")), 1);
    assert_int_equal(get(v, "rpc.policy.ProxyServerFlags.value")->valueint, 0x2F);
    assert_int_equal(get(v, "rpc.preference.ProxyServerFlags.value")->valueint, 0x3);
    assert_int_equal(get(v, "rpc.effective.ProxyServerFlags.value")->valueint, 0x2F);
    assert_string_equal(get(v, "rpc.effective.ProxyServerFlags.source")->valuestring, "policy");
    assert_string_equal(get(v, "rpc.effective.ProxyAuthenticationService.source")->valuestring, "preference");
    assert_string_equal(get(v, "rpc.effective.ProxyServer.value")->valuestring, "mail.contoso.com");
    assert_true(cJSON_IsTrue(get(v, "proxy_server_flags.http_first_fast")));
    assert_true(cJSON_IsTrue(get(v, "proxy_server_flags.http_first_slow")));
    assert_string_equal(get(v, "proxy_server_flags.source")->valuestring, "policy");
    assert_int_equal(get(v, "autodiscover.ExcludeScpLookup.value")->valueint, 1);
    assert_null(get(v, "autodiscover.PreferLocalXML"));
    cJSON_Delete(f);
    clean_state();
}

static void test_flag_variants_and_wrong_type(void **state)
{
    (void)state;
    set_dword(HKEY_CURRENT_USER, POL L"14.0\\Outlook\\RPC", L"ProxyServerFlags", 0x23, 0);
    set_dword(HKEY_CURRENT_USER, PREF L"16.0\\Outlook\\RPC", L"ProxyServerFlags", 0x11, 0);
    set_sz(HKEY_CURRENT_USER, POL L"15.0\\Outlook\\RPC", L"ProxyServerFlags", L"0x2F", 0); /* GPP as REG_SZ */
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *me = find_user(f, "current_user", NULL);
    assert_int_equal(cJSON_GetArraySize(get(me, "versions")), 3);

    cJSON *v14 = find_version(me, "14.0");
    assert_int_equal(get(v14, "proxy_server_flags.value")->valueint, 0x23);
    assert_true(cJSON_IsTrue(get(v14, "proxy_server_flags.http_first_slow")));
    assert_true(cJSON_IsFalse(get(v14, "proxy_server_flags.http_first_fast")));
    assert_int_equal(get(v14, "proxy_server_flags.unknown_bits")->valueint, 0);

    cJSON *v16 = find_version(me, "16.0");
    assert_int_equal(get(v16, "proxy_server_flags.unknown_bits")->valueint, 0x10);
    assert_string_equal(get(v16, "proxy_server_flags.source")->valuestring, "preference");
    assert_int_equal(cJSON_GetArraySize(get(v16, "proxy_server_flags.names")), 1);

    cJSON *v15 = find_version(me, "15.0");
    assert_string_equal(get(v15, "rpc.policy.ProxyServerFlags.type")->valuestring, "REG_SZ");
    assert_string_equal(get(v15, "rpc.policy.ProxyServerFlags.value")->valuestring, "0x2F");
    assert_true(cJSON_IsTrue(get(v15, "rpc.policy.ProxyServerFlags.wrong_type")));
    assert_string_equal(get(v15, "rpc.policy.ProxyServerFlags.raw_hex")->valuestring, "30007800320046000000");
    assert_true(cJSON_IsNull(get(v15, "proxy_server_flags")));
    assert_non_null(strstr(get(v15, "proxy_server_flags_error")->valuestring, "REG_SZ"));
    cJSON_Delete(f);
    clean_state();
}

static void test_second_hive(void **state)
{
    (void)state;
    HKEY users = HKEY_USERS;
    set_dword(users, OTHER_SID_W L"\\" POL L"14.0\\Outlook\\RPC", L"ProxyServerFlags", 0x2F, 0);
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *other = find_user(f, "hive", OTHER_SID);
    assert_non_null(other);
    assert_int_equal(get(other, "versions.0.proxy_server_flags.value")->valueint, 0x2F);
    /* The current user has no Outlook settings: the other user's are not mixed in. */
    assert_int_equal(cJSON_GetArraySize(get(find_user(f, "current_user", NULL), "versions")), 0);
    cJSON_Delete(f);
    clean_state();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_outlook),
        cmocka_unit_test(test_policy_wins_and_installs),
        cmocka_unit_test(test_flag_variants_and_wrong_type),
        cmocka_unit_test(test_second_hive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
