/* libFuzzer target for the JSON Logic evaluator (collector/jsonlogic.c) on
 * hostile rules and data: input = LOGIC '\0' DATA, both JSON text. Checks the
 * rule (ohc_jl_check), evaluates it (apply and test), renders the result, and
 * runs the helpers a rule's data reaches: var paths, String(), RFC 3339 times.
 * Bounds are small so that every input ends well within libFuzzer's 1 s; a
 * bound that is hit is an error (OHC_ELIMIT), never a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "civil_time.h"
#include "fuzz_input.h"
#include "jsonlogic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    size_t llen, dlen;
    char *ltext = fuzz_str(&in, 65536, &llen);
    char *dtext = fuzz_str(&in, 65536, &dlen);
    if (ltext == NULL || dtext == NULL)
        goto out;
    cJSON *logic = cJSON_ParseWithLength(ltext, llen);
    cJSON *facts = dlen ? cJSON_ParseWithLength(dtext, dlen) : NULL;
    ohc_jl_options opts = {0, 20000, 4096, 1764000000000LL};
    ohc_error err;
    ohc_jl_check(logic, &opts, &err);
    cJSON *result = NULL;
    if (ohc_jl_apply(&result, logic, facts, &opts, &err) == OHC_OK) {
        char *s = cJSON_PrintUnformatted(result);
        cJSON_free(s);
        char *t = ohc_jl_to_string(result, 256);
        free(t);
        ohc_jl_truthy(result);
        cJSON_Delete(result);
    } else if (result != NULL) {
        abort(); /* the contract: *out is NULL on error */
    }
    int truthy;
    ohc_jl_test(&truthy, logic, facts, &opts, &err);
    if (cJSON_IsString(logic)) {
        ohc_jl_get(facts, logic->valuestring);
        int64_t ms;
        ohc_civil_parse_rfc3339(&ms, logic->valuestring, 0);
    }
    cJSON_Delete(logic);
    cJSON_Delete(facts);
out:
    free(ltext);
    free(dtext);
    return 0;
}
