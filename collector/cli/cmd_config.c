/* ohc config show: the effective configuration, where each value came from,
 * and the settings table itself (--format json, which the ADMX test reads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "settings.h"

enum { OPT_FORMAT = 1, OPT_SET };

static const ohc_opt config_opts[] = {
    {"format", 'f', 1, OPT_FORMAT},
    {"set", 0, 1, OPT_SET},
    {NULL, 0, 0, 0},
};

static const char *type_name(ohc_setting_type t)
{
    switch (t) {
    case OHC_SETTING_STRING: return "string";
    case OHC_SETTING_NUMBER: return "number";
    case OHC_SETTING_BOOL: return "bool";
    case OHC_SETTING_ENUM: return "enum";
    case OHC_SETTING_LIST: return "list";
    }
    return "?";
}

static void log_to_stderr(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "ohc config: %s\n", msg);
}

static cJSON *settings_json(const ohc_config *cfg)
{
    size_t n;
    const ohc_setting_def *defs = ohc_settings_table(&n);
    cJSON *root = cJSON_CreateObject();
    cJSON *keys = cJSON_AddObjectToObject(root, "registry_keys");
    cJSON_AddStringToObject(keys, "policy", "HKLM\\" OHC_SETTINGS_POLICY_KEY);
    cJSON_AddStringToObject(keys, "local", "HKLM\\" OHC_SETTINGS_LOCAL_KEY);
    cJSON *unread = cJSON_AddArrayToObject(root, "unreadable_layers");
    for (int l = 0; l < 2; l++)
        if (cfg->layer_note[l][0])
            cJSON_AddItemToArray(unread, cJSON_CreateString(cfg->layer_note[l]));
    cJSON *arr = cJSON_AddArrayToObject(root, "settings");
    for (size_t i = 0; i < n; i++) {
        const ohc_setting_def *d = &defs[i];
        char shown[OHC_SETTING_STR_MAX + 16];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "name", d->name);
        cJSON_AddStringToObject(o, "type", type_name(d->type));
        cJSON_AddStringToObject(o, "registry_type",
                                d->type == OHC_SETTING_NUMBER || d->type == OHC_SETTING_BOOL ? "REG_DWORD"
                                : d->type == OHC_SETTING_LIST                                ? "REG_MULTI_SZ"
                                                                                             : "REG_SZ");
        ohc_config_display(cfg, d->id, shown, sizeof shown);
        if (d->type == OHC_SETTING_NUMBER || d->type == OHC_SETTING_BOOL) {
            cJSON_AddNumberToObject(o, "value", ohc_config_num(cfg, d->id));
            cJSON_AddNumberToObject(o, "default", d->default_num);
            cJSON_AddNumberToObject(o, "min", d->min);
            cJSON_AddNumberToObject(o, "max", d->max);
        } else {
            cJSON_AddStringToObject(o, "value", shown);
            cJSON_AddStringToObject(o, "default", d->default_str ? d->default_str : "");
        }
        if (d->choices) {
            cJSON *c = cJSON_AddArrayToObject(o, "choices");
            for (const char *const *p = d->choices; *p; p++)
                cJSON_AddItemToArray(c, cJSON_CreateString(*p));
        }
        cJSON_AddBoolToObject(o, "secret", (d->flags & OHC_SETTING_SECRET) != 0);
        ohc_setting_source src = ohc_config_source(cfg, d->id);
        cJSON_AddStringToObject(o, "source", ohc_setting_source_name(src));
        cJSON_AddStringToObject(o, "where", ohc_setting_source_where(src));
        if (d->unit)
            cJSON_AddStringToObject(o, "unit", d->unit);
        else
            cJSON_AddNullToObject(o, "unit");
        cJSON_AddStringToObject(o, "description", d->description);
        if (cfg->v[d->id].note[0])
            cJSON_AddStringToObject(o, "note", cfg->v[d->id].note);
        else
            cJSON_AddNullToObject(o, "note");
    }
    return root;
}

static void print_text(const ohc_config *cfg)
{
    size_t n;
    const ohc_setting_def *defs = ohc_settings_table(&n);
    for (int l = 0; l < 2; l++)
        if (cfg->layer_note[l][0])
            printf("! %s\n\n", cfg->layer_note[l]);
    printf("%-20s %-40s %s\n", "Setting", "Value", "Source");
    for (size_t i = 0; i < n; i++) {
        const ohc_setting_def *d = &defs[i];
        char shown[OHC_SETTING_STR_MAX + 16];
        ohc_config_display(cfg, d->id, shown, sizeof shown);
        ohc_setting_source src = ohc_config_source(cfg, d->id);
        /* a list shows its first line here and the others below it */
        char *more = strchr(shown, '\n');
        if (more != NULL)
            *more++ = '\0';
        printf("%-20s %-40s %s", d->name, shown[0] ? shown : "(empty)", ohc_setting_source_name(src));
        if (src != OHC_SOURCE_DEFAULT)
            printf(" (%s)", ohc_setting_source_where(src));
        putchar('\n');
        while (more != NULL) {
            char *next = strchr(more, '\n');
            if (next != NULL)
                *next++ = '\0';
            printf("%-20s %s\n", "", more);
            more = next;
        }
        if (cfg->v[d->id].note[0])
            printf("  ! %s\n", cfg->v[d->id].note);
    }
    printf("\nPrecedence: command line > HKLM\\%s (GPO) > HKLM\\%s > built-in default.\n", OHC_SETTINGS_POLICY_KEY,
           OHC_SETTINGS_LOCAL_KEY);
}

enum { OPT_SKIP_EMPTY = 1 };

static const ohc_opt set_opts[] = {
    {"skip-empty", 0, 0, OPT_SKIP_EMPTY},
    {NULL, 0, 0, 0},
};

static const ohc_opt no_opts[] = {{NULL, 0, 0, 0}};

/* ohc config set [--skip-empty] NAME=VALUE... / ohc config unset NAME...:
 * every value is checked against the table first; nothing is written unless
 * all are valid. --skip-empty ignores NAME= (the installer passes every
 * property, set or not). */
static int cmd_set(int argc, char **argv, int unset, const ohc_platform *platform)
{
    const char *cmd = unset ? "config unset" : "config set";
    int skip_empty = 0, rc = OHC_EXIT_OK;
    ohc_config cfg;
    int written[OHC_SETTING_COUNT] = {0};
    if (ohc_config_init(&cfg) != OHC_OK) {
        ohc_config_free(&cfg);
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    ohc_opt_state st = {2, 0, NULL, ""};
    int id;
    while (rc == OHC_EXIT_OK && (id = ohc_opt_next(&st, argc, argv, unset ? no_opts : set_opts)) != OHC_OPT_END) {
        ohc_error err;
        ohc_error_clear(&err);
        if (id == OPT_SKIP_EMPTY && !unset) {
            skip_empty = 1;
        } else if (id == OHC_OPT_POSITIONAL) {
            const char *eq = strchr(st.value, '=');
            const ohc_setting_def *d = NULL;
            if (unset) {
                d = ohc_settings_find(st.value);
                if (d == NULL)
                    rc = ohc_usage_error(cmd, "unknown setting");
            } else if (skip_empty && eq != NULL && eq[1] == '\0') {
                continue;
            } else if (ohc_config_set_assignment(&cfg, st.value, &err) != OHC_OK) {
                rc = ohc_usage_error(cmd, err.message);
            } else {
                char name[64];
                size_t len = (size_t)(eq - st.value);
                snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), st.value);
                d = ohc_settings_find(name);
            }
            if (d != NULL)
                written[d->id] = 1;
        } else if (id == OHC_OPT_HELP) {
            printf("Usage: ohc %s\n", unset ? "config unset NAME..." : "config set [--skip-empty] NAME=VALUE...");
            ohc_config_free(&cfg);
            return OHC_EXIT_OK;
        } else {
            rc = ohc_usage_error(cmd, st.error);
        }
    }
    ohc_raw_value *raw = calloc(1, sizeof *raw);
    if (raw == NULL)
        rc = OHC_EXIT_FAILED;
    for (int i = 0; rc == OHC_EXIT_OK && i < OHC_SETTING_COUNT; i++) {
        if (!written[i])
            continue;
        size_t count;
        const ohc_setting_def *d = &ohc_settings_table(&count)[i];
        ohc_error err;
        ohc_error_clear(&err);
        ohc_config_to_raw(raw, &cfg, (ohc_setting_id)i);
        if (platform->settings.write == NULL)
            ohc_error_set(&err, OHC_EUNAVAILABLE, 0, "this build has no machine configuration store");
        if (platform->settings.write == NULL || platform->settings.write(d->name, unset ? NULL : raw, &err) != OHC_OK) {
            ohc_cli_error("%s: %s", d->name, err.message);
            rc = OHC_EXIT_FAILED;
        } else {
            char shown[OHC_SETTING_STR_MAX + 16];
            if (unset)
                printf("%s removed from HKLM\\%s\n", d->name, OHC_SETTINGS_LOCAL_KEY);
            else
                printf("%s = %s written to HKLM\\%s\n", d->name, ohc_config_display(&cfg, d->id, shown, sizeof shown),
                       OHC_SETTINGS_LOCAL_KEY);
        }
    }
    if (raw != NULL) {
        memset(raw, 0, sizeof *raw);
        free(raw);
    }
    ohc_config_free(&cfg);
    return rc;
}

int ohc_cmd_config(int argc, char **argv, const ohc_platform *platform)
{
    if (argc >= 2 && !strcmp(argv[1], "set"))
        return cmd_set(argc, argv, 0, platform);
    if (argc >= 2 && !strcmp(argv[1], "unset"))
        return cmd_set(argc, argv, 1, platform);
    if (argc < 2 || strcmp(argv[1], "show") != 0)
        return ohc_usage_error("config", argc < 2 ? "expected show, set or unset" : "unknown subcommand");
    const char *format = "text";
    ohc_config cfg;
    if (ohc_config_init(&cfg) != OHC_OK) {
        ohc_config_free(&cfg);
        ohc_cli_error("out of memory");
        return OHC_EXIT_FAILED;
    }
    ohc_opt_state st = {2, 0, NULL, ""};
    int id, rc = OHC_EXIT_OK;
    while (rc == OHC_EXIT_OK && (id = ohc_opt_next(&st, argc, argv, config_opts)) != OHC_OPT_END) {
        ohc_error err;
        ohc_error_clear(&err);
        switch (id) {
        case OPT_FORMAT: format = st.value; break;
        case OPT_SET:
            if (ohc_config_set_assignment(&cfg, st.value, &err) != OHC_OK)
                rc = ohc_usage_error("config", err.message);
            break;
        case OHC_OPT_POSITIONAL: rc = ohc_usage_error("config", "show takes no positional arguments"); break;
        case OHC_OPT_HELP:
            printf("Usage: ohc config show [--format text|json] [--set NAME=VALUE]...\n");
            ohc_config_free(&cfg);
            return OHC_EXIT_OK;
        default: rc = ohc_usage_error("config", st.error); break;
        }
    }
    if (rc == OHC_EXIT_OK && strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        rc = ohc_usage_error("config", "--format must be text or json");
    if (rc != OHC_EXIT_OK) {
        ohc_config_free(&cfg);
        return rc;
    }
    ohc_config_load(&cfg, &platform->settings, log_to_stderr, NULL);
    if (!strcmp(format, "json")) {
        cJSON *root = settings_json(&cfg);
        char *s = root ? cJSON_Print(root) : NULL;
        if (s == NULL) {
            ohc_cli_error("out of memory");
            rc = OHC_EXIT_FAILED;
        } else {
            printf("%s\n", s);
        }
        free(s);
        cJSON_Delete(root);
    } else {
        print_text(&cfg);
    }
    ohc_config_free(&cfg);
    return rc;
}
