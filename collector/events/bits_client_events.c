#include "bits_client_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "bits_jobs.h"
#include "error.h"
#include "hresult_names.h"
#include "report.h"
#include "strbuf.h"

#define JOB_OWNERS_MAX 256 /* jobs whose owner is remembered for their 59/60 events */
#define DEFAULT_MAX_TRANSFERS 500

static const char *value_of(const ohc_event_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->value_count; i++)
        if (rec->values[i].name != NULL && !strcmp(rec->values[i].name, name))
            return rec->values[i].value;
    return NULL;
}

/* A decimal unsigned 64-bit number, nothing else. */
static int parse_u64(uint64_t *out, const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int ohc_bits_client_is_transfer_event(const ohc_event_record *rec)
{
    if (rec == NULL || rec->provider == NULL || !ohc_ascii_ieq(rec->provider, OHC_BITS_CLIENT_PROVIDER))
        return 0;
    return rec->event_id == 3 || rec->event_id == 4 || rec->event_id == 59 || rec->event_id == 60;
}

int ohc_bits_client_decode(ohc_bits_client_transfer *out, const ohc_event_record *rec)
{
    memset(out, 0, sizeof *out);
    if (!ohc_bits_client_is_transfer_event(rec))
        return OHC_ENOTFOUND;
    out->event_id = rec->event_id;
    out->time_ms = rec->time_created_ms;
    out->record_id = rec->record_id;
    if (rec->event_id == 3 || rec->event_id == 4) {
        out->job_title = value_of(rec, "jobTitle");
        out->job_id = value_of(rec, "jobId");
        out->owner = value_of(rec, "jobOwner");
        if (out->owner == NULL)
            out->owner = value_of(rec, "User");
        out->has_bytes_transferred = parse_u64(&out->bytes_transferred, value_of(rec, "bytesTransferred"));
    } else {
        out->job_title = value_of(rec, "name");
        out->job_id = value_of(rec, "Id");
        out->url = value_of(rec, "url");
        out->has_bytes_total = parse_u64(&out->bytes_total, value_of(rec, "bytesTotal"));
        out->has_bytes_transferred = parse_u64(&out->bytes_transferred, value_of(rec, "bytesTransferred"));
    }
    const char *hr = value_of(rec, "hr");
    if (hr != NULL && ohc_hresult_parse(&out->hr, hr) == OHC_OK)
        out->has_hr = 1;
    out->failed = out->has_hr && out->hr != 0;
    out->oab = ohc_bits_url_is_oab(out->url);
    return OHC_OK;
}

static void add_str_or_null(cJSON *o, const char *name, const char *v)
{
    if (v != NULL)
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

cJSON *ohc_bits_client_transfer_to_json(const ohc_bits_client_transfer *t)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    char when[32];
    ohc_format_rfc3339_utc(when, t->time_ms);
    cJSON_AddNumberToObject(o, "event_id", t->event_id);
    cJSON_AddNumberToObject(o, "record_id", (double)t->record_id);
    cJSON_AddStringToObject(o, "time", when);
    add_str_or_null(o, "url", t->url);
    if (t->has_hr) {
        if (ohc_hresult_add_json(o, t->hr) != OHC_OK) {
            cJSON_Delete(o);
            return NULL;
        }
    } else {
        cJSON_AddNullToObject(o, "hr");
        cJSON_AddNullToObject(o, "hr_hex");
        cJSON_AddNullToObject(o, "hr_name");
    }
    add_str_or_null(o, "owner", t->owner);
    if (t->has_bytes_total)
        cJSON_AddNumberToObject(o, "bytes_total", (double)t->bytes_total);
    else
        cJSON_AddNullToObject(o, "bytes_total");
    if (t->has_bytes_transferred)
        cJSON_AddNumberToObject(o, "bytes_transferred", (double)t->bytes_transferred);
    else
        cJSON_AddNullToObject(o, "bytes_transferred");
    add_str_or_null(o, "job_title", t->job_title);
    add_str_or_null(o, "job_id", t->job_id);
    cJSON_AddBoolToObject(o, "oab", t->oab);
    char guid[37];
    if (ohc_bits_url_oab_guid(guid, t->url))
        cJSON_AddStringToObject(o, "oab_guid", guid);
    else
        cJSON_AddNullToObject(o, "oab_guid");
    return o;
}

struct ohc_bits_client_log {
    cJSON *transfers; /* array, newest last, at most max */
    size_t max;
    unsigned failed_transfers, oab_failures, job_limit_events;
    int64_t last_oab_failure_ms;
    int has_last_oab_failure;
    struct {
        char job_id[40];
        char *owner;
    } owners[JOB_OWNERS_MAX];
    size_t owner_next; /* ring */
};

int ohc_bits_client_log_new(ohc_bits_client_log **out)
{
    *out = NULL;
    ohc_bits_client_log *log = calloc(1, sizeof *log);
    if (log == NULL)
        return OHC_ENOMEM;
    log->transfers = cJSON_CreateArray();
    if (log->transfers == NULL) {
        free(log);
        return OHC_ENOMEM;
    }
    log->max = DEFAULT_MAX_TRANSFERS;
    *out = log;
    return OHC_OK;
}

void ohc_bits_client_log_set_max(ohc_bits_client_log *log, size_t max_transfers)
{
    log->max = max_transfers;
}

static const char *owner_of(const ohc_bits_client_log *log, const char *job_id)
{
    if (job_id == NULL)
        return NULL;
    for (size_t i = 0; i < JOB_OWNERS_MAX; i++)
        if (log->owners[i].owner != NULL && ohc_ascii_ieq(log->owners[i].job_id, job_id))
            return log->owners[i].owner;
    return NULL;
}

static int remember_owner(ohc_bits_client_log *log, const char *job_id, const char *owner)
{
    if (job_id == NULL || owner == NULL || strlen(job_id) >= sizeof log->owners[0].job_id)
        return OHC_OK;
    if (owner_of(log, job_id) != NULL)
        return OHC_OK;
    char *copy = ohc_strdup(owner);
    if (copy == NULL)
        return OHC_ENOMEM;
    size_t i = log->owner_next++ % JOB_OWNERS_MAX;
    free(log->owners[i].owner);
    snprintf(log->owners[i].job_id, sizeof log->owners[i].job_id, "%s", job_id); /* length checked above */
    log->owners[i].owner = copy;
    return OHC_OK;
}

int ohc_bits_client_log_add(ohc_bits_client_log *log, const ohc_event_record *rec)
{
    if (rec == NULL || rec->provider == NULL || !ohc_ascii_ieq(rec->provider, OHC_BITS_CLIENT_PROVIDER))
        return 0;
    if (rec->event_id == 16398) {
        log->job_limit_events++;
        return 1;
    }
    ohc_bits_client_transfer t;
    if (ohc_bits_client_decode(&t, rec) != OHC_OK)
        return 0;
    if ((t.event_id == 3 || t.event_id == 4) && remember_owner(log, t.job_id, t.owner) != OHC_OK)
        return OHC_ENOMEM;
    if (t.owner == NULL)
        t.owner = owner_of(log, t.job_id);
    if (t.event_id == 60 && t.failed) {
        log->failed_transfers++;
        if (t.oab) {
            log->oab_failures++;
            if (!log->has_last_oab_failure || t.time_ms > log->last_oab_failure_ms)
                log->last_oab_failure_ms = t.time_ms;
            log->has_last_oab_failure = 1;
        }
    }
    if (log->max == 0)
        return 1;
    cJSON *j = ohc_bits_client_transfer_to_json(&t);
    if (j == NULL)
        return OHC_ENOMEM;
    while ((size_t)cJSON_GetArraySize(log->transfers) >= log->max)
        cJSON_DeleteItemFromArray(log->transfers, 0);
    cJSON_AddItemToArray(log->transfers, j);
    return 1;
}

cJSON *ohc_bits_client_log_facts(const ohc_bits_client_log *log)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON *tr = cJSON_Duplicate(log->transfers, 1);
    cJSON *s = cJSON_CreateObject();
    if (tr == NULL || s == NULL) {
        cJSON_Delete(tr);
        cJSON_Delete(s);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "transfers", tr);
    cJSON_AddItemToObject(o, "summary", s);
    cJSON_AddNumberToObject(s, "failed_transfers", log->failed_transfers);
    cJSON_AddNumberToObject(s, "oab_failures", log->oab_failures);
    cJSON_AddNumberToObject(s, "job_limit_events", log->job_limit_events);
    if (log->has_last_oab_failure) {
        char when[32];
        ohc_format_rfc3339_utc(when, log->last_oab_failure_ms);
        cJSON_AddStringToObject(s, "last_oab_failure_time", when);
    } else {
        cJSON_AddNullToObject(s, "last_oab_failure_time");
    }
    return o;
}

void ohc_bits_client_log_free(ohc_bits_client_log *log)
{
    if (log == NULL)
        return;
    for (size_t i = 0; i < JOB_OWNERS_MAX; i++)
        free(log->owners[i].owner);
    cJSON_Delete(log->transfers);
    free(log);
}
