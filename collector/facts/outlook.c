#include "outlook.h"

#include <stdio.h>
#include <string.h>

#include "regval.h"

const ohc_outlook_value_def ohc_outlook_rpc_values[] = {
    {"ProxyServerFlags", OHC_REG_DWORD},      {"ProxyServer", OHC_REG_SZ},
    {"ProxyServerPrincipalName", OHC_REG_SZ}, {"ProxyAuthenticationService", OHC_REG_DWORD},
    {"EnableRPCEncryption", OHC_REG_DWORD},   {"DisableRpcTcpFallback", OHC_REG_DWORD},
};
const size_t ohc_outlook_rpc_value_count = sizeof ohc_outlook_rpc_values / sizeof ohc_outlook_rpc_values[0];

const ohc_outlook_value_def ohc_outlook_autodiscover_values[] = {
    {"PreferLocalXML", OHC_REG_DWORD},          {"ExcludeScpLookup", OHC_REG_DWORD},
    {"ExcludeHttpsRootDomain", OHC_REG_DWORD},  {"ExcludeHttpsAutoDiscoverDomain", OHC_REG_DWORD},
    {"ExcludeHttpRedirect", OHC_REG_DWORD},     {"ExcludeSrvRecord", OHC_REG_DWORD},
    {"ExcludeLastKnownGoodURL", OHC_REG_DWORD}, {"ExcludeExplicitO365Endpoint", OHC_REG_DWORD},
};
const size_t ohc_outlook_autodiscover_value_count =
    sizeof ohc_outlook_autodiscover_values / sizeof ohc_outlook_autodiscover_values[0];

const char *const ohc_office_versions[] = {"12.0", "14.0", "15.0", "16.0"};
const size_t ohc_office_version_count = sizeof ohc_office_versions / sizeof ohc_office_versions[0];

const char *ohc_outlook_product_name(const char *version, int msi)
{
    if (version == NULL)
        return NULL;
    if (!strcmp(version, "12.0"))
        return "Outlook 2007";
    if (!strcmp(version, "14.0"))
        return "Outlook 2010";
    if (!strcmp(version, "15.0"))
        return "Outlook 2013";
    if (!strcmp(version, "16.0"))
        return msi ? "Outlook 2016" : "Outlook 2016/2019/2021/365";
    return NULL;
}

/* Bits of ProxyServerFlags (PidTagRpcOverHttpFlags). 0x10, 0x40, 0x80 have no
 * documented meaning: they are reported as unknown_bits, never guessed. */
static const struct {
    uint32_t bit;
    const char *name;
} flag_bits[] = {
    {0x01, "http"}, {0x02, "ssl_only"}, {0x04, "mutual_auth"}, {0x08, "http_first_fast"}, {0x20, "http_first_slow"},
};

cJSON *ohc_outlook_flags_to_json(uint32_t value, const char *source)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "value", value);
    char hex[16];
    snprintf(hex, sizeof hex, "0x%X", (unsigned)value);
    cJSON_AddStringToObject(o, "value_hex", hex);
    if (source != NULL)
        cJSON_AddStringToObject(o, "source", source);
    else
        cJSON_AddNullToObject(o, "source");
    uint32_t known = 0;
    cJSON *names = cJSON_CreateArray();
    for (size_t i = 0; i < sizeof flag_bits / sizeof flag_bits[0]; i++) {
        known |= flag_bits[i].bit;
        cJSON_AddBoolToObject(o, flag_bits[i].name, (value & flag_bits[i].bit) != 0);
        if ((value & flag_bits[i].bit) && names != NULL)
            cJSON_AddItemToArray(names, cJSON_CreateString(flag_bits[i].name));
    }
    cJSON_AddNumberToObject(o, "unknown_bits", value & ~known);
    if (names == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "names", names);
    return o;
}

/* Adds copies of the values of `from` that `into` lacks, each with its source. */
static int merge_from(cJSON *into, const cJSON *from, const char *source)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, from)
    {
        if (v->string == NULL || cJSON_GetObjectItem(into, v->string) != NULL)
            continue; /* value names are case-insensitive, as in the registry */
        cJSON *copy = cJSON_Duplicate(v, 1);
        if (copy == NULL)
            return -1;
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "source");
        cJSON_AddStringToObject(copy, "source", source);
        cJSON_AddItemToObject(into, v->string, copy);
    }
    return 0;
}

cJSON *ohc_outlook_version_to_json(const char *version, cJSON *policy, cJSON *preference, cJSON *autodiscover)
{
    cJSON *o = cJSON_CreateObject();
    if (policy == NULL)
        policy = cJSON_CreateObject();
    if (preference == NULL)
        preference = cJSON_CreateObject();
    if (autodiscover == NULL)
        autodiscover = cJSON_CreateObject();
    cJSON *rpc = cJSON_CreateObject(), *effective = cJSON_CreateObject();
    if (o == NULL || policy == NULL || preference == NULL || autodiscover == NULL || rpc == NULL || effective == NULL ||
        merge_from(effective, policy, "policy") < 0 || merge_from(effective, preference, "preference") < 0) {
        cJSON_Delete(o);
        cJSON_Delete(policy);
        cJSON_Delete(preference);
        cJSON_Delete(autodiscover);
        cJSON_Delete(rpc);
        cJSON_Delete(effective);
        return NULL;
    }
    cJSON_AddStringToObject(o, "version", version);
    const char *product = ohc_outlook_product_name(version, 0);
    if (product != NULL)
        cJSON_AddStringToObject(o, "product", product);
    else
        cJSON_AddNullToObject(o, "product");

    const cJSON *flags = cJSON_GetObjectItem(effective, "ProxyServerFlags");
    cJSON *decoded = NULL;
    char why[160] = "";
    if (flags != NULL) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(flags, "value");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(flags, "type");
        const cJSON *source = cJSON_GetObjectItemCaseSensitive(flags, "source");
        if (cJSON_IsNumber(value) && value->valuedouble >= 0 && value->valuedouble <= 4294967295.0) {
            decoded = ohc_outlook_flags_to_json((uint32_t)value->valuedouble,
                                                cJSON_IsString(source) ? source->valuestring : NULL);
        } else {
            snprintf(why, sizeof why, "ProxyServerFlags in the %s key is %s, not a REG_DWORD: not decoded",
                     cJSON_IsString(source) ? source->valuestring : "?",
                     cJSON_IsString(type) ? type->valuestring : "of no known type");
        }
    }
    /* A policy value hides the user's own: say what it hides, so a finding
     * can tell that the repair is at the GPO, not in the preference key. */
    cJSON *overridden = NULL;
    const cJSON *flags_source = flags ? cJSON_GetObjectItemCaseSensitive(flags, "source") : NULL;
    const cJSON *pref_flags = cJSON_GetObjectItem(preference, "ProxyServerFlags");
    if (cJSON_IsString(flags_source) && strcmp(flags_source->valuestring, "policy") == 0 && pref_flags != NULL) {
        const cJSON *pv = cJSON_GetObjectItemCaseSensitive(pref_flags, "value");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(pref_flags, "type");
        if (cJSON_IsNumber(pv) && cJSON_IsString(pt) && strcmp(pt->valuestring, "REG_DWORD") == 0 &&
            pv->valuedouble >= 0 && pv->valuedouble <= 4294967295.0)
            overridden = ohc_outlook_flags_to_json((uint32_t)pv->valuedouble, "preference");
    }
    cJSON_AddItemToObject(rpc, "policy", policy);
    cJSON_AddItemToObject(rpc, "preference", preference);
    cJSON_AddItemToObject(rpc, "effective", effective);
    cJSON_AddItemToObject(o, "rpc", rpc);
    if (decoded != NULL)
        cJSON_AddItemToObject(o, "proxy_server_flags", decoded);
    else
        cJSON_AddNullToObject(o, "proxy_server_flags");
    if (overridden != NULL)
        cJSON_AddItemToObject(o, "proxy_server_flags_overridden", overridden);
    else
        cJSON_AddNullToObject(o, "proxy_server_flags_overridden");
    if (why[0])
        cJSON_AddStringToObject(o, "proxy_server_flags_error", why);
    else
        cJSON_AddNullToObject(o, "proxy_server_flags_error");
    cJSON_AddItemToObject(o, "autodiscover", autodiscover);

    /* ProxyAuthenticationService: the Outlook Anywhere proxy authentication,
     * whose documented values are those of PidTagRpcOverHttpProxyAuthScheme
     * (1 Basic, 2 NTLM); any other value is reported raw, never named. */
    const cJSON *auth = cJSON_GetObjectItem(effective, "ProxyAuthenticationService");
    const cJSON *auth_value = auth ? cJSON_GetObjectItemCaseSensitive(auth, "value") : NULL;
    const cJSON *auth_type = auth ? cJSON_GetObjectItemCaseSensitive(auth, "type") : NULL;
    if (cJSON_IsNumber(auth_value) && cJSON_IsString(auth_type) && strcmp(auth_type->valuestring, "REG_DWORD") == 0) {
        cJSON *a = cJSON_CreateObject();
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(auth, "source");
        double v = auth_value->valuedouble;
        if (a != NULL) {
            cJSON_AddNumberToObject(a, "value", v);
            cJSON_AddStringToObject(a, "source", cJSON_IsString(src) ? src->valuestring : "");
            if (v == 1)
                cJSON_AddStringToObject(a, "scheme", "basic");
            else if (v == 2)
                cJSON_AddStringToObject(a, "scheme", "ntlm");
            else
                cJSON_AddNullToObject(a, "scheme");
        }
        if (a == NULL || !cJSON_AddItemToObject(o, "proxy_authentication_service", a)) {
            cJSON_Delete(a);
            cJSON_Delete(o);
            return NULL;
        }
    } else {
        cJSON_AddNullToObject(o, "proxy_authentication_service");
    }
    return o;
}

const char *ohc_c2r_channel_name(const char *url)
{
    static const struct {
        const char *guid, *name;
    } channels[] = {
        {"492350f6-3a01-4f97-b9c0-c7c6ddf67d60", "Current"},
        {"64256afe-f5d9-4f86-8936-8840a6a4f5be", "Current (Preview)"},
        {"55336b82-a18d-4dd6-b5f6-9e5095c314a6", "Monthly Enterprise"},
        {"7ffbc6bf-bc32-4f92-8982-f9dd17fd3114", "Semi-Annual Enterprise"},
        {"b8f9b850-328d-4355-9145-c59439a0c4cf", "Semi-Annual Enterprise (Preview)"},
        {"5440fd1f-7ecb-4221-8110-145efaa6372f", "Beta"},
    };
    if (url == NULL)
        return NULL;
    size_t n = strlen(url);
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        size_t g = strlen(channels[i].guid);
        if (n >= g) {
            const char *tail = url + n - g;
            size_t k = 0;
            for (; k < g; k++) {
                char c = tail[k];
                if (c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                if (c != channels[i].guid[k])
                    break;
            }
            if (k == g)
                return channels[i].name;
        }
    }
    return NULL;
}

cJSON *ohc_outlook_policy_wins(cJSON *policy_value, cJSON *preference_value)
{
    cJSON *v = policy_value != NULL ? policy_value : preference_value;
    if (policy_value != NULL)
        cJSON_Delete(preference_value);
    if (v != NULL && cJSON_AddStringToObject(v, "source", policy_value != NULL ? "policy" : "preference") == NULL) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}
