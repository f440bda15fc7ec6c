/* The events probe of the native build: there is no Windows event log here,
 * but .evtx files copied from a PC (collect --evtx) are read with the same
 * queries and decoding as ohc.exe uses. */
#include "event_queries.h"
#include "events.h"
#include "probes_posix.h"

#include "os.h"

void ohc_posix_probe_events(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    ohc_event_query queries[OHC_EVENT_QUERIES_ALL_MAX];
    size_t query_count = ohc_event_queries_for(queries, OHC_EVENT_QUERIES_ALL_MAX, ctx->options);
    if (ctx->options != NULL && ctx->options->evtx_files != NULL && ctx->options->evtx_files[0] != NULL) {
        uint64_t now = ohc_os_monotonic_ms();
        uint64_t deadline = ctx->deadline_ms > now + 500 ? ctx->deadline_ms - 500 : now + 1;
        ohc_events_collect_files(out, ctx->options->evtx_files, ctx->options->evtx_readers, queries, query_count,
                                 ctx->options->event_days, deadline);
        return;
    }
    out->status = OHC_PROBE_UNAVAILABLE;
    ohc_error_set(&out->error, OHC_EUNAVAILABLE, 0,
                  "no Windows event log on this platform: give .evtx files with collect --evtx");
    cJSON *facts = cJSON_CreateObject();
    if (facts != NULL &&
        (!cJSON_AddStringToObject(facts, "source", "live") || !cJSON_AddObjectToObject(facts, "queries") ||
         !cJSON_AddItemToObject(facts, "api_error", ohc_error_to_json(&out->error)))) {
        cJSON_Delete(facts);
        facts = NULL;
    }
    ohc_probe_take_facts(out, facts);
}
