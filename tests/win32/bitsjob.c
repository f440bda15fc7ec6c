/* bitsjob: creates, inspects and removes BITS jobs from scripts, through the
 * real BITS COM API. Not a test: the integration tests, the demo
 * (scripts/demo.d/40-bits-oab-404.sh) and the service's end-to-end test use
 * it to put jobs into a Wine prefix (Wine has no bitsadmin). Built as
 * build/mingw/tests/bitsjob.exe; OHC_BITSJOB in the test environment.
 *
 *   bitsjob create NAME URL LOCALFILE [--suspend] [--count N] [--files K]
 *       Creates N download jobs named NAME (NAME-1.. when N > 1) with K files
 *       each (URL, then URL?2, URL?3...) and resumes them unless --suspend.
 *       Retry delay and no-progress timeout are set short (5 s, 10 s) so
 *       that tests do not wait for BITS' defaults. Prints each job id.
 *   bitsjob wait ID STATE[,STATE...] [SECONDS]
 *       Waits (default 30 s) until the job is in one of the states
 *       (QUEUED, ..., ERROR, TRANSIENT_ERROR, TRANSFERRED, ...). Prints the
 *       state reached; exit 0 when it is one of those asked for, 1 if not.
 *   bitsjob complete ID      Complete() (acknowledges a transferred job).
 *   bitsjob cancel ID...     Cancel() each job.
 *   bitsjob cancel-prefix P  Cancels every job whose display name starts with P.
 *   bitsjob list             One line per job: id, state, display name.
 *   bitsjob script          Runs commands read from stdin, one a line, arguments
 *       separated by tabs, in one process (each Wine process start costs
 *       about a second). A `wait` that misses its state does not stop the
 *       script (exit 1 at the end); any other failure stops it.
 *   bitsjob start-type auto|manual|disabled
 *       Sets the BITS service's start type (ChangeServiceConfigW: Wine's
 *       sc.exe has no "config"); tests use it to check a disabled BITS.
 * Exit codes: 0 ok, 1 the job did not reach the state, 2 usage, 3 BITS error. */
#define COBJMACROS /* C macros for the COM vtables: IBackgroundCopyJob_GetState(...) */
#include <windows.h>
#include <bits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const wchar_t *const state_names[] = {L"QUEUED",      L"CONNECTING",   L"TRANSFERRING",
                                             L"SUSPENDED",   L"ERROR",        L"TRANSIENT_ERROR",
                                             L"TRANSFERRED", L"ACKNOWLEDGED", L"CANCELLED"};

static int fail(const char *what, HRESULT hr)
{
    fprintf(stderr, "bitsjob: %s failed: 0x%08lX\n", what, (unsigned long)hr);
    return 3;
}

static const wchar_t *state_name(BG_JOB_STATE s)
{
    return (unsigned)s < 9 ? state_names[s] : L"?";
}

static int find_job(IBackgroundCopyManager *mgr, const wchar_t *id_text, IBackgroundCopyJob **out)
{
    GUID id;
    HRESULT hr = CLSIDFromString(id_text, &id);
    if (FAILED(hr))
        return fail("parsing the job id", hr);
    hr = IBackgroundCopyManager_GetJob(mgr, &id, out);
    return FAILED(hr) ? fail("GetJob", hr) : 0;
}

static int cmd_create(IBackgroundCopyManager *mgr, int argc, wchar_t **argv)
{
    if (argc < 5)
        return 2;
    const wchar_t *name = argv[2], *url = argv[3], *local = argv[4];
    int suspend = 0;
    long count = 1, files = 1;
    for (int i = 5; i < argc; i++) {
        if (!wcscmp(argv[i], L"--suspend"))
            suspend = 1;
        else if (!wcscmp(argv[i], L"--count") && i + 1 < argc)
            count = wcstol(argv[++i], NULL, 10);
        else if (!wcscmp(argv[i], L"--files") && i + 1 < argc)
            files = wcstol(argv[++i], NULL, 10);
        else
            return 2;
    }
    if (count < 1 || count > 1000 || files < 1 || files > 100)
        return 2;
    for (long n = 1; n <= count; n++) {
        wchar_t job_name[512], file_url[2300], file_local[MAX_PATH + 32];
        if (count > 1)
            _snwprintf(job_name, 512, L"%ls-%ld", name, n);
        else
            _snwprintf(job_name, 512, L"%ls", name);
        job_name[511] = L'\0';
        GUID id;
        IBackgroundCopyJob *job = NULL;
        HRESULT hr = IBackgroundCopyManager_CreateJob(mgr, job_name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
        if (FAILED(hr))
            return fail("CreateJob", hr);
        for (long f = 1; f <= files; f++) {
            if (f == 1)
                _snwprintf(file_url, 2300, L"%ls", url);
            else
                _snwprintf(file_url, 2300, L"%ls?%ld", url, f);
            file_url[2299] = L'\0';
            _snwprintf(file_local, MAX_PATH + 32, L"%ls.%ld.%ld", local, n, f);
            file_local[MAX_PATH + 31] = L'\0';
            hr = IBackgroundCopyJob_AddFile(job, file_url, count == 1 && files == 1 ? local : file_local);
            if (FAILED(hr)) {
                IBackgroundCopyJob_Cancel(job);
                IBackgroundCopyJob_Release(job);
                return fail("AddFile", hr);
            }
        }
        /* Short delays: BITS' defaults (10 min retry, 14 days) would stall tests. */
        IBackgroundCopyJob_SetMinimumRetryDelay(job, 5);
        IBackgroundCopyJob_SetNoProgressTimeout(job, 10);
        if (!suspend && FAILED(hr = IBackgroundCopyJob_Resume(job))) {
            IBackgroundCopyJob_Release(job);
            return fail("Resume", hr);
        }
        wchar_t text[40];
        StringFromGUID2(&id, text, 40);
        wprintf(L"%ls\n", text);
        IBackgroundCopyJob_Release(job);
    }
    return 0;
}

static int cmd_wait(IBackgroundCopyManager *mgr, int argc, wchar_t **argv)
{
    if (argc < 4)
        return 2;
    long seconds = argc > 4 ? wcstol(argv[4], NULL, 10) : 30;
    IBackgroundCopyJob *job = NULL;
    int rc = find_job(mgr, argv[2], &job);
    if (rc)
        return rc;
    BG_JOB_STATE s = BG_JOB_STATE_QUEUED;
    DWORD end = GetTickCount() + (DWORD)(seconds * 1000);
    for (;;) {
        HRESULT hr = IBackgroundCopyJob_GetState(job, &s);
        if (FAILED(hr)) {
            IBackgroundCopyJob_Release(job);
            return fail("GetState", hr);
        }
        /* argv[3] is a comma list: match whole names only */
        const wchar_t *name = state_name(s);
        size_t n = wcslen(name);
        for (const wchar_t *p = argv[3]; p && *p;) {
            const wchar_t *comma = wcschr(p, L',');
            size_t len = comma ? (size_t)(comma - p) : wcslen(p);
            if (len == n && !_wcsnicmp(p, name, n)) {
                wprintf(L"%ls\n", name);
                IBackgroundCopyJob_Release(job);
                return 0;
            }
            p = comma ? comma + 1 : NULL;
        }
        if ((LONG)(GetTickCount() - end) >= 0)
            break;
        Sleep(100);
    }
    wprintf(L"%ls\n", state_name(s));
    IBackgroundCopyJob_Release(job);
    return 1;
}

static int cmd_each(IBackgroundCopyManager *mgr, int argc, wchar_t **argv, int complete)
{
    if (argc < 3)
        return 2;
    for (int i = 2; i < argc; i++) {
        IBackgroundCopyJob *job = NULL;
        int rc = find_job(mgr, argv[i], &job);
        if (rc)
            return rc;
        HRESULT hr = complete ? IBackgroundCopyJob_Complete(job) : IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
        if (FAILED(hr))
            return fail(complete ? "Complete" : "Cancel", hr);
    }
    return 0;
}

/* list, or cancel-prefix P when prefix is not NULL */
static int cmd_list(IBackgroundCopyManager *mgr, const wchar_t *prefix)
{
    IEnumBackgroundCopyJobs *en = NULL;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(mgr, BG_JOB_ENUM_ALL_USERS, &en);
    if (hr == E_ACCESSDENIED)
        hr = IBackgroundCopyManager_EnumJobs(mgr, 0, &en);
    if (FAILED(hr))
        return fail("EnumJobs", hr);
    int rc = 0;
    size_t prefix_len = prefix ? wcslen(prefix) : 0;
    for (;;) {
        IBackgroundCopyJob *job = NULL;
        ULONG got = 0;
        if (IEnumBackgroundCopyJobs_Next(en, 1, &job, &got) != S_OK || got != 1)
            break;
        LPWSTR name = NULL;
        BG_JOB_STATE s = BG_JOB_STATE_QUEUED;
        GUID id;
        wchar_t text[40] = L"";
        IBackgroundCopyJob_GetDisplayName(job, &name);
        IBackgroundCopyJob_GetState(job, &s);
        if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id)))
            StringFromGUID2(&id, text, 40);
        if (prefix == NULL) {
            wprintf(L"%ls %ls %ls\n", text, state_name(s), name ? name : L"");
        } else if (name != NULL && !wcsncmp(name, prefix, prefix_len) && s != BG_JOB_STATE_CANCELLED &&
                   s != BG_JOB_STATE_ACKNOWLEDGED) {
            hr = IBackgroundCopyJob_Cancel(job);
            if (FAILED(hr))
                rc = fail("Cancel", hr);
        }
        CoTaskMemFree(name);
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(en);
    return rc;
}

static int cmd_start_type(const wchar_t *type)
{
    DWORD t = !wcscmp(type, L"auto")       ? SERVICE_AUTO_START
              : !wcscmp(type, L"manual")   ? SERVICE_DEMAND_START
              : !wcscmp(type, L"disabled") ? SERVICE_DISABLED
                                           : 0;
    if (t == 0)
        return 2;
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE svc = scm ? OpenServiceW(scm, L"BITS", SERVICE_CHANGE_CONFIG) : NULL;
    BOOL ok = svc != NULL && ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, t, SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL,
                                                  NULL, NULL, NULL);
    DWORD e = GetLastError();
    if (svc)
        CloseServiceHandle(svc);
    if (scm)
        CloseServiceHandle(scm);
    return ok ? 0 : fail("ChangeServiceConfigW", HRESULT_FROM_WIN32(e));
}

static int dispatch(IBackgroundCopyManager *mgr, int argc, wchar_t **argv)
{
    int rc = 2;
    if (!wcscmp(argv[1], L"create"))
        rc = cmd_create(mgr, argc, argv);
    else if (!wcscmp(argv[1], L"wait"))
        rc = cmd_wait(mgr, argc, argv);
    else if (!wcscmp(argv[1], L"complete"))
        rc = cmd_each(mgr, argc, argv, 1);
    else if (!wcscmp(argv[1], L"cancel"))
        rc = cmd_each(mgr, argc, argv, 0);
    else if (!wcscmp(argv[1], L"cancel-prefix") && argc == 3)
        rc = cmd_list(mgr, argv[2]);
    else if (!wcscmp(argv[1], L"list"))
        rc = cmd_list(mgr, NULL);
    return rc;
}

static int run_script(IBackgroundCopyManager *mgr)
{
    char line[8192];
    int result = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        wchar_t wline[8192];
        if (MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 8192) <= 0)
            return 2;
        wchar_t *args[32] = {L"bitsjob"};
        int n = 1;
        wchar_t *save = NULL;
        for (wchar_t *tok = wcstok_s(wline, L"\t", &save); tok != NULL && n < 32; tok = wcstok_s(NULL, L"\t", &save))
            args[n++] = tok;
        if (n < 2)
            continue;
        int rc = dispatch(mgr, n, args);
        fflush(stdout);
        if (rc == 1 && !wcscmp(args[1], L"wait"))
            result = 1;
        else if (rc != 0)
            return rc;
    }
    return result;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc < 2) {
        fputs("usage: bitsjob create|wait|complete|cancel|cancel-prefix|list ... (see bitsjob.c)\n", stderr);
        return 2;
    }
    if (!wcscmp(argv[1], L"start-type")) /* no COM: BITS may be stopped */
        return argc == 3 ? cmd_start_type(argv[2]) : 2;
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr))
        return fail("CoInitializeEx", hr);
    IBackgroundCopyManager *mgr = NULL;
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&mgr);
    if (FAILED(hr))
        return fail("connecting to BITS", hr);
    int rc = !wcscmp(argv[1], L"script") ? run_script(mgr) : dispatch(mgr, argc, argv);
    if (rc == 2)
        fputs("bitsjob: usage error (see tests/win32/bitsjob.c)\n", stderr);
    fflush(stdout);
    IBackgroundCopyManager_Release(mgr);
    CoUninitialize();
    return rc;
}
