/* The EventQueries setting: extra event log queries an administrator adds by
 * GPO (REG_MULTI_SZ, one query a line) or `--set`, beside the built-in
 * outlook_oab and bits_client. Each line is `key=value` pairs separated by ';':
 *
 *   name=app_crash; channel=Application; provider=Application Error; ids=1000,1002; days=7; max=50
 *
 *   name      required; [a-z0-9_], at most 40: the key of the events in
 *             facts.events.<name> (what a rule in RulesDir reads)
 *   channel   required; the log, e.g. Application, Microsoft-Windows-Bits-Client/Operational
 *   provider  optional; Provider Name
 *   ids       optional; up to OHC_EVENTS_MAX_IDS event ids 0..65535, comma-separated
 *   days      optional; 1..365 (default: EventDays)
 *   max       optional; 1..OHC_EVENTS_MAX_MAX events kept (default OHC_EVENTS_DEFAULT_MAX)
 * Names, channels and providers keep to the characters ohc_events_query_check
 * allows, so nothing from configuration can change the XPath's shape. */
#ifndef OHC_EVENT_QUERIES_H
#define OHC_EVENT_QUERIES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "events.h"

#define OHC_EVENT_QUERIES_MAX 16u /* extra queries */
#define OHC_EVENT_QUERY_NAME_MAX 40u

/* Parsed queries. Owns its strings (ohc_event_queries_free); the query
 * structs point into it and live as long as it does. */
typedef struct ohc_event_queries {
    ohc_event_query q[OHC_EVENT_QUERIES_MAX];
    uint32_t ids[OHC_EVENT_QUERIES_MAX][OHC_EVENTS_MAX_IDS];
    size_t count;
    char *text; /* the lines, split in place */
} ohc_event_queries;

/* Parses lines ('\n'-separated; blank lines and surrounding spaces ignored).
 * All or nothing: OHC_OK, or OHC_EINVAL / OHC_ELIMIT with the line number and
 * the reason in err, and out empty. OHC_ENOMEM. Free out in every case. */
int ohc_event_queries_parse(ohc_event_queries *out, const char *lines, ohc_error *err);
void ohc_event_queries_free(ohc_event_queries *q);

/* The settings table's check for EventQueries: 0 when lines parse, else
 * non-zero with the reason in why. */
int ohc_event_queries_check(const char *lines, char *why, size_t why_size);

/* The queries of a collection: the built-in ones, then options'
 * event_queries (options may be NULL), into out (at most cap; the pointers
 * are borrowed). Returns the count. */
#define OHC_EVENT_QUERIES_ALL_MAX (2u + OHC_EVENT_QUERIES_MAX)
size_t ohc_event_queries_for(ohc_event_query *out, size_t cap, const ohc_collect_options *options);

#endif
