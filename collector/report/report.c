#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ohc_version.h"
#include "os.h"
#include "strbuf.h"
#include "json_path.h"

int ohc_uuid_v4(char out[37], ohc_error *err)
{
    unsigned char b[16];
    int rc = ohc_os_random_bytes(b, sizeof b, err);
    if (rc != OHC_OK)
        return rc;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return OHC_OK;
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

cJSON *ohc_report_collect(const ohc_probe_def *probes, size_t count, const ohc_collect_options *options, ohc_error *err)
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

const cJSON *ohc_report_get(const cJSON *obj, const char *path)
{
    return ohc_json_get(obj, path);
}

const char *ohc_report_str(const cJSON *obj, const char *path)
{
    const cJSON *v = ohc_report_get(obj, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON **ohc_report_sorted_findings(const cJSON *report, size_t *out_count)
{
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(report, "findings");
    size_t n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) n++;
    *out_count = 0;
    const cJSON **v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL)
        return NULL;
    /* Insertion sort: stable (rule order kept within a severity), and lists are short. */
    cJSON_ArrayForEach(f, findings)
    {
        int r = ohc_severity_rank(ohc_report_str(f, "severity"));
        size_t j = *out_count;
        while (j > 0 && ohc_severity_rank(ohc_report_str(v[j - 1], "severity")) < r) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = f;
        (*out_count)++;
    }
    return v;
}

const char *ohc_report_likely_cause(const cJSON **sorted, size_t count)
{
    /* the worst finding comes first; rule order (the pack lists causes before
     * symptoms) decides among equals */
    if (count == 0 || ohc_severity_rank(ohc_report_str(sorted[0], "severity")) < OHC_SEV_WARNING)
        return NULL;
    return ohc_report_str(sorted[0], "title");
}

/* Text from the PC goes to a terminal: control characters (ESC above all)
 * would let a registry value or event string drive the console. */
static void append_clean(ohc_strbuf *sb, const char *s)
{
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (*p == '\n' || *p == '\t')
                ohc_strbuf_append_char(sb, ' ');
            else
                ohc_strbuf_append_char(sb, '?');
        } else {
            ohc_strbuf_append_char(sb, (char)*p);
        }
    }
}

/* A scalar JSON value as short text ("null", "true", "42", or the string). */
void ohc_report_scalar_text(char *out, size_t size, const cJSON *v)
{
    if (cJSON_IsString(v))
        snprintf(out, size, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        snprintf(out, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v) || v == NULL)
        snprintf(out, size, "null");
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -9.0e15 && d < 9.0e15)
            snprintf(out, size, "%lld", (long long)d);
        else
            snprintf(out, size, "%.17g", d);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        snprintf(out, size, "%s", s ? s : "?");
        free(s);
    }
}

/* A value inside an item: scalars plain, objects "k: v, ...", arrays "a, b". */
static void plain_inline(ohc_strbuf *sb, const cJSON *v, int depth)
{
    char buf[512];
    if (cJSON_IsObject(v) && depth < 4) {
        const cJSON *m;
        int first = 1;
        cJSON_ArrayForEach(m, v)
        {
            if (cJSON_IsNull(m))
                continue;
            ohc_strbuf_append(sb, first ? "" : ", ");
            first = 0;
            ohc_strbuf_append(sb, m->string);
            ohc_strbuf_append(sb, ": ");
            plain_inline(sb, m, depth + 1);
        }
    } else if (cJSON_IsArray(v) && depth < 4) {
        const cJSON *m;
        int first = 1;
        cJSON_ArrayForEach(m, v)
        {
            ohc_strbuf_append(sb, first ? "" : ", ");
            first = 0;
            plain_inline(sb, m, depth + 1);
        }
        if (first)
            ohc_strbuf_append(sb, "(none)");
    } else if (cJSON_IsNull(v)) {
        ohc_strbuf_append(sb, "(none)");
    } else {
        ohc_report_scalar_text(buf, sizeof buf, v);
        ohc_strbuf_append(sb, buf);
    }
}

void ohc_report_plain_items_free(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

int ohc_report_plain_items(char ***out, size_t *out_count, const cJSON *v)
{
    *out = NULL;
    *out_count = 0;
    if (v == NULL || cJSON_IsNull(v))
        return OHC_OK;
    size_t cap = OHC_REPORT_EVIDENCE_ITEMS + 1;
    char **items = calloc(cap, sizeof *items);
    size_t *counts = calloc(cap, sizeof *counts);
    if (items == NULL || counts == NULL) {
        free(items);
        free(counts);
        return OHC_ENOMEM;
    }
    size_t n = 0, more = 0;
    const cJSON *single[1] = {v};
    const cJSON *m = cJSON_IsArray(v) ? v->child : single[0];
    for (; m != NULL; m = cJSON_IsArray(v) ? m->next : NULL) {
        ohc_strbuf sb = OHC_STRBUF_INIT;
        plain_inline(&sb, m, 1);
        ohc_strbuf_append(&sb, ""); /* an empty object still makes an item */
        if (ohc_strbuf_failed(&sb)) {
            ohc_strbuf_free(&sb);
            ohc_report_plain_items_free(items, n);
            free(counts);
            return OHC_ENOMEM;
        }
        size_t k = 0;
        while (k < n && strcmp(items[k], ohc_strbuf_str(&sb)) != 0)
            k++;
        if (k < n) {
            counts[k]++;
            ohc_strbuf_free(&sb);
        } else if (n < OHC_REPORT_EVIDENCE_ITEMS) {
            items[n] = ohc_strbuf_detach(&sb);
            if (items[n] == NULL && (items[n] = ohc_strdup("")) == NULL) {
                ohc_report_plain_items_free(items, n);
                free(counts);
                return OHC_ENOMEM;
            }
            counts[n++] = 1;
        } else {
            more++;
            ohc_strbuf_free(&sb);
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (counts[k] < 2)
            continue;
        ohc_strbuf sb = OHC_STRBUF_INIT;
        ohc_strbuf_appendf(&sb, "%s (%zu times)", items[k], counts[k]);
        char *with = ohc_strbuf_detach(&sb);
        if (with != NULL) {
            free(items[k]);
            items[k] = with;
        }
    }
    if (more > 0) {
        ohc_strbuf sb = OHC_STRBUF_INIT;
        ohc_strbuf_appendf(&sb, "and %zu more", more);
        items[n] = ohc_strbuf_detach(&sb);
        if (items[n] != NULL)
            n++;
    }
    free(counts);
    *out = items;
    *out_count = n;
    return OHC_OK;
}

const char *ohc_report_evidence_label(const cJSON *finding, const char *name)
{
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(finding, "evidence_labels");
    return name ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, name)) : NULL;
}

const char *ohc_report_evidence_name(const cJSON *item)
{
    static const char *const keys[] = {"fact", "path", "name"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = ohc_report_str(item, keys[i]);
        if (s != NULL)
            return s;
    }
    return NULL;
}

/* Steps are strings or objects {text|step|description, command|commands}. */
const char *ohc_report_step_text(const cJSON *step)
{
    if (cJSON_IsString(step))
        return step->valuestring;
    static const char *const keys[] = {"text", "step", "description", "title"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = ohc_report_str(step, keys[i]);
        if (s != NULL)
            return s;
    }
    return NULL;
}

const cJSON *ohc_report_step_commands(const cJSON *step)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(step, "commands");
    if (c == NULL)
        c = cJSON_GetObjectItemCaseSensitive(step, "command");
    return c;
}

static const char *severity_color(int rank, int color)
{
    if (!color)
        return "";
    return rank >= 2 ? "\033[1;31m" : rank == 1 ? "\033[33m" : "\033[36m";
}

static void text_evidence(ohc_strbuf *sb, const cJSON *finding)
{
    const cJSON *evidence = cJSON_GetObjectItemCaseSensitive(finding, "evidence");
    const cJSON *unchecked = cJSON_GetObjectItemCaseSensitive(finding, "unchecked");
    if (evidence == NULL || cJSON_GetArraySize(evidence) == 0)
        return;
    ohc_strbuf_append(sb, "    Evidence:\n");
    char val[512];
    const cJSON *e;
    cJSON_ArrayForEach(e, evidence)
    {
        const char *label = e->string ? ohc_report_evidence_label(finding, e->string) : NULL;
        if (label != NULL && label[0] == '\0')
            continue; /* feeds the commands only */
        ohc_strbuf_append(sb, "      - ");
        const char *why =
            e->string ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(unchecked, e->string)) : NULL;
        if (e->string != NULL) { /* evidence as an object: name -> value, shown plain */
            append_clean(sb, label ? label : e->string);
            ohc_strbuf_append(sb, ":");
            char **items = NULL;
            size_t n = 0;
            if (why != NULL) {
                ohc_strbuf_append(sb, " not checked (");
                append_clean(sb, why);
                ohc_strbuf_append(sb, ")");
            } else if (ohc_report_plain_items(&items, &n, e) != OHC_OK || n == 0) {
                ohc_strbuf_append(sb, " (none)");
            } else if (n == 1) {
                ohc_strbuf_append(sb, " ");
                append_clean(sb, items[0]);
            } else {
                for (size_t i = 0; i < n; i++) {
                    ohc_strbuf_append(sb, "\n          * ");
                    append_clean(sb, items[i]);
                }
            }
            ohc_report_plain_items_free(items, n);
        } else if (cJSON_IsObject(e)) {
            /* {fact|path|name, value, ...}: "name: value, other: x" */
            const char *k = ohc_report_evidence_name(e);
            if (k != NULL) {
                append_clean(sb, k);
                ohc_strbuf_append(sb, ": ");
            }
            const cJSON *m;
            int first = 1;
            cJSON_ArrayForEach(m, e)
            {
                if (cJSON_IsString(m) && m->valuestring == k)
                    continue;
                if (!first)
                    ohc_strbuf_append(sb, ", ");
                first = 0;
                if (strcmp(m->string, "value") != 0) {
                    append_clean(sb, m->string);
                    ohc_strbuf_append(sb, ": ");
                }
                ohc_report_scalar_text(val, sizeof val, m);
                append_clean(sb, val);
            }
        } else {
            ohc_report_scalar_text(val, sizeof val, e);
            append_clean(sb, val);
        }
        ohc_strbuf_append(sb, "\n");
    }
}

static void text_remediation(ohc_strbuf *sb, const cJSON *steps, int color)
{
    if (cJSON_GetArraySize(steps) == 0)
        return;
    ohc_strbuf_append(sb, "    What to do:\n");
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, steps)
    {
        const char *t = ohc_report_step_text(s);
        ohc_strbuf_appendf(sb, "      %d. ", ++i);
        append_clean(sb, t ? t : "");
        ohc_strbuf_append(sb, "\n");
        const cJSON *cmds = ohc_report_step_commands(s);
        const cJSON *c;
        if (cJSON_IsString(cmds)) {
            ohc_strbuf_appendf(sb, "           %s> %s", color ? "\033[1m" : "", "");
            append_clean(sb, cmds->valuestring);
            ohc_strbuf_appendf(sb, "%s\n", color ? "\033[0m" : "");
        } else {
            cJSON_ArrayForEach(c, cmds)
            {
                if (!cJSON_IsString(c))
                    continue;
                ohc_strbuf_appendf(sb, "           %s> ", color ? "\033[1m" : "");
                append_clean(sb, c->valuestring);
                ohc_strbuf_appendf(sb, "%s\n", color ? "\033[0m" : "");
            }
        }
    }
}

static void text_references(ohc_strbuf *sb, const cJSON *refs)
{
    if (cJSON_GetArraySize(refs) == 0)
        return;
    ohc_strbuf_append(sb, "    References:\n");
    const cJSON *r;
    cJSON_ArrayForEach(r, refs)
    {
        const char *title = cJSON_IsString(r) ? NULL : ohc_report_str(r, "title");
        const char *url = cJSON_IsString(r) ? r->valuestring : ohc_report_str(r, "url");
        ohc_strbuf_append(sb, "      - ");
        if (title) {
            append_clean(sb, title);
            ohc_strbuf_append(sb, url ? " " : "");
        }
        append_clean(sb, url);
        ohc_strbuf_append(sb, "\n");
    }
}

static double number_at(const cJSON *obj, const char *path)
{
    const cJSON *v = ohc_report_get(obj, path);
    return v != NULL && cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

int ohc_report_new_events_summary(char *out, size_t size, const cJSON *report)
{
    const cJSON *info = ohc_report_get(report, "facts.events.new_events");
    const char *baseline = ohc_report_str(info, "baseline");
    const char *prev = ohc_report_str(info, "previous_collection");
    if (baseline == NULL || size == 0)
        return 0;
    char since[80];
    if (!strcmp(baseline, "previous_collection"))
        snprintf(since, sizeof since, " since the report of %.40s", prev ? prev : "(unknown time)");
    else
        snprintf(since, sizeof since,
                 baseline[0] == 'f' ? " (first collection: every event counts as new)"
                                    : " (the event state was unreadable: every event counts as new)");
    snprintf(out, size, "%.0f event(s)%s: %.0f Outlook Event 27 failure(s), %.0f failed BITS transfer(s)",
             number_at(info, "count"), since, number_at(report, "facts.events.outlook_oab.summary.new_failure_count"),
             number_at(report, "facts.events.bits_client.summary.new_failed_transfers"));
    return 1;
}

void ohc_report_event_source_line(char *out, size_t size, const cJSON *info, int *out_warn)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    *out_warn = 0;
    const char *file = ohc_report_str(info, "file");
    ohc_strbuf_appendf(&sb, "%.300s: %.0f event(s)", file ? file : "?", number_at(info, "events"));
    const cJSON *c;
    int first = 1;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(info, "computers"))
    {
        const char *name = ohc_report_str(c, "name");
        ohc_strbuf_appendf(&sb, "%s%.100s", first ? " from " : ", ", name && name[0] ? name : "(no computer name)");
        first = 0;
    }
    const char *from = ohc_report_str(info, "first_event"), *to = ohc_report_str(info, "last_event");
    if (from != NULL && to != NULL)
        ohc_strbuf_appendf(&sb, ", %.40s to %.40s", from, to);
    const cJSON *local = cJSON_GetObjectItemCaseSensitive(info, "local_host");
    if (cJSON_IsFalse(local)) {
        ohc_strbuf_append(&sb, "; WARNING: not this PC's log, its events are from another computer");
        *out_warn = 1;
    }
    double damaged = number_at(info, "chunks_damaged") + number_at(info, "records_damaged");
    if (damaged > 0) {
        ohc_strbuf_appendf(&sb, "; WARNING: damaged (%.0f chunk(s), %.0f record(s) skipped: events may be missing)",
                           number_at(info, "chunks_damaged"), number_at(info, "records_damaged"));
        *out_warn = 1;
    }
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(info, "complete"))) {
        ohc_strbuf_append(&sb, "; WARNING: not read to the end");
        *out_warn = 1;
    }
    snprintf(out, size, "%s", ohc_strbuf_failed(&sb) ? "(out of memory)" : ohc_strbuf_str(&sb));
    ohc_strbuf_free(&sb);
}

/* "Events:" lines when the events came from .evtx files, not this PC's live log. */
static void text_event_sources(ohc_strbuf *sb, const cJSON *report, int color)
{
    const cJSON *infos = ohc_report_get(report, "facts.events.file_info");
    if (cJSON_GetArraySize(infos) == 0)
        return;
    ohc_strbuf_append(sb, "Events:  from saved event logs (.evtx), not read live on this PC:\n");
    const cJSON *info;
    char line[1024];
    cJSON_ArrayForEach(info, infos)
    {
        int warn = 0;
        ohc_report_event_source_line(line, sizeof line, info, &warn);
        ohc_strbuf_appendf(sb, "  %s- ", warn ? severity_color(1, color) : "");
        append_clean(sb, line);
        ohc_strbuf_appendf(sb, "%s\n", warn && color ? "\033[0m" : "");
    }
}

/* "New:" line when the events were marked against an event state. */
static void text_new_events(ohc_strbuf *sb, const cJSON *report)
{
    char line[256];
    if (!ohc_report_new_events_summary(line, sizeof line, report))
        return;
    ohc_strbuf_append(sb, "New:     ");
    append_clean(sb, line);
    ohc_strbuf_append(sb, "\n");
}

char *ohc_report_to_text(const cJSON *report, int color)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    const char *green = color ? "\033[32m" : "";

    ohc_strbuf_appendf(&sb, "%sOutlook Health Collector%s ", bold, reset);
    append_clean(&sb, ohc_report_str(report, "collector.version") ? ohc_report_str(report, "collector.version") : "?");
    ohc_strbuf_append(&sb, " (report ");
    append_clean(&sb, ohc_report_str(report, "report_id") ? ohc_report_str(report, "report_id") : "?");
    ohc_strbuf_append(&sb, ")\nHost:    ");
    const char *host = ohc_report_str(report, "host.computer_name");
    append_clean(&sb, host ? host : "(unknown)");
    const char *product = ohc_report_str(report, "host.os.product_name");
    const char *ver = ohc_report_str(report, "host.os.version");
    if (product) {
        ohc_strbuf_append(&sb, "  ");
        append_clean(&sb, product);
    }
    if (ver) {
        ohc_strbuf_append(&sb, " ");
        append_clean(&sb, ver);
    }
    ohc_strbuf_append(&sb, "\nRun as:  ");
    const char *who = ohc_report_str(report, "host.run_as.account");
    append_clean(&sb, who ? who : "(unknown)");
    ohc_strbuf_append(&sb, " (");
    append_clean(&sb, ohc_report_str(report, "host.run_as.mode") ? ohc_report_str(report, "host.run_as.mode") : "?");
    ohc_strbuf_append(&sb, ")\nTime:    ");
    append_clean(&sb, ohc_report_str(report, "generated_at") ? ohc_report_str(report, "generated_at") : "?");
    ohc_strbuf_append(&sb, "\n");
    text_new_events(&sb, report);
    text_event_sources(&sb, report, color);
    ohc_strbuf_append(&sb, "\n");

    size_t n = 0;
    const cJSON **sorted = ohc_report_sorted_findings(report, &n);
    if (sorted == NULL) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    ohc_verdict v;
    ohc_verdict_of(&v, report);
    switch (v.kind) {
    case OHC_VERDICT_FAILED:
        ohc_strbuf_appendf(&sb, "%sVerdict: COLLECTION FAILED%s - no probe could run; see Probes below\n",
                           severity_color(3, color), reset);
        break;
    case OHC_VERDICT_INCOMPLETE:
        ohc_strbuf_appendf(&sb,
                           "%sVerdict: INCOMPLETE%s - no problem found in what could be checked, but not everything "
                           "could be checked (%zu check(s) could not run); see Not checked below\n",
                           severity_color(1, color), reset, v.not_checked);
        break;
    case OHC_VERDICT_OK:
        ohc_strbuf_appendf(&sb, "%sVerdict: OK%s - no problem found%s\n", color ? "\033[1;32m" : "", reset,
                           v.counts[0] ? " (informational notes below)" : "");
        break;
    default:
        ohc_strbuf_appendf(&sb, "%sVerdict: %s%s - %d critical, %d error, %d warning, %d info\n",
                           severity_color(v.worst, color), v.kind == OHC_VERDICT_PROBLEM ? "PROBLEM FOUND" : "WARNING",
                           reset, v.counts[3], v.counts[2], v.counts[1], v.counts[0]);
        if (v.incomplete)
            ohc_strbuf_appendf(&sb,
                               "Also:    not everything could be checked (%zu check(s) could not run); see Not "
                               "checked below\n",
                               v.not_checked);
    }
    const char *cause = ohc_report_likely_cause(sorted, n);
    if (cause != NULL) {
        ohc_strbuf_append(&sb, "Most likely cause: ");
        append_clean(&sb, cause);
        ohc_strbuf_append(&sb, "\n");
    }
    ohc_strbuf_append(&sb, "\n");

    if (n > 0)
        ohc_strbuf_appendf(&sb, "%sFindings%s\n", bold, reset);
    for (size_t i = 0; i < n; i++) {
        const cJSON *f = sorted[i];
        const char *sev = ohc_report_str(f, "severity");
        int rank = ohc_severity_rank(sev);
        ohc_strbuf_appendf(&sb, "%s[%s]%s ", severity_color(rank, color), rank >= 0 ? sev : "?", reset);
        append_clean(&sb, ohc_report_str(f, "title") ? ohc_report_str(f, "title") : "(untitled)");
        const char *rid = ohc_report_str(f, "rule_id");
        if (rid) {
            ohc_strbuf_append(&sb, "  (");
            append_clean(&sb, rid);
            ohc_strbuf_append(&sb, ")");
        }
        ohc_strbuf_append(&sb, "\n");
        const char *msg = ohc_report_str(f, "message");
        if (msg) {
            ohc_strbuf_append(&sb, "    ");
            append_clean(&sb, msg);
            ohc_strbuf_append(&sb, "\n");
        }
        text_evidence(&sb, f);
        text_remediation(&sb, cJSON_GetObjectItemCaseSensitive(f, "remediation"), color);
        text_references(&sb, cJSON_GetObjectItemCaseSensitive(f, "references"));
        ohc_strbuf_append(&sb, "\n");
    }
    free(sorted);

    const cJSON *gaps = ohc_report_get(report, "summary.incomplete");
    if (cJSON_GetArraySize(gaps) > 0 || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(report, "summary"))) {
        ohc_strbuf_appendf(&sb, "%sNot checked%s\n", bold, reset);
        if (cJSON_GetArraySize(gaps) == 0)
            ohc_strbuf_append(&sb, "  - no rule was evaluated: nothing was checked\n");
        const cJSON *g;
        cJSON_ArrayForEach(g, gaps)
        {
            ohc_strbuf_append(&sb, "  - ");
            append_clean(&sb, ohc_report_str(g, "message") ? ohc_report_str(g, "message") : "?");
            const cJSON *rules = cJSON_GetObjectItemCaseSensitive(g, "rules");
            if (cJSON_GetArraySize(rules) > 0) {
                ohc_strbuf_append(&sb, "\n    checks that could not run: ");
                const cJSON *r;
                int first = 1;
                cJSON_ArrayForEach(r, rules)
                {
                    if (!cJSON_IsString(r))
                        continue;
                    ohc_strbuf_append(&sb, first ? "" : ", ");
                    first = 0;
                    append_clean(&sb, r->valuestring);
                }
            }
            ohc_strbuf_append(&sb, "\n");
        }
        ohc_strbuf_append(&sb, "\n");
    }

    ohc_strbuf_appendf(&sb, "%sProbes%s\n", bold, reset);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "probes"))
    {
        const char *st = ohc_report_str(p, "status");
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(p, "duration_ms");
        int ok = st && !strcmp(st, "ok");
        ohc_strbuf_append(&sb, "  ");
        char name[64];
        snprintf(name, sizeof name, "%-12s", p->string ? p->string : "?");
        append_clean(&sb, name);
        char stbuf[24];
        snprintf(stbuf, sizeof stbuf, "%-11s", st ? st : "?");
        ohc_strbuf_appendf(&sb, " %s", ok ? green : severity_color(st && !strcmp(st, "failed") ? 2 : 1, color));
        append_clean(&sb, stbuf);
        ohc_strbuf_appendf(&sb, "%s %6.0f ms", reset, cJSON_IsNumber(dur) ? dur->valuedouble : 0.0);
        const char *why = ohc_report_str(p, "error.message");
        if (why) {
            ohc_strbuf_append(&sb, "  ");
            append_clean(&sb, why);
        }
        ohc_strbuf_append(&sb, "\n");
    }

    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    if (cJSON_GetArraySize(errors) > 0) {
        ohc_strbuf_appendf(&sb, "\n%sErrors%s\n", bold, reset);
        const cJSON *e;
        cJSON_ArrayForEach(e, errors)
        {
            ohc_strbuf_append(&sb, "  ");
            append_clean(&sb, ohc_report_str(e, "source") ? ohc_report_str(e, "source") : "?");
            ohc_strbuf_append(&sb, ": ");
            append_clean(&sb, ohc_report_str(e, "message") ? ohc_report_str(e, "message") : "?");
            ohc_strbuf_append(&sb, "\n");
        }
    }
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}
