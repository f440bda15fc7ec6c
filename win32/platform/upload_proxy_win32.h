/* The upload's proxy for a URL as Windows finds it (upload_proxy_win32.c):
 * an ohc_upload_proxy_fn for ohc_platform.resolve_proxy. */
#ifndef OHC_UPLOAD_PROXY_WIN32_H
#define OHC_UPLOAD_PROXY_WIN32_H

#include "upload_proxy.h"

int ohc_win32_upload_proxy_for_url(ohc_upload_proxy *out, const char *url, ohc_error *err);

#endif
