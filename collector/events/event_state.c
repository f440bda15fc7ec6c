#include "civil_time.h"
#include "event_state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "jsonlogic.h"
#include "os.h"
#include "report.h"

#define MAX_RECORD_ID 9007199254740992.0 /* 2^53: exact in a JSON number */

typedef struct entry {
    char channel[OHC_EVENT_STATE_MAX_NAME];
    char computer[OHC_EVENT_STATE_MAX_NAME];
    uint64_t last_id;
    int64_t last_ms;
} entry;

typedef struct state {
    entry e[OHC_EVENT_STATE_MAX_CHANNELS];
    size_t n;
    char report_time[40]; /* generated_at of the report the state came from; "" = unknown */
} state;

/* Event log channel and computer names compare without regard to ASCII case. */
static entry *find(state *st, const char *channel, const char *computer)
{
    for (size_t i = 0; i < st->n; i++)
        if (ohc_ascii_ieq(st->e[i].channel, channel) && ohc_ascii_ieq(st->e[i].computer, computer))
            return &st->e[i];
    return NULL;
}

static int get_u53(uint64_t *out, const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= MAX_RECORD_ID) ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return 0;
    *out = (uint64_t)v->valuedouble;
    return 1;
}

static int get_time(int64_t *out, const cJSON *v)
{
    return cJSON_IsString(v) && strlen(v->valuestring) < 40 &&
           ohc_civil_parse_rfc3339(out, v->valuestring, 0) == OHC_OK;
}

static int copy_name(char dst[OHC_EVENT_STATE_MAX_NAME], const cJSON *v, int may_be_empty)
{
    if (!cJSON_IsString(v)) {
        if (!may_be_empty || !cJSON_IsNull(v))
            return 0;
        dst[0] = '\0';
        return 1;
    }
    size_t len = strlen(v->valuestring);
    if (len >= OHC_EVENT_STATE_MAX_NAME || (len == 0 && !may_be_empty))
        return 0;
    memcpy(dst, v->valuestring, len + 1);
    return 1;
}

/* The state in path, checked member by member. OHC_OK, OHC_ENOTFOUND (no
 * file), or another code with err; st is empty unless OHC_OK. */
static int load(state *st, const char *path, ohc_error *err)
{
    memset(st, 0, sizeof *st);
    char *text = NULL;
    size_t len = 0;
    int rc = ohc_os_read_file(&text, &len, path, OHC_EVENT_STATE_MAX_BYTES, err);
    if (rc != OHC_OK)
        return rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const char *problem = NULL;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *channels = cJSON_GetObjectItemCaseSensitive(root, "channels");
    if (root == NULL)
        problem = "not JSON";
    else if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        problem = "version is not 1";
    else if (!cJSON_IsArray(channels))
        problem = "channels is not an array";
    else if ((size_t)cJSON_GetArraySize(channels) > OHC_EVENT_STATE_MAX_CHANNELS)
        problem = "more channels than the limit";
    size_t index = 0;
    int in_entry = 0;
    for (const cJSON *c = problem ? NULL : channels->child; c != NULL; c = c->next) {
        entry *e = &st->e[st->n];
        in_entry = 1;
        if (!copy_name(e->channel, cJSON_GetObjectItemCaseSensitive(c, "channel"), 0))
            problem = "channel is not a name of 1 to 255 bytes";
        else if (!copy_name(e->computer, cJSON_GetObjectItemCaseSensitive(c, "computer"), 1))
            problem = "computer is not a name of at most 255 bytes";
        else if (!get_u53(&e->last_id, cJSON_GetObjectItemCaseSensitive(c, "last_record_id")))
            problem = "last_record_id is not a whole number from 0 to 2^53";
        else if (!get_time(&e->last_ms, cJSON_GetObjectItemCaseSensitive(c, "last_time")))
            problem = "last_time is not an RFC 3339 time";
        else if (find(st, e->channel, e->computer) != NULL)
            problem = "a channel appears twice";
        if (problem != NULL)
            break;
        st->n++;
        index++;
    }
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(root, "report_time");
    int64_t ms;
    if (problem == NULL && get_time(&ms, when))
        snprintf(st->report_time, sizeof st->report_time, "%s", when->valuestring);
    cJSON_Delete(root);
    if (problem != NULL) {
        memset(st, 0, sizeof *st);
        if (in_entry)
            return ohc_error_set(err, OHC_EMALFORMED, 0, "%s: channels[%zu]: %s", path, index, problem);
        return ohc_error_set(err, OHC_EMALFORMED, 0, "%s: %s", path, problem);
    }
    return OHC_OK;
}

/* What one event says, or 0 when it lacks a channel, record id or time. */
static int event_key(const cJSON *ev, const char **channel, const char **computer, uint64_t *rid, int64_t *ms)
{
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(ev, "channel");
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(ev, "computer");
    if (!cJSON_IsString(ch) || ch->valuestring[0] == '\0' || strlen(ch->valuestring) >= OHC_EVENT_STATE_MAX_NAME)
        return 0;
    *channel = ch->valuestring;
    *computer = cJSON_IsString(co) && strlen(co->valuestring) < OHC_EVENT_STATE_MAX_NAME ? co->valuestring : "";
    return get_u53(rid, cJSON_GetObjectItemCaseSensitive(ev, "record_id")) &&
           get_time(ms, cJSON_GetObjectItemCaseSensitive(ev, "time_created"));
}

static int set_member(cJSON *obj, const char *name, cJSON *value)
{
    if (value == NULL)
        return OHC_ENOMEM;
    if (cJSON_GetObjectItemCaseSensitive(obj, name) != NULL)
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, value) ? OHC_OK : OHC_ENOMEM;
    if (!cJSON_AddItemToObject(obj, name, value)) {
        cJSON_Delete(value);
        return OHC_ENOMEM;
    }
    return OHC_OK;
}

static int set_count(cJSON *obj, const char *name, size_t n)
{
    return cJSON_IsObject(obj) ? set_member(obj, name, cJSON_CreateNumber((double)n)) : OHC_OK;
}

typedef struct seen_id {
    uint64_t rid;
    int is_new;
} seen_id;

static int cmp_seen(const void *a, const void *b)
{
    const seen_id *x = a, *y = b;
    return x->rid < y->rid ? -1 : x->rid > y->rid;
}

/* The sections of facts.events that hold events: outlook_oab, bits_client
 * and any configured query's. */
static int is_section(const cJSON *sec)
{
    return cJSON_IsObject(sec) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(sec, "events"));
}

static int mark_section(cJSON *events_facts, cJSON *sec, state *st, size_t *total_new)
{
    cJSON *events = cJSON_GetObjectItemCaseSensitive(sec, "events");
    size_t count = (size_t)cJSON_GetArraySize(events), n = 0, fresh = 0, fresh_failures = 0;
    seen_id *ids = calloc(count ? count : 1, sizeof *ids);
    if (ids == NULL)
        return OHC_ENOMEM;
    int rc = OHC_OK;
    cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        const char *channel, *computer;
        uint64_t rid;
        int64_t ms;
        if (!event_key(ev, &channel, &computer, &rid, &ms))
            continue; /* nothing to compare: left unmarked */
        const entry *e = find(st, channel, computer);
        int is_new = e == NULL || rid > e->last_id || ms > e->last_ms;
        if ((rc = set_member(ev, "new", cJSON_CreateBool(is_new))) != OHC_OK)
            break;
        ids[n].rid = rid;
        ids[n++].is_new = is_new;
        fresh += (size_t)is_new;
        const char *kind = ohc_report_str(ev, "decoded.kind");
        fresh_failures += (size_t)(is_new && kind != NULL && !strcmp(kind, "failure"));
    }
    *total_new += fresh;
    cJSON *query =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(events_facts, "queries"), sec->string);
    if (rc == OHC_OK)
        rc = set_count(query, "new", fresh);
    cJSON *summary = cJSON_GetObjectItemCaseSensitive(sec, "summary");
    if (rc == OHC_OK && !strcmp(sec->string, "outlook_oab"))
        rc = set_count(summary, "new_failure_count", fresh_failures);

    /* BITS transfers come from the same records: new when their event is. */
    cJSON *transfers = cJSON_GetObjectItemCaseSensitive(sec, "transfers");
    size_t new_failed = 0, new_oab = 0;
    qsort(ids, n, sizeof *ids, cmp_seen);
    cJSON *t = rc == OHC_OK && cJSON_IsArray(transfers) ? transfers->child : NULL;
    for (; t != NULL; t = t->next) {
        seen_id key = {0, 0};
        if (!get_u53(&key.rid, cJSON_GetObjectItemCaseSensitive(t, "record_id")))
            continue;
        const seen_id *hit = bsearch(&key, ids, n, sizeof *ids, cmp_seen);
        if (hit == NULL)
            continue;
        if ((rc = set_member(t, "new", cJSON_CreateBool(hit->is_new))) != OHC_OK)
            break;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "event_id");
        const cJSON *hr = cJSON_GetObjectItemCaseSensitive(t, "hr");
        if (hit->is_new && cJSON_IsNumber(id) && id->valueint == 60 && cJSON_IsNumber(hr) && hr->valuedouble != 0) {
            new_failed++;
            new_oab += (size_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "oab"));
        }
    }
    if (rc == OHC_OK && cJSON_IsArray(transfers)) {
        rc = set_count(summary, "new_failed_transfers", new_failed);
        if (rc == OHC_OK)
            rc = set_count(summary, "new_oab_failures", new_oab);
    }
    free(ids);
    return rc;
}

int ohc_event_state_mark(cJSON *report, const char *state_path)
{
    cJSON *events_facts = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "facts"), "events");
    if (!cJSON_IsObject(events_facts))
        return OHC_OK;
    state *st = malloc(sizeof *st);
    if (st == NULL)
        return OHC_ENOMEM;
    ohc_error err;
    ohc_error_clear(&err);
    int loaded = load(st, state_path, &err);
    size_t total_new = 0;
    int rc = OHC_OK;
    cJSON *sec;
    cJSON_ArrayForEach(sec, events_facts)
    {
        if (is_section(sec) && (rc = mark_section(events_facts, sec, st, &total_new)) != OHC_OK)
            break;
    }
    cJSON *info = cJSON_CreateObject();
    if (info == NULL) {
        free(st);
        return OHC_ENOMEM;
    }
    cJSON_AddStringToObject(info, "baseline",
                            loaded == OHC_OK          ? "previous_collection"
                            : loaded == OHC_ENOTFOUND ? "first_collection"
                                                      : "state_unreadable");
    if (loaded == OHC_OK && st->report_time[0])
        cJSON_AddStringToObject(info, "previous_collection", st->report_time);
    else
        cJSON_AddNullToObject(info, "previous_collection");
    if (loaded != OHC_OK && loaded != OHC_ENOTFOUND)
        cJSON_AddStringToObject(info, "state_error", err.message);
    else
        cJSON_AddNullToObject(info, "state_error");
    cJSON_AddNumberToObject(info, "count", (double)total_new);
    free(st);
    int rc2 = set_member(events_facts, "new_events", info);
    return rc != OHC_OK ? rc : rc2;
}

/* ---- commit ---- */

typedef struct acc {
    entry e;
    int reset; /* the log restarted its record ids (cleared) */
} acc;

static int cmp_newest_first(const void *a, const void *b)
{
    int64_t x = ((const entry *)a)->last_ms, y = ((const entry *)b)->last_ms;
    return x > y ? -1 : x < y;
}

int ohc_event_state_commit(const cJSON *report, const char *state_path, ohc_error *err)
{
    const cJSON *events_facts =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "facts"), "events");
    if (!cJSON_IsObject(events_facts))
        return OHC_OK; /* no events read: nothing learned, the state stays */
    state *st = malloc(sizeof *st);
    acc *seen = calloc(OHC_EVENT_STATE_MAX_CHANNELS, sizeof *seen);
    if (st == NULL || seen == NULL) {
        free(st);
        free(seen);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    ohc_error lerr;
    ohc_error_clear(&lerr);
    load(st, state_path, &lerr); /* missing or bad: start over (mark said so in the report) */

    size_t nseen = 0;
    const cJSON *sec;
    cJSON_ArrayForEach(sec, events_facts)
    {
        const cJSON *list = is_section(sec) ? cJSON_GetObjectItemCaseSensitive(sec, "events") : NULL;
        for (const cJSON *ev = list ? list->child : NULL; ev != NULL; ev = ev->next) {
            const char *channel, *computer;
            uint64_t rid;
            int64_t ms;
            if (!event_key(ev, &channel, &computer, &rid, &ms))
                continue;
            acc *a = NULL;
            for (size_t i = 0; i < nseen && a == NULL; i++)
                if (ohc_ascii_ieq(seen[i].e.channel, channel) && ohc_ascii_ieq(seen[i].e.computer, computer))
                    a = &seen[i];
            if (a == NULL) {
                if (nseen == OHC_EVENT_STATE_MAX_CHANNELS)
                    continue; /* beyond the bound: shown as new again next time */
                a = &seen[nseen++];
                snprintf(a->e.channel, sizeof a->e.channel, "%s", channel);
                snprintf(a->e.computer, sizeof a->e.computer, "%s", computer);
                a->e.last_id = rid;
                a->e.last_ms = ms;
            }
            if (rid > a->e.last_id)
                a->e.last_id = rid;
            if (ms > a->e.last_ms)
                a->e.last_ms = ms;
            const entry *prev = find(st, channel, computer);
            if (prev != NULL && rid <= prev->last_id && ms > prev->last_ms)
                a->reset = 1;
        }
    }

    /* Merge: what was seen advances its entry (a cleared log starts over from
     * its new ids); what was not seen keeps the old one. */
    for (size_t i = 0; i < nseen; i++) {
        entry *prev = find(st, seen[i].e.channel, seen[i].e.computer);
        if (prev == NULL)
            continue;
        if (!seen[i].reset && prev->last_id > seen[i].e.last_id)
            seen[i].e.last_id = prev->last_id;
        if (prev->last_ms > seen[i].e.last_ms)
            seen[i].e.last_ms = prev->last_ms;
        prev->channel[0] = '\0'; /* taken */
    }
    entry *merged = malloc(sizeof(entry) * 2 * OHC_EVENT_STATE_MAX_CHANNELS);
    if (merged == NULL) {
        free(st);
        free(seen);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < nseen; i++)
        merged[n++] = seen[i].e;
    for (size_t i = 0; i < st->n; i++)
        if (st->e[i].channel[0])
            merged[n++] = st->e[i];
    qsort(merged, n, sizeof *merged, cmp_newest_first);
    if (n > OHC_EVENT_STATE_MAX_CHANNELS)
        n = OHC_EVENT_STATE_MAX_CHANNELS;

    cJSON *root = cJSON_CreateObject();
    cJSON *channels = root ? cJSON_AddArrayToObject(root, "channels") : NULL;
    char when[32];
    ohc_format_rfc3339_utc(when, ohc_os_utc_now_ms());
    int ok = channels != NULL && cJSON_AddNumberToObject(root, "version", 1) &&
             cJSON_AddStringToObject(root, "written_at", when);
    const char *rid = ohc_report_str(report, "report_id");
    const char *rtime = ohc_report_str(report, "generated_at");
    if (ok && rid != NULL)
        ok = cJSON_AddStringToObject(root, "report_id", rid) != NULL;
    if (ok && rtime != NULL)
        ok = cJSON_AddStringToObject(root, "report_time", rtime) != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        ok = c != NULL && cJSON_AddItemToArray(channels, c);
        if (!ok) {
            cJSON_Delete(c);
            break;
        }
        ohc_format_rfc3339_utc(when, merged[i].last_ms);
        ok = cJSON_AddStringToObject(c, "channel", merged[i].channel) &&
             cJSON_AddStringToObject(c, "computer", merged[i].computer) &&
             cJSON_AddNumberToObject(c, "last_record_id", (double)merged[i].last_id) &&
             cJSON_AddStringToObject(c, "last_time", when);
    }
    free(merged);
    free(seen);
    free(st);
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc = ohc_os_write_file_atomic(state_path, text, strlen(text), err);
    free(text);
    return rc;
}
