#include "user_hives.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "regval.h"
#include "win32util.h"

static void resolve_account_str(ohc_user_hive *h, const wchar_t *sid_str)
{
    ohc_win32_sid_text_account(h->account, sizeof h->account, sid_str, &h->account_error);
}

int ohc_user_hives_list(ohc_user_hive **out, size_t *out_count, int *out_capped, ohc_error *err)
{
    *out = NULL;
    *out_count = 0;
    *out_capped = 0;
    ohc_user_hive *list = calloc(OHC_USER_HIVES_MAX, sizeof *list);
    if (list == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory listing user hives");
    size_t n = 0;
    char me8[192] = "";
    int have_me = ohc_win32_process_user(me8, sizeof me8, NULL, 0);
    if (have_me && !ohc_sid_is_service_account(me8)) {
        HKEY k;
        if (RegOpenKeyExW(HKEY_CURRENT_USER, NULL, 0, KEY_READ, &k) == ERROR_SUCCESS) {
            ohc_user_hive *h = &list[n++];
            snprintf(h->sid, sizeof h->sid, "%s", me8);
            h->source = "current_user";
            h->root = k;
            ohc_win32_process_user(NULL, 0, h->account, sizeof h->account);
            if (h->account[0] == '\0')
                h->account_error = ERROR_NONE_MAPPED;
        }
    }
    HKEY users;
    LSTATUS rc = RegOpenKeyExW(HKEY_USERS, NULL, 0, KEY_ENUMERATE_SUB_KEYS, &users);
    if (rc != ERROR_SUCCESS) {
        *out = list;
        *out_count = n;
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "cannot open HKEY_USERS");
    }
    for (DWORD i = 0;; i++) {
        wchar_t name[256];
        DWORD nlen = 256;
        rc = RegEnumKeyExW(users, i, name, &nlen, NULL, NULL, NULL, NULL);
        if (rc == ERROR_MORE_DATA)
            continue; /* no SID is that long */
        if (rc != ERROR_SUCCESS)
            break;
        char name8[256];
        ohc_utf8_copy_w(name8, sizeof name8, name, -1);
        if (!ohc_hive_name_is_user(name8) || (n > 0 && list[0].source[0] == 'c' && !strcmp(name8, me8)))
            continue;
        if (n == OHC_USER_HIVES_MAX) {
            *out_capped = 1;
            break;
        }
        HKEY k;
        if (RegOpenKeyExW(users, name, 0, KEY_READ, &k) != ERROR_SUCCESS)
            continue; /* unloaded meanwhile, or not ours to read */
        ohc_user_hive *h = &list[n++];
        snprintf(h->sid, sizeof h->sid, "%s", name8);
        h->source = "hive";
        h->root = k;
        resolve_account_str(h, name);
    }
    RegCloseKey(users);
    *out = list;
    *out_count = n;
    return OHC_OK;
}

void ohc_user_hives_free(ohc_user_hive *hives, size_t count)
{
    if (hives == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        if (hives[i].root != NULL)
            RegCloseKey(hives[i].root);
    free(hives);
}

cJSON *ohc_user_hive_to_json(const ohc_user_hive *h)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "sid", h->sid);
    if (h->account[0]) {
        cJSON_AddStringToObject(o, "account", h->account);
        cJSON_AddNullToObject(o, "account_error");
    } else {
        cJSON_AddNullToObject(o, "account");
        ohc_error e;
        ohc_error_clear(&e);
        ohc_win32_error(&e, OHC_ENOTFOUND, h->account_error, "LookupAccountSid");
        cJSON_AddStringToObject(o, "account_error", e.message);
    }
    cJSON_AddStringToObject(o, "source", h->source);
    return o;
}

int ohc_reg_query(BYTE **out, DWORD *out_type, DWORD *out_len, HKEY key, const wchar_t *name, ohc_error *err)
{
    *out = NULL;
    *out_type = 0;
    *out_len = 0;
    DWORD size = 0, type = 0;
    LSTATUS rc = RegQueryValueExW(key, name, NULL, &type, NULL, &size);
    /* The value may change between the two calls: retry a few times with the new size. */
    for (int tries = 0; tries < 3 && (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA); tries++) {
        if (size > OHC_REGVAL_DATA_MAX)
            return ohc_error_set(err, OHC_ELIMIT, 0, "value is %lu bytes, more than %u", (unsigned long)size,
                                 OHC_REGVAL_DATA_MAX);
        BYTE *buf = malloc((size_t)size + 2);
        if (buf == NULL)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory reading a value");
        DWORD got = size;
        rc = RegQueryValueExW(key, name, NULL, &type, buf, &got);
        if (rc == ERROR_SUCCESS) {
            buf[got] = 0;
            buf[got + 1] = 0;
            *out = buf;
            *out_type = type;
            *out_len = got;
            return OHC_OK;
        }
        free(buf);
        size = got;
    }
    return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegQueryValueEx");
}

int ohc_reg_read(BYTE **out, DWORD *out_type, DWORD *out_len, HKEY root, const wchar_t *subkey, const wchar_t *name,
                 REGSAM flags, ohc_error *err)
{
    *out = NULL;
    *out_type = 0;
    *out_len = 0;
    HKEY k;
    LSTATUS rc = RegOpenKeyExW(root, subkey, 0, KEY_QUERY_VALUE | flags, &k);
    if (rc != ERROR_SUCCESS)
        return ohc_win32_error(err, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegOpenKeyEx");
    int r = ohc_reg_query(out, out_type, out_len, k, name, err);
    RegCloseKey(k);
    return r;
}

cJSON *ohc_reg_query_json(HKEY key, const wchar_t *name, DWORD expected)
{
    BYTE *data;
    DWORD type, len;
    ohc_error e;
    ohc_error_clear(&e);
    int rc = ohc_reg_query(&data, &type, &len, key, name, &e);
    if (rc == OHC_ENOTFOUND)
        return NULL;
    if (rc != OHC_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNullToObject(o, "type");
        cJSON_AddNullToObject(o, "value");
        cJSON_AddBoolToObject(o, "wrong_type", 0);
        cJSON_AddStringToObject(o, "error", e.message);
        return o;
    }
    cJSON *o = ohc_regval_to_json(type, data, len, expected);
    free(data);
    return o;
}

cJSON *ohc_reg_value_json(HKEY root, const wchar_t *subkey, const wchar_t *name, DWORD expected, REGSAM flags)
{
    HKEY k;
    LSTATUS rc = RegOpenKeyExW(root, subkey, 0, KEY_QUERY_VALUE | flags, &k);
    if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND)
        return NULL;
    if (rc != ERROR_SUCCESS) {
        ohc_error e;
        ohc_error_clear(&e);
        ohc_win32_error(&e, ohc_err_from_win32((DWORD)rc), (DWORD)rc, "RegOpenKeyEx");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNullToObject(o, "type");
        cJSON_AddNullToObject(o, "value");
        cJSON_AddBoolToObject(o, "wrong_type", 0);
        cJSON_AddStringToObject(o, "error", e.message);
        return o;
    }
    cJSON *o = ohc_reg_query_json(k, name, expected);
    RegCloseKey(k);
    return o;
}

int ohc_reg_key_exists(HKEY root, const wchar_t *subkey, REGSAM flags)
{
    HKEY k;
    if (RegOpenKeyExW(root, subkey, 0, KEY_READ | flags, &k) != ERROR_SUCCESS)
        return 0;
    RegCloseKey(k);
    return 1;
}
