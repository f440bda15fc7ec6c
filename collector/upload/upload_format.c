#include "upload_format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "civil_time.h"
#include "ohc_version.h"
#include "report.h"
#include "secret.h"
#include "strbuf.h"

const char *const ohc_upload_format_names[] = {"report", "otlp", "splunk-hec", NULL};

const char *ohc_upload_format_name(ohc_upload_format f)
{
    return (unsigned)f <= OHC_UPLOAD_FORMAT_HEC ? ohc_upload_format_names[f] : "?";
}

int ohc_upload_format_parse(ohc_upload_format *out, const char *name)
{
    for (int i = 0; ohc_upload_format_names[i] != NULL; i++)
        if (name != NULL && !ohc_ascii_casecmp(name, ohc_upload_format_names[i])) {
            *out = (ohc_upload_format)i;
            return OHC_OK;
        }
    return OHC_EINVAL;
}

int ohc_upload_format_url(char *out, size_t size, ohc_upload_format f, const char *url)
{
    const char *path = f == OHC_UPLOAD_FORMAT_OTLP  ? "/v1/logs"
                       : f == OHC_UPLOAD_FORMAT_HEC ? "/services/collector/event"
                                                    : "";
    const char *s = strstr(url, "://");
    const char *p = s != NULL ? s + 3 + strcspn(s + 3, "/?#") : url + strlen(url);
    int bare = *p == '\0' || (p[0] == '/' && p[1] == '\0');
    int n = bare && path[0] != '\0' ? snprintf(out, size, "%.*s%s", (int)(p - url), url, path)
                                    : snprintf(out, size, "%s", url);
    return n < 0 || (size_t)n >= size ? OHC_ELIMIT : OHC_OK;
}

int ohc_otlp_severity_number(const char *s)
{
    if (s == NULL)
        return 0;
    if (!strcmp(s, "info") || !strcmp(s, "none"))
        return 9;
    if (!strcmp(s, "warning"))
        return 13;
    if (!strcmp(s, "error"))
        return 17;
    if (!strcmp(s, "critical"))
        return 21;
    return 0;
}

/* ---- OTLP JSON (proto3 JSON mapping, as the OTLP specification asks:
 * lowerCamelCase names, 64-bit integers as decimal strings, enums as numbers) ---- */

static cJSON *any_value(const cJSON *v, int depth);

static cJSON *key_value(const char *key, cJSON *value)
{
    cJSON *kv = cJSON_CreateObject();
    if (kv == NULL || value == NULL) {
        cJSON_Delete(kv);
        cJSON_Delete(value);
        return NULL;
    }
    cJSON_AddStringToObject(kv, "key", key);
    cJSON_AddItemToObject(kv, "value", value);
    return kv;
}

static cJSON *string_value(const char *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL && cJSON_AddStringToObject(o, "stringValue", s) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *int_value(int64_t n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)n);
    cJSON *o = cJSON_CreateObject();
    if (o != NULL && cJSON_AddStringToObject(o, "intValue", buf) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* An ArrayValue or KeyValueList: {"values": [...]}, or {} when empty (proto3
 * JSON leaves an empty repeated field out). */
static cJSON *values_holder(const char *kind, cJSON **out_values)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *holder = o ? cJSON_AddObjectToObject(o, kind) : NULL;
    *out_values = holder ? cJSON_AddArrayToObject(holder, "values") : NULL;
    if (*out_values == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *any_value(const cJSON *v, int depth)
{
    if (cJSON_IsString(v))
        return string_value(v->valuestring);
    if (cJSON_IsBool(v)) {
        cJSON *o = cJSON_CreateObject();
        if (o != NULL && cJSON_AddBoolToObject(o, "boolValue", cJSON_IsTrue(v)) == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        return o;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9007199254740992.0) /* exact in a double: an integer */
            return int_value((int64_t)d);
        cJSON *o = cJSON_CreateObject();
        if (o != NULL && cJSON_AddNumberToObject(o, "doubleValue", d) == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        return o;
    }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        if (depth >= OHC_FORMAT_MAX_DEPTH) {
            char *text = cJSON_PrintUnformatted(v);
            cJSON *o = text ? string_value(text) : NULL;
            free(text);
            return o;
        }
        int arr = cJSON_IsArray(v);
        cJSON *values;
        cJSON *o = values_holder(arr ? "arrayValue" : "kvlistValue", &values);
        if (o == NULL)
            return NULL;
        const cJSON *c;
        cJSON_ArrayForEach(c, v)
        {
            cJSON *item = any_value(c, depth + 1);
            if (!arr)
                item = key_value(c->string ? c->string : "", item);
            if (item == NULL) {
                cJSON_Delete(o);
                return NULL;
            }
            cJSON_AddItemToArray(values, item);
        }
        if (cJSON_GetArraySize(values) == 0)
            cJSON_DeleteItemFromObject(cJSON_GetObjectItem(o, arr ? "arrayValue" : "kvlistValue"), "values");
        return o;
    }
    return cJSON_CreateObject(); /* null: an AnyValue with no value set */
}

/* attrs += {key, AnyValue(v)}; v NULL (absent): nothing. 0, or -1 out of memory. */
static int add_attr(cJSON *attrs, const char *key, const cJSON *v)
{
    if (v == NULL)
        return 0;
    cJSON *kv = key_value(key, any_value(v, 0));
    if (kv == NULL)
        return -1;
    cJSON_AddItemToArray(attrs, kv);
    return 0;
}

static int add_str_attr(cJSON *attrs, const char *key, const char *s)
{
    if (s == NULL)
        return 0;
    cJSON *kv = key_value(key, string_value(s));
    if (kv == NULL)
        return -1;
    cJSON_AddItemToArray(attrs, kv);
    return 0;
}

static int add_int_attr(cJSON *attrs, const char *key, int64_t n)
{
    cJSON *kv = key_value(key, int_value(n));
    if (kv == NULL)
        return -1;
    cJSON_AddItemToArray(attrs, kv);
    return 0;
}

static const char *os_type(const char *family)
{
    if (family == NULL)
        return NULL;
    if (!strcmp(family, "windows"))
        return "windows";
    if (!strcmp(family, "linux"))
        return "linux";
    return family;
}

static const char *host_arch(const char *a)
{
    if (a == NULL)
        return NULL;
    if (!strcmp(a, "x64"))
        return "amd64";
    if (!strcmp(a, "x86"))
        return "x86";
    if (!strcmp(a, "arm64"))
        return "arm64";
    return a;
}

/* ms since 1970 of the report's generated_at, or -1. */
static int64_t report_time_ms(const cJSON *report)
{
    int64_t ms;
    const char *t = ohc_report_str(report, "generated_at");
    if (t == NULL || ohc_civil_parse_rfc3339(&ms, t, 0) != OHC_OK || ms < 0)
        return -1;
    return ms;
}

static void ns_text(char out[32], int64_t ms)
{
    snprintf(out, 32, "%lld000000", (long long)ms);
}

static int resource_attributes(cJSON *attrs, const cJSON *report)
{
    int rc = 0;
    const char *version = ohc_report_str(report, "collector.version");
    rc |= add_str_attr(attrs, "service.name", "ohc");
    rc |= add_str_attr(attrs, "service.version", version ? version : OHC_VERSION);
    rc |= add_str_attr(attrs, "host.name", ohc_report_str(report, "host.computer_name"));
    rc |= add_str_attr(attrs, "host.arch", host_arch(ohc_report_str(report, "host.architecture")));
    rc |= add_str_attr(attrs, "os.type", os_type(ohc_report_str(report, "host.os.family")));
    const char *product = ohc_report_str(report, "host.os.product_name");
    const char *display = ohc_report_str(report, "host.os.display_version");
    if (product != NULL) {
        char desc[256];
        snprintf(desc, sizeof desc, "%s%s%s", product, display ? " " : "", display ? display : "");
        rc |= add_str_attr(attrs, "os.description", desc);
    }
    rc |= add_str_attr(attrs, "os.version", ohc_report_str(report, "host.os.version"));
    const cJSON *build = ohc_report_get(report, "host.os.build");
    if (cJSON_IsNumber(build)) {
        char b[32];
        snprintf(b, sizeof b, "%.0f", build->valuedouble);
        rc |= add_str_attr(attrs, "os.build_id", b);
    }
    return rc;
}

/* The evidence of a finding: an object (name -> value), or the older list of
 * {fact, value}. Each becomes attribute evidence.<name>. */
static int evidence_attributes(cJSON *attrs, const cJSON *evidence)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, evidence)
    {
        const char *name = cJSON_IsObject(evidence) ? e->string : ohc_report_str(e, "fact");
        const cJSON *value = cJSON_IsObject(evidence) ? e : cJSON_GetObjectItemCaseSensitive(e, "value");
        if (name == NULL)
            continue;
        char key[160];
        snprintf(key, sizeof key, "evidence.%s", name);
        /* a {fact} without a value is an AnyValue with nothing set (null) */
        cJSON *kv = key_value(key, value != NULL ? any_value(value, 0) : cJSON_CreateObject());
        if (kv == NULL)
            return -1;
        cJSON_AddItemToArray(attrs, kv);
    }
    return 0;
}

/* The remediation steps' texts (a step is an object with text and commands, or a plain string). */
static cJSON *remediation_texts(const cJSON *steps)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *s;
    cJSON_ArrayForEach(s, steps)
    {
        const char *text = cJSON_IsString(s) ? s->valuestring : ohc_report_str(s, "text");
        if (text != NULL && list != NULL)
            cJSON_AddItemToArray(list, cJSON_CreateString(text));
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "commands"))
        {
            if (cJSON_IsString(c) && list != NULL)
                cJSON_AddItemToArray(list, cJSON_CreateString(c->valuestring));
        }
    }
    return list;
}

static cJSON *log_record(const char *time_ns, const char *observed_ns, const char *severity, const char *body)
{
    cJSON *r = cJSON_CreateObject();
    if (r == NULL)
        return NULL;
    if (time_ns != NULL)
        cJSON_AddStringToObject(r, "timeUnixNano", time_ns);
    cJSON_AddStringToObject(r, "observedTimeUnixNano", observed_ns);
    int sev = ohc_otlp_severity_number(severity);
    if (sev != 0)
        cJSON_AddNumberToObject(r, "severityNumber", sev);
    if (severity != NULL)
        cJSON_AddStringToObject(r, "severityText", severity);
    cJSON_AddItemToObject(r, "body", string_value(body ? body : ""));
    cJSON_AddArrayToObject(r, "attributes");
    return r;
}

static cJSON *finding_record(const cJSON *f, const char *rid, const char *time_ns, const char *observed_ns)
{
    const char *sev = ohc_report_str(f, "severity");
    const char *msg = ohc_report_str(f, "message");
    cJSON *r = log_record(time_ns, observed_ns, sev, msg ? msg : ohc_report_str(f, "title"));
    cJSON *a = r ? cJSON_GetObjectItem(r, "attributes") : NULL;
    if (a == NULL) {
        cJSON_Delete(r);
        return NULL;
    }
    int rc = add_str_attr(a, "event.name", "ohc.finding");
    rc |= add_str_attr(a, "rule.id", ohc_report_str(f, "rule_id"));
    rc |= add_str_attr(a, "rule.set", ohc_report_str(f, "rule_set"));
    rc |= add_str_attr(a, "report.id", rid);
    rc |= add_str_attr(a, "finding.title", ohc_report_str(f, "title"));
    rc |= add_str_attr(a, "finding.category", ohc_report_str(f, "category"));
    rc |= evidence_attributes(a, cJSON_GetObjectItemCaseSensitive(f, "evidence"));
    rc |= add_attr(a, "finding.unchecked", cJSON_GetObjectItemCaseSensitive(f, "unchecked"));
    cJSON *steps = remediation_texts(cJSON_GetObjectItemCaseSensitive(f, "remediation"));
    if (steps != NULL && cJSON_GetArraySize(steps) > 0)
        rc |= add_attr(a, "finding.remediation", steps);
    cJSON_Delete(steps);
    rc |= add_attr(a, "finding.references", cJSON_GetObjectItemCaseSensitive(f, "references"));
    if (rc != 0) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static cJSON *summary_record(const cJSON *report, const char *rid, const char *time_ns, const char *observed_ns)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(report, "summary");
    const char *verdict = ohc_report_str(s, "verdict");
    const char *highest = ohc_report_str(s, "highest_severity");
    int nfind = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "findings"));
    char body[256];
    snprintf(body, sizeof body, "ohc report %s: %d finding(s)%s%s", rid ? rid : "?", nfind, verdict ? ", verdict " : "",
             verdict ? verdict : "");
    cJSON *r = log_record(time_ns, observed_ns, highest ? highest : "info", body);
    cJSON *a = r ? cJSON_GetObjectItem(r, "attributes") : NULL;
    if (a == NULL) {
        cJSON_Delete(r);
        return NULL;
    }
    int rc = add_str_attr(a, "event.name", "ohc.report");
    rc |= add_str_attr(a, "report.id", rid);
    rc |= add_str_attr(a, "report.generated_at", ohc_report_str(report, "generated_at"));
    rc |= add_int_attr(a, "report.findings", nfind);
    rc |= add_str_attr(a, "report.verdict", verdict);
    rc |= add_attr(a, "report.exit_code", cJSON_GetObjectItemCaseSensitive(s, "exit_code"));
    rc |= add_str_attr(a, "report.highest_severity", highest);
    rc |= add_attr(a, "report.counts", cJSON_GetObjectItemCaseSensitive(s, "counts"));
    rc |= add_attr(a, "report.incomplete", cJSON_GetObjectItemCaseSensitive(s, "incomplete"));
    rc |= add_attr(a, "report.not_checked", cJSON_GetObjectItemCaseSensitive(s, "not_checked"));
    cJSON *probes = cJSON_CreateObject();
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "probes"))
    {
        const char *st = ohc_report_str(p, "status");
        if (probes != NULL && p->string != NULL && st != NULL)
            cJSON_AddStringToObject(probes, p->string, st);
    }
    if (probes != NULL && cJSON_GetArraySize(probes) > 0)
        rc |= add_attr(a, "report.probes", probes);
    cJSON_Delete(probes);
    if (rc != 0) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

int ohc_otlp_logs_from_report(char **out, size_t *out_len, const cJSON *report, int64_t now_ms, ohc_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (!cJSON_IsObject(report))
        return ohc_error_set(err, OHC_EMALFORMED, 0, "not a JSON report");
    const char *rid = ohc_report_str(report, "report_id");
    char time_ns[32], observed_ns[32];
    int64_t t = report_time_ms(report);
    ns_text(time_ns, t);
    ns_text(observed_ns, now_ms);
    const char *tns = t >= 0 ? time_ns : NULL;

    cJSON *req = cJSON_CreateObject();
    cJSON *rl = req ? cJSON_AddArrayToObject(req, "resourceLogs") : NULL;
    cJSON *one = cJSON_CreateObject();
    int fail = rl == NULL || one == NULL;
    if (!fail) {
        cJSON_AddItemToArray(rl, one);
        cJSON *res = cJSON_AddObjectToObject(one, "resource");
        cJSON *rattrs = res ? cJSON_AddArrayToObject(res, "attributes") : NULL;
        fail = rattrs == NULL || resource_attributes(rattrs, report) != 0;
        cJSON *sl = fail ? NULL : cJSON_AddArrayToObject(one, "scopeLogs");
        cJSON *scope_logs = cJSON_CreateObject();
        fail |= sl == NULL || scope_logs == NULL;
        if (!fail) {
            cJSON_AddItemToArray(sl, scope_logs);
            cJSON *scope = cJSON_AddObjectToObject(scope_logs, "scope");
            fail |= scope == NULL || cJSON_AddStringToObject(scope, "name", "ohc") == NULL ||
                    cJSON_AddStringToObject(scope, "version", OHC_VERSION) == NULL;
            cJSON *records = fail ? NULL : cJSON_AddArrayToObject(scope_logs, "logRecords");
            cJSON *r = records ? summary_record(report, rid, tns, observed_ns) : NULL;
            fail |= r == NULL;
            if (!fail)
                cJSON_AddItemToArray(records, r);
            const cJSON *f;
            cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings"))
            {
                if (fail)
                    break;
                r = finding_record(f, rid, tns, observed_ns);
                fail |= r == NULL;
                if (r != NULL)
                    cJSON_AddItemToArray(records, r);
            }
        }
    } else {
        cJSON_Delete(one);
    }
    char *text = fail ? NULL : cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (text == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory converting the report to OTLP");
    *out = text;
    *out_len = strlen(text);
    return OHC_OK;
}

/* ---- Splunk HEC ---- */

void ohc_upload_bodies_free(ohc_upload_bodies *b)
{
    for (size_t i = 0; i < b->count; i++) {
        ohc_secret_wipe(b->data[i], b->len[i]); /* headers may hold a token */
        free(b->data[i]);
    }
    free(b->data);
    free(b->len);
    memset(b, 0, sizeof *b);
}

static int bodies_push(ohc_upload_bodies *b, char *data, size_t len)
{
    char **d = realloc(b->data, (b->count + 1) * sizeof *d);
    if (d == NULL)
        return OHC_ENOMEM;
    b->data = d;
    size_t *l = realloc(b->len, (b->count + 1) * sizeof *l);
    if (l == NULL)
        return OHC_ENOMEM;
    b->len = l;
    b->data[b->count] = data;
    b->len[b->count] = len;
    b->count++;
    return OHC_OK;
}

/* The envelope's common part: time, host, source, sourcetype, index. */
static cJSON *hec_envelope(const cJSON *report, const char *sourcetype, const char *index, int64_t t)
{
    cJSON *e = cJSON_CreateObject();
    if (e == NULL)
        return NULL;
    if (t >= 0) {
        /* epoch seconds with milliseconds, as HEC's "time" takes it */
        char buf[40];
        snprintf(buf, sizeof buf, "%lld.%03d", (long long)(t / 1000), (int)(t % 1000));
        cJSON_AddItemToObject(e, "time", cJSON_CreateRaw(buf));
    }
    const char *host = ohc_report_str(report, "host.computer_name");
    if (host != NULL)
        cJSON_AddStringToObject(e, "host", host);
    cJSON_AddStringToObject(e, "source", "ohc");
    cJSON_AddStringToObject(e, "sourcetype", sourcetype);
    if (index != NULL && index[0] != '\0')
        cJSON_AddStringToObject(e, "index", index);
    return e;
}

/* fields: string values only (HEC indexes them; nested objects are refused). */
static void add_field(cJSON *fields, const char *name, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(fields, name, value);
}

static cJSON *hec_report_envelope(const cJSON *report, const char *index, int64_t t)
{
    cJSON *e = hec_envelope(report, "ohc:report", index, t);
    cJSON *ev = e ? cJSON_AddObjectToObject(e, "event") : NULL;
    if (ev == NULL) {
        cJSON_Delete(e);
        return NULL;
    }
    static const char *const keep[] = {"report_id", "generated_at", "collector", "host", "summary", "errors", "upload"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(report, keep[i]);
        if (v != NULL)
            cJSON_AddItemToObject(ev, keep[i], cJSON_Duplicate(v, 1));
    }
    cJSON *probes = cJSON_AddObjectToObject(ev, "probes");
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "probes"))
    {
        const char *st = ohc_report_str(p, "status");
        if (probes != NULL && p->string != NULL && st != NULL)
            cJSON_AddStringToObject(probes, p->string, st);
    }
    cJSON_AddNumberToObject(ev, "finding_count",
                            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "findings")));
    cJSON *fields = cJSON_AddObjectToObject(e, "fields");
    if (fields != NULL) {
        add_field(fields, "report_id", ohc_report_str(report, "report_id"));
        add_field(fields, "verdict", ohc_report_str(report, "summary.verdict"));
        add_field(fields, "highest_severity", ohc_report_str(report, "summary.highest_severity"));
    }
    return e;
}

static cJSON *hec_finding_envelope(const cJSON *report, const cJSON *f, const char *index, int64_t t)
{
    cJSON *e = hec_envelope(report, "ohc:finding", index, t);
    cJSON *ev = e ? cJSON_Duplicate(f, 1) : NULL;
    if (ev == NULL || !cJSON_IsObject(ev)) {
        cJSON_Delete(ev);
        cJSON_Delete(e);
        return NULL;
    }
    const char *rid = ohc_report_str(report, "report_id");
    cJSON_DeleteItemFromObjectCaseSensitive(ev, "report_id");
    if (rid != NULL)
        cJSON_AddStringToObject(ev, "report_id", rid);
    cJSON_AddItemToObject(e, "event", ev);
    cJSON *fields = cJSON_AddObjectToObject(e, "fields");
    if (fields != NULL) {
        add_field(fields, "rule_id", ohc_report_str(f, "rule_id"));
        add_field(fields, "severity", ohc_report_str(f, "severity"));
        add_field(fields, "report_id", rid);
    }
    return e;
}

/* Appends envelope e (consumed) to the batches. */
static int hec_add(ohc_upload_bodies *out, ohc_strbuf *batch, cJSON *e, size_t batch_max)
{
    char *text = e ? cJSON_PrintUnformatted(e) : NULL;
    cJSON_Delete(e);
    if (text == NULL)
        return OHC_ENOMEM;
    size_t n = strlen(text);
    size_t have = batch->len;
    int rc = OHC_OK;
    if (have > 0 && have + 1 + n > batch_max) {
        char *done = ohc_strbuf_detach(batch);
        if (done == NULL || bodies_push(out, done, have) != OHC_OK) {
            free(done);
            rc = OHC_ENOMEM;
        }
        have = 0;
    }
    if (rc == OHC_OK) {
        /* HEC takes a batch as envelopes one after the other; a newline keeps it readable */
        ohc_strbuf_appendf(batch, "%s%s", have > 0 ? "\n" : "", text);
        if (ohc_strbuf_failed(batch))
            rc = OHC_ENOMEM;
    }
    free(text);
    return rc;
}

int ohc_hec_batches_from_report(ohc_upload_bodies *out, const cJSON *report, const char *index, size_t batch_max,
                                ohc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(report))
        return ohc_error_set(err, OHC_EMALFORMED, 0, "not a JSON report");
    int64_t t = report_time_ms(report);
    ohc_strbuf batch = OHC_STRBUF_INIT;
    int rc = hec_add(out, &batch, hec_report_envelope(report, index, t), batch_max);
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings"))
    {
        if (rc != OHC_OK)
            break;
        if (cJSON_IsObject(f))
            rc = hec_add(out, &batch, hec_finding_envelope(report, f, index, t), batch_max);
    }
    if (rc == OHC_OK && batch.len > 0) {
        size_t n = batch.len;
        char *last = ohc_strbuf_detach(&batch);
        if (last == NULL || bodies_push(out, last, n) != OHC_OK) {
            free(last);
            rc = OHC_ENOMEM;
        }
    }
    ohc_strbuf_free(&batch);
    if (rc != OHC_OK) {
        ohc_upload_bodies_free(out);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory converting the report to HEC events");
    }
    return OHC_OK;
}

/* ---- extra headers ---- */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

#define HEADERS_MAX 32

int ohc_upload_headers_parse(ohc_upload_bodies *out, const char *text, ohc_error *err)
{
    static const char *const reserved[] = {"content-type", "content-encoding", "content-length", "host",
                                           "user-agent",   "idempotency-key",  "expect",         "transfer-encoding"};
    memset(out, 0, sizeof *out);
    const char *p = text ? text : "";
    unsigned index = 0;
    while (*p != '\0') {
        const char *end = p + strcspn(p, ",");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        index++;
        const char *ns = p, *ne = eq ? eq : end;
        trim(&ns, &ne);
        if (eq == NULL && ns == ne) { /* an empty item (",,", a trailing comma) */
            p = *end ? end + 1 : end;
            continue;
        }
        int rc = OHC_OK;
        if (eq == NULL || ns == ne)
            rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u is not name=value", index);
        for (const char *c = ns; rc == OHC_OK && c < ne; c++)
            if (!is_tchar((unsigned char)*c))
                rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u: the name holds a character HTTP does not allow",
                                   index);
        if (rc == OHC_OK && ne - ns > 64)
            rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u: the name is longer than 64 characters", index);
        for (size_t r = 0; rc == OHC_OK && r < sizeof reserved / sizeof reserved[0]; r++)
            if (strlen(reserved[r]) == (size_t)(ne - ns) && !ohc_ascii_strncasecmp(ns, reserved[r], (size_t)(ne - ns)))
                rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u: %s is set by ohc itself", index, reserved[r]);
        if (rc == OHC_OK && out->count >= HEADERS_MAX)
            rc = ohc_error_set(err, OHC_EINVAL, 0, "more than %d headers", HEADERS_MAX);
        char *line = NULL;
        size_t cap = 0;
        if (rc == OHC_OK) {
            const char *vs = eq + 1, *ve = end;
            trim(&vs, &ve);
            cap = (size_t)(ne - ns) + 2 + (size_t)(ve - vs) + 1;
            line = malloc(cap);
            if (line == NULL)
                rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            size_t n = 0;
            if (line != NULL) {
                memcpy(line, ns, (size_t)(ne - ns));
                n = (size_t)(ne - ns);
                line[n++] = ':';
                line[n++] = ' ';
            }
            for (const char *c = vs; rc == OHC_OK && c < ve; c++) {
                int ch = (unsigned char)*c;
                if (ch == '%') {
                    int hi = ve - c >= 3 ? ohc_ascii_hex_value(c[1]) : -1;
                    int lo = hi >= 0 ? ohc_ascii_hex_value(c[2]) : -1;
                    if (hi < 0 || lo < 0) {
                        rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u: a %% not followed by two hex digits", index);
                        break;
                    }
                    ch = hi * 16 + lo;
                    c += 2;
                }
                if (ch < 0x20 || ch == 0x7f) {
                    rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u: the value holds a control character", index);
                    break;
                }
                line[n++] = (char)ch;
            }
            if (rc == OHC_OK) {
                line[n] = '\0';
                if (n > 4096)
                    rc = ohc_error_set(err, OHC_EINVAL, 0, "header %u is longer than 4096 bytes", index);
                else if (bodies_push(out, line, n) != OHC_OK)
                    rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
                else
                    line = NULL;
            }
        }
        if (line != NULL) { /* refused half-way: not NUL-terminated */
            ohc_secret_wipe(line, cap);
            free(line);
        }
        if (rc != OHC_OK) {
            ohc_upload_bodies_free(out);
            return rc;
        }
        p = *end ? end + 1 : end;
    }
    return OHC_OK;
}

int ohc_upload_headers_check(const char *value, char *why, size_t why_size)
{
    ohc_upload_bodies h;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_upload_headers_parse(&h, value, &err) != OHC_OK) {
        snprintf(why, why_size, "%s", err.message);
        return 1;
    }
    ohc_upload_bodies_free(&h);
    return 0;
}

int ohc_hec_index_check(const char *value, char *why, size_t why_size)
{
    size_t n = strlen(value);
    if (n > 80) {
        snprintf(why, why_size, "longer than 80 characters");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = value[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
        if (!ok) {
            snprintf(why, why_size, "a Splunk index name has only a-z, 0-9, _ and - (not first)");
            return 1;
        }
    }
    return 0;
}
