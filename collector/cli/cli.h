/* The command line of ohc, shared by ohc.exe and the native ohc.
 *
 * The platform's main (win32/main_win32.c, posix/main_posix.c) converts argv to
 * UTF-8 and calls ohc_cli_main with what the platform offers (ohc_platform:
 * probes, settings store, proxy resolver, its own commands). Each portable
 * command lives in its own cmd_*.c file and is listed in the table in cli.c.
 * Exit codes (documented in the README): */
#ifndef OHC_CLI_H
#define OHC_CLI_H

#include <stdio.h>

#include "error.h"
#include "platform.h"
#include "settings.h"

enum {
    OHC_EXIT_OK = 0, /* no finding above info */
    OHC_EXIT_WARNING = 1, /* the worst finding is a warning */
    OHC_EXIT_CRITICAL = 2, /* the worst finding is an error or critical */
    OHC_EXIT_FAILED = 3, /* the command itself failed */
    OHC_EXIT_USAGE = 64 /* unknown command or option (EX_USAGE) */
};

/* platform is borrowed for the call. */
int ohc_cli_main(int argc, char **argv, const ohc_platform *platform);

/* The portable commands (ohc_cmd_fn, platform.h): argv[0] is the command
 * name; each returns an exit code. */
int ohc_cmd_collect(int argc, char **argv, const ohc_platform *platform);
int ohc_cmd_upload(int argc, char **argv, const ohc_platform *platform); /* cmd_upload.c */
int ohc_cmd_config(int argc, char **argv, const ohc_platform *platform);
int ohc_cmd_events(int argc, char **argv, const ohc_platform *platform);
int ohc_cmd_evaluate(int argc, char **argv, const ohc_platform *platform);
int ohc_cmd_rules(int argc, char **argv, const ohc_platform *platform);

/* Option parsing, GNU style: --name, --name=value, --name value, -x value,
 * "--" ends options; -h, --help and (on every platform) /? ask for help. */
typedef struct ohc_opt {
    const char *long_name; /* without the dashes */
    char short_name; /* 0 when none */
    int takes_value;
    int id; /* > 0, returned by ohc_opt_next */
} ohc_opt;

enum { OHC_OPT_END = -1, OHC_OPT_POSITIONAL = 0, OHC_OPT_HELP = -2, OHC_OPT_ERROR = -3 };

typedef struct ohc_opt_state {
    int index; /* next argv index; start at 1 (argv[0] is the command) */
    int only_positional;
    const char *value; /* the option's value, or the positional argument */
    char error[160]; /* set when OHC_OPT_ERROR is returned */
} ohc_opt_state;

/* Returns an option id, OHC_OPT_POSITIONAL (value holds it), OHC_OPT_HELP,
 * OHC_OPT_END, or OHC_OPT_ERROR (error holds a one-line message). opts ends
 * with an entry whose long_name is NULL. */
int ohc_opt_next(ohc_opt_state *st, int argc, char **argv, const ohc_opt *opts);

/* Prints "ohc <cmd>: <msg>" and a pointer to help on stderr; returns OHC_EXIT_USAGE. */
int ohc_usage_error(const char *cmd, const char *msg);

/* `--set NAME=VALUE` (repeatable), which every command that reads settings
 * takes: the highest layer of the settings (collector/config/settings.h).
 * Strings are borrowed from argv. */
#define OHC_CLI_SETS_MAX 32
typedef struct ohc_cli_sets {
    const char *v[OHC_CLI_SETS_MAX];
    size_t count;
} ohc_cli_sets;

/* Adds one --set, checked against the settings table at once (an unknown
 * name or a bad value is a usage error, never the value of a secret in the
 * message). 0, or the exit code (said). */
int ohc_cli_sets_add(ohc_cli_sets *sets, const char *assignment, const char *cmd);

/* *cfg: the built-in defaults, the --set values, then the platform's registry
 * layers under them (bad registry values said through log and skipped).
 * sets may be NULL. 0, or OHC_EXIT_FAILED (said); free cfg with
 * ohc_config_free in every case. */
int ohc_cli_config_load(ohc_config *cfg, const ohc_platform *platform, const ohc_cli_sets *sets, ohc_config_log_fn log,
                        void *log_ctx);

/* The RulesDir setting (--set, then the platform's store; bad values read as
 * unset), or NULL when it is empty: the built-in pack. The caller frees it
 * with free(). sets may be NULL. */
char *ohc_cli_rules_dir_setting(const ohc_platform *platform, const ohc_cli_sets *sets);

/* Prints "ohc: <msg>" on stderr. */
void ohc_cli_error(const char *fmt, ...) OHC_PRINTF(1, 2);

#endif
