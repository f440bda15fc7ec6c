/* Registry values as facts, decoded from their raw bytes in portable code.
 *
 * The OS half reads a value's type and bytes (RegQueryValueExW) and hands them
 * here; nothing in the bytes is trusted: a REG_DWORD of 3 bytes, a REG_SZ
 * without its NUL, odd-length UTF-16 or a value of the wrong type are all
 * reported, never read past and never dropped. Strings are decoded by
 * utf16.h. */
#ifndef OHC_REGVAL_H
#define OHC_REGVAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Windows' registry type numbers (winnt.h), so collector/ needs no windows.h. */
enum {
    OHC_REG_NONE = 0,
    OHC_REG_SZ = 1,
    OHC_REG_EXPAND_SZ = 2,
    OHC_REG_BINARY = 3,
    OHC_REG_DWORD = 4,
    OHC_REG_DWORD_BIG_ENDIAN = 5,
    OHC_REG_LINK = 6,
    OHC_REG_MULTI_SZ = 7,
    OHC_REG_QWORD = 11
};
/* As `expected`: any type is right. */
#define OHC_REG_ANY 0xFFFFFFFFu

/* Longest value data ohc reads or reports; raw_hex shows at most OHC_REGVAL_HEX_MAX bytes. */
#define OHC_REGVAL_DATA_MAX 65536u
#define OHC_REGVAL_HEX_MAX 1024u

/* "REG_DWORD", "REG_SZ", ...; "REG_UNKNOWN" for a number Windows does not define. Static. */
const char *ohc_regval_type_name(uint32_t type);

/* A new JSON object (caller owns; NULL on no memory):
 *   {type, value, wrong_type, [raw_hex], [malformed], [raw_truncated], [type_code]}
 * value: number (DWORD, QWORD, DWORD_BIG_ENDIAN), string (SZ, EXPAND_SZ, LINK),
 * array of strings (MULTI_SZ), or null (other types, or data of the wrong size).
 * raw_hex is added when the type is not `expected` (OHC_REG_ANY accepts all),
 * when the type has no decoded form, or when the data is malformed. */
cJSON *ohc_regval_to_json(uint32_t type, const uint8_t *data, size_t len, uint32_t expected);

/* The number a value holds: REG_DWORD / REG_DWORD_BIG_ENDIAN of 4 bytes or
 * REG_QWORD of 8. Returns 1 and sets *out, or 0 when the value is no number. */
/* REG_MULTI_SZ as lines: the strings joined by '\n' into out (always
 * NUL-terminated when size > 0), with the rules of ohc_regval_to_json: an
 * empty string (the double NUL) or the end of the data ends the list, a last
 * string without its NUL still counts. OHC_OK, or OHC_ELIMIT when out was too
 * small (it keeps the whole lines that fit). Used by the settings reader too,
 * so that a list reads the same wherever it is decoded. */
int ohc_regval_multi_sz_lines(char *out, size_t size, const uint8_t *data, size_t len);

int ohc_regval_number(uint64_t *out, uint32_t type, const uint8_t *data, size_t len);

/* The number in a regval object (ohc_regval_to_json) that is a REG_DWORD of
 * 4 bytes: returns 1 and sets *out; 0 for NULL, another type or a malformed
 * value (which the caller reports raw, never as "not set"). */
int ohc_regval_json_dword(uint32_t *out, const cJSON *regval);

/* New lower-case hex string of at most max_bytes bytes of data. Caller frees. */
char *ohc_hex_encode(const uint8_t *data, size_t len, size_t max_bytes);

#endif
