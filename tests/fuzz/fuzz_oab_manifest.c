/* libFuzzer target for the OAB manifest parser (collector/exchange/oab_manifest.c):
 * oab.xml as a server sends it, untrusted. The facts it makes must stay valid
 * JSON. Built and run by tests/integration/test_oab_fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_decoders.h"
#include "oab_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, no NUL: ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    ohc_oab_manifest m;
    ohc_error err;
    if (ohc_oab_manifest_parse(&m, buf, size, &err) == OHC_OK) {
        for (size_t i = 0; i < m.oal_count; i++)
            (void)ohc_oab_manifest_full(&m, i);
        fuzz_json_roundtrip(ohc_oab_manifest_to_json(&m));
    } else if (err.message[0] == '\0' || m.oals != NULL || m.files != NULL) {
        abort(); /* a refusal always says why and leaves nothing behind */
    }
    ohc_oab_manifest_free(&m);
    free(buf);
    return 0;
}
