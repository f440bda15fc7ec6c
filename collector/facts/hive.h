/* Which HKEY_USERS subkeys are user profiles (portable, so tests reach it). */
#ifndef OHC_HIVE_H
#define OHC_HIVE_H

/* 1 when `name` (a subkey of HKEY_USERS) is a user's hive: a SID "S-1-..."
 * other than the service accounts S-1-5-18 (LocalSystem), S-1-5-19
 * (LocalService) and S-1-5-20 (NetworkService), and not a "*_Classes" hive
 * (that user's HKCR view) or ".DEFAULT". */
int ohc_hive_name_is_user(const char *name);

/* 1 for the SIDs of LocalSystem, LocalService and NetworkService. */
int ohc_sid_is_service_account(const char *sid);

#endif
