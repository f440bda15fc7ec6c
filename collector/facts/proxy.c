#include "proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "regval.h"
#include "strbuf.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The blob's strings are ANSI (the system code page); proxies are ASCII in
 * practice. Bytes >= 0x80 are taken as Latin-1 and control bytes become '?',
 * so the report stays valid UTF-8 whatever the blob holds. A NUL ends it. */
static char *ansi_to_utf8(const uint8_t *p, size_t n)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_strbuf_append(&sb, "");
    for (size_t i = 0; i < n && p[i] != 0; i++) {
        uint8_t c = p[i];
        if (c < 0x20 || c == 0x7F) {
            ohc_strbuf_append_char(&sb, '?');
        } else if (c < 0x80) {
            ohc_strbuf_append_char(&sb, (char)c);
        } else {
            ohc_strbuf_append_char(&sb, (char)(0xC0 | (c >> 6)));
            ohc_strbuf_append_char(&sb, (char)(0x80 | (c & 0x3F)));
        }
    }
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}

/* Reads "DWORD length + bytes" at *pos. 0: ok; 1: malformed (reason set); -1: no memory. */
static int read_counted(ohc_proxy_blob *b, char **out, const uint8_t *data, size_t len, size_t *pos, const char *what)
{
    if (len - *pos < 4) {
        b->malformed = 1;
        snprintf(b->reason, sizeof b->reason, "truncated: %zu bytes, no room for the %s length at offset %zu", len,
                 what, *pos);
        return 1;
    }
    uint32_t n = le32(data + *pos);
    *pos += 4;
    if (n > len - *pos) {
        b->malformed = 1;
        snprintf(b->reason, sizeof b->reason, "%s length %u exceeds the %zu bytes left at offset %zu", what,
                 (unsigned)n, len - *pos, *pos);
        return 1;
    }
    *out = ansi_to_utf8(data + *pos, n);
    if (*out == NULL)
        return -1;
    *pos += n;
    return 0;
}

int ohc_proxy_blob_decode(ohc_proxy_blob *out, const uint8_t *data, size_t len, ohc_proxy_blob_kind kind)
{
    memset(out, 0, sizeof *out);
    if (data == NULL)
        return OHC_OK;
    out->present = 1;
    if (len < 12) {
        out->malformed = 1;
        snprintf(out->reason, sizeof out->reason, "truncated: %zu bytes, the header needs 12", len);
        return OHC_OK;
    }
    out->version = le32(data);
    out->counter = le32(data + 4);
    out->flags = le32(data + 8);
    out->have_header = 1;
    size_t pos = 12;
    int r = read_counted(out, &out->proxy, data, len, &pos, "proxy");
    if (r == 0)
        r = read_counted(out, &out->bypass, data, len, &pos, "bypass");
    if (r == 0 && kind == OHC_BLOB_WININET)
        r = read_counted(out, &out->pac_url, data, len, &pos, "PAC URL");
    /* WinINet's blob goes on (auto-detect results, undocumented): not read. */
    return r < 0 ? OHC_ENOMEM : OHC_OK;
}

void ohc_proxy_blob_free(ohc_proxy_blob *blob)
{
    free(blob->proxy);
    free(blob->bypass);
    free(blob->pac_url);
    blob->proxy = blob->bypass = blob->pac_url = NULL;
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s != NULL)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *ohc_proxy_blob_to_json(const ohc_proxy_blob *b, const uint8_t *data, size_t len, ohc_proxy_blob_kind kind)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddBoolToObject(o, "present", b->present);
    cJSON_AddBoolToObject(o, "malformed", b->malformed);
    add_str_or_null(o, "reason", b->malformed ? b->reason : NULL);
    if (b->have_header) {
        cJSON_AddNumberToObject(o, "version", b->version);
        cJSON_AddNumberToObject(o, "counter", b->counter);
        cJSON_AddNumberToObject(o, "flags", b->flags);
    } else {
        cJSON_AddNullToObject(o, "version");
        cJSON_AddNullToObject(o, "counter");
        cJSON_AddNullToObject(o, "flags");
    }
    cJSON *names = cJSON_AddArrayToObject(o, "flag_names");
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {{OHC_PROXY_FLAG_DIRECT, "direct"},
                {OHC_PROXY_FLAG_PROXY, "proxy"},
                {OHC_PROXY_FLAG_AUTO_PROXY_URL, "auto_proxy_url"},
                {OHC_PROXY_FLAG_AUTO_DETECT, "auto_detect"}};
    uint32_t known = 0;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        known |= bits[i].bit;
        if (b->have_header && (b->flags & bits[i].bit) && names != NULL)
            cJSON_AddItemToArray(names, cJSON_CreateString(bits[i].name));
    }
    cJSON_AddNumberToObject(o, "unknown_flags", b->have_header ? (double)(b->flags & ~known) : 0);
    add_str_or_null(o, "proxy", b->proxy);
    add_str_or_null(o, "bypass", b->bypass);
    if (kind == OHC_BLOB_WININET)
        add_str_or_null(o, "pac_url", b->pac_url);
    if (b->present && data != NULL) {
        char *hex = ohc_hex_encode(data, len, OHC_REGVAL_HEX_MAX);
        if (hex == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddStringToObject(o, "raw_hex", hex);
        free(hex);
    } else {
        cJSON_AddNullToObject(o, "raw_hex");
    }
    return o;
}

int ohc_proxy_mask_credentials(char *out, size_t size, const char *url)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    if (url == NULL)
        return 0;
    const char *start = strstr(url, "://");
    start = start ? start + 3 : url;
    const char *end = start + strcspn(start, "/?#");
    const char *at = NULL;
    for (const char *p = start; p < end; p++)
        if (*p == '@')
            at = p;
    if (at == NULL) {
        snprintf(out, size, "%s", url);
        return 0;
    }
    snprintf(out, size, "%.*s***%s", (int)(start - url), url, at);
    return 1;
}

/* Parses one entry [scheme=][scheme://][userinfo@]host[:port][/...] into ep. */
static int parse_entry(ohc_proxy_endpoint *ep, const char *s, size_t n)
{
    const char *end = s + n;
    const char *sep = memchr(s, '=', n);
    const char *scheme = NULL;
    for (const char *p = s; p + 3 <= end; p++)
        if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
            scheme = p;
            break;
        }
    if (sep != NULL && (scheme == NULL || sep < scheme))
        s = sep + 1;
    if (scheme != NULL && scheme >= s)
        s = scheme + 3;
    const char *auth_end = s;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    for (const char *p = s; p < auth_end; p++)
        if (*p == '@')
            s = p + 1; /* credentials are dropped, never copied */
    const char *host = s, *host_end, *port = NULL;
    if (s < auth_end && *s == '[') {
        host = s + 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (host_end == NULL)
            return 0;
        if (host_end + 1 < auth_end) {
            if (host_end[1] != ':')
                return 0;
            port = host_end + 2;
        }
    } else {
        host_end = memchr(s, ':', (size_t)(auth_end - s));
        if (host_end != NULL) {
            port = host_end + 1;
            if (memchr(port, ':', (size_t)(auth_end - port)) != NULL)
                return 0; /* an unbracketed IPv6 address: ambiguous */
        } else {
            host_end = auth_end;
        }
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof ep->host)
        return 0;
    unsigned long p = 80;
    if (port != NULL) {
        if (port >= auth_end || auth_end - port > 5)
            return 0;
        p = 0;
        for (const char *q = port; q < auth_end; q++) {
            if (*q < '0' || *q > '9')
                return 0;
            p = p * 10 + (unsigned long)(*q - '0');
        }
        if (p == 0 || p > 65535)
            return 0;
    }
    memcpy(ep->host, host, hlen);
    ep->host[hlen] = '\0';
    ep->port = (uint16_t)p;
    return 1;
}

size_t ohc_proxy_list_parse(ohc_proxy_endpoint *out, size_t *count, size_t max, const char *list, size_t *out_invalid)
{
    size_t dropped = 0, invalid = 0;
    const char *p = list ? list : "";
    while (*p) {
        size_t skip = strspn(p, "; \t\r\n");
        p += skip;
        size_t n = strcspn(p, "; \t\r\n");
        if (n == 0)
            break;
        ohc_proxy_endpoint ep;
        if (!parse_entry(&ep, p, n)) {
            invalid++;
        } else {
            int dup = 0;
            for (size_t i = 0; i < *count && !dup; i++)
                dup = out[i].port == ep.port && ohc_ascii_ieq(out[i].host, ep.host);
            if (!dup) {
                if (*count < max)
                    out[(*count)++] = ep;
                else
                    dropped++;
            }
        }
        p += n;
    }
    if (out_invalid != NULL)
        *out_invalid += invalid;
    return dropped;
}

const char *ohc_winhttp_access_name(uint32_t access_type)
{
    switch (access_type) {
    case OHC_WINHTTP_ACCESS_DEFAULT: return "default_proxy";
    case OHC_WINHTTP_ACCESS_NO_PROXY: return "no_proxy";
    case OHC_WINHTTP_ACCESS_NAMED: return "named_proxy";
    case OHC_WINHTTP_ACCESS_AUTOMATIC: return "automatic_proxy";
    default: return NULL;
    }
}

const char *ohc_proxy_blob_winhttp_proxy(const ohc_proxy_blob *blob)
{
    if (!blob->present || blob->malformed || !(blob->flags & OHC_PROXY_FLAG_PROXY) || blob->proxy == NULL ||
        blob->proxy[0] == '\0')
        return NULL;
    return blob->proxy;
}

int ohc_proxy_winhttp_differ(int api_ok, uint32_t access_type, const char *api_proxy, const char *api_bypass,
                             const ohc_proxy_blob *blob)
{
    if (!api_ok)
        return 0;
    int api_named = access_type == OHC_WINHTTP_ACCESS_NAMED && api_proxy != NULL && api_proxy[0] != '\0';
    const char *reg_proxy = ohc_proxy_blob_winhttp_proxy(blob);
    if (api_named != (reg_proxy != NULL))
        return 1;
    if (!api_named)
        return 0;
    return !ohc_ascii_ieq(api_proxy, reg_proxy) || !ohc_ascii_ieq(api_bypass, blob->bypass);
}

int ohc_proxy_user_differs(const char *winhttp_proxy, int proxy_enable, const char *proxy_server,
                           const char *auto_config_url)
{
    const char *user_proxy = proxy_enable > 0 && proxy_server != NULL && proxy_server[0] ? proxy_server : NULL;
    int winhttp_direct = winhttp_proxy == NULL || winhttp_proxy[0] == '\0';
    if (auto_config_url != NULL && auto_config_url[0] && winhttp_direct)
        return 1;
    if (user_proxy == NULL)
        return !winhttp_direct && (auto_config_url == NULL || !auto_config_url[0]);
    return winhttp_direct || !ohc_ascii_ieq(user_proxy, winhttp_proxy);
}

/* A value of the right type (number or string) goes to `key`; one of the
 * wrong type is kept raw under wrong[name]. v is consumed. */
static cJSON *user_value(cJSON *u, cJSON *wrong, cJSON *v, const char *name, const char *key)
{
    if (v == NULL) {
        cJSON_AddNullToObject(u, key);
        return NULL;
    }
    cJSON *value = cJSON_GetObjectItemCaseSensitive(v, "value");
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "wrong_type")) &&
        (cJSON_IsNumber(value) || cJSON_IsString(value))) {
        cJSON *copy = cJSON_Duplicate(value, 0);
        if (copy == NULL || !cJSON_AddItemToObject(u, key, copy)) {
            cJSON_Delete(copy);
            copy = NULL;
        }
        cJSON_Delete(v);
        return copy;
    }
    cJSON_AddNullToObject(u, key);
    if (wrong == NULL || !cJSON_AddItemToObject(wrong, name, v))
        cJSON_Delete(v);
    return NULL;
}

int ohc_proxy_user_facts(cJSON *u, ohc_proxy_user_values *in, const char *winhttp_proxy,
                         ohc_proxy_user_proxies *out_proxies)
{
    memset(out_proxies, 0, sizeof *out_proxies);
    cJSON *wrong = cJSON_CreateObject();
    cJSON *enable = user_value(u, wrong, in->proxy_enable, "ProxyEnable", "proxy_enable");
    cJSON *server = user_value(u, wrong, in->proxy_server, "ProxyServer", "proxy_server");
    user_value(u, wrong, in->proxy_override, "ProxyOverride", "proxy_override");
    cJSON *pac = user_value(u, wrong, in->auto_config_url, "AutoConfigURL", "auto_config_url");
    in->proxy_enable = in->proxy_server = in->proxy_override = in->auto_config_url = NULL;

    ohc_proxy_blob blob;
    cJSON *cs = NULL;
    int ok = wrong != NULL;
    if (ohc_proxy_blob_decode(&blob, in->connections, in->connections_len, OHC_BLOB_WININET) == OHC_OK)
        cs = ohc_proxy_blob_to_json(&blob, in->connections, in->connections_len, OHC_BLOB_WININET);
    else
        ok = 0;
    if (cs != NULL && in->connections_error != NULL)
        cJSON_AddStringToObject(cs, "error", in->connections_error);
    if (blob.have_header)
        cJSON_AddBoolToObject(u, "auto_detect", (blob.flags & OHC_PROXY_FLAG_AUTO_DETECT) != 0);
    else
        cJSON_AddNullToObject(u, "auto_detect");
    cJSON_AddItemToObject(u, "connection_settings", cs);
    cJSON_AddItemToObject(u, "wrong_type_values", wrong);

    int proxy_enable = cJSON_IsNumber(enable) ? (enable->valuedouble != 0) : 0;
    const char *server_s = cJSON_IsString(server) ? server->valuestring : NULL;
    const char *pac_s = cJSON_IsString(pac) ? pac->valuestring : NULL;
    int differs = ohc_proxy_user_differs(winhttp_proxy, proxy_enable, server_s, pac_s);
    cJSON_AddBoolToObject(u, "differs_from_winhttp", differs);
    out_proxies->proxy_server = server_s;
    /* the blob's list, as the facts hold it (the struct's copy is freed below) */
    const cJSON *bp = cJSON_GetObjectItemCaseSensitive(cs, "proxy");
    out_proxies->blob_proxy = cJSON_IsString(bp) && bp->valuestring[0] ? bp->valuestring : NULL;
    ohc_proxy_blob_free(&blob);
    return ok ? differs : -1;
}

static int proxy_in_use(const cJSON *u)
{
    const cJSON *enable = cJSON_GetObjectItemCaseSensitive(u, "proxy_enable");
    const cJSON *server = cJSON_GetObjectItemCaseSensitive(u, "proxy_server");
    if (cJSON_IsNumber(enable) && enable->valuedouble == 1 && cJSON_IsString(server) && server->valuestring[0])
        return 1;
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(u, "connection_settings");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(cs, "flags");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cs, "proxy");
    return !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cs, "malformed")) && cJSON_IsNumber(flags) &&
           ((uint32_t)flags->valuedouble & OHC_PROXY_FLAG_PROXY) && cJSON_IsString(list) && list->valuestring[0];
}

int ohc_proxy_attach_user_reachability(cJSON *facts)
{
    const cJSON *reach = cJSON_GetObjectItemCaseSensitive(facts, "reachability");
    cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(facts, "users"))
    {
        const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "sid"));
        cJSON *mine = cJSON_AddArrayToObject(u, "proxy_reachability");
        if (mine == NULL || cJSON_AddBoolToObject(u, "proxy_in_use", proxy_in_use(u)) == NULL)
            return -1;
        char label[300];
        snprintf(label, sizeof label, "user:%s", sid ? sid : "");
        const cJSON *r;
        cJSON_ArrayForEach(r, reach)
        {
            int named = 0;
            const cJSON *s;
            cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "sources")) named |=
                cJSON_IsString(s) && sid != NULL && strcmp(s->valuestring, label) == 0;
            if (!named)
                continue;
            cJSON *c = cJSON_CreateObject();
            if (c == NULL || !cJSON_AddItemToArray(mine, c)) {
                cJSON_Delete(c);
                return -1;
            }
            static const char *const keys[] = {"proxy", "reachable", "error", "error_code"};
            for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, keys[i]);
                cJSON *copy = v ? cJSON_Duplicate(v, 0) : cJSON_CreateNull();
                if (copy == NULL || !cJSON_AddItemToObject(c, keys[i], copy)) {
                    cJSON_Delete(copy);
                    return -1;
                }
            }
        }
    }
    return 0;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* pat[0..pn) with '*' against s[0..sn), ASCII case folded. Linear in
 * practice: one backtrack point (the last '*'). */
static int glob_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    size_t p = 0, i = 0, star = (size_t)-1, mark = 0;
    while (i < sn) {
        if (p < pn && pat[p] == '*') {
            star = p++;
            mark = i;
        } else if (p < pn && fold(pat[p]) == fold(s[i])) {
            p++, i++;
        } else if (star != (size_t)-1) {
            p = star + 1;
            i = ++mark;
        } else {
            return 0;
        }
    }
    while (p < pn && pat[p] == '*')
        p++;
    return p == pn;
}

int ohc_proxy_bypass_matches(const char *list, const char *host, unsigned port)
{
    if (list == NULL || host == NULL || host[0] == '\0')
        return 0;
    size_t hl = strlen(host);
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",; \t\r\n");
        const char *e = p;
        size_t en = n;
        p += n;
        while (*p && strchr(",; \t\r\n", *p))
            p++;
        if (en == 0)
            continue;
        if (en == 7 && ohc_ascii_strncasecmp(e, "<local>", 7) == 0) {
            if (memchr(host, '.', hl) == NULL && memchr(host, ':', hl) == NULL)
                return 1;
            continue;
        }
        const char *sep = NULL;
        for (size_t i = 0; i + 2 < en; i++)
            if (e[i] == ':' && e[i + 1] == '/' && e[i + 2] == '/') {
                sep = e + i + 3;
                break;
            }
        if (sep != NULL) {
            en -= (size_t)(sep - e);
            e = sep;
        }
        while (en > 0 && e[en - 1] == '/')
            en--;
        /* "host:port" (not an IPv6 literal, which has more than one ':') */
        const char *colon = memchr(e, ':', en);
        if (colon != NULL && memchr(colon + 1, ':', en - (size_t)(colon + 1 - e)) == NULL) {
            size_t pl = en - (size_t)(colon + 1 - e);
            unsigned v = 0;
            int digits = pl > 0 && pl <= 5;
            for (size_t i = 0; digits && i < pl; i++) {
                digits = colon[1 + i] >= '0' && colon[1 + i] <= '9';
                v = v * 10 + (unsigned)(colon[1 + i] - '0');
            }
            if (!digits || v != port)
                continue;
            en = (size_t)(colon - e);
        }
        if (en > 2 && e[0] == '[' && e[en - 1] == ']')
            e++, en -= 2;
        if (en > 0 && glob_match(e, en, host, hl))
            return 1;
    }
    return 0;
}
