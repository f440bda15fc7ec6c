#include "ascii.h"

static unsigned fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned)c | 0x20u : c;
}

int ohc_ascii_casecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)(a ? a : ""), *y = (const unsigned char *)(b ? b : "");
    for (;; x++, y++) {
        unsigned cx = fold(*x), cy = fold(*y);
        if (cx != cy || cx == 0)
            return (int)cx - (int)cy;
    }
}

int ohc_ascii_strncasecmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)(a ? a : ""), *y = (const unsigned char *)(b ? b : "");
    for (; n > 0; n--, x++, y++) {
        unsigned cx = fold(*x), cy = fold(*y);
        if (cx != cy || cx == 0)
            return (int)cx - (int)cy;
    }
    return 0;
}

int ohc_ascii_ieq(const char *a, const char *b)
{
    return ohc_ascii_casecmp(a, b) == 0;
}

int ohc_ascii_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
