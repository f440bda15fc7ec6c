/* Rule sets: loading and checking rule files, and evaluating them over a
 * report's facts into findings (format: rules/README.md).
 *
 * A rule file holds one rule set {id, version, description, rules[]}. Every
 * problem found while loading (bad JSON with line:column, unknown operator,
 * wrong arity, missing or unknown fields, duplicate rule ids, unknown severity)
 * is kept as an ohc_rule_problem; the rules that are valid are kept and
 * evaluated, the broken ones are not. Rules only read facts. */
#ifndef OHC_RULES_H
#define OHC_RULES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

/* Bounds on rule input (hostile files end in a problem, not a hang). */
#define OHC_RULES_MAX_FILE_BYTES (1024u * 1024u)
#define OHC_RULES_MAX_FILES 64u
#define OHC_RULES_MAX_RULES 1000u

typedef struct ohc_rule_problem {
    int code; /* an ohc_err: OHC_EMALFORMED (bad JSON), OHC_EINVAL (bad content), OHC_ELIMIT, OHC_EIO */
    char source[256]; /* the file ("rules/oab.json", "builtin:oab.json") */
    unsigned line; /* 1-based position of a JSON syntax error; 0 otherwise */
    unsigned column;
    char where[160]; /* JSON path inside the file ("rules[2].when.and[1]"), "" for the whole file */
    char rule_id[64]; /* the rule concerned, "" when none or unknown */
    char message[256];
} ohc_rule_problem;

typedef struct ohc_rules ohc_rules;

/* A new empty collection of rule sets. *out is the caller's (ohc_rules_free). */
int ohc_rules_new(ohc_rules **out, ohc_error *err);

void ohc_rules_free(ohc_rules *rules);

/* Parses one rule file's text (len bytes followed by a NUL) named
 * `source` in messages. Problems are recorded; the valid rules are added.
 * Returns OHC_OK (even when the file had problems) or OHC_ENOMEM. */
int ohc_rules_add_text(ohc_rules *rules, const char *source, const char *text, size_t len);

/* Loads every *.json file of dir in name order (problems recorded, as above).
 * Fails only when dir cannot be listed (OHC_ENOTFOUND, ...) or memory runs out. */
int ohc_rules_load_dir(ohc_rules *rules, const char *dir, ohc_error *err);

/* Loads the rule files built into the executable (rules/ at build time). */
int ohc_rules_load_builtin(ohc_rules *rules, ohc_error *err);

size_t ohc_rules_problem_count(const ohc_rules *rules);
/* Borrowed; valid until the next change of `rules`. */
const ohc_rule_problem *ohc_rules_problem_at(const ohc_rules *rules, size_t i);

/* "file:line:col: message" or "file: where: message [rule ID]" into buf. */
void ohc_rule_problem_format(char *buf, size_t size, const ohc_rule_problem *p);

/* Number of valid rules, and of rule sets that contributed at least one. */
size_t ohc_rules_rule_count(const ohc_rules *rules);
size_t ohc_rules_set_count(const ohc_rules *rules);

/* Evaluates every valid rule over report.facts and writes into the report:
 * findings [] (replaced; sorted critical first, then in rule order), summary
 * {highest_severity, counts, findings, rules_evaluated, rule_errors, rule_sets},
 * and, in errors [], one entry (source "rules") per load problem and per rule
 * whose evaluation failed (old "rules" entries are replaced). "Now" for time
 * rules is the report's generated_at. OHC_EINVAL when report has no facts object. */
int ohc_rules_evaluate(const ohc_rules *rules, cJSON *report, ohc_error *err);

/* Loads the rules of dir, or the built-in ones when dir is NULL, and evaluates
 * them into report (see ohc_rules_evaluate). A dir that cannot be listed is
 * recorded in report.errors and the built-in rules are used instead, so a
 * report always gets findings. Returns OHC_OK, or an error when not even
 * that was possible (out of memory, no facts). */
int ohc_rules_apply(cJSON *report, const char *dir, ohc_error *err);

/* The severity scale is verdict.h's ohc_severity_rank. */

#endif
