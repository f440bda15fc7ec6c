/* collector/base/os.h's directory and file helpers for POSIX (the upload spool). */
#include "os.h"
#include "dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

int ohc_os_list_dir(ohc_os_dirent **out, size_t *out_count, const char *dir, ohc_error *err)
{
    *out = NULL;
    *out_count = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        int e = errno;
        return ohc_error_set(err, e == ENOENT ? OHC_ENOTFOUND : OHC_EIO, (uint32_t)e, "%s: %s", dir, strerror(e));
    }
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        int e = errno;
        close(dfd);
        return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s: %s", dir, strerror(e));
    }
    ohc_dirlist list = OHC_DIRLIST_INIT;
    int rc = OHC_OK;
    struct dirent *de;
    while (rc == OHC_OK && (de = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue; /* gone meanwhile, a directory, or a link: not a spool file */
        rc = ohc_dirlist_add(&list, strdup(de->d_name), (uint64_t)st.st_size,
                             (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000, err);
    }
    closedir(d);
    return ohc_dirlist_finish(out, out_count, &list, rc);
}

int ohc_os_rename(const char *from, const char *to, ohc_error *err)
{
    if (rename(from, to) != 0) {
        int e = errno;
        return ohc_error_set(err, e == ENOENT ? OHC_ENOTFOUND : OHC_EIO, (uint32_t)e, "rename %s: %s", from,
                             strerror(e));
    }
    return OHC_OK;
}

int ohc_os_remove(const char *path, ohc_error *err)
{
    if (unlink(path) != 0) {
        int e = errno;
        return ohc_error_set(err, e == ENOENT ? OHC_ENOTFOUND : OHC_EIO, (uint32_t)e, "delete %s: %s", path,
                             strerror(e));
    }
    return OHC_OK;
}

FILE *ohc_os_fopen_append(const char *path)
{
    return fopen(path, "ab");
}

uint32_t ohc_os_process_id(void)
{
    return (uint32_t)getpid();
}

int ohc_os_process_alive(uint32_t pid)
{
    if (pid == 0 || pid > (uint32_t)INT32_MAX)
        return 0;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

void ohc_os_sleep_ms(uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int ohc_os_state_dir(char *buf, size_t size, ohc_error *err)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    int n;
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(buf, size, "%s/ohc", xdg);
    } else {
        const char *home = getenv("HOME");
        if (home == NULL || home[0] == '\0')
            return ohc_error_set(err, OHC_ENOTFOUND, 0, "neither XDG_STATE_HOME nor HOME is set");
        n = snprintf(buf, size, "%s/.local/state/ohc", home);
    }
    if (n < 0 || (size_t)n >= size)
        return ohc_error_set(err, OHC_ELIMIT, 0, "state directory path too long");
    return OHC_OK;
}

char ohc_os_path_sep(void)
{
    return '/';
}
