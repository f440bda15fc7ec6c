/* The upload command's options and run, shared by `ohc upload` and
 * `ohc collect --upload` (collector/cli/cmd_upload.c). */
#ifndef OHC_CMD_UPLOAD_H
#define OHC_CMD_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "spool.h"
#include "upload_format.h"

/* Option ids (>= 100 so that a command can mix them with its own). */
enum {
    OHC_UPOPT_URL = 100,
    OHC_UPOPT_ALLOW_HTTP,
    OHC_UPOPT_SPOOL,
    OHC_UPOPT_TOKEN_FILE,
    OHC_UPOPT_CA_FILE,
    OHC_UPOPT_PROXY,
    OHC_UPOPT_TIMEOUT,
    OHC_UPOPT_ATTEMPTS,
    OHC_UPOPT_RETRY_BASE,
    OHC_UPOPT_NO_GZIP,
    OHC_UPOPT_MAX_MB,
    OHC_UPOPT_MAX_COUNT,
    OHC_UPOPT_MAX_DAYS,
    OHC_UPOPT_QUIET,
    OHC_UPOPT_SET
};

typedef struct ohc_upload_args {
    const ohc_platform *platform; /* settings store and proxy resolver; borrowed */
    const char *url, *spool_dir, *ca_file, *proxy, *token_file; /* borrowed from argv */
    char *token; /* read by ohc_upload_run; owned, wiped by ohc_upload_args_free */
    char *url_setting; /* UploadUrl when --url is absent; owned */
    ohc_cli_sets sets; /* --set NAME=VALUE: above the registry layers */
    ohc_upload_format format; /* UploadFormat */
    char *headers; /* UploadHeaders (a secret); owned, wiped by ohc_upload_args_free */
    char *hec_index; /* HecIndex; owned */
    uint32_t batch_max_bytes; /* UploadBatchKB */
    int settings_applied;
    int allow_http, no_gzip, quiet;
    uint32_t timeout_ms, attempts, retry_base_ms;
    ohc_spool_limits limits;
} ohc_upload_args;

void ohc_upload_args_init(ohc_upload_args *a, const ohc_platform *platform);
void ohc_upload_args_free(ohc_upload_args *a);

/* The options `ohc collect --upload` takes as well as `ohc upload`: entries
 * of an ohc_opt table, written once here and spliced into both commands'
 * tables (cmd_upload.c, cmd_collect.c), ids handled by ohc_upload_args_option. */
#define OHC_UPLOAD_COMMON_OPTS                                                                                         \
    {"url", 0, 1, OHC_UPOPT_URL}, {"allow-http", 0, 0, OHC_UPOPT_ALLOW_HTTP}, {"spool", 0, 1, OHC_UPOPT_SPOOL},        \
        {"token-file", 0, 1, OHC_UPOPT_TOKEN_FILE}, {"ca-file", 0, 1, OHC_UPOPT_CA_FILE},                              \
        {"proxy", 0, 1, OHC_UPOPT_PROXY}, {"set", 0, 1, OHC_UPOPT_SET},                                                \
    {                                                                                                                  \
        "timeout", 0, 1, OHC_UPOPT_TIMEOUT                                                                             \
    }

/* All options of `ohc upload`: OHC_UPLOAD_COMMON_OPTS, then those of the
 * upload command alone (an ohc_opt table ending with a NULL name). Static. */
const ohc_opt *ohc_upload_opts(void);

/* Applies one option; 0, or an exit code (usage error printed). -1 when id is
 * not an upload option. */
int ohc_upload_args_option(ohc_upload_args *a, int id, const char *value, const char *cmd);

/* Fills what the command line left open from the settings (collector/
 * settings.h: UploadUrl, UploadToken, AllowInsecureHttp, SpoolMaxMB,
 * UploadFormat, UploadHeaders, UploadBatchKB, HecIndex; --set and flags win) and the token from --token-file or OHC_UPLOAD_TOKEN. Once; 0 or an
 * exit code (message printed). ohc_upload_run calls it too. */
int ohc_upload_args_apply_settings(ohc_upload_args *a);

/* Spools the files (reports), then delivers the spool (collector/pipeline/
 * deliver.h: every attempt in upload.log, and on stderr unless quiet).
 * Returns the exit code:
 * 0 all delivered, 1 some kept in the spool for later (or quarantined), 2 some
 * rejected by the server, 3 the command failed (no URL, spool unusable...). */
int ohc_upload_run(ohc_upload_args *a, const char *const *files, size_t nfiles, const char *cmd);

#endif
