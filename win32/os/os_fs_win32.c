/* collector/base/os.h's directory and file helpers for Windows (the upload spool). */
#include "os.h"
#include "dirlist.h"

#include <windows.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32util.h"

static int64_t filetime_to_unix_ms(FILETIME ft)
{
    ULARGE_INTEGER u;
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return (int64_t)(u.QuadPart / 10000ULL) - 11644473600000LL;
}

int ohc_os_list_dir(ohc_os_dirent **out, size_t *out_count, const char *dir, ohc_error *err)
{
    *out = NULL;
    *out_count = 0;
    size_t dl = strlen(dir);
    char *pattern = malloc(dl + 3);
    if (pattern == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    snprintf(pattern, dl + 3, "%s\\*", dir);
    wchar_t *w = ohc_w_from_utf8(pattern);
    free(pattern);
    if (w == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND) /* an empty directory has "." at least; be safe */
            return OHC_OK;
        return ohc_win32_error(err, e == ERROR_PATH_NOT_FOUND ? OHC_ENOTFOUND : OHC_EIO, e, "FindFirstFile");
    }
    ohc_dirlist list = OHC_DIRLIST_INIT;
    int rc = OHC_OK;
    do {
        if (fd.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))
            continue;
        rc = ohc_dirlist_add(&list, ohc_utf8_from_w(fd.cFileName), ((uint64_t)fd.nFileSizeHigh << 32) | fd.nFileSizeLow,
                             filetime_to_unix_ms(fd.ftLastWriteTime), err);
    } while (rc == OHC_OK && FindNextFileW(h, &fd));
    FindClose(h);
    return ohc_dirlist_finish(out, out_count, &list, rc);
}

/* Antivirus, the search indexer and backup agents open new files for a
 * moment, often without FILE_SHARE_DELETE: a rename or delete then fails
 * with a sharing violation (or access denied while the file is
 * delete-pending) and succeeds a little later. Retried for up to about 1 s. */
static int transient_lock(DWORD e)
{
    return e == ERROR_SHARING_VIOLATION || e == ERROR_ACCESS_DENIED || e == ERROR_LOCK_VIOLATION;
}

static BOOL move_with_retry(const wchar_t *from, const wchar_t *to, DWORD flags)
{
    for (DWORD wait = 10;; wait *= 2) {
        if (MoveFileExW(from, to, flags))
            return TRUE;
        DWORD e = GetLastError();
        if (!transient_lock(e) || wait > 640)
            return FALSE;
        Sleep(wait);
        SetLastError(e);
    }
}

int ohc_win32_move_file(const wchar_t *from, const wchar_t *to)
{
    return move_with_retry(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : (int)GetLastError();
}

int ohc_os_rename(const char *from, const char *to, ohc_error *err)
{
    wchar_t *wf = ohc_w_from_utf8(from), *wt = ohc_w_from_utf8(to);
    int rc = OHC_OK;
    if (wf == NULL || wt == NULL)
        rc = ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    else if (!move_with_retry(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        DWORD e = GetLastError();
        rc = ohc_win32_error(err, e == ERROR_FILE_NOT_FOUND ? OHC_ENOTFOUND : OHC_EIO, e, "MoveFileEx");
    }
    free(wf);
    free(wt);
    return rc;
}

int ohc_os_remove(const char *path, ohc_error *err)
{
    wchar_t *w = ohc_w_from_utf8(path);
    if (w == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    int rc = OHC_OK;
    BOOL ok;
    for (DWORD wait = 10;; wait *= 2) { /* as move_with_retry */
        ok = DeleteFileW(w);
        if (ok || !transient_lock(GetLastError()) || wait > 640)
            break;
        Sleep(wait);
    }
    if (!ok) {
        DWORD e = GetLastError();
        rc = ohc_win32_error(err, e == ERROR_FILE_NOT_FOUND ? OHC_ENOTFOUND : OHC_EIO, e, "DeleteFile");
    }
    free(w);
    return rc;
}

void ohc_os_sleep_ms(uint32_t ms)
{
    Sleep(ms);
}

FILE *ohc_os_fopen_append(const char *path)
{
    wchar_t *w = ohc_w_from_utf8(path);
    FILE *f = w != NULL ? _wfopen(w, L"ab") : NULL;
    free(w);
    return f;
}

uint32_t ohc_os_process_id(void)
{
    return (uint32_t)GetCurrentProcessId();
}

int ohc_os_process_alive(uint32_t pid)
{
    if (pid == 0)
        return 0;
    HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, pid);
    if (h == NULL)
        /* gone (ERROR_INVALID_PARAMETER), or there and not ours to open */
        return GetLastError() == ERROR_ACCESS_DENIED;
    DWORD w = WaitForSingleObject(h, 0);
    CloseHandle(h);
    return w == WAIT_TIMEOUT;
}

/* LocalSystem (S-1-5-18): the service. */
static int running_as_system(void)
{
    HANDLE tok;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return 0;
    union {
        TOKEN_USER tu;
        BYTE buf[256];
    } u;
    DWORD len = 0;
    int is_system = 0;
    if (GetTokenInformation(tok, TokenUser, &u, sizeof u, &len))
        is_system = IsWellKnownSid(u.tu.User.Sid, WinLocalSystemSid) != 0;
    CloseHandle(tok);
    return is_system;
}

int ohc_win32_machine_state_dir(wchar_t *out, size_t size)
{
    wchar_t *base = NULL;
    int rc = OHC_OK;
    if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base) != S_OK || base == NULL) {
        /* fall back to the environment (Wine and Windows both set it) */
        wchar_t env[MAX_PATH];
        DWORD n = GetEnvironmentVariableW(L"ProgramData", env, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
            rc = OHC_ENOTFOUND;
        else if (_snwprintf(out, size, L"%ls\\%ls", env, L"OutlookHealthCollector") < 0)
            rc = OHC_ELIMIT;
    } else if (_snwprintf(out, size, L"%ls\\%ls", base, L"OutlookHealthCollector") < 0) {
        rc = OHC_ELIMIT;
    }
    if (base)
        CoTaskMemFree(base);
    if (size)
        out[size - 1] = 0;
    return rc;
}

int ohc_os_state_dir(char *buf, size_t size, ohc_error *err)
{
    if (running_as_system() || ohc_win32_running_as_service()) {
        wchar_t dir[MAX_PATH];
        if (ohc_win32_machine_state_dir(dir, MAX_PATH) != OHC_OK)
            return ohc_error_set(err, OHC_ENOTFOUND, 0, "cannot find %%ProgramData%%");
        ohc_utf8_copy_w(buf, size, dir, -1);
        return OHC_OK;
    }
    const KNOWNFOLDERID *id = &FOLDERID_LocalAppData;
    PWSTR base = NULL;
    HRESULT hr = SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, NULL, &base);
    if (FAILED(hr)) {
        CoTaskMemFree(base);
        return ohc_win32_error(err, OHC_EOS, (DWORD)hr, "SHGetKnownFolderPath");
    }
    char *b = ohc_utf8_from_w(base);
    CoTaskMemFree(base);
    if (b == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int n = snprintf(buf, size, "%s\\OutlookHealthCollector", b);
    free(b);
    if (n < 0 || (size_t)n >= size)
        return ohc_error_set(err, OHC_ELIMIT, 0, "state directory path too long");
    return OHC_OK;
}

char ohc_os_path_sep(void)
{
    return '\\';
}
