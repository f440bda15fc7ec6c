/* The one error type of ohc.
 *
 * Functions that can fail return an `int`: OHC_OK (0) or a negative ohc_err
 * code. Where the caller needs to know more, it passes an `ohc_error *` that the
 * callee fills (message and, when the OS gave one, the OS code: errno, a Win32
 * error or an HRESULT). The struct is plain data: no allocation, no ownership.
 * Codes are never renumbered: they appear in reports. */
#ifndef OHC_ERROR_H
#define OHC_ERROR_H

#include <stdint.h>

/* printf-style checking; mingw's C99 printf (__USE_MINGW_ANSI_STDIO) is gnu_printf. */
#if defined(__MINGW32__)
#define OHC_PRINTF(fmt_index, first_arg) __attribute__((format(gnu_printf, fmt_index, first_arg)))
#elif defined(__GNUC__)
#define OHC_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define OHC_PRINTF(fmt_index, first_arg)
#endif

typedef enum ohc_err {
    OHC_OK = 0,
    OHC_ENOMEM = -1, /* out of memory */
    OHC_EINVAL = -2, /* invalid argument or usage */
    OHC_EIO = -3, /* file or device I/O failed */
    OHC_EMALFORMED = -4, /* input is not what it claims to be (blob, file, JSON) */
    OHC_ENOTFOUND = -5, /* the thing asked for does not exist */
    OHC_EUNAVAILABLE = -6, /* an API or service is missing, stopped or a stub */
    OHC_ETIMEOUT = -7, /* a time budget ran out */
    OHC_EOS = -8, /* the OS refused; os_code says why */
    OHC_ELIMIT = -9, /* a bound (size, count, depth, work) was reached */
    OHC_EACCESS = -10, /* permission denied */
    OHC_ENETWORK = -11, /* network or server failure */
    OHC_ENOTIMPL = -12, /* not implemented (yet) */
    OHC_ECANCELLED = -13 /* the caller asked to stop early (a service stop) */
} ohc_err;

#define OHC_ERROR_MESSAGE_MAX 256

typedef struct ohc_error {
    int code; /* an ohc_err */
    uint32_t os_code; /* errno / Win32 error / HRESULT; 0 when there is none */
    char message[OHC_ERROR_MESSAGE_MAX];
} ohc_error;

/* Resets *err to "no error". err may be NULL. */
void ohc_error_clear(ohc_error *err);

/* Fills *err (when err is not NULL) with code, os_code and a printf-style
 * message, truncated to fit. Returns code, so callers can `return ohc_error_set(...)`. */
int ohc_error_set(ohc_error *err, int code, uint32_t os_code, const char *fmt, ...) OHC_PRINTF(4, 5);

/* A stable lower-case name for a code ("ok", "nomem", "timeout", ...). Static string. */
const char *ohc_err_name(int code);

/* A short English description of a code. Static string. */
const char *ohc_strerror(int code);

#endif
