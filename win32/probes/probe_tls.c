/* The tls probe on Windows: WinHTTP's DefaultSecureProtocols in the 64-bit and
 * the 32-bit (Wow6432Node) registry view, and the SCHANNEL Client key of each
 * TLS version, with the Windows version they apply to. Values are read raw and
 * decoded by collector/facts/tls.c; a value of the wrong type is reported with
 * its type and bytes, one that cannot be read with its error (status partial). */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "probes_win32.h"
#include "tls.h"
#include "user_hives.h"

static const wchar_t winhttp_key[] = L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp";

/* 1 when a value could not be read (ohc_reg_*_json puts the reason in "error"). */
static int unreadable(const cJSON *regval)
{
    return regval != NULL && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(regval, "error"));
}

void ohc_win32_probe_tls(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    int64_t major = -1, minor = -1, build = -1;
    int version_known = ohc_win32_os_version(&major, &minor, &build);
    int failed_reads = 0;

    cJSON *v64 =
        ohc_reg_value_json(HKEY_LOCAL_MACHINE, winhttp_key, L"DefaultSecureProtocols", REG_DWORD, KEY_WOW64_64KEY);
    cJSON *v32 =
        ohc_reg_value_json(HKEY_LOCAL_MACHINE, winhttp_key, L"DefaultSecureProtocols", REG_DWORD, KEY_WOW64_32KEY);
    failed_reads += unreadable(v64) + unreadable(v32);
    cJSON *winhttp = ohc_tls_winhttp_to_json(v64, v32, major, minor, build);
    if (winhttp == NULL || !cJSON_AddItemToObject(out->facts, "winhttp", winhttp)) {
        cJSON_Delete(winhttp);
        out->status = OHC_PROBE_FAILED;
        ohc_error_set(&out->error, OHC_ENOMEM, 0, "out of memory");
        return;
    }

    cJSON *schannel = cJSON_AddArrayToObject(out->facts, "schannel_client");
    for (size_t i = 0; i < ohc_tls_schannel_protocol_count && schannel != NULL; i++) {
        wchar_t key[160];
        _snwprintf(key, 160, L"SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\%hs\\Client",
                   ohc_tls_schannel_protocols[i]);
        key[159] = 0;
        int present = ohc_reg_key_exists(HKEY_LOCAL_MACHINE, key, KEY_WOW64_64KEY);
        cJSON *en =
            present ? ohc_reg_value_json(HKEY_LOCAL_MACHINE, key, L"Enabled", REG_DWORD, KEY_WOW64_64KEY) : NULL;
        cJSON *dbd = present
                         ? ohc_reg_value_json(HKEY_LOCAL_MACHINE, key, L"DisabledByDefault", REG_DWORD, KEY_WOW64_64KEY)
                         : NULL;
        failed_reads += unreadable(en) + unreadable(dbd);
        cJSON_AddItemToArray(
            schannel, ohc_tls_schannel_client_to_json(ohc_tls_schannel_protocols[i], present, en, dbd, major, minor));
    }
    if (!version_known) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_EOS, 0,
                      "RtlGetVersion failed: the Windows version, and so the defaults, are unknown");
    } else if (failed_reads > 0) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_EOS, 0, "%d registry value(s) could not be read (see their error)",
                      failed_reads);
    }
}
