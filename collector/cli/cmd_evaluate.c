/* ohc evaluate REPORT.json: re-checks a saved report with the current rules,
 * so an old ticket attachment can be read with newer rules (any platform). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "os.h"
#include "report.h"
#include "rules.h"

/* A report of 1000s of BITS jobs and events stays well under this. */
#define MAX_REPORT_BYTES (64u * 1024u * 1024u)

enum { OPT_RULES = 1, OPT_FORMAT, OPT_OUT, OPT_SET };

static const ohc_opt evaluate_opts[] = {
    {"rules", 0, 1, OPT_RULES},
    {"format", 'f', 1, OPT_FORMAT},
    {"out", 'o', 1, OPT_OUT},
    {"set", 0, 1, OPT_SET},
    {NULL, 0, 0, 0},
};

static void line_col(const char *text, size_t at, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

int ohc_cmd_evaluate(int argc, char **argv, const ohc_platform *platform)
{
    const char *path = NULL, *rules_dir = NULL, *format = "json", *out_file = NULL;
    ohc_opt_state st = {1, 0, NULL, ""};
    ohc_cli_sets sets = {{NULL}, 0};
    int id, r;
    while ((id = ohc_opt_next(&st, argc, argv, evaluate_opts)) != OHC_OPT_END) {
        switch (id) {
        case OPT_RULES: rules_dir = st.value; break;
        case OPT_SET:
            if ((r = ohc_cli_sets_add(&sets, st.value, "evaluate")) != 0)
                return r;
            break;
        case OPT_FORMAT: format = st.value; break;
        case OPT_OUT: out_file = st.value; break;
        case OHC_OPT_POSITIONAL:
            if (path != NULL)
                return ohc_usage_error("evaluate", "takes one report file");
            path = st.value;
            break;
        case OHC_OPT_HELP:
            printf("Usage: ohc evaluate REPORT.json [--rules DIR] [--format json|text|html] [--out FILE] [--set "
                   "NAME=VALUE]...\n");
            return OHC_EXIT_OK;
        default: return ohc_usage_error("evaluate", st.error);
        }
    }
    if (path == NULL)
        return ohc_usage_error("evaluate", "missing REPORT.json");
    if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0 && strcmp(format, "html") != 0)
        return ohc_usage_error("evaluate", "--format must be json, text or html");

    char *text = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_os_read_file(&text, &len, path, MAX_REPORT_BYTES, &err) != OHC_OK) {
        ohc_cli_error("cannot read %s: %s", path, err.message);
        return OHC_EXIT_FAILED;
    }
    const char *end = NULL;
    cJSON *report = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1); /* sees the NUL read_file adds */
    if (report == NULL) {
        unsigned line, col;
        size_t at = end != NULL && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        line_col(text, at, &line, &col);
        ohc_cli_error("%s:%u:%u: not valid JSON", path, line, col);
        free(text);
        return OHC_EXIT_FAILED;
    }
    free(text);
    if (!cJSON_IsObject(report) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(report, "facts"))) {
        ohc_cli_error("%s: not an ohc report (no \"facts\" object)", path);
        cJSON_Delete(report);
        return OHC_EXIT_FAILED;
    }
    char *rules_setting = rules_dir ? NULL : ohc_cli_rules_dir_setting(platform, &sets); /* as collect does */
    int applied = ohc_rules_apply(report, rules_dir ? rules_dir : rules_setting, &err);
    free(rules_setting);
    if (applied != OHC_OK) {
        ohc_cli_error("evaluation failed: %s", err.message);
        cJSON_Delete(report);
        return OHC_EXIT_FAILED;
    }
    /* the same verdict and exit code as `ohc collect` (verdict.h) */
    int rc = ohc_report_exit_code(report);

    char *out = !strcmp(format, "json")   ? ohc_report_to_json(report)
                : !strcmp(format, "html") ? ohc_report_to_html(report)
                                          : ohc_report_to_text(report, out_file == NULL && ohc_os_is_terminal(1));
    cJSON_Delete(report);
    if (out == NULL) {
        ohc_cli_error("out of memory rendering the report");
        return OHC_EXIT_FAILED;
    }
    if (out_file != NULL) {
        if (ohc_os_write_file_atomic(out_file, out, strlen(out), &err) != OHC_OK) {
            ohc_cli_error("cannot write %s: %s", out_file, err.message);
            rc = OHC_EXIT_FAILED;
        }
    } else {
        fputs(out, stdout);
        fflush(stdout);
    }
    free(out);
    return rc;
}
