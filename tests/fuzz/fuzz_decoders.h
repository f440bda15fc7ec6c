/* What the events probe does with one event record, shared by the Event 27
 * and event XML fuzz targets: the Outlook Event 27 decoder and the BITS
 * client decoder (the two decoders of event data), each result rendered as
 * JSON and parsed back (the facts must stay JSON). */
#ifndef OHC_FUZZ_DECODERS_H
#define OHC_FUZZ_DECODERS_H

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "bits_client_events.h"
#include "event27.h"
#include "event_record.h"

static inline void fuzz_json_roundtrip(cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    if (s != NULL) {
        cJSON *back = cJSON_Parse(s);
        if (back == NULL)
            abort();
        cJSON_Delete(back);
    }
    cJSON_free(s);
    cJSON_Delete(j);
}

static inline void fuzz_decode_record(const ohc_event_record *rec)
{
    ohc_event27_matches(rec);
    ohc_event27 ev;
    ohc_event27_decode(&ev, rec);
    ohc_event27_kind_name(ev.kind);
    fuzz_json_roundtrip(ohc_event27_to_json(&ev));
    for (size_t i = 0; i < ev.hr_count; i++)
        fuzz_json_roundtrip(ohc_event27_hr_to_json(ev.hrs[i]));
    fuzz_json_roundtrip(ohc_event_record_to_json(rec));

    ohc_bits_client_transfer t;
    if (ohc_bits_client_is_transfer_event(rec) && ohc_bits_client_decode(&t, rec) == 0)
        fuzz_json_roundtrip(ohc_bits_client_transfer_to_json(&t));
    ohc_bits_client_log *log;
    if (ohc_bits_client_log_new(&log) == 0) {
        ohc_bits_client_log_set_max(log, 4);
        for (int i = 0; i < 3; i++)
            ohc_bits_client_log_add(log, rec);
        fuzz_json_roundtrip(ohc_bits_client_log_facts(log));
        ohc_bits_client_log_free(log);
    }
}

#endif
