#include "event_record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#include "civil_time.h"

const char *ohc_event_level_name(uint8_t level, char buf[16])
{
    static const char *names[] = {"LogAlways", "Critical", "Error", "Warning", "Information", "Verbose"};
    if (level < sizeof names / sizeof names[0])
        return names[level];
    snprintf(buf, 16, "Level%u", (unsigned)level);
    return buf;
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int ohc_event_values_link(size_t *next, unsigned char *first, const ohc_event_value *values, size_t n)
{
    /* A hash table of the last index seen per name: on the stack for the
     * usual record (a few dozen values), allocated past that. */
    size_t small[128], *last = small;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > 128 && (last = malloc(cap * sizeof *last)) == NULL)
        return OHC_ENOMEM;
    for (size_t k = 0; k < cap; k++)
        last[k] = SIZE_MAX;
    int repeats = 0;
    for (size_t i = 0; i < n; i++) {
        next[i] = SIZE_MAX;
        first[i] = 1;
        size_t k = name_hash(values[i].name) & (cap - 1);
        while (last[k] != SIZE_MAX && strcmp(values[last[k]].name, values[i].name) != 0)
            k = (k + 1) & (cap - 1);
        if (last[k] != SIZE_MAX) {
            next[last[k]] = i;
            first[i] = 0;
            repeats = 1;
        }
        last[k] = i;
    }
    if (last != small)
        free(last);
    return repeats;
}

cJSON *ohc_event_record_to_json(const ohc_event_record *rec)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    char lbuf[16], when[32];
    cJSON_AddStringToObject(o, "channel", rec->channel ? rec->channel : "");
    cJSON_AddStringToObject(o, "provider", rec->provider ? rec->provider : "");
    cJSON_AddNumberToObject(o, "event_id", rec->event_id);
    cJSON_AddNumberToObject(o, "level", rec->level);
    cJSON_AddStringToObject(o, "level_name", ohc_event_level_name(rec->level, lbuf));
    ohc_format_rfc3339_utc(when, rec->time_created_ms);
    cJSON_AddStringToObject(o, "time_created", when);
    cJSON_AddNumberToObject(o, "record_id", (double)rec->record_id);
    if (rec->computer)
        cJSON_AddStringToObject(o, "computer", rec->computer);
    else
        cJSON_AddNullToObject(o, "computer");

    int named = rec->value_count > 0;
    for (size_t i = 0; i < rec->value_count; i++)
        named &= rec->values[i].name != NULL && rec->values[i].name[0] != '\0';
    cJSON *data = named ? cJSON_AddObjectToObject(o, "data") : cJSON_AddArrayToObject(o, "data");
    size_t *next = named ? malloc(rec->value_count * sizeof *next) : NULL;
    unsigned char *first = named ? malloc(rec->value_count) : NULL;
    int repeats = !named          ? 0
                  : next && first ? ohc_event_values_link(next, first, rec->values, rec->value_count)
                                  : OHC_ENOMEM;
    if (named && repeats < 0) {
        free(next);
        free(first);
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; data != NULL && i < rec->value_count; i++) {
        if (!named) {
            cJSON_AddItemToArray(data, cJSON_CreateString(rec->values[i].value));
        } else if (!first[i]) {
            continue; /* in the list of its name's first occurrence */
        } else if (next[i] == SIZE_MAX) {
            cJSON_AddStringToObject(data, rec->values[i].name, rec->values[i].value);
        } else {
            cJSON *list = cJSON_AddArrayToObject(data, rec->values[i].name);
            for (size_t j = i; list != NULL && j != SIZE_MAX; j = next[j])
                cJSON_AddItemToArray(list, cJSON_CreateString(rec->values[j].value));
        }
    }
    free(next);
    free(first);

    if (rec->binary != NULL) {
        char *hex = malloc(rec->binary_len * 2 + 1);
        if (hex != NULL) {
            static const char digits[] = "0123456789abcdef";
            for (size_t i = 0; i < rec->binary_len; i++) {
                hex[2 * i] = digits[rec->binary[i] >> 4];
                hex[2 * i + 1] = digits[rec->binary[i] & 15];
            }
            hex[rec->binary_len * 2] = '\0';
            cJSON_AddStringToObject(o, "binary", hex);
            free(hex);
        }
    } else {
        cJSON_AddNullToObject(o, "binary");
    }
    if (rec->message)
        cJSON_AddStringToObject(o, "message", rec->message);
    else
        cJSON_AddNullToObject(o, "message");
    return o;
}
