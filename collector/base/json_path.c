#include "json_path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const cJSON *ohc_json_step(const cJSON *cur, const char *seg, size_t n)
{
    char key[OHC_JSON_PATH_SEGMENT_MAX + 1];
    if (cur == NULL || n > OHC_JSON_PATH_SEGMENT_MAX)
        return NULL;
    memcpy(key, seg, n);
    key[n] = '\0';
    if (cJSON_IsObject(cur))
        return cJSON_GetObjectItemCaseSensitive(cur, key);
    if (!cJSON_IsArray(cur) || n == 0 || key[0] < '0' || key[0] > '9')
        return NULL;
    char *end;
    unsigned long idx = strtoul(key, &end, 10);
    if (*end != '\0' || idx >= (unsigned long)INT32_MAX)
        return NULL;
    return cJSON_GetArrayItem(cur, (int)idx);
}

const cJSON *ohc_json_get(const cJSON *obj, const char *path)
{
    const cJSON *cur = obj;
    while (cur != NULL && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        cur = ohc_json_step(cur, path, n);
        path += n + (dot != NULL);
    }
    return cur;
}
