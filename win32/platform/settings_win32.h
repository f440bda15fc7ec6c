/* The local configuration key, HKLM\SOFTWARE\OutlookHealthCollector (the
 * installer's and `ohc config set`'s layer of collector/config/settings.h), holds
 * UploadToken: only SYSTEM and Administrators may open it. The policy key
 * (GPO) is not ohc's to change and stays readable by users. */
#ifndef OHC_SETTINGS_WIN32_H
#define OHC_SETTINGS_WIN32_H

#include <windows.h>

#include "error.h"
#include "settings.h"

/* The key's DACL: SYSTEM and Administrators, full control, inherited by
 * subkeys; P = protected: nothing inherited from HKLM\SOFTWARE, which grants
 * Users read. */
#define OHC_CONFIG_KEY_SDDL L"D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)"

/* Creates HKLM\SOFTWARE\OutlookHealthCollector (64-bit view) with that DACL,
 * or enforces it on the existing key. Called by `ohc config set` before it
 * writes, by `ohc service install` and by the service at every start (it runs
 * as LocalSystem right after the MSI installs it). Needs WRITE_DAC on the key:
 * an elevated administrator or SYSTEM. */
int ohc_win32_secure_config_key(ohc_error *err);

/* The same for the key `path` under `root` (tests use a scratch key). */
int ohc_win32_secure_reg_key(HKEY root, const wchar_t *path, ohc_error *err);

/* The registry layers as the core reads and writes them (ohc_settings_store,
 * collector/config/settings.h): the policy and the local key, 64-bit view. */
int ohc_win32_settings_read(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name, ohc_error *err);
int ohc_win32_settings_write(const char *name, const ohc_raw_value *value, ohc_error *err);

#endif
