/* collector/base/os.h for Windows. */
#include "os.h"

#include <windows.h>
#include <bcrypt.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32util.h"

uint64_t ohc_os_monotonic_ms(void)
{
    return GetTickCount64();
}

int64_t ohc_os_utc_now_ms(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    ULARGE_INTEGER u;
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    /* FILETIME counts 100 ns from 1601-01-01. */
    return (int64_t)(u.QuadPart / 10000ULL) - 11644473600000LL;
}

int ohc_os_random_bytes(void *buf, size_t n, ohc_error *err)
{
    if (n > ULONG_MAX)
        return ohc_error_set(err, OHC_EINVAL, 0, "random request too large");
    NTSTATUS st = BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (st != 0)
        return ohc_error_set(err, OHC_EOS, (uint32_t)st, "BCryptGenRandom failed (0x%08lX)", (unsigned long)st);
    return OHC_OK;
}

/* Forward slashes are accepted by the Win32 file API; nothing to convert. */
int ohc_os_write_file_atomic(const char *path, const void *data, size_t len, ohc_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (tmp == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.%lu", path, (unsigned long)GetCurrentProcessId());
    wchar_t *wtmp = ohc_w_from_utf8(tmp), *wpath = ohc_w_from_utf8(path);
    free(tmp);
    int rc = OHC_OK;
    if (wtmp == NULL || wpath == NULL) {
        rc = ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
        goto done;
    }
    HANDLE h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        rc = ohc_win32_error(err, OHC_EIO, GetLastError(), "CreateFile");
        goto done;
    }
    const char *p = data;
    while (len > 0) {
        DWORD chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len, written = 0;
        if (!WriteFile(h, p, chunk, &written, NULL)) {
            rc = ohc_win32_error(err, OHC_EIO, GetLastError(), "WriteFile");
            break;
        }
        p += written;
        len -= written;
    }
    if (rc == OHC_OK && !FlushFileBuffers(h))
        rc = ohc_win32_error(err, OHC_EIO, GetLastError(), "FlushFileBuffers");
    CloseHandle(h);
    DWORD mv = rc == OHC_OK ? (DWORD)ohc_win32_move_file(wtmp, wpath) : 0;
    if (mv != 0)
        rc = ohc_win32_error(err, OHC_EIO, mv, "MoveFileEx");
    if (rc != OHC_OK)
        DeleteFileW(wtmp);
done:
    free(wtmp);
    free(wpath);
    return rc;
}

int ohc_os_read_file(char **out, size_t *out_len, const char *path, size_t max_len, ohc_error *err)
{
    *out = NULL;
    *out_len = 0;
    wchar_t *wpath = ohc_w_from_utf8(path);
    if (wpath == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    HANDLE h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        ohc_win32_error(err, ohc_err_from_win32(e), e, path);
        return err ? err->code : OHC_EIO;
    }
    LARGE_INTEGER size;
    if (!GetFileSizeEx(h, &size) || (uint64_t)size.QuadPart > max_len) {
        CloseHandle(h);
        return ohc_error_set(err, OHC_ELIMIT, 0, "%s: larger than %zu bytes", path, max_len);
    }
    size_t cap = (size_t)size.QuadPart;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        CloseHandle(h);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    size_t len = 0;
    while (len < cap) {
        DWORD got = 0, want = cap - len > (1u << 30) ? (1u << 30) : (DWORD)(cap - len);
        if (!ReadFile(h, buf + len, want, &got, NULL)) {
            DWORD e = GetLastError();
            free(buf);
            CloseHandle(h);
            return ohc_win32_error(err, OHC_EIO, e, path);
        }
        if (got == 0)
            break;
        len += got;
    }
    CloseHandle(h);
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return OHC_OK;
}

int ohc_os_mkdir_p(const char *path, ohc_error *err)
{
    wchar_t *w = ohc_w_from_utf8(path);
    if (w == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    int rc = OHC_OK;
    for (wchar_t *s = w + 1;; s++) {
        int end = *s == L'\0';
        if (!end && *s != L'\\' && *s != L'/')
            continue;
        wchar_t saved = *s;
        *s = L'\0';
        /* "C:" alone is not a directory to create. */
        if (!(wcslen(w) == 2 && w[1] == L':') && !CreateDirectoryW(w, NULL)) {
            DWORD e = GetLastError();
            if (e != ERROR_ALREADY_EXISTS && e != ERROR_ACCESS_DENIED) {
                rc = ohc_win32_error(err, OHC_EIO, e, "CreateDirectory");
                *s = saved;
                break;
            }
        }
        *s = saved;
        if (end)
            break;
    }
    if (rc == OHC_OK) {
        DWORD attr = GetFileAttributesW(w);
        if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY))
            rc = ohc_error_set(err, OHC_EIO, GetLastError(), "%s is not a directory", path);
    }
    free(w);
    return rc;
}

int ohc_os_getenv(const char *name, char *buf, size_t size)
{
    wchar_t *wname = ohc_w_from_utf8(name);
    if (wname == NULL)
        return OHC_EINVAL;
    wchar_t wval[4096];
    SetLastError(ERROR_SUCCESS); /* an empty value returns 0 without setting it */
    DWORD n = GetEnvironmentVariableW(wname, wval, 4096);
    DWORD e = GetLastError();
    free(wname);
    int rc = OHC_OK;
    if (n == 0) {
        if (e == ERROR_ENVVAR_NOT_FOUND)
            rc = OHC_ENOTFOUND;
        else if (size == 0)
            rc = OHC_ELIMIT;
        else
            buf[0] = '\0';
    } else if (n >= 4096) {
        rc = OHC_ELIMIT;
    } else {
        int need = WideCharToMultiByte(CP_UTF8, 0, wval, -1, NULL, 0, NULL, NULL);
        if (need <= 0 || (size_t)need > size)
            rc = OHC_ELIMIT;
        else
            WideCharToMultiByte(CP_UTF8, 0, wval, -1, buf, (int)size, NULL, NULL);
    }
    /* The value may be a secret (OHC_UPLOAD_TOKEN, a proxy URL with its
     * password): no copy of it is left on the stack. */
    SecureZeroMemory(wval, sizeof wval);
    return rc;
}

int ohc_os_is_terminal(int fd)
{
    HANDLE h = GetStdHandle(fd == 2 ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    DWORD mode;
    if (h == NULL || h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
        return 0;
    /* Colours need virtual-terminal processing (Windows 10 and later). */
    return SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

struct ohc_os_thread {
    HANDLE handle;
};

struct thread_start {
    ohc_os_thread_fn fn;
    void *arg;
};

static DWORD WINAPI thread_trampoline(LPVOID p)
{
    struct thread_start start = *(struct thread_start *)p;
    free(p);
    start.fn(start.arg);
    return 0;
}

int ohc_os_thread_start(ohc_os_thread **out, ohc_os_thread_fn fn, void *arg, ohc_error *err)
{
    ohc_os_thread *t = calloc(1, sizeof *t);
    struct thread_start *start = malloc(sizeof *start);
    if (t == NULL || start == NULL) {
        free(t);
        free(start);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    start->fn = fn;
    start->arg = arg;
    t->handle = CreateThread(NULL, 0, thread_trampoline, start, 0, NULL);
    if (t->handle == NULL) {
        DWORD e = GetLastError();
        free(t);
        free(start);
        return ohc_win32_error(err, OHC_EOS, e, "CreateThread");
    }
    *out = t;
    return OHC_OK;
}

int ohc_os_thread_join(ohc_os_thread *t, uint32_t timeout_ms)
{
    if (WaitForSingleObject(t->handle, timeout_ms) != WAIT_OBJECT_0)
        return OHC_ETIMEOUT;
    CloseHandle(t->handle);
    free(t);
    return OHC_OK;
}

void ohc_os_thread_detach(ohc_os_thread *t)
{
    CloseHandle(t->handle);
    free(t);
}

struct ohc_os_mutex {
    SRWLOCK lock;
};

struct ohc_os_cond {
    CONDITION_VARIABLE cv;
};

int ohc_os_mutex_new(ohc_os_mutex **out, ohc_error *err)
{
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    InitializeSRWLock(&(*out)->lock);
    return OHC_OK;
}

void ohc_os_mutex_free(ohc_os_mutex *m)
{
    free(m);
}
void ohc_os_mutex_lock(ohc_os_mutex *m)
{
    AcquireSRWLockExclusive(&m->lock);
}
void ohc_os_mutex_unlock(ohc_os_mutex *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}

int ohc_os_cond_new(ohc_os_cond **out, ohc_error *err)
{
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    InitializeConditionVariable(&(*out)->cv);
    return OHC_OK;
}

void ohc_os_cond_free(ohc_os_cond *c)
{
    free(c);
}
void ohc_os_cond_wait(ohc_os_cond *c, ohc_os_mutex *m)
{
    SleepConditionVariableSRW(&c->cv, &m->lock, INFINITE, 0);
}
void ohc_os_cond_broadcast(ohc_os_cond *c)
{
    WakeAllConditionVariable(&c->cv);
}

unsigned ohc_os_cpu_count(void)
{
    DWORD_PTR process = 0, system = 0;
    unsigned n = 0;
    if (GetProcessAffinityMask(GetCurrentProcess(), &process, &system))
        for (; process != 0; process &= process - 1)
            n++;
    if (n == 0) {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        n = si.dwNumberOfProcessors;
    }
    return n ? n : 1u;
}

const char *ohc_os_platform_name(void)
{
    return "windows-x64";
}

struct ohc_os_file {
    HANDLE h;
};

int ohc_os_file_open_read(ohc_os_file **out, const char *path, ohc_error *err)
{
    *out = NULL;
    wchar_t *wpath = ohc_w_from_utf8(path);
    if (wpath == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "path is not valid UTF-8");
    /* Share everything: the live log may be an open .evtx the service writes. */
    HANDLE h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        ohc_win32_error(err, ohc_err_from_win32(e), e, path);
        return err ? err->code : OHC_EIO;
    }
    ohc_os_file *f = malloc(sizeof *f);
    if (f == NULL) {
        CloseHandle(h);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    f->h = h;
    *out = f;
    return OHC_OK;
}

/* Fills buf unless the file ends (callers read fixed-size blocks): from the
 * file's position (off < 0) or at off (on a handle opened for synchronous
 * I/O, ReadFile reads at the OVERLAPPED's offset and returns when done). */
static int read_full(ohc_os_file *f, int64_t off, void *buf, size_t len, size_t *out_read, ohc_error *err)
{
    *out_read = 0;
    size_t got = 0;
    while (got < len) {
        OVERLAPPED at;
        memset(&at, 0, sizeof at);
        at.Offset = (DWORD)((uint64_t)off + got);
        at.OffsetHigh = (DWORD)(((uint64_t)off + got) >> 32);
        DWORD n = 0, want = len - got > (1u << 30) ? (1u << 30) : (DWORD)(len - got);
        if (!ReadFile(f->h, (char *)buf + got, want, &n, off < 0 ? NULL : &at)) {
            DWORD e = GetLastError();
            if (e == ERROR_HANDLE_EOF)
                break;
            return ohc_win32_error(err, OHC_EIO, e, "read");
        }
        if (n == 0)
            break;
        got += n;
    }
    *out_read = got;
    return OHC_OK;
}

int ohc_os_file_read(ohc_os_file *f, void *buf, size_t len, size_t *out_read, ohc_error *err)
{
    return read_full(f, -1, buf, len, out_read, err);
}

int ohc_os_file_read_at(ohc_os_file *f, uint64_t off, void *buf, size_t len, size_t *out_read, ohc_error *err)
{
    *out_read = 0;
    if (off > (uint64_t)INT64_MAX - len)
        return ohc_error_set(err, OHC_EINVAL, 0, "read: offset %llu out of range", (unsigned long long)off);
    return read_full(f, (int64_t)off, buf, len, out_read, err);
}

int ohc_os_file_positional(const ohc_os_file *f)
{
    return GetFileType(f->h) == FILE_TYPE_DISK;
}

void ohc_os_file_close(ohc_os_file *f)
{
    if (f == NULL)
        return;
    CloseHandle(f->h);
    free(f);
}
