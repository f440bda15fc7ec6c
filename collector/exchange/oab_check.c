#include "oab_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ascii.h"
#include "civil_time.h"
#include "oab_manifest.h"
#include "os.h"
#include "proxy.h"
#include "upload_proxy.h"
#include "ohc_version.h"

/* ---------------------------------------------------------------- targets */

static int is_guid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (ohc_ascii_hex_value(s[i]) < 0) {
            return 0;
        }
    }
    return 1;
}

int ohc_oab_target_from_url(ohc_oab_target *out, const char *url)
{
    memset(out, 0, sizeof *out);
    const char *rest;
    if (!ohc_ascii_strncasecmp(url, "https://", 8)) {
        memcpy(out->scheme, "https", 6);
        out->port = 443;
        rest = url + 8;
    } else if (!ohc_ascii_strncasecmp(url, "http://", 7)) {
        memcpy(out->scheme, "http", 5);
        out->port = 80;
        rest = url + 7;
    } else {
        return OHC_EINVAL;
    }
    size_t auth_len = strcspn(rest, "/?#");
    if (auth_len == 0 || memchr(rest, '@', auth_len) != NULL) /* no user:pass@ hosts */
        return OHC_EINVAL;
    const char *host = rest, *host_end;
    if (*rest == '[') {
        host = rest + 1;
        host_end = memchr(host, ']', auth_len);
        if (host_end == NULL)
            return OHC_EINVAL;
    } else {
        host_end = memchr(rest, ':', auth_len);
        if (host_end == NULL)
            host_end = rest + auth_len;
    }
    size_t hn = (size_t)(host_end - host);
    if (hn == 0 || hn >= sizeof out->host)
        return OHC_EINVAL;
    for (size_t i = 0; i < hn; i++) {
        char c = host[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == ':' || c == '_'))
            return OHC_EINVAL;
        out->host[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    const char *port = host_end + (*rest == '[' ? 1 : 0);
    if (port < rest + auth_len && *port == ':') {
        unsigned long p = 0;
        const char *d = port + 1;
        if (d >= rest + auth_len)
            return OHC_EINVAL;
        for (; d < rest + auth_len; d++) {
            if (*d < '0' || *d > '9' || (p = p * 10 + (unsigned long)(*d - '0')) > 65535)
                return OHC_EINVAL;
        }
        if (p == 0)
            return OHC_EINVAL;
        out->port = (unsigned)p;
    } else if (port < rest + auth_len) {
        return OHC_EINVAL;
    }
    const char *path = rest + auth_len;
    /* The GUID follows the first "/OAB/" segment of the path. */
    const char *seg = NULL;
    for (const char *q = path; *q && *q != '?' && *q != '#'; q++)
        if (!ohc_ascii_strncasecmp(q, "/oab/", 5)) {
            seg = q + 5;
            break;
        }
    if (seg == NULL || !is_guid(seg, strnlen(seg, 36) == 36 ? 36 : 0) || (seg[36] != '/' && seg[36] != '\0'))
        return OHC_EINVAL;
    for (size_t i = 0; i < 36; i++)
        out->guid[i] = (char)(seg[i] >= 'A' && seg[i] <= 'Z' ? seg[i] + 32 : seg[i]);
    int v6 = strchr(out->host, ':') != NULL;
    int default_port = (out->port == 443 && out->scheme[4] == 's') || (out->port == 80 && out->scheme[4] == '\0');
    char port_text[8] = "";
    if (!default_port)
        snprintf(port_text, sizeof port_text, ":%u", out->port);
    snprintf(out->folder_url, sizeof out->folder_url, "%s://%s%s%s%s/OAB/%s/", out->scheme, v6 ? "[" : "", out->host,
             v6 ? "]" : "", port_text, out->guid);
    return OHC_OK;
}

void ohc_oab_targets_add_url(ohc_oab_targets *ts, const char *url, unsigned source)
{
    ohc_oab_target t;
    if (ohc_oab_target_from_url(&t, url) != OHC_OK)
        return;
    for (size_t i = 0; i < ts->count; i++)
        if (strcmp(ts->t[i].folder_url, t.folder_url) == 0) {
            ts->t[i].sources |= source;
            return;
        }
    if (ts->count >= OHC_OAB_MAX_TARGETS) {
        ts->dropped++;
        return;
    }
    t.sources = source;
    ts->t[ts->count++] = t;
}

/* Every http(s) URL inside a string (event strings carry them in text). */
static void add_urls_in(ohc_oab_targets *ts, const char *s, unsigned source)
{
    for (const char *q = s; (q = strstr(q, "http")) != NULL; q++) {
        if (ohc_ascii_strncasecmp(q, "https://", 8) && ohc_ascii_strncasecmp(q, "http://", 7))
            continue;
        size_t n = strcspn(q, " \t\r\n\"'<>");
        char url[1024];
        if (n >= sizeof url)
            continue;
        memcpy(url, q, n);
        url[n] = '\0';
        ohc_oab_targets_add_url(ts, url, source);
    }
}

static void walk(ohc_oab_targets *ts, const cJSON *node, unsigned source, unsigned depth)
{
    if (node == NULL || depth > 32)
        return;
    if (cJSON_IsString(node) && node->valuestring != NULL) {
        add_urls_in(ts, node->valuestring, source);
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, node) walk(ts, c, source, depth + 1);
}

void ohc_oab_targets_add_facts(ohc_oab_targets *ts, const cJSON *facts)
{
    walk(ts, cJSON_GetObjectItemCaseSensitive(facts, "bits"), OHC_OAB_SRC_BITS, 0);
    walk(ts, cJSON_GetObjectItemCaseSensitive(facts, "events"), OHC_OAB_SRC_EVENTS, 0);
    /* The OABUrl of every cached Autodiscover answer (not the rest of the
     * answers: their other URLs are not OAB folders). */
    walk(ts, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, "autodiscover"), "oab_urls"),
         OHC_OAB_SRC_AUTODISCOVER, 0);
}

int ohc_oab_host_allowed(const char *host, const char *list)
{
    if (host == NULL || list == NULL || host[0] == '\0')
        return 0;
    size_t hl = strlen(host);
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",; \t\r\n");
        if (n > 0) {
            const char *e = p;
            size_t en = n;
            int below_only = 0;
            if (en > 2 && e[0] == '*' && e[1] == '.') {
                e += 2, en -= 2;
                below_only = 1;
            }
            if (en > 0 && e[0] == '.') /* ".contoso.com" as in bypass lists */
                e++, en--, below_only = 1;
            if (en > 0 && !below_only && hl == en && !ohc_ascii_strncasecmp(host, e, en))
                return 1;
            if (en > 0 && hl > en + 1 && host[hl - en - 1] == '.' && !ohc_ascii_strncasecmp(host + hl - en, e, en))
                return 1;
        }
        p += n;
        while (*p && strchr(",; \t\r\n", *p))
            p++;
    }
    return 0;
}

int ohc_oab_allow_list_check(const char *list, char *why, size_t why_size)
{
    size_t count = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",; \t\r\n");
        if (n > 0) {
            if (++count > 64) {
                snprintf(why, why_size, "more than 64 entries");
                return 1;
            }
            for (size_t i = 0; i < n; i++) {
                char c = p[i];
                int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '-' || c == ':' || c == '_' || (c == '*' && i == 0 && n > 2 && p[1] == '.');
                if (!ok || n > 253) {
                    snprintf(why, why_size, "'%.*s' is not a host name, *.domain or address", (int)(n > 60 ? 60 : n),
                             p);
                    return 1;
                }
            }
        }
        p += n;
        while (*p && strchr(",; \t\r\n", *p))
            p++;
    }
    return 0;
}

static int is_addr_literal(const char *s)
{
    if (*s == '\0')
        return 0;
    int colon = strchr(s, ':') != NULL;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || *s == '.' || (colon && (ohc_ascii_hex_value(*s) >= 0 || *s == ':'))))
            return 0;
    return 1;
}

int ohc_oab_pin_parse(ohc_oab_pin *out, const char *spec, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof out->host)
        return ohc_error_set(err, OHC_EINVAL, 0, "--server wants HOST=ADDR[,ADDR...], not '%.60s'", spec);
    for (size_t i = 0; i < (size_t)(eq - spec); i++)
        out->host[i] = (char)(spec[i] >= 'A' && spec[i] <= 'Z' ? spec[i] + 32 : spec[i]);
    const char *p = eq + 1;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= OHC_OAB_ADDR_MAX)
            return ohc_error_set(err, OHC_EINVAL, 0, "--server %s: empty or overlong address", out->host);
        if (out->addr_count >= OHC_OAB_MAX_ADDRESSES)
            return ohc_error_set(err, OHC_EINVAL, 0, "--server %s: more than %u addresses", out->host,
                                 OHC_OAB_MAX_ADDRESSES);
        char *a = out->addr[out->addr_count];
        const char *s = p;
        size_t sn = n;
        if (sn > 2 && s[0] == '[' && s[sn - 1] == ']')
            s++, sn -= 2;
        memcpy(a, s, sn);
        a[sn] = '\0';
        if (!is_addr_literal(a))
            return ohc_error_set(err, OHC_EINVAL, 0, "--server %s: '%s' is not an IPv4 or IPv6 address", out->host, a);
        out->addr_count++;
        p += n + (p[n] == ',');
    }
    if (out->addr_count == 0)
        return ohc_error_set(err, OHC_EINVAL, 0, "--server %s: no address", out->host);
    return OHC_OK;
}

/* ---------------------------------------------------------------- requests */

#define BODY_MAX OHC_OAB_MANIFEST_MAX_BYTES

typedef struct request {
    CURL *easy;
    size_t target, addr; /* indexes */
    int head; /* HEAD of a Full file */
    cJSON *file_json; /* HEAD: the full_files entry to fill (borrowed) */
    char url[900];
    char connect_to[400];
    char errbuf[CURL_ERROR_SIZE];
    char *body;
    size_t body_len;
    int body_over;
    char www_auth[96];
    char location[512];
    struct curl_slist *connect_list;
    uint64_t started_ms, duration_ms;
    int done; /* ended (else: stopped by the budget or a cancel) */
    CURLcode result;
} request;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    request *r = arg;
    size_t len = size * n;
    if (r->body_len + len > BODY_MAX) {
        r->body_over = 1;
        return 0;
    }
    char *grown = realloc(r->body, r->body_len + len + 1);
    if (grown == NULL)
        return 0;
    r->body = grown;
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void header_value(char *out, size_t size, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (v[i] >= 0x20 && v[i] < 0x7F) ? v[i] : '?';
    out[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    request *r = arg;
    size_t len = size * n;
    if (len > 17 && !ohc_ascii_strncasecmp(data, "WWW-Authenticate:", 17)) {
        /* Only the scheme names: a challenge's token is not for the report. */
        char v[64];
        header_value(v, sizeof v, data + 17, len - 17);
        v[strcspn(v, " ,")] = '\0';
        size_t used = strlen(r->www_auth);
        if (v[0] && strlen(v) + used + 2 < sizeof r->www_auth && strstr(r->www_auth, v) == NULL)
            snprintf(r->www_auth + used, sizeof r->www_auth - used, "%s%s", used ? "," : "", v);
    } else if (len > 9 && !ohc_ascii_strncasecmp(data, "Location:", 9)) {
        header_value(r->location, sizeof r->location, data + 9, len - 9);
    } else if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
        r->www_auth[0] = '\0'; /* a new response (after an auth round) */
        r->location[0] = '\0';
    }
    return len;
}

/* The file names a manifest gives are requested relative to its folder: only
 * plain names, nothing that changes the path or the host. */
static int safe_file_name(const char *s)
{
    if (*s == '\0' || strlen(s) > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

typedef struct target_state {
    const ohc_oab_target *t;
    cJSON *json; /* the target's facts (borrowed from the tree) */
    cJSON *addresses; /* array in json */
    char addr[OHC_OAB_MAX_ADDRESSES][OHC_OAB_ADDR_MAX];
    size_t addr_count;
    int skip;
    int credentials;
    ohc_upload_proxy proxy;
} target_state;

typedef struct run {
    const ohc_oab_platform *platform;
    const ohc_probe_context *ctx;
    const char *ca_file;
    target_state ts[OHC_OAB_MAX_TARGETS];
    size_t count;
    request *reqs; /* at most OHC_OAB_MAX_TARGETS * OHC_OAB_MAX_ADDRESSES * (1 + OALs asked) */
    size_t req_count, req_cap;
    int timed_out, cancelled;
} run;

static uint32_t request_timeout(const run *r)
{
    uint64_t now = ohc_os_monotonic_ms();
    /* Leave the runner a moment to take the facts. */
    uint64_t left = r->ctx->deadline_ms > now + 500 ? r->ctx->deadline_ms - now - 500 : 1;
    return left < OHC_OAB_REQUEST_MS ? (uint32_t)left : OHC_OAB_REQUEST_MS;
}

static request *new_request(run *r, size_t target, size_t addr, const char *url, int head)
{
    if (r->req_count >= r->req_cap) /* allocated once: curl holds pointers into it */
        return NULL;
    request *q = &r->reqs[r->req_count];
    memset(q, 0, sizeof *q);
    q->target = target;
    q->addr = addr;
    q->head = head;
    snprintf(q->url, sizeof q->url, "%s", url);
    const target_state *s = &r->ts[target];
    const char *a = s->addr[addr];
    int v6 = strchr(a, ':') != NULL;
    snprintf(q->connect_to, sizeof q->connect_to, "%s%s%s:%u:%s%s%s:%u", strchr(s->t->host, ':') ? "[" : "", s->t->host,
             strchr(s->t->host, ':') ? "]" : "", s->t->port, v6 ? "[" : "", a, v6 ? "]" : "", s->t->port);
    q->connect_list = curl_slist_append(NULL, q->connect_to);
    q->easy = curl_easy_init();
    if (q->easy == NULL || q->connect_list == NULL) {
        curl_easy_cleanup(q->easy);
        curl_slist_free_all(q->connect_list);
        return NULL;
    }
    CURL *c = q->easy;
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, s->t->scheme);
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, q->connect_list);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_REVOKE_BEST_EFFORT);
    if (r->ca_file != NULL && r->ca_file[0] != '\0')
        curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
    curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ohc/" OHC_VERSION " (OAB check)");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)request_timeout(r));
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L); /* each address its own connection */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->errbuf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(c, CURLOPT_PROXY, s->proxy.url); /* "" = direct */
    if (s->proxy.url[0] != '\0' && s->proxy.use_sspi) {
        curl_easy_setopt(c, CURLOPT_PROXYAUTH, (long)(CURLAUTH_NEGOTIATE | CURLAUTH_NTLM));
        curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, ":");
    }
    if (s->credentials) {
        /* SSPI: the empty user name means "the running account". */
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)(CURLAUTH_NEGOTIATE | CURLAUTH_NTLM));
        curl_easy_setopt(c, CURLOPT_USERPWD, ":");
    }
    if (head) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
    }
    r->req_count++;
    return q;
}

/* Runs every request of [from, r->req_count) in parallel until all end, the
 * budget ends or the collection is cancelled. */
static void run_requests(run *r, size_t from)
{
    CURLM *m = curl_multi_init();
    if (m == NULL)
        return;
    for (size_t i = from; i < r->req_count; i++) {
        r->reqs[i].started_ms = ohc_os_monotonic_ms();
        curl_easy_setopt(r->reqs[i].easy, CURLOPT_PRIVATE, &r->reqs[i]);
        curl_multi_add_handle(m, r->reqs[i].easy);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            break;
        if (running == 0)
            break;
        if (ohc_probe_cancelled(r->ctx)) {
            r->cancelled = 1;
            break;
        }
        if (ohc_os_monotonic_ms() + 200 >= r->ctx->deadline_ms) {
            r->timed_out = 1;
            break;
        }
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        request *q = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
        if (q != NULL) {
            q->done = 1;
            q->result = msg->data.result;
            q->duration_ms = ohc_os_monotonic_ms() - q->started_ms;
        }
    }
    for (size_t i = from; i < r->req_count; i++)
        curl_multi_remove_handle(m, r->reqs[i].easy);
    curl_multi_cleanup(m);
}

/* ---------------------------------------------------------------- results */

static const char *month_names = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "Jan  1 00:00:00 2030 GMT" (OpenSSL) or "2030-01-01 00:00:00 GMT"
 * (curl's own decoder, used with Schannel): seconds since 1970, or -1. */
static int64_t parse_cert_time(const char *s)
{
    unsigned y, mo = 0, d, h, mi, se;
    char mon[4];
    if (sscanf(s, "%4u-%2u-%2u %2u:%2u:%2u", &y, &mo, &d, &h, &mi, &se) == 6) {
        /* as read */
    } else if (sscanf(s, "%3s %u %2u:%2u:%2u %4u", mon, &d, &h, &mi, &se, &y) == 6) {
        const char *f = strstr(month_names, mon);
        if (f == NULL || strlen(mon) != 3 || (f - month_names) % 3 != 0)
            return -1;
        mo = (unsigned)((f - month_names) / 3 + 1);
    } else {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    return ohc_civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

static void add_cert(cJSON *tls, CURL *c)
{
    struct curl_certinfo *ci = NULL;
    const char *subject = NULL, *issuer = NULL, *expire = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci != NULL && ci->num_of_certs > 0) {
        for (struct curl_slist *l = ci->certinfo[0]; l != NULL; l = l->next) {
            if (!strncmp(l->data, "Subject:", 8))
                subject = l->data + 8;
            else if (!strncmp(l->data, "Issuer:", 7))
                issuer = l->data + 7;
            else if (!strncmp(l->data, "Expire date:", 12))
                expire = l->data + 12;
        }
    }
    char buf[512];
    header_value(buf, sizeof buf, subject ? subject : "", subject ? strlen(subject) : 0);
    subject ? (void)cJSON_AddStringToObject(tls, "subject", buf) : (void)cJSON_AddNullToObject(tls, "subject");
    header_value(buf, sizeof buf, issuer ? issuer : "", issuer ? strlen(issuer) : 0);
    issuer ? (void)cJSON_AddStringToObject(tls, "issuer", buf) : (void)cJSON_AddNullToObject(tls, "issuer");
    int64_t exp = expire ? parse_cert_time(expire + strspn(expire, " ")) : -1;
    if (exp >= 0) {
        char t[32];
        ohc_format_rfc3339_utc(t, exp * 1000);
        cJSON_AddStringToObject(tls, "expires", t);
        cJSON_AddBoolToObject(tls, "expired", exp * 1000 < ohc_os_utc_now_ms());
    } else {
        cJSON_AddNullToObject(tls, "expires");
        cJSON_AddNullToObject(tls, "expired");
    }
}

static int is_tls_error(CURLcode rc)
{
    return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
           rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR ||
           rc == CURLE_SSL_INVALIDCERTSTATUS || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

/* result names: ok, files_missing, not_found, auth_refused, redirect,
 * http_error, manifest_error, tls_error, connect_error, timeout,
 * not_finished (stopped by the probe's budget or a cancel), error. */
static const char *classify(const request *q, long status)
{
    if (!q->done)
        return "not_finished";
    if (q->result == CURLE_OK) {
        if (status == 200)
            return "ok";
        if (status == 404)
            return "not_found";
        if (status == 401 || status == 403 || status == 407)
            return "auth_refused";
        if (status >= 300 && status < 400)
            return "redirect";
        return "http_error";
    }
    if (q->result == CURLE_OPERATION_TIMEDOUT)
        return "timeout";
    if (is_tls_error(q->result))
        return "tls_error";
    if (q->result == CURLE_COULDNT_CONNECT || q->result == CURLE_COULDNT_RESOLVE_HOST ||
        q->result == CURLE_COULDNT_RESOLVE_PROXY || q->result == CURLE_RECV_ERROR || q->result == CURLE_SEND_ERROR ||
        q->result == CURLE_GOT_NOTHING)
        return "connect_error";
    if (q->result == CURLE_WRITE_ERROR && q->body_over)
        return "manifest_error";
    return "error";
}

static void add_split(cJSON *o, const char *name, const char *list)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    const char *p = list;
    while (a != NULL && *p) {
        size_t n = strcspn(p, ",");
        char v[64];
        snprintf(v, sizeof v, "%.*s", (int)(n < 63 ? n : 63), p);
        cJSON_AddItemToArray(a, cJSON_CreateString(v));
        p += n + (p[n] == ',');
    }
}

static cJSON *address_json(const run *r, const request *q, ohc_oab_manifest *out_manifest, int *out_parsed)
{
    const target_state *s = &r->ts[q->target];
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    long status = 0;
    if (q->done)
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
    const char *result = classify(q, status);
    cJSON_AddStringToObject(o, "address", s->addr[q->addr]);
    status > 0 ? (void)cJSON_AddNumberToObject(o, "status", (double)status) : (void)cJSON_AddNullToObject(o, "status");
    cJSON_AddNumberToObject(o, "time_ms", (double)(q->done ? q->duration_ms : ohc_os_monotonic_ms() - q->started_ms));
    if (!q->done)
        cJSON_AddStringToObject(o, "error", r->cancelled ? "cancelled" : "the probe's time budget ended first");
    else if (q->result != CURLE_OK)
        cJSON_AddStringToObject(o, "error", q->errbuf[0] ? q->errbuf : curl_easy_strerror(q->result));
    else
        cJSON_AddNullToObject(o, "error");
    cJSON *tls = cJSON_CreateObject();
    if (s->t->scheme[4] == 's' && tls != NULL) {
        cJSON_AddBoolToObject(tls, "verified", q->done && q->result == CURLE_OK);
        add_cert(tls, q->easy);
        cJSON_AddItemToObject(o, "tls", tls);
    } else {
        cJSON_Delete(tls);
        cJSON_AddNullToObject(o, "tls");
    }
    add_split(o, "www_authenticate", q->www_auth);
    if (status >= 300 && status < 400 && q->location[0])
        cJSON_AddStringToObject(o, "location", q->location);
    else
        cJSON_AddNullToObject(o, "location");

    *out_parsed = 0;
    if (strcmp(result, "ok") == 0) {
        ohc_error perr;
        ohc_error_clear(&perr);
        if (ohc_oab_manifest_parse(out_manifest, q->body, q->body_len, &perr) == OHC_OK) {
            *out_parsed = 1;
            cJSON_AddItemToObject(o, "manifest", ohc_oab_manifest_to_json(out_manifest));
            cJSON_AddNullToObject(o, "manifest_error");
        } else {
            result = "manifest_error";
            cJSON_AddNullToObject(o, "manifest");
            cJSON_AddItemToObject(o, "manifest_error", ohc_error_to_json(&perr));
        }
    } else if (strcmp(result, "manifest_error") == 0) {
        ohc_error perr;
        ohc_error_set(&perr, OHC_ELIMIT, 0, "oab.xml is larger than the %u bytes accepted", BODY_MAX);
        cJSON_AddNullToObject(o, "manifest");
        cJSON_AddItemToObject(o, "manifest_error", ohc_error_to_json(&perr));
    } else {
        cJSON_AddNullToObject(o, "manifest");
        cJSON_AddNullToObject(o, "manifest_error");
    }
    cJSON_AddStringToObject(o, "result", result);
    /* Whether this server serves the client's OAB GUID: a manifest says yes,
     * a 404 says no, anything else leaves it unknown. */
    if (*out_parsed)
        cJSON_AddBoolToObject(o, "guid_served", 1);
    else if (strcmp(result, "not_found") == 0)
        cJSON_AddBoolToObject(o, "guid_served", 0);
    else
        cJSON_AddNullToObject(o, "guid_served");
    cJSON_AddItemToObject(o, "full_files", cJSON_CreateArray());
    return o;
}

static void fill_head(const run *r, const request *q)
{
    long status = 0;
    if (q->done)
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
    cJSON *f = q->file_json;
    status > 0 ? (void)cJSON_AddNumberToObject(f, "status", (double)status) : (void)cJSON_AddNullToObject(f, "status");
    cJSON_AddStringToObject(f, "result", classify(q, status));
    curl_off_t len = -1;
    if (q->done && status == 200 && curl_easy_getinfo(q->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) == CURLE_OK &&
        len >= 0)
        cJSON_AddNumberToObject(f, "content_length", (double)len);
    else
        cJSON_AddNullToObject(f, "content_length");
    if (!q->done)
        cJSON_AddStringToObject(f, "error", r->cancelled ? "cancelled" : "the probe's time budget ended first");
    else if (q->result != CURLE_OK)
        cJSON_AddStringToObject(f, "error", q->errbuf[0] ? q->errbuf : curl_easy_strerror(q->result));
    else
        cJSON_AddNullToObject(f, "error");
}

/* ---------------------------------------------------------------- summary */

static cJSON *server_item(const char *host, double port, const cJSON *a, const char *folder_url, const char *guid,
                          const char *what)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", host);
    cJSON_AddNumberToObject(o, "port", port);
    cJSON_AddStringToObject(o, "address", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "address")));
    cJSON_AddStringToObject(o, "guid", guid);
    cJSON_AddStringToObject(o, "url", folder_url);
    cJSON_AddStringToObject(o, "what", what);
    return o;
}

void ohc_oab_summarize_target(cJSON *tj)
{
    const char *host = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tj, "host"));
    const char *guid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tj, "guid"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tj, "folder_url"));
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(tj, "port");
    double port = cJSON_IsNumber(pj) ? pj->valuedouble : 443;
    /* A 401 without credentials is what a Windows-authentication OAB folder
     * answers anyone: said apart from a refusal of the account's credentials. */
    const char *sent = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tj, "credentials"), "sent"));
    int credentials_sent = sent != NULL && strcmp(sent, "none") != 0;
    host = host ? host : "";
    guid = guid ? guid : "";
    url = url ? url : "";
    cJSON *sum = cJSON_CreateObject();
    cJSON *served = cJSON_AddArrayToObject(sum, "served_by");
    cJSON *missing = cJSON_AddArrayToObject(sum, "missing_on");
    cJSON *behind = cJSON_AddArrayToObject(sum, "behind");
    cJSON *refused = cJSON_AddArrayToObject(sum, "auth_refused");
    cJSON *anonymous = cJSON_AddArrayToObject(sum, "anonymous_refused");
    cJSON *tls_bad = cJSON_AddArrayToObject(sum, "tls_problems");
    cJSON *unanswered = cJSON_AddArrayToObject(sum, "unanswered");
    cJSON *seqs = cJSON_AddArrayToObject(sum, "sequences");
    double seq_max = -1;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(tj, "addresses"))
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(a, "manifest");
        const cJSON *sq = cJSON_GetObjectItemCaseSensitive(m, "full_seq_max");
        if (cJSON_IsNumber(sq) && sq->valuedouble > seq_max)
            seq_max = sq->valuedouble;
    }
    int yes = 0, no = 0;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(tj, "addresses"))
    {
        const char *result = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "result"));
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(a, "status");
        const cJSON *gs = cJSON_GetObjectItemCaseSensitive(a, "guid_served");
        yes += cJSON_IsTrue(gs);
        no += cJSON_IsFalse(gs);
        char what[200];
        result = result ? result : "";
        if (!strcmp(result, "not_found")) {
            cJSON_AddItemToArray(missing, server_item(host, port, a, url, guid, "oab.xml answered HTTP 404"));
            continue;
        }
        if (!strcmp(result, "auth_refused")) {
            int code = st ? st->valueint : 0;
            snprintf(what, sizeof what, "HTTP %d %s", code,
                     credentials_sent ? "to the account's credentials (Negotiate/NTLM)" : "to an anonymous request");
            cJSON_AddItemToArray(credentials_sent || code == 403 ? refused : anonymous,
                                 server_item(host, port, a, url, guid, what));
            continue;
        }
        const cJSON *tls = cJSON_GetObjectItemCaseSensitive(a, "tls");
        if (!strcmp(result, "tls_error")) {
            const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "error"));
            snprintf(what, sizeof what, "TLS: %.180s", e ? e : "failed");
            cJSON_AddItemToArray(tls_bad, server_item(host, port, a, url, guid, what));
            continue;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tls, "expired"))) {
            const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tls, "expires"));
            snprintf(what, sizeof what, "certificate expired %s", e ? e : "");
            cJSON_AddItemToArray(tls_bad, server_item(host, port, a, url, guid, what));
        }
        if (!strcmp(result, "ok")) {
            /* The manifest is there; are the newest Full files? */
            const cJSON *f;
            int files_missing = 0;
            cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a, "full_files"))
            {
                const cJSON *fs = cJSON_GetObjectItemCaseSensitive(f, "status");
                if (cJSON_IsNumber(fs) && fs->valueint == 404) {
                    const char *fn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "file"));
                    snprintf(what, sizeof what, "oab.xml is there but %.150s answered HTTP 404", fn ? fn : "?");
                    cJSON_AddItemToArray(missing, server_item(host, port, a, url, guid, what));
                    files_missing = 1;
                    break;
                }
            }
            if (!files_missing)
                cJSON_AddItemToArray(served,
                                     server_item(host, port, a, url, guid, "oab.xml and the Full files answered"));
            const cJSON *sq =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "manifest"), "full_seq_max");
            if (cJSON_IsNumber(sq)) {
                int dup = 0;
                const cJSON *x;
                cJSON_ArrayForEach(x, seqs) dup |= x->valuedouble == sq->valuedouble;
                if (!dup)
                    cJSON_AddItemToArray(seqs, cJSON_CreateNumber(sq->valuedouble));
                if (sq->valuedouble < seq_max) {
                    snprintf(what, sizeof what, "Full sequence %.0f, another server has %.0f", sq->valuedouble,
                             seq_max);
                    cJSON_AddItemToArray(behind, server_item(host, port, a, url, guid, what));
                }
            }
            continue;
        }
        if (strcmp(result, "manifest_error") != 0) {
            const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "error"));
            if (st != NULL && cJSON_IsNumber(st))
                snprintf(what, sizeof what, "%s, HTTP %d", result, st->valueint);
            else
                snprintf(what, sizeof what, "%s: %.150s", result, e ? e : "");
            cJSON_AddItemToArray(unanswered, server_item(host, port, a, url, guid, what));
        }
    }
    seq_max >= 0 ? (void)cJSON_AddNumberToObject(sum, "seq_max", seq_max) : (void)cJSON_AddNullToObject(sum, "seq_max");
    /* Some servers have the files, others not: the field case. */
    cJSON_AddBoolToObject(sum, "files_missing_on_some",
                          cJSON_GetArraySize(missing) > 0 && cJSON_GetArraySize(served) > 0);
    cJSON_AddBoolToObject(sum, "guid_served_nowhere", yes == 0 && no > 0);
    cJSON_AddBoolToObject(sum, "sequences_disagree", cJSON_GetArraySize(seqs) > 1);
    cJSON_DeleteItemFromObjectCaseSensitive(tj, "summary");
    cJSON_AddItemToObject(tj, "summary", sum);
}

/* ---------------------------------------------------------------- the probe */

static const char *source_names[] = {"bits", "events", "command_line", "autodiscover"};

static cJSON *target_json(const ohc_oab_target *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", t->host);
    cJSON_AddNumberToObject(o, "port", t->port);
    cJSON_AddStringToObject(o, "guid", t->guid);
    cJSON_AddStringToObject(o, "folder_url", t->folder_url);
    char url[700];
    snprintf(url, sizeof url, "%soab.xml", t->folder_url);
    cJSON_AddStringToObject(o, "url", url);
    cJSON *src = cJSON_AddArrayToObject(o, "sources");
    for (unsigned i = 0; i < sizeof source_names / sizeof source_names[0]; i++)
        if (t->sources & (1u << i))
            cJSON_AddItemToArray(src, cJSON_CreateString(source_names[i]));
    return o;
}

static void skip_target(target_state *s, const char *reason)
{
    s->skip = 1;
    cJSON_AddStringToObject(s->json, "skipped", reason);
}

/* Policy, proxy and addresses of one target; fills s or marks it skipped. */
static void prepare_target(run *r, target_state *s, const ohc_collect_options *o)
{
    const ohc_oab_target *t = s->t;
    int allowed = ohc_oab_host_allowed(t->host, o->oab_allow_hosts);
    int https = t->scheme[4] == 's';
    cJSON_AddBoolToObject(s->json, "allow_listed", allowed);
    if (o->as_service && !o->oab_service_probing) {
        skip_target(s, "OabProbeService is 0: the service does not probe OAB servers");
    } else if (o->as_service && !allowed) {
        skip_target(s, o->oab_allow_hosts && o->oab_allow_hosts[0]
                           ? "as the service, only hosts in OabProbeHosts are probed: this host is not in it"
                           : "as the service, only hosts in OabProbeHosts are probed, and OabProbeHosts is empty");
    }
    if (s->skip) {
        cJSON_AddNullToObject(s->json, "credentials");
        return;
    }
    cJSON_AddNullToObject(s->json, "skipped");

    /* Credentials: the account's own, only over HTTPS, only to hosts the
     * administrator listed or (interactively) Windows' Intranet zone. */
    char url[700];
    snprintf(url, sizeof url, "%soab.xml", t->folder_url);
    int intranet = !o->as_service && r->platform->intranet != NULL ? r->platform->intranet(url) : 0;
    const char *why;
    if (!r->platform->account_credentials)
        why = "anonymous: this platform's build cannot authenticate as the running account (no SSPI)";
    else if (!https)
        why = "anonymous: credentials are sent over HTTPS only";
    else if (allowed)
        why = "Negotiate/NTLM as the running account: the host is in OabProbeHosts";
    else if (intranet == 1)
        why = "Negotiate/NTLM as the running account: the URL is in the Local Intranet zone";
    else
        why = "anonymous: the host is neither in OabProbeHosts nor in the Local Intranet zone";
    s->credentials = r->platform->account_credentials && https && (allowed || intranet == 1);
    cJSON *cred = cJSON_AddObjectToObject(s->json, "credentials");
    cJSON_AddStringToObject(cred, "sent", s->credentials ? "negotiate_ntlm" : "none");
    cJSON_AddStringToObject(cred, "reason", why);

    /* The proxy Windows would use for this URL. */
    cJSON *px = cJSON_AddObjectToObject(s->json, "proxy");
    ohc_error perr;
    ohc_error_clear(&perr);
    memset(&s->proxy, 0, sizeof s->proxy);
    if (o->resolve_proxy != NULL && o->resolve_proxy(&s->proxy, url, &perr) != OHC_OK) {
        s->proxy.url[0] = '\0';
        cJSON_AddItemToObject(px, "error", ohc_error_to_json(&perr));
    }
    char masked[512];
    ohc_proxy_mask_credentials(masked, sizeof masked, s->proxy.url);
    cJSON_AddStringToObject(px, "url", masked);
    cJSON_AddStringToObject(px, "source", s->proxy.url[0] ? s->proxy.source : "direct");

    /* Addresses: pinned by --server, else every address the name has. */
    const char *from = "dns";
    s->addr_count = 0;
    for (size_t i = 0; o->oab_server_pins != NULL && i < o->oab_server_pin_count; i++) {
        ohc_oab_pin pin;
        if (ohc_oab_pin_parse(&pin, o->oab_server_pins[i], NULL) != OHC_OK || strcmp(pin.host, t->host) != 0)
            continue;
        for (size_t k = 0; k < pin.addr_count && s->addr_count < OHC_OAB_MAX_ADDRESSES; k++)
            memcpy(s->addr[s->addr_count++], pin.addr[k], OHC_OAB_ADDR_MAX);
        from = "command_line";
    }
    if (s->addr_count == 0 && is_addr_literal(t->host) && strlen(t->host) < OHC_OAB_ADDR_MAX) {
        memcpy(s->addr[0], t->host, strlen(t->host) + 1);
        s->addr_count = 1;
        from = "literal";
    }
    if (s->addr_count == 0) {
        ohc_error rerr;
        ohc_error_clear(&rerr);
        if (r->platform->resolve == NULL) {
            ohc_error_set(&rerr, OHC_EUNAVAILABLE, 0, "no name resolution on this platform");
        } else if (r->platform->resolve(s->addr, OHC_OAB_MAX_ADDRESSES, &s->addr_count, t->host, &rerr) == OHC_OK &&
                   s->addr_count == 0) {
            ohc_error_set(&rerr, OHC_ENOTFOUND, 0, "%s has no address", t->host);
        }
        if (s->addr_count == 0) {
            cJSON_AddItemToObject(s->json, "resolve_error", ohc_error_to_json(&rerr));
            s->skip = 2;
        }
    }
    if (s->skip == 0 || s->addr_count > 0)
        cJSON_AddNullToObject(s->json, "resolve_error");
    cJSON_AddStringToObject(s->json, "addresses_from", from);
}

#define DAY_MS (24 * 3600 * 1000LL)

int ohc_oab_daily_budget_take(const char *state_path, unsigned limit, int64_t now_ms, unsigned *out_used, char *why,
                              size_t why_size, char *state_error, size_t state_error_size)
{
    *out_used = 0;
    if (why_size)
        why[0] = '\0';
    if (state_error_size)
        state_error[0] = '\0';
    if (limit > OHC_OAB_DAILY_LIMIT_MAX)
        limit = OHC_OAB_DAILY_LIMIT_MAX;
    /* The checks of the last 24 hours, oldest first. A time in the future
     * means the clock was set back: it is dropped, so it cannot block the
     * budget until the clock catches up (a check too many, at worst). */
    int64_t times[OHC_OAB_DAILY_LIMIT_MAX + 1];
    unsigned n = 0;
    char *data = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_os_read_file(&data, &len, state_path, 4096, &err);
    if (rc == OHC_OK) {
        cJSON *doc = cJSON_ParseWithLength(data, len);
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "times"), *t;
        if (!cJSON_IsArray(arr))
            snprintf(state_error, state_error_size, "%s is not an OAB check budget ({\"times\": [...]}): ignored",
                     state_path);
        cJSON_ArrayForEach(t, arr)
        {
            if (!cJSON_IsNumber(t) || n >= OHC_OAB_DAILY_LIMIT_MAX)
                continue;
            /* compared as a double first: 1e300 or inf has no int64_t (undefined) */
            double d = t->valuedouble;
            if (d > (double)(now_ms - DAY_MS) && d <= (double)now_ms)
                times[n++] = (int64_t)d;
        }
        cJSON_Delete(doc);
    } else if (rc != OHC_ENOTFOUND) {
        snprintf(state_error, state_error_size, "%s", err.message);
    }
    free(data);
    for (unsigned i = 1; i < n; i++) /* insertion sort: at most 96 */
        for (unsigned k = i; k > 0 && times[k - 1] > times[k]; k--) {
            int64_t x = times[k];
            times[k] = times[k - 1];
            times[k - 1] = x;
        }
    *out_used = n;
    if (n >= limit) {
        char when[32];
        ohc_format_rfc3339_utc(when, times[n - limit] + DAY_MS);
        snprintf(why, why_size,
                 "as the service, at most %u OAB check(s) in 24 hours (OabProbeDailyLimit): %u already ran; the next "
                 "one may run after %s",
                 limit, n, when);
        return 0;
    }
    times[n++] = now_ms;
    cJSON *doc = cJSON_CreateObject();
    cJSON *arr = doc ? cJSON_AddArrayToObject(doc, "times") : NULL;
    for (unsigned i = 0; arr != NULL && i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)times[i]));
    char *text = arr ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    ohc_error_clear(&err);
    /* A budget that cannot be written still lets this check run: the limit
     * protects the servers from many checks, not from one. */
    if (text == NULL || ohc_os_write_file_atomic(state_path, text, strlen(text), &err) != OHC_OK)
        snprintf(state_error, state_error_size, "cannot record this check in %s: %s", state_path,
                 text ? err.message : "out of memory");
    free(text);
    return 1;
}

void ohc_oab_probe_collect(ohc_probe_output *out, const ohc_probe_context *ctx, const ohc_oab_platform *platform)
{
    const ohc_collect_options *o = ctx->options;
    ohc_oab_targets *targets = calloc(1, sizeof *targets);
    run *r = calloc(1, sizeof *r);
    cJSON *facts = cJSON_CreateObject();
    if (targets == NULL || r == NULL || facts == NULL) {
        free(targets);
        free(r);
        ohc_probe_take_facts(out, NULL);
        cJSON_Delete(facts);
        return;
    }
    ohc_oab_targets_add_facts(targets, ctx->prior_facts);
    for (size_t i = 0; o->oab_urls != NULL && i < o->oab_url_count; i++)
        ohc_oab_targets_add_url(targets, o->oab_urls[i], OHC_OAB_SRC_COMMAND_LINE);

    cJSON_AddStringToObject(facts, "mode", o->as_service ? "service" : "interactive");
    cJSON_AddBoolToObject(facts, "service_probing", o->oab_service_probing != 0);
    add_split(facts, "allow_list", "");
    cJSON *al = cJSON_GetObjectItemCaseSensitive(facts, "allow_list");
    for (const char *p = o->oab_allow_hosts ? o->oab_allow_hosts : ""; *p;) {
        size_t n = strcspn(p, ",; \t\r\n");
        if (n > 0 && cJSON_GetArraySize(al) < 64) {
            char v[256];
            snprintf(v, sizeof v, "%.*s", (int)(n < 255 ? n : 255), p);
            cJSON_AddItemToArray(al, cJSON_CreateString(v));
        }
        p += n;
        while (*p && strchr(",; \t\r\n", *p))
            p++;
    }
    cJSON_AddBoolToObject(facts, "account_credentials", platform->account_credentials != 0);
    cJSON_AddNumberToObject(facts, "targets_dropped", (double)targets->dropped);
    cJSON *tarr = cJSON_AddArrayToObject(facts, "targets");

    r->platform = platform;
    r->ctx = ctx;
    r->ca_file = o->ca_file;
    r->req_cap = (size_t)OHC_OAB_MAX_TARGETS * OHC_OAB_MAX_ADDRESSES * 5;
    r->reqs = calloc(r->req_cap, sizeof *r->reqs);
    if (r->reqs == NULL || tarr == NULL) {
        free(r->reqs);
        free(r);
        free(targets);
        cJSON_Delete(facts);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    static int curl_ready;
    if (!__atomic_load_n(&curl_ready, __ATOMIC_ACQUIRE)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        __atomic_store_n(&curl_ready, 1, __ATOMIC_RELEASE);
    }

    /* The service's daily budget, spent only when some target may be asked. */
    const char *budget_skip = NULL;
    char budget_why[256] = "", budget_state_error[300] = "";
    unsigned budget_used = 0;
    int budgeted = o->as_service && o->oab_service_probing && o->oab_budget_path != NULL && o->oab_daily_limit > 0;
    if (budgeted) {
        int any = 0;
        for (size_t i = 0; i < targets->count; i++)
            any |= ohc_oab_host_allowed(targets->t[i].host, o->oab_allow_hosts);
        if (any &&
            !ohc_oab_daily_budget_take(o->oab_budget_path, o->oab_daily_limit, ohc_os_utc_now_ms(), &budget_used,
                                       budget_why, sizeof budget_why, budget_state_error, sizeof budget_state_error))
            budget_skip = budget_why;
    }
    cJSON *budget = cJSON_AddObjectToObject(facts, "daily_budget");
    if (budget != NULL) {
        budgeted ? cJSON_AddNumberToObject(budget, "limit", o->oab_daily_limit)
                 : cJSON_AddNullToObject(budget, "limit");
        cJSON_AddNumberToObject(budget, "used_before", budget_used);
        cJSON_AddBoolToObject(budget, "exhausted", budget_skip != NULL);
        budget_state_error[0] ? cJSON_AddStringToObject(budget, "state_error", budget_state_error)
                              : cJSON_AddNullToObject(budget, "state_error");
    }

    size_t skipped = 0;
    r->count = targets->count;
    for (size_t i = 0; i < targets->count; i++) {
        target_state *s = &r->ts[i];
        s->t = &targets->t[i];
        s->json = target_json(s->t);
        cJSON_AddItemToArray(tarr, s->json);
        if (budget_skip != NULL) {
            cJSON_AddBoolToObject(s->json, "allow_listed", ohc_oab_host_allowed(s->t->host, o->oab_allow_hosts));
            skip_target(s, budget_skip);
            cJSON_AddNullToObject(s->json, "credentials");
        } else {
            prepare_target(r, s, o);
        }
        s->addresses = cJSON_AddArrayToObject(s->json, "addresses");
        if (s->skip) {
            skipped++;
            continue;
        }
        char url[700];
        snprintf(url, sizeof url, "%soab.xml", s->t->folder_url);
        for (size_t k = 0; k < s->addr_count; k++)
            new_request(r, i, k, url, 0);
    }

    /* 1: every oab.xml at once. */
    size_t gets = r->req_count;
    if (gets > 0)
        run_requests(r, 0);
    ohc_oab_manifest m;
    for (size_t i = 0; i < gets; i++) {
        request *q = &r->reqs[i];
        int parsed = 0;
        cJSON *aj = address_json(r, q, &m, &parsed);
        cJSON_AddItemToArray(r->ts[q->target].addresses, aj);
        if (!parsed)
            continue;
        /* 2: is each OAL's newest Full file there? */
        cJSON *ff = cJSON_GetObjectItemCaseSensitive(aj, "full_files");
        for (size_t k = 0; k < m.oal_count && k < 4; k++) {
            const ohc_oab_file *f = ohc_oab_manifest_full(&m, k);
            if (f == NULL)
                continue;
            cJSON *fj = cJSON_CreateObject();
            cJSON_AddItemToArray(ff, fj);
            cJSON_AddStringToObject(fj, "oal_id", m.oals[k].id);
            cJSON_AddStringToObject(fj, "file", f->name);
            f->seq >= 0 ? (void)cJSON_AddNumberToObject(fj, "seq", (double)f->seq)
                        : (void)cJSON_AddNullToObject(fj, "seq");
            if (!safe_file_name(f->name)) {
                cJSON_AddNullToObject(fj, "status");
                cJSON_AddStringToObject(fj, "result", "not_asked");
                cJSON_AddNullToObject(fj, "content_length");
                cJSON_AddStringToObject(fj, "error", "the file name is not a plain name: not requested");
                continue;
            }
            char furl[900];
            snprintf(furl, sizeof furl, "%s%s", r->ts[q->target].t->folder_url, f->name);
            request *h = new_request(r, q->target, q->addr, furl, 1);
            if (h == NULL) {
                cJSON_AddNullToObject(fj, "status");
                cJSON_AddStringToObject(fj, "result", "not_asked");
                cJSON_AddNullToObject(fj, "content_length");
                cJSON_AddStringToObject(fj, "error", "out of memory");
                continue;
            }
            h->file_json = fj;
        }
        ohc_oab_manifest_free(&m);
    }
    if (r->req_count > gets && !r->cancelled && !r->timed_out)
        run_requests(r, gets);
    for (size_t i = gets; i < r->req_count; i++)
        fill_head(r, &r->reqs[i]);
    for (size_t i = 0; i < r->count; i++)
        if (!r->ts[i].skip)
            ohc_oab_summarize_target(r->ts[i].json);
        else
            cJSON_AddNullToObject(r->ts[i].json, "summary");

    if (r->cancelled) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_ECANCELLED, 0, "cancelled: some servers were not asked to the end");
    } else if (r->timed_out) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_ETIMEOUT, 0, "the probe's time budget ended before every server answered");
    } else if (targets->count > 0 && skipped == targets->count) {
        out->status = OHC_PROBE_UNAVAILABLE;
        ohc_error_set(&out->error, OHC_EUNAVAILABLE, 0,
                      "no OAB server was asked: %zu URL(s) skipped (see targets[].skipped, resolve_error)", skipped);
    } else if (skipped > 0 || targets->dropped > 0) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_ELIMIT, 0, "%zu OAB URL(s) skipped, %zu past the limit of %u", skipped,
                      targets->dropped, OHC_OAB_MAX_TARGETS);
    }
    for (size_t i = 0; i < r->req_count; i++) {
        curl_easy_cleanup(r->reqs[i].easy);
        curl_slist_free_all(r->reqs[i].connect_list);
        free(r->reqs[i].body);
    }
    free(r->reqs);
    free(r);
    free(targets);
    ohc_probe_take_facts(out, facts);
}
