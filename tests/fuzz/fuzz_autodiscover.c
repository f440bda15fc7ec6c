/* libFuzzer target for the cached Autodiscover answers
 * (collector/exchange/autodiscover.c): a POX file or a v2 JSON file as it
 * lies in a user's profile, untrusted (the user can write it). The first
 * byte picks the parser; the facts made must stay valid JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autodiscover.h"
#include "exchange_hosts.h"
#include "fuzz_decoders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int v2 = data[0] & 1;
    size--;
    /* An exact-size heap copy, no NUL: ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, size);
    cJSON *answer = NULL;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = v2 ? ohc_autodiscover_v2_parse(&answer, buf, size, "fuzz.json", &err)
                : ohc_autodiscover_parse(&answer, buf, size, "fuzz.xml", &err);
    if (rc == OHC_OK) {
        const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(answer, "protocols"), 0);
        char version[32];
        (void)ohc_autodiscover_server_version(version, sizeof version,
                                              cJSON_GetStringValue(cJSON_GetObjectItem(p, "server_version")));
        /* the answer's hosts against a bypass list, as the probe does */
        cJSON *facts = cJSON_Parse("{\"profiles\":[{\"files\":[{}]}]}");
        cJSON *prior = cJSON_Parse("{\"proxy\":{\"users\":[{\"sid\":\"S\",\"proxy_in_use\":true,"
                                   "\"proxy_server\":\"p:1\",\"proxy_override\":\"<local>;*.contoso.com\"}]}}");
        cJSON *file = cJSON_GetArrayItem(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "profiles"), 0), "files"), 0);
        if (file != NULL && prior != NULL) {
            cJSON_AddItemToObject(file, "answer", cJSON_Duplicate(answer, 1));
            (void)ohc_exchange_hosts_facts(facts, prior, NULL, 0);
            fuzz_json_roundtrip(facts); /* frees facts */
        } else {
            cJSON_Delete(facts);
        }
        cJSON_Delete(prior);
        fuzz_json_roundtrip(answer);
    } else if (err.message[0] == '\0' || answer != NULL) {
        abort(); /* a refusal always says why and leaves nothing behind */
    }
    free(buf);
    return 0;
}
