/* Probes: the units that collect facts, and the runner that keeps them apart.
 *
 * A probe has a name, a time budget and a collect function. The runner gives
 * each probe its own thread and facts object; a probe that fails or runs past
 * its budget is recorded as such and never stops the others. A probe that
 * overruns is left running detached: its facts are discarded, not read.
 *
 * The OS half of a probe lives in win32/ (or posix/); what it found is turned
 * into facts by portable converters in collector/ that native tests reach. */
#ifndef OHC_PROBE_H
#define OHC_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "upload_proxy.h"

typedef enum ohc_probe_status {
    OHC_PROBE_OK = 0,
    OHC_PROBE_PARTIAL, /* some facts are missing; error says why */
    OHC_PROBE_UNAVAILABLE, /* the API or service is not there; error says why */
    OHC_PROBE_FAILED /* the probe itself failed or timed out */
} ohc_probe_status;

/* "ok", "partial", "unavailable", "failed". */
const char *ohc_probe_status_name(ohc_probe_status status);

/* What a collection was asked for. ohc_probes_run hands the probes a copy
 * of it, strings and arrays included, that lives as long as the last probe
 * (one that overruns its budget goes on after the run has returned, when the
 * service has freed its own); only evtx_readers' readers, *cancel and
 * resolve_proxy stay the caller's. */
typedef struct ohc_collect_options {
    const char *const *evtx_files; /* NULL-terminated, or NULL: read the live log */
    /* Optional, beside evtx_files (same order): the files already open, so
     * that each is opened once (collect --evtx opens them first to refuse a
     * bad one with its reason). Borrowed: the events probe reads them to
     * their end; the caller closes them after the collection. */
    struct ohc_evtx_reader *const *evtx_readers;
    unsigned event_days; /* how far back event queries look */
    const char *event_state_path; /* event_state.h: mark new events against this file; NULL = no marks */
    const struct ohc_event_query *event_queries; /* extra queries (EventQueries setting); NULL = none */
    size_t event_query_count;
    /* Borrowed; NULL: never. Another thread stores non-zero (__atomic_store_n)
     * to end the collection early (the service stopping): see ohc_probe_cancelled. */
    const int *cancel;
    /* The oab_servers probe (collector/exchange/oab_check.h). */
    const char *const *oab_urls; /* `--oab-url`, added to those the other probes found */
    size_t oab_url_count;
    const char *const *oab_server_pins; /* `--server HOST=ADDR[,ADDR...]`, checked by the CLI */
    size_t oab_server_pin_count;
    const char *oab_allow_hosts; /* OabProbeHosts; NULL or "" = none */
    int oab_service_probing; /* OabProbeService */
    /* As the service: at most this many OAB checks in 24 hours (OabProbeDailyLimit),
     * counted in this state file; NULL or 0 = no limit (interactively). */
    const char *oab_budget_path;
    unsigned oab_daily_limit;
    int as_service; /* the service collects: the allow-list decides what is probed */
    const char *ca_file; /* extra CA bundle for HTTPS made by probes; NULL = the system's */
    ohc_upload_proxy_fn resolve_proxy; /* the proxy Windows would use for a URL; NULL = direct */
} ohc_collect_options;

typedef struct ohc_probe_context {
    const ohc_collect_options *options;
    uint64_t deadline_ms; /* ohc_os_monotonic_ms() value the probe should finish by */
    /* Only for a probe of a later phase: a copy of report.facts as the
     * probes of the earlier phases left them, owned by the runner, valid
     * during collect. NULL in phase 0. */
    const cJSON *prior_facts;
} ohc_probe_context;

/* Filled by the probe. facts is an empty JSON object owned by the runner: the
 * probe adds members to it. status starts as OHC_PROBE_OK; a probe that sets
 * another status puts the reason in error. */
typedef struct ohc_probe_output {
    cJSON *facts;
    ohc_probe_status status;
    ohc_error error;
} ohc_probe_output;

/* True once the collection was asked to end early (options->cancel). A probe
 * with a long loop checks it between steps and ends with what it has: status
 * partial, error OHC_ECANCELLED. The others simply run to their end. */
int ohc_probe_cancelled(const ohc_probe_context *ctx);

typedef void (*ohc_probe_collect_fn)(ohc_probe_output *out, const ohc_probe_context *ctx);

typedef struct ohc_probe_def {
    const char *name; /* key in report.probes and report.facts */
    uint32_t budget_ms; /* wall-clock budget */
    ohc_probe_collect_fn collect;
    /* 0: runs at once. N > 0: runs after every probe of a lower phase ended
     * (or overran), and reads their facts (ohc_probe_context.prior_facts):
     * the Autodiscover cache (1) sets the Outlook registry beside each
     * answer; the OAB check (2) asks the servers whose URLs the others found.
     * List probes by phase: the report keeps the table's order within one. */
    unsigned phase;
} ohc_probe_def;

/* Runs the probes concurrently, each under its budget, phase after phase
 * (a later phase on a copy of the earlier ones' facts), and adds to the
 * report: report.probes[name] = {status, error, duration_ms} and
 * report.facts[name] = facts. `probes_obj` and `facts_obj` are JSON objects
 * owned by the caller. Never fails as a whole: a probe that cannot even start
 * is recorded as failed. */
void ohc_probes_run(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                    const ohc_collect_options *options);

/* Moves every member of `facts` (a JSON object the probe built; consumed,
 * NULL allowed) into out->facts. NULL means the converter ran out of memory:
 * the probe is then marked failed. */
void ohc_probe_take_facts(ohc_probe_output *out, cJSON *facts);

/* Builds {"message", "kind", "code", "code_hex"} for an error; NULL when err is OK. */
cJSON *ohc_error_to_json(const ohc_error *err);

#endif
