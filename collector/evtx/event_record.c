#include "event_record.h"

#include <stdio.h>
#include <stdlib.h>

#include "civil_time.h"

const char *ohc_event_level_name(uint8_t level, char buf[16])
{
    static const char *names[] = {"LogAlways", "Critical", "Error", "Warning", "Information", "Verbose"};
    if (level < sizeof names / sizeof names[0])
        return names[level];
    snprintf(buf, 16, "Level%u", (unsigned)level);
    return buf;
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
    for (size_t i = 0; data != NULL && i < rec->value_count; i++) {
        if (named)
            cJSON_AddStringToObject(data, rec->values[i].name, rec->values[i].value);
        else
            cJSON_AddItemToArray(data, cJSON_CreateString(rec->values[i].value));
    }

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
