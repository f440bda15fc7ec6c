#include "settings.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "event_queries.h"
#include "oab_check.h"
#include "secret.h"
#include "upload_format.h"

static const char *const log_levels[] = {"error", "warning", "info", "debug", NULL};

/* THE settings table. The ADMX (installer/admx) is checked against it by
 * tests/integration/test_admx.py through `ohc config show --format json`. */
static const ohc_setting_def settings[] = {
    {OHC_SET_UPLOAD_URL, "UploadUrl", OHC_SETTING_STRING, "", 0, 0, 0, NULL, 0, NULL,
     "HTTPS endpoint that receives reports (POST); empty: reports stay on the PC.", NULL},
    {OHC_SET_UPLOAD_TOKEN, "UploadToken", OHC_SETTING_STRING, "", 0, 0, 0, NULL, OHC_SETTING_SECRET, NULL,
     "Token sent with each upload (Authorization: Bearer; with UploadFormat splunk-hec the HEC token, "
     "Authorization: Splunk); never logged or shown.",
     NULL},
    {OHC_SET_INTERVAL_MINUTES, "IntervalMinutes", OHC_SETTING_NUMBER, NULL, 240, 1, 43200, NULL, 0, "minutes",
     "Time between scheduled collections of the service (jittered by +-10%).", NULL},
    {OHC_SET_STARTUP_DELAY_MINUTES, "StartupDelayMinutes", OHC_SETTING_NUMBER, NULL, 5, 0, 1440, NULL, 0, "minutes",
     "Delay after the service starts before its first collection (jittered; 0: at once).", NULL},
    {OHC_SET_SPOOL_MAX_MB, "SpoolMaxMB", OHC_SETTING_NUMBER, NULL, 50, 1, 4096, NULL, 0, "MB",
     "Largest size of the spool of reports waiting for upload; the oldest are dropped first.", NULL},
    {OHC_SET_EVENT_DAYS, "EventDays", OHC_SETTING_NUMBER, NULL, 14, 1, 365, NULL, 0, "days",
     "How many days of Outlook and BITS events a collection reads.", NULL},
    {OHC_SET_RULES_DIR, "RulesDir", OHC_SETTING_STRING, "", 0, 0, 0, NULL, 0, NULL,
     "Folder of rule files used instead of the rules built into ohc.exe; empty: the built-in rules.", NULL},
    {OHC_SET_LOG_LEVEL, "LogLevel", OHC_SETTING_ENUM, "info", 0, 0, 0, log_levels, 0, NULL,
     "Detail of the service log: error, warning, info or debug.", NULL},
    {OHC_SET_ALLOW_INSECURE_HTTP, "AllowInsecureHttp", OHC_SETTING_BOOL, NULL, 0, 0, 1, NULL, 0, NULL,
     "1 allows an http:// UploadUrl (tests, lab networks); 0 requires https://.", NULL},
    {OHC_SET_EVENT_QUERIES, "EventQueries", OHC_SETTING_LIST, "", 0, 0, 0, NULL, 0, NULL,
     "Extra event log queries, one a line: name=NAME; channel=LOG[; provider=P][; ids=N,N][; days=N][; max=N].",
     ohc_event_queries_check},
    {OHC_SET_OAB_PROBE_HOSTS, "OabProbeHosts", OHC_SETTING_STRING, "", 0, 0, 0, NULL, 0, NULL,
     "Exchange host names the OAB check may ask, and send the account's credentials to (contoso.com also matches "
     "every name below it; separated by ',' or ';'). The service probes only these; empty: the service probes none.",
     ohc_oab_allow_list_check},
    {OHC_SET_OAB_PROBE_SERVICE, "OabProbeService", OHC_SETTING_BOOL, NULL, 1, 0, 1, NULL, 0, NULL,
     "1 lets the service ask the OAB servers in OabProbeHosts for their OAB files; 0 turns that off.", NULL},
    {OHC_SET_OAB_PROBE_DAILY_LIMIT, "OabProbeDailyLimit", OHC_SETTING_NUMBER, NULL, 4, 1, 96, NULL, 0, NULL,
     "The service asks the OAB servers at most this many times in 24 hours (later collections skip the check and "
     "say so), so that a fleet's schedule cannot load the Exchange servers.",
     NULL},
    {OHC_SET_EVENTLOG_FINDINGS, "EventLogFindings", OHC_SETTING_BOOL, NULL, 1, 0, 1, NULL, 0, NULL,
     "1: the service writes each collection's findings, resolved findings and a summary to the Application log "
     "(source OutlookHealthCollector); 0: it does not.",
     NULL},
    {OHC_SET_UPLOAD_FORMAT, "UploadFormat", OHC_SETTING_ENUM, "report", 0, 0, 0, ohc_upload_format_names, 0, NULL,
     "What an upload sends: report (the ohc JSON report), otlp (OTLP/HTTP JSON logs to .../v1/logs) or splunk-hec "
     "(Splunk HTTP Event Collector events; UploadToken is the HEC token).",
     NULL},
    {OHC_SET_UPLOAD_HEADERS, "UploadHeaders", OHC_SETTING_STRING, "", 0, 0, 0, NULL, OHC_SETTING_SECRET, NULL,
     "Extra HTTP headers of every upload, name=value separated by ',' (values percent-encoded, as "
     "OTEL_EXPORTER_OTLP_HEADERS); never logged or shown.",
     ohc_upload_headers_check},
    {OHC_SET_UPLOAD_BATCH_KB, "UploadBatchKB", OHC_SETTING_NUMBER, NULL, 512, 1, 102400, NULL, 0, "KB",
     "splunk-hec: largest request body (before gzip); a report's events take as many requests as they need.", NULL},
    {OHC_SET_HEC_INDEX, "HecIndex", OHC_SETTING_STRING, "", 0, 0, 0, NULL, 0, NULL,
     "splunk-hec: the Splunk index of the events; empty: the HEC token's default index.", ohc_hec_index_check},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])
_Static_assert(SETTING_COUNT == OHC_SETTING_COUNT, "one table row per ohc_setting_id");

const ohc_setting_def *ohc_settings_table(size_t *out_count)
{
    *out_count = SETTING_COUNT;
    return settings;
}

const ohc_setting_def *ohc_settings_find(const char *name)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (!ohc_ascii_casecmp(settings[i].name, name))
            return &settings[i];
    return NULL;
}

const char *ohc_setting_source_name(ohc_setting_source source)
{
    switch (source) {
    case OHC_SOURCE_DEFAULT: return "default";
    case OHC_SOURCE_LOCAL: return "local";
    case OHC_SOURCE_POLICY: return "policy";
    case OHC_SOURCE_FLAG: return "flag";
    }
    return "?";
}

const char *ohc_setting_source_where(ohc_setting_source source)
{
    switch (source) {
    case OHC_SOURCE_DEFAULT: return "built-in default";
    case OHC_SOURCE_LOCAL: return "HKLM\\" OHC_SETTINGS_LOCAL_KEY;
    case OHC_SOURCE_POLICY: return "HKLM\\" OHC_SETTINGS_POLICY_KEY;
    case OHC_SOURCE_FLAG: return "command line";
    }
    return "?";
}

static int set_string(ohc_setting_value *v, const char *s)
{
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return OHC_ENOMEM;
    memcpy(copy, s, n + 1);
    ohc_secret_free(v->str);
    v->str = copy;
    return OHC_OK;
}

int ohc_config_init(ohc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    int rc = OHC_OK;
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const ohc_setting_def *d = &settings[i];
        ohc_setting_value *v = &cfg->v[d->id];
        v->source = OHC_SOURCE_DEFAULT;
        v->num = d->default_num;
        if (set_string(v, d->default_str ? d->default_str : "") != OHC_OK)
            rc = OHC_ENOMEM;
    }
    return rc;
}

void ohc_config_free(ohc_config *cfg)
{
    for (size_t i = 0; i < OHC_SETTING_COUNT; i++) {
        ohc_secret_free(cfg->v[i].str); /* UploadToken among them */
        cfg->v[i].str = NULL;
    }
}

/* Strict decimal: digits only, no sign, no overflow past 32 bits. */
static int parse_u32(uint32_t *out, const char *s)
{
    uint64_t n = 0;
    if (*s == '\0')
        return OHC_EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return OHC_EINVAL;
        n = n * 10u + (uint64_t)(*s - '0');
        if (n > UINT32_MAX)
            return OHC_EINVAL;
    }
    *out = (uint32_t)n;
    return OHC_OK;
}

static int parse_bool(uint32_t *out, const char *s)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!ohc_ascii_casecmp(s, yes[i])) {
            *out = 1;
            return OHC_OK;
        }
        if (!ohc_ascii_casecmp(s, no[i])) {
            *out = 0;
            return OHC_OK;
        }
    }
    return OHC_EINVAL;
}

static const char *find_choice(const ohc_setting_def *d, const char *s)
{
    for (const char *const *c = d->choices; c != NULL && *c != NULL; c++)
        if (!ohc_ascii_casecmp(*c, s))
            return *c;
    return NULL;
}

static int has_control_chars(const char *s, int newline_ok)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !(newline_ok && *s == '\n')) || *s == 0x7f)
            return 1;
    return 0;
}

/* Checks a candidate against the definition; on success stores it in *v.
 * On failure writes why into why (never the value of a secret). */
static int accept_value(ohc_setting_value *v, const ohc_setting_def *d, const ohc_raw_value *raw, char *why,
                        size_t why_size)
{
    switch (d->type) {
    case OHC_SETTING_STRING:
    case OHC_SETTING_ENUM:
    case OHC_SETTING_LIST: {
        int list = d->type == OHC_SETTING_LIST;
        if (raw->type != OHC_RAW_STRING && !(list && raw->type == OHC_RAW_MULTI)) {
            snprintf(why, why_size, "wrong type (registry type %u, expected %s)", (unsigned)raw->os_type,
                     list ? "REG_MULTI_SZ" : "REG_SZ");
            return OHC_EMALFORMED;
        }
        if (raw->truncated) {
            snprintf(why, why_size, "longer than %d bytes", OHC_SETTING_STR_MAX);
            return OHC_ELIMIT;
        }
        if (has_control_chars(raw->str, list)) {
            snprintf(why, why_size, "contains control characters");
            return OHC_EMALFORMED;
        }
        const char *s = raw->str;
        if (d->type == OHC_SETTING_ENUM) {
            s = find_choice(d, raw->str);
            if (s == NULL) {
                snprintf(why, why_size, "'%.40s' is not one of the allowed values", raw->str);
                return OHC_EINVAL;
            }
        }
        if ((d->flags & OHC_SETTING_NONEMPTY) && *s == '\0') {
            snprintf(why, why_size, "is empty");
            return OHC_EINVAL;
        }
        if (d->check != NULL && d->check(s, why, why_size) != 0)
            return OHC_EINVAL;
        if (set_string(v, s) != OHC_OK) {
            snprintf(why, why_size, "out of memory");
            return OHC_ENOMEM;
        }
        return OHC_OK;
    }
    case OHC_SETTING_NUMBER:
    case OHC_SETTING_BOOL:
        if (raw->type != OHC_RAW_DWORD) {
            snprintf(why, why_size, "wrong type (registry type %u, expected REG_DWORD)", (unsigned)raw->os_type);
            return OHC_EMALFORMED;
        }
        if (raw->dword < d->min || raw->dword > d->max) {
            snprintf(why, why_size, "%lu is out of range %lu..%lu", (unsigned long)raw->dword, (unsigned long)d->min,
                     (unsigned long)d->max);
            return OHC_EINVAL;
        }
        v->num = raw->dword;
        return OHC_OK;
    }
    snprintf(why, why_size, "unknown setting type");
    return OHC_EINVAL;
}

void ohc_config_load_with(ohc_config *cfg, ohc_config_reader_fn reader, void *reader_ctx, ohc_config_log_fn log,
                          void *log_ctx)
{
    if (reader == NULL)
        return;
    /* Heap: a raw value holds a 2 KB string and the service's stack is small. */
    ohc_raw_value *raw = malloc(sizeof *raw);
    if (raw == NULL) {
        if (log)
            log(log_ctx, "configuration: out of memory, built-in defaults used");
        return;
    }
    static const ohc_setting_source layers[] = {OHC_SOURCE_POLICY, OHC_SOURCE_LOCAL};
    int denied[2] = {0, 0};
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const ohc_setting_def *d = &settings[i];
        ohc_setting_value *v = &cfg->v[d->id];
        if (v->source == OHC_SOURCE_FLAG)
            continue;
        for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
            ohc_error err;
            ohc_error_clear(&err);
            if (denied[l])
                continue;
            memset(raw, 0, sizeof *raw);
            int rc = reader(raw, reader_ctx, layers[l], d->name, &err);
            if (rc == OHC_ENOTFOUND)
                continue;
            if (rc == OHC_EACCESS) {
                denied[l] = 1;
                snprintf(cfg->layer_note[l], sizeof cfg->layer_note[l],
                         "%.48s cannot be read (%.80s); its values are ignored", ohc_setting_source_where(layers[l]),
                         err.message);
                if (log) {
                    char msg[320];
                    snprintf(msg, sizeof msg, "configuration: %s%s", cfg->layer_note[l],
                             layers[l] == OHC_SOURCE_LOCAL ? " (it is for SYSTEM and Administrators: run elevated)"
                                                           : "");
                    log(log_ctx, msg);
                }
                continue;
            }
            char why[160];
            if (rc != OHC_OK) {
                snprintf(why, sizeof why, "cannot be read: %.120s", err.message);
            } else if (accept_value(v, d, raw, why, sizeof why) == OHC_OK) {
                v->source = layers[l];
                break;
            }
            snprintf(v->note, sizeof v->note, "%.24s in %.48s %.100s; ignored", d->name,
                     ohc_setting_source_where(layers[l]), why);
            if (log) {
                char msg[320];
                snprintf(msg, sizeof msg, "configuration: %s; %s applies", v->note,
                         l + 1 < sizeof layers / sizeof layers[0] ? "the next source" : "the default");
                log(log_ctx, msg);
            }
        }
    }
    ohc_secret_wipe(raw, sizeof *raw); /* it may have held the token */
    free(raw);
}

void ohc_config_load(ohc_config *cfg, const ohc_settings_store *store, ohc_config_log_fn log, void *log_ctx)
{
    if (store != NULL && store->read != NULL)
        ohc_config_load_with(cfg, store->read, store->read_ctx, log, log_ctx);
}

int ohc_config_set_flag(ohc_config *cfg, ohc_setting_id id, const char *text, ohc_error *err)
{
    if ((size_t)id >= SETTING_COUNT || text == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "no such setting");
    const ohc_setting_def *d = &settings[id];
    ohc_raw_value *raw = calloc(1, sizeof *raw);
    if (raw == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int rc = OHC_OK;
    if (d->type == OHC_SETTING_NUMBER || d->type == OHC_SETTING_BOOL) {
        raw->type = OHC_RAW_DWORD;
        rc = d->type == OHC_SETTING_BOOL ? parse_bool(&raw->dword, text) : parse_u32(&raw->dword, text);
        if (rc != OHC_OK)
            rc = ohc_error_set(err, OHC_EINVAL, 0, "%s: '%.40s' is not %s", d->name,
                               (d->flags & OHC_SETTING_SECRET) ? "***" : text,
                               d->type == OHC_SETTING_BOOL ? "0 or 1" : "a whole number");
    } else {
        raw->type = OHC_RAW_STRING;
        size_t n = strlen(text);
        raw->truncated = n > OHC_SETTING_STR_MAX;
        memcpy(raw->str, text, raw->truncated ? OHC_SETTING_STR_MAX : n);
    }
    if (rc == OHC_OK) {
        ohc_setting_value tmp = cfg->v[id];
        char why[160];
        tmp.str = NULL; /* the old string stays in cfg until the new one is accepted */
        if (accept_value(&tmp, d, raw, why, sizeof why) != OHC_OK) {
            ohc_secret_free(tmp.str);
            rc = ohc_error_set(err, OHC_EINVAL, 0, "%s: %s", d->name, why);
        } else {
            if (tmp.str != NULL) {
                ohc_secret_free(cfg->v[id].str);
                cfg->v[id].str = tmp.str;
            }
            cfg->v[id].num = tmp.num;
            cfg->v[id].source = OHC_SOURCE_FLAG;
        }
    }
    ohc_secret_wipe(raw, sizeof *raw);
    free(raw);
    return rc;
}

int ohc_config_set_assignment(ohc_config *cfg, const char *assignment, ohc_error *err)
{
    const char *eq = strchr(assignment, '=');
    char name[64];
    size_t n = eq ? (size_t)(eq - assignment) : 0;
    if (eq == NULL || n == 0 || n >= sizeof name)
        return ohc_error_set(err, OHC_EINVAL, 0, "expected NAME=VALUE");
    memcpy(name, assignment, n);
    name[n] = '\0';
    const ohc_setting_def *d = ohc_settings_find(name);
    if (d == NULL)
        return ohc_error_set(err, OHC_EINVAL, 0, "unknown setting '%s'", name);
    return ohc_config_set_flag(cfg, d->id, eq + 1, err);
}

const char *ohc_config_str(const ohc_config *cfg, ohc_setting_id id)
{
    if ((size_t)id >= SETTING_COUNT || cfg->v[id].str == NULL)
        return "";
    return cfg->v[id].str;
}

uint32_t ohc_config_num(const ohc_config *cfg, ohc_setting_id id)
{
    return (size_t)id < SETTING_COUNT ? cfg->v[id].num : 0;
}

ohc_setting_source ohc_config_source(const ohc_config *cfg, ohc_setting_id id)
{
    return (size_t)id < SETTING_COUNT ? cfg->v[id].source : OHC_SOURCE_DEFAULT;
}

const char *ohc_config_display(const ohc_config *cfg, ohc_setting_id id, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if ((size_t)id >= SETTING_COUNT)
        return buf;
    const ohc_setting_def *d = &settings[id];
    switch (d->type) {
    case OHC_SETTING_STRING:
    case OHC_SETTING_ENUM:
    case OHC_SETTING_LIST:
        if ((d->flags & OHC_SETTING_SECRET) && ohc_config_str(cfg, id)[0] != '\0')
            snprintf(buf, size, "********");
        else
            snprintf(buf, size, "%s", ohc_config_str(cfg, id));
        break;
    case OHC_SETTING_NUMBER:
    case OHC_SETTING_BOOL: snprintf(buf, size, "%lu", (unsigned long)cfg->v[id].num); break;
    }
    return buf;
}

void ohc_config_to_raw(ohc_raw_value *out, const ohc_config *cfg, ohc_setting_id id)
{
    memset(out, 0, sizeof *out);
    if ((size_t)id >= SETTING_COUNT)
        return;
    const ohc_setting_def *d = &settings[id];
    if (d->type == OHC_SETTING_NUMBER || d->type == OHC_SETTING_BOOL) {
        out->type = OHC_RAW_DWORD;
        out->dword = cfg->v[id].num;
    } else {
        out->type = d->type == OHC_SETTING_LIST ? OHC_RAW_MULTI : OHC_RAW_STRING;
        snprintf(out->str, sizeof out->str, "%s", ohc_config_str(cfg, id));
    }
}
