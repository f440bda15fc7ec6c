/* ohc collect: run the probes, write the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collect.h"
#include "event_queries.h"
#include "event_state.h"
#include "evtx.h"
#include "cmd_upload.h"
#include "os.h"
#include "report.h"
#include "settings.h"
#include "spool.h"
#include "strbuf.h"
#include "upload.h"

enum { OPT_OUT = 1, OPT_OUT_DIR, OPT_FORMAT, OPT_RULES, OPT_UPLOAD, OPT_PROBES, OPT_EVTX, OPT_EVENT_STATE, OPT_EVENT_QUERY };

#define MAX_EVTX_FILES 64

static const ohc_opt collect_opts[] = {
    {"out", 'o', 1, OPT_OUT},
    {"out-dir", 0, 1, OPT_OUT_DIR},
    {"format", 'f', 1, OPT_FORMAT},
    {"rules", 0, 1, OPT_RULES},
    {"upload", 0, 0, OPT_UPLOAD},
    {"probes", 0, 1, OPT_PROBES},
    {"evtx", 0, 1, OPT_EVTX},
    {"event-state", 0, 1, OPT_EVENT_STATE},
    {"event-query", 0, 1, OPT_EVENT_QUERY},
    /* with --upload (see cmd_upload.h) */
    OHC_UPLOAD_COMMON_OPTS,
    {NULL, 0, 0, 0},
};

/* Keeps the probes named in a comma-separated list; reports unknown names. */
static int select_probes(ohc_probe_def *out, size_t *out_count, const ohc_probe_def *all, size_t count,
                         const char *list)
{
    size_t n = 0;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < count; i++) {
            if (strlen(all[i].name) == len && !strncmp(all[i].name, p, len)) {
                found = 1;
                int dup = 0;
                for (size_t j = 0; j < n; j++)
                    dup |= out[j].name == all[i].name;
                if (!dup)
                    out[n++] = all[i];
            }
        }
        if (!found && len > 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown probe '%.*s'", (int)(len > 40 ? 40 : len), p);
            return ohc_usage_error("collect", msg);
        }
        p += len + (comma != NULL);
    }
    *out_count = n;
    return OHC_EXIT_OK;
}

static int write_report_file(const char *path, const char *json)
{
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_os_write_file_atomic(path, json, strlen(json), &err) != OHC_OK) {
        ohc_cli_error("cannot write %s: %s", path, err.message);
        return -1;
    }
    return 0;
}

static void log_config(void *ctx, const char *msg)
{
    (void)ctx;
    ohc_cli_error("%s", msg);
}

/* EventDays and EventQueries from the configuration (a bad registry value is
 * said and skipped, as the service does), --event-query lines over them.
 * Fills extra (free it with ohc_event_queries_free in every case) and
 * points options at it. OHC_EXIT_OK, or the exit code after saying why (a
 * bad --event-query is a usage error). */
static int collect_config(ohc_event_queries *extra, ohc_collect_options *options, const char *const *specs,
                          size_t nspecs)
{
    memset(extra, 0, sizeof *extra);
    ohc_config cfg;
    ohc_strbuf flag_queries = OHC_STRBUF_INIT;
    for (size_t i = 0; i < nspecs; i++)
        ohc_strbuf_appendf(&flag_queries, "%s%s", i ? "\n" : "", specs[i]);
    if (ohc_config_init(&cfg) != OHC_OK || ohc_strbuf_failed(&flag_queries)) {
        ohc_config_free(&cfg);
        ohc_strbuf_free(&flag_queries);
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    ohc_config_load(&cfg, log_config, NULL);
    ohc_error err;
    ohc_error_clear(&err);
    int rc = OHC_EXIT_OK;
    if (nspecs > 0 && ohc_config_set_flag(&cfg, OHC_SET_EVENT_QUERIES, ohc_strbuf_str(&flag_queries), &err) != OHC_OK) {
        rc = ohc_usage_error("collect", err.message);
    } else if (ohc_event_queries_parse(extra, ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), &err) != OHC_OK) {
        ohc_cli_error("EventQueries: %s", err.message); /* only out of memory: the value was checked */
        rc = OHC_EXIT_FAILED;
    }
    options->event_days = ohc_config_num(&cfg, OHC_SET_EVENT_DAYS);
    options->event_queries = extra->q;
    options->event_query_count = extra->count;
    ohc_config_free(&cfg);
    ohc_strbuf_free(&flag_queries);
    return rc;
}

static void close_readers(ohc_evtx_reader **readers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ohc_evtx_close(readers[i]);
        readers[i] = NULL;
    }
}

int ohc_cmd_collect(int argc, char **argv)
{
    const char *out_file = NULL, *out_dir = NULL, *format = NULL, *probe_list = NULL, *rules_dir = NULL;
    const char *event_state = NULL; /* --event-state FILE: mark events not reported before */
    const char *query_specs[OHC_EVENT_QUERIES_MAX]; /* --event-query SPEC (repeatable): EventQueries lines */
    size_t nquery = 0;
    /* --evtx FILE (repeatable): the event probe reads these instead of the live log. */
    const char *evtx_files[MAX_EVTX_FILES + 1] = {NULL};
    size_t nevtx = 0;
    ohc_opt_state st = {1, 0, NULL, ""};
    int id, upload = 0;
    ohc_upload_args up;
    ohc_upload_args_init(&up);
    while ((id = ohc_opt_next(&st, argc, argv, collect_opts)) != OHC_OPT_END) {
        switch (id) {
        case OPT_OUT: out_file = st.value; break;
        case OPT_OUT_DIR: out_dir = st.value; break;
        case OPT_FORMAT: format = st.value; break;
        case OPT_PROBES: probe_list = st.value; break;
        case OPT_EVTX:
            if (nevtx >= MAX_EVTX_FILES)
                return ohc_usage_error("collect", "too many --evtx files (at most 64)");
            evtx_files[nevtx++] = st.value;
            break;
        case OPT_RULES: rules_dir = st.value; break;
        case OPT_EVENT_STATE: event_state = st.value; break;
        case OPT_EVENT_QUERY:
            if (nquery >= OHC_EVENT_QUERIES_MAX)
                return ohc_usage_error("collect", "too many --event-query (at most 16)");
            query_specs[nquery++] = st.value;
            break;
        case OPT_UPLOAD: upload = 1; break;
        case OHC_OPT_POSITIONAL: return ohc_usage_error("collect", "takes no positional arguments");
        case OHC_OPT_HELP: printf("Usage: ohc collect [options]\n"); return OHC_EXIT_OK;
        default:
            if (id >= OHC_UPOPT_URL) {
                int r = ohc_upload_args_option(&up, id, st.value, "collect");
                if (r != 0) {
                    ohc_upload_args_free(&up);
                    return r;
                }
                break;
            }
            ohc_upload_args_free(&up);
            return ohc_usage_error("collect", st.error);
        }
    }
    if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
        ohc_upload_args_free(&up);
        return ohc_usage_error("collect", "--format must be json or text");
    }
    if (!upload && (up.url != NULL || up.spool_dir != NULL)) {
        ohc_upload_args_free(&up);
        return ohc_usage_error("collect", "--url and --spool need --upload");
    }
    ohc_error uerr;
    if (upload && ohc_upload_args_apply_settings(&up) != 0) {
        ohc_upload_args_free(&up);
        return OHC_EXIT_FAILED;
    }
    if (upload && ohc_upload_check_url(up.url, up.allow_http, &uerr) != OHC_OK) {
        /* before collecting: a wrong URL is found at once, not after the probes */
        fprintf(stderr, "ohc collect: %s\n", uerr.message);
        ohc_upload_args_free(&up);
        return OHC_EXIT_FAILED;
    }
    int writes_files = out_file != NULL || out_dir != NULL;
    if (format == NULL)
        format = writes_files ? "text" : "json";

    /* Refuse a file that cannot be read as an event log now, with its reason,
     * rather than as a probe error deep in the report. The open readers go to
     * the events probe, so each file is opened once. */
    ohc_evtx_reader *evtx_readers[MAX_EVTX_FILES + 1] = {NULL};
    for (size_t i = 0; i < nevtx; i++) {
        ohc_error ferr;
        ohc_error_clear(&ferr);
        if (ohc_evtx_open(&evtx_readers[i], evtx_files[i], &ferr) != OHC_OK) {
            ohc_cli_error("--evtx %s: %s", evtx_files[i], ferr.message);
            close_readers(evtx_readers, i);
            ohc_upload_args_free(&up);
            return OHC_EXIT_FAILED;
        }
    }

    size_t all_count = 0;
    const ohc_probe_def *all = ohc_platform_probes(&all_count);
    ohc_probe_def *chosen = calloc(all_count ? all_count : 1, sizeof *chosen);
    if (chosen == NULL) {
        close_readers(evtx_readers, nevtx);
        ohc_upload_args_free(&up);
        return OHC_EXIT_FAILED;
    }
    size_t count = all_count;
    if (probe_list != NULL) {
        int rc = select_probes(chosen, &count, all, all_count, probe_list);
        if (rc != OHC_EXIT_OK) {
            close_readers(evtx_readers, nevtx);
            free(chosen);
            ohc_upload_args_free(&up);
            return rc;
        }
    } else {
        memcpy(chosen, all, all_count * sizeof *chosen);
    }

    ohc_collect_options options = {.event_days = 14};
    options.evtx_files = nevtx ? evtx_files : NULL;
    options.evtx_readers = nevtx ? evtx_readers : NULL;
    options.event_state_path = event_state;
    ohc_event_queries extra;
    int crc = collect_config(&extra, &options, query_specs, nquery);
    if (crc != OHC_EXIT_OK) {
        close_readers(evtx_readers, nevtx);
        ohc_event_queries_free(&extra);
        free(chosen);
        ohc_upload_args_free(&up);
        return crc;
    }
    ohc_error err;
    ohc_error_clear(&err);
    cJSON *report = ohc_collect_report_with_rules(chosen, count, &options, rules_dir, &err);
    close_readers(evtx_readers, nevtx);
    free(chosen);
    ohc_event_queries_free(&extra);
    if (report == NULL) {
        ohc_cli_error("collection failed: %s", err.message);
        ohc_upload_args_free(&up);
        return OHC_EXIT_FAILED;
    }

    int rc = ohc_report_exit_code(report);
    ohc_spool spool;
    int spooled = 0;
    if (upload) {
        if (ohc_spool_open(&spool, up.spool_dir, &up.limits, &err) != OHC_OK) {
            ohc_cli_error("%s", err.message);
            rc = OHC_EXIT_FAILED;
            upload = 0;
        } else {
            /* reports the spool had to drop are counted in the next one */
            cJSON *u = cJSON_AddObjectToObject(report, "upload");
            if (u != NULL)
                cJSON_AddNumberToObject(u, "dropped_reports", ohc_spool_dropped(&spool));
        }
    }
    char *json = ohc_report_to_json(report);
    if (json == NULL) {
        ohc_cli_error("out of memory rendering the report");
        cJSON_Delete(report);
        return OHC_EXIT_FAILED;
    }

    ohc_strbuf written = OHC_STRBUF_INIT;
    if (out_file != NULL) {
        if (write_report_file(out_file, json) != 0)
            rc = OHC_EXIT_FAILED;
        else
            ohc_strbuf_appendf(&written, "Report written to %s\n", out_file);
    }
    if (out_dir != NULL) {
        /* report.json and report.html side by side, each written atomically */
        ohc_strbuf path = OHC_STRBUF_INIT, hpath = OHC_STRBUF_INIT;
        ohc_strbuf_appendf(&path, "%s%creport.json", out_dir, ohc_os_path_sep());
        ohc_strbuf_appendf(&hpath, "%s%creport.html", out_dir, ohc_os_path_sep());
        char *html = ohc_report_to_html(report);
        if (ohc_os_mkdir_p(out_dir, &err) != OHC_OK) {
            ohc_cli_error("cannot create %s: %s", out_dir, err.message);
            rc = OHC_EXIT_FAILED;
        } else if (html == NULL || ohc_strbuf_failed(&path) || ohc_strbuf_failed(&hpath)) {
            ohc_cli_error("out of memory rendering the report");
            rc = OHC_EXIT_FAILED;
        } else {
            if (write_report_file(ohc_strbuf_str(&path), json) != 0)
                rc = OHC_EXIT_FAILED;
            else
                ohc_strbuf_appendf(&written, "Report written to %s\n", ohc_strbuf_str(&path));
            if (write_report_file(ohc_strbuf_str(&hpath), html) != 0)
                rc = OHC_EXIT_FAILED;
            else
                ohc_strbuf_appendf(&written, "Report written to %s\n", ohc_strbuf_str(&hpath));
        }
        free(html);
        ohc_strbuf_free(&path);
        ohc_strbuf_free(&hpath);
    }

    if (upload) {
        const char *rid = ohc_report_str(report, "report_id");
        unsigned carried = (unsigned)cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(report, "upload"), "dropped_reports")
                               ->valuedouble;
        if (ohc_spool_add(&spool, NULL, NULL, rid, json, strlen(json), &err) != OHC_OK) {
            ohc_cli_error("cannot put the report into the spool %s: %s", spool.dir, err.message);
            rc = OHC_EXIT_FAILED;
        } else {
            spooled = 1;
            if (carried > 0)
                ohc_spool_dropped_consume(&spool, carried);
        }
    }

    if (!strcmp(format, "json")) {
        fputs(json, stdout);
    } else {
        char *text = ohc_report_to_text(report, ohc_os_is_terminal(1));
        if (text != NULL)
            fputs(text, stdout);
        free(text);
    }
    if (written.len)
        fprintf(writes_files && !strcmp(format, "json") ? stderr : stdout, "\n%s", ohc_strbuf_str(&written));
    fflush(stdout);
    /* The state moves on only once the report is out (stored or printed), so
     * a lost report shows its events as new again. */
    if (event_state != NULL && rc != OHC_EXIT_FAILED && ohc_event_state_commit(report, event_state, &err) != OHC_OK)
        ohc_cli_error("cannot save the event state %s: %s (the next report shows these events as new again)",
                      event_state, err.message);
    if (spooled) {
        /* the report is safe in the spool; whatever the network does, it waits there */
        if (!strcmp(format, "json"))
            up.quiet = 1;
        int urc = ohc_upload_run(&up, NULL, 0, "collect");
        if (urc == OHC_EXIT_FAILED)
            rc = OHC_EXIT_FAILED;
    }
    ohc_upload_args_free(&up);
    ohc_strbuf_free(&written);
    free(json);
    cJSON_Delete(report);
    return rc;
}
