/* The normalised event record: what the live event log probe (win32/, wevtapi)
 * and the offline .evtx reader (collector/evtx/) both produce, so that the
 * decoders (Outlook Event 27, BITS client events) and the rules run unchanged
 * on either source.
 *
 * A record borrows all its memory from its producer and is valid only until
 * the producer's next call (the reader reuses its buffers; nothing is
 * allocated per record on the filtering path). Copy what must live longer:
 * ohc_event_record_to_json makes an owned JSON copy. */
#ifndef OHC_EVENT_RECORD_H
#define OHC_EVENT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* One EventData value: <Data Name="x">v</Data>, or unnamed (name NULL). */
typedef struct ohc_event_value {
    const char *name; /* UTF-8, NUL-terminated, or NULL for unnamed values */
    const char *value; /* UTF-8 text rendering, NUL-terminated, never NULL */
} ohc_event_value;

typedef struct ohc_event_record {
    const char *channel; /* "Application", "Microsoft-Windows-Bits-Client/Operational" */
    const char *provider; /* Provider Name ("Outlook", "Microsoft-Windows-Bits-Client") */
    uint32_t event_id; /* without qualifiers */
    uint32_t qualifiers; /* classic providers' high word; 0 when none */
    uint8_t level; /* 0 LogAlways, 1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose */
    int64_t time_created_ms; /* UTC, ms since 1970 */
    uint64_t record_id;
    const char *computer;
    const ohc_event_value *values; /* EventData in document order */
    size_t value_count;
    const uint8_t *binary; /* EventData <Binary> bytes, or NULL */
    size_t binary_len;
    const char *message; /* rendered, localized description; NULL when absent */
} ohc_event_record;

/* Values that share a name (EventData with the same Name twice, UserData
 * leaves repeated): next[i] is the index of the next value named like
 * values[i], or SIZE_MAX; first[i] is 1 when values[i] is the first of its
 * name. Both arrays have n entries (the caller's). Returns 1
 * when some name repeats, 0 when none does, OHC_ENOMEM. Names must be
 * non-NULL. */
int ohc_event_values_link(size_t *next, unsigned char *first, const ohc_event_value *values, size_t n);

/* "Critical", "Error", "Warning", "Information", "Verbose", "LogAlways", or "Level<n>". */
const char *ohc_event_level_name(uint8_t level, char buf[16]);

/* An owned JSON object: channel, provider, event_id, level, level_name,
 * time_created (RFC 3339), record_id, computer, data, binary (hex string or
 * null), message. NULL on no memory.
 * data: an object of named values, {"Name": "value"}; a name that occurs
 * more than once keeps every value, in document order, as a list at the
 * place of its first occurrence: {"Header": ["a", "b"]}. When a value has no
 * name, data is an array of the values. */
cJSON *ohc_event_record_to_json(const ohc_event_record *rec);

#endif
