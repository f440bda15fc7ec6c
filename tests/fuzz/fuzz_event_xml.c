/* libFuzzer target for the event XML of the live path (collector/event_xml.c):
 * the input is what EvtRender(EvtRenderEventXml) gave, converted to UTF-8.
 * Parsed twice into the same reusable buffers (as the probe does event after
 * event), then the values and binary data go through the Event 27 and BITS
 * client decoders as an Outlook Event 27 and as a BITS client event 60. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_xml.h"
#include "fuzz_decoders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size ? size : 1); /* exact size, no NUL: the parser is given len */
    if (xml == NULL)
        return 0;
    memcpy(xml, data, size);
    ohc_event_xml x = {0};
    ohc_error err;
    for (int pass = 0; pass < 2; pass++) {
        if (ohc_event_xml_parse(&x, xml, size, &err) != OHC_OK) {
            if (x.value_count != 0)
                abort(); /* the contract: empty on error */
            continue;
        }
        for (size_t i = 0; i < x.value_count; i++)
            if (x.values[i].value == NULL)
                abort();
        ohc_event_record rec = {0};
        rec.channel = pass ? "Microsoft-Windows-Bits-Client/Operational" : "Application";
        rec.provider = pass ? "Microsoft-Windows-Bits-Client" : "Outlook";
        rec.event_id = pass ? 60 : 27;
        rec.level = 2;
        rec.computer = "PC1";
        rec.values = x.values;
        rec.value_count = x.value_count;
        rec.binary = x.has_binary ? x.binary : NULL;
        rec.binary_len = x.has_binary ? x.binary_len : 0;
        fuzz_decode_record(&rec);
    }
    ohc_event_xml_free(&x);
    free(xml);
    return 0;
}
