/* Names of the HRESULTs ohc meets: BITS (BG_E_*, including 0x80190000 + HTTP
 * status), MAPI (MAPI_E_*), WinHTTP and common Win32 errors as HRESULTs, COM,
 * Schannel and certificate errors. Portable: probes, event decoders and rules
 * all name codes through this one table, so the report says
 * "BG_E_HTTP_ERROR_404" the same way wherever 0x80190194 appears.
 *
 * A code that is not in the table has no name (NULL): nothing is guessed.
 * Every string returned here is static; nothing is allocated except the JSON
 * objects of ohc_hresult_to_json, which the caller owns. */
#ifndef OHC_HRESULT_NAMES_H
#define OHC_HRESULT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

typedef struct ohc_hresult_entry {
    uint32_t hr;
    const char *name; /* "BG_E_HTTP_ERROR_404" */
    const char *text; /* short English description, or NULL */
} ohc_hresult_entry;

/* The symbolic name of hr ("BG_E_HTTP_ERROR_404", "MAPI_E_NOT_FOUND",
 * "E_ACCESSDENIED"), or NULL when ohc does not know it. */
const char *ohc_hresult_name(uint32_t hr);

/* A short English description of hr, or NULL when ohc has none. For a BITS
 * HTTP code that has no BG_E_ constant (0x801901A2, HTTP 418) this is NULL
 * too: use ohc_hresult_http_status. */
const char *ohc_hresult_text(uint32_t hr);

/* The HTTP status carried by a BITS HTTP error (0x80190000 + status, status
 * 100..599), or 0 when hr is not one. */
unsigned ohc_hresult_http_status(uint32_t hr);

/* "0x80190194": always 10 characters, upper-case hex digits. */
void ohc_hresult_hex(char out[11], uint32_t hr);

/* Reads an HRESULT written as hex with its prefix ("0x80190194"), as
 * unsigned decimal ("2149122452") or as signed decimal ("-2145844844", how
 * event data often renders it). Digits without "0x" are decimal: guessing
 * would misread "80190194". Surrounding blanks are allowed, nothing else.
 * OHC_OK, or OHC_EMALFORMED / OHC_ELIMIT (out of 32-bit range); *out is
 * written only on success. */
int ohc_hresult_parse(uint32_t *out, const char *text);

/* Adds the members "hr" (number), "hr_hex" and "hr_name" (string or null) to
 * obj, the way FACTS.md spells an HRESULT. OHC_OK or OHC_ENOMEM. */
int ohc_hresult_add_json(cJSON *obj, uint32_t hr);

/* A new object {hr, hr_hex, hr_name} (caller owns), or NULL on no memory. */
cJSON *ohc_hresult_to_json(uint32_t hr);

/* The whole table, sorted by hr, unique (static; for tests and `ohc` help). */
const ohc_hresult_entry *ohc_hresult_table(size_t *out_count);

#endif
