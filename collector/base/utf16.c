#include "utf16.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static uint32_t unit_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

int ohc_utf16le_decode(char *out, size_t size, ohc_utf16_decoded *info, const uint8_t *src, size_t len, unsigned flags)
{
    size_t units = len / 2, i = 0, o = 0;
    int rc = OHC_OK, nul = 0;
    if (size == 0) {
        rc = units > 0 ? OHC_ELIMIT : OHC_OK;
        goto done;
    }
    size_t room = size - 1; /* the NUL's byte is kept */
    while (i < units) {
#ifdef __SSE2__
        /* Eight ASCII units at once where SSE2 is there (every x86-64 build):
         * none at or above 0x80 and none zero, packed to eight bytes. */
        while (units - i >= 8 && room - o >= 8) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i));
            __m128i zero = _mm_setzero_si128();
            __m128i wide = _mm_and_si128(v, _mm_set1_epi16((short)0xFF80));
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(wide, zero)) != 0xFFFF ||
                _mm_movemask_epi8(_mm_cmpeq_epi16(v, zero)) != 0)
                break;
            _mm_storel_epi64((__m128i *)(void *)(out + o), _mm_packus_epi16(v, v));
            o += 8;
            i += 8;
        }
        if (i == units)
            break;
#endif
        /* Four ASCII units at once (event log text is mostly ASCII): no
         * unit at or above 0x80 and none zero. */
        if (units - i >= 4 && room - o >= 4) {
            uint64_t x;
            memcpy(&x, src + 2 * i, 8);
            if ((x & 0xFF80FF80FF80FF80ull) == 0 && ((x - 0x0001000100010001ull) & ~x & 0x8000800080008000ull) == 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* the low bytes of the four units, packed and stored at once */
                uint32_t four = (uint32_t)(x & 0xFF) | (uint32_t)(x >> 8 & 0xFF00) | (uint32_t)(x >> 16 & 0xFF0000) |
                                (uint32_t)(x >> 24 & 0xFF000000u);
                memcpy(out + o, &four, 4);
#else
                out[o] = (char)src[2 * i];
                out[o + 1] = (char)src[2 * i + 2];
                out[o + 2] = (char)src[2 * i + 4];
                out[o + 3] = (char)src[2 * i + 6];
#endif
                o += 4;
                i += 4;
                continue;
            }
        }
        uint32_t c = unit_at(src + 2 * i);
        if (c < 0x80) { /* most text: one byte, no checks but the NUL */
            if (c == 0) {
                i++;
                if (flags & OHC_UTF16_STOP_AT_NUL) {
                    nul = 1;
                    break;
                }
                continue;
            }
            if (o == room) {
                rc = OHC_ELIMIT;
                break;
            }
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t step = 1;
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t lo = unit_at(src + 2 * i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                step = 2;
            } else {
                c = 0xFFFD; /* a high surrogate without its low half; the next unit is read on its own */
            }
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD; /* a low surrogate alone, or a high one at the end */
        }
        size_t n = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (room - o < n) {
            rc = OHC_ELIMIT;
            break;
        }
        if (n == 2) {
            out[o++] = (char)(0xC0 | c >> 6);
        } else if (n == 3) {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | c >> 18);
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
        }
        out[o++] = (char)(0x80 | (c & 0x3F));
        i += step;
    }
    out[o] = '\0';
done:
    if (info != NULL) {
        info->len = o;
        info->consumed = 2 * i;
        info->stopped_at_nul = nul;
    }
    return rc;
}

char *ohc_utf16le_to_utf8(const uint8_t *data, size_t len)
{
    if (len / 2 > (SIZE_MAX - 1) / 3)
        return NULL;
    char *s = malloc(OHC_UTF16_UTF8_MAX(len));
    if (s == NULL)
        return NULL;
    ohc_utf16le_decode(s, OHC_UTF16_UTF8_MAX(len), NULL, data, len, OHC_UTF16_STOP_AT_NUL);
    return s;
}
