/* EventData from an event's XML: named and unnamed values, binary, entities,
 * UserData, and malformed input (never read past the given length: inputs are
 * exact-size heap copies, without a NUL, under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_xml.h"

/* Parses an exact-size copy of s, without its NUL. */
static int parse(ohc_event_xml *x, const char *s, ohc_error *err)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = ohc_event_xml_parse(x, copy, n, err);
    /* Values live in the arena, not in the input: freeing it must not matter. */
    free(copy);
    return rc;
}

#define HEAD                                                                                                           \
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/></System>"

static void test_named_values(void **state)
{
    (void)state;
    ohc_event_xml x = {0};
    assert_int_equal(parse(&x,
                           HEAD "<EventData>\n  <Data Name='url'>https://m/OAB/x/oab.xml?a=1&amp;b=2</Data>\n"
                                "  <Data Name=\"hr\">-2145844844</Data><Data Name='peer'></Data>"
                                "<Data Name='empty'/></EventData></Event>",
                           NULL),
                     OHC_OK);
    assert_int_equal(x.value_count, 4);
    assert_string_equal(x.values[0].name, "url");
    assert_string_equal(x.values[0].value, "https://m/OAB/x/oab.xml?a=1&b=2");
    assert_string_equal(x.values[1].name, "hr");
    assert_string_equal(x.values[1].value, "-2145844844");
    assert_string_equal(x.values[2].value, "");
    assert_string_equal(x.values[3].name, "empty");
    assert_string_equal(x.values[3].value, "");
    assert_false(x.has_binary);
    ohc_event_xml_free(&x);
}

static void test_classic_strings_and_binary(void **state)
{
    (void)state;
    ohc_event_xml x = {0};
    assert_int_equal(parse(&x,
                           HEAD "<EventData><Data>Result &lt;2&gt; &quot;x&quot; &apos;y&apos;</Data>"
                                "<Data>&#x41;&#66;&#xE9;&#x1F600;</Data><Binary>02000000FFab</Binary>"
                                "</EventData></Event>",
                           NULL),
                     OHC_OK);
    assert_int_equal(x.value_count, 2);
    assert_null(x.values[0].name);
    assert_string_equal(x.values[0].value, "Result <2> \"x\" 'y'");
    assert_string_equal(x.values[1].value, "AB\xC3\xA9\xF0\x9F\x98\x80");
    assert_true(x.has_binary);
    assert_int_equal(x.binary_len, 6);
    static const uint8_t want[] = {2, 0, 0, 0, 0xFF, 0xAB};
    assert_memory_equal(x.binary, want, 6);

    /* The buffers are reused: a second event replaces the first. */
    assert_int_equal(parse(&x, HEAD "<EventData/></Event>", NULL), OHC_OK);
    assert_int_equal(x.value_count, 0);
    assert_false(x.has_binary);
    assert_int_equal(parse(&x, HEAD "</Event>", NULL), OHC_OK); /* no data at all */
    assert_int_equal(x.value_count, 0);
    assert_int_equal(parse(&x, HEAD "<EventData><Binary></Binary></EventData></Event>", NULL), OHC_OK);
    assert_true(x.has_binary);
    assert_int_equal(x.binary_len, 0);
    ohc_event_xml_free(&x);
}

static void test_user_data(void **state)
{
    (void)state;
    ohc_event_xml x = {0};
    assert_int_equal(parse(&x,
                           HEAD "<UserData><LimitReached xmlns='urn:x'><User>CONTOSO\\bob</User>"
                                "<Limit>60</Limit><Note/></LimitReached></UserData></Event>",
                           NULL),
                     OHC_OK);
    assert_int_equal(x.value_count, 3);
    assert_string_equal(x.values[0].name, "User");
    assert_string_equal(x.values[0].value, "CONTOSO\\bob");
    assert_string_equal(x.values[1].name, "Limit");
    assert_string_equal(x.values[1].value, "60");
    assert_string_equal(x.values[2].name, "Note");
    assert_string_equal(x.values[2].value, "");
    ohc_event_xml_free(&x);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        HEAD "<EventData><Data Name='a'>v", /* cut inside a value */
        HEAD "<EventData><Data Name='a'>v</Data>", /* EventData never closed */
        HEAD "<EventData><Data Name='a>v</Data></EventData>", /* attribute never closed */
        HEAD "<EventData><Data>&bogus;</Data></EventData>", /* unknown entity */
        HEAD "<EventData><Data>&#xD800;</Data></EventData>", /* surrogate reference */
        HEAD "<EventData><Data>&#x110000;</Data></EventData>", /* beyond Unicode */
        HEAD "<EventData><Data>&#;</Data></EventData>", /* empty reference */
        HEAD "<EventData><Data>a & b</Data></EventData>", /* bare ampersand */
        HEAD "<EventData><Binary>123</Binary></EventData>", /* odd hex */
        HEAD "<EventData><Binary>zz</Binary></EventData>", /* not hex */
        HEAD "<EventData><Data><b>x</b></Data></EventData>", /* element in a value */
        HEAD "<EventData><Other/></EventData>", /* unknown element */
        HEAD "<UserData><W><a>1</a>", /* UserData cut */
        "<EventData", /* cut in the tag */
    };
    ohc_event_xml x = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ohc_error err;
        ohc_error_clear(&err);
        int rc = parse(&x, bad[i], &err);
        if (i == sizeof bad / sizeof bad[0] - 1) {
            assert_int_equal(rc, OHC_OK); /* "<EventData" with nothing after is no EventData */
            continue;
        }
        if (rc != OHC_EMALFORMED)
            fail_msg("case %zu parsed: %s", i, bad[i]);
        assert_int_equal(x.value_count, 0);
        assert_false(x.has_binary);
        assert_non_null(strstr(err.message, "event XML"));
    }
    ohc_event_xml_free(&x);
}

static void test_value_count_bounded(void **state)
{
    (void)state;
    size_t n = OHC_EVENT_XML_MAX_VALUES + 1;
    size_t cap = 64 + n * 16;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t len = (size_t)snprintf(s, cap, "<EventData>");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "<Data>%zu</Data>", i % 10);
    snprintf(s + len, cap - len, "</EventData>");
    ohc_event_xml x = {0};
    ohc_error err;
    assert_int_equal(parse(&x, s, &err), OHC_EMALFORMED);
    assert_non_null(strstr(err.message, "256"));
    s[strlen("<EventData>") + (n - 1) * 14] = '\0'; /* 256 values fit; cut the last one and close */
    strcat(s, "</EventData>");
    assert_int_equal(parse(&x, s, &err), OHC_OK);
    assert_int_equal(x.value_count, OHC_EVENT_XML_MAX_VALUES);
    free(s);
    ohc_event_xml_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_values),        cmocka_unit_test(test_classic_strings_and_binary),
        cmocka_unit_test(test_user_data),           cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_value_count_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
