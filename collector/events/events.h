/* The events probe's portable half: queries as data, the XPath they become,
 * and the facts (FACTS.md "events") built from whatever source yields the
 * records: the live event log (win32/probe_events.c, wevtapi) or .evtx files
 * (collector/events/events_evtx.c). Both go through the same ohc_event_source, so
 * the decoding, the bounds and the summaries are one code path, tested
 * natively with a source made of fixtures. */
#ifndef OHC_EVENTS_H
#define OHC_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "event_record.h"
#include "probe.h"
#include "strbuf.h"

#define OHC_EVENTS_DEFAULT_DAYS 14u
#define OHC_EVENTS_DEFAULT_MAX 200u
#define OHC_EVENTS_MAX_MAX 5000u /* ceiling for a configured max_events */
#define OHC_EVENTS_MAX_IDS 32u

/* One query: which events of which channel, how far back, how many at most.
 * All pointers are borrowed (static tables, or configuration that outlives
 * the collection). */
typedef struct ohc_event_query {
    const char *name; /* key in facts.events.queries: "outlook_oab" */
    const char *channel; /* "Application" */
    const char *provider; /* Provider Name; NULL = any provider */
    const uint32_t *ids; /* event ids; NULL / 0 = any id */
    size_t id_count;
    unsigned days; /* 0 = the collection's event_days */
    unsigned max_events; /* 0 = OHC_EVENTS_DEFAULT_MAX */
} ohc_event_query;

/* The built-in queries, outlook_oab and bits_client. Static table. */
const ohc_event_query *ohc_events_default_queries(size_t *out_count);

/* Checks a query (from configuration: untrusted): name, channel and provider
 * made of letters, digits, space and ._-/ only (nothing that could end an
 * XPath string literal), at most OHC_EVENTS_MAX_IDS ids, max_events at most
 * OHC_EVENTS_MAX_MAX. OHC_EINVAL with the reason. */
int ohc_events_query_check(const ohc_event_query *q, ohc_error *err);

/* Appends the structured-query XPath for q to out, e.g.
 *   *[System[Provider[@Name='Outlook'] and (EventID=27) and
 *     TimeCreated[timediff(@SystemTime) <= 1209600000]]]
 * (one line). days is the look-back already resolved (> 0). Checks q first. */
int ohc_events_build_xpath(ohc_strbuf *out, const ohc_event_query *q, unsigned days, ohc_error *err);

/* Event ids one XPath holds at most. Windows limits an event XPath to 32
 * expressions (each EventID=n is one, with the provider and the time), and
 * more than about 20 ids need a structured query; see ohc_events_build_query. */
#define OHC_EVENTS_XPATH_MAX_IDS 20u

/* The query EvtQuery takes for q: the XPath of ohc_events_build_xpath when
 * q has at most OHC_EVENTS_XPATH_MAX_IDS ids (*out_structured 0: pass the
 * channel as the path); else a structured XML query,
 *   <QueryList><Query Id="0" Path="C"><Select Path="C">XPath of ids 1-20</Select>
 *   <Select Path="C">XPath of ids 21-...</Select></Query></QueryList>
 * (*out_structured 1: pass no path), the events of any Select. */
int ohc_events_build_query(ohc_strbuf *out, int *out_structured, const ohc_event_query *q, unsigned days,
                           ohc_error *err);

/* Where records come from. open() starts one query; next() yields records
 * (every pointer borrowed until the next call) in the order the source has
 * them; close() ends the query (always called after a successful open).
 * open() returns OHC_OK; OHC_ENOTFOUND when the channel does not exist;
 * OHC_EVENTS_OPEN_DISABLED (> 0, err says so) when it exists but is disabled
 * (the query is open all the same: old events are still read);
 * OHC_EUNAVAILABLE when the event log API itself is unusable (the
 * remaining queries are then not tried); any other code for a failing query.
 * next() returns 1 with a record, 0 at the end, or a negative ohc_err. */
#define OHC_EVENTS_OPEN_DISABLED 1

typedef struct ohc_event_source {
    const char *kind; /* "live" or "evtx" */
    int newest_first; /* records come newest first (the live reverse query) */
    int all_time; /* no time window (.evtx files: a log exported weeks ago is
                          still read; the newest max_events are kept) */
    void *self;
    int (*open)(void *self, const ohc_event_query *q, unsigned days, int64_t since_ms, ohc_error *err);
    int (*next)(void *self, ohc_event_record *out, ohc_error *err);
    void (*close)(void *self);
    /* Optional (NULL: open/next/close per query). Reads every query in one
     * pass, so that a file is read once: each record goes to deliver(ctx, i,
     * rec) for every queries[i] whose provider and ids it matches (deliver
     * checks channel and time, and keeps a copy of what it keeps). deliver
     * returns 0 to go on, non-zero to stop the pass (the time budget ran
     * out). Returns OHC_OK (also when stopped), or a negative ohc_err with
     * err set when reading failed; the queries keep what they had. */
    int (*scan)(void *self, const ohc_event_query *const *queries, size_t count,
                int (*deliver)(void *ctx, size_t query, const ohc_event_record *rec), void *ctx, ohc_error *err);
} ohc_event_source;

/* How a collection went, for the probe status. */
typedef struct ohc_events_outcome {
    size_t queries_ok;
    size_t queries_missing; /* channel missing or disabled */
    size_t records; /* records kept, all queries */
    size_t queries_failed; /* errors, time budget */
    int unavailable; /* the API is unusable; error says why */
    ohc_error first_error; /* the first problem met (unavailable, missing or failed) */
} ohc_events_outcome;

/* Runs the queries against src and returns the facts object (owned by the
 * caller; NULL on no memory) {source, queries, outlook_oab, bits_client, ...}.
 * now_ms anchors the time window; each query stops at deadline_ms
 * (ohc_os_monotonic_ms clock; 0 = none) or after its max_events, whichever
 * comes first. Files, when src reads files, are listed by the caller. */
cJSON *ohc_events_collect(ohc_events_outcome *out, const ohc_event_source *src, const ohc_event_query *queries,
                          size_t query_count, unsigned default_days, int64_t now_ms, uint64_t deadline_ms);

/* The probe status an outcome means: unavailable when the API is unusable and
 * no query got through, partial when a channel is missing or disabled or a
 * query failed, else ok; the first problem becomes out->error. */
void ohc_events_set_status(ohc_probe_output *out, const ohc_events_outcome *outcome);

/* The .evtx path of the probe (collect --evtx): runs the queries over each
 * file with the same decoding, and fills out (facts.events.source = "evtx",
 * files []). Each file is read once for all queries, and that pass also gives
 * its file_info (computers, first/last event, damage counts, complete) and
 * its damage (file_errors, probe partial); readers (optional, same order as
 * files, borrowed) are the files already open, else each is opened here. An
 * unreadable file is an error of its own, not the end. */
void ohc_events_collect_files(ohc_probe_output *out, const char *const *files, struct ohc_evtx_reader *const *readers,
                              const ohc_event_query *queries, size_t query_count, unsigned default_days,
                              uint64_t deadline_ms);

/* An owned deep copy of a record in one allocation (free with free()). NULL
 * on no memory. */
ohc_event_record *ohc_event_record_dup(const ohc_event_record *rec);

#endif
