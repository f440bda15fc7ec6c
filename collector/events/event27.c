#include "event27.h"

#include "ascii.h"
#include "hresult_names.h"
#include "utf16.h"

#include <stdio.h>
#include <string.h>

/* KB843483, "full OAB download" reasons 1..0x0E. */
static const char *const reasons[] = {
    NULL,
    "No OAB files on the client, or they cannot be opened",
    "A full download was forced manually",
    "The client could not get the OAB name (new profile)",
    "The client could not get the OAB GUID",
    "The OAB name is missing on the server",
    "The OAB GUID is missing on the server",
    "The server's and the client's OAB names differ",
    "The server's and the client's OAB GUIDs differ (OAB regenerated, or the user moved forest)",
    "The client's sequence number is higher than the server's",
    "A detailed OAB is wanted but only a no-details OAB is present",
    "A .diff file is missing on the server",
    "The .diff files would exceed 1/8 of the full OAB",
    "\"Allow SRS Full OAB Download\" with a Send/Receive full download",
    "The OAB locale is not installed and a full download was made manually",
};

const char *ohc_event27_reason_text(uint32_t code)
{
    return code < sizeof reasons / sizeof reasons[0] ? reasons[code] : NULL;
}

const char *ohc_event27_kind_name(ohc_event27_kind kind)
{
    switch (kind) {
    case OHC_EVENT27_START: return "start";
    case OHC_EVENT27_FAILURE: return "failure";
    case OHC_EVENT27_INFO: return "info";
    }
    return "info";
}

int ohc_event27_matches(const ohc_event_record *rec)
{
    return rec != NULL && rec->provider != NULL && rec->event_id == OHC_EVENT27_ID &&
           ohc_ascii_ieq(rec->provider, OHC_EVENT27_PROVIDER);
}

static int is_word_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int ohc_event27_scan_hresults(uint32_t *out, size_t cap, size_t *count, const char *text)
{
    int capped = 0;
    if (text == NULL)
        return 0;
    for (const char *p = text; *p; p++) {
        if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || (p > text && is_word_char(p[-1])))
            continue;
        uint32_t v = 0;
        int n = 0;
        /* The loop stops at the NUL, so it never reads past the string. */
        while (n < 9 && ohc_ascii_hex_value(p[2 + n]) >= 0)
            v = (v << 4) | (uint32_t)ohc_ascii_hex_value(p[2 + n++]);
        if (n != 8 || is_word_char(p[10]) || (v & 0x80000000u) == 0)
            continue;
        int seen = 0;
        for (size_t i = 0; i < *count; i++)
            seen |= out[i] == v;
        if (seen)
            continue;
        if (*count < cap)
            out[(*count)++] = v;
        else
            capped = 1;
    }
    return capped;
}

/* A code unit that may appear in a name: printable, not a control, not a
 * noncharacter. Surrogates are checked as pairs by the caller. */
static int name_unit(uint16_t u)
{
    return (u >= 0x20 && u < 0x7F) || (u >= 0xA0 && u < 0xFFFE);
}

static int ascii_letter(uint16_t u)
{
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

static uint16_t unit_at(const uint8_t *d, size_t off)
{
    return (uint16_t)(d[off] | (d[off + 1] << 8));
}

/* Finds the first run of >= 3 name units at an even offset from `from` that
 * holds an ASCII letter, and decodes it into dst (a name longer than dst is
 * cut after its last whole character). Returns 1 when found and terminated,
 * 2 when found but the data ends before its NUL, 0 when there is none. */
static int find_utf16_name(char *dst, size_t size, const uint8_t *d, size_t len, size_t from)
{
    size_t even_len = len & ~(size_t)1;
    for (size_t start = from; start + 6 <= even_len; start += 2) {
        size_t off = start, units = 0;
        int letters = 0;
        while (off + 2 <= even_len) {
            uint16_t u = unit_at(d, off);
            size_t step = 2;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (off + 4 > even_len)
                    break;
                uint16_t lo = unit_at(d, off + 2);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    break;
                step = 4;
            } else if ((u >= 0xDC00 && u <= 0xDFFF) || !name_unit(u)) {
                break;
            }
            letters |= ascii_letter(u);
            units++;
            off += step;
        }
        if (units >= 3 && letters) {
            int terminated = off + 2 <= even_len && unit_at(d, off) == 0;
            if (terminated || off + 2 > even_len) {
                /* Only name units and whole pairs: the decoder has nothing to replace. */
                ohc_utf16le_decode(dst, size, NULL, d + start, off - start, 0);
                return terminated ? 1 : 2;
            }
        }
        /* Not a name here: continue after this run rather than inside it. */
        if (units > 0)
            start = off - 2;
    }
    dst[0] = '\0';
    return 0;
}

int ohc_event27_scan_result_code(uint32_t *out, const char *text)
{
    static const char key[] = "result code";
    const size_t key_len = sizeof key - 1;
    for (const char *p = text; p != NULL && *p; p++) {
        if (ohc_ascii_strncasecmp(p, key, key_len) != 0 || (p > text && is_word_char(p[-1])))
            continue;
        const char *q = p + key_len;
        while (*q == ' ' || *q == '\t' || *q == ':' || *q == '=')
            q++;
        int hex = q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
        if (hex)
            q += 2;
        uint64_t v = 0;
        size_t digits = 0;
        for (;; q++, digits++) {
            int d = hex ? ohc_ascii_hex_value(*q) : (*q >= '0' && *q <= '9' ? *q - '0' : -1);
            if (d < 0)
                break;
            v = v * (hex ? 16u : 10u) + (uint64_t)d;
            if (v > 0xFFFFFFFFu)
                break;
        }
        /* A number that ends the word, fits in 32 bits and has digits. */
        if (digits == 0 || v > 0xFFFFFFFFu || is_word_char(*q))
            continue;
        *out = (uint32_t)v;
        return 1;
    }
    return 0;
}

void ohc_event27_decode(ohc_event27 *out, const ohc_event_record *rec)
{
    memset(out, 0, sizeof *out);
    switch (rec->level) {
    case 0:
    case 4: out->kind = OHC_EVENT27_START; break;
    case 1:
    case 2:
    case 3: out->kind = OHC_EVENT27_FAILURE; break;
    default: out->kind = OHC_EVENT27_INFO; break;
    }

    const uint8_t *d = rec->binary;
    size_t len = d != NULL ? rec->binary_len : 0;
    if (d == NULL || len == 0) {
        out->malformed = "no binary data";
    } else if (len < 4) {
        out->malformed = "binary data shorter than 4 bytes: no reason code";
    } else {
        out->has_reason = 1;
        out->reason_code = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
        out->reason_text = ohc_event27_reason_text(out->reason_code);
        out->reason_known = out->reason_text != NULL;
        if (!out->reason_known)
            out->reason_text = "unknown";
        int found = find_utf16_name(out->oab_name, sizeof out->oab_name, d, len, 4);
        if (found == 2)
            out->malformed = "OAB name not terminated before the end of the binary data";
        else if (len % 2 != 0)
            out->malformed = "binary data has an odd length";
    }

    /* No reason in binary data: the text may say "Result Code 2" (English
     * descriptions; a localized one gives nothing, never a guess). */
    if (!out->has_reason) {
        uint32_t code = 0;
        int found = 0;
        for (size_t i = 0; !found && i < rec->value_count; i++)
            found = ohc_event27_scan_result_code(&code, rec->values[i].value);
        if (!found)
            found = ohc_event27_scan_result_code(&code, rec->message);
        if (found) {
            out->has_reason = 1;
            out->reason_from_text = 1;
            out->reason_code = code;
            out->reason_text = ohc_event27_reason_text(code);
            out->reason_known = out->reason_text != NULL;
            if (!out->reason_known)
                out->reason_text = "unknown";
        }
    }

    for (size_t i = 0; i < rec->value_count; i++)
        out->hrs_capped |=
            ohc_event27_scan_hresults(out->hrs, OHC_EVENT27_MAX_HRS, &out->hr_count, rec->values[i].value);
    out->hrs_capped |= ohc_event27_scan_hresults(out->hrs, OHC_EVENT27_MAX_HRS, &out->hr_count, rec->message);
}

cJSON *ohc_event27_hr_to_json(uint32_t hr)
{
    return ohc_hresult_to_json(hr);
}

cJSON *ohc_event27_to_json(const ohc_event27 *ev)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    int ok = cJSON_AddStringToObject(o, "kind", ohc_event27_kind_name(ev->kind)) != NULL;
    if (ev->has_reason) {
        ok &= cJSON_AddNumberToObject(o, "reason_code", ev->reason_code) != NULL;
        ok &= cJSON_AddStringToObject(o, "reason_text", ev->reason_text) != NULL;
    } else {
        ok &= cJSON_AddNullToObject(o, "reason_code") != NULL;
        ok &= cJSON_AddNullToObject(o, "reason_text") != NULL;
    }
    ok &= cJSON_AddBoolToObject(o, "reason_known", ev->reason_known) != NULL;
    ok &= (ev->has_reason ? cJSON_AddStringToObject(o, "reason_source", ev->reason_from_text ? "text" : "binary")
                          : cJSON_AddNullToObject(o, "reason_source")) != NULL;
    if (ev->oab_name[0])
        ok &= cJSON_AddStringToObject(o, "oab_name", ev->oab_name) != NULL;
    else
        ok &= cJSON_AddNullToObject(o, "oab_name") != NULL;
    cJSON *hrs = cJSON_AddArrayToObject(o, "hrs");
    ok &= hrs != NULL;
    for (size_t i = 0; ok && i < ev->hr_count; i++) {
        cJSON *h = ohc_event27_hr_to_json(ev->hrs[i]);
        ok &= h != NULL && cJSON_AddItemToArray(hrs, h);
    }
    if (ev->malformed)
        ok &= cJSON_AddStringToObject(o, "malformed", ev->malformed) != NULL;
    else
        ok &= cJSON_AddNullToObject(o, "malformed") != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
