/* Secrets in memory (secret.h): ohc_secret_wipe zeroes exactly what it is
 * given; ohc_secret_free takes NULL, empty and other heap strings (ASan
 * checks the frees). That -O2 keeps the wipes was checked in the assembly
 * (a test cannot read freed or dead memory without undefined behaviour). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

static void test_wipe(void **state)
{
    (void)state;
    char buf[16];
    memset(buf, 'x', sizeof buf);
    ohc_secret_wipe(buf + 2, 10);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(buf[1], 'x');
    for (size_t i = 2; i < 12; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(buf[12], 'x');
    ohc_secret_wipe(NULL, 0);
    ohc_secret_wipe(buf, 0);
    assert_int_equal(buf[0], 'x');
}

static void test_free_string(void **state)
{
    (void)state;
    ohc_secret_free(NULL);
    char *s = malloc(8);
    assert_non_null(s);
    memcpy(s, "secret", 7);
    ohc_secret_free(s);
    char *e = malloc(1);
    assert_non_null(e);
    e[0] = '\0';
    ohc_secret_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_free_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
