/* The user profiles whose registry hives are loaded, for probes that read
 * per-user settings (proxy, Outlook), and a bounded registry value reader.
 *
 * As a LocalSystem service, HKCU is SYSTEM's: per-user settings come from
 * HKEY_USERS\<SID>. Interactively, the current user (HKCU) comes first and is
 * not listed twice. */
#ifndef OHC_USER_HIVES_H
#define OHC_USER_HIVES_H

#include <windows.h>

#include <cjson/cJSON.h>

#include "error.h"

/* At most this many hives are listed (a terminal server may have hundreds). */
#define OHC_USER_HIVES_MAX 256

typedef struct ohc_user_hive {
    char sid[192];
    char account[512]; /* DOMAIN\user, "" when LookupAccountSid cannot resolve it */
    DWORD account_error; /* LookupAccountSid's error when account is "" */
    const char *source; /* "current_user" or "hive" (static string) */
    HKEY root; /* opened for reading; closed by ohc_user_hives_free */
} ohc_user_hive;

/* Lists the current user (when ohc does not run as LocalSystem, LocalService
 * or NetworkService) and every user hive under HKEY_USERS (see
 * ohc_hive_name_is_user). *out is a new array the caller releases with
 * ohc_user_hives_free; *out_count may be 0. *out_capped is set when more than
 * OHC_USER_HIVES_MAX hives were found. */
int ohc_user_hives_list(ohc_user_hive **out, size_t *out_count, int *out_capped, ohc_error *err);
void ohc_user_hives_free(ohc_user_hive *hives, size_t count);

/* {sid, account, source} of a hive, plus account_error when not resolved. New object, caller owns. */
cJSON *ohc_user_hive_to_json(const ohc_user_hive *hive);

/* Reads value `name` of root\subkey (subkey may be NULL) into a new buffer
 * (caller frees; NUL-padded by 2 bytes beyond *out_len), at most
 * OHC_REGVAL_DATA_MAX bytes. OHC_ENOTFOUND when key or value is absent,
 * OHC_ELIMIT when larger, OHC_EOS/OHC_EACCESS otherwise. flags adds
 * KEY_WOW64_32KEY / KEY_WOW64_64KEY. */
int ohc_reg_read(BYTE **out, DWORD *out_type, DWORD *out_len, HKEY root, const wchar_t *subkey, const wchar_t *name,
                 REGSAM flags, ohc_error *err);

/* ohc_reg_read on a key the caller has open (KEY_QUERY_VALUE). */
int ohc_reg_query(BYTE **out, DWORD *out_type, DWORD *out_len, HKEY key, const wchar_t *name, ohc_error *err);

/* ohc_reg_value_json on a key the caller has open. */
cJSON *ohc_reg_query_json(HKEY key, const wchar_t *name, DWORD expected);

/* The value as a regval fact (ohc_regval_to_json), NULL when absent. A value
 * that exists but cannot be read becomes {type: null, error}. Caller owns. */
cJSON *ohc_reg_value_json(HKEY root, const wchar_t *subkey, const wchar_t *name, DWORD expected, REGSAM flags);

/* 1 when root\subkey exists. */
int ohc_reg_key_exists(HKEY root, const wchar_t *subkey, REGSAM flags);

#endif
