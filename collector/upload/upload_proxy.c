#include "upload_proxy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int has_prefix_ci(const char *s, const char *p)
{
    for (; *p; s++, p++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*p))
            return 0;
    return 1;
}

int ohc_upload_url_host(char *out, size_t size, const char *url)
{
    const char *p = strstr(url, "://");
    if (p == NULL || size == 0)
        return OHC_EINVAL;
    p += 3;
    const char *end = p + strcspn(p, "/?#");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at != NULL)
        p = at + 1;
    const char *hend;
    if (*p == '[') {
        p++;
        hend = memchr(p, ']', (size_t)(end - p));
        if (hend == NULL)
            return OHC_EINVAL;
    } else {
        hend = memchr(p, ':', (size_t)(end - p));
        if (hend == NULL)
            hend = end;
    }
    size_t n = (size_t)(hend - p);
    if (n == 0 || n >= size)
        return OHC_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
    return OHC_OK;
}

/* host ends with suffix at a label boundary (suffix has no leading dot) */
static int domain_match(const char *host, const char *suf, size_t sn)
{
    size_t hn = strlen(host);
    if (sn == 0)
        return 0;
    if (hn == sn)
        return !strncmp(host, suf, sn);
    return hn > sn && host[hn - sn - 1] == '.' && !strncmp(host + hn - sn, suf, sn);
}

/* a simple '*' glob, case-insensitive (host is lower case already) */
static int glob_match(const char *pat, size_t pn, const char *s)
{
    if (pn == 0)
        return *s == '\0';
    if (*pat == '*') {
        for (;; s++) {
            if (glob_match(pat + 1, pn - 1, s))
                return 1;
            if (*s == '\0')
                return 0;
        }
    }
    return *s != '\0' && tolower((unsigned char)*pat) == *s && glob_match(pat + 1, pn - 1, s + 1);
}

int ohc_upload_proxy_bypassed(const char *host, const char *list)
{
    if (host == NULL || list == NULL)
        return 0;
    const char *p = list;
    while (*p) {
        p += strspn(p, ",; \t");
        size_t n = strcspn(p, ",; \t");
        if (n == 0)
            break;
        char e[256];
        if (n < sizeof e) {
            for (size_t i = 0; i < n; i++)
                e[i] = (char)tolower((unsigned char)p[i]);
            e[n] = '\0';
            /* an entry's :port is not compared */
            char *colon = strrchr(e, ':');
            if (colon != NULL && strchr(e, ':') == colon)
                *colon = '\0';
            size_t en = strlen(e);
            if (!strcmp(e, "*"))
                return 1;
            if (!strcmp(e, "<local>")) {
                if (strchr(host, '.') == NULL)
                    return 1;
            } else if (strchr(e, '*') != NULL) {
                if (glob_match(e, en, host))
                    return 1;
                if (!strncmp(e, "*.", 2) && !strcmp(host, e + 2))
                    return 1;
            } else if (e[0] == '.') {
                if (domain_match(host, e + 1, en - 1))
                    return 1;
            } else if (domain_match(host, e, en)) {
                return 1;
            }
        }
        p += n;
    }
    return 0;
}

void ohc_upload_proxy_pick(char *out, size_t size, const char *list, const char *scheme)
{
    out[0] = '\0';
    if (list == NULL)
        return;
    char any[256] = "";
    const char *p = list;
    while (*p) {
        p += strspn(p, "; \t");
        size_t n = strcspn(p, "; \t");
        if (n == 0)
            break;
        char e[256];
        if (n < sizeof e) {
            memcpy(e, p, n);
            e[n] = '\0';
            const char *val = e;
            char *eq = strchr(e, '=');
            if (!strcmp(e, "PROXY") || !strcmp(e, "DIRECT")) {
                if (!strcmp(e, "DIRECT") && any[0] == '\0')
                    return; /* PAC said DIRECT first */
                p += n;
                continue;
            }
            if (eq != NULL) {
                *eq = '\0';
                val = eq + 1;
                if (!has_prefix_ci(e, scheme) || strlen(e) != strlen(scheme)) {
                    p += n;
                    continue;
                }
                snprintf(any, sizeof any, "%s", val);
                break; /* a scheme-specific entry wins */
            }
            if (any[0] == '\0')
                snprintf(any, sizeof any, "%s", val);
        }
        p += n;
    }
    if (any[0] == '\0')
        return;
    if (strstr(any, "://") != NULL)
        snprintf(out, size, "%s", any);
    else
        snprintf(out, size, "http://%s", any);
}

void ohc_upload_proxy_from_env(ohc_upload_proxy *out, const char *url, ohc_getenv_fn getenv_fn)
{
    memset(out, 0, sizeof *out);
    int https = has_prefix_ci(url, "https://");
    /* HTTP_PROXY in upper case is ignored, as curl does (httpoxy: CGI sets it from a header) */
    static const char *const https_vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL};
    static const char *const http_vars[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
    const char *const *vars = https ? https_vars : http_vars;
    const char *val = NULL, *var = NULL;
    for (size_t i = 0; vars[i] != NULL && val == NULL; i++) {
        const char *v = getenv_fn(vars[i]);
        if (v != NULL && v[0] != '\0') {
            val = v;
            var = vars[i];
        }
    }
    if (val == NULL)
        return;
    char host[256];
    const char *np = getenv_fn("no_proxy");
    if (np == NULL || np[0] == '\0')
        np = getenv_fn("NO_PROXY");
    if (ohc_upload_url_host(host, sizeof host, url) == OHC_OK && ohc_upload_proxy_bypassed(host, np)) {
        snprintf(out->source, sizeof out->source, "NO_PROXY");
        return;
    }
    if (strstr(val, "://") != NULL)
        snprintf(out->url, sizeof out->url, "%s", val);
    else
        snprintf(out->url, sizeof out->url, "http://%s", val);
    snprintf(out->source, sizeof out->source, "%s", var);
}
