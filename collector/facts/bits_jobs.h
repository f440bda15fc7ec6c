/* The `bits` probe's portable half: the BITS enumerations as names, the OAB
 * URL test, FILETIME conversion, the job-limit policy, and the conversion of
 * what win32/probe_bits.c read through the BITS COM API into the facts of
 * FACTS.md (bits: enumeration, service, jobs, summary).
 *
 * The OS half fills plain structs; nothing here calls the OS, so native tests
 * reach every decision (names, OAB recognition, summaries, limits, caps).
 * Name functions return static strings, or NULL for a value that has no
 * documented name (the number is then reported raw, never guessed). */
#ifndef OHC_BITS_JOBS_H
#define OHC_BITS_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

/* Documented defaults (CreateJob): 60 jobs per user (not applied to
 * administrators and services), 300 per machine. */
#define OHC_BITS_DEFAULT_MAX_JOBS_PER_USER 60u
#define OHC_BITS_DEFAULT_MAX_JOBS_PER_MACHINE 300u
#define OHC_BITS_DEFAULT_MAX_JOBS 1000u /* how many jobs the probe reads at most */
#define OHC_BITS_MAX_URLS_PER_JOB 20u /* remote URLs kept per job */
#define OHC_BITS_MAX_PROPERTY_ERRORS 16u
#define OHC_BITS_NEAR_LIMIT_PERCENT 90u

/* BG_JOB_STATE: "QUEUED" .. "CANCELLED" (0..8). */
const char *ohc_bits_state_name(int64_t state);
/* BG_JOB_TYPE: "DOWNLOAD", "UPLOAD", "UPLOAD_REPLY". */
const char *ohc_bits_job_type_name(int64_t type);
/* BG_JOB_PRIORITY: "FOREGROUND", "HIGH", "NORMAL", "LOW". */
const char *ohc_bits_priority_name(int64_t priority);
/* BG_ERROR_CONTEXT: "NONE", "UNKNOWN", "GENERAL_QUEUE_MANAGER",
 * "QUEUE_MANAGER_NOTIFICATION", "LOCAL_FILE", "REMOTE_FILE",
 * "GENERAL_TRANSPORT", "REMOTE_APPLICATION". */
const char *ohc_bits_error_context_name(int64_t context);
/* BG_JOB_PROXY_USAGE: "PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT". */
const char *ohc_bits_proxy_usage_name(int64_t usage);

/* Non-zero when a remote URL points at an Offline Address Book file: a folder
 * "OAB" in its path, or a last path segment oab.xml or <name>.lzx (ASCII
 * case-insensitive). Only the path is looked at: not the scheme, user, host
 * or port (a server named "oab" is no OAB), not the query or fragment. '\'
 * counts as a separator (UNC names); a URL without "://" is all path. NULL or
 * "" gives 0. The one OAB test of ohc: BITS jobs (ohc_bits_job_is_oab) and
 * BITS client events (bits_client_events.h) both use it. Reads url only. */
int ohc_bits_url_is_oab(const char *url);

/* The OAB GUID of an OAB URL: the 8-4-4-4-12 hex segment right after a path
 * segment "OAB" (https://mail.contoso.com/OAB/<guid>/oab.xml), in lower
 * case, into out (NUL-terminated). Returns 1 when found, else 0 with out "".
 * The same path rules as ohc_bits_url_is_oab; reads url only. */
int ohc_bits_url_oab_guid(char out[37], const char *url);

/* A Windows FILETIME (100 ns since 1601) as ms since 1970. A zero FILETIME
 * means "never" in BITS (a job not completed): OHC_ENOTFOUND then.
 * OHC_ELIMIT for a value past year 9999. */
int ohc_bits_filetime_to_unix_ms(int64_t *out, uint64_t filetime);

/* One MaxJobsPer* policy value as read from the registry. */
typedef struct ohc_bits_policy_value {
    int present; /* the value exists */
    int is_dword; /* ... and is a REG_DWORD (anything else is ignored: BITS ignores it too) */
    uint32_t value;
} ohc_bits_policy_value;

typedef struct ohc_bits_limits {
    uint32_t max_jobs_per_user;
    const char *max_jobs_per_user_source; /* "policy" | "default" (static) */
    uint32_t max_jobs_per_machine;
    const char *max_jobs_per_machine_source;
} ohc_bits_limits;

/* The effective limits: a present REG_DWORD policy value wins, else the
 * documented default. */
void ohc_bits_limits_resolve(ohc_bits_limits *out, const ohc_bits_policy_value *per_user,
                             const ohc_bits_policy_value *per_machine);

/* One job as the OS half read it. Strings are heap copies (UTF-8) owned by
 * the job and freed by ohc_bits_job_clear; NULL means "not read" (the reason
 * is in property_errors) or "empty" where the API has no value. Numbers
 * use -1 / INT64_MIN for "not read". */
typedef struct ohc_bits_property_error {
    const char *property; /* static: "owner", "times", ... */
    uint32_t hr;
} ohc_bits_property_error;

typedef struct ohc_bits_job {
    char id[39]; /* "{xxxxxxxx-...}" */
    char *display_name;
    char *description;
    char *owner_sid;
    char *owner; /* DOMAIN\user, NULL when it does not resolve */
    const char *owner_source; /* static: "job" (GetOwner), "own_jobs_enumeration", or NULL */
    int64_t type, state, priority;
    int have_progress;
    uint64_t files_total, files_transferred, bytes_total, bytes_transferred; /* UINT64_MAX: unknown */
    int have_times;
    uint64_t created_ft, modified_ft, completed_ft; /* FILETIMEs */
    int64_t error_count;
    int64_t proxy_usage;
    char *proxy_list, *proxy_bypass;
    int have_error; /* GetError answered */
    uint32_t error_hr;
    int64_t error_context;
    char *error_description, *error_remote_url, *error_local_name;
    char **urls; /* remote URLs of the job's files, at most OHC_BITS_MAX_URLS_PER_JOB */
    size_t url_count;
    int urls_capped; /* the job has more files than urls holds */
    ohc_bits_property_error property_errors[OHC_BITS_MAX_PROPERTY_ERRORS];
    size_t property_error_count;
} ohc_bits_job;

/* Sets every field to "not read". */
void ohc_bits_job_init(ohc_bits_job *job);
/* Frees what the job owns and re-initialises it. */
void ohc_bits_job_clear(ohc_bits_job *job);
/* Records that reading `property` (static string) failed with hr; extra
 * errors past the bound are dropped (the count is bounded, not the job). */
void ohc_bits_job_property_error(ohc_bits_job *job, const char *property, uint32_t hr);
/* Adds a copy of url; past OHC_BITS_MAX_URLS_PER_JOB it sets urls_capped
 * instead. OHC_OK or OHC_ENOMEM. */
int ohc_bits_job_add_url(ohc_bits_job *job, const char *url);
/* Non-zero when one of the job's URLs (or its error file) is an OAB URL. */
int ohc_bits_job_is_oab(const ohc_bits_job *job);

/* The state of the BITS service as the service manager reports it. */
typedef struct ohc_bits_service {
    int known; /* the service manager answered */
    const char *state; /* static: "running", "stopped", "start_pending", ... or NULL */
    const char *start_type; /* static: "auto", "manual", "disabled", ... or NULL */
    int started_by_activation; /* it was stopped and connecting started it (demand start) */
} ohc_bits_service;

/* Everything one collection found. */
typedef struct ohc_bits_collection {
    const char *scope; /* static: "all_users" | "own_jobs" | NULL (no enumeration) */
    char reason[256]; /* why scope is own_jobs / why the list is incomplete; "" = none */
    int capped; /* more jobs than max_jobs */
    int time_budget_hit; /* the time budget ended the enumeration early */
    uint32_t max_jobs;
    ohc_bits_service service;
    ohc_bits_limits limits;
    ohc_bits_job *jobs; /* owned; ohc_bits_collection_clear frees */
    size_t job_count, job_capacity;
} ohc_bits_collection;

void ohc_bits_collection_init(ohc_bits_collection *c, uint32_t max_jobs);
void ohc_bits_collection_clear(ohc_bits_collection *c);
/* A new zero-initialised (ohc_bits_job_init) job at the end of c->jobs, or
 * NULL on no memory. The collection owns it. */
ohc_bits_job *ohc_bits_collection_add_job(ohc_bits_collection *c);

/* The facts object {enumeration, service, jobs [], summary} (caller owns), or
 * NULL on no memory. */
cJSON *ohc_bits_collection_to_json(const ohc_bits_collection *c);

#endif
