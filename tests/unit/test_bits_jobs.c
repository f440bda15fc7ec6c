/* The bits probe's portable half: BITS names, OAB URL recognition, FILETIME
 * conversion, limits from policy or defaults, and the facts (jobs, error,
 * URL cap, per-property errors, summaries, owners near the per-user limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits_jobs.h"

static cJSON *get(cJSON *o, const char *path)
{
    /* "a.b.c" lookups; array index as a number segment */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok != NULL && cur != NULL; tok = strtok(NULL, "."))
        cur = (*tok >= '0' && *tok <= '9') ? cJSON_GetArrayItem(cur, atoi(tok))
                                           : cJSON_GetObjectItemCaseSensitive(cur, tok);
    return cur;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ohc_bits_state_name(0), "QUEUED");
    assert_string_equal(ohc_bits_state_name(4), "ERROR");
    assert_string_equal(ohc_bits_state_name(5), "TRANSIENT_ERROR");
    assert_string_equal(ohc_bits_state_name(8), "CANCELLED");
    assert_null(ohc_bits_state_name(9));
    assert_null(ohc_bits_state_name(-1));
    assert_string_equal(ohc_bits_job_type_name(0), "DOWNLOAD");
    assert_string_equal(ohc_bits_job_type_name(2), "UPLOAD_REPLY");
    assert_null(ohc_bits_job_type_name(3));
    assert_string_equal(ohc_bits_priority_name(0), "FOREGROUND");
    assert_string_equal(ohc_bits_priority_name(3), "LOW");
    assert_null(ohc_bits_priority_name(4));
    assert_string_equal(ohc_bits_error_context_name(5), "REMOTE_FILE");
    assert_string_equal(ohc_bits_error_context_name(6), "GENERAL_TRANSPORT");
    assert_string_equal(ohc_bits_error_context_name(7), "REMOTE_APPLICATION");
    assert_null(ohc_bits_error_context_name(8));
    assert_string_equal(ohc_bits_proxy_usage_name(0), "PRECONFIG");
    assert_string_equal(ohc_bits_proxy_usage_name(3), "AUTODETECT");
    assert_null(ohc_bits_proxy_usage_name(4));
}

static void test_oab_urls(void **state)
{
    (void)state;
    static const char *yes[] = {
        "https://mail.contoso.com/OAB/6a1a2b3c-0000-4000-8000-000000000001/oab.xml",
        "https://mail.contoso.com/oab/6a1a/oab.xml?x=1",
        "https://mail.contoso.com/OAB/guid/67f3c5a1-data-1.lzx",
        "http://127.0.0.1:8080/OAB/x", /* /OAB/ segment, any file */
        "https://ex/some/path/OAB.XML", /* file name, any case */
        "https://ex/x/full.LZX",
        "\\\\fileserver\\share\\OAB\\oab.xml", /* UNC */
        "https://ex/OAB/",
        "https://mail.contoso.com/oab/9f0e/x", /* any case */
        "HTTPS://MAIL.CONTOSO.COM/OaB/9F0E/OAB.XML",
        "https://h/x/y-data-1.LZX",
        "https://h/x/y.lzx?v=1", /* the query does not hide the file name */
        "https://h/x/y.lzx#part",
        "https://oab.contoso.com/OAB/x/oab.xml", /* a host named oab does not matter either way */
        "/OAB/guid/oab.xml", /* a bare path */
        "oab.xml",
        "OAB\\x",
    };
    static const char *no[] = {
        "https://oab.contoso.com/files/data.bin", /* host, not path */
        "https://ex/files/oabfoo/data.bin", /* segment is not exactly OAB */
        "https://ex/files/myoab.xml.bak",
        "https://ex/files/data.bin?path=/OAB/oab.xml", /* query */
        "https://ex/files/data.bin#/OAB/x",
        "https://ex/lzx",
        "https://ex/files/.lzx-not",
        "https://ex/OAB", /* last segment OAB: a file named OAB, not a folder */
        "",
        "https://",
        /* a host (or user, or port) named like an OAB file is not a path */
        "https://oab/files/setup.bin",
        "https://OAB/",
        "https://oab:443/files/data.bin",
        "https://oab@proxy.example/files/data.bin",
        "https://oab.xml",
        "https://oab.xml/files/data.bin",
        "https://cdn.lzx",
        "https://cdn.lzx/",
        "https://cdn.lzx?x=1",
        /* query and fragment are not the path */
        "https://h/?q=/OAB/",
        "https://h/files/data.bin?name=full.lzx",
        "https://h/files/data.bin#oab.xml",
        /* almost */
        "https://h/OABX/file",
        "https://h/x/y.lzx.txt",
        "https://h/x/.lzx", /* no file name before the extension */
        "https://h/x/myoab.xml",
        "oab",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(ohc_bits_url_is_oab(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (ohc_bits_url_is_oab(no[i]))
            fail_msg("wrongly OAB: %s", no[i]);
    assert_false(ohc_bits_url_is_oab(NULL));
}

static void test_filetime(void **state)
{
    (void)state;
    int64_t ms = 42;
    assert_int_equal(ohc_bits_filetime_to_unix_ms(&ms, 0), OHC_ENOTFOUND);
    assert_int_equal(ms, 42);
    assert_int_equal(ohc_bits_filetime_to_unix_ms(&ms, 116444736000000000ull), OHC_OK);
    assert_int_equal(ms, 0);
    /* 2026-11-24T20:35:25.999Z */
    assert_int_equal(ohc_bits_filetime_to_unix_ms(&ms, (1795552525999ull + 11644473600000ull) * 10000ull + 9999u),
                     OHC_OK);
    assert_int_equal(ms, 1795552525999LL);
    assert_int_equal(ohc_bits_filetime_to_unix_ms(&ms, 1), OHC_OK); /* 1601 is before 1970: negative */
    assert_true(ms < 0);
    assert_int_equal(ohc_bits_filetime_to_unix_ms(&ms, UINT64_MAX), OHC_ELIMIT);
}

static void test_limits(void **state)
{
    (void)state;
    ohc_bits_limits l;
    ohc_bits_limits_resolve(&l, NULL, NULL);
    assert_int_equal(l.max_jobs_per_user, 60);
    assert_string_equal(l.max_jobs_per_user_source, "default");
    assert_int_equal(l.max_jobs_per_machine, 300);
    assert_string_equal(l.max_jobs_per_machine_source, "default");
    ohc_bits_policy_value user = {1, 1, 200}, machine = {1, 0, 5}; /* machine: wrong type, ignored */
    ohc_bits_limits_resolve(&l, &user, &machine);
    assert_int_equal(l.max_jobs_per_user, 200);
    assert_string_equal(l.max_jobs_per_user_source, "policy");
    assert_int_equal(l.max_jobs_per_machine, 300);
    assert_string_equal(l.max_jobs_per_machine_source, "default");
}

static ohc_bits_job *add_job(ohc_bits_collection *c, const char *sid, int64_t st, const char *url)
{
    ohc_bits_job *j = ohc_bits_collection_add_job(c);
    assert_non_null(j);
    snprintf(j->id, sizeof j->id, "{00000000-0000-0000-0000-%012zu}", c->job_count);
    if (sid != NULL) {
        j->owner_sid = strdup(sid);
        j->owner_source = "job";
    }
    j->state = st;
    j->type = 0;
    if (url != NULL)
        assert_int_equal(ohc_bits_job_add_url(j, url), OHC_OK);
    return j;
}

static void test_job_facts(void **state)
{
    (void)state;
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, 1000);
    c.scope = "all_users";
    ohc_bits_job *j = add_job(&c, "S-1-5-21-1-2-3-1001", 4, "http://127.0.0.1:1/OAB/abc/oab.xml");
    j->owner = strdup("CONTOSO\\alice");
    j->display_name = strdup("Microsoft Outlook Offline Address Book");
    j->priority = 2;
    j->have_progress = 1;
    j->files_total = 1;
    j->bytes_total = UINT64_MAX; /* BG_SIZE_UNKNOWN */
    j->error_count = 3;
    j->proxy_usage = 0;
    j->have_error = 1;
    j->error_hr = 0x80190194u;
    j->error_context = 5;
    j->error_description = strdup("HTTP status 404: The requested URL does not exist on the server.");
    j->error_remote_url = strdup("http://127.0.0.1:1/OAB/abc/oab.xml");
    j->error_local_name = strdup("C:\\x\\oab.xml");
    ohc_bits_job_property_error(j, "times", 0x80004001u);
    j->have_times = 0;

    ohc_bits_job *k = add_job(&c, NULL, 3, "http://127.0.0.1:1/files/a.bin");
    k->have_times = 1;
    k->created_ft = 116444736000000000ull;
    k->modified_ft = 116444736000000000ull + 10000u;
    k->completed_ft = 0;
    /* an error held by a job that is not in error is not reported */
    k->have_error = 1;
    k->error_hr = 0x80190194u;
    for (int i = 0; i < 25; i++)
        assert_int_equal(ohc_bits_job_add_url(k, "http://127.0.0.1:1/files/b.bin"), OHC_OK);

    cJSON *f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_string_equal(get(f, "enumeration.scope")->valuestring, "all_users");
    assert_true(cJSON_IsNull(get(f, "enumeration.reason")));
    assert_true(cJSON_IsFalse(get(f, "enumeration.capped")));
    assert_true(cJSON_IsNull(get(f, "service")));
    assert_string_equal(get(f, "jobs.0.state")->valuestring, "ERROR");
    assert_int_equal(get(f, "jobs.0.state_code")->valueint, 4);
    assert_string_equal(get(f, "jobs.0.type")->valuestring, "DOWNLOAD");
    assert_string_equal(get(f, "jobs.0.priority")->valuestring, "NORMAL");
    assert_string_equal(get(f, "jobs.0.owner")->valuestring, "CONTOSO\\alice");
    assert_true(cJSON_IsNull(get(f, "jobs.0.bytes_total")));
    assert_int_equal(get(f, "jobs.0.files_total")->valueint, 1);
    assert_true(cJSON_IsNull(get(f, "jobs.0.created_at")));
    assert_string_equal(get(f, "jobs.0.property_errors.times")->valuestring, "0x80004001 E_NOTIMPL");
    assert_string_equal(get(f, "jobs.0.error.hr_hex")->valuestring, "0x80190194");
    assert_string_equal(get(f, "jobs.0.error.hr_name")->valuestring, "BG_E_HTTP_ERROR_404");
    assert_string_equal(get(f, "jobs.0.error.context_name")->valuestring, "REMOTE_FILE");
    assert_string_equal(get(f, "jobs.0.error.remote_url")->valuestring, "http://127.0.0.1:1/OAB/abc/oab.xml");
    assert_true(cJSON_IsTrue(get(f, "jobs.0.oab")));
    assert_string_equal(get(f, "jobs.0.proxy_usage")->valuestring, "PRECONFIG");

    assert_string_equal(get(f, "jobs.1.state")->valuestring, "SUSPENDED");
    assert_true(cJSON_IsNull(get(f, "jobs.1.error")));
    assert_true(cJSON_IsFalse(get(f, "jobs.1.oab")));
    assert_true(cJSON_IsNull(get(f, "jobs.1.owner_sid")));
    assert_int_equal(cJSON_GetArraySize(get(f, "jobs.1.urls")), 20);
    assert_true(cJSON_IsTrue(get(f, "jobs.1.urls_capped")));
    assert_string_equal(get(f, "jobs.1.created_at")->valuestring, "1970-01-01T00:00:00.000Z");
    assert_string_equal(get(f, "jobs.1.modified_at")->valuestring, "1970-01-01T00:00:00.001Z");
    assert_true(cJSON_IsNull(get(f, "jobs.1.completed_at")));
    assert_true(cJSON_IsNull(get(f, "jobs.1.priority"))); /* not read */

    assert_int_equal(get(f, "summary.total")->valueint, 2);
    assert_int_equal(get(f, "summary.by_state.ERROR")->valueint, 1);
    assert_int_equal(get(f, "summary.by_state.SUSPENDED")->valueint, 1);
    assert_int_equal(get(f, "summary.oab_jobs_in_error")->valueint, 1);
    assert_int_equal(cJSON_GetArraySize(get(f, "summary.owners_near_user_limit")), 0);
    cJSON_Delete(f);
    ohc_bits_collection_clear(&c);
}

static void test_unknown_values_raw(void **state)
{
    (void)state;
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, 10);
    ohc_bits_job *j = add_job(&c, NULL, 12, NULL);
    j->type = 7;
    j->proxy_usage = 9;
    cJSON *f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_int_equal(get(f, "jobs.0.state")->valueint, 12); /* unknown state: the number */
    assert_int_equal(get(f, "jobs.0.type")->valueint, 7);
    assert_int_equal(get(f, "jobs.0.proxy_usage")->valueint, 9);
    assert_int_equal(get(f, "summary.by_state.STATE_12")->valueint, 1);
    cJSON_Delete(f);
    ohc_bits_collection_clear(&c);
}

static void test_owner_summary_and_limit(void **state)
{
    (void)state;
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, 1000);
    for (int i = 0; i < 70; i++)
        add_job(&c, "S-1-5-21-0-0-0-1000", 3, "http://127.0.0.1:1/f.bin");
    for (int i = 0; i < 53; i++) /* 53 < 90% of 60: not near */
        add_job(&c, "S-1-5-21-0-0-0-1001", 3, NULL);
    for (int i = 0; i < 54; i++) /* exactly 90% */
        add_job(&c, "S-1-5-21-0-0-0-1002", 0, NULL);
    for (int i = 0; i < 80; i++) /* unknown owner: never "near its limit" */
        add_job(&c, NULL, 0, NULL);
    cJSON *f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_int_equal(get(f, "summary.total")->valueint, 257);
    assert_int_equal(cJSON_GetArraySize(get(f, "summary.by_owner")), 4);
    /* sorted by count, unknown owner with the largest count still... sorted by count */
    assert_true(cJSON_IsNull(get(f, "summary.by_owner.0.owner_sid")));
    assert_int_equal(get(f, "summary.by_owner.0.count")->valueint, 80);
    assert_string_equal(get(f, "summary.by_owner.1.owner_sid")->valuestring, "S-1-5-21-0-0-0-1000");
    assert_int_equal(get(f, "summary.by_owner.1.count")->valueint, 70);
    cJSON *near = get(f, "summary.owners_near_user_limit");
    assert_int_equal(cJSON_GetArraySize(near), 2);
    assert_string_equal(get(near, "0.owner_sid")->valuestring, "S-1-5-21-0-0-0-1000");
    assert_int_equal(get(near, "0.limit")->valueint, 60);
    assert_string_equal(get(near, "1.owner_sid")->valuestring, "S-1-5-21-0-0-0-1002");
    assert_int_equal(get(f, "summary.by_state.SUSPENDED")->valueint, 123);
    assert_int_equal(get(f, "summary.by_state.QUEUED")->valueint, 134);
    assert_true(cJSON_IsFalse(get(f, "summary.machine_jobs_near_limit")));
    assert_string_equal(get(f, "summary.limits.max_jobs_per_user_source")->valuestring, "default");
    cJSON_Delete(f);

    /* A policy limit of 100: nobody is near it any more; 257 of 280 per machine is. */
    ohc_bits_policy_value user = {1, 1, 100}, machine = {1, 1, 280};
    ohc_bits_limits_resolve(&c.limits, &user, &machine);
    f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_int_equal(cJSON_GetArraySize(get(f, "summary.owners_near_user_limit")), 0);
    assert_int_equal(get(f, "summary.limits.max_jobs_per_user")->valueint, 100);
    assert_string_equal(get(f, "summary.limits.max_jobs_per_user_source")->valuestring, "policy");
    assert_true(cJSON_IsTrue(get(f, "summary.machine_jobs_near_limit")));
    cJSON_Delete(f);
    ohc_bits_collection_clear(&c);
}

static void test_oab_guid_of_url(void **state)
{
    (void)state;
    char g[37];
    assert_int_equal(
        ohc_bits_url_oab_guid(g, "https://mail.contoso.com/OAB/3F4E2B1A-0c5d-4e6f-8a9b-1c2d3e4f5a6b/oab.xml"), 1);
    assert_string_equal(g, "3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b");
    assert_int_equal(
        ohc_bits_url_oab_guid(g, "https://h:444/exchange/oab/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b/x-data-5.lzx?a=1"),
        1);
    assert_string_equal(g, "3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b");
    assert_int_equal(ohc_bits_url_oab_guid(g, "\\\\srv\\OAB\\3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b"), 1);
    const char *no[] = {"https://oab/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b/oab.xml", /* the host, not a path */
                        "https://h/OAB/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6/oab.xml", /* 35 characters */
                        "https://h/OAB/3f4e2b1a0c5d-4e6f-8a9b-1c2d3e4f5a6bb/oab.xml", /* dash misplaced */
                        "https://h/OAB/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6g/oab.xml", /* not hex */
                        "https://h/files/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b/oab.xml", /* no OAB folder before */
                        "https://h/OAB/x/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b/oab.xml", /* not right after */
                        "https://h/?/OAB/3f4e2b1a-0c5d-4e6f-8a9b-1c2d3e4f5a6b/", /* in the query */
                        "",
                        NULL};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        g[0] = 'x', g[1] = '\0';
        assert_int_equal(ohc_bits_url_oab_guid(g, no[i]), 0);
        assert_string_equal(g, "");
    }
}

/* Only live jobs hold places in a user's list: ACKNOWLEDGED and CANCELLED
 * jobs do not bring an owner near the limit; the owner at the limit is named
 * with the display names that fill the list. */
static void test_live_jobs_only_and_top_names(void **state)
{
    (void)state;
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, 1000);
    for (int i = 0; i < 40; i++)
        add_job(&c, "S-1-5-21-0-0-0-1000", i % 2 ? 7 : 8, NULL); /* 40 final-state jobs */
    for (int i = 0; i < 20; i++)
        add_job(&c, "S-1-5-21-0-0-0-1000", 0, NULL)->display_name = strdup("Updater");
    for (int i = 0; i < 45; i++)
        add_job(&c, "S-1-5-21-0-0-0-1001", 3, NULL)->display_name = strdup(i < 30 ? "Sync" : "Backup");
    for (int i = 0; i < 10; i++)
        add_job(&c, "S-1-5-21-0-0-0-1001", 4, NULL); /* no name */
    add_job(&c, "S-1-5-21-0-0-0-1001", 0, NULL)->display_name = strdup("Other");
    add_job(&c, "S-1-5-21-0-0-0-1001", 8, NULL)->display_name = strdup("Cancelled");
    cJSON *f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_int_equal(get(f, "summary.total")->valueint, 117);
    assert_int_equal(get(f, "summary.live_total")->valueint, 76);
    assert_string_equal(get(f, "summary.by_owner.0.owner_sid")->valuestring, "S-1-5-21-0-0-0-1000");
    assert_int_equal(get(f, "summary.by_owner.0.count")->valueint, 60);
    assert_int_equal(get(f, "summary.by_owner.0.live_count")->valueint, 20);
    cJSON *near = get(f, "summary.owners_near_user_limit");
    assert_int_equal(cJSON_GetArraySize(near), 1); /* 60 jobs, but only 20 live */
    assert_string_equal(get(near, "0.owner_sid")->valuestring, "S-1-5-21-0-0-0-1001");
    assert_int_equal(get(near, "0.count")->valueint, 56);
    cJSON *top = get(near, "0.top_job_names");
    assert_int_equal(cJSON_GetArraySize(top), 3);
    assert_string_equal(get(top, "0.name")->valuestring, "Sync");
    assert_int_equal(get(top, "0.count")->valueint, 30);
    assert_string_equal(get(top, "1.name")->valuestring, "Backup");
    assert_int_equal(get(top, "1.count")->valueint, 15);
    assert_true(cJSON_IsNull(get(top, "2.name")));
    assert_int_equal(get(top, "2.count")->valueint, 10);
    cJSON_Delete(f);
    ohc_bits_collection_clear(&c);
}

static void test_property_errors_bounded(void **state)
{
    (void)state;
    ohc_bits_job j;
    ohc_bits_job_init(&j);
    for (unsigned i = 0; i < OHC_BITS_MAX_PROPERTY_ERRORS + 5; i++)
        ohc_bits_job_property_error(&j, "owner", 0x80004001u);
    assert_int_equal(j.property_error_count, OHC_BITS_MAX_PROPERTY_ERRORS);
    ohc_bits_job_clear(&j);
}

static void test_empty_collection(void **state)
{
    (void)state;
    ohc_bits_collection c;
    ohc_bits_collection_init(&c, 1000);
    snprintf(c.reason, sizeof c.reason, "BITS service is stopped");
    c.service.known = 1;
    c.service.state = "stopped";
    c.service.start_type = "manual";
    cJSON *f = ohc_bits_collection_to_json(&c);
    assert_non_null(f);
    assert_true(cJSON_IsNull(get(f, "enumeration.scope")));
    assert_string_equal(get(f, "enumeration.reason")->valuestring, "BITS service is stopped");
    assert_string_equal(get(f, "service.state")->valuestring, "stopped");
    assert_int_equal(cJSON_GetArraySize(get(f, "jobs")), 0);
    assert_int_equal(get(f, "summary.total")->valueint, 0);
    cJSON_Delete(f);
    ohc_bits_collection_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_oab_urls),
        cmocka_unit_test(test_filetime),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_job_facts),
        cmocka_unit_test(test_unknown_values_raw),
        cmocka_unit_test(test_owner_summary_and_limit),
        cmocka_unit_test(test_oab_guid_of_url),
        cmocka_unit_test(test_live_jobs_only_and_top_names),
        cmocka_unit_test(test_property_errors_bounded),
        cmocka_unit_test(test_empty_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
