#include "eventlog_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

static void say(const ohc_eventlog_options *o, ohc_log_level level, const char *fmt, ...) OHC_PRINTF(3, 4);
static void say(const ohc_eventlog_options *o, ohc_log_level level, const char *fmt, ...)
{
    if (o->log == NULL)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->log(o->log_ctx, level, msg);
}

/* Reads the state into *st. OHC_OK; OHC_ENOTFOUND (no earlier collection);
 * else the problem in *problem ("<why>\n kept as: <path>" once moved aside)
 * and *may_save says whether the next state may replace the file (not when a
 * damaged file could not be moved aside: it would be lost). */
static int read_state(ohc_evlog_state *st, char *problem, size_t size, int *may_save, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    ohc_error e;
    ohc_error_clear(&e);
    *may_save = 1;
    int rc = ohc_os_read_file(&text, &len, path, OHC_EVLOG_STATE_MAX_BYTES, &e);
    if (rc == OHC_ENOTFOUND)
        return rc;
    if (rc == OHC_OK)
        rc = ohc_evlog_state_parse(st, text, len, &e);
    free(text);
    if (rc == OHC_OK || rc == OHC_ENOMEM) {
        if (rc == OHC_ENOMEM)
            snprintf(problem, size, "%s: out of memory reading it", path);
        return rc;
    }
    if (rc != OHC_EMALFORMED && rc != OHC_ELIMIT) {
        /* unreadable (access denied, I/O): the file may be fine; leave it be */
        *may_save = 0;
        snprintf(problem, size, "%s cannot be read: %s", path, e.message);
        return rc;
    }
    char aside[1024];
    ohc_error me;
    ohc_error_clear(&me);
    if (snprintf(aside, sizeof aside, "%s.damaged", path) >= (int)sizeof aside)
        ohc_error_set(&me, OHC_ELIMIT, 0, "path too long");
    else if (ohc_os_rename(path, aside, &me) == OHC_OK) {
        snprintf(problem, size, "%s is damaged (%s)\n kept as: %s", path, e.message, aside);
        return rc;
    }
    *may_save = 0;
    snprintf(problem, size, "%s is damaged (%s) and could not be moved aside (%s): it is left as it is", path,
             e.message, me.message);
    return rc;
}

int ohc_report_to_eventlog(ohc_eventlog_result *out, const cJSON *report, const ohc_eventlog_options *o, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    ohc_evlog_state prev;
    memset(&prev, 0, sizeof prev);
    char problem[1536] = "";
    int may_save = 1;
    int src = read_state(&prev, problem, sizeof problem, &may_save, o->state_path);
    if (src == OHC_ENOMEM) {
        ohc_evlog_state_free(&prev);
        say(o, OHC_LOG_ERROR, "event log: %s", problem);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    if (src != OHC_OK && src != OHC_ENOTFOUND) {
        out->state_problem = 1;
        char line[sizeof problem];
        snprintf(line, sizeof line, "%s", problem);
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = ';'; /* one line: "...; kept as: <path>" */
        say(o, OHC_LOG_WARNING, "event log: %s; findings that went away since are not reported as resolved this time",
            line);
    }
    ohc_evlog_plan plan;
    int rc = ohc_evlog_plan_make(&plan, report, src == OHC_OK ? &prev : NULL, out->state_problem ? problem : NULL);
    ohc_evlog_state_free(&prev);
    if (rc != OHC_OK) {
        ohc_evlog_plan_free(&plan);
        say(o, OHC_LOG_ERROR, "event log: out of memory");
        return ohc_error_set(err, rc, 0, "out of memory");
    }
    ohc_error e;
    ohc_error_clear(&e);
    rc = o->write(&out->written, plan.events, plan.count, &e);
    for (size_t i = 0; i < out->written && i < plan.count; i++) {
        ohc_evlog_kind_id k = plan.events[i].kind->kind;
        out->findings += k >= OHC_EVLOG_FINDING_INFO && k <= OHC_EVLOG_FINDING_CRITICAL;
        out->resolved += k == OHC_EVLOG_RESOLVED;
    }
    if (rc != OHC_OK) {
        say(o, OHC_LOG_ERROR,
            "event log: %zu of %zu events written: %s (the state stays, so nothing resolved is skipped)", out->written,
            plan.count, e.message);
        if (err != NULL)
            *err = e;
    } else if (may_save) {
        if (ohc_os_write_file_atomic(o->state_path, plan.next_state, strlen(plan.next_state), &e) == OHC_OK) {
            out->state_saved = 1;
        } else {
            say(o, OHC_LOG_ERROR, "event log: cannot save the state %s: %s (resolved findings are said again)",
                o->state_path, e.message);
            rc = e.code != OHC_OK ? e.code : OHC_EIO;
            if (err != NULL)
                *err = e;
        }
    }
    ohc_evlog_plan_free(&plan);
    return rc;
}
