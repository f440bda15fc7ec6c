/* Today's Office in the `outlook` probe, portable half: modern authentication
 * (ADAL/WAM values), Outlook profiles' cached-mode flag, and the Click-to-Run
 * update channel. win32/probes/probe_outlook.c reads the registry and hands the
 * values here as ohc_regval_to_json objects.
 *
 * Sources (../shared/notes/exchange-client.md section 4): microsoft-365-docs
 * enable-modern-authentication.md and modern-auth-for-office-2013-and-2016.md
 * (EnableADAL, Version, AlwaysUseMSOAuthForAutoDiscover); SupportArticles
 * disabling-adal-wam-not-recommended.md (DisableADALatopWAMOverride,
 * DisableAADWAM; their key path is third-party); office-developer-client-docs
 * algorithm-to-calculate-the-store-hash-number.md (PR_PROFILE_CONFIG_FLAGS
 * 0x6601, CONFIG_OST_CACHE_PRIVATE 0x180, CONFIG_OST_CACHE_PUBLIC 0x400; the
 * registry form 00036601 and the profile roots are third-party);
 * OfficeDocs-DeployOffice change-update-channels.md (channel GUIDs and the
 * order in which Office picks the update source). */
#ifndef OHC_OFFICE_H
#define OHC_OFFICE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* PR_PROFILE_CONFIG_FLAGS bits with a Microsoft source. */
enum { OHC_PROFILE_CACHE_PRIVATE = 0x180, OHC_PROFILE_CACHE_PUBLIC = 0x400 };

/* Modern authentication of one Office version of one user (caller owns; NULL
 * on no memory). The four regval objects (NULL = absent) are consumed. Builds
 * {version, EnableADAL, Version, DisableADALatopWAMOverride, DisableAADWAM,
 * modern_auth, wam}:
 *   modern_auth: "on" / "off" / "default_on" / "not_decoded" / "unsupported":
 *     15.0 (Outlook 2013) is "on" only with EnableADAL = 1 and Version = 1,
 *     else "off"; 16.0 is "off" with EnableADAL = 0 (Basic only), "on" with
 *     another number, "default_on" without the value; 12.0 and 14.0 have no
 *     modern authentication ("unsupported"); a value of the wrong type or size
 *     is "not_decoded" (kept raw in its regval).
 *   wam (16.0 only, else null): "disabled" when either Disable* value is 1,
 *     "default" when both are absent or 0, "undocumented_value" for other
 *     numbers, "not_decoded" for the wrong type. */
cJSON *ohc_office_identity_to_json(const char *version, cJSON *enable_adal, cJSON *version_value,
                                   cJSON *disable_adal_wam_override, cJSON *disable_aad_wam);

/* An Exchange account section of an Outlook profile (caller owns; NULL on no
 * memory): {section, account_type: "exchange", config_flags (the regval,
 * consumed), decoded, cached_mode, error}. decoded is {value, value_hex,
 * cached_mode, cache_public_folders, other_bits} for a REG_BINARY of 4 bytes
 * (little-endian), else null with error saying why; cached_mode is then null
 * (not known), never false. The account type is inferred: the section holds
 * PR_PROFILE_CONFIG_FLAGS, an Exchange (EMSMDB) provider property. */
cJSON *ohc_office_profile_section_to_json(const char *section, cJSON *config_flags);

/* The update channel of one source value (caller owns; NULL on no memory):
 * {source, value, guid, name}: guid is the GUID the value ends in (lower
 * case) or null, name the channel Microsoft gives for that GUID or null
 * (unknown GUIDs are kept raw in guid and value). source is copied. */
cJSON *ohc_c2r_channel_to_json(const char *source, const char *value);

/* A file version as Windows keeps it (VS_FIXEDFILEINFO dwFileVersionMS and
 * dwFileVersionLS: four 16-bit parts) as "a.b.c.d" in out (at least 24 bytes;
 * always NUL-terminated when size > 0). */
void ohc_office_file_version(char *out, size_t size, uint32_t version_ms, uint32_t version_ls);

/* Copies the trailing GUID of s (36 characters, 8-4-4-4-12 hex digits) in
 * lower case into out (37 bytes). 1 when found, 0 otherwise. */
int ohc_office_trailing_guid(char out[37], const char *s);

#endif
