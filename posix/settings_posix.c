/* The native build has no machine configuration store: every registry layer
 * of collector/settings.h is empty, so defaults and flags apply. */
#include "settings.h"

int ohc_platform_settings_read(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name,
                               ohc_error *err)
{
    (void)out;
    (void)ctx;
    (void)layer;
    (void)name;
    (void)err;
    return OHC_ENOTFOUND;
}

int ohc_platform_settings_write(const char *name, const ohc_raw_value *value, ohc_error *err)
{
    (void)value;
    (void)name;
    return ohc_error_set(err, OHC_EUNAVAILABLE, 0, "the native build has no machine configuration store");
}
