#include "exchange_hosts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "proxy.h"
#include "strbuf.h"

enum { SRC_AUTODISCOVER = 1, SRC_REGISTRY = 2, SRC_BITS = 4, SRC_EVENTS = 8, SRC_COMMAND_LINE = 16 };
static const char *const source_names[] = {"autodiscover", "outlook_registry", "bits", "events", "command_line"};

typedef struct host_entry {
    char host[256];
    unsigned port;
    const char *url; /* borrowed from the facts, NULL for a bare name */
    unsigned sources;
} host_entry;

typedef struct host_set {
    host_entry h[OHC_EXCHANGE_MAX_HOSTS];
    size_t count;
    int capped;
} host_set;

int ohc_exchange_url_host(char *host, size_t host_size, unsigned *port, const char *url)
{
    const char *p;
    unsigned dflt;
    if (url == NULL || host_size == 0)
        return -1;
    if (ohc_ascii_strncasecmp(url, "https://", 8) == 0)
        p = url + 8, dflt = 443;
    else if (ohc_ascii_strncasecmp(url, "http://", 7) == 0)
        p = url + 7, dflt = 80;
    else
        return -1;
    size_t auth = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth; i++)
        if (p[i] == '@')
            at = p + i;
    if (at != NULL) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *h = p, *end = p + auth;
    size_t hl;
    const char *rest;
    if (auth > 0 && *h == '[') {
        const char *close = memchr(h, ']', auth);
        if (close == NULL)
            return -1;
        h++;
        hl = (size_t)(close - h);
        rest = close + 1;
    } else {
        const char *colon = memchr(h, ':', auth);
        hl = colon ? (size_t)(colon - h) : auth;
        rest = h + hl;
    }
    if (hl == 0 || hl >= host_size)
        return -1;
    unsigned v = dflt;
    if (rest < end) {
        if (*rest != ':' || rest + 1 == end || end - rest > 6)
            return -1;
        v = 0;
        for (const char *d = rest + 1; d < end; d++) {
            if (*d < '0' || *d > '9')
                return -1;
            v = v * 10 + (unsigned)(*d - '0');
        }
        if (v == 0 || v > 65535)
            return -1;
    }
    for (size_t i = 0; i < hl; i++) {
        char c = h[i];
        /* host names and address literals only: nothing a report could mangle */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == ':' || c == '_'))
            return -1;
        host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    host[hl] = '\0';
    *port = v;
    return 0;
}

static void add_host(host_set *set, const char *host, unsigned port, const char *url, unsigned source)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->h[i].host, host) == 0) {
            set->h[i].sources |= source;
            if (set->h[i].url == NULL)
                set->h[i].url = url, set->h[i].port = port;
            return;
        }
    if (set->count == OHC_EXCHANGE_MAX_HOSTS) {
        set->capped = 1;
        return;
    }
    host_entry *e = &set->h[set->count++];
    snprintf(e->host, sizeof e->host, "%s", host);
    e->port = port;
    e->url = url;
    e->sources = source;
}

static void add_url(host_set *set, const char *url, unsigned source)
{
    char host[256];
    unsigned port;
    if (ohc_exchange_url_host(host, sizeof host, &port, url) == 0)
        add_host(set, host, port, url, source);
}

/* A bare server name (Outlook Anywhere's ProxyServer, an EXPR Server). */
static void add_name(host_set *set, const char *name, unsigned source)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 250)
        return;
    char url[300];
    snprintf(url, sizeof url, "https://%s/", name);
    char host[256];
    unsigned port;
    if (ohc_exchange_url_host(host, sizeof host, &port, url) == 0)
        add_host(set, host, port, NULL, source);
}

/* Every http(s) URL string under v (protocol objects, their internal and
 * external collections). depth bounds the walk; the facts are ohc's own. */
static void walk_urls(host_set *set, const cJSON *v, unsigned source, int depth)
{
    if (v == NULL || depth > 6)
        return;
    if (cJSON_IsString(v)) {
        add_url(set, v->valuestring, source);
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, v) walk_urls(set, c, source, depth + 1);
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void from_autodiscover(host_set *set, const cJSON *facts)
{
    const cJSON *profile, *file, *proto;
    cJSON_ArrayForEach(profile, get(facts, "profiles"))
    {
        cJSON_ArrayForEach(file, get(profile, "files"))
        {
            const cJSON *answer = get(file, "answer");
            const char *v2 = cJSON_GetStringValue(get(answer, "url"));
            if (v2 != NULL)
                add_url(set, v2, SRC_AUTODISCOVER);
            cJSON_ArrayForEach(proto, get(answer, "protocols"))
            {
                const cJSON *m;
                cJSON_ArrayForEach(m, proto)
                {
                    if (m->string != NULL && strcmp(m->string, "other") == 0)
                        continue; /* unknown children: not known to be URLs */
                    walk_urls(set, m, SRC_AUTODISCOVER, 0);
                }
                const char *type = cJSON_GetStringValue(get(proto, "type"));
                if (type != NULL && ohc_ascii_ieq(type, "EXPR"))
                    add_name(set, cJSON_GetStringValue(get(proto, "server")), SRC_AUTODISCOVER);
            }
        }
    }
}

static void from_prior(host_set *set, const cJSON *prior)
{
    const cJSON *u, *ver, *job, *t;
    cJSON_ArrayForEach(u, get(get(prior, "outlook"), "users"))
    {
        cJSON_ArrayForEach(ver, get(u, "versions"))
        {
            const cJSON *ps = get(get(get(ver, "rpc"), "effective"), "ProxyServer");
            if (!cJSON_IsTrue(get(ps, "wrong_type")))
                add_name(set, cJSON_GetStringValue(get(ps, "value")), SRC_REGISTRY);
        }
    }
    cJSON_ArrayForEach(job, get(get(prior, "bits"), "jobs"))
    {
        if (!cJSON_IsTrue(get(job, "oab")))
            continue;
        walk_urls(set, get(job, "urls"), SRC_BITS, 0);
        add_url(set, cJSON_GetStringValue(get(get(job, "error"), "remote_url")), SRC_BITS);
    }
    cJSON_ArrayForEach(t, get(get(get(prior, "events"), "bits_client"), "transfers"))
    {
        if (cJSON_IsTrue(get(t, "oab")))
            add_url(set, cJSON_GetStringValue(get(t, "url")), SRC_EVENTS);
    }
}

static cJSON *hosts_json(const host_set *set)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr != NULL && i < set->count; i++) {
        const host_entry *e = &set->h[i];
        cJSON *o = cJSON_CreateObject();
        cJSON *src = cJSON_CreateArray();
        if (o == NULL || src == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(src);
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddStringToObject(o, "host", e->host);
        cJSON_AddNumberToObject(o, "port", e->port);
        cJSON_AddItemToObject(o, "url", e->url ? cJSON_CreateString(e->url) : cJSON_CreateNull());
        for (size_t b = 0; b < sizeof source_names / sizeof source_names[0]; b++)
            if (e->sources & (1u << b))
                cJSON_AddItemToArray(src, cJSON_CreateString(source_names[b]));
        cJSON_AddItemToObject(o, "sources", src);
    }
    return arr;
}

static const char *nonempty(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static cJSON *bypass_json(const host_set *set, const cJSON *user)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    static const char *const copied[] = {"sid", "account", "proxy_server"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        const cJSON *v = get(user, copied[i]);
        cJSON_AddItemToObject(o, copied[i],
                              cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) : cJSON_CreateNull());
    }
    const char *bypass = nonempty(get(user, "proxy_override"));
    if (bypass == NULL)
        bypass = nonempty(get(get(user, "connection_settings"), "bypass"));
    cJSON_AddItemToObject(o, "bypass", bypass ? cJSON_CreateString(bypass) : cJSON_CreateNull());
    const char *pac = nonempty(get(user, "auto_config_url"));
    if (pac == NULL)
        pac = nonempty(get(get(user, "connection_settings"), "pac_url"));
    char masked[2048];
    if (pac != NULL)
        ohc_proxy_mask_credentials(masked, sizeof masked, pac);
    cJSON_AddItemToObject(o, "pac_url", pac ? cJSON_CreateString(masked) : cJSON_CreateNull());
    cJSON *via = cJSON_AddArrayToObject(o, "hosts_via_proxy");
    cJSON *direct = cJSON_AddArrayToObject(o, "hosts_bypassed");
    if (via == NULL || direct == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    ohc_strbuf sb = OHC_STRBUF_INIT;
    int missing = 0;
    if (bypass != NULL)
        ohc_strbuf_append(&sb, bypass);
    for (size_t i = 0; i < set->count; i++) {
        const host_entry *e = &set->h[i];
        int bypassed = ohc_proxy_bypass_matches(bypass, e->host, e->port);
        cJSON_AddItemToArray(bypassed ? direct : via, cJSON_CreateString(e->host));
        if (!bypassed) {
            if (sb.len > 0)
                ohc_strbuf_append_char(&sb, ';');
            ohc_strbuf_append(&sb, e->host);
            missing = 1;
        }
    }
    cJSON *suggested =
        missing && !ohc_strbuf_failed(&sb) && sb.data != NULL ? cJSON_CreateString(sb.data) : cJSON_CreateNull();
    ohc_strbuf_free(&sb);
    if (suggested == NULL || !cJSON_AddItemToObject(o, "bypass_suggested", suggested)) {
        cJSON_Delete(suggested);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int ohc_exchange_hosts_facts(cJSON *facts, const cJSON *prior, const char *const *extra_urls, size_t extra_count)
{
    host_set *set = calloc(1, sizeof *set);
    if (set == NULL)
        return -1;
    from_autodiscover(set, facts);
    from_prior(set, prior);
    for (size_t i = 0; extra_urls != NULL && i < extra_count; i++)
        add_url(set, extra_urls[i], SRC_COMMAND_LINE);

    int rc = 0;
    cJSON *hosts = hosts_json(set);
    if (hosts == NULL || !cJSON_AddItemToObject(facts, "exchange_hosts", hosts) ||
        cJSON_AddBoolToObject(facts, "exchange_hosts_capped", set->capped) == NULL) {
        cJSON_Delete(hosts);
        rc = -1;
    }
    const cJSON *proxy = get(prior, "proxy");
    const cJSON *users = get(proxy, "users");
    cJSON *bypass = cJSON_IsArray(users) ? cJSON_CreateArray() : cJSON_CreateNull();
    const cJSON *list = cJSON_IsArray(users) ? users : NULL;
    const cJSON *u;
    cJSON_ArrayForEach(u, list)
    {
        if (!cJSON_IsTrue(get(u, "proxy_in_use")))
            continue;
        cJSON *b = bypass_json(set, u);
        if (b == NULL || !cJSON_AddItemToArray(bypass, b)) {
            cJSON_Delete(b);
            rc = -1;
        }
    }
    if (bypass == NULL || !cJSON_AddItemToObject(facts, "proxy_bypass", bypass)) {
        cJSON_Delete(bypass);
        rc = -1;
    }
    free(set);
    return rc;
}
