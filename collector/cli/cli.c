#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "ohc_version.h"
#include "os.h"
#include "settings.h"
#include "strbuf.h"

static int cmd_version(int argc, char **argv, const ohc_platform *platform);
static int cmd_help(int argc, char **argv, const ohc_platform *platform);

/* The command table, in the order `ohc help` prints it (with `usage`); each
 * implementation lives in its own cmd_*.c file. The entry without a name is
 * where the platform's own commands (ohc_platform.commands) are listed. */
static const ohc_command commands[] = {
    {"collect", ohc_cmd_collect,
     "collect [--out FILE] [--out-dir DIR] [--format json|text] [--rules DIR]\n"
     "            [--probes LIST] [--evtx FILE.evtx]... [--event-state FILE] [--event-query SPEC]...\n"
     "            [--oab-url URL]... [--server HOST=ADDR[,ADDR...]]... [--ca-file FILE]\n"
     "            [--upload [--url URL] [--allow-http] [--spool DIR]] [--eventlog [--eventlog-state FILE]]\n"
     "            [--set NAME=VALUE]...",
     "collect facts from this PC and write a report"},
    {"events", ohc_cmd_events,
     "events FILE.evtx... [--provider NAME] [--id N[,N...]] [--since TIME]\n"
     "            [--format jsonl|xml] [--stats]",
     "print the records of saved event logs (.evtx), one JSON object per line"},
    {"evaluate", ohc_cmd_evaluate,
     "evaluate REPORT.json [--rules DIR] [--format json|text|html] [--out FILE]\n"
     "            [--set NAME=VALUE]...",
     "re-check a saved report with the current rules"},
    {"rules", ohc_cmd_rules, "rules check [DIR]",
     "check rule files (default: the built-in ones) and list their errors"},
    {"upload", ohc_cmd_upload,
     "upload [--url URL] [--allow-http] [--spool DIR] [--token-file FILE]\n"
     "            [--ca-file FILE] [--proxy URL] [--timeout S] [--attempts N]\n"
     "            [--set NAME=VALUE]... [FILE...]   (--set UploadFormat=report|otlp|splunk-hec)",
     "put reports into the spool and send the spool to the endpoint (exit 1: some wait for a retry)"},
    {NULL, NULL, NULL, NULL}, /* the platform's commands */
    {"config", ohc_cmd_config,
     "config show [--format text|json] [--set NAME=VALUE]...\n"
     "            config set [--skip-empty] NAME=VALUE... | config unset NAME...",
     "print the effective configuration and its sources; write HKLM\\SOFTWARE\\OutlookHealthCollector"},
    {"version", cmd_version, "version", "print the version"},
    {"help", cmd_help, "help [COMMAND]", "print this help"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

void ohc_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("ohc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int ohc_usage_error(const char *cmd, const char *msg)
{
    if (cmd != NULL)
        fprintf(stderr, "ohc %s: %s (see 'ohc help %s')\n", cmd, msg, cmd);
    else
        fprintf(stderr, "ohc: %s (see 'ohc help')\n", msg);
    return OHC_EXIT_USAGE;
}

int ohc_cli_sets_add(ohc_cli_sets *sets, const char *assignment, const char *cmd)
{
    if (sets->count >= OHC_CLI_SETS_MAX)
        return ohc_usage_error(cmd, "too many --set (at most 32)");
    ohc_config scratch;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_config_init(&scratch);
    if (rc == OHC_OK)
        rc = ohc_config_set_assignment(&scratch, assignment, &err);
    ohc_config_free(&scratch); /* wipes a secret it held */
    if (rc == OHC_ENOMEM) {
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    if (rc != OHC_OK)
        return ohc_usage_error(cmd, err.message);
    sets->v[sets->count++] = assignment;
    return 0;
}

int ohc_cli_config_load(ohc_config *cfg, const ohc_platform *platform, const ohc_cli_sets *sets, ohc_config_log_fn log,
                        void *log_ctx)
{
    if (ohc_config_init(cfg) != OHC_OK) {
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    for (size_t i = 0; sets != NULL && i < sets->count; i++) {
        ohc_error err;
        ohc_error_clear(&err);
        if (ohc_config_set_assignment(cfg, sets->v[i], &err) != OHC_OK) { /* checked by ohc_cli_sets_add */
            ohc_cli_error("--set: %s", err.message);
            return OHC_EXIT_FAILED;
        }
    }
    ohc_config_load(cfg, platform != NULL ? &platform->settings : NULL, log, log_ctx);
    return 0;
}

char *ohc_cli_rules_dir_setting(const ohc_platform *platform, const ohc_cli_sets *sets)
{
    ohc_config cfg;
    char *dir = NULL;
    /* bad registry values fall back to the default: "" */
    if (ohc_cli_config_load(&cfg, platform, sets, NULL, NULL) == 0) {
        const char *d = ohc_config_str(&cfg, OHC_SET_RULES_DIR);
        if (d[0] != '\0')
            dir = ohc_strdup(d);
    }
    ohc_config_free(&cfg);
    return dir;
}

static int is_help_word(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "/?") || !strcmp(a, "-?");
}

int ohc_opt_next(ohc_opt_state *st, int argc, char **argv, const ohc_opt *opts)
{
    st->value = NULL;
    st->error[0] = '\0';
    if (st->index >= argc)
        return OHC_OPT_END;
    const char *a = argv[st->index++];
    if (st->only_positional || a[0] != '-' || a[1] == '\0') {
        if (!st->only_positional && !strcmp(a, "/?"))
            return OHC_OPT_HELP;
        st->value = a;
        return OHC_OPT_POSITIONAL;
    }
    if (!strcmp(a, "--")) {
        st->only_positional = 1;
        return ohc_opt_next(st, argc, argv, opts);
    }
    if (is_help_word(a))
        return OHC_OPT_HELP;

    const ohc_opt *o = NULL;
    const char *inline_value = NULL;
    if (a[1] == '-') {
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        for (const ohc_opt *p = opts; p->long_name != NULL; p++)
            if (strlen(p->long_name) == n && !strncmp(p->long_name, name, n))
                o = p;
        if (o == NULL) {
            snprintf(st->error, sizeof st->error, "unknown option '--%.*s'", (int)(n > 60 ? 60 : n), name);
            return OHC_OPT_ERROR;
        }
        inline_value = eq ? eq + 1 : NULL;
    } else {
        for (const ohc_opt *p = opts; p->long_name != NULL; p++)
            if (p->short_name && p->short_name == a[1])
                o = p;
        if (o == NULL || a[2] != '\0') {
            snprintf(st->error, sizeof st->error, "unknown option '%.60s'", a);
            return OHC_OPT_ERROR;
        }
    }
    if (!o->takes_value) {
        if (inline_value != NULL) {
            snprintf(st->error, sizeof st->error, "option '--%s' takes no value", o->long_name);
            return OHC_OPT_ERROR;
        }
        return o->id;
    }
    if (inline_value == NULL) {
        if (st->index >= argc) {
            snprintf(st->error, sizeof st->error, "option '--%s' needs a value", o->long_name);
            return OHC_OPT_ERROR;
        }
        inline_value = argv[st->index++];
    }
    st->value = inline_value;
    return o->id;
}

static void print_help(FILE *f, const ohc_platform *platform)
{
    fprintf(f,
            "ohc %s - Outlook Health Collector\n"
            "Finds why Outlook cannot download its Offline Address Book or reach Exchange.\n\n"
            "Usage:\n",
            OHC_VERSION);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (commands[i].name != NULL) {
            fprintf(f, "  ohc %s\n      %s\n", commands[i].usage, commands[i].summary);
            continue;
        }
        for (size_t j = 0; j < platform->command_count; j++)
            fprintf(f, "  ohc %s\n      %s\n", platform->commands[j].usage, platform->commands[j].summary);
    }
    fprintf(f, "\nExit codes: 0 no finding above info, 1 warning, 2 error or critical,\n"
               "3 the command failed, 64 usage error.\n");
}

static const ohc_command *find_command(const char *name, const ohc_platform *platform)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (commands[i].name != NULL && !strcmp(commands[i].name, name))
            return &commands[i];
    for (size_t j = 0; j < platform->command_count; j++)
        if (!strcmp(platform->commands[j].name, name))
            return &platform->commands[j];
    return NULL;
}

static int cmd_help(int argc, char **argv, const ohc_platform *platform)
{
    if (argc > 1) {
        const ohc_command *c = find_command(argv[1], platform);
        if (c == NULL)
            return ohc_usage_error(NULL, "unknown command");
        printf("Usage: ohc %s\n  %s\n", c->usage, c->summary);
        return OHC_EXIT_OK;
    }
    print_help(stdout, platform);
    return OHC_EXIT_OK;
}

static int cmd_version(int argc, char **argv, const ohc_platform *platform)
{
    (void)argv;
    (void)platform;
    if (argc > 1)
        return ohc_usage_error("version", "takes no arguments");
    printf("ohc %s (build %s, %s)\n", OHC_VERSION, OHC_BUILD_COMMIT, ohc_os_platform_name());
    return OHC_EXIT_OK;
}

int ohc_cli_main(int argc, char **argv, const ohc_platform *platform)
{
    if (argc < 2) {
        print_help(stderr, platform);
        return OHC_EXIT_USAGE;
    }
    if (is_help_word(argv[1]))
        return cmd_help(1, argv + 1, platform);
    if (!strcmp(argv[1], "--version"))
        return cmd_version(1, argv + 1, platform);
    const ohc_command *c = find_command(argv[1], platform);
    if (c == NULL) {
        char msg[128];
        snprintf(msg, sizeof msg, "unknown command '%.60s'", argv[1]);
        return ohc_usage_error(NULL, msg);
    }
    /* "ohc CMD --help" is answered here so every command gets it the same way. */
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (is_help_word(argv[i])) {
            printf("Usage: ohc %s\n  %s\n", c->usage, c->summary);
            return OHC_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1, platform);
}
