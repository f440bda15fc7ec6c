/* The `host` probe's facts: what machine, which Windows, who ran ohc.
 * The OS side (win32/probe_host.c, posix/probe_host.c) fills the plain struct;
 * ohc_host_info_to_json turns it into facts. Empty strings and negative
 * numbers mean "not known" and become null. */
#ifndef OHC_HOST_H
#define OHC_HOST_H

#include <stdint.h>

#include <cjson/cJSON.h>

typedef struct ohc_host_info {
    char computer_name[256]; /* DNS host name */
    char netbios_name[64];
    char dns_domain[256];
    char os_family[16]; /* "windows", "linux" */
    char os_product_name[256]; /* "Windows 10 Pro" */
    char os_display_version[64]; /* "22H2" */
    char os_edition[64];
    int64_t os_major, os_minor, os_build, os_ubr; /* -1: unknown */
    char architecture[16]; /* "x64", "arm64", "x86" */
    char account[512]; /* DOMAIN\user */
    char account_sid[192];
    int elevated; /* 1, 0, or -1 unknown */
    char run_mode[16]; /* "interactive", "service", "non-interactive" */
    int64_t session_id; /* -1: unknown */
    char time_zone[128]; /* Windows key name, e.g. "W. Europe Standard Time" */
    int64_t utc_offset_minutes; /* current offset, DST included; INT64_MIN: unknown */
    char wine_version[64]; /* set only under Wine: reports say so */
} ohc_host_info;

/* Sets every field to "unknown". */
void ohc_host_info_init(ohc_host_info *info);

/* A new JSON object (caller owns) with the host facts, or NULL on no memory. */
cJSON *ohc_host_info_to_json(const ohc_host_info *info);

#endif
