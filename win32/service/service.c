/* The ohc Windows service: the SCM entry point, the schedule and the
 * collections it runs.
 *
 * One control thread (ServiceMain) waits on kernel objects only: the stop
 * event, the collect-now event (set by control code OHC_SERVICE_CONTROL_COLLECT),
 * the collection thread's handle and, where the event log API works, the
 * signal of an EvtSubscribe subscription to Outlook Event 27. Between those it
 * sleeps in WaitForMultipleObjects with the time to the next due collection or
 * spool retry: no polling, no CPU while idle. A collection runs on its own
 * thread so that a stop is answered within OHC_SERVICE_STOP_MS, mid-collection
 * included: the stop cancels the collection (probes with long loops, BITS,
 * end at their next step; a cancelled collection writes and uploads nothing)
 * and waits OHC_SERVICE_STOP_MS/2 for it. A collection or spool retry still
 * running then is abandoned: the service reports STOPPED and ends its process
 * at once (TerminateProcess), so that the abandoned thread can neither write
 * nor upload afterwards nor hold the process in its exit. Files are written
 * atomically (temp file, rename); a temp file of a killed write is removed at
 * the next start. */
#include "service.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <winevt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "deliver.h"
#include "event_queries.h"
#include "event_state.h"
#include "eventlog_out.h"
#include "ohc_messages.h"
#include "ohc_version.h"
#include "os.h"
#include "report.h"
#include "schedule.h"
#include "settings.h"
#include "settings_win32.h"
#include "svclog.h"
#include "wevtapi_loader.h"
#include "win32util.h"

/* ---- the running service ---- */

static struct svc {
    SERVICE_STATUS_HANDLE status_handle; /* NULL in console mode */
    SERVICE_STATUS status;
    HANDLE stop_event; /* manual reset */
    HANDLE collect_event; /* auto reset */
    HANDLE collected_event; /* OHC_SERVICE_COLLECTED_EVENT: set after each report written */
    wchar_t state_dir[MAX_PATH];
    char state_dir_utf8[MAX_PATH * 3];
    /* the collection thread's job */
    int cancel; /* set (atomically) by a stop: the running collection ends early */
    int job_is_retry;
    const char *job_reason;
    int job_pending; /* out: reports still waiting in the spool */
    uint64_t job_retry_after_ms;
    /* event subscription (wevtapi, loaded at run time) */
    ohc_wevtapi wevtapi;
    EVT_HANDLE subscription;
    HANDLE evt_signal;
    /* registry change notifications on the configuration keys */
    HKEY config_keys[2];
    HANDLE config_event;
    const ohc_platform *platform; /* probes, settings store, proxy resolver: main's; borrowed */
} svc;

static void set_status(DWORD state, DWORD exit_code, DWORD wait_hint)
{
    static DWORD checkpoint = 1;
    svc.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    svc.status.dwCurrentState = state;
    svc.status.dwWin32ExitCode = exit_code;
    svc.status.dwWaitHint = wait_hint;
    svc.status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    svc.status.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : checkpoint++;
    if (svc.status_handle)
        SetServiceStatus(svc.status_handle, &svc.status);
}

static DWORD WINAPI control_handler(DWORD control, DWORD event_type, void *event_data, void *ctx)
{
    (void)event_type;
    (void)event_data;
    (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        set_status(SERVICE_STOP_PENDING, NO_ERROR, OHC_SERVICE_STOP_MS);
        SetEvent(svc.stop_event);
        return NO_ERROR;
    case OHC_SERVICE_CONTROL_COLLECT: SetEvent(svc.collect_event); return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE: return NO_ERROR;
    default: return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static BOOL WINAPI console_handler(DWORD type)
{
    (void)type;
    SetEvent(svc.stop_event);
    return TRUE;
}

static uint32_t random_u32(void)
{
    uint32_t r = 0;
    if (ohc_os_random_bytes(&r, sizeof r, NULL) != OHC_OK)
        r = (uint32_t)GetTickCount64() * 2654435761u;
    return r;
}

static void config_log(void *ctx, const char *msg)
{
    (void)ctx;
    ohc_svclog_event(OHC_LOG_WARNING, OHC_MSG_CONFIG_IGNORED, msg);
}

/* Loads the effective configuration; `log_problems` reports bad values (once
 * per collection, so a wrong GPO value shows up in the log and event log). */
static int load_config(ohc_config *cfg, int log_problems)
{
    if (ohc_config_init(cfg) != OHC_OK) {
        ohc_svclog(OHC_LOG_ERROR, "out of memory reading the configuration");
        return -1;
    }
    ohc_config_load(cfg, &svc.platform->settings, log_problems ? config_log : NULL, NULL);
    ohc_svclog_set_level(ohc_log_level_from_name(ohc_config_str(cfg, OHC_SET_LOG_LEVEL)));
    return 0;
}

static int count_findings(const cJSON *report)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "findings"));
}

static void pipeline_log(void *ctx, ohc_log_level level, const char *msg)
{
    (void)ctx;
    ohc_svclog(level, "%s", msg);
}

/* Attempts per report and run: the service retries between collections, so a
 * run stays short (and a stop never waits for a long backoff). */
#define SERVICE_UPLOAD_ATTEMPTS 2u

/* The spool %ProgramData%\OutlookHealthCollector\spool, bounded by SpoolMaxMB. */
static int open_spool(ohc_spool *sp, const ohc_config *cfg, const struct svc *s)
{
    char dir[OHC_SPOOL_PATH_MAX];
    ohc_error err;
    ohc_error_clear(&err);
    ohc_spool_limits limits = {0, (uint64_t)ohc_config_num(cfg, OHC_SET_SPOOL_MAX_MB) << 20, 0};
    if (snprintf(dir, sizeof dir, "%s\\spool", s->state_dir_utf8) >= (int)sizeof dir)
        ohc_error_set(&err, OHC_ELIMIT, 0, "spool path too long");
    else if (ohc_spool_open(sp, dir, &limits, &err) == OHC_OK)
        return 0;
    ohc_svclog(OHC_LOG_ERROR, "cannot open the spool: %s", err.message);
    return -1;
}

/* Sends the spool to UploadUrl (collector/pipeline/deliver.h: each attempt in
 * spool\upload.log); the schedule learns what waits and the server's Retry-After. */
static void deliver(const ohc_config *cfg, ohc_spool *sp, struct svc *s)
{
    const char *token = ohc_config_str(cfg, OHC_SET_UPLOAD_TOKEN);
    ohc_deliver_options d;
    memset(&d, 0, sizeof d);
    d.upload.url = ohc_config_str(cfg, OHC_SET_UPLOAD_URL);
    d.upload.token = token[0] ? token : NULL;
    if (ohc_upload_format_parse(&d.upload.format, ohc_config_str(cfg, OHC_SET_UPLOAD_FORMAT)) != OHC_OK)
        d.upload.format = OHC_UPLOAD_FORMAT_REPORT; /* cannot happen: the table checked the choice */
    const char *headers = ohc_config_str(cfg, OHC_SET_UPLOAD_HEADERS);
    d.upload.headers = headers[0] ? headers : NULL;
    d.upload.hec_index = ohc_config_str(cfg, OHC_SET_HEC_INDEX);
    d.upload.batch_max_bytes = ohc_config_num(cfg, OHC_SET_UPLOAD_BATCH_KB) * 1024u;
    d.upload.allow_http = ohc_config_num(cfg, OHC_SET_ALLOW_INSECURE_HTTP) != 0;
    d.upload.max_attempts = SERVICE_UPLOAD_ATTEMPTS;
    d.upload.resolve_proxy = s->platform->resolve_proxy;
    d.log = pipeline_log;
    ohc_delivery out;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_spool_deliver(&out, sp, &d, &err) != OHC_OK) {
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_UPLOAD_FAILED, err.message);
        s->job_pending = 1;
        s->job_retry_after_ms = 0;
        return;
    }
    s->job_pending = out.pending > 0;
    s->job_retry_after_ms = out.stats.retry_after_ms;
}

/* The findings into the Application log (EventLogFindings), with the state of
 * the last collection's findings beside the other state. */
static void findings_to_eventlog(const ohc_config *cfg, const cJSON *report, const struct svc *s)
{
    if (!ohc_config_num(cfg, OHC_SET_EVENTLOG_FINDINGS) || s->platform->write_eventlog == NULL)
        return;
    char path[sizeof s->state_dir_utf8 + 32];
    snprintf(path, sizeof path, "%s\\eventlog-state.json", s->state_dir_utf8);
    ohc_eventlog_options o = {.state_path = path, .write = s->platform->write_eventlog, .log = pipeline_log};
    ohc_eventlog_result res;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_report_to_eventlog(&res, report, &o, &err) == OHC_OK) /* a failure was said through pipeline_log */
        ohc_svclog(OHC_LOG_INFO, "event log: %zu event(s) written (%zu finding(s), %zu resolved)", res.written,
                   res.findings, res.resolved);
}

static void collect_once(struct svc *s)
{
    ohc_config cfg;
    if (load_config(&cfg, 1) != 0) {
        ohc_config_free(&cfg);
        return;
    }
    uint64_t t0 = ohc_os_monotonic_ms();
    ohc_svclog(OHC_LOG_INFO, "collection started (%s)", s->job_reason);
    char state_path[sizeof s->state_dir_utf8 + 32];
    snprintf(state_path, sizeof state_path, "%s\\event-state.json", s->state_dir_utf8);
    char budget_path[sizeof s->state_dir_utf8 + 32];
    snprintf(budget_path, sizeof budget_path, "%s\\oab-check-budget.json", s->state_dir_utf8);
    ohc_collect_options options = {.event_days = ohc_config_num(&cfg, OHC_SET_EVENT_DAYS),
                                   .event_state_path = state_path,
                                   .cancel = &s->cancel,
                                   /* The OAB check asks only the administrator's hosts (oab_check.h). */
                                   .as_service = 1,
                                   .oab_allow_hosts = ohc_config_str(&cfg, OHC_SET_OAB_PROBE_HOSTS),
                                   .oab_service_probing = (int)ohc_config_num(&cfg, OHC_SET_OAB_PROBE_SERVICE),
                                   .oab_budget_path = budget_path,
                                   .oab_daily_limit = (unsigned)ohc_config_num(&cfg, OHC_SET_OAB_PROBE_DAILY_LIMIT),
                                   .resolve_proxy = s->platform->resolve_proxy};
    ohc_error err;
    ohc_error_clear(&err);
    /* EventQueries was checked when the configuration was read: this parse
     * fails only without memory, and the built-in queries run anyway. */
    ohc_event_queries *extra = calloc(1, sizeof *extra);
    if (extra != NULL && ohc_event_queries_parse(extra, ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), &err) == OHC_OK) {
        options.event_queries = extra->q;
        options.event_query_count = extra->count;
    }
    const char *rules_dir = ohc_config_str(&cfg, OHC_SET_RULES_DIR);
    cJSON *report = ohc_collect_report(s->platform->probes, s->platform->probe_count, &options,
                                       rules_dir[0] ? rules_dir : NULL, &err);
    if (extra != NULL)
        ohc_event_queries_free(extra);
    free(extra);
    if (__atomic_load_n(&s->cancel, __ATOMIC_ACQUIRE)) {
        /* Cut short by a stop: a report missing what the probes had not read yet would mislead. */
        ohc_svclog(OHC_LOG_INFO, "collection cancelled after %lu ms (the service is stopping): no report written",
                   (unsigned long)(ohc_os_monotonic_ms() - t0));
        cJSON_Delete(report);
        ohc_config_free(&cfg);
        return;
    }
    if (report == NULL) {
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_COLLECTION_FAILED, err.message);
        ohc_config_free(&cfg);
        return;
    }
    /* last-report.json first, then the spool (when UploadUrl is set), then
     * the event state: the same finishing steps as `ohc collect --upload`. */
    char path[sizeof s->state_dir_utf8 + 32];
    snprintf(path, sizeof path, "%s\\last-report.json", s->state_dir_utf8);
    int uploads = ohc_config_str(&cfg, OHC_SET_UPLOAD_URL)[0] != '\0';
    ohc_spool spool;
    int spooled = uploads && open_spool(&spool, &cfg, s) == 0;
    ohc_finish_options fo = {
        .json_path = path, .spool = spooled ? &spool : NULL, .event_state_path = state_path, .log = pipeline_log};
    ohc_finished finished;
    ohc_error_clear(&err);
    int frc = ohc_report_finish(&finished, report, &fo, &err);
    if (finished.json == NULL) {
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_COLLECTION_FAILED, err.message);
    } else {
        /* before "collected" is signalled, so that collect-now --wait sees the events' state too */
        findings_to_eventlog(&cfg, report, s);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(report, "report_id");
        char msg[320];
        snprintf(msg, sizeof msg, "report %s, %d finding(s), %lu ms, %s%s", cJSON_IsString(id) ? id->valuestring : "?",
                 count_findings(report), (unsigned long)(ohc_os_monotonic_ms() - t0), path,
                 frc == OHC_OK ? "" : " (not everywhere: see above)");
        ohc_svclog_event(OHC_LOG_INFO, OHC_MSG_COLLECTED, msg);
        if (s->collected_event != NULL)
            SetEvent(s->collected_event);
    }
    s->job_pending = 0;
    if (!uploads)
        ohc_svclog(OHC_LOG_INFO, "UploadUrl is not set: the report stays on this PC");
    else if (!finished.spooled)
        s->job_pending = 1; /* the spool could not take it: retried when the spool can be opened */
    else
        deliver(&cfg, &spool, s);
    ohc_finished_free(&finished);
    cJSON_Delete(report);
    ohc_config_free(&cfg);
}

static DWORD WINAPI job_thread(void *arg)
{
    struct svc *s = arg;
    if (s->job_is_retry) {
        ohc_config cfg;
        ohc_spool spool;
        if (load_config(&cfg, 0) == 0) {
            s->job_pending = 0;
            if (ohc_config_str(&cfg, OHC_SET_UPLOAD_URL)[0] == '\0')
                s->job_pending = 0; /* nothing to send to */
            else if (open_spool(&spool, &cfg, s) != 0)
                s->job_pending = 1;
            else
                deliver(&cfg, &spool, s);
        }
        ohc_config_free(&cfg);
    } else {
        collect_once(s);
    }
    return 0;
}

/* ---- Outlook Event 27 subscription (real Windows; Wine's wevtapi is a stub) ---- */

#define OUTLOOK_27_QUERY L"*[System[Provider[@Name='Outlook'] and EventID=27 and (Level=1 or Level=2 or Level=3)]]"

static void subscribe_events(struct svc *s)
{
    ohc_error lerr;
    ohc_error_clear(&lerr);
    if (ohc_wevtapi_load(&s->wevtapi, &lerr) != OHC_OK || s->wevtapi.subscribe == NULL) {
        ohc_svclog(OHC_LOG_WARNING, "Outlook event subscription unavailable (%s); the schedule alone applies",
                   lerr.code != OHC_OK ? lerr.message : "no EvtSubscribe");
        ohc_wevtapi_unload(&s->wevtapi);
        return;
    }
    s->evt_signal = CreateEventW(NULL, FALSE, FALSE, NULL);
    s->subscription = s->evt_signal ? s->wevtapi.subscribe(NULL, s->evt_signal, L"Application", OUTLOOK_27_QUERY, NULL,
                                                           NULL, NULL, EvtSubscribeToFutureEvents)
                                    : NULL;
    if (s->subscription == NULL) {
        DWORD e = GetLastError();
        ohc_error err;
        if (e == 0)
            ohc_error_set(&err, OHC_EUNAVAILABLE, 0, "EvtSubscribe returned no subscription and no error code");
        else
            ohc_win32_error(&err, OHC_EUNAVAILABLE, e, "EvtSubscribe");
        ohc_svclog(OHC_LOG_WARNING, "Outlook event subscription unavailable (%s); the schedule alone applies",
                   err.message);
        if (s->evt_signal)
            CloseHandle(s->evt_signal);
        s->evt_signal = NULL;
        return;
    }
    ohc_svclog(OHC_LOG_INFO, "subscribed to Outlook Event 27 failures in the Application log");
}

/* Takes the new events off the subscription (they only say "something
 * happened": the collection reads the log itself). */
static int drain_events(struct svc *s)
{
    ohc_evt_next_fn next = s->wevtapi.next;
    ohc_evt_close_fn close = s->wevtapi.close;
    int total = 0;
    if (next == NULL || close == NULL || s->subscription == NULL)
        return 0;
    for (int round = 0; round < 64; round++) { /* bounded: a flood cannot hold the thread */
        EVT_HANDLE batch[16];
        DWORD got = 0;
        if (!next(s->subscription, 16, batch, 0, 0, &got) || got == 0)
            break;
        for (DWORD i = 0; i < got; i++)
            close(batch[i]);
        total += (int)got;
    }
    return total;
}

static void unsubscribe_events(struct svc *s)
{
    if (s->subscription && s->wevtapi.close)
        s->wevtapi.close(s->subscription);
    if (s->evt_signal)
        CloseHandle(s->evt_signal);
    ohc_wevtapi_unload(&s->wevtapi);
    s->subscription = NULL;
    s->evt_signal = NULL;
}

/* ---- configuration changes (a GPO refresh, `ohc config set`) ---- */

static void arm_config_watch(struct svc *s)
{
    for (int i = 0; i < 2; i++)
        if (s->config_keys[i] &&
            RegNotifyChangeKeyValue(s->config_keys[i], TRUE, REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET,
                                    s->config_event, TRUE) != ERROR_SUCCESS) {
            RegCloseKey(s->config_keys[i]);
            s->config_keys[i] = NULL;
        }
}

static void watch_config(struct svc *s)
{
    /* SOFTWARE\Policies with its subtree: the ohc policy key may appear later. */
    static const wchar_t *const paths[2] = {L"SOFTWARE\\Policies", L"SOFTWARE\\OutlookHealthCollector"};
    s->config_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (s->config_event == NULL)
        return;
    for (int i = 0; i < 2; i++)
        if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, paths[i], 0, NULL, 0, KEY_NOTIFY | KEY_WOW64_64KEY, NULL,
                            &s->config_keys[i], NULL) != ERROR_SUCCESS)
            s->config_keys[i] = NULL;
    arm_config_watch(s);
    if (!s->config_keys[0] && !s->config_keys[1]) {
        ohc_svclog(OHC_LOG_WARNING, "configuration changes are not watched; they apply at the next collection");
        CloseHandle(s->config_event);
        s->config_event = NULL;
    }
}

static void unwatch_config(struct svc *s)
{
    for (int i = 0; i < 2; i++)
        if (s->config_keys[i])
            RegCloseKey(s->config_keys[i]);
    if (s->config_event)
        CloseHandle(s->config_event);
    s->config_keys[0] = s->config_keys[1] = NULL;
    s->config_event = NULL;
}

/* ---- the control loop ---- */

static void format_delay(char *buf, size_t size, uint64_t ms)
{
    snprintf(buf, size, "%lu s", (unsigned long)((ms + 500) / 1000));
}

/* Returns 1 when a collection or spool retry was abandoned at the stop (still running). */
static int run_loop(struct svc *s)
{
    ohc_config cfg;
    if (load_config(&cfg, 1) != 0) {
        ohc_config_free(&cfg);
        return 0;
    }
    ohc_schedule sched;
    int abandoned = 0;
    uint64_t now = ohc_os_monotonic_ms();
    ohc_schedule_start(&sched, now, ohc_config_num(&cfg, OHC_SET_STARTUP_DELAY_MINUTES), random_u32());
    char d[32];
    format_delay(d, sizeof d, sched.next_collect_ms - now);
    ohc_svclog(OHC_LOG_INFO, "first collection in %s; then every %lu minutes (+-%u%%)", d,
               (unsigned long)ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), OHC_SCHEDULE_JITTER_PERCENT);
    ohc_config_free(&cfg);
    subscribe_events(s);
    watch_config(s);

    HANDLE job = NULL;
    for (;;) {
        HANDLE handles[5];
        DWORD n = 0;
        handles[n++] = s->stop_event;
        handles[n++] = s->collect_event;
        DWORD job_index = job ? n : MAXDWORD;
        if (job)
            handles[n++] = job;
        DWORD evt_index = s->evt_signal ? n : MAXDWORD;
        if (s->evt_signal)
            handles[n++] = s->evt_signal;
        DWORD config_index = s->config_event ? n : MAXDWORD;
        if (s->config_event)
            handles[n++] = s->config_event;
        now = ohc_os_monotonic_ms();
        DWORD timeout = job ? INFINITE : ohc_schedule_wait_ms(&sched, now, OHC_SCHEDULE_MAX_WAIT_MS);
        DWORD r = WaitForMultipleObjects(n, handles, FALSE, timeout);
        now = ohc_os_monotonic_ms();
        if (r == WAIT_OBJECT_0) {
            break;
        } else if (r == WAIT_OBJECT_0 + 1) {
            if (job) {
                ohc_svclog(OHC_LOG_INFO, "collection requested while one runs: ignored");
                continue;
            }
            s->job_is_retry = 0;
            s->job_reason = "requested by 'ohc service collect-now'";
        } else if (r == WAIT_OBJECT_0 + job_index) {
            CloseHandle(job);
            job = NULL;
            int was_retry = s->job_is_retry;
            if (load_config(&cfg, 0) == 0) {
                if (!was_retry)
                    ohc_schedule_collected(&sched, now, ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), random_u32());
                ohc_schedule_spool(&sched, now, s->job_pending, s->job_retry_after_ms, random_u32());
            } else {
                ohc_schedule_collected(&sched, now, 240, random_u32());
            }
            ohc_config_free(&cfg);
            format_delay(d, sizeof d, sched.next_collect_ms - now);
            ohc_svclog(OHC_LOG_INFO, "next collection in %s%s", d,
                       s->job_pending ? "; reports wait in the spool for a retry" : "");
            continue;
        } else if (r == WAIT_OBJECT_0 + evt_index) {
            int seen = drain_events(s);
            if (ohc_schedule_event(&sched, now)) {
                format_delay(d, sizeof d, sched.next_collect_ms - now);
                ohc_svclog(OHC_LOG_INFO, "%d new Outlook Event 27 failure(s): collecting in %s", seen, d);
            }
            continue;
        } else if (r == WAIT_OBJECT_0 + config_index) {
            arm_config_watch(s);
            if (load_config(&cfg, 0) == 0 &&
                ohc_schedule_reconfigure(&sched, now, ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), random_u32())) {
                format_delay(d, sizeof d, sched.next_collect_ms > now ? sched.next_collect_ms - now : 0);
                ohc_svclog(OHC_LOG_INFO, "configuration changed: every %lu minutes now; next collection in %s",
                           (unsigned long)ohc_config_num(&cfg, OHC_SET_INTERVAL_MINUTES), d);
            }
            ohc_config_free(&cfg);
            continue;
        } else if (r == WAIT_TIMEOUT) {
            if (now >= sched.next_collect_ms) {
                s->job_is_retry = 0;
                s->job_reason = "scheduled";
            } else if (now >= sched.next_retry_ms) {
                s->job_is_retry = 1;
                s->job_reason = "spool retry";
                sched.next_retry_ms = OHC_SCHEDULE_NEVER;
            } else {
                continue;
            }
        } else {
            DWORD e = GetLastError();
            ohc_svclog(OHC_LOG_ERROR, "wait failed (error %lu); stopping", (unsigned long)e);
            break;
        }
        job = CreateThread(NULL, 0, job_thread, s, 0, NULL);
        if (job == NULL) {
            ohc_svclog(OHC_LOG_ERROR, "cannot start the collection thread (error %lu)", (unsigned long)GetLastError());
            ohc_schedule_collected(&sched, now, 15, random_u32());
        }
    }
    if (job) {
        /* Stop mid-collection: cancel it, give it a moment, then leave it (the caller ends the process). */
        const char *what = s->job_is_retry ? "a spool retry" : "a collection";
        uint64_t t0 = ohc_os_monotonic_ms();
        __atomic_store_n(&s->cancel, 1, __ATOMIC_RELEASE);
        if (WaitForSingleObject(job, OHC_SERVICE_STOP_MS / 2) == WAIT_TIMEOUT) {
            abandoned = 1;
            ohc_svclog(OHC_LOG_WARNING, "stop during %s: it is abandoned (still running after %u ms)", what,
                       OHC_SERVICE_STOP_MS / 2);
        } else {
            ohc_svclog(OHC_LOG_INFO, "stop during %s: %s %lu ms after the stop", what,
                       s->job_is_retry ? "it ended" : "the collection was cancelled and ended",
                       (unsigned long)(ohc_os_monotonic_ms() - t0));
        }
        CloseHandle(job);
    }
    unsubscribe_events(s);
    unwatch_config(s);
    return abandoned;
}

/* last-report.json.tmp.<pid> and eventlog-state.json.tmp.<pid> of a process
 * that was ended mid-write (the spool removes its own stale temp files). */
static void remove_stale_temp_files(const wchar_t *dir)
{
    static const wchar_t *const patterns[] = {L"last-report.json.tmp.*", L"eventlog-state.json.tmp.*"};
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        wchar_t pattern[MAX_PATH], path[MAX_PATH];
        _snwprintf(pattern, MAX_PATH, L"%ls\\%ls", dir, patterns[i]);
        pattern[MAX_PATH - 1] = 0;
        WIN32_FIND_DATAW fd;
        HANDLE f = FindFirstFileW(pattern, &fd);
        if (f == INVALID_HANDLE_VALUE)
            continue;
        do {
            _snwprintf(path, MAX_PATH, L"%ls\\%ls", dir, fd.cFileName);
            path[MAX_PATH - 1] = 0;
            if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
                DeleteFileW(path);
        } while (FindNextFileW(f, &fd));
        FindClose(f);
    }
}

static int prepare(struct svc *s, ohc_error *err)
{
    s->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    s->collect_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    s->collected_event = ohc_service_collected_event_create(); /* without it, collect-now --wait times out */
    if (s->stop_event == NULL || s->collect_event == NULL)
        return ohc_win32_error(err, OHC_EOS, GetLastError(), "CreateEvent");
    if (ohc_win32_machine_state_dir(s->state_dir, MAX_PATH) != OHC_OK)
        return ohc_error_set(err, OHC_ENOTFOUND, 0, "cannot find %%ProgramData%%");
    ohc_utf8_copy_w(s->state_dir_utf8, sizeof s->state_dir_utf8, s->state_dir, -1);
    char note[512];
    int rc = ohc_service_secure_dir(s->state_dir, note, sizeof note, err);
    if (rc != OHC_OK)
        return rc;
    remove_stale_temp_files(s->state_dir);
    wchar_t logs[MAX_PATH];
    _snwprintf(logs, MAX_PATH, L"%ls\\logs", s->state_dir);
    logs[MAX_PATH - 1] = 0;
    rc = ohc_svclog_open(logs, OHC_SVCLOG_MAX_BYTES, OHC_SVCLOG_KEEP, err);
    if (rc != OHC_OK)
        return rc;
    if (note[0])
        ohc_svclog_event(OHC_LOG_WARNING, OHC_MSG_WARNING, note);
    /* The MSI's `ohc config set` already did it; a key made or changed by hand since may not have it. */
    ohc_error kerr;
    ohc_error_clear(&kerr);
    if (ohc_win32_secure_config_key(&kerr) != OHC_OK)
        ohc_svclog(OHC_LOG_WARNING, "the configuration key keeps its ACL (UploadToken may be readable): %s",
                   kerr.message);
    return OHC_OK;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    (void)argc;
    (void)argv;
    ohc_win32_set_running_as_service();
    svc.status_handle = RegisterServiceCtrlHandlerExW(OHC_SERVICE_NAME, control_handler, NULL);
    if (svc.status_handle == NULL)
        return;
    set_status(SERVICE_START_PENDING, NO_ERROR, 3000);
    ohc_error err;
    ohc_error_clear(&err);
    ohc_svclog_use_eventlog(1);
    if (prepare(&svc, &err) != OHC_OK) {
        ohc_svclog_event(OHC_LOG_ERROR, OHC_MSG_ERROR, err.message);
        set_status(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, 0);
        return;
    }
    /* An MSI-installed service gets its description, delayed start and
     * recovery here (wixl's ServiceInstall cannot express the last two). */
    ohc_error_clear(&err);
    if (ohc_service_configure_self(&err) != OHC_OK)
        ohc_svclog(OHC_LOG_DEBUG, "service configuration not updated: %s", err.message);
    set_status(SERVICE_RUNNING, NO_ERROR, 0);
    char msg[160];
    snprintf(msg, sizeof msg, "version %s, pid %lu, state in %s", OHC_VERSION, (unsigned long)GetCurrentProcessId(),
             svc.state_dir_utf8);
    ohc_svclog_event(OHC_LOG_INFO, OHC_MSG_SERVICE_STARTED, msg);
    int abandoned = run_loop(&svc);
    ohc_svclog_event(OHC_LOG_INFO, OHC_MSG_SERVICE_STOPPED, "stop requested");
    ohc_svclog_close();
    set_status(SERVICE_STOPPED, NO_ERROR, 0);
    /* The abandoned thread may sit in a COM call or a transfer: the process must
     * not wait for it, nor run DLL detach code against the locks it holds, nor
     * let it write a report or upload after STOPPED. (Under Wine the orderly
     * exit also ended at once, with a thread in a BITS COM call and with one in
     * a curl transfer: measured; Windows gives no such promise for DLL detach
     * after other threads were killed.) The log is closed, STOPPED is reported;
     * nothing else of this process needs an orderly end. */
    if (abandoned)
        TerminateProcess(GetCurrentProcess(), 0);
}

int ohc_service_run_dispatcher(const ohc_platform *platform, ohc_error *err)
{
    svc.platform = platform;
    static SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)OHC_SERVICE_NAME, service_main}, {NULL, NULL}};
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD e = GetLastError();
        if (e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            return ohc_error_set(err, OHC_EINVAL, e,
                                 "'service run' is started by the service control manager; "
                                 "use 'ohc service start', or 'ohc service run --console' to debug");
        return ohc_win32_error(err, OHC_EOS, e, "StartServiceCtrlDispatcher");
    }
    return OHC_OK;
}

int ohc_service_run_console(const ohc_platform *platform, ohc_error *err)
{
    svc.platform = platform;
    int rc = prepare(&svc, err);
    if (rc != OHC_OK)
        return rc;
    ohc_svclog_use_console(1);
    SetConsoleCtrlHandler(console_handler, TRUE);
    ohc_svclog(OHC_LOG_INFO, "running in the console (Ctrl+C stops); state in %s", svc.state_dir_utf8);
    run_loop(&svc);
    ohc_svclog(OHC_LOG_INFO, "stopped");
    ohc_svclog_close();
    return OHC_OK;
}
