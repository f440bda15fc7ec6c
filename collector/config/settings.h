/* Settings: ONE declarative table (name, type, default, range, description)
 * from which the configuration reader, `ohc config show`, the service and the
 * ADMX check all work.
 *
 * Precedence, highest first:
 *   command-line flags (--set NAME=VALUE, or a command's own flag)
 *   HKLM\SOFTWARE\Policies\OutlookHealthCollector   (GPO)
 *   HKLM\SOFTWARE\OutlookHealthCollector            (installer, local admin)
 *   the built-in default from the table.
 * A value of the wrong type or out of range is untrusted input: it is logged
 * with its source and ignored as if it were not set, so the next source down
 * applies (in the end the default). It never stops a command or the service.
 *
 * Usage:
 *   ohc_config cfg;
 *   ohc_config_init(&cfg);                 // all defaults
 *   ohc_config_load(&cfg, &platform->settings, log_fn, log_ctx); // registry layers
 *   ohc_config_set_flag(&cfg, OHC_SET_UPLOAD_URL, "https://...", &err);
 *   const char *url = ohc_config_str(&cfg, OHC_SET_UPLOAD_URL);
 *   ohc_config_free(&cfg);
 * Strings returned by ohc_config_str are owned by the config and live until
 * ohc_config_free or the next change of that setting. */
#ifndef OHC_SETTINGS_H
#define OHC_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Registry keys (under HKLM) of the two registry layers. */
#define OHC_SETTINGS_POLICY_KEY "SOFTWARE\\Policies\\OutlookHealthCollector"
#define OHC_SETTINGS_LOCAL_KEY "SOFTWARE\\OutlookHealthCollector"

/* Longest string setting accepted (bytes of UTF-8, without the NUL). */
#define OHC_SETTING_STR_MAX 2048

/* The settings. Numbering is internal; names are the interface. */
typedef enum ohc_setting_id {
    OHC_SET_UPLOAD_URL = 0,
    OHC_SET_UPLOAD_TOKEN,
    OHC_SET_INTERVAL_MINUTES,
    OHC_SET_STARTUP_DELAY_MINUTES,
    OHC_SET_SPOOL_MAX_MB,
    OHC_SET_EVENT_DAYS,
    OHC_SET_RULES_DIR,
    OHC_SET_LOG_LEVEL,
    OHC_SET_ALLOW_INSECURE_HTTP,
    OHC_SET_EVENT_QUERIES,
    OHC_SET_OAB_PROBE_HOSTS,
    OHC_SET_OAB_PROBE_SERVICE,
    OHC_SET_OAB_PROBE_DAILY_LIMIT,
    OHC_SET_EVENTLOG_FINDINGS,
    OHC_SET_UPLOAD_FORMAT,
    OHC_SET_UPLOAD_HEADERS,
    OHC_SET_UPLOAD_BATCH_KB,
    OHC_SET_HEC_INDEX,
    OHC_SETTING_COUNT
} ohc_setting_id;

typedef enum ohc_setting_type {
    OHC_SETTING_STRING = 0, /* REG_SZ (REG_EXPAND_SZ is read too, unexpanded) */
    OHC_SETTING_NUMBER, /* REG_DWORD, within [min, max] */
    OHC_SETTING_BOOL, /* REG_DWORD 0 or 1 */
    OHC_SETTING_ENUM, /* REG_SZ, one of choices (case-insensitive) */
    OHC_SETTING_LIST /* REG_MULTI_SZ (or REG_SZ for one line): lines, each checked by check();
                               held as one string, lines separated by '\n' */
} ohc_setting_type;

enum {
    OHC_SETTING_SECRET = 1u << 0, /* never printed or logged: shown as "********" */
    OHC_SETTING_NONEMPTY = 1u << 1
};

typedef struct ohc_setting_def {
    ohc_setting_id id;
    const char *name; /* registry value name and --set name: "UploadUrl" */
    ohc_setting_type type;
    const char *default_str; /* STRING / ENUM default */
    uint32_t default_num; /* NUMBER / BOOL default */
    uint32_t min, max; /* NUMBER range (inclusive); BOOL is 0..1 */
    const char *const *choices; /* ENUM: NULL-terminated list */
    unsigned flags; /* OHC_SETTING_* */
    const char *unit; /* "minutes", "MB", ... or NULL */
    const char *description; /* one sentence, also the ADMX explain text's gist */
    /* Further check of a STRING or LIST value (NULL: none): 0 when good, else
     * non-zero with the reason in why (never the value of a secret). */
    int (*check)(const char *value, char *why, size_t why_size);
} ohc_setting_def;

/* The table, in display order; static. */
const ohc_setting_def *ohc_settings_table(size_t *out_count);

/* The definition of a name (case-insensitive), or NULL. */
const ohc_setting_def *ohc_settings_find(const char *name);

/* Where an effective value came from. */
typedef enum ohc_setting_source {
    OHC_SOURCE_DEFAULT = 0,
    OHC_SOURCE_LOCAL, /* HKLM\SOFTWARE\OutlookHealthCollector */
    OHC_SOURCE_POLICY, /* HKLM\SOFTWARE\Policies\OutlookHealthCollector */
    OHC_SOURCE_FLAG /* the command line */
} ohc_setting_source;

/* "default", "local", "policy", "flag". */
const char *ohc_setting_source_name(ohc_setting_source source);
/* "built-in default", "HKLM\SOFTWARE\OutlookHealthCollector", ... */
const char *ohc_setting_source_where(ohc_setting_source source);

typedef struct ohc_setting_value {
    ohc_setting_source source;
    char *str; /* STRING / ENUM: owned, never NULL after init */
    uint32_t num; /* NUMBER / BOOL */
    char note[192]; /* why a value from some source was ignored ("" when none) */
} ohc_setting_value;

typedef struct ohc_config {
    ohc_setting_value v[OHC_SETTING_COUNT];
    /* A registry layer that refused to be read (access denied: the local key
     * is for SYSTEM and Administrators only) is said once, here and in one
     * log line, not once per setting. [0] policy, [1] local; "" when none. */
    char layer_note[2][192];
} ohc_config;

/* Log sink for problems found while reading (bad values). msg is one line,
 * without any secret value. */
typedef void (*ohc_config_log_fn)(void *ctx, const char *msg);

/* Sets every setting to its default. Returns OHC_ENOMEM on failure (cfg is
 * then still safe to free). */
int ohc_config_init(ohc_config *cfg);
void ohc_config_free(ohc_config *cfg);

/* A raw value as a registry layer holds it. */
typedef enum ohc_raw_type {
    OHC_RAW_STRING = 0,
    OHC_RAW_DWORD,
    OHC_RAW_MULTI, /* REG_MULTI_SZ: str holds the strings separated by '\n' */
    OHC_RAW_OTHER
} ohc_raw_type;
typedef struct ohc_raw_value {
    ohc_raw_type type;
    uint32_t dword; /* OHC_RAW_DWORD */
    char str[OHC_SETTING_STR_MAX + 1]; /* OHC_RAW_STRING / MULTI, UTF-8, NUL-terminated */
    int truncated; /* the stored string was longer than OHC_SETTING_STR_MAX */
    uint32_t os_type; /* the platform's type code (REG_*), for messages */
} ohc_raw_value;

/* Reads value `name` of a layer (OHC_SOURCE_LOCAL or OHC_SOURCE_POLICY) into
 * *out. Returns OHC_OK, OHC_ENOTFOUND (key or value absent), OHC_EACCESS (the
 * layer cannot be read at all: not asked again for the other settings) or
 * another error (logged, treated as absent). */
typedef int (*ohc_config_reader_fn)(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name,
                                    ohc_error *err);

/* Applies the two registry layers through `reader` (tests pass a fake).
 * Keeps flags already set: call it before or after ohc_config_set_flag, the
 * flag wins either way. reader NULL: no layer (every value keeps its default
 * or flag). */
void ohc_config_load_with(ohc_config *cfg, ohc_config_reader_fn reader, void *reader_ctx, ohc_config_log_fn log,
                          void *log_ctx);

/* Writes `value` (a REG_SZ, REG_MULTI_SZ or REG_DWORD; NULL deletes it) as value `name`
 * of the local layer, HKLM\SOFTWARE\OutlookHealthCollector, creating the key
 * (`ohc config set`, which the installer runs). */
typedef int (*ohc_config_writer_fn)(const char *name, const ohc_raw_value *value, ohc_error *err);

/* The platform's machine store of settings (win32/platform/settings_win32.c:
 * the registry). POSIX has none: both NULL. */
typedef struct ohc_settings_store {
    ohc_config_reader_fn read; /* NULL: no registry layers */
    void *read_ctx;
    ohc_config_writer_fn write; /* NULL: `config set` is refused (OHC_EUNAVAILABLE) */
} ohc_settings_store;

/* ohc_config_load_with the store's reader; store may be NULL (no layers). */
void ohc_config_load(ohc_config *cfg, const ohc_settings_store *store, ohc_config_log_fn log, void *log_ctx);

/* The raw form of a setting's effective value, for writing it back. */
void ohc_config_to_raw(ohc_raw_value *out, const ohc_config *cfg, ohc_setting_id id);

/* Sets a setting from command-line text ("240", "true", "https://..."), with
 * source OHC_SOURCE_FLAG. A bad value is refused with OHC_EINVAL and a message
 * in *err (the setting keeps its value): a flag is the user's typo, not
 * deployed state, so the command should stop. */
int ohc_config_set_flag(ohc_config *cfg, ohc_setting_id id, const char *text, ohc_error *err);

/* "NAME=VALUE" form of ohc_config_set_flag (for --set). */
int ohc_config_set_assignment(ohc_config *cfg, const char *assignment, ohc_error *err);

/* Effective values. ohc_config_str never returns NULL. */
const char *ohc_config_str(const ohc_config *cfg, ohc_setting_id id);
uint32_t ohc_config_num(const ohc_config *cfg, ohc_setting_id id);
ohc_setting_source ohc_config_source(const ohc_config *cfg, ohc_setting_id id);

/* The value as `config show` prints it: secrets masked, strings as they are,
 * numbers in decimal, booleans 0/1. Returns buf. */
const char *ohc_config_display(const ohc_config *cfg, ohc_setting_id id, char *buf, size_t size);

#endif
