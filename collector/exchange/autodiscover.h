/* Outlook's cached Autodiscover answers (POX, [MS-OXDSCLI]), read from the
 * files Outlook keeps in each user's profile: untrusted bytes, since the
 * user (or anything running as the user) can write them.
 *
 * The XML is read by collector/base/xml.h with the bounds below; elements
 * are matched on their local names, so either namespace spelling (http/https,
 * a prefix or none) is read. Facts are raw strings as the server sent them,
 * plus ServerVersion decoded. The v2 JSON answers (Outlook 16 folder) keep
 * their Protocol and Url. */
#ifndef OHC_AUTODISCOVER_H
#define OHC_AUTODISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

#define OHC_AUTODISCOVER_MAX_BYTES (1024u * 1024u) /* a real answer is some KB */
#define OHC_AUTODISCOVER_MAX_ELEMENTS 10000u
#define OHC_AUTODISCOVER_MAX_DEPTH 16u
#define OHC_AUTODISCOVER_MAX_ATTRS 16u
#define OHC_AUTODISCOVER_MAX_VALUE 4096u /* bytes of one attribute or text, decoded */
#define OHC_AUTODISCOVER_MAX_NAME 128u
#define OHC_AUTODISCOVER_MAX_PROTOCOLS 32u
#define OHC_AUTODISCOVER_MAX_OTHER 32u /* unknown Protocol children kept raw, per protocol */
#define OHC_AUTODISCOVER_MAX_FILES 64u /* per folder read */

/* One cached POX answer as facts (*out new, caller owns):
 * {user {display_name, legacy_dn, deployment_id, smtp_address},
 *  account {account_type, action, microsoft_online, redirect_url, redirect_addr},
 *  protocols [{type, version, server, server_dn, server_version,
 *    server_version_decoded, mdb_dn, public_folder_server, as_url, ews_url,
 *    oof_url, oab_url, ecp_url, auth_package, cert_principal_name, ssl,
 *    internal {owa_urls [{url, authentication_method}], mailstore_url,
 *    addressbook_url}, external {...}, other {Name: text}}],
 *  oab_urls [..], error {code, message, time, id, debug_data} | null}.
 * Absent elements are absent members. OHC_OK, or OHC_EMALFORMED / OHC_ELIMIT
 * / OHC_ENOMEM with err->message naming doc_name, line and column; *out is
 * NULL then. */
int ohc_autodiscover_parse(cJSON **out, const char *data, size_t len, const char *doc_name, ohc_error *err);

/* An Autodiscover v2 JSON answer {"Protocol": ..., "Url": ...} as facts
 * {protocol, url}; other members ignored. Same contract as above. */
int ohc_autodiscover_v2_parse(cJSON **out, const char *data, size_t len, const char *doc_name, ohc_error *err);

/* "15.1.2507" from ServerVersion's 8 hex digits ("73C18A9B"): major
 * (v>>22)&0x3F, minor (v>>16)&0x3F, build v&0x7FFF. 0 and "" on anything else. */
int ohc_autodiscover_server_version(char *out, size_t size, const char *hex);

/* The cache of one user profile, read from its local application data
 * folder (%LOCALAPPDATA%): the folders Outlook writes answers to, per the
 * note exchange-client.md (<L>\Microsoft\Outlook\*Autodiscover.xml,
 * <L>\Microsoft\Outlook\16\*.xml and *.json, <L>\Microsoft\Outlook\16\AutoDiscover\*.xml).
 * Adds to `profile` (a JSON object): folders [{path, status: "read" |
 * "absent" | "error", error, files, capped}] and files [{path, modified,
 * age_days, size, format: "pox" | "v2", status: "ok" | "error", error,
 * answer}] where answer is what the parsers above made. now_ms is the
 * collection time. Returns the count of files that could not be read or
 * parsed (each recorded with its reason), -1 without memory. */
int ohc_autodiscover_scan_profile(cJSON *profile, const char *local_appdata, int64_t now_ms);

/* The probe's facts from per-profile objects the OS half filled with
 * ohc_autodiscover_scan_profile ({user, sid, source, local_appdata, folders,
 * files}): adds "responses", one flat entry per file read with its user,
 * (its smtp_address and smtp_domain from the answer, "exchange_version" {server_version, decoded,
 * major, minor, build, protocol} from the EXCH protocol's ServerVersion, else the first that
 * decodes, or null, and "expr_auth_package", the EXPR AuthPackage or null),
 * and "oab_urls", the distinct OABUrl values, for rules and the OAB check.
 * `outlook` is the outlook probe's facts (may be NULL): each response of a
 * user whose Outlook registry carries Outlook Anywhere values gains
 * "registry" {ProxyServer, ProxyServerPrincipalName, principal_name_source (policy |
 * preference), mutual_auth,
 * MapiHttpDisabled, source version} and "cert_principal_name_mismatch"
 * (true when mutual authentication is on and the registry's principal name
 * is not msstd:<EXPR CertPrincipalName>). -1 without memory. */
int ohc_autodiscover_summarise(cJSON *facts, const cJSON *outlook);

#endif
