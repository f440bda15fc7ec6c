/* The host probe on Windows: computer, Windows version (the real one, from
 * RtlGetVersion: GetVersionEx lies to programs without a manifest), who ran
 * ohc and how, and the time zone. Each field is filled independently: one
 * failing call leaves that field null and the rest is still reported. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "probes_win32.h"
#include "win32util.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOEXW *);

int ohc_win32_os_version(int64_t *out_major, int64_t *out_minor, int64_t *out_build)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    FARPROC p = ntdll ? GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    if (p == NULL)
        return 0;
    rtl_get_version_fn fn;
    memcpy(&fn, &p, sizeof fn);
    OSVERSIONINFOEXW v;
    memset(&v, 0, sizeof v);
    v.dwOSVersionInfoSize = sizeof v;
    if (fn(&v) != 0)
        return 0;
    *out_major = v.dwMajorVersion;
    *out_minor = v.dwMinorVersion;
    *out_build = v.dwBuildNumber;
    return 1;
}

static void read_os_version(ohc_host_info *info)
{
    ohc_win32_os_version(&info->os_major, &info->os_minor, &info->os_build);
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", 0,
                      KEY_READ | KEY_WOW64_64KEY, &key) != ERROR_SUCCESS)
        return;
    static const struct {
        const wchar_t *name;
        size_t offset, size;
    } strings[] = {
        {L"ProductName", offsetof(ohc_host_info, os_product_name), sizeof info->os_product_name},
        {L"DisplayVersion", offsetof(ohc_host_info, os_display_version), sizeof info->os_display_version},
        {L"EditionID", offsetof(ohc_host_info, os_edition), sizeof info->os_edition},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        wchar_t buf[256];
        DWORD type = 0, size = sizeof buf - sizeof(wchar_t);
        if (RegQueryValueExW(key, strings[i].name, NULL, &type, (BYTE *)buf, &size) == ERROR_SUCCESS &&
            type == REG_SZ) {
            buf[size / sizeof(wchar_t)] = L'\0'; /* registry strings need not be terminated */
            ohc_utf8_copy_w((char *)info + strings[i].offset, strings[i].size, buf, -1);
        }
    }
    DWORD ubr = 0, type = 0, size = sizeof ubr;
    if (RegQueryValueExW(key, L"UBR", NULL, &type, (BYTE *)&ubr, &size) == ERROR_SUCCESS && type == REG_DWORD)
        info->os_ubr = ubr;
    RegCloseKey(key);
    /* Windows 11 still says "Windows 10" in ProductName; the build tells. */
    if (info->os_build >= 22000 && strncmp(info->os_product_name, "Windows 10", 10) == 0) {
        char fixed[256];
        snprintf(fixed, sizeof fixed, "Windows 11%s", info->os_product_name + 10);
        snprintf(info->os_product_name, sizeof info->os_product_name, "%s", fixed);
    }
}

static void read_names(ohc_host_info *info)
{
    wchar_t buf[256];
    DWORD n = 256;
    if (GetComputerNameExW(ComputerNameDnsHostname, buf, &n))
        ohc_utf8_copy_w(info->computer_name, sizeof info->computer_name, buf, (int)n);
    n = 256;
    if (GetComputerNameExW(ComputerNameNetBIOS, buf, &n))
        ohc_utf8_copy_w(info->netbios_name, sizeof info->netbios_name, buf, (int)n);
    n = 256;
    if (GetComputerNameExW(ComputerNameDnsDomain, buf, &n))
        ohc_utf8_copy_w(info->dns_domain, sizeof info->dns_domain, buf, (int)n);
}

static void read_architecture(ohc_host_info *info)
{
    SYSTEM_INFO si;
    GetNativeSystemInfo(&si);
    const char *arch = "";
    switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64: arch = "x64"; break;
    case PROCESSOR_ARCHITECTURE_INTEL: arch = "x86"; break;
    case 12 /* PROCESSOR_ARCHITECTURE_ARM64 */: arch = "arm64"; break;
    default: break;
    }
    snprintf(info->architecture, sizeof info->architecture, "%s", arch);
}

static void read_identity(ohc_host_info *info)
{
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return;
    DWORD len = 0;
    if (ohc_win32_process_user(info->account_sid, sizeof info->account_sid, info->account, sizeof info->account)) {
        /* LocalSystem, LocalService, NetworkService: a service account. */
        if (!strcmp(info->account_sid, "S-1-5-18") || !strcmp(info->account_sid, "S-1-5-19") ||
            !strcmp(info->account_sid, "S-1-5-20"))
            snprintf(info->run_mode, sizeof info->run_mode, "service");
    }
    TOKEN_ELEVATION elev;
    if (GetTokenInformation(token, TokenElevation, &elev, sizeof elev, &len))
        info->elevated = elev.TokenIsElevated != 0;
    DWORD session = 0;
    if (GetTokenInformation(token, TokenSessionId, &session, sizeof session, &len))
        info->session_id = session;
    CloseHandle(token);

    if (!info->run_mode[0]) {
        if (ohc_win32_running_as_service())
            snprintf(info->run_mode, sizeof info->run_mode, "service");
        else if (GetConsoleWindow() != NULL || GetStdHandle(STD_INPUT_HANDLE) != NULL)
            snprintf(info->run_mode, sizeof info->run_mode, "interactive");
        else
            snprintf(info->run_mode, sizeof info->run_mode, "non-interactive");
    }
}

static void read_time_zone(ohc_host_info *info)
{
    DYNAMIC_TIME_ZONE_INFORMATION tz;
    memset(&tz, 0, sizeof tz);
    DWORD r = GetDynamicTimeZoneInformation(&tz);
    if (r == TIME_ZONE_ID_INVALID)
        return;
    if (tz.TimeZoneKeyName[0])
        ohc_utf8_copy_w(info->time_zone, sizeof info->time_zone, tz.TimeZoneKeyName, -1);
    else
        ohc_utf8_copy_w(info->time_zone, sizeof info->time_zone, tz.StandardName, -1);
    LONG bias = tz.Bias + (r == TIME_ZONE_ID_DAYLIGHT ? tz.DaylightBias : tz.StandardBias);
    info->utc_offset_minutes = -bias; /* Bias is UTC minus local */
}

void ohc_win32_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    ohc_host_info info;
    ohc_host_info_init(&info);
    snprintf(info.os_family, sizeof info.os_family, "windows");
    read_names(&info);
    read_os_version(&info);
    read_architecture(&info);
    read_identity(&info);
    read_time_zone(&info);
    ohc_win32_wine_version(info.wine_version, sizeof info.wine_version);
    if (!info.computer_name[0] || info.os_build < 0) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_EOS, GetLastError(), "could not read %s",
                      !info.computer_name[0] ? "the computer name" : "the Windows version");
    }
    ohc_probe_take_facts(out, ohc_host_info_to_json(&info));
}
