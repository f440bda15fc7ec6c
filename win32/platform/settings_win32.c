/* The registry layers of the configuration (collector/config/settings.h): values of
 * HKLM\SOFTWARE\Policies\OutlookHealthCollector and HKLM\SOFTWARE\OutlookHealthCollector,
 * always from the 64-bit view. Values are read with a bounded buffer; the
 * checking of types and ranges is the portable code's job. The local key is
 * given its protected DACL before anything is written to it. */
#include "settings_win32.h"

#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "regval.h"
#include "win32util.h"

#define LOCAL_KEY L"SOFTWARE\\OutlookHealthCollector"

int ohc_win32_secure_reg_key(HKEY root, const wchar_t *path, ohc_error *err)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(OHC_CONFIG_KEY_SDDL, SDDL_REVISION_1, &sd, NULL))
        return ohc_win32_error(err, OHC_EOS, GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptor");
    /* A new key gets the DACL as it is created, so it is never readable by
     * others, not even for a moment; then it is set in any case, for a key
     * that existed. RegSetKeySecurity with the descriptor's own control bits,
     * not SetSecurityInfo(SE_REGISTRY_KEY, PROTECTED_DACL_SECURITY_INFORMATION):
     * under Wine 8 the latter drops the protected flag, the former keeps it
     * (measured). It does not propagate to existing subkeys; the key has none. */
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    HKEY h;
    LONG rc = RegCreateKeyExW(root, path, 0, NULL, 0, WRITE_DAC | KEY_WOW64_64KEY, &sa, &h, NULL);
    const char *what = "cannot open the key to restrict its ACL";
    if (rc == ERROR_SUCCESS) {
        rc = RegSetKeySecurity(h, DACL_SECURITY_INFORMATION, sd);
        what = "cannot set the key's ACL (SYSTEM and Administrators only)";
        RegCloseKey(h);
    }
    LocalFree(sd);
    if (rc != ERROR_SUCCESS) {
        char key[260], msg[400];
        ohc_utf8_copy_w(key, sizeof key, path, -1);
        snprintf(msg, sizeof msg, "%s\\%s: %s", root == HKEY_LOCAL_MACHINE ? "HKLM" : "...", key, what);
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, msg);
    }
    return OHC_OK;
}

int ohc_win32_secure_config_key(ohc_error *err)
{
    return ohc_win32_secure_reg_key(HKEY_LOCAL_MACHINE, LOCAL_KEY, err);
}

/* UTF-16 units read at most: a longer string is reported truncated. */
#define MAX_WCHARS (OHC_SETTING_STR_MAX + 1)

int ohc_win32_settings_read(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name, ohc_error *err)
{
    (void)ctx;
    const wchar_t *key = layer == OHC_SOURCE_POLICY  ? L"SOFTWARE\\Policies\\OutlookHealthCollector"
                         : layer == OHC_SOURCE_LOCAL ? LOCAL_KEY
                                                     : NULL;
    if (key == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "not a registry layer");
    HKEY h;
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h);
    if (rc == ERROR_FILE_NOT_FOUND)
        return OHC_ENOTFOUND;
    if (rc != ERROR_SUCCESS)
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegOpenKeyEx");
    wchar_t *wname = ohc_w_from_utf8(name);
    /* +1 so that a value without its NUL still ends in one */
    wchar_t *buf = calloc(MAX_WCHARS + 1, sizeof *buf);
    if (wname == NULL || buf == NULL) {
        free(wname);
        free(buf);
        RegCloseKey(h);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    DWORD type = 0, size = MAX_WCHARS * sizeof *buf;
    rc = RegQueryValueExW(h, wname, NULL, &type, (BYTE *)buf, &size);
    int result = OHC_OK;
    if (rc == ERROR_FILE_NOT_FOUND) {
        result = OHC_ENOTFOUND;
    } else if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA) {
        result = ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegQueryValueEx");
    } else {
        out->os_type = type;
        if (type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ) {
            out->type = type == REG_MULTI_SZ ? OHC_RAW_MULTI : OHC_RAW_STRING;
            size_t units = rc == ERROR_MORE_DATA ? MAX_WCHARS : size / sizeof *buf;
            buf[units] = L'\0';
            if (type == REG_MULTI_SZ) {
                /* "a\0b\0\0" -> "a\nb": the strings one a line, decoded as
                 * every other REG_MULTI_SZ is (collector/facts/regval.c) */
                out->truncated =
                    rc == ERROR_MORE_DATA || ohc_regval_multi_sz_lines(out->str, sizeof out->str, (const uint8_t *)buf,
                                                                       units * sizeof *buf) != OHC_OK;
                if (out->truncated)
                    out->str[0] = '\0';
            } else if (rc == ERROR_MORE_DATA || wcslen(buf) > OHC_SETTING_STR_MAX) {
                out->truncated = 1;
            } else {
                int len = (int)wcslen(buf);
                ohc_utf8_copy_w(out->str, sizeof out->str, buf, len);
                /* the UTF-8 form can be longer than the UTF-16 one */
                int n = WideCharToMultiByte(CP_UTF8, 0, buf, len, NULL, 0, NULL, NULL);
                out->truncated = n > OHC_SETTING_STR_MAX;
            }
        } else if (type == REG_DWORD && rc == ERROR_SUCCESS && size == sizeof(DWORD)) {
            out->type = OHC_RAW_DWORD;
            memcpy(&out->dword, buf, sizeof(DWORD));
        } else {
            out->type = OHC_RAW_OTHER;
        }
    }
    SecureZeroMemory(buf, (MAX_WCHARS + 1) * sizeof *buf); /* it may have held the token */
    free(buf);
    free(wname);
    RegCloseKey(h);
    return result;
}

int ohc_win32_settings_write(const char *name, const ohc_raw_value *value, ohc_error *err)
{
    /* The DACL first: a token written to a key others can read has leaked already. */
    int secured = ohc_win32_secure_config_key(err);
    if (secured != OHC_OK)
        return secured;
    HKEY h;
    LONG rc =
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, LOCAL_KEY, 0, NULL, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &h, NULL);
    if (rc != ERROR_SUCCESS)
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegCreateKeyEx");
    wchar_t *wname = ohc_w_from_utf8(name);
    int text = value != NULL && (value->type == OHC_RAW_STRING || value->type == OHC_RAW_MULTI);
    wchar_t *wvalue = text ? ohc_w_from_utf8(value->str) : NULL;
    if (wname == NULL || (text && wvalue == NULL)) {
        rc = ERROR_OUTOFMEMORY;
    } else if (value == NULL) {
        rc = RegDeleteValueW(h, wname);
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_SUCCESS;
    } else if (value->type == OHC_RAW_DWORD) {
        DWORD d = value->dword;
        rc = RegSetValueExW(h, wname, 0, REG_DWORD, (const BYTE *)&d, sizeof d);
    } else if (value->type == OHC_RAW_MULTI) {
        /* lines -> "a\0b\0\0" (an empty list is one empty string and the end) */
        size_t n = wcslen(wvalue);
        wchar_t *multi = calloc(n + 2, sizeof *multi);
        if (multi == NULL) {
            rc = ERROR_OUTOFMEMORY;
        } else {
            for (size_t i = 0; i < n; i++)
                multi[i] = wvalue[i] == L'\n' ? L'\0' : wvalue[i];
            rc = RegSetValueExW(h, wname, 0, REG_MULTI_SZ, (const BYTE *)multi, (DWORD)((n + 2) * sizeof *multi));
            free(multi);
        }
    } else {
        rc = RegSetValueExW(h, wname, 0, REG_SZ, (const BYTE *)wvalue, (DWORD)((wcslen(wvalue) + 1) * sizeof *wvalue));
    }
    if (wvalue != NULL) {
        SecureZeroMemory(wvalue, wcslen(wvalue) * sizeof *wvalue);
        free(wvalue);
    }
    free(wname);
    RegCloseKey(h);
    if (rc != ERROR_SUCCESS)
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "writing the configuration");
    return OHC_OK;
}
