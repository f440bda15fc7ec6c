/* ohc.exe entry point: the command line arrives as UTF-16 and is handed to the
 * portable CLI as UTF-8; the console is switched to UTF-8 output. */
#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "platform_win32.h"
#include "win32util.h"

int main(void)
{
    /* First: every DLL loaded from here on comes from System32 only. The
     * DLLs that are not KnownDLLs (winhttp, bcrypt, crypt32...) are
     * delay-loaded (cmake/OhcDelayLoad.cmake), so none was loaded yet from
     * the folder of ohc.exe, where anyone may have planted one. */
    SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32);
    int argc = 0;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (wargv == NULL) {
        fputs("ohc: cannot read the command line\n", stderr);
        return OHC_EXIT_FAILED;
    }
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (argv == NULL)
        return OHC_EXIT_FAILED;
    for (int i = 0; i < argc; i++) {
        argv[i] = ohc_utf8_from_w(wargv[i]);
        if (argv[i] == NULL) {
            fputs("ohc: cannot convert the command line\n", stderr);
            return OHC_EXIT_FAILED;
        }
    }
    LocalFree(wargv);
    SetConsoleOutputCP(CP_UTF8);
    int rc = ohc_cli_main(argc, argv, ohc_win32_platform());
    fflush(stdout);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}
