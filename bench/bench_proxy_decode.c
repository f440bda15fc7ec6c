/* Decoding cost of the proxy/outlook facts: a WinINet blob, a registry value
 * and a Outlook version merge, each repeated, in ns per call.
 * Run: build/native/bench/bench_proxy_decode (Release build for real figures). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "outlook.h"
#include "proxy.h"
#include "regval.h"

static size_t make_blob(uint8_t *buf)
{
    const char *strs[] = {"http=proxy.contoso.com:8080;https=proxy.contoso.com:8443", "<local>;*.contoso.com;10.*",
                          "http://wpad.contoso.com/proxy.pac"};
    uint32_t hdr[3] = {0x46, 12, 0xF};
    memcpy(buf, hdr, 12);
    size_t n = 12;
    for (int i = 0; i < 3; i++) {
        uint32_t len = (uint32_t)strlen(strs[i]);
        memcpy(buf + n, &len, 4);
        memcpy(buf + n + 4, strs[i], len);
        n += 4 + len;
    }
    return n;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    uint8_t blob[512];
    size_t len = make_blob(blob);

    uint64_t t0 = ohc_os_monotonic_ms();
    for (long i = 0; i < iters; i++) {
        ohc_proxy_blob b;
        ohc_proxy_blob_decode(&b, blob, len, OHC_BLOB_WININET);
        cJSON *j = ohc_proxy_blob_to_json(&b, blob, len, OHC_BLOB_WININET);
        cJSON_Delete(j);
        ohc_proxy_blob_free(&b);
    }
    uint64_t t1 = ohc_os_monotonic_ms();
    printf("wininet blob (%zu bytes) decode+json: %.0f ns/call\n", len, (double)(t1 - t0) * 1e6 / (double)iters);

    ohc_proxy_endpoint eps[8];
    t0 = ohc_os_monotonic_ms();
    for (long i = 0; i < iters; i++) {
        size_t count = 0;
        ohc_proxy_list_parse(eps, &count, 8, "http=proxy.contoso.com:8080;https=proxy2.contoso.com:8443 socks=s:1080",
                             NULL);
    }
    t1 = ohc_os_monotonic_ms();
    printf("proxy list parse (3 entries): %.0f ns/call\n", (double)(t1 - t0) * 1e6 / (double)iters);

    uint8_t dw[4] = {0x2F, 0, 0, 0};
    t0 = ohc_os_monotonic_ms();
    for (long i = 0; i < iters / 10; i++) {
        cJSON *pol = cJSON_CreateObject(), *pref = cJSON_CreateObject();
        for (size_t k = 0; k < ohc_outlook_rpc_value_count; k++) {
            cJSON_AddItemToObject(pol, ohc_outlook_rpc_values[k].name,
                                  ohc_regval_to_json(OHC_REG_DWORD, dw, 4, OHC_REG_DWORD));
            cJSON_AddItemToObject(pref, ohc_outlook_rpc_values[k].name,
                                  ohc_regval_to_json(OHC_REG_DWORD, dw, 4, OHC_REG_DWORD));
        }
        cJSON_Delete(ohc_outlook_version_to_json("14.0", pol, pref, NULL));
    }
    t1 = ohc_os_monotonic_ms();
    printf("outlook version (6+6 values) to facts: %.0f ns/call\n", (double)(t1 - t0) * 1e6 / (double)(iters / 10));
    return 0;
}
