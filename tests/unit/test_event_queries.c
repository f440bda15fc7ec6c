/* The EventQueries setting: lines of key=value pairs into event queries, the
 * whole value refused on any bad line (with its line number and reason), and
 * the EventQueries row of the settings table (REG_MULTI_SZ, checked on load). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_queries.h"
#include "settings.h"
#include "strbuf.h"

static void test_parse_good(void **state)
{
    (void)state;
    ohc_event_queries q;
    ohc_error err;
    ohc_error_clear(&err);
    const char *text =
        "  name=app_crash; channel=Application; provider=Application Error; ids=1000, 1002; days=7; max=50\r\n"
        "\n"
        "name=bits_errors;channel=Microsoft-Windows-Bits-Client/Operational\n";
    assert_int_equal(ohc_event_queries_parse(&q, text, &err), OHC_OK);
    assert_int_equal(q.count, 2);
    assert_string_equal(q.q[0].name, "app_crash");
    assert_string_equal(q.q[0].channel, "Application");
    assert_string_equal(q.q[0].provider, "Application Error");
    assert_int_equal(q.q[0].id_count, 2);
    assert_int_equal(q.q[0].ids[0], 1000);
    assert_int_equal(q.q[0].ids[1], 1002);
    assert_int_equal(q.q[0].days, 7);
    assert_int_equal(q.q[0].max_events, 50);
    assert_string_equal(q.q[1].channel, "Microsoft-Windows-Bits-Client/Operational");
    assert_null(q.q[1].provider);
    assert_int_equal(q.q[1].id_count, 0);
    assert_int_equal(q.q[1].days, 0); /* EventDays applies */
    assert_int_equal(q.q[1].max_events, 0); /* the default */

    /* the XPath the live probe sends is the usual shape */
    ohc_strbuf sb = OHC_STRBUF_INIT;
    assert_int_equal(ohc_events_build_xpath(&sb, &q.q[0], 7, &err), OHC_OK);
    assert_string_equal(ohc_strbuf_str(&sb), "*[System[Provider[@Name='Application Error'] and (EventID=1000 or "
                                             "EventID=1002) and TimeCreated[timediff(@SystemTime) <= 604800000]]]");
    ohc_strbuf_free(&sb);

    /* the collection's queries: built-in first, then these */
    ohc_event_query all[OHC_EVENT_QUERIES_ALL_MAX];
    ohc_collect_options opts = {.event_days = 14, .event_queries = q.q, .event_query_count = q.count};
    assert_int_equal(ohc_event_queries_for(all, OHC_EVENT_QUERIES_ALL_MAX, &opts), 4);
    assert_string_equal(all[0].name, "outlook_oab");
    assert_string_equal(all[1].name, "bits_client");
    assert_string_equal(all[3].name, "bits_errors");
    assert_int_equal(ohc_event_queries_for(all, OHC_EVENT_QUERIES_ALL_MAX, NULL), 2);
    ohc_event_queries_free(&q);

    assert_int_equal(ohc_event_queries_parse(&q, "", &err), OHC_OK);
    assert_int_equal(q.count, 0);
    ohc_event_queries_free(&q);
    assert_int_equal(ohc_event_queries_parse(&q, NULL, &err), OHC_OK);
    ohc_event_queries_free(&q);
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const struct {
        const char *text, *error;
    } cases[] = {
        {"channel=Application", "line 1: name and channel are required"},
        {"name=x", "name and channel are required"},
        {"name=x; channel=Application; colour=red", "unknown key 'colour'"},
        {"name=x; name=y; channel=Application", "name given twice"},
        {"name=X; channel=Application", "name 'X' is not"},
        {"name=a-b; channel=Application", "is not 1 to 40"},
        {"name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; channel=A", "is not 1 to 40"},
        {"name=outlook_oab; channel=Application", "is a built-in query"},
        {"name=new_events; channel=Application", "reserved"},
        {"name=queries; channel=Application", "reserved"},
        {"name=x; channel=App']] or [x", "channel missing or not"},
        {"name=x; channel=Application; provider=O'Brien", "provider not"},
        {"name=x; channel=Application; ids=1,,2", "ids: '' is not"},
        {"name=x; channel=Application; ids=65536", "'65536' is not an event id"},
        {"name=x; channel=Application; ids=-1", "is not an event id"},
        {"name=x; channel=Application; days=0", "days '0' is not 1..365"},
        {"name=x; channel=Application; days=366", "days '366'"},
        {"name=x; channel=Application; max=5001", "max '5001'"},
        {"name=x; channel=Application; max=99999999999999999999", "max '99999999999999999999'"},
        {"name=x; channel=Application; junk", "'junk' is not key=value"},
        {"name=x; channel=Application\nname=x; channel=System", "line 2: name x used twice"},
        {"name=a; channel=A\n\nname=b; channel=", "line 3: event query b: channel missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ohc_event_queries q;
        ohc_error err;
        ohc_error_clear(&err);
        int rc = ohc_event_queries_parse(&q, cases[i].text, &err);
        if (rc == OHC_OK || strstr(err.message, cases[i].error) == NULL)
            fail_msg("case %zu (%s): rc %d, '%s'; expected '%s'", i, cases[i].text, rc, err.message, cases[i].error);
        assert_int_equal(q.count, 0);
        assert_null(q.text);
        ohc_event_queries_free(&q);
    }
    /* 33 ids, 17 queries */
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_strbuf_append(&sb, "name=x; channel=A; ids=1");
    for (int i = 0; i < 32; i++)
        ohc_strbuf_append(&sb, ",2");
    char why[200];
    assert_int_not_equal(ohc_event_queries_check(ohc_strbuf_str(&sb), why, sizeof why), 0);
    assert_non_null(strstr(why, "more than 32 ids"));
    ohc_strbuf_free(&sb);
    for (int i = 0; i < 17; i++)
        ohc_strbuf_appendf(&sb, "name=q%d; channel=A\n", i);
    assert_int_not_equal(ohc_event_queries_check(ohc_strbuf_str(&sb), why, sizeof why), 0);
    assert_non_null(strstr(why, "more than 16 event queries"));
    ohc_strbuf_free(&sb);
}

/* EventQueries through the settings: a REG_MULTI_SZ from policy, a bad one
 * ignored with its reason so the local value applies, a flag over both. */
struct fake {
    const char *policy, *local;
    ohc_raw_type policy_type;
};

static int fake_read(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name, ohc_error *err)
{
    (void)err;
    const struct fake *f = ctx;
    const char *v = layer == OHC_SOURCE_POLICY ? f->policy : f->local;
    if (strcmp(name, "EventQueries") != 0 || v == NULL)
        return OHC_ENOTFOUND;
    out->type = layer == OHC_SOURCE_POLICY ? f->policy_type : OHC_RAW_MULTI;
    out->os_type = out->type == OHC_RAW_MULTI ? 7 : out->type == OHC_RAW_STRING ? 1 : 4;
    snprintf(out->str, sizeof out->str, "%s", v);
    return OHC_OK;
}

static void note(void *ctx, const char *msg)
{
    snprintf(ctx, 400, "%s", msg);
}

static void test_setting(void **state)
{
    (void)state;
    const ohc_setting_def *d = ohc_settings_find("eventqueries");
    assert_non_null(d);
    assert_int_equal(d->type, OHC_SETTING_LIST);

    ohc_config cfg;
    char logged[400] = "";
    struct fake good = {"name=a; channel=Application\nname=b; channel=System; ids=7", "name=c; channel=Setup",
                        OHC_RAW_MULTI};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &good, note, logged);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), good.policy);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_POLICY);
    char shown[OHC_SETTING_STR_MAX + 1];
    assert_string_equal(ohc_config_display(&cfg, OHC_SET_EVENT_QUERIES, shown, sizeof shown), good.policy);
    ohc_raw_value raw;
    ohc_config_to_raw(&raw, &cfg, OHC_SET_EVENT_QUERIES);
    assert_int_equal(raw.type, OHC_RAW_MULTI);
    ohc_config_free(&cfg);

    struct fake bad = {"name=a; channel=Application\nname=A; channel=System", "name=c; channel=Setup", OHC_RAW_MULTI};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &bad, note, logged);
    assert_string_equal(ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), "name=c; channel=Setup");
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_LOCAL);
    assert_non_null(
        strstr(logged, "EventQueries in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector event query line 2"));
    /* a flag wins; a bad flag is refused and changes nothing */
    ohc_error err;
    assert_int_not_equal(ohc_config_set_flag(&cfg, OHC_SET_EVENT_QUERIES, "name=z", &err), OHC_OK);
    assert_non_null(strstr(err.message, "required"));
    assert_int_equal(ohc_config_set_flag(&cfg, OHC_SET_EVENT_QUERIES, "name=z; channel=Application", &err), OHC_OK);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_FLAG);
    ohc_config_free(&cfg);

    /* one line as REG_SZ is fine; a DWORD or a control character is not */
    struct fake one = {"name=a; channel=Application", NULL, OHC_RAW_STRING};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &one, note, logged);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_POLICY);
    ohc_config_free(&cfg);
    struct fake dword = {"", NULL, OHC_RAW_DWORD};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &dword, note, logged);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_DEFAULT);
    assert_non_null(strstr(logged, "expected REG_MULTI_SZ"));
    ohc_config_free(&cfg);
    struct fake tab = {"name=a;\tchannel=Application", NULL, OHC_RAW_MULTI};
    assert_int_equal(ohc_config_init(&cfg), OHC_OK);
    ohc_config_load_with(&cfg, fake_read, &tab, note, logged);
    assert_int_equal(ohc_config_source(&cfg, OHC_SET_EVENT_QUERIES), OHC_SOURCE_DEFAULT);
    assert_non_null(strstr(logged, "control characters"));
    ohc_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
