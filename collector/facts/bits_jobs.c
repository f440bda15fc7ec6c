#include "bits_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "hresult_names.h"
#include "report.h"

static const char *name_at(const char *const *names, size_t count, int64_t v)
{
    return v >= 0 && (uint64_t)v < count ? names[v] : NULL;
}

const char *ohc_bits_state_name(int64_t state)
{
    static const char *const names[] = {"QUEUED",          "CONNECTING",  "TRANSFERRING", "SUSPENDED", "ERROR",
                                        "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"};
    return name_at(names, sizeof names / sizeof names[0], state);
}

const char *ohc_bits_job_type_name(int64_t type)
{
    static const char *const names[] = {"DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"};
    return name_at(names, sizeof names / sizeof names[0], type);
}

const char *ohc_bits_priority_name(int64_t priority)
{
    static const char *const names[] = {"FOREGROUND", "HIGH", "NORMAL", "LOW"};
    return name_at(names, sizeof names / sizeof names[0], priority);
}

const char *ohc_bits_error_context_name(int64_t context)
{
    static const char *const names[] = {
        "NONE",       "UNKNOWN",     "GENERAL_QUEUE_MANAGER", "QUEUE_MANAGER_NOTIFICATION",
        "LOCAL_FILE", "REMOTE_FILE", "GENERAL_TRANSPORT",     "REMOTE_APPLICATION"};
    return name_at(names, sizeof names / sizeof names[0], context);
}

const char *ohc_bits_proxy_usage_name(int64_t usage)
{
    static const char *const names[] = {"PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT"};
    return name_at(names, sizeof names / sizeof names[0], usage);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ASCII case-insensitive equality of s[0..n) and the lower-case literal lit. */
static int span_is(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lit[i])
            return 0;
    return 1;
}

static int is_sep(char c)
{
    return c == '/' || c == '\\';
}

/* The path of a URL: after "scheme://authority" (a UNC name or a bare path
 * is all path), up to a query or fragment; *out_end is its end. */
static const char *url_path(const char *url, const char **out_end)
{
    const char *path = url;
    const char *scheme_end = strstr(url, "://");
    if (scheme_end != NULL) {
        path = scheme_end + 3;
        while (*path && !is_sep(*path) && *path != '?' && *path != '#')
            path++;
    }
    *out_end = path + strcspn(path, "?#");
    return path;
}

int ohc_bits_url_is_oab(const char *url)
{
    if (url == NULL)
        return 0;
    const char *end;
    const char *seg = url_path(url, &end);
    while (seg < end) {
        while (seg < end && is_sep(*seg))
            seg++;
        const char *seg_end = seg;
        while (seg_end < end && !is_sep(*seg_end))
            seg_end++;
        size_t n = (size_t)(seg_end - seg);
        if (n > 0) {
            int last = seg_end == end;
            if (!last && span_is(seg, n, "oab"))
                return 1;
            if (last && (span_is(seg, n, "oab.xml") || (n > 4 && span_is(seg_end - 4, 4, ".lzx"))))
                return 1;
        }
        seg = seg_end;
    }
    return 0;
}

/* n characters in the 8-4-4-4-12 form of a GUID without braces. */
static int span_is_guid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : ohc_ascii_hex_value(s[i]) < 0)
            return 0;
    }
    return 1;
}

int ohc_bits_url_oab_guid(char out[37], const char *url)
{
    out[0] = '\0';
    if (url == NULL)
        return 0;
    const char *end;
    const char *path = url_path(url, &end);
    int after_oab = 0;
    for (const char *seg = path; seg < end;) {
        while (seg < end && is_sep(*seg))
            seg++;
        const char *seg_end = seg;
        while (seg_end < end && !is_sep(*seg_end))
            seg_end++;
        size_t n = (size_t)(seg_end - seg);
        if (n == 0)
            break;
        if (after_oab && span_is_guid(seg, n)) {
            for (size_t i = 0; i < 36; i++)
                out[i] = (char)lower((unsigned char)seg[i]);
            out[36] = '\0';
            return 1;
        }
        after_oab = span_is(seg, n, "oab");
        seg = seg_end;
    }
    return 0;
}

int ohc_bits_filetime_to_unix_ms(int64_t *out, uint64_t filetime)
{
    if (filetime == 0)
        return OHC_ENOTFOUND;
    /* 100 ns ticks since 1601-01-01; 11644473600 s lie between 1601 and 1970.
     * 9999-12-31T23:59:59.999Z is the last time RFC 3339 can carry. */
    const uint64_t max_ft = (253402300799999ull + 11644473600000ull) * 10000ull;
    if (filetime > max_ft)
        return OHC_ELIMIT;
    *out = (int64_t)(filetime / 10000ull) - 11644473600000LL;
    return OHC_OK;
}

static void resolve_one(uint32_t *value, const char **source, const ohc_bits_policy_value *p, uint32_t dflt)
{
    if (p != NULL && p->present && p->is_dword) {
        *value = p->value;
        *source = "policy";
    } else {
        *value = dflt;
        *source = "default";
    }
}

void ohc_bits_limits_resolve(ohc_bits_limits *out, const ohc_bits_policy_value *per_user,
                             const ohc_bits_policy_value *per_machine)
{
    resolve_one(&out->max_jobs_per_user, &out->max_jobs_per_user_source, per_user, OHC_BITS_DEFAULT_MAX_JOBS_PER_USER);
    resolve_one(&out->max_jobs_per_machine, &out->max_jobs_per_machine_source, per_machine,
                OHC_BITS_DEFAULT_MAX_JOBS_PER_MACHINE);
}

void ohc_bits_job_init(ohc_bits_job *job)
{
    memset(job, 0, sizeof *job);
    job->type = job->state = job->priority = -1;
    job->error_count = -1;
    job->proxy_usage = -1;
    job->error_context = -1;
}

void ohc_bits_job_clear(ohc_bits_job *job)
{
    free(job->display_name);
    free(job->description);
    free(job->owner_sid);
    free(job->owner);
    free(job->proxy_list);
    free(job->proxy_bypass);
    free(job->error_description);
    free(job->error_remote_url);
    free(job->error_local_name);
    for (size_t i = 0; i < job->url_count; i++)
        free(job->urls[i]);
    free(job->urls);
    ohc_bits_job_init(job);
}

void ohc_bits_job_property_error(ohc_bits_job *job, const char *property, uint32_t hr)
{
    if (job->property_error_count < OHC_BITS_MAX_PROPERTY_ERRORS) {
        job->property_errors[job->property_error_count].property = property;
        job->property_errors[job->property_error_count].hr = hr;
        job->property_error_count++;
    }
}

int ohc_bits_job_add_url(ohc_bits_job *job, const char *url)
{
    if (job->url_count >= OHC_BITS_MAX_URLS_PER_JOB) {
        job->urls_capped = 1;
        return OHC_OK;
    }
    if (job->urls == NULL) {
        job->urls = calloc(OHC_BITS_MAX_URLS_PER_JOB, sizeof *job->urls);
        if (job->urls == NULL)
            return OHC_ENOMEM;
    }
    size_t n = strlen(url);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return OHC_ENOMEM;
    memcpy(copy, url, n + 1);
    job->urls[job->url_count++] = copy;
    return OHC_OK;
}

int ohc_bits_job_is_oab(const ohc_bits_job *job)
{
    for (size_t i = 0; i < job->url_count; i++)
        if (ohc_bits_url_is_oab(job->urls[i]))
            return 1;
    return ohc_bits_url_is_oab(job->error_remote_url);
}

void ohc_bits_collection_init(ohc_bits_collection *c, uint32_t max_jobs)
{
    memset(c, 0, sizeof *c);
    c->max_jobs = max_jobs;
    ohc_bits_limits_resolve(&c->limits, NULL, NULL);
}

void ohc_bits_collection_clear(ohc_bits_collection *c)
{
    for (size_t i = 0; i < c->job_count; i++)
        ohc_bits_job_clear(&c->jobs[i]);
    free(c->jobs);
    uint32_t max_jobs = c->max_jobs;
    ohc_bits_collection_init(c, max_jobs);
}

ohc_bits_job *ohc_bits_collection_add_job(ohc_bits_collection *c)
{
    if (c->job_count == c->job_capacity) {
        size_t cap = c->job_capacity ? c->job_capacity * 2 : 16;
        ohc_bits_job *grown = realloc(c->jobs, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        c->jobs = grown;
        c->job_capacity = cap;
    }
    ohc_bits_job *job = &c->jobs[c->job_count++];
    ohc_bits_job_init(job);
    return job;
}

/* ---- facts ---- */

static cJSON *str_or_null(const char *s)
{
    return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void add(cJSON *o, const char *key, cJSON *v, int *ok)
{
    if (v == NULL || !cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        *ok = 0;
    }
}

/* A named enumeration value: its name, the raw number when it has none, null when not read. */
static cJSON *enum_value(int64_t v, const char *(*name_of)(int64_t))
{
    if (v < 0)
        return cJSON_CreateNull();
    const char *name = name_of(v);
    return name != NULL ? cJSON_CreateString(name) : cJSON_CreateNumber((double)v);
}

static cJSON *count_or_null(int have, uint64_t v)
{
    return have && v != UINT64_MAX ? cJSON_CreateNumber((double)v) : cJSON_CreateNull();
}

static cJSON *time_or_null(int have, uint64_t ft)
{
    int64_t ms;
    if (!have || ohc_bits_filetime_to_unix_ms(&ms, ft) != OHC_OK)
        return cJSON_CreateNull();
    char buf[32];
    ohc_format_rfc3339_utc(buf, ms);
    return cJSON_CreateString(buf);
}

static int in_error(int64_t state)
{
    return state == 4 || state == 5; /* ERROR, TRANSIENT_ERROR */
}

/* ACKNOWLEDGED (7) and CANCELLED (8) are final: such a job leaves the queue
 * and no longer holds a place in the owner's job list. */
static int is_live(int64_t state)
{
    return state != 7 && state != 8;
}

static cJSON *job_error_json(const ohc_bits_job *j)
{
    if (!j->have_error)
        return cJSON_CreateNull();
    cJSON *e = cJSON_CreateObject();
    if (e == NULL)
        return NULL;
    int ok = ohc_hresult_add_json(e, j->error_hr) == OHC_OK;
    add(e, "context", j->error_context >= 0 ? cJSON_CreateNumber((double)j->error_context) : cJSON_CreateNull(), &ok);
    add(e, "context_name", str_or_null(ohc_bits_error_context_name(j->error_context)), &ok);
    add(e, "description", str_or_null(j->error_description), &ok);
    add(e, "remote_url", str_or_null(j->error_remote_url), &ok);
    add(e, "local_name", str_or_null(j->error_local_name), &ok);
    if (!ok) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

static cJSON *job_json(const ohc_bits_job *j)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    int ok = 1;
    add(o, "id", cJSON_CreateString(j->id), &ok);
    add(o, "display_name", str_or_null(j->display_name), &ok);
    add(o, "description", str_or_null(j->description), &ok);
    add(o, "owner_sid", str_or_null(j->owner_sid), &ok);
    add(o, "owner", str_or_null(j->owner), &ok);
    add(o, "owner_source", str_or_null(j->owner_source), &ok);
    add(o, "type", enum_value(j->type, ohc_bits_job_type_name), &ok);
    add(o, "state", enum_value(j->state, ohc_bits_state_name), &ok);
    add(o, "state_code", j->state >= 0 ? cJSON_CreateNumber((double)j->state) : cJSON_CreateNull(), &ok);
    add(o, "priority", enum_value(j->priority, ohc_bits_priority_name), &ok);
    add(o, "files_total", count_or_null(j->have_progress, j->files_total), &ok);
    add(o, "files_transferred", count_or_null(j->have_progress, j->files_transferred), &ok);
    add(o, "bytes_total", count_or_null(j->have_progress, j->bytes_total), &ok);
    add(o, "bytes_transferred", count_or_null(j->have_progress, j->bytes_transferred), &ok);
    add(o, "created_at", time_or_null(j->have_times, j->created_ft), &ok);
    add(o, "modified_at", time_or_null(j->have_times, j->modified_ft), &ok);
    add(o, "completed_at", time_or_null(j->have_times, j->completed_ft), &ok);
    add(o, "error_count", j->error_count >= 0 ? cJSON_CreateNumber((double)j->error_count) : cJSON_CreateNull(), &ok);
    add(o, "proxy_usage", enum_value(j->proxy_usage, ohc_bits_proxy_usage_name), &ok);
    add(o, "proxy_list", str_or_null(j->proxy_list), &ok);
    add(o, "proxy_bypass", str_or_null(j->proxy_bypass), &ok);
    add(o, "error", in_error(j->state) ? job_error_json(j) : cJSON_CreateNull(), &ok);
    cJSON *urls = cJSON_CreateArray();
    for (size_t i = 0; urls != NULL && i < j->url_count; i++)
        if (!cJSON_AddItemToArray(urls, cJSON_CreateString(j->urls[i])))
            ok = 0;
    add(o, "urls", urls, &ok);
    add(o, "urls_capped", cJSON_CreateBool(j->urls_capped), &ok);
    add(o, "oab", cJSON_CreateBool(ohc_bits_job_is_oab(j)), &ok);
    char guid[37];
    int have_guid = ohc_bits_url_oab_guid(guid, j->error_remote_url);
    for (size_t i = 0; !have_guid && i < j->url_count; i++)
        have_guid = ohc_bits_url_oab_guid(guid, j->urls[i]);
    add(o, "oab_guid", have_guid ? cJSON_CreateString(guid) : cJSON_CreateNull(), &ok);
    cJSON *pe = cJSON_CreateObject();
    for (size_t i = 0; pe != NULL && i < j->property_error_count; i++) {
        char hex[11], text[160];
        ohc_hresult_hex(hex, j->property_errors[i].hr);
        const char *name = ohc_hresult_name(j->property_errors[i].hr);
        snprintf(text, sizeof text, "%s%s%s", hex, name ? " " : "", name ? name : "");
        if (cJSON_AddStringToObject(pe, j->property_errors[i].property, text) == NULL)
            ok = 0;
    }
    add(o, "property_errors", pe, &ok);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int same_sid_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

typedef struct owner_count {
    const char *sid; /* borrowed from a job; NULL = unknown owner */
    const char *owner; /* first resolved name seen */
    size_t count;
    size_t live; /* jobs not ACKNOWLEDGED or CANCELLED: what the limit counts */
} owner_count;

#define TOP_JOB_NAMES 3u

/* The TOP_JOB_NAMES display names most frequent among the live jobs of sid,
 * each {name, count}, most frequent first (a job without a name as null):
 * which application fills the owner's list. */
static cJSON *top_job_names(const ohc_bits_collection *c, const char *sid)
{
    typedef struct {
        const char *name;
        size_t count;
    } name_count;
    name_count top[TOP_JOB_NAMES + 1];
    size_t n = 0;
    /* Distinct names are counted by a scan per name: bounded by the job cap. */
    for (size_t i = 0; i < c->job_count; i++) {
        const ohc_bits_job *j = &c->jobs[i];
        if (!is_live(j->state) || !same_sid_text(j->owner_sid, sid))
            continue;
        int seen = 0;
        for (size_t p = 0; p < i && !seen; p++)
            seen = is_live(c->jobs[p].state) && same_sid_text(c->jobs[p].owner_sid, sid) &&
                   same_sid_text(c->jobs[p].display_name, j->display_name);
        if (seen)
            continue;
        size_t count = 0;
        for (size_t q = i; q < c->job_count; q++)
            if (is_live(c->jobs[q].state) && same_sid_text(c->jobs[q].owner_sid, sid) &&
                same_sid_text(c->jobs[q].display_name, j->display_name))
                count++;
        size_t at = n;
        while (at > 0 && top[at - 1].count < count)
            at--;
        if (at >= TOP_JOB_NAMES)
            continue;
        memmove(&top[at + 1], &top[at], (n - at) * sizeof top[0]);
        top[at].name = j->display_name;
        top[at].count = count;
        if (n < TOP_JOB_NAMES)
            n++;
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t k = 0; arr != NULL && k < n; k++) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            return NULL;
        }
        if (!cJSON_AddItemToObject(o, "name", str_or_null(top[k].name)) ||
            cJSON_AddNumberToObject(o, "count", (double)top[k].count) == NULL) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

static int by_count_desc(const void *pa, const void *pb)
{
    const owner_count *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    if (a->sid == NULL || b->sid == NULL)
        return a->sid == NULL ? (b->sid == NULL ? 0 : 1) : -1; /* unknown owner last */
    return strcmp(a->sid, b->sid);
}

static cJSON *summary_json(const ohc_bits_collection *c)
{
    cJSON *s = cJSON_CreateObject();
    if (s == NULL)
        return NULL;
    int ok = 1;
    add(s, "total", cJSON_CreateNumber((double)c->job_count), &ok);

    cJSON *by_state = cJSON_CreateObject();
    size_t oab_in_error = 0;
    for (size_t i = 0; by_state != NULL && i < c->job_count; i++) {
        const ohc_bits_job *j = &c->jobs[i];
        char key[32];
        const char *name = ohc_bits_state_name(j->state);
        if (name != NULL)
            snprintf(key, sizeof key, "%s", name);
        else if (j->state < 0)
            snprintf(key, sizeof key, "UNREAD");
        else
            snprintf(key, sizeof key, "STATE_%lld", (long long)j->state);
        cJSON *n = cJSON_GetObjectItemCaseSensitive(by_state, key);
        if (n != NULL)
            cJSON_SetNumberValue(n, n->valuedouble + 1);
        else if (cJSON_AddNumberToObject(by_state, key, 1) == NULL)
            ok = 0;
        if (in_error(j->state) && ohc_bits_job_is_oab(j))
            oab_in_error++;
    }
    add(s, "by_state", by_state, &ok);

    owner_count *owners = c->job_count ? calloc(c->job_count, sizeof *owners) : NULL;
    size_t owner_n = 0, live_total = 0;
    if (c->job_count && owners == NULL)
        ok = 0;
    for (size_t i = 0; owners != NULL && i < c->job_count; i++) {
        const ohc_bits_job *j = &c->jobs[i];
        size_t k = 0;
        while (k < owner_n && !same_sid_text(owners[k].sid, j->owner_sid))
            k++;
        if (k == owner_n) {
            owners[k].sid = j->owner_sid;
            owner_n++;
        }
        if (owners[k].owner == NULL)
            owners[k].owner = j->owner;
        owners[k].count++;
        if (is_live(j->state)) {
            owners[k].live++;
            live_total++;
        }
    }
    if (owner_n > 1)
        qsort(owners, owner_n, sizeof *owners, by_count_desc);
    cJSON *by_owner = cJSON_CreateArray();
    cJSON *near = cJSON_CreateArray();
    uint32_t limit = c->limits.max_jobs_per_user;
    for (size_t k = 0; by_owner != NULL && near != NULL && k < owner_n; k++) {
        cJSON *o = cJSON_CreateObject();
        add(o, "owner_sid", str_or_null(owners[k].sid), &ok);
        add(o, "owner", str_or_null(owners[k].owner), &ok);
        add(o, "count", cJSON_CreateNumber((double)owners[k].count), &ok);
        add(o, "live_count", cJSON_CreateNumber((double)owners[k].live), &ok);
        if (o == NULL || !cJSON_AddItemToArray(by_owner, o))
            ok = 0;
        /* Only a known owner can be said to be near its own limit, and only
         * its live jobs hold places in its list. */
        if (owners[k].sid != NULL && (uint64_t)owners[k].live * 100u >= (uint64_t)limit * OHC_BITS_NEAR_LIMIT_PERCENT) {
            cJSON *n = cJSON_CreateObject();
            add(n, "owner_sid", str_or_null(owners[k].sid), &ok);
            add(n, "owner", str_or_null(owners[k].owner), &ok);
            add(n, "count", cJSON_CreateNumber((double)owners[k].live), &ok);
            add(n, "limit", cJSON_CreateNumber(limit), &ok);
            add(n, "top_job_names", top_job_names(c, owners[k].sid), &ok);
            if (n == NULL || !cJSON_AddItemToArray(near, n))
                ok = 0;
        }
    }
    free(owners);
    add(s, "by_owner", by_owner, &ok);

    cJSON *limits = cJSON_CreateObject();
    if (limits != NULL) {
        add(limits, "max_jobs_per_user", cJSON_CreateNumber(c->limits.max_jobs_per_user), &ok);
        add(limits, "max_jobs_per_user_source", cJSON_CreateString(c->limits.max_jobs_per_user_source), &ok);
        add(limits, "max_jobs_per_machine", cJSON_CreateNumber(c->limits.max_jobs_per_machine), &ok);
        add(limits, "max_jobs_per_machine_source", cJSON_CreateString(c->limits.max_jobs_per_machine_source), &ok);
    }
    add(s, "limits", limits, &ok);
    add(s, "owners_near_user_limit", near, &ok);
    add(s, "live_total", cJSON_CreateNumber((double)live_total), &ok);
    add(s, "machine_jobs_near_limit",
        cJSON_CreateBool((uint64_t)live_total * 100u >=
                         (uint64_t)c->limits.max_jobs_per_machine * OHC_BITS_NEAR_LIMIT_PERCENT),
        &ok);
    add(s, "oab_jobs_in_error", cJSON_CreateNumber((double)oab_in_error), &ok);
    if (!ok) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

cJSON *ohc_bits_collection_to_json(const ohc_bits_collection *c)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    int ok = 1;
    cJSON *en = cJSON_CreateObject();
    if (en != NULL) {
        add(en, "scope", str_or_null(c->scope), &ok);
        add(en, "reason", str_or_null(c->reason[0] ? c->reason : NULL), &ok);
        add(en, "capped", cJSON_CreateBool(c->capped), &ok);
        add(en, "time_budget_hit", cJSON_CreateBool(c->time_budget_hit), &ok);
        add(en, "max_jobs", cJSON_CreateNumber(c->max_jobs), &ok);
    }
    add(o, "enumeration", en, &ok);
    if (c->service.known) {
        cJSON *sv = cJSON_CreateObject();
        if (sv != NULL) {
            add(sv, "state", str_or_null(c->service.state), &ok);
            add(sv, "start_type", str_or_null(c->service.start_type), &ok);
            if (c->service.started_by_activation)
                add(sv, "started_by_activation", cJSON_CreateTrue(), &ok);
        }
        add(o, "service", sv, &ok);
    } else {
        add(o, "service", cJSON_CreateNull(), &ok);
    }
    cJSON *jobs = cJSON_CreateArray();
    for (size_t i = 0; jobs != NULL && i < c->job_count; i++) {
        cJSON *j = job_json(&c->jobs[i]);
        if (j == NULL || !cJSON_AddItemToArray(jobs, j)) {
            cJSON_Delete(j);
            ok = 0;
            break;
        }
    }
    add(o, "jobs", jobs, &ok);
    add(o, "summary", summary_json(c), &ok);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
