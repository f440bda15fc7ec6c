/* Directory listings (dirlist.h, os.h): the portable builder that both OS
 * halves use (growth, ownership of names, failure, name order), and
 * ohc_os_list_dir itself on a scratch directory of this platform (natively,
 * and under Wine the Windows one): regular files only, sorted, sizes, a
 * missing directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h> /* rmdir; mingw has it too */

#include "dirlist.h"
#include "os.h"
#include "report.h"

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    assert_non_null(d);
    return strcpy(d, s);
}

static void test_builder_sorts_by_name(void **state)
{
    (void)state;
    ohc_dirlist l = OHC_DIRLIST_INIT;
    /* More than one growth step, in reverse order, with byte-order traps. */
    char name[32];
    for (int i = 199; i >= 0; i--) {
        snprintf(name, sizeof name, "r%03d.json", i);
        assert_int_equal(ohc_dirlist_add(&l, dup_str(name), (uint64_t)i, -i, NULL), OHC_OK);
    }
    assert_int_equal(ohc_dirlist_add(&l, dup_str("Z.json"), 7, 0, NULL), OHC_OK);
    assert_int_equal(ohc_dirlist_add(&l, dup_str("\xC3\xA9.json"), 8, 0, NULL), OHC_OK); /* é: after ASCII */
    ohc_os_dirent *v;
    size_t n;
    assert_int_equal(ohc_dirlist_finish(&v, &n, &l, OHC_OK), OHC_OK);
    assert_null(l.v);
    assert_int_equal(n, 202);
    assert_string_equal(v[0].name, "Z.json"); /* upper case first: strcmp, not a locale */
    assert_int_equal(v[0].size, 7);
    assert_string_equal(v[1].name, "r000.json");
    assert_string_equal(v[200].name, "r199.json");
    assert_int_equal(v[200].size, 199);
    assert_int_equal(v[200].mtime_ms, -199);
    assert_string_equal(v[201].name, "\xC3\xA9.json");
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(v[i - 1].name, v[i].name) < 0);
    ohc_os_dirents_free(v, n);

    /* Empty. */
    assert_int_equal(ohc_dirlist_finish(&v, &n, &l, OHC_OK), OHC_OK);
    assert_int_equal(n, 0);
    ohc_os_dirents_free(v, n);
    ohc_os_dirents_free(NULL, 0);
}

static void test_builder_failure_frees(void **state)
{
    (void)state;
    ohc_dirlist l = OHC_DIRLIST_INIT;
    assert_int_equal(ohc_dirlist_add(&l, dup_str("a"), 1, 0, NULL), OHC_OK);
    assert_int_equal(ohc_dirlist_add(&l, dup_str("b"), 1, 0, NULL), OHC_OK);
    /* The OS half could not make a name: out of memory, reported with err. */
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_dirlist_add(&l, NULL, 1, 0, &err), OHC_ENOMEM);
    assert_int_equal(err.code, OHC_ENOMEM);
    ohc_os_dirent *v = (ohc_os_dirent *)&l; /* anything but NULL */
    size_t n = 99;
    /* A failure frees what was listed (ASan checks) and hands out nothing. */
    assert_int_equal(ohc_dirlist_finish(&v, &n, &l, OHC_ENOMEM), OHC_ENOMEM);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_null(l.v);
    assert_int_equal(l.count, 0);
}

static void scratch_path(char *out, size_t size, const char *dir, const char *leaf)
{
    snprintf(out, size, "%s%c%s", dir, ohc_os_path_sep(), leaf);
}

static void test_list_dir(void **state)
{
    (void)state;
    char base[512], dir[700], p[800];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    char id[37];
    assert_int_equal(ohc_uuid_v4(id, NULL), OHC_OK);
    snprintf(dir, sizeof dir, "%s%cohc-dirlist-%s", base, ohc_os_path_sep(), id);

    ohc_os_dirent *v = NULL;
    size_t n = 0;
    assert_int_equal(ohc_os_list_dir(&v, &n, dir, NULL), OHC_ENOTFOUND);
    assert_null(v);

    static const char *const files[] = {"b.json", "a.json", "C.txt", "a"};
    char sub[800];
    scratch_path(sub, sizeof sub, dir, "d.json");
    assert_int_equal(ohc_os_mkdir_p(sub, NULL), OHC_OK); /* a directory: not listed */
    for (size_t i = 0; i < 4; i++) {
        scratch_path(p, sizeof p, dir, files[i]);
        assert_int_equal(ohc_os_write_file_atomic(p, "12345", i + 1, NULL), OHC_OK);
    }
    int64_t now = ohc_os_utc_now_ms();
    assert_int_equal(ohc_os_list_dir(&v, &n, dir, NULL), OHC_OK);
    assert_int_equal(n, 4);
    static const char *const sorted[] = {"C.txt", "a", "a.json", "b.json"};
    static const uint64_t sizes[] = {3, 4, 2, 1};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].name, sorted[i]);
        assert_int_equal(v[i].size, sizes[i]);
        assert_true(v[i].mtime_ms > now - 600000 && v[i].mtime_ms < now + 600000);
    }
    for (size_t i = 0; i < n; i++) {
        scratch_path(p, sizeof p, dir, v[i].name);
        assert_int_equal(ohc_os_remove(p, NULL), OHC_OK);
    }
    ohc_os_dirents_free(v, n);
    rmdir(sub);
    assert_int_equal(ohc_os_list_dir(&v, &n, dir, NULL), OHC_OK);
    assert_int_equal(n, 0);
    ohc_os_dirents_free(v, n);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_sorts_by_name),
        cmocka_unit_test(test_builder_failure_frees),
        cmocka_unit_test(test_list_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
