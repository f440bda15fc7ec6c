/* The OAB check per server: every OAB URL known on the PC, asked of every
 * address of its host.
 *
 * Load-balanced Exchange servers behind one name can disagree: one has no
 * OAB files (Outlook's 0x80190194 "sometimes"), one is generations behind.
 * This asks each address for https://<host>/OAB/<guid>/oab.xml with TLS and
 * SNI for the host name (libcurl's CURLOPT_CONNECT_TO), in parallel, each
 * request bounded, through the proxy Windows would use for the URL; parses the
 * manifest (oab_manifest.h) and asks with HEAD whether each OAL's newest Full
 * file is there.
 *
 * Safety as LocalSystem: the URLs come from places a standard user writes
 * (their BITS jobs, their events). As the service only hosts in the
 * administrator's allow-list (OabProbeHosts) are asked at all; credentials
 * (Negotiate/NTLM as the running account) go only over HTTPS to allow-listed
 * hosts, interactively also to Intranet-zone hosts; no redirect is followed.
 * What is skipped is recorded with the reason.
 *
 * The OS half (name resolution, the Internet zone of a URL) is handed in by
 * the platform probe (win32/probes/probe_oab.c, posix/probes/probe_oab.c). */
#ifndef OHC_OAB_CHECK_H
#define OHC_OAB_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "probe.h"

#define OHC_OAB_MAX_TARGETS 8u /* distinct (scheme, host, port, OAB GUID) */
#define OHC_OAB_MAX_ADDRESSES 8u /* per host */
#define OHC_OAB_MAX_PINS 16u
#define OHC_OAB_REQUEST_MS 5000u /* each request */
#define OHC_OAB_ADDR_MAX 64u /* bytes of an address literal */

typedef struct ohc_oab_target {
    char scheme[8]; /* "https" or "http" */
    char host[256]; /* lower case, no brackets */
    unsigned port;
    char guid[40]; /* lower case, 36 characters */
    char folder_url[600]; /* scheme://host[:port]/OAB/<guid>/ */
    unsigned sources; /* OHC_OAB_SRC_* bits: where the URL was seen */
} ohc_oab_target;

enum { OHC_OAB_SRC_BITS = 1, OHC_OAB_SRC_EVENTS = 2, OHC_OAB_SRC_COMMAND_LINE = 4, OHC_OAB_SRC_AUTODISCOVER = 8 };

typedef struct ohc_oab_targets {
    ohc_oab_target t[OHC_OAB_MAX_TARGETS];
    size_t count;
    size_t dropped; /* distinct targets past OHC_OAB_MAX_TARGETS */
} ohc_oab_targets;

/* Parses an OAB URL, http(s)://host[:port]/OAB/<guid>/[file] (any case of
 * "OAB"). OHC_EINVAL when it is not one. */
int ohc_oab_target_from_url(ohc_oab_target *out, const char *url);

/* Adds a URL's target (deduplicated; sources merged). Non-OAB URLs are ignored. */
void ohc_oab_targets_add_url(ohc_oab_targets *ts, const char *url, unsigned source);

/* Adds every OAB URL among the string values of facts.bits and facts.events
 * (BITS jobs' remote URLs, BITS client transfers, Event 27 strings). facts is
 * report.facts; NULL adds nothing. */
void ohc_oab_targets_add_facts(ohc_oab_targets *ts, const cJSON *facts);

/* Non-zero when host matches the allow-list: entries separated by ',', ';'
 * or blanks; "contoso.com" matches contoso.com and every name below it,
 * "*.contoso.com" only names below it, an address literal itself. ASCII
 * case-insensitive. An empty list matches nothing. */
int ohc_oab_host_allowed(const char *host, const char *list);

/* The settings check of OabProbeHosts: host names, "*.name", ".name" or
 * address literals (letters, digits, '.', '-', ':', '*' first), at most 64.
 * 0 when good, else 1 with why filled. */
int ohc_oab_allow_list_check(const char *list, char *why, size_t why_size);

/* `--server HOST=ADDR[,ADDR...]`: the addresses to ask instead of resolving HOST. */
typedef struct ohc_oab_pin {
    char host[256];
    char addr[OHC_OAB_MAX_ADDRESSES][OHC_OAB_ADDR_MAX];
    size_t addr_count;
} ohc_oab_pin;

/* Parses one spec; OHC_EINVAL with a message when it is not HOST=ADDR[,ADDR...]
 * with IPv4/IPv6 literals (at most OHC_OAB_MAX_ADDRESSES). */
int ohc_oab_pin_parse(ohc_oab_pin *out, const char *spec, ohc_error *err);

/* The platform's name resolution: every address of host (IPv4 and IPv6
 * literals, at most cap), in the order the resolver gave them. */
typedef int (*ohc_oab_resolve_fn)(char (*out)[OHC_OAB_ADDR_MAX], size_t cap, size_t *out_count, const char *host,
                                  ohc_error *err);
/* 1 when Windows puts url in the Local Intranet zone (or Trusted sites), where
 * it sends the user's credentials by itself; 0 when not; -1 unknown. */
typedef int (*ohc_oab_intranet_fn)(const char *url);

typedef struct ohc_oab_platform {
    ohc_oab_resolve_fn resolve;
    ohc_oab_intranet_fn intranet; /* NULL: never intranet */
    /* Non-zero when the platform's libcurl can authenticate as the running
     * account (Windows SSPI); else every request is anonymous. */
    int account_credentials;
} ohc_oab_platform;

/* The probe (shared by the platform halves): reads ctx->prior_facts and the
 * collect options, asks the servers, fills out. */
/* The service's daily budget of OAB checks (OabProbeDailyLimit), kept in a
 * small state file ({"times": [ms since 1970, ...]}, the checks of the last
 * 24 hours; written atomically; untrusted: at most 4 KiB read, junk ignored).
 * When fewer than `limit` checks ran in the 24 hours before now_ms, records
 * now_ms and returns 1; else returns 0 and says in `why` when the oldest
 * check leaves the window. *out_used is the count before this one. A state
 * that cannot be read or parsed counts as empty (its reason in state_error,
 * "" when none), so a damaged file never stops the check for good. */
#define OHC_OAB_DAILY_LIMIT_MAX 96u
int ohc_oab_daily_budget_take(const char *state_path, unsigned limit, int64_t now_ms, unsigned *out_used, char *why,
                              size_t why_size, char *state_error, size_t state_error_size);

void ohc_oab_probe_collect(ohc_probe_output *out, const ohc_probe_context *ctx, const ohc_oab_platform *platform);

/* The portable summary of one target's per-address answers (exposed for the
 * unit tests): adds "summary" to target_json from its "addresses". */
void ohc_oab_summarize_target(cJSON *target_json);

#endif
