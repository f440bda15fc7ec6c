#include "spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

#define DEFAULT_MAX_COUNT 1000u
#define DEFAULT_MAX_BYTES (50ull << 20)
#define DEFAULT_MAX_AGE_DAYS 30u
#define STALE_TEMP_MS (3600ll * 1000)

int ohc_spool_path(char *out, size_t size, const ohc_spool *sp, const char *name, const char *name2)
{
    int n = name2 ? snprintf(out, size, "%s%c%s%c%s", sp->dir, sp->sep, name, sp->sep, name2)
                  : snprintf(out, size, "%s%c%s", sp->dir, sp->sep, name);
    return n < 0 || (size_t)n >= size ? OHC_ELIMIT : OHC_OK;
}

int ohc_spool_open(ohc_spool *out, const char *dir, const ohc_spool_limits *limits, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    out->sep = ohc_os_path_sep();
    if (dir != NULL) {
        size_t n = strlen(dir);
        while (n > 1 && (dir[n - 1] == '/' || dir[n - 1] == '\\'))
            n--;
        if (n == 0 || n >= sizeof out->dir)
            return ohc_error_set(err, OHC_EINVAL, 0, "spool directory path is empty or too long");
        memcpy(out->dir, dir, n);
        out->dir[n] = '\0';
    } else {
        char base[OHC_SPOOL_PATH_MAX - 8];
        int rc = ohc_os_state_dir(base, sizeof base, err);
        if (rc != OHC_OK)
            return rc;
        snprintf(out->dir, sizeof out->dir, "%s%cspool", base, out->sep);
    }
    if (limits != NULL)
        out->limits = *limits;
    if (out->limits.max_count == 0)
        out->limits.max_count = DEFAULT_MAX_COUNT;
    if (out->limits.max_bytes == 0)
        out->limits.max_bytes = DEFAULT_MAX_BYTES;
    if (out->limits.max_age_days == 0)
        out->limits.max_age_days = DEFAULT_MAX_AGE_DAYS;
    ohc_error e2;
    int rc = ohc_os_mkdir_p(out->dir, &e2);
    if (rc != OHC_OK)
        return ohc_error_set(err, rc, e2.os_code, "cannot create the spool %s: %s", out->dir, e2.message);
    ohc_spool_remove_orphans(out);
    return OHC_OK;
}

/* The writer of "<name>.tmp.<pid>" (ohc_os_write_file_atomic), or 0. */
static uint32_t temp_writer(const char *name)
{
    const char *t = strstr(name, ".tmp.");
    if (t == NULL || t[5] == '\0')
        return 0;
    uint64_t pid = 0;
    for (const char *p = t + 5; *p; p++) {
        if (*p < '0' || *p > '9' || pid > UINT32_MAX / 10)
            return 0;
        pid = pid * 10 + (uint64_t)(*p - '0');
    }
    return pid <= UINT32_MAX ? (uint32_t)pid : 0;
}

static int temp_is_orphan(const char *name, int64_t mtime_ms, int64_t now_ms)
{
    if (strstr(name, ".tmp.") == NULL)
        return 0;
    uint32_t pid = temp_writer(name);
    /* The writer is gone (killed mid-write): the file is never a whole report.
     * An hour old counts as gone too (a writer on another machine sharing the
     * folder, or a name without a pid). A live writer's file is never touched. */
    if (pid != 0 && pid != ohc_os_process_id() && !ohc_os_process_alive(pid))
        return 1;
    return now_ms - mtime_ms > STALE_TEMP_MS;
}

unsigned ohc_spool_remove_orphans(ohc_spool *sp)
{
    ohc_os_dirent *files = NULL;
    size_t nfiles = 0;
    unsigned removed = 0;
    if (ohc_os_list_dir(&files, &nfiles, sp->dir, NULL) != OHC_OK)
        return 0;
    int64_t now = ohc_os_utc_now_ms();
    for (size_t i = 0; i < nfiles; i++) {
        char path[OHC_SPOOL_PATH_MAX + 80];
        if (temp_is_orphan(files[i].name, files[i].mtime_ms, now) &&
            ohc_spool_path(path, sizeof path, sp, files[i].name, NULL) == OHC_OK && ohc_os_remove(path, NULL) == OHC_OK)
            removed++;
    }
    ohc_os_dirents_free(files, nfiles);
    return removed;
}

int ohc_spool_name_valid(const char *name)
{
    /* 13 digits, '-', 36 chars of a lower-case UUID, ".json" */
    if (strlen(name) != 13 + 1 + 36 + 5)
        return 0;
    for (int i = 0; i < 13; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    if (name[13] != '-')
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = name[14 + i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return !strcmp(name + 50, ".json");
}

static int valid_uuid(const char *id)
{
    char name[64];
    snprintf(name, sizeof name, "0000000000000-%.40s.json", id);
    return ohc_spool_name_valid(name);
}

static int64_t name_time(const char *name)
{
    int64_t t = 0;
    for (int i = 0; i < 13; i++)
        t = t * 10 + (name[i] - '0');
    return t;
}

/* dropped.count holds one decimal number; anything else reads as 0. */
unsigned ohc_spool_dropped(const ohc_spool *sp)
{
    char path[OHC_SPOOL_PATH_MAX + 32];
    char *data = NULL;
    size_t len = 0;
    if (ohc_spool_path(path, sizeof path, sp, "dropped.count", NULL) != OHC_OK ||
        ohc_os_read_file(&data, &len, path, 32, NULL) != OHC_OK)
        return 0;
    unsigned long v = strtoul(data, NULL, 10);
    free(data);
    return v > 0xFFFFFFFFul ? 0xFFFFFFFFu : (unsigned)v;
}

static void dropped_set(ohc_spool *sp, unsigned v)
{
    char path[OHC_SPOOL_PATH_MAX + 32], num[16];
    if (ohc_spool_path(path, sizeof path, sp, "dropped.count", NULL) != OHC_OK)
        return;
    int n = snprintf(num, sizeof num, "%u\n", v);
    ohc_os_write_file_atomic(path, num, (size_t)n, NULL);
}

void ohc_spool_dropped_consume(ohc_spool *sp, unsigned n)
{
    unsigned cur = ohc_spool_dropped(sp);
    dropped_set(sp, cur > n ? cur - n : 0);
}

int ohc_spool_list(ohc_spool_entry **out, size_t *out_count, ohc_spool *sp, ohc_error *err)
{
    *out = NULL;
    *out_count = 0;
    ohc_os_dirent *files = NULL;
    size_t nfiles = 0;
    int rc = ohc_os_list_dir(&files, &nfiles, sp->dir, err);
    if (rc != OHC_OK)
        return rc;
    ohc_spool_entry *v = calloc(nfiles ? nfiles : 1, sizeof *v);
    if (v == NULL) {
        ohc_os_dirents_free(files, nfiles);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    int64_t now = ohc_os_utc_now_ms();
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        const char *name = files[i].name;
        size_t len = strlen(name);
        if (ohc_spool_name_valid(name) && files[i].size <= OHC_SPOOL_FILE_MAX) {
            snprintf(v[n].name, sizeof v[n].name, "%s", name);
            v[n].size = files[i].size;
            v[n].created_ms = name_time(name);
            n++;
        } else if (len > 5 && !strcmp(name + len - 5, ".json")) {
            ohc_spool_set_aside(sp, name, "quarantine",
                                files[i].size > OHC_SPOOL_FILE_MAX ? "larger than any report" : "not a spool file name",
                                NULL);
        } else if (temp_is_orphan(name, files[i].mtime_ms, now)) {
            /* a write that was killed before its rename: never a whole report */
            char path[OHC_SPOOL_PATH_MAX + 80];
            if (ohc_spool_path(path, sizeof path, sp, name, NULL) == OHC_OK)
                ohc_os_remove(path, NULL);
        }
    }
    ohc_os_dirents_free(files, nfiles); /* it was in name order, and so is v */
    *out = v;
    *out_count = n;
    return OHC_OK;
}

int ohc_spool_remove(ohc_spool *sp, const char *name, ohc_error *err)
{
    char path[OHC_SPOOL_PATH_MAX + 80];
    if (ohc_spool_path(path, sizeof path, sp, name, NULL) != OHC_OK)
        return ohc_error_set(err, OHC_ELIMIT, 0, "spool path too long");
    int rc = ohc_os_remove(path, err);
    return rc == OHC_ENOTFOUND ? OHC_OK : rc;
}

int ohc_spool_set_aside(ohc_spool *sp, const char *name, const char *where, const char *note, ohc_error *err)
{
    char sub[OHC_SPOOL_PATH_MAX + 32], from[OHC_SPOOL_PATH_MAX + 80], to[OHC_SPOOL_PATH_MAX + 128];
    if (ohc_spool_path(sub, sizeof sub, sp, where, NULL) != OHC_OK ||
        ohc_spool_path(from, sizeof from, sp, name, NULL) != OHC_OK ||
        ohc_spool_path(to, sizeof to, sp, where, name) != OHC_OK)
        return ohc_error_set(err, OHC_ELIMIT, 0, "spool path too long");
    int rc = ohc_os_mkdir_p(sub, err);
    if (rc != OHC_OK)
        return rc;
    if (note != NULL) {
        /* the note first: a kill between the two leaves the report in place, retried */
        char npath[OHC_SPOOL_PATH_MAX + 136];
        snprintf(npath, sizeof npath, "%s.txt", to);
        ohc_os_write_file_atomic(npath, note, strlen(note), NULL);
    }
    return ohc_os_rename(from, to, err);
}

int ohc_spool_enforce(ohc_spool *sp, int64_t now_ms, const char *keep_name, unsigned *out_dropped, ohc_error *err)
{
    if (out_dropped)
        *out_dropped = 0;
    ohc_spool_entry *v = NULL;
    size_t n = 0;
    int rc = ohc_spool_list(&v, &n, sp, err);
    if (rc != OHC_OK)
        return rc;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    int64_t oldest_ok = now_ms - (int64_t)sp->limits.max_age_days * 86400000ll;
    size_t count = n;
    unsigned dropped = 0;
    for (size_t i = 0; i < n; i++) { /* oldest first */
        int over = count > sp->limits.max_count || total > sp->limits.max_bytes || v[i].created_ms < oldest_ok;
        if (!over)
            break;
        if (keep_name != NULL && !strcmp(v[i].name, keep_name))
            continue;
        if (ohc_spool_remove(sp, v[i].name, NULL) == OHC_OK) {
            dropped++;
            count--;
            total -= v[i].size;
        }
    }
    free(v);
    if (dropped > 0)
        dropped_set(sp, ohc_spool_dropped(sp) + dropped);
    if (out_dropped)
        *out_dropped = dropped;
    return OHC_OK;
}

int ohc_spool_add(ohc_spool *sp, char out_name[64], unsigned *out_dropped, const char *report_id, const void *json,
                  size_t len, ohc_error *err)
{
    if (out_dropped)
        *out_dropped = 0;
    if (report_id == NULL || !valid_uuid(report_id))
        return ohc_error_set(err, OHC_EMALFORMED, 0, "the report has no valid report_id");
    if (len > OHC_SPOOL_FILE_MAX)
        return ohc_error_set(err, OHC_ELIMIT, 0, "report too large for the spool (%zu bytes)", len);
    char name[64], path[OHC_SPOOL_PATH_MAX + 80];
    int64_t now = ohc_os_utc_now_ms();
    snprintf(name, sizeof name, "%013lld-%s.json", (long long)(now < 0 ? 0 : now), report_id);
    if (ohc_spool_path(path, sizeof path, sp, name, NULL) != OHC_OK)
        return ohc_error_set(err, OHC_ELIMIT, 0, "spool path too long");
    int rc = ohc_os_write_file_atomic(path, json, len, err);
    if (rc != OHC_OK)
        return rc;
    if (out_name != NULL)
        snprintf(out_name, 64, "%s", name);
    /* the report is safe in the spool; failing to apply the bounds is not fatal */
    ohc_spool_enforce(sp, now, name, out_dropped, NULL);
    return OHC_OK;
}
