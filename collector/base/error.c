#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ohc_error_clear(ohc_error *err)
{
    if (err == NULL)
        return;
    err->code = OHC_OK;
    err->os_code = 0;
    err->message[0] = '\0';
}

int ohc_error_set(ohc_error *err, int code, uint32_t os_code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->os_code = os_code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0)
        err->message[0] = '\0';
    return code;
}

static const struct {
    int code;
    const char *name;
    const char *text;
} error_table[] = {
    {OHC_OK, "ok", "no error"},
    {OHC_ENOMEM, "nomem", "out of memory"},
    {OHC_EINVAL, "invalid", "invalid argument"},
    {OHC_EIO, "io", "input/output error"},
    {OHC_EMALFORMED, "malformed", "malformed input"},
    {OHC_ENOTFOUND, "not_found", "not found"},
    {OHC_EUNAVAILABLE, "unavailable", "not available on this system"},
    {OHC_ETIMEOUT, "timeout", "time budget exceeded"},
    {OHC_EOS, "os", "operating system error"},
    {OHC_ELIMIT, "limit", "limit reached"},
    {OHC_EACCESS, "access", "access denied"},
    {OHC_ENETWORK, "network", "network error"},
    {OHC_ENOTIMPL, "not_implemented", "not implemented"},
    {OHC_ECANCELLED, "cancelled", "cancelled"},
};

const char *ohc_err_name(int code)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
        if (error_table[i].code == code)
            return error_table[i].name;
    return "unknown";
}

const char *ohc_strerror(int code)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
        if (error_table[i].code == code)
            return error_table[i].text;
    return "unknown error";
}
