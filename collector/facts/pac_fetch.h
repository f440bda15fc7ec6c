/* The users' PAC files (AutoConfigURL): does each one answer?
 *
 * A user whose Internet Options name a proxy auto-config script gets no proxy
 * decision when the script's server does not answer, and BITS jobs of that
 * user (Outlook's OAB download) then go out as WinINet falls back. This asks
 * each distinct PAC URL once with an HTTP GET: http or https only, directly
 * (no proxy, as Windows fetches a PAC itself), no redirect followed, no
 * credentials, at most OHC_PAC_MAX_BYTES read and a few seconds for all of
 * them together. A PAC file is untrusted input: it is never executed; only
 * the status, size, Content-Type and whether the text holds the
 * FindProxyForURL function it must define are reported. */
#ifndef OHC_PAC_FETCH_H
#define OHC_PAC_FETCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define OHC_PAC_MAX_URLS 4u
#define OHC_PAC_MAX_BYTES (1024u * 1024u)
#define OHC_PAC_TIMEOUT_MS 3000u

/* 1 when the len bytes of body (not NUL-terminated) contain the name
 * "FindProxyForURL" (case as the PAC format writes it), else 0. */
int ohc_pac_body_defines_function(const char *body, size_t len);

/* The PAC URL a user's facts name (proxy facts' users[] item, borrowed):
 * auto_config_url when set, else the DefaultConnectionSettings blob's pac_url
 * when its auto_proxy_url flag is on; NULL when none. */
const char *ohc_pac_user_url(const cJSON *user);

/* Fetches the PAC URL of every user in facts.users (the proxy probe's facts)
 * and adds to each user `pac_fetch`: null when the user names none, else
 * {url, fetched (bool: asked at all), skipped (why not, or null), answered
 * (an HTTP status came back), http_status, bytes, too_large, content_type,
 * location (a redirect, not followed), defines_find_proxy_for_url (bool, or
 * null when nothing was read), elapsed_ms, error, error_code (libcurl's)}.
 * At most OHC_PAC_MAX_URLS distinct URLs are asked, in parallel, within
 * timeout_ms; facts.pac_urls_skipped counts the others. ca_file: an extra CA
 * bundle for https (NULL: the system's). skip_all (NULL: fetch) fetches
 * nothing and gives every user's pac_fetch that reason as `skipped` (the
 * service: a URL a standard user sets is not fetched as LocalSystem).
 * Returns 0, or -1 without memory. */
int ohc_pac_check_users(cJSON *facts, unsigned timeout_ms, const char *ca_file, const char *skip_all);

#endif
