#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "bits_client_events.h"
#include "event27.h"
#include "os.h"
#include "report.h"

static const uint32_t outlook_oab_ids[] = {27};
/* 3 job created, 4 job completed, 59/60 transfer started/stopped (60 carries
 * the status: an OAB download failure seen from BITS), 16398 a user's job
 * limit reached (0x80200049 in Outlook's Event 27). */
static const uint32_t bits_client_ids[] = {3, 4, 59, 60, 16398};

static const ohc_event_query default_queries[] = {
    {"outlook_oab", "Application", "Outlook", outlook_oab_ids, 1, 0, 0},
    {"bits_client", "Microsoft-Windows-Bits-Client/Operational", "Microsoft-Windows-Bits-Client", bits_client_ids,
     sizeof bits_client_ids / sizeof bits_client_ids[0], 0, 0},
};

const ohc_event_query *ohc_events_default_queries(size_t *out_count)
{
    *out_count = sizeof default_queries / sizeof default_queries[0];
    return default_queries;
}

/* Names that can be pasted into an XPath string literal and a channel path. */
static int safe_name(const char *s, size_t max)
{
    size_t n = 0;
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++, n++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
                 c == '_' || c == '-' || c == '/';
        if (!ok || n >= max)
            return 0;
    }
    return 1;
}

int ohc_events_query_check(const ohc_event_query *q, ohc_error *err)
{
    if (q == NULL || !safe_name(q->name, 64))
        return ohc_error_set(err, OHC_EINVAL, 0, "event query: name missing or not [A-Za-z0-9 ._-/]");
    /* Query names are keys beside these in facts.events. */
    static const char *const reserved[] = {"source",  "files",     "file_errors", "file_info",
                                           "queries", "api_error", "new_events"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(q->name, reserved[i]))
            return ohc_error_set(err, OHC_EINVAL, 0, "event query name %s is reserved", q->name);
    if (!safe_name(q->channel, 255))
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: channel missing or not [A-Za-z0-9 ._-/]", q->name);
    if (q->provider != NULL && !safe_name(q->provider, 255))
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: provider not [A-Za-z0-9 ._-/]", q->name);
    if (q->id_count > OHC_EVENTS_MAX_IDS || (q->id_count > 0 && q->ids == NULL))
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: at most %u event ids", q->name, OHC_EVENTS_MAX_IDS);
    for (size_t i = 0; i < q->id_count; i++)
        if (q->ids[i] > 65535)
            return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: event id %u is not 0..65535", q->name,
                                 (unsigned)q->ids[i]);
    if (q->max_events > OHC_EVENTS_MAX_MAX)
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: max_events above %u", q->name, OHC_EVENTS_MAX_MAX);
    if (q->days > 3650)
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: days above 3650", q->name);
    return OHC_OK;
}

/* The XPath of q's ids [first, first + count) (all when q has none). lt is
 * how "<" is written: "<" in an XPath, "&lt;" inside XML. */
static void xpath_of(ohc_strbuf *out, const ohc_event_query *q, size_t first, size_t count, unsigned days,
                     const char *lt)
{
    ohc_strbuf_append(out, "*[System[");
    const char *sep = "";
    if (q->provider != NULL) {
        ohc_strbuf_appendf(out, "Provider[@Name='%s']", q->provider);
        sep = " and ";
    }
    if (count > 0) {
        ohc_strbuf_appendf(out, "%s(", sep);
        for (size_t i = 0; i < count; i++)
            ohc_strbuf_appendf(out, "%sEventID=%u", i ? " or " : "", (unsigned)q->ids[first + i]);
        ohc_strbuf_append(out, ")");
        sep = " and ";
    }
    /* timediff is relative to the reader's clock: no time zone, no formatting. */
    ohc_strbuf_appendf(out, "%sTimeCreated[timediff(@SystemTime) %s= %llu]]]", sep, lt,
                       (unsigned long long)days * 86400000ull);
}

static int check_days(const ohc_event_query *q, unsigned days, ohc_error *err)
{
    int rc = ohc_events_query_check(q, err);
    if (rc != OHC_OK)
        return rc;
    if (days == 0 || days > 3650)
        return ohc_error_set(err, OHC_EINVAL, 0, "event query %s: days must be 1..3650", q->name);
    return OHC_OK;
}

int ohc_events_build_xpath(ohc_strbuf *out, const ohc_event_query *q, unsigned days, ohc_error *err)
{
    int rc = check_days(q, days, err);
    if (rc != OHC_OK)
        return rc;
    xpath_of(out, q, 0, q->id_count, days, "<");
    if (ohc_strbuf_failed(out))
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory building an XPath");
    return OHC_OK;
}

int ohc_events_build_query(ohc_strbuf *out, int *out_structured, const ohc_event_query *q, unsigned days,
                           ohc_error *err)
{
    *out_structured = 0;
    if (q->id_count <= OHC_EVENTS_XPATH_MAX_IDS)
        return ohc_events_build_xpath(out, q, days, err);
    int rc = check_days(q, days, err);
    if (rc != OHC_OK)
        return rc;
    /* The channel needs no XML escaping: query_check allows letters, digits,
     * space and ._-/ only. */
    ohc_strbuf_appendf(out, "<QueryList><Query Id=\"0\" Path=\"%s\">", q->channel);
    for (size_t first = 0; first < q->id_count; first += OHC_EVENTS_XPATH_MAX_IDS) {
        size_t n = q->id_count - first < OHC_EVENTS_XPATH_MAX_IDS ? q->id_count - first : OHC_EVENTS_XPATH_MAX_IDS;
        ohc_strbuf_appendf(out, "<Select Path=\"%s\">", q->channel);
        xpath_of(out, q, first, n, days, "&lt;");
        ohc_strbuf_append(out, "</Select>");
    }
    ohc_strbuf_append(out, "</Query></QueryList>");
    if (ohc_strbuf_failed(out))
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory building a query");
    *out_structured = 1;
    return OHC_OK;
}

/* ---- owned copies -------------------------------------------------------- */

static size_t str_size(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

static const char *put_str(char **p, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*p, s, n);
    const char *r = *p;
    *p += n;
    return r;
}

ohc_event_record *ohc_event_record_dup(const ohc_event_record *rec)
{
    size_t total = sizeof(ohc_event_record) + rec->value_count * sizeof(ohc_event_value);
    total += str_size(rec->channel) + str_size(rec->provider) + str_size(rec->computer) + str_size(rec->message);
    for (size_t i = 0; i < rec->value_count; i++)
        total += str_size(rec->values[i].name) + str_size(rec->values[i].value);
    total += rec->binary != NULL ? rec->binary_len : 0;
    ohc_event_record *copy = malloc(total);
    if (copy == NULL)
        return NULL;
    *copy = *rec;
    ohc_event_value *values = (ohc_event_value *)(copy + 1);
    char *p = (char *)(values + rec->value_count);
    copy->values = rec->value_count ? values : NULL;
    for (size_t i = 0; i < rec->value_count; i++) {
        values[i].name = put_str(&p, rec->values[i].name);
        values[i].value = put_str(&p, rec->values[i].value ? rec->values[i].value : "");
    }
    copy->channel = put_str(&p, rec->channel);
    copy->provider = put_str(&p, rec->provider);
    copy->computer = put_str(&p, rec->computer);
    copy->message = put_str(&p, rec->message);
    if (rec->binary != NULL) {
        if (rec->binary_len > 0)
            memcpy(p, rec->binary, rec->binary_len);
        copy->binary = (const uint8_t *)p;
    }
    return copy;
}

/* ---- one query ----------------------------------------------------------- */

typedef struct query_result {
    ohc_event_record **recs; /* owned copies, newest first after sorting */
    size_t count, cap;
    size_t ring_start; /* oldest-first sources: index of the oldest kept */
    int capped;
    const char *status; /* static */
    ohc_error error;
} query_result;

static void result_free(query_result *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->recs[i]);
    free(r->recs);
    r->recs = NULL;
    r->count = 0;
}

static int newer_first(const void *a, const void *b)
{
    const ohc_event_record *x = *(ohc_event_record *const *)a, *y = *(ohc_event_record *const *)b;
    if (x->time_created_ms != y->time_created_ms)
        return x->time_created_ms > y->time_created_ms ? -1 : 1;
    if (x->record_id != y->record_id)
        return x->record_id > y->record_id ? -1 : 1;
    return 0;
}

static int channel_matches(const char *a, const char *b)
{
    if (a == NULL || *a == '\0')
        return 1; /* a source that does not know the channel: the query chose it */
    return ohc_ascii_ieq(a, b);
}

/* Makes room for the query's records. OHC_ENOMEM or OHC_OK. */
static int result_begin(query_result *r, const ohc_event_query *q)
{
    size_t max = q->max_events ? q->max_events : OHC_EVENTS_DEFAULT_MAX;
    r->recs = calloc(max, sizeof *r->recs);
    if (r->recs == NULL)
        return OHC_ENOMEM;
    r->cap = max;
    return OHC_OK;
}

/* Offers a record to the query: kept (copied) when its channel and time fit;
 * the newest max_events are kept. newest_first: the source yields newest
 * first, so a full result ends the query (returns 1). OHC_ENOMEM, 1 or 0. */
static int result_add(query_result *r, const ohc_event_query *q, const ohc_event_record *rec, int64_t since_ms,
                      int newest_first, uint64_t *seen)
{
    if (!channel_matches(rec->channel, q->channel) || rec->time_created_ms < since_ms)
        return 0; /* .evtx files hold any channel and any time; the live XPath already filtered */
    (*seen)++;
    if (r->count == r->cap) {
        r->capped = 1;
        if (newest_first)
            return 1; /* the newest max are kept; the rest is older */
    }
    ohc_event_record *copy = ohc_event_record_dup(rec);
    if (copy == NULL)
        return OHC_ENOMEM;
    if (r->count < r->cap) {
        r->recs[r->count++] = copy;
    } else { /* oldest first: drop the oldest kept */
        free(r->recs[r->ring_start]);
        r->recs[r->ring_start] = copy;
        r->ring_start = (r->ring_start + 1) % r->cap;
    }
    return 0;
}

static void result_end(query_result *r)
{
    qsort(r->recs, r->count, sizeof *r->recs, newer_first);
}

/* Reads one query into r. Returns OHC_EUNAVAILABLE when the source is
 * unusable as a whole, OHC_ENOMEM, else OHC_OK (r->status says how it went). */
static int run_query(query_result *r, const ohc_event_source *src, const ohc_event_query *q, unsigned days,
                     int64_t now_ms, uint64_t deadline_ms)
{
    int64_t since_ms = src->all_time ? INT64_MIN : now_ms - (int64_t)days * 86400000;
    r->status = "ok";
    int rc = src->open(src->self, q, days, since_ms, &r->error);
    if (rc == OHC_EUNAVAILABLE) {
        r->status = "unavailable";
        return rc;
    }
    if (rc == OHC_ENOTFOUND) {
        r->status = "channel_missing";
        return OHC_OK;
    }
    if (rc != OHC_OK && rc != OHC_EVENTS_OPEN_DISABLED) {
        r->status = "error";
        return OHC_OK;
    }
    if (result_begin(r, q) != OHC_OK) {
        src->close(src->self);
        return OHC_ENOMEM;
    }
    if (rc == OHC_EVENTS_OPEN_DISABLED)
        r->status = "channel_disabled"; /* its old events are still read */
    uint64_t seen = 0;
    for (;;) {
        if (deadline_ms != 0 && ohc_os_monotonic_ms() >= deadline_ms) {
            r->status = "error";
            r->capped = 1;
            ohc_error_set(&r->error, OHC_ETIMEOUT, 0, "time budget ran out after %llu events",
                          (unsigned long long)seen);
            break;
        }
        ohc_event_record rec;
        ohc_error nerr;
        ohc_error_clear(&nerr);
        int got = src->next(src->self, &rec, &nerr);
        if (got < 0) {
            r->status = "error";
            r->error = nerr;
            if (got == OHC_ENOMEM) {
                src->close(src->self);
                return OHC_ENOMEM;
            }
            break;
        }
        if (got == 0)
            break;
        int add = result_add(r, q, &rec, since_ms, src->newest_first, &seen);
        if (add == OHC_ENOMEM) {
            src->close(src->self);
            return OHC_ENOMEM;
        }
        if (add == 1)
            break;
    }
    src->close(src->self);
    result_end(r);
    return OHC_OK;
}

/* ---- every query in one pass (sources that read files) ------------------- */

typedef struct pass_ctx {
    query_result *results;
    const ohc_event_query *queries;
    const size_t *index; /* pass query i is queries[index[i]] */
    const int64_t *since_ms; /* per query, as index */
    int newest_first;
    uint64_t deadline_ms;
    uint64_t seen;
    int timed_out, nomem;
} pass_ctx;

static int pass_deliver(void *ctx, size_t i, const ohc_event_record *rec)
{
    pass_ctx *p = ctx;
    if (p->deadline_ms != 0 && ohc_os_monotonic_ms() >= p->deadline_ms) {
        p->timed_out = 1;
        return 1;
    }
    size_t k = p->index[i];
    int rc = result_add(&p->results[k], &p->queries[k], rec, p->since_ms[i], p->newest_first, &p->seen);
    if (rc == OHC_ENOMEM) {
        p->nomem = 1;
        return 1;
    }
    return 0;
}

/* Runs the valid queries through src->scan. OHC_ENOMEM or OHC_OK (each
 * result's status says how it went). */
static int run_pass(query_result *results, const ohc_event_source *src, const ohc_event_query *queries,
                    size_t query_count, unsigned default_days, int64_t now_ms, uint64_t deadline_ms)
{
    size_t cap = query_count ? query_count : 1;
    const ohc_event_query **list = calloc(cap, sizeof *list);
    size_t *index = calloc(cap, sizeof *index);
    int64_t *since = calloc(cap, sizeof *since);
    size_t n = 0;
    int rc = list && index && since ? OHC_OK : OHC_ENOMEM;
    for (size_t i = 0; i < query_count && rc == OHC_OK; i++) {
        query_result *r = &results[i];
        ohc_error_clear(&r->error);
        if (ohc_events_query_check(&queries[i], &r->error) != OHC_OK) {
            r->status = "error";
            continue;
        }
        r->status = "ok";
        rc = result_begin(r, &queries[i]);
        unsigned days = queries[i].days ? queries[i].days : default_days;
        since[n] = src->all_time ? INT64_MIN : now_ms - (int64_t)days * 86400000;
        list[n] = &queries[i];
        index[n++] = i;
    }
    if (rc == OHC_OK && n > 0) {
        pass_ctx p = {results, queries, index, since, src->newest_first, deadline_ms, 0, 0, 0};
        ohc_error err;
        ohc_error_clear(&err);
        int src_rc = src->scan(src->self, list, n, pass_deliver, &p, &err);
        if (p.nomem || src_rc == OHC_ENOMEM)
            rc = OHC_ENOMEM;
        for (size_t i = 0; i < n && rc == OHC_OK; i++) {
            query_result *r = &results[index[i]];
            if (p.timed_out) {
                r->status = "error";
                r->capped = 1;
                ohc_error_set(&r->error, OHC_ETIMEOUT, 0, "time budget ran out after %llu events",
                              (unsigned long long)p.seen);
            } else if (src_rc < 0) {
                r->status = src_rc == OHC_EUNAVAILABLE ? "unavailable" : "error";
                r->error = err;
            }
            result_end(r);
        }
    }
    free(list);
    free(index);
    free(since);
    return rc;
}

/* ---- facts --------------------------------------------------------------- */

static cJSON *query_json(const ohc_event_query *q, unsigned days, int all_time, const query_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "channel", q->channel);
    if (q->provider)
        cJSON_AddStringToObject(o, "provider", q->provider);
    else
        cJSON_AddNullToObject(o, "provider");
    cJSON *ids = cJSON_AddArrayToObject(o, "ids");
    for (size_t i = 0; ids != NULL && i < q->id_count; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(q->ids[i]));
    if (all_time)
        cJSON_AddNullToObject(o, "days");
    else
        cJSON_AddNumberToObject(o, "days", days);
    cJSON_AddNumberToObject(o, "max_events", q->max_events ? q->max_events : OHC_EVENTS_DEFAULT_MAX);
    cJSON_AddStringToObject(o, "status", r->status);
    cJSON *e = ohc_error_to_json(&r->error);
    if (e != NULL)
        cJSON_AddItemToObject(o, "error", e);
    else
        cJSON_AddNullToObject(o, "error");
    cJSON_AddNumberToObject(o, "returned", (double)r->count);
    cJSON_AddBoolToObject(o, "capped", r->capped);
    return o;
}

static void add_time(cJSON *o, const char *key, int64_t ms, int have)
{
    if (have) {
        char t[32];
        ohc_format_rfc3339_utc(t, ms);
        cJSON_AddStringToObject(o, key, t);
    } else {
        cJSON_AddNullToObject(o, key);
    }
}

/* outlook_oab: events with `decoded`, and the summary rules read. */
static cJSON *outlook_oab_json(const query_result *r, int64_t last_success_ms, int have_success)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    if (o == NULL || events == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    size_t failures = 0;
    int64_t last_failure = 0;
    uint32_t hrs[64];
    size_t hr_count = 0;
    uint32_t reasons[64];
    size_t reason_count = 0;
    for (size_t i = 0; i < r->count; i++) { /* newest first */
        const ohc_event_record *rec = r->recs[i];
        cJSON *ej = ohc_event_record_to_json(rec);
        if (ej == NULL || !cJSON_AddItemToArray(events, ej)) {
            cJSON_Delete(ej);
            cJSON_Delete(o);
            return NULL;
        }
        if (!ohc_event27_matches(rec))
            continue;
        ohc_event27 ev;
        ohc_event27_decode(&ev, rec);
        cJSON *dj = ohc_event27_to_json(&ev);
        if (dj == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(ej, "decoded", dj);
        if (ev.kind == OHC_EVENT27_FAILURE) {
            if (failures++ == 0)
                last_failure = rec->time_created_ms;
        }
        for (size_t k = 0; k < ev.hr_count; k++) {
            int dup = 0;
            for (size_t j = 0; j < hr_count; j++)
                dup |= hrs[j] == ev.hrs[k];
            if (!dup && hr_count < sizeof hrs / sizeof hrs[0])
                hrs[hr_count++] = ev.hrs[k];
        }
        if (ev.has_reason) {
            int dup = 0;
            for (size_t j = 0; j < reason_count; j++)
                dup |= reasons[j] == ev.reason_code;
            if (!dup && reason_count < sizeof reasons / sizeof reasons[0])
                reasons[reason_count++] = ev.reason_code;
        }
    }
    cJSON *s = cJSON_AddObjectToObject(o, "summary");
    if (s == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddNumberToObject(s, "failure_count", (double)failures);
    add_time(s, "last_failure_time", last_failure, failures > 0);
    cJSON *hj = cJSON_AddArrayToObject(s, "hrs_hex");
    for (size_t j = 0; hj != NULL && j < hr_count; j++) {
        char hex[16];
        snprintf(hex, sizeof hex, "0x%08X", (unsigned)hrs[j]);
        cJSON_AddItemToArray(hj, cJSON_CreateString(hex));
    }
    cJSON *rj = cJSON_AddArrayToObject(s, "reason_codes");
    for (size_t j = 0; rj != NULL && j < reason_count; j++)
        cJSON_AddItemToArray(rj, cJSON_CreateNumber(reasons[j]));
    add_time(s, "last_success_time", last_success_ms, have_success);
    return o;
}

/* bits_client: events, and transfers + summary from bits_client_events. */
static cJSON *bits_client_json(const query_result *r)
{
    cJSON *o = NULL;
    ohc_bits_client_log *log = NULL;
    if (ohc_bits_client_log_new(&log) != OHC_OK)
        return NULL;
    for (size_t i = r->count; i-- > 0;) /* the log wants time order: oldest first */
        if (ohc_bits_client_log_add(log, r->recs[i]) == OHC_ENOMEM)
            goto done;
    o = ohc_bits_client_log_facts(log);
    if (o == NULL)
        goto done;
    cJSON *events = cJSON_CreateArray();
    if (events == NULL || !cJSON_AddItemToObject(o, "events", events)) {
        cJSON_Delete(events);
        goto fail;
    }
    for (size_t i = 0; i < r->count; i++) {
        cJSON *ej = ohc_event_record_to_json(r->recs[i]);
        if (ej == NULL || !cJSON_AddItemToArray(events, ej)) {
            cJSON_Delete(ej);
            goto fail;
        }
    }
    goto done;
fail:
    cJSON_Delete(o);
    o = NULL;
done:
    ohc_bits_client_log_free(log);
    return o;
}

/* Outlook logs no "download succeeded" Event 27; a BITS transfer of an OAB
 * file that stopped with status 0 is the success that can be seen. */
static int last_oab_success(int64_t *out, const query_result *bits)
{
    for (size_t i = 0; bits != NULL && i < bits->count; i++) { /* newest first */
        ohc_bits_client_transfer t;
        if (ohc_bits_client_decode(&t, bits->recs[i]) == OHC_OK && t.has_hr && t.hr == 0 && t.oab) {
            *out = bits->recs[i]->time_created_ms;
            return 1;
        }
    }
    return 0;
}

static cJSON *plain_json(const query_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    for (size_t i = 0; events != NULL && i < r->count; i++) {
        cJSON *ej = ohc_event_record_to_json(r->recs[i]);
        if (ej == NULL || !cJSON_AddItemToArray(events, ej)) {
            cJSON_Delete(ej);
            cJSON_Delete(o);
            return NULL;
        }
    }
    if (events == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *ohc_events_collect(ohc_events_outcome *out, const ohc_event_source *src, const ohc_event_query *queries,
                          size_t query_count, unsigned default_days, int64_t now_ms, uint64_t deadline_ms)
{
    memset(out, 0, sizeof *out);
    if (default_days == 0 || default_days > 3650)
        default_days = OHC_EVENTS_DEFAULT_DAYS;
    query_result *results = calloc(query_count ? query_count : 1, sizeof *results);
    cJSON *facts = cJSON_CreateObject();
    cJSON *qj = facts ? cJSON_AddObjectToObject(facts, "queries") : NULL;
    if (results == NULL || qj == NULL || !cJSON_AddStringToObject(facts, "source", src->kind)) {
        free(results);
        cJSON_Delete(facts);
        return NULL;
    }
    int nomem = 0;
    if (src->scan != NULL) /* one pass for every query: the source reads each file once */
        nomem = run_pass(results, src, queries, query_count, default_days, now_ms, deadline_ms) == OHC_ENOMEM;
    for (size_t i = 0; i < query_count && !nomem; i++) {
        const ohc_event_query *q = &queries[i];
        query_result *r = &results[i];
        unsigned days = q->days ? q->days : default_days;
        if (src->scan != NULL) {
            out->unavailable |= !strcmp(r->status, "unavailable");
        } else if (out->unavailable) {
            ohc_error_clear(&r->error);
            r->status = "unavailable";
            r->error = out->first_error;
        } else if (ohc_events_query_check(q, &r->error) != OHC_OK) {
            r->status = "error";
        } else {
            /* Each query gets a fair share of what is left, so one slow
             * channel cannot starve the others. */
            uint64_t qdeadline = deadline_ms;
            if (deadline_ms != 0) {
                uint64_t now = ohc_os_monotonic_ms();
                if (deadline_ms > now)
                    qdeadline = now + (deadline_ms - now) / (query_count - i);
            }
            int rc = run_query(r, src, q, days, now_ms, qdeadline);
            if (rc == OHC_ENOMEM)
                nomem = 1;
            else if (rc == OHC_EUNAVAILABLE)
                out->unavailable = 1;
        }
        if (!strcmp(r->status, "ok"))
            out->queries_ok++;
        else if (!strcmp(r->status, "channel_missing") || !strcmp(r->status, "channel_disabled"))
            out->queries_missing++;
        else if (!strcmp(r->status, "error"))
            out->queries_failed++;
        if (r->error.code != OHC_OK && out->first_error.code == OHC_OK)
            out->first_error = r->error;
        out->records += r->count;
        cJSON *one = query_json(q, days, src->all_time, r);
        if (one == NULL || !cJSON_AddItemToObject(qj, q->name, one)) {
            cJSON_Delete(one);
            nomem = 1;
        }
    }

    const query_result *bits = NULL;
    for (size_t i = 0; i < query_count; i++)
        if (!strcmp(queries[i].name, "bits_client"))
            bits = &results[i];
    for (size_t i = 0; i < query_count && !nomem; i++) {
        const query_result *r = &results[i];
        cJSON *section;
        if (!strcmp(queries[i].name, "outlook_oab")) {
            int64_t success_ms = 0;
            int have = last_oab_success(&success_ms, bits);
            section = outlook_oab_json(r, success_ms, have);
        } else if (!strcmp(queries[i].name, "bits_client")) {
            section = bits_client_json(r);
        } else {
            section = plain_json(r);
        }
        if (section == NULL || !cJSON_AddItemToObject(facts, queries[i].name, section)) {
            cJSON_Delete(section);
            nomem = 1;
        }
    }
    if (!nomem && out->unavailable) {
        cJSON *e = ohc_error_to_json(&out->first_error);
        if (e == NULL || !cJSON_AddItemToObject(facts, "api_error", e)) {
            cJSON_Delete(e);
            nomem = 1;
        }
    }
    for (size_t i = 0; i < query_count; i++)
        result_free(&results[i]);
    free(results);
    if (nomem) {
        cJSON_Delete(facts);
        return NULL;
    }
    return facts;
}

void ohc_events_set_status(ohc_probe_output *out, const ohc_events_outcome *outcome)
{
    if (outcome->unavailable && outcome->queries_ok == 0) {
        out->status = OHC_PROBE_UNAVAILABLE;
        out->error = outcome->first_error;
    } else if (outcome->unavailable || outcome->queries_missing > 0 || outcome->queries_failed > 0) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = outcome->first_error;
    }
    if (out->status != OHC_PROBE_OK && out->error.code == OHC_OK)
        ohc_error_set(&out->error, OHC_EIO, 0, "some event queries did not complete");
}
