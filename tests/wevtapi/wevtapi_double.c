/* A test double of wevtapi.dll, the Windows Event Log API.
 *
 * It exists because Wine does not implement that API: Wine 8's EvtQuery
 * returns NULL, and its EvtCreateRenderContext / EvtRender are unimplemented
 * stubs that raise an exception. The real ohc.exe loads this DLL in place of
 * the system's (tests copy it over the prefix's system32\wevtapi.dll and set
 * WINEDLLOVERRIDES=wevtapi=n), so the probe's real code path (EvtQuery,
 * EvtNext batches, EvtRender, EvtFormatMessage, EvtClose) runs against events
 * served from a fixture file.
 *
 * It enforces the API contract as Windows documents it, so that a probe that
 * breaks it fails its test:
 *   - the two-call buffer protocol: a buffer that is NULL or too small gets
 *     ERROR_INSUFFICIENT_BUFFER and the size needed in *BufferUsed;
 *   - EvtNext past the end: FALSE with ERROR_NO_MORE_ITEMS;
 *   - the structured-query XPath is parsed strictly (the subset ohc writes:
 *     Provider[@Name], EventID alternatives, TimeCreated timediff) and
 *     anything else is rejected with ERROR_EVT_INVALID_QUERY, as is an XPath
 *     of more than 32 expressions (Windows' limit); a structured XML
 *     QueryList of such XPaths is taken with a NULL path, as Windows wants;
 *   - every handle is counted; a handle closed twice or of the wrong kind is
 *     a violation; at unload the handles still open (leaks), the violations
 *     and the protocol counters are written to the file named by
 *     OHC_WEVTAPI_REPORT.
 * Only what ohc uses is served: a user render context, sessions, bookmarks and
 * subscriptions answer ERROR_NOT_SUPPORTED.
 *
 * Fixture (OHC_WEVTAPI_FIXTURE, a Windows path), UTF-8, one item a line,
 * fields separated by tabs; '#' starts a comment:
 *   channel  <name>  enabled|disabled
 *   repeat   <n>      (the next event is served n times, each 1 s older, ids
 *                      counting up: a big log for paging)
 *   next_timeouts <n>  (the first n EvtNext calls of each query answer
 *                      ERROR_TIMEOUT, as Windows does on a large log when
 *                      fewer matches than asked for are found in time)
 *   event    <channel> <provider> <id> <level> <age_seconds> <computer>
 *            <message or -> <EventData/UserData XML or ->
 * Record ids count up in file order; times are now - age. */
#include <windows.h>
#include <winevt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAGIC 0x45565444u /* "EVTD" */

enum { H_QUERY = 1, H_EVENT, H_CONTEXT, H_PUBLISHER, H_CHANNEL_CONFIG, H_KINDS };
static const char *const kind_names[H_KINDS] = {"?", "query", "event", "render_context", "publisher", "channel_config"};

typedef struct fixture_event {
    wchar_t *channel, *provider, *computer, *message, *xml;
    uint32_t id;
    uint8_t level;
    uint64_t filetime, record_id;
} fixture_event;

typedef struct channel_state {
    wchar_t *name;
    int enabled;
} channel_state;

typedef struct dhandle {
    uint32_t magic;
    int kind;
    int closed;
    size_t event; /* H_EVENT */
    size_t *matches; /* H_QUERY: indices of matching events, in serving order */
    size_t match_count, pos;
    unsigned timeouts; /* ERROR_TIMEOUT answers given to this query (next_timeouts) */
    size_t channel; /* H_CHANNEL_CONFIG */
    wchar_t *provider; /* H_PUBLISHER */
    struct dhandle *next_all;
} dhandle;

static CRITICAL_SECTION lock;
static int loaded, load_failed;
static unsigned next_timeouts; /* fixture: EvtNext calls per query that time out first */
static unsigned long timeouts_served;
static fixture_event *events;
static size_t event_count, event_cap;
static channel_state channels[64];
static size_t channel_count;
static dhandle *all_handles;
static unsigned long opened[H_KINDS], closed_count[H_KINDS];
static unsigned long violations, rejected_queries, insufficient, no_more_items, renders, formats, nexts;
static char violation_text[2048];

static void violation(const char *what)
{
    violations++;
    size_t used = strlen(violation_text);
    if (used + strlen(what) + 2 < sizeof violation_text) {
        strcat(violation_text, what);
        strcat(violation_text, "\n");
    }
}

static wchar_t *wdup_utf8(const char *s, size_t n)
{
    int wn = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0);
    wchar_t *w = calloc((size_t)wn + 1, sizeof *w);
    if (w != NULL && wn > 0)
        MultiByteToWideChar(CP_UTF8, 0, s, (int)n, w, wn);
    return w;
}

static size_t channel_index(const wchar_t *name, int add)
{
    for (size_t i = 0; i < channel_count; i++)
        if (_wcsicmp(channels[i].name, name) == 0)
            return i;
    if (!add || channel_count == sizeof channels / sizeof channels[0])
        return (size_t)-1;
    channels[channel_count].name = _wcsdup(name);
    channels[channel_count].enabled = 1;
    return channel_count++;
}

static void xml_escape_append(wchar_t *dst, size_t cap, const wchar_t *s)
{
    size_t n = wcslen(dst);
    for (; *s && n + 7 < cap; s++) {
        const wchar_t *rep = *s == L'<' ? L"&lt;" : *s == L'&' ? L"&amp;" : *s == L'\'' ? L"&apos;" : NULL;
        if (rep) {
            wcscpy(dst + n, rep);
            n += wcslen(rep);
        } else {
            dst[n++] = *s;
        }
    }
    dst[n] = L'\0';
}

/* The whole event as the API renders it with EvtRenderEventXml. */
static wchar_t *event_xml(const fixture_event *e, const wchar_t *data)
{
    size_t cap = 1024 + wcslen(data) + 2 * (wcslen(e->provider) + wcslen(e->channel) + wcslen(e->computer)) * 6;
    wchar_t *x = calloc(cap, sizeof *x);
    if (x == NULL)
        return NULL;
    SYSTEMTIME st;
    FILETIME ft;
    ft.dwLowDateTime = (DWORD)e->filetime;
    ft.dwHighDateTime = (DWORD)(e->filetime >> 32);
    FileTimeToSystemTime(&ft, &st);
    wcscpy(x, L"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='");
    xml_escape_append(x, cap, e->provider);
    size_t n = wcslen(x);
    _snwprintf(x + n, cap - n,
               L"'/><EventID Qualifiers='0'>%u</EventID><Level>%u</Level><TimeCreated "
               L"SystemTime='%04u-%02u-%02uT%02u:%02u:%02u.%03u0000Z'/><EventRecordID>%llu</EventRecordID>"
               L"<Channel>",
               (unsigned)e->id, (unsigned)e->level, st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond,
               st.wMilliseconds, (unsigned long long)e->record_id);
    xml_escape_append(x, cap, e->channel);
    wcscat(x, L"</Channel><Computer>");
    xml_escape_append(x, cap, e->computer);
    wcscat(x, L"</Computer></System>");
    n = wcslen(x);
    if (n + wcslen(data) + 16 < cap) {
        wcscat(x, data);
        wcscat(x, L"</Event>");
    }
    return x;
}

static int add_event(char **f, int nf, uint64_t now_ft, unsigned repeat)
{
    if (nf != 9)
        return 0;
    for (unsigned r = 0; r < repeat; r++) {
        if (event_count == event_cap) {
            size_t cap = event_cap ? event_cap * 2 : 64;
            fixture_event *e = realloc(events, cap * sizeof *e);
            if (e == NULL)
                return 0;
            events = e;
            event_cap = cap;
        }
        fixture_event *e = &events[event_count];
        memset(e, 0, sizeof *e);
        e->channel = wdup_utf8(f[1], strlen(f[1]));
        e->provider = wdup_utf8(f[2], strlen(f[2]));
        e->id = (uint32_t)strtoul(f[3], NULL, 10);
        e->level = (uint8_t)strtoul(f[4], NULL, 10);
        uint64_t age = strtoull(f[5], NULL, 10) + r;
        e->filetime = now_ft - age * 10000000ull;
        e->computer = wdup_utf8(f[6], strlen(f[6]));
        e->message = strcmp(f[7], "-") ? wdup_utf8(f[7], strlen(f[7])) : NULL;
        wchar_t *data = strcmp(f[8], "-") ? wdup_utf8(f[8], strlen(f[8])) : _wcsdup(L"");
        e->record_id = event_count + 1;
        channel_index(e->channel, 1);
        e->xml = event_xml(e, data);
        free(data);
        event_count++;
    }
    return 1;
}

/* Reads the fixture once, on first use. */
static void load_fixture(void)
{
    if (loaded)
        return;
    loaded = 1;
    char path[MAX_PATH];
    DWORD n = GetEnvironmentVariableA("OHC_WEVTAPI_FIXTURE", path, sizeof path);
    FILE *fp = n > 0 && n < sizeof path ? fopen(path, "rb") : NULL;
    if (fp == NULL) {
        load_failed = 1;
        violation("fixture: OHC_WEVTAPI_FIXTURE missing or unreadable");
        return;
    }
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    uint64_t now_ft = ((uint64_t)now.dwHighDateTime << 32) | now.dwLowDateTime;
    static char line[65536];
    unsigned repeat = 1;
    while (fgets(line, sizeof line, fp) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[10];
        int nf = 0;
        for (char *p = line; nf < 10;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (!strcmp(f[0], "channel") && nf == 3) {
            wchar_t *w = wdup_utf8(f[1], strlen(f[1]));
            size_t i = w ? channel_index(w, 1) : (size_t)-1;
            if (i != (size_t)-1)
                channels[i].enabled = strcmp(f[2], "disabled") != 0;
            free(w);
        } else if (!strcmp(f[0], "next_timeouts") && nf == 2) {
            next_timeouts = (unsigned)strtoul(f[1], NULL, 10);
        } else if (!strcmp(f[0], "repeat") && nf == 2) {
            repeat = (unsigned)strtoul(f[1], NULL, 10);
            continue;
        } else if (!strcmp(f[0], "event") && add_event(f, nf, now_ft, repeat ? repeat : 1)) {
        } else {
            violation("fixture: bad line");
        }
        repeat = 1;
    }
    fclose(fp);
}

static dhandle *new_handle(int kind)
{
    dhandle *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->magic = MAGIC;
    h->kind = kind;
    h->next_all = all_handles;
    all_handles = h;
    opened[kind]++;
    return h;
}

/* A live handle of that kind, or NULL (and a violation when it is a closed or
 * foreign one: the probe must never hand those back). */
static dhandle *get_handle(EVT_HANDLE handle, int kind, const char *api)
{
    char msg[160];
    for (dhandle *h = all_handles; h != NULL; h = h->next_all) {
        if ((EVT_HANDLE)h != handle)
            continue;
        if (h->closed || h->kind != kind) {
            snprintf(msg, sizeof msg, "%s: %s handle where a %s was expected", api,
                     h->closed ? "closed" : kind_names[h->kind], kind_names[kind]);
            violation(msg);
            return NULL;
        }
        return h;
    }
    snprintf(msg, sizeof msg, "%s: unknown handle %p", api, (void *)handle);
    violation(msg);
    return NULL;
}

/* ---- the structured-query XPath, strictly ------------------------------- */

typedef struct xfilter {
    wchar_t provider[256];
    int has_provider;
    uint32_t ids[64];
    size_t id_count;
    uint64_t max_age_ms;
    int has_age;
} xfilter;

static int lit(const wchar_t **p, const wchar_t *s)
{
    size_t n = wcslen(s);
    if (wcsncmp(*p, s, n) != 0)
        return 0;
    *p += n;
    return 1;
}

static int number(const wchar_t **p, uint64_t *out)
{
    if (**p < L'0' || **p > L'9')
        return 0;
    uint64_t v = 0;
    while (**p >= L'0' && **p <= L'9') {
        if (v > 1000000000000000ull)
            return 0;
        v = v * 10 + (uint64_t)(**p - L'0');
        (*p)++;
    }
    *out = v;
    return 1;
}

static int parse_xpath(xfilter *f, const wchar_t *p)
{
    memset(f, 0, sizeof *f);
    if (!lit(&p, L"*[System["))
        return 0;
    for (int first = 1;; first = 0) {
        if (!first && !lit(&p, L" and "))
            break;
        if (lit(&p, L"Provider[@Name='")) {
            const wchar_t *end = wcschr(p, L'\'');
            if (f->has_provider || end == NULL || end == p || end - p >= 255)
                return 0;
            wcsncpy(f->provider, p, (size_t)(end - p));
            f->has_provider = 1;
            p = end + 1;
            if (!lit(&p, L"]"))
                return 0;
        } else if (lit(&p, L"(")) {
            do {
                uint64_t id;
                if (!lit(&p, L"EventID=") || !number(&p, &id) || id > 65535 || f->id_count == 64)
                    return 0;
                f->ids[f->id_count++] = (uint32_t)id;
            } while (lit(&p, L" or "));
            if (!lit(&p, L")"))
                return 0;
        } else if (lit(&p, L"TimeCreated[timediff(@SystemTime) <= ")) {
            if (f->has_age || !number(&p, &f->max_age_ms) || !lit(&p, L"]"))
                return 0;
            f->has_age = 1;
        } else {
            return 0;
        }
    }
    return lit(&p, L"]]") && *p == L'\0';
}

/* Windows allows an event XPath 32 expressions (the provider, each
 * EventID=n and the time each count one): more is ERROR_EVT_INVALID_QUERY,
 * as on Windows, where Wine-lenient code would pass. */
#define XPATH_MAX_EXPRESSIONS 32

static int expressions(const xfilter *f)
{
    return f->has_provider + (int)f->id_count + f->has_age;
}

/* A structured query, the subset ohc writes:
 *   <QueryList><Query Id="0" Path="C"><Select Path="C">XPath</Select>...</Query></QueryList>
 * with "<" written "&lt;" inside the XPaths. Each Select becomes a filter;
 * the channel is C (every Select must name the same). */
#define MAX_SELECTS 8

static int parse_query_list(xfilter *fs, size_t *count, wchar_t *channel, size_t channel_size, const wchar_t *p)
{
    *count = 0;
    if (!lit(&p, L"<QueryList><Query Id=\"0\" Path=\""))
        return 0;
    const wchar_t *end = wcschr(p, L'"');
    if (end == NULL || end == p || (size_t)(end - p) >= channel_size)
        return 0;
    wcsncpy(channel, p, (size_t)(end - p));
    channel[end - p] = 0;
    p = end + 1;
    if (!lit(&p, L">"))
        return 0;
    while (lit(&p, L"<Select Path=\"")) {
        if (wcsncmp(p, channel, wcslen(channel)) != 0)
            return 0;
        p += wcslen(channel);
        if (!lit(&p, L"\">") || *count == MAX_SELECTS)
            return 0;
        const wchar_t *close = wcsstr(p, L"</Select>");
        if (close == NULL || close - p >= 8192)
            return 0;
        wchar_t xp[8192];
        size_t n = 0;
        for (const wchar_t *c = p; c < close; n++) { /* &lt; -> <; no other entity is ours */
            if (wcsncmp(c, L"&lt;", 4) == 0) {
                xp[n] = L'<';
                c += 4;
            } else if (*c == L'<' || *c == L'&') {
                return 0;
            } else {
                xp[n] = *c++;
            }
        }
        xp[n] = 0;
        if (!parse_xpath(&fs[*count], xp) || expressions(&fs[*count]) > XPATH_MAX_EXPRESSIONS)
            return 0;
        (*count)++;
        p = close + 9;
    }
    return *count > 0 && lit(&p, L"</Query></QueryList>") && *p == 0;
}

/* ---- the API ------------------------------------------------------------ */

static int matches(const xfilter *f, const fixture_event *e, uint64_t now_ft)
{
    if (f->has_provider && _wcsicmp(e->provider, f->provider) != 0)
        return 0;
    int id_ok = f->id_count == 0;
    for (size_t j = 0; j < f->id_count; j++)
        id_ok |= f->ids[j] == e->id;
    return id_ok && (!f->has_age || (now_ft - e->filetime) / 10000u <= f->max_age_ms);
}

__declspec(dllexport) EVT_HANDLE WINAPI EvtQuery(EVT_HANDLE session, LPCWSTR path, LPCWSTR query, DWORD flags)
{
    EnterCriticalSection(&lock);
    load_fixture();
    dhandle *h = NULL;
    DWORD code = ERROR_SUCCESS;
    xfilter fs[MAX_SELECTS];
    size_t nf = 0;
    wchar_t channel[256] = L"";
    int structured = query != NULL && wcsncmp(query, L"<QueryList>", 11) == 0;
    if (session != NULL || query == NULL || !(flags & EvtQueryChannelPath) || (path == NULL) != structured) {
        /* a structured query names its channels itself: the path must be NULL then, and only then */
        code = ERROR_INVALID_PARAMETER;
    } else if (structured ? !parse_query_list(fs, &nf, channel, 256, query)
                          : (!parse_xpath(&fs[0], query) || expressions(&fs[0]) > XPATH_MAX_EXPRESSIONS)) {
        rejected_queries++;
        code = ERROR_EVT_INVALID_QUERY;
    } else {
        if (!structured) {
            nf = 1;
            wcsncpy(channel, path, 255);
        }
        size_t ch = channel_index(channel, 0);
        if (ch == (size_t)-1) {
            code = ERROR_EVT_CHANNEL_NOT_FOUND;
        } else if ((h = new_handle(H_QUERY)) == NULL ||
                   (h->matches = calloc(event_count ? event_count : 1, sizeof *h->matches)) == NULL) {
            code = ERROR_OUTOFMEMORY;
            h = NULL;
        } else {
            FILETIME now;
            GetSystemTimeAsFileTime(&now);
            uint64_t now_ft = ((uint64_t)now.dwHighDateTime << 32) | now.dwLowDateTime;
            for (size_t k = 0; k < event_count; k++) {
                size_t i = (flags & EvtQueryReverseDirection) ? event_count - 1 - k : k;
                const fixture_event *e = &events[i];
                int ok = 0;
                for (size_t j = 0; j < nf && !ok; j++)
                    ok = matches(&fs[j], e, now_ft);
                if (ok && _wcsicmp(e->channel, channel) == 0)
                    h->matches[h->match_count++] = i;
            }
        }
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return (EVT_HANDLE)h;
}

__declspec(dllexport) BOOL WINAPI
    EvtNext(EVT_HANDLE result_set, DWORD size, EVT_HANDLE *array, DWORD timeout, DWORD flags, PDWORD returned)
{
    (void)timeout;
    EnterCriticalSection(&lock);
    nexts++;
    BOOL ok = FALSE;
    DWORD code = ERROR_SUCCESS;
    dhandle *q = get_handle(result_set, H_QUERY, "EvtNext");
    if (q == NULL) {
        code = ERROR_INVALID_HANDLE;
    } else if (size == 0 || array == NULL || returned == NULL || flags != 0) {
        violation("EvtNext: bad arguments");
        code = ERROR_INVALID_PARAMETER;
    } else if (q->timeouts < next_timeouts) {
        q->timeouts++;
        timeouts_served++;
        *returned = 0;
        code = ERROR_TIMEOUT;
    } else if (q->pos >= q->match_count) {
        *returned = 0;
        no_more_items++;
        code = ERROR_NO_MORE_ITEMS;
    } else {
        DWORD n = 0;
        while (n < size && q->pos < q->match_count) {
            dhandle *e = new_handle(H_EVENT);
            if (e == NULL)
                break;
            e->event = q->matches[q->pos++];
            array[n++] = (EVT_HANDLE)e;
        }
        *returned = n;
        ok = n > 0;
        code = ok ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return ok;
}

__declspec(dllexport) EVT_HANDLE WINAPI EvtCreateRenderContext(DWORD count, LPCWSTR *paths, DWORD flags)
{
    EnterCriticalSection(&lock);
    dhandle *h = NULL;
    DWORD code = ERROR_NOT_SUPPORTED; /* only the system context is served */
    if (flags == EvtRenderContextSystem && count == 0 && paths == NULL) {
        h = new_handle(H_CONTEXT);
        code = h ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return (EVT_HANDLE)h;
}

static size_t wbytes(const wchar_t *s)
{
    return s ? (wcslen(s) + 1) * sizeof(wchar_t) : 0;
}

__declspec(dllexport) BOOL WINAPI
    EvtRender(EVT_HANDLE context, EVT_HANDLE fragment, DWORD flags, DWORD size, PVOID buffer, PDWORD used, PDWORD count)
{
    EnterCriticalSection(&lock);
    renders++;
    BOOL ok = FALSE;
    DWORD code = ERROR_SUCCESS;
    dhandle *ev = get_handle(fragment, H_EVENT, "EvtRender");
    if (ev == NULL || used == NULL || count == NULL) {
        code = ev == NULL ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER;
    } else if (flags == EvtRenderEventXml) {
        const fixture_event *e = &events[ev->event];
        DWORD need = (DWORD)wbytes(e->xml);
        *used = need;
        *count = 0;
        if (context != NULL) {
            violation("EvtRender: XML with a render context");
            code = ERROR_INVALID_PARAMETER;
        } else if (buffer == NULL || size < need) {
            insufficient++;
            code = ERROR_INSUFFICIENT_BUFFER;
        } else {
            memcpy(buffer, e->xml, need);
            ok = TRUE;
        }
    } else if (flags == EvtRenderEventValues) {
        const fixture_event *e = &events[ev->event];
        if (get_handle(context, H_CONTEXT, "EvtRender") == NULL) {
            code = ERROR_INVALID_HANDLE;
        } else {
            size_t nprops = EvtSystemPropertyIdEND;
            DWORD need =
                (DWORD)(nprops * sizeof(EVT_VARIANT) + wbytes(e->provider) + wbytes(e->channel) + wbytes(e->computer));
            *used = need;
            *count = (DWORD)nprops;
            if (buffer == NULL || size < need) {
                insufficient++;
                code = ERROR_INSUFFICIENT_BUFFER;
            } else {
                EVT_VARIANT *v = buffer;
                memset(v, 0, nprops * sizeof *v);
                for (size_t i = 0; i < nprops; i++)
                    v[i].Type = EvtVarTypeNull;
                wchar_t *str = (wchar_t *)(v + nprops);
                const wchar_t *src[3] = {e->provider, e->channel, e->computer};
                int ids[3] = {EvtSystemProviderName, EvtSystemChannel, EvtSystemComputer};
                for (int i = 0; i < 3; i++) {
                    wcscpy(str, src[i]);
                    v[ids[i]].StringVal = str;
                    v[ids[i]].Type = EvtVarTypeString;
                    str += wcslen(src[i]) + 1;
                }
                v[EvtSystemEventID].Type = EvtVarTypeUInt16;
                v[EvtSystemEventID].UInt16Val = (UINT16)e->id;
                v[EvtSystemQualifiers].Type = EvtVarTypeUInt16;
                v[EvtSystemQualifiers].UInt16Val = 0;
                v[EvtSystemLevel].Type = EvtVarTypeByte;
                v[EvtSystemLevel].ByteVal = e->level;
                v[EvtSystemTimeCreated].Type = EvtVarTypeFileTime;
                v[EvtSystemTimeCreated].FileTimeVal = e->filetime;
                v[EvtSystemEventRecordId].Type = EvtVarTypeUInt64;
                v[EvtSystemEventRecordId].UInt64Val = e->record_id;
                ok = TRUE;
            }
        }
    } else {
        code = ERROR_NOT_SUPPORTED;
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return ok;
}

__declspec(dllexport) EVT_HANDLE WINAPI
    EvtOpenPublisherMetadata(EVT_HANDLE session, LPCWSTR publisher, LPCWSTR logfile, LCID locale, DWORD flags)
{
    (void)locale;
    EnterCriticalSection(&lock);
    load_fixture();
    dhandle *h = NULL;
    DWORD code = ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND;
    if (session != NULL || logfile != NULL || flags != 0 || publisher == NULL) {
        code = ERROR_INVALID_PARAMETER;
    } else {
        for (size_t i = 0; i < event_count && h == NULL; i++) {
            if (_wcsicmp(events[i].provider, publisher) == 0) {
                h = new_handle(H_PUBLISHER);
                if (h != NULL)
                    h->provider = events[i].provider;
                code = h ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
            }
        }
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return (EVT_HANDLE)h;
}

__declspec(dllexport) BOOL WINAPI
    EvtFormatMessage(EVT_HANDLE publisher, EVT_HANDLE event, DWORD message_id, DWORD value_count, PEVT_VARIANT values,
                     DWORD flags, DWORD size, LPWSTR buffer, PDWORD used)
{
    (void)message_id;
    EnterCriticalSection(&lock);
    formats++;
    BOOL ok = FALSE;
    DWORD code = ERROR_SUCCESS;
    dhandle *pub = get_handle(publisher, H_PUBLISHER, "EvtFormatMessage");
    dhandle *ev = get_handle(event, H_EVENT, "EvtFormatMessage");
    if (pub == NULL || ev == NULL) {
        code = ERROR_INVALID_HANDLE;
    } else if (flags != EvtFormatMessageEvent || value_count != 0 || values != NULL || used == NULL) {
        code = ERROR_NOT_SUPPORTED;
    } else if (events[ev->event].message == NULL) {
        code = ERROR_EVT_MESSAGE_NOT_FOUND;
    } else {
        const wchar_t *m = events[ev->event].message;
        DWORD need = (DWORD)wcslen(m) + 1; /* characters, not bytes */
        *used = need;
        if (buffer == NULL || size < need) {
            insufficient++;
            code = ERROR_INSUFFICIENT_BUFFER;
        } else {
            wcscpy(buffer, m);
            ok = TRUE;
        }
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return ok;
}

__declspec(dllexport) EVT_HANDLE WINAPI EvtOpenChannelConfig(EVT_HANDLE session, LPCWSTR path, DWORD flags)
{
    EnterCriticalSection(&lock);
    load_fixture();
    dhandle *h = NULL;
    DWORD code = ERROR_EVT_CHANNEL_NOT_FOUND;
    size_t ch = path ? channel_index(path, 0) : (size_t)-1;
    if (session != NULL || flags != 0) {
        code = ERROR_INVALID_PARAMETER;
    } else if (ch != (size_t)-1) {
        h = new_handle(H_CHANNEL_CONFIG);
        if (h != NULL)
            h->channel = ch;
        code = h ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return (EVT_HANDLE)h;
}

__declspec(dllexport) BOOL WINAPI EvtGetChannelConfigProperty(EVT_HANDLE config, EVT_CHANNEL_CONFIG_PROPERTY_ID id,
                                                              DWORD flags, DWORD size, PEVT_VARIANT buffer, PDWORD used)
{
    EnterCriticalSection(&lock);
    BOOL ok = FALSE;
    DWORD code = ERROR_SUCCESS;
    dhandle *h = get_handle(config, H_CHANNEL_CONFIG, "EvtGetChannelConfigProperty");
    if (h == NULL) {
        code = ERROR_INVALID_HANDLE;
    } else if (id != EvtChannelConfigEnabled || flags != 0 || used == NULL) {
        code = ERROR_NOT_SUPPORTED;
    } else {
        *used = sizeof(EVT_VARIANT);
        if (buffer == NULL || size < sizeof(EVT_VARIANT)) {
            insufficient++;
            code = ERROR_INSUFFICIENT_BUFFER;
        } else {
            memset(buffer, 0, sizeof *buffer);
            buffer->Type = EvtVarTypeBoolean;
            buffer->BooleanVal = channels[h->channel].enabled;
            ok = TRUE;
        }
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return ok;
}

__declspec(dllexport) BOOL WINAPI EvtClose(EVT_HANDLE handle)
{
    EnterCriticalSection(&lock);
    BOOL ok = FALSE;
    DWORD code = ERROR_INVALID_HANDLE;
    dhandle *h = all_handles;
    while (h != NULL && (EVT_HANDLE)h != handle)
        h = h->next_all;
    if (h == NULL) {
        violation("EvtClose: unknown handle");
    } else if (h->closed) {
        char msg[96];
        snprintf(msg, sizeof msg, "EvtClose: %s handle closed twice", kind_names[h->kind]);
        violation(msg);
    } else {
        h->closed = 1; /* kept, never freed: a later use is caught as a violation */
        closed_count[h->kind]++;
        ok = TRUE;
        code = ERROR_SUCCESS;
    }
    LeaveCriticalSection(&lock);
    SetLastError(code);
    return ok;
}

/* Unserved parts of the API, so a caller that tries them gets a clear no. */
__declspec(dllexport) EVT_HANDLE WINAPI
    EvtOpenSession(EVT_LOGIN_CLASS login_class, PVOID login, DWORD timeout, DWORD flags)
{
    (void)login_class, (void)login, (void)timeout, (void)flags;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

static void write_report(void)
{
    char path[MAX_PATH];
    DWORD n = GetEnvironmentVariableA("OHC_WEVTAPI_REPORT", path, sizeof path);
    if (n == 0 || n >= sizeof path)
        return;
    FILE *fp = fopen(path, "ab");
    if (fp == NULL)
        return;
    unsigned long leaked = 0, total = 0;
    for (int k = 1; k < H_KINDS; k++) {
        leaked += opened[k] - closed_count[k];
        total += opened[k];
    }
    fprintf(fp, "fixture_events %lu\n", (unsigned long)event_count);
    fprintf(fp, "handles_opened %lu\nhandles_leaked %lu\n", total, leaked);
    for (int k = 1; k < H_KINDS; k++)
        fprintf(fp, "opened_%s %lu\nleaked_%s %lu\n", kind_names[k], opened[k], kind_names[k],
                opened[k] - closed_count[k]);
    fprintf(fp, "violations %lu\nrejected_queries %lu\ninsufficient_buffer %lu\nno_more_items %lu\n", violations,
            rejected_queries, insufficient, no_more_items);
    fprintf(fp, "evt_next_calls %lu\nevt_render_calls %lu\nevt_format_message_calls %lu\n", nexts, renders, formats);
    fprintf(fp, "evt_next_timeouts %lu\n", timeouts_served);
    if (violation_text[0])
        fprintf(fp, "%s", violation_text);
    fprintf(fp, "end\n");
    fclose(fp);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        InitializeCriticalSection(&lock);
    else if (reason == DLL_PROCESS_DETACH)
        write_report(); /* the leak report: handles still open at unload */
    return TRUE;
}
