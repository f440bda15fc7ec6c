/* The portable half of ohc_os_list_dir (os.h): the list it returns is grown,
 * sorted and freed here, so that posix/os_fs_posix.c and win32/os_fs_win32.c
 * only read the directory and decide which entries are regular files.
 *
 * For the OS halves only; the core calls ohc_os_list_dir and
 * ohc_os_dirents_free. */
#ifndef OHC_DIRLIST_H
#define OHC_DIRLIST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "os.h"

/* A listing being built: entries owned by it until ohc_dirlist_finish. */
typedef struct ohc_dirlist {
    ohc_os_dirent *v;
    size_t count, cap;
} ohc_dirlist;

#define OHC_DIRLIST_INIT                                                                                               \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

/* Adds one file and takes `name`, a heap string (malloc): kept by the list,
 * or freed here when it cannot be. A NULL name means the OS half could not
 * make one (out of memory). OHC_OK, or OHC_ENOMEM with *err filled; after a
 * failure the caller stops and passes the code to ohc_dirlist_finish. */
int ohc_dirlist_add(ohc_dirlist *l, char *name, uint64_t size, int64_t mtime_ms, ohc_error *err);

/* Ends the listing and returns rc. With rc OHC_OK the entries go to *out and
 * *out_count, sorted by name (strcmp: the byte order of the UTF-8, so the
 * same on every platform and file system); otherwise they are freed and *out
 * is NULL, *out_count 0. l is empty afterwards. */
int ohc_dirlist_finish(ohc_os_dirent **out, size_t *out_count, ohc_dirlist *l, int rc);

#endif
