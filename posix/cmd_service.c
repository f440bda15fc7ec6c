#include <stdio.h>

#include "cli.h"

int ohc_cmd_service(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "ohc service: the service exists only in ohc.exe on Windows\n");
    return OHC_EXIT_USAGE;
}
