/* The OAB manifest (oab.xml, [MS-OXWOAB] "OAB Retrieval File Format"), parsed
 * from what a server sent: untrusted bytes.
 *
 * The XML is read by collector/base/xml.h (its subset; a DOCTYPE, undeclared
 * entities and any encoding but UTF-8 refused with the line and column), with
 * the bounds below; it never allocates more than they allow. */
#ifndef OHC_OAB_MANIFEST_H
#define OHC_OAB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

#define OHC_OAB_MANIFEST_MAX_BYTES (4u * 1024u * 1024u) /* a real one is some KB */
#define OHC_OAB_MANIFEST_MAX_ELEMENTS 20000u
#define OHC_OAB_MANIFEST_MAX_DEPTH 16u
#define OHC_OAB_MANIFEST_MAX_ATTRS 32u /* per element */
#define OHC_OAB_MANIFEST_MAX_VALUE 1024u /* bytes of one attribute value or text, decoded */
#define OHC_OAB_MANIFEST_MAX_NAME 64u /* bytes of an element or attribute name */
#define OHC_OAB_MANIFEST_MAX_OALS 64u
#define OHC_OAB_MANIFEST_MAX_FILES 4096u /* Full + Diff + Template over all OALs */

typedef enum ohc_oab_file_kind { OHC_OAB_FULL = 0, OHC_OAB_DIFF, OHC_OAB_TEMPLATE } ohc_oab_file_kind;

/* One Full, Diff or Template element. A numeric attribute that is absent is
 * -1; a present one that is not a decimal (langid: hex) number is an error. */
typedef struct ohc_oab_file {
    ohc_oab_file_kind kind;
    int64_t seq, ver, size, uncompressed_size, langid;
    char sha[48]; /* as sent, at most 40 hex digits kept checked: see parser */
    char type[16]; /* Template: "windows", "mac" */
    char name[256]; /* the element's text, trimmed: the file name */
} ohc_oab_file;

typedef struct ohc_oab_oal {
    char id[64]; /* GUID, no braces */
    char dn[512];
    char name[512];
    size_t first_file, file_count; /* into ohc_oab_manifest.files */
} ohc_oab_oal;

/* Owned by the caller: release with ohc_oab_manifest_free. */
typedef struct ohc_oab_manifest {
    ohc_oab_oal *oals;
    size_t oal_count;
    ohc_oab_file *files;
    size_t file_count;
} ohc_oab_manifest;

/* Parses len bytes of data (no NUL needed). OHC_OK, or OHC_EMALFORMED /
 * OHC_ELIMIT with err->message saying what and where ("line 3, column 7:
 * ..."), or OHC_ENOMEM. On failure *out is empty (nothing to free, freeing
 * is harmless). */
int ohc_oab_manifest_parse(ohc_oab_manifest *out, const char *data, size_t len, ohc_error *err);

void ohc_oab_manifest_free(ohc_oab_manifest *m);

/* The newest Full file of an OAL (the highest seq), or NULL when it has none. */
const ohc_oab_file *ohc_oab_manifest_full(const ohc_oab_manifest *m, size_t oal_index);

/* Facts: {"oals": [{"id", "dn", "name", "full": {seq, ver, size,
 * uncompressed_size, sha, file} | null, "diffs": [{seq, size, file}],
 * "templates": [{seq, langid, type, size, file}]}], "full_seq_max"}.
 * New object owned by the caller; NULL without memory. */
cJSON *ohc_oab_manifest_to_json(const ohc_oab_manifest *m);

#endif
