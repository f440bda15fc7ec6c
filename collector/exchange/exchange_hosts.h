/* The Exchange host names known on the PC, and each user's proxy bypass list
 * (ProxyOverride) checked against them.
 *
 * A BITS job of a user (Outlook's OAB download) and Outlook itself follow
 * the user's WinINet proxy. A host that the bypass list does not name goes
 * through the proxy; that is not wrong in itself, but Windows authentication
 * (NTLM, Kerberos) to an internal Exchange often does not pass a proxy. The
 * comparison is made here, on facts only, so that a rule reads a plain list. */
#ifndef OHC_EXCHANGE_HOSTS_H
#define OHC_EXCHANGE_HOSTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define OHC_EXCHANGE_MAX_HOSTS 32u

/* Adds to facts (the autodiscover probe's facts, after
 * ohc_autodiscover_summarise):
 * - exchange_hosts []: {host (lower case), port, url (the first URL seen, or
 *   null for a bare RPC/HTTP server name), sources [] ("autodiscover",
 *   "outlook_registry", "bits", "events", "command_line")}: every host of an
 *   http(s) URL in the cached answers' protocols (and v2 answers), the EXPR
 *   (Outlook Anywhere) server, the effective ProxyServer of Outlook's RPC keys
 *   (prior outlook facts), OAB BITS jobs' URLs (prior bits facts), OAB
 *   transfers of the BITS client events (prior events facts) and extra_urls
 *   (`--oab-url`); at most OHC_EXCHANGE_MAX_HOSTS, exchange_hosts_capped says
 *   when more were seen;
 * - proxy_bypass: null when prior holds no proxy facts (the proxy probe did
 *   not run), else [] per user of prior proxy.users whose static proxy is in
 *   use (proxy_in_use): {sid, account, proxy_server, bypass (ProxyOverride, or
 *   the DefaultConnectionSettings blob's list), pac_url (a PAC decides before
 *   the static proxy: the list is then not conclusive), hosts_via_proxy []
 *   (host names the list does not name), hosts_bypassed [], bypass_suggested
 *   (the list with the missing hosts added, or null when none is missing)}.
 * prior is report.facts of the earlier phases (borrowed, may be NULL).
 * Returns 0, or -1 without memory. */
int ohc_exchange_hosts_facts(cJSON *facts, const cJSON *prior, const char *const *extra_urls, size_t extra_count);

/* Splits an http(s) URL into its host (lower case, no brackets, at most
 * host_size - 1 bytes) and port (the scheme's default when absent). 0, or -1
 * when url is not an http(s) URL with a host. */
int ohc_exchange_url_host(char *host, size_t host_size, unsigned *port, const char *url);

#endif
