#include "regval.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

const char *ohc_regval_type_name(uint32_t type)
{
    switch (type) {
    case OHC_REG_NONE: return "REG_NONE";
    case OHC_REG_SZ: return "REG_SZ";
    case OHC_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case OHC_REG_BINARY: return "REG_BINARY";
    case OHC_REG_DWORD: return "REG_DWORD";
    case OHC_REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
    case OHC_REG_LINK: return "REG_LINK";
    case OHC_REG_MULTI_SZ: return "REG_MULTI_SZ";
    case 8: return "REG_RESOURCE_LIST";
    case 9: return "REG_FULL_RESOURCE_DESCRIPTOR";
    case 10: return "REG_RESOURCE_REQUIREMENTS_LIST";
    case OHC_REG_QWORD: return "REG_QWORD";
    default: return "REG_UNKNOWN";
    }
}

char *ohc_hex_encode(const uint8_t *data, size_t len, size_t max_bytes)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = len < max_bytes ? len : max_bytes;
    char *s = malloc(n * 2 + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 0xF];
    }
    s[n * 2] = '\0';
    return s;
}

static void append_utf8(ohc_strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    ohc_strbuf_append_len(sb, b, n);
}

/* Decodes UTF-16LE units [0, units) into sb; returns the unit index after the
 * first NUL, or `units` when there is none. */
static size_t utf16_decode(ohc_strbuf *sb, const uint8_t *data, size_t units)
{
    size_t i = 0;
    while (i < units) {
        uint32_t u = (uint32_t)data[2 * i] | ((uint32_t)data[2 * i + 1] << 8);
        i++;
        if (u == 0)
            return i;
        if (u >= 0xD800 && u <= 0xDBFF && i < units) {
            uint32_t lo = (uint32_t)data[2 * i] | ((uint32_t)data[2 * i + 1] << 8);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i++;
                append_utf8(sb, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD; /* a lone surrogate: not representable in UTF-8 */
        append_utf8(sb, u);
    }
    return units;
}

char *ohc_utf16le_to_utf8(const uint8_t *data, size_t len)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_strbuf_append(&sb, "");
    utf16_decode(&sb, data, len / 2);
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}

int ohc_regval_number(uint64_t *out, uint32_t type, const uint8_t *data, size_t len)
{
    if (data == NULL)
        return 0;
    if (type == OHC_REG_DWORD && len == 4) {
        *out = (uint64_t)data[0] | ((uint64_t)data[1] << 8) | ((uint64_t)data[2] << 16) | ((uint64_t)data[3] << 24);
        return 1;
    }
    if (type == OHC_REG_DWORD_BIG_ENDIAN && len == 4) {
        *out = (uint64_t)data[3] | ((uint64_t)data[2] << 8) | ((uint64_t)data[1] << 16) | ((uint64_t)data[0] << 24);
        return 1;
    }
    if (type == OHC_REG_QWORD && len == 8) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = (v << 8) | data[i];
        *out = v;
        return 1;
    }
    return 0;
}

static cJSON *multi_sz_to_json(const uint8_t *data, size_t len)
{
    cJSON *arr = cJSON_CreateArray();
    size_t units = len / 2, pos = 0;
    while (arr != NULL && pos < units) {
        ohc_strbuf sb = OHC_STRBUF_INIT;
        ohc_strbuf_append(&sb, "");
        size_t used = utf16_decode(&sb, data + 2 * pos, units - pos);
        pos += used;
        /* An empty string ends the list (the double NUL). */
        if (sb.len == 0 || ohc_strbuf_failed(&sb)) {
            int failed = ohc_strbuf_failed(&sb);
            ohc_strbuf_free(&sb);
            if (failed) {
                cJSON_Delete(arr);
                return NULL;
            }
            break;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(ohc_strbuf_str(&sb)));
        ohc_strbuf_free(&sb);
    }
    return arr;
}

cJSON *ohc_regval_to_json(uint32_t type, const uint8_t *data, size_t len, uint32_t expected)
{
    static const uint8_t empty[1] = {0};
    if (data == NULL)
        data = empty, len = 0;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    const char *name = ohc_regval_type_name(type);
    cJSON_AddStringToObject(o, "type", name);
    if (!strcmp(name, "REG_UNKNOWN"))
        cJSON_AddNumberToObject(o, "type_code", (double)type);

    int decoded = 1, malformed = 0;
    uint64_t num;
    switch (type) {
    case OHC_REG_DWORD:
    case OHC_REG_DWORD_BIG_ENDIAN:
    case OHC_REG_QWORD:
        if (ohc_regval_number(&num, type, data, len)) {
            cJSON_AddNumberToObject(o, "value", (double)num);
        } else {
            cJSON_AddNullToObject(o, "value");
            malformed = 1;
        }
        break;
    case OHC_REG_SZ:
    case OHC_REG_EXPAND_SZ:
    case OHC_REG_LINK: {
        char *s = ohc_utf16le_to_utf8(data, len);
        if (s == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddStringToObject(o, "value", s);
        free(s);
        malformed = (len % 2) != 0;
        break;
    }
    case OHC_REG_MULTI_SZ: {
        cJSON *arr = multi_sz_to_json(data, len);
        if (arr == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, "value", arr);
        malformed = (len % 2) != 0;
        break;
    }
    default:
        cJSON_AddNullToObject(o, "value");
        decoded = 0;
        break;
    }
    int wrong = expected != OHC_REG_ANY && type != expected;
    cJSON_AddBoolToObject(o, "wrong_type", wrong);
    if (malformed)
        cJSON_AddBoolToObject(o, "malformed", 1);
    if (wrong || !decoded || malformed) {
        char *hex = ohc_hex_encode(data, len, OHC_REGVAL_HEX_MAX);
        if (hex == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddStringToObject(o, "raw_hex", hex);
        free(hex);
        if (len > OHC_REGVAL_HEX_MAX)
            cJSON_AddBoolToObject(o, "raw_truncated", 1);
    }
    return o;
}
