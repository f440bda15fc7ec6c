/* Outlook's local copy of the Offline Address Book: the folders under
 * %LOCALAPPDATA%\Microsoft\Outlook\Offline Address Books\<GUID>\ (a location
 * third-party tools report; the note exchange-client.md says which GUID names
 * the folder is unconfirmed, so the facts give the folder name and what the
 * file says, and compare nothing), their files, and the header of the v4 Full
 * Details file (udetails.oab, [MS-OXOAB] 2.9): OAB_HDR, then the header
 * record's OAB name, address-list DN, container GUID and sequence number
 * (PidTagOfflineAddressBookSequence). The file is untrusted input: only its
 * first OHC_OAB_LOCAL_HEAD_MAX bytes are read and every length is checked. */
#ifndef OHC_OAB_LOCAL_H
#define OHC_OAB_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

#define OHC_OAB_LOCAL_HEAD_MAX (256u * 1024u) /* the header record sits in the first bytes */
#define OHC_OAB_LOCAL_MAX_ATTRS 4096u /* properties in one OAB_PROP_TABLE */
#define OHC_OAB_LOCAL_MAX_FILES 64u /* listed per folder */
#define OHC_OAB_LOCAL_MAX_FOLDERS 32u

/* Property tags of the v4 header record [MS-OXOAB 2.9.2.1]. */
#define OHC_OAB_TAG_NAME 0x6800001Fu /* PtypString: the OAB's name */
#define OHC_OAB_TAG_DN 0x6804001Eu /* PtypString8: the address list's DN */
#define OHC_OAB_TAG_SEQUENCE 0x68010003u /* PtypInteger32: +1 per generation */
#define OHC_OAB_TAG_CONTAINER_GUID 0x6802001Eu /* PtypString8: constant across generations */

typedef struct ohc_oab_details_header {
    uint32_t version, serial, total_records; /* OAB_HDR */
    int v4; /* version 0x20: the header record below was read */
    char name[512], dn[1024], container_guid[80];
    int64_t sequence; /* -1 when the header record has none */
} ohc_oab_details_header;

/* Decodes the first len bytes of a Full Details file (a prefix is enough).
 * OHC_OK; OHC_EMALFORMED or OHC_ELIMIT with err->message naming the offset
 * when a length or value does not fit. A version other than 0x20 is not an
 * error: only OAB_HDR is filled (v4 = 0). */
int ohc_oab_details_header_parse(ohc_oab_details_header *out, const uint8_t *data, size_t len, ohc_error *err);

/* The facts of one GUID folder, added to `folders` (a JSON array):
 * {folder, path, files [{name, size, modified}], files_capped, total_size,
 *  newest_modified, newest_age_days, details {file, version, version_hex,
 *  serial, total_records, name, dn, container_guid, sequence} | null,
 *  details_error}. Returns 1 when something could not be read (recorded in
 * the facts), 0 when all was read, -1 without memory. */
int ohc_oab_local_folder(cJSON *folders, const char *path, const char *folder_name, int64_t now_ms);

#endif
