/* The upload's proxy natively: the environment (HTTPS_PROXY, NO_PROXY...). */
#include "upload_proxy.h"

#include <stdlib.h>

static const char *env(const char *name)
{
    return getenv(name);
}

int ohc_upload_proxy_for_url(ohc_upload_proxy *out, const char *url, ohc_error *err)
{
    (void)err;
    ohc_upload_proxy_from_env(out, url, env);
    return OHC_OK;
}
