/* Keeps a Wine prefix's services alive during a test run (Wine stops system
 * processes shortly after the last ordinary process exits). Not a test:
 * `keepalive SECONDS` sleeps that long, at most 24 h; teardown kills it. */
#include <windows.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : 3600;
    if (seconds < 1 || seconds > 86400)
        seconds = 3600;
    Sleep((DWORD)seconds * 1000u);
    return 0;
}
