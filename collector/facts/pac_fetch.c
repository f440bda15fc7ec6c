#include "pac_fetch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ascii.h"
#include "os.h"
#include "proxy.h"
#include "ohc_version.h"

int ohc_pac_body_defines_function(const char *body, size_t len)
{
    static const char name[] = "FindProxyForURL";
    const size_t n = sizeof name - 1;
    for (size_t i = 0; body != NULL && len >= n && i <= len - n; i++)
        if (body[i] == 'F' && memcmp(body + i, name, n) == 0)
            return 1;
    return 0;
}

static const char *str_member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

const char *ohc_pac_user_url(const cJSON *user)
{
    const char *url = str_member(user, "auto_config_url");
    if (url != NULL)
        return url;
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(user, "connection_settings");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(cs, "flag_names");
    const cJSON *n;
    cJSON_ArrayForEach(n, names)
    {
        if (cJSON_IsString(n) && strcmp(n->valuestring, "auto_proxy_url") == 0)
            return str_member(cs, "pac_url");
    }
    return NULL;
}

/* One fetch. The body is kept (at most OHC_PAC_MAX_BYTES) only to look for
 * the function name, then dropped. */
typedef struct pac_request {
    const char *url; /* borrowed from the facts */
    CURL *easy;
    char *body;
    size_t len;
    int too_large;
    char content_type[128];
    char errbuf[CURL_ERROR_SIZE];
    uint64_t started_ms, elapsed_ms;
    CURLcode result;
    int done;
} pac_request;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    pac_request *q = user;
    size_t n = size * nmemb;
    if (n > OHC_PAC_MAX_BYTES - q->len) {
        q->too_large = 1;
        return 0; /* ends the transfer: a PAC is small */
    }
    char *grown = realloc(q->body, q->len + n + 1);
    if (grown == NULL)
        return 0;
    q->body = grown;
    memcpy(q->body + q->len, data, n);
    q->len += n;
    return n;
}

static int http_url(const char *url)
{
    return ohc_ascii_strncasecmp(url, "http://", 7) == 0 || ohc_ascii_strncasecmp(url, "https://", 8) == 0;
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s != NULL && s[0] != '\0')
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *result_json(pac_request *q, int asked, const char *skipped)
{
    cJSON *r = cJSON_CreateObject();
    if (r == NULL)
        return NULL;
    char masked[2048];
    ohc_proxy_mask_credentials(masked, sizeof masked, q->url);
    cJSON_AddStringToObject(r, "url", masked);
    cJSON_AddBoolToObject(r, "fetched", asked);
    add_str_or_null(r, "skipped", skipped);
    long status = 0;
    char *location = NULL;
    if (asked && q->easy != NULL) {
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(q->easy, CURLINFO_REDIRECT_URL, &location);
    }
    cJSON_AddBoolToObject(r, "answered", status > 0);
    if (status > 0)
        cJSON_AddNumberToObject(r, "http_status", (double)status);
    else
        cJSON_AddNullToObject(r, "http_status");
    if (asked)
        cJSON_AddNumberToObject(r, "bytes", (double)q->len);
    else
        cJSON_AddNullToObject(r, "bytes");
    cJSON_AddBoolToObject(r, "too_large", q->too_large);
    add_str_or_null(r, "content_type", q->content_type);
    if (location != NULL) {
        char lm[2048];
        ohc_proxy_mask_credentials(lm, sizeof lm, location);
        cJSON_AddStringToObject(r, "location", lm);
    } else {
        cJSON_AddNullToObject(r, "location");
    }
    if (status > 0 && (q->len > 0 || q->too_large))
        cJSON_AddBoolToObject(r, "defines_find_proxy_for_url", ohc_pac_body_defines_function(q->body, q->len));
    else
        cJSON_AddNullToObject(r, "defines_find_proxy_for_url");
    if (asked)
        cJSON_AddNumberToObject(r, "elapsed_ms", (double)q->elapsed_ms);
    else
        cJSON_AddNullToObject(r, "elapsed_ms");
    /* A body cut at the limit is our doing, not the server's error. */
    if (asked && q->result != CURLE_OK && !(q->too_large && q->result == CURLE_WRITE_ERROR)) {
        add_str_or_null(r, "error", q->errbuf[0] ? q->errbuf : curl_easy_strerror(q->result));
        cJSON_AddNumberToObject(r, "error_code", q->result);
    } else if (asked && !q->done) {
        cJSON_AddStringToObject(r, "error", "no answer within the time allowed");
        cJSON_AddNumberToObject(r, "error_code", CURLE_OPERATION_TIMEDOUT);
    } else {
        cJSON_AddNullToObject(r, "error");
        cJSON_AddNullToObject(r, "error_code");
    }
    return r;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    pac_request *q = user;
    size_t n = size * nmemb;
    static const char ct[] = "content-type:";
    if (n > sizeof ct - 1 && ohc_ascii_strncasecmp(data, ct, sizeof ct - 1) == 0) {
        size_t i = sizeof ct - 1;
        while (i < n && (data[i] == ' ' || data[i] == '\t'))
            i++;
        size_t e = n;
        while (e > i && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
            e--;
        size_t len = e - i < sizeof q->content_type - 1 ? e - i : sizeof q->content_type - 1;
        /* printable ASCII only: the header is the server's text */
        for (size_t k = 0; k < len; k++)
            q->content_type[k] = data[i + k] >= 0x20 && data[i + k] < 0x7F ? data[i + k] : '?';
        q->content_type[len] = '\0';
    }
    return n;
}

static void fetch_all(pac_request *qs, size_t count, unsigned timeout_ms, const char *ca_file)
{
    static int curl_ready;
    if (!__atomic_load_n(&curl_ready, __ATOMIC_ACQUIRE)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        __atomic_store_n(&curl_ready, 1, __ATOMIC_RELEASE);
    }
    CURLM *m = curl_multi_init();
    if (m == NULL)
        return;
    uint64_t start = ohc_os_monotonic_ms();
    for (size_t i = 0; i < count; i++) {
        pac_request *q = &qs[i];
        if ((q->easy = curl_easy_init()) == NULL)
            continue;
        CURL *c = q->easy;
        curl_easy_setopt(c, CURLOPT_URL, q->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_PROXY, ""); /* direct: no proxy, not even the environment's */
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_REVOKE_BEST_EFFORT);
        if (ca_file != NULL && ca_file[0] != '\0')
            curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "ohc/" OHC_VERSION " (PAC check)");
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
        curl_easy_setopt(c, CURLOPT_PRIVATE, q);
        q->started_ms = start;
        curl_multi_add_handle(m, c);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(m, &running) != CURLM_OK || running == 0)
            break;
        /* curl's own timeout ends each transfer; this is the guard behind it */
        if (ohc_os_monotonic_ms() - start > (uint64_t)timeout_ms + 500)
            break;
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        pac_request *q = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
        if (q != NULL) {
            q->result = msg->data.result;
            q->done = 1;
        }
    }
    uint64_t end = ohc_os_monotonic_ms();
    for (size_t i = 0; i < count; i++) {
        if (qs[i].easy != NULL) {
            qs[i].elapsed_ms = end - qs[i].started_ms;
            curl_multi_remove_handle(m, qs[i].easy);
        }
    }
    curl_multi_cleanup(m);
}

int ohc_pac_check_users(cJSON *facts, unsigned timeout_ms, const char *ca_file, const char *skip_all)
{
    cJSON *users = cJSON_GetObjectItemCaseSensitive(facts, "users");
    pac_request qs[OHC_PAC_MAX_URLS];
    memset(qs, 0, sizeof qs);
    size_t count = 0, skipped = 0;
    cJSON *u;
    cJSON_ArrayForEach(u, users)
    {
        const char *url = ohc_pac_user_url(u);
        if (url == NULL)
            continue;
        size_t i = 0;
        while (i < count && strcmp(qs[i].url, url) != 0)
            i++;
        if (i < count)
            continue;
        if (!http_url(url) || skip_all != NULL)
            continue; /* reported as not fetched; takes no place */
        if (count == OHC_PAC_MAX_URLS) {
            skipped++;
            continue;
        }
        qs[count].url = url;
        count++;
    }
    fetch_all(qs, count, timeout_ms, ca_file);

    int rc = 0;
    cJSON_ArrayForEach(u, users)
    {
        const char *url = ohc_pac_user_url(u);
        cJSON *r = NULL;
        if (url != NULL) {
            size_t i = 0;
            while (i < count && strcmp(qs[i].url, url) != 0)
                i++;
            if (skip_all != NULL)
                r = result_json(&(pac_request){.url = url}, 0, skip_all);
            else if (!http_url(url))
                r = result_json(&(pac_request){.url = url}, 0, "not an http or https URL: not fetched");
            else if (i < count)
                r = result_json(&qs[i], qs[i].easy != NULL,
                                qs[i].easy == NULL ? "the request could not be started" : NULL);
            else
                r = result_json(&(pac_request){.url = url}, 0, "more PAC URLs than are checked");
            if (r == NULL)
                rc = -1;
        }
        if (!cJSON_AddItemToObject(u, "pac_fetch", r ? r : cJSON_CreateNull()))
            rc = -1;
    }
    for (size_t i = 0; i < count; i++) {
        curl_easy_cleanup(qs[i].easy);
        free(qs[i].body);
    }
    if (cJSON_AddNumberToObject(facts, "pac_urls_skipped", (double)skipped) == NULL)
        rc = -1;
    return rc;
}
