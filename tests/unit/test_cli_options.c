/* The option parser: GNU long and short forms, values, "--", help words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
