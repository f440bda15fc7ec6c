/* Shared by tests/win32/test_config_key_acl.c and regacl.exe (tests/win32/regacl.c):
 * what a registry key's DACL must be for a key that holds a secret, and a read
 * of a value as a non-elevated process would do it. Header-only (static
 * functions); Windows only. */
#ifndef OHC_TEST_REGACL_CHECK_H
#define OHC_TEST_REGACL_CHECK_H

#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>

/* The DACL of the open key h (READ_CONTROL) as SDDL into out. 0 or a Win32 error. */
static LONG regacl_sddl(HKEY h, char *out, size_t size)
{
    DWORD need = 0;
    out[0] = '\0';
    LONG rc = RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, NULL, &need);
    if (rc != ERROR_INSUFFICIENT_BUFFER)
        return rc == ERROR_SUCCESS ? ERROR_INVALID_DATA : rc;
    PSECURITY_DESCRIPTOR sd = malloc(need);
    if (sd == NULL)
        return ERROR_OUTOFMEMORY;
    rc = RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, sd, &need);
    LPSTR s = NULL;
    if (rc == ERROR_SUCCESS &&
        !ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &s, NULL))
        rc = (LONG)GetLastError();
    if (s != NULL) {
        snprintf(out, size, "%s", s);
        LocalFree(s);
    }
    free(sd);
    return rc;
}

/* NULL when the DACL of h is exactly: protected, one allow ACE for SYSTEM and
 * one for Administrators, each KEY_ALL_ACCESS, nothing else (no Users, no
 * Everyone, nothing inherited). Otherwise the first problem, in buf. */
static const char *regacl_problem(HKEY h, char *buf, size_t size)
{
    DWORD need = 0;
    LONG rc = RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, NULL, &need);
    if (rc != ERROR_INSUFFICIENT_BUFFER) {
        snprintf(buf, size, "RegGetKeySecurity: error %ld", (long)rc);
        return buf;
    }
    PSECURITY_DESCRIPTOR sd = malloc(need);
    const char *problem = NULL;
    BYTE sy[SECURITY_MAX_SID_SIZE], ba[SECURITY_MAX_SID_SIZE];
    DWORD sy_size = sizeof sy, ba_size = sizeof ba;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    int seen_sy = 0, seen_ba = 0;
    if (sd == NULL || RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, sd, &need) != ERROR_SUCCESS ||
        !GetSecurityDescriptorControl(sd, &control, &revision) ||
        !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
        !CreateWellKnownSid(WinLocalSystemSid, NULL, sy, &sy_size) ||
        !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, ba, &ba_size)) {
        snprintf(buf, size, "cannot read the security descriptor (error %lu)", (unsigned long)GetLastError());
        problem = buf;
    } else if (!present || dacl == NULL) {
        problem = "no DACL: everyone has full access";
    } else if (!(control & SE_DACL_PROTECTED)) {
        problem = "the DACL is not protected: the parent's inheritable entries apply";
    } else if (dacl->AceCount != 2) {
        snprintf(buf, size, "%u entries in the DACL, expected 2 (SYSTEM, Administrators)", (unsigned)dacl->AceCount);
        problem = buf;
    } else {
        for (DWORD i = 0; problem == NULL && i < dacl->AceCount; i++) {
            ACCESS_ALLOWED_ACE *ace = NULL;
            if (!GetAce(dacl, i, (void **)&ace) || ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE) {
                snprintf(buf, size, "entry %lu is not an allow entry", (unsigned long)i);
                problem = buf;
                break;
            }
            PSID sid = (PSID)&ace->SidStart;
            LPSTR name = NULL;
            int is_sy = EqualSid(sid, (PSID)sy), is_ba = EqualSid(sid, (PSID)ba);
            if (!is_sy && !is_ba) {
                ConvertSidToStringSidA(sid, &name);
                snprintf(buf, size, "entry %lu grants access to %s (only SYSTEM and Administrators may open the key)",
                         (unsigned long)i, name ? name : "?");
                problem = buf;
            } else if (ace->Mask != KEY_ALL_ACCESS || (ace->Header.AceFlags & INHERITED_ACE)) {
                snprintf(buf, size, "entry %lu (%s): mask 0x%08lX flags 0x%02X, expected KEY_ALL_ACCESS, not inherited",
                         (unsigned long)i, is_sy ? "SYSTEM" : "Administrators", (unsigned long)ace->Mask,
                         (unsigned)ace->Header.AceFlags);
                problem = buf;
            }
            seen_sy += is_sy;
            seen_ba += is_ba;
            if (name)
                LocalFree(name);
        }
        if (problem == NULL && (seen_sy != 1 || seen_ba != 1))
            problem = "expected one entry for SYSTEM and one for Administrators";
    }
    free(sd);
    return problem;
}

/* Reads value `name` of HKLM\path the way a non-elevated process of the same
 * user would: with the token's Administrators group made deny-only (as UAC's
 * filtered token has it). Returns the Win32 result (ERROR_ACCESS_DENIED when
 * the DACL keeps the user out). */
static LONG regacl_read_unelevated(const wchar_t *path, const wchar_t *name)
{
    HANDLE process_token = NULL, restricted = NULL, impersonation = NULL;
    BYTE ba[SECURITY_MAX_SID_SIZE];
    DWORD ba_size = sizeof ba;
    LONG rc = ERROR_SUCCESS;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY, &process_token) ||
        !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, ba, &ba_size))
        return (LONG)GetLastError();
    SID_AND_ATTRIBUTES deny_only = {(PSID)ba, 0};
    if (!CreateRestrictedToken(process_token, 0, 1, &deny_only, 0, NULL, 0, NULL, &restricted) ||
        !DuplicateToken(restricted, SecurityImpersonation, &impersonation) || !SetThreadToken(NULL, impersonation)) {
        rc = (LONG)GetLastError();
    } else {
        HKEY h;
        rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h);
        if (rc == ERROR_SUCCESS) {
            BYTE data[512];
            DWORD size = sizeof data, type = 0;
            rc = RegQueryValueExW(h, name, NULL, &type, data, &size);
            SecureZeroMemory(data, sizeof data);
            RegCloseKey(h);
        }
        RevertToSelf();
    }
    if (impersonation)
        CloseHandle(impersonation);
    if (restricted)
        CloseHandle(restricted);
    CloseHandle(process_token);
    return rc;
}

#endif
