/* The `tls` probe's portable half: WinHTTP's DefaultSecureProtocols (both
 * registry views) and the SCHANNEL client protocol keys as facts, with the
 * Windows version they apply to, so that "absent" can be read as the OS
 * default where Microsoft documents that default, and is said to be
 * undocumented where it does not.
 *
 * Sources (../shared/notes/exchange-client.md section 4): windowsserverdocs
 * networking/configure-secure-protocol-options-winhttp.md (the bitmap, both
 * views, KB3140245 on Windows 7 SP1 / 2008 R2 / 2012),
 * security/tls/tls-registry-settings.md (Enabled / DisabledByDefault; Windows 7
 * ships TLS 1.1 and 1.2 not enabled by default). The regval objects handed in
 * come from ohc_regval_to_json. */
#ifndef OHC_TLS_H
#define OHC_TLS_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* DefaultSecureProtocols bits (WINHTTP_FLAG_SECURE_PROTOCOL_*). */
enum {
    OHC_TLS_SSL2 = 0x8,
    OHC_TLS_SSL3 = 0x20,
    OHC_TLS_TLS10 = 0x80,
    OHC_TLS_TLS11 = 0x200,
    OHC_TLS_TLS12 = 0x800,
    OHC_TLS_TLS13 = 0x2000
};

/* The SCHANNEL protocol subkeys ohc reads ("TLS 1.0" ... "TLS 1.3"). */
extern const char *const ohc_tls_schannel_protocols[];
extern const size_t ohc_tls_schannel_protocol_count;

/* A DefaultSecureProtocols number as facts (caller owns; NULL on no memory):
 * {value, value_hex, names [], tls12, unknown_bits}. */
cJSON *ohc_tls_protocols_to_json(uint32_t value);

/* WinHTTP's DefaultSecureProtocols as facts (caller owns; NULL on no memory).
 * view64 and view32 are the values of the 64-bit and 32-bit (Wow6432Node)
 * registry views (regval objects, NULL = absent); both are consumed. major,
 * minor, build: the Windows version (negative = unknown). Builds
 * {windows {major, minor, build}, views {"64": {value, decoded, tls12}, "32":
 * ...}, tls12_all_views, os_default, update}: tls12 per view is "set" (the bit
 * is in the value), "not_set" (a value without it), "os_default" (absent) or
 * "not_decoded" (wrong type or size: the raw bytes are in value); os_default
 * is "no_tls12" on Windows 7 / 2008 R2 (6.1) and 2012 (6.2), where TLS 1.2
 * needs KB3140245 and the value, else "undocumented"; update names that KB or
 * is null; tls12_all_views is "yes" when every view has the bit set, "no" when
 * some view is not_set, or os_default where the default has no TLS 1.2, else
 * "unknown". */
cJSON *ohc_tls_winhttp_to_json(cJSON *view64, cJSON *view32, int64_t major, int64_t minor, int64_t build);

/* One SCHANNEL protocol's Client key as facts (caller owns; NULL on no
 * memory). enabled and disabled_by_default are regval objects (NULL =
 * absent), consumed. {protocol, key_present, Enabled, DisabledByDefault,
 * state}: state is "enabled" (Enabled non-zero and DisabledByDefault 0),
 * "disabled_by_default" (both non-zero), "disabled" (Enabled 0),
 * "os_default" (neither value), "wrong_type" (either value not a REG_DWORD of
 * 4 bytes) or "undocumented" (one value only, a combination Microsoft's table
 * does not describe). os_default_enabled is false for TLS 1.1 and 1.2 on
 * Windows 7 (6.1), null where not documented. */
cJSON *ohc_tls_schannel_client_to_json(const char *protocol, int key_present, cJSON *enabled,
                                       cJSON *disabled_by_default, int64_t major, int64_t minor);

#endif
