#include "cli.h"
#include "platform_posix.h"

int main(int argc, char **argv)
{
    return ohc_cli_main(argc, argv, ohc_posix_platform());
}
