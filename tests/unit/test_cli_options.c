/* The option parser: GNU long and short forms, values, "--", help words;
 * the upload options shared by `ohc upload` and `ohc collect --upload`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"
#include "cmd_upload.h"

static const ohc_opt opts[] = {
    {"out", 'o', 1, 1},
    {"upload", 0, 0, 2},
    {NULL, 0, 0, 0},
};

static void test_forms(void **state)
{
    (void)state;
    char *argv[] = {"collect", "--out=a", "-o", "b", "--out", "c", "--upload", "pos", "--", "--upload", NULL};
    int argc = 10;
    ohc_opt_state st = {1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), 1);
    assert_string_equal(st.value, "a");
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), 1);
    assert_string_equal(st.value, "b");
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), 1);
    assert_string_equal(st.value, "c");
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), 2);
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), OHC_OPT_POSITIONAL);
    assert_string_equal(st.value, "pos");
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), OHC_OPT_POSITIONAL);
    assert_string_equal(st.value, "--upload"); /* after "--" */
    assert_int_equal(ohc_opt_next(&st, argc, argv, opts), OHC_OPT_END);
}

static void test_errors(void **state)
{
    (void)state;
    char *a1[] = {"collect", "--nope"};
    ohc_opt_state st = {1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a1, opts), OHC_OPT_ERROR);
    assert_string_equal(st.error, "unknown option '--nope'");
    char *a2[] = {"collect", "--out"};
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a2, opts), OHC_OPT_ERROR);
    assert_string_equal(st.error, "option '--out' needs a value");
    char *a3[] = {"collect", "--upload=yes"};
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a3, opts), OHC_OPT_ERROR);
    char *a4[] = {"collect", "-ox"};
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a4, opts), OHC_OPT_ERROR);
    char *a5[] = {"collect", "/?"};
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a5, opts), OHC_OPT_HELP);
    char *a6[] = {"collect", "-"}; /* "-" alone is a positional (stdin by convention) */
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 2, a6, opts), OHC_OPT_POSITIONAL);
}

/* A command's own options with the shared upload ones spliced in, as
 * cmd_collect.c does. */
static const ohc_opt with_upload[] = {
    {"out", 'o', 1, 1},
    OHC_UPLOAD_COMMON_OPTS,
    {NULL, 0, 0, 0},
};

static void test_upload_common_opts(void **state)
{
    (void)state;
    char *argv[] = {"collect",
                    "--out",
                    "r.json",
                    "--url=https://c.example/r",
                    "--allow-http",
                    "--spool",
                    "s",
                    "--token-file",
                    "t",
                    "--ca-file",
                    "ca.pem",
                    "--proxy",
                    "http://p:8080",
                    "--timeout",
                    "30"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    static const int ids[] = {1,
                              OHC_UPOPT_URL,
                              OHC_UPOPT_ALLOW_HTTP,
                              OHC_UPOPT_SPOOL,
                              OHC_UPOPT_TOKEN_FILE,
                              OHC_UPOPT_CA_FILE,
                              OHC_UPOPT_PROXY,
                              OHC_UPOPT_TIMEOUT};
    ohc_opt_state st = {1, 0, NULL, ""};
    ohc_upload_args a;
    ohc_upload_args_init(&a, NULL);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        int id = ohc_opt_next(&st, argc, argv, with_upload);
        assert_int_equal(id, ids[i]);
        if (id >= OHC_UPOPT_URL)
            assert_int_equal(ohc_upload_args_option(&a, id, st.value, "collect"), 0);
    }
    assert_int_equal(ohc_opt_next(&st, argc, argv, with_upload), OHC_OPT_END);
    assert_string_equal(a.url, "https://c.example/r");
    assert_true(a.allow_http);
    assert_string_equal(a.spool_dir, "s");
    assert_string_equal(a.token_file, "t");
    assert_string_equal(a.ca_file, "ca.pem");
    assert_string_equal(a.proxy, "http://p:8080");
    assert_int_equal(a.timeout_ms, 30000);
    ohc_upload_args_free(&a);

    /* The options of `ohc upload` alone are not spliced in. */
    char *only[] = {"collect", "--attempts", "3"};
    st = (ohc_opt_state){1, 0, NULL, ""};
    assert_int_equal(ohc_opt_next(&st, 3, only, with_upload), OHC_OPT_ERROR);

    /* `ohc upload`'s table starts with the same entries, then has its own;
     * every id in it is one ohc_upload_args_option handles. */
    static const ohc_opt common[] = {OHC_UPLOAD_COMMON_OPTS};
    const ohc_opt *all = ohc_upload_opts();
    size_t n = 0;
    for (; all[n].long_name != NULL; n++) {
        if (n < sizeof common / sizeof common[0]) {
            assert_string_equal(all[n].long_name, common[n].long_name);
            assert_int_equal(all[n].id, common[n].id);
            assert_int_equal(all[n].takes_value, common[n].takes_value);
        }
        ohc_upload_args_init(&a, NULL);
        assert_int_not_equal(ohc_upload_args_option(&a, all[n].id, "1", "upload"), -1);
        ohc_upload_args_free(&a);
    }
    assert_true(n > sizeof common / sizeof common[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_upload_common_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
