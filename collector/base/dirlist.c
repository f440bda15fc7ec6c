#include "dirlist.h"

#include <stdlib.h>
#include <string.h>

int ohc_dirlist_add(ohc_dirlist *l, char *name, uint64_t size, int64_t mtime_ms, ohc_error *err)
{
    if (name == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ohc_os_dirent *v = cap <= SIZE_MAX / sizeof *v ? realloc(l->v, cap * sizeof *v) : NULL;
        if (v == NULL) {
            free(name);
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->count].name = name;
    l->v[l->count].size = size;
    l->v[l->count].mtime_ms = mtime_ms;
    l->count++;
    return OHC_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const ohc_os_dirent *)a)->name, ((const ohc_os_dirent *)b)->name);
}

int ohc_dirlist_finish(ohc_os_dirent **out, size_t *out_count, ohc_dirlist *l, int rc)
{
    *out = NULL;
    *out_count = 0;
    if (rc != OHC_OK) {
        ohc_os_dirents_free(l->v, l->count);
    } else {
        if (l->count > 1)
            qsort(l->v, l->count, sizeof *l->v, by_name);
        *out = l->v;
        *out_count = l->count;
    }
    l->v = NULL;
    l->count = l->cap = 0;
    return rc;
}

void ohc_os_dirents_free(ohc_os_dirent *list, size_t count)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(list[i].name);
    free(list);
}
