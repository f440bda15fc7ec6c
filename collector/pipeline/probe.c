#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "os.h"

const char *ohc_probe_status_name(ohc_probe_status status)
{
    switch (status) {
    case OHC_PROBE_OK: return "ok";
    case OHC_PROBE_PARTIAL: return "partial";
    case OHC_PROBE_UNAVAILABLE: return "unavailable";
    case OHC_PROBE_FAILED: return "failed";
    }
    return "failed";
}

cJSON *ohc_error_to_json(const ohc_error *err)
{
    if (err == NULL || err->code == OHC_OK)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "message", err->message[0] ? err->message : ohc_strerror(err->code));
    cJSON_AddStringToObject(o, "kind", ohc_err_name(err->code));
    if (err->os_code != 0) {
        char hex[16];
        snprintf(hex, sizeof hex, "0x%08X", (unsigned)err->os_code);
        cJSON_AddNumberToObject(o, "code", (double)err->os_code);
        cJSON_AddStringToObject(o, "code_hex", hex);
    } else {
        cJSON_AddNullToObject(o, "code");
    }
    return o;
}

int ohc_probe_cancelled(const ohc_probe_context *ctx)
{
    return ctx != NULL && ctx->options != NULL && ctx->options->cancel != NULL &&
           __atomic_load_n(ctx->options->cancel, __ATOMIC_ACQUIRE) != 0;
}

void ohc_probe_take_facts(ohc_probe_output *out, cJSON *facts)
{
    if (facts == NULL) {
        out->status = OHC_PROBE_FAILED;
        ohc_error_set(&out->error, OHC_ENOMEM, 0, "out of memory building facts");
        return;
    }
    cJSON *item;
    while ((item = facts->child) != NULL) {
        cJSON_DetachItemViaPointer(facts, item);
        /* cJSON copies the key before freeing the item's own, so passing it is safe. */
        cJSON_AddItemToObject(out->facts, item->string, item);
    }
    cJSON_Delete(facts);
}

/* ---- the options the probes read ---- */

/* One block: the options, then their strings and arrays. Counting pass with
 * base == NULL (used grows, nothing written), then the copying pass. */
typedef struct copy_arena {
    char *base;
    size_t used;
} copy_arena;

static void *arena_put(copy_arena *a, const void *src, size_t n, size_t align)
{
    a->used = (a->used + align - 1) / align * align;
    void *dst = a->base != NULL ? a->base + a->used : NULL;
    if (dst != NULL && src != NULL && n > 0)
        memcpy(dst, src, n);
    a->used += n;
    return dst;
}

static const char *copy_str(copy_arena *a, const char *s)
{
    return s != NULL ? arena_put(a, s, strlen(s) + 1, 1) : NULL;
}

/* n strings, and a NULL after them when the list is NULL-terminated. */
static const char *const *copy_strv(copy_arena *a, const char *const *v, size_t n, int terminated)
{
    if (v == NULL)
        return NULL;
    const char **out = arena_put(a, NULL, (n + (terminated != 0)) * sizeof *out, _Alignof(const char *));
    for (size_t i = 0; i < n; i++) {
        const char *c = copy_str(a, v[i]);
        if (out != NULL)
            out[i] = c;
    }
    if (out != NULL && terminated)
        out[n] = NULL;
    return out;
}

static void copy_options(copy_arena *a, ohc_collect_options *dst, const ohc_collect_options *src)
{
    size_t files = 0;
    while (src->evtx_files != NULL && src->evtx_files[files] != NULL)
        files++;
    const char *const *evtx_files = copy_strv(a, src->evtx_files, files, 1);
    struct ohc_evtx_reader *const *readers =
        src->evtx_readers == NULL
            ? NULL
            : arena_put(a, src->evtx_readers, files * sizeof *src->evtx_readers, _Alignof(struct ohc_evtx_reader *));
    const char *state = copy_str(a, src->event_state_path);
    ohc_event_query *queries =
        src->event_queries == NULL
            ? NULL
            : arena_put(a, src->event_queries, src->event_query_count * sizeof *queries, _Alignof(ohc_event_query));
    for (size_t i = 0; src->event_queries != NULL && i < src->event_query_count; i++) {
        const ohc_event_query *q = &src->event_queries[i];
        const char *name = copy_str(a, q->name), *channel = copy_str(a, q->channel),
                   *provider = copy_str(a, q->provider);
        const uint32_t *ids = q->ids == NULL ? NULL : arena_put(a, q->ids, q->id_count * sizeof *q->ids, 4);
        if (queries != NULL) {
            queries[i].name = name;
            queries[i].channel = channel;
            queries[i].provider = provider;
            queries[i].ids = ids;
        }
    }
    const char *const *urls = copy_strv(a, src->oab_urls, src->oab_url_count, 0);
    const char *const *pins = copy_strv(a, src->oab_server_pins, src->oab_server_pin_count, 0);
    const char *allow = copy_str(a, src->oab_allow_hosts), *budget = copy_str(a, src->oab_budget_path),
               *ca = copy_str(a, src->ca_file);
    if (dst == NULL)
        return;
    *dst = *src;
    dst->evtx_files = evtx_files;
    dst->evtx_readers = readers;
    dst->event_state_path = state;
    dst->event_queries = queries;
    dst->oab_urls = urls;
    dst->oab_server_pins = pins;
    dst->oab_allow_hosts = allow;
    dst->oab_budget_path = budget;
    dst->ca_file = ca;
}

/* Shared by the runner and every probe job; freed by whoever lets go last. */
typedef struct options_copy {
    int refs;
    ohc_collect_options o;
} options_copy;

static options_copy *options_copy_new(const ohc_collect_options *src)
{
    copy_arena a = {NULL, sizeof(options_copy)};
    copy_options(&a, NULL, src);
    options_copy *c = malloc(a.used);
    if (c == NULL)
        return NULL;
    c->refs = 1;
    a = (copy_arena){(char *)c, sizeof(options_copy)};
    copy_options(&a, &c->o, src);
    return c;
}

static void options_copy_release(options_copy *c)
{
    if (c != NULL && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free(c);
}

/* One probe's run. Shared by the runner and the probe thread; whichever lets
 * go last frees it, so a detached, overrunning probe never writes into freed
 * memory and the runner never reads a half-built facts object. */
typedef struct probe_job {
    int refs;
    const ohc_probe_def *def;
    ohc_probe_context ctx;
    ohc_probe_output out;
    uint64_t started_ms;
    uint64_t ended_ms;
    ohc_os_thread *thread;
    cJSON *prior_copy; /* ctx.prior_facts, owned */
    options_copy *options; /* ctx.options, one reference; NULL: the caller's (no memory for a copy) */
} probe_job;

static void probe_job_release(probe_job *job)
{
    if (__atomic_sub_fetch(&job->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        cJSON_Delete(job->out.facts);
        cJSON_Delete(job->prior_copy);
        options_copy_release(job->options);
        free(job);
    }
}

static void probe_job_main(void *arg)
{
    probe_job *job = arg;
    job->def->collect(&job->out, &job->ctx);
    job->ended_ms = ohc_os_monotonic_ms();
    probe_job_release(job);
}

static void record_probe(cJSON *probes_obj, cJSON *facts_obj, const char *name, ohc_probe_status status,
                         const ohc_error *err, uint64_t duration_ms, cJSON *facts)
{
    cJSON *p = cJSON_CreateObject();
    if (p == NULL) {
        cJSON_Delete(facts);
        return;
    }
    cJSON_AddStringToObject(p, "status", ohc_probe_status_name(status));
    cJSON *e = ohc_error_to_json(err);
    if (e != NULL)
        cJSON_AddItemToObject(p, "error", e);
    else
        cJSON_AddNullToObject(p, "error");
    cJSON_AddNumberToObject(p, "duration_ms", (double)duration_ms);
    cJSON_AddItemToObject(probes_obj, name, p);
    cJSON_AddItemToObject(facts_obj, name, facts ? facts : cJSON_CreateObject());
}

static void run_phase(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                      const ohc_collect_options *options, options_copy *copy, unsigned phase);

void ohc_probes_run(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                    const ohc_collect_options *options)
{
    unsigned last = 0;
    for (size_t i = 0; i < count; i++)
        if (defs[i].phase > last)
            last = defs[i].phase;
    /* Without memory for the copy the probes read the caller's options: only
     * a probe that overruns would then outlive them. */
    options_copy *copy = options_copy_new(options);
    for (unsigned phase = 0; phase <= last; phase++)
        run_phase(probes_obj, facts_obj, defs, count, copy != NULL ? &copy->o : options, copy, phase);
    options_copy_release(copy);
}

static void run_phase(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                      const ohc_collect_options *options, options_copy *copy, unsigned phase)
{
    probe_job **jobs = calloc(count ? count : 1, sizeof *jobs);
    if (jobs == NULL)
        return;

    for (size_t i = 0; i < count; i++) {
        if (defs[i].phase != phase)
            continue;
        ohc_error err;
        ohc_error_clear(&err);
        probe_job *job = calloc(1, sizeof *job);
        cJSON *facts = cJSON_CreateObject();
        if (job == NULL || facts == NULL) {
            free(job);
            ohc_error_set(&err, OHC_ENOMEM, 0, "out of memory starting probe");
            record_probe(probes_obj, facts_obj, defs[i].name, OHC_PROBE_FAILED, &err, 0, facts);
            continue;
        }
        job->refs = 2;
        job->def = &defs[i];
        job->ctx.options = options;
        /* A copy: a probe that overruns keeps reading it after the runner moved on. */
        if (phase > 0 && (job->ctx.prior_facts = job->prior_copy = cJSON_Duplicate(facts_obj, 1)) == NULL) {
            cJSON_Delete(facts);
            free(job);
            ohc_error_set(&err, OHC_ENOMEM, 0, "out of memory starting probe");
            record_probe(probes_obj, facts_obj, defs[i].name, OHC_PROBE_FAILED, &err, 0, NULL);
            continue;
        }
        job->started_ms = ohc_os_monotonic_ms();
        job->ctx.deadline_ms = job->started_ms + defs[i].budget_ms;
        job->out.facts = facts;
        job->out.status = OHC_PROBE_OK;
        ohc_error_clear(&job->out.error);
        if (copy != NULL) {
            __atomic_add_fetch(&copy->refs, 1, __ATOMIC_RELAXED);
            job->options = copy;
        }
        if (ohc_os_thread_start(&job->thread, probe_job_main, job, &err) != OHC_OK) {
            cJSON_Delete(facts);
            cJSON_Delete(job->prior_copy);
            options_copy_release(job->options);
            free(job);
            record_probe(probes_obj, facts_obj, defs[i].name, OHC_PROBE_FAILED, &err, 0, NULL);
            continue;
        }
        jobs[i] = job;
    }

    /* Collect in table order so the report's order does not depend on timing. */
    for (size_t i = 0; i < count; i++) {
        probe_job *job = jobs[i];
        if (job == NULL)
            continue;
        uint64_t now = ohc_os_monotonic_ms();
        uint64_t left = job->ctx.deadline_ms > now ? job->ctx.deadline_ms - now : 0;
        if (ohc_os_thread_join(job->thread, (uint32_t)left) == OHC_OK) {
            cJSON *facts = job->out.facts;
            job->out.facts = NULL;
            ohc_probe_status status = job->out.status;
            if (status != OHC_PROBE_OK && job->out.error.code == OHC_OK)
                ohc_error_set(&job->out.error, OHC_EOS, 0, "probe reported %s without a reason",
                              ohc_probe_status_name(status));
            record_probe(probes_obj, facts_obj, job->def->name, status, &job->out.error,
                         job->ended_ms - job->started_ms, facts);
        } else {
            ohc_error err;
            ohc_error_set(&err, OHC_ETIMEOUT, 0, "probe '%s' did not finish within its budget of %u ms", job->def->name,
                          (unsigned)job->def->budget_ms);
            ohc_os_thread_detach(job->thread);
            record_probe(probes_obj, facts_obj, job->def->name, OHC_PROBE_FAILED, &err,
                         ohc_os_monotonic_ms() - job->started_ms, NULL);
        }
        probe_job_release(job);
    }
    free(jobs);
}
