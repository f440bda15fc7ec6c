/* How the proxy and outlook probes scale with the number of loaded user
 * hives (a terminal server): creates N fake hives under HKEY_USERS, each with
 * Internet Settings and two Office versions, runs each probe R times, prints
 * ms per run and the facts' size, and removes the hives again.
 * Run under Wine in a prefix of your own:
 *   WINEPREFIX=/tmp/p wine build/mingw/bench/bench_user_hives.exe 100 5 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "probes_win32.h"

static void set_dword(HKEY root, const wchar_t *key, const wchar_t *name, DWORD v)
{
    HKEY k;
    if (RegCreateKeyExW(root, key, 0, NULL, 0, KEY_WRITE, NULL, &k, NULL) == 0) {
        RegSetValueExW(k, name, 0, REG_DWORD, (const BYTE *)&v, 4);
        RegCloseKey(k);
    }
}

static void sid_of(wchar_t *buf, int i)
{
    _snwprintf(buf, 64, L"S-1-5-21-7777-8888-9999-%d", 20000 + i);
    buf[63] = 0;
}

static void run(const char *name, ohc_probe_collect_fn fn, int reps)
{
    ohc_collect_options opts = {.event_days = 1};
    ohc_probe_context ctx = {&opts, 0, NULL};
    size_t bytes = 0;
    uint64_t t0 = ohc_os_monotonic_ms();
    for (int r = 0; r < reps; r++) {
        ohc_probe_output out;
        memset(&out, 0, sizeof out);
        out.facts = cJSON_CreateObject();
        fn(&out, &ctx);
        char *s = cJSON_PrintUnformatted(out.facts);
        bytes = s ? strlen(s) : 0;
        cJSON_free(s);
        cJSON_Delete(out.facts);
    }
    uint64_t t1 = ohc_os_monotonic_ms();
    printf("%-8s %.1f ms/run, facts %zu bytes\n", name, (double)(t1 - t0) / reps, bytes);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100, reps = argc > 2 ? atoi(argv[2]) : 5;
    for (int i = 0; i < n; i++) {
        wchar_t sid[64], key[256];
        sid_of(sid, i);
        _snwprintf(key, 256, L"%ls\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", sid);
        set_dword(HKEY_USERS, key, L"ProxyEnable", 0);
        _snwprintf(key, 256, L"%ls\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\RPC", sid);
        set_dword(HKEY_USERS, key, L"ProxyServerFlags", 0x2F);
        _snwprintf(key, 256, L"%ls\\Software\\Microsoft\\Office\\14.0\\Outlook\\RPC", sid);
        set_dword(HKEY_USERS, key, L"ProxyServerFlags", 0x23);
    }
    printf("%d extra user hives, %d runs each\n", n, reps);
    run("proxy", ohc_win32_probe_proxy, reps);
    run("outlook", ohc_win32_probe_outlook, reps);
    for (int i = 0; i < n; i++) {
        wchar_t sid[64];
        sid_of(sid, i);
        RegDeleteTreeW(HKEY_USERS, sid);
        RegDeleteKeyW(HKEY_USERS, sid);
    }
    return 0;
}
