/* The EventData of an event rendered as XML (EvtRender with EvtRenderEventXml,
 * converted to UTF-8) turned into the record's values and binary data.
 *
 * Why XML: the user render context gives values without their names, and the
 * BITS client decoder needs the names (url, hr, jobOwner...). The XML is what
 * Event Viewer shows, with every value already rendered as text.
 *
 * Handles <EventData> with <Data Name='x'>v</Data>, unnamed <Data>, <Data/>
 * and <Binary>hex</Binary>; and <UserData><Anything><name>v</name>...</Anything>.
 * The XML is untrusted: a bounded scanner, not a general parser; entities
 * (&lt; &#x41; ...) are decoded; anything it does not understand inside
 * EventData is OHC_EMALFORMED, never a read past len. */
#ifndef OHC_EVENT_XML_H
#define OHC_EVENT_XML_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event_record.h"

#define OHC_EVENT_XML_MAX_VALUES 256

/* Reusable parse buffers. Zero-initialise; every pointer in it is owned by it
 * and valid until the next ohc_event_xml_parse or ohc_event_xml_free. */
typedef struct ohc_event_xml {
    ohc_event_value *values; /* value_count entries, document order */
    size_t value_count;
    uint8_t *binary; /* binary_len bytes; meaningful only when has_binary */
    size_t binary_len;
    int has_binary; /* the event has a <Binary> element */
    char *arena; /* the names and values */
    size_t arena_cap;
    size_t binary_cap;
} ohc_event_xml;

/* Parses xml[0..len) (no NUL needed). On error the values and binary are
 * empty and err says what was wrong. */
int ohc_event_xml_parse(ohc_event_xml *x, const char *xml, size_t len, ohc_error *err);

void ohc_event_xml_free(ohc_event_xml *x);

#endif
