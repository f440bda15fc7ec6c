/* Outlook Event 27 decoding: reason DWORD and KB843483 texts, the OAB name in
 * UTF-16, HRESULTs in strings and message, kind from level, and every
 * malformed shape (run under ASan/UBSan natively, so a read past the data
 * fails the test). Binary data is copied into exact-size heap buffers for the
 * same reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "event27.h"

/* An exact-size heap copy, so that ASan sees any read past the end. */
static uint8_t *heap(const void *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, data, len);
    return p;
}

/* Binary data laid out like the field sample: reason DWORD, raw fields, then
 * "\Global Address List" in UTF-16LE at 0x90 with its terminator. */
static size_t sample_binary(uint8_t *buf, size_t size, uint32_t reason, int terminated)
{
    static const char name[] = "\\Global Address List";
    size_t len = 0x90 + (sizeof name - 1) * 2 + (terminated ? 2 : 0);
    assert_true(len <= size);
    memset(buf, 0, len);
    buf[0] = (uint8_t)reason;
    buf[1] = (uint8_t)(reason >> 8);
    buf[2] = (uint8_t)(reason >> 16);
    buf[3] = (uint8_t)(reason >> 24);
    /* Undocumented fields: numbers that must not be taken for text. */
    buf[8] = 0x05;
    buf[12] = 0xFF;
    buf[13] = 0x01;
    for (size_t i = 0; i + 1 < sizeof name; i++) {
        buf[0x90 + 2 * i] = (uint8_t)name[i];
        buf[0x90 + 2 * i + 1] = 0;
    }
    return len;
}

static ohc_event_record record(uint8_t level, const uint8_t *bin, size_t len)
{
    ohc_event_record r;
    memset(&r, 0, sizeof r);
    r.channel = "Application";
    r.provider = "Outlook";
    r.event_id = 27;
    r.level = level;
    r.binary = bin;
    r.binary_len = len;
    return r;
}

static void test_failure_reason_2_and_name(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = sample_binary(buf, sizeof buf, 2, 1);
    uint8_t *bin = heap(buf, len);
    ohc_event_value values[] = {{NULL, "Outlook"}, {NULL, "Result Code 0x80190194 during OAB download"}};
    ohc_event_record r = record(2, bin, len);
    r.values = values;
    r.value_count = 2;
    r.message = "The download failed: 0x80190194. Also 0x80200049.";
    assert_true(ohc_event27_matches(&r));

    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.kind, OHC_EVENT27_FAILURE);
    assert_true(ev.has_reason);
    assert_int_equal(ev.reason_code, 2);
    assert_true(ev.reason_known);
    assert_string_equal(ev.reason_text, "A full download was forced manually");
    assert_string_equal(ev.oab_name, "\\Global Address List");
    assert_int_equal(ev.hr_count, 2); /* distinct, in order: strings first, then message */
    assert_int_equal(ev.hrs[0], 0x80190194u);
    assert_int_equal(ev.hrs[1], 0x80200049u);
    assert_null(ev.malformed);

    cJSON *j = ohc_event27_to_json(&ev);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "failure");
    assert_int_equal(cJSON_GetObjectItem(j, "reason_code")->valueint, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "reason_known")));
    assert_string_equal(cJSON_GetObjectItem(j, "oab_name")->valuestring, "\\Global Address List");
    cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hrs"), 0);
    assert_string_equal(cJSON_GetObjectItem(h0, "hr_hex")->valuestring, "0x80190194");
    assert_true(cJSON_GetObjectItem(h0, "hr")->valuedouble == 2149122452.0);
    assert_string_equal(cJSON_GetObjectItem(h0, "hr_name")->valuestring, "BG_E_HTTP_ERROR_404");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "malformed")));
    cJSON_Delete(j);
    free(bin);
}

static void test_reason_8_and_start_kind(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = sample_binary(buf, sizeof buf, 8, 1);
    uint8_t *bin = heap(buf, len);
    ohc_event_record r = record(4, bin, len);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.kind, OHC_EVENT27_START);
    assert_int_equal(ev.reason_code, 8);
    assert_true(ev.reason_known);
    assert_non_null(strstr(ev.reason_text, "GUIDs differ"));
    assert_int_equal(ev.hr_count, 0);
    free(bin);
}

static void test_unknown_reason_is_raw(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = sample_binary(buf, sizeof buf, 0x20, 1);
    uint8_t *bin = heap(buf, len);
    ohc_event_record r = record(3, bin, len);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.kind, OHC_EVENT27_FAILURE);
    assert_int_equal(ev.reason_code, 0x20);
    assert_false(ev.reason_known);
    assert_string_equal(ev.reason_text, "unknown");
    assert_null(ev.malformed);
    /* 0 is not a KB843483 code either, nor is anything past 0x0E. */
    assert_null(ohc_event27_reason_text(0));
    assert_non_null(ohc_event27_reason_text(0x0E));
    assert_null(ohc_event27_reason_text(0x0F));
    assert_null(ohc_event27_reason_text(0xFFFFFFFFu));
    free(bin);
}

static void test_kind_from_level(void **state)
{
    (void)state;
    static const struct {
        uint8_t level;
        ohc_event27_kind kind;
    } cases[] = {{0, OHC_EVENT27_START}, {1, OHC_EVENT27_FAILURE}, {2, OHC_EVENT27_FAILURE}, {3, OHC_EVENT27_FAILURE},
                 {4, OHC_EVENT27_START}, {5, OHC_EVENT27_INFO},    {200, OHC_EVENT27_INFO}};
    uint8_t *bin = heap("\x01\x00\x00\x00", 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ohc_event_record r = record(cases[i].level, bin, 4);
        ohc_event27 ev;
        ohc_event27_decode(&ev, &r);
        assert_int_equal(ev.kind, cases[i].kind);
        assert_int_equal(ev.reason_code, 1);
        assert_string_equal(ev.oab_name, ""); /* 4 bytes: a reason and nothing else */
        assert_null(ev.malformed);
    }
    free(bin);
}

static void test_malformed_short_binary(void **state)
{
    (void)state;
    for (size_t len = 0; len < 4; len++) {
        uint8_t *bin = heap("\x02\x00\x00", len);
        ohc_event_record r = record(2, len ? bin : NULL, len);
        ohc_event27 ev;
        ohc_event27_decode(&ev, &r);
        assert_false(ev.has_reason);
        assert_false(ev.reason_known);
        assert_null(ev.reason_text);
        assert_non_null(ev.malformed);
        cJSON *j = ohc_event27_to_json(&ev);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "reason_code")));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "malformed")));
        cJSON_Delete(j);
        free(bin);
    }
    /* A zero-length binary that is present is as bad as none. */
    uint8_t *bin = heap("", 0);
    ohc_event_record r = record(2, bin, 0);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_string_equal(ev.malformed, "no binary data");
    free(bin);
}

static void test_malformed_odd_length(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = sample_binary(buf, sizeof buf, 1, 1);
    buf[len] = 0xAB;
    uint8_t *bin = heap(buf, len + 1);
    ohc_event_record r = record(2, bin, len + 1);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.reason_code, 1);
    assert_string_equal(ev.oab_name, "\\Global Address List");
    assert_string_equal(ev.malformed, "binary data has an odd length");
    free(bin);
}

static void test_malformed_unterminated_name(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = sample_binary(buf, sizeof buf, 7, 0); /* name runs to the very end */
    uint8_t *bin = heap(buf, len);
    ohc_event_record r = record(2, bin, len);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.reason_code, 7);
    assert_string_equal(ev.oab_name, "\\Global Address List"); /* kept, and flagged */
    assert_non_null(ev.malformed);
    assert_non_null(strstr(ev.malformed, "not terminated"));
    /* The same cut one byte earlier (odd length, half a code unit at the end). */
    ohc_event_record r2 = record(2, bin, len - 1);
    uint8_t *bin2 = heap(buf, len - 1);
    r2.binary = bin2;
    ohc_event27_decode(&ev, &r2);
    assert_non_null(ev.malformed);
    free(bin2);
    free(bin);
}

static void test_name_utf16_non_ascii_and_surrogates(void **state)
{
    (void)state;
    /* "\Größe 😀" : ö = U+00F6, ß = U+00DF, 😀 = D83D DE00 */
    static const uint16_t units[] = {'\\', 'G', 'r', 0x00F6, 0x00DF, 'e', ' ', 0xD83D, 0xDE00, 0};
    uint8_t buf[4 + sizeof units];
    memset(buf, 0, 4);
    buf[0] = 3;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        buf[4 + 2 * i] = (uint8_t)units[i];
        buf[4 + 2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
    uint8_t *bin = heap(buf, sizeof buf);
    ohc_event_record r = record(2, bin, sizeof buf);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_string_equal(ev.oab_name, "\\Gr\xC3\xB6\xC3\x9F"
                                     "e \xF0\x9F\x98\x80");
    assert_null(ev.malformed);

    /* A lone high surrogate ends the run: no name from garbage. */
    buf[4 + 2 * 7 + 2] = 'x';
    buf[4 + 2 * 7 + 3] = 0;
    memcpy(bin, buf, sizeof buf);
    ohc_event27_decode(&ev, &r);
    assert_string_equal(ev.oab_name, "");
    free(bin);
}

static void test_long_name_is_cut_not_overrun(void **state)
{
    (void)state;
    size_t chars = 1000, len = 4 + chars * 2 + 2;
    uint8_t *bin = calloc(1, len);
    assert_non_null(bin);
    for (size_t i = 0; i < chars; i++)
        bin[4 + 2 * i] = 'A';
    ohc_event_record r = record(2, bin, len);
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_int_equal(strlen(ev.oab_name), OHC_EVENT27_OAB_NAME_MAX - 1);
    assert_null(ev.malformed);
    free(bin);

    /* Cut where a 2-byte character does not fit: the name ends there, it does
     * not go on with a shorter character after it. */
    size_t fill = OHC_EVENT27_OAB_NAME_MAX - 2;
    len = 4 + (fill + 3) * 2;
    bin = calloc(1, len);
    assert_non_null(bin);
    for (size_t i = 0; i < fill; i++)
        bin[4 + 2 * i] = 'A';
    bin[4 + 2 * fill] = 0xE9; /* U+00E9 */
    bin[4 + 2 * (fill + 1)] = 'x';
    r = record(2, bin, len);
    ohc_event27_decode(&ev, &r);
    assert_int_equal(strlen(ev.oab_name), fill);
    assert_int_equal(ev.oab_name[fill - 1], 'A');
    free(bin);
}

static void test_hresult_scan(void **state)
{
    (void)state;
    uint32_t hrs[3];
    size_t n = 0;
    /* Too short, too long, no high bit, inside a word, upper case X: */
    assert_false(ohc_event27_scan_hresults(hrs, 3, &n,
                                           "0x8019019 0x801901940 0x00000005 ab0x80190194 "
                                           "0x80190194z"));
    assert_int_equal(n, 0);
    assert_false(ohc_event27_scan_hresults(hrs, 3, &n, "(0X8004010f), 0x8004010F again"));
    assert_int_equal(n, 1);
    assert_int_equal(hrs[0], 0x8004010Fu);
    assert_false(ohc_event27_scan_hresults(hrs, 3, &n, "0x80040115;0x80190191"));
    assert_int_equal(n, 3);
    assert_true(ohc_event27_scan_hresults(hrs, 3, &n, "0x80190193")); /* does not fit: capped */
    assert_int_equal(n, 3);
    assert_false(ohc_event27_scan_hresults(hrs, 3, &n, NULL));
    /* The end of the string in the middle of the digits. */
    n = 0;
    char *cut = (char *)heap("x 0x8019", 9);
    assert_false(ohc_event27_scan_hresults(hrs, 3, &n, cut));
    assert_int_equal(n, 0);
    free(cut);
}

/* Without binary data the reason comes from "Result Code N" in the text, and
 * says so; with binary data the binary wins; anything else is no reason. */
static void test_result_code_from_text(void **state)
{
    (void)state;
    ohc_event_value values[] = {{"param1", "Downloading Offline address book files. Result Code 2"}};
    ohc_event_record r = record(3, NULL, 0);
    r.values = values;
    r.value_count = 1;
    ohc_event27 ev;
    ohc_event27_decode(&ev, &r);
    assert_true(ev.has_reason);
    assert_int_equal(ev.reason_code, 2);
    assert_true(ev.reason_from_text);
    assert_true(ev.reason_known);
    assert_string_equal(ev.reason_text, "A full download was forced manually");
    assert_string_equal(ev.malformed, "no binary data"); /* still true, still said */
    cJSON *j = ohc_event27_to_json(&ev);
    assert_int_equal(cJSON_GetObjectItem(j, "reason_code")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(j, "reason_source")->valuestring, "text");
    cJSON_Delete(j);

    /* From the message when no string has it; hex; an undocumented code raw. */
    r.values = NULL;
    r.value_count = 0;
    r.message = "OAB download failed. result code: 0x1F (see log)";
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.reason_code, 0x1F);
    assert_false(ev.reason_known);
    assert_string_equal(ev.reason_text, "unknown");

    /* The binary data wins over the text. */
    uint8_t buf[256];
    size_t len = sample_binary(buf, sizeof buf, 8, 1);
    uint8_t *bin = heap(buf, len);
    r = record(3, bin, len);
    r.message = "Result Code 2";
    ohc_event27_decode(&ev, &r);
    assert_int_equal(ev.reason_code, 8);
    assert_false(ev.reason_from_text);
    j = ohc_event27_to_json(&ev);
    assert_string_equal(cJSON_GetObjectItem(j, "reason_source")->valuestring, "binary");
    cJSON_Delete(j);
    free(bin);

    /* Not a result code: inside a word, no digits, a number that runs on or
     * past 32 bits, a localized text. */
    const char *no[] = {"xResult Code 2",
                        "Result Code two",
                        "Result Code 2a",
                        "Result Code 4294967296",
                        "Result Code 0x100000000",
                        "Result Code ",
                        "Ergebniscode 2",
                        "",
                        NULL};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        uint32_t code = 77;
        assert_int_equal(ohc_event27_scan_result_code(&code, no[i]), 0);
        assert_int_equal(code, 77);
    }
    uint32_t code = 0;
    assert_int_equal(ohc_event27_scan_result_code(&code, "RESULT CODE=4294967295."), 1);
    assert_int_equal(code, 4294967295u);
    assert_int_equal(ohc_event27_scan_result_code(&code, "Result Code 2x, Result Code 14"), 1);
    assert_int_equal(code, 14);

    r = record(2, NULL, 0);
    r.message = "An error occurred.";
    ohc_event27_decode(&ev, &r);
    assert_false(ev.has_reason);
    j = ohc_event27_to_json(&ev);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "reason_source")));
    cJSON_Delete(j);
}

static void test_matches(void **state)
{
    (void)state;
    ohc_event_record r = record(2, NULL, 0);
    assert_true(ohc_event27_matches(&r));
    r.provider = "OUTLOOK";
    assert_true(ohc_event27_matches(&r));
    r.provider = "Outlook2";
    assert_false(ohc_event27_matches(&r));
    r.provider = NULL;
    assert_false(ohc_event27_matches(&r));
    r.provider = "Outlook";
    r.event_id = 26;
    assert_false(ohc_event27_matches(&r));
    assert_false(ohc_event27_matches(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_reason_2_and_name),    cmocka_unit_test(test_reason_8_and_start_kind),
        cmocka_unit_test(test_unknown_reason_is_raw),        cmocka_unit_test(test_kind_from_level),
        cmocka_unit_test(test_malformed_short_binary),       cmocka_unit_test(test_malformed_odd_length),
        cmocka_unit_test(test_malformed_unterminated_name),  cmocka_unit_test(test_name_utf16_non_ascii_and_surrogates),
        cmocka_unit_test(test_long_name_is_cut_not_overrun), cmocka_unit_test(test_hresult_scan),
        cmocka_unit_test(test_result_code_from_text),        cmocka_unit_test(test_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
