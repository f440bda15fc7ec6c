#include "civil_time.h"

#include "error.h"

#include <string.h>

int64_t ohc_civil_days_from_date(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400; /* [0, 399] */
    int64_t doy = (153 * ((int64_t)month + (month > 2 ? -3 : 9)) + 2) / 5 + (int64_t)day - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void ohc_civil_date_from_days(ohc_civil_date *out, int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    out->day = doy - (153 * mp + 2) / 5 + 1;
    out->month = mp < 10 ? mp + 3 : mp - 9;
    out->year = (int64_t)yoe + era * 400 + (out->month <= 2);
}

/* Zero-padded decimal of a fixed width. */
static char *put_dec(char *p, uint32_t v, unsigned width)
{
    for (unsigned i = width; i > 0; i--) {
        p[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

size_t ohc_civil_format_rfc3339(char *out, size_t size, int64_t unix_secs, uint32_t frac, unsigned frac_digits)
{
    /* Formatted by hand: printf showed up in the .evtx render's profile. */
    int64_t days = unix_secs / 86400, sod = unix_secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    ohc_civil_date d;
    ohc_civil_date_from_days(&d, days);
    char b[OHC_RFC3339_MAX], *p = b;
    uint64_t y = d.year < 0 ? (uint64_t)0 - (uint64_t)d.year : (uint64_t)d.year;
    if (d.year < 0)
        *p++ = '-';
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + y % 10);
        y /= 10;
    } while (y != 0);
    while (n < 4)
        digits[n++] = '0';
    while (n > 0)
        *p++ = digits[--n];
    *p++ = '-';
    p = put_dec(p, d.month, 2);
    *p++ = '-';
    p = put_dec(p, d.day, 2);
    *p++ = 'T';
    p = put_dec(p, (uint32_t)(sod / 3600), 2);
    *p++ = ':';
    p = put_dec(p, (uint32_t)(sod / 60 % 60), 2);
    *p++ = ':';
    p = put_dec(p, (uint32_t)(sod % 60), 2);
    if (frac_digits > 0) {
        *p++ = '.';
        p = put_dec(p, frac, frac_digits > 9 ? 9 : frac_digits);
    }
    *p++ = 'Z';
    size_t len = (size_t)(p - b);
    if (size > 0) {
        size_t k = len < size ? len : size - 1;
        memcpy(out, b, k);
        out[k] = '\0';
    }
    return len;
}

void ohc_format_rfc3339_utc(char out[32], int64_t unix_ms)
{
    const int64_t min_ms = -62167219200000LL; /* 0000-01-01T00:00:00.000Z */
    const int64_t max_ms = 253402300799999LL; /* 9999-12-31T23:59:59.999Z */
    if (unix_ms < min_ms)
        unix_ms = min_ms;
    else if (unix_ms > max_ms)
        unix_ms = max_ms;
    int64_t secs = unix_ms / 1000, ms = unix_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        secs--;
    }
    ohc_civil_format_rfc3339(out, 32, secs, (uint32_t)ms, 3);
}

static int digits_n(const char **s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (unsigned)(c - '0');
    }
    *s += n;
    *out = v;
    return 1;
}

int ohc_civil_parse_rfc3339(int64_t *out_ms, const char *s, unsigned flags)
{
    unsigned y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
    if (s == NULL || !digits_n(&s, 4, &y) || *s++ != '-' || !digits_n(&s, 2, &mo) || *s++ != '-' ||
        !digits_n(&s, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return OHC_EMALFORMED;
    int64_t offset_min = 0;
    if (*s == '\0') {
        if (!(flags & OHC_TIME_DATE_ALONE))
            return OHC_EMALFORMED;
    } else {
        if (*s != 'T' && *s != 't' && *s != ' ')
            return OHC_EMALFORMED;
        s++;
        if (!digits_n(&s, 2, &h) || *s++ != ':' || !digits_n(&s, 2, &mi) || *s++ != ':' || !digits_n(&s, 2, &se) ||
            h > 23 || mi > 59 || se > 60)
            return OHC_EMALFORMED;
        if (*s == '.') {
            s++;
            int k = 0;
            for (; *s >= '0' && *s <= '9'; s++, k++)
                if (k < 3)
                    ms = ms * 10 + (unsigned)(*s - '0');
            if (k == 0)
                return OHC_EMALFORMED;
            for (; k < 3; k++)
                ms *= 10;
        }
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1;
            unsigned oh, om;
            if (!digits_n(&s, 2, &oh) || *s++ != ':' || !digits_n(&s, 2, &om) || oh > 23 || om > 59)
                return OHC_EMALFORMED;
            offset_min = sign * (int64_t)(oh * 60 + om);
        } else if (!(flags & OHC_TIME_ZONE_OPTIONAL)) {
            return OHC_EMALFORMED;
        }
        if (*s != '\0')
            return OHC_EMALFORMED;
    }
    int64_t days = ohc_civil_days_from_date(y, mo, d);
    *out_ms = ((days * 86400 + h * 3600 + mi * 60 + se) - offset_min * 60) * 1000 + ms;
    return OHC_OK;
}
