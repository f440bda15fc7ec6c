/* Scratch folders for the unit tests on the real file system, on either
 * platform (under Wine: the Windows temp folder). Header-only: each test
 * executable includes it once. */
#ifndef OHC_TEST_SCRATCH_DIR_H
#define OHC_TEST_SCRATCH_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* rmdir; mingw has it too */

#include "os.h"
#include "report.h"

/* out = <temp>/ohc-<leaf>-<uuid> (not created). */
static inline void scratch_dir(char *out, size_t size, const char *leaf)
{
    char base[512];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    char id[37];
    if (ohc_uuid_v4(id, NULL) != OHC_OK)
        snprintf(id, sizeof id, "%d", rand());
    snprintf(out, size, "%s%cohc-%s-%s", base, ohc_os_path_sep(), leaf, id);
}

/* Removes a scratch spool: its files, its two sub-folders, itself. */
static inline void remove_scratch_spool(const char *dir)
{
    static const char *const subs[] = {"quarantine", "rejected", NULL};
    for (int level = 0; level < 3; level++) {
        char d[800];
        if (level < 2)
            snprintf(d, sizeof d, "%s%c%s", dir, ohc_os_path_sep(), subs[level]);
        else
            snprintf(d, sizeof d, "%s", dir);
        ohc_os_dirent *v = NULL;
        size_t n = 0;
        if (ohc_os_list_dir(&v, &n, d, NULL) == OHC_OK) {
            for (size_t i = 0; i < n; i++) {
                char f[1100];
                snprintf(f, sizeof f, "%s%c%s", d, ohc_os_path_sep(), v[i].name);
                ohc_os_remove(f, NULL);
            }
            ohc_os_dirents_free(v, n);
        }
        rmdir(d);
    }
}

#endif
