/* The `outlook` probe's portable half: Office version names, the RPC
 * (Outlook Anywhere) values of the policy and preference keys merged into the
 * effective ones (policy wins), ProxyServerFlags decoded, and Click-to-Run
 * channel names. win32/probe_outlook.c reads the registry and hands the
 * values here as ohc_regval_to_json objects. */
#ifndef OHC_OUTLOOK_H
#define OHC_OUTLOOK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The RPC key values ohc reads, in report order, and their expected types. */
typedef struct ohc_outlook_value_def {
    const char *name;
    uint32_t expected_type; /* OHC_REG_DWORD or OHC_REG_SZ */
} ohc_outlook_value_def;
extern const ohc_outlook_value_def ohc_outlook_rpc_values[];
extern const size_t ohc_outlook_rpc_value_count;
/* The Autodiscover override values (all REG_DWORD). */
extern const ohc_outlook_value_def ohc_outlook_autodiscover_values[];
extern const size_t ohc_outlook_autodiscover_value_count;

/* Office versions ohc looks for ("12.0", "14.0", "15.0", "16.0"). */
extern const char *const ohc_office_versions[];
extern const size_t ohc_office_version_count;

/* "Outlook 2010" for "14.0"; for "16.0" an MSI install is Outlook 2016 while a
 * user's settings may come from 2016, 2019, 2021 or Microsoft 365. NULL for an
 * unknown version. Static string. */
const char *ohc_outlook_product_name(const char *version, int msi);

/* ProxyServerFlags as facts (caller owns; NULL on no memory):
 * {value, source, http, ssl_only, mutual_auth, http_first_fast,
 *  http_first_slow, unknown_bits, names []}. source may be NULL. */
cJSON *ohc_outlook_flags_to_json(uint32_t value, const char *source);

/* One Office version of one user, as facts (caller owns; NULL on no memory).
 * policy, preference and autodiscover are objects {ValueName: regval} (NULL =
 * empty); they are consumed (moved into the result, or freed). Builds
 * {version, product, rpc {policy, preference, effective}, proxy_server_flags,
 * proxy_server_flags_error, autodiscover}: effective takes each value from the
 * policy key when it is there, else from the preference key, and says which;
 * proxy_server_flags decodes the effective ProxyServerFlags when it is a
 * number, and proxy_server_flags_error says why not when it is not;
 * proxy_server_flags_overridden decodes the preference key's REG_DWORD
 * ProxyServerFlags that a policy value hides (else null);
 * proxy_authentication_service is the effective REG_DWORD
 * ProxyAuthenticationService {value, source, scheme: "basic" (1) | "ntlm" (2)
 * | null for a value with no documented meaning}, else null. */
/* Which value applies: the policy key's when it is set there (Group Policy
 * wins over the user's preference), else the preference key's; it gains
 * "source": "policy" or "preference". Both are consumed (NULL allowed);
 * NULL when neither is set. */
cJSON *ohc_outlook_policy_wins(cJSON *policy_value, cJSON *preference_value);

cJSON *ohc_outlook_version_to_json(const char *version, cJSON *policy, cJSON *preference, cJSON *autodiscover);

/* The update channel's name for a Click-to-Run CDNBaseUrl / UpdateChannel
 * value (it ends in a channel GUID), or NULL when the GUID is not one ohc knows. */
const char *ohc_c2r_channel_name(const char *url);

#endif
