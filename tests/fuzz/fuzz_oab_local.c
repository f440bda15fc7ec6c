/* libFuzzer target for the local OAB copy's header (collector/exchange/oab_local.c):
 * the first bytes of a udetails.oab as they lie in a user's profile, untrusted.
 * A refusal must say why; strings read must be NUL-terminated within their fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oab_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OHC_OAB_LOCAL_HEAD_MAX)
        size = OHC_OAB_LOCAL_HEAD_MAX; /* the probe reads no more */
    /* An exact-size heap copy: ASan sees any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    ohc_oab_details_header h;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_oab_details_header_parse(&h, buf, size, &err) == OHC_OK) {
        if (strlen(h.name) >= sizeof h.name || strlen(h.dn) >= sizeof h.dn ||
            strlen(h.container_guid) >= sizeof h.container_guid || (!h.v4 && h.sequence != -1))
            abort();
    } else if (err.message[0] == '\0') {
        abort();
    }
    free(buf);
    return 0;
}
