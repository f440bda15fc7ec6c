/* What the platform layer offers the portable core, handed down by main.
 *
 * The core never calls up into win32/ or posix/: the platform's main
 * (win32/main_win32.c, posix/main_posix.c) fills one ohc_platform from its own
 * parts and passes it to ohc_cli_main, which passes it on to the commands and
 * the pipeline. Everything here is static data or plain function pointers,
 * borrowed for the life of the process. */
#ifndef OHC_PLATFORM_H
#define OHC_PLATFORM_H

#include <stddef.h>

#include "eventlog_out.h"
#include "probe.h"
#include "settings.h"
#include "upload_proxy.h"

/* A command of the platform's own (`ohc service` on Windows), listed by
 * `ohc help` after the portable ones. argv[0] is the command name. */
struct ohc_platform;
typedef int (*ohc_cmd_fn)(int argc, char **argv, const struct ohc_platform *platform);
typedef struct ohc_command {
    const char *name;
    ohc_cmd_fn run;
    const char *usage; /* after "ohc ": "service install|..." */
    const char *summary; /* one line */
} ohc_command;

typedef struct ohc_platform {
    const ohc_probe_def *probes; /* in report order */
    size_t probe_count;
    ohc_settings_store settings; /* the registry layers (empty on POSIX) */
    ohc_upload_proxy_fn resolve_proxy; /* the proxy Windows (or the environment) picks for a URL */
    const ohc_command *commands; /* may be NULL */
    size_t command_count;
    /* The Windows Application log (NULL where there is none): writes events
     * under ohc's source, and names the machine's state file of the last
     * collection's findings. */
    ohc_evlog_write_fn write_eventlog;
    int (*eventlog_state_path)(char *buf, size_t size, ohc_error *err);
} ohc_platform;

#endif
