/* The events probe on Windows: the live event log through wevtapi, or .evtx
 * files when the collection names them (collect --evtx).
 *
 * wevtapi.dll is loaded at run time from the system directory
 * (win32/os/wevtapi_loader.h): a PC without it, or Wine, whose wevtapi is a
 * stub, reports `unavailable` and ohc.exe still starts and the other probes
 * still run.
 *
 * Per query: the channel's configuration (missing / disabled), then EvtQuery
 * with the query's XPath, newest first, EvtNext in batches with a timeout,
 * EvtRender of the system values (render context) and of the event XML (the
 * named EventData and the binary data, parsed in collector/events/event_xml.c), and
 * the description through the publisher's metadata (EvtFormatMessage). Every
 * variable-size call uses the two-call protocol (ERROR_INSUFFICIENT_BUFFER,
 * then a buffer of the size asked for, bounded); every handle is closed. */
#include <windows.h>
#include <winevt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_xml.h"
#include "event_queries.h"
#include "events.h"
#include "os.h"
#include "probes_win32.h"
#include "wevtapi_loader.h"
#include "win32util.h"

#define BATCH 16
#define RENDER_MAX (4u << 20) /* one event's XML or values: 4 MiB is already absurd */
#define MESSAGE_MAX (64u << 10) /* characters */
#define NEXT_TIMEOUT_MS 5000u

typedef struct live_source {
    uint64_t deadline_ms; /* the probe's: EvtNext timeouts are retried until then */
    unsigned
        next_timeouts; /* EvtNext calls that timed out and were retried (said in no fact: a slow log is not an error) */
    ohc_wevtapi api;
    ohc_error load_error; /* why the API is unusable; code OHC_OK when it is usable */
    EVT_HANDLE system_ctx;
    EVT_HANDLE query;
    EVT_HANDLE batch[BATCH];
    DWORD batch_count, batch_next;
    EVT_HANDLE publisher; /* metadata of publisher_name, or NULL */
    wchar_t publisher_name[256];
    int publisher_tried;
    BYTE *render_buf;
    DWORD render_cap;
    wchar_t *msg_buf;
    DWORD msg_cap;
    /* The current record's UTF-8 strings (owned; replaced at each next). */
    char channel[256], provider[256], computer[256];
    char *message;
    char *xml;
    ohc_event_xml data;
} live_source;

/* Errors that mean "there is no working event log here", not "this query
 * failed": Wine's stubs (120, and sometimes no error at all), a missing
 * export, the EventLog service stopped (RPC errors). */
static int api_missing(DWORD code)
{
    return code == 0 || code == ERROR_CALL_NOT_IMPLEMENTED || code == ERROR_PROC_NOT_FOUND ||
           code == RPC_S_SERVER_UNAVAILABLE || code == EPT_S_NOT_REGISTERED || code == ERROR_SERVICE_NOT_ACTIVE;
}

static void close_handle(live_source *s, EVT_HANDLE *h)
{
    if (*h != NULL) {
        s->api.close(*h);
        *h = NULL;
    }
}

static void close_batch(live_source *s)
{
    for (DWORD i = s->batch_next; i < s->batch_count; i++)
        close_handle(s, &s->batch[i]);
    s->batch_count = s->batch_next = 0;
}

/* Two-call protocol for EvtRender: ask, grow to what it says (bounded), ask again. */
static int render(live_source *s, EVT_HANDLE ctx, EVT_HANDLE ev, DWORD flags, DWORD *out_used, DWORD *out_props,
                  ohc_error *err)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        DWORD used = 0, props = 0;
        if (s->api.render(ctx, ev, flags, s->render_cap, s->render_buf, &used, &props)) {
            *out_used = used;
            *out_props = props;
            return OHC_OK;
        }
        DWORD code = GetLastError();
        if (code != ERROR_INSUFFICIENT_BUFFER)
            return ohc_win32_error(err, api_missing(code) ? OHC_EUNAVAILABLE : OHC_EOS, code, "EvtRender");
        if (used <= s->render_cap || used > RENDER_MAX)
            return ohc_error_set(err, OHC_ELIMIT, code, "EvtRender wants %lu bytes", (unsigned long)used);
        BYTE *b = realloc(s->render_buf, used);
        if (b == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory rendering an event");
        s->render_buf = b;
        s->render_cap = used;
    }
    return ohc_error_set(err, OHC_EOS, ERROR_INSUFFICIENT_BUFFER, "EvtRender kept asking for more room");
}

static void variant_string(char *dst, size_t size, const EVT_VARIANT *v)
{
    dst[0] = '\0';
    if (v->Type == EvtVarTypeString && v->StringVal != NULL)
        ohc_utf8_copy_w(dst, size, v->StringVal, -1);
}

static uint64_t variant_uint(const EVT_VARIANT *v)
{
    switch (v->Type) {
    case EvtVarTypeByte: return v->ByteVal;
    case EvtVarTypeUInt16: return v->UInt16Val;
    case EvtVarTypeUInt32: return v->UInt32Val;
    case EvtVarTypeUInt64: return v->UInt64Val;
    case EvtVarTypeFileTime: return v->FileTimeVal;
    default: return 0;
    }
}

/* The description, through the publisher's metadata (kept open while the
 * provider stays the same). NULL when there is none: that is normal for
 * events whose publisher is not installed on this PC. */
static char *format_message(live_source *s, EVT_HANDLE ev, const wchar_t *provider)
{
    if (s->api.format_message == NULL || provider == NULL)
        return NULL;
    if (!s->publisher_tried || wcsncmp(provider, s->publisher_name, 255) != 0) {
        close_handle(s, &s->publisher);
        wcsncpy(s->publisher_name, provider, 255);
        s->publisher_name[255] = L'\0';
        s->publisher = s->api.open_publisher_metadata(NULL, provider, NULL, 0, 0);
        s->publisher_tried = 1;
    }
    if (s->publisher == NULL)
        return NULL;
    for (int attempt = 0; attempt < 3; attempt++) {
        DWORD used = 0;
        if (s->api.format_message(s->publisher, ev, 0, 0, NULL, EvtFormatMessageEvent, s->msg_cap, s->msg_buf, &used)) {
            if (s->msg_cap == 0)
                return NULL;
            s->msg_buf[s->msg_cap - 1] = L'\0';
            return ohc_utf8_from_w(s->msg_buf);
        }
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || used <= s->msg_cap || used > MESSAGE_MAX)
            return NULL;
        wchar_t *b = realloc(s->msg_buf, used * sizeof(wchar_t));
        if (b == NULL)
            return NULL;
        s->msg_buf = b;
        s->msg_cap = used;
    }
    return NULL;
}

/* 1 when the channel is known to be disabled; 0 when it is enabled or that
 * cannot be told. */
static int channel_disabled(live_source *s, const wchar_t *channel)
{
    if (s->api.open_channel_config == NULL)
        return 0;
    EVT_HANDLE cfg = s->api.open_channel_config(NULL, channel, 0);
    if (cfg == NULL)
        return 0;
    union {
        EVT_VARIANT v;
        BYTE raw[sizeof(EVT_VARIANT) + 64];
    } buf;
    DWORD used = 0;
    int disabled = 0;
    if (s->api.get_channel_config_property(cfg, EvtChannelConfigEnabled, 0, sizeof buf, &buf.v, &used) &&
        buf.v.Type == EvtVarTypeBoolean && !buf.v.BooleanVal)
        disabled = 1;
    s->api.close(cfg);
    return disabled;
}

static int live_open(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err)
{
    live_source *s = self;
    (void)since_ms; /* the XPath's timediff does it, on the event log's own clock */
    if (s->load_error.code != OHC_OK) {
        *err = s->load_error;
        return OHC_EUNAVAILABLE;
    }
    ohc_strbuf xpath = OHC_STRBUF_INIT;
    int structured = 0; /* more ids than one XPath may hold: a QueryList, and no path */
    int rc = ohc_events_build_query(&xpath, &structured, q, days, err);
    wchar_t *wpath = rc == OHC_OK ? ohc_w_from_utf8(ohc_strbuf_str(&xpath)) : NULL;
    wchar_t *wchan = rc == OHC_OK ? ohc_w_from_utf8(q->channel) : NULL;
    ohc_strbuf_free(&xpath);
    if (rc != OHC_OK)
        return rc;
    if (wpath == NULL || wchan == NULL) {
        free(wpath);
        free(wchan);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    /* EvtQuery comes first: it is the one call that exists everywhere. Wine 8
     * exports EvtCreateRenderContext as an unimplemented stub that raises an
     * exception when called (measured), so nothing else is called before the
     * API has shown that it works. */
    SetLastError(0);
    s->query = s->api.query(NULL, structured ? NULL : wchan, wpath, EvtQueryChannelPath | EvtQueryReverseDirection);
    DWORD code = GetLastError();
    free(wpath);
    if (s->query == NULL) {
        free(wchan);
        if (code == ERROR_EVT_CHANNEL_NOT_FOUND || code == ERROR_EVT_INVALID_CHANNEL_PATH)
            return ohc_error_set(err, OHC_ENOTFOUND, code, "channel %s does not exist", q->channel);
        if (api_missing(code)) {
            if (code == 0)
                ohc_error_set(&s->load_error, OHC_EUNAVAILABLE, 0,
                              "event log API: EvtQuery returned no handle and no error (a stub, as in Wine)");
            else
                ohc_win32_error(&s->load_error, OHC_EUNAVAILABLE, code, "event log API: EvtQuery failed");
            *err = s->load_error;
            return OHC_EUNAVAILABLE;
        }
        return ohc_win32_error(err, ohc_err_from_win32(code), code, "EvtQuery");
    }
    if (s->system_ctx == NULL) {
        s->system_ctx = s->api.create_render_context(0, NULL, EvtRenderContextSystem);
        if (s->system_ctx == NULL) {
            code = GetLastError();
            free(wchan);
            close_handle(s, &s->query);
            ohc_win32_error(&s->load_error, OHC_EUNAVAILABLE, code, "event log API: EvtCreateRenderContext failed");
            *err = s->load_error;
            return OHC_EUNAVAILABLE;
        }
    }
    /* A disabled channel records nothing new: its old events are still read,
     * and the query says the channel is off. */
    int disabled = channel_disabled(s, wchan);
    free(wchan);
    if (disabled) {
        ohc_error_set(err, OHC_EUNAVAILABLE, 0, "channel %s is disabled: new events are not recorded", q->channel);
        return OHC_EVENTS_OPEN_DISABLED;
    }
    return OHC_OK;
}

static void free_current(live_source *s)
{
    free(s->message);
    free(s->xml);
    s->message = s->xml = NULL;
}

static int live_next(void *self, ohc_event_record *out, ohc_error *err)
{
    live_source *s = self;
    free_current(s);
    if (s->batch_next < s->batch_count) /* the previous record's handle */
        close_handle(s, &s->batch[s->batch_next++]);
    if (s->batch_next >= s->batch_count) {
        s->batch_count = s->batch_next = 0;
        DWORD got = 0;
        for (;;) {
            /* On a large log EvtNext may time out before BATCH matches are
             * found: the query is still good, so it is asked again while the
             * probe's budget lasts, not dropped. */
            uint64_t now = ohc_os_monotonic_ms();
            uint64_t left = s->deadline_ms > now ? s->deadline_ms - now : 0;
            DWORD timeout = left < NEXT_TIMEOUT_MS ? (DWORD)left : NEXT_TIMEOUT_MS;
            if (s->api.next(s->query, BATCH, s->batch, timeout, 0, &got))
                break;
            DWORD code = GetLastError();
            if (code == ERROR_TIMEOUT && ohc_os_monotonic_ms() < s->deadline_ms) {
                s->next_timeouts++;
                continue;
            }
            if (code == ERROR_NO_MORE_ITEMS)
                return 0;
            if (code == ERROR_TIMEOUT)
                return ohc_win32_error(err, OHC_ETIMEOUT, code, "EvtNext timed out and the probe's time is spent");
            if (code == ERROR_EVT_QUERY_RESULT_STALE || code == ERROR_EVT_QUERY_RESULT_INVALID_POSITION)
                return ohc_win32_error(err, OHC_EIO, code, "EvtNext: the log changed while it was read");
            return ohc_win32_error(err, ohc_err_from_win32(code), code, "EvtNext");
        }
        if (got == 0 || got > BATCH)
            return got == 0 ? 0 : ohc_error_set(err, OHC_EOS, 0, "EvtNext returned %lu events", (unsigned long)got);
        s->batch_count = got;
    }
    EVT_HANDLE ev = s->batch[s->batch_next];

    DWORD used = 0, props = 0;
    int rc = render(s, s->system_ctx, ev, EvtRenderEventValues, &used, &props, err);
    if (rc != OHC_OK)
        return rc;
    if (props <= EvtSystemComputer || used < props * sizeof(EVT_VARIANT))
        return ohc_error_set(err, OHC_EMALFORMED, 0, "EvtRender gave %lu system values", (unsigned long)props);
    const EVT_VARIANT *v = (const EVT_VARIANT *)s->render_buf;
    memset(out, 0, sizeof *out);
    variant_string(s->provider, sizeof s->provider, &v[EvtSystemProviderName]);
    variant_string(s->channel, sizeof s->channel, &v[EvtSystemChannel]);
    variant_string(s->computer, sizeof s->computer, &v[EvtSystemComputer]);
    out->provider = s->provider;
    out->channel = s->channel;
    out->computer = s->computer[0] ? s->computer : NULL;
    out->event_id = (uint32_t)variant_uint(&v[EvtSystemEventID]) & 0xFFFFu;
    out->qualifiers = (uint32_t)variant_uint(&v[EvtSystemQualifiers]);
    out->level = (uint8_t)variant_uint(&v[EvtSystemLevel]);
    out->record_id = variant_uint(&v[EvtSystemEventRecordId]);
    uint64_t ft = variant_uint(&v[EvtSystemTimeCreated]);
    out->time_created_ms = (int64_t)(ft / 10000u) - 11644473600000LL;
    wchar_t *wprovider = v[EvtSystemProviderName].Type == EvtVarTypeString && v[EvtSystemProviderName].StringVal
                             ? _wcsdup(v[EvtSystemProviderName].StringVal)
                             : NULL;

    /* The EventData, named, with the binary data: from the event's XML. A
     * damaged or oversized XML leaves the record without data, not lost. */
    ohc_error xerr;
    ohc_error_clear(&xerr);
    if (render(s, NULL, ev, EvtRenderEventXml, &used, &props, &xerr) == OHC_OK && used >= sizeof(wchar_t)) {
        wchar_t *w = (wchar_t *)s->render_buf;
        w[used / sizeof(wchar_t) - 1] = L'\0';
        s->xml = ohc_utf8_from_w(w);
        if (s->xml != NULL && ohc_event_xml_parse(&s->data, s->xml, strlen(s->xml), &xerr) == OHC_OK) {
            out->values = s->data.values;
            out->value_count = s->data.value_count;
            out->binary = s->data.has_binary ? s->data.binary : NULL;
            out->binary_len = s->data.has_binary ? s->data.binary_len : 0;
        }
    }
    s->message = format_message(s, ev, wprovider);
    out->message = s->message;
    free(wprovider);
    return 1;
}

static void live_close(void *self)
{
    live_source *s = self;
    free_current(s);
    close_batch(s);
    close_handle(s, &s->query);
}

static void live_free(live_source *s)
{
    live_close(s);
    if (s->api.dll != NULL) {
        close_handle(s, &s->publisher);
        close_handle(s, &s->system_ctx);
        ohc_wevtapi_unload(&s->api);
    }
    free(s->render_buf);
    free(s->msg_buf);
    ohc_event_xml_free(&s->data);
}

void ohc_win32_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    ohc_event_query queries[OHC_EVENT_QUERIES_ALL_MAX];
    size_t query_count = ohc_event_queries_for(queries, OHC_EVENT_QUERIES_ALL_MAX, ctx->options);
    unsigned days = ctx->options ? ctx->options->event_days : 0;
    /* Leave a margin of the budget for building the facts. */
    uint64_t now = ohc_os_monotonic_ms();
    uint64_t deadline = ctx->deadline_ms > now + 500 ? ctx->deadline_ms - 500 : now + 1;

    if (ctx->options != NULL && ctx->options->evtx_files != NULL && ctx->options->evtx_files[0] != NULL) {
        ohc_events_collect_files(out, ctx->options->evtx_files, ctx->options->evtx_readers, queries, query_count, days,
                                 deadline);
        return;
    }

    live_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        out->status = OHC_PROBE_FAILED;
        ohc_error_set(&out->error, OHC_ENOMEM, 0, "out of memory");
        return;
    }
    ohc_error_clear(&s->load_error);
    s->deadline_ms = deadline;
    ohc_wevtapi_load(&s->api, &s->load_error);
    ohc_event_source src = {"live", 1, 0, s, live_open, live_next, live_close, NULL};
    ohc_events_outcome outcome;
    cJSON *facts = ohc_events_collect(&outcome, &src, queries, query_count, days, ohc_os_utc_now_ms(), deadline);
    live_free(s);
    free(s);
    ohc_events_set_status(out, &outcome);
    ohc_probe_take_facts(out, facts);
}
