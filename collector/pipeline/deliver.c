#include "deliver.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "event_state.h"
#include "os.h"
#include "report.h"
#include "strbuf.h"

#define UPLOAD_LOG_MAX_BYTES (1L << 20)

static void say(const ohc_pipeline_log_fn log, void *ctx, ohc_log_level level, const char *fmt, ...) OHC_PRINTF(4, 5);
static void say(const ohc_pipeline_log_fn log, void *ctx, ohc_log_level level, const char *fmt, ...)
{
    if (log == NULL)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log(ctx, level, msg);
}

/* Keeps the first failure in *rc and *err; the later steps still run. */
static void keep_first(int *rc, ohc_error *err, int r, const ohc_error *e)
{
    if (r == OHC_OK || *rc != OHC_OK)
        return;
    *rc = r;
    if (err != NULL)
        *err = *e;
}

static int write_one(ohc_finished *out, const char *path, const char *data, const ohc_finish_options *o, ohc_error *e)
{
    if (ohc_os_write_file_atomic(path, data, strlen(data), e) != OHC_OK) {
        say(o->log, o->log_ctx, OHC_LOG_ERROR, "cannot write %s: %s", path, e->message);
        return e->code != OHC_OK ? e->code : OHC_EIO;
    }
    if (out->file_count < OHC_FINISH_MAX_FILES && (out->files[out->file_count] = ohc_strdup(path)) != NULL)
        out->file_count++;
    return OHC_OK;
}

static int write_out_dir(ohc_finished *out, const cJSON *report, const ohc_finish_options *o, ohc_error *e)
{
    ohc_strbuf jpath = OHC_STRBUF_INIT, hpath = OHC_STRBUF_INIT;
    ohc_strbuf_appendf(&jpath, "%s%creport.json", o->out_dir, ohc_os_path_sep());
    ohc_strbuf_appendf(&hpath, "%s%creport.html", o->out_dir, ohc_os_path_sep());
    char *html = NULL;
    int rc = OHC_OK;
    if (ohc_os_mkdir_p(o->out_dir, e) != OHC_OK) {
        say(o->log, o->log_ctx, OHC_LOG_ERROR, "cannot create %s: %s", o->out_dir, e->message);
        rc = e->code != OHC_OK ? e->code : OHC_EIO;
    } else if ((html = ohc_report_to_html(report)) == NULL || ohc_strbuf_failed(&jpath) || ohc_strbuf_failed(&hpath)) {
        rc = ohc_error_set(e, OHC_ENOMEM, 0, "out of memory rendering the report");
        say(o->log, o->log_ctx, OHC_LOG_ERROR, "%s", e->message);
    } else {
        ohc_error e2;
        keep_first(&rc, e, write_one(out, ohc_strbuf_str(&jpath), out->json, o, &e2), &e2);
        keep_first(&rc, e, write_one(out, ohc_strbuf_str(&hpath), html, o, &e2), &e2);
    }
    free(html);
    ohc_strbuf_free(&jpath);
    ohc_strbuf_free(&hpath);
    return rc;
}

int ohc_report_finish(ohc_finished *out, cJSON *report, const ohc_finish_options *o, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = OHC_OK;
    ohc_error e;
    ohc_error_clear(&e);
    unsigned carried = 0;
    if (o->spool != NULL) {
        /* reports the spool had to drop are counted in the next one */
        carried = ohc_spool_dropped(o->spool);
        cJSON *u = cJSON_GetObjectItemCaseSensitive(report, "upload");
        if (u == NULL)
            u = cJSON_AddObjectToObject(report, "upload");
        cJSON_DeleteItemFromObjectCaseSensitive(u, "dropped_reports");
        if (u == NULL || cJSON_AddNumberToObject(u, "dropped_reports", carried) == NULL)
            carried = 0; /* out of memory: the count stays in the spool for the next report */
    }
    out->json = ohc_report_to_json(report);
    if (out->json == NULL) {
        out->failed = 1;
        say(o->log, o->log_ctx, OHC_LOG_ERROR, "out of memory rendering the report");
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory rendering the report");
    }
    if (o->json_path != NULL)
        keep_first(&rc, err, write_one(out, o->json_path, out->json, o, &e), &e);
    if (o->out_dir != NULL)
        keep_first(&rc, err, write_out_dir(out, report, o, &e), &e);
    if (o->spool != NULL) {
        const char *rid = ohc_report_str(report, "report_id");
        unsigned dropped = 0;
        if (ohc_spool_add(o->spool, NULL, &dropped, rid ? rid : "", out->json, strlen(out->json), &e) != OHC_OK) {
            say(o->log, o->log_ctx, OHC_LOG_ERROR, "cannot put the report into the spool %s: %s", o->spool->dir,
                e.message);
            keep_first(&rc, err, e.code != OHC_OK ? e.code : OHC_EIO, &e);
        } else {
            out->spooled = 1;
            if (carried > 0)
                ohc_spool_dropped_consume(o->spool, carried);
            if (dropped > 0)
                say(o->log, o->log_ctx, OHC_LOG_WARNING,
                    "spool full: %u older report(s) dropped (counted in the next report)", dropped);
        }
    }
    out->failed = rc != OHC_OK;
    if (o->print != NULL)
        o->print(o->print_ctx, report, out->json);
    /* The state moves on only once the report is out, so a lost report shows
     * its events as new again in the next one. */
    if (o->event_state_path != NULL && rc == OHC_OK &&
        ohc_event_state_commit(report, o->event_state_path, &e) != OHC_OK)
        say(o->log, o->log_ctx, OHC_LOG_WARNING,
            "cannot save the event state %s: %s (the next report shows these events as new again)", o->event_state_path,
            e.message);
    return rc;
}

void ohc_finished_free(ohc_finished *f)
{
    free(f->json);
    for (size_t i = 0; i < f->file_count; i++)
        free(f->files[i]);
    memset(f, 0, sizeof *f);
}

/* ---- delivery ---- */

struct upload_log {
    FILE *file;
    FILE *console;
};

static void log_line(void *ctx, const char *line)
{
    struct upload_log *l = ctx;
    if (l->file != NULL) {
        fprintf(l->file, "%s\n", line);
        fflush(l->file);
    }
    if (l->console != NULL)
        fprintf(l->console, "%s\n", line);
}

/* upload.log beside the spool, kept to about 1 MB (one old generation). */
static FILE *open_upload_log(const ohc_spool *sp)
{
    char path[OHC_SPOOL_PATH_MAX + 32], old[OHC_SPOOL_PATH_MAX + 40];
    if (ohc_spool_path(path, sizeof path, sp, "upload.log", NULL) != OHC_OK)
        return NULL;
    FILE *f = ohc_os_fopen_append(path);
    /* In append mode the position is unspecified until the first write (0 on
     * Windows' C runtime): ask for the end before reading the size. */
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && ftell(f) > UPLOAD_LOG_MAX_BYTES) {
        fclose(f);
        snprintf(old, sizeof old, "%s.1", path);
        ohc_os_rename(path, old, NULL);
        f = ohc_os_fopen_append(path);
    }
    return f;
}

static unsigned count_pending(ohc_spool *sp)
{
    ohc_spool_entry *entries = NULL;
    size_t n = 0;
    if (ohc_spool_list(&entries, &n, sp, NULL) != OHC_OK)
        return 1; /* unknown: assume something waits, so it is retried */
    free(entries);
    return (unsigned)n;
}

int ohc_spool_deliver(ohc_delivery *out, ohc_spool *sp, const ohc_deliver_options *o, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    struct upload_log ul = {open_upload_log(sp), o->console};
    ohc_upload_config cfg = o->upload;
    cfg.log = log_line;
    cfg.log_ctx = &ul;
    ohc_uploader *u = NULL;
    int rc = ohc_uploader_new(&u, &cfg, err);
    if (rc == OHC_OK) {
        rc = ohc_upload_drain(u, sp, &out->stats, err);
        snprintf(out->proxy, sizeof out->proxy, "%s", ohc_uploader_proxy(u));
        ohc_uploader_free(u);
    }
    out->pending = count_pending(sp);
    if (ul.file != NULL) {
        char when[32];
        ohc_format_rfc3339_utc(when, ohc_os_utc_now_ms());
        char url[512];
        ohc_upload_redact_url(url, sizeof url, cfg.url ? cfg.url : "");
        if (rc == OHC_OK)
            fprintf(ul.file,
                    "%s drain url=%s format=%s proxy=%s delivered=%u later=%u rejected=%u quarantined=%u attempts=%u "
                    "pending=%u retry_after_ms=%lu\n",
                    when, url, ohc_upload_format_name(cfg.format), out->proxy[0] ? out->proxy : "direct",
                    out->stats.delivered, out->stats.retried_later, out->stats.rejected, out->stats.quarantined,
                    out->stats.attempts, out->pending, (unsigned long)out->stats.retry_after_ms);
        else
            fprintf(ul.file, "%s drain url=%s failed: %s\n", when, url, err != NULL ? err->message : "?");
        fclose(ul.file);
    }
    if (rc != OHC_OK)
        say(o->log, o->log_ctx, OHC_LOG_ERROR, "upload: %s", err != NULL ? err->message : "failed");
    else
        say(o->log, o->log_ctx, out->stats.retried_later || out->stats.rejected ? OHC_LOG_WARNING : OHC_LOG_INFO,
            "upload: %u delivered, %u kept for a retry, %u rejected (see %s%crejected), %u quarantined, "
            "%u attempt(s)%s%s",
            out->stats.delivered, out->stats.retried_later, out->stats.rejected, sp->dir, sp->sep,
            out->stats.quarantined, out->stats.attempts, out->proxy[0] ? ", proxy " : "", out->proxy);
    return rc;
}
