/* Where the service keeps its state and how the installed service is set
 * up: the lowest layer of win32/service/, used by the running service
 * (service.c) and by its command (service_cli.c), calling neither. */
#include "service.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>

#include "acl.h"
#include "win32util.h"

int ohc_service_secure_dir(const wchar_t *dir, ohc_error *err)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(OHC_SERVICE_STATE_SDDL, SDDL_REVISION_1, &sd, NULL))
        return ohc_win32_error(err, OHC_EOS, GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptor");
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    int rc = OHC_OK;
    if (!CreateDirectoryW(dir, &sa)) {
        DWORD e = GetLastError();
        if (e != ERROR_ALREADY_EXISTS) {
            rc = ohc_win32_error(err, ohc_err_from_win32(e), e, "cannot create the state directory");
            goto done;
        }
        /* It existed (an upgrade, or someone made it): enforce the ACL anyway. */
        BOOL present = FALSE, defaulted = FALSE;
        PACL dacl = NULL;
        GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
        wchar_t path[MAX_PATH];
        _snwprintf(path, MAX_PATH, L"%ls", dir);
        path[MAX_PATH - 1] = 0;
        DWORD r =
            SetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                  NULL, NULL, dacl, NULL);
        if (r != ERROR_SUCCESS)
            rc = ohc_win32_error(err, ohc_err_from_win32(r), r, "cannot set the state directory's ACL");
    }
done:
    LocalFree(sd);
    return rc;
}

int ohc_service_configure_self(ohc_error *err)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (scm == NULL)
        return ohc_win32_error(err, OHC_EOS, GetLastError(), "OpenSCManager");
    SC_HANDLE h = OpenServiceW(scm, OHC_SERVICE_NAME, SERVICE_CHANGE_CONFIG | SERVICE_START);
    if (h == NULL) {
        DWORD e = GetLastError();
        CloseServiceHandle(scm);
        return ohc_win32_error(err, ohc_err_from_win32(e), e, "OpenService");
    }
    int rc = OHC_OK;
    SERVICE_DESCRIPTIONW desc = {(LPWSTR)OHC_SERVICE_DESCRIPTION};
    if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_DESCRIPTION, &desc))
        rc = ohc_win32_error(err, OHC_EOS, GetLastError(), "setting the description");
    SERVICE_DELAYED_AUTO_START_INFO delayed = {TRUE};
    if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed))
        rc = ohc_win32_error(err, OHC_EOS, GetLastError(), "setting delayed automatic start");
    /* Restart after 1 min, 5 min, then 30 min; the failure count resets after a day. */
    SC_ACTION actions[3] = {{SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 300000}, {SC_ACTION_RESTART, 1800000}};
    SERVICE_FAILURE_ACTIONSW fa = {86400, NULL, NULL, 3, actions};
    if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
        rc = ohc_win32_error(err, OHC_EOS, GetLastError(), "setting the recovery actions");
    CloseServiceHandle(h);
    CloseServiceHandle(scm);
    return rc;
}

HANDLE ohc_service_collected_event_create(void)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(OHC_SERVICE_COLLECTED_EVENT_SDDL, SDDL_REVISION_1, &sd,
                                                              NULL))
        return NULL;
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    HANDLE h = CreateEventW(&sa, FALSE, FALSE, OHC_SERVICE_COLLECTED_EVENT);
    LocalFree(sd);
    return h;
}

/* This process's user as a SID string when its token is elevated (the
 * installing administrator, trusted already), else "". */
static void elevated_self(char *out, size_t size)
{
    out[0] = '\0';
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return;
    TOKEN_ELEVATION elev = {0};
    DWORD len = 0;
    int elevated = GetTokenInformation(token, TokenElevation, &elev, sizeof elev, &len) && elev.TokenIsElevated;
    CloseHandle(token);
    if (elevated)
        ohc_win32_process_user(out, size, NULL, 0);
}

static char *sid_string(PSID sid)
{
    wchar_t *w = NULL;
    if (sid == NULL || !ConvertSidToStringSidW(sid, &w))
        return NULL;
    char *s = ohc_utf8_from_w(w);
    LocalFree(w);
    return s;
}

int ohc_service_path_user_writable(const wchar_t *path, char *why, size_t why_size)
{
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD r = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                    &owner, NULL, &dacl, NULL, &sd);
    if (r != ERROR_SUCCESS) {
        ohc_error e;
        ohc_win32_error(&e, ohc_err_from_win32(r), r, "GetNamedSecurityInfo");
        snprintf(why, why_size, "%s", e.message);
        return -1;
    }
    /* The descriptor as plain data; the judgement is collector/facts/acl.c's. */
    enum { MAX_ACES = 64 };
    ohc_ace aces[MAX_ACES];
    char *sids[MAX_ACES];
    size_t n = 0;
    int too_many = dacl != NULL && dacl->AceCount > MAX_ACES;
    for (DWORD i = 0; dacl != NULL && i < dacl->AceCount && n < MAX_ACES; i++) {
        ACE_HEADER *h = NULL;
        if (!GetAce(dacl, i, (void **)&h) ||
            (h->AceType != ACCESS_ALLOWED_ACE_TYPE && h->AceType != ACCESS_DENIED_ACE_TYPE))
            continue;
        ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)h; /* the same layout as ACCESS_DENIED_ACE */
        sids[n] = sid_string((PSID)&a->SidStart);
        aces[n].type = h->AceType == ACCESS_ALLOWED_ACE_TYPE ? OHC_ACE_ALLOW : OHC_ACE_DENY;
        aces[n].flags = h->AceFlags;
        aces[n].mask = a->Mask;
        aces[n].sid = sids[n];
        n++;
    }
    char self[192], *owner_s = sid_string(owner);
    elevated_self(self, sizeof self);
    int result = ohc_acl_user_writable(why, why_size, owner_s, dacl != NULL, aces, n, self[0] ? self : NULL);
    if (result == 0 && too_many) {
        snprintf(why, why_size, "its DACL has more than %d entries: not judged", MAX_ACES);
        result = -1;
    }
    for (size_t i = 0; i < n; i++)
        free(sids[i]);
    free(owner_s);
    LocalFree(sd);
    return result;
}
