/* ohc collect: run the probes, write the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collect.h"
#include "deliver.h"
#include "event_queries.h"
#include "event_state.h"
#include "eventlog_out.h"
#include "evtx.h"
#include "oab_check.h"
#include "cmd_upload.h"
#include "os.h"
#include "report.h"
#include "settings.h"
#include "spool.h"
#include "strbuf.h"
#include "upload.h"

enum {
    OPT_OUT = 1,
    OPT_OUT_DIR,
    OPT_FORMAT,
    OPT_RULES,
    OPT_UPLOAD,
    OPT_PROBES,
    OPT_EVTX,
    OPT_EVENT_STATE,
    OPT_EVENT_QUERY,
    OPT_OAB_URL,
    OPT_SERVER,
    OPT_EVENTLOG,
    OPT_EVENTLOG_STATE
};

#define MAX_EVTX_FILES 64
#define MAX_OAB_URLS 16

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
    {"oab-url", 0, 1, OPT_OAB_URL},
    {"server", 0, 1, OPT_SERVER},
    {"eventlog", 0, 0, OPT_EVENTLOG},
    {"eventlog-state", 0, 1, OPT_EVENTLOG_STATE},
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
                          size_t nspecs, const ohc_platform *platform, const ohc_cli_sets *sets, char **out_rules_dir,
                          char **out_allow_hosts)
{
    memset(extra, 0, sizeof *extra);
    ohc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    ohc_strbuf flag_queries = OHC_STRBUF_INIT;
    for (size_t i = 0; i < nspecs; i++)
        ohc_strbuf_appendf(&flag_queries, "%s%s", i ? "\n" : "", specs[i]);
    if (ohc_strbuf_failed(&flag_queries) || ohc_cli_config_load(&cfg, platform, sets, log_config, NULL) != 0) {
        ohc_config_free(&cfg);
        ohc_strbuf_free(&flag_queries);
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
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
    options->oab_service_probing = (int)ohc_config_num(&cfg, OHC_SET_OAB_PROBE_SERVICE);
    if (rc == OHC_EXIT_OK && (*out_allow_hosts = ohc_strdup(ohc_config_str(&cfg, OHC_SET_OAB_PROBE_HOSTS))) == NULL) {
        ohc_cli_error("out of memory");
        rc = OHC_EXIT_FAILED;
    }
    options->oab_allow_hosts = *out_allow_hosts;
    const char *rules = ohc_config_str(&cfg, OHC_SET_RULES_DIR);
    if (rc == OHC_EXIT_OK && rules[0] != '\0' && (*out_rules_dir = ohc_strdup(rules)) == NULL) {
        ohc_cli_error("out of memory");
        rc = OHC_EXIT_FAILED;
    }
    ohc_config_free(&cfg);
    ohc_strbuf_free(&flag_queries);
    return rc;
}

/* What the command line asked for. Strings are borrowed from argv. */
struct collect_cmd {
    const char *out_file, *out_dir, *format, *probe_list, *rules_dir;
    const char *event_state; /* --event-state FILE: mark events not reported before */
    const char *query_specs[OHC_EVENT_QUERIES_MAX]; /* --event-query SPEC (repeatable): EventQueries lines */
    size_t nquery;
    /* --evtx FILE (repeatable): the event probe reads these instead of the live log. */
    const char *evtx_files[MAX_EVTX_FILES + 1];
    size_t nevtx;
    /* Owned: opened by check_inputs (so that each file is opened once), read
     * by the events probe, closed by close_evtx_readers. */
    ohc_evtx_reader *evtx_readers[MAX_EVTX_FILES + 1];
    /* --oab-url URL and --server HOST=ADDR[,ADDR...] (repeatable): the OAB check. */
    const char *oab_urls[MAX_OAB_URLS];
    size_t noab;
    const char *servers[OHC_OAB_MAX_PINS];
    size_t nservers;
    int upload;
    ohc_upload_args up; /* owns the token once read: ohc_upload_args_free */
    /* --eventlog: the findings into the Application log; the state of the last
     * collection's findings in --eventlog-state FILE or the machine's. */
    int eventlog;
    const char *eventlog_state;
    char eventlog_state_buf[1024];
};

/* Parses argv into c. OHC_EXIT_OK to go on, else the exit code (said). */
static int parse_args(struct collect_cmd *c, int argc, char **argv, int *out_help)
{
    ohc_opt_state st = {1, 0, NULL, ""};
    int id;
    *out_help = 0;
    while ((id = ohc_opt_next(&st, argc, argv, collect_opts)) != OHC_OPT_END) {
        switch (id) {
        case OPT_OUT: c->out_file = st.value; break;
        case OPT_OUT_DIR: c->out_dir = st.value; break;
        case OPT_FORMAT: c->format = st.value; break;
        case OPT_PROBES: c->probe_list = st.value; break;
        case OPT_EVTX:
            if (c->nevtx >= MAX_EVTX_FILES)
                return ohc_usage_error("collect", "too many --evtx files (at most 64)");
            c->evtx_files[c->nevtx++] = st.value;
            break;
        case OPT_RULES: c->rules_dir = st.value; break;
        case OPT_EVENT_STATE: c->event_state = st.value; break;
        case OPT_EVENT_QUERY:
            if (c->nquery >= OHC_EVENT_QUERIES_MAX)
                return ohc_usage_error("collect", "too many --event-query (at most 16)");
            c->query_specs[c->nquery++] = st.value;
            break;
        case OPT_OAB_URL: {
            ohc_oab_target t;
            if (c->noab >= MAX_OAB_URLS)
                return ohc_usage_error("collect", "too many --oab-url (at most 16)");
            if (ohc_oab_target_from_url(&t, st.value) != OHC_OK)
                return ohc_usage_error("collect", "--oab-url wants http(s)://HOST[:PORT]/OAB/<GUID>/[oab.xml]");
            c->oab_urls[c->noab++] = st.value;
            break;
        }
        case OPT_SERVER: {
            ohc_oab_pin pin;
            ohc_error perr;
            if (c->nservers >= OHC_OAB_MAX_PINS)
                return ohc_usage_error("collect", "too many --server (at most 16)");
            if (ohc_oab_pin_parse(&pin, st.value, &perr) != OHC_OK)
                return ohc_usage_error("collect", perr.message);
            c->servers[c->nservers++] = st.value;
            break;
        }
        case OPT_UPLOAD: c->upload = 1; break;
        case OPT_EVENTLOG: c->eventlog = 1; break;
        case OPT_EVENTLOG_STATE: c->eventlog_state = st.value; break;
        case OHC_OPT_POSITIONAL: return ohc_usage_error("collect", "takes no positional arguments");
        case OHC_OPT_HELP:
            printf("Usage: ohc collect [options]\n");
            *out_help = 1;
            return OHC_EXIT_OK;
        default:
            if (id >= OHC_UPOPT_URL) {
                int r = ohc_upload_args_option(&c->up, id, st.value, "collect");
                if (r != 0)
                    return r;
                break;
            }
            return ohc_usage_error("collect", st.error);
        }
    }
    if (c->format != NULL && strcmp(c->format, "json") != 0 && strcmp(c->format, "text") != 0)
        return ohc_usage_error("collect", "--format must be json or text");
    if (!c->upload && (c->up.url != NULL || c->up.spool_dir != NULL))
        return ohc_usage_error("collect", "--url and --spool need --upload");
    if (!c->eventlog && c->eventlog_state != NULL)
        return ohc_usage_error("collect", "--eventlog-state needs --eventlog");
    if (c->format == NULL)
        c->format = c->out_file != NULL || c->out_dir != NULL ? "text" : "json";
    return OHC_EXIT_OK;
}

/* What can be checked before the probes run, so that a wrong URL or a file
 * that is not an event log is found at once, not after the collection. */
static int check_inputs(struct collect_cmd *c, const ohc_platform *platform)
{
    ohc_error err;
    ohc_error_clear(&err);
    if (c->eventlog && (platform->write_eventlog == NULL || platform->eventlog_state_path == NULL))
        return ohc_usage_error("collect", "--eventlog needs the Windows event log (ohc.exe)");
    if (c->eventlog && c->eventlog_state == NULL) {
        if (platform->eventlog_state_path(c->eventlog_state_buf, sizeof c->eventlog_state_buf, &err) != OHC_OK) {
            ohc_cli_error("--eventlog: the state of the last collection's findings: %s (run elevated, or give "
                          "--eventlog-state FILE)",
                          err.message);
            return OHC_EXIT_FAILED;
        }
        c->eventlog_state = c->eventlog_state_buf;
    }
    if (c->upload && ohc_upload_args_apply_settings(&c->up) != 0)
        return OHC_EXIT_FAILED;
    if (c->upload && ohc_upload_check_url(c->up.url, c->up.allow_http, &err) != OHC_OK) {
        fprintf(stderr, "ohc collect: %s\n", err.message);
        return OHC_EXIT_FAILED;
    }
    /* Refuse a file that cannot be read as an event log now, with its reason,
     * rather than as a probe error deep in the report. The open readers go to
     * the events probe, so each file is opened once. */
    for (size_t i = 0; i < c->nevtx; i++) {
        ohc_error_clear(&err);
        if (ohc_evtx_open(&c->evtx_readers[i], c->evtx_files[i], &err) != OHC_OK) {
            ohc_cli_error("--evtx %s: %s", c->evtx_files[i], err.message);
            return OHC_EXIT_FAILED;
        }
    }
    return OHC_EXIT_OK;
}

static void close_evtx_readers(struct collect_cmd *c)
{
    for (size_t i = 0; i < c->nevtx; i++) {
        ohc_evtx_close(c->evtx_readers[i]);
        c->evtx_readers[i] = NULL;
    }
}

/* Runs the chosen probes and the rules into *out (NULL when the collection
 * itself failed). OHC_EXIT_OK, or the exit code (said). */
static int run_collection(cJSON **out, const struct collect_cmd *c, const ohc_platform *platform)
{
    *out = NULL;
    ohc_probe_def *chosen = calloc(platform->probe_count ? platform->probe_count : 1, sizeof *chosen);
    if (chosen == NULL) {
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    size_t count = platform->probe_count;
    int rc = OHC_EXIT_OK;
    if (c->probe_list != NULL)
        rc = select_probes(chosen, &count, platform->probes, platform->probe_count, c->probe_list);
    else if (count > 0)
        memcpy(chosen, platform->probes, count * sizeof *chosen);

    ohc_collect_options options = {.event_days = 14};
    options.evtx_files = c->nevtx ? c->evtx_files : NULL;
    options.evtx_readers = c->nevtx ? c->evtx_readers : NULL;
    options.event_state_path = c->event_state;
    ohc_event_queries extra;
    memset(&extra, 0, sizeof extra);
    char *rules_setting = NULL; /* RulesDir, when --rules is absent */
    char *allow_hosts = NULL; /* OabProbeHosts */
    options.oab_urls = c->oab_urls;
    options.oab_url_count = c->noab;
    options.oab_server_pins = c->servers;
    options.oab_server_pin_count = c->nservers;
    options.ca_file = c->up.ca_file;
    options.resolve_proxy = platform->resolve_proxy;
    if (rc == OHC_EXIT_OK)
        rc = collect_config(&extra, &options, c->query_specs, c->nquery, platform, &c->up.sets, &rules_setting,
                            &allow_hosts);
    if (rc == OHC_EXIT_OK) {
        ohc_error err;
        ohc_error_clear(&err);
        *out = ohc_collect_report(chosen, count, &options, c->rules_dir ? c->rules_dir : rules_setting, &err);
        if (*out == NULL) {
            ohc_cli_error("collection failed: %s", err.message);
            rc = OHC_EXIT_FAILED;
        }
    }
    free(rules_setting);
    free(allow_hosts);
    ohc_event_queries_free(&extra);
    free(chosen);
    return rc;
}

static void log_to_stderr(void *ctx, ohc_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    ohc_cli_error("%s", msg);
}

struct print_ctx {
    const struct collect_cmd *c;
    const ohc_finished *finished;
};

/* The report on stdout (JSON, or the readable text), then where it went. */
static void print_report(void *ctx, const cJSON *report, const char *json)
{
    const struct print_ctx *p = ctx;
    int json_format = !strcmp(p->c->format, "json");
    if (json_format) {
        fputs(json, stdout);
    } else {
        char *text = ohc_report_to_text(report, ohc_os_is_terminal(1));
        if (text != NULL)
            fputs(text, stdout);
        free(text);
    }
    int writes_files = p->c->out_file != NULL || p->c->out_dir != NULL;
    FILE *where = writes_files && json_format ? stderr : stdout;
    for (size_t i = 0; i < p->finished->file_count; i++)
        fprintf(where, "%sReport written to %s\n", i == 0 ? "\n" : "", p->finished->files[i]);
    fflush(stdout);
}

/* What is wrong with the --evtx files goes to stderr as well as into the
 * report: damage (events missing), another computer's log. */
static void warn_event_sources(const cJSON *report)
{
    const cJSON *fe;
    cJSON_ArrayForEach(fe, ohc_report_get(report, "facts.events.file_errors"))
    {
        const char *file = ohc_report_str(fe, "file"), *why = ohc_report_str(fe, "error.message");
        ohc_cli_error("--evtx %s: %s", file ? file : "?", why ? why : "cannot be read");
    }
    const cJSON *info;
    cJSON_ArrayForEach(info, ohc_report_get(report, "facts.events.file_info"))
    {
        if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(info, "local_host")))
            continue;
        char line[1024];
        int warn;
        ohc_report_event_source_line(line, sizeof line, info, &warn);
        ohc_cli_error("--evtx %s", line);
    }
}

/* The findings into the Application log (the report is already out). */
static int to_eventlog(const struct collect_cmd *c, const cJSON *report, const ohc_platform *platform)
{
    ohc_eventlog_options o = {.state_path = c->eventlog_state, .write = platform->write_eventlog, .log = log_to_stderr};
    ohc_eventlog_result res;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_report_to_eventlog(&res, report, &o, &err);
    fprintf(stderr, "Event log: %zu event(s) written to the Application log (%zu finding(s), %zu resolved)%s\n",
            res.written, res.findings, res.resolved, rc == OHC_OK ? "" : "; see above");
    return rc == OHC_OK ? OHC_EXIT_OK : OHC_EXIT_FAILED;
}

/* Stores, spools, prints the report, writes the findings to the event log
 * (--eventlog) and delivers the spool. Returns the exit code: the report's,
 * or OHC_EXIT_FAILED when it could not be stored or the events not written. */
static int finish_and_deliver(struct collect_cmd *c, cJSON *report, const ohc_platform *platform)
{
    int rc = ohc_report_exit_code(report);
    ohc_error err;
    ohc_error_clear(&err);
    ohc_spool spool;
    int spool_open = 0;
    if (c->upload) {
        if (ohc_spool_open(&spool, c->up.spool_dir, &c->up.limits, &err) == OHC_OK)
            spool_open = 1;
        else {
            ohc_cli_error("%s", err.message);
            rc = OHC_EXIT_FAILED;
        }
    }
    ohc_finished finished;
    struct print_ctx pc = {c, &finished};
    ohc_finish_options fo = {
        .json_path = c->out_file,
        .out_dir = c->out_dir,
        .spool = spool_open ? &spool : NULL,
        .event_state_path = rc == OHC_EXIT_FAILED ? NULL : c->event_state, /* the report will not reach its spool */
        .print = print_report,
        .print_ctx = &pc,
        .log = log_to_stderr,
    };
    if (ohc_report_finish(&finished, report, &fo, &err) != OHC_OK)
        rc = OHC_EXIT_FAILED;
    if (c->eventlog && to_eventlog(c, report, platform) != OHC_EXIT_OK)
        rc = OHC_EXIT_FAILED;
    if (finished.spooled) {
        /* the report is safe in the spool; whatever the network does, it waits there */
        if (!strcmp(c->format, "json"))
            c->up.quiet = 1;
        if (ohc_upload_run(&c->up, NULL, 0, "collect") == OHC_EXIT_FAILED)
            rc = OHC_EXIT_FAILED;
    }
    ohc_finished_free(&finished);
    return rc;
}

int ohc_cmd_collect(int argc, char **argv, const ohc_platform *platform)
{
    struct collect_cmd c;
    memset(&c, 0, sizeof c);
    ohc_upload_args_init(&c.up, platform);
    cJSON *report = NULL;
    int help = 0;
    int rc = parse_args(&c, argc, argv, &help);
    if (rc == OHC_EXIT_OK && !help)
        rc = check_inputs(&c, platform);
    if (rc == OHC_EXIT_OK && !help)
        rc = run_collection(&report, &c, platform);
    close_evtx_readers(&c); /* the events probe has read them to their end */
    if (rc == OHC_EXIT_OK && report != NULL) {
        warn_event_sources(report);
        rc = finish_and_deliver(&c, report, platform);
    }
    ohc_upload_args_free(&c.up); /* wipes the token */
    cJSON_Delete(report);
    return rc;
}
