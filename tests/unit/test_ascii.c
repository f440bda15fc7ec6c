/* ASCII case folding: only A-Z fold, UTF-8 bytes compare exactly, NULL is "". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ascii.h"

static void test_ieq(void **state)
{
    (void)state;
    assert_true(
        ohc_ascii_ieq("Microsoft-Windows-Bits-Client/Operational", "microsoft-windows-bits-client/OPERATIONAL"));
    assert_true(ohc_ascii_ieq("", ""));
    assert_true(ohc_ascii_ieq(NULL, ""));
    assert_true(ohc_ascii_ieq(NULL, NULL));
    assert_false(ohc_ascii_ieq("Outlook", "Outlook2"));
    assert_false(ohc_ascii_ieq("Outlook2", "Outlook"));
    assert_false(ohc_ascii_ieq("a", NULL));
    assert_false(ohc_ascii_ieq("@", "`")); /* neighbours of the letters do not fold */
    assert_false(ohc_ascii_ieq("[", "{"));
    assert_false(ohc_ascii_ieq("\xc3\x84", "\xc3\xa4")); /* UTF-8 A and a umlaut: not ASCII, exact */
    assert_true(ohc_ascii_ieq("\xc3\x84X", "\xc3\x84x"));
}

static void test_casecmp_orders(void **state)
{
    (void)state;
    assert_int_equal(ohc_ascii_casecmp("UploadUrl", "uploadurl"), 0);
    assert_true(ohc_ascii_casecmp("a", "B") < 0);
    assert_true(ohc_ascii_casecmp("B", "a") > 0);
    assert_true(ohc_ascii_casecmp("ab", "AB c") < 0);
    assert_true(ohc_ascii_casecmp("\xff", "a") > 0); /* bytes compare unsigned */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ieq),
        cmocka_unit_test(test_casecmp_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
