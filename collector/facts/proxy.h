/* The `proxy` probe's portable half: the WinHttpSettings and
 * DefaultConnectionSettings blobs, proxy lists, credential masking, and the
 * comparisons that make a WinHTTP / user proxy difference visible.
 * win32/probe_proxy.c reads the registry, WinHTTP and the network; everything
 * it reads is decoded and judged here, where native tests reach it. */
#ifndef OHC_PROXY_H
#define OHC_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

/* Which blob: WinHTTP's (HKLM ...\Connections\WinHttpSettings) ends after the
 * bypass list; WinINet's (HKU\<SID>\...\Connections\DefaultConnectionSettings)
 * continues with the PAC URL. */
typedef enum ohc_proxy_blob_kind { OHC_BLOB_WINHTTP, OHC_BLOB_WININET } ohc_proxy_blob_kind;

/* Flag bits of both blobs (INTERNET_PER_CONN_FLAGS). */
enum {
    OHC_PROXY_FLAG_DIRECT = 0x1,
    OHC_PROXY_FLAG_PROXY = 0x2,
    OHC_PROXY_FLAG_AUTO_PROXY_URL = 0x4,
    OHC_PROXY_FLAG_AUTO_DETECT = 0x8
};

/* A decoded blob. Strings are owned by the struct (UTF-8, NULL when absent);
 * release with ohc_proxy_blob_free. When malformed, the fields decoded before
 * the fault are kept and reason says where it went wrong. */
typedef struct ohc_proxy_blob {
    int present; /* the value exists */
    int malformed; /* it does not parse; reason says why */
    char reason[160];
    uint32_t version, counter, flags;
    int have_header; /* version, counter and flags were read */
    char *proxy, *bypass, *pac_url;
} ohc_proxy_blob;

/* Decodes len bytes of blob (data may be NULL when the value is absent:
 * present = 0). Never reads outside [data, data + len). Returns OHC_OK, or
 * OHC_ENOMEM (blob left freeable). A malformed blob is OHC_OK with
 * out->malformed set. */
int ohc_proxy_blob_decode(ohc_proxy_blob *out, const uint8_t *data, size_t len, ohc_proxy_blob_kind kind);
void ohc_proxy_blob_free(ohc_proxy_blob *blob);

/* The blob as facts (caller owns; NULL on no memory): {present, malformed,
 * reason, version, counter, flags, flag_names [], unknown_flags, proxy,
 * bypass, [pac_url], raw_hex}. raw_hex: the bytes as read (at most 1 KiB). */
cJSON *ohc_proxy_blob_to_json(const ohc_proxy_blob *blob, const uint8_t *data, size_t len, ohc_proxy_blob_kind kind);

/* Copies url into out (size bytes, always terminated) with any user:password
 * (the userinfo before '@' in the authority) replaced by "***", so that
 * credentials never reach a report. Returns 1 when something was masked. */
int ohc_proxy_mask_credentials(char *out, size_t size, const char *url);

/* One host:port to try. */
typedef struct ohc_proxy_endpoint {
    char host[256]; /* no brackets for IPv6 */
    uint16_t port;
} ohc_proxy_endpoint;

/* Parses a WinHTTP / WinINet proxy list ("proxy:8080", "http=a:80;https=b:443",
 * "http://user:pw@p:3128/") and appends the endpoints not already in
 * out[0..*count) (case-insensitive), up to max. No port means 80. Entries
 * that do not parse are counted in *out_invalid (may be NULL). Returns the
 * number of endpoints that did not fit (0 when all did). */
size_t ohc_proxy_list_parse(ohc_proxy_endpoint *out, size_t *count, size_t max, const char *list, size_t *out_invalid);

/* WinHTTP's access types, as numbers (winhttp.h). */
enum {
    OHC_WINHTTP_ACCESS_DEFAULT = 0,
    OHC_WINHTTP_ACCESS_NO_PROXY = 1,
    OHC_WINHTTP_ACCESS_NAMED = 3,
    OHC_WINHTTP_ACCESS_AUTOMATIC = 4
};
/* "no_proxy", "named_proxy", "default_proxy", "automatic_proxy", or NULL for another number. */
const char *ohc_winhttp_access_name(uint32_t access_type);

/* The machine WinHTTP proxy string in effect according to the registry blob,
 * or NULL when direct (absent, malformed, no proxy flag or an empty list). */
const char *ohc_proxy_blob_winhttp_proxy(const ohc_proxy_blob *blob);

/* 1 when what the WinHTTP API returned (api_ok = 0: it failed, and nothing
 * is compared) and what the registry blob holds disagree: one says proxy and
 * the other not, or the proxy or bypass lists differ (case-insensitive). */
int ohc_proxy_winhttp_differ(int api_ok, uint32_t access_type, const char *api_proxy, const char *api_bypass,
                             const ohc_proxy_blob *blob);

/* 1 when a user's WinINet settings would take another way out than the
 * WinHTTP proxy: a different proxy (enabled and non-empty) or a PAC URL while
 * WinHTTP is direct. winhttp_proxy is NULL/"" for direct. Auto-detect alone
 * is not counted: it is Windows' default and says nothing about a proxy. */
int ohc_proxy_user_differs(const char *winhttp_proxy, int proxy_enable, const char *proxy_server,
                           const char *auto_config_url);

/* What the OS half read of one user's Internet Settings. The four values
 * are registry-value objects (ohc_regval_to_json's form) or NULL when
 * absent; they are consumed. connections is the DefaultConnectionSettings
 * blob (NULL when absent), connections_error why it could not be read
 * (NULL: read, or absent). */
typedef struct ohc_proxy_user_values {
    cJSON *proxy_enable, *proxy_server, *proxy_override, *auto_config_url;
    const uint8_t *connections;
    size_t connections_len;
    const char *connections_error;
} ohc_proxy_user_values;

/* What the caller needs back to test the user's proxies (borrowed from u):
 * the ProxyServer value and the blob's proxy list, NULL when absent. */
typedef struct ohc_proxy_user_proxies {
    const char *proxy_server;
    const char *blob_proxy;
} ohc_proxy_user_proxies;

/* Adds one user's proxy facts to u (the user's object): proxy_enable,
 * proxy_server, proxy_override, auto_config_url (the value when of the right
 * type, else null and the raw value under wrong_type_values), auto_detect,
 * connection_settings (the blob's facts) and differs_from_winhttp (against
 * winhttp_proxy, NULL for direct). Returns 1 when the user's proxy differs
 * from WinHTTP's, 0 when not, -1 without memory. */
int ohc_proxy_user_facts(cJSON *u, ohc_proxy_user_values *in, const char *winhttp_proxy,
                         ohc_proxy_user_proxies *out_proxies);

/* Copies to each user of the proxy facts (facts.users[]) the connect tests
 * of the proxies that user's settings name (facts.reachability entries whose
 * sources hold "user:<sid>"), as `proxy_reachability` [] {proxy, reachable,
 * error, error_code}, and `proxy_in_use` (bool: ProxyEnable is 1 and a
 * ProxyServer is set, or the DefaultConnectionSettings blob has the proxy
 * flag and a list). Returns 0, or -1 without memory. */
int ohc_proxy_attach_user_reachability(cJSON *facts);

/* 1 when a WinINet bypass list (ProxyOverride: entries separated by ';', ','
 * or blanks) sends host (no brackets, any case) directly: an entry equal to
 * the host or matching it with '*' wildcards ("*.contoso.com", "10.*"; a bare
 * name is that host alone, not the names below it), or "<local>" for a name
 * without a dot. An entry with a scheme ("https://host") is compared without
 * it; one with a port ("host:443") only when port is that port. 0 when not,
 * also for a NULL or empty list. */
int ohc_proxy_bypass_matches(const char *list, const char *host, unsigned port);

#endif
