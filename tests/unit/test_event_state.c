/* Which events are new: marks against the state file, commit, a cleared log,
 * .evtx files of two PCs, bounds, and state files that are not what they claim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_state.h"
#include "os.h"
#include "report.h"
#include "event_state_report.h"

static char state_path[512];

static int setup(void **state)
{
    (void)state;
    char base[400];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    unsigned char r[4];
    assert_int_equal(ohc_os_random_bytes(r, sizeof r, NULL), OHC_OK);
    snprintf(state_path, sizeof state_path, "%s%cohc-event-state-%02x%02x%02x%02x.json", base, ohc_os_path_sep(), r[0],
             r[1], r[2], r[3]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(state_path);
    return 0;
}

static void write_state(const char *text)
{
    assert_int_equal(ohc_os_write_file_atomic(state_path, text, strlen(text), NULL), OHC_OK);
}

static double num(const cJSON *r, const char *path)
{
    const cJSON *v = ohc_report_get(r, path);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static int is_new(const cJSON *r, const char *section, int index)
{
    const cJSON *ev = cJSON_GetArrayItem(ohc_report_get(r, section), index);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "new");
    assert_true(cJSON_IsBool(v));
    return cJSON_IsTrue(v);
}

static void test_first_collection_then_nothing_new(void **state)
{
    (void)state;
    cJSON *r = state_report(NULL);
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_string_equal(ohc_report_str(r, "facts.events.new_events.baseline"), "first_collection");
    assert_true(cJSON_IsNull(ohc_report_get(r, "facts.events.new_events.previous_collection")));
    assert_true(cJSON_IsNull(ohc_report_get(r, "facts.events.new_events.state_error")));
    assert_int_equal(num(r, "facts.events.new_events.count"), 4);
    assert_true(is_new(r, "facts.events.outlook_oab.events", 0));
    assert_int_equal(num(r, "facts.events.queries.outlook_oab.new"), 2);
    assert_int_equal(num(r, "facts.events.outlook_oab.summary.new_failure_count"), 1);
    assert_int_equal(num(r, "facts.events.bits_client.summary.new_failed_transfers"), 1);
    assert_int_equal(num(r, "facts.events.bits_client.summary.new_oab_failures"), 1);
    assert_true(is_new(r, "facts.events.bits_client.transfers", 0));
    char *text = ohc_report_to_text(r, 0);
    assert_non_null(strstr(text, "New:     4 event(s) (first collection: every event counts as new): "
                                 "1 Outlook Event 27 failure(s), 1 failed BITS transfer(s)"));
    free(text);

    ohc_error err;
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    r = state_report(NULL); /* the same events again */
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_string_equal(ohc_report_str(r, "facts.events.new_events.baseline"), "previous_collection");
    assert_string_equal(ohc_report_str(r, "facts.events.new_events.previous_collection"), "2026-11-24T12:00:00.000Z");
    assert_int_equal(num(r, "facts.events.new_events.count"), 0);
    assert_false(is_new(r, "facts.events.outlook_oab.events", 0));
    assert_false(is_new(r, "facts.events.bits_client.transfers", 0));
    assert_int_equal(num(r, "facts.events.outlook_oab.summary.new_failure_count"), 0);
    assert_int_equal(num(r, "facts.events.bits_client.summary.new_failed_transfers"), 0);
    text = ohc_report_to_text(r, 0);
    assert_non_null(strstr(text, "New:     0 event(s) since the report of 2026-11-24T12:00:00.000Z"));
    free(text);
    /* marking twice replaces, never duplicates, the members */
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(ohc_report_get(r, "facts.events.outlook_oab.events"), 0)),
                     8);
    cJSON_Delete(r);
}

static void test_new_event_and_cleared_log(void **state)
{
    (void)state;
    cJSON *r = state_report(NULL);
    ohc_error err;
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    /* a later failure: a higher record id */
    r = state_report(state_event("Application", "PC1", 12, "2026-11-24T11:00:00.000Z", "failure"));
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_true(is_new(r, "facts.events.outlook_oab.events", 0));
    assert_false(is_new(r, "facts.events.outlook_oab.events", 1));
    assert_int_equal(num(r, "facts.events.outlook_oab.summary.new_failure_count"), 1);
    assert_int_equal(num(r, "facts.events.new_events.count"), 1);
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    /* the log was cleared: ids restart at 1, times go on */
    r = cJSON_CreateObject();
    cJSON *ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ev, "outlook_oab"), "events");
    cJSON_AddItemToArray(list, state_event("application", "pc1", 2, "2026-11-24T13:00:00.000Z", "failure"));
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 1, "2026-11-24T09:00:00.000Z", "failure"));
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_true(is_new(r, "facts.events.outlook_oab.events", 0)); /* newer than anything seen */
    assert_false(is_new(r, "facts.events.outlook_oab.events", 1)); /* older id and older time */
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    /* after the reset the ids of the new log count: id 3 is new, id 2 is not */
    r = cJSON_CreateObject();
    ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ev, "outlook_oab"), "events");
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 3, "2026-11-24T12:59:00.000Z", "failure"));
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 2, "2026-11-24T13:00:00.000Z", "failure"));
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_true(is_new(r, "facts.events.outlook_oab.events", 0));
    assert_false(is_new(r, "facts.events.outlook_oab.events", 1));
    cJSON_Delete(r);

    /* the BITS channel, not in the last two reports, kept its entry */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(ohc_os_read_file(&text, &len, state_path, OHC_EVENT_STATE_MAX_BYTES, NULL), OHC_OK);
    assert_non_null(strstr(text, "Microsoft-Windows-Bits-Client/Operational"));
    free(text);
}

static void test_computers_do_not_mix(void **state)
{
    (void)state;
    cJSON *r = cJSON_CreateObject();
    cJSON *ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ev, "outlook_oab"), "events");
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 500, "2026-11-24T10:00:00.000Z", NULL));
    ohc_error err;
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    r = cJSON_CreateObject();
    ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ev, "outlook_oab"), "events");
    cJSON_AddItemToArray(list, state_event("Application", "PC2", 7, "2026-11-20T10:00:00.000Z", NULL));
    cJSON_AddItemToArray(list, state_event("Application", NULL, 7, "2026-11-20T10:00:00.000Z", NULL));
    cJSON_AddItemToArray(list, state_event("Application", "PC1", 499, "2026-11-24T09:59:00.000Z", NULL));
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_true(is_new(r, "facts.events.outlook_oab.events", 0));
    assert_true(is_new(r, "facts.events.outlook_oab.events", 1));
    assert_false(is_new(r, "facts.events.outlook_oab.events", 2));
    cJSON_Delete(r);
}

static void test_bad_state_files(void **state)
{
    (void)state;
    static const struct {
        const char *text, *error;
    } cases[] = {
        {"", "not JSON"},
        {"{\"version\":1,\"channels\":[", "not JSON"},
        {"[]", "version is not 1"},
        {"{\"version\":2,\"channels\":[]}", "version is not 1"},
        {"{\"version\":1}", "channels is not an array"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"\",\"computer\":\"\",\"last_record_id\":1,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"}]}",
         "channels[0]"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"A\",\"computer\":\"\",\"last_record_id\":-1,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"}]}",
         "last_record_id"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"A\",\"computer\":\"\",\"last_record_id\":1.5,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"}]}",
         "last_record_id"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"A\",\"computer\":\"\",\"last_record_id\":1e300,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"}]}",
         "last_record_id"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"A\",\"computer\":\"\",\"last_record_id\":1,"
         "\"last_time\":\"yesterday\"}]}",
         "last_time"},
        {"{\"version\":1,\"channels\":[{\"channel\":\"A\",\"computer\":\"x\",\"last_record_id\":1,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"},{\"channel\":\"a\",\"computer\":\"X\",\"last_record_id\":2,"
         "\"last_time\":\"2026-11-24T10:00:00.000Z\"}]}",
         "channels[1]: a channel appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_state(cases[i].text);
        cJSON *r = state_report(NULL);
        assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
        const char *why = ohc_report_str(r, "facts.events.new_events.state_error");
        if (why == NULL || strstr(why, cases[i].error) == NULL)
            fail_msg("case %zu: state_error %s, expected %s", i, why ? why : "(null)", cases[i].error);
        assert_string_equal(ohc_report_str(r, "facts.events.new_events.baseline"), "state_unreadable");
        assert_int_equal(num(r, "facts.events.new_events.count"), 4); /* all new: nothing is lost */
        /* a commit replaces the bad file with a good one */
        ohc_error err;
        assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
        cJSON_Delete(r);
        r = state_report(NULL);
        assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
        assert_string_equal(ohc_report_str(r, "facts.events.new_events.baseline"), "previous_collection");
        cJSON_Delete(r);
    }

    /* too big, and too many channels */
    char *big = malloc(OHC_EVENT_STATE_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, ' ', OHC_EVENT_STATE_MAX_BYTES + 1);
    big[OHC_EVENT_STATE_MAX_BYTES + 1] = '\0';
    write_state(big);
    free(big);
    cJSON *r = state_report(NULL);
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_non_null(strstr(ohc_report_str(r, "facts.events.new_events.state_error"), "larger than"));
    cJSON_Delete(r);

    char many[16384] = "{\"version\":1,\"channels\":[";
    for (unsigned i = 0; i <= OHC_EVENT_STATE_MAX_CHANNELS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many),
                 "%s{\"channel\":\"C%u\",\"computer\":\"\",\"last_record_id\":1,\"last_time\":"
                 "\"2026-11-24T10:00:00.000Z\"}",
                 i ? "," : "", i);
    strcat(many, "]}");
    write_state(many);
    r = state_report(NULL);
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_non_null(strstr(ohc_report_str(r, "facts.events.new_events.state_error"), "more channels"));
    cJSON_Delete(r);
}

static void test_bounded_channels_and_unmarkable_events(void **state)
{
    (void)state;
    /* 80 computers (several .evtx files, say): the state keeps the 64 newest */
    cJSON *r = cJSON_CreateObject();
    cJSON *ev = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "facts"), "events");
    cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ev, "extra"), "events");
    for (int i = 0; i < 80; i++) {
        char pc[16], when[32];
        snprintf(pc, sizeof pc, "PC%d", i);
        ohc_format_rfc3339_utc(when, 1795552525000LL + i * 1000LL);
        cJSON_AddItemToArray(list, state_event("Application", pc, 1, when, NULL));
    }
    /* events the state cannot place stay unmarked */
    cJSON *odd = state_event("Application", "PC1", 1, "not a time", NULL);
    cJSON_AddItemToArray(list, odd);
    cJSON *neg = state_event("Application", "PC1", -5, "2026-11-24T10:00:00.000Z", NULL);
    cJSON_AddItemToArray(list, neg);
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_null(cJSON_GetObjectItemCaseSensitive(odd, "new"));
    assert_null(cJSON_GetObjectItemCaseSensitive(neg, "new"));
    assert_int_equal(num(r, "facts.events.new_events.count"), 80);
    ohc_error err;
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);

    char *text = NULL;
    size_t len = 0;
    assert_int_equal(ohc_os_read_file(&text, &len, state_path, OHC_EVENT_STATE_MAX_BYTES, NULL), OHC_OK);
    cJSON *st = cJSON_Parse(text);
    free(text);
    /* only the first 64 computers met are tracked (the rest show as new again next time) */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "channels")), 64);
    cJSON_Delete(st);

    /* a report without events facts leaves everything alone */
    r = cJSON_CreateObject();
    cJSON_AddObjectToObject(r, "facts");
    assert_int_equal(ohc_event_state_mark(r, state_path), OHC_OK);
    assert_null(ohc_report_get(r, "facts.events"));
    assert_int_equal(ohc_event_state_commit(r, state_path, &err), OHC_OK);
    cJSON_Delete(r);
}

static void test_commit_to_unwritable_path(void **state)
{
    (void)state;
    cJSON *r = state_report(NULL);
    char path[600];
    snprintf(path, sizeof path, "%s.missing-dir%cstate.json", state_path, ohc_os_path_sep());
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_not_equal(ohc_event_state_commit(r, path, &err), OHC_OK);
    assert_true(err.message[0] != '\0');
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_collection_then_nothing_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_event_and_cleared_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_computers_do_not_mix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_state_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded_channels_and_unmarkable_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_to_unwritable_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
