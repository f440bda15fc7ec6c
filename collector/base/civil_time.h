/* Civil dates (proleptic Gregorian calendar, UTC) and their RFC 3339 text:
 * the one place ohc turns a time into a date and back. No gmtime or timegm:
 * their range and thread-safety differ between the CRTs. The arithmetic is
 * Howard Hinnant's days_from_civil / civil_from_days, exact for any day count
 * in int64_t. Plain functions: no state, no allocation, no OS. */
#ifndef OHC_CIVIL_TIME_H
#define OHC_CIVIL_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct ohc_civil_date {
    int64_t year; /* astronomical: year 0 is 1 BC, negative before it */
    unsigned month; /* 1..12 */
    unsigned day; /* 1..31 */
} ohc_civil_date;

/* Days since 1970-01-01 of year-month-day. The caller checks month (1..12)
 * and day (1..31); a day past the end of its month counts on into the next
 * one (2023-02-29 is 2023-03-01), as timegm does. */
int64_t ohc_civil_days_from_date(int64_t year, unsigned month, unsigned day);

/* The date of day `days` since 1970-01-01 (negative: before it). */
void ohc_civil_date_from_days(ohc_civil_date *out, int64_t days);

/* Bytes that hold any text of ohc_civil_format_rfc3339, NUL included. */
#define OHC_RFC3339_MAX 40

/* Writes "YYYY-MM-DDTHH:MM:SS[.F]Z" for unix_secs (seconds since 1970, UTC)
 * into out[0, size), truncated to fit and NUL-terminated (size > 0). The
 * fraction has frac_digits digits (0: none; at most 9) of frac, which is
 * below 10^frac_digits (.123 is frac 123, 3 digits; a FILETIME's 100 ns are
 * 7 digits). Years 0..9999 have 4 digits; a year outside RFC 3339's range is
 * written whole (30828-09-14T..., -0001-12-31T...), so callers that must stay
 * RFC 3339 clamp first (ohc_format_rfc3339_utc does). Returns the length of
 * the whole text (below OHC_RFC3339_MAX). */
size_t ohc_civil_format_rfc3339(char *out, size_t size, int64_t unix_secs, uint32_t frac, unsigned frac_digits);

/* "2026-11-24T20:35:25.123Z" for a time in ms since 1970 (UTC): the form of
 * every time in a report. A time before year 0 or after 9999 (a corrupt
 * FILETIME, say) is clamped to 0000-01-01T00:00:00.000Z or
 * 9999-12-31T23:59:59.999Z, so the text always fits and stays RFC 3339. */
void ohc_format_rfc3339_utc(char out[32], int64_t unix_ms);

/* Flags of ohc_civil_parse_rfc3339. */
enum {
    OHC_TIME_DATE_ALONE = 1u, /* "2026-11-24" is accepted: midnight UTC */
    OHC_TIME_ZONE_OPTIONAL = 2u /* a time without Z or an offset is UTC */
};

/* The one RFC 3339 reader: "2026-11-24T20:00:00Z", with an optional fraction
 * (kept to the millisecond) and "Z" or "+01:00"; 't', 'z' and a space for
 * 'T' are accepted, as RFC 3339 allows. *out_ms: ms since 1970 UTC. OHC_OK,
 * or OHC_EMALFORMED (out untouched). flags: OHC_TIME_*. */
int ohc_civil_parse_rfc3339(int64_t *out_ms, const char *s, unsigned flags);

#endif
