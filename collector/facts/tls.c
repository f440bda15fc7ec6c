#include "tls.h"

#include <stdio.h>
#include <string.h>

#include "regval.h"

const char *const ohc_tls_schannel_protocols[] = {"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"};
const size_t ohc_tls_schannel_protocol_count = sizeof ohc_tls_schannel_protocols / sizeof ohc_tls_schannel_protocols[0];

static const struct {
    uint32_t bit;
    const char *name;
} protocol_bits[] = {
    {OHC_TLS_SSL2, "ssl2"},    {OHC_TLS_SSL3, "ssl3"},    {OHC_TLS_TLS10, "tls1.0"},
    {OHC_TLS_TLS11, "tls1.1"}, {OHC_TLS_TLS12, "tls1.2"}, {OHC_TLS_TLS13, "tls1.3"},
};

cJSON *ohc_tls_protocols_to_json(uint32_t value)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *names = cJSON_CreateArray();
    if (o == NULL || names == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(names);
        return NULL;
    }
    cJSON_AddNumberToObject(o, "value", value);
    char hex[16];
    snprintf(hex, sizeof hex, "0x%X", (unsigned)value);
    cJSON_AddStringToObject(o, "value_hex", hex);
    uint32_t known = 0;
    for (size_t i = 0; i < sizeof protocol_bits / sizeof protocol_bits[0]; i++) {
        known |= protocol_bits[i].bit;
        if (value & protocol_bits[i].bit)
            cJSON_AddItemToArray(names, cJSON_CreateString(protocol_bits[i].name));
    }
    cJSON_AddItemToObject(o, "names", names);
    cJSON_AddBoolToObject(o, "tls12", (value & OHC_TLS_TLS12) != 0);
    cJSON_AddNumberToObject(o, "unknown_bits", value & ~known);
    return o;
}

/* Windows 7 / Server 2008 R2 (6.1) and Server 2012 (6.2): WinHTTP has no
 * TLS 1.2 by default; KB3140245 adds DefaultSecureProtocols. */
static int winhttp_needs_kb3140245(int64_t major, int64_t minor)
{
    return major == 6 && (minor == 1 || minor == 2);
}

/* {value, decoded, tls12} of one view; value is consumed. */
static cJSON *view_to_json(cJSON *value, const char **out_tls12)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) {
        cJSON_Delete(value);
        return NULL;
    }
    uint32_t v;
    const char *tls12;
    if (value == NULL) {
        tls12 = "os_default";
        cJSON_AddNullToObject(o, "value");
        cJSON_AddNullToObject(o, "decoded");
    } else if (ohc_regval_json_dword(&v, value)) {
        tls12 = (v & OHC_TLS_TLS12) ? "set" : "not_set";
        cJSON_AddItemToObject(o, "value", value);
        cJSON *d = ohc_tls_protocols_to_json(v);
        if (d == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, "decoded", d);
    } else {
        tls12 = "not_decoded";
        cJSON_AddItemToObject(o, "value", value);
        cJSON_AddNullToObject(o, "decoded");
    }
    cJSON_AddStringToObject(o, "tls12", tls12);
    *out_tls12 = tls12;
    return o;
}

cJSON *ohc_tls_winhttp_to_json(cJSON *view64, cJSON *view32, int64_t major, int64_t minor, int64_t build)
{
    cJSON *o = cJSON_CreateObject(), *win = cJSON_CreateObject(), *views = cJSON_CreateObject();
    const char *t64 = NULL, *t32 = NULL;
    cJSON *v64 = view_to_json(view64, &t64), *v32 = view_to_json(view32, &t32);
    if (o == NULL || win == NULL || views == NULL || v64 == NULL || v32 == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(win);
        cJSON_Delete(views);
        cJSON_Delete(v64);
        cJSON_Delete(v32);
        return NULL;
    }
    if (major >= 0)
        cJSON_AddNumberToObject(win, "major", (double)major);
    else
        cJSON_AddNullToObject(win, "major");
    if (minor >= 0)
        cJSON_AddNumberToObject(win, "minor", (double)minor);
    else
        cJSON_AddNullToObject(win, "minor");
    if (build >= 0)
        cJSON_AddNumberToObject(win, "build", (double)build);
    else
        cJSON_AddNullToObject(win, "build");
    cJSON_AddItemToObject(o, "windows", win);
    cJSON_AddItemToObject(views, "64", v64);
    cJSON_AddItemToObject(views, "32", v32);
    cJSON_AddItemToObject(o, "views", views);

    int no_default = winhttp_needs_kb3140245(major, minor);
    const char *all;
    const char *t[2] = {t64, t32};
    int yes = 1, no = 0;
    for (int i = 0; i < 2; i++) {
        if (strcmp(t[i], "set") != 0)
            yes = 0;
        if (!strcmp(t[i], "not_set") || (!strcmp(t[i], "os_default") && no_default))
            no = 1;
    }
    all = no ? "no" : yes ? "yes" : "unknown";
    cJSON_AddStringToObject(o, "tls12_all_views", all);
    cJSON_AddStringToObject(o, "os_default", no_default ? "no_tls12" : "undocumented");
    if (no_default)
        cJSON_AddStringToObject(o, "update", "KB3140245");
    else
        cJSON_AddNullToObject(o, "update");
    return o;
}

cJSON *ohc_tls_schannel_client_to_json(const char *protocol, int key_present, cJSON *enabled,
                                       cJSON *disabled_by_default, int64_t major, int64_t minor)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) {
        cJSON_Delete(enabled);
        cJSON_Delete(disabled_by_default);
        return NULL;
    }
    cJSON_AddStringToObject(o, "protocol", protocol);
    cJSON_AddBoolToObject(o, "key_present", key_present);
    uint32_t en = 0, dbd = 0;
    int en_ok = enabled != NULL && ohc_regval_json_dword(&en, enabled);
    int dbd_ok = disabled_by_default != NULL && ohc_regval_json_dword(&dbd, disabled_by_default);
    const char *state;
    if ((enabled != NULL && !en_ok) || (disabled_by_default != NULL && !dbd_ok))
        state = "wrong_type";
    else if (enabled == NULL && disabled_by_default == NULL)
        state = "os_default";
    else if (en_ok && en == 0)
        state = "disabled";
    else if (en_ok && dbd_ok)
        state = dbd == 0 ? "enabled" : "disabled_by_default";
    else
        state = "undocumented";
    if (enabled != NULL)
        cJSON_AddItemToObject(o, "Enabled", enabled);
    else
        cJSON_AddNullToObject(o, "Enabled");
    if (disabled_by_default != NULL)
        cJSON_AddItemToObject(o, "DisabledByDefault", disabled_by_default);
    else
        cJSON_AddNullToObject(o, "DisabledByDefault");
    cJSON_AddStringToObject(o, "state", state);
    /* Documented only for Windows 7: TLS 1.1 and 1.2 are not enabled by default. */
    int win7 = major == 6 && minor == 1;
    if (win7 && protocol != NULL && (!strcmp(protocol, "TLS 1.1") || !strcmp(protocol, "TLS 1.2")))
        cJSON_AddFalseToObject(o, "os_default_enabled");
    else
        cJSON_AddNullToObject(o, "os_default_enabled");
    return o;
}
