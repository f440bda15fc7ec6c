/* libFuzzer target for the decoders of event data (collector/event27.c and
 * bits_client_events.c): an event record whose EventData strings and binary
 * data come from the input, with the provider and id of Outlook's Event 27 or
 * a BITS client event (or any other), as the live probe and the .evtx reader
 * hand it over. Input: flags, level, qualifiers, event id, value count, then
 * each value (name when named, text; NUL-separated), then the binary data. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_decoders.h"
#include "fuzz_input.h"

#define MAX_VALUES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const PROVIDERS[] = {"Outlook", "OUTLOOK", "Microsoft-Windows-Bits-Client", "Application Error"};
static const uint32_t IDS[] = {27, 3, 4, 59, 60, 16398, 1000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    uint8_t flags = fuzz_u8(&in);
    ohc_event_record rec = {0};
    rec.channel = flags & 0x80 ? "Microsoft-Windows-Bits-Client/Operational" : "Application";
    rec.provider = PROVIDERS[flags & 3];
    rec.level = fuzz_u8(&in);
    rec.qualifiers = fuzz_u32(&in);
    uint8_t id = fuzz_u8(&in);
    rec.event_id = id < sizeof IDS / sizeof IDS[0] ? IDS[id] : fuzz_u32(&in);
    rec.time_created_ms = (int64_t)fuzz_u32(&in) * 1000;
    rec.record_id = fuzz_u32(&in);
    rec.computer = "PC1";
    size_t count = fuzz_u8(&in) % (MAX_VALUES + 1);
    char *names[MAX_VALUES] = {0}, *texts[MAX_VALUES] = {0};
    ohc_event_value values[MAX_VALUES];
    size_t n = 0;
    for (; n < count; n++) {
        names[n] = flags & 0x04 ? fuzz_str(&in, 64, NULL) : NULL;
        texts[n] = fuzz_str(&in, 4096, NULL);
        if (texts[n] == NULL)
            break;
        values[n].name = names[n];
        values[n].value = texts[n];
    }
    rec.values = values;
    rec.value_count = n;
    size_t blen;
    uint8_t *binary = fuzz_rest(&in, &blen);
    if (flags & 0x08) {
        rec.binary = binary;
        rec.binary_len = blen;
    }
    fuzz_decode_record(&rec);
    uint32_t hrs[8];
    size_t found = 0; /* appended to across the values, as the decoder does */
    for (size_t i = 0; i < n; i++)
        ohc_event27_scan_hresults(hrs, 8, &found, texts[i]);
    if (found > 8)
        abort();
    ohc_event27_reason_text(rec.qualifiers);
    for (size_t i = 0; i < MAX_VALUES; i++) {
        free(names[i]);
        free(texts[i]);
    }
    free(binary);
    return 0;
}
