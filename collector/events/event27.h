/* Outlook Event 27 (provider "Outlook", Application log): the Offline Address
 * Book download. Outlook writes one at the start of a full OAB download and one
 * when it fails (level Warning or Error).
 *
 * What is decoded, from the normalised record (event_record.h), never from the
 * localized description's wording:
 *   - kind, from the level: Information (or LogAlways) = start, Warning / Error /
 *     Critical = failure, anything else = info;
 *   - the full-download reason: the little-endian DWORD at offset 0 of the
 *     binary data, with the KB843483 text for codes 1..0x0E, else "unknown"
 *     and the raw number (higher codes exist but are not documented);
 *   - the OAB name: the first NUL-terminated UTF-16LE string in the binary data
 *     after the reason ("\Global Address List");
 *   - without binary data, the reason from "Result Code N" (N decimal or 0x hex,
 *     ASCII case-insensitive) in the EventData strings, else the message: the
 *     English text some Outlook versions write; reason_source says which;
 *   - HRESULTs written as 0x8XXXXXXX in the EventData strings or the message
 *     (hex is not localized), distinct, in order of appearance.
 * The data is untrusted: no binary, fewer than 4 bytes, an odd length or a
 * name without its terminator are reported in `malformed`, and nothing past
 * binary_len is ever read. Sources: KB843483; ../shared/notes/domain.md. */
#ifndef OHC_EVENT27_H
#define OHC_EVENT27_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "event_record.h"

#define OHC_EVENT27_PROVIDER "Outlook"
#define OHC_EVENT27_ID 27u
#define OHC_EVENT27_MAX_HRS 8
#define OHC_EVENT27_OAB_NAME_MAX 256 /* bytes of UTF-8, NUL included */

typedef enum ohc_event27_kind { OHC_EVENT27_START = 0, OHC_EVENT27_FAILURE, OHC_EVENT27_INFO } ohc_event27_kind;

/* Plain data, owns nothing: the texts are static strings or inline arrays. */
typedef struct ohc_event27 {
    ohc_event27_kind kind;
    int has_reason; /* 0 when neither the binary data nor the text gives one */
    int reason_from_text; /* the reason came from "Result Code N" in the text, not the binary data */
    uint32_t reason_code;
    int reason_known; /* a KB843483 code */
    const char *reason_text; /* static; "unknown" for an undocumented code, NULL without a reason */
    char oab_name[OHC_EVENT27_OAB_NAME_MAX]; /* UTF-8; "" when none was found */
    uint32_t hrs[OHC_EVENT27_MAX_HRS];
    size_t hr_count;
    int hrs_capped; /* more distinct HRESULTs than OHC_EVENT27_MAX_HRS */
    const char *malformed; /* static reason, NULL when the data is well-formed */
} ohc_event27;

/* Non-zero when rec is an Outlook Event 27 (provider compared ASCII
 * case-insensitively, id without qualifiers). */
int ohc_event27_matches(const ohc_event_record *rec);

/* Decodes rec into *out. Never fails: what cannot be read is absent and, when
 * the data is damaged, named in out->malformed. */
void ohc_event27_decode(ohc_event27 *out, const ohc_event_record *rec);

/* Finds "Result Code N" in text (ASCII case-insensitive, not inside a longer
 * word; ':' '=' or blanks may follow; N decimal or 0x hex, at most 32 bits,
 * ending its word). Returns 1 and *out on the first such, else 0. text may be
 * NULL; reads up to its NUL only. */
int ohc_event27_scan_result_code(uint32_t *out, const char *text);

/* "start", "failure", "info". */
const char *ohc_event27_kind_name(ohc_event27_kind kind);

/* The KB843483 text of a full-download reason, or NULL for an undocumented code. */
const char *ohc_event27_reason_text(uint32_t code);

/* Appends to out[] (capacity cap, *count used) the distinct HRESULTs written
 * as 0x8XXXXXXX in text (exactly 8 hex digits, not inside a longer word or
 * number). Returns non-zero when one did not fit. text may be NULL. */
int ohc_event27_scan_hresults(uint32_t *out, size_t cap, size_t *count, const char *text);

/* The FACTS.md `decoded` object {kind, reason_code, reason_text, reason_known,
 * reason_source ("binary" | "text" | null), oab_name, hrs [{hr, hr_hex, hr_name}], malformed}. Owned by the caller; NULL
 * on no memory. */
cJSON *ohc_event27_to_json(const ohc_event27 *ev);

/* {hr, hr_hex, hr_name} for one HRESULT (hr_name null when not known). Owned
 * by the caller; NULL on no memory. */
cJSON *ohc_event27_hr_to_json(uint32_t hr);

#endif
