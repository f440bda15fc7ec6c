/* Dotted paths into JSON ("facts.bits.jobs.0.state"), one way for the report
 * helpers and the JSON Logic engine's "var". Results are borrowed from the
 * document. */
#ifndef OHC_JSON_PATH_H
#define OHC_JSON_PATH_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Longest path segment looked up; a longer one is never found. */
#define OHC_JSON_PATH_SEGMENT_MAX 255

/* One step: member seg[0, n) of an object, or, when seg is a decimal index,
 * that element of an array. NULL when absent (or cur is neither). */
const cJSON *ohc_json_step(const cJSON *cur, const char *seg, size_t n);

/* Follows every step of path; "" is obj itself. NULL when a step does not exist. */
const cJSON *ohc_json_get(const cJSON *obj, const char *path);

#endif
