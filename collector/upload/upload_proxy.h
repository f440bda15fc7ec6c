/* Which proxy an upload goes through.
 *
 * The platform resolves it (ohc_upload_proxy_fn): on Windows
 * (win32/upload_proxy_win32.c) the user's WinINet settings with auto-detect
 * (WPAD) and PAC evaluated by WinHttpGetProxyForUrl, then the WinHTTP default
 * proxy (netsh winhttp; what the service as LocalSystem has); natively
 * (posix/upload_proxy_posix.c) HTTPS_PROXY / HTTP_PROXY and NO_PROXY. The
 * parsing of proxy lists and bypass lists is here, portable and unit-tested. */
#ifndef OHC_UPLOAD_PROXY_H
#define OHC_UPLOAD_PROXY_H

#include <stddef.h>

#include "error.h"

typedef struct ohc_upload_proxy {
    char url[512]; /* "" = direct; else "http://host:port" (may hold user:pass@ natively) */
    char source[96]; /* where it came from: "WinHTTP default", "PAC http://...", "HTTPS_PROXY", ... */
    int use_sspi; /* authenticate to the proxy with Negotiate/NTLM as the process's own user */
} ohc_upload_proxy;

/* The platform's proxy for url (handed down in ohc_platform.resolve_proxy:
 * win32/platform/upload_proxy_win32.c, posix/platform/upload_proxy_posix.c).
 * Never fails for "no proxy": *out->url is "". */
typedef int (*ohc_upload_proxy_fn)(ohc_upload_proxy *out, const char *url, ohc_error *err);

/* The host of an http(s) URL, lower-cased, without port or brackets. */
int ohc_upload_url_host(char *out, size_t size, const char *url);

/* Non-zero when host is in a bypass list: NO_PROXY ("a.com,.b.com,*") or a
 * WinHTTP/WinINet bypass list ("<local>;*.contoso.com;10.*"), separators
 * ',', ';' or blanks; "<local>" matches names without a dot. */
int ohc_upload_proxy_bypassed(const char *host, const char *list);

/* Picks the proxy for `scheme` ("https" or "http") from a WinHTTP proxy list
 * ("host:port", "a:1;b:2", "http=a:1;https=b:2", "PROXY a:1; DIRECT") and
 * writes it as a URL ("http://b:2"). Empty out when the list says direct. */
void ohc_upload_proxy_pick(char *out, size_t size, const char *list, const char *scheme);

/* The environment-variable rules (curl's): for https, https_proxy then
 * HTTPS_PROXY then all_proxy/ALL_PROXY; for http, http_proxy (lower case
 * only) then all_proxy; no_proxy/NO_PROXY bypasses. getenv_fn returns NULL
 * for unset. */
typedef const char *(*ohc_getenv_fn)(const char *name);
void ohc_upload_proxy_from_env(ohc_upload_proxy *out, const char *url, ohc_getenv_fn getenv_fn);

#endif
