#include "win32util.h"

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
