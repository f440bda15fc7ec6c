#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ohc_version.h"
#include "os.h"
#include "strbuf.h"

int ohc_uuid_v4(char out[37], ohc_error *err)
{
    unsigned char b[16];
    int rc = ohc_os_random_bytes(b, sizeof b, err);
    if (rc != OHC_OK)
        return rc;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return OHC_OK;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): no
 * gmtime, whose range and thread-safety differ between the CRTs. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

void ohc_format_rfc3339_utc(char out[32], int64_t unix_ms)
{
    int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
    int64_t ms = unix_ms - secs * 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, mo, d, (unsigned)(rem / 3600),
             (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), (unsigned)ms);
}

cJSON *ohc_report_new(ohc_error *err)
{
    char id[37];
    if (ohc_uuid_v4(id, err) != OHC_OK)
        return NULL;
    char when[32];
    ohc_format_rfc3339_utc(when, ohc_os_utc_now_ms());

    cJSON *r = cJSON_CreateObject();
    if (r == NULL) {
        ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        return NULL;
    }
    cJSON_AddNumberToObject(r, "schema_version", OHC_REPORT_SCHEMA_VERSION);
    cJSON_AddStringToObject(r, "report_id", id);
    cJSON_AddStringToObject(r, "generated_at", when);
    cJSON *c = cJSON_AddObjectToObject(r, "collector");
    if (c != NULL) {
        cJSON_AddStringToObject(c, "name", OHC_NAME);
        cJSON_AddStringToObject(c, "version", OHC_VERSION);
        cJSON_AddStringToObject(c, "build", OHC_BUILD_COMMIT);
        cJSON_AddStringToObject(c, "platform", ohc_os_platform_name());
    }
    cJSON_AddNullToObject(r, "host");
    cJSON_AddObjectToObject(r, "probes");
    cJSON_AddObjectToObject(r, "facts");
    cJSON_AddArrayToObject(r, "findings");
    cJSON_AddArrayToObject(r, "errors");
    if (cJSON_GetObjectItemCaseSensitive(r, "errors") == NULL) {
        cJSON_Delete(r);
        ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        return NULL;
    }
    return r;
}

cJSON *ohc_report_collect(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options,
                          ohc_error *err)
{
    cJSON *r = ohc_report_new(err);
    if (r == NULL)
        return NULL;
    cJSON *probes_obj = cJSON_GetObjectItemCaseSensitive(r, "probes");
    cJSON *facts_obj = cJSON_GetObjectItemCaseSensitive(r, "facts");
    ohc_probes_run(probes_obj, facts_obj, probes, count, options);

    cJSON *host = cJSON_GetObjectItemCaseSensitive(facts_obj, "host");
    if (host != NULL && cJSON_GetArraySize(host) > 0) {
        cJSON *copy = cJSON_Duplicate(host, 1);
        if (copy != NULL)
            cJSON_ReplaceItemInObjectCaseSensitive(r, "host", copy);
    }
    return r;
}

void ohc_report_add_error(cJSON *report, const char *source, const ohc_error *err)
{
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    cJSON *e = ohc_error_to_json(err);
    if (errors == NULL || e == NULL) {
        cJSON_Delete(e);
        return;
    }
    cJSON_AddStringToObject(e, "source", source);
    cJSON_AddItemToArray(errors, e);
}

char *ohc_report_to_json(const cJSON *report)
{
    char *s = cJSON_Print(report);
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (t == NULL) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

int ohc_report_collection_failed(const cJSON *report)
{
    const cJSON *probes = cJSON_GetObjectItemCaseSensitive(report, "probes");
    const cJSON *p;
    int any = 0, all_failed = 1;
    cJSON_ArrayForEach(p, probes) {
        any = 1;
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "status");
        if (!cJSON_IsString(st) || strcmp(st->valuestring, "failed") != 0)
            all_failed = 0;
    }
    return !any || all_failed;
}

static const char *json_str(const cJSON *o, const char *path)
{
    /* dotted path of object keys; returns NULL when absent or not a string */
    char key[64];
    const cJSON *cur = o;
    while (cur != NULL && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        path += n + (dot != NULL);
    }
    return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

#define ANSI(color, code) ((color) ? (code) : "")

char *ohc_report_to_text(const cJSON *report, int color)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const char *bold = ANSI(color, "\033[1m"), *reset = ANSI(color, "\033[0m");
    const char *red = ANSI(color, "\033[31m"), *yellow = ANSI(color, "\033[33m"),
               *green = ANSI(color, "\033[32m");

    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(report, "findings");
    int nfind = cJSON_GetArraySize(findings);
    ohc_strbuf_appendf(&sb, "%sOutlook Health Collector%s %s (report %s)\n", bold, reset,
                       json_str(report, "collector.version") ? json_str(report, "collector.version") : "?",
                       json_str(report, "report_id") ? json_str(report, "report_id") : "?");
    const char *host = json_str(report, "host.computer_name");
    const char *product = json_str(report, "host.os.product_name");
    const char *ver = json_str(report, "host.os.version");
    ohc_strbuf_appendf(&sb, "Host:    %s  %s %s\n", host ? host : "(unknown)", product ? product : "",
                       ver ? ver : "");
    const char *who = json_str(report, "host.run_as.account");
    ohc_strbuf_appendf(&sb, "Run as:  %s (%s)\n", who ? who : "(unknown)",
                       json_str(report, "host.run_as.mode") ? json_str(report, "host.run_as.mode") : "?");
    ohc_strbuf_appendf(&sb, "Time:    %s\n\n",
                       json_str(report, "generated_at") ? json_str(report, "generated_at") : "?");

    if (nfind == 0)
        ohc_strbuf_appendf(&sb, "%sVerdict: no problem found%s\n\n", green, reset);
    else
        ohc_strbuf_appendf(&sb, "%sVerdict: %d finding(s)%s\n\n", yellow, nfind, reset);

    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        const char *sev = json_str(f, "severity");
        const char *title = json_str(f, "title");
        const char *msg = json_str(f, "message");
        ohc_strbuf_appendf(&sb, "%s[%s]%s %s\n", (sev && (!strcmp(sev, "error") || !strcmp(sev, "critical")))
                                                    ? red : yellow,
                           sev ? sev : "?", reset, title ? title : "?");
        if (msg)
            ohc_strbuf_appendf(&sb, "    %s\n", msg);
    }
    if (nfind)
        ohc_strbuf_append(&sb, "\n");

    ohc_strbuf_appendf(&sb, "%sProbes%s\n", bold, reset);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "probes")) {
        const char *st = json_str(p, "status");
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(p, "duration_ms");
        int ok = st && !strcmp(st, "ok");
        ohc_strbuf_appendf(&sb, "  %-12s %s%-11s%s %6.0f ms", p->string, ok ? green : yellow, st ? st : "?", reset,
                           cJSON_IsNumber(dur) ? dur->valuedouble : 0.0);
        const char *why = json_str(p, "error.message");
        if (why)
            ohc_strbuf_appendf(&sb, "  %s", why);
        ohc_strbuf_append(&sb, "\n");
    }

    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    if (cJSON_GetArraySize(errors) > 0) {
        ohc_strbuf_appendf(&sb, "\n%sErrors%s\n", bold, reset);
        const cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            const char *src = json_str(e, "source");
            const char *msg = json_str(e, "message");
            ohc_strbuf_appendf(&sb, "  %s: %s\n", src ? src : "?", msg ? msg : "?");
        }
    }
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}
