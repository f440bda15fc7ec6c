/* Upload of reports to the collection endpoint, with libcurl (both platforms).
 *
 * POST <url>, body = the report JSON gzip-compressed (Content-Encoding: gzip),
 * Idempotency-Key: <report_id> (the server keeps the first copy: retries and a
 * kill during an upload only ever cause duplicates it ignores), Authorization:
 * Bearer <token> when one is configured, User-Agent: ohc/<version>.
 * HTTPS always verifies the server's certificate (Schannel and the Windows
 * store on Windows, OpenSSL and the system store natively; ca_file adds a
 * bundle); http:// is refused unless allowed. The proxy is resolved for the
 * URL the way the platform does (cfg->resolve_proxy). The token never
 * appears in a log, report or error message.
 *
 * Outcomes: 2xx delivered; 408, 429, 5xx, timeouts and network errors retried
 * with exponential backoff and jitter, honouring Retry-After; any other answer
 * (4xx, a redirect) rejected: kept aside with the server's answer, not retried.
 *
 * cfg->format (upload_format.h) chooses what a spooled report becomes on the
 * wire, at send time: the report itself, OTLP/HTTP logs (JSON) or Splunk HEC
 * envelopes (in batches: one report may take several POSTs, and it leaves the
 * spool only when every one was answered 2xx; a retry sends them all again,
 * so a receiver may see a batch twice). OTLP retries only what the OTLP
 * specification allows (429, 502, 503, 504, no answer); HEC sends
 * Authorization: Splunk <token> and no Idempotency-Key. */
#ifndef OHC_UPLOAD_H
#define OHC_UPLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "spool.h"
#include "upload_format.h"
#include "upload_proxy.h"

/* Receives each log line (one attempt, a quarantined file), without a newline
 * and never with the token or a proxy password. */
typedef void (*ohc_upload_log_fn)(void *ctx, const char *line);

typedef struct ohc_upload_config {
    const char *url; /* for otlp and splunk-hec a URL without a path gets the format's path */
    const char *token; /* NULL: no Authorization header; splunk-hec needs one */
    ohc_upload_format format; /* what a report becomes on the wire (0: the report) */
    const char *headers; /* extra headers, "name=value,..." (UploadHeaders; a secret); NULL: none */
    const char *hec_index; /* splunk-hec: the index ("" or NULL: the token's default) */
    uint32_t batch_max_bytes; /* splunk-hec: largest POST body before gzip (0: 512 KiB) */
    const char *ca_file; /* NULL: the platform's trust store only */
    int allow_http; /* accept http:// */
    int no_gzip; /* send the JSON as it is (the benchmark compares) */
    uint32_t timeout_ms; /* whole request (0: 60 s) */
    uint32_t connect_timeout_ms; /* (0: 15 s) */
    unsigned max_attempts; /* per report and run (0: 5) */
    uint32_t backoff_base_ms; /* first retry delay (0: 1 s) */
    uint32_t backoff_max_ms; /* cap of one delay, Retry-After included (0: 5 min) */
    const char *proxy; /* NULL: resolve_proxy for the URL; "" : no proxy; else this proxy URL */
    ohc_upload_proxy_fn resolve_proxy; /* the platform's resolver; NULL: direct */
    ohc_upload_log_fn log; /* one line per attempt (may be NULL) */
    void *log_ctx;
} ohc_upload_config;

typedef enum ohc_upload_outcome {
    OHC_UPLOAD_DELIVERED = 0,
    OHC_UPLOAD_RETRY, /* try again later */
    OHC_UPLOAD_REJECTED /* the server refused it for good */
} ohc_upload_outcome;

typedef struct ohc_upload_result {
    ohc_upload_outcome outcome;
    long http_status; /* 0 when no answer */
    uint32_t retry_after_ms; /* from Retry-After, 0 when absent */
    size_t bytes_sent; /* body bytes on the wire */
    char detail[256]; /* "HTTP 503", "timeout after 2000 ms", ... */
    char answer[1024]; /* the start of the server's answer body */
} ohc_upload_result;

typedef struct ohc_upload_stats {
    unsigned delivered, retried_later, rejected, quarantined, attempts;
    uint64_t bytes_sent, bytes_json;
    uint32_t retry_after_ms; /* the longest Retry-After among reports left for later (0: none) */
} ohc_upload_stats;

/* OHC_OK when url is https:// (or http:// and allow_http); else OHC_EINVAL
 * with a message that says what to do. */
int ohc_upload_check_url(const char *url, int allow_http, ohc_error *err);

/* gzip (RFC 1952) of data. *out is new (caller frees with free()). */
int ohc_upload_gzip(unsigned char **out, size_t *out_len, const void *data, size_t len, ohc_error *err);

/* Retry-After as delay-seconds or an HTTP-date, relative to now_ms. OHC_OK and
 * *out_ms, or OHC_EMALFORMED. Past dates give 0. */
int ohc_upload_parse_retry_after(uint32_t *out_ms, const char *value, int64_t now_ms);

/* What an HTTP status (0: no answer) means for the report. */
ohc_upload_outcome ohc_upload_classify(long http_status);

/* The same for a format: OTLP retries only 429, 502, 503, 504 and no answer
 * (the OTLP/HTTP specification: every other 4xx and 5xx is not retried, 400
 * and 413 above all); the others as ohc_upload_classify. */
ohc_upload_outcome ohc_upload_classify_for(ohc_upload_format format, long http_status);

/* Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1)
 * capped at max, then "equal jitter" (half fixed, half random from rnd). */
uint32_t ohc_upload_backoff_ms(unsigned attempt, uint32_t base_ms, uint32_t max_ms, uint32_t rnd);

/* A proxy URL with any user:password@ removed, for logs. */
void ohc_upload_redact_url(char *out, size_t size, const char *url);

/* A connection to one endpoint, reused across reports. */
typedef struct ohc_uploader ohc_uploader;

/* Checks the URL, resolves the proxy, prepares libcurl. cfg and its strings
 * are borrowed for the uploader's life. Free with ohc_uploader_free. */
int ohc_uploader_new(ohc_uploader **out, const ohc_upload_config *cfg, ohc_error *err);
void ohc_uploader_free(ohc_uploader *u);

/* The proxy in use, redacted ("" for none). Borrowed. */
const char *ohc_uploader_proxy(const ohc_uploader *u);

/* The URL posted to (the format's path added when UploadUrl has none),
 * redacted. Borrowed. */
const char *ohc_uploader_url(const ohc_uploader *u);

/* One POST of one body (a report, or its conversion) (no retry). Always fills *out. */
void ohc_uploader_post(ohc_uploader *u, ohc_upload_result *out, const char *report_id, const void *json, size_t len);

/* Sends every spooled report, oldest first, each up to max_attempts times
 * (backoff between); delivered ones leave the spool, rejected ones go to
 * rejected/, unreadable ones to quarantine/, the rest stay for the next run.
 * OHC_OK when the spool could be read (see *out for what happened). */
int ohc_upload_drain(ohc_uploader *u, ohc_spool *sp, ohc_upload_stats *out, ohc_error *err);

#endif
