/* The upload's proxy on Windows, found the way Windows finds it:
 *   1. interactively, the user's WinINet settings
 *      (WinHttpGetIEProxyConfigForCurrentUser): auto-detect (WPAD) and a PAC
 *      URL are evaluated for the upload URL by WinHttpGetProxyForUrl, else the
 *      static proxy with its bypass list;
 *   2. the WinHTTP default proxy (netsh winhttp set proxy): the service's
 *      only source, as for any service.
 * The proxy authenticates with Negotiate/NTLM as the process's own logon
 * (libcurl's SSPI), so no password is ever configured or logged. */
#include "upload_proxy_win32.h"

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32util.h"

static void take(ohc_upload_proxy *out, const char *url, const wchar_t *wlist, const wchar_t *wbypass,
                 const char *source)
{
    char *list = ohc_utf8_from_w(wlist);
    char *bypass = ohc_utf8_from_w(wbypass);
    char host[256];
    int https = !strncmp(url, "https://", 8);
    if (bypass != NULL && ohc_upload_url_host(host, sizeof host, url) == OHC_OK &&
        ohc_upload_proxy_bypassed(host, bypass)) {
        snprintf(out->source, sizeof out->source, "%s (bypassed)", source);
    } else if (list != NULL) {
        ohc_upload_proxy_pick(out->url, sizeof out->url, list, https ? "https" : "http");
        snprintf(out->source, sizeof out->source, "%s", source);
        out->use_sspi = out->url[0] != '\0';
    }
    free(list);
    free(bypass);
}

/* WPAD and/or a PAC file for this URL. 1 when it gave an answer (proxy or direct). */
static int from_autoproxy(ohc_upload_proxy *out, const char *url, BOOL detect, const wchar_t *pac)
{
    wchar_t *wurl = ohc_w_from_utf8(url);
    if (wurl == NULL)
        return 0;
    HINTERNET s = WinHttpOpen(L"ohc", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    int done = 0;
    if (s != NULL) {
        WINHTTP_AUTOPROXY_OPTIONS o;
        memset(&o, 0, sizeof o);
        if (detect) {
            o.dwFlags |= WINHTTP_AUTOPROXY_AUTO_DETECT;
            o.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
        }
        if (pac != NULL) {
            o.dwFlags |= WINHTTP_AUTOPROXY_CONFIG_URL;
            o.lpszAutoConfigUrl = pac;
        }
        o.fAutoLogonIfChallenged = TRUE;
        /* WPAD lookups can hang on a broken network: bound them */
        WinHttpSetTimeouts(s, 5000, 5000, 5000, 5000);
        WINHTTP_PROXY_INFO pi;
        memset(&pi, 0, sizeof pi);
        if (WinHttpGetProxyForUrl(s, wurl, &o, &pi)) {
            char src[96];
            char *pac8 = pac ? ohc_utf8_from_w(pac) : NULL;
            snprintf(src, sizeof src, "%s%.80s", pac8 ? "PAC " : "WPAD", pac8 ? pac8 : "");
            free(pac8);
            if (pi.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && pi.lpszProxy != NULL)
                take(out, url, pi.lpszProxy, pi.lpszProxyBypass, src);
            else
                snprintf(out->source, sizeof out->source, "%s: direct", src);
            done = 1;
        }
        if (pi.lpszProxy)
            GlobalFree(pi.lpszProxy);
        if (pi.lpszProxyBypass)
            GlobalFree(pi.lpszProxyBypass);
        WinHttpCloseHandle(s);
    }
    free(wurl);
    return done;
}

int ohc_win32_upload_proxy_for_url(ohc_upload_proxy *out, const char *url, ohc_error *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG ie;
    memset(&ie, 0, sizeof ie);
    int decided = 0;
    /* "WinHttpGetIEProxyConfigForCurrentUser ... should not be used in a
     * service that is not impersonating": as the service (LocalSystem) it
     * would read SYSTEM's or the service account's Internet Options and may
     * run WPAD before every upload. The service takes the machine's proxy,
     * the WinHTTP default that `netsh winhttp` sets, as services do.
     * https://learn.microsoft.com/windows/win32/api/winhttp/nf-winhttp-winhttpgetieproxyconfigforcurrentuser */
    if (!ohc_win32_running_as_service() && WinHttpGetIEProxyConfigForCurrentUser(&ie)) {
        if (ie.fAutoDetect || ie.lpszAutoConfigUrl != NULL)
            decided = from_autoproxy(out, url, ie.fAutoDetect, ie.lpszAutoConfigUrl);
        if (!decided && ie.lpszProxy != NULL) {
            take(out, url, ie.lpszProxy, ie.lpszProxyBypass, "user proxy, Internet Options");
            decided = 1;
        }
        if (ie.lpszAutoConfigUrl)
            GlobalFree(ie.lpszAutoConfigUrl);
        if (ie.lpszProxy)
            GlobalFree(ie.lpszProxy);
        if (ie.lpszProxyBypass)
            GlobalFree(ie.lpszProxyBypass);
    }
    if (!decided) {
        WINHTTP_PROXY_INFO pi;
        memset(&pi, 0, sizeof pi);
        if (WinHttpGetDefaultProxyConfiguration(&pi)) {
            if (pi.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && pi.lpszProxy != NULL)
                take(out, url, pi.lpszProxy, pi.lpszProxyBypass, "WinHTTP default proxy");
            if (pi.lpszProxy)
                GlobalFree(pi.lpszProxy);
            if (pi.lpszProxyBypass)
                GlobalFree(pi.lpszProxyBypass);
        }
    }
    if (out->url[0] == '\0' && out->source[0] == '\0')
        snprintf(out->source, sizeof out->source, "no proxy configured");
    return OHC_OK;
}
