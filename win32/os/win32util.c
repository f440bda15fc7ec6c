#include "win32util.h"

#include <sddl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wchar_t *ohc_w_from_utf8(const char *s)
{
    if (s == NULL)
        return NULL;
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w != NULL && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    return w;
}

char *ohc_utf8_from_w(const wchar_t *w)
{
    if (w == NULL)
        return NULL;
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return NULL;
    char *s = malloc((size_t)n);
    if (s != NULL && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) <= 0) {
        free(s);
        return NULL;
    }
    return s;
}

void ohc_utf8_copy_w(char *dst, size_t size, const wchar_t *w, int len)
{
    if (size == 0)
        return;
    dst[0] = '\0';
    if (w == NULL)
        return;
    if (len < 0)
        len = (int)wcslen(w);
    /* Convert whole characters until the buffer is full. */
    while (len > 0) {
        int n = WideCharToMultiByte(CP_UTF8, 0, w, len, dst, (int)(size - 1), NULL, NULL);
        if (n > 0) {
            dst[n] = '\0';
            return;
        }
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER)
            return;
        len--; /* too long: drop a code unit and retry */
        if (len > 0 && IS_HIGH_SURROGATE(w[len - 1]))
            len--; /* never split a surrogate pair */
    }
}

int ohc_err_from_win32(DWORD e)
{
    switch (e) {
    case ERROR_ACCESS_DENIED: return OHC_EACCESS;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return OHC_ENOTFOUND;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return OHC_ENOMEM;
    case ERROR_CALL_NOT_IMPLEMENTED: return OHC_EUNAVAILABLE;
    case ERROR_TIMEOUT:
    case WAIT_TIMEOUT: return OHC_ETIMEOUT;
    default: return OHC_EOS;
    }
}

int ohc_win32_error(ohc_error *err, int code, DWORD os_code, const char *what)
{
    wchar_t text[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, os_code,
                             MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), text, 256, NULL);
    if (n == 0)
        n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, os_code, 0, text, 256,
                           NULL);
    char utf8[256] = "";
    if (n > 0) {
        while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ' || text[n - 1] == L'.'))
            n--;
        ohc_utf8_copy_w(utf8, sizeof utf8, text, (int)n);
    }
    if (utf8[0])
        return ohc_error_set(err, code, os_code, "%s: %s (0x%08lX)", what, utf8, (unsigned long)os_code);
    return ohc_error_set(err, code, os_code, "%s failed (0x%08lX)", what, (unsigned long)os_code);
}

int ohc_win32_wine_version(char *buf, size_t size)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    if (ntdll == NULL)
        return 0;
    typedef const char *(__cdecl * wine_get_version_fn)(void);
    FARPROC p = GetProcAddress(ntdll, "wine_get_version");
    if (p == NULL)
        return 0;
    wine_get_version_fn fn;
    memcpy(&fn, &p, sizeof fn);
    if (buf != NULL && size > 0)
        snprintf(buf, size, "%s", fn());
    return 1;
}

static volatile LONG started_by_scm;

void ohc_win32_set_running_as_service(void)
{
    InterlockedExchange(&started_by_scm, 1);
}

int ohc_win32_running_as_service(void)
{
    return InterlockedCompareExchange(&started_by_scm, 0, 0) != 0;
}

/* One lookup on its own thread: on a domain laptop away from its domain
 * controller LookupAccountSid can block for many seconds per SID, which
 * would eat a probe's budget. The caller waits SID_LOOKUP_MS at most and
 * leaves a slow lookup behind; whoever lets go last frees the job. Answers
 * (and timeouts) are kept for the process, so the probes that list the same
 * users ask once. */
#define SID_LOOKUP_MS 1500u
#define SID_CACHE_MAX 64

typedef struct sid_job {
    volatile LONG refs;
    BYTE sid[SECURITY_MAX_SID_SIZE];
    wchar_t full[520];
    DWORD error;
} sid_job;

static void sid_job_release(sid_job *j)
{
    if (InterlockedDecrement(&j->refs) == 0)
        free(j);
}

static DWORD WINAPI sid_lookup_main(void *arg)
{
    sid_job *j = arg;
    wchar_t name[256], domain[256];
    DWORD nn = 256, dn = 256;
    SID_NAME_USE use;
    if (LookupAccountSidW(NULL, (PSID)j->sid, name, &nn, domain, &dn, &use)) {
        if (domain[0])
            _snwprintf(j->full, 520, L"%ls\\%ls", domain, name);
        else
            _snwprintf(j->full, 520, L"%ls", name);
        j->full[519] = L'\0';
    } else {
        j->error = GetLastError();
        if (j->error == 0)
            j->error = ERROR_NONE_MAPPED;
    }
    sid_job_release(j);
    return 0;
}

static struct {
    BYTE sid[SECURITY_MAX_SID_SIZE];
    char account[520];
    DWORD error;
} sid_cache[SID_CACHE_MAX];
static size_t sid_cache_count;
static SRWLOCK sid_cache_lock = SRWLOCK_INIT;

int ohc_win32_sid_account(char *out, size_t size, PSID sid, DWORD *out_error)
{
    if (size > 0)
        out[0] = '\0';
    DWORD len = IsValidSid(sid) ? GetLengthSid(sid) : 0;
    if (len == 0 || len > SECURITY_MAX_SID_SIZE) {
        if (out_error != NULL)
            *out_error = ERROR_INVALID_SID;
        return 0;
    }
    AcquireSRWLockShared(&sid_cache_lock);
    for (size_t i = 0; i < sid_cache_count; i++) {
        if (EqualSid((PSID)sid_cache[i].sid, sid)) {
            snprintf(out, size, "%s", sid_cache[i].account);
            DWORD e = sid_cache[i].error;
            ReleaseSRWLockShared(&sid_cache_lock);
            if (e != 0 && out_error != NULL)
                *out_error = e;
            return e == 0;
        }
    }
    ReleaseSRWLockShared(&sid_cache_lock);

    sid_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        if (out_error != NULL)
            *out_error = ERROR_OUTOFMEMORY;
        return 0;
    }
    CopySid(sizeof j->sid, (PSID)j->sid, sid);
    j->refs = 2;
    HANDLE t = CreateThread(NULL, 0, sid_lookup_main, j, 0, NULL);
    DWORD error;
    char account[520] = "";
    if (t == NULL) {
        error = GetLastError();
        j->refs = 1;
    } else if (WaitForSingleObject(t, SID_LOOKUP_MS) != WAIT_OBJECT_0) {
        error = ERROR_TIMEOUT; /* the thread finishes on its own and frees the job */
    } else {
        error = j->error;
        if (error == 0)
            ohc_utf8_copy_w(account, sizeof account, j->full, -1);
    }
    if (t != NULL)
        CloseHandle(t);
    sid_job_release(j);
    AcquireSRWLockExclusive(&sid_cache_lock);
    if (sid_cache_count < SID_CACHE_MAX) {
        CopySid(sizeof sid_cache[0].sid, (PSID)sid_cache[sid_cache_count].sid, sid);
        snprintf(sid_cache[sid_cache_count].account, sizeof sid_cache[0].account, "%s", account);
        sid_cache[sid_cache_count].error = error;
        sid_cache_count++;
    }
    ReleaseSRWLockExclusive(&sid_cache_lock);
    snprintf(out, size, "%s", account);
    if (error != 0 && out_error != NULL)
        *out_error = error;
    return error == 0;
}

int ohc_win32_sid_text_account(char *out, size_t size, const wchar_t *sid_text, DWORD *out_error)
{
    PSID sid = NULL;
    if (size > 0)
        out[0] = '\0';
    if (!ConvertStringSidToSidW(sid_text, &sid)) {
        if (out_error != NULL)
            *out_error = GetLastError();
        return 0;
    }
    int ok = ohc_win32_sid_account(out, size, sid, out_error);
    LocalFree(sid);
    return ok;
}

int ohc_win32_process_user(char *sid_out, size_t sid_size, char *account_out, size_t account_size)
{
    if (sid_out != NULL && sid_size > 0)
        sid_out[0] = '\0';
    if (account_out != NULL && account_size > 0)
        account_out[0] = '\0';
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return 0;
    union {
        TOKEN_USER user;
        BYTE raw[512];
    } tu;
    DWORD len = 0;
    int ok = 0;
    if (GetTokenInformation(token, TokenUser, &tu, sizeof tu, &len)) {
        wchar_t *w = NULL;
        if (ConvertSidToStringSidW(tu.user.User.Sid, &w)) {
            if (sid_out != NULL)
                ohc_utf8_copy_w(sid_out, sid_size, w, -1);
            LocalFree(w);
            ok = 1;
        }
        if (account_out != NULL)
            ohc_win32_sid_account(account_out, account_size, tu.user.User.Sid, NULL);
    }
    CloseHandle(token);
    return ok;
}
