#include "svclog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ohc_messages.h"
#include "os.h"
#include "report.h"
#include "win32util.h"

static struct {
    CRITICAL_SECTION lock;
    int lock_ready;
    HANDLE file;
    wchar_t path[MAX_PATH];
    uint64_t size, max_bytes;
    unsigned keep;
    ohc_log_level level;
    int console;
    HANDLE event_source;
} g = {.file = INVALID_HANDLE_VALUE, .level = OHC_LOG_INFO};

static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK init_lock(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)param;
    (void)ctx;
    InitializeCriticalSection(&g.lock);
    g.lock_ready = 1;
    return TRUE;
}

static void lock(void)
{
    InitOnceExecuteOnce(&init_once, init_lock, NULL, NULL);
    EnterCriticalSection(&g.lock);
}

static void unlock(void)
{
    LeaveCriticalSection(&g.lock);
}

static HANDLE open_append(const wchar_t *path, uint64_t *size)
{
    /* FILE_SHARE_DELETE: a reader never blocks rotation. */
    HANDLE h = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    LARGE_INTEGER li;
    *size = h != INVALID_HANDLE_VALUE && GetFileSizeEx(h, &li) ? (uint64_t)li.QuadPart : 0;
    return h;
}

int ohc_svclog_open(const wchar_t *dir, uint64_t max_bytes, unsigned keep, ohc_error *err)
{
    if (wcslen(dir) + 16 >= MAX_PATH)
        return ohc_error_set(err, OHC_ELIMIT, 0, "log directory path too long");
    char *udir = ohc_utf8_from_w(dir);
    int rc = udir ? ohc_os_mkdir_p(udir, err) : ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    free(udir);
    if (rc != OHC_OK)
        return rc;
    lock();
    if (g.file != INVALID_HANDLE_VALUE)
        CloseHandle(g.file);
    _snwprintf(g.path, MAX_PATH, L"%ls\\ohc.log", dir);
    g.path[MAX_PATH - 1] = 0;
    g.max_bytes = max_bytes < 4096 ? 4096 : max_bytes;
    g.keep = keep < 1 ? 1 : keep > 9 ? 9 : keep;
    g.file = open_append(g.path, &g.size);
    DWORD e = GetLastError();
    unlock();
    if (g.file == INVALID_HANDLE_VALUE)
        return ohc_win32_error(err, ohc_err_from_win32(e), e, "cannot open the log file");
    return OHC_OK;
}

void ohc_svclog_use_eventlog(int on)
{
    lock();
    if (on && g.event_source == NULL)
        g.event_source = RegisterEventSourceW(NULL, OHC_EVENT_SOURCE);
    else if (!on && g.event_source != NULL) {
        DeregisterEventSource(g.event_source);
        g.event_source = NULL;
    }
    unlock();
}

void ohc_svclog_use_console(int on)
{
    g.console = on;
}

void ohc_svclog_set_level(ohc_log_level level)
{
    g.level = level;
}

/* ohc.log -> ohc.log.1 -> ... -> ohc.log.<keep-1>; the oldest is dropped. */
static void rotate(void)
{
    CloseHandle(g.file);
    g.file = INVALID_HANDLE_VALUE;
    wchar_t from[MAX_PATH + 4], to[MAX_PATH + 4];
    if (g.keep > 1) {
        _snwprintf(to, MAX_PATH + 4, L"%ls.%u", g.path, g.keep - 1);
        DeleteFileW(to);
        for (unsigned i = g.keep - 1; i > 1; i--) {
            _snwprintf(from, MAX_PATH + 4, L"%ls.%u", g.path, i - 1);
            _snwprintf(to, MAX_PATH + 4, L"%ls.%u", g.path, i);
            MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING);
        }
        _snwprintf(to, MAX_PATH + 4, L"%ls.1", g.path);
        MoveFileExW(g.path, to, MOVEFILE_REPLACE_EXISTING);
    } else {
        DeleteFileW(g.path);
    }
    g.file = open_append(g.path, &g.size);
    if (g.file != INVALID_HANDLE_VALUE && g.size > 0) {
        /* rename failed (a reader without FILE_SHARE_DELETE): start over rather than grow */
        SetFilePointer(g.file, 0, NULL, FILE_BEGIN);
        SetEndOfFile(g.file);
        g.size = 0;
    }
}

static const char *level_name(ohc_log_level level)
{
    static const char *const names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    return (unsigned)level < 4 ? names[level] : "?    ";
}

static void write_line(ohc_log_level level, const char *msg)
{
    char stamp[32], line[1200];
    ohc_format_rfc3339_utc(stamp, ohc_os_utc_now_ms());
    int n = snprintf(line, sizeof line, "%s %s %s\r\n", stamp, level_name(level), msg);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if ((size_t)n >= sizeof line) { /* truncated: still end the line */
        line[sizeof line - 3] = '\r';
        line[sizeof line - 2] = '\n';
    }
    if (g.console)
        fprintf(stderr, "%.*s", (int)len - 2, line), fputc('\n', stderr);
    if (g.file == INVALID_HANDLE_VALUE)
        return;
    if (g.size + len > g.max_bytes)
        rotate();
    DWORD written = 0;
    if (g.file != INVALID_HANDLE_VALUE && WriteFile(g.file, line, (DWORD)len, &written, NULL))
        g.size += written;
}

static void report_event(ohc_log_level level, DWORD id, const char *text)
{
    if (g.event_source == NULL)
        return;
    wchar_t *w = ohc_w_from_utf8(text);
    if (w == NULL)
        return;
    WORD type = level == OHC_LOG_ERROR     ? EVENTLOG_ERROR_TYPE
                : level == OHC_LOG_WARNING ? EVENTLOG_WARNING_TYPE
                                           : EVENTLOG_INFORMATION_TYPE;
    LPCWSTR strings[1] = {w};
    ReportEventW(g.event_source, type, 0, id, NULL, 1, 0, strings, NULL);
    free(w);
}

void ohc_svclog(ohc_log_level level, const char *fmt, ...)
{
    if (level > g.level && level > OHC_LOG_WARNING)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lock();
    write_line(level, msg);
    if (level <= OHC_LOG_WARNING)
        report_event(level, level == OHC_LOG_ERROR ? OHC_MSG_ERROR : OHC_MSG_WARNING, msg);
    unlock();
}

void ohc_svclog_event(ohc_log_level level, DWORD message_id, const char *text)
{
    lock();
    if (level <= g.level || level <= OHC_LOG_WARNING)
        write_line(level, text);
    report_event(level, message_id, text);
    unlock();
}

void ohc_svclog_close(void)
{
    lock();
    if (g.file != INVALID_HANDLE_VALUE)
        CloseHandle(g.file);
    g.file = INVALID_HANDLE_VALUE;
    if (g.event_source != NULL)
        DeregisterEventSource(g.event_source);
    g.event_source = NULL;
    unlock();
}
