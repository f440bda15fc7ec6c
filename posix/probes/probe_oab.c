/* The OAB check per server natively: name resolution with getaddrinfo; no
 * Internet zones and no account credentials (requests are anonymous). The
 * rest is portable: collector/exchange/oab_check.c. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "oab_check.h"
#include "probes_posix.h"

static int resolve(char (*out)[OHC_OAB_ADDR_MAX], size_t cap, size_t *out_count, const char *host, ohc_error *err)
{
    *out_count = 0;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0)
        return ohc_error_set(err, OHC_ENOTFOUND, 0, "getaddrinfo %s: %s", host, gai_strerror(rc));
    for (struct addrinfo *a = res; a != NULL && *out_count < cap; a = a->ai_next) {
        char text[OHC_OAB_ADDR_MAX];
        if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST) != 0)
            continue;
        text[strcspn(text, "%")] = '\0';
        int dup = 0;
        for (size_t i = 0; i < *out_count; i++)
            dup |= strcmp(out[i], text) == 0;
        if (!dup)
            memcpy(out[(*out_count)++], text, sizeof text);
    }
    freeaddrinfo(res);
    return OHC_OK;
}

void ohc_posix_probe_oab(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    ohc_oab_platform platform = {.resolve = resolve, .intranet = NULL, .account_credentials = 0};
    ohc_oab_probe_collect(out, ctx, &platform);
}
