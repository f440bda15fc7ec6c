/* ohc rules check [DIR]: loads rule files and lists every problem precisely. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rules.h"

static const ohc_opt rules_opts[] = {{NULL, 0, 0, 0}};

int ohc_cmd_rules(int argc, char **argv, const ohc_platform *platform)
{
    (void)platform;
    const char *sub = NULL, *dir = NULL;
    ohc_opt_state st = {1, 0, NULL, ""};
    int id;
    while ((id = ohc_opt_next(&st, argc, argv, rules_opts)) != OHC_OPT_END) {
        if (id == OHC_OPT_HELP) {
            printf("Usage: ohc rules check [DIR]\n  Checks DIR/*.json (default: the built-in rules).\n");
            return OHC_EXIT_OK;
        }
        if (id != OHC_OPT_POSITIONAL)
            return ohc_usage_error("rules", st.error);
        if (sub == NULL)
            sub = st.value;
        else if (dir == NULL)
            dir = st.value;
        else
            return ohc_usage_error("rules", "too many arguments");
    }
    if (sub == NULL || strcmp(sub, "check") != 0)
        return ohc_usage_error("rules", sub == NULL ? "missing subcommand (check)" : "unknown subcommand");

    ohc_rules *rules = NULL;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_rules_new(&rules, &err) != OHC_OK) {
        ohc_cli_error("%s", err.message);
        return OHC_EXIT_FAILED;
    }
    int rc = dir ? ohc_rules_load_dir(rules, dir, &err) : ohc_rules_load_builtin(rules, &err);
    if (rc != OHC_OK) {
        ohc_cli_error("cannot read rules directory %s: %s", dir ? dir : "(built-in)", err.message);
        ohc_rules_free(rules);
        return OHC_EXIT_FAILED;
    }
    size_t n = ohc_rules_problem_count(rules);
    for (size_t i = 0; i < n; i++) {
        char line[768];
        ohc_rule_problem_format(line, sizeof line, ohc_rules_problem_at(rules, i));
        printf("%s\n", line);
    }
    printf("%s: %zu rule set(s), %zu valid rule(s), %zu problem(s)\n", dir ? dir : "built-in rules",
           ohc_rules_set_count(rules), ohc_rules_rule_count(rules), n);
    ohc_rules_free(rules);
    return n ? OHC_EXIT_CRITICAL : OHC_EXIT_OK;
}
