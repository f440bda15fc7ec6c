#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
} probe_job;

static void probe_job_release(probe_job *job)
{
    if (__atomic_sub_fetch(&job->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        cJSON_Delete(job->out.facts);
        cJSON_Delete(job->prior_copy);
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
                      const ohc_collect_options *options, unsigned phase);

void ohc_probes_run(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                    const ohc_collect_options *options)
{
    unsigned last = 0;
    for (size_t i = 0; i < count; i++)
        if (defs[i].phase > last)
            last = defs[i].phase;
    for (unsigned phase = 0; phase <= last; phase++)
        run_phase(probes_obj, facts_obj, defs, count, options, phase);
}

static void run_phase(cJSON *probes_obj, cJSON *facts_obj, const ohc_probe_def *defs, size_t count,
                      const ohc_collect_options *options, unsigned phase)
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
        if (ohc_os_thread_start(&job->thread, probe_job_main, job, &err) != OHC_OK) {
            cJSON_Delete(facts);
            cJSON_Delete(job->prior_copy);
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
