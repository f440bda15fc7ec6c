#include "upload.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <zlib.h>

#include "ohc_version.h"
#include "ascii.h"
#include "civil_time.h"
#include "os.h"
#include "report.h"
#include "secret.h"
#include "upload_proxy.h"

#define ANSWER_KEEP 1024

int ohc_upload_check_url(const char *url, int allow_http, ohc_error *err)
{
    if (url == NULL || url[0] == '\0')
        return ohc_error_set(err, OHC_EINVAL, 0, "no upload URL: give --url https://... (or set UploadUrl)");
    if (strlen(url) > 2048)
        return ohc_error_set(err, OHC_EINVAL, 0, "the upload URL is longer than 2048 characters");
    if (!strncmp(url, "https://", 8) && url[8] != '\0')
        return OHC_OK;
    if (!strncmp(url, "http://", 7) && url[7] != '\0') {
        if (allow_http)
            return OHC_OK;
        return ohc_error_set(err, OHC_EINVAL, 0,
                             "refusing to send reports over plain http:// (they would travel unencrypted): "
                             "use an https:// URL, or allow it with --allow-http (AllowInsecureHttp)");
    }
    return ohc_error_set(err, OHC_EINVAL, 0, "the upload URL must start with https://");
}

int ohc_upload_gzip(unsigned char **out, size_t *out_len, const void *data, size_t len, ohc_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (len > 0x7fffffffu)
        return ohc_error_set(err, OHC_ELIMIT, 0, "report too large to compress");
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* 15 + 16: a gzip wrapper, which Content-Encoding: gzip means */
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return ohc_error_set(err, OHC_ENOMEM, 0, "zlib: cannot initialise");
    uLong bound = deflateBound(&zs, (uLong)len);
    unsigned char *buf = malloc(bound);
    if (buf == NULL) {
        deflateEnd(&zs);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    int zrc = deflate(&zs, Z_FINISH);
    size_t n = (size_t)zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return ohc_error_set(err, OHC_EIO, (uint32_t)zrc, "zlib: deflate failed");
    }
    *out = buf;
    *out_len = n;
    return OHC_OK;
}

static int month_index(const char *m)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; i++)
        if (!strncmp(m, names[i], 3))
            return i;
    return -1;
}

int ohc_upload_parse_retry_after(uint32_t *out_ms, const char *value, int64_t now_ms)
{
    *out_ms = 0;
    while (*value == ' ' || *value == '\t')
        value++;
    if (isdigit((unsigned char)*value)) {
        unsigned long long s = 0;
        const char *p = value;
        while (isdigit((unsigned char)*p)) {
            if (s < 100000000ull)
                s = s * 10 + (unsigned)(*p - '0');
            p++;
        }
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p != '\0')
            return OHC_EMALFORMED;
        *out_ms = s > 4000000ull ? 4000000000u : (uint32_t)(s * 1000);
        return OHC_OK;
    }
    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
    char wd[4], mon[4], tz[4];
    unsigned d, y, hh, mm, ss;
    if (sscanf(value, "%3s, %u %3s %u %u:%u:%u %3s", wd, &d, mon, &y, &hh, &mm, &ss, tz) != 8 || strcmp(tz, "GMT") != 0)
        return OHC_EMALFORMED;
    int mi = month_index(mon);
    if (mi < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970 || y > 9999)
        return OHC_EMALFORMED;
    int64_t t = (ohc_civil_days_from_date(y, (unsigned)mi + 1, d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
    int64_t delta = t - now_ms;
    *out_ms = delta <= 0 ? 0 : delta > 4000000000ll ? 4000000000u : (uint32_t)delta;
    return OHC_OK;
}

ohc_upload_outcome ohc_upload_classify(long s)
{
    if (s >= 200 && s <= 299)
        return OHC_UPLOAD_DELIVERED;
    if (s == 0 || s == 408 || s == 429 || (s >= 500 && s <= 599))
        return OHC_UPLOAD_RETRY;
    return OHC_UPLOAD_REJECTED; /* other 4xx, 1xx, 3xx (no redirect is followed with the token) */
}

ohc_upload_outcome ohc_upload_classify_for(ohc_upload_format format, long s)
{
    if (format == OHC_UPLOAD_FORMAT_OTLP && !(s >= 200 && s <= 299))
        return s == 0 || s == 429 || s == 502 || s == 503 || s == 504 ? OHC_UPLOAD_RETRY : OHC_UPLOAD_REJECTED;
    return ohc_upload_classify(s);
}

uint32_t ohc_upload_backoff_ms(unsigned attempt, uint32_t base_ms, uint32_t max_ms, uint32_t rnd)
{
    uint64_t d = base_ms;
    for (unsigned i = 1; i < attempt && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    uint64_t half = d / 2;
    return (uint32_t)(half + (half ? rnd % (half + 1) : 0));
}

void ohc_upload_redact_url(char *out, size_t size, const char *url)
{
    if (size == 0)
        return;
    const char *s = strstr(url, "://");
    const char *start = s ? s + 3 : url;
    const char *end = start + strcspn(start, "/?#");
    const char *at = NULL;
    for (const char *q = start; q < end; q++)
        if (*q == '@')
            at = q;
    if (at == NULL)
        snprintf(out, size, "%s", url);
    else
        snprintf(out, size, "%.*s***@%s", (int)(start - url), url, at + 1);
}

struct ohc_uploader {
    const ohc_upload_config *cfg;
    CURL *curl;
    ohc_upload_proxy proxy;
    char proxy_shown[600];
    char url[2100]; /* cfg->url with the format's path */
    char url_shown[256];
    char auth_header[1100];
    ohc_upload_bodies extra_headers; /* "Name: value" lines of cfg->headers (secret: wiped) */
    char ua_header[96];
    int64_t header_now_ms;
    int ca_file_in_use; /* Schannel: CAINFO set (after the Windows store refused the server) */
    /* per request */
    char answer[ANSWER_KEEP];
    size_t answer_len;
    uint32_t retry_after_ms;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
    ohc_uploader *u = p;
    size_t n = size * nmemb;
    size_t room = sizeof u->answer - 1 - u->answer_len;
    size_t take = n < room ? n : room; /* a huge answer is cut, never stored whole */
    memcpy(u->answer + u->answer_len, data, take);
    u->answer_len += take;
    u->answer[u->answer_len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *p)
{
    ohc_uploader *u = p;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && n < 200) {
        size_t i = 0;
        while (i < sizeof name - 1 && tolower((unsigned char)data[i]) == name[i])
            i++;
        if (i == sizeof name - 1) {
            char v[200];
            memcpy(v, data + i, n - i);
            v[n - i] = '\0';
            uint32_t ms;
            if (ohc_upload_parse_retry_after(&ms, v, ohc_os_utc_now_ms()) == OHC_OK)
                u->retry_after_ms = ms;
        }
    }
    return n;
}

static int curl_ready;

int ohc_uploader_new(ohc_uploader **out, const ohc_upload_config *cfg, ohc_error *err)
{
    *out = NULL;
    int rc = ohc_upload_check_url(cfg->url, cfg->allow_http, err);
    if (rc != OHC_OK)
        return rc;
    if (cfg->token != NULL) {
        for (const char *t = cfg->token; *t; t++)
            if ((unsigned char)*t < 0x21 || *t == 0x7f) /* header injection, or a pasted newline */
                return ohc_error_set(err, OHC_EINVAL, 0, "the upload token holds blanks or control characters");
        if (strlen(cfg->token) > 1024)
            return ohc_error_set(err, OHC_EINVAL, 0, "the upload token is longer than 1024 characters");
    }
    ohc_upload_bodies headers;
    rc = ohc_upload_headers_parse(&headers, cfg->headers, err);
    if (rc != OHC_OK)
        return rc;
    int auth_in_headers = 0;
    for (size_t i = 0; i < headers.count; i++)
        auth_in_headers |= !ohc_ascii_strncasecmp(headers.data[i], "authorization:", 14);
    if (cfg->format == OHC_UPLOAD_FORMAT_HEC && (cfg->token == NULL || cfg->token[0] == '\0') && !auth_in_headers) {
        ohc_upload_bodies_free(&headers);
        return ohc_error_set(err, OHC_EINVAL, 0,
                             "UploadFormat splunk-hec needs the HEC token: set UploadToken (or --token-file, "
                             "OHC_UPLOAD_TOKEN)");
    }
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            ohc_upload_bodies_free(&headers);
            return ohc_error_set(err, OHC_EUNAVAILABLE, 0, "libcurl could not initialise");
        }
        curl_ready = 1;
    }
    ohc_uploader *u = calloc(1, sizeof *u);
    if (u == NULL) {
        ohc_upload_bodies_free(&headers);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    u->cfg = cfg;
    u->extra_headers = headers;
    if (ohc_upload_format_url(u->url, sizeof u->url, cfg->format, cfg->url) != OHC_OK) {
        ohc_upload_bodies_free(&u->extra_headers);
        free(u);
        return ohc_error_set(err, OHC_EINVAL, 0, "the upload URL is too long");
    }
    if (cfg->proxy != NULL) {
        snprintf(u->proxy.url, sizeof u->proxy.url, "%s", cfg->proxy);
        snprintf(u->proxy.source, sizeof u->proxy.source, "--proxy");
    } else {
        ohc_error perr;
        ohc_error_clear(&perr);
        if (cfg->resolve_proxy != NULL && cfg->resolve_proxy(&u->proxy, cfg->url, &perr) != OHC_OK) {
            /* going direct is the best left; the log says why */
            memset(&u->proxy, 0, sizeof u->proxy);
            snprintf(u->proxy.source, sizeof u->proxy.source, "none (%.80s)", perr.message);
        }
    }
    ohc_upload_redact_url(u->proxy_shown, sizeof u->proxy_shown, u->proxy.url);
    ohc_upload_redact_url(u->url_shown, sizeof u->url_shown, u->url);
    snprintf(u->ua_header, sizeof u->ua_header, "ohc/%s (%s)", OHC_VERSION, ohc_os_platform_name());
    /* an Authorization among the extra headers replaces the token's */
    if (cfg->token != NULL && !auth_in_headers)
        snprintf(u->auth_header, sizeof u->auth_header, "Authorization: %s %s",
                 cfg->format == OHC_UPLOAD_FORMAT_HEC ? "Splunk" : "Bearer", cfg->token);

    u->curl = curl_easy_init();
    if (u->curl == NULL) {
        ohc_upload_bodies_free(&u->extra_headers);
        ohc_secret_wipe(u->auth_header, sizeof u->auth_header);
        free(u);
        return ohc_error_set(err, OHC_ENOMEM, 0, "libcurl: no handle");
    }
    CURL *c = u->curl;
    curl_easy_setopt(c, CURLOPT_URL, u->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, cfg->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
#ifdef _WIN32
    /* Schannel: an offline CRL server must not block every upload; a revoked
     * certificate is still refused. */
    curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_REVOKE_BEST_EFFORT);
#endif
#ifdef _WIN32
    /* With Schannel a CA file replaces the Windows store (curl verifies
     * against the file alone), while --ca-file promises to add to it: the
     * store is tried first, and the file when the store refuses the server
     * (ohc_uploader_post). OpenSSL keeps its CA directory beside CAINFO. */
#else
    if (cfg->ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, u->ua_header);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_ms ? cfg->timeout_ms : 60000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 15000));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, u);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, u);
    /* the proxy is ours to choose: "" stops libcurl reading the environment again */
    curl_easy_setopt(c, CURLOPT_PROXY, u->proxy.url);
    if (u->proxy.use_sspi) {
        /* Negotiate/NTLM with the process's own logon (SSPI): ":" means no explicit user */
        curl_easy_setopt(c, CURLOPT_PROXYAUTH, (long)(CURLAUTH_NEGOTIATE | CURLAUTH_NTLM));
        curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, ":");
    } else if (u->proxy.url[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_PROXYAUTH, (long)CURLAUTH_ANY);
    }
    *out = u;
    return OHC_OK;
}

void ohc_uploader_free(ohc_uploader *u)
{
    if (u == NULL)
        return;
    curl_easy_cleanup(u->curl);
    /* the token was in auth_header: do not leave it in freed memory */
    ohc_secret_wipe(u->auth_header, sizeof u->auth_header);
    ohc_upload_bodies_free(&u->extra_headers); /* wipes them */
    free(u);
}

const char *ohc_uploader_proxy(const ohc_uploader *u)
{
    return u->proxy_shown;
}

const char *ohc_uploader_url(const ohc_uploader *u)
{
    return u->url_shown;
}

static void log_attempt(ohc_uploader *u, const char *report_id, unsigned attempt, const ohc_upload_result *r,
                        uint64_t ms, size_t part, size_t parts)
{
    if (u->cfg->log == NULL)
        return;
    char when[32], line[2048], fmt[64] = "";
    ohc_format_rfc3339_utc(when, ohc_os_utc_now_ms());
    if (u->cfg->format != OHC_UPLOAD_FORMAT_REPORT)
        snprintf(fmt, sizeof fmt, " format=%s part=%zu/%zu", ohc_upload_format_name(u->cfg->format), part, parts);
    snprintf(line, sizeof line,
             "%s upload %s%s attempt=%u url=%s proxy=%s%s%s%s result=%s status=%ld bytes=%zu ms=%llu%s%s", when,
             report_id, fmt, attempt, u->url_shown, u->proxy_shown[0] ? u->proxy_shown : "direct",
             u->proxy.source[0] ? " (" : "", u->proxy.source, u->proxy.source[0] ? ")" : "",
             r->outcome == OHC_UPLOAD_DELIVERED ? "delivered"
             : r->outcome == OHC_UPLOAD_RETRY   ? "retry"
                                                : "rejected",
             r->http_status, r->bytes_sent, (unsigned long long)ms, r->detail[0] ? " detail=" : "", r->detail);
    u->cfg->log(u->cfg->log_ctx, line);
}

/* The request's header lines, wiped before they are freed: curl's copies
 * hold the Authorization header and any secret UploadHeaders value. */
static void headers_free(struct curl_slist *h)
{
    for (struct curl_slist *x = h; x != NULL; x = x->next)
        ohc_secret_wipe(x->data, strlen(x->data));
    curl_slist_free_all(h);
}

/* Adds a line; 0 without memory, and then the list is gone (curl_slist_append
 * keeps the old list when it fails: it would leak, and a later line would
 * start a new list without the earlier ones). */
static int header_add(struct curl_slist **h, const char *line)
{
    struct curl_slist *n = curl_slist_append(*h, line);
    if (n == NULL) {
        headers_free(*h);
        *h = NULL;
        return 0;
    }
    *h = n;
    return 1;
}

void ohc_uploader_post(ohc_uploader *u, ohc_upload_result *out, const char *report_id, const void *json, size_t len)
{
    memset(out, 0, sizeof *out);
    u->answer_len = 0;
    u->answer[0] = '\0';
    u->retry_after_ms = 0;
    unsigned char *gz = NULL;
    const void *body = json;
    size_t body_len = len;
    if (!u->cfg->no_gzip) {
        ohc_error gerr;
        if (ohc_upload_gzip(&gz, &body_len, json, len, &gerr) != OHC_OK) {
            out->outcome = OHC_UPLOAD_RETRY;
            snprintf(out->detail, sizeof out->detail, "%s", gerr.message);
            return;
        }
        body = gz;
    }
    struct curl_slist *h = NULL;
    char idem[96];
    snprintf(idem, sizeof idem, "Idempotency-Key: %.40s", report_id);
    int headers_ok = header_add(&h, "Content-Type: application/json") &&
                     (gz == NULL || header_add(&h, "Content-Encoding: gzip")) &&
                     /* the key names one report; a conversion's batches are not one report each */
                     (u->cfg->format != OHC_UPLOAD_FORMAT_REPORT || header_add(&h, idem)) &&
                     header_add(&h, "Expect:") && /* no 100-continue round trip */
                     (u->auth_header[0] == '\0' || header_add(&h, u->auth_header));
    for (size_t i = 0; i < u->extra_headers.count && headers_ok; i++)
        headers_ok = header_add(&h, u->extra_headers.data[i]);
    CURL *c = u->curl;
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = !headers_ok ? CURLE_OUT_OF_MEMORY : curl_easy_perform(c);
#ifdef _WIN32
    if (cc == CURLE_PEER_FAILED_VERIFICATION && u->cfg->ca_file != NULL && !u->ca_file_in_use) {
        /* the Windows store does not know the server's CA: the given file may */
        u->ca_file_in_use = 1;
        curl_easy_setopt(c, CURLOPT_CAINFO, u->cfg->ca_file);
        u->answer_len = 0;
        u->answer[0] = '\0';
        errbuf[0] = '\0';
        cc = curl_easy_perform(c);
    }
#endif
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    headers_free(h);
    free(gz);
    out->bytes_sent = body_len;
    out->retry_after_ms = u->retry_after_ms;
    snprintf(out->answer, sizeof out->answer, "%s", u->answer);
    if (cc != CURLE_OK) {
        out->http_status = 0;
        int tls = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
                  cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM;
        /* a certificate nobody trusts is retried (it may be fixed), never accepted */
        out->outcome = OHC_UPLOAD_RETRY;
        snprintf(out->detail, sizeof out->detail, "%s%.80s: %.160s", tls ? "TLS: " : "", curl_easy_strerror(cc),
                 errbuf[0] ? errbuf : "-");
        /* curl's message can name the proxy URL; never with its password */
        if (strchr(out->detail, '@') != NULL)
            snprintf(out->detail, sizeof out->detail, "%s%s", tls ? "TLS: " : "", curl_easy_strerror(cc));
        return;
    }
    out->http_status = status;
    out->outcome = ohc_upload_classify_for(u->cfg->format, status);
    if (out->outcome != OHC_UPLOAD_DELIVERED)
        snprintf(out->detail, sizeof out->detail, "HTTP %ld", status);
}

/* The report's id, from its JSON; the spool name's is the fallback. */
static int report_id_of(char out[40], const char *json, size_t len)
{
    cJSON *r = cJSON_ParseWithLength(json, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "report_id");
    int ok = cJSON_IsString(id) && strlen(id->valuestring) == 36;
    if (ok)
        snprintf(out, 40, "%s", id->valuestring);
    cJSON_Delete(r);
    return ok ? OHC_OK : OHC_EMALFORMED;
}

/* The bodies one spooled report becomes in cfg->format; for the report format
 * one body that borrows json (the caller must not free it through bodies). */
static int convert(ohc_upload_bodies *out, const ohc_upload_config *cfg, char *json, size_t len, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->format == OHC_UPLOAD_FORMAT_REPORT) {
        out->data = malloc(sizeof *out->data);
        out->len = malloc(sizeof *out->len);
        if (out->data == NULL || out->len == NULL) {
            free(out->data);
            free(out->len);
            memset(out, 0, sizeof *out);
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        }
        out->data[0] = json;
        out->len[0] = len;
        out->count = 1;
        return OHC_OK;
    }
    cJSON *report = cJSON_ParseWithLength(json, len);
    if (report == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "cannot read the report to convert it");
    int rc;
    if (cfg->format == OHC_UPLOAD_FORMAT_OTLP) {
        char *body = NULL;
        size_t n = 0;
        rc = ohc_otlp_logs_from_report(&body, &n, report, ohc_os_utc_now_ms(), err);
        if (rc == OHC_OK) {
            out->data = malloc(sizeof *out->data);
            out->len = malloc(sizeof *out->len);
            if (out->data == NULL || out->len == NULL) {
                free(body);
                free(out->data);
                free(out->len);
                memset(out, 0, sizeof *out);
                rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            } else {
                out->data[0] = body;
                out->len[0] = n;
                out->count = 1;
            }
        }
    } else {
        rc = ohc_hec_batches_from_report(out, report, cfg->hec_index,
                                         cfg->batch_max_bytes ? cfg->batch_max_bytes : 512u * 1024u, err);
    }
    cJSON_Delete(report);
    return rc;
}

static uint32_t random_u32(void)
{
    uint32_t r = 0;
    ohc_os_random_bytes(&r, sizeof r, NULL);
    return r;
}

int ohc_upload_drain(ohc_uploader *u, ohc_spool *sp, ohc_upload_stats *out, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    ohc_spool_entry *v = NULL;
    size_t n = 0;
    int rc = ohc_spool_list(&v, &n, sp, err);
    if (rc != OHC_OK)
        return rc;
    const ohc_upload_config *cfg = u->cfg;
    unsigned max_attempts = cfg->max_attempts ? cfg->max_attempts : 5;
    uint32_t base = cfg->backoff_base_ms ? cfg->backoff_base_ms : 1000;
    uint32_t cap = cfg->backoff_max_ms ? cfg->backoff_max_ms : 300000;
    unsigned consecutive_network_failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[OHC_SPOOL_PATH_MAX + 80];
        char *json = NULL;
        size_t len = 0;
        ohc_error rerr;
        if (ohc_spool_path(path, sizeof path, sp, v[i].name, NULL) != OHC_OK)
            continue;
        int r = ohc_os_read_file(&json, &len, path, OHC_SPOOL_FILE_MAX, &rerr);
        if (r == OHC_ENOTFOUND || (r != OHC_OK && rerr.code == OHC_ENOTFOUND))
            continue; /* delivered by a concurrent drain */
        char id[40];
        if (r != OHC_OK || report_id_of(id, json, len) != OHC_OK) {
            free(json);
            if (r == OHC_OK || r == OHC_EMALFORMED || r == OHC_ELIMIT) {
                ohc_spool_set_aside(sp, v[i].name, "quarantine", "not a JSON report with a report_id", NULL);
                out->quarantined++;
                if (cfg->log) {
                    char line[160];
                    snprintf(line, sizeof line, "upload %s quarantined: not a JSON report with a report_id", v[i].name);
                    cfg->log(cfg->log_ctx, line);
                }
            }
            continue;
        }
        out->bytes_json += len;
        ohc_upload_result res;
        memset(&res, 0, sizeof res);
        ohc_upload_bodies bodies;
        ohc_error cerr;
        if (convert(&bodies, cfg, json, len, &cerr) != OHC_OK) {
            /* out of memory: the report stays, as for a network failure */
            res.outcome = OHC_UPLOAD_RETRY;
            snprintf(res.detail, sizeof res.detail, "%s", cerr.message);
            log_attempt(u, id, 0, &res, 0, 0, 0);
        }
        /* every body must be delivered; the first that is not decides */
        for (size_t part = 0; part < bodies.count; part++) {
            unsigned attempt = 0;
            for (;;) {
                attempt++;
                out->attempts++;
                uint64_t t0 = ohc_os_monotonic_ms();
                ohc_uploader_post(u, &res, id, bodies.data[part], bodies.len[part]);
                out->bytes_sent += res.bytes_sent;
                log_attempt(u, id, attempt, &res, ohc_os_monotonic_ms() - t0, part + 1, bodies.count);
                if (res.outcome != OHC_UPLOAD_RETRY || attempt >= max_attempts)
                    break;
                uint32_t wait = ohc_upload_backoff_ms(attempt, base, cap, random_u32());
                if (res.retry_after_ms > wait)
                    wait = res.retry_after_ms;
                if (wait > cap) /* the server asks for more than we wait in one run: next run */
                    break;
                ohc_os_sleep_ms(wait);
            }
            if (res.outcome != OHC_UPLOAD_DELIVERED)
                break;
        }
        if (cfg->format == OHC_UPLOAD_FORMAT_REPORT) { /* the one body is json itself, freed below */
            free(bodies.data);
            free(bodies.len);
        } else {
            ohc_upload_bodies_free(&bodies);
        }
        free(json);
        if (res.outcome == OHC_UPLOAD_DELIVERED) {
            ohc_spool_remove(sp, v[i].name, NULL);
            out->delivered++;
            consecutive_network_failures = 0;
        } else if (res.outcome == OHC_UPLOAD_REJECTED) {
            char note[1500];
            snprintf(note, sizeof note, "%s (UploadFormat %s)\n%s\n", res.detail, ohc_upload_format_name(cfg->format),
                     res.answer);
            ohc_spool_set_aside(sp, v[i].name, "rejected", note, NULL);
            out->rejected++;
        } else {
            out->retried_later++;
            if (res.retry_after_ms > out->retry_after_ms)
                out->retry_after_ms = res.retry_after_ms;
            /* the endpoint is unreachable: the rest would only wait as long again */
            if (res.http_status == 0 && ++consecutive_network_failures >= 3) {
                out->retried_later += (unsigned)(n - i - 1);
                break;
            }
        }
    }
    free(v);
    return OHC_OK;
}
