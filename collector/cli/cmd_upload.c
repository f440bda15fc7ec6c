/* ohc upload [FILE...]: store (each FILE into the spool) and forward (drain
 * the spool to the endpoint). Also the upload half of `ohc collect --upload`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cmd_upload.h"
#include "deliver.h"
#include "os.h"
#include "strbuf.h"
#include "report.h"
#include "secret.h"
#include "settings.h"
#include "spool.h"

static const ohc_opt upload_opts[] = {
    OHC_UPLOAD_COMMON_OPTS,
    {"attempts", 0, 1, OHC_UPOPT_ATTEMPTS},
    {"retry-base-ms", 0, 1, OHC_UPOPT_RETRY_BASE},
    {"no-gzip", 0, 0, OHC_UPOPT_NO_GZIP},
    {"spool-max-mb", 0, 1, OHC_UPOPT_MAX_MB},
    {"spool-max-count", 0, 1, OHC_UPOPT_MAX_COUNT},
    {"spool-max-days", 0, 1, OHC_UPOPT_MAX_DAYS},
    {"quiet", 'q', 0, OHC_UPOPT_QUIET},
    {NULL, 0, 0, 0},
};

static int parse_u32(uint32_t *out, const char *s, uint32_t min, uint32_t max)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || v < min || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* The token from a file: its first line, without surrounding blanks. The
 * file's name may be shown; its content never. */
static int read_token(char **out, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    *out = NULL;
    if (ohc_os_read_file(&data, &len, path, 4096, &err) != OHC_OK) {
        ohc_cli_error("cannot read the token file %s: %s", path, err.message);
        return -1;
    }
    char *s = data;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = '\0';
    if (n == 0) {
        ohc_secret_wipe(data, len);
        free(data);
        ohc_cli_error("the token file %s is empty", path);
        return -1;
    }
    memmove(data, s, n + 1);
    ohc_secret_wipe(data + n + 1, len - n); /* what was after it, or the moved token's tail */
    *out = data;
    return 0;
}

void ohc_upload_args_init(ohc_upload_args *a, const ohc_platform *platform)
{
    memset(a, 0, sizeof *a);
    a->platform = platform;
}

void ohc_upload_args_free(ohc_upload_args *a)
{
    ohc_secret_free(a->token);
    ohc_secret_free(a->headers);
    free(a->url_setting);
    free(a->hec_index);
    memset(a, 0, sizeof *a);
}

int ohc_upload_args_option(ohc_upload_args *a, int id, const char *value, const char *cmd)
{
    uint32_t v;
    switch (id) {
    case OHC_UPOPT_URL: a->url = value; return 0;
    case OHC_UPOPT_ALLOW_HTTP: a->allow_http = 1; return 0;
    case OHC_UPOPT_SPOOL: a->spool_dir = value; return 0;
    case OHC_UPOPT_TOKEN_FILE: a->token_file = value; return 0;
    case OHC_UPOPT_CA_FILE: a->ca_file = value; return 0;
    case OHC_UPOPT_PROXY: a->proxy = value; return 0;
    case OHC_UPOPT_NO_GZIP: a->no_gzip = 1; return 0;
    case OHC_UPOPT_QUIET: a->quiet = 1; return 0;
    case OHC_UPOPT_SET: return ohc_cli_sets_add(&a->sets, value, cmd);
    case OHC_UPOPT_TIMEOUT:
        if (parse_u32(&v, value, 1, 3600) != 0)
            return ohc_usage_error(cmd, "--timeout takes seconds, 1 to 3600");
        a->timeout_ms = v * 1000;
        return 0;
    case OHC_UPOPT_ATTEMPTS:
        if (parse_u32(&v, value, 1, 100) != 0)
            return ohc_usage_error(cmd, "--attempts takes 1 to 100");
        a->attempts = v;
        return 0;
    case OHC_UPOPT_RETRY_BASE:
        if (parse_u32(&v, value, 1, 3600000) != 0)
            return ohc_usage_error(cmd, "--retry-base-ms takes 1 to 3600000");
        a->retry_base_ms = v;
        return 0;
    case OHC_UPOPT_MAX_MB:
        if (parse_u32(&v, value, 1, 100000) != 0)
            return ohc_usage_error(cmd, "--spool-max-mb takes 1 to 100000");
        a->limits.max_bytes = (uint64_t)v << 20;
        return 0;
    case OHC_UPOPT_MAX_COUNT:
        if (parse_u32(&v, value, 1, 1000000) != 0)
            return ohc_usage_error(cmd, "--spool-max-count takes 1 to 1000000");
        a->limits.max_count = v;
        return 0;
    case OHC_UPOPT_MAX_DAYS:
        if (parse_u32(&v, value, 1, 3650) != 0)
            return ohc_usage_error(cmd, "--spool-max-days takes 1 to 3650");
        a->limits.max_age_days = v;
        return 0;
    default: return -1;
    }
}

const ohc_opt *ohc_upload_opts(void)
{
    return upload_opts;
}

/* The token can also come from OHC_UPLOAD_TOKEN (kept out of the command line,
 * which other users of the PC can read). */
static void token_from_env(ohc_upload_args *a)
{
    if (a->token != NULL)
        return;
    char buf[1100];
    if (ohc_os_getenv("OHC_UPLOAD_TOKEN", buf, sizeof buf) == OHC_OK && buf[0] != '\0') {
        a->token = malloc(strlen(buf) + 1);
        if (a->token != NULL)
            memcpy(a->token, buf, strlen(buf) + 1);
    }
    ohc_secret_wipe(buf, sizeof buf);
}

static void settings_log(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "ohc: settings: %s\n", msg);
}

int ohc_upload_args_apply_settings(ohc_upload_args *a)
{
    if (a->settings_applied)
        return 0;
    a->settings_applied = 1;
    if (a->token == NULL && a->token_file != NULL && read_token(&a->token, a->token_file) != 0)
        return OHC_EXIT_FAILED;
    token_from_env(a);
    ohc_config cfg;
    if (ohc_cli_config_load(&cfg, a->platform, &a->sets, settings_log, NULL) != 0) {
        ohc_config_free(&cfg);
        return OHC_EXIT_FAILED;
    }
    int rc = 0;
    const char *url = ohc_config_str(&cfg, OHC_SET_UPLOAD_URL);
    if (a->url == NULL && url[0] != '\0') {
        a->url_setting = ohc_strdup(url);
        a->url = a->url_setting;
    }
    const char *tok = ohc_config_str(&cfg, OHC_SET_UPLOAD_TOKEN);
    if (a->token == NULL && tok[0] != '\0')
        a->token = ohc_strdup(tok);
    if (!a->allow_http && ohc_config_num(&cfg, OHC_SET_ALLOW_INSECURE_HTTP))
        a->allow_http = 1;
    if (a->limits.max_bytes == 0)
        a->limits.max_bytes = (uint64_t)ohc_config_num(&cfg, OHC_SET_SPOOL_MAX_MB) << 20;
    /* the choices are the format names, in order (checked by the table) */
    if (ohc_upload_format_parse(&a->format, ohc_config_str(&cfg, OHC_SET_UPLOAD_FORMAT)) != OHC_OK)
        a->format = OHC_UPLOAD_FORMAT_REPORT;
    const char *headers = ohc_config_str(&cfg, OHC_SET_UPLOAD_HEADERS);
    if (headers[0] != '\0' && (a->headers = ohc_strdup(headers)) == NULL)
        rc = OHC_EXIT_FAILED;
    const char *index = ohc_config_str(&cfg, OHC_SET_HEC_INDEX);
    if (index[0] != '\0' && (a->hec_index = ohc_strdup(index)) == NULL)
        rc = OHC_EXIT_FAILED;
    a->batch_max_bytes = ohc_config_num(&cfg, OHC_SET_UPLOAD_BATCH_KB) * 1024u;
    if ((url[0] != '\0' && a->url == NULL) || (tok[0] != '\0' && a->token == NULL) || rc != 0) {
        ohc_cli_error("out of memory");
        rc = OHC_EXIT_FAILED;
    }
    ohc_config_free(&cfg); /* wipes nothing of ours: url and token were copied */
    return rc;
}

int ohc_upload_run(ohc_upload_args *a, const char *const *files, size_t nfiles, const char *cmd)
{
    int src = ohc_upload_args_apply_settings(a);
    if (src != 0)
        return src;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_upload_check_url(a->url, a->allow_http, &err) != OHC_OK) {
        fprintf(stderr, "ohc %s: %s\n", cmd, err.message);
        return OHC_EXIT_FAILED;
    }
    ohc_spool sp;
    if (ohc_spool_open(&sp, a->spool_dir, &a->limits, &err) != OHC_OK) {
        fprintf(stderr, "ohc %s: %s\n", cmd, err.message);
        return OHC_EXIT_FAILED;
    }
    int rc = OHC_EXIT_OK;
    for (size_t i = 0; i < nfiles; i++) {
        char *data = NULL;
        size_t len = 0;
        if (ohc_os_read_file(&data, &len, files[i], OHC_SPOOL_FILE_MAX, &err) != OHC_OK) {
            fprintf(stderr, "ohc %s: cannot read %s: %s\n", cmd, files[i], err.message);
            rc = OHC_EXIT_FAILED;
            continue;
        }
        cJSON *r = cJSON_ParseWithLength(data, len);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "report_id");
        unsigned dropped = 0;
        if (!cJSON_IsString(id)) {
            fprintf(stderr, "ohc %s: %s is not an ohc report (no report_id)\n", cmd, files[i]);
            rc = OHC_EXIT_FAILED;
        } else if (ohc_spool_add(&sp, NULL, &dropped, id->valuestring, data, len, &err) != OHC_OK) {
            fprintf(stderr, "ohc %s: cannot spool %s: %s\n", cmd, files[i], err.message);
            rc = OHC_EXIT_FAILED;
        } else if (dropped > 0) {
            fprintf(stderr, "ohc %s: spool full: dropped %u oldest report(s)\n", cmd, dropped);
        }
        cJSON_Delete(r);
        free(data);
    }

    ohc_deliver_options d;
    memset(&d, 0, sizeof d);
    d.upload.url = a->url;
    d.upload.token = a->token;
    d.upload.format = a->format;
    d.upload.headers = a->headers;
    d.upload.hec_index = a->hec_index;
    d.upload.batch_max_bytes = a->batch_max_bytes;
    d.upload.ca_file = a->ca_file;
    d.upload.allow_http = a->allow_http;
    d.upload.no_gzip = a->no_gzip;
    d.upload.timeout_ms = a->timeout_ms;
    d.upload.max_attempts = a->attempts;
    d.upload.backoff_base_ms = a->retry_base_ms;
    d.upload.proxy = a->proxy;
    d.upload.resolve_proxy = a->platform ? a->platform->resolve_proxy : NULL;
    d.console = a->quiet ? NULL : stderr; /* every attempt is in upload.log either way */
    ohc_delivery out;
    if (ohc_spool_deliver(&out, &sp, &d, &err) != OHC_OK) {
        fprintf(stderr, "ohc %s: %s\n", cmd, err.message);
        return OHC_EXIT_FAILED;
    }
    if (!a->quiet)
        printf("Upload: %u delivered, %u kept in the spool for later, %u rejected (see %s%crejected), "
               "%u quarantined\n",
               out.stats.delivered, out.stats.retried_later, out.stats.rejected, sp.dir, sp.sep, out.stats.quarantined);
    if (rc == OHC_EXIT_OK) {
        if (out.stats.rejected > 0)
            rc = OHC_EXIT_CRITICAL;
        else if (out.stats.retried_later > 0 || out.stats.quarantined > 0)
            rc = OHC_EXIT_WARNING;
    }
    return rc;
}

int ohc_cmd_upload(int argc, char **argv, const ohc_platform *platform)
{
    ohc_upload_args a;
    ohc_upload_args_init(&a, platform);
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (files == NULL)
        return OHC_EXIT_FAILED;
    size_t nfiles = 0;
    ohc_opt_state st = {1, 0, NULL, ""};
    int id, rc = -1;
    while (rc < 0 && (id = ohc_opt_next(&st, argc, argv, upload_opts)) != OHC_OPT_END) {
        if (id == OHC_OPT_POSITIONAL)
            files[nfiles++] = st.value;
        else if (id == OHC_OPT_HELP) {
            printf("Usage: ohc upload [--url URL] [--allow-http] [--spool DIR] [--set NAME=VALUE]... [FILE...]\n");
            rc = OHC_EXIT_OK;
        } else if (id == OHC_OPT_ERROR)
            rc = ohc_usage_error("upload", st.error);
        else {
            int r = ohc_upload_args_option(&a, id, st.value, "upload");
            if (r != 0)
                rc = r;
        }
    }
    if (rc < 0)
        rc = ohc_upload_run(&a, files, nfiles, "upload");
    free(files);
    ohc_upload_args_free(&a);
    return rc;
}
