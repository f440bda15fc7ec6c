/* The portable core's only door to the operating system.
 *
 * collector/ never includes windows.h or POSIX headers for OS services: it calls
 * these functions, implemented once in win32/os_win32.c and once in
 * posix/os_posix.c (CMake picks one). All strings are UTF-8; the Windows side
 * converts to and from UTF-16. */
#ifndef OHC_OS_H
#define OHC_OS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* Milliseconds from an arbitrary fixed point; never goes backwards. */
uint64_t ohc_os_monotonic_ms(void);

/* Wall-clock UTC time in milliseconds since 1970-01-01. */
int64_t ohc_os_utc_now_ms(void);

/* Fills buf with n bytes from the OS's cryptographic random source. */
int ohc_os_random_bytes(void *buf, size_t n, ohc_error *err);

/* Writes data to path so that a reader sees the old file or the whole new one,
 * never a part: temp file in the same directory, flushed to disk, renamed over. */
int ohc_os_write_file_atomic(const char *path, const void *data, size_t len, ohc_error *err);

/* Reads a whole file of at most max_len bytes into a new buffer (NUL added
 * after the data, not counted in *out_len). The caller frees *out with free(). */
int ohc_os_read_file(char **out, size_t *out_len, const char *path, size_t max_len, ohc_error *err);

/* Creates a directory and its parents; an existing directory is success. */
int ohc_os_mkdir_p(const char *path, ohc_error *err);

/* Copies the value of an environment variable (UTF-8) into buf.
 * Returns OHC_ENOTFOUND when unset, OHC_ELIMIT when it does not fit. */
int ohc_os_getenv(const char *name, char *buf, size_t size);

/* Non-zero when the stream (1 = stdout, 2 = stderr) is an interactive console. */
int ohc_os_is_terminal(int fd);

/* Threads, for running probes under a time budget. */
typedef struct ohc_os_thread ohc_os_thread;
typedef void (*ohc_os_thread_fn)(void *arg);

/* Starts fn(arg) on a new thread. *out is owned by the caller until
 * ohc_os_thread_join or ohc_os_thread_detach releases it. */
int ohc_os_thread_start(ohc_os_thread **out, ohc_os_thread_fn fn, void *arg, ohc_error *err);

/* Waits up to timeout_ms for the thread to end. OHC_OK: it ended and the handle
 * is released. OHC_ETIMEOUT: it still runs and the handle is still the caller's. */
int ohc_os_thread_join(ohc_os_thread *thread, uint32_t timeout_ms);

/* Releases the handle of a thread that is left running. */
void ohc_os_thread_detach(ohc_os_thread *thread);

/* A mutex and a condition variable, for threads that hand work to each
 * other (the .evtx scan). *out is owned by the caller and released with the
 * matching _free (NULL allowed). Waiting needs the mutex held; it may wake
 * without a broadcast, so callers re-check their condition. */
typedef struct ohc_os_mutex ohc_os_mutex;
typedef struct ohc_os_cond ohc_os_cond;
int ohc_os_mutex_new(ohc_os_mutex **out, ohc_error *err);
void ohc_os_mutex_free(ohc_os_mutex *m);
void ohc_os_mutex_lock(ohc_os_mutex *m);
void ohc_os_mutex_unlock(ohc_os_mutex *m);
int ohc_os_cond_new(ohc_os_cond **out, ohc_error *err);
void ohc_os_cond_free(ohc_os_cond *c);
void ohc_os_cond_wait(ohc_os_cond *c, ohc_os_mutex *m);
void ohc_os_cond_broadcast(ohc_os_cond *c);

/* Processors this process may run on (at least 1). */
unsigned ohc_os_cpu_count(void);

/* Short platform name for the report: "windows-x64", "linux-x86_64", ... */
const char *ohc_os_platform_name(void);

/* A file opened for reading (the .evtx reader streams with it, sequentially
 * or from several threads at once at their own offsets). *out is owned by
 * the caller and released with ohc_os_file_close. */
typedef struct ohc_os_file ohc_os_file;
int ohc_os_file_open_read(ohc_os_file **out, const char *path, ohc_error *err);

/* Reads up to len bytes; *out_read is 0 only at the end of the file. */
int ohc_os_file_read(ohc_os_file *f, void *buf, size_t len, size_t *out_read, ohc_error *err);

/* Reads up to len bytes at offset off, for several threads at once; fills
 * buf unless the file ends first. Only where ohc_os_file_positional says so
 * (a pipe has no offsets); a file is read this way or sequentially, not both
 * at once. */
int ohc_os_file_read_at(ohc_os_file *f, uint64_t off, void *buf, size_t len, size_t *out_read, ohc_error *err);
/* 1 when f can be read at offsets (a file on a disk), 0 for a pipe or device. */
int ohc_os_file_positional(const ohc_os_file *f);

/* NULL is allowed. */
void ohc_os_file_close(ohc_os_file *f);

/* Files of a directory, for the upload spool and the rules loader
 * (posix/os_fs_posix.c, win32/os_fs_win32.c; the list itself is built, sorted
 * and freed by the portable collector/base/dirlist.c). */
typedef struct ohc_os_dirent {
    char *name; /* UTF-8 file name, no directory part */
    uint64_t size; /* bytes */
    int64_t mtime_ms; /* last write, ms since 1970 (UTC) */
} ohc_os_dirent;

/* Lists the regular files of dir (not directories, links or reparse points),
 * sorted by name (strcmp: the same order on every platform and file system).
 * *out is a new array of *out_count entries: free it with ohc_os_dirents_free.
 * OHC_ENOTFOUND when dir does not exist. */
int ohc_os_list_dir(ohc_os_dirent **out, size_t *out_count, const char *dir, ohc_error *err);
void ohc_os_dirents_free(ohc_os_dirent *list, size_t count);

/* Opens a file for appending (created when absent) by its UTF-8 path: on
 * Windows through the UTF-16 API, as fopen would take the ANSI code page and
 * miss a profile path such as C:\Users\Zoë. NULL when it cannot. The caller
 * closes it with fclose. */
FILE *ohc_os_fopen_append(const char *path);

/* Renames a file, replacing `to` when it exists (same volume). */
int ohc_os_rename(const char *from, const char *to, ohc_error *err);

/* Deletes a file; OHC_ENOTFOUND when it was not there. */
int ohc_os_remove(const char *path, ohc_error *err);

void ohc_os_sleep_ms(uint32_t ms);

/* This process's id, and whether process `pid` still runs (a reused id reads
 * as running: callers only ever keep a file longer because of it). The temp
 * files of ohc_os_write_file_atomic end in ".tmp.<pid>" of their writer. */
uint32_t ohc_os_process_id(void);
int ohc_os_process_alive(uint32_t pid);

/* The directory ohc keeps its state in (the upload spool lives below it):
 * Windows: %ProgramData%\OutlookHealthCollector when running as LocalSystem
 * (the service), else %LOCALAPPDATA%\OutlookHealthCollector; Linux:
 * $XDG_STATE_HOME/ohc or ~/.local/state/ohc. Not created here. */
int ohc_os_state_dir(char *buf, size_t size, ohc_error *err);

/* The path separator to join paths with ('\\' on Windows, '/' elsewhere). */
char ohc_os_path_sep(void);

#endif
