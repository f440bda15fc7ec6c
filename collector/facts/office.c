#include "office.h"

#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "outlook.h"
#include "regval.h"

static void add_or_null(cJSON *o, const char *name, cJSON *item)
{
    if (item != NULL)
        cJSON_AddItemToObject(o, name, item);
    else
        cJSON_AddNullToObject(o, name);
}

/* What a WAM switch says: 0 absent or 0, 1 set to 1, 2 another number, 3 not a REG_DWORD. */
static int wam_switch(const cJSON *regval)
{
    uint32_t v;
    if (regval == NULL)
        return 0;
    if (!ohc_regval_json_dword(&v, regval))
        return 3;
    return v == 0 ? 0 : v == 1 ? 1 : 2;
}

cJSON *ohc_office_identity_to_json(const char *version, cJSON *enable_adal, cJSON *version_value,
                                   cJSON *disable_adal_wam_override, cJSON *disable_aad_wam)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || version == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(enable_adal);
        cJSON_Delete(version_value);
        cJSON_Delete(disable_adal_wam_override);
        cJSON_Delete(disable_aad_wam);
        return NULL;
    }
    uint32_t adal = 0, ver = 0;
    int adal_ok = enable_adal != NULL && ohc_regval_json_dword(&adal, enable_adal);
    int ver_ok = version_value != NULL && ohc_regval_json_dword(&ver, version_value);
    int adal_bad = enable_adal != NULL && !adal_ok, ver_bad = version_value != NULL && !ver_ok;
    const char *state;
    if (!strcmp(version, "12.0") || !strcmp(version, "14.0"))
        state = "unsupported";
    else if (!strcmp(version, "15.0"))
        state = (adal_ok && adal == 1 && ver_ok && ver == 1) ? "on" : (adal_bad || ver_bad) ? "not_decoded" : "off";
    else if (adal_bad)
        state = "not_decoded";
    else if (!adal_ok)
        state = "default_on";
    else
        state = adal == 0 ? "off" : "on";

    const char *wam = NULL;
    if (!strcmp(version, "16.0")) {
        int a = wam_switch(disable_adal_wam_override), b = wam_switch(disable_aad_wam);
        if (a == 1 || b == 1)
            wam = "disabled";
        else if (a == 3 || b == 3)
            wam = "not_decoded";
        else if (a == 2 || b == 2)
            wam = "undocumented_value";
        else
            wam = "default";
    }
    cJSON_AddStringToObject(o, "version", version);
    add_or_null(o, "EnableADAL", enable_adal);
    add_or_null(o, "Version", version_value);
    add_or_null(o, "DisableADALatopWAMOverride", disable_adal_wam_override);
    add_or_null(o, "DisableAADWAM", disable_aad_wam);
    cJSON_AddStringToObject(o, "modern_auth", state);
    if (wam != NULL)
        cJSON_AddStringToObject(o, "wam", wam);
    else
        cJSON_AddNullToObject(o, "wam");
    return o;
}

cJSON *ohc_office_profile_section_to_json(const char *section, cJSON *config_flags)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || section == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(config_flags);
        return NULL;
    }
    cJSON_AddStringToObject(o, "section", section);
    cJSON_AddStringToObject(o, "account_type", "exchange");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(config_flags, "type");
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(config_flags, "raw_hex");
    char why[128] = "";
    uint32_t v = 0;
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "REG_BINARY") != 0) {
        snprintf(why, sizeof why, "00036601 is %s, not a REG_BINARY of 4 bytes: not decoded",
                 cJSON_IsString(type) ? type->valuestring : "unreadable");
    } else if (!cJSON_IsString(hex) || strlen(hex->valuestring) != 8) {
        snprintf(why, sizeof why, "00036601 holds %u bytes, not 4: not decoded",
                 cJSON_IsString(hex) ? (unsigned)(strlen(hex->valuestring) / 2) : 0u);
    } else {
        for (int i = 3; i >= 0; i--) { /* little-endian */
            int hi = ohc_ascii_hex_value(hex->valuestring[2 * i]),
                lo = ohc_ascii_hex_value(hex->valuestring[2 * i + 1]);
            v = (v << 8) | (uint32_t)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
        }
    }
    add_or_null(o, "config_flags", config_flags);
    if (why[0]) {
        cJSON_AddNullToObject(o, "decoded");
        cJSON_AddNullToObject(o, "cached_mode");
        cJSON_AddStringToObject(o, "error", why);
        return o;
    }
    cJSON *d = cJSON_CreateObject();
    if (d == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    char vh[16];
    snprintf(vh, sizeof vh, "0x%X", (unsigned)v);
    cJSON_AddNumberToObject(d, "value", v);
    cJSON_AddStringToObject(d, "value_hex", vh);
    cJSON_AddBoolToObject(d, "cached_mode", (v & OHC_PROFILE_CACHE_PRIVATE) != 0);
    cJSON_AddBoolToObject(d, "cache_public_folders", (v & OHC_PROFILE_CACHE_PUBLIC) != 0);
    /* Other bits have third-party names only: kept as a number, not named. */
    cJSON_AddNumberToObject(d, "other_bits", v & ~(uint32_t)(OHC_PROFILE_CACHE_PRIVATE | OHC_PROFILE_CACHE_PUBLIC));
    cJSON_AddItemToObject(o, "decoded", d);
    cJSON_AddBoolToObject(o, "cached_mode", (v & OHC_PROFILE_CACHE_PRIVATE) != 0);
    cJSON_AddNullToObject(o, "error");
    return o;
}

int ohc_office_trailing_guid(char out[37], const char *s)
{
    static const int dashes[] = {8, 13, 18, 23};
    size_t n = s != NULL ? strlen(s) : 0;
    while (n > 0 && (s[n - 1] == '/' || s[n - 1] == '}'))
        n--; /* "…/<guid>/" and "{<guid>}" */
    if (n < 36)
        return 0;
    const char *g = s + n - 36;
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dashes[d]) {
            if (g[i] != '-')
                return 0;
            d++;
            continue;
        }
        if (ohc_ascii_hex_value(g[i]) < 0)
            return 0;
    }
    for (int i = 0; i < 36; i++)
        out[i] = (g[i] >= 'A' && g[i] <= 'F') ? (char)(g[i] - 'A' + 'a') : g[i];
    out[36] = '\0';
    return 1;
}

cJSON *ohc_c2r_channel_to_json(const char *source, const char *value)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "source", source != NULL ? source : "");
    if (value != NULL)
        cJSON_AddStringToObject(o, "value", value);
    else
        cJSON_AddNullToObject(o, "value");
    char guid[37];
    if (ohc_office_trailing_guid(guid, value)) {
        cJSON_AddStringToObject(o, "guid", guid);
        const char *name = ohc_c2r_channel_name(guid);
        if (name != NULL)
            cJSON_AddStringToObject(o, "name", name);
        else
            cJSON_AddNullToObject(o, "name");
    } else {
        cJSON_AddNullToObject(o, "guid");
        cJSON_AddNullToObject(o, "name");
    }
    return o;
}

void ohc_office_file_version(char *out, size_t size, uint32_t version_ms, uint32_t version_ls)
{
    if (size == 0)
        return;
    snprintf(out, size, "%u.%u.%u.%u", (unsigned)(version_ms >> 16), (unsigned)(version_ms & 0xFFFF),
             (unsigned)(version_ls >> 16), (unsigned)(version_ls & 0xFFFF));
}
