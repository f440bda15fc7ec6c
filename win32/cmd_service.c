/* ohc service: lands with the service issue. */
#include <stdio.h>

#include "cli.h"
#include "probes_win32.h"

int ohc_win32_running_as_service(void)
{
    return 0;
}

int ohc_cmd_service(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "ohc service: not implemented yet\n");
    return OHC_EXIT_USAGE;
}
