/* The bits probe on Windows: every BITS job through the BITS COM API
 * (IBackgroundCopyManager), read property by property so that one failing
 * call (Wine answers E_NOTIMPL for GetOwner and GetTimes) leaves that property
 * null with its HRESULT and the job is still reported. What it read is turned
 * into facts by collector/facts/bits_jobs.c.
 *
 * Bounded: at most OHC_BITS_DEFAULT_MAX_JOBS jobs, OHC_BITS_MAX_URLS_PER_JOB
 * URLs per job, every string cut at MAX_TEXT characters, and the enumeration
 * stops (status partial) when the probe's time budget is nearly spent, or
 * at the next job when the collection is cancelled (the service stopping).
 * BITS is a demand-start service: with no active job it is stopped on most
 * healthy PCs, and a COM client's activation starts it (that is how every BITS
 * client, Outlook included, reaches it). So a stopped service is connected to
 * like any client would; only a disabled (or absent) one is reported
 * `unavailable` from the service manager's answer, without calling COM.
 * https://learn.microsoft.com/windows/win32/bits/about-bits ("BITS ...
 * starts when a client needs it") */
#define COBJMACROS /* C macros for the COM vtables: IBackgroundCopyJob_GetState(...) */
#include <windows.h>
#include <bits.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits_jobs.h"
#include "hresult_names.h"
#include "os.h"
#include "probes_win32.h"
#include "win32util.h"

#define MAX_TEXT 4096 /* characters kept of any string BITS returns */
#define BUDGET_MARGIN_MS 3000u /* stop enumerating this long before the deadline */
#define MAX_CACHED_OWNERS 64
/* Jobs fetched per IEnumBackgroundCopyJobs::Next. One: Wine 8's BITS service
 * hung for good on Next(16) (measured), which would hang every later client. */
#define JOB_BATCH 1u

typedef struct owner_cache {
    size_t count;
    struct {
        char sid[192];
        char account[512]; /* "" when the SID does not resolve */
    } e[MAX_CACHED_OWNERS];
} owner_cache;

/* Job methods that answered E_NOTIMPL once are not called again: that is a
 * property of the BITS implementation (Wine), not of the job, and every COM
 * call is a round trip to the service (about 10 ms each under Wine). */
enum { M_DESCRIPTION, M_OWNER, M_PRIORITY, M_TIMES, M_ERROR_COUNT, M_PROXY, M_COUNT };

typedef struct reader {
    owner_cache owners;
    int unimplemented[M_COUNT];
} reader;

/* True when method m is known to be unimplemented (the property error is recorded). */
static int skip(reader *rd, ohc_bits_job *job, int m, const char *property)
{
    if (!rd->unimplemented[m])
        return 0;
    ohc_bits_job_property_error(job, property, 0x80004001u /* E_NOTIMPL */);
    return 1;
}

static void note(reader *rd, ohc_bits_job *job, int m, const char *property, HRESULT hr)
{
    if (hr == E_NOTIMPL)
        rd->unimplemented[m] = 1;
    ohc_bits_job_property_error(job, property, (uint32_t)hr);
}

/* A UTF-8 copy of a CoTaskMem string (freed here), cut at MAX_TEXT characters. */
static char *take_string(LPWSTR w)
{
    if (w == NULL)
        return NULL;
    size_t n = wcsnlen(w, MAX_TEXT);
    w[n] = L'\0'; /* the buffer holds at least n + 1 characters */
    char *s = ohc_utf8_from_w(w);
    CoTaskMemFree(w);
    return s;
}

static uint32_t hr_u32(HRESULT hr)
{
    return (uint32_t)hr;
}

static const char *resolve_owner(owner_cache *cache, const char *sid_text)
{
    for (size_t i = 0; i < cache->count; i++)
        if (strcmp(cache->e[i].sid, sid_text) == 0)
            return cache->e[i].account[0] ? cache->e[i].account : NULL;
    char account[512] = "";
    wchar_t *wsid = ohc_w_from_utf8(sid_text);
    if (wsid != NULL)
        ohc_win32_sid_text_account(account, sizeof account, wsid, NULL);
    free(wsid);
    if (cache->count < MAX_CACHED_OWNERS) {
        snprintf(cache->e[cache->count].sid, sizeof cache->e[0].sid, "%s", sid_text);
        snprintf(cache->e[cache->count].account, sizeof cache->e[0].account, "%s", account);
        cache->count++;
        return cache->e[cache->count - 1].account[0] ? cache->e[cache->count - 1].account : NULL;
    }
    return NULL; /* cache full: leave the name unresolved rather than grow without bound */
}

static uint64_t filetime_u64(FILETIME ft)
{
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void read_error(ohc_bits_job *job, IBackgroundCopyJob *bj)
{
    IBackgroundCopyError *err = NULL;
    HRESULT hr = IBackgroundCopyJob_GetError(bj, &err);
    if (FAILED(hr) || err == NULL) {
        ohc_bits_job_property_error(job, "error", hr_u32(hr));
        return;
    }
    BG_ERROR_CONTEXT context;
    HRESULT code = S_OK;
    hr = IBackgroundCopyError_GetError(err, &context, &code);
    if (SUCCEEDED(hr)) {
        job->have_error = 1;
        job->error_hr = hr_u32(code);
        job->error_context = (int64_t)context;
    } else {
        ohc_bits_job_property_error(job, "error", hr_u32(hr));
    }
    LPWSTR text = NULL;
    /* English first, so tickets read alike; the system's language when BITS has no English text. */
    hr = IBackgroundCopyError_GetErrorDescription(err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &text);
    if (FAILED(hr))
        hr = IBackgroundCopyError_GetErrorDescription(err, LANGIDFROMLCID(GetThreadLocale()), &text);
    if (SUCCEEDED(hr)) {
        job->error_description = take_string(text);
        if (job->error_description != NULL) { /* drop the trailing line break BITS adds */
            size_t n = strlen(job->error_description);
            while (n > 0 && (job->error_description[n - 1] == '\n' || job->error_description[n - 1] == '\r' ||
                             job->error_description[n - 1] == ' '))
                job->error_description[--n] = '\0';
        }
    } else {
        ohc_bits_job_property_error(job, "error_description", hr_u32(hr));
    }
    IBackgroundCopyFile *file = NULL;
    hr = IBackgroundCopyError_GetFile(err, &file);
    if (SUCCEEDED(hr) && file != NULL) {
        LPWSTR s = NULL;
        if (SUCCEEDED(IBackgroundCopyFile_GetRemoteName(file, &s)))
            job->error_remote_url = take_string(s);
        s = NULL;
        if (SUCCEEDED(IBackgroundCopyFile_GetLocalName(file, &s)))
            job->error_local_name = take_string(s);
        IBackgroundCopyFile_Release(file);
    } else if (hr_u32(hr) !=
               0x80200004u /* BG_E_FILE_NOT_AVAILABLE */) { /* a job-level error has no file: not a failure */
        ohc_bits_job_property_error(job, "error_file", hr_u32(hr));
    }
    IBackgroundCopyError_Release(err);
}

static int read_files(ohc_bits_job *job, IBackgroundCopyJob *bj)
{
    IEnumBackgroundCopyFiles *files = NULL;
    HRESULT hr = IBackgroundCopyJob_EnumFiles(bj, &files);
    if (FAILED(hr) || files == NULL) {
        ohc_bits_job_property_error(job, "files", hr_u32(hr));
        return OHC_OK;
    }
    int rc = OHC_OK;
    /* One batch of one more than the cap tells "capped" without a GetCount round trip. */
    IBackgroundCopyFile *batch[OHC_BITS_MAX_URLS_PER_JOB + 1];
    ULONG fetched = 0;
    hr = IEnumBackgroundCopyFiles_Next(files, OHC_BITS_MAX_URLS_PER_JOB + 1, batch, &fetched);
    if (FAILED(hr) || fetched > OHC_BITS_MAX_URLS_PER_JOB + 1)
        fetched = 0;
    for (ULONG i = 0; i < fetched; i++) {
        if (batch[i] == NULL)
            continue;
        LPWSTR s = NULL;
        hr = rc == OHC_OK ? IBackgroundCopyFile_GetRemoteName(batch[i], &s) : E_ABORT;
        if (SUCCEEDED(hr)) {
            char *url = take_string(s);
            if (url != NULL)
                rc = ohc_bits_job_add_url(job, url);
            free(url);
        } else if (rc == OHC_OK) {
            ohc_bits_job_property_error(job, "file_remote_name", hr_u32(hr));
        }
        IBackgroundCopyFile_Release(batch[i]);
    }
    IEnumBackgroundCopyFiles_Release(files);
    return rc;
}

static int read_job(ohc_bits_job *job, IBackgroundCopyJob *bj, reader *rd)
{
    GUID id;
    HRESULT hr = IBackgroundCopyJob_GetId(bj, &id);
    if (SUCCEEDED(hr)) {
        wchar_t w[40];
        if (StringFromGUID2(&id, w, 40) > 0)
            ohc_utf8_copy_w(job->id, sizeof job->id, w, -1);
    } else {
        ohc_bits_job_property_error(job, "id", hr_u32(hr));
    }
    LPWSTR s = NULL;
    if (SUCCEEDED(hr = IBackgroundCopyJob_GetDisplayName(bj, &s)))
        job->display_name = take_string(s);
    else
        ohc_bits_job_property_error(job, "display_name", hr_u32(hr));
    s = NULL;
    if (skip(rd, job, M_DESCRIPTION, "description"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetDescription(bj, &s)))
        job->description = take_string(s);
    else
        note(rd, job, M_DESCRIPTION, "description", hr);
    s = NULL;
    if (skip(rd, job, M_OWNER, "owner"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetOwner(bj, &s))) {
        job->owner_sid = take_string(s);
        if (job->owner_sid != NULL) {
            job->owner_source = "job";
            const char *account = resolve_owner(&rd->owners, job->owner_sid);
            if (account != NULL)
                job->owner = _strdup(account);
        }
    } else {
        note(rd, job, M_OWNER, "owner", hr);
    }
    BG_JOB_TYPE type;
    if (SUCCEEDED(hr = IBackgroundCopyJob_GetType(bj, &type)))
        job->type = (int64_t)type;
    else
        ohc_bits_job_property_error(job, "type", hr_u32(hr));
    BG_JOB_STATE state;
    if (SUCCEEDED(hr = IBackgroundCopyJob_GetState(bj, &state)))
        job->state = (int64_t)state;
    else
        ohc_bits_job_property_error(job, "state", hr_u32(hr));
    BG_JOB_PRIORITY priority;
    if (skip(rd, job, M_PRIORITY, "priority"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetPriority(bj, &priority)))
        job->priority = (int64_t)priority;
    else
        note(rd, job, M_PRIORITY, "priority", hr);
    BG_JOB_PROGRESS progress;
    if (SUCCEEDED(hr = IBackgroundCopyJob_GetProgress(bj, &progress))) {
        job->have_progress = 1;
        job->files_total = progress.FilesTotal;
        job->files_transferred = progress.FilesTransferred;
        job->bytes_total = progress.BytesTotal; /* BG_SIZE_UNKNOWN is UINT64_MAX: null */
        job->bytes_transferred = progress.BytesTransferred;
    } else {
        ohc_bits_job_property_error(job, "progress", hr_u32(hr));
    }
    BG_JOB_TIMES times;
    if (skip(rd, job, M_TIMES, "times"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetTimes(bj, &times))) {
        job->have_times = 1;
        job->created_ft = filetime_u64(times.CreationTime);
        job->modified_ft = filetime_u64(times.ModificationTime);
        job->completed_ft = filetime_u64(times.TransferCompletionTime);
    } else {
        note(rd, job, M_TIMES, "times", hr);
    }
    ULONG errors = 0;
    if (skip(rd, job, M_ERROR_COUNT, "error_count"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetErrorCount(bj, &errors)))
        job->error_count = errors;
    else
        note(rd, job, M_ERROR_COUNT, "error_count", hr);
    BG_JOB_PROXY_USAGE usage;
    LPWSTR list = NULL, bypass = NULL;
    if (skip(rd, job, M_PROXY, "proxy"))
        ;
    else if (SUCCEEDED(hr = IBackgroundCopyJob_GetProxySettings(bj, &usage, &list, &bypass))) {
        job->proxy_usage = (int64_t)usage;
        job->proxy_list = list != NULL && list[0] ? take_string(list) : (CoTaskMemFree(list), NULL);
        job->proxy_bypass = bypass != NULL && bypass[0] ? take_string(bypass) : (CoTaskMemFree(bypass), NULL);
    } else {
        note(rd, job, M_PROXY, "proxy", hr);
    }
    if (job->state == BG_JOB_STATE_ERROR || job->state == BG_JOB_STATE_TRANSIENT_ERROR)
        read_error(job, bj);
    return read_files(job, bj);
}

static const char *service_state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_START_PENDING: return "start_pending";
    case SERVICE_STOP_PENDING: return "stop_pending";
    case SERVICE_RUNNING: return "running";
    case SERVICE_CONTINUE_PENDING: return "continue_pending";
    case SERVICE_PAUSE_PENDING: return "pause_pending";
    case SERVICE_PAUSED: return "paused";
    default: return NULL;
    }
}

static const char *start_type_name(DWORD t)
{
    switch (t) {
    case SERVICE_BOOT_START: return "boot";
    case SERVICE_SYSTEM_START: return "system";
    case SERVICE_AUTO_START: return "auto";
    case SERVICE_DEMAND_START: return "manual";
    case SERVICE_DISABLED: return "disabled";
    default: return NULL;
    }
}

/* Fills c->service; the service manager's answer decides whether COM is tried. */
static void read_service(ohc_bits_collection *c)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (scm == NULL)
        return;
    SC_HANDLE svc = OpenServiceW(scm, L"BITS", SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
    if (svc == NULL) {
        if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
            c->service.known = 1;
            c->service.state = "not_installed";
        }
        CloseServiceHandle(scm);
        return;
    }
    SERVICE_STATUS_PROCESS st;
    DWORD needed = 0;
    if (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&st, sizeof st, &needed)) {
        c->service.known = 1;
        c->service.state = service_state_name(st.dwCurrentState);
    }
    union {
        QUERY_SERVICE_CONFIGW cfg;
        BYTE raw[8192];
    } buf;
    if (QueryServiceConfigW(svc, &buf.cfg, sizeof buf, &needed)) {
        c->service.known = 1;
        c->service.start_type = start_type_name(buf.cfg.dwStartType);
    }
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
}

static void read_limits(ohc_bits_collection *c)
{
    ohc_bits_policy_value user = {0, 0, 0}, machine = {0, 0, 0};
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Windows\\BITS", 0,
                      KEY_READ | KEY_WOW64_64KEY, &key) == ERROR_SUCCESS) {
        struct {
            const wchar_t *name;
            ohc_bits_policy_value *v;
        } values[] = {{L"MaxJobsPerUser", &user}, {L"MaxJobsPerMachine", &machine}};
        for (size_t i = 0; i < 2; i++) {
            DWORD type = 0, data = 0, size = sizeof data;
            LONG r = RegQueryValueExW(key, values[i].name, NULL, &type, (BYTE *)&data, &size);
            if (r == ERROR_SUCCESS || r == ERROR_MORE_DATA) {
                values[i].v->present = 1;
                values[i].v->is_dword = r == ERROR_SUCCESS && type == REG_DWORD && size == sizeof data;
                values[i].v->value = data;
            }
        }
        RegCloseKey(key);
    }
    ohc_bits_limits_resolve(&c->limits, &user, &machine);
}

/* The caller's SID and DOMAIN\user, for jobs whose GetOwner failed but that
 * the caller's own-jobs enumeration lists. */
static int caller_identity(char *sid_out, size_t sid_size, char *account_out, size_t account_size)
{
    return ohc_win32_process_user(sid_out, sid_size, account_out, account_size);
}

/* GetOwner failed for some jobs (Wine): the jobs the caller's own enumeration
 * lists are the caller's. Said so in owner_source; jobs of others stay null. */
/* Returns 1 when the collection was cancelled meanwhile (the owners found so far are kept). */
static int attribute_own_jobs(ohc_bits_collection *c, IBackgroundCopyManager *mgr, uint64_t stop_at,
                              const ohc_probe_context *ctx)
{
    size_t unknown = 0;
    for (size_t i = 0; i < c->job_count; i++)
        if (c->jobs[i].owner_sid == NULL && c->jobs[i].id[0])
            unknown++;
    char sid[192], account[512];
    if (unknown == 0 || !caller_identity(sid, sizeof sid, account, sizeof account))
        return 0;
    IEnumBackgroundCopyJobs *en = NULL;
    if (FAILED(IBackgroundCopyManager_EnumJobs(mgr, 0, &en)) || en == NULL)
        return 0;
    uint32_t seen = 0;
    int more = 1, cancelled = 0;
    while (more && seen <= c->max_jobs) {
        if (ohc_os_monotonic_ms() >= stop_at) {
            c->time_budget_hit = 1;
            break;
        }
        if (ohc_probe_cancelled(ctx)) {
            cancelled = 1;
            break;
        }
        IBackgroundCopyJob *batch[JOB_BATCH];
        ULONG fetched = 0;
        HRESULT hr = IEnumBackgroundCopyJobs_Next(en, JOB_BATCH, batch, &fetched);
        if (FAILED(hr) || fetched > JOB_BATCH)
            break;
        more = hr == S_OK && fetched == JOB_BATCH;
        for (ULONG b = 0; b < fetched; b++, seen++) {
            GUID id;
            wchar_t w[40];
            char text[39] = "";
            if (batch[b] == NULL)
                continue;
            if (SUCCEEDED(IBackgroundCopyJob_GetId(batch[b], &id)) && StringFromGUID2(&id, w, 40) > 0)
                ohc_utf8_copy_w(text, sizeof text, w, -1);
            IBackgroundCopyJob_Release(batch[b]);
            for (size_t i = 0; text[0] && i < c->job_count; i++) {
                ohc_bits_job *j = &c->jobs[i];
                if (j->owner_sid == NULL && strcmp(j->id, text) == 0) {
                    j->owner_sid = _strdup(sid);
                    j->owner = account[0] ? _strdup(account) : NULL;
                    j->owner_source = "own_jobs_enumeration";
                }
            }
        }
    }
    IEnumBackgroundCopyJobs_Release(en);
    return cancelled;
}

static void collect(ohc_bits_collection *c, ohc_probe_output *out, const ohc_probe_context *ctx)
{
    read_limits(c);
    read_service(c);
    int disabled = c->service.start_type != NULL && strcmp(c->service.start_type, "disabled") == 0;
    int absent = c->service.state != NULL && strcmp(c->service.state, "not_installed") == 0;
    if (c->service.known && (disabled || absent)) {
        snprintf(c->reason, sizeof c->reason, "the BITS service is %s (start type %s): no client can reach it",
                 c->service.state ? c->service.state : "unknown",
                 c->service.start_type ? c->service.start_type : "unknown");
        out->status = OHC_PROBE_UNAVAILABLE;
        ohc_error_set(&out->error, OHC_EUNAVAILABLE, 0, "%s", c->reason);
        return;
    }
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        out->status = OHC_PROBE_FAILED;
        ohc_win32_error(&out->error, OHC_EOS, (DWORD)hr, "CoInitializeEx");
        return;
    }
    IBackgroundCopyManager *mgr = NULL;
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&mgr);
    if (FAILED(hr) || mgr == NULL) {
        out->status = OHC_PROBE_UNAVAILABLE;
        ohc_win32_error(&out->error, OHC_EUNAVAILABLE, (DWORD)hr, "connecting to the BITS service");
        snprintf(c->reason, sizeof c->reason, "%s", out->error.message);
        CoUninitialize();
        return;
    }
    if (c->service.state != NULL && strcmp(c->service.state, "running") != 0) {
        read_service(c); /* a demand start: say what the connection did */
        c->service.started_by_activation = c->service.state != NULL && strcmp(c->service.state, "running") == 0;
    }
    /* Reading other users' jobs needs impersonation rights on the proxy; Wine may not support blankets. */
    CoSetProxyBlanket((IUnknown *)mgr, RPC_C_AUTHN_DEFAULT, RPC_C_AUTHZ_DEFAULT, COLE_DEFAULT_PRINCIPAL,
                      RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_DEFAULT);

    IEnumBackgroundCopyJobs *en = NULL;
    hr = IBackgroundCopyManager_EnumJobs(mgr, BG_JOB_ENUM_ALL_USERS, &en);
    c->scope = "all_users";
    if (hr == E_ACCESSDENIED) {
        c->scope = "own_jobs";
        snprintf(c->reason, sizeof c->reason,
                 "listing all users' jobs was refused (E_ACCESSDENIED: it needs an administrator); "
                 "only the jobs of the account that ran ohc are listed");
        hr = IBackgroundCopyManager_EnumJobs(mgr, 0, &en);
    }
    if (FAILED(hr) || en == NULL) {
        c->scope = NULL;
        out->status = OHC_PROBE_FAILED;
        ohc_win32_error(&out->error, ohc_err_from_win32((DWORD)hr), (DWORD)hr, "IBackgroundCopyManager::EnumJobs");
        IBackgroundCopyManager_Release(mgr);
        CoUninitialize();
        return;
    }
    uint64_t stop_at = ctx->deadline_ms > BUDGET_MARGIN_MS ? ctx->deadline_ms - BUDGET_MARGIN_MS : 0;
    reader *rd = calloc(1, sizeof *rd);
    int rc = rd != NULL ? OHC_OK : OHC_ENOMEM;
    int more = 1, cancelled = 0;
    while (rc == OHC_OK && more) {
        IBackgroundCopyJob *batch[JOB_BATCH];
        ULONG fetched = 0;
        hr = IEnumBackgroundCopyJobs_Next(en, JOB_BATCH, batch, &fetched);
        if (FAILED(hr) || fetched > JOB_BATCH)
            break;
        more = hr == S_OK && fetched == JOB_BATCH;
        for (ULONG b = 0; b < fetched; b++) {
            if (batch[b] == NULL)
                continue;
            /* Past a bound, the rest of the batch is only released. */
            if (rc == OHC_OK && !c->capped && !c->time_budget_hit && !cancelled) {
                if (c->job_count >= c->max_jobs) {
                    c->capped = 1;
                } else if (ohc_os_monotonic_ms() >= stop_at) {
                    c->time_budget_hit = 1;
                } else if (ohc_probe_cancelled(ctx)) {
                    cancelled = 1;
                } else {
                    ohc_bits_job *job = ohc_bits_collection_add_job(c);
                    rc = job != NULL ? read_job(job, batch[b], rd) : OHC_ENOMEM;
                }
            }
            IBackgroundCopyJob_Release(batch[b]);
        }
        if (c->capped || c->time_budget_hit || cancelled)
            more = 0;
    }
    IEnumBackgroundCopyJobs_Release(en);
    free(rd);
    if (rc == OHC_OK && !c->time_budget_hit && !cancelled && strcmp(c->scope, "all_users") == 0)
        cancelled = attribute_own_jobs(c, mgr, stop_at, ctx);
    IBackgroundCopyManager_Release(mgr);
    CoUninitialize();

    if (rc != OHC_OK) {
        out->status = OHC_PROBE_FAILED;
        ohc_error_set(&out->error, rc, 0, "out of memory after %zu BITS jobs", c->job_count);
    } else if (cancelled) {
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error, OHC_ECANCELLED, 0, "the collection was cancelled after %zu BITS jobs", c->job_count);
        if (!c->reason[0])
            snprintf(c->reason, sizeof c->reason, "%s", out->error.message);
    } else if (c->time_budget_hit || c->capped || strcmp(c->scope, "own_jobs") == 0) {
        char why[256];
        if (c->time_budget_hit)
            snprintf(why, sizeof why, "the time budget ran out after %zu jobs", c->job_count);
        else if (c->capped)
            snprintf(why, sizeof why, "more than %u jobs: only the first %u are listed", (unsigned)c->max_jobs,
                     (unsigned)c->max_jobs);
        else
            snprintf(why, sizeof why, "%s", c->reason);
        if (!c->reason[0])
            snprintf(c->reason, sizeof c->reason, "%s", why);
        out->status = OHC_PROBE_PARTIAL;
        ohc_error_set(&out->error,
                      c->time_budget_hit ? OHC_ETIMEOUT
                      : c->capped        ? OHC_ELIMIT
                                         : OHC_EACCESS,
                      c->capped || c->time_budget_hit ? 0 : (uint32_t)E_ACCESSDENIED, "%s", why);
    }
}

void ohc_win32_probe_bits(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, OHC_BITS_DEFAULT_MAX_JOBS);
    collect(&c, out, ctx);
    ohc_probe_take_facts(out, ohc_bits_collection_to_json(&c));
    ohc_bits_collection_clear(&c);
}
