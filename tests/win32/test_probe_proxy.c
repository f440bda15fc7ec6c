/* The proxy probe against Wine's real registry, WinHTTP and sockets: a
 * WinHTTP proxy set with WinHttpSetDefaultProxyConfiguration and reset, a
 * malformed WinHttpSettings blob, the current user's proxy with a PAC URL, a
 * second user hive under HKEY_USERS, masked environment credentials, and
 * connect tests against a listening and a closed loopback port. Every key
 * and setting made here is removed again (the Wine prefix is shared). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winhttp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "probes_win32.h"

#define IE_KEY L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
#define CONN_KEY L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
#define OTHER_SID "S-1-5-21-1111-2222-3333-1001"
#define OTHER_SID_W L"S-1-5-21-1111-2222-3333-1001"

static SOCKET listener = INVALID_SOCKET;
static unsigned listen_port, closed_port;

/* A loopback port chosen by the OS: listening, or closed again at once. */
static unsigned loopback_port(SOCKET *keep)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_true(s != INVALID_SOCKET);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    int len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    if (keep != NULL) {
        assert_int_equal(listen(s, 8), 0);
        *keep = s;
    } else {
        closesocket(s);
    }
    return ntohs(a.sin_port);
}

static void set_sz(HKEY root, const wchar_t *key, const wchar_t *name, const wchar_t *value)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(root, key, 0, NULL, 0, KEY_WRITE | KEY_WOW64_64KEY, NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, REG_SZ, (const BYTE *)value, (DWORD)((wcslen(value) + 1) * 2)), 0);
    RegCloseKey(k);
}

static void set_raw(HKEY root, const wchar_t *key, const wchar_t *name, DWORD type, const void *data, DWORD len)
{
    HKEY k;
    assert_int_equal(RegCreateKeyExW(root, key, 0, NULL, 0, KEY_WRITE | KEY_WOW64_64KEY, NULL, &k, NULL), 0);
    assert_int_equal(RegSetValueExW(k, name, 0, type, data, len), 0);
    RegCloseKey(k);
}

static void set_winhttp(DWORD access, wchar_t *proxy, wchar_t *bypass)
{
    WINHTTP_PROXY_INFO info = {access, proxy, bypass};
    assert_true(WinHttpSetDefaultProxyConfiguration(&info));
}

static void clean_state(void)
{
    set_winhttp(WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);
    HKEY k;
    if (RegOpenKeyExW(HKEY_CURRENT_USER, IE_KEY, 0, KEY_WRITE, &k) == 0) {
        RegDeleteValueW(k, L"ProxyEnable");
        RegDeleteValueW(k, L"ProxyServer");
        RegDeleteValueW(k, L"ProxyOverride");
        RegDeleteValueW(k, L"AutoConfigURL");
        RegCloseKey(k);
    }
    if (RegOpenKeyExW(HKEY_CURRENT_USER, IE_KEY L"\\Connections", 0, KEY_WRITE, &k) == 0) {
        RegDeleteValueW(k, L"DefaultConnectionSettings");
        RegCloseKey(k);
    }
    RegDeleteTreeW(HKEY_USERS, OTHER_SID_W);
    RegDeleteTreeW(HKEY_USERS, OTHER_SID_W L"_Classes");
    SetEnvironmentVariableW(L"HTTP_PROXY", NULL);
    SetEnvironmentVariableW(L"HTTPS_PROXY", NULL);
    SetEnvironmentVariableW(L"NO_PROXY", NULL);
}

static int setup(void **state)
{
    (void)state;
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    listen_port = loopback_port(&listener);
    closed_port = loopback_port(NULL);
    clean_state();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clean_state();
    closesocket(listener);
    WSACleanup();
    return 0;
}

/* Runs the probe; the caller frees the facts. */
static cJSON *run_probe(ohc_probe_status *status)
{
    ohc_collect_options opts = {.event_days = 1};
    ohc_probe_context ctx = {&opts, 0, NULL};
    ohc_probe_output out;
    memset(&out, 0, sizeof out);
    out.facts = cJSON_CreateObject();
    ohc_win32_probe_proxy(&out, &ctx);
    *status = out.status;
    return out.facts;
}

static const char *str_at(cJSON *o, const char *a, const char *b)
{
    cJSON *x = cJSON_GetObjectItem(o, a);
    if (b != NULL)
        x = cJSON_GetObjectItem(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static cJSON *find_user(cJSON *facts, const char *source, const char *sid)
{
    cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(facts, "users"))
    {
        if ((source == NULL || !strcmp(str_at(u, "source", NULL), source)) &&
            (sid == NULL || !strcmp(str_at(u, "sid", NULL), sid)))
            return u;
    }
    return NULL;
}

static cJSON *find_reach(cJSON *facts, unsigned port)
{
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(facts, "reachability"))
    {
        if (!strcmp(str_at(r, "proxy", NULL), want))
            return r;
    }
    return NULL;
}

static void test_winhttp_named_then_reset(void **state)
{
    (void)state;
    wchar_t proxy[64];
    _snwprintf(proxy, 64, L"127.0.0.1:%u", listen_port);
    wchar_t bypass[] = L"<local>;*.contoso.com";
    set_winhttp(WINHTTP_ACCESS_TYPE_NAMED_PROXY, proxy, bypass);
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *w = cJSON_GetObjectItem(f, "winhttp");
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u", listen_port);
    assert_string_equal(str_at(w, "api", "access_type"), "named_proxy");
    assert_string_equal(str_at(w, "api", "proxy"), want);
    assert_string_equal(str_at(w, "api", "bypass"), "<local>;*.contoso.com");
    cJSON *reg = cJSON_GetObjectItem(w, "registry");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(reg, "present")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(reg, "malformed")));
    assert_int_equal(cJSON_GetObjectItem(reg, "version")->valueint, 0x18);
    assert_true(cJSON_GetObjectItem(reg, "flags")->valueint & 2);
    assert_string_equal(str_at(reg, "proxy", NULL), want);
    assert_string_equal(str_at(reg, "bypass", NULL), "<local>;*.contoso.com");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(w, "direct")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(w, "api_registry_differ")));
    cJSON *r = find_reach(f, listen_port);
    assert_non_null(r);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "reachable")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "error")));
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "sources"), 0)->valuestring, "winhttp");
    /* The current user has no proxy: it differs from WinHTTP's. */
    cJSON *me = find_user(f, "current_user", NULL);
    assert_non_null(me);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(me, "differs_from_winhttp")));
    cJSON_Delete(f);

    /* `netsh winhttp reset proxy` does the same: direct access. */
    set_winhttp(WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);
    f = run_probe(&st);
    w = cJSON_GetObjectItem(f, "winhttp");
    assert_string_equal(str_at(w, "api", "access_type"), "no_proxy");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(w, "direct")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(w, "api_registry_differ")));
    assert_null(find_reach(f, listen_port));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f, "winhttp_user_differ")), 0);
    cJSON_Delete(f);
}

static void test_malformed_winhttp_blob(void **state)
{
    (void)state;
    /* Header, then a proxy length far beyond the value's 20 bytes. */
    BYTE blob[20] = {0x18, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 0, 0, 'a', 'b', 'c', 'd'};
    set_raw(HKEY_LOCAL_MACHINE, CONN_KEY, L"WinHttpSettings", REG_BINARY, blob, sizeof blob);
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *reg = cJSON_GetObjectItem(cJSON_GetObjectItem(f, "winhttp"), "registry");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(reg, "malformed")));
    assert_string_equal(str_at(reg, "reason", NULL), "proxy length 65535 exceeds the 4 bytes left at offset 16");
    assert_string_equal(str_at(reg, "raw_hex", NULL), "180000000000000003000000ffff000061626364");
    /* The rest of the probe is still there. */
    assert_non_null(find_user(f, "current_user", NULL));
    cJSON_Delete(f);
    set_winhttp(WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);
}

/* A DefaultConnectionSettings blob: version 0x46, counter, flags, proxy, bypass, PAC URL. */
static DWORD wininet_blob(BYTE *out, DWORD flags, const char *proxy, const char *bypass, const char *pac)
{
    DWORD n = 0, v[3] = {0x46, 9, flags};
    memcpy(out, v, 12);
    n = 12;
    const char *strs[3] = {proxy, bypass, pac};
    for (int i = 0; i < 3; i++) {
        DWORD len = (DWORD)strlen(strs[i]);
        memcpy(out + n, &len, 4);
        memcpy(out + n + 4, strs[i], len);
        n += 4 + len;
    }
    memset(out + n, 0, 32); /* the undocumented tail real blobs carry */
    return n + 32;
}

static void test_user_proxy_with_pac_and_closed_port(void **state)
{
    (void)state;
    wchar_t proxy[64];
    _snwprintf(proxy, 64, L"127.0.0.1:%u", closed_port);
    DWORD one = 1;
    set_raw(HKEY_CURRENT_USER, IE_KEY, L"ProxyEnable", REG_DWORD, &one, 4);
    set_sz(HKEY_CURRENT_USER, IE_KEY, L"ProxyServer", proxy);
    set_sz(HKEY_CURRENT_USER, IE_KEY, L"ProxyOverride", L"<local>");
    set_sz(HKEY_CURRENT_USER, IE_KEY, L"AutoConfigURL", L"http://wpad.contoso.test/proxy.pac");
    char proxy8[64];
    snprintf(proxy8, sizeof proxy8, "127.0.0.1:%u", closed_port);
    BYTE blob[256];
    DWORD n = wininet_blob(blob, 0x1 | 0x2 | 0x4 | 0x8, proxy8, "<local>", "http://wpad.contoso.test/proxy.pac");
    set_raw(HKEY_CURRENT_USER, IE_KEY L"\\Connections", L"DefaultConnectionSettings", REG_BINARY, blob, n);

    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *me = find_user(f, "current_user", NULL);
    assert_non_null(me);
    assert_string_equal(str_at(me, "sid", NULL), "S-1-5-21-0-0-0-1000"); /* Wine's current user */
    assert_non_null(str_at(me, "account", NULL));
    assert_int_equal(cJSON_GetObjectItem(me, "proxy_enable")->valueint, 1);
    assert_string_equal(str_at(me, "proxy_server", NULL), proxy8);
    assert_string_equal(str_at(me, "proxy_override", NULL), "<local>");
    assert_string_equal(str_at(me, "auto_config_url", NULL), "http://wpad.contoso.test/proxy.pac");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(me, "auto_detect")));
    cJSON *cs = cJSON_GetObjectItem(me, "connection_settings");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cs, "malformed")));
    assert_string_equal(str_at(cs, "pac_url", NULL), "http://wpad.contoso.test/proxy.pac");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cs, "flag_names")), 4);
    /* The current user is not listed a second time from HKEY_USERS. */
    assert_null(find_user(f, "hive", "S-1-5-21-0-0-0-1000"));
    /* WinHTTP is direct, the user goes through a proxy and a PAC. */
    cJSON *differ = cJSON_GetObjectItem(f, "winhttp_user_differ");
    assert_string_equal(cJSON_GetArrayItem(differ, 0)->valuestring, "S-1-5-21-0-0-0-1000");
    cJSON *r = find_reach(f, closed_port);
    assert_non_null(r);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "reachable")));
    assert_int_equal(cJSON_GetObjectItem(r, "error_code")->valueint, WSAECONNREFUSED);
    assert_non_null(str_at(r, "error", NULL));
    assert_true(cJSON_GetObjectItem(r, "elapsed_ms")->valueint <= 2600);
    cJSON_Delete(f);
    clean_state();
}

static void test_second_hive_and_wrong_type(void **state)
{
    (void)state;
    HKEY k;
    assert_int_equal(RegCreateKeyExW(HKEY_USERS, OTHER_SID_W L"\\" IE_KEY, 0, NULL, 0, KEY_WRITE, NULL, &k, NULL), 0);
    RegSetValueExW(k, L"ProxyServer", 0, REG_SZ, (const BYTE *)L"http=10.0.0.1:3128", 38);
    RegSetValueExW(k, L"ProxyEnable", 0, REG_SZ, (const BYTE *)L"1", 4); /* wrong type */
    RegCloseKey(k);
    assert_int_equal(RegCreateKeyExW(HKEY_USERS, OTHER_SID_W L"_Classes", 0, NULL, 0, KEY_WRITE, NULL, &k, NULL), 0);
    RegCloseKey(k);

    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    assert_int_equal(st, OHC_PROBE_OK);
    cJSON *other = find_user(f, "hive", OTHER_SID);
    assert_non_null(other);
    assert_null(find_user(f, NULL, OTHER_SID "_Classes"));
    /* Wine cannot resolve a SID it does not know: 1332 ERROR_NONE_MAPPED, kept as the reason. */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(other, "account")));
    assert_non_null(strstr(str_at(other, "account_error", NULL), "0x00000534"));
    assert_string_equal(str_at(other, "proxy_server", NULL), "http=10.0.0.1:3128");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(other, "proxy_enable")));
    cJSON *wrong = cJSON_GetObjectItem(cJSON_GetObjectItem(other, "wrong_type_values"), "ProxyEnable");
    assert_string_equal(str_at(wrong, "type", NULL), "REG_SZ");
    assert_string_equal(str_at(wrong, "value", NULL), "1");
    assert_string_equal(str_at(wrong, "raw_hex", NULL), "31000000");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(other, "connection_settings"), "present")));
    /* Its configured proxy is tested too, and says whose it is. */
    char label[64];
    snprintf(label, sizeof label, "user:%s", OTHER_SID);
    cJSON *r, *found = NULL;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(f, "reachability"))
    {
        if (!strcmp(str_at(r, "proxy", NULL), "10.0.0.1:3128"))
            found = r;
    }
    assert_non_null(found);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(found, "sources"), 0)->valuestring, label);
    cJSON_Delete(f);
    clean_state();
}

static void test_environment_masked(void **state)
{
    (void)state;
    wchar_t url[128];
    _snwprintf(url, 128, L"http://alice:s3cret@127.0.0.1:%u/", listen_port);
    SetEnvironmentVariableW(L"HTTP_PROXY", url);
    SetEnvironmentVariableW(L"NO_PROXY", L"localhost,.contoso.com");
    ohc_probe_status st;
    cJSON *f = run_probe(&st);
    char want[96];
    snprintf(want, sizeof want, "http://***@127.0.0.1:%u/", listen_port);
    assert_string_equal(str_at(f, "environment", "HTTP_PROXY"), want);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "environment"), "HTTPS_PROXY")));
    assert_string_equal(str_at(f, "environment", "NO_PROXY"), "localhost,.contoso.com");
    cJSON *r = find_reach(f, listen_port);
    assert_non_null(r);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "reachable")));
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "sources"), 0)->valuestring, "env:HTTP_PROXY");
    char *all = cJSON_PrintUnformatted(f);
    assert_null(strstr(all, "s3cret"));
    assert_null(strstr(all, "alice"));
    cJSON_free(all);
    cJSON_Delete(f);
    clean_state();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winhttp_named_then_reset),
        cmocka_unit_test(test_malformed_winhttp_blob),
        cmocka_unit_test(test_user_proxy_with_pac_and_closed_port),
        cmocka_unit_test(test_second_hive_and_wrong_type),
        cmocka_unit_test(test_environment_masked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
