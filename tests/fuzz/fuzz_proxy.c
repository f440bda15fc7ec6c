/* libFuzzer target for the proxy/outlook/tls decoders: WinHTTP and WinINet
 * blobs, registry values of any type (also as DefaultSecureProtocols, SCHANNEL
 * values, modern authentication values and a profile's 00036601), proxy lists,
 * credential masking, Click-to-Run channel values, bypass lists, Exchange URLs
 * and PAC bodies, all on untrusted bytes. Input: a mode byte, then the bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_hosts.h"
#include "office.h"
#include "outlook.h"
#include "pac_fetch.h"
#include "proxy.h"
#include "regval.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    /* An exact-size heap copy, so that ASan sees any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    switch (mode % 4) {
    case 0:
    case 1: {
        ohc_proxy_blob_kind kind = mode % 2 ? OHC_BLOB_WININET : OHC_BLOB_WINHTTP;
        ohc_proxy_blob b;
        if (ohc_proxy_blob_decode(&b, buf, size, kind) == OHC_OK) {
            cJSON *j = ohc_proxy_blob_to_json(&b, buf, size, kind);
            char *s = cJSON_PrintUnformatted(j);
            if (s != NULL) {
                cJSON *back = cJSON_Parse(s);
                if (back == NULL)
                    abort(); /* the facts must stay valid JSON */
                cJSON_Delete(back);
            }
            cJSON_free(s);
            cJSON_Delete(j);
            ohc_proxy_winhttp_differ(1, OHC_WINHTTP_ACCESS_NAMED, "p:1", NULL, &b);
        }
        ohc_proxy_blob_free(&b);
        break;
    }
    case 2: {
        cJSON *v = ohc_regval_to_json((uint32_t)(mode >> 2), buf, size, OHC_REG_DWORD);
        cJSON *pol = cJSON_CreateObject();
        if (v != NULL && pol != NULL)
            cJSON_AddItemToObject(pol, "ProxyServerFlags", v);
        else
            cJSON_Delete(v);
        cJSON_Delete(ohc_outlook_version_to_json("14.0", pol, NULL, NULL));
        /* The same value wherever issue 14's decoders meet one: each takes
         * its own copy (they consume what they are given). */
        uint32_t type = (uint32_t)(mode >> 2);
#define REGVAL(expected) ohc_regval_to_json(type, buf, size, (expected))
        cJSON_Delete(ohc_tls_winhttp_to_json(REGVAL(OHC_REG_DWORD), REGVAL(OHC_REG_DWORD), 6, mode & 3, 7601));
        cJSON_Delete(ohc_tls_schannel_client_to_json("TLS 1.2", 1, REGVAL(OHC_REG_DWORD),
                                                     (mode & 1) ? REGVAL(OHC_REG_DWORD) : NULL, 6, 1));
        cJSON_Delete(ohc_office_identity_to_json((mode & 1) ? "16.0" : "15.0", REGVAL(OHC_REG_DWORD),
                                                 REGVAL(OHC_REG_DWORD), REGVAL(OHC_REG_DWORD), NULL));
        cJSON_Delete(ohc_office_profile_section_to_json("13dbb0c8aa05101a9bb000aa002fc45a", REGVAL(OHC_REG_BINARY)));
#undef REGVAL
        break;
    }
    default: {
        char *s = malloc(size + 1);
        if (s == NULL)
            break;
        memcpy(s, buf, size);
        s[size] = '\0';
        ohc_proxy_endpoint eps[8];
        size_t count = 0, invalid = 0;
        ohc_proxy_list_parse(eps, &count, 8, s, &invalid);
        for (size_t i = 0; i < count; i++)
            if (eps[i].port == 0 || eps[i].host[0] == '\0')
                abort();
        char masked[64];
        ohc_proxy_mask_credentials(masked, sizeof masked, s);
        cJSON *channel = ohc_c2r_channel_to_json("CDNBaseUrl", s);
        const cJSON *guid = cJSON_GetObjectItemCaseSensitive(channel, "guid");
        if (cJSON_IsString(guid) && strlen(guid->valuestring) != 36)
            abort(); /* a GUID is 36 characters or none */
        cJSON_Delete(channel);
        /* the same bytes as a bypass list (ProxyOverride), a URL of an Exchange
         * host, and a PAC body (only looked into, never run) */
        ohc_proxy_bypass_matches(s, "mail.contoso.com", 443);
        ohc_proxy_bypass_matches("<local>;*.contoso.com", s, 443);
        char host[256];
        unsigned port = 0;
        if (ohc_exchange_url_host(host, sizeof host, &port, s) == 0 && (host[0] == '\0' || port == 0 || port > 65535))
            abort();
        ohc_pac_body_defines_function((const char *)buf, size);
        free(s);
        break;
    }
    }
    free(buf);
    return 0;
}
