/* regacl: a registry key's DACL from scripts (Wine's reg.exe shows no ACL and
 * has no regini). Not a test: integration tests use it on
 * HKLM\SOFTWARE\OutlookHealthCollector. Built as build/mingw/tests/regacl.exe;
 * OHC_REGACL in the test environment. PATH is a key under HKLM (64-bit view).
 *
 *   regacl get PATH              prints the DACL as SDDL
 *   regacl set PATH SDDL         sets the DACL (RegSetKeySecurity), creating the key if needed
 *   regacl check PATH            exit 0 and "ok" when only SYSTEM and Administrators may
 *                                open it (protected), else exit 1 and the problem
 *   regacl read-unelevated PATH VALUE
 *                                reads VALUE with the Administrators group made deny-only
 *                                (a non-elevated process): prints "read" (exit 0),
 *                                "denied" (exit 1) or the error (exit 3)
 * Exit codes: 0 ok, 1 as above, 2 usage, 3 error. */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <wchar.h>

#include "regacl_check.h"

static int usage(void)
{
    fputs("usage: regacl get|check PATH | set PATH SDDL | read-unelevated PATH VALUE\n", stderr);
    return 2;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc < 3)
        return usage();
    const wchar_t *cmd = argv[1], *path = argv[2];
    if (!wcscmp(cmd, L"read-unelevated") && argc == 4) {
        LONG rc = regacl_read_unelevated(path, argv[3]);
        if (rc == ERROR_SUCCESS)
            return puts("read"), 0;
        if (rc == ERROR_ACCESS_DENIED)
            return puts("denied"), 1;
        fprintf(stderr, "regacl: error %ld\n", (long)rc);
        return 3;
    }
    HKEY h;
    LONG rc;
    if (!wcscmp(cmd, L"set") && argc == 4) {
        PSECURITY_DESCRIPTOR sd = NULL;
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(argv[3], SDDL_REVISION_1, &sd, NULL)) {
            fprintf(stderr, "regacl: bad SDDL (error %lu)\n", (unsigned long)GetLastError());
            return 2;
        }
        rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, WRITE_DAC | KEY_WOW64_64KEY, NULL, &h, NULL);
        if (rc == ERROR_SUCCESS) {
            rc = RegSetKeySecurity(h, DACL_SECURITY_INFORMATION, sd);
            RegCloseKey(h);
        }
        LocalFree(sd);
    } else if ((!wcscmp(cmd, L"get") || !wcscmp(cmd, L"check")) && argc == 3) {
        rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, READ_CONTROL | KEY_WOW64_64KEY, &h);
        if (rc == ERROR_SUCCESS) {
            char text[1024], buf[512];
            if (!wcscmp(cmd, L"get")) {
                rc = regacl_sddl(h, text, sizeof text);
                if (rc == ERROR_SUCCESS)
                    puts(text);
            } else {
                const char *problem = regacl_problem(h, buf, sizeof buf);
                regacl_sddl(h, text, sizeof text);
                RegCloseKey(h);
                if (problem != NULL) {
                    printf("%s: %s\n", problem, text);
                    return 1;
                }
                printf("ok: %s\n", text);
                return 0;
            }
            RegCloseKey(h);
        }
    } else {
        return usage();
    }
    if (rc != ERROR_SUCCESS) {
        fprintf(stderr, "regacl: error %ld\n", (long)rc);
        return 3;
    }
    return 0;
}
