/* Helpers every win32/ file uses: UTF-8 <-> UTF-16, and Win32 errors /
 * HRESULTs turned into an ohc_error that keeps the number and the text. */
#ifndef OHC_WIN32UTIL_H
#define OHC_WIN32UTIL_H

#include <windows.h>

#include "error.h"

/* New UTF-16 copy of a UTF-8 string (NULL in, NULL out). Caller frees with free(). */
wchar_t *ohc_w_from_utf8(const char *s);

/* New UTF-8 copy of a UTF-16 string (NULL in, NULL out). Caller frees with free(). */
char *ohc_utf8_from_w(const wchar_t *w);

/* UTF-16 to UTF-8 into a fixed buffer, truncated on a character boundary;
 * always NUL-terminated (size > 0). `len` is in wchar_t, -1 for NUL-terminated. */
void ohc_utf8_copy_w(char *dst, size_t size, const wchar_t *w, int len);

/* Fills *err with code, the Win32 error or HRESULT, and "<what>: <system text> (0x...)". */
int ohc_win32_error(ohc_error *err, int code, DWORD os_code, const char *what);

/* The ohc_err that fits a Win32 error (ERROR_ACCESS_DENIED -> OHC_EACCESS, ...). */
int ohc_err_from_win32(DWORD os_code);

/* True when running under Wine (ntdll exports wine_get_version); the version
 * is copied into buf when it is. */
int ohc_win32_wine_version(char *buf, size_t size);

/* %ProgramData%\OutlookHealthCollector into out (size in wchar_t): the
 * service's state, whoever asks (ohc_os_state_dir gives it to LocalSystem
 * and to the service; interactive users get %LOCALAPPDATA%). */
int ohc_win32_machine_state_dir(wchar_t *out, size_t size);

/* DOMAIN\user of a SID into out (just "user" when the domain is empty, as
 * for some well-known SIDs). 1 when resolved; else 0, out "" and
 * *out_error (may be NULL) LookupAccountSid's error. */
int ohc_win32_sid_account(char *out, size_t size, PSID sid, DWORD *out_error);

/* The same for a SID in text form ("S-1-5-21-..."). */
int ohc_win32_sid_text_account(char *out, size_t size, const wchar_t *sid_text, DWORD *out_error);

/* This process's user: its SID as text and DOMAIN\user ("" each when
 * unknown; either buffer may be NULL). 1 when the SID was read. */
int ohc_win32_process_user(char *sid_out, size_t sid_size, char *account_out, size_t account_size);

/* MoveFileEx(REPLACE_EXISTING | WRITE_THROUGH) retried for up to about 1 s
 * while another process (antivirus, indexer, backup) holds the file open for
 * a moment. 0, or the Win32 error of the last try. */
int ohc_win32_move_file(const wchar_t *from, const wchar_t *to);

/* Whether ohc.exe runs as the service: set once by the service when the SCM
 * calls its ServiceMain, read by the host probe (reports say run_as.mode
 * "service"; under Wine a service runs as the prefix's user, so the SID
 * cannot tell). */
void ohc_win32_set_running_as_service(void);
int ohc_win32_running_as_service(void);

#endif
