/* `ohc service ...`: managing the ohc service through the service control
 * manager (install, uninstall, start, stop, status, collect-now) and running
 * it (run, run --console). */
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "os.h"
#include "service.h"
#include "settings_win32.h"
#include "svclog.h"
#include "win32util.h"

#define EVENTLOG_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" OHC_EVENT_SOURCE

static int scm_error(const char *what)
{
    DWORD e = GetLastError();
    ohc_error err;
    ohc_win32_error(&err, ohc_err_from_win32(e), e, what);
    ohc_cli_error("%s%s", err.message, e == ERROR_ACCESS_DENIED ? " (run from an elevated command prompt)" : "");
    return OHC_EXIT_FAILED;
}

static SC_HANDLE open_scm(DWORD access)
{
    return OpenSCManagerW(NULL, NULL, access);
}

static int register_event_source(const wchar_t *exe)
{
    HKEY k;
    LONG r =
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY, 0, NULL, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &k, NULL);
    if (r != ERROR_SUCCESS)
        return (int)r;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    r = RegSetValueExW(k, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
                       (DWORD)((wcslen(exe) + 1) * sizeof(wchar_t)));
    if (r == ERROR_SUCCESS)
        r = RegSetValueExW(k, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof types);
    RegCloseKey(k);
    return (int)r;
}

/* The service runs this file as LocalSystem at every start: whoever may
 * replace it, or add a DLL beside it, gets LocalSystem. Refused unless only
 * SYSTEM, Administrators and TrustedInstaller may change the file and its
 * folder (Program Files, where the MSI puts it). */
static int check_install_location(const wchar_t *exe, int allow_unsafe)
{
    wchar_t dir[MAX_PATH];
    _snwprintf(dir, MAX_PATH, L"%ls", exe);
    dir[MAX_PATH - 1] = 0;
    wchar_t *slash = wcsrchr(dir, L'\\');
    if (slash != NULL)
        *slash = 0;
    const wchar_t *paths[2] = {exe, dir};
    for (int i = 0; i < 2; i++) {
        char why[256];
        int w = ohc_service_path_user_writable(paths[i], why, sizeof why);
        if (w == 0)
            continue;
        char *p = ohc_utf8_from_w(paths[i]);
        if (allow_unsafe)
            fprintf(stderr, "ohc service install: warning: %s: %s (installed anyway: --allow-unsafe-location)\n",
                    p ? p : "?", why);
        else
            ohc_cli_error("refusing to install: %s %s: %s; a service runs it as LocalSystem, so whoever may change "
                          "it would get LocalSystem. Install the MSI (Program Files), or copy ohc.exe to a folder "
                          "only administrators may change",
                          i == 0 ? "the program" : "its folder", p ? p : "?", why);
        free(p);
        if (!allow_unsafe)
            return OHC_EXIT_FAILED;
    }
    return OHC_EXIT_OK;
}

static int cmd_install(int allow_unsafe)
{
    wchar_t exe[MAX_PATH], cmdline[MAX_PATH + 32];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return scm_error("GetModuleFileName");
    int loc = check_install_location(exe, allow_unsafe);
    if (loc != OHC_EXIT_OK)
        return loc;
    _snwprintf(cmdline, MAX_PATH + 32, L"\"%ls\" service run", exe);
    cmdline[MAX_PATH + 31] = 0;
    SC_HANDLE scm = open_scm(SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT);
    if (scm == NULL)
        return scm_error("OpenSCManager");
    SC_HANDLE h = CreateServiceW(scm, OHC_SERVICE_NAME, OHC_SERVICE_DISPLAY_NAME, SERVICE_ALL_ACCESS,
                                 SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, cmdline, NULL,
                                 NULL, NULL, NULL /* LocalSystem */, NULL);
    if (h == NULL) {
        int rc = GetLastError() == ERROR_SERVICE_EXISTS
                     ? (ohc_cli_error("the service 'ohc' is already installed"), OHC_EXIT_FAILED)
                     : scm_error("CreateService");
        CloseServiceHandle(scm);
        return rc;
    }
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_service_configure_self(&err) != OHC_OK)
        fprintf(stderr, "ohc service install: warning: %s\n", err.message);
    int r = register_event_source(exe);
    if (r != 0)
        fprintf(stderr, "ohc service install: warning: event source not registered (error %d)\n", r);
    wchar_t dir[MAX_PATH];
    char note[512] = "";
    if (ohc_win32_machine_state_dir(dir, MAX_PATH) == OHC_OK &&
        ohc_service_secure_dir(dir, note, sizeof note, &err) != OHC_OK)
        fprintf(stderr, "ohc service install: warning: %s%s%s\n", err.message, note[0] ? ": " : "", note);
    else if (note[0])
        fprintf(stderr, "ohc service install: %s\n", note);
    if (ohc_win32_secure_config_key(&err) != OHC_OK)
        fprintf(stderr, "ohc service install: warning: %s\n", err.message);
    char *u = ohc_utf8_from_w(cmdline);
    printf("Installed the service 'ohc' (Outlook Health Collector): automatic (delayed) start as LocalSystem,\n"
           "command %s. Start it with 'ohc service start'.\n",
           u ? u : "?");
    free(u);
    return OHC_EXIT_OK;
}

/* Waits until the service reaches `want` (or leaves `pending`), up to timeout_ms. */
static int wait_state(SC_HANDLE h, DWORD want, DWORD timeout_ms, SERVICE_STATUS_PROCESS *out)
{
    uint64_t end = ohc_os_monotonic_ms() + timeout_ms;
    DWORD needed;
    for (;;) {
        if (!QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (BYTE *)out, sizeof *out, &needed))
            return -1;
        if (out->dwCurrentState == want)
            return 0;
        if (ohc_os_monotonic_ms() >= end)
            return 1;
        /* The SCM offers no wait for a state change on Windows 7; a short
         * sleep here is the CLI waiting for an answer, not the service idling. */
        Sleep(100);
    }
}

static int stop_service(SC_HANDLE h, int quiet)
{
    SERVICE_STATUS st;
    SERVICE_STATUS_PROCESS sp;
    uint64_t t0 = ohc_os_monotonic_ms();
    if (!ControlService(h, SERVICE_CONTROL_STOP, &st)) {
        DWORD e = GetLastError();
        if (e == ERROR_SERVICE_NOT_ACTIVE) {
            if (!quiet)
                printf("The service 'ohc' is not running.\n");
            return OHC_EXIT_OK;
        }
        return scm_error("ControlService(STOP)");
    }
    int w = wait_state(h, SERVICE_STOPPED, 30000, &sp);
    if (w != 0) {
        ohc_cli_error("the service did not stop within 30 s");
        return OHC_EXIT_FAILED;
    }
    if (!quiet)
        printf("The service 'ohc' stopped in %lu ms.\n", (unsigned long)(ohc_os_monotonic_ms() - t0));
    return OHC_EXIT_OK;
}

static int cmd_uninstall(void)
{
    SC_HANDLE scm = open_scm(SC_MANAGER_CONNECT);
    if (scm == NULL)
        return scm_error("OpenSCManager");
    SC_HANDLE h = OpenServiceW(scm, OHC_SERVICE_NAME, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (h == NULL) {
        int rc = GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST
                     ? (printf("The service 'ohc' is not installed.\n"), OHC_EXIT_OK)
                     : scm_error("OpenService");
        CloseServiceHandle(scm);
        return rc;
    }
    int rc = stop_service(h, 1);
    if (rc == OHC_EXIT_OK && !DeleteService(h))
        rc = scm_error("DeleteService");
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    if (rc == OHC_EXIT_OK) {
        RegDeleteKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY, KEY_WOW64_64KEY, 0);
        wchar_t dir[MAX_PATH];
        char *u = ohc_win32_machine_state_dir(dir, MAX_PATH) == OHC_OK ? ohc_utf8_from_w(dir) : NULL;
        printf("Removed the service 'ohc'. Configuration (HKLM\\SOFTWARE\\OutlookHealthCollector) and\n"
               "state (%s: spool, last report, logs) are kept; delete them to remove every trace.\n",
               u ? u : "%ProgramData%\\OutlookHealthCollector");
        free(u);
    }
    return rc;
}

static SC_HANDLE open_service(DWORD access, SC_HANDLE *scm_out)
{
    *scm_out = open_scm(SC_MANAGER_CONNECT);
    if (*scm_out == NULL) {
        scm_error("OpenSCManager");
        return NULL;
    }
    SC_HANDLE h = OpenServiceW(*scm_out, OHC_SERVICE_NAME, access);
    if (h == NULL) {
        if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
            ohc_cli_error("the service 'ohc' is not installed (ohc service install)");
        else
            scm_error("OpenService");
        CloseServiceHandle(*scm_out);
        *scm_out = NULL;
    }
    return h;
}

static int cmd_start(void)
{
    SC_HANDLE scm, h = open_service(SERVICE_START | SERVICE_QUERY_STATUS, &scm);
    if (h == NULL)
        return OHC_EXIT_FAILED;
    int rc = OHC_EXIT_OK;
    SERVICE_STATUS_PROCESS sp;
    if (!StartServiceW(h, 0, NULL)) {
        if (GetLastError() == ERROR_SERVICE_ALREADY_RUNNING)
            printf("The service 'ohc' is already running.\n");
        else
            rc = scm_error("StartService");
    } else if (wait_state(h, SERVICE_RUNNING, 30000, &sp) != 0) {
        ohc_cli_error("the service did not reach RUNNING within 30 s (state %lu, exit code %lu)",
                      (unsigned long)sp.dwCurrentState, (unsigned long)sp.dwWin32ExitCode);
        rc = OHC_EXIT_FAILED;
    } else {
        printf("The service 'ohc' is running (pid %lu).\n", (unsigned long)sp.dwProcessId);
    }
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    return rc;
}

static int cmd_stop(void)
{
    SC_HANDLE scm, h = open_service(SERVICE_STOP | SERVICE_QUERY_STATUS, &scm);
    if (h == NULL)
        return OHC_EXIT_FAILED;
    int rc = stop_service(h, 0);
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    return rc;
}

static int cmd_collect_now(int wait_seconds)
{
    SC_HANDLE scm, h = open_service(SERVICE_USER_DEFINED_CONTROL | SERVICE_QUERY_STATUS, &scm);
    if (h == NULL)
        return OHC_EXIT_FAILED;
    wchar_t dir[MAX_PATH];
    int have_dir = ohc_win32_machine_state_dir(dir, MAX_PATH) == OHC_OK;
    /* The service sets this event after each report; a standard user may
     * wait on it, while the state folder is for SYSTEM and Administrators. */
    HANDLE collected = wait_seconds > 0 ? OpenEventW(SYNCHRONIZE, FALSE, OHC_SERVICE_COLLECTED_EVENT) : NULL;
    if (collected != NULL)
        WaitForSingleObject(collected, 0); /* a report from before this request is not the one asked for */
    SERVICE_STATUS st;
    int rc = OHC_EXIT_OK;
    if (!ControlService(h, OHC_SERVICE_CONTROL_COLLECT, &st)) {
        rc = GetLastError() == ERROR_SERVICE_NOT_ACTIVE
                 ? (ohc_cli_error("the service 'ohc' is not running (ohc service start)"), OHC_EXIT_FAILED)
                 : scm_error("ControlService(collect)");
    } else if (wait_seconds <= 0) {
        printf("Asked the service for a collection; see %ls\\logs\\ohc.log.\n", have_dir ? dir : L"%ProgramData%");
    } else if (collected == NULL) {
        DWORD e = GetLastError();
        ohc_error err;
        ohc_win32_error(&err, ohc_err_from_win32(e), e, "cannot wait for the report");
        ohc_cli_error("asked the service for a collection, but %s (see the service log)", err.message);
        rc = OHC_EXIT_FAILED;
    } else if (WaitForSingleObject(collected, (DWORD)wait_seconds * 1000u) == WAIT_OBJECT_0) {
        printf("A new report was written to %ls\\last-report.json.\n", have_dir ? dir : L"%ProgramData%");
    } else {
        ohc_cli_error("no new report within %d s (see the service log)", wait_seconds);
        rc = OHC_EXIT_FAILED;
    }
    if (collected != NULL)
        CloseHandle(collected);
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    return rc;
}

static const char *state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    case SERVICE_CONTINUE_PENDING: return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING: return "PAUSE_PENDING";
    case SERVICE_PAUSED: return "PAUSED";
    default: return "UNKNOWN";
    }
}

static void print_last_report(const wchar_t *dir)
{
    wchar_t wpath[MAX_PATH + 32];
    _snwprintf(wpath, MAX_PATH + 32, L"%ls\\last-report.json", dir);
    wpath[MAX_PATH + 31] = 0;
    char *path = ohc_utf8_from_w(wpath);
    char *data = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    if (path == NULL || ohc_os_read_file(&data, &len, path, 64u * 1024u * 1024u, &err) != OHC_OK) {
        printf("Last report:  none (%s)\n", err.message[0] ? err.message : "not written yet");
    } else {
        cJSON *r = cJSON_ParseWithLength(data, len);
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(r, "generated_at");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "report_id");
        printf("Last report:  %s, %s, %d finding(s) (%s)\n", cJSON_IsString(at) ? at->valuestring : "?",
               cJSON_IsString(id) ? id->valuestring : "?",
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), path);
        cJSON_Delete(r);
    }
    free(data);
    free(path);
}

static int cmd_status(void)
{
    SC_HANDLE scm, h = open_service(SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, &scm);
    if (h == NULL)
        return OHC_EXIT_FAILED;
    SERVICE_STATUS_PROCESS sp;
    DWORD needed = 0;
    if (!QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof sp, &needed)) {
        int rc = scm_error("QueryServiceStatusEx");
        CloseServiceHandle(h);
        CloseServiceHandle(scm);
        return rc;
    }
    printf("Service:      ohc (Outlook Health Collector), %s", state_name(sp.dwCurrentState));
    if (sp.dwProcessId)
        printf(", pid %lu", (unsigned long)sp.dwProcessId);
    putchar('\n');
    BYTE buf[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)(void *)buf;
    if (QueryServiceConfigW(h, qc, sizeof buf, &needed)) {
        SERVICE_DELAYED_AUTO_START_INFO delayed = {FALSE};
        QueryServiceConfig2W(h, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (BYTE *)&delayed, sizeof delayed, &needed);
        printf("Start:        %s%s, account %ls\n",
               qc->dwStartType == SERVICE_AUTO_START     ? "automatic"
               : qc->dwStartType == SERVICE_DEMAND_START ? "manual"
               : qc->dwStartType == SERVICE_DISABLED     ? "disabled"
                                                         : "other",
               delayed.fDelayedAutostart ? " (delayed)" : "", qc->lpServiceStartName ? qc->lpServiceStartName : L"?");
        printf("Command:      %ls\n", qc->lpBinaryPathName ? qc->lpBinaryPathName : L"?");
    }
    if (sp.dwProcessId) {
        HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, sp.dwProcessId);
        if (p == NULL)
            p = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, sp.dwProcessId);
        if (p != NULL) {
            PROCESS_MEMORY_COUNTERS pmc = {.cb = sizeof pmc};
            FILETIME c, x, k, u;
            if (K32GetProcessMemoryInfo(p, &pmc, sizeof pmc))
                printf("Memory:       working set %.1f MB (peak %.1f MB)\n", (double)pmc.WorkingSetSize / 1048576.0,
                       (double)pmc.PeakWorkingSetSize / 1048576.0);
            if (GetProcessTimes(p, &c, &x, &k, &u)) {
                ULARGE_INTEGER ku = {.LowPart = k.dwLowDateTime, .HighPart = k.dwHighDateTime};
                ULARGE_INTEGER uu = {.LowPart = u.dwLowDateTime, .HighPart = u.dwHighDateTime};
                printf("CPU:          %.3f s (kernel %.3f s, user %.3f s)\n", (double)(ku.QuadPart + uu.QuadPart) / 1e7,
                       (double)ku.QuadPart / 1e7, (double)uu.QuadPart / 1e7);
            }
            CloseHandle(p);
        }
    }
    wchar_t dir[MAX_PATH];
    if (ohc_win32_machine_state_dir(dir, MAX_PATH) == OHC_OK) {
        printf("State:        %ls\n", dir);
        print_last_report(dir);
        printf("Log:          %ls\\logs\\ohc.log\n", dir);
    }
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    /* 0 running, 1 installed but not running (like a warning) */
    return sp.dwCurrentState == SERVICE_RUNNING ? OHC_EXIT_OK : OHC_EXIT_WARNING;
}

enum { OPT_CONSOLE = 1, OPT_WAIT, OPT_ALLOW_UNSAFE };

static const ohc_opt service_opts[] = {
    {"console", 0, 0, OPT_CONSOLE},
    {"allow-unsafe-location", 0, 0, OPT_ALLOW_UNSAFE},
    {"wait", 0, 1, OPT_WAIT},
    {NULL, 0, 0, 0},
};

int ohc_service_cmd(int argc, char **argv, const ohc_platform *platform)
{
    if (argc < 2)
        return ohc_usage_error("service", "expected install, uninstall, start, stop, status, collect-now or run");
    const char *sub = argv[1];
    int console = 0, wait_seconds = 0, allow_unsafe = 0;
    ohc_opt_state st = {2, 0, NULL, ""};
    int id;
    while ((id = ohc_opt_next(&st, argc, argv, service_opts)) != OHC_OPT_END) {
        switch (id) {
        case OPT_CONSOLE: console = 1; break;
        case OPT_ALLOW_UNSAFE: allow_unsafe = 1; break;
        case OPT_WAIT: {
            char *end = NULL;
            long v = strtol(st.value, &end, 10);
            if (end == st.value || *end != '\0' || v < 1 || v > 86400)
                return ohc_usage_error("service", "--wait takes seconds (1..86400)");
            wait_seconds = (int)v;
            break;
        }
        case OHC_OPT_POSITIONAL: return ohc_usage_error("service", "unexpected argument");
        default: return ohc_usage_error("service", st.error);
        }
    }
    if ((console && strcmp(sub, "run") != 0) || (wait_seconds && strcmp(sub, "collect-now") != 0))
        return ohc_usage_error("service", "--console goes with run, --wait with collect-now");
    if (allow_unsafe && strcmp(sub, "install") != 0)
        return ohc_usage_error("service", "--allow-unsafe-location goes with install");
    if (!strcmp(sub, "install"))
        return cmd_install(allow_unsafe);
    if (!strcmp(sub, "uninstall"))
        return cmd_uninstall();
    if (!strcmp(sub, "start"))
        return cmd_start();
    if (!strcmp(sub, "stop"))
        return cmd_stop();
    if (!strcmp(sub, "status"))
        return cmd_status();
    if (!strcmp(sub, "collect-now"))
        return cmd_collect_now(wait_seconds);
    if (!strcmp(sub, "run")) {
        ohc_error err;
        ohc_error_clear(&err);
        int rc = console ? ohc_service_run_console(platform, &err) : ohc_service_run_dispatcher(platform, &err);
        if (rc != OHC_OK) {
            ohc_cli_error("%s", err.message);
            return rc == OHC_EINVAL ? OHC_EXIT_USAGE : OHC_EXIT_FAILED;
        }
        return OHC_EXIT_OK;
    }
    return ohc_usage_error("service", "unknown subcommand");
}
