/* Windows' UTF-16LE text as UTF-8: the one decoder for registry values
 * (regval.c), Event 27's binary data (event27.c) and .evtx strings (evtx.c).
 *
 * The input is untrusted bytes and is read only within [src, src + len):
 *   - an odd last byte is not read (len / 2 code units are);
 *   - a surrogate pair becomes one code point (4 bytes of UTF-8); a surrogate
 *     that is not part of a pair becomes U+FFFD (never CESU-8 or WTF-8);
 *   - a NUL unit either ends the text (OHC_UTF16_STOP_AT_NUL: the NUL is
 *     consumed, not written) or is dropped (Windows pads strings with NULs,
 *     and a NUL in the middle would end the UTF-8 C string);
 *   - the output is bounded by the caller's size: a character that does not
 *     fit ends the output, which then holds only whole characters.
 * Nothing here allocates except ohc_utf16le_to_utf8; nothing keeps state. */
#ifndef OHC_UTF16_H
#define OHC_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Flags of ohc_utf16le_decode. */
#define OHC_UTF16_STOP_AT_NUL 1u

/* Bytes of output (NUL included) that always hold the UTF-8 of len bytes of
 * UTF-16: 3 per code unit (a pair of units makes 4). */
#define OHC_UTF16_UTF8_MAX(len) ((len) / 2u * 3u + 1u)

typedef struct ohc_utf16_decoded {
    size_t len; /* bytes of UTF-8 written, the terminating NUL not counted */
    size_t consumed; /* bytes of src decoded (even): through the NUL that stopped the text, or up to the
                        character that did not fit, else len rounded down to even */
    int stopped_at_nul; /* OHC_UTF16_STOP_AT_NUL and a NUL unit ended the text */
} ohc_utf16_decoded;

/* Decodes src[0, len) into out[0, size) as NUL-terminated UTF-8 (out is
 * always terminated when size > 0). flags: 0 or OHC_UTF16_STOP_AT_NUL.
 * Returns OHC_OK, or OHC_ELIMIT when a character did not fit (out keeps the
 * whole characters before it; size OHC_UTF16_UTF8_MAX(len) never runs short).
 * info may be NULL; src may be NULL when len is 0. */
int ohc_utf16le_decode(char *out, size_t size, ohc_utf16_decoded *info, const uint8_t *src, size_t len, unsigned flags);

/* The text up to the first NUL unit (or the end) as a new UTF-8 string, with
 * ohc_utf16le_decode's rules. The caller frees it with free(). NULL on no
 * memory. */
char *ohc_utf16le_to_utf8(const uint8_t *data, size_t len);

#endif
