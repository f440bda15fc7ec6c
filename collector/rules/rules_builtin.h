/* The rule files of rules/ built into the executable. The table is generated
 * at build time (cmake/OhcEmbedRules.cmake); static data, never freed. */
#ifndef OHC_RULES_BUILTIN_H
#define OHC_RULES_BUILTIN_H

#include <stddef.h>

typedef struct ohc_builtin_file {
    const char *name; /* "oab.json" */
    const unsigned char *data; /* the file's bytes (not NUL-terminated) */
    size_t len;
} ohc_builtin_file;

extern const ohc_builtin_file ohc_builtin_rules[];
extern const size_t ohc_builtin_rules_count;

#endif
