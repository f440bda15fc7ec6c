#include "cli.h"

int main(int argc, char **argv)
{
    return ohc_cli_main(argc, argv);
}
