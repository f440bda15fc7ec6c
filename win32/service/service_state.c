/* Where the service keeps its state and how the installed service is set
 * up: the lowest layer of win32/service/, used by the running service
 * (service.c) and by its command (service_cli.c), calling neither. */
#include "service.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>

#include "win32util.h"

int ohc_service_state_dir(wchar_t *out, size_t size)
{
    wchar_t *base = NULL;
    int rc = OHC_OK;
    if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base) != S_OK || base == NULL) {
        /* fall back to the environment (Wine and Windows both set it) */
        wchar_t env[MAX_PATH];
        DWORD n = GetEnvironmentVariableW(L"ProgramData", env, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
            rc = OHC_ENOTFOUND;
        else if (_snwprintf(out, size, L"%ls\\%ls", env, OHC_SERVICE_STATE_NAME) < 0)
            rc = OHC_ELIMIT;
    } else if (_snwprintf(out, size, L"%ls\\%ls", base, OHC_SERVICE_STATE_NAME) < 0) {
        rc = OHC_ELIMIT;
    }
    if (base)
        CoTaskMemFree(base);
    if (size)
        out[size - 1] = 0;
    return rc;
}

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
