/* ohc collect: run the probes, write the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collect.h"
#include "evtx.h"
#include "cmd_upload.h"
#include "os.h"
#include "report.h"
#include "spool.h"
#include "strbuf.h"
#include "upload.h"

enum { OPT_OUT = 1, OPT_OUT_DIR, OPT_FORMAT, OPT_RULES, OPT_UPLOAD, OPT_PROBES, OPT_EVTX };

#define MAX_EVTX_FILES 64

static const ohc_opt collect_opts[] = {
    {"out", 'o', 1, OPT_OUT},
    {"out-dir", 0, 1, OPT_OUT_DIR},
    {"format", 'f', 1, OPT_FORMAT},
    {"rules", 0, 1, OPT_RULES},
    {"upload", 0, 0, OPT_UPLOAD},
    {"probes", 0, 1, OPT_PROBES},
    {"evtx", 0, 1, OPT_EVTX},
    /* with --upload (see cmd_upload.h) */
    {"url", 0, 1, OHC_UPOPT_URL},
    {"allow-http", 0, 0, OHC_UPOPT_ALLOW_HTTP},
    {"spool", 0, 1, OHC_UPOPT_SPOOL},
    {"token-file", 0, 1, OHC_UPOPT_TOKEN_FILE},
    {"ca-file", 0, 1, OHC_UPOPT_CA_FILE},
    {"proxy", 0, 1, OHC_UPOPT_PROXY},
    {"timeout", 0, 1, OHC_UPOPT_TIMEOUT},
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

int ohc_cmd_collect(int argc, char **argv)
{
    const char *out_file = NULL, *out_dir = NULL, *format = NULL, *probe_list = NULL, *rules_dir = NULL;
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
     * rather than as a probe error deep in the report. */
    for (size_t i = 0; i < nevtx; i++) {
        ohc_evtx_reader *r = NULL;
        ohc_error ferr;
        ohc_error_clear(&ferr);
        if (ohc_evtx_open(&r, evtx_files[i], &ferr) != OHC_OK) {
            ohc_cli_error("--evtx %s: %s", evtx_files[i], ferr.message);
            ohc_upload_args_free(&up);
            return OHC_EXIT_FAILED;
        }
        ohc_evtx_close(r);
    }

    size_t all_count = 0;
    const ohc_probe_def *all = ohc_platform_probes(&all_count);
    ohc_probe_def *chosen = calloc(all_count ? all_count : 1, sizeof *chosen);
    if (chosen == NULL) {
        ohc_upload_args_free(&up);
        return OHC_EXIT_FAILED;
    }
    size_t count = all_count;
    if (probe_list != NULL) {
        int rc = select_probes(chosen, &count, all, all_count, probe_list);
        if (rc != OHC_EXIT_OK) {
            free(chosen);
            ohc_upload_args_free(&up);
            return rc;
        }
    } else {
        memcpy(chosen, all, all_count * sizeof *chosen);
    }

    ohc_collect_options options = {NULL, 14, NULL};
    options.evtx_files = nevtx ? evtx_files : NULL;
    ohc_error err;
    ohc_error_clear(&err);
    cJSON *report = ohc_collect_report_with_rules(chosen, count, &options, rules_dir, &err);
    free(chosen);
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
