/* BITS client events (channel Microsoft-Windows-Bits-Client/Operational)
 * decoded into transfers, for the events probe (live log or .evtx files).
 *
 * Events used (names of their EventData values as recorded on real PCs):
 *   3  job created       jobTitle, jobId, jobOwner, processPath, processId
 *   4  job completed     User, jobTitle, jobId, jobOwner, fileCount, bytesTransferred
 *   59 transfer started  transferId, name, Id, url, peer, fileTime, fileLength, bytesTotal, bytesTransferred
 *   60 transfer stopped  the same plus hr (0 on success), proxy, peerProtocolFlags
 *   16398                a user's job limit was reached (counted only)
 * Events 59/60 name no owner: it is taken from the job's event 3 or 4 seen
 * earlier in the same log (jobId), else null.
 *
 * A transfer is tagged oab from its URL by the same test as a BITS job,
 * ohc_bits_url_is_oab (bits_jobs.h: an OAB folder in the path, or a file
 * oab.xml or *.lzx; the host is never looked at); an event 60 with a failing
 * hr on such a URL is an OAB download failure seen from BITS
 * (summary.oab_failures). */
#ifndef OHC_BITS_CLIENT_EVENTS_H
#define OHC_BITS_CLIENT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "event_record.h"

#define OHC_BITS_CLIENT_PROVIDER "Microsoft-Windows-Bits-Client"

/* One decoded event. Strings borrow from the record (valid as long as it is);
 * NULL when the event does not carry the value. */
typedef struct ohc_bits_client_transfer {
    uint32_t event_id;
    uint64_t record_id; /* the event's, so a transfer can be traced to it */
    int64_t time_ms;
    const char *url;
    int has_hr; /* event 60 (or any event with an hr value) */
    uint32_t hr;
    const char *owner; /* jobOwner / User */
    const char *job_title;
    const char *job_id;
    int has_bytes_total, has_bytes_transferred;
    uint64_t bytes_total, bytes_transferred;
    int oab; /* URL looks like an OAB file (like a BITS job's oab) */
    int failed; /* has_hr && hr != 0 */
} ohc_bits_client_transfer;

/* Non-zero when rec is a BITS client event id 3, 4, 59 or 60. */
int ohc_bits_client_is_transfer_event(const ohc_event_record *rec);

/* Decodes rec. OHC_OK, or OHC_ENOTFOUND when rec is not such an event. A value
 * that does not parse is left unset (has_* 0 / NULL), never guessed. */
int ohc_bits_client_decode(ohc_bits_client_transfer *out, const ohc_event_record *rec);

/* Accumulates the events of one log in order and builds the facts
 * {transfers [], summary {failed_transfers, oab_failures, job_limit_events,
 * last_oab_failure_time}} of FACTS.md (events.bits_client). Owns its memory:
 * copies what it keeps. */
typedef struct ohc_bits_client_log ohc_bits_client_log;

/* *out is owned by the caller; free with ohc_bits_client_log_free. */
int ohc_bits_client_log_new(ohc_bits_client_log **out);

/* Adds one event (any event: others are ignored). Returns 1 when it was used,
 * 0 when ignored, OHC_ENOMEM. At most max_transfers transfers are kept (the
 * newest); the summary counts all. */
int ohc_bits_client_log_add(ohc_bits_client_log *log, const ohc_event_record *rec);

/* Transfers kept (default 500); set before adding. */
void ohc_bits_client_log_set_max(ohc_bits_client_log *log, size_t max_transfers);

/* A new owned JSON object {transfers, summary}; NULL on no memory. */
cJSON *ohc_bits_client_log_facts(const ohc_bits_client_log *log);

/* One transfer as FACTS.md names it (hr_name from hresult_names when known); NULL on no memory. */
cJSON *ohc_bits_client_transfer_to_json(const ohc_bits_client_transfer *t);

void ohc_bits_client_log_free(ohc_bits_client_log *log);

#endif
