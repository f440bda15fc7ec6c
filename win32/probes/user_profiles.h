/* The user profiles whose files probes read (Outlook's Autodiscover cache,
 * its local Offline Address Books): each profile's SID, account and local
 * application data folder.
 *
 * Interactively the current user comes first (SHGetKnownFolderPath, so a
 * redirected folder is found); then every user profile the machine lists
 * (HKLM ...\ProfileList\<SID>\ProfileImagePath + \AppData\Local), which is how
 * the service, running as LocalSystem, reaches every user. */
#ifndef OHC_USER_PROFILES_H
#define OHC_USER_PROFILES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "probe.h"

typedef struct ohc_user_profile {
    char sid[192];
    char account[512]; /* DOMAIN\user, "" when the SID does not resolve */
    const char *source; /* "current_user" or "profile_list" (static) */
    char local_appdata[1024]; /* UTF-8 */
} ohc_user_profile;

/* *out is a new array (free() it) of *out_count profiles, at most
 * OHC_USER_HIVES_MAX (*out_capped set when more were listed). as_service:
 * the current user (LocalSystem) is not a user. OHC_OK, or an error when the
 * ProfileList key cannot be read (*out still holds the current user). */
int ohc_user_profiles_list(ohc_user_profile **out, size_t *out_count, int *out_capped, int as_service, ohc_error *err);

/* A new JSON object {user, sid, source, local_appdata} (caller owns), added to profiles; NULL without memory. */
cJSON *ohc_user_profile_json(cJSON *profiles, const ohc_user_profile *p);

/* Reads one profile into p (its facts object, {user, sid, source,
 * local_appdata} already set): the count of things that could not be read
 * (each recorded in p), or -1 without memory. */
typedef int (*ohc_user_profile_scan_fn)(cJSON *p, const ohc_user_profile *profile, int64_t now_ms);

/* The loop both profile probes share: lists the profiles, runs scan on each
 * into facts.profiles (and facts.profiles_capped), and stops early at the
 * probe's deadline or a service stop. *out_status and *out_error say what was
 * not read: partial when stopped early, when the profile list could not be
 * read, or when scan found things it could not read (message: "%d " then
 * what_bad). Returns 0, or -1 without memory. */
int ohc_user_profiles_scan(cJSON *facts, const ohc_probe_context *ctx, ohc_user_profile_scan_fn scan,
                           const char *what_bad, ohc_probe_status *out_status, ohc_error *out_error);

#endif
