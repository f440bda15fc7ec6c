#include "regval.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf16.h"

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

/* REG_MULTI_SZ: NUL-terminated strings, an empty one (the double NUL) or the
 * end of the data ends the list; a last string without its NUL still counts. */
static cJSON *multi_sz_to_json(const uint8_t *data, size_t len)
{
    cJSON *arr = cJSON_CreateArray();
    char *s = arr != NULL ? malloc(OHC_UTF16_UTF8_MAX(len)) : NULL; /* holds any one of the strings */
    if (s == NULL) {
        cJSON_Delete(arr);
        return NULL;
    }
    size_t pos = 0;
    while (pos + 2 <= len) {
        ohc_utf16_decoded d;
        ohc_utf16le_decode(s, OHC_UTF16_UTF8_MAX(len), &d, data + pos, len - pos, OHC_UTF16_STOP_AT_NUL);
        pos += d.consumed;
        if (d.len == 0)
            break;
        cJSON *item = cJSON_CreateString(s);
        if (item == NULL) {
            cJSON_Delete(arr);
            arr = NULL;
            break;
        }
        cJSON_AddItemToArray(arr, item);
    }
    free(s);
    return arr;
}

int ohc_regval_multi_sz_lines(char *out, size_t size, const uint8_t *data, size_t len)
{
    if (size == 0)
        return OHC_ELIMIT;
    out[0] = '\0';
    size_t used = 0, pos = 0;
    while (pos + 2 <= len) {
        size_t at = used ? used + 1 : 0; /* after the '\n' */
        if (at >= size)
            return OHC_ELIMIT;
        ohc_utf16_decoded d;
        int rc = ohc_utf16le_decode(out + at, size - at, &d, data + pos, len - pos, OHC_UTF16_STOP_AT_NUL);
        if (d.len == 0 && rc == OHC_OK)
            break; /* the empty string: the end of the list */
        if (rc != OHC_OK) {
            out[used] = '\0'; /* keep the whole lines before it */
            return OHC_ELIMIT;
        }
        if (used)
            out[used] = '\n';
        used = at + d.len;
        pos += d.consumed;
    }
    out[used] = '\0';
    return OHC_OK;
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

int ohc_regval_json_dword(uint32_t *out, const cJSON *regval)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(regval, "type");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(regval, "value");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "REG_DWORD") != 0 || !cJSON_IsNumber(value) ||
        value->valuedouble < 0 || value->valuedouble > 4294967295.0)
        return 0;
    *out = (uint32_t)value->valuedouble;
    return 1;
}
