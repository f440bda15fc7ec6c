/* ASCII case folding for names Windows compares without regard to case
 * (event channels and providers, setting names, host names, BITS job ids):
 * only A-Z fold; other bytes, UTF-8 included, compare exactly, whatever the
 * C locale. NULL counts as "". */
#ifndef OHC_ASCII_H
#define OHC_ASCII_H

#include <stddef.h>

/* Non-zero when a and b are equal but for the case of ASCII letters. */
int ohc_ascii_ieq(const char *a, const char *b);

/* strcmp with ASCII letters folded to lower case: <0, 0 or >0. */
int ohc_ascii_casecmp(const char *a, const char *b);

/* ohc_ascii_casecmp over at most n bytes (a prefix test: URL schemes, header names). */
int ohc_ascii_strncasecmp(const char *a, const char *b, size_t n);

/* The value of a hexadecimal digit (either case), or -1. */
int ohc_ascii_hex_value(char c);

#endif
