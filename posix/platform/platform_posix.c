/* What the native (Linux) build offers the portable core: its probes, no
 * machine settings store, the environment's proxy, and an `ohc service` that
 * says where the service is. main_posix.c hands it to ohc_cli_main. */
#include "platform_posix.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "probes_posix.h"

static const char *env(const char *name)
{
    return getenv(name);
}

/* HTTPS_PROXY / HTTP_PROXY and NO_PROXY, as curl reads them. */
static int proxy_from_env(ohc_upload_proxy *out, const char *url, ohc_error *err)
{
    (void)err;
    ohc_upload_proxy_from_env(out, url, env);
    return OHC_OK;
}

static int cmd_service(int argc, char **argv, const ohc_platform *platform)
{
    (void)argc;
    (void)argv;
    (void)platform;
    fprintf(stderr, "ohc service: the service exists only in ohc.exe on Windows\n");
    return OHC_EXIT_USAGE;
}

static const ohc_command posix_commands[] = {
    {"service", cmd_service, "service install|uninstall|start|stop|status|collect-now",
     "manage the ohc Windows service"},
};

const ohc_platform *ohc_posix_platform(void)
{
    static ohc_platform p;
    p.probes = ohc_posix_probes(&p.probe_count);
    p.settings.read = NULL; /* no machine store: defaults and flags apply */
    p.settings.write = NULL;
    p.resolve_proxy = proxy_from_env;
    p.commands = posix_commands;
    p.command_count = sizeof posix_commands / sizeof posix_commands[0];
    return &p;
}
