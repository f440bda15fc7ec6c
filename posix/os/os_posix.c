/* collector/base/os.h for Linux (the native build: tests, sanitizers, the native CLI). */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t ohc_os_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t ohc_os_utc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ohc_os_random_bytes(void *buf, size_t n, ohc_error *err)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return ohc_error_set(err, OHC_EOS, (uint32_t)errno, "getrandom: %s", strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return OHC_OK;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int ohc_os_write_file_atomic(const char *path, const void *data, size_t len, ohc_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (tmp == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s", strerror(e));
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s", strerror(e));
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s", strerror(e));
    }
    free(tmp);
    /* Make the rename itself durable. */
    char *dir = strdup(path);
    if (dir != NULL) {
        char *slash = strrchr(dir, '/');
        const char *d = ".";
        if (slash == dir)
            d = "/";
        else if (slash != NULL) {
            *slash = '\0';
            d = dir;
        }
        int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    return OHC_OK;
}

int ohc_os_read_file(char **out, size_t *out_len, const char *path, size_t max_len, ohc_error *err)
{
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ohc_error_set(err, e == ENOENT ? OHC_ENOTFOUND : OHC_EIO, (uint32_t)e, "%s: %s", path, strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ohc_error_set(err, OHC_EIO, 0, "%s: not a regular file", path);
    }
    if ((uint64_t)sb.st_size > max_len) {
        close(fd);
        return ohc_error_set(err, OHC_ELIMIT, 0, "%s: larger than %zu bytes", path, max_len);
    }
    size_t cap = (size_t)sb.st_size;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        close(fd);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    size_t len = 0;
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return OHC_OK;
}

int ohc_os_mkdir_p(const char *path, ohc_error *err)
{
    char *p = strdup(path);
    if (p == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return ohc_error_set(err, OHC_EIO, (uint32_t)e, "%s", strerror(e));
        }
        *s = '/';
    }
    int rc = OHC_OK;
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = ohc_error_set(err, OHC_EIO, (uint32_t)errno, "%s", strerror(errno));
    free(p);
    return rc;
}

int ohc_os_getenv(const char *name, char *buf, size_t size)
{
    const char *v = getenv(name);
    if (v == NULL)
        return OHC_ENOTFOUND;
    size_t n = strlen(v);
    if (n >= size)
        return OHC_ELIMIT;
    memcpy(buf, v, n + 1);
    return OHC_OK;
}

int ohc_os_is_terminal(int fd)
{
    return isatty(fd);
}

struct ohc_os_thread {
    pthread_t tid;
};

/* What the new thread runs; it frees this itself, so the handle above can be
 * released (join or detach) independently of the thread's progress. */
struct thread_start {
    ohc_os_thread_fn fn;
    void *arg;
};

static void *thread_trampoline(void *p)
{
    struct thread_start start = *(struct thread_start *)p;
    free(p);
    start.fn(start.arg);
    return NULL;
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
    int rc = pthread_create(&t->tid, NULL, thread_trampoline, start);
    if (rc != 0) {
        free(t);
        free(start);
        return ohc_error_set(err, OHC_EOS, (uint32_t)rc, "pthread_create: %s", strerror(rc));
    }
    *out = t;
    return OHC_OK;
}

int ohc_os_thread_join(ohc_os_thread *t, uint32_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    if (pthread_timedjoin_np(t->tid, NULL, &ts) != 0)
        return OHC_ETIMEOUT;
    free(t);
    return OHC_OK;
}

void ohc_os_thread_detach(ohc_os_thread *t)
{
    pthread_detach(t->tid);
    free(t);
}

struct ohc_os_mutex {
    pthread_mutex_t m;
};

struct ohc_os_cond {
    pthread_cond_t c;
};

int ohc_os_mutex_new(ohc_os_mutex **out, ohc_error *err)
{
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc = pthread_mutex_init(&(*out)->m, NULL);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        return ohc_error_set(err, OHC_EOS, (uint32_t)rc, "pthread_mutex_init: %s", strerror(rc));
    }
    return OHC_OK;
}

void ohc_os_mutex_free(ohc_os_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void ohc_os_mutex_lock(ohc_os_mutex *m)
{
    pthread_mutex_lock(&m->m);
}
void ohc_os_mutex_unlock(ohc_os_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

int ohc_os_cond_new(ohc_os_cond **out, ohc_error *err)
{
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc = pthread_cond_init(&(*out)->c, NULL);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        return ohc_error_set(err, OHC_EOS, (uint32_t)rc, "pthread_cond_init: %s", strerror(rc));
    }
    return OHC_OK;
}

void ohc_os_cond_free(ohc_os_cond *c)
{
    if (c == NULL)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

void ohc_os_cond_wait(ohc_os_cond *c, ohc_os_mutex *m)
{
    pthread_cond_wait(&c->c, &m->m);
}
void ohc_os_cond_broadcast(ohc_os_cond *c)
{
    pthread_cond_broadcast(&c->c);
}

unsigned ohc_os_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 4096 ? (unsigned)n : 1u;
}

const char *ohc_os_platform_name(void)
{
#if defined(__x86_64__)
    return "linux-x86_64";
#elif defined(__aarch64__)
    return "linux-arm64";
#else
    return "linux";
#endif
}

struct ohc_os_file {
    int fd;
};

int ohc_os_file_open_read(ohc_os_file **out, const char *path, ohc_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ohc_error_set(err, e == ENOENT ? OHC_ENOTFOUND : OHC_EIO, (uint32_t)e, "%s: %s", path, strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
        close(fd);
        return ohc_error_set(err, OHC_EIO, 0, "%s: is a directory", path);
    }
    ohc_os_file *f = malloc(sizeof *f);
    if (f == NULL) {
        close(fd);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    f->fd = fd;
    *out = f;
    return OHC_OK;
}

/* Fills buf unless the file ends (callers read fixed-size blocks): from the
 * file's position (off < 0) or at off. */
static int read_full(ohc_os_file *f, int64_t off, void *buf, size_t len, size_t *out_read, ohc_error *err)
{
    *out_read = 0;
    size_t got = 0;
    while (got < len) {
        ssize_t r = off < 0 ? read(f->fd, (char *)buf + got, len - got)
                            : pread(f->fd, (char *)buf + got, len - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            return ohc_error_set(err, OHC_EIO, (uint32_t)e, "read: %s", strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
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
    struct stat sb;
    return fstat(f->fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

void ohc_os_file_close(ohc_os_file *f)
{
    if (f == NULL)
        return;
    close(f->fd);
    free(f);
}
