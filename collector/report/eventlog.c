#include "eventlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "report.h"
#include "strbuf.h"
#include "verdict.h"

#define FINDING_FIELDS                                                                                                 \
    {                                                                                                                  \
        "rule_id", "severity", "host", "report_id", "title", "message", "evidence", "first_step"                       \
    }
#define SUMMARY_FIELDS                                                                                                 \
    {                                                                                                                  \
        "verdict", "host", "report_id", "findings", "counts", "resolved", "not_checked", "generated_at"                \
    }
#define RESOLVED_FIELDS                                                                                                \
    {                                                                                                                  \
        "rule_id", "severity", "host", "report_id", "title", "message", "last_report_id", "last_seen_at"               \
    }
#define STATE_FIELDS                                                                                                   \
    {                                                                                                                  \
        "problem", "kept_as", "host", "report_id"                                                                      \
    }

#define ROW(k, name, id, type, n, fields)                                                                              \
    {                                                                                                                  \
        k, name, id, type, OHC_EVLOG_MESSAGE_ID(type, id), n, fields                                                   \
    }

/* The event ids: an interface, documented in the README. Never renumber; add. */
static const ohc_evlog_kind kinds[] = {
    ROW(OHC_EVLOG_SUMMARY_OK, "summary.ok", 1000, OHC_EVLOG_INFORMATION, 8, SUMMARY_FIELDS),
    ROW(OHC_EVLOG_SUMMARY_WARNING, "summary.warning", 1001, OHC_EVLOG_WARNING, 8, SUMMARY_FIELDS),
    ROW(OHC_EVLOG_SUMMARY_PROBLEM, "summary.problem", 1002, OHC_EVLOG_ERROR, 8, SUMMARY_FIELDS),
    ROW(OHC_EVLOG_SUMMARY_INCOMPLETE, "summary.incomplete", 1003, OHC_EVLOG_WARNING, 8, SUMMARY_FIELDS),
    ROW(OHC_EVLOG_SUMMARY_FAILED, "summary.failed", 1004, OHC_EVLOG_ERROR, 8, SUMMARY_FIELDS),
    ROW(OHC_EVLOG_FINDING_INFO, "finding.info", 1010, OHC_EVLOG_INFORMATION, 8, FINDING_FIELDS),
    ROW(OHC_EVLOG_FINDING_WARNING, "finding.warning", 1011, OHC_EVLOG_WARNING, 8, FINDING_FIELDS),
    ROW(OHC_EVLOG_FINDING_ERROR, "finding.error", 1012, OHC_EVLOG_ERROR, 8, FINDING_FIELDS),
    ROW(OHC_EVLOG_FINDING_CRITICAL, "finding.critical", 1013, OHC_EVLOG_ERROR, 8, FINDING_FIELDS),
    ROW(OHC_EVLOG_RESOLVED, "resolved", 1020, OHC_EVLOG_INFORMATION, 8, RESOLVED_FIELDS),
    ROW(OHC_EVLOG_STATE_DAMAGED, "state.unreadable", 1030, OHC_EVLOG_WARNING, 4, STATE_FIELDS),
};
_Static_assert(sizeof kinds / sizeof kinds[0] == OHC_EVLOG_KIND_COUNT, "one row per ohc_evlog_kind_id");

const ohc_evlog_kind *ohc_evlog_kinds(size_t *out_count)
{
    if (out_count != NULL)
        *out_count = OHC_EVLOG_KIND_COUNT;
    return kinds;
}

/* ---- bounded, redacted strings ---- */

/* Length of the longest prefix of s (at most max bytes) that ends on a
 * UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* user:password@ (or user@) after "scheme://" becomes ***@. */
static void append_redacted(ohc_strbuf *sb, const char *s)
{
    const char *p = s;
    for (;;) {
        const char *sep = strstr(p, "://");
        if (sep == NULL)
            break;
        const char *auth = sep + 3, *end = auth;
        while (*end && !strchr("/?#@ \t\r\n\"'<>", *end))
            end++;
        ohc_strbuf_append_len(sb, p, (size_t)(auth - p));
        if (*end == '@' && end > auth) {
            ohc_strbuf_append(sb, "***");
            p = end;
        } else {
            p = auth;
        }
    }
    ohc_strbuf_append(sb, p);
}

char *ohc_evlog_bounded(const char *src, size_t max)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    append_redacted(&sb, src != NULL ? src : "");
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    char *s = ohc_strbuf_detach(&sb);
    size_t len = s ? strlen(s) : 0;
    if (s == NULL || len <= max)
        return s;
    char marker[80];
    int m = snprintf(marker, sizeof marker, " [... cut: %zu more bytes, see the report]", len);
    size_t mlen = m > 0 ? (size_t)m : 0;
    if (mlen >= max) { /* a bound too small for the marker: cut only */
        s[utf8_cut(s, max)] = '\0';
        return s;
    }
    size_t keep = utf8_cut(s, max - mlen);
    /* the count says what was left out */
    snprintf(marker, sizeof marker, " [... cut: %zu more bytes, see the report]", len - keep);
    mlen = strlen(marker);
    if (keep + mlen > max)
        keep = utf8_cut(s, max - mlen);
    memcpy(s + keep, marker, mlen + 1);
    return s;
}

/* ---- events ---- */

static void event_free(ohc_evlog_event *ev)
{
    for (size_t i = 0; i < ev->nstrings; i++)
        free(ev->strings[i]);
    memset(ev, 0, sizeof *ev);
}

static int event_init(ohc_evlog_event *ev, ohc_evlog_kind_id kind, const char *const *values, const size_t *bounds)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = &kinds[kind];
    for (size_t i = 0; i < ev->kind->field_count; i++) {
        ev->strings[i] = ohc_evlog_bounded(values[i], bounds[i]);
        if (ev->strings[i] == NULL) {
            event_free(ev);
            return OHC_ENOMEM;
        }
        ev->nstrings++;
    }
    return OHC_OK;
}

static const char *str_or(const cJSON *obj, const char *path, const char *fallback)
{
    const char *s = ohc_report_str(obj, path);
    return s != NULL ? s : fallback;
}

/* "name = value; ..." in the evidence's order; a value that could not be read
 * says "not checked" with the reason. */
static char *format_evidence(const cJSON *finding)
{
    const cJSON *evidence = cJSON_GetObjectItemCaseSensitive(finding, "evidence");
    const cJSON *unchecked = cJSON_GetObjectItemCaseSensitive(finding, "unchecked");
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const cJSON *item;
    cJSON_ArrayForEach(item, evidence)
    {
        if (sb.len > OHC_EVLOG_TEXT_MAX)
            break; /* cut later anyway */
        ohc_strbuf_appendf(&sb, "%s%s = ", sb.len ? "; " : "", item->string ? item->string : "?");
        const cJSON *why = item->string ? cJSON_GetObjectItemCaseSensitive(unchecked, item->string) : NULL;
        if (cJSON_IsString(why)) {
            ohc_strbuf_appendf(&sb, "not checked (%s)", why->valuestring);
        } else if (cJSON_IsString(item)) {
            ohc_strbuf_append(&sb, item->valuestring);
        } else {
            char *json = cJSON_PrintUnformatted(item);
            ohc_strbuf_append(&sb, json ? json : "?");
            free(json);
        }
    }
    if (sb.len == 0)
        ohc_strbuf_append(&sb, "(none)");
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}

/* The first remediation step: its text, then its commands, one a line. */
static char *format_first_step(const cJSON *finding)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(finding, "remediation"), 0);
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_strbuf_append(&sb, str_or(first, "text", "(none)"));
    const cJSON *cmd;
    cJSON_ArrayForEach(cmd, cJSON_GetObjectItemCaseSensitive(first, "commands"))
    {
        if (cJSON_IsString(cmd) && sb.len <= OHC_EVLOG_TEXT_MAX)
            ohc_strbuf_appendf(&sb, "\r\n%s", cmd->valuestring);
    }
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}

static const size_t finding_bounds[8] = {OHC_EVLOG_STATE_RULE_MAX - 1, OHC_EVLOG_SHORT_MAX, OHC_EVLOG_SHORT_MAX,
                                         OHC_EVLOG_SHORT_MAX,          OHC_EVLOG_TITLE_MAX, OHC_EVLOG_TEXT_MAX,
                                         OHC_EVLOG_TEXT_MAX,           OHC_EVLOG_TEXT_MAX};
_Static_assert(OHC_EVLOG_STATE_RULE_MAX + 3 * OHC_EVLOG_SHORT_MAX + OHC_EVLOG_TITLE_MAX + 3 * OHC_EVLOG_TEXT_MAX <=
                   OHC_EVLOG_EVENT_MAX,
               "an event's strings stay within OHC_EVLOG_EVENT_MAX");
static const size_t summary_bounds[8] = {OHC_EVLOG_SHORT_MAX, OHC_EVLOG_SHORT_MAX, OHC_EVLOG_SHORT_MAX,
                                         OHC_EVLOG_SHORT_MAX, OHC_EVLOG_SHORT_MAX, OHC_EVLOG_SHORT_MAX,
                                         OHC_EVLOG_TEXT_MAX,  OHC_EVLOG_SHORT_MAX};
static const size_t state_bounds[4] = {OHC_EVLOG_TEXT_MAX, OHC_EVLOG_TEXT_MAX, OHC_EVLOG_SHORT_MAX,
                                       OHC_EVLOG_SHORT_MAX};

static int finding_event(ohc_evlog_event *ev, const cJSON *f, int rank, const char *host, const char *report_id)
{
    static const ohc_evlog_kind_id by_rank[OHC_SEV_COUNT] = {OHC_EVLOG_FINDING_INFO, OHC_EVLOG_FINDING_WARNING,
                                                             OHC_EVLOG_FINDING_ERROR, OHC_EVLOG_FINDING_CRITICAL};
    char *evidence = format_evidence(f), *step = format_first_step(f);
    const char *values[8] = {str_or(f, "rule_id", "?"), ohc_severity_name(rank),  host,     report_id,
                             str_or(f, "title", ""),    str_or(f, "message", ""), evidence, step};
    int rc = evidence && step ? event_init(ev, by_rank[rank], values, finding_bounds) : OHC_ENOMEM;
    free(evidence);
    free(step);
    return rc;
}

/* ---- the state ---- */

void ohc_evlog_state_free(ohc_evlog_state *st)
{
    for (size_t i = 0; st->seen != NULL && i < st->count; i++) {
        free(st->seen[i].title);
        free(st->seen[i].message);
    }
    free(st->seen);
    st->seen = NULL;
    st->count = 0;
}

static int copy_bounded(char *dst, size_t size, const cJSON *v, int may_be_empty)
{
    if (!cJSON_IsString(v))
        return 0;
    size_t len = strlen(v->valuestring);
    if (len >= size || (len == 0 && !may_be_empty))
        return 0;
    memcpy(dst, v->valuestring, len + 1);
    return 1;
}

static int is_time(const cJSON *v)
{
    int64_t ms;
    return cJSON_IsString(v) && strlen(v->valuestring) < 40 &&
           ohc_civil_parse_rfc3339(&ms, v->valuestring, 0) == OHC_OK;
}

static const char *parse_seen(ohc_evlog_seen *s, const cJSON *c, const ohc_evlog_state *st)
{
    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(c, "severity");
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(c, "title");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(c, "message");
    if (!cJSON_IsObject(c))
        return "not an object";
    if (!copy_bounded(s->rule_id, sizeof s->rule_id, cJSON_GetObjectItemCaseSensitive(c, "rule_id"), 0))
        return "rule_id is not a string of 1 to 127 bytes";
    for (size_t i = 0; i < st->count; i++)
        if (!strcmp(st->seen[i].rule_id, s->rule_id))
            return "a rule_id appears twice";
    if (!cJSON_IsString(sev) || (s->severity = ohc_severity_rank(sev->valuestring)) < 0)
        return "severity is not info, warning, error or critical";
    if (!cJSON_IsString(title) || strlen(title->valuestring) > OHC_EVLOG_TITLE_MAX)
        return "title is not a string of at most 512 bytes";
    if (!cJSON_IsString(message) || strlen(message->valuestring) > OHC_EVLOG_TEXT_MAX)
        return "message is not a string of at most 2048 bytes";
    if (!copy_bounded(s->report_id, sizeof s->report_id, cJSON_GetObjectItemCaseSensitive(c, "report_id"), 1))
        return "report_id is not a string of at most 255 bytes";
    const cJSON *seen_at = cJSON_GetObjectItemCaseSensitive(c, "seen_at");
    if (!is_time(seen_at) && !(cJSON_IsString(seen_at) && seen_at->valuestring[0] == '\0'))
        return "seen_at is not an RFC 3339 time or \"\"";
    snprintf(s->seen_at, sizeof s->seen_at, "%s", seen_at->valuestring);
    s->title = ohc_strdup(title->valuestring);
    s->message = ohc_strdup(message->valuestring);
    return s->title && s->message ? NULL : "out of memory";
}

int ohc_evlog_state_parse(ohc_evlog_state *out, const char *text, size_t len, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > OHC_EVLOG_STATE_MAX_BYTES)
        return ohc_error_set(err, OHC_ELIMIT, 0, "larger than %u bytes", OHC_EVLOG_STATE_MAX_BYTES);
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(root, "findings");
    const char *problem = NULL;
    if (root == NULL)
        problem = "not JSON";
    else if (!cJSON_IsObject(root))
        problem = "not a JSON object";
    else if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        problem = "version is not 1";
    else if (!cJSON_IsArray(findings))
        problem = "findings is not an array";
    else if ((size_t)cJSON_GetArraySize(findings) > OHC_EVLOG_STATE_MAX_FINDINGS) {
        cJSON_Delete(root);
        return ohc_error_set(err, OHC_ELIMIT, 0, "more than %u findings", OHC_EVLOG_STATE_MAX_FINDINGS);
    }
    size_t n = problem ? 0 : (size_t)cJSON_GetArraySize(findings);
    if (n > 0 && (out->seen = calloc(n, sizeof *out->seen)) == NULL) {
        cJSON_Delete(root);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    size_t index = 0;
    for (const cJSON *c = problem ? NULL : findings->child; c != NULL; c = c->next, index++) {
        ohc_evlog_seen *s = &out->seen[out->count];
        const char *p = parse_seen(s, c, out);
        if (p != NULL) {
            free(s->title);
            free(s->message);
            cJSON_Delete(root);
            ohc_evlog_state_free(out);
            if (!strcmp(p, "out of memory"))
                return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            return ohc_error_set(err, OHC_EMALFORMED, 0, "findings[%zu]: %s", index, p);
        }
        out->count++;
    }
    cJSON_Delete(root);
    if (problem != NULL)
        return ohc_error_set(err, OHC_EMALFORMED, 0, "%s", problem);
    return OHC_OK;
}

static int add_seen_json(cJSON *list, const char *rule_id, const char *severity, const char *title, const char *message,
                         const char *report_id, const char *seen_at)
{
    cJSON *c = cJSON_CreateObject();
    /* written within the bounds the parser checks, so that it always reads back */
    char *t = ohc_evlog_bounded(title, OHC_EVLOG_TITLE_MAX), *m = ohc_evlog_bounded(message, OHC_EVLOG_TEXT_MAX);
    char *r = ohc_evlog_bounded(report_id, OHC_EVLOG_SHORT_MAX - 1);
    int64_t ms;
    int timed = strlen(seen_at) < 40 && ohc_civil_parse_rfc3339(&ms, seen_at, 0) == OHC_OK;
    int ok = c != NULL && t != NULL && m != NULL && r != NULL && cJSON_AddStringToObject(c, "rule_id", rule_id) &&
             cJSON_AddStringToObject(c, "severity", severity) && cJSON_AddStringToObject(c, "title", t) &&
             cJSON_AddStringToObject(c, "message", m) && cJSON_AddStringToObject(c, "report_id", r) &&
             cJSON_AddStringToObject(c, "seen_at", timed ? seen_at : "");
    free(t);
    free(m);
    free(r);
    if (ok && cJSON_AddItemToArray(list, c))
        return OHC_OK;
    cJSON_Delete(c);
    return OHC_ENOMEM;
}

/* ---- the plan ---- */

void ohc_evlog_plan_free(ohc_evlog_plan *p)
{
    for (size_t i = 0; p->events != NULL && i < p->count; i++)
        event_free(&p->events[i]);
    free(p->events);
    free(p->next_state);
    memset(p, 0, sizeof *p);
}

static int in_not_checked(const cJSON *report, const char *rule_id)
{
    const cJSON *nc;
    cJSON_ArrayForEach(nc, ohc_report_get(report, "summary.not_checked"))
    {
        const char *id = ohc_report_str(nc, "rule_id");
        if (id != NULL && !strcmp(id, rule_id))
            return 1;
    }
    return 0;
}

/* Whether the report can say that a finding is gone: the collection ran,
 * the rules were evaluated and every rule file loaded. */
static int can_resolve(const cJSON *report, const ohc_verdict *v)
{
    if (v->kind == OHC_VERDICT_FAILED || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(report, "summary")))
        return 0;
    const cJSON *gap;
    cJSON_ArrayForEach(gap, ohc_report_get(report, "summary.incomplete"))
    {
        const char *source = ohc_report_str(gap, "source");
        if (source != NULL && !strcmp(source, "rules"))
            return 0;
    }
    return 1;
}

static char *join_incomplete(const cJSON *report)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const cJSON *gap;
    cJSON_ArrayForEach(gap, ohc_report_get(report, "summary.incomplete"))
    {
        if (sb.len <= OHC_EVLOG_TEXT_MAX)
            ohc_strbuf_appendf(&sb, "%s%s", sb.len ? "; " : "", str_or(gap, "message", "?"));
    }
    if (sb.len == 0)
        ohc_strbuf_append(&sb, "(none)");
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}

/* Findings in report order, worst first (stable). */
static size_t sorted_findings(const cJSON **out, size_t max, const cJSON *report)
{
    size_t n = 0;
    for (int rank = OHC_SEV_CRITICAL; rank >= OHC_SEV_INFO; rank--) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings"))
        {
            const char *sev = ohc_report_str(f, "severity");
            const char *id = ohc_report_str(f, "rule_id");
            if (n < max && sev != NULL && id != NULL && id[0] != '\0' && ohc_severity_rank(sev) == rank)
                out[n++] = f;
        }
    }
    return n;
}

int ohc_evlog_plan_make(ohc_evlog_plan *out, const cJSON *report, const ohc_evlog_state *prev,
                        const char *state_problem)
{
    memset(out, 0, sizeof *out);
    ohc_verdict v;
    ohc_verdict_of(&v, report);
    const char *host = str_or(report, "host.computer_name", "");
    const char *report_id = str_or(report, "report_id", "");
    const char *generated_at = str_or(report, "generated_at", "");
    size_t nfind = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "findings"));
    const cJSON **findings = calloc(nfind ? nfind : 1, sizeof *findings);
    size_t prev_count = prev != NULL ? prev->count : 0;
    /* findings, resolved, state, summary */
    out->events = calloc(nfind + prev_count + 2, sizeof *out->events);
    cJSON *state = cJSON_CreateObject();
    cJSON *list = state ? cJSON_AddArrayToObject(state, "findings") : NULL;
    int rc = findings && out->events && list && cJSON_AddNumberToObject(state, "version", 1) &&
                     cJSON_AddStringToObject(state, "report_id", report_id) &&
                     cJSON_AddStringToObject(state, "generated_at", generated_at)
                 ? OHC_OK
                 : OHC_ENOMEM;
    nfind = rc == OHC_OK ? sorted_findings(findings, nfind, report) : 0;
    size_t stored = 0;
    for (size_t i = 0; rc == OHC_OK && i < nfind; i++) {
        const char *rule_id = ohc_report_str(findings[i], "rule_id");
        int rank = ohc_severity_rank(ohc_report_str(findings[i], "severity"));
        if (out->findings < OHC_EVLOG_MAX_FINDING_EVENTS) {
            rc = finding_event(&out->events[out->count], findings[i], rank, host, report_id);
            out->count += rc == OHC_OK;
            out->findings += rc == OHC_OK;
        }
        /* The state keeps each rule once (the first, worst finding) and only ids it can read back. */
        if (rc == OHC_OK && strlen(rule_id) < OHC_EVLOG_STATE_RULE_MAX && stored < OHC_EVLOG_STATE_MAX_FINDINGS) {
            int dup = 0;
            for (size_t j = 0; j < i; j++)
                dup |= !strcmp(ohc_report_str(findings[j], "rule_id"), rule_id);
            if (!dup) {
                rc = add_seen_json(list, rule_id, ohc_severity_name(rank), str_or(findings[i], "title", ""),
                                   str_or(findings[i], "message", ""), report_id, generated_at);
                stored++;
            }
        }
    }
    int resolvable = state_problem == NULL && can_resolve(report, &v);
    for (size_t i = 0; rc == OHC_OK && i < prev_count; i++) {
        const ohc_evlog_seen *s = &prev->seen[i];
        int still = 0;
        for (size_t j = 0; j < nfind && !still; j++)
            still = !strcmp(ohc_report_str(findings[j], "rule_id"), s->rule_id);
        if (still)
            continue;
        if (!resolvable || in_not_checked(report, s->rule_id)) {
            /* cannot tell: it stays known, resolved (or found) by a later collection */
            if (stored < OHC_EVLOG_STATE_MAX_FINDINGS) {
                rc = add_seen_json(list, s->rule_id, ohc_severity_name(s->severity), s->title, s->message, s->report_id,
                                   s->seen_at);
                stored++;
            }
            continue;
        }
        char last_seen[OHC_EVLOG_SHORT_MAX];
        snprintf(last_seen, sizeof last_seen, "%s", s->seen_at);
        const char *values[8] = {
            s->rule_id, ohc_severity_name(s->severity), host, report_id, s->title, s->message, s->report_id, last_seen};
        rc = event_init(&out->events[out->count], OHC_EVLOG_RESOLVED, values, finding_bounds);
        out->count += rc == OHC_OK;
        out->resolved += rc == OHC_OK;
    }
    if (rc == OHC_OK && state_problem != NULL) {
        const char *sep = strstr(state_problem, "\n kept as: ");
        char problem[OHC_EVLOG_TEXT_MAX];
        snprintf(problem, sizeof problem, "%.*s", sep ? (int)(sep - state_problem) : (int)strlen(state_problem),
                 state_problem);
        const char *values[4] = {problem, sep ? sep + 11 : "(not kept)", host, report_id};
        rc = event_init(&out->events[out->count], OHC_EVLOG_STATE_DAMAGED, values, state_bounds);
        out->count += rc == OHC_OK;
    }
    if (rc == OHC_OK) {
        static const ohc_evlog_kind_id by_verdict[] = {OHC_EVLOG_SUMMARY_OK, OHC_EVLOG_SUMMARY_WARNING,
                                                       OHC_EVLOG_SUMMARY_PROBLEM, OHC_EVLOG_SUMMARY_INCOMPLETE,
                                                       OHC_EVLOG_SUMMARY_FAILED};
        char count[32], counts[128], resolved[32];
        snprintf(count, sizeof count, "%zu", nfind);
        snprintf(counts, sizeof counts, "critical %d, error %d, warning %d, info %d", v.counts[OHC_SEV_CRITICAL],
                 v.counts[OHC_SEV_ERROR], v.counts[OHC_SEV_WARNING], v.counts[OHC_SEV_INFO]);
        snprintf(resolved, sizeof resolved, "%zu", out->resolved);
        char *not_checked = join_incomplete(report);
        const char *values[8] = {
            ohc_verdict_name(v.kind), host, report_id, count, counts, resolved, not_checked, generated_at};
        rc =
            not_checked ? event_init(&out->events[out->count], by_verdict[v.kind], values, summary_bounds) : OHC_ENOMEM;
        out->count += rc == OHC_OK;
        free(not_checked);
    }
    if (rc == OHC_OK && (out->next_state = cJSON_PrintUnformatted(state)) == NULL)
        rc = OHC_ENOMEM;
    cJSON_Delete(state);
    free(findings);
    return rc;
}
