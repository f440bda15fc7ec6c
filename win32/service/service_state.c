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

static void elevated_self(char *out, size_t size);
static char *sid_string(PSID sid);

/* Sets the protected DACL on an open handle (never by path: a path could
 * have become a junction since it was checked). */
static int set_dacl_on_handle(HANDLE h, PSECURITY_DESCRIPTOR sd, ohc_error *err)
{
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    DWORD r = SetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, NULL,
                              NULL, dacl, NULL);
    return r == ERROR_SUCCESS ? OHC_OK
                              : ohc_win32_error(err, ohc_err_from_win32(r), r, "cannot set the state directory's ACL");
}

/* What is at dir, opened without following a link: its judgement, with the
 * handle kept open for the DACL when it is to be kept. */
static ohc_state_dir_action judge_existing(HANDLE *out, const wchar_t *dir, char *why, size_t why_size)
{
    *out = CreateFileW(dir, READ_CONTROL | WRITE_DAC, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (*out == INVALID_HANDLE_VALUE) {
        snprintf(why, why_size, "it cannot be opened (error %lu)", (unsigned long)GetLastError());
        return OHC_STATE_DIR_MOVE_ASIDE;
    }
    BY_HANDLE_FILE_INFORMATION info;
    int link_or_file = !GetFileInformationByHandle(*out, &info) ||
                       (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
                       !(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    char *owner_s = NULL, self[192];
    if (GetSecurityInfo(*out, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) ==
        ERROR_SUCCESS)
        owner_s = sid_string(owner);
    elevated_self(self, sizeof self);
    ohc_state_dir_action a = ohc_acl_state_dir_action(why, why_size, link_or_file, owner_s, self[0] ? self : NULL);
    free(owner_s);
    LocalFree(sd);
    if (a != OHC_STATE_DIR_SECURE) {
        CloseHandle(*out);
        *out = INVALID_HANDLE_VALUE;
    }
    return a;
}

int ohc_service_secure_dir(const wchar_t *dir, char *note, size_t note_size, ohc_error *err)
{
    if (note_size > 0)
        note[0] = '\0';
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(OHC_SERVICE_STATE_SDDL, SDDL_REVISION_1, &sd, NULL))
        return ohc_win32_error(err, OHC_EOS, GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptor");
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    int rc = OHC_OK;
    /* Made here: ours, with the DACL from the start. */
    if (CreateDirectoryW(dir, &sa))
        goto done;
    DWORD e = GetLastError();
    if (e != ERROR_ALREADY_EXISTS) {
        rc = ohc_win32_error(err, ohc_err_from_win32(e), e, "cannot create the state directory");
        goto done;
    }
    /* It was there (an upgrade, or a user made it first: ProgramData lets
     * anyone create a folder, and its creator owns it). */
    char why[256];
    HANDLE h = INVALID_HANDLE_VALUE;
    if (judge_existing(&h, dir, why, sizeof why) == OHC_STATE_DIR_SECURE) {
        rc = set_dacl_on_handle(h, sd, err);
        CloseHandle(h);
        goto done;
    }
    /* Not ours to trust: moved aside (MoveFileEx renames a junction itself,
     * it does not follow it) and made anew. */
    wchar_t aside[MAX_PATH];
    _snwprintf(aside, MAX_PATH, L"%ls.untrusted-%llu", dir, (unsigned long long)GetTickCount64());
    aside[MAX_PATH - 1] = 0;
    if (!MoveFileExW(dir, aside, 0)) {
        e = GetLastError();
        rc = ohc_win32_error(err, OHC_EACCESS, e, "the state directory is not trustworthy and cannot be moved aside");
        snprintf(note, note_size, "%s", why);
        goto done;
    }
    if (!CreateDirectoryW(dir, &sa)) {
        e = GetLastError(); /* someone made it again meanwhile: not used */
        rc = ohc_win32_error(err, OHC_EACCESS, e, "cannot create the state directory after moving the old one aside");
        goto done;
    }
    char *a8 = ohc_utf8_from_w(aside);
    snprintf(note, note_size, "the state directory was moved aside to %s and made anew: %s", a8 ? a8 : "?", why);
    free(a8);
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
