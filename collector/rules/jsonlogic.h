/* JSON Logic (jsonlogic.com) on cJSON, for the rules.
 *
 * All operators of the specification: var, missing, missing_some, if, ?:, ==, ===,
 * !=, !==, !, !!, or, and, >, >=, <, <= (with the three-argument "between" form),
 * max, min, + - * / %, map, filter, reduce, all, none, some, merge, in, cat, substr.
 * Values follow JavaScript's coercions as the reference implementation does.
 *
 * Extensions for ohc's facts (documented in rules/README.md):
 *   {"band": [a, b]}          bitwise AND of two unsigned 32-bit numbers
 *   {"hex": "0x80190194"}     hex text to a number (null when it is not hex)
 *   {"count": [array]}        number of elements; {"count": [array, logic]} those where logic is truthy
 *   {"ieq": [a, b]}           strings equal ignoring ASCII case
 *   {"icontains": [hay, n]}   hay (string) contains n, or hay (array) has an element ieq n
 *   {"hours_since": time}     hours from an RFC 3339 UTC time to the evaluation's "now"
 *
 * Hostile rules and data are bounded: a rule nested deeper than max_depth is an
 * error (the evaluator recurses only along the rule, never along the data), every
 * step of work counts against max_steps (a map over a huge array ends with
 * OHC_ELIMIT, not a hang), strings built by cat/substr are capped at max_string.
 * Data is never evaluated as logic. */
#ifndef OHC_JSONLOGIC_H
#define OHC_JSONLOGIC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

typedef struct ohc_jl_options {
    unsigned max_depth; /* nesting of the rule; 0 = default (64) */
    uint64_t max_steps; /* work per evaluation; 0 = default (1 000 000) */
    size_t max_string; /* bytes of a built string; 0 = default (1 MiB) */
    int64_t now_ms; /* "now" for hours_since (ms since 1970, UTC); 0 = the clock */
} ohc_jl_options;

/* Evaluates `logic` against `data` (either may be NULL, meaning null).
 * On success *out is a new value owned by the caller (cJSON_Delete). It may
 * share arrays, objects and strings with `data` or `logic` (cJSON reference
 * nodes): use it before freeing them, or cJSON_Duplicate it. It never shares
 * anything with the evaluation's own intermediate values.
 * Errors: OHC_EINVAL unknown operator or bad arguments, OHC_ELIMIT depth, work
 * or size bound, OHC_ENOMEM. *out is NULL then and err says what and where. */
int ohc_jl_apply(cJSON **out, const cJSON *logic, const cJSON *data, const ohc_jl_options *opts, ohc_error *err);

/* Evaluates `logic` and tells only whether the result is truthy (no copy of
 * the result is made). *out is 0 on error. */
int ohc_jl_test(int *out, const cJSON *logic, const cJSON *data, const ohc_jl_options *opts, ohc_error *err);

/* Checks a rule without data: every operator is known, has an allowed number
 * of arguments, and nesting stays within max_depth. err->message names the
 * place as a path ("and[1].var: ..."). OHC_OK or OHC_EINVAL / OHC_ELIMIT. */
int ohc_jl_check(const cJSON *logic, const ohc_jl_options *opts, ohc_error *err);

/* The value at a dotted path ("bits.jobs.0.state"), as {"var": path} finds it;
 * borrowed from data. NULL when a step is missing. */
const cJSON *ohc_jl_get(const cJSON *data, const char *path);

/* JSON Logic truthiness: false, null, 0, NaN, "" and [] are false. NULL is false. */
int ohc_jl_truthy(const cJSON *value);

/* Appends JavaScript's String(value) to a new string, at most max bytes.
 * Caller frees. NULL when out of memory. */
char *ohc_jl_to_string(const cJSON *value, size_t max);

#endif
