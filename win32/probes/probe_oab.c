/* The OAB check per server on Windows: its OS half. Name resolution
 * (getaddrinfo: IPv4 and IPv6), the Internet zone of a URL (urlmon's
 * MapUrlToZone: Windows sends the user's credentials by itself only to the
 * Local Intranet zone), and whether this libcurl can authenticate as the
 * running account (SSPI). The rest is portable: collector/exchange/oab_check.c. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <urlmon.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "oab_check.h"
#include "probes_win32.h"
#include "win32util.h"

static int resolve(char (*out)[OHC_OAB_ADDR_MAX], size_t cap, size_t *out_count, const char *host, ohc_error *err)
{
    *out_count = 0;
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0)
        return ohc_win32_error(err, OHC_EOS, (DWORD)rc, "WSAStartup");
    ADDRINFOA hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        int r = ohc_win32_error(err, OHC_ENOTFOUND, (DWORD)rc, "getaddrinfo");
        WSACleanup();
        return r;
    }
    for (ADDRINFOA *a = res; a != NULL && *out_count < cap; a = a->ai_next) {
        char text[OHC_OAB_ADDR_MAX];
        if (getnameinfo(a->ai_addr, (socklen_t)a->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST) != 0)
            continue;
        text[strcspn(text, "%")] = '\0'; /* no IPv6 zone id */
        int dup = 0;
        for (size_t i = 0; i < *out_count; i++)
            dup |= strcmp(out[i], text) == 0;
        if (!dup)
            memcpy(out[(*out_count)++], text, sizeof text);
    }
    freeaddrinfo(res);
    WSACleanup();
    return OHC_OK;
}

static int intranet(const char *url)
{
    wchar_t *w = ohc_w_from_utf8(url);
    if (w == NULL)
        return -1;
    int result = -1;
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    IInternetSecurityManager *sm = NULL;
    if (SUCCEEDED(CoInternetCreateSecurityManager(NULL, &sm, 0)) && sm != NULL) {
        DWORD zone = 0;
        if (SUCCEEDED(sm->lpVtbl->MapUrlToZone(sm, w, &zone, 0)))
            result = zone == URLZONE_INTRANET;
        sm->lpVtbl->Release(sm);
    }
    if (SUCCEEDED(init))
        CoUninitialize();
    free(w);
    return result;
}

void ohc_win32_probe_oab(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    ohc_oab_platform platform = {
        .resolve = resolve,
        .intranet = intranet,
        .account_credentials =
            v != NULL && (v->features & CURL_VERSION_SSPI) && (v->features & (CURL_VERSION_SPNEGO | CURL_VERSION_NTLM)),
    };
    /* The service is the service, whatever the caller passed. */
    ohc_collect_options options = *ctx->options;
    options.as_service |= ohc_win32_running_as_service();
    ohc_probe_context c = *ctx;
    c.options = &options;
    ohc_oab_probe_collect(out, &c, &platform);
}
